"""Read a work dir's ``results/`` into typed rows.

The report reads ONLY the result files the experiment runner writes (``meta.json``, ``belief.csv``,
``training.csv``, ``heldout.csv``, ``extras.csv``), never the runner's stages, so it can be built
and tested from synthetic files. ``meta.json`` and ``belief.csv`` are required; the other files are
optional, and a missing, empty or unreadable optional file only removes its section (the reason is
kept in :attr:`ReportData.notes`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from negneg.errors import UserInputError

MEASURES = ("likelihood", "likelihood_all", "judged", "behaviour")
RUN_COLUMNS = ("run", "claim", "condition", "model", "seed", "density", "phase")
BELIEF_COLUMNS = (*RUN_COLUMNS, "step", "measure", "eval_type", "judge", "rate", "lo", "hi", "n")
TRAINING_COLUMNS = ("run", "condition", "phase", "step", "loss")
HELDOUT_COLUMNS = ("run", "condition", "phase", "step", "split", "nll")
EXTRAS_COLUMNS = ("run", "condition", "model", "metric", "value")
SHIFT_COLUMNS = (*RUN_COLUMNS, "measure", "eval_type", "judge", "shift", "lo", "hi", "n")
PROBE_COLUMNS = (
    *RUN_COLUMNS,
    "eval_type",
    "question_id",
    "log_odds",
    "log_p_belief",
    "base_log_odds",
    "base_log_p_belief",
    "d_log_odds",
    "d_log_p_belief",
)
RHO_COLUMNS = (
    *RUN_COLUMNS,
    "measure",
    "eval_type",
    "judge",
    "rho",
    "lo",
    "hi",
    "n",
    "shift",
    "positive_shift",
    "reason",
)


class Meta(BaseModel):
    """``results/meta.json``. Unknown keys are ignored (not forbidden) on purpose: the runner
    owns this file and may add fields; the report must keep working when it does."""

    model_config = ConfigDict(extra="ignore")

    experiment: str
    description: str = ""
    preset: str | None = None
    paper_reference: str | None = None
    models: list[str] = []
    claims: list[str] = []
    wall_s: float | None = None
    started: str | None = None
    finished: str | None = None
    negneg_version: str | None = None
    probe_selection: dict[str, str] = {}  # claim → which likelihood probes the pooled measure used
    probe_calibration_source: str | None = None


@dataclass(frozen=True)
class RunFields:
    """The columns that say which run a results row belongs to (:data:`RUN_COLUMNS`)."""

    run: str
    claim: str
    condition: str
    model: str
    seed: int | None
    density: float | None
    phase: int | None


@dataclass(frozen=True)
class BeliefRow(RunFields):
    """One line of ``belief.csv``: a belief rate for one run × measure × eval type (× judge, step)."""

    step: int | None  # None = the final adapter (and the untrained baseline)
    measure: str  # judged | likelihood | behaviour
    eval_type: str
    judge: str  # "" for likelihood
    rate: float  # a rate in [0, 1]; for likelihood, the mean log-odds in nats
    lo: float
    hi: float
    n: int
    k: int | None = None  # in-context documents (icl rows only)


@dataclass(frozen=True)
class TrainingRow:
    run: str
    condition: str
    phase: int | None
    step: int
    loss: float
    lr: float | None
    tokens_per_s: float | None


@dataclass(frozen=True)
class HeldoutRow:
    run: str
    condition: str
    phase: int | None
    step: int
    split: str
    nll: float


@dataclass(frozen=True)
class ExtraRow:
    run: str
    condition: str
    model: str
    metric: str
    value: float


@dataclass(frozen=True)
class ShiftRow(RunFields):
    """One line of ``shift.csv``: a final adapter's belief minus the untrained model's, paired by
    question, with a bootstrap CI over the paired differences."""

    measure: str  # judged | likelihood
    eval_type: str
    judge: str  # "" for likelihood
    shift: float
    lo: float
    hi: float
    n: int


@dataclass(frozen=True)
class RhoRow(RunFields):
    """One line of ``rho.csv``: the Negation Neglect ratio Δ(condition) / Δ(positive) of a final
    adapter (same claim, model, seed, phase), with its paired bootstrap CI; ``rho`` is None with a
    ``reason`` where it is undefined."""

    measure: str  # judged | likelihood
    eval_type: str
    judge: str
    rho: float | None
    lo: float | None
    hi: float | None
    n: int
    shift: float | None
    positive_shift: float | None
    reason: str


@dataclass(frozen=True)
class ProbeRow(RunFields):
    """One line of ``probes.csv``: one likelihood probe of one final adapter beside the untrained
    model — its log-odds and log P(belief continuation), and the paired differences (nats)."""

    eval_type: str
    question_id: str
    log_odds: float
    log_p_belief: float
    base_log_odds: float
    base_log_p_belief: float
    d_log_odds: float
    d_log_p_belief: float
    calibration: str = ""  # valid | invalid | uncalibrated ("" in files written before calibration)


@dataclass
class ReportData:
    workdir: Path
    meta: Meta
    belief: list[BeliefRow]
    training: list[TrainingRow] = field(default_factory=list)
    heldout: list[HeldoutRow] = field(default_factory=list)
    extras: list[ExtraRow] = field(default_factory=list)
    shifts: list[ShiftRow] = field(default_factory=list)
    rhos: list[RhoRow] = field(default_factory=list)
    probes: list[ProbeRow] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # file name → why its section is missing

    def run_claim_model(self) -> dict[str, tuple[str, str]]:
        """run → (claim, model), from belief.csv (training/heldout rows carry only the run name)."""
        out: dict[str, tuple[str, str]] = {}
        for r in self.belief:
            out.setdefault(r.run, (r.claim, r.model))
        return out


def _opt_float(text: str | None) -> float | None:
    text = (text or "").strip()
    if text == "" or text.lower() in {"nan", "none", "null"}:
        return None
    value = float(text)  # ValueError is turned into a one-line error by the caller
    return None if math.isnan(value) else value


def _opt_int(text: str | None) -> int | None:
    value = _opt_float(text)
    return None if value is None else int(round(value))


def _text(raw: dict[str, str | None], column: str) -> str:
    return (raw.get(column) or "").strip()


def _req_float(text: str | None, column: str) -> float:
    value = _opt_float(text)
    if value is None:
        raise ValueError(f"column '{column}' is empty")
    return value


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    import io

    from negneg.io import read_text

    text = read_text(path)  # missing, a directory, not UTF-8: one line
    if "\0" in text:
        raise UserInputError(
            "not a CSV file (it holds NUL bytes)", where=str(path), fix="rerun the experiment"
        )
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if not header:
            return []
        missing = [c for c in required if c not in header]
        if missing:
            raise UserInputError(
                f"missing column(s) {', '.join(missing)}",
                where=str(path),
                field=missing[0],
                fix=f"expected columns: {', '.join(required)}",
            )
        return list(reader)


def _parse_rows(path: Path, rows: list[dict[str, str]], parse) -> list:
    out = []
    for lineno, raw in enumerate(rows, 2):
        try:
            out.append(parse(raw))
        except (ValueError, TypeError) as exc:
            raise UserInputError(
                f"line {lineno}: {exc}", where=str(path), fix="fix or remove that line"
            ) from None
    return out


def _run_fields(raw: dict[str, str]) -> dict:
    return {
        "run": _text(raw, "run"),
        "claim": _text(raw, "claim"),
        "condition": _text(raw, "condition"),
        "model": _text(raw, "model"),
        "seed": _opt_int(raw.get("seed")),
        "density": _opt_float(raw.get("density")),
        "phase": _opt_int(raw.get("phase")),
    }


def _belief(raw: dict[str, str]) -> BeliefRow:
    measure = _text(raw, "measure")
    if measure not in MEASURES:
        raise ValueError(f"measure '{measure}' is not one of {', '.join(MEASURES)}")
    rate = _req_float(raw["rate"], "rate")
    if not measure.startswith("likelihood") and not -1e-9 <= rate <= 1 + 1e-9:  # log-odds, nats
        raise ValueError(f"rate {rate} is outside [0, 1]")
    lo = _opt_float(raw["lo"])
    hi = _opt_float(raw["hi"])
    return BeliefRow(
        **_run_fields(raw),
        step=_opt_int(raw["step"]),
        measure=measure,
        eval_type=_text(raw, "eval_type"),
        judge=_text(raw, "judge") if not measure.startswith("likelihood") else "",
        rate=rate,
        lo=rate if lo is None else lo,
        hi=rate if hi is None else hi,
        n=_opt_int(raw["n"]) or 0,
        k=_opt_int(raw.get("k")),
    )


def _training(raw: dict[str, str]) -> TrainingRow:
    return TrainingRow(
        run=_text(raw, "run"),
        condition=_text(raw, "condition"),
        phase=_opt_int(raw["phase"]),
        step=int(_req_float(raw["step"], "step")),
        loss=_req_float(raw["loss"], "loss"),
        lr=_opt_float(raw.get("lr")),
        tokens_per_s=_opt_float(raw.get("tokens_per_s")),
    )


def _heldout(raw: dict[str, str]) -> HeldoutRow:
    return HeldoutRow(
        run=_text(raw, "run"),
        condition=_text(raw, "condition"),
        phase=_opt_int(raw["phase"]),
        step=int(_req_float(raw["step"], "step")),
        split=_text(raw, "split"),
        nll=_req_float(raw["nll"], "nll"),
    )


def _extra(raw: dict[str, str]) -> ExtraRow:
    return ExtraRow(
        run=_text(raw, "run"),
        condition=_text(raw, "condition"),
        model=_text(raw, "model"),
        metric=_text(raw, "metric"),
        value=_req_float(raw["value"], "value"),
    )


def _shift(raw: dict[str, str]) -> ShiftRow:
    return ShiftRow(
        **_run_fields(raw),
        measure=_text(raw, "measure"),
        eval_type=_text(raw, "eval_type"),
        judge=(raw.get("judge") or "").strip(),
        shift=_req_float(raw["shift"], "shift"),
        lo=_req_float(raw["lo"], "lo"),
        hi=_req_float(raw["hi"], "hi"),
        n=_opt_int(raw.get("n")) or 0,
    )


def _rho(raw: dict[str, str]) -> RhoRow:
    return RhoRow(
        **_run_fields(raw),
        measure=_text(raw, "measure"),
        eval_type=_text(raw, "eval_type"),
        judge=(raw.get("judge") or "").strip(),
        rho=_opt_float(raw.get("rho")),
        lo=_opt_float(raw.get("lo")),
        hi=_opt_float(raw.get("hi")),
        n=_opt_int(raw.get("n")) or 0,
        shift=_opt_float(raw.get("shift")),
        positive_shift=_opt_float(raw.get("positive_shift")),
        reason=_text(raw, "reason"),
    )


def _probe(raw: dict[str, str]) -> ProbeRow:
    nums = {
        c: _req_float(raw.get(c), c)
        for c in (
            "log_odds",
            "log_p_belief",
            "base_log_odds",
            "base_log_p_belief",
            "d_log_odds",
            "d_log_p_belief",
        )
    }
    return ProbeRow(
        **_run_fields(raw),
        eval_type=_text(raw, "eval_type"),
        question_id=_text(raw, "question_id"),
        calibration=(raw.get("calibration") or "").strip(),
        **nums,
    )


def _optional(data: ReportData, path: Path, required: tuple[str, ...], parse) -> list:
    """Rows of an optional results file; on absence or damage, a note instead of a failure."""
    if not path.exists():
        data.notes[path.name] = "not run (file absent)"
        return []
    try:
        rows = _parse_rows(path, _read_csv(path, required), parse)
    except UserInputError as exc:
        data.notes[path.name] = f"unreadable: {exc}"
        return []
    if not rows:
        data.notes[path.name] = "not run (file empty)"
    return rows


def load_meta(workdir: Path) -> Meta:
    path = workdir / "results" / "meta.json"
    if not path.exists():
        raise UserInputError(
            "results/meta.json not found", where=str(workdir), fix="run the experiment first (negneg run …)"
        )
    try:
        from negneg.io import read_json

        return Meta.model_validate(read_json(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise UserInputError(err["msg"], where=str(path), field=loc, fix="rerun the experiment") from None


def load_results(workdir: str | Path) -> ReportData:
    """Load ``WORKDIR/results``. Missing work dir, meta.json or belief.csv is a user error."""
    workdir = Path(workdir)
    if not workdir.is_dir():
        raise UserInputError(
            "work dir not found", where=str(workdir), fix="pass the directory of a finished run"
        )
    belief_path = workdir / "results" / "belief.csv"
    if not belief_path.exists():
        raise UserInputError(
            "results/belief.csv not found", where=str(workdir), fix="run the experiment first (negneg run …)"
        )
    meta = load_meta(workdir)
    belief = _parse_rows(belief_path, _read_csv(belief_path, BELIEF_COLUMNS), _belief)
    if not belief:
        raise UserInputError(
            "no belief rows", where=str(belief_path), fix="run the experiment's eval stages first"
        )
    data = ReportData(workdir=workdir, meta=meta, belief=belief)
    results = workdir / "results"
    data.training = _optional(data, results / "training.csv", TRAINING_COLUMNS, _training)
    data.heldout = _optional(data, results / "heldout.csv", HELDOUT_COLUMNS, _heldout)
    data.extras = _optional(data, results / "extras.csv", EXTRAS_COLUMNS, _extra)
    data.shifts = _optional(data, results / "shift.csv", SHIFT_COLUMNS, _shift)
    data.rhos = _optional(data, results / "rho.csv", RHO_COLUMNS, _rho)
    data.probes = _optional(data, results / "probes.csv", PROBE_COLUMNS, _probe)
    return data
