"""A patient's record as one FHIR R4 (4.0.1) Bundle of type `collection` (contract: "FHIR export").

Pure: takes the records the JSON export reads, the dated plan and the flags the command
worked out, and gives resources; no file or configuration reading. Every resource is built
through the `fhir.resources` models (pydantic v2; its R4B package, which reads R4 for the
resources used here), so a structural mistake fails here, not in a clinic's system. That
library is an optional extra (`rehab[fhir]`): it is imported on first use, never at start-up.

Identity: each resource's id is a UUID 5 of a key made from what names the record (patient
id, date, rule...), never a database row id, so the same record has the same id on every
export, after an export and import too, and a receiving system can update rather than
duplicate. Everything is listed in a fixed order, so the same database gives the same file
byte for byte apart from Bundle.timestamp.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import IO, NamedTuple

from rehab import vocab, wording
from rehab.model import Acknowledgement, Adjustment, Measure, PatientRecord, Score, acknowledgements_by_flag

# The project's own code systems and identifiers live under one base. `.invalid` is reserved
# (RFC 2606): these URIs name things, they are never fetched.
BASE = "https://rehab.invalid/fhir"
CODE_SYSTEM = f"{BASE}/CodeSystem"
PATIENT_ID_SYSTEM = f"{BASE}/patient-id"
OBSERVATION_CODES = f"{CODE_SYSTEM}/observation"
WEIGHT_BEARING_CODES = f"{CODE_SYSTEM}/weight-bearing"
SWELLING_CODES = f"{CODE_SYSTEM}/swelling"
EXERCISES_CODES = f"{CODE_SYSTEM}/home-exercises"
ACTIVITY_CODES = f"{CODE_SYSTEM}/activity"
SYMPTOM_CODES = f"{CODE_SYSTEM}/symptom"
PROCEDURE_CODES = f"{CODE_SYSTEM}/procedure"
PLAN_CODES = f"{CODE_SYSTEM}/plan-activity"
FLAG_RULES = f"{CODE_SYSTEM}/flag-rule"
ANSWER_CODES = f"{CODE_SYSTEM}/answer"
QUESTIONNAIRE = f"{BASE}/Questionnaire"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
FLAG_PRIORITY = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_PRIORITY_CODES = "http://terminology.hl7.org/CodeSystem/flag-priority-code"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

PAIN = {"system": LOINC, "code": "72514-3", "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
BODY_TEMPERATURE = {"system": LOINC, "code": "8310-5", "display": "Body temperature"}
NON_WEIGHT_BEARING = {"system": SNOMED, "code": "261999007", "display": "Non-weight-bearing"}

SWELLING_LABEL = {"none": "no swelling", "mild": "mild swelling", "moderate": "moderate swelling",
                  "severe": "severe swelling"}
EXERCISES_LABEL = {"done": "home exercises done", "partly": "home exercises partly done",
                   "skipped": "home exercises skipped"}
MEASURES = {
    "knee-to-wall": ("Knee-to-wall distance (ankle dorsiflexion)", "cm"),
    "calf-raises": ("Single-leg heel raises to fatigue", None),
}
SYMPTOM_LABEL = {name: name.replace("-", " ") for name in vocab.SYMPTOMS}
SYMPTOM_ORDER = {name: i for i, name in enumerate(vocab.SYMPTOMS)}
# The flag-priority extension's codes: what a flag's severity asks of the reader.
PRIORITY = {"urgent": ("PH", "High priority"), "warning": ("PM", "Medium priority"), "info": ("PL", "Low priority")}

# Stable ids: UUID 5 in a namespace of the project's own.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


class PatientData(NamedTuple):
    """What one patient's resources are built from: the JSON export's record, the dated
    plan as it stands now (rehab.timeline.Timeline) and the flags evaluated against it."""

    record: PatientRecord
    plan: object  # rehab.plan.Plan (a Timeline); None where the patient's protocol is gone
    flags: Sequence  # rehab.deviations.Flag


def stable_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def full_url(key: str) -> str:
    return f"urn:uuid:{stable_id(key)}"


def bundle(patients: Iterable[PatientData], as_of: date, timestamp: datetime,
           instruments: Mapping | None = None) -> dict:
    """The whole Bundle as one dict (write_bundle streams the same entries). `instruments`:
    the outcome questionnaires by id (rehab.instruments), for their names, items and scoring."""
    entries = list(bundle_entries(patients, as_of, instruments))
    document = _bundle_head(timestamp)
    if entries:
        document["entry"] = entries
    return document


def write_bundle(handle: IO[str], patients: Iterable[PatientData], as_of: date, timestamp: datetime,
                 instruments: Mapping | None = None) -> int:
    """Write the Bundle as JSON, one entry a line, patient by patient, so a clinic's export
    never has to be held whole in memory; returns how many entries were written."""
    head = json.dumps(_bundle_head(timestamp), ensure_ascii=False)
    handle.write(head[:-1])
    count = 0
    for entry in bundle_entries(patients, as_of, instruments):
        # FHIR JSON has no empty arrays: "entry" opens with the first entry, if any.
        handle.write((",\n" if count else ', "entry": [\n') + json.dumps(entry, ensure_ascii=False))
        count += 1
    handle.write("\n]}\n" if count else "}\n")
    return count


def _bundle_head(timestamp: datetime) -> dict:
    stamp = _instant(timestamp)
    return _validated({"resourceType": "Bundle", "type": "collection", "timestamp": stamp})


def bundle_entries(patients: Iterable[PatientData], as_of: date, instruments: Mapping | None = None) -> Iterator[dict]:
    """Every entry ({"fullUrl", "resource"}), patient by patient in the order given; a
    surgeon's Practitioner comes once, before the first patient who names them."""
    practitioners: set[str] = set()
    for data in patients:
        for key, resource in patient_resources(data, as_of, practitioners, instruments):
            yield {"fullUrl": full_url(key), "resource": resource}


