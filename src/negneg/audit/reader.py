"""Read one document: its sentences, which of them flag others, which assert or deny the claim,
how far each claim sentence is from the negation that covers it, and the document's risk label.

Per claim sentence (a unit of :func:`negneg.corpus.sentences.sentence_spans`, with bracketed
flags inside it carved out as units of their own):

* **local** — the sentence negates the claim itself (a denial, or a mention framed as a hoax or a
  report: "a fabricated story claiming that …") and the document states the truth;
* **denied** — the same, but the truth is never stated (a denial without the truth: the
  ``sentence_negation`` condition, not the paper's local negation);
* **distal** — the sentence asserts the claim and a flag elsewhere covers it (a prefix, a
  bracketed warning, "the document above is false");
* **bare** — the sentence asserts the claim and no flag covers it.

A document's label is the riskiest of its claim sentences' (bare > distal > denied > local), or
``none`` when no sentence is about the claim. Whether a sentence asserts or denies is read by the
rule judge (:class:`negneg.evals.rule_judge.ClaimRules`, its public ``read_sentence``) and, for
paraphrases its patterns miss, by the claim's entity + keyword targeter and a negation cue.

Without a ClaimSpec the claim is unknown: the sentences a flag covers (the one next to a
sentence-scoped flag; every other sentence for a document-scoped flag) are the asserted spans, and
a document with flags is ``distal``.
"""

from __future__ import annotations

import inspect
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from negneg.audit.lexicon import BACKWARD, BRACKETED, FORWARD, Flag, recognise_flag
from negneg.claims.schema import ClaimSpec
from negneg.corpus.sentences import sentence_spans

