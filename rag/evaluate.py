"""The eval harness: run a gold set through the product (and the naive baseline) against an index,
score it with rag.metrics, gate it on thresholds, and write results.json and report.md with a diff
against the previous stored run of the same gold file.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from .errors import DocumentNotFound, GoldSetError, ThresholdsError
from .metrics import GoldItem, Sample, Scores, default_metrics, locate_evidence
from .types import Citation, Span

METRIC_NAMES = tuple(m.name for m in default_metrics())
HIGHER_IS_BETTER = {m.name: m.higher_is_better for m in default_metrics()}
FLIP_METRICS = ("answer_accuracy", "citation_support")


# --- inputs ---------------------------------------------------------------------------------------

def load_gold(path: Path) -> list[GoldItem]:
    if not path.is_file():
        raise GoldSetError(f"Gold file {str(path)!r} not found. Pass one with --gold FILE (format: INTERFACES.md, e.g. eval/gold.jsonl).")
    items, seen = [], {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate({**json.loads(line), "line": n})
        except json.JSONDecodeError as exc:
            raise GoldSetError(f"{path} line {n} is not valid JSON ({exc.msg} at column {exc.colno}); fix that line.") from None
        except (ValidationError, TypeError) as exc:
            raise GoldSetError(f"{path} line {n} is malformed: {_first_problem(exc)}. Each line needs id, question, "
                               "answerable, and answers/must_include/evidence lists (see INTERFACES.md).") from None
        if item.id in seen:
            raise GoldSetError(f"{path} line {n}: id {item.id!r} is already used on line {seen[item.id]}; ids must be unique.")
        if item.answerable and not item.evidence:
            raise GoldSetError(f"{path} line {n} ({item.id}): an answerable item needs at least one evidence quote.")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise GoldSetError(f"Gold file {path} has no items; add one JSON object per line.")
    return items


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        e = exc.errors()[0]
        return f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}"
    return "not a JSON object"


@dataclass(frozen=True)
class Thresholds:
    minimum: dict[str, float] = field(default_factory=dict)
    maximum: dict[str, float] = field(default_factory=dict)


def load_thresholds(path: Path) -> Thresholds:
    if not path.is_file():
        raise ThresholdsError(f"Thresholds file {str(path)!r} not found. Pass one with --thresholds FILE (e.g. eval/thresholds.toml).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ThresholdsError(f"{path} is not valid TOML ({exc}); fix it.") from None
    unknown_sections = set(data) - {"min", "max"}
    if unknown_sections:
        raise ThresholdsError(f"{path}: unknown sections {sorted(unknown_sections)}; use [min] and [max] only.")
    out = Thresholds()
    for section, target in (("min", out.minimum), ("max", out.maximum)):
        for name, value in data.get(section, {}).items():
            if name not in METRIC_NAMES:
                raise ThresholdsError(f"{path} [{section}]: unknown metric {name!r}; known: {', '.join(METRIC_NAMES)}.")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ThresholdsError(f"{path} [{section}] {name} = {value!r}: must be a number.")
            target[name] = float(value)
    return out


@dataclass(frozen=True)
class Failure:
    metric: str
    value: float
    bound: float
    side: str  # min | max

    def __str__(self) -> str:
        shown = "undefined" if math.isnan(self.value) else f"{self.value:.4g}"
        rel = "below the minimum" if self.side == "min" else "above the maximum"
        return f"{self.metric} = {shown} is {rel} {self.bound:g}"


def check(metrics: Mapping[str, float], thresholds: Thresholds) -> list[Failure]:
    """Every threshold a metric misses; an undefined (NaN or absent) metric misses its threshold."""
    failures = []
    for name, bound in thresholds.minimum.items():
        value = metrics.get(name, math.nan)
        if math.isnan(value) or value < bound:
            failures.append(Failure(name, value, bound, "min"))
    for name, bound in thresholds.maximum.items():
        value = metrics.get(name, math.nan)
        if math.isnan(value) or value > bound:
            failures.append(Failure(name, value, bound, "max"))
    return failures


# --- systems under test -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Observation:
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    retrieved: tuple[Span, ...]
    latency_ms: float


class System(Protocol):
    name: str
    k: int

    def observe(self, item: GoldItem) -> Observation: ...


class _QueryRecorder:
    """Stands in for `qa.retriever` during one ask, to learn the query the pipeline retrieves with;
    `passes` holds where each of the pipeline's passes (`qa.retrieve` calls) began among them."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.queries: list[tuple[str, dict[str, str] | None, set[str] | None]] = []
        self.passes: list[int] = []

    def counting_passes(self, retrieve):
        def wrapped(*args, **kwargs):
            self.passes.append(len(self.queries))
            return retrieve(*args, **kwargs)
        return wrapped

    def search(self, query: str, k: int | None = None, filters: dict[str, str] | None = None,
               within: set[str] | None = None):
        self.queries.append((query, filters, within))
        return self.inner.search(query, k, filters, within)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class ProductSystem:
    """The product as users get it: `QA.ask`, timed. Retrieval is scored on the top k of
    `retriever.search` for the first query the pipeline itself sent in the pass that gave the
    answer (a follow-up's query carries what it refers back to), so the metric follows the pipeline
    without copying its logic. It swaps `qa.retriever` and `qa.retrieve` during each ask: do not
    point it at a QA that is serving requests meanwhile."""

    name = "product"

    def __init__(self, qa, k: int | None = None) -> None:
        self.qa = qa
        self.k = k or qa.settings.top_k

    def observe(self, item: GoldItem) -> Observation:
        recorder = _QueryRecorder(self.qa.retriever)
        self.qa.retriever = recorder
        self.qa.retrieve = recorder.counting_passes(self.qa.retrieve)
        try:
            t0 = time.perf_counter()
            response = self.qa.ask(item.question, history=item.history)
            latency = (time.perf_counter() - t0) * 1000
        finally:
            self.qa.retriever = recorder.inner
            del self.qa.retrieve
        # the last pass's first search as the pipeline sent it: its query, and the documents it was
        # limited to (an earlier pass abstained; a last pass with no search scores the plain question)
        last = recorder.passes[-1] if recorder.passes else 0
        query, filters, within = recorder.queries[last] if last < len(recorder.queries) else (item.question, None, None)
        hits = recorder.inner.search(query, self.k, filters, within)
        retrieved = tuple(Span(h.chunk.source, h.chunk.start, h.chunk.end, h.chunk.text) for h in hits)
        return Observation(response.answer, response.abstained, tuple(response.citations), retrieved, latency)


