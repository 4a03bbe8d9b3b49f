"""Dated timelines: every phase and milestone date pinned for awkward surgery dates.

The expected dates below were worked out by hand on a calendar (day N = surgery + N days;
"6 months" = the same day of the month six months on, or that month's last day), not with
the code under test. Day 0–13, 14–41, 42–83 and 84+ are the four phases of every built-in
protocol (contract: Time).
"""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta

import pytest

from rehab import timeline as tl
from rehab.protocols import find

PROCEDURES = ("arthroscopic-debridement", "os-trigonum-excision", "fhl-release")

SHARED_MILESTONES = ("wound-review", "physio-start", "low-impact-activity", "return-to-sport", "new-baseline")

# Milestones each built-in adds to the shared five (read from the YAML files).
EXTRA_MILESTONES = {
    "arthroscopic-debridement": ("crutches-weaned", "full-range-of-motion"),  # 3 weeks, 6 weeks
    "os-trigonum-excision": ("protected-weight-bearing", "full-weight-bearing"),  # 1 week, 4 weeks
    "fhl-release": ("big-toe-motion",),  # day 0
}

PHASE_IDS = ("protect", "mobilise", "return-to-activity", "build")

# One table per surgery date.
#   phases: (start_date, end_date) for days 0–13, 14–41, 42–83, 84+
#   milestones: (date, end_date); end_date None for a single day
EXPECTED = {
    # Leap day.
    "2028-02-29": {
        "phases": [("2028-02-29", "2028-03-13"), ("2028-03-14", "2028-04-10"),
                   ("2028-04-11", "2028-05-22"), ("2028-05-23", None)],
        "milestones": {
            "wound-review": ("2028-03-14", None),
            "physio-start": ("2028-03-14", None),
            "low-impact-activity": ("2028-04-11", None),
            "return-to-sport": ("2028-05-09", "2028-05-23"),
            "new-baseline": ("2028-08-29", "2029-02-28"),
            "big-toe-motion": ("2028-02-29", None),
            "protected-weight-bearing": ("2028-03-07", None),
            "full-weight-bearing": ("2028-03-28", None),
            "crutches-weaned": ("2028-03-21", None),
            "full-range-of-motion": ("2028-04-11", None),
        },
    },
    # Month end, running into a 28-day February.
    "2026-01-31": {
        "phases": [("2026-01-31", "2026-02-13"), ("2026-02-14", "2026-03-13"),
                   ("2026-03-14", "2026-04-24"), ("2026-04-25", None)],
        "milestones": {
            "wound-review": ("2026-02-14", None),
            "physio-start": ("2026-02-14", None),
            "low-impact-activity": ("2026-03-14", None),
            "return-to-sport": ("2026-04-11", "2026-04-25"),
            "new-baseline": ("2026-07-31", "2027-01-31"),
            "big-toe-motion": ("2026-01-31", None),
            "protected-weight-bearing": ("2026-02-07", None),
            "full-weight-bearing": ("2026-02-28", None),
            "crutches-weaned": ("2026-02-21", None),
            "full-range-of-motion": ("2026-03-14", None),
        },
    },
    # European clocks go forward (Sunday 29 March 2026).
    "2026-03-29": {
        "phases": [("2026-03-29", "2026-04-11"), ("2026-04-12", "2026-05-09"),
                   ("2026-05-10", "2026-06-20"), ("2026-06-21", None)],
        "milestones": {
            "wound-review": ("2026-04-12", None),
            "physio-start": ("2026-04-12", None),
            "low-impact-activity": ("2026-05-10", None),
            "return-to-sport": ("2026-06-07", "2026-06-21"),
            "new-baseline": ("2026-09-29", "2027-03-29"),
            "big-toe-motion": ("2026-03-29", None),
            "protected-weight-bearing": ("2026-04-05", None),
            "full-weight-bearing": ("2026-04-26", None),
            "crutches-weaned": ("2026-04-19", None),
            "full-range-of-motion": ("2026-05-10", None),
        },
    },
    # European clocks go back (Sunday 25 October 2026); the plan runs into the next year.
    "2026-10-25": {
        "phases": [("2026-10-25", "2026-11-07"), ("2026-11-08", "2026-12-05"),
                   ("2026-12-06", "2027-01-16"), ("2027-01-17", None)],
        "milestones": {
            "wound-review": ("2026-11-08", None),
            "physio-start": ("2026-11-08", None),
            "low-impact-activity": ("2026-12-06", None),
            "return-to-sport": ("2027-01-03", "2027-01-17"),
            "new-baseline": ("2027-04-25", "2027-10-25"),
            "big-toe-motion": ("2026-10-25", None),
            "protected-weight-bearing": ("2026-11-01", None),
            "full-weight-bearing": ("2026-11-22", None),
            "crutches-weaned": ("2026-11-15", None),
            "full-range-of-motion": ("2026-12-06", None),
        },
    },
    # US clocks go forward (Sunday 8 March 2026).
    "2026-03-08": {
        "phases": [("2026-03-08", "2026-03-21"), ("2026-03-22", "2026-04-18"),
                   ("2026-04-19", "2026-05-30"), ("2026-05-31", None)],
        "milestones": {
            "wound-review": ("2026-03-22", None),
            "physio-start": ("2026-03-22", None),
            "low-impact-activity": ("2026-04-19", None),
            "return-to-sport": ("2026-05-17", "2026-05-31"),
            "new-baseline": ("2026-09-08", "2027-03-08"),
            "big-toe-motion": ("2026-03-08", None),
            "protected-weight-bearing": ("2026-03-15", None),
            "full-weight-bearing": ("2026-04-05", None),
            "crutches-weaned": ("2026-03-29", None),
            "full-range-of-motion": ("2026-04-19", None),
        },
    },
    # Year end; six months on is 30 June (June has 30 days).
    "2026-12-31": {
        "phases": [("2026-12-31", "2027-01-13"), ("2027-01-14", "2027-02-10"),
                   ("2027-02-11", "2027-03-24"), ("2027-03-25", None)],
        "milestones": {
            "wound-review": ("2027-01-14", None),
            "physio-start": ("2027-01-14", None),
            "low-impact-activity": ("2027-02-11", None),
            "return-to-sport": ("2027-03-11", "2027-03-25"),
            "new-baseline": ("2027-06-30", "2027-12-31"),
            "big-toe-motion": ("2026-12-31", None),
            "protected-weight-bearing": ("2027-01-07", None),
            "full-weight-bearing": ("2027-01-28", None),
            "crutches-weaned": ("2027-01-21", None),
            "full-range-of-motion": ("2027-02-11", None),
        },
    },
    # 31 Aug + 6 months = 28 Feb ...
    "2026-08-31": {
        "phases": [("2026-08-31", "2026-09-13"), ("2026-09-14", "2026-10-11"),
                   ("2026-10-12", "2026-11-22"), ("2026-11-23", None)],
        "milestones": {
            "wound-review": ("2026-09-14", None),
            "physio-start": ("2026-09-14", None),
            "low-impact-activity": ("2026-10-12", None),
            "return-to-sport": ("2026-11-09", "2026-11-23"),
            "new-baseline": ("2027-02-28", "2027-08-31"),
            "big-toe-motion": ("2026-08-31", None),
            "protected-weight-bearing": ("2026-09-07", None),
            "full-weight-bearing": ("2026-09-28", None),
            "crutches-weaned": ("2026-09-21", None),
            "full-range-of-motion": ("2026-10-12", None),
        },
    },
    # ... or 29 Feb in a leap year.
    "2027-08-31": {
        "phases": [("2027-08-31", "2027-09-13"), ("2027-09-14", "2027-10-11"),
                   ("2027-10-12", "2027-11-22"), ("2027-11-23", None)],
        "milestones": {
            "wound-review": ("2027-09-14", None),
            "physio-start": ("2027-09-14", None),
            "low-impact-activity": ("2027-10-12", None),
            "return-to-sport": ("2027-11-09", "2027-11-23"),
            "new-baseline": ("2028-02-29", "2028-08-31"),
            "big-toe-motion": ("2027-08-31", None),
            "protected-weight-bearing": ("2027-09-07", None),
            "full-weight-bearing": ("2027-09-28", None),
            "crutches-weaned": ("2027-09-21", None),
            "full-range-of-motion": ("2027-10-12", None),
        },
    },
}

