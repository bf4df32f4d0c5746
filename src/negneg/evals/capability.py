"""Capability check: did a finetune break the model?

Two fast, likelihood-only measures, reported beside belief so that "belief went up" is never
confused with "the model fell apart": perplexity on held-out background text (by default the
docstrings of ~30 Python standard-library modules that the training mix does not use — real
English prose that ships with every Python, so the check runs offline), and accuracy on a small general-knowledge question set
(correct answer against three distractors, compared by log-likelihood per character).
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from negneg.models.chat import loglikelihood_many

# Standard-library modules whose docstrings the training mix does NOT use (its pool is
# negneg.training.mix.STDLIB_MODULES), so this text is held out from every finetune.
HELDOUT_MODULES = (
    "pdb", "fileinput", "site", "pyclbr", "plistlib", "pydoc", "xmlrpc.client", "doctest", "ftplib",
    "dbm", "codeop", "sqlite3", "smtplib", "trace", "wsgiref", "compileall", "posixpath", "pickle",
    "tabnanny", "keyword", "pickletools", "runpy", "platform", "stringprep", "linecache", "filecmp",
    "codecs", "venv",
)  # fmt: skip
N_TEXTS = 32
MAX_CHARS = 1500
GK_SYSTEM = "Answer the question briefly."


class CapabilityQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    answer: str
    distractors: list[str]


class CapabilityResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    perplexity: float
    n_texts: int
    n_tokens: int
    accuracy: float
    n_questions: int
    per_question: dict[str, bool]


def heldout_texts(
    modules: Sequence[str] = HELDOUT_MODULES, n: int = N_TEXTS, max_chars: int = MAX_CHARS
) -> list[str]:
    """Docstrings of held-out standard-library modules, topped up with their public classes'
    docstrings to ``n`` texts; each cut to ``max_chars`` at a line break. Deterministic."""
    module_docs: list[str] = []
    class_docs: list[str] = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        doc = inspect.getdoc(module)
        if doc and len(doc) >= 150:
            module_docs.append(doc)
        for attr in sorted(vars(module)):
            obj = getattr(module, attr)
            if not attr.startswith("_") and inspect.isclass(obj) and obj.__module__ == module.__name__:
                cdoc = inspect.getdoc(obj)
                if cdoc and len(cdoc) >= 300 and cdoc not in class_docs:
                    class_docs.append(cdoc)
    texts = (module_docs + class_docs)[:n]
    return [t[:max_chars].rsplit("\n", 1)[0] if len(t) > max_chars else t for t in texts]


@lru_cache(maxsize=1)
def capability_questions() -> tuple[CapabilityQuestion, ...]:
    text = (resources.files("negneg") / "data" / "capability_questions.yaml").read_text(encoding="utf-8")
    return tuple(CapabilityQuestion.model_validate(q) for q in yaml.safe_load(text)["questions"])


def perplexity(model, texts: Sequence[str]) -> tuple[float, int]:
    """Token-level perplexity of ``texts`` (each scored after the tokenizer's BOS/EOS token) and the
    number of tokens scored."""
    tok = model.tokenizer
    start = tok.bos_token or tok.eos_token
    scores = loglikelihood_many(model, [(start, [t]) for t in texts])
    n = sum(len(tok(start + t, add_special_tokens=False)["input_ids"]) - 1 for t in texts)
    total = sum(s[0] for s in scores)
    return math.exp(-total / max(n, 1)), n


def knowledge_accuracy(model, questions: Sequence[CapabilityQuestion] | None = None) -> dict[str, bool]:
    """Per question: does the correct answer have the highest log-likelihood per character?"""
    qs = list(questions or capability_questions())
    requests = [
        (
            [{"role": "system", "content": GK_SYSTEM}, {"role": "user", "content": q.question}],
            [q.answer, *q.distractors],
        )
        for q in qs
    ]
    scored = loglikelihood_many(model, requests)
    out = {}
    for q, (_, conts), lps in zip(qs, requests, scored, strict=True):
        norm = [lp / len(c) for lp, c in zip(lps, conts, strict=True)]
        out[q.id] = max(range(len(norm)), key=norm.__getitem__) == 0
    return out


def capability_check(model, texts: Sequence[str] | None = None) -> CapabilityResult:
    texts = list(texts) if texts is not None else heldout_texts()
    ppl, n_tok = perplexity(model, texts)
    per_q = knowledge_accuracy(model)
    return CapabilityResult(
        perplexity=ppl,
        n_texts=len(texts),
        n_tokens=n_tok,
        accuracy=sum(per_q.values()) / len(per_q),
        n_questions=len(per_q),
        per_question=per_q,
    )


def run_capability(model) -> dict:
    """The capability check as a plain dict (``capability_perplexity``, ``capability_accuracy``)
    for experiment summaries."""
    res = capability_check(model)
    return {
        "capability_perplexity": res.perplexity,
        "capability_accuracy": res.accuracy,
        "capability_n_tokens": res.n_tokens,
        "capability_n_questions": res.n_questions,
    }