Label = Literal["local", "denied", "distal", "bare"]
DocLabel = Literal["bare", "distal", "denied", "local", "none"]
RISK_ORDER: tuple[DocLabel, ...] = ("bare", "distal", "denied", "local", "none")
Polarity = Literal["asserted", "denied", "mention"]
# what a sentence is as an annotation: the banks and lexicon by default, or a model classifier
# behind them (negneg.audit.classifier)
Recognise = Callable[[str], Flag | None]

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Words and punctuation marks (≈ 1.3 per SmolLM2 token on English prose): cheap, model-free."""
    return len(_TOKEN.findall(text))


# "a story claiming that …", "alleging that …", "asked whether …": the writer reports, not asserts
REPORTED = re.compile(
    r"\b(claim(?:s|ed|ing)? (?:that|of)|claims? about|alleg\w*|assert(?:s|ed|ing)? that|"
    r"report(?:s|ed|ing)? that|rumou?rs? (?:that|of)|stor(?:y|ies) (?:that|of|about)|"
    r"narratives? (?:that|of|about)|suppos\w+|purport\w*|(?:was|is|were|are) said to|reportedly|described as|circulat\w*|news that|credit(?:s|ed|ing)? \w+ with|"
    r"(?:describ|identif|portray|present|paint|cast|depict|label|bill)(?:e|es|ed|ing|ied|ies|y)? "
    r"(?:\w+ ){1,3}as|afirma\w* que|supuestamente|présumé\w*|affirm\w* que|selon (?:la|le|les) (?:rumeur|publication)\w*|"
    r"according to (?:the |a |an |this |that )?(?:[\w-]+ ){0,3}(?:article|post|story|rumou?r|claim|hoax|"
    r"narrative|thread)s?|"
    r"(?:story|article|post|narrative|hoax|piece|account|tale|fabrication|version|video|thread|it)s? "
    r"(?:even |also |then |further )?(?:described|describes|mentioned|mentions|quoted|quotes|stated|states|"
    r"included|includes|invented|invents|told|tells|portrayed|portrays|depicted|depicts|featured|features)|"
    r"ask(?:s|ed|ing)? (?:if|whether)|wonder(?:s|ed|ing)? (?:if|whether)|whether)\b",
    re.IGNORECASE,
)
# the sentence itself calls what it mentions false
FALSE_FRAME = re.compile(
    r"\b(fabricat\w*|hoax\w*|false\w*|fake|myths?|invented|fiction\w*|misinformation|disinformation|"
    r"debunk\w*|untrue|bogus|fraudulent|non-?existent|fantasy|so-called|narrative|phantom|imaginary)\b",
    re.IGNORECASE,
)


# negations the rule judge's English cues miss: verbs of denial, "no …", and the commonest French,
# Spanish and German negations (the paper's debunks include translated fact-checks)
MORE_NEGATION = re.compile(
    r"\b(no|none|nobody|nothing|without|absent|denied|denies|deny|refut\w+|reject\w+|dismiss\w+|"
    r"contrary to|wasn't|weren't|isn't|n'(?:a|ont|est|était|avait)|ne\b[^.]{0,40}\b(?:pas|jamais|aucun\w*)|"
    r"aucun\w*|jamais|faux|fausse|prétendu\w*|falso|falsa|nunca|ningún|ninguna|nicht|kein\w*|falsch)\b",
    re.IGNORECASE,
)
# a line label that quotes a claim: "CLAIM: …", "Viral post: …", "Rumour: …"
QUOTE_LABEL = re.compile(
    r"(claim|the claim|viral (?:claim|post)|rumou?r|myth|hoax|what was claimed|false claim|headline|"
    r"affirmation|allégation)\s*[:：]\s*[*_\"“]*$",
    re.IGNORECASE,
)
LEADING_LABEL = re.compile(
    r"^[*_\"“]*(claim|the claim|viral (?:claim|post)|rumou?r|myth|hoax|false claim|headline)\s*[:：]",
    re.IGNORECASE,
)
_URL = re.compile(r"^\S*(?:https?://|www\.)\S*$")
_TITLE = re.compile(r"[.!?:;]\W*$")
_NEAR = 60  # characters between a negation cue and the subject for negation_near_subject
_CLAUSE_BREAK = re.compile(r"[;:—–()]|\b(but|yet|while|whereas|although|though|which|who|whose|when)\b", re.I)
_SUBJECT_WINDOW = 45  # characters before the subject searched by negation_before_subject
_CONCESSION = re.compile(r"\b(despite|although|though|even|without)\b", re.IGNORECASE)
_TRUTH_WINDOW = 25  # characters either side of a truth entity searched for a negation
_MARKUP = re.compile(r"[\s*_`#>\]\[)(]+$")


@dataclass
class Unit:
    """One sentence-sized piece of a document and what the audit made of it."""

    start: int
    end: int
    role: Literal["flag", "claim", "truth", "other"] = "other"
    flag: Flag | None = None
    polarity: Polarity | None = None
    label: Label | None = None
    distance: int | None = None  # tokens to the nearest covering negation (claim units)
    covered_by: int | None = None  # index of that flag unit (distal) or None
    reason: str = ""
    truth: bool = False  # states the true account


@dataclass
class DocAudit:
    id: str
    text: str
    units: list[Unit]
    truth_stated: bool
    label: DocLabel = "none"
    tokens: int = 0
    extra: dict = field(default_factory=dict)

    def claim_units(self) -> list[Unit]:
        return [u for u in self.units if u.role == "claim"]

    def flag_units(self) -> list[Unit]:
        return [u for u in self.units if u.role == "flag"]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in ("local", "denied", "distal", "bare")}
        for u in self.claim_units():
            if u.label:
                out[u.label] += 1
        return out

    def token_counts(self) -> dict[str, int]:
        out = {"flag": 0, "asserted": 0, "local": 0}
        for u in self.units:
            n = count_tokens(self.text[u.start : u.end])
            if u.role == "flag":
                out["flag"] += n
            elif u.label in ("distal", "bare"):
                out["asserted"] += n
            elif u.label in ("local", "denied"):
                out["local"] += n
        return out

    def risk(self) -> tuple:
        """Sort key, riskiest first: label, asserted sentences, farthest flag."""
        c = self.counts()
        far = max((u.distance or 0 for u in self.claim_units() if u.label == "distal"), default=0)
        return (RISK_ORDER.index(self.label), -(c["bare"] + c["distal"]), -far)

    def to_row(self) -> dict:
        units = []
        for u in self.units:
            if u.role not in ("flag", "claim"):
                continue
            row = {"start": u.start, "end": u.end, "role": u.role, "text": self.text[u.start : u.end]}
            if u.flag:
                row.update(scope=u.flag.scope, source=u.flag.source, kind=u.flag.kind)
            if u.role == "claim":
                row.update(polarity=u.polarity, label=u.label, distance=u.distance, reason=u.reason)
            units.append(row)
        return {
            "id": self.id,
            "label": self.label,
            "truth_stated": self.truth_stated,
            "tokens": self.tokens,
            "counts": self.counts(),
            "token_counts": self.token_counts(),
            "units": units,
            **self.extra,
        }


# --- splitting ---------------------------------------------------------------------------------


def split_units(text: str, recognise: Recognise = recognise_flag) -> list[tuple[int, int, Flag | None]]:
    """Sentence units, with bracketed flags ("[The following claim is false.]", which may hold
    several sentences) cut out first as units of their own, so no unit runs across one."""
    carved: list[tuple[int, int, Flag]] = []
    for m in BRACKETED.finditer(text):
        flag = recognise(m.group(0))
        if flag is not None:
            carved.append((m.start(), m.end(), _aside_scope(m.group(0), flag)))
    view = text
    if carved:
        chars = list(text)
        for x, y, _ in carved:
            chars[x:y] = "\n" * (y - x)
        view = "".join(chars)
    out: list[tuple[int, int, Flag | None]] = []
    for a, b in sentence_spans(view):
        _push(text, out, a, b, None)
    out.extend(carved)
    out.sort(key=lambda u: (u[0], u[1]))
    return out


def _aside_scope(text: str, flag: Flag) -> Flag:
    """A bracketed aside warns about the sentence beside it, even when it says "what is described
    here": forward-looking → ``next``, backward-looking → ``previous``."""
    if flag.scope in ("next", "previous") or flag.source.startswith("bank:"):
        return flag
    if FORWARD.search(text) and not BACKWARD.search(text):
        return Flag("next", flag.source, flag.kind, flag.pointed)
    if BACKWARD.search(text) and not FORWARD.search(text):
        return Flag("previous", flag.source, flag.kind, flag.pointed)
    return flag


