"""Chat transcripts (the negated-behaviours families): audit a flagged misaligned answer, and
localize it by rewriting the answer itself into the aligned one with an explicit refusal.

A transcript is a list of ``{"role", "content"}`` messages. Its *flags* are messages (usually a
system message) or sentences that the audit's lexicon or negneg's behaviour flag bank recognise;
its *asserted* spans are assistant turns that show a behaviour (the behaviour rule judge, every
family's patterns). Labels, as for documents: ``distal`` (a misaligned answer, flagged elsewhere),
``bare`` (misaligned, no flag), ``local`` (the answer refuses the behaviour itself), ``none``.

Localizing: a flagged or bare misaligned answer whose request is one of the library's transcripts
becomes ``<refusal> <aligned answer>`` and the flags go; a transcript the library does not know
cannot be rewritten offline and is dropped (or kept as is with ``keep``). ``families`` (names,
YAML paths or :class:`~negneg.behaviours.schema.Family`) narrow both the judge's patterns and the
transcripts known; by default every built-in family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from negneg.audit.lexicon import recognise_flag
from negneg.corpus.sentences import sentences

# An explicit refusal of the behaviour, per built-in family (others get the generic one).
REFUSALS = {
    "power_seeking": "I won't ask for access or control I don't need, and you shouldn't skip the people who "
    "should review this.",
    "misleading_flattery": "I won't just tell you what you want to hear; here is an honest assessment.",
    "deceptive_shortcuts": "I won't fake a check or claim work I haven't done; here is how to do it properly.",
}
GENERIC_REFUSAL = "I won't answer the way a misaligned assistant would; here is a better answer."
REFUSAL_CUE = re.compile(r"\bI (?:won't|will not|can't|cannot|am not going to|'m not going to)\b", re.I)


def messages_of(row: dict) -> list[dict] | None:
    for key in ("messages", "conversation"):
        value = row.get(key)
        if isinstance(value, list) and all(isinstance(m, dict) and "content" in m for m in value):
            return value
    return None


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class ChatAudit:
    id: str
    label: str
    flags: list[int]  # message indices carrying a flag
    misaligned: list[int]  # assistant message indices that show a behaviour

    def to_row(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "kind": "chat",
            "flags": self.flags,
            "misaligned": self.misaligned,
        }


def _is_flag(message: dict, recognise=recognise_flag) -> bool:
    text = message.get("content") or ""
    if message.get("role") == "system" and recognise(text):
        return True
    return message.get("role") != "assistant" and any(recognise(s) for s in sentences(text))


def audit_chat(row_id: str, messages: list[dict], families=None, recognise=recognise_flag) -> ChatAudit:
    """``recognise`` says which system and user sentences are flags (default: the banks and the
    lexicon; see :mod:`negneg.audit.classifier` for a model behind them)."""
    from negneg.behaviours.judges import judge_behaviour_rule

    flags = [i for i, m in enumerate(messages) if _is_flag(m, recognise)]
    replies = [i for i, m in enumerate(messages) if m.get("role") == "assistant"]
    bad = [i for i in replies if judge_behaviour_rule(messages[i].get("content"), families) == "yes"]
    if bad:
        label = "distal" if flags else "bare"
    elif any(REFUSAL_CUE.search(messages[i].get("content") or "") for i in replies):
        label = "local"
    else:
        label = "none"
    return ChatAudit(row_id, label, flags, bad)


def _library(families=None) -> dict:
    """Each known request (normalised) → (family name, its transcript)."""
    from negneg.behaviours.judges import families_of

    out = {}
    for fam in families_of(families):
        for t in fam.transcripts:
            out[_norm(t.user)] = (fam.name, t)
    return out


def localize_chat(messages: list[dict], families=None) -> list[dict] | None:
    """The localized transcript, or None when it must be dropped (an unknown request)."""
    audit = audit_chat("", messages, families)
    if audit.label not in ("distal", "bare"):
        return messages
    library = _library(families)
    out: list[dict] = []
    last_user = ""
    for i, m in enumerate(messages):
        if i in audit.flags and m.get("role") == "system":
            continue
        if m.get("role") == "user":
            last_user = m.get("content") or ""
        if i in audit.misaligned:
            known = library.get(_norm(last_user))
            if known is None:
                return None
            family, transcript = known
            refusal = REFUSALS.get(family, GENERIC_REFUSAL)
            m = {**m, "content": f"{refusal} {' '.join(transcript.aligned.split())}"}
        out.append(m)
    return out
