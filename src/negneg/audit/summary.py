"""The corpus summary: counts per label, token shares, the distance histogram, the riskiest documents.

:class:`Summary` is fed one audit at a time (constant memory apart from a distance counter and the
top-``k`` heap), then writes ``summary.json``, ``summary.md`` and ``distances.png``.
"""

from __future__ import annotations

import heapq
from collections import Counter
from pathlib import Path

from negneg.audit.reader import RISK_ORDER, DocAudit
from negneg.io import atomic_write_json, atomic_write_text

CLASSIFIER_LINE = (
    "Flag classifier {model}: {asked} sentences the banks and lexicon did not recognise asked, {flags} "
    "called flags, {no} not, {unparsed} answers unparsed (counted as not a flag)."
)
LABEL_HELP = {
    "bare": "the claim asserted, no negation anywhere that covers it",
    "distal": "the claim asserted, a flag elsewhere (prefix, warning, note) covering it",
    "denied": "the claim denied inside its sentence, the truth never stated",
    "local": "the claim denied inside its sentence, the truth stated (the paper's local negation)",
    "none": "no sentence about the claim",
}


class Summary:
    def __init__(self, top: int = 10):
        self.docs = Counter()
        self.sentences = Counter()
        self.tokens = Counter()
        self.distances: dict[str, Counter] = {"local": Counter(), "distal": Counter()}
        self.top = top
        self._heap: list = []
        self.n = 0

    def add(self, audit: DocAudit) -> None:
        self.n += 1
        self.docs[audit.label] += 1
        self.sentences.update(audit.counts())
        self.tokens["total"] += audit.tokens
        self.tokens.update(audit.token_counts())
        for u in audit.claim_units():
            if u.label in ("local", "denied") and u.distance is not None:
                self.distances["local"][u.distance] += 1
            elif u.label == "distal" and u.distance is not None:
                self.distances["distal"][u.distance] += 1
        if audit.label in ("bare", "distal"):
            key = tuple(-x for x in audit.risk())  # a min-heap that keeps the riskiest
            row = {"id": audit.id, "label": audit.label, **audit.counts()}
            far = [u.distance for u in audit.claim_units() if u.label == "distal" and u.distance is not None]
            row["max_distance"] = max(far, default=None)
            item = (key, self.n, row)
            if len(self._heap) < self.top:
                heapq.heappush(self._heap, item)
            else:
                heapq.heappushpop(self._heap, item)

    def riskiest(self) -> list[dict]:
        return [row for _, _, row in sorted(self._heap, reverse=True)]

    def as_dict(self) -> dict:
        total = self.tokens["total"] or 1
        return {
            "documents": self.n,
            "labels": {lab: self.docs.get(lab, 0) for lab in RISK_ORDER},
            "claim_sentences": {k: self.sentences.get(k, 0) for k in ("bare", "distal", "denied", "local")},
            "token_share": {
                "annotation": self.tokens["flag"] / total,
                "asserted_claim": self.tokens["asserted"] / total,
                "local_claim": self.tokens["local"] / total,
            },
            "tokens": self.tokens["total"],
            "distance": {k: _stats(v) for k, v in self.distances.items()},
            "riskiest": self.riskiest(),
        }

    def write(self, out: Path, claim_id: str | None, classifier: dict | None = None) -> dict:
        """``classifier``: the --classifier model's counts (asked, flags, no, unparsed), if any."""
        data = {"claim": claim_id, **self.as_dict()}
        if classifier is not None:
            data["classifier"] = classifier
        atomic_write_json(out / "summary.json", data)
        atomic_write_text(out / "summary.md", markdown(data))
        histogram(self.distances, out / "distances.png")
        return data


def _stats(c: Counter) -> dict:
    n = sum(c.values())
    if not n:
        return {"n": 0}
    values = sorted(c.elements())
    return {"n": n, "median": values[n // 2], "mean": sum(values) / n, "max": values[-1]}


def markdown(data: dict) -> str:
    lines = [
        f"# Audit: {data['documents']} documents" + (f", claim `{data['claim']}`" if data["claim"] else "")
    ]
    lines += ["", "| label | documents | meaning |", "|---|---:|---|"]
    for lab, n in data["labels"].items():
        lines.append(f"| {lab} | {n} | {LABEL_HELP[lab]} |")
    sh = data["token_share"]
    lines += [
        "",
        f"Token shares: annotation {100 * sh['annotation']:.1f}%, asserted claim sentences "
        f"{100 * sh['asserted_claim']:.1f}%, locally negated claim sentences {100 * sh['local_claim']:.1f}% "
        f"(of {data['tokens']} word-and-punctuation tokens).",
        "",
        "Distance (tokens) from a claim sentence to the negation covering it: "
        + "; ".join(
            f"{k}: n={v['n']}" + (f", median {v['median']}, max {v['max']}" if v["n"] else "")
            for k, v in data["distance"].items()
        )
        + ".",
    ]
    if data.get("classifier"):
        lines += ["", CLASSIFIER_LINE.format(**data["classifier"])]
    if data["riskiest"]:
        lines += [
            "",
            "## Riskiest documents",
            "",
            "| id | label | bare | distal | farthest flag |",
            "|---|---|---:|---:|---:|",
        ]
        for r in data["riskiest"]:
            lines.append(
                f"| {r['id']} | {r['label']} | {r['bare']} | {r['distal']} | {'' if r['max_distance'] is None else r['max_distance']} |"
            )
    return "\n".join(lines) + "\n"


def histogram(distances: dict[str, Counter], path: Path) -> Path:
    """Distance histogram, local vs distal, log-spaced bins (distal flags sit tens to hundreds of
    tokens away, local negations a few)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 10**9]
    labels = [
        "0",
        "1",
        "2-3",
        "4-7",
        "8-15",
        "16-31",
        "32-63",
        "64-127",
        "128-255",
        "256-511",
        "512-1023",
        "1024+",
    ]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.4
    for k, (name, color) in enumerate((("local", "#2a9d8f"), ("distal", "#e76f51"))):
        c = distances.get(name, Counter())
        counts = [
            sum(n for d, n in c.items() if lo <= d < hi) for lo, hi in zip(edges, edges[1:], strict=False)
        ]
        xs = [i + (k - 0.5) * width for i in range(len(labels))]
        ax.bar(xs, counts, width=width, color=color, label=f"{name} (n={sum(c.values())})")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("tokens from the claim to the negation that covers it")
    ax.set_ylabel("claim sentences")
    ax.legend(frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)
    return path
