"""Patients, the daily log, today and history through the CLI (issue 3)."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta

import pytest

from conftest import snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)


def add(rehab, name="Ann Lee", surgery=SURGERY, procedure="os-trigonum-excision", *extra):
    result = rehab("patient", "add", name, "--surgery-date", surgery.isoformat(), "--procedure", procedure, *extra)
    assert result.exit_code == 0, result.stderr
    return result


def log(rehab, day: date, *extra, pain="3", wb="partial"):
    return rehab("log", "--date", day.isoformat(), "--pain", pain, "--weight-bearing", wb, *extra)


# --- patients -------------------------------------------------------------------------------


def test_first_patient_becomes_current_and_ids_come_from_names(rehab):
    add(rehab, "Zoë Łukasiewicz")
    add(rehab, "Zoë Łukasiewicz", SURGERY, "fhl-release")
    people = json.loads(rehab("patient", "list", "--json").stdout)
    assert [p["id"] for p in people] == ["zoe-lukasiewicz", "zoe-lukasiewicz-2"]
    assert [p["current"] for p in people] == [True, False]
    assert people[0]["name"] == "Zoë Łukasiewicz"
    assert people[1]["procedure"] == "fhl-release"


def test_patient_use_changes_the_default_for_commands(rehab):
    add(rehab, "Ann Lee")
    add(rehab, "Bob Roy", SURGERY - timedelta(days=5))
    assert json.loads(rehab("today", "--json").stdout)["patient"]["id"] == "ann-lee"
    assert rehab("patient", "use", "bob roy").exit_code == 0  # by name, any case
    assert json.loads(rehab("today", "--json").stdout)["patient"]["id"] == "bob-roy"


def test_patient_show_and_edit(rehab):
    add(rehab, "Ann Lee", SURGERY, "fhl-release", "--side", "L", "--surgeon", "Mr Hester")
    shown = json.loads(rehab("patient", "show", "--json").stdout)
    assert (shown["side"], shown["surgeon"], shown["entries"]) == ("left", "Mr Hester", 0)
    result = rehab("patient", "edit", "ann-lee", "--name", "Ann Lee-Smith", "--side", "right")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(rehab("patient", "show", "ann-lee", "--json").stdout)
    assert (shown["name"], shown["side"], shown["id"]) == ("Ann Lee-Smith", "right", "ann-lee")


def test_a_name_two_patients_share_and_a_database_with_no_patients_left_are_refused(rehab, db_path):
    add(rehab, "Ann Lee")
    add(rehab, "Ann Lee", SURGERY, "fhl-release")  # a second Ann Lee: ann-lee-2
    same = rehab("today", "--patient", "ann lee")
    assert same.exit_code == 2 and "several patients are called" in same.stderr and "ann-lee-2" in same.stderr
    for pid in ("ann-lee", "ann-lee-2"):
        assert rehab("patient", "remove", pid, "--yes").exit_code == 0
    empty = rehab("today")
    assert empty.exit_code == 2 and "no patients yet" in empty.stderr and db_path.exists()
    # The list says it in the same words as the error, with how to add one.
    listed = rehab("patient", "list")
    assert listed.exit_code == 0
    assert " ".join(listed.stdout.split()).lower() == empty.stderr.removeprefix("rehab: ").strip().lower()


def test_remove_needs_yes_off_a_terminal_and_takes_entries_with_it(rehab, db_path):
    add(rehab, "Ann Lee")
    add(rehab, "Bob Roy")
    assert log(rehab, TODAY).exit_code == 0
    before = snapshot(db_path)
    refused = rehab("patient", "remove", "ann-lee")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert snapshot(db_path) == before
    assert rehab("patient", "remove", "ann-lee", "--yes").exit_code == 0
    assert snapshot(db_path)["entry"] == []
    # One patient remains: it becomes the default.
    assert json.loads(rehab("today", "--json").stdout)["patient"]["id"] == "bob-roy"


def test_removing_the_default_with_several_left_names_them(rehab):
    for name in ("Ann Lee", "Bob Roy", "Cy Dee"):
        add(rehab, name)
    assert rehab("patient", "remove", "ann-lee", "--yes").exit_code == 0
    result = rehab("today")
    assert result.exit_code == 2
    assert "bob-roy" in result.stderr and "cy-dee" in result.stderr


def test_no_patients_yet_is_a_clear_error(rehab, db_path, tmp_path):
    result = rehab("today")
    assert result.exit_code == 2
    assert "patient add" in result.stderr
    assert not db_path.exists()  # a refused command leaves no empty database behind
    typo = rehab("--db", tmp_path / "typo" / "rehab.bd", "history")
    assert typo.exit_code == 2 and "no database at" in typo.stderr
    assert not (tmp_path / "typo").exists()


# --- log --------------------------------------------------------------------------------------


def test_log_then_today_and_history(rehab):
    add(rehab)
    result = log(rehab, TODAY, "--boot", "--activity", "walking", "--note", "fine")
    assert result.exit_code == 0, result.stderr
    assert "day 20" in result.stdout
    doc = json.loads(rehab("today", "--json").stdout)
    assert doc["logged"] is True and doc["day"] == 20 and doc["week"] == 2
    assert doc["entry"]["pain"] == 3 and doc["entry"]["boot"] is True
    assert doc["phase"]["id"] == "mobilise"
    history = json.loads(rehab("history", "--json").stdout)
    assert history == [{"date": TODAY.isoformat(), "day": 20, "pain": 3, "weight_bearing": "partial",
                        "boot": True, "activity": "walking", "symptoms": [], "milestones": [], "note": "fine",
                        "temperature": None, "swelling": None, "exercises": None, "revisions": []}]


def test_weight_bearing_abbreviations_and_any_case(rehab):
    add(rehab)
    for offset, word in enumerate(["NWB", "ttwb", "Partial", "WBAT", "fwb"]):
        assert log(rehab, SURGERY + timedelta(days=offset), wb=word).exit_code == 0
    levels = [e["weight_bearing"] for e in json.loads(rehab("history", "--json").stdout)]
    assert levels == ["none", "toe-touch", "partial", "as-tolerated", "full"]


def test_replace_keeps_the_old_values(rehab, db_path):
    add(rehab)
    assert log(rehab, TODAY, pain="5").exit_code == 0
    result = log(rehab, TODAY, "--replace", pain="2")
    assert result.exit_code == 0 and "Replaced" in result.stdout
    assert [e["pain"] for e in json.loads(rehab("history", "--json").stdout)] == [2]
    rows = snapshot(db_path)["entry_revision"]
    assert len(rows) == 1 and 5 in rows[0]


def test_log_shows_the_flags_the_entry_raised(rehab):
    add(rehab)
    result = log(rehab, TODAY, "--symptom", "calf-swelling")
    assert result.exit_code == 0
    assert "surgical team" in result.stdout


def test_surgery_day_can_be_logged_but_not_the_day_before(rehab, db_path):
    add(rehab)
    assert log(rehab, SURGERY).exit_code == 0
    before = snapshot(db_path)
    result = log(rehab, SURGERY - timedelta(days=1))
    assert result.exit_code == 2 and "before" in result.stderr
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["--pain", "11", "--weight-bearing", "partial"], "0 to 10"),
        (["--pain", "-1", "--weight-bearing", "partial"], "0 to 10"),
        (["--pain", "3.5", "--weight-bearing", "partial"], "whole number"),
        (["--pain", "x", "--weight-bearing", "partial"], "whole number"),
        (["--pain", "3", "--weight-bearing", "hopping"], "weight-bearing"),
        (["--pain", "3", "--weight-bearing", "partial", "--activity", "skydiving"], "activity"),
        (["--pain", "3", "--weight-bearing", "partial", "--symptom", "hiccups"], "symptom"),
        (["--pain", "3", "--weight-bearing", "partial", "--milestone", "moon-landing"], "milestone"),
        (["--pain", "3", "--weight-bearing", "partial", "--date", (TODAY + timedelta(days=1)).isoformat()], "future"),
        (["--pain", "3", "--weight-bearing", "partial", "--date", "03/04/2026"], "YYYY-MM-DD"),
        (["--pain", "3", "--weight-bearing", "partial", "--patient", "nobody"], "no patient"),
        (["--weight-bearing", "partial"], "--pain"),
        (["--pain", "3"], "--weight-bearing"),
        (["--pain", "3", "--weight-bearing", "partial", "--bogus"], "--bogus"),
    ],
)
def test_log_refusals_change_nothing(rehab, db_path, args, message):
    add(rehab)
    assert log(rehab, TODAY - timedelta(days=1)).exit_code == 0
    before = snapshot(db_path)
    result = rehab("log", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(db_path) == before


def test_second_entry_for_a_date_is_refused_without_replace(rehab, db_path):
    add(rehab)
    assert log(rehab, TODAY).exit_code == 0
    before = snapshot(db_path)
    result = log(rehab, TODAY, pain="7")
    assert result.exit_code == 2 and "--replace" in result.stderr
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["patient", "add", "X", "--surgery-date", "2026-02-30", "--procedure", "fhl"], "not a real date"),
        (["patient", "add", "X", "--surgery-date", "2026-01-01", "--procedure", "knee"], "unknown procedure"),
        (["patient", "add", "X", "--surgery-date", "2026-01-01", "--procedure", "fhl", "--side", "middle"], "left or right"),
        (["patient", "add", "X", "--surgery-date", "2026-01-01", "--procedure", "fhl", "--id", "Bad Id!"], "id"),
        (["patient", "add", "   ", "--surgery-date", "2026-01-01", "--procedure", "fhl"], "name"),
        (["patient", "add", "Ann Lee", "--surgery-date", "2026-01-01", "--procedure", "fhl", "--id", "ann-lee"], "already exists"),
        (["patient", "use", "nobody"], "no patient"),
        (["patient", "show", "nobody"], "no patient"),
        (["patient", "edit", "ann-lee"], "nothing to change"),
        (["patient", "edit", "ann-lee", "--surgery-date", TODAY.isoformat()], "before the new surgery date"),
        (["patient", "remove", "nobody", "--yes"], "no patient"),
        (["history", "--from", "2026-05-02", "--to", "2026-05-01"], "--from"),
        (["today", "--date", "31/12/2026"], "YYYY-MM-DD"),
    ],
)
def test_patient_and_reading_refusals(rehab, db_path, args, message):
    add(rehab)
    assert log(rehab, SURGERY + timedelta(days=1)).exit_code == 0
    before = snapshot(db_path)
    result = rehab(*args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(db_path) == before


# --- today ------------------------------------------------------------------------------------


def test_today_before_surgery_counts_down(rehab):
    add(rehab, "Ann Lee", TODAY + timedelta(days=10))
    doc = json.loads(rehab("today", "--json").stdout)
    assert (doc["day"], doc["week"], doc["phase"]) == (-10, None, None)
    assert doc["next_milestone"] is not None and doc["next_milestone"]["in_days"] > 10
    text = rehab("today").stdout
    assert "Surgery is in 10 days" in text and "To prepare" in text
    items = text.split("To prepare:\n", 1)[1].splitlines()
    assert len(items) > 5 and items[0].startswith(" • ")
    # Wrapped lines sit under the text of their item, within 80 columns.
    assert all(line.startswith((" • ", "   ")) and len(line) <= 80 for line in items)


def test_today_on_surgery_day(rehab):
    add(rehab, "Ann Lee", TODAY)
    doc = json.loads(rehab("today", "--json").stdout)
    assert (doc["day"], doc["week"], doc["phase"]["id"], doc["logged"]) == (0, 0, "protect", False)


def test_today_json_shape_and_urgent_flags_first(rehab):
    add(rehab)
    assert log(rehab, TODAY - timedelta(days=1), pain="2").exit_code == 0
    assert log(rehab, TODAY, "--symptom", "chest-pain", pain="7").exit_code == 0
    doc = json.loads(rehab("today", "--json").stdout)
    for key in ("patient", "date", "day", "week", "phase", "next_milestone", "logged", "entry", "flags"):
        assert key in doc
    assert doc["flags"][0]["severity"] == "urgent"
    assert "emergency" in doc["flags"][0]["message"].lower()
    assert set(doc["next_milestone"]) >= {"id", "title", "date", "in_days"}


def test_today_text_fits_80_columns_and_nudges_to_log(rehab):
    add(rehab)
    result = rehab("today")
    assert result.exit_code == 0
    assert "Not logged yet today" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_urgent_flag_is_unmistakable_in_today(rehab):
    add(rehab)
    assert log(rehab, TODAY, "--symptom", "fever").exit_code == 0
    text = rehab("today").stdout
    assert "GET HELP NOW" in text and "surgical team" in text


def test_history_range_and_chart(rehab):
    add(rehab)
    for offset in range(5):
        assert log(rehab, SURGERY + timedelta(days=offset), pain=str(6 - offset)).exit_code == 0
    start, end = SURGERY + timedelta(days=1), SURGERY + timedelta(days=3)
    ranged = json.loads(rehab("history", "--from", start.isoformat(), "--to", end.isoformat(), "--json").stdout)
    assert [e["day"] for e in ranged] == [1, 2, 3]
    text = rehab("history").stdout
    assert "pain by entry" in text and SURGERY.isoformat() in text


def test_history_table_keeps_dates_and_the_patients_words_whole_in_80_columns(rehab):
    add(rehab)
    note = "ice after the :smile: walk [paracetamol] " * 3
    assert log(rehab, TODAY, "--symptom", "calf-swelling", "--symptom", "numbness", "--activity", "walking",
               "--note", note).exit_code == 0
    lines = rehab("history").stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if "Note" in line)
    bounds = [i for i, char in enumerate(header) if char == "┃"]
    body = [line for line in lines if line.startswith("│")]

    def column(title: str) -> str:
        """A column's cells, read down the table and joined: what a folded cell holds."""
        k = next(k for k in range(len(bounds) - 1) if title in header[bounds[k]:bounds[k + 1]])
        return "".join(line[bounds[k] + 1:bounds[k + 1]].strip() for line in body)

    assert column("Date") == TODAY.isoformat()  # whole, never "2026-11…"
    assert column("Symptoms") == "calf-swelling,numbness"
    # Folded over many lines, never cut short; as typed: no emoji, no markup.
    assert column("Note").replace(" ", "") == note.replace(" ", "")