def patient_resources(data: PatientData, as_of: date, seen: set[str] | None = None,
                      instruments: Mapping | None = None) -> Iterator[tuple[str, dict]]:
    """One patient's resources as (stable key, validated resource dict), in a fixed order:
    Patient, (Practitioner), Procedure, CarePlan, the entries' Observations by date, each
    score's QuestionnaireResponse and Observation, the measures, then the flags."""
    seen = set() if seen is None else seen
    record = data.record
    p = record.patient
    keys = _Keys(p.id)
    yield keys.patient, _validated({
        "resourceType": "Patient",
        "id": stable_id(keys.patient),
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": p.id}],
        "name": [{"text": p.name}],
    })

    surgeon_key = f"Practitioner/{p.surgeon.strip().casefold()}" if p.surgeon and p.surgeon.strip() else None
    if surgeon_key and surgeon_key not in seen:
        seen.add(surgeon_key)
        yield surgeon_key, _validated({"resourceType": "Practitioner", "id": stable_id(surgeon_key),
                                       "name": [{"text": p.surgeon.strip()}]})

    procedure = {
        "resourceType": "Procedure",
        "id": stable_id(keys.procedure),
        "status": "completed",
        "code": {"coding": [{"system": PROCEDURE_CODES, "code": p.procedure, "display": _procedure_name(data)}],
                 "text": _procedure_name(data)},
        "subject": keys.patient_ref,
        "performedDateTime": p.surgery_date.isoformat(),
        "reasonCode": [{"text": "posterior ankle impingement"}],
    }
    if surgeon_key:
        procedure["performer"] = [{"actor": _ref(surgeon_key, p.surgeon.strip())}]
    if p.side:
        procedure["bodySite"] = [{"text": f"{p.side} ankle"}]
    yield keys.procedure, _validated(procedure)

    yield keys.care_plan, _validated(_care_plan(data, keys, as_of))

    yield from _entry_observations(record, keys)
    yield from _scores(record.scores, instruments or {}, keys)
    yield from _measures(record.measures, p.side, keys)
    acknowledged = acknowledgements_by_flag(data.flags, record.acknowledgements)
    for flag in sorted(data.flags, key=lambda f: f.key):
        yield from _flag(flag, acknowledged.get(flag.key), keys)


