"""The extractive answerer: pick the minimal spans that answer the question, or abstain.

Candidates are retrieved chunks (a sentence, table row, list item), optionally joined to the unit
right after them (a label and its value). Each is scored by dense similarity and by how much of
the question's idf-weighted vocabulary (with domain synonyms) it covers. A candidate must concern
the entities the question names and hold the kind of value asked for (a count, a date, a dose, a
price); question terms that the corpus knows but the candidate's document never uses count
against it. Lists gather sibling items; comparisons take the best span per entity; yes/no
questions are decided from the span (eligibility bounds, exclusion lists, yes/no fields).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from .described import DATELINE, LEAD_CHARS, MONTHS, descriptors, fits, profile
from .entities import CODE, NCT, Entity, Scope, bare, mentions, question_entities
from .glossary import Gloss, glosses
from .places import has_city, has_place
from .spelling import corrected
from .text import JOINERS, STOPWORDS, fold, specificity, stem, surface_forms, synonyms, tokens
from .types import Chunk, Hit, Turn

ABSTAIN_TEXT = "The documents don't answer this."
COMPARISON_SCORE = 0.75  # share of min_score each side of a comparison needs
READ_IN_SCORE = 0.9  # share of min_score a passage needs in the document the question names by description
SUBJECT = 0.3  # weight of a word describing the thing asked about ("the dual-target lupus AlloCAR"), which a passage about it need not repeat
SETTLED_SCORE = 0.6  # share of min_score a span needs that settles a yes/no question (Phase 2 for "phase 1?")
FOCUS = 2.0  # weight of the thing a "what is the X of Y" question asks for (X), against its other words
NAMED_SUBJECT = 0.06  # score a passage gains by naming a product, when the question describes one without naming it
QUOTED_SCORE = 0.1  # score a passage gains by saying just what the question quotes
DESCRIBING_SPECIFICITY = 0.5  # a word describing a trial ("the cord-blood NK cell trial") that tells documents apart
SPELLING_SOURCES = 10  # retrieved documents searched for an abbreviation spelt out
SPELLED_SPECIFICITY = 0.3  # ... and a spelt-out abbreviation's
GLOSSED_SPECIFICITY = 0.6  # how much a lay phrase's idea, absent from a document, counts against it
SHUNNED_SPECIFICITY = 0.4  # a set-aside word as generic as "technology" or "products" does not mark a passage as about what was set aside
UNSAID_SPECIFICITY = 0.8  # a yes/no question's term this rare (Cellectis, lupus), absent from the span, makes the answer no
PARALLEL = 0.1  # score a comparison side's passage gains by giving a figure in the unit of another side's answer
COMPOUND_PART, COMPOUND_HEAD = 5, 3  # letters a word needs, and that a compound needs before it, to be read as its last part
SAYS_ALL_SCORE = 0.8  # share of the best span's score a yes/no span saying every term asked needs, to decide instead
FIELD_CHARS = 80  # a record's field ("Masking: None (Open Label)"), short enough to be one statement
RESTATES = 0.75  # share of a passage's new words (idf-weighted) the chosen span holds, to cite it as the same statement
RESTATEMENT_WORDS = 8  # ... and at most this many words the question does not use: a restatement is short
UNSAID_TELLS = 0.5  # how specific a word must be, that a restatement says and the chosen span does not, to count against it
RESTATEMENT_UNSAID = 1  # ... or, longer, at most this many the chosen span does not say either
FIGURE_RESTATES = 0.3  # share of its new words (by count) a passage giving the answer's figures again needs the chosen span to hold
FIGURE_RESTATES_COVERAGE = 0.75  # ... or the share of the words asked it says
FIGURE_RESTATES_SCORE = 0.75  # ... and the share of min_score it needs: the figure it repeats vouches for it

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_MONTHS_AND_DAYS = set("january february march april may june july august september october november december "
                       "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday".split())
# asks when a document itself came out: "when did Allogene publish the press release?"
_PUBLISHED = re.compile(r"\b(?:publish|issue|release|post|put out|dated?)\w*\b.*\b(?:press release|news release|release|article|"
                        r"announcement|statement|story)\b|\b(?:press release|news release|article|announcement)\b.*\b(?:publish|issue|release|post|dated?)\w*\b", re.I)
# ... words that then name the document, which its dateline answers for
_PUBLICATION_WORDS = frozenset(tokens("publish published issue issued release released press news article post posted "
                                      "announcement statement story"))


def _asks_publication(q: Question) -> bool:
    return q.expects == "date" and bool(_PUBLISHED.search(q.text))


# kinds of answer that are figures: a passage giving the same figures says the same thing
_FIGURES = frozenset({"date", "count", "number", "percent", "money", "dose", "nct", "code"})
_ACHIEVED = re.compile(r"\b(?:achiev\w*|show|shown|showed|reported|seen|observed|demonstrated|reached|attained|became|turned|cleared|responded)\b", re.I)
# "what was the result of the interim analysis?", "what did the futility analysis show?"
_ASKS_RESULT = re.compile(r"\b(?:what|how)\s+(?:was|were|is|are)\s+(?:the\s+)?(?:results?|outcomes?|findings?|read-?outs?|conclusions?)\s+"
                          r"(?:of|from|for)\s+(?P<event>[^?]+)|"
                          # "did cema-cel pass the interim analysis?": the event is what was passed
                          r"\bdid\s+(?:[\w-]+\s+){1,3}?(?:pass|fail|meet|clear|survive)\s+(?P<event3>(?:the|its|an?)\s+[^,?]{3,100})|"
                          r"\b(?:what\s+)?did\s+(?P<event2>[^?]{3,100}?)\s+(?:show|find|reveal|conclude|demonstrate|pass|succeed|fail|"
                          r"meet|clear|read out|achieve)\b|"
                          # "Outcome of the ALPHA3 interim futility analysis – was MRD clearance improved?"
                          r"(?:^|[.:;]\s+)(?:the\s+)?(?:results?|outcomes?|findings?|read-?outs?)\s+(?:of|from)\s+(?P<event4>[^?:;,–—]+?)\s*(?:[?:;,–—]|\s-\s|$)", re.I)
# a passage telling of an event still to come
_PLANNED = re.compile(r"\b(?:planned|plans? to|scheduled|upcoming|anticipated|expected to (?:read|report|be reported)|"
                      r"will (?:be )?(?:report|present|announce|read)\w*)\b", re.I)
PLANNED_DEPTH = 8  # passages looked at for one saying the event asked about is still planned
PLANNED_COVERAGE = 0.75  # share of the event's words such a passage must hold
_HYPOTHETICAL = re.compile(r"\b(?:would|could|might|need(?:s|ed)? to|must|ha(?:s|ve) to|should)\b(?:\s+[\w'’-]+){0,3}\s+(?:show|shown|achieve|reach|attain|demonstrate)\b", re.I)
_SUPPOSED = re.compile(r"\d[^.;]*?\b(?:could|would|might)\b", re.I)
# (the month May as written, never the verb: "a treatment may help")
_DATE = re.compile(r"\b(?:(?:19|20)\d\d|[12]H|Q[1-4]|(?-i:May)|" + "|".join(m for m in MONTHS if m != "may") + r")\b|\b(?:\d+|" + "|".join(w for w in NUMBER_WORDS if w not in ("zero", "one")) + r")[\s-]*(?:days?|weeks?|months?|years?)\b|\bweek\s+\d+|\bhalf of\b|\b(?:this|next|last) year\b|\bmid-?year\b", re.I)
_PHASE_NUMBERED = re.compile(r"\bphase\s*(?:[1-4]|i{1,3}v?|iv|one|two|three|four)\b|\b(?:[1-4]|i{1,3})\s*/\s*(?:[1-4]|i{1,3})\s+phase\b", re.I)
_PERCENT = re.compile(r"\d\s*%|\bpercent\b|\(\d+/\d+\)", re.I)
_MONEY = re.compile(r"[$€£]\s*\d|\b\d[\d,.]*\s*(?:usd|dollars|euros|million dollars)\b|\bprice[sd]? at\b", re.I)
_DOSE = re.compile(r"\d[\d,.]*\s*(?:mg|g|µg|mcg|ug|ml|iu|units?|cells|million|billion|x\s*10|×\s*10|/kg|/m2|mg/m2)\b", re.I)
_QUANTITY = re.compile(r"(?<![\w/\[-])(?<!phase )(?<!Phase )[<>≥≤~]?\d[\d,.]*(?:\+|\s*%)?(?![\w/])(?!-[A-Za-z])|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)
_YESNO = re.compile(r"^[\s,;:]*(?:is|are|does|do|did|can|could|will|would|was|were|has|have|had|should|may|must)\b", re.I)
_LIST = re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}[\w-]+s\s+(?:are|were|do|does|did|will|would|can|could|must|is|have|has)\b|\b(?:two|three|four|five|both)\s+(?:[\w-]+\s+){0,2}[\w-]+s\b|\b(?:which|what)\s+(?:are|were)\b|\blist\b|\bname\s+(?:all|the)\b|\b(?:identify|specify|give|show)\s+(?:me\s+|us\s+)?(?:all\s+)?the\s+(?:[\w-]+\s+){0,2}[\w-]+(?<!s)s\b(?!['’])|\b(?:all|both)\s+the\b|\bwhat\s+\w+s\s+(?:are|were|does|do|did|will|must|could|can)\b|\bwhich\s+\w+s\b|\bcriteria\b|\bsites\b|\bconditions\b|\bindications\b|\bendpoints\b|\bdiseases\b|\bgroups\b|\bincluding\b|\b(?:for|of|in|to|by) (?:each|every)\b|\b(?:every|all)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:interventions?|agents?|drugs?|sites?|locations?|conditions?|arms?|outcomes?|criteri(?:on|a))\b", re.I)
# who is asking, put before the question: "From an investor's perspective, ...", "As a treating physician, ..."
_FRAMING = re.compile(r"^\s*(?:(?:from|speaking from|with) (?:an?|the|my|our) [\w\s'’-]{0,40}?(?:perspective|standpoint|point of view|viewpoint|angle|lens)"
                      r"|(?:speaking )?as (?:an?|the) (?:[\w-]+ ){0,3}(?:physician|doctor|clinician|investor|analyst|regulator|nurse|patient|"
                      r"investigator|coordinator|pharmacist|specialist|officer|scientist|researcher|rheumatologist|oncologist|hematologist|"
                      r"haematologist|caregiver|member|person|manager|lead|professional)"
                      r"|for (?:[\w-]+ ){0,2}(?:purposes|reasons|planning|feasibility|budgeting|modell?ing|forecasting|diligence))\s*,\s*", re.I)
# a statement put up for confirmation: "ALLO-329 only hits CD19, right?"
_TAG = re.compile(r",\s*(?:right|correct|true|yes|no|isn['’]t (?:it|that|this)|aren['’]t they|doesn['’]t it|don['’]t they|"
                  r"is (?:that|this) (?:right|correct|true|so))\s*\?\s*$", re.I)
# "only CD19?" when the span names it with another of its kind ("both CD19+ B-cells and CD70+ T-cells")
_ONLY = re.compile(r"(?<!\bnot )\b(?:only|solely|exclusively|just)\b", re.I)  # ("not just B cells" asks for more than B cells)
_ALSO = re.compile(r"\b(?:both|dual|as well as|in addition to|together with|along with)\b", re.I)
# "Our EU ops team is asking where ...", "A rheumatologist asks how ...": who wants to know, which
# says nothing of what is asked
_ASKER = re.compile(r"^\s*(?:our|my|the)\s+(?:[\w'’/-]+\s+){0,3}(?:team|group|department|colleagues?|boss|manager|client|committee|board)\s+"
                    r"(?:is|are|was|were|keeps?|has been|have been)\s+(?:asking|wondering|curious)(?:\s+(?:about|to know))?\s*[:,-]?\s*|"
                    r"^\s*(?:an?|our|my|the|one of (?:our|my))\s+(?:[\w'’/-]+\s+){0,3}?[\w'’/-]+\s+(?:asks|asked|is asking|wants to know|"
                    r"wanted to know|wonders|wondered|is wondering)(?:\s+(?:me|us))?(?:\s+about)?\s*[:,-]?\s*"
                    r"(?=(?:how|what|which|when|where|who|whom|whether|if|why|is|are|does|do|did|can|could|will|would)\b)", re.I)
# ... and what the asker will pass on: "What should I tell her?"
_PASS_ON = re.compile(r"(?<=[.?!])\s*(?:so\s+)?(?:what|how)\s+(?:should|do|can|could|would|shall)\s+(?:i|we)\s+(?:tell|say to|answer|reply to|"
                      r"respond to)\s+(?:her|him|them|the\s+[\w-]+)\s*\??\s*$", re.I)
# a question with no verb, a thing then what it is asked to be: "ALLO-329 – CRISPR-edited?" (not "NCT06991114: phase?")
_TERSE_YESNO = re.compile(r"(?:\s[-–—]+|:)\s+(?!(?:the|its|their|a|an)\b)(?:[\w/-]+\s+){0,3}?[\w/-]*[a-z]{3,}ed\b(?:\s+[\w-]+)?\s*\?\s*$", re.I)
# the asker's own situation, put before the question proper: "Since our sites will need to decide ..., is
# the trial blinded?", "When we pre-screen patients for X, what ...?", "We're mapping X's sites. Which ...?"
_SITUATION = re.compile(
    r"^\s*(?:(?:since|because|as|given that|now that|while|when|before|once)\s+(?:we|i|our|my|us)\b[^?]{0,200}?,"
    r"|(?:as an? [\w/-]+(?: [\w/-]+)?,?\s+)?(?:we|i)(?:['’](?:re|m|ve|d))?\s[^?:]{0,200}?[.:]"
    r"|(?:our|my)\s[^?]{0,200}?[.:])\s+(?=(?:(?:in|for|on|at|about|regarding|during|within)\s[^,?.]{1,80},\s*)?"  # ("..., In the X study, is ...?")
    r"(?:what|which|who|whom|when|where|how|why|is|are|was|were|does|do|did|can|could|will|would|should|has|have|had)\b)", re.I)
_EXISTENTIAL = re.compile(r"\b(?:is|are|was|were|will|would|could)\s+there\b|\bthere\s+(?:is|are|was|were|will)\b", re.I)
# the last sentence of several, which holds the question proper when the others tell of the asker
_LAST_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[^.?!]*[\w)][^.?!]*[.?!]?\s*$)(?<!\b[A-Z][a-z]\.\s)")
_ASKING = re.compile(r"(?:what|which|who|whom|when|where|how|why|is|are|was|were|does|do|did|can|could|will|would|should|has|have)\b", re.I)
# ... or after it: "how long will their money last? worried the company goes under mid treatment"
_AFTERTHOUGHT = re.compile(r"\?\s+((?:i|i['’]?m|we['’]?re|we are|just|asking|for context|worried|concerned|curious|thanks|thank you|"
                           r"my|our)\b[^?]*)$", re.I)
# the person a situation tells of, asked about in the question ("My mother had a transplant. Can she enroll?")
_SOMEONE = re.compile(r"\b(?:he|she|him|her|his|hers|they|them|their|someone|somebody)\b", re.I)
# what is put before the question proper: "If a patient had X, could they ...?", "According to Allogene, were ...?"
_LEAD_CLAUSE = re.compile(r"^\s*[^,?]{1,80},\s*", re.I)
_NEGATIVE_SECTION = re.compile(r"\bexclu", re.I)
# "how many will it enroll?" asks for a planned enrollment, which only a passage about enrolling
# states; "more than 200 patients treated" or "8 patients treated at dose-level 2" counts others
_ENROLMENT = re.compile(r"\b(?:enrol\w*|recruit\w*|accru\w*|sign(?:s|ed|ing)? up|randomi[sz]\w*|sample size)\b", re.I)
# "the overall completion, not the primary one", "rather than ...": what the answer must not be about
_SET_ASIDE = re.compile(r"(?:[,;:(]|\s[-–—]+)\s*(?:and\s+|but\s+)?not\s+((?:the|a|an|its)\s+)?([^?.,;()]+)|"
                        r"\b(?:rather than|as opposed to|instead of|other than|excluding)\s+((?:the|a|an|its)\s+)?([^?.,;()]+)|"
                        # what the thing asked about is likened to: "built on Cellectis technology like the oncology products?"
                        r"(?<!would )(?<!'d )(?<!’d )(?<!look )(?<!looks )(?<!seem )(?<!seems )(?<!feel )(?<!feels )(?<!it )"
                        r"\b(?:like|unlike|as with|similar to)\s+((?:the|a|an|its)\s+)?([^?.,;()]+)", re.I)
_REQUEST = re.compile(r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
                      r"(?:tell|give|show|list|name|share|remind|summari[sz]e|identify|specify|(?:run|walk|take|talk)\s+(?:me|us)\s+through)\s+(?:me|us)?\s*(?=\w)", re.I)
# "across the two Allogene sources": which documents to read (all), not what a passage must say
_ALL_SOURCES = re.compile(r"\b(?:(?:across|in|from|of|per|according to)\s+(?:both|all|each)?\s*(?:of\s+)?(?:the\s+)?(?:two|both|all|"
                          r"several|various|different)|across\s+(?:the|our|these))\s+(?:[\w-]+\s+){0,2}?(?:sources|documents|articles|releases|reports|texts)\b", re.I)
# "which of the trials use a 3+3 design?", "which products are tested in it?": asked of every document
_WHICH_OF_MANY = re.compile(r"^\s*(?:[^,.?]+[.?]\s+)*which\s+(?:of\s+(?:the|these|those)\s+)?(?:[\w-]+\s+)?(?:trials|studies|products|programs|"
                            r"programmes|candidates|therapies)\b", re.I)
# "how many different treatments": that they are told apart, which a passage counting them need not say
_HOW_MANY_DISTINCT = re.compile(r"\bhow many\s+(different|distinct|separate|individual|various)\b", re.I)
# "the two antigens", "its three arms": the number of things a list question asks for
_HOW_MANY_ASKED = re.compile(r"\b(?:(?:what|which)\s+(?:are|were)|name|list|give(?:\s+me)?)\s+(?:the|its|their|these|those)\s+"
                             r"(two|three|four|five|six)\s+(?=(?:[\w-]+\s+)?[\w-]+s\b)", re.I)
_NAMES_LISTED = re.compile(r"(?:[\w'’-]+,\s+)+[\w'’-]+,?\s+(?:or|and)\s+[\w'’-]+")
# "what figure does each give?", "... each quote a response rate": what every document says
_EACH_SAYS = re.compile(r"\b(?:does|do)\s+each(?:\s+(?:one|source|document|of them))?\s+(?:give|report|quote|state|say|cite|mention)\b|"
                        r"\beach\s+(?:of\s+them\s+|one\s+)?(?:quotes?|reports?|gives?|states?|cites?)\s+(?:a|an|the|its|their)\b", re.I)
# a disease's name: what "which conditions / indications" asks for
_DISEASE = re.compile(r"\b(?!(?:diagn|progn)osis\b)[a-z]+(?:itis|osis|oses|omas?|emia|aemia|opath(?:y|ies))\b|"
                      r"\b(?:lupus|carcinoma|leuka?emia|lymphoma|myeloma)\b|\b[A-Z][\w]+['’]s disease\b", re.I)
# "..., what exactly is ALLO-647?": asking what a named thing is
_DEFINING = re.compile(r"\bwhat\s+(?:exactly\s+|actually\s+|really\s+)?(?:is|are)\s+(?:the\s+)?([\w-]+)\s*\??\s*$", re.I)
# a phrase in quotation marks: "Other Study ID Numbers", 'off the shelf' (not the apostrophe of "Sjögren's")
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,80})[\"“”]|(?<![\w])['‘]([^'‘’]{3,80})['’](?![\w])")
# "[1]", "(SSc)": reference marks and abbreviations being defined, which state nothing
_ASIDES = re.compile(r"\[\d+(?:[,–-]\d+)*\]|\((?=\w*[A-Z]\w*[A-Z])[A-Za-z]{2,6}\)")
# "DLTs", "ORR": an abbreviation, which a document may only spell out
_ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,6})s?(?![\w-])")
# drug names by their nonproprietary stems: fludarabine, cyclophosphamide, cisplatin, rituximab, ibrutinib, cema-cel
_DRUG = re.compile(r"\b[a-z]{3,}(?:abine|amide|platin|taxel|rubicin|mab|nib|mustine|poside|trexate|-cel)\b|\b(?:flu|cy|fc)\d*\b", re.I)
# asking which drugs are given: "which chemo agents", "what conditioning regimen", "what lymphodepletion does each cohort get"
_ASKS_AGENTS = re.compile(r"\b(?:which|what)\s+(?:[\w/-]+\s+){0,3}?(?:agents?|drugs?|chemo(?:therap(?:y|ies))?|medications?|medicines?|"
                          r"regimens?|conditioning|lymphodepletion|lymphodepleting|biologics?|antibod(?:y|ies)|interventions?)\b|"
                          r"\b(?:every|all|each|list)\s+(?:of\s+)?(?:the\s+)?(?:agents?|drugs?|interventions?|medications?)\b|"
                          r"\b(?:lymphodepletion|conditioning)\b[^?]{0,40}\b(?:compare|differ|used|uses|given|gets?|receives?)\b|"
                          r"\b(?:compare|contrast|differ\w*)\b[^?]{0,20}\b(?:lymphodepletion|conditioning)\b|"
                          r"\b(?:lymphodepletion|conditioning) (?:arms?|cohorts?|groups?|regimens?)\b|"
                          r"\bhow (?:does|do|is|are|was|were) (?:the )?(?:lymphodepletion|conditioning)\b", re.I)
# "what conditioning chemo does it use?", "what lymphodepletion do patients get?": asks for the regimen, which a
# span gives by naming its drugs (or none: "no lymphodepletion", "cyclophosphamide alone")
_ASKS_REGIMEN = re.compile(r"\b(?:which|what)\s+(?:[\w/-]+\s+){0,3}?(?:chemo(?:therap(?:y|ies))?|conditioning|lymphodepletion|"
                           r"lymphodepleting|pre-?conditioning)\b|"
                           # "how does the conditioning differ between ...": what each side gives (also each side asked alone)
                           r"\bhow\s+(?:does|do|did|is|are)\s+(?:the\s+)?(?:[\w/-]+\s+){0,2}?(?:chemo(?:therap(?:y|ies))?|conditioning|"
                           r"lymphodepletion|lymphodepleting|pre-?conditioning)\b", re.I)
_GIVES_REGIMEN = re.compile(r"\b(?:no|without)\s+(?:\w+\s+){0,2}?(?:lymphodepletion|conditioning|chemo\w*)\b|\balone\b", re.I)
# "which diseases / conditions / indications ...": asks for diseases by name
_WHICH_CONDITIONS = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:conditions|diseases|indications|illnesses)\b(?!\s+(?:area|field|space)s?\b)", re.I)
_CONDITION_WORDS = frozenset(stem(w) for w in ("condition", "conditions", "indication", "indications", "disease", "diseases"))
# what a comparison's second half calls the first half's value: "the figure", "the number it gives"
_STAND_INS = frozenset(tokens("figure figures number numbers value values one ones rate stat statistic result results data "
                              "reported cited cites cite quoted given gives stated states says said mentioned"))
# "... compared with ...", "do X and Y both use", "which plans to enroll more": two things set side by side
_COMPARED = re.compile(r"\b(?:compar\w*|differ\w*|versus|vs\.?|between|both|either|in common|share[ds]?|overlap\w*|(?:the\s+)?same|"
                       r"(?:more|fewer|less|higher|lower|larger|smaller|bigger)\b(?:\s+\w+)?\s+than|which\s+(?:\w+\s+){0,3}(?:more|fewer|larger|smaller|bigger|higher|lower))\b", re.I)
# a question setting two things side by side
_SIDE_BY_SIDE = re.compile(r"\b(?:compar\w*|differ\w*|versus|vs\.?|against|each|across|between)\b", re.I)
# "the SITC data versus the 2026 update": two things to set side by side
_VERSUS = re.compile(r"\s+(?:versus|vs\.?|compared? (?:with|to)|as against)\s+", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|this|that|these|those|there|the study|the trial|the product|the therapy|the site)\b", re.I)
_VERBS = set("had has have been be is are was were will would could can did does do must should may might "
             "get got receive received take took enroll enrolled recruit recruiting join participate run test tested "
             "plan planned expect expected need needed require required use used include included treat treated "
             "give given dosed".split())
_PREPOSITIONS = set("of in for with at by from per across on into over under within during about".split())
_PHONE = re.compile(r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b")
# a company or institution by name: capitalised words ending in what such names end in
_ORGANISATION = re.compile(r"\b[A-Z][\w&'.-]*(?:\s+[A-Z&][\w&'.-]*){0,4}\s+(?:Therapeutics|Pharmaceuticals?|Pharma|"
                           r"Bio(?:sciences|therapeutics|tech|logics|pharma)?|Oncology|Inc|Incorporated|Corp(?:oration)?|"
                           r"Company|Co|Ltd|Limited|LLC|GmbH|AG|plc|Institutes?|University|Hospital|Cent(?:er|re)|"
                           r"Foundation|Group|Laboratories|Labs|Health|Medicine)\b")
# ... or a name doing what companies do ("Servier has granted Allogene exclusive rights", "licensed from Cellectis",
# "a license granted by Cellectis")
_ORGANISATION_ACTS = re.compile(r"\b[A-Z][\w&.'-]+(?:\s+[A-Z][\w&.'-]+){0,3}\s+(?:has\s+|have\s+|had\s+)?(?:granted|licensed|"
                                r"sublicensed|acquired|sold|transferred|partnered|sponsored|sponsors|funded|funds)\b|"
                                r"\b(?:licensed|sublicensed|acquired|in-licensed|rights|partnership|collaboration|agreement)\s+"
                                r"(?:from|with)\s+[A-Z]|"
                                r"\b(?:granted|licensed|sublicensed|acquired|sold|transferred|sponsored|funded|developed|manufactured|"
                                r"marketed|owned)\s+by\s+(?:the\s+)?[A-Z]|"
                                # "products utilize Cellectis technologies": a company's technology
                                r"\b(?:utili[sz](?:e|es|ing)|uses?|using|based on|leverag(?:e|es|ing)|built on)\s+[A-Z][\w&.'-]+\s+"
                                r"(?:technolog(?:y|ies)|platforms?|know-how|IP|intellectual property)\b")
# ... or any name a sponsor's label gives ("Sponsor: Isala", "Responsible Party: | AstraZeneca")
_SPONSOR_FIELD = re.compile(r"\b(?:sponsor|lead sponsor|collaborators?|responsible party|funded by|funder|sponsored by)\s*[:|]\s*\|?\s*[A-Z]",
                            re.I)
# a person given as a contact or investigator: "Contact: Katherine Bertolin", "Principal Investigator: Dr. A. Lee"
_PERSON = re.compile(r"\b(?:[Cc]ontact|[Ii]nvestigator|[Cc]hair|[Dd]irector)\b:?\s*(?:\|\s*)?(?:(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+)?"
                     r"[A-Z][a-z]+\.?(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b|"
                     # "Zachary Roberts, MD, PhD, EVP ... and chief medical officer": a name and its credentials or role
                     r"\b[A-Z][a-z]+(?:\s+[A-Z]\.?)?\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?,\s+(?:M\.?D\.?|Ph\.?D\.?|MBA|RN|Pharm\.?D\.?|"
                     r"President|Chief|CEO|CFO|CMO|EVP|SVP|Executive|Senior|Vice|Head|Director|Founder)\b")
_GENERIC_QUALIFIERS = {"phase", "stage", "part"}
_BOILERPLATE = re.compile(r"forward-looking statements|cautionary note|all rights reserved|^©|\baccessed \w+ \d|"
                         r"read our disclaimer|recent videos", re.I)
# what a trial site is called: "St. David's Medical Center", "Texas Transplant Institute"
_INSTITUTION = re.compile(r"\b(?:Hospital\w*|Hôpital|Ospedale|Cent(?:er|re)s?|Institut[e]?|Clinics?|Clinique|Klinik\w*|Universit\w+|"
                          r"Medical|Infirmary|Foundation)\b")
# values one looks up on a record (where, whom to call), not figures a trap could ask for
_SITE_VALUES = {"email", "phone", "zip", "person"}  # what one looks up for a named site
_LOOKUP_TYPES = {"place", "city", "email", "phone", "zip", "nct", "code", "person"}
# words that name the kind of value asked for, answered by a value of that kind, not by the word
_TYPE_WORDS = {kind: frozenset(t for w in words.split() for t in tokens(w)) for kind, words in {
    "zip": "zip code postal postcode", "phone": "phone telephone number", "email": "email e-mail address",
    "nct": "nct identifier number clinicaltrials.gov registry registration", "person": "contact person name",
    "organisation": "firm organisation organization institution",
    "fullname": "full generic nonproprietary proprietary official complete long name stand short spelled abbreviation",
    # "US cities": a country's own names qualify the places asked for, as the records' "United States" does
    "place": "country countries city cities state states location locations region us u.s usa",
    "city": "city cities town us u.s usa",
    "site": "site sites hospital hospitals clinic clinics institution institutions center centre centers centres",
    "count": "bigger larger smaller biggest largest smallest size",
    "date": "time point timepoint timing long"}.items()}
_NARROW_TYPES = {"site", "place", "city", "email", "phone", "zip", "nct", "money", "code", "dose", "percent", "person", "fullname",
                 "organisation"}
# design terms and the terms that exclude them: "Is it blinded?" answered by "Open-Label" is a no
_OPEN = r"\bopen[- ]label\b|\bunblinded\b|\bmasking\W+none\b"
_BLIND = r"(?<!un)\b(?:double|single|triple)?[- ]?blind(?:ed)?\b|\bmasked\b"
_RANDOMISED_ASKED = r"(?<!non-)(?<!non)\brandomi[sz](?:e|es|ed|ing|ation)\b"
_RANDOMISED = r"(?<!non-)(?<!non)\brandomi[sz]ed\b"
_SINGLE_ARM = r"\bsingle[- ](?:arm|group)\b"
_CONTRARIES = [(re.compile(a, re.I | re.S), re.compile(b, re.I | re.S)) for a, b in (
    (_BLIND, _OPEN), (_OPEN, r"(?<!un)\b(?:double|single|triple|quadruple)[- ]blind(?:ed)?\b|\bmasking\W+(?:single|double|triple|quadruple)\b"),
    (_RANDOMISED_ASKED, rf"\bnon-?randomi[sz]ed\b|{_SINGLE_ARM}"),
    (rf"\bnon-?randomi[sz]ed\b|{_SINGLE_ARM}", _RANDOMISED),
    (r"\bplacebo\b", rf"{_SINGLE_ARM}|\bopen[- ]label\b"),
    # a child asked about, adults only admitted: "Could a 15-year-old join?" of "adults with ..."
    (r"\b(?:child(?:ren)?|kids?|minors?|p(?:a)?ediatric|adolescents?|teen(?:s|agers?)?|infants?|(?:[1-9]|1[0-7])[- ]year[- ]olds?)\b",
     r"^(?!.*\b(?:child(?:ren)?|p(?:a)?ediatric|adolescents?|minors?)\b).*\badults?\b"),
    # rights everywhere asked about, rights in named territories given
    (r"\b(?:worldwide|world-wide|global(?:ly)?|everywhere|all (?:countries|territories|markets|regions))\b",
     r"^(?!.*\b(?:worldwide|world-wide|global(?:ly)?|all other)\b).*\bin (?:the )?(?:U\.S\.?|US|United States|EU|Europe|"
     r"European Union|United Kingdom|UK|Japan|China|Canada|North America)\b"))]
# a design asked about, said as such: "open-label?" of "Masking: None (Open Label)"
_DESIGN_AFFIRMS = [(re.compile(a, re.I), re.compile(b, re.I)) for a, b in (
    (_OPEN, _OPEN), (_RANDOMISED_ASKED, _RANDOMISED), (_SINGLE_ARM, _SINGLE_ARM))]
# a span saying just what is asked, which settles it as surely: "will some get no chemo at all?" of "... in the other
# no lymphodepletion regimen will be used"; "open-label?" of "Masking: None (Open Label)"
_AFFIRMS = [(re.compile(r"\b(?:no|without(?:\s+any)?)\s+(?:[\w-]+\s+){0,2}?(?:lymphodeplet\w*|conditioning|chemo\w*|prep\w*)\b", re.I),
             re.compile(r"\b(?:no|without)\s+(?:[\w-]+\s+){0,2}?(?:lymphodeplet\w*|conditioning|chemo\w*)\b", re.I)), *_DESIGN_AFFIRMS]
# ... and contraries that decide a span already chosen, but do not make a span the one to choose (a record's
# "Accepts Healthy Volunteers: No" answers better than its title's "in Patients With Myeloma")
_LOOSE_CONTRARIES = [(re.compile(a, re.I | re.S), re.compile(b, re.I | re.S)) for a, b in (
    # healthy volunteers asked about, patients with a disease enrolled
    (r"\bhealthy (?:volunteers?|people|persons|individuals|participants|adults|subjects)\b",
     r"^(?!.*\bhealthy\b).*\b(?:patients|subjects|adults|people|participants) with\b"),)]
# amounts that sound alike but are other money: a price is what is charged, a cost of goods what making it costs
_OTHER_MONEY = [(re.compile(a, re.I), re.compile(b, re.I)) for a, b in (
    (r"\b(?:price[sd]?|pricing|charge[sd]?|sells? for|selling for|reimburse\w*)\b", r"\bcost[- ]of[- ]goods\b|\bcogs\b|\bmanufacturing costs?\b"),
    (r"\bcost[- ]of[- ]goods\b|\bcogs\b|\bmanufacturing costs?\b|\bcosts? to (?:make|produce|manufacture)\b", r"\bprice[sd]?\b|\bpricing\b"))]
# one end of a range asked for, a span giving the other: "the highest dose" is no "starting cell dose of 20 million"
_MOST, _LEAST = r"highest|maximum|max|top|largest|greatest|peak", r"starting|initial|lowest|minimum"
_ENDS = [(re.compile(rf"\b(?:{a})\b", re.I), re.compile(rf"\b(?:{b})\b", re.I)) for a, b in ((_MOST, _LEAST), (_LEAST, _MOST))]
# (the most of a count is said "up to": "the maximum number of dose levels" of "up to four dose levels";
# the highest dose is not): asked, said, other
_COUNTED_ENDS = [(_ENDS[0][0], re.compile(rf"\b(?:{_MOST}|up to|at most)\b", re.I), _ENDS[0][1]), (_ENDS[1][0], _ENDS[1][0], _ENDS[1][1])]
_ENDED_TYPES = {"dose", "number", "count", "percent"}
# "Overall status: Terminated.": a labelled field whose value is a few words, no numbers
_FIELD_LINE = re.compile(r"([A-Z][\w ()/-]{1,40}):[ \t]+([^\d\n:]{1,60}?)\.?")
# "Is NCT01 an interventional or an observational study?": asks which, not whether
_ALTERNATIVES = re.compile(r"\b([\w-]+)\s+or\s+(?:an?\s+|the\s+)?(?!not\b)([\w-]+)(?:\s+(?:study|trial|one))?\s*\?\s*$", re.I)
_MEASURE_TYPES = {"percent", "number", "count", "date"}
# objective response rate = overall response rate (ORR); the primary disease response = the main one
_SAME_QUALIFIER = {stem("objective"): stem("overall"), stem("primary"): stem("main")}
# outcome measures reported by abbreviation alone ("31% confirmed ORR")
_ABBREVIATED = {k: tuple(stem(w) for w in v.split()) for k, v in {
    "orr": "overall response rate", "crr": "complete response rate", "os": "overall survival",
    "pfs": "progression free survival", "efs": "event free survival", "dfs": "disease free survival",
    "dor": "duration of response", "ttr": "time to response"}.items()}
# what a qualified measure ends in: "complete response rate", "median overall survival"
_DISEASE_NOUNS = {stem(w) for w in ("cancer", "cancers", "tumor", "tumors", "tumour", "tumours", "disease", "diseases")}
_MEASURE_NOUNS = {stem(w) for w in ("rate", "rates", "survival", "ratio", "duration", "time", "level", "score",
                                    "response", "remission", "concentration", "count", "interval")}
# words before a measure that set figures apart, not the measure: "different response rates", "their respective response rates"
_NOT_QUALIFIERS = {stem(w) for w in ("different", "differing", "various", "same", "respective", "separate", "distinct", "other",
                                     "quoted", "reported", "stated", "cited", "headline")}
# "the BCMA-directed myeloma study", "the dual-target lupus AlloCAR": a thing named by what it is
_SUBJECT = re.compile(r"\b(?:the|its|their|each|every)\s+((?:(?!(?:of|for|in|with|to|on|at|by|from|the|and|or|that|which|who)\b)[\w/.-]+[\s-]+){1,6}?)"
                      r"(?:product|therap(?:y|ies)|candidate|program(?:me)?|drug|asset|allocar\w*|car-?t\w*|cells?|study|trial)\b(?!-)", re.I)
# (the whole description: "the NK cell rheumatic disease study", "Allogene's ALLO-329 basket study")
_DESCRIBED_SIDE = re.compile(_SUBJECT.pattern.replace("{1,6}?", "{1,6}").replace("(?:the|its|their|each|every)", "(?:the|its|their|each|every|\\w+['’]s)"), re.I)
_RELATIONAL = re.compile(r"(?:ed|ing)$")  # "lupus-focused", "BCMA-directed": how a thing relates, not what it is
_GENERIC_HEADS = {"product", "therapy", "therapies", "candidate", "program", "programme", "drug", "asset", "cell", "cells",
                  "study", "trial"}


def _head(subject: str, unless: Collection[str]) -> str:
    """The noun a description ends in ("program" in "each Allogene CAR T program", "AlloCAR"), or ""
    when it is one of `unless`."""
    head = subject.split()[-1]
    return "" if head.casefold() in unless else head


_REFERS_BACK = re.compile(r"(?:These|Those|Such)\s+[a-z][\w-]*\b(?!\s+(?:of|from|in)\b)|They\s")
_META_WORDS = {"study", "trial", "clinical", "allogene", "patient", "therapy"}
# "which trials use a 3+3 design?", "which of the products targets CD70?": asks for the trial or product itself
_ASKS_WHICH_SUBJECT = re.compile(r"\b(?:which|what)(?:\s+of\s+the)?\s+(?:[\w-]+\s+){0,2}?(?:trials?|stud(?:y|ies)|products?|therap(?:y|ies)|"
                                 r"programs?|candidates?)\s+(?:(?:in|of|from|across|among)\s+(?:these|those|the|both|all)\s+\w+\s+)?"
                                 r"(?:\w+(?:s|ed)|is|are|was|were|will|would|can|could|do|did|has|have|had|use|"
                                 r"plan|test|target|include|enrol+|recruit|involve|give|require|measure|assess|allow|accept|evaluate|treat)\b", re.I)
# "between the ALLO-605 study and NCT06991114, which one plans to enroll more?": which of the two compared
_WHICH_ONE = re.compile(r"\bwhich\s+(?:one\b|of\s+(?:the\s+two|them|these|those)\b|(?:has|is|plans?|will|enrol\w*|targets?|uses?)\b)", re.I)
# "which candidates use ...", "which products incorporate ...": several products, each named by its own passage
_ASKS_WHICH_PRODUCTS = re.compile(r"\b(?:which|what)(?:\s+of\s+(?:the|its|their|[\w'’-]+['’]s?))?\s+(?:[\w-]+\s+){0,3}?"
                                  r"(?:products|therapies|programs|candidates|assets)\b", re.I)
# "which interventions make up the regimen": how parts form a whole, which asks for the parts, not these words
_PARTS_OF = re.compile(r"\b(?:make|makes|made|making) up\b|\bconsist(?:s|ed|ing)? of\b|\bcompris(?:e|es|ed|ing)\b|\b(?:is|are) composed of\b"
                       # and the words of spoken emphasis ("what is it basically?", "given along with"; not
                       # "actually", which may ask for the actual date, not the estimated one)
                       r"|\b(?:basically|literally|honestly)\b|\balong(?= with\b)", re.I)
# "what is X, the other thing they give?": a definition asked for; the words after the comma point to X
_DEFINES = re.compile(r"^\s*what(?:'s|’s|\s+(?:exactly\s+)?(?:is|are))\s+([^,]{2,60}?)\s*,\s*(?:the|a|an|which|that|who)\b", re.I)
# how precisely or surely the question asks, not what it asks about: "roughly how much", "exactly when", "does it really work"
# (and a spoken opening: "ok and ...", "hmm, so ...")
_HEDGES = frozenset(stem(w) for w in "roughly approximately approx exactly precisely currently ballpark really truly whether every together need needs "
                    "ok okay alright hmm".split())
# "how does the conditioning differ in A?": that it is set beside another, which each side's passage does not say
_COMPARING = frozenset(stem(w) for w in "differ differs differed difference differences".split())
_LOWER_BOUND = re.compile(r"(?:≥|>=|at least|minimum(?: of)?|more than|over)\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:years?\s+)?(?:and older|or older|or more|and over|\+)", re.I)
_UPPER_BOUND = re.compile(r"(?:≤|<=|<|up to|at most|no more than|under|maximum(?: of)?)\s*(\d+(?:\.\d+)?)", re.I)
_CHOICES = re.compile(r"\b(\d+)((?:\s*,\s*\d+)*)\s+or\s+(\d+)\b")


@dataclass(frozen=True)
class Question:
    text: str
    query: str  # what retrieval sees: the question, plus what a follow-up refers back to
    entities: frozenset[Entity]
    expects: str  # count | percent | date | number | dose | money | nct | phone | zip | code | person | fullname | yesno | other
    wants_list: bool
    count_nouns: frozenset[str] = frozenset()
    context: str = ""  # the earlier turn a follow-up leans on
    unknown: tuple[str, ...] = ()  # proper names the corpus never mentions
    read_in: tuple[str, ...] = ()  # phrases naming the document to answer from ("per the 2025 news article")
    excluded: tuple[str, ...] = ()  # what the question sets aside ("the study completion, not primary completion")
    each_source: bool = False  # asks what every document says ("across the two sources")
    glossed: tuple[Gloss, ...] = ()  # lay phrases and the documents' terms for them ("day to day" -> performance status)
    spelled: tuple[Gloss, ...] = ()  # abbreviations the documents only spell out ("DLTs" -> Dose Limiting Toxicities)
    sides: tuple[str, ...] = ()  # things described side by side ("the myeloma study compared with the NK cell study")


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


_CLAUSES = re.compile(r",?\s+and\s+(?=(?:\w+\s+){0,2}(?:what|when|which|how|who|where)\b)", re.I)


def asked_proper(question: str) -> str:
    """The question without who is asking, from where, and to whom it is passed on."""
    proper = _ASKER.sub("", _FRAMING.sub("", question))
    passed_on = _PASS_ON.sub("", proper).strip()
    return re.sub(r"\.$", "?", passed_on) if passed_on != proper.strip() else proper


def sub_questions(question: str, trial_names: frozenset[str], known: Callable[[str], bool]) -> list[str]:
    """Two questions asked as one ("What does ALLO-605 target, and what does the 2026 press release
    say ALLO-329 targets?"): its clauses, when each names its own subject (a product, trial or
    document) and the subjects differ; else the question alone. Each clause is then answered on
    its own, from its own search, and the answer cites both."""
    question = asked_proper(question)
    sides = _compared(question)
    if sides:
        return sides
    clauses = [c.strip(" ,;") for c in _CLAUSES.split(question.strip(), maxsplit=1)]
    if len(clauses) != 2 or not all(clauses):
        return [question]
    subjects = [(frozenset(question_entities(c, trial_names, known)), frozenset(d.phrase.casefold() for d in descriptors(c)))
                for c in clauses]
    if not all(entities or described for entities, described in subjects) or subjects[0] == subjects[1]:
        return [question]
    return [c if c.endswith("?") else c + "?" for c in clauses]


# two things set side by side, each named as a thing ("the IGNITE study", "its ALLO-329", "ALLO-605")
_SIDE = r"(?:the|its|their|[A-Z][\w-]*\d[\w-]*\b|[A-Z][\w-]*['’]s)\b[^,;?]*?"
_BETWEEN = re.compile(rf"^(?P<ask>.+?)\s+between\s+(?P<a>{_SIDE})\s+(?:and|versus|vs\.?)\s+(?P<b>{_SIDE})\s*(?P<rest>[,;?].*)?$", re.I)
_EITHER = re.compile(rf"^(?P<ask>(?:which|who|what)\b[^,;:?]+?)(?:,|:|\s[-–—])\s+(?P<a>{_SIDE})\s+or\s+(?P<b>{_SIDE})\s*(?P<rest>(?:[,;?]|[-–—]\s).*)?$", re.I)
_FOR_EACH = re.compile(rf"^(?P<ask>.+?)\s*[-–—,]?\s+for\s+(?P<a>{_SIDE})\s+(?:and|as well as)\s+for\s+(?P<b>{_SIDE})\s*(?P<rest>[.?].*)?$", re.I)
# "which conditions are targeted both by A and by B?", "... in both A and B", "... common to A and B"
_BOTH = re.compile(rf"^(?P<ask>.+?)\s+(?:both\s+(?P<joint>by|in|for|of)\s+(?P<a>{_SIDE})\s+and\s+(?:by|in|for|of)\s+|"
                   rf"(?P<joint2>by|in|for|of|to)\s+both\s+(?P<a2>{_SIDE})\s+and\s+|(?:common|shared)\s+(?P<joint3>to|by)\s+(?P<a3>{_SIDE})\s+and\s+)"
                   rf"(?P<b>{_SIDE})\s*(?P<rest>[.?].*)?$", re.I)
# "the enrollment sizes of the ALLO-605 study and the NK cell study": two things each named as a study or product
_OF_BOTH = re.compile(rf"^(?P<ask>.+?)\s+(?P<joint>of|for|in)\s+(?P<a>{_SIDE})\s+and\s+(?:(?:of|for|in)\s+)?(?P<b>{_SIDE})\s*(?P<rest>[.?].*)?$", re.I)
_SET_AGAINST = re.compile(rf"^(?P<ask>compare\s+[^,;?]+?)\s+(?:in|for|of)\s+(?P<a>{_SIDE})\s+(?:with|to|and|against)\s+(?P<b>{_SIDE})\s*(?P<rest>[.?].*)?$", re.I)


def _compared(question: str) -> list[str]:
    """"How does enrollment compare between the IGNITE study and the cord-blood NK study?",
    "Which will enroll more, A or B?", "Compare X in A with B": one question about each side
    ("How does enrollment compare in the IGNITE study?"), so that each side, however it is
    described, is searched for and cited on its own."""
    if _YESNO.match(question) or re.search(r"\b(?:first|earlier|sooner|later|before|after)\b", question, re.I):
        return []  # "is there a link between A and B?", "which came first, A or B?" set one against the other
    for pattern, joint in ((_BETWEEN, "in"), (_EITHER, "in"), (_SET_AGAINST, "in"), (_FOR_EACH, "for"), (_BOTH, ""), (_OF_BOTH, "")):
        m = pattern.match(question.strip())
        if not m or pattern is _OF_BOTH and not all(_SUBJECT.fullmatch(m.group(k).strip()) for k in ("a", "b")):
            continue  # ("the enrollment of the study and the start date": one thing, asked two things of)
        found = {k: v for k, v in m.groupdict().items() if v}
        a = found.get("a") or found.get("a2") or found.get("a3")
        joint = joint or found.get("joint") or found.get("joint2") or ("in" if found.get("joint3") == "to" else "by")
        if a.casefold() != m.group("b").casefold():
            # (what the sides share or how they differ is seen from the answers side by side)
            ask = re.sub(r"\s+(?:overlap(?:ping)?|in common|differ)\b", "", m.group("ask"), flags=re.I).rstrip(" ,-–—")
            return [f"{ask} {joint} {side}?" for side in (a, m.group("b"))]
    return []


def joined(answers: Sequence[Answer]) -> Answer:
    """One answer citing each sub-question's spans, numbered on from the one before; a span an
    earlier part already cites keeps its number, and a part's passage already quoted is not repeated."""
    text: list[str] = []
    spans: list = []
    number: dict[object, int] = {}
    for a in answers:
        local = {}
        for i, span in enumerate(a.spans, 1):
            key = _span_key(span)
            if key not in number:
                spans.append(span)
                number[key] = len(spans)
            local[i] = number[key]
        renumbered = re.sub(r"\[(\d+)\]", lambda m: f"[{local.get(int(m.group(1)), int(m.group(1)))}]", a.text)
        pieces = re.findall(r".*?(?:\[\d+\])+|.+$", renumbered, re.S)
        text += [p.strip() for p in pieces if p.strip() and p.strip() not in text]
    return Answer(" ".join(text), False, tuple(spans))


