"""The installed `rehab` starts without the heavy modules: no database layer for --help,
a plan without a patient, or the protocol list; no PDF, template or calendar library for
`timeline --json`. Measured with Python's own import log (PYTHONPROFILEIMPORTTIME)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DATABASE = {"sqlmodel", "sqlalchemy", "alembic"}
CHECKING = {"pydantic", "yaml"}  # only checking a protocol file needs them
DOCUMENTS = {"fpdf", "jinja2", "icalendar"}


def imported_modules(stderr: str) -> set[str]:
    """Top-level package names from `import time: self | cumulative | name` lines."""
    names = set()
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        name = line.rsplit("|", 1)[-1].strip()
        names.add(name.split(".")[0])
        names.add(name)
    return names


def run_rehab(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    exe = shutil.which("rehab")
    assert exe, "the rehab command is not installed on PATH"
    env = dict(os.environ)  # already isolated by conftest (HOME, XDG_*, NO_COLOR)
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    env["REHAB_DB"] = str(tmp_path / "startup.db")
    env.pop("REHAB_PROTOCOLS_DIR", None)
    result = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60)
    modules = imported_modules(result.stderr)
    # The import log is really there, so an empty set cannot pass by accident.
    assert "rehab.cli" in modules, result.stderr[-2000:]
    return result, modules


@pytest.mark.parametrize(
    ("args", "banned"),
    [
        (("--help",), DATABASE),
        (("timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release", "--json"), DATABASE | DOCUMENTS),
        (("protocols", "list"), DATABASE),
    ],
    ids=["help", "timeline-json", "protocols-list"],
)
def test_light_commands_skip_heavy_imports(tmp_path, args, banned):
    result, modules = run_rehab(tmp_path, *args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (modules & banned), sorted(modules & banned)
    assert not (tmp_path / "startup.db").exists()  # nothing here needs the database
    if "--json" in args:
        assert json.loads(result.stdout)["procedure"]["id"] == "fhl-release"
        # stderr holds only the import log: no other message.
        assert all(line.startswith("import time:") for line in result.stderr.splitlines())
    elif args == ("protocols", "list"):
        assert "fhl-release" in result.stdout
    else:
        assert "timeline" in result.stdout


# Runs `rehab ARGS` in a fresh interpreter after making every way of unpickling (pickle's and
# _pickle's load, loads and Unpickler, and the audit event of an unpickled class) fail loudly.
NO_UNPICKLING = textwrap.dedent("""
    import sys, pickle, _pickle

    def refuse(*args, **kwargs):
        sys.stderr.write("UNPICKLED\\n")
        raise SystemExit(99)

    for module in (pickle, _pickle):
        for name in ("load", "loads", "Unpickler"):
            setattr(module, name, refuse)
    sys.addaudithook(lambda event, args: event == "pickle.find_class" and refuse())
    from rehab.__main__ import main
    sys.argv = ["rehab", *sys.argv[1:]]
    main()
""")


@pytest.mark.parametrize("args", [("today",), ("log", "--date", "2026-03-05", "--pain", "4", "--wb", "none"),
                                  ("history", "--json"), ("flags", "--json"), ("patient", "list"), ("patient", "show"),
                                  ("timeline", "--patient", "ann-lee", "--json")],
                         ids=["today", "log", "history", "flags", "patient-list", "patient-show", "timeline"])
def test_daily_commands_import_no_database_library_and_unpickle_nothing(tmp_path, args):
    """Issue 12: on a current SQLite file a daily command opens the database with sqlite3
    alone: no SQLAlchemy, SQLModel or Alembic (measured with python -X importtime), and
    nothing is unpickled from disk. Its protocol, checked once when the patient was added,
    is read from the JSON cache: no pydantic or PyYAML either."""
    env = dict(os.environ, REHAB_DB=str(tmp_path / "daily.db"))
    env.pop("REHAB_PROTOCOLS_DIR", None)
    added = subprocess.run([shutil.which("rehab"), "patient", "add", "Ann Lee", "--surgery-date", "2026-03-01",
                            "--procedure", "fhl-release"], env=env, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", NO_UNPICKLING, *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "UNPICKLED" not in result.stderr
    modules = imported_modules(result.stderr)
    assert {"rehab.store", "sqlite3"} <= modules, sorted(m for m in modules if m.startswith("rehab"))  # really opened
    assert not (modules & DATABASE), sorted(modules & DATABASE)
    assert "psycopg" not in modules  # the PostgreSQL driver only for a PostgreSQL URL
    assert "rehab.protocols.json_cache" in modules and not (modules & CHECKING), sorted(modules & CHECKING)


def test_without_the_cache_the_protocol_is_checked_again(tmp_path):
    """The control for the test above: with the cache emptied, the same command reads and
    checks the protocol file (PyYAML and pydantic), and writes the cache again."""
    env = dict(os.environ, REHAB_DB=str(tmp_path / "daily.db"))
    env.pop("REHAB_PROTOCOLS_DIR", None)
    added = subprocess.run([shutil.which("rehab"), "patient", "add", "Ann Lee", "--surgery-date", "2026-03-01",
                            "--procedure", "fhl-release"], env=env, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    cache = Path(env["XDG_CACHE_HOME"]) / "rehab" / "protocols"
    assert list(cache.glob("*.json"))
    shutil.rmtree(cache)
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", NO_UNPICKLING, "today"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert CHECKING <= imported_modules(result.stderr)
    assert list(cache.glob("*.json"))


def test_an_unpickling_command_would_be_caught(tmp_path):
    """The control for the test above: the same harness stops a run that unpickles."""
    result = subprocess.run([sys.executable, "-c", NO_UNPICKLING.replace("from rehab.__main__ import main",
                                                                          "import pickle; pickle.loads(b'')")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 99 and "UNPICKLED" in result.stderr


def test_completing_an_option_value_skips_the_database_layer(tmp_path):
    exe = shutil.which("rehab")
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1", REHAB_DB=str(tmp_path / "startup.db"),
               _REHAB_COMPLETE="complete_bash", COMP_WORDS="rehab log --symptom fe", COMP_CWORD="3")
    result = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["fever"]
    modules = imported_modules(result.stderr)
    assert "rehab.vocab" in modules and not (modules & DATABASE), sorted(modules & DATABASE)


def test_a_command_imports_only_its_own_module(tmp_path):
    """The lazy command group: help and completion of command names read the help lines kept
    in rehab.cli; a command loads its own module in rehab/commands/ and no other."""
    commands = {"rehab.commands.journal", "rehab.commands.plan", "rehab.commands.records",
                "rehab.commands.patients"}
    result, modules = run_rehab(tmp_path, "--help")
    assert result.returncode == 0 and "protocols" in result.stdout
    assert not (modules & commands), sorted(modules & commands)
    assert "typer.rich_utils" not in modules  # plain help: Rich's Markdown and highlighting cost 70 ms
    result, modules = run_rehab(tmp_path, "timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release")
    assert result.returncode == 0, result.stderr[-2000:]
    assert modules & commands == {"rehab.commands.plan"}
