"""Scale benchmarks over the ClinicalTrials.gov registry (6,786 study records).

    python bench/bench_scale.py ingest   # full ingest of corpus/ + the registry, timed
    python bench/bench_scale.py model    # the model-only limit: MiniLM alone on the same texts
    python bench/bench_scale.py latency  # warm query latency at 4 documents, the registry, 200k chunks
    python bench/bench_scale.py variants # fp32 vs int8 (dynamic quantisation) vs ONNX: speed and recall
    python bench/bench_scale.py report   # write BENCHMARKS.md from the results so far
    python bench/bench_scale.py all      # everything above, in order

Each step saves its numbers to bench/results/<step>.json (gitignored) so steps can run apart, e.g.
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
RESULTS = ROOT / "bench" / "results"
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
        sliced = args.data_dir.parent / (args.data_dir.name + "-slice")
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
    texts_out = gzip.open(args.data_dir / "texts.jsonl.gz", "wt")
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
        "chunks_embedded": report.chunks, "wall_s": round(wall, 1),
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


# --- CLI ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["ingest"])
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS, help="unpacked records/ folder")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="index folder (RAG_DATA_DIR)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N records (a slice)")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    {"ingest": bench_ingest}[args.step](args)


if __name__ == "__main__":
    main()
