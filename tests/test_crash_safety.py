"""An ingest killed at any point leaves an index the next ingest repairs and completes: every SQLite
chunk has exactly one vector and every vector a chunk, and no file is lost. One ingest at a time
writes to a data dir. Real `rag ingest` processes, real Chroma, real SQLite."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from conftest import make_settings

pytestmark = pytest.mark.slow

RAG = Path(sys.executable).with_name("rag")
N_FILES = 40


def write_notes(folder: Path, n: int = N_FILES, lines: int = 8, first: int = 0) -> None:
    """Small text files, each one station's readings: a chunk per line, plus the title."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + n):
        rows = "\n".join(f"Station {i}-{j} recorded a reading of {(i * 37 + j * 11) % 900 + 100} units on day {j + 1}."
                         for j in range(lines))
        (folder / f"station_{i:02d}.txt").write_text(f"Field notes from station {i}\n\n{rows}\n", encoding="utf-8")


def assert_consistent(settings, folder: Path) -> None:
    """SQLite and Chroma agree id for id, the keyword index covers the same chunks, and every file is indexed."""
    from rag.cli import open_index

    index = open_index(settings)
    sql_ids = [i for (i,) in index.db.execute("SELECT id FROM chunks")]
    assert len(sql_ids) == len(set(sql_ids)), "duplicate chunk ids in SQLite"
    vector_ids = index.vector_ids()
    assert index.vector_count() == len(sql_ids) == len(vector_ids)
    assert set(sql_ids) == vector_ids, "SQLite chunks and Chroma vectors differ"
    assert sorted(index.keyword.ids) == sorted(sql_ids), "keyword index and SQLite differ"
    wanted = {p.name for p in folder.glob("*.txt")}
    assert set(index.manifest()) == wanted, "not every file was indexed"
    orphan_docs = index.db.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                                   "(SELECT 1 FROM chunks c WHERE c.source = d.source)").fetchone()[0]
    assert orphan_docs == 0
    assert index.meta("ingest_in_progress") == "0"


