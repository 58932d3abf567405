"""Turn picked spans into numbered citations whose text is exactly canonical_text[start:end]."""

from __future__ import annotations

from collections.abc import Sequence

from .answer import Picked
from .types import Citation


class SpanMismatch(AssertionError):
    """A citation whose text is not its document's text at its offsets: a bug, never shown."""


def citations(picked: Sequence[Picked], document_text: dict[str, str]) -> list[Citation]:
    out = []
    for n, p in enumerate(picked, start=1):
        c = p.chunk
        text = document_text[c.source]
        if text[c.start : c.end] != c.text:
            raise SpanMismatch(f"{c.source}[{c.start}:{c.end}] does not match the indexed chunk")
        out.append(Citation(id=n, source=c.source, title=p.title, start=c.start, end=c.end, text=c.text,
                            score=round(float(p.score), 4)))
    return out