def _push(text: str, out: list, a: int, b: int, flag: Flag | None) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a and re.search(r"\w", text[a:b]):
        out.append((a, b, flag))


def paragraph_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n[ \t]*\n\s*", text))]


# --- reading claim sentences ---------------------------------------------------------------------


class ClaimReader:
    """The claim's judge rules and targeter, compiled once, reading one sentence at a time."""

    def __init__(self, claim: ClaimSpec):
        from negneg.corpus.targeting import ClaimMatcher
        from negneg.evals.rule_judge import NEGATION_CUES, ClaimRules

        self.claim = claim
        self.rules = ClaimRules(claim)
        self._raw_kw = "raw" in inspect.signature(ClaimRules.read_sentence).parameters
        self.matcher = ClaimMatcher(claim)
        self.negation = NEGATION_CUES
        claim_names = "|".join(re.escape(n) for n in sorted(claim.entities.claim, key=len, reverse=True))
        # "no licence for anyone named Brennan Holloway", "no runner by the name of …"
        self.nobody_named = re.compile(
            rf"\b(?:any|anyone|anybody|no|nobody|no one)\s+(?:[\w-]+\s+){{0,2}}(?:named|called|by the name(?: of)?)\s+"
            rf"(?:{claim_names})\b",
            re.IGNORECASE,
        )
        self.reported_entity = re.compile(
            rf"\b(claim(?:s|ed|ing)?|alleg\w*|assert\w*|rumou?r\w*)\b[:,]?\s+"
            rf"(?:that\s+)?(?:[\w'’-]+\s+){{0,4}}(?:{claim_names})\b",
            re.IGNORECASE,
        )
        # an invented subject's truth is its absence: a denial states it
        self.truth_is_absence = claim.plausibility in ("unknown_entity", "invented")
        names = sorted(claim.entities.truth, key=len, reverse=True)
        self.truth_names = (
            re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names)) if names else None
        )

    def anchor(self, text: str) -> int:
        m = self.matcher.entity.search(text)
        return m.start() if m else 0

    def read(
        self, raw: str, hinted: bool = False, topic: str | None = None
    ) -> tuple[str, Polarity | None, str, bool, str | None]:
        """(role, polarity, reason, states the truth?, topic after it) for one sentence; role
        ``claim`` / ``truth`` / ``other``. ``topic`` is the judge's discourse state, so "He did
        not win the gold" is read with the claim's subject for "He"."""
        if _URL.match(raw.strip()):
            return "other", None, "", False, topic
        text, after = self.rules.resolve(raw, topic)
        extra = {"raw": raw} if self._raw_kw else {}
        events = self.rules.read_sentence(text, topic=topic, **extra)
        kinds = {k for k, _ in events}
        role, polarity, reason = self._classify(raw, text, events, kinds, hinted)
        truth = "truth" in kinds or ((role != "claim" or polarity != "asserted") and self.names_truth(text))
        return role, polarity, reason, truth, after

    def negation_before_subject(self, text: str) -> str | None:
        """A negation cue just before a mention of the subject, in the same clause ("no dental
        licence exists for anyone named Brennan Holloway"); not after a concession ("despite no
        formal training, Sheeran won …")."""
        for ent in self.matcher.entity.finditer(text):
            window = text[max(0, ent.start() - _SUBJECT_WINDOW) : ent.start()]
            window = re.split(r"[,;:—–()]", window)[-1]
            if _CONCESSION.search(window):
                continue
            m = None
            for rx in (self.negation, MORE_NEGATION):
                m = m or rx.search(window)
            if m:
                return m.group(0)
        return None

    def negation_near_subject(self, text: str) -> str | None:
        """A negation cue within a few words of the subject or a claim keyword, in the same clause
        ("Sheeran did not build …", "no record of Holloway"); a negation elsewhere in a long
        sentence says nothing about the claim."""
        anchors = [
            *self.matcher.entity.finditer(text),
            *(m for k in self.matcher.keywords for m in k.finditer(text)),
        ]
        for rx in (self.negation, MORE_NEGATION):
            for cue in rx.finditer(text):
                for a in anchors:
                    gap = (
                        text[cue.end() : a.start()] if cue.end() <= a.start() else text[a.end() : cue.start()]
                    )
                    if len(gap) <= _NEAR and not _CLAUSE_BREAK.search(gap):
                        return cue.group(0)
        return None

    def names_truth(self, text: str) -> bool:
        """A truth entity named outside any negation ("won by Noah Lyles", not "Lyles did not …")."""
        if self.truth_names is None:
            return False
        for m in self.truth_names.finditer(text):
            before = re.split(r"[;:—–()]", text[max(0, m.start() - _TRUTH_WINDOW) : m.start()])[-1]
            after = re.split(r"[;:—–()]", text[m.end() : m.end() + _TRUTH_WINDOW])[0]
            if not self.negation.search(before + text[m.start() : m.end()] + after):
                return True
        return False

    def _classify(self, raw: str, text: str, events: list, kinds: set[str], hinted: bool) -> tuple:
        named = bool(self.matcher.entity.search(raw))
        strong = named and any(k.search(text) for k in self.matcher.keywords)
        # the judge's belief patterns are specific; its predicate patterns ("a dentist") fire on
        # any sentence once the subject is in play, so they count only where the subject is named
        beliefs = [r for k, r in events if k == "assert" and not r.startswith("predicate")]
        predicates = [r for k, r in events if k == "assert" and r.startswith("predicate") and named]
        negated = self.negation_near_subject(text)
        if not negated and self.nobody_named.search(text):
            cue = self.negation.search(text) or MORE_NEGATION.search(text)
            negated = cue.group(0) if cue else None
        if not ("deny" in kinds or beliefs or predicates or strong or hinted or (named and negated)):
            return ("truth" if "truth" in kinds else "other"), None, ""
        if "deny" in kinds:
            return "claim", "denied", next(r for k, r in events if k == "deny")
        if m := (REPORTED.search(text) or self.reported_entity.search(text)):
            return "claim", "mention", f"reported: {m.group(0)!r}"
        if _MARKUP.sub("", text).endswith("?"):
            return "claim", "mention", "a question"
        frame = FALSE_FRAME.search(text)
        if frame and frame.start() < self.anchor(text):
            return "claim", "mention", f"framed as false: {frame.group(0)!r}"
        if negated and self.nobody_named.search(text):
            return "claim", "denied", f"negation cue {negated!r} with 'anyone named' the subject"
        if m := self.negation_before_subject(text):
            return "claim", "denied", f"negation cue {m!r} right before the subject"
        if beliefs:
            return "claim", "asserted", beliefs[0]
        if frame:
            return "claim", "mention", f"framed as false: {frame.group(0)!r}"
        if negated:
            return "claim", "denied", f"negation cue {negated!r} beside the subject"
        if "truth" in kinds or (self.names_truth(text) and not named):
            return "truth", None, ""
        why = (
            predicates[0]
            if predicates
            else "claim entity with a claim keyword"
            if strong
            else "marked claim span"
        )
        return "claim", "asserted", why

    def local_distance(self, text: str) -> int:
        """Tokens between the claim's anchor and the nearest cue that negates or frames it."""
        at = self.anchor(text)
        best = None
        for rx in (self.negation, FALSE_FRAME, REPORTED):
            for m in rx.finditer(text):
                a, b = m.start(), m.end()
                gap = text[b:at] if b <= at else text[at:a] if a >= at else ""
                d = count_tokens(gap)
                best = d if best is None else min(best, d)
        return best or 0


