"""`rehab import` holds a file to the rules the command line holds what is typed to: what
`log --milestone`, `plan adjust|move`, `patient discharge`, `score` and `measure` refuse, an
import refuses too (one line, exit 2, the database as it was), and an export still imports
as it was made."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest

from conftest import iso, ok, one_line, snapshot
from rehab.errors import RehabError
from rehab.model import Adjustment
from rehab.plan import check_change

TODAY = date.today()
SURGERY = TODAY - timedelta(days=30)
FAR = "2099-10-10"
LEFS = ",".join(["2"] * 20)


def _day(n: int) -> str:
    return iso(SURGERY + timedelta(days=n))


@pytest.fixture
def exported(rehab, tmp_path) -> dict:
    """One patient with everything an export holds, made through the CLI and exported."""
    db = tmp_path / "source.db"
    for args in (
        ["patient", "add", "Ann Lee", "--surgery-date", iso(SURGERY), "--procedure", "os-trigonum-excision",
         "--surgeon", "Mr Hester"],
        ["log", "--date", _day(3), "--pain", "4", "--wb", "partial", "--note", "sore"],
        ["log", "--date", _day(3), "--pain", "9", "--wb", "partial", "--milestone", "wound-review", "--replace"],
        ["flags", "ack", "pain-above-expected", "--date", _day(3), "--note", "seen", "--by", "Dr Roe"],
        ["plan", "adjust", "--from", "day 5", "--until", "day 9", "--no-boot", "--by", "Dr Roe"],
        ["plan", "move", "physio-start", "--to", "day 20"],
        ["score", "lefs", "--date", _day(-2), "--answers", LEFS],
        ["measure", "knee-to-wall", "7.5", "--date", _day(10)],
        ["patient", "discharge", "ann-lee", "--date", _day(25)],
    ):
        ok(rehab("--db", db, *args))
    out = tmp_path / "export.json"
    ok(rehab("--db", db, "export", "--output", out))
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def target(rehab, tmp_path):
    """The database imported into: another patient already there."""
    db = tmp_path / "target.db"
    ok(rehab("--db", db, "patient", "add", "Bo Day", "--surgery-date", iso(SURGERY), "--procedure", "fhl-release"))
    return db


def _import(rehab, tmp_path, db, document):
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return rehab("--db", db, "import", path)


def _set(key, value):
    return lambda p: p.__setitem__(key, value)


def _entry(key, value, which="entries"):
    return lambda p: p[which][0].__setitem__(key, value)


def _append(which, item):
    return lambda p: p[which].append(item)


def _measure(**changes):
    return _append("measures", {"name": "knee-to-wall", "date": _day(12), "side": "operated", "value": 5, **changes})


def _score(**changes):
    return _append("scores", {"instrument": "lefs", "date": _day(12), "answers": [2] * 20, "score": 40, **changes})


def _ack(**changes):
    return lambda p: p["acknowledgements"][0].update(changes)


def _change(**changes):
    return lambda p: p["adjustments"][0].update(changes)


P = pytest.param
REFUSED = [
    P(_entry("milestones", ["\x1bc\x07"]), "unknown milestone '\\x1bc\\x07'", id="milestone-terminal-reset"),
    P(_entry("milestones", ["nope"]), "entries[0].milestones: unknown milestone 'nope'", id="milestone-unknown"),
    P(_entry("milestones", ["wound\u202ereview"]), "unknown milestone", id="milestone-bidi"),
    P(_entry("milestones", ["nope"], "revisions"), "revisions[0].milestones: unknown milestone", id="revision-milestone"),
    P(_entry("note", "fine \u202egnihton"), "U+202E", id="note-bidi"),
    P(_append("adjustments", {"kind": "adjust", "from_day": -5}), "day -5 is before surgery", id="adjust-before-surgery"),
    P(_append("adjustments", {"kind": "adjust", "from_day": 3}), "a change sets something", id="adjust-sets-nothing"),
    P(_append("adjustments", {"kind": "adjust", "from_day": 3, "allow": ["sport"], "forbid": ["sport"]}),
      "sport is both allowed and forbidden", id="adjust-allow-and-forbid"),
    P(_append("adjustments", {"kind": "move", "from_day": 3, "milestone": "nope"}),
      "adjustments[2].milestone: unknown milestone 'nope'", id="move-unknown-milestone"),
    P(_append("adjustments", {"kind": "move", "from_day": -1, "milestone": "wound-review"}), "before surgery",
      id="move-before-surgery"),
    P(_change(by="\u200b"), "no visible character", id="adjustment-by-invisible"),
    P(_change(note="\u202eoff"), "U+202E", id="adjustment-note-bidi"),
    P(_set("discharged_on", iso(SURGERY - timedelta(days=1))), "discharged_on: " + iso(SURGERY - timedelta(days=1))
      + " is before the surgery date", id="discharged-before-surgery"),
    P(_set("discharged_on", FAR), "discharged_on: 2099-10-10 is in the future", id="discharged-in-the-future"),
    P(_measure(value=500), "knee-to-wall is 0–20 cm", id="measure-out-of-range"),
    P(_measure(name="calf-raises", value=12.5), "whole number", id="measure-count-not-whole"),
    P(_measure(name="nope"), "unknown measure 'nope'", id="measure-unknown"),
    P(_measure(date=FAR), "measures[1].date: 2099-10-10 is in the future", id="measure-in-the-future"),
    P(_score(date=FAR), "scores[1].date: 2099-10-10 is in the future", id="score-in-the-future"),
    P(_score(instrument="nope"), "unknown questionnaire 'nope'", id="score-unknown-instrument"),
    P(_score(answers=[2] * 19), "lefs has 20 items; the score has 19 answers", id="score-too-few-answers"),
    P(_score(answers=[None] + [2] * 19), "'na'", id="score-na-where-every-item-counts"),
    P(_set("name", "\u200b"), "a patient's name has no visible character", id="name-zero-width"),
    P(_set("name", "Ann \u202eeeL"), "U+202E", id="name-bidi-override"),
    P(_set("name", "Ann \u202deeL"), "U+202D", id="name-bidi-override-ltr"),
    P(_set("surgeon", "\u2060"), "no visible character", id="surgeon-invisible"),
    P(_ack(subject="\x1b[2J"), "acknowledgements[0].subject may not contain an escape", id="ack-subject-escape"),
    P(_ack(rule="pain\u202espike"), "U+202E", id="ack-rule-bidi"),
    P(_ack(by="\u200b"), "no visible character", id="ack-by-invisible"),
    P(lambda p: p.update(procedure="fhl-release", procedures=["os-trigonum-excision", "fhl-release"]),
      "procedures: ['os-trigonum-excision', 'fhl-release'] does not match procedure 'fhl-release'",
      id="procedures-disagree"),
    P(lambda p: p.update(procedures="fhl-release"), "procedures must be a list", id="procedures-not-a-list"),
]


@pytest.mark.parametrize("change, message", REFUSED)
def test_what_the_command_line_refuses_an_import_refuses(rehab, tmp_path, exported, target, change, message):
    document = copy.deepcopy(exported)
    change(document["patients"][0])
    before = snapshot(target)
    result = _import(rehab, tmp_path, target, document)
    assert message in one_line(result, 2)
    assert snapshot(target) == before


def test_an_export_imports_as_it_was_made(rehab, tmp_path, exported, target):
    ok(_import(rehab, tmp_path, target, exported))
    out = tmp_path / "again.json"
    ok(rehab("--db", target, "export", "--patient", "ann-lee", "--output", out))
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["patients"] == exported["patients"]


def test_a_backup_made_after_the_procedure_changed_still_restores(rehab, tmp_path, exported, target):
    """`patient edit --procedure` keeps the milestones logged and moved under the procedure
    before (wound-review and physio-start are not debridement's): the backup restores them."""
    source = tmp_path / "changed.db"
    ok(_import(rehab, tmp_path, source, exported))
    ok(rehab("--db", source, "patient", "edit", "ann-lee", "--procedure", "debridement"))
    out = tmp_path / "changed.json"
    ok(rehab("--db", source, "export", "--output", out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["patients"][0]["procedure"] == "arthroscopic-debridement"
    ok(_import(rehab, tmp_path, target, document))
    history = json.loads(ok(rehab("--db", target, "history", "--patient", "ann-lee", "--json")).stdout)
    assert "wound-review" in json.dumps(history)


def test_combined_procedures_and_a_right_to_left_name_round_trip(rehab, tmp_path, target):
    source = tmp_path / "combined.db"
    ok(rehab("--db", source, "patient", "add", "سارا احمدی", "--id", "sara", "--surgery-date", iso(SURGERY),
             "--procedure", "fhl-release", "--procedure", "os-trigonum-excision"))
    out = tmp_path / "combined.json"
    ok(rehab("--db", source, "export", "--output", out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["patients"][0]["procedures"] == ["fhl-release", "os-trigonum-excision"]
    ok(_import(rehab, tmp_path, target, document))
    shown = json.loads(ok(rehab("--db", target, "patient", "show", "sara", "--json")).stdout)
    assert shown["name"] == "سارا احمدی"
    assert shown["procedures"] == ["fhl-release", "os-trigonum-excision"]


def test_a_file_without_procedures_is_read_by_its_procedure(rehab, tmp_path, exported, target):
    document = copy.deepcopy(exported)
    del document["patients"][0]["procedures"]
    ok(_import(rehab, tmp_path, target, document))


# --- the rule `plan adjust|move` and import share ---------------------------------------------


@pytest.mark.parametrize("change, message", [
    (Adjustment(None, "adjust", -1, boot=False), "before surgery"),
    (Adjustment(None, "adjust", 5, 4, boot=False), "its last day (4) is before its first (5)"),
    (Adjustment(None, "adjust", 0), "a change sets something"),
    (Adjustment(None, "adjust", 0, allow=("walking",), forbid=("walking",)), "walking is both allowed and forbidden"),
    (Adjustment(None, "move", -3, milestone="wound-review"), "before surgery"),
    (Adjustment(None, "move", 3, boot=True, milestone="wound-review"), "sets nothing else"),
    (Adjustment(None, "adjust", 3, boot=True, milestone="wound-review"), "an adjust names no milestone"),
])
def test_a_change_that_cannot_be_made_is_refused(change, message):
    with pytest.raises(RehabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_change(change)


@pytest.mark.parametrize("change", [
    Adjustment(None, "adjust", 0, boot=False), Adjustment(None, "adjust", 3, 3, pain_ceiling=4),
    Adjustment(None, "adjust", 3, forbid=("sport",)), Adjustment(None, "move", 12, milestone="wound-review"),
])
def test_a_change_that_can_be_made_passes(change):
    check_change(change)
