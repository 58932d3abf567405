"""Eval metrics: the gold set's scoring rules (INTERFACES.md) as small objects with a `name` and a
`score(sample)`. Each sample is one gold item with what a system did for it; a score that does not
apply to a sample (retrieval recall of an unanswerable item) is NaN, kept in the per-row table and
left out of the means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .text import normalize
from .types import Citation, Span, Turn

NAN = float("nan")


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class GoldItem(BaseModel):
    """One line of a gold file; `line` is where it came from, for messages."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answers: list[str] = Field(default_factory=list)
    must_include: list[str] = Field(default_factory=list)
    answerable: bool
    kind: str = "factoid"
    evidence: list[Evidence] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    line: int = 0


# --- answer matching ------------------------------------------------------------------------------

# A whole word or number: no word character around it, and a number is not the tail or head of a
# longer one ("136" is not in "1,136" or "136.5").
_BEFORE = r"(?<!\w)(?<!\d[.,])"
_AFTER = r"(?!\w)(?![.,]\d)"


def contains(haystack: str, needle: str) -> bool:
    """Normalised containment; a needle that is a single word or number matches whole words only."""
    h, n = normalize(haystack), normalize(needle)
    if not n:
        return False
    if " " in n:
        return n in h
    return re.search(_BEFORE + re.escape(n) + _AFTER, h) is not None


def answer_correct(item: GoldItem, answer: str, abstained: bool) -> bool:
    if not item.answerable:
        return abstained
    if abstained:
        return False
    if item.answers and not any(contains(answer, a) for a in item.answers):
        return False
    return all(contains(answer, m) for m in item.must_include)


# --- spans ------------------------------------------------------------------------------------------

def overlaps(a: Span | Citation, b: Span | Citation) -> bool:
    return a.source == b.source and a.start < b.end and b.start < a.end


def occurrences(quote: str, text: str) -> list[tuple[int, int]]:
    """Every place the quote occurs verbatim (overlapping occurrences too)."""
    found, pos = [], text.find(quote)
    while pos >= 0 and quote:
        found.append((pos, pos + len(quote)))
        pos = text.find(quote, pos + 1)
    return found


def locate_evidence(item: GoldItem, documents: Mapping[str, str]) -> tuple[tuple[Span, ...], ...]:
    """Per evidence quote, all its spans in its source's canonical text (empty when not found)."""
    out = []
    for ev in item.evidence:
        text = documents.get(ev.source)
        spans = () if text is None else tuple(Span(ev.source, a, b, ev.quote) for a, b in occurrences(ev.quote, text))
        out.append(spans)
    return tuple(out)


@dataclass(frozen=True)
class Sample:
    """One gold item and what a system did for it."""

    item: GoldItem
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    retrieved: tuple[Span, ...]  # ranked, best first
    latency_ms: float
    evidence: tuple[tuple[Span, ...], ...]  # per evidence quote, every occurrence of it
    documents: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def supports(self, citation: Citation) -> bool:
        return any(overlaps(citation, span) for spans in self.evidence for span in spans)


# --- metrics ------------------------------------------------------------------------------------------

class Metric:
    """A metric scores one sample (NaN when it does not apply) and aggregates the defined scores."""

    name: str = ""
    higher_is_better: bool = True
    description: str = ""

    def score(self, sample: Sample) -> float:
        raise NotImplementedError

    def aggregate(self, scores: Sequence[float]) -> float:
        defined = [s for s in scores if not math.isnan(s)]
        return float(np.mean(defined)) if defined else NAN


class AnswerAccuracy(Metric):
    name = "answer_accuracy"
    description = "answer contains a gold answer and every must_include (unanswerable: abstains)"

    def score(self, sample: Sample) -> float:
        return float(answer_correct(sample.item, sample.answer, sample.abstained))


class CitationSupport(Metric):
    name = "citation_support"
    description = "answerable items answered with at least one citation overlapping gold evidence"

    def score(self, sample: Sample) -> float:
        if not sample.item.answerable or not sample.item.evidence:
            return NAN
        # Passages shown beside an abstention are pointers for the reader, not support for a claim.
        if sample.abstained:
            return 0.0
        return float(any(sample.supports(c) for c in sample.citations))


class CitationPrecision(Metric):
    """Share of an answer's citations that overlap gold evidence and are no longer than that
    evidence plus `max_extra_chars` (a whole page that happens to contain the quote is not precise)."""

    name = "citation_precision"
    description = "share of citations overlapping gold evidence, at most evidence length + 200 chars"

    def __init__(self, max_extra_chars: int | None = 200) -> None:
        self.max_extra_chars = max_extra_chars

    def precise(self, sample: Sample, c: Citation) -> bool:
        for spans in sample.evidence:
            for span in spans:
                if overlaps(c, span) and (
                    self.max_extra_chars is None or c.end - c.start <= span.end - span.start + self.max_extra_chars
                ):
                    return True
        return False

    def score(self, sample: Sample) -> float:
        if not sample.item.answerable or sample.abstained or not sample.citations:
            return NAN
        return sum(self.precise(sample, c) for c in sample.citations) / len(sample.citations)


