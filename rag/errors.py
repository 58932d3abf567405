"""Domain errors. Each message says how to fix the problem; only the edges (CLI, API, UI) turn
them into exit codes, HTTP statuses or chat messages."""


class RagError(Exception):
    """Base class for errors meant for people."""

    code = "rag_error"
    http_status = 400


class IndexNotBuilt(RagError):
    code = "index_not_built"
    http_status = 503

    def __init__(self, data_dir: str) -> None:
        super().__init__(f"No index found in {data_dir!r}. Build it with `rag ingest` (or `make serve`).")


class ModelMismatch(RagError):
    code = "model_mismatch"
    http_status = 500

    def __init__(self, data_dir: str, built_with: str, current: str) -> None:
        super().__init__(
            f"The index in {data_dir!r} was built with embedding model {built_with!r}, but this "
            f"build uses {current!r}. Rebuild it with `rag ingest --rebuild`."
        )


class UnsupportedFile(RagError):
    code = "unsupported_file"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Skipped {path}: {reason}")
        self.path = path
        self.reason = reason


class DocumentNotFound(RagError):
    code = "document_not_found"
    http_status = 404

    def __init__(self, source: str) -> None:
        super().__init__(f"No indexed document named {source!r}. List them with GET /api/documents.")


class BadRequest(RagError):
    code = "bad_request"
    http_status = 422


class ModelNotFound(RagError):
    code = "model_not_found"
    http_status = 404

    def __init__(self, model: str, served: str = "grounded-qa") -> None:
        super().__init__(f"No model named {model!r}. Use model {served!r} (listed by GET /v1/models).")


class LLMNotConfigured(RagError):
    code = "llm_not_configured"
    http_status = 500

    def __init__(self, base_url: str) -> None:
        super().__init__(f"RAG_LLM_BASE_URL is {base_url!r} but RAG_LLM_MODEL is empty. Set RAG_LLM_MODEL to a "
                         f"model the server serves (GET {base_url.rstrip('/')}/models lists them), or unset "
                         "RAG_LLM_BASE_URL to use the extractive answerer.")


class GoldSetError(RagError):
    code = "gold_set_invalid"


class ThresholdsError(RagError):
    code = "thresholds_invalid"


class DatasetMissing(RagError):
    code = "dataset_missing"

    def __init__(self, path, env_var: str) -> None:
        super().__init__(f"Benchmark data {str(path)!r} not found. Point --datasets (or {env_var}) at the "
                         "shared datasets folder, the one holding squad2_cs224n_dev/, pubmedqa/ and covid_qa/.")
