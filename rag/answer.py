"""The extractive answerer: pick the minimal spans that answer the question, or abstain.

Every candidate is a retrieved chunk (a sentence, table row, list item). It is scored by its
dense similarity and by how much of the question's weighted vocabulary it covers; it must concern
the entities the question names and contain the kind of value the question asks for (a count, a
percentage, a date). Lists gather several spans; comparisons take the best span per entity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .entities import Entity, Scope, question_entities
from .text import STOPWORDS, stem, tokens
from .types import Chunk, Hit, Turn

ABSTAIN_TEXT = "The documents don't answer this."

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
COUNT_NOUNS = {
    "participant": {"participant", "patient", "subject", "people", "person", "volunteer", "individual", "enrol", "enrollment"},
    "site": {"site", "center", "centre", "location", "hospital", "institute"},
}
_MONTHS = "january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec".split()
_DATE = re.compile(r"\b(?:(?:19|20)\d\d|[12]H|Q[1-4]|" + "|".join(_MONTHS) + r")\b|\b\d+\s*(?:days?|weeks?|months?|years?)\b|\bweek\s+\d+|\bhalf of\b", re.I)
_PERCENT = re.compile(r"\d\s*%|\bpercent\b|\(\d+/\d+\)", re.I)
# a standalone quantity: not part of an identifier (ALLO-605, CD19, 1H), not "Phase 1"
_QUANTITY = re.compile(r"(?<![\w/-])(?<!phase )(?<!Phase )\d[\d,.]*(?:\+|\s*%)?(?![\w/])(?!-[A-Za-z])|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)
_YESNO = re.compile(r"^\s*(?:is|are|does|do|did|can|could|will|would|was|were|has|have|had|should|may|must)\b", re.I)
_LIST = re.compile(r"\b(?:which|what)\s+(?:are|were)\b|\blist\b|\bname\s+(?:all|the)\b|\b(?:all|both)\s+the\b|\bwhat\s+\w+s\s+(?:are|were|does|do|did|will)\b|\bwhich\s+\w+s\b|\bcriteria\b|\bsites\b|\bconditions\b|\bendpoints\b|\bwho\s+(?:are|is eligible)\b|\bincluding\b", re.I)
_NEGATIVE_SECTION = re.compile(r"\bexclu", re.I)
_NEGATION = re.compile(r"\b(?:not|no|never|without|cannot|none)\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|this|that|these|those|the study|the trial|the product|the therapy)\b", re.I)
_META_WORDS = {"study", "trial", "clinical", "allogene"}


@dataclass(frozen=True)
class Question:
    text: str
    query: str  # what retrieval sees: the question, plus what a follow-up refers back to
    entities: frozenset[Entity]
    expects: str  # count | percent | date | number | yesno | other
    wants_list: bool
    count_noun: str = ""


@dataclass(frozen=True)
class Picked:
    chunk: Chunk
    title: str
    score: float


@dataclass(frozen=True)
class Answer:
    text: str
    abstained: bool
    spans: tuple[Picked, ...]
    reason: str = ""


def _expects(q: str) -> tuple[str, str]:
    ql = q.lower()
    if _YESNO.match(q) and not re.search(r"\b(?:how|what|which|when|where|who)\b", ql.split(",")[0][:40]):
        return "yesno", ""
    m = re.search(r"\bhow many\s+(?:\w+\s+){0,2}?(\w+)", ql) or re.search(r"\bnumber of\s+(\w+)", ql)
    if m:
        return "count", stem(m.group(1))
    if re.search(r"\b(?:enrollment|enrolment|sample size)\b", ql) or re.search(r"\bhow (?:many|large|big)\b", ql):
        return "count", "participant"
    if re.search(r"\b(?:percent|percentage|proportion|rate|orr)\b", ql) and re.search(r"\b(?:what|which|how)\b", ql):
        return "percent", ""
    if re.search(r"^\s*when\b|\bwhat (?:date|year|month|day)\b|\bwhich (?:date|year|month)\b|\bhow long\b|\bby when\b|\btime ?frame\b|\bdate\b", ql):
        return "date", ""
    if re.search(r"\bhow (?:much|old)\b|\bwhat (?:dose|age)\b|\bminimum age\b|\bhow (?:high|low)\b", ql):
        return "number", ""
    return "other", ""


def analyze(question: str, history: Sequence[Turn], trial_names: frozenset[str]) -> Question:
    entities = question_entities(question, trial_names)
    query = question
    if history and (not entities or _PRONOUN.search(question)):
        # A follow-up ("How many will it enroll?") is about what the conversation was about.
        for turn in reversed(history):
            named = question_entities(turn.content, trial_names)
            if named and not entities:
                entities = named
                query = f"{question} ({' '.join(sorted(e.key.upper() for e in named))})"
                break
            if turn.role == "user" and not entities:
                query = f"{question} ({turn.content})"
                break
    expects, noun = _expects(question)
    return Question(question, query, frozenset(entities), expects, bool(_LIST.search(question)), noun)


def _quantities(text: str) -> list[re.Match]:
    return [m for m in _QUANTITY.finditer(text) if not re.fullmatch(r"(?:19|20)\d\d", m.group(0))]


def has_expected(q: Question, text: str) -> bool:
    if q.expects == "percent":
        return bool(_PERCENT.search(text))
    if q.expects == "date":
        return bool(_DATE.search(text))
    if q.expects == "number":
        return bool(_quantities(text))
    if q.expects == "count":
        nouns = next((v for k, v in COUNT_NOUNS.items() if q.count_noun in v or q.count_noun == k), {q.count_noun})
        words = tokens(text, keep_stopwords=True)
        for i, w in enumerate(words):
            if w.replace(",", "").isdigit() or w in NUMBER_WORDS:
                if any(x in nouns for x in words[max(0, i - 3) : i + 5]):
                    return True
        return False
    return True


class Answerer:
    """Extractive, the default. `chunks_of(source)` gives a document's chunks for scope checks."""

    name = "extractive"

    def __init__(self, idf: Callable[[str], float], scope_of: Callable[[str], Scope],
                 min_score: float = 0.42, list_margin: float = 0.12, pair_margin: float = 0.04) -> None:
        self.idf = idf
        self.scope_of = scope_of
        self.min_score = min_score
        self.list_margin = list_margin
        self.pair_margin = pair_margin

    def score(self, q_tokens: list[str], hit: Hit) -> float:
        c = hit.chunk
        span_tokens = set(tokens(f"{c.heading}\n{c.text}"))
        title_tokens = set(tokens(hit.title))
        weights = {t: self.idf(t) * (0.3 if t in _META_WORDS else 1.0) for t in set(q_tokens)}
        total = sum(weights.values()) or 1.0
        covered = sum(w for t, w in weights.items() if t in span_tokens)
        covered += 0.5 * sum(w for t, w in weights.items() if t not in span_tokens and t in title_tokens)
        return 0.55 * hit.dense + 0.45 * covered / total

    def answer(self, q: Question, hits: Sequence[Hit]) -> Answer:
        q_tokens = [t for t in tokens(q.query) if not any(t == e.key or t in e.key.split("-") for e in q.entities)]
        scored = sorted((Picked(h.chunk, h.title, self.score(q_tokens, h)) for h in hits), key=lambda p: -p.score)
        typed = [p for p in scored if has_expected(q, p.chunk.text)]
        groups = self._entity_groups(q)
        if not groups:
            return self._compose(q, typed, scored, None)
        per_entity = []
        for group in groups:
            ok = [p for p in typed if any(self.scope_of(p.chunk.source).concerns(p.chunk, e) for e in group)]
            per_entity.append(ok)
        if len(groups) == 1:
            return self._compose(q, per_entity[0], scored, None)
        picked = [ok[0] for ok in per_entity if ok and ok[0].score >= self.min_score]
        if len(picked) < len(groups):
            # a comparison where one side is missing is still answered for the side we have,
            # unless nothing is found for any side
            if not picked:
                return self._abstain(scored, "no passage concerns the entities asked about")
        unique = list({p.chunk.id: p for p in picked}.values())
        return self._render(q, unique)

    def _entity_groups(self, q: Question) -> list[set[Entity]]:
        """Entities that are the same thing (ALLO-605 and its trial IGNITE) form one group."""
        groups: list[set[Entity]] = []
        for e in sorted(q.entities, key=lambda x: (x.cls, x.key)):
            for g in groups:
                if any(self._same_thing(e, f) for f in g):
                    g.add(e)
                    break
            else:
                groups.append({e})
        return groups

    def _same_thing(self, a: Entity, b: Entity) -> bool:
        return a.cls != b.cls or a.key.startswith(b.key) or b.key.startswith(a.key)

    def _compose(self, q: Question, candidates: list[Picked], scored: list[Picked], _unused) -> Answer:
        if not candidates or candidates[0].score < self.min_score:
            why = "no passage scores high enough" if candidates else "no passage concerns the question's subject with the value asked for"
            return self._abstain(scored, why)
        best = candidates[0]
        margin = self.list_margin if q.wants_list else self.pair_margin
        limit = 8 if q.wants_list else 2
        chosen = [best]
        for p in candidates[1:]:
            if len(chosen) >= limit:
                break
            if p.score >= max(self.min_score, best.score - margin):
                chosen.append(p)
        chosen.sort(key=lambda p: (p.chunk.source != best.chunk.source, p.chunk.source, p.chunk.start))
        return self._render(q, chosen)

    def _render(self, q: Question, chosen: list[Picked]) -> Answer:
        parts = [f"{_clean(p.chunk.text)} [{n}]" for n, p in enumerate(chosen, start=1)]
        text = " ".join(parts)
        if q.expects == "yesno":
            text = f"{_yes_or_no(q.text, chosen[0].chunk)} {text}"
        return Answer(text, False, tuple(chosen))

    def _abstain(self, scored: list[Picked], reason: str) -> Answer:
        closest = tuple(scored[:2])
        text = ABSTAIN_TEXT + (" The closest passages are cited below for you to check." if closest else "")
        return Answer(text, True, closest, reason)


