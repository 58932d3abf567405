"""ClinicalTrials.gov study records → Documents.

Two formats carry the same study: the legacy XML schema (`<clinical_study>`, the bulk download) and
the current API's JSON (`{"protocolSection": …}`). Both are read into one `Study` value, which
renders one canonical text: a title line ("NCT01234567: title"), then sections whose heading names
the trial ("NCT01234567 design") so every fact the chunker cuts out keeps its trial in context,
and short "Key: value." lines, one fact each ("Phase: Phase 2."). Structured fields also go into
`Document.metadata` for filtering (`phase`, `status`, `conditions`, …).

Hand-written because no maintained library renders study records into prose with stable layout.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .errors import UnsupportedFile
from .types import Document

_MONTHS = {name: n for n, name in enumerate(calendar.month_name) if name}


@dataclass(frozen=True)
class Intervention:
    kind: str  # Drug, Device, Behavioral, …
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    measure: str
    time_frame: str = ""
    description: str = ""


@dataclass(frozen=True)
class Study:
    """One study's fields in display form ("Phase 2", "Recruiting", "June 6, 2021")."""

    nct_id: str
    brief_title: str
    official_title: str = ""
    acronym: str = ""
    other_ids: tuple[str, ...] = ()
    status: str = ""
    last_known_status: str = ""
    why_stopped: str = ""
    start_date: str = ""
    primary_completion_date: str = ""
    primary_completion_type: str = ""
    completion_date: str = ""
    completion_type: str = ""
    first_posted: str = ""
    last_update_posted: str = ""
    study_type: str = ""
    phases: tuple[str, ...] = ()
    enrollment: int | None = None
    enrollment_type: str = ""
    design: tuple[tuple[str, str], ...] = ()  # (label, value): allocation, masking, …
    summary: str = ""
    description: str = ""
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    arms: tuple[tuple[str, str, str], ...] = ()  # (label, type, description)
    sex: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    healthy_volunteers: str = ""
    study_population: str = ""
    criteria: str = ""
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    other_outcomes: tuple[Outcome, ...] = ()
    lead_sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    officials: tuple[tuple[str, str, str], ...] = ()  # (name, role, affiliation)
    locations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    has_results: bool = False

    @property
    def phase(self) -> str:
        return "/".join(self.phases)


# --- free text ----------------------------------------------------------------------------------

_ITEM = re.compile(r"^(\s*)(?:[-*•]|\d{1,2}[.)])\s+")


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def reflow(text: str | None) -> str:
    """Hard-wrapped registry text → one line per paragraph, bullets as "- " items.

    A paragraph right before a list becomes its label ("Inclusion Criteria:") and shares the
    items' block, so the chunker reads it as their context; any other paragraph ends in terminal
    punctuation, so a short one ("Peer reviewed by CRUK") is not mistaken for a section heading.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for line in (text or "").replace("\r", "").split("\n") + [""]:
        if not line.strip() or (current and _ITEM.match(line)):
            if current:
                paragraphs.append(" ".join(current))
            current = [line] if line.strip() else []
        else:
            current.append(line)
    indents = sorted({len(m.group(1)) for p in paragraphs if (m := _ITEM.match(p))})
    lines: list[tuple[bool, str]] = []  # (is item, text)
    for n, para in enumerate(paragraphs):
        item = _ITEM.match(para)
        body = _one_line(para[item.end():] if item else para)
        if not body:
            continue
        if item:
            marker = item.group(0).strip()
            lines.append((True, "  " * indents.index(len(item.group(1)))
                          + ("-" if marker in "-*•" else marker) + " " + body))
        elif n + 1 < len(paragraphs) and _ITEM.match(paragraphs[n + 1]) and len(body) <= 120:
            lines.append((False, body if body.endswith(":") else body.rstrip(".") + ":"))
        else:
            lines.append((False, body if body[-1] in ".!?:" else body + "."))
    out = ""
    for n, (is_item, line) in enumerate(lines):
        if n:
            prev_item, prev = lines[n - 1]
            out += "\n" if is_item and (prev_item or prev.endswith(":")) else "\n\n"
        out += line
    return out


# --- dates --------------------------------------------------------------------------------------

def iso_date(display: str) -> str:
    """"June 6, 2021" → "2021-06-06", "September 2004" → "2004-09"; anything else unchanged."""
    m = re.fullmatch(r"([A-Z][a-z]+)\s+(?:(\d{1,2}),\s+)?(\d{4})", display.strip())
    if not m or m.group(1) not in _MONTHS:
        return display.strip()
    month = _MONTHS[m.group(1)]
    return f"{m.group(3)}-{month:02d}" + (f"-{int(m.group(2)):02d}" if m.group(2) else "")


def display_date(iso: str) -> str:
    """"2021-06-06" → "June 6, 2021", "2004-09" → "September 2004"; anything else unchanged."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", iso.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return iso.strip()
    month = calendar.month_name[int(m.group(2))]
    return f"{month} {int(m.group(3))}, {m.group(1)}" if m.group(3) else f"{month} {m.group(1)}"


