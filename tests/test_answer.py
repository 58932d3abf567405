"""The extractive answerer's decisions on small hand-written documents, without the model: span
selection, entity scope, abstention, lists, follow-ups and yes/no reasoning.

Dense scores come from a deterministic stand-in (token overlap with the question) and idf from the
documents' own chunk frequencies, as the keyword index computes them. The tests assert what is
answered, cited or refused, never exact scores: weights and thresholds are still being tuned."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from rag.answer import (ABSTAIN_TEXT, Answer, Answerer, Picked, Question, _in_document, analyze, asked_proper, has_expected, has_lead, idf_function, joined,
                        sub_questions, unknown_names, yes_or_no)
from rag.chunk import chunk_document
from rag.described import descriptors
from rag.entities import Entity, Scope, learn_trial_names, question_entities
from rag.glossary import glosses
from rag.text import stem, tokens
from rag.types import Chunk, Document, Hit, Turn


class Corpus:
    """A few documents with everything the answerer needs: chunks, scopes, idf, stand-in hits."""

    def __init__(self, texts: dict[str, str], **answerer_options) -> None:
        self.docs = {s: Document(s, t.strip().splitlines()[0], t, "hash") for s, t in texts.items()}
        self.chunks = {s: chunk_document(d) for s, d in self.docs.items()}
        df: Counter[str] = Counter()
        for source, chunks in self.chunks.items():
            for c in chunks:
                df.update(set(tokens(f"{self.docs[source].title}\n{c.heading}\n{c.text}")))
        self.known = df.__contains__
        self.trial_names = learn_trial_names(texts.values())
        self.scopes = {s: Scope(d.text, self.chunks[s], self.trial_names) for s, d in self.docs.items()}
        n_chunks = sum(len(c) for c in self.chunks.values())
        self.answerer = Answerer(idf_function(dict(df), n_chunks), self.scopes.__getitem__, self.known,
                                 **answerer_options)

    def chunk(self, needle: str) -> Chunk:
        return next(c for cs in self.chunks.values() for c in cs if needle in c.text)

    def hits(self, query: str, dense: dict[str, float] | None = None) -> list[Hit]:
        """Every chunk, ranked by token overlap with the query; `dense` overrides it for chunks
        containing a given string."""
        q = set(tokens(query))
        out = []
        for source, chunks in self.chunks.items():
            for c in chunks:
                t = set(tokens(f"{c.heading} {c.text}"))
                score = len(q & t) / math.sqrt(len(q) * len(t)) if q and t else 0.0
                for needle, forced in (dense or {}).items():
                    if needle in c.text:
                        score = forced
                out.append(Hit(c, self.docs[source].title, score, 0.0, 0.0))
        return sorted(out, key=lambda h: -h.dense)

    def question(self, text: str, history: list[tuple[str, str]] = ()) -> Question:
        return analyze(text, [Turn(role=r, content=c) for r, c in history], self.trial_names, self.known)

    def ranked(self, text: str, dense: dict[str, float] | None = None) -> list:
        """The answerer's candidate passages for a question, best first."""
        q = self.question(text)
        return self.answerer.candidates(q, self.hits(q.query, dense))

    def ask(self, text: str, history: list[tuple[str, str]] = (), dense: dict[str, float] | None = None) -> Answer:
        q = self.question(text, history)
        answer = self.answerer.answer(q, self.hits(q.query, dense))
        for p in answer.spans:  # whatever is cited, offsets stay exact
            assert self.docs[p.chunk.source].text[p.chunk.start : p.chunk.end] == p.chunk.text
        return answer


PIPELINE = """Allogene pipeline update

ALLO-605 program

ALLO-605 is an anti-BCMA CAR T product for multiple myeloma. The study will enroll 136 participants at 12 sites.

ALLO-316 program

ALLO-316 is an anti-CD70 CAR T product for renal cell carcinoma. The study will enroll 40 participants at 5 sites.
"""

ELIGIBILITY = """Study of ALLO-605 in myeloma

Ages Eligible for Study: | 18 Years and older (Adult, Older Adult) |
Sexes Eligible for Study: | All |
Accepts Healthy Volunteers: | No |
Studies a U.S. FDA-regulated Drug Product: | Yes |
Inclusion Criteria:
- Eastern Cooperative Oncology Group (ECOG) performance status of 0 or 1
- Life expectancy of at least 3 months without treatment
Exclusion Criteria:
- Any prior allogeneic hematopoietic stem cell transplantation
- Current or history of thyroid disorder
- Systemic anti-cancer therapy within 2 weeks prior to lymphodepletion
"""

KIDNEY = """ALLO-316 kidney study

ALLO-316 is an anti-CD70 CAR T product for renal cell carcinoma. Sites are open in France and Germany. The study started in 2024 and will enroll 40 participants.
"""


@pytest.fixture(scope="module")
def pipeline() -> Corpus:
    return Corpus({"pipeline.txt": PIPELINE})


@pytest.fixture(scope="module")
def eligibility() -> Corpus:
    return Corpus({"eligibility.txt": ELIGIBILITY})


def cited(answer: Answer) -> str:
    return " ".join(p.chunk.text for p in answer.spans)


# --- span selection ----------------------------------------------------------------------------

def test_factoid_cites_the_minimal_span_holding_the_value(pipeline):
    answer = pipeline.ask("How many participants will the ALLO-605 study enroll?")
    assert not answer.abstained
    assert "136" in answer.text and "[1]" in answer.text
    assert answer.spans[0].chunk.text == "The study will enroll 136 participants at 12 sites."


def test_never_cites_a_span_about_another_entity(pipeline):
    for asked, right, wrong in (("ALLO-316", "40", "136"), ("ALLO-605", "136", "40")):
        # even when the other product's sentence looks closer to the question
        answer = pipeline.ask(f"How many participants will the {asked} study enroll?",
                              dense={f"enroll {wrong} participants": 0.95, f"enroll {right} participants": 0.40})
        assert not answer.abstained, asked
        assert f"{right} participants" in cited(answer), cited(answer)
        assert f"{wrong} participants" not in cited(answer), (asked, cited(answer))


def test_entity_missing_from_the_documents_abstains(pipeline):
    answer = pipeline.ask("How many participants will the ALLO-999 study enroll?")
    assert answer.abstained
    assert answer.text.startswith(ABSTAIN_TEXT)


def test_list_question_gathers_the_items_of_the_list(eligibility):
    answer = eligibility.ask("What are the exclusion criteria?")
    assert not answer.abstained
    texts = [p.chunk.text for p in answer.spans]
    assert len(texts) >= 2
    assert any("allogeneic hematopoietic" in t for t in texts)
    assert any("thyroid" in t for t in texts)
    assert not any("ECOG" in t or "Life expectancy" in t for t in texts), "inclusion items are another list"
    markers = [f"[{n}]" for n in range(1, len(texts) + 1)]
    assert all(m in answer.text for m in markers)


def test_follow_up_takes_its_entity_from_the_history(pipeline):
    history = [("user", "Tell me about the ALLO-316 study"), ("assistant", "ALLO-316 is an anti-CD70 CAR T product.")]
    q = pipeline.question("How many participants will it enroll?", history)
    assert Entity("allo-316", "product") in q.entities
    assert "ALLO-316" in q.query
    answer = pipeline.ask("How many participants will it enroll?", history)
    assert not answer.abstained and "40" in answer.text and "136" not in answer.text


# --- abstention --------------------------------------------------------------------------------

def test_abstains_when_no_candidate_reaches_min_score():
    texts = {"pipeline.txt": PIPELINE}
    question = "How many participants will the ALLO-605 study enroll?"
    assert not Corpus(texts).ask(question).abstained
    strict = Corpus(texts, min_score=5.0)  # above any score a span can get
    answer = strict.ask(question)
    assert answer.abstained and answer.text.startswith(ABSTAIN_TEXT)
    assert answer.reason
    assert 1 <= len(answer.spans) <= 2, "the closest passages are offered for the reader to check"


def test_abstains_on_a_question_the_documents_do_not_touch(eligibility):
    answer = eligibility.ask("What color are the study kits?")
    assert answer.abstained


def test_abstains_when_no_number_sits_near_the_counted_noun():
    kidney = Corpus({"kidney.txt": KIDNEY})
    assert "40" in kidney.ask("How many participants will the ALLO-316 study enroll?").text
    # numbers exist (2024, 40 participants) but none counts hospitals, and none counts patents
    for question in ("How many hospitals will the ALLO-316 study use?", "How many patents cover ALLO-316?"):
        answer = kidney.ask(question)
        assert answer.abstained, (question, answer.text)


def test_abstains_when_asked_for_a_price_the_documents_never_give(pipeline):
    answer = pipeline.ask("What is the price of ALLO-605?")
    assert answer.abstained


# --- yes/no ------------------------------------------------------------------------------------

AGES = Chunk("d.txt", 0, 0, "Ages Eligible for Study: | 18 Years and older (Adult, Older Adult) |", 0, "Eligibility", "row")
ECOG = Chunk("d.txt", 0, 0, "Eastern Cooperative Oncology Group (ECOG) performance status of 0 or 1", 1,
             "Study > Inclusion Criteria", "item")
TRANSPLANT = Chunk("d.txt", 0, 0, "Any prior allogeneic hematopoietic stem cell transplantation", 2,
                   "Study > Exclusion Criteria", "item")
FDA = Chunk("d.txt", 0, 0, "Studies a U.S. FDA-regulated Drug Product: | Yes |", 3, "Study", "row")
VOLUNTEERS = Chunk("d.txt", 0, 0, "Accepts Healthy Volunteers: | No |", 4, "Study", "row")
EXPECTANCY = Chunk("d.txt", 0, 0, "Life expectancy of at least 3 months without treatment", 5,
                   "Study > Inclusion Criteria", "item")
STATUS = Chunk("r.xml", 0, 0, "Overall status: Terminated.", 7, "Status", "line")
STUDY_TYPE = Chunk("r.xml", 0, 0, "Study type: Interventional.", 8, "Design", "line")
THYROID = Chunk("d.txt", 0, 0, "Current or history of thyroid disorder, except for subjects with hypothyroidism "
                "controlled on a stable dose of hormone replacement therapy", 6, "Study > Exclusion Criteria", "item")


@pytest.mark.parametrize(("question", "chunk", "verdict"), [
    ("Can a 16-year-old enroll in the study?", AGES, "No."),
    ("Can a 45-year-old enroll in the study?", AGES, "Yes."),
    ("Can a patient with an ECOG performance status of 2 enroll?", ECOG, "No."),
    ("Can a patient with an ECOG performance status of 1 enroll?", ECOG, "Yes."),
    ("Can patients with a prior allogeneic stem cell transplant enroll?", TRANSPLANT, "No."),
    ("Are patients with a prior allogeneic stem cell transplant excluded?", TRANSPLANT, "Yes."),
    ("Does the study involve an FDA-regulated drug product?", FDA, "Yes."),
    ("Does the study accept healthy volunteers?", VOLUNTEERS, "No."),
    ("Can a patient with a life expectancy of 2 months enroll?", EXPECTANCY, "No."),
    ("Can a patient with a life expectancy of 6 months enroll?", EXPECTANCY, "Yes."),
    # an exclusion's own exception: the patient it describes is not excluded
    ("Can a patient with hypothyroidism controlled on hormone replacement enroll?", THYROID, "Yes."),
    ("Is a patient with hypothyroidism on a stable hormone replacement dose excluded?", THYROID, "No."),
    ("Can a patient with a thyroid disorder enroll?", THYROID, "No."),
    # kept or ruled out is excluded; a question about the exception asks whether it covers the patient
    ("Would hypothyroidism on stable hormone replacement rule a patient out?", THYROID, "No."),
    ("Does a thyroid disorder keep patients out?", THYROID, "Yes."),
    ("Does the thyroid exclusion make an exception for hypothyroidism on hormone replacement?", THYROID, "Yes."),
    ("Does the thyroid exclusion exempt patients with hyperthyroidism?", THYROID, "No."),
    # a field with a word value: yes only if it holds what is asked about
    ("Is NCT00494338 still recruiting?", STATUS, "No."),
    ("Was NCT00494338 terminated?", STATUS, "Yes."),
    ("Is NCT00001223 an observational study?", STUDY_TYPE, "No."),
    ("Is it an interventional trial?", STUDY_TYPE, "Yes."),
    # a design term the span excludes: open-label is not blinded, single-arm is not randomised
    ("Is the study blinded?", Chunk("d.txt", 0, 0, "A Single-Arm, Open-Label, Phase 1/2 Study", 9, "", "text"), "No."),
    ("Is the study double-blind?", Chunk("d.txt", 0, 0, "A randomized, double-blind, placebo-controlled study", 9, "", "text"), "Yes."),
    # a design said as such, in a field whose value is "None": "Masking: None (Open Label)" is open-label
    ("Is the study open-label?", Chunk("d.txt", 0, 0, "Masking: | None (Open Label)", 9, "", "row"), "Yes."),
    ("Is the study blinded?", Chunk("d.txt", 0, 0, "Masking: | None (Open Label)", 9, "", "row"), "No."),
    ("Is the study randomized?", Chunk("d.txt", 0, 0, "Allocation: | Randomized", 9, "", "row"), "Yes."),
    ("Is it a single-arm study?", Chunk("d.txt", 0, 0, "Intervention Model: | Single Group Assignment", 9, "", "row"), "Yes."),
    ("Is the trial randomized?", Chunk("d.txt", 0, 0, "A Single-Arm, Open-Label, Phase 1/2 Study", 9, "", "text"), "No."),
    ("Does the trial randomize patients between arms?", Chunk("d.txt", 0, 0, "A Single-Arm, Open-Label, Phase 1/2 Study", 9, "", "text"), "No."),
    ("Is the study open-label?", Chunk("d.txt", 0, 0, "Masking: | Double-Blind |", 9, "", "row"), "No."),
])
def test_yes_or_no_reads_bounds_lists_and_fields(question, chunk, verdict):
    assert yes_or_no(question, chunk) == verdict


@pytest.mark.parametrize(("question", "verdict", "evidence"), [
    ("Can a 16-year-old enroll in the study?", "No.", "18 Years and older"),
    ("Can a patient with an ECOG performance status of 2 enroll?", "No.", "ECOG"),
    ("Can patients with a prior allogeneic stem cell transplantation enroll?", "No.", "stem cell transplantation"),
    ("Does the study accept healthy volunteers?", "No.", "Healthy Volunteers"),
    ("Does the study involve an FDA-regulated drug product?", "Yes.", "FDA-regulated Drug Product"),
])
def test_yes_no_answer_leads_with_the_verdict_and_cites_its_evidence(eligibility, question, verdict, evidence):
    answer = eligibility.ask(question)
    assert not answer.abstained, question
    assert answer.text.startswith(verdict), answer.text
    assert evidence in answer.spans[0].chunk.text


@pytest.mark.parametrize("text, names", [
    ("Results from the Phase 2 ALPHA3 trial and the ALLO-605-201 IGNITE Study ( Other Identifier )", {"alpha3", "ignite"}),
    ("We plan the RESOLUTION (Phase 1) trial.", {"resolution"}),
    ("A RANDOMIZED CONTROLLED TRIAL OF BREAST CANCER Study", set()),  # a title in capitals names nothing
    ("PHASE II CANCER trial", set()),
    ("NCT00000102 Study record", set()),  # NCT ids are their own class
    ("The FIRST trial of its kind", set()),  # an everyday word
])
def test_trial_names_are_learned_from_mixed_case_prose_only(text, names):
    assert learn_trial_names([text]) == names


def test_an_exclusions_exception_is_read_in_the_askers_lay_words_too():
    asked = "my husband takes thyroid pills for an underactive thyroid, well controlled. does that keep him out?"
    assert yes_or_no(asked, THYROID, glosses(asked)) == "No."
    assert yes_or_no(asked, THYROID) == "Yes."  # (unread, the lay words leave only the exclusion)


def test_an_either_or_question_is_answered_by_the_span_not_yes_or_no():
    corpus = Corpus({"design.txt": "Study of ALLO-316 in kidney cancer\n\nStudy type: Interventional.\nPhase: Phase 1.\n"})
    answer = corpus.ask("Is the ALLO-316 study interventional or observational?")
    assert not answer.abstained and cited(answer) == "Study type: Interventional."
    assert not re.match(r"(?:Yes|No)\b", answer.text), answer.text
    plain = corpus.ask("Is the ALLO-316 study interventional?")
    assert plain.text.startswith("Yes."), plain.text


def test_a_figure_for_a_differently_qualified_measure_does_not_answer():
    corpus = Corpus({"results.txt": "ALLO-316 results\n\nAmong 8 patients at dose-level 2, the best overall response "
                     "rate (ORR) was 38% (3/8).\n\nA 31% confirmed ORR was seen after a single dose.\n"})
    asked_other = corpus.ask("What complete response rate did ALLO-316 achieve?")
    assert asked_other.abstained, asked_other.text  # neither the spelled-out nor the abbreviated ORR is a CR rate
    same = corpus.ask("What overall response rate did ALLO-316 achieve?")
    assert not same.abstained and "38%" in same.text, same.text
    # the main response is the primary one
    when = Corpus({"nk.txt": "AB-1 study\n\nThe main disease response measures of the AB-1 trial are checked at Week 52.\n\n"
                   "The overall disease response is summarised at Week 24 in a secondary analysis.\n"})
    primary = when.ask("When are the primary disease response endpoints of the AB-1 trial assessed?")
    assert not primary.abstained and "Week 52" in primary.text, primary.text
    # a disease before the measure says whose rate, not which rate
    disease = corpus.ask("What kidney cancer response rate did ALLO-316 achieve?")
    assert not disease.abstained and "%" in disease.text, disease.text
    # nor does a word setting figures apart ("different response rates")
    different = corpus.ask("Two sources quote different response rates for ALLO-316: what are they?")
    assert not different.abstained and "%" in different.text, different.text


def test_words_naming_the_asked_kind_of_value_are_answered_by_such_a_value():
    # "zip" and "code" are used elsewhere in the corpus but not in the site list: the postcode answers them
    corpus = Corpus({
        "sites.txt": "Sites of the ALLO-605 study\n\nMD Anderson Cancer Center | Recruiting |\n"
                     "Houston, Texas, United States, 77030 | |\n",
        "form.txt": "Enrollment form\n\nWrite your zip code and postal address on the form.\n"})
    answer = corpus.ask("What ZIP code is listed for the MD Anderson Cancer Center site of the ALLO-605 study?")
    assert not answer.abstained and "77030" in answer.text, answer.text


