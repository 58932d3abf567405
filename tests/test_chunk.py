"""Chunking keeps offsets exact on any text, follows the document's structure (table rows, list
items, labels, sentences), and citations built from chunks round-trip against the document."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rag.answer import Picked
from rag.chunk import MAX_CHARS, MIN_CHARS, chunk_document, sentences
from rag.cite import SpanMismatch, citations
from rag.types import Chunk, Document

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])



def doc(text: str, source: str = "doc.txt") -> Document:
    return Document(source, "Title", text, "hash")


def chunks_of(text: str) -> list[Chunk]:
    return chunk_document(doc(text))


def by_text(chunks: list[Chunk], needle: str) -> Chunk:
    found = [c for c in chunks if needle in c.text]
    assert found, (needle, [c.text for c in chunks])
    return found[0]


# --- strategies --------------------------------------------------------------------------------

_word = st.one_of(
    st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12),
    st.sampled_from(["NCT05000450", "ALLO-605", "DAS28-ESR", "FC500", "Dr.", "U.S.", "e.g.", "[1]", "≥3", "Sjögren’s",
                     "naïve", "日本語", "Ωmega", "emoji🙂", "3+3", "30,000", "$10K", "(RP2D)", "Phase", "No", "Yes"]),
)
_sentence = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    _word, st.lists(_word, max_size=25), st.sampled_from([".", "!", "?", ".[1]", ".”", ""]),
)
_prose = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_line = st.one_of(
    _prose,
    _prose.map(lambda s: "- " + s),
    _prose.map(lambda s: "• " + s),
    _prose.map(lambda s: "  3. " + s),
    st.lists(_word, min_size=1, max_size=4).map(lambda ws: " | ".join(ws) + " |"),
    st.sampled_from(["---|---|---", "| --- | --- |", "Inclusion Criteria:", "Exclusion Criteria:", "Recruitment Status :",
                     "# Heading one", "Trial overview", "|", "", "", "   ", "\t", "Contact:", "***", "Key Record Dates"]),
    st.lists(_word, min_size=60, max_size=160).map(" ".join),  # a very long line
    st.text(max_size=80),  # anything at all
)
structured_text = st.builds(
    lambda lines, newline: newline.join(lines),
    st.lists(_line, max_size=30), st.sampled_from(["\n", "\r\n"]),
)
any_text = st.one_of(structured_text, st.text(max_size=600))


def _check_offsets(text: str, chunks: list[Chunk]) -> None:
    previous_end = 0
    for n, c in enumerate(chunks):
        assert c.source == "doc.txt"
        assert c.ordinal == n
        assert 0 <= c.start < c.end <= len(text), (c.start, c.end, len(text))
        assert text[c.start : c.end] == c.text
        assert c.text.strip(" \t\r\n|") == c.text, repr(c.text)  # no blank or pipe padding at the edges
        assert c.start >= previous_end, "chunks overlap or are out of order"
        assert c.kind in {"text", "row", "item"}
        previous_end = c.end


# --- properties --------------------------------------------------------------------------------

@PROPERTY
@given(any_text)
@example("Hello there.\r\nSecond line here.\r\n")
@example("naïve ☃ text | with | pipes |\n\n\n• bullet one is here\n1) numbered item\n")
@example("x" * 5000)
def test_chunk_offsets_round_trip_in_order_without_overlap(text):
    _check_offsets(text, chunks_of(text))


def _sentence_lines(text: str):
    """Lines that end like a sentence (not headings, labels or rules): their words must be kept."""
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip(" \t\r\u00a0|")
        if stripped[-1:] in (".", "!", "?") and not stripped.startswith("#") and any(ch.isalnum() for ch in stripped):
            marker = re.match(r"\s*(?:[-*•‣◦▪]|\d{1,2}[.)])\s+", raw)
            yield pos + (marker.end() if marker else 0), pos + len(raw)
        pos += len(raw) + 1


@PROPERTY
@given(structured_text)
def test_every_character_of_a_sentence_line_is_in_some_chunk(text):
    covered = bytearray(len(text))
    for c in chunks_of(text):
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    for start, end in _sentence_lines(text):
        lost = [text[i] for i in range(start, end) if text[i].isalnum() and not covered[i]]
        assert not lost, (text[start:end], "".join(lost))


_clean_sentence = st.builds(
    lambda words: " ".join(words).capitalize() + ".",
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=15), min_size=4, max_size=90),
).filter(lambda s: len(s) >= MIN_CHARS)
_clean_line = st.one_of(
    st.lists(_clean_sentence, min_size=1, max_size=5).map(" ".join),
    _clean_sentence.map(lambda s: "- " + s),
    st.lists(_clean_sentence, min_size=2, max_size=4).map(" | ".join),
    st.just(""),
)


@PROPERTY
@given(st.lists(_clean_line, max_size=20).map("\n".join))
def test_chunks_of_ordinary_prose_stay_short(text):
    """Sentences, items and rows longer than MAX_CHARS are cut at clause or word breaks."""
    for c in chunks_of(text):
        assert len(c.text) <= MAX_CHARS + MIN_CHARS, (len(c.text), c.text[:80])


@PROPERTY
@given(any_text, st.data())
def test_citations_of_chunks_round_trip(text, data):
    document = doc(text)
    chunks = chunk_document(document)
    assume(chunks)
    picked = data.draw(st.lists(st.sampled_from(chunks), min_size=1, max_size=6))
    cites = citations([Picked(c, document.title, 0.5) for c in picked], {document.source: document.text})
    assert [c.id for c in cites] == list(range(1, len(picked) + 1))
    for cite, chunk in zip(cites, picked):
        assert cite.text == document.text[cite.start : cite.end] == chunk.text
        assert (cite.source, cite.start, cite.end, cite.title) == (document.source, chunk.start, chunk.end, "Title")


@PROPERTY
@given(structured_text)
def test_sentences_are_stripped_disjoint_spans_inside_the_range(text):
    spans = sentences(text, 0, len(text))
    end = 0
    for a, b in spans:
        assert end <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip(" \t\r\n\u00a0|")
        end = b


# --- structure ---------------------------------------------------------------------------------

def test_table_row_is_one_chunk_carrying_the_header_row():
    text = "Condition | Intervention | Phase |\n---|---|---|\nMultiple Myeloma | Genetic: ALLO-605 | Phase 1 Phase 2 |\n"
    chunks = chunks_of(text)
    row = by_text(chunks, "Multiple Myeloma")
    assert row.text == "Multiple Myeloma | Genetic: ALLO-605 | Phase 1 Phase 2"
    assert row.kind == "row"
    assert "Condition | Intervention | Phase" in row.heading
    assert not any("---" in c.text for c in chunks)


def test_list_items_carry_their_label_as_heading():
    text = (
        "Eligibility\n\n"
        "Inclusion Criteria:\n- Documented diagnosis of multiple myeloma\n- Subjects must have measurable disease\n"
        "Exclusion Criteria:\n- Any prior allogeneic stem cell transplantation\n"
    )
    chunks = chunks_of(text)
    for needle in ("Documented diagnosis", "measurable disease"):
        item = by_text(chunks, needle)
        assert item.kind == "item"
        assert "Inclusion Criteria" in item.heading and "Exclusion" not in item.heading
        assert not item.text.startswith("-")
    excluded = by_text(chunks, "allogeneic stem cell")
    assert "Exclusion Criteria" in excluded.heading
    assert not any(c.text.startswith("Inclusion Criteria") for c in chunks), "a list label is context, not a chunk"


def test_short_label_line_is_joined_to_its_value():
    text = "Recruitment Status :\nRecruiting\nFirst Posted : August 11, 2021\n"
    chunks = chunks_of(text)
    status = by_text(chunks, "Recruitment Status")
    assert status.text == "Recruitment Status :\nRecruiting"
    assert by_text(chunks, "First Posted").text == "First Posted : August 11, 2021"


def test_sentences_split_but_not_at_abbreviations_or_after_reference_marks():
    text = ("Dr. Smith led the study in the U.S. with Mr. Jones at 3 sites. The trial enrolled 92 participants.[1] "
            "Results are expected in 2026.\n")
    chunks = chunks_of(text)
    assert [c.text for c in chunks] == [
        "Dr. Smith led the study in the U.S. with Mr. Jones at 3 sites.",
        "The trial enrolled 92 participants.[1]",
        "Results are expected in 2026.",
    ]


def test_heading_is_context_for_the_section_below_it():
    text = "Trial phase and size\n\nThis is a Phase 2 study. The planned enrollment is 92 participants.\n"
    chunks = chunks_of(text)
    assert [c.text for c in chunks] == ["This is a Phase 2 study.", "The planned enrollment is 92 participants."]
    assert all(c.heading == "Trial phase and size" for c in chunks)


def test_a_long_sentence_is_cut_at_a_clause_break_without_losing_text():
    clauses = [f"clause number {i} talks about lymphodepletion with cyclophosphamide and fludarabine" for i in range(12)]
    text = "The study, " + ", ".join(clauses) + ".\n"
    chunks = chunks_of(text)
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert " ".join(c.text for c in chunks).replace(", ", " ").split() == text.replace(",", " ").split()


def test_crlf_text_keeps_offsets_into_the_original_text():
    text = "First sentence here.\r\nSecond sentence here.\r\n\r\n- an item in a list\r\n"
    chunks = chunks_of(text)
    assert [c.text for c in chunks] == ["First sentence here.", "Second sentence here.", "an item in a list"]
    _check_offsets(text, chunks)


def test_chunk_ids_come_from_source_and_offsets():
    a, b = chunks_of("One sentence here. Another sentence here.")
    assert a.id != b.id and len(a.id) == 24
    assert a.id == chunk_document(doc("One sentence here. Another sentence here."))[0].id
    assert a.id != chunk_document(doc("One sentence here. Another sentence here.", source="other.txt"))[0].id


def test_citation_whose_text_does_not_match_its_document_is_refused():
    chunk = chunks_of("The dose is 5 mg. The trial is open.")[0]
    with pytest.raises(SpanMismatch):
        citations([Picked(chunk, "T", 0.9)], {"doc.txt": "The dose is 6 mg. The trial is open."})


@pytest.mark.parametrize("marker", ["• ", "1. ", "2) \t", "• |", "•\u2003"])
def test_bare_bullet_marker_yields_no_empty_chunk(marker):
    text = f"Intro sentence here.\n{marker}\nHello there, reader.\n"
    chunks = chunks_of(text)
    assert all(c.start < c.end and c.text for c in chunks), [(c.start, c.end, c.text) for c in chunks]


def test_a_run_of_tiny_sentences_does_not_make_an_unbounded_chunk():
    chunks = chunks_of("Go. " * 300)
    assert max(len(c.text) for c in chunks) <= MAX_CHARS + MIN_CHARS