SINGLE_DAY = {
    "wound-review": 14, "physio-start": 14, "low-impact-activity": 42, "big-toe-motion": 0,
    "protected-weight-bearing": 7, "full-weight-bearing": 28, "crutches-weaned": 21,
    "full-range-of-motion": 42,
}


def _iso(value):
    return value.isoformat() if value is not None else None


@functools.cache
def protocol(procedure: str):
    """Each built-in read once per run (reading all three files takes a few milliseconds)."""
    return find(procedure)


def plan(procedure: str, surgery: str) -> tl.Timeline:
    return tl.build(protocol(procedure), date.fromisoformat(surgery))


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("surgery", sorted(EXPECTED))
def test_phase_dates(surgery, procedure):
    timeline = plan(procedure, surgery)
    got = [(p.id, _iso(p.start_date), _iso(p.end_date)) for p in timeline.phases]
    want = [(pid, start, end) for pid, (start, end) in zip(PHASE_IDS, EXPECTED[surgery]["phases"])]
    assert got == want
    assert [(p.start_day, p.end_day) for p in timeline.phases] == [(0, 13), (14, 41), (42, 83), (84, None)]


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("surgery", sorted(EXPECTED))
def test_milestone_dates(surgery, procedure):
    timeline = plan(procedure, surgery)
    got = {m.id: (_iso(m.date), _iso(m.end_date)) for m in timeline.milestones}
    ids = SHARED_MILESTONES + EXTRA_MILESTONES[procedure]
    assert set(got) == set(ids)
    assert got == {i: EXPECTED[surgery]["milestones"][i] for i in ids}


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("surgery", sorted(EXPECTED))
def test_milestone_day_numbers(surgery, procedure):
    timeline = plan(procedure, surgery)
    by_id = {m.id: m for m in timeline.milestones}
    for mid, day in SINGLE_DAY.items():
        if mid in by_id:
            assert (by_id[mid].day, by_id[mid].end_day) == (day, None), mid
    assert (by_id["return-to-sport"].day, by_id["return-to-sport"].end_day) == (70, 84)
    # Day numbers and dates agree for the calendar-month window too.
    baseline = by_id["new-baseline"]
    start, end = EXPECTED[surgery]["milestones"]["new-baseline"]
    s = date.fromisoformat(surgery)
    assert baseline.day == (date.fromisoformat(start) - s).days
    assert baseline.end_day == (date.fromisoformat(end) - s).days