# --- rendering ----------------------------------------------------------------------------------

def _sentence(text: str) -> str:
    """One line ending in terminal punctuation: the chunker never mistakes it for a heading,
    and never runs it on into the next line."""
    text = _one_line(text)
    return text if not text or text[-1] in ".!?" else text.rstrip(",;: ") + "."


def _facts(*pairs: tuple[str, str | None]) -> str:
    return "\n".join(_sentence(f"{key}: {value}") for key, value in pairs if value)


def _dated(value: str, kind: str) -> str:
    return f"{value} ({kind})" if value and kind else value


def _items(label: str, values: list[str]) -> str:
    return "\n".join(([f"{label}:"] if label else []) + [f"- {_one_line(v)}" for v in values]) if values else ""


def render(study: Study) -> str:
    """The canonical text: a title line, then sections. A section heading ("NCT01234567 eligibility",
    under the chunker's 25-character heading-as-fact limit) stands alone between blank lines and
    names the trial, so every chunk under it carries the trial id as its heading."""
    nct = study.nct_id
    blocks: list[str] = [f"{nct}: {study.official_title or study.brief_title}"]

    def section(name: str, *parts: str) -> None:
        parts = tuple(p for p in parts if p.strip())
        if parts:
            blocks.append(f"{nct} {name}")
            blocks.extend(parts)

    blocks.append(_facts(
        ("NCT number", nct),
        ("Brief title", study.brief_title if study.official_title else ""),
        ("Acronym", study.acronym),
        ("Other study ids", ", ".join(study.other_ids)),
    ))
    section("summary", reflow(study.summary))
    section("description", reflow(study.description))
    # "recruitment": people ask for a trial's "recruitment status"; the heading lends the word
    section("recruitment", _facts(
        ("Overall status", study.status),
        ("Last known status", study.last_known_status),
        ("Why stopped", study.why_stopped),
        ("Start date", study.start_date),
        ("Primary completion date", _dated(study.primary_completion_date, study.primary_completion_type)),
        ("Completion date", _dated(study.completion_date, study.completion_type)),
        ("First posted", study.first_posted),
        ("Last update posted", study.last_update_posted),
        ("Results", "posted" if study.has_results else ""),
    ))
    enrollment = f"{study.enrollment:,} participants" if study.enrollment is not None else ""
    section("design", _facts(
        ("Study type", study.study_type),
        ("Phase", study.phase),
        ("Enrollment", _dated(enrollment, study.enrollment_type)),
        *study.design,
    ))
    section("conditions", _items("", list(study.conditions)),
            _facts(("Keywords", ", ".join(study.keywords))))
    # "treatments", not "interventions": the heading must stay under 25 characters (see render)
    section("treatments",
            _items("Interventions", [f"{i.kind}: {i.name}" if i.kind else i.name for i in study.interventions]),
            *(_sentence(f"{i.name}: {_sentence(i.description)}"
                        + (f" Also called {', '.join(i.other_names)}." if i.other_names else ""))
              for i in study.interventions if i.description or i.other_names),
            *(_sentence(f"Arm {label}" + (f" ({kind})" if kind else "") + (f": {d}" if d else ""))
              for label, kind, d in study.arms))
    section("eligibility", _facts(
        ("Sex", study.sex),
        ("Minimum age", study.minimum_age),
        ("Maximum age", study.maximum_age),
        ("Healthy volunteers", study.healthy_volunteers),
    ), reflow(study.study_population), reflow(study.criteria))
    kinds = (("Primary outcomes", study.primary_outcomes), ("Secondary outcomes", study.secondary_outcomes),
             ("Other outcomes", study.other_outcomes))
    section("outcomes",
            *(_items(label, [o.measure + (f" [Time frame: {_one_line(o.time_frame)}]" if o.time_frame else "")
                             for o in outcomes]) for label, outcomes in kinds),
            *(_sentence(f"{_one_line(o.measure).rstrip('.')}: {o.description}") for _, outcomes in kinds for o in outcomes
              if o.description))
    section("sponsor", _facts(
        ("Lead sponsor", study.lead_sponsor),
        ("Collaborators", ", ".join(study.collaborators)),
        *((role or "Investigator", f"{name}, {aff}" if aff else name) for name, role, aff in study.officials),
    ))
    section("locations", _items("", list(study.locations)), _facts(("Countries", ", ".join(study.countries))))
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def phase_values(phases: tuple[str, ...]) -> list[str]:
    """What a filter on phase should match: each phase, and the combined forms people type.
    A Phase 1/Phase 2 trial answers to "Phase 1", "Phase 2", "Phase 1/Phase 2" and "Phase 1/2"."""
    values = list(phases)
    if len(phases) > 1:
        values.append("/".join(phases))
        numbers = [p.removeprefix("Phase ") for p in phases]
        values.append("Phase " + "/".join(numbers))
    return list(dict.fromkeys(values))


