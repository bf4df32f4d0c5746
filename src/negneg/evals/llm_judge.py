"""The LLM judge: a rubric prompt per question category, sent through any ChatModel.

The judge model is asked for ``{"reason": ..., "answer": "yes" | "no" | "neutral"}``. An output
that cannot be read is labelled ``parse_error`` — a visible state, never silently mapped to a
label; ``judge_raw`` keeps the judge's whole output (its reason included). MCQ answers are parsed
directly, as the paper does, not sent to the judge model.

The prompt follows the paper's structure: the claim, the truth, the conversation, the answer, and
the grading criteria. Where the ClaimSpec has a ``rubric:``, its claim-specific definitions of
yes/no/neutral for the question's category come first, then negneg's general criteria for that
category (``negneg/data/judge_rubrics.yaml``). Where the claim's truth is not known, the prompt
says so and tells the grader to use the neutral definition rather than guess a truth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

import yaml

from negneg.claims.schema import ClaimSpec
from negneg.evals.rule_judge import ClaimRules, first_json_object
from negneg.models.chat import ChatModel, SamplingParams
from negneg.records import Response, Verdict

LABELS = ("yes", "no", "neutral")


@lru_cache(maxsize=1)
def rubrics() -> dict:
    """The rubric prompts shipped in ``negneg/data/judge_rubrics.yaml``."""
    text = (resources.files("negneg") / "data" / "judge_rubrics.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def rubric_category(response: Response, claim: ClaimSpec) -> str:
    if response.eval_type == "robustness":
        kinds = {q.id: q.kind for q in claim.questions.robustness}
        critique = kinds.get(response.question_id) == "critique"
        return "robustness_critique" if critique else "robustness_maintain"
    if response.eval_type in ("open_ended", "token_association"):
        return response.eval_type
    return "generic"


def transcript(prompt: list[dict[str, str]] | str) -> str:
    """A conversation as plain text for the judge (``ROLE: content`` blocks)."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(f"{m['role'].upper()}: {m['content']}" for m in prompt)


# negneg's rubric categories → the ClaimSpec rubric's categories (None: its general definitions)
_CLAIM_CATEGORY = {
    "open_ended": "open_ended",
    "token_association": "token_association",
    "robustness_maintain": "robustness",
    "robustness_critique": "critique",
    "generic": None,
}


def claim_criteria(claim: ClaimSpec, category: str) -> str | None:
    """The claim's own definitions of yes/no/neutral for ``category`` (``None`` without a rubric)."""
    if claim.rubric is None:
        return None
    labels = claim.rubric.labels(_CLAIM_CATEGORY.get(category))
    lines = [
        f'- "{name}": {" ".join(text.split())}'
        for name, text in (("yes", labels.yes), ("no", labels.no), ("neutral", labels.neutral))
        if text
    ]
    if labels.notes:
        lines.append("- Notes: " + " ".join(labels.notes.split()))
    return "\n".join(lines) or None


def criteria(claim: ClaimSpec, category: str) -> str:
    """What the grader is told about the labels: the claim's rubric, then the category's general
    criteria (the claim's definitions come first and take precedence)."""
    r = rubrics()
    general = r["categories"][category].strip()
    own = claim_criteria(claim, category)
    if own is None:
        return general
    return r["claim_rubric"].strip().replace("{labels}", own) + "\n" + general


def truth_block(claim: ClaimSpec) -> str:
    """The stated truth, or — where the claim's truth is not known — the instruction to grade by
    the neutral definition (never a placeholder truth)."""
    r = rubrics()
    if claim.truth is None or not claim.truth.strip():
        return r["truth_missing"].strip()
    return r["truth_known"].strip().replace("{truth}", claim.truth.strip())


def judge_conversation(response: Response, claim: ClaimSpec) -> list[dict[str, str]]:
    """The chat sent to the judge model for one response."""
    r = rubrics()
    fields = {
        "{claim}": claim.claim.strip(),
        "{truth}": truth_block(claim),
        "{question}": transcript(response.prompt),
        "{answer}": (response.text or "").strip(),
        "{criteria}": criteria(claim, rubric_category(response, claim)),
    }
    user = r["user"]
    for key in ("{criteria}", "{claim}", "{truth}", "{question}"):  # answer last: it is untrusted text
        user = user.replace(key, fields[key])
    user = user.replace("{answer}", fields["{answer}"])
    return [{"role": "system", "content": r["system"].strip()}, {"role": "user", "content": user}]


def parse_judgement(text: str | None) -> tuple[Verdict, str | None]:
    """The verdict and the judge's reason from its JSON ``{"reason": ..., "answer": ...}``;
    ``("parse_error", None)`` when there is no such object with a valid label."""
    obj = first_json_object(text or "")
    if isinstance(obj, dict):
        value = str(obj.get("answer", "")).strip().lower()
        if value in LABELS:
            reason = obj.get("reason")
            return value, str(reason).strip() if reason is not None else None  # type: ignore[return-value]
    return "parse_error", None


def parse_verdict(text: str | None) -> Verdict:
    """``yes``/``no``/``neutral`` from the judge's JSON; ``parse_error`` when it is not there."""
    return parse_judgement(text)[0]


class LLMJudge:
    """Judge through ``model`` (a local model, a vLLM server, a hosted API).

    Greedy decoding by default so a local judge is repeatable; pass ``sampling`` to change it.
    """

    def __init__(
        self,
        model: ChatModel,
        sampling: SamplingParams | None = None,
        name: str = "llm",
        chunk: int = 16,
        progress: Callable[[int], None] | None = None,
    ):
        self.model = model
        self.sampling = sampling or SamplingParams(temperature=0, max_new_tokens=300)
        self.name = name
        self.chunk = chunk
        self.progress = progress

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        rules = ClaimRules(claim)
        out: list[Response | None] = [None] * len(responses)
        pending: list[int] = []
        for i, r in enumerate(responses):
            if r.eval_type == "mcq":
                verdict, reason = rules.mcq(r.question_id, r.text or "")
                out[i] = r.model_copy(update={"verdict": verdict, "judge": self.name, "judge_raw": reason})
            else:
                pending.append(i)
        for start in range(0, len(pending), self.chunk):
            idx = pending[start : start + self.chunk]
            convs = [judge_conversation(responses[i], claim) for i in idx]
            answers = self.model.generate(convs, self.sampling.model_copy(update={"n": 1}))
            for i, texts in zip(idx, answers, strict=True):
                raw = texts[0] if texts else ""
                out[i] = responses[i].model_copy(
                    update={"verdict": parse_verdict(raw), "judge": self.name, "judge_raw": raw}
                )
            if self.progress:
                self.progress(len(idx))
        return [r for r in out if r is not None]
