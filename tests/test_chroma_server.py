"""Chroma server mode (RAG_CHROMA_URL): a real `chroma run` on loopback holds the vectors, SQLite and
the keyword index stay under RAG_DATA_DIR, and the answers are the embedded store's, exactly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import CORPUS, ROOT, free_port, make_settings, serve_app

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).with_name("chroma")


def _gold_sample(step: int = 5) -> list[dict]:
    items = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text().splitlines() if line.strip()]
    return items[::step]


def _comparable(response) -> dict:
    body = response.model_dump(exclude={"timings_ms"})
    for c in body["citations"]:
        c["score"] = round(c["score"], 3)  # float noise between two HNSW builds
    return body


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory) -> Iterator[str]:
    """`chroma run` on a free loopback port with its own temporary path; ready once its heartbeat answers."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path.parent / "chroma-server.log", "wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma run did not start: {(path.parent / 'chroma-server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server_settings(chroma_server, tmp_path_factory):
    """corpus/ ingested with RAG_CHROMA_URL set."""
    from rag.cli import open_index
    from rag.ingest import ingest

    settings = make_settings(tmp_path_factory.mktemp("server-mode") / "data", chroma_url=chroma_server)
    report = ingest(open_index(settings, create=True, threads=os.cpu_count()), [CORPUS])
    assert report.added == 4 and not report.skipped, report.summary()
    return settings


def test_server_mode_gives_the_embedded_answers(server_settings, qa):
    from rag.cli import open_index
    from rag.pipeline import QA
    from rag.types import Turn

    served = QA(open_index(server_settings), server_settings)
    docs, chunks = served.index.counts()
    assert (docs, chunks) == qa.index.counts()
    assert served.index.vector_count() == chunks
    data_dir = server_settings.data_dir
    assert (data_dir / "index.sqlite").is_file() and any(data_dir.glob("keyword-*"))
    assert not (data_dir / "chroma").exists(), "server mode must not create the embedded store"

    sample = _gold_sample()
    assert len(sample) >= 20
    for item in sample:
        history = [Turn(**t) for t in item.get("history", [])]
        assert _comparable(served.ask(item["question"], history)) == _comparable(qa.ask(item["question"], history)), item["id"]
    assert sum(not qa.ask(i["question"]).abstained for i in sample) >= len(sample) // 2


def one_document_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "000_7ca68f731093f7b2.txt", corpus)  # one document keeps the ingests short
    return corpus


def test_wiped_server_gets_its_vectors_back(chroma_server, tmp_path):
    """The SQLite side survives a Chroma server that lost its data: the next ingest re-embeds."""
    import chromadb

    from rag.cli import open_index
    from rag.ingest import ingest, is_stale

    corpus = one_document_corpus(tmp_path)
    settings = make_settings(tmp_path / "data", chroma_url=chroma_server)
    index = open_index(settings, create=True)
    ingest(index, [corpus])
    host, port = chroma_server.rsplit("//", 1)[1].split(":")
    chromadb.HttpClient(host=host, port=int(port)).delete_collection(index.collection_name)

    index = open_index(settings)
    assert index.vector_count() == 0 and index.counts()[1] > 0
    assert is_stale(index, corpus)
    report = ingest(index, [corpus])
    assert report.missing_vectors == 1 and report.changed == 1 and report.unchanged == 0, report
    assert index.vector_count() == index.counts()[1]
    assert not is_stale(index, corpus)


def test_unreachable_server_is_a_clear_error(tmp_path):
    from rag.cli import open_index
    from rag.errors import RagError

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RagError, match="chroma run"):
        open_index(make_settings(tmp_path / "data", chroma_url=url), create=True)


def test_rag_serve_builds_and_answers_in_server_mode(chroma_server, server_settings, tmp_path, monkeypatch):
    """`rag serve` with RAG_CHROMA_URL and an empty data dir ingests the corpus first, then answers.
    It shares the server with the other tests' index, in a collection of its own. (uvicorn.run is
    replaced so the app `rag serve` built is served here, by the real uvicorn on loopback.)"""
    import uvicorn
    from typer.testing import CliRunner

    from rag.cli import app, open_index

    corpus = one_document_corpus(tmp_path)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RAG_CHROMA_URL", chroma_server)
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    built = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kwargs: built.append(application))
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 0, result.output
    assert "building it from" in result.stderr and chroma_server in result.stderr
    assert len(built) == 1

    with serve_app(built[0]) as url:
        health = httpx.get(f"{url}/api/health", timeout=10).json()
        assert health["documents"] == 1 and health["chunks"] > 0
        r = httpx.post(f"{url}/api/ask", json={"question": "How many participants will the ALLO-605 study enroll?"},
                       timeout=30)
        assert r.status_code == 200 and "136" in r.json()["answer"]

    other = open_index(server_settings)  # the index already on the server is untouched
    assert other.vector_count() == other.counts()[1] > 0
