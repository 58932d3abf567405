"""A bounded load test of POST /api/ask on loopback: N concurrent clients for T seconds, each asking a
rotating set of realistic questions, reporting throughput, latency percentiles and errors.

    python bench/load_test.py --serve                       # start `rag serve` on RAG_DATA_DIR, test it, stop it
    python bench/load_test.py --serve --workers 2           # the same app under uvicorn with 2 worker processes
    python bench/load_test.py --url http://127.0.0.1:7860   # a server that is already running
    python bench/load_test.py --serve --data-dir /tmp/registry-index --questions bench/registry_questions.jsonl

Questions come from a JSONL file of {"question": ..., "history": [...]?} objects (default: the gold
set, eval/gold.jsonl) or a text file with one question per line. The clients are httpx async
clients in this process; the server runs in its own process(es), so they do not share a GIL.
`--json FILE` also saves the numbers. Exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                     ("ANONYMIZED_TELEMETRY", "False"), ("GRADIO_ANALYTICS_ENABLED", "False")):
    os.environ.setdefault(_key, _value)


@dataclass
class Sample:
    started: float  # seconds since the run began
    latency: float  # seconds
    error: str = ""  # empty when the request succeeded
    server_ms: float = 0.0  # the pipeline's own timings_ms.total: the rest is queueing and HTTP


@dataclass
class Run:
    clients: int
    duration: float
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float | None = None  # CPU seconds the server's processes used during the run
    client_cpu: float = 0.0  # CPU seconds this load generator used

    def summary(self) -> dict:
        ok = [s for s in self.samples if not s.error]
        lat = sorted(s.latency * 1000 for s in ok)
        server = sorted(s.server_ms for s in ok)
        return {
            "clients": self.clients,
            "duration_s": round(self.wall, 1),
            "requests": len(self.samples),
            "ok": len(ok),
            "errors": len(self.samples) - len(ok),
            "error_kinds": dict(Counter(s.error for s in self.samples if s.error)),
            "throughput_rps": round(len(ok) / self.wall, 2) if self.wall else 0.0,
            "latency_ms": _percentiles(lat),
            "server_total_ms": _percentiles(server),
            # CPU per request does not depend on what else the machine runs, unlike wall-clock numbers
            "server_cpu_ms_per_request": round(1000 * self.server_cpu / len(ok), 2) if self.server_cpu and ok else None,
            "server_cores_busy": round(self.server_cpu / self.wall, 2) if self.server_cpu and self.wall else None,
            "client_cores_busy": round(self.client_cpu / self.wall, 2) if self.wall else None,
        }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    if len(values) == 1:
        return {"p50": round(values[0], 1), "p95": round(values[0], 1), "p99": round(values[0], 1),
                "max": round(values[0], 1), "mean": round(values[0], 1)}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 1), "p95": round(q[94], 1), "p99": round(q[98], 1), "max": round(values[-1], 1),
            "mean": round(statistics.fmean(values), 1)}


def load_questions(path: Path) -> list[dict]:
    """Request bodies: JSONL objects with a "question" (and optional "history"), or plain lines."""
    bodies = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            item = json.loads(line)
            body = {"question": item["question"]}
            if item.get("history"):
                body["history"] = item["history"]
            bodies.append(body)
        else:
            bodies.append({"question": line})
    if not bodies:
        raise SystemExit(f"no questions in {path}")
    return bodies


async def _client(n: int, http: httpx.AsyncClient, bodies: list[dict], clients: int, t0: float, stop: float,
                  run: Run) -> None:
    k = n  # each client walks the list from its own offset, so the server sees a mix at every moment
    while time.perf_counter() < stop:
        body = bodies[k % len(bodies)]
        k += clients
        started = time.perf_counter()
        error, server_ms = "", 0.0
        try:
            r = await http.post("/api/ask", json=body)
            if r.status_code != 200:
                error = f"HTTP {r.status_code}"
            else:
                data = r.json()
                server_ms = float(data.get("timings_ms", {}).get("total", 0.0))
                if "answer" not in data or not isinstance(data.get("citations"), list):
                    error = "malformed response"
        except httpx.HTTPError as exc:
            error = exc.__class__.__name__
        run.samples.append(Sample(started - t0, time.perf_counter() - started, error, server_ms))


async def load(url: str, bodies: list[dict], clients: int, duration: float, timeout: float,
               headers: dict[str, str], warmup: int, server_pgid: int | None = None) -> Run:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, headers=headers) as http:
        for body in bodies[:warmup]:  # first requests load caches; they are not measured
            (await http.post("/api/ask", json=body)).raise_for_status()
        run = Run(clients, duration)
        cpu0, server0 = time.process_time(), group_cpu_seconds(server_pgid)
        t0 = time.perf_counter()
        await asyncio.gather(*(_client(n, http, bodies, clients, t0, t0 + duration, run) for n in range(clients)))
        run.wall = time.perf_counter() - t0
        server1 = group_cpu_seconds(server_pgid)
        run.client_cpu = time.process_time() - cpu0
        run.server_cpu = server1 - server0 if server0 is not None and server1 is not None else None
    return run


def group_cpu_seconds(pgid: int | None) -> float | None:
    """User + system CPU time of every live process in a process group (Linux /proc), or None."""
    if pgid is None or not Path("/proc/self/stat").exists():
        return None
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- starting a server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_factory():
    """For uvicorn --factory --workers N: each worker process opens the index and builds the app,
    exactly as `rag serve` does after its start-up ingest."""
    from rag.api import create_app
    from rag.cli import open_index
    from rag.pipeline import QA
    from rag.settings import Settings

    settings = Settings()
    return create_app(settings, QA(open_index(settings), settings))


def start_server(port: int, workers: int, env: dict[str, str], log: Path, ingest: bool) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    if workers == 1:  # the product's own command, start-up ingest included
        cmd = [str(bin_dir / "rag"), "serve", "--port", str(port)] + ([] if ingest else ["--no-ingest"])
    else:
        if ingest:  # build or refresh the index once, as `rag serve` would; the workers only read it
            subprocess.run([str(bin_dir / "rag"), "ingest"], env=env, check=True, stdout=subprocess.DEVNULL)
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "bench.load_test:app_factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    out = open(log, "wb")
    return subprocess.Popen(cmd, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer within {timeout:.0f}s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # its own session: uvicorn and any worker processes
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- report -------------------------------------------------------------------------------------------------

def render(summary: dict, label: str) -> str:
    lat, srv = summary["latency_ms"], summary["server_total_ms"]
    lines = [
        f"{label}: {summary['clients']} clients for {summary['duration_s']}s",
        f"  requests {summary['requests']}, ok {summary['ok']}, errors {summary['errors']}"
        + (f" {summary['error_kinds']}" if summary["errors"] else ""),
        f"  throughput {summary['throughput_rps']} req/s",
    ]
    if lat:
        lines.append(f"  latency  p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, max {lat['max']} ms")
        lines.append(f"  pipeline p50 {srv['p50']} ms, p95 {srv['p95']} ms (timings_ms.total; the rest is queueing)")
    if summary["server_cpu_ms_per_request"] is not None:
        lines.append(f"  server CPU {summary['server_cpu_ms_per_request']} ms per request, "
                     f"{summary['server_cores_busy']} cores busy; load generator {summary['client_cores_busy']} cores")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running server")
    where.add_argument("--serve", action="store_true", help="start a server on a free loopback port, then stop it")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "gold.jsonl", help="JSONL or one question a line")
    ap.add_argument("--warmup", type=int, default=5, help="unmeasured requests first (default 5)")
    ap.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds (default 60)")
    ap.add_argument("--api-key", default=os.environ.get("RAG_API_KEYS", "").split(",")[0].strip(),
                    help="sent as a bearer key (default: the first of RAG_API_KEYS)")
    ap.add_argument("--workers", type=int, default=1, help="--serve: uvicorn worker processes (default 1)")
    ap.add_argument("--threads", type=int, default=None, help="--serve: torch threads per worker (RAG_SERVE_THREADS)")
    ap.add_argument("--data-dir", type=Path, default=None, help="--serve: RAG_DATA_DIR (default: the environment's)")
    ap.add_argument("--no-ingest", action="store_true", help="--serve: serve the index as it is (no start-up ingest)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.duration <= 0:
        ap.error("--clients must be at least 1 and --duration above 0")

    bodies = load_questions(args.questions)
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    proc = None
    config = {"clients": args.clients, "duration": args.duration, "questions": str(args.questions), "n_questions": len(bodies)}
    if args.serve:
        env = dict(os.environ)
        if args.data_dir:
            env["RAG_DATA_DIR"] = str(args.data_dir)
        if args.threads:
            env["RAG_SERVE_THREADS"] = str(args.threads)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"load_test_server_{port}.log"
        print(f"starting the server on {url} (workers {args.workers}; log {log}) ...", file=sys.stderr, flush=True)
        proc = start_server(port, args.workers, env, log, not args.no_ingest)
        config.update(workers=args.workers, threads=args.threads or "default",
                      data_dir=env.get("RAG_DATA_DIR", ".rag"))
    else:
        url = args.url.rstrip("/")
    try:
        if proc is not None:
            wait_ready(url, proc, log)
        docs = httpx.get(f"{url}/api/health", timeout=10, headers=headers).json()
        config.update(documents=docs.get("documents"), chunks=docs.get("chunks"))
        print(f"load: {args.clients} clients x {args.duration:.0f}s on {url} "
              f"({docs.get('documents')} documents, {docs.get('chunks')} chunks)", file=sys.stderr, flush=True)
        run = asyncio.run(load(url, bodies, args.clients, args.duration, args.timeout, headers, args.warmup,
                               proc.pid if proc is not None else None))
    finally:
        if proc is not None:
            stop_server(proc)
    summary = run.summary()
    label = f"workers={args.workers}" if args.serve else url
    print(render(summary, label))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"config": config, "machine": {"cores": os.cpu_count(),
                                         "python": platform.python_version()}, "summary": summary}, indent=2))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
