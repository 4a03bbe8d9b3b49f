"""`rehab plan adjust|move|list|remove`, combined procedures on the command line, and every
reader of the patient's own plan (today, timeline, flags, report, export/import)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from conftest import ok, snapshot

SURGERY = date(2026, 9, 1)


def on(day: int) -> str:
    return (SURGERY + timedelta(days=day)).isoformat()


@pytest.fixture
def patient(rehab):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(), "--procedure", "os-trigonum-excision",
             "--surgeon", "Mr Hester"))
    return "ann-lee"


def changes(rehab) -> list[dict]:
    return json.loads(ok(rehab("plan", "list", "--json")).stdout)


# --- combined procedures ------------------------------------------------------------------


def test_patient_add_takes_procedure_repeated_or_joined(rehab):
    ok(rehab("patient", "add", "Ann", "--surgery-date", "2026-09-01", "--procedure", "os trigonum excision",
             "--procedure", "FHL release"))
    ok(rehab("patient", "add", "Bo", "--surgery-date", "2026-09-01", "--procedure", "os-trigonum-excision+fhl-release"))
    people = json.loads(ok(rehab("patient", "list", "--json")).stdout)
    for person in people:
        assert person["procedure"] == "fhl-release+os-trigonum-excision"
        assert person["procedures"] == ["fhl-release", "os-trigonum-excision"]
    ok(rehab("patient", "edit", "bo", "--procedure", "fhl-release"))
    shown = json.loads(ok(rehab("patient", "show", "bo", "--json")).stdout)
    assert (shown["procedure"], shown["procedures"]) == ("fhl-release", ["fhl-release"])
    ok(rehab("patient", "edit", "bo", "--procedure", "debridement", "--procedure", "fhl-release"))
    shown = json.loads(ok(rehab("patient", "show", "bo", "--json")).stdout)
    assert shown["procedure"] == "arthroscopic-debridement+fhl-release"


def test_combined_patient_reads_the_combined_plan_everywhere(rehab):
    ok(rehab("patient", "add", "Ann", "--surgery-date", "2026-09-01", "--procedure", "fhl-release",
             "--procedure", "os-trigonum-excision"))
    doc = json.loads(ok(rehab("timeline", "--json")).stdout)
    assert doc["procedure"]["id"] == "fhl-release+os-trigonum-excision"
    assert doc["phases"][0]["weight_bearing"] == ["toe-touch", "partial"]
    ids = {m["id"] for m in doc["milestones"]}
    assert {"big-toe-motion", "protected-weight-bearing", "wound-review"} <= ids
    today = json.loads(ok(rehab("today", "--date", "2026-09-03", "--json")).stdout)
    assert today["plan"] == {"weight_bearing": ["toe-touch", "partial"], "boot": True,
                             "activities": ["rest", "walking"], "pain_ceiling": 6}
    ok(rehab("log", "--date", "2026-09-03", "--pain", "2", "--weight-bearing", "none"))
    ok(rehab("log", "--date", "2026-09-04", "--pain", "2", "--weight-bearing", "partial", "--milestone", "big-toe-motion"))


def test_ad_hoc_timeline_takes_several_procedures(rehab):
    doc = json.loads(ok(rehab("timeline", "--surgery-date", "2026-09-01", "--procedure", "fhl-release",
                              "--procedure", "os-trigonum-excision", "--json")).stdout)
    assert doc["procedure"]["id"] == "fhl-release+os-trigonum-excision"
    joined = json.loads(ok(rehab("timeline", "--surgery-date", "2026-09-01", "--procedure",
                                 "os-trigonum-excision+fhl-release", "--json")).stdout)
    assert joined == doc


def test_unknown_procedure_in_a_combination_is_refused_and_nothing_written(rehab, patient, db_path):
    before = snapshot(db_path)
    result = rehab("patient", "add", "Cy", "--surgery-date", "2026-09-01", "--procedure", "fhl-release",
                   "--procedure", "knee")
    assert result.exit_code == 2 and result.stderr.startswith("rehab: unknown procedure 'knee'")
    result = rehab("patient", "edit", patient, "--procedure", "fhl-release+knee")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert snapshot(db_path) == before


def test_protocols_with_different_boundaries_are_refused_naming_it(rehab, tmp_path, db_path):
    folder = tmp_path / "protocols"
    folder.mkdir()
    shown = json.loads(ok(rehab("protocols", "show", "fhl-release", "--json")).stdout)
    shown["id"] = "slow-fhl"
    shown["phases"][0]["end"] = "3 weeks"
    shown["phases"][1]["start"] = "3 weeks"
    (folder / "slow.json").write_text(json.dumps(shown))
    before = snapshot(db_path)
    result = rehab("--protocols-dir", str(folder), "patient", "add", "Cy", "--surgery-date", "2026-09-01",
                   "--procedure", "slow-fhl", "--procedure", "os-trigonum-excision")
    assert result.exit_code == 2
    assert "boundary 1: 'protect' ends at 2 weeks in os-trigonum-excision, 'protect' ends at 3 weeks in slow-fhl" \
        in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(db_path) == before


# --- plan adjust / move / list / remove --------------------------------------------------


def test_adjust_records_a_change_in_the_contract_shape(rehab, patient):
    out = ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "NWB",
                   "--note", "no weight for a week", "--by", "Mr Hester")).stdout
    assert "change 1" in out and "non-weight-bearing" in out and "Mr Hester" in out
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--allow", "low impact",
             "--forbid", "rest", "--pain-ceiling", "5", "--no-boot"))
    first, second = changes(rehab)
    assert set(first) == {"id", "kind", "from_day", "until_day", "from_date", "until_date", "weight_bearing", "boot",
                          "allow", "forbid", "pain_ceiling", "milestone", "note", "by", "created_at", "removed_at"}
    assert first | {"created_at": None} == {
        "id": 1, "kind": "adjust", "from_day": 0, "until_day": 6, "from_date": "2026-09-01",
        "until_date": "2026-09-07", "weight_bearing": "none", "boot": None, "allow": [], "forbid": [],
        "pain_ceiling": None, "milestone": None, "note": "no weight for a week", "by": "Mr Hester",
        "created_at": None, "removed_at": None}
    assert first["created_at"] is not None
    assert (second["from_day"], second["until_day"], second["allow"], second["forbid"], second["pain_ceiling"],
            second["boot"]) == (42, None, ["sport", "low-impact"], ["rest"], 5, False)


def test_when_takes_dates_days_and_weeks(rehab, patient):
    ok(rehab("plan", "adjust", "--from", "3 Sep 2026", "--until", "week 2", "--boot"))
    ok(rehab("plan", "adjust", "--from", "2026-09-01", "--until", "2026-09-01", "--pain-ceiling", "0"))
    a, b = changes(rehab)
    assert (a["from_day"], a["until_day"]) == (2, 14)
    assert (b["from_day"], b["until_day"], b["pain_ceiling"]) == (0, 0, 0)


def test_move_gives_a_milestone_a_new_day_or_window(rehab, patient, monkeypatch):
    ok(rehab("plan", "move", "wound-review", "--to", "day 10", "--by", "Mr Hester", "--note", "clinic on Friday"))
    ok(rehab("plan", "move", "return-to-sport", "--to", "week 6", "--until", "week 8"))
    moved, window = changes(rehab)
    assert (moved["kind"], moved["milestone"], moved["from_day"], moved["until_day"]) == ("move", "wound-review", 10, None)
    assert (window["from_day"], window["until_day"]) == (42, 56)
    monkeypatch.setenv("COLUMNS", "120")
    listed = ok(rehab("plan", "list")).stdout
    days = [line.split("│")[2].strip() for line in listed.splitlines() if line.startswith("│")]
    assert [d for d in days if d] == ["day 10", "days 42–56"]  # the Days column: the new day(s)
    doc = json.loads(ok(rehab("timeline", "--json")).stdout)
    by_id = {m["id"]: m for m in doc["milestones"]}
    assert (by_id["wound-review"]["day"], by_id["wound-review"]["date"], by_id["wound-review"]["moved"]) == (
        10, "2026-09-11", True)
    assert (by_id["return-to-sport"]["day"], by_id["return-to-sport"]["end_date"]) == (42, "2026-10-27")
    assert [m["day"] for m in doc["milestones"]] == sorted(m["day"] for m in doc["milestones"])
    assert [a["id"] for a in doc["adjustments"]] == [1, 2]
    today = json.loads(ok(rehab("today", "--date", on(8), "--json")).stdout)
    assert today["next_milestone"]["id"] == "wound-review" and today["next_milestone"]["in_days"] == 2
    # sport opens with the moved window
    assert "sport" in json.loads(ok(rehab("today", "--date", on(43), "--json")).stdout)["plan"]["activities"]
    from icalendar import Calendar

    events = {str(e["uid"]): e for e in Calendar.from_ical(ok(rehab("timeline", "--format", "ics")).stdout).walk("VEVENT")}
    wound = events["ann-lee-milestone-wound-review@rehab"]
    assert wound.decoded("dtstart") == date(2026, 9, 11)
    assert "Moved by Mr Hester" in str(wound["description"])
    sport = events["ann-lee-milestone-return-to-sport@rehab"]
    assert (sport.decoded("dtstart"), sport.decoded("dtend")) == (date(2026, 10, 13), date(2026, 10, 28))


def test_remove_keeps_the_change_listed_and_takes_it_out_of_the_plan(rehab, patient, db_path):
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "none"))
    assert json.loads(ok(rehab("today", "--date", on(2), "--json")).stdout)["plan"]["weight_bearing"] == ["none"]
    out = ok(rehab("plan", "remove", "1", "--yes")).stdout
    assert "Removed change 1" in out
    (listed,) = changes(rehab)
    assert listed["removed_at"] is not None
    assert json.loads(ok(rehab("today", "--date", on(2), "--json")).stdout)["plan"]["weight_bearing"] == [
        "none", "toe-touch", "partial"]
    assert json.loads(ok(rehab("timeline", "--json")).stdout)["adjustments"] == []
    text = ok(rehab("plan", "list")).stdout
    assert "removed" in text


REFUSALS = [
    (["plan", "adjust", "--from", "day 3"], "a change sets something"),
    (["plan", "adjust", "--from", "day 3", "--until", "day 1", "--boot"], "--until (day 1) is before --from (day 3)"),
    (["plan", "adjust", "--from", "2026-08-31", "--boot"], "is before surgery"),
    (["plan", "adjust", "--from", "day -1", "--boot"], "is before surgery"),
    (["plan", "adjust", "--from", "day 3", "--weight-bearing", "hopping"], "unknown weight-bearing level 'hopping'"),
    (["plan", "adjust", "--from", "day 3", "--allow", "swimming"], "unknown activity 'swimming'"),
    (["plan", "adjust", "--from", "day 3", "--forbid", "skiing"], "unknown activity 'skiing'"),
    (["plan", "adjust", "--from", "day 3", "--pain-ceiling", "11"], "--pain-ceiling must be a whole number from 0 to 10"),
    (["plan", "adjust", "--from", "day 3", "--pain-ceiling", "-1"], "--pain-ceiling must be a whole number from 0 to 10"),
    (["plan", "adjust", "--from", "day 3", "--allow", "sport", "--forbid", "sport"], "both allowed and forbidden"),
    (["plan", "adjust", "--from", "03/09/2026", "--boot"], "YYYY-MM-DD"),
    (["plan", "adjust", "--from", "day 3", "--boot", "--patient", "nobody"], "no patient 'nobody'"),
    (["plan", "move", "stitches-out", "--to", "day 10"], "unknown milestone 'stitches-out'"),
    (["plan", "move", "wound-review", "--to", "2026-08-20"], "is before surgery"),
    (["plan", "move", "wound-review", "--to", "day 10", "--until", "day 9"], "--until (day 9) is before --to (day 10)"),
    (["plan", "remove", "7", "--yes"], "no change '7'"),
    (["plan", "remove", "one", "--yes"], "no change 'one'"),
    (["plan", "remove", "1"], "add --yes to confirm"),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_refusals_exit_2_with_one_line_and_write_nothing(rehab, patient, db_path, args, message):
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 2", "--boot"))
    before = snapshot(db_path)
    result = rehab(*args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("rehab: ") and len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(db_path) == before


def test_removing_a_removed_change_is_refused(rehab, patient, db_path):
    ok(rehab("plan", "adjust", "--from", "day 0", "--boot"))
    ok(rehab("plan", "remove", "1", "--yes"))
    before = snapshot(db_path)
    result = rehab("plan", "remove", "1", "--yes")
    assert result.exit_code == 2 and "already removed" in result.stderr
    assert snapshot(db_path) == before


# --- every reader reads the patient's own plan -------------------------------------------


def test_six_week_sport_clearance(rehab, patient):
    """A footballer cleared for sport at six weeks, logging sport from day 42: one activity-ahead
    flag for the 14 days against the protocol (sport opens at day 70), none for the cleared days once the
    clearance is recorded, even though it was recorded after those days (retroactive)."""
    for day in range(42, 56):
        ok(rehab("log", "--date", on(day), "--pain", "2", "--weight-bearing", "full", "--no-boot",
                 "--activity", "sport"))
    as_of = on(56)
    flagged = [f for f in json.loads(ok(rehab("flags", "--date", as_of, "--json")).stdout)
               if f["rule"] == "activity-ahead"]
    assert [(f["date"], f["until"]) for f in flagged] == [(on(42), on(55))]
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--by", "Dr Ng", "--note", "cleared at review"))
    after = [f for f in json.loads(ok(rehab("flags", "--date", as_of, "--json")).stdout)
             if f["rule"] == "activity-ahead"]
    assert after == []
    # Removing the clearance brings the flags back: nothing was lost.
    ok(rehab("plan", "remove", "1", "--yes"))
    again = [f for f in json.loads(ok(rehab("flags", "--date", as_of, "--json")).stdout)
             if f["rule"] == "activity-ahead"]
    assert again == flagged


def test_today_says_the_plan_was_changed_and_by_whom(rehab, patient):
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "week 1", "--weight-bearing", "none", "--by", "Mr Hester",
             "--note", "bone graft"))
    doc = json.loads(ok(rehab("today", "--date", on(3), "--json")).stdout)
    assert doc["plan"] == {"weight_bearing": ["none"], "boot": True, "activities": ["rest", "walking"],
                           "pain_ceiling": 6}
    assert [c["id"] for c in doc["plan_changes"]] == [1]
    text = ok(rehab("today", "--date", on(3))).stdout
    assert "Weight-bearing: none" in text
    # beside the line it changes (tests/test_plan_views.py has where)
    assert "at most NWB (changed) — by Mr Hester" in " ".join(text.split()) and "bone graft" in text
    later = ok(rehab("today", "--date", on(9))).stdout
    assert "(changed)" not in later and "made 1 change to your plan" in later
    ok(rehab("plan", "move", "wound-review", "--to", "day 10", "--by", "Ms Ray"))
    doc = json.loads(ok(rehab("today", "--date", on(9), "--json")).stdout)
    assert doc["next_milestone"]["id"] == "wound-review" and doc["next_milestone"]["moved_by"] == "Ms Ray"
    assert "moved by Ms Ray" in ok(rehab("today", "--date", on(9))).stdout
    before = json.loads(ok(rehab("today", "--date", "2026-08-25", "--json")).stdout)
    assert before["plan"] is None


def test_pain_ceiling_and_boot_changes_reach_the_flags(rehab, patient):
    ok(rehab("plan", "adjust", "--from", "day 14", "--until", "day 20", "--pain-ceiling", "7", "--boot",
             "--by", "Mr Hester"))
    ok(rehab("log", "--date", on(15), "--pain", "7", "--weight-bearing", "partial", "--no-boot"))
    ok(rehab("log", "--date", on(22), "--pain", "7", "--weight-bearing", "full", "--no-boot"))
    flags = json.loads(ok(rehab("flags", "--date", on(22), "--json")).stdout)
    got = {(f["date"], f["rule"]) for f in flags}
    assert (on(15), "boot-off-early") in got  # the boot kept on by the change
    assert (on(15), "pain-above-expected") not in got  # 7 is within the changed ceiling
    assert (on(22), "pain-above-expected") in got  # back to the phase's 5
    boot = next(f for f in flags if f["rule"] == "boot-off-early")
    assert "changed by Mr Hester" in boot["message"]


def test_printed_plan_lists_the_changes_in_every_format(rehab, patient, tmp_path):
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--by", "Dr <b>Ng</b>", "--note", "cleared"))
    ok(rehab("plan", "move", "wound-review", "--to", "day 10", "--by", "Mr Hester"))
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "none", "--by", "Mr Hester"))
    ok(rehab("plan", "adjust", "--from", "day 12", "--until", "day 20", "--no-boot"))
    text = ok(rehab("timeline", "--date", on(3))).stdout
    assert "Changes your team made to this plan" in text and "sport allowed" in text and "Dr <b>Ng</b>" in text
    assert "Wound check (moved by Mr" in text
    markdown = ok(rehab("timeline", "--format", "markdown")).stdout
    assert "## Changes your team made to this plan" in markdown and "Wound check moved to day 10" in markdown
    html = ok(rehab("timeline", "--format", "html")).stdout
    assert "Changes your team made to this plan" in html and "Dr &lt;b&gt;Ng&lt;/b&gt;" in html
    assert "<b>Ng" not in html
    # Each phase's row says what the changes set within it, where it differs from the phase.
    assert "days 0–6: at most NWB (changed)" in html
    assert "days 12–13: boot off (changed)" in html and "days 14–20" not in html.split("Changes your team")[0]
    pdf = tmp_path / "plan.pdf"
    ok(rehab("timeline", "--format", "pdf", "--output", str(pdf)))
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_lists_the_changes(rehab, patient, tmp_path):
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--by", "Dr Ng"))
    ok(rehab("plan", "adjust", "--from", "day 0", "--pain-ceiling", "8"))
    ok(rehab("plan", "remove", "2", "--yes"))
    ok(rehab("log", "--date", on(43), "--pain", "2", "--weight-bearing", "full", "--activity", "sport"))
    out = tmp_path / "r.json"
    ok(rehab("report", "--format", "json", "--output", str(out), "--date", on(50)))
    (report,) = json.loads(out.read_text())["patients"]
    assert [(c["id"], c["removed_at"] is not None) for c in report["plan_changes"]] == [(1, False), (2, True)]
    assert [a["id"] for a in report["timeline"]["adjustments"]] == [1]
    assert not [f for f in report["flags"] if f["rule"] == "activity-ahead"]
    # Sport on day 43 is within the cleared plan: not marked, not counted as not allowed.
    assert report["entries"][0]["outside_plan"] == []
    row = next(r for r in report["weight_bearing"] if r["phase"] == "return-to-activity")
    assert row["logged"]["activity_not_allowed"] == 0
    md = tmp_path / "r.md"
    ok(rehab("report", "--format", "markdown", "--output", str(md), "--date", on(50)))
    text = md.read_text()
    assert "## Changes the team made to the patient's plan" in text and "sport allowed" in text and "removed" in text


def test_export_import_round_trip_carries_procedures_and_changes(rehab, tmp_path):
    ok(rehab("patient", "add", "Cy Ong", "--surgery-date", SURGERY.isoformat(), "--procedure", "os-trigonum-excision",
             "--procedure", "fhl-release"))
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "none", "--by", "Mr Hester",
             "--note", "keep it off the ground"))
    ok(rehab("plan", "move", "wound-review", "--to", "day 10", "--until", "day 11", "--by", "Mr Hester"))
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--forbid", "low-impact", "--pain-ceiling", "5"))
    ok(rehab("plan", "remove", "3", "--yes"))
    first, second, other = tmp_path / "first.json", tmp_path / "second.json", tmp_path / "other.db"
    ok(rehab("export", "--output", first))
    doc = json.loads(first.read_text(encoding="utf-8"))
    (person,) = doc["patients"]
    assert person["procedure"] == "fhl-release+os-trigonum-excision"
    assert person["procedures"] == ["fhl-release", "os-trigonum-excision"]
    assert [(a["id"], a["kind"], a["removed_at"] is not None) for a in person["adjustments"]] == [
        (1, "adjust", False), (2, "move", False), (3, "adjust", True)]
    ok(rehab("--db", other, "import", first))
    ok(rehab("--db", other, "export", "--output", second))
    again = json.loads(second.read_text(encoding="utf-8"))
    doc.pop("exported_at")
    again.pop("exported_at")
    assert again == doc
    # The imported plan reads as the original does.
    for args in (["plan", "list", "--json"], ["timeline", "--json"], ["today", "--date", on(3), "--json"]):
        assert json.loads(ok(rehab("--db", other, *args)).stdout) == json.loads(ok(rehab(*args)).stdout)


def test_installed_command_changes_a_combined_plan_end_to_end(isolated):
    """The console script in real processes: a combined patient, a change, and the day's plan."""
    import os
    import shutil
    import subprocess

    def run(*args):
        result = subprocess.run([shutil.which("rehab") or "rehab", *args], env={**os.environ}, capture_output=True,
                                text=True, timeout=60, stdin=subprocess.DEVNULL)
        return result

    assert run("patient", "add", "Eve", "--surgery-date", SURGERY.isoformat(), "--procedure",
               "os-trigonum-excision+fhl-release").returncode == 0
    assert run("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "none",
               "--by", "Mr Hester").returncode == 0
    refused = run("plan", "adjust", "--from", "day 3")
    assert (refused.returncode, refused.stderr.count("\n")) == (2, 1)
    doc = json.loads(run("today", "--date", on(2), "--json").stdout)
    assert doc["patient"]["procedures"] == ["fhl-release", "os-trigonum-excision"]
    assert doc["plan"]["weight_bearing"] == ["none"] and doc["plan_changes"][0]["by"] == "Mr Hester"
