"""Tokenising and normalising text, shared by the keyword index and the answerer.

Identifiers such as NCT05000450, ALLO-605, DAS28-ESR and FC500 stay single tokens (their parts
are added too, so "ALLO 605" still matches), which no off-the-shelf tokeniser does for us.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor not
    of off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours there's what's it's is there tell me
    please give list name say said says document documents many much whose according""".split()
)

_TOKEN = re.compile(r"[^\W_]+(?:[-/.+][^\W_]+)*")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "’": "'", "‘": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """The gold-set normalisation: NFKC, casefold, dashes, ≥/≤, collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_DASHES)
    text = text.replace("≥", ">=").replace("≤", "<=")
    return re.sub(r"\s+", " ", text).strip()


def fold(word: str) -> str:
    """A word without its accents ("sjögren" is "sjogren"): questions are typed without them."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_NOT_PLURAL = frozenset("news lens aids sars mers bias yes".split())  # four letters ending in s, no plural


_DOUBLED = re.compile(r"([b-df-hj-km-np-rtv-xz])\1$")  # a doubled consonant, not ll/ss/zz (enroll, assess)


# a verb whose plain form keeps an -e its other forms drop: "receive" is "received"
_SHORT_VERBS = {"receive": "receiv"}


def stem(word: str) -> str:
    """A light suffix stemmer: enough to meet enroll/enrollment/enrolling, not a linguist."""
    if word in _SHORT_VERBS:
        return _SHORT_VERBS[word]
    if any(ch.isdigit() for ch in word) or len(word) <= 3 or word in _NOT_PLURAL:
        return word
    for suffix, keep in (("ational", "ate"), ("ations", ""), ("ation", ""), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""),
                         ("ies", "y"), ("ied", "y"), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue  # assess, status, arthritis
        # a plain plural keeps three letters (arms, days); every other ending four (uses, used)
        short = suffix == "s" and not word.endswith("es")
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if short else 4):
            word = word[: len(word) - len(suffix)] + keep
            if suffix in ("ed", "ing", "ings") and _DOUBLED.search(word):
                word = word[:-1]  # planned, planning -> plan (as plans)
            break
    if word.endswith("ll") and len(word) > 5:
        word = word[:-1]
    return word


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    return list(_tokens(text, keep_stopwords))


@lru_cache(maxsize=200_000)
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    out: list[str] = []
    for tok in _TOKEN.findall(_periods(_UNITED_STATES.sub(r"\g<0> us", normalize(text)))):
        out.extend(_forms(tok, keep_stopwords))
    return tuple(out)


_UNITED_STATES = re.compile(r"\bunited states\b")  # the registry's "United States" is the question's "US"

# Half-years and quarters as analysts write them: "1H26", "H1 2026", "first half of 2026" and
# "first-half" are all "1h 2026"; "Q2'26" and "2Q26" are "q2 2026".
_PERIOD_FORMS = [
    (re.compile(r"\b(first|second)[- ]half\b"), lambda m: "1h" if m.group(1) == "first" else "2h"),
    (re.compile(r"\bh([12])\b"), lambda m: m.group(1) + "h"),
    (re.compile(r"\b([12])h ?'?(\d\d)\b"), lambda m: f"{m.group(1)}h 20{m.group(2)}"),
    (re.compile(r"\b(?:q([1-4])|([1-4])q) ?'?(\d\d)\b"), lambda m: f"q{m.group(1) or m.group(2)} 20{m.group(3)}"),
]


def _periods(text: str) -> str:
    for pattern, form in _PERIOD_FORMS:
        text = pattern.sub(form, text)
    return text


@lru_cache(maxsize=500_000)
def _forms(tok: str, keep_stopwords: bool) -> tuple[str, ...]:
    """The index terms of one raw token (cached: a document repeats its words)."""
    tok = fold(tok.strip("."))
    if not tok or (not keep_stopwords and (tok in STOPWORDS or len(tok) == 1 and tok.isalpha())):
        return ()
    out: list[str] = []
    prefix = _LETTERS_THEN_DIGIT.match(tok)
    if prefix and prefix.group(1) not in STOPWORDS:  # NCT05000450 also matches "NCT number"
        out.append(prefix.group(1))
    if JOINERS.search(tok):
        out.append(tok)
        out.extend(stem(p) for p in JOINERS.split(tok) if p and p not in STOPWORDS)
    else:
        out.append(stem(tok))
    return tuple(out)


_LETTERS_THEN_DIGIT = re.compile(r"([^\W\d_]{2,})\d")
JOINERS = re.compile(r"[-/.+]")  # what joins the parts of one token: cost-of-goods, drugs/interventions


