"""Creating and upgrading the schema: Alembic, and nothing else, changes it.

The schema is defined once, by the SQLModel classes in rehab.store.tables; the migrations in
store/migrations/versions bring any database to it, a new one included (revision 0001 up).
Which revision is the newest is read from those scripts. Only a database that is not yet at
that revision comes here, so SQLAlchemy and Alembic are imported only then.
"""

from __future__ import annotations

import os
import re
import sqlite3
from functools import lru_cache
from pathlib import Path

from rehab.errors import StoreError
from rehab.store.connection import BUSY_TIMEOUT_S, message
from rehab.store.location import Location

MIGRATIONS = Path(__file__).parent / "migrations"
# Any number that is rehab's: PostgreSQL advisory lock keys are shared by everything on the
# server. Held while a schema is created or upgraded, so eight first `patient add` queue.
SCHEMA_LOCK = 0x7265_6861_6201  # "rehab" 1


@lru_cache(maxsize=1)
def revisions() -> tuple[tuple[str, ...], str]:
    """Every revision id the migration scripts know, and the newest (the one no script
    revises), read from their `revision = ...` and `down_revision = ...` lines."""
    known, revised = [], set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        found = re.search(r'^revision\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
        if found:
            known.append(found.group(1))
            down = re.search(r'^down_revision\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
            if down:
                revised.add(down.group(1))
    heads = [r for r in known if r not in revised]
    if len(heads) != 1:
        raise StoreError(f"the migration scripts have {len(heads)} newest revisions ({', '.join(heads)}); expected one")
    return tuple(known), heads[0]


def head() -> str:
    return revisions()[1]


def ensure(location: Location) -> None:
    """Bring the database to the newest revision: create an empty one, upgrade an older one
    (a SQLite file is first copied to a dated backup beside it). A database holding other
    tables, or made by a newer rehab, is refused and left as it was."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    engine = _engine(location)
    try:
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE (see _engine); one transaction
            if location.kind == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            current = _current(conn, location)  # again, under the lock
            if current == head():
                return
            if current is not None and location.kind == "sqlite":
                backup(location, current)
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, head())
    except StoreError:
        raise
    except OperationalError as exc:
        raise StoreError(message(str(exc.orig) if exc.orig else str(exc), location.describe(),
                                 location.path.parent if location.path else None)) from None
    except DatabaseError as exc:
        raise StoreError(f"{location.describe()} is not a rehab database (or it is damaged): {_first_line(exc.orig)}") from None
    finally:
        engine.dispose()


def _current(conn, location: Location) -> str | None:
    from sqlalchemy import inspect

    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(f"{location.describe()} is not a rehab database: it holds other tables ({shown}); "
                             "nothing was changed")
        return None
    current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if current is not None and current not in revisions()[0]:
        raise StoreError(f"{location.describe()} was made by a newer version of rehab (schema {current}); "
                         "upgrade rehab to open it")
    return current


def _engine(location: Location):
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    if location.kind == "postgresql":
        engine = create_engine("postgresql+psycopg://" + location.conninfo.split("://", 1)[1], poolclass=NullPool,
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _utc(dbapi_connection, _record):
            dbapi_connection.execute("SET TIME ZONE 'UTC'")
            dbapi_connection.commit()

        return engine

    def connect():
        # The same file the store opens, by path: never through a URL that would read '?'
        # or '%' in its name.
        target = location.uri or str(location.path)
        raw = sqlite3.connect(target, uri=bool(location.uri), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        return raw

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before anything is read

    return engine


def backup(location: Location, current: str) -> Path | None:
    """A whole copy of the file as it is, beside it, owner-only, before an upgrade. Written to
    a temporary file and renamed: a full disk leaves no truncated backup behind. A copy
    identical to an earlier backup of the same revision (an upgrade that failed and is tried
    again) is not kept twice."""
    import tempfile
    from datetime import datetime

    path = location.path
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    final = path.with_name(f"{path.stem}.backup-{stamp}-r{current}{path.suffix}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".backup-tmp")  # 0600
    os.close(fd)
    try:
        source = sqlite3.connect(location.uri or str(path), uri=bool(location.uri), timeout=BUSY_TIMEOUT_S)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # a consistent copy, WAL included
        finally:
            target.close()
            source.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        digest = _digest(Path(tmp))
        for earlier in path.parent.glob(f"{path.stem}.backup-*-r{current}{path.suffix}"):
            if _digest(earlier) == digest:
                os.unlink(tmp)
                return earlier
        os.replace(tmp, final)
        return final
    except (OSError, sqlite3.Error) as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        detail = getattr(exc, "strerror", None) or str(exc)
        if "full" in detail.lower() or getattr(exc, "errno", None) == 28:
            raise StoreError(f"the disk holding {path} is full: no room for the backup made before an upgrade; "
                             "nothing was changed") from None
        raise StoreError(f"cannot back up {path} before upgrading it ({detail}); nothing was changed") from None


def _digest(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _first_line(exc) -> str:
    return str(exc).splitlines()[0] if exc else "unknown error"