def test_history_leaves_out_columns_no_entry_fills_so_notes_get_the_room(rehab):
    add(rehab)
    note = "Walked to the shop without the boot. Sore tonight."
    assert log(rehab, TODAY, "--note", note).exit_code == 0
    lines = rehab("history").stdout.splitlines()
    header = next(line for line in lines if "Note" in line)
    assert "Symptoms" not in header
    assert header.count("┃") == 8  # 7 columns, no empty marks column
    body = [line for line in lines if line.startswith("│")]
    assert len(body) <= 3  # the note folds over a few lines, not over ten


@pytest.mark.parametrize("columns", [30, 48, 70])
def test_history_in_a_narrow_terminal_shows_each_entry_as_a_block_with_every_word(rehab, monkeypatch, columns):
    add(rehab)
    note = "ice after the walk [paracetamol] then rest"
    assert log(rehab, TODAY - timedelta(days=1), "--symptom", "calf-swelling", "--note", note,
               pain="8", wb="full").exit_code == 0
    assert log(rehab, TODAY, "--activity", "walking").exit_code == 0
    monkeypatch.setenv("COLUMNS", str(columns))
    text = rehab("history").stdout
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "┃" not in text  # no table squeezed to nothing
    words = text.split()
    for expected in (TODAY.isoformat(), (TODAY - timedelta(days=1)).isoformat(), "calf-swelling", "walking",
                     "!!", *note.split()):
        assert expected in words, expected
    blocks = lines[:next(i for i, line in enumerate(lines) if "│" in line)]  # above the chart
    assert not any(line.endswith(" ") for line in blocks)