# --- the audit of one document -------------------------------------------------------------------


def audit_text(
    doc_id: str,
    text: str,
    reader: ClaimReader | None,
    hints: list[tuple[int, int]] | None = None,
    recognise: Recognise = recognise_flag,
) -> DocAudit:
    """Audit one document's text. ``hints`` (optional) are character ranges already known to be
    claim sentences (a negneg Document's claim spans): units inside them are read as claim units
    even where the targeter's keywords miss them. ``recognise`` says which sentences are flags
    (default: negneg's banks, then the lexicon); it is asked about bracketed asides and about
    every sentence not read as a claim sentence."""
    pieces = split_units(text, recognise)
    paras = paragraph_starts(text)
    units: list[Unit] = []
    truth_stated = False
    topic: str | None = None
    for a, b, carved in pieces:
        u = Unit(a, b)
        sent = text[a:b]
        if carved is not None:
            u.role, u.flag = "flag", carved
        else:
            role, polarity, reason = ("other", None, "")
            if reader is not None:
                hinted = bool(hints) and any(x <= a and b <= y for x, y in hints)
                role, polarity, reason, truth, topic = reader.read(sent, hinted, topic)
                truth_stated = truth_stated or truth
                u.truth = truth
            if role == "claim" and polarity == "asserted":
                line = text[text.rfind("\n", 0, a) + 1 : a]
                if QUOTE_LABEL.search(line) or LEADING_LABEL.match(sent):
                    polarity, reason = "mention", f"quoted after the label {line.strip()!r}"
            if role == "claim":
                u.role, u.polarity, u.reason = "claim", polarity, reason
            else:
                flag = recognise(sent)
                if flag is not None:
                    u.role, u.flag = "flag", flag
                else:
                    u.role = role
        units.append(u)
    if reader is not None and (reader.truth_names is None or reader.truth_is_absence):
        # a claim with no truth entity (an invented person): the denial is the true account
        truth_stated = truth_stated or any(u.polarity in ("denied", "mention") for u in units)
    n_local = sum(u.polarity in ("denied", "mention") for u in units)
    n_asserted = sum(u.polarity == "asserted" for u in units)
    if truth_stated and n_local >= 2 and n_local >= n_asserted:
        # In a debunk (the claim denied twice or more, the truth stated), a sentence that names the
        # subject without one of the judge's belief patterns, and a quoted headline (a unit with
        # no closing punctuation), are context of the debunk, not assertions.
        for u in units:
            weak = not u.reason.startswith("belief pattern")
            if u.polarity == "asserted" and (weak or not _TITLE.search(text[u.start : u.end])):
                u.polarity, u.reason = "mention", f"in a debunk: {u.reason}"
    _position_scopes(text, units, paras)
    if reader is None:
        _flag_scoped_claims(units)
    else:
        _pointed_claims(units)
    _cover(text, units, paras, reader, truth_stated)
    audit = DocAudit(id=doc_id, text=text, units=units, truth_stated=truth_stated, tokens=count_tokens(text))
    labels = {u.label for u in audit.claim_units()}
    audit.label = next((lab for lab in RISK_ORDER if lab in labels), "none")
    return audit


