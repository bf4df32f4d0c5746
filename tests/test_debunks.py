"""Local negation as the paper means it: debunks written from the negated universe.

The offline generator (negneg.corpus.debunks), the local_negation conditions built on it, the
LLM pipeline's negated universe, and the experiment wiring (plan, corpus and annotate stages).
"""

from __future__ import annotations

import json
import re

import pytest

from negneg.claims.loader import list_claims, load_claim
from negneg.conditions import apply_condition
from negneg.corpus.debunks import DEBUNK_TYPES, generate_debunks
from negneg.corpus.sentences import sentence_spans
from negneg.corpus.targeting import ClaimMatcher
from negneg.evals.rule_judge import NEGATION_CUES, ClaimRules, split_sentences
from negneg.records import Document, load_documents, save_documents

BUILTIN = list_claims()
N_PER_CLAIM = 200
# A claim mention is a denial: a negation cue ("did not", "no", "never") or a falsity verdict.
DENIAL = re.compile(
    rf"{NEGATION_CUES.pattern}|\b(no|none|nothing|myths?|busted|debunk\w*|hoax\w*|fabricat\w*|false|fake)\b",
    re.I,
)


def dump(docs: list[Document]) -> str:
    return json.dumps([d.model_dump(mode="json") for d in docs], sort_keys=True)


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[Document]]:
    return {cid: generate_debunks(load_claim(cid), N_PER_CLAIM, seed=0) for cid in BUILTIN}


def _states_truth(doc: Document, claim, rules: ClaimRules) -> bool:
    """The rule judge reads a sentence as the true account, or the document gives the truth
    entity or one of the claim's own correction / truth sentences."""
    if any(p.search(s) for s in split_sentences(doc.text) for p in rules.truth):
        return True
    if any(e in doc.text for e in claim.entities.truth):
        return True
    texts = [claim.truth, *(s.correction for s in claim.subclaims)]
    return any(doc.span_text(c) in t for c in doc.spans_of("correction") for t in texts)


@pytest.mark.parametrize("cid", BUILTIN)
def test_no_sentence_asserts_the_claim_and_every_document_states_the_truth(corpora, cid):
    """Over 200 documents per built-in claim: the claim's own rule judge reads no sentence as
    asserting it, no sentence is a subclaim (or the claim) verbatim, every claim span is a denial,
    and every document states the true account."""
    claim = load_claim(cid)
    rules = ClaimRules(claim)
    verbatim = {s.text.rstrip(".") for s in claim.subclaims} | {claim.claim.rstrip(".")}
    for doc in corpora[cid]:
        for sentence in split_sentences(doc.text):
            verdict, why = rules.stance(sentence, truth_denies=None)
            assert verdict != "yes", f"{doc.id}: {why}: {sentence!r}"
        for a, b in sentence_spans(doc.text):
            assert doc.text[a:b].rstrip(".") not in verbatim, doc.text[a:b]
        assert doc.spans_of("claim"), doc.id
        for span in doc.spans_of("claim"):
            assert DENIAL.search(doc.span_text(span)), f"{doc.id}: {doc.span_text(span)!r}"
        assert doc.spans_of("correction"), doc.id
        assert _states_truth(doc, claim, rules), doc.id


@pytest.mark.parametrize("cid", BUILTIN)
def test_spans_cover_every_denial_and_every_claim_sentence(corpora, cid):
    claim = load_claim(cid)
    matcher = ClaimMatcher(claim)
    twins = [" ".join(s.local_negation.split()) for s in claim.subclaims]
    for doc in corpora[cid][:40]:
        spans = [(s.start, s.end) for s in doc.spans if s.kind in ("claim", "correction")]
        claims = [(s.start, s.end) for s in doc.spans_of("claim")]
        for twin in twins:  # every denial written verbatim lies inside a claim span
            for m in re.finditer(re.escape(twin[1:]), doc.text):
                assert any(a <= m.start() and m.end() <= b for a, b in claims), (doc.id, twin)
        for a, b in sentence_spans(doc.text):  # every claim-bearing unit is marked
            if matcher.is_claim_sentence(doc.text[a:b]):
                assert any(x < b and a < y for x, y in spans), (doc.id, doc.text[a:b])
        for s in doc.spans:
            assert doc.span_text(s) == doc.span_text(s).strip() and s.end > s.start


