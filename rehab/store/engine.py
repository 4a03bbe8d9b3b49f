"""Opening the database: where it lives, SQLite settings, and bringing the schema up to date.

Everything SQLite-specific lives here, so the rest of the store runs on any SQL database
SQLAlchemy speaks (clinics will point --db at a shared PostgreSQL server).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from rehab.errors import NotFound, RehabError, StoreError

# The newest migration in store/migrations/versions. A database stamped with it opens with
# one small query and no Alembic import.
HEAD_REVISION = "0003"
KNOWN_REVISIONS = ("0001", "0002", "0003")
BUSY_TIMEOUT_S = 30


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("rehab", appauthor=False)) / "rehab.db"


def resolve_url(db: str | None) -> str:
    """A plain path is a SQLite file; anything with '://' is an SQLAlchemy URL."""
    if db and "://" in db:
        return db
    path = Path(db).expanduser() if db else default_path()
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (also the `file:PATH?mode=ro&uri=true` form), else None."""
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = parsed.database
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database)


def _read_only(url: str) -> bool:
    parsed = _parse_url(url)
    return parsed.query.get("mode") == "ro" or "mode=ro" in (parsed.database or "")


def _parse_url(url: str):
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise RehabError(f"cannot read the database URL {url!r}: give a file path or a URL like postgresql://host/db") from None


def _prepare_file(path: Path) -> None:
    """Create the folder and an empty file, owner-only, before SQLite touches them."""
    if path.is_dir():
        raise RehabError(f"{path} is a folder; --db needs a database file")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
    except FileExistsError:
        pass  # another process created it at the same moment
    except OSError as exc:
        raise StoreError(f"cannot create the database at {path}: {exc.strerror}") from None


def make_engine(url: str, create: bool = False) -> Engine:
    path = sqlite_path(url)
    if path is None:
        engine = _create(url)
        if engine.dialect.name == "postgresql":
            @event.listens_for(engine, "connect")
            def _utc(dbapi_connection, _record):
                # Timestamps are UTC: a column without a zone (databases made by the first
                # migrations) would otherwise be read and written in the session's zone,
                # which the server or PGTZ sets.
                cursor = dbapi_connection.cursor()
                cursor.execute("SET TIME ZONE 'UTC'")
                cursor.close()
                dbapi_connection.commit()
        return engine
    if path.is_dir():
        raise RehabError(f"{path} is a folder; --db needs a database file")
    if not path.exists() and (_read_only(url) or not create):
        if path == default_path():
            raise NotFound("no patients yet: add one with 'rehab patient add NAME --surgery-date D --procedure P'")
        raise NotFound(f"no database at {path} (check --db; 'rehab patient add' or 'rehab import' creates one)")
    if not _read_only(url):
        _prepare_file(path)
    # hide_parameters: a --debug traceback must not print the patient's values.
    engine = _create(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let us issue BEGIN ourselves (below), and switch on what SQLite leaves off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if os.access(path, os.W_OK) and not _read_only(url):
            # WAL lets readers go on while one process writes.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write takes the write lock up front, so two writers queue on the busy timeout
        # instead of one failing with "database is locked" when it upgrades its lock.
        if conn.get_execution_options().get("rehab_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _create(url: str, **options) -> Engine:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    backend = _parse_url(url).get_backend_name()
    try:
        return create_engine(url, hide_parameters=True, **options)
    except NoSuchModuleError:
        raise RehabError(f"rehab cannot use {backend!r} databases; give a SQLite path or an SQLAlchemy URL") from None
    except ModuleNotFoundError as exc:
        raise RehabError(f"the database driver for {backend} is not installed ({exc.name}): install it with pip") from None
    except ArgumentError as exc:
        raise RehabError(f"cannot use the database URL: {exc}") from None


def describe(url: str) -> str:
    """How to name the database in a message: its path, or the URL without a password."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def ensure_schema(engine: Engine, url: str) -> None:
    """Create a new database at the newest revision, or upgrade an older one in place."""
    if _current_revision_quickly(engine) == HEAD_REVISION:
        return
    writer = engine.execution_options(rehab_write=True)
    try:
        with writer.begin() as conn:
            current = _revision(conn)  # again, under the write lock
            if current == HEAD_REVISION:
                return
            if current is None and not inspect(conn).has_table("patient"):
                from rehab.store.schema import from_classes

                from_classes().create_all(conn)
                conn.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
                conn.execute(text("DELETE FROM alembic_version"))
                conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": HEAD_REVISION})
                return
        if current is not None and current not in KNOWN_REVISIONS:
            raise StoreError(f"{describe(url)} was made by a newer version of rehab (schema {current}); upgrade rehab to open it")
        _upgrade(engine, url, current)
    except StoreError:
        raise
    except OperationalError as exc:
        raise StoreError(_operational_message(exc, url)) from None
    except DatabaseError:
        raise StoreError(f"{describe(url)} is not a rehab database (or it is damaged)") from None


def _current_revision_quickly(engine: Engine) -> str | None:
    """One query, no schema inspection: what every command pays on a current database.
    Any failure (no such table, not a database) is left to the careful path."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError:
        return None


def _revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(engine: Engine, url: str, current: str | None) -> None:
    """Copy the file to a dated backup beside it, then run the Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    path = sqlite_path(url)
    if path is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.stem}.backup-{stamp}-r{current or 'none'}{path.suffix}")
        with engine.connect() as conn:  # fold the WAL into the file so the copy is whole
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
        os.chmod(backup, 0o600)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.execution_options(rehab_write=True).begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, HEAD_REVISION)


def _operational_message(exc: OperationalError, url: str) -> str:
    # One line: drivers add hints on lines of their own ("Is the server running ...?").
    detail = " ".join((str(exc.orig) if exc.orig else str(exc)).split())
    where = describe(url)
    if "readonly" in detail or "read-only" in detail:
        return f"the database {where} is read-only; nothing was written"
    if "disk" in detail and "full" in detail:
        return f"the disk holding {where} is full; nothing was written"
    if "unable to open" in detail:
        return f"cannot open the database {where}"
    if "locked" in detail:
        return f"the database {where} is busy (another rehab is writing); try again"
    if "file is not a database" in detail:
        return f"{where} is not a rehab database (or it is damaged)"
    return f"the database {where} could not be used: {detail}"