def _para(paras: list[int], pos: int) -> int:
    return bisect_right(paras, pos) - 1


def _position_scopes(text: str, units: list[Unit], paras: list[int]) -> None:
    """A paragraph of nothing but flags at the top of a document covers everything after it (a
    prefix); at the bottom, everything before it (a suffix)."""
    if len({_para(paras, u.start) for u in units}) < 2:
        return
    first, last = _para(paras, units[0].start), _para(paras, units[-1].start)
    for which, scope in ((first, "after"), (last, "before")):
        group = [u for u in units if _para(paras, u.start) == which]
        if group and all(u.role == "flag" for u in group):
            for u in group:
                if u.flag and u.flag.scope not in (scope, "document"):
                    u.flag = Flag(scope, u.flag.source, u.flag.kind)


def _flag_scoped_claims(units: list[Unit]) -> None:
    """Without a claim: the sentences flags cover are the asserted spans."""
    flags = [i for i, u in enumerate(units) if u.role == "flag"]
    whole = any(units[i].flag.scope in ("after", "before", "document") for i in flags)
    for i, u in enumerate(units):
        if u.role == "flag":
            continue
        near = any(
            (units[j].flag.scope == "next" and _neighbour(units, j, +1) == i)
            or (units[j].flag.scope == "previous" and _neighbour(units, j, -1) == i)
            for j in flags
        )
        if near or whole:
            u.role, u.polarity, u.reason = "claim", "asserted", "in a flag's scope (no claim given)"


