"""Schema migrations (reliability issue, part 2): a database made by the first release
(revision 0001) opens with every value intact, is brought to the newest revision, and a dated
backup of the old file is left beside it. A current database opens without Alembic."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

import pytest

from conftest import BACKENDS, one_line, snapshot
from rehab.store.migrate import MIGRATIONS, head

HEAD_REVISION = head()
OLD_TABLES = ("patient", "entry", "entry_revision", "setting")
NEW_IN_0003 = {"temperature": None, "swelling": None, "exercises": None}


def build_at_revision(path: Path, revision: str) -> None:
    """An empty database at an old revision, made by Alembic the way the store runs it."""
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def fill_release_one(path: Path) -> None:
    """Rows as release 0001 wrote them: ISO dates, 'YYYY-MM-DD HH:MM:SS.ffffff' times,
    booleans as 0/1, symptoms and milestones as JSON text. Bob is the default patient."""
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO patient (id, name, surgery_date, procedure, side, surgeon, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", [
            ("zoe", "Zoë Łukasiewicz", "2026-01-05", "fhl-release", "left", "Ms O'Brien", "2026-01-06 08:00:00.000000"),
            ("bob", "Bob Roy", "2026-02-01", "arthroscopic-debridement", None, None, "2026-02-02 09:30:00.000000"),
        ])
        conn.executemany(
            "INSERT INTO entry (id, patient_id, date, pain, weight_bearing, boot, activity, symptoms, milestones, note,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (1, "zoe", "2026-01-05", 6, "none", 1, "rest", "[]", "[]", "Home. Leg up.",
                 "2026-01-05 20:00:00.000000", "2026-01-05 20:00:00.000000"),
                (2, "zoe", "2026-01-06", 5, "toe-touch", 0, None, '["fever", "calf-pain"]', "[]",
                 'Said "ouch" 😀\nsecond line', "2026-01-06 20:00:00.000000", "2026-01-07 07:00:00.000000"),
                (3, "zoe", "2026-01-19", 3, "partial", None, "walking", "[]", '["wound-review"]', None,
                 "2026-01-19 20:00:00.000000", "2026-01-19 20:00:00.000000"),
                (4, "bob", "2026-02-03", 2, "full", None, None, '["fever"]', "[]", None,
                 "2026-02-03 20:00:00.000000", "2026-02-03 20:00:00.000000"),
            ])
        conn.execute(
            "INSERT INTO entry_revision (id, patient_id, date, pain, weight_bearing, boot, activity, symptoms, milestones,"
            " note, replaced_at) VALUES (1, 'zoe', '2026-01-06', 8, 'none', 1, 'rest', '[\"fever\"]', '[]', 'first try',"
            " '2026-01-07 07:00:00.000000')")
        conn.execute("INSERT INTO setting VALUES ('default_patient', 'bob')")
    conn.close()


def revision_of(path: Path) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    conn.close()
    return row[0] if row else None


def tables_of(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    return names


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.backup-*{path.suffix}"))


def test_a_first_release_database_is_upgraded_with_every_value_kept(rehab, tmp_path):
    path = tmp_path / "old.db"
    build_at_revision(path, "0001")
    fill_release_one(path)
    assert revision_of(path) == "0001" and "flag_ack" not in tables_of(path)
    before = snapshot(path)

    result = rehab("--db", path, "history", "--json", "--patient", "zoe")
    assert result.exit_code == 0, result.stderr
    # Values the first release never recorded read as not given.
    history = json.loads(result.stdout)
    # history --json carries each day's earlier values: day 1 was corrected once
    assert [[r["pain"] for r in e["revisions"]] for e in history] == [[], [8], []]
    assert [{k: v for k, v in e.items() if k not in {*NEW_IN_0003, "revisions"}} for e in history] == [
        {"date": "2026-01-05", "day": 0, "pain": 6, "weight_bearing": "none", "boot": True, "activity": "rest",
         "symptoms": [], "milestones": [], "note": "Home. Leg up."},
        {"date": "2026-01-06", "day": 1, "pain": 5, "weight_bearing": "toe-touch", "boot": False, "activity": None,
         "symptoms": ["fever", "calf-pain"], "milestones": [], "note": 'Said "ouch" 😀\nsecond line'},
        {"date": "2026-01-19", "day": 14, "pain": 3, "weight_bearing": "partial", "boot": None, "activity": "walking",
         "symptoms": [], "milestones": ["wound-review"], "note": None},
    ]
    people = json.loads(rehab("--db", path, "patient", "list", "--json").stdout)
    assert [(p["id"], p["name"], p["surgery_date"], p["procedure"], p["side"], p["surgeon"], p["current"]) for p in people] == [
        ("zoe", "Zoë Łukasiewicz", "2026-01-05", "fhl-release", "left", "Ms O'Brien", False),
        ("bob", "Bob Roy", "2026-02-01", "arthroscopic-debridement", None, None, True),
    ]

    # Now at the newest revision, the new table there, and every old row exactly as it was.
    assert revision_of(path) == HEAD_REVISION
    assert "flag_ack" in tables_of(path)
    after = snapshot(path)
    # Old rows keep every value; columns added since read as NULL at the end of each row.
    added = {"patient": 1, "entry": 3, "entry_revision": 3, "setting": 0}
    assert {t: [row[:len(row) - added[t]] for row in after[t]] for t in OLD_TABLES} == {t: before[t] for t in OLD_TABLES}
    assert all(value is None for t in OLD_TABLES for row in after[t] for value in row[len(row) - added[t]:])
    assert after["flag_ack"] == [] and after["plan_adjustment"] == [] and after["outcome_score"] == []

    # The dated backup: beside the file, private, holding the old revision and the old rows.
    backups = backups_of(path)
    assert len(backups) == 1, backups
    assert "r0001" in backups[0].name
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert revision_of(backups[0]) == "0001" and "flag_ack" not in tables_of(backups[0])
    assert {t: snapshot(backups[0])[t] for t in OLD_TABLES} == {t: before[t] for t in OLD_TABLES}

    # Replaced-entry history survived too (it is only visible through an export).
    out = tmp_path / "out.json"
    assert rehab("--db", path, "export", "--output", out).exit_code == 0
    zoe = next(p for p in json.loads(out.read_text())["patients"] if p["id"] == "zoe")
    assert zoe["revisions"] == [{"date": "2026-01-06", "day": 1, "pain": 8, "weight_bearing": "none", "boot": True,
                                 "activity": "rest", "symptoms": ["fever"], "milestones": [], "note": "first try",
                                 **NEW_IN_0003, "replaced_at": "2026-01-07T07:00:00+00:00"}]
    assert zoe["created_at"] == "2026-01-06T08:00:00+00:00"

    # The new table works: a flag of the old data can be acknowledged.
    acked = rehab("--db", path, "flags", "ack", "red-flag", "--patient", "bob", "--date", "2026-02-03",
                  "--note", "seen in clinic")
    assert acked.exit_code == 0, acked.stderr
    assert len(snapshot(path)["flag_ack"]) == 1
    # Opening it again: already current, so no second backup.
    assert rehab("--db", path, "patient", "list").exit_code == 0
    assert len(backups_of(path)) == 1


def filled_and_altered(path, revision: str, sql: str) -> dict:
    """A database at `revision` holding release one's rows, then changed by `sql`; its rows."""
    build_at_revision(path, revision)
    fill_release_one(path)
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    conn.close()
    return snapshot(path)


