"""Protocols: the built-ins, names and aliases, offsets, every way a file can be wrong,
`protocols show --json` as a starting point, and custom protocol folders."""

from __future__ import annotations

import functools
import json
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from rehab.errors import NotFound, ProtocolError
from rehab.protocols import Offset, Protocol, builtin_ids, find, load_all, load_file, schema
from rehab.protocols.loader import BUILTIN_DIR, MAX_BYTES

BUILTINS = ("arthroscopic-debridement", "fhl-release", "os-trigonum-excision")
CONTRACT_MILESTONES = {
    # id: (at, until) in days; months as ("months", n)
    "wound-review": (14, None),
    "physio-start": (14, None),
    "low-impact-activity": (42, None),
    "return-to-sport": (70, 84),
    "new-baseline": (("months", 6), ("months", 12)),
}


@functools.cache
def builtin(pid: str) -> Protocol:
    """A built-in, read once per run, for the tests about its content."""
    return load_all()[pid]


def _offset(o: Offset | None):
    if o is None:
        return None
    return ("months", o.amount) if o.unit == "months" else o.days


# --- the built-ins ----------------------------------------------------------------------------


def test_three_builtins_load():
    protocols = load_all()
    assert sorted(protocols) == list(BUILTINS)
    assert builtin_ids() == list(BUILTINS)


@pytest.mark.parametrize("pid", BUILTINS)
def test_builtin_file_is_named_after_its_id(pid):
    assert load_file(BUILTIN_DIR / f"{pid}.yaml").id == pid


@pytest.mark.parametrize("pid", BUILTINS)
def test_builtin_has_the_contract_milestones(pid):
    protocol = builtin(pid)
    found = {m.id: (_offset(m.at), _offset(m.until)) for m in protocol.milestones}
    assert {k: found.get(k) for k in CONTRACT_MILESTONES} == CONTRACT_MILESTONES


@pytest.mark.parametrize("pid", BUILTINS)
def test_builtin_has_the_four_phases_of_the_design(pid):
    protocol = builtin(pid)
    assert [(_offset(p.start), _offset(p.end)) for p in protocol.phases] == [
        (0, 14), (14, 42), (42, 84), (84, None),
    ]


@pytest.mark.parametrize("pid", BUILTINS)
def test_builtin_first_phase_is_boot_and_partial_weight_bearing(pid):
    first = builtin(pid).phases[0]
    assert first.boot is True
    assert "partial" in first.weight_bearing.allowed
    assert "full" not in first.weight_bearing.allowed
    assert "sport" not in first.activities


@pytest.mark.parametrize(
    ("pid", "extra"),
    [
        ("fhl-release", {"big-toe-motion": 0}),
        ("os-trigonum-excision", {"protected-weight-bearing": 7, "full-weight-bearing": 28}),
        ("arthroscopic-debridement", {"crutches-weaned": 21, "full-range-of-motion": 42}),
    ],
)
def test_builtin_procedure_specific_milestones(pid, extra):
    protocol = builtin(pid)
    found = {m.id: _offset(m.at) for m in protocol.milestones}
    assert {k: found.get(k) for k in extra} == extra
    assert set(found) == set(CONTRACT_MILESTONES) | set(extra)


@pytest.mark.parametrize("pid", BUILTINS)
def test_wound_review_asks_to_be_recorded(pid):
    assert next(m for m in builtin(pid).milestones if m.id == "wound-review").confirm is True


# --- names and aliases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pid"),
    [
        ("fhl-release", "fhl-release"),
        ("FHL release", "fhl-release"),
        ("fhl release", "fhl-release"),
        ("FHL-RELEASE", "fhl-release"),
        ("  fhl_release ", "fhl-release"),
        ("FHL tendon release", "fhl-release"),
        ("os trigonum excision", "os-trigonum-excision"),
        ("OS TRIGONUM EXCISION", "os-trigonum-excision"),
        ("os-trigonum-excision", "os-trigonum-excision"),
        ("debridement", "arthroscopic-debridement"),
        ("Arthroscopic-Debridement", "arthroscopic-debridement"),
        ("arthroscopic debridement", "arthroscopic-debridement"),
    ],
)
def test_aliases_resolve_case_insensitively(name, pid):
    assert find(name).id == pid