def metadata(study: Study) -> dict:
    start, completion = iso_date(study.start_date), iso_date(study.completion_date)
    meta = {
        "nct_id": study.nct_id,
        "phase": phase_values(study.phases),
        "status": study.status,
        "conditions": list(study.conditions),
        "start_date": start,
        "start_year": start[:4] if re.match(r"\d{4}", start) else "",
        "completion_date": completion,
        "completion_year": completion[:4] if re.match(r"\d{4}", completion) else "",
        "sponsor": study.lead_sponsor,
        "collaborators": list(study.collaborators),
        "study_type": study.study_type,
        "enrollment": study.enrollment,
        "sex": study.sex,
        "countries": list(study.countries),
        "format": "ctgov",
    }
    return {k: v for k, v in meta.items() if v not in ("", None, [])}


def to_document(source: str, data: bytes, study: Study) -> Document:
    if not re.fullmatch(r"NCT\d{8}", study.nct_id):
        raise UnsupportedFile(source, f"the study record has no valid NCT number (found {study.nct_id!r})")
    title = f"{study.nct_id}: {study.brief_title or study.official_title}"[:200]
    return Document(source, title, render(study), hashlib.sha256(data).hexdigest(), metadata(study))


# --- legacy XML ---------------------------------------------------------------------------------

def _text(el: ET.Element, path: str) -> str:
    node = el.find(path)
    if node is None:
        return ""
    block = node.find("textblock")
    return ((block if block is not None else node).text or "").strip()


def _attr(el: ET.Element, path: str, name: str) -> str:
    node = el.find(path)
    return node.get(name, "") if node is not None else ""


def _all(el: ET.Element, path: str) -> tuple[str, ...]:
    return tuple(v for v in (_one_line(n.text) for n in el.findall(path)) if v)


def _outcomes(el: ET.Element, tag: str) -> tuple[Outcome, ...]:
    return tuple(Outcome(_text(o, "measure"), _text(o, "time_frame"), _text(o, "description")) for o in el.findall(tag))


