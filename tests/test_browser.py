"""The chat page in a real headless Chromium (Debian's, driven by Python playwright): ask, see a
cited answer stream in, click a citation, see the span highlighted in its document; follow-ups,
examples, abstentions, feedback, a hostile document and the login page. Screenshots go to
test-artifacts/."""

import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, make_settings, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "How many participants will the ALLO-605 study enroll?"
KEY = "browser-test-key"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = "Debian's chromium is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.errors = errors
    yield page
    context.close()
    assert not errors, errors


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#rag-chat", timeout=30_000)
    page.wait_for_function("typeof window.__ragOpen === 'function'", timeout=10_000)


def ask(page, question: str) -> None:
    answered = page.locator("#rag-chat .rag-meta").count()
    page.fill("#rag-question textarea", question)
    page.click("#rag-ask")
    page.wait_for_function(f"document.querySelectorAll('#rag-chat .rag-meta').length > {answered}", timeout=30_000)


def last_answer(page):
    return page.locator("#rag-chat .rag-answer").last


def test_ask_see_cited_answer_click_citation_see_highlight(page, live_server):
    expected = httpx.post(f"{live_server}/api/ask", json={"question": QUESTION}, timeout=30).json()["citations"][0]
    open_chat(page, live_server)
    page.fill("#rag-question textarea", QUESTION)
    page.click("#rag-ask")
    page.wait_for_selector("#rag-chat .rag-cursor", timeout=30_000)  # the answer streams in
    page.wait_for_selector("#rag-chat .rag-sources", timeout=30_000)
    answer = last_answer(page)
    assert "136" in answer.locator(".rag-text").inner_text()
    assert answer.locator(".rag-source").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"))

    answer.locator("a.rag-cite").first.click()
    mark = page.locator("#rag-viewer .rag-doc mark")
    mark.wait_for(timeout=10_000)
    assert mark.inner_text() == expected["text"]
    assert page.locator("#rag-viewer .rag-doc-title").inner_text() == expected["title"]
    page.wait_for_timeout(300)
    body = page.locator("#rag-viewer .rag-doc-body").bounding_box()
    box = mark.bounding_box()
    assert body["y"] <= box["y"] and box["y"] + box["height"] <= body["y"] + body["height"], "mark scrolled into view"
    assert box["y"] + box["height"] <= 950, "mark inside the window"
    page.screenshot(path=str(ARTIFACTS / "chat-citation.png"))


def test_source_card_and_document_list_open_documents(page, live_server):
    open_chat(page, live_server)
    ask(page, "Which sites are recruiting for the ALLO-605 study?")
    cards = last_answer(page).locator("a.rag-source")
    assert cards.count() >= 2
    quote = cards.nth(1).locator(".rag-source-quote").inner_text().strip("“”")
    cards.nth(1).click()
    page.wait_for_function("document.querySelector('#rag-viewer mark') !== null", timeout=10_000)
    assert page.locator("#rag-viewer mark").inner_text().startswith(quote.rstrip("…")[:40])
    page.locator("#rag-doc-list a.rag-doc-link").first.click()
    page.wait_for_function("document.querySelector('#rag-viewer .rag-doc') && !document.querySelector('#rag-viewer mark')",
                           timeout=10_000)
    assert page.locator("#rag-doc-list a.rag-doc-link").count() == 4


def test_examples_follow_ups_abstention_and_feedback(page, live_server, corpus_settings):
    open_chat(page, live_server)
    examples = page.locator("#rag-chat button.example")
    assert examples.count() == 4
    examples.first.click()
    page.wait_for_selector("#rag-chat .rag-meta", timeout=30_000)
    ask(page, "Tell me about the ALLO-605 study")
    ask(page, "How many participants will it enroll?")
    assert "136" in last_answer(page).locator(".rag-text").inner_text()
    ask(page, "What price will Allogene charge per dose of ALLO-329?")
    abstained = last_answer(page)
    assert "rag-abstained" in abstained.get_attribute("class")
    assert "Not in the documents" in abstained.locator(".rag-badge").text_content()
    page.screenshot(path=str(ARTIFACTS / "chat-abstention.png"))

    page.locator("#rag-chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#rag-feedback", state="visible", timeout=10_000)
    page.fill("#rag-comment textarea, #rag-comment input", "browser test: expected an abstention like this")
    page.screenshot(path=str(ARTIFACTS / "chat-feedback.png"))
    page.click("#rag-comment-send")
    page.wait_for_selector("#rag-feedback", state="hidden", timeout=10_000)
    with sqlite3.connect(corpus_settings.data_dir / "feedback.sqlite3") as db:
        rows = db.execute("SELECT question, rating, comment FROM feedback WHERE comment LIKE 'browser test:%'").fetchall()
    assert rows == [("What price will Allogene charge per dose of ALLO-329?", -1,
                     "browser test: expected an abstention like this")]

    page.click("#rag-new")
    page.wait_for_selector("#rag-chat button.example", timeout=10_000)


def test_hostile_document_shows_as_text(page, tmp_path_factory, qa):
    from rag.api import create_app
    from test_safety import build_evil_index

    settings, evil_qa = build_evil_index(tmp_path_factory.mktemp("evil-browser"))
    with serve_app(create_app(settings, evil_qa)) as url:
        open_chat(page, url)
        ask(page, "How many patients did the study enroll?")
        last_answer(page).locator("a.rag-cite").first.click()
        page.wait_for_selector("#rag-viewer .rag-doc", timeout=10_000)
        viewer = page.locator("#rag-viewer .rag-doc-body").inner_text()
        assert "<script>window.__xss = 1</script>" in viewer
        assert '<img src=x onerror="window.__xss = 2">' in viewer
        page.locator("#rag-doc-list a.rag-doc-link").first.click()
        page.wait_for_timeout(500)
        assert page.locator("#rag-doc-list").inner_text().count("evil <b>name<i>.txt") == 1
        assert page.evaluate("window.__xss") is None
        assert page.locator("#rag-viewer img, #rag-viewer iframe, #rag-viewer script, #rag-chat iframe").count() == 0
        page.screenshot(path=str(ARTIFACTS / "hostile-document.png"))
        page.goto("about:blank")  # drop the page's connections so the server stops at once


def test_page_asks_for_a_login_when_keys_are_set(page, qa, corpus_settings):
    from rag.api import create_app

    with serve_app(create_app(make_settings(corpus_settings.data_dir, api_keys=KEY), qa)) as url:
        page.goto(url)
        page.wait_for_selector("input[type=password]", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "login.png"))
        assert page.locator("#rag-chat").count() == 0
        page.locator("input[type=text]").first.fill("staff")
        page.locator("input[type=password]").fill(KEY)
        page.locator("button", has_text="Login").click()
        page.wait_for_selector("#rag-chat", timeout=30_000)
        ask(page, QUESTION)
        assert "136" in last_answer(page).inner_text()
        page.goto("about:blank")
