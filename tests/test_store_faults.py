"""The store's side of issue 13: where the database is, what it holds, a full disk, a
read-only folder, and many first uses at once. Each refusal is one line, and leaves the
files as they were."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import BACKENDS, clean_postgres, iso, ok, one_line, snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)
REHAB = shutil.which("rehab") or "rehab"


def add(rehab, db, name="Ann Lee", *extra):
    return rehab("--db", db, "patient", "add", name, "--surgery-date", iso(SURGERY), "--procedure", "fhl", *extra)


# --- item 2: a plain path is a path ------------------------------------------------------------


@pytest.mark.parametrize("name", ["odd?x=1.db", "pct%41b.db", "semi;colon#hash&amp.db", "spaced name.db"])
def test_a_plain_path_is_the_file_it_names_whatever_its_characters(rehab, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    ok(add(rehab, name))
    ok(rehab("--db", name, "log", "--pain", "3", "--wb", "partial"))
    # (and SQLite's own -wal and -shm beside it while it is open)
    assert {p.name.removesuffix("-wal").removesuffix("-shm") for p in tmp_path.iterdir() if p.name != "home"} == {name}
    assert len(json.loads(ok(rehab("--db", tmp_path / name, "history", "--json")).stdout)) == 1


def test_a_sqlite_url_reads_its_escapes_and_options(rehab, tmp_path):
    ok(add(rehab, tmp_path / "a b.db"))
    assert ok(rehab("--db", f"sqlite:///{tmp_path}/a%20b.db", "patient", "list", "--json")).stdout.count('"id"') == 1


@pytest.mark.parametrize("url", ["mysql://u@host/db", "oracle+cx://x/y", "sqlite://", "sqlite:///"])
def test_other_kinds_of_database_are_refused(rehab, tmp_path, url):
    one_line(rehab("--db", url, "today"), 2)


def test_db_on_a_symlink_loop_is_bad_input(rehab, tmp_path):
    loop = tmp_path / "loop.db"
    loop.symlink_to(loop)
    message = one_line(add(rehab, loop), 2)
    assert "loop" in message


# --- item 3: a database that is someone else's ---------------------------------------------------


@pytest.mark.parametrize("args", [["today"], ["patient", "list"], ["log", "--pain", "3", "--wb", "partial"],
                                  ["patient", "add", "Bo", "--surgery-date", iso(SURGERY), "--procedure", "fhl"]])
def test_a_sqlite_file_holding_other_tables_is_refused_untouched(rehab, tmp_path, args):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE foo (x)")
        conn.execute("INSERT INTO foo VALUES (1)")
    conn.close()
    before = other.read_bytes()
    message = one_line(rehab("--db", other, *args), 1)
    assert "not a rehab database" in message and "foo" in message
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "other.db"]


def test_an_empty_sqlite_file_becomes_a_rehab_database(rehab, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    ok(add(rehab, empty))
    assert snapshot(empty)["patient"][0][0] == "ann-lee"


# --- items 9 and 13: a full disk, a read-only folder ----------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB file system (tmpfs) to fill up: SQLite and the kernel report what a full
    disk reports. Mounting needs root, as the CI runs."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small file system needs root: " + mounted.stderr.decode().strip())
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system up to `leave` bytes free."""
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(folder / "filler", "wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


def test_logging_on_a_full_disk_says_the_disk_is_full(rehab, small_disk):
    db = small_disk / "rehab.db"
    ok(add(rehab, db))
    fill(small_disk)
    before = snapshot(db)
    message = one_line(rehab("--db", db, "log", "--pain", "3", "--wb", "partial", "--note", "x" * 1900), 1)
    assert f"the disk holding {db} is full" in message
    assert snapshot(db) == before


def test_adding_the_first_patient_on_a_full_disk_leaves_no_empty_database(rehab, small_disk):
    fill(small_disk)
    message = one_line(add(rehab, small_disk / "new.db"), 1)
    assert "full" in message
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_an_upgrade_on_a_nearly_full_disk_leaves_no_truncated_backup(rehab, small_disk):
    from test_migrations import build_at_revision, fill_release_one

    db = small_disk / "old.db"
    build_at_revision(db, "0001")
    fill_release_one(db)
    before = snapshot(db)
    fill(small_disk, leave=4096)  # room for less than a copy of the file
    message = one_line(rehab("--db", db, "patient", "list"), 1)
    assert "full" in message
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "old.db"]
    assert snapshot(db) == before


