"""``write_report(workdir)``: results/ → report/ (report.md, report.html, CSV tables, figures)."""

from __future__ import annotations

from pathlib import Path

from negneg.io import atomic_write_text
from negneg.report import figures, tables
from negneg.report.aggregate import build_cells
from negneg.report.comparison import compare
from negneg.report.data import ReportData, load_results
from negneg.report.document import Bullets, Figure, Heading, Paragraph, ReportDocument, to_html, to_markdown
from negneg.report.findings import findings_blocks
from negneg.report.neglect import cross_model_table, neglect_table
from negneg.report.paper_numbers import models_named, numbers_for


def _header(data: ReportData) -> list:
    m = data.meta
    facts = [f"experiment: `{m.experiment}`" + (f" (preset `{m.preset}`)" if m.preset else "")]
    if m.models:
        facts.append("models: " + ", ".join(m.models))
    if m.claims:
        facts.append("claims: " + ", ".join(m.claims))
    if m.wall_s is not None:
        facts.append(
            f"wall time: {m.wall_s / 60:.1f} min" + (f" ({m.started} → {m.finished})" if m.started else "")
        )
    if m.negneg_version:
        facts.append(f"negneg {m.negneg_version}")
    blocks: list = []
    if m.description:
        blocks.append(Paragraph(m.description))
    blocks.append(Bullets(facts))
    return blocks


def _figure(doc: ReportDocument, path: Path | None, caption: str, missing: str) -> None:
    if path:
        doc.add(Figure(path, caption))
    elif missing:
        doc.add(Paragraph(missing))


def build_document(data: ReportData, out_dir: Path) -> tuple[ReportDocument, list[Path]]:
    """Lay out the report and write its figures and CSVs; return the document and the files."""
    written: list[Path] = []
    doc = ReportDocument(f"negneg report — {data.meta.experiment}")
    doc.add(*_header(data))
    cells = build_cells(data.belief)
    has_belief = any(r.measure in ("likelihood", "judged") for r in data.belief)

    doc.add(Heading("What this run shows"))
    doc.add(*findings_blocks(data))
    _figure(
        doc,
        figures.neglect_shifts(data, out_dir),
        "Shift from the untrained model by condition: log-odds of the belief answer against the other "
        "(nats), paired by question, 95% bootstrap CIs; small markers per probe type; ρ = Δ/Δ(positive) "
        "over each bar; hollow diamond: where the paper's ρ would put the condition given this run's "
        "positive shift.",
        "",
    )
    table = neglect_table(data)
    if table is not None:
        doc.add(table)
        written.append(tables.write_neglect_csv(table, out_dir))
    across = cross_model_table(data)
    if across is not None:
        doc.add(Heading("Across models"))
        doc.add(across)

    doc.add(Heading("Belief by condition"))
    if has_belief:
        doc.add(tables.main_table(data.belief, data.shifts))
        _figure(
            doc,
            figures.belief_by_condition(data, out_dir),
            "Belief by condition (final adapters, 95% CIs): likelihood as mean log-odds (nats), judged as "
            "the rate of 'yes'; dashed line: the untrained baseline.",
            "",
        )
    else:
        doc.add(Paragraph("No likelihood or judged belief rows in this run."))
    written += tables.write_belief_csvs(data.belief, out_dir, data.shifts)

    doc.add(Heading("Probe by probe"))
    _figure(
        doc,
        figures.probe_shifts(data, out_dir),
        "Each likelihood probe's shift from the untrained model (log-odds, nats), one marker per "
        "condition; hollow markers show the shift of log P(claim's words) where it differs by more than "
        "1 nat (association without belief). Probes that disagree with the pooled shift are confounded "
        "or measure something else (results/probes.csv).",
        "Not run: no probes.csv (needs an untrained-baseline eval and likelihood probes).",
    )

    if has_belief:
        doc.add(Heading("Belief by eval type"))
        doc.add(*tables.eval_type_tables(data.belief))
        _figure(doc, figures.belief_by_eval_type(data, out_dir), "Belief by eval type and condition.", "")

    doc.add(Heading("Training dynamics"))
    _figure(
        doc,
        figures.training_dynamics(data, out_dir),
        "Loss, held-out NLL and belief over training steps (dotted line: phase boundary, when two-phase).",
        "Not run: no training.csv and no checkpoint-level belief rows.",
    )
    doc.add(Heading("Dose-response"))
    _figure(
        doc,
        figures.dose_response(data, out_dir),
        "Belief against annotation density (95% CIs).",
        "Not run: no density sweep.",
    )
    doc.add(Heading("In-context control"))
    _figure(
        doc,
        figures.icl(data, out_dir),
        "Belief against K annotated documents in context (no finetuning).",
        "Not run: no icl rows.",
    )
    doc.add(Heading("Negated behaviours"))
    beh = tables.behaviour_table(data.belief)
    if beh:
        doc.add(beh)
    _figure(
        doc,
        figures.behaviours(data, out_dir),
        "Share of responses showing the behaviour (95% CIs).",
        "Not run: no behaviour rows.",
    )

    doc.add(Heading("Extras"))
    order = list(dict.fromkeys(r.condition for r in data.belief))
    extras = tables.extras_table(data.extras, order)
    doc.add(
        extras if extras else Paragraph(f"Not run: extras.csv {data.notes.get('extras.csv', 'has no rows')}.")
    )

    ref = data.meta.paper_reference
    doc.add(Heading("The paper's numbers beside this run's"))
    if not numbers_for(ref):
        doc.add(Paragraph(f"No paper experiment to compare with (paper_reference: {ref or 'none'})."))
    else:
        rows = compare(data, cells)
        paper_models = ", ".join(models_named(numbers_for(ref)))
        ours = ", ".join(dict.fromkeys(r.model for r in data.belief))
        behaviour = any(n.measure == "behaviour" for n in numbers_for(ref))
        what = "% of responses showing the behaviour" if behaviour else "judged belief, %"
        doc.add(
            Paragraph(
                f"Reference `{ref}`. Paper: {paper_models} ({what}). negneg: {ours}. The paper's numbers, "
                "each with its section, are in negneg/data/paper_numbers.yaml; negneg values are final adapters, "
                "pooled claims are means over this run's claims."
            )
        )
        if rows:
            doc.add(tables.comparison_table(rows))
            written.append(tables.write_comparison_csv(rows, out_dir))
        else:
            doc.add(
                Paragraph(
                    "None of the paper's numbers for this reference match a claim/condition in this run."
                )
            )

    if data.notes:
        doc.add(Heading("Inputs"))
        doc.add(Bullets([f"{name}: {why}" for name, why in sorted(data.notes.items())]))
    return doc, written


def write_report(workdir: str | Path) -> Path:
    """Read ``WORKDIR/results`` and write ``WORKDIR/report/`` (report.md, report.html, CSVs, PNG/SVG
    figures). Returns the path of report.md. A missing work dir or belief.csv is a UserInputError."""
    data = load_results(workdir)
    out_dir = Path(workdir) / "report"
    out_dir.mkdir(parents=True, exist_ok=True)
    doc, _ = build_document(data, out_dir)
    atomic_write_text(out_dir / "report.html", to_html(doc))
    return atomic_write_text(out_dir / "report.md", to_markdown(doc))