def test_a_numbered_name_the_documents_never_use_abstains():
    corpus = Corpus({"stations.txt": "Field stations\n\nStation 12-3 recorded a reading of 41 units in May.\n"})
    known = corpus.ask("What reading did Station 12-3 record?")
    assert not known.abstained and "41 units" in known.text, known.text
    other = corpus.ask("What reading did Station 17-4 record?")  # the same words, a station never mentioned
    assert other.abstained, other.text


SITES = ("Locations of the ALLO-605 study\n\n"
         "Sarah Cannon/Colorado Blood Cancer Institute | Recruiting |\n"
         "Denver, Colorado, United States, 80218 | |\n"
         "Contact: Katherine Bertolin 720-754-4419 | |\n"
         "St. David's South Austin Medical Center | Recruiting |\n"
         "Austin, Texas, United States, 78704 | |\n"
         "Contact: Renee Stojanovic, BSN 512-816-6423 | |\n"
         "Texas Transplant Institute | Recruiting |\n"
         "San Antonio, Texas, United States, 78229 |\n")


@pytest.mark.parametrize(("question", "expected", "wrong"), [
    ("Who is the contact for the Austin site of the ALLO-605 study?", "Renee Stojanovic", "Katherine Bertolin"),
    ("Who is the contact person at the Denver site of the ALLO-605 study?", "Katherine Bertolin", "Renee Stojanovic"),
    ("What is the phone number of the Austin site of the ALLO-605 study?", "512-816-6423", "720-754-4419"),
    ("Who is the contact at the San Antonio site of the ALLO-605 study?", None, None),  # that site lists none
    ("What is the phone number of the San Antonio site of the ALLO-605 study?", None, None),
])
def test_a_site_s_contact_is_read_from_that_site_s_rows(question, expected, wrong):
    answer = Corpus({"sites.txt": SITES}).ask(question)
    if expected is None:
        assert answer.abstained, answer.text  # another site's contact is not this site's
    else:
        assert not answer.abstained and expected in answer.text and wrong not in answer.text, answer.text


def test_a_phone_number_question_expects_a_phone_number_not_a_count():
    assert analyze("What is the phone number of the Houston site?", [], frozenset()).expects == "phone"
    assert analyze("Who is the contact at the Houston site?", [], frozenset()).expects == "person"
    assert analyze("Who's the PI at the Houston site?", [], frozenset()).expects == "person"  # a principal investigator


def test_when_a_press_release_was_published_is_read_from_its_dateline():
    corpus = Corpus({"release.txt": "Acme outlines 2026 plans\n\n"
                     "BOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today outlined its plans.\n\n"
                     "Acme expects to report data from the BETA trial in March 2026 and to file for approval in 2027.\n"})
    answer = corpus.ask("When did Acme publish the press release about its 2026 plans?")
    assert not answer.abstained and "Jan. 08, 2026" in answer.text and "March" not in answer.text, answer.text
    event = corpus.ask("When does Acme expect to report data from the BETA trial?")  # a date inside it
    assert not event.abstained and "March 2026" in event.text, event.text


def test_a_full_name_is_read_where_the_documents_spell_the_short_one_out():
    corpus = Corpus({"news.txt": "ALLO-316 news\n\nALLO-316 is being evaluated in advanced or metastatic renal cell carcinoma "
                     "(RCC) in the TRAVERSE trial.\n\nNo CRS above grade 2 was seen. The ORR was 31%.\n"})
    close = {"(RCC)": 0.5, "No CRS": 0.5}  # both sentences as close to either question
    rcc = corpus.ask("What does RCC stand for?", dense=close)
    assert not rcc.abstained and "renal cell carcinoma" in rcc.text, rcc.text
    crs = corpus.ask("What does CRS stand for?", dense=close)  # used, never spelled out
    assert crs.abstained, crs.text


def test_a_figure_a_sentence_only_supposes_is_not_an_achieved_result():
    supposed = Corpus({"outlook.txt": "Cema-cel outlook\n\nA 25–30% improvement in MRD clearance with cema-cel "
                       "could signal a meaningful advance.\n"})
    question = "What MRD clearance rate has cema-cel achieved?"
    answer = supposed.ask(question, dense={"could signal": 0.6})
    assert answer.abstained, answer.text
    answer = supposed.ask("What share of patients became MRD-negative with cema-cel?", dense={"could signal": 0.6})
    assert answer.abstained, answer.text  # (a share that came about)
    reported = Corpus({"results.txt": "Cema-cel results\n\nCema-cel achieved an MRD clearance rate of 40% "
                       "in the first cohort.\n"})
    answer = reported.ask(question, dense={"first cohort": 0.6})
    assert not answer.abstained and "40%" in answer.text, answer.text


def test_the_same_statement_elsewhere_in_the_document_is_cited_beside_the_answer():
    corpus = Corpus({"record.txt": "Study of AB-7 in lupus\n\nThe status is authorised.\n\n"
                     "ClinicalTrials.gov Identifier: NCT01234567 | Recruitment Status: Authorised | Enrollment: 40\n\n"
                     "The sponsor expects the status of the Phase 2 part to change in 2027, after 20 participants.\n"})
    answer = corpus.ask("What is the recruitment status of the AB-7 study?", dense={"Recruitment Status:": 0.9, "is authorised": 0.3})
    cited = [p.chunk.text for p in answer.spans]
    assert not answer.abstained and "Status: Authorised" in cited[0], cited
    # the sentence saying the same is cited too, without repeating its words in the answer
    assert any(c.startswith("The status is") for c in cited) and "status is" not in answer.text, answer.text
    assert re.search(r"\[1\]\[2\]", answer.text), answer.text
    # a passage that says more than the answer does (a plan, a year) is not the same statement
    assert not any("sponsor" in c for c in cited), cited


def test_a_longer_passage_saying_nothing_the_answer_does_not_is_cited_beside_it():
    corpus = Corpus({"news.txt": "AB-3 cleared for the clinic\n\nIn light of the clearance, Acme plans BETA, a phase 1 trial of "
                     "AB-3 for patients with systemic lupus erythematosus, lupus nephritis, idiopathic inflammatory myopathies and systemic sclerosis.\n\n"
                     "The planned BETA study will include patients with systemic lupus erythematosus, lupus nephritis, "
                     "idiopathic inflammatory myopathies and systemic sclerosis.\n\n"
                     "BETA will also enroll patients with lupus in two parallel lymphodepletion cohorts at four dose levels.\n"})
    answer = corpus.ask("Which diseases will the BETA study of AB-3 enroll?",
                        dense={"In light": 1.0, "The planned": 0.2, "parallel": 0.5})
    cited = [p.chunk.text for p in answer.spans]
    assert not answer.abstained and cited[0].startswith("In light"), cited
    # every word of the planned-study sentence the answer says too: the same list, cited beside it (a list answer too)
    assert any(c.startswith("The planned") for c in cited) and "will include" not in answer.text, answer.text
    # a passage saying more (cohorts, dose levels) is not the same statement
    assert not any("parallel" in c for c in cited), cited


def test_reference_marks_and_abbreviations_being_defined_add_nothing_to_a_restatement():
    corpus = Corpus({"nk.txt": "AB-4 cord blood NK study\n\nStudy of AB-4 with rituximab in adults with relapsing conditions: rheumatoid arthritis, "
                     "idiopathic inflammatory myopathies or systemic sclerosis.\n\n"
                     "The conditions listed are systemic sclerosis (SSc), rheumatoid arthritis (RA) and idiopathic "
                     "inflammatory myopathies (IIM).[1]\n\nThe sponsor is Acme.\n"})
    answer = corpus.ask("Which conditions does the AB-4 study include?", dense={"Study of AB-4": 0.9, "The conditions listed": 0.3})
    cited = [p.chunk.text for p in answer.spans]
    assert not answer.abstained and cited[0].startswith("Study of AB-4"), cited
    assert any(c.startswith("The conditions listed") for c in cited), cited


def test_a_yes_no_questions_own_statement_is_cited_beside_the_span_that_settles_it():
    corpus = Corpus({"nk.txt": "Cord blood NK study\n\nTrial ID | Phase | Enrollment\nNCT06991114 | Phase 2 | 92\n\n"
                     "This is a Phase 2 study.[1]\n\nPhase 2 trials look at safety and early benefit in a group of patients.\n"})
    answer = corpus.ask("Is the cord blood NK study a Phase 2 trial?", dense={"NCT06991114": 0.9, "This is": 0.3, "early benefit": 0.4})
    cited = [p.chunk.text for p in answer.spans]
    assert answer.text.startswith("Yes.") and "NCT06991114" in cited[0], answer.text
    assert any(c.startswith("This is a Phase 2") for c in cited), cited
    assert not any("early benefit" in c for c in cited), cited


def test_a_word_the_document_writes_as_the_end_of_a_compound_is_not_foreign_to_it():
    corpus = Corpus({"record.txt": "AB-5 study record\n\nExclusion: autologous stem cell transplant within 6 weeks prior to the start "
                     "of lymphodepletion.\n\nThe sponsor is Acme.\n",
                     "news.txt": "Other news\n\nThe BX-9 antibody works by depleting B cells in lupus.\n"})
    answer = corpus.ask("How long after an autologous transplant can the cell-depleting chemo for the AB-5 study begin?")
    assert not answer.abstained and "6 weeks" in answer.text, answer.text
    # (a compound against the thing is not of it)
    assert _in_document({"deplet"}, {"lymphodepletion"}) and not _in_document({"rheumatic"}, {"antirheumatic"})


@pytest.mark.parametrize("question, sides", [
    ("How many people will the ALLO-605 myeloma study enroll compared with the NK cell rheumatic disease study?",
     ("the ALLO-605 myeloma study", "the NK cell rheumatic disease study")),
    ("Which drugs do the anti-BCMA myeloma trial and the AlloNK rheumatology trial both use?",
     ("the anti-BCMA myeloma trial", "the AlloNK rheumatology trial")),
    ("Is the chemo the same in the myeloma CAR T trial and the AlloNK rheumatic trial?",
     ("the myeloma CAR T trial", "the AlloNK rheumatic trial")),
    ("Which indications do Allogene's ALLO-329 basket study and the cord-blood NK cell study both target?",
     ("Allogene's ALLO-329 basket study", "the cord-blood NK cell study")),
    # two descriptions not set side by side, and one description alone
    ("Is the cord-blood NK cell product in the rheumatology trial given with rituximab?", ()),
    ("How many people will the NK cell rheumatic disease study enroll compared with last year?", ()),
])
def test_things_described_side_by_side_are_the_sides_of_a_comparison(question, sides):
    assert analyze(question, [], frozenset()).sides == sides


def test_a_comparison_of_described_trials_answers_from_each_ones_documents():
    corpus = Corpus({"record.txt": "Study of ABC-605 in myeloma\n\nEstimated Enrollment: 136 participants\n\n"
                     "Condition: multiple myeloma\n",
                     "nk.txt": "Cord blood NK cells in rheumatic disease\n\nThe planned enrollment of the NK cell study is 92 participants.\n\n"
                     "Conditions: rheumatoid arthritis\n",
                     "news.txt": "Acme news\n\nAcme reported that its lupus study in rheumatic disease may enroll patients later.\n"})
    answer = corpus.ask("How many participants will the ABC-605 myeloma study enroll compared with the NK cell rheumatic disease study?",
                        dense={"136": 0.6, "92": 0.6})
    assert not answer.abstained and "136" in answer.text and "92" in answer.text, answer.text
    assert {p.chunk.source for p in answer.spans} == {"record.txt", "nk.txt"}, answer.spans
    # two descriptions of what one document is about are not two sides
    q = corpus.question("How many participants will the NK cell study enroll compared with the rheumatic disease study?")
    assert q.sides and corpus.answerer._compared_subjects(q, corpus.hits(q.query)) == []


def test_a_short_line_giving_only_the_questions_own_number_is_read_on_into_its_value():
    corpus = Corpus({"ab7.txt": "AB-7 study\n\nThe main response measures are checked at Week 52. For rheumatoid arthritis, "
                     "it is DAS28-ESR < 2.6; for lupus, it is SRI-4 with no new BILAG A and no more than one new BILAG B domain score; "
                     "for systemic sclerosis, it is rCRISS ≥ 50 with improvement in skin thickness and lung function; for "
                     "idiopathic inflammatory myopathies, it is a total improvement score of at least 60 on the ACR/EULAR scale; "
                     "for Sjögren's disease, it is an improvement of at least 3 points in the ESSDAI activity index.\n\n"
                     "Conditions: rheumatoid arthritis (RA) and lupus.\n"})
    # "Week 52" is what the question qualifies the threshold by, not the threshold
    answer = corpus.ask("Week 52 response threshold for RA patients in the AB-7 study?", dense={"checked at": 0.8})
    assert not answer.abstained and "< 2.6" in answer.text, answer.text


def test_which_candidates_use_a_technology_is_answered_by_a_passage_naming_each():
    corpus = Corpus({"news.txt": "Acme news\n\nOur Zeta technology could transform cell therapy.\n\n"
                     "The strong expansion driven by the Zeta technology highlights the features of AB-20.\n",
                     "update.txt": "Acme update\n\nAB-10 is a dual-targeted CAR T incorporating the Zeta technology.\n\n"
                     "AB-30 uses the Omega platform.\n"})
    for question in ("Which Acme candidates use the Zeta technology?", "Which of Acme's candidates incorporate the Zeta technology?"):
        answer = corpus.ask(question, dense={"transform": 0.9, "AB-20": 0.6, "AB-10": 0.6, "AB-30": 0.3})
        assert not answer.abstained and "AB-10" in answer.text and "AB-20" in answer.text, answer.text
        assert "AB-30" not in answer.text, answer.text


def test_asked_about_no_chemo_a_span_saying_no_lymphodepletion_settles_it_for_the_product_asked():
    corpus = Corpus({"a329.txt": "ABC-329 lupus study\n\nThe ABC-329 study will include 2 different lymphodepletion arms.\n\n"
                     "In one arm patients will receive cyclophosphamide alone and in the other no lymphodepletion regimen will be used.\n\n"
                     "Younger patients for whom cytotoxic lymphodepletion is problematic may benefit from ABC-329.\n",
                     "a316.txt": "ABC-316 kidney study\n\nThe next product, ABC-329, is designed to be deliverable without traditional lymphodepletion.\n\n"
                     "Robust ABC-316 expansion followed standard Flu/Cy-based chemotherapy conditioning.\n"})
    dense = {"2 different": 0.7, "In one arm": 0.4, "Younger": 0.7, "deliverable": 0.35, "Robust": 0.3}
    answer = corpus.ask("Will some patients in the ABC-329 study get no chemo at all?", dense=dense)
    assert answer.text.startswith("Yes.") and answer.spans[0].chunk.text.startswith("In one arm"), answer.text
    # a span saying so of another product does not settle it
    answer = corpus.ask("Was ABC-316's expansion achieved without any chemotherapy conditioning?", dense=dense)
    assert answer.text.startswith("No.") and "Robust" in answer.spans[0].chunk.text, answer.text


def test_an_abbreviation_is_spelt_out_across_slashes_and_in_the_plural():
    corpus = Corpus({"record.txt": "Study of ABC-605 in Relapsed/Refractory Multiple Myeloma\n\nEstimated Enrollment: 136 participants\n\n"
                     "Condition: Relapsed/Refractory Multiple Myeloma\n",
                     "update.txt": "Acme update\n\nEfficient cost-of-goods profile (<$10K - 20K/dose)\n"})
    q = corpus.question("target enrollment for ABC-605 in RRMM?")
    assert corpus.answerer._spelled_out(q, corpus.hits(q.query)).unknown == ()
    q = corpus.question("What COGS does Acme guide to?")
    assert corpus.answerer._spelled_out(q, corpus.hits(q.query)).unknown == ()


def test_a_short_abbreviation_joined_to_a_known_word_is_no_unknown_name():
    known = {"cell", "trial", "allonk", "rituximab", "diseas"}.__contains__
    assert unknown_names("Which diseases are in the AlloNK/rituximab NK-cell trial?", known) == []
    assert unknown_names("Which diseases are in the Zorbexa-cell trial?", known) == ["Zorbexa-cell"]
    # a short abbreviation in the plural ("IDs") is still one that may be spelt out
    assert unknown_names("What are the trial IDs?", known) == [] and unknown_names("What are the ZORBEXs?", known) == ["ZORBEXs"]
    # a name the documents use joined to an everyday word ("AlloNK-era") is that name
    assert unknown_names("What did the AlloNK-era article say?", known) == []
    assert unknown_names("What did the Zorbexa-era article say?", known) == ["Zorbexa-era"]


def test_a_product_code_typed_run_together_is_the_product_not_a_word_to_find():
    corpus = Corpus({"a.txt": "ABC-605 study\n\nEastern Cooperative Oncology Group (ECOG) performance status of 0 or 1\n"})
    q = corpus.question("how well does someone have to be getting around day to day to qualify for abc605?")
    assert {e.key for e in q.entities} == {"abc-605"}
    assert not any("abc605" in c.members for c in corpus.answerer.concepts(q))


def test_a_name_typed_without_the_documents_accent_or_apostrophe_is_no_unknown_name():
    known = set(tokens("Patients with Sjögren’s disease")).__contains__
    for asked in ("Is the Sjogrens trial recruiting?", "Is the Sjögren trial recruiting?", "Is the Sjogren's-disease arm open?"):
        assert unknown_names(asked, known) == [], asked
    assert unknown_names("Is the Sjoberg trial recruiting?", known) == ["Sjoberg"]


def test_an_abbreviation_the_documents_use_joined_to_everyday_words_is_no_unknown_name():
    known = set(tokens("MRD clearance versus observation")).__contains__
    assert unknown_names("How many patients became MRD-negative?", known) == []
    assert unknown_names("How many patients became XYZ-negative?", known) == ["XYZ-negative"]  # (an abbreviation they never use)
    assert unknown_names("Is MRD-Zorbex cleared?", known) == ["MRD-Zorbex"]  # (joined to a name, not an everyday word)


def test_the_askers_own_situation_names_the_subject_but_is_not_what_is_asked():
    q = analyze("Since our sites will need to decide whether unblinded pharmacy staff are required, is the ALLO-605 trial "
                "blinded in any way?", [], frozenset())
    assert q.text == "is the ALLO-605 trial blinded in any way?" and q.expects == "yesno"
    assert "pharmacy" in q.context and "pharmacy" in q.query  # (searched, and weighed as context)
    q = analyze("We're mapping the footprint of the ALLO-605 trial before proposing sites. Which locations are listed?", [], frozenset())
    assert q.text == "Which locations are listed?" and {e.key for e in q.entities} == {"allo-605"}
    # (said after the question, too)
    q = analyze("How long will Acme's money last? worried the company goes under mid treatment", [], frozenset())
    assert q.text == "How long will Acme's money last?" and "worried" in q.context
    q = analyze("And what phase is it in? I never know if phase means it's almost approved.", [], frozenset())
    assert q.text == "And what phase is it in?" and "approved" in q.context
    # (the question proper may open with where it is asked of, and "is there" points back at nothing)
    q = analyze("My husband hates the idea of a fake treatment. In the ALLO-605 study, is there any blinding?", [], frozenset())
    assert q.text == "In the ALLO-605 study, is there any blinding?" and "fake" in q.context
    # a question about the person or thing the situation describes is asked of the situation
    for asked in ("My mother had a donor transplant. Can she enroll in the ALLO-605 trial?",
                  "We track the Phase 2 study of cord blood NK cells. What is its NCT identifier?"):
        assert analyze(asked, [], frozenset()).text == asked


