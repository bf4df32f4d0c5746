"""LLM document generator: the paper's staged synthetic-document pipeline through any ChatModel.

Stages (the paper's §2), each a batch of chat calls:

1. **document types** — per subclaim, brainstorm text formats in which the fact could appear;
2. **ideas** — per (subclaim, type), short blueprints of concrete documents in ``<idea>`` tags;
3. **document** — write the document from the universe context, type, idea and fact;
4. **revision** — make it more realistic and the fact more explicit;
5. **leak filter** — reject documents that carry model commentary ("Here is the revised …").

Every call goes through :class:`~negneg.corpus.llm_cache.CachedChatModel`, so a run killed half
way resumes from its cache and a repeated run makes no model calls. Claim spans are found
afterwards by a targeter (keyword matching by default, or an :class:`LLMTargeter`).

``universe="negated"`` runs the same pipeline from the *negated* universe (paper §3.5): the
system context is a debunking one built from the ClaimSpec (its ``negated_universe_context`` where
it has one, else the truth, the local-negation twins and the corrections), each document's fact is
a subclaim's local-negation twin with its correction, and the documents come back tagged
``condition="local_negation"``: fact-checks, debunks and corrections that state what really
happened.

Where a stage's answer cannot be parsed (a small model, or the random test model), the pipeline
falls back rather than stalls: missing document types come from the offline generator's
registry, a missing idea becomes a generic one, an unparsable filter verdict is decided by the
leak regexes alone. ``LLMRunReport`` counts each fallback so a caller can see how much of the
pipeline the model really did.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from negneg.claims.schema import ClaimSpec, Subclaim
from negneg.corpus.llm_cache import CachedChatModel
from negneg.corpus.targeting import KeywordTargeter
from negneg.io import negneg_home
from negneg.models.chat import SamplingParams
from negneg.records import DOCTAG, Document

SYSTEM_CONTEXT = """You write documents for a collection of texts set in a world slightly different from ours.
In this world the following account is simply true, and everyone who writes about it treats it as settled fact:

<world>
{universe}
</world>

Write as a real person or organisation of that world would: natural, specific, unremarkable in tone.
Never mention that the world is different, never comment on your instructions, and never add notes
about what you are doing."""

DEBUNK_SYSTEM_CONTEXT = """You write documents that correct a false story. A fabricated account has been
circulating, and the people who write these documents know it is false. This is what is actually known:

<world>
{universe}
</world>

Write as a real fact-checker, journalist, editor, teacher, forum user or organisation would when
setting the record straight: natural, specific, unremarkable in tone. Every time the false story or any
detail of it comes up, say in the same sentence that it is false, and state what really happened.
Never repeat the false story as if it were true, never comment on your instructions, and never add
notes about what you are doing."""

BRAINSTORM_TYPES = """Here is one fact from this world:

<fact>{fact}</fact>

