"""The chat page through `gradio_client` on a real server, its behaviour in-process, and the
feedback it stores, exported with `rag feedback export`."""

import json
import re

import gradio as gr
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from rag.feedback import FeedbackStore
from rag.types import AskResponse, Citation, Turn
from ui.app import ChatPage
from ui.examples import example_questions

QUESTION = "How many participants will the ALLO-605 study enroll?"
UNANSWERABLE = "What price will Allogene charge per dose of ALLO-329?"  # gold g088


def content(message: dict) -> str:
    """A chat message's HTML; over the API Gradio sends content as a list of text parts."""
    c = message["content"]
    return c if isinstance(c, str) else "".join(p.get("text", "") for p in c)


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def page(qa, corpus_settings, tmp_path):
    return ChatPage(qa, corpus_settings, FeedbackStore(tmp_path / "fb"), word_delay_s=0)


@pytest.mark.slow
def test_gradio_client_streams_a_cited_answer(live_server):
    from gradio_client import Client

    client = Client(live_server, verbose=False)
    job = client.submit(QUESTION, [], api_name="/chat")
    updates = [chat for chat, *_ in job]
    final = job.result()[0]
    client.close()
    answers = [text_of(content(chat[-1])) for chat in updates if chat and chat[-1]["role"] == "assistant"]
    assert len(answers) >= 4, "the answer should stream in several updates"
    assert len({a for a in answers if a}) >= 3
    last = content(final[-1])
    assert "136" in last and 'class="rag-cite"' in last and "rag-sources" in last
    assert "#rag:000_7ca68f731093f7b2.txt:" in last  # each citation links to its span
    assert text_of(content(final[0])) == QUESTION


@pytest.mark.slow
def test_gradio_client_follow_up_uses_the_conversation(live_server):
    from gradio_client import Client

    client = Client(live_server, verbose=False)
    first = client.predict("Tell me about the ALLO-605 study", [], api_name="/chat")[0]
    follow = client.predict("How many participants will it enroll?", first, api_name="/chat")[0]
    client.close()
    assert len(follow) == 4
    assert "136" in text_of(content(follow[-1]))


@pytest.mark.slow
def test_abstention_is_marked(page):
    *_, (chat, box, _) = page.respond(UNANSWERABLE, [], None)
    assert box == ""
    assert "rag-abstained" in chat[-1]["content"] and "Not in the documents" in chat[-1]["content"]


@pytest.mark.slow
def test_answer_streams_word_by_word_then_shows_sources(page):
    steps = list(page.respond(QUESTION, [], None))
    shown = [text_of(chat[-1]["content"]) for chat, *_ in steps[1:-1]]
    assert len(shown) >= 3 and all(b.startswith(a) for a, b in zip(shown, shown[1:]))
    assert "rag-sources" not in steps[-2][0][-1]["content"] and "rag-sources" in steps[-1][0][-1]["content"]


def test_blank_question_does_nothing(page):
    assert list(page.respond("   ", [], None))[-1][0] == []


def test_overlong_question_is_refused(page, corpus_settings):
    with pytest.raises(gr.Error):
        list(page.respond("x" * (corpus_settings.max_question_chars + 1), [], None))


@pytest.mark.slow
def test_viewer_opens_the_cited_span(page, qa):
    response = qa.ask(QUESTION)
    c = response.citations[0]
    html = page.open_document({"source": c.source, "start": c.start, "end": c.end, "key": "k1"})
    assert f"<mark>{c.text}</mark>" in html and 'data-key="k1"' in html
    assert "Could not open" in page.open_document({"source": "../../etc/passwd", "start": 0, "end": 3})
    assert "Could not open" in page.open_document({"source": c.source, "start": "x", "end": 3})


@pytest.mark.slow
def test_document_list_has_every_title(page, qa):
    html = page.documents()
    for d in qa.index.list_documents():
        assert d["source"] in html


def test_examples_are_answerable_gold_questions():
    gold = ROOT / "eval" / "gold.jsonl"
    examples = example_questions(gold, [])
    questions = {json.loads(line)["question"]: json.loads(line) for line in gold.read_text().splitlines() if line.strip()}
    assert len(examples) == 4 and len(set(examples)) == 4
    assert all(questions[q]["answerable"] for q in examples)
    assert example_questions(None, [{"source": "a.txt", "title": "Alpha"}]) == ["What is “Alpha” about?"]


