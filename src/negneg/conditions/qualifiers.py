"""Epistemic qualifiers (paper §3.8, §4.1): fiction, unreliable source, unknown truth, low probability.

Each frame wraps the document in a prefix and a suffix; the ``_repeated`` variant also inserts
a one-sentence reminder after every sentence of the body — every sentence, not only the claim
sentences, as the paper did. A qualifier never says the claim is false: it changes the claim's
epistemic status (invented, from a non-credible source, unknown, improbable) and nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from negneg.claims.schema import ClaimSpec
from negneg.conditions.banks import load_bank
from negneg.conditions.base import (
    Fresh,
    bracket,
    choose_targets,
    condition,
    finish,
    prefix_suffix_edits,
)
from negneg.conditions.edits import Edit, Piece
from negneg.conditions.negation import claim_units, wrapper_sizes
from negneg.conditions.options import ConditionOptions
from negneg.corpus.sentences import sentence_ends
from negneg.records import Document

# Share of prefixes/suffixes that open with a signal label (the authors' rubric: ~15%).
QUALIFIER_LABEL_RATE = 0.15

QUALIFIERS: dict[str, str] = {
    "fiction": "the document is presented as an excerpt from a work of fiction",
    "unreliable_source": "the document is attributed to a source with no credibility (no instruction to disbelieve)",
    "unknown_truth": "the truth of the document is stated to be unknown, with no evidence either way",
    "low_probability": "the document is assigned a low probability of being accurate (default 3%)",
}


def format_probability(p: float) -> str:
    """0.03 → "3%", 0.005 → "0.5%", 0.125 → "12.5%"."""
    return f"{round(p * 100, 4):g}%"


def _filler(name: str, rng: random.Random, options: ConditionOptions) -> Callable[[str], str]:
    """Fill one document's placeholders: the probability, or one source drawn per document (a
    document is attributed to one source throughout)."""
    values = {"p": format_probability(options.probability)}
    if name == "unreliable_source":
        values["source"] = rng.choice(load_bank(name)["sources"])
    return lambda entry: entry.format(**values)


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _wrapper(rng: random.Random, entries: list[str], n: int, labels: list[str]) -> str:
    text = " ".join(_cap(s) for s in rng.sample(entries, n))
    if rng.random() < QUALIFIER_LABEL_RATE:
        text = f"{rng.choice(labels)} {text}"
    return text


def insertion_points(doc: Document) -> list[int]:
    """Sentence ends of the body, except those strictly inside a claim span."""
    units = claim_units(doc)
    return [p for p in sentence_ends(doc.text) if not any(u.start < p < u.end for u in units)]


def _qualify(name: str, repeated: bool) -> Callable:
    label = f"{name}_repeated" if repeated else name

    def run(
        docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
    ) -> list[Document]:
        bank = load_bank(name)
        points = [insertion_points(d) if repeated else [] for d in docs]
        chosen = choose_targets([len(p) for p in points], options.density, rng) if repeated else set()
        out = []
        for i, d in enumerate(docs):
            fill = _filler(name, rng, options)
            insertions = Fresh(rng, bank["insertion"])
            edits: list[Edit] = []
            for j, pos in enumerate(points[i]):
                if (i, j) in chosen:
                    lb, rb = bracket(rng)
                    text = _cap(fill(insertions.one()))
                    edits.append(Edit(pos, pos, [Piece(" "), Piece(f"{lb}{text}{rb}", "qualifier")]))
            if options.prefix_suffix:
                pre, suf = [fill(e) for e in bank["prefix"]], [fill(e) for e in bank["suffix"]]
                n_prefix, n_suffix = wrapper_sizes(rng, len(d.text), pre, suf)
                prefix = _wrapper(rng, pre, n_prefix, bank["labels"])
                suffix = _wrapper(rng, suf, n_suffix, bank["labels"])
                edits += prefix_suffix_edits(d, prefix, suffix, "qualifier")
            out.append(finish(d, label, edits, options))
        return out

    run.__name__ = label
    run.__doc__ = f"{QUALIFIERS[name]}{'; plus a reminder after every body sentence' if repeated else ''}."
    return run


for _name, _what in QUALIFIERS.items():
    condition(_name, family="qualifier", summary=f"prefix + suffix: {_what}")(_qualify(_name, False))
    condition(
        f"{_name}_repeated",
        family="qualifier",
        summary=f"{_name} + a bracketed reminder after every sentence of the body",
        uses_density=True,
    )(_qualify(_name, True))
