"""The OpenAPI schema is valid, and schemathesis' generated requests against /api on the live
server never get a server error. Bounded: a few examples per endpoint."""

import copy
import traceback

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def raw_schema(live_server) -> dict:
    r = httpx.get(f"{live_server}/openapi.json", timeout=10)
    assert r.status_code == 200
    return r.json()


def test_schema_validates(raw_schema):
    schemathesis.openapi.from_dict(raw_schema).validate()
    paths = set(raw_schema["paths"])
    assert {"/api/health", "/api/ask", "/api/documents", "/api/documents/{source}",
            "/v1/models", "/v1/chat/completions"} <= paths
    assert not any(p.startswith("/gradio_api") for p in paths), "the chat page's internals stay out of the schema"


def test_a_broken_schema_is_caught(raw_schema):
    broken = copy.deepcopy(raw_schema)
    broken["paths"]["/api/ask"]["post"]["responses"] = "none"
    with pytest.raises(jsonschema_rs.ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


@pytest.fixture(scope="module")
def api_operations(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json").include(path_regex=r"^/api/")
    return [result.ok() for result in schema.get_all_operations()]


# Schemathesis' pytest plugin (from_fixture/parametrize) breaks under pytest 9 (it reads
# Function._nodeid), so the test drives its Hypothesis strategies directly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_never_fails_with_a_server_error(api_operations, mode):
    assert sorted(op.path for op in api_operations) == ["/api/ask", "/api/documents", "/api/documents/{source}",
                                                        "/api/health"]
    calls: dict[str, int] = {}
    for operation in api_operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.generate], database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case):
            calls[case.path] = calls.get(case.path, 0) + 1
            case.call_and_validate(checks=[not_a_server_error], timeout=30)

        try:
            run()
        except Unsatisfiable:  # no inputs, or only a free-form string path: nothing invalid to send
            assert mode is GenerationMode.NEGATIVE
            assert operation.path in {"/api/health", "/api/documents", "/api/documents/{source}"}
    assert calls.get("/api/ask", 0) >= 5, calls


def test_the_fuzzing_harness_catches_a_server_error():
    """The same harness, against an app that fails on some inputs, must fail."""
    from fastapi import FastAPI
    from pydantic import BaseModel

    from conftest import serve_app

    class Body(BaseModel):
        question: str

    app = FastAPI()

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/api/ask")
    def ask(body: Body) -> dict:
        if len(body.question) != 3:
            raise RuntimeError("boom")
        return {}

    with serve_app(app) as url:
        (operation,) = [r.ok() for r in schemathesis.openapi.from_url(f"{url}/openapi.json")
                        .include(path_regex="^/api/ask").get_all_operations()]

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(checks=[not_a_server_error], timeout=30)

        with pytest.raises(BaseException) as failed:
            run()
    assert "ServerError" in "".join(traceback.format_exception(failed.value))