def test_what_phase_is_answered_by_a_numbered_phase():
    q = analyze("What phase is the AlloNK study in?", [], frozenset())
    assert has_expected(q, "NCT06991114 Phase 2 Systemic Sclerosis") and has_expected(q, "A Single-Arm, Open-Label, Phase 1/2 Study")
    assert not has_expected(q, "This article describes one authorised interventional study of AlloNK.")


def test_a_duration_in_words_answers_how_long_and_humans_are_people_counted():
    q = analyze("How long has Acme been building its platform?", [], frozenset())
    assert q.expects == "date" and has_expected(q, "After nearly eight years of platform development, Acme has a platform.")
    assert not has_expected(q, "Acme has built a platform for many patients.")
    q = analyze("What share of patients became MRD-negative?", [], frozenset())
    assert q.expects == "percent"
    q = analyze("How many human beings has Acme given its cells to?", [], frozenset())
    assert q.expects == "count" and has_expected(q, "Acme has treated more than 200 patients in six studies.")


def test_a_phrase_the_question_quotes_is_looked_for_as_quoted():
    record = ("Study of ALLO-605\n\nPlease refer to this study by its identifier (NCT number): NCT05000450\n"
              "Other Study ID Numbers: | ALLO-605-201 IGNITE Study |\nLast Verified: | February 2022 |\n")
    corpus = Corpus({"record.txt": record})
    answer = corpus.ask('Which study ID number is listed under "Other Study ID Numbers" for ALLO-605?',
                        dense={"Please refer": 0.6, "Other Study": 0.6})
    assert not answer.abstained and max(answer.spans, key=lambda p: p.score).chunk.text.startswith("Other Study ID Numbers"), answer.text


def test_lead_sentences_are_the_askers_situation_only_when_asked_for():
    asked = "Dad is worn out, he can barely get up. What ECOG score does ALLO-605 need?"
    assert analyze(asked, [], frozenset()).text == asked
    q = analyze(asked, [], frozenset(), lead_as_context=True)
    assert q.text == "What ECOG score does ALLO-605 need?" and "worn" in q.context
    # (a last sentence pointing back is asked with the sentence before it)
    q = analyze("I run a page. Does the ALLO-605 study have a name? What is it called?", [], frozenset(), lead_as_context=True)
    assert q.text == "Does the ALLO-605 study have a name? What is it called?"
    assert not has_lead("What ECOG score does ALLO-605 need?") and not has_lead("Is it Dr. Smith? no.")


def test_which_diseases_is_answered_by_a_span_naming_a_disease():
    corpus = Corpus({"ab1.txt": "AB-1 study\n\nThe AB-1 trial enrolls adults with hard-to-treat rheumatic diseases.\n\n"
                     "Eligible patients have systemic sclerosis or rheumatoid arthritis.\n"})
    answer = corpus.ask("Which diseases does the AB-1 trial enroll?", dense={"hard-to-treat": 0.9, "Eligible": 0.4})
    assert not answer.abstained and "systemic sclerosis" in answer.text, answer.text
    assert "hard-to-treat" not in answer.text, answer.text  # names no disease


def test_a_trials_registry_id_is_read_where_the_trial_is_named_whoever_owns_it():
    corpus = Corpus({"news.txt": "Allogene news\n\nAllogene Therapeutics reported progress today.\n\n"
                     "ALLO-316 is being evaluated in the phase 1 TRAVERSE clinical trial (NCT04696731).\n",
                     "record.txt": "Study of ALLO-605\n\nClinicalTrials.gov Identifier: NCT01234567 (the IGNITE study)\n"})
    answer = corpus.ask("What's the ClinicalTrials.gov identifier for Allogene's TRAVERSE study?")
    assert not answer.abstained and "NCT04696731" in answer.text and "NCT01234567" not in answer.text, answer.text


def test_a_misspelt_counted_noun_is_read_as_the_documents_word():
    corpus = Corpus({"ab1.txt": "AB-1 study\n\nThe AB-1 study plans to enroll 92 participants.\n\n"
                     "Adults aged 18 years or older may take part in the study.\n"})
    answer = corpus.ask("how many partcipants will the AB-1 study enroll?")
    assert not answer.abstained and "92 participants" in answer.text, answer.text


def test_a_yes_no_is_decided_by_a_span_saying_every_term_asked_not_by_a_better_ones_silence():
    corpus = Corpus({"cb.txt": "Cord blood study\n\nThe study gives cord blood cells to adults with rheumatic diseases "
                     "after lymphodepletion.\n\nThe study uses lymphodepletion with cyclophosphamide and fludarabine.\n",
                     "other.txt": "Other study\n\nAnother study gives rituximab.\n"})
    dense = {"cord blood cells": 0.65, "uses lymphodepletion": 0.7}
    answer = corpus.ask("Is fludarabine part of the lymphodepletion for the cord blood cells in the study?", dense=dense)
    assert answer.text.startswith("Yes."), answer.text
    # a span numbering the phase otherwise settles "is it a phase 1 study?", whatever another one says
    phased = Corpus({"nk.txt": "Cord blood NK study\n\nThe cord blood NK study is a Phase 2 trial.\n\n"
                     "Glossary\n\nEarly phase 1 trials of cord blood NK cells with rituximab look at safety.\n",
                     "other.txt": "Other\n\nAnother trial gives rituximab.\n"})
    answer = phased.ask("Is the cord blood NK cell study with rituximab an early phase 1 trial?", dense={"is a Phase 2": 0.9, "Early phase": 0.3})
    assert answer.text.startswith("No."), answer.text


def test_what_conditioning_is_answered_by_a_span_naming_the_regimen():
    corpus = Corpus({"ab2.txt": "AB-2 study\n\nExclusion: systemic therapy within 2 weeks prior to the start of lymphodepletion.\n\n"
                     "Patients receive fludarabine and cyclophosphamide, then AB-2 cells.\n"})
    answer = corpus.ask("What lymphodepletion do patients get in the AB-2 study?", dense={"prior to the start": 0.9, "receive": 0.4})
    assert not answer.abstained and "fludarabine" in answer.text, answer.text
    assert "within 2 weeks" not in answer.text, answer.text  # mentions lymphodepletion, names none
    # "how does the conditioning differ": asked of each side, what it gives
    answer = corpus.ask("How does the lymphodepletion in the AB-2 study differ?", dense={"prior to the start": 0.9, "receive": 0.4})
    assert not answer.abstained and "fludarabine" in answer.text and "within 2 weeks" not in answer.text, answer.text


def test_the_same_figure_said_again_in_longer_words_is_cited_beside_the_answer():
    corpus = Corpus({"outlook.txt": "Acme outlook\n\nInterim Analysis of MRD Clearance from the BETA Trial Planned for Early Q2 2026\n\n"
                     "An early Q2 2026 interim analysis focused on MRD clearance represents the first look at the BETA "
                     "trial's primary endpoint and a key catalyst for the company.\n\n"
                     "Early in 2026, the company expects MRD clearance data from other trials to drive growth.\n"})
    answer = corpus.ask("When is the BETA interim analysis planned?", dense={"Planned for": 0.8, "early Q2": 0.5, "Early in 2026": 0.5})
    cited = [p.chunk.text for p in answer.spans]
    assert not answer.abstained and cited[0].startswith("Interim Analysis"), cited
    # the sentence giving the same date again is cited too, its words not repeated in the answer
    assert any(c.startswith("An early Q2 2026") for c in cited) and "first look" not in answer.text, cited
    # a passage sharing only the year is not the same figure
    assert not any("drive growth" in c for c in cited), cited
    year_only = Corpus({"outlook.txt": "Acme outlook\n\nInterim Analysis of MRD Clearance from the BETA Trial Planned for Early Q2 2026\n\n"
                        "Early in 2026, the company expects MRD clearance data from other trials to drive growth.\n"})
    answer = year_only.ask("When is the BETA interim analysis planned?", dense={"Planned for": 0.8, "Early in 2026": 0.5})
    assert [p.chunk.text for p in answer.spans] == [cited[0]], answer.spans


RELEASES = {
    "news.txt": "X-1 shows early promise\n\nNews\nArticle\n\nAcme's X-1 produced an ORR of 38% in the phase 1 study.\n\n"
                "© 2025 Example Media\n",
    "release.txt": "Acme reports progress\n\nBOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today "
                   "reported progress.\n\nX-1 achieved a confirmed ORR of 31% in patients with high CD70 expression.\n",
}


def test_a_document_named_by_kind_and_date_is_the_one_answered_from():
    corpus = Corpus(RELEASES)
    favour_news = {"38%": 0.7, "31%": 0.5}
    answer = corpus.ask("According to the January 2026 press release, what ORR did X-1 achieve?", dense=favour_news)
    assert not answer.abstained and "31%" in answer.text and "38%" not in answer.text, answer.text
    answer = corpus.ask("According to the 2025 news article, what ORR did X-1 achieve?", dense={"38%": 0.5, "31%": 0.7})
    assert not answer.abstained and "38%" in answer.text and "31%" not in answer.text, answer.text
    # two documents named: one answer from each
    both = corpus.ask("What ORR figures for X-1 are reported in the 2025 news article and in the 2026 press release?",
                      dense=favour_news)
    assert "38%" in both.text and "31%" in both.text, both.text
    assert {p.chunk.source for p in both.spans} == {"news.txt", "release.txt"}
    # one side named as a document, the other by what it reported (a meeting no document is called by):
    # the other documents that speak of the product give the other side
    one_named = corpus.ask("Across the 2024 meeting report and the January 2026 press release, what ORR figures are "
                           "given for X-1?", dense=favour_news)
    assert "38%" in one_named.text and "31%" in one_named.text, one_named.text
    asked_of_one = corpus.ask("What ORR did X-1 achieve, according to the January 2026 press release?", dense=favour_news)
    assert "31%" in asked_of_one.text and "38%" not in asked_of_one.text, asked_of_one.text


def test_a_product_is_in_scope_where_the_document_names_it_by_its_other_name():
    text = ("Cord blood NK cells in rheumatic disease\n\nThe intervention list shows rituximab as an intravenous "
            "infusion and AB-101 as an intravenous treatment. The source also names the study product as AlloNK, "
            "which is the trial name.\n\nGenetic: ALLO-605 Biological: ALLO-647 Drug: Fludarabine\n")
    corpus = Corpus({"nk.txt": text})
    scope = corpus.scopes["nk.txt"]
    assert scope.aliases(Entity("ab-101", "product"), Entity("allonk", "product"))
    assert not scope.aliases(Entity("allo-605", "product"), Entity("allo-647", "product"))  # given together
    answer = corpus.ask("What is the code name of the cell product given intravenously in the AlloNK trial?",
                        dense={"intravenous treatment": 0.5})
    assert not answer.abstained and "AB-101" in answer.text, answer.text


def test_a_list_announced_by_its_count_is_answered_with_the_sentences_naming_the_items():
    corpus = Corpus({"ind.txt": "Lupus trial cleared\n\nAllogene plans a phase 1 lupus trial of ALLO-329. The study "
                     "will include 2 different lymphodepletion arms. In one arm patients will receive cyclophosphamide "
                     "alone and in the other arm no lymphodepletion is used. The company expects data in 2026.\n"})
    answer = corpus.ask("What two lymphodepletion approaches are planned for the arms of the lupus study?",
                        dense={"2 different": 0.7, "In one arm": 0.3})
    assert not answer.abstained and "cyclophosphamide alone" in answer.text, answer.text
    assert "expects data" not in answer.text, answer.text  # the next sentence not naming the arms stays out


def test_a_planned_enrollment_is_not_answered_by_a_count_of_patients_treated():
    corpus = Corpus({"update.txt": "Allogene update\n\nAllogene has treated more than 200 patients across six studies "
                     "of ALLO-329 and its other products. The RESOLUTION trial of ALLO-329 starts in 2026.\n"})
    answer = corpus.ask("How many patients will be enrolled in the RESOLUTION trial?", dense={"200 patients": 0.7})
    assert answer.abstained, answer.text
    answer = corpus.ask("How many patients has Allogene treated across its studies?", dense={"200 patients": 0.7})
    assert not answer.abstained and "200" in answer.text, answer.text
    planned = Corpus({"record.txt": "Study of ALLO-329\n\nThe RESOLUTION trial of ALLO-329 plans to enroll 24 participants.\n"})
    answer = planned.ask("How many patients will be enrolled in the RESOLUTION trial?", dense={"24 participants": 0.7})
    assert not answer.abstained and "24" in answer.text, answer.text


def test_which_company_is_answered_by_an_organisation_and_which_city_by_a_city():
    record = ("Study of ALLO-605\n\nInclusion Criteria:\n- Eastern Cooperative Oncology Group performance status of 0 "
              "or 1 for the ALLO-605 study\n\nThe company running the ALLO-605 study will open 12 sites.\n\nResponsible Party: | Allogene Therapeutics |\n\nLocations:\n"
              "Sarah Cannon Colorado Blood Institute | Recruiting |\nDenver, Colorado, United States, 80218 |\n")
    corpus = Corpus({"record.txt": record})
    answer = corpus.ask("Which company is running the ALLO-605 study?",
                        dense={"company running": 0.7, "Responsible Party": 0.4})
    assert not answer.abstained and "Allogene Therapeutics" in answer.text, answer.text
    answer = corpus.ask("Which city is the ALLO-605 study's Colorado site in?",
                        dense={"Sarah Cannon": 0.7, "Denver": 0.3})
    assert not answer.abstained and "Denver" in answer.text, answer.text
    countries = Corpus({"nk.txt": "AlloNK trials\n\nOngoing trials of AlloNK\n\n- Study of AlloNK with rituximab in "
                        "adults with rheumatic disease\n\n    Recruiting\n\n    Bulgaria France Germany Italy\n"})
    answer = countries.ask("Which city is the German site of the AlloNK study in?", dense={"Bulgaria": 0.7})
    assert answer.abstained, answer.text  # countries are no city


def test_a_line_of_country_names_belongs_to_the_study_entry_above_it():
    corpus = Corpus({"nk.txt": "AlloNK trials\n\nWhat patients should know\n\nThe study treats adults.\n\n"
                     "Ongoing trials of AlloNK\n\n- Study of AlloNK with rituximab in adults with relapsing rheumatic "
                     "disease\n\n    Recruiting\n\n    2 1 1\n    Bulgaria France Germany Italy\n"})
    answer = corpus.ask("Which countries are named for the ongoing AlloNK rituximab study?", dense={"Bulgaria": 0.4})
    assert not answer.abstained and "Bulgaria France Germany Italy" in answer.text, answer.text


DATES = ("Study of ALLO-605\n\nEstimated Primary Completion Date : | January 1, 2024 |\n"
         "Estimated Study Completion Date : | January 1, 2027 |\n\nInitial data are expected by the end of 1H 2026.\n")


def test_the_date_of_a_named_event_needs_that_event_and_what_is_set_aside_is_not_the_answer():
    corpus = Corpus({"record.txt": DATES})
    answer = corpus.ask("When is the ALLO-605 study expected to finish - the overall study completion, not primary "
                        "completion?", dense={"Primary Completion": 0.7, "Study Completion": 0.6})
    assert not answer.abstained and "2027" in answer.text and "2024" not in answer.text, answer.text
    plan = Corpus({"plan.txt": "ALLO-329 plans\n\nThe RESOLUTION trial of ALLO-329 starts in 2026. Initial data are "
                   "expected by the end of 1H 2026.\n"})
    answer = plan.ask("What is the estimated primary completion date of the RESOLUTION trial?", dense={"1H 2026": 0.8})
    assert answer.abstained, answer.text  # "the end of 1H 2026" dates data, not a completion
    # every word naming the event counts: "last update posted", not just "posted"
    record = Corpus({"record.txt": "Study of ALLO-605\n\nFirst Posted : | August 11, 2021 |\n"
                     "Last Update Posted : | February 11, 2022 |\n"})
    answer = record.ask("What is the last update posted date of the ALLO-605 record?", dense={"First Posted": 0.9, "Last Update": 0.25})
    assert not answer.abstained and "2022" in answer.text and "2021" not in answer.text, answer.text
    from rag.answer import _dated_event
    event = _dated_event("What is the last update posted date of the ALLO-605 record?")
    said = set(tokens("First Posted : August 11, 2021"))
    assert len(event) == 3 and not all(e & said for e in event)  # ("posted" alone would let "First Posted" answer)
    assert len(_dated_event("What is the ALLO-605 study start date?")) == 2


def test_what_a_what_is_the_x_of_question_asks_for_outweighs_its_other_words():
    corpus = Corpus({"traverse.txt": "ALLO-316 update\n\nData on ALLO-316 were presented at SITC in November 2024.\n\n"
                     "The ALLO-316 efficacy findings covered 26 patients evaluable as of the October 14, 2024 data cutoff.\n"})
    answer = corpus.ask("What was the data cutoff for the ALLO-316 efficacy results presented at SITC?",
                        dense={"presented at SITC": 0.6, "data cutoff": 0.5})
    assert not answer.abstained and "October 14, 2024" in answer.text, answer.text


def test_a_polite_request_is_answered_not_read_as_yes_or_no():
    corpus = Corpus({"record.txt": "Study of ALLO-605\n\nThe primary endpoint of the ALLO-605 study is the overall "
                     "response rate at 12 months.\n"})
    q = corpus.question("Can you tell me the primary endpoint of the ALLO-605 study?")
    assert q.expects != "yesno"
    answer = corpus.ask("Can you tell me the primary endpoint of the ALLO-605 study?")
    assert not answer.abstained and not answer.text.startswith(("Yes", "No")), answer.text
    assert corpus.question("Can patients with a prior transplant enroll?").expects == "yesno"
    # "which ... first: A or B?" compares when each happened
    assert corpus.question("Which got going first: the ALLO-605 study or the ALLO-329 study?").expects == "date"


