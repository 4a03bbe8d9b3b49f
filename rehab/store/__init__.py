"""The only code that talks to the database. Callers get plain records (rehab.model).

Import this module only inside the commands that need it: SQLAlchemy is most of a
command's start-up time.
"""

from __future__ import annotations

import json
from itertools import islice, repeat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from rehab.errors import NotFound, RehabError, StoreError
from rehab.model import Acknowledgement, Adjustment, Entry, Measure, Patient, PatientRecord, Revision, Score
from rehab.store import engine as _engine
from rehab.store.schema import metadata

_TABLES = metadata().tables
P = _TABLES["patient"]
E = _TABLES["entry"]
R = _TABLES["entry_revision"]
A = _TABLES["flag_ack"]
S = _TABLES["setting"]
ADJ = _TABLES["plan_adjustment"]
SC = _TABLES["outcome_score"]
M = _TABLES["measure"]
# Every table holding a patient's rows, children before the patient.
PATIENT_TABLES = (A, R, E, ADJ, SC, M)

DEFAULT_KEY = "default_patient"
# The columns a day's entry is read from: timestamps stay in the database unless asked for
# (parsing them was a third of a clinic report's reading time).
ENTRY_COLUMNS = [E.c[name] for name in ("patient_id", "date", "pain", "weight_bearing", "boot", "activity",
                                        "symptoms", "milestones", "note", "temperature", "swelling",
                                        "exercises")]
N_ENTRY = len(ENTRY_COLUMNS)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def open_store(db: str | None, create: bool = False) -> Store:
    """The database; only commands that add data (patient add, import, demo) create one, so
    a mistyped --db or a first `rehab today` leaves no empty database behind."""
    return Store(_engine.resolve_url(db), create)


