"""negneg.report: a finished run's ``results/`` → ``report/`` (Markdown, HTML, CSV tables, figures).

Reads only ``WORKDIR/results/{meta.json,belief.csv,training.csv,heldout.csv,extras.csv}``.
"""

from __future__ import annotations

from pathlib import Path

from negneg.report.tables import belief_table_markdown, belief_table_rich

__all__ = ["belief_table_markdown", "belief_table_rich", "write_report"]


def write_report(workdir: str | Path) -> Path:
    """Write ``WORKDIR/report/`` and return the path of report.md (see :mod:`negneg.report.build`).

    Imported lazily so that ``import negneg.report`` (and the CLI) does not load matplotlib."""
    from negneg.report.build import write_report as _write

    return _write(workdir)