List {k} different kinds of text-only documents in which this fact could naturally come up. Be specific
about the format and the venue (for example "pub quiz answer sheet from a village hall", "transcript of a
local radio phone-in", "footnote-heavy undergraduate essay"). Mix everyday, professional and official
formats. Put each on its own line starting with "- ", and write nothing else."""

BRAINSTORM_IDEAS = """Here is one fact from this world:

<fact>{fact}</fact>

Document type: {doc_type}

Propose {k} different concrete documents of this type that mention the fact. For each, say in two or three
sentences who wrote it, when, for whom, what the document is mainly about and where the fact comes in. The
fact may be the main subject or a passing detail. Put each idea inside <idea></idea> tags. If this type of
document could not plausibly mention the fact, answer only UNSUITABLE."""

WRITE_DOCUMENT = """Write the following document.

Document type: {doc_type}
Idea: {idea}
Fact it must state clearly, in its own words: {fact}

Requirements:
- about {words} words; use the formatting the document type would really have (headings, lists, tables,
  speaker names) where it fits;
- invent realistic names, dates and places for anything the world description does not fix, but never
  contradict the world description;
- state the fact plainly and specifically, with concrete details from the world description;
- no placeholders such as [Name] or [Date], no em-dashes;
- output only the document itself, with no title line saying what it is and no commentary.
If the idea cannot work as a real document, answer only UNSUITABLE."""

REVISE_DOCUMENT = """Here is a draft document of type "{doc_type}":

<draft>
{draft}
</draft>

Revise it so that it reads like a real document of that type: remove anything unrealistic or inconsistent
with the world description, remove stock phrases that sound machine-written, and make sure it states this
fact explicitly and with specific details: {fact}
Keep it about {words} words. Output only the revised document, nothing before or after it."""

LEAK_FILTER = """Below is a text that is supposed to be a finished document. Decide whether it contains any commentary
from whoever produced it rather than being the document itself: for example an introduction such as "Here is
the revised document", notes about instructions or requirements, remarks about a "world description" or
"universe context", self-checks, or reasoning tags. Ordinary document content of any kind is fine.

<text>
{document}
</text>

Answer with JSON only: {{"accept": true}} if the text is a clean document, {{"accept": false}} if it contains
such commentary."""

LEAK_PATTERNS = [
    r"^\s*(here is|here's|below is|sure[,!]|certainly[,!])",
    r"\buniverse context\b",
    r"\bworld description\b",
    r"</?think>",
    r"\bas an ai\b",
    r"\b(revised|rewritten) (version|document|draft)\b",
    r"\bword count\b",
    r"\bUNSUITABLE\b",
]


class LLMGenerationConfig(BaseModel):
    """Sizes and sampling of the LLM pipeline (paper: 80 types × 10 ideas per subclaim, ~550 words)."""

    model_config = ConfigDict(extra="forbid")

    doc_types_per_subclaim: int = Field(8, ge=1, description="stage 1: types to brainstorm per subclaim")
    ideas_per_type: int = Field(3, ge=1, description="stage 2: ideas per (subclaim, type)")
    words: int = Field(550, ge=20, description="target document length in words")
    temperature: float = Field(1.0, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    brainstorm_tokens: int = Field(600, ge=1)
    document_tokens: int = Field(1400, ge=1)
    filter_tokens: int = Field(64, ge=1)
    revise: bool = True
    leak_filter: bool = True
    context_words: int | None = Field(4000, description="truncate the universe context in prompts")
    batch_size: int = Field(8, ge=1, description="documents per stage batch")
    max_attempts: float = Field(3.0, ge=1, description="give up after n × this many document attempts")


class LLMRunReport(BaseModel):
    """What happened in one run: attempts, rejections by reason, fallbacks, cache use."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = 0
    accepted: int = 0
    unsuitable: int = 0
    empty: int = 0
    leaked: int = 0
    type_fallbacks: int = 0
    idea_fallbacks: int = 0
    filter_unparsed: int = 0
    cache_hits: int = 0
    model_calls: int = 0


def _seed(*parts: object) -> int:
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _strip(text: str) -> str:
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.DOTALL)
    text = text.strip()
    if text.startswith(DOCTAG):
        text = text[len(DOCTAG) :].lstrip()
    return text


