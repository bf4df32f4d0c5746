"""Content fingerprints in stage ids: what a stage reads, not only what it is called.

A stage id hashes its config, so anything that can change under the same name must enter the
config as a fingerprint, or a re-run silently reuses stale results:

* ``model_sha`` (every stage with a model, and the judge/generator models): built-in models by
  their source; a model directory or cached hub snapshot by a size+mtime manifest of its weight,
  config and tokenizer files, so retraining or re-merging into the same directory is a new model;
* ``recipe_sha`` (training): the recipe file's bytes, built-in or the user's YAML;
* ``corpus_sha`` (a paper corpus): the bytes of every file under ``corpus.path``;
* ``judge_code_sha`` (evals that judge sampled answers): the bytes of the judges' code and
  rubrics, so a judge fix re-judges instead of reusing verdicts cached under the old code;
* ``negneg``: the package version, so an upgrade never reuses results an older version wrote.

Claim and behaviour files are fingerprinted by the plan itself (``claim_sha``, ``families_sha``).
Each kind's config declares the ``*_sha`` fields it may carry (``negneg.stage.StageConfig``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from negneg.stage import ModelStageConfig, StageConfig


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

    def add(self, config: StageConfig) -> dict[str, Any]:
        """A stage's config as the plan stores it (the fields set), with the fingerprints of what
        it reads added."""
        import negneg
        from negneg.behaviours.judges import behaviour_judge_code_fingerprint
        from negneg.behaviours.stage import BehaviourEvalStageConfig
        from negneg.corpus.stage import CorpusStageConfig
        from negneg.evals.judges import judge_code_fingerprint
        from negneg.evals.stage import ProbeStageConfig
        from negneg.training.stage import TrainStageConfig

        extra: dict[str, Any] = {"negneg": negneg.__version__}
        if isinstance(config, ModelStageConfig):
            extra["model_sha"] = self.model(config.model)
        if isinstance(config, ProbeStageConfig | BehaviourEvalStageConfig) and config.judge_model:
            extra["judge_model_sha"] = self.model(config.judge_model)
        if isinstance(config, ProbeStageConfig) and config.judges and "generative" in config.probes:
            extra["judge_code_sha"] = self._once("judge_code", "claims", judge_code_fingerprint)
        if isinstance(config, BehaviourEvalStageConfig) and config.judges:
            extra["judge_code_sha"] = self._once("judge_code", "behaviours", behaviour_judge_code_fingerprint)
        if isinstance(config, CorpusStageConfig):
            if config.llm_model:
                extra["llm_model_sha"] = self.model(config.llm_model)
            if config.source == "paper" and config.path:
                extra["corpus_sha"] = self.corpus(config.path)
        if isinstance(config, TrainStageConfig) and config.recipe:
            extra["recipe_sha"] = self.recipe(config.recipe)
        return {**config.model_dump(mode="json", exclude_unset=True), **extra}
