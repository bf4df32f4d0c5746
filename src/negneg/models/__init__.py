"""Models: the registry, the ChatModel protocol and its backends."""

from negneg.models.chat import ChatModel, Conversation, SamplingParams
from negneg.models.registry import DEFAULT_MODEL, MODELS, resolve_model_dir

__all__ = [
    "ChatModel",
    "Conversation",
    "SamplingParams",
    "DEFAULT_MODEL",
    "MODELS",
    "resolve_model_dir",
    "load_chat_model",
]


def load_chat_model(name: str, adapter: str | None = None, device: str | None = None):
    """A local :class:`~negneg.models.local.LocalChatModel` for a registry name, dir or hub id."""
    from negneg.models.local import LocalChatModel

    return LocalChatModel.load(name, adapter=adapter, device=device)