# Clinical-trial and biotech paraphrases: a question word meets the document's word. Only true
# equivalents belong here; a near miss (price vs cost of goods) must stay apart or traps pass.
SYNONYM_GROUPS = [
    "enroll enrollment enrolment enrolling participant participants subject subjects people person persons individuals humans patients patient sign recruit accrual volunteers",
    "patient patients mom mum mother dad father husband wife son daughter brother sister",
    "site sites center centre centers hospital hospitals institute clinic location locations",
    "sponsor sponsors sponsored responsible accountable party company funder",
    "start starts started begin began beginning commence launch launched initiate going underway kickoff",
    "complete completion completed finish end ends",
    "eligible eligibility qualify qualifies join enter take part participate inclusion criteria allowed accept accepts accepted",
    "minimum least",
    "absent without",
    "exclude excluded exclusion ineligible disqualify",
    "age old older year-old youngest oldest adult",
    "year years annual annually yearly",
    "sex sexes gender men women male female",
    "ceo chief executive president",
    "cmo chief medical officer",
    "email e-mail address",
    "masking masked blinded blind open-label label",
    "dose doses dosed dosing dosage",
    "cash runway money funds funding",
    "orr response responses respond",
    "identifier id number nct",
    "phase stage",
    "level levels tier tiers",
    "condition conditions disease diseases indication indications illness disorder",
    "intervention interventions treatment treatments therapy therapies drug drugs agent product",
    "manufacture manufactured manufacturing produce produced production make made scale",
    "chemo chemotherapy cytotoxic",
    "conditioning lymphodepletion lymphodepleting",
    "survive survival life expectancy",
    "verified checked updated update",
    "posted listed listing published registered",
    "target targets targeting directed anti recognizes recognize recognise recognized recognised recognizing recognising",
    "contact phone call email",
    "kidney renal rcc",
    "myeloma mm",
    "myositis myopathy myopathies",
    "autologous own",
    "prior previous previously earlier before received",
    "lines regimens line regimen",
    "approve approved approval clearance cleared authorised authorized",
    "status recruiting",
    "measure measures measured endpoint endpoints outcome outcomes score scores",
    "month months",
    "result results data findings",
    "conference conferences meeting meetings congress symposium",
    "presented presentation shown unveiled",
    "week weeks",
    "expect expected expects estimated anticipated anticipates projected",
    "us u.s usa",
    "design designs scheme schemes",
    "global worldwide",
    "improvement improvements gain gains",
    "derived derive derives originate originates originated origin",
]

_SYNONYMS: dict[str, frozenset[str]] = {}
for _group in SYNONYM_GROUPS:
    _members = frozenset(stem(w) for w in _group.split())
    for _m in _members:
        _SYNONYMS[_m] = _SYNONYMS.get(_m, frozenset()) | _members


# "What two approaches": a number written as a word meets its digits ("2 different arms")
for _n, _word in enumerate("two three four five six seven eight nine ten eleven twelve".split(), start=2):
    _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset((_word,))) | {str(_n)}
    _SYNONYMS[str(_n)] = _SYNONYMS.get(str(_n), frozenset((str(_n),))) | {_word}
# "the second dose level" is "dose-level 2"
for _n, _word in enumerate("second third fourth fifth sixth".split(), start=2):
    _SYNONYMS[stem(_word)] = _SYNONYMS.get(stem(_word), frozenset((stem(_word),))) | {str(_n)}


def synonyms(token: str) -> frozenset[str]:
    return _SYNONYMS.get(token, frozenset((token,)))


def expand(query_tokens: list[str]) -> list[str]:
    """Query tokens plus their domain synonyms, each once, originals first."""
    out = dict.fromkeys(query_tokens)
    for t in query_tokens:
        out.update(dict.fromkeys(sorted(synonyms(t))))
    return list(out)


@lru_cache(maxsize=50_000)
def specificity(word: str) -> float:
    """How domain-specific a word is: 1 for words rare in general English (nephritis, myeloma),
    down to 0.15 for everyday words (company, expected). From wordfreq's English frequencies."""
    from wordfreq import zipf_frequency

    return min(1.0, max(0.15, (6.5 - zipf_frequency(word, "en")) / 4))


def surface_forms(text: str) -> dict[str, str]:
    """Each token of `text` mapped to the word it came from (stem -> word), for specificity."""
    out: dict[str, str] = {}
    for word in re.findall(r"[^\W_]+(?:[-/.+][^\W_]+)*", normalize(text)):
        for t in tokens(word):
            out.setdefault(t, word)
    return out