def test_a_question_across_the_sources_cites_each_document():
    corpus = Corpus({"news.txt": RELEASES["news.txt"],
                     "release.txt": "Acme reports progress\n\nX-1 response highlights:\n- 31% confirmed ORR with X-1 in "
                                    "patients with high CD70 expression\n- All X-1 responses were durable beyond 6 months\n"
                                    "- Robust X-1 expansion was seen\n"})
    answer = corpus.ask("What response rates have been reported for X-1 across the two sources?",
                        dense={"38%": 0.5, "31%": 0.7, "durable": 0.6, "Robust": 0.6})
    assert "38%" in answer.text and "31%" in answer.text, answer.text
    assert {p.chunk.source for p in answer.spans} == {"news.txt", "release.txt"}


def test_a_document_named_as_the_release_or_at_the_start_of_the_question_is_the_one_read():
    corpus = Corpus(RELEASES)
    answer = corpus.ask("The 2026 release reports an ORR for X-1. What ORR did X-1 achieve?", dense={"38%": 0.7, "31%": 0.5})
    assert not answer.abstained and "31%" in answer.text and "38%" not in answer.text, answer.text


def test_which_indications_prefers_the_span_naming_the_diseases():
    corpus = Corpus({"ind.txt": "ALLO-329 cleared for rheumatology indications\n\nThe ALLO-329 basket study was cleared in "
                     "rheumatology indications, the company said today.\n\nThe RESOLUTION basket study of ALLO-329 will "
                     "include patients with systemic lupus erythematosus, lupus nephritis, idiopathic inflammatory "
                     "myopathies and systemic sclerosis.\n"})
    q = corpus.question("Which rheumatology indications will the ALLO-329 basket study cover?")
    ranked = corpus.answerer.candidates(q, corpus.hits(q.query, {"company said": 0.8, "basket study": 0.6}))
    assert "lupus nephritis" in ranked[0].chunk.text, [p.chunk.text for p in ranked[:3]]


def test_a_launch_this_year_is_a_date_and_an_exception_naming_the_condition_admits_the_patient():
    assert has_expected(Corpus({"a.txt": "A\n\nx\n"}).question("When will the study start?"),
                        "The study will launch in the middle of this year.")
    chunk = Chunk("r.txt", 0, 10, "Current or history of thyroid disorder, except for subjects with hypothyroidism "
                  "controlled on hormone replacement", 0, "Exclusion Criteria:", "item")
    assert yes_or_no("Could a patient with hypothyroidism still qualify for the study?", chunk) == "Yes."
    assert yes_or_no("Could a patient with a thyroid disorder qualify for the study?", chunk) == "No."


def test_a_sponsor_field_names_an_organisation_without_a_company_suffix():
    record = Corpus({"r.txt": "Study of a statin\n\nThe study team includes a nurse and a doctor.\n\nSponsor: | Isala |\n"})
    answer = record.ask("Which organization sponsors the statin study?", dense={"study team": 0.7, "Sponsor": 0.4})
    assert not answer.abstained and "Isala" in answer.text, answer.text


def test_where_the_question_says_the_record_lives_is_no_word_a_passage_must_hold():
    record = Corpus({"r.txt": "Study of AB-7 in lupus\n\nClinicalTrials.gov Identifier: NCT01234567\n\n"
                     "Study Details | Tabular View | No Results Posted\n\nThe study of AB-7 enrolls adults with lupus.\n"})
    answer = record.ask("Has NCT01234567 got any results up on ClinicalTrials.gov yet?",
                        dense={"Identifier": 0.7, "No Results": 0.4})
    assert not answer.abstained and "No Results Posted" in answer.text, answer.text
    assert answer.text.startswith("No."), answer.text


def test_a_dose_not_yet_chosen_abstains_even_asked_with_a_contraction():
    record = Corpus({"r.txt": "Study of ALLO-605\n\n- Phase 1: Proportion of subjects with dose limiting toxicities at "
                     "increasing doses of ALLO-605 that will select the recommended Phase 2 dose (RP2D) of ALLO-605 "
                     "[ Time Frame: 28 days ]\n"})
    assert record.question("What's the recommended phase 2 dose of ALLO-605?").expects == "dose"
    answer = record.ask("What's the recommended phase 2 dose of ALLO-605?", dense={"RP2D": 0.9})
    assert answer.abstained, answer.text