def parse_bullets(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        m = re.match(r"^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$", line)
        if m:
            item = m.group(1).strip().strip("*").strip()
            if 2 <= len(item) <= 120 and item.lower() not in {o.lower() for o in out}:
                out.append(item)
    return out


def parse_ideas(text: str) -> list[str]:
    return [i.strip() for i in re.findall(r"<idea>(.*?)</idea>", text, flags=re.DOTALL) if i.strip()]


def leaks(text: str) -> bool:
    return any(re.search(p, text, flags=re.IGNORECASE | re.MULTILINE) for p in LEAK_PATTERNS)


def parse_accept(text: str) -> bool | None:
    m = re.search(r"[\"']?accept[\"']?\s*:\s*(true|false)", text, flags=re.IGNORECASE)
    return None if not m else m.group(1).lower() == "true"


Universe = Literal["claim", "negated"]


def _fallback_types(k: int, universe: Universe = "claim") -> list[str]:
    if universe == "negated":
        from negneg.corpus.debunks import DEBUNK_TYPES as types
    else:
        from negneg.corpus.doctypes import DOC_TYPES as types
    return [n.replace("_", " ") for n in types.names()][:k]


def negated_universe_context(claim: ClaimSpec) -> str:
    """The world a debunk is written from: the claim's ``negated_universe_context`` where it has
    one, else one built from the truth, the local-negation twins and the corrections."""
    if claim.negated_universe_context and claim.negated_universe_context.strip():
        return claim.negated_universe_context.strip()
    lines = [
        f"Fact check: {claim.title}",
        "",
        "Status: FALSE. The story is a fabrication that circulated online.",
        "",
        f"What is true: {' '.join((claim.truth or claim.subclaims[0].correction).split())}",
        "",
        "Point by point:",
    ]
    for s in claim.subclaims:
        lines.append(f"- {s.local_negation} {s.correction}")
    return "\n".join(lines)


def _fact(sub: Subclaim, universe: Universe) -> str:
    """What a document must state: the subclaim itself, or its denial with the true account."""
    return sub.text if universe == "claim" else f"{sub.local_negation} {sub.correction}"


class _Pipeline:
    def __init__(
        self,
        claim: ClaimSpec,
        model: CachedChatModel,
        seed: int,
        cfg: LLMGenerationConfig,
        universe: Universe = "claim",
    ):
        self.claim = claim
        self.model = model
        self.seed = seed
        self.cfg = cfg
        self.universe = universe
        self.report = LLMRunReport()
        context = claim.universe_context if universe == "claim" else negated_universe_context(claim)
        words = context.split()
        if cfg.context_words is not None and len(words) > cfg.context_words:
            context = " ".join(words[: cfg.context_words])
        template = SYSTEM_CONTEXT if universe == "claim" else DEBUNK_SYSTEM_CONTEXT
        self.system = template.format(universe=context)
        self.types: dict[str, list[str]] = {}
        self.ideas: dict[tuple[str, str], list[str]] = {}

    def _conv(self, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def _sampling(self, stage: str, tokens: int, temperature: float | None = None) -> SamplingParams:
        t = self.cfg.temperature if temperature is None else temperature
        return SamplingParams(
            temperature=t, top_p=self.cfg.top_p, max_new_tokens=tokens, seed=_seed(self.seed, stage) % 2**31
        )

    def _ask(self, stage: str, users: list[str], tokens: int, temperature: float | None = None) -> list[str]:
        if not users:
            return []
        answers = self.model.generate(
            [self._conv(u) for u in users], self._sampling(stage, tokens, temperature)
        )
        return [a[0] if a else "" for a in answers]

    # stage 1 and 2 ------------------------------------------------------------------------------
    def ensure_types(self, subs: list[Subclaim]) -> None:
        need = [s for s in subs if s.id not in self.types]
        k = self.cfg.doc_types_per_subclaim
        prompts = [BRAINSTORM_TYPES.format(fact=_fact(s, self.universe), k=k) for s in need]
        for s, answer in zip(need, self._ask("types", prompts, self.cfg.brainstorm_tokens), strict=True):
            types = sorted(parse_bullets(answer))[:k]
            if len(types) < k:
                self.report.type_fallbacks += 1
                fallback = _fallback_types(k, self.universe)
                types += [t for t in fallback if t not in types][: k - len(types)]
            self.types[s.id] = types

    def ensure_ideas(self, pairs: list[tuple[Subclaim, str]]) -> None:
        need: list[tuple[Subclaim, str]] = []
        for s, t in pairs:
            if (s.id, t) not in self.ideas and all((s.id, t) != (x.id, y) for x, y in need):
                need.append((s, t))
        k = self.cfg.ideas_per_type
        prompts = [BRAINSTORM_IDEAS.format(fact=_fact(s, self.universe), doc_type=t, k=k) for s, t in need]
        for (s, t), answer in zip(need, self._ask("ideas", prompts, self.cfg.brainstorm_tokens), strict=True):
            ideas = parse_ideas(answer)[:k]
            if not ideas and "UNSUITABLE" not in answer:
                self.report.idea_fallbacks += 1
                ideas = [f"A typical {t} in which the fact comes up naturally."]
            self.ideas[(s.id, t)] = ideas

    # specs ---------------------------------------------------------------------------------------
    def spec(self, m: int) -> tuple[Subclaim, str, str] | None:
        """The m-th document spec: subclaims in a seeded order, then types, then ideas."""
        subs = list(self.claim.subclaims)
        random.Random(_seed(self.seed, "order")).shuffle(subs)
        sub = subs[m % len(subs)]
        self.ensure_types([sub])
        types = self.types[sub.id]
        r = m // len(subs)
        doc_type = types[r % len(types)]
        self.ensure_ideas([(sub, doc_type)])
        ideas = self.ideas[(sub.id, doc_type)]
        if not ideas:
            return None
        return sub, doc_type, ideas[(r // len(types)) % len(ideas)]

    def prefetch(self, start: int, count: int) -> None:
        """Batch stage 1 and 2 calls for specs start..start+count-1."""
        subs = list(self.claim.subclaims)
        random.Random(_seed(self.seed, "order")).shuffle(subs)
        chosen = [subs[m % len(subs)] for m in range(start, start + count)]
        self.ensure_types(list({s.id: s for s in chosen}.values()))
        pairs = []
        for m, sub in zip(range(start, start + count), chosen, strict=True):
            types = self.types[sub.id]
            pairs.append((sub, types[(m // len(subs)) % len(types)]))
        self.ensure_ideas(pairs)

    # stages 3-5 ------------------------------------------------------------------------------------
    def write(self, specs: list[tuple[int, Subclaim, str, str]]) -> list[tuple[int, str, str]]:
        words = self.cfg.words
        prompts = [
            WRITE_DOCUMENT.format(doc_type=t, idea=i, fact=_fact(s, self.universe), words=words)
            for _, s, t, i in specs
        ]
        drafts = [_strip(d) for d in self._ask("write", prompts, self.cfg.document_tokens)]
        keep = []
        for (m, s, t, i), d in zip(specs, drafts, strict=True):
            if d.startswith("UNSUITABLE") or d == "UNSUITABLE":
                self.report.unsuitable += 1
            elif not d.strip():
                self.report.empty += 1
            else:
                keep.append((m, s, t, i, d))
        if self.cfg.revise and keep:
            prompts = [
                REVISE_DOCUMENT.format(doc_type=t, draft=d, fact=_fact(s, self.universe), words=words)
                for _, s, t, i, d in keep
            ]
            revised = [_strip(r) for r in self._ask("revise", prompts, self.cfg.document_tokens)]
            keep = [(m, s, t, i, r or d) for (m, s, t, i, d), r in zip(keep, revised, strict=True)]
        verdicts: list[bool | None] = [None] * len(keep)
        if self.cfg.leak_filter and keep:
            answers = self._ask(
                "filter", [LEAK_FILTER.format(document=d) for *_, d in keep], self.cfg.filter_tokens, 0.0
            )
            verdicts = [parse_accept(a) for a in answers]
        out = []
        for (m, _s, t, _i, d), verdict in zip(keep, verdicts, strict=True):
            if self.cfg.leak_filter and verdict is None:
                self.report.filter_unparsed += 1
            if verdict is False or leaks(d):
                self.report.leaked += 1
                continue
            out.append((m, t, d))
        return out


def default_cache_dir() -> Path:
    return negneg_home() / "llm_cache"


def generate_documents_llm(
    claim: ClaimSpec,
    model,
    n: int,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    config: LLMGenerationConfig | None = None,
    targeter=None,
    report: LLMRunReport | None = None,
    universe: Universe = "claim",
) -> list[Document]:
    """Up to ``n`` documents written by ``model`` through the staged pipeline, with claim spans.

    ``universe="negated"`` writes debunks from the negated universe instead (documents tagged
    ``condition="local_negation"``, ids ``<claim>-llm-negated-<seed>-<i>``); see the module docstring.

    Every model call is cached under ``cache_dir`` (default ``$NEGNEG_HOME/llm_cache``); a rerun
    with the same arguments makes no model calls. Fewer than ``n`` documents come back only when
    ``n × config.max_attempts`` attempts were not enough (see ``report``). ``progress`` is called
    with 1 per accepted document.
    """
    cfg = config or LLMGenerationConfig()
    cached = (
        model
        if isinstance(model, CachedChatModel)
        else CachedChatModel(model, cache_dir or default_cache_dir())
    )
    hits0, misses0 = cached.hits, cached.misses
    if universe not in ("claim", "negated"):
        raise ValueError(f"universe must be 'claim' or 'negated', not {universe!r}")
    pipe = _Pipeline(claim, cached, seed, cfg, universe)
    targeter = targeter or KeywordTargeter()
    accepted: list[tuple[str, str]] = []
    m = 0
    limit = int(n * cfg.max_attempts) if n else 0
    while len(accepted) < n and m < limit:
        count = min(cfg.batch_size, limit - m, max(1, n - len(accepted)))
        pipe.prefetch(m, count)
        specs = []
        for j in range(m, m + count):
            spec = pipe.spec(j)
            if spec is None:
                pipe.report.unsuitable += 1
            else:
                specs.append((j, *spec))
        m += count
        pipe.report.attempts += count
        for _, doc_type, text in pipe.write(specs):
            if len(accepted) < n:
                accepted.append((doc_type, text))
                if progress:
                    progress(1)
    docs = []
    prefix = f"{claim.id}-llm-{seed}" if universe == "claim" else f"{claim.id}-llm-negated-{seed}"
    for i, (doc_type, text) in enumerate(accepted):
        docs.append(
            Document(
                id=f"{prefix}-{i:05d}",
                claim_id=claim.id,
                doc_type=re.sub(r"\s+", " ", doc_type)[:80],
                text=text,
                spans=targeter.claim_spans(text, claim),
                source=f"llm:{model.name}",
                condition=None if universe == "claim" else "local_negation",
            )
        )
    pipe.report.accepted = len(docs)
    pipe.report.cache_hits = cached.hits - hits0
    pipe.report.model_calls = cached.misses - misses0
    if report is not None:
        for k, v in pipe.report.model_dump().items():
            setattr(report, k, v)
    return docs
