"""The side-by-side diff report of ``negneg localize``: one row per changed or unfixed document,
the original on the left (removed text struck out), the output on the right (new text marked)."""

from __future__ import annotations

import difflib
import html
import re
from pathlib import Path

from negneg.io import atomic_write_text

_WORDS = re.compile(r"\s+|[^\s]+")

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1400px}
table{border-collapse:collapse;width:100%}td{vertical-align:top;border-top:1px solid #ccc;padding:.6em;
white-space:pre-wrap;font-size:13px;width:50%}del{background:#fbd5d0;color:#8a1c10}ins{background:#cdeccd;
text-decoration:none}h2{font-size:15px;margin:.2em 0}.bad{color:#b00}.meta{color:#555;font-size:12px}"""


def side_by_side(old: str, new: str) -> tuple[str, str]:
    """Two HTML fragments: ``old`` with deletions in ``<del>``, ``new`` with insertions in ``<ins>``."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        x, y = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(x)
            right.append(y)
        else:
            if x:
                left.append(f"<del>{x}</del>")
            if y:
                right.append(f"<ins>{y}</ins>")
    return "".join(left), "".join(right)


class DiffReport:
    """Collects documents as they are localized, writes one HTML file at the end."""

    def __init__(self, title: str, limit: int = 200):
        self.title, self.limit = title, limit
        self.rows: list[str] = []
        self.skipped = 0

    def add(self, doc_id: str, old: str, new: str, before: str, after: str, written: bool) -> None:
        if len(self.rows) >= self.limit:
            self.skipped += 1
            return
        left, right = side_by_side(old, new)
        status = (
            "" if written else ' <span class="bad">not written (could not be fixed; --keep to keep it)</span>'
        )
        head = f'<h2>{html.escape(doc_id)}</h2><div class="meta">{before} → {after}{status}</div>'
        self.rows.append(
            f"<tr><td>{head}{left}</td><td><h2>&nbsp;</h2><div class='meta'>&nbsp;</div>{right}</td></tr>"
        )

    def write(self, path: str | Path, summary: str) -> Path:
        more = f"<p>{self.skipped} more changed documents not shown.</p>" if self.skipped else ""
        body = (
            f"<!doctype html><meta charset='utf-8'><title>{html.escape(self.title)}</title><style>{STYLE}</style>"
            f"<h1>{html.escape(self.title)}</h1><p>{html.escape(summary)}</p>"
            f"<table><tr><th>before</th><th>after</th></tr>{''.join(self.rows)}</table>{more}"
        )
        return atomic_write_text(path, body)