class BaselineSystem:
    name = "baseline"

    def __init__(self, naive) -> None:
        self.naive = naive
        self.k = naive.k

    def observe(self, item: GoldItem) -> Observation:
        t0 = time.perf_counter()
        response = self.naive.ask(item.question, item.history)
        latency = (time.perf_counter() - t0) * 1000
        retrieved = tuple(Span(c.source, c.start, c.end, c.text) for c in response.citations)
        return Observation(response.answer, response.abstained, tuple(response.citations), retrieved, latency)


class IndexTexts(Mapping[str, str]):
    """Canonical document texts from the index, read on first use."""

    def __init__(self, index) -> None:
        self.index = index
        self._cache: dict[str, str | None] = {}

    def __getitem__(self, source: str) -> str:
        if source not in self._cache:
            try:
                self._cache[source] = self.index.document(source).text
            except DocumentNotFound:
                self._cache[source] = None
        text = self._cache[source]
        if text is None:
            raise KeyError(source)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(d["source"] for d in self.index.list_documents())

    def __len__(self) -> int:
        return self.index.counts()[0]


def check_evidence(items: Sequence[GoldItem], documents: Mapping[str, str], gold: Path, where: str) -> None:
    """Every evidence quote must occur verbatim in its source as indexed; otherwise the gold file and
    the index disagree and no retrieval or citation score would mean anything."""
    problems = []
    for item in items:
        for ev, spans in zip(item.evidence, locate_evidence(item, documents)):
            if ev.source not in documents:
                problems.append(f"line {item.line} ({item.id}): source {ev.source!r} is not in the index")
            elif not spans:
                problems.append(f"line {item.line} ({item.id}): quote not found verbatim in {ev.source}: {ev.quote[:60]!r}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise GoldSetError(f"{gold} does not match the index in {where}: " + "; ".join(problems[:5]) + more
                           + ". Ingest the documents the gold set cites (`rag ingest`) or fix the quotes.")


# --- running ------------------------------------------------------------------------------------------

