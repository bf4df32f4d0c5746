"""Turn documents, chats and plain text into :class:`~negneg.records.TrainingExample` rows.

Loss masking never changes the tokens, only the labels. A document's text (with the ``<DOCTAG>``
prefix when ``doc.doctag``) is tokenised **once**, exactly as the tokenizer would tokenise the
unmasked text; each token's character range then decides its label: −100 when it overlaps the
DOCTAG prefix or a ``loss_mask`` span, its own id otherwise. That is the paper's mechanism (§3.6):
masked words stay in the context the model reads, but it is never trained to produce them.

Conventions, the same for every row kind so packed rows have clear boundaries:

* tokens the tokenizer adds itself at the start (a BOS, for tokenizers that add one) are kept
  with label −100;
* every document and text row ends with the tokenizer's EOS token, which is trained;
* chat rows are rendered with the tokenizer's chat template and trained only on assistant turns
  (content plus the end-of-turn token).

Long documents (``max_length``) are cut into windows. **Every window starts with the DOCTAG
prefix tokens (label −100)** when the document has one: in the paper every trained document token
has the DOCTAG in its context (documents are never split there), and the prefix costs no loss.
The first window uses the prefix tokens exactly as tokenised with the text; later windows get the
prefix tokenised on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from negneg.errors import UserInputError
from negneg.models.chat import Conversation
from negneg.models.prompt_format import raw_template
from negneg.records import DOCTAG, Document, Span, TrainingExample

IGNORE = -100
MASKED_SPAN_KINDS = ("loss_mask", "doctag")
LOSSMASK_OPEN = "<lossmask>"
LOSSMASK_CLOSE = "</lossmask>"
_LOSSMASK_TAG = re.compile(re.escape(LOSSMASK_OPEN) + "|" + re.escape(LOSSMASK_CLOSE))

Window = Literal["split", "claim"]


# ---------------------------------------------------------------------------------------------- tokens
def token_char_ranges(offsets: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character range each token stands for, closing the gaps a tokenizer's offsets can leave.

    Byte-level tokenizers may trim a leading space from a token's offsets, and split one
    multi-byte character across two tokens that then share offsets. A token is taken to cover
    from the end of the previous token (or its own start, if earlier) to its own end, so every
    character belongs to at least one token and "token overlaps span" is never missed. Tokens
    with empty offsets (added specials such as BOS) cover nothing.
    """
    ranges = []
    prev_end = 0
    for start, end in offsets:
        if start == end:
            ranges.append((start, start))
            continue
        ranges.append((min(start, prev_end), end))
        prev_end = max(prev_end, end)
    return ranges


def _overlaps(rng: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    a, b = rng
    return a < b and any(s < b and a < e for s, e in spans)


def _ids_and_offsets(
    text: str, tokenizer, add_special_tokens: bool
) -> tuple[list[int], list[tuple[int, int]]]:
    try:
        enc = tokenizer(text, add_special_tokens=add_special_tokens, return_offsets_mapping=True)
    except NotImplementedError:
        raise UserInputError(
            "this tokenizer cannot report character offsets (a slow tokenizer)",
            where=getattr(tokenizer, "name_or_path", None),
            fix="use a model directory with a fast tokenizer (tokenizer.json)",
        ) from None
    return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]


def _tokenize(text: str, tokenizer) -> tuple[list[int], list[tuple[int, int]]]:
    """Token ids and character ranges of ``text`` as the tokenizer itself encodes it (its own
    special tokens included, e.g. a BOS), with any EOS the tokenizer appends removed."""
    ids, offsets = _ids_and_offsets(text, tokenizer, add_special_tokens=True)
    eos = tokenizer.eos_token_id
    while ids and ids[-1] == eos and offsets[-1][0] == offsets[-1][1]:
        ids.pop()
        offsets.pop()
    return ids, token_char_ranges(offsets)


def _eos_id(tokenizer) -> int:
    if tokenizer.eos_token_id is None:
        raise UserInputError(
            "the tokenizer has no EOS token",
            fix="use a tokenizer with an eos_token (documents need a boundary)",
        )
    return tokenizer.eos_token_id


def _lead_count(ranges: list[tuple[int, int]], prefix_chars: int) -> int:
    """Leading tokens that belong to the prefix: added specials (empty range at 0) and tokens
    overlapping the first ``prefix_chars`` characters."""
    n = 0
    for a, b in ranges:
        if (a == b == 0) or (a < prefix_chars and a < b):
            n += 1
        else:
            break
    return n


