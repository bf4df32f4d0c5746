"""Bad input, tried as a new user would: every command × malformed inputs → one line, exit 2.

Each case runs ``negneg`` in-process in a scratch work dir filled with malformed files (empty,
binary, not UTF-8, nested too deeply, JSON that is not an object, corrupt zstd, a directory where a
file belongs, …) and checks the promise of DESIGN.md: exit code 2, exactly one ``error:`` line on
stderr, no traceback, and the work dir byte-for-byte unchanged (nothing half-written, nothing of
the user's touched). Only ``tiny-random`` is ever loaded, and most cases fail before any model
loads, so the whole table runs in seconds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negneg.cli import main

GOOD_DOC = {"id": "d0", "claim_id": "ed_sheeran", "doc_type": "news", "text": "Ed Sheeran won.", "spans": []}


def _populate(root: Path) -> None:
    """The malformed inputs every case may point at (paths relative to the work dir)."""
    (root / "empty.yaml").write_text("")
    (root / "empty.jsonl").write_text("")
    (root / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (root / "binary.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)))
    (root / "latin1.yaml").write_bytes("id: caf\xe9\nclaim: x\n".encode("latin-1"))
    (root / "deep.yaml").write_text("a: " + "[" * 800 + "]" * 800 + "\n")  # past the recursion limit
    (root / "syntax.yaml").write_text("id: [unclosed\n")
    (root / "list.yaml").write_text("- a\n- b\n")
    (root / "wrong_types.yaml").write_text("id: 3\nclaim: [1, 2]\nsubclaims: 7\n")
    (root / "number.jsonl").write_text("42\n")
    (root / "array.jsonl").write_text("[1, 2]\n")
    (root / "string.jsonl").write_text('"text"\n')
    (root / "notjson.jsonl").write_text("{not json\n")
    (root / "wrong_fields.jsonl").write_text(json.dumps({"id": 1, "text": None}) + "\n")
    (root / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n")
    (root / "corrupt.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfd" + b"garbage" * 20)
    (root / "notzstd.jsonl.zst").write_text(json.dumps(GOOD_DOC) + "\n")
    (root / "good.jsonl").write_text(json.dumps(GOOD_DOC) + "\n")
    (root / "adir").mkdir()
    (root / "adir" / "keep.txt").write_text("the user's file\n")
    for name, meta, belief in (("run_binary", b'{"experiment": "x"}', bytes(range(256))),
                               ("run_nul", b'{"experiment": "x"}', b"claim,run\n\0\0\n"),
                               ("run_meta", b"\xff\xfe{", b"claim\n")):  # fmt: skip
        (root / name / "results").mkdir(parents=True)
        (root / name / "results" / "meta.json").write_bytes(meta)
        (root / name / "results" / "belief.csv").write_bytes(belief)
    (root / "exp_bad_yaml.yaml").write_text("name: x\nconditions: [positive\n")
    (root / "exp_not_mapping.yaml").write_text("[1, 2, 3]\n")
    (root / "exp_unknown_field.yaml").write_text(
        "name: x\nconditions: [positive]\nclaims: [ed_sheeran]\nbogus: 1\n"
    )
    for name, extra in LATE_FAILURES.items():
        (root / f"late_{name}.yaml").write_text(_experiment(extra))
    (root / "exp_unknown_cond.yaml").write_text("name: x\nconditions: [positve]\nclaims: [ed_sheeran]\n")


# Experiments that pass the schema but would fail only when a stage runs (after training).
BASE_EXPERIMENT = (
    "name: x\nclaims: [ed_sheeran]\nconditions: [positive]\nmodels: [tiny-random]\nrecipe: tiny\n"
)
LATE_FAILURES = {
    "temperature": "eval: {temperature: -1}",
    "top_p": "eval: {top_p: 0}",
    "judge": "eval: {judges: [nosuchjudge]}",
    "judge_model": "eval: {judges: [llm], judge_model: foo/bar}",
    "override_value": "recipe_overrides: {lr: -1}",
    "override_name": "recipe_overrides: {bogus: 1}",
    "phase2": "two_phase: {phase2_recipe_overrides: {lr: abc}}",
    "density": "condition_options: {density: 3}",
    "option": "condition_options: {dens: 0.5}",
    "sweep": "densities: [0.5, 2]",
    "icl_condition": "icl: {condition: nosuch}",
    "icl_k": "icl: {ks: [-1]}",
    "hub_model": "models: [foo/bar]",
    "model_dir": "models: [./no_such_dir/]",
    "paper_path": "corpus: {source: paper, path: no_such_dir}",
    "paper_no_path": "corpus: {source: paper}",
    "llm_model": "corpus: {source: llm, llm_model: foo/bar}",
    "claim_file": "claims: [latin1.yaml]",
    "recipe_file": "recipe: latin1.yaml",
}


def _experiment(extra: str) -> str:
    key = extra.split(":")[0]
    kept = "".join(line + "\n" for line in BASE_EXPERIMENT.splitlines() if not line.startswith(key + ":"))
    return kept + extra + "\n"


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad_input")
    _populate(root)
    return root


def assert_one_line_exit_2(args: list[str], root: Path, capsys, monkeypatch) -> str:
    """Run ``negneg ARGS`` in ``root``: exit 2, one ``error:`` line, no traceback, nothing written."""
    monkeypatch.chdir(root)
    before = _snapshot(root)
    capsys.readouterr()
    rc = main(args)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert rc == 2, f"{args}: exit {rc}\nstderr: {err}\nstdout: {out}"
    assert "Traceback" not in err + out, f"{args}: traceback\n{err}"
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{args}: not one error line:\n{err}"
    assert _snapshot(root) == before, f"{args}: the work dir changed"
    return lines[0]


# Inputs that are wrong in the same way wherever a file is expected.
BAD_YAML = ["empty.yaml", "binary.bin", "latin1.yaml", "deep.yaml", "syntax.yaml", "list.yaml",
            "wrong_types.yaml", "adir", "missing.yaml"]  # fmt: skip
BAD_JSONL = ["empty.jsonl", "binary.jsonl", "number.jsonl", "array.jsonl", "string.jsonl",
             "notjson.jsonl", "wrong_fields.jsonl", "deep.jsonl", "corrupt.jsonl.zst",
             "notzstd.jsonl.zst", "adir", "missing.jsonl"]  # fmt: skip
BAD_EXPERIMENTS = ["exp_bad_yaml.yaml", "exp_not_mapping.yaml", "exp_unknown_field.yaml",
                   "exp_unknown_cond.yaml", "empty.yaml", "binary.bin", "latin1.yaml", "deep.yaml",
                   "adir", "no_such_preset"]  # fmt: skip

CASES: list[list[str]] = [
    # the issue's examples
    ["chat", "tiny-random", "hi", "-n", "0"],
    ["chat", "foo/bar", "hi"],
    ["chat", "tiny-random", "hi", "--adapter", "/nonexistent"],
    ["serve", "tiny-random", "--port", "70000"],
    ["report", "adir"],
    ["claims", "show", "adir/"],
    ["claims", "show", "latin1.yaml"],
    ["claims", "show", "deep.yaml"],
    ["train", "--docs", "number.jsonl", "--model", "tiny-random", "--recipe", "tiny"],
    ["docs", "stats", "binary.jsonl"],
    ["docs", "stats", "corrupt.jsonl.zst"],
    # claims
    *[["claims", cmd, f] for cmd in ("show", "validate", "check-probes") for f in BAD_YAML],
    ["claims", "show", "ed_sheran"],
    *[
        ["claims", "calibration", "--calibration", f]
        for f in ("binary.bin", "latin1.yaml", "adir", "missing.json")
    ],
    ["claims", "calibration", "nosuchclaim"],
    ["claims", "import", "missing_dir"],
    ["claims", "import", "good.jsonl"],
    ["claims", "import", "adir"],
    # models and chat
    ["models", "show", "foo/bar"],
    ["models", "show", "good.jsonl"],
    ["models", "show", "adir"],
    ["chat", "tiny-random", "hi", "-n", "-5"],
    ["chat", "tiny-random", "hi", "-n", "99999999999999999999"],
    ["chat", "tiny-random", "hi", "--temperature", "-1"],
    ["chat", "tiny-random", "hi", "--top-p", "0"],
    ["chat", "tiny-random", "hi", "--max-new-tokens", "0"],
    ["chat", "tiny-random", "hi", "--max-new-tokens", "abc"],
    ["chat", "tiny-random", "hi", "--adapter", "adir"],
    ["chat", "tiny-random", "hi", "--adapter", "good.jsonl"],
    ["chat", "smollm2-135", "hi"],
    ["chat", "./no_such_model_dir", "hi"],
    ["chat", "good.jsonl", "hi"],
    # serve
    ["serve", "tiny-random", "--port", "-1"],
    ["serve", "foo/bar"],
    ["serve", "tiny-random", "--adapter", "/nonexistent"],
    # documents
    *[["docs", cmd, f] for cmd in ("stats", "show") for f in BAD_JSONL],
    ["docs", "show", "good.jsonl", "--index", "5"],
    ["docs", "show", "good.jsonl", "--index", "-1"],
    ["docs", "generate", "--claim", "no_such_claim", "-n", "2", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "latin1.yaml", "-n", "2", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", "0", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", "-3", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", str(10**30), "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", "two", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", "2", "--universe", "upside", "--out", "o.jsonl"],
    ["docs", "generate", "--claim", "ed_sheeran", "-n", "2", "--llm", "foo/bar", "--out", "o.jsonl"],
    *[
        ["docs", "import", f, "--claim", "ed_sheeran", "--out", "o.jsonl"]
        for f in ("binary.jsonl", "number.jsonl", "corrupt.jsonl.zst", "missing.jsonl", "adir")
    ],  # fmt: skip
    ["docs", "types", "--universe", "upside"],
    # conditions and annotate
    ["conditions", "show", "fictoin"],
    ["conditions", "show", "negated", "--claim", "latin1.yaml"],
    *[["annotate", "-c", "negated", "--docs", f, "--claim", "ed_sheeran", "--out", "ann"] for f in BAD_JSONL],
    ["annotate", "-c", "negatd", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--out", "ann"],
    ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "deep.yaml", "--out", "ann"],
    ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--density", "7"],
    # train
    *[["train", "--docs", f, "--model", "tiny-random", "--recipe", "tiny", "--out", "t"] for f in BAD_JSONL],
    ["train", "--docs", "good.jsonl", "--model", "foo/bar", "--recipe", "tiny", "--out", "t"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "nosuch", "--out", "t"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "latin1.yaml", "--out", "t"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--set", "bogus=1"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--set", "lr=-1"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--max-steps", "-1"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--window", "x"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--limit", "0"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--lr", "-0.1"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--set", "novalue"],
    [
        "train",
        "--docs",
        "good.jsonl",
        "--model",
        "tiny-random",
        "--recipe",
        "tiny",
        "--init-adapter",
        "/nonexistent",
        "--out",
        "t",
    ],  # fmt: skip
    # merge
    ["merge", "/nonexistent", "--model", "tiny-random", "--out", "m"],
    ["merge", "adir", "--model", "tiny-random", "--out", "m"],
    # eval and judges
    *[
        ["eval", "--model", "tiny-random", "--claim", f]
        for f in ("latin1.yaml", "deep.yaml", "adir/", "nosuch")
    ],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--adapter", "/nonexistent"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--samples", "0"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--judge", "nosuch"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--probes", "nosuch"],
    ["eval", "--model", "foo/bar", "--claim", "ed_sheeran", "--probes", "likelihood", "--out", "e"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--icl-docs", "number.jsonl", "--out", "e"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--icl-k", "x,y", "--icl-docs", "good.jsonl"],
    [
        "eval",
        "--model",
        "tiny-random",
        "--claim",
        "ed_sheeran",
        "--baseline-from",
        "binary.jsonl",
        "--out",
        "e",
    ],  # fmt: skip
    *[["judge-agreement", f, "--judges", "rule,rule_broad"] for f in BAD_JSONL],
    # corpus audit and repair stream their input: a bad row midway must not leave output behind
    *[["audit", f, "--out", "audit_out"] for f in BAD_JSONL if f != "empty.jsonl"],
    *[
        ["localize", f, "--claim", "ed_sheeran", "--out", "fixed/out.jsonl"]
        for f in BAD_JSONL
        if f != "empty.jsonl"
    ],
    ["audit", "good.jsonl", "--claim", "nosuch"],
    ["localize", "good.jsonl", "--out", "fixed.jsonl"],
    ["judge-eval", "--cases", "missing_dir"],
    ["judge-eval", "--cases", "adir"],
    ["judge-eval", "--judges", "nosuch"],
    # experiments and reports
    *[["run", f, "--dry-run"] for f in BAD_EXPERIMENTS],
    *[["run", "quickstart", "--dry-run", "--shard", s] for s in ("3/2", "x", "-1/2", "0/0")],
    ["run", "quickstart", "--dry-run", "--recipe", "nosuch"],
    ["run", "quickstart", "--dry-run", "--model", "foo/bar"],
    # the whole experiment is checked before its first stage, in a dry run and in a real one
    *[
        ["run", f"late_{name}.yaml", *extra]
        for name in LATE_FAILURES
        for extra in (["--dry-run"], ["-w", "wd"])
    ],
    ["run", "quickstart", "-w", "adir"],
    ["run", "quickstart", "-w", "good.jsonl"],
    ["demo", "-w", "adir"],
    ["demo", "-w", "good.jsonl"],
    ["run", "quickstart", "-w", "adir", "--dry-run"],
    ["presets", "show", "nosuch"],
    ["report", "missing_dir"],
    ["report", "good.jsonl"],
    ["report", "run_binary"],
    ["report", "run_nul"],
    ["report", "run_meta"],
    # output directories the user owns are refused (nothing of theirs is touched)
    ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--out", "adir"],
    ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--out", "good.jsonl"],
    ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--out", "."],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--probes", "likelihood", "--out", "adir"],
    ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--probes", "likelihood", "--out", "."],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--out", "adir"],
    ["train", "--docs", "good.jsonl", "--model", "tiny-random", "--recipe", "tiny", "--out", "."],
    # the CLI itself
    ["frobnicate"],
    ["claims", "validate", "--bogus"],
]


# Commands that read no user input (nothing to get wrong).
NO_INPUT = {"claims list", "models list", "conditions list", "presets list"}
NOT_YET: set[str] = set()


def test_every_command_has_bad_input_cases():
    import typer.main

    from negneg.cli import app

    def leaves(group, prefix=""):
        for name, cmd in group.commands.items():
            path = f"{prefix}{name}"
            if hasattr(cmd, "commands"):
                yield from leaves(cmd, path + " ")
            else:
                yield path

    covered = {" ".join(a[:2]) for a in CASES} | {a[0] for a in CASES}
    missing = [c for c in leaves(typer.main.get_command(app)) if c not in covered | NO_INPUT | NOT_YET]
    assert not missing, f"add bad-input cases for: {missing}"


@pytest.mark.parametrize("args", CASES, ids=[" ".join(a) for a in CASES])
def test_bad_input_is_one_line_exit_2(args, workdir, capsys, monkeypatch):
    assert_one_line_exit_2(args, workdir, capsys, monkeypatch)


def test_issue_examples_name_the_file_field_and_fix(workdir, capsys, monkeypatch):
    line = assert_one_line_exit_2(["run", "late_temperature.yaml", "--dry-run"], workdir, capsys, monkeypatch)
    assert "late_temperature.yaml" in line and "eval.temperature" in line
    line = assert_one_line_exit_2(["run", "late_judge.yaml", "--dry-run"], workdir, capsys, monkeypatch)
    assert "eval.judges" in line and "nosuchjudge" in line
    line = assert_one_line_exit_2(["chat", "foo/bar", "hi"], workdir, capsys, monkeypatch)
    assert "unknown model 'foo/bar'" in line and "never downloads" in line
    line = assert_one_line_exit_2(["chat", "smollm2-135", "hi"], workdir, capsys, monkeypatch)
    assert "did you mean 'smollm2-135m'" in line
    line = assert_one_line_exit_2(["claims", "show", "latin1.yaml"], workdir, capsys, monkeypatch)
    assert "latin1.yaml" in line and "UTF-8" in line
    line = assert_one_line_exit_2(["docs", "stats", "number.jsonl"], workdir, capsys, monkeypatch)
    assert "number.jsonl" in line and "line 1" in line and "not an object" in line
    line = assert_one_line_exit_2(["serve", "tiny-random", "--port", "70000"], workdir, capsys, monkeypatch)
    assert "--port" in line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".jsonl", ".jsonl.zst"]))
def test_any_bytes_are_read_or_refused_in_one_line(data, suffix, tmp_path_factory, capsys, monkeypatch):
    """Whatever bytes a claim or documents file holds, negneg reads it or refuses it in one line."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / f"f{suffix}").write_bytes(data)
    cmd = (
        ["claims", "show", f"f{suffix}"] if suffix == ".yaml" else ["docs", "stats", f"f{suffix}", "--words"]
    )
    monkeypatch.chdir(root)
    capsys.readouterr()
    rc = main(cmd)
    out, err = capsys.readouterr()
    assert rc in (0, 2) and "Traceback" not in err, err
    if rc == 2:
        assert len([x for x in err.splitlines() if x.strip()]) == 1


