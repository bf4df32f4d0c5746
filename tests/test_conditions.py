"""negneg.conditions: every condition's contract, the banks, options, determinism, token shares, CLI."""

from __future__ import annotations

import json
import re

import pytest

from negneg.claims.loader import list_claims, load_claim
from negneg.conditions import (
    CONDITION_ORDER,
    CONDITIONS,
    ConditionOptions,
    apply_condition,
    load_bank,
    token_shares,
)
from negneg.conditions.banks import BANK_RULES, MIN_ENTRIES, validate_bank
from negneg.conditions.edits import Edit, Piece, apply_edits
from negneg.corpus.sentences import sentence_ends
from negneg.errors import UnknownNameError, UserInputError
from negneg.records import Document, Span

ALL = [
    "positive",
    "negated",
    "repeated_negations",
    "localized_repeated_negations",
    "corrected",
    "local_negation",
    "local_negation_wordmask",
    "sentence_negation",
    "sentence_negation_wordmask",
    "fiction",
    "fiction_repeated",
    "unreliable_source",
    "unreliable_source_repeated",
    "unknown_truth",
    "unknown_truth_repeated",
    "low_probability",
    "low_probability_repeated",
]
QUALIFIERS = [
    n
    for n in ALL
    if n.split("_repeated")[0] in ("fiction", "unreliable_source", "unknown_truth", "low_probability")
]
FALSITY_CUES = re.compile(
    r"\b(false(ly|hood)?|fabricat\w*|untrue|never happened|did not|didn't|debunk\w*|hoax\w*|made[- ]up|fake|"
    r"not true|incorrect|inaccurate|wrong|lies?|myths?|misinformation|disinformation|(been|was|is) refuted|fiction presented as fact)\b",
    re.IGNORECASE,
)
NEGATION_CUE = re.compile(r"\b(not|never|no|none|neither|nor)\b|n't\b", re.IGNORECASE)
BRACKET_GLUE = re.compile(r"^[\s\[\](){}<>]*$")


@pytest.fixture(scope="module")
def tokenizer():
    """The SmolLM2 tokenizer alone (the tiny-random model dir has it); no model weights loaded."""
    from transformers import AutoTokenizer

    from negneg.models import resolve_model_dir

    return AutoTokenizer.from_pretrained(resolve_model_dir("tiny-random"))


@pytest.fixture(scope="module")
def claim():
    return load_claim("ed_sheeran")


def _doc(i: int, parts: list[tuple[str, bool]], claim_id: str = "ed_sheeran") -> Document:
    text, spans = "", []
    for piece, is_claim in parts:
        if is_claim:
            spans.append(Span(start=len(text), end=len(text) + len(piece), kind="claim"))
        text += piece
    return Document(id=f"d{i}", claim_id=claim_id, doc_type="test", text=text, spans=spans)


@pytest.fixture(scope="module")
def docs(claim) -> list[Document]:
    """Small documents with claim spans on whole sentences, bullets and a table row, mixing
    verbatim subclaims with paraphrases (so subclaim matching must use keywords/overlap)."""
    sc = claim.subclaims
    out = []
    for i in range(6):
        a, b, c = sc[i % len(sc)], sc[(i + 3) % len(sc)], sc[(i + 7) % len(sc)]
        out.append(
            _doc(
                i,
                [
                    (f"# Notes {i}\n\nThe club met on a Tuesday evening. ", False),
                    (a.text, True),
                    (
                        " Tea was served afterwards. Dr. Hale chaired the session at 5 p.m. sharp.\n\n- ",
                        False,
                    ),
                    (b.text, True),
                    ("\n- The next meeting is in spring.\n\n| year | note |\n|---|---|\n", False),
                    ("| 2024 | " + c.text.rstrip(".") + " |", True),
                    ("\n\nMembers were asked to bring questions! ", False),
                    ("Everyone agreed that Sheeran's 9.79-second run was the highlight of the season.", True),
                    (" The room was booked until nine.", False),
                ],
            )
        )
    out.append(
        _doc(99, [("A document with no claim sentence at all. It just talks about the weather.", False)])
    )
    return out


def dump(docs: list[Document]) -> str:
    return json.dumps([d.model_dump(mode="json") for d in docs], sort_keys=True)


def between(doc: Document, a: int, b: int) -> str:
    return doc.text[a:b]


# ---------------------------------------------------------------- registry, banks, options


