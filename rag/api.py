"""The HTTP edge: FastAPI app with the JSON API under /api, the OpenAI-compatible API under /v1 and
the chat page at /. Domain errors become 4xx/5xx with an error body; nothing ever returns a stack
trace. With RAG_API_KEYS set, /api (except /api/health) and /v1 need a bearer key."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import BearerKeyMiddleware, KeyRing
from .errors import RagError
from .feedback import FeedbackStore
from .openai_api import create_router
from .pipeline import QA
from .settings import Settings
from .types import AskResponse, Turn

log = logging.getLogger("rag.api")


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body over {limit} bytes (RAG_MAX_BODY_BYTES); send a shorter request.")


class BodyLimit:
    """413 for bodies over `max_bytes`: at once from Content-Length, and while reading a chunked
    body that has none, so no route ever holds more than the limit in memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            exc = BodyTooLarge(self.max_bytes)
            await error(413, "body_too_large", str(exc.detail))(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)  # FastAPI re-raises HTTPExceptions from body parsing
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            if started:
                raise
            await error(413, "body_too_large", str(exc.detail))(scope, receive, send)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2000)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    top_k: int | None = Field(default=None, ge=1, le=50, strict=True)
    filters: dict[str, str] | None = Field(
        default=None, max_length=10, description='Document metadata to match, e.g. {"phase": "Phase 2", "status": "Recruiting"}'
    )

    @field_validator("question")
    @classmethod
    def not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question must not be blank")
        return v.strip()


class Health(BaseModel):
    status: str
    documents: int
    chunks: int


class DocumentInfo(BaseModel):
    source: str
    title: str
    chars: int


class DocumentText(BaseModel):
    source: str
    title: str
    text: str


def create_app(settings: Settings, qa: QA) -> FastAPI:
    app = FastAPI(title="Grounded Q&A", version="0.1.0", description="Answers with exact, checkable citations.")
    app.state.qa = qa
    app.state.settings = settings

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    @app.exception_handler(RagError)
    async def rag_error(_: Request, exc: RagError):
        return error(exc.http_status, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', []) if p != 'body') or 'body'}: {e.get('msg')}" for e in exc.errors()
        )
        return error(422, "invalid_request", problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "body_too_large"}.get(
            exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(_: Request, exc: Exception):
        log.exception("unhandled error")
        return error(500, "internal_error", "Something went wrong on our side; the error was logged.")

    @app.get("/api/health", response_model=Health)
    def health() -> Health:
        docs, chunks = qa.index.counts()
        return Health(status="ok", documents=docs, chunks=chunks)

    @app.post("/api/ask", response_model=AskResponse)
    def ask(req: AskRequest) -> AskResponse:
        return qa.ask(req.question, req.history, req.top_k, req.filters)

    @app.get("/api/documents", response_model=list[DocumentInfo])
    def documents() -> list[dict]:
        return qa.index.list_documents()

    @app.get("/api/documents/{source:path}", response_model=DocumentText)
    def document(source: str) -> DocumentText:
        doc = qa.index.document(source)
        return DocumentText(source=doc.source, title=doc.title, text=doc.text)

    app.include_router(create_router(settings, qa))

    # The chat page is mounted at "/" and would answer every other path, so unknown /api and /v1
    # paths get the JSON error body here first.
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(request: Request, rest: str) -> JSONResponse:
        path = request.url.path
        if any(isinstance(r, APIRoute) and r.path_regex.match(path) and r.name != "unknown" for r in app.routes):
            return error(405, "method_not_allowed", f"{request.method} is not allowed on {path}.")
        return error(404, "not_found", f"No endpoint at {path}; see /docs for the API.")

    keys = KeyRing(settings.keys)
    app.add_middleware(BearerKeyMiddleware, keys=keys)
    app.state.feedback = FeedbackStore(settings.data_dir)

    from ui.app import mount  # Gradio is heavy; imported only when the app is built

    return mount(app, qa, settings, app.state.feedback, keys, gold=settings.corpus_dir.parent / "eval" / "gold.jsonl")
