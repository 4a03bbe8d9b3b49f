"""Every test runs against temporary folders: never the user's real data or config."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import stat
import tempfile
from datetime import date
from pathlib import Path

# Before anything from rehab is imported: collecting the tests imports the store, which
# reads (and may write) the schema cache. Each test gets its own folders below as well.
_SESSION_HOME = tempfile.mkdtemp(prefix="rehab-tests-")
atexit.register(shutil.rmtree, _SESSION_HOME, ignore_errors=True)
os.environ.update(HOME=_SESSION_HOME, XDG_DATA_HOME=os.path.join(_SESSION_HOME, "data"),
                  XDG_CONFIG_HOME=os.path.join(_SESSION_HOME, "config"),
                  XDG_CACHE_HOME=os.path.join(_SESSION_HOME, "cache"),
                  REHAB_DB=os.path.join(_SESSION_HOME, "rehab.db"))

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from rehab.cli import app  # noqa: E402


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("REHAB_DB", str(tmp_path / "rehab.db"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("REHAB_PROTOCOLS_DIR", "REHAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def clinic(isolated):
    """A clinic file with the surgical team's, the out-of-hours and the emergency numbers."""
    folder = isolated / "home" / "config" / "rehab"
    folder.mkdir(parents=True)
    (folder / "clinic.yaml").write_text("name: Ankle Unit\nphone: 020 7946 0000\n"
                                        "out_of_hours_phone: 020 7946 0999\nemergency_phone: 999\n", encoding="utf-8")


@pytest.fixture
def db_path(isolated) -> Path:
    return isolated / "rehab.db"


class Rehab:
    """Runs `rehab ARGS` in-process with Typer's CliRunner; stdout and stderr kept apart."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False,
                                  prog_name="rehab")


@pytest.fixture
def rehab() -> Rehab:
    return Rehab()


# The databases the store runs on: SQLite always, PostgreSQL when REHAB_TEST_POSTGRES_URL names
# a server (.ci/run starts one and fails if it cannot).
POSTGRES_URL = os.environ.get("REHAB_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def clean_postgres() -> str:
    """An empty schema on the test server (every table dropped); returns its URL."""
    import psycopg

    with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path, monkeypatch) -> str:
    """A new, empty database on each backend, also set as REHAB_DB: its path or URL."""
    where = str(tmp_path / "rehab.db") if request.param == "sqlite" else clean_postgres()
    monkeypatch.setenv("REHAB_DB", where)
    return where


def snapshot(path: Path) -> dict:
    """Every row of every table, to show a refused command changed nothing."""
    if not path.exists():
        return {}
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def ok(result):
    """A CliRunner result that must have succeeded; its stderr is the message if not."""
    assert result.exit_code == 0, result.stderr
    return result


def one_line(result, code: int | None = None) -> str:
    """A refusal (exit 2) or a fault (exit 1): exactly one plain line on stderr, no traceback.
    Given the exit status, checks it too, and that nothing went to stdout."""
    assert result.stderr.startswith("rehab: ") and result.stderr.endswith("\n"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.stderr)
        assert result.stdout == ""
    return result.stderr


def iso(day: date) -> str:
    return day.isoformat()


def mode(path) -> int:
    """A file's permission bits (0o600 for the user's own)."""
    return stat.S_IMODE(os.stat(path).st_mode)


def in_folder(args, folder: Path) -> list[str]:
    """Command arguments with each '@name' made a path in the folder (a test's tmp_path)."""
    return [str(folder / a[1:]) if isinstance(a, str) and a.startswith("@") else str(a) for a in args]