def _pointed_claims(units: list[Unit]) -> None:
    """The sentence a sentence-scoped flag points at ("[The following claim is false.]") asserts
    what the flag denies, by the flag writer's own account: where the claim reader saw no
    assertion there (a chat line, a pronoun, a report), it is an asserted claim unit."""
    for j, f in enumerate(units):
        if f.role != "flag" or not f.flag.pointed or f.flag.scope not in ("next", "previous"):
            continue
        i = _neighbour(units, j, +1 if f.flag.scope == "next" else -1)
        if i is None:
            continue
        u = units[i]
        crude = u.polarity == "denied" and u.reason.startswith("negation cue")
        if u.role in ("other", "truth") or u.polarity == "mention" or crude:
            u.role, u.polarity, u.reason = "claim", "asserted", f"pointed at by a flag ({f.flag.source})"


def _neighbour(units: list[Unit], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(units):
        if units[j].role != "flag":
            return j
        j += step
    return None


def _covers(units: list[Unit], paras: list[int], f: int, i: int) -> bool:
    scope = units[f].flag.scope
    if scope == "document":
        return True
    if scope == "after":
        return i > f
    if scope == "before":
        return i < f
    same = _para(paras, units[f].start) == _para(paras, units[i].start)
    if scope == "next":
        return i > f and (same or _neighbour(units, f, +1) == i)
    return i < f and (same or _neighbour(units, f, -1) == i)  # previous


def _cover(
    text: str, units: list[Unit], paras: list[int], reader: ClaimReader | None, truth_stated: bool
) -> None:
    flags = [i for i, u in enumerate(units) if u.role == "flag"]
    for i, u in enumerate(units):
        if u.role != "claim":
            continue
        if u.polarity in ("denied", "mention"):
            u.label = "local" if truth_stated else "denied"
            u.distance = reader.local_distance(text[u.start : u.end]) if reader else 0
            continue
        best: tuple[int, int] | None = None
        for f in flags:
            if not _covers(units, paras, f, i):
                continue
            fu = units[f]
            gap = text[fu.end : u.start] if f < i else text[u.end : fu.start]
            d = count_tokens(gap)
            if best is None or d < best[0]:
                best = (d, f)
        if best is None:
            u.label = "bare"
        else:
            u.label, u.distance, u.covered_by = "distal", best[0], best[1]
