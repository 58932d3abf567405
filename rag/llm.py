"""The optional generative answerer: any OpenAI-compatible server (RAG_LLM_BASE_URL) writes the
answer from the retrieved passages, numbered, and every sentence it writes is checked before anyone
sees it. A sentence must cite a passage, and its numbers, names and key terms must be found in the
passages it cites; a sentence that fails is dropped. When nothing survives, or the server times
out or fails, the extractive answerer answers instead, and the answer says so in `answerer`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .answer import ABSTAIN_TEXT, NUMBER_WORDS, Answer, Answerer, Picked, Question
from .errors import LLMNotConfigured
from .settings import Settings
from .text import STOPWORDS, normalize, tokens
from .types import Hit

log = logging.getLogger("rag.llm")

NOT_FOUND = "NOT_IN_DOCUMENTS"
SYSTEM_PROMPT = f"""You answer questions using only the numbered passages you are given.
Rules:
- Answer in one to three short sentences.
- End every sentence with the number of the passage it comes from, in square brackets, like [2].
- Use only facts written in the passages. Copy numbers, dates and names exactly as written.
- If the passages do not answer the question, reply with exactly: {NOT_FOUND}"""

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# ALLO-605, NCT05000450, IGNITE, CD19, FDA: two or more capitals/digits make a name
_CODE = re.compile(r"\b[A-Za-z]*[A-Z0-9][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b")
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]{2,}\b")


@dataclass(frozen=True)
class LLMAnswer(Answer):
    """An Answer that says which answerer produced it ("llm", or "extractive" after a fallback)."""

    answerer: str = "llm"


@dataclass(frozen=True)
class Checked:
    text: str  # the sentence with its markers
    cited: tuple[int, ...]  # passage numbers as the model wrote them
    supported: bool
    why: str = ""


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers. A fragment without a marker ("U.S." or "Yes.")
    is joined to the next one, so it is checked against that sentence's citations."""
    pieces, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        pieces.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    out, pending = [], ""
    for piece in pieces:
        pending = f"{pending} {piece}".strip()
        if _MARKER.search(piece):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _numbers(text: str) -> set[str]:
    found = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    found |= {str(NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS}
    return found


def _names(sentence: str) -> set[str]:
    names = {m.group(0) for m in _CODE.finditer(sentence)} | {m.group(0) for m in _CAPITALISED.finditer(sentence)}
    return {n for n in names if n.lower() not in STOPWORDS and not n.isdigit()}


def check_sentence(sentence: str, passages: Sequence[Hit], question: str, min_term_overlap: float = 0.5) -> Checked:
    """Is everything this sentence says found in the passages it cites?"""
    cited = tuple(int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\s*,\s*", group))
    if not cited:
        return Checked(sentence, cited, False, "cites no passage")
    if any(n < 1 or n > len(passages) for n in cited):
        return Checked(sentence, cited, False, f"cites a passage that does not exist ({cited})")
    claim = _MARKER.sub(" ", sentence)
    evidence = " \n ".join(f"{passages[n - 1].title}\n{passages[n - 1].chunk.heading}\n{passages[n - 1].chunk.text}"
                           for n in cited)
    missing = sorted(_numbers(claim) - _numbers(evidence))
    if missing:
        return Checked(sentence, cited, False, f"numbers not in the cited passages: {missing}")
    known = normalize(f"{evidence}\n{question}")
    absent = sorted(n for n in _names(claim)
                    if not re.search(rf"(?<![a-z0-9]){re.escape(normalize(n))}(?![a-z0-9])", known))
    if absent:
        return Checked(sentence, cited, False, f"names not in the cited passages: {absent}")
    asked = set(tokens(question))
    found = set(tokens(evidence))
    terms = {t for t in tokens(claim) if t not in asked and not any(ch.isdigit() for ch in t) and len(t) > 2}
    if len(terms) >= 2:
        overlap = len(terms & found) / len(terms)
        if overlap < min_term_overlap:
            return Checked(sentence, cited, False, f"key terms not in the cited passages: {sorted(terms - found)}")
    return Checked(sentence, cited, True)


def renumber(kept: Sequence[Checked], passages: Sequence[Hit]) -> tuple[str, list[Picked]]:
    """Keep only the cited passages, numbered 1..m in order of first citation, and rewrite the markers."""
    order: dict[int, int] = {}
    for c in kept:
        for n in c.cited:
            order.setdefault(n, len(order) + 1)

    def rewrite(m: re.Match) -> str:
        numbers = dict.fromkeys(order[int(n)] for n in re.split(r"\s*,\s*", m.group(1)))
        return "".join(f"[{n}]" for n in numbers)

    text = " ".join(_MARKER.sub(rewrite, c.text) for c in kept)
    text = re.sub(r"\s+([.!?,;])", r"\1", re.sub(r"\s+", " ", text)).strip()
    picked = [Picked(passages[n - 1].chunk, passages[n - 1].title, passages[n - 1].dense) for n in order]
    return text, picked


class LLMAnswerer:
    """Generates with `chat_model` (any LangChain chat model; ChatOpenAI in production), verifies,
    and falls back to `fallback` (the extractive answerer)."""

    name = "llm"

    def __init__(self, chat_model, fallback: Answerer, max_passages: int = 8, min_term_overlap: float = 0.5) -> None:
        if max_passages < 1:
            raise ValueError(f"max_passages must be at least 1, not {max_passages}")
        if not 0 <= min_term_overlap <= 1:
            raise ValueError(f"min_term_overlap must be between 0 and 1, not {min_term_overlap}")
        self.chat_model = chat_model
        self.fallback = fallback
        self.max_passages = max_passages
        self.min_term_overlap = min_term_overlap

    def messages(self, q: Question, passages: Sequence[Hit]) -> list[tuple[str, str]]:
        # q.query, not q.text: for a follow-up it names what "it" refers to.
        numbered = "\n".join(
            f"[{n}] ({h.title}{' / ' + h.chunk.heading if h.chunk.heading else ''}) {h.chunk.text.strip()}"
            for n, h in enumerate(passages, start=1)
        )
        return [("system", SYSTEM_PROMPT), ("human", f"Passages:\n{numbered}\n\nQuestion: {q.query}")]

    def answer(self, q: Question, hits: Sequence[Hit]) -> Answer:
        passages = list(hits[: self.max_passages])
        if not passages:
            return self._fallback(q, hits, "nothing was retrieved")
        try:
            reply = self.chat_model.invoke(self.messages(q, passages))
            text = reply.content if isinstance(reply.content, str) else str(reply.content)
        except Exception as exc:  # timeouts, refused connections, 5xx: the extractive answer is still good
            return self._fallback(q, hits, f"the LLM server failed: {type(exc).__name__}: {exc}")
        return self.verify(q, passages, text) or self._fallback(q, hits, "no generated sentence was supported")

    def verify(self, q: Question, passages: Sequence[Hit], text: str) -> LLMAnswer | None:
        text = text.strip()
        if not text:
            return None
        if text.startswith(NOT_FOUND) or text.rstrip(".") == NOT_FOUND:
            closest = tuple(Picked(h.chunk, h.title, h.dense) for h in passages[:2])
            return LLMAnswer(ABSTAIN_TEXT + " The closest passages are cited below for you to check.", True, closest,
                             "the model found no answer in the passages")
        checked = [check_sentence(s, passages, q.query, self.min_term_overlap) for s in split_sentences(text)]
        dropped = [c for c in checked if not c.supported]
        for c in dropped:
            log.warning("dropped an unsupported sentence (%s): %r", c.why, c.text)
        kept = [c for c in checked if c.supported]
        if not kept:
            return None
        answer_text, picked = renumber(kept, passages)
        reason = f"dropped {len(dropped)} unsupported sentence(s)" if dropped else ""
        return LLMAnswer(answer_text, False, tuple(picked), reason)

    def _fallback(self, q: Question, hits: Sequence[Hit], why: str) -> LLMAnswer:
        log.warning("answering extractively: %s", why)
        a = self.fallback.answer(q, hits)
        return LLMAnswer(a.text, a.abstained, a.spans, f"{why}; {a.reason}".strip("; "), answerer=self.fallback.name)


def chat_model(settings: Settings):
    """ChatOpenAI pointed at RAG_LLM_BASE_URL; no retries, so a dead server costs one timeout."""
    from langchain_openai import ChatOpenAI

    if not settings.llm_model:
        raise LLMNotConfigured(settings.llm_base_url)
    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key or "not-needed", timeout=settings.llm_timeout_s,
                      max_retries=0, temperature=0, max_tokens=400)


def with_llm(extractive: Answerer, settings: Settings) -> Answerer | LLMAnswerer:
    """The answerer QA should use: the LLM one when RAG_LLM_BASE_URL is set, else `extractive`."""
    if not settings.llm_base_url:
        return extractive
    return LLMAnswerer(chat_model(settings), extractive)
