"""Public benchmarks (`make bench-quality`): the product on SQuAD 2.0 (dev half), PubMedQA PQA-L and
COVID-QA, read in place from shared/datasets, each corpus written as .txt files into a work folder
outside the repository and ingested with rag.ingest. Results go to <work>/results/*.json and the
tables to eval/BENCHMARKS.md.

    python -m eval.bench_quality [--only squad,pubmedqa,covidqa] [--datasets DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import math
import os
import platform
import re
import string
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_data import (
    BenchDoc,
    BenchQuestion,
    DatasetMissing,
    default_datasets_dir,
    load_covidqa,
    load_pubmedqa,
    load_squad,
    sample_half_unanswerable,
)
from eval.bench_report import plot_sweep, render
from rag.metrics import contains

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ("squad", "pubmedqa", "covidqa")
SQUAD_SEED = 2024
# min_score values swept for the abstention curve; the answerer's default is added to them
SWEEP = tuple(round(x, 3) for x in np.arange(0.0, 0.901, 0.05))
RETRIEVAL_DEPTH = 50  # chunks each retriever returns before chunks are folded into documents
_MARKER = re.compile(r"\s*\[\d+\]")


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


# --- index ---------------------------------------------------------------------------------------------

@dataclass
class Built:
    qa: Any
    documents: int
    chunks: int
    ingest_seconds: float
    embedded_chunks: int


def build_qa(name: str, docs: Sequence[BenchDoc], work: Path, rebuild: bool = False) -> Built:
    """Write the documents as .txt files under work/name/docs and ingest them incrementally, so a
    re-run with the same documents reuses the index (`rebuild` re-embeds everything, e.g. after a
    chunker change)."""
    from rag.cli import open_index
    from rag.embed import set_threads
    from rag.ingest import ingest
    from rag.pipeline import QA
    from rag.settings import Settings

    folder = work / name / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {d.source for d in docs}
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    for d in docs:
        path = folder / d.source
        data = d.text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    settings = Settings(data_dir=work / name / "index", corpus_dir=folder)
    index = open_index(settings, create=True, threads=os.cpu_count())
    step = max(1, len(docs) // 10)
    report = ingest(index, [folder], rebuild, progress=lambda done, total: done % step == 0 and log(f"{name}: parsed {done}/{total} files"))
    log(f"{name}: {report.summary()}")
    if not report.chunks:
        index.rebuild_keyword_index()  # cheap, and keeps the keyword index in step with today's tokeniser
    # a re-run that embedded nothing reports the build it reused
    record = work / name / "ingest.json"
    if report.chunks:
        record.write_text(json.dumps({"seconds": round(report.seconds, 1), "chunks": report.chunks}))
    built = json.loads(record.read_text()) if record.exists() else {"seconds": report.seconds, "chunks": report.chunks}
    set_threads(1)  # one question at a time, as served
    n_docs, n_chunks = index.counts()
    return Built(QA(index, settings), n_docs, n_chunks, built["seconds"], built["chunks"])


class Recorder:
    """Wraps the answerer to keep what QA.ask handed it, so each question's row can say what the
    answerer saw."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[tuple[Any, list]] = []

    def answer(self, q, hits):
        self.calls.append((q, list(hits)))
        return self.inner.answer(q, hits)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class Replay:
    """Memoises QA.retrieve while installed, so the abstention sweep asks every question again
    over exactly the hits the product retrieved. A question may call the answerer more than once
    (two questions asked as one, a second pass, a long message read again as story then
    question), and which calls happen depends on the answers; asking again replays all of that."""

    def __init__(self, qa) -> None:
        self.qa, self.real = qa, qa.retrieve
        self.seen: dict[tuple, list] = {}

    def retrieve(self, q, top_k=None, filters=None, sources=None):
        key = (q, top_k, tuple(sorted((filters or {}).items())), sources)
        if key not in self.seen:
            self.seen[key] = self.real(q, top_k, filters, sources)
        return self.seen[key]

    def __enter__(self) -> "Replay":
        self.qa.retrieve = self.retrieve
        return self

    def __exit__(self, *exc) -> None:
        del self.qa.retrieve  # the class's method again


# --- scoring -------------------------------------------------------------------------------------------

def squad_normalize(text: str) -> str:
    """The official SQuAD evaluation's normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: str) -> float:
    return float(squad_normalize(prediction) == squad_normalize(gold))


def token_f1(prediction: str, gold: str) -> float:
    p, g = squad_normalize(prediction).split(), squad_normalize(gold).split()
    if not p or not g:
        return float(p == g)
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def _overlaps(a, b) -> bool:
    return a.source == b.source and a.start < b.end and b.start < a.end


@dataclass
class QARow:
    id: str
    answerable: bool
    abstained: bool
    contains_answer: bool
    em: float
    f1: float
    cited: bool  # a citation overlaps a gold answer span (answered items only)
    span_retrieved: bool  # a hit the answerer saw overlaps a gold span
    doc_retrieved: bool  # a hit the answerer saw comes from the gold document
    latency_ms: float


def _mean(values: Sequence[float]) -> float | None:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return round(float(np.mean(values)), 4) if values else None


def run_qa(qa, questions: Sequence[BenchQuestion], sweep: Sequence[float] = (), name: str = "") -> dict[str, Any]:
    """Ask every question through QA.ask; score answers, citations and what retrieval handed the
    answerer; optionally sweep the answerer's min_score over the same hits."""
    recorder = Recorder(qa.answerer)
    with Replay(qa):
        qa.answerer = recorder
        try:
            rows = [_row(qa, recorder, q) for q in _logged(questions, name)]
        finally:
            qa.answerer = recorder.inner
        result = {"summary": summarize(rows), "rows": [asdict(r) for r in rows]}
        if sweep:
            result["sweep"] = abstention_sweep(qa, questions, rows, sweep)
    return result


