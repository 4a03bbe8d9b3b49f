"""Bad input, everywhere: every command refuses it with one plain line on stderr, exit
status 2, no traceback, and writes nothing (reliability issue, part 5).

One table of bad invocations across every command, then a property test over `log`."""

from __future__ import annotations

import atexit
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from conftest import Rehab, in_folder, iso, snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)
DAY1, DAY2 = SURGERY + timedelta(days=1), SURGERY + timedelta(days=2)


# --- one patient with a couple of entries, built once and copied for every test --------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A database made through the CLI: Ann Lee (os trigonum excision, surgery 20 days ago),
    an entry on day 1 and one on day 2 that was replaced (so there is a revision too)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    rehab = Rehab()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("REHAB_PROTOCOLS_DIR", "REHAB_DEBUG"):
            mp.delenv(name, raising=False)
        for args in (
            ["patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "os-trigonum-excision",
             "--side", "left", "--surgeon", "Mr Hester"],
            ["log", "--date", iso(DAY1), "--pain", "3", "--weight-bearing", "partial", "--boot"],
            ["log", "--date", iso(DAY2), "--pain", "6", "--weight-bearing", "partial", "--note", "sore"],
            ["log", "--date", iso(DAY2), "--pain", "4", "--weight-bearing", "partial", "--replace"],
        ):
            result = rehab("--db", path, *args)
            assert result.exit_code == 0, result.stderr
    return path


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the template may still be open here)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def seeded(template, db_path) -> Path:
    copy_database(template, db_path)
    rows = snapshot(db_path)
    assert len(rows["patient"]) == 1 and len(rows["entry"]) == 2 and len(rows["entry_revision"]) == 1
    return db_path


def files_under(root: Path) -> set[str]:
    """Every path under root, apart from SQLite's side files for the main database, which
    simply opening it may create, and the cache of checked protocols (not user data)."""
    skip = {"rehab.db-wal", "rehab.db-shm", "rehab.db-journal"}
    cache = root / "home" / "cache"
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.name not in skip and not p.is_relative_to(cache)}


def make_files(tmp: Path) -> None:
    """The files the table below names with '@'."""
    (tmp / "exists.json").write_text('{"keep": true}\n')
    (tmp / "folder").mkdir()
    (tmp / "olddata.db").mkdir()  # a folder where a database file is expected
    (tmp / "afile").write_text("a regular file, not a folder\n")
    (tmp / "notjson.txt").write_text("this is not JSON\n")
    (tmp / "binary.bin").write_bytes(random.Random(7).randbytes(2048))
    (tmp / "wrongformat.json").write_text(json.dumps({"format": "something-else", "version": 1, "patients": []}))
    (tmp / "version9.json").write_text(json.dumps({"format": "rehab-export", "version": 9, "patients": []}))

    def person(pid, n_entries, surgery=SURGERY):
        return {"id": pid, "name": pid.title(), "surgery_date": iso(surgery), "procedure": "fhl-release",
                "side": None, "surgeon": None,
                "entries": [{"date": iso(surgery + timedelta(days=d)), "pain": 2, "weight_bearing": "partial",
                             "boot": True, "activity": "walking", "symptoms": [], "milestones": [], "note": None}
                            for d in range(n_entries)]}

    deep = {"format": "rehab-export", "version": 1, "patients": [person("bo-one", 2), person("cy-two", 5)]}
    deep["patients"][1]["entries"][3]["pain"] = 11
    (tmp / "deep.json").write_text(json.dumps(deep))
    clash = {"format": "rehab-export", "version": 1, "patients": [person("new-one", 1), person("ann-lee", 1)]}
    (tmp / "clash.json").write_text(json.dumps(clash))
    (tmp / "bad.yaml").write_text("id: [unclosed\nname: x\n")
    (tmp / "list.yaml").write_text("- just\n- a list\n")
    (tmp / "evil.yaml").write_text(f"!!python/object/apply:os.system ['touch {tmp / 'PWNED'}']\n")
    (tmp / "big.yaml").write_text("# padding\n" * 30_000)  # 300,000 bytes > 256 KiB
    (tmp / "brokendir").mkdir()
    (tmp / "brokendir" / "clinic.yaml").write_text("id: clinic\nphases: [oops\n")
    # Issue 13: special files where a regular one is read or replaced, and files that
    # reach past the checks of import.
    os.mkfifo(tmp / "fifo.json")
    (tmp / "fifodir").mkdir()
    os.mkfifo(tmp / "fifodir" / "x.yaml")
    (tmp / "zerodir").mkdir()
    (tmp / "zerodir" / "zero.yaml").symlink_to("/dev/zero")
    ELSEWHERE.mkdir(exist_ok=True)
    stolen = (BUILTIN / "fhl-release.yaml").read_text().replace("id: fhl-release", "id: stolen", 1)
    (ELSEWHERE / "stolen.yaml").write_text(stolen)
    (tmp / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp / "hugeint.json").write_text('{"format": "rehab-export", "version": 1, "patients": [{"pain": ' + "9" * 5000 + "}]}")

    def export(**changes):
        one = person("imp-ort", 1)
        entry_changes = {k[6:]: v for k, v in changes.items() if k.startswith("entry_")}
        one.update({k: v for k, v in changes.items() if not k.startswith("entry_")})
        one["entries"][0].update(entry_changes)
        return json.dumps({"format": "rehab-export", "version": 1, "patients": [one]})

    (tmp / "nul.json").write_text(export(entry_note="a\x00b"))
    (tmp / "escape.json").write_text(export(name="Imp\x1b]0;owned\x07"))
    (tmp / "year9999.json").write_text(export(created_at="9999-12-31T23:59:59-05:00"))
    (tmp / "year1.json").write_text(export(created_at="0001-01-01T00:00:00+05:00"))
    (tmp / "unknownproc.json").write_text(export(procedure="knee-replacement"))
    (tmp / "pathproc.json").write_text(export(procedure=os.path.relpath(ELSEWHERE / "stolen", BUILTIN)))
    (tmp / "longby.json").write_text(export(acknowledgements=[
        {"date": iso(SURGERY), "rule": "red-flag", "subject": "", "note": "seen", "by": "B" * 300,
         "acknowledged_at": iso(SURGERY) + "T10:00:00+00:00"}]))