def test_a_failed_upgrade_leaves_the_old_database_as_it_was(rehab, tmp_path):
    """Someone made a flag_ack table by hand: migration 0002 cannot create it. The upgrade
    runs in one transaction, so the file stays at 0001 with every row."""
    path = tmp_path / "odd.db"
    before = filled_and_altered(path, "0001", "CREATE TABLE flag_ack (x INTEGER)")
    assert "flag_ack" in one_line(rehab("--db", path, "patient", "list", "--json"), 1)
    assert revision_of(path) == "0001"
    assert snapshot(path) == before


def test_a_database_from_a_newer_rehab_is_refused_clearly_and_left_alone(rehab, tmp_path):
    """A database stamped with a revision this rehab does not know (made by a newer version):
    say so, change nothing and leave no backup copies behind on every attempt."""
    path = tmp_path / "newer.db"
    before = filled_and_altered(path, HEAD_REVISION, "UPDATE alembic_version SET version_num = '9999'")
    message = one_line(rehab("--db", path, "patient", "list", "--json"), 1)
    assert "unexpected" not in message and "newer" in message, message
    assert snapshot(path) == before
    assert backups_of(path) == []


# Runs the CLI in-process in a fresh interpreter, then reports which modules it loaded.
OPEN_CURRENT = textwrap.dedent("""
    import json, sys
    from rehab.cli import main
    sys.argv = ["rehab", "--db", sys.argv[1], "history", "--json"]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    sys.stderr.write(json.dumps({"code": code, "alembic": "alembic" in sys.modules,
                                 "sqlalchemy": "sqlalchemy" in sys.modules}) + "\\n")
""")