@pytest.mark.parametrize(
    ("surgery", "start_day", "end_day"),
    [("2028-02-29", 182, 365), ("2026-12-31", 181, 365), ("2026-03-01", 184, 365), ("2026-08-31", 181, 365)],
)
def test_new_baseline_day_numbers_by_hand(surgery, start_day, end_day):
    baseline = plan("fhl-release", surgery).milestone("new-baseline")
    assert (baseline.day, baseline.end_day) == (start_day, end_day)


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_milestones_are_in_date_order(procedure):
    timeline = plan(procedure, "2026-03-29")
    dates = [m.date for m in timeline.milestones]
    assert dates == sorted(dates)


# --- where a date falls ---------------------------------------------------------------------

# Surgery 2026-03-29 (European DST): literal dates for the boundary days.
BOUNDARIES = [
    ("2026-03-28", None),  # the day before surgery
    ("2026-03-29", "protect"),  # surgery day, day 0
    ("2026-04-11", "protect"),  # day 13
    ("2026-04-12", "mobilise"),  # day 14
    ("2026-05-09", "mobilise"),  # day 41
    ("2026-05-10", "return-to-activity"),  # day 42
    ("2026-06-20", "return-to-activity"),  # day 83
    ("2026-06-21", "build"),  # day 84
    ("2029-03-29", "build"),  # three years on: the last phase has no end
]


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize(("on", "phase_id"), BOUNDARIES)
def test_phase_on(procedure, on, phase_id):
    found = plan(procedure, "2026-03-29").phase_on(date.fromisoformat(on))
    assert (found.id if found else None) == phase_id