def test_a_site_the_documents_never_name_has_no_contact_and_us_qualifies_cities():
    corpus = Corpus({"sites.txt": SITES, "news.txt": "ALLO-316 news\n\nThe US FDA cleared the ALLO-316 study.\n"})
    answer = corpus.ask("Who is the contact person at the Dallas site of the ALLO-605 study?", dense={"Contact:": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("In which US cities are sites of the ALLO-605 study?")
    assert not answer.abstained and "Austin" in answer.text and "Denver" in answer.text, answer.text


def test_a_capitalised_word_describing_the_study_is_no_site_the_contact_must_name():
    sites = SITES.replace("Locations of the ALLO-605 study", "Locations of the anti-BCMA CAR T study")
    corpus = Corpus({"sites.txt": sites, "news.txt": "ALLO-605 news\n\nALLO-605 is an anti-BCMA CAR T product.\n"})
    answer = corpus.ask("Who is the contact at the Colorado site of the anti-BCMA CAR T study?", dense={"Contact:": 0.8})
    assert not answer.abstained and "Katherine Bertolin" in answer.text, answer.text


def test_a_yes_no_question_naming_what_the_span_does_not_say_is_answered_no():
    corpus = Corpus({"outlook.txt": "Allogene outlook\n\nALLO-329 uses CRISPR gene-editing technology. Allogene's oncology "
                     "products use TALEN technology licensed from Cellectis.\n"})
    answer = corpus.ask("Is ALLO-329 built with Cellectis gene-editing technology?", dense={"CRISPR": 0.8})
    assert not answer.abstained and answer.text.startswith("No."), answer.text
    answer = corpus.ask("Is ALLO-329 built with CRISPR gene-editing technology?", dense={"CRISPR": 0.8})
    assert not answer.abstained and answer.text.startswith("Yes."), answer.text
    trial = Corpus({"nk.txt": "AlloNK in rheumatic disease\n\n- Study of AlloNK with rituximab in adults with relapsing "
                    "rheumatoid arthritis, systemic sclerosis or Sjogren disease\n\nGlossary\n\nLupus: an autoimmune "
                    "illness.\n"})
    answer = trial.ask("Are lupus patients eligible for the AlloNK trial?", dense={"Study of AlloNK": 0.8})
    assert not answer.abstained and answer.text.startswith("No."), answer.text


def test_a_comparison_side_gives_its_figure_in_the_unit_the_other_side_answers_in():
    corpus = Corpus({
        "news.txt": "X-9 cleared\n\nNews\nArticle\n\nAcme said X-9 may be manufactured at a scale of 60,000 doses annually.\n\n"
                    "© 2025 Example Media\n",
        "release.txt": "Acme outlook\n\nBOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today gave its outlook.\n\n"
                       "After eight years of platform work on 200 patients, the Acme platform offers predictable "
                       "manufacturing.\n\n- Manufacturing scalability of approximately 30,000 - 60,000+ doses annually\n"})
    answer = corpus.ask("How does the manufacturing scale for X-9 in the 2025 news article compare with the platform "
                        "scale in the 2026 press release?", dense={"60,000 doses annually.": 0.7, "eight years": 0.45,
                                                                   "scalability": 0.5})
    assert "30,000" in answer.text and "60,000 doses" in answer.text, answer.text


def test_this_versus_that_answers_each_half_from_its_own_passage():
    corpus = Corpus({
        "news.txt": "ACME-316 data at SITC\n\nNews\nArticle\n\nAt SITC, among 8 patients treated at dose-level 2, the "
                    "best overall response rate was 38%.\n\n© 2025 Example Media\n",
        "release.txt": "Acme reports progress\n\nBOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today "
                       "reported progress.\n\n- 31% confirmed ORR with a single ACME-316 dose in patients with high CD70 "
                       "expression\n"})
    answer = corpus.ask("ACME-316 response rates: what did the SITC dose level 2 data show versus the confirmed ORR in the "
                        "2026 update?", dense={"38%": 0.4, "31%": 0.7})
    assert "38%" in answer.text and "31%" in answer.text, answer.text
    # "X compare with Y" sets the halves against each other as "versus" does
    answer = corpus.ask("How does the ACME-316 response rate quoted in the 2026 press release compare with the one reported "
                        "from the SITC dose level 2 data?", dense={"38%": 0.4, "31%": 0.7})
    assert "38%" in answer.text and "31%" in answer.text, answer.text


def test_a_lay_phrase_is_covered_by_the_documents_term_for_it(eligibility):
    answer = eligibility.ask("How well must patients be able to function day to day to enter the ALLO-605 study?")
    assert not answer.abstained and "ECOG" in cited(answer), answer.text


def test_how_precisely_a_question_asks_is_no_word_a_passage_must_hold(pipeline):
    question = pipeline.question("Roughly how many participants will the ALLO-605 study enroll?")
    assert not any(stem("roughly") in c.members for c in pipeline.answerer.concepts(question))
    answer = pipeline.answerer.answer(question, pipeline.hits(question.query))
    assert not answer.abstained and "136" in answer.text, answer.text


@pytest.mark.parametrize("text, question, dense, expected", [
    pytest.param("Study of ALLO-605 in myeloma\n\nArms and interventions\n\n"
                 "Intervention/Treatment: | Drug: ALLO-605 Drug: Fludarabine Drug: Cyclophosphamide |\n",
                 "Which drugs/interventions are given in the ALLO-605 study?", {"Intervention/Treatment": 0.3},
                 "Fludarabine", id="a slashed pair of asked words is not itself a word to find"),
    pytest.param("Study of ALLO-605 in myeloma\n\nThe study of ALLO-605 enrolls adults with myeloma.\n\n"
                 "Masking: | None (Open Label) |\n",
                 "Which masking does ALLO-605 use?", {"Masking": 0.05, "enrolls": 0.5},
                 "Open Label", id="a short field holding every word asked answers below the similarity floor"),
    pytest.param("ALLO-316 kidney study\n\nAmong 8 patients treated at dose-level 2 (80 million CAR T-cells), "
                 "the response rate was 38%.\n",
                 "How many cells did ALLO-316 patients get at dose level 2?", None,
                 "80 million", id="a count reads the noun past a joined word"),
    pytest.param("ALLO-329 outlook\n\nALLO-329 is a dual-targeted CD19/CD70 AlloCAR T for lupus, with the Dagger "
                 "platform.\n\nALLO-329 uses CRISPR gene-editing technology.\n",
                 "What gene-editing technology is the dual-target lupus AlloCAR made with?", {"Dagger": 0.6, "CRISPR": 0.5},
                 "CRISPR", id="words describing the thing asked about need not be repeated by the answer"),
    pytest.param("Acme outlook\n\nAcme continues to expect its cash runway to extend into the second half of 2027.\n\n"
                 "Acme Investor Contact: Jane Roe, investor relations\n",
                 "From an investor's perspective, what cash runway does Acme expect?", {"Investor": 0.6, "runway": 0.5},
                 "2027", id="who is asking is not what is asked"),
    pytest.param("Acme platform\n\nAcme could make its product at a scale of 60,000 doses annually.\n",
                 "How many treatments per year could Acme make of its product?", {"60,000": 0.6},
                 "60,000", id="treatments made are counted in doses"),
    pytest.param("Acme platform\n\nAcme could make its product at a scale of 60,000 doses annually.\n",
                 "How many units per year could Acme make of its product?", {"60,000": 0.6},
                 "60,000", id="units made are counted in doses"),
    pytest.param("Study of ALLO-605 in myeloma\n\nInclusion criteria\n\n- Subjects must have received 3 prior MM lines of therapy\n\n"
                 "Estimated Enrollment: 136 participants\n",
                 "To enroll in the ALLO-605 study, how many prior regimens must a patient have had?", {"prior": 0.6, "136": 0.5},
                 "3 prior", id="a count of something else asked by one hoping to enroll is no enrollment"),
    pytest.param("Study of ALLO-605 in myeloma\n\nPrimary outcome: overall response rate (ORR) [ Time Frame: 12 months ]\n",
                 "Over what time frame is the overall response rate of ALLO-605 assessed?", None,
                 "12 months", id="over what time frame asks when, not a rate"),
    pytest.param("AlloNK in rheumatic disease\n\nThe main disease response measures are checked at Week 52.[1]\n\n"
                 "For lupus, the endpoint is SRI-4; for rheumatoid arthritis, it is DAS28-ESR < 2.6.\n",
                 "What Week 52 endpoint threshold is used for rheumatoid arthritis in the AlloNK trial?",
                 {"checked at Week 52": 0.7, "DAS28": 0.5},
                 "DAS28-ESR < 2.6", id="the question's own Week 52 and a footnote mark are not the value asked"),
    pytest.param("Acme outlook\n\nAcme's lead program is cema-cel, given as first-line consolidation.\n\n"
                 "Servier has granted Acme exclusive rights to cema-cel in the U.S. and the EU.\n",
                 "Which company granted Acme its rights to cema-cel?", {"lead program": 0.6, "Servier": 0.5},
                 "Servier", id="a name doing what companies do answers which company"),
])
def test_a_one_record_question_is_answered_with_its_value(text, question, dense, expected):
    answer = Corpus({"r.txt": text}).ask(question, dense=dense)
    assert not answer.abstained and expected in answer.text, answer.text


def test_a_registration_number_is_answered_by_the_identifier_field():
    record = Corpus({"r.txt": "Study of ALLO-605 in myeloma\n\nClinicalTrials.gov Identifier: NCT01234567\n\n"
                     "The study of ALLO-605 enrolls adults with myeloma.\n"})
    question = record.question("What is the registration number of the ALLO-605 study?")
    # "registration" names the kind of value asked for, which the identifier is, not a word it must hold
    assert all(c.typed for c in record.answerer.concepts(question) if stem("registration") in c.members)
    answer = record.ask(question.text, dense={"Identifier": 0.3})
    assert not answer.abstained and "NCT01234567" in answer.text, answer.text


@pytest.mark.parametrize("question, expects", [
    ("What are the manufacturing costs per dose?", "money"),
    ("By how much did the cash balance fall?", "number"),
    ("What is the registration number of the study?", "nct"),
    ("At what point is the primary outcome measured?", "date"),
    ("ALPHA3 futility analysis timing?", "date"),
    ("What fludarabine and cyclophosphamide doses (mg/m2) are used for lymphodepletion?", "dose"),
    ("What RP2D was selected for ALLO-605?", "dose"),
    ("What DAS28-ESR value must patients be under at Week 52?", "number"),
    ("What TIS score is the endpoint?", "number"),
    ("Where is Allogene headquartered?", "place"),
    ("Tell me where the ALLO-605 sites are.", "place"),
    ("How does the company describe where it fits in first-line therapy?", "other"),
    ("Where do the natural killer cells in AlloNK originate from?", "other"),  # (what they are made from)
    ("Where are the NK cells derived from?", "other"),
    ("Where is the AlloNK study run?", "place"),
    ("Okay, and what phase is it in?", "phase"),  # (a filler before "and" asks nothing)
    ("Which clinical phase is the AlloNK study?", "phase"),
    ("What trial phase and planned enrollment are listed for the AlloNK study?", "count"),  # (more than a phase asked)
    ("Is it a phase 2 study?", "yesno"),
    ("Where does the study slot the product into first-line therapy?", "other"),
    ("Over how long a window is the response rate gauged?", "date"),
])
def test_the_kind_of_value_asked_for_is_read_from_the_question(eligibility, question, expects):
    assert eligibility.question(question).expects == expects


def test_a_time_of_year_is_no_product_code(eligibility):
    assert eligibility.question("What did the early-2026 outlook say about ALLO-605?").entities == {
        Entity("allo-605", "product")}


@pytest.mark.parametrize("question, parts", [
    ("What does ALLO-605 target, and what does the 2026 press release say ALLO-329 targets?",
     ["What does ALLO-605 target?", "what does the 2026 press release say ALLO-329 targets?"]),
    ("How many will ALLO-605 enroll, and how many sites does ALLO-316 have?",
     ["How many will ALLO-605 enroll?", "how many sites does ALLO-316 have?"]),
    # the second clause names no subject of its own: one question about ALLO-605
    ("When did ALLO-605 start, and how many will it enroll?", None),
    # the same subject twice: one question
    ("When did ALLO-605 start, and what does ALLO-605 target?", None),
    # two things set side by side, each however it is described: one question about each
    ("How does planned enrollment compare between the IGNITE study and the cord-blood NK study?",
     ["How does planned enrollment compare in the IGNITE study?", "How does planned enrollment compare in the cord-blood NK study?"]),
    ("Which will enroll more people, the ALLO-605 trial or the NK cell trial, and by how much?",
     ["Which will enroll more people in the ALLO-605 trial?", "Which will enroll more people in the NK cell trial?"]),
    ("Compare lymphodepletion in the RESOLUTION study with the AlloNK trial.",
     ["Compare lymphodepletion in the RESOLUTION study?", "Compare lymphodepletion in the AlloNK trial?"]),
    ("What scale has Acme cited for ALLO-329 and for its platform overall?",
     ["What scale has Acme cited for ALLO-329?", "What scale has Acme cited for its platform overall?"]),
    # a relation between two things, or their order, is asked of both at once
    ("Is there a link between ALLO-605 and the ALLO-647 antibody?", None),
    ("Which came first, the IND clearance or the SITC presentation?", None),
])
def test_two_questions_asked_as_one_are_split_when_each_names_its_subject(question, parts):
    names = learn_trial_names([PIPELINE])
    assert sub_questions(question, names, lambda key: True) == (parts or [question])


def test_joined_answers_number_their_citations_on():
    first = Answer("136 participants [1][2]", False, ("a", "b"))
    second = Answer("40 participants [1]", False, ("c",))
    both = joined([first, second])
    assert both.text == "136 participants [1][2] 40 participants [3]" and both.spans == ("a", "b", "c")
    # a passage the first part already quotes keeps its number and is not quoted again
    again = joined([Answer("60,000 doses a year [1]", False, ("a",)),
                    Answer("60,000 doses a year [1] 30,000 - 60,000+ doses a year [2]", False, ("a", "d"))])
    assert again.text == "60,000 doses a year [1] 30,000 - 60,000+ doses a year [2]" and again.spans == ("a", "d")


def test_a_document_asked_what_it_says_is_named_by_description():
    from rag.described import descriptors
    found = descriptors("What does the 2026 press release say ALLO-329 targets?")
    assert [(d.kinds, d.year) for d in found] == [(frozenset({"press"}), "2026")]
    found = descriptors("How do the scale figures compare between the 2025 news article and the 2026 press release?")
    assert [d.year for d in found] == ["2025", "2026"]
    found = descriptors("What rates are reported across the 2025 news article and the 2026 press release?")
    assert [d.year for d in found] == ["2025", "2026"]
    # an outlook is a press release, coverage is news; "the 2026 outlook press release" is one press release
    found = descriptors("What rate do the SITC coverage and the January 2026 outlook press release give?")
    assert [(d.kinds, d.year, d.month) for d in found] == [({"news", "article"}, "", ""), ({"press"}, "2026", "jan")]
    assert found[1].phrase.endswith("outlook press release") and found[1].about == ()
    assert [d.kinds for d in descriptors("What does the 2026 outlook say?")] == [{"press"}]
    assert [d.kinds for d in descriptors("What does the IND update article say?")] == [{"news"}]  # (an article, of the updates)
    # how recent it is, said before its date: "the newer 2026 release", "the more recent January 2026 update"
    found = descriptors("What rate is in the 2024 article vs the newer 2026 release?")
    assert [(d.year, d.about) for d in found] == [("2024", ()), ("2026", ())]
    assert [(d.year, d.month) for d in descriptors("What does the more recent January 2026 update say?")] == [("2026", "jan")]
    found = descriptors("List the study sites named in the ALLO-605 (NCT05000450) record.")
    assert [d.phrase for d in found] == ["in the ALLO-605 (NCT05000450) record"]
    # the registry named by where the record lives, with words about the study between
    found = descriptors("Which sites are listed on the ALLO-605 ClinicalTrials.gov record?")
    assert [(d.phrase, d.kinds) for d in found] == [("on the ALLO-605 ClinicalTrials.gov record", {"record"})]
    assert [d.phrase for d in descriptors("What phase is given on its ClinicalTrials.gov page?")] == ["on its ClinicalTrials.gov page"]


@pytest.mark.parametrize("question, each", [
    ("What response rates for ALLO-605 are reported across the documents?", True),
    ("Which of the trials described use a 3+3 design?", True),
    ("Lupus shows up in more than one program. Which products are tested in it?", True),
    ("Which trial does ALLO-605 run in?", False),
    ("What response rates for ALLO-605 are reported in both sources?", True),
    ("What response rate for ALLO-605 is reported in the documents?", False),
    ("The 2025 article and the 2026 outlook each quote a response rate for ALLO-605. What figure does each give?", True),
    ("What ORR does each report?", True),
    ("What dose does each arm get?", False),
])
def test_a_question_across_the_documents_asks_each_of_them(pipeline, question, each):
    assert pipeline.question(question).each_source is each


def test_the_news_article_set_against_the_press_release_is_the_other_document():
    # a press release is a news release too: "the news article" fits both, and means the one that is not
    corpus = Corpus({
        "news.txt": "ACME-316 data\n\nNews\nArticle\n\nAmong 8 patients treated at dose-level 2, the best overall response "
                    "rate of ACME-316 was 38%.\n\n© 2025 Example Media\n",
        "release.txt": "Acme reports progress\n\nBOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today "
                       "reported progress.\n\n- 31% confirmed response rate with a single ACME-316 dose in patients with "
                       "high CD70 expression\n"})
    answer = corpus.ask("How does the ACME-316 response rate in the news article compare with the one in the January 2026 "
                        "press release?", dense={"38%": 0.5, "31%": 0.6})
    assert "38%" in answer.text and "31%" in answer.text, answer.text


@pytest.mark.parametrize("question, answer_starts", [
    ("Is the AlloNK study in rheumatic diseases a phase 1 trial?", "No."),
    ("Is the AlloNK study in rheumatic diseases a phase 2 trial?", "Yes."),
])
def test_a_yes_no_question_numbering_a_thing_is_decided_by_the_span_that_numbers_it(question, answer_starts):
    # the span numbering the phase is worded far from the question (dense below the floor) and comes
    # after a closer sentence the answer also cites: it still decides
    corpus = Corpus({"nk.txt": "AlloNK in rheumatic disease\n\nClinical trials are studying AlloNK with rituximab in adults "
                     "with hard-to-treat rheumatic diseases and lupus.\n\nThis is a Phase 2 study.[1]\n"})
    answer = corpus.ask(question, dense={"Clinical trials": 0.8, "Phase 2": 0.05})
    assert not answer.abstained and answer.text.startswith(answer_starts) and "Phase 2" in cited(answer), answer.text


@pytest.mark.parametrize("question", [
    "If a patient had a stem cell transplant years ago, could they still join the ALLO-605 study?",
    "According to Allogene, were all ALLO-605 responses durable?",
    "Is the ALLO-605 study a single-arm, non-randomized trial?",
])
def test_what_is_put_before_a_yes_no_question_leaves_it_a_yes_no_question(eligibility, question):
    assert eligibility.question(question).expects == "yesno"


def test_a_rate_a_sentence_only_supposes_is_no_rate_a_trial_showed():
    corpus = Corpus({"r.txt": "ALPHA3 outlook\n\nA 25-30% improvement in MRD clearance versus observation could signal "
                     "a meaningful advance for the ALPHA3 trial.\n"})
    answer = corpus.ask("What MRD clearance rate did the ALPHA3 trial show versus observation?")
    assert answer.abstained, answer.text


def test_who_is_asking_is_no_word_a_passage_must_hold(eligibility):
    question = eligibility.question("As a treating physician, from which age can patients join the ALLO-605 study?")
    assert question.text.startswith("from which age")
    assert eligibility.question("For budgeting purposes, when does the ALLO-605 study end?").text.startswith("when does")
    question = eligibility.question("From an investor's perspective, how many patients will the ALLO-605 study enroll?")
    words = {m for c in eligibility.answerer.concepts(question) for m in c.members}
    assert not words & {stem("investor"), stem("perspective")} and question.expects == "count", words


def test_a_joined_terms_lone_letter_is_no_word_a_document_must_use():
    # "CAR-T" is a term of the corpus (the news uses it); the record writes "CAR T" and is no less about it
    corpus = Corpus({"r.txt": "Kidney study of ALLO-316\n\nThe dose-level 2 patients were treated with 80 million CAR T cells.\n",
                     "news.txt": "Cell therapy news\n\nThe CAR-T field keeps growing.\n"})
    answer = corpus.ask("What did the CAR-T kidney study of ALLO-316 give patients at dose level 2?", dense={"80 million": 0.5})
    assert not answer.abstained and "80 million" in answer.text, answer.text


def test_what_a_description_calls_the_thing_asked_about_is_no_word_its_answer_must_hold():
    # "each Acme program": a passage saying what ACME-316 targets need not call it a program
    corpus = Corpus({"r.txt": "Acme pipeline\n\nACME-316 is one program among the programs that show the platform works.\n\n"
                     "ACME-316 is a CD70-directed therapy.\n"})
    answer = corpus.ask("What does each Acme program target, ACME-316 included?", dense={"one program": 0.55, "CD70": 0.5})
    assert not answer.abstained and answer.text.startswith("ACME-316 is a CD70-directed"), answer.text


def test_two_things_set_side_by_side_are_each_answered_and_cited(pipeline):
    from rag.answer import sub_questions as split
    parts = split("How does planned enrollment compare between the ALLO-605 program and the ALLO-316 program?",
                  pipeline.trial_names, pipeline.known)
    answers = [pipeline.ask(part) for part in parts]
    both = joined(answers)
    assert "136" in both.text and "40" in both.text and len(both.spans) >= 2, both.text


def test_a_word_describing_the_study_asked_about_is_not_a_name_the_span_must_say():
    # "the rheumatology study": its document says rheumatology elsewhere; the span needn't repeat it
    corpus = Corpus({"nk.txt": "AlloNK study\n\nThe AlloNK study enrolls adults with rheumatology referrals.\n\n"
                     "Treatment\n\nThe study treatment is given with rituximab after conditioning.\n",
                     "other.txt": "Other news\n\nCellectis licensed TALEN technology.\n"})
    answer = corpus.ask("Is the AlloNK product given together with rituximab in the rheumatology study?",
                        dense={"given with rituximab": 0.8})
    assert not answer.abstained and answer.text.startswith("Yes."), answer.text


def test_an_all_capital_word_the_corpus_uses_but_never_as_a_trial_name_describes_the_study():
    names = learn_trial_names([PIPELINE, "The IGNITE study of ALLO-605 targets BCMA on myeloma cells."])
    known = {"bcma", "ignite"}.__contains__
    assert question_entities("What must patients have to join the anti-BCMA myeloma study?", names, known) == set()
    # a name the corpus never uses stays a name (a trap about another trial)
    assert Entity("zuma", "trial") in question_entities("How many joined the ZUMA study?", names, known)


def test_the_result_of_an_analysis_the_documents_only_plan_is_not_given():
    corpus = Corpus({"r.txt": "Acme outlook\n\n- Interim Futility Analysis of MRD Clearance from the ALPHA3 Trial Planned for "
                     "Early Q2 2026\n\nAn early Q2 2026 interim futility analysis of MRD clearance is the first test of the "
                     "ALPHA3 program.\n"})
    answer = corpus.ask("What was the result of the interim futility analysis of MRD clearance in ALPHA3?",
                        dense={"first test": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("Did the interim futility analysis of MRD clearance in ALPHA3 show an improvement?", dense={"first test": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("Did the ALPHA3 interim futility analysis pass?", dense={"first test": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("Did cema-cel pass the ALPHA3 interim futility analysis of MRD clearance?", dense={"first test": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("Outcome of the ALPHA3 interim futility analysis – was MRD clearance improved?", dense={"first test": 0.8})
    assert answer.abstained and "only that it is planned" in answer.reason, answer.text
    hoped = Corpus({"r.txt": "Acme outlook\n\n- Interim Futility Analysis of MRD Clearance from the ALPHA3 Trial Planned for "
                    "Early Q2 2026\n\nA 25% improvement in MRD clearance with cema-cel would pass the bar of the analysis.\n"})
    answer = hoped.ask("Did cema-cel pass the ALPHA3 interim futility analysis of MRD clearance?", dense={"would pass": 0.8})
    assert answer.abstained, answer.text
    answer = corpus.ask("When is the interim futility analysis of MRD clearance in ALPHA3 planned?", dense={"first test": 0.8})
    assert not answer.abstained and "Q2 2026" in answer.text, answer.text


def test_the_sentence_before_a_span_in_its_paragraph_sets_its_scene():
    # "that release" is the proof-of-concept data release the sentence before names
    para = ("Initial proof-of-concept data for ACME-329 are expected by the end of 1H 2026, after the first cohorts of the "
            "phase 1 study have been followed for long enough to judge safety and early activity in each disease. "
            "Expected to be included in that release are early clinical outcomes and supporting translational data covering "
            "disease-related biomarkers, CAR T expansion, and immune reconstitution from the first dose level cohorts.")
    corpus = Corpus({"r.txt": "Acme outlook\n\n" + para + "\n\nOther programs\n\nACME-316 data are expected later.\n"})
    answer = corpus.ask("What translational data are expected in the initial ACME-329 proof-of-concept data release?",
                        dense={"Initial proof": 0.4, "Expected to be included": 0.5})
    assert not answer.abstained and "translational data covering" in answer.text, answer.text


def test_a_span_saying_the_contrary_of_a_yes_no_question_answers_it_no():
    corpus = Corpus({"r.txt": "Acme outlook\n\nAcme's lead program, cema-cel, is being evaluated in the pivotal ALPHA3 trial, a "
                     "randomized study of consolidation in lymphoma after first-line chemotherapy.\n\n"
                     "ALPHA3 enrolls adults with lymphoma.\n"})
    answer = corpus.ask("Is ALPHA3 a single-arm trial?", dense={"randomized study": 0.35, "enrolls adults": 0.5})
    assert not answer.abstained and answer.text.startswith("No.") and "randomized" in cited(answer), answer.text


# --- stop 13: described documents, sizes, sides, set-aside names, statements put up for a yes or no ---

TWO_TRIALS = {
    "nk.txt": "Cord blood NK cell study\n\nThe cord blood natural killer cell study treats rheumatology patients.\n\n"
              "The planned enrollment is 92 participants.\n",
    "car.txt": "CAR T news\n\nThe planned phase 1 rheumatology study of the CAR T product will include patients with lupus.\n\n"
               "Estimated Enrollment: 136 participants\n",
}


def test_a_word_describing_the_study_counts_against_a_document_that_never_uses_it():
    # "the cord blood ... study": a passage need not repeat the description, but a document that
    # never says "cord blood" is about another study, however well its passage matches the rest
    corpus = Corpus(TWO_TRIALS)
    answer = corpus.ask("What is planned in the cord blood rheumatology trial?",
                        dense={"planned phase 1": 0.62, "planned enrollment": 0.5})
    assert not answer.abstained and answer.spans[0].chunk.source == "nk.txt", answer.text
    # a relational word of the description ("lupus-focused") is no test of the document
    focused = corpus.question("Which study is planned in the lupus-focused trial?")
    assert all(c.presence < 0 for c in corpus.answerer.concepts(focused) if "focus" in c.members)


def test_a_price_is_not_answered_by_a_cost_of_goods():
    corpus = Corpus({"o.txt": "Acme outlook\n\n- Efficient cost-of-goods profile (<$10K - 20K/dose)\n\n"
                     "- Manufacturing at scale of 60,000 doses\n"})
    assert corpus.ask("What launch price per dose is Acme planning?", dense={"cost-of-goods": 0.7}).abstained
    assert not corpus.ask("What cost of goods per dose does Acme expect?", dense={"cost-of-goods": 0.7}).abstained


@pytest.mark.parametrize("question, parts", [
    ("Which study will enroll more - the ALLO-605 myeloma study or the NK cell trial - and by how much?",
     ["Which study will enroll more in the ALLO-605 myeloma study?", "Which study will enroll more in the NK cell trial?"]),
    ("Which trial plans to enroll more: the ALLO-605 study or the AlloNK study, and what are the targets?",
     ["Which trial plans to enroll more in the ALLO-605 study?", "Which trial plans to enroll more in the AlloNK study?"]),
    ("Which conditions are targeted both by the RESOLUTION study and by the AlloNK trial?",
     ["Which conditions are targeted by the RESOLUTION study?", "Which conditions are targeted by the AlloNK trial?"]),
    ("Which conditions are targeted by both the RESOLUTION study and the AlloNK trial?",
     ["Which conditions are targeted by the RESOLUTION study?", "Which conditions are targeted by the AlloNK trial?"]),
    ("Which conditions are common to the RESOLUTION study and the AlloNK trial?",
     ["Which conditions are in the RESOLUTION study?", "Which conditions are in the AlloNK trial?"]),
    # what the sides share is seen from their answers side by side; a possessive names a side
    ("Which indications overlap between Allogene's RESOLUTION study and the NK cell trial?",
     ["Which indications in Allogene's RESOLUTION study?", "Which indications in the NK cell trial?"]),
])
def test_each_side_of_a_comparison_however_joined_is_asked_on_its_own(question, parts):
    assert sub_questions(question, frozenset(), lambda key: True) == parts


def test_a_schedule_point_is_no_product_code():
    assert question_entities("What's the week-52 response criterion for AB-101?", frozenset(), lambda k: True) == {
        Entity("ab-101", "product")}
    assert question_entities("Who had a grade-3 event on day-28?", frozenset(), lambda k: True) == set()


def test_a_site_line_is_listed_with_the_row_naming_its_site():
    corpus = Corpus({"r.txt": "Study record\n\nLocations\n\nUnited States, Texas\n\nSt. David's Medical Center | Recruiting |\n"
                     "Austin, Texas, United States, 78704 | |\nMD Anderson Cancer Center | Recruiting |\n"
                     "Houston, Texas, United States, 77030 | |\n"})
    answer = corpus.ask("Which Texas sites are listed?", dense={"Houston": 0.6, "Austin": 0.6})
    assert "MD Anderson Cancer Center" in answer.text and "St. David's" in answer.text, answer.text


def test_who_wants_to_know_is_not_what_is_asked():
    q = analyze("Our EU ops team is asking where the AlloNK study is recruiting - which countries are named?", [], frozenset())
    assert q.text.startswith("where the AlloNK") and q.expects == "place", q.text


@pytest.mark.parametrize("question, text, verdict", [
    # a statement put up for confirmation is a yes/no question
    ("Quick check: ALLO-329 only hits CD19, right?", "ALLO-329 targets both CD19+ B-cells and CD70+ T-cells.", "No."),
    ("ALLO-329 hits CD19, right?", "ALLO-329 targets CD19+ B-cells.", "Yes."),
    # "not just B cells" asks for more than them, which "both" gives
    ("Does ALLO-329 hit activated T cells too, not just B cells?", "ALLO-329 targets both CD19+ B-cells and CD70+ T-cells.", "Yes."),
    # asked whether it happened without X, the span says it followed X
    ("Was the expansion achieved without any chemotherapy conditioning?",
     "Robust CAR T cell expansion following standard Flu/Cy-based chemotherapy conditioning", "No."),
    ("Was the expansion achieved without any chemotherapy conditioning?",
     "Robust expansion without chemotherapy conditioning", "Yes."),
])
def test_a_statement_put_up_for_a_yes_or_no_is_checked_against_the_span(question, text, verdict):
    assert analyze(question, [], frozenset()).expects == "yesno"
    assert yes_or_no(question, Chunk("d.txt", 0, len(text), text, 0, "", "text")) == verdict


def test_a_span_setting_aside_what_the_question_sets_aside_is_not_about_it():
    corpus = Corpus({"o.txt": "Acme outlook\n\nThe Company expects its cash runway to extend into 2027, excluding any impact "
                     "from business development activities.\n\nBusiness development deals may extend the runway further.\n"})
    answer = corpus.ask("When does Acme expect its cash runway to end, not counting business development deals?",
                        dense={"into 2027": 0.6, "deals may": 0.6})
    assert not answer.abstained and "2027" in answer.text.split("[1]")[0], answer.text


def test_what_a_yes_no_question_sets_aside_need_not_be_in_the_span():
    corpus = Corpus({"o.txt": "Acme outlook\n\nACME-329 in autoimmune disease uses CRISPR gene-editing technology.\n\n"
                     "Acme oncology products use Cellectis technology.\n"})
    answer = corpus.ask("Is ACME-329 built with CRISPR rather than the Cellectis tools?", dense={"CRISPR": 0.7})
    assert answer.text.startswith("Yes. ACME-329"), answer.text


def test_asking_which_indications_asks_for_a_list():
    assert analyze("Autoimmune indications of the RESOLUTION study?", [], frozenset()).wants_list


def test_which_hospital_asks_for_a_site_by_name_not_a_country():
    corpus = Corpus({"nk.txt": "NK study\n\nRecruiting\n\nBulgaria France Germany Italy Poland Portugal +2\n\n"
                     "The AlloNK study enrolls adults in Europe.\n",
                     "r.txt": "Study record\n\nLocations\n\nUnited States, Colorado\n\nColorado Blood Cancer Institute | Recruiting |\n"
                     "Denver, Colorado, United States, 80218 | |\n"})
    assert corpus.question("Which hospital in Portugal is enrolling patients?").expects == "site"
    assert corpus.ask("Which hospital in Portugal is enrolling patients for the AlloNK study?",
                      dense={"Portugal": 0.7, "enrolls adults": 0.6}).abstained
    answer = corpus.ask("Which hospital in Denver takes part?", dense={"Denver": 0.7})
    assert "Colorado Blood Cancer Institute" in answer.text, answer.text


def test_a_sentence_leading_into_the_next_is_answered_with_it():
    # the lead-in holds "Week 52" and "response"; the next sentence holds the Sjögren's threshold asked for
    lead = "The main disease response measures are checked at Week 52. "
    detail = ("For idiopathic inflammatory myopathies, the endpoint is TIS of at least 60; and for Sjögren's disease, it is "
              "an improvement of at least 4 points in ClinESSDAI from baseline.")
    corpus = Corpus({"m.txt": "NK study\n\nWhat the trial measures\n\n" + lead + detail + "\n\n"
                     "Glossary\n\nClinESSDAI: a score of disease activity in Sjögren's disease.\n\n"
                     "Lupus is not studied here.\n"})
    assert corpus.chunk("checked at Week 52").text.strip() != (lead + detail).strip()  # two chunks, one paragraph
    answer = corpus.ask("What's the week-52 response criterion for the Sjögren's patients?",
                        dense={"checked at Week 52": 0.7, "For idiopathic": 0.45, "a score of": 0.45})
    assert not answer.abstained and "4 points" in answer.text.split("[1]")[0], answer.text


# --- stop 14: negated questions, ages and territories, passive organisations, naming the trial asked for ---

@pytest.mark.parametrize("question, text, verdict", [
    # the question's own negation agrees with the span's
    ("Will one arm of the study skip lymphodepletion entirely?",
     "In one arm patients will receive cyclophosphamide alone and in the other no lymphodepletion regimen will be used.", "Yes."),
    ("Can the product be given while avoiding lymphodepletion?", "The product may be given without lymphodepletion.", "Yes."),
    ("Will every patient receive lymphodepletion?", "No lymphodepletion regimen will be used.", "No."),
    # a child asked about, adults admitted
    ("Could we refer a 15-year-old with systemic sclerosis to the study?", "Study of AlloNK in adults with systemic sclerosis", "No."),
    ("Could we refer a 45-year-old with systemic sclerosis to the study?", "Study of AlloNK in adults with systemic sclerosis", "Yes."),
    ("Can children join?", "The study enrolls adults and children with lupus.", "Yes."),
    # rights everywhere asked about, rights in named territories given
    ("Does Acme own worldwide rights to cema-cel?",
     "Servier has granted Acme exclusive rights to cema-cel in the U.S., all EU Member States and the United Kingdom.", "No."),
    ("Does Acme own rights to cema-cel in the U.S.?",
     "Servier has granted Acme exclusive rights to cema-cel in the U.S., all EU Member States and the United Kingdom.", "Yes."),
    ("Does Acme hold global rights to the product?", "Acme holds worldwide rights to the product, including in the U.S.", "Yes."),
    # healthy volunteers asked about, patients with a disease enrolled
    ("Does the NK cell study enroll healthy volunteers?", "The trial includes adult subjects with hard-to-treat rheumatic diseases.", "No."),
    ("Does the study enroll healthy volunteers?", "The trial includes healthy adults and adults with lupus.", "Yes."),
])
def test_a_negated_question_an_age_a_territory_or_healthy_volunteers_is_checked_against_the_span(question, text, verdict):
    assert yes_or_no(question, Chunk("d.txt", 0, len(text), text, 0, "", "text")) == verdict


@pytest.mark.parametrize("question, text, verdict", [
    # what a span excludes negates it only when the question asks about that
    ("Does the runway guidance count on money from business development deals?",
     "The Company expects its cash runway to extend into 2027, excluding any impact from potential business development activities.", "No."),
    ("Does the Company expect its cash runway to extend into 2027?",
     "The Company expects its cash runway to extend into 2027, excluding any impact from potential business development activities.", "Yes."),
])
def test_what_a_span_excludes_says_no_only_of_what_it_excludes(question, text, verdict):
    assert yes_or_no(question, Chunk("d.txt", 0, len(text), text, 0, "", "text")) == verdict


def test_shorthand_for_what_a_span_excludes_is_read_in_the_documents_terms():
    text = "The Company expects its cash runway to extend into 2027, excluding any impact from potential business development activities."
    chunk = Chunk("d.txt", 0, len(text), text, 0, "", "text")
    question = "Does the runway guide bake in any BD proceeds?"
    assert yes_or_no(question, chunk, glosses(question)) == "No."
    assert yes_or_no(question, chunk) == "Yes.", "without the gloss 'BD' is not what the span excludes"


def test_shorthand_the_documents_spell_out_is_not_an_unknown_name():
    corpus = Corpus({"d.txt": "Acme update\n\nInitial proof-of-concept data for ACME-329 are expected by the end of 1H 2026.\n"})
    assert corpus.question("When is the ACME-329 PoC readout?").unknown == ()
    assert corpus.question("When is the ACME-329 QXZs readout?").unknown == ("QXZs",)
    answer = corpus.ask("When is the ACME-329 PoC readout in 1H26?", dense={"proof-of-concept": 0.6})
    assert not answer.abstained and "1H 2026" in answer.text, answer.text


def test_who_asks_and_whom_it_is_passed_on_to_are_not_what_is_asked():
    question = ("A rheumatologist asks how the conditioning differs between the ALLO-329 lupus study and the NK cell study. "
                "What should I tell her?")
    assert asked_proper(question) == "how the conditioning differs between the ALLO-329 lupus study and the NK cell study?"
    assert sub_questions(question, frozenset(), lambda key: True) == [
        "how the conditioning differs in the ALLO-329 lupus study?", "how the conditioning differs in the NK cell study?"]
    assert asked_proper("The company asked for what dose?") == "The company asked for what dose?"  # (asked for: not who asks)
    # that a side is set beside another is no word its passage must hold
    corpus = Corpus({"r.txt": "Study record\n\nThe conditioning regimen is fludarabine.\n"})
    concepts = corpus.answerer.concepts(corpus.question("How does the conditioning differ in the study?"))
    assert not any(stem("differ") in c.members for c in concepts), concepts


def test_two_names_a_document_says_are_one_product_are_one_subject_not_a_comparison():
    corpus = Corpus({"nk.txt": "NK study\n\nThe intervention list shows cyclophosphamide and fludarabine as intravenous infusions, "
                     "and AB-101 as an intravenous treatment given on day one of the cycle. The source of these details also names the study product as AlloNK, the trial "
                     "name used in the summary.\n\nThe trial includes adults with lupus.\n",
                     "mm.txt": "Myeloma record\n\nECOG performance status of 0 or 1 is required for ACME-605.\n"})
    q = corpus.question("What ECOG performance status do patients need to join the AlloNK (AB-101) trial?")
    assert corpus.answerer._entity_groups(q, {"nk.txt", "mm.txt"}) == [{Entity("ab-101", "product"), Entity("allonk", "product")}]
    # "ECOG" is said only of the other product: asked of AlloNK (AB-101), there is no answer
    answer = corpus.ask("What ECOG performance status do patients need to join the AlloNK (AB-101) trial?",
                        dense={"includes adults": 0.6, "ECOG": 0.5})
    assert answer.abstained, answer.text


def test_the_highest_dose_is_not_answered_by_the_starting_dose():
    corpus = Corpus({"r.txt": "Acme outlook\n\nThe trial plans to test up to four cell dose levels from a starting cell dose of "
                     "20 million CAR T cells.\n"})
    assert corpus.ask("What is the highest cell dose that will be tested?", dense={"starting cell dose": 0.7}).abstained
    assert not corpus.ask("What is the starting cell dose?", dense={"starting cell dose": 0.7}).abstained
    # the most of a count is said "up to"
    most = corpus.ask("What is the maximum number of dose levels it will test?", dense={"starting cell dose": 0.7})
    assert not most.abstained and "up to four" in most.text, most.text


def test_what_a_product_is_likened_to_is_not_what_is_asked_about():
    corpus = Corpus({"o.txt": "Acme outlook\n\nAcme’s oncology AlloCAR T products utilize Cellectis technologies.\n\n"
                     "ACME-329 in autoimmune disease uses CRISPR gene-editing technology.\n"})
    question = corpus.question("Is ACME-329 built on the Cellectis gene-editing technology like Acme's oncology AlloCAR T products?")
    assert {e.key for e in question.entities} == {"acme-329"}, question.entities
    answer = corpus.ask("Is ACME-329 built on the Cellectis gene-editing technology like Acme's oncology AlloCAR T products?",
                        dense={"oncology": 0.6, "CRISPR": 0.55})
    assert answer.text.startswith("No. ACME-329"), answer.text


def test_a_company_acting_in_the_passive_is_an_organisation():
    q = analyze("Which company originally granted Servier the license for cema-cel?", [], frozenset())
    assert q.expects == "organisation"
    assert has_expected(q, "Cema-cel was developed based on an exclusive license granted by Cellectis to Servier.")
    assert not has_expected(q, "Cema-cel was developed based on an exclusive license to treat lymphoma.")
    # the company the question names is not the one it asks for
    q = analyze("Which company granted Allogene the rights to cema-cel?", [], frozenset())
    assert has_expected(q, "Servier has granted Allogene exclusive rights to cema-cel.")
    assert not has_expected(q, "Allogene Therapeutics, Inc. is a clinical-stage biotechnology company.")
    q = analyze("Which outside firm's know-how sits under the hood of Allogene's pipeline?", [], frozenset())
    assert not has_expected(q, "Allogene Therapeutics, Inc. is a clinical-stage biotechnology company.")  # (named with 's)
    assert not has_expected(q, "About Allogene Therapeutics\nAllogene Therapeutics is a biotechnology company.")
    assert has_expected(q, "Allogene’s AlloCAR T oncology products utilize Cellectis technologies.")  # (another company's technology)


@pytest.mark.parametrize("question, expects", [
    ("What is the highest AB-101 (AlloNK) cell dose being tested in the rheumatic disease study?", "dose"),
    ("At what point in time are responses judged?", "date"),
    ("How much time has to pass before he could begin the chemo?", "date"),
    ("What head count is the trial aiming for?", "count"),
    ("What's Acme's projected manufacturing expense for each treatment?", "money"),
    ("How much ALLO-647 is given?", "dose"),
    # the first question word decides: a later "how much" is part of what is asked for
    ("Which escalation scheme does the study use to find how much can be given safely?", "other"),
    # a yes/no question after a dash: "... on a stable dose - could they join?"
    ("My patient's hypothyroidism is controlled on a stable levothyroxine dose - could the thyroid history still let them in?", "yesno"),
    ("What is the dose - and when is it given?", "other"),  # (two kinds asked: no single one, and no yes/no)
    # ... or after a colon: "Quick check for my summary: does ...?"
    ("Quick check for my summary: does the NK cell study include fludarabine?", "yesno"),
    ("ALLO-605 versus ALLO-316: which one enrolls more?", "count"),
    # "how much must the score drop" asks for a change, not an amount given
    ("How much does the activity index have to drop to count as a win?", "number"),
    # "what does the company expect" asks what it expects, not which company
    ("What does the company think it will cost to make each unit?", "money"),
    ("What company sponsors the study?", "organisation"),
    ("Which sponsor-assigned study ID number does the record list?", "other"),  # (a number the sponsor gave)
    # a person holding a role
    ("Who is Acme's top doctor?", "person"),
    ("Who is the chief executive of Acme?", "person"),
    # how big a study is asks for its enrollment
    ("Which study is planned to be bigger, the myeloma trial or the NK trial?", "count"),
    ("Which of the two trials plans to enroll more people?", "count"),
    ("How big is the AlloNK study?", "count"),
    # the size of a change is a number, not a count of participants
    ("How big an improvement over observation would be meaningful?", "number"),
    ("For Sjögren's patients, how big a drop in the activity score counts as a response?", "number"),
    # a yes/no question after a set-aside lead, and one with no verb
    ("Unlike the oncology products built on Cellectis technology, is ALLO-329 engineered with CRISPR?", "yesno"),
    ("ALLO-329 – CRISPR-edited?", "yesno"),
    ("ALPHA3: randomized design?", "yesno"),
    ("NCT06991114: phase?", "other"),
    ("Rheum trial: required washout from prior rituximab or other B-cell depleting therapy?", "other"),
    ("ALLO-605 – what is it called?", "other"),
    # a fragment asks for what its noun names
    ("Recommended Phase 2 dose selected for ALLO-605?", "dose"),
    ("Last update posted date on the ALLO-605 record", "date"),
    ("And its phase?", "other"),
    ("and when do they expect the first results from it?", "date"),
    # the last of two sentences asks, even in lower case
    ("Does the ALLO-605 study go by a shorter name? what do they call it", "other"),
    ("My husband had a transplant a few years back. could he still get into the ALLO-605 trial?", "yesno"),
    # "at what timepoint" asks when
    ("At what timepoint does the AlloNK study judge whether the disease has improved?", "date"),
    ("By what point must the DLTs have appeared?", "date"),
    # a time frame or how long, asked of a rate, asks when, not the rate
    ("What time frame is given for the overall response rate outcome of the ALLO-605 study?", "date"),
    ("How long are patients followed to capture the response rate in ALLO-605's second stage?", "date"),
    ("What was the response rate at dose level 2?", "percent"),
])
def test_what_kind_of_value_is_asked_for(question, expects):
    assert analyze(question, [], frozenset()).expects == expects


def test_words_naming_a_time_and_how_sure_the_asker_is_ask_nothing_a_passage_must_hold():
    corpus = Corpus({"r.txt": "Study record\n\nThe point of the study is safety.\n\nResponse is judged at Week 52.\n"})
    concepts = corpus.answerer.concepts(corpus.question("At what point in time is response really judged?"))
    # "point", "time": what a date answers, held by any dated span; "really": how sure the asker is
    assert all(c.typed for c in concepts if c.members & {"point", "time"}), concepts
    assert not any(stem("really") in c.members for c in concepts), concepts
    answer = corpus.ask("At what point in time is response really judged?", dense={"point of the study": 0.6, "Week 52": 0.5})
    assert not answer.abstained and "Week 52" in answer.text, answer.text


def test_words_for_how_parts_form_a_whole_ask_nothing():
    corpus = Corpus({"r.txt": "Study record\n\nThe regimen is made from three drugs.\n\n"
                     "The regimen includes fludarabine, cyclophosphamide and ACME-605.\n"})
    concepts = corpus.answerer.concepts(corpus.question("What drugs make up the regimen of ACME-605?"))
    assert not any("make" in c.members or "made" in c.members for c in concepts), concepts


def test_asked_which_trial_a_span_naming_none_is_preceded_by_the_passage_naming_it():
    corpus = Corpus({
        "nk.txt": "NK cell study\n\nThe source also names the study product as AlloNK, the trial name used in the summary.\n\n"
                  "Design\n\nThe trial uses a 3+3 design to find the maximum tolerated dose.\n\nSummary\n\nStudy of AB-101 in adults.\n",
        "car.txt": "CAR T news\n\nAcme announced that ACME-329 was cleared.\n\n"
                   "The phase 1 RESOLUTION trial, a 3+3 dose escalation study, enrolls lupus patients.\n"})
    for asked in ("Which trials use a 3+3 design?", "Which two studies in these documents use a 3+3 design?"):
        answer = corpus.ask(asked, dense={"uses a 3+3": 0.7, "RESOLUTION trial": 0.6, "also names": 0.2})
        assert not answer.abstained and "AlloNK" in answer.text and "RESOLUTION" in answer.text, answer.text
        assert answer.text.index("AlloNK") < answer.text.index("The trial uses"), answer.text
    # (the nearest naming passage before the span, not after; none for a span naming its trial itself)
    assert "AB-101" not in answer.text and "ACME-329" not in answer.text, answer.text
    # asked what, not which trial, the span stands alone
    alone = corpus.ask("What design does the NK cell study use?", dense={"uses a 3+3": 0.7, "also names": 0.2})
    assert "AlloNK" not in alone.text, alone.text


def test_a_comparison_half_naming_only_its_document_asks_what_the_other_half_asks():
    corpus = Corpus({
        "news.txt": "X-9 data\n\nNews\nArticle\n\nData were presented at SITC in November 2024. Among 8 patients treated at "
                    "dose level 2, the best overall response rate (ORR) was 38% (3/8).\n\n© 2024 Example Media\n",
        "release.txt": "Acme outlook\n\nBOSTON, Mass., Jan. 08, 2026 (GLOBE NEWSWIRE) -- Acme Bio, Inc. today gave its outlook.\n\n"
                       "- 31% confirmed ORR with a single X-9 dose in patients with high CD70 expression\n"})
    answer = corpus.ask("How does the X-9 response rate reported around SITC 2024 compare with the figure Acme cites in its "
                        "January 2026 business update?", dense={"38%": 0.6, "31% confirmed": 0.25, "today gave": 0.4})
    assert "38%" in answer.text and "31%" in answer.text, answer.text
    # a word any document of its kind may be called by ("business update") need not be in the document
    assert descriptors("the figure in its January 2026 business update")[0].about == ()


@pytest.mark.parametrize("question, parts", [
    ("What are the planned enrollment sizes of the ALLO-605 myeloma study and the cord-blood NK cell study?",
     ["What are the planned enrollment sizes of the ALLO-605 myeloma study?", "What are the planned enrollment sizes of the cord-blood NK cell study?"]),
    # one thing asked two things of is no comparison
    ("What is the enrollment of the ALLO-605 study and the start date?", ["What is the enrollment of the ALLO-605 study and the start date?"]),
])
def test_a_value_asked_of_two_studies_is_asked_of_each(question, parts):
    assert sub_questions(question, frozenset(), lambda key: True) == parts


# --- stop 15: exceptions asked around, supposed figures, lay time points, drug names, spelt-out abbreviations ---

def test_asking_to_enroll_despite_an_exclusion_is_answered_by_its_exception():
    text = "Current or history of thyroid disorder, except for subjects with hypothyroidism controlled on a stable dose of hormone replacement therapy"
    chunk = Chunk("d.txt", 0, len(text), text, 0, "Exclusion Criteria:", "item")
    assert yes_or_no("Can a patient whose hypothyroidism is controlled on hormone replacement still enroll despite the thyroid exclusion?",
                     chunk) == "Yes."
    assert yes_or_no("Is a patient with hypothyroidism controlled on hormone replacement excluded?", chunk) == "No."
    assert yes_or_no("Can a patient with hyperthyroidism enroll despite the exclusion?", chunk) == "No."


def test_a_time_phrase_joined_to_a_word_by_hyphens_is_no_product_code():
    assert question_entities("What does the start-of-2026 outlook say about ALLO-316?", frozenset(), lambda k: True) == {
        Entity("allo-316", "product")}


def test_a_supposed_figure_answers_what_a_result_would_need_to_show():
    corpus = Corpus({"u.txt": "Business update\n\nThe trial compares the product with observation. A 25–30% improvement in MRD "
                              "clearance versus observation could signal one of the most meaningful advances in lymphoma.\n"})
    answer = corpus.ask("How big a gain over observation would the trial need to show in MRD clearance to be a major advance?",
                        dense={"25–30%": 0.6})
    assert not answer.abstained and "25–30%" in answer.text, answer.text
    # what has been shown is a result, which a supposed figure is not
    assert corpus.ask("What rate of MRD clearance has the trial shown versus observation?", dense={"25–30%": 0.6}).abstained


def test_asking_for_each_of_a_kind_asks_for_a_list():
    assert analyze("Can you give me the Week 52 response definition for each disease?", [], frozenset()).wants_list
    assert not analyze("What is the Week 52 response definition for lupus?", [], frozenset()).wants_list


def test_a_lead_in_is_joined_to_the_next_sentence_naming_a_disease_asked_about():
    # "rheumatoid arthritis": less rare a term than "Sjögren's", still one the lead-in lacks
    corpus = Corpus({"m.txt": "NK study\n\nWhat the trial measures\n\nThe main disease response measures are checked at Week 52. "
                              "For systemic sclerosis, the endpoint is rCRISS of at least 50; for rheumatoid arthritis, it is DAS28-ESR < 2.6.\n\n"
                              "Glossary\n\nDAS28-ESR: a score of rheumatoid arthritis disease activity.\n"})
    answer = corpus.ask("What Week 52 response endpoint is used for rheumatoid arthritis?",
                        dense={"checked at Week 52": 0.7, "For systemic": 0.5, "a score of": 0.6})
    assert not answer.abstained and "DAS28-ESR < 2.6" in answer.text.split("[1]")[0], answer.text


def test_a_lay_time_point_names_a_qualifier_not_the_value_asked_for():
    # "at the one-year mark" reads as the documents' Week 52; the 52 of "Week 52" is then no score
    corpus = Corpus({"m.txt": "NK study\n\nEndpoints\n\nThe main disease response measures are checked at Week 52.\n\n"
                              "Thresholds\n\nFor inflammatory myopathies, the endpoint is TIS ≥ 60; for systemic sclerosis, it is rCRISS ≥ 50.\n"})
    answer = corpus.ask("For the myopathy patients, what score do they have to reach at the one-year mark to count as responding?",
                        dense={"checked at Week 52": 0.7, "TIS": 0.5})
    assert not answer.abstained and "TIS ≥ 60" in answer.text.split("[1]")[0], answer.text


DRUGS = """Study of AB-101 in rheumatic diseases

Eligibility

Patients must not have had systemic therapy within 2 weeks prior to the start of lymphodepletion.

Treatment

The study product is given with rituximab, and the trial also uses cyclophosphamide and fludarabine before the cells.

Arms

The study will include 2 different lymphodepletion arms. In one arm patients will receive cyclophosphamide alone for lymphodepletion and in the other no lymphodepletion will be used.
"""


def test_asked_which_drugs_a_span_naming_drugs_answers():
    corpus = Corpus({"d.txt": DRUGS})
    answer = corpus.ask("What chemotherapy is used for lymphodepletion in the AB-101 study?",
                        dense={"within 2 weeks": 0.55, "also uses cyclophosphamide": 0.5, "2 different": 0.3, "In one arm": 0.3})
    assert not answer.abstained and "cyclophosphamide" in answer.text and "within 2 weeks" not in answer.text, answer.text
    # a sentence announcing the arms is answered with the next, which names the drug each arm gets
    answer = corpus.ask("How does lymphodepletion differ between the arms of the AB-101 study?",
                        dense={"within 2 weeks": 0.3, "also uses cyclophosphamide": 0.3, "2 different": 0.6, "In one arm": 0.3})
    assert "cyclophosphamide alone" in answer.text, answer.text


DLT = """Study of ALLO-605 in myeloma

Outcome Measures

- Phase 1: Proportion of patients experiencing Dose Limiting Toxicities with ALLO-647 [ Time Frame: 30 days ]
- Phase 2: Overall response rate of ALLO-605 [ Time Frame: 12 months ]

Design

Study of natural killer cells in lupus.
"""


def test_an_abbreviation_the_documents_only_spell_out_is_read_as_spelt():
    corpus = Corpus({"d.txt": DLT})
    q = corpus.question("Over what window are ALLO-647 DLTs counted?")
    assert q.unknown == ("DLTs",)  # no document says "DLTs" ...
    answer = corpus.ask("Over what window are ALLO-647 DLTs counted?")
    assert not answer.abstained and "30 days" in answer.text, answer.text  # ... but one spells it out
    # a letter run no document spells out stays unknown
    assert corpus.ask("Over what window are ALLO-647 QXZs counted?").abstained
    # "the NK cell trial", "NK cell therapies": a description telling which study or product, not a word a passage
    # must spell out
    for asked in ("Which diseases does the NK cell trial study?", "Which diseases do NK cell therapies treat?"):
        assert corpus.answerer._spelled_out(corpus.question(asked), corpus.hits(asked)).spelled == (), asked
    asked = "Which diseases does NK treat?"  # (the same letters standing alone are spelt out)
    assert corpus.answerer._spelled_out(corpus.question(asked), corpus.hits(asked)).spelled != ()


TRIALS = {
    "a.txt": "Study of AB-101 cord blood NK cells\n\nThe study enrolls adults with systemic sclerosis and rheumatoid arthritis "
             "who have relapsing rheumatologic diseases.\n\nThe response criterion at Week 52 for systemic sclerosis is rCRISS of at least 50.\n",
    "b.txt": "ALLO-329 clearance\n\nThe RESOLUTION study will include patients with lupus nephritis and systemic sclerosis in "
             "autoimmune indications.\n\nFor lupus nephritis, the response criterion at Week 52 is a complete renal response.\n",
    "c.txt": "Rheumatology congress news\n\nThe congress met in Paris this year.\n",
}


def test_a_trial_described_by_what_it_is_is_answered_from_the_documents_saying_so():
    corpus = Corpus(TRIALS)
    # only a.txt says "cord": a criterion for lupus nephritis from the other trial is no answer
    assert corpus.ask("What's the Week 52 response criterion for lupus nephritis in the cord blood NK cell trial?").abstained
    answer = corpus.ask("What's the Week 52 response criterion for systemic sclerosis in the cord blood NK cell trial?")
    assert not answer.abstained and "rCRISS" in answer.text, answer.text
    # "the rheumatology trial": a.txt says "rheumatologic", a word of the same root, and b.txt neither
    assert corpus.ask("What's the Week 52 response criterion for lupus nephritis in the rheumatology trial?").abstained
    answer = corpus.ask("What's the Week 52 response criterion for systemic sclerosis in the rheumatology trial?")
    assert not answer.abstained and "rCRISS" in answer.text, answer.text
    answer = corpus.ask("What's the Week 52 response criterion for lupus nephritis in the autoimmune trial?")
    assert not answer.abstained and "complete renal response" in answer.text, answer.text


def test_who_holds_a_role_is_answered_by_a_name_with_its_credentials():
    corpus = Corpus({"p.txt": "Acme news\n\nAcme reported results from its first study in 2024.\n\n"
                              "“The data are striking,” Zachary Roberts, MD, PhD, chief medical officer of Acme, said in a statement.\n"})
    answer = corpus.ask("Who is Acme's top doctor?", dense={"results": 0.7, "striking": 0.5})
    assert not answer.abstained and "Zachary Roberts" in answer.text and "results" not in answer.text, answer.text


def test_what_is_set_aside_after_a_dash_is_not_asked():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nEstimated Primary Completion Date : | January 1, 2024 |\n"
                              "Estimated Study Completion Date : | January 1, 2027 |\n"})
    q = corpus.question("What's the estimated completion date — not the primary completion, the overall one?")
    assert q.excluded, q
    answer = corpus.ask("What's the estimated completion date — not the primary completion, the overall one?",
                        dense={"Primary": 0.7, "Study Completion": 0.6})
    assert "2027" in answer.text and "2024" not in answer.text, answer.text


CITY_ROWS = """Study of ALLO-605

Contacts and Locations

United States, Colorado | |
Alpha Cancer Institute | Recruiting |
Denver, Colorado, United States, 80218 | |
United States, Texas | |
Beta Medical Center | Recruiting |
Austin, Texas, United States, 78704 | |
Gamma Cancer Center | Recruiting |
Houston, Texas, United States, 77030 | |
"""


def test_the_other_rows_of_a_table_are_cited_as_the_best_row_was_with_their_value_line():
    corpus = Corpus({"s.txt": CITY_ROWS})
    q = corpus.question("In which cities are the study sites located?")
    best = corpus.answerer.candidates(q, corpus.hits(q.query, dense={"Alpha": 0.6}))[0]
    assert best.chunk.text.startswith("Alpha") and "Denver" in best.chunk.text  # the row, with the line giving its city
    siblings = " ".join(p.chunk.text for p in corpus.answerer._siblings(q, best, typical_dense=0.5))
    assert "Beta Medical Center" in siblings and "Austin" in siblings and "Houston" in siblings, siblings


def test_asked_what_a_named_thing_is_the_words_before_say_where_not_what():
    corpus = Corpus({"d.txt": "Study of ALLO-605 in myeloma\n\nEligibility\n\n- Subjects must have received at least 3 prior myeloma "
                              "regimens\n\nInterventions\n\nALLO-605 is an anti-BCMA CAR T product.\n\nALLO-647 is a monoclonal antibody that recognizes a CD52 antigen, given with ALLO-605.\n"})
    answer = corpus.ask("In the ALLO-605 myeloma regimen, what exactly is ALLO-647?",
                        dense={"prior myeloma": 0.6, "anti-BCMA": 0.55, "monoclonal": 0.5})
    assert not answer.abstained and "monoclonal antibody" in answer.text.split("[1]")[0] and "prior" not in answer.text, answer.text
    assert "anti-BCMA" not in answer.text, answer.text  # (of the two products named, the one asked what it is)


def test_a_yes_no_question_counting_otherwise_than_the_span_is_answered_no():
    corpus = Corpus({"k.txt": "ALLO-316 results\n\nPatients received fludarabine and cyclophosphamide for 3 days before ALLO-316.\n"})
    dense = {"for 3 days": 0.7}
    assert corpus.ask("Was the chemotherapy before ALLO-316 given over 5 days?", dense=dense).text.startswith("No."), "5 days asked, 3 said"
    assert corpus.ask("Was the chemotherapy before ALLO-316 given over 3 days?", dense=dense).text.startswith("Yes.")


def test_a_yes_no_settled_by_one_passage_cites_the_records_field_saying_the_same():
    corpus = Corpus({"r.txt": "ABC-1 in myeloma\n\nStudy Design\n\nAllocation: | N/A |\nMasking: | None (Open Label) |\n\n"
                     "Official Title: | A Single-Arm, Open-Label, Phase 1/2 Study Evaluating the Safety of ABC-1 in Patients With Myeloma |\n\n"
                     "The study measures the safety of ABC-1 over twelve months of follow-up in adults.\n"})
    q = corpus.question("Is the ABC-1 trial open-label?")
    found = [h for h in corpus.hits(q.query, {"Official Title": 0.8}) if "Masking" not in h.chunk.text]  # (the search missed it)
    answer = corpus.answerer.answer(q, found)
    assert answer.text.startswith("Yes."), answer.text
    assert "Masking: | None (Open Label)" in {p.chunk.text for p in answer.spans}, answer.spans


def test_a_settled_yes_no_cites_another_document_about_it_saying_the_same():
    corpus = Corpus({"a.txt": "ABC-101 update\n\nThe ABC-101 trial will test dose levels in two parallel cohorts (one with a low intensity "
                     "lymphodepletion and one with no lymphodepletion).\n\nABC-101 is scalable.\n",
                     "b.txt": "ABC-101 cleared\n\nThe ABC-101 study will open this year at several sites.\n\nIn one arm patients will receive "
                     "cyclophosphamide alone for lymphodepletion and in the other no lymphodepletion regimen will be used.\n"})
    answer = corpus.ask("In the ABC-101 study, will some patients get no lymphodepletion at all?", dense={"parallel": 0.8, "open this year": 0.5})
    assert answer.text.startswith("Yes. The ABC-101 trial will test"), answer.text
    assert any(p.chunk.source == "b.txt" and "no lymphodepletion regimen" in p.chunk.text for p in answer.spans), answer.spans


def test_a_line_of_figures_alone_is_never_cited_as_an_answer():
    corpus = Corpus({"n.txt": "Cord blood NK cells\n\nOngoing Clinical Trials\n\n  • Study of ABC-101 and rituximab in adults\n\n"
                     "    Recruiting\n\n    2 1 1 1\n    Bulgaria France Germany\n\nThe status is listed as authorised.\n"})
    answer = corpus.ask("Is the ABC-101 study recruiting?")
    assert not answer.abstained and all(p.chunk.text.strip() != "2 1 1 1" for p in answer.spans), answer.text


def test_a_count_inside_the_bound_a_span_sets_is_no_count_otherwise():
    ages = Corpus({"k.txt": "ABC-1 eligibility\n\nAges Eligible for Study: | 18 Years and older (Adult, Older Adult) |\n"})
    cycles = Corpus({"k.txt": "ABC-1 dosing\n\nPatients may receive up to 4 cycles of ABC-1.\n"})
    for corpus, asked, verdict in ((ages, "Could a 70 year old join the ABC-1 study?", "Yes."), (ages, "Can a 16-year-old enroll in the ABC-1 study?", "No."),
                                   (cycles, "Can patients get 3 cycles of ABC-1?", "Yes."), (cycles, "Can patients get 6 cycles of ABC-1?", "No.")):
        answer = corpus.ask(asked, dense={"ABC-1": 0.7})
        assert answer.text.startswith(verdict), (asked, answer.text)


def test_a_sentence_pointing_back_is_shown_with_the_sentence_it_points_to():
    corpus = Corpus({"s.txt": "Endpoints\n\nFor rheumatoid arthritis, the endpoint is DAS28-ESR < 2.6; for systemic sclerosis, it is "
                     "rCRISS >= 50.\n\nThese scores are used to judge whether the disease is getting better.\n"})
    answer = corpus.ask("Which scores do they use to judge whether the disease is getting better?", dense={"These scores": 0.7})
    assert not answer.abstained and "DAS28-ESR" in answer.text and "rCRISS" in answer.text, answer.text
    assert answer.spans[0].chunk.text.startswith("For rheumatoid arthritis"), "the cited span holds what 'these scores' are"


def test_the_sentence_pointed_to_does_not_lend_its_words_to_the_one_pointing_back():
    corpus = Corpus({"s.txt": "Overview\n\nAcme trials are studying NK cells in lupus.\n\nThese studies look at safety after "
                     "lymphodepletion.\n\nThe NK cell trial uses cyclophosphamide and fludarabine for lymphodepletion.\n"})
    answer = corpus.ask("Which drugs do lupus patients get for lymphodepletion before the NK cells?",
                        dense={"These studies": 0.6, "uses cyclophosphamide": 0.6})
    assert not answer.abstained and "fludarabine" in answer.text and "These studies" not in answer.text, answer.text


def test_a_generic_word_of_what_is_set_aside_does_not_mark_a_span_as_about_it():
    # "technology" is said by the span too; only Cellectis and oncology tell what was set aside
    corpus = Corpus({"o.txt": "Acme outlook\n\nAcme’s oncology AlloCAR T products utilize Cellectis technologies.\n\n"
                     "ACME-329 in autoimmune disease uses CRISPR gene-editing technology.\n"})
    answer = corpus.ask("Is ACME-329 built with CRISPR gene editing, unlike the Cellectis technology used in Acme's oncology products?",
                        dense={"CRISPR": 0.6, "oncology": 0.55})
    assert answer.text.startswith("Yes. ACME-329"), answer.text


def test_a_date_the_span_gives_otherwise_says_no():
    corpus = Corpus({"r.txt": "Study record\n\nFirst Posted : August 11, 2021\n\nLast Update Posted : February 11, 2022\n"})
    no = corpus.ask("Was the record first posted in August 2022?", dense={"First Posted": 0.8})
    assert no.text.startswith("No. First Posted"), no.text
    for asked in ("in August 2021", "in 2021"):
        yes = corpus.ask(f"Was the record first posted {asked}?", dense={"First Posted": 0.8})
        assert yes.text.startswith("Yes. First Posted"), yes.text


def test_how_many_things_a_list_question_asks_for_is_no_word_a_passage_must_say():
    corpus = Corpus({"p.txt": "ACME-329 news\n\nACME-329 targets both CD19+ B-cells and CD70+ activated T-cells.\n\n"
                     "The ACME-329 trial tests two dose levels in two parallel cohorts.\n"})
    answer = corpus.ask("What are the two antigens ACME-329 is engineered to recognize?", dense={"targets both": 0.45, "two dose": 0.6})
    assert not answer.abstained and "CD19" in answer.text.split("[1]")[0], answer.text
    q = corpus.question("Which diseases do the two trials have in common?")  # (a count of what is asked about stays)
    assert any("two" in c.members for c in corpus.answerer.concepts(q))


def test_run_me_through_every_intervention_asks_for_the_list_and_no_word_of_the_request():
    corpus = Corpus({"r.txt": "Study record\n\nArm | Intervention/treatment\n\n"
                     "Myeloma | Drug: Fludarabine Drug: Cyclophosphamide | Phase 1\n"})
    q = corpus.question("Run me through every intervention listed for the study.")
    assert q.wants_list
    words = {m for c in corpus.answerer.concepts(q) for m in c.members}
    assert not words & {"run", "every"}, words


@pytest.mark.parametrize("request_", ["Identify", "Specify", "Please identify"])
def test_identify_or_specify_is_a_request_for_a_list_and_no_word_a_passage_must_say(request_):
    corpus = Corpus({"r.txt": "Study record\n\nLocations\n\nUnited States, Texas\n\nMD Anderson Cancer Center | Recruiting |\n"})
    q = corpus.question(f"{request_} the study locations in Texas.")
    assert q.wants_list and q.expects != "yesno", (q.wants_list, q.expects)
    words = {m for c in corpus.answerer.concepts(q) for m in c.members}
    assert not words & {"identify", "specify", "please"}, words
    # one thing named, or a thing's possessive, is not a list
    assert not corpus.question(f"{request_} the primary outcome measure of the study.").wants_list
    assert not corpus.question(f"{request_} the sponsor's trial.").wants_list


def test_a_field_settling_a_yes_no_the_same_way_is_cited_beside_the_span_that_settles_it():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nOfficial Title: | A Single-Arm, Open-Label, Phase 1/2 Study of ALLO-605 |\n"
                     "Masking: | None (Open Label) |\n\nPrimary Purpose: | Treatment |\n"})
    answer = corpus.ask("Is the ALLO-605 study blinded?", dense={"Official Title": 0.8, "Masking": 0.4})
    cited = [p.chunk.text for p in answer.spans]
    assert answer.text.startswith("No. Official Title"), answer.text
    assert any(c.startswith("Masking") for c in cited) and not any("Purpose" in c for c in cited), cited


def test_asked_which_agents_are_given_a_span_naming_several_lists_them():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nOfficial Title: | A Study of ALLO-605 Cell Therapy Given After Fludarabine in Myeloma |\n\n"
                     "Myeloma | Genetic: ALLO-605 Biological: ALLO-647 Drug: Fludarabine Drug: Cyclophosphamide | Phase 1 |\n"})
    q = corpus.question("What agents do patients get in the ALLO-605 trial?")
    ranked = corpus.answerer.candidates(q, corpus.hits(q.query, {"Official Title": 0.6, "Genetic": 0.55}))
    assert ranked[0].chunk.text.startswith("Myeloma | Genetic"), [p.chunk.text for p in ranked]


def test_a_product_asked_about_by_description_is_answered_by_a_passage_naming_it():
    corpus = Corpus({"news.txt": "ACME-329 cleared\n\nACME-329 is a cell therapy for lupus.\n\n"
                     "Acme stated that ACME-329 may be manufactured at a scale of 60,000 doses annually.\n",
                     "outlook.txt": "Acme outlook\n\nOur lupus program advances.\n\n"
                     "Manufacturing scalability of approximately 30,000 - 60,000+ doses annually\n"})
    q = corpus.question("How many doses per year could the company manufacture of its lupus cell therapy?")
    ranked = corpus.answerer.candidates(q, corpus.hits(q.query, {"scalability": 0.6, "stated that": 0.5}))
    assert ranked[0].chunk.text.startswith("Acme stated that ACME-329"), [p.chunk.text for p in ranked]
    # (a study described is told apart by its documents, not by a passage naming a product)
    q = corpus.question("How many doses per year could the company manufacture for its lupus study?")
    ranked = corpus.answerer.candidates(q, corpus.hits(q.query, {"scalability": 0.6, "stated that": 0.5}))
    assert ranked[0].chunk.text.startswith("Manufacturing"), [p.chunk.text for p in ranked]


def test_a_restatement_s_generic_words_do_not_keep_it_from_being_cited_beside_the_answer():
    corpus = Corpus({"nk.txt": "NK study\n\nStudy of AlloNK and rituximab in adults with relapsing rheumatoid arthritis, "
                     "inflammatory myopathies, systemic sclerosis, or Sjögren’s disease\n\nThe conditions listed are systemic "
                     "sclerosis (SSc), rheumatoid arthritis (RA), inflammatory myopathies (IIMs), and Sjögren’s disease (SjD).[1]\n\n"
                     "The sponsor is a biotechnology company in California.\n"})
    answer = corpus.ask("What diseases is the AlloNK trial enrolling?", dense={"Study of AlloNK": 0.8, "conditions listed": 0.4})
    cited = [p.chunk.text for p in answer.spans]
    assert cited[0].startswith("Study of AlloNK") and any(c.startswith("The conditions listed") for c in cited), answer.text
    assert not any("sponsor" in c for c in cited), cited


def test_given_together_with_asks_what_given_with_says():
    corpus = Corpus({"nk.txt": "NK study\n\nThe study treatment is given with rituximab.\n"})
    q = corpus.question("Which antibody is the NK product given together with?")
    assert not {m for c in corpus.answerer.concepts(q) for m in c.members} & {"together"}


def test_treatments_been_through_are_counted_as_lines_of_therapy_and_need_asks_nothing():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nInclusion Criteria:\n- Subjects must have received ≥3 prior MM lines of therapy\n"
                     "- Measurable disease\n\nThe study will enroll 136 patients.\n"})
    answer = corpus.ask("How many treatments does he need to have already been through to qualify for ALLO-605?",
                        dense={"lines of therapy": 0.5, "enroll 136": 0.6})
    assert not answer.abstained and "≥3" in answer.text and "136" not in answer.text, answer.text
    q = corpus.question("What score do they need for ALLO-605?")
    assert not {m for c in corpus.answerer.concepts(q) for m in c.members} & {"need"}


def test_names_listed_to_describe_a_study_do_not_anchor_the_place_asked_for():
    corpus = Corpus({"nk.txt": "AlloNK study\n\nThe conditions listed are systemic sclerosis (SSc) and rheumatoid arthritis (RA).\n\n"
                     "Ongoing Clinical Trials on AlloNK\n\n  • Study of AlloNK and rituximab in adults with relapsing rheumatoid "
                     "arthritis, myositis, systemic sclerosis, or Sjögren’s disease\n\n    Recruiting\n\n"
                     "    Bulgaria France Germany Italy Poland Portugal +2\n"})
    answer = corpus.ask("Which countries are shown for the AlloNK study in relapsing RA, myositis, SSc or Sjögren's?",
                        dense={"Bulgaria": 0.5})
    assert not answer.abstained and "Bulgaria" in answer.text, answer.text


def test_a_longer_sentence_giving_the_same_date_for_the_same_event_is_cited_beside_the_headline():
    corpus = Corpus({"p.txt": "Acme outlook\n\nInterim Futility Analysis of MRD Clearance from the ALPHA3 Trial Planned for Early Q2 2026\n\n"
                     "An early Q2 2026 interim futility analysis focused on MRD clearance represents the first program-defining "
                     "test of whether early consolidation can prevent relapse in lymphoma patients treated in community settings.\n\n"
                     "Cash runway extends into 2H 2027.\n"})
    answer = corpus.ask("When will the ALPHA3 interim futility analysis of MRD clearance happen?",
                        dense={"Planned for": 0.8, "An early Q2": 0.5, "Cash runway": 0.5})
    cited = [p.chunk.text for p in answer.spans]
    assert cited[0].startswith("Interim Futility") and any(c.startswith("An early Q2 2026") for c in cited), answer.text
    assert not any("runway" in c for c in cited), cited


def test_a_lay_go_after_is_answered_by_a_product_named_anti_its_target():
    corpus = Corpus({"p.txt": "Acme pipeline\n\nALLO-605 is an anti-BCMA, TRAC/CD52 edited CAR T cell product.\n\n"
                     "ALLO-605 targets a registrational readout in 2027 across several sites.\n"})
    answer = corpus.ask("What does ALLO-605 go after on the myeloma cells?", dense={"anti-BCMA": 0.5, "registrational": 0.5})
    assert not answer.abstained and "anti-BCMA" in answer.spans[0].chunk.text, answer.text


def test_what_is_x_asks_what_it_is_whatever_the_words_after_the_comma_say_of_it():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nBiological: ALLO-647 ALLO-647 is a monoclonal antibody that recognizes a CD52 antigen\n\n"
                     "Drug: Fludarabine Chemotherapy for lymphodepletion\n\nALLO-605 is given on Day 0 at the study site.\n"})
    for question in ("What exactly is ALLO-647, the other thing they give along with ALLO-605?",
                     "What is ALLO-647, the drug given at the study site before ALLO-605?"):
        answer = corpus.ask(question, dense={"monoclonal": 0.5, "Day 0": 0.5, "Fludarabine": 0.5})
        assert not answer.abstained and "monoclonal antibody" in answer.text, (question, answer.text)
    q = corpus.question("What is it, basically, and is it given along with fludarabine?")
    assert not {m for c in corpus.answerer.concepts(q) for m in c.members} & {"basically", "basic", "along"}


