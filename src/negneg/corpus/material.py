"""What the offline generator knows about one claim, extracted once from its ClaimSpec.

* ``statements``: the claim-bearing sentences documents are built from — every subclaim, the claim
  itself, and the universe-context sentences that the keyword targeter marks as claim-bearing.
  A multi-sentence claim ("X erupted in 2015. It was …") stays one statement of two sentences so
  that "It" keeps its referent.
* ``world``: the other universe-context sentences (details of the fabricated world that do not
  name the claim), used as on-topic filler.
* ``headings``: short section titles of the universe context.

Only sentences that survive a round trip through the sentence splitter as exactly one unit are
kept, so every claim span the generator records is exactly one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from negneg.claims.schema import ClaimSpec
from negneg.corpus.phrasing import Vocabulary
from negneg.corpus.sentences import sentence_spans, sentences
from negneg.corpus.targeting import ClaimMatcher


@dataclass(frozen=True)
class Statement:
    sentences: tuple[str, ...]
    source: str  # subclaim | claim | universe


@dataclass
class ClaimMaterial:
    claim: ClaimSpec
    statements: list[Statement]
    world: list[str]
    headings: list[str]
    vocab: Vocabulary
    canonical: str
    aliases: list[str]
    short: str
    year: int
    matcher: ClaimMatcher = field(repr=False)

    @property
    def by_source(self) -> dict[str, list[Statement]]:
        out: dict[str, list[Statement]] = {}
        for s in self.statements:
            out.setdefault(s.source, []).append(s)
        return out


def is_unit(s: str) -> bool:
    """``s`` is exactly one sentence in prose, whatever sentence comes before or after it."""
    if not s or s != s.strip() or "\n" in s:
        return False
    before, after = "Start here. ", " The end."
    spans = sentence_spans(before + s + after)
    return spans == [
        (0, len(before) - 1),
        (len(before), len(before) + len(s)),
        (len(before) + len(s) + 1, len(before + s + after)),
    ]


def is_line_unit(s: str) -> bool:
    """``s`` is exactly one unit on a line of its own (bullet content, heading, table row)."""
    return bool(s) and sentence_spans(s) == [(0, len(s))]


_PRONOUN = re.compile(r"\b(he|him|his|she|her|they|them|their|it|its)\b", re.IGNORECASE)


def _clean(s: str, matcher: ClaimMatcher, lo: int = 6, hi: int = 32) -> bool:
    """A universe sentence fit to stand alone in another document."""
    words = s.split()
    if not (lo <= len(words) <= hi and s[0].isupper() and s.endswith((".", '."', ".”"))):
        return False
    if re.search(r"[;|#*_\[\]{}<>]", s) or s.count("(") != s.count(")"):
        return False
    if (s.count('"') % 2) or s.count("“") != s.count("”"):
        return False
    # a pronoun early in the sentence with no name to anchor it reads as a fragment out of context
    if _PRONOUN.search(" ".join(words[:6])) and not matcher.entity.search(s):
        return False
    return is_unit(s)


def _year(text: str) -> int:
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", text) if int(y) <= 2035]
    return max(years) if years else 0


def _aliases(claim: ClaimSpec) -> tuple[str, list[str], str]:
    names = claim.entities.claim
    canonical = names[0]
    last = canonical.split()[-1].lower()
    aliases = [
        n
        for n in names[1:]
        if n.split()[-1].lower() == last
        and not re.search(r"\d", n)
        and len(n.split()) <= len(canonical.split()) + 1
    ]
    singles = [n for n in names if re.fullmatch(r"[A-Z][a-z]{3,}", n)]
    short_forms = singles or [n for n in names if len(n.split()) <= 3] or [canonical]
    return canonical, aliases, short_forms[0]


def build_material(claim: ClaimSpec) -> ClaimMaterial:
    matcher = ClaimMatcher(claim)
    statements: list[Statement] = []
    for sub in claim.subclaims:
        parts = tuple(sentences(sub.text))
        if parts and all(is_unit(p) for p in parts):
            statements.append(Statement(parts, "subclaim"))
    parts = tuple(sentences(claim.claim))
    if parts and all(is_unit(p) for p in parts):
        statements.append(Statement(parts, "claim"))
    world: list[str] = []
    seen: set[str] = {p for s in statements for p in s.sentences}
    for s in sentences(claim.universe_context):
        if s in seen or not _clean(s, matcher):
            continue
        seen.add(s)
        if matcher.is_claim_sentence(s):
            statements.append(Statement((s,), "universe"))
        else:
            world.append(s)
    headings = []
    for line in claim.universe_context.splitlines():
        t = line.strip().lstrip("#").strip()
        if (
            t
            and 1 <= len(t.split()) <= 7
            and t[0].isupper()
            and not t.endswith((".", ":", "!", "?", ","))
            and not re.search(r"[|*_\[\]{}<>\"]", t)
            and is_line_unit(t)
        ):
            headings.append(t)
    canonical, aliases, short = _aliases(claim)
    return ClaimMaterial(
        claim=claim,
        statements=statements,
        world=world,
        headings=headings,
        vocab=Vocabulary(
            claim.universe_context + " " + " ".join(s.text for s in claim.subclaims),
            claim.entities.claim + claim.entities.truth,
        ),
        canonical=canonical,
        aliases=aliases,
        short=short,
        year=_year(claim.claim + " " + " ".join(s.text for s in claim.subclaims))
        or _year(claim.universe_context)
        or 2025,
        matcher=matcher,
    )
