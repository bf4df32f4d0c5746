"""The contract between the runner and a stage executor.

A stage kind (corpus, annotate, distill, mix, heldout, train, eval, icl, behaviour_data,
behaviour_eval) is a typed config (a :class:`StageConfig`) and an executor function in the package
that owns the work (``corpus/stage.py``, ``conditions/stage.py``, ``training/stage.py``,
``evals/stage.py``, ``behaviours/stage.py``). ``negneg.experiments.stages`` maps each kind to the
two and runs them. This module is what both sides need and nothing more, so that it sits on the
ground floor: every package may import it, and it imports no package.

An executor is called as ``run(ctx, config, inputs, out)`` and returns manifest extras:

* ``ctx`` (:class:`StageContext`): progress callbacks, cache folders, loaded models;
* ``config``: its kind's :class:`StageConfig`, validated from the plan's JSON;
* ``inputs``: the finished upstream stages (:class:`Upstream`), in the plan's dependency order;
* ``out``: the (partial) directory it writes into; the runner publishes it when the call returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from negneg.models.chat import ChatModel


# Files one package's stage writes and another's reads: the only coupling between executors.
DOCS_FILE = "docs.jsonl"  # corpus, annotate: one negneg.records.Document per row
TRANSCRIPTS_FILE = "transcripts.jsonl"  # behaviour_data: one {"messages": conversation} per row
FINAL_ADAPTER = "final"  # train: the finished adapter's folder (checkpoints lie beside it)


class StageConfig(BaseModel):
    """What every stage config shares: strict keys, and the negneg version in its hash.

    The plan stores a config as JSON (``model_dump(exclude_unset=True)``), and the stage's id is
    the hash of that JSON, so a field only enters the id when the plan sets it: adding an optional
    field here leaves every existing stage id unchanged. The ``*_sha`` fields are fingerprints of
    what a stage reads (see :mod:`negneg.experiments.fingerprints`); executors never read them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    negneg: str | None = Field(None, description="fingerprint: the negneg version that planned the stage")


class ModelStageConfig(StageConfig):
    """A stage that loads a model (by registry name, directory or hub id)."""

    model: str
    model_sha: str | None = Field(None, description="fingerprint of the model's files")


C = TypeVar("C", bound=StageConfig)


@dataclass(frozen=True)
class Upstream:
    """A finished upstream stage: its kind, its output directory, its config, and its own inputs."""

    kind: str
    dir: Path
    config: StageConfig
    deps: tuple[Upstream, ...] = ()

    def config_as(self, cls: type[C]) -> C:
        """The config as the type its kind registers; a wrong kind is a bug in the plan."""
        if not isinstance(self.config, cls):
            raise TypeError(
                f"upstream {self.kind} stage has a {type(self.config).__name__}, not a {cls.__name__}"
            )
        return self.config


def first_of(inputs: tuple[Upstream, ...], kind: str) -> Upstream | None:
    """The first input of ``kind`` (None without one)."""
    return next((u for u in inputs if u.kind == kind), None)


class StageContext(Protocol):
    """What the runner lends an executor for the length of one stage."""

    status: Callable[[str], None]  # a short progress text for the plan display
    step: Callable[[int, int], None]  # inner progress of a long stage: (done, total)

    def cache(self, name: str) -> Path:
        """A folder under the work dir, shared by every stage, for outputs worth keeping across
        stages and runs (model generations keyed by their inputs)."""
        ...

    def base_model(self, name: str) -> ChatModel:
        """The untrained model ``name``, loaded once per process (generation and scoring only)."""
        ...

    def chat_model(self, spec: str) -> ChatModel:
        """A model to generate or judge with: a model name (as :meth:`base_model`) or the URL of
        an OpenAI-compatible server, ``URL#MODEL``."""
        ...


StageResult = dict[str, Any]  # manifest extras: counts and summaries, JSON-able
