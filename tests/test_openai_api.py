"""The official `openai` client against /v1 on a real uvicorn server on loopback."""

import json

import httpx
import openai
import pytest

from conftest import make_settings, serve_app

pytestmark = pytest.mark.slow

QUESTION = "How many participants will the ALLO-605 study enroll?"
KEY = "test-key-0123456789"


@pytest.fixture(scope="module")
def keyed_server(qa, corpus_settings):
    from rag.api import create_app

    settings = make_settings(corpus_settings.data_dir, api_keys=f"other-key, {KEY}")
    with serve_app(create_app(settings, qa)) as url:
        yield url


def client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=30)


def check_citations(url: str, citations: list[dict], headers: dict | None = None) -> None:
    assert citations
    for c in citations:
        doc = httpx.get(f"{url}/api/documents/{c['source']}", headers=headers, timeout=10).json()
        assert doc["text"][c["start"] : c["end"]] == c["text"]


def test_models_lists_the_model(live_server):
    ids = [m.id for m in client(live_server).models.list()]
    assert ids == ["grounded-qa"]


def test_plain_completion_carries_markers_and_citations(live_server):
    done = client(live_server).chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": QUESTION}])
    text = done.choices[0].message.content
    assert "136" in text and "[1]" in text
    assert done.choices[0].finish_reason == "stop"
    extra = done.model_extra
    assert extra["abstained"] is False and extra["answerer"] == "extractive"
    check_citations(live_server, extra["citations"])
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens


def test_stream_matches_plain_answer_and_ends_with_citations(live_server):
    c = client(live_server)
    plain = c.chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(c.chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True, stream_options={"include_usage": True}))
    content = [ch.choices[0].delta.content for ch in chunks if ch.choices and ch.choices[0].delta.content]
    assert len(content) > 3, "the answer should arrive in several pieces"
    assert "".join(content) == plain.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    final = [ch for ch in chunks if ch.choices and ch.choices[0].finish_reason == "stop"]
    assert len(final) == 1
    assert final[0].model_extra["citations"] == plain.model_extra["citations"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_stream_is_server_sent_events_ending_with_done(live_server):
    body = {"model": "grounded-qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", f"{live_server}/v1/chat/completions", json=body, timeout=30) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line for line in r.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    last = json.loads(events[-2][6:])
    assert last["object"] == "chat.completion.chunk" and last["choices"][0]["finish_reason"] == "stop"
    check_citations(live_server, last["citations"])


def test_earlier_messages_are_the_history(live_server):
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Tell me about the ALLO-605 study"},
        {"role": "assistant", "content": "ALLO-605 is an anti-BCMA allogeneic CAR T cell therapy (NCT05000450)."},
        {"role": "user", "content": "How many participants will it enroll?"},
    ]
    done = client(live_server).chat.completions.create(model="grounded-qa", messages=messages)
    assert "136" in done.choices[0].message.content


@pytest.mark.parametrize("body, status", [
    ({"model": "grounded-qa", "messages": []}, 422),
    ({"model": "grounded-qa", "messages": [{"role": "assistant", "content": "hi"}]}, 422),
    ({"model": "grounded-qa", "messages": [{"role": "user", "content": "   "}]}, 422),
    ({"model": "grounded-qa", "messages": [{"role": "user", "content": "x" * 2001}]}, 422),
    ({"model": "grounded-qa", "messages": [{"role": "wizard", "content": "hi"}]}, 422),
    ({"model": "grounded-qa", "n": 2, "messages": [{"role": "user", "content": QUESTION}]}, 422),
    ({"model": "grounded-qa", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, 422),
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": QUESTION}]}, 404),
    ({"messages": [{"role": "user", "content": QUESTION}]}, 422),
])
def test_bad_requests_get_4xx_with_error_body(live_server, body, status):
    r = httpx.post(f"{live_server}/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] and err["message"]


def test_text_content_parts_are_accepted(live_server):
    parts = [{"type": "text", "text": QUESTION}]
    done = client(live_server).chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": parts}])
    assert "136" in done.choices[0].message.content


def test_client_raises_typed_errors(live_server):
    c = client(live_server)
    with pytest.raises(openai.NotFoundError) as e:
        c.chat.completions.create(model="nope", messages=[{"role": "user", "content": QUESTION}])
    assert e.value.body["code"] == "model_not_found"
    with pytest.raises(openai.UnprocessableEntityError):
        c.chat.completions.create(model="grounded-qa", messages=[{"role": "assistant", "content": "hi"}])


def test_with_a_key_plain_and_stream_work(keyed_server):
    c = client(keyed_server, KEY)
    done = c.chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": QUESTION}])
    assert "136" in done.choices[0].message.content
    check_citations(keyed_server, done.model_extra["citations"], headers={"Authorization": f"Bearer {KEY}"})
    streamed = "".join(ch.choices[0].delta.content or "" for ch in c.chat.completions.create(
        model="grounded-qa", messages=[{"role": "user", "content": QUESTION}], stream=True) if ch.choices)
    assert streamed == done.choices[0].message.content
    assert [m.id for m in c.models.list()] == ["grounded-qa"]


@pytest.mark.parametrize("key", ["wrong-key", KEY + "x", KEY[:-1], "unused"])
def test_without_the_right_key_plain_and_stream_are_refused(keyed_server, key):
    c = client(keyed_server, key)
    for stream in (False, True):
        with pytest.raises(openai.AuthenticationError) as e:
            c.chat.completions.create(model="grounded-qa", messages=[{"role": "user", "content": QUESTION}], stream=stream)
        assert e.value.status_code == 401
        assert e.value.body["code"] == "unauthorized"
    with pytest.raises(openai.AuthenticationError):
        c.models.list()