def _span_key(span: object) -> object:
    chunk = getattr(span, "chunk", None)
    return (chunk.source, chunk.start, chunk.end) if chunk is not None else span


_FILLER = re.compile(r"\s*(?:ok(?:ay)?|so|well|right|thanks|thank you(?: so much)?|great|sure|cool|got it|yes|hmm+)[\s,.!]*", re.I)


def _expects(q: str) -> tuple[str, frozenset[str]]:
    """The kind of value asked for. A question joining clauses that ask for different kinds
    ("When ..., and over what period ... rate?") asks for no single kind."""
    clauses = [c for c in _CLAUSES.split(q.strip()) if c and not _FILLER.fullmatch(c)]  # ("Okay, and what phase ...?")
    kinds = {_expects_one(c) for c in clauses or [q]}
    if len(kinds) > 1:
        return "other", frozenset()
    return kinds.pop()


# how big a study is: "how large is the trial", "which study is bigger", "which will enroll more people"
# (not "how big an improvement")
_SIZE = re.compile(r"\bhow (?:large|big)\b(?!\s+(?:an?|the)\s+(?!study\b|trial\b|cohort\b)[\w-]+)|"
                   r"\b(?:bigger|larger|smaller|biggest|largest|smallest)\s+(?:[\w-]+\s+){0,2}(?:study|studies|trials?|cohorts?)\b|"
                   r"\b(?:study|trial|cohort)s?\s+(?:[\w-]+\s+){0,4}(?:bigger|larger|smaller|biggest|largest|smallest)\b|"
                   r"\b(?:enrol+s?|enrol+ing|recruits?|recruiting)\s+more\b|\bmore (?:participants|patients|people|subjects)\b")


