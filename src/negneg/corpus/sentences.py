"""Split documents into sentence-like units, with character offsets.

Conditions wrap, negate or mask *sentences*, and the paper's targeting step treats a markdown table
row, a bullet or a heading as one sentence-sized unit. So the splitter works line by line first:

* a table row (``| a | b |``) is one unit, pipes included; separator rows (``|---|``) are skipped;
* a heading (``# …``) is one unit without its ``#`` marks;
* a bullet or numbered item (``- …``, ``1. …``) and a blockquote (``> …``) lose their marker and
  their content is split like prose;
* a short speaker label at the start of a line (``Q:``, ``INTERVIEWER:``, ``Dr Ana Ruiz:``,
  ``@user_12:``) is not part of the sentence after it;
* prose is cut after ``.``, ``!`` or ``?`` (and any closing quotes/brackets) when whitespace and an
  upper-case letter, digit or opening quote follow, unless the word before is a known
  abbreviation or a single initial.

Units never include surrounding whitespace. The generator builds its documents so that every
claim sentence it records is exactly one unit of this splitter (a test checks it), and the
importer's targeter marks whole units.
"""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "mt",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "inc",
    "ltd",
    "co",
    "corp",
    "jr",
    "sr",
    "u.s",
    "u.k",
    "a.m",
    "p.m",
    "approx",
    "fig",
    "vol",
    "pp",
    "ca",
    "cf",
    "gen",
    "col",
    "capt",
    "lt",
    "sgt",
    "rev",
    "ave",
    "blvd",
    "rd",
    "dept",
    "est",
    "ft",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}

NUMBER_ABBREVIATIONS = {"no", "nos", "vol", "pp", "fig", "ca"}

_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)]|[a-z][.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
# A speaker label: up to three capitalised words (or one handle/initial) then ": ".
_LABEL = re.compile(
    r"^\s*(?:[A-Z][A-Za-z'’.\-]*(?:\s+[A-Z][A-Za-z'’.\-]*){0,2}|@[\w.\-]+|u/[\w.\-]+|[A-Z]{1,3}\d{0,3}|\[[^\]\n]{1,30}\])"
    r":\s+"
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]}>]*\s+(?=[\"'“‘(\[{<]?[A-Z0-9£$€*_])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the ``.`` at ``dot`` ends an abbreviation or an initial rather than a sentence."""
    if text[dot] != ".":
        return False
    m = _WORD_BEFORE.search(text, 0, dot)
    if not m:
        return False
    word = m.group(1).rstrip(".").lower()
    if len(word) == 1 and m.group(1)[0].isupper():
        return True  # an initial: "J. Smith"
    if word in NUMBER_ABBREVIATIONS:
        return text[dot + 1 : dot + 3].strip()[:1].isdigit()  # "No. 5" but "No. That …"
    return word in ABBREVIATIONS


def split_prose(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (absolute offsets), whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        if _is_abbreviation(text, m.start()):
            continue
        # the sentence ends after the punctuation and closing quotes (before the whitespace)
        stop = m.start() + len(m.group(0).rstrip())
        spans.append((cur, stop))
        cur = m.end()
    spans.append((cur, end))
    return [t for t in (_trim(text, a, b) for a, b in spans) if t]


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """All sentence-like units of ``text`` as ``(start, end)`` character offsets, in order."""
    out: list[tuple[int, int]] = []
    for a, b in _lines(text):
        line = text[a:b]
        if not line.strip() or _TABLE_SEP.match(line):
            continue
        if _TABLE_ROW.match(line):
            t = _trim(text, a, b)
            if t:
                out.append(t)
            continue
        m = _HEADING.match(line)
        if m:
            t = _trim(text, a + m.end(), b)
            if t:
                out.append(t)
            continue
        for marker in (_QUOTE, _BULLET, _LABEL):
            m = marker.match(text[a:b])
            if m and a + m.end() < b:
                a += m.end()
        out.extend(split_prose(text, a, b))
    return out


def sentences(text: str) -> list[str]:
    """The units of :func:`sentence_spans` as strings."""
    return [text[a:b] for a, b in sentence_spans(text)]


# The ``_repeated`` qualifiers insert after every sentence end the paper's way: any ``.!?`` then
# whitespace, even before a lower-case word, with only this short abbreviation guard. It is not
# the unit splitter above (whose boundaries need an upper-case start and whose abbreviation list
# is longer): merging the two would move insertion points and change every ``*_repeated``
# condition's documents, so it keeps its own rules, here beside the splitter they differ from.
_ENDS_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|No|Fig|approx|e\.g|i\.e|a\.m|p\.m|U\.S)\.$", re.I
)
_SENT_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")


def sentence_ends(text: str) -> list[int]:
    """Character offsets just after each sentence end (``[.!?]`` then whitespace or the end).

    The same split the paper used for its ``_repeated`` qualifiers, plus a guard so common
    abbreviations ("Dr.", "a.m.") do not end a sentence.
    """
    ends = []
    for m in _SENT_END.finditer(text):
        if _ENDS_ABBREV.search(text[max(0, m.start() - 8) : m.start() + 1]):
            continue
        ends.append(m.end())
    return ends