def test_demo_uses_a_separate_database(rehab, db_path):
    result = rehab("demo")
    assert result.exit_code == 0, result.stderr
    assert "Sam Demo" in result.stdout
    demo_db = db_path.with_name("rehab-demo.db")
    rows = snapshot(demo_db)
    assert len(rows["entry"]) == 21
    assert not db_path.exists()  # the patient's own database is not created, let alone touched
    assert stat.S_IMODE(demo_db.stat().st_mode) == 0o600
    # Running it again starts afresh rather than failing on the existing patient.
    assert rehab("demo").exit_code == 0
    again = snapshot(demo_db)
    assert len(again["patient"]) == 1 and len(again["entry"]) == 21 and not again["entry_revision"]


def test_history_table_shows_four_weeks_unless_asked_for_more(rehab):
    add(rehab, "Ann Lee", TODAY - timedelta(days=40))
    for offset in range(41):
        assert log(rehab, TODAY - timedelta(days=offset)).exit_code == 0
    recent = rehab("history").stdout
    assert "13 earlier entries are not shown" in " ".join(recent.split())
    assert (TODAY - timedelta(days=27)).isoformat() in recent
    assert (TODAY - timedelta(days=28)).isoformat() not in recent
    everything = rehab("history", "--all").stdout
    assert (TODAY - timedelta(days=40)).isoformat() in everything and "not shown" not in everything
    assert len(json.loads(rehab("history", "--json").stdout)) == 41


