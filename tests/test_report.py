"""negneg.report on synthetic work dirs: files, self-contained HTML, honest statements, paper numbers, CLI."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import pytest

from negneg.cli import main
from negneg.errors import UserInputError
from negneg.report import belief_table_markdown, belief_table_rich, write_report
from negneg.report.data import load_results
from negneg.report.document import ReportDocument, to_markdown
from negneg.report.findings import findings_blocks
from report_synth import (
    SEPARATING,
    add_extras,
    behaviours_workdir,
    cell_rows,
    density_workdir,
    icl_workdir,
    main_workdir,
    two_phase_workdir,
    write_rhos,
    write_shifts,
)


def findings_text(workdir: Path) -> str:
    """The "What this run shows" section alone (no figures: fast)."""
    doc = ReportDocument("t", findings_blocks(load_results(workdir)))
    return to_markdown(doc)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def main_report(tmp_path_factory) -> Path:
    root = main_workdir(tmp_path_factory.mktemp("main"), SEPARATING, reference="paper-main")
    add_extras(root)
    return write_report(root)


def test_main_report_writes_every_file(main_report: Path):
    out = main_report.parent
    assert main_report == out / "report.md"
    for name in (
        "report.md",
        "report.html",
        "belief_by_condition.csv",
        "belief_by_eval_type.csv",
        "paper_comparison.csv",
        "belief_by_condition.png",
        "belief_by_condition.svg",
        "belief_by_eval_type.png",
    ):
        assert (out / name).stat().st_size > 0, name
    assert (out / "belief_by_condition.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Sections without data say so instead of failing.
    md = main_report.read_text()
    for missing in ("no training.csv", "no density sweep", "no icl rows", "no behaviour rows"):
        assert missing in md
    assert "annotation_structure_rate" in md  # extras table


def test_main_table_values_and_shifts(main_report: Path):
    md = main_report.read_text()
    assert "| positive | 0.80 [0.75, 0.85] | +0.40* | 0.70 [0.65, 0.75] | +0.65* |" in md
    # corrected's likelihood CI overlaps the baseline's: no star.
    assert "| corrected | 0.45 [0.40, 0.50] | +0.05 |" in md
    rows = read_csv(main_report.parent / "belief_by_condition.csv")
    neg = next(r for r in rows if r["condition"] == "negated" and r["measure"] == "likelihood")
    assert (
        neg["baseline_rate"] == "0.4000"
        and neg["shift"] == "+0.3800"
        and neg["ci_apart_from_baseline"] == "true"
    )
    by_type = read_csv(main_report.parent / "belief_by_eval_type.csv")
    assert {r["eval_type"] for r in by_type if r["measure"] == "judged"} == {
        "open_ended",
        "mcq",
        "token_association",
        "robustness",
        "overall",
    }


def test_html_is_self_contained(main_report: Path):
    page = main_report.with_suffix(".html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 2
    assert base64.b64decode(images[0])[:4] == b"\x89PNG"
    assert "<style>" in page and "What this run shows" in page


SHIFTS = {
    "positive": (3.85, 1.9, 5.8),
    "negated": (3.25, 1.5, 5.0),
    "repeated_negations": (3.72, 1.8, 5.6),
    "corrected": (-0.05, -1.1, 1.0),
    "local_negation": (-0.8, -1.6, -0.1),
}
RHOS = {
    "negated": (0.84, 0.62, 1.05),
    "repeated_negations": (0.97, 0.8, 1.15),
    "corrected": (-0.01, -0.3, 0.25),
    "local_negation": (-0.21, -0.45, -0.02),
}


def neglect_workdir(root: Path, **kw) -> Path:
    wd = main_workdir(root, SEPARATING, reference="quickstart")
    write_shifts(
        wd,
        SHIFTS,
        judged=kw.get("judged", {c: (0.3, 0.1, 0.5) for c in SHIFTS}),
        by_type={"positive": {"cloze": 3.9, "token_association_likelihood": 2.5, "yes_no_likelihood": 0.4}},
        yes_lean=kw.get("yes_lean"),
    )
    write_rhos(wd, kw.get("rhos", RHOS), judged=kw.get("judged_rhos", {c: (0.9, 0.5, 1.3) for c in RHOS}))
    return wd


def test_report_opens_with_the_claim_sentence_figure_and_one_table(tmp_path: Path):
    wd = neglect_workdir(tmp_path)
    md = write_report(wd).read_text()
    head = md.index("## What this run shows")
    assert head < md.index("neglect_shifts.png") < md.index("## Belief by condition")
    sentence = md[head:].split("\n\n")[1]
    assert sentence.startswith(
        "**ed_sheeran** (smollm2-135m), Δ log-odds from the untrained model (nats, high to low): "
        "positive +3.85, repeated_negations +3.72, negated +3.25, corrected -0.05, local_negation -0.80."
    )
    assert "negated 0.84 [0.62, 1.05], paper 0.96" in sentence
    assert "local_negation -0.21 [-0.45, -0.02], paper 0.00" in sentence
    assert "corrected -0.01 [-0.30, 0.25], paper 0.42" in sentence
    # judged ρ 0.9 [0.5, 1.3] overlaps negated's and repeated's likelihood ρ only
    assert "Judged belief (rule judge) agrees for 2 of 4 conditions" in sentence
    assert "| condition | Δ log-odds [95% CI] | cloze | token assoc. | yes/no | ρ [95% CI] | paper ρ |" in md
    assert "| positive | +3.85 [+1.90, +5.80]* | +3.90 | +2.50 | +0.40 | 1 (reference) |  |" in md
    assert "| corrected | -0.05 [-1.10, +1.00] | — | — | — | -0.01 [-0.30, 0.25] | 0.42 |" in md
    assert (wd / "report" / "neglect_shifts.png").read_bytes()[:4] == b"\x89PNG"
    rows = read_csv(wd / "report" / "neglect.csv")
    assert [r["condition"] for r in rows] == list(SHIFTS)
    # the old wall of per-pair verdict bullets is gone
    assert "Negation Neglect reproduced on" not in md and "paired by question the shift is" not in md


def test_the_claim_sentence_names_a_yes_lean_the_yes_no_items_were_corrected_for(tmp_path: Path):
    lean = {
        "positive": (0.98, 0.85, 1.11),
        "negated": (0.05, -0.10, 0.20),
        "local_negation": (-0.4, -0.6, -0.2),
    }
    text = findings_text(neglect_workdir(tmp_path, yes_lean=lean))
    assert "lean toward answering Yes, whatever the question (positive +0.98" in text
    assert "local_negation -0.40" in text and "negated +0.05" not in text  # only leans beyond noise
    assert "lean toward answering Yes" not in findings_text(neglect_workdir(tmp_path / "none"))


def test_undefined_rho_and_judged_that_did_not_move(tmp_path: Path):
    reason = "positive's shift CI includes 0"
    wd = neglect_workdir(
        tmp_path,
        rhos={c: reason for c in RHOS},
        judged={c: (0.02, -0.06, 0.10) for c in SHIFTS},
        judged_rhos={c: reason for c in RHOS},
    )
    text = findings_text(wd)
    assert f"negated – ({reason})" in text
    assert "cannot confirm or contradict it: positive training did not move sampled answers" in text
    md = write_report(wd).read_text()
    assert "| negated | +3.25 [+1.50, +5.00]* | — | — | — | – | 0.96 |" in md


def test_no_baseline_means_no_shift_and_says_so(tmp_path: Path):
    text = findings_text(main_workdir(tmp_path, SEPARATING))
    assert "No paired shifts: Δ log-odds and ρ need an untrained-baseline eval" in text
    assert "judged belief should be read as a shift from the untrained model" in text


def test_console_prints_rho_and_the_paper_rho(tmp_path: Path, capsys):
    wd = neglect_workdir(tmp_path)
    assert main(["report", str(wd)]) == 0
    out = capsys.readouterr().out
    for text in ("Δ log-odds", "ρ", "paper ρ", "+3.85*", "[+1.90,+5.80]", "0.84", "[0.62,1.05]", "0.96"):
        assert text in out, text
    assert max(len(line) for line in out.splitlines() if "[" in line and "report" not in line) <= 80


def test_paper_numbers_with_models(main_report: Path):
    md = main_report.read_text()
    assert "Qwen3.5-397B-A17B" in md and "smollm2-135m" in md
    assert "86.4 [78, 93.2] (Qwen3.5-397B-A17B)" in md  # §6.2 Ed Sheeran positive
    assert "92.4 [89.9, 94.9]" in md  # §6.1 headline positive
    rows = read_csv(main_report.parent / "paper_comparison.csv")
    es_pos = next(
        r
        for r in rows
        if r["claim"] == "ed_sheeran" and r["condition"] == "positive" and r["eval_type"] == "overall"
    )
    assert es_pos["paper_percent"] == "86.4" and es_pos["negneg_judged_percent"] == "70.00"
    assert es_pos["negneg_likelihood_log_odds"] == "0.8000" and es_pos["paper_model"] == "Qwen3.5-397B-A17B"


def test_no_paper_numbers_without_reference(tmp_path: Path):
    main_workdir(tmp_path, SEPARATING, reference=None)
    md = write_report(tmp_path).read_text()
    assert "No paper experiment to compare with" in md
    assert not (tmp_path / "report" / "paper_comparison.csv").exists()


def test_density_sweep(tmp_path: Path):
    md = write_report(density_workdir(tmp_path)).read_text()
    assert (tmp_path / "report" / "dose_response.png").exists()
    assert "negated, likelihood belief rises monotonically in density" in md
    assert "density 1 0.75 [0.70, 0.80] is above density 0.1 0.43 [0.39, 0.48]" in md
    assert "§6.1" in md  # dose-response shows the paper's two densities


def test_two_phase(tmp_path: Path):
    md = write_report(two_phase_workdir(tmp_path)).read_text()
    assert (tmp_path / "report" / "training_dynamics.png").exists()
    assert (
        "end of phase 1 0.32 [0.27, 0.37] → end of phase 2 0.64 [0.59, 0.69] (+0.32); belief rebounds" in md
    )
    assert "held-out NLL on negated_docs" in md
    assert "| §8 | mount_vesuvius | repeated_negations phase 2 | overall | 48 (Qwen3.5-35B-A3B)" in md


def test_two_phase_steps_share_one_axis(tmp_path: Path):
    from negneg.report.figures import _phase_offsets

    offsets, boundaries = _phase_offsets(load_results(two_phase_workdir(tmp_path)))
    assert offsets == {"repeated_negations": 80} and boundaries == {"repeated_negations": 80}


def test_icl(tmp_path: Path):
    md = write_report(icl_workdir(tmp_path)).read_text()
    assert (tmp_path / "report" / "icl.png").exists()
    assert (
        "In context vs finetuned on likelihood belief: icl · K=20 0.51 [0.46, 0.56] is below negated (finetuned)"
        in md
    )
    rows = read_csv(tmp_path / "report" / "belief_by_condition.csv")
    k20 = next(r for r in rows if r["k"] == "20" and r["measure"] == "likelihood")
    assert k20["seeds"] == "2" and k20["rate"] == "0.5050"  # two seeds averaged
    assert "15.3" in md  # §6.6 K=20 headline


def test_behaviours(tmp_path: Path):
    md = write_report(behaviours_workdir(tmp_path)).read_text()
    assert (tmp_path / "report" / "behaviours.png").exists()
    assert "targeted: flagging reduces the behaviour — negated_misaligned 0.18 [0.14, 0.22] is below" in md
    assert "everyday: flagging the transcripts does not reduce the behaviour — CIs overlap" in md
    assert "34.4 (Qwen3-30B-A3B)" in md and "% of responses showing the behaviour" in md


def test_cli_prints_the_behaviour_table_for_a_behaviours_run(tmp_path: Path, capsys):
    behaviours_workdir(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Share of responses showing the behaviour" in out and "negated_misaligned" in out
    assert "[0.14,0.22]" in out  # the flagged arm's targeted rate, under its value
    assert "likelihood" not in out  # no empty belief table


def test_compact_table_from_dicts():
    rows = cell_rows("b", "ed_sheeran", "baseline", likelihood=0.4, judged=0.05) + cell_rows(
        "p", "ed_sheeran", "positive", likelihood=0.8, judged=0.7
    )
    md = belief_table_markdown(rows)
    assert (
        md.splitlines()[0]
        == "| condition | likelihood log-odds [95% CI] | shift | judged (rule) [95% CI] | shift |"
    )
    assert "| positive | 0.80 [0.75, 0.85] | +0.40* | 0.70 [0.65, 0.75] | +0.65* |" in md
    table = belief_table_rich(rows)
    assert table.row_count == 2 and len(table.columns) == 5


def test_optional_files_missing_or_broken(tmp_path: Path):
    main_workdir(tmp_path, SEPARATING)
    (tmp_path / "results" / "training.csv").write_text("")
    (tmp_path / "results" / "heldout.csv").write_text("run,condition\nx,y\n")
    data = load_results(tmp_path)
    assert data.notes["training.csv"] == "not run (file empty)"
    assert (
        data.notes["heldout.csv"].startswith("unreadable") and "missing column" in data.notes["heldout.csv"]
    )
    assert data.notes["extras.csv"] == "not run (file absent)"


def test_cli_prints_path_and_table(tmp_path: Path, capsys):
    main_workdir(tmp_path, SEPARATING)
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "report" / "report.md") in out.replace("\n", "")
    # the console table puts each value over its CI, to fit 80 columns
    assert "repeated_negations" in out and "0.80" in out and "[0.75,0.85]" in out


def test_cli_missing_inputs_exit_2(tmp_path: Path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert main(["report", str(tmp_path)]) == 2  # no results/belief.csv
    err = capsys.readouterr().err
    assert "work dir not found" in err and "belief.csv not found" in err
    assert "Traceback" not in err


def test_malformed_belief_csv_is_one_line_error(tmp_path: Path):
    main_workdir(tmp_path, SEPARATING)
    path = tmp_path / "results" / "belief.csv"
    path.write_text(path.read_text().replace("0.8,0.75,0.85", "high,0.75,0.85", 1))
    with pytest.raises(UserInputError, match=r"belief.csv: line \d+: could not convert"):
        load_results(tmp_path)
    assert main(["report", str(tmp_path)]) == 2


def test_paper_numbers_data_is_consistent():
    """The paper's numbers are data (negneg/data/paper_numbers.yaml): check what the data must
    satisfy, not the values again — names negneg knows, CIs around their values, every preset's
    reference present, and the paper's ρ recomputable from its own headline rates."""
    from negneg.behaviours.questions import EVAL_SETS
    from negneg.claims.categories import GENERATIVE_CATEGORIES
    from negneg.claims.loader import list_claims
    from negneg.conditions import CONDITIONS
    from negneg.experiments.presets import preset_registry
    from negneg.experiments.schema import load_experiment
    from negneg.report import paper_numbers as pn

    eval_types = {"overall", *GENERATIVE_CATEGORIES, *EVAL_SETS, "emergent"}
    conditions = {*CONDITIONS.names(), "baseline", "icl", *pn.BEHAVIOUR_ALIASES}
    rows = [n for name in pn.tables() for n in pn.table(name)]
    assert len(rows) > 100
    for n in rows:
        assert n.eval_type in eval_types and n.condition in conditions, n
        assert n.claim is None or n.claim in list_claims(), n
        assert n.measure in ("judged", "behaviour") and n.section.startswith("§"), n
        if n.lo is not None and n.hi is not None:
            assert n.lo <= n.percent <= n.hi, n
    for ref in pn.REFERENCES:
        assert pn.numbers_for(ref), ref
    assert pn.numbers_for(None) == () and pn.numbers_for("no-such-experiment") == ()
    for preset in preset_registry().names():
        ref = load_experiment(preset).paper_reference
        assert ref is None or ref in pn.REFERENCES, (preset, ref)
    # ρ = (belief(c) − baseline) / (belief(positive) − baseline) on the six-claim headline rates
    head = {n.condition: n.percent for n in pn.table("headline")}
    for (condition, claim), rho in pn.PAPER_RHO.items():
        if claim is None:
            computed = (head[condition] - head["baseline"]) / (head["positive"] - head["baseline"])
            assert abs(computed - rho) < 0.005, (condition, computed, rho)
    assert pn.PAPER_RHO_MODEL in pn.models_named(pn.table("headline"))