def test_a_trial_id_and_a_product_named_together_are_one_trial_when_its_record_registers_only_that_id():
    record = ("AlloNK rheumatology study\n\nThe source also names the study product as AlloNK, given with rituximab.\n\n"
              "Dosing is weekly.\n\nThis is a Phase 2 study.\n\nTrial ID Phase Status\nNCT06991114 Phase 2 Authorised\n")
    corpus = Corpus({"nk.txt": record, "other.txt": "Acme news\n\nNCT04696731 and NCT05000450 enroll patients with cancer.\n"})
    q = corpus.question("Is the AlloNK plus rituximab study NCT06991114 a Phase 1 trial?")
    assert len(corpus.answerer._entity_groups(q, {"nk.txt"})) == 1
    assert corpus.ask(q.text, dense={"rituximab": 0.6, "Phase 2": 0.3}).text.startswith("No."), q
    assert len(corpus.answerer._entity_groups(corpus.question("Compare AlloNK with NCT04696731."), {"nk.txt", "other.txt"})) == 2
    # a news article giving one product's trial ID and naming another product apart from it is no record of the other
    news = Corpus({"n.txt": "Acme news\n\nALLO-316 is tested in the TRAVERSE trial (NCT04696731).\n\n" + "Other news follows. " * 30
                   + "\n\nALLO-329 is a new product for lupus.\n"})
    assert len(news.answerer._entity_groups(news.question("Is ALLO-329 tested in NCT04696731?"), {"n.txt"})) == 2
    assert len(news.answerer._entity_groups(news.question("Is ALLO-316 tested in NCT04696731?"), {"n.txt"})) == 1