@pytest.mark.parametrize("name", ["ankle", "fhl release please", "", "os-trigonum-excisions"])
def test_unknown_procedure_is_not_found(name):
    with pytest.raises(NotFound) as caught:
        find(name)
    # The message offers the ids that do exist.
    for pid in BUILTINS:
        assert pid in str(caught.value)


# --- offsets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "amount", "days", "text"),
    [
        ("10 days", "days", 10, 10, "10 days"),
        ("1 day", "days", 1, 1, "1 day"),
        ("2 weeks", "weeks", 2, 14, "2 weeks"),
        ("1 week", "weeks", 1, 7, "1 week"),
        ("0 weeks", "weeks", 0, 0, "0 weeks"),
        ("  3 WEEKS ", "weeks", 3, 21, "3 weeks"),
        ("12weeks", "weeks", 12, 84, "12 weeks"),
        (5, "days", 5, 5, "5 days"),
        (0, "days", 0, 0, "0 days"),
    ],
)
def test_offsets(value, unit, amount, days, text):
    checked = schema.Offset.model_validate(value)  # as a protocol file's offset is read
    offset = checked.plain()
    assert (offset.unit, offset.amount, offset.days) == (unit, amount, days)
    assert offset.text == checked.model_dump() == str(offset) == text
    assert Offset.parse(offset.text) == offset


@pytest.mark.parametrize(
    ("value", "surgery", "expected"),
    [
        ("6 months", "2026-08-31", "2027-02-28"),
        ("6 months", "2027-08-31", "2028-02-29"),
        ("1 month", "2026-01-31", "2026-02-28"),
        ("12 months", "2028-02-29", "2029-02-28"),
        ("2 weeks", "2026-03-29", "2026-04-12"),
        ("10 days", "2026-12-25", "2027-01-04"),
    ],
)
def test_offset_date_after(value, surgery, expected):
    assert schema.Offset.model_validate(value).plain().date_after(date.fromisoformat(surgery)).isoformat() == expected


def test_month_offset_text():
    assert Offset.parse("6 months").text == "6 months"
    assert Offset.parse("1 month").text == "1 month"
    assert Offset.parse("1 month").unit == "months"
    assert Offset.parse("1 MONTHS").text == "1 month"


@pytest.mark.parametrize(
    "value", ["2 fortnights", "two weeks", "2.5 weeks", "-3 days", "weeks", "", "2 weeks 3 days", -1, True, 1.5, None],
)
def test_bad_offsets(value):
    with pytest.raises(ValidationError):
        schema.Offset.model_validate(value)
    if isinstance(value, str):
        with pytest.raises(ValueError, match="write it like '10 days'"):
            Offset.parse(value)


# --- bad protocol files -----------------------------------------------------------------------

# A small valid protocol; the cases below edit it line by line, so line numbers are known.
BASE = """\
id: clinic-plan
name: Clinic plan
summary: A short plan.
sources:
  - id: clinic
    title: Our clinic
phases:
  - id: early
    title: Early
    start: 0 weeks
    end: 2 weeks
    instructions: [Rest.]
    weight_bearing:
      allowed: [toe-touch, partial]
    boot: true
    activities: [rest, walking]
    pain_ceiling: 6
    sources: [clinic]
  - id: middle
    title: Middle
    start: 2 weeks
    end: 6 weeks
    instructions: [Walk.]
    weight_bearing:
      allowed: [partial, full]
    boot: false
    activities: [rest, walking]
    pain_ceiling: 5
  - id: late
    title: Late
    start: 6 weeks
    end: null
    instructions: [Build.]
    weight_bearing:
      allowed: [full]
    boot: false
    activities: [rest, walking, low-impact, sport]
    pain_ceiling: 3
milestones:
  - id: wound-review
    title: Wound check
    at: 2 weeks
    sources: [clinic]
  - id: new-baseline
    title: New normal
    at: 6 months
    until: 12 months
"""
PHASES_LINE = 8  # where the phases list starts