def test_dose_response_plots_rho_against_density(tmp_path: Path):
    from negneg.experiments.results import RHO_COLS
    from negneg.report.figures import _rho_vs_density
    from negneg.report.neglect import ratio_cells
    from negneg.report.paper_numbers import paper_rho
    from report_synth import write_csv

    wd = density_workdir(tmp_path)
    rows = [
        {"run": f"n{d}", "claim": "ed_sheeran", "condition": "negated", "model": "smollm2-135m", "seed": 0,
         "density": d, "measure": "likelihood", "eval_type": "overall", "judge": "", "rho": r,
         "lo": r - 0.1, "hi": r + 0.1, "n": 34}
        for d, r in ((0.1, 0.2), (0.5, 0.6), (1.0, 0.9))
    ]  # fmt: skip
    write_csv(wd / "results" / "rho.csv", RHO_COLS, rows)
    data = load_results(wd)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert _rho_vs_density(ax, ratio_cells(data.rhos), "ed_sheeran", "smollm2-135m", {}, paper_rho)
    (line, *_) = ax.lines
    assert list(line.get_xdata()) == [0.1, 0.5, 1.0] and list(line.get_ydata()) == [0.2, 0.6, 0.9]
    assert "paper's ρ (negated) 0.96" in ax.get_legend_handles_labels()[1]
    plt.close(fig)
    write_report(wd)
    assert (wd / "report" / "dose_response.png").exists()


def test_association_without_belief_is_named(tmp_path: Path):
    """corrected: the claim's words became likelier (+5.2) while the contest with the truth did not
    move: the sentence and the table show association and belief side by side."""
    wd = main_workdir(tmp_path, SEPARATING)
    write_shifts(
        wd,
        SHIFTS,
        association={
            "positive": (2.8, 1.7, 3.9),
            "corrected": (5.23, 3.44, 6.98),
            "negated": (2.9, 1.8, 4.1),
        },
    )
    write_rhos(wd, RHOS)
    text = findings_text(wd)
    assert (
        "without winning against the truth for corrected (association +5.23 [+3.44, +6.98], "
        "belief -0.05 [-1.10, +1.00]): association without belief" in text
    )
    assert "negated (association" not in text  # its belief moved too
    md = write_report(wd).read_text()
    assert "| association Δ log P |" in md and "+5.23 [+3.44, +6.98]*" in md
