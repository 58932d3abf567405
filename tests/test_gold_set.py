"""Sanity checks for the hand-made gold / holdout / fresh / unseen QA sets in eval/.

Standard library + pytest only; no project imports.
"""
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVAL = ROOT / "eval"
FILES = {"gold": EVAL / "gold.jsonl", "holdout": EVAL / "holdout.jsonl", "fresh": EVAL / "fresh.jsonl",
         "unseen": EVAL / "unseen.jsonl"}
ID_PATTERN = {"gold": re.compile(r"^g\d{3}$"), "holdout": re.compile(r"^h\d{3}$"), "fresh": re.compile(r"^f\d{3,}$"),
              "unseen": re.compile(r"^u\d{3}$")}

KINDS = {"factoid", "list", "yesno", "paraphrase", "multidoc", "followup", "unanswerable"}
REQUIRED = {
    "id": str,
    "question": str,
    "answers": list,
    "must_include": list,
    "answerable": bool,
    "kind": str,
    "evidence": list,
}
YES_NO = {"yes", "no"}


def normalise(text: str) -> str:
    """Same normalisation as the scorer."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2265", ">=").replace("\u2264", "<=")
    return re.sub(r"\s+", " ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    """Normalised containment; a single word/number must match as a whole word."""
    h, n = normalise(haystack), normalise(needle)
    if not n:
        return False
    if " " not in n:
        return re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", h) is not None
    return n in h


def read_corpus_file(name: str) -> str:
    with open(CORPUS / name, encoding="utf-8", newline="") as f:
        return f.read()


def load(path: Path):
    items = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"{path.name}:{lineno}: invalid JSON: {exc}")
            assert isinstance(obj, dict), f"{path.name}:{lineno}: not a JSON object"
            items.append((lineno, obj))
    return items


@pytest.fixture(scope="module")
def sets():
    for name, path in FILES.items():
        assert path.is_file(), f"missing {path}"
    return {name: load(path) for name, path in FILES.items()}


def all_items(sets):
    for name, items in sets.items():
        for lineno, obj in items:
            yield name, lineno, obj


def where(name, lineno, obj):
    return f"{name}:{lineno} ({obj.get('id')})"


def test_files_parse_and_nonempty(sets):
    for name, items in sets.items():
        assert items, f"{name} is empty"
        # no blank lines in the middle of the file
        raw = FILES[name].read_text(encoding="utf-8").split("\n")
        if raw and raw[-1] == "":
            raw = raw[:-1]
        assert all(l.strip() for l in raw), f"{name} has blank lines"


def test_required_fields_and_types(sets):
    for name, lineno, obj in all_items(sets):
        w = where(name, lineno, obj)
        for field, typ in REQUIRED.items():
            assert field in obj, f"{w}: missing field {field!r}"
            assert isinstance(obj[field], typ), f"{w}: {field!r} should be {typ.__name__}"
        assert ID_PATTERN[name].match(obj["id"]), f"{w}: bad id format"
        assert obj["question"].strip(), f"{w}: empty question"
        assert obj["kind"] in KINDS, f"{w}: unknown kind {obj['kind']!r}"
        for field in ("answers", "must_include"):
            for s in obj[field]:
                assert isinstance(s, str) and s.strip(), f"{w}: {field} must hold non-empty strings"
        for ev in obj["evidence"]:
            assert isinstance(ev, dict), f"{w}: evidence entries must be objects"
            assert isinstance(ev.get("source"), str) and ev["source"], f"{w}: evidence.source"
            assert isinstance(ev.get("quote"), str) and ev["quote"].strip(), f"{w}: evidence.quote"
        if "history" in obj:
            hist = obj["history"]
            assert isinstance(hist, list) and hist, f"{w}: history must be a non-empty list"
            for turn in hist:
                assert isinstance(turn, dict), f"{w}: history turn must be an object"
                assert turn.get("role") in ("user", "assistant"), f"{w}: bad history role"
                assert isinstance(turn.get("content"), str) and turn["content"].strip(), f"{w}: history content"
        unknown = set(obj) - set(REQUIRED) - {"history"}
        assert not unknown, f"{w}: unexpected fields {unknown}"


def test_ids_unique_across_files(sets):
    ids = Counter(obj["id"] for _, _, obj in all_items(sets))
    dupes = [i for i, c in ids.items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_questions_not_reused(sets):
    seen = {}
    for name, lineno, obj in all_items(sets):
        key = (normalise(obj["question"]), json.dumps(obj.get("history", []), sort_keys=True))
        assert key not in seen, f"{where(name, lineno, obj)} repeats question of {seen[key]}"
        seen[key] = obj["id"]


def test_answerable_consistency(sets):
    for name, lineno, obj in all_items(sets):
        w = where(name, lineno, obj)
        if obj["answerable"]:
            assert obj["kind"] != "unanswerable", f"{w}: answerable item has kind unanswerable"
            assert obj["evidence"], f"{w}: answerable item without evidence"
            assert obj["answers"] or obj["must_include"], f"{w}: no answers and no must_include"
        else:
            assert obj["kind"] == "unanswerable", f"{w}: unanswerable item must have kind 'unanswerable'"
            assert obj["answers"] == [] and obj["must_include"] == [], f"{w}: unanswerable item with answers"
            assert obj["evidence"] == [], f"{w}: unanswerable item with evidence"
        if obj["kind"] == "followup":
            assert obj.get("history"), f"{w}: follow-up without history"
        if obj["kind"] == "multidoc":
            assert len({e["source"] for e in obj["evidence"]}) >= 2, f"{w}: multidoc item cites < 2 documents"
        if obj["kind"] == "list":
            assert len(obj["must_include"]) >= 2 and not obj["answers"], f"{w}: list items go in must_include"
        if obj["kind"] == "yesno":
            assert obj["answers"] in (["yes"], ["no"]), f"{w}: yes/no answers must be ['yes'] or ['no']"


def test_evidence_sources_exist_and_quotes_verbatim(sets):
    cache = {}
    for name, lineno, obj in all_items(sets):
        w = where(name, lineno, obj)
        for ev in obj["evidence"]:
            src = ev["source"]
            assert "/" not in src and "\\" not in src, f"{w}: source must be a bare corpus file name"
            assert (CORPUS / src).is_file(), f"{w}: source {src!r} not in corpus/"
            if src not in cache:
                cache[src] = read_corpus_file(src)
            assert ev["quote"] in cache[src], f"{w}: quote not verbatim in {src}: {ev['quote'][:80]!r}"


def test_answers_grounded(sets):
    """Single-word answers/must_include must occur (as whole words, after normalisation)
    in the evidence quotes or the cited documents; must_include strings must be in
    the evidence quotes, and at least one answer must be in the evidence quotes."""
    for name, lineno, obj in all_items(sets):
        if not obj["answerable"]:
            continue
        w = where(name, lineno, obj)
        quotes = "\n".join(ev["quote"] for ev in obj["evidence"])
        docs = "\n".join(read_corpus_file(s) for s in {ev["source"] for ev in obj["evidence"]})
        yes_no = obj["answers"] in (["yes"], ["no"])
        answers = [] if yes_no else obj["answers"]
        for s in answers + obj["must_include"]:
            if " " not in normalise(s):
                assert contains(quotes, s) or contains(docs, s), f"{w}: {s!r} not found in evidence or source"
        for s in obj["must_include"]:
            assert contains(quotes, s), f"{w}: must_include {s!r} not in evidence quotes"
        if answers:
            assert any(contains(quotes, s) for s in answers), f"{w}: no answer string found in evidence quotes"


def test_gold_size_and_coverage(sets):
    gold = [obj for _, obj in sets["gold"]]
    assert len(gold) >= 90, f"gold has only {len(gold)} items"
    assert sum(not o["answerable"] for o in gold) >= 20, "gold needs >= 20 unanswerable items"
    cited = {ev["source"] for o in gold for ev in o["evidence"]}
    corpus_files = {p.name for p in CORPUS.glob("*.txt")}
    assert corpus_files, "corpus is empty"
    missing = corpus_files - cited
    assert not missing, f"corpus files never cited in gold: {sorted(missing)}"


def test_holdout_size(sets):
    holdout = [obj for _, obj in sets["holdout"]]
    assert len(holdout) >= 40, f"holdout has only {len(holdout)} items"
    assert sum(not o["answerable"] for o in holdout) >= 8, "holdout needs unanswerable items"