# "where" asking no place: "describe where it fits", "where do the cells come from?" (what they are made from)
_NOT_A_PLACE = (r"(?!(?:\s+[\w'’-]+){1,8}?\s+(?:fits?|slots?|sits?|stands?|ranks?|falls?|comes? in|"
                r"comes? from|came from|originat\w*|deriv\w*|sourced|obtained|harvested|grown|taken from|collected)\b)")


def _expects_one(q: str) -> tuple[str, frozenset[str]]:
    ql = re.sub(r"\b(what|which|who|where|when|how)['’]s\b", r"\1 is", q.lower())  # "what's the dose"
    ql = re.sub(r"^\s*(?:and|so|but|also|then|ok(?:ay)?)\b[,\s]*", "", ql)  # "and when do they expect results?"
    if re.match(r"\s*when\b|\s*which\b(?:\s+[\w-]+){0,4}\s+(?:first|earlier|sooner|later)\b", ql):
        return "date", frozenset()  # "which started first: A or B?" compares dates
    if re.search(r"\b(?:what|which) (?:time ?frames?|duration|length of time)\b|"  # ("what time frame is given for the response rate?")
                 r"\b(?:over|during|within|in|for|across) what (?:(?:time )?periods?|window)\b|"
                 r"\b(?:over|for|within) how long\b|\bhow long\b(?! ago)|\bhow much (?:time|longer)\b|"
                 r"\b(?:at|by) (?:what|which) (?:time ?)?points?\b|\b(?:what|which) time ?points?\b", ql):
        return "date", frozenset()  # "over what time frame is the response rate assessed?" asks when, not a rate
    last = re.split(r"(?<=[.!?])\s+(?=[A-Z])|(?<=[?!])\s+(?=[a-z])|(?<=\.)\s+(?=(?:what|which|who|where|when|how|is|are|does|do|did|can|could|will|would)\b)|"
                    r"\s+[-–—]\s+(?=[a-z]+\b)|:\s+(?=[a-z]+\b)", q.strip())[-1]  # ("... on levothyroxine - could they join?", "Quick check: does it ...?")
    if _YESNO.match(last) or _YESNO.match(_LEAD_CLAUSE.sub("", last)) or _TAG.search(last):  # "If she had a transplant, could she enroll?"
        return "yesno", frozenset()
    asks_what = bool(re.search(r"\b(?:what|which|who|whom|whose|where|when|why|how)\b", ql))
    if _TERSE_YESNO.search(q) and not asks_what:
        return "yesno", frozenset()  # "ALLO-329 – CRISPR-edited?", "ALPHA3: randomized design?"
    if re.search(r"\b(?:what|which)\s+(?:clinical\s+|trial\s+|development\s+|study\s+)?phase\b(?!\s+(?:[1-4]|i{1,3}|one|two|three)\b)(?!\s*(?:,|&|/|and\b|or\b|plus\b))", ql):  # (not "what phase and enrollment")
        return "phase", frozenset()  # "what phase is it in?": a phase numbered
    if re.search(r"\be-?mail\b", ql):
        return "email", frozenset()
    if re.search(r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,2}(?:hospitals?|clinics?|medical cent(?:er|re)s?|cancer cent(?:er|re)s?|institutions?)\b", ql):
        return "site", frozenset()  # "which hospital in Portugal": a site's name, not a country
    if re.search(r"\b(?:which|what|in which)\s+(?:[\w.-]+\s+){0,2}(?:cities|city|towns?)\b", ql):
        return "city", frozenset()
    if re.search(r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,2}(?:countries|country|cities|city|states?|regions?|locations?)\b|"
                 rf"(?:^|[,;:]\s*|\b(?:and|or|me|us)\s+)where\b{_NOT_A_PLACE}|"
                 rf"\bwhere\s+(?:is|are|was|were|will|would|can|could|do|does|did|exactly)\b{_NOT_A_PLACE}|"
                 r"\bin which (?:country|countries|city|cities|state|states)\b", ql):
        return "place", frozenset()
    if re.search(r"\b(?:phone|telephone)\b", ql):
        return "phone", frozenset()
    # "the registration number of X" names an identifier, not a count
    m = re.search(r"\b(?:how many|(?<!registration )(?<!registry )(?<!identification )(?<!reference )number of)\s+((?:[\w/-]+\s+){0,3}[\w/-]+)", ql)
    if m:
        phrase = []
        for w in m.group(1).split():  # the noun phrase ends where a verb or preposition starts
            if w in _VERBS or w in _PREPOSITIONS:
                break
            phrase.append(w)
        return "count", frozenset(stem(w) for w in phrase if w not in STOPWORDS and not w[0].isdigit())
    if re.search(r"\bwho\b.*\b(?:contact|investigator|pi)\b|\bwhom\b|\b(?:contact|investigator|pi)(?:'s)? (?:person|name)\b|"
                 r"\bname of the (?:contact|investigator)\b|"
                 # "who is Allogene's top doctor?", "who is the CEO?": a person holding a role
                 r"\bwho\s+(?:is|was|are|were)\s+(?:the\s+|[\w'’-]+['’]s?\s+)?(?:[\w-]+\s+){0,2}(?:ceo|cmo|cfo|coo|officer|president|"
                 r"director|chief|head|doctor|physician|founder|chair(?:man|woman|person)?|executive|advisor|adviser|spokes(?:man|woman|person))\b", ql):
        return "person", frozenset()
    # ("what does the company expect" asks what it expects, not which company)
    if re.search(r"\b(?:which|what)\s+(?:(?!(?:does|do|did|is|are|was|were|will|would|has|have|can|could|should)\b)[\w-]+\s+){0,2}"
                 r"(?:company|companies|firm|organi[sz]ations?|institutions?|sponsors?|"
                 r"manufacturer|developer)\b(?!-)|\bwho\s+(?:\w+\s+){0,2}(?:sponsor|fund|develop|manufacture)s?\b", ql):
        return "organisation", frozenset()  # (not "which sponsor-assigned number")
    if re.search(r"\b(?:zip|postal) ?code\b", ql):
        return "zip", frozenset()
    if re.search(r"\bcode ?name\b|\bcode\b.*\bproduct\b|\bproduct code\b", ql):
        return "code", frozenset()
    if re.search(r"\b(?:full|generic|(?:non-?)?proprietary|official|complete|long|spelled-out)\s+(?:\w+\s+)?name\b|"
                 r"\bstands? for\b|\bshort for\b|\bspelled out\b|\babbreviation\b", ql):
        return "fullname", frozenset()
    if re.search(r"\b(?:nct|trial id|registry|registration|clinicaltrials\.gov)\b.*\b(?:number|id|identifier)\b|\bnct (?:number|id|identifier)\b", ql):
        return "nct", frozenset()
    if re.search(r"\b(?:prices?|costs?|costing|charges?|pay|expenses?|how much money)\b", ql):
        return "money", frozenset()
    if re.search(r"\b(?:percent|percentage|proportion|share of|fraction of|rates?|orr)\b", ql) and re.search(r"\b(?:what|which|how)\b", ql):
        return "percent", frozenset()
    # ("which scheme finds how much can be given?" asks for the scheme: the first question word decides)
    if re.search(r"\b(?:what|which)\s+(?:[\w()-]+\s+){0,6}(?:doses?|dosages?|rp2d|mtd)\b(?!-| limiting)|"
                 r"^(?:(?!\b(?:what|which|who|where|when)\b).)*?(?<!by )\bhow much\b(?!\s+(?:better|higher|more|lower|greater|larger|longer|less))"
                 # ("how much does the score have to drop?" asks for a change, not an amount given)
                 r"(?![^?]*\b(?:drop|fall|improv|chang|ris|increas|decreas|declin|shrink|grow|reduc|go (?:down|up)|get better|get worse)\w*)", ql):
        return "dose", frozenset()
    if re.search(r"\b(?:enrollment|enrolment|sample size|head ?count)\b", ql) or re.search(_SIZE, ql):
        return "count", frozenset({"participant"})
    if re.search(r"^\s*when\b|\bwhat (?:date|year|month|day)\b|\b(?:at|by) what (?:point|time)\b|\bwhich (?:date|year|month|week)\b|\bhow long\b|\bby when\b|\btime ?frames?\b|\bdate\b|\buntil when\b|\btiming\b", ql):
        return "date", frozenset()
    if re.search(r"^(?:(?!\b(?:what|which|who|where|when)\b).)*?\bhow (?:much|old|high|low)\b|\bhow (?:big|large|great|small) (?:an?|of an?) (?:[\w-]+ )?(?:drop|improvement|change|reduction|"
                 r"decrease|increase|gain|difference|rise|fall|shift|benefit)\b|\bwhat (?:[\w-]+ ){0,2}(?:age|threshold|cut-?off|score|level|value)\b|\bminimum age\b|\bthreshold\b|\bcut-?off\b", ql):
        return "number", frozenset()
    if not asks_what:
        # a fragment ("Recommended Phase 2 dose selected for ALLO-605?", "Last update posted date on
        # the record") asks for what its noun names, as "what ..." would
        return _expects_one("what " + q)
    return "other", frozenset()


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """Proper names in the question that the corpus never uses (a competitor's product, say)."""
    from wordfreq import zipf_frequency

    out = []
    for m in re.finditer(r"(?<![\w-])([A-Z][\w]*(?:-[\w]+)*|[a-z]{3,}-cel)(?![\w-])", question):
        word = m.group(1)
        sentence_start = not question[: m.start()].strip() or question[: m.start()].rstrip()[-1:] in ".?!\"“("
        if (sentence_start and not word.isupper()) or (word.isupper() and len(word) <= 3):
            continue  # "What ...", and short abbreviations (NK, ZIP) that may be spelt out
        # ("NK-cell": a short abbreviation joined to a word the documents use may be spelt out too)
        parts = [fold(p.casefold()) for p in re.split(r"-", word) if p and not (p.isupper() and len(p) <= 3)]
        # ("MRD-negative": an abbreviation the documents use, joined to everyday words)
        by_abbreviation = "-" in word and any(p.isupper() and len(p) <= 3 and known(p.casefold()) for p in word.split("-"))
        single = word[:-1] if word.endswith("s") and word[:-1].isupper() else word  # ("IDs": the everyday "ID", more than one)
        if zipf_frequency(single.casefold(), "en") >= 4.0 or any(c.isdigit() for c in word):
            continue
        # ("SITC-era", "Dagger-based": a name the documents use, joined to an everyday word)
        key = fold(word.casefold())  # ("Sjogrens", without the documents' accent)
        if not known(stem(key)) and not known(key) and not (
                parts and (known(stem(parts[0])) or by_abbreviation)
                and all(known(stem(p)) or zipf_frequency(p, "en") >= 4.0 for p in parts)):
            out.append(word)
    # a thing named by a word and its number or code (Station 17-4, Building 12b): the number
    # identifies it, so one the corpus never uses names something it does not cover
    for m in re.finditer(r"(?<![\w-])([A-Z][a-z]+) (\d[\w.]*(?:-\w+)+|\d+[a-z]\w*)(?![\w-])", question):
        if m.group(1).casefold() not in _MONTHS_AND_DAYS and not known(m.group(2).casefold()):
            out.append(m.group(0))
    return out


