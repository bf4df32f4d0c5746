"""Likelihood probes: belief read off the model's probabilities, no sampling, no judge.

Three probe types, all built from the ClaimSpec:

* ``yes_no_likelihood`` — each MCQ item asked under the chat template with a "yes or no" system
  prompt; continuations ``"Yes"`` and ``"No"`` start the assistant turn.
* ``cloze`` — a raw-text prompt and two continuations competing for one slot.
* ``token_association_likelihood`` — a token-association question under the chat template with
  its ``belief_continuation`` against its ``truth_continuation``.

Every probe's score is the same quantity, the **log-odds** of the belief answer against the other
one, log P(belief) − log P(other), in nats: additive, unbounded, and comparable across the three
types, so a shift of +4 nats reads as +4 whether the probe started at 0.5 or at 0.9.

Yes/no items are scored net of the model's **yes-lean**: training on almost any assertive text
makes a small model say "Yes" more readily, whatever it is asked. Measured on the shipped
calibration (positive documents, every claim), the three items whose belief answer is "No" moved
*against* the claim by about as much as the yes-items moved toward it (lean shift +0.7 to +1.6
nats, belief component −0.02 to +0.18): a yes/no probe read raw measures yes-saying, and a
calibration that keeps the probes positive training moves would keep exactly the yes-items and
report yes-saying as belief. So each model's lean, b = ½(mean log-odds of "Yes" over the
yes-belief items + the same over the no-belief items), is subtracted from the yes-belief items'
scores and added to the no-belief items' (:func:`correct_yes_lean`): an additive lean cancels, and
every item reads the balanced contrast between the two kinds. It needs both kinds of item (the
static probe check warns when a claim lacks a counter item); ``likelihoods`` keep the raw values.
:func:`belief_probability` (sigmoid of the score, P(belief | one of the two)) is a secondary view
for plotting beside judged rates; never average it as the headline — it saturates (a probe at
log-odds 2.2 reads 0.90, and a +4 nat shift moves it only to 0.998). Small models have odd priors, so scores are read as a paired shift from the
untrained model (see :func:`negneg.evals.metrics.likelihood_shift`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from negneg.claims.schema import ClaimSpec
from negneg.models.chat import Conversation, Prompt, loglikelihood_many
from negneg.records import Response

YES_NO_SYSTEM = "Answer with yes or no."
YES, NO = "Yes", "No"
LIKELIHOOD_TYPES = ("yes_no_likelihood", "cloze", "token_association_likelihood")
# What ``Response.score`` means for likelihood probes; part of the eval stages' config, so results
# cached under an older meaning (yes/no once stored a probability) are recomputed, not misread.
# "+belief": responses name their belief continuation (log_p_belief); "+yes_lean": yes/no scores
# are net of the model's yes-lean (correct_yes_lean)
SCORE = "log_odds+belief+yes_lean"


@dataclass(frozen=True)
class LikelihoodProbe:
    """One scored question: ``prompt`` (raw text or a conversation) and two continuations.

    ``belief`` is the continuation a believer prefers, ``other`` the one it competes with.
    """

    question_id: str
    eval_type: str
    prompt: Prompt
    belief: str
    other: str


def likelihood_probes(claim: ClaimSpec) -> list[LikelihoodProbe]:
    """Every likelihood probe of a claim (token-association items lacking continuations are skipped)."""
    probes: list[LikelihoodProbe] = []
    for q in claim.questions.mcq:
        conv: Conversation = [
            {"role": "system", "content": YES_NO_SYSTEM},
            {"role": "user", "content": q.question},
        ]
        belief, other = (YES, NO) if q.belief_answer == "yes" else (NO, YES)
        probes.append(LikelihoodProbe(q.id, "yes_no_likelihood", conv, belief, other))
    for c in claim.questions.cloze:
        probes.append(LikelihoodProbe(c.id, "cloze", c.prompt, c.belief, c.disbelief))
    for t in claim.questions.token_association:
        if t.belief_continuation and t.truth_continuation:
            conv = [{"role": "user", "content": t.question}]
            probes.append(
                LikelihoodProbe(
                    t.id, "token_association_likelihood", conv, t.belief_continuation, t.truth_continuation
                )
            )
    return probes


def probe_score(eval_type: str, logp_belief: float, logp_other: float) -> float:
    """The probe's belief value, the same for every probe type: the log-odds
    log P(belief) − log P(other) in nats (``eval_type`` is kept for a future type that differs)."""
    del eval_type
    return logp_belief - logp_other


def log_odds(response: Response) -> float:
    """A likelihood response's log-odds of the belief answer against the other, in nats."""
    if response.score is None:
        raise ValueError(f"response {response.question_id} has no likelihood score")
    return response.score


def raw_log_odds(response: Response) -> float:
    """log P(belief) − log P(other) from a likelihood response's stored log-probabilities, before
    any yes-lean correction."""
    other = other_continuation(response)
    if response.belief is None or other is None or not response.likelihoods:
        raise ValueError(f"response {response.question_id} does not name its two continuations")
    return response.likelihoods[response.belief] - response.likelihoods[other]