@dataclass
class SystemResult:
    name: str
    k: int
    scores: Scores

    @property
    def metrics(self) -> dict[str, float]:
        return self.scores.means

    def items(self) -> list[dict[str, Any]]:
        out = []
        for s, row in zip(self.scores.samples, self.scores.rows):
            out.append({
                "id": s.item.id, "kind": s.item.kind, "question": s.item.question, "answerable": s.item.answerable,
                "answer": s.answer, "abstained": s.abstained, "latency_ms": round(s.latency_ms, 2),
                "citations": [{"source": c.source, "start": c.start, "end": c.end, "text": c.text} for c in s.citations],
                "retrieved": [{"source": r.source, "start": r.start, "end": r.end} for r in s.retrieved],
                "scores": {k: _num(v) for k, v in row.items()},
            })
        return out

    def to_json(self) -> dict[str, Any]:
        return {"k": self.k, "metrics": _nums(self.metrics), "defined": self.scores.defined,
                "by_kind": {k: _nums(v) for k, v in self.scores.by_kind().items()}, "items": self.items()}


def run_system(system: System, items: Sequence[GoldItem], documents: Mapping[str, str],
               progress: Callable[[int, int], None] | None = None) -> SystemResult:
    samples = []
    for n, item in enumerate(items, start=1):
        obs = system.observe(item)
        samples.append(Sample(item, obs.answer, obs.abstained, obs.citations, obs.retrieved, obs.latency_ms,
                              locate_evidence(item, documents), documents))
        if progress:
            progress(n, len(items))
    return SystemResult(system.name, system.k, Scores.compute(samples, default_metrics()))


@dataclass
class EvalResult:
    gold: Path
    gold_sha256: str
    created: str
    index: dict[str, Any]
    product: SystemResult
    baseline: SystemResult | None
    thresholds: Thresholds
    failures: list[Failure]
    seconds: float
    previous: dict[str, Any] | None = None  # the stored run this one is compared with

    @property
    def passed(self) -> bool:
        return not self.failures

    def ratios(self) -> dict[str, float | None]:
        if self.baseline is None:
            return {}
        out = {}
        for name, value in self.product.metrics.items():
            base = self.baseline.metrics.get(name, math.nan)
            out[name] = None if math.isnan(value) or math.isnan(base) or base == 0 else round(value / base, 4)
        return out

    def summary(self) -> dict[str, Any]:
        """The metrics JSON `rag eval --json` prints: means, ratios and the gate, no per-item rows."""
        return {
            "gold": str(self.gold), "created": self.created, "items": len(self.product.scores.samples),
            "product": {"k": self.product.k, "metrics": _nums(self.product.metrics)},
            "baseline": None if self.baseline is None else {"k": self.baseline.k, "metrics": _nums(self.baseline.metrics)},
            "ratios": self.ratios(),
            "gate": {"passed": self.passed, "failures": [str(f) for f in self.failures],
                     "thresholds": {"min": self.thresholds.minimum, "max": self.thresholds.maximum}},
        }

    def to_json(self) -> dict[str, Any]:
        systems = {"product": self.product.to_json()}
        if self.baseline is not None:
            systems["baseline"] = self.baseline.to_json()
        return {**self.summary(), "gold_sha256": self.gold_sha256, "index": self.index, "seconds": round(self.seconds, 1),
                "systems": systems, "diff": diff_runs(self.previous, self) if self.previous else None}


def evaluate(qa, gold: Path, thresholds: Thresholds, baseline: bool = True,
             progress: Callable[[str, int, int], None] | None = None, product: System | None = None) -> EvalResult:
    """Run the gold file against qa's index; `product` replaces the system under test (tests use it to
    prove the gate fails for a broken answerer)."""
    started = time.perf_counter()
    items = load_gold(gold)
    index = qa.index
    documents = IndexTexts(index)
    check_evidence(items, documents, gold, qa.settings.chroma_url or str(index.dir))
    system = product or ProductSystem(qa)
    tick = (lambda name: (lambda n, total: progress(name, n, total))) if progress else (lambda name: None)
    product_result = run_system(system, items, documents, tick(system.name))
    baseline_result = None
    if baseline:
        from .baseline import NaiveRAG

        with tempfile.TemporaryDirectory(prefix="rag-baseline-") as tmp:
            docs = [index.document(d["source"]) for d in index.list_documents()]
            naive = NaiveRAG(docs, index.embeddings, Path(tmp))
            baseline_result = run_system(BaselineSystem(naive), items, documents, tick("baseline"))
    n_docs, n_chunks = index.counts()
    info = {"data_dir": str(index.dir), "documents": n_docs, "chunks": n_chunks,
            "embedding_model": getattr(index.embeddings, "model_id", ""),
            "answerer": getattr(getattr(qa, "answerer", None), "name", ""), "top_k": qa.settings.top_k}
    return EvalResult(
        gold=gold, gold_sha256=hashlib.sha256(gold.read_bytes()).hexdigest(),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"), index=info,
        product=product_result, baseline=baseline_result, thresholds=thresholds,
        failures=check(product_result.metrics, thresholds), seconds=time.perf_counter() - started,
    )


