"""Tokenising and normalising text, shared by the keyword index and the answerer.

Identifiers such as NCT05000450, ALLO-605, DAS28-ESR and FC500 stay single tokens (their parts
are added too, so "ALLO 605" still matches), which no off-the-shelf tokeniser does for us.
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor not
    of off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours there's what's it's is there tell me
    please give list name say said says document documents""".split()
)

_TOKEN = re.compile(r"[a-z0-9]+(?:[-/.+][a-z0-9]+)*")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "’": "'", "‘": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """The gold-set normalisation: NFKC, casefold, dashes, ≥/≤, collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_DASHES)
    text = text.replace("≥", ">=").replace("≤", "<=")
    return re.sub(r"\s+", " ", text).strip()


def stem(word: str) -> str:
    """A light suffix stemmer: enough to meet enroll/enrollment/enrolling, not a linguist."""
    if any(ch.isdigit() for ch in word) or len(word) <= 4:
        return word
    for suffix, keep in (("ational", "ate"), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""),
                         ("ies", "y"), ("ied", "y"), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: len(word) - len(suffix)] + keep
            break
    if word.endswith("ll") and len(word) > 5:
        word = word[:-1]
    return word


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    out: list[str] = []
    for tok in _TOKEN.findall(normalize(text)):
        tok = tok.strip(".")
        if not tok or (not keep_stopwords and tok in STOPWORDS):
            continue
        if re.search(r"[-/.+]", tok):
            out.append(tok)
            out.extend(stem(p) for p in re.split(r"[-/.+]", tok) if p and p not in STOPWORDS)
        else:
            out.append(stem(tok))
    return out