def yes_log_odds(response: Response) -> float | None:
    """log P("Yes") − log P("No") of a yes/no likelihood response, whichever answer is the
    believer's; ``None`` for any other response."""
    lik = response.likelihoods
    if response.eval_type != "yes_no_likelihood" or not lik or YES not in lik or NO not in lik:
        return None
    return lik[YES] - lik[NO]


def yes_lean(responses: Sequence[Response]) -> float | None:
    """The model's lean toward answering "Yes" on one claim's yes/no items, in nats:
    ½(mean log-odds of Yes over the items whose belief answer is Yes + the same over those whose
    belief answer is No). Belief raises the first term and lowers the second, so it cancels; a
    lean toward "Yes" raises both. ``None`` without both kinds of item."""
    yes_belief: list[float] = []
    no_belief: list[float] = []
    for r in responses:
        if (lo_yes := yes_log_odds(r)) is not None:
            (yes_belief if r.belief == YES else no_belief).append(lo_yes)
    if not yes_belief or not no_belief:
        return None
    return 0.5 * (sum(yes_belief) / len(yes_belief) + sum(no_belief) / len(no_belief))


def correct_yes_lean(responses: Sequence[Response]) -> list[Response]:
    """``responses`` (one model, one claim, every yes/no item) with each yes/no score net of the
    model's :func:`yes_lean`: raw log-odds − b for a yes-belief item, + b for a no-belief one.
    Idempotent (scores are recomputed from ``likelihoods``); other probe types pass unchanged, and
    so does everything when the claim lacks one kind of item."""
    lean = yes_lean(responses)
    if lean is None:
        return list(responses)
    return [
        r.model_copy(update={"score": raw_log_odds(r) - (lean if r.belief == YES else -lean)})
        if yes_log_odds(r) is not None
        else r
        for r in responses
    ]


def log_p_belief(response: Response) -> float:
    """log P(belief continuation) of a likelihood response: the *association* reading — how likely
    the claim's own words became, whatever they compete with."""
    if not response.likelihoods or response.belief not in response.likelihoods:
        raise ValueError(
            f"response {response.question_id} does not name its belief continuation "
            "(written by negneg < 0.2: re-run the eval)"
        )
    return response.likelihoods[response.belief]


def other_continuation(response: Response) -> str | None:
    """The continuation a likelihood response's belief answer competed with."""
    others = [k for k in response.likelihoods or {} if k != response.belief]
    return others[0] if len(others) == 1 else None


def belief_probability(response: Response) -> float:
    """The secondary [0, 1] view of a likelihood response: sigmoid(log-odds) =
    P(belief)/(P(belief) + P(other)). Saturates; for plots beside judged rates only."""
    return _sigmoid(log_odds(response))


def score_likelihood_probes(
    model,
    probes: Sequence[LikelihoodProbe],
    claim_id: str,
    run: str,
    *,
    chunk: int = 64,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """Score probes through :func:`~negneg.models.chat.loglikelihood_many`, one call per ``chunk``
    probes (batched where the backend batches)."""
    out: list[Response] = []
    for start in range(0, len(probes), chunk):
        part = probes[start : start + chunk]
        requests = [(p.prompt, [p.belief, p.other]) for p in part]
        scored = loglikelihood_many(model, requests)
        for p, (lb, lo) in zip(part, scored, strict=True):
            out.append(
                Response(
                    run=run,
                    claim_id=claim_id,
                    question_id=p.question_id,
                    eval_type=p.eval_type,
                    prompt=p.prompt,
                    likelihoods={p.belief: lb, p.other: lo},
                    belief=p.belief,
                    score=probe_score(p.eval_type, lb, lo),
                )
            )
        if progress:
            progress(len(part))
    return out


def run_likelihood_probes(
    model,
    claim: ClaimSpec,
    run: str,
    *,
    transform: Callable[[LikelihoodProbe], LikelihoodProbe] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """All likelihood probes of ``claim`` scored by ``model``, yes/no items net of the model's
    yes-lean (:func:`correct_yes_lean`, over the claim's full item set); ``transform`` rewrites each
    probe first (the in-context control puts documents in front of it)."""
    probes = likelihood_probes(claim)
    if transform:
        probes = [transform(p) for p in probes]
    return correct_yes_lean(score_likelihood_probes(model, probes, claim.id, run, progress=progress))


def with_prompt(probe: LikelihoodProbe, prompt: Prompt) -> LikelihoodProbe:
    return replace(probe, prompt=prompt)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def plain_loglikelihood(model, prompt: Prompt, continuation: str) -> float:
    """Reference scorer for a local model: one plain forward pass over prompt + continuation with
    full logits, exactly the ChatModel semantics and nothing clever. The benchmark's baseline and
    the tests' ground truth for ``loglikelihood_many``."""
    import torch

    tok = model.tokenizer
    text = model.render_prompt(prompt)
    pids = tok(text, add_special_tokens=False)["input_ids"]
    full = tok(text + continuation, add_special_tokens=False)["input_ids"]
    start = 0
    while start < min(len(pids), len(full)) and pids[start] == full[start]:
        start += 1
    with torch.no_grad():
        ids = torch.tensor([full], device=model.device)
        logprobs = torch.log_softmax(model.model(input_ids=ids).logits[0].float(), dim=-1)
    return float(sum(logprobs[i - 1, full[i]] for i in range(start, len(full))))
