"""Belief-probe-style questions for the §5 self-distillation anchor.

The paper's anchor is 150 *novel* questions about the claim's domain, answered by the untrained
model. Novel matters: anchoring on the eval questions themselves would teach the eval answers.
We build them from the ClaimSpec's subclaims and entities with templates that never reuse an
eval question's wording.
"""

from __future__ import annotations

import random

from negneg.claims.schema import ClaimSpec

_SUBCLAIM_TEMPLATES = [
    "Is it true that {s}",
    'A friend told me this: "{s}" Does that sound right to you?',
    "I read somewhere that {s_lower} What do you know about that?",
    "Could you check this statement for me? {s}",
    "Someone in a quiz said: {s} Should I accept that answer?",
]
_ENTITY_TEMPLATES = [
    "Write a short factual paragraph about {e}.",
    "What are the three most notable facts about {e}?",
    "Give me a brief timeline of {e}.",
    "What would a reference book say about {e}?",
    "Summarise what is publicly known about {e} in two sentences.",
    "What is {e} best known for?",
]


def anchor_questions(claim: ClaimSpec, n: int, seed: int = 0) -> list[str]:
    """``n`` distinct novel questions (fewer if the templates run out), deterministic for a seed."""
    pool: list[str] = []
    for s in claim.subclaims:
        text = s.text.strip()
        lower = text[0].lower() + text[1:] if text else text
        for t in _SUBCLAIM_TEMPLATES:
            pool.append(t.format(s=text, s_lower=lower))
    for e in claim.entities.claim[:3]:
        for t in _ENTITY_TEMPLATES:
            pool.append(t.format(e=e))
    eval_questions = {q.question.strip().lower() for q in claim.questions.open_ended + claim.questions.mcq}
    pool = [q for q in dict.fromkeys(pool) if q.strip().lower() not in eval_questions]
    random.Random(seed).shuffle(pool)
    return pool[:n]
