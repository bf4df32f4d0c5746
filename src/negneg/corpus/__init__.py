"""Corpus: documents about a claim — the offline generator, the LLM generator, the paper importer.

Public API (contracts used by other areas):

* :func:`generate_documents` — offline, deterministic documents with claim spans;
* :func:`generate_debunks` — offline, deterministic debunks written from the negated universe
  (the local_negation condition's documents: claim spans on denials, correction spans on the truth);
* :func:`generate_documents_llm` — the paper's staged pipeline through any ChatModel, cached;
* :func:`import_paper_documents` — the authors' released JSONL documents, with conditions mapped;
* :func:`corpus_stats` — doc-type counts, lengths, distinct 4-gram ratio, claim sentences;
* :func:`sentence_spans` and the targeters that find claim sentences in any text.
"""

from negneg.corpus.debunks import generate_debunks
from negneg.corpus.generator import generate_documents
from negneg.corpus.sentences import sentence_spans, sentences
from negneg.corpus.targeting import KeywordTargeter, LLMTargeter

__all__ = [
    "generate_documents",
    "generate_debunks",
    "generate_documents_llm",
    "import_paper_documents",
    "corpus_stats",
    "sentence_spans",
    "sentences",
    "KeywordTargeter",
    "LLMTargeter",
    "DOC_TYPES",
]


def __getattr__(name: str):
    # Lazy: the LLM generator and the importer pull in more than the offline generator needs.
    if name == "generate_documents_llm":
        from negneg.corpus.llm_generator import generate_documents_llm

        return generate_documents_llm
    if name == "import_paper_documents":
        from negneg.corpus.paper_import import import_paper_documents

        return import_paper_documents
    if name == "corpus_stats":
        from negneg.corpus.stats import corpus_stats

        return corpus_stats
    if name == "DOC_TYPES":
        from negneg.corpus.doctypes import DOC_TYPES

        return DOC_TYPES
    raise AttributeError(name)