def analyze(question: str, history: Sequence[Turn], trial_names: frozenset[str],
            known: Callable[[str], bool] = lambda t: True, lead_as_context: bool = False) -> Question:
    """The question as the answerer reads it. `lead_as_context`: the sentences before the last are
    the asker's situation, however they are worded."""
    question = corrected(asked_proper(question), known)
    # what the asker says of their own situation, before or after the question, may name what is asked about, but is not what is asked
    said = question
    situation, question = _situation(question, lead_as_context)
    # "the dual-target lupus AlloCAR": a brand heading a description names a kind of product, not one
    kinds = {_head(m.group(0), _GENERIC_HEADS).casefold() for m in _SUBJECT.finditer(said)}
    entities = {e for e in question_entities(said, trial_names, known) if e.key not in kinds}
    set_aside = tuple(m.group(0) for m in _SET_ASIDE.finditer(question))
    if set_aside:  # "ALLO-329, like the oncology AlloCAR T products": what it is likened to is not asked about
        entities = {e for e in question_entities(_without(question, set_aside), trial_names, known) if e in entities} or entities
    query = question
    if history and (not entities or _PRONOUN.search(question)):
        # A follow-up ("How many will it enroll?") is about what the conversation was about.
        recent_user = next((t.content for t in reversed(history) if t.role == "user"), "")
        for turn in reversed(history):
            named = question_entities(turn.content, trial_names, known)
            if named and not entities:
                entities = named
                break
        context = " ".join(sorted(e.key.upper() for e in entities)) if entities else ""
        query = f"{question} ({recent_user}{' ' + context if context and context not in recent_user.upper() else ''})"
    sources = tuple(m.group(0) for m in _ALL_SOURCES.finditer(said))
    wording = _without(question, set_aside)
    # "Can you give me the endpoints?" asks for them, not whether one can
    expects, nouns = _expects(_REQUEST.sub("", wording))
    glossed = glosses(wording)
    # the documents' own terms for the question's lay phrases join the search
    searched = (f"{situation} " if situation else "") + query + "".join(f" {g.terms}" for g in glossed)
    # shorthand the documents spell out ("PoC" for proof-of-concept) is not a name they never mention
    glossed_words = {w for g in glossed if any(known(m) for m in g.members) for w in re.findall(r"[\w-]+", g.phrase)}
    unknown = tuple(u for u in unknown_names(said, known) if u.casefold() not in glossed_words)
    return Question(question, searched, frozenset(entities), expects, bool(_LIST.search(wording)), nouns,
                    (f" ({situation})" if situation else "") + query[len(question):], unknown,
                    read_in=sources, excluded=set_aside, each_source=bool(sources) or bool(_WHICH_OF_MANY.search(wording) or _EACH_SAYS.search(wording)),
                    glossed=glossed, sides=_sides(wording))


def has_lead(question: str) -> bool:
    """Whether the question proper comes after sentences of its own ("My dad is worn out. ... What
    ECOG score does the study need?")."""
    return _lead_split(question) is not None


def _lead_split(question: str) -> tuple[str, str] | None:
    """The sentences before the last, and the last, when the last asks something."""
    question = question.strip()
    m = _LAST_SENTENCE.search(question)
    last = question[m.end() :] if m else ""
    if not m or not (last.endswith("?") or _ASKING.match(last) or _REQUEST.match(last)):
        return None
    lead = question[: m.start()].strip()
    if _PRONOUN.search(last) or _SOMEONE.search(last):
        # ("... Does that study have a name? What is it called?": the sentence it points back to asks it too)
        before = _LAST_SENTENCE.search(lead)
        if not before:
            return None
        lead, last = lead[: before.start()].strip(), lead[before.end() :] + " " + last
    return lead, last


def _situation(question: str, whole_lead: bool = False) -> tuple[str, str]:
    """What the asker says of their own situation before or after the question proper, and the
    question. With `whole_lead`, every sentence before the last is the asker's situation."""
    split = _lead_split(question) if whole_lead else None
    if split:
        return split
    before = _SITUATION.match(question)
    rest = question[before.end() :] if before else question
    pointing = _PRONOUN.search(_EXISTENTIAL.sub(" ", rest)) or _SOMEONE.search(rest)  # ("is there any blinding?" points nowhere)
    if before and pointing:
        # ("... the Phase 2 study of cord blood NK cells. What is its NCT identifier?": what "its" is;
        # "My mother had a donor transplant. Can she enroll?": who "she" is, which is what is asked)
        before, rest = None, question
    after = _AFTERTHOUGHT.search(rest)
    told = [question[: before.end()].strip()] if before else []
    if after:
        told.append(after.group(1).strip())
        rest = rest[: after.start() + 1]
    return " ".join(told), rest


def _sides(wording: str) -> tuple[str, ...]:
    """The trials or products a question sets side by side by description ("the ALLO-605 myeloma
    study compared with the NK cell rheumatic disease study"); none unless it compares two."""
    described = tuple(dict.fromkeys(m.group(0) for m in _DESCRIBED_SIDE.finditer(wording)))
    return described if len(described) > 1 and _COMPARED.search(wording) else ()


def _quantities(text: str) -> list[str]:
    return [m.group(0) for m in _QUANTITY.finditer(text) if not re.fullmatch(r"(?:19|20)\d\d", m.group(0))]


def _short_names(q: Question) -> list[str]:
    """What a full-name question asks to spell out: its entities (cema-cel) and acronyms (RCC)."""
    return [e.key for e in q.entities] + re.findall(r"(?<![\w-])[A-Z]{2,6}(?![\w-])", q.text)


# what a count of one thing is a count of, said otherwise: treatments made are doses made
# (and treatments been through are lines of therapy: "how many treatments must he have had?" of "≥3 prior lines")
_COUNTED_ALIKE = {stem("treatments"): {stem("doses"), stem("lines")}, stem("courses"): {stem("doses")}, stem("units"): {stem("doses")}}


def has_expected(q: Question, text: str) -> bool:
    if q.expects == "email":
        return "@" in text
    if q.expects == "place":
        return has_place(text)
    if q.expects == "city":
        return has_city(text)
    if q.expects == "site":
        return bool(_INSTITUTION.search(text))
    if q.expects == "phone":
        return bool(_PHONE.search(text))
    if q.expects == "person":
        return bool(_PERSON.search(text))
    if q.expects == "organisation":
        # "which company granted Allogene the rights?": another company than the one the question names
        named = {re.sub(r"'s$", "", w).casefold() for w in re.findall(r"\b[A-Z][\w&'.-]+", q.text)}  # ("Allogene's pipeline")
        found = [m.group(0) for pattern in (_ORGANISATION, _ORGANISATION_ACTS) for m in pattern.finditer(text)]
        # ("About Allogene Therapeutics" is Allogene too)
        return bool(_SPONSOR_FIELD.search(text) or any(not (f[0].isupper() and any(w.casefold() in named for w in f.split()[:-1] or f.split()))
                                                       for f in found))
    if q.expects == "zip":
        return bool(re.search(r"\b\d{5}(?:-\d{4})?\b", text))
    if q.expects == "code":
        return bool(CODE.search(text))
    if q.expects == "fullname":  # "cemacabtagene ansegedleucel (cema-cel)", "renal cell carcinoma (RCC)"
        return any(re.search(rf"\w\s*\(\s*{re.escape(n)}\s*\)|\b{re.escape(n)}\s*\(\s*\w", text, re.I)
                   for n in _short_names(q))
    if q.expects == "nct":
        return bool(NCT.search(text))
    if q.expects == "phase":
        return bool(_PHASE_NUMBERED.search(text))
    if q.expects == "percent":
        return bool(_PERCENT.search(text))
    if q.expects == "money":
        return bool(_MONEY.search(text))
    if q.expects == "dose":
        return bool(_DOSE.search(text))
    if q.expects == "date":
        return bool(_DATE.search(text))
    if q.expects == "number":
        return bool(_quantities(text))
    if q.expects == "count":
        nouns = set().union(*(synonyms(n) | _COUNTED_ALIKE.get(n, set()) for n in q.count_nouns)) if q.count_nouns else set()
        # each word with its index terms ("T-cells": t-cells, t, cell), so a joined word is one word of the window
        words = [f for f in (tokens(w, keep_stopwords=True) for w in text.split()) if f]
        for i, forms in enumerate(words):
            w = forms[0]
            if (re.fullmatch(r"\d[\d,]*", w) and not re.fullmatch(r"(?:19|20)\d\d", w)) or (w in NUMBER_WORDS and w != "one"):
                # "136 participants", "26 patients who", "enrollment is 92", "80 million CAR T-cells"
                near = [x for f in words[i + 1 : i + 4] + words[max(0, i - 3) : i] for x in f]
                if not nouns or any(x in nouns for x in near):
                    return True
        return False
    return True


