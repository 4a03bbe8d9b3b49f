"""The only code that talks to the database. Callers get plain records (rehab.model).

Queries are SQL the store owns, run through the Python DB-API (sqlite3 for a file, psycopg
for a PostgreSQL server); rehab.store.connection holds the few differences between them.
Opening a database that is current costs one small query and imports no database library
beyond the driver; only creating or upgrading one loads SQLAlchemy and Alembic
(rehab.store.migrate).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from itertools import islice

from rehab.errors import NotFound, RehabError, StoreError
from rehab.wording import NO_PATIENTS
from rehab.model import (Acknowledgement, AcknowledgementRevision, Adjustment, Entry, Measure, Patient, PatientRecord,
                         Revision, Score)
from rehab.store.connection import Connection, as_date, as_datetime, boolean, message
from rehab.store.location import Location, locate, missing

DEFAULT_KEY = "default_patient"
# Serialises adding patients on PostgreSQL (SQLite's write lock already does): the default
# patient and the next free id are decided by one `patient add` at a time.
PATIENTS_LOCK = 0x7265_6861_6202

# The tables holding a patient's rows, children before the patient.
PATIENT_TABLES = ("flag_ack_revision", "flag_ack", "entry_revision", "entry", "plan_adjustment", "outcome_score",
                  "measure")

PATIENT = "id, name, surgery_date, procedure, side, surgeon, created_at, discharged_on"
# A day's values, shared by the entry and its revisions. Timestamps stay in the database
# unless asked for (parsing them was a third of a clinic report's reading time).
VALUES = "date, pain, weight_bearing, boot, activity, symptoms, milestones, note, temperature, swelling, exercises"
ACK = 'date, rule, subject, note, "by", acknowledged_at'
ADJUSTMENT = ('id, kind, from_day, until_day, weight_bearing, boot, allow, forbid, pain_ceiling, milestone, note, "by", '
              "created_at, removed_at")
SCORE = "id, instrument, date, answers, score, created_at"
MEASURE = "id, name, date, side, value, created_at"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def open_store(db: str | None, create: bool = False) -> Store:
    """The database; only commands that add data (patient add, import, demo) create one, so
    a mistyped --db or a first `rehab today` leaves no empty database behind."""
    return Store(locate(db), create)


class Store:
    def __init__(self, location: Location | str, create: bool = False):
        self.location = location if isinstance(location, Location) else locate(location)
        self.url = self.location.describe()
        made = self._prepare_file(create)
        try:
            self.conn = self._connect()
            self._ensure_schema()
        except BaseException:
            # A database file made here that could not be set up (a full disk) leaves nothing
            # behind; once anything is written in it, it is a database others may be using.
            if made and _empty(self.location.path):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    try:
                        os.unlink(f"{self.location.path}{suffix}")
                    except OSError:
                        pass
            raise

    # -- opening -------------------------------------------------------------------------

    def _prepare_file(self, create: bool) -> bool:
        """A SQLite file: refuse a folder; create the folder and an empty owner-only file
        before SQLite touches them (only for a command that adds data). True if made here."""
        loc = self.location
        if loc.kind != "sqlite":
            return False
        path = loc.path
        if path.is_dir():
            raise RehabError(f"{path} is a folder; --db needs a database file")
        if path.exists():
            if not path.is_file():  # a FIFO or a device: SQLite would say "disk I/O error"
                from rehab.files import NOT_REGULAR

                raise RehabError(f"the database {path} {NOT_REGULAR}; --db needs a database file")
            return False
        if loc.read_only or not create:
            raise missing(loc)
        try:
            if not path.parent.exists():
                path.parent.mkdir(parents=True, mode=0o700)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False  # another process created it at the same moment
        except OSError as exc:
            raise StoreError(f"cannot create the database at {path}: {exc.strerror}") from None
        return True

    def _connect(self) -> Connection:
        try:
            return Connection.open(self.location)
        except ModuleNotFoundError as exc:
            raise RehabError(f"the database driver for PostgreSQL is not installed ({exc.name}): "
                             "install it with pip install 'psycopg[binary]'") from None
        except Exception as exc:  # noqa: BLE001 - each driver's own error classes, told apart below
            raise self._fault(exc) from None

    def _ensure_schema(self) -> None:
        """One small query on a current database; Alembic only for a new or older one."""
        from rehab.store import migrate

        try:
            current = self.conn.scalar("SELECT version_num FROM alembic_version")
        except self.conn.driver.DatabaseError:
            current = None  # no such table, or not a database: the careful path says which
        if current != migrate.head():
            migrate.ensure(self.location)
        try:
            self.conn.settle()
        except self.conn.driver.Error as exc:
            raise self._fault(exc) from None

    def _fault(self, exc: BaseException) -> Exception:
        """A driver's error as one line: bad input (exit 2) or a fault (exit 1)."""
        name = type(exc).__name__
        detail = str(exc) or name
        if "IntegrityError" in name or "UniqueViolation" in name or "ForeignKeyViolation" in name:
            return RehabError(f"the database refused the change: {detail.splitlines()[0]}")
        if "DataError" in name or "StringDataRightTruncation" in name:
            return RehabError(f"the database refused a value: {detail.splitlines()[0]}")
        folder = self.location.path.parent if self.location.path else None
        if "OperationalError" in name or "InterfaceError" in name or "not a database" in detail or "malformed" in detail:
            return StoreError(message(detail, self.url, folder))
        return StoreError(f"the database {self.url} failed: {' '.join(detail.split())}")

    def close(self) -> None:
        self.conn.close()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def _read(self):
        try:
            with self.conn.transaction(write=False) as conn:
                yield conn
        except self.conn.driver.Error as exc:
            raise self._fault(exc) from None

    @contextmanager
    def _write(self):
        """One transaction: everything in the block is written, or nothing is."""
        try:
            with self.conn.transaction(write=True) as conn:
                yield conn
        except self.conn.driver.Error as exc:
            raise self._fault(exc) from None

    # -- patients ------------------------------------------------------------------------

    def patients(self) -> list[Patient]:
        with self._read() as conn:
            return [_patient(r) for r in conn.rows(f"SELECT {PATIENT} FROM patient ORDER BY created_at, id")]

    def default_id(self) -> str | None:
        with self._read() as conn:
            return _default(conn)

    def patient(self, ref: str) -> Patient:
        """By id, or by name (case-insensitive)."""
        with self._read() as conn:
            row = conn.first(f"SELECT {PATIENT} FROM patient WHERE id = ?", (ref.strip().lower(),))
            if row is None:
                # Names are compared in Python: SQLite's lower() folds ASCII only, and
                # "ZOË ŁUKASIEWICZ" must find Zoë Łukasiewicz on every database.
                wanted = " ".join(ref.split()).casefold()
                rows = [r for r in conn.rows(f"SELECT {PATIENT} FROM patient") if r[1].casefold() == wanted]
                if len(rows) > 1:
                    ids = ", ".join(r[0] for r in rows)
                    raise RehabError(f"several patients are called {ref!r}; use an id: {ids}")
                row = rows[0] if rows else None
        if row is None:
            raise NotFound(f"no patient {ref!r} (see 'rehab patient list')")
        return _patient(row)

    def current(self, ref: str | None) -> Patient:
        """The patient a command is about: the one named, else the default."""
        if ref is not None:
            return self.patient(ref)
        with self._read() as conn:
            row = conn.first(f"SELECT {_columns(PATIENT, 'p')} FROM patient p JOIN setting s ON s.value = p.id "
                             "WHERE s.key = ?", (DEFAULT_KEY,))
            if row is not None:
                return _patient(row)
            rows = conn.rows(f"SELECT {PATIENT} FROM patient ORDER BY id LIMIT 11")
        if not rows:
            raise NotFound(NO_PATIENTS)
        if len(rows) == 1:
            return _patient(rows[0])
        names = ", ".join(r[0] for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        raise RehabError(f"several patients and no default: use --patient ({names}) or 'rehab patient use'")

    def add_patient(self, patient: Patient, make_id: Callable[[set[str]], str] | None = None) -> Patient:
        """Add a patient; the first one becomes the default. With `make_id`, the id is chosen
        inside the transaction from the ids taken then (make_id(taken)), so two `patient add
        "Jane Doe"` at once get jane-doe and jane-doe-2, never a clash."""
        with self._write() as conn:
            conn.advisory_lock(PATIENTS_LOCK)
            if make_id is not None:
                patient = patient._replace(id=make_id({r[0] for r in conn.rows("SELECT id FROM patient")}))
            elif conn.first("SELECT 1 FROM patient WHERE id = ?", (patient.id,)):
                raise RehabError(f"a patient with id {patient.id!r} already exists; choose another --id")
            created = patient._replace(created_at=_now())
            conn.execute(f"INSERT INTO patient ({PATIENT}) VALUES ({_marks(PATIENT)})", _patient_values(created))
            if _default(conn) is None:
                conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (DEFAULT_KEY, created.id))
        return created

    def taken_ids(self) -> set[str]:
        with self._read() as conn:
            return {r[0] for r in conn.rows("SELECT id FROM patient")}

    def use(self, patient_id: str) -> None:
        with self._write() as conn:
            _set_default(conn, patient_id)

    def edit_patient(self, patient_id: str, change: Callable[[Patient], Patient]) -> Patient:
        """Read the patient, apply `change` (which may refuse with RehabError) and write the
        result, in one transaction: two edits at once never undo each other. A new surgery
        date after a logged day is refused (entries never fall before day 0)."""
        with self._write() as conn:
            old = _patient(_lock_patient(conn, patient_id))
            new = change(old)._replace(id=old.id, created_at=old.created_at)
            if new.surgery_date != old.surgery_date:
                first = as_date(conn.scalar("SELECT min(date) FROM entry WHERE patient_id = ?", (patient_id,)))
                if first is not None and first < new.surgery_date:
                    raise RehabError(f"{patient_id} has an entry on {first}, before the new surgery date")
            conn.execute("UPDATE patient SET name = ?, surgery_date = ?, procedure = ?, side = ?, surgeon = ?, "
                         "discharged_on = ? WHERE id = ?",
                         (new.name, new.surgery_date, new.procedure, new.side, new.surgeon, new.discharged_on, patient_id))
        return new

    def discharge(self, patient_id: str, on: date | None) -> Patient:
        """End follow-up on a day; None reopens it."""
        return self.edit_patient(patient_id, lambda p: p._replace(discharged_on=on))

    def remove_patient(self, patient_id: str) -> int:
        """Remove a patient and everything logged for them; returns how many entries went."""
        with self._write() as conn:
            count = conn.scalar("SELECT count(*) FROM entry WHERE patient_id = ?", (patient_id,))
            for table in PATIENT_TABLES:  # explicit, so no database needs ON DELETE CASCADE
                conn.execute(f"DELETE FROM {table} WHERE patient_id = ?", (patient_id,))
            conn.execute("DELETE FROM patient WHERE id = ?", (patient_id,))
            default = _default(conn)
            if default == patient_id:
                conn.execute("DELETE FROM setting WHERE key = ?", (DEFAULT_KEY,))
                default = None
            remaining = [r[0] for r in conn.rows("SELECT id FROM patient LIMIT 2")]
            if default is None and len(remaining) == 1:  # the one patient left is the default
                _set_default(conn, remaining[0])
        return count

    # -- entries -------------------------------------------------------------------------

    def entry(self, patient_id: str, on: date) -> Entry | None:
        with self._read() as conn:
            row = conn.first(f"SELECT {VALUES} FROM entry WHERE patient_id = ? AND date = ?", (patient_id, on))
        return _entry(row) if row else None

    def log(self, patient_id: str, on: date, build: Callable[[Entry | None], Entry],
            replace: bool) -> tuple[Entry, Entry | None]:
        """Save a day's entry in one transaction: read the day's entry, `build` the new one from
        it (build may refuse with RehabError), write it, keeping the old one as a revision.
        Returns (new, old). Two `log --replace` at once queue on the patient's row, so each
        merges into what the other wrote and nothing is lost."""
        now = _now()
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            row = conn.first(f"SELECT id, {VALUES} FROM entry WHERE patient_id = ? AND date = ?", (patient_id, on))
            if row is not None and not replace:
                raise RehabError(f"{on.isoformat()} already has an entry; add --replace to change it (the old values are kept)")
            old = _entry(row[1:]) if row is not None else None
            new = build(old)
            if new.date != on:
                raise ValueError("build must keep the day it was asked for")
            if row is None:
                conn.execute(f"INSERT INTO entry (patient_id, {VALUES}, created_at, updated_at) "
                             f"VALUES (?, {_marks(VALUES)}, ?, ?)", (patient_id, *_entry_values(new), now, now))
            else:
                conn.execute(f"INSERT INTO entry_revision (patient_id, {VALUES}, replaced_at) VALUES (?, {_marks(VALUES)}, ?)",
                             (patient_id, *_entry_values(old), now))
                assignments = ", ".join(f"{c} = ?" for c in _names_of(VALUES))
                conn.execute(f"UPDATE entry SET {assignments}, updated_at = ? WHERE id = ?",
                             (*_entry_values(new), now, row[0]))
            return new, old

    def entries(self, patient_id: str, start: date | None = None, end: date | None = None) -> list[Entry]:
        where, params = ["patient_id = ?"], [patient_id]
        if start is not None:
            where.append("date >= ?")
            params.append(start)
        if end is not None:
            where.append("date <= ?")
            params.append(end)
        with self._read() as conn:
            return [_entry(r) for r in conn.rows(f"SELECT {VALUES} FROM entry WHERE {' AND '.join(where)} ORDER BY date",
                                                 params)]

    def revisions(self, patient_id: str) -> list[Revision]:
        with self._read() as conn:
            rows = conn.rows(f"SELECT {VALUES}, replaced_at FROM entry_revision WHERE patient_id = ? ORDER BY date, id",
                             (patient_id,))
        return [_revision(r) for r in rows]

    # -- acknowledgements ----------------------------------------------------------------

    def acknowledgements(self, patient_id: str) -> list[Acknowledgement]:
        with self._read() as conn:
            rows = conn.rows(f"SELECT {ACK} FROM flag_ack WHERE patient_id = ? ORDER BY date, id", (patient_id,))
        return [_ack(r) for r in rows]

    def acknowledge(self, patient_id: str, ack: Acknowledgement, replace: bool = False) -> None:
        """Record that a flag was seen; one that already was is changed only with `replace`,
        so a second note never silently takes the place of a clinician's first."""
        key = (patient_id, ack.date, ack.rule, ack.subject)
        where = "patient_id = ? AND date = ? AND rule = ? AND subject = ?"
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            row = conn.first(f"SELECT {ACK} FROM flag_ack WHERE {where}", key)
            if row is not None and not replace:
                old = _ack(row)
                seen = _utc(old.acknowledged_at).astimezone().date()  # the day as the user's clock reads it
                raise RehabError(f"this flag was already acknowledged on {seen.isoformat()}"
                                 f"{' by ' + old.by if old.by else ''}; add --replace to change the note")
            if row is not None:  # the earlier one is kept, as a replaced entry is
                conn.execute(f"INSERT INTO flag_ack_revision (patient_id, {ACK}, replaced_at) "
                             f"VALUES (?, {_marks(ACK)}, ?)", (patient_id, *_ack_values(_ack(row)), _now()))
            conn.execute(f"DELETE FROM flag_ack WHERE {where}", key)
            conn.execute(f"INSERT INTO flag_ack (patient_id, {ACK}) VALUES (?, {_marks(ACK)})",
                         (patient_id, *_ack_values(ack)))

    def acknowledgement_revisions(self, patient_id: str) -> list[AcknowledgementRevision]:
        """Acknowledgements as they were before `flags ack --replace`, oldest first."""
        with self._read() as conn:
            rows = conn.rows(f"SELECT {ACK}, replaced_at FROM flag_ack_revision WHERE patient_id = ? ORDER BY id",
                             (patient_id,))
        return [_ack_revision(r) for r in rows]

    # -- the patient's own plan, outcomes ------------------------------------------------

    def adjustments(self, patient_id: str) -> list[Adjustment]:
        """In the order recorded, removed ones too."""
        with self._read() as conn:
            rows = conn.rows(f"SELECT {ADJUSTMENT} FROM plan_adjustment WHERE patient_id = ? ORDER BY id", (patient_id,))
        return [_adjustment(r) for r in rows]

    def add_adjustment(self, patient_id: str, a: Adjustment) -> Adjustment:
        added = a._replace(created_at=a.created_at or _now())
        return added._replace(id=self._add(patient_id, "plan_adjustment", ADJUSTMENT, _adjustment_values(added)))

    def remove_adjustment(self, patient_id: str, adjustment_id: int) -> Adjustment:
        """Takes it out of the plan; the row stays, stamped with removed_at."""
        with self._write() as conn:
            row = conn.first(f"SELECT {ADJUSTMENT} FROM plan_adjustment WHERE patient_id = ? AND id = ?{conn.for_update}",
                             (patient_id, adjustment_id))
            if row is None:
                raise NotFound(f"no plan change {adjustment_id} for {patient_id} (see 'rehab plan list')")
            found = _adjustment(row)
            if found.removed_at is not None:
                return found
            removed = found._replace(removed_at=_now())
            conn.execute("UPDATE plan_adjustment SET removed_at = ? WHERE id = ?", (removed.removed_at, adjustment_id))
        return removed

    def scores(self, patient_id: str, instrument: str | None = None) -> list[Score]:
        """By date, then in the order recorded."""
        where, params = "patient_id = ?", [patient_id]
        if instrument is not None:
            where, params = where + " AND instrument = ?", [patient_id, instrument]
        with self._read() as conn:
            return [_score(r) for r in conn.rows(f"SELECT {SCORE} FROM outcome_score WHERE {where} ORDER BY date, id", params)]

    def add_score(self, patient_id: str, s: Score) -> Score:
        added = s._replace(created_at=s.created_at or _now())
        return added._replace(id=self._add(patient_id, "outcome_score", SCORE, _score_values(added)))

    def measures(self, patient_id: str) -> list[Measure]:
        """By date, then in the order recorded."""
        with self._read() as conn:
            return [_measure(r) for r in conn.rows(f"SELECT {MEASURE} FROM measure WHERE patient_id = ? ORDER BY date, id",
                                                   (patient_id,))]

    def add_measure(self, patient_id: str, m: Measure) -> Measure:
        added = m._replace(created_at=m.created_at or _now())
        return added._replace(id=self._add(patient_id, "measure", MEASURE, _measure_values(added)))

    def _add(self, patient_id: str, table: str, columns: str, values: tuple) -> int:
        """A new row of one of the patient's lists; its id. `values` follow `columns` after id."""
        names = columns.split(", ", 1)[1]
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            return conn.insert(f"INSERT INTO {table} (patient_id, {names}) VALUES (?, {_marks(names)})",
                               (patient_id, *values))

    def reset(self) -> None:
        """Empty every table (rehab demo starts again)."""
        with self._write() as conn:
            for table in (*PATIENT_TABLES, "setting", "patient"):
                conn.execute(f"DELETE FROM {table}")

    # -- whole-database reading and writing ----------------------------------------------

    def records(self, patient_ids: Iterable[str] | None = None, start: date | None = None,
                end: date | None = None, with_times: bool = False) -> Iterator[PatientRecord]:
        """Every patient with everything recorded for them, one patient at a time: a few
        ordered queries walked side by side, so memory does not grow with the clinic and there
        is no query per patient. `with_times` adds when each entry was logged and changed (for
        a backup; reports do without)."""
        wanted = list(patient_ids) if patient_ids is not None else None
        with self._read() as conn:
            def rows(table: str, columns: str, order: str, *conditions: tuple[str, object]):
                where = [c for c, _ in conditions]
                params = [v for _, v in conditions]
                if wanted is not None:
                    where.append(f"patient_id IN ({', '.join('?' * len(wanted)) or 'NULL'})")
                    params.extend(wanted)
                sql = f"SELECT patient_id, {columns} FROM {table}"
                if where:
                    sql += " WHERE " + " AND ".join(where)
                return _Cursor(conn.stream(f"{sql} ORDER BY patient_id, {order}", params))

            span = [c for c in (start and ("date >= ?", start), end and ("date <= ?", end)) if c]
            entries = rows("entry", VALUES + (", created_at, updated_at" if with_times else ""), "date", *span)
            revisions = rows("entry_revision", VALUES + ", replaced_at", "date, id")
            acks = rows("flag_ack", ACK, "date, id")
            ack_revisions = rows("flag_ack_revision", ACK + ", replaced_at", "id")
            adjustments = rows("plan_adjustment", ADJUSTMENT, "id")
            scores = rows("outcome_score", SCORE, "date, id")
            measures = rows("measure", MEASURE, "date, id")
            sql = f"SELECT {PATIENT} FROM patient"
            if wanted is not None:
                sql += f" WHERE id IN ({', '.join('?' * len(wanted)) or 'NULL'})"
            for row in conn.rows(sql + " ORDER BY id", wanted or ()):
                patient = _patient(row)
                pid = patient.id
                taken = entries.take(pid)
                yield PatientRecord(
                    patient,
                    [_entry(r[1:12]) for r in taken],
                    [_revision(r[1:]) for r in revisions.take(pid)],
                    [_ack(r[1:]) for r in acks.take(pid)],
                    [(as_datetime(r[12]), as_datetime(r[13])) for r in taken] if with_times else None,
                    [_adjustment(r[1:]) for r in adjustments.take(pid)],
                    [_score(r[1:]) for r in scores.take(pid)],
                    [_measure(r[1:]) for r in measures.take(pid)],
                    [_ack_revision(r[1:]) for r in ack_revisions.take(pid)],
                )

    def import_records(self, records: list[PatientRecord], default_id: str | None = None) -> None:
        """All or nothing, in one transaction, with bulk inserts. The file's current patient
        becomes the current one if the database has none."""
        if not records:
            return
        with self._write() as conn:
            conn.advisory_lock(PATIENTS_LOCK)
            ids = [r.patient.id for r in records]
            existing: set[str] = set()
            for chunk in _chunks(ids, 500):
                existing |= {r[0] for r in conn.rows(f"SELECT id FROM patient WHERE id IN ({', '.join('?' * len(chunk))})",
                                                     chunk)}
            if existing:
                shown = ", ".join(sorted(existing)[:5]) + (", ..." if len(existing) > 5 else "")
                raise RehabError(f"{len(existing)} patient id(s) in the file already exist ({shown}); nothing was imported")
            now = _now()
            conn.executemany(f"INSERT INTO patient ({PATIENT}) VALUES ({_marks(PATIENT)})",
                             [_patient_values(r.patient._replace(created_at=r.patient.created_at or now)) for r in records])
            entries = ((r.patient.id, *_entry_values(e), *times)
                       for r in records for e, times in zip(r.entries, _entry_times(r, now, conn)))
            _in_batches(conn, f"INSERT INTO entry (patient_id, {VALUES}, created_at, updated_at) "
                              f"VALUES (?, {_marks(VALUES)}, ?, ?)", entries)
            _in_batches(conn, f"INSERT INTO entry_revision (patient_id, {VALUES}, replaced_at) VALUES (?, {_marks(VALUES)}, ?)",
                        ((r.patient.id, *_entry_values(v.entry), v.replaced_at) for r in records for v in r.revisions))
            _in_batches(conn, f"INSERT INTO flag_ack (patient_id, {ACK}) VALUES (?, {_marks(ACK)})",
                        ((r.patient.id, *_ack_values(a)) for r in records for a in r.acknowledgements))
            _in_batches(conn, f"INSERT INTO flag_ack_revision (patient_id, {ACK}, replaced_at) VALUES (?, {_marks(ACK)}, ?)",
                        ((r.patient.id, *_ack_values(v.acknowledgement), v.replaced_at)
                         for r in records for v in r.acknowledgement_revisions))
            _insert_adjustments(conn, records, now)
            for table, columns, lists, values in (("outcome_score", SCORE, "scores", _score_values),
                                                  ("measure", MEASURE, "measures", _measure_values)):
                names = columns.split(", ", 1)[1]
                _in_batches(conn, f"INSERT INTO {table} (patient_id, {names}) VALUES (?, {_marks(names)})",
                            ((r.patient.id, *values(item._replace(created_at=item.created_at or now)))
                             for r in records for item in getattr(r, lists)))
            if _default(conn) is None:
                chosen = default_id if default_id in ids else records[0].patient.id
                conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (DEFAULT_KEY, chosen))

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {name: conn.scalar(f"SELECT count(*) FROM {table}")
                    for name, table in (("patients", "patient"), ("entries", "entry"), ("revisions", "entry_revision"),
                                        ("acknowledgements", "flag_ack"),
                                        ("acknowledgement_revisions", "flag_ack_revision"), ("adjustments", "plan_adjustment"),
                                        ("scores", "outcome_score"), ("measures", "measure"))}


