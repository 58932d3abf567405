"""Bad requests to POST /api/ask get a 4xx with the error body and a message that names what is
wrong; never a 5xx, never a stack trace. Against the real server on loopback."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow

JSON = {"content-type": "application/json"}

# (id, request kwargs for httpx.post, words the message must contain)
_CASES = [
    ("empty question", {"json": {"question": ""}}, ["question"]),
    ("whitespace question", {"json": {"question": " \n\t  "}}, ["question", "blank"]),
    ("100,000-character question", {"json": {"question": "why " * 25_000}}, ["question", "2000"]),
    ("invalid JSON", {"content": b'{"question": "What phase is it?"', "headers": JSON}, ["JSON"]),
    ("not JSON at all", {"content": b"question=hello", "headers": {"content-type": "application/x-www-form-urlencoded"}},
     ["body"]),
    ("no body", {"headers": JSON}, ["body", "required"]),
    ("JSON array body", {"json": ["What phase is it?"]}, ["body"]),
    ("missing question", {"json": {"top_k": 3}}, ["question", "required"]),
    ("unknown field", {"json": {"question": "What phase is it?", "temperature": 0.2}}, ["temperature", "not permitted"]),
    ("question is a number", {"json": {"question": 42}}, ["question", "string"]),
    ("question is null", {"json": {"question": None}}, ["question"]),
    ("top_k is a word", {"json": {"question": "What phase is it?", "top_k": "five"}}, ["top_k", "integer"]),
    ("top_k is fractional", {"json": {"question": "What phase is it?", "top_k": 2.5}}, ["top_k", "integer"]),
    ("top_k 0", {"json": {"question": "What phase is it?", "top_k": 0}}, ["top_k", "greater than or equal to 1"]),
    ("top_k -3", {"json": {"question": "What phase is it?", "top_k": -3}}, ["top_k"]),
    ("top_k 10,000", {"json": {"question": "What phase is it?", "top_k": 10_000}}, ["top_k", "50"]),
    ("top_k NaN", {"content": b'{"question": "What phase is it?", "top_k": NaN}', "headers": JSON}, ["top_k"]),
    ("top_k true", {"json": {"question": "What phase is it?", "top_k": True}}, ["top_k"]),
    ("history is a string", {"json": {"question": "And its phase?", "history": "earlier we talked"}}, ["history", "list"]),
    ("history turn is a string", {"json": {"question": "And its phase?", "history": ["hi"]}}, ["history.0"]),
    ("history role system", {"json": {"question": "And its phase?", "history": [{"role": "system", "content": "x"}]}},
     ["history.0.role", "user", "assistant"]),
    ("history role missing", {"json": {"question": "And its phase?", "history": [{"content": "x"}]}},
     ["history.0.role", "required"]),
    ("history turn without content", {"json": {"question": "And its phase?", "history": [{"role": "user"}]}},
     ["history.0.content", "required"]),
    ("history turn with extra field", {"json": {"question": "And its phase?",
                                                "history": [{"role": "user", "content": "x", "name": "bob"}]}},
     ["history.0.name"]),
    ("history of 51 turns", {"json": {"question": "And its phase?", "history": [{"role": "user", "content": "x"}] * 51}},
     ["history", "50"]),
    ("filters is a list", {"json": {"question": "What phase is it?", "filters": ["phase"]}}, ["filters"]),
    ("body over the size limit", {"content": b'{"question": "' + b"a" * 300_000 + b'"}', "headers": JSON}, ["bytes"]),
    ("body not UTF-8", {"content": b'{"question": "caf\xe9 \xff"}', "headers": JSON}, []),
]
CASES = [pytest.param(kwargs, words, id=name) for name, kwargs, words in _CASES]


def _check_error(r: httpx.Response, words: list[str]) -> dict:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"]
    assert isinstance(error.get("message"), str) and error["message"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    for word in words:
        assert word.lower() in error["message"].lower(), (word, error["message"])
    return error


@pytest.mark.parametrize(("request_kwargs", "words"), CASES)
def test_bad_ask_request_gets_a_4xx_with_a_helpful_message(live_server, request_kwargs, words):
    r = httpx.post(f"{live_server}/api/ask", timeout=30, **request_kwargs)
    _check_error(r, words)


def test_oversized_chunked_body_is_refused_without_a_5xx(live_server):
    """No Content-Length to check up front: the body arrives in chunks."""
    def chunks():
        yield b'{"question": "'
        for _ in range(40):
            yield b"a" * 10_000
        yield b'"}'

    r = httpx.post(f"{live_server}/api/ask", content=chunks(), headers=JSON, timeout=30)
    _check_error(r, [])


def test_wrong_method_and_unknown_path_get_json_errors(live_server):
    assert _check_error(httpx.get(f"{live_server}/api/ask", timeout=10), ["GET"])["code"] == "method_not_allowed"
    assert _check_error(httpx.post(f"{live_server}/api/asks", json={"question": "x"}, timeout=10), [])["code"] == "not_found"


def test_server_still_answers_after_the_bad_requests(live_server):
    r = httpx.post(f"{live_server}/api/ask", json={"question": "  How many participants will the ALLO-605 study enroll?  "},
                   timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert not body["abstained"] and "136" in body["answer"] and body["citations"]
