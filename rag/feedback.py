"""Thumbs up/down on answers, kept in SQLite under RAG_DATA_DIR, and exported as gold-set lines
for a person to review before they join eval/gold.jsonl."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .types import AskResponse, Turn

FILENAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    message INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL,
    answerer TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (conversation, message)
)
"""
# A comment like this on a thumbs-down means the answer should have been an abstention.
_SHOULD_ABSTAIN = re.compile(r"not in the doc|should(?:n't| not)? (?:have )?(?:abstain|said)|isn't in|is not in|"
                             r"no such|made up|invent|hallucinat|doesn't say|does not say|not mentioned", re.I)


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    conversation: str
    message: int
    created_at: str
    question: str
    history: tuple[Turn, ...]
    answer: str
    abstained: bool
    citations: tuple[dict, ...]
    answerer: str
    rating: int  # +1 thumbs up, -1 thumbs down
    comment: str

    def guessed_answerable(self) -> bool:
        """A guess for the reviewer: agreement keeps the answer's stance; disagreement flips it,
        except that a wrong answer usually had the wrong passage, unless the comment says the
        documents do not say it."""
        if self.rating > 0:
            return not self.abstained
        if self.abstained:
            return True
        return not _SHOULD_ABSTAIN.search(self.comment)

    def gold_line(self) -> dict:
        answerable = self.guessed_answerable()
        # Evidence is kept only where the reader endorsed the cited passages.
        endorsed = self.rating > 0 and not self.abstained
        item = {
            "id": f"fb{self.id:05d}",
            "question": self.question,
            "answers": [],
            "must_include": [],
            "answerable": answerable,
            "kind": f"feedback-{'up' if self.rating > 0 else 'down'}",
            "evidence": [{"source": c["source"], "quote": c["text"]} for c in self.citations] if endorsed else [],
        }
        if self.history:
            item["history"] = [t.model_dump() for t in self.history]
        return item


class FeedbackStore:
    """One SQLite file; safe to share between the server's threads."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FILENAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def rate(self, conversation: str, message: int, question: str, history: list[Turn],
             response: AskResponse, rating: int, comment: str = "") -> int:
        """Record (or change) the rating of one answer; returns the feedback id."""
        if rating not in (-1, 1):
            raise ValueError(f"rating must be 1 (up) or -1 (down), not {rating!r}")
        row = (conversation, message, datetime.now(timezone.utc).isoformat(timespec="seconds"), question,
               json.dumps([t.model_dump() for t in history]), response.answer, int(response.abstained),
               json.dumps([c.model_dump() for c in response.citations], ensure_ascii=False), response.answerer,
               rating, comment)
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback (conversation, message, created_at, question, history, answer, abstained,"
                " citations, answerer, rating, comment) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (conversation, message) DO UPDATE SET rating=excluded.rating,"
                " created_at=excluded.created_at",
                row,
            )
            (fid,) = self._db.execute("SELECT id FROM feedback WHERE conversation=? AND message=?",
                                      (conversation, message)).fetchone()
        return fid

    def comment(self, feedback_id: int, comment: str) -> None:
        with self._lock:
            self._db.execute("UPDATE feedback SET comment=? WHERE id=?", (comment.strip()[:4000], feedback_id))

    def withdraw(self, conversation: str, message: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM feedback WHERE conversation=? AND message=?", (conversation, message))

    def all(self, rating: int | None = None) -> Iterator[Feedback]:
        query = "SELECT * FROM feedback" + (" WHERE rating=?" if rating else "") + " ORDER BY id"
        with self._lock:
            rows = self._db.execute(query, (rating,) if rating else ()).fetchall()
        for r in rows:
            yield Feedback(r[0], r[1], r[2], r[3], r[4], tuple(Turn(**t) for t in json.loads(r[5])), r[6],
                           bool(r[7]), tuple(json.loads(r[8])), r[9], r[10], r[11])

    def close(self) -> None:
        self._db.close()


def export_lines(store: FeedbackStore, rating: int | None = None) -> Iterator[str]:
    for fb in store.all(rating):
        yield json.dumps(fb.gold_line(), ensure_ascii=False)
