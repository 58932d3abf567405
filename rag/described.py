"""Documents a question names by what they are: "according to the January 2026 press release",
"per the IND news", "in the 2025 news article and in the 2026 press release".

Such a phrase says which document to answer from, not what the answer says: its words are no
evidence a passage must hold, and the documents it fits are the only ones to answer from. Two such
phrases make the question a comparison: one answer from each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import tokens

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_MONTH = r"(?:" + "|".join(m.capitalize() for m in MONTHS) + r")\.?"
_KINDS = {  # what a question calls a document -> the kinds of document that answer to it
    "press release": {"press"}, "news release": {"press"}, "release": {"press"}, "update": {"press", "news"},
    "news article": {"news"}, "news piece": {"news"}, "news story": {"news"}, "news report": {"news"}, "news": {"news", "press"},
    "article": {"news", "article"}, "story": {"news"},
    "registry record": {"record"}, "registry entry": {"record"}, "study record": {"record"}, "trial listing": {"record"},
    "record": {"record"}, "listing": {"record"},
    "outlook": {"press"}, "announcement": {"press", "news"}, "coverage": {"news", "article"},
}
_KIND = "|".join(sorted((re.escape(k) for k in _KINDS), key=len, reverse=True))
DESCRIPTOR = re.compile(
    r"(?:\b(?:according to|as (?:described|reported|stated|quoted|given|announced) in|in|from|per|by|of|and|does|did|do|"
    r"between|with|to|against|versus|vs\.?|across)\s+|^\s*|(?<=[.!?]\s))"
    r"(?:both\s+)?(?:the\s+|a\s+|its\s+|[A-Z][\w-]*['’]s\s+)"
    r"(?:(?:newer|newest|latest|later|(?:more |most )?recent|older|oldest|earlier|original|new|old)\s+)?"  # ("the newer 2026 release")
    r"(?:(?P<month>" + _MONTH + r")\s+)?(?:(?P<year>(?:19|20)\d\d)\s+)?"
    r"(?P<about>(?:[\w/()-]+\s+){0,3}?)"  # ("the ALLO-605 (NCT05000450) record")
    r"(?P<kind>" + _KIND + r")\b"
    r"(?:\s+(?P<kind2>" + _KIND + r")\b)?",  # ("the 2026 outlook press release": a press release)
    re.I,
)
# how documents show what they are and when they came out
# a news release's dateline: "SOUTH SAN FRANCISCO, Calif., Jan. 08, 2026 (GLOBE NEWSWIRE) --"
DATELINE = re.compile(r"^[A-Z][A-Z .'-]+,(?: [A-Z][a-z]+\.?,)? (?P<month>" + _MONTH + r") \d{1,2}, (?P<year>\d{4})\b"
                      r"|\((?:GLOBE NEWSWIRE|PR ?Newswire|BUSINESS WIRE|Business Wire|ACCESSWIRE)\)", re.M)
_NEWS_MASTHEAD = re.compile(r"^\s*(?:News|News Article|Article)\s*$", re.M)
_REGISTRY = re.compile(r"ClinicalTrials\.gov (?:Identifier|ID)\b|\bNCT\d{8}\b")
_COPYRIGHT = re.compile(r"©\s*((?:19|20)\d\d)\b")
LEAD_CHARS = 1500  # a document says what it is, and what it is about, near its start


@dataclass(frozen=True)
class Descriptor:
    phrase: str  # as the question words it
    kinds: frozenset[str]
    year: str = ""
    month: str = ""  # three letters, lower case
    about: tuple[str, ...] = ()  # tokens of the words between date and kind: "IND" in "the IND news"


@dataclass(frozen=True)
class Profile:
    kinds: frozenset[str]
    year: str = ""
    month: str = ""
    lead: frozenset[str] = frozenset()  # tokens of the title and first paragraphs


# "posted on ClinicalTrials.gov", "listed on the ALLO-605 ClinicalTrials.gov record": the registry's record, named by where it lives
_ON_REGISTRY = re.compile(r"\b(?:on|in|at|from|per)\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){0,2}?ClinicalTrials\.gov(?:\s+(?:record|listing|entry|page|site|website))?\b", re.I)


# words any document of its kind may be called by ("the January 2026 business update"), which
# its own text need not use
_ANY_DOCUMENT = frozenset(tokens("business corporate company official latest recent new full original"))


def descriptors(question: str) -> list[Descriptor]:
    out = [Descriptor(m.group(0), frozenset({"record"})) for m in _ON_REGISTRY.finditer(question)]
    for m in DESCRIPTOR.finditer(question):
        month = (m.group("month") or "").rstrip(".")[:3].casefold()
        about = tuple(t for t in tokens(m.group("about")) if not t.isdigit() and t not in _ANY_DOCUMENT)
        kinds = _KINDS[m.group("kind").casefold()]
        if m.group("kind2"):
            kinds = kinds & _KINDS[m.group("kind2").casefold()] or _KINDS[m.group("kind2").casefold()]
        out.append(Descriptor(m.group(0), frozenset(kinds), m.group("year") or "", month, about))
    return out


@lru_cache(maxsize=4096)
def profile(title: str, text: str) -> Profile:
    lead = text[:LEAD_CHARS]
    kinds: set[str] = set()
    year = month = ""
    dateline = next((m for m in DATELINE.finditer(text[:20_000]) if m.group("year")), None)
    if dateline or DATELINE.search(lead):
        kinds |= {"press", "news"}
        if dateline:
            year, month = dateline.group("year"), dateline.group("month").rstrip(".")[:3].casefold()
    if _NEWS_MASTHEAD.search(lead):
        kinds |= {"news", "article"}
    if _REGISTRY.search(lead):
        kinds.add("record")
    if not kinds:
        kinds.add("article")
    if not year:
        years = _COPYRIGHT.findall(text)
        year = years[-1] if years else ""
    return Profile(frozenset(kinds), year, month, frozenset(tokens(title + "\n" + lead)))


def fits(d: Descriptor, p: Profile) -> bool:
    return (bool(d.kinds & p.kinds) and (not d.year or d.year == p.year)
            and (not d.month or not p.month or d.month == p.month) and all(t in p.lead for t in d.about))
