"""What an adversarial run broke (issue 13), each case as it was reproduced: a protocol
that disappeared, dates in year 99, long notes in a PDF, FIFOs and /dev/zero, control
characters, signals, a full disk on standard output, and leftovers of a killed write.

The refusals themselves are in the bad-input table (test_bad_inputs.py); here are the cases
that need more than one command, another process, or a look inside a document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ok, snapshot
from rehab.dates import parse_date
from rehab.errors import RehabError

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("REHAB_TEST_POSTGRES_URL") else [])


def iso(day: date) -> str:
    return day.isoformat()


def clean_postgres() -> str:
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    url = os.environ["REHAB_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(sql("DROP SCHEMA public CASCADE"))
        conn.execute(sql("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def database(request, db_path) -> str:
    return str(db_path) if request.param == "sqlite" else clean_postgres()


# --- 4: a patient whose protocol has since disappeared -----------------------------------------


def test_a_patient_whose_protocol_disappeared_is_listed_and_never_stops_the_clinic_report(rehab, isolated):
    folder = isolated / "protocols"
    folder.mkdir()
    builtin = (Path(__file__).parent.parent / "rehab" / "protocols" / "fhl-release.yaml").read_text()
    (folder / "clinic.yaml").write_text(_rename(builtin))
    ok(rehab("--protocols-dir", folder, "patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY),
             "--procedure", "clinic-fhl"))
    ok(rehab("patient", "add", "Bo Day", "--surgery-date", iso(SURGERY), "--procedure", "fhl-release"))
    ok(rehab("--protocols-dir", folder, "log", "-p", "ann-lee", "--date", iso(SURGERY + timedelta(days=1)),
             "--pain", "3", "--wb", "partial", "--note", "first day"))
    ok(rehab("log", "-p", "bo-day", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "4", "--wb", "partial"))
    (folder / "clinic.yaml").unlink()  # the clinic removed the file; Ann's record still names it

    for fmt in ("pdf", "html", "markdown", "csv", "json"):
        out = isolated / f"clinic.{fmt}"
        result = rehab("report", "--all", "--format", fmt, "--output", out)
        assert result.exit_code == 0, (fmt, result.stderr)
        if fmt == "pdf":
            continue
        written = out.read_text()
        assert "Bo Day" in written or "bo-day" in written, fmt
        assert "Ann Lee" in written or "ann-lee" in written, fmt
        if fmt in ("html", "markdown", "json"):
            assert "can no longer be found" in written, fmt
    document = json.loads((isolated / "clinic.json").read_text())
    ann = next(p for p in document["patients"] if p["patient"]["id"] == "ann-lee")
    assert ann["timeline"] is None and ann["flags"] == [] and [e["note"] for e in ann["entries"]] == ["first day"]
    bo = next(p for p in document["patients"] if p["patient"]["id"] == "bo-day")
    assert bo["timeline"]["procedure"]["id"] == "fhl-release"


def _rename(builtin: str) -> str:
    """The built-in FHL protocol as a clinic's own file, with an id and names of its own."""
    lines = []
    skipping = False
    for line in builtin.splitlines():
        if line.startswith("id:"):
            line = "id: clinic-fhl"
        elif line.startswith("name:"):
            line = "name: Clinic FHL plan"
        if line.startswith("aliases:"):
            lines.append("aliases: []")
            skipping = True
            continue
        if skipping and line.startswith("  - "):
            continue
        skipping = False
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- 5: years outside 1900–2199, in every form -------------------------------------------------


@pytest.mark.parametrize("written", ["3 Mar 0099", "3 Mar 0000", "March 3, 0099", "0099-03-03", "0000-03-03",
                                     "3 Mar 1899", "3 Mar 2200", "2200-01-01", "1899-12-31"])
def test_years_outside_the_range_are_refused_in_every_form(written):
    with pytest.raises(RehabError, match="outside the dates rehab works with|not a real date"):
        parse_date(written)


@pytest.mark.parametrize("written, expected", [("1 Jan 1900", date(1900, 1, 1)), ("31 Dec 2199", date(2199, 12, 31)),
                                               ("3 Mar 2026", date(2026, 3, 3)), ("2026 Mar 3", date(2026, 3, 3))])