def test_brackets_in_notes_and_names_are_shown_as_typed(rehab):
    add(rehab, "Jo [/b] Smith")
    assert log(rehab, TODAY, "--note", "Took 2 [paracetamol] at night [/]").exit_code == 0
    history = rehab("history")
    assert history.exit_code == 0, history.stderr
    assert "[paracetamo" in history.stdout and "[/]" in history.stdout
    listed = rehab("patient", "list")
    assert listed.exit_code == 0 and "Jo [/b] Smith" in listed.stdout
    assert rehab("patient", "show").exit_code == 0
    assert "Jo [/b] Smith" in rehab("today").stdout


def test_replace_changes_what_is_given_and_keeps_the_rest(rehab):
    add(rehab)
    assert log(rehab, TODAY, "--boot", "--activity", "walking", "--note", "sore", pain="4").exit_code == 0
    result = rehab("log", "--date", TODAY.isoformat(), "--milestone", "wound-review", "--replace")
    assert result.exit_code == 0, result.stderr
    [entry] = json.loads(rehab("history", "--json").stdout)
    assert (entry["pain"], entry["weight_bearing"], entry["boot"], entry["activity"], entry["note"]) == (
        4, "partial", True, "walking", "sore")
    assert entry["milestones"] == ["wound-review"]
    # Without an entry to change, pain and weight-bearing are still required.
    missing = rehab("log", "--date", (TODAY - timedelta(days=1)).isoformat(), "--milestone", "wound-review", "--replace")
    assert missing.exit_code == 2 and "--pain" in missing.stderr