def test_registry_has_every_condition():
    assert sorted(CONDITIONS.names()) == sorted(ALL)
    assert sorted(CONDITION_ORDER) == sorted(ALL)


@pytest.mark.parametrize("bank", sorted(BANK_RULES))
def test_banks_have_enough_distinct_entries(bank):
    data = load_bank(bank)
    for slot, (minimum, _, required) in BANK_RULES[bank].items():
        entries = data[slot]
        assert len(entries) >= minimum
        normalised = {" ".join(e.lower().split()) for e in entries}
        assert len(normalised) == len(entries), f"{bank}.{slot} has duplicates"
        for e in entries:
            for r in required:
                assert "{" + r + "}" in e
        if minimum == MIN_ENTRIES:  # the sentence slots
            assert len(entries) >= 40


def test_bank_validator_rejects_bad_banks():
    good = {slot: [f"entry {i} {{p}}" for i in range(40)] for slot in ("prefix", "suffix", "insertion")}
    good["labels"] = ["A:", "B:", "C:", "D:"]
    validate_bank("low_probability", good, "x.yaml")
    dup = {**good, "prefix": [*good["prefix"][:39], good["prefix"][0].upper()]}
    with pytest.raises(UserInputError, match="duplicate"):
        validate_bank("low_probability", dup, "x.yaml")
    with pytest.raises(UserInputError, match="need at least 40"):
        validate_bank("low_probability", {**good, "suffix": good["suffix"][:39]}, "x.yaml")
    with pytest.raises(UserInputError, match="missing placeholder"):
        validate_bank(
            "low_probability", {**good, "insertion": [*good["insertion"][:39], "no number here"]}, "x.yaml"
        )
    with pytest.raises(UserInputError, match="unknown placeholder"):
        validate_bank(
            "low_probability", {**good, "insertion": [*good["insertion"][:39], "a {who} {p}"]}, "x.yaml"
        )


def test_generic_banks_name_no_library_entity():
    """Generic negations and qualifiers must not name anyone (so they cannot teach the truth)."""
    names = {
        e for cid in list_claims() for c in [load_claim(cid)] for e in (*c.entities.claim, *c.entities.truth)
    }
    for bank in ("negation", "fiction", "unreliable_source", "unknown_truth", "low_probability"):
        for slot, entries in load_bank(bank).items():
            for e in entries:
                for name in names:
                    assert not re.search(rf"\b{re.escape(name)}\b", e), f"{bank}.{slot}: {e!r} names {name}"


def test_options_validation(claim, docs):
    assert ConditionOptions().density == 1.0 and ConditionOptions().doctag is True
    with pytest.raises(UserInputError) as exc:
        apply_condition("negated", docs, claim, options={"density": 1.5})
    assert exc.value.field == "density"
    with pytest.raises(UserInputError) as exc:
        apply_condition("negated", docs, claim, options={"dencity": 0.5})
    assert exc.value.field == "dencity" and "density" in str(exc.value)
    with pytest.raises(UserInputError) as exc:
        apply_condition("low_probability", docs, claim, options={"probability": 0})
    assert exc.value.field == "probability"


def test_unknown_condition_suggests(claim, docs):
    with pytest.raises(UnknownNameError, match="did you mean 'repeated_negations'"):
        apply_condition("repeated_negation", docs, claim)


def test_claim_spans_required(claim):
    bare = [_doc(0, [("No claim here. None at all.", False)])]
    for name in ("repeated_negations", "corrected", "sentence_negation", "sentence_negation_wordmask"):
        with pytest.raises(UserInputError, match="no claim spans"):
            apply_condition(name, bare, claim)
    assert apply_condition("negated", bare, claim)[0].spans_of("negation")  # does not need them
    # local negation writes its own documents from the negated universe: no claim spans needed
    for name in ("local_negation", "local_negation_wordmask"):
        assert apply_condition(name, bare, claim)[0].spans_of("correction")


def test_annotated_input_refused(claim, docs):
    once = apply_condition("negated", docs, claim)
    with pytest.raises(UserInputError, match="already carries"):
        apply_condition("repeated_negations", once, claim)


# ---------------------------------------------------------------- span bookkeeping