class Store:
    def __init__(self, url: str, create: bool = False):
        self.url = url
        self.engine = _engine.make_engine(url, create)
        _engine.ensure_schema(self.engine, url)

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def _read(self):
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(_engine._operational_message(exc, self.url)) from None
        except DatabaseError:
            raise StoreError(f"{_engine.describe(self.url)} is damaged: restore it from a backup (rehab import)") from None

    @contextmanager
    def _write(self):
        """One transaction: everything in the block is written, or nothing is."""
        try:
            with self.engine.execution_options(rehab_write=True).begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(_engine._operational_message(exc, self.url)) from None
        except IntegrityError as exc:
            raise RehabError(f"the database refused the change: {_first_line(exc.orig)}") from None
        except DatabaseError as exc:
            raise StoreError(f"the database {_engine.describe(self.url)} failed: {_first_line(exc.orig)}") from None

    # -- patients ------------------------------------------------------------------------

    def patients(self) -> list[Patient]:
        with self._read() as conn:
            return [_patient(row) for row in conn.execute(select(P).order_by(P.c.created_at, P.c.id))]

    def default_id(self) -> str | None:
        with self._read() as conn:
            return _default(conn)

    def patient(self, ref: str) -> Patient:
        """By id, or by name (case-insensitive)."""
        with self._read() as conn:
            row = conn.execute(select(P).where(P.c.id == ref.strip().lower())).first()
            if row is None:
                # Names are compared in Python: SQLite's lower() folds ASCII only, and
                # "ZOË ŁUKASIEWICZ" must find Zoë Łukasiewicz on every database.
                wanted = " ".join(ref.split()).casefold()
                rows = [r for r in conn.execute(select(P)) if r.name.casefold() == wanted]
                if len(rows) > 1:
                    ids = ", ".join(r.id for r in rows)
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
            default = _default(conn)
            row = conn.execute(select(P).where(P.c.id == default)).first() if default else None
            if row is not None:
                return _patient(row)
            rows = conn.execute(select(P).order_by(P.c.id).limit(11)).all()
        if not rows:
            raise NotFound("no patients yet: add one with 'rehab patient add NAME --surgery-date D --procedure P'")
        if len(rows) == 1:
            return _patient(rows[0])
        names = ", ".join(r.id for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        raise RehabError(f"several patients and no default: use --patient ({names}) or 'rehab patient use'")

    def add_patient(self, patient: Patient) -> Patient:
        with self._write() as conn:
            if conn.execute(select(P.c.id).where(P.c.id == patient.id)).first():
                raise RehabError(f"a patient with id {patient.id!r} already exists; choose another --id")
            created = patient._replace(created_at=_now())
            conn.execute(insert(P).values(**_patient_values(created)))
            if _default(conn) is None:
                conn.execute(insert(S).values(key=DEFAULT_KEY, value=created.id))
        return created

    def taken_ids(self) -> set[str]:
        with self._read() as conn:
            return set(conn.execute(select(P.c.id)).scalars())

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
                first = conn.execute(select(func.min(E.c.date)).where(E.c.patient_id == patient_id)).scalar()
                if first is not None and first < new.surgery_date:
                    raise RehabError(f"{patient_id} has an entry on {first}, before the new surgery date")
            values = _patient_values(new)
            values.pop("created_at")
            conn.execute(update(P).where(P.c.id == patient_id).values(**values))
        return new

    def discharge(self, patient_id: str, on: date | None) -> Patient:
        """End follow-up on a day; None reopens it."""
        return self.edit_patient(patient_id, lambda p: p._replace(discharged_on=on))

    def remove_patient(self, patient_id: str) -> int:
        """Remove a patient and everything logged for them; returns how many entries went."""
        with self._write() as conn:
            count = conn.execute(select(func.count()).select_from(E).where(E.c.patient_id == patient_id)).scalar()
            for table in PATIENT_TABLES:  # explicit, so no database needs ON DELETE CASCADE
                conn.execute(delete(table).where(table.c.patient_id == patient_id))
            conn.execute(delete(P).where(P.c.id == patient_id))
            default = _default(conn)
            if default == patient_id:
                conn.execute(delete(S).where(S.c.key == DEFAULT_KEY))
                default = None
            remaining = conn.execute(select(P.c.id).limit(2)).scalars().all()
            if default is None and len(remaining) == 1:  # the one patient left is the default
                _set_default(conn, remaining[0])
        return count

    # -- entries -------------------------------------------------------------------------

    def entry(self, patient_id: str, on: date) -> Entry | None:
        with self._read() as conn:
            row = conn.execute(select(*ENTRY_COLUMNS).where(and_(E.c.patient_id == patient_id, E.c.date == on))).first()
        return _entry_columns(row) if row else None

    def log(self, patient_id: str, on: date, build: Callable[[Entry | None], Entry],
            replace: bool) -> tuple[Entry, Entry | None]:
        """Save a day's entry in one transaction: read the day's entry, `build` the new one from
        it (build may refuse with RehabError), write it, keeping the old one as a revision.
        Returns (new, old). Two `log --replace` at once queue on the patient's row, so each
        merges into what the other wrote and nothing is lost."""
        now = _now()
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            row = conn.execute(select(E).where(and_(E.c.patient_id == patient_id, E.c.date == on))).first()
            if row is not None and not replace:
                raise RehabError(f"{on.isoformat()} already has an entry; add --replace to change it (the old values are kept)")
            old = _entry(row) if row is not None else None
            new = build(old)
            if new.date != on:
                raise ValueError("build must keep the day it was asked for")
            values = _entry_values(new)
            if row is None:
                conn.execute(insert(E).values(patient_id=patient_id, created_at=now, updated_at=now, **values))
            else:
                conn.execute(insert(R).values(patient_id=patient_id, replaced_at=now, **_entry_values(old)))
                conn.execute(update(E).where(E.c.id == row.id).values(updated_at=now, **values))
            return new, old

    def entries(self, patient_id: str, start: date | None = None, end: date | None = None) -> list[Entry]:
        query = select(*ENTRY_COLUMNS).where(E.c.patient_id == patient_id)
        if start is not None:
            query = query.where(E.c.date >= start)
        if end is not None:
            query = query.where(E.c.date <= end)
        with self._read() as conn:
            return [_entry_columns(row) for row in conn.execute(query.order_by(E.c.date))]

    def revisions(self, patient_id: str) -> list[Revision]:
        with self._read() as conn:
            rows = conn.execute(select(R).where(R.c.patient_id == patient_id).order_by(R.c.date, R.c.id))
            return [Revision(_entry(row), row.replaced_at) for row in rows]

    # -- acknowledgements ----------------------------------------------------------------

    def acknowledgements(self, patient_id: str) -> list[Acknowledgement]:
        with self._read() as conn:
            rows = conn.execute(select(A).where(A.c.patient_id == patient_id).order_by(A.c.date, A.c.id))
            return [_ack(row) for row in rows]

    def acknowledge(self, patient_id: str, ack: Acknowledgement, replace: bool = False) -> None:
        """Record that a flag was seen; one that already was is changed only with `replace`,
        so a second note never silently takes the place of a clinician's first."""
        with self._write() as conn:
            where = and_(A.c.patient_id == patient_id, A.c.date == ack.date, A.c.rule == ack.rule, A.c.subject == ack.subject)
            row = conn.execute(select(A).where(where)).first()
            if row is not None and not replace:
                old = _ack(row)
                seen = _utc(old.acknowledged_at).astimezone().date()  # the day as the user's clock reads it
                raise RehabError(f"this flag was already acknowledged on {seen.isoformat()}"
                                 f"{' by ' + old.by if old.by else ''}; add --replace to change the note")
            conn.execute(delete(A).where(where))
            conn.execute(insert(A).values(patient_id=patient_id, **_ack_values(ack)))

    # -- the patient's own plan, outcomes ------------------------------------------------

    def adjustments(self, patient_id: str) -> list[Adjustment]:
        """In the order recorded, removed ones too."""
        with self._read() as conn:
            return [_adjustment(r) for r in conn.execute(select(ADJ).where(ADJ.c.patient_id == patient_id).order_by(ADJ.c.id))]

    def add_adjustment(self, patient_id: str, a: Adjustment) -> Adjustment:
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            added = a._replace(created_at=a.created_at or _now())
            values = _adjustment_values(added)
            new_id = conn.execute(insert(ADJ).values(patient_id=patient_id, **values).returning(ADJ.c.id)).scalar()
        return added._replace(id=new_id)

    def remove_adjustment(self, patient_id: str, adjustment_id: int) -> Adjustment:
        """Takes it out of the plan; the row stays, stamped with removed_at."""
        with self._write() as conn:
            where = and_(ADJ.c.patient_id == patient_id, ADJ.c.id == adjustment_id)
            row = conn.execute(select(ADJ).where(where)).first()
            if row is None:
                raise NotFound(f"no plan change {adjustment_id} for {patient_id} (see 'rehab plan list')")
            found = _adjustment(row)
            if found.removed_at is not None:
                return found
            removed = found._replace(removed_at=_now())
            conn.execute(update(ADJ).where(where).values(removed_at=removed.removed_at))
        return removed

    def scores(self, patient_id: str, instrument: str | None = None) -> list[Score]:
        """By date, then in the order recorded."""
        query = select(SC).where(SC.c.patient_id == patient_id)
        if instrument is not None:
            query = query.where(SC.c.instrument == instrument)
        with self._read() as conn:
            return [_score(r) for r in conn.execute(query.order_by(SC.c.date, SC.c.id))]

    def add_score(self, patient_id: str, s: Score) -> Score:
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            added = s._replace(created_at=s.created_at or _now())
            new_id = conn.execute(insert(SC).values(patient_id=patient_id, **_score_values(added)).returning(SC.c.id)).scalar()
        return added._replace(id=new_id)

    def measures(self, patient_id: str) -> list[Measure]:
        """By date, then in the order recorded."""
        with self._read() as conn:
            return [_measure(r) for r in conn.execute(select(M).where(M.c.patient_id == patient_id).order_by(M.c.date, M.c.id))]

    def add_measure(self, patient_id: str, m: Measure) -> Measure:
        with self._write() as conn:
            _lock_patient(conn, patient_id)
            added = m._replace(created_at=m.created_at or _now())
            new_id = conn.execute(insert(M).values(patient_id=patient_id, **_measure_values(added)).returning(M.c.id)).scalar()
        return added._replace(id=new_id)

    def reset(self) -> None:
        """Empty every table (rehab demo starts again)."""
        with self._write() as conn:
            for table in (*PATIENT_TABLES, S, P):
                conn.execute(delete(table))

    # -- whole-database reading and writing ----------------------------------------------

    def records(self, patient_ids: Iterable[str] | None = None, start: date | None = None,
                end: date | None = None, with_times: bool = False) -> Iterator[PatientRecord]:
        """Every patient with their entries, revisions and acknowledgements, one patient at
        a time: a few ordered queries walked side by side, so memory does not grow with the
        clinic and there is no query per patient. `with_times` adds when each entry was
        logged and changed (for a backup; reports do without)."""
        wanted = list(patient_ids) if patient_ids is not None else None
        with self._read() as conn:
            def rows(table, order, *conditions, columns=None):
                query = select(*(columns or [table])).order_by(table.c.patient_id, *order)
                if wanted is not None:
                    query = query.where(table.c.patient_id.in_(wanted))
                for condition in conditions:
                    query = query.where(condition)
                return _Cursor(conn.execution_options(stream_results=True, yield_per=2000).execute(query))

            range_e = [c for c in (start and E.c.date >= start, end and E.c.date <= end) if c is not None]
            times = [E.c.created_at, E.c.updated_at] if with_times else []
            entries = rows(E, [E.c.date], *range_e, columns=ENTRY_COLUMNS + times)
            revisions = rows(R, [R.c.date, R.c.id])
            acks = rows(A, [A.c.date, A.c.id])
            adjustments = rows(ADJ, [ADJ.c.id])
            scores = rows(SC, [SC.c.date, SC.c.id])
            measures = rows(M, [M.c.date, M.c.id])
            query = select(P).order_by(P.c.id)
            if wanted is not None:
                query = query.where(P.c.id.in_(wanted))
            for row in conn.execute(query).all():
                patient = _patient(row)
                taken = entries.take(patient.id)
                yield PatientRecord(
                    patient,
                    [_entry_columns(r[:N_ENTRY] if with_times else r) for r in taken],
                    [Revision(_entry(r), r.replaced_at) for r in revisions.take(patient.id)],
                    [_ack(r) for r in acks.take(patient.id)],
                    [(r.created_at, r.updated_at) for r in taken] if with_times else None,
                    [_adjustment(r) for r in adjustments.take(patient.id)],
                    [_score(r) for r in scores.take(patient.id)],
                    [_measure(r) for r in measures.take(patient.id)],
                )

    def import_records(self, records: list[PatientRecord], default_id: str | None = None) -> None:
        """All or nothing, in one transaction, with bulk inserts. The file's current patient
        becomes the current one if the database has none."""
        if not records:
            return
        with self._write() as conn:
            ids = [r.patient.id for r in records]
            existing = set()
            for chunk in _chunks(ids, 500):
                existing |= set(conn.execute(select(P.c.id).where(P.c.id.in_(chunk))).scalars())
            if existing:
                shown = ", ".join(sorted(existing)[:5]) + (", ..." if len(existing) > 5 else "")
                raise RehabError(f"{len(existing)} patient id(s) in the file already exist ({shown}); nothing was imported")
            now = _now()
            conn.execute(insert(P), [_patient_values(r.patient._replace(created_at=r.patient.created_at or now)) for r in records])
            if conn.dialect.name == "sqlite":
                _insert_entries_sqlite(conn, records, now)
            else:
                _insert_entries(conn, records, now)
            revisions = [{"patient_id": r.patient.id, "replaced_at": v.replaced_at, **_entry_values(v.entry)}
                         for r in records for v in r.revisions]
            if revisions:
                conn.execute(insert(R), revisions)
            acks = [{"patient_id": r.patient.id, **_ack_values(a)} for r in records for a in r.acknowledgements]
            if acks:
                conn.execute(insert(A), acks)
            _insert_adjustments(conn, records, now)
            for table, lists, values in ((SC, "scores", _score_values), (M, "measures", _measure_values)):
                rows = [{"patient_id": r.patient.id, **values(item._replace(created_at=item.created_at or now))}
                        for r in records for item in getattr(r, lists)]
                if rows:
                    conn.execute(insert(table), rows)
            if _default(conn) is None:
                chosen = default_id if default_id in ids else records[0].patient.id
                conn.execute(insert(S).values(key=DEFAULT_KEY, value=chosen))

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {name: conn.execute(select(func.count()).select_from(t)).scalar()
                    for name, t in (("patients", P), ("entries", E), ("revisions", R), ("acknowledgements", A),
                                    ("adjustments", ADJ), ("scores", SC), ("measures", M))}


def _insert_adjustments(conn, records: list[PatientRecord], now: datetime) -> None:
    """Plan changes keep their ids (what `plan remove ID` names) when none is taken here,
    so a restored backup reads as it was made; otherwise they are numbered afresh."""
    items = [(r.patient.id, a._replace(created_at=a.created_at or now)) for r in records for a in r.adjustments]
    if not items:
        return
    ids = [a.id for _, a in items]
    keep = None not in ids and not any(
        conn.execute(select(ADJ.c.id).where(ADJ.c.id.in_(chunk)).limit(1)).first() for chunk in _chunks(ids, 500))
    conn.execute(insert(ADJ), [{"patient_id": pid, **_adjustment_values(a), **({"id": a.id} if keep else {})}
                               for pid, a in sorted(items, key=lambda item: item[1].id or 0)])
    if keep and conn.dialect.name == "postgresql":  # explicit ids do not move the sequence on
        conn.execute(text("SELECT setval(pg_get_serial_sequence('plan_adjustment', 'id'), "
                          "(SELECT max(id) FROM plan_adjustment))"))


def _entry_times(record: PatientRecord, now: datetime) -> Iterator[tuple[datetime, datetime]]:
    """When each entry was logged and changed: from the file where it says, else now. A
    time without a zone is UTC, as the database keeps them."""
    if record.entry_times is None:
        return ((now, now) for _ in record.entries)
    return ((_utc(created) or _utc(updated) or now, _utc(updated) or _utc(created) or now)
            for created, updated in record.entry_times)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _insert_entries(conn, records: list[PatientRecord], now: datetime) -> None:
    batch: list[dict] = []
    for record in records:
        for entry, (created, updated) in zip(record.entries, _entry_times(record, now)):
            batch.append({"patient_id": record.patient.id, "created_at": created, "updated_at": updated,
                          **_entry_values(entry)})
            if len(batch) >= 5000:
                conn.execute(insert(E), batch)
                batch = []
    if batch:
        conn.execute(insert(E), batch)


_SQLITE_INSERT_ENTRY = (
    "INSERT INTO entry (patient_id, date, pain, weight_bearing, boot, activity, symptoms, milestones, note, "
    "temperature, swelling, exercises, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _insert_entries_sqlite(conn, records: list[PatientRecord], now: datetime) -> None:
    """The bulk of an import, as the driver's executemany over plain tuples: values in the
    form SQLAlchemy itself stores on SQLite (ISO dates, 0/1, UTC timestamps), without its
    per-value conversion, which made import three times its floor."""
    stamp = _sqlite_stamp(now)
    rows = (
        (record.patient.id, e.date.isoformat(), e.pain, e.weight_bearing, None if e.boot is None else int(e.boot),
         e.activity, _json_list(e.symptoms), _json_list(e.milestones), e.note, e.temperature, e.swelling,
         e.exercises, *times)
        for record in records
        for e, times in zip(record.entries, repeat((stamp, stamp)) if record.entry_times is None else
                            ((_sqlite_stamp(c), _sqlite_stamp(u)) for c, u in _entry_times(record, now)))
    )
    while chunk := list(islice(rows, 10_000)):
        conn.exec_driver_sql(_SQLITE_INSERT_ENTRY, chunk)


def _sqlite_stamp(moment: datetime) -> str:
    """A timestamp as SQLAlchemy stores one on SQLite: UTC, without the zone."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class _Cursor:
    """Rows of a result ordered by patient id, taken one patient at a time.

    The patients come in the same ORDER BY patient_id, so rows are matched by equality only:
    comparing ids in Python would disagree with a database collation that, say, ignores
    hyphens (PostgreSQL in most locales) and silently drop rows. Every row belongs to a patient
    (foreign keys), so nothing is ever left behind."""

    def __init__(self, result):
        self._rows = iter(result)
        self._next = next(self._rows, None)

    def take(self, patient_id: str) -> list:
        taken = []
        while self._next is not None and self._next.patient_id == patient_id:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _default(conn) -> str | None:
    """The current patient's id, if one is set."""
    return conn.execute(select(S.c.value).where(S.c.key == DEFAULT_KEY)).scalar()


def _lock_patient(conn, patient_id: str):
    """The patient's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite
    holds the whole database from BEGIN IMMEDIATE). NotFound if there is no such patient."""
    row = conn.execute(select(P).where(P.c.id == patient_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"no patient {patient_id!r} (see 'rehab patient list')")
    return row


def _set_default(conn, patient_id: str) -> None:
    conn.execute(delete(S).where(S.c.key == DEFAULT_KEY))
    conn.execute(insert(S).values(key=DEFAULT_KEY, value=patient_id))


def _first_line(exc) -> str:
    return str(exc).splitlines()[0] if exc else "unknown error"


def _patient(row) -> Patient:
    return Patient(id=row.id, name=row.name, surgery_date=row.surgery_date, procedure=row.procedure,
                   side=row.side, surgeon=row.surgeon, created_at=row.created_at, discharged_on=row.discharged_on)


def _patient_values(p: Patient) -> dict:
    return {"id": p.id, "name": p.name, "surgery_date": p.surgery_date, "procedure": p.procedure,
            "side": p.side, "surgeon": p.surgeon, "created_at": p.created_at, "discharged_on": p.discharged_on}


def _entry_columns(row) -> Entry:
    """An entry from a row of ENTRY_COLUMNS, by position: a clinic report reads every entry,
    and lookups by name were most of the reading cost."""
    _, day, pain, weight_bearing, boot, activity, symptoms, milestones, note, temperature, swelling, exercises = row
    return Entry(day, pain, weight_bearing, boot, activity, _names(symptoms), _names(milestones), note,
                 temperature, swelling, exercises)


def _entry(row) -> Entry:
    return Entry(date=row.date, pain=row.pain, weight_bearing=row.weight_bearing, boot=row.boot,
                 activity=row.activity, symptoms=_names(row.symptoms), milestones=_names(row.milestones),
                 note=row.note, temperature=row.temperature, swelling=row.swelling, exercises=row.exercises)


def _names(text: str | None) -> tuple[str, ...]:
    """A stored JSON list; most are empty, and json.loads was a large share of reading."""
    return () if not text or text == "[]" else tuple(json.loads(text))


def _entry_values(e: Entry) -> dict:
    return {"date": e.date, "pain": e.pain, "weight_bearing": e.weight_bearing, "boot": e.boot,
            "activity": e.activity, "symptoms": _json_list(e.symptoms),
            "milestones": _json_list(e.milestones), "note": e.note, "temperature": e.temperature,
            "swelling": e.swelling, "exercises": e.exercises}


def _json_list(names: tuple[str, ...]) -> str:
    return json.dumps(list(names)) if names else "[]"


def _ack(row) -> Acknowledgement:
    return Acknowledgement(date=row.date, rule=row.rule, subject=row.subject or "", note=row.note,
                           by=row.by, acknowledged_at=row.acknowledged_at)


def _ack_values(a: Acknowledgement) -> dict:
    return {"date": a.date, "rule": a.rule, "subject": a.subject, "note": a.note, "by": a.by,
            "acknowledged_at": a.acknowledged_at}


def _adjustment(row) -> Adjustment:
    return Adjustment(id=row.id, kind=row.kind, from_day=row.from_day, until_day=row.until_day,
                      weight_bearing=row.weight_bearing, boot=row.boot, allow=_names(row.allow),
                      forbid=_names(row.forbid), pain_ceiling=row.pain_ceiling, milestone=row.milestone,
                      note=row.note, by=row.by, created_at=row.created_at, removed_at=row.removed_at)


def _adjustment_values(a: Adjustment) -> dict:
    values = a._asdict()
    values.pop("id")
    values["allow"], values["forbid"] = _json_list(a.allow), _json_list(a.forbid)
    return values


def _score(row) -> Score:
    return Score(id=row.id, instrument=row.instrument, date=row.date, answers=tuple(json.loads(row.answers)),
                 score=row.score, created_at=row.created_at)


def _score_values(s: Score) -> dict:
    return {"instrument": s.instrument, "date": s.date, "answers": json.dumps(list(s.answers)), "score": s.score,
            "created_at": s.created_at}


def _measure(row) -> Measure:
    return Measure(id=row.id, name=row.name, date=row.date, side=row.side, value=row.value, created_at=row.created_at)


def _measure_values(m: Measure) -> dict:
    return {"name": m.name, "date": m.date, "side": m.side, "value": m.value, "created_at": m.created_at}
