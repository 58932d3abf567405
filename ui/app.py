"""The staff chat page: a Gradio Blocks app mounted at `/` of the FastAPI server.

Left, the conversation: answers stream in word by word, each with its numbered sources, and
thumbs up/down (with an optional comment) go to the feedback store. Right, the source viewer: a
click on any citation opens its document there with the cited span highlighted, and the list of
indexed documents sits below it.
"""

from __future__ import annotations

import html
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import gradio as gr

from rag.auth import KeyRing
from rag.errors import RagError
from rag.feedback import FeedbackStore
from rag.pipeline import QA
from rag.settings import Settings
from rag.types import AskResponse, Turn

from .assets import CSS, VIEWER_JS
from .examples import example_questions
from .render import answer_html, document_html, document_list_html, error_html, esc, user_html, viewer_placeholder

CHAT_API = "chat"  # gradio_client: Client(url).submit(question, [], api_name="/chat")
WORD_DELAY_S = 0.012  # pacing of the word-by-word stream: readable, and far below one retrieval
THINKING = '<div class="rag-answer"><div class="rag-text"><span class="rag-cursor"></span></div></div>'
HEADER = ('<div><h1>Grounded Q&amp;A</h1><p>Answers come only from the indexed documents, and every claim '
          'cites the passage it came from. Click a citation to read it in context.</p></div>')
PLACEHOLDER = ("### Ask a question about the documents\n"
               "Each answer cites its sources as **[1]**, **[2]**… Click one to see the passage highlighted "
               "in its document. If the documents don't say, you'll be told so.")


def new_session() -> dict:
    return {"conversation": uuid.uuid4().hex, "turns": [], "answers": {}, "feedback_id": None}


def turns_from_chat(chat: Sequence[dict]) -> list[dict]:
    """The conversation as plain turns, read back from the chat's HTML: for an API caller that
    sends a transcript without the page's session state."""
    turns = []
    for message in chat:
        content = message.get("content")
        markup = content if isinstance(content, str) else "".join(p.get("text", "") for p in content or [])
        if message.get("role") == "assistant":
            found = re.search(r'<div class="rag-text">(.*?)</div>', markup, re.S)
            markup = found.group(1) if found else markup
        text = html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()
        if text and message.get("role") in ("user", "assistant"):
            turns.append({"role": message["role"], "content": text[:20_000]})
    return turns


class ChatPage:
    """The page's behaviour, kept apart from its layout so tests can call it directly."""

    def __init__(self, qa: QA, settings: Settings, feedback: FeedbackStore, word_delay_s: float = WORD_DELAY_S) -> None:
        self.qa = qa
        self.settings = settings
        self.feedback = feedback
        self.word_delay_s = word_delay_s

    def respond(self, message: str, chat: list | None, session: dict | None) -> Iterator[tuple[list, str, dict]]:
        """Stream one answer: the question at once, then the answer word by word, then its sources."""
        session = session or new_session()
        chat = list(chat or [])
        if chat and not session["turns"]:
            session["turns"] = turns_from_chat(chat)
        question = (message or "").strip()
        if not question:
            yield chat, "", session
            return
        if len(question) > self.settings.max_question_chars:
            raise gr.Error(f"The question is {len(question)} characters; keep it under "
                           f"{self.settings.max_question_chars}.")
        chat.append({"role": "user", "content": user_html(question)})
        yield [*chat, {"role": "assistant", "content": THINKING}], "", session
        history = [Turn(**t) for t in session["turns"]]
        try:
            response = self.qa.ask(question, history)
        except RagError as exc:
            chat.append({"role": "assistant", "content": error_html(str(exc))})
            yield chat, "", session
            return
        shown = ""
        for word in re.findall(r"\s*\S+", response.answer):
            shown += word
            yield [*chat, {"role": "assistant", "content": answer_html(response, shown)}], "", session
            time.sleep(self.word_delay_s)
        chat.append({"role": "assistant", "content": answer_html(response)})
        session["answers"][str(len(chat) - 1)] = {"question": question, "history": session["turns"][:],
                                                  "response": response.model_dump()}
        session["turns"] = [*session["turns"], {"role": "user", "content": question},
                            {"role": "assistant", "content": response.answer}]
        yield chat, "", session

    def respond_to_example(self, chat: list | None, session: dict | None, evt: gr.SelectData):
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from self.respond(value.get("text", ""), chat, session)

    def rate(self, session: dict | None, evt: gr.LikeData):
        """Thumbs up/down on an answer: stored at once; the comment box opens for an optional note."""
        session = session or new_session()
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        record = session["answers"].get(str(index))
        if record is None:
            return gr.update(visible=False), gr.update(), session
        if evt.liked is True or evt.liked is False:
            rating = 1 if evt.liked else -1
            session["feedback_id"] = self.feedback.rate(
                session["conversation"], int(index), record["question"], [Turn(**t) for t in record["history"]],
                AskResponse(**record["response"]), rating)
            note = ("Thanks! Marked as helpful." if rating > 0 else "Thanks! Marked as not helpful.") + \
                " Add a comment if you like (optional):"
            return gr.update(visible=True), gr.update(value=note), session
        self.feedback.withdraw(session["conversation"], int(index))
        session["feedback_id"] = None
        return gr.update(visible=False), gr.update(), session

    def comment(self, text: str, session: dict | None):
        session = session or new_session()
        if session.get("feedback_id") and (text or "").strip():
            self.feedback.comment(session["feedback_id"], text)
            gr.Info("Comment saved. Thank you!")
        return gr.update(visible=False), "", session

    def open_document(self, args: dict) -> str:
        """The viewer's server function: a document as escaped HTML with the cited span marked."""
        try:
            source = str(args.get("source", ""))
            start, end = int(args.get("start", -1)), int(args.get("end", -1))
            doc = self.qa.index.document(source)
        except (RagError, TypeError, ValueError, AttributeError) as exc:
            return f'<div class="rag-empty">Could not open that document: {esc(str(exc))}</div>'
        return document_html(doc.source, doc.title, doc.text, start, end, key=str(args.get("key", "")))

    def documents(self) -> str:
        return document_list_html(self.qa.index.list_documents())