class _Keys:
    """The stable keys of one patient's resources (what their UUIDs are made from)."""

    def __init__(self, patient_id: str):
        self.id = patient_id
        self.patient = f"Patient/{patient_id}"
        self.procedure = f"Procedure/{patient_id}/surgery"
        self.care_plan = f"CarePlan/{patient_id}"
        # Worked out once: every observation and flag points at them.
        self.patient_ref = _ref(self.patient)
        self.care_plan_ref = _ref(self.care_plan)

    def observation(self, on: date, kind: str) -> str:
        return f"Observation/{self.id}/{on.isoformat()}/{kind}"

    def score(self, instrument: str, on: date, n: int) -> str:
        return f"QuestionnaireResponse/{self.id}/{instrument}/{on.isoformat()}/{n}"

    def measure(self, name: str, side: str, on: date, n: int) -> str:
        return f"Observation/{self.id}/measure/{name}/{side}/{on.isoformat()}/{n}"

    def flag(self, key: tuple[str, str, str]) -> str:
        return f"Flag/{self.id}/" + "/".join(key)


# --- the plan --------------------------------------------------------------------------------


def _care_plan(data: PatientData, keys: _Keys, as_of: date) -> dict:
    record, plan = data.record, data.plan
    p = record.patient
    discharged = p.discharged_on
    # What the statuses are as of: the day asked, or the discharge if follow-up ended before.
    until = min(as_of, discharged) if discharged else as_of
    recorded = {m for e in record.entries for m in e.milestones}
    # No plan: the patient's protocol file was removed; the record still exports, plan-less.
    phases, milestones = (plan.phases, plan.milestones) if plan is not None else ((), ())
    activities = []
    for phase in phases:
        if phase.end_date is not None and phase.end_date < until:
            status = "completed"
        elif phase.start_date > until:
            status = "stopped" if discharged else "not-started"
        else:
            status = "stopped" if discharged else "in-progress"
        period = {"start": phase.start_date.isoformat()}
        if phase.end_date is not None:
            period["end"] = phase.end_date.isoformat()
        activities.append({"detail": {
            "code": {"coding": [{"system": PLAN_CODES, "code": f"phase:{phase.id}", "display": phase.title}],
                     "text": phase.title},
            "status": status,
            "scheduledPeriod": period,
            # with the team's changes inside the phase, in the words every view's phase row uses
            "description": wording.with_changes(_phase_description(phase), wording.phase_change_labels(plan, phase)),
        }})
    for milestone in milestones:
        if milestone.id in recorded:
            status = "completed"
        else:
            status = "cancelled" if discharged and milestone.date > discharged else "scheduled"
        detail = {
            "code": {"coding": [{"system": PLAN_CODES, "code": f"milestone:{milestone.id}", "display": milestone.title}],
                     "text": milestone.title},
            "status": status,
            "scheduledPeriod": {"start": milestone.date.isoformat(), "end": (milestone.end_date or milestone.date).isoformat()},
        }
        description = getattr(milestone.milestone, "description", None)
        if description:
            detail["description"] = description
        activities.append({"detail": detail})
    period = {"start": p.surgery_date.isoformat()}
    if discharged:
        period["end"] = max(discharged, p.surgery_date).isoformat()
    care_plan = {
        "resourceType": "CarePlan",
        "id": stable_id(keys.care_plan),
        "status": "completed" if discharged else "active",
        "intent": "plan",
        "title": f"Recovery plan: {_procedure_name(data)}",
        "subject": keys.patient_ref,
        "period": period,
        "supportingInfo": [_ref(keys.procedure)],
    }
    if activities:
        care_plan["activity"] = activities
    titles = {m.id: m.title for m in milestones}
    notes = [_adjustment_note(a, titles, p.surgery_date) for a in record.adjustments if a.in_force]
    if notes:
        care_plan["note"] = notes
    return care_plan


