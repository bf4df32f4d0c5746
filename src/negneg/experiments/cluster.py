"""The experiment's ``cluster:`` block: resources for ``negneg run --executor slurm``.

Its own module so that the Experiment schema can name it without importing the executors that
read it (which import the runner, which imports the schema).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Stage kinds that load a model to generate, score or train (the rest are CPU-only text work).
GPU_STAGES = ("distill", "heldout", "train", "eval", "behaviour_data", "behaviour_eval", "icl")


class ClusterSpec(BaseModel):
    """Resources for ``negneg run --executor slurm`` (ignored by the local executor)."""

    model_config = ConfigDict(extra="forbid")

    partition: str | None = Field(None, description="Slurm partition (default: the cluster's)")
    gpus_per_node: int = Field(1, ge=0, description="GPUs for each model stage (train, eval, …)")
    cpus: int = Field(8, ge=1, description="CPU cores per job")
    mem: int = Field(64, ge=1, description="memory per job, GB")
    time: int = Field(240, ge=1, description="time limit per job, minutes")
    cpu_stage_time: int = Field(60, ge=1, description="time limit of the CPU-only stages, minutes")
    gpu_stages: list[str] = Field(
        default_factory=lambda: list(GPU_STAGES), description="stage kinds that get the GPUs"
    )
    array_parallelism: int = Field(64, ge=1, description="array elements of one group running at once")
    setup: list[str] = Field(
        default_factory=list,
        description="shell lines each job runs first (module load …, source venv/bin/activate)",
    )
    slurm: dict[str, Any] = Field(
        default_factory=dict,
        description="more submitit Slurm parameters, without the slurm_ prefix (account, qos, constraint, …)",
    )
    log_dir: str | None = Field(None, description="submitit's job files and logs (default: <workdir>/slurm)")
