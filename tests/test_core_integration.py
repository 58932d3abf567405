"""The grounded Q&A core end to end with the real parts: MiniLM, embedded Chroma and bm25s over
corpus/ (factoids, lists, follow-ups, traps that must abstain), incremental ingest on a small
corpus of its own, and the loaders for HTML and PDF."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from rag.errors import DocumentNotFound, ModelMismatch
from rag.answer import analyze
from rag.load import load_bytes, load_file
from rag.store import embedding_text
from rag.types import AskResponse, Turn

ALLO_605 = "000_7ca68f731093f7b2.txt"
NEWS_329 = "001_47ea939b1e7af965.txt"
ALLONK = "002_587be0cee96c5963.txt"


def check_citations(qa, response: AskResponse) -> None:
    """Every citation's text is its document's text at its offsets, and ids count from 1."""
    assert [c.id for c in response.citations] == list(range(1, len(response.citations) + 1))
    for c in response.citations:
        text = qa.index.document(c.source).text
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end] == c.text, (c.source, c.start, c.end)
        assert c.title == qa.index.document(c.source).title


# --- questions over corpus/ --------------------------------------------------------------------

FACTOIDS = [
    ("What is the ClinicalTrials.gov identifier of the ALLO-605 study?", "NCT05000450", ALLO_605),
    ("What is the planned enrollment of the AlloNK study?", "92", ALLONK),
    ("When did the ALLO-605 study start?", "June 6, 2021", ALLO_605),
    ("What does DAS28-ESR measure?", "rheumatoid arthritis", ALLONK),
]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "value", "source"), FACTOIDS)
def test_factoid_answer_holds_the_value_with_an_exact_citation(qa, question, value, source):
    r = qa.ask(question)
    assert not r.abstained, r.answer
    assert value in r.answer
    assert any(c.source == source and value in c.text for c in r.citations), r.citations
    assert "[1]" in r.answer
    check_citations(qa, r)
    assert set(r.timings_ms) >= {"retrieve", "answer", "total"} and r.timings_ms["total"] > 0


@pytest.mark.slow
def test_list_question_cites_several_items_of_the_list(qa):
    r = qa.ask("What are the exclusion criteria for the ALLO-605 study?")
    assert not r.abstained
    text = qa.index.document(ALLO_605).text
    section_start = text.index("Exclusion Criteria:")
    section_end = text.index("\n\n", section_start)
    inside = [c for c in r.citations if c.source == ALLO_605 and section_start < c.start < section_end]
    assert len(inside) >= 3, [c.text for c in r.citations]
    assert len(inside) == len(r.citations), "nothing from outside the exclusion list"
    check_citations(qa, r)


@pytest.mark.slow
def test_follow_up_question_answers_from_the_history(qa):
    first = qa.ask("Tell me about the ALLO-605 study")
    history = [Turn(role="user", content="Tell me about the ALLO-605 study"),
               Turn(role="assistant", content=first.answer)]
    r = qa.ask("How many participants will it enroll?", history)
    assert not r.abstained, r.answer
    assert "136" in r.answer
    assert any(c.source == ALLO_605 and "136" in c.text for c in r.citations)
    check_citations(qa, first)
    check_citations(qa, r)


TRAPS = [
    "What is the price of ALLO-605?",  # no price anywhere
    "How many participants will the ALLO-501 study enroll?",  # not in the corpus
    "How many participants will the RESOLUTION trial enroll?",  # the trial is there, its enrollment is not
]


@pytest.mark.slow
@pytest.mark.parametrize("question", TRAPS)
def test_unanswerable_question_abstains(qa, question):
    r = qa.ask(question)
    assert r.abstained, r.answer
    assert "don't answer" in r.answer
    assert not any(ch.isdigit() for ch in r.answer), "an abstention states no figure"
    assert len(r.citations) <= 2
    check_citations(qa, r)


@pytest.mark.slow
def test_yes_no_question_over_the_corpus(qa):
    r = qa.ask("Can a 16-year-old enroll in the ALLO-605 study?")
    assert not r.abstained and r.answer.startswith("No.")
    assert "18 Years and older" in r.citations[0].text
    check_citations(qa, r)


@pytest.mark.slow
def test_two_questions_asked_as_one_are_each_answered_from_their_own_document(qa):
    # a date for one, a count for the other: asked as one, neither kind would be asked for
    question = "When did the ALLO-605 study start, and how many participants will the AlloNK study enroll?"
    for answer, sources in ((r := qa.ask(question)), [c.source for c in r.citations]), (
            (a := qa.chain().invoke({"question": question, "history": []})), [p.chunk.source for p in a.spans]):
        text = answer.answer if isinstance(answer, AskResponse) else answer.text
        assert not answer.abstained and "June 6, 2021" in text and "92" in text, text
        assert ALLO_605 in sources and ALLONK in sources
    check_citations(qa, r)


@pytest.mark.slow
def test_a_comparison_half_naming_only_its_document_is_answered_from_that_document(qa):
    # "the figure in the January 2026 business update": what the first half asks, of that release
    r = qa.ask("How does the ALLO-316 response rate reported around SITC 2024 compare with the figure Allogene cites "
               "in its January 2026 business update?")
    assert not r.abstained and "38%" in r.answer and "31%" in r.answer, r.answer
    check_citations(qa, r)


@pytest.mark.slow
def test_a_named_trial_compared_with_one_only_described_is_answered_from_both(qa):
    # the product code keeps the search to its record; the described side is looked for on its own
    r = qa.ask("How many people will the ALLO-605 myeloma study enroll compared with the NK cell rheumatic disease study?")
    assert not r.abstained and "136" in r.answer and "92" in r.answer, r.answer
    assert {ALLO_605, ALLONK} <= {c.source for c in r.citations}
    check_citations(qa, r)


@pytest.mark.slow
def test_a_long_message_is_answered_from_its_last_sentence_when_it_finds_nothing_whole(qa):
    # read whole, the asker's story outweighs the question; its last sentence is what is asked
    question = ("My dad has been fighting myeloma for six years now and honestly he's worn out, some days he can barely "
                "get off the couch. His oncologist mentioned an off the shelf CAR T study called ALLO-605. I read they "
                "care about how well you can function day to day. What ECOG score does a patient need to get into it?")
    for answer in qa.ask(question), qa.chain().invoke({"question": question, "history": []}):
        text = answer.answer if isinstance(answer, AskResponse) else answer.text
        assert not answer.abstained and "0 or 1" in text, text
    # (what it tells does not make a question the documents don't answer answerable)
    assert qa.ask("My dad has myeloma and is worn out. His oncologist mentioned ALLO-605. What does a course cost?").abstained


@pytest.mark.slow
def test_chain_runs_as_a_langchain_runnable(qa):
    answer = qa.chain().invoke({"question": "What is the planned enrollment of the AlloNK study?", "history": []})
    assert not answer.abstained and "92" in answer.text
    for p in answer.spans:
        assert qa.index.document(p.chunk.source).text[p.chunk.start : p.chunk.end] == p.chunk.text



@pytest.mark.slow
def test_the_corpus_answers_first_and_other_collections_what_it_does_not(corpus_settings, tmp_path):
    """With a second folder indexed beside corpus/, an unqualified question about "the myeloma study"
    is answered from corpus/ (ALLO-605, 136), not from the other folder's myeloma registry (500),
    which the search over everything ranks first; what only that folder covers it still answers."""
    from rag.cli import open_index
    from rag.ingest import ingest
    from rag.pipeline import QA
    from conftest import make_settings

    data = tmp_path / "data"
    shutil.copytree(corpus_settings.data_dir, data)
    other = tmp_path / "other"
    other.mkdir()
    (other / "registry.txt").write_text("Lisbon myeloma registry\n\nThe Lisbon myeloma registry will enroll 500 "
                                        "participants. It records how multiple myeloma is treated in routine care.\n")
    settings = make_settings(data)
    index = open_index(settings)
    assert ingest(index, [other]).added == 1
    qa = QA(index, settings)
    assert [p.sources for p in qa.passes] == [frozenset(index.document_roots()) - {"registry.txt"}, None]

    question = "How many participants will the myeloma study enroll?"
    everything = qa.passes[-1]
    q = analyze(question, [], qa.trial_names, everything.known)
    assert everything.answerer.answer(q, qa.retrieve(q)).spans[0].chunk.source == "registry.txt"
    corpus_first = qa.ask(question)
    assert not corpus_first.abstained and "136" in corpus_first.answer, corpus_first.answer
    assert {c.source for c in corpus_first.citations} == {"000_7ca68f731093f7b2.txt"}
    elsewhere = qa.ask("How many participants will the Lisbon registry enroll?")
    assert not elsewhere.abstained and "500" in elsewhere.answer, elsewhere.answer
    assert [c.source for c in elsewhere.citations] == ["registry.txt"]

# --- incremental ingest with the real model ------------------------------------------------------

HTML = """<!doctype html><html><head><title>Gamma trial page</title>
<script>var secret = "script text must not be indexed";</script><style>body { color: red }</style></head>
<body><h1>Gamma trial</h1><p>The Gamma trial enrolls 48 participants at three hospitals.</p>
<table><tr><th>Field</th><th>Value</th></tr><tr><td>Phase</td><td>Phase 3</td></tr></table>
<script>document.write("more hidden script")</script></body></html>"""


def _write_corpus(folder):
    folder.mkdir()
    (folder / "alpha.txt").write_text("Alpha study\n\nThe Alpha study tests ALLO-777 in lymphoma. It will enroll 30 patients.\n")
    (folder / "beta.md").write_text("# Beta study\n\nThe Beta study is open in Norway. Its sponsor is Beta Bio.\n")
    (folder / "gamma.html").write_text(HTML)


def _open(data_dir, create=True):
    from rag.cli import open_index
    from conftest import make_settings

    return open_index(make_settings(data_dir), create=create)


def _consistent(index) -> None:
    """SQLite and Chroma hold the same chunk ids."""
    ids = {i for (i,) in index.db.execute("SELECT id FROM chunks")}
    assert index.vector_ids() == ids


@pytest.mark.slow
def test_incremental_ingest_skips_replaces_and_removes(tmp_path):
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    _write_corpus(docs)
    index = _open(tmp_path / "data")

    first = ingest(index, [docs])
    assert (first.added, first.changed, first.unchanged, first.removed, first.skipped) == (3, 0, 0, 0, [])
    assert first.found == 3 and first.chunks == index.counts()[1] > 3
    assert index.counts()[0] == 3
    assert {d["source"] for d in index.list_documents()} == {"alpha.txt", "beta.md", "gamma.html"}
    assert index.document("beta.md").title == "Beta study"
    assert index.document("alpha.txt").text == (docs / "alpha.txt").read_text()
    _consistent(index)

    second = ingest(index, [docs])
    assert (second.added, second.changed, second.unchanged, second.removed, second.chunks) == (0, 0, 3, 0, 0)
    assert "3 unchanged" in second.summary()

    old_ids = {c.id for c in index.document_chunks("beta.md")}
    (docs / "beta.md").write_text("# Beta study\n\nThe Beta study moved to Finland in 2025. Its sponsor is Beta Bio.\n")
    third = ingest(index, [docs])
    assert (third.added, third.changed, third.unchanged, third.removed) == (0, 1, 2, 0)
    beta = index.document_chunks("beta.md")
    assert any("Finland" in c.text for c in beta) and not any("Norway" in c.text for c in beta)
    stored = index.collection.get(where={"source": "beta.md"}, include=["embeddings"])
    assert set(stored["ids"]) == {c.id for c in beta}, "Chroma holds exactly the new chunks' vectors"
    fresh = index.embeddings.embed_array([embedding_text("Beta study", c) for c in beta])
    by_id = dict(zip(stored["ids"], stored["embeddings"]))
    assert all(float(np.dot(by_id[c.id], v)) > 0.999 for c, v in zip(beta, fresh)), "the vectors embed the new text"
    assert not (old_ids - {c.id for c in beta}) & index.vector_ids()
    _consistent(index)

    (docs / "gamma.html").unlink()
    fourth = ingest(index, [docs])
    assert (fourth.added, fourth.changed, fourth.unchanged, fourth.removed) == (0, 0, 2, 1)
    with pytest.raises(DocumentNotFound):
        index.document("gamma.html")
    assert index.collection.get(where={"source": "gamma.html"})["ids"] == []
    assert index.counts()[0] == 2
    _consistent(index)

    # the keyword index follows: the new word is found, the removed page is not
    assert index.keyword.search(["finland"], 5)
    assert not index.keyword.search(["gamma"], 5)


@pytest.mark.slow
def test_index_built_with_another_embedding_model_is_refused(tmp_path):
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    _write_corpus(docs)
    index = _open(tmp_path / "data")
    ingest(index, [docs])
    index.db.close()
    with sqlite3.connect(tmp_path / "data" / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = 'some-other-model (dim=768)' WHERE key = 'embedding_model'")
    with pytest.raises(ModelMismatch) as err:
        _open(tmp_path / "data", create=False)
    assert "some-other-model" in str(err.value) and "rag ingest --rebuild" in str(err.value)


# --- loaders -------------------------------------------------------------------------------------

def test_html_loader_keeps_visible_text_and_drops_scripts(tmp_path):
    path = tmp_path / "gamma.html"
    path.write_text(HTML)
    doc = load_file(path, "gamma.html")
    assert doc.title == "Gamma trial page"
    assert "The Gamma trial enrolls 48 participants at three hospitals." in doc.text
    assert "Phase 3" in doc.text and "Field" in doc.text
    for hidden in ("script text", "secret", "more hidden script", "color: red", "document.write"):
        assert hidden not in doc.text
    phase_row = next(line for line in doc.text.splitlines() if "Phase 3" in line)
    assert "Phase" in phase_row.replace("Phase 3", "", 1), "a table row stays on one line"


def _pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal valid PDF with one text line per entry, written by hand (no PDF writer installed)."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in page_ids), len(pages))
    for page_id, lines in zip(page_ids, pages):
        shown = [b"(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1") + b") Tj T*"
                 for line in lines]
        stream = b"\n".join([b"BT /F1 12 Tf 14 TL 72 720 Td", *shown, b"ET"])
        objects[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1))
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    info = None
    if title:
        info = max(objects) + 1
        objects[info] = b"<< /Title (%s) >>" % title.encode("latin-1")
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, b" /Info %d 0 R" % info if info else b"", xref)
    return bytes(out)


def test_pdf_loader_records_where_each_page_starts():
    data = _pdf([["Delta trial report", "The Delta trial enrolled 42 patients."],
                 [],  # a blank page is skipped, and numbering still counts it
                 ["The dose was 5 mg per kilogram.", "Follow-up lasted 12 months."]], title="Delta report")
    doc = load_bytes("delta.pdf", ".pdf", data)
    assert doc.title == "Delta report"
    assert [number for number, _ in doc.pages] == [1, 3]
    first, third = dict(doc.pages)[1], dict(doc.pages)[3]
    assert first == 0
    assert doc.text[first:].startswith("Delta trial report")
    assert doc.text[third:].startswith("The dose was 5 mg per kilogram.")
    assert "enrolled 42 patients" in doc.text[first:third]

    from rag.chunk import chunk_document

    chunks = chunk_document(doc)
    dose = next(c for c in chunks if "5 mg" in c.text)
    assert doc.text[dose.start : dose.end] == dose.text and dose.start >= third