def _procedure_name(data: PatientData) -> str:
    """The protocol's name ("FHL tendon release + Os trigonum excision"); the stored id where
    the protocol can no longer be read."""
    return data.plan.protocol.name if data.plan is not None else data.record.patient.procedure


def _phase_description(phase) -> str:
    spec = phase.phase
    parts = [f"weight-bearing allowed: {', '.join(vocab.WEIGHT_BEARING_LABEL[w] for w in spec.weight_bearing.allowed)}"]
    if getattr(spec, "boot", None) is not None:
        parts.append("boot on" if spec.boot else "no boot")
    if spec.activities:
        parts.append(f"activities: {', '.join(spec.activities)}")
    if getattr(spec, "pain_ceiling", None) is not None:
        parts.append(f"expected pain at most {spec.pain_ceiling}/10")
    return "; ".join(parts)


def _adjustment_note(a: Adjustment, titles: dict[str, str], surgery: date) -> dict:
    """A change the team made, in the words the printed plan uses, with who and when."""
    note = {"text": f"Plan changed: {wording.change_line(a.as_dict(surgery), titles)}"}
    if a.by:
        note["authorString"] = a.by
    if a.created_at is not None:
        note["time"] = _instant(a.created_at)
    return note


# --- the daily log ---------------------------------------------------------------------------


def _entry_observations(record: PatientRecord, keys: _Keys) -> Iterator[tuple[str, dict]]:
    corrected = {r.entry.date for r in record.revisions}
    for entry in sorted(record.entries, key=lambda e: e.date):
        status = "amended" if entry.date in corrected else "final"

        def observation(kind: str, category: str, code: dict, value: dict):
            key = keys.observation(entry.date, kind)
            return key, _validated({
                "resourceType": "Observation",
                "id": stable_id(key),
                "basedOn": [keys.care_plan_ref],
                "status": status,
                "category": [_category(category)],
                "code": code,
                "subject": keys.patient_ref,
                "effectiveDateTime": entry.date.isoformat(),
                **value,
            })

        pain = {"valueInteger": entry.pain}
        if entry.note:  # the day's own words, with the value logged every day
            pain["note"] = [{"text": entry.note}]
        yield observation("pain", "survey", {"coding": [PAIN], "text": "Pain (0-10)"}, pain)
        level = entry.weight_bearing
        codings = [{"system": WEIGHT_BEARING_CODES, "code": level, "display": vocab.WEIGHT_BEARING_LABEL[level]}]
        if level == "none":
            codings.append(NON_WEIGHT_BEARING)
        yield observation("weight-bearing", "activity", _project_code("weight-bearing", "Weight-bearing status"),
                          {"valueCodeableConcept": {"coding": codings, "text": vocab.WEIGHT_BEARING_LABEL[level]}})
        if entry.temperature is not None:
            yield observation("temperature", "vital-signs", {"coding": [BODY_TEMPERATURE], "text": "Body temperature"},
                              {"valueQuantity": {"value": float(entry.temperature), "unit": "Cel", "system": UCUM, "code": "Cel"}})
        if entry.swelling is not None:
            yield observation("swelling", "exam", _project_code("swelling", "Swelling of the operated ankle"),
                              {"valueCodeableConcept": _coded(SWELLING_CODES, entry.swelling, SWELLING_LABEL)})
        if entry.exercises is not None:
            yield observation("home-exercises", "activity", _project_code("home-exercises", "Home exercises"),
                              {"valueCodeableConcept": _coded(EXERCISES_CODES, entry.exercises, EXERCISES_LABEL)})
        if entry.boot is not None:
            yield observation("boot", "activity", _project_code("boot", "Protective boot worn"), {"valueBoolean": entry.boot})
        if entry.activity is not None:
            yield observation("activity", "activity", _project_code("activity", "Most demanding activity of the day"),
                              {"valueCodeableConcept": _coded(ACTIVITY_CODES, entry.activity, vocab.ACTIVITY_WORDS)})
        # Each red-flag symptom reported (the Flag it raised says what to do).
        for symptom in sorted(set(entry.symptoms), key=lambda s: (SYMPTOM_ORDER.get(s, len(SYMPTOM_ORDER)), s)):
            yield observation(f"symptom/{symptom}", "survey", _coded(SYMPTOM_CODES, symptom, SYMPTOM_LABEL),
                              {"valueBoolean": True})


