"""The cached schema: the same tables the SQLModel classes define, used only while
tables.py and the libraries are unchanged, and never from a file others could write."""

from __future__ import annotations

import shutil

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from rehab import cache
from rehab.store import schema


def ddl(metadata) -> list[str]:
    """Every statement that would create the schema, for SQLite and PostgreSQL."""
    statements = []
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for table in metadata.sorted_tables:
            statements.append(str(CreateTable(table).compile(dialect=dialect)))
            statements += sorted(str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes)
    return statements


def entry():
    return cache.folder() / "store" / "schema.pickle"


def test_the_cached_tables_are_the_sqlmodel_tables():
    first = schema.metadata()  # a fresh cache folder: built from the classes, then stored
    assert first is SQLModel.metadata and entry().exists()
    assert oct(entry().stat().st_mode & 0o777) == "0o600"
    cached = schema.metadata()
    assert cached is not SQLModel.metadata  # read back from the cache
    assert set(cached.tables) == schema.TABLE_NAMES
    assert ddl(cached) == ddl(SQLModel.metadata)
    # Foreign keys point at the cached patient table, not at the classes' one.
    fk = next(iter(cached.tables["entry"].c.patient_id.foreign_keys))
    assert fk.column.table is cached.tables["patient"]


def test_a_changed_tables_py_builds_the_classes_again(tmp_path, monkeypatch):
    schema.metadata()
    assert schema.metadata() is not SQLModel.metadata
    edited = tmp_path / "tables.py"
    shutil.copy(schema.SOURCE, edited)
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# a new column would go here\n", encoding="utf-8")
    monkeypatch.setattr(schema, "SOURCE", edited)
    assert schema.metadata() is SQLModel.metadata  # a miss
    assert schema.metadata() is not SQLModel.metadata  # stored again under the new key


def test_a_schema_entry_others_could_write_is_not_trusted():
    schema.metadata()
    entry().chmod(0o666)
    assert schema.metadata() is SQLModel.metadata


def test_a_damaged_schema_entry_is_a_miss():
    schema.metadata()
    entry().write_bytes(b"not a pickle")
    assert schema.metadata() is SQLModel.metadata
    assert schema.metadata() is not SQLModel.metadata  # and it is written whole again


def test_the_cache_folders_are_the_users_own_and_a_linked_entry_is_not_followed(tmp_path):
    schema.metadata()
    for folder in (cache.folder(), entry().parent):
        assert oct(folder.stat().st_mode & 0o777) == "0o700", folder
    elsewhere = tmp_path / "planted.pickle"
    entry().rename(elsewhere)  # a valid entry, reached only through a link
    entry().symlink_to(elsewhere)
    assert schema.metadata() is SQLModel.metadata