def test_phase_on_long_before_surgery_is_none():
    assert plan("fhl-release", "2026-03-29").phase_on(date(2025, 1, 1)) is None


def test_day_of_and_date_of():
    timeline = plan("fhl-release", "2028-02-29")
    assert timeline.day_of(date(2028, 2, 28)) == -1
    assert timeline.day_of(date(2028, 2, 29)) == 0
    assert timeline.day_of(date(2028, 3, 1)) == 1
    assert timeline.date_of(84).isoformat() == "2028-05-23"
    assert timeline.date_of(-1).isoformat() == "2028-02-28"


# Surgery 2026-03-01 (debridement): milestones at day 14 (wound-review, physio-start),
# 21 (crutches-weaned), 42 (two), 70–84 (return-to-sport), 2026-09-01..2027-03-01 (new-baseline).
@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2026-02-20", {"wound-review", "physio-start"}),  # before surgery: the first one
        ("2026-03-01", {"wound-review", "physio-start"}),
        ("2026-03-15", {"wound-review", "physio-start"}),  # on the day itself: still next
        ("2026-03-16", {"crutches-weaned"}),
        ("2026-03-22", {"crutches-weaned"}),
        ("2026-03-23", {"full-range-of-motion", "low-impact-activity"}),
        ("2026-05-09", {"return-to-sport"}),  # day 69: the window opens tomorrow
        ("2026-05-10", {"return-to-sport"}),  # day 70: the window opens
        ("2026-05-17", {"return-to-sport"}),  # day 77: the window is open
        ("2026-05-24", {"return-to-sport"}),  # day 84: its last day
        ("2026-05-25", {"new-baseline"}),  # day 85
        ("2026-12-25", {"new-baseline"}),  # inside the 6–12 month window
        ("2027-03-01", {"new-baseline"}),  # the window's last day
    ],
)
def test_next_milestone(on, expected):
    found = plan("arthroscopic-debridement", "2026-03-01").next_milestone(date.fromisoformat(on))
    assert found is not None
    assert found.id in expected


def test_next_milestone_none_after_the_last_window():
    assert plan("arthroscopic-debridement", "2026-03-01").next_milestone(date(2027, 3, 2)) is None


def test_next_milestone_fhl_day_zero():
    timeline = plan("fhl-release", "2026-03-01")
    assert timeline.next_milestone(date(2026, 2, 1)).id == "big-toe-motion"
    assert timeline.next_milestone(date(2026, 3, 1)).id == "big-toe-motion"
    assert timeline.next_milestone(date(2026, 3, 2)).id in {"wound-review", "physio-start"}


def test_milestone_lookup():
    timeline = plan("os-trigonum-excision", "2026-03-01")
    assert timeline.milestone("full-weight-bearing").date.isoformat() == "2026-03-29"
    assert timeline.milestone("no-such-milestone") is None


