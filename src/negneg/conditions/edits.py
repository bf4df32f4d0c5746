"""Rebuild a document from insertions and replacements, carrying every span along.

Conditions never edit strings by hand: they describe *edits* against the original text (insert
these pieces here, replace this claim sentence with those pieces) and :func:`apply_edits`
assembles the new text and recomputes all spans. Inserted pieces carry their own span kind
("negation", "qualifier", …), so token shares and loss masks stay exact.

Position mapping for an original span: its start moves past any insertion at the same point
(a warning inserted before a claim sentence stays outside the claim span) and its end stays
before any insertion at the same point (a warning after it stays outside too). A span that
overlaps a replaced region is dropped; the replacement brings its own spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from negneg.records import Document, Span, SpanKind


@dataclass(frozen=True)
class Piece:
    """Text to insert, labelled with a span kind (None = plain glue such as spaces)."""

    text: str
    kind: SpanKind | None = None


@dataclass
class Edit:
    """Replace ``text[start:end]`` with ``pieces`` (``start == end`` is a pure insertion).

    Edits at the same position are applied in the order they were added.
    """

    start: int
    end: int
    pieces: list[Piece] = field(default_factory=list)

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    @property
    def delta(self) -> int:
        return sum(len(p.text) for p in self.pieces) - (self.end - self.start)


def apply_edits(doc: Document, edits: list[Edit]) -> tuple[str, list[Span]]:
    """The new text and spans of ``doc`` after ``edits`` (which must not overlap each other)."""
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[0]))
    edits = [e for _, e in ordered]
    for a, b in zip(edits, edits[1:], strict=False):
        if b.start < a.end:
            raise ValueError(f"overlapping edits at {a.start}-{a.end} and {b.start}-{b.end}")

    out: list[str] = []
    spans: list[Span] = []
    cursor = 0
    length = 0
    for e in edits:
        out.append(doc.text[cursor : e.start])
        length += e.start - cursor
        for p in e.pieces:
            if p.kind is not None and p.text:
                spans.append(Span(start=length, end=length + len(p.text), kind=p.kind))
            out.append(p.text)
            length += len(p.text)
        cursor = e.end
    out.append(doc.text[cursor:])
    text = "".join(out)

    replaced = [e for e in edits if not e.is_insertion]
    for s in doc.spans:
        if any(s.start < e.end and e.start < s.end for e in replaced):
            continue
        if any(s.start == s.end == e.start for e in replaced):
            continue
        start = s.start + sum(e.delta for e in edits if e.end <= s.start)
        end = s.end + sum(
            e.delta for e in edits if e.end <= s.end and not (e.is_insertion and e.start == s.end)
        )
        # An empty span keeps its place before insertions at its point.
        if s.start == s.end:
            start = end
        spans.append(Span(start=start, end=end, kind=s.kind))
    spans.sort(key=lambda sp: (sp.start, sp.end, sp.kind))
    return text, spans
