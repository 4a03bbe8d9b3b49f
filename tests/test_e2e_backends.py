"""The daily loop and a clinic's documents, end to end through the installed `rehab`, on
every database the store runs on (SQLite always; PostgreSQL when REHAB_TEST_POSTGRES_URL is
set, as .ci/run sets it). Concurrent logging: test_concurrency.py, on both as well."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from datetime import date, timedelta

from conftest import clean_postgres

REHAB = shutil.which("rehab") or "rehab"
TODAY = date.today()
SURGERY = TODAY - timedelta(days=10)


def run(*args, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([REHAB, *map(str, args)], env=os.environ, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_log_today_report_export_and_import(database, tmp_path):
    run("patient", "add", "Zoë Łukasiewicz", "--surgery-date", SURGERY.isoformat(), "--procedure", "FHL release")
    run("patient", "add", "Bob Roy", "--surgery-date", SURGERY.isoformat(), "--procedure", "debridement", "--id", "bob")
    for day in range(1, 4):
        run("log", "--date", (SURGERY + timedelta(days=day)).isoformat(), "--pain", str(6 - day), "--wb", "TTWB")
    run("log", "--date", (SURGERY + timedelta(days=3)).isoformat(), "--replace", "--symptom", "fever", "--note", "hot")
    refused = run("log", "--date", (SURGERY + timedelta(days=3)).isoformat(), "--pain", "2", "--wb", "PWB", check=False)
    assert refused.returncode == 2 and "--replace" in refused.stderr

    today = json.loads(run("today", "--json").stdout)
    assert (today["patient"]["id"], today["day"], today["logged"]) == ("zoe-lukasiewicz", 10, False)
    assert any(f["rule"] == "red-flag" for f in today["flags"])

    history = json.loads(run("history", "--json").stdout)
    assert [(e["pain"], e["symptoms"]) for e in history] == [(5, []), (4, []), (3, ["fever"])]

    report = tmp_path / "clinic.json"
    run("report", "--all", "--format", "json", "--output", report)
    people = {p["patient"]["id"]: p for p in json.loads(report.read_text())["patients"]}
    assert set(people) == {"zoe-lukasiewicz", "bob"} and len(people["zoe-lukasiewicz"]["entries"]) == 3
    table = tmp_path / "clinic.csv"
    run("report", "--all", "--format", "csv", "--output", table)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [r["note"] for r in rows if r["patient_id"] == "zoe-lukasiewicz"] == ["", "", "hot"]

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    run("export", "--output", first)
    again = str(tmp_path / "again.db") if database.endswith(".db") else clean_postgres()
    run("--db", again, "import", first)
    run("--db", again, "export", "--output", second)
    docs = [json.loads(p.read_text()) for p in (first, second)]
    for doc in docs:
        doc.pop("exported_at")
    assert docs[0] == docs[1]
    assert [p["id"] for p in docs[1]["patients"]] == ["bob", "zoe-lukasiewicz"]
    assert len(docs[1]["patients"][1]["revisions"]) == 1
