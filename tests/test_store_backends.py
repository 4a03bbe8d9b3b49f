"""The store on every database it is meant for: SQLite always, and PostgreSQL when
REHAB_TEST_POSTGRES_URL names a server (.ci/run starts one on this machine when it can).
Nothing SQLite-only may hide outside the engine set-up."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

import pytest

from rehab import store
from rehab.errors import NotFound, RehabError
from rehab.model import Acknowledgement, Adjustment, Entry, Measure, Patient, PatientRecord, Score

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("REHAB_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    if request.param == "sqlite":
        return store.open_store(str(tmp_path / "store.db"), create=True)
    from sqlalchemy import create_engine, text

    url = os.environ["REHAB_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    with engine.begin() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return store.open_store(url, create=True)


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


def test_sqlite_bulk_import_stores_what_the_portable_path_stores(tmp_path):
    """Import's SQLite fast path writes rows exactly as SQLAlchemy's own insert would."""
    import sqlite3

    from rehab.store import _insert_entries, _insert_entries_sqlite

    now = datetime(2026, 3, 1, 8, 30, 15, tzinfo=timezone.utc)
    record = PatientRecord(Patient("zoe", "Zoë", SURGERY, "fhl-release"), [
        entry(0, 6, boot=True, activity="rest", symptoms=("fever", "calf-pain"), note="=1+1"),
        entry(1, 5, boot=False, milestones=("big-toe-motion",)),
        entry(2, 4),
    ])
    # A second patient whose file said when each entry was logged (one zone, one naive UTC).
    paris = timezone(timedelta(hours=1))
    timed = PatientRecord(Patient("bo", "Bo", SURGERY, "fhl-release"), [entry(0), entry(1)],
                          entry_times=[(datetime(2026, 2, 1, 9, 0, tzinfo=paris), datetime(2026, 2, 2, 9, 0, tzinfo=paris)),
                                       (datetime(2026, 2, 3, 7, 5), None)])
    tables = []
    for name, insert_rows in (("portable", _insert_entries), ("fast", _insert_entries_sqlite)):
        db = store.open_store(str(tmp_path / f"{name}.db"), create=True)
        db.add_patient(record.patient)
        db.add_patient(timed.patient)
        with db._write() as conn:
            insert_rows(conn, [record, timed], now)
        with sqlite3.connect(tmp_path / f"{name}.db") as raw:
            tables.append(raw.execute("SELECT * FROM entry ORDER BY id").fetchall())
        assert [e.pain for e in db.entries("zoe")] == [6, 5, 4]
    assert tables[0] == tables[1]
    assert [row[-2:] for row in tables[0][3:]] == [("2026-02-01 08:00:00.000000", "2026-02-02 08:00:00.000000"),
                                                   ("2026-02-03 07:05:00.000000", "2026-02-03 07:05:00.000000")]


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
        db = store.open_store(os.environ["REHAB_TEST_POSTGRES_URL"], create=True)
        with db.engine.begin() as conn:  # a clean start, as the fixture gives
            from sqlalchemy import text

            for table in ("flag_ack", "entry_revision", "entry", "setting", "patient"):
                conn.execute(text(f"DELETE FROM {table}"))
    logged = datetime(2026, 2, 1, 20, 15, 0, tzinfo=timezone.utc)
    db.import_records([PatientRecord(Patient("tz", "Tz", SURGERY, "fhl-release"), [entry(1)],
                                     entry_times=[(logged, logged)])])
    (record,) = db.records(with_times=True)
    assert [t.replace(tzinfo=timezone.utc) for t in record.entry_times[0]] == [logged, logged]
    if backend != "sqlite":  # the session's zone, which a column without one is read in
        from sqlalchemy import text

        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW TimeZone")).scalar() == "UTC"


def test_log_reads_builds_and_writes_the_day_in_one_go(db):
    db.add_patient(Patient("zoe", "Zoë", SURGERY, "fhl-release"))
    seen = []

    def build(old):
        seen.append(old)
        return entry(2, 4, temperature=38.4, swelling="moderate", exercises="partly")

    new, old = db.log("zoe", entry(2).date, build, False)
    assert old is None and seen == [None] and new.temperature == 38.4
    assert db.entry("zoe", entry(2).date) == new  # the new fields come back as written

    def refuse(old):
        seen.append(old)
        raise RehabError("no")

    with pytest.raises(RehabError):
        db.log("zoe", entry(2).date, refuse, True)
    assert seen[-1] == new  # build got the day as stored
    assert db.entries("zoe") == [new] and db.revisions("zoe") == []  # a refusal writes nothing
    with pytest.raises(RehabError):  # a logged day without replace: build is not even called
        db.log("zoe", entry(2).date, refuse, False)
    assert len(seen) == 2
    with pytest.raises(NotFound):
        db.log("nobody", entry(2).date, build, False)
    newer, older = db.log("zoe", entry(2).date, lambda old: old._replace(pain=2, swelling=None), True)
    assert older == new and newer.pain == 2 and newer.temperature == 38.4
    assert [r.entry for r in db.revisions("zoe")] == [new]


def test_edit_patient_and_discharge(db):
    db.add_patient(Patient("zoe", "Zoë", SURGERY, "fhl-release", "left"))
    log(db, "zoe", entry(3))
    changed = db.edit_patient("zoe", lambda p: p._replace(name="Zoë B", surgeon="Dr X", id="other"))
    assert (changed.id, changed.name, changed.surgeon, changed.side) == ("zoe", "Zoë B", "Dr X", "left")
    assert db.patient("zoe") == changed
    with pytest.raises(RehabError):  # the entry on day 3 would fall before day 0
        db.edit_patient("zoe", lambda p: p._replace(surgery_date=SURGERY + timedelta(days=4)))
    assert db.patient("zoe").surgery_date == SURGERY
    with pytest.raises(NotFound):
        db.edit_patient("nobody", lambda p: p)
    assert db.discharge("zoe", SURGERY + timedelta(days=90)).discharged_on == SURGERY + timedelta(days=90)
    assert db.patient("zoe").discharged_on == SURGERY + timedelta(days=90)
    assert db.discharge("zoe", None).discharged_on is None
    assert db.patients()[0].discharged_on is None


def test_adjustments_scores_and_measures(db):
    for pid in ("zoe", "bo"):
        db.add_patient(Patient(pid, pid, SURGERY, "fhl-release"))
    first = db.add_adjustment("zoe", Adjustment(None, "adjust", 14, 20, weight_bearing="partial", boot=False,
                                                allow=("walking",), forbid=("sport", "low-impact"), pain_ceiling=5,
                                                note="slow down", by="Dr X"))
    second = db.add_adjustment("zoe", Adjustment(None, "move", 21, 28, milestone="wound-review"))
    db.add_adjustment("bo", Adjustment(None, "adjust", 1, boot=True))
    assert first.id is not None and second.id > first.id and first.created_at is not None
    removed = db.remove_adjustment("zoe", first.id)
    assert removed.removed_at is not None and not removed.in_force
    listed = db.adjustments("zoe")
    assert listed == [removed, second]  # removed ones stay, in the order recorded
    assert listed[0].forbid == ("sport", "low-impact") and listed[0].boot is False
    with pytest.raises(NotFound):
        db.remove_adjustment("bo", second.id)  # another patient's change
    with pytest.raises(NotFound):
        db.remove_adjustment("zoe", 9999)

    later = db.add_score("zoe", Score(None, "faam-adl", SURGERY + timedelta(days=42), (4,) * 19 + (None, None), 100.0))
    base = db.add_score("zoe", Score(None, "faam-adl", SURGERY - timedelta(days=2), (2,) * 21, 50.0))
    lefs = db.add_score("zoe", Score(None, "lefs", SURGERY, (3,) * 20, 60.0))
    assert db.scores("zoe") == [base, lefs, later]  # by date
    assert db.scores("zoe", "faam-adl") == [base, later]
    assert db.scores("zoe")[2].answers[-1] is None
    m2 = db.add_measure("zoe", Measure(None, "calf-raises", SURGERY + timedelta(days=60), "other", 25))
    m1 = db.add_measure("zoe", Measure(None, "knee-to-wall", SURGERY + timedelta(days=50), "operated", 8.5))
    assert db.measures("zoe") == [m1, m2] and db.measures("bo") == []


def test_records_carry_everything_and_import_restores_it(db, tmp_path):
    db.add_patient(Patient("zoe", "Zoë", SURGERY, "fhl-release"))
    db.add_patient(Patient("bo", "Bo", SURGERY, "fhl-release"))
    log(db, "zoe", entry(1, 5, temperature=37.9, swelling="mild", exercises="done"))
    log(db, "zoe", entry(1, 4), True)
    a = db.add_adjustment("bo", Adjustment(None, "adjust", 3, boot=True))  # interleaved ids
    b = db.add_adjustment("zoe", Adjustment(None, "move", 21, milestone="wound-review"))
    db.remove_adjustment("bo", a.id)
    db.add_score("zoe", Score(None, "lefs", SURGERY, (3,) * 20, 60.0))
    db.add_measure("zoe", Measure(None, "knee-to-wall", SURGERY, "operated", 8.5))
    db.discharge("zoe", SURGERY + timedelta(days=100))
    records = list(db.records(with_times=True))
    zoe = records[1]
    assert zoe.revisions[0].entry.temperature == 37.9 and zoe.patient.discharged_on is not None
    assert [x.id for x in records[0].adjustments] == [a.id] and [x.id for x in zoe.adjustments] == [b.id]
    assert len(zoe.scores) == len(zoe.measures) == 1
    other = store.open_store(str(tmp_path / "other.db"), create=True)
    other.import_records(records)
    again = list(other.records(with_times=True))

    def plain(rs):  # what a backup compares: times as UTC without a zone, as each database reads them
        def strip(x):
            return x._replace(created_at=x.created_at.replace(tzinfo=None) if x.created_at else None)
        return [(r.patient._replace(created_at=None), r.entries, r.revisions,
                 [strip(x)._replace(removed_at=x.removed_at and x.removed_at.replace(tzinfo=None)) for x in r.adjustments],
                 [strip(x)._replace(id=None) for x in r.scores], [strip(x)._replace(id=None) for x in r.measures])
                for r in rs]

    assert plain(again) == plain(records)
    # The ids were kept, so a later change does not collide with them.
    assert other.add_adjustment("bo", Adjustment(None, "adjust", 5, boot=False)).id > b.id
    other.reset()
    assert set(other.counts().values()) == {0} and other.default_id() is None
    # Restored into the same kind of database: a new change is numbered after the kept ids
    # (PostgreSQL's sequence is moved on past them).
    db.reset()
    db.import_records(records)
    assert [x.id for x in db.adjustments("zoe")] == [b.id]
    assert db.add_adjustment("zoe", Adjustment(None, "adjust", 5, boot=False)).id > b.id
