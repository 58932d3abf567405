"""Questions generated mechanically from ClinicalTrials.gov records' structured fields, for measuring
answer accuracy and citation support at registry scale (INTERFACES.md gold format).

    python -m eval.registry_questions generate [--records DIR] [--limit N] [--out FILE]
    python -m eval.registry_questions score --data-dir DIR [--gold FILE] [--report DIR]
    python -m eval.registry_questions compare --small DIR --large DIR   # eval/gold.jsonl on both

Each answerable question asks for one field of one trial ("What phase is NCT00490009 in?"); its
answer is the field's value and its evidence is the fact line the loader renders ("Phase: Phase 2."),
so the quote is verbatim in the indexed text. Unanswerable questions ask the same things about NCT
ids that no record has and no text mentions. Output goes to eval/runs/ (git-ignored) by default.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.load_ctgov import Study, render, study_from_xml  # noqa: E402

DEFAULT_RECORDS = Path("/tmp/ctgov/records")
DEFAULT_OUT = ROOT / "eval" / "runs" / "registry" / "questions.jsonl"
NCT = re.compile(r"NCT\d{8}")


@dataclass(frozen=True)
class Field:
    """One structured field: how to ask for it, and the value(s) an answer must contain. The evidence
    is the fact line the loader rendered for it ("Phase: Phase 2."), found in the canonical text."""

    name: str
    templates: tuple[str, ...]
    answer: Callable[[Study], list[str]]  # empty: the record has no usable value
    key: str = ""  # the fact line's key; empty for list items
    spread: bool = False  # few distinct values: draw evenly across them rather than at random


def _known(value: str) -> bool:
    return bool(value) and value not in ("N/A", "Unknown")


FIELDS = (
    Field("status", ("What is the overall status of {nct}?", "What is the recruitment status of {nct}?",
                     "What is the status of {nct}?"),
          lambda s: [s.status] if _known(s.status) else [], "Overall status", spread=True),
    Field("phase", ("What phase is {nct} in?", "Which clinical trial phase is {nct}?", "What is the phase of study {nct}?"),
          lambda s: [s.phase] if s.phases and _known(s.phase) else [], "Phase", spread=True),
    Field("minimum_age", ("What is the minimum age to take part in {nct}?", "How old must participants be to join {nct}?",
                          "What is the minimum age for {nct}?"),
          lambda s: [s.minimum_age] if _known(s.minimum_age) else [], "Minimum age"),
    Field("sponsor", ("Who is the lead sponsor of {nct}?", "Which organization sponsors {nct}?", "Who sponsors trial {nct}?"),
          lambda s: [s.lead_sponsor] if s.lead_sponsor else [], "Lead sponsor"),
    Field("enrollment", ("How many participants does {nct} enroll?", "What is the enrollment of {nct}?",
                         "How many patients were enrolled in {nct}?"),
          lambda s: [f"{s.enrollment:,} participants"] if s.enrollment else [], "Enrollment"),
    Field("start_date", ("When did {nct} start?", "What is the start date of {nct}?"),
          lambda s: [s.start_date] if s.start_date else [], "Start date"),
    Field("study_type", ("Is {nct} an interventional or an observational study?", "What type of study is {nct}?"),
          lambda s: [s.study_type] if s.study_type else [], "Study type", spread=True),
    Field("conditions", ("What conditions does {nct} study?", "Which diseases are studied in {nct}?"),
          lambda s: list(s.conditions) if 1 <= len(s.conditions) <= 4 else []),
)


def evidence_lines(field: Field, study: Study, text: str) -> list[str]:
    """The rendered lines that state the field, each of which must occur exactly once in the text."""
    if field.key:
        lines = [line for line in text.splitlines() if line.startswith(f"{field.key}: ")]
    else:
        lines = [f"- {c}" for c in study.conditions]
    return lines if lines and all(text.count(line) == 1 for line in lines) else []


def records(folder: Path, limit: int = 0) -> Iterator[Path]:
    files = sorted(folder.rglob("*.xml"))
    yield from files[:limit] if limit else files


def generate(folder: Path, per_field: int = 40, unanswerable: int = 60, seed: int = 13, limit: int = 0) -> list[dict]:
    """Per field, `per_field` questions about different trials (drawn at random); then the
    unanswerable ones. Every evidence line is checked to occur exactly once in its record's text."""
    import xml.etree.ElementTree as ET

    rng = random.Random(seed)
    studies: list[tuple[str, Study, str]] = []
    mentioned: set[str] = set()
    for path in records(folder, limit):
        data = path.read_bytes()
        mentioned.update(NCT.findall(data.decode("utf-8", "replace")))
        study = study_from_xml(ET.fromstring(data))
        studies.append((path.relative_to(folder).as_posix(), study, render(study)))
    if limit:  # ids elsewhere in the registry are unanswerable for a slice only if they are nowhere
        for path in records(folder):
            mentioned.update(NCT.findall(path.read_text("utf-8", "replace")))
    items: list[dict] = []
    for field in FIELDS:
        taken = 0
        for source, study, text in _spread(studies, field, rng):
            if taken == per_field:
                break
            answers, quotes = field.answer(study), evidence_lines(field, study, text)
            if not answers or not quotes or not all(any(a in q for q in quotes) for a in answers):
                continue
            taken += 1
            template = field.templates[taken % len(field.templates)]
            listing = field.name == "conditions" and len(answers) > 1
            items.append({
                "id": f"reg-{field.name}-{taken:03d}", "question": template.format(nct=study.nct_id),
                "answers": [] if listing else answers, "must_include": answers if listing else [],
                "answerable": True, "kind": field.name,
                "evidence": [{"source": source, "quote": q} for q in quotes],
            })
    templates = [t for f in FIELDS for t in f.templates]
    fake: set[str] = set()
    while len(fake) < unanswerable:
        # half near real ids (same folders), half far from any
        base = rng.choice([2_000, 461_000, 495_000]) if len(fake) % 2 else rng.randrange(10_000, 9_000_000)
        nct = f"NCT{base + rng.randrange(0, 9_999):08d}"
        if nct not in mentioned:
            fake.add(nct)
    for n, nct in enumerate(sorted(fake), start=1):
        items.append({"id": f"reg-unanswerable-{n:03d}", "question": rng.choice(templates).format(nct=nct),
                      "answers": [], "must_include": [], "answerable": False, "kind": "unanswerable", "evidence": []})
    return items


