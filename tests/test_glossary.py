"""Lay phrases are read as the documents' terms for them (`rag.glossary`)."""

from __future__ import annotations

import pytest

from rag.glossary import glosses
from rag.places import has_city, has_place


@pytest.mark.parametrize("question, phrase, term", [
    ("How well must patients function day to day to join?", "function day to day", "performance"),
    ("Where is Allogene's home base?", "home base", "headquarters"),
    ("Which company handed over the rights to the product?", "handed over the rights", "rights"),
    ("How much cancer left behind do they test for?", "cancer left behind", "mrd"),
    ("What happens if the donor cells attack the patient?", "donor cells attack the patient", "gvhd"),
    ("Which cells does the product go after?", "go after", "target"),
    ("What unit production expense per treatment is the platform aiming for?", "production expense per treatment", "cost-of-goods"),
    ("How far out will existing funds carry operations?", "funds carry operations", "runway"),
    ("Does an underactive thyroid rule him out?", "underactive thyroid", "hypothyroidism"),
    ("Is the myeloma study still taking patients?", "still taking patients", "recruiting"),
    ("Is the study still enrolling?", "still enrolling", "recruiting"),
    ("He takes thyroid pills every day; is that allowed?", "thyroid pills", "hormone"),
    ("Which organization is accountable for the study?", "accountable for", "sponsor"),
    ("Which genome-editing method does the product use?", "genome-editing", "crispr"),
    ("How far will existing funds carry the company?", "funds carry the company", "runway"),
    ("What bar must candidates clear to join the study?", "bar must candidates clear", "eligibility"),
    ("How heavily pretreated must patients be?", "how heavily pretreated", "prior"),
    ("When will the protocol be fully closed out?", "fully closed out", "completion"),
    ("Which person handles questions from journalists?", "journalists", "media"),
    ("Who is the point of contact for the site?", "point of contact", "contact"),
    ("Who handles shareholder questions?", "shareholder", "investor"),
    ("The patient had their own stem cells given back last month; may they join?", "their own stem cells given back", "autologous"),
    ("When do they check whether the cell therapy actually helped?", "whether the cell therapy actually helped", "response"),
    ("What share of patients saw their disease shrink?", "disease shrink", "response"),
    ("How many people with the kidney tumor saw it shrink?", "saw it shrink", "response"),
    # stop 14
    ("When do they judge whether the illness has gotten better?", "whether the illness has gotten better", "response"),
    ("Is the product given into a vein?", "given into a vein", "intravenous"),
    ("Is it taken by mouth?", "by mouth", "oral"),
    ("How long can Acme keep funding itself?", "keep funding itself", "runway"),
    ("How does the pre-treatment conditioning differ?", "pre-treatment conditioning", "lymphodepletion"),
    ("The patient recently got their own harvested cells re-infused; may they join?", "their own harvested cells re-infused",
     "autologous"),
    ("He got a transplant using his own harvested cells; may he join?", "transplant using his own harvested cells", "autologous"),
    ("How well must someone be looking after themselves?", "looking after themselves", "performance"),
    ("Do patients get chemotherapy before the NK cells are given?", "chemotherapy before the nk cells", "lymphodepletion"),
    ("Do patients get drugs to deplete lymphocytes first?", "deplete lymphocytes", "lymphodepletion"),
    ("What counts as success in this study?", "counts as success", "response"),
    ("Who would be considered for the study?", "be considered for", "eligibility"),
    ("Which scheme finds the ceiling on how much can be given safely?", "ceiling on how much can be given safely", "mtd"),
    ("How long can Acme keep the lights on?", "keep the lights on", "runway"),
    ("Does Acme expect its money will last through 2027?", "money will last", "runway"),
    ("How long does Acme think its existing money will keep it funded?", "keep it funded", "runway"),
    ("Until when can Acme keep operating on the money it has?", "keep operating on the money", "runway"),
    ("What does each dose of its donor-derived products cost?", "donor-derived", "allogeneic"),
    # stop 15
    ("How much must it improve on clearing leftover detectable disease?", "leftover detectable disease", "mrd"),
    ("What score must they reach at the one-year mark?", "the one-year mark", "week-52"),
    ("What has to happen for it to count as a win?", "count as a win", "response"),
    ("What would count as a meaningful response?", "count as a meaningful response", "response"),
    ("What is the highest safe amount to give?", "highest safe amount", "mtd"),
    ("How do they find the highest amount patients can safely receive?", "highest amount patients can safely", "mtd"),
    ("He had a self-donor graft last month; may he join?", "self-donor graft", "autologous"),
    ("Which diseases do the donor T cells treat?", "donor t cells", "allogeneic"),
    ("Where do the killer lymphocytes come from?", "killer lymphocytes", "nk"),
    ("What stock ticker does Acme use?", "stock ticker", "nasdaq"),
    ("Is Acme publicly listed?", "publicly listed", "nasdaq"),
    ("Which exchange does Acme trade on?", "which exchange", "nasdaq"),
    ("Who is Acme's top doctor?", "top doctor", "cmo"),
    ("How many people has Acme dosed so far?", "dosed", "treated"),
    # stop 16
    ("When is the PoC readout?", "poc", "proof-of-concept"),
    ("Does the plan count on BD deals?", "bd", "business"),
    ("What does Acme guide to for next year?", "guide", "expect"),
    ("Is there a fitness cutoff for joining?", "fitness cutoff", "performance"),
    ("How well must someone be getting around day to day?", "getting around day to day", "performance"),
    ("Do patients get chemo beforehand?", "chemo beforehand", "lymphodepletion"),
    ("Is there chemo before the main treatment?", "chemo before the main treatment", "lymphodepletion"),
    ("How many treatments must he have already gone through?", "already gone through", "prior"),
    ("What is her treatment history requirement?", "treatment history", "prior"),
    ("What must he have before he can try ALLO-605?", "can try", "eligible"),
    # a registry record says in its Allocation field whether a study randomizes
    ("Does the study randomize patients?", "randomize", "allocation"),
])
def test_a_lay_phrase_is_read_as_the_documents_terms(question, phrase, term):
    found = glosses(question)
    assert [g.phrase for g in found] == [phrase], found
    assert term in found[0].terms.split()


def test_a_question_in_the_documents_own_terms_has_nothing_to_gloss():
    assert glosses("What ECOG performance status is required for ALLO-605?") == ()
    assert glosses("Where is Allogene headquartered?") == ()
    # (a record's field, not a stock listing)
    assert glosses('Which ID is listed under "Other Study ID Numbers"?') == ()
    assert glosses("Which sites are listed on the record?") == ()
    assert glosses("Is the study non-randomized?") == ()


def test_overlapping_lay_phrases_are_read_once_the_longest_first():
    # "wipe out the patient's immune cells" is lymphodepletion; its "wipe out" alone would be depletion
    found = glosses("Why wipe out the patient's own immune cells first?")
    assert len(found) == 1 and "lymphodepletion" in found[0].terms.split(), found


@pytest.mark.parametrize("text, place, city", [
    ("Allogene is headquartered in South San Francisco.", True, True),
    ("Sites are open in Houston, Texas.", True, True),
    ("Sites are open in France and Germany.", True, False),
    ("The study enrolls adults with lupus.", False, False),
])
def test_a_well_known_city_is_a_place_without_its_state(text, place, city):
    assert has_place(text) is place and has_city(text) is city