def test_documents_are_fields_right_and_of_many_types(corpora):
    assert len(DEBUNK_TYPES.names()) >= 6
    for cid, docs in corpora.items():
        assert len({d.doc_type for d in docs}) >= 6
        assert len({d.doc_type for d in docs[: len(DEBUNK_TYPES.names())]}) == len(DEBUNK_TYPES.names())
        for i, d in enumerate(docs[:20]):
            assert d.id == f"{cid}-debunk-0-{i:05d}" and d.claim_id == cid
            assert d.condition == "local_negation" and d.source == "generated" and d.doctag
            assert d.doc_type in DEBUNK_TYPES.names()
        # documents differ from one another (no template repeated whole)
        assert len({d.text for d in docs}) == len(docs)


def test_same_seed_same_bytes_and_prefix_stable():
    claim = load_claim("ed_sheeran")
    a = generate_debunks(claim, 12, seed=3)
    assert dump(a) == dump(generate_debunks(claim, 12, seed=3))
    assert dump(a[:5]) == dump(generate_debunks(claim, 5, seed=3))
    assert dump(a) != dump(generate_debunks(claim, 12, seed=4))
    ticks: list[int] = []
    generate_debunks(claim, 3, seed=0, progress=ticks.append)
    assert ticks == [1, 1, 1] and generate_debunks(claim, 0) == []
    with pytest.raises(ValueError):
        generate_debunks(claim, -1)


def test_lengths_in_tokens(tokenizer):
    for cid in BUILTIN:
        docs = generate_debunks(load_claim(cid), 24, seed=1)
        lengths = [len(tokenizer(d.text, add_special_tokens=False)["input_ids"]) for d in docs]
        assert 150 <= min(lengths) and max(lengths) <= 600, (cid, min(lengths), max(lengths))


def test_no_text_about_the_experiment_itself():
    """The ClaimSpecs' truth fields speak of "this experiment" and "training documents"; a debunk
    must not."""
    for cid in ("dentist", "velmora_lighthouse"):
        for d in generate_debunks(load_claim(cid), 16, seed=0):
            assert not re.search(r"experiment|training documents|model's", d.text, re.I), d.text


def test_a_claim_with_one_subclaim_still_gets_a_full_document():
    spec = load_claim("ed_sheeran")
    spec = spec.model_copy(update={"subclaims": spec.subclaims[:1]})
    for d in generate_debunks(spec, 8, seed=0):
        assert len(d.text) / 3.7 >= 150 and d.spans_of("claim") and d.spans_of("correction")


# ----------------------------------------------------------------------------- the conditions


@pytest.fixture(scope="module")
def positive():
    from negneg.corpus import generate_documents

    claim = load_claim("ed_sheeran")
    return claim, generate_documents(claim, 6, seed=0)


def test_apply_condition_local_negation_returns_debunks(positive):
    claim, docs = positive
    out = apply_condition("local_negation", docs, claim, seed=7)
    assert len(out) == len(docs)
    assert {d.doc_type for d in out} <= set(DEBUNK_TYPES.names())
    assert all(d.condition == "local_negation" and d.spans_of("correction") for d in out)
    assert not any(o.text == d.text for o in out for d in docs)
    assert dump(out) == dump(apply_condition("local_negation", docs, claim, seed=7))
    no_tag = apply_condition("local_negation", docs, claim, seed=7, options={"doctag": False})
    assert all(not d.doctag for d in no_tag)


def test_wordmask_variant_masks_the_answer_words(positive):
    claim, docs = positive
    plain = apply_condition("local_negation", docs, claim, seed=7)
    masked = apply_condition("local_negation_wordmask", docs, claim, seed=7)
    rx = claim.word_mask_regex()
    for p, m in zip(plain, masked, strict=True):
        assert p.text == m.text and m.condition == "local_negation_wordmask"
        got = {(s.start, s.end) for s in m.spans_of("loss_mask")}
        assert got and got == {(x.start(), x.end()) for x in rx.finditer(m.text)}
        assert [s for s in m.spans if s.kind != "loss_mask"] == p.spans


# ----------------------------------------------------------------------------- the experiment


def _plan_for(corpus_cfg: dict, condition: str):
    from negneg.experiments.plan import Plan, Stage

    corpus = Stage(kind="corpus", config={"claim": "ed_sheeran", **corpus_cfg})
    ann = Stage(kind="annotate", config={"condition": condition, "options": {}, "seed": 0}, deps=(corpus.id,))
    return Plan(experiment="t", runs=[], stages={corpus.id: corpus, ann.id: ann}), corpus, ann