@dataclass(frozen=True)
class _Concept:
    members: frozenset[str]
    weight: float
    known: bool  # the corpus uses some member
    specific: float  # 1 for domain terms, low for everyday words
    typed: bool = False  # names the kind of value asked for ("ZIP code"), which a typed candidate holds
    name: bool = False  # capitalised inside the question: names a place, site or organisation (Denver)
    presence: float = -1.0  # weight against a document that never uses it; -1: the weight (a describing word weighs its full weight)
    asked: bool = True  # in the question itself, not only in the earlier turn a follow-up leans on


class Answerer:
    """Extractive, the default. `scope_of(source)` gives a document's Scope (chunks, entities)."""

    name = "extractive"

    def __init__(self, idf: Callable[[str], float], scope_of: Callable[[str], Scope], known: Callable[[str], bool],
                 min_score: float = 0.33, min_coverage: float = 0.15, min_dense: float = 0.2, list_margin: float = 0.15, pair_margin: float = 0.03) -> None:
        self.idf = idf
        self.scope_of = scope_of
        self.known = known
        self.min_score = min_score
        self.min_coverage = min_coverage
        self.min_dense = min_dense
        self.list_margin = list_margin
        self.pair_margin = pair_margin

    # --- scoring --------------------------------------------------------------------------------
    def concepts(self, q: Question) -> list[_Concept]:
        out = []
        entity_words = _entity_words(q.entities)
        # "according to the 2025 news article": which document to read, not what the passage says
        wording = _PARTS_OF.sub(" ", _REQUEST.sub("", _without(q.text, q.read_in + q.excluded)))  # ("run me through": no word asked)
        named = _DEFINES.match(wording)
        if named and any(e.key in named.group(1).casefold() for e in q.entities):
            wording = wording[: named.end(1)]  # "What is ALLO-647, the other drug given with ALLO-605?": what it is
        asked = tokens(wording)
        # a lay phrase is one idea, which the documents say in their own terms
        glossed = [g for g in q.glossed if any(self.known(m) for m in g.members)]
        lay = {t for g in glossed + list(q.spelled) for t in tokens(g.phrase)}
        for g in glossed:
            out.append(_Concept(g.members, min(self.idf(m) for m in g.members if self.known(m)), True, GLOSSED_SPECIFICITY))
        # (a spelt-out abbreviation covers a passage that says it; a document not saying it may still be
        # about it, "the NK cell trial" beside a study of T cells; it weighs what the abbreviation itself,
        # unseen, would: by how specific a word it is)
        out += [_Concept(g.members, self.idf(g.phrase) * max(0.25, specificity(g.phrase)), True, SPELLED_SPECIFICITY)
                for g in q.spelled]
        asked = [t for t in asked if t not in lay]
        # a capitalised word inside the question names something (Germany, FDA): treat as specific
        names = {stem(fold(w.casefold())) for w in re.findall(r"(?<=[\w,;:] )[A-Z][\w-]+", wording)
                 if w.casefold().rstrip(".") not in _MONTHS_AND_DAYS}
        surface = surface_forms(wording + " " + q.context)
        focus = _focus(wording)
        # (not in a yes/no question: "is the AlloNK study interventional?" is decided on a span about it)
        # what a description calls the thing ("program") weighs as little, but not "study" or "trial":
        # passages are told apart by which study they are about
        described = {t for m in _SUBJECT.finditer(wording) for t in tokens(m.group(1) + " " + _head(m.group(0), ("study", "trial")))
                     } if q.expects != "yesno" else set()
        names -= described  # "the anti-BCMA CAR T study": what the study is, not a site or party named
        type_words = _TYPE_WORDS.get(q.expects, frozenset()) | (_PUBLICATION_WORDS if _asks_publication(q) else frozenset())
        # "what are the two antigens": how many are asked for, which a passage naming them need not say
        counted = {t for pattern in (_HOW_MANY_ASKED, _HOW_MANY_DISTINCT) for m in pattern.finditer(wording) for t in tokens(m.group(1))}
        for t in dict.fromkeys(asked + tokens(q.context)):
            if t in entity_words or t in _HEDGES or t in _COMPARING or t in counted:
                continue  # entities are checked by scope, not by wording; "roughly" asks nothing
            if JOINERS.search(t) and (not self.known(t) or all(len(p) >= 3 and p.isalpha() for p in JOINERS.split(t))) and all(stem(p) in asked for p in JOINERS.split(t) if p):
                continue  # "drugs/interventions": its parts are asked, each on its own
            members = synonyms(t)
            # an unseen word with a known synonym weighs what the synonym the documents use weighs
            known_members = [m for m in members if self.known(m)]
            if self.known(t) or known_members:
                base = self.idf(t) if self.known(t) else min(self.idf(m) for m in known_members)
            else:  # no document uses it: weigh it by how specific it is (whole < price < Carvykti)
                base = self.idf(t) * max(0.25, specificity(surface.get(t, t)))
            weight = base * (0.3 if t in _META_WORDS else 1.0) * (1.0 if t in asked else 0.25) * (FOCUS if t == focus else SUBJECT if t in described else 1.0)
            specific = 1.0 if t in names else specificity(surface.get(t, t))
            # "ZIP code", "countries": every candidate holds a value of the asked type (has_expected),
            # which is what these words ask for; they are covered by it, never foreign
            concept = _Concept(members, weight, any(self.known(m) for m in members), specific, t in type_words, t in names,
                               weight / SUBJECT if t in described and t != focus and not _RELATIONAL.search(surface.get(t, t)) else -1.0,
                               t in asked)
            same = next((i for i, c in enumerate(out) if c.members == members), None)
            if same is None:
                out.append(concept)
            elif out[same].weight < weight:  # "data findings": one idea, counted once
                out[same] = concept
        return out

    @staticmethod
    def foreign_specific(concepts: list[_Concept], doc_tokens: frozenset[str]) -> bool:
        """A domain term of the question (lupus, Germany) that the corpus uses elsewhere but this
        document never does: the document is about something else."""
        return any(c.known and not c.typed and c.specific >= 0.9 and c.weight > 0 and c.asked and not _in_document(c.members, doc_tokens)
                   for c in concepts)  # (an earlier turn's word may be its lay name for what the document says: "scleroderma")

    def coverage(self, concepts: list[_Concept], text_tokens: set[str], heading_tokens: set[str]) -> float:
        total = sum(c.weight for c in concepts)
        if not total:
            return 1.0  # "What is ALLO-647?": nothing to cover beyond the entity itself
        return sum(c.weight if c.typed or c.members & text_tokens else 0.4 * c.weight if c.members & heading_tokens else 0.0
                   for c in concepts) / total

    def score(self, concepts: list[_Concept], hit_dense: float, text_tokens: set[str], heading_tokens: set[str],
              doc_tokens: frozenset[str]) -> float:
        total = sum(c.weight for c in concepts) or 1.0
        covered = self.coverage(concepts, text_tokens, heading_tokens) * total
        # a term the corpus uses but this document never does: the document is about something else
        # (a describing word need not be in the passage, but the document must be about what it describes)
        foreign = sum((c.weight if c.presence < 0 else c.presence) * c.specific ** 2
                      for c in concepts if c.known and not c.typed and not c.members & doc_tokens)
        return 0.5 * hit_dense + 0.5 * covered / total - 0.35 * foreign / total

    def _typed_neighbours(self, q: Question, hits: Sequence[Hit]) -> list[Hit]:
        """For a narrow answer type (a place, a phone number, a dose), the units of the best
        documents that hold one, even when they share no word with the question."""
        published = _asks_publication(q)
        if (q.expects not in _LOOKUP_TYPES and not published) or not hits:
            return []
        seen = {h.chunk.id for h in hits}
        typical = _typical_dense(hits)
        sources = list(dict.fromkeys(h.chunk.source for h in hits))[:3]
        out = []
        for source in sources:
            title = next(h.title for h in hits if h.chunk.source == source)
            for c in self.scope_of(source).chunks:
                if c.id not in seen and (DATELINE.search(c.text) if published else has_expected(q, c.text)):
                    out.append(Hit(c, title, typical, 0.0, 0.0))
        return out[:60]

    def candidates(self, q: Question, hits: Sequence[Hit], strict: bool = True) -> list[Picked]:
        hits = list(hits) + self._typed_neighbours(q, hits)
        concepts = self.concepts(q)
        concepts_total = sum(c.weight for c in concepts)
        known = [c for c in concepts if c.known]
        # a looked-up value (phone, contact, ZIP) belongs to the named site it is asked for: the
        # span holding it must name that site too, or it is some other site's value
        # (a site the documents never name, "the Dallas site", has no value to look up)
        # (names listed one after another, "in relapsing RA, myositis, SSc or Sjögren's", say which study, not which site)
        listed = {t for m in _NAMES_LISTED.finditer(q.text) for t in tokens(m.group(0))}
        anchors = [c.members for c in concepts if c.name and not c.typed and (c.known or q.expects in _SITE_VALUES)
                   and not c.members & listed] if q.expects in _LOOKUP_TYPES - {"nct"} else []  # (a trial's NCT id belongs to the trial, which scope checks)
        # (a lay time point, "at the one-year mark", names the documents' "Week 52": a qualifier, not a value)
        qualified = _qualified_numbers(q.text) + [tuple(t.split("-")) for g in glosses(q.text) for t in g.terms.split()
                                                  if re.fullmatch(r"[a-z]+-\d+", t)]
        published = _asks_publication(q)
        # "what rate has it achieved?": a figure a sentence only supposes ("a 25% gain could signal") is no result
        # ("how big a gain would it need to show?" asks for the supposed figure itself)
        achieved = q.expects in _MEASURE_TYPES and bool(_ACHIEVED.search(q.text)) and not _HYPOTHETICAL.search(q.text)
        measures = _measure_phrases(q.text) if q.expects in _MEASURE_TYPES else []
        # (a count of something else, "how many prior regimens must they have to enroll?", is no enrollment)
        enrolment = (q.expects == "count" and bool(_ENROLMENT.search(q.text))
                     and (not q.count_nouns or any(n in synonyms(stem("participants")) for n in q.count_nouns)))
        asks_conditions = any(c.members & _CONDITION_WORDS for c in concepts)
        names_conditions = bool(_WHICH_CONDITIONS.search(q.text))  # (answered only by a span naming one)
        names_regimen = bool(_ASKS_REGIMEN.search(q.text)) and q.expects != "yesno"
        asks_agents = bool(_ASKS_AGENTS.search(q.text))
        defining = _DEFINING.search(q.text)  # (of two things named, the one asked what it is)
        defined = [e for e in q.entities if e.key == defining.group(1).casefold()] if defining else []
        defined = defined or list(q.entities)
        # "the primary completion date": the date of that event, which the span must name
        event = _dated_event(q.text) if q.expects == "date" else ()
        # words only the set-aside phrase uses: a span holding them is about what was set aside
        shunned = {t for phrase in q.excluded for t in tokens(phrase)} - set(tokens(_without(q.text, q.excluded)))
        # (of them, the telling ones: "unlike the Cellectis technology used in the oncology products"
        # sets aside Cellectis and oncology, not every passage saying "technology")
        shunned = {t for t in shunned if specificity(t) >= SHUNNED_SPECIFICITY} or shunned
        # "what launch price?": the other money the question is not asking about
        other_money = [(asked, other) for asked, other in _OTHER_MONEY if asked.search(q.text)]
        other_end = [(said, other) for asked, said, other in _COUNTED_ENDS if asked.search(q.text)] if q.expects == "count" else \
            [(asked, other) for asked, other in _ENDS if asked.search(q.text)] if q.expects in _ENDED_TYPES else []
        # "the lupus cell therapy": a passage naming one product, in a document the description fits,
        # is about that product; one naming none may be about the company's platform as a whole
        fits = [self._fitting(q, m.group(1), {h.chunk.source for h in hits}) for m in _SUBJECT.finditer(q.text)
                if not re.search(r"(?:study|trial)$", m.group(0), re.I)] if not q.entities and q.expects != "yesno" else []
        fits = [f for f in fits if f is not None]
        subject_docs = set.intersection(*fits) if fits else set()
        quoted = _quoted(q.text)
        out: dict[tuple[str, int, int], Picked] = {}
        # the question's words its document's title says ("the cord-blood NK cell study" of a document titled
        # "... Cord Blood-Derived Natural Killer Cells ...") say which document, not what a passage of it must say
        lifts: dict[tuple[str, int, int], float] = {}
        asked_words = set(tokens(q.text))
        for h in hits:
            scope = self.scope_of(h.chunk.source)
            titled = set(tokens(h.title)) & asked_words
            # (a yes/no question about a product the document is about: a term it never uses says no,
            # "does ALLO-329 target BCMA?" of a document saying it targets CD19 and CD70)
            if strict and self.foreign_specific(concepts, scope.tokens) and not (
                    q.expects == "yesno" and q.entities and q.entities <= scope.doc_entities):
                continue
            # shares a word with the question but is about something else; a short field holding
            # every word asked ("Masking: None" for "is IGNITE blinded?") is about just that
            # "is it a phase 1 trial?", "is it single-arm?": a span numbering the phase, or saying the
            # contrary ("a randomized study"), says yes or no however it is worded
            settles = q.expects == "yesno" and _settles(q.text, qualified, h.chunk.text)
            if (h.dense < self.min_dense and not (published and DATELINE.search(h.chunk.text)) and not settles
                    and not (known and self.coverage(known, set(tokens(h.chunk.text)), set()) >= 1.0)):
                continue
            spans = [h.chunk]
            # a label's value, a site's address and contact, the list a sentence introduces
            last = h.chunk
            for _ in range(2):
                # a row or short line may have its value on the next line (past the row's empty
                # cells: a site's row, then its contact); prose does not
                needs_value = (q.expects not in ("other", "yesno") and not has_expected(q, _unqualified(qualified, spans[-1].text))
                               and (last.kind != "text" or len(last.text) < 80))
                nxt = scope.neighbour(last, 1, past_cells=needs_value)
                if nxt is None or not (q.wants_list or _label_like(last) or needs_value):
                    break
                spans.append(_join(scope.text, h.chunk, nxt))
                last = nxt
            # a sentence leading into the next ("... are checked at Week 52. For Sjögren's disease, it is ..."):
            # when the next sentence of its paragraph names a term asked about that it lacks, the two are one answer
            # (not for a yes/no question: a name the span lacks is what decides it, "built with Cellectis technology?")
            after = scope.neighbour(h.chunk, 1) if h.chunk.kind == "text" and len(spans) == 1 and q.expects != "yesno" else None
            if after is not None and after.kind == "text" and h.chunk.end < after.start and "\n" not in scope.text[h.chunk.end:after.start]:
                lacking = [c.members for c in concepts if c.known and not c.typed and c.specific >= 0.8 and not c.members & set(tokens(h.chunk.text))]
                # ("... will include 2 different lymphodepletion arms. In one arm patients will receive cyclophosphamide ...")
                if (lacking and any(members & set(tokens(after.text)) for members in lacking)
                        or asks_agents and _DRUG.search(after.text) and not _DRUG.search(h.chunk.text)):
                    spans.append(_join(scope.text, h.chunk, after))
            # "These scores are used to measure ...": a sentence naming what it is about only by pointing back
            # to the one before it (past a paragraph break) answers with that one
            refers_back = h.chunk.kind == "text" and q.expects != "yesno" and bool(_REFERS_BACK.match(h.chunk.text))
            prev = (scope.neighbour(h.chunk, -1, past_paragraph=refers_back)
                    if (q.wants_list or q.expects == "site" or refers_back) and h.chunk.kind == "text" else None)
            pointed_to = prev if prev is not None and refers_back and prev.kind == "text" else None
            if pointed_to is not None:  # never shown without what it points back to (which it is judged without)
                spans = [_join(scope.text, pointed_to, c) for c in spans]
            # (a short line under a row is that row's detail: "Houston, Texas" under "MD Anderson | Recruiting")
            elif prev is not None and (prev.kind == "text" or prev.kind == "row" and len(h.chunk.text) < 80):
                spans.append(_join(scope.text, prev, h.chunk))
            heading_tokens = set(tokens(h.chunk.heading))
            # what the span stands under, which covers a word asked for at part weight: its heading,
            # and the sentence before it in its paragraph ("... checked at Week 52. For RA, it is ...")
            scene = set(heading_tokens)
            before = scope.neighbour(h.chunk, -1) if h.chunk.kind == "text" else None
            if before is not None and before.kind == "text":
                scene |= set(tokens(before.text))
            for i, c in enumerate(spans):
                said = c.text if pointed_to is None else scope.text[pointed_to.end : c.end]  # (without what it points back to)
                own = set(tokens(said)) | (heading_tokens if c.kind == "item" else set())
                if not re.search(r"[^\W\d_]", c.text):
                    continue  # a line of figures alone ("2 1 1 1", a table's counts) states nothing by itself
                if c.kind == "text" and bare(c.text):  # a line of country names under a study's entry is about that study
                    own |= heading_tokens | {t for x in scope.lead_in(c) for t in tokens(x.heading + "\n" + x.text)}
                # (the words its document's title says count as said here too, as they do in its score below)
                by_title = titled if titled and not titled & own else set()
                if q.expects != "yesno" and self.coverage(known, own | by_title, scene) < self.min_coverage:
                    continue  # words no document uses cannot be covered by any: judge on the rest
                s = self.score(concepts, h.dense, own, scene, scope.tokens) - 0.02 * i
                # (a passage saying some of them, "Early phase 1 trials of cord blood NK cells", names its own subject)
                lift = self.score(concepts, h.dense, own | by_title, scene, scope.tokens) - 0.02 * i - s if by_title else 0.0
                if i == 0 and len(spans) > 1 and _label_like(c):
                    s -= 0.03  # a label alone rarely holds the value asked for
                if q.expects in _NARROW_TYPES:
                    s += 0.05  # holding an e-mail address, a phone number, a dose is evidence itself
                if quoted and any(phrase in _plain(c.text) for phrase in quoted):
                    s += QUOTED_SCORE  # what the question quotes ("Other Study ID Numbers"), said just so
                if _BOILERPLATE.search(c.heading) or _BOILERPLATE.search(c.text):
                    s -= 0.1  # legal disclaimers and page furniture mention everything and state nothing
                if not concepts_total and any(re.search(rf"\b{re.escape(e.key)}\b,? (?:is|are|was|an?)\b", c.text, re.I) for e in defined):
                    s += 0.1  # "What is ALLO-647?": the sentence that says what it is
                if q.wants_list:
                    s += 0.01 * min(len(re.findall(r",|;|\band\b", c.text)), 4)
                    if asks_conditions:  # "which indications": a span naming several diseases lists them
                        s += 0.02 * min(len(_DISEASE.findall(c.text)), 5)
                if names_conditions and not _DISEASE.search(c.text):
                    continue  # "which diseases does it enroll?" is not answered by "adults with rheumatic diseases"
                if names_regimen and not (_DRUG.search(c.text) or _GIVES_REGIMEN.search(c.text)):
                    continue  # "what lymphodepletion do they get?" is not answered by "... before the start of lymphodepletion"
                if c.source in subject_docs and len({e for e in mentions(c.text) if e.cls == "product"}) == 1:
                    s += NAMED_SUBJECT
                if asks_agents and _DRUG.search(c.text):
                    s += 0.06  # "which chemo agents?": a span naming a drug (fludarabine, rituximab) names one
                    if q.wants_list:  # ("what agents are given?": a span naming several lists them)
                        s += 0.02 * min(len({m.casefold() for m in _DRUG.findall(c.text) + CODE.findall(c.text)}), 5)
                # a yes/no question's numbered thing (Phase 1), numbered otherwise in the span, says no;
                # "what Week 52 threshold": the question's own "Week 52" is not the value asked for
                decides = q.expects == "yesno" and _settles(q.text, qualified, c.text)
                if not decides and (not has_expected(q, _unqualified(qualified, c.text)) or _contradicts(qualified, c.text)
                                    or _other_measure(measures, c.text)):
                    continue
                if any(not members & own for members in anchors):
                    continue
                if achieved and _SUPPOSED.search(c.text):
                    continue
                if any(other.search(c.text) and not asked.search(c.text) for asked, other in other_money + other_end):
                    continue  # "what launch price?" is not answered by a cost of goods, "the highest dose?" by a starting one
                if enrolment and not _ENROLMENT.search(c.heading + "\n" + c.text):
                    continue
                # (a span setting the same thing aside, "excluding business development", is not about it)
                if shunned and shunned & (own - {t for m in _SET_ASIDE.finditer(c.text) for t in tokens(m.group(0))}) or (
                        event and not all(e & (_event_words(c.text) | heading_tokens) for e in event)):
                    continue
                key = (c.source, c.start, c.end)
                if key not in out or out[key].score < s:
                    out[key] = Picked(c, h.title, s)
                    lifts[key] = lift
        # (but the title makes no passage a better answer than the document's best: lifted at most to that one,
        # and of passages equally good, the one saying what is asked in its own words comes first, the body's
        # "The study treatment is given with rituximab" before the overview's)
        best_in: dict[str, float] = {}
        for (source, _, _), p in out.items():
            best_in[source] = max(best_in.get(source, p.score), p.score)
        lifted = [(replace(p, score=min(p.score + lifts[key], best_in[key[0]])), lifts[key]) for key, p in out.items()]
        lifted.sort(key=lambda pl: (-pl[0].score, -pl[1]))
        ranked = [p for p, _ in lifted]
        if q.expects == "yesno":  # the span that numbers what is asked, or says its contrary, answers it
            # (unless it names only something else than what is asked about: ALLO-329's for ALLO-316's)
            ranked.sort(key=lambda p: not (_settles(q.text, qualified, p.chunk.text) and not _names_other(q, p.chunk.text)))
        if published:  # "when was the press release published?": its dateline says, not the dates inside it
            return [p for p in ranked if DATELINE.search(p.chunk.text)] or ranked
        return ranked

    # --- answering ------------------------------------------------------------------------------
    def answer(self, q: Question, hits: Sequence[Hit]) -> Answer:
        q = self._spelled_out(q, hits)
        defining = _DEFINING.search(q.text)
        if defining and defining.start() and any(e.key == defining.group(1).casefold() for e in q.entities):
            # "In the ALLO-605 myeloma regimen, what exactly is ALLO-647?": what comes before says where, not what is asked
            q = replace(q, read_in=q.read_in + (q.text[: defining.start()],))
        if q.unknown:
            return self._abstain(hits, f"the documents never mention {', '.join(q.unknown)}")
        planned = self._only_planned(q, hits)
        if planned:
            return self._abstain(hits, f"the documents give no result for {planned}, only that it is planned")
        missing = self._unmatched_qualifiers(q, {h.chunk.source for h in hits})
        if missing:
            return self._abstain(hits, f"the documents give no figures for {', '.join(missing)}")
        groups = self._entity_groups(q, {h.chunk.source for h in hits})
        phrases, described = self._described(q, hits)
        floor = self.min_score
        if phrases and (len(described) > 1 or len(groups) <= 1):  # (comparing two trials: it names one side's)
            q = replace(q, read_in=q.read_in + phrases)  # which document to read, not what a passage says
        halves = _VERSUS.split(q.text, maxsplit=1)
        if len(halves) == 2 and len(groups) <= 1 and len(described) <= 1:
            contrasted = self._versus(q, hits, halves, groups)
            if contrasted is not None:
                return contrasted
        if len(described) == 1 and len(groups) <= 1 and _SIDE_BY_SIDE.search(q.text):
            # "how does the ORR reported after the 2024 meeting compare with the January 2026 update?":
            # one document named as such, the other side the documents that also speak of what is asked about
            others = {h.chunk.source for h in hits} - described[0]
            others = {s for s in others if all(g & self.scope_of(s).doc_entities for g in groups)}
            if others:
                described = [described[0], others]
        if not described and len(groups) <= 1 and q.sides:
            described = self._compared_subjects(q, hits)
        if described and (len(described) > 1 or len(groups) <= 1):
            if len(described) > 1:
                return self._compare_documents(q, hits, described)
            hits = [h for h in hits if h.chunk.source in described[0]]
            groups = self._entity_groups(q, {h.chunk.source for h in hits})
            floor = READ_IN_SCORE * self.min_score
        if not groups and not described:
            hits = self._about_described(q, hits)
        # a comparison draws on several documents, so one side's terms are foreign to the other
        ranked = self.candidates(q, hits, strict=len(groups) <= 1)
        if not q.entities and _ASKS_WHICH_PRODUCTS.search(q.text):
            # "which candidates use the Dagger technology?": the best passage naming each product
            by_product: dict[Entity, list[Picked]] = {}
            for p in ranked:
                for e in mentions(p.chunk.text):
                    if e.cls == "product":
                        by_product.setdefault(e, []).append(p)
            if len(by_product) > 1:
                return self._one_each(q, list(by_product.values()), ranked, hits, "no passage scores high enough")
        if q.each_source:  # "what do the two sources report": the best passage of each document
            ranked = [p for p in ranked if all(self._concerns(p.chunk, g) for g in groups)]
            by_source: dict[str, list[Picked]] = {}
            for p in ranked:
                by_source.setdefault(p.chunk.source, []).append(p)
            return self._one_each(q, list(by_source.values()), ranked, hits, "no passage scores high enough")
        if not groups:
            return self._compose(q, ranked, hits, floor)
        per_group = [[p for p in ranked if self._concerns(p.chunk, g)] for g in groups]
        if len(groups) == 1:
            return self._compose(q, per_group[0], hits, floor)
        return self._one_each(q, per_group, ranked, hits, "no passage concerns the entities asked about")

    def _about_described(self, q: Question, hits: Sequence[Hit]) -> list[Hit]:
        """"The cord-blood NK cell trial", "the kidney cancer study": a trial or product named by what it
        is, not by its code. Passages come from the documents saying every word of some such description
        (by any of its synonyms or lay terms), when some do and others do not."""
        sources = {h.chunk.source for h in hits}
        # (a trial is described in its own record; a product may be described otherwise elsewhere)
        about = set().union(*(fit for m, fit in self._subjects(q, sources)
                              if m.group(0).casefold().endswith(("study", "trial")) or re.match(r"\s+(?:study|trial)\b", q.text[m.end():], re.I)))
        if not about or about == sources:
            return list(hits)
        return [h for h in hits if h.chunk.source in about]

    def _subjects(self, q: Question, sources: set[str]) -> list[tuple[re.Match[str], set[str]]]:
        """Each trial or product the question describes ("the cord-blood NK cell trial"), with the
        documents saying every word of the description that tells documents apart (by any of its
        synonyms or lay terms); none for a description of nothing in particular."""
        out = []
        for m in _SUBJECT.finditer(q.text):
            fit = self._fitting(q, m.group(1), sources)
            if fit is not None:
                out.append((m, fit))
        return out

    def _fitting(self, q: Question, description: str, sources: set[str]) -> set[str] | None:
        """The documents saying every word of a description that tells documents apart, or None
        when it has no such word."""
        lay = {t: g.members for g in q.glossed for t in tokens(g.phrase)}
        surface = surface_forms(description)
        words = [t for t in tokens(description) if t not in _GENERIC_HEADS and not t.isdigit()
                 and specificity(surface.get(t, t)) >= DESCRIBING_SPECIFICITY]
        said = [lay.get(t, synonyms(t)) for t in words]
        said = [members for members in said if any(self.known(w) for w in members)]
        if not said:
            return None
        return {s for s in sources if all(_in_document(members, self.scope_of(s).tokens) for members in said)}

    def _compared_subjects(self, q: Question, hits: Sequence[Hit]) -> list[set[str]]:
        """"The ALLO-605 myeloma study compared with the NK cell rheumatic disease study": the
        documents each side fits, when each is told apart by documents no other side fits."""
        sources = {h.chunk.source for h in hits}
        sides: list[set[str]] = []
        for side in q.sides:
            fit = self._fitting(q, side, sources)
            if fit and fit != sources and fit not in sides:
                sides.append(fit)
        disjoint = all(not (a & b) for i, a in enumerate(sides) for b in sides[i + 1 :])
        return sides if len(sides) > 1 and disjoint else []

    def _spelled_out(self, q: Question, hits: Sequence[Hit]) -> Question:
        """An abbreviation the documents never use but spell out ("DLTs" where the record says "Dose
        Limiting Toxicities"): one idea, said in the documents by the spelled-out phrase's head noun."""
        sources = list(dict.fromkeys(h.chunk.source for h in hits))[:SPELLING_SOURCES]
        spelled, unknown = list(q.spelled), list(q.unknown)
        # ("the AlloNK cord-blood NK cell trial": a word of a description tells which study, asks nothing)
        describing = [d.span(1) for d in _SUBJECT.finditer(q.text)]
        for m in _ACRONYM.finditer(q.text):
            letters = m.group(1)
            head_noun = re.match(r"[\s-]+([a-z]+)", q.text[m.end():])
            if (self.known(letters.casefold()) or any(a <= m.start() < b for a, b in describing)
                    or head_noun and head_noun.group(1) in _GENERIC_HEADS):  # ("... (AB-101) NK cell trial")
                continue
            found = None
            # ("RRMM": Relapsed/Refractory Multiple Myeloma; "COGS": cost-of-goods, more than one)
            for initials in (letters, letters[:-1]) if letters.endswith("S") and len(letters) > 3 else (letters,):
                words = r"[\s/-]+".join(rf"{c}[a-z]+" for c in initials)
                pattern = re.compile(rf"(?<![\w-])(?i:{words})(?![\w-])")
                found = next((f.group(0) for s in sources for f in [pattern.search(self.scope_of(s).text)] if f), None)
                if found is not None:
                    break
            if found is None:
                continue
            head = frozenset(t for t in tokens(re.split(r"[\s/-]+", found)[-1]) if self.known(t))
            if head:
                spelled.append(Gloss(m.group(0).casefold(), head, found))
                unknown = [u for u in unknown if u != m.group(0)]
        return replace(q, spelled=tuple(spelled), unknown=tuple(unknown)) if len(spelled) > len(q.spelled) else q

    def _versus(self, q: Question, hits: Sequence[Hit], halves: list[str], groups: list[set[Entity]]) -> Answer | None:
        """"What did the SITC data show versus the ORR in the 2026 update?": each half asks for its
        own passage (its words only, from the document it describes); the answer cites both. None
        when the halves do not find two different passages."""
        sides = []
        for half, other in (halves, halves[::-1]):
            phrases, described = self._described(replace(q, text=half), hits)
            # "... compare with the figure in the 2026 update?": a half naming only its document asks
            # what the other half asks, of that document
            bare_half = len(described) == 1 and not set(tokens(_without(half, phrases))) - _STAND_INS - _META_WORDS
            if bare_half:
                # (of the other half's words, those its document never uses say where the other figure is from)
                said = frozenset().union(*(self.scope_of(s).tokens for s in described[0]))
                elsewhere = tuple(w for w in re.findall(r"[\w-]+", other) if tokens(w) and not _in_document(set(tokens(w)), said))
                side_q = replace(q, read_in=q.read_in + (half, *elsewhere))
            else:
                side_q = replace(q, read_in=q.read_in + (other,))
            side_hits = [h for h in hits if h.chunk.source in described[0]] if len(described) == 1 else hits
            ranked = self.candidates(side_q, side_hits, strict=False)
            sides.append([p for p in ranked if all(self._concerns(p.chunk, g) for g in groups)])
        if not all(sides) or _overlap(sides[0][0].chunk, sides[1][0].chunk):
            return None
        return self._one_each(q, sides, sorted(sides[0] + sides[1], key=lambda p: -p.score), hits,
                              "no passage answers both sides")

    def _one_each(self, q: Question, sides: list[list[Picked]], ranked: list[Picked], hits: Sequence[Hit],
                  why: str) -> Answer:
        """A comparison: the best passage of each side. Each covers only part of the question's
        words, so each needs only part of the usual score. A side's best answer giving a figure in
        some unit (60,000 doses) sets what is compared, when every other side has a passage giving
        a figure in that unit: those passages come first."""
        floor = COMPARISON_SCORE * self.min_score
        sides = [[p for p in side if p.score >= floor] for side in sides]
        for anchor in sorted((side[0] for side in sides if side), key=lambda p: -p.score):
            units = _units(anchor.chunk.text)
            if units and all(any(units & _units(p.chunk.text) for p in side) for side in sides if side):
                sides = [sorted(side, key=lambda p: -(p.score + PARALLEL * bool(units & _units(p.chunk.text))))
                         for side in sides]
                break
        picked = [side[0] for side in sides if side]
        if not picked:
            return self._abstain(hits, why)
        unique = list({(p.chunk.source, p.chunk.start): p for p in picked}.values())
        return self._render(q, unique, ranked)

    def _described(self, q: Question, hits: Sequence[Hit]) -> tuple[tuple[str, ...], list[set[str]]]:
        """The question's descriptors as worded ("the 2026 press release"), and the retrieved
        documents each fits, for descriptors that tell documents apart; one set per descriptor."""
        titles = {h.chunk.source: h.title for h in hits}
        found = descriptors(q.text)
        fitting = [{s for s, title in titles.items() if fits(d, profile(title, self.scope_of(s).text))} for d in found]
        # "the news article" set against "the press release" (a news release too) means the other documents
        narrower = [set().union(*(o for o in fitting if o and o < fit)) for fit in fitting]
        fitting = [fit - inner for fit, inner in zip(fitting, narrower)]
        out = []
        for fit in fitting:
            if fit and fit != set(titles) and fit not in out:
                out.append(fit)
        return tuple(d.phrase for d in found), out

    def _compare_documents(self, q: Question, hits: Sequence[Hit], described: list[set[str]]) -> Answer:
        """"What ORR is reported in the 2025 article and in the 2026 press release?": the best
        passage of each document, preferring passages about the entity asked about."""
        # one query for two documents retrieves one of them well: read the other's passages too
        seen = {h.chunk.id for h in hits}
        typical = _typical_dense(hits)
        titles = {h.chunk.source: h.title for h in hits}
        extra = [Hit(c, titles[s], typical, 0.0, 0.0) for sources in described for s in sorted(sources)
                 for c in self.scope_of(s).chunks if c.id not in seen]
        ranked = self.candidates(q, [*hits, *extra], strict=False)
        sides = []
        for sources in described:
            mine = [p for p in ranked if p.chunk.source in sources and p.score >= COMPARISON_SCORE * self.min_score]
            sides.append([p for p in mine if all(self._concerns(p.chunk, {e}) for e in q.entities)] or mine)
        return self._one_each(q, sides, ranked, hits, "no document asked about holds an answer")

    def _only_planned(self, q: Question, hits: Sequence[Hit]) -> str:
        """"What was the result of the interim analysis?" where a passage naming that analysis says
        it is planned: the documents have no result to give. The analysis as asked, or ""."""
        m = _ASKS_RESULT.search(q.text)
        if not m:
            return ""
        asked = (m.group("event") or m.group("event2") or m.group("event3") or m.group("event4")).strip()
        entity_words = _entity_words(q.entities)
        event = [t for t in dict.fromkeys(tokens(asked)) if self.known(t) and t not in entity_words]
        if len(event) < 2:
            return ""
        for h in hits[:PLANNED_DEPTH]:
            said = set(tokens(h.chunk.heading + "\n" + h.chunk.text))
            covered = sum(1 for t in event if synonyms(t) & said)
            if covered >= PLANNED_COVERAGE * len(event) and _PLANNED.search(h.chunk.text):
                return asked
        return ""

    def _unmatched_qualifiers(self, q: Question, sources: set[str]) -> list[str]:
        """Numbered things asked about (dose-level 1) that no retrieved document names, although
        they number the same thing otherwise (dose-level 2): the documents don't cover that one."""
        out = []
        for word, number in _qualified_numbers(q.text):
            if word in _GENERIC_QUALIFIERS:
                continue
            texts = [self.scope_of(s).text.casefold() for s in sorted(sources)]
            numbers = {n for t in texts for n in re.findall(rf"\b{re.escape(word)}[\s-]+(\d+)\b", t)}
            if numbers and number not in numbers:
                out.append(f"{word} {number}")
        return out

    def _concerns(self, chunk: Chunk, group: set[Entity]) -> bool:
        return any(self.scope_of(chunk.source).concerns(chunk, e) for e in group)

    def _entity_groups(self, q: Question, sources: set[str]) -> list[set[Entity]]:
        """Entities naming the same thing (ALLO-605 and its trial IGNITE, named side by side in
        some document; AB-101 and the name a document says it also goes by) form one group; a
        comparison has several groups."""
        def same(a: Entity, b: Entity) -> bool:
            if a.key.startswith(b.key) or b.key.startswith(a.key):
                return True
            scopes = (self.scope_of(s) for s in sorted(sources))  # only a comparison needs them
            # ("the AlloNK study NCT06991114": a record registering that one trial and naming the product is its record)
            return any(a in sc.doc_entities and b in sc.doc_entities and (sc.linked(a, b) or sc.aliases(a, b) or _one_record(sc, a, b))
                       for sc in scopes)

        groups: list[set[Entity]] = []
        for e in sorted(q.entities, key=lambda x: (x.cls, x.key)):
            for g in groups:
                if any(same(e, f) for f in g):
                    g.add(e)
                    break
            else:
                groups.append({e})
        return groups

    def _compose(self, q: Question, ranked: list[Picked], hits: Sequence[Hit], floor: float | None = None) -> Answer:
        floor = self.min_score if floor is None else floor
        if q.expects == "yesno" and ranked and _settles(q.text, _qualified_numbers(q.text), ranked[0].chunk.text):
            floor *= SETTLED_SCORE  # it says yes or no to just what is asked, whatever else it says
        if not ranked or ranked[0].score < floor:
            why = "no passage scores high enough" if ranked else "no passage holds what the question asks for"
            return self._abstain(hits, why)
        best = ranked[0]
        if (q.expects == "yesno" and len(q.entities) <= 1 and self._unsaid_names(q, best)
                and not _settles(q.text, _qualified_numbers(q.text), best.chunk.text)):  # ("Phase 2" says no to "phase 1?")
            # "is fludarabine part of the conditioning?": a span nearly as good that says every term asked
            # decides it, rather than the best one's silence
            saying = next((p for p in ranked[1:] if p.score >= SAYS_ALL_SCORE * best.score
                           and p.chunk.source == best.chunk.source and all(e.key in p.chunk.text.casefold() for e in q.entities)
                           and not self._unsaid_names(q, p)), None)
            if saying is not None:
                best = saying
                ranked = [saying, *(p for p in ranked if p is not saying)]
        if q.wants_list:
            labelled = self._labelled_list(q, ranked[:6])
            if labelled:
                return self._render(q, labelled)
        chosen = [best]
        if q.wants_list:
            # siblings not retrieved have no dense score; credit them with the pool's typical one
            chosen += self._siblings(q, best, _typical_dense(hits)) + self._enumeration(q, best)
        margin = self.list_margin if q.wants_list else self.pair_margin
        limit = 10 if q.wants_list else 2
        for p in ranked[1:]:
            if len(chosen) >= limit:
                break
            if not any(_overlap(p.chunk, c.chunk) for c in chosen) and p.score >= max(self.min_score, best.score - margin):
                chosen.append(p)
        # a yes/no answer is decided on the best span, which therefore comes first
        chosen.sort(key=lambda p: (q.expects == "yesno" and p is not best,
                                   p.chunk.source != best.chunk.source, p.chunk.source, p.chunk.start))
        return self._render(q, chosen, ranked)

    def _labelled_list(self, q: Question, top: list[Picked]) -> list[Picked]:
        """A list whose label says what the question asks for ("What are the inclusion criteria?"
        and a list under "Inclusion Criteria:"): the answer is the whole list, in order."""
        concepts = [c for c in self.concepts(q) if c.weight > 0]
        total = sum(c.weight for c in concepts) or 1.0
        for p in top:
            if p.chunk.kind != "item" or not p.chunk.heading or p.score < self.min_score:
                continue
            label = set(tokens(p.chunk.heading))
            if sum(c.weight for c in concepts if c.members & label) < 0.5 * total:
                continue
            items = [c for c in self.scope_of(p.chunk.source).chunks
                     if c.kind == "item" and c.heading == p.chunk.heading and abs(c.ordinal - p.chunk.ordinal) <= 30]
            return [Picked(c, p.title, p.score) for c in items[:15]]
        return []

    def _enumeration(self, q: Question, best: Picked) -> list[Picked]:
        """A list the best span announces by its count ("will include 2 different lymphodepletion
        arms."): the sentences right after it in its paragraph that name the counted thing again
        ("In one arm ..., and in the other ...") are the items."""
        if best.chunk.kind != "text":
            return []
        asked = set().union(*(c.members for c in self.concepts(q)))
        words = tokens(best.chunk.text, keep_stopwords=True)
        counted = next((w for i, w in enumerate(words) if _counts_more_than_one(w)
                        for w in words[i + 1 : i + 4] if w in asked and not _counts_more_than_one(w)), None)
        if counted is None:
            return []
        scope = self.scope_of(best.chunk.source)
        out, chunk = [], scope.neighbour(best.chunk)
        while chunk is not None and len(out) < 3 and counted in tokens(chunk.text):
            out.append(Picked(chunk, best.title, best.score))
            chunk = scope.neighbour(chunk)
        return out

    def _siblings(self, q: Question, best: Picked, typical_dense: float) -> list[Picked]:
        """Other items of the list (or rows of the table) the best span belongs to, when they
        answer nearly as well: the list label or row shape they share is what was asked for."""
        if best.chunk.kind not in ("item", "row"):
            return []
        scope = self.scope_of(best.chunk.source)
        shape = _row_shape(best.chunk.text.split("\n")[0])  # (a row cited with its next line is still that row)
        concepts = self.concepts(q)
        heading_tokens = set(tokens(best.chunk.heading))
        out = []
        for c in scope.chunks:
            if c.ordinal == best.chunk.ordinal or abs(c.ordinal - best.chunk.ordinal) > 20 or c.kind != best.chunk.kind:
                continue
            if c.heading != best.chunk.heading or (c.kind == "row" and _row_shape(c.text) != shape):
                continue
            nxt = scope.neighbour(c, 1) if "\n" in best.chunk.text else None
            if nxt is not None:  # each row with the line that gives its value, as the best was cited
                c = _join(scope.text, c, nxt)
            own = set(tokens(c.text)) | (heading_tokens if c.kind == "item" else set())
            score = self.score(concepts, 0.0, own, heading_tokens, scope.tokens) + 0.5 * typical_dense
            if score >= best.score - 0.25:
                out.append(Picked(c, best.title, score))
        return out[:9]

    def _render(self, q: Question, chosen: list[Picked], ranked: Sequence[Picked] = ()) -> Answer:
        spans: list[Picked] = []
        parts = []
        for p in chosen:
            same = [p, *self._restatements(q, p, ranked, [*chosen, *spans])]
            naming = self._naming(q, p, [*chosen, *spans])
            if naming:  # "Which trials use a 3+3 design?" of "The trial uses a 3+3 design": say which trial first
                spans.append(naming)
                parts.append(f"{_clean(naming.chunk.text)} [{len(spans)}]")
            marks = "".join(f"[{len(spans) + n}]" for n in range(1, len(same) + 1))
            parts.append(f"{_clean(p.chunk.text)} {marks}")
            spans += same
        text = " ".join(parts)
        if q.expects == "yesno" and not _ALTERNATIVES.search(q.text):
            unsaid = self._unsaid_names(q, chosen[0]) if len(q.entities) <= 1 else []  # (a comparison's span says one side)
            # "Is it built with Cellectis technology?" and the span says CRISPR: what it names instead says no
            # "is it a phase 1 trial?" and the span says Phase 2: it numbers the same thing otherwise
            contrary = (_contradicts(_qualified_numbers(q.text), chosen[0].chunk.text)
                        or _counted_otherwise(q.text, chosen[0].chunk.text) or _dated_otherwise(q.text, chosen[0].chunk.text))
            text = f"{'No.' if unsaid or contrary else yes_or_no(q.text, chosen[0].chunk, q.glossed)} {text}"
        return Answer(text, False, tuple(spans))

    def _naming(self, q: Question, span: Picked, taken: Sequence[Picked]) -> Picked | None:
        """Asked which trial or product, for a span that names none: the nearest passage before it
        naming one (as `Scope.concerns` reads it), else the first after, unless already cited."""
        if q.expects == "yesno" or not (_ASKS_WHICH_SUBJECT.search(q.text) or _WHICH_ONE.search(q.text)):
            return None
        scope = self.scope_of(span.chunk.source)
        if mentions(span.chunk.text, scope.trial_names):
            return None
        before = [c for c in scope.chunks if c.ordinal < span.chunk.ordinal][::-1]
        after = [c for c in scope.chunks if c.ordinal > span.chunk.ordinal]
        naming = next((c for c in before + after if mentions(c.text, scope.trial_names)), None)
        if naming is None or any(_overlap(naming, t.chunk) for t in taken):
            return None
        return Picked(naming, span.title, span.score)

    def _unsaid_names(self, q: Question, span: Picked) -> list[str]:
        """Names a yes/no question puts to the span (Cellectis, lupus) that the span, its heading,
        its document's title and dateline paragraph (who speaks: "The Company" is Allogene) do not say."""
        text = self.scope_of(span.chunk.source).text
        dateline = DATELINE.search(text[:LEAD_CHARS])
        speaker = text[dateline.start() :].split("\n", 1)[0] if dateline else ""
        said = set(tokens(f"{span.title}\n{speaker}\n{span.chunk.heading}\n{span.chunk.text}"))
        entity_words = _entity_words(q.entities)
        # "in the rheumatology study": words describing the subject, which its document says somewhere
        doc_tokens = self.scope_of(span.chunk.source).tokens
        described = {t for m in _SUBJECT.finditer(q.text) for t in tokens(m.group(1)) if _in_document(synonyms(t), doc_tokens)}
        surface = surface_forms(q.text)
        # (what the question sets aside, "rather than Cellectis", is not put to the span)
        return [t for t in dict.fromkeys(tokens(_without(q.text, q.excluded))) if t not in entity_words | described and self.known(t)
                and specificity(surface.get(t, t)) >= UNSAID_SPECIFICITY and not _in_document(synonyms(t), said)]

    def _restatements(self, q: Question, said: Picked, ranked: Sequence[Picked], taken: Sequence[Picked]) -> list[Picked]:
        """Where the same document says it again (a record's field in its summary and in its table,
        a press release's headline bullet and its text): a short passage that answers the question
        too and whose own words the chosen span holds. Cited beside it, so the reader can check
        either wording; its words are not repeated in the answer."""
        asked = set(tokens(q.text + " " + q.context))
        said_tokens = set(tokens(said.chunk.text)) | set(tokens(said.chunk.heading))
        qualified = _qualified_numbers(q.text)
        # a yes/no the chosen span settles ("Open-Label" in a title for "blinded?") is settled as surely by a
        # field saying so ("Masking: None (Open Label)"): the same verdict, on the same grounds
        settling = q.expects == "yesno" and _settles(q.text, qualified, said.chunk.text)
        verdict = yes_or_no(q.text, said.chunk, q.glossed) if settling else ""

        def says_same(c: Chunk) -> bool:
            return _settles(q.text, qualified, c.text) and yes_or_no(q.text, c, q.glossed) == verdict

        corroborating: list[Picked] = []
        known = [c for c in self.concepts(q) if c.known and not c.typed] if q.expects in _FIGURES else []
        for p in ranked:
            if (p.chunk.source != said.chunk.source or p.score < FIGURE_RESTATES_SCORE * self.min_score
                    or p.chunk.text.strip() == said.chunk.heading.strip()  # a section's title states nothing
                    or any(_overlap(p.chunk, t.chunk) for t in taken)):
                continue
            own = set(tokens(_ASIDES.sub(" ", p.chunk.text)))  # ("[1]", "(SSc)" add nothing to what it states)
            new = own - asked
            weight = sum(self.idf(t) for t in new)
            held = sum(self.idf(t) for t in new & said_tokens)
            # short, or long with next to nothing the chosen span does not say ("will include patients with ...")
            # (generic words, "The conditions listed are ...", say nothing the chosen span leaves unsaid)
            brief = len(new) <= RESTATEMENT_WORDS or len({t for t in new - said_tokens if specificity(t) >= UNSAID_TELLS}) <= RESTATEMENT_UNSAID
            if p.score >= self.min_score and brief and new & said_tokens and held >= RESTATES * weight:
                return [p]
            if settling and not corroborating and says_same(p.chunk):
                corroborating = [p]  # (a passage saying the same statement again comes first)
            # nothing the chosen span does not say ("This is a Phase 2 study." beside a table row giving Phase 2)
            if len(own) >= 2 and new <= said_tokens and (new or q.expects == "yesno"):
                return [p]
            # the figure asked for, given again in other words ("Planned for Early Q2 2026" in a headline,
            # "An early Q2 2026 interim futility analysis ..." in the text): every figure it gives is the answer's
            figures = {t for t in new if any(c.isdigit() for c in t)}
            # (a year alone, which a document dates much by, is not yet the same figure)
            if (q.expects in _FIGURES and figures <= said_tokens and any(not re.fullmatch(r"(?:19|20)\d\d", f) for f in figures)
                    and (len(new & said_tokens) >= FIGURE_RESTATES * len(new)
                         # (or a longer sentence saying every word asked as well: "An early Q2 2026 interim futility
                         # analysis focused on MRD clearance represents ..." beside "... Analysis ... Planned for Early Q2 2026")
                         or known and self.coverage(known, own, set()) >= FIGURE_RESTATES_COVERAGE)):
                return [p]
        if settling and not corroborating:
            # (or a short field of the same document the search did not bring up: a record's "Masking: None
            # (Open Label)" beside its title's "Open-Label", which both answer "is it open-label?")
            corroborating = [Picked(c, said.title, said.score) for c in self.scope_of(said.chunk.source).chunks
                             if len(c.text) <= FIELD_CHARS and not any(_overlap(c, t.chunk) for t in [said, *taken])
                             and says_same(c)][:1]
        if settling and q.entities and all(p.chunk.source == said.chunk.source for p in corroborating):
            # and another document about what is asked saying the same, which the reader can check as well: the
            # news article's "... in the other no lymphodepletion regimen will be used" beside the press
            # release's "two parallel cohorts (one with ... and one with no lymphodepletion)"
            titles = {p.chunk.source: p.title for p in ranked if p.chunk.source != said.chunk.source}
            corroborating += [Picked(c, title, said.score) for source, title in sorted(titles.items())
                              if q.entities <= self.scope_of(source).doc_entities for c in self.scope_of(source).chunks
                              if c.kind == "text" and not any(_overlap(c, t.chunk) for t in taken)
                              and says_same(c)][:1]
        return corroborating

    def _abstain(self, hits: Sequence[Hit], reason: str) -> Answer:
        closest = tuple(Picked(h.chunk, h.title, h.dense) for h in hits[:2])
        text = ABSTAIN_TEXT + (" The closest passages are cited below for you to check." if closest else "")
        return Answer(text, True, closest, reason)


