"""The public benchmarks' report: eval/BENCHMARKS.md from the stored results, the abstention curve
as a PNG (when matplotlib is installed; the table is always there), and the published reference
numbers, labelled as such."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_sweep(sweep: dict[str, Any], path: Path) -> bool:
    """A PNG of the curve when matplotlib is installed (it is optional); the markdown table always."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    pts = sweep["points"]
    x = [p["false_abstention_rate"] for p in pts]
    y = [p["abstention_recall"] for p in pts]
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=110)
    ax.plot(x, y, marker="o", markersize=3, linewidth=1.2, label="answerer min_score sweep")
    for p in pts:
        if p["default"]:
            ax.plot(p["false_abstention_rate"], p["abstention_recall"], "r*", markersize=12,
                    label=f"default min_score {p['min_score']:g}")
        elif round(p["min_score"] * 100) % 20 == 0:
            ax.annotate(f"{p['min_score']:g}", (p["false_abstention_rate"], p["abstention_recall"]),
                        textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", linewidth=0.8, label="chance")
    ax.set_xlabel("false-abstention rate (answerable questions declined)")
    ax.set_ylabel("abstention recall (unanswerable questions declined)")
    ax.set_title("SQuAD 2.0 dev half: abstention vs. threshold")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True



PUBLISHED = """\
## Published reference numbers (not our measurements)

Numbers from papers and public result files, on *other* corpora, query sets and protocols. They give
the scale of what BM25 and the MiniLM model we embed with reach on biomedical retrieval; they are not a
like-for-like comparison with the tables above (one relevant abstract per question there, many graded
relevant documents per query here).

| task | dataset | metric | BM25 | all-MiniLM-L6-v2 |
|---|---|---|---:|---:|
| zero-shot retrieval | BEIR TREC-COVID | nDCG@10 | 0.656 | 0.472 |
| zero-shot retrieval | BEIR NFCorpus | nDCG@10 | 0.325 | 0.316 |
| zero-shot retrieval | BEIR SciFact | nDCG@10 | 0.665 | 0.645 |

- BM25: Thakur et al., *BEIR* (NeurIPS 2021 Datasets and Benchmarks), multi-field BM25; the same values are
  reproduced by Anserini's BEIR v1.0.0 "multifield" regressions (0.6559, 0.3254, 0.6647).
- all-MiniLM-L6-v2: MTEB (Muennighoff et al., EACL 2023) result files for the model
  (embeddings-benchmark/mtebpaper, `results/all-MiniLM-L6-v2/{TRECCOVID,NFCorpus,SciFact}.json`: 0.47246, 0.31594, 0.64508).
- SQuAD 2.0 (Rajpurkar et al., ACL 2018), reading comprehension with the gold paragraph given, test set: human
  89.5 F1, best model in the paper (DocQA + ELMo) 66.3 F1. Our EM/F1 are not comparable: we retrieve from all
  646 paragraphs and answer with whole sentences.
- PubMedQA (Jin et al., EMNLP 2019), yes/no/maybe accuracy on PQA-L, reasoning-required: single human 78.0%,
  BioBERT multi-phase 68.1%, majority class 55.2%. That is a classification task; we measure retrieval of
  the question's own abstract, which the paper does not.
"""


def _f(v: Any, pct: bool = True) -> str:
    if v is None:
        return "n/a"
    return f"{v * 100:.1f}%" if pct else f"{v:g}"


def _ingest(r: dict[str, Any]) -> str:
    rate = r["embedded_chunks"] / r["ingest_seconds"] if r.get("ingest_seconds") else 0
    return f"ingested in {r['ingest_seconds']:.0f} s, {rate:.0f} chunks/s on a CPU shared with other work"


def summary_table(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    if (s := results.get("squad")):
        m = s["summary"]
        rows.append(f"| SQuAD 2.0 dev half | {s['documents']} paragraphs | {m['questions']} (half unanswerable) | "
                    f"contains answer {_f(m['contains_answer'])}, cites gold span {_f(m['citation_support'])}, "
                    f"abstention recall {_f(m['abstention_recall'])} at {_f(m['false_abstention_rate'])} false abstentions |")
    if (p := results.get("pubmedqa")):
        h = p["retrieval"]["hybrid"]
        rows.append(f"| PubMedQA PQA-L | {p['documents']} abstracts | {h['questions']} | own abstract at rank 1: "
                    f"{_f(h['recall_at_1'])}, in top 5: {_f(h['recall_at_5'])}, MRR {h['mrr']:.3f} (hybrid) |")
    if (c := results.get("covidqa")):
        m = c["summary"]
        rows.append(f"| COVID-QA | {c['documents']} papers | {m['questions']} | contains answer {_f(m['contains_answer'])}, "
                    f"cites gold span {_f(m['citation_support'])}, gold span retrieved {_f(m['span_recall_at_k'])} |")
    if not rows:
        return []
    return ["| benchmark | corpus | questions | headline |", "|---|---|---|---|", *rows, ""]


def render(results: dict[str, dict[str, Any]], plot: str | None) -> str:
    out = ["# Quality benchmarks", "",
           "Measured by `make bench-quality` (`python -m eval.bench_quality`) with the product as shipped: the structure-"
           "following chunker, MiniLM + bm25s hybrid retrieval and the extractive answerer (the LLM answerer is off). Each corpus is "
           "written as .txt files to a work folder outside the repository and ingested with `rag.ingest`. Raw per-question "
           "rows are in `<work>/results/*.json`.", ""]
    out += summary_table(results)
    if (s := results.get("squad")):
        m = s["summary"]
        out += [f"## SQuAD 2.0, dev half ({s['date']}, {s['machine']})", "",
                f"Corpus: {s['documents']} paragraphs, one document each ({s['chunks']} chunks, "
                f"{_ingest(s)}). Questions: a fixed random sample (seed {s['seed']}) of {m['questions']}, "
                f"{m['answerable']} answerable and {m['unanswerable']} unanswerable, asked against all paragraphs.", "",
                "| metric | value |", "|---|---:|",
                f"| answer contains a gold answer (answerable) | {_f(m['contains_answer'])} |",
                f"| … among questions it answered | {_f(m['contains_answer_when_answered'])} |",
                f"| citation overlaps the gold answer span (answerable) | {_f(m['citation_support'])} |",
                f"| … among questions it answered | {_f(m['citation_support_when_answered'])} |",
                f"| abstention recall (unanswerable declined) | {_f(m['abstention_recall'])} |",
                f"| false-abstention rate (answerable declined) | {_f(m['false_abstention_rate'])} |",
                f"| gold span among the passages retrieved for the answerer | {_f(m['span_recall_at_k'])} |",
                f"| gold paragraph among those passages | {_f(m['doc_recall_at_k'])} |",
                f"| exact match / F1, all (for reference) | {_f(m['exact_match'])} / {_f(m['f1'])} |",
                f"| exact match / F1, answerable only | {_f(m['has_answer_exact_match'])} / {_f(m['has_answer_f1'])} |",
                f"| latency p50 / p95 | {m['latency_p50_ms']:.0f} / {m['latency_p95_ms']:.0f} ms |", "",
                "EM and F1 use the official SQuAD normalisation against the answer text without citation markers; an "
                "abstention is the empty answer. The answerer returns whole sentences, not minimal spans, so EM is near "
                "zero by design and F1 is low: *contains* and citation overlap are the measures that fit the product.", ""]
        sw = s.get("sweep")
        if sw:
            out += [f"### Abstention threshold sweep (answerer `min_score`, default {sw['default_min_score']:g})", ""]
            if plot:
                out += [f"![abstention recall against false-abstention rate]({plot})", ""]
            out += ["Every question was asked again through `QA.ask` over the hits it first retrieved, with only the answerer's "
                    "`min_score` changed. "
                    f"At the default it agrees with `QA.ask` on {_f(sw['agreement_with_ask_at_default'])} of the questions.", "",
                    "| min_score | abstention recall | false-abstention rate | contains gold answer (answerable) |",
                    "|---:|---:|---:|---:|"]
            for p in sw["points"]:
                mark = " (default)" if p["default"] else ""
                out.append(f"| {p['min_score']:g}{mark} | {_f(p['abstention_recall'])} | {_f(p['false_abstention_rate'])} | "
                           f"{_f(p['contains_answer'])} |")
            out.append("")
    if (p := results.get("pubmedqa")):
        out += [f"## PubMedQA PQA-L: finding a question's own abstract ({p['date']}, {p['machine']})", "",
                f"Corpus: all {p['documents']} abstracts (contexts without the conclusion; the title, from which the "
                f"question is derived, left out), {p['chunks']} chunks, {_ingest(p)}. For each of "
                f"the {p['retrieval']['dense']['questions']} questions, the rank of its own abstract once the top "
                f"{p['depth_chunks']} chunks are folded into documents.", "",
                "| retriever | recall@1 | recall@5 | recall@10 | MRR | nDCG@10 |", "|---|---:|---:|---:|---:|---:|"]
        for name, label in (("dense", "dense (MiniLM, Chroma)"), ("keyword", "keyword (bm25s)"), ("hybrid", "hybrid (RRF, the product)")):
            r = p["retrieval"][name]
            out.append(f"| {label} | {_f(r['recall_at_1'])} | {_f(r['recall_at_5'])} | {_f(r['recall_at_10'])} | "
                       f"{r['mrr']:.3f} | {r['ndcg_at_10']:.3f} |")
        out.append("")
    if (c := results.get("covidqa")):
        m = c["summary"]
        out += [f"## COVID-QA: long papers ({c['date']}, {c['machine']})", "",
                f"Corpus: {c['documents']} full papers ({c['chunks']} chunks, {_ingest(c)}). "
                f"All {m['questions']} questions (all answerable); {c['offsets_repaired']} gold offsets that start one "
                "character early were repaired before scoring.", "",
                "| metric | value |", "|---|---:|",
                f"| answer contains the gold answer | {_f(m['contains_answer'])} |",
                f"| … among questions it answered | {_f(m['contains_answer_when_answered'])} |",
                f"| citation overlaps the gold span | {_f(m['citation_support'])} |",
                f"| … among questions it answered | {_f(m['citation_support_when_answered'])} |",
                f"| false-abstention rate | {_f(m['false_abstention_rate'])} |",
                f"| gold span among the passages retrieved for the answerer | {_f(m['span_recall_at_k'])} |",
                f"| gold paper among those passages | {_f(m['doc_recall_at_k'])} |",
                f"| token F1 (for reference) | {_f(m['f1'])} |",
                f"| latency p50 / p95 | {m['latency_p50_ms']:.0f} / {m['latency_p95_ms']:.0f} ms |", "",
                "COVID-QA gold answers are often whole sentences or longer passages, so *contains* is strict here; "
                "citation overlap says whether the reader is pointed at the right place.", ""]
    out.append(PUBLISHED)
    return "\n".join(out)
