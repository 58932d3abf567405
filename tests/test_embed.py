"""The embedding model under its two runtimes: ONNX Runtime (the default where it exports) and
PyTorch give the same vectors, and the product falls back to PyTorch when ONNX is unavailable."""

from __future__ import annotations

import numpy as np
import pytest

from rag import embed
from rag.errors import RagError
from rag.settings import Settings

TEXTS = [
    "ALLO-316 is an anti-CD70 allogeneic CAR T product for renal cell carcinoma.",
    "Minimum age: 18 Years.",
    "Estimated Enrollment : | 136 participants |",
    "x",
    "Among 8 patients who were treated at dose-level 2 (80 million CAR T-cells) after a standard FC500 "
    "[fludarabine (30 mg/m2/day) and cyclophosphamide (500 mg/m2/d) for 3 days] lymphodepletion regimen, "
    "the best overall response rate (ORR) was 38% (3/8). " * 6,  # longer than the model's 256 tokens
]


@pytest.fixture(scope="module")
def runtimes():
    return embed.MiniLMEmbeddings(runtime="onnx"), embed.MiniLMEmbeddings(runtime="torch")


@pytest.mark.slow
def test_onnx_runtime_gives_pytorchs_vectors(runtimes):
    onnx, torch = runtimes
    assert (onnx.runtime, torch.runtime) == ("onnx", "torch")
    assert onnx.model_id == torch.model_id, "same model: an index built with one serves the other"
    a, b = onnx.embed_array(TEXTS), torch.embed_array(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), embed.DIM) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.9999
    assert np.allclose(onnx.embed_query(TEXTS[1]), b[1], atol=1e-4)


@pytest.mark.slow
def test_onnx_sessions_follow_the_torch_thread_count(runtimes):
    onnx, _ = runtimes
    import torch

    before = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            onnx.embed_documents(["a question"])
            assert onnx._sessions[n].get_session_options().intra_op_num_threads == n
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
def test_auto_falls_back_to_pytorch_when_onnx_is_unavailable(monkeypatch):
    def no_export(model):
        raise ImportError("No module named 'onnxscript'")

    monkeypatch.setattr(embed, "onnx_model", no_export)
    fallback = embed.MiniLMEmbeddings(runtime="auto")
    assert fallback.runtime == "torch" and "onnxscript" in fallback.runtime_note
    assert len(fallback.embed_query("still works")) == embed.DIM
    with pytest.raises(RagError, match="RAG_EMBED_RUNTIME=torch"):
        embed.MiniLMEmbeddings(runtime="onnx")


def test_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="unknown embedding runtime"):
        embed.MiniLMEmbeddings(runtime="tensorrt")
    with pytest.raises(ValueError):
        Settings(embed_runtime="tensorrt")