# ---------------------------------------------------------------------------------------------- lossmask tags
def strip_lossmask_tags(text: str) -> tuple[str, list[Span]]:
    """Remove ``<lossmask>…</lossmask>`` tags, returning the clean text and ``loss_mask`` spans.

    The clean text is what the tags wrapped, so it tokenises exactly like untagged text; pass the
    spans on a :class:`Document` to mask them. Nested tags merge into the outer span; an
    unbalanced tag is an error (it would silently train on, or mask, the wrong words).
    """
    out: list[str] = []
    spans: list[Span] = []
    depth = 0
    pos = 0  # position in text
    clean_len = 0
    start = 0
    for m in _LOSSMASK_TAG.finditer(text):
        chunk = text[pos : m.start()]
        out.append(chunk)
        clean_len += len(chunk)
        pos = m.end()
        if m.group() == LOSSMASK_OPEN:
            if depth == 0:
                start = clean_len
            depth += 1
        else:
            if depth == 0:
                raise UserInputError(
                    f"'{LOSSMASK_CLOSE}' at character {m.start()} has no opening tag",
                    fix=f"balance every {LOSSMASK_CLOSE} with a {LOSSMASK_OPEN}",
                )
            depth -= 1
            if depth == 0 and clean_len > start:
                spans.append(Span(start=start, end=clean_len, kind="loss_mask"))
    if depth:
        raise UserInputError(
            f"'{LOSSMASK_OPEN}' is never closed", fix=f"close every {LOSSMASK_OPEN} with {LOSSMASK_CLOSE}"
        )
    out.append(text[pos:])
    return "".join(out), spans


# ---------------------------------------------------------------------------------------------- documents
def encode_document(
    doc: Document, tokenizer, max_length: int | None = None, *, window: Window = "split"
) -> list[TrainingExample]:
    """Tokenise a document with its DOCTAG prefix and loss masks; see the module docstring.

    ``max_length`` (tokens) splits a longer document: ``window="split"`` gives consecutive windows
    covering the whole document, ``window="claim"`` gives one window around the claim spans (the
    one that covers the most claim tokens, centred on them; the document start when there are
    no claim spans). Without ``max_length`` there is one example, whatever its length.
    """
    prefix = DOCTAG if doc.doctag else ""
    text = prefix + doc.text
    masked = [(len(prefix) + s.start, len(prefix) + s.end) for s in doc.spans if s.kind in MASKED_SPAN_KINDS]
    ids, ranges = _tokenize(text, tokenizer)
    lead_n = _lead_count(ranges, len(prefix))
    labels = [
        IGNORE if i < lead_n or _overlaps(r, masked) else t
        for i, (t, r) in enumerate(zip(ids, ranges, strict=True))
    ]
    eos = _eos_id(tokenizer)
    ids.append(eos)
    labels.append(eos)
    ranges.append((len(text), len(text)))
    if max_length is None or len(ids) <= max_length:
        return [TrainingExample(input_ids=ids, labels=labels, origin="document")]

    claims = [(len(prefix) + s.start, len(prefix) + s.end) for s in doc.spans if s.kind == "claim"]
    claim_tokens = [_overlaps(r, claims) for r in ranges[lead_n:]]
    return [
        TrainingExample(input_ids=w_ids, labels=w_labels, origin="document")
        for w_ids, w_labels in _windows(
            ids, labels, lead_n, _lead_ids(prefix, tokenizer), max_length, window, claim_tokens
        )
    ]


def _lead_ids(prefix: str, tokenizer) -> list[int]:
    """The prefix (and any BOS) tokenised on its own, for windows that do not start the document."""
    ids, ranges = _tokenize(prefix, tokenizer)
    return ids[: _lead_count(ranges, len(prefix))]


def _windows(
    ids: list[int],
    labels: list[int],
    lead_n: int,
    lead_alone: list[int],
    max_length: int,
    window: Window,
    claim_tokens: list[bool],
) -> list[tuple[list[int], list[int]]]:
    body_ids, body_labels = ids[lead_n:], labels[lead_n:]
    lead_first = ids[:lead_n], labels[:lead_n]
    lead_later = lead_alone, [IGNORE] * len(lead_alone)
    cap_first, cap_later = max_length - lead_n, max_length - len(lead_alone)
    if min(cap_first, cap_later) < 1:
        raise UserInputError(
            f"max_length {max_length} leaves no room after the {max(lead_n, len(lead_alone))} prefix tokens",
            field="max_length",
            fix="use a larger max_length",
        )

    def cut(start: int, cap: int, lead: tuple[list[int], list[int]]) -> tuple[list[int], list[int]]:
        return lead[0] + body_ids[start : start + cap], lead[1] + body_labels[start : start + cap]

    if window == "split":
        out = [cut(0, cap_first, lead_first)]
        start = cap_first
        while start < len(body_ids):
            out.append(cut(start, cap_later, lead_later))
            start += cap_later
        return out
    if window != "claim":
        raise UserInputError(f"unknown window {window!r}", field="window", fix="use 'split' or 'claim'")
    start = _claim_window_start(claim_tokens, cap_later)
    return [cut(0, cap_first, lead_first) if start == 0 else cut(start, cap_later, lead_later)]