def test_a_symptom_or_milestone_given_with_replace_is_added_never_hides_a_red_flag(rehab):
    add(rehab)
    assert log(rehab, TODAY, "--symptom", "calf-swelling", "--milestone", "wound-review").exit_code == 0
    result = rehab("log", "--date", TODAY.isoformat(), "--symptom", "numbness", "--symptom", "calf-swelling",
                   "--milestone", "physio-start", "--replace")
    assert result.exit_code == 0, result.stderr
    [entry] = json.loads(rehab("history", "--json").stdout)
    assert entry["symptoms"] == ["calf-swelling", "numbness"]
    assert entry["milestones"] == ["wound-review", "physio-start"]
    [red] = [f for f in json.loads(rehab("flags", "--json").stdout) if f["rule"] == "red-flag"]
    assert "calf swelling" in red["message"] and "numbness" in red["message"]
    # A symptom logged by mistake is corrected by saying so: --clear-symptoms, then what was right.
    fixed = rehab("log", "--date", TODAY.isoformat(), "--clear-symptoms", "--symptom", "numbness",
                  "--clear-milestones", "--replace")
    assert fixed.exit_code == 0, fixed.stderr
    [entry] = json.loads(rehab("history", "--json").stdout)
    assert (entry["symptoms"], entry["milestones"]) == (["numbness"], [])
    refused = rehab("log", "--date", TODAY.isoformat(), "--clear-symptoms", "--pain", "2", "--wb", "full")
    assert refused.exit_code == 2 and "--replace" in refused.stderr


