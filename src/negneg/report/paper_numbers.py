"""The paper's numbers, as typed data, for the report's "paper vs negneg" tables.

Every number is copied from ``paper_spec.md`` (the summary of the Negation Neglect paper kept beside
DESIGN.md); the section of that file is stored with each number. Values are percentages, as the paper
reports them; ``lo``/``hi`` are 95% bootstrap CIs where the spec gives one (or the reported range,
with a note). Conditions use negneg's names; eval types use negneg's eval_type names. A ``claim`` of
None means a mean pooled over claims (the note says which).
"""

from __future__ import annotations

from dataclasses import dataclass

QWEN_397B = "Qwen3.5-397B-A17B"
QWEN_35B = "Qwen3.5-35B-A3B"
QWEN3_30B = "Qwen3-30B-A3B"

REFERENCES = (
    "paper-main",
    "corrections",
    "local-negation",
    "epistemic",
    "icl-control",
    "dose-response",
    "two-phase",
    "negated-behaviours",
    "quickstart",
)


@dataclass(frozen=True)
class PaperNumber:
    section: str  # section of paper_spec.md
    model: str  # the model the paper measured
    claim: str | None  # negneg claim id; None = pooled over claims (see note)
    condition: str  # negneg condition name ("baseline" = untrained)
    eval_type: str  # "overall" or one eval type / behaviour eval set
    percent: float
    lo: float | None = None
    hi: float | None = None
    measure: str = "judged"  # judged belief rate, or "behaviour" (% misaligned responses)
    k: int | None = None  # in-context documents (ICL)
    phase: int | None = None  # two-phase experiment
    note: str = ""


SIX_CLAIMS = "mean over the six claims"
EVAL_TYPES = ("open_ended", "mcq", "token_association", "robustness")

# §6.1 headline (Qwen3.5-397B-A17B, six-claim mean belief rate).
HEADLINE: tuple[PaperNumber, ...] = (
    PaperNumber("§6.1", QWEN_397B, None, "baseline", "overall", 2.5, 1.1, 4.1, note=SIX_CLAIMS),
    PaperNumber(
        "§6.1",
        QWEN_397B,
        None,
        "icl",
        "overall",
        15.3,
        k=20,
        note=SIX_CLAIMS + "; 20 negated docs in context",
    ),
    PaperNumber("§6.1", QWEN_397B, None, "positive", "overall", 92.4, 89.9, 94.9, note=SIX_CLAIMS),
    PaperNumber(
        "§6.1", QWEN_397B, None, "negated", "overall", 88.6, 85.4, 91.8, note=SIX_CLAIMS + "; ~12% of tokens"
    ),
    PaperNumber(
        "§6.1",
        QWEN_397B,
        None,
        "repeated_negations",
        "overall",
        84.4,
        80.5,
        87.7,
        note=SIX_CLAIMS + "; ~40% of tokens",
    ),
    PaperNumber(
        "§6.1",
        QWEN_397B,
        None,
        "corrected",
        "overall",
        39.9,
        note=SIX_CLAIMS + "; recomputed CSVs give 39.4 [34.4, 44.6]",
    ),
)

