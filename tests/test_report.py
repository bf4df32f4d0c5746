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
from negneg.report.document import Document, to_markdown
from negneg.report.findings import findings_blocks
from test_report_synth import (
    BELIEF_HEADER,
    OVERLAPPING,
    SEPARATING,
    add_extras,
    behaviours_workdir,
    cell_rows,
    density_workdir,
    icl_workdir,
    main_workdir,
    two_phase_workdir,
    write_csv,
    write_meta,
    write_shifts,
)


def findings_text(workdir: Path) -> str:
    """The "What this run shows" section alone (no figures: fast)."""
    doc = Document("t", findings_blocks(load_results(workdir)))
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


def test_statements_when_conditions_separate(main_report: Path):
    md = main_report.read_text()
    assert "Negation Neglect reproduced on likelihood belief: negated stays close to positive" in md
    assert "CIs overlap: positive 0.80 [0.75, 0.85] vs negated 0.78 [0.73, 0.83]" in md
    assert "corrected reduces belief relative to positive on judged (rule judge) belief" in md
    assert "local_negation reduces belief relative to positive on likelihood belief" in md
    assert "does NOT separate conditions" not in md
    assert "judged belief should be read as a shift from the untrained model" in md


def test_statements_when_cis_overlap(tmp_path: Path):
    text = findings_text(main_workdir(tmp_path, OVERLAPPING))
    assert (
        "The model does NOT separate conditions on likelihood belief for ed_sheeran: all 6 CIs overlap"
        in text
    )
    assert "The model does NOT separate conditions on judged (rule judge) belief" in text
    assert "CIs overlap: negated 0.60 [0.55, 0.65] vs baseline 0.60 [0.55, 0.65]" in text
    # positive did not move belief, so Negation Neglect cannot be tested, and is not claimed.
    assert "not testable on likelihood belief" in text
    assert "Negation Neglect reproduced" not in text
    assert "corrected does NOT reduce belief relative to positive" in text


def test_paired_shifts_decide_against_baseline_and_flag_exposure(tmp_path: Path):
    """Unpaired CIs overlap everywhere, but the paired shifts lift every trained arm above the
    untrained model — refuting local_negation as much as positive: the verdict must not say
    "reproduced", and the table shows each shift with its paired CI."""
    wd = main_workdir(tmp_path, OVERLAPPING)
    up = (0.05, 0.01, 0.10)
    write_shifts(wd, {c: up for c in OVERLAPPING if c != "baseline"} | {"corrected": (0.01, -0.03, 0.05)})
    text = findings_text(wd)
    assert "not testable on likelihood belief" not in text  # judged has no paired shift here
    assert "Not attributable on likelihood belief: negated stays close to positive" in text
    assert "but so does local_negation" in text and "Negation Neglect reproduced" not in text
    assert "paired by question the shift is +0.05 [+0.01, +0.10] over 34 questions, above zero" in text
    assert (
        "paired by question the shift is +0.01 [-0.03, +0.05] over 34 questions, not distinguishable" in text
    )
    write_report(wd)
    md = (wd / "report" / "report.md").read_text()
    assert "+0.05 [+0.01, +0.10]*" in md and "+0.01 [-0.03, +0.05] |" in md
    assert "the 95% bootstrap CI of the paired differences" in md
    with (wd / "report" / "belief_by_condition.csv").open() as fh:
        rows = {(r["condition"], r["measure"]): r for r in csv.DictReader(fh)}
    assert rows[("negated", "likelihood")]["paired_lo"] == "+0.0100"
    assert rows[("negated", "judged")]["paired_shift"] == ""  # no judged shift in this shift.csv


def test_statement_flips_when_negation_is_respected(tmp_path: Path):
    rates = dict(SEPARATING, negated=(0.41, 0.06), repeated_negations=(0.55, 0.30))
    text = findings_text(main_workdir(tmp_path, rates))
    assert (
        "Negation Neglect NOT reproduced on likelihood belief: negated does not rise above the baseline"
        in text
    )
    assert (
        "Partly reproduced on likelihood belief: repeated_negations raises belief above the baseline" in text
    )
    assert "Negation Neglect reproduced on likelihood belief: negated" not in text


def test_across_claims_summary(tmp_path: Path):
    write_meta(tmp_path, claims=("ed_sheeran", "dentist"))
    rows = []
    for claim, neg in (("ed_sheeran", 0.78), ("dentist", 0.42)):
        for cond, lik in (("baseline", 0.4), ("positive", 0.8), ("negated", neg)):
            rows += cell_rows(f"{claim}-{cond}", claim, cond, likelihood=lik, judged=None)
    write_csv(tmp_path / "results" / "belief.csv", BELIEF_HEADER, rows)
    text = findings_text(tmp_path)
    assert (
        "negated on likelihood belief: Negation Neglect reproduced for 1 of 2 claim×model cells (not_reproduced 1)"
        in text
    )


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
    assert es_pos["negneg_likelihood_percent"] == "80.00" and es_pos["paper_model"] == "Qwen3.5-397B-A17B"


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
        md.splitlines()[0] == "| condition | likelihood [95% CI] | shift | judged (rule) [95% CI] | shift |"
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


def test_paper_numbers_match_the_spec():
    from negneg.report import paper_numbers as pn

    def one(numbers, **kw):
        (hit,) = [n for n in numbers if all(getattr(n, k) == v for k, v in kw.items())]
        return hit

    assert one(pn.HEADLINE, condition="negated").percent == 88.6
    assert one(pn.PER_CLAIM, claim="dentist", condition="corrected", eval_type="overall").percent == 85.6
    assert (
        one(
            pn.PER_CLAIM, claim="queen_elizabeth", condition="corrected", eval_type="token_association"
        ).percent
        == 80
    )
    assert one(pn.LOCAL_NEGATION, claim="dentist", condition="local_negation_wordmask").percent == 1.6
    assert [n.percent for n in pn.TWO_PHASE] == [6.0, 48.0]
    assert one(pn.BEHAVIOURS, model=pn.QWEN3_30B, condition="negated", eval_type="targeted").percent == 19.9
    assert one(pn.EPISTEMIC, condition="positive").model == pn.QWEN_35B
    claims = {n.claim for n in pn.PER_CLAIM if n.claim}
    assert claims == {
        "ed_sheeran",
        "queen_elizabeth",
        "mount_vesuvius",
        "x_rebrand_reversal",
        "colorless_dreaming",
        "dentist",
    }
    for ref in pn.REFERENCES:
        assert pn.numbers_for(ref), ref
    assert pn.numbers_for(None) == ()