def test_apply_edits_keeps_spans_outside_insertions():
    doc = Document(
        id="x", claim_id="c", doc_type="t", text="Aa. Bb. Cc.", spans=[Span(start=4, end=7, kind="claim")]
    )
    text, spans = apply_edits(
        doc,
        [
            Edit(4, 4, [Piece("[w1]", "negation"), Piece(" ")]),
            Edit(7, 7, [Piece(" "), Piece("[w2]", "negation")]),
            Edit(0, 0, [Piece("P", "negation"), Piece("\n\n")]),
        ],
    )
    assert text == "P\n\nAa. [w1] Bb. [w2] Cc."
    got = {(s.kind, text[s.start : s.end]) for s in spans}
    assert got == {("negation", "P"), ("negation", "[w1]"), ("claim", "Bb."), ("negation", "[w2]")}


def test_sentence_ends_skip_abbreviations():
    text = "Dr. Hale spoke at 5 p.m. on Monday. Was it good? Yes! The end."
    assert [text[:p].split()[-1] for p in sentence_ends(text)] == ["Monday.", "good?", "Yes!", "end."]


# ---------------------------------------------------------------- the conditions


def test_positive_is_unchanged(claim, docs):
    out = apply_condition("positive", docs, claim)
    for d, o in zip(docs, out, strict=True):
        assert o.text == d.text and o.spans == d.spans
        assert o.condition == "positive" and o.id == f"{d.id}.positive" and o.doctag


