"""The FHIR Bundle builder (rehab.render.fhir), fed records made here: every field the store
carries, temperature, swelling, exercises, scores, measures, adjustments and discharge too."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from fhir_check import check_bundle, observations, of_type

from rehab import deviations
from rehab import timeline as tl
from rehab.instruments import load_all
from rehab.model import Acknowledgement, Adjustment, Entry, Measure, Patient, PatientRecord, Revision, Score
from rehab.plan import effective
from rehab.protocols import find
from rehab.render import fhir

INSTRUMENTS = load_all()

SURGERY = date(2024, 2, 26)  # a leap year: day 3 is 29 Feb
AS_OF = date(2024, 3, 20)
STAMP = datetime(2024, 3, 20, 9, 30, tzinfo=timezone.utc)
LOINC = "http://loinc.org"
WB = fhir.WEIGHT_BEARING_CODES


def day(n: int) -> date:
    return SURGERY + timedelta(days=n)


def make_record(**patient_changes) -> PatientRecord:
    patient = Patient("ana", "Ana Sousa", SURGERY, "fhl-release", side="right", surgeon="Dr Okafor",
                      **patient_changes)
    entries = [
        Entry(day(0), 6, "none", boot=True, activity="rest"),
        Entry(day(1), 5, "toe-touch", boot=True, temperature=37.2, swelling="moderate", exercises="partly"),
        Entry(day(3), 9, "partial", boot=True, symptoms=("fever",), temperature=38.6, swelling="severe",
              exercises="skipped", note="felt hot"),
        Entry(day(4), 4, "partial", boot=True, exercises="done"),
    ]
    # Day 4 was corrected: it first said pain 8.
    revisions = [Revision(Entry(day(4), 8, "partial", boot=True), datetime(2024, 3, 1, 20, 0, tzinfo=timezone.utc))]
    acks = [Acknowledgement(day(3), "red-flag", "fever", "called the clinic", "Nurse Lee",
                            datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc))]
    scores = [
        Score(7, "lefs", day(-10), tuple([2] * 20), 40.0),
        Score(3, "faam-adl", day(-10), tuple([3] * 19 + [None, 4]), 76.3),
        Score(9, "faam-adl", day(14), tuple([None] * 5 + [1] * 16), None),
    ]
    measures = [Measure(1, "knee-to-wall", day(14), "operated", 6.5), Measure(2, "knee-to-wall", day(14), "other", 11.0),
                Measure(3, "calf-raises", day(14), "other", 25.0)]
    adjustments = [
        Adjustment(1, "adjust", 5, 12, weight_bearing="toe-touch", boot=True, note="slow wound", by="Dr Okafor",
                   created_at=datetime(2024, 3, 2, 10, 0, tzinfo=timezone.utc)),
        Adjustment(2, "move", 16, milestone="wound-review", by="Dr Okafor",
                   created_at=datetime(2024, 3, 2, 10, 5, tzinfo=timezone.utc)),
        Adjustment(3, "adjust", 1, pain_ceiling=7, created_at=datetime(2024, 3, 2, 11, 0, tzinfo=timezone.utc),
                   removed_at=datetime(2024, 3, 3, 9, 0, tzinfo=timezone.utc)),
    ]
    return PatientRecord(patient, entries, revisions, acks, None, adjustments, scores, measures)


def patient_data(record: PatientRecord, as_of: date = AS_OF) -> fhir.PatientData:
    """What the export command gathers: the patient's own plan and the flags against it."""
    plan = effective(tl.build(find(record.patient.procedure), record.patient.surgery_date), record.adjustments)
    return fhir.PatientData(record, plan, deviations.evaluate(plan, record.entries, as_of, revisions=record.revisions,
                                                              discharged_on=record.patient.discharged_on))


def export(*records: PatientRecord, as_of: date = AS_OF) -> dict:
    return fhir.bundle([patient_data(r, as_of) for r in records], as_of, STAMP, INSTRUMENTS)


def test_every_resource_validates_and_every_reference_resolves():
    resources = check_bundle(export(make_record()))
    kinds = sorted(r["resourceType"] for r in resources.values())
    for kind in ("Patient", "Practitioner", "Procedure", "CarePlan", "Observation", "QuestionnaireResponse", "Flag"):
        assert kind in kinds