def _clean(text: str) -> str:
    text = re.sub(r"\s*\|\s*", " | ", text.strip().strip("|").strip())
    return re.sub(r"\s+", " ", text)


def _yes_or_no(question: str, chunk: Chunk) -> str:
    value = re.search(r"\|\s*(yes|no)\b", chunk.text, re.I) or re.fullmatch(r".*:\s*(yes|no)\s*\|?\s*", chunk.text, re.I | re.S)
    if value:
        positive = value.group(1).lower() == "yes"
    else:
        excluded = bool(_NEGATIVE_SECTION.search(chunk.heading))
        negated = bool(_NEGATION.search(chunk.text)) and not _NEGATION.search(question)
        positive = not (excluded or negated)
    if re.search(r"\bexclu|\bineligible\b|\bnot (?:eligible|allowed)\b", question, re.I):
        positive = not positive if not value else positive
    return "Yes." if positive else "No."


def idf_function(df: dict[str, int], n_docs: int) -> Callable[[str], float]:
    top = math.log(1 + (n_docs + 0.5) / 0.5)

    def idf(token: str) -> float:
        if token in STOPWORDS:
            return 0.0
        d = df.get(token)
        return top if d is None else math.log(1 + (n_docs - d + 0.5) / (d + 0.5))

    return idf
