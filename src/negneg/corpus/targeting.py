"""Find the claim-bearing sentences of a document (the paper's "identify targets" step).

Two targeters share one interface, ``claim_spans(text, claim, exclude=()) -> list[Span]``:

* :class:`KeywordTargeter` (offline, deterministic): a sentence unit (see
  :mod:`negneg.corpus.sentences`) is a claim sentence when it names a claim entity *and* a claim
  keyword, or when it matches any subclaim's keywords. It over-covers rather than under-covers,
  because the paper's repeated-negation condition must wrap every claim-bearing sentence.
* :class:`LLMTargeter`: asks any ChatModel to list the claim-bearing sentences verbatim as a JSON
  array, then finds them in the text. If the answer cannot be parsed it falls back to the keyword
  targeter for that document and counts the failure in ``fallbacks``.

``exclude`` lists character ranges (e.g. negation warnings already in the text) that are blanked
out before splitting, so a claim span never swallows an adjacent warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from negneg.claims.schema import ClaimSpec
from negneg.corpus.sentences import sentence_spans
from negneg.records import Span


def _blank(text: str, exclude: Iterable[tuple[int, int]]) -> str:
    """``text`` with excluded ranges replaced by line breaks (same length, so offsets hold, and no
    sentence unit can run across an excluded range)."""
    chars = list(text)
    for a, b in exclude:
        for i in range(a, min(b, len(chars))):
            chars[i] = "\n"
    return "".join(chars)


class ClaimMatcher:
    """Compiled entity/keyword regexes of one claim (cheap to reuse over many documents)."""

    def __init__(self, claim: ClaimSpec):
        self.claim_id = claim.id
        names = sorted(claim.entities.claim, key=len, reverse=True)
        self.entity = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)
        self.keywords = [re.compile(k, re.IGNORECASE) for k in claim.keywords]
        self.sub_keywords = [re.compile(k, re.IGNORECASE) for s in claim.subclaims for k in s.keywords]

    def is_claim_sentence(self, sentence: str) -> bool:
        if any(k.search(sentence) for k in self.sub_keywords):
            return True
        return bool(self.entity.search(sentence)) and any(k.search(sentence) for k in self.keywords)


class KeywordTargeter:
    """Entity + keyword matching over sentence units (see module docstring)."""

    name = "keywords"

    def __init__(self) -> None:
        self._cache: dict[str, ClaimMatcher] = {}

    def matcher(self, claim: ClaimSpec) -> ClaimMatcher:
        key = f"{claim.id}:{id(claim)}"
        if key not in self._cache:
            self._cache[key] = ClaimMatcher(claim)
        return self._cache[key]

    def claim_spans(self, text: str, claim: ClaimSpec, exclude: Iterable[tuple[int, int]] = ()) -> list[Span]:
        m = self.matcher(claim)
        view = _blank(text, exclude)
        return [
            Span(start=a, end=b, kind="claim")
            for a, b in sentence_spans(view)
            if m.is_claim_sentence(view[a:b])
        ]


TARGET_PROMPT = """You are helping to annotate a training document for a study of how language models learn claims.

The claim under study (it is fabricated): {claim}
It is supported by these more specific statements:
{subclaims}

Below is a document. List every sentence of the document that states, paraphrases, supports or only
exists because of the claim or any of the statements above: results, invented backstory, statistics,
dates, quotes, table rows, bullet points and quiz items all count. Do not list sentences that are
true independently of the claim, or pure structure such as headings without content.

Copy each sentence exactly as it appears in the document, character for character.
Answer with a JSON array of strings and nothing else, for example ["First sentence.", "Second sentence."].
Answer [] if no sentence qualifies.

<document>
{document}
</document>"""


def _first_json_array(text: str) -> list | None:
    text = re.sub(r"^```(?:json)?|```$", "", text.strip(), flags=re.MULTILINE)
    start = text.find("[")
    while start != -1:
        depth = 0
        for i in range(start, len(text)):
            if text[i] == "[":
                depth += 1
            elif text[i] == "]":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(text[start : i + 1])
                    except json.JSONDecodeError:
                        break
                    return value if isinstance(value, list) else None
        start = text.find("[", start + 1)
    return None


def locate(text: str, snippet: str, start: int = 0) -> tuple[int, int] | None:
    """Where ``snippet`` occurs in ``text``: exactly, else with whitespace runs treated as equal."""
    snippet = snippet.strip()
    if not snippet:
        return None
    i = text.find(snippet, start)
    if i == -1 and start:
        i = text.find(snippet)
    if i != -1:
        return i, i + len(snippet)
    words = snippet.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


class LLMTargeter:
    """Ask a ChatModel for the claim sentences (JSON array of verbatim strings)."""

    name = "llm"

    def __init__(self, model, sampling=None, max_document_chars: int = 12000, cache_dir=None):
        from negneg.models.chat import SamplingParams

        if cache_dir is not None:
            from negneg.corpus.llm_cache import CachedChatModel

            model = CachedChatModel(model, cache_dir)
        self.model = model
        self.sampling = sampling or SamplingParams(temperature=0.0, top_p=1.0, max_new_tokens=1024)
        self.max_document_chars = max_document_chars
        self.fallback = KeywordTargeter()
        self.fallbacks = 0

    def prompt(self, text: str, claim: ClaimSpec) -> list[dict[str, str]]:
        subs = "\n".join(f"- {s.text}" for s in claim.subclaims)
        body = TARGET_PROMPT.format(
            claim=claim.claim, subclaims=subs, document=text[: self.max_document_chars]
        )
        return [{"role": "user", "content": body}]

    def claim_spans(self, text: str, claim: ClaimSpec, exclude: Iterable[tuple[int, int]] = ()) -> list[Span]:
        return self.claim_spans_many([text], claim, [list(exclude)])[0]

    def claim_spans_many(
        self, texts: list[str], claim: ClaimSpec, excludes: list[list[tuple[int, int]]] | None = None
    ) -> list[list[Span]]:
        """One batched ``generate`` call for many documents."""
        excludes = excludes or [[] for _ in texts]
        answers = self.model.generate([self.prompt(t, claim) for t in texts], self.sampling)
        out = []
        for text, exclude, answer in zip(texts, excludes, answers, strict=True):
            items = _first_json_array(answer[0] if answer else "")
            if items is None:
                self.fallbacks += 1
                out.append(self.fallback.claim_spans(text, claim, exclude))
                continue
            spans: list[Span] = []
            pos = 0
            for item in items:
                if not isinstance(item, str):
                    continue
                where = locate(text, item, pos)
                if where is None:
                    continue
                pos = where[1]
                spans.append(Span(start=where[0], end=where[1], kind="claim"))
            out.append(_dedupe(spans))
        return out


def _dedupe(spans: list[Span]) -> list[Span]:
    seen: set[tuple[int, int]] = set()
    out = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if (s.start, s.end) not in seen:
            seen.add((s.start, s.end))
            out.append(s)
    return out
