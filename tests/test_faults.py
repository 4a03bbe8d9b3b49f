"""Faults of the surroundings (reliability issue, part 4): a file that is not a database, a
damaged one, a read-only one, a folder that cannot be written, a full disk, a kill in the
middle of an import, an --output that cannot be finished.

Each gives one plain line on stderr, no traceback, and leaves the data as it was. The exit
status: 1 for a fault of the surroundings (the database or disk cannot be used), 2 for bad
input the user named (contract, "Output and errors").

The tests run as root in CI, where file modes do not stop writes; each test says what it
simulates instead."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import in_folder, iso, ok, one_line, snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)


@pytest.fixture
def journal(rehab, db_path) -> Path:
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "4", "--wb", "partial"))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=2)), "--pain", "3", "--wb", "partial"))
    return db_path


def export_document(patients: int, entries: int, note_size: int = 0) -> dict:
    start = TODAY - timedelta(days=entries + 5)
    return {"format": "rehab-export", "version": 1, "patients": [
        {"id": f"import-{i}", "name": f"Imported {i}", "surgery_date": iso(start), "procedure": "fhl-release",
         "side": None, "surgeon": None,
         "entries": [{"date": iso(start + timedelta(days=d)), "pain": d % 11, "weight_bearing": "partial",
                      "boot": True, "activity": "walking", "symptoms": ["fever"], "milestones": [],
                      "note": "x" * note_size or None} for d in range(entries)]}
        for i in range(patients)]}


# --- the database file ------------------------------------------------------------------------

COMMANDS = [
    pytest.param(["patient", "list"], id="patient-list"),
    pytest.param(["log", "--pain", "3", "--wb", "partial"], id="log"),
    pytest.param(["export", "--output", "@out.json"], id="export"),
    pytest.param(["import", "@in.json"], id="import"),
]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_file_that_is_not_a_database(rehab, tmp_path, args):
    junk = tmp_path / "junk.db"
    junk.write_bytes(random.Random(1).randbytes(8192))
    (tmp_path / "in.json").write_text(json.dumps(export_document(1, 2)))
    before = junk.read_bytes()
    result = rehab("--db", junk, *in_folder(args, tmp_path))
    message = one_line(result)
    assert result.exit_code == 1
    assert str(junk) in message and "not a rehab database" in message
    assert junk.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in.json", "junk.db"]  # no side files, no output


def test_a_damaged_database_is_reported_as_damaged(rehab, journal, tmp_path):
    """A real database whose entry table page was overwritten (a bad sector, a copy cut
    short): reading it must say the database is damaged, not 'unexpected error'."""
    with sqlite3.connect(journal) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entry'").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(journal, "r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\xff" * page)  # 0xff is no b-tree page type: SQLITE_CORRUPT, every time
    before = journal.read_bytes()
    for args in (["history", "--json"], ["log", "--pain", "3", "--wb", "partial"]):
        result = rehab(*args)
        message = one_line(result)
        assert result.exit_code == 1, message
        assert "unexpected" not in message and ("damaged" in message or "malformed" in message), message
        assert journal.read_bytes() == before


def test_a_read_only_database_refuses_writes_and_keeps_its_data(rehab, journal, tmp_path, monkeypatch):
    """Root ignores file modes, so the read-only file is simulated by SQLite's own read-only
    open (a URI with mode=ro): SQLite then refuses every write, as for a file without write
    permission or on a read-only medium."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///file:{journal}?mode=ro&uri=true"
    before = snapshot(journal)
    result = rehab("--db", url, "log", "--pain", "5", "--wb", "partial")
    message = one_line(result)
    assert result.exit_code == 1
    assert "read-only" in message
    assert snapshot(journal) == before
    # Reading still works.
    read = rehab("--db", url, "history", "--json")
    assert read.exit_code == 0, read.stderr
    assert [e["pain"] for e in json.loads(read.stdout)] == [4, 3]


def test_a_sqlite_uri_creates_no_stray_files_in_the_working_folder(rehab, journal, tmp_path, monkeypatch):
    """With a 'file:' URI the database is the file the URI names; nothing else is created,
    least of all in whatever folder the command happens to run in."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    url = f"sqlite:///file:{journal}?mode=ro&uri=true"
    assert rehab("--db", url, "history", "--json").exit_code == 0
    assert sorted(str(p.relative_to(work)) for p in work.rglob("*")) == []


def test_a_folder_that_cannot_be_written(rehab, tmp_path):
    """Root can write into any folder whatever its mode, so the folder that cannot be written
    is simulated by a path whose 'folder' is a regular file: creating the database there
    fails in the operating system (ENOTDIR), as it would for a folder without permission."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder\n")
    target = blocker / "sub" / "rehab.db"
    result = rehab("--db", target, "patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl")
    message = one_line(result)
    assert result.exit_code == 1
    assert str(target) in message
    assert blocker.read_text() == "not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "home"]