def _logged(questions: Sequence[BenchQuestion], name: str):
    for n, q in enumerate(questions, start=1):
        yield q
        if n % 100 == 0:
            log(f"{name}: {n}/{len(questions)} questions")


def _row(qa, recorder: Recorder, q: BenchQuestion) -> QARow:
    t0 = time.perf_counter()
    r = qa.ask(q.question)
    latency = (time.perf_counter() - t0) * 1000
    _, hits = recorder.calls[-1]
    prediction = "" if r.abstained else _MARKER.sub("", r.answer).strip()
    golds = q.answers if q.answerable else ("",)
    return QARow(
        id=q.id, answerable=q.answerable, abstained=r.abstained,
        contains_answer=q.answerable and not r.abstained and any(contains(r.answer, a) for a in q.answers),
        em=max(exact_match(prediction, g) for g in golds), f1=max(token_f1(prediction, g) for g in golds),
        cited=q.answerable and not r.abstained and any(_overlaps(c, s) for c in r.citations for s in q.spans),
        span_retrieved=any(_overlaps(h.chunk, s) for h in hits for s in q.spans),
        doc_retrieved=any(h.chunk.source == q.source for h in hits),
        latency_ms=round(latency, 2),
    )


def summarize(rows: Sequence[QARow]) -> dict[str, Any]:
    yes = [r for r in rows if r.answerable]
    no = [r for r in rows if not r.answerable]
    answered = [r for r in yes if not r.abstained]
    latencies = [r.latency_ms for r in rows]
    return {
        "questions": len(rows), "answerable": len(yes), "unanswerable": len(no),
        "contains_answer": _mean([r.contains_answer for r in yes]),
        "contains_answer_when_answered": _mean([r.contains_answer for r in answered]),
        "exact_match": _mean([r.em for r in rows]), "f1": _mean([r.f1 for r in rows]),
        "has_answer_exact_match": _mean([r.em for r in yes]), "has_answer_f1": _mean([r.f1 for r in yes]),
        "citation_support": _mean([r.cited for r in yes]),
        "citation_support_when_answered": _mean([r.cited for r in answered]),
        "abstention_recall": _mean([r.abstained for r in no]),
        "false_abstention_rate": _mean([r.abstained for r in yes]),
        "span_recall_at_k": _mean([r.span_retrieved for r in yes]),
        "doc_recall_at_k": _mean([r.doc_retrieved for r in yes]),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
    }


def abstention_sweep(qa, questions: Sequence[BenchQuestion], rows: Sequence[QARow],
                     sweep: Sequence[float]) -> dict[str, Any]:
    """Abstention recall against false-abstention rate as the answerer's min_score moves: every
    question asked again through QA.ask (inside `Replay`, so over the hits already retrieved)."""
    answerer = qa.answerer
    default = float(answerer.min_score)
    points, agree = [], None
    yes = [i for i, g in enumerate(questions) if g.answerable]
    no = [i for i, g in enumerate(questions) if not g.answerable]
    try:
        for threshold in sorted({*sweep, round(default, 3)}):
            variant = copy.copy(answerer)
            variant.min_score = threshold
            qa.answerer = variant
            asked = [qa.ask(g.question) for g in questions]
            abstained = [r.abstained for r in asked]
            correct = [g.answerable and not r.abstained and any(contains(r.answer, x) for x in g.answers)
                       for r, g in zip(asked, questions)]
            points.append({
                "min_score": threshold, "default": math.isclose(threshold, default),
                "abstention_recall": _mean([abstained[i] for i in no]),
                "false_abstention_rate": _mean([abstained[i] for i in yes]),
                "contains_answer": _mean([correct[i] for i in yes]),
            })
            if math.isclose(threshold, default):
                agree = _mean([a == r.abstained for a, r in zip(abstained, rows)])
    finally:
        qa.answerer = answerer
    return {"default_min_score": default, "agreement_with_ask_at_default": agree, "points": points}


