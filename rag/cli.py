"""The command line: `rag ingest | ask | eval | serve`. Settings are read here, once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import RagError
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Grounded Q&A over your documents.")


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg="red", err=True)
    raise typer.Exit(2)


def open_index(settings: Settings, create: bool = False, threads: int | None = None):
    from .embed import default_embeddings, set_threads
    from .errors import IndexNotBuilt
    from .store import Index

    if not create and not (settings.data_dir / "index.sqlite").exists():
        raise IndexNotBuilt(str(settings.data_dir))  # before spending seconds loading the model
    set_threads(threads or settings.serve_threads)
    embeddings = default_embeddings(settings.embed_runtime)
    if embeddings.runtime_note:
        typer.secho(embeddings.runtime_note, fg="yellow", err=True)
    return Index(settings, embeddings, create=create)


def run_ingest(settings: Settings, paths: list[Path], rebuild: bool = False, quiet: bool = False):
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .ingest import ingest

    index = open_index(settings, create=True, threads=os.cpu_count())
    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True, disable=quiet or not sys.stderr.isatty()) as bar:
        task = bar.add_task("ingest", total=None)
        report = ingest(index, paths, rebuild, progress=lambda done, total: bar.update(task, completed=done, total=total),
                        on_wait=lambda message: typer.secho(message, fg="yellow", err=True))
    if report.stray_vectors or report.missing_vectors:
        typer.secho(f"repaired the index (an earlier ingest was interrupted, or the Chroma store changed): "
                    f"{report.stray_vectors} stray vectors dropped, {report.missing_vectors} documents re-embedded",
                    fg="yellow", err=True)
    for source, reason in report.skipped:
        typer.secho(f"skipped {source}: {reason}", fg="yellow", err=True)
    typer.echo(report.summary(), err=quiet)
    return index, report


@app.command("ingest")
def ingest_cmd(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: RAG_CORPUS_DIR)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Re-embed everything, even unchanged files."),
) -> None:
    """Index files and folders incrementally (unchanged files are skipped by content hash)."""
    from .load import LOADERS

    settings = Settings()
    paths = paths or [settings.corpus_dir]
    missing = [p for p in paths if not p.exists()]
    if missing:
        hint = "" if paths != [settings.corpus_dir] else " Set RAG_CORPUS_DIR or pass files or folders: rag ingest PATH ..."
        _fail(RagError(f"No such file or folder: {', '.join(map(str, missing))}.{hint}"))
    try:
        _, report = run_ingest(settings, paths, rebuild)
    except RagError as exc:
        _fail(exc)
    if not report.found:
        typer.secho(f"No files to index in {', '.join(map(str, paths))}: supported types are "
                    f"{', '.join(sorted(LOADERS))}.", fg="red", err=True)
        raise typer.Exit(1)


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help="The question."),
    as_json: bool = typer.Option(False, "--json", help="Print the AskResponse JSON."),
    top_k: Optional[int] = typer.Option(None, "--top-k", min=1, max=50),
    filter_: list[str] = typer.Option(None, "--filter", help="FIELD=VALUE on document metadata, e.g. phase='Phase 2'."),
) -> None:
    """Answer one question with cited spans."""
    from .pipeline import QA

    settings = Settings()
    if not question.strip():
        _fail(RagError("The question is empty; ask something, e.g. rag ask \"What phase is the trial?\""))
    try:
        filters = dict(f.split("=", 1) for f in filter_ or [] if "=" in f) or None
        if filter_ and (not filters or len(filters) != len(filter_)):
            raise RagError("--filter takes FIELD=VALUE, e.g. --filter status=Recruiting")
        response = QA(open_index(settings), settings).ask(question.strip(), top_k=top_k, filters=filters)
    except RagError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(response.model_dump(), ensure_ascii=False, indent=2))
        return
    typer.echo(response.answer)
    for c in response.citations:
        typer.echo(f"  [{c.id}] {c.source} {c.start}-{c.end}: {c.text[:160]!r}")


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Option(Path("eval/gold.jsonl"), "--gold", help="Gold set, one JSON object per line (INTERFACES.md)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics JSON instead of the table."),
    report: Path = typer.Option(Path("eval/runs"), "--report", help="Folder for results.json, report.md and past runs."),
    thresholds: Path = typer.Option(Path("eval/thresholds.toml"), "--thresholds", help="Minimum/maximum per metric."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Skip the naive LangChain baseline."),
) -> None:
    """Run a gold set against the index, beside a naive baseline; exit 1 when a metric misses its threshold."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .evaluate import evaluate, load_thresholds, rich_table, write_report
    from .pipeline import QA

    settings = Settings()
    try:
        limits = load_thresholds(thresholds)
        qa = QA(open_index(settings), settings)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      transient=True, disable=not sys.stderr.isatty(), console=Console(stderr=True)) as bar:
            tasks: dict[str, int] = {}

            def progress(system: str, done: int, total: int) -> None:
                if system not in tasks:
                    tasks[system] = bar.add_task(f"eval {system}", total=total)
                bar.update(tasks[system], completed=done)

            result = evaluate(qa, gold, limits, baseline=not no_baseline, progress=progress)
        paths = write_report(result, report)
    except RagError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    else:
        Console().print(rich_table(result))
        for failure in result.failures:
            typer.secho(f"below threshold: {failure}", fg="red", err=True)
        typer.echo(f"report: {paths['report']}  results: {paths['results']}", err=True)
    if not result.passed:
        raise typer.Exit(1)