class SpanValidity(Metric):
    name = "span_validity"
    description = "share of citations whose text is exactly the document's text[start:end]"

    def score(self, sample: Sample) -> float:
        if not sample.citations:
            return NAN
        ok = 0
        for c in sample.citations:
            text = sample.documents.get(c.source)
            ok += text is not None and 0 <= c.start <= c.end <= len(text) and text[c.start : c.end] == c.text
        return ok / len(sample.citations)


class AbstentionRecall(Metric):
    name = "abstention_recall"
    description = "unanswerable items the system abstained on"

    def score(self, sample: Sample) -> float:
        return NAN if sample.item.answerable else float(sample.abstained)


class FalseAbstentionRate(Metric):
    name = "false_abstention_rate"
    higher_is_better = False
    description = "answerable items the system abstained on"

    def score(self, sample: Sample) -> float:
        return float(sample.abstained) if sample.item.answerable else NAN


def _evidence_ranks(sample: Sample) -> list[int | None]:
    """Per evidence quote, the 1-based rank of the first retrieved chunk overlapping it."""
    ranks = []
    for spans in sample.evidence:
        rank = next((r for r, got in enumerate(sample.retrieved, 1) if any(overlaps(got, s) for s in spans)), None)
        ranks.append(rank)
    return ranks


class RetrievalRecall(Metric):
    """Share of the item's evidence quotes that some chunk among the top k retrieved overlaps;
    k=None means everything the system retrieved (its own k)."""

    description = "share of evidence quotes overlapped by a retrieved chunk in the top k"

    def __init__(self, k: int | None = None) -> None:
        self.k = k
        self.name = "retrieval_recall_at_k" if k is None else f"retrieval_recall_at_{k}"

    def score(self, sample: Sample) -> float:
        if not sample.item.evidence:
            return NAN
        ranks = _evidence_ranks(sample)
        return sum(r is not None and (self.k is None or r <= self.k) for r in ranks) / len(ranks)


class ReciprocalRank(Metric):
    name = "retrieval_mrr"
    description = "1 / rank of the first retrieved chunk overlapping any gold evidence (0 if none)"

    def score(self, sample: Sample) -> float:
        if not sample.item.evidence:
            return NAN
        found = [r for r in _evidence_ranks(sample) if r is not None]
        return 1.0 / min(found) if found else 0.0


class Latency(Metric):
    higher_is_better = False

    def __init__(self, percentile: float) -> None:
        self.percentile = percentile
        self.name = f"latency_p{percentile:g}_ms"
        self.description = f"{percentile:g}th percentile of the time to answer one question"

    def score(self, sample: Sample) -> float:
        return float(sample.latency_ms)

    def aggregate(self, scores: Sequence[float]) -> float:
        defined = [s for s in scores if not math.isnan(s)]
        return float(np.percentile(defined, self.percentile)) if defined else NAN


def default_metrics() -> list[Metric]:
    return [AnswerAccuracy(), CitationSupport(), CitationPrecision(), SpanValidity(), AbstentionRecall(),
            FalseAbstentionRate(), RetrievalRecall(), ReciprocalRank(), Latency(50), Latency(95)]


# --- results ------------------------------------------------------------------------------------------

@dataclass
class Scores:
    """Per-row scores beside the aggregates, overall and per `kind`."""

    metrics: list[Metric]
    samples: list[Sample]
    rows: list[dict[str, float]]

    @classmethod
    def compute(cls, samples: Sequence[Sample], metrics: Sequence[Metric] | None = None) -> "Scores":
        metrics = list(metrics or default_metrics())
        rows = [{m.name: m.score(s) for m in metrics} for s in samples]
        return cls(metrics, list(samples), rows)

    def _aggregate(self, rows: Sequence[dict[str, float]]) -> dict[str, float]:
        return {m.name: m.aggregate([r[m.name] for r in rows]) for m in self.metrics}

    @property
    def means(self) -> dict[str, float]:
        return self._aggregate(self.rows)

    @property
    def defined(self) -> dict[str, int]:
        """How many samples each metric was defined on."""
        return {m.name: sum(not math.isnan(r[m.name]) for r in self.rows) for m in self.metrics}

    def by_kind(self) -> dict[str, dict[str, float]]:
        kinds: dict[str, list[dict[str, float]]] = {}
        for s, r in zip(self.samples, self.rows):
            kinds.setdefault(s.item.kind, []).append(r)
        return {k: {"n": float(len(rows)), **self._aggregate(rows)} for k, rows in sorted(kinds.items())}

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)