def run_retrieval(index, retriever, questions: Sequence[BenchQuestion], depth: int = RETRIEVAL_DEPTH) -> dict[str, Any]:
    """Rank of each question's own document under dense, keyword and hybrid retrieval."""
    from rag.text import tokens

    ranks: dict[str, list[int | None]] = {"dense": [], "keyword": [], "hybrid": []}
    for n, q in enumerate(questions, start=1):
        qvec = np.asarray(index.embeddings.embed_query(q.question), dtype=np.float32)
        dense = [i for i, _ in index.dense_search(qvec, depth)]
        keyword = [i for i, _ in index.keyword.search(tokens(q.question), depth)]
        chunks = index.chunks(dense + keyword)
        hybrid = [h.chunk.source for h in retriever.search(q.question, depth)]
        for name, sources in (("dense", [chunks[i].source for i in dense if i in chunks]),
                              ("keyword", [chunks[i].source for i in keyword if i in chunks]), ("hybrid", hybrid)):
            ranked = list(dict.fromkeys(sources))
            ranks[name].append(ranked.index(q.source) + 1 if q.source in ranked else None)
        if n % 200 == 0:
            log(f"retrieval: {n}/{len(questions)} questions")
    return {name: retrieval_scores(r) for name, r in ranks.items()}


def retrieval_scores(ranks: Sequence[int | None]) -> dict[str, float | None]:
    """Recall@1/5/10, MRR and nDCG@10 with one relevant document per question."""
    def at(k: int) -> float | None:
        return _mean([r is not None and r <= k for r in ranks])

    return {"recall_at_1": at(1), "recall_at_5": at(5), "recall_at_10": at(10),
            "mrr": _mean([1 / r if r else 0.0 for r in ranks]),
            "ndcg_at_10": _mean([1 / math.log2(r + 1) if r and r <= 10 else 0.0 for r in ranks]),
            "questions": len(ranks)}


# --- benchmarks ------------------------------------------------------------------------------------------

def bench_squad(datasets: Path, work: Path, n: int, seed: int, rebuild: bool = False) -> dict[str, Any]:
    docs, questions = load_squad(datasets)
    sample = sample_half_unanswerable(questions, n, seed)
    built = build_qa("squad", docs, work, rebuild)
    log(f"squad: {len(sample)} questions ({sum(q.answerable for q in sample)} answerable), seed {seed}")
    result = run_qa(built.qa, sample, SWEEP, "squad")
    return {**describe(built, "squad"), "seed": seed, **result}


def bench_pubmedqa(datasets: Path, work: Path, rebuild: bool = False) -> dict[str, Any]:
    docs, questions = load_pubmedqa(datasets)
    built = build_qa("pubmedqa", docs, work, rebuild)
    log(f"pubmedqa: {len(questions)} questions, retrieval only")
    scores = run_retrieval(built.qa.index, built.qa.retriever, questions)
    return {**describe(built, "pubmedqa"), "retrieval": scores, "depth_chunks": RETRIEVAL_DEPTH}


def bench_covidqa(datasets: Path, work: Path, rebuild: bool = False) -> dict[str, Any]:
    docs, questions, fixed = load_covidqa(datasets)
    built = build_qa("covidqa", docs, work, rebuild)
    log(f"covidqa: {len(questions)} questions ({fixed} answer offsets repaired)")
    return {**describe(built, "covidqa"), "offsets_repaired": fixed, **run_qa(built.qa, questions, (), "covidqa")}


def describe(built: Built, name: str) -> dict[str, Any]:
    return {"benchmark": name, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "documents": built.documents, "chunks": built.chunks, "ingest_seconds": built.ingest_seconds,
            "embedded_chunks": built.embedded_chunks, "top_k": built.qa.settings.top_k,
            "answerer": built.qa.answerer.name}


def machine() -> str:
    cpu = ""
    try:
        cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                    if l.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()}-core CPU{f' ({cpu})' if cpu else ''}, no GPU, Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated: " + ", ".join(BENCHMARKS))
    parser.add_argument("--datasets", type=Path, default=None, help="the shared datasets folder (default: ../shared/datasets)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rag-bench",
                        help="where corpora, indexes and results go (reused between runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "BENCHMARKS.md")
    parser.add_argument("--squad-questions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SQUAD_SEED)
    parser.add_argument("--rebuild", action="store_true", help="re-embed every corpus (after a chunker or model change)")
    parser.add_argument("--render-only", action="store_true", help="rewrite the report from the stored results, run nothing")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    datasets = args.datasets or default_datasets_dir()
    chosen = [] if args.render_only else [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {', '.join(BENCHMARKS)}")
    results_dir = args.work / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "squad": lambda: bench_squad(datasets, args.work, args.squad_questions, args.seed, args.rebuild),
        "pubmedqa": lambda: bench_pubmedqa(datasets, args.work, args.rebuild),
        "covidqa": lambda: bench_covidqa(datasets, args.work, args.rebuild),
    }
    try:
        for name in chosen:
            started = time.perf_counter()
            result = runners[name]()
            result["seconds"] = round(time.perf_counter() - started, 1)
            (results_dir / f"{name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
            log(f"{name}: done in {result['seconds']:.0f} s: {json.dumps(result.get('summary') or result.get('retrieval'))}")
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(results_dir.glob("*.json")) if p.stem in BENCHMARKS}
    plot = None
    if "squad" in results and results["squad"].get("sweep"):
        png = args.out.parent / "bench_squad_abstention.png"
        plot = png.name if plot_sweep(results["squad"]["sweep"], png) else None
    args.out.write_text(render(results, plot), encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
