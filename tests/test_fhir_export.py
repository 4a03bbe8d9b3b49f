"""`rehab export --format fhir`: the Bundle the command writes from a database, checked by an
independent validator (tests/fhir_check.py) and against what was logged; and its refusals."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from conftest import snapshot
from fhir_check import check_bundle, observations, of_type

LOINC = "http://loinc.org"
AS_OF = "2025-03-25"


def logged(rehab) -> None:
    """Two patients: Ana with a corrected day, a red flag acknowledged, a pain spike; Ben."""
    steps = [
        ("patient", "add", "Ana Sousa", "--surgery-date", "2025-02-28", "--procedure", "fhl-release",
         "--side", "left", "--surgeon", "Dr Okafor", "--id", "ana"),
        ("patient", "add", "Ben Ode", "--surgery-date", "2025-03-10", "--procedure", "os-trigonum-excision", "--id", "ben"),
        ("log", "-p", "ana", "--date", "2025-02-28", "--pain", "5", "--weight-bearing", "none", "--boot"),
        ("log", "-p", "ana", "--date", "2025-03-01", "--pain", "3", "--weight-bearing", "TTWB", "--boot"),
        ("log", "-p", "ana", "--date", "2025-03-02", "--pain", "8", "--weight-bearing", "partial", "--boot",
         "--symptom", "calf-pain"),
        ("log", "-p", "ana", "--date", "2025-03-03", "--pain", "7", "--weight-bearing", "partial", "--boot"),
        # Ana corrects 3 March: pain was 2, not 7.
        ("log", "-p", "ana", "--date", "2025-03-03", "--pain", "2", "--weight-bearing", "partial", "--boot", "--replace"),
        ("flags", "ack", "red-flag", "-p", "ana", "--date", "2025-03-02", "--note", "seen in clinic", "--by", "Dr Okafor"),
        ("log", "-p", "ben", "--date", "2025-03-12", "--pain", "4", "--weight-bearing", "partial", "--boot"),
    ]
    for step in steps:
        result = rehab(*step)
        assert result.exit_code == 0, (step, result.stderr)


def export(rehab, path, *extra):
    result = rehab("export", "--format", "fhir", "--output", path, "--date", AS_OF, *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_bundle_validates_and_says_what_was_logged(rehab, tmp_path):
    logged(rehab)
    out = tmp_path / "bundle.json"
    document = export(rehab, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    resources = check_bundle(document)
    patients = {p["identifier"][0]["value"]: p for p in of_type(resources, "Patient")}
    assert sorted(patients) == ["ana", "ben"]
    ana = f"urn:uuid:{patients['ana']['id']}"
    pain = {d: o for d, o in observations(resources, LOINC, "72514-3").items() if o["subject"]["reference"] == ana}
    assert {d: o["valueInteger"] for d, o in pain.items()} == {"2025-02-28": 5, "2025-03-01": 3, "2025-03-02": 8,
                                                               "2025-03-03": 2}
    assert {d: o["status"] for d, o in pain.items()} == {"2025-02-28": "final", "2025-03-01": "final",
                                                         "2025-03-02": "final", "2025-03-03": "amended"}
    flags = [f for f in of_type(resources, "Flag") if f["subject"]["reference"] == ana]
    red = [f for f in flags if f["code"]["coding"][0]["code"] == "red-flag"]
    assert [(f["period"]["start"], f["status"]) for f in red] == [("2025-03-02", "inactive")]
    spike = [f for f in flags if f["code"]["coding"][0]["code"] == "pain-spike"]
    assert [(f["period"]["start"], f["status"]) for f in spike] == [("2025-03-02", "active")]
    # The flags are the ones `rehab flags` reports for the same day.
    listed = json.loads(rehab("flags", "-p", "ana", "--date", AS_OF, "--json").stdout)
    assert sorted((f["period"]["start"], f["code"]["coding"][0]["code"]) for f in flags) == sorted(
        (f["date"], f["rule"]) for f in listed)
    procedures = {p["subject"]["reference"]: p for p in of_type(resources, "Procedure")}
    assert procedures[ana]["performedDateTime"] == "2025-02-28"
    assert procedures[ana]["bodySite"] == [{"text": "left ankle"}]
    plans = {p["subject"]["reference"]: p for p in of_type(resources, "CarePlan")}
    assert plans[ana]["status"] == "active" and plans[ana]["period"]["start"] == "2025-02-28"
    timeline = json.loads(rehab("timeline", "-p", "ana", "--json").stdout)
    periods = {a["detail"]["code"]["coding"][0]["code"]: a["detail"]["scheduledPeriod"] for a in plans[ana]["activity"]}
    for m in timeline["milestones"]:
        assert periods[f"milestone:{m['id']}"] == {"start": m["date"], "end": m["end_date"] or m["date"]}
    for p in timeline["phases"]:
        assert periods[f"phase:{p['id']}"]["start"] == p["start_date"]
        assert periods[f"phase:{p['id']}"].get("end") == p["end_date"]


def test_temperature_scores_measures_plan_changes_and_discharge_from_the_command_line(rehab, tmp_path):
    logged(rehab)
    lefs = ",".join(["1"] * 20)
    for step in [
        ("plan", "move", "wound-review", "-p", "ana", "--to", "day 17", "--by", "Dr Okafor"),
        ("log", "-p", "ana", "--date", "2025-03-04", "--pain", "3", "--weight-bearing", "partial", "--boot",
         "--temperature", "100.9F", "--swelling", "mild", "--exercises", "done"),
        ("score", "lefs", "-p", "ana", "--date", "2025-03-20", "--answers", lefs),
        ("measure", "knee-to-wall", "4.5", "-p", "ana", "--date", "2025-03-20"),
        ("patient", "discharge", "ben", "--date", "2025-03-20"),
    ]:
        result = rehab(*step)
        assert result.exit_code == 0, (step, result.stderr)
    resources = check_bundle(export(rehab, tmp_path / "b.json"))
    patients = {p["identifier"][0]["value"]: f"urn:uuid:{p['id']}" for p in of_type(resources, "Patient")}
    temperature = observations(resources, LOINC, "8310-5")
    assert list(temperature) == ["2025-03-04"]
    assert temperature["2025-03-04"]["valueQuantity"]["value"] == 38.3  # 100.9 °F, stored in °C
    assert temperature["2025-03-04"]["subject"]["reference"] == patients["ana"]
    # A fever by temperature alone is a red flag (contract), and the Bundle has it, still open.
    fever = [f for f in of_type(resources, "Flag")
             if f["period"]["start"] == "2025-03-04" and f["code"]["coding"][0]["code"] == "red-flag"]
    assert [f["status"] for f in fever] == ["active"]
    swelling = observations(resources, "https://rehab.invalid/fhir/CodeSystem/observation", "swelling")
    assert swelling["2025-03-04"]["valueCodeableConcept"]["coding"][0]["code"] == "mild"
    (score,) = [o for o in of_type(resources, "Observation") if "derivedFrom" in o]
    assert score["valueInteger"] == 20 and score["effectiveDateTime"] == "2025-03-20"
    response = resources[score["derivedFrom"][0]["reference"]]
    assert [i["answer"][0]["valueInteger"] for i in response["item"]] == [1] * 20
    (measure,) = [o for o in of_type(resources, "Observation") if "bodySite" in o]
    assert measure["valueQuantity"]["value"] == 4.5 and measure["bodySite"]["text"] == "operated side (left ankle)"
    plans = {p["subject"]["reference"]: p for p in of_type(resources, "CarePlan")}
    assert (plans[patients["ben"]]["status"], plans[patients["ben"]]["period"].get("end")) == ("completed", "2025-03-20")
    assert plans[patients["ana"]]["status"] == "active"
    wound = [a["detail"] for a in plans[patients["ana"]]["activity"]
             if a["detail"]["code"]["coding"][0]["code"] == "milestone:wound-review"]
    assert wound[0]["scheduledPeriod"]["start"] == "2025-03-17"  # day 17: the move, not day 14
    assert "Dr Okafor" in plans[patients["ana"]]["note"][0]["text"]


def test_a_red_flag_corrected_away_stays_in_the_bundle(rehab, tmp_path):
    logged(rehab)
    # Ana takes the calf pain back off 2 March: the day is amended, its red flag kept.
    fixed = rehab("log", "-p", "ana", "--date", "2025-03-02", "--pain", "8", "--weight-bearing", "partial", "--boot",
                  "--replace", "--clear-symptoms")
    assert fixed.exit_code == 0, fixed.stderr
    resources = check_bundle(export(rehab, tmp_path / "b.json"))
    pain = observations(resources, LOINC, "72514-3")
    assert pain["2025-03-02"]["status"] == "amended"
    red = [f for f in of_type(resources, "Flag")
           if f["period"]["start"] == "2025-03-02" and f["code"]["coding"][0]["code"] == "red-flag"]
    assert len(red) == 1 and "corrected" in red[0]["code"]["text"]
    symptoms = [o for o in of_type(resources, "Observation")
                if o["code"]["coding"][0]["system"] == "https://rehab.invalid/fhir/CodeSystem/symptom"]
    assert symptoms == []  # the day as it stands now: no symptom


def test_two_exports_differ_only_in_the_timestamp(rehab, tmp_path):
    logged(rehab)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    export(rehab, first)
    export(rehab, second)
    a, b = first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")
    stamp = '"timestamp": "'

    def strip(text: str) -> str:  # the timestamp's 20 characters, 2026-03-01T08:00:00Z
        return text[:text.index(stamp)] + text[text.index(stamp) + len(stamp) + 20:]

    assert json.loads(a)["timestamp"].endswith("Z")
    assert strip(a) == strip(b)
    assert len(a) > 5000  # the whole record, not an empty Bundle


def test_one_patient(rehab, tmp_path):
    logged(rehab)
    document = export(rehab, tmp_path / "ben.json", "--patient", "Ben Ode")
    resources = check_bundle(document)
    assert [p["identifier"][0]["value"] for p in of_type(resources, "Patient")] == ["ben"]
    assert len(observations(resources, LOINC, "72514-3")) == 1
    everyone = check_bundle(export(rehab, tmp_path / "all.json"))
    assert set(resources) < set(everyone)  # the same ids as in the whole export


def test_refusals_write_nothing(rehab, tmp_path, db_path):
    logged(rehab)
    before = snapshot(db_path)
    out = tmp_path / "out.json"
    result = rehab("export", "--format", "fhir", "--output", out, "--patient", "nobody")
    assert result.exit_code == 2 and "nobody" in result.stderr and not out.exists()
    result = rehab("export", "--format", "hl7v2", "--output", out)
    assert result.exit_code == 2 and not out.exists()
    out.write_text("keep me", encoding="utf-8")
    result = rehab("export", "--format", "fhir", "--output", out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert snapshot(db_path) == before
    result = rehab("export", "--format", "fhir", "--output", out, "--force", "--date", AS_OF)
    assert result.exit_code == 0
    check_bundle(json.loads(out.read_text(encoding="utf-8")))


def test_without_the_fhir_extra_one_line_and_exit_2(rehab, tmp_path, monkeypatch):
    logged(rehab)
    # As if fhir.resources were not installed: importing it fails.
    for name in [n for n in sys.modules if n == "fhir" or n.startswith("fhir.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fhir", None)
    out = tmp_path / "out.json"
    result = rehab("export", "--format", "fhir", "--output", out)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "rehab: the FHIR export needs the fhir.resources package: pip install 'rehab[fhir]'"]
    assert not out.exists()
    # The JSON export does not need it.
    assert rehab("export", "--output", tmp_path / "backup.json").exit_code == 0


def test_end_to_end_the_installed_command(tmp_path):
    env = dict(os.environ, REHAB_DB=str(tmp_path / "e2e.db"))
    def run(*args):
        return subprocess.run([sys.executable, "-m", "rehab", *args], env=env, capture_output=True, text=True, timeout=120)
    assert run("patient", "add", "Zoë Łukasiewicz", "--surgery-date", "2025-01-31", "--procedure", "debridement").returncode == 0
    assert run("log", "--date", "2025-02-01", "--pain", "4", "--weight-bearing", "WBAT").returncode == 0
    out = tmp_path / "z.json"
    result = run("export", "--format", "fhir", "--output", str(out), "--date", "2025-02-03")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Exported 1 patient")
    resources = check_bundle(json.loads(out.read_text(encoding="utf-8")))
    assert of_type(resources, "Patient")[0]["name"] == [{"text": "Zoë Łukasiewicz"}]
    weight = observations(resources, "https://rehab.invalid/fhir/CodeSystem/observation", "weight-bearing")
    assert weight["2025-02-01"]["valueCodeableConcept"]["coding"] == [
        {"system": "https://rehab.invalid/fhir/CodeSystem/weight-bearing", "code": "as-tolerated",
         "display": "weight-bearing as tolerated"}]


def test_the_json_export_takes_one_patient_too(rehab, tmp_path):
    logged(rehab)
    out = tmp_path / "ben-backup.json"
    assert rehab("export", "--output", out, "--patient", "ben").exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["patients"]] == ["ben"]
    assert [e["pain"] for e in document["patients"][0]["entries"]] == [4]


def test_only_the_fhir_export_imports_the_fhir_models(tmp_path):
    env = dict(os.environ, REHAB_DB=str(tmp_path / "i.db"), PYTHONPROFILEIMPORTTIME="1")
    def imported(*args):
        result = subprocess.run([sys.executable, "-m", "rehab", *args], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "fhir" not in imported("patient", "add", "Ida", "--surgery-date", "2025-01-31", "--procedure", "fhl-release")
    assert "fhir" not in imported("export", "--output", str(tmp_path / "backup.json"))
    assert "fhir" not in imported("today", "--date", "2025-02-02")
    assert "fhir" in imported("export", "--format", "fhir", "--output", str(tmp_path / "ida.json"))


TARGETS = ["sqlite"] + (["postgresql"] if os.environ.get("REHAB_TEST_POSTGRES_URL") else [])


@pytest.mark.parametrize("target", TARGETS)
def test_the_same_bundle_after_a_backup_is_restored(rehab, tmp_path, db_path, target):
    """Ids come from what names each record, not from rows: a backup restored into another
    database (PostgreSQL too) gives the same Bundle, byte for byte apart from the timestamp."""
    from datetime import date

    from rehab import store
    from rehab.model import Measure, Score

    logged(rehab)
    db = store.open_store(str(db_path))
    db.add_score("ana", Score(None, "faam-adl", date(2025, 3, 20), tuple([3] * 21), 75.0))
    db.add_score("ana", Score(None, "faam-adl", date(2025, 3, 20), tuple([4] * 21), 100.0))
    db.add_measure("ana", Measure(None, "calf-raises", date(2025, 3, 21), "other", 22))
    assert rehab("plan", "adjust", "-p", "ana", "--from", "day 3", "--until", "day 9", "--pain-ceiling", "8").exit_code == 0
    assert rehab("export", "--output", tmp_path / "backup.json").exit_code == 0
    if target == "sqlite":
        other = str(tmp_path / "restored.db")
    else:
        from sqlalchemy import create_engine, text

        other = os.environ["REHAB_TEST_POSTGRES_URL"]
        engine = create_engine(other)
        with engine.begin() as conn:  # a clean schema, as the store's tests make one
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    restored = rehab("--db", other, "import", tmp_path / "backup.json")
    assert restored.exit_code == 0, restored.stderr
    first = export(rehab, tmp_path / "first.json")
    second = rehab("--db", other, "export", "--format", "fhir", "--output", tmp_path / "second.json", "--date", AS_OF)
    assert second.exit_code == 0, second.stderr
    a = (tmp_path / "first.json").read_text(encoding="utf-8")
    b = (tmp_path / "second.json").read_text(encoding="utf-8")
    assert a.split("\n", 1)[1] == b.split("\n", 1)[1]  # every entry line; the first holds the timestamp
    resources = check_bundle(first)
    # What the restore had to carry is there: both same-day scores, the measure, the change.
    assert len(of_type(resources, "QuestionnaireResponse")) == 2
    assert len([o for o in of_type(resources, "Observation") if "bodySite" in o]) == 1
    assert any("note" in p for p in of_type(resources, "CarePlan"))