def _plain(text: str) -> str:
    """Words alone, in lower case: "Off-the-shelf" as "off the shelf"."""
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "


def _quoted(question: str) -> list[str]:
    """Phrases of two words or more the question puts in quotation marks, as `_plain` gives them."""
    found = (m.group(1) or m.group(2) for m in _QUOTE.finditer(question))
    return [_plain(f) for f in found if len(re.findall(r"[^\W_]+", f)) >= 2]


def _entity_words(entities: Collection[Entity]) -> set[str]:
    """The words naming the entities, as written ("allo-605", "allo", "605") and run together ("allo605")."""
    return {w for e in entities for w in tokens(e.key) + tokens(re.sub(r"[\s-]", "", e.key))}


def _in_document(members: Collection[str], doc_tokens: Collection[str]) -> bool:
    """Whether the document uses the term in some form: rheumatology ~ rheumatologic,
    CD19/CD70 ~ CD19 and CD70."""
    for m in members:
        if m in doc_tokens:
            return True
        parts = JOINERS.split(m)
        named = [p for p in parts if len(p) > 1]  # "CAR-T": a lone letter is no index token
        if len(parts) > 1 and named and all(p in doc_tokens for p in named):
            return True
        if len(m) >= 7 and any(t.startswith(m[:7]) for t in doc_tokens):
            return True
        # the last part of a compound the document writes as one word: "depleting" ~ "lymphodepletion"
        # (not "antirheumatic", which is against the thing, not of it)
        if len(m) >= COMPOUND_PART and any(t.find(m, COMPOUND_HEAD) > 0 and not t.startswith(("anti", "non")) for t in doc_tokens):
            return True
    return False