BUILTIN = Path(__file__).parent.parent / "rehab" / "protocols"
# A protocol file outside the protocol folders, at a path --procedure could spell: lower
# case, digits and hyphens only (pytest's folders hold underscores, which a name folds away).
ELSEWHERE = Path(tempfile.gettempdir()) / f"rehab-elsewhere-{os.getpid()}"
atexit.register(shutil.rmtree, ELSEWHERE, ignore_errors=True)
TOO_LONG_NAME = "A" * 201
TOO_LONG_NOTE = "n" * 2001
FUTURE = iso(TODAY + timedelta(days=1))
BEFORE = iso(SURGERY - timedelta(days=1))
P = pytest.param

# Each row: the arguments ('@name' is a file or folder made by make_files) and a piece of
# the expected message, so a refusal for the wrong reason does not pass.
CASES = [
    # patient add
    P(["patient", "add"], "Missing argument", id="add-no-name"),
    P(["patient", "add", "X", "--surgery-date", "2026-02-30", "--procedure", "fhl"], "not a real date", id="add-feb-30"),
    P(["patient", "add", "X", "--surgery-date", "03/04/2026", "--procedure", "fhl"], "YYYY-MM-DD", id="add-ambiguous-date"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "knee"], "unknown procedure", id="add-unknown-procedure"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--side", "middle"], "left or right", id="add-bad-side"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--id", "Bad Id!"], "id", id="add-bad-id"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--id", "ann-lee"], "already exists", id="add-taken-id"),
    P(["patient", "add", "   ", "--surgery-date", iso(SURGERY), "--procedure", "fhl"], "name", id="add-blank-name"),
    P(["patient", "add", TOO_LONG_NAME, "--surgery-date", iso(SURGERY), "--procedure", "fhl"], "200", id="add-long-name"),
    P(["patient", "add", "Ann\x07Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"], "control", id="add-control-char"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--surgeon", TOO_LONG_NAME], "surgeon", id="add-long-surgeon"),
    P(["patient", "add", "X", "--surgery-date", "9999-12-31", "--procedure", "fhl"], "9999-12-31", id="add-year-9999"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--bogus"], "--bogus", id="add-unknown-option"),
    # patient list / show / use
    P(["patient", "list", "--bogus"], "--bogus", id="list-unknown-option"),
    P(["patient", "list", "extra"], "extra", id="list-extra-argument"),
    P(["patient", "show", "nobody"], "no patient", id="show-unknown"),
    P(["patient", "show", "nobody", "--json"], "no patient", id="show-unknown-json"),
    P(["patient", "use", "nobody"], "no patient", id="use-unknown"),
    P(["patient", "use"], "Missing argument", id="use-no-argument"),
    # patient edit / remove
    P(["patient", "edit", "ann-lee"], "nothing to change", id="edit-nothing"),
    P(["patient", "edit", "nobody", "--name", "X"], "no patient", id="edit-unknown"),
    P(["patient", "edit", "ann-lee", "--name", " "], "name", id="edit-blank-name"),
    P(["patient", "edit", "ann-lee", "--procedure", "knee"], "unknown procedure", id="edit-unknown-procedure"),
    P(["patient", "edit", "ann-lee", "--side", "up"], "left or right", id="edit-bad-side"),
    P(["patient", "edit", "ann-lee", "--surgery-date", "soon"], "YYYY-MM-DD", id="edit-bad-date"),
    P(["patient", "edit", "ann-lee", "--surgery-date", iso(TODAY)], "before the new surgery date", id="edit-date-after-entries"),
    P(["patient", "remove", "ann-lee"], "--yes", id="remove-without-yes"),
    P(["patient", "remove", "nobody", "--yes"], "no patient", id="remove-unknown"),
    P(["patient", "frobnicate"], "No such command", id="patient-unknown-subcommand"),
    # log
    P(["log", "--pain", "11", "--wb", "partial"], "0 to 10", id="log-pain-11"),
    P(["log", "--pain=-1", "--wb", "partial"], "0 to 10", id="log-pain-negative"),
    P(["log", "--pain", "3.5", "--wb", "partial"], "whole number", id="log-pain-fraction"),
    P(["log", "--pain", "x", "--wb", "partial"], "whole number", id="log-pain-word"),
    P(["log", "--pain", "", "--wb", "partial"], "whole number", id="log-pain-empty"),
    P(["log", "--pain", "³", "--wb", "partial"], "whole number", id="log-pain-superscript-digit"),
    P(["log", "--pain=--3", "--wb", "partial"], "whole number", id="log-pain-double-minus"),
    P(["log", "--pain", "3", "--wb", "hopping"], "weight-bearing", id="log-wb-unknown"),
    P(["log", "--pain", "3", "--wb", ""], "weight-bearing", id="log-wb-empty"),
    P(["log", "--pain", "3", "--wb", "partial", "--activity", "skydiving"], "activity", id="log-activity-unknown"),
    P(["log", "--pain", "3", "--wb", "partial", "--symptom", "hiccups"], "symptom", id="log-symptom-unknown"),
    P(["log", "--pain", "3", "--wb", "partial", "--milestone", "moon-landing"], "milestone", id="log-milestone-unknown"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", FUTURE], "future", id="log-future"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", BEFORE], "before", id="log-before-surgery"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", "0001-01-01"], "outside the dates", id="log-year-1"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", "03/04/2026"], "YYYY-MM-DD", id="log-ambiguous-date"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", "Mar 2026"], "Mar 2026", id="log-date-without-day"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", "2026-02-30"], "not a real date", id="log-feb-30"),
    P(["log", "--pain", "3", "--wb", "partial", "--patient", "nobody"], "no patient", id="log-unknown-patient"),
    P(["log", "--wb", "partial"], "--pain", id="log-missing-pain"),
    P(["log", "--pain", "3"], "--weight-bearing", id="log-missing-wb"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", iso(DAY1)], "--replace", id="log-existing-date"),
    P(["log", "--pain", "3", "--wb", "partial", "--note", TOO_LONG_NOTE], "2000", id="log-note-too-long"),
    P(["log", "--pain", "3", "--wb", "partial", "--boot", "maybe"], "maybe", id="log-boot-takes-no-value"),
    # today / history / flags
    P(["today", "--date", "31/12/2026"], "YYYY-MM-DD", id="today-ambiguous-date"),
    P(["today", "--date", "0001-01-01"], "0001-01-01", id="today-year-1"),
    P(["today", "--patient", "nobody"], "no patient", id="today-unknown-patient"),
    P(["history", "--from", iso(DAY2), "--to", iso(DAY1)], "--from", id="history-from-after-to"),
    P(["history", "--from", "x"], "YYYY-MM-DD", id="history-bad-from"),
    P(["history", "--json", "--patient", "nobody"], "no patient", id="history-unknown-patient"),
    P(["flags", "--date", "someday"], "YYYY-MM-DD", id="flags-bad-date"),
    P(["flags", "--patient", "nobody"], "no patient", id="flags-unknown-patient"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1)], "--note", id="ack-missing-note"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "  "], "--note", id="ack-blank-note"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "seen"], "no 'pain-spike' flag", id="ack-no-such-flag"),
    P(["flags", "ack", "pain-spike", "--date", "x", "--note", "seen"], "YYYY-MM-DD", id="ack-bad-date"),
    P(["flags", "ack"], "Missing argument", id="ack-missing-rule"),
    # timeline
    P(["timeline", "--patient", "ann-lee", "--surgery-date", iso(SURGERY)], "not both", id="timeline-both"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "knee"], "unknown procedure", id="timeline-unknown-procedure"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--format", "docx"], "docx", id="timeline-unknown-format"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--format", "pdf"], "--output", id="timeline-pdf-needs-output"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--json", "--format", "ics"], "--json", id="timeline-json-and-format"),
    P(["timeline", "--surgery-date", "9999-12-31", "--procedure", "fhl"], "9999-12-31", id="timeline-year-9999"),
    P(["timeline", "--patient", "ann-lee", "--json", "--output", "@exists.json"], "--force", id="timeline-output-exists"),
    P(["timeline", "--patient", "ann-lee", "--json", "--output", "@folder"], "folder", id="timeline-output-folder"),
    P(["timeline", "--patient", "ann-lee", "--json", "--output", "@afile/plan.json"], "does not exist", id="timeline-output-under-file"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--paper", "a3"], "a3", id="timeline-bad-paper"),
    # report
    P(["report", "--output", "@r.json"], "--format", id="report-missing-format"),
    P(["report", "--format", "xml", "--output", "@r.json"], "xml", id="report-unknown-format"),
    P(["report", "--format", "json", "--output", "@r.json", "--patient", "nobody"], "no patient", id="report-unknown-patient"),
    P(["report", "--format", "json", "--output", "@r.json", "--all", "--patient", "ann-lee"], "not both", id="report-all-and-patient"),
    P(["report", "--format", "json", "--output", "@r.json", "--from", iso(DAY2), "--to", iso(DAY1)], "--from", id="report-from-after-to"),
    P(["report", "--format", "json", "--output", "@exists.json"], "--force", id="report-output-exists"),
    P(["report", "--format", "csv", "--output", "@nowhere/r.csv"], "does not exist", id="report-output-no-folder"),
    # protocols
    P(["protocols", "list", "--bogus"], "--bogus", id="protocols-list-unknown-option"),
    P(["protocols", "show", "nope"], "unknown procedure", id="protocols-show-unknown"),
    P(["protocols", "validate", "@missing.yaml"], "no such", id="validate-missing-file"),
    P(["protocols", "validate", "@folder"], "folder", id="validate-folder"),
    P(["protocols", "validate", "@bad.yaml"], "YAML", id="validate-invalid-yaml"),
    P(["protocols", "validate", "@list.yaml"], "mapping", id="validate-not-a-mapping"),
    P(["protocols", "validate", "@evil.yaml"], "evil.yaml", id="validate-python-tag"),
    P(["protocols", "validate", "@big.yaml"], "bytes", id="validate-too-big"),
    P(["protocols", "validate", "@binary.bin"], "UTF-8", id="validate-binary"),
    P(["--protocols-dir", "@nowhere", "protocols", "list"], "does not exist", id="protocols-dir-missing"),
    P(["--protocols-dir", "@afile", "protocols", "list"], "is not a folder", id="protocols-dir-is-a-file"),
    P(["--protocols-dir", "@brokendir", "protocols", "list"], "clinic.yaml", id="protocols-dir-broken-file"),
    P(["--protocols-dir", "@brokendir", "today"], "clinic.yaml", id="protocols-dir-broken-file-today"),
    # export / import
    P(["export"], "--output", id="export-missing-output"),
    P(["export", "--output", "@exists.json"], "--force", id="export-output-exists"),
    P(["export", "--output", "@folder"], "folder", id="export-output-folder"),
    P(["export", "--output", "@afile/out.json"], "does not exist", id="export-output-under-file"),
    P(["import"], "Missing argument", id="import-no-file"),
    P(["import", "@missing.json"], "no such file", id="import-missing-file"),
    P(["import", "@folder"], "folder", id="import-folder"),
    P(["import", "@notjson.txt"], "JSON", id="import-not-json"),
    P(["import", "@binary.bin"], "UTF-8", id="import-binary"),
    P(["import", "@wrongformat.json"], "format", id="import-wrong-format"),
    P(["import", "@version9.json"], "version", id="import-wrong-version"),
    P(["import", "@deep.json"], "patients[1].entries[3]", id="import-pain-11-deep"),
    P(["import", "@clash.json"], "ann-lee", id="import-existing-id"),
    # demo
    P(["demo", "--date", "x"], "YYYY-MM-DD", id="demo-bad-date"),
    P(["demo", "--date", "0001-01-01"], "0001-01-01", id="demo-year-1"),
    P(["demo", "--bogus"], "--bogus", id="demo-unknown-option"),
    # global options and commands
    P(["--db", "@olddata.db", "patient", "list"], "olddata.db", id="db-is-a-folder"),
    P(["--db", "nosuchdb://somewhere/x", "patient", "list"], "nosuchdb", id="db-unknown-url-scheme"),
    P(["--db", "://x", "today"], "cannot read the database URL", id="db-url-unreadable"),
    P(["import", "/proc/self/mem"], "cannot be read", id="import-io-error"),  # EIO on Linux
    P(["--db", "postgresql+psycopg://u:p@host:notaport/db", "today"], "cannot read the database URL",
      id="db-url-port-not-a-number"),
    P(["--db", "postgresql://rehab:SECRETPW@[::1", "today"], "rehab:***@[::1", id="db-url-unreadable-password-hidden"),
    P(["--db", "postgresql://rehab:se/cr@t@[::1", "today"], "'postgresql://rehab:***@[::1'", id="db-url-password-with-slash-and-at"),
    P(["--db", "postgresql+psycopg2://u:p@h/x", "patient", "list"], "'psycopg2' driver", id="db-url-other-driver"),
    # issue 13: what an adversarial run broke
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "%stolen"], "unknown procedure",
      id="add-procedure-is-a-path"),
    P(["patient", "edit", "ann-lee", "--procedure", "%stolen"], "unknown procedure", id="edit-procedure-is-a-path"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "%stolen"], "unknown procedure",
      id="timeline-procedure-is-a-path"),
    P(["patient", "add", "X", "--surgery-date", "3 Mar 0099", "--procedure", "fhl"], "outside the dates", id="add-year-0099-named-month"),
    P(["patient", "add", "X", "--surgery-date", "3 Mar 0000", "--procedure", "fhl"], "outside the dates", id="add-year-0000-named-month"),
    P(["patient", "add", "X", "--surgery-date", "0099-03-03", "--procedure", "fhl"], "outside the dates", id="add-year-0099-iso"),
    P(["log", "--pain", "3", "--wb", "partial", "--date", "March 3, 0099"], "outside the dates", id="log-year-0099"),
    P(["log", "--pain", "9" * 5000, "--wb", "partial"], "0 to 10", id="log-pain-5000-digits"),
    P(["log", "--pain", "3", "--wb", "partial", "--note", "a\x00b"], "NUL", id="log-note-nul"),
    P(["log", "--pain", "3", "--wb", "partial", "--note", "red \x1b[31malert\x1b[0m"], "escape", id="log-note-escape"),
    P(["patient", "add", "Ann\x1b[2JLee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"], "escape", id="add-name-escape"),
    P(["patient", "add", "Ann \udcff Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl"], "UTF-8", id="add-name-not-utf8"),
    P(["today", "--patient", "ann\udcff"], "UTF-8", id="today-patient-not-utf8"),
    P(["patient", "add", "X", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--surgeon", "Dr\x1b]0;x\x07"], "may not contain",
      id="add-surgeon-escape"),
    P(["patient", "edit", "ann-lee", "--name", "Ann\x00"], "NUL", id="edit-name-nul"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "seen", "--by", "B" * 300], "200", id="ack-by-too-long"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "seen\x00"], "NUL", id="ack-note-nul"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "seen", "--by", "\x1b[1mDr"], "escape", id="ack-by-escape"),
    P(["flags", "ack", "pain-spike", "--date", iso(DAY1), "--note", "n" * 2001], "2000", id="ack-note-too-long"),
    P(["timeline", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--name", "A\x1b[2J", "--format", "ics"], "escape",
      id="timeline-name-escape"),
    P(["timeline", "--patient", "ann-lee", "--json", "--output", "@fifo.json", "--force"], "not a regular file",
      id="timeline-force-onto-fifo"),
    P(["export", "--output", "@fifo.json", "--force"], "not a regular file", id="export-force-onto-fifo"),
    P(["report", "--format", "csv", "--output", "@fifo.json", "--force"], "not a regular file", id="report-force-onto-fifo"),
    P(["--protocols-dir", "@fifodir", "protocols", "list"], "not a regular file", id="protocols-dir-fifo"),
    P(["--protocols-dir", "@fifodir", "timeline", "--patient", "ann-lee"], "not a regular file", id="protocols-dir-fifo-timeline"),
    P(["--protocols-dir", "@zerodir", "protocols", "list"], "not a regular file", id="protocols-dir-dev-zero"),
    P(["protocols", "validate", "/dev/zero"], "not a regular file", id="validate-dev-zero"),
    P(["import", "/dev/zero"], "not a regular file", id="import-dev-zero"),
    P(["import", "@fifo.json"], "not a regular file", id="import-fifo"),
    P(["import", "@nested.json"], "nested too deeply", id="import-nested-100000-deep"),
    P(["import", "@hugeint.json"], "too long", id="import-5000-digit-number"),
    P(["import", "@nul.json"], "NUL", id="import-note-nul"),
    P(["import", "@escape.json"], "escape", id="import-name-escape"),
    P(["import", "@longby.json"], "200", id="import-by-too-long"),
    P(["import", "@year9999.json"], "outside the years", id="import-created-at-9999-with-offset"),
    P(["import", "@year1.json"], "outside the years", id="import-created-at-0001-with-offset"),
    P(["import", "@unknownproc.json"], "unknown procedure", id="import-unknown-procedure"),
    P(["import", "@pathproc.json"], "unknown procedure", id="import-procedure-is-a-path"),
    P(["plan", "adjust", "--from", "day 3", "--no-boot", "--note", "off\x1b[2J"], "escape", id="plan-adjust-note-escape"),
    P(["plan", "adjust", "--from", "day 3", "--no-boot", "--by", "Dr\x00"], "NUL", id="plan-adjust-by-nul"),
    P(["plan", "move", "wound-review", "--to", "day 15", "--by", "B" * 300], "200", id="plan-move-by-too-long"),
    P(["frobnicate"], "No such command", id="unknown-command"),
    P(["--bogus", "today"], "--bogus", id="unknown-global-option"),
    P(["patient", "show", "ann-lee", "extra"], "extra", id="show-extra-argument"),
]


def _fill(args: list[str], tmp: Path) -> list[str]:
    """in_folder's '@name' paths, and '%name': a file in ELSEWHERE written as a path relative
    to the built-in protocols' folder, as a --procedure reaching out of it would be."""
    return in_folder([os.path.relpath(ELSEWHERE / a[1:], BUILTIN) if a.startswith("%") else a for a in args], tmp)


@pytest.mark.parametrize("args, message", CASES)
def test_bad_invocation_is_refused_cleanly_and_writes_nothing(rehab, seeded, isolated, args, message):
    make_files(isolated)
    before_rows = snapshot(seeded)
    before_files = files_under(isolated)
    result = rehab(*_fill(args, isolated))
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.stdout)
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1, result.stderr
    assert "\t" not in result.stderr and "  " not in result.stderr, result.stderr  # plain words, single-spaced
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert snapshot(seeded) == before_rows
    assert files_under(isolated) == before_files
    assert not (isolated / "PWNED").exists()


