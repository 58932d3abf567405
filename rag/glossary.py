"""Lay wording of clinical-trial and biotech ideas, and the terms documents use for them.

People ask "how well must patients function day to day?" of a record that says "ECOG
performance status", and "what would keep the cancer from coming back" of one that says
"relapse". Single words meet through the thesaurus in `text`; this module meets whole phrases.
A question's lay phrase is read as one idea, said in the documents by any of its terms: the
terms join the search query, and a passage using any of them covers the idea.

Only the plain-language equivalents a patient leaflet or a glossary of trial terms gives belong
here, never a phrasing taken from a particular question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import JOINERS, normalize, stem

# (the documents' terms, each enough on its own; a pattern of lay phrasings over normalized text)
_ENTRIES: list[tuple[str, str]] = [
    # eligibility and design
    ("ecog karnofsky performance",
     r"function(?:s|ing)? (?:day[- ]to[- ]day|in daily life|normally)|daily (?:activities|life|living|functioning|tasks)|"
     r"everyday (?:activities|tasks|life)|(?:physically|how) (?:fit|active|functional)|(?:physical|functional) "
     r"(?:fitness|function|status|ability|level)|(?:cares?|caring|looks?|looking) (?:for|after) (?:themselves|oneself|yourself|himself|herself)(?: day[- ]to[- ]day)?|"
     r"(?:get|gets|getting) around(?: day[- ]to[- ]day)?|(?:physical |functional )?fitness (?:cut-?off|bar|threshold|requirement|level|criterion)|"
     r"(?:carry|carrying) out (?:normal |daily |everyday )?(?:activities|tasks|work)|up and about|bedridden|bed-bound"),
    ("expectancy survive survival",
     r"(?:expected|likely|predicted) to (?:live|survive|be alive)|(?:time|months|years) (?:left )?to live|how long (?:they|patients|people|someone) (?:will |would |might )?live"),
    ("hypothyroidism", r"\b(?:under-?active|low|slow) thyroid\b"),
    ("hyperthyroidism", r"\b(?:over-?active|high) thyroid\b"),
    ("hormone replacement", r"\bthyroid (?:hormone )?(?:pills?|tablets?|medication|medicine|meds)\b|\blevothyroxine\b|\bsynthroid\b"),
    ("healthy volunteers", r"healthy (?:people|individuals|participants|adults|subjects|persons)|people without the disease"),
    ("child children pediatric paediatric", r"\bkids?\b|\bminors?\b|under[- ](?:18|eighteen)|teenagers?|adolescents?"),
    ("pregnant pregnancy child-bearing childbearing breastfeeding lactating",
     r"(?:expecting|having|have) (?:a )?bab(?:y|ies)|(?:get|getting|become|becoming) pregnant|nursing mothers?|"
     r"(?:could|can|able to) (?:get|become) pregnant"),
    ("eligible eligibility inclusion criteria", r"(?:get|gets|got|getting) (?:in|into)\b|(?:be )?considered for|qualify for|"
                                                r"(?:can|could|may|be able to|be allowed to) try\b|"
                                                r"(?:be )?(?:accepted|admitted) (?:in)?to|(?:clear|meet|pass) (?:the |a |this )?(?:bar|threshold|cut-?off)|"
                                                r"bar (?:\w+ ){0,2}(?:clear|meet|pass)"),
    ("recruiting recruitment status", r"\b(?:still |currently |now )?(?:taking|accepting|recruiting|signing up|looking for) (?:new |more )?(?:patients|participants|people|volunteers|subjects)\b|"
                                      r"\bstill (?:enrolling|recruiting|open)\b|\bopen (?:for|to) (?:enrollment|enrolment|recruitment|new patients)\b"),
    ("consent", r"sign(?:ing|ed)? (?:the )?(?:forms?|paperwork)|agree(?:ing|d)? to (?:take part|participate|join)"),
    ("open-label masking blind", r"(?:patients|doctors|investigators|participants|everyone) (?:know|knows|be told|told) "
                                 r"(?:which|what) (?:treatment|drug|arm|group)|(?:hidden|concealed) from"),
    ("randomized randomised randomly random", r"(?:at random|by chance|randomly|coin (?:flip|toss)|luck of the draw)"),
    # a registry record says whether a study randomizes in its Allocation field ("Allocation: Randomized", "N/A")
    ("allocation randomized randomised", r"\b(?<!non )(?<!non-)(?<!non)randomi[sz](?:e|es|ed|ing|ation)\b"),
    ("placebo", r"(?:dummy|sugar|fake|inactive|sham) (?:pill|drug|treatment|injection|shot|infusion)"),
    ("single-arm single-group", r"(?:no|without an?) (?:control|comparison|comparator) (?:group|arm)|everyone (?:gets|receives) the same"),
    ("escalation escalating increasing", r"(?:step(?:ping)? up|ramp(?:ing)? up|rais(?:e|ing)|increas(?:e|ing)) (?:the )?(?:doses?|dosing|dose levels?)|"
                                         r"(?:higher and higher|rising|stepped) doses?"),
    ("dlt toxicity toxicities dose-limiting",
     r"side effects? (?:\w+ ){0,3}(?:serious|severe|bad|dangerous) enough|(?:cap|capping|limit|limiting|halt|halting|stop|stopping) "
     r"(?:the )?(?:dose|dosing|dose escalation)|too (?:toxic|dangerous|harmful) to (?:go|give|raise|increase)|unacceptable side effects?"),
    ("mtd tolerated tolerable", r"(?:highest|maximum|max|top|largest) (?:safe|tolerable|acceptable|bearable) (?:dose|amount|quantity|level)|"
                                r"(?:highest|maximum|max|top|largest) (?:dose|amount|quantity|level) (?:\w+ ){0,3}(?:safely|safe to)|how high (?:the )?doses? (?:can|could) go|"
                                r"(?:ceiling|upper limit|cap) on (?:the )?(?:dose|dosing|how much)(?: (?:can|could) be given(?: safely)?)?|"
                                r"how much (?:can|could) (?:safely )?be given(?: safely)?"),
    ("rp2d recommended", r"dose (?:for|going into|to (?:use|take) (?:in|into)) (?:the )?(?:next|later|phase 2|phase ii|second) "
                         r"(?:phase|stage|part)?|(?:chosen|selected|picked) dose"),
    ("adverse toxicity toxicities safety", r"side[- ]effects?|bad reactions?|harmful effects?|(?:safety )?(?:problems|issues|concerns) (?:with|from) (?:the )?(?:drug|treatment|therapy)"),
    ("primary", r"\b(?:main|chief|principal|key|central|most important) (?:goal|aim|objective|question|measure|outcome|purpose|thing measured)s?"),
    ("secondary", r"\b(?:other|additional|supporting|lesser) (?:goals|aims|objectives|measures|outcomes)"),
    ("completion complete", r"(?:fully )?clos(?:e|es|ed|ing) out|wrap(?:s|ped|ping)? up"),
    ("week-52 52", r"(?:the )?(?:one|1)[- ]year (?:mark|point|time ?point|visit|assessment)|(?:at|after|by) (?:a|one|1) year\b"),
    ("follow-up frame", r"(?:keep|kept|keeps|continue|continues) (?:\w+ )?(?:watching|monitoring|following|tracking|an eye on|checking)|followed up for"),
    # disease course and results
    ("mrd residual", r"(?:leftover|left-over|remaining|residual|lingering|trace|hidden|minimal|tiny amounts? of) "
                     r"(?:(?:detectable|microscopic|undetected|invisible) )?(?:cancer|lymphoma|disease|tumou?r|myeloma|leukemia|malignant)(?: cells)?|(?:cancer|disease|tumou?r|lymphoma) "
                     r"(?:cells )?(?:left (?:behind|over)?|remaining)"),
    ("observation observe", r"(?:just |simply |only |merely )?(?:watch(?:ing|ful waiting)?|wait(?:ing)?[- ]and[- ]see|watch[- ]and[- ]wait|"
                            r"monitor(?:ing)? (?:alone|only))\b"),
    ("relapsed refractory relapse relapsing",
     r"(?:came|come|comes|coming) back|return(?:ed|s)? after (?:treatment|therapy)|stopped responding|(?:didn't|did not|don't|do not|"
     r"no longer) respond|resistant to (?:treatment|therapy|earlier)|treatment[- ]resistant|hard[- ]to[- ]treat"),
    ("prior lines regimens", r"(?:heavily|extensively|how (?:heavily|much)) pre-?treated|pre-?treated|"
                             r"(?:already )?(?:gone|been|went|go|been put) through|(?:treatment|therapy|medication) history"),
    ("first-line frontline 1l", r"\b(?:initial|first|upfront|up-front|front-line) (?:treatment|therapy|regimen|chemo(?:therapy)?)|newly diagnosed"),
    ("response respond orr", r"(?:tumou?rs?|cancers?|disease|(?:saw|see|seen|watched) it) (?:shr[iau]nk\w*|got smaller|went away)|how many (?:patients |people )?(?:responded|benefited)|"
                             r"(?:share|proportion|fraction|percentage) (?:of patients |of people )?(?:who )?(?:responded|benefited)"),
    ("response efficacy benefit", r"whether (?:[\w'’-]+ ){0,6}(?:helped|helps|worked|works|is working|was working|benefited|benefits|"
                                  r"(?:has |have |had )?(?:got|gotten|gets|getting|became|become|becomes) better|improved|improves)|"
                                  r"(?:counts?|counted|considered|defined|deemed) as (?:a |an )?(?:success|successful|improvement|win|responder|"
                                  r"(?:good|positive|favou?rable) (?:outcome|result)|(?:meaningful|real|true|clinical) (?:response|improvement|benefit))|"
                                  r"(?:did|does|do) (?:it|they|the (?:drug|treatment|therapy|cells?)) (?:actually |really )?(?:help|work)"),
    ("complete remission cr", r"(?:cancer|disease|tumou?rs?) (?:disappeared|gone|vanished|went away completely)|no (?:sign|signs|evidence|trace) of (?:the )?(?:cancer|disease)"),
    ("progression-free pfs progression", r"without (?:the )?(?:cancer|disease|tumou?r) (?:getting worse|growing|progressing|spreading)|"
                                         r"before (?:the )?(?:cancer|disease) (?:gets|got|grows|grew) worse"),
    ("durable duration durability", r"(?:responses?|benefits?|effects?|remissions?) (?:\w+ ){0,2}(?:last(?:ed|ing)?|held up|hold up|holding up|"
                                    r"endure[ds]?|persist\w*|stick|stuck)"),
    ("survival os", r"how long (?:patients|people|they) (?:lived|live|survived|stay(?:ed)? alive)|stay(?:ed)? alive|life span"),
    ("crs cytokine", r"(?:immune|inflammatory) (?:overreaction|storm|overdrive)|cytokine storm"),
    ("gvhd graft-versus-host graft", r"donor cells? (?:attack(?:s|ing)?|harm(?:s|ing)?|turn(?:s|ing)? on) (?:the )?(?:patient|host|recipient|body)"),
    ("reject rejection rejecting rejected resistant",
     r"(?:thrown|kicked|cleared|killed|attacked|destroyed|fought|eliminated|wiped) (?:out |off )?(?:by (?:the )?(?:patient|host|recipient|body)|"
     r"by (?:the |their |his |her )?(?:own )?immune)|(?:get|gets|getting|got) (?:thrown|kicked|fought) (?:out|off)|"
     r"immune system (?:attacks?|attacking|destroys?|kills?|clears?|fights?)"),
    ("deplete depleting depletion eliminate eliminating kill killing destroy remove",
     r"(?:get(?:s|ting)?|got) rid of|wip(?:e|es|ed|ing) out|knock(?:s|ed|ing)? out|clear(?:s|ed|ing)? out|take(?:s|n)? out"),
    ("lymphodepletion conditioning lymphodepleting",
     r"(?:wip(?:e|ing)|clear(?:ing)?|knock(?:ing)?|deplet(?:e|es|ing)|lower(?:s|ing)?|reduc(?:e|es|ing)) (?:out |down )?(?:the )?(?:patient'?s? )?(?:own )?(?:immune system|immune cells|"
     r"lymphocytes|white (?:blood )?cells)|(?:pre-?treatment|preparatory|preparative|prep) (?:chemo(?:therapy)?|regimen)|"
     r"(?:(?:pre-?treatment|preparatory|preparative|pre-?infusion) )?conditioning(?: (?:regimens?|chemo(?:therapy)?|treatment))?|"
     r"chemo(?:therapy)? (?:before|ahead of|prior to) (?:the )?(?:[\w-]+ )?(?:cells?|infusion|car[- ]?t)|"
     r"chemo(?:therapy)? (?:beforehand|first|up[- ]?front|before(?:hand)? (?:the )?(?:main |study )?(?:treatment|therapy|drug))"),
    # products, manufacturing, business
    ("allogeneic off-the-shelf donor", r"(?:from|made from|using|derived from) (?:an? |healthy )?(?:unrelated )?donors?|donor[- ]derived|donor (?:t[- ]|nk |immune |killer )?cells?|ready[- ]made|pre-?made|"
                                       r"(?:not|isn't) (?:made|derived) from (?:the )?patient'?s? own"),
    ("autologous own", r"(?:made|derived|manufactured) from (?:the |each )?patient'?s? own|"
                       r"(?:their|his|her|the patient'?s?) own (?:\w+ )?(?:stem )?cells? (?:\w+ ){0,2}(?:(?:given|put|transplanted|returned|infused) back|re-?infused|re-?transplanted)|"
                       r"transplant(?:ation)? (?:using|with|of|from) (?:their|his|her|the patient'?s?) own (?:\w+ )?(?:stem )?cells?|"
                       r"(?:self|own)[- ](?:donor|donated|derived) (?:graft|transplant\w*|stem cells?)"),
    ("crispr edit editing gene-editing talen", r"(?:genome|gene|dna|genetic) (?:editing|engineering|modification|surgery)|"
                                               r"(?:edit|modify|engineer|alter)(?:s|ed|ing)? (?:the )?(?:genes?|genome|dna)"),
    ("target targets targeting targeted directed anti recognizes", r"go(?:es|ing)? after|aim(?:s|ed|ing)? at|hom(?:e|es|ed|ing) in on|zero(?:es|ed|ing)? in on"),
    ("car car-t chimeric", r"engineered (?:immune |t[- ])?cells?"),
    ("nk killer", r"natural killer|killer (?:lymphocytes|immune cells|white (?:blood )?cells)"),
    ("cord umbilical", r"(?:baby'?s?|newborn|birth) (?:cord|blood)|afterbirth|placenta"),
    ("infusion infused intravenous", r"(?:(?:given|administered|delivered|put) )?(?:by|through|via|into|in) (?:a |the )?(?:drip|veins?|iv|bloodstream)"),
    ("oral orally", r"by mouth|(?:as |a )?(?:pills?|tablets?|capsules?)|swallow(?:ed|s)?"),
    ("subcutaneous subcutaneously", r"under the skin|(?:a )?(?:shot|jab) in the (?:arm|belly|stomach|thigh)"),
    ("cost-of-goods cogs", r"(?:cost|costs|expense) (?:them |it |allogene )?(?:to |of )?(?:make|making|produce|producing|manufactur\w*)|"
                           r"(?:production|manufacturing|making|unit) (?:costs?|expenses?)(?: (?:per|a|for each) (?:dose|treatment|unit|patient|infusion))?|cost per (?:dose|treatment) to (?:make|produce)"),
    ("runway cash", r"(?:how long|until when) (?:will |does |is )?(?:the |their |its )?(?:money|cash|funding|funds) (?:last|run|expected to last)|"
                    r"run out of (?:money|cash)|(?:cash )?burn rate|keep the lights on|"
                    r"(?:money|cash|funds|funding) (?:will |would |can |is expected to )?last\b|"
                    r"(?:keep|keeps|keeping) (?:it|them|the company|the business|allogene) (?:funded|going|running|solvent)|"
                    r"(?:money|cash|funds|funding|capital) (?:to |will |would |can )?(?:carry|fund|sustain|support|cover|finance|bankroll) "
                    r"(?:\w+ ){0,2}(?:operations|company|business)|"
                    r"(?:keep|stay|continue|remain) (?:funding|financing|funded|financed|operating|running) (?:itself|themselves|the company|"
                    r"the business|(?:its |their )?operations|on (?:the |its |their )?(?:money|cash|funds))|(?:fund|finance) (?:itself|themselves|(?:its |their )?operations)"),
    # analysts' shorthand
    ("proof-of-concept", r"\bpoc\b"),
    ("business development", r"\bbd\b"),
    ("expect expected", r"\bguid(?:e|es|ed|ing|ance)\b"),
    ("sponsor responsible party", r"(?:accountable|answerable|in charge) (?:for|of)|(?:who|which \w+) (?:runs|owns|is running|oversees)"),
    ("contact", r"reach out to|get in touch with|point of contact|(?:who|whom) (?:should|can|do) (?:i|we|you) (?:call|ring|email|write to)"),
    ("investor investors", r"shareholders?|stockholders?"),
    ("nasdaq nyse", r"(?:stock )?ticker(?: symbol)?|(?:stock|share|trading) symbol|trades? (?:under|as)|publicly listed|"
     # (not "listed on the record", "listed under 'Other Study ID Numbers'")
     r"listed (?:on|in) (?:the |an? )?(?:nasdaq|nyse|stock|exchange|market|which exchange|what exchange)|listed under (?:what|which|its|the|a) (?:ticker|symbol|name)|"
     r"(?:which|what) (?:stock )?exchange"),
    ("cmo medical", r"top (?:doctor|physician|medic)|(?:head|lead|chief) (?:doctor|physician)|medical (?:chief|head|lead)"),
    ("treated treatment", r"(?:been |were |was |got |get )?dosed\b(?! (?:at|with) )"),
    ("media", r"journalists?|reporters?|press (?:enquiries|inquiries|queries|questions|contact)"),
    ("headquarters headquartered", r"home base|head ?office|\bhq\b|(?:main|corporate) (?:office|base|offices)|where (?:is |are )?(?:\w+ ){0,2}based"),
    ("clearance cleared ind approved approval", r"(?:green light|go-ahead|go ahead|sign-?off|permission|ok|okay) (?:from|by) (?:the )?fda|"
                                                r"fda (?:said yes|signed off|allowed|let)"),
    ("pivotal registrational", r"(?:approval|registration)[- ]enabling|(?:the )?trial that could (?:lead to|support) approval"),
    ("interim", r"(?:early|midway|halfway|mid-study|mid-trial|first) (?:look|check|read|readout|analysis|peek)"),
    ("futility", r"(?:stop|stopped|stopping|halt|drop|dropped) (?:\w+ ){0,3}(?:if|because|when) (?:it|the drug|the treatment|the therapy) "
                 r"(?:isn't|is not|doesn't|does not|wasn't|was not) (?:working|work|helping)|not worth continuing"),
    ("integrates integrated integration", r"(?:slot|slots|slotted|fit|fits|fitted|plug|plugs|plugged|tack|tacked) "
                                          r"(?:\w+ ){0,3}(?:in|into|onto|on to)\b"),
    ("license licence licensed rights", r"(?:bought|acquired|got|obtained|passed|handed|gave|given|transferred) (?:the )?(?:\w+ ){0,2}rights"),
    # diseases by their everyday names
    ("myositis myopathies myopathy", r"(?:muscle|muscles) (?:inflammation|disease|weakness|disorder)|inflamed muscles?"),
    ("scleroderma sclerosis ssc", r"(?:hardening|thickening) of (?:the )?skin|scleroderma"),
    ("arthritis", r"(?:joint|joints) (?:inflammation|disease|pain|swelling)|inflamed joints?"),
    ("nephritis", r"kidney (?:inflammation|involvement|disease)|inflamed kidneys?"),
    ("sjögren sjogren", r"dry (?:eyes?|mouth)(?: and (?:dry )?(?:eyes?|mouth))?|sjogren"),
    ("lupus sle", r"\bsle\b"),
    ("lymphoma lbcl dlbcl", r"(?:lymph node|lymphatic) cancer"),
    ("myeloma", r"(?:plasma[- ]cell|bone marrow) cancer"),
    ("rcc renal", r"kidney cancer"),
    ("autoimmune autoimmunity", r"(?:immune system|body) (?:attacks?|attacking|turns? on) (?:itself|its own|the body)"),
]


@dataclass(frozen=True)
class Gloss:
    phrase: str  # as the question words it
    members: frozenset[str]  # index tokens, any of which says it in a document
    terms: str  # the documents' words, for the search query


def _members(terms: str) -> frozenset[str]:
    # a joined term (cost-of-goods) is one index token as written; others as their stem
    return frozenset(w if JOINERS.search(w) else stem(w) for w in terms.split())


_COMPILED = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])"), terms, _members(terms)) for terms, pattern in _ENTRIES]


@lru_cache(maxsize=4096)
def glosses(text: str) -> tuple[Gloss, ...]:
    """The lay phrases of `text` and what the documents call them, longest first; a phrase
    found by one entry is not read again by another."""
    low = normalize(text)
    spaced = re.sub(r"(?<=\w)-(?=\w)", " ", low)  # "genome-editing" reads as "genome editing" too (same offsets)
    matches = [(m.start(), m.end(), Gloss(low[m.start() : m.end()], members, terms))
               for pattern, terms, members in _COMPILED for form in dict.fromkeys((low, spaced)) for m in pattern.finditer(form)]
    found: list[tuple[int, int, Gloss]] = []
    for a, b, g in sorted(matches, key=lambda f: f[0] - f[1]):
        if not any(a < y and x < b for x, y, _ in found):
            found.append((a, b, g))
    return tuple(g for _, _, g in sorted(found, key=lambda f: f[0]))