def test_opening_a_current_database_skips_sqlalchemy_and_alembic_and_makes_no_backup(rehab, tmp_path):
    path = tmp_path / "current.db"
    assert rehab("--db", path, "patient", "add", "Ann Lee", "--surgery-date", "2026-01-05",
                 "--procedure", "fhl").exit_code == 0
    assert revision_of(path) == HEAD_REVISION
    env = {k: v for k, v in os.environ.items() if k not in ("REHAB_DEBUG", "REHAB_PROTOCOLS_DIR")}
    run = subprocess.run([sys.executable, "-c", OPEN_CURRENT, str(path)], env=env, capture_output=True,
                         text=True, timeout=60)
    report = json.loads(run.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), run.stderr
    assert report["alembic"] is False and report["sqlalchemy"] is False  # no database library beyond sqlite3
    assert json.loads(run.stdout) == []
    assert backups_of(path) == []


# --- one schema: the SQLModel classes, reached by the migrations alone ----------------------------


def _schema(url_or_path) -> dict:
    """Every table's columns (name, type, nullable), primary key, unique constraints, indexes and
    foreign keys, as the database itself reports them."""
    from sqlalchemy import inspect

    from rehab.store.location import locate
    from rehab.store.migrate import _engine

    engine = _engine(locate(str(url_or_path)))
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                table: {
                    "columns": [(c["name"], str(c["type"]).split("(")[0].replace("VARCHAR", "STRING"),
                                 c["nullable"]) for c in found.get_columns(table)],
                    "primary": sorted(found.get_pk_constraint(table)["constrained_columns"]),
                    "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
                    "indexes": sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)),
                    "foreign": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                      for f in found.get_foreign_keys(table)),
                }
                for table in sorted(found.get_table_names())
            }
    finally:
        engine.dispose()


def _new_database(rehab, backend, tmp_path, name: str) -> str:
    from conftest import clean_postgres

    where = str(tmp_path / name) if backend == "sqlite" else clean_postgres()
    ok_ = rehab("--db", where, "patient", "add", "Ann Lee", "--surgery-date", "2026-01-05", "--procedure", "fhl")
    assert ok_.exit_code == 0, ok_.stderr
    return where


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_database_has_exactly_the_schema_of_the_sqlmodel_classes(rehab, tmp_path, backend):
    """New databases are made by the migrations; Alembic's own comparison finds nothing in the
    classes that the database lacks, or the other way round."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from rehab.store import tables  # noqa: F401
    from rehab.store.location import locate
    from rehab.store.migrate import _engine

    where = _new_database(rehab, backend, tmp_path, "fresh.db")
    engine = _engine(locate(where))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_upgraded_database_has_the_schema_of_a_new_one(rehab, tmp_path, backend):
    fresh = _schema(_new_database(rehab, backend, tmp_path, "fresh.db"))
    if backend == "sqlite":
        old = tmp_path / "old.db"
        build_at_revision(old, "0001")
        fill_release_one(old)
        where = str(old)
    else:
        from conftest import clean_postgres
        from sqlalchemy import create_engine

        where = clean_postgres()
        engine = create_engine(where)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
        engine.dispose()
    assert rehab("--db", where, "patient", "list", "--json").exit_code == 0  # opening it upgrades it
    assert _schema(where) == fresh
    assert "plan_adjustment" in fresh and "flag_ack_revision" in fresh and len(fresh) == 10  # nine tables and alembic_version


def test_the_newest_revision_is_read_from_the_migration_scripts(tmp_path, monkeypatch):
    from rehab.store import migrate

    versions = sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py"))
    assert HEAD_REVISION == versions[-1].split("_")[0]  # the last script's; the next one moves it
    fake = tmp_path / "migrations"
    (fake / "versions").mkdir(parents=True)
    for p in (MIGRATIONS / "versions").glob("*.py"):
        (fake / "versions" / p.name).write_text(p.read_text())
    (fake / "versions" / "0099_more.py").write_text(f'revision = "0099"\ndown_revision = "{HEAD_REVISION}"\n')
    monkeypatch.setattr(migrate, "MIGRATIONS", fake)
    migrate.revisions.cache_clear()
    try:
        assert migrate.revisions() == ((*(v.split("_")[0] for v in versions), "0099"), "0099")
    finally:
        migrate.revisions.cache_clear()