def test_the_table_covers_every_command():
    """At least 60 invocations, and every command and sub-command of the contract appears."""
    assert len(CASES) >= 60
    flat = [" ".join(c.values[0]) for c in CASES]
    for command in ["patient add", "patient list", "patient show", "patient use", "patient edit",
                    "patient remove", "log ", "today", "history", "flags --", "flags ack", "timeline",
                    "report", "protocols list", "protocols show", "protocols validate", "export",
                    "import", "demo", "--db", "--protocols-dir"]:
        assert any(command in f for f in flat), command


# --- a property test over the arguments of `log` ----------------------------------------------

WB_NAMES = ["none", "toe-touch", "partial", "as-tolerated", "full", "NWB", "TTWB", "PWB", "WBAT", "FWB",
            "Toe Touch", "AS_TOLERATED"]
SYMPTOM_NAMES = ["calf-pain", "fever", "wound-redness", "chest-pain", "cold-toes"]
TRICKY_PAIN = ["³", "٣", "--3", "+3", "-0", " 7 ", "07", "1_0", "0x3", "1e1", "3.0", "10 ", "½", ""]

valid_pain = st.integers(0, 10).map(str)
pain_text = st.one_of(valid_pain, valid_pain.map(lambda n: f" {n} "), st.integers(-3, 13).map(str),
                      st.sampled_from(TRICKY_PAIN), st.text(max_size=6))