# ------------------------------------------------------------------------- output directories
@pytest.fixture(scope="module")
def adapter(tmp_path_factory) -> Path:
    """A LoRA adapter of tiny-random, trained for two steps through the CLI."""
    root = tmp_path_factory.mktemp("adapter")
    docs = root / "docs.jsonl"
    assert main(["docs", "generate", "--claim", "ed_sheeran", "-n", "2", "--out", str(docs)]) == 0
    args = ["train", "--docs", str(docs), "--model", "tiny-random", "--recipe", "tiny", "--max-steps", "2"]
    assert main([*args, "--out", str(root / "run")]) == 0
    return root / "run" / "final"


def _weights(d: Path) -> str:
    return hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()


def test_merge_never_deletes_or_replaces_the_users_files(adapter, tmp_path, capsys, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    merge = ["merge", str(adapter), "--model", "tiny-random", "--out"]
    line = assert_one_line_exit_2([*merge, "user"], tmp_path, capsys, monkeypatch)
    assert "--force" in line and "not written by negneg" in line
    # --out . (the issue's crash) is refused the same way, and works with --force
    assert_one_line_exit_2([*merge, "."], user, capsys, monkeypatch)
    assert main([*merge, ".", "--force"]) == 0
    assert (user / "notes.txt").read_text() == "mine" and (user / "config.json").exists()
    # a user's file where a merged file would go is never replaced, even with --force
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text("{}")
    line = assert_one_line_exit_2([*merge, "other", "--force"], tmp_path, capsys, monkeypatch)
    assert "config.json" in line
    # negneg's own output dir is reused: a second merge gives the same weights, no stale temp dirs
    own = tmp_path / "own"
    assert main([*merge, str(own)]) == 0
    first = _weights(own)
    assert main([*merge, str(own)]) == 0
    assert _weights(own) == first and not list(own.glob(".negneg-merge-*"))
    assert (user / "notes.txt").read_text() == "mine"


def test_outputs_go_beside_the_users_files_with_force(tmp_path, capsys, monkeypatch):
    _populate(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["annotate", "-c", "negated", "--docs", "good.jsonl", "--claim", "ed_sheeran", "--out", "adir"]
    assert main([*args, "--force"]) == 0
    assert (tmp_path / "adir" / "keep.txt").read_text() == "the user's file\n"
    assert (tmp_path / "adir" / "negated.jsonl").exists()
    # a new directory becomes negneg's: rerunning into it needs no --force
    args[-1] = "fresh"
    assert main(args) == 0 and main(args) == 0
