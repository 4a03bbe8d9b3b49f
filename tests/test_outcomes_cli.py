"""`rehab score`, `rehab measure`, `rehab outcomes` and the questionnaires `today` announces:
what is stored and printed, each refusal (exit 2, nothing written), and a real terminal
answering a short questionnaire item by item."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ok, snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=42)  # 6 weeks ago: the 6-week questionnaires are due today
ROOT = Path(__file__).resolve().parent.parent


def answers(*values) -> str:
    return ",".join(str(v) for v in values)


@pytest.fixture
def patient(rehab):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(), "--procedure", "os-trigonum-excision"))
    return "ann-lee"


def test_score_stores_the_answers_and_prints_what_was_stored(rehab, patient):
    first = json.loads(ok(rehab("score", "faam-adl", "--date", (SURGERY - timedelta(days=3)).isoformat(),
                                "--answers", answers(*[2] * 19, "na", "na"), "--json")).stdout)
    assert {k: first[k] for k in ("instrument", "day", "answered", "score", "max", "baseline", "change", "mcid", "meaningful")} == {
        "instrument": "faam-adl", "day": -3, "answered": 19, "score": 50.0, "max": 100, "baseline": 50.0,
        "change": None, "mcid": 8, "meaningful": None}
    assert first["answers"] == [2] * 19 + [None, None]
    # 10 at 3 and 11 at 2: 52/84 = 61.9; +11.9 from the baseline, beyond the MCID of 8
    later = json.loads(ok(rehab("score", "FAAM-ADL", "--answers", answers(*[3] * 10, *[2] * 11), "--json")).stdout)
    assert (later["date"], later["day"], later["score"], later["baseline"], later["change"], later["meaningful"]) == (
        TODAY.isoformat(), 42, 61.9, 50.0, 11.9, True)
    text = ok(rehab("score", "lefs", "--answers", answers(*[4] * 20))).stdout
    assert "LEFS" in text and "80 (of 80; 20 of 20 answered)" in text and "baseline" in text


def test_a_questionnaire_with_too_many_not_applicable_is_kept_without_a_score(rehab, patient):
    doc = json.loads(ok(rehab("score", "faam-sports", "--answers", answers(4, 4, 4, 4, 4, 4, "na", "na"), "--json")).stdout)
    assert (doc["score"], doc["answered"], doc["baseline"], doc["change"]) == (None, 6, None, None)
    text = ok(rehab("score", "faam-sports", "--answers", answers(4, 4, 4, 4, 4, "na", "na", "na"))).stdout
    assert "5 of 8 items answered" in text and "at least 7" in text
    stored = json.loads(ok(rehab("outcomes", "--json")).stdout)["scores"]
    assert [s["answers"][-1] for s in stored] == [None, None]


@pytest.mark.parametrize("args, words", [
    (["score", "faam-adl", "--answers", answers(*[4] * 20)], "faam-adl has 21 items; --answers gave 20"),
    (["score", "faam-sports", "--answers", answers(*[4] * 9)], "faam-sports has 8 items; --answers gave 9"),
    (["score", "lefs", "--answers", answers(*[4] * 19, 5)], "answer 20 is '5': answer 0–4"),
    (["score", "faam-adl", "--answers", answers(-1, *[4] * 20)], "answer 1 is '-1': answer 0–4 or na"),
    (["score", "lefs", "--answers", answers(*[4] * 19, "na")], "answer 20 is 'na', but every lefs item must be answered"),
    (["score", "lefs", "--date", (TODAY + timedelta(days=1)).isoformat(), "--answers", answers(*[4] * 20)], "is in the future"),
    (["score", "lefs"], "missing --answers"),
    (["score", "koos", "--answers", "4"], "unknown instrument 'koos': use one of faam-adl, faam-sports, lefs"),
    (["score", "lefs", "--patient", "nobody", "--answers", answers(*[4] * 20)], "nobody"),
    (["measure", "hop-test", "5"], "unknown measure 'hop-test'"),
    (["measure", "knee-to-wall", "20.5"], "knee-to-wall is 0–20 cm"),
    (["measure", "knee-to-wall", "far"], "knee-to-wall is a number"),
    (["measure", "calf-raises", "101"], "calf-raises is 0–100"),
    (["measure", "calf-raises", "7.5"], "calf-raises is a whole number"),
    (["measure", "calf-raises", "7", "--side", "left"], "--side is operated or other"),
    (["measure", "calf-raises", "7", "--date", (TODAY + timedelta(days=1)).isoformat()], "is in the future"),
])
def test_refusals_exit_2_and_write_nothing(rehab, patient, db_path, args, words):
    ok(rehab("score", "lefs", "--answers", answers(*[3] * 20)))
    before = snapshot(db_path)
    result = rehab(*args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("rehab: ") and words in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(db_path) == before


def test_measures_and_symmetry(rehab, patient):
    week_ago = (TODAY - timedelta(days=7)).isoformat()
    ok(rehab("measure", "knee-to-wall", "8.5", "--date", week_ago))
    text = ok(rehab("measure", "knee-to-wall", "10", "--side", "other")).stdout
    assert "the operated side is 85.0% of the other" in text
    ok(rehab("measure", "calf-raises", "12"))
    doc = json.loads(ok(rehab("outcomes", "--json")).stdout)
    assert set(doc) >= {"scores", "measures", "symmetry", "due"}
    assert [{k: m[k] for k in ("name", "date", "day", "side", "value")} for m in doc["measures"]] == [
        {"name": "knee-to-wall", "date": week_ago, "day": 35, "side": "operated", "value": 8.5},
        {"name": "knee-to-wall", "date": TODAY.isoformat(), "day": 42, "side": "other", "value": 10.0},
        {"name": "calf-raises", "date": TODAY.isoformat(), "day": 42, "side": "operated", "value": 12},
    ]
    assert [{k: s[k] for k in ("name", "date", "operated", "other", "percent")} for s in doc["symmetry"]] == [
        {"name": "knee-to-wall", "date": week_ago, "operated": 8.5, "other": 10.0, "percent": 85.0}]


def test_today_says_which_questionnaires_are_due_and_how_to_answer(rehab, patient):
    doc = json.loads(ok(rehab("today", "--json")).stdout)
    due = [(d["instrument"], d["due_date"]) for d in doc["outcomes_due"]]
    assert due == [(i, TODAY.isoformat()) for i in ("faam-adl", "faam-sports", "lefs")]
    assert "rehab score faam-sports" in ok(rehab("today")).stdout
    ok(rehab("score", "faam-sports", "--answers", answers(*[2] * 8), "--date", (TODAY - timedelta(days=7)).isoformat()))
    doc = json.loads(ok(rehab("today", "--json")).stdout)
    assert [d["instrument"] for d in doc["outcomes_due"]] == ["faam-adl", "lefs"]
    # Eight days later the window has closed: nothing is due, the schedule shows it missed.
    later = (TODAY + timedelta(days=8)).isoformat()
    assert json.loads(ok(rehab("today", "--json", "--date", later)).stdout)["outcomes_due"] == []
    schedule = json.loads(ok(rehab("outcomes", "--json", "--date", later)).stdout)["due"]
    six_weeks = {d["instrument"]: d["status"] for d in schedule if d["label"] == "6 weeks"}
    assert six_weeks == {"faam-adl": "missed", "faam-sports": "done", "lefs": "missed"}


def test_before_surgery_today_announces_the_baseline(rehab):
    surgery = TODAY + timedelta(days=3)
    ok(rehab("patient", "add", "Bo Ray", "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release"))
    doc = json.loads(ok(rehab("today", "--json")).stdout)
    assert {d["instrument"] for d in doc["outcomes_due"]} == {"faam-adl", "faam-sports", "lefs"}
    assert {d["due_date"] for d in doc["outcomes_due"]} == {(surgery - timedelta(days=1)).isoformat()}
    assert "Questionnaire due (before surgery" in ok(rehab("today")).stdout


MINI = """
id: mini
name: A three-item check
short_name: Mini
summary: Three items, for the terminal test.
question: How much difficulty do you have with
scale:
  - {value: 2, label: none}
  - {value: 1, label: some}
  - {value: 0, label: a lot}
