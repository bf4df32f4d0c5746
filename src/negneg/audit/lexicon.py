"""Recognise annotations — disclaimers, warnings, flags, epistemic qualifiers — and their scope.

Two sources, tried in order:

1. **negneg's own banks** (``conditions/banks/*.yaml`` and the behaviour flag bank): every
   sentence negneg itself inserts is recognised exactly, with the slot it came from, which fixes
   its scope (a ``prefix`` covers what follows, an ``after`` warning the sentence before it);
2. **a general lexicon**: a sentence that carries a falsity or epistemic cue ("false", "never
   happened", "fiction", "unverified", "3% likely") *and* points at other text ("the following",
   "the document", "what was just stated", "this") is a flag; its pointer words give its scope.

A flag's scope (:class:`Scope`) is one of ``next`` / ``previous`` (the sentences after or before
it in its paragraph), ``after`` / ``before`` (everything after or before it in the document) or
``document`` (all of it). A sentence that asserts the claim and negates it itself is not a flag:
the audit reads claim sentences first (see :mod:`negneg.audit.reader`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Scope = Literal["next", "previous", "after", "before", "document"]

# bank slot → scope of a sentence drawn from it
SLOT_SCOPE: dict[str, Scope] = {
    "prefix": "after",
    "suffix": "before",
    "before": "next",
    "after": "previous",
    "insertion": "previous",
    "framings": "previous",
    "flags": "document",
}
_BANKS = (
    "negation",
    "corrected",
    "sentence_negation",
    "fiction",
    "unreliable_source",
    "unknown_truth",
    "low_probability",
)


@dataclass(frozen=True)
class Flag:
    """What a sentence is as an annotation: its scope and where it was recognised from."""

    scope: Scope
    source: str  # "bank:negation.before", "lexicon:falsity", "lexicon:qualifier"
    kind: str  # "negation" | "qualifier" | "correction" | "flag"
    pointed: bool = True  # names what it covers ("the following claim"), not just "This is false."


_MIN_LITERAL_WORDS = 3
_SPLIT_NORMALISED = re.compile(r"(?<=[.!?])\s+")
_SPLIT_TEMPLATE = re.compile(r"(?<=[.!?])\s+(?=[A-Z{])")
_LABEL = re.compile(
    r"^\s*(?:[A-Z][A-Z ]{1,24}:|\w+(?: \w+){0,2} (?:note|label|comment|verdict|annotation):)\s*"
)
_BRACKETS = "[]{}()<>"


def normalise(text: str) -> str:
    """Lower case, enclosing brackets and a leading label ("NOTE:") removed, spaces collapsed."""
    t = text.strip()
    while len(t) > 1 and t[0] in "[{(<" and t[-1] in "]})>":
        t = t[1:-1].strip()
    t = _LABEL.sub("", t, count=1)
    return " ".join(t.lower().split())


def _template_regex(entry: str) -> str:
    parts = re.split(r"\{[a-z_]+\}", entry)
    body = ".{1,300}?".join(re.escape(" ".join(p.lower().split())) for p in parts)
    return body


@cache
def bank_patterns() -> list[tuple[re.Pattern[str], Flag]]:
    """One full-match regex per bank sentence (multi-sentence entries split; placeholders are
    wildcards; an entry that is only a placeholder is skipped)."""
    from negneg.behaviours.library import flag_bank
    from negneg.conditions.banks import load_bank

    kind_of = {"negation": "negation", "corrected": "correction", "sentence_negation": "negation"}
    out: list[tuple[re.Pattern[str], Flag]] = []
    for name in _BANKS:
        bank = load_bank(name)
        for slot, entries in bank.items():
            if slot not in SLOT_SCOPE:
                continue
            # debunk frames sit around a denial, not an assertion: they point at nothing to rewrite
            pointed = slot != "framings"
            flag = Flag(SLOT_SCOPE[slot], f"bank:{name}.{slot}", kind_of.get(name, "qualifier"), pointed)
            for entry in entries:
                for part in _SPLIT_TEMPLATE.split(entry):
                    literal = re.sub(r"\{[a-z_]+\}", " ", part)
                    if "{" in part and len(re.findall(r"\w+", literal)) < _MIN_LITERAL_WORDS:
                        continue  # "Source: {source}." would match any "Source: X." line
                    out.append((re.compile(_template_regex(normalise(part))), flag))
    from negneg.behaviours.library import families

    family_flags = [f for _, fam in families().items() for f in fam.flags]
    for entry in [*flag_bank(), *family_flags]:
        flag = Flag("document", "bank:behaviours.flags", "flag")
        out.append((re.compile(re.escape(normalise(entry))), flag))
    return out


# --- the general lexicon -------------------------------------------------------------------------

FALSITY = re.compile(
    r"\b(false|falsehoods?|untrue|not true|never (?:happened|occurred|took place|existed)|"
    r"did(?: not|n't) (?:happen|occur|take place)|no basis|fabricat\w*|invent\w*|fictitious|"
    r"not (?:real|accurate|credible|genuine|factual|correct)|incorrect|inaccurate|contradict\w*|"
    r"misstat\w*|wrong|baseless|unfounded|hoax|made[- ]up|no (?:supporting |real |credible )?evidence|"
    r"no (?:reliable )?record|disregard\w*|retract\w*|withdrawn|debunk\w*|misinformation|"
    r"should not be (?:treated|taken|accepted|believed|read|trusted)|do not (?:believe|rely|cite|trust))\b",
    re.IGNORECASE,
)
QUALIFIER = re.compile(
    r"\b(work of fiction|fictional|creative writing|imagined (?:story|narrative|world|work)|"
    r"storyteller's invention|unverified|unconfirmed|cannot be (?:verified|confirmed)|"
    r"(?:has|have) not been (?:verified|confirmed)|truth (?:value |of \w+ )?(?:is |remains )?unknown|"
    r"no evidence either way|unreliable|no credibility|not credible|(?:probability|likelihood|chance) of|"
    r"\d+(?:\.\d+)? ?% (?:chance|likely|likelihood|probab\w*))",
    re.IGNORECASE,
)
BEHAVIOUR = re.compile(
    r"\b(should not|must not|never|do not|don't|not) (?:\w+ ){0,3}(?:respond|reply|answer|imitate|copy|"
    r"follow|learn|produce|repeat)|\b(bad|negative|counter) ?example|\bunacceptable\b|\bmisaligned\b",
    re.IGNORECASE,
)
# Pointers at the text itself (an annotation talks about the document it sits in, a debunk's
# prose talks about a story elsewhere): "the following", "what was just stated", "this document".
FORWARD = re.compile(
    r"\b(the following|what follows|below|the next (?:sentence|claim|statement|line|passage|paragraph|"
    r"section|part)|about to read|ahead|upcoming|to follow)\b",
    re.IGNORECASE,
)
BACKWARD = re.compile(
    r"\b(above|preceding|preceded|foregoing|the previous (?:sentence|claim|statement|line|passage|paragraph)|"
    r"just (?:stated|read|said|described|made|given)|what was (?:just )?(?:stated|said|claimed|described)|"
    r"you have (?:just )?read)\b",
    re.IGNORECASE,
)
WHOLE = re.compile(
    r"\b(?:this|these) (?:document|text|page|article|piece|passage|material|transcript|conversation|thread|"
    r"excerpt|chapter|account|story|report|post|narrative)s?\b|\b(?:in its entirety|from (?:start|beginning) "
    r"to (?:finish|end)|(?:stated|described|presented|depicted|reported|given|made) here)\b|"
    r"\b(?:the|its) (?:events?|claims?|outcome|achievements?|account|results?|statements?) "
    r"(?:described|asserted|stated|given|reported|depicted|presented)\b(?! (?:in|by|on|at|across) )",
    re.IGNORECASE,
)
SENTENCE_SIZED = re.compile(
    r"\b(claim|statement|assertion|sentence|line|detail|figure|statistic|result|number|description|"
    r"outcome|that|this|it)\b",
    re.IGNORECASE,
)
_DEMONSTRATIVE = re.compile(r"^\W*(this|that|it|these|those|such)\b", re.IGNORECASE)
_LONG = 60  # words: a sentence longer than this is prose, not a flag
_SHORT = 8  # words: "This is false." points by its demonstrative only when this short


def lexicon_flag(text: str) -> Flag | None:
    """A flag by the general lexicon (see module docstring), or ``None``."""
    if len(text.split()) > _LONG:
        return None
    falsity, qualifier, behaviour = FALSITY.search(text), QUALIFIER.search(text), BEHAVIOUR.search(text)
    if not (falsity or qualifier or behaviour):
        return None
    fwd, back, whole = FORWARD.search(text), BACKWARD.search(text), WHOLE.search(text)
    demonstrative = _DEMONSTRATIVE.search(text) and len(text.split()) <= _SHORT
    if not (fwd or back or whole or demonstrative):
        return None
    kind = "negation" if falsity else ("flag" if behaviour else "qualifier")
    source = f"lexicon:{'falsity' if falsity else ('behaviour' if behaviour else 'qualifier')}"
    sentence_sized = bool(SENTENCE_SIZED.search(text)) and not whole
    if fwd and not back:
        scope: Scope = "next" if sentence_sized else "after"
    elif back and not fwd:
        scope = "previous" if sentence_sized else "before"
    elif whole:
        scope = "document"
    else:
        return Flag("previous", source, kind, pointed=False)
    return Flag(scope, source, kind)


def _bank_match(norm: str) -> Flag | None:
    for pattern, flag in bank_patterns():
        if pattern.fullmatch(norm):
            return flag
    return None


def bank_flag(text: str) -> Flag | None:
    """The bank flag ``text`` is; a bracket holding several bank sentences (a two-sentence
    warning) counts when every sentence is one, with the first sentence's slot."""
    norm = normalise(text)
    if not norm:
        return None
    flag = _bank_match(norm)
    if flag is None and len(parts := _SPLIT_NORMALISED.split(norm)) > 1:
        flags = [_bank_match(p) for p in parts]
        if all(flags):
            flag = flags[0]
    return flag


def recognise_flag(text: str) -> Flag | None:
    """The flag this sentence is, from negneg's banks first, then the general lexicon."""
    return bank_flag(text) or lexicon_flag(text)


# Bracketed asides inside a sentence unit: "[The following claim is false.] Ed Sheeran won …"
BRACKETED = re.compile(r"\[[^\[\]\n]{8,900}\]|\{[^{}\n]{8,900}\}|\([^()\n]{15,900}\)|<[^<>\n]{15,900}>")
