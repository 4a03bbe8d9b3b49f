import pytest

from conftest import ok


def test_help_lists_every_command_with_its_own_help_line(rehab):
    """`rehab --help` reads the help lines from the lazy table without importing the commands:
    each must still be the command's own (the first sentence of its docstring or help)."""
    from rehab.cli import COMMANDS, load_command

    shown = " ".join(ok(rehab("--help")).stdout.replace("│", " ").split())  # table rows unwrapped
    for name, (_, _, line) in COMMANDS.items():
        assert line == load_command(name).get_short_help_str(limit=200), name
        assert f"{name} {line}" in shown


def test_an_unknown_command_is_refused_with_the_nearest_names(rehab):
    result = rehab("tdoay")
    assert result.exit_code == 2
    assert "No such command 'tdoay'. Did you mean 'today'?" in result.stderr


def test_a_group_alone_prints_its_help_once(rehab):
    result = ok(rehab("patient"))
    assert result.stdout.count("Usage: rehab patient") == 1
    assert "remove" in result.stdout


def test_the_console_script_runs_the_cli(monkeypatch, capsys):
    """`rehab` is rehab.__main__:main, which runs the CLI."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="rehab")
    entry = script.load()
    monkeypatch.setattr("sys.argv", ["rehab", "--version"])
    with pytest.raises(SystemExit) as stopped:
        entry()
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("rehab ")
