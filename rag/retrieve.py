"""Hybrid retrieval: dense (MiniLM in Chroma) and keyword (bm25s) rankings fused by reciprocal
rank fusion, exposed as a LangChain `BaseRetriever` so it plugs into LangChain tooling."""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from .text import expand, tokens
from .types import Chunk, Hit

RRF_K = 60


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion: each ranking adds 1/(k + rank) to an item's score."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def hit_to_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        id=c.id,
        metadata={"source": c.source, "title": hit.title, "start": c.start, "end": c.end, "ordinal": c.ordinal,
                  "heading": c.heading, "kind": c.kind, "dense": hit.dense, "keyword": hit.keyword, "fused": hit.fused},
    )


def document_to_hit(doc: LCDocument) -> Hit:
    m = doc.metadata
    chunk = Chunk(m["source"], m["start"], m["end"], doc.page_content, m["ordinal"], m["heading"], m["kind"])
    return Hit(chunk, m["title"], m["dense"], m["keyword"], m["fused"])


class HybridRetriever(BaseRetriever):
    """Top-k chunks by fused dense and keyword rank. `candidates` is how deep each side looks."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int = Field(default=8, gt=0)
    candidates: int = Field(default=30, gt=0)

    def search(self, query: str, k: int | None = None, filters: dict[str, str] | None = None,
               within: set[str] | None = None) -> list[Hit]:
        """Top-k hits; `filters` keeps only documents whose metadata match (phase, status, ...), and
        `within` only the documents named (those that name the question's trial or product)."""
        k = k or self.k
        depth = max(self.candidates, k)
        sources = self.index.sources_matching(filters) if filters else None
        if within is not None:
            sources = within if sources is None else sources & within
        qvec = np.asarray(self.index.embeddings.embed_query(query), dtype=np.float32)
        dense = self.index.dense_search(qvec, depth, sources)
        keyword = self.index.keyword.search(expand(tokens(query)), depth, sources)
        if sources is not None:
            owners = self.index.chunks([i for i, _ in keyword])
            keyword = [(i, s) for i, s in keyword if i in owners and owners[i].source in sources][:depth]
        fused = rrf([[i for i, _ in dense], [i for i, _ in keyword]])
        top = sorted(fused, key=fused.get, reverse=True)[:k]
        dense_score = dict(dense)
        missing = [i for i in top if i not in dense_score]
        for cid, vec in self.index.vectors(missing).items():
            dense_score[cid] = float(vec @ qvec)
        keyword_score = dict(keyword)
        chunks = self.index.chunks(top)
        titles = self.index.titles(c.source for c in chunks.values())
        return [
            Hit(chunks[i], titles.get(chunks[i].source, ""), dense_score.get(i, 0.0), keyword_score.get(i, 0.0), fused[i])
            for i in top
            if i in chunks  # an id can vanish while an ingest replaces its document
        ]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_document(h) for h in self.search(query)]