def _documents_in(db_path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.2)) as db:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def test_kill_9_mid_ingest_then_rerun_completes_a_consistent_index(tmp_path):
    from rag.ingest import EMBED_BATCH_CHUNKS

    folder, data = tmp_path / "notes", tmp_path / "data"
    write_notes(folder, lines=max(4, 3 * EMBED_BATCH_CHUNKS // (2 * N_FILES)))  # two embedding batches, ~1.5 of them
    env = {**os.environ, "RAG_DATA_DIR": str(data)}
    proc = subprocess.Popen([str(RAG), "ingest", str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    written, deadline = 0, time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        written = _documents_in(data / "index.sqlite")
        if written:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the ingest ended before it could be killed (rc {proc.returncode})"
    assert 0 < written < N_FILES, written
    with closing(sqlite3.connect(data / "index.sqlite")) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'ingest_in_progress'").fetchone() == ("1",)

    from rag.cli import open_index
    from rag.ingest import ingest

    settings = make_settings(data)
    # lock_timeout=0: the killed ingest's lock must have died with it
    report = ingest(open_index(settings), [folder], lock_timeout=0)
    assert (report.added, report.changed, report.unchanged) == (N_FILES - written, 0, written), report
    assert_consistent(settings, folder)


class Killed(BaseException):
    """Stands in for kill -9 at a chosen point: nothing after it runs, no cleanup either."""


class DiesAtCommit:
    """An Index's SQLite connection that dies when a write transaction begins."""

    def __init__(self, db) -> None:
        self.db = db

    def execute(self, sql: str, *args):
        if sql.startswith("BEGIN"):
            raise Killed
        return self.db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.db, name)


def test_vectors_written_but_never_committed_are_dropped(tmp_path):
    from rag.cli import open_index
    from rag.ingest import ingest

    folder = tmp_path / "notes"
    write_notes(folder, n=6, lines=4)
    settings = make_settings(tmp_path / "data")
    doomed = open_index(settings, create=True)
    doomed.db = DiesAtCommit(doomed.db)
    with pytest.raises(Killed):
        ingest(doomed, [folder])

    index = open_index(settings)
    assert index.counts() == (0, 0) and index.vector_count() > 0, "the simulated crash should leave stray vectors"
    report = ingest(index, [folder])
    assert report.stray_vectors == index.counts()[1] and report.added == 6, report
    assert_consistent(settings, folder)


def test_commit_without_keyword_rebuild_is_finished_by_the_next_ingest(tmp_path, monkeypatch):
    """Killed after the last batch committed but before the keyword index was rebuilt: the rerun finds
    nothing to embed, yet must still rebuild the keyword index over the committed documents."""
    from rag.cli import open_index
    from rag.ingest import ingest
    from rag.store import Index

    folder = tmp_path / "notes"
    write_notes(folder, n=4, lines=4)
    settings = make_settings(tmp_path / "data")
    ingest(open_index(settings, create=True), [folder])
    write_notes(folder, n=3, lines=4, first=50)

    def killed(self):
        raise Killed

    rebuild = Index.rebuild_keyword_index
    monkeypatch.setattr(Index, "rebuild_keyword_index", killed)
    with pytest.raises(Killed):
        ingest(open_index(settings), [folder])
    monkeypatch.setattr(Index, "rebuild_keyword_index", rebuild)

    index = open_index(settings)
    assert len(index.manifest()) == 7 and len(index.keyword.ids) < index.counts()[1]
    report = ingest(index, [folder])
    assert (report.added, report.unchanged) == (0, 7), report
    assert_consistent(settings, folder)


def test_a_second_ingest_waits_for_the_first(tmp_path, monkeypatch):
    """`rag ingest` waits, and says so, while another ingest holds the data dir; then it runs. The
    library can time out instead. (flock excludes two open files in one process as it does two
    processes; the kill -9 test above shows the OS releasing a dead holder's lock.)"""
    import rag.ingest as ingest_module
    from rag.cli import open_index
    from rag.errors import RagError

    folder, data = tmp_path / "notes", tmp_path / "data"
    write_notes(folder, n=3, lines=3)
    monkeypatch.setenv("RAG_DATA_DIR", str(data))
    settings = make_settings(data)
    index = open_index(settings, create=True)

    held, waiting = threading.Event(), threading.Event()
    counts_at_release = []

    def hold_lock():  # another ingest, as far as the lock can tell; it finishes once the CLI waits
        with ingest_module.ingest_lock(data):
            held.set()
            waiting.wait(60)
            time.sleep(0.5)
            counts_at_release.append(index.counts())

    real_ingest = ingest_module.ingest

    def ingest_noting_the_wait(*args, on_wait=None, **kwargs):
        def wait(message):
            on_wait(message)
            waiting.set()
        return real_ingest(*args, on_wait=wait, **kwargs)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert held.wait(10)
        assert (data / "ingest.lock").read_text() == str(os.getpid())
        started = time.monotonic()
        with pytest.raises(RagError, match="Another ingest"):
            ingest_module.ingest(index, [folder], lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5
        assert index.counts() == (0, 0)

        monkeypatch.setattr(ingest_module, "ingest", ingest_noting_the_wait)
        from rag.cli import app
        from typer.testing import CliRunner

        result = CliRunner().invoke(app, ["ingest", str(folder)])
    finally:
        waiting.set()
        holder.join()
    assert result.exit_code == 0, result.output
    assert f"Another ingest (pid {os.getpid()}) is writing to {data}; waiting for it to finish" in result.stderr
    assert counts_at_release == [(0, 0)], "nothing may be written while the other ingest holds the lock"
    assert result.stdout.strip().splitlines()[-1].startswith("3 added"), result.stdout
    assert_consistent(settings, folder)
