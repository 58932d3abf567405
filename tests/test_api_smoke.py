import httpx
import pytest

pytestmark = pytest.mark.slow


def test_ask_returns_exact_citations(live_server):
    r = httpx.post(f"{live_server}/api/ask", json={"question": "How many participants will the ALLO-605 study enroll?"}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert not body["abstained"]
    assert "136" in body["answer"]
    for c in body["citations"]:
        doc = httpx.get(f"{live_server}/api/documents/{c['source']}", timeout=10).json()
        assert doc["text"][c["start"]:c["end"]] == c["text"]