def edited(edits: dict[int, str | None]) -> str:
    """BASE with line N replaced (None deletes it; a number past the end appends)."""
    lines: list[str | None] = BASE.splitlines()
    for number, new in sorted(edits.items()):
        if number > len(lines):
            lines.append(new)
        else:
            lines[number - 1] = new
    return "\n".join(line for line in lines if line is not None) + "\n"


def _problem(path: Path, message: str) -> tuple[int | None, str, str]:
    """Split 'FILE (line N): FIELD: WHAT' into its parts; fail if it does not name the file."""
    match = re.match(rf"^{re.escape(str(path))}(?: \(line (\d+)\))?: ([^:]+?): (.+)$", message)
    assert match, f"message does not start with the file name and a field: {message!r}"
    line, field, what = match.groups()
    return (int(line) if line else None), field, what


def test_base_protocol_is_valid(tmp_path):
    path = tmp_path / "clinic-plan.yaml"
    path.write_text(BASE)
    protocol = load_file(path)
    assert protocol.id == "clinic-plan"
    assert [p.id for p in protocol.phases] == ["early", "middle", "late"]


BAD_FILES = [
    # (case, edits, field, line, words in the message)
    ("overlapping phases", {21: "    start: 10 days"}, "phases", PHASES_LINE, "overlap"),
    ("a gap between phases", {21: "    start: 3 weeks"}, "phases", PHASES_LINE, "gap"),
    ("first phase not at day 0", {10: "    start: 1 week"}, "phases", PHASES_LINE, "day 0"),
    ("last phase with an end", {32: "    end: 12 weeks"}, "phases", PHASES_LINE, "open-ended"),
    ("open-ended phase in the middle", {22: "    end: null"}, "phases", PHASES_LINE, "no end"),
    ("a phase ending before it starts", {11: "    end: 0 weeks"}, "phases", PHASES_LINE, "ends before"),
    ("a missing required field", {26: None}, "phases[1].boot", 19, "required"),
    ("an unknown weight-bearing level", {25: "      allowed: [partial, hopping]"},
     "phases[1].weight_bearing.allowed[1]", 25, "toe-touch"),
    ("an unknown activity", {37: "    activities: [rest, walking, low-impact, skiing]"},
     "phases[2].activities[3]", 37, "low-impact"),
    ("an unknown key", {48: "colour: blue"}, "colour", 48, "unknown key"),
    ("an unknown key in a milestone", {43: "    sources: [clinic]\n    colour: blue"},
     "milestones[0].colour", 44, "unknown key"),
    ("duplicate phase ids", {29: "  - id: middle"}, "phases", PHASES_LINE, "twice"),
    ("an offset in fortnights", {22: "    end: 2 fortnights"}, "phases[1].end", 22, "fortnights"),
    ("a pain ceiling above 10", {28: "    pain_ceiling: 11"}, "phases[1].pain_ceiling", 28, "10"),
    ("a bad id", {1: "id: Clinic Plan!"}, "id", 1, "pattern"),
    ("expected level not allowed", {25: "      allowed: [partial]\n      expected_by_end: full"},
     "phases[1].weight_bearing", 25, "expected_by_end"),
]


