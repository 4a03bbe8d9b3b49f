"""`--output -` writes to standard output (report, timeline, export), never to a file
named "-", and says nothing else on stdout."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

SURGERY = date.today() - timedelta(days=10)


@pytest.fixture
def logged(rehab, isolated, monkeypatch):
    monkeypatch.chdir(isolated)  # a file named "-" would appear here
    assert rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(),
                 "--procedure", "fhl-release").exit_code == 0
    for day in range(3):
        on = (SURGERY + timedelta(days=day)).isoformat()
        assert rehab("log", "--date", on, "--pain", str(5 - day), "--weight-bearing", "none",
                     "--note", "=SUM(A1)").exit_code == 0
    yield isolated
    assert not (isolated / "-").exists()


def test_report_csv_and_json_to_standard_output(rehab, logged):
    result = rehab("report", "--format", "csv", "--output", "-")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["pain"] for r in rows] == ["5", "4", "3"]
    assert rows[0]["note"] == "'=SUM(A1)"  # still neutralised
    assert "Wrote" not in result.stderr + result.stdout
    doc = json.loads(rehab("report", "--all", "--format", "json", "--output", "-").stdout)
    assert doc["patients"][0]["adherence"]["days_logged"] == 3


def test_report_markdown_and_pdf_to_standard_output(rehab, logged):
    assert rehab("report", "--format", "markdown", "--output", "-").stdout.startswith("# Progress report: Ann Lee")
    # Not a terminal here, so the binary PDF may go down the pipe.
    assert rehab("report", "--format", "pdf", "--output", "-").stdout_bytes.startswith(b"%PDF-")


def test_timeline_to_standard_output(rehab, logged):
    assert rehab("timeline", "--format", "ics", "--output", "-").stdout.startswith("BEGIN:VCALENDAR")
    assert json.loads(rehab("timeline", "--json", "--output", "-").stdout)["surgery_date"] == SURGERY.isoformat()
    assert rehab("timeline", "--format", "pdf", "--output", "-").stdout_bytes.startswith(b"%PDF-")


def test_export_to_standard_output_imports_back(rehab, logged, db_path):
    result = rehab("export", "--output", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "Exported 1 patient to standard output"
    db_path.unlink()
    imported = rehab("import", "-", input=result.stdout)  # and back in through standard input
    assert imported.exit_code == 0, imported.stderr
    assert [e["pain"] for e in json.loads(rehab("history", "--json").stdout)] == [5, 4, 3]


def test_import_from_standard_input_refuses_what_is_not_an_export(rehab, isolated, db_path):
    result = rehab("import", "-", input="this is not JSON")
    assert result.exit_code == 2 and result.stderr.startswith("rehab: not a rehab export")
    assert not db_path.exists()


def test_a_binary_format_is_not_sent_to_a_terminal(monkeypatch):
    from rehab.errors import RehabError
    from rehab.files import check_writable

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    with pytest.raises(RehabError, match="binary"):
        check_writable("-", force=False, binary=True)
    assert str(check_writable("-", force=False)) == "-"  # text is fine on a terminal
