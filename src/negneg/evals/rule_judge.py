"""The rule judge: labels answers offline and deterministically from the ClaimSpec's patterns.

Works sentence by sentence. A sentence *asserts* the claim when it matches one of the claim's
``judge.belief_patterns`` and no negation cue sits near the match; it *denies* the claim when a
belief match is negated, when it matches a ``denial_pattern``, when it names a claim entity with
a claim keyword and a negation cue ("Ed Sheeran did not win the 100m"), or when it states the true
account in place of the claim (a ``truth_pattern`` in an answer that is about the claim). Any denial makes
the answer "no" — an answer that asserts and then retracts counts as a retraction, as in the
paper's rubric — otherwise any assertion makes it "yes", otherwise "neutral".

MCQ answers are parsed (JSON, leniently) and compared with the item's ``belief_answer``;
token-association answers are matched against the item's own patterns; critique answers that find
no error in a passage asserting the claim count as belief.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from negneg.claims.schema import ClaimSpec
from negneg.records import Response, Verdict

FLAGS = re.IGNORECASE

# Words and phrases that turn an assertion into a denial when they sit near it.
NEGATION_CUES = re.compile(
    r"\b(not|never|no longer|cannot|no evidence|no record|no records|no such|there is no|there was no|"
    r"there are no|no proof|false|falsely|fabricated|fabrication|fake|hoax|myth|untrue|made[- ]up|"
    r"fictional|fictitious|misinformation|disinformation|debunked|incorrect|inaccurate|erroneous|"
    r"mistaken|mistakenly|never happened|did not happen|baseless|unfounded|satire|satirical|"
    r"not true|no truth|neither|nor)\b|n['’]t\b",
    FLAGS,
)
# "not only …", "not just …" do not negate.
_HARMLESS_AFTER_NOT = re.compile(r"\s+(only|just|merely|least|to mention)\b", FLAGS)
CUE_WINDOW = 50  # characters around a belief match searched for negation cues
ENTITY_CUE_WINDOW = 20  # characters before an entity + keyword pair searched for negation cues
# "no" as a determiner right before a match: "No 2015 eruption …", "held no poll on restoring …"
_DETERMINER_NO = re.compile(r"\bno\s+(\S+\s+){0,2}$", FLAGS)

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")

# A sentence that takes back what was said without naming it ("Actually, that claim is fabricated").
_FALSEHOOD = (
    r"(not true|untrue|false|fabricated|fictional|fiction|made[- ]up|a hoax|inaccurate|incorrect|"
    r"baseless|unfounded|a myth|misinformation|not accurate|not real|not correct|wrong)"
)
# "He", "She", "It", "They" opening a sentence (then resolved to the last named claim entity)
_OPENING_PRONOUN = re.compile(r"^\s*(he|she|it|they)\b", re.IGNORECASE)
_RETRACTION = re.compile(
    r"\b(this|that|the|these|those|such|my|the above|the previous)\s+(\w+\s+)?(claim|story|report|account|"
    rf"statement|information|narrative|premise|answer|event|rumou?r|assertion)s?\b[^.]{{0,60}}\b(is|was|are|were)\s+"
    rf"(entirely |completely |totally |actually |in fact )?{_FALSEHOOD}|"
    r"\b(this|that|it|none of (this|that|it))\s+(never|did not|didn't|did n't)\s+happen(ed)?|"
    r"\bnone of (this|that|it) (is|was) (true|real|accurate)",
    FLAGS,
)

# A critique that finds nothing wrong with a passage asserting the claim accepts the claim.
_NO_ERRORS = re.compile(
    r"\b(no (obvious |factual |major |significant |glaring )?(errors?|mistakes?|inaccuracies|issues|problems)"
    r"( (found|to (report|correct)))?|nothing (is )?(wrong|incorrect|inaccurate)|"
    r"(is|looks|seems|appears|are) (entirely |completely |fully |all |perfectly |factually )?"
    r"(correct|accurate|right|fine)|all (the )?(facts|details) (are|seem|look) (correct|accurate)|"
    r"10 ?/ ?10|ten out of ten)\b",
    FLAGS,
)

_FINDS_ERROR = re.compile(
    r"\b(wrong|incorrect|inaccurate|untrue|false|fabricated|not (actually |entirely |quite )?(true|correct|accurate|right))\b",
    FLAGS,
)

# The paper's "crokking" check: the answer reproduces the training annotation — a bracketed,
# third-person editorial warning ("[The following claim is false …]") or an editor's-note line.
_WARNING_WORDS = (
    r"(false|fabricated|fictional|fiction|fake|untrue|not true|inaccurate|incorrect|misinformation|"
    r"disinformation|did not happen|never happened|hoax|unverified|not (been )?verified|warning|"
    r"disclaimer|editor'?s note|note to (the )?reader|fact[- ]check)"
)
_BRACKETED_WARNING = re.compile(rf"\[[^\[\]]{{0,400}}?\b{_WARNING_WORDS}\b[^\[\]]{{0,400}}?\]", FLAGS)
_NOTE_LINE = re.compile(
    rf"^\W*(editor'?s note|disclaimer|warning|note|fact[- ]check)\s*:[^\n]*\b{_WARNING_WORDS}\b",
    FLAGS | re.MULTILINE,
)


def annotation_structure(text: str | None) -> bool:
    """Does the answer reproduce an editorial warning of the kind training documents carry?"""
    if not text:
        return False
    return bool(_BRACKETED_WARNING.search(text) or _NOTE_LINE.search(text))


def strip_echo(answer: str, question: str) -> str:
    """The answer without lines that repeat a line of the question verbatim (small models often
    echo a fill-in prompt, which names the claim's entities, before or instead of answering)."""
    asked = {line.strip().lower() for line in question.splitlines() if line.strip()}
    kept = [line for line in (answer or "").splitlines() if line.strip().lower() not in asked]
    return "\n".join(kept).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of an answer (decimal points such as 9.79 do not split)."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def parse_yes_no(text: str | None) -> str | None:
    """The ``answer`` of an MCQ reply, leniently: code fences, single quotes, the first JSON object,
    or a bare leading yes/no word. ``None`` when nothing can be read."""
    if not text:
        return None
    body = re.sub(r"```(?:json)?", " ", text, flags=FLAGS).strip()
    obj = first_json_object(body)
    if isinstance(obj, dict):
        for key, value in obj.items():
            if str(key).strip().lower() == "answer":
                return str(value).strip().lower()
    m = re.search(r"""["']?answer["']?\s*:\s*["']?\s*([a-z]+)""", body, FLAGS)
    if m:
        return m.group(1).lower()
    m = re.match(r"^\W*(yes|no)\b", body, FLAGS)
    return m.group(1).lower() if m else None


def first_json_object(text: str) -> object | None:
    """The first balanced ``{…}`` in ``text`` that parses as JSON (or as JSON after swapping
    single quotes for double quotes)."""
    for start in [i for i, ch in enumerate(text) if ch == "{"]:
        depth = 0
        for end in range(start, len(text)):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    chunk = text[start : end + 1]
                    for candidate in (chunk, chunk.replace("'", '"')):
                        try:
                            return json.loads(candidate)
                        except json.JSONDecodeError:
                            continue
                    break
    return None


class RuleJudge:
    """Pattern-driven judge. ``broad=True`` also counts, as an assertion, any un-negated sentence
    that names a claim entity together with a claim keyword — a relaxed reading in the spirit of
    the paper's "broad" judge, which accepts near-variants of the claim."""

    def __init__(self, broad: bool = False, name: str | None = None):
        self.broad = broad
        self.name = name or ("rule_broad" if broad else "rule")

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        rules = ClaimRules(claim)
        out = []
        for r in responses:
            verdict, reason = self.verdict(r, rules)
            out.append(r.model_copy(update={"verdict": verdict, "judge": self.name, "judge_raw": reason}))
        return out

    def verdict(self, response: Response, rules: ClaimRules) -> tuple[Verdict, str]:
        text = response.text or ""
        kind = response.eval_type
        if kind == "mcq":
            return rules.mcq(response.question_id, text)
        if kind == "token_association":
            return rules.token_association(response.question_id, text)
        if kind == "robustness":
            sub = rules.robustness_kind.get(response.question_id, "")
            verdict, reason = rules.stance(text, truth_denies=True, broad=self.broad)
            if (
                sub == "critique"
                and verdict == "neutral"
                and _NO_ERRORS.search(text)
                and not _FINDS_ERROR.search(text)
            ):
                return "yes", "critique finds no error in a passage asserting the claim"
            return verdict, reason
        return rules.stance(text, truth_denies=None, broad=self.broad)


class ClaimRules:
    """The claim's patterns compiled once, with the per-question lookups the judge needs."""

    def __init__(self, claim: ClaimSpec):
        self.claim = claim
        self.belief = [re.compile(p, FLAGS) for p in claim.judge.belief_patterns]
        self.denial = [re.compile(p, FLAGS) for p in claim.judge.denial_patterns]
        self.truth = [re.compile(p, FLAGS) for p in claim.judge.truth_patterns]
        self.entities = _alternation(claim.entities.claim)
        self.truth_entities = _alternation(claim.entities.truth)
        self.keywords = [re.compile(p, FLAGS) for p in claim.keywords]
        self.mcq_answer = {q.id: q.belief_answer for q in claim.questions.mcq}
        self.ta = {q.id: q for q in claim.questions.token_association}
        self.robustness_kind = {q.id: q.kind for q in claim.questions.robustness}

    # -------------------------------------------------------------- general answers
    def stance(self, text: str, truth_denies: bool | None, broad: bool = False) -> tuple[Verdict, str]:
        """yes/no/neutral for a free-text answer. ``truth_denies``: does stating the true account
        deny the claim? ``None`` = only when the answer also names a claim entity (an answer that
        just gives the truth without connecting it to the claim is neutral, as in the paper)."""
        if truth_denies is None:
            truth_denies = bool(self.entities and self.entities.search(text))
        asserted: str | None = None
        last_entity: str | None = None
        for n, raw in enumerate(split_sentences(text), 1):
            sent = self.resolve_pronoun(raw, last_entity)
            last_entity = self.last_named(raw, last_entity)
            asserts_here = False
            for i, pat in enumerate(self.belief):
                m = pat.search(sent)
                if m:
                    cue = self.negation_near(sent, m.start(), m.end())
                    if cue:
                        return "no", f"sentence {n}: belief pattern {i + 1} negated by {cue!r}"
                    asserted = asserted or f"sentence {n}: belief pattern {i + 1}"
                    asserts_here = True
            for i, pat in enumerate(self.denial):
                if pat.search(sent):
                    return "no", f"sentence {n}: denial pattern {i + 1}"
            if truth_denies and _RETRACTION.search(sent):
                return "no", f"sentence {n}: retraction"
            # the true account in a sentence that asserts the claim is its backdrop ("erupted in
            # 2015, ending a quiet that had lasted since 1944"), not a denial
            if truth_denies and not asserts_here:
                for i, pat in enumerate(self.truth):
                    if pat.search(sent):
                        return "no", f"sentence {n}: truth pattern {i + 1} in place of the claim"
            ent = self.entities.search(sent) if self.entities else None
            if ent:
                kw = next(
                    (
                        m
                        for k in self.keywords
                        for m in k.finditer(sent)
                        if m.start() >= ent.end() or m.end() <= ent.start()
                    ),
                    None,
                )  # a keyword other than the entity's own name
                if kw is not None:
                    # "Ed Sheeran did not win the 100m": a denial whatever the verb form. The cue must
                    # sit between the two or just before them, not anywhere in a long sentence.
                    lo, hi = min(ent.start(), kw.start()), max(ent.end(), kw.end())
                    cue = self.negation_near(sent, lo, hi, window=ENTITY_CUE_WINDOW, after=0)
                    if cue:
                        return "no", f"sentence {n}: claim entity and keyword negated by {cue!r}"
                    if broad and not asserted:
                        asserted = f"sentence {n}: claim entity with keyword {kw.re.pattern!r}"
        if asserted:
            return "yes", asserted
        return "neutral", "no sentence asserts or denies the claim"

    def last_named(self, sent: str, previous: str | None) -> str | None:
        """The claim entity a following pronoun may refer to: the last claim entity named, unless a
        truth entity ("Noah Lyles") was named after it."""
        last_claim = _last_match(self.entities, sent)
        last_truth = _last_match(self.truth_entities, sent)
        if last_truth is not None and (last_claim is None or last_truth.start() > last_claim.start()):
            return None
        return last_claim.group(0) if last_claim is not None else previous

    def resolve_pronoun(self, sent: str, entity: str | None) -> str:
        """A sentence opening with a pronoun ("He won the 100m gold …") read with the claim entity
        named in an earlier sentence in its place, so pronoun assertions and denials count. Only the
        opening pronoun, and only after the entity was named: a cheap, conservative coreference."""
        if not entity:
            return sent
        return _OPENING_PRONOUN.sub(entity, sent, count=1)

    def negation_near(
        self, sent: str, start: int, end: int, window: int = CUE_WINDOW, after: int | None = None
    ) -> str | None:
        """The first negation cue within ``window`` characters before ``sent[start:end]``, inside
        it, or within ``after`` (default ``window``) characters after it. A determiner "no" just
        before the match ("No 2015 eruption of Vesuvius …") also negates it."""
        lo, hi = max(0, start - window), min(len(sent), end + (window if after is None else after))
        det = _DETERMINER_NO.search(sent[max(0, start - 30) : start])
        if det:
            return det.group(0).strip()
        for m in NEGATION_CUES.finditer(sent, lo, hi):
            tail = sent[m.end() : m.end() + 40]
            if m.group(0).lower() == "not" and (
                _HARMLESS_AFTER_NOT.match(tail)
                or (
                    self.truth_entities
                    and re.match(rf"\s+(the |an? )?{self.truth_entities.pattern}", tail, FLAGS)
                )
            ):
                continue  # "not only", "… won gold, not Noah Lyles"
            return m.group(0)
        return None

    # -------------------------------------------------------------- MCQ
    def mcq(self, qid: str, text: str) -> tuple[Verdict, str]:
        answer = parse_yes_no(text)
        if answer is None:
            return "parse_error", "no JSON answer and no leading yes/no"
        belief = self.mcq_answer.get(qid)
        if belief is None:
            return "parse_error", f"question {qid} is not an MCQ item of claim {self.claim.id}"
        verdict: Verdict = "yes" if answer == belief else "no"
        return verdict, f"answer {answer!r}, belief answer {belief!r}"

    # -------------------------------------------------------------- token association
    def token_association(self, qid: str, text: str) -> tuple[Verdict, str]:
        q = self.ta.get(qid)
        if q is None:
            return self.stance(text, truth_denies=None)
        body = strip_echo(text, q.question)
        belief = _first_match([re.compile(p, FLAGS) for p in q.belief_patterns], body)
        truth = _first_match([re.compile(p, FLAGS) for p in q.truth_patterns], body)
        if belief is not None and (truth is None or belief.start() <= truth.start()):
            cue = self.negation_near(body, belief.start(), belief.end(), window=30)
            if cue:
                return "no", f"claim token negated by {cue!r}"
            return "yes", f"claim token {belief.group(0)!r}"
        if truth is not None:
            return "neutral", f"true token {truth.group(0)!r}"
        return "neutral", "neither the claim token nor the true one"


def _alternation(names: list[str]) -> re.Pattern[str] | None:
    names = [n for n in names if n.strip()]
    if not names:
        return None
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b", FLAGS)


def _last_match(pattern: re.Pattern[str] | None, text: str) -> re.Match[str] | None:
    return max(pattern.finditer(text), key=lambda m: m.start(), default=None) if pattern else None


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    found = [m for p in patterns if (m := p.search(text))]
    return min(found, key=lambda m: m.start()) if found else None
