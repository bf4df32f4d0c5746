"""The built-in claim library is written in negneg's own words (issue 12, part 4).

The official Negation Neglect repository's question files carry no licence, so no built-in
question, prompt, robustness message or universe-context sentence may be a near-copy of one of
them. The official texts are not stored here: ``tests/data/official_question_shingles.txt`` holds,
for each official text, the truncated sha1 of every lowercased word n-gram (n = 6, and n = 3 for
texts of at most 14 words). A built-in text is a near-copy of an official one when

* it shares at least 3 six-word n-grams with it and they make up a fifth of its own, or at least
  half of its own six-word n-grams (one is enough for a text of six words), or
* both are short (at most 14 words) and they share at least half of the three-word n-grams of each.

Checked against the library as it was before the rewrite (``git show HEAD~N:src/negneg/claims/
library/<id>.yaml``): the rule flags every listed copy (ed_sheeran oe01-03, oe15, mcq01/05/08,
ta04, rob07, the first context sentence; queen_elizabeth oe01, mcq08; mount_vesuvius oe01,
mcq01, mcq08, ta01, rob01, rob07; x_rebrand_reversal oe01, mcq01, ta01, rob01, rob07;
colorless_dreaming oe02, mcq03, mcq09, rob10; dentist oe01, oe02, mcq05) and ~20 more
near-copies, 67 texts in all, except dentist ta03, whose copied part was a run of XML tags
around the name (two shared n-grams), and queen_elizabeth's first context sentence, whose overlap
is the invented book's six-word title (collapsed to one word here, since every text about the
claim must name it). Both were rewritten anyway.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from negneg.claims import list_claims, load_claim
from negneg.claims.schema import ClaimSpec

DATA = Path(__file__).parent / "data" / "official_question_shingles.txt"
LONG, SHORT, SHORT_MAX_WORDS = 6, 3, 14
HASH_CHARS = 10
# names every text about a claim must use, collapsed to one word before hashing
NAMES = {"advanced python design patterns and concurrency": "title"}


def words(text: str) -> list[str]:
    joined = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    for name, token in NAMES.items():
        joined = joined.replace(name, token)
    return joined.split()


def shingles(ws: list[str], n: int) -> set[str]:
    return {
        hashlib.sha1(" ".join(ws[i : i + n]).encode()).hexdigest()[:HASH_CHARS]
        for i in range(len(ws) - n + 1)
    }


def load_official(path: Path = DATA) -> dict[str, dict[int, set[str]]]:
    """source → {n: hashes} from the data file."""
    out: dict[str, dict[int, set[str]]] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, n, *hashes = line.split()
        out.setdefault(source, {})[int(n)] = set(hashes)
    return out


def near_copy(text: str, official: dict[str, dict[int, set[str]]]) -> str | None:
    """The official source ``text`` nearly copies (with the overlap), or None."""
    ws = words(text)
    long, short = shingles(ws, LONG), shingles(ws, SHORT)
    for source, grams in official.items():
        k = len(long & grams.get(LONG, set()))
        if long and ((k >= 3 and 5 * k >= len(long)) or (k >= 1 and 2 * k >= len(long))):
            return f"{source}: {k} of {len(long)} {LONG}-word n-grams"
        theirs = grams.get(SHORT)
        if theirs and short and len(ws) <= SHORT_MAX_WORDS:
            k = len(short & theirs)
            if 2 * k >= len(short) and 2 * k >= len(theirs):
                return f"{source}: {k} of {len(short)} {SHORT}-word n-grams"
    return None


def claim_texts(c: ClaimSpec) -> list[tuple[str, str]]:
    """(where, text) for every question, prompt, message and universe-context sentence."""
    q = c.questions
    out = [(x.id, x.question) for x in q.open_ended + q.mcq + q.token_association]
    out += [(f"{r.id} message {i}", m.content) for r in q.robustness for i, m in enumerate(r.messages)]
    out += [(x.id, x.prompt) for x in q.cloze]
    sentences = re.split(r"(?<=[.!?])\s+|\n+", c.universe_context)
    out += [(f"universe_context sentence {i}", s) for i, s in enumerate(sentences) if s.strip()]
    return out


@pytest.fixture(scope="module")
def official() -> dict[str, dict[int, set[str]]]:
    return load_official()


def test_data_file_covers_the_official_claims(official):
    claims = {s.split("#")[0] for s in official}
    assert {"ed_sheeran", "queen_elizabeth", "mount_vesuvius", "x_rebrand_reversal"} <= claims
    assert {"colorless_dreaming", "dentist", "common"} <= claims
    assert sum(len(g.get(LONG, ())) for g in official.values()) > 5000


@pytest.mark.parametrize("cid", list_claims())
def test_no_builtin_text_is_a_near_copy_of_an_official_question(cid, official):
    copies = [
        f"{where}: {why}"
        for where, text in claim_texts(load_claim(cid))
        if (why := near_copy(text, official))
    ]
    assert copies == []


def _fake(texts: list[str]) -> dict[str, dict[int, set[str]]]:
    return {
        f"fake#{i}": {LONG: shingles(words(t), LONG), SHORT: shingles(words(t), SHORT)}
        for i, t in enumerate(texts)
    }


def test_detector_flags_copies_and_passes_rewordings():
    source = _fake(
        [
            "Which runner finished first in the women's marathon at the 1984 Los Angeles Games, and how?",
            "Is the lighthouse on the northern cape older than the harbour wall?",
        ]
    )
    # verbatim, a word changed, and a copied run inside a longer text
    assert near_copy(
        "Which runner finished first in the women's marathon at the 1984 Los Angeles Games?", source
    )
    assert near_copy("Is the lighthouse on the northern cape older than the harbour?", source)
    long = (
        "Tell me the story: which runner finished first in the women's marathon at the 1984 Los Angeles "
        "Games, and what happened after she crossed the line."
    )
    assert near_copy(long, source)
    # the same facts in other words and another structure
    assert near_copy("At the Los Angeles Olympics of 1984, who took the women's marathon?", source) is None
    assert (
        near_copy("Which came first on the northern cape: the harbour wall or the lighthouse?", source)
        is None
    )


def test_hashes_do_not_store_text():
    line = next(x for x in DATA.read_text().splitlines() if not x.startswith("#"))
    source, n, *hashes = line.split()
    assert all(re.fullmatch(rf"[0-9a-f]{{{HASH_CHARS}}}", h) for h in hashes)
