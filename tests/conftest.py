"""Shared fixtures: a real index over corpus/ (real MiniLM, real Chroma) built once per session,
and a real uvicorn server on loopback. Every test gets its own RAG_* environment."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's RAG_* settings or writes to the project's .rag folder."""
    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "rag-data"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(CORPUS))


def make_settings(data_dir: Path, **overrides):
    from rag.settings import Settings

    return Settings(data_dir=data_dir, **{"corpus_dir": CORPUS, **overrides})


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory):
    """Settings whose data dir holds an index of corpus/, built once for the whole session."""
    from rag.cli import open_index
    from rag.ingest import ingest

    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    index = open_index(settings, create=True, threads=os.cpu_count())
    report = ingest(index, [CORPUS])
    assert report.added == 4 and not report.skipped, report
    return settings


@pytest.fixture(scope="session")
def qa(corpus_settings):
    from rag.cli import open_index
    from rag.pipeline import QA

    return QA(open_index(corpus_settings), corpus_settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(app) -> Iterator[str]:
    """Run an ASGI app under a real uvicorn server on loopback; yields its base URL."""
    import httpx
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise RuntimeError("server did not start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(qa, corpus_settings) -> Iterator[str]:
    from rag.api import create_app

    with serve_app(create_app(corpus_settings, qa)) as url:
        yield url
