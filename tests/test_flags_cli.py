"""Where flags show: `rehab flags`, acknowledgements, `today`, `history` (issue 4)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from conftest import snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=10)


@pytest.fixture
def patient(rehab):
    result = rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(), "--procedure", "os-trigonum-excision")
    assert result.exit_code == 0, result.stderr
    for offset in range(0, 11):
        day = SURGERY + timedelta(days=offset)
        args = ["log", "--date", day.isoformat(), "--pain", "3", "--wb", "partial", "--boot"]
        if offset == 9:
            args = ["log", "--date", day.isoformat(), "--pain", "7", "--wb", "full", "--no-boot", "--symptom", "calf-pain"]
        assert rehab(*args).exit_code == 0
    return "ann-lee"


def flags(rehab, *extra):
    result = rehab("flags", "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_flags_json_shape_and_order(rehab, patient):
    found = flags(rehab)
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    rules = {f["rule"] for f in found if f["date"] == day9}
    assert {"red-flag", "pain-spike", "weight-bearing-ahead", "boot-off-early", "pain-above-expected"} <= rules
    assert [f["date"] for f in found] == sorted(f["date"] for f in found)
    for f in found:
        assert set(f) >= {"date", "rule", "severity", "message"}
        assert f["severity"] in {"info", "warning", "urgent"}
    urgent = [f for f in found if f["severity"] == "urgent"]
    assert [f["rule"] for f in urgent] == ["red-flag"]
    assert "surgical team" in urgent[0]["message"]


def test_flags_as_of_an_earlier_date_leaves_later_ones_out(rehab, patient):
    before = flags(rehab, "--date", (SURGERY + timedelta(days=8)).isoformat())
    assert all(f["rule"] != "red-flag" for f in before)


def test_acknowledged_flag_stays_marked_and_leaves_today(rehab, patient, db_path):
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    result = rehab("flags", "ack", "pain-spike", "--date", day9, "--note", "Phoned; ice and rest", "--by", "J. Physio")
    assert result.exit_code == 0, result.stderr
    spike = next(f for f in flags(rehab) if f["rule"] == "pain-spike")
    assert spike["acknowledged"] is True
    assert spike["acknowledgement"]["note"] == "Phoned; ice and rest"
    assert spike["acknowledgement"]["by"] == "J. Physio"
    today = json.loads(rehab("today", "--json").stdout)
    assert "pain-spike" not in {f["rule"] for f in today["flags"]}
    assert "red-flag" in {f["rule"] for f in today["flags"]}
    # Acknowledging again is refused, the first note kept, unless --replace says so.
    before = snapshot(db_path)
    again = rehab("flags", "ack", "pain-spike", "--date", day9, "--note", "Seen in clinic")
    assert again.exit_code == 2 and "already acknowledged" in again.stderr and "J. Physio" in again.stderr
    assert snapshot(db_path) == before
    assert rehab("flags", "ack", "pain-spike", "--date", day9, "--note", "Seen in clinic", "--replace").exit_code == 0
    assert len(snapshot(db_path)["flag_ack"]) == 1
    spike = next(f for f in flags(rehab) if f["rule"] == "pain-spike")
    assert spike["acknowledgement"]["note"] == "Seen in clinic"
    # The first acknowledgement is kept, never erased without trace: in flags, and in a backup.
    [first] = spike["acknowledgement"]["earlier"]
    assert (first["note"], first["by"], first["date"]) == ("Phoned; ice and rest", "J. Physio", day9) and first["replaced_at"]
    assert len(snapshot(db_path)["flag_ack_revision"]) == 1


def test_a_replaced_acknowledgement_survives_a_backup(rehab, patient, tmp_path):
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    for note, more in (("first", []), ("second", ["--replace"]), ("third", ["--replace"])):
        assert rehab("flags", "ack", "pain-spike", "--date", day9, "--note", note, *more).exit_code == 0
    backup = tmp_path / "backup.json"
    assert rehab("export", "--output", backup).exit_code == 0
    [ann] = json.loads(backup.read_text())["patients"]
    assert [r["note"] for r in ann["acknowledgement_revisions"]] == ["first", "second"]
    restored = tmp_path / "restored.db"
    assert rehab("--db", restored, "import", backup).exit_code == 0
    spike = next(f for f in json.loads(rehab("--db", restored, "flags", "--json").stdout) if f["rule"] == "pain-spike")
    assert spike["acknowledgement"]["note"] == "third" and [e["note"] for e in spike["acknowledgement"]["earlier"]] == [
        "first", "second"]


def test_an_acknowledgement_still_covers_its_run_when_a_plan_change_moves_the_run(rehab):
    """A change to the plan made the run start later; acknowledged there, then the change was
    removed and the run began on its first day again: the note vanished from every view."""
    surgery = date.today() - timedelta(days=20)
    on = lambda n: (surgery + timedelta(days=n)).isoformat()  # noqa: E731
    assert rehab("patient", "add", "Sem", "--surgery-date", surgery.isoformat(), "--procedure", "os-trigonum-excision").exit_code == 0
    for n in range(1, 6):
        assert rehab("log", "--date", on(n), "--pain", "2", "--wb", "full", "--boot").exit_code == 0
    assert rehab("plan", "adjust", "--from", "day 0", "--until", "day 3", "--weight-bearing", "full", "--by", "Dr").exit_code == 0
    [run] = [f for f in flags(rehab) if f["rule"] == "weight-bearing-ahead"]
    assert run["date"] == on(4)
    assert rehab("flags", "ack", "weight-bearing-ahead", "--date", on(4), "--note", "seen", "--by", "Dr").exit_code == 0
    assert rehab("plan", "remove", "1", "--yes").exit_code == 0
    [run] = [f for f in flags(rehab) if f["rule"] == "weight-bearing-ahead"]
    assert run["date"] == on(1) and run["acknowledged"] is True and run["acknowledgement"]["note"] == "seen"
    report = json.loads(rehab("report", "--format", "json", "--output", "-").stdout)["patients"][0]
    assert any(f["rule"] == "weight-bearing-ahead" and f["acknowledged"] for f in report["flags"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["flags", "ack", "pain-spike", "--date", "2020-01-01", "--note", "x"], "no 'pain-spike' flag"),
        (["flags", "ack", "made-up-rule", "--date", "today", "--note", "x"], "no 'made-up-rule' flag"),
        (["flags", "ack", "pain-spike", "--date", "today", "--note", "  "], "--note"),
        (["flags", "ack", "pain-spike", "--date", "12/03/2026", "--note", "x"], "YYYY-MM-DD"),
        (["flags", "ack", "pain-spike", "--note", "x"], "--date"),
        (["flags", "--date", "tomorrowish"], "YYYY-MM-DD"),
        (["flags", "--patient", "nobody"], "no patient"),
    ],
)
def test_flag_refusals(rehab, patient, db_path, args, message):
    before = snapshot(db_path)
    result = rehab(*args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(db_path) == before


def test_history_marks_flagged_days(rehab, patient):
    text = rehab("history").stdout
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    line = next(line for line in text.splitlines() if day9 in line)
    assert "!!" in line
    day8 = (SURGERY + timedelta(days=8)).isoformat()
    assert "!" not in next(line for line in text.splitlines() if day8 in line)


def test_flags_text_view_tells_what_to_do(rehab, patient):
    text = rehab("flags").stdout
    assert "surgical team" in text.lower()
    assert "emergency services" in text.lower()


def test_a_patient_who_stopped_logging_is_still_reminded(rehab):
    surgery = TODAY - timedelta(days=50)
    assert rehab("patient", "add", "Bob", "--surgery-date", surgery.isoformat(), "--procedure", "fhl").exit_code == 0
    assert rehab("log", "--date", surgery.isoformat(), "--pain", "5", "--wb", "partial").exit_code == 0
    today = json.loads(rehab("today", "--json").stdout)
    assert "missed-log" in {f["rule"] for f in today["flags"]}
    # Logging today closes the gap, and its old flag leaves `today`.
    assert rehab("log", "--pain", "2", "--wb", "full").exit_code == 0
    assert "missed-log" not in {f["rule"] for f in json.loads(rehab("today", "--json").stdout)["flags"]}


def test_a_patient_named_before_ack_is_the_one_acknowledged(rehab, patient, db_path):
    """`flags -p bob ack ...` once acknowledged the current patient's flag (Ann's) and said so."""
    assert rehab("patient", "add", "Bob Roe", "--surgery-date", SURGERY.isoformat(), "--procedure",
                 "os-trigonum-excision").exit_code == 0
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    for offset, pain in ((7, 2), (8, 2), (9, 7)):
        day = (SURGERY + timedelta(days=offset)).isoformat()
        assert rehab("log", "-p", "bob-roe", "--date", day, "--pain", str(pain), "--wb", "partial", "--boot").exit_code == 0
    result = rehab("flags", "-p", "bob-roe", "ack", "pain-spike", "--date", day9, "--note", "Phoned Bob")
    assert result.exit_code == 0, result.stderr
    assert "for bob-roe" in result.stdout
    assert next(f for f in flags(rehab, "-p", "bob-roe") if f["rule"] == "pain-spike")["acknowledged"] is True
    assert next(f for f in flags(rehab, "-p", "ann-lee") if f["rule"] == "pain-spike")["acknowledged"] is False


@pytest.mark.parametrize("before, message", [
    (["-p", "ann-lee"], "two patients given"),
    (["--date", "2020-01-01"], "--date goes after 'ack'"),
    (["--json"], "--json goes after 'ack'"),
])
def test_what_flags_ack_cannot_take_before_it_is_refused(rehab, patient, db_path, before, message):
    day9 = (SURGERY + timedelta(days=9)).isoformat()
    unchanged = snapshot(db_path)
    result = rehab("flags", *before, "ack", "pain-spike", "--date", day9, "--note", "x", "-p", "bob")
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1
    assert snapshot(db_path) == unchanged