def test_the_ends_of_the_range_are_accepted(written, expected):
    assert parse_date(written) == expected


# --- 6 and 11: free text, the same rules everywhere ---------------------------------------------


def test_one_line_fields_are_made_one_line_and_control_characters_refused():
    from rehab import text

    assert text.line("  Ann \r\n# Lee\t ", "name") == "Ann # Lee"
    assert text.line("   ", "name") is None
    assert text.line("Zoë Łukasiewicz", "name") == "Zoë Łukasiewicz"
    for bad in ("a\x1b[31mb", "a\x00b", "a\x07b", "a\x7fb", "a\x9bb", "a\udcffb"):
        with pytest.raises(RehabError, match="may not contain"):
            text.line(bad, "name")
    with pytest.raises(RehabError, match="at most 200"):
        text.line("x" * 201, "--by")
    assert text.line("x" * 200, "--by") == "x" * 200


def test_notes_keep_their_lines_and_tabs_and_refuse_other_control_characters():
    from rehab import text

    assert text.note("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree\tfour"
    for bad in ("a\x1b]0;title\x07", "a\x00", "a\x08b"):
        with pytest.raises(RehabError, match="may not contain"):
            text.note(bad)
    with pytest.raises(RehabError, match="at most 2000"):
        text.note("n" * 2001)


def test_free_text_limits_are_the_same_on_every_database(rehab, database):
    """A 300-character --by was refused on PostgreSQL and stored on SQLite; a NUL byte was
    an unexpected error on PostgreSQL and stored on SQLite. Now the core refuses both."""
    ok(rehab("--db", database, "patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    day = iso(SURGERY + timedelta(days=1))
    ok(rehab("--db", database, "log", "--date", day, "--pain", "2", "--wb", "partial", "--symptom", "fever"))
    refusals = [
        ["flags", "ack", "red-flag", "--date", day, "--note", "seen", "--by", "B" * 300],
        ["flags", "ack", "red-flag", "--date", day, "--note", "seen\x00"],
        ["flags", "ack", "red-flag", "--date", day, "--note", "seen", "--by", "Dr\x1b[2J X"],
        ["log", "--date", iso(SURGERY + timedelta(days=2)), "--pain", "2", "--wb", "partial", "--note", "a\x00b"],
        ["patient", "add", "Zed\x00", "--surgery-date", iso(SURGERY), "--procedure", "fhl"],
        ["patient", "edit", "ann-lee", "--surgeon", "S" * 201],
    ]
    for args in refusals:
        result = rehab("--db", database, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1, result.stderr
    ok(rehab("--db", database, "flags", "ack", "red-flag", "--date", day, "--note", "seen", "--by", "B" * 200))
    export = ok(rehab("--db", database, "export", "--output", "-")).stdout
    document = json.loads(export)
    assert document["patients"][0]["acknowledgements"][0]["by"] == "B" * 200
    assert len(document["patients"][0]["entries"]) == 1


def test_import_refuses_what_the_commands_refuse(rehab, database, isolated):
    def person(**changes):
        base = {"id": "imp", "name": "Imp Ort", "surgery_date": iso(SURGERY), "procedure": "fhl-release",
                "side": None, "surgeon": None,
                "entries": [{"date": iso(SURGERY + timedelta(days=1)), "pain": 2, "weight_bearing": "partial",
                             "boot": True, "activity": None, "symptoms": [], "milestones": [], "note": None}]}
        for key, value in changes.items():
            if key == "note":
                base["entries"][0]["note"] = value
            else:
                base[key] = value
        return {"format": "rehab-export", "version": 1, "patients": [base]}

    cases = {
        "nul-note": (person(note="a\x00b"), "NUL"),
        "escape-name": (person(name="Imp\x1b[31m"), "escape"),
        "long-surgeon": (person(surgeon="S" * 300), "200"),
        "created-9999": (person(created_at="9999-12-31T23:59:59-05:00"), "outside the years"),
        "created-0001": (person(created_at="0001-01-01T00:00:00+05:00"), "outside the years"),
        "procedure-path": (person(procedure="../../elsewhere/evil"), "unknown procedure"),
        "procedure-unknown": (person(procedure="knee-replacement"), "unknown procedure"),
    }
    for name, (document, message) in cases.items():
        path = isolated / f"{name}.json"
        path.write_text(json.dumps(document))
        result = rehab("--db", database, "import", path)
        assert result.exit_code == 2, (name, result.stderr)
        assert message in result.stderr and result.stderr.count("\n") == 1, (name, result.stderr)
    ok(rehab("--db", database, "patient", "add", "Ann", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    assert json.loads(ok(rehab("--db", database, "patient", "list", "--json")).stdout)[0]["id"] == "ann"


def test_checked_import_records_keep_clean_text_as_it_was():
    from datetime import datetime, timezone

    from rehab import import_checks
    from rehab.model import Acknowledgement, Entry, Patient, PatientRecord

    record = PatientRecord(Patient("a", "A", SURGERY, "fhl-release"),
                           entries=[Entry(SURGERY, 2, "partial", note="line one\nline two")],
                           acknowledgements=[Acknowledgement(SURGERY, "red-flag", "", "ok", "  Dr   Who ",
                                                             datetime(2026, 1, 1, tzinfo=timezone.utc))])
    import_checks.check_records([record])
    assert record.entries[0].note == "line one\nline two"
    assert record.acknowledgements[0].by == "Dr Who"


def test_a_name_with_a_line_break_cannot_start_a_heading_or_a_calendar_line(rehab, isolated):
    out = isolated / "plan.ics"
    ok(rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--name", "Ann\r\nX-INJECTED:1",
             "--format", "ics", "--output", out))
    calendar = out.read_text()
    assert "\nX-INJECTED" not in calendar and "\r\nX-INJECTED" not in calendar
    assert "Ann X-INJECTED:1" in calendar.replace("\r\n ", "")
    markdown = ok(rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl",
                        "--name", "Ann\r# Urgent", "--format", "markdown")).stdout
    headings = [line for line in markdown.splitlines() if line.startswith("# ")]
    assert headings == ["# Recovery plan: FHL tendon release"], headings


def test_the_markdown_timeline_escapes_a_stored_name(rehab):
    ok(rehab("patient", "add", "# Ann *bold* <b>Lee</b>", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    markdown = ok(rehab("timeline", "--format", "markdown")).stdout
    assert "\\# Ann \\*bold\\* \\<b\\>Lee\\</b\\>" in markdown
    assert "<b>" not in markdown


# --- 6: long text in the PDF ----------------------------------------------------------------------


def test_a_pdf_row_taller_than_a_page_is_split_not_refused():
    """A 2,500-character acknowledgement (stored before there was a limit) and a note of
    many short lines each made a table row higher than a page: fpdf2 refused the row."""
    from rehab.render import pdf

    page = {"title": "Progress report: A", "facts": [("Patient", "A")], "adherence": [("Days", "1")],
            "pain": [("Latest", "2")], "charts": [], "phases": [], "changes": [], "milestones": [],
            "flags": [[iso(SURGERY), "URGENT", "red-flag", "Contact your team now.", "yes: " + "word " * 500]],
            "flag_marks": ["urgent open"],
            "entries": [[iso(SURGERY), "0", "2", "PWB", "boot", "–", "", "", "line\n" * 1999]]}
    document = pdf._reports([page], None)
    assert document.pages_count >= 3 and bytes(document.output()).startswith(b"%PDF")


def test_a_clinic_pdf_with_a_long_acknowledgement_note_is_written(rehab, isolated):
    day = iso(SURGERY + timedelta(days=1))
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    ok(rehab("log", "--date", day, "--pain", "2", "--wb", "partial", "--symptom", "fever"))
    note = "\n".join(f"c{n}" for n in range(400))  # under 2,000 characters, 400 lines
    ok(rehab("flags", "ack", "red-flag", "--date", day, "--note", note, "--by", "Dr Hester"))
    out = isolated / "clinic.pdf"
    ok(rehab("report", "--all", "--format", "pdf", "--output", out))
    assert out.read_bytes().startswith(b"%PDF")


# --- 7 and 12: only regular files are read, and replaced ------------------------------------------


def test_a_fifo_clinic_file_is_refused_not_waited_on(rehab, isolated):
    config = isolated / "home" / "config" / "rehab"
    config.mkdir(parents=True)
    os.mkfifo(config / "clinic.yaml")
    result = rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--format", "html")
    assert result.exit_code == 2 and "not a regular file" in result.stderr and result.stderr.count("\n") == 1


def test_read_bytes_stops_at_its_limit_on_an_endless_input(tmp_path):
    from rehab.files import read_bytes

    with pytest.raises(RehabError, match="not a regular file"):
        read_bytes("/dev/zero", 1024)
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(RehabError, match="not a regular file"):
        read_bytes(link, 1024)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(RehabError, match="larger than"):
        read_bytes(big, 1024)
    assert read_bytes(big, 2048) == b"x" * 2048


def test_import_of_standard_input_is_bounded(isolated):
    """`rehab import - < /dev/zero` read until the memory ran out."""
    from rehab.commands import records

    env = {**os.environ, "REHAB_DB": str(isolated / "r.db")}
    code = textwrap.dedent("""
        import sys
        from rehab.commands import records
        records.IMPORT_LIMIT = 1 << 20
        sys.argv = ["rehab", "import", "-"]
        from rehab.cli import main
        main()
    """)
    with open("/dev/zero", "rb") as zero:
        result = subprocess.run([sys.executable, "-c", code], stdin=zero, capture_output=True, text=True,
                                env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "larger than" in result.stderr and result.stderr.count("\n") == 1
    assert records.IMPORT_LIMIT >= 256 << 20  # a clinic's real export fits


def test_force_replaces_only_a_regular_file(rehab, isolated):
    fifo = isolated / "plan.json"
    os.mkfifo(fifo)
    result = rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--json",
                   "--output", fifo, "--force")
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert fifo.is_fifo()
    plain = isolated / "plain.json"
    plain.write_text("old")
    ok(rehab("timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--json", "--output", plain, "--force"))
    assert json.loads(plain.read_text())["surgery_date"] == iso(SURGERY)


# --- 8 and 13: messages ------------------------------------------------------------------------


def run_rehab(*args: str | bytes, env_extra: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "rehab", *args], capture_output=True, env=env, timeout=120, **kwargs)


def test_a_full_disk_on_standard_output_is_one_line(rehab, db_path):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    for args in (["patient", "list"], ["patient", "show", "--json"], ["timeline", "--format", "markdown"], ["history"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run([sys.executable, "-m", "rehab", *args], stdout=full, stderr=subprocess.PIPE,
                                    text=True, timeout=60, env={**os.environ, "REHAB_DB": str(db_path)})
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr == "rehab: the output could not be written (No space left on device)\n", result.stderr


def test_an_argument_that_is_not_utf8_is_refused(db_path):
    result = run_rehab(b"patient", b"add", b"Ann \xff Lee", b"--surgery-date", iso(SURGERY).encode(),
                       b"--procedure", b"fhl", env_extra={"REHAB_DB": str(db_path)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == "rehab: an argument is not valid UTF-8 text (check the terminal's character encoding)\n"
    assert not db_path.exists() or snapshot(db_path).get("patient") == []


def test_an_import_file_beginning_with_a_byte_order_mark_is_accepted(rehab, isolated):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    export = ok(rehab("export", "--output", "-")).stdout
    target = isolated / "other.db"
    bom = isolated / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + export.encode())
    ok(rehab("--db", target, "import", bom))
    assert [p["id"] for p in json.loads(ok(rehab("--db", target, "patient", "list", "--json")).stdout)] == ["ann-lee"]


# --- 9 and 13: signals and leftovers ------------------------------------------------------------


INTERRUPTED_EXPORT = """
import os, signal, sys
from rehab import backup
real = backup.write_export

def write_then_die(handle, records, *args, **kwargs):
    handle.write("x" * 100_000)
    handle.flush()
    os.kill(os.getpid(), signal.{name})
    return real(handle, records, *args, **kwargs)

backup.write_export = write_then_die
sys.argv = ["rehab", "export", "--output", sys.argv[1]]
from rehab.cli import main
main()
"""


@pytest.mark.parametrize("name, status", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_signal_during_export_leaves_no_temporary_file(rehab, isolated, db_path, name, status):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    folder = isolated / "out"
    folder.mkdir()
    result = subprocess.run([sys.executable, "-c", INTERRUPTED_EXPORT.format(name=name), str(folder / "backup.json")],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "REHAB_DB": str(db_path)})
    assert result.returncode == status, result.stderr
    assert result.stderr == "rehab: aborted; nothing was written\n"
    assert list(folder.iterdir()) == []


def test_stale_temporary_files_of_ours_are_removed_on_the_next_write(rehab, isolated):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    folder = isolated / "out"
    folder.mkdir()
    stale = folder / ".backup.json.rehab-k1ll3d00.tmp"
    fresh = folder / ".backup.json.rehab-running.tmp"
    other = folder / ".notes.abcdefgh.tmp"  # not ours
    for path in (stale, fresh, other):
        path.write_text("patient data")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    ok(rehab("export", "--output", folder / "backup.json"))
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert (folder / "backup.json").exists()


# --- 14: a clinic's PDF -----------------------------------------------------------------------------


def test_the_entry_table_repeats_its_headings_on_every_page_and_keeps_every_row():
    """The report tables are drawn cell by cell (fpdf2's table took most of a 200-patient
    PDF's five minutes): every row is there, and a table running onto a new page carries its
    headings again."""
    import pypdf
    import io

    from rehab.render import documents, pdf

    rows = [[iso(SURGERY + timedelta(days=d)), str(d), "3", "PWB", "boot", "walking", "", "",
             f"note {d}" + (" with a longer tail that wraps onto a second line of its cell" if d % 7 == 0 else "")]
            for d in range(150)]
    page = {"title": "Progress report: A", "facts": [("Patient", "A")], "adherence": [("Days", "1")],
            "pain": [("Latest", "2")], "charts": [], "phases": [], "changes": [], "milestones": [], "flags": [], "flag_marks": [],
            "entries": rows}
    drawn = []
    document = pdf._reports([page, page], None, drawn=lambda: drawn.append(1))
    assert drawn == [1, 1]  # once per patient: the progress bar's steps
    reader = pypdf.PdfReader(io.BytesIO(bytes(document.output())))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for d in (0, 77, 149):
        assert f"note {d}" in text
    assert text.count("with a longer tail") == 2 * len([d for d in range(150) if d % 7 == 0])
    pages_with_entries = [p.extract_text() for p in reader.pages if "note " in p.extract_text()]
    assert len(pages_with_entries) >= 4
    assert all(documents.ENTRY_HEADINGS[-1] in t and "Milestones" in t for t in pages_with_entries)


def _clinic_export(path: Path, patients: int, days: int) -> None:
    """A clinic as an export file: every patient with `days` daily entries, a note now and then."""
    records = []
    for n in range(patients):
        surgery = TODAY - timedelta(days=days + n % 7)
        entries = [{"date": iso(surgery + timedelta(days=d)), "pain": max(0, 6 - d // 8), "weight_bearing": "partial",
                    "boot": True, "activity": "walking", "symptoms": ["fever"] if d == 9 and n % 3 == 0 else [],
                    "milestones": [], "note": f"day {d}: exercises done, ankle a little stiff" if d % 4 == 0 else None}
                   for d in range(days)]
        records.append({"id": f"p{n:03d}", "name": f"Patient Number {n}", "surgery_date": iso(surgery),
                        "procedure": "fhl-release", "side": "left", "surgeon": "Ms Rao",
                        "created_at": f"{iso(surgery)}T09:00:00+00:00", "entries": entries, "revisions": [],
                        "acknowledgements": []})
    path.write_text(json.dumps({"format": "rehab-export", "version": 1, "patients": records}), encoding="utf-8")


def _pdf_report_peak(rehab, isolated, patients: int) -> tuple[int, Path]:
    """The traced peak memory (bytes) of `report --all --format pdf` for a clinic of this size."""
    import tracemalloc

    db, export, out = (isolated / f"clinic-{patients}{suffix}" for suffix in (".db", ".json", ".pdf"))
    _clinic_export(export, patients, days=14)
    ok(rehab("--db", db, "import", export))
    tracemalloc.start()
    try:
        ok(rehab("--db", db, "report", "--all", "--format", "pdf", "--output", out))
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


def test_a_clinic_pdf_is_written_in_memory_that_does_not_grow_with_the_patients(rehab, isolated, monkeypatch):
    """Issue 13, item 14: a clinic's PDF in bounded memory. The patients' pages are drawn in
    parts of PART_PAGES pages written to temporary files (small parts here, so that small
    clinics show it): the peak hardly differs between 4 patients and 40 (about 8 KiB more
    per patient: their summary rows). The whole document held in memory, as before, grew by
    about 67 KiB per patient of two weeks (and 600 KiB per patient of six months)."""
    from rehab.render import pdf

    monkeypatch.setattr(pdf, "PART_PAGES", 12)
    _pdf_report_peak(rehab, isolated, 2)  # every module imported and every cache filled first
    small, small_pdf = _pdf_report_peak(rehab, isolated, 4)
    large, large_pdf = _pdf_report_peak(rehab, isolated, 40)
    growth = (large - small) / (40 - 4)
    assert growth < 20 * 1024, f"{growth / 1024:.0f} KiB more per patient (peaks {small >> 10} / {large >> 10} KiB)"
    import pypdf

    for path, count in ((small_pdf, 4), (large_pdf, 40)):
        reader = pypdf.PdfReader(path)
        text = [page.extract_text() for page in reader.pages]
        assert all(f"Page {n} of {len(text)}" in page for n, page in enumerate(text, 1))
        assert sum(page.count("Progress report: Patient Number") for page in text) == count
        assert "Who needs attention" in text[0]


def test_a_clinic_pdf_keeps_its_parts_private_and_removes_them(rehab, isolated, monkeypatch):
    """The parts are owner-only files in an owner-only folder, gone when the command ends;
    a folder left by a kill no handler sees (SIGKILL) is removed by a later run once stale."""
    import stat
    import tempfile

    from rehab import files
    from rehab.render import pdf

    temp = isolated / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(pdf, "PART_PAGES", 4)
    stale, fresh = temp / (files.PRIVATE_PREFIX + "stale"), temp / (files.PRIVATE_PREFIX + "fresh")
    for folder in (stale, fresh):
        folder.mkdir(mode=0o700)
        (folder / "part-0.pdf").write_bytes(b"%PDF")
    old = time.time() - files.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    seen = []
    join = pdf._Joiner.join

    def looking(self, runs, total):
        folder = runs[0][0].path.parent
        seen.append((stat.S_IMODE(folder.stat().st_mode), {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()},
                     len(list(folder.iterdir()))))
        return join(self, runs, total)

    monkeypatch.setattr(pdf._Joiner, "join", looking)
    export, db, out = isolated / "clinic.json", isolated / "clinic.db", isolated / "clinic.pdf"
    _clinic_export(export, 6, days=14)
    ok(rehab("--db", db, "import", export))
    ok(rehab("--db", db, "report", "--all", "--format", "pdf", "--output", out))
    assert seen[0][:2] == (0o700, {0o600}) and seen[0][2] >= 3  # the patients' parts and the summary
    assert sorted(p.name for p in temp.iterdir()) == [fresh.name]  # ours removed, the stale one too
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_clinic_pdf_in_parts_draws_a_name_in_any_part_as_one_document_did(rehab, isolated, monkeypatch):
    """A name the bundled font lacks, in another part than the summary that lists it: drawn
    from a system font where the computer has one (each part carries the fonts it used),
    else '?' with one line naming the characters."""
    from test_pdf_fonts import CJK, NAME

    from rehab.render import pdf

    monkeypatch.setattr(pdf, "PART_PAGES", 3)
    export, db, out = isolated / "clinic.json", isolated / "clinic.db", isolated / "clinic.pdf"
    _clinic_export(export, 4, days=14)
    data = json.loads(export.read_text(encoding="utf-8"))
    data["patients"][-1]["name"] = NAME
    export.write_text(json.dumps(data), encoding="utf-8")
    ok(rehab("--db", db, "import", export))
    result = rehab("--db", db, "report", "--all", "--format", "pdf", "--output", out)
    assert result.exit_code == 0, result.stderr
    import pypdf

    # pypdf reads the fallback font's glyphs with NULs and spaces between them: compared without
    pages = ["".join(page.extract_text().replace("\x00", "").split()) for page in pypdf.PdfReader(out).pages]
    section = next(page for page in pages if "(p003)" in page and "Progressreport" in page)
    drawn = NAME if CJK else "?" * len(NAME)
    assert f"{drawn}(p003)" in pages[0] and f"Progressreport:{drawn}" in section
    # p003 is drawn last, in the last part, and printed first (an open urgent flag)
    assert pages.index(section) == 1
    assert ("cannot draw" in result.stderr) is not CJK


def test_a_plan_change_imported_with_an_escape_sequence_is_refused(rehab, isolated):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    ok(rehab("plan", "adjust", "--from", "day 3", "--no-boot", "--note", "boot off early", "--by", "Dr Hester"))
    document = json.loads(ok(rehab("export", "--output", "-")).stdout)
    document["patients"][0]["id"] = "ann-copy"
    for field, value, message in (("by", "Dr\x1b[2J", "escape"), ("note", "a\x00b", "NUL"),
                                  ("note", "two\nlines", None)):
        changed = json.loads(json.dumps(document))
        changed["patients"][0]["adjustments"][0][field] = value
        path = isolated / "changed.json"
        path.write_text(json.dumps(changed))
        result = rehab("--db", isolated / f"other-{field}-{len(value)}.db", "import", path)
        if message is None:  # a line break in a one-line field is made a space, as the command does
            assert result.exit_code == 0, result.stderr
            continue
        assert result.exit_code == 2 and message in result.stderr and "adjustments[0]" in result.stderr, result.stderr


def test_an_escape_sequence_already_stored_is_not_echoed_to_the_terminal(rehab, db_path):
    """Data stored before control characters were refused (or written by hand) cannot
    rewrite the terminal through history, patient show or today."""
    import sqlite3

    day = iso(SURGERY + timedelta(days=1))
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--surgeon", "Mr Hester"))
    ok(rehab("log", "--date", day, "--pain", "2", "--wb", "partial", "--note", "fine"))
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE entry SET note = ?", ("\x1b]0;owned\x07\x1b[2J",))
        conn.execute("UPDATE patient SET name = ?, surgeon = ?", ("Ann\x1b[31m Lee", "Mr\x9b2J Hester"))
    conn.close()
    for args in (["history"], ["patient", "show"], ["patient", "list"], ["today"], ["timeline"]):
        out = ok(rehab(*args)).stdout
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, (args, out)
    assert "?]0;owned" in ok(rehab("history")).stdout


DEEP = "[" * 10000 + "]" * 10000


@pytest.mark.parametrize("where", ["validate", "protocols-dir", "clinic"])
def test_yaml_nested_thousands_deep_is_bad_input_not_a_crash(rehab, isolated, tmp_path, where):
    """It failed with "unexpected error (RecursionError)", exit 1, and a folder holding such a
    file stopped every command that read it."""
    folder = tmp_path / "protocols"
    folder.mkdir()
    args = ["timeline", "--surgery-date", "2026-11-01", "--procedure", "fhl-release", "--format", "html", "--output", "-"]
    if where == "validate":
        (tmp_path / "deep.yaml").write_text(DEEP, encoding="utf-8")
        args = ["protocols", "validate", str(tmp_path / "deep.yaml")]
    elif where == "protocols-dir":
        (folder / "x.yaml").write_text("id: x\nname: X\nphases: " + DEEP, encoding="utf-8")
        args = ["--protocols-dir", str(folder), "protocols", "list"]
    else:
        config = isolated / "home" / "config" / "rehab"
        config.mkdir(parents=True, exist_ok=True)
        (config / "clinic.yaml").write_text("name: " + DEEP, encoding="utf-8")
    result = rehab(*args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "RecursionError" not in result.stderr and result.stderr.startswith("rehab: ")