# --- today and planning ahead -----------------------------------------------------------------


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_surgery_today(procedure):
    today = date.today()
    timeline = tl.build(protocol(procedure), today)
    assert timeline.day_of(today) == 0
    assert timeline.phase_on(today).id == "protect"
    assert timeline.phases[0].start_date == today
    assert timeline.phases[0].end_date == today + timedelta(days=13)
    assert timeline.phase_on(today - timedelta(days=1)) is None


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_future_surgery_date(procedure):
    today = date.today()
    surgery = today + timedelta(days=30)
    timeline = tl.build(protocol(procedure), surgery)
    assert timeline.day_of(today) == -30
    assert timeline.phase_on(today) is None
    assert timeline.phases[0].start_date == surgery
    assert timeline.milestone("wound-review").date == surgery + timedelta(days=14)
    # Counting down: the next milestone is still ahead of surgery.
    assert timeline.next_milestone(today).date >= surgery


# --- the contract's JSON document -------------------------------------------------------------


def test_to_dict_matches_the_contract_shape():
    doc = tl.to_dict(plan("fhl-release", "2028-02-29"))
    json.dumps(doc)  # plain JSON types only
    assert {"patient", "procedure", "surgery_date", "phases", "milestones"} <= set(doc)
    assert doc["patient"] is None
    assert doc["procedure"]["id"] == "fhl-release"
    assert doc["procedure"]["name"] == "FHL tendon release"
    assert doc["surgery_date"] == "2028-02-29"

    phase_keys = {"id", "title", "start_day", "end_day", "start_date", "end_date", "weight_bearing", "instructions"}
    for phase in doc["phases"]:
        assert phase_keys <= set(phase)
        assert isinstance(phase["weight_bearing"], list) and phase["weight_bearing"]
        assert isinstance(phase["instructions"], list) and phase["instructions"]
    assert [(p["start_day"], p["end_day"], p["start_date"], p["end_date"]) for p in doc["phases"]] == [
        (0, 13, "2028-02-29", "2028-03-13"),
        (14, 41, "2028-03-14", "2028-04-10"),
        (42, 83, "2028-04-11", "2028-05-22"),
        (84, None, "2028-05-23", None),
    ]
    assert doc["phases"][0]["weight_bearing"] == ["toe-touch", "partial"]
    assert doc["phases"][3]["weight_bearing"] == ["full"]

    milestone_keys = {"id", "title", "day", "date", "end_day", "end_date"}
    by_id = {}
    for milestone in doc["milestones"]:
        assert milestone_keys <= set(milestone)
        by_id[milestone["id"]] = milestone
    assert [(by_id[i]["day"], by_id[i]["date"], by_id[i]["end_day"], by_id[i]["end_date"]) for i in (
        "big-toe-motion", "wound-review", "physio-start", "low-impact-activity", "return-to-sport", "new-baseline",
    )] == [
        (0, "2028-02-29", None, None),
        (14, "2028-03-14", None, None),
        (14, "2028-03-14", None, None),
        (42, "2028-04-11", None, None),
        (70, "2028-05-09", 84, "2028-05-23"),
        (182, "2028-08-29", 365, "2029-02-28"),
    ]


def test_to_dict_carries_the_patient():
    person = {"id": "ann", "name": "Ann"}
    doc = tl.to_dict(plan("fhl-release", "2026-03-01"), person)
    assert doc["patient"] == person


def test_activity_labels_say_when_a_gated_activity_opens_and_leave_out_one_that_never_does():
    from rehab.protocols import parse
    from rehab.protocols.loader import BUILTIN_DIR

    text = (BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8")
    plan = tl.build(find("fhl-release"), date(2026, 3, 1))
    labels = {p.id: plan.activity_labels(p) for p in plan.phases}
    assert labels["return-to-activity"][-1] == "sport from day 70"  # weeks 6-12 list it; day 70 opens it
    assert labels["build"][-1] == "sport"  # open from the phase's first day
    # A custom plan listing sport in weeks 2-6, long before its window: not printed there.
    import yaml

    doc = yaml.safe_load(text)
    doc["phases"][1]["activities"] = [*doc["phases"][1]["activities"], "sport"]
    custom = tl.build(parse(yaml.safe_dump(doc), "custom.yaml"), date(2026, 3, 1))
    assert "sport" not in " ".join(custom.activity_labels(custom.phases[1]))
