"""The store on every database it is meant for: SQLite always, and PostgreSQL when
REHAB_TEST_POSTGRES_URL names a server (.ci/run starts one on this machine when it can).
Nothing SQLite-only may hide outside rehab.store.connection."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from conftest import BACKENDS, clean_postgres
from rehab import store
from rehab.errors import NotFound, RehabError
from rehab.model import Acknowledgement, Adjustment, Entry, Measure, Patient, PatientRecord, Score


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    if request.param == "sqlite":
        return store.open_store(str(tmp_path / "store.db"), create=True)
    return store.open_store(clean_postgres(), create=True)  # a clean schema for every test


SURGERY = date(2026, 1, 31)


def log(db, pid: str, e: Entry, replace: bool = False):
    """Log a whole entry (the store's build callback ignoring the old one); returns the old."""
    return db.log(pid, e.date, lambda _old: e, replace)[1]


def entry(day: int, pain: int = 3, **fields) -> Entry:
    return Entry(date=date.fromordinal(SURGERY.toordinal() + day), pain=pain, weight_bearing="partial", **fields)


def test_patients_default_and_lookup(db):
    db.add_patient(Patient("zoe", "Zoë Łukasiewicz", SURGERY, "fhl-release", "left", "Mr Hester"))
    db.add_patient(Patient("sio", "Siobhán Ó Ceallaigh", SURGERY, "os-trigonum-excision"))
    assert db.current(None).id == "zoe"
    assert db.patient("ZOË  ŁUKASIEWICZ").id == "zoe"
    db.use("sio")
    assert db.current(None).id == "sio"
    with pytest.raises(RehabError):
        db.add_patient(Patient("zoe", "Again", SURGERY, "fhl-release"))
    with pytest.raises(NotFound):
        db.patient("nobody")


def test_entries_replace_keeps_history_and_one_per_day(db):
    db.add_patient(Patient("zoe", "Zoë", SURGERY, "fhl-release"))
    assert log(db, "zoe", entry(1, 5, symptoms=("fever",), note="=1+1"), False) is None
    with pytest.raises(RehabError):
        log(db, "zoe", entry(1, 4), False)
    old = log(db, "zoe", entry(1, 4, boot=True, milestones=("wound-review",)), True)
    assert old.pain == 5 and old.symptoms == ("fever",) and old.note == "=1+1"
    assert [(e.pain, e.boot, e.milestones) for e in db.entries("zoe")] == [(4, True, ("wound-review",))]
    assert [r.entry.pain for r in db.revisions("zoe")] == [5]


def test_records_stream_each_patient_with_their_rows(db):
    for pid in ("b", "a", "c"):
        db.add_patient(Patient(pid, pid.upper(), SURGERY, "fhl-release"))
    for day in range(3):
        log(db, "a", entry(day), False)
        log(db, "c", entry(day, 6), False)
    log(db, "c", entry(0, 7), True)
    stamp = datetime(2026, 2, 5, 9, 0, tzinfo=timezone.utc)
    db.acknowledge("c", Acknowledgement(entry(1).date, "pain-spike", "", "seen", "J", stamp))
    records = {r.patient.id: r for r in db.records()}
    assert list(records) == ["a", "b", "c"]
    assert [len(records[p].entries) for p in "abc"] == [3, 0, 3]
    assert [r.entry.pain for r in records["c"].revisions] == [6]
    assert [a.note for a in records["c"].acknowledgements] == ["seen"]


def test_import_is_all_or_nothing_and_remove_takes_everything(db):
    db.add_patient(Patient("a", "A", SURGERY, "fhl-release"))
    exported = list(db.records())
    with pytest.raises(RehabError):
        db.import_records(exported)  # id 'a' exists: nothing is written
    assert db.counts()["patients"] == 1
    log(db, "a", entry(0), False)
    log(db, "a", entry(0, 5), True)
    db.add_adjustment("a", Adjustment(None, "adjust", 3, boot=True))
    db.add_score("a", Score(None, "lefs", SURGERY, (4,) * 20, 80.0))
    db.add_measure("a", Measure(None, "knee-to-wall", SURGERY, "operated", 9.5))
    db.remove_patient("a")
    assert set(db.counts().values()) == {0}


def test_sqlite_values_are_stored_as_earlier_releases_stored_them(tmp_path):
    """ISO dates, 0/1 booleans and 'YYYY-MM-DD HH:MM:SS.ffffff' UTC times (SQLAlchemy's forms,
    which databases made by earlier releases hold), whether written by an import or a log."""
    import sqlite3

    paris = timezone(timedelta(hours=1))
    db = store.open_store(str(tmp_path / "forms.db"), create=True)
    db.import_records([PatientRecord(Patient("bo", "Bo", SURGERY, "fhl-release"), [entry(0, boot=True), entry(1, boot=False)],
                                     entry_times=[(datetime(2026, 2, 1, 9, 0, tzinfo=paris), datetime(2026, 2, 2, 9, 0, tzinfo=paris)),
                                                  (datetime(2026, 2, 3, 7, 5), None)])])
    log(db, "bo", entry(2, temperature=38.5))
    with sqlite3.connect(tmp_path / "forms.db") as raw:
        rows = raw.execute("SELECT date, boot, temperature, created_at, updated_at FROM entry ORDER BY date").fetchall()
    raw.close()
    assert rows[:2] == [("2026-01-31", 1, None, "2026-02-01 08:00:00.000000", "2026-02-02 08:00:00.000000"),
                        ("2026-02-01", 0, None, "2026-02-03 07:05:00.000000", "2026-02-03 07:05:00.000000")]
    assert rows[2][:3] == ("2026-02-02", None, 38.5) and len(rows[2][3]) == 26
    assert [e.boot for e in db.entries("bo")] == [True, False, None]


def test_entry_times_survive_an_import_and_are_read_for_a_backup(db):

    logged = datetime(2026, 2, 1, 20, 15, 0, tzinfo=timezone.utc)
    changed = datetime(2026, 2, 2, 7, 0, 0, tzinfo=timezone.utc)
    db.import_records([PatientRecord(Patient("a", "A", SURGERY, "fhl-release"), [entry(1), entry(2), entry(3)],
                                     entry_times=[(logged, changed), (None, None), (None, changed)])])
    (record,) = db.records(with_times=True)
    first, second, third = record.entry_times
    assert third[0] == third[1] == first[1]  # only a change time: logged then too, not at the import
    assert [t.replace(tzinfo=timezone.utc) for t in first] == [logged, changed]
    assert second[0] == second[1] and second[0].replace(tzinfo=timezone.utc) > changed  # the import's own time
    assert next(iter(db.records())).entry_times is None  # reports do without


def test_records_keep_every_row_whatever_the_collation_orders_ids_by(db):
    """'jo-smith' sorts before 'joan' in Python, after it where a collation ignores hyphens
    (PostgreSQL in most locales): export must hold every entry either way."""
    for pid in ("joan", "jo-smith", "jo", "jo-a"):
        db.add_patient(Patient(pid, pid, SURGERY, "fhl-release"))
        for day in range(2):
            log(db, pid, entry(day), False)
    assert {r.patient.id: len(r.entries) for r in db.records()} == {"joan": 2, "jo-smith": 2, "jo": 2, "jo-a": 2}


def test_the_last_patient_left_becomes_the_default(db):
    for pid in ("a", "b", "c"):
        db.add_patient(Patient(pid, pid.upper(), SURGERY, "fhl-release"))
    db.remove_patient("a")  # the default: two remain, no default
    assert db.default_id() is None
    db.remove_patient("c")
    assert db.default_id() == "b"


@pytest.mark.parametrize("backend", BACKENDS)
def test_times_are_utc_whatever_the_clients_time_zone(backend, tmp_path, monkeypatch):
    """libpq takes PGTZ as the session's zone; rehab's own setting must win."""

    monkeypatch.setenv("PGTZ", "Europe/Paris")
    monkeypatch.setenv("TZ", "Europe/Paris")
    if backend == "sqlite":
        db = store.open_store(str(tmp_path / "tz.db"), create=True)
    else:
        db = store.open_store(clean_postgres(), create=True)
    logged = datetime(2026, 2, 1, 20, 15, 0, tzinfo=timezone.utc)
    db.import_records([PatientRecord(Patient("tz", "Tz", SURGERY, "fhl-release"), [entry(1)],
                                     entry_times=[(logged, logged)])])
    (record,) = db.records(with_times=True)
    assert list(record.entry_times[0]) == [logged, logged]
    assert record.entry_times[0][0].utcoffset() == timedelta(0)
    if backend != "sqlite":  # the session's zone, which a column without one is read in
        assert db.conn.scalar("SHOW TimeZone") == "UTC"
