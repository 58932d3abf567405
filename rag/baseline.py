"""The naive baseline a team writes first, measured beside the product in every `rag eval` run:
LangChain's RecursiveCharacterTextSplitter (1000 characters, 200 overlap), Chroma with the same
MiniLM embeddings, the top 4 chunks; the answer is the top chunk's text, each citation a whole
retrieved chunk, and it never abstains (nor reads the conversation history).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from .types import AskResponse, Citation, Document, Span, Turn

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


class NaiveRAG:
    """Build once over the documents (their canonical texts, so offsets compare with the index)."""

    name = "baseline"

    def __init__(self, documents: Iterable[Document], embeddings: Embeddings, persist_dir: Path,
                 k: int = TOP_K, collection: str = "naive_baseline") -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        if k <= 0:
            raise ValueError(f"k must be greater than 0. Currently, k is {k}")
        self.k = k
        docs = list(documents)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
        chunks = splitter.create_documents([d.text for d in docs], metadatas=[{"source": d.source, "title": d.title} for d in docs])
        client = chromadb.PersistentClient(path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name=collection, embedding_function=_FreshQueries(embeddings), client=client)
        if chunks:
            self.store.add_documents(chunks, ids=[f"{c.metadata['source']}:{c.metadata['start_index']}" for c in chunks])
        self.chunk_count = len(chunks)

    def _search(self, query: str, k: int) -> list[tuple[LCDocument, float]]:
        return self.store.similarity_search_with_score(query, k=k)

    def search(self, query: str, k: int | None = None) -> list[Span]:
        return [_span(doc) for doc, _ in self._search(query, k or self.k)]

    def ask(self, question: str, history: Sequence[Turn] = ()) -> AskResponse:
        t0 = time.perf_counter()
        found = self._search(question, self.k)
        t1 = time.perf_counter()
        cites = [
            Citation(id=n, source=doc.metadata["source"], title=doc.metadata.get("title", ""),
                     start=_span(doc).start, end=_span(doc).end, text=doc.page_content, score=round(-float(dist), 4))
            for n, (doc, dist) in enumerate(found, start=1)
        ]
        t2 = time.perf_counter()
        return AskResponse(
            answer=found[0][0].page_content if found else "",
            abstained=False,
            citations=cites,
            timings_ms={"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2),
                        "total": round((t2 - t0) * 1000, 2)},
            answerer="naive-baseline",
        )


class _FreshQueries(Embeddings):
    """The same model, but every query embedded afresh as a first pipeline would: our embeddings
    cache queries, and the product asks each gold question first, so a cache hit would flatter the
    baseline's latency."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_documents([text])[0]


def _span(doc: LCDocument) -> Span:
    start = int(doc.metadata["start_index"])
    return Span(doc.metadata["source"], start, start + len(doc.page_content), doc.page_content)
