"""The tables the queries run on, without building the SQLModel classes on every run.

rehab.store.tables (SQLModel classes) is the one definition of the schema. Building those
classes costs about 20 ms, a twentieth of a database command's start-up, almost all of it
SQLAlchemy's ORM mapping, which the store never uses: it speaks Core, through the classes'
tables. So the tables they produce (a MetaData, which SQLAlchemy supports pickling) are
kept in the user's cache, keyed on the bytes of tables.py and the versions of everything
that shapes them; any change misses and builds them again from the classes.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sqlalchemy import MetaData

from rehab import __version__, cache

SOURCE = Path(__file__).with_name("tables.py")
TABLE_NAMES = frozenset({"patient", "entry", "entry_revision", "flag_ack", "setting", "plan_adjustment", "outcome_score", "measure"})


def metadata() -> MetaData:
    """The schema's tables, from the cache when it is current, else from the SQLModel classes."""
    key = _key()
    entry = cache.folder() / "store" / "schema.pickle"
    if key is not None:
        cached = cache.read(entry, key)
        if isinstance(cached, MetaData) and set(cached.tables) == TABLE_NAMES:
            return cached
    built = from_classes()
    if key is not None:
        cache.write(entry, key, built)
    return built


def from_classes() -> MetaData:
    """The tables as the SQLModel classes define them (what creates a new database)."""
    from sqlmodel import SQLModel

    from rehab.store import tables  # noqa: F401 - defining the classes fills SQLModel.metadata

    return SQLModel.metadata


def _key() -> tuple | None:
    import pydantic
    import sqlalchemy
    import sqlmodel

    try:
        source = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    except OSError:  # installed without sources: build the classes every time
        return None
    return (source, __version__, sqlalchemy.__version__, sqlmodel.__version__, pydantic.VERSION,
            sys.version_info[:2])
