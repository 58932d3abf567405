"""HTML for the chat page. Every piece of document or user text goes through `esc`, so a document
holding `<script>` or `<img onerror=...>` is shown as text. Chat messages are one line of HTML with
no blank lines, so the chat's Markdown renderer passes them through as a single HTML block instead
of reading document text as Markdown."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import quote

from rag.types import AskResponse, Citation

_MARKER = re.compile(r"\[(\d+)\]")
QUOTE_CHARS = 240


def esc(text: str) -> str:
    """Escape for HTML text and attributes, on one line (a blank line would end the HTML block)."""
    return html.escape(re.sub(r"\s+", " ", text), quote=True)


def target(source: str, start: int = -1, end: int = -1) -> str:
    """The link target the viewer's click handler reads. It lives in href because the chat's
    sanitiser strips data-* attributes but keeps in-page links."""
    return f'href="#rag:{quote(source, safe="")}:{start}:{end}"'


def cite_link(c: Citation) -> str:
    return (f'<a class="rag-cite" {target(c.source, c.start, c.end)} '
            f'title="{esc(c.title)}">[{c.id}]</a>')


def linked_text(text: str, citations: Sequence[Citation]) -> str:
    """The answer text, escaped, with each [n] marker a link that opens its citation."""
    by_id = {c.id: c for c in citations}
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        c = by_id.get(int(m.group(1)))
        out.append(esc(text[pos : m.start()]))
        out.append(cite_link(c) if c else esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def sources_html(response: AskResponse) -> str:
    if not response.citations:
        return ""
    title = "Closest passages (they do not answer it)" if response.abstained else "Sources"
    items = "".join(
        f'<a class="rag-source" {target(c.source, c.start, c.end)}>'
        f'<span class="rag-source-n">[{c.id}]</span><span class="rag-source-body">'
        f'<span class="rag-source-title">{esc(c.title or c.source)}</span>'
        f'<span class="rag-source-quote">“{esc(_quote(c.text))}”</span></span></a>'
        for c in response.citations
    )
    return f'<div class="rag-sources"><div class="rag-sources-title">{title}</div>{items}</div>'


def answer_html(response: AskResponse, shown: str | None = None) -> str:
    """One assistant message. `shown` is the part of the answer streamed so far; None when done."""
    done = shown is None
    text = response.answer if done else shown
    classes = "rag-answer rag-abstained" if response.abstained else "rag-answer"
    badge = '<div class="rag-badge">⚠ Not in the documents</div>' if response.abstained else ""
    body = linked_text(text, response.citations) + ("" if done else '<span class="rag-cursor"></span>')
    tail = ""
    if done:
        ms = response.timings_ms.get("total")
        meta = f"answered by the {esc(response.answerer)} answerer" + (f" in {ms:.0f} ms" if ms is not None else "")
        tail = sources_html(response) + f'<div class="rag-meta">{meta}</div>'
    return f'<div class="{classes}">{badge}<div class="rag-text">{body}</div>{tail}</div>'


def user_html(question: str) -> str:
    return f'<div class="rag-question">{esc(question)}</div>'


def error_html(message: str) -> str:
    return f'<div class="rag-answer rag-abstained"><div class="rag-badge">⚠ Could not answer</div>' \
           f'<div class="rag-text">{esc(message)}</div></div>'


def document_html(source: str, title: str, text: str, start: int = -1, end: int = -1, key: str = "") -> str:
    """A whole document, escaped, with text[start:end] in <mark> when the span is valid."""
    marked = 0 <= start < end <= len(text)
    if marked:
        body = f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
        where = f"{esc(source)} · characters {start}–{end} highlighted"
    else:
        body = html.escape(text)
        where = f"{esc(source)} · {len(text):,} characters"
    return (f'<div class="rag-doc" data-key="{esc(key)}"><div class="rag-doc-head">'
            f'<div class="rag-doc-kicker">Source document</div><div class="rag-doc-title">{esc(title or source)}</div>'
            f'<div class="rag-doc-where">{where}</div></div><div class="rag-doc-body">{body}</div></div>')


def viewer_placeholder() -> str:
    return ('<div class="rag-empty"><div class="rag-doc-kicker">Source document</div><p>Click a citation such as '
            '<b>[1]</b> in an answer to open its document here, with the cited passage '
            '<span class="rag-hl-sample">highlighted</span>.</p><p>Or open any document from the list below.</p></div>')


def document_list_html(documents: Sequence[dict]) -> str:
    if not documents:
        return '<div class="rag-empty-list">No documents are indexed yet. Run <code>rag ingest</code>.</div>'
    rows = "".join(
        f'<a class="rag-doc-link" {target(d["source"])}>'
        f'<span class="rag-doc-link-title">{esc(d.get("title") or d["source"])}</span>'
        f'<span class="rag-doc-link-meta">{esc(d["source"])} · {int(d.get("chars", 0)):,} characters</span></a>'
        for d in sorted(documents, key=lambda d: (d.get("title") or d["source"]).lower())
    )
    return f'<div class="rag-docs">{rows}</div>'