not_applicable: true
scoring: percent
min_answered: 2
mcid: 10
mcid_source: us
items:
  - {id: one, label: Walking to the door}
  - {id: two, label: Climbing one stair}
  - {id: three, label: Standing on tiptoe}
sources:
  - {id: us, title: Made up for a test}
"""


def test_a_clinic_instrument_file_is_used_by_score(rehab, patient, tmp_path):
    (tmp_path / "clinic" / "instruments").mkdir(parents=True)
    (tmp_path / "clinic" / "instruments" / "mini.yaml").write_text(MINI)
    doc = json.loads(ok(rehab("--protocols-dir", tmp_path / "clinic", "score", "mini", "--answers", "2,na,1", "--json")).stdout)
    assert (doc["score"], doc["max"], doc["mcid"]) == (75.0, 100, 10)  # 3 / (2 x 2) x 100


def _read_until(fd: int, wanted: str, seen: list[str], timeout: float = 20.0) -> str:
    """Read the terminal until `wanted` has appeared in what was read since the last call."""
    buffer = ""
    deadline = time.monotonic() + timeout
    while wanted not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"waited for {wanted!r}; the terminal showed {''.join(seen) + buffer!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096).decode("utf-8", "replace")
            except OSError:  # the child closed the terminal
                chunk = ""
            if not chunk:
                raise AssertionError(f"the terminal closed before {wanted!r}: {''.join(seen) + buffer!r}")
            buffer += chunk
    seen.append(buffer)
    return buffer


def test_a_real_terminal_answers_item_by_item_with_a_bad_answer_asked_again(tmp_path, patient):
    import pty

    clinic = tmp_path / "clinic"
    (clinic / "instruments").mkdir(parents=True)
    (clinic / "instruments" / "mini.yaml").write_text(MINI)
    script = shutil.which("rehab")
    command = [script] if script else [sys.executable, "-m", "rehab"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "100"}
    main, child = pty.openpty()
    process = subprocess.Popen([*command, "--protocols-dir", str(clinic), "score", "mini", "--json"],
                               stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    seen: list[str] = []
    try:
        shown = _read_until(main, "1/3 Walking to the door [0-2/na/b]", seen)
        assert "2  none" in shown and "na not applicable" in shown
        os.write(main, b"2\n")
        _read_until(main, "2/3 Climbing one stair", seen)
        os.write(main, b"7\n")  # out of range: said why, asked again
        assert "answer 0–2 or na" in _read_until(main, "2/3 Climbing one stair", seen)
        os.write(main, b"b\n")  # back to the first item
        _read_until(main, "1/3 Walking to the door", seen)
        os.write(main, b"1\n")
        _read_until(main, "2/3 Climbing one stair", seen)
        os.write(main, b"na\n")
        _read_until(main, "3/3 Standing on tiptoe", seen)
        os.write(main, b"2\n")
        _read_until(main, '"meaningful"', seen)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    printed = "".join(seen)
    document = json.loads(printed[printed.index("{"):printed.rindex("}") + 1])
    assert (document["answers"], document["score"]) == ([1, None, 2], 75.0)  # 3 / (2 x 2) x 100


def test_scores_and_measures_survive_export_and_import(rehab, patient, tmp_path, monkeypatch):
    ok(rehab("score", "faam-adl", "--date", (SURGERY - timedelta(days=2)).isoformat(),
             "--answers", answers(*[2] * 19, "na", "na")))
    ok(rehab("score", "faam-sports", "--answers", answers(4, 4, 4, 4, 4, "na", "na", "na")))  # unscored
    ok(rehab("score", "lefs", "--answers", answers(*[3] * 20)))
    ok(rehab("measure", "knee-to-wall", "8.5"))
    ok(rehab("measure", "calf-raises", "20", "--side", "other"))
    before = json.loads(ok(rehab("outcomes", "--json")).stdout)
    backup, again = tmp_path / "backup.json", tmp_path / "again.json"
    ok(rehab("export", "--output", backup))
    monkeypatch.setenv("REHAB_DB", str(tmp_path / "restored.db"))
    ok(rehab("import", backup))
    assert json.loads(ok(rehab("outcomes", "--json")).stdout) == before
    ok(rehab("export", "--output", again))
    first, second = json.loads(backup.read_text()), json.loads(again.read_text())
    for document in (first, second):
        document.pop("exported_at", None)
    assert first == second


def test_protocols_validate_checks_questionnaire_files_and_the_schedule(rehab, tmp_path):
    builtin = ROOT / "rehab"
    assert "valid questionnaire 'lefs' (20 items, scored as a sum, MCID 9)" in ok(
        rehab("protocols", "validate", builtin / "instruments" / "lefs.yaml")).stdout
    bad = tmp_path / "mini.yaml"
    bad.write_text(MINI.replace("min_answered: 2", "min_answered: 4"))
    result = rehab("protocols", "validate", bad)
    assert result.exit_code == 2 and "min_answered is 4 but there are 3 items" in result.stderr
    text = (builtin / "protocols" / "fhl-release.yaml").read_text()
    assert "instruments: [faam-adl, faam-sports, lefs]" in text
    own = tmp_path / "own.yaml"
    own.write_text(text.replace("instruments: [faam-adl, faam-sports, lefs]", "instruments: [faam-adl, mini]"))
    result = rehab("protocols", "validate", own)
    assert result.exit_code == 2 and "unknown questionnaire 'mini'" in result.stderr
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "mini.yaml").write_text(MINI)
    assert "valid protocol" in ok(rehab("--protocols-dir", tmp_path, "protocols", "validate", own)).stdout
    shown = " ".join(ok(rehab("protocols", "show", "fhl-release")).stdout.split())
    assert "faam-adl, faam-sports, lefs: due before surgery, 6 weeks, 12 weeks, 6 months, 12 months" in shown


def test_the_demo_patient_has_baseline_questionnaires_and_a_symmetry(rehab, tmp_path):
    main_db = tmp_path / "main.db"
    ok(rehab("--db", main_db, "demo"))
    doc = json.loads(ok(rehab("--db", tmp_path / "main-demo.db", "outcomes", "--json")).stdout)
    # FAAM ADL 62/84 = 73.8%; sports 7/28 = 25.0% (one na); LEFS the sum, 56.
    assert [(s["instrument"], s["day"], s["score"], s["change"]) for s in doc["scores"]] == [
        ("faam-adl", -6, 73.8, None), ("faam-sports", -6, 25.0, None), ("lefs", -6, 56, None)]
    assert [(s["name"], s["percent"]) for s in doc["symmetry"]] == [("knee-to-wall", 68.2)]  # 7.5 / 11


def test_report_counts_swelling_and_home_exercises_logged(rehab, patient, tmp_path):
    for back, swelling, exercises in ((3, "moderate", "skipped"), (2, "mild", "done"), (1, "mild", "partly")):
        ok(rehab("log", "--date", (TODAY - timedelta(days=back)).isoformat(), "--pain", "2", "--wb", "full",
                 "--swelling", swelling, "--exercises", exercises))
    ok(rehab("log", "--pain", "2", "--wb", "full"))  # neither given today
    out = tmp_path / "report.json"
    ok(rehab("report", "--format", "json", "--output", out))
    section = json.loads(out.read_text())["patients"][0]["outcomes"]
    assert section["swelling"] == {"days": 3, "counts": {"none": 0, "mild": 2, "moderate": 1, "severe": 0},
                                   "latest": "mild", "latest_date": (TODAY - timedelta(days=1)).isoformat()}
    assert section["exercises"]["counts"] == {"done": 1, "partly": 1, "skipped": 1}
    markdown = tmp_path / "report.md"
    ok(rehab("report", "--format", "markdown", "--output", markdown))
    assert "done on 1 of 3 days logged (33%), partly 1, skipped 1" in markdown.read_text()


def test_a_fifo_among_a_clinics_instrument_files_is_refused_not_waited_on(patient, tmp_path):
    """Read as protocols are: a regular file only. A FIFO must not hang `rehab score`."""
    folder = tmp_path / "clinic" / "instruments"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "mini.yaml")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run([sys.executable, "-m", "rehab", "--protocols-dir", str(tmp_path / "clinic"), "score",
                             "lefs", "--answers", ",".join(["2"] * 20)],
                            capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1
