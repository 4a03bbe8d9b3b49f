"""Text that would print as nothing, or turn a terminal line around, is refused where it is
typed; a database or protocols folder that is not what it should be is named as such; and a
name in a calendar's title is escaped as iCalendar text."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest

from conftest import iso, ok, one_line, snapshot
from rehab import text
from rehab.errors import RehabError

SURGERY = date.today() - timedelta(days=10)
ADD = ["--surgery-date", iso(SURGERY), "--procedure", "debridement"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060", "\u3164", "\u2800", "\u00ad", "\u0301",
             " \u200b \u200b "]


@pytest.mark.parametrize("char", BIDI)
def test_a_bidirectional_control_is_refused_in_a_line_and_a_note_by_its_code(char):
    for check in (text.line, text.note):
        with pytest.raises(RehabError, match=f"U\\+{ord(char):04X}"):
            check(f"Ann {char}eeL", "a name")


@pytest.mark.parametrize("value", INVISIBLE)
def test_a_line_with_characters_but_none_visible_is_refused(value):
    with pytest.raises(RehabError, match="no visible character"):
        text.line(value, "--by")


@pytest.mark.parametrize("value", ["سارا احمدی", "דנה לוי", "Zoë Łukasiewicz", "王小明", "Jo\u200dnes", "O'Brien", "1", "😀"])
def test_names_in_any_script_with_something_visible_are_kept(value):
    assert text.line(value, "a name") == value


def test_a_line_of_spaces_is_still_no_value():
    """Unchanged: an empty or blank option is "not given" (how `patient edit --surgeon ''` clears it)."""
    assert text.line("  \t ", "--surgeon") is None


@pytest.mark.parametrize("args, message", [
    (["patient", "add", "\u200b", *ADD], "no visible character"),
    (["patient", "add", "\u200b\u200b  \u200b", *ADD], "no visible character"),
    (["patient", "add", "Ann \u202eeeL", *ADD], "U+202E"),
    (["patient", "add", "Ann \u202deeL", *ADD], "U+202D"),
    (["patient", "add", "Ann Lee", *ADD, "--surgeon", "\u200b"], "no visible character"),
    (["patient", "edit", "bo-day", "--name", "\u2060"], "no visible character"),
    (["patient", "edit", "bo-day", "--surgeon", "Mr \u202eX"], "U+202E"),
    (["log", "--pain", "3", "--wb", "partial", "--note", "fine \u202egnihton"], "U+202E"),
    (["plan", "adjust", "--from", "day 3", "--no-boot", "--by", "\u200b"], "no visible character"),
    (["plan", "adjust", "--from", "day 3", "--no-boot", "--note", "\u202e"], "U+202E"),
    (["flags", "ack", "pain-spike", "--date", iso(SURGERY + timedelta(days=1)), "--note", "seen", "--by", "\u200b"], "no visible character"),
    (["timeline", "--surgery-date", iso(SURGERY), "--procedure", "debridement", "--name", "\u200b"], "no visible character"),
    (["timeline", "--surgery-date", iso(SURGERY), "--procedure", "debridement", "--clinic", "\u202eX",
      "--format", "markdown"], "U+202E"),
])
def test_invisible_and_bidi_text_is_refused_by_every_command(rehab, db_path, args, message):
    ok(rehab("patient", "add", "Bo Day", *ADD))
    before = snapshot(db_path)
    result = rehab(*args)
    assert message in one_line(result, 2)
    assert snapshot(db_path) == before


def test_a_right_to_left_name_is_added_listed_and_shown_as_typed(rehab):
    ok(rehab("patient", "add", "سارا احمدی", *ADD, "--id", "sara"))
    ok(rehab("patient", "add", "דנה לוי", *ADD, "--id", "dana"))
    listed = ok(rehab("patient", "list")).stdout
    assert "سارا احمدی" in listed and "דנה לוי" in listed
    assert "דנה לוי" in ok(rehab("patient", "show", "dana")).stdout


# --- the database and the protocols folder ----------------------------------------------------


@pytest.mark.parametrize("command", [["patient", "list"], ["today"], ["patient", "add", "Ann Lee", *ADD]])
def test_a_database_that_is_a_fifo_is_refused_as_not_a_regular_file(rehab, tmp_path, command):
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    result = rehab("--db", fifo, *command)
    assert f"the database {fifo} is not a regular file (a pipe, device or socket)" in one_line(result, 2)


def test_a_database_that_is_a_device_is_refused_as_not_a_regular_file(rehab, monkeypatch):
    monkeypatch.setenv("REHAB_DB", "/dev/zero")
    assert "/dev/zero is not a regular file" in one_line(rehab("patient", "list"), 2)


@pytest.mark.parametrize("where", ["file", "device"])
def test_a_protocols_folder_that_is_a_file_says_it_is_not_a_folder(rehab, tmp_path, where):
    path = tmp_path / "protocol.yaml" if where == "file" else "/dev/zero"
    if where == "file":
        path.write_text("id: x\n")
    message = one_line(rehab("--protocols-dir", path, "protocols", "list"), 2)
    assert f"{path}: is not a folder" in message and "does not exist" not in message


def test_a_missing_protocols_folder_still_says_it_does_not_exist(rehab, tmp_path):
    assert "does not exist" in one_line(rehab("--protocols-dir", tmp_path / "nowhere", "protocols", "list"), 2)


# --- a calendar's title --------------------------------------------------------------------------


def _unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_a_name_in_the_calendar_title_is_escaped_as_icalendar_text(rehab, tmp_path):
    ok(rehab("patient", "add", "Doe, Jane; \\x", *ADD, "--id", "jane"))
    out = tmp_path / "plan.ics"
    ok(rehab("timeline", "--patient", "jane", "--format", "ics", "--output", out))
    title = next(line for line in _unfolded(out.read_bytes().decode("utf-8")) if line.startswith("X-WR-CALNAME"))
    assert title == "X-WR-CALNAME:Recovery plan: Arthroscopic debridement (Doe\\, Jane\\; \\\\x)"
    # Read back by RFC 5545's rule (a backslash takes the next character as it is): the name whole.
    assert re.sub(r"\\(.)", r"\1", title.split(":", 1)[1]) == "Recovery plan: Arthroscopic debridement (Doe, Jane; \\x)"


# --- the clinic's own files ------------------------------------------------------------------------


def test_a_clinic_name_with_nothing_visible_is_refused(rehab, clinic, isolated):
    (isolated / "home" / "config" / "rehab" / "clinic.yaml").write_text('name: "\\u200b"\nphone: "020"\n', encoding="utf-8")
    result = rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "debridement", "--format", "markdown")
    assert "name has no visible character" in one_line(result, 2)


@pytest.mark.parametrize("title, message", [
    ("Wound \u202ereview", "U+202E"), ("Wound review\x1b[2J", "escape character"), ("Wound\x00review", "NUL"),
])
def test_a_protocol_file_with_a_control_character_in_its_words_is_refused(rehab, tmp_path, title, message):
    import json

    data = json.loads(ok(rehab("protocols", "show", "debridement", "--json")).stdout)
    data.update(id="clinic-debridement", aliases=[])
    data["milestones"][0]["title"] = title
    path = tmp_path / "clinic-debridement.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    refused = one_line(rehab("protocols", "validate", path), 2)
    assert "milestones[0].title" in refused and message in refused
    data["milestones"][0]["title"] = "سارا: مراجعة الجرح"  # right-to-left words are words
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "valid protocol" in ok(rehab("protocols", "validate", path)).stdout