def test_a_failing_upgrade_does_not_write_a_new_backup_every_attempt(rehab, tmp_path):
    from test_migrations import backups_of, filled_and_altered

    db = tmp_path / "odd.db"
    before = filled_and_altered(db, "0001", "CREATE TABLE flag_ack (x INTEGER)")
    for _ in range(3):
        one_line(rehab("--db", db, "patient", "list"), 1)
    assert len(backups_of(db)) == 1
    assert snapshot(db) == before
    assert [p.name for p in tmp_path.iterdir() if "tmp" in p.name] == []


def test_a_wal_database_in_a_read_only_folder_is_read_and_refuses_writes_plainly(rehab, small_disk):
    db = small_disk / "rehab.db"
    env = {**os.environ, "REHAB_DB": str(db)}
    for args in (["patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"],
                 ["log", "--pain", "3", "--wb", "partial"]):  # in processes that end: no file stays open
        assert subprocess.run([REHAB, *args], env=env, capture_output=True).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    assert [e["pain"] for e in json.loads(ok(rehab("--db", db, "history", "--json")).stdout)] == [3]
    assert "Ann Lee" in ok(rehab("--db", db, "today")).stdout
    message = one_line(rehab("--db", db, "log", "--date", iso(TODAY - timedelta(days=1)), "--pain", "3", "--wb", "partial"), 1)
    assert message == f"rehab: the database {db} is read-only; nothing was written\n"


# --- items 10 and 13: many at once -------------------------------------------------------------------


def _at_once(commands: list[list[str]], env: dict) -> list[subprocess.CompletedProcess]:
    """Start every command, then wait for them all: they run side by side."""
    procs = [subprocess.Popen([REHAB, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL) for args in commands]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_first_patient_adds_at_once_all_succeed(tmp_path, backend):
    """Issue 13, item 10: on an empty PostgreSQL database creating the schema was not
    serialised ("is not a rehab database", "duplicate key ... setting_pkey")."""
    for _ in range(3):
        where = str(tmp_path / f"first-{_}.db") if backend == "sqlite" else clean_postgres()
        env = {**os.environ, "REHAB_DB": where}
        results = _at_once([["patient", "add", f"Patient {n}", "--surgery-date", iso(SURGERY), "--procedure", "fhl",
                             "--id", f"p{n}"] for n in range(8)], env)
        assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 8
        listed = subprocess.run([REHAB, "patient", "list", "--json"], env=env, capture_output=True, text=True)
        people = json.loads(listed.stdout)
        assert sorted(p["id"] for p in people) == [f"p{n}" for n in range(8)]
        assert sum(p["current"] for p in people) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_patients_with_one_name_added_at_once_get_the_next_free_ids(tmp_path, backend):
    """Issue 13, item 13: nobody who gave no --id is told to choose another --id."""
    where = str(tmp_path / "jane.db") if backend == "sqlite" else clean_postgres()
    env = {**os.environ, "REHAB_DB": where}
    first = subprocess.run([REHAB, "patient", "add", "Jane Doe", "--surgery-date", iso(SURGERY), "--procedure", "fhl"],
                           env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    results = _at_once([["patient", "add", "Jane Doe", "--surgery-date", iso(SURGERY), "--procedure", "fhl"]] * 8, env)
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 8
    listed = json.loads(subprocess.run([REHAB, "patient", "list", "--json"], env=env, capture_output=True, text=True).stdout)
    assert sorted(p["id"] for p in listed) == sorted(["jane-doe"] + [f"jane-doe-{n}" for n in range(2, 10)])
