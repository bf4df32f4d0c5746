"""Content fingerprints in stage ids: what a stage reads, not only what it is called.

A stage id hashes its config, so anything that can change under the same name must enter the
config as a fingerprint, or a re-run silently reuses stale results:

* ``model_sha`` (every stage with a model, and the judge/generator models): built-in models by
  their source; a model directory or cached hub snapshot by a size+mtime manifest of its weight,
  config and tokenizer files, so retraining or re-merging into the same directory is a new model;
* ``recipe_sha`` (training): the recipe file's bytes, built-in or the user's YAML;
* ``corpus_sha`` (a paper corpus): the bytes of every file under ``corpus.path``;
* ``negneg``: the package version, so an upgrade never reuses results an older version wrote.

Claim and behaviour files are fingerprinted by the plan itself (``claim_sha``, ``families_sha``).
Fingerprints work on the stage's JSON config, whatever its kind: a field named ``model``,
``judge_model`` or ``llm_model`` is a model wherever it appears (each kind's config model in
:mod:`negneg.stage`'s sense declares the matching ``*_sha`` field).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class Fingerprints:
    """Adds fingerprints to stages; each file tree is read once per plan expansion."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], str] = {}

    def _once(self, kind: str, key: str, fn) -> str:
        if (kind, key) not in self._memo:
            self._memo[(kind, key)] = fn()
        return self._memo[(kind, key)]

    def model(self, spec: str) -> str:
        if spec.startswith(("http://", "https://")):
            return "http"  # a server's model is whatever it serves; its answers are cached by URL
        from negneg.models.registry import model_fingerprint

        return self._once("model", spec, lambda: model_fingerprint(spec))

    def recipe(self, name: str) -> str:
        from negneg.errors import UserInputError
        from negneg.io import tree_fingerprint
        from negneg.training.config import recipe_registry

        def compute() -> str:
            path = Path(name)
            if path.suffix not in (".yaml", ".yml"):
                try:
                    path = recipe_registry().get(name)
                except UserInputError:
                    return "unresolved"
            return tree_fingerprint(path, contents=True)

        return self._once("recipe", name, compute)

    def corpus(self, path: str) -> str:
        from negneg.io import tree_fingerprint

        return self._once("corpus", path, lambda: tree_fingerprint(path, contents=True))

    def add(self, kind: str, config: dict[str, Any]) -> dict[str, Any]:
        """A stage's JSON ``config`` with the fingerprints of what it reads added."""
        import negneg

        cfg: dict[str, Any] = dict(config)
        extra: dict[str, Any] = {"negneg": negneg.__version__}
        if cfg.get("model"):
            extra["model_sha"] = self.model(cfg["model"])
        if cfg.get("judge_model"):
            extra["judge_model_sha"] = self.model(cfg["judge_model"])
        if cfg.get("llm_model"):
            extra["llm_model_sha"] = self.model(cfg["llm_model"])
        if kind == "train" and cfg.get("recipe"):
            extra["recipe_sha"] = self.recipe(str(cfg["recipe"]))
        if kind == "corpus" and cfg.get("source") == "paper" and cfg.get("path"):
            extra["corpus_sha"] = self.corpus(str(cfg["path"]))
        return {**cfg, **extra}
