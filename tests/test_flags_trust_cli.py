"""Issue 15 on the command line: log --temperature/--swelling/--exercises, act-now advice
with the clinic's numbers, corrections that never erase a red flag, history's revisions,
red flags open until acknowledged, `patient discharge`, who needs attention, and `today`
showing the whole phase."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from conftest import ok, one_line, snapshot
from rehab import report

TODAY = date.today()
SURGERY = TODAY - timedelta(days=70)


def on(day: int) -> str:
    return (SURGERY + timedelta(days=day)).isoformat()


@pytest.fixture
def patient(rehab):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(), "--procedure", "fhl-release"))
    return "ann-lee"


def flags(rehab, *extra):
    return json.loads(ok(rehab("flags", "--json", *extra)).stdout)


def test_log_takes_temperature_swelling_and_exercises_and_echoes_them(rehab, patient, clinic):
    out = ok(rehab("log", "--date", on(9), "--pain", "3", "--wb", "partial", "--temperature", "100.9F",
                   "--swelling", "mild", "--exercises", "partly")).stdout
    flat = " ".join(out.split())
    assert "38.3 °C, swelling mild, exercises partly" in flat
    # a temperature at or above the protocol's fever line is a red flag, with the clinic's numbers
    assert "a temperature of 38.3 °C" in flat
    assert "Contact your surgical team now on 020 7946 0000" in flat
    assert "call the out-of-hours number, 020 7946 0999" in flat
    [entry] = json.loads(ok(rehab("history", "--json")).stdout)
    assert (entry["temperature"], entry["swelling"], entry["exercises"]) == (38.3, "mild", "partly")
    [flag] = [f for f in flags(rehab) if f["rule"] == "red-flag"]
    assert flag["severity"] == "urgent" and flag["subject"] == "fever" and flag["date"] == on(9)


@pytest.mark.parametrize("option, value", [("--temperature", "45"), ("--temperature", "hot"),
                                           ("--swelling", "huge"), ("--exercises", "most")])
def test_bad_values_are_refused_and_nothing_is_written(rehab, patient, db_path, option, value):
    before = snapshot(db_path)
    one_line(rehab("log", "--date", on(9), "--pain", "3", "--wb", "partial", option, value), 2)
    assert snapshot(db_path) == before


def test_a_red_flag_corrected_away_is_still_listed_marked_corrected(rehab, patient):
    ok(rehab("log", "--date", on(5), "--pain", "3", "--wb", "partial", "--symptom", "chest-pain"))
    ok(rehab("log", "--date", on(5), "--replace", "--clear-symptoms", "--note", "typed by mistake"))
    [flag] = [f for f in flags(rehab) if f["rule"] == "red-flag"]
    assert flag["corrected"] is True and flag["subject"] == "chest-pain" and flag["date"] == on(5)
    assert "Later corrected" in flag["message"]
    [entry] = json.loads(ok(rehab("history", "--json")).stdout)
    assert entry["symptoms"] == [] and [r["symptoms"] for r in entry["revisions"]] == [["chest-pain"]]
    # shaped as entries (day and all), plus replaced_at
    assert set(entry["revisions"][0]) == set(entry) - {"revisions"} | {"replaced_at"}
    assert entry["revisions"][0]["day"] == entry["day"] == 5
    table = ok(rehab("history")).stdout
    assert "corrected" in table and "!!" in table
    # the correction is still urgent in today, until someone acknowledges it
    today = json.loads(ok(rehab("today", "--json")).stdout)
    assert [f["rule"] for f in today["flags"] if f["severity"] == "urgent"] == ["red-flag"]


def test_an_unacknowledged_red_flag_is_in_today_60_days_later(rehab, patient):
    ok(rehab("log", "--date", on(5), "--pain", "3", "--wb", "partial", "--symptom", "calf-pain"))
    for day in range(6, 66):
        ok(rehab("log", "--date", on(day), "--pain", "2", "--wb", "full" if day >= 14 else "partial"))
    doc = json.loads(ok(rehab("today", "--date", on(65), "--json")).stdout)
    assert [(f["rule"], f["date"]) for f in doc["flags"] if f["severity"] == "urgent"] == [("red-flag", on(5))]
    assert "GET HELP NOW" in ok(rehab("today", "--date", on(65))).stdout
    ok(rehab("flags", "ack", "red-flag", "--date", on(5), "--note", "seen in clinic, scan clear", "--by", "Ann"))
    doc = json.loads(ok(rehab("today", "--date", on(65), "--json")).stdout)
    assert [f for f in doc["flags"] if f["rule"] == "red-flag"] == []


def test_discharge_ends_reminders_and_undo_reopens(rehab, patient, db_path):
    ok(rehab("log", "--date", on(0), "--pain", "4", "--wb", "partial"))
    assert any(f["rule"] == "missed-log" for f in flags(rehab))
    ok(rehab("patient", "discharge", patient, "--date", on(1)))
    assert json.loads(ok(rehab("patient", "show", patient, "--json")).stdout)["discharged_on"] == on(1)
    assert [f for f in flags(rehab) if f["rule"] == "missed-log"] == []
    text = " ".join(ok(rehab("today")).stdout.split())
    assert f"Follow-up ended on {on(1)}" in text and "Not logged yet today" not in text
    assert json.loads(ok(rehab("today", "--json")).stdout)["follow_up_ended"] is True
    ok(rehab("patient", "discharge", patient, "--undo"))
    assert json.loads(ok(rehab("patient", "show", patient, "--json")).stdout)["discharged_on"] is None
    assert any(f["rule"] == "missed-log" for f in flags(rehab))
    before = snapshot(db_path)
    for args in (["--date", (SURGERY - timedelta(days=1)).isoformat()],
                 ["--date", (TODAY + timedelta(days=1)).isoformat()],
                 ["--undo"], ["--undo", "--date", on(3)]):
        one_line(rehab("patient", "discharge", patient, *args), 2)
    one_line(rehab("patient", "discharge", "nobody"), 2)
    assert snapshot(db_path) == before


def test_today_shows_every_instruction_and_exercise_and_whom_to_call(rehab, patient, clinic):
    from rehab.protocols import find

    phase = find("fhl-release").phases[1]  # day 14: 2-6 weeks
    text = " ".join(ok(rehab("today", "--date", on(14))).stdout.split())
    for item in [*phase.instructions, *phase.exercises]:
        assert " ".join(item.split()) in text, item
    assert "Act now on a red flag" in text and "020 7946 0000" in text and "020 7946 0999" in text
    assert "Act now on a red flag" in json.loads(ok(rehab("today", "--json")).stdout)["act_now"]


def test_who_needs_attention_in_the_contracts_order():
    def row(name, urgent=0, warning=0, adherence=0.9, silent=None, discharged=None):
        return {"name": name, "urgent": urgent, "warning": warning, "adherence": adherence,
                "silent_days": silent, "discharged_on": discharged}

    rows = [row("warnings", warning=2, adherence=0.5), row("discharged", urgent=3, discharged="2026-01-01"),
            row("low adherence", adherence=0.1), row("silent 152", silent=152, adherence=0.95),
            row("silent 10", silent=10), row("urgent", urgent=1)]
    assert [r["name"] for r in report.attention_order(rows)] == [
        "urgent", "silent 152", "silent 10", "warnings", "low adherence", "discharged"]


def test_missed_log_says_how_long_as_of_the_date_asked(rehab, patient):
    ok(rehab("log", "--date", on(0), "--pain", "4", "--wb", "partial"))
    [missed] = [f for f in flags(rehab, "--date", on(70)) if f["rule"] == "missed-log"]
    assert missed["date"] == on(3) and "nothing logged for 69 days" in missed["message"]
    [shown] = [f for f in json.loads(ok(rehab("today", "--date", on(70), "--json")).stdout)["flags"]
               if f["rule"] == "missed-log"]
    assert "nothing logged for 69 days" in shown["message"]


def test_one_acknowledgement_covers_a_run_named_by_any_of_its_days(rehab, patient):
    for day in range(0, 14):
        ok(rehab("log", "--date", on(day), "--pain", "2", "--wb", "partial", *(["--no-boot"] if day >= 5 else [])))
    [run] = [f for f in flags(rehab, "--date", on(13)) if f["rule"] == "boot-off-early"]
    assert (run["date"], run["until"]) == (on(5), on(13))
    ok(rehab("flags", "ack", "boot-off-early", "--date", on(9), "--note", "boot rubbing; told to pad it"))
    [run] = [f for f in flags(rehab, "--date", on(13)) if f["rule"] == "boot-off-early"]
    assert run["acknowledged"] is True
    one_line(rehab("flags", "ack", "boot-off-early", "--date", on(4), "--note", "x"), 2)


@pytest.mark.parametrize("args", [
    ("report", "--all", "--format", "json"),
    ("report", "--all", "--format", "markdown"),
    ("report", "--all", "--format", "html"),
    ("export", "--format", "fhir"),
], ids=["report-json", "report-markdown", "report-html", "export-fhir"])
def test_red_flag_advice_in_reports_and_fhir_names_the_clinics_numbers(rehab, patient, isolated, args):
    ok(rehab("log", "--date", on(9), "--pain", "3", "--wb", "partial", "--symptom", "wound-discharge"))
    without = isolated / "without.out"
    ok(rehab(*args, "--output", without))
    assert "020 7946 0000" not in without.read_text(encoding="utf-8")
    folder = isolated / "home" / "config" / "rehab"
    folder.mkdir(parents=True)
    (folder / "clinic.yaml").write_text("name: Ankle Unit\nphone: 020 7946 0000\n"
                                        "out_of_hours_phone: 020 7946 0999\n", encoding="utf-8")
    written = isolated / "with.out"
    ok(rehab(*args, "--output", written))
    text = written.read_text(encoding="utf-8")
    assert "020 7946 0000" in text and "020 7946 0999" in text


def test_an_unrecorded_wound_check_stays_in_today_until_recorded(rehab, patient):
    for day in (*range(0, 14, 2), 29):
        ok(rehab("log", "--date", on(day), "--pain", "2", "--wb", "partial"))
    [missed] = [f for f in json.loads(ok(rehab("today", "--date", on(29), "--json")).stdout)["flags"]
                if f["rule"] == "missed-milestone"]
    assert missed["subject"] == "wound-review" and missed["date"] < on(22)  # older than the 7-day window
    ok(rehab("log", "--date", on(29), "--replace", "--milestone", "wound-review"))
    assert not [f for f in json.loads(ok(rehab("today", "--date", on(29), "--json")).stdout)["flags"]
                if f["rule"] == "missed-milestone"]