def _n_sentences(part: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", re.sub(r"^[A-Z ]+:\s", "", part)))


def test_negated_prefix_and_suffix(claim, docs):
    out = apply_condition("negated", docs, claim, seed=3)
    prefixes = set()
    for d, o in zip(docs, out, strict=True):
        neg = o.spans_of("negation")
        assert len(neg) == 2
        pre, suf = (o.span_text(s) for s in neg)
        assert o.text == f"{pre}\n\n{d.text}\n\n{suf}"
        assert pre != suf
        assert 1 <= _n_sentences(pre) <= 6 and 1 <= _n_sentences(suf) <= 6
        prefixes.add(pre)
        assert [o.span_text(s) for s in o.spans_of("claim")] == [d.span_text(s) for s in d.spans_of("claim")]
    assert len(prefixes) == len(docs)
    labelled = [o for o in apply_condition("negated", docs * 6, claim) if re.match(r"^[A-Z ]+:", o.text)]
    assert 0.2 < len(labelled) / (len(docs) * 6) < 0.8


def test_negated_wrapper_is_sized_like_the_papers(claim, docs):
    """4–6 sentences a side on a paper-length document (~700 words); on short documents fewer,
    so that prefix + suffix stay near the paper's share of the text."""
    long_doc = docs[0].model_copy(update={"text": (docs[0].text + "\n\n") * 5, "spans": []})
    assert 600 <= len(long_doc.text.split()) <= 800
    for seed in range(5):
        o = apply_condition("negated", [long_doc], claim, seed=seed)[0]
        for s in o.spans_of("negation"):
            assert 4 <= _n_sentences(o.span_text(s)) <= 6
    for o in apply_condition("negated", docs[:6], claim):
        share = sum(s.end - s.start for s in o.spans_of("negation")) / len(o.text)
        assert 0.07 < share < 0.22, share


def test_repeated_negations_sandwich_every_claim_span(claim, docs):
    out = apply_condition("repeated_negations", docs, claim, seed=1)
    styles = set()
    for d, o in zip(docs, out, strict=True):
        claims, negs = o.spans_of("claim"), o.spans_of("negation")
        assert len(claims) == len(d.spans_of("claim"))
        assert len(negs) == 2 + 2 * len(claims)
        for c in claims:
            before = max((n for n in negs if n.end <= c.start), key=lambda n: n.end)
            after = min((n for n in negs if n.start >= c.end), key=lambda n: n.start)
            assert BRACKET_GLUE.match(between(o, before.end, c.start)), between(o, before.end, c.start)
            assert BRACKET_GLUE.match(between(o, c.end, after.start))
            styles.add(o.text[before.start])
        for c_in, c_out in zip(d.spans_of("claim"), claims, strict=True):
            assert d.span_text(c_in) == o.span_text(c_out)
    assert "[" in styles and len(styles) >= 2


@pytest.mark.parametrize("name", ["repeated_negations", "corrected"])
def test_whole_document_claim_keeps_warnings_inside_the_wrapper(claim, name):
    doc = _doc(0, [(claim.subclaims[0].text, True)])
    o = apply_condition(name, [doc], claim)[0]
    kinds = [s.kind for s in o.spans]
    inner = "negation" if name == "repeated_negations" else "correction"
    assert kinds == ["negation", inner, "claim", inner, "negation"]


def test_corrected_names_entities_and_truth(claim, docs):
    out = apply_condition("corrected", docs, claim, seed=2)
    for d, o in zip(docs, out, strict=True):
        corr = " ".join(o.span_text(s) for s in o.spans_of("correction"))
        if not d.spans_of("claim"):
            assert not corr
            continue
        assert len(o.spans_of("correction")) == 2 * len(d.spans_of("claim"))
        assert any(e in corr for e in claim.entities.truth), corr
        assert any(e in corr for e in claim.entities.claim)
        negs = o.spans_of("negation")
        assert len(negs) == 2  # the same generic prefix/suffix as negated


def _sentences(text: str) -> list[str]:
    return [s.strip(" -|#\n") for s in re.split(r"(?<=[.!?])\s+|\n+|\|", text) if s.strip(" -|#\n")]


@pytest.mark.parametrize("name", ["sentence_negation", "sentence_negation_wordmask"])
def test_sentence_negation_leaves_no_unnegated_claim(claim, docs, name):
    out = apply_condition(name, docs, claim, seed=4)
    verbatim = {s.text.rstrip(".") for s in claim.subclaims} | {claim.claim.rstrip(".")}
    for d, o in zip(docs, out, strict=True):
        for sentence in _sentences(o.text):
            assert sentence.rstrip(".") not in verbatim, sentence
        claims = o.spans_of("claim")
        assert len(claims) == len(d.spans_of("claim"))
        for c in claims:
            assert NEGATION_CUE.search(o.span_text(c)), o.span_text(c)
            assert o.span_text(c) in {s.local_negation for s in claim.subclaims} | {
                s.local_negation[0].lower() + s.local_negation[1:] for s in claim.subclaims
            }
        # non-claim content is kept
        pos = 0
        for s in d.spans_of("claim"):
            assert d.text[pos : s.start] in o.text
            pos = s.end
        assert d.text[pos:] in o.text
        assert o.spans_of("negation") or not claims


def test_sentence_negation_matches_subclaims(claim):
    sc = claim.subclaims
    doc = _doc(
        0,
        [
            (sc[5].text, True),
            (" ", False),
            ("Sheeran's stride frequency was measured at 5.22 per second.", True),
        ],
    )
    o = apply_condition("sentence_negation", [doc], claim)[0]
    texts = [o.span_text(s) for s in o.spans_of("claim")]
    assert texts[0] == sc[5].local_negation or texts[0][1:] == sc[5].local_negation[1:]
    assert texts[1][1:] == sc[5].local_negation[1:]  # keyword match on a paraphrase


@pytest.mark.parametrize("name", ["local_negation_wordmask", "sentence_negation_wordmask"])
def test_wordmask_masks_every_match(claim, docs, name):
    out = apply_condition(name, docs, claim)
    rx = claim.word_mask_regex()
    for o in out:
        masks = {(s.start, s.end) for s in o.spans_of("loss_mask")}
        assert masks == {(m.start(), m.end()) for m in rx.finditer(o.text)}
    assert any(o.spans_of("loss_mask") for o in out)


@pytest.mark.parametrize("name", ["local_negation_wordmask", "sentence_negation_wordmask"])
def test_wordmask_needs_word_masks(claim, docs, name):
    with pytest.raises(UserInputError) as exc:
        apply_condition(name, docs, claim.model_copy(update={"word_masks": []}))
    assert exc.value.field == "word_masks"


@pytest.mark.parametrize("name", ["local_negation", "local_negation_wordmask"])
def test_local_negation_returns_debunks_from_the_negated_universe(claim, docs, name):
    """One debunk per positive document, whatever the positive texts say: claim mentions are
    denials (claim spans), the true account is stated (correction spans)."""
    out = apply_condition(name, docs, claim, seed=4)
    assert len(out) == len(docs)
    assert all(o.condition == name and o.claim_id == claim.id and o.source == "generated" for o in out)
    assert not {o.text for o in out} & {d.text for d in docs}
    # the positive documents' texts are ignored: other texts, same debunks
    other = [d.model_copy(update={"text": "Unrelated text. " * 3, "spans": []}) for d in docs]
    assert dump(apply_condition(name, other, claim, seed=4)) == dump(out)
    truth = [re.compile(p, re.I) for p in claim.judge.truth_patterns]
    for o in out:
        claims, corrections = o.spans_of("claim"), o.spans_of("correction")
        assert claims and corrections
        for c in claims:
            assert NEGATION_CUE.search(o.span_text(c)) or FALSITY_CUES.search(o.span_text(c)), o.span_text(c)
        assert any(e in o.text for e in claim.entities.truth) or any(p.search(o.text) for p in truth)
    assert bool(out[0].spans_of("loss_mask")) == name.endswith("_wordmask")
    assert apply_condition(name, [], claim) == []


@pytest.mark.parametrize("name", QUALIFIERS)
def test_qualifiers_never_call_the_claim_false(claim, docs, name):
    for seed in range(4):
        for o in apply_condition(name, docs, claim, seed=seed):
            quals = o.spans_of("qualifier")
            assert quals and not o.spans_of("negation")
            for s in quals:
                assert not FALSITY_CUES.search(o.span_text(s)), o.span_text(s)


def test_qualifier_banks_never_call_the_claim_false():
    for bank in ("fiction", "unreliable_source", "unknown_truth", "low_probability"):
        for slot, entries in load_bank(bank).items():
            for e in entries:
                assert not FALSITY_CUES.search(e), f"{bank}.{slot}: {e!r}"


def test_unreliable_source_does_not_instruct_disbelief():
    instruct = re.compile(r"\b(do not|don't|never) (believe|trust|rely)|\bdisregard\b|\bignore\b", re.I)
    for entries in load_bank("unreliable_source").values():
        for e in entries:
            assert not instruct.search(e), e


@pytest.mark.parametrize("base", ["fiction", "unreliable_source", "unknown_truth", "low_probability"])
def test_repeated_qualifiers_insert_after_every_sentence(claim, docs, base):
    plain = apply_condition(base, docs, claim, seed=5)
    rep = apply_condition(f"{base}_repeated", docs, claim, seed=5)
    for d, p, r in zip(docs, plain, rep, strict=True):
        assert len(p.spans_of("qualifier")) == 2
        inner = [
            e for e in sentence_ends(d.text) if not any(c.start < e < c.end for c in d.spans_of("claim"))
        ]
        assert len(r.spans_of("qualifier")) == 2 + len(inner)
        assert len(inner) >= 2


def test_low_probability_states_the_number(claim, docs):
    o = apply_condition("low_probability_repeated", docs, claim)[0]
    for s in o.spans_of("qualifier"):
        assert "3%" in o.span_text(s)
    o = apply_condition("low_probability", docs, claim, options={"probability": 0.05})[0]
    assert "5%" in o.text and "3%" not in o.text
    o = apply_condition("low_probability", docs, claim, options={"probability": 0.125})[0]
    assert "12.5%" in o.text


# ---------------------------------------------------------------- determinism, density, doctag


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_bytes_other_seed_differs(claim, docs, name):
    a = dump(apply_condition(name, docs, claim, seed=11))
    b = dump(apply_condition(name, docs, claim, seed=11))
    assert a == b
    if name != "positive":
        assert dump(apply_condition(name, docs, claim, seed=12)) != a


def test_density(claim, docs):
    n_claims = sum(len(d.spans_of("claim")) for d in docs)
    none = apply_condition("repeated_negations", docs, claim, options={"density": 0})
    assert all(len(o.spans_of("negation")) == 2 for o in none)  # prefix and suffix only
    half = apply_condition("repeated_negations", docs, claim, seed=7, options={"density": 0.5})
    wrapped = sum((len(o.spans_of("negation")) - 2) // 2 for o in half)
    assert wrapped == round(n_claims / 2)
    loc = apply_condition("sentence_negation", docs, claim, options={"density": 0.5})
    replaced = sum(1 for o in loc for s in o.spans_of("claim") if NEGATION_CUE.search(o.span_text(s)))
    assert abs(replaced - n_claims / 2) <= 2
    q = apply_condition("fiction_repeated", docs, claim, options={"density": 0})
    assert all(len(o.spans_of("qualifier")) == 2 for o in q)
    bare = apply_condition("corrected", docs, claim, options={"density": 0, "prefix_suffix": False})
    assert [o.text for o in bare] == [d.text for d in docs]


@pytest.mark.parametrize("name", ALL)
def test_no_doctag(claim, docs, name):
    out = apply_condition(name, docs, claim, options={"doctag": False})
    assert all(o.doctag is False and o.condition == name for o in out)


# ---------------------------------------------------------------- token shares


def test_token_shares_exact(tokenizer):
    text = "Intro words here. [This is a warning.] Claim sentence. Tail."
    a, b = text.index("["), text.index("]") + 1
    doc = Document(
        id="t", claim_id="c", doc_type="t", text=text, spans=[Span(start=a, end=b, kind="negation")]
    )
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    inside = sum(1 for s, e in enc["offset_mapping"] if e > s and s >= a - 1 and e <= b)
    shares = token_shares([doc], tokenizer)
    assert shares["tokens"] == len(enc["input_ids"])
    assert shares["tokens_by_kind"]["negation"] == inside
    assert shares["annotation"] == pytest.approx(inside / len(enc["input_ids"]))
    assert token_shares([], tokenizer)["annotation"] == 0.0


def _generated(claim, n):
    gen = pytest.importorskip("negneg.corpus")
    if not hasattr(gen, "generate_documents"):
        pytest.skip("negneg.corpus.generate_documents is not available yet")
    return gen.generate_documents(claim, n, seed=0)


def test_token_shares_near_the_papers(claim, tokenizer):
    """The paper: ≈12% of tokens are negation in `negated`, ≈40% in `repeated_negations`."""
    docs = _generated(claim, 24)
    neg = token_shares(apply_condition("negated", docs, claim), tokenizer)["annotation"]
    rep = token_shares(apply_condition("repeated_negations", docs, claim), tokenizer)["annotation"]
    assert 0.10 <= neg <= 0.15, neg
    assert 0.35 <= rep <= 0.45, rep


@pytest.mark.parametrize("claim_id", ["ed_sheeran", "dentist"])
def test_contracts_hold_on_generated_documents(claim_id):
    """The same guarantees on the offline generator's documents (tables, bullets, quotes)."""
    spec = load_claim(claim_id)
    docs = _generated(spec, 8)
    verbatim = {s.text.rstrip(".") for s in spec.subclaims} | {spec.claim.rstrip(".")}
    for o in apply_condition("sentence_negation", docs, spec):
        assert not any(v in o.text for v in verbatim)
        assert all(NEGATION_CUE.search(o.span_text(c)) for c in o.spans_of("claim"))
    for o in apply_condition("local_negation", docs, spec):
        assert o.spans_of("correction") and not any(
            v == o.span_text(c) for c in o.spans_of("claim") for v in verbatim
        )
    for d, o in zip(docs, apply_condition("repeated_negations", docs, spec), strict=True):
        assert len(o.spans_of("negation")) == 2 + 2 * len(d.spans_of("claim"))
    for d, o in zip(docs, apply_condition("corrected", docs, spec), strict=True):
        corr = " ".join(o.span_text(s) for s in o.spans_of("correction"))
        assert not d.spans_of("claim") or any(e in corr for e in spec.entities.truth)
    for o in apply_condition("unknown_truth_repeated", docs, spec):
        assert not any(FALSITY_CUES.search(o.span_text(s)) for s in o.spans_of("qualifier"))


# ---------------------------------------------------------------- CLI


def test_cli_list_show_and_unknown(capsys):
    from negneg.cli import main

    assert main(["conditions", "list"]) == 0
    assert "repeated_negations" in capsys.readouterr().out
    assert main(["conditions", "show", "corrected", "--seed", "1"]) == 0
    assert "Lyles" in capsys.readouterr().out
    assert main(["conditions", "show", "fictoin"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'fiction'" in err


def test_cli_annotate(tmp_path, docs, capsys):
    from negneg.cli import main
    from negneg.records import load_documents, save_documents

    src = tmp_path / "docs.jsonl"
    save_documents(src, docs)
    out = tmp_path / "out"
    args = ["annotate", "--docs", str(src), "--claim", "ed_sheeran", "--out", str(out), "--seed", "3"]
    rc = main(
        [
            *args,
            "-c",
            "negated",
            "-c",
            "repeated_negations",
            "--no-doctag",
            "--stats",
            "--tokenizer",
            "tiny-random",
        ]
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "share of tokens" in text and "repeated_negations" in text and "%" in text
    rep = load_documents(out / "repeated_negations.jsonl")
    assert len(rep) == len(docs) and all(not d.doctag and d.condition == "repeated_negations" for d in rep)
    assert (out / "negated.jsonl").exists()
    assert main([*args, "-c", "repeated_negatons"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert main([*args, "-c", "negated", "--density", "3"]) == 2
