"""Backups: `rehab export --output FILE` and `rehab import FILE` (reliability issue, part 1).

Export → import into an empty database → export gives the same document apart from
"exported_at", replaced-entry history and acknowledgements included. Import checks the
whole file first, names the first problem by its place, and writes all or nothing."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest

from conftest import BACKENDS, clean_postgres, iso, ok, snapshot

TODAY = date.today()
SURGERY = TODAY - timedelta(days=30)


def build_clinic(rehab) -> None:
    """Two patients with what a backup must carry: unusual text, every entry field, a
    replaced entry (a revision) and an acknowledged flag."""
    ok(rehab("patient", "add", "Zoë Łukasiewicz", "--surgery-date", iso(SURGERY), "--procedure", "FHL release",
             "--side", "left", "--surgeon", "Ms O'Brien \"Bee\""))
    ok(rehab("patient", "add", "Bob Roy", "--surgery-date", iso(SURGERY + timedelta(days=3)),
             "--procedure", "debridement", "--id", "bob"))
    ok(rehab("log", "--date", iso(SURGERY), "--pain", "6", "--wb", "NWB", "--boot", "--activity", "rest"))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "5", "--wb", "TTWB", "--no-boot",
             "--symptom", "fever", "--symptom", "calf-pain", "--note", 'He said "ouch"\nline two, 😀'))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=14)), "--pain", "3", "--wb", "partial",
             "--milestone", "wound-review", "--milestone", "physio-start", "--activity", "walking"))
    # Replace day 1: the old values become a revision.
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "4", "--wb", "partial", "--replace"))
    ok(rehab("log", "--patient", "bob", "--date", iso(SURGERY + timedelta(days=4)), "--pain", "2", "--wb", "full"))
    # Nothing was logged on days 2-13: a missed-log flag to acknowledge.
    flags = json.loads(ok(rehab("flags", "--json")).stdout)
    missed = next(f for f in flags if f["rule"] == "missed-log")
    ok(rehab("flags", "ack", "missed-log", "--date", missed["date"], "--subject", missed["subject"],
             "--note", "Phoned: she was in hospital", "--by", "Nurse Kay"))


def test_export_import_export_gives_the_same_document(rehab, tmp_path, db_path):
    build_clinic(rehab)
    first, second, other = tmp_path / "first.json", tmp_path / "second.json", tmp_path / "other.db"
    ok(rehab("export", "--output", first))
    doc = json.loads(first.read_text(encoding="utf-8"))
    assert doc["format"] == "rehab-export" and doc["version"] == 1 and "exported_at" in doc
    by_id = {p["id"]: p for p in doc["patients"]}
    zoe = by_id["zoe-lukasiewicz"]
    # The document really carries what is being round-tripped.
    assert zoe["name"] == "Zoë Łukasiewicz" and zoe["surgeon"] == "Ms O'Brien \"Bee\""
    assert len(zoe["entries"]) == 3 and len(by_id["bob"]["entries"]) == 1
    assert [r["pain"] for r in zoe["revisions"]] == [5]
    assert zoe["revisions"][0]["symptoms"] == ["fever", "calf-pain"]
    assert zoe["revisions"][0]["note"] == 'He said "ouch"\nline two, 😀'
    assert [a["note"] for a in zoe["acknowledgements"]] == ["Phoned: she was in hospital"]
    # When each entry was logged and last changed travels too (beyond the contract's shape).
    day1 = next(e for e in zoe["entries"] if e["day"] == 1)
    assert all(e["created_at"] and e["updated_at"] for e in zoe["entries"])
    assert day1["updated_at"] == zoe["revisions"][0]["replaced_at"] >= day1["created_at"]  # the replacement

    result = ok(rehab("--db", other, "import", first))
    assert "2 patients" in result.stdout
    ok(rehab("--db", other, "export", "--output", second))
    again = json.loads(second.read_text(encoding="utf-8"))
    assert "exported_at" in again
    doc.pop("exported_at")
    again.pop("exported_at")
    assert again == doc

    # The imported database works like the original: same history, flag still acknowledged.
    for pid in ("zoe-lukasiewicz", "bob"):
        for args in (["history", "--json", "--patient", pid], ["flags", "--json", "--patient", pid]):
            assert json.loads(ok(rehab("--db", other, *args)).stdout) == json.loads(ok(rehab(*args)).stdout)
    flags = json.loads(ok(rehab("--db", other, "flags", "--json", "--patient", "zoe-lukasiewicz")).stdout)
    assert [f["acknowledgement"]["by"] for f in flags if f["acknowledged"]] == ["Nurse Kay"]


def test_a_symptom_or_milestone_listed_twice_is_imported_once(rehab, tmp_path):
    doc = valid_document()
    doc["patients"][1]["entries"][0].update(symptoms=["fever", "fever"], milestones=["wound-review", "wound-review"])
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(doc))
    ok(rehab("import", path))
    first = json.loads(ok(rehab("history", "--json", "--patient", "cy-dee")).stdout)[0]
    assert (first["symptoms"], first["milestones"]) == (["fever"], ["wound-review"])


def test_a_backup_restores_as_it_was_made_after_a_change_of_procedure_or_time_zone(rehab, tmp_path):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "fhl-release"))
    ok(rehab("log", "--date", iso(SURGERY + timedelta(days=1)), "--pain", "4", "--wb", "TTWB",
             "--milestone", "big-toe-motion"))
    ok(rehab("patient", "edit", "ann-lee", "--procedure", "debridement"))  # a plan without that milestone
    backup = tmp_path / "backup.json"
    ok(rehab("export", "--output", backup))
    doc = json.loads(backup.read_text(encoding="utf-8"))
    # Logged where it is already tomorrow (a time zone ahead of this machine's).
    doc["patients"][0]["entries"].append({**doc["patients"][0]["entries"][0], "date": iso(TODAY + timedelta(days=1))})
    backup.write_text(json.dumps(doc), encoding="utf-8")
    ok(rehab("--db", tmp_path / "restored.db", "import", backup))
    restored = json.loads(ok(rehab("--db", tmp_path / "restored.db", "history", "--json")).stdout)
    assert restored[0]["milestones"] == ["big-toe-motion"] and len(restored) == 2


def test_a_restored_backup_keeps_the_current_patient(rehab, tmp_path):
    """The first patient added is the default (contract); restoring a backup into an empty
    database must not quietly make someone else the patient every command is about."""
    build_clinic(rehab)  # Zoë first, then Bob
    ok(rehab("export", "--output", tmp_path / "backup.json"))
    ok(rehab("--db", tmp_path / "restored.db", "import", tmp_path / "backup.json"))
    current = [p["id"] for p in json.loads(ok(rehab("patient", "list", "--json")).stdout) if p["current"]]
    restored = [p["id"] for p in json.loads(ok(rehab("--db", tmp_path / "restored.db", "patient", "list", "--json")).stdout)
                if p["current"]]
    assert current == ["zoe-lukasiewicz"]
    assert restored == current


def test_import_of_an_empty_export_into_an_empty_database(rehab, tmp_path, db_path):
    path = tmp_path / "empty.json"
    # Exporting a database that does not exist is refused, and creates none.
    refused = rehab("--db", tmp_path / "nothing.db", "export", "--output", path)
    assert refused.exit_code == 2 and "no database" in refused.stderr
    assert not (tmp_path / "nothing.db").exists() and not path.exists()
    path.write_text(json.dumps({"format": "rehab-export", "version": 1, "patients": []}))
    result = ok(rehab("import", path))
    assert "0 patients" in result.stdout
    assert snapshot(db_path)["patient"] == []


def test_export_keeps_an_existing_file_unless_forced(rehab, tmp_path):
    build_clinic(rehab)
    target = tmp_path / "backup.json"
    target.write_text("precious\n")
    refused = rehab("export", "--output", target)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert target.read_text() == "precious\n"
    ok(rehab("export", "--output", target, "--force"))
    assert len(json.loads(target.read_text())["patients"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_an_existing_patient_id_refuses_the_whole_file(rehab, tmp_path, db_path):
    ok(rehab("patient", "add", "Bob Roy", "--surgery-date", iso(SURGERY), "--procedure", "fhl", "--id", "bob"))
    doc = valid_document()
    doc["patients"][1]["id"] = "bob"  # patients[0] is new; patients[1] clashes
    path = tmp_path / "clash.json"
    path.write_text(json.dumps(doc))
    before = snapshot(db_path)
    result = rehab("import", path)
    assert result.exit_code == 2
    assert "bob" in result.stderr
    assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1
    assert snapshot(db_path) == before  # not even the new patients[0]


def test_import_stores_procedure_ids_not_the_aliases_in_the_file(rehab, tmp_path):
    doc = valid_document()
    doc["patients"][0]["procedure"] = "FHL release"  # an alias, as a clinic's script might write
    path = tmp_path / "alias.json"
    path.write_text(json.dumps(doc))
    ok(rehab("import", path))
    people = {p["id"]: p for p in json.loads(ok(rehab("patient", "list", "--json")).stdout)}
    assert people["ann-lee"]["procedure"] == "fhl-release"


# --- bad files -----------------------------------------------------------------------------------


def valid_document() -> dict:
    """A small valid export: patients[0] with a revision, an acknowledgement, a discharge, plan
    changes, a score, a measure and an entry's temperature, swelling and exercises;
    patients[1] with five entries, written as exports were before plans and outcomes."""

    def entry(day: int, pain: int = 3) -> dict:
        return {"date": iso(SURGERY + timedelta(days=day)), "day": day, "pain": pain, "weight_bearing": "partial",
                "boot": True, "activity": "walking", "symptoms": [], "milestones": [], "note": None}

    return {
        "format": "rehab-export", "version": 1, "exported_at": "2026-01-01T00:00:00+00:00",
        "patients": [
            {"id": "ann-lee", "name": "Ann Lee", "surgery_date": iso(SURGERY), "procedure": "fhl-release",
             "side": "left", "surgeon": "Mr Hester", "created_at": "2026-01-01T09:00:00+00:00",
             "discharged_on": iso(SURGERY + timedelta(days=20)),
             "entries": [{**entry(0, 6), "temperature": 38.2, "swelling": "moderate", "exercises": "partly"}, entry(1, 5)],
             "adjustments": [
                 {"id": 4, "kind": "adjust", "from_day": 14, "until_day": 20, "weight_bearing": "partial",
                  "boot": False, "allow": ["walking"], "forbid": ["sport"], "pain_ceiling": 5, "milestone": None,
                  "note": "go gently", "by": "Dr X", "created_at": "2026-01-03T09:00:00+00:00", "removed_at": None},
                 {"id": 7, "kind": "move", "from_day": 21, "until_day": None, "milestone": "wound-review",
                  "created_at": "2026-01-04T09:00:00+00:00", "removed_at": "2026-01-05T09:00:00+00:00"}],
             "scores": [{"instrument": "faam-adl", "date": iso(SURGERY - timedelta(days=3)), "answers": [3] * 20 + [None],
                         "score": 75.0, "created_at": "2026-01-01T09:00:00+00:00"}],
             "measures": [{"name": "knee-to-wall", "date": iso(SURGERY + timedelta(days=10)), "side": "operated",
                           "value": 8.5, "created_at": "2026-01-02T09:00:00+00:00"}],
             "revisions": [{**{k: v for k, v in entry(1, 7).items() if k != "day"},
                            "replaced_at": "2026-01-02T10:00:00+00:00"}],
             "acknowledgements": [{"date": iso(SURGERY + timedelta(days=1)), "rule": "pain-spike", "subject": "",
                                   "note": "seen", "by": "Dr X", "acknowledged_at": "2026-01-02T11:00:00+00:00"}]},
            {"id": "cy-dee", "name": "Cy Dee", "surgery_date": iso(SURGERY), "procedure": "os-trigonum-excision",
             "side": None, "surgeon": None, "created_at": "2026-01-01T09:05:00+00:00",
             "entries": [entry(d) for d in range(5)], "revisions": [], "acknowledgements": []},
        ],
    }


def test_the_valid_document_imports(rehab, tmp_path, db_path):
    """The control for the table below: every refusal there comes from its one change."""
    path = tmp_path / "valid.json"
    path.write_text(json.dumps(valid_document()))
    ok(rehab("import", path))
    rows = snapshot(db_path)
    assert (len(rows["patient"]), len(rows["entry"]), len(rows["entry_revision"]), len(rows["flag_ack"])) == (2, 7, 1, 1)
    assert (len(rows["plan_adjustment"]), len(rows["outcome_score"]), len(rows["measure"])) == (2, 1, 1)


def test_an_export_from_before_plans_and_outcomes_imports_and_exports_complete(rehab, tmp_path):
    doc = valid_document()
    old = doc["patients"][1]  # no discharged_on, adjustments, scores, measures or new entry fields
    doc["patients"] = [old]
    path, out = tmp_path / "old.json", tmp_path / "out.json"
    path.write_text(json.dumps(doc))
    ok(rehab("import", path))
    ok(rehab("export", "--output", out))
    (again,) = json.loads(out.read_text())["patients"]
    assert again["discharged_on"] is None and again["procedures"] == ["os-trigonum-excision"]
    assert (again["adjustments"], again["scores"], again["measures"]) == ([], [], [])
    assert [e["pain"] for e in again["entries"]] == [e["pain"] for e in old["entries"]]
    assert {(e["temperature"], e["swelling"], e["exercises"]) for e in again["entries"]} == {(None, None, None)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_plans_outcomes_and_discharge_make_the_round_trip(rehab, tmp_path, monkeypatch, backend):
    """export -> import -> export is the same document with every kind of row, on each database."""
    path, first, second = tmp_path / "in.json", tmp_path / "first.json", tmp_path / "second.json"
    path.write_text(json.dumps(valid_document()))
    source = str(tmp_path / "source.db")
    ok(rehab("--db", source, "import", path))
    ok(rehab("--db", source, "export", "--output", first))
    doc = json.loads(first.read_text())
    ann = doc["patients"][0]
    assert ann["discharged_on"] == iso(SURGERY + timedelta(days=20))
    assert [(a["id"], a["kind"], a["removed_at"] is not None) for a in ann["adjustments"]] == [(4, "adjust", False), (7, "move", True)]
    assert ann["adjustments"][0]["from_date"] == iso(SURGERY + timedelta(days=14))
    assert ann["scores"][0]["answers"][-1] is None and ann["measures"][0]["value"] == 8.5
    assert (ann["entries"][0]["temperature"], ann["entries"][0]["swelling"]) == (38.2, "moderate")
    target = str(tmp_path / "target.db") if backend == "sqlite" else clean_postgres()
    ok(rehab("--db", target, "import", first))
    ok(rehab("--db", target, "export", "--output", second))
    again = json.loads(second.read_text())
    doc.pop("exported_at")
    again.pop("exported_at")
    assert again == doc


def _set(path: str, value):
    """A change at a dotted path such as 'patients.1.entries.3.pain'."""

    def change(doc):
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _drop(key: str):
    return lambda doc: doc.pop(key)


def _dup_patient_id(doc):
    doc["patients"][1]["id"] = "ANN-LEE"  # the same id once lower-cased


def _dup_entry_date(doc):
    doc["patients"][1]["entries"][1]["date"] = doc["patients"][1]["entries"][0]["date"]


def _dup_ack(doc):
    acks = doc["patients"][0]["acknowledgements"]
    acks.append(copy.deepcopy(acks[0]))


BEFORE_SURGERY = iso(SURGERY - timedelta(days=3))

BAD_FILES = [
    pytest.param(b"{not json", "JSON", id="not-json"),
    pytest.param(b"", "JSON", id="empty-file"),
    pytest.param(b"\xff\xfe\x00garbage", "UTF-8", id="not-utf8"),
    pytest.param(b"[]", "format", id="a-list"),
    pytest.param(_set("format", "rehab-backup"), "format", id="wrong-format"),
    pytest.param(_drop("format"), "format", id="no-format"),
    pytest.param(_set("version", 2), "version", id="version-2"),
    pytest.param(_set("version", "1"), "version", id="version-as-text"),
    pytest.param(_set("version", True), "version", id="version-true"),
    pytest.param(_set("patients", {"ann-lee": {}}), "patients", id="patients-not-a-list"),
    pytest.param(_set("patients.1", "cy-dee"), "patients[1]", id="patient-not-an-object"),
    pytest.param(_set("patients.1.entries.3.pain", 11), "patients[1].entries[3]", id="pain-11-deep"),
    pytest.param(_set("patients.1.entries.3.pain", "3"), "patients[1].entries[3]", id="pain-as-text"),
    pytest.param(_set("patients.1.entries.2.date", "2026-02-30"), ("patients[1].entries[2]", "date"), id="bad-entry-date"),
    pytest.param(_set("patients.1.entries.1.weight_bearing", "hopping"), "patients[1].entries[1]", id="bad-weight-bearing"),
    pytest.param(_set("patients.0.entries.0.symptoms", ["hiccups"]), "patients[0].entries[0]", id="unknown-symptom"),
    # Empty but not a list: refused as before, though most days' empty lists are read quickly.
    pytest.param(_set("patients.0.entries.0.symptoms", ""), "patients[0].entries[0]", id="symptoms-empty-text"),
    pytest.param(_set("patients.0.entries.0.symptoms", 0), "patients[0].entries[0]", id="symptoms-zero"),
    pytest.param(_set("patients.0.entries.0.milestones", {}), "patients[0].entries[0]", id="milestones-empty-object"),
    pytest.param(_set("patients.0.entries.0.milestones", False), "patients[0].entries[0]", id="milestones-false"),
    pytest.param(_set("patients.1.entries.4.activity", 5), "patients[1].entries[4]", id="activity-not-text"),
    pytest.param(_set("patients.1.entries.0.date", BEFORE_SURGERY), "patients[1].entries[0]", id="entry-before-surgery"),
    pytest.param(_set("patients.1.entries", "none"), "patients[1].entries", id="entries-not-a-list"),
    pytest.param(_dup_entry_date, "patients[1].entries[1].date", id="duplicate-entry-date"),
    pytest.param(_dup_patient_id, "appears twice", id="duplicate-patient-id"),
    pytest.param(_set("patients.1.procedure", "knee-replacement"), "patients[1].procedure", id="unknown-procedure"),
    pytest.param(_set("patients.0.id", "Bad Id!"), "patients[0]", id="bad-patient-id"),
    pytest.param(_set("patients.0.name", ""), "patients[0].name", id="blank-name"),
    pytest.param(_set("patients.0.surgery_date", "03/04/2026"), "patients[0].surgery_date", id="bad-surgery-date"),
    pytest.param(_set("patients.0.side", "middle"), "patients[0]", id="bad-side"),
    pytest.param(_set("patients.0.surgeon", 5), "patients[0]", id="surgeon-not-text"),
    pytest.param(_set("patients.0.revisions.0.replaced_at", "yesterday"), "patients[0].revisions[0].replaced_at",
                 id="bad-revision-time"),
    pytest.param(_set("patients.0.revisions.0.pain", 42), "patients[0].revisions[0]", id="bad-revision-pain"),
    pytest.param(_set("patients.1.entries.2.created_at", "noon"), "patients[1].entries[2].created_at",
                 id="bad-entry-logged-time"),
    pytest.param(_set("patients.1.entries.4.date", iso(TODAY + timedelta(days=2))), "patients[1].entries[4].date",
                 id="entry-in-the-future"),
    pytest.param(_set("patients.0.acknowledgements.0.date", "soon"), "patients[0].acknowledgements[0].date",
                 id="bad-ack-date"),
    pytest.param(_set("patients.0.acknowledgements.0.subject", {"a": 1}), "patients[0].acknowledgements[0]",
                 id="ack-subject-not-text"),
    pytest.param(_dup_ack, "patients[0].acknowledgements[1]", id="duplicate-acknowledgement"),
    pytest.param(_set("patients.0.discharged_on", "later"), "patients[0].discharged_on", id="bad-discharge-date"),
    pytest.param(_set("patients.0.entries.0.temperature", 50), "patients[0].entries[0]", id="temperature-out-of-range"),
    pytest.param(_set("patients.0.entries.0.temperature", "hot"), "patients[0].entries[0]", id="temperature-not-a-number"),
    pytest.param(_set("patients.0.entries.0.swelling", "huge"), "patients[0].entries[0]", id="bad-swelling"),
    pytest.param(_set("patients.0.entries.0.exercises", "most"), "patients[0].entries[0]", id="bad-exercises"),
    pytest.param(_set("patients.0.adjustments", {}), "patients[0].adjustments", id="adjustments-not-a-list"),
    pytest.param(_set("patients.0.adjustments.0.kind", "stretch"), "patients[0].adjustments[0].kind", id="bad-adjustment-kind"),
    pytest.param(_set("patients.0.adjustments.0.until_day", 3), "patients[0].adjustments[0].until_day",
                 id="adjustment-ends-before-it-starts"),
    pytest.param(_set("patients.0.adjustments.0.weight_bearing", "hopping"), "patients[0].adjustments[0]",
                 id="adjustment-bad-weight-bearing"),
    pytest.param(_set("patients.0.adjustments.0.forbid", ["flying"]), "patients[0].adjustments[0]", id="adjustment-bad-activity"),
    pytest.param(_set("patients.0.adjustments.1.milestone", None), "patients[0].adjustments[1].milestone", id="move-without-milestone"),
    pytest.param(_set("patients.0.adjustments.1.id", 4), "patients[0].adjustments", id="duplicate-adjustment-id"),
    pytest.param(_set("patients.0.adjustments.1.removed_at", "gone"), "patients[0].adjustments[1].removed_at",
                 id="bad-removal-time"),
    pytest.param(_set("patients.0.scores.0.answers", [5] * 21), "patients[0].scores[0].answers", id="answer-out-of-range"),
    pytest.param(_set("patients.0.scores.0.score", "high"), "patients[0].scores[0].score", id="score-not-a-number"),
    pytest.param(_set("patients.0.scores.0.date", "soon"), "patients[0].scores[0].date", id="bad-score-date"),
    pytest.param(_set("patients.0.measures.0.side", "left"), "patients[0].measures[0].side", id="bad-measure-side"),
    pytest.param(_set("patients.0.measures.0.value", True), "patients[0].measures[0].value", id="measure-value-not-a-number"),
    # The rules every command applies hold for scores and measures too (rehab.import_checks).
    pytest.param(_set("patients.0.scores.0.created_at", "9999-12-31T23:59:59-05:00"),
                 "patients[0].scores[0].created_at", id="score-time-past-the-last-year"),
    pytest.param(_set("patients.0.measures.0.created_at", "0001-01-01T00:00:00+05:00"),
                 "patients[0].measures[0].created_at", id="measure-time-before-the-first-year"),
    pytest.param(_set("patients.0.scores.0.instrument", "faam\x1b[2J"), ("patients[0].scores[0].instrument", "escape"),
                 id="instrument-with-an-escape-sequence"),
    pytest.param(_set("patients.0.measures.0.name", "calf\x00raises"), ("patients[0].measures[0].name", "NUL"),
                 id="measure-name-with-a-nul"),
]


@pytest.mark.parametrize("change, place", BAD_FILES)
def test_a_bad_file_is_refused_by_place_and_nothing_is_written(rehab, tmp_path, db_path, change, place):
    ok(rehab("patient", "add", "Keeper", "--surgery-date", iso(SURGERY), "--procedure", "fhl"))
    path = tmp_path / "bad.json"
    if isinstance(change, bytes):
        path.write_bytes(change)
    else:
        doc = valid_document()
        change(doc)
        path.write_text(json.dumps(doc))
    before = snapshot(db_path)
    result = rehab("import", path)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    for fragment in (place,) if isinstance(place, str) else place:
        assert fragment in result.stderr, result.stderr
    assert result.stderr.startswith("rehab: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(db_path) == before


def test_reading_an_export_leaves_the_cycle_collector_as_it_was():
    """Reading pauses Python's cycle collector (nothing read is in a cycle); it runs again
    afterwards, after a refused file too, and stays off for a caller that had it off."""
    import gc
    import io

    from rehab.backup import read_export
    from rehab.errors import RehabError

    assert gc.isenabled()
    read_export(io.StringIO(json.dumps({"format": "rehab-export", "version": 1, "patients": []})))
    assert gc.isenabled()
    with pytest.raises(RehabError):
        read_export(io.StringIO("{not json"))
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(RehabError):
            read_export(io.StringIO("[]"))
        assert not gc.isenabled()
    finally:
        gc.enable()
