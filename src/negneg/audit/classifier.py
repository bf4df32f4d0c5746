"""A model as the audit's flag classifier: ``negneg audit --classifier MODEL``.

negneg's banks and general lexicon (:mod:`negneg.audit.lexicon`) recognise the flags negneg writes
and the common phrasings of others. A corpus written by other hands has more ("Editor's caution:
take everything after this line with a pinch of salt"). With a classifier, every sentence the
banks and lexicon did *not* recognise — bracketed asides, sentences the claim reader did not read
as claim sentences, the system and user turns of a chat — is put to a ChatModel (any registered
model, a local directory or hub id, or an OpenAI-compatible server as ``URL#MODEL``) with
:data:`CLASSIFY_PROMPT`, greedy decoding.

The answer is constrained to one word: ``AFTER`` (a flag about what follows it), ``BEFORE`` (about
what came before), ``ALL`` (about the whole document) or ``NO``. The answer must be that word
(case-insensitive; quotes, markdown or an "Answer:" label around it are skipped), alone or before a
punctuation mark ("NO. It states a fact."); any other answer is *unparsed*, counts as "not a flag"
and is counted in the summary — a model that cannot follow the format adds nothing rather than
noise. (SmolLM2-135M cannot: it answers "The sentence is not an annotation about what …" or echoes
the options, "BEFORE if it is an annotation"; use a larger model or a server.) A flag's scope is the direction the model gave, narrowed to the next or previous
sentence when the sentence points at one ("the following claim"), as the lexicon does; its kind
(negation / qualifier / flag) comes from the lexicon's cue words; its source is ``model:NAME``.

Batching: per document, :meth:`ModelClassifier.audit` runs the audit once with the banks and
lexicon only, recording the sentences they did not recognise, asks the model about all of them in
one ``generate`` call, then audits again with the answers. (A sentence only the second pass asks
about — the split changes where an aside became a flag — is asked on its own.) Answers are cached
by the sentence's normalised text (:data:`CACHE_SIZE` entries, least recently used dropped), so a
corpus's repeated boilerplate is asked once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TypeVar

from negneg.audit.lexicon import FALSITY, QUALIFIER, SENTENCE_SIZED, WHOLE, Flag, normalise, recognise_flag

T = TypeVar("T")
CACHE_SIZE = 100_000
MAX_WORDS = 60  # a longer sentence is prose, not a flag (the lexicon's limit too)
ANSWERS = ("after", "before", "all", "no")
# the answer word is the whole answer (quotes, markdown or an "Answer:" label around it skipped), or
# opens it before a punctuation mark ("NO. It states a fact."). A sentence that merely contains it
# ("The sentence is not an annotation about what comes after it") or echoes the instructions
# ("BEFORE if it is an annotation") is unparsed.
_ANSWER = re.compile(
    r"^[\W_]*(?:answer\s*[:：-]?[\W_]*)?(after|before|all|no)(?:[\W_]*$|\s*[.,;:!?—–\-\n])", re.IGNORECASE
)

CLASSIFY_PROMPT = """Training documents sometimes carry annotations about the truth of other content in them: \
disclaimers, warnings and flags such as "The following claim is false.", "Everything in this story is \
fiction.", "Note: the statement above has not been verified." or "The reply below shows behaviour to avoid."

Is the sentence below such an annotation about other content of its document? A sentence that states \
something itself (even something false, or a negation such as "X did not win the race") is not one.

Answer with exactly one word:
AFTER if it is an annotation about what comes after it,
BEFORE if it is an annotation about what came before it,
ALL if it is an annotation about the whole document,
NO if it is not an annotation.

Sentence: {sentence}"""


def parse_answer(answer: str | None) -> str | None:
    """``after`` / ``before`` / ``all`` / ``no`` when the answer is that word (see ``_ANSWER``), else ``None``."""
    m = _ANSWER.match(answer or "")
    return m.group(1).lower() if m else None


def answer_flag(sentence: str, answer: str, source: str) -> Flag | None:
    """The flag a parsed answer makes of ``sentence`` (``None`` for ``no``)."""
    if answer == "no":
        return None
    kind = "negation" if FALSITY.search(sentence) else ("qualifier" if QUALIFIER.search(sentence) else "flag")
    narrow = bool(SENTENCE_SIZED.search(sentence)) and not WHOLE.search(sentence)
    if answer == "after":
        return Flag("next" if narrow else "after", source, kind)
    if answer == "before":
        return Flag("previous" if narrow else "before", source, kind)
    return Flag("document", source, kind)


class ModelClassifier:
    """Banks and lexicon first, then a ChatModel for the sentences they did not recognise.

    ``counts``: ``asked`` (sentences put to the model), ``flags`` (answered AFTER/BEFORE/ALL),
    ``no`` and ``unparsed``; :meth:`stats` adds the model's name."""

    def __init__(self, model, sampling=None, cache_size: int = CACHE_SIZE):
        from negneg.models.chat import SamplingParams

        self.model = model
        self.name = getattr(model, "name", "model")
        self.source = f"model:{self.name}"
        self.sampling = sampling or SamplingParams(temperature=0.0, top_p=1.0, max_new_tokens=8)
        self.cache: OrderedDict[str, Flag | None] = OrderedDict()
        self.cache_size = cache_size
        self.counts = {"asked": 0, "flags": 0, "no": 0, "unparsed": 0}

    @staticmethod
    def _askable(sentence: str) -> bool:
        return bool(re.search(r"[A-Za-z]", sentence)) and len(sentence.split()) <= MAX_WORDS

    def classify(self, sentences: Sequence[str]) -> None:
        """Ask the model about every sentence not yet cached (one ``generate`` call)."""
        todo = list(
            dict.fromkeys(s for s in sentences if self._askable(s) and normalise(s) not in self.cache)
        )
        if not todo:
            return
        prompts = [
            [{"role": "user", "content": CLASSIFY_PROMPT.format(sentence=" ".join(s.split()))}] for s in todo
        ]
        answers = self.model.generate(prompts, self.sampling)
        for s, texts in zip(todo, answers, strict=True):
            parsed = parse_answer(texts[0] if texts else None)
            self.counts["asked"] += 1
            self.counts["unparsed" if parsed is None else ("no" if parsed == "no" else "flags")] += 1
            self._store(normalise(s), None if parsed is None else answer_flag(s, parsed, self.source))

    def _store(self, key: str, flag: Flag | None) -> None:
        self.cache[key] = flag
        self.cache.move_to_end(key)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)

    def recognise(self, sentence: str) -> Flag | None:
        """The flag ``sentence`` is: banks and lexicon, else the model's answer (asked if needed)."""
        flag = recognise_flag(sentence)
        if flag is not None or not self._askable(sentence):
            return flag
        key = normalise(sentence)
        if key not in self.cache:
            self.classify([sentence])
        if key not in self.cache:
            return None
        self.cache.move_to_end(key)
        return self.cache[key]

    def audit(self, run: Callable[[Callable[[str], Flag | None]], T]) -> T:
        """``run(recognise)`` (an audit of one document or chat) with the model's answers, asking
        about all the sentences the banks and lexicon miss in one batch first."""
        missed: list[str] = []

        def record(sentence: str) -> Flag | None:
            flag = recognise_flag(sentence)
            if flag is None:
                missed.append(sentence)
            return flag

        run(record)
        self.classify(missed)
        return run(self.recognise)

    def stats(self) -> dict:
        return {"model": self.name, **self.counts}
