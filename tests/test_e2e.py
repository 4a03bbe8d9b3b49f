"""A few runs of the installed `rehab` command in real processes, against a temporary
database: the console script, file permissions, prompting (concurrent writers: test_concurrency)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import date, timedelta

import pytest

REHAB = shutil.which("rehab") or "rehab"
TODAY = date.today()


def run(env, *args, check=True):
    result = subprocess.run([REHAB, *args], env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def env(isolated):
    return {**os.environ}


def test_installed_command_logs_and_reads_back(env, db_path):
    surgery = TODAY - timedelta(days=3)
    run(env, "patient", "add", "Siobhán Ó Ceallaigh", "--surgery-date", surgery.isoformat(), "--procedure", "FHL release")
    run(env, "log", "--pain", "4", "--wb", "PWB", "--boot")
    doc = json.loads(run(env, "today", "--json").stdout)
    assert doc["patient"]["name"] == "Siobhán Ó Ceallaigh"
    assert (doc["day"], doc["logged"], doc["entry"]["weight_bearing"]) == (3, True, "partial")
    # The database, its folder's files and WAL side files are the owner's alone.
    for path in db_path.parent.glob("rehab.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # Off a terminal a missing value is an error, never a prompt that hangs.
    refused = run(env, "log", "--date", "yesterday", "--pain", "3", check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == "rehab: missing --weight-bearing (give it as an option; prompting needs a terminal)"


def _log_on_a_terminal(env, surgery_days_ago: int):
    """`rehab log` for a new patient, its input and output a real pseudo-terminal."""
    import pty

    surgery = TODAY - timedelta(days=surgery_days_ago)
    run(env, "patient", "add", "Ann Lee", "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([REHAB, "log"], env={**env, "COLUMNS": "200"}, stdin=terminal, stdout=terminal,
                            stderr=terminal, close_fds=True)
    os.close(terminal)
    return controller, proc


def test_log_prompts_on_a_terminal_and_asks_again_after_a_bad_answer(env):
    """A real pseudo-terminal: Rich prompts for what is missing, and a bad answer is asked again."""
    import select

    controller, proc = _log_on_a_terminal(env, surgery_days_ago=5)
    seen = b""

    def read_until(text: bytes):
        nonlocal seen
        while text not in seen:
            ready, _, _ = select.select([controller], [], [], 30)
            assert ready, f"no prompt {text!r}; got {seen!r}"
            seen += os.read(controller, 4096)

    conversation = [
        (b"Pain now", b"12"), (b"0 to 10", b"4"),  # a bad answer is asked again
        (b"Weight-bearing [none/toe-touch/partial/as-tolerated/full]", b"PWB"),
        # Day 5 of a plan that expects the boot: whether it was worn is asked, not left unrecorded.
        (b"Did you wear the boot today? [yes/no]", b"y"),
        # The warning signs and a temperature are asked too: they are what call for urgent advice.
        (b"Any warning signs today?", b"headache"), (b"unknown symptom 'headache'", b"calf pain, numbness"),
        (b"Temperature, if you took it", b""),
    ]
    for prompt, answer in conversation:
        read_until(prompt)
        os.write(controller, answer + b"\n")
    read_until(b"Contact your surgical team now")  # the red flag's advice, after the entry
    assert proc.wait(timeout=60) == 0, seen
    os.close(controller)
    assert b"boot on" in seen
    entries = json.loads(run(env, "history", "--json").stdout)
    assert [(e["pain"], e["weight_bearing"], e["boot"], e["symptoms"], e["temperature"]) for e in entries] == [
        (4, "partial", True, ["calf-pain", "numbness"], None)]


def test_ctrl_c_at_a_log_prompt_says_nothing_was_written_on_a_line_of_its_own(env):
    import select
    import signal
    import time

    controller, proc = _log_on_a_terminal(env, surgery_days_ago=30)  # no boot question on day 30
    seen = b""
    while b"Pain now" not in seen:
        ready, _, _ = select.select([controller], [], [], 30)
        assert ready, seen
        seen += os.read(controller, 4096)
    time.sleep(0.5)  # the prompt is printed a moment before the terminal is read: wait for the read
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    code = proc.wait(timeout=60)
    while True:
        ready, _, _ = select.select([controller], [], [], 1)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    lines = seen.decode().replace("\r", "").split("\n")
    assert code == 130
    assert "rehab: aborted; nothing was written" in lines, lines
    assert json.loads(run(env, "history", "--json").stdout) == []


@pytest.mark.parametrize("command", [["--version"], ["log", "--pain", "3", "--wb", "PWB"]])
def test_a_closed_standard_output_is_one_line_and_nothing_done(env, db_path, command):
    """`rehab today >&-` once failed with "unexpected error (AttributeError)"."""
    run(env, "patient", "add", "Ann", "--surgery-date", (TODAY - timedelta(days=3)).isoformat(), "--procedure", "fhl")
    result = subprocess.run([REHAB, *command], env=env, capture_output=False, stderr=subprocess.PIPE, text=True,
                            timeout=60, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert result.returncode == 1
    assert result.stderr == "rehab: standard output is closed; nothing was done (run it with somewhere to write to)\n"
    assert json.loads(run(env, "history", "--json").stdout) == []
