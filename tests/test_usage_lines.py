"""Help: every usage line names its arguments alike (issue 18 item 7): upper case, a required
one as Typer marks it ({NAME}), an optional one in brackets ([P]), never bracketed twice."""

from __future__ import annotations

import re

import pytest

from rehab import cli

ARGUMENT = re.compile(r"^(\{[A-Z]+\}|\[[A-Z]+\])$")


def command_paths() -> list[list[str]]:
    paths = []
    for name in cli.COMMANDS:
        command = cli.load_command(name)
        if hasattr(command, "commands"):  # a group: each of its commands
            paths += [[name, sub] for sub in command.commands]
        else:
            paths.append([name])
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_usage_names_arguments_in_upper_case_marked_once(rehab, path):
    result = rehab(*path, "--help")
    assert result.exit_code == 0, result.stderr
    usage = next(line for line in result.stdout.splitlines() if line.startswith("Usage:"))
    words = usage.split("[OPTIONS]", 1)[1].split()
    for word in words:
        assert ARGUMENT.match(word) or word in ("COMMAND", "[ARGS]..."), usage


def test_the_commands_arguments_read_as_the_contract_writes_them(rehab):
    usage = {tuple(p): next(line for line in rehab(*p, "--help").stdout.splitlines() if line.startswith("Usage:"))
             for p in (["patient", "add"], ["patient", "show"], ["flags", "ack"], ["import"])}
    assert usage["patient", "add"].endswith("[OPTIONS] {NAME}")
    assert usage["patient", "show"].endswith("[OPTIONS] [P]")
    assert usage["flags", "ack"].endswith("[OPTIONS] {RULE}")
    assert usage["import",].endswith("[OPTIONS] {FILE}")
