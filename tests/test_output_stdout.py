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


def test_a_failure_part_way_prints_nothing_to_standard_output(rehab, logged, tmp_path, monkeypatch):
    """Whole or nothing holds for '-' too: a clinic report that fails on its second patient
    prints none of the first. (A missing protocol no longer fails a clinic report, issue 13:
    the failure is injected where Zed's plan is built.)"""
    from rehab import timeline
    from rehab.errors import RehabError
    from rehab.protocols.loader import BUILTIN_DIR

    real_build = timeline.build

    def failing_build(protocol, surgery):
        if protocol.id == "zz-clinic-fhl":
            raise RehabError("zz-clinic-fhl: cannot build this plan")
        return real_build(protocol, surgery)

    folder = tmp_path / "protocols"
    folder.mkdir()
    text = (BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8")
    (folder / "clinic.yaml").write_text(text.replace("id: fhl-release", "id: zz-clinic-fhl", 1), encoding="utf-8")
    assert rehab("--protocols-dir", folder, "patient", "add", "Zed", "--surgery-date", SURGERY.isoformat(),
                 "--procedure", "zz-clinic-fhl").exit_code == 0
    monkeypatch.setattr(timeline, "build", failing_build)
    for fmt in ("json", "csv", "html"):
        result = rehab("--protocols-dir", folder, "report", "--all", "--format", fmt, "--output", "-")
        assert result.exit_code == 2 and "zz-clinic-fhl" in result.stderr
        assert result.stdout == ""


def test_dot_slash_dash_is_a_file_named_dash(rehab, logged):
    result = rehab("report", "--format", "csv", "--output", "./-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and (logged / "-").read_text(encoding="utf-8").startswith("patient_id,")
    (logged / "-").unlink()  # the fixture checks that nothing else wrote one


def test_standard_output_is_utf8_whatever_the_locale(logged, tmp_path):
    """A backup piped out of a terminal set to Latin-1 still reads back as UTF-8."""
    import os
    import shutil
    import subprocess

    env = dict(os.environ, PYTHONIOENCODING="latin-1", REHAB_DB=str(tmp_path / "e2e.db"))
    exe = shutil.which("rehab")
    subprocess.run([exe, "patient", "add", "Zoë Ł", "--surgery-date", SURGERY.isoformat(), "--procedure", "fhl"],
                   env=env, check=True, capture_output=True)
    out = subprocess.run([exe, "export", "--output", "-"], env=env, check=True, capture_output=True).stdout
    assert json.loads(out.decode("utf-8"))["patients"][0]["name"] == "Zoë Ł"
