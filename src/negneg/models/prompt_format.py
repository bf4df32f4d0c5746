"""Prompt formats: how a conversation becomes text for a model.

* ``chat`` — the tokenizer's own chat template (SmolLM2-Instruct and other instruction-tuned
  models).
* ``raw`` — plain text for a *base* model, which has no chat template: an optional system line,
  then ``Question: …`` / ``Answer: …`` turns, the BOS first (as the tokenizer adds it to any
  text). It is written as a Jinja template and stored as the model directory's
  ``chat_template``, so every consumer (likelihood and generative probes, in-context documents,
  the training mix's chat rows, self-distillation, ``negneg serve``) renders it through the same
  ``apply_chat_template`` call. The generation prompt ends in ``"Answer: "``: a likelihood
  continuation ``"Yes"`` then scores as the model's ``" Yes"`` token (the trailing space merges
  into it, see the ChatModel boundary rule); generation drops that space and starts after
  ``"Answer:"``, and an answer ends at a blank line or the next ``Question:`` / ``Answer:``.

A registry entry picks the format (``ModelSpec.prompt_format``); any other model directory whose
tokenizer has no chat template gets ``raw`` as well.
"""

from __future__ import annotations

PROMPT_FORMATS = ("chat", "raw")

RAW_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'system' -%}{{ message['content'] + '\\n\\n' }}"
    "{%- elif message['role'] == 'user' -%}{{ 'Question: ' + message['content'] + '\\n' }}"
    "{%- elif message['role'] == 'assistant' -%}{{ 'Answer: ' + message['content'] + '\\n\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ 'Answer: ' }}{%- endif -%}"
)
# The same, after the BOS: for tokenizers that put a BOS before any text (Gemma's <bos>).
RAW_TEMPLATE_BOS = "{{- bos_token -}}" + RAW_TEMPLATE

# Where a raw-format answer ends (the base model goes on to write the next question, or answers again).
RAW_ANSWER_ENDS = ("\n\n", "\nQuestion:", "\nAnswer:")


def raw_template(tokenizer) -> str:
    """The raw-text template for ``tokenizer``: after the BOS where the tokenizer adds one."""
    return RAW_TEMPLATE_BOS if bos_prefix(tokenizer) else RAW_TEMPLATE


def prompt_format_of(tokenizer) -> str:
    """``raw`` for a tokenizer carrying the raw-text template or no template at all, else ``chat``."""
    template = getattr(tokenizer, "chat_template", None)
    return "raw" if not template or template in (RAW_TEMPLATE, RAW_TEMPLATE_BOS) else "chat"


def use_prompt_format(tokenizer) -> str:
    """Give a template-less tokenizer the raw-text template; return the tokenizer's format."""
    fmt = prompt_format_of(tokenizer)
    if fmt == "raw" and not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = raw_template(tokenizer)
    return fmt


def bos_prefix(tokenizer) -> str:
    """The BOS text the tokenizer puts before any text it encodes ('' when it adds none):
    raw-text prompts get it, as training documents do."""
    bos_id = getattr(tokenizer, "bos_token_id", None)
    if bos_id is None or not getattr(tokenizer, "bos_token", None):
        return ""
    ids = tokenizer("a", add_special_tokens=True)["input_ids"]
    return tokenizer.bos_token if ids and ids[0] == bos_id else ""
