"""Structure-following chunking with exact offsets.

A chunk is one minimal unit of meaning: a sentence, a table row, a list item, or a short label
joined to its value. Each chunk carries the nearest heading (section title, list label or table
header row) so retrieval can see the context the unit sits in. Hand-written rather than a
LangChain splitter because the splitters do not keep exact offsets for structure-aware units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Chunk, Document

MAX_CHARS = 420
MIN_CHARS = 25

_BULLET = re.compile(r"^\s*(?:[-*•‣◦▪]|\d{1,2}[.)])\s+")
_TABLE_RULE = re.compile(r"^[\s|:-]*-{3,}[\s|:-]*$")
_ONLY_PUNCT = re.compile(r"^[\s|:\-–—_*#=]*$")
_ABBREV = {
    "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "vs", "etc", "e.g", "i.e", "al", "no", "fig", "st", "calif",
    "approx", "u.s", "m.d", "ph.d", "d.c", "bsn", "jr", "sr", "ref", "vol",
}
# a sentence may end in a quote, a bracketed reference ("improvement.[1]") or a footnote digit
# ("said in a statement.2 “Today ...")
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?:\[\d+(?:[,–-]\d+)*\]|(?<=[a-z)\]][.!?])\d{1,2})*(?=\s+[\"“‘(\[]?[A-Z0-9•])")
_CLAUSE_BREAKS = (re.compile(r";\s+"), re.compile(r",\s+"), re.compile(r"\s+"))


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int  # excludes the newline

    def text(self, doc: str) -> str:
        return doc[self.start : self.end]


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        if raw.endswith("\r"):
            end -= 1
        out.append(_Line(pos, end))
        pos += len(raw) + 1
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n\u00a0|":
        start += 1
    while end > start and text[end - 1] in " \t\r\n\u00a0|":
        end -= 1
    return start, end


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], abbreviation-aware, offsets absolute."""
    spans, cur = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        word = re.search(r"([A-Za-z.]+)[.!?]$", text[cur : match.start() + 1])
        if word:
            w = word.group(1).lower().rstrip(".")
            if w in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        spans.append((cur, match.end()))
        cur = match.end()
    spans.append((cur, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] > s[0]]


def _split_long(text: str, start: int, end: int, limit: int = MAX_CHARS) -> list[tuple[int, int]]:
    if end - start <= limit:
        return [(start, end)]
    middle = start + (end - start) // 2
    for pattern in _CLAUSE_BREAKS:
        cuts = [m.end() for m in pattern.finditer(text, start + limit // 4, end - limit // 4)]
        if cuts:
            cut = min(cuts, key=lambda c: abs(c - middle))
            left = _strip(text, start, cut)
            right = _strip(text, cut, end)
            return _split_long(text, *left, limit) + _split_long(text, *right, limit)
    return [(start, end)]


def _title_like(s: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", s) if len(w) >= 4]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _is_heading(line: str, block_size: int, next_line: str = "") -> bool:
    s = line.strip()
    if s.startswith("#"):
        return True
    if block_size > 1 and not (_title_like(s) and len(next_line.strip()) > max(len(s), 60)):
        return False
    return (
        2 < len(s) < 100
        and len(s.split()) <= 14
        and s[-1] not in ".!?;,|]:"
        and not re.search(r"[.!?]\s", s)
        and not _BULLET.match(line)
    )


def chunk_document(doc: Document) -> list[Chunk]:
    text = doc.text
    lines = _lines(text)
    units: list[tuple[int, int, str, str]] = []  # start, end, kind, heading
    heading, label, table_header = "", "", ""
    block: list[_Line] = []

    def context() -> str:
        return " > ".join(p for p in (heading, label, table_header) if p)

    def flush_block() -> None:
        nonlocal heading, label, table_header
        section = heading  # a heading found inside a block covers only that block
        i = 0
        while i < len(block):
            line = block[i]
            raw = line.text(text)
            s, e = _strip(text, line.start, line.end)
            if e <= s or _ONLY_PUNCT.match(raw):
                i += 1
                continue
            stripped = text[s:e]
            nxt = block[i + 1].text(text) if i + 1 < len(block) else ""
            if "|" not in raw and _is_heading(raw, len(block), nxt):
                heading, label, table_header = stripped.lstrip("#").strip(), "", ""
                if e - s >= MIN_CHARS:  # a long heading often states a fact itself
                    units.append((s, e, "text", ""))
                i += 1
                continue
            if _TABLE_RULE.match(raw):
                i += 1
                continue
            if "|" in raw and _TABLE_RULE.match(nxt):
                table_header = " | ".join(c.strip() for c in stripped.split("|") if c.strip())
                units.append((s, e, "row", context()))
                i += 2
                continue
            if _BULLET.match(raw):
                body = _BULLET.match(raw).end() + line.start
                bs, be = _strip(text, body, e)
                if be > bs:  # a bare bullet marker holds nothing
                    units.extend((a, b, "item", context()) for a, b in _split_long(text, bs, be))
                i += 1
                continue
            if stripped.endswith(":") and nxt and _BULLET.match(nxt):
                label = stripped.rstrip(":").strip()
                i += 1
                continue
            label = ""  # a list label covers only the items right after it
            # A short label ("Recruitment Status :") or wrapped prose continues on the next line.
            j = i
            while j + 1 < len(block):
                cur = block[j].text(text).strip()
                following = block[j + 1].text(text)
                fs = following.strip()
                if not fs or _BULLET.match(following) or _TABLE_RULE.match(following):
                    break
                if len(cur) < 2 * MIN_CHARS and cur.endswith(":"):
                    j += 1
                    continue
                if "|" in following:
                    break
                if cur[-1:] not in ".!?:|" and fs[:1].islower():
                    j += 1
                    continue
                break
            e = _strip(text, line.start, block[j].end)[1]
            kind = "row" if "|" in text[s:e] else "text"
            for a, b in sentences(text, s, e):
                units.extend((x, y, kind, context()) for x, y in _split_long(text, a, b))
            i = j + 1
        if len(block) > 1:
            heading = section
        block.clear()

    for line in lines:
        if line.text(text).strip():
            block.append(line)
        else:
            flush_block()
            table_header = ""
    flush_block()

    merged: list[tuple[int, int, str, str]] = []
    for unit in units:
        # A tiny fragment ("Recruiting", "Phase 2") means little alone: join it to the unit before.
        if (merged and unit[1] - unit[0] < MIN_CHARS // 2 and merged[-1][2] == unit[2] == "text"
                and merged[-1][3] == unit[3] and unit[0] - merged[-1][1] < 2 and unit[1] - merged[-1][0] <= MAX_CHARS):
            prev = merged.pop()
            merged.append((prev[0], unit[1], prev[2], prev[3]))
        else:
            merged.append(unit)
    return [
        Chunk(doc.source, s, e, text[s:e], n, heading=h, kind=k)
        for n, (s, e, k, h) in enumerate(merged)
    ]
