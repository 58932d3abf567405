"""The index: documents and chunks in SQLite (the source of truth for text and offsets), chunk
vectors in Chroma, and a bm25s keyword index over the same chunks."""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from . import entities as entities_module
from . import text as text_module
from .entities import learn_trial_names, mentions
from .errors import DocumentNotFound, IndexNotBuilt, ModelMismatch, RagError
from .settings import Settings
from .text import tokens
from .types import Chunk, Document


def code_stamp(prefix: str, modules, extra: str = "") -> str:
    """A short hash of the modules' source: changes whenever the code that produced something does."""
    source = "".join(inspect.getsource(m) for m in modules) + extra
    return f"{prefix}-{hashlib.sha256(source.encode()).hexdigest()[:12]}"


# The keyword index, learned trial names and the entity table are derived from stored chunks by
# this code, in this layout; when either changes they are rebuilt (vectors are not touched).
KEYWORD_LAYOUT = "2"  # 2: the corpus folder's own keyword index inside the whole one (OWN_KEYWORD)
DERIVED_VERSION = code_stamp("derived", (text_module, entities_module), KEYWORD_LAYOUT)
OWN_KEYWORD = "corpus"
COLLECTION = "chunks"
CHROMA_BATCH = 4000
DIRECT_MAX_SOURCES = 50  # a dense search over at most this many documents ...
DIRECT_MAX_CHUNKS = 3000  # ... and chunks scores their vectors directly instead of asking Chroma

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, title TEXT NOT NULL, hash TEXT NOT NULL, text TEXT NOT NULL,
    chars INTEGER NOT NULL, metadata TEXT NOT NULL DEFAULT '{}', pages TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, ordinal INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, heading TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks (source, ordinal);
CREATE TABLE IF NOT EXISTS entity_docs (key TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (key, source)) WITHOUT ROWID;
"""


def embedding_text(title: str, chunk: Chunk) -> str:
    """What the models see for a chunk: the chunk in the context of its document and section."""
    return "\n".join(p for p in (chunk.heading, chunk.text) if p)


def chroma_client(settings: Settings, fresh: bool = False):
    """A Chroma server client when settings.chroma_url is set, else the embedded store under data_dir.
    `fresh` gives the embedded store a new in-process view of what is on disk (see Index.keyword)."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise RagError(f"RAG_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise RagError(
                f"Cannot reach the Chroma server at RAG_CHROMA_URL={settings.chroma_url} ({exc}). Start it with "
                f"`chroma run --path DIR --host {url.hostname} --port {url.port or 8000}`, or unset RAG_CHROMA_URL "
                "to use the embedded store."
            ) from None
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        # Clients are cached per path; existing collections keep their own handle and keep working.
        SharedSystemClient.clear_system_cache()
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class KeywordIndex:
    """bm25s over chunk tokens (title, heading and text), saved beside the SQLite store. Chunks are
    indexed in (source, ordinal) order, so each document is one run of positions (`spans`), which
    lets a search be limited to some documents with a weight mask."""

    def __init__(self, retriever, ids: list[str], df: dict[str, int] | None = None,
                 spans: dict[str, tuple[int, int]] | None = None, own: KeywordIndex | None = None) -> None:
        self.retriever = retriever
        self.ids = ids
        self.vocab = set(retriever.vocab_dict) if retriever is not None else set()
        self.df = df or {}
        self.spans = spans or {}
        # the corpus folder's documents on their own, when the index holds others too (a registry):
        # searches within them score with the corpus' own term statistics, as if nothing else were indexed
        self.own = own

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str]]) -> "KeywordIndex":
        """rows: (chunk id, source, text to index), grouped by source."""
        import bm25s

        ids, corpus, df, spans = [], [], {}, {}
        for chunk_id, source, text in rows:
            lo, _ = spans.get(source, (len(ids), 0))
            spans[source] = (lo, len(ids) + 1)
            ids.append(chunk_id)
            toks = tokens(text) or ["_empty_"]
            corpus.append(toks)
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        if not ids:
            return cls(None, [])
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(retriever, ids, df, spans)

    def save(self, directory: Path) -> None:
        """Written beside `directory` and renamed into place, so nobody reads a half-written index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        (tmp / "df.json").write_text(json.dumps(self.df))
        (tmp / "spans.json").write_text(json.dumps(self.spans))
        if self.own is not None:
            self.own.save(tmp / OWN_KEYWORD)
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)

    @classmethod
    def load(cls, directory: Path) -> "KeywordIndex":
        import bm25s

        ids = json.loads((directory / "ids.json").read_text())
        retriever = bm25s.BM25.load(str(directory), show_progress=False) if ids else None
        spans_file = directory / "spans.json"
        spans = {s: tuple(r) for s, r in json.loads(spans_file.read_text()).items()} if spans_file.exists() else None
        own = cls.load(directory / OWN_KEYWORD) if (directory / OWN_KEYWORD).is_dir() else None
        return cls(retriever, ids, json.loads((directory / "df.json").read_text()), spans, own)

    def search(self, query_tokens: Sequence[str], k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, score); with `sources`, only chunks of those documents."""
        if self.own is not None and sources is not None and sources <= self.own.spans.keys():
            return self.own.search(query_tokens, k, sources)
        known = [t for t in query_tokens if t in self.vocab]
        if not known or self.retriever is None:
            return []
        mask = None
        if sources is not None and not self.spans:  # built before spans were kept: the caller filters
            k *= 20
        elif sources is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            for source in sources:
                lo, hi = self.spans.get(source, (0, 0))
                mask[lo:hi] = 1.0
            if not mask.any():
                return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve([known], k=k, show_progress=False, n_threads=1, weight_mask=mask)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


