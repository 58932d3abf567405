"""Hybrid retrieval: reciprocal-rank fusion on its own, the retriever's fusion of a fake index's
dense and keyword rankings, and (slow) the real MiniLM + Chroma + bm25s index over corpus/."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document as LCDocument

from rag.retrieve import RRF_K, HybridRetriever, document_to_hit, hit_to_document, rrf
from rag.types import Chunk, Hit

# --- reciprocal rank fusion ------------------------------------------------------------------


def test_rrf_adds_one_over_k_plus_rank_per_list():
    fused = rrf([["a", "b", "c"], ["b", "a"]])
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 3))


def test_rrf_favours_items_both_rankings_agree_on():
    fused = rrf([["x", "shared", "y"], ["z", "shared", "w"]])
    assert max(fused, key=fused.get) == "shared"


def test_rrf_ties_when_ranks_mirror_each_other():
    fused = rrf([["a", "b"], ["b", "a"]])
    assert fused["a"] == pytest.approx(fused["b"])


def test_rrf_item_in_one_list_only_scores_by_that_rank():
    fused = rrf([["only-dense"], []])
    assert fused == {"only-dense": pytest.approx(1 / (RRF_K + 1))}
    both = rrf([["a", "b"], ["b"]])
    assert both["b"] > both["a"], "second in one list and first in the other beats first in one list alone"


def test_rrf_order_follows_rank_not_list_size():
    fused = rrf([["a", "b", "c", "d"], ["d"]])
    order = sorted(fused, key=fused.get, reverse=True)
    assert order[0] == "d" and order[1:] == ["a", "b", "c"]


def test_rrf_smaller_k_sharpens_the_top():
    gap_small = rrf([["a", "b"]], k=1)
    gap_large = rrf([["a", "b"]], k=1000)
    assert gap_small["a"] / gap_small["b"] > gap_large["a"] / gap_large["b"]


def test_rrf_of_nothing_is_empty():
    assert rrf([]) == {} and rrf([[], []]) == {}


# --- the retriever over a fake index (no model) -----------------------------------------------


def _chunk(n: int, text: str, source: str = "a.txt") -> Chunk:
    return Chunk(source, 10 * n, 10 * n + len(text), text, n)


class _FakeEmbeddings:
    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


class _FakeKeyword:
    def __init__(self, ranking: list[tuple[str, float]]) -> None:
        self.ranking = ranking

    def search(self, words, k, sources=None):
        return self.ranking[:k]


class _FakeIndex:
    """Three chunks: dense ranks c0 > c1, keyword ranks c2 > c1; c2 has no dense score."""

    def __init__(self) -> None:
        self.embeddings = _FakeEmbeddings()
        chunks = [_chunk(0, "dense only"), _chunk(1, "in both rankings"), _chunk(2, "keyword only")]
        self.by_id = {c.id: c for c in chunks}
        self.ids = [c.id for c in chunks]
        self.keyword = _FakeKeyword([(self.ids[2], 7.0), (self.ids[1], 3.0)])

    def sources_matching(self, filters):
        return {"a.txt"}

    def dense_search(self, vector, k, sources=None):
        return [(self.ids[0], 0.9), (self.ids[1], 0.8)][:k]

    def vectors(self, ids):
        return {i: np.array([0.25, 0.0], dtype=np.float32) for i in ids}

    def chunks(self, ids):
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def titles(self, sources):
        return {s: "Doc A" for s in sources}


def test_retriever_fuses_both_rankings_and_fills_missing_dense_scores():
    index = _FakeIndex()
    hits = HybridRetriever(index=index, k=3).search("anything")
    assert [h.chunk.text for h in hits][0] == "in both rankings"
    assert {h.chunk.text for h in hits} == {"dense only", "in both rankings", "keyword only"}
    by_text = {h.chunk.text: h for h in hits}
    assert by_text["keyword only"].dense == pytest.approx(0.25), "dense score computed from the stored vector"
    assert by_text["keyword only"].keyword == 7.0
    assert by_text["dense only"].keyword == 0.0
    assert all(h.title == "Doc A" for h in hits)
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)


def test_retriever_k_limits_hits():
    assert len(HybridRetriever(index=_FakeIndex(), k=3).search("anything", k=1)) == 1


def test_retriever_checks_its_settings():
    with pytest.raises(ValueError):
        HybridRetriever(index=_FakeIndex(), k=0)


def test_hit_and_langchain_document_convert_both_ways():
    hit = Hit(Chunk("s.txt", 3, 9, "abcdef", 2, "Heading", "row"), "Title", 0.5, 1.5, 0.03)
    doc = hit_to_document(hit)
    assert isinstance(doc, LCDocument) and doc.page_content == "abcdef" and doc.id == hit.chunk.id
    assert document_to_hit(doc) == hit


# --- the real index over corpus/ ---------------------------------------------------------------

IDENTIFIERS = ["NCT05000450", "ALLO-605", "DAS28-ESR", "FC500"]


@pytest.mark.slow
@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_exact_identifier_search_puts_a_chunk_naming_it_first(qa, identifier):
    hits = qa.retriever.search(identifier, 5)
    assert hits, identifier
    assert identifier in hits[0].chunk.text, [h.chunk.text[:80] for h in hits]
    assert hits[0].keyword > 0, "the keyword side matched the identifier as one token"


@pytest.mark.slow
@pytest.mark.parametrize(("question", "identifier"), [
    ("What does DAS28-ESR measure?", "DAS28-ESR"),
    ("Which lymphodepletion regimen is FC500?", "FC500"),
    ("Where is NCT05000450 recruiting?", "NCT05000450"),
])
def test_identifier_inside_a_question_is_in_the_top_three(qa, question, identifier):
    hits = qa.retriever.search(question, 3)
    assert any(identifier in h.chunk.text or identifier in h.chunk.heading for h in hits), [h.chunk.text[:80] for h in hits]


@pytest.mark.slow
def test_retriever_works_as_a_langchain_runnable(qa):
    docs = qa.retriever.invoke("How many participants will the ALLO-605 study enroll?")
    assert 0 < len(docs) <= qa.retriever.k
    assert all(isinstance(d, LCDocument) for d in docs)
    texts = {}
    for d in docs:
        m = d.metadata
        assert {"source", "start", "end", "title", "dense", "keyword", "fused"} <= set(m)
        if m["source"] not in texts:
            texts[m["source"]] = qa.index.document(m["source"]).text
        assert texts[m["source"]][m["start"] : m["end"]] == d.page_content
    assert any("136 participants" in d.page_content for d in docs)
    fused = [d.metadata["fused"] for d in docs]
    assert fused == sorted(fused, reverse=True)
    batched = qa.retriever.batch(["ALLO-605", "DAS28-ESR"])
    assert len(batched) == 2 and all(batched)


@pytest.mark.slow
def test_filters_keep_only_matching_documents(qa):
    hits = qa.retriever.search("lymphodepletion", 8, filters={"root": str(qa.index.document_roots()
                                                                            ["000_7ca68f731093f7b2.txt"])})
    assert hits and len({h.chunk.source for h in hits}) > 1, "every corpus file shares the root"
    assert qa.retriever.search("lymphodepletion", 8, filters={"root": "/nowhere"}) == []
