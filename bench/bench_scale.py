"""Scale benchmarks over the ClinicalTrials.gov registry (6,786 study records).

    python bench/bench_scale.py ingest   # full ingest of corpus/ + the registry, timed
    python bench/bench_scale.py model    # the model-only limit: MiniLM alone on the same texts
    python bench/bench_scale.py latency  # warm query latency at 4 documents, the registry, 200k chunks
    python bench/bench_scale.py variants # fp32 vs int8 (dynamic quantisation) vs ONNX: speed and recall
    python bench/bench_scale.py report   # write BENCHMARKS.md from the results so far
    python bench/bench_scale.py all      # everything above, in order

Each step saves its numbers to eval/runs/bench/<step>.json (git-ignored) so steps can run apart, e.g.
the hour-long ingest in the background while the rest is developed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                     ("ANONYMIZED_TELEMETRY", "False"), ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_key, _value)

DATASET = Path("/work/shared/datasets/ctgov_xml/ctgov_xml_records.tar.gz")
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "eval" / "runs" / "bench"))  # git-ignored
DEFAULT_RECORDS = Path(os.environ.get("BENCH_RECORDS", "/tmp/ctgov/records"))
DEFAULT_DATA = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/registry-index"))


# --- shared helpers -------------------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def save(step: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{step}.json").write_text(json.dumps(data, indent=2))
    log(f"saved {RESULTS / (step + '.json')}")


def load_result(step: str) -> dict | None:
    path = RESULTS / f"{step}.json"
    return json.loads(path.read_text()) if path.exists() else None


def peak_rss_mb() -> dict:
    """Peak resident memory of this process and of its finished children (the parse workers)."""
    return {"self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def cpu_seconds() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem, 1), "python": platform.python_version(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "os": platform.platform()}


def ensure_records(records: Path) -> Path:
    if records.exists():
        return records
    import tarfile

    log(f"unpacking {DATASET} into {records.parent}")
    records.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(DATASET) as tar:
        tar.extractall(records.parent, filter="data")
    return records


def ensure_ctgov_loaders() -> None:
    """Registers the trial-registry loaders when rag/load.py does not (yet) do it itself."""
    from rag import load
    from rag.load_ctgov import load_ctgov_json, load_ctgov_xml

    load.LOADERS.setdefault(".xml", load_ctgov_xml)
    load.LOADERS.setdefault(".json", load_ctgov_json)


def slice_folder(args) -> Path:
    """The first N records, as symlinks, for slice runs: sources keep their registry-relative names."""
    return args.records.parent / f"first{args.limit}"


def settings_for(data_dir: Path):
    from rag.settings import Settings

    return Settings(data_dir=data_dir, corpus_dir=ROOT / "corpus")


def percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    at = lambda q: ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(at(0.95), 1), "max_ms": round(ms[-1], 1),
            "n": len(ms)}


# --- ingest -----------------------------------------------------------------------------------------

def bench_ingest(args) -> dict:
    """Full ingest of corpus/ + the registry, as `rag ingest` does it, with the embedding calls
    timed and their texts saved (texts.jsonl.gz) so `model` can replay exactly the same batches."""
    from rag.cli import open_index
    from rag.ingest import ingest

    ensure_ctgov_loaders()
    records = ensure_records(args.records)
    paths = [ROOT / "corpus", records]
    if args.limit:
        sliced = slice_folder(args)
        sliced.mkdir(parents=True, exist_ok=True)
        for f in sorted(records.rglob("*.xml"))[: args.limit]:
            target = sliced / f.relative_to(records)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(f)
        paths = [ROOT / "corpus", sliced]
    settings = settings_for(args.data_dir)
    index = open_index(settings, create=True, threads=os.cpu_count())
    model = index.embeddings
    batches: list[dict] = []
    texts_out = gzip.open(args.data_dir / "texts.jsonl.gz", "wt", compresslevel=1)  # recording must not slow the ingest
    inner = model.embed_array

    def timed_embed(texts):
        t0 = time.perf_counter()
        out = inner(texts)
        batches.append({"n": len(texts), "seconds": time.perf_counter() - t0, "chars": sum(map(len, texts))})
        texts_out.write(json.dumps(texts) + "\n")
        return out

    model.embed_array = timed_embed
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == total:
            last[0] = time.perf_counter()
            chunks = sum(b["n"] for b in batches)
            log(f"{done}/{total} files, {chunks} chunks embedded, load {os.getloadavg()[0]:.2f}")

    load_before, cpu_before = os.getloadavg(), cpu_seconds()
    t0 = time.perf_counter()
    report = ingest(index, paths, rebuild=args.rebuild, progress=progress)
    wall = time.perf_counter() - t0
    texts_out.close()
    embed_s = sum(b["seconds"] for b in batches)
    docs, chunks = index.counts()
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "data_dir": str(args.data_dir), "records": str(records), "limit": args.limit,
        "summary": report.summary(), "added": report.added, "skipped": report.skipped[:20],
        "n_skipped": len(report.skipped), "documents": docs, "index_chunks": chunks,
        "chunks_embedded": report.chunks, "runtime": model.runtime, "wall_s": round(wall, 1),
        "chunks_per_s": round(report.chunks / wall, 1) if wall else 0,
        "embed_s": round(embed_s, 1), "embed_share": round(embed_s / wall, 3) if wall else 0,
        "embed_calls": len(batches),
        "cpu_s": round(cpu_seconds() - cpu_before, 1),
        "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
        "peak_memory": peak_rss_mb(), "machine": machine(),
    }
    log(json.dumps(result, indent=2))
    save("ingest" if not args.limit else f"ingest-slice{args.limit}", result)
    return result


# --- the model-only limit ---------------------------------------------------------------------------

def recorded_calls(data_dir: Path) -> list[list[str]]:
    """The embedding calls an ingest made (texts.jsonl.gz); a file still being written ends early."""
    calls = []
    try:
        with gzip.open(data_dir / "texts.jsonl.gz", "rt") as f:
            for line in f:
                calls.append(json.loads(line))
    except (EOFError, OSError, json.JSONDecodeError):
        pass
    return calls


def bench_model(args) -> dict:
    """MiniLM alone, on the very calls the ingest made (same texts, same length-sorted batches of 64,
    same threads): the ceiling an ingest can approach. A random share of the calls is replayed."""
    from rag.embed import MiniLMEmbeddings, set_threads

    calls = recorded_calls(args.data_dir)
    if not calls:
        raise SystemExit(f"no recorded embedding calls in {args.data_dir}; run the ingest step first")
    rng = random.Random(7)
    picked = sorted(rng.sample(range(len(calls)), max(1, round(len(calls) * args.sample))))
    set_threads(os.cpu_count())
    ingest = load_result(args.ingest_result)
    model = MiniLMEmbeddings(runtime=(ingest or {}).get("runtime", "torch"))  # the runtime the ingest used
    model.embed_array(calls[picked[0]][:128])  # warm-up
    n, cpu0, t0 = 0, cpu_seconds(), time.perf_counter()
    for i in picked:
        model.embed_array(calls[i])
        n += len(calls[i])
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    result = {"date": dt.datetime.now().isoformat(timespec="seconds"), "data_dir": str(args.data_dir),
              "calls_replayed": len(picked), "calls_recorded": len(calls), "chunks": n, "wall_s": round(wall, 1),
              "chunks_per_s": round(n / wall, 1), "chunks_per_cpu_s": round(n / cpu, 2), "loadavg": os.getloadavg(),
              "batch_size": model.batch_size, "runtime": model.runtime, "machine": machine()}
    if ingest and ingest.get("data_dir") == str(args.data_dir):
        result["ingest_chunks_per_s"] = ingest["chunks_per_s"]
        result["ratio_wall"] = round(ingest["chunks_per_s"] / result["chunks_per_s"], 3)
        if ingest.get("cpu_s"):
            result["ingest_chunks_per_cpu_s"] = round(ingest["chunks_embedded"] / ingest["cpu_s"], 2)
            result["ratio_cpu"] = round(result["ingest_chunks_per_cpu_s"] / result["chunks_per_cpu_s"], 3)
    log(json.dumps(result, indent=2))
    save(f"model-{args.ingest_result}", result)
    return result


# --- query latency at three sizes ---------------------------------------------------------------------

def build_corpus_index(data_dir: Path) -> None:
    from rag.cli import open_index
    from rag.ingest import ingest

    if (data_dir / "index.sqlite").exists():
        return
    index = open_index(settings_for(data_dir), create=True, threads=os.cpu_count())
    log(ingest(index, [ROOT / "corpus"]).summary())


def current_derived(data_dir: Path) -> None:
    """Rebuild an index's keyword and entity indexes if they predate the code that reads them (as
    the next `rag ingest` would), so a measurement never runs on a stale derivation."""
    from rag.embed import default_embeddings
    from rag.ingest import ingest_lock
    from rag.store import DERIVED_VERSION, Index

    index = Index(settings_for(data_dir), default_embeddings())
    if index.meta("derived_version") != DERIVED_VERSION:
        t0 = time.perf_counter()
        with ingest_lock(index.dir):
            index.rebuild_keyword_index()
        log(f"{data_dir}: keyword and entity indexes rebuilt in {time.perf_counter() - t0:.0f}s")


def build_synthetic(source_dir: Path, out_dir: Path, target: int, sigma: float = 0.01, seed: int = 3) -> None:
    """A big index without embedding it all: the source index's documents copied under new names
    (copyNNN/...) until `target` chunks, each vector the original plus small Gaussian noise,
    renormalised, in its own Chroma collection, with the bm25 index rebuilt over the repeated texts."""
    import numpy as np

    from rag.embed import default_embeddings
    from rag.store import Index
    from rag.types import Chunk, Document

    if (out_dir / "index.sqlite").exists():
        have = Index(settings_for(out_dir), default_embeddings()).counts()[1]
        if have >= target:
            return
        raise SystemExit(f"{out_dir} holds {have} chunks, fewer than {target}; delete it and run again")
    rng = np.random.default_rng(seed)
    src = Index(settings_for(source_dir), default_embeddings())
    dst = Index(settings_for(out_dir), default_embeddings(), create=True)
    originals = []
    for d in src.list_documents():
        doc, chunks = src.document(d["source"]), src.document_chunks(d["source"])
        vectors = src.vectors([c.id for c in chunks])
        originals.append((doc, chunks, np.stack([vectors[c.id] for c in chunks])))
    total, copy = 0, 0
    log(f"synthetic index: {len(originals)} source documents, target {target} chunks")
    while total < target:
        for doc, chunks, vecs in originals:
            name = doc.source if copy == 0 else f"copy{copy:03d}/{doc.source}"
            if copy and "/" not in doc.source:
                continue  # the four corpus documents once; the registry records over and over
            new_doc = Document(name, doc.title, doc.text, doc.content_hash, doc.metadata, doc.pages)
            new_chunks = [Chunk(name, c.start, c.end, c.text, c.ordinal, c.heading, c.kind) for c in chunks]
            noisy = vecs if copy == 0 else vecs + rng.normal(0, sigma, vecs.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            dst.replace_document(new_doc, new_chunks, noisy)
            total += len(chunks)
            if total >= target:
                break
        copy += 1
        log(f"  {total} chunks")
    dst.rebuild_keyword_index()


def latency_questions(data_dir: Path, limit: int) -> list[dict]:
    """The gold questions over corpus/ and the registry questions whose trial is in this index."""
    gold = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text().splitlines() if line.strip()]
    reg_file = ROOT / "eval" / "runs" / "registry" / "questions.jsonl"
    registry = [json.loads(line) for line in reg_file.read_text().splitlines()] if reg_file.exists() else []
    import sqlite3

    db = sqlite3.connect(data_dir / "index.sqlite")
    have = {s for (s,) in db.execute("SELECT source FROM documents")}
    registry = [q for q in registry if not q["answerable"] or q["evidence"][0]["source"] in have]
    rng = random.Random(11)
    rng.shuffle(registry)
    items = gold[: limit // 2] + registry[: limit - min(limit // 2, len(gold))]
    return items


def measure(qa, questions: list[dict], filters: dict | None = None) -> dict:
    from rag.types import Turn

    cache = getattr(qa.index.embeddings, "_query_cache", None)
    if cache is not None:  # each pass embeds its questions afresh, as a server sees new questions
        cache.cache_clear()
    total, retrieve = [], []
    for q in questions:
        history = [Turn(**t) for t in q.get("history", [])]
        t0 = time.perf_counter()
        response = qa.ask(q["question"], history=history, filters=filters)
        total.append((time.perf_counter() - t0) * 1000)
        retrieve.append(response.timings_ms["retrieve"])
    return {"total": percentiles(total), "retrieve": percentiles(retrieve)}


def bench_latency(args) -> dict:
    from rag.cli import open_index
    from rag.pipeline import QA

    base = args.data_dir
    corpus4 = base.parent / (base.name + "-corpus4")
    synthetic = base.parent / (base.name + f"-{args.synthetic_chunks // 1000}k")
    build_corpus_index(corpus4)
    if "synthetic" in args.sizes:
        build_synthetic(args.synthetic_source or base, synthetic, args.synthetic_chunks)
    questions = latency_questions(base, args.questions)
    warm = [{"question": q} for q in ("What is this about?", "Who is the sponsor?", "What phase is the study in?",
                                       "How many participants will enroll?", "When does the study end?")]
    out = load_result("latency") or {}
    out.update({"date": dt.datetime.now().isoformat(timespec="seconds"), "questions": len(questions),
                "machine": machine()})
    out.setdefault("sizes", {})
    for name, data_dir in (("4 documents", corpus4), ("registry", base), ("synthetic", synthetic)):
        if name.split()[0] not in args.sizes:
            continue
        current_derived(data_dir)
        settings = settings_for(data_dir)
        qa = QA(open_index(settings), settings)  # one torch thread per worker, as `rag serve`
        docs, chunks = qa.index.counts()
        measure(qa, warm)
        row = {"data_dir": str(data_dir), "documents": docs, "chunks": chunks, "loadavg": os.getloadavg(),
               **measure(qa, questions)}
        if name != "4 documents":
            for label, filters in (("phase=Phase 2", {"phase": "Phase 2"}),
                                   ("phase=Phase 2, status=Recruiting", {"phase": "Phase 2", "status": "Recruiting"})):
                row[f"filtered {label}"] = measure(qa, questions[:40], filters)["total"]
        out["sizes"][name] = row
        log(f"{name}: {docs} documents, {chunks} chunks: {row['total']}")
    save("latency", out)
    return out


# --- int8 and ONNX inference of the same model -----------------------------------------------------------

def variant(name: str):
    """The same MiniLM weights under another runtime: PyTorch fp32, PyTorch with int8 dynamic
    quantisation (its own model_id: its vectors differ), or ONNX Runtime (the product's default
    where it exports, rag.embed.onnx_model)."""
    from rag.embed import MiniLMEmbeddings

    if name == "fp32":
        return MiniLMEmbeddings(runtime="torch")
    if name == "onnx":
        return MiniLMEmbeddings(runtime="onnx")
    if name == "int8":
        class Int8MiniLM(MiniLMEmbeddings):
            model_id = MiniLMEmbeddings.model_id + " int8-dynamic"

            def __init__(self) -> None:
                super().__init__(runtime="torch")
                import torch

                module = self.model[0]  # sentence-transformers' Transformer; its HF model is `.model`
                module.model = torch.ao.quantization.quantize_dynamic(module.model, {torch.nn.Linear}, dtype=torch.qint8)

        return Int8MiniLM()
    raise ValueError(name)


def bench_variants(args) -> dict:
    """Throughput of fp32 / int8 / ONNX on a sample of the ingest's texts, their agreement with fp32,
    and retrieval quality of an index each builds over corpus/ + a registry slice, scored with the
    eval harness on eval/gold.jsonl and on the slice's registry questions."""
    import numpy as np

    from rag.embed import set_threads
    from rag.evaluate import Thresholds, evaluate
    from rag.ingest import ingest
    from rag.pipeline import QA
    from rag.store import Index

    ensure_ctgov_loaders()
    calls = recorded_calls(args.data_dir)
    texts = [t for call in calls for t in call]
    texts = random.Random(5).sample(texts, min(args.texts, len(texts)))
    slice_dir = args.variant_records
    gold_files = [ROOT / "eval" / "gold.jsonl"] + ([args.variant_gold] if args.variant_gold else [])
    out = load_result("variants") or {"variants": {}}  # runtimes measured in an earlier run stay
    out.update({"date": dt.datetime.now().isoformat(timespec="seconds"), "texts": len(texts), "machine": machine()})
    reference = variant("fp32").embed_array(texts) if args.variants[0] != "fp32" else None
    for name in args.variants:
        set_threads(os.cpu_count())
        try:
            model = variant(name)
        except Exception as exc:  # an optional runtime that is not installed: report, go on
            out["variants"][name] = {"error": f"{exc.__class__.__name__}: {exc}"}
            log(f"{name}: unavailable ({exc})")
            continue
        model.embed_array(texts[:128])
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        vectors = model.embed_array(texts)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        if reference is None:
            reference = vectors
        row = {"chunks_per_s": round(len(texts) / wall, 1), "chunks_per_cpu_s": round(len(texts) / cpu, 2),
               "cosine_to_fp32_mean": round(float(np.mean(np.sum(vectors * reference, axis=1))), 5),
               "cosine_to_fp32_min": round(float(np.min(np.sum(vectors * reference, axis=1))), 5),
               "loadavg": os.getloadavg()}
        data_dir = args.data_dir.parent / (args.data_dir.name + f"-variant-{name}")
        if name == "fp32" and args.fp32_index:
            data_dir = args.fp32_index  # the slice's own ingest: the same documents, the product's model
        index = Index(settings_for(data_dir), model, create=True)
        report = ingest(index, [ROOT / "corpus", slice_dir])
        row["index"] = {"data_dir": str(data_dir), "chunks": index.counts()[1], "ingest": report.summary()}
        set_threads(1)
        qa = QA(index, settings_for(data_dir))
        for gold in gold_files:
            result = evaluate(qa, gold, Thresholds(), baseline=False)
            row[gold.name] = {k: round(v, 4) for k, v in result.product.metrics.items() if v == v}
        out["variants"][name] = row
        log(f"{name}: {json.dumps(row)}")
        save("variants", out)
    return out