def _spread(studies: list[tuple[str, Study, str]], field: Field, rng: random.Random) -> Iterator[tuple[str, Study, str]]:
    """Studies in random order, round-robin over the field's values: 83% of the records are
    "Completed", and a set of only those would not tell a right trial's status from a wrong one's."""
    groups: dict[str, list] = {}
    for entry in studies:
        groups.setdefault("|".join(field.answer(entry[1])) if field.spread else "", []).append(entry)
    queues = list(groups.values())
    for q in queues:
        rng.shuffle(q)
    rng.shuffle(queues)
    while any(queues):
        for q in queues:
            if q:
                yield q.pop()


def write_jsonl(items: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")


# --- scoring: the eval harness (rag.evaluate), against an index in its own data dir ---------------

def _qa(data_dir: Path):
    from rag.cli import open_index
    from rag.pipeline import QA
    from rag.settings import Settings

    settings = Settings(data_dir=data_dir)
    return QA(open_index(settings), settings)


def score(gold: Path, data_dir: Path, report: Path | None = None) -> dict:
    """Runs the gold file through QA.ask on the index in data_dir and returns the harness summary
    with per-kind means (no baseline: it would re-embed every document of the index)."""
    from rag.evaluate import Thresholds, evaluate, write_report

    qa = _qa(data_dir)
    last = [0]

    def progress(system: str, n: int, total: int) -> None:
        if n - last[0] >= 50 or n == total:
            last[0] = n
            print(f"  {system}: {n}/{total}", file=sys.stderr, flush=True)

    qa.ask("warm-up: what is the phase?")  # model and keyword index loaded before the clock runs
    result = evaluate(qa, gold, Thresholds(), baseline=False, progress=progress)
    if report:
        write_report(result, report)
    out = result.summary()
    out["index"] = result.index
    out["by_kind"] = {k: {m: round(v, 4) for m, v in means.items() if v == v}
                      for k, means in result.product.scores.by_kind().items()}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the questions (JSONL)")
    gen.add_argument("--records", type=Path, default=DEFAULT_RECORDS, help="unpacked records/ folder of XML files")
    gen.add_argument("--limit", type=int, default=0, help="only the first N records, as `bench_scale.py ingest --limit`")
    gen.add_argument("--per-field", type=int, default=40)
    gen.add_argument("--unanswerable", type=int, default=60)
    gen.add_argument("--seed", type=int, default=13)
    gen.add_argument("--out", type=Path, default=DEFAULT_OUT)
    sc = sub.add_parser("score", help="answer accuracy and citation support on an index")
    sc.add_argument("--data-dir", type=Path, required=True, help="the index (RAG_DATA_DIR) holding the records")
    sc.add_argument("--gold", type=Path, default=DEFAULT_OUT)
    sc.add_argument("--report", type=Path, default=None, help="also write the harness report here")
    sc.add_argument("--json", type=Path, default=None, help="write the summary JSON here")
    cmp = sub.add_parser("compare", help="eval/gold.jsonl on a small and a large index")
    cmp.add_argument("--small", type=Path, required=True)
    cmp.add_argument("--large", type=Path, required=True)
    cmp.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    cmp.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.command == "generate":
        items = generate(args.records, args.per_field, args.unanswerable, args.seed, args.limit)
        write_jsonl(items, args.out)
        kinds: dict[str, int] = {}
        for i in items:
            kinds[i["kind"]] = kinds.get(i["kind"], 0) + 1
        print(f"{len(items)} questions -> {args.out}: {kinds}")
        return
    if args.command == "score":
        out = score(args.gold, args.data_dir, args.report)
    else:
        out = {"small": score(args.gold, args.small), "large": score(args.gold, args.large)}
    text = json.dumps(out, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