def test_observations_hold_what_was_logged():
    resources = check_bundle(export(make_record()))
    pain = observations(resources, LOINC, "72514-3")
    assert {d: o["valueInteger"] for d, o in pain.items()} == {"2024-02-26": 6, "2024-02-27": 5, "2024-02-29": 9,
                                                               "2024-03-01": 4}
    temperature = observations(resources, LOINC, "8310-5")
    assert sorted(temperature) == ["2024-02-27", "2024-02-29"]  # only where one was recorded
    assert temperature["2024-02-29"]["valueQuantity"] == {"value": 38.6, "unit": "Cel",
                                                          "system": "http://unitsofmeasure.org", "code": "Cel"}
    assert temperature["2024-02-29"]["category"][0]["coding"][0]["code"] == "vital-signs"
    weight = observations(resources, fhir.OBSERVATION_CODES, "weight-bearing")
    none = weight["2024-02-26"]["valueCodeableConcept"]["coding"]
    assert {"system": WB, "code": "none", "display": "non-weight-bearing"} in none
    assert any(c["system"] == "http://snomed.info/sct" and c["code"] == "261999007" for c in none)
    partial = weight["2024-02-29"]["valueCodeableConcept"]["coding"]
    assert partial == [{"system": WB, "code": "partial", "display": "partial weight-bearing"}]
    swelling = observations(resources, fhir.OBSERVATION_CODES, "swelling")
    assert {d: o["valueCodeableConcept"]["coding"][0]["code"] for d, o in swelling.items()} == {
        "2024-02-27": "moderate", "2024-02-29": "severe"}
    exercises = observations(resources, fhir.OBSERVATION_CODES, "home-exercises")
    assert {d: o["valueCodeableConcept"]["coding"][0]["code"] for d, o in exercises.items()} == {
        "2024-02-27": "partly", "2024-02-29": "skipped", "2024-03-01": "done"}
    patient = of_type(resources, "Patient")[0]
    for o in pain.values():
        assert o["subject"]["reference"] == f"urn:uuid:{patient['id']}"


def test_boot_activity_symptoms_and_the_days_note():
    record = make_record()
    record.entries[1] = record.entries[1]._replace(symptoms=("numbness", "calf-pain"), activity="walking", boot=False)
    resources = check_bundle(export(record))
    boot = observations(resources, fhir.OBSERVATION_CODES, "boot")
    assert {d: o["valueBoolean"] for d, o in boot.items()} == {"2024-02-26": True, "2024-02-27": False,
                                                               "2024-02-29": True, "2024-03-01": True}
    activity = observations(resources, fhir.OBSERVATION_CODES, "activity")
    assert {d: o["valueCodeableConcept"]["coding"][0]["code"] for d, o in activity.items()} == {
        "2024-02-26": "rest", "2024-02-27": "walking"}
    symptoms = sorted((o["effectiveDateTime"], o["code"]["coding"][0]["code"], o["valueBoolean"])
                      for o in of_type(resources, "Observation")
                      if o["code"]["coding"][0]["system"] == fhir.SYMPTOM_CODES)
    assert symptoms == [("2024-02-27", "calf-pain", True), ("2024-02-27", "numbness", True),
                        ("2024-02-29", "fever", True)]
    pain = observations(resources, LOINC, "72514-3")
    assert pain["2024-02-29"]["note"] == [{"text": "felt hot"}]
    assert "note" not in pain["2024-02-26"]


def test_a_corrected_entry_is_amended_and_the_others_final():
    resources = check_bundle(export(make_record()))
    by_date: dict[str, set[str]] = {}
    for o in of_type(resources, "Observation"):
        if "derivedFrom" not in o and "bodySite" not in o:  # the daily log's observations
            by_date.setdefault(o["effectiveDateTime"], set()).add(o["status"])
    assert by_date == {"2024-02-26": {"final"}, "2024-02-27": {"final"}, "2024-02-29": {"final"},
                       "2024-03-01": {"amended"}}
    assert observations(resources, LOINC, "72514-3")["2024-03-01"]["valueInteger"] == 4  # the corrected value


