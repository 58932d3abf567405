"""Incremental ingestion: load → chunk → embed → store, keyed on content hashes.

Unchanged files are skipped, changed files replaced, files gone from disk removed. Bad files are
skipped with a reason and the rest still ingests. One ingest at a time writes to a data dir (a lock
file), and an ingest killed at any point leaves an index the next ingest repairs and completes.
"""

from __future__ import annotations

import fcntl
import inspect
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import chunk as chunk_module
from . import load as load_module
from . import load_ctgov
from .chunk import chunk_document
from .errors import RagError, UnsupportedFile
from .load import file_hash, load_bytes, read_file, supported
from .store import DERIVED_VERSION, Index, code_stamp, embedding_text
from .types import Chunk, Document

# A stamp of the code that turns a file into chunks (and so into vectors): when loading or chunking
# changes, every file counts as changed and is embedded again (no version number to forget).
# Tokenising and entity finding only feed the keyword and entity indexes, which are rebuilt from
# the stored chunks when their code changes (store.DERIVED_VERSION), without re-embedding.
CHUNKER_VERSION = code_stamp("chunks", (load_module, load_ctgov, chunk_module), extra=inspect.getsource(embedding_text))
EMBED_BATCH_CHUNKS = 256  # per flush: one Chroma write, one SQLite transaction; a kill loses at most this much work
PARALLEL_PARSE_MIN_FILES = 64
LOCK_FILE = "ingest.lock"


@dataclass
class IngestReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    found: int = 0  # supported files found under the given paths
    stray_vectors: int = 0  # in Chroma but not SQLite: left by an interrupted ingest, dropped
    missing_vectors: int = 0  # documents with chunks Chroma had no vector for, embedded again

    def summary(self) -> str:
        line = (
            f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged, {self.removed} removed, "
            f"{len(self.skipped)} skipped; {self.chunks} chunks embedded in {self.seconds:.1f}s"
        )
        return line


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    root: str


@dataclass(frozen=True)
class Parsed:
    item: SourceFile
    doc: Document | None = None
    chunks: list[Chunk] = field(default_factory=list)
    reason: str = ""  # why doc is None
    gone: bool = False  # deleted between discovery and reading


def discover(paths: Sequence[Path]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    files, problems = [], []
    for given in paths:
        if not given.exists():
            problems.append((str(given), "no such file or folder"))
            continue
        if given.is_file():
            files.append(SourceFile(given, given.name, str(given.parent.resolve())))
            continue
        root = given.resolve()
        for path in sorted(given.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(given).parts):
                if supported(path):
                    files.append(SourceFile(path, path.relative_to(given).as_posix(), str(root)))
    return files, problems


def stamp(data: bytes) -> str:
    return f"{file_hash(data)}:{CHUNKER_VERSION}"


def _parse(item: SourceFile) -> Parsed:
    try:
        data = read_file(item.path, item.source)  # read once: the hash always matches the text indexed
        doc = load_bytes(item.source, item.path.suffix, data)
        doc = Document(doc.source, doc.title, doc.text, stamp(data), {**doc.metadata, "root": item.root}, doc.pages)
        return Parsed(item, doc, chunk_document(doc))
    except UnsupportedFile as exc:
        return Parsed(item, reason=exc.reason)
    except FileNotFoundError:
        return Parsed(item, reason="it was deleted before it could be read", gone=True)
    except Exception as exc:  # a loader's library choked on a bad file; one file must not stop the rest
        return Parsed(item, reason=f"could not be read ({exc.__class__.__name__}: {exc})")


def _parse_all(items: list[SourceFile], workers: int) -> Iterable[Parsed]:
    if len(items) < PARALLEL_PARSE_MIN_FILES or workers <= 1:
        yield from map(_parse, items)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_parse, items, chunksize=16)


@contextmanager
def ingest_lock(data_dir: Path, timeout: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the data dir's ingest lock; wait for another ingest to finish (up to `timeout` seconds,
    None: as long as it takes). stdlib flock rather than a library: the OS releases it when its
    holder dies, even by kill -9, so a crashed ingest never leaves a stale lock behind."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            if on_wait:
                on_wait(f"Another ingest (pid {holder}) is writing to {data_dir}; waiting for it to finish ...")
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                time.sleep(0.2)
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise RagError(
                            f"Another ingest (pid {holder}) is still writing to {data_dir} after {timeout:.0f}s. "
                            "Wait for it to finish and run this one again."
                        ) from None
        f.truncate(0)
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)