def _matches(value, wanted: str) -> bool:
    if isinstance(value, list):
        return any(str(v).casefold() == wanted for v in value)
    return value is not None and str(value).casefold() == wanted


class Index:
    """Opens (or creates) the store under settings.data_dir. One instance per process."""

    def __init__(self, settings: Settings, embeddings, create: bool = False) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.dir = settings.data_dir
        db_path = self.dir / "index.sqlite"
        if not create and not db_path.exists():
            raise IndexNotBuilt(str(self.dir))
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._check_model(create)
        self.collection_name = self._collection_name()
        self.collection = self._open_collection()
        self._keyword: KeywordIndex | None = None
        self._keyword_version = ""
        self._written_version = ""  # the keyword_version this process wrote, if any
        self._chunks: dict[str, Chunk] = {}
        self._matching: dict[tuple, set[str]] = {}
        self._count_cache: tuple[tuple[int, int], int] | None = None
        self._data_version = -1

    def _collection_name(self) -> str:
        """The embedded store belongs to this data dir alone. A Chroma server may hold many indexes
        (and a copy of a data dir shares its vectors): each gets a collection named by an id kept
        in SQLite, so one index never sees, or cleans up, another's vectors."""
        if not self.settings.chroma_url:
            return COLLECTION
        index_id = self.meta("index_id")
        if not index_id:
            index_id = uuid.uuid4().hex[:16]
            self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('index_id', ?)", (index_id,))
            index_id = self.meta("index_id")
        return f"{COLLECTION}-{index_id}"

    def _open_collection(self, fresh: bool = False):
        collection = chroma_client(self.settings, fresh).get_or_create_collection(
            self.collection_name, metadata={"hnsw:space": "cosine", "embedding_model": self.embeddings.model_id},
            embedding_function=None,
        )
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embeddings.model_id:
            raise ModelMismatch(self.settings.chroma_url or str(self.dir), built_with, self.embeddings.model_id)
        return collection

    # --- metadata -------------------------------------------------------------------------
    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _check_model(self, create: bool) -> None:
        built_with = self.meta("embedding_model")
        if built_with and built_with != self.embeddings.model_id:
            raise ModelMismatch(str(self.dir), built_with, self.embeddings.model_id)
        if not built_with:
            self.set_meta("embedding_model", self.embeddings.model_id)

    # --- documents --------------------------------------------------------------------------
    def manifest(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT source, hash FROM documents").fetchall())

    def list_documents(self) -> list[dict]:
        rows = self.db.execute("SELECT source, title, chars FROM documents ORDER BY source").fetchall()
        return [{"source": s, "title": t, "chars": c} for s, t, c in rows]

    def document(self, source: str) -> Document:
        row = self.db.execute(
            "SELECT source, title, text, hash, metadata, pages FROM documents WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            raise DocumentNotFound(source)
        pages = tuple(tuple(p) for p in json.loads(row[5]))
        return Document(row[0], row[1], row[2], row[3], json.loads(row[4]), pages)

    def titles(self, sources: Iterable[str]) -> dict[str, str]:
        sources = list(set(sources))
        if not sources:
            return {}
        marks = ",".join("?" * len(sources))
        return dict(self.db.execute(f"SELECT source, title FROM documents WHERE source IN ({marks})", sources))

    def counts(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return docs, chunks

    def document_roots(self) -> dict[str, str]:
        """source → the folder it was ingested from, without reading the documents' text."""
        rows = self.db.execute("SELECT source, json_extract(metadata, '$.root') FROM documents")
        return {source: root or "" for source, root in rows}

    # --- chunks ------------------------------------------------------------------------------
    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id, texts sliced from their documents. Ids no longer indexed are left out."""
        data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if data_version != self._data_version:  # another process committed: cached texts may be stale
            self._chunks.clear()
            self._data_version = data_version
        found = {i: self._chunks[i] for i in ids if i in self._chunks}
        missing = [i for i in ids if i not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = self.db.execute(
                f'SELECT c.id, c.source, c.ordinal, c.start, c."end", c.heading, c.kind, '
                f'substr(d.text, c.start + 1, c."end" - c.start) FROM chunks c JOIN documents d '
                f"ON d.source = c.source WHERE c.id IN ({marks})",
                missing,
            ).fetchall()
            for cid, src, ordinal, start, end, heading, kind, text in rows:
                chunk = Chunk(src, start, end, text, ordinal, heading, kind)
                found[cid] = chunk
                if len(self._chunks) < 200_000:
                    self._chunks[cid] = chunk
        return found

    def document_chunks(self, source: str) -> list[Chunk]:
        doc = self.document(source)
        rows = self.db.execute(
            'SELECT ordinal, start, "end", heading, kind FROM chunks WHERE source = ? ORDER BY ordinal', (source,)
        ).fetchall()
        return [Chunk(source, s, e, doc.text[s:e], o, h, k) for o, s, e, h, k in rows]

    # --- writing -----------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def replace_documents(self, docs: Sequence[tuple[Document, Sequence[Chunk]]], vectors: np.ndarray) -> None:
        """Store documents with their chunks; `vectors` holds one row per chunk, in order.

        Crash-safe: vectors go in first under deterministic ids and SQLite commits last, in one
        transaction, so a crash leaves the old manifest entries (the next ingest redoes these
        documents) and vectors SQLite does not know (`reconcile` drops them). One Chroma write per
        batch of documents rather than per document: each write costs tens of milliseconds."""
        if not docs:
            return
        chunks = [c for _, doc_chunks in docs for c in doc_chunks]
        sources = [doc.source for doc, _ in docs]
        with self._lock:
            # only documents SQLite knows can have vectors: an interrupted ingest's strays were
            # dropped by `reconcile` first, and a metadata filter over the whole collection costs
            # tens of milliseconds per batch on a large index
            old_ids = self.chunk_ids(sources)
            for lo in range(0, len(old_ids), CHROMA_BATCH):
                self.collection.delete(ids=old_ids[lo : lo + CHROMA_BATCH])
            for lo in range(0, len(chunks), CHROMA_BATCH):
                batch = chunks[lo : lo + CHROMA_BATCH]
                self.collection.upsert(
                    ids=[c.id for c in batch],
                    embeddings=vectors[lo : lo + len(batch)],
                    # no documents: the texts live in SQLite, and Chroma's full-text indexing of
                    # them cost more than half of each write
                    metadatas=[{"source": c.source, "start": c.start, "end": c.end, "ordinal": c.ordinal} for c in batch],
                )
            with self._transaction():
                self.db.executemany("DELETE FROM chunks WHERE source = ?", [(s,) for s in sources])
                self.db.executemany("DELETE FROM documents WHERE source = ?", [(s,) for s in sources])
                self.db.executemany(
                    "INSERT INTO documents (source, title, hash, text, chars, metadata, pages) VALUES (?,?,?,?,?,?,?)",
                    [(doc.source, doc.title, doc.content_hash, doc.text, len(doc.text), json.dumps(doc.metadata),
                      json.dumps(doc.pages)) for doc, _ in docs],
                )
                self.db.executemany(
                    'INSERT INTO chunks (id, source, ordinal, start, "end", heading, kind) VALUES (?,?,?,?,?,?,?)',
                    [(c.id, c.source, c.ordinal, c.start, c.end, c.heading, c.kind) for c in chunks],
                )
            self._chunks.clear()

    def replace_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self.replace_documents([(doc, chunks)], vectors)

    def delete_document(self, source: str) -> None:
        with self._lock:
            self.collection.delete(where={"source": source})
            with self._transaction():
                self.db.execute("DELETE FROM chunks WHERE source = ?", (source,))
                self.db.execute("DELETE FROM documents WHERE source = ?", (source,))
            self._chunks.clear()

    def vector_ids(self) -> set[str]:
        ids, offset, page = set(), 0, 20_000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)
            ids.update(got["ids"])
            if len(got["ids"]) < page:
                return ids
            offset += page

    def vector_count(self) -> int:
        return self.collection.count()

    def _vector_total(self) -> int:
        """collection.count() costs milliseconds at scale: cached until SQLite says something was
        committed (by any process; every vector write goes with one)."""
        version = (self.db.execute("PRAGMA data_version").fetchone()[0], self.db.total_changes)
        if self._count_cache is None or self._count_cache[0] != version:
            self._count_cache = (version, self.collection.count())
        return self._count_cache[1]

    def reconcile(self) -> tuple[int, set[str]]:
        """Make Chroma agree with SQLite after an interrupted ingest (or a Chroma server that was
        wiped or swapped): drop vectors whose chunk never reached SQLite, and return the documents
        that have chunks without a vector, for the ingest to embed again."""
        with self._lock:
            known = dict(self.db.execute("SELECT id, source FROM chunks"))
            stored = self.vector_ids()
            orphans = sorted(stored - known.keys())
            for lo in range(0, len(orphans), CHROMA_BATCH):
                self.collection.delete(ids=orphans[lo : lo + CHROMA_BATCH])
            return len(orphans), {known[i] for i in known.keys() - stored}

    def remove_orphan_vectors(self) -> int:
        return self.reconcile()[0]

    def rebuild_keyword_index(self) -> None:
        """Each build goes to its own folder, named by version, and the version is committed last:
        a reader never sees a half-written or half-replaced keyword index."""
        rows = self.db.execute(
            "SELECT c.id, c.source, coalesce(json_extract(d.metadata, '$.root'), '') = ?, d.title, c.heading, "
            'substr(d.text, c.start + 1, c."end" - c.start) '
            "FROM chunks c JOIN documents d ON d.source = c.source ORDER BY c.source, c.ordinal",
            (str(self.settings.corpus_dir.resolve()),),
        )
        own_rows: list[tuple[str, str, str]] = []

        def indexed() -> Iterator[tuple[str, str, str]]:
            for cid, source, in_corpus, title, heading, text in rows:
                row = (cid, source, f"{title}\n{heading}\n{text}")
                if in_corpus:
                    own_rows.append(row)
                yield row

        index = KeywordIndex.build(indexed())
        if own_rows and len(own_rows) < len(index.ids):
            index.own = KeywordIndex.build(own_rows)
        previous = int(self.meta("keyword_version", "0"))
        version = str(previous + 1)
        index.save(self.dir / f"keyword-{version}")
        texts = (t for (t,) in self.db.execute("SELECT text FROM documents"))
        names = learn_trial_names(texts)
        named = [(e.key, source) for source, text in self.db.execute("SELECT source, text FROM documents")
                 for e in mentions(text, names)]
        with self._transaction():
            self.db.execute("DELETE FROM entity_docs")
            self.db.executemany("INSERT OR IGNORE INTO entity_docs (key, source) VALUES (?, ?)", named)
            self.set_meta("trial_names", json.dumps(sorted(names)))
            self.set_meta("derived_version", DERIVED_VERSION)
            self.set_meta("keyword_version", version)
        self._written_version = version
        # keep the previous build for readers still loading it; older ones (and pre-versioned
        # "keyword" folders, leftovers of interrupted saves) go
        keep = {f"keyword-{version}", f"keyword-{previous}"}
        for path in self.dir.glob("keyword*"):
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _load_keyword(self, version: str) -> KeywordIndex:
        for path in (self.dir / f"keyword-{version}", self.dir / "keyword"):  # "keyword": built before versions
            if path.is_dir():
                return KeywordIndex.load(path)
        return KeywordIndex(None, [])

    @property
    def keyword(self) -> KeywordIndex:
        """The keyword index, reloaded when an ingest (maybe in another process) has rebuilt it."""
        version = self.meta("keyword_version", "0")
        if self._keyword is not None and version == self._keyword_version:
            return self._keyword
        with self._lock:
            for _ in range(3):
                version = self.meta("keyword_version", "0")  # again: another thread may have moved on
                if self._keyword is not None and version == self._keyword_version:
                    break
                try:
                    keyword = self._load_keyword(version)
                except FileNotFoundError:  # pruned by a newer build while we read it: take that one
                    continue
                if self._keyword is not None and version != self._written_version and not self.settings.chroma_url:
                    # Embedded Chroma keeps a per-process copy of the vector index, blind to what
                    # another process wrote; reopen it before new chunk ids reach the retriever.
                    self.collection = self._open_collection(fresh=True)
                self._chunks.clear()
                self._keyword, self._keyword_version = keyword, version
            if self._keyword is None:
                self._keyword = KeywordIndex(None, [])
        return self._keyword

    def sources_naming(self, key: str) -> set[str]:
        """Documents that name an entity (NCT id, product code, trial name), by its casefolded key."""
        return {s for (s,) in self.db.execute("SELECT source FROM entity_docs WHERE key = ?", (key,))}

    def sources_matching(self, filters: dict[str, str]) -> set[str]:
        """Documents whose metadata field equals the value (case-insensitive), or lists it. Cached
        until the next ingest (every ingest that changes documents moves keyword_version)."""
        want = tuple(sorted((k, str(v).casefold()) for k, v in filters.items()))
        key = (self.meta("keyword_version", "0"), want)
        with self._lock:
            if key in self._matching:
                return self._matching[key]
        out = set()
        for source, meta in self.db.execute("SELECT source, metadata FROM documents"):
            m = json.loads(meta)
            if all(_matches(m.get(k), v) for k, v in want):
                out.add(source)
        with self._lock:
            if len(self._matching) > 256:
                self._matching.clear()
            self._matching[key] = out
        return out

    # --- vectors -------------------------------------------------------------------------------
    def dense_search(self, vector: Sequence[float], k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine); with `sources`, only chunks of those documents.

        Chroma's metadata-filtered search costs 60-300 ms on a large collection whatever the filter,
        so a few documents are scored directly from their vectors, and a broad filter first tries a
        deeper unfiltered search, keeping the hits that pass."""
        n = self._vector_total()
        if n == 0 or sources is not None and not sources:
            return []
        vector = np.asarray(vector, dtype=np.float32)
        if sources is not None:
            if len(sources) <= DIRECT_MAX_SOURCES:
                ids = self.chunk_ids(sources)
                if len(ids) <= DIRECT_MAX_CHUNKS:
                    got = self.vectors(ids)
                    scored = sorted(((i, float(v @ vector)) for i, v in got.items()), key=lambda x: -x[1])
                    return scored[:k]
            deep = self._query(vector, min(k * 20, n))
            owners = self.chunks([i for i, _ in deep])
            kept = [(i, s) for i, s in deep if i in owners and owners[i].source in sources]
            if len(kept) >= k:
                return kept[:k]
            return self._query(vector, min(k, n), where={"source": {"$in": sorted(sources)}})
        return self._query(vector, min(k, n))

    def _query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        res = self.collection.query(query_embeddings=[vector], n_results=k, include=["distances"], where=where)
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def chunk_ids(self, sources: Iterable[str]) -> list[str]:
        sources = list(sources)
        out: list[str] = []
        for lo in range(0, len(sources), 500):
            part = sources[lo : lo + 500]
            out += [i for (i,) in self.db.execute(
                f"SELECT id FROM chunks WHERE source IN ({','.join('?' * len(part))})", part)]
        return out

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}