def test_flags_active_until_acknowledged():
    record = make_record()
    resources = check_bundle(export(record))
    flags = of_type(resources, "Flag")
    red = [f for f in flags if f["code"]["coding"][0]["code"] == "red-flag"]
    assert len(red) == 1
    assert red[0]["status"] == "inactive"
    assert red[0]["period"] == {"start": "2024-02-29", "end": "2024-03-01T08:00:00Z"}
    assert "surgical team" in red[0]["code"]["text"]  # the flag's message
    assert red[0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "PH"  # urgent
    others = [f for f in flags if f is not red[0]]
    assert others, "the record should raise more flags than the red flag"
    assert {f["status"] for f in others} == {"active"}
    # The same flags, dated and named, as the deviation engine gives them.
    expected = sorted((f.date.isoformat(), f.rule) for f in patient_data(record).flags)
    assert sorted((f["period"]["start"], f["code"]["coding"][0]["code"]) for f in flags) == expected


def test_each_score_is_a_questionnaire_response_and_an_observation_derived_from_it():
    resources = check_bundle(export(make_record()))
    responses = of_type(resources, "QuestionnaireResponse")
    assert len(responses) == 3
    derived = [o for o in of_type(resources, "Observation") if "derivedFrom" in o]
    assert len(derived) == 3
    by_instrument = {}
    for o in derived:
        (ref,) = [d["reference"] for d in o["derivedFrom"]]
        response = resources[ref]
        assert response["resourceType"] == "QuestionnaireResponse"
        assert response["status"] == "completed"
        assert response["authored"] == o["effectiveDateTime"]
        by_instrument[(o["code"]["coding"][0]["code"], o["effectiveDateTime"])] = (o, response)
    lefs, lefs_response = by_instrument[("lefs", "2024-02-16")]
    assert lefs["valueInteger"] == 40
    assert [i["answer"][0]["valueInteger"] for i in lefs_response["item"]] == [2] * 20
    # The items are named as the instrument names them, in its order.
    assert [(i["linkId"], i["text"]) for i in lefs_response["item"]] == [
        (item.id, item.label) for item in INSTRUMENTS["lefs"].items]
    assert lefs_response["questionnaire"] == "https://rehab.invalid/fhir/Questionnaire/lefs"
    adl, adl_response = by_instrument[("faam-adl", "2024-02-16")]
    assert adl["valueQuantity"]["value"] == 76.3 and adl["valueQuantity"]["code"] == "%"
    answers = [i["answer"][0] for i in adl_response["item"]]
    assert answers[19] == {"valueCoding": {"system": fhir.ANSWER_CODES, "code": "na", "display": "not applicable"}}
    assert [a.get("valueInteger") for a in answers[:19]] == [3] * 19
    unscored, _ = by_instrument[("faam-adl", "2024-03-11")]
    assert "valueQuantity" not in unscored and unscored["dataAbsentReason"]["coding"][0]["code"] == "unknown"


def test_a_score_of_an_instrument_no_longer_known_still_exports():
    record = make_record()
    record.scores = [Score(1, "clinic-form", day(30), (1, None, 3), 66.7)]
    resources = check_bundle(export(record))
    (response,) = of_type(resources, "QuestionnaireResponse")
    assert [i["linkId"] for i in response["item"]] == ["1", "2", "3"]
    (observation,) = [o for o in of_type(resources, "Observation") if "derivedFrom" in o]
    assert observation["valueQuantity"] == {"value": 66.7, "unit": "score", "system": "http://unitsofmeasure.org",
                                            "code": "{score}"}


def test_measures_are_observations_with_the_side():
    resources = check_bundle(export(make_record()))
    measures = [o for o in of_type(resources, "Observation") if "bodySite" in o]
    got = sorted((o["code"]["coding"][0]["code"], o["bodySite"]["text"], json.dumps(o.get("valueQuantity", o.get("valueInteger"))))
                 for o in measures)
    assert got == [
        ("calf-raises", "other side (left ankle)", "25"),
        ("knee-to-wall", "operated side (right ankle)", json.dumps({"value": 6.5, "unit": "cm", "system": "http://unitsofmeasure.org", "code": "cm"})),
        ("knee-to-wall", "other side (left ankle)", json.dumps({"value": 11.0, "unit": "cm", "system": "http://unitsofmeasure.org", "code": "cm"})),
    ]


def test_procedure_and_care_plan():
    resources = check_bundle(export(make_record()))
    (procedure,) = of_type(resources, "Procedure")
    assert procedure["status"] == "completed"
    assert procedure["performedDateTime"] == "2024-02-26"
    assert procedure["code"]["text"] == find("fhl-release").name
    assert procedure["bodySite"] == [{"text": "right ankle"}]
    assert resources[procedure["performer"][0]["actor"]["reference"]]["name"] == [{"text": "Dr Okafor"}]
    (plan,) = of_type(resources, "CarePlan")
    assert (plan["status"], plan["intent"], plan["period"]) == ("active", "plan", {"start": "2024-02-26"})
    timeline = tl.build(find("fhl-release"), SURGERY)
    activities = {a["detail"]["code"]["coding"][0]["code"]: a["detail"] for a in plan["activity"]}
    assert len(activities) == len(timeline.phases) + len(timeline.milestones)
    for phase in timeline.phases:
        detail = activities[f"phase:{phase.id}"]
        expected = {"start": phase.start_date.isoformat()}
        if phase.end_date:
            expected["end"] = phase.end_date.isoformat()
        assert detail["scheduledPeriod"] == expected
    assert activities["phase:" + timeline.phases[0].id]["status"] == "completed"  # days 0-13, as of day 23
    assert activities["phase:" + timeline.phases[1].id]["status"] == "in-progress"
    assert activities["phase:" + timeline.phases[-1].id]["status"] == "not-started"
    sport = activities["milestone:return-to-sport"]
    assert sport["scheduledPeriod"] == {"start": day(70).isoformat(), "end": day(84).isoformat()}
    assert sport["status"] == "scheduled"
    # The patient's own plan: the wound check where their surgeon moved it (day 16, not 14).
    assert activities["milestone:wound-review"]["scheduledPeriod"] == {"start": "2024-03-13", "end": "2024-03-13"}
    assert activities["milestone:physio-start"]["scheduledPeriod"]["start"] == day(14).isoformat()
    # The changes in force are noted, the removed one is not.
    notes = plan["note"]
    assert len(notes) == 2
    assert "days 5–12" in notes[0]["text"].lower() and "toe-touch" in notes[0]["text"] and "slow wound" in notes[0]["text"]
    assert (notes[0]["authorString"], notes[0]["time"]) == ("Dr Okafor", "2024-03-02T10:00:00Z")
    assert "moved to day 16" in notes[1]["text"]
    assert not any("7/10" in n["text"] for n in notes)  # the removed pain ceiling


def test_discharge_completes_the_care_plan():
    resources = check_bundle(export(make_record(discharged_on=day(20))))
    (plan,) = of_type(resources, "CarePlan")
    assert plan["status"] == "completed"
    assert plan["period"] == {"start": "2024-02-26", "end": "2024-03-17"}
    statuses = {a["detail"]["code"]["coding"][0]["code"]: a["detail"]["status"] for a in plan["activity"]}
    assert "in-progress" not in statuses.values() and "not-started" not in statuses.values()
    assert statuses["milestone:return-to-sport"] == "cancelled"


def test_ids_are_stable_and_do_not_depend_on_row_ids():
    first = export(make_record())
    record = make_record()
    # As after an export and import: other row ids, the same records.
    record.scores = [s._replace(id=s.id + 100) for s in reversed(record.scores)]
    record.measures = [m._replace(id=m.id + 50) for m in record.measures]
    second = export(record)
    assert json.dumps(first, sort_keys=False) == json.dumps(second, sort_keys=False)
    other = make_record()
    other.patient = other.patient._replace(id="bea")
    ids = {e["fullUrl"] for e in first["entry"]}
    other_ids = {e["fullUrl"] for e in export(other)["entry"]}
    # Only the surgeon's Practitioner is shared between two patients.
    shared = ids & other_ids
    assert [next(e for e in first["entry"] if e["fullUrl"] == u)["resource"]["resourceType"] for u in shared] == ["Practitioner"]


def test_two_patients_share_one_practitioner_entry_and_stream_matches_the_dict():
    import io

    a, b = make_record(), make_record()
    b.patient = b.patient._replace(id="bea", name="Bea", surgeon="dr okafor ")
    document = export(a, b)
    resources = check_bundle(document)
    assert len(of_type(resources, "Practitioner")) == 1
    assert len(of_type(resources, "Patient")) == 2
    data = [patient_data(a), patient_data(b)]
    handle = io.StringIO()
    assert fhir.write_bundle(handle, data, AS_OF, STAMP, INSTRUMENTS) == len(document["entry"])
    assert json.loads(handle.getvalue()) == document


def test_no_patients_gives_a_valid_bundle_without_entries():
    import io

    handle = io.StringIO()
    assert fhir.write_bundle(handle, [], AS_OF, STAMP) == 0
    document = json.loads(handle.getvalue())
    assert "entry" not in document  # FHIR JSON has no empty arrays
    check_bundle(document)
    assert document["timestamp"] == "2024-03-20T09:30:00Z"


def test_a_patient_without_side_surgeon_or_entries():
    record = PatientRecord(Patient("cy", "Cy", date(2024, 12, 31), "os-trigonum-excision"))
    resources = check_bundle(export(record, as_of=date(2024, 12, 31)))  # surgery today
    (procedure,) = of_type(resources, "Procedure")
    assert "bodySite" not in procedure and "performer" not in procedure
    assert not of_type(resources, "Practitioner")
    (plan,) = of_type(resources, "CarePlan")
    assert plan["activity"][0]["detail"]["status"] == "in-progress"


def test_a_builder_mistake_is_a_build_error_without_the_values():
    with pytest.raises(fhir.BuildError) as caught:
        fhir._validated({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                         "valueInteger": "secret-patient-value"})
    assert "secret-patient-value" not in str(caught.value)
    assert "Observation" in str(caught.value) and "valueInteger" in str(caught.value)


def test_a_patient_whose_protocol_file_is_gone_still_exports():
    record = make_record()
    record.patient = record.patient._replace(procedure="clinic-protocol")
    resources = check_bundle(fhir.bundle([fhir.PatientData(record, None, [])], AS_OF, STAMP, INSTRUMENTS))
    (procedure,) = of_type(resources, "Procedure")
    assert procedure["code"]["text"] == "clinic-protocol"
    (plan,) = of_type(resources, "CarePlan")
    assert "activity" not in plan and plan["status"] == "active"
    assert len(observations(resources, LOINC, "72514-3")) == 4  # the log is all there
