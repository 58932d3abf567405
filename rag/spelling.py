"""A slip of the keyboard in a question ("how many partcipants ..."): a lower-case word that is
neither in the documents nor an English word, one edit (a letter left out, added, changed or two
swapped) away from an English word the documents use, is read as that word. Names are left alone:
a capitalised word the documents never use may be another product, which the answer must refuse."""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import stem

MIN_LENGTH = 5  # shorter words have too many neighbours one edit away
WORD_ZIPF = 1.5  # an English word at least this common (wordfreq's Zipf scale) is no slip
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w'’-])")


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS})


# the spellings of texting and chat, which are words of their own rather than slips
_INFORMAL = {"thru": "through", "tho": "though", "u": "you", "ur": "your", "r": "are", "b4": "before", "pls": "please",
             "plz": "please", "wat": "what", "bc": "because", "cuz": "because", "abt": "about", "w/o": "without"}
_INFORMAL_WORD = re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(w) for w in sorted(_INFORMAL, key=len, reverse=True)) + r")(?![\w'’/-])")  # (not "r/r")


# the shorthand of clinical notes and trial listings ("pts", "ph2", "wk52", "no-LD", "allo HSCT"),
# written out unless the documents use it themselves: (pattern, what it is written as)
_SHORTHAND: list[tuple[re.Pattern[str], str]] = [(re.compile(p, flags), out) for p, flags, out in [
    (r"(?<![\w-])pts(?![\w'’-])", re.I, "patients"),
    (r"(?<![\w-])pt(?![\w'’-])", 0, "patient"),
    (r"(?<![\w-])ph ?([1-4](?:/[1-4])?)(?![\w-])", re.I, r"phase \1"),
    (r"(?<![\w-])wk ?(\d+)(?![\w-])", re.I, r"week \1"),
    (r"(?<![\w-])wks(?![\w'’-])", re.I, "weeks"),
    (r"(?<![\w-])wk(?![\w'’-])", re.I, "week"),
    (r"(?<=\d) ?mos?(?![\w'’-])", 0, " months"),
    (r"(?<=\d) ?yrs?(?![\w'’-])", 0, " years"),
    (r"(?<![\w-])tx(?![\w'’-])", re.I, "treatment"),
    (r"(?<![\w-])dx(?![\w'’-])", re.I, "diagnosis"),
    (r"(?<![\w-])hx(?![\w'’-])", re.I, "history"),
    (r"(?<![\w-])f/u(?![\w'’-])", re.I, "follow-up"),
    (r"(?<![\w/-])w/\s*(?=\w)", re.I, "with "),
    (r"(?<!\w)LD(?![\w'’-])", 0, "lymphodepletion"),
    (r"(?<![\w-])allo[ -](?=(?:HSCT|SCT|transplant|stem|cells?\b|CAR))", re.I, "allogeneic "),
    (r"(?<![\w-])HSCT(?![\w'’-])", 0, "hematopoietic stem cell transplantation"),
    (r"(?<![\w-])SCT(?![\w'’-])", 0, "stem cell transplantation"),
    (r"(?<![\w-])SAEs?(?![\w'’-])", 0, "serious adverse events"),
    (r"(?<![\w-])AEs?(?![\w'’-])", 0, "adverse events"),
    (r"(?<![\w-])elig(?![\w'’-])", re.I, "eligibility"),
    (r"(?<![\w-])mfg(?![\w'’-])", re.I, "manufacturing"),
    (r"(?<![\w-])esc(?![\w'’-])", re.I, "escalation"),
    # the conditioning pair of cell therapy, by its pharmacy abbreviations
    (r"(?<![\w-])flu ?[/+-] ?cy(?![\w'’-])", re.I, "fludarabine/cyclophosphamide"),
    (r"(?<![\w-])cy ?[/+-] ?flu(?![\w'’-])", re.I, "cyclophosphamide/fludarabine"),
    (r"(?<![\w/-])Cy(?![\w'’/-])", 0, "cyclophosphamide"),
]]


_CODE_PARTS = frozenset({"allo"})  # a word the documents use only inside product codes (ALLO-605), never on its own


def written_out(question: str, known: Callable[[str], bool]) -> str:
    """The question with clinical shorthand the documents do not use themselves written out."""

    def out(m: re.Match[str], written: str) -> str:
        word = m.group(0).strip().casefold()
        return m.group(0) if known(word) and word not in _CODE_PARTS else m.expand(written)

    for pattern, written in _SHORTHAND:
        question = pattern.sub(lambda m: out(m, written), question)
    return question


def corrected(question: str, known: Callable[[str], bool]) -> str:
    """The question with chat spellings and clinical shorthand written out ("thru", "pts") and each
    slip replaced by the commonest English word one edit away that the documents use (`known`
    tells, by index term)."""
    from wordfreq import zipf_frequency

    question = written_out(_INFORMAL_WORD.sub(lambda m: _INFORMAL[m.group(0)], question), known)

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if len(word) < MIN_LENGTH or known(word) or known(stem(word)) or zipf_frequency(word, "en") >= WORD_ZIPF:
            return word
        found = [(zipf_frequency(c, "en"), c) for c in _one_edit(word) if known(stem(c))]
        best = max(found, default=(0.0, word))
        return best[1] if best[0] >= WORD_ZIPF else word

    return _WORD.sub(fix, question)
