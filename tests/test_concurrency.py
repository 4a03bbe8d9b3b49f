"""Several rehab processes writing at once, on every backend: nothing is lost, nobody is
told the database is locked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date, timedelta

REHAB = shutil.which("rehab") or "rehab"
TODAY = date.today()


def run(*args, check=True):
    result = subprocess.run([REHAB, *args], env=os.environ, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_two_logs_at_the_same_moment_both_succeed(database):
    surgery = TODAY - timedelta(days=10)
    run("patient", "add", "Ann Lee", "--surgery-date", surgery.isoformat(), "--procedure", "debridement")
    procs = [
        subprocess.Popen([REHAB, "log", "--date", (TODAY - timedelta(days=d)).isoformat(), "--pain", "3", "--wb", "partial"],
                         env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        for d in (1, 2)
    ]
    outcomes = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert outcomes == [(0, ""), (0, "")]
    assert len(json.loads(run("history", "--json").stdout)) == 2


# A worker process runs the real CLI in-process (a process per command would make these
# tests take minutes): it waits for a line on stdin, runs `rehab ARGS...` with ROUND in the
# arguments replaced by the line, and answers with the exit status and stderr as JSON.
WORKER = textwrap.dedent("""
    import contextlib, io, json, sys
    from rehab.cli import main
    template = sys.argv[1:]
    for line in sys.stdin:
        sys.argv = ["rehab"] + [line.strip() if a == "ROUND" else a for a in template]
        err = io.StringIO()
        code = 0
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        print(json.dumps([code, err.getvalue()]), flush=True)
""")


class Workers:
    """Processes that each run one rehab command per round, all started at the same moment."""

    def __init__(self, commands: list[list[str]]):
        self.procs = [subprocess.Popen([sys.executable, "-c", WORKER, *args], env=os.environ, text=True,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                      for args in commands]

    def round(self, value: str) -> list[tuple[int, str]]:
        for p in self.procs:  # every worker is already waiting on its stdin: they go together
            p.stdin.write(value + "\n")
            p.stdin.flush()
        return [tuple(json.loads(p.stdout.readline() or '[99, "worker died"]')) for p in self.procs]

    def close(self):
        for p in self.procs:
            p.stdin.close()
            p.wait(timeout=60)


def test_four_processes_logging_at_once_lose_nothing(database):
    surgery = TODAY - timedelta(days=40)
    ids = [f"p{n}" for n in range(4)]
    for pid in ids:
        run("patient", "add", pid, "--id", pid, "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release")
    workers = Workers([["log", "--patient", pid, "--date", "ROUND", "--pain", "3", "--wb", "partial"] for pid in ids])
    try:
        for day in range(25):
            outcomes = workers.round((surgery + timedelta(days=day)).isoformat())
            assert outcomes == [(0, "")] * 4, outcomes
    finally:
        workers.close()
    for pid in ids:
        assert len(json.loads(run("history", "--patient", pid, "--json").stdout)) == 25


SYMPTOMS = ["calf-pain", "calf-swelling", "leg-warmth", "fever", "wound-redness", "wound-discharge", "numbness",
            "cold-toes"]


def test_eight_replacements_at_once_keep_every_symptom(database):
    """Issue 13, item 1: `log --replace` read the day outside its write, so of eight at once
    most were lost. Twenty rounds, each on a day logged beforehand without symptoms."""
    surgery = TODAY - timedelta(days=30)
    run("patient", "add", "Ann Lee", "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release")
    days = [(surgery + timedelta(days=n)).isoformat() for n in range(20)]
    setup = Workers([["log", "--date", "ROUND", "--pain", "3", "--wb", "partial"]])
    try:
        assert all(setup.round(day) == [(0, "")] for day in days)
    finally:
        setup.close()
    workers = Workers([["log", "--date", "ROUND", "--replace", "--symptom", s] for s in SYMPTOMS])
    try:
        for day in days:
            outcomes = workers.round(day)
            assert [code for code, _ in outcomes] == [0] * 8, outcomes
    finally:
        workers.close()
    history = json.loads(run("history", "--json").stdout)
    lost = {e["date"]: sorted(set(SYMPTOMS) - set(e["symptoms"])) for e in history if set(e["symptoms"]) != set(SYMPTOMS)}
    assert lost == {}
