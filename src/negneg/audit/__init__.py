"""Audit a training corpus for distal negations, and rewrite them into local ones.

``negneg audit`` reads each document (:mod:`negneg.audit.reader`): its annotations (recognised
from negneg's own banks and a general lexicon, :mod:`negneg.audit.lexicon`), the claim sentences
they are meant to cover, the distance between the two and a risk label (local / denied / distal /
bare); ``--classifier MODEL`` (:mod:`negneg.audit.classifier`) asks a ChatModel about the
sentences the banks and lexicon miss. ``negneg localize`` (:mod:`negneg.audit.localize`) rewrites
every asserted claim sentence into a local negation with the truth stated and checks its output
with the audit itself.
"""

from negneg.audit.reader import RISK_ORDER, ClaimReader, DocAudit, audit_text, count_tokens

__all__ = ["RISK_ORDER", "ClaimReader", "DocAudit", "audit_text", "count_tokens"]
