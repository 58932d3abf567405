"""Small typed values passed between stages. Offsets are character offsets into a document's
canonical text, and `text == canonical_text[start:end]` always."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


def content_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Document:
    source: str  # path relative to the folder it was ingested from
    title: str
    text: str  # canonical text: every offset points into it
    content_hash: str  # hash of the file bytes, for incremental ingest
    metadata: dict = field(default_factory=dict)
    pages: tuple[tuple[int, int], ...] = ()  # (page number, start offset) for PDFs


@dataclass(frozen=True, slots=True)
class Chunk:
    source: str
    start: int
    end: int
    text: str
    ordinal: int  # position within its document
    heading: str = ""  # nearest section heading or table header, for context
    kind: str = "text"  # text | row | item

    @property
    def id(self) -> str:
        return content_id(self.source, str(self.start), str(self.end))


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate answer span: a sentence, clause, table row or list item."""

    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    title: str
    dense: float  # cosine similarity to the question, 0 when not scored
    keyword: float  # bm25 score, 0 when not matched
    fused: float  # reciprocal-rank fusion score


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class Citation(BaseModel):
    id: int
    source: str
    title: str
    start: int
    end: int
    text: str
    score: float


class AskResponse(BaseModel):
    answer: str
    abstained: bool
    citations: list[Citation]
    timings_ms: dict[str, float]
    answerer: str = "extractive"
