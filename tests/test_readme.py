"""The README's Python API example really runs (on tiny-random instead of the embedded model)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = README.read_text()
    block = re.search(r"## Python API\n\n```python\n(.*?)```", text, re.S)
    assert block, "README lost its Python API example"
    code = (
        block.group(1)
        .replace('"smollm2-135m"', '"tiny-random"')
        .replace('load_recipe("cpu")', 'load_recipe("tiny")')
    )
    code = code.replace('"runs/rn"', repr(str(tmp_path / "rn")))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert (tmp_path / "rn" / "final" / "adapter_model.safetensors").exists()


def test_readme_names_both_commands_and_the_report_path():
    text = README.read_text()
    assert "make demo" in text and "make test" in text
    assert "runs/quickstart/report/report.md" in text
