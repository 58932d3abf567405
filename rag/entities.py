"""Named things a question can be about (trial ids, product codes, brand and trial names) and
whether a passage concerns them.

A span supports an answer about entity E only if E is in scope where the span sits: named in the
span, or the nearest preceding mention of an entity of E's class in the same section is E (or
something named right next to E), or E is the only thing of its class the document names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .places import PLACE
from .text import tokens
from .types import Chunk

NCT = re.compile(r"\bNCT\d{8}\b", re.I)
# ALLO-605, AB-101, ALLO-605-201, BMS-986016; not CD19 or FC500 (markers and regimens, not products)
# ("early-2026", "Q4-2025", "start-of-2026" are times, "week-52", "day-28", "grade-3" points of a schedule or scale, not products)
CODE = re.compile(r"(?<![\w-])(?!(?i:early|mid|late|end|start|fy|q[1-4]|h[12]|year|summer|winter|spring|fall|autumn|"
                  r"days?|weeks?|months?|years|cycles?|grades?|stages?|phases?|levels?|cohorts?|arms?|parts?|visits?)-\d)"
                  r"[A-Za-z]{2,}-\d{2,}[A-Za-z0-9]*(?:-\d+)?\b")
# cema-cel, cilta-cel: nonproprietary names of cell therapies end in -cel
CEL = re.compile(r"\b[a-z]{3,}-cel\b", re.I)
# AlloNK, AlloCAR: coined brand names
BRAND = re.compile(r"\b[A-Z][a-z]{2,}[A-Z]{2,3}\b")
# IGNITE, RESOLUTION, ALPHA3: all-capital names used as a trial's name
# (not inside an all-capital run such as "A RANDOMIZED CONTROLLED TRIAL": a title in capitals)
TRIAL_NAME = re.compile(r"(?<![A-Z]{2}[ \t])(?<![A-Z]{2}[ \t]\()\b([A-Z][A-Z0-9]{3,})"
                        r"(?=(?:[ \t]+\(?(?![A-Z]{2,}\b)[\w-]+\)?){0,2}[ \t]+(?:[Ss]tudy|[Tt]rial)\b)")
LINK_WINDOW = 80
# between two names of one product: "AB-101 (AlloNK)", "X, also known as Y", "the source also names
# the study product as AlloNK", "formerly Y"; not "ALLO-605 Biological: ALLO-647" (given together)
ALIAS_CUE = re.compile(r"^\s*\(\s*$|\balso (?:known|called|named|referred to)\b|\bknown as\b|\bformerly\b|\ba\.?k\.?a\.?\b"
                       r"|\b(?:also )?names? (?:[\w-]+ ){0,3}as\s*$|\b(?:brand|trade|code) name\b", re.I)
ALIAS_WINDOW = 160
EVERYDAY_ZIPF = 5.5  # wordfreq frequency of "first", "best": too common to be taken as a trial's name
NAME_SHARE = 0.1  # of a word's mentions in capitals, at least this share must name a trial or study
_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{3,}\b")


@dataclass(frozen=True, slots=True)
class Entity:
    key: str  # casefolded
    cls: str  # nct | product | trial


def _found(text: str, trial_names: frozenset[str] = frozenset()) -> list[tuple[int, Entity]]:
    out = [(m.start(), Entity(m.group(0).casefold(), "nct")) for m in NCT.finditer(text)]
    for m in CODE.finditer(text):
        key = m.group(0).casefold()
        if not NCT.fullmatch(key):
            # ALLO-605-201 names a study protocol of ALLO-605: count the product too
            out.append((m.start(), Entity(key, "product")))
            base = re.match(r"[a-z]+-\d+", key)
            if base and base.group(0) != key:
                out.append((m.start(), Entity(base.group(0), "product")))
    out.extend((m.start(), Entity(m.group(0).casefold(), "product")) for m in BRAND.finditer(text))
    out.extend((m.start(), Entity(m.group(0).casefold(), "product")) for m in CEL.finditer(text))
    out.extend((m.start(), Entity(m.group(1).casefold(), "trial")) for m in TRIAL_NAME.finditer(text)
               if not NCT.fullmatch(m.group(1)))
    if trial_names:
        for m in _CAPITALS.finditer(text):
            if m.group(0).casefold() in trial_names:
                out.append((m.start(), Entity(m.group(0).casefold(), "trial")))
    return out


def learn_trial_names(texts: Iterable[str]) -> frozenset[str]:
    """Names used as a trial's name somewhere ("the IGNITE study"), to recognise them anywhere;
    not NCT ids (their own class), nor everyday words ("FIRST trial")."""
    from collections import Counter

    from wordfreq import zipf_frequency

    as_name: Counter[str] = Counter()
    in_capitals: Counter[str] = Counter()
    for t in texts:
        as_name.update(m.group(1) for m in TRIAL_NAME.finditer(t) if not NCT.fullmatch(m.group(1)))
        in_capitals.update(_CAPITALS.findall(t))
    # ECOG, NHLBI: a group or scale mostly named for itself ("ECOG performance status"), only now
    # and then before "study"; a trial's name is used as one a good part of the time
    return frozenset(n.casefold() for n, k in as_name.items()
                     if zipf_frequency(n, "en") < EVERYDAY_ZIPF and k >= NAME_SHARE * in_capitals[n])


def mentions(text: str, trial_names: frozenset[str] = frozenset()) -> set[Entity]:
    return {e for _, e in _found(text, trial_names)}


def question_entities(question: str, trial_names: frozenset[str], known=lambda key: True) -> set[Entity]:
    """Entities named in a question; trial names match in any case ("the ignite study").
    `known(key)` says whether the corpus uses a key, to read "allo605" as ALLO-605 only if it does."""
    found = mentions(question, trial_names)
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]{3,}", question):
        if word.casefold() in trial_names and (word.isupper() or re.search(
                rf"\b{re.escape(word)}\s+(?:study|trial)\b", question, re.I)):
            found.add(Entity(word.casefold(), "trial"))
    # "allo605" or "ALLO 605" for ALLO-605
    for m in re.finditer(r"\b([A-Za-z]{2,})[ ]?(\d{3,})\b", question):
        key = f"{m.group(1)}-{m.group(2)}".casefold()
        if m.group(1).casefold() != "nct" and known(key):
            found.add(Entity(key, "product"))
    # "the anti-BCMA myeloma study": a word the corpus uses, never as a trial's name, describes the
    # study (its target) rather than naming it; a name the corpus never uses stays a name (a trap)
    return {e for e in found if not (e.cls == "product" and NCT.fullmatch(e.key))
            and not (e.cls == "trial" and trial_names and e.key not in trial_names and known(e.key))}


def bare(text: str) -> bool:
    """A line of bare values, nothing but place names and numbers ("Bulgaria France +2", "2 1 1")."""
    if "\n" in text.strip() or re.search(r"\b[a-z]{3,}\b", text):  # prose: no need to look for place names
        return False
    return not re.search(r"[^\W\d_]", PLACE.sub(" ", text))


class Scope:
    """Answers "does this chunk concern entity E?" for one document's chunks."""

    def __init__(self, text: str, chunks: Sequence[Chunk], trial_names: frozenset[str]) -> None:
        self.text = text
        self.chunks = sorted(chunks, key=lambda c: c.ordinal)
        self.trial_names = trial_names
        self._found = _found(text, trial_names)
        self.doc_entities = {e for _, e in self._found}
        self._links: dict[tuple[str, ...], bool] = {}
        self._aliases: dict[tuple[str, ...], bool] = {}
        self._position = {c.ordinal: i for i, c in enumerate(self.chunks)}
        self.tokens = frozenset(tokens(text))

    def neighbour(self, chunk: Chunk, step: int = 1, past_cells: bool = False, past_paragraph: bool = False) -> Chunk | None:
        """The chunk right after (or before) this one when nothing but a line break separates them
        (`past_cells`: or a table row's empty trailing cells, " | |"; `past_paragraph`: or a blank line)."""
        i = self._position.get(chunk.ordinal)
        j = None if i is None else i + step
        if j is None or not 0 <= j < len(self.chunks):
            return None
        other = self.chunks[j]
        gap = self.text[chunk.end : other.start] if step > 0 else self.text[other.end : chunk.start]
        breaks = 2 if past_paragraph else 1
        return other if gap.count("\n") <= breaks and (len(gap) <= 4 or past_cells and not gap.strip(" |\t\n")) else None

    def lead_in(self, chunk: Chunk, reach: int = 400) -> list[Chunk]:
        """What a bare line of values (country names, counts) stands under: the chunks before it,
        back to and including the first one with words of its own (for a list item, back to the
        line introducing its list), within `reach` characters."""
        out: list[Chunk] = []
        i = self._position.get(chunk.ordinal, 0)
        while i > 0 and len(out) < 4:
            i -= 1
            prev = self.chunks[i]
            if chunk.start - prev.end > reach:
                break
            out.append(prev)
            if not bare(prev.text) and prev.kind != "item":
                break
        return out

    def linked(self, a: Entity, b: Entity) -> bool:
        """Named close together somewhere in the document (ALLO-605-201 IGNITE; TRAVERSE (NCT04696731))."""
        if a == b:
            return True
        key = tuple(sorted((a.key, b.key)))
        if key not in self._links:
            self._links[key] = any(abs(x - y) <= LINK_WINDOW and "\n\n" not in self.text[min(x, y):max(x, y)]
                                   for x, y in self._pairs(a, b))
        return self._links[key]

    def aliases(self, a: Entity, b: Entity) -> bool:
        """Two names the document gives one product ("AB-101 ... also names the study product as
        AlloNK"): the text between them says so, within a paragraph."""
        if a == b or a.cls != b.cls:
            return a == b
        key = tuple(sorted((a.key, b.key)))
        if key not in self._aliases:
            self._aliases[key] = any(
                0 < abs(x - y) <= ALIAS_WINDOW and "\n\n" not in between and ALIAS_CUE.search(between)
                for x, y in self._pairs(a, b) for between in [self._between(x, y)])
        return self._aliases[key]

    def _pairs(self, a: Entity, b: Entity) -> list[tuple[int, int]]:
        """Every pair of positions where the document names a and b."""
        pa = [p for p, e in self._found if e == a]
        pb = [p for p, e in self._found if e == b]
        return [(x, y) for x in pa for y in pb]

    def _between(self, x: int, y: int) -> str:
        """The text after the first name and before the second."""
        first = min(x, y)
        end = re.match(r"\S+", self.text[first:])
        return self.text[first + (end.end() if end else 0) : max(x, y)]

    def _entities_in(self, chunk: Chunk, cls: str) -> set[Entity]:
        return {e for e in mentions(chunk.heading + "\n" + chunk.text, self.trial_names) if e.cls == cls}

    def concerns(self, chunk: Chunk, entity: Entity) -> bool:
        if entity not in self.doc_entities:
            return False
        own = self._entities_in(chunk, entity.cls)
        if own:
            # a span naming another product (ALLO-647 beside ALLO-605) is about that one
            return any(e.key.startswith(entity.key) or entity.key.startswith(e.key) or self.aliases(entity, e) for e in own)
        # nearest preceding mention of the same class, within the chunk's section
        for prev in reversed([c for c in self.chunks if c.ordinal < chunk.ordinal][-12:]):
            if chunk.heading and prev.heading != chunk.heading and not prev.text.startswith(chunk.heading):
                break
            near = self._entities_in(prev, entity.cls)
            if near:
                return any(self.linked(entity, e) for e in near)
        return True  # nothing nearby names another one: the document's mention of E is enough