# --- outcomes --------------------------------------------------------------------------------


def _scores(scores: Sequence[Score], instruments: Mapping, keys: _Keys) -> Iterator[tuple[str, dict]]:
    counted: dict[tuple[str, date], int] = {}
    # By date, then instrument, then the order recorded: one instrument twice on a day is told
    # apart by its place, which an export and import keeps (a row id would not survive it).
    for score in sorted(scores, key=lambda s: (s.date, s.instrument, s.id if s.id is not None else 0)):
        n = counted[(score.instrument, score.date)] = counted.get((score.instrument, score.date), 0) + 1
        response_key = keys.score(score.instrument, score.date, n)
        instrument = instruments.get(score.instrument)
        # An instrument no longer known (a clinic's file removed) still exports, by position.
        known = instrument is not None and len(instrument.items) == len(score.answers)
        items = []
        for i, answer in enumerate(score.answers):
            value = ({"valueInteger": answer} if answer is not None
                     else {"valueCoding": {"system": ANSWER_CODES, "code": "na", "display": "not applicable"}})
            item = {"linkId": instrument.items[i].id if known else str(i + 1), "answer": [value]}
            if known:
                item["text"] = instrument.items[i].label
            items.append(item)
        yield response_key, _validated({
            "resourceType": "QuestionnaireResponse",
            "id": stable_id(response_key),
            "questionnaire": f"{QUESTIONNAIRE}/{score.instrument}",
            "status": "completed",
            "subject": keys.patient_ref,
            "authored": score.date.isoformat(),
            "item": items,
        })
        score_key = f"{response_key}/score"
        scoring = instrument.scoring if instrument is not None else None
        if score.score is None:
            value = {"dataAbsentReason": {"coding": [{"system": DATA_ABSENT, "code": "unknown", "display": "Unknown"}],
                                          "text": "too few items answered to give a score"}}
        elif scoring == "percent":
            value = {"valueQuantity": {"value": float(score.score), "unit": "%", "system": UCUM, "code": "%"}}
        elif scoring == "sum" and float(score.score).is_integer():
            value = {"valueInteger": int(score.score)}
        else:  # UCUM's annotation for a unitless score
            value = {"valueQuantity": {"value": float(score.score), "unit": "score", "system": UCUM, "code": "{score}"}}
        name = instrument.name if instrument is not None else score.instrument
        yield score_key, _validated({
            "resourceType": "Observation",
            "id": stable_id(score_key),
            "status": "final",
            "category": [_category("survey")],
            "code": _project_code(score.instrument, f"{name}: score"),
            "subject": keys.patient_ref,
            "effectiveDateTime": score.date.isoformat(),
            **value,
            "derivedFrom": [_ref(response_key)],
        })