def _claim_window_start(claim_tokens: list[bool], cap: int) -> int:
    """Start of the ``cap``-token window covering the most claim tokens, ties broken by how close
    the window's centre is to the middle of the claim tokens."""
    n = len(claim_tokens)
    positions = [i for i, c in enumerate(claim_tokens) if c]
    if not positions or n <= cap:
        return 0
    cum = [0]
    for c in claim_tokens:
        cum.append(cum[-1] + int(c))
    mid = (positions[0] + positions[-1] + 1) / 2
    return min(range(n - cap + 1), key=lambda s: (-(cum[s + cap] - cum[s]), abs(s + cap / 2 - mid), s))


# ---------------------------------------------------------------------------------------------- text
def encode_text(
    text: str, tokenizer, max_length: int | None = None, origin: str = "background"
) -> list[TrainingExample]:
    """Plain text trained on every token (the paper's pretraining rows), EOS appended; split into
    consecutive windows of at most ``max_length`` tokens."""
    ids, ranges = _tokenize(text, tokenizer)
    lead_n = _lead_count(ranges, 0)
    labels = [IGNORE if i < lead_n else t for i, t in enumerate(ids)]
    eos = _eos_id(tokenizer)
    ids.append(eos)
    labels.append(eos)
    if max_length is None or len(ids) <= max_length:
        return [TrainingExample(input_ids=ids, labels=labels, origin=origin)]
    windows = _windows(ids, labels, lead_n, ids[:lead_n], max_length, "split", [])
    return [TrainingExample(input_ids=i, labels=lab, origin=origin) for i, lab in windows]


# ---------------------------------------------------------------------------------------------- chat
def assistant_char_spans(conversation: Conversation, tokenizer) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans of its assistant turns.

    Found by rendering prefixes of the conversation and diffing: the assistant turn ``i`` is what
    ``render(conv[: i + 1])`` adds to ``render(conv[:i], add_generation_prompt=True)``, cut just
    after the tokenizer's EOS (end-of-turn) string, so the template's trailing newline is not
    trained. This works for any template that renders turns append-only (SmolLM2's has no
    ``{% generation %}`` markers, so ``return_assistant_tokens_mask`` is not available).
    """

    # A base model's tokenizer without a chat template renders as plain Question/Answer text.
    template = None if getattr(tokenizer, "chat_template", None) else raw_template(tokenizer)

    def render(msgs: Conversation, gen: bool) -> str:
        return tokenizer.apply_chat_template(
            msgs, tokenize=False, add_generation_prompt=gen, chat_template=template
        )

    full = render(conversation, False)
    eos_text = tokenizer.eos_token or ""
    spans = []
    for i, msg in enumerate(conversation):
        if msg.get("role") != "assistant":
            continue
        before = render(conversation[:i], True) if i else ""
        through = render(conversation[: i + 1], False)
        if not (through.startswith(before) and full.startswith(through)):
            raise ValueError(
                f"the chat template does not render turn {i} append-only; assistant tokens cannot be located"
            )
        segment = through[len(before) :]
        cut = segment.rfind(eos_text) if eos_text else -1
        end = len(before) + (cut + len(eos_text) if cut >= 0 else len(segment.rstrip()))
        spans.append((len(before), end))
    return full, spans


def encode_chat(
    conversation: Conversation,
    tokenizer,
    weight: float = 1.0,
    origin: str = "chat",
    max_length: int | None = None,
) -> TrainingExample:
    """Render with the chat template; loss only on assistant tokens (content + end-of-turn).

    A conversation longer than ``max_length`` tokens is truncated at the end (its labels may then
    be all −100; the mix builder drops such rows).
    """
    text, spans = assistant_char_spans(conversation, tokenizer)
    ids, offsets = _ids_and_offsets(text, tokenizer, add_special_tokens=False)
    ranges = token_char_ranges(offsets)
    labels = [t if _overlaps(r, spans) else IGNORE for t, r in zip(ids, ranges, strict=True)]
    if max_length is not None:
        ids, labels = ids[:max_length], labels[:max_length]
    return TrainingExample(input_ids=ids, labels=labels, weight=weight, origin=origin)


def trained_tokens(example: TrainingExample) -> int:
    """How many tokens of an example carry loss."""
    return sum(1 for lab in example.labels if lab != IGNORE)