def like(index: int, liked) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


@pytest.mark.slow
def test_thumbs_and_comment_are_stored_and_exported(page, tmp_path, monkeypatch):
    *_, (chat, _, session) = page.respond(QUESTION, [], None)
    *_, (chat, _, session) = page.respond(UNANSWERABLE, chat, session)
    box, note, session = page.rate(session, like(1, True))
    assert box["visible"] is True and "helpful" in note["value"]
    box, remark, session = page.comment("Exactly right.", session)
    assert box["visible"] is False and remark == ""
    page.rate(session, like(3, False))
    page.rate(session, like(3, False))  # rating twice keeps one row
    page.comment("It should have said Paris is not in the documents", session)
    assert page.rate(session, like(0, True))[0]["visible"] is False  # a question is not rated

    rows = list(page.feedback.all())
    assert [(r.message, r.rating) for r in rows] == [(1, 1), (3, -1)]
    assert rows[0].comment == "Exactly right." and rows[1].history[0] == Turn(role="user", content=QUESTION)

    monkeypatch.setenv("RAG_DATA_DIR", str(page.feedback.path.parent))
    from rag.cli import app

    result = CliRunner().invoke(app, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    up, down = [json.loads(line) for line in result.stdout.splitlines()]
    assert up["question"] == QUESTION and up["answerable"] is True and up["kind"] == "feedback-up"
    assert up["evidence"] and up["evidence"][0]["source"] == "000_7ca68f731093f7b2.txt"
    assert set(up) >= {"id", "question", "answers", "must_include", "answerable", "kind", "evidence"}
    assert down["answerable"] is True  # a thumbs-down on an abstention: the reader expected an answer
    assert down["history"][0]["content"] == QUESTION and down["evidence"] == []

    out = tmp_path / "gold-review.jsonl"
    result = CliRunner().invoke(app, ["feedback", "export", "--rating", "down", "--out", str(out)])
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 1
    assert CliRunner().invoke(app, ["feedback", "export", "--rating", "sideways"]).exit_code == 2

    page.rate(session, like(3, ""))  # un-clicking the thumb withdraws it
    assert [r.message for r in page.feedback.all()] == [1]


def test_export_without_feedback_is_empty(tmp_path, monkeypatch):
    from rag.cli import app

    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "nothing"))
    result = CliRunner().invoke(app, ["feedback", "export"])
    assert result.exit_code == 0 and result.stdout == ""


def response(abstained: bool) -> AskResponse:
    c = Citation(id=1, source="a.txt", title="A", start=0, end=3, text="abc", score=0.5)
    return AskResponse(answer="abc [1]", abstained=abstained, citations=[c], timings_ms={})


@pytest.mark.parametrize("abstained, rating, comment, answerable", [
    (False, 1, "", True),
    (True, 1, "", False),
    (True, -1, "", True),
    (False, -1, "wrong passage", True),
    (False, -1, "This is not in the documents at all", False),
    (False, -1, "it made up a number", False),
])
def test_answerable_is_guessed_from_the_feedback(tmp_path, abstained, rating, comment, answerable):
    store = FeedbackStore(tmp_path)
    fid = store.rate("c", 1, "q?", [], response(abstained), rating)
    store.comment(fid, comment)
    (fb,) = store.all()
    assert fb.gold_line()["answerable"] is answerable


@pytest.mark.slow
def test_a_transcript_without_session_state_is_the_history(page):
    def answer(chat: list) -> str:
        return text_of(re.search(r'<div class="rag-text">(.*?)</div>', chat[-1]["content"]).group(1))

    *_, (alone, _, _) = page.respond("How many participants will it enroll?", [], None)
    assert "92" in answer(alone), "without history the question is about any study"
    *_, (chat, _, _) = page.respond("Tell me about the ALLO-605 study", [], None)
    *_, (follow, _, session) = page.respond("How many participants will it enroll?", chat, None)
    assert "136" in answer(follow) and "92" not in answer(follow)
    assert session["turns"][0] == {"role": "user", "content": "Tell me about the ALLO-605 study"}