@app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(7860, help="Port."),
    allow_open: bool = typer.Option(False, "--allow-open", help="Bind beyond loopback without API keys."),
    no_ingest: bool = typer.Option(False, "--no-ingest", help="Do not build or refresh the index first."),
) -> None:
    """Serve the chat page at /, the JSON API under /api and the OpenAI-compatible API under /v1."""
    import uvicorn

    from .api import create_app
    from .ingest import is_stale
    from .pipeline import QA

    settings = Settings()
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback and not settings.keys and not allow_open:
        _fail(RagError(f"Refusing to serve on {host} without API keys. Set RAG_API_KEYS, or pass --allow-open."))
    try:
        if settings.chroma_url:
            typer.echo(f"Vectors in the Chroma server at {settings.chroma_url}; documents and keyword index in "
                       f"{settings.data_dir}", err=True)
        if not no_ingest:
            # With a Chroma server too: SQLite and the keyword index live in the data dir, and a new,
            # wiped or different server needs its vectors put back (is_stale notices).
            index = open_index(settings, create=True)
            empty = index.counts()[0] == 0
            if not settings.corpus_dir.is_dir():
                if empty:
                    raise RagError(f"Nothing to serve: no index in {settings.data_dir} and no corpus folder "
                                   f"{settings.corpus_dir}. Set RAG_CORPUS_DIR, or run `rag ingest PATH` first.")
                typer.secho(f"Corpus folder {settings.corpus_dir} not found; serving the index as it is.",
                            fg="yellow", err=True)
            elif empty or is_stale(index, settings.corpus_dir):
                typer.echo(f"Index missing or stale; building it from {settings.corpus_dir} ...", err=True)
                run_ingest(settings, [settings.corpus_dir])
        index = open_index(settings)
        application = create_app(settings, QA(index, settings))
    except RagError as exc:
        _fail(exc)
    typer.echo(f"Serving on http://{host}:{port}/", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", workers=1)


feedback_app = typer.Typer(no_args_is_help=True, help="Thumbs up/down given on the chat page.")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export_cmd(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to FILE instead of stdout."),
    rating: str = typer.Option("all", "--rating", help="all, up or down."),
) -> None:
    """Print the feedback as gold-set lines (eval/gold.jsonl format) for a person to review:
    `answerable` is guessed from the rating, and `answers` is left for the reviewer to fill in."""
    from .feedback import FILENAME, FeedbackStore, export_lines

    settings = Settings()
    wanted = {"all": None, "up": 1, "down": -1}
    if rating not in wanted:
        _fail(RagError(f"--rating takes all, up or down, not {rating!r}."))
    if not (settings.data_dir / FILENAME).is_file():
        typer.secho(f"No feedback yet in {settings.data_dir}; it is recorded from the chat page (`rag serve`).",
                    fg="yellow", err=True)
        lines: list[str] = []
    else:
        store = FeedbackStore(settings.data_dir)
        lines = list(export_lines(store, wanted[rating]))
        store.close()
    text = "".join(line + "\n" for line in lines)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {len(lines)} feedback item(s) to {out}; review them before adding them to a gold set.", err=True)


if __name__ == "__main__":
    app()
