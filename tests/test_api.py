"""The JSON API through a real uvicorn server on loopback, and `rag ask --json` in a subprocess
against the same index: the shapes INTERFACES.md promises, exact citations, JSON error bodies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import CORPUS

pytestmark = pytest.mark.slow

QUESTION = "How many participants will the ALLO-605 study enroll?"


def check_error(r: httpx.Response, status: int | None = None) -> dict:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if status is not None:
        assert r.status_code == status, r.text[:300]
    body = r.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    assert body["error"]["code"] and body["error"]["message"]
    assert "Traceback" not in r.text
    return body["error"]


def check_ask_response(body: dict, client: httpx.Client | None = None, base: str = "") -> None:
    assert {"answer", "abstained", "citations", "timings_ms"} <= set(body)
    assert isinstance(body["answer"], str) and body["answer"]
    assert isinstance(body["abstained"], bool)
    assert {"retrieve", "answer", "total"} <= set(body["timings_ms"])
    assert all(isinstance(v, (int, float)) and v >= 0 for v in body["timings_ms"].values())
    for n, c in enumerate(body["citations"], start=1):
        assert {"id", "source", "title", "start", "end", "text", "score"} <= set(c)
        assert c["id"] == n
        assert isinstance(c["start"], int) and isinstance(c["end"], int) and isinstance(c["score"], float)
        if client is not None:
            doc = client.get(f"{base}/api/documents/{c['source']}").json()
            assert doc["text"][c["start"] : c["end"]] == c["text"]
            assert doc["title"] == c["title"]


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=60) as c:
        yield c


def test_health_counts_documents_and_chunks(live_server, client, qa):
    r = client.get(f"{live_server}/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["documents"] == 4
    assert body["chunks"] == qa.index.counts()[1] > 4 * 10


def test_ask_returns_an_answer_with_exact_citations(live_server, client):
    r = client.post(f"{live_server}/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    check_ask_response(body, client, live_server)
    assert not body["abstained"]
    assert "136" in body["answer"]
    assert body["citations"] and body["citations"][0]["source"] == "000_7ca68f731093f7b2.txt"


def test_ask_with_history_and_top_k(live_server, client):
    history = [{"role": "user", "content": "Tell me about the ALLO-605 study"},
               {"role": "assistant", "content": "It is a phase 1/2 study of ALLO-605 in multiple myeloma."}]
    r = client.post(f"{live_server}/api/ask", json={"question": "How many participants will it enroll?",
                                                     "history": history, "top_k": 4})
    assert r.status_code == 200
    body = r.json()
    check_ask_response(body, client, live_server)
    assert not body["abstained"] and "136" in body["answer"]


def test_ask_abstains_over_http(live_server, client):
    r = client.post(f"{live_server}/api/ask", json={"question": "What is the price of ALLO-605?"})
    assert r.status_code == 200
    body = r.json()
    check_ask_response(body, client, live_server)
    assert body["abstained"] is True


def test_documents_list_has_titles_and_sizes(live_server, client):
    r = client.get(f"{live_server}/api/documents")
    assert r.status_code == 200
    docs = r.json()
    assert sorted(d["source"] for d in docs) == sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".txt")
    assert len(docs) == 4
    for d in docs:
        assert {"source", "title", "chars"} <= set(d)
        assert d["title"].strip()
        assert d["chars"] == len((CORPUS / d["source"]).read_text(encoding="utf-8"))
    by_source = {d["source"]: d for d in docs}
    assert "ALLO-605" in by_source["000_7ca68f731093f7b2.txt"]["title"]


def test_document_text_is_the_file_content_unchanged(live_server, client):
    source = "002_587be0cee96c5963.txt"
    r = client.get(f"{live_server}/api/documents/{source}")
    assert r.status_code == 200
    body = r.json()
    assert {"source", "title", "text"} <= set(body)
    assert body["source"] == source
    assert body["text"] == (CORPUS / source).read_text(encoding="utf-8")


@pytest.mark.parametrize("source", ["nope.txt", "000_7ca68f731093f7b2", "..%2Fpyproject.toml", "corpus/000_7ca68f731093f7b2.txt"])
def test_unknown_document_is_a_404_with_the_error_body(live_server, client, source):
    error = check_error(client.get(f"{live_server}/api/documents/{source}"), 404)
    assert error["code"] in {"document_not_found", "not_found"}


@pytest.mark.parametrize(("body", "word"), [
    ({"question": ""}, "question"),
    ({"question": "   "}, "question"),
    ({}, "question"),
    ({"question": 42}, "question"),
    ({"question": ["a", "list"]}, "question"),
    ({"question": "What phase is it?", "top_k": "many"}, "top_k"),
    ({"question": "What phase is it?", "history": [{"role": "robot", "content": "hi"}]}, "role"),
    ({"question": "What phase is it?", "temperature": 0}, "temperature"),
])
def test_bad_ask_request_gets_a_4xx_with_the_error_body(live_server, client, body, word):
    error = check_error(client.post(f"{live_server}/api/ask", json=body), 422)
    assert word in error["message"]


def test_malformed_json_gets_a_4xx_with_the_error_body(live_server, client):
    check_error(client.post(f"{live_server}/api/ask", content=b'{"question": ', headers={"content-type": "application/json"}))


def test_cli_ask_json_prints_the_same_response(live_server, client, corpus_settings):
    env = {**os.environ, "RAG_DATA_DIR": str(corpus_settings.data_dir), "RAG_CORPUS_DIR": str(CORPUS),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    rag = Path(sys.executable).with_name("rag")
    command = [str(rag)] if rag.exists() else [sys.executable, "-m", "rag.cli"]
    done = subprocess.run([*command, "ask", QUESTION, "--json"], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    body = json.loads(done.stdout)
    check_ask_response(body, client, live_server)
    served = client.post(f"{live_server}/api/ask", json={"question": QUESTION}).json()
    assert body["answer"] == served["answer"]
    assert body["abstained"] == served["abstained"]
    assert [(c["source"], c["start"], c["end"], c["text"]) for c in body["citations"]] == \
        [(c["source"], c["start"], c["end"], c["text"]) for c in served["citations"]]

