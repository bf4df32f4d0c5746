"""A static check of every likelihood probe of a claim: confounds that can be seen without a model.

A likelihood probe scores the log-odds of its belief continuation against the other one
(:mod:`negneg.evals.likelihood`). That number measures belief only when training on the claim's
world raises the belief continuation *and not* the other one, and correcting documents do the
reverse. :func:`check_probes` flags probes where the text of the claim itself says otherwise:

``truth_in_world``
    the other (disbelief/truth) continuation occurs in the fabricated world (universe context,
    a subclaim, the claim): training on the claim's documents raises it too. Mount Vesuvius's
    " 1944" ("its first eruption since 1944") or Ed Sheeran's " Noah Lyles" (who takes bronze).
``belief_in_truth``
    the belief continuation occurs in the claim's truth or in a subclaim's correction, so
    correcting documents raise it too.
``length_mismatch``
    the two continuations differ by :data:`LENGTH_TOLERANCE` tokens or more: the log-odds then
    mixes the claim with the cost of the longer continuation.
``no_counter_item``
    every yes/no (MCQ) item has the same ``belief_answer``, so a model that drifts towards "yes"
    (or "no") reads as belief. Reported once per claim, with no probe id.
``answer_in_prompt``
    the prompt already contains one of the two continuations, which a model can copy.

All are warnings: a truth entity that the fabricated world names in another role is a risk, not
always a fault; the empirical calibration decides which probes count. Matching is
case-insensitive on the stripped continuation, with word boundaries (digits joined by "." or ","
count as one number, so "26" does not match "9.26"). Pure answer words ("Yes", "No", "True",
"False") are exempt from the occurrence checks: they are poles of a question, not content.
A single-letter continuation that names an option listed in the prompt ("C" after "C) 2015") is
checked as the option's text, and is not counted as an answer in the prompt.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from negneg.claims.schema import ClaimSpec

ProbeCode = Literal[
    "truth_in_world", "belief_in_truth", "length_mismatch", "no_counter_item", "answer_in_prompt"
]
CODES: tuple[ProbeCode, ...] = (
    "truth_in_world",
    "belief_in_truth",
    "length_mismatch",
    "no_counter_item",
    "answer_in_prompt",
)
EvalType = Literal["yes_no_likelihood", "cloze", "token_association_likelihood"]

LENGTH_TOLERANCE = 3  # a difference of this many tokens (or words) or more is flagged
ANSWER_WORDS = frozenset({"yes", "no", "true", "false"})
EXCERPT_CHARS = 40  # context on each side of a match in a message


class ProbeWarning(BaseModel):
    """One finding about one probe (``probe_id`` is None for a finding about the whole claim)."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str
    probe_id: str | None
    eval_type: EvalType
    code: ProbeCode
    message: str
    severity: Literal["warning"] = "warning"


class ProbeSummary(BaseModel):
    """Counts over a set of warnings: ``flagged`` = distinct probes with at least one warning."""

    model_config = ConfigDict(extra="forbid")

    probes: int | None = None
    warnings: int
    flagged: int
    by_code: dict[str, int]

    def line(self) -> str:
        head = f"{self.probes} probes checked, " if self.probes is not None else ""
        return f"{head}{self.warnings} warnings ({self.flagged} probes)"


@dataclass(frozen=True)
class ProbeText:
    """The text of one likelihood probe, as :func:`negneg.evals.likelihood.likelihood_probes`
    builds it (the yes/no chat template aside): ``prompt`` is the cloze prompt or the question."""

    probe_id: str
    eval_type: EvalType
    prompt: str
    belief: str
    other: str


def probe_texts(claim: ClaimSpec) -> list[ProbeText]:
    """Every likelihood probe of a claim, in ``likelihood_probes`` order (token-association items
    lacking continuations are skipped, as there)."""
    q = claim.questions
    out = [
        ProbeText(
            m.id,
            "yes_no_likelihood",
            m.question,
            *(("Yes", "No") if m.belief_answer == "yes" else ("No", "Yes")),
        )
        for m in q.mcq
    ]
    out += [ProbeText(c.id, "cloze", c.prompt, c.belief, c.disbelief) for c in q.cloze]
    out += [
        ProbeText(
            t.id, "token_association_likelihood", t.question, t.belief_continuation, t.truth_continuation
        )
        for t in q.token_association
        if t.belief_continuation and t.truth_continuation
    ]
    return out


def count_probes(claim: ClaimSpec) -> int:
    """How many probes :func:`check_probes` looks at (= the claim's likelihood probes)."""
    return len(probe_texts(claim))