# --- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def disk_full(journal, monkeypatch):
    """Make SQLite itself report SQLITE_FULL ("database or disk is full") as soon as the file
    would grow: every connection opened from now on gets PRAGMA max_page_count = its current
    size. This wraps the standard library's sqlite3.connect, not rehab's code."""
    with sqlite3.connect(journal) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    connect = sqlite3.connect

    def capped(*args, **kwargs):
        raw = connect(*args, **kwargs)
        raw.execute(f"PRAGMA max_page_count = {pages}")
        return raw

    monkeypatch.setattr(sqlite3, "connect", capped)
    return journal


def test_a_full_disk_during_an_import_writes_nothing(rehab, disk_full, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps(export_document(3, 100, note_size=500)))
    before = snapshot(disk_full)
    result = rehab("import", path)
    message = one_line(result)
    assert result.exit_code == 1
    assert "full" in message
    assert snapshot(disk_full) == before


def test_a_full_disk_during_a_log_writes_nothing(rehab, disk_full):
    # 2000 four-byte characters (8000 bytes) cannot fit in a page: the row needs new pages.
    before = snapshot(disk_full)
    result = rehab("log", "--pain", "3", "--wb", "partial", "--note", "😀" * 2000)
    message = one_line(result)
    assert result.exit_code == 1
    assert "full" in message
    assert snapshot(disk_full) == before


def test_output_that_cannot_be_finished_leaves_no_partial_or_temporary_file(rehab, journal, tmp_path):
    """The disk fills while --output is being written. Simulated with RLIMIT_FSIZE, the
    kernel's per-process file size limit: a write past 64 KiB fails (EFBIG, which Python sees
    as an OSError just like ENOSPC; Python ignores SIGXFSZ). Export and report stream through
    a temporary file; timeline (no database involved) writes a whole document."""
    big = tmp_path / "big.json"
    big.write_text(json.dumps(export_document(1, 150, note_size=1000)))
    ok(rehab("import", big))
    big.unlink()
    out = tmp_path / "out"
    out.mkdir()
    runs = {
        "export": ["export", "--output", out / "backup.json"],
        "report": ["report", "--patient", "import-0", "--format", "json", "--output", out / "report.json"],
        "timeline": ["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--format", "markdown",
                     "--output", out / "plan.md"],
    }
    before = snapshot(journal)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    results = {}
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
    try:
        for name, args in runs.items():
            if name == "timeline":  # a plan is small, and needs no database: a tiny limit
                resource.setrlimit(resource.RLIMIT_FSIZE, (512, hard))
            results[name] = rehab(*args)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert list(out.iterdir()) == []  # no partial file, no temporary file
    assert snapshot(journal) == before
    for name, result in results.items():
        message = one_line(result)
        assert str(out) in message, (name, message)
    # A full disk is a fault of the surroundings, like a full disk under the database (exit 1).
    assert {name: r.exit_code for name, r in results.items()} == {"export": 1, "report": 1, "timeline": 1}


# --- killed in the middle -----------------------------------------------------------------------


def test_an_import_killed_half_way_leaves_none_of_it(rehab, journal, tmp_path):
    """A real process is killed with SIGKILL while its import transaction is writing: the
    write-ahead log has grown (SQLite spilled uncommitted pages) but the commit never came."""
    path = tmp_path / "big.json"
    path.write_text(json.dumps(export_document(4, 1000, note_size=1000)))  # ~4 MB of rows
    before = snapshot(journal)
    wal = Path(f"{journal}-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    env = {k: v for k, v in os.environ.items() if k not in ("REHAB_DEBUG", "REHAB_PROTOCOLS_DIR")}
    proc = subprocess.Popen([sys.executable, "-m", "rehab", "import", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > start_size + 256 * 1024:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        out, err = proc.communicate(timeout=60)
    # The kill really landed in the middle: the import never finished.
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err)
    assert b"Imported" not in out
    with sqlite3.connect(journal) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM patient WHERE id LIKE 'import-%'").fetchone()[0] == 0
    conn.close()
    assert snapshot(journal) == before
    # And the database is not left locked or broken: the next write goes through.
    ok(rehab("log", "--pain", "2", "--wb", "partial"))


def test_a_database_server_that_cannot_be_reached_is_one_line_without_the_password(rehab):
    result = rehab("--db", "postgresql+psycopg://rehab:s3cret@127.0.0.1:1/rehab", "today")
    assert result.exit_code == 1
    assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1, result.stderr
    assert "s3cret" not in result.stderr and "***" in result.stderr
