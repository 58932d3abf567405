"""The OpenAI-compatible edge: `POST /v1/chat/completions` (plain and streamed) and `GET /v1/models`.

The last user message is the question and the earlier user/assistant messages are the history;
system messages are accepted and ignored, because answers come from the documents only. The reply
text carries `[n]` markers and the completion (or the final stream chunk) carries `citations`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .errors import BadRequest, ModelNotFound, RagError
from .pipeline import QA
from .settings import Settings
from .types import AskResponse, Citation, Turn

MODEL_ID = "grounded-qa"
MAX_HISTORY_TURNS = 50


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_call_id, ... are accepted and ignored
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        for part in self.content:
            if part.type != "text":
                raise BadRequest(f"Only text content is supported; a {self.role} message has a {part.type!r} part.")
        return "".join(p.text or "" for p in self.content)


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    # Sampling parameters (temperature, max_tokens, ...) are accepted so stock clients work, and ignored.
    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="Only one choice is produced.")
    top_k: int | None = Field(default=None, ge=1, le=50, description="Extension: how many passages to retrieve.")
    filters: dict[str, str] | None = Field(default=None, max_length=10, description="Extension: document metadata to match.")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[Citation]
    abstained: bool
    answerer: str


class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "rag"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


def split_conversation(messages: list[ChatMessage], max_chars: int) -> tuple[str, list[Turn]]:
    """The last message (a user's) is the question; earlier user/assistant messages are history."""
    last = messages[-1]
    if last.role != "user":
        raise BadRequest(f"The last message must be the user's question; it has role {last.role!r}.")
    question = last.text().strip()
    if not question:
        raise BadRequest("The last user message is empty; put the question in it.")
    if len(question) > max_chars:
        raise BadRequest(f"The question is {len(question)} characters; the limit is {max_chars} (RAG_MAX_QUESTION_CHARS).")
    history: list[Turn] = []
    for m in messages[:-1]:
        if m.role in ("user", "assistant") and m.text().strip():
            if len(m.text()) > 20_000:
                raise BadRequest("An earlier message is over 20000 characters; shorten the conversation.")
            history.append(Turn(role=m.role, content=m.text()))
    return question, history[-MAX_HISTORY_TURNS:]


def _tokens(text: str) -> int:
    """A rough token count (words), good enough for clients that display usage."""
    return len(text.split())


def usage(question: str, history: list[Turn], answer: str) -> Usage:
    prompt = _tokens(question) + sum(_tokens(t.content) for t in history)
    completion = _tokens(answer)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def completion(response: AskResponse, use: Usage) -> ChatCompletion:
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()), model=MODEL_ID,
        choices=[Choice(message=AssistantMessage(content=response.answer))], usage=use,
        citations=response.citations, abstained=response.abstained, answerer=response.answerer,
    )


def stream_chunks(response: AskResponse, use: Usage, include_usage: bool) -> Iterator[str]:
    """Server-sent events in OpenAI's chunk format, word by word, ending with `data: [DONE]`."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": MODEL_ID, "system_fingerprint": None}
    extra = {"usage": None} if include_usage else {}

    def event(choices: list[dict], **fields) -> str:
        return "data: " + json.dumps({**base, "choices": choices, **extra, **fields}, ensure_ascii=False) + "\n\n"

    def delta(d: dict, finish: str | None = None) -> dict:
        return {"index": 0, "delta": d, "finish_reason": finish, "logprobs": None}

    yield event([delta({"role": "assistant", "content": ""})])
    for word in re.findall(r"\s*\S+", response.answer):
        yield event([delta({"content": word})])
    yield event([delta({}, "stop")], citations=[c.model_dump() for c in response.citations],
                abstained=response.abstained, answerer=response.answerer)
    if include_usage:
        yield "data: " + json.dumps({**base, "choices": [], "usage": use.model_dump()}) + "\n\n"
    yield "data: [DONE]\n\n"


def create_router(settings: Settings, qa: QA) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
    started = int(time.time())

    @router.get("/models", response_model=ModelList)
    def models() -> ModelList:
        return ModelList(data=[Model(id=MODEL_ID, created=started)])

    @router.post("/chat/completions", response_model=None,
                 responses={200: {"model": ChatCompletion, "description": "A completion, or with `stream: true` "
                                  "server-sent `chat.completion.chunk` events ending with `data: [DONE]`.",
                                  "content": {"text/event-stream": {}}}})
    def chat_completions(req: ChatCompletionRequest) -> JSONResponse | StreamingResponse:
        if req.model != MODEL_ID:
            raise ModelNotFound(req.model)
        question, history = split_conversation(req.messages, settings.max_question_chars)
        # Answer before the first byte goes out, so a failure is still a proper 4xx/5xx.
        response = qa.ask(question, history, req.top_k, req.filters)
        use = usage(question, history, response.answer)
        if not req.stream:
            return JSONResponse(completion(response, use).model_dump())
        include = bool(req.stream_options and req.stream_options.include_usage)
        return StreamingResponse(stream_chunks(response, use, include), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return router
