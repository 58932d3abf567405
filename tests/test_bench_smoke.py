"""A small slice of the public benchmarks, so `make bench-quality` cannot rot unseen: 20 SQuAD 2.0
questions (half unanswerable) over their own paragraphs, with the real model, index and answerer."""

from __future__ import annotations

import pytest

from eval.bench_data import DatasetMissing, default_datasets_dir, load_squad, sample_half_unanswerable
from eval.bench_quality import build_qa, describe, exact_match, run_qa, token_f1
from eval.bench_report import plot_sweep, render

pytestmark = pytest.mark.slow


def test_squad_scoring_follows_the_official_normalisation():
    assert exact_match("The Normans.", "normans") == 1.0
    assert token_f1("in the north of France", "France") == pytest.approx(0.4)  # "in north of france": P 1/4, R 1
    assert token_f1("", "") == 1.0 and token_f1("something", "") == 0.0


def test_squad_slice_end_to_end(tmp_path):
    try:
        docs, questions = load_squad(default_datasets_dir())
    except DatasetMissing as exc:
        pytest.skip(str(exc))
    sample = sample_half_unanswerable(questions, 20, seed=7)
    assert len(sample) == 20 and sum(q.answerable for q in sample) == 10
    own = {q.source for q in sample}
    built = build_qa("squad-smoke", [d for d in docs if d.source in own], tmp_path)
    assert built.documents == len(own) and built.chunks > built.documents

    result = run_qa(built.qa, sample, sweep=(0.0, 0.42, 10.0), name="smoke")
    m = result["summary"]
    assert m["questions"] == 20 and len(result["rows"]) == 20
    # with only the questions' own paragraphs indexed, retrieval must find them
    assert m["doc_recall_at_k"] >= 0.9
    assert m["span_recall_at_k"] >= 0.7
    assert 0.0 <= m["f1"] <= 1.0 and m["latency_p95_ms"] > 0
    for row in result["rows"]:
        if row["cited"]:
            assert row["answerable"] and not row["abstained"]

    points = {p["min_score"]: p for p in result["sweep"]["points"]}
    assert points[10.0]["abstention_recall"] == 1.0 and points[10.0]["false_abstention_rate"] == 1.0
    assert points[0.0]["false_abstention_rate"] <= points[10.0]["false_abstention_rate"]
    assert result["sweep"]["agreement_with_ask_at_default"] == 1.0  # the sweep replays exactly what ask saw

    text = render({"squad": {**describe(built, "squad"), "seed": 7, **result}}, "plot.png")
    assert "## SQuAD 2.0" in text and "(default)" in text and "not our measurements" in text
    png = tmp_path / "sweep.png"
    if plot_sweep(result["sweep"], png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