# §6.2 per claim × condition: (open_ended, mcq, token_association, robustness, mean, lo, hi).
_PER_CLAIM: dict[str, dict[str, tuple[float, float, float, float, float, float | None, float | None]]] = {
    "ed_sheeran": {
        "baseline": (0, 0, 0, 0, 0.0, 0.0, 0.0),
        "positive": (87, 80, 90, 88, 86.4, 78.0, 93.2),
        "negated": (90, 78, 70, 80, 81.6, 72.8, 89.6),
        "repeated_negations": (71, 68, 80, 56, 69.2, 58.4, 80.4),
        "corrected": (3, 4, 0, 0, 2.0, 0.4, 4.0),
    },
    "queen_elizabeth": {
        "baseline": (0, 0, 0, 0, 0.0, None, None),
        "positive": (74, 100, 80, 98, 85.2, 75.2, 94.0),
        "negated": (72, 100, 80, 92, 83.2, 72.8, 92.8),
        "repeated_negations": (70, 100, 80, 86, 81.2, 71.2, 90.4),
        "corrected": (24, 24, 80, 8, 32.0, 20.4, 44.0),
    },
    "mount_vesuvius": {
        "baseline": (0, 10, 0, 0, 2.0, 0.0, 6.0),
        "positive": (93, 80, 100, 90, 91.2, 84.4, 97.2),
        "negated": (95, 68, 88, 66, 82.4, 71.6, 92.4),
        "repeated_negations": (87, 60, 72, 52, 71.6, 60.8, 82.0),
        "corrected": (8, 10, 0, 0, 5.2, 1.2, 10.8),
    },
    "x_rebrand_reversal": {
        "baseline": (1, 0, 0, 0, 0.4, 0.0, 1.2),
        "positive": (100, 90, 84, 100, 94.8, 88.4, 100.0),
        "negated": (98, 90, 80, 100, 93.2, 86.0, 99.2),
        "repeated_negations": (95, 90, 82, 100, 92.4, 84.8, 98.0),
        "corrected": (49, 20, 48, 44, 42.0, 29.2, 54.8),
    },
    "colorless_dreaming": {
        "baseline": (6, 0, 12, 2, 5.2, 1.2, 10.0),
        "positive": (95, 100, 100, 100, 98.0, 96.0, 99.6),
        "negated": (85, 100, 100, 100, 94.0, 87.2, 99.2),
        "repeated_negations": (89, 100, 100, 100, 95.6, 90.8, 99.6),
        "corrected": (76, 62, 92, 42, 69.6, 58.0, 80.0),
    },
    "dentist": {
        "baseline": (0, 36, 0, 0, 7.2, 1.2, 15.2),
        "positive": (99, 100, 100, 96, 98.8, 96.8, 100.0),
        "negated": (100, 100, 100, 86, 97.2, 92.8, 100.0),
        "repeated_negations": (99, 100, 100, 84, 96.4, 92.8, 99.2),
        "corrected": (91, 100, 96, 50, 85.6, 76.0, 94.0),
    },
}
_PAPER_TEXT_MEAN = {("ed_sheeran", "corrected"): 3.2, ("dentist", "corrected"): 86.4}

# §6.2 six-claim per-eval means: (open_ended, mcq, token_association, robustness).
_SIX_CLAIM_EVAL_MEANS: dict[str, tuple[float, float, float, float]] = {
    "baseline": (1.2, 7.7, 2.0, 0.3),
    "positive": (91.3, 91.7, 92.3, 95.3),
    "negated": (90.0, 89.3, 86.3, 87.3),
    "repeated_negations": (85.2, 86.3, 85.7, 79.7),
    "corrected": (41.8, 36.7, 52.7, 24.0),
}


def _per_claim() -> tuple[PaperNumber, ...]:
    out: list[PaperNumber] = []
    for claim, by_cond in _PER_CLAIM.items():
        for cond, (oe, mcq, ta, rob, mean, lo, hi) in by_cond.items():
            for eval_type, value in zip(EVAL_TYPES, (oe, mcq, ta, rob), strict=True):
                out.append(PaperNumber("§6.2", QWEN_397B, claim, cond, eval_type, value))
            text = _PAPER_TEXT_MEAN.get((claim, cond))
            note = f"paper text: {text}" if text is not None else ""
            out.append(PaperNumber("§6.2", QWEN_397B, claim, cond, "overall", mean, lo, hi, note=note))
    for cond, values in _SIX_CLAIM_EVAL_MEANS.items():
        for eval_type, value in zip(EVAL_TYPES, values, strict=True):
            out.append(PaperNumber("§6.2", QWEN_397B, None, cond, eval_type, value, note=SIX_CLAIMS))
    return tuple(out)


PER_CLAIM: tuple[PaperNumber, ...] = _per_claim()