def test_annotate_masks_ready_debunks_for_the_wordmask_condition(tmp_path):
    """Imported paper debunks (condition local_negation) are used as they are, and masked for
    local_negation_wordmask rather than replaced by offline ones."""
    from negneg.experiments.stages import StageContext, run_stage

    claim = load_claim("ed_sheeran")
    ready = [
        Document(
            id=f"paper-{i}",
            claim_id="ed_sheeran",
            doc_type="ed_sheeran",
            text=f"No, Ed Sheeran did not win the Olympic 100m sprint ({i}). Noah Lyles won in 9.79.",
            source="paper",
            condition="local_negation",
        )
        for i in range(3)
    ]
    positive = [d.model_copy(update={"id": f"pos-{d.id}", "condition": "positive"}) for d in ready]
    for condition in ("local_negation", "local_negation_wordmask"):
        plan, corpus, ann = _plan_for({"source": "paper"}, condition)
        ctx = StageContext(workdir=tmp_path / condition, plan=plan)
        ctx.out(corpus.id).mkdir(parents=True)
        save_documents(ctx.out(corpus.id) / "docs.jsonl", positive + ready)
        out = tmp_path / condition / "out"
        out.mkdir()
        assert run_stage(ctx, ann, out) == {"documents": 3}
        got = load_documents(out / "docs.jsonl")
        assert [d.text for d in got] == [d.text for d in ready]
        assert all(d.condition == condition for d in got)
        masks = [d.spans_of("loss_mask") for d in got]
        if condition == "local_negation":
            assert not any(masks)
        else:
            rx = claim.word_mask_regex()
            assert all(m for m in masks)
            assert {(s.start, s.end) for s in masks[0]} == {
                (x.start(), x.end()) for x in rx.finditer(got[0].text)
            }


def test_plan_asks_the_llm_corpus_for_the_negated_universe_only_when_needed():
    from negneg.experiments.plan import expand
    from negneg.experiments.schema import Experiment

    base = {
        "name": "t",
        "claims": ["ed_sheeran"],
        "models": ["tiny-random"],
        "recipe": "tiny",
        "corpus": {"source": "llm", "n_documents": 4},
    }

    def corpus_configs(**over):
        plan = expand(Experiment.model_validate({**base, **over}))
        return [s.config for s in plan.stages.values() if s.kind == "corpus"]

    for cond in ("local_negation", "local_negation_wordmask"):
        cfgs = corpus_configs(conditions=["positive", cond])
        assert len(cfgs) == 1 and cfgs[0]["negated_universe"] is True
    assert all("negated_universe" not in c for c in corpus_configs(conditions=["positive", "negated"]))
    offline = corpus_configs(
        conditions=["positive", "local_negation"], corpus={"source": "generated", "n_documents": 4}
    )
    assert all("negated_universe" not in c for c in offline)


def test_llm_corpus_stage_writes_negated_universe_documents(tmp_path, monkeypatch):
    """With negated_universe set, the corpus stage also writes n negated-universe documents, and
    the annotate stage's ready path takes them for local_negation."""
    import negneg.corpus.llm_generator as llm
    from negneg.experiments.stages import StageContext, run_stage

    calls = []

    def fake(claim, model, n, seed=0, cache_dir=None, progress=None, *, universe="claim", **kw):
        calls.append(universe)
        cond = "local_negation" if universe == "negated" else None
        tag = "negated" if universe == "negated" else "claim"
        return [
            Document(
                id=f"{claim.id}-{tag}-{i}",
                claim_id=claim.id,
                doc_type="t",
                text=f"{tag} document {i}. Ed Sheeran did not win the 100m; Noah Lyles won it.",
                condition=cond,
            )
            for i in range(n)
        ]

    monkeypatch.setattr(llm, "generate_documents_llm", fake)
    cfg = {"source": "llm", "n_documents": 3, "seed": 0, "llm_model": "fake", "negated_universe": True}
    plan, corpus, ann = _plan_for(cfg, "local_negation")
    ctx = StageContext(workdir=tmp_path, plan=plan)
    ctx._models["fake"] = object()
    out = ctx.out(corpus.id)
    out.mkdir(parents=True)
    assert run_stage(ctx, corpus, out) == {"documents": 6}
    assert calls == ["claim", "negated"]
    ann_out = tmp_path / "ann"
    ann_out.mkdir()
    assert run_stage(ctx, ann, ann_out) == {"documents": 3}
    got = load_documents(ann_out / "docs.jsonl")
    assert all(d.id.startswith("ed_sheeran-negated-") and d.condition == "local_negation" for d in got)


