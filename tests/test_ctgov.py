"""ClinicalTrials.gov study records: rendering, metadata, bad files, and filtered Q&A over a real
index (three legacy XML records and one API-v2 JSON record in tests/data/ctgov)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.chunk import chunk_document
from rag.errors import UnsupportedFile
from rag.load_ctgov import load_ctgov_json, load_ctgov_xml, phase_values, reflow

DATA = Path(__file__).parent / "data" / "ctgov"
XML_RECORDS = ["NCT00000102.xml", "NCT00001223.xml", "NCT00494338.xml"]
JSON_RECORD = "NCT00496288.json"


def load(name: str):
    loader = load_ctgov_json if name.endswith(".json") else load_ctgov_xml
    return loader(name, (DATA / name).read_bytes())


def test_loaders_are_registered_for_xml_and_json():
    from rag.load import LOADERS

    assert LOADERS.get(".xml") is load_ctgov_xml and LOADERS.get(".json") is load_ctgov_json, (
        "rag/load.py must register the ClinicalTrials.gov loaders: import load_ctgov_json and "
        "load_ctgov_xml from .load_ctgov and add '.xml' and '.json' entries to LOADERS"
    )


def test_xml_record_renders_title_sections_and_one_fact_per_line():
    doc = load("NCT00494338.xml")
    lines = doc.text.splitlines()
    assert lines[0] == "NCT00494338: A Phase II Trial of Docetaxel and Celecoxib in Patients With Androgen Independent Prostate Cancer"
    assert doc.title == "NCT00494338: Phase II Trial of Docetaxel and Celecoxib in Patients With Androgen Independent Prostate Cancer"
    for fact in ("Overall status: Terminated.", "Why stopped: due to celecoxib safety issues.", "Phase: Phase 2.",
                 "Enrollment: 6 participants (Actual).", "Minimum age: 18 Years.", "Lead sponsor: Sanofi.",
                 "Start date: November 2004.", "Completion date: April 2005 (Actual)."):
        assert fact in lines, fact
    # every section heading stands alone: blank line before and after
    for heading in ("recruitment", "design", "conditions", "treatments", "eligibility", "outcomes", "sponsor", "locations"):
        i = lines.index(f"NCT00494338 {heading}")
        assert lines[i - 1] == "" and lines[i + 1] == "", heading
    assert "\r" not in doc.text and "  " not in doc.text.replace("\n  ", "\n")


@pytest.mark.parametrize("name", XML_RECORDS + [JSON_RECORD])
def test_each_fact_is_one_chunk_under_a_heading_naming_the_trial(name):
    doc = load(name)
    nct = doc.metadata["nct_id"]
    chunks = chunk_document(doc)
    by_text = {c.text: c for c in chunks}
    facts = [line for line in doc.text.splitlines() if re.match(r"(Overall status|Phase|Enrollment|Minimum age|Lead sponsor|Study type): ", line)]
    assert len(facts) >= 4
    for fact in facts:
        assert fact in by_text, f"{fact!r} is not a chunk of its own"
        assert by_text[fact].heading.startswith(nct), by_text[fact].heading
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
    assert not any(c.text == f"{nct} {h}" for c in chunks for h in ("treatments", "eligibility", "description")), \
        "a section heading became a chunk of its own"


def test_metadata_for_filtering():
    doc = load("NCT00000102.xml")
    assert doc.metadata["nct_id"] == "NCT00000102"
    assert doc.metadata["status"] == "Completed"
    assert doc.metadata["study_type"] == "Interventional"
    assert doc.metadata["conditions"] == ["Congenital Adrenal Hyperplasia"]
    assert doc.metadata["sponsor"] == "National Center for Research Resources (NCRR)"
    # a Phase 1/Phase 2 trial answers to each phase and to the combined forms people type
    assert set(doc.metadata["phase"]) == {"Phase 1", "Phase 2", "Phase 1/Phase 2", "Phase 1/2"}
    terminated = load("NCT00494338.xml").metadata
    assert terminated["start_date"] == "2004-11" and terminated["start_year"] == "2004"
    assert terminated["completion_date"] == "2005-04" and terminated["enrollment"] == 6
    observational = load("NCT00001223.xml").metadata
    assert "phase" not in observational and observational["enrollment"] == 9999
    assert len(observational["conditions"]) == 4
    assert phase_values(("Phase 2", "Phase 3")) == ["Phase 2", "Phase 3", "Phase 2/Phase 3", "Phase 2/3"]


def test_json_record_reads_like_the_xml_schema():
    doc = load(JSON_RECORD)
    lines = doc.text.splitlines()
    assert lines[0].startswith("NCT00496288: Phase II Multicenter Clinical Trial of Prophylactic Irradiation")
    for fact in ("Overall status: Recruiting.", "Phase: Phase 2.", "Enrollment: 240 participants (Anticipated).",
                 "Minimum age: 30 Years.", "Maximum age: 90 Years.", "Sex: Female.", "Healthy volunteers: No.",
                 "Lead sponsor: Assaf-Harofeh Medical Center.", "Start date: March 2008.",
                 "Primary completion date: March 2023 (Anticipated).", "Allocation: Non-Randomized.",
                 "Intervention model: Parallel Assignment.", "Masking: None (Open Label).",
                 "Study Director: Ella Evron, MD, Assaf-Harofeh Medical Center.",
                 "- Radiation: Prophylactic radiation to the contralateral breast",
                 "- Assaf-Harofeh Medical Center, Zerrifin, 70300, Israel (Recruiting)"):
        assert fact in lines, fact
    assert "Exclusion Criteria:\n1. Metastatic breast cancer." in doc.text
    m = doc.metadata
    assert (m["nct_id"], m["phase"], m["status"], m["enrollment"]) == ("NCT00496288", ["Phase 2"], "Recruiting", 240)
    assert m["conditions"] == ["Breast Cancer"] and m["start_date"] == "2008-03"


def test_reflow_joins_wrapped_lines_and_keeps_labels_with_their_items():
    raw = ("\n        Inclusion Criteria:\r\n\r\n          -  diagnosed with Congenital Adrenal\r\n"
           "             Hyperplasia (CAH)\r\n\r\n               -  nested detail\r\n\r\n"
           "        Peer reviewed by CRUK\r\n")
    assert reflow(raw) == ("Inclusion Criteria:\n- diagnosed with Congenital Adrenal Hyperplasia (CAH)\n"
                           "  - nested detail\n\nPeer reviewed by CRUK.")


@pytest.mark.parametrize("loader, data, reason", [
    (load_ctgov_xml, b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info><brief_title>x</clinical_study>",
     r"not well-formed XML \(mismatched tag: line 1, column \d+\)"),
    (load_ctgov_xml, b"<rss version='2.0'><channel/></rss>", r"root is <rss>, not <clinical_study>"),
    (load_ctgov_xml, b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><clinical_study>&a;</clinical_study>",
     r"declares a DTD or entities"),
    (load_ctgov_xml, b"<clinical_study><brief_title>No id</brief_title></clinical_study>", r"no valid NCT number"),
    (load_ctgov_xml, b"   ", r"empty"),
    (load_ctgov_json, b'{"name": "my-package", "version": "1.0.0"}', r"no protocolSection"),
    (load_ctgov_json, b'{"protocolSection": ', r"not valid JSON"),
    (load_ctgov_json, b'{"studies": [{"protocolSection": {}}, {"protocolSection": {}}]}', r"holds 2 studies"),
    (load_ctgov_json, b'{"protocolSection": {"identificationModule": {"nctId": "NCT1"}}}', r"no valid NCT number"),
    (load_ctgov_json, b'{"protocolSection": {"identificationModule": "oops"}}', r"unexpected shape"),
])
def test_bad_record_is_unsupported_with_a_reason(loader, data, reason):
    with pytest.raises(UnsupportedFile) as err:
        loader("bad.xml" if loader is load_ctgov_xml else "bad.json", data)
    assert re.search(reason, err.value.reason), err.value.reason


# --- real index: real MiniLM, real Chroma ----------------------------------------------------------

@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """An index of the four fixture records plus a truncated (malformed) record and a JSON file
    that is not a study, ingested the way `rag ingest` does it."""
    from rag import load
    from rag.cli import open_index
    from rag.ingest import ingest
    from rag.pipeline import QA

    from conftest import make_settings

    folder = tmp_path_factory.mktemp("registry")
    for name in XML_RECORDS + [JSON_RECORD]:
        shutil.copy(DATA / name, folder / name)
    (folder / "NCT09999999.xml").write_bytes((DATA / "NCT00494338.xml").read_bytes()[:1500])
    (folder / "package.json").write_text('{"name": "not-a-study"}')
    saved = dict(load.LOADERS)
    # until rag/load.py registers them itself (see test_loaders_are_registered_for_xml_and_json)
    load.LOADERS.setdefault(".xml", load_ctgov_xml)
    load.LOADERS.setdefault(".json", load_ctgov_json)
    try:
        settings = make_settings(tmp_path_factory.mktemp("registry-index"))
        index = open_index(settings, create=True, threads=os.cpu_count())
        report = ingest(index, [folder])
    finally:
        load.LOADERS.clear()
        load.LOADERS.update(saved)
    return report, index, QA(index, settings)


@pytest.mark.slow
def test_ingest_skips_bad_files_with_reasons(registry):
    report, index, _ = registry
    assert report.added == 4
    skipped = dict(report.skipped)
    assert set(skipped) == {"NCT09999999.xml", "package.json"}
    assert "not well-formed XML" in skipped["NCT09999999.xml"]
    assert "no protocolSection" in skipped["package.json"]
    assert index.document(JSON_RECORD).metadata["status"] == "Recruiting"


@pytest.mark.slow
def test_metadata_filters_select_documents(registry):
    _, index, _ = registry
    assert index.sources_matching({"phase": "Phase 2"}) == {"NCT00000102.xml", "NCT00494338.xml", JSON_RECORD}
    assert index.sources_matching({"phase": "phase 1/2"}) == {"NCT00000102.xml"}
    assert index.sources_matching({"phase": "Phase 2", "status": "Recruiting"}) == {JSON_RECORD}
    assert index.sources_matching({"conditions": "cystic fibrosis"}) == {"NCT00001223.xml"}
    assert index.sources_matching({"sponsor": "Sanofi", "start_year": "2004"}) == {"NCT00494338.xml"}


@pytest.mark.slow
@pytest.mark.parametrize("question, expected, fact", [
    ("What is the overall status of NCT00494338?", "Terminated", "Overall status: Terminated."),
    ("What phase is NCT00000102 in?", "Phase 1/Phase 2", "Phase: Phase 1/Phase 2."),
    ("What is the minimum age to enroll in NCT00496288?", "30 Years", "Minimum age: 30 Years."),
    ("Who is the lead sponsor of NCT00001223?", "NIDDK", "Lead sponsor: National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)."),
    ("How many participants did NCT00494338 enroll?", "6 participants", "Enrollment: 6 participants (Actual)."),
])
def test_ask_cites_the_fact_line(registry, question, expected, fact):
    _, index, qa = registry
    response = qa.ask(question)
    assert not response.abstained, response.answer
    assert expected in response.answer
    cited = [c for c in response.citations if c.text == fact]
    assert cited, [c.text for c in response.citations]
    for c in response.citations:
        assert index.document(c.source).text[c.start:c.end] == c.text


@pytest.mark.slow
def test_ask_with_filters_only_cites_matching_trials(registry):
    _, _, qa = registry
    response = qa.ask("What is the minimum age of participants?", filters={"phase": "Phase 2", "status": "Recruiting"})
    assert not response.abstained, response.answer
    assert {c.source for c in response.citations} == {JSON_RECORD}
    assert "30 Years" in response.answer
    nothing = qa.ask("What is the minimum age of participants?", filters={"status": "Withdrawn"})
    assert nothing.abstained and not nothing.citations


@pytest.mark.slow
def test_unknown_trial_id_abstains(registry):
    _, _, qa = registry
    response = qa.ask("What is the overall status of NCT04999999?")
    assert response.abstained, response.answer


def test_generated_registry_questions_quote_the_rendered_fact_lines():
    import importlib.util

    spec = importlib.util.spec_from_file_location("registry_questions", DATA.parents[2] / "eval" / "registry_questions.py")
    rq = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = rq  # dataclasses look their module up there
    spec.loader.exec_module(rq)
    items = rq.generate(DATA, per_field=1, unanswerable=4, seed=1)
    answerable = [i for i in items if i["answerable"]]
    assert {i["kind"] for i in answerable} == {f.name for f in rq.FIELDS}
    texts = {n: load(n).text for n in XML_RECORDS}
    for item in answerable:
        quotes = [e["quote"] for e in item["evidence"]]
        for quote, ev in zip(quotes, item["evidence"]):
            assert texts[ev["source"]].count(quote) == 1, quote
        for value in item["answers"] + item["must_include"]:
            assert any(value in q for q in quotes), (value, quotes)
    ids = {load(n).metadata["nct_id"] for n in XML_RECORDS}
    unanswerable = [i for i in items if not i["answerable"]]
    assert len(unanswerable) == 4
    assert not any(nct in i["question"] for i in unanswerable for nct in ids)


# --- documents named by the question ---------------------------------------------------------------

@pytest.mark.slow
def test_entity_table_lists_the_documents_naming_each_id(registry):
    _, index, _ = registry
    assert index.sources_naming("nct00494338") == {"NCT00494338.xml"}
    assert index.sources_naming("nct09999999") == set(), "the malformed record was not indexed"


@pytest.mark.slow
def test_searches_limited_to_documents_stay_inside_them(registry):
    from rag.text import tokens

    _, index, _ = registry
    only = {"NCT00001223.xml"}
    words = tokens("minimum age of participants")
    everywhere = index.keyword.search(words, 50)
    assert {index.chunks([i])[i].source for i, _ in everywhere} - only, "the words occur in other records too"
    inside = index.keyword.search(words, 50, only)
    assert inside and {index.chunks([i])[i].source for i, _ in inside} == only
    assert [i for i, _ in inside] == [i for i, _ in everywhere if index.chunks([i])[i].source in only][:len(inside)]
    # the direct scoring of a few documents' vectors ranks as Chroma's own filtered search does
    vector = index.embeddings.embed_query("minimum age of participants")
    direct = index.dense_search(vector, 5, only)
    chroma = index._query(np.asarray(vector, dtype=np.float32), 5, where={"source": {"$in": sorted(only)}})
    assert [i for i, _ in direct] == [i for i, _ in chroma]
    assert [s for _, s in direct] == pytest.approx([s for _, s in chroma], abs=1e-4)


@pytest.mark.slow
def test_a_question_naming_a_trial_is_searched_in_that_trials_record_only(registry):
    from rag.answer import analyze

    _, _, qa = registry
    q = analyze("What is the minimum age to enroll in NCT00496288?", [], qa.trial_names, qa.passes[-1].known)
    hits = qa.retrieve(q)
    assert hits and {h.chunk.source for h in hits} == {JSON_RECORD} == {"NCT00496288.json"}
    unnamed = qa.retrieve(analyze("What is the minimum age to enroll?", [], qa.trial_names, qa.passes[-1].known))
    assert len({h.chunk.source for h in unnamed}) > 1


@pytest.mark.slow
def test_changed_tokenising_code_rebuilds_keyword_and_entity_indexes_without_embedding(registry, tmp_path):
    from rag.ingest import ingest
    from rag.store import DERIVED_VERSION

    report, index, _ = registry
    folder = Path(index.document("NCT00494338.xml").metadata["root"])
    index.set_meta("derived_version", "derived-older")
    index.db.execute("DELETE FROM entity_docs")
    version = index.meta("keyword_version")
    again = ingest(index, [folder])
    assert index.meta("keyword_version") != version
    assert again.chunks == 0 and again.added == again.changed == 0
    assert index.meta("derived_version") == DERIVED_VERSION
    assert index.sources_naming("nct00494338") == {"NCT00494338.xml"}
