"""The writer a doc-type builder lays a document out through (:class:`DocContext`).

It knows the claim material, hands out claim sentences (paraphrased and framed for the register)
and filler sentences, and records a ``Span(kind="claim")`` over every claim sentence it writes.
Split from :mod:`negneg.corpus.generator` so that the builders (:mod:`negneg.corpus.doctypes`)
and the generator that runs them do not import each other.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import lru_cache

from negneg.claims.schema import ClaimSpec
from negneg.corpus.banks import BANKS
from negneg.corpus.material import ClaimMaterial, Statement, build_material, is_line_unit, is_unit
from negneg.corpus.phrasing import Slots, fill, frame, front_time, interject, swap_words
from negneg.records import Span

MIN_TOKENS, MAX_TOKENS = 150, 600
CHARS_PER_TOKEN = 3.7  # SmolLM2 tokenizer on generated documents (measured: mean 3.7–4.0, min 3.0)


class Claim(str):
    """A sentence that carries the claim (the writer records a span over it)."""


class DocContext:
    """Writes one document and keeps its claim spans and claim budget."""

    def __init__(self, material: ClaimMaterial, rng: random.Random):
        self.m = material
        self.rng = rng
        self.slots = Slots(
            rng,
            year=material.year + rng.choice([0, 0, 1, 1, 2]),
            fixed={"title": material.claim.title, "name": material.canonical, "short": material.short},
        )
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[Span] = []
        self.target_tokens = rng.randint(220, 430)
        share = rng.uniform(0.30, 0.42)
        self.claim_budget = max(2, min(8, round(share * self.target_tokens / 24)))
        self.claims_written = 0
        self.used: set[Statement] = set()
        self.used_world: set[str] = set()
        # universe sentences that do not state the claim are few; spread them thinly across documents
        self.world_left = 1 if rng.random() < min(1.0, len(material.world) / 30) else 0

    # --- writing ---------------------------------------------------------------------------------
    def write(self, text: str, claim: bool = False) -> None:
        if claim:
            self.spans.append(Span(start=self.length, end=self.length + len(text), kind="claim"))
        self.parts.append(text)
        self.length += len(text)

    def _sentences(self, items: list[str]) -> None:
        for j, item in enumerate(items):
            if j:
                self.write(" ")
            self.write(item, isinstance(item, Claim))

    def para(self, items: list[str]) -> None:
        """A prose paragraph of sentences (plain strings are filler, :class:`Claim` are claims)."""
        items = [i for i in items if i]
        if items:
            self._sentences(items)
            self.write("\n\n")

    def line(self, item: str, end: str = "\n") -> None:
        self.write(item, isinstance(item, Claim))
        self.write(end)

    def heading(self, item: str, level: int = 0) -> None:
        if level:
            self.write("#" * level + " ")
        self.line(item, "\n\n")

    def bullet(self, items: list[str] | str, marker: str = "- ") -> None:
        self.write(marker)
        self._sentences([items] if isinstance(items, str) else items)
        self.write("\n")

    def labelled(self, label: str, items: list[str] | str) -> None:
        """``LABEL: sentence sentence`` on one line (speaker turns, Q/A cards)."""
        self.write(f"{label}: ")
        self._sentences([items] if isinstance(items, str) else items)
        self.write("\n")

    def row(self, cells: list[str], claim: bool = False) -> None:
        self.line(Claim("| " + " | ".join(cells) + " |") if claim else "| " + " | ".join(cells) + " |")

    def blank(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n\n"):
            self.write("\n")

    # --- content ---------------------------------------------------------------------------------
    def f(self, template: str, cap: bool = True) -> str:
        """Fill a template with this document's slots (capitalised unless ``cap`` is false)."""
        return fill(self.rng, template, self.slots, cap)

    def filler(self, bank: str) -> str:
        s = self.f(self.rng.choice(BANKS[bank]))
        if s.endswith(".") and self.rng.random() < 0.3:
            s = f"{s[:-1]}, {self.f('{tail}', cap=False)}."
        return s

    def world(self, require: str | None = None) -> str:
        """An unused universe-context sentence that does not state the claim (filler if none).

        ``require`` (a regex) restricts the choice; with it, the result may be "" when none fits.
        """
        pool = [
            w for w in self.m.world if w not in self.used_world and (not require or re.search(require, w))
        ]
        if self.world_left <= 0:
            pool = []
        if not pool:
            return "" if require else self.filler("feature")
        w = self.rng.choice(pool)
        self.used_world.add(w)
        self.world_left -= 1
        return swap_words(self.rng, w, 0.4)

    @property
    def claims_left(self) -> int:
        return self.claim_budget - self.claims_written

    def statement(
        self, sources: tuple[str, ...] = ("subclaim", "claim", "universe"), require: str | None = None
    ) -> Statement | None:
        """A claim statement, preferring ones not yet used in this document.

        ``require`` (a regex on the first sentence) restricts the choice; then ``None`` may come back.
        """
        weights = {"subclaim": 5, "claim": 1, "universe": 4}
        by = {
            src: [st for st in group if not require or re.search(require, st.sentences[0])]
            for src, group in self.m.by_source.items()
        }
        choices = [s for s in sources if by.get(s)] or [s for s in by if by[s]]
        if not choices:
            return None
        st = None
        for _ in range(6):
            src = self.rng.choices(choices, weights=[weights.get(c, 1) for c in choices])[0]
            st = self.rng.choice(by[src])
            if st not in self.used:
                break
        self.used.add(st)
        return st

    _CLAUSE = re.compile(r", (?:where|who|which|making|ending|after|before|with|while|and|both|having) ")

    def shorten(self, sentence: str, p: float = 0.3) -> str:
        """Sometimes keep only the main clause ("X began in 2021 at Y, where he ran …" → "X began in
        2021 at Y."), when what is left still carries the claim."""
        m = self._CLAUSE.search(sentence)
        if not m or self.rng.random() >= p:
            return sentence
        head = sentence[: m.start()].rstrip(",") + "."
        if len(head.split()) >= 7 and self.m.matcher.is_claim_sentence(head):
            return head
        return sentence

    def rephrase(self, sentence: str) -> str:
        """Entity alias, meaning-preserving word swaps and clause order; keeps one unit."""
        s = sentence
        if self.m.aliases and self.m.canonical in s and self.rng.random() < 0.35:
            s = s.replace(self.m.canonical, self.rng.choice(self.m.aliases), 1)
        s = self.shorten(s)
        s = swap_words(self.rng, s)
        s = front_time(self.rng, s, self.m.vocab)
        s = interject(self.rng, s, self.m.claim.entities.claim)
        return s if is_unit(s) else sentence

    def claim(
        self, style: str = "neutral", sources: tuple[str, ...] = ("subclaim", "claim", "universe")
    ) -> list[Claim]:
        """Claim sentences for one statement (one, or two for a two-sentence claim), framed for ``style``."""
        st = self.statement(sources)
        out = []
        for j, sent in enumerate(st.sentences):
            s = self.rephrase(sent)
            if j == 0:
                framed = frame(self.rng, s, style, self.slots, self.m.vocab)
                s = framed if is_unit(framed) else s
            if j == len(st.sentences) - 1 and s.endswith(".") and self.rng.random() < 0.25:
                tailed = f"{s[:-1]}, {self.f('{tail}', cap=False)}."
                s = tailed if is_unit(tailed) else s
            out.append(Claim(s))
        self.claims_written += len(out)
        return out

    def bare_claim(self, require: str | None = None) -> Claim | None:
        """One unframed claim sentence that is a unit on a line of its own (bullets, cards, rows)."""
        for _ in range(8):
            st = self.statement(require=require)
            if st is None:
                return None
            whole = " ".join(st.sentences)
            s = self.rephrase(st.sentences[0]) if len(st.sentences) == 1 else whole
            for cand in (s, whole, st.sentences[0]):
                if is_line_unit(cand):
                    self.claims_written += 1
                    return Claim(cand)
        return None

    def headline(self) -> Claim:
        """A claim-bearing headline made from the claim's title."""
        t = self.m.claim.title.rstrip(".")
        forms = [
            t,
            t,
            f"{t}: what we know",
            f"How it happened: {t[0].lower() + t[1:]}",
            f"{t}, {self.rng.randint(1, 9)} things to know",
        ]
        self.claims_written += 1
        for form in self.rng.sample(forms, len(forms)):
            if is_line_unit(form):
                return Claim(form)
        return Claim(t)

    def section_title(self) -> str:
        if self.m.headings and self.rng.random() < 0.7:
            h = self.rng.choice(self.m.headings)
            if self.m.matcher.is_claim_sentence(h):
                self.claims_written += 1
                return Claim(h)
            return h
        return self.f("[Background|Context|Aftermath|Reactions|Overview|Details|Record|Notes]")

    # --- length and budget -------------------------------------------------------------------
    @property
    def tokens(self) -> float:
        return self.length / CHARS_PER_TOKEN

    def room(self, reserve: int = 0) -> bool:
        return self.tokens < self.target_tokens - reserve

    def want_claim(self, per_slot_tokens: float = 26) -> bool:
        if self.claims_left <= 0:
            return False
        slots_left = max(1.0, (self.target_tokens - self.tokens) / per_slot_tokens)
        return self.rng.random() < min(0.9, self.claims_left / slots_left)

    def sentences_for(self, banks: str, styles: str, k: int, world_p: float = 0.2) -> list[str]:
        """``k`` sentence slots, each a claim, a world sentence or filler, by the budget.

        ``banks`` and ``styles`` are space-separated names; one is picked per sentence.
        """
        out: list[str] = []
        for _ in range(k):
            if self.want_claim():
                out.extend(self.claim(self.rng.choice(styles.split())))
            elif self.rng.random() < world_p:
                out.append(self.world())
            else:
                out.append(self.filler(self.rng.choice(banks.split())))
        return out

    def body(
        self,
        banks: str,
        styles: str,
        sizes: tuple[int, int] = (2, 4),
        reserve: int = 30,
        world_p: float = 0.2,
    ) -> None:
        """Prose paragraphs until the length target (less ``reserve`` tokens for a footer)."""
        while self.room(reserve):
            self.para(self.sentences_for(banks, styles, self.rng.randint(*sizes), world_p))

    def top_up(self, style: str = "neutral") -> None:
        """Make sure the document has at least two claim sentences."""
        if self.claims_written < 2:
            items: list[str] = []
            while self.claims_written < 2:
                items.extend(self.claim(style))
            self.para(items)

    def text(self) -> str:
        return "".join(self.parts).strip()


Builder = Callable[[DocContext], None]


@lru_cache(maxsize=16)
def _material(claim_json: str) -> ClaimMaterial:
    return build_material(ClaimSpec.model_validate_json(claim_json))


def material_for(claim: ClaimSpec) -> ClaimMaterial:
    return _material(claim.model_dump_json())
