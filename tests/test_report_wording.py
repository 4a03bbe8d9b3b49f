"""Reports speak to the clinician who reads them; the patient's documents (today, log, the
printed plan) keep speaking to the patient (issue 18 item 12)."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date, timedelta

import pytest

from rehab import deviations, report, vocab, wording
from rehab import timeline as tl
from rehab.model import Adjustment, Entry, Patient, PatientRecord
from rehab.plan import effective
from rehab.protocols import find
from rehab.render import formats
from rehab.render.documents import ReportDocument

SURGERY = date(2026, 3, 2)
AS_OF = SURGERY + timedelta(days=60)
PATIENT_WORDS = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


def on(day: int) -> date:
    return SURGERY + timedelta(days=day)


def troubled() -> list[Entry]:
    """A log that breaks every rule at least once."""
    every = tuple(vocab.SYMPTOMS)
    return [
        Entry(date=on(1), pain=9, weight_bearing="full", boot=False, activity="sport", symptoms=every,
              temperature=39.0),
        Entry(date=on(2), pain=9, weight_bearing="full", boot=False, activity="sport"),
        Entry(date=on(3), pain=9, weight_bearing="full", boot=False),
        Entry(date=on(4), pain=9, weight_bearing="partial", boot=True),
        Entry(date=on(8), pain=1, weight_bearing="partial", boot=True),
        Entry(date=on(9), pain=5, weight_bearing="partial", boot=True),
        Entry(date=on(10), pain=5, weight_bearing="partial", boot=True),
        Entry(date=on(50), pain=2, weight_bearing="none", activity="sport"),
    ]


@pytest.mark.parametrize("contacts", [wording.Contacts(), wording.Contacts("020 7946 0000", "020 7946 0999", "999")])
def test_every_rules_message_is_said_to_the_clinician(contacts):
    flags = deviations.evaluate(tl.build(find("fhl-release"), SURGERY), troubled(), AS_OF, contacts=contacts)
    assert {f.rule for f in flags} == set(deviations.RULES)  # the test log breaks every rule
    for flag in flags:
        said = wording.for_clinician(flag.message)
        assert not PATIENT_WORDS.search(said), said
    red = wording.for_clinician(next(f for f in flags if f.rule == "red-flag").message)
    assert "the patient logged" in red and "The patient should call emergency services now" in red
    severe = wording.for_clinician(next(f for f in flags if f.rule == "pain-severe").message)
    assert "needs checking: advise the patient to contact their surgical team now" in severe


def test_an_activity_a_change_withholds_is_said_to_the_clinician():
    change = Adjustment(id=1, kind="adjust", from_day=40, forbid=("walking",))  # no --by
    plan = effective(tl.build(find("fhl-release"), SURGERY), [change])
    flags = deviations.evaluate(plan, [Entry(date=on(45), pain=1, weight_bearing="full", activity="walking")], on(45))
    (ahead,) = [f for f in flags if f.rule == "activity-ahead"]
    assert "by your team" in ahead.message
    assert "by the patient's team" in wording.for_clinician(ahead.message)


def test_the_advice_to_contact_the_team_is_addressed_to_the_clinician():
    said = wording.for_clinician(wording.act_now(wording.Contacts("0207"), False))
    assert said == ("Advise the patient to contact their surgical team now on 0207; if they cannot reach them, "
                    "to call their out-of-hours or urgent care service; if it gets worse quickly, "
                    f"to call emergency services ({wording.EMERGENCY_NUMBERS}).")


def record() -> PatientRecord:
    patient = Patient(id="ann", name="Ann Lee", surgery_date=SURGERY, procedure="fhl-release")
    return PatientRecord(patient=patient, entries=troubled())


def built() -> dict:
    plan = tl.build(find("fhl-release"), SURGERY)
    flags = deviations.evaluate(plan, troubled(), AS_OF)
    return report.build(record(), plan, flags, {}, AS_OF, None, None)


def rendered(fmt: str) -> str:
    document = ReportDocument([built()], [(record().patient, troubled(), [])])
    handle = io.BytesIO() if formats.REPORT[fmt].binary else io.StringIO()
    formats.REPORT[fmt].write(handle, document)
    if fmt == "pdf":
        import pypdf

        return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(handle.getvalue())).pages)
    return handle.getvalue()


def test_the_report_json_keeps_its_fields_and_speaks_to_the_clinician():
    data = built()
    assert data["flags"] and {"date", "rule", "severity", "message"} <= set(data["flags"][0])
    for flag in data["flags"] + data["open_red_flags"]:
        assert not PATIENT_WORDS.search(flag["message"]), flag["message"]
    text = rendered("json")
    assert json.loads(text)["patients"][0]["flags"]


@pytest.mark.parametrize("fmt", ["html", "pdf", "markdown"])
def test_report_documents_say_the_patients_plan_not_yours(fmt):
    text = " ".join(html.unescape(rendered(fmt)).split())
    # the protocol's own instructions to the patient are not printed in a report
    assert not PATIENT_WORDS.search(text), PATIENT_WORDS.search(text)
    assert "the patient's" in text


def test_the_patients_own_flags_keep_the_patients_words(rehab):
    """`flags`, `log` and `today` speak to the patient."""
    rehab("patient", "add", "Ann Lee", "--surgery-date", "2026-03-02", "--procedure", "fhl")
    result = rehab("log", "--date", "2026-03-04", "--pain", "3", "--weight-bearing", "partial",
                   "--symptom", "calf-pain", "--symptom", "calf-swelling")
    assert "Contact your surgical team now" in " ".join(result.stdout.split())
    flags = json.loads(rehab("flags", "--date", "2026-03-04", "--json").stdout)
    assert "you logged" in flags[0]["message"]