def test_an_earlier_turns_word_the_document_says_otherwise_does_not_make_it_about_something_else():
    corpus = Corpus({"nk.txt": "AlloNK study record\n\nThe conditions listed are systemic sclerosis and rheumatoid arthritis.\n\n"
                     "The main disease response measures are checked at Week 52.\n\nNCT06991114 is the trial ID.\n",
                     "car.txt": "ALLO-329 news\n\nThe RESOLUTION trial enrolls patients with lupus and scleroderma.\n\n"
                     "Response is assessed at Month 6 in the RESOLUTION trial.\n"})
    history = [("user", "What's the NK cell trial for scleroderma and RA?"),
               ("assistant", "That's NCT06991114, a Phase 2 study of AlloNK in adults with rheumatic diseases.")]
    answer = corpus.ask("When do they assess the main response measures in it?", history, dense={"Week 52": 0.5, "Month 6": 0.5})
    assert not answer.abstained and "Week 52" in answer.text, answer.text


def test_the_verb_may_is_no_month():
    corpus = Corpus({"r.txt": "AlloNK study record\n\nPreliminary efficacy: Early signs that a treatment may help the disease.\n\n"
                     "The main response measures are checked at Week 52.\n\nThe study opened in May 2024.\n"})
    answer = corpus.ask("At what timepoint does the AlloNK study judge whether the disease has improved?",
                        dense={"may help": 0.8, "Week 52": 0.5, "opened": 0.3})
    assert not answer.abstained and "Week 52" in answer.spans[0].chunk.text, answer.text
    assert has_expected(corpus.question("When did the study open?"), "The study opened in May 2024.")


