"""Where the database is: --db or REHAB_DB read as a SQLite file or a PostgreSQL URL.

No database library is imported here: every command that opens a database reads this.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from rehab.errors import NotFound, RehabError
from rehab.wording import NO_PATIENTS

POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg")


class Location(NamedTuple):
    """A SQLite file (`path`; `uri` when a `file:` URI with options names it) or a PostgreSQL
    server (`conninfo`, what psycopg connects to)."""

    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    uri: str | None = None
    read_only: bool = False
    conninfo: str | None = None

    def describe(self) -> str:
        """How to name the database in a message: its path, or the URL without a password."""
        if self.path is not None:
            return str(self.path)
        parts = urlsplit(self.conninfo)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        user = (parts.username or "") + (":***" if parts.password else "")
        netloc = (f"{user}@" if user else "") + host + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc, query="").geturl()


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("rehab", appauthor=False)) / "rehab.db"


def locate(db: str | None) -> Location:
    """A plain path is a SQLite file, whatever characters its name holds ('odd?x=1.db' and
    'pct%41b.db' are file names); anything with '://' is a URL: sqlite:///PATH, or
    postgresql:// / postgresql+psycopg:// for a server. Other kinds are refused (exit 2)."""
    if not db:
        return Location("sqlite", path=default_path().resolve())
    if "://" not in db:
        return Location("sqlite", path=_resolved(Path(db).expanduser()))
    scheme, _, rest = db.partition("://")
    scheme = scheme.lower()
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return _sqlite_url(db, rest)
    if scheme in POSTGRES_SCHEMES:
        try:
            _ = urlsplit(db).port  # a port that is not a number raises ValueError
        except ValueError:
            raise _unreadable(db) from None
        return Location("postgresql", conninfo="postgresql://" + rest)
    if not scheme or not scheme.replace("+", "").replace(".", "").replace("-", "").isalnum():
        raise _unreadable(db)
    if scheme.startswith("postgresql+"):  # another driver's URL (psycopg2, asyncpg): rehab speaks psycopg 3
        raise RehabError(f"rehab cannot use the {scheme.partition('+')[2]!r} driver; write the URL as "
                         "postgresql:// or postgresql+psycopg://")
    raise RehabError(f"rehab cannot use {scheme.split('+')[0]!r} databases; give a SQLite file path, "
                     "sqlite:///PATH or a postgresql:// URL")


def _sqlite_url(db: str, rest: str) -> Location:
    """sqlite:///PATH (sqlite:////abs/path), as SQLAlchemy writes it; in a URL '?' starts the
    options and %XX is an escaped character. `sqlite:///file:PATH?mode=ro&uri=true` is SQLite's
    own URI form, opened as such (mode=ro: read only)."""
    if not rest.startswith("/") or rest == "/":
        raise RehabError(f"cannot read the database URL {db!r}: a SQLite URL is sqlite:///PATH")
    database, _, query = rest[1:].partition("?")
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    database = unquote(database)
    if not database or database == ":memory:":
        raise RehabError(f"cannot read the database URL {db!r}: a SQLite URL names a file, sqlite:///PATH")
    if options.get("uri") == "true" and database.startswith("file:"):
        inner, _, inner_query = database.partition("?")
        path = _resolved(Path(inner.removeprefix("file:")).expanduser())
        wanted = {k: v[-1] for k, v in parse_qs(inner_query).items()}
        wanted.update({k: v for k, v in options.items() if k != "uri"})
        uri = path.as_uri() + ("?" + "&".join(f"{k}={v}" for k, v in wanted.items()) if wanted else "")
        return Location("sqlite", path=path, uri=uri, read_only=wanted.get("mode") == "ro")
    path = _resolved(Path(database).expanduser())
    if options.get("mode") == "ro":
        return Location("sqlite", path=path, uri=path.as_uri() + "?mode=ro", read_only=True)
    return Location("sqlite", path=path)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # Python < 3.13: a symlink loop
        raise RehabError(f"{path}: the path is a loop of symbolic links") from None
    except OSError as exc:
        raise RehabError(f"{path}: {exc.strerror}") from None


def _unreadable(db: str) -> RehabError:
    # A password in the URL is never repeated, even from a URL that does not read.
    shown = re.sub(r"(://[^/@:]*):.*@", r"\1:***@", db)  # to the last @: a password may hold / or @
    return RehabError(f"cannot read the database URL {shown!r}: give a file path or a URL like postgresql://host/db")


def missing(location: Location) -> NotFound:
    """A SQLite file that is not there, for a command that only reads."""
    if location.path == default_path().resolve():
        return NotFound(NO_PATIENTS)
    return NotFound(f"no database at {location.path} (check --db; 'rehab patient add' or 'rehab import' creates one)")
