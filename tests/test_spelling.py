"""Slips of the keyboard in a question are read as the word the documents use; names are not."""

from rag.spelling import corrected
from rag.text import stem

CORPUS_TERMS = {stem(w) for w in "participants planned enrollment arthritis rheumatoid study".split()}


def known(term: str) -> bool:
    return term in CORPUS_TERMS


def test_a_slip_one_edit_from_a_word_the_documents_use_is_read_as_that_word():
    assert corrected("how many partcipants are planned?", known) == "how many participants are planned?"
    assert corrected("rheumatoid arthritus (RA) study", known) == "rheumatoid arthritis (RA) study"


def test_names_english_words_and_far_misses_are_left_alone():
    # a capitalised name the documents never use may be another product: the answer must refuse it
    assert corrected("What did Partcipants report?", known) == "What did Partcipants report?"
    # an English word the documents do not use is no slip ("planted" is one edit from "planned")
    assert corrected("how many were planted?", known) == "how many were planted?"
    # two edits away, or too short to tell
    assert corrected("how many prtcipants?", known) == "how many prtcipants?"
    assert corrected("the stdy", known) == "the stdy"


def test_chat_spellings_are_written_out_but_not_inside_names():
    assert corrected("how old do u have to be, and what has he gone thru?", known) == "how old do you have to be, and what has he gone through?"
    assert corrected("Is the U-937 line or CAR-T u-shaped?", known) == "Is the U-937 line or CAR-T u-shaped?"
    assert corrected("is it for r/r myeloma?", known) == "is it for r/r myeloma?"


def test_clinical_shorthand_the_documents_do_not_use_is_written_out():
    known = {"patient", "phase", "week", "lymphodepletion", "allo", "605", "647"}.__contains__
    assert corrected("AlloNK ph2 pts at wk52, no-LD arm", known) == "AlloNK phase 2 patients at week 52, no-lymphodepletion arm"
    assert corrected("ALLO-605 - prior allo HSCT ok?", known) == "ALLO-605 - prior allogeneic hematopoietic stem cell transplantation ok?"
    assert corrected("ALLO-605 w/ ALLO-647, DLTs over 6 mo", known) == "ALLO-605 with ALLO-647, DLTs over 6 months"
    assert corrected("pt with a prior allo-HSCT", known) == "patient with a prior allogeneic hematopoietic stem cell transplantation"
    assert corrected("ALLO-647 with Flu/Cy, then Cy alone", known) == "ALLO-647 with fludarabine/cyclophosphamide, then cyclophosphamide alone"
    # shorthand the documents use themselves is their word, and a code's part ("ALLO-605") is left alone
    assert corrected("the LD regimen of ALLO-605", {"ld"}.__contains__) == "the LD regimen of ALLO-605"
