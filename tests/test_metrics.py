"""Metric logic on tiny hand-made samples, gold/threshold loading, the gate and the run diff."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rag.evaluate import (
    EvalResult,
    GoldSetError,
    SystemResult,
    Thresholds,
    ThresholdsError,
    check,
    check_evidence,
    load_gold,
    load_thresholds,
    previous_run,
    render_markdown,
    write_report,
)
from rag.metrics import (
    AbstentionRecall,
    AnswerAccuracy,
    CitationPrecision,
    CitationSupport,
    FalseAbstentionRate,
    GoldItem,
    Latency,
    ReciprocalRank,
    RetrievalRecall,
    Sample,
    Scores,
    SpanValidity,
    answer_correct,
    contains,
    locate_evidence,
    occurrences,
)
from rag.types import Citation, Span

DOC = "Intro line.\nStatus : Recruiting\nEnrollment: 136 participants.\nStatus : Recruiting\n" + "Filler text. " * 40
DOCS = {"a.txt": DOC, "b.txt": "Other document about ALLO-316 in renal cell carcinoma."}
ROOT = Path(__file__).resolve().parents[1]


def item(**kw) -> GoldItem:
    base = {"id": "t1", "question": "q?", "answers": [], "must_include": [], "answerable": True, "kind": "factoid",
            "evidence": [{"source": "a.txt", "quote": "Enrollment: 136 participants."}]}
    return GoldItem.model_validate({**base, **kw})


def cite(source: str, start: int, end: int, n: int = 1, docs=DOCS) -> Citation:
    return Citation(id=n, source=source, title="", start=start, end=end, text=docs[source][start:end], score=0.5)


def sample(it: GoldItem, answer: str = "", abstained: bool = False, citations=(), retrieved=(), latency=10.0) -> Sample:
    return Sample(it, answer, abstained, tuple(citations), tuple(retrieved), latency, locate_evidence(it, DOCS), DOCS)


def span_of(source: str, text: str) -> tuple[int, int]:
    start = DOCS[source].index(text)
    return start, start + len(text)


# --- answer matching -------------------------------------------------------------------------------

def test_contains_normalises_and_matches_whole_words():
    assert contains("Endpoint: TIS ≥ 60 – at week 24", "tis >= 60 - at WEEK 24")
    assert contains("Status:\n  RECRUITING now", "recruiting")
    assert not contains("Recruitingly", "recruiting")
    assert contains("enrolls 136 participants", "136")
    assert not contains("enrolls 1,136 participants", "136")
    assert not contains("dose 136.5 mg", "136")
    assert not contains("NCT050004501", "NCT05000450")
    assert contains("the ｆｕｌｌｗｉｄｔｈ form", "fullwidth")  # NFKC
    assert not contains("anything", "   ")


def test_answer_correct_rules():
    it = item(answers=["authorised", "authorized"], must_include=["Phase 2", "CD19"])
    assert answer_correct(it, "Authorized, Phase 2, targets CD19", False)
    assert not answer_correct(it, "Authorized, Phase 2", False)  # a must_include missing
    assert not answer_correct(it, "Phase 2 targeting CD19", False)  # no answer
    assert not answer_correct(it, "Authorized, Phase 2, targets CD19", True)  # abstained
    only_must = item(must_include=["a1", "b2"])
    assert answer_correct(only_must, "b2 and a1", False)
    no = item(answerable=False, evidence=[], kind="unanswerable")
    assert answer_correct(no, "The documents don't answer this.", True)
    assert not answer_correct(no, "Something confident", False)


# --- citations and spans ---------------------------------------------------------------------------------

def test_occurrences_finds_every_occurrence():
    assert occurrences("aa", "aaa") == [(0, 2), (1, 3)]
    assert len(occurrences("Status : Recruiting", DOC)) == 2
    assert occurrences("absent", DOC) == []


def test_citation_support_needs_same_source_and_overlap():
    it = item()
    s, e = span_of("a.txt", "Enrollment: 136 participants.")
    support = CitationSupport()
    assert support.score(sample(it, "x", citations=[cite("a.txt", s + 5, e + 20)])) == 1.0
    assert support.score(sample(it, "x", citations=[cite("a.txt", e, e + 10)])) == 0.0  # touches, no overlap
    assert support.score(sample(it, "x", citations=[cite("b.txt", 0, 10)])) == 0.0  # other source
    assert support.score(sample(it, "x", citations=[])) == 0.0
    assert support.score(sample(it, "x", abstained=True, citations=[cite("a.txt", s, e)])) == 0.0
    assert math.isnan(support.score(sample(item(answerable=False, evidence=[]), "x")))


def test_repeated_quote_any_occurrence_counts():
    it = item(evidence=[{"source": "a.txt", "quote": "Status : Recruiting"}])
    second = DOC.index("Status : Recruiting", DOC.index("Status : Recruiting") + 1)
    assert CitationSupport().score(sample(it, "x", citations=[cite("a.txt", second, second + 5)])) == 1.0


def test_citation_precision_share_and_length_limit():
    it = item()
    s, e = span_of("a.txt", "Enrollment: 136 participants.")
    good, off = cite("a.txt", s, e, 1), cite("b.txt", 0, 10, 2)
    assert CitationPrecision().score(sample(it, "x", citations=[good, off])) == 0.5
    page = cite("a.txt", 0, len(DOC))  # overlaps, but far longer than the evidence + 200 chars
    assert len(DOC) > (e - s) + 200
    assert CitationPrecision().score(sample(it, "x", citations=[page])) == 0.0
    assert CitationPrecision(max_extra_chars=None).score(sample(it, "x", citations=[page])) == 1.0
    assert math.isnan(CitationPrecision().score(sample(it, "x", citations=[])))
    assert math.isnan(CitationPrecision().score(sample(it, "x", abstained=True, citations=[good])))


def test_span_validity_checks_text_against_document():
    it = item()
    ok = cite("a.txt", 0, 11)
    wrong = Citation(id=2, source="a.txt", title="", start=0, end=11, text="Intro line!", score=0.1)
    missing = Citation(id=3, source="gone.txt", title="", start=0, end=3, text="abc", score=0.1)
    beyond = Citation(id=4, source="b.txt", title="", start=-5, end=3, text="", score=0.1)
    assert SpanValidity().score(sample(it, "x", citations=[ok])) == 1.0
    assert SpanValidity().score(sample(it, "x", citations=[ok, wrong, missing, beyond])) == 0.25
    assert math.isnan(SpanValidity().score(sample(it, "x")))


# --- abstention, retrieval, latency ----------------------------------------------------------------------

def test_abstention_metrics_are_defined_on_their_half_only():
    yes, no = item(), item(answerable=False, evidence=[], kind="unanswerable")
    assert AbstentionRecall().score(sample(no, abstained=True)) == 1.0
    assert AbstentionRecall().score(sample(no, abstained=False)) == 0.0
    assert math.isnan(AbstentionRecall().score(sample(yes, abstained=True)))
    assert FalseAbstentionRate().score(sample(yes, abstained=True)) == 1.0
    assert math.isnan(FalseAbstentionRate().score(sample(no, abstained=True)))


def test_retrieval_recall_and_reciprocal_rank():
    it = item(evidence=[{"source": "a.txt", "quote": "Enrollment: 136 participants."},
                        {"source": "b.txt", "quote": "ALLO-316"}])
    s, e = span_of("a.txt", "Enrollment: 136 participants.")
    miss = Span("a.txt", 0, 5, "")
    hit_a = Span("a.txt", s - 3, s + 3, "")
    hit_b = Span("b.txt", 0, 40, "")
    got = sample(it, retrieved=[miss, miss, hit_a, hit_b])
    assert RetrievalRecall().score(got) == 1.0
    assert RetrievalRecall(k=3).score(got) == 0.5
    assert RetrievalRecall(k=2).score(got) == 0.0
    assert ReciprocalRank().score(got) == pytest.approx(1 / 3)
    assert ReciprocalRank().score(sample(it, retrieved=[miss])) == 0.0
    assert math.isnan(ReciprocalRank().score(sample(item(answerable=False, evidence=[]), retrieved=[hit_a])))


def test_latency_percentiles():
    it = item()
    samples = [sample(it, latency=float(ms)) for ms in range(1, 101)]
    scores = Scores.compute(samples, [Latency(50), Latency(95)])
    assert scores.means["latency_p50_ms"] == pytest.approx(50.5)
    assert scores.means["latency_p95_ms"] == pytest.approx(95.05)


def test_means_leave_out_nan_and_rows_keep_it():
    yes = item(id="y", answers=["136"])
    no = item(id="n", answerable=False, evidence=[], kind="unanswerable")
    s, e = span_of("a.txt", "Enrollment: 136 participants.")
    samples = [sample(yes, "136 [1]", citations=[cite("a.txt", s, e)]), sample(no, "confident", abstained=False)]
    scores = Scores.compute(samples, [AnswerAccuracy(), CitationSupport(), AbstentionRecall()])
    assert scores.means == {"answer_accuracy": 0.5, "citation_support": 1.0, "abstention_recall": 0.0}
    assert math.isnan(scores.rows[1]["citation_support"])
    assert scores.defined == {"answer_accuracy": 2, "citation_support": 1, "abstention_recall": 1}
    kinds = scores.by_kind()
    assert kinds["factoid"]["answer_accuracy"] == 1.0 and kinds["unanswerable"]["answer_accuracy"] == 0.0
    assert math.isnan(kinds["factoid"]["abstention_recall"])


# --- gold file, thresholds, gate ---------------------------------------------------------------------------

def test_load_gold_reads_the_real_gold_set():
    items = load_gold(ROOT / "eval" / "gold.jsonl")
    assert len(items) >= 90 and items[0].line == 1
    assert any(i.history for i in items) and any(not i.answerable for i in items)


@pytest.mark.parametrize("line, message", [
    ("{not json", "line 2 is not valid JSON"),
    ('{"id": "x", "question": "q"}', "line 2 is malformed: answerable"),
    ('["a list"]', "line 2 is malformed"),
    ('{"id": "g1", "question": "q", "answerable": false}', "id 'g1' is already used on line 1"),
    ('{"id": "x", "question": "q", "answerable": true, "answers": ["a"]}', "needs at least one evidence"),
])
def test_load_gold_says_which_line_is_wrong(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "g1", "question": "q", "answerable": false}\n' + line + "\n")
    with pytest.raises(GoldSetError, match=message):
        load_gold(path)


def test_load_gold_missing_file(tmp_path):
    with pytest.raises(GoldSetError, match="not found. Pass one with --gold"):
        load_gold(tmp_path / "nope.jsonl")


def test_check_evidence_names_the_line_that_does_not_match_the_index(tmp_path):
    fine = item(id="ok", line=3)
    wrong = item(id="bad", line=7, evidence=[{"source": "a.txt", "quote": "Enrollment: 137 participants."}])
    gone = item(id="gone", line=9, evidence=[{"source": "missing.txt", "quote": "x"}])
    check_evidence([fine], DOCS, tmp_path / "g.jsonl", "idx")
    with pytest.raises(GoldSetError, match=r"line 7 \(bad\): quote not found verbatim in a.txt.*line 9 \(gone\): source 'missing.txt' is not in the index.*rag ingest"):
        check_evidence([fine, wrong, gone], DOCS, tmp_path / "g.jsonl", "idx")


def test_thresholds_file_and_check(tmp_path):
    real = load_thresholds(ROOT / "eval" / "thresholds.toml")
    assert real.minimum and "answer_accuracy" in real.minimum
    path = tmp_path / "t.toml"
    path.write_text("[min]\nanswer_accuracy = 0.8\ncitation_support = 0.5\n[max]\nlatency_p95_ms = 100\n")
    t = load_thresholds(path)
    assert check({"answer_accuracy": 0.8, "citation_support": 0.6, "latency_p95_ms": 99}, t) == []
    failed = check({"answer_accuracy": 0.79, "citation_support": float("nan"), "latency_p95_ms": 101}, t)
    assert [(f.metric, f.side) for f in failed] == [("answer_accuracy", "min"), ("citation_support", "min"), ("latency_p95_ms", "max")]
    assert "undefined" in str(failed[1])
    path.write_text("[min]\nanswer_acuracy = 0.8\n")
    with pytest.raises(ThresholdsError, match="unknown metric 'answer_acuracy'"):
        load_thresholds(path)
    path.write_text("[minimum]\n")
    with pytest.raises(ThresholdsError, match="use \\[min\\] and \\[max\\]"):
        load_thresholds(path)


# --- stored runs -------------------------------------------------------------------------------------------

def fake_result(tmp_path: Path, correct: dict[str, bool]) -> EvalResult:
    gold = tmp_path / "mini.jsonl"
    gold.write_text("".join(json.dumps({"id": k, "question": "q", "answerable": False}) + "\n" for k in correct))
    samples = [sample(item(id=k, answerable=False, evidence=[], kind="unanswerable"), "x", abstained=ok) for k, ok in correct.items()]
    product = SystemResult("product", 8, Scores.compute(samples))
    return EvalResult(gold, "sha", "2026-01-01T00:00:00+00:00", {}, product, None, Thresholds({"answer_accuracy": 0.5}), [], 1.0)


def test_report_diff_lists_flipped_questions(tmp_path):
    report = tmp_path / "report"
    first = fake_result(tmp_path, {"a": True, "b": False, "c": True})
    write_report(first, report)
    assert previous_run(report, first.gold)["systems"]["product"]["items"][0]["id"] == "a"
    second = fake_result(tmp_path, {"a": False, "b": True, "c": True, "d": True})
    paths = write_report(second, report)
    data = json.loads(paths["results"].read_text())
    flips = data["diff"]["flips"]["answer_accuracy"]
    assert flips == {"fixed": ["b"], "broken": ["a"]}
    assert data["diff"]["new_items"] == ["d"]
    assert data["diff"]["metric_deltas"]["answer_accuracy"] == pytest.approx(0.75 - 2 / 3, abs=1e-3)
    md = paths["report"].read_text()
    assert "fixed 1 (b), broken 1 (a)" in md
    # failures first in the per-question table
    table = md.split("## Per question")[1]
    assert table.index("| a |") < table.index("| b |")
    assert len(list((report / "history" / "mini").glob("*.json"))) == 2


def test_markdown_escapes_pipes(tmp_path):
    result = fake_result(tmp_path, {"a": True})
    result.product.scores.samples[0] = sample(item(id="a", answerable=False, evidence=[]), "x | y", abstained=True)
    assert "x \\| y" in render_markdown(result, None)