def ingest(
    index: Index,
    paths: Sequence[Path],
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the index in line with `paths`. Waits for any other ingest into the same data dir."""
    with ingest_lock(index.dir, lock_timeout, on_wait):
        return _ingest(index, paths, rebuild, progress)


def _ingest(index: Index, paths: Sequence[Path], rebuild: bool,
            progress: Callable[[int, int], None] | None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    files, problems = discover(paths)
    report.found = len(files)
    report.skipped.extend(problems)

    # An earlier ingest died mid-way, or Chroma lost or gained vectors behind our back (a wiped or
    # different Chroma server): make Chroma agree with SQLite, and re-embed what lacks vectors.
    interrupted = index.meta("ingest_in_progress") == "1"
    redo: set[str] = set()
    if interrupted or index.vector_count() != index.counts()[1]:
        report.stray_vectors, redo = index.reconcile()
        report.missing_vectors = len(redo)
    index.set_meta("ingest_in_progress", "1")

    manifest = index.manifest()
    roots = {f.root for f in files} | {str(p.resolve()) for p in paths if p.is_dir()}
    seen = {f.source for f in files}
    for source, root in index.document_roots().items():
        if root in roots and source not in seen:
            index.delete_document(source)
            report.removed += 1

    todo = []
    for f in files:
        try:
            current = stamp(f.path.read_bytes()) if f.path.stat().st_size <= 200_000_000 else "too-big"
        except FileNotFoundError:
            current = "gone"  # deleted since discovery: _parse reports it
        except OSError as exc:
            report.skipped.append((f.source, f"could not be read ({exc})"))
            continue
        if not rebuild and manifest.get(f.source) == current and f.source not in redo:
            report.unchanged += 1
        else:
            todo.append(f)

    pending: list[tuple[Document, list[Chunk]]] = []
    done = 0

    def flush() -> None:
        nonlocal pending
        texts = [embedding_text(doc.title, c) for doc, chunks in pending for c in chunks]
        index.replace_documents(pending, index.embeddings.embed_array(texts))
        for doc, chunks in pending:
            if doc.source in manifest:
                report.changed += 1
            else:
                report.added += 1
            report.chunks += len(chunks)
        pending = []

    def drop_old(source: str) -> bool:
        """A file that can no longer be indexed takes its previous version out of the index."""
        if source in manifest:
            index.delete_document(source)
            report.removed += 1
            return True
        return False

    workers = max(1, (os.cpu_count() or 1))
    for parsed in _parse_all(todo, workers):
        done += 1
        source = parsed.item.source
        if parsed.gone:
            if not drop_old(source):
                report.skipped.append((source, parsed.reason))
        elif parsed.doc is None or not parsed.chunks:
            reason = parsed.reason or "no text to index after parsing"
            if drop_old(source):
                reason += "; its previous version was removed from the index"
            report.skipped.append((source, reason))
        else:
            pending.append((parsed.doc, parsed.chunks))
            if sum(len(c) for _, c in pending) >= EMBED_BATCH_CHUNKS:
                flush()
        if progress:
            progress(done, len(todo))
    if pending:
        flush()

    if (report.added or report.changed or report.removed or interrupted or redo
            or index.meta("keyword_version", "0") == "0" or index.meta("derived_version") != DERIVED_VERSION):
        index.rebuild_keyword_index()
    index.set_meta("ingest_in_progress", "0")
    report.seconds = time.perf_counter() - started
    return report


def is_stale(index: Index, corpus_dir: Path) -> bool:
    """True when the corpus folder and the index disagree (new, changed or deleted files), or the
    index needs repair (an interrupted ingest, vectors missing from Chroma)."""
    try:
        files, _ = discover([corpus_dir])
    except (RagError, OSError):
        return True
    if index.meta("ingest_in_progress") == "1" or index.vector_count() != index.counts()[1]:
        return True
    if index.meta("derived_version") != DERIVED_VERSION:  # keyword or entity code changed: rebuild those
        return True
    manifest = index.manifest()
    root = str(corpus_dir.resolve())
    indexed = {s for s, r in index.document_roots().items() if r == root}
    if indexed != {f.source for f in files}:
        return True
    try:
        return any(manifest.get(f.source) != stamp(f.path.read_bytes()) for f in files)
    except OSError:
        return True