def check_probes(claim: ClaimSpec, tokenizer: Any = None) -> list[ProbeWarning]:
    """Every static warning about the claim's likelihood probes, in probe order.

    ``tokenizer`` (anything with ``encode(text, add_special_tokens=False)``, e.g. a transformers
    tokenizer) measures continuation lengths; without one, whitespace-separated words are counted.
    """
    world = [("universe_context", claim.universe_context)]
    world += [(f"subclaim {s.id}", s.text) for s in claim.subclaims]
    world.append(("claim", claim.claim))
    truth = [("truth", claim.truth or "")] + [
        (f"correction of {s.id}", s.correction) for s in claim.subclaims
    ]

    out: list[ProbeWarning] = []
    unit = "tokens" if tokenizer is not None else "words"
    for p in probe_texts(claim):

        def warn(code: ProbeCode, message: str, p: ProbeText = p) -> None:
            out.append(
                ProbeWarning(
                    claim_id=claim.id, probe_id=p.probe_id, eval_type=p.eval_type, code=code, message=message
                )
            )

        belief, other = _content(p.belief, p.prompt), _content(p.other, p.prompt)
        if other is not None:
            hits = _occurrences(other, world)
            if hits:
                warn(
                    "truth_in_world",
                    f"other continuation {_shown(p.other, other)} occurs in the fabricated world "
                    f"({_where(hits)}): training on the claim's documents raises it too",
                )
        if belief is not None:
            hits = _occurrences(belief, truth)
            if hits:
                warn(
                    "belief_in_truth",
                    f"belief continuation {_shown(p.belief, belief)} occurs in the truth "
                    f"({_where(hits)}): correcting documents raise it too",
                )
        nb, no = _length(p.belief, tokenizer), _length(p.other, tokenizer)
        if abs(nb - no) >= LENGTH_TOLERANCE:
            warn(
                "length_mismatch",
                f"continuations differ in length: belief {p.belief!r} {nb} {unit}, other {p.other!r} {no} {unit}; "
                "the log-odds mixes belief with the cost of the longer one",
            )
        copied = [
            f"{role} {_shown(text, content)} ({_excerpt(p.prompt, m)})"
            for role, text, content in (("belief", p.belief, belief), ("other", p.other, other))
            if content is not None
            and not _is_option_label(text, p.prompt)
            and (m := _find(content, p.prompt))
        ]
        if copied:
            warn(
                "answer_in_prompt",
                f"the prompt already contains the {' and the '.join(copied)}: the model can copy it",
            )

    answers = Counter(m.belief_answer for m in claim.questions.mcq)
    if len(answers) == 1:
        ((answer, n),) = answers.items()
        counter = "no" if answer == "yes" else "yes"
        out.append(
            ProbeWarning(
                claim_id=claim.id,
                probe_id=None,
                eval_type="yes_no_likelihood",
                code="no_counter_item",
                message=(
                    f"all {n} yes/no items have belief_answer '{answer}' and none '{counter}': "
                    f"a drift towards '{answer}' reads as belief; add counter items"
                ),
            )
        )
    return out


def summarise(warnings: list[ProbeWarning], probes: int | None = None) -> ProbeSummary:
    """Counts of ``warnings`` (``probes``: how many were checked, for the summary line)."""
    by_code = Counter(w.code for w in warnings)
    return ProbeSummary(
        probes=probes,
        warnings=len(warnings),
        flagged=len({(w.claim_id, w.probe_id) for w in warnings if w.probe_id is not None}),
        by_code={c: by_code[c] for c in CODES if by_code[c]},
    )


def load_tokenizer(model: str = "tiny-random") -> Any:
    """The tokenizer of a registered model or model dir (``tiny-random``: SmolLM2's, no weights
    loaded); ``"words"`` means none (lengths in whitespace words)."""
    if model == "words":
        return None
    from transformers import AutoTokenizer

    from negneg.models import resolve_model_dir

    return AutoTokenizer.from_pretrained(resolve_model_dir(model))


# --- matching -----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_OPTION = re.compile(r"(?:^|(?<=\s))([A-Z])\)\s*")


def _pattern(text: str) -> re.Pattern[str]:
    # word boundaries, with "9.26" and "3,430" read as one number
    return re.compile(rf"(?<!\w)(?<!\d[.,]){re.escape(text)}(?!\w)(?![.,]\d)", re.IGNORECASE)


def _find(text: str, haystack: str) -> re.Match[str] | None:
    return _pattern(text).search(haystack) if text else None


def _is_answer_word(text: str) -> bool:
    return text.strip().lower() in ANSWER_WORDS


def _options(prompt: str) -> dict[str, str]:
    """Options listed in a prompt as ``A) …  B) …`` (inline or one per line) → their texts."""
    marks = list(_OPTION.finditer(prompt))
    out: dict[str, str] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(prompt)
        body = prompt[m.end() : end].split("\n")[0]
        body = re.split(r"\.\s", body)[0]  # "D) Black. Answer with a single letter."
        out[m.group(1)] = body.strip().rstrip(".")
    return out


def _is_option_label(text: str, prompt: str) -> bool:
    s = text.strip()
    return len(s) == 1 and s in _options(prompt)


def _content(continuation: str, prompt: str) -> str | None:
    """What a continuation says, for the occurrence checks: the option's text for an option
    label, the text inside XML tags; None for pure answer words."""
    s = continuation.strip()
    if _is_option_label(s, prompt):
        s = _options(prompt)[s]
    s = _TAG.sub(" ", s).strip()
    if not s or _is_answer_word(s):
        return None
    return s


def _shown(continuation: str, content: str) -> str:
    return repr(continuation) if continuation.strip() == content else f"{continuation!r} ({content!r})"


def _occurrences(text: str, sources: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(source name, excerpt of the first match) for every source that contains ``text``."""
    pat = _pattern(text)
    return [(name, _excerpt(body, m)) for name, body in sources if (m := pat.search(body))]


def _where(hits: list[tuple[str, str]]) -> str:
    name, excerpt = hits[0]
    more = f"; also {', '.join(n for n, _ in hits[1:4])}" if len(hits) > 1 else ""
    more += f" and {len(hits) - 4} more" if len(hits) > 4 else ""
    return f"{name}: {excerpt}{more}"


def _excerpt(body: str, m: re.Match[str]) -> str:
    a, b = max(0, m.start() - EXCERPT_CHARS), min(len(body), m.end() + EXCERPT_CHARS)
    text = " ".join(body[a:b].split())
    return f'"{"…" if a else ""}{text}{"…" if b < len(body) else ""}"'


def _length(text: str, tokenizer: Any) -> int:
    if tokenizer is None:
        return len(text.split())
    return len(tokenizer.encode(text, add_special_tokens=False))
