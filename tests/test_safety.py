"""What the page shows is safe: document text is escaped wherever it is rendered, only indexed
documents are served, and oversized bodies get 413."""

from html.parser import HTMLParser

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from rag.types import AskResponse, Citation
from ui.render import answer_html, document_html, document_list_html, user_html

EVIL = """Trial <script>window.__xss = 1</script> update
The dose is 5 mg per kg <img src=x onerror="window.__xss = 2"> given once.
Details are at [a link](javascript:window.__xss=3) and $$x^2$$ and **bold** <b>raw</b>.

<iframe src="javascript:window.__xss=4"></iframe> The study enrolled 42 patients.
"""


def build_evil_index(directory):
    """A real index of one hostile document, for tests that need one."""
    from rag.cli import open_index
    from rag.ingest import ingest
    from rag.pipeline import QA
    from rag.settings import Settings

    docs = directory / "docs"
    docs.mkdir()
    (docs / "evil <b>name<i>.txt").write_text(EVIL, encoding="utf-8")
    settings = Settings(data_dir=directory / "data", corpus_dir=docs)
    index = open_index(settings, create=True)
    report = ingest(index, [docs])
    assert report.added == 1, report
    return settings, QA(index, settings)


class Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def only_our_markup(html: str, allowed: set[str]) -> None:
    for tag, attrs in Tags(html).tags:
        assert tag in allowed, (tag, html)
        for name, value in attrs.items():
            assert name in {"class", "href", "title", "data-key"}, (name, html)
            assert not name.startswith("on")
            if name == "href":
                assert value.startswith("#rag:"), value


def citation(text: str, title: str = "T", source: str = "s.txt") -> Citation:
    return Citation(id=1, source=source, title=title, start=0, end=len(text), text=text, score=0.5)


@given(st.text(max_size=300), st.text(max_size=80))
@settings(max_examples=150, deadline=None)
def test_any_text_renders_as_text(text, title):
    start, end = len(text) // 3, len(text) // 3 * 2
    only_our_markup(document_html("a.txt", title, text, start, end), {"div", "mark"})
    response = AskResponse(answer=f"{text} [1]", abstained=False, citations=[citation(text, title)], timings_ms={})
    only_our_markup(answer_html(response), {"div", "span", "a"})
    only_our_markup(answer_html(response, shown=text), {"div", "span", "a"})
    only_our_markup(user_html(text), {"div"})
    only_our_markup(document_list_html([{"source": text or "x", "title": title, "chars": 3}]), {"div", "span", "a"})


def test_chat_messages_have_no_blank_lines():
    """A blank line would end the chat's HTML block and let Markdown read document text."""
    response = AskResponse(answer="A\n\nB [1]", abstained=False, citations=[citation("x\n\n    y")], timings_ms={})
    assert "\n" not in answer_html(response)


def test_document_html_marks_exactly_the_span():
    text = "alpha <beta> gamma & delta"
    html = document_html("a.txt", "t", text, 6, 12)
    assert "<mark>&lt;beta&gt;</mark>" in html
    assert "<mark>" not in document_html("a.txt", "t", text, 12, 6)  # an invalid span marks nothing
    assert "<mark>" not in document_html("a.txt", "t", text, 0, 999)


@pytest.fixture(scope="module")
def evil(tmp_path_factory, qa):  # qa: the embedding model is loaded once for the session
    return build_evil_index(tmp_path_factory.mktemp("evil"))


@pytest.mark.slow
def test_hostile_document_is_escaped_in_the_viewer_and_chat(evil, tmp_path):
    from rag.feedback import FeedbackStore
    from ui.app import ChatPage

    settings, qa = evil
    page = ChatPage(qa, settings, FeedbackStore(tmp_path), word_delay_s=0)
    (doc,) = qa.index.list_documents()
    text = qa.index.document(doc["source"]).text
    start = text.index("<img")
    viewer = page.open_document({"source": doc["source"], "start": start, "end": text.index("given")})
    only_our_markup(viewer, {"div", "mark"})
    assert "&lt;script&gt;" in viewer and "&lt;img src=x onerror=" in viewer
    assert "<mark>&lt;img src=x onerror=" in viewer
    only_our_markup(page.documents(), {"div", "span", "a"})
    assert "evil &lt;b&gt;name&lt;i&gt;.txt" in page.documents()
    *_, (chat, _, _) = page.respond("How many patients did the study enroll?", [], None)
    for message in chat:
        only_our_markup(message["content"], {"div", "span", "a"})
    assert "42" in chat[-1]["content"]


@pytest.mark.slow
def test_hostile_document_is_served_as_json_text(evil):
    from rag.api import create_app
    from conftest import serve_app

    settings, qa = evil
    with serve_app(create_app(settings, qa)) as url:
        listed = httpx.get(f"{url}/api/documents", timeout=10).json()
        doc = httpx.get(f"{url}/api/documents/{listed[0]['source']}", timeout=10)
    assert doc.headers["content-type"].startswith("application/json")
    assert doc.json()["text"] == EVIL


@pytest.mark.slow
@pytest.mark.parametrize("path", [
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2Fetc%2Fpasswd",
    "..%5C..%5Cpyproject.toml",
    "pyproject.toml",
    "000_7ca68f731093f7b2.txt%00.png",
    "000_7ca68f731093f7b2.txt%2F..%2F..%2Fpyproject.toml",
    str(CORPUS / "000_7ca68f731093f7b2.txt").replace("/", "%2F"),
    "corpus%2F000_7ca68f731093f7b2.txt",
    "not-indexed.txt",
])
def test_only_indexed_documents_are_served(live_server, path):
    r = httpx.get(f"{live_server}/api/documents/{path}", timeout=10)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] in {"document_not_found", "not_found"}
    assert "root:" not in r.text and "[project]" not in r.text


@pytest.mark.slow
def test_an_indexed_document_is_served(live_server):
    r = httpx.get(f"{live_server}/api/documents/000_7ca68f731093f7b2.txt", timeout=10)
    assert r.status_code == 200 and r.json()["text"].startswith("Safety and Efficacy of ALLO-605")


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/api/ask", "/v1/chat/completions"])
def test_oversized_bodies_get_413(live_server, corpus_settings, path):
    limit = corpus_settings.max_body_bytes
    big = b'{"question": "' + b"x" * (limit + 10) + b'"}'
    r = httpx.post(live_server + path, content=big, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"

    def chunked():  # no Content-Length: the limit holds while the body is read
        for i in range(0, len(big), 16_384):
            yield big[i : i + 16_384]

    r = httpx.post(live_server + path, content=chunked(), headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


@pytest.mark.slow
def test_a_body_under_the_limit_is_read(live_server, corpus_settings):
    body = b'{"question": "' + b"x" * (corpus_settings.max_body_bytes - 100) + b'"}'
    r = httpx.post(f"{live_server}/api/ask", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 422 and "2000" in r.json()["error"]["message"]