valid_wb = st.sampled_from(WB_NAMES).flatmap(lambda w: st.sampled_from([w, w.lower(), w.upper()]))
wb_text = st.one_of(valid_wb, valid_wb, st.text(max_size=12))
date_text = st.one_of(
    st.none(),
    st.dates(SURGERY, TODAY).map(iso),
    st.dates(SURGERY - timedelta(days=5), TODAY + timedelta(days=5)).map(iso),
    st.dates(SURGERY, TODAY).map(lambda d: d.strftime("%d %b %Y")),
    st.sampled_from(["today", "yesterday", "Today", " yesterday ", iso(DAY1), iso(DAY2)]),
    st.dates().map(iso),
    st.text(max_size=12),
)
symptom_list = st.one_of(st.lists(st.sampled_from(SYMPTOM_NAMES), max_size=3),
                         st.lists(st.one_of(st.sampled_from(SYMPTOM_NAMES), st.text(max_size=10)), max_size=3))
_databases = itertools.count()


@settings(max_examples=60, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no slow "explain" tracing
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pain=pain_text, wb=wb_text, on=date_text, symptoms=symptom_list, replace=st.booleans())
def test_log_either_saves_one_entry_or_refuses_cleanly(rehab, template, isolated, pain, wb, on, symptoms, replace):
    # A fresh copy per example, at a new path: a path is never reused while an earlier
    # example's connections may still be open.
    db = isolated / f"prop-{next(_databases)}.db"
    copy_database(template, db)
    before = snapshot(db)
    args = ["--db", str(db), "log", f"--pain={pain}", f"--weight-bearing={wb}"]
    if on is not None:
        args.append(f"--date={on}")
    args += [f"--symptom={s}" for s in symptoms]
    if replace:
        args.append("--replace")
    result = rehab(*args)
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    after = snapshot(db)
    event("refused" if result.exit_code else "saved")
    if result.exit_code == 2:
        assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1, result.stderr
        assert after == before
        return
    found = re.search(r"(Logged|Replaced) (\d{4}-\d{2}-\d{2})", result.stdout)
    assert found, result.stdout
    day = date.fromisoformat(found.group(2))
    assert SURGERY <= day <= TODAY
    with sqlite3.connect(db) as conn:
        pains = [r[0] for r in conn.execute("SELECT pain FROM entry WHERE date = ?", (iso(day),))]
    conn.close()
    assert pains == [int(pain.strip())]
    existed = iso(day) in (iso(DAY1), iso(DAY2))
    assert found.group(1) == ("Replaced" if existed else "Logged")
    assert len(after["entry"]) == len(before["entry"]) + (0 if existed else 1)
    assert len(after["entry_revision"]) == len(before["entry_revision"]) + (1 if existed else 0)


def test_an_unknown_format_is_one_plain_line_listing_the_formats(rehab):
    """Issue 18 item 7: no library's words ("Value error, ...") in the refusal."""
    result = rehab("report", "--all", "--format", "md", "--output", "-")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "Value error" not in line and "'md'" in line and "'markdown'" in line and "'pdf'" in line


def test_date_help_names_the_month_name_form(rehab):
    """The README promises "3 Mar 2026"; the help of every date option says it too."""
    for args in (("today",), ("log",), ("patient", "add")):
        text = " ".join(rehab(*args, "--help").stdout.split())
        assert "3 Mar 2026" in text, args
