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
    from .store import Index

    set_threads(threads or settings.serve_threads)
    return Index(settings, default_embeddings(), create=create)


def run_ingest(settings: Settings, paths: list[Path], rebuild: bool = False, quiet: bool = False):
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .ingest import ingest

    index = open_index(settings, create=True, threads=os.cpu_count())
    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True, disable=quiet or not sys.stderr.isatty()) as bar:
        task = bar.add_task("ingest", total=None)
        report = ingest(index, paths, rebuild, progress=lambda done, total: bar.update(task, completed=done, total=total))
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
    settings = Settings()
    try:
        run_ingest(settings, paths or [settings.corpus_dir], rebuild)
    except RagError as exc:
        _fail(exc)


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
        if not no_ingest and not settings.chroma_url:
            index = open_index(settings, create=True)
            if is_stale(index, settings.corpus_dir) or index.counts()[0] == 0:
                typer.echo(f"Index missing or stale; building it from {settings.corpus_dir} ...", err=True)
                run_ingest(settings, [settings.corpus_dir])
        index = open_index(settings)
        application = create_app(settings, QA(index, settings))
    except RagError as exc:
        _fail(exc)
    typer.echo(f"Serving on http://{host}:{port}/", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", workers=1)


if __name__ == "__main__":
    app()
