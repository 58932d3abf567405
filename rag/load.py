"""Load files into Documents with a canonical text. For .txt/.md the canonical text is the
decoded file content unchanged, so offsets can be checked against the file itself."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

from .errors import UnsupportedFile
from .load_ctgov import load_ctgov_json, load_ctgov_xml
from .types import Document

MAX_FILE_BYTES = 20_000_000

Loader = Callable[[str, bytes], Document]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(source: str, data: bytes) -> str:
    if not data.strip():
        raise UnsupportedFile(source, "the file is empty")
    if b"\x00" in data[:8192]:
        raise UnsupportedFile(source, "it looks binary (NUL bytes) although its name says text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(source, f"it is not valid UTF-8 ({exc.reason} at byte {exc.start}); re-save it as UTF-8") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise UnsupportedFile(source, "it looks binary (many control characters) although its name says text")
    return text


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip(" -*|")
        if len(line) >= 3:
            return line[:200]
    return fallback


def load_text(source: str, data: bytes) -> Document:
    text = decode_text(source, data)
    return Document(source, _first_line_title(text, source), text, file_hash(data))


def load_markdown(source: str, data: bytes) -> Document:
    text = decode_text(source, data)
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    title = heading.group(1).strip()[:200] if heading else _first_line_title(text, source)
    return Document(source, title, text, file_hash(data))


_BLOCK_TAGS = "p div li tr h1 h2 h3 h4 h5 h6 br section article header footer table ul ol pre blockquote dt dd".split()


def load_html(source: str, data: bytes) -> Document:
    from bs4 import BeautifulSoup

    raw = decode_text(source, data)
    soup = BeautifulSoup(raw, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg"]):
        if tag.name == "head":
            continue
        tag.decompose()
    title_tag = soup.find("title") or soup.find("h1")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" | ")
    body = soup.body or soup
    text = body.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    if not text.strip():
        raise UnsupportedFile(source, "the page has no visible text")
    title = title_tag.get_text(" ", strip=True)[:200] if title_tag else _first_line_title(text, source)
    return Document(source, title or source, text, file_hash(data))


def load_pdf(source: str, data: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        page_texts = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnsupportedFile(source, f"the PDF could not be read ({exc.__class__.__name__}: {exc})") from None
    pages, parts, offset = [], [], 0
    for number, page_text in enumerate(page_texts, start=1):
        page_text = page_text.strip()
        if not page_text:
            continue
        pages.append((number, offset))
        parts.append(page_text)
        offset += len(page_text) + 2
    text = "\n\n".join(parts)
    if not text.strip():
        raise UnsupportedFile(source, "the PDF has no extractable text (scanned images need OCR first)")
    title = meta_title.strip()[:200] or _first_line_title(text, source)
    return Document(source, title, text, file_hash(data), pages=tuple(pages))


LOADERS: dict[str, Loader] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".xml": load_ctgov_xml,  # ClinicalTrials.gov study records, legacy XML
    ".json": load_ctgov_json,  # ClinicalTrials.gov study records, current API JSON
}


def register_loader(suffix: str, loader: Loader) -> None:
    LOADERS[suffix] = loader


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def read_file(path: Path, source: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refused before reading when it is over the size limit."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnsupportedFile(source, f"it is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit; split it into smaller files")
    data = path.read_bytes()
    if len(data) > max_bytes:  # it grew after the size check
        raise UnsupportedFile(source, f"it is over the {max_bytes / 1e6:.0f} MB limit; split it into smaller files")
    return data


def load_bytes(source: str, suffix: str, data: bytes) -> Document:
    loader = LOADERS.get(suffix.lower())
    if loader is None:
        raise UnsupportedFile(source, f"no loader for {suffix!r} files (supported: {', '.join(sorted(LOADERS))})")
    return loader(source, data)


def load_file(path: Path, source: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    return load_bytes(source, path.suffix, read_file(path, source, max_bytes))
