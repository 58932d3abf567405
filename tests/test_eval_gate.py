"""The regression gate: the eval on eval/gold.jsonl with the real model and index must meet
eval/thresholds.toml, and a broken answerer must not."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.evaluate import Observation, ProductSystem, evaluate, load_thresholds

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold.jsonl"
THRESHOLDS = ROOT / "eval" / "thresholds.toml"


@pytest.fixture(scope="module")
def gold_run(qa):
    return evaluate(qa, GOLD, load_thresholds(THRESHOLDS), baseline=True)


def test_product_meets_every_threshold(gold_run):
    limits = load_thresholds(THRESHOLDS)
    assert limits.minimum, "thresholds.toml sets no minimum"
    assert gold_run.passed, "below threshold: " + "; ".join(map(str, gold_run.failures))
    assert len(gold_run.product.scores.samples) == sum(1 for line in GOLD.open() if line.strip())


def test_citations_are_exact_spans_of_indexed_text(gold_run):
    for result in (gold_run.product, gold_run.baseline):
        assert result.metrics["span_validity"] == 1.0, result.name


def test_baseline_is_the_naive_pipeline(gold_run):
    base = gold_run.baseline
    assert base is not None and base.k == 4
    assert base.metrics["false_abstention_rate"] == 0.0 and base.metrics["abstention_recall"] == 0.0
    for row in base.items():
        assert len(row["citations"]) == 4
        assert all(len(c["text"]) <= 1000 for c in row["citations"])
        assert row["answer"] == row["citations"][0]["text"]
    ratios = gold_run.ratios()
    assert ratios["answer_accuracy"] == pytest.approx(
        gold_run.product.metrics["answer_accuracy"] / base.metrics["answer_accuracy"], rel=1e-3)


def test_gate_fails_when_the_answerer_always_abstains(corpus_settings):
    from rag.cli import open_index
    from rag.pipeline import QA

    qa = QA(open_index(corpus_settings), corpus_settings)
    qa.answerer.min_score = math.inf  # the real answerer, set so that nothing is ever good enough
    run = evaluate(qa, GOLD, load_thresholds(THRESHOLDS), baseline=False)
    failed = {f.metric for f in run.failures}
    assert not run.passed
    assert run.product.metrics["false_abstention_rate"] == 1.0
    assert {"answer_accuracy", "citation_support"} <= failed
    # retrieval is untouched by the answerer, so the gate tells the two apart
    assert not failed & {"retrieval_recall_at_k", "retrieval_mrr"}


class SilentSystem(ProductSystem):
    """Retrieves like the product, then answers nothing and cites nothing."""

    def observe(self, item):
        real = super().observe(item)
        return Observation("", False, (), real.retrieved, real.latency_ms)


def test_gate_fails_when_the_answerer_returns_nothing(qa):
    run = evaluate(qa, GOLD, load_thresholds(THRESHOLDS), baseline=False, product=SilentSystem(qa))
    failed = {f.metric for f in run.failures}
    assert {"answer_accuracy", "citation_support", "abstention_recall"} <= failed
    assert math.isnan(run.product.metrics["span_validity"])  # no citation at all: undefined, not 1.0


def test_cli_eval_writes_report_and_exits_nonzero_below_threshold(corpus_settings, tmp_path, monkeypatch):
    from rag.cli import app

    monkeypatch.setenv("RAG_DATA_DIR", str(corpus_settings.data_dir))
    gold = tmp_path / "mini.jsonl"
    gold.write_text("".join(GOLD.read_text(encoding="utf-8").splitlines(keepends=True)[:10]), encoding="utf-8")
    strict = tmp_path / "strict.toml"
    strict.write_text("[max]\nlatency_p50_ms = 0.001\n")
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[min]\nspan_validity = 1.0\n")
    report = tmp_path / "report"
    runner = CliRunner()

    ok = runner.invoke(app, ["eval", "--gold", str(gold), "--json", "--report", str(report), "--thresholds", str(lenient)])
    assert ok.exit_code == 0, ok.output
    summary = json.loads(ok.stdout)
    assert summary["items"] == 10 and summary["gate"]["passed"]
    assert set(summary["product"]["metrics"]) >= {"answer_accuracy", "retrieval_mrr", "latency_p95_ms"}
    assert summary["baseline"]["k"] == 4 and "citation_support" in summary["ratios"]
    assert (report / "results.json").is_file() and (report / "report.md").is_file()

    bad = runner.invoke(app, ["eval", "--gold", str(gold), "--no-baseline", "--report", str(report), "--thresholds", str(strict)])
    assert bad.exit_code == 1, bad.output
    assert "latency_p50_ms" in bad.output
    data = json.loads((report / "results.json").read_text())
    assert data["baseline"] is None and data["diff"]["previous"] is not None
    assert "## Changes since the previous run" in (report / "report.md").read_text()

    missing = runner.invoke(app, ["eval", "--gold", str(tmp_path / "none.jsonl"), "--report", str(report)])
    assert missing.exit_code == 2 and "--gold FILE" in missing.output