def _empty(path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _in_batches(conn: Connection, sql: str, rows: Iterator[tuple], size: int = 10_000) -> None:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        conn.executemany(sql, chunk)


def _insert_adjustments(conn: Connection, records: list[PatientRecord], now: datetime) -> None:
    """Plan changes keep their ids (what `plan remove ID` names) when none is taken here,
    so a restored backup reads as it was made; otherwise they are numbered afresh."""
    items = [(r.patient.id, a._replace(created_at=a.created_at or now)) for r in records for a in r.adjustments]
    if not items:
        return
    ids = [a.id for _, a in items]
    keep = None not in ids and not any(
        conn.first(f"SELECT 1 FROM plan_adjustment WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        for chunk in _chunks(ids, 500))
    names = ADJUSTMENT if keep else ADJUSTMENT.split(", ", 1)[1]
    conn.executemany(f"INSERT INTO plan_adjustment (patient_id, {names}) VALUES (?, {_marks(names)})",
                     [(pid, *((a.id,) if keep else ()), *_adjustment_values(a))
                      for pid, a in sorted(items, key=lambda item: item[1].id or 0)])
    if keep and conn.kind == "postgresql":  # explicit ids do not move the sequence on
        conn.execute("SELECT setval(pg_get_serial_sequence('plan_adjustment', 'id'), (SELECT max(id) FROM plan_adjustment))")


def _entry_times(record: PatientRecord, now: datetime, conn: Connection) -> Iterator[tuple]:
    """When each entry was logged and changed, as the driver takes them: from the file where
    it says, else now. A time without a zone is UTC, as the database keeps them."""
    if record.entry_times is None:
        stamp = conn.timestamp(now)
        return ((stamp, stamp) for _ in record.entries)
    return ((conn.timestamp(_utc(created) or _utc(updated) or now), conn.timestamp(_utc(updated) or _utc(created) or now))
            for created, updated in record.entry_times)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


class _Cursor:
    """Rows of a result ordered by patient id, taken one patient at a time.

    The patients come in the same ORDER BY patient_id, so rows are matched by equality only:
    comparing ids in Python would disagree with a database collation that, say, ignores
    hyphens (PostgreSQL in most locales) and silently drop rows. Every row belongs to a patient
    (foreign keys), so nothing is ever left behind."""

    def __init__(self, rows: Iterator[tuple]):
        self._rows = rows
        self._next = next(self._rows, None)

    def take(self, patient_id: str) -> list:
        taken = []
        while self._next is not None and self._next[0] == patient_id:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _names_of(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",")]


def _marks(columns: str) -> str:
    return ", ".join("?" * len(_names_of(columns)))


def _columns(columns: str, alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in _names_of(columns))


def _default(conn: Connection) -> str | None:
    """The current patient's id, if one is set."""
    return conn.scalar("SELECT value FROM setting WHERE key = ?", (DEFAULT_KEY,))


def _lock_patient(conn: Connection, patient_id: str) -> tuple:
    """The patient's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite
    holds the whole database from BEGIN IMMEDIATE). NotFound if there is no such patient."""
    row = conn.first(f"SELECT {PATIENT} FROM patient WHERE id = ?{conn.for_update}", (patient_id,))
    if row is None:
        raise NotFound(f"no patient {patient_id!r} (see 'rehab patient list')")
    return row


def _set_default(conn: Connection, patient_id: str) -> None:
    conn.execute("DELETE FROM setting WHERE key = ?", (DEFAULT_KEY,))
    conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (DEFAULT_KEY, patient_id))


# -- rows and records, column by column as the constants above list them ---------------------


def _patient(row) -> Patient:
    pid, name, surgery, procedure, side, surgeon, created, discharged = row
    return Patient(pid, name, as_date(surgery), procedure, side, surgeon, as_datetime(created), as_date(discharged))


def _patient_values(p: Patient) -> tuple:
    return (p.id, p.name, p.surgery_date, p.procedure, p.side, p.surgeon, p.created_at, p.discharged_on)


def _entry(row) -> Entry:
    """An entry from a row of VALUES, by position: a clinic report reads every entry, and
    lookups by name were most of the reading cost."""
    day, pain, weight_bearing, boot, activity, symptoms, milestones, note, temperature, swelling, exercises = row
    return Entry(as_date(day), pain, weight_bearing, None if boot is None else bool(boot), activity, _names(symptoms),
                 _names(milestones), note, temperature, swelling, exercises)


def _revision(row) -> Revision:
    return Revision(_entry(row[:11]), as_datetime(row[11]))


def _names(text: str | None) -> tuple[str, ...]:
    """A stored JSON list; most are empty, and json.loads was a large share of reading."""
    return () if not text or text == "[]" else tuple(json.loads(text))


def _entry_values(e: Entry) -> tuple:
    return (e.date, e.pain, e.weight_bearing, e.boot, e.activity, _json_list(e.symptoms), _json_list(e.milestones),
            e.note, e.temperature, e.swelling, e.exercises)


def _json_list(names: tuple) -> str:
    return json.dumps(list(names)) if names else "[]"


def _ack(row) -> Acknowledgement:
    day, rule, subject, note, by, acknowledged_at = row
    return Acknowledgement(as_date(day), rule, subject or "", note, by, as_datetime(acknowledged_at))


def _ack_revision(row) -> AcknowledgementRevision:
    return AcknowledgementRevision(_ack(row[:6]), as_datetime(row[6]))


def _ack_values(a: Acknowledgement) -> tuple:
    return (a.date, a.rule, a.subject, a.note, a.by, a.acknowledged_at)


def _adjustment(row) -> Adjustment:
    (aid, kind, from_day, until_day, weight_bearing, boot, allow, forbid, pain_ceiling, milestone, note, by,
     created, removed) = row
    return Adjustment(aid, kind, from_day, until_day, weight_bearing, boolean(boot), _names(allow), _names(forbid),
                      pain_ceiling, milestone, note, by, as_datetime(created), as_datetime(removed))


def _adjustment_values(a: Adjustment) -> tuple:
    """In ADJUSTMENT's order, without the id."""
    return (a.kind, a.from_day, a.until_day, a.weight_bearing, a.boot, _json_list(a.allow), _json_list(a.forbid),
            a.pain_ceiling, a.milestone, a.note, a.by, a.created_at, a.removed_at)


def _score(row) -> Score:
    sid, instrument, day, answers, score, created = row
    return Score(sid, instrument, as_date(day), tuple(json.loads(answers)), score, as_datetime(created))


def _score_values(s: Score) -> tuple:
    return (s.instrument, s.date, json.dumps(list(s.answers)), s.score, s.created_at)


def _measure(row) -> Measure:
    mid, name, day, side, value, created = row
    return Measure(mid, name, as_date(day), side, value, as_datetime(created))


def _measure_values(m: Measure) -> tuple:
    return (m.name, m.date, m.side, m.value, m.created_at)


__all__ = ["Store", "open_store", "StoreError"]
