"""Warm POST /api/ask latency against a real `rag serve` process, and the server's peak memory.

    python bench/latency.py                      # builds an index of corpus/ in a temp dir, then measures
    python bench/latency.py --data-dir .rag      # measures against an index that already exists
    python bench/latency.py -n 500 --json out.json

The server runs as its own process (`rag serve --no-ingest`) on a free loopback port, exactly as a
user starts it. Requests go one at a time from a rotating set of 20 questions (factoid, list,
yes/no, follow-up, unanswerable), so latency is measured without queueing. The targets for this
corpus on a 2-core machine: p50 under 50 ms, p95 under 150 ms.

The embedding model caches query vectors, so after warm-up a repeated question skips MiniLM. A
second server ("uncached": the same `rag serve`, with the query cache bypassed through LangChain's
uncached `embed_documents`) then takes the same requests, so every one pays for a query embedding:
the latency of a question nobody asked before. Peak memory is the first, unmodified server's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGETS_MS = {"p50": 50.0, "p95": 150.0}

QUESTIONS: list[dict] = [
    {"question": "What is the ClinicalTrials.gov identifier of the ALLO-605 study?"},
    {"question": "How many participants will the ALLO-605 study enroll?"},
    {"question": "When did the ALLO-605 study start?"},
    {"question": "What is the planned enrollment of the AlloNK study?"},
    {"question": "What does DAS28-ESR measure?"},
    {"question": "What was the overall response rate at dose-level 2 in the TRAVERSE trial?"},
    {"question": "How many doses of ALLO-329 could be manufactured each year?"},
    {"question": "How long is Allogene's cash runway expected to last?"},
    {"question": "Who is the chief medical officer of Allogene?"},
    {"question": "What are the exclusion criteria for the ALLO-605 study?"},
    {"question": "What are the inclusion criteria for the ALLO-605 study?"},
    {"question": "Which diseases does the RESOLUTION trial include?"},
    {"question": "Can a 16-year-old enroll in the ALLO-605 study?"},
    {"question": "Does the ALLO-605 study accept healthy volunteers?"},
    {"question": "Is the AlloNK study a Phase 2 trial?"},
    {"question": "How many participants will it enroll?",
     "history": [{"role": "user", "content": "Tell me about the ALLO-605 study"},
                 {"role": "assistant", "content": "ALLO-605 is an anti-BCMA allogeneic CAR T cell therapy."}]},
    {"question": "What is the price of ALLO-605?"},
    {"question": "How many participants will the ALLO-501 study enroll?"},
    {"question": "How many participants will the RESOLUTION trial enroll?"},
    {"question": "What is the stock price of Allogene today?"},
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rag_command() -> list[str]:
    script = Path(sys.executable).with_name("rag")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def server_env(data_dir: Path, corpus: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_DATA_DIR=str(data_dir), RAG_CORPUS_DIR=str(corpus), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_HUB_DISABLE_PROGRESS_BARS="1", GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False")
    return env


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in kB, from /proc."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        nproc = os.cpu_count() or 0
    return {"nproc": nproc, "cpu": model or platform.processor(), "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def run_pass(client: httpx.Client, url: str, n: int) -> dict:
    latencies: list[float] = []
    server: list[float] = []
    timings: dict[str, list[float]] = {}
    abstained = 0
    for i in range(n):
        body = QUESTIONS[i % len(QUESTIONS)]
        t0 = time.perf_counter()
        r = client.post(url, json=body)
        elapsed = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise SystemExit(f"POST /api/ask returned {r.status_code} for {body['question']!r}: {r.text[:300]}")
        data = r.json()
        latencies.append(elapsed)
        abstained += data["abstained"]
        for key, value in data["timings_ms"].items():
            timings.setdefault(key, []).append(value)
        server.append(data["timings_ms"].get("total", 0.0))
    return {
        "requests": n,
        "abstained": abstained,
        "client_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                      "p99": percentile(latencies, 99), "max": max(latencies), "mean": statistics.fmean(latencies)},
        "server_timings_mean_ms": {k: statistics.fmean(v) for k, v in timings.items()},
        "server_total_p95_ms": percentile(server, 95),
    }


def build_index(data_dir: Path, corpus: Path) -> float:
    log(f"building the index of {corpus} in {data_dir} ...")
    t0 = time.perf_counter()
    done = subprocess.run([*rag_command(), "ingest", str(corpus)], env=server_env(data_dir, corpus),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"rag ingest failed:\n{done.stderr[-3000:]}")
    log(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.stdout.strip())
    return time.perf_counter() - t0


# The same `rag serve`, with query embeddings computed afresh for every request.
UNCACHED_SERVER = (
    "import sys\n"
    "from rag import embed\n"
    "embed.MiniLMEmbeddings.embed_query = lambda self, text: self.embed_documents([text])[0]\n"
    "from rag.cli import app\n"
    "sys.argv[0] = 'rag'\n"
    "app()\n"
)


def start_server(data_dir: Path, corpus: Path, log_path: Path, uncached: bool = False) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    command = [sys.executable, "-c", UNCACHED_SERVER] if uncached else rag_command()
    log(f"starting {'an uncached ' if uncached else ''}rag serve --no-ingest on 127.0.0.1:{port} ...")
    t0 = time.perf_counter()
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([*command, "serve", "--no-ingest", "--host", "127.0.0.1", "--port", str(port)],
                                env=server_env(data_dir, corpus), stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return proc, base, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop(proc)
    raise SystemExit("rag serve did not answer /api/health within 300 s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(base: str, proc: subprocess.Popen, warmup: int, n: int) -> dict:
    with httpx.Client(timeout=60) as client:
        health = client.get(f"{base}/api/health").json()
        log(f"{health['documents']} documents, {health['chunks']} chunks; warming up with {warmup} requests ...")
        run_pass(client, f"{base}/api/ask", max(warmup, 1))
        rss_warm = proc_status(proc.pid)["VmRSS"]
        log(f"timing {n} sequential requests (rotating {len(QUESTIONS)} questions) ...")
        result = run_pass(client, f"{base}/api/ask", n)
    status = proc_status(proc.pid)
    result.update(index={"documents": health["documents"], "chunks": health["chunks"]},
                  rss_after_warmup_mb=round(rss_warm / 1024, 1), rss_end_mb=round(status["VmRSS"] / 1024, 1),
                  peak_rss_mb=round(status["VmHWM"] / 1024, 1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed requests per pass (default 200)")
    parser.add_argument("--warmup", type=int, default=40, help="untimed requests first (default 40: each question twice)")
    parser.add_argument("--data-dir", type=Path, help="an existing index to serve (default: build one in a temp dir)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="what to index when building (default corpus/)")
    parser.add_argument("--no-uncached", action="store_true", help="skip the second server with the query cache bypassed")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="rag-latency-"))
    data_dir = args.data_dir or scratch / "data"
    result: dict = {"machine": machine(), "load_average_before": os.getloadavg(), "corpus": str(args.corpus)}
    proc = None
    try:
        if args.data_dir is None:
            result["ingest_seconds"] = round(build_index(data_dir, args.corpus), 1)
        elif not (data_dir / "index.sqlite").exists():
            raise SystemExit(f"No index in {data_dir}; build one with `RAG_DATA_DIR={data_dir} rag ingest`.")
        proc, base, startup = start_server(data_dir, args.corpus, scratch / "serve.log")
        result["server_startup_seconds"] = round(startup, 1)
        result["warm"] = measure(base, proc, args.warmup, args.requests)
        stop(proc)
        if not args.no_uncached:
            proc, base, _ = start_server(data_dir, args.corpus, scratch / "serve-uncached.log", uncached=True)
            # a short warm-up: the first requests pay for lazy imports, not for the model
            result["uncached"] = measure(base, proc, min(args.warmup, 5), args.requests)
            stop(proc)
        result["load_average_after"] = os.getloadavg()
    finally:
        stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)

    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def report(r: dict) -> None:
    m = r["machine"]
    print(f"date      {m['date']}")
    print(f"machine   {m['nproc']} cores, {m['cpu']}; Python {m['python']}; {m['platform']}")
    print(f"load avg  {' '.join(f'{x:.2f}' for x in r['load_average_before'])} before, "
          f"{' '.join(f'{x:.2f}' for x in r['load_average_after'])} after (1/5/15 min)")
    print(f"index     {r['warm']['index']['documents']} documents, {r['warm']['index']['chunks']} chunks"
          + (f"; built in {r['ingest_seconds']} s" if "ingest_seconds" in r else "")
          + f"; server up in {r['server_startup_seconds']} s")
    print()
    print("POST /api/ask, sequential, client-side latency in ms")
    print(f"{'pass':<8} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'mean':>8}   server means (ms)")
    for name in ("warm", "uncached"):
        if name not in r:
            continue
        p = r[name]
        c = p["client_ms"]
        means = ", ".join(f"{k} {v:.1f}" for k, v in p["server_timings_mean_ms"].items())
        print(f"{name:<8} {p['requests']:>5} {c['p50']:>8.1f} {c['p95']:>8.1f} {c['p99']:>8.1f} {c['max']:>8.1f} "
              f"{c['mean']:>8.1f}   {means}")
    warm = r["warm"]["client_ms"]
    verdict = all(warm[k] < v for k, v in TARGETS_MS.items())
    print()
    print(f"targets   p50 < {TARGETS_MS['p50']:.0f} ms and p95 < {TARGETS_MS['p95']:.0f} ms (warm): "
          f"{'met' if verdict else 'NOT met'} (p50 {warm['p50']:.1f}, p95 {warm['p95']:.1f})")
    print(f"abstained {r['warm']['abstained']} of {r['warm']['requests']} warm requests (the traps are meant to)")
    w = r["warm"]
    print(f"memory    rag serve peak RSS (VmHWM) {w['peak_rss_mb']} MB; RSS after warm-up {w['rss_after_warmup_mb']} MB, "
          f"at the end {w['rss_end_mb']} MB" + (f"; uncached server peak {r['uncached']['peak_rss_mb']} MB" if "uncached" in r else ""))


if __name__ == "__main__":
    main()