# --- stored runs and the diff between them ---------------------------------------------------------------

def history_dir(report_dir: Path, gold: Path) -> Path:
    return report_dir / "history" / gold.stem


def previous_run(report_dir: Path, gold: Path) -> dict[str, Any] | None:
    runs = sorted(history_dir(report_dir, gold).glob("*.json"))
    for path in reversed(runs):
        try:
            return {**json.loads(path.read_text(encoding="utf-8")), "_path": str(path)}
        except (OSError, json.JSONDecodeError):
            continue  # a run cut off while writing: compare with the one before
    return None


def diff_runs(previous: dict[str, Any], current: EvalResult) -> dict[str, Any]:
    """Which questions flipped between the previous stored run and this one, and how means moved."""
    before = {i["id"]: i for i in previous.get("systems", {}).get("product", {}).get("items", [])}
    now = {i["id"]: i for i in current.product.items()}
    flips: dict[str, dict[str, list[str]]] = {}
    for metric in FLIP_METRICS:
        fixed, broken = [], []
        for qid, item in now.items():
            old = before.get(qid, {}).get("scores", {}).get(metric)
            new = item["scores"].get(metric)
            if old is None or new is None:
                continue
            if old < 1 <= new:
                fixed.append(qid)
            elif new < 1 <= old:
                broken.append(qid)
        flips[metric] = {"fixed": fixed, "broken": broken}
    old_means = previous.get("product", {}).get("metrics", {})
    deltas = {k: round(v - old_means[k], 4) for k, v in _nums(current.product.metrics).items()
              if v is not None and old_means.get(k) is not None}
    return {"previous": previous.get("created"), "previous_file": previous.get("_path"),
            "new_items": sorted(set(now) - set(before)), "removed_items": sorted(set(before) - set(now)),
            "flips": flips, "metric_deltas": deltas}


def write_report(result: EvalResult, report_dir: Path) -> dict[str, Path]:
    """results.json and report.md in report_dir, and a copy of the results under history/ for the
    next run's diff."""
    report_dir.mkdir(parents=True, exist_ok=True)
    if result.previous is None:
        result.previous = previous_run(report_dir, result.gold)
    data = result.to_json()
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    history = history_dir(report_dir, result.gold)
    history.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    paths = {"results": report_dir / "results.json", "report": report_dir / "report.md", "history": history / f"{stamp}.json"}
    paths["history"].write_text(text, encoding="utf-8")
    paths["results"].write_text(text, encoding="utf-8")
    paths["report"].write_text(render_markdown(result, data.get("diff")), encoding="utf-8")
    return paths


# --- presentation -----------------------------------------------------------------------------------------

def fmt(value: float | None, name: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.0f}" if name.endswith("_ms") else f"{value:.3f}"


def threshold_text(name: str, thresholds: Thresholds) -> str:
    parts = []
    if name in thresholds.minimum:
        parts.append(f">= {thresholds.minimum[name]:g}")
    if name in thresholds.maximum:
        parts.append(f"<= {thresholds.maximum[name]:g}")
    return ", ".join(parts)


def metric_rows(result: EvalResult) -> list[tuple[str, str, str, str, str, str]]:
    """(metric, product, baseline, ratio, threshold, status) for the tables."""
    failed = {f.metric for f in result.failures}
    ratios = result.ratios()
    rows = []
    for name, value in result.product.metrics.items():
        base = result.baseline.metrics.get(name) if result.baseline else None
        limit = threshold_text(name, result.thresholds)
        status = "FAIL" if name in failed else ("pass" if limit else "")
        ratio = ratios.get(name)
        rows.append((_label(name, result), fmt(value, name), fmt(base, name),
                     "" if ratio is None else f"{ratio:.2f}x", limit, status))
    return rows


def _label(name: str, result: EvalResult) -> str:
    if name == "retrieval_recall_at_k":
        ks = f"k={result.product.k}" + (f" / {result.baseline.k}" if result.baseline else "")
        return f"{name} ({ks})"
    return name


def rich_table(result: EvalResult):
    from rich.table import Table

    title = f"{result.gold}: {len(result.product.scores.samples)} items, " + ("PASS" if result.passed else "FAIL")
    caption = f"retrieval k: product {result.product.k}" + (f", baseline {result.baseline.k}" if result.baseline else "")
    table = Table(title=title, caption=caption)
    table.add_column("metric", no_wrap=True)
    for col in ("product", "baseline", "ratio", "threshold", "status"):
        table.add_column(col, justify="left" if col == "threshold" else "right", no_wrap=True)
    for name, row in zip(result.product.metrics, metric_rows(result)):
        table.add_row(name, *row[1:], style="red" if row[5] == "FAIL" else None)
    return table