def build_blocks(page: ChatPage, examples: Sequence[str]) -> gr.Blocks:
    def open_document(args: dict) -> str:  # a plain function: Gradio marks server functions with an attribute
        return page.open_document(args)

    with gr.Blocks(title="Grounded Q&A") as blocks:
        session = gr.State(None)
        gr.HTML(HEADER, elem_id="rag-header", js_on_load=None)
        with gr.Row(equal_height=False, elem_id="rag-main"):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    elem_id="rag-chat", show_label=False, height="max(420px, calc(100vh - 250px))", placeholder=PLACEHOLDER,
                    examples=[{"text": q} for q in examples], feedback_options=("Like", "Dislike"),
                    latex_delimiters=[], buttons=["copy"], sanitize_html=True, group_consecutive_messages=False,
                )
                with gr.Row(equal_height=True):
                    box = gr.Textbox(placeholder="Ask about the documents…", show_label=False, scale=8,
                                     autofocus=True, lines=1, max_lines=4, elem_id="rag-question", container=False)
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="rag-ask")
                with gr.Group(visible=False, elem_id="rag-feedback") as feedback_box:
                    note = gr.Markdown("", elem_id="rag-feedback-note")
                    with gr.Row(equal_height=True):
                        remark = gr.Textbox(placeholder="What was right or wrong? (optional)", show_label=False,
                                            scale=8, container=False, elem_id="rag-comment")
                        send_remark = gr.Button("Send", size="sm", scale=1, min_width=80, elem_id="rag-comment-send")
                new_chat = gr.Button("New conversation", size="sm", variant="secondary", elem_id="rag-new")
            with gr.Column(scale=2, min_width=340):
                viewer = gr.HTML(viewer_placeholder(), elem_id="rag-viewer", js_on_load=VIEWER_JS,
                                 server_functions=[open_document])
                with gr.Accordion("Documents in the index", open=True, elem_id="rag-doc-list"):
                    gr.HTML(page.documents, js_on_load=None)

        turn = dict(fn=page.respond, inputs=[box, chatbot, session], outputs=[chatbot, box, session],
                    concurrency_limit=4, show_progress="hidden")
        ask.click(api_name=CHAT_API, api_description="Ask a question; streams the chat with the cited answer.", **turn)
        box.submit(api_visibility="private", **turn)
        chatbot.example_select(page.respond_to_example, [chatbot, session], [chatbot, box, session],
                               api_visibility="private", concurrency_limit=4, show_progress="hidden")
        chatbot.like(page.rate, [session], [feedback_box, note, session], api_visibility="private")
        send_remark.click(page.comment, [remark, session], [feedback_box, remark, session], api_visibility="private")
        remark.submit(page.comment, [remark, session], [feedback_box, remark, session], api_visibility="private")
        reset = dict(fn=lambda: ([], "", new_session(), gr.update(visible=False), viewer_placeholder()),
                     inputs=None, outputs=[chatbot, box, session, feedback_box, viewer], api_visibility="private")
        new_chat.click(**reset)
        chatbot.clear(**reset)
    return blocks


def mount(app, qa: QA, settings: Settings, feedback: FeedbackStore, keys: KeyRing, gold: Path | None = None):
    """Mount the chat page at `/` of `app`; with API keys set the page asks for a login whose
    password is one of the keys."""
    examples = example_questions(gold, qa.index.list_documents())
    blocks = build_blocks(ChatPage(qa, settings, feedback), examples)
    theme = gr.themes.Soft(primary_hue="indigo", font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI",
                                                       "Roboto", "sans-serif"])
    return gr.mount_gradio_app(
        app, blocks, path="/", theme=theme, css=CSS, footer_links=["api"], run_history=False,
        auth=keys.gradio_login if keys else None,
        auth_message="Sign in with any user name and one of the API keys (RAG_API_KEYS) as the password.",
    )