def _location(loc: ET.Element) -> str:
    a = "facility/address/"
    parts = [_text(loc, "facility/name"), _text(loc, a + "city"),
             " ".join(p for p in (_text(loc, a + "state"), _text(loc, a + "zip")) if p), _text(loc, a + "country")]
    line = ", ".join(_one_line(p) for p in parts if p)
    status = _text(loc, "status")
    return f"{line} ({status})" if line and status else line


def study_from_xml(root: ET.Element) -> Study:
    design = root.find("study_design_info")
    design_pairs = []
    if design is not None:
        for tag in ("allocation", "intervention_model", "observational_model", "time_perspective", "primary_purpose", "masking"):
            if value := _text(design, tag):
                design_pairs.append((tag.replace("_", " ").capitalize(), value))
    count = _text(root, "enrollment")
    healthy = _text(root, "eligibility/healthy_volunteers")
    return Study(
        nct_id=_text(root, "id_info/nct_id"),
        brief_title=_one_line(_text(root, "brief_title")),
        official_title=_one_line(_text(root, "official_title")),
        acronym=_text(root, "acronym"),
        other_ids=_all(root, "id_info/org_study_id") + _all(root, "id_info/secondary_id"),
        status=_text(root, "overall_status"),
        last_known_status=_text(root, "last_known_status"),
        why_stopped=_text(root, "why_stopped"),
        start_date=_text(root, "start_date"),
        primary_completion_date=_text(root, "primary_completion_date"),
        primary_completion_type=_attr(root, "primary_completion_date", "type"),
        completion_date=_text(root, "completion_date"),
        completion_type=_attr(root, "completion_date", "type"),
        first_posted=_text(root, "study_first_posted"),
        last_update_posted=_text(root, "last_update_posted"),
        study_type=_text(root, "study_type"),
        phases=tuple(p for p in _text(root, "phase").split("/") if p),
        enrollment=int(count) if count.isdigit() else None,
        enrollment_type=_attr(root, "enrollment", "type"),
        design=tuple(design_pairs),
        summary=_text(root, "brief_summary"),
        description=_text(root, "detailed_description"),
        conditions=_all(root, "condition"),
        keywords=_all(root, "keyword"),
        interventions=tuple(
            Intervention(_text(i, "intervention_type"), _one_line(_text(i, "intervention_name")),
                         _text(i, "description"), _all(i, "other_name"))
            for i in root.findall("intervention")),
        arms=tuple((_one_line(_text(a, "arm_group_label")), _text(a, "arm_group_type"), _text(a, "description"))
                   for a in root.findall("arm_group")),
        sex=_text(root, "eligibility/gender"),
        minimum_age=_text(root, "eligibility/minimum_age"),
        maximum_age=_text(root, "eligibility/maximum_age"),
        healthy_volunteers={"Accepts Healthy Volunteers": "Yes"}.get(healthy, healthy),
        study_population=_text(root, "eligibility/study_pop"),
        criteria=_text(root, "eligibility/criteria"),
        primary_outcomes=_outcomes(root, "primary_outcome"),
        secondary_outcomes=_outcomes(root, "secondary_outcome"),
        other_outcomes=_outcomes(root, "other_outcome"),
        lead_sponsor=_one_line(_text(root, "sponsors/lead_sponsor/agency")),
        collaborators=_all(root, "sponsors/collaborator/agency"),
        officials=tuple((_one_line(_text(o, "last_name")), _text(o, "role"), _one_line(_text(o, "affiliation")))
                        for o in root.findall("overall_official")),
        locations=tuple(loc for loc in map(_location, root.findall("location")) if loc),
        countries=_all(root, "location_countries/country"),
        has_results=root.find("clinical_results") is not None,
    )


