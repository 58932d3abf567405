"""Readers for the public benchmark sets in shared/datasets (SQuAD 2.0 dev half, PubMedQA PQA-L,
COVID-QA), read in place and turned into documents and questions with gold spans. Nothing is copied
into the repository; `bench_quality` writes the documents to a temp folder to ingest them.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import DatasetMissing

ROOT = Path(__file__).resolve().parents[1]
DATASETS_ENV = "RAG_BENCH_DATASETS"
SQUAD_FILE = Path("squad2_cs224n_dev") / "dev-v2.0.json"
PUBMEDQA_FILE = Path("pubmedqa") / "ori_pqal.json"
COVIDQA_FILE = Path("covid_qa") / "200423_covidQA.json"


def default_datasets_dir() -> Path:
    """shared/datasets beside the repository, as on developer machines and in CI."""
    return Path(os.environ.get(DATASETS_ENV) or ROOT.parent / "shared" / "datasets")


@dataclass(frozen=True, slots=True)
class BenchDoc:
    source: str  # file name it is written and ingested under
    text: str


@dataclass(frozen=True, slots=True)
class GoldSpan:
    source: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BenchQuestion:
    id: str
    question: str
    source: str  # the document that holds the answer (or, unanswerable, the one it was asked about)
    answerable: bool
    answers: tuple[str, ...] = ()
    spans: tuple[GoldSpan, ...] = ()


def _read_json(root: Path, rel: Path):
    path = root / rel
    if not path.is_file():
        raise DatasetMissing(path, DATASETS_ENV)
    return json.loads(path.read_text(encoding="utf-8"))


def load_squad(root: Path) -> tuple[list[BenchDoc], list[BenchQuestion]]:
    """One document per paragraph, its text the context unchanged so answer offsets hold."""
    data = _read_json(root, SQUAD_FILE)
    docs, questions = [], []
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article["paragraphs"]):
            source = f"squad_{a:02d}_{p:03d}.txt"
            context = para["context"]
            docs.append(BenchDoc(source, context))
            for qa in para["qas"]:
                answers = tuple(dict.fromkeys(x["text"] for x in qa["answers"]))
                spans = tuple(dict.fromkeys(GoldSpan(source, x["answer_start"], x["answer_start"] + len(x["text"]))
                                            for x in qa["answers"]))
                questions.append(BenchQuestion(qa["id"], qa["question"], source, not qa.get("is_impossible", False),
                                               answers, spans))
    return docs, questions


def sample_half_unanswerable(questions: Sequence[BenchQuestion], n: int, seed: int) -> list[BenchQuestion]:
    """A fixed random sample: n // 2 answerable and the rest unanswerable, in a seeded order."""
    rng = random.Random(seed)
    answerable = sorted((q for q in questions if q.answerable), key=lambda q: q.id)
    unanswerable = sorted((q for q in questions if not q.answerable), key=lambda q: q.id)
    picked = rng.sample(answerable, min(n // 2, len(answerable))) + rng.sample(unanswerable, min(n - n // 2, len(unanswerable)))
    rng.shuffle(picked)
    return picked


def load_pubmedqa(root: Path) -> tuple[list[BenchDoc], list[BenchQuestion]]:
    """One document per PMID: its contexts (the abstract without its conclusion), one paragraph each.
    The question is derived from the article's title, so the title is left out of the document."""
    data = _read_json(root, PUBMEDQA_FILE)
    docs, questions = [], []
    for pmid, rec in sorted(data.items()):
        source = f"pubmed_{pmid}.txt"
        text = "\n\n".join(c.strip() for c in rec["CONTEXTS"]) + "\n"
        docs.append(BenchDoc(source, text))
        questions.append(BenchQuestion(pmid, rec["QUESTION"], source, True, (rec["final_decision"],),
                                       (GoldSpan(source, 0, len(text)),)))
    return docs, questions


def load_covidqa(root: Path) -> tuple[list[BenchDoc], list[BenchQuestion], int]:
    """One document per paper. Returns the number of answer offsets repaired: 234 answers start one
    character early (their text begins with a space); each is located with the offset fixed or found."""
    data = _read_json(root, COVIDQA_FILE)
    docs, questions, fixed = [], [], 0
    for article in data["data"]:
        for para in article["paragraphs"]:
            source = f"covid_{para['document_id']}.txt"
            context = para["context"]
            docs.append(BenchDoc(source, context))
            for qa in para["qas"]:
                spans, answers = [], []
                for ans in qa["answers"]:
                    text, start = ans["text"], ans["answer_start"]
                    if context[start : start + len(text)] != text:
                        fixed += 1
                        start = start - 1 if context[start - 1 : start - 1 + len(text)] == text else context.find(text)
                    if start < 0:
                        continue
                    # the gold span is the answer without the padding some annotations carry
                    lead = len(text) - len(text.lstrip())
                    stripped = text.strip()
                    spans.append(GoldSpan(source, start + lead, start + lead + len(stripped)))
                    answers.append(stripped)
                if spans:
                    questions.append(BenchQuestion(str(qa["id"]), qa["question"], source, True, tuple(answers), tuple(spans)))
    return docs, questions, fixed