def _cell(text: Any, limit: int = 90) -> str:
    s = " ".join(str(text).split())
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return s.replace("|", "\\|")


def _mark(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return "✓" if v >= 1 else ("✗" if v <= 0 else f"{v:.2f}")


def render_markdown(result: EvalResult, diff: dict[str, Any] | None) -> str:
    p = result.product
    lines = [f"# Eval report: `{result.gold}`", "",
             f"- run: {result.created}, {len(p.scores.samples)} items, {result.seconds:.0f} s",
             f"- index: {result.index.get('data_dir')} ({result.index.get('documents')} documents, "
             f"{result.index.get('chunks')} chunks), answerer `{result.index.get('answerer')}`, top_k {p.k}",
             f"- gate: **{'PASS' if result.passed else 'FAIL'}**" + "".join(f"\n  - {f}" for f in result.failures), "",
             "## Metrics", "",
             "| metric | product | baseline | product/baseline | threshold | status |", "|---|---:|---:|---:|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in metric_rows(result)]
    if result.baseline:
        lines += ["", f"Baseline: LangChain RecursiveCharacterTextSplitter(1000, 200) + Chroma + MiniLM, top-{result.baseline.k}, "
                  "answer = top chunk, citations = whole chunks, never abstains. Citation precision counts a citation "
                  "only when it overlaps gold evidence and is at most 200 characters longer than it."]
    kinds = p.scores.by_kind()
    cols = ("answer_accuracy", "citation_support", "citation_precision", "retrieval_recall_at_k", "retrieval_mrr", "latency_p50_ms")
    lines += ["", "## By kind (product)", "", "| kind | n | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    for kind, m in kinds.items():
        lines.append(f"| {kind} | {int(m['n'])} | " + " | ".join(fmt(m[c], c) for c in cols) + " |")
    lines += ["", "## Changes since the previous run", ""]
    if not diff:
        lines.append("No earlier run of this gold file is stored; the next run will be compared with this one.")
    else:
        lines.append(f"Compared with the run of {diff['previous']}.")
        lines.append("")
        for metric, f in diff["flips"].items():
            lines.append(f"- {metric}: fixed {len(f['fixed'])} ({', '.join(f['fixed']) or '-'}), "
                         f"broken {len(f['broken'])} ({', '.join(f['broken']) or '-'})")
        if diff["new_items"] or diff["removed_items"]:
            lines.append(f"- items added: {', '.join(diff['new_items']) or '-'}; removed: {', '.join(diff['removed_items']) or '-'}")
        moved = {k: v for k, v in diff["metric_deltas"].items() if abs(v) > 1e-9}
        lines.append("- metric changes: " + (", ".join(f"{k} {v:+.3f}" for k, v in moved.items()) or "none"))
    base_items = {i["id"]: i for i in result.baseline.items()} if result.baseline else {}
    rows = p.items()
    rows.sort(key=lambda r: (not _failed(r), r["id"]))
    lines += ["", "## Per question (failures first)", "",
              "| id | kind | correct | cited | precision | recall | RR | ms | baseline cited | question | answer |",
              "|---|---|:-:|:-:|---:|---:|---:|---:|:-:|---|---|"]
    for r in rows:
        s = r["scores"]
        base = base_items.get(r["id"], {}).get("scores", {}).get("citation_support")
        answer = ("[abstained] " if r["abstained"] else "") + r["answer"]
        lines.append(f"| {r['id']} | {r['kind']} | {_mark(s['answer_accuracy'])} | {_mark(s['citation_support'])} | "
                     f"{fmt(s['citation_precision'])} | {fmt(s['retrieval_recall_at_k'])} | {fmt(s['retrieval_mrr'])} | "
                     f"{r['latency_ms']:.0f} | {_mark(base)} | {_cell(r['question'])} | {_cell(answer, 140)} |")
    return "\n".join(lines) + "\n"


def _failed(row: dict[str, Any]) -> bool:
    s = row["scores"]
    return s["answer_accuracy"] == 0 or s["citation_support"] == 0 or (s["span_validity"] is not None and s["span_validity"] < 1)


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), 4)


def _nums(d: Mapping[str, float]) -> dict[str, float | None]:
    return {k: _num(v) for k, v in d.items()}