def load_ctgov_xml(source: str, data: bytes) -> Document:
    """A `.xml` file holding one legacy-schema study (`<clinical_study>`)."""
    if not data.strip():
        raise UnsupportedFile(source, "the file is empty")
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        # Study records never declare a DTD; refusing one keeps entity expansion out of reach.
        raise UnsupportedFile(source, "the XML declares a DTD or entities; only ClinicalTrials.gov study records are read")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnsupportedFile(source, f"it is not well-formed XML ({exc})") from None
    if root.tag != "clinical_study":
        raise UnsupportedFile(source, f"the XML root is <{root.tag}>, not <clinical_study>; "
                                      "only ClinicalTrials.gov study records are read from .xml files")
    return to_document(source, data, study_from_xml(root))


# --- current JSON (API v2) ----------------------------------------------------------------------

_STATUS = {"ACTIVE_NOT_RECRUITING": "Active, not recruiting", "UNKNOWN": "Unknown status"}
_PHASES = {"EARLY_PHASE1": "Early Phase 1", "NA": "N/A"}
_ENROLLMENT = {"ESTIMATED": "Anticipated"}  # the legacy schema's word, so both formats read alike
_DESIGN = {  # the legacy schema's wording for the API's design enums
    "NA": "N/A", "RANDOMIZED": "Randomized", "NON_RANDOMIZED": "Non-Randomized",
    "SINGLE_GROUP": "Single Group Assignment", "PARALLEL": "Parallel Assignment",
    "CROSSOVER": "Crossover Assignment", "FACTORIAL": "Factorial Assignment", "SEQUENTIAL": "Sequential Assignment",
    "NONE": "None (Open Label)",
}


def _enum(value: str | None, special: dict[str, str] | None = None, title: bool = False) -> str:
    """"NOT_YET_RECRUITING" → "Not yet recruiting" ("Study Director" with title=True)."""
    if not value:
        return ""
    if special and value in special:
        return special[value]
    words = value.replace("_", " ")
    return words.title() if title else words.capitalize()


def _phase(value: str) -> str:
    m = re.fullmatch(r"PHASE(\d)", value)
    return f"Phase {m.group(1)}" if m else _enum(value, _PHASES)


def _date(struct: dict | None) -> tuple[str, str]:
    struct = struct or {}
    return display_date(struct.get("date", "")), _enum(struct.get("type"), _ENROLLMENT)


def _json_outcomes(items: list | None) -> tuple[Outcome, ...]:
    return tuple(Outcome(o.get("measure", ""), o.get("timeFrame", ""), o.get("description", "")) for o in items or [])


