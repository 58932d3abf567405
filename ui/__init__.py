"""The staff chat page (Gradio), mounted at `/` of the FastAPI server by `rag.api.create_app`."""

from .app import CHAT_API, ChatPage, build_blocks, mount

__all__ = ["CHAT_API", "ChatPage", "build_blocks", "mount"]