# --- quality at scale (eval/registry_questions.py) ---------------------------------------------------------

def bench_quality(args) -> dict:
    sys.path.insert(0, str(ROOT / "eval"))
    import registry_questions as rq

    gold = args.registry_gold or rq.DEFAULT_OUT
    if not gold.exists():
        rq.write_jsonl(rq.generate(args.records), gold)
    build_corpus_index(args.data_dir.parent / (args.data_dir.name + "-corpus4"))
    for data_dir in (args.data_dir, args.data_dir.parent / (args.data_dir.name + "-corpus4")):
        current_derived(data_dir)
    out = {"date": dt.datetime.now().isoformat(timespec="seconds"),
           "registry": rq.score(gold, args.data_dir),
           "gold_small": rq.score(ROOT / "eval" / "gold.jsonl", args.data_dir.parent / (args.data_dir.name + "-corpus4")),
           "gold_large": rq.score(ROOT / "eval" / "gold.jsonl", args.data_dir)}
    save("quality", out)
    return out


# --- BENCHMARKS.md -----------------------------------------------------------------------------------------

def _f(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def report(args) -> str:
    ingest, model, lat = load_result("ingest"), load_result("model-ingest"), load_result("latency")
    quality, variants = load_result("quality"), load_result("variants")
    slices = sorted(RESULTS.glob("ingest-*.json"))  # slices, and earlier runs kept as ingest-<name>.json
    m = (ingest or lat or variants or {}).get("machine", {}) or machine()
    lines = [
        "# Scale benchmarks",
        "",
        f"Written by `bench/bench_scale.py report` on {dt.date.today().isoformat()}. Machine: {m.get('cpu', '?')}, "
        f"{m.get('cores', '?')} cores, {m.get('memory_gb', '?')} GB RAM, Python {m.get('python', '?')}, "
        f"torch {m.get('torch', '?')} (CPU). The CPU is shared with other work: each row gives the load average "
        "it ran under, and per-CPU-second rates next to wall-clock ones, since only the former survive contention.",
        "",
        "Data: the 4 default documents (`corpus/`) plus the ClinicalTrials.gov registry "
        "(6,786 legacy-XML study records, `../shared/datasets/ctgov_xml`), one document per record "
        "(`rag/load_ctgov.py`). See bench/README.md for how to run each step.",
        "",
        "## Ingestion",
        "",
        "| run | documents | chunks embedded | wall | chunks/s | chunks per CPU-s | model-only chunks/s | ratio (wall) | ratio (CPU) | embed share of wall | peak RSS main / workers | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    label = "registry" + (f" (stopped: {ingest.get('registry_documents', 0):,} of 6,786 records)" if ingest and ingest.get("partial") else "")
    runs = [(ingest.get("label", label) if ingest else label, ingest, model)] + [
        (p.stem.replace("ingest-", ""), json.loads(p.read_text()), load_result("model-" + p.stem)) for p in slices]
    for label, ing, mod in runs:
        if not ing:
            continue
        mod = mod or {}
        cpu_rate = ing["chunks_embedded"] / ing["cpu_s"] if ing.get("cpu_s") else None
        lines.append(
            f"| {label} | {ing['documents']:,} | {ing['chunks_embedded']:,} | {ing['wall_s'] / 60:.1f} min | "
            f"{_f(ing['chunks_per_s'])} | {_f(cpu_rate, 2)} | {_f(mod.get('chunks_per_s'))} | "
            f"{_f(mod.get('ratio_wall'), 2)} | {_f(mod.get('ratio_cpu'), 2)} | "
            f"{'–' if ing.get('embed_share') is None else format(ing['embed_share'], '.0%')} | "
            f"{ing['peak_memory']['self_mb']:,.0f} / {ing['peak_memory']['children_mb']:,.0f} MB | "
            f"{ing['loadavg_before'][0]:.1f}–{ing['loadavg_after'][0]:.1f} |")
    if lat:
        lines += ["", "## Query latency (warm, `QA.ask`, one torch thread as `rag serve`)", "",
                  f"{lat['questions']} questions each (half eval/gold.jsonl, half registry questions), after a warm-up.", "",
                  "| index | documents | chunks | p50 | p95 | retrieve p50 | filtered phase=Phase 2 p50 / p95 | filtered phase+status p50 / p95 | load avg |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, row in sorted(lat["sizes"].items(), key=lambda kv: kv[1]["chunks"]):
            f1, f2 = row.get("filtered phase=Phase 2"), row.get("filtered phase=Phase 2, status=Recruiting")
            lines.append(
                f"| {name} | {row['documents']:,} | {row['chunks']:,} | {row['total']['p50_ms']:.0f} ms | "
                f"{row['total']['p95_ms']:.0f} ms | {row['retrieve']['p50_ms']:.0f} ms | "
                + (f"{f1['p50_ms']:.0f} / {f1['p95_ms']:.0f} ms | " if f1 else "– | ")
                + (f"{f2['p50_ms']:.0f} / {f2['p95_ms']:.0f} ms | " if f2 else "– | ")
                + f"{row['loadavg'][0]:.1f} |")
    if quality:
        lines += ["", "## Answer quality at scale (eval harness, `rag.evaluate`, no baseline)", "",
                  "| gold set | index | items | answer accuracy | citation support | citation precision | abstention recall | retrieval recall@8 | MRR |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for label, key in (("registry questions", "registry"), ("eval/gold.jsonl", "gold_small"), ("eval/gold.jsonl", "gold_large")):
            q = quality.get(key)
            if not q:
                continue
            mt = q["product"]["metrics"]
            lines.append(f"| {label} | {q['index']['documents']:,} docs, {q['index']['chunks']:,} chunks | {q['items']} | "
                         + " | ".join(_f(mt.get(k), 3) for k in ("answer_accuracy", "citation_support", "citation_precision",
                                                                  "abstention_recall", "retrieval_recall_at_k", "retrieval_mrr")) + " |")
        by_kind = quality.get("registry", {}).get("by_kind", {})
        if by_kind:
            lines += ["", "Registry questions by field:", "", "| field | n | answer accuracy | citation support | retrieval recall@8 |",
                      "|---|---|---|---|---|"]
            for kind, mt in sorted(by_kind.items()):
                lines.append(f"| {kind} | {mt.get('n', 0):.0f} | {_f(mt.get('answer_accuracy'), 3)} | "
                             f"{_f(mt.get('citation_support'), 3)} | {_f(mt.get('retrieval_recall_at_k'), 3)} |")
    if variants:
        lines += ["", "## Same model, other runtimes", "",
                  f"Throughput on {variants['texts']:,} of the ingest's own embedding texts (2 threads); quality of an index "
                  "each builds over corpus/ + a registry slice.", "",
                  "| runtime | chunks/s | chunks per CPU-s | cosine to fp32 (mean / min) | gold recall@8 | gold accuracy | registry-slice recall@8 | registry-slice accuracy |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, row in variants["variants"].items():
            if "error" in row:
                lines.append(f"| {name} | unavailable: {row['error'][:80]} | | | | | | |")
                continue
            gold = row.get("gold.jsonl", {})
            reg = next((v for k, v in row.items() if k.endswith(".jsonl") and k != "gold.jsonl"), {})
            lines.append(f"| {name} | {_f(row['chunks_per_s'])} | {_f(row['chunks_per_cpu_s'], 2)} | "
                         f"{row['cosine_to_fp32_mean']:.4f} / {row['cosine_to_fp32_min']:.4f} | "
                         f"{_f(gold.get('retrieval_recall_at_k'), 3)} | {_f(gold.get('answer_accuracy'), 3)} | "
                         f"{_f(reg.get('retrieval_recall_at_k'), 3)} | {_f(reg.get('answer_accuracy'), 3)} |")
    if args.notes and args.notes.exists():
        lines += ["", args.notes.read_text().strip()]
    text = "\n".join(lines) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(text)
    log(f"wrote {ROOT / 'BENCHMARKS.md'}")
    return text


# --- CLI ------------------------------------------------------------------------------------------------------

STEPS = {"ingest": bench_ingest, "model": bench_model, "latency": bench_latency, "variants": bench_variants,
         "quality": bench_quality, "report": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=[*STEPS, "all"])
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS, help="unpacked records/ folder")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="the registry index (RAG_DATA_DIR)")
    parser.add_argument("--limit", type=int, default=0, help="ingest: only the first N records (a slice)")
    parser.add_argument("--rebuild", action="store_true", help="ingest: re-embed unchanged files too")
    parser.add_argument("--sample", type=float, default=0.2, help="model: share of the recorded calls to replay")
    parser.add_argument("--ingest-result", default="ingest", help="model: which ingest result to compare with")
    parser.add_argument("--sizes", type=lambda s: s.split(","), default=["4", "registry", "synthetic"],
                        help="latency: which indexes to measure (4,registry,synthetic)")
    parser.add_argument("--synthetic-chunks", type=int, default=200_000)
    parser.add_argument("--synthetic-source", type=Path, default=None, help="latency: index to copy (default --data-dir)")
    parser.add_argument("--questions", type=int, default=120, help="latency: questions per index")
    parser.add_argument("--variants", type=lambda s: s.split(","), default=["fp32", "int8", "onnx"])
    parser.add_argument("--texts", type=int, default=4000, help="variants: texts to time")
    parser.add_argument("--variant-records", type=Path, default=None, help="variants: registry slice folder to index")
    parser.add_argument("--variant-gold", type=Path, default=None, help="variants: registry questions for that slice")
    parser.add_argument("--fp32-index", type=Path, default=None, help="variants: an existing fp32 index of that slice")
    parser.add_argument("--registry-gold", type=Path, default=None,
                        help="quality: registry questions (default eval/runs/registry/questions.jsonl)")
    parser.add_argument("--notes", type=Path, default=None, help="report: a Markdown file appended as is")
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.step != "all":
        STEPS[args.step](args)
        return
    # the full run `make bench` does: ingest, its model-only ceiling, quality, latency, runtimes, report
    bench_ingest(args)
    bench_model(args)
    bench_quality(args)
    bench_latency(args)
    if args.variant_records is None:
        args.limit = args.limit or 100
        args.variant_records = slice_folder(args)
        args.data_dir = args.data_dir.parent / (args.data_dir.name + f"-first{args.limit}")
        args.data_dir.mkdir(parents=True, exist_ok=True)
        bench_ingest(args)
        bench_model(argparse.Namespace(**{**vars(args), "ingest_result": f"ingest-slice{args.limit}"}))
        args.fp32_index = args.data_dir
        sys.path.insert(0, str(ROOT / "eval"))
        import registry_questions as rq

        args.variant_gold = RESULTS / f"registry-first{args.limit}.jsonl"
        rq.write_jsonl(rq.generate(args.records, 10, 15, limit=args.limit), args.variant_gold)
    bench_variants(args)
    report(args)


if __name__ == "__main__":
    main()
