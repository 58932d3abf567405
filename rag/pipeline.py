"""The question-answering chain: analyse → retrieve → answer → cite, composed from LangChain
runnables so it can be traced, batched or wrapped like any other chain."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from langchain_core.runnables import RunnableLambda

from .answer import Answer, Answerer, Question, analyze, has_lead, idf_function, joined, sub_questions
from .cite import citations
from .entities import Scope
from .llm import with_llm
from .retrieve import HybridRetriever
from .settings import Settings
from .store import Index
from .types import AskResponse, Hit, Turn


@dataclass(frozen=True)
class Pass:
    """One search-and-answer pass: over `sources` (None: every document), judging the question
    against the vocabulary of those documents (`known`, and the answerer's idf)."""

    sources: frozenset[str] | None
    known: Callable[[str], bool]
    answerer: Any


class QA:
    """Built once per process from an open Index; `ask` is safe to call from many threads.

    When the index holds other collections beside the corpus folder (`RAG_CORPUS_DIR`), say the
    trial registry, a question is first answered from the corpus alone, as if nothing else were
    indexed (its own keyword statistics and vocabulary), and from everything only when the corpus
    does not answer it: the team's own documents come first, the registry answers what they
    don't. So "how many will the myeloma study enroll?" is not answered from whichever of the
    registry's hundreds of myeloma studies ranks highest, and a word only the registry uses does
    not make a corpus passage look like it concerns something else. The price: a question about
    another collection's document that names nothing (no NCT id, product or unknown name) and
    that the corpus seems to answer gets the corpus' answer."""

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
        self.trial_names = frozenset(json.loads(self.index.meta("trial_names", "[]")))
        scope = lru_cache(maxsize=512)(self._scope)

        def judged_by(df: dict[str, int], n_chunks: int, sources: frozenset[str] | None) -> Pass:
            answerer = Answerer(idf_function(df, max(1, n_chunks)), scope, df.__contains__)
            return Pass(sources, df.__contains__, with_llm(answerer, self.settings))

        everything = judged_by(keyword.df, len(keyword.ids), None)
        own = keyword.own  # the corpus folder's documents, when other collections are indexed too
        if own is not None:
            self.passes = (judged_by(own.df, len(own.ids), frozenset(own.spans)), everything)
        else:
            self.passes = (everything,)
        self._version = version

    @property
    def answerer(self):
        """The answerer of the last pass, the one over the whole index (the only one when the index
        holds one collection); setting it, as eval tooling does to wrap it, replaces that one."""
        return self.passes[-1].answerer

    @answerer.setter
    def answerer(self, answerer) -> None:
        self.passes = (*self.passes[:-1], replace(self.passes[-1], answerer=answerer))

    def _scope(self, source: str) -> Scope:
        return Scope(self.index.document(source).text, self.index.document_chunks(source), self.trial_names)

    def chain(self):
        """analyse → retrieve → answer as a LangChain runnable over {"question", "history", "top_k",
        "filters"}, once per pass; the first pass that does not abstain gives the answer."""
        def one(p: Pass):
            analyse = RunnableLambda(lambda x: {**x, "q": analyze(x["question"], x.get("history") or [], self.trial_names, p.known,
                                                                  x.get("lead_as_context", False))})
            retrieve = RunnableLambda(lambda x: {**x, "hits": self.retrieve(x["q"], x.get("top_k"), x.get("filters"), p.sources)})
            answer = RunnableLambda(lambda x: p.answerer.answer(x["q"], x["hits"]))
            return analyse | retrieve | answer

        def first_answer(x: dict) -> Answer:
            self._refresh()
            return self._answer(x["question"], lambda p, question, lead=False: one(p).invoke({**x, "question": question, "lead_as_context": lead}))

        return RunnableLambda(first_answer)

    def _answer(self, question: str, run: Callable[..., Answer]) -> Answer:
        """`run` over the passes for the question, or, for two questions asked as one, for each
        of them, the answer citing both (the whole question's answer when either finds none).
        A long message that finds no answer read whole is read again as what the asker tells of
        themselves, then the question proper in its last sentence."""
        parts = sub_questions(question, self.trial_names, self.passes[-1].known)
        if len(parts) > 1:
            answers = [self._first_answer(lambda p, part=part: run(p, part)) for part in parts]
            if not any(a.abstained for a in answers):
                return joined(answers)
        answer = self._first_answer(lambda p: run(p, question))
        if answer.abstained and has_lead(question):
            told = self._first_answer(lambda p: run(p, question, True))
            if not told.abstained:
                return told
        return answer

    def _first_answer(self, run: Callable[[Pass], Answer]) -> Answer:
        """Run the passes in order until one does not abstain; its answer (or the last abstention)."""
        for p in self.passes:
            answer = run(p)
            if not answer.abstained:
                break
        return answer

    def retrieve(self, q: Question, top_k: int | None = None, filters: dict[str, str] | None = None,
                 sources: frozenset[str] | None = None) -> list[Hit]:
        """The candidate pool the answerer re-ranks: deeper than the passages it may cite, with the
        counted noun added for a count, and each entity of a comparison searched on its own.

        A question naming a trial, product or NCT id is searched only in the documents that name
        it: a span elsewhere could never support the answer (the answerer's entity scope), and in a
        large corpus such spans would crowd the right document out of the pool. With an NCT id or
        product code in the question, those decide the documents (a trial name beside them adds none).
        `sources` (a pass's collection) limits every search; nothing is found when an entity asked
        about is named only outside it."""
        k = 3 * (top_k or self.settings.top_k)
        everywhere = set(sources) if sources is not None else None  # what a search may look at
        # "how big is the study" is answered by an enrollment count: let the keyword side look for one
        query = q.query + "".join(f" {n}" for n in sorted(q.count_nouns)) if q.expects == "count" else q.query
        naming = {e: self.index.sources_naming(e.key) for e in q.entities}
        # an NCT id or product code pins the documents down; a name learned from prose is looser
        pinned = [e for e in q.entities if e.cls != "trial"] or list(q.entities)
        within = set().union(*(naming[e] for e in pinned))
        if sources is not None:
            if any(named and not named & sources for named in naming.values()):
                return []  # something asked about is named only outside this pass's documents
            within = within & sources
            naming = {e: named & sources for e, named in naming.items()}
        hits = self.retriever.search(query, k, filters, within or everywhere)
        seen = {h.chunk.id for h in hits}

        def also(sub: str, among: set[str] | None) -> None:
            for h in self.retriever.search(sub, k, filters, among):
                if h.chunk.id not in seen:
                    seen.add(h.chunk.id)
                    hits.append(h)

        if len(q.entities) > 1:
            # a comparison: look for each entity on its own too, so one side cannot crowd out the other
            for e in sorted(q.entities, key=lambda e: e.key):
                sub = q.query
                for o in q.entities - {e}:
                    sub = re.sub(re.escape(o.key), " ", sub, flags=re.I)
                also(sub, naming[e] or everywhere)
        # things set side by side by description: each looked for on its own, where its words say
        # (a named product on one side does not keep the search to its documents)
        for side in q.sides:
            sub = query
            for other in q.sides:
                if other != side:
                    sub = sub.replace(other, " ")
            named = [e for e in q.entities if e.key in side.casefold()]
            also(sub, set().union(*(naming[e] for e in named)) or everywhere)
        return hits

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            filters: dict[str, str] | None = None) -> AskResponse:
        t0 = time.perf_counter()
        self._refresh()
        retrieving = answering = 0.0

        def run(p: Pass, asked: str, lead_as_context: bool = False) -> Answer:
            nonlocal retrieving, answering
            t1 = time.perf_counter()
            q: Question = analyze(asked, history, self.trial_names, p.known, lead_as_context)
            hits = self.retrieve(q, top_k, filters, p.sources)
            t2 = time.perf_counter()
            answer = p.answerer.answer(q, hits)
            retrieving, answering = retrieving + t2 - t1, answering + time.perf_counter() - t2
            return answer

        answer = self._answer(question, run)
        t3 = time.perf_counter()
        texts = {s: self.index.document(s).text for s in {p.chunk.source for p in answer.spans}}
        cites = citations(answer.spans, texts)
        answering += time.perf_counter() - t3
        return AskResponse(
            answer=answer.text,
            abstained=answer.abstained,
            citations=cites,
            timings_ms={"retrieve": round(retrieving * 1000, 2), "answer": round(answering * 1000, 2),
                        "total": round((time.perf_counter() - t0) * 1000, 2)},
            answerer=getattr(answer, "answerer", self.answerer.name),
        )