@pytest.mark.parametrize(("case", "edits", "field", "line", "words"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_protocol_names_file_field_and_line(tmp_path, case, edits, field, line, words):
    path = tmp_path / "clinic-plan.yaml"
    path.write_text(edited(edits))
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    got_line, got_field, what = _problem(path, str(caught.value))
    assert got_field == field
    assert got_line == line
    assert words in what


# Problems that span the document: the message must still point into the right list, not
# at "(top level)", so a person editing the file knows where to look.
CROSS_FIELD = [
    ("duplicate milestone ids", {44: "  - id: wound-review"}, "milestones", "twice"),
    ("a milestone citing an unknown source", {43: "    sources: [nowhere]"}, "milestones", "nowhere"),
    ("a phase citing an unknown source", {18: "    sources: [nowhere]"}, "phases", "nowhere"),
    ("a milestone window ending before it starts", {47: "    until: 3 months"}, "milestones", "ends before"),
    ("duplicate source ids", {6: "    title: Our clinic\n  - id: clinic\n    title: Again"}, "sources", "twice"),
    ("preparation citing an unknown source", {3: "summary: A short plan.\nbefore_surgery_sources: [nowhere]"},
     "before_surgery_sources", "nowhere"),
    ("questionnaires citing an unknown source",
     {60: "outcomes:\n  instruments: [lefs]\n  due: [6 weeks]\n  sources: [nowhere]"}, "outcomes", "nowhere"),
]


@pytest.mark.parametrize(("case", "edits", "field", "words"), CROSS_FIELD, ids=[c[0] for c in CROSS_FIELD])
def test_cross_field_problem_names_the_field(tmp_path, case, edits, field, words):
    path = tmp_path / "clinic-plan.yaml"
    path.write_text(edited(edits))
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    _, got_field, what = _problem(path, str(caught.value))
    assert words in what
    assert got_field.split("[")[0].split(".")[0] == field, f"field named as {got_field!r}"


@pytest.mark.parametrize(
    ("case", "content", "words"),
    [
        ("not YAML", "id: [unclosed\nname: x\n", "not valid YAML"),
        ("a tab-indented mess", "id: x\n\tname: y\n", "not valid YAML"),
        ("a YAML list", "- id: clinic-plan\n- name: Clinic plan\n", "mapping"),
        ("a plain string", "just some words\n", "mapping"),
        ("an empty file", "", "mapping"),
    ],
)
def test_not_a_protocol_document(tmp_path, case, content, words):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_not_yaml_gives_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BASE + "phases: [unclosed\n")
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    assert re.match(rf"^{re.escape(str(path))} \(line \d+\): not valid YAML", str(caught.value))


def test_binary_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x00\x89PNG\r\n")
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    assert str(caught.value).startswith(str(path))


def test_oversized_file(tmp_path):
    path = tmp_path / "huge.yaml"
    # A valid protocol, padded with a comment past the size limit.
    path.write_text(BASE + "# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    assert str(caught.value).startswith(str(path))
    assert "bytes" in str(caught.value)


def test_a_folder_is_not_a_protocol_file(tmp_path):
    with pytest.raises(ProtocolError):
        load_file(tmp_path)


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFound):
        load_file(tmp_path / "nothing.yaml")


@pytest.mark.parametrize(
    "template",
    [
        '!!python/object/apply:os.system ["touch {marker}"]\n',
        BASE.replace("summary: A short plan.", 'summary: !!python/object/apply:os.system ["touch {marker}"]'),
        'id: !!python/object/new:os.system ["touch {marker}"]\n',
    ],
    ids=["whole document", "a field", "object/new"],
)
def test_yaml_cannot_run_code(tmp_path, rehab, template):
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    path = tmp_path / "evil.yaml"
    path.write_text(template.replace("{marker}", str(marker)))
    with pytest.raises(ProtocolError) as caught:
        load_file(path)
    assert str(caught.value).startswith(str(path))
    assert not marker.exists()
    # The command line refuses it the same way.
    result = rehab("protocols", "validate", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("rehab: ")
    assert not marker.exists()


# --- show --json is a custom protocol to start from -------------------------------------------


@pytest.mark.parametrize("pid", BUILTINS)
def test_show_json_round_trips(tmp_path, rehab, pid):
    shown = rehab("protocols", "show", pid, "--json")
    assert shown.exit_code == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["id"] == pid
    path = tmp_path / f"{pid}.json"
    path.write_text(shown.stdout)
    checked = rehab("protocols", "validate", path)
    assert checked.exit_code == 0, checked.stderr
    assert pid in checked.stdout
    assert load_file(path) == find(pid)


def test_show_text(rehab):
    result = rehab("protocols", "show", "FHL release")
    assert result.exit_code == 0
    assert "FHL tendon release (fhl-release)" in result.stdout
    assert "big-toe-motion" in result.stdout


def test_show_unknown(rehab):
    result = rehab("protocols", "show", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("rehab: ") and "nope" in result.stderr


# --- custom protocol folders ------------------------------------------------------------------


def builtin_data(pid: str) -> dict:
    return yaml.safe_load((BUILTIN_DIR / f"{pid}.yaml").read_text(encoding="utf-8"))


def write_protocol(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def clinic_fhl() -> dict:
    """fhl-release with a renamed second phase and the wound check at 10 days."""
    data = builtin_data("fhl-release")
    data["phases"][1]["title"] = "Clinic walking phase"
    for milestone in data["milestones"]:
        if milestone["id"] == "wound-review":
            milestone["at"] = "10 days"
    return data


def _timeline_json(rehab, *before: str) -> dict:
    result = rehab(*before, "timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _wound_review(doc: dict) -> tuple:
    m = next(m for m in doc["milestones"] if m["id"] == "wound-review")
    return m["day"], m["date"]


def test_builtin_timeline_before_any_replacement(rehab):
    doc = _timeline_json(rehab)
    assert doc["phases"][1]["title"] != "Clinic walking phase"
    assert _wound_review(doc) == (14, "2026-03-15")


def test_protocols_dir_replaces_a_builtin(tmp_path, rehab):
    folder = tmp_path / "clinic"
    write_protocol(folder, "my-fhl.yaml", clinic_fhl())
    doc = _timeline_json(rehab, "--protocols-dir", folder)
    assert doc["procedure"]["id"] == "fhl-release"
    assert doc["phases"][1]["title"] == "Clinic walking phase"
    assert _wound_review(doc) == (10, "2026-03-11")
    listed = json.loads(rehab("--protocols-dir", folder, "protocols", "list", "--json").stdout)
    assert sorted(p["id"] for p in listed) == list(BUILTINS)  # replaced, not added
    origins = {p["id"]: p["origin"] for p in listed}
    assert origins["fhl-release"] == f"replaces the built-in ({folder / 'my-fhl.yaml'})"
    assert all(origins[pid] == "built-in" for pid in BUILTINS if pid != "fhl-release")
    shown = rehab("--protocols-dir", folder, "protocols", "list").stdout
    assert f"fhl-release replaces the built-in ({folder / 'my-fhl.yaml'})" in shown.splitlines()
    assert "│ replaced" in next(line for line in shown.splitlines() if line.startswith("│ fhl-release"))


def test_env_protocols_dir_replaces_a_builtin(tmp_path, rehab, monkeypatch):
    folder = tmp_path / "clinic"
    write_protocol(folder, "fhl.yml", clinic_fhl())
    monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(folder))
    doc = _timeline_json(rehab)
    assert doc["phases"][1]["title"] == "Clinic walking phase"
    assert _wound_review(doc) == (10, "2026-03-11")


def clinic_plan() -> dict:
    data = yaml.safe_load(BASE)
    data["aliases"] = ["our clinic plan"]
    return data


def _listed_ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return sorted(p["id"] for p in json.loads(result.stdout))


def test_protocols_dir_adds_a_new_id(tmp_path, rehab):
    folder = tmp_path / "clinic"
    write_protocol(folder, "clinic-plan.yaml", clinic_plan())
    assert _listed_ids(rehab("protocols", "list", "--json")) == list(BUILTINS)
    assert _listed_ids(rehab("--protocols-dir", folder, "protocols", "list", "--json")) == sorted(
        [*BUILTINS, "clinic-plan"]
    )
    result = rehab("--protocols-dir", folder, "timeline", "--surgery-date", "2026-03-01",
                   "--procedure", "Our Clinic Plan", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["procedure"]["id"] == "clinic-plan"
    assert [(p["start_date"], p["end_date"]) for p in doc["phases"]] == [
        ("2026-03-01", "2026-03-14"), ("2026-03-15", "2026-04-11"), ("2026-04-12", None),
    ]


def test_env_protocols_dir_adds_a_new_id(tmp_path, rehab, monkeypatch):
    folder = tmp_path / "clinic"
    write_protocol(folder, "clinic-plan.yaml", clinic_plan())
    monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(folder))
    assert "clinic-plan" in _listed_ids(rehab("protocols", "list", "--json"))
    text = rehab("protocols", "list")
    assert text.exit_code == 0 and "clinic-plan" in text.stdout
    # Every id whole in 80 columns: it is what --procedure takes.
    for pid in (*BUILTINS, "clinic-plan"):
        assert f"│ {pid} " in text.stdout, pid


def _one_line_error(result) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("rehab: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("via", "command"),
    [
        ("option", ("protocols", "list", "--json")),
        ("env", ("timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release")),
    ],
)
def test_broken_file_in_protocols_dir(tmp_path, rehab, monkeypatch, via, command):
    folder = tmp_path / "clinic"
    write_protocol(folder, "clinic-plan.yaml", clinic_plan())
    broken = folder / "zz-broken.yaml"
    broken.write_text(edited({25: "      allowed: [partial, hopping]"}))
    if via == "env":
        monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(folder))
        result = rehab(*command)
    else:
        result = rehab("--protocols-dir", folder, *command)
    message = _one_line_error(result)
    assert "zz-broken.yaml" in message
    assert "phases[1].weight_bearing.allowed[1]" in message


@pytest.mark.parametrize("via", ["option", "env"])
def test_missing_protocols_dir(tmp_path, rehab, monkeypatch, via):
    folder = tmp_path / "no-such-folder"
    if via == "env":
        monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(folder))
        result = rehab("protocols", "list")
    else:
        result = rehab("--protocols-dir", folder, "protocols", "list")
    message = _one_line_error(result)
    assert "no-such-folder" in message


def test_protocol_model_is_the_same_whatever_the_source(tmp_path):
    """A built-in dumped to YAML and read back is the same protocol."""
    path = write_protocol(tmp_path, "fhl.yaml", builtin_data("fhl-release"))
    assert load_file(path) == find("fhl-release")
    assert isinstance(load_file(path), Protocol)


# --- one fever number (issue 18, item 20) ---------------------------------------------------

def test_instructions_take_the_fever_number_from_the_thresholds():
    data = yaml.safe_load((BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8"))
    data["thresholds"]["fever_celsius"] = 38.6
    clinic = schema.check(data)
    texts = " ".join(t for p in clinic.phases for t in p.instructions)
    assert "38.6 °C" in texts and "38 °C" not in texts and "{fever}" not in texts
    built_in = " ".join(t for p in builtin("fhl-release").phases for t in p.instructions)
    assert "38 °C or higher" in built_in and "38.6" not in built_in


@pytest.mark.parametrize("pid", builtin_ids())
def test_builtin_texts_give_no_temperature_of_their_own(pid):
    raw = (BUILTIN_DIR / f"{pid}.yaml").read_text(encoding="utf-8")
    body = raw.split("\nthresholds:")[0].split("\nsources:", 1)[1]
    texts = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\b3[6-9](\.\d)? ?°C", texts)  # only {fever}


@pytest.mark.parametrize("pid", builtin_ids())
def test_numbers_without_a_paper_cite_common_practice(pid):
    protocol = builtin(pid)
    assert "common-practice" in {s.id for s in protocol.sources}
    for phase in protocol.phases:
        if phase.exercises:
            assert "common-practice" in phase.sources, phase.id
