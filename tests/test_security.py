"""Security (reliability issue, part 6): private files and folders, protocol files that can
hold data but never run code, tracebacks without local variables, and error messages that
say nothing about a patient the user did not name.

(HTML escaping and CSV formula neutralisation are tested with the documents.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import iso, mode, ok
from rehab.protocols.loader import BUILTIN_DIR, MAX_BYTES

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)
NAME, SURNAME, SURGEON = "Zelda", "Quist", "Dr Morrow"
NOTE = "Secret-note-about-the-neighbour"


@pytest.fixture
def open_umask():
    """The most permissive umask, so a private file is private because the tool made it so."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def patient(rehab):
    ok(rehab("patient", "add", f"{NAME} {SURNAME}", "--surgery-date", iso(SURGERY), "--procedure", "os trigonum excision",
             "--surgeon", SURGEON))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "4", "--wb", "partial", "--note", NOTE))
    return "zelda-quist"


# --- private files ------------------------------------------------------------------------------


def test_database_and_its_side_files_are_private(rehab, open_umask, patient, db_path):
    files = sorted(db_path.parent.glob("rehab.db*"))
    assert db_path in files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_the_data_folder_made_for_the_default_database_is_private(rehab, open_umask, isolated, monkeypatch):
    monkeypatch.delenv("REHAB_DB")
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    folder = isolated / "home" / "data" / "rehab"  # XDG_DATA_HOME/rehab
    assert (folder / "rehab.db").is_file()
    assert mode(folder) == 0o700
    assert mode(folder / "rehab.db") == 0o600


OUTPUTS = [
    pytest.param(["export", "--output", "@out"], id="export"),
    pytest.param(["report", "--patient", "zelda-quist", "--format", "json", "--output", "@out"], id="report-json"),
    pytest.param(["report", "--patient", "zelda-quist", "--format", "csv", "--output", "@out"], id="report-csv"),
    pytest.param(["report", "--patient", "zelda-quist", "--format", "markdown", "--output", "@out"], id="report-markdown"),
    pytest.param(["timeline", "--patient", "zelda-quist", "--json", "--output", "@out"], id="timeline-json"),
    pytest.param(["timeline", "--patient", "zelda-quist", "--format", "markdown", "--output", "@out"], id="timeline-markdown"),
    pytest.param(["timeline", "--patient", "zelda-quist", "--format", "ics", "--output", "@out"], id="timeline-ics"),
    pytest.param(["timeline", "--patient", "zelda-quist", "--format", "html", "--output", "@out"], id="timeline-html"),
]


@pytest.mark.parametrize("args", OUTPUTS)
def test_output_files_are_private(rehab, open_umask, patient, tmp_path, args):
    out = tmp_path / "written.out"
    result = rehab(*[str(out) if a == "@out" else a for a in args])
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 0
    assert mode(out) == 0o600
    # Replacing an existing file with --force gives a private file too, whatever it was before.
    out.chmod(0o644)
    ok(rehab(*[str(out) if a == "@out" else a for a in args], "--force"))
    assert mode(out) == 0o600


# --- protocol files: data only, and not too big -------------------------------------------------

EVIL = [
    pytest.param("!!python/object/apply:os.system ['touch {marker}']\n", id="object-apply"),
    pytest.param("id: x\nname: !!python/object/apply:os.system ['touch {marker}']\n", id="nested-apply"),
    pytest.param("!!python/object/new:subprocess.Popen [['touch', '{marker}']]\n", id="object-new"),
    pytest.param("id: !!python/name:os.system\n", id="python-name"),
]


