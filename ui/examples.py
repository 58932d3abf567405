"""Example questions for a first-time user: a few varied, answerable questions from the gold set
beside the corpus when there is one, else one question per document title."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

MAX_CHARS = 80


def example_questions(gold: Path | None, documents: Sequence[dict], n: int = 4) -> list[str]:
    picked: list[str] = []
    if gold is not None and gold.is_file():
        items = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        items = [i for i in items if i.get("answerable") and not i.get("history") and len(i["question"]) <= MAX_CHARS]
        kinds: set[str] = set()
        sources: set[str] = set()
        # one per kind and per source first, so the examples show the range of what can be asked
        for item in items:
            source = (item.get("evidence") or [{}])[0].get("source", "")
            if item.get("kind") not in kinds and source not in sources:
                picked.append(item["question"])
                kinds.add(item.get("kind"))
                sources.add(source)
            if len(picked) == n:
                return picked
        for item in items:
            if item["question"] not in picked and len(picked) < n:
                picked.append(item["question"])
    for d in documents:
        if len(picked) >= n:
            break
        picked.append(f"What is “{(d.get('title') or d['source'])[:60]}” about?")
    return picked[:n]
