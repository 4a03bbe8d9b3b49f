"""The installed `rehab` starts without the heavy modules: no database layer for --help,
a plan without a patient, or the protocol list; no PDF, template or calendar library for
`timeline --json`. Measured with Python's own import log (PYTHONPROFILEIMPORTTIME)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

DATABASE = {"sqlmodel", "sqlalchemy", "alembic"}
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


def test_database_commands_read_the_schema_from_the_cache(tmp_path):
    """Only the first command builds the SQLModel classes (their ORM mapping is about 20 ms
    a command never uses); later ones read the same tables from the cache."""
    first, modules = run_rehab(tmp_path, "patient", "add", "Ann Lee", "--surgery-date", "2026-03-01",
                               "--procedure", "fhl-release")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "rehab.store.tables" in modules  # a new database is created from the classes
    logged, modules = run_rehab(tmp_path, "log", "--date", "2026-03-05", "--pain", "4", "--weight-bearing", "none")
    assert logged.returncode == 0, logged.stderr[-2000:]
    assert "rehab.store.tables" not in modules
    shown, modules = run_rehab(tmp_path, "history", "--json")
    assert "rehab.store.tables" not in modules
    assert [(e["date"], e["pain"]) for e in json.loads(shown.stdout)] == [("2026-03-05", 4)]


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