@pytest.mark.parametrize("text", EVIL)
def test_a_protocol_file_cannot_run_code(rehab, tmp_path, text):
    marker = tmp_path / "PWNED"
    folder = tmp_path / "protocols"
    folder.mkdir()
    evil = folder / "clinic.yaml"
    evil.write_text(text.format(marker=marker))
    for args in (["--protocols-dir", folder, "protocols", "list"],
                 ["--protocols-dir", folder, "timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--json"],
                 ["protocols", "validate", evil]):
        result = rehab(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert str(evil) in result.stderr
        assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr
        assert not marker.exists()


def _sized_protocol(path: Path, size: int) -> None:
    """A valid protocol (the built-in FHL one under another id), padded with a YAML comment
    to exactly `size` bytes."""
    text = (BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8")
    text = text.replace("id: fhl-release", "id: big-clinic", 1)
    assert "id: big-clinic" in text
    body = text.encode("utf-8") + b"\n# "
    path.write_bytes(body + b"x" * (size - len(body) - 1) + b"\n")
    assert path.stat().st_size == size


def test_a_protocol_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(rehab, tmp_path):
    folder = tmp_path / "protocols"
    folder.mkdir()
    path = folder / "big-clinic.yaml"
    _sized_protocol(path, MAX_BYTES)
    ok(rehab("protocols", "validate", path))
    assert "big-clinic" in ok(rehab("--protocols-dir", folder, "protocols", "list")).stdout

    _sized_protocol(path, MAX_BYTES + 1)
    for args in (["protocols", "validate", path], ["--protocols-dir", folder, "protocols", "list"]):
        result = rehab(*args)
        assert result.exit_code == 2
        assert str(path) in result.stderr and str(MAX_BYTES) in result.stderr
        assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1


# --- what errors and tracebacks show ------------------------------------------------------------


def _damage_a_row(db_path: Path) -> None:
    """An entry whose symptoms are not JSON: reading it is a fault the code does not expect."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE entry SET symptoms = 'not json'")
    conn.close()


def test_an_unexpected_error_is_one_line_without_debug(rehab, patient, db_path):
    _damage_a_row(db_path)
    result = rehab("history", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith("rehab: unexpected error") and result.stderr.count("\n") == 1
    assert "--debug" in result.stderr
    for secret in (NAME, SURNAME, SURGEON, NOTE):
        assert secret not in result.stderr + result.stdout


def test_a_debug_traceback_shows_no_local_variables(rehab, patient, db_path):
    """With --debug a real process prints the traceback: code and the exception, never the
    values in its frames (the patient's name, the note being read)."""
    _damage_a_row(db_path)
    env = {k: v for k, v in os.environ.items() if k not in ("REHAB_DEBUG", "REHAB_PROTOCOLS_DIR")}
    run = subprocess.run([sys.executable, "-m", "rehab", "--debug", "history", "--json"], env=env,
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 1
    assert "Traceback (most recent call last)" in run.stderr  # it really is the debug output
    assert "JSONDecodeError" in run.stderr
    for secret in (NAME, SURNAME, SURGEON, NOTE):
        assert secret not in run.stderr, secret


REFUSALS_WITHOUT_A_NAME = [
    pytest.param(["log", "--date", iso(SURGERY - timedelta(days=1)), "--pain", "3", "--wb", "partial"], id="log-before-surgery"),
    pytest.param(["log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "3", "--wb", "partial"], id="log-existing-date"),
    pytest.param(["log", "--date", iso(TODAY + timedelta(days=1)), "--pain", "3", "--wb", "partial"], id="log-future"),
    pytest.param(["log", "--pain", "3", "--wb", "partial", "--milestone", "moon"], id="log-unknown-milestone"),
    pytest.param(["flags", "ack", "pain-spike", "--date", iso(SURGERY), "--note", "seen"], id="ack-no-flag"),
    pytest.param(["patient", "remove", "zelda-quist"], id="remove-without-yes"),
    pytest.param(["patient", "edit", "zelda-quist", "--surgery-date", iso(TODAY)], id="edit-date-after-entries"),
    pytest.param(["patient", "add", "Someone Else", "--surgery-date", iso(SURGERY), "--procedure", "fhl",
                  "--id", "zelda-quist"], id="add-taken-id"),
]


@pytest.mark.parametrize("args", REFUSALS_WITHOUT_A_NAME)
def test_a_refusal_does_not_reveal_a_name_the_user_did_not_type(rehab, patient, args):
    """The user typed no name (the default patient, or an id): the message must not print
    the patient's name or surgeon, e.g. to a shared screen or a script's log."""
    result = rehab(*args)
    assert result.exit_code == 2
    for secret in (NAME, SURNAME, SURGEON, NOTE):
        assert secret not in result.stderr + result.stdout, result.stderr


def test_debug_adds_the_traceback_but_keeps_the_exit_status(rehab, patient, monkeypatch):
    """Contract: --debug (or REHAB_DEBUG=1) shows a traceback; bad input still exits 2."""
    result = rehab("--debug", "today", "--date", "2024-02-30")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("rehab: ")
    monkeypatch.setenv("REHAB_DEBUG", "1")
    missing = rehab("patient", "show", "nobody")
    assert missing.exit_code == 2 and "NotFound" in missing.stderr