def test_how_many_different_things_asks_how_many():
    corpus = Corpus({"r.txt": "Study of ALLO-605\n\nInclusion Criteria:\n- Subjects must have received ≥3 prior MM lines of therapy\n\n"
                     "Different doses are given to 136 patients.\n"})
    q = corpus.question("How many different prior lines must patients have for ALLO-605?")
    assert not {m for c in corpus.answerer.concepts(q) for m in c.members} & {"different", "differ"}


def test_every_intervention_is_answered_by_the_row_naming_the_drugs():
    corpus = Corpus({"r.txt": "Study of ACME-605\n\nCondition or disease | Intervention/treatment | Phase\n"
                     "Multiple Myeloma | Genetic: ACME-605 Biological: ACME-647 Drug: Fludarabine Drug: Cyclophosphamide | Phase 1\n\n"
                     "Arm | Intervention/treatment\nExperimental: Single arm | The arm is open to every patient in the study\n"})
    answer = corpus.ask("List every intervention given in the ACME-605 study arm.", dense={"Genetic:": 0.4, "Experimental:": 0.6})
    assert not answer.abstained and "Fludarabine" in answer.text, answer.text
    q = corpus.question("ok and how old do you have to be for ACME-605?")
    assert not {m for c in corpus.answerer.concepts(q) for m in c.members} & {"ok"}


def test_the_three_things_described_are_a_list():
    assert analyze("What time frames apply to the three primary outcome measures of the ALLO-605 study?", [], frozenset()).wants_list
    assert analyze("What are both key secondary endpoints?", [], frozenset()).wants_list
    assert not analyze("What time frame applies to the primary outcome of the ALLO-605 study?", [], frozenset()).wants_list


def test_a_yes_no_term_the_products_own_document_never_uses_says_no():
    corpus = Corpus({"a.txt": "ALLO-605 record\n\nALLO-605 is an anti-BCMA CAR T product for myeloma.\n",
                     "b.txt": "ALLO-329 news\n\nNotably, ALLO-329 targets both CD19+ B-cells and CD70+ activated T-cells.\n\n"
                     "ALLO-329 is for lupus.\n"})
    answer = corpus.ask("Like ALLO-605, does ALLO-329 target BCMA?", dense={"CD70+": 0.8, "anti-BCMA": 0.5})
    assert answer.text.startswith("No.") and "CD70+" in answer.spans[0].chunk.text, answer.text


def test_the_question_words_its_documents_title_says_need_not_be_said_again_by_the_passage():
    texts = {"nk.txt": "Cord blood NK cells\n\nThis overview describes a study of cord blood NK cells given with rituximab in adults.\n\n"
             "Treatment plan\n\nThe study treatment is given with rituximab before each visit.\n",
             "other.txt": "Other therapy\n\nAnother trial gives rituximab to children.\n"}
    dense = {"overview": 0.6, "study treatment": 0.6}
    answer = Corpus(texts).ask("Do patients in the cord blood NK study also get rituximab?", dense=dense)
    # "cord blood NK" says which document; the body's sentence saying what is asked is cited first
    assert answer.text.startswith("Yes. The study treatment"), answer.text
    # but the title makes no passage a better answer than the document's best one: a weak body passage stays below
    weak = Corpus(texts).ask("Do patients in the cord blood NK study also get rituximab?", dense={"overview": 0.9, "study treatment": 0.3})
    assert weak.text.startswith("Yes. This overview"), weak.text
    # and a strong one is lifted only as far as the best passage's own score
    ranked = Corpus(texts).ranked("Do patients in the cord blood NK study also get rituximab?", {"overview": 0.5, "study treatment": 0.9})
    assert ranked[0].chunk.text.startswith("The study treatment") and ranked[1].chunk.text.startswith("This overview"), ranked
    assert ranked[0].score == ranked[1].score, ranked


def test_a_hyphenated_compound_asked_is_said_as_well_by_its_words_written_apart():
    corpus = Corpus({"a.txt": "ABC-1 study\n\nOutcome Measures\n\n- Dose Limiting Toxicities of ABC-1 within 28 days following infusion.\n"
                     "- Dose-limiting toxicities of the XYZ-2 antibody within 30 days following infusion.\n\n"
                     "The ABC-1 trial uses a 3+3 design.\n"})
    concepts = corpus.answerer.concepts(corpus.question("Within how many days after infusion are dose-limiting toxicities counted?"))
    apart, joined_up = (set(tokens(corpus.chunk(s).text)) for s in ("Dose Limiting", "Dose-limiting"))
    assert corpus.answerer.coverage(concepts, apart, set()) == corpus.answerer.coverage(concepts, joined_up, set())
    # (a compound whose parts are no words of their own, "3+3" or "CAR-T", is still asked as one)
    assert any(c.members == {"3+3"} for c in corpus.answerer.concepts(corpus.question("Which trial uses a 3+3 design?")))


def test_a_passage_saying_only_what_its_documents_title_leaves_unsaid_is_still_a_candidate():
    # the news article titled "... ALLO-329 Cleared by FDA for Phase 1 Clinical Trial in Rheumatology Indications"
    # whose lead sentence names the indications: the title says the rest of what is asked
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("00[13]_*.txt"))}
    ranked = Corpus(texts).ranked("Which rheumatology indications will the ALLO-329 basket study cover after the FDA IND clearance?",
                                  {"The planned phase 1": 0.6})
    assert any(p.chunk.text.startswith("The planned phase 1 RESOLUTION study") for p in ranked), ranked


def test_which_one_of_two_compared_trials_names_the_trial_beside_its_figure():
    corpus = Corpus({"a.txt": "Study of AB-101 in myeloma\n\nConditions: | Multiple Myeloma | Genetic: AB-101 | Phase 1 |\n"
                     "Study Type : | Interventional |\nEstimated Enrollment : | 136 participants |\n\nThe study is open.\n",
                     "b.txt": "Cord blood NK cells\n\nThe study of NK-7 cells in rheumatology is registered as NCT01234567.\n\n"
                     "The planned enrollment is 92 participants.\n\nThe status is authorised.\n"})
    for which in ("which one plans", "which of the two plans"):
        answer = corpus.ask(f"Between the AB-101 myeloma study and the NK rheumatology study NCT01234567, {which} to enroll more participants?")
        # each figure with the trial it is of
        assert all(said in answer.text for said in ("136", "92", "AB-101", "NCT01234567")), answer.text
    # (the two told apart however they are named: "the NK-7 one")
    q = corpus.question("Which one is planning to enroll more, AB-101 or the NK-7 one?")
    figure = corpus.chunk("planned enrollment is 92")
    naming = corpus.answerer._naming(q, Picked(figure, "Cord blood NK cells", 0.5), [])
    assert not q.sides and naming is not None and "NCT01234567" in naming.chunk.text, (q.sides, naming)


def test_whether_a_study_randomizes_is_read_from_the_records_allocation_field():
    record = Corpus({"record.txt": "Study of ALLO-605 in myeloma\n\nStudy Design\n\nAllocation: | N/A |\nMasking: | None (Open Label) |\n\n"
                                   "Phase 2: To assess clinical efficacy of ALLO-605 as measured by overall response rate (ORR)\n"})
    # (the outcome row is the closer passage by meaning, as it is in the real record)
    answer = record.ask("Does the ALLO-605 study randomize patients?", dense={"Phase 2": 0.45, "Allocation": 0.3})
    assert not answer.abstained and answer.text.startswith("No."), answer.text
    assert answer.spans[0].chunk.text.startswith("Allocation"), cited(answer)
