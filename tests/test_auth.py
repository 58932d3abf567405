"""API keys: bearer keys on /api and /v1, a login on the chat page, /api/health open for probes,
and `rag serve` refusing to bind beyond loopback without keys."""

import httpx
import pytest
from typer.testing import CliRunner

from conftest import make_settings, serve_app
from rag.auth import KeyRing, is_protected

KEY = "s3cret-key-for-tests"


def test_keyring_accepts_only_exact_keys():
    ring = KeyRing(["alpha-key", KEY])
    assert ring.accepts(KEY) and ring.accepts("alpha-key")
    for wrong in ["", None, KEY[:-1], KEY + "x", " " + KEY, KEY.upper(), "alpha-key,s3cret-key-for-tests"]:
        assert not ring.accepts(wrong), wrong
    assert not KeyRing([]).accepts("")
    assert not KeyRing([])


def test_bearer_header_parsing():
    ring = KeyRing([KEY])
    assert ring.accepts_header(f"Bearer {KEY}") and ring.accepts_header(f"bearer   {KEY}")
    for header in [None, "", KEY, f"Basic {KEY}", "Bearer", f"Token {KEY}", f"Bearer {KEY} extra"]:
        assert not ring.accepts_header(header), header


def test_gradio_login_uses_the_key_as_password():
    ring = KeyRing([KEY])
    assert ring.gradio_login("anyone", KEY)
    assert not ring.gradio_login(KEY, "wrong")


@pytest.mark.parametrize("path, protected", [
    ("/api/ask", True), ("/api/documents/a.txt", True), ("/api", True), ("/v1/models", True),
    ("/v1/chat/completions", True), ("/api/health", False), ("/apiary", False), ("/v1x", False),
    ("/", False), ("/gradio_api/info", False), ("/docs", False),
])
def test_which_paths_need_a_key(path, protected):
    assert is_protected(path) is protected


@pytest.fixture(scope="module")
def keyed_server(qa, corpus_settings):
    from rag.api import create_app

    with serve_app(create_app(make_settings(corpus_settings.data_dir, api_keys=f"{KEY},second-key"), qa)) as url:
        yield url


@pytest.mark.slow
def test_health_stays_open_for_probes(keyed_server):
    r = httpx.get(f"{keyed_server}/api/health", timeout=10)
    assert r.status_code == 200 and r.json()["documents"] == 4


@pytest.mark.slow
@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/ask", {"question": "What is the recruitment status of the AlloNK study?"}),
    ("GET", "/api/documents", None),
    ("GET", "/api/documents/000_7ca68f731093f7b2.txt", None),
    ("GET", "/v1/models", None),
    ("POST", "/v1/chat/completions", {"model": "grounded-qa", "messages": [{"role": "user", "content": "hi"}]}),
])
def test_api_needs_a_bearer_key(keyed_server, method, path, body):
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {KEY}"}, {"Authorization": KEY}]:
        r = httpx.request(method, keyed_server + path, json=body, headers=headers, timeout=30)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert "Authorization: Bearer" in r.json()["error"]["message"]
        assert r.headers["www-authenticate"].startswith("Bearer")
    for key in (KEY, "second-key"):
        r = httpx.request(method, keyed_server + path, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert r.status_code == 200, r.text


@pytest.mark.slow
def test_chat_page_asks_for_a_login(keyed_server):
    with httpx.Client(base_url=keyed_server, timeout=10) as browser:
        assert browser.get("/config").status_code == 401
        assert browser.post("/login", data={"username": "staff", "password": "wrong"}).status_code == 400
        assert browser.get("/config").status_code == 401
        ok = browser.post("/login", data={"username": "staff", "password": KEY})
        assert ok.status_code == 200 and ok.json() == {"success": True}
        assert browser.get("/config").status_code == 200


@pytest.mark.slow
def test_gradio_client_logs_in_with_a_key(keyed_server, monkeypatch):
    from gradio_client import Client

    # The client's heartbeat holds a stream open past close(), which would stall this module's
    # server shutdown for 10 s; the heartbeat is not what is tested here.
    monkeypatch.setattr(Client, "_stream_heartbeat", staticmethod(lambda *args: None))

    with pytest.raises(ValueError, match="Could not login"):
        Client(keyed_server, auth=("staff", "wrong"), verbose=False)
    client = Client(keyed_server, auth=("staff", KEY), verbose=False)
    try:
        chat, *_ = client.predict("What is the recruitment status of the AlloNK study?", [], api_name="/chat")
    finally:
        client.close()  # open streams would hold the server's shutdown
    assert "rag-sources" in str(chat[-1]["content"])  # content arrives as text parts


@pytest.mark.slow
def test_open_server_needs_no_key(live_server):
    assert httpx.get(f"{live_server}/api/documents", timeout=10).status_code == 200
    assert httpx.get(f"{live_server}/config", timeout=10).status_code == 200


def test_serve_refuses_non_loopback_without_keys():
    from rag.cli import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "RAG_API_KEYS" in result.output and "--allow-open" in result.output