def _qualified_numbers(question: str) -> list[tuple[str, str]]:
    """Numbered things the question asks about: dose-level 1, Phase 3, Week 24, cohort 2."""
    out = []
    for m in re.finditer(r"\b([A-Za-z][A-Za-z]+)[\s-](\d+)\b(?![-/.]\d)", question):
        word, number = m.group(1).casefold(), m.group(2)
        if re.fullmatch(r"(?:19|20)\d\d", number) or word in _MONTHS_AND_DAYS:
            continue  # a date, not a numbered thing
        if not CODE.fullmatch(m.group(0)) and word not in STOPWORDS | {"nct"}:
            out.append((m.group(1).casefold(), m.group(2)))
    return out


def _contradicts(qualified: list[tuple[str, str]], text: str) -> bool:
    """The span numbers the same thing differently (asked dose-level 1, it says dose-level 2)."""
    low = text.casefold()
    for word, number in qualified:
        found = re.findall(rf"\b{re.escape(word)}[\s-]+(\d+)\b", low)
        if found and number not in found:
            return True
    return False


def _unqualified(qualified: list[tuple[str, str]], text: str) -> str:
    """The span without the numbered things the question names itself (Week 52, dose-level 2)."""
    for word, number in qualified:
        text = re.sub(rf"\b{re.escape(word)}[\s-]+{number}\b", " ", text, flags=re.I)
    return text


