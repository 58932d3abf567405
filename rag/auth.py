"""API keys: with RAG_API_KEYS set, `/api` and `/v1` need `Authorization: Bearer KEY`, and the chat
page asks for a login whose password is a key. `/api/health` stays open so probes and load
balancers can check the server without a secret."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PROTECTED_PREFIXES = ("/api", "/v1")
OPEN_PATHS = frozenset({"/api/health"})


class KeyRing:
    """The accepted keys. Every key is compared in constant time, and all of them are always
    compared, so neither the match nor its position leaks through timing."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = [k.encode("utf-8") for k in keys if k]

    def __bool__(self) -> bool:
        return bool(self._keys)

    def accepts(self, candidate: str | None) -> bool:
        if not candidate or not self._keys:
            return False
        given = candidate.encode("utf-8")
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(given, key)
        return matched

    def accepts_header(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").strip().partition(" ")
        return scheme.lower() == "bearer" and self.accepts(token.strip())

    def gradio_login(self, username: str, password: str) -> bool:
        """Gradio's auth callback: any user name, an API key as the password."""
        return self.accepts(password)


def is_protected(path: str) -> bool:
    if path in OPEN_PATHS:
        return False
    return any(path == p or path.startswith(p + "/") for p in PROTECTED_PREFIXES)


def unauthorized(message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "unauthorized", "message": message}}, status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="rag"'})


class BearerKeyMiddleware:
    """Pure ASGI middleware (not BaseHTTPMiddleware) so streamed responses pass through untouched."""

    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or not is_protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.keys.accepts_header(headers.get("authorization")):
            given = "was wrong" if headers.get("authorization") else "is missing"
            response = unauthorized(f"The API key {given}. Send the header 'Authorization: Bearer KEY' "
                                    "with one of the keys in RAG_API_KEYS.")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
