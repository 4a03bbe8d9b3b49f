"""The one place where SQLite and PostgreSQL differ: connecting, placeholders, how dates,
times and booleans travel, transactions, row locks and the drivers' errors.

The store writes its SQL once, with `?` placeholders, and reads rows as tuples; values come
back as Python dates, UTC datetimes, bools (via `boolean`), floats and text on both.
The standard library's sqlite3 serves SQLite files; psycopg (3), imported only for a
PostgreSQL URL, serves servers.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from rehab.store.location import Location

BUSY_TIMEOUT_S = 30


def _sqlite_datetime(moment: datetime) -> str:
    """A time as SQLAlchemy stored them on SQLite (the first releases did): UTC, no zone."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds")


# How dates and times are written to a SQLite file (sqlite3 looks these up by exact type).
sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(datetime, _sqlite_datetime)


def as_date(value) -> date | None:
    """A DATE column's value: a date from psycopg, ISO text from SQLite."""
    return value if value is None or type(value) is date else date.fromisoformat(value)


def as_datetime(value) -> datetime | None:
    """A DATETIME column's value: stored as UTC (with the zone or without), read as UTC with
    the zone, as the tables' UTCDateTime columns define them."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def boolean(value) -> bool | None:
    """A BOOLEAN column's value: a bool from psycopg, 0/1 from SQLite."""
    return None if value is None else bool(value)


class Connection:
    """One connection to one database, with the few operations the store needs."""

    def __init__(self, raw, kind: str, driver):
        self.raw = raw
        self.kind = kind
        # The DB-API module: its OperationalError, IntegrityError and DatabaseError classes.
        self.driver = driver
        self._statements: dict[str, str] = {}
        self._cursors = 0
        self.wal = False
        # Locks a row until the transaction ends; SQLite holds the whole file from BEGIN
        # IMMEDIATE, so it needs (and knows) no row locks.
        self.for_update = " FOR UPDATE" if kind == "postgresql" else ""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, location: Location) -> Connection:
        if location.kind == "sqlite":
            return cls._sqlite(location)
        return cls._postgresql(location)

    @classmethod
    def _sqlite(cls, location: Location) -> Connection:
        # isolation_level=None: transactions are the BEGINs issued below, nothing implicit.
        path = location.path
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        uri = location.uri
        if uri is None and not os.access(path.parent, os.W_OK):
            # A folder nobody can write in (a read-only medium, a shared read-only copy): a
            # WAL database cannot make its -shm file there, and nobody can change the file
            # either, so it is read as immutable; a write is refused as read-only.
            side_files = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
            uri = path.as_uri() + ("?mode=ro" if side_files else "?immutable=1")
        if uri:
            raw = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        else:
            raw = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            raw.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error:
            raw.close()
            raise
        connection = cls(raw, "sqlite", sqlite3)
        connection.wal = not location.read_only and writable
        return connection

    def settle(self) -> None:
        """Once the database is known to be rehab's: SQLite's WAL, which lets readers go on
        while one process writes (switching changes the file, so never on someone else's)."""
        if self.kind == "sqlite" and self.wal:
            if self.raw.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                try:
                    self.raw.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError:
                    pass  # busy: another rehab is switching it at this moment (it stays switched)
            self.raw.execute("PRAGMA synchronous = NORMAL")

    @classmethod
    def _postgresql(cls, location: Location) -> Connection:
        import psycopg

        raw = psycopg.connect(location.conninfo, autocommit=True, connect_timeout=15)
        # Timestamps are UTC: a column without a zone would otherwise be read and written in
        # the session's zone, which the server or PGTZ sets.
        raw.execute("SET TIME ZONE 'UTC'")
        return cls(raw, "postgresql", psycopg)

    def timestamp(self, moment: datetime):
        """A time as this driver takes it: formatted once here for SQLite (a bulk import
        stamps a hundred thousand rows with the same moment)."""
        return _sqlite_datetime(moment) if self.kind == "sqlite" else moment

    def close(self) -> None:
        try:
            self.raw.close()
        except self.driver.Error:
            pass

    # -- statements ----------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        """The statement in the driver's placeholder style (sqlite3: ?, psycopg: %s)."""
        if self.kind == "sqlite":
            return text
        converted = self._statements.get(text)
        if converted is None:
            converted = self._statements[text] = text.replace("%", "%%").replace("?", "%s")
        return converted

    def execute(self, text: str, params: Iterable = ()):
        cursor = self.raw.cursor()
        cursor.execute(self._sql(text), tuple(params))
        return cursor

    def rows(self, text: str, params: Iterable = ()) -> list[tuple]:
        return self.execute(text, params).fetchall()

    def first(self, text: str, params: Iterable = ()) -> tuple | None:
        return self.execute(text, params).fetchone()

    def scalar(self, text: str, params: Iterable = ()):
        row = self.first(text, params)
        return row[0] if row else None

    def insert(self, text: str, params: Iterable = ()) -> int:
        """An INSERT ... RETURNING id; the new row's id."""
        return self.first(text + " RETURNING id", params)[0]

    def executemany(self, text: str, rows: Iterable[tuple]) -> None:
        self.raw.cursor().executemany(self._sql(text), rows)

    def stream(self, text: str, params: Iterable = ()) -> Iterator[tuple]:
        """Rows fetched as they are walked, not all at once (a clinic report reads them all).
        On PostgreSQL a server-side cursor, which lives until the transaction ends."""
        if self.kind == "sqlite":
            return iter(self.execute(text, params))
        self._cursors += 1
        cursor = self.raw.cursor(name=f"rehab_rows_{self._cursors}")
        cursor.itersize = 2000
        cursor.execute(self._sql(text), tuple(params))
        return iter(cursor)

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool):
        """Everything in the block is one transaction: written whole, or not at all. A write
        takes SQLite's write lock up front, so two writers queue on the busy timeout instead
        of one failing with "database is locked" when it upgrades its lock."""
        if self.kind == "postgresql":
            with self.raw.transaction():
                yield self
            return
        self.raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield self
        except BaseException:
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def advisory_lock(self, key: int) -> None:
        """Serialise with every other rehab doing the same kind of change (PostgreSQL only; a
        SQLite write already holds the whole file), until the transaction ends."""
        if self.kind == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(?)", (key,))


def message(detail: str, where: str, folder=None) -> str:
    """One line for what a driver said went wrong (drivers add hints on lines of their own).
    `folder`: where a SQLite file lives, to tell a full disk from another I/O error (SQLite
    says only "disk I/O error" when a write to its WAL finds no room)."""
    detail = " ".join(detail.split())
    lowered = detail.lower()
    if "disk i/o error" in lowered and folder is not None and _nearly_full(folder):
        lowered = "disk full"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only; nothing was written"
    if ("disk" in lowered and "full" in lowered) or "no space left" in lowered:
        return f"the disk holding {where} is full; nothing was written"
    if "unable to open" in lowered:
        return f"cannot open the database {where}"
    if "locked" in lowered:
        return f"the database {where} is busy (another rehab is writing); try again"
    if "file is not a database" in lowered:
        return f"{where} is not a rehab database (or it is damaged)"
    if "malformed" in lowered:
        return f"{where} is damaged: restore it from a backup (rehab import)"
    return f"the database {where} could not be used: {detail}"


def _nearly_full(folder) -> bool:
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False
    return info.f_bavail * info.f_frsize < 256 * 1024