def _names_other(q: Question, text: str) -> bool:
    """The text names products, none of them one the question asks about."""
    asked = {e.key for e in q.entities if e.cls == "product"}
    named = {e.key for e in mentions(text) if e.cls == "product"}
    return bool(asked and named and not named & asked)


def _one_record(scope: Scope, a: Entity, b: Entity) -> bool:
    """A trial ID and a product the question names together, in a document registering no other
    trial ID, whose every other product is named beside this one (ALLO-647 given with ALLO-605) or
    is another name for it: the record of that product's trial. (A news article naming the trial
    ID of one product and another product besides is not.)"""
    if {a.cls, b.cls} != {"nct", "product"}:
        return False
    product = a if a.cls == "product" else b
    others = [e for e in scope.doc_entities if e.cls == "product" and e != product]
    return (sum(1 for e in scope.doc_entities if e.cls == "nct") == 1
            and all(scope.linked(product, e) or scope.aliases(product, e) for e in others))


def _settles(question: str, qualified: list[tuple[str, str]], text: str) -> bool:
    """The span decides a yes/no question: it numbers what the question numbers (Phase 2 for
    "phase 1?"), says the contrary of what it asks ("a randomized study" for "single-arm?") or
    says just what it asks ("no lymphodepletion" for "no chemo at all?")."""
    return _numbered(qualified, text) or _says_contrary(question, text) or _says_contrary(question, text, _AFFIRMS)


_COUNTED = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?|cycles?|doses?|infusions?|arms?|cohorts?|sites?)\b", re.I)


def _counted_otherwise(question: str, text: str) -> bool:
    """The span counts the same thing otherwise ("given over 5 days?" of "for 3 days"). (A count
    that bounds, "18 Years and older" or "up to 4 cycles", is weighed by `yes_or_no` instead.)"""
    bounds = [m.span() for pattern in (_LOWER_BOUND, _UPPER_BOUND) for m in pattern.finditer(text)]
    for number, unit in _COUNTED.findall(question):
        said = [float(m.group(1)) for m in _COUNTED.finditer(text) if stem(m.group(2).casefold()) == stem(unit.casefold())
                and not any(a <= m.start() < b or a < m.end() <= b for a, b in bounds)]
        if said and float(number) not in said:
            return True
    return False


_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATED = re.compile(rf"\b(?:({_MONTH})\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?((?:19|20)\d\d)\b", re.I)
# a date the question asks about, not one naming a document ("the January 2026 outlook"): after "in", "on", ...
_ASKED_DATE = re.compile(rf"\b(?:in|on|by|during|before|after|until|from|since)\s+(?:early\s+|mid-?\s*|late\s+)?{_DATED.pattern}(?!\s+[a-z])", re.I)


def _month_year(m: re.Match[str]) -> tuple[str, str]:
    return (m.group(1) or "")[:3].casefold(), m.group(2)


def _dated_otherwise(question: str, text: str) -> bool:
    """The span dates what the question asks about otherwise ("first posted in August 2022?" of
    "First Posted: August 11, 2021"): it gives dates, none in the year (and month) asked."""
    said = [_month_year(m) for m in _DATED.finditer(text)]
    if not said:
        return False
    for m in _ASKED_DATE.finditer(question):
        month, year = _month_year(m)
        if not any(y == year and (not month or not mo or mo == month) for mo, y in said):
            return True
    return False


def _says_contrary(question: str, text: str, contraries: Sequence[tuple[re.Pattern[str], re.Pattern[str]]] = ()) -> bool:
    """The span says the contrary of what the question asks ("open-label" for "blinded?")."""
    return any(asked.search(question) and contrary.search(text) for asked, contrary in contraries or _CONTRARIES)


def _numbered(qualified: list[tuple[str, str]], text: str) -> bool:
    """The span numbers a thing the question numbers (asked Phase 1, it says Phase 2 or Phase 1)."""
    low = text.casefold()
    return any(re.search(rf"\b{re.escape(word)}[\s-]+\d+\b", low) for word, _ in qualified)


def _words(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z][a-z0-9]*", text.casefold())]


def _measure_phrases(question: str) -> list[tuple[str, str, str]]:
    """Qualified measures a question asks a figure for: (complete, response, rate) in "What
    complete response rate ...", (median, overall, survival) in "What was the median overall survival"."""
    words = _words(question)
    codes = {c.casefold() for c in re.findall(r"([A-Za-z]+)-\d", question)}  # "ALLO-316 response rate": no qualifier
    return [(m, a, b) for m, a, b in zip(words, words[1:], words[2:])
            if b in _MEASURE_NOUNS and not {m, a, b} & STOPWORDS and m not in _META_WORDS and not m.isdigit()
            and m not in codes and m not in _DISEASE_NOUNS and m not in _NOT_QUALIFIERS and not _DISEASE.fullmatch(m)]  # ("the kidney cancer response rate": which patients, not which rate)


def _other_measure(measures: list[tuple[str, str, str]], text: str) -> bool:
    """The span gives the same measure qualified otherwise: asked the complete response rate, it
    reports the overall response rate. That figure does not answer the question."""
    words = [w for x in _words(text) for w in _ABBREVIATED.get(x, (x,))]
    present = set(words)
    for m, a, b in measures:
        if m in present or synonyms(m) & present or _SAME_QUALIFIER.get(m, m) in present:
            continue
        for j in range(1, len(words) - 1):
            if words[j] == a and words[j + 1] == b and words[j - 1] not in STOPWORDS and words[j - 1] != m:
                return True
    return False


def _without(text: str, phrases: Sequence[str]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return text


def _focus(question: str) -> str:
    """What "What was the data cutoff for ...?" asks for: its head word (cutoff), as a token."""
    m = re.match(r"\s*(?:what|which)\s+(?:is|was|are|were|'s)\s+(?:the|its|their)\s+((?:[\w-]+\s+){0,3}?)([\w-]+)\s+"
                 r"(?:of|for|in|at|on|from|that|used|reported|given|with|between)\b", question, re.I)
    found = tokens(m.group(2)) if m else []
    return found[-1] if found else ""


_TIME_PART = re.compile(r"\b(?:end|beginning|start|middle|half|close)\s+of\b", re.I)


# words telling one dated event of a record from another: "last update posted", "primary completion"
_EVENT_QUALIFIERS = frozenset(tokens("first last primary study update start completion results"))


def _dated_event(question: str) -> tuple[frozenset[str], ...]:
    """The event whose date is asked ("start date", "primary completion date", "last update posted
    date"): for its word and each qualifier before it, that word's synonyms, all of which the span must say."""
    m = re.search(r"\b((?:[\w-]+\s+){0,2})([\w-]+)\s+date\b", question, re.I)
    if not m or m.group(2).casefold() in STOPWORDS or m.group(2).casefold() in ("what", "which", "exact", "actual", "estimated"):
        return ()
    event = [frozenset().union(*(synonyms(t) for t in tokens(m.group(2))))]
    for word in reversed(m.group(1).split()):
        if not set(tokens(word)) <= _EVENT_QUALIFIERS or not tokens(word):
            break
        event.append(frozenset().union(*(synonyms(t) for t in tokens(word))))
    return tuple(e for e in event if e)


def _event_words(text: str) -> set[str]:
    """A span's words less those of time expressions ("by the end of 1H 2026" names no ending)."""
    return set(tokens(_TIME_PART.sub(" ", text)))


def _units(text: str) -> set[str]:
    """What a span's figures count: the word after each number ("60,000 doses" -> dose), or %."""
    out = {stem(m.group(1).casefold()) for m in re.finditer(r"(?<![\w-])\d[\d,.]*\+?\s*([A-Za-z]{3,})", text)}
    return out - STOPWORDS | ({"%"} if "%" in text else set())


def _counts_more_than_one(word: str) -> bool:
    return NUMBER_WORDS.get(word, 0) > 1 or (word.isdigit() and 1 < int(word) < 100)


def _overlap(a: Chunk, b: Chunk) -> bool:
    return a.source == b.source and a.start < b.end and b.start < a.end


def _typical_dense(hits: Sequence[Hit]) -> float:
    """The median dense score of the pool: credit for units found by structure, not by search."""
    return sorted(h.dense for h in hits)[len(hits) // 2] if hits else 0.0


def _label_like(c: Chunk) -> bool:
    """A label or a header line whose value is on the next line ("Contact:", "Trial ID Phase
    Status Enrollment"); a "key: | value" row already holds its value."""
    t = c.text.strip().rstrip("|").strip()
    if t.endswith(":"):
        return True
    return len(t) < 60 and t[-1:] not in ".!?]" and ":" not in t and "|" not in t and not re.search(r"\d", t)


def _join(text: str, a: Chunk, b: Chunk) -> Chunk:
    return Chunk(a.source, a.start, b.end, text[a.start : b.end], a.ordinal, a.heading, a.kind)


def _row_shape(text: str) -> tuple[int, str]:
    cells = [c.strip() for c in text.split("|") if c.strip()]
    return len(cells), cells[-1].casefold() if len(cells) > 1 else ""


def _clean(text: str) -> str:
    """A span as shown inside the answer (its citation keeps the exact text): table pipes
    evened out, the source's own reference marks ("[1]") dropped so they don't read as ours."""
    text = re.sub(r"\[\d+(?:[,–-]\d+)*\]", "", text)
    text = re.sub(r"\s*:\s*\|\s*", ": ", text.strip().strip("|").strip())  # "Key : | value" reads "Key: value"
    text = re.sub(r"\s*\|\s*", " | ", text)
    return re.sub(r"\s+", " ", text)


def _numbers(text: str) -> list[float]:
    out = [float(x) for x in re.findall(r"(?<![\w-])(\d+(?:\.\d+)?)(?![\w-]*\d)", text)]
    out += [float(NUMBER_WORDS[w]) for w in re.findall(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", text.lower())]
    return out


def yes_or_no(question: str, chunk: Chunk, glossed: Sequence[Gloss] = ()) -> str:
    """Decide yes/no from the supporting span: a yes/no field, a numeric bound, an exclusion list.
    `glossed`: the question's lay phrases, which it asks about in the documents' terms too."""
    text = chunk.text
    # "can she still enroll despite the thyroid exclusion?" asks whether she may enroll, not whether she is excluded
    asked = re.sub(r"\b(?:despite|notwithstanding|in spite of)\b[^,;?]*", "", question, flags=re.I)
    asks_excluded = bool(re.search(r"\bexclu|\bineligible\b|\bnot (?:eligible|allowed)\b|\bbarred\b|\bdisqualif|"
                                   r"\b(?:keeps?|kept|keeping|rules?|ruled|ruling|shuts?|shutting) (?:[\w'’-]+ ){0,2}out\b", asked, re.I))
    # "does the thyroid exclusion carve out an exception for that?" asks about the exception itself
    asks_exception = bool(re.search(r"\bexcept|\bexempt|\bcarve[sd]? out|\bcarving out|\bwaive", asked, re.I))
    if _says_contrary(question, text, _DESIGN_AFFIRMS) and not _says_contrary(question, text, _CONTRARIES) and not asks_excluded:
        return "Yes."  # asked "open-label?", the span says open label ("Masking: None (Open Label)" too)
    field = re.search(r"(?:\||:)\s*(yes|no|none|all)\b[^|]*\|?\s*$", text, re.I)
    if field:
        positive = field.group(1).lower() in ("yes", "all")
        return "Yes." if positive else "No."
    if _says_contrary(question, text, _CONTRARIES + _LOOSE_CONTRARIES) and not asks_excluded:
        return "No."  # asked "blinded?", the span says open-label
    if _ONLY.search(question) and _ALSO.search(text) and not _ONLY.search(text):
        return "No."  # asked "only CD19?", the span says both CD19 and CD70
    if _given_what_was_asked_away(question, text):
        return "No."  # asked "without chemotherapy conditioning?", the span says "following Flu/Cy lymphodepletion"
    named = _FIELD_LINE.fullmatch(text.strip())
    if named and not asks_excluded:
        # "Overall status: Terminated." answers "Is it still recruiting?" with no: a field holding
        # a word value says yes only if it holds what the question asks about
        label, value = set(tokens(named.group(1))), set(tokens(named.group(2)))
        asked = [t for t in tokens(question) if t not in STOPWORDS and t not in _META_WORDS and t not in label
                 and not NCT.fullmatch(t) and not CODE.fullmatch(t) and not t.isdigit()]
        if asked:
            return "Yes." if any(t in value or synonyms(t) & value for t in asked) else "No."
    q_numbers = _numbers(re.sub(r"\b[A-Za-z]+-\d+\b", "", question))
    verdict = None
    if q_numbers:
        value = q_numbers[0]
        lower = [float(a or b) for a, b in _LOWER_BOUND.findall(text)]
        upper = [float(x) for x in _UPPER_BOUND.findall(text)]
        choices = _CHOICES.search(text)
        if lower:
            verdict = value >= lower[0]
        elif upper:
            verdict = value <= upper[0]
        elif choices:
            allowed = {float(choices.group(1)), float(choices.group(3))} | {float(x) for x in re.findall(r"\d+", choices.group(2))}
            verdict = value in allowed
    if verdict is None:
        excluded = bool(_NEGATIVE_SECTION.search(chunk.heading))
        exception = re.search(r"\bexcept(?: for)?\b(.+)$", text, re.I | re.S)
        # "thyroid disorder, except for hypothyroidism controlled on a stable dose": a patient the
        # exception describes is not excluded by this criterion
        shared = ((set(tokens(question)) | {m for g in glossed for m in g.members}) - _META_WORDS) & set(tokens(exception.group(1))) if exception else set()
        excepted = len(shared) >= 2 or any(specificity(t) >= 0.9 for t in shared)  # two words, or a term as rare as "hypothyroidism"
        # the question's own negation ("skip lymphodepletion?") agrees with the span's ("no lymphodepletion")
        # ("excluding business development" negates what it excludes, if that is what is asked about)
        excluding = [tokens(m.group(1)) for m in re.finditer(r"\bexcluding\s+([^.;,]+)", text, re.I)]
        question_words = (set(tokens(question)) | {m for g in glossed for m in g.members}) - _META_WORDS
        negated = (bool(re.search(r"\b(?:not|no|never|without|none|rather than|instead of)\b", text, re.I))
                   or any(question_words & set(phrase) for phrase in excluding)) and not _ASKS_NEGATED.search(question)
        if excluded and asks_exception:
            verdict = excepted
        elif excluded:
            verdict = asks_excluded != excepted
        else:
            verdict = not negated
    elif asks_excluded:
        verdict = not verdict
    return "Yes." if verdict else "No."


# a question that itself asks about something not done: "Will one arm skip lymphodepletion?"
_ASKS_NEGATED = re.compile(r"\b(?:not|no|never|without|skip\w*|omit\w*|forgo\w*|avoid\w*|spar(?:e|es|ed|ing)|eliminat\w*|free of|exclud\w*)\b", re.I)
_WITHOUT = re.compile(r"\bwithout\s+(?:any\s+|a\s+|the\s+)?((?:[\w/-]+\s+){0,2}[\w/-]+)", re.I)
_NEGATORS = re.compile(r"\b(?:not|no|none|never|without|free|avoid\w*|eliminat\w*|circumvent\w*|reduc\w*|obviat\w*|omit\w*|skip\w*|"
                       r"spar\w*|rather than|instead of)\b", re.I)


def _given_what_was_asked_away(question: str, text: str) -> bool:
    """Asked whether something happened without X, the span, negating nothing, says X was given."""
    m = _WITHOUT.search(question)
    if not m or _NEGATORS.search(text):
        return False
    said = set(tokens(text))
    return any(synonyms(t) & said for t in tokens(m.group(1)) if t not in _META_WORDS)


def idf_function(df: dict[str, int], n_docs: int) -> Callable[[str], float]:
    top = math.log(1 + (n_docs + 0.5) / 0.5)

    def idf(token: str) -> float:
        if token in STOPWORDS:
            return 0.0
        d = df.get(token)
        return top if d is None else math.log(1 + (n_docs - d + 0.5) / (d + 0.5))

    return idf