def study_from_json(record: dict) -> Study:
    p = record["protocolSection"]
    ident, status = p.get("identificationModule", {}), p.get("statusModule", {})
    design, desc = p.get("designModule", {}), p.get("descriptionModule", {})
    cond, arms = p.get("conditionsModule", {}), p.get("armsInterventionsModule", {})
    elig, outc = p.get("eligibilityModule", {}), p.get("outcomesModule", {})
    spons, cl = p.get("sponsorCollaboratorsModule", {}), p.get("contactsLocationsModule", {})
    info = design.get("designInfo", {})
    enrollment = design.get("enrollmentInfo", {})
    primary, primary_type = _date(status.get("primaryCompletionDateStruct"))
    completion, completion_type = _date(status.get("completionDateStruct"))
    design_pairs = [(label, _enum(info.get(key), _DESIGN)) for label, key in (
        ("Allocation", "allocation"), ("Intervention model", "interventionModel"),
        ("Observational model", "observationalModel"), ("Time perspective", "timePerspective"),
        ("Primary purpose", "primaryPurpose"))]
    masking = (info.get("maskingInfo") or {}).get("masking")
    design_pairs.append(("Masking", _enum(masking, _DESIGN)))
    healthy = elig.get("healthyVolunteers")
    countries = dict.fromkeys(loc.get("country", "") for loc in cl.get("locations", []) if loc.get("country"))
    return Study(
        nct_id=ident.get("nctId", ""),
        brief_title=_one_line(ident.get("briefTitle")),
        official_title=_one_line(ident.get("officialTitle")),
        acronym=ident.get("acronym", ""),
        other_ids=tuple(i for i in [(ident.get("orgStudyIdInfo") or {}).get("id", "")]
                        + [s.get("id", "") for s in ident.get("secondaryIdInfos", [])] if i),
        status=_enum(status.get("overallStatus"), _STATUS),
        last_known_status=_enum(status.get("lastKnownStatus"), _STATUS),
        why_stopped=status.get("whyStopped", ""),
        start_date=_date(status.get("startDateStruct"))[0],
        primary_completion_date=primary,
        primary_completion_type=primary_type,
        completion_date=completion,
        completion_type=completion_type,
        first_posted=_date(status.get("studyFirstPostDateStruct"))[0],
        last_update_posted=_date(status.get("lastUpdatePostDateStruct"))[0],
        study_type=_enum(design.get("studyType"), title=True),
        phases=tuple(_phase(ph) for ph in design.get("phases", [])),
        enrollment=enrollment.get("count"),
        enrollment_type=_enum(enrollment.get("type"), _ENROLLMENT),
        design=tuple((label, value) for label, value in design_pairs if value),
        summary=desc.get("briefSummary", ""),
        description=desc.get("detailedDescription", ""),
        conditions=tuple(cond.get("conditions", [])),
        keywords=tuple(cond.get("keywords", [])),
        interventions=tuple(Intervention(_enum(i.get("type"), title=True), i.get("name", ""), i.get("description", ""),
                                         tuple(i.get("otherNames", []))) for i in arms.get("interventions", [])),
        arms=tuple((a.get("label", ""), _enum(a.get("type"), title=True), a.get("description", ""))
                   for a in arms.get("armGroups", [])),
        sex=_enum(elig.get("sex")),
        minimum_age=elig.get("minimumAge", ""),
        maximum_age=elig.get("maximumAge", ""),
        healthy_volunteers="" if healthy is None else ("Yes" if healthy else "No"),
        study_population=elig.get("studyPopulation", ""),
        criteria=elig.get("eligibilityCriteria", ""),
        primary_outcomes=_json_outcomes(outc.get("primaryOutcomes")),
        secondary_outcomes=_json_outcomes(outc.get("secondaryOutcomes")),
        other_outcomes=_json_outcomes(outc.get("otherOutcomes")),
        lead_sponsor=(spons.get("leadSponsor") or {}).get("name", ""),
        collaborators=tuple(c.get("name", "") for c in spons.get("collaborators", [])),
        officials=tuple((o.get("name", ""), _enum(o.get("role"), title=True), o.get("affiliation", ""))
                        for o in cl.get("overallOfficials", [])),
        locations=tuple(", ".join(x for x in (loc.get("facility"), loc.get("city"),
                                             " ".join(y for y in (loc.get("state"), loc.get("zip")) if y),
                                             loc.get("country")) if x)
                        + (f" ({_enum(loc['status'])})" if loc.get("status") else "")
                        for loc in cl.get("locations", [])),
        countries=tuple(countries),
        has_results=bool(record.get("hasResults")),
    )


def load_ctgov_json(source: str, data: bytes) -> Document:
    """A `.json` file holding one study as the ClinicalTrials.gov API returns it."""
    if not data.strip():
        raise UnsupportedFile(source, "the file is empty")
    try:
        record = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(source, f"it is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise UnsupportedFile(source, f"it is not valid JSON ({exc})") from None
    if isinstance(record, dict) and isinstance(record.get("studies"), list):
        if len(record["studies"]) != 1:
            raise UnsupportedFile(source, f"it holds {len(record['studies'])} studies; save one study per file")
        record = record["studies"][0]
    if not isinstance(record, dict) or not isinstance(record.get("protocolSection"), dict):
        raise UnsupportedFile(source, "the JSON has no protocolSection; only ClinicalTrials.gov study records "
                                      "(API v2 format) are read from .json files")
    try:
        study = study_from_json(record)
    except (AttributeError, TypeError, ValueError) as exc:
        raise UnsupportedFile(source, f"the study record has an unexpected shape ({exc.__class__.__name__}: {exc})") from None
    return to_document(source, data, study)