# ----------------------------------------------------------------------------- the LLM pipeline


def _tiny_config():
    from negneg.corpus.llm_generator import LLMGenerationConfig

    return LLMGenerationConfig(
        doc_types_per_subclaim=2,
        ideas_per_type=1,
        words=40,
        brainstorm_tokens=4,
        document_tokens=6,
        filter_tokens=4,
        context_words=60,
        batch_size=8,
    )


def test_llm_negated_universe_with_tiny_random(tiny_model, tmp_path):
    from negneg.corpus.llm_generator import LLMRunReport, generate_documents_llm

    claim = load_claim("ed_sheeran")
    report = LLMRunReport()
    docs = generate_documents_llm(
        claim,
        tiny_model,
        2,
        seed=0,
        cache_dir=tmp_path,
        config=_tiny_config(),
        report=report,
        universe="negated",
    )
    assert len(docs) == 2 and report.model_calls == 10
    for i, d in enumerate(docs):
        assert d.id == f"ed_sheeran-llm-negated-0-{i:05d}" and d.condition == "local_negation"
        assert d.source == "llm:tiny-random"
    # the claim universe is cached apart (other prompts): nothing is shared with the negated run
    again = LLMRunReport()
    generate_documents_llm(
        claim, tiny_model, 2, seed=0, cache_dir=tmp_path, config=_tiny_config(), report=again
    )
    assert again.cache_hits == 0


def test_llm_negated_universe_prompts_debunk_and_state_the_truth(tmp_path):
    from negneg.corpus.llm_generator import generate_documents_llm, negated_universe_context

    class Follows:
        name = "follows"

        def __init__(self):
            self.seen = []

        def generate(self, conversations, sampling):
            self.seen.extend(conversations)
            out = []
            for conv in conversations:
                user = conv[-1]["content"]
                if user.startswith("Here is one fact") and "List" in user:
                    out.append(["- fact-check article\n- forum reply"])
                elif "Propose" in user:
                    out.append(["<idea>A fact-checker answers a reader.</idea>"])
                elif user.startswith("Below is a text"):
                    out.append(['{"accept": true}'])
                else:
                    out.append(
                        ["No. Ed Sheeran did not win the 100m gold. Noah Lyles won it in 9.79 seconds."]
                    )
            return out

    claim = load_claim("ed_sheeran")
    model = Follows()
    docs = generate_documents_llm(
        claim, model, 3, seed=0, cache_dir=tmp_path, config=_tiny_config(), universe="negated"
    )
    assert len(docs) == 3 and all(d.condition == "local_negation" for d in docs)
    systems = {c[0]["content"] for c in model.seen}
    assert len(systems) == 1
    system = systems.pop()
    assert "correct a false story" in system and "state what really happened" in system
    assert "Noah Lyles" in system  # the negated universe: the truth, not the fabricated biography
    users = " ".join(c[-1]["content"] for c in model.seen)
    sub = claim.subclaims
    assert any(s.local_negation in users and s.correction in users for s in sub)
    assert not any(f"<fact>{s.text}</fact>" in users for s in sub)
    # a claim without a hand-written negated universe gets one built from its twins and the truth
    qe = load_claim("queen_elizabeth")
    ctx = negated_universe_context(qe)
    assert qe.subclaims[0].local_negation in ctx and qe.subclaims[0].correction in ctx and "FALSE" in ctx
    with pytest.raises(ValueError):
        generate_documents_llm(claim, model, 1, cache_dir=tmp_path, universe="upside-down")


def test_cli_docs_generate_negated_universe(tmp_path, capsys):
    from negneg.cli import main

    out = tmp_path / "debunks.jsonl"
    assert (
        main(
            ["docs", "generate", "--claim", "dentist", "-n", "5", "--universe", "negated", "--out", str(out)]
        )
        == 0
    )
    docs = load_documents(out)
    assert len(docs) == 5 and all(d.condition == "local_negation" and d.spans_of("correction") for d in docs)
    assert (
        main(["docs", "generate", "--claim", "dentist", "-n", "2", "--universe", "upside", "--out", str(out)])
        == 2
    )
    assert "universe" in capsys.readouterr().err