def test_today_does_not_announce_a_milestone_already_recorded(rehab):
    add(rehab, "Ann Lee", TODAY - timedelta(days=13))  # os trigonum: the wound check is tomorrow, day 14
    assert "Wound check" in rehab("today").stdout and "(tomorrow)" in rehab("today").stdout
    assert json.loads(rehab("today", "--json").stdout)["next_milestone"]["id"] == "wound-review"
    assert log(rehab, TODAY, "--milestone", "wound-review").exit_code == 0  # seen a day early
    following = json.loads(rehab("today", "--json").stdout)["next_milestone"]
    assert following["id"] != "wound-review"


def test_an_open_milestone_window_is_zero_days_away(rehab):
    add(rehab, "Ann Lee", TODAY - timedelta(days=75), "fhl-release")
    following = json.loads(rehab("today", "--json").stdout)["next_milestone"]
    assert following["id"] == "return-to-sport"
    assert (following["in_days"], following["open"]) == (0, True)
    assert "open until" in rehab("today").stdout


@pytest.mark.parametrize("columns", [40, 80, 160])
def test_history_shows_the_milestones_logged_at_any_width(rehab, monkeypatch, columns):
    add(rehab)
    assert log(rehab, TODAY - timedelta(days=1), "--milestone", "wound-review").exit_code == 0
    assert log(rehab, TODAY).exit_code == 0
    monkeypatch.setenv("COLUMNS", str(columns))
    text = rehab("history").stdout
    assert max(len(line) for line in text.splitlines()) <= columns
    assert "wound-review" in text.replace("\n", "").replace("│", "").replace(" ", "")