def _measures(measures: Sequence[Measure], side: str | None, keys: _Keys) -> Iterator[tuple[str, dict]]:
    counted: dict[tuple, int] = {}
    other = {"left": "right", "right": "left"}
    for m in sorted(measures, key=lambda m: (m.date, m.name, m.side, m.id if m.id is not None else 0)):
        n = counted[(m.name, m.side, m.date)] = counted.get((m.name, m.side, m.date), 0) + 1
        key = keys.measure(m.name, m.side, m.date, n)
        title, unit = MEASURES.get(m.name, (m.name, None))
        ankle = side if m.side == "operated" else other.get(side or "")
        site = f"{m.side} side ({ankle} ankle)" if ankle else f"{m.side} side"
        value = ({"valueQuantity": {"value": float(m.value), "unit": unit, "system": UCUM, "code": unit}} if unit
                 else {"valueInteger": int(m.value)})
        yield key, _validated({
            "resourceType": "Observation",
            "id": stable_id(key),
            "status": "final",
            "category": [_category("exam")],
            "code": _project_code(m.name, title),
            "subject": keys.patient_ref,
            "effectiveDateTime": m.date.isoformat(),
            **value,
            "bodySite": {"text": site},
        })


# --- flags -----------------------------------------------------------------------------------


def _flag(flag, ack: Acknowledgement | None, keys: _Keys) -> Iterator[tuple[str, dict]]:
    key = keys.flag(flag.key)
    period = {"start": flag.date.isoformat()}
    if ack is not None:
        seen = _instant(ack.acknowledged_at)
        if seen[:10] >= period["start"]:  # never an end before the start (time zones)
            period["end"] = seen
    code, display = PRIORITY.get(flag.severity, PRIORITY["info"])
    yield key, _validated({
        "resourceType": "Flag",
        "id": stable_id(key),
        "extension": [{"url": FLAG_PRIORITY, "valueCodeableConcept": {
            "coding": [{"system": FLAG_PRIORITY_CODES, "code": code, "display": display}], "text": flag.severity}}],
        "status": "inactive" if ack is not None else "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}],
        "code": {"coding": [{"system": FLAG_RULES, "code": flag.rule, "display": flag.rule}], "text": flag.message},
        "subject": keys.patient_ref,
        "period": period,
    })


# --- small pieces ----------------------------------------------------------------------------


def _ref(key: str, display: str | None = None) -> dict:
    ref = {"reference": full_url(key)}
    if display:
        ref["display"] = display
    return ref


def _category(code: str) -> dict:
    return {"coding": [{"system": OBSERVATION_CATEGORY, "code": code}]}


def _project_code(code: str, text: str) -> dict:
    return {"coding": [{"system": OBSERVATION_CODES, "code": code, "display": text}], "text": text}


def _coded(system: str, code: str, labels: dict[str, str]) -> dict:
    label = labels.get(code, code)
    return {"coding": [{"system": system, "code": code, "display": label}], "text": label}


def _instant(moment: datetime) -> str:
    """An instant in UTC as FHIR writes one ("2026-03-01T08:00:00Z"); a time without a zone
    is UTC, as the database keeps them."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class BuildError(Exception):
    """A resource the models refused: a fault in this module, never the user's input. The
    message names the resource type and the fields, never their values (patient data)."""


def _validated(resource: dict) -> dict:
    """The resource, once its fhir.resources model has read it without complaint. What is
    written is the dict built here, already in FHIR's JSON form (the tests check that the
    model writes it back the same): the models' own serialiser was two thirds of the time."""
    from pydantic import ValidationError

    kind = resource["resourceType"]
    try:
        _model(kind).model_validate(resource)
    except ValidationError as exc:
        places = ", ".join(".".join(str(p) for p in error["loc"]) for error in exc.errors()[:3])
        raise BuildError(f"{kind} failed FHIR validation at {places}") from None
    return resource


_MODELS: dict[str, type] = {}


def _model(kind: str) -> type:
    if kind not in _MODELS:
        from fhir.resources.R4B import get_fhir_model_class

        _MODELS[kind] = get_fhir_model_class(kind)
    return _MODELS[kind]

