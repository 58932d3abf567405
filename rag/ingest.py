"""Incremental ingestion: load → chunk → embed → store, keyed on content hashes.

Unchanged files are skipped, changed files replaced, files gone from disk removed. Bad files are
skipped with a reason and the rest still ingests.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .chunk import chunk_document
from .errors import RagError, UnsupportedFile
from .load import file_hash, load_file, supported
from .store import Index, embedding_text
from .types import Chunk, Document

CHUNKER_VERSION = "chunk-v1"
EMBED_BATCH_CHUNKS = 1024
PARALLEL_PARSE_MIN_FILES = 64


@dataclass
class IngestReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)

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


def _parse(item: SourceFile) -> tuple[SourceFile, Document | None, list[Chunk], str]:
    try:
        doc = load_file(item.path, item.source)
        doc = Document(doc.source, doc.title, doc.text, stamp(item.path.read_bytes()),
                       {**doc.metadata, "root": item.root}, doc.pages)
        return item, doc, chunk_document(doc), ""
    except UnsupportedFile as exc:
        return item, None, [], exc.reason
    except (OSError, ValueError, RecursionError) as exc:  # a loader's library choked on a bad file
        return item, None, [], f"could not be read ({exc.__class__.__name__}: {exc})"


def _parse_all(items: list[SourceFile], workers: int) -> Iterable[tuple[SourceFile, Document | None, list[Chunk], str]]:
    if len(items) < PARALLEL_PARSE_MIN_FILES or workers <= 1:
        yield from map(_parse, items)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_parse, items, chunksize=16)


def ingest(
    index: Index,
    paths: Sequence[Path],
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    files, problems = discover(paths)
    report.skipped.extend(problems)
    if index.meta("ingest_in_progress") == "1":
        index.remove_orphan_vectors()
    index.set_meta("ingest_in_progress", "1")

    manifest = index.manifest()
    roots = {f.root for f in files} | {str(p.resolve()) for p in paths if p.is_dir()}
    seen = {f.source for f in files}
    for source in list(manifest):
        doc_root = index.document(source).metadata.get("root", "")
        if doc_root in roots and source not in seen:
            index.delete_document(source)
            report.removed += 1

    todo = []
    for f in files:
        try:
            current = stamp(f.path.read_bytes()) if f.path.stat().st_size <= 200_000_000 else "too-big"
        except OSError as exc:
            report.skipped.append((f.source, f"could not be read ({exc})"))
            continue
        if not rebuild and manifest.get(f.source) == current:
            report.unchanged += 1
        else:
            todo.append(f)

    pending: list[tuple[Document, list[Chunk]]] = []
    done = 0

    def flush() -> None:
        nonlocal pending
        texts = [embedding_text(doc.title, c) for doc, chunks in pending for c in chunks]
        vectors = index.embeddings.embed_array(texts)
        pos = 0
        for doc, chunks in pending:
            index.replace_document(doc, chunks, vectors[pos : pos + len(chunks)])
            pos += len(chunks)
            if doc.source in manifest:
                report.changed += 1
            else:
                report.added += 1
            report.chunks += len(chunks)
        pending = []

    workers = max(1, (os.cpu_count() or 1))
    for item, doc, chunks, reason in _parse_all(todo, workers):
        done += 1
        if doc is None:
            report.skipped.append((item.source, reason))
        elif not chunks:
            report.skipped.append((item.source, "no text to index after parsing"))
        else:
            pending.append((doc, chunks))
            if sum(len(c) for _, c in pending) >= EMBED_BATCH_CHUNKS:
                flush()
        if progress:
            progress(done, len(todo))
    if pending:
        flush()

    if report.added or report.changed or report.removed or index.meta("keyword_version", "0") == "0":
        index.rebuild_keyword_index()
    index.set_meta("ingest_in_progress", "0")
    report.seconds = time.perf_counter() - started
    return report


def is_stale(index: Index, corpus_dir: Path) -> bool:
    """True when the corpus folder and the index disagree (new, changed or deleted files)."""
    try:
        files, _ = discover([corpus_dir])
    except RagError:
        return True
    manifest = index.manifest()
    root = str(corpus_dir.resolve())
    indexed = {s for s in manifest if index.document(s).metadata.get("root") == root}
    if indexed != {f.source for f in files}:
        return True
    return any(manifest.get(f.source) != stamp(f.path.read_bytes()) for f in files)
