"""All settings, read once at the edge (CLI, server, eval) and passed down."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path(".rag")
    chroma_url: str = ""
    api_keys: str = ""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 20.0

    top_k: int = Field(default=8, gt=0, le=50)
    # Serving uses one intra-op torch thread per worker; bulk ingestion may use every core.
    serve_threads: int = Field(default=1, gt=0)
    # the embedding model's runtime: ONNX Runtime when it exports and matches PyTorch (auto), or either
    embed_runtime: Literal["auto", "onnx", "torch"] = "auto"
    max_question_chars: int = Field(default=2000, gt=0)
    max_body_bytes: int = Field(default=256_000, gt=0)

    @property
    def keys(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]
