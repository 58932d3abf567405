"""The question-answering chain: analyse → retrieve → answer → cite, composed from LangChain
runnables so it can be traced, batched or wrapped like any other chain."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from functools import lru_cache

from langchain_core.runnables import RunnableLambda

from .answer import Answer, Answerer, Question, analyze, idf_function
from .cite import citations
from .entities import Scope
from .llm import with_llm
from .retrieve import HybridRetriever
from .settings import Settings
from .store import Index
from .types import AskResponse, Hit, Turn


class QA:
    """Built once per process from an open Index; `ask` is safe to call from many threads."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.retriever = HybridRetriever(index=index, k=settings.top_k)
        self._version = ""
        self._refresh()

    def _refresh(self) -> None:
        """Re-read what an ingest (maybe in another process) changed: keyword index, names."""
        version = self.index.meta("keyword_version", "0")
        if version == self._version:
            return
        keyword = self.index.keyword
        n_docs = max(1, len(keyword.ids))
        self.trial_names = frozenset(json.loads(self.index.meta("trial_names", "[]")))
        scope = lru_cache(maxsize=512)(self._scope)
        self._known = keyword.df.__contains__
        self.answerer = with_llm(Answerer(idf_function(keyword.df, n_docs), scope, self._known), self.settings)
        self._version = version

    def _scope(self, source: str) -> Scope:
        return Scope(self.index.document(source).text, self.index.document_chunks(source), self.trial_names)

    def chain(self):
        """analyse → retrieve → answer as a LangChain runnable over {"question", "history", "top_k"}."""
        analyse = RunnableLambda(lambda x: {**x, "q": analyze(x["question"], x.get("history") or [], self.trial_names, self._known)})
        retrieve = RunnableLambda(lambda x: {**x, "hits": self.retrieve(x["q"], x.get("top_k"), x.get("filters"))})
        answer = RunnableLambda(lambda x: self.answerer.answer(x["q"], x["hits"]))
        return analyse | retrieve | answer

    def retrieve(self, q: Question, top_k: int | None = None, filters: dict[str, str] | None = None) -> list[Hit]:
        """The candidate pool the answerer re-ranks: deeper than the passages it may cite, with the
        counted noun added for a count, and each entity of a comparison searched on its own.

        A question naming a trial, product or NCT id is searched only in the documents that name
        it: a span elsewhere could never support the answer (the answerer's entity scope), and in a
        large corpus such spans would crowd the right document out of the pool. With an NCT id or
        product code in the question, those decide the documents (a trial name beside them adds none)."""
        k = 3 * (top_k or self.settings.top_k)
        # "how big is the study" is answered by an enrollment count: let the keyword side look for one
        query = q.query + "".join(f" {n}" for n in sorted(q.count_nouns)) if q.expects == "count" else q.query
        naming = {e: self.index.sources_naming(e.key) for e in q.entities}
        # an NCT id or product code pins the documents down; a name learned from prose is looser
        pinned = [e for e in q.entities if e.cls != "trial"] or list(q.entities)
        within = set().union(*(naming[e] for e in pinned))
        hits = self.retriever.search(query, k, filters, within or None)
        if len(q.entities) > 1:
            # a comparison: look for each entity on its own too, so one side cannot crowd out the other
            seen = {h.chunk.id for h in hits}
            for e in sorted(q.entities, key=lambda e: e.key):
                sub = q.query
                for o in q.entities - {e}:
                    sub = re.sub(re.escape(o.key), " ", sub, flags=re.I)
                for h in self.retriever.search(sub, k, filters, naming[e] or None):
                    if h.chunk.id not in seen:
                        seen.add(h.chunk.id)
                        hits.append(h)
        return hits

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            filters: dict[str, str] | None = None) -> AskResponse:
        t0 = time.perf_counter()
        self._refresh()
        q: Question = analyze(question, history, self.trial_names, self._known)
        hits = self.retrieve(q, top_k, filters)
        t1 = time.perf_counter()
        answer: Answer = self.answerer.answer(q, hits)
        texts = {s: self.index.document(s).text for s in {p.chunk.source for p in answer.spans}}
        cites = citations(answer.spans, texts)
        t2 = time.perf_counter()
        return AskResponse(
            answer=answer.text,
            abstained=answer.abstained,
            citations=cites,
            timings_ms={"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2),
                        "total": round((t2 - t0) * 1000, 2)},
            answerer=getattr(answer, "answerer", self.answerer.name),
        )