def test_today_words_the_week_the_activities_and_the_entry_as_log_confirms_it(rehab, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    add(rehab, "Ann Lee", TODAY - timedelta(days=13), "fhl-release")
    logged = log(rehab, TODAY, "--no-boot", "--activity", "rest", "--milestone", "wound-review", pain="7", wb="none")
    assert logged.exit_code == 0, logged.stderr
    confirmation = logged.stdout.splitlines()[0]
    assert confirmation.endswith("pain 7/10, non-weight-bearing, boot off, rest; milestone: wound-review")
    shown = rehab("today").stdout
    assert "day 13 · week 2 of recovery" in shown  # the second week, not "week 1"
    assert "allowed: rest, walking" in shown
    assert "Logged today: pain 7/10, non-weight-bearing, boot off, rest; milestone: wound-review" in shown


def test_today_before_surgery_says_tomorrow(rehab):
    add(rehab, "Ann Lee", TODAY + timedelta(days=1), "fhl-release")
    assert "Surgery is tomorrow" in rehab("today").stdout
    assert "Surgery is in 3 days" in rehab("today", "--date", (TODAY - timedelta(days=2)).isoformat()).stdout


def test_demo_hint_quotes_the_path_one_command_a_line(rehab, monkeypatch, tmp_path):
    import shlex

    home = tmp_path / "My Documents"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("REHAB_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "60")
    result = rehab("demo")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    hints = lines[lines.index("Explore:") + 1:]
    assert [h.split()[-1] for h in hints] == ["history", "flags", "outcomes"]
    for hint in hints:
        words = shlex.split(hint)  # as a shell reads the pasted line
        assert words[:2] == ["rehab", "--db"] and " " in words[2] and words[2].endswith("rehab-demo.db")


def test_a_second_patient_with_the_same_name_is_told_their_id(rehab):
    first = add(rehab, "Jean Martin")
    assert "already has the id" not in first.stdout
    second = add(rehab, "Jean Martin", SURGERY, "fhl-release")
    assert "Another patient already has the id 'jean-martin': this one is 'jean-martin-2'" in second.stdout


def test_a_surgery_date_decades_ago_is_accepted_with_a_note(rehab):
    old = add(rehab, "Ann Lee", date(TODAY.year - 40, 3, 2), "fhl-release")
    assert "years ago" in old.stderr and "patient edit ann-lee --surgery-date" in old.stderr
    recent = add(rehab, "Bob Roy", SURGERY, "fhl-release")
    assert recent.stderr == ""


def test_a_patient_whose_protocol_came_from_a_folder_is_told_to_give_the_folder(rehab, tmp_path, db_path):
    """A clinic's own protocol is found only with its folder: without it, the daily commands
    say which patient's protocol is missing and how to give it, and change nothing."""
    import json as json_module

    folder = tmp_path / "clinic-protocols"
    folder.mkdir()
    shown = rehab("protocols", "show", "fhl-release", "--json")
    own = dict(json_module.loads(shown.stdout), id="clinic-fhl")
    (folder / "clinic-fhl.json").write_text(json_module.dumps(own), encoding="utf-8")
    added = rehab("--protocols-dir", folder, "patient", "add", "Ann Lee", "--surgery-date", SURGERY,
                  "--procedure", "clinic-fhl")
    assert added.exit_code == 0, added.stderr
    before = db_path.read_bytes()
    for args in (["today"], ["timeline", "--patient", "ann-lee"], ["log", "--pain", "3", "--wb", "partial"]):
        refused = rehab(*args)
        assert refused.exit_code == 2, args
        assert refused.stderr.count("\n") == 1 and "ann-lee's protocol 'clinic-fhl'" in refused.stderr
        assert "--protocols-dir" in refused.stderr and "Traceback" not in refused.stderr
    assert db_path.read_bytes() == before
    assert rehab("--protocols-dir", folder, "today").exit_code == 0


@pytest.mark.parametrize("again", [[], ["--pain", "2"], ["--symptom", "fever"], ["--wb", "PWB", "--boot"]])
def test_a_correction_that_changes_nothing_is_refused_and_records_nothing(rehab, db_path, again):
    """It was kept as a revision, and a FHIR export then marked the day's observations amended."""
    surgery = date.today() - timedelta(days=10)
    assert rehab("patient", "add", "Ann", "--surgery-date", surgery.isoformat(), "--procedure", "fhl").exit_code == 0
    day = (surgery + timedelta(days=5)).isoformat()
    assert rehab("log", "--date", day, "--pain", "2", "--wb", "PWB", "--boot", "--symptom", "fever").exit_code == 0
    before = snapshot(db_path)
    result = rehab("log", "--date", day, "--replace", *again)
    assert result.exit_code == 2 and result.stderr.startswith("rehab: nothing to change") and len(result.stderr.splitlines()) == 1
    assert snapshot(db_path) == before
    assert rehab("log", "--date", day, "--replace", "--pain", "3").exit_code == 0  # a real change still is one


def test_history_as_of_a_date_shows_the_log_as_it_stood_then(rehab):
    """Every command that depends on today takes --date (contract); history did not, and its
    'last four weeks' were counted back from the latest entry while saying otherwise."""
    surgery = TODAY - timedelta(days=120)
    add(rehab, "Ann Lee", surgery)
    for offset in (*range(0, 40), 100):
        assert log(rehab, surgery + timedelta(days=offset)).exit_code == 0
    day = lambda n: (surgery + timedelta(days=n)).isoformat()  # noqa: E731
    then = rehab("history", "--date", day(39), "--json")
    assert then.exit_code == 0 and [e["date"] for e in json.loads(then.stdout)][-1] == day(39)
    table = rehab("history", "--date", day(39)).stdout
    assert day(39) in table and day(100) not in table and day(11) not in table
    assert "12 earlier entries are not shown" in " ".join(table.split())
    assert "four weeks up to the latest entry" in " ".join(table.split())
    assert json.loads(rehab("history", "--date", day(39), "--to", day(50), "--json").stdout)[-1]["date"] == day(39)
    refused = rehab("history", "--date", day(10), "--from", day(20))
    assert refused.exit_code == 2 and "--from is after --date" in refused.stderr