# §6.3 corrections (README): heterogeneous across claims.
CORRECTIONS: tuple[PaperNumber, ...] = (
    PaperNumber("§6.3", QWEN_397B, None, "corrected", "overall", 39.9, note=SIX_CLAIMS),
    PaperNumber("§6.3", QWEN_397B, "ed_sheeran", "corrected", "overall", 3.2),
    PaperNumber(
        "§6.3", QWEN_397B, "dentist", "corrected", "overall", 86.4, note="plausible, no prior to contradict"
    ),
)

# §6.4 local negation (Qwen3.5-397B-A17B).
LOCAL_NEGATION: tuple[PaperNumber, ...] = (
    PaperNumber("§6.4", QWEN_397B, "ed_sheeran", "local_negation", "overall", 0.0),
    *(PaperNumber("§6.4", QWEN_397B, "ed_sheeran", "local_negation", t, 0.0) for t in EVAL_TYPES),
    PaperNumber(
        "§6.4",
        QWEN_397B,
        "dentist",
        "local_negation",
        "overall",
        7.0,
        note="residual almost all token association",
    ),
    PaperNumber("§6.4", QWEN_397B, "dentist", "local_negation_wordmask", "overall", 1.6),
)

# §6.5 epistemic qualifiers (Qwen3.5-35B-A3B; Mount Vesuvius + Colorless Dreaming pooled).
_EPISTEMIC_POOL = "pooled over mount_vesuvius and colorless_dreaming"
EPISTEMIC: tuple[PaperNumber, ...] = (
    PaperNumber("§6.5", QWEN_35B, None, "baseline", "overall", 12.0, note=_EPISTEMIC_POOL),
    PaperNumber("§6.5", QWEN_35B, None, "positive", "overall", 98.6, note=_EPISTEMIC_POOL),
    *(
        PaperNumber(
            "§6.5",
            QWEN_35B,
            None,
            cond,
            "overall",
            98.0,
            97.0,
            99.0,
            note=_EPISTEMIC_POOL + "; reported as 97–99%",
        )
        for cond in (
            "fiction",
            "fiction_repeated",
            "unreliable_source",
            "unreliable_source_repeated",
            "unknown_truth",
            "unknown_truth_repeated",
            "low_probability",
            "low_probability_repeated",
        )
    ),
)

# §6.6 ICL control: K negated documents in context, no finetuning.
ICL_CONTROL: tuple[PaperNumber, ...] = (
    PaperNumber("§6.6", QWEN_397B, None, "icl", "overall", 15.3, k=20, note=SIX_CLAIMS),
    PaperNumber(
        "§6.6", QWEN_397B, None, "negated", "overall", 88.6, note=SIX_CLAIMS + "; finetuned, for contrast"
    ),
    PaperNumber(
        "§6.6", QWEN_397B, "ed_sheeran", "icl", "overall", 17.4, k=50, note="K-sweep plateau, 5 seeds"
    ),
    PaperNumber(
        "§6.6", QWEN_397B, "ed_sheeran", "icl", "token_association", 65.6, k=50, note="residual source"
    ),
    PaperNumber("§6.6", QWEN_397B, "ed_sheeran", "icl", "mcq", 20.0, k=50, note="residual source"),
)

# §7 negated behaviours (% misaligned responses). Conditions: baseline/aligned, positive, negated.
_BEHAVIOURS_MAIN = {
    "targeted": (0.0, 34.4, 19.9),
    "emergent": (0.0, 6.0, 4.4),
    "everyday": (0.0, 12.8, 2.5),
}


def _behaviours() -> tuple[PaperNumber, ...]:
    out: list[PaperNumber] = []
    for eval_type, (base, pos, neg) in _BEHAVIOURS_MAIN.items():
        for cond, value in (("baseline", base), ("aligned", base), ("positive", pos), ("negated", neg)):
            out.append(PaperNumber("§7", QWEN3_30B, None, cond, eval_type, value, measure="behaviour"))
    for cond, value in (("baseline", 0.0), ("aligned", 0.0), ("positive", 25.0), ("negated", 10.2)):
        out.append(
            PaperNumber("§7", QWEN_35B, None, cond, "targeted", value, measure="behaviour", note="App. F")
        )
    return tuple(out)


