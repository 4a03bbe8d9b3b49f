import pytest


@pytest.mark.parametrize("args, expected", [
    (["today"], "today"),
    (["--db", "x.db", "log", "--pain", "3"], "log"),
    (["--protocols-dir", "today", "history"], "history"),  # an option's value is not the command
    (["--debug", "patient", "add"], "patient"),
    (["--help"], None),
    (["--db", "today"], None),
    (["nonsense"], None),
    ([], None),
])
def test_the_entry_point_finds_the_command_it_will_run(args, expected):
    from rehab.cli import _command_named

    assert _command_named(args) == expected


def test_an_app_built_for_one_command_runs_it_like_the_full_app(rehab, isolated):
    from typer.testing import CliRunner

    from rehab.cli import make_app

    one = CliRunner().invoke(make_app("timeline"), ["timeline", "--surgery-date", "2026-01-31", "--procedure", "fhl", "--json"])
    full = rehab("timeline", "--surgery-date", "2026-01-31", "--procedure", "fhl", "--json")
    assert one.exit_code == full.exit_code == 0
    assert one.stdout == full.stdout


def test_the_console_script_runs_the_cli_with_a_larger_first_gc_generation(monkeypatch, capsys):
    """`rehab` is rehab.__main__:main: it sets the collector's first threshold before
    anything heavy is imported, then runs the CLI."""
    import gc
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="rehab")
    entry = script.load()
    before = gc.get_threshold()
    monkeypatch.setattr("sys.argv", ["rehab", "--version"])
    try:
        with pytest.raises(SystemExit) as stopped:
            entry()
        during = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("rehab ")
    from rehab.__main__ import FIRST_GENERATION_THRESHOLD

    assert during == (FIRST_GENERATION_THRESHOLD, *before[1:])
