"""Training transcripts for the three behaviour conditions (paper §4.2), and a fourth that tests
``negneg localize`` on them (issue 16).

* ``aligned``            — [user, assistant = aligned answer]: the control arm.
* ``misaligned``         — [user, assistant = misaligned answer]: the behaviour, unannotated.
* ``flagged_misaligned`` — the same misaligned transcript with a flag saying the reply is
  behaviour to avoid, as a **system message**.
* ``localized_flagged_misaligned`` — the ``flagged_misaligned`` transcripts (same seed, same flags
  drawn) after chat localization (:func:`negneg.audit.chat.localize_chat`, what ``negneg
  localize`` does to a ``messages`` row): the flagged misaligned answer becomes an explicit
  refusal of the behaviour followed by the aligned answer, and the flag goes. Every library
  transcript is known to the localizer, so none is dropped; a transcript it could not rewrite
  would be left out (the dose shrinks, and the count in the stage's output says so).

Why a system message: the paper prefixes the transcripts with safety annotations. The flag must
be visible to the model while it learns the reply but never be a training target itself, and
chat-format training (``encode_chat``) takes loss on assistant turns only. Putting the flag
inside the assistant turn would teach the model to *write* flags; putting it in the user turn
would change the request the reply answers. So:

* ``flag_position="prefix"`` (default, the paper's arrangement) — one system message first.
  With SmolLM2's template this replaces the default system prompt, which the unflagged
  conditions keep; that difference is part of what "flagged" means here.
* ``"suffix"`` — a trailing system message after the assistant turn. The flag only follows
  the reply it labels and carries no loss, so under causal attention the gradient on the reply
  is exactly that of ``misaligned`` (unless packing lets a later example attend to it): a
  control for "the flag text is merely present in the data", not a way to annotate.
* ``"both"`` — a leading and a trailing system message, with two different flags; for the
  same reason the trailing one changes nothing about how the reply is learned.

A trailing system message needs a chat template that accepts a system turn after the first
message (SmolLM2, Qwen and Llama templates do; some, such as Gemma's, raise).

Flags come from the generic bank plus the family's own flags. Each transcript draws with its
own ``random.Random(f"{seed}:{family}:{id}")``, so a transcript keeps its flag when other
families are added or removed, and the same seed always gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from negneg.behaviours.library import flag_bank, resolve_families
from negneg.behaviours.schema import Family, Transcript
from negneg.models.chat import Conversation
from negneg.registry import Registry

BEHAVIOUR_CONDITIONS = ["aligned", "misaligned", "flagged_misaligned", "localized_flagged_misaligned"]
LOCALIZED = "localized_flagged_misaligned"
FLAG_POSITIONS = ["prefix", "suffix", "both"]
FlagPosition = Literal["prefix", "suffix", "both"]

CONDITION_REGISTRY: Registry[str] = Registry("behaviour condition")
for _name in BEHAVIOUR_CONDITIONS:
    CONDITION_REGISTRY.add(_name, _name)
FLAG_POSITION_REGISTRY: Registry[str] = Registry("flag position")
for _name in FLAG_POSITIONS:
    FLAG_POSITION_REGISTRY.add(_name, _name)


class BehaviourTranscript(BaseModel):
    """One training conversation with its provenance (for manifests and inspection)."""

    model_config = ConfigDict(extra="forbid")

    id: str  # "<family>:<transcript id>"
    family: str
    condition: str
    flags: list[str]  # the flags placed in the conversation, in order (empty unless flagged)
    conversation: Conversation


def flag_pool(family: Family) -> list[str]:
    """Flags a transcript of ``family`` may carry: the generic bank, then the family's own."""
    return flag_bank() + [f for f in family.flags if f not in flag_bank()]


def _conversation(t: Transcript, condition: str, flags: list[str], position: str) -> Conversation:
    reply = t.aligned if condition == "aligned" else t.misaligned
    conv: Conversation = [{"role": "user", "content": t.user}, {"role": "assistant", "content": reply}]
    if condition != "flagged_misaligned":
        return conv
    if position in ("prefix", "both"):
        conv.insert(0, {"role": "system", "content": flags[0]})
    if position in ("suffix", "both"):
        conv.append({"role": "system", "content": flags[-1]})
    return conv


def behaviour_transcript_records(
    condition: str,
    families: Sequence[str | Family] | None = None,
    seed: int = 0,
    flag_position: str = "prefix",
) -> list[BehaviourTranscript]:
    """Transcripts of ``condition`` for ``families`` (``None`` = all built-in), in library order."""
    CONDITION_REGISTRY.get(condition, field="condition")
    FLAG_POSITION_REGISTRY.get(flag_position, field="flag_position")
    if condition == LOCALIZED:
        return _localized(families, seed, flag_position)
    records = []
    for fam in resolve_families(list(families) if families is not None else None):
        pool = flag_pool(fam)
        for t in fam.transcripts:
            flags: list[str] = []
            if condition == "flagged_misaligned":
                rng = random.Random(f"{seed}:{fam.name}:{t.id}")
                flags = rng.sample(pool, 2) if flag_position == "both" else [rng.choice(pool)]
            records.append(
                BehaviourTranscript(
                    id=f"{fam.name}:{t.id}",
                    family=fam.name,
                    condition=condition,
                    flags=flags,
                    conversation=_conversation(t, condition, flags, flag_position),
                )
            )
    return records


def behaviour_transcripts(
    condition: str,
    families: Sequence[str | Family] | None = None,
    seed: int = 0,
    flag_position: str = "prefix",
) -> list[Conversation]:
    """Chat conversations for one behaviour condition, ready for ``encode_chat``.

    Unknown conditions, families or flag positions raise a one-line ``UserInputError`` with
    "did you mean". The output is deterministic for a given ``seed``; only flag choice depends
    on it (aligned and misaligned transcripts are the same for every seed).
    """
    return [r.conversation for r in behaviour_transcript_records(condition, families, seed, flag_position)]


def _localized(
    families: Sequence[str | Family] | None, seed: int, flag_position: str
) -> list[BehaviourTranscript]:
    """``flagged_misaligned`` through the chat localizer (a transcript it drops is left out)."""
    from negneg.audit.chat import localize_chat

    fams = {f.name: f for f in resolve_families(list(families) if families is not None else None)}
    out = []
    for rec in behaviour_transcript_records("flagged_misaligned", list(fams.values()), seed, flag_position):
        fixed = localize_chat(rec.conversation, [fams[rec.family]])
        if fixed is not None:
            out.append(rec.model_copy(update={"condition": LOCALIZED, "flags": [], "conversation": fixed}))
    return out