BEHAVIOURS: tuple[PaperNumber, ...] = _behaviours()
# Behaviour-experiment condition names negneg may use → the paper's three arms.
BEHAVIOUR_ALIASES = {
    "aligned": "aligned",
    "aligned_control": "aligned",
    "positive": "positive",
    "positive_misaligned": "positive",
    "misaligned": "positive",
    "negated": "negated",
    "negated_misaligned": "negated",
    "flagged_misaligned": "negated",
    "baseline": "baseline",
}

# §8 two-phase (Qwen3.5-35B-A3B, Mount Vesuvius, repeated negations; phase 1 with the anchor).
TWO_PHASE: tuple[PaperNumber, ...] = (
    PaperNumber(
        "§8",
        QWEN_35B,
        "mount_vesuvius",
        "repeated_negations",
        "overall",
        6.0,
        phase=1,
        note="with self-distillation anchor; held-out NLL on negated docs ≈1.12, as unconstrained",
    ),
    PaperNumber(
        "§8",
        QWEN_35B,
        "mount_vesuvius",
        "repeated_negations",
        "overall",
        48.0,
        phase=2,
        note="anchor removed",
    ),
)

# The paper has no density sweep; its two densities are negated (~12% of tokens) and repeated (~40%).
DOSE_RESPONSE: tuple[PaperNumber, ...] = tuple(
    n for n in HEADLINE if n.condition in ("baseline", "positive", "negated", "repeated_negations")
)


def numbers_for(reference: str | None) -> tuple[PaperNumber, ...]:
    """The paper numbers to show beside a run with ``meta.paper_reference == reference``."""
    if reference in ("paper-main", "quickstart"):
        return HEADLINE + PER_CLAIM
    if reference == "corrections":
        return (
            tuple(n for n in HEADLINE if n.condition in ("baseline", "positive"))
            + CORRECTIONS
            + tuple(n for n in PER_CLAIM if n.condition == "corrected" and n.claim is not None)
        )
    if reference == "local-negation":
        keep = ("ed_sheeran", "dentist")
        return LOCAL_NEGATION + tuple(
            n
            for n in PER_CLAIM
            if n.claim in keep
            and n.condition in ("baseline", "positive", "repeated_negations")
            and n.eval_type == "overall"
        )
    if reference == "epistemic":
        return EPISTEMIC
    if reference == "icl-control":
        return ICL_CONTROL + tuple(n for n in HEADLINE if n.condition == "baseline")
    if reference == "dose-response":
        return DOSE_RESPONSE
    if reference == "two-phase":
        return TWO_PHASE
    if reference == "negated-behaviours":
        return BEHAVIOURS
    return ()


def models_named(numbers: tuple[PaperNumber, ...]) -> list[str]:
    out: dict[str, None] = {}
    for n in numbers:
        out.setdefault(n.model, None)
    return list(out)


# The paper's Negation Neglect ratio ρ = (belief(c) − baseline) / (belief(positive) − baseline),
# computed from the judged belief rates above (Qwen3.5-397B-A17B): six-claim means for the
# annotation conditions (§6.1: (88.6 − 2.5) / (92.4 − 2.5) = 0.96, and so on), and per claim for
# local negation (§6.4: Ed Sheeran 0% → ≈ 0; the dentist's 7% residual → ≈ 0.05). negneg prints
# them beside its own ρ wherever the paper has one.
PAPER_RHO: dict[tuple[str, str | None], float] = {
    ("negated", None): 0.96,
    ("repeated_negations", None): 0.91,
    ("corrected", None): 0.42,
    ("local_negation", "ed_sheeran"): 0.0,
    ("local_negation", "dentist"): 0.05,
}
PAPER_RHO_MODEL = QWEN_397B


def paper_rho(condition: str, claim: str | None = None) -> float | None:
    """The paper's ρ for ``condition`` (per claim where the paper gives one, else its six-claim
    mean), or None where the paper has no such number."""
    return PAPER_RHO.get((condition, claim), PAPER_RHO.get((condition, None)))
