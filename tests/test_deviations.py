"""The deviation engine: each rule at its boundary, the compliant patient, ordering, windows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rehab import deviations, wording
from rehab.deviations import Flag, evaluate, flags_on, open_flags
from rehab.protocols import builtin_ids, find
from rehab.protocols.schema import check
from rehab.model import Entry
from rehab.timeline import build

SURGERY = date(2026, 3, 1)  # a Sunday: day 13 is Sat 14 Mar 2026


def protocol_dict(**thresholds) -> dict:
    """A small protocol with the built-ins' shape: four phases, a wound review to confirm,
    low-impact activity from 6 weeks (phase 2 already lists it, so only the milestone gates it)
    and a return-to-sport window from 10 weeks (phase 3 already lists sport)."""

    def phase(pid, start, end, allowed, expected, boot, activities, ceiling):
        return {
            "id": pid, "title": pid.title(), "start": start, "end": end, "instructions": ["Follow the plan."],
            "weight_bearing": {"allowed": allowed, "expected_by_end": expected},
            "boot": boot, "activities": activities, "pain_ceiling": ceiling,
        }

    return {
        "id": "test-plan",
        "name": "Test plan",
        "summary": "A protocol for the tests.",
        "sources": [{"id": "s", "title": "Source"}],
        "phases": [
            phase("protect", "0 weeks", "2 weeks", ["toe-touch", "partial"], "partial", True,
                  ["rest", "walking"], 6),
            phase("mobilise", "2 weeks", "6 weeks", ["partial", "as-tolerated", "full"], "full", False,
                  ["rest", "walking", "low-impact"], 5),
            phase("return", "6 weeks", "12 weeks", ["as-tolerated", "full"], "full", False,
                  ["rest", "walking", "low-impact", "sport"], 4),
            phase("build", "12 weeks", None, ["full"], "full", False,
                  ["rest", "walking", "low-impact", "sport"], 3),
        ],
        "milestones": [
            {"id": "wound-review", "title": "Wound check", "at": "2 weeks", "confirm": True},
            {"id": "low-impact-activity", "title": "Low-impact exercise", "at": "6 weeks"},
            {"id": "return-to-sport", "title": "Return to sport", "at": "10 weeks", "until": "12 weeks"},
        ],
        "thresholds": thresholds,
    }


def timeline(**thresholds):
    return build(check(protocol_dict(**thresholds)), SURGERY)


TL = timeline()


def on(day: int) -> date:
    return SURGERY + timedelta(days=day)


def entry(day: int, pain: int = 2, wb: str | None = None, **fields) -> Entry:
    """An entry that breaks no rule of the test plan unless told to."""
    return Entry(date=on(day), pain=pain, weight_bearing=wb or ("partial" if day < 14 else "full"), **fields)


def daily(first: int, last: int, skip=(), **fields) -> list[Entry]:
    return [entry(d, **fields) for d in range(first, last + 1) if d not in skip]


def days_of(flags, rule: str) -> list[int]:
    return [(f.date - SURGERY).days for f in flags if f.rule == rule]


# (rule, entries, as_of day, the days the rule must flag: [] = must not flag)
CASES = [
    # red-flag
    ("red-flag", [entry(5, symptoms=("fever",))], 5, [5]),
    ("red-flag", [entry(5)], 5, []),
    # pain-above-expected: ceiling 6 in days 0-13, 4 in days 42-83
    ("pain-above-expected", [entry(5, pain=7)], 5, [5]),
    ("pain-above-expected", [entry(5, pain=6)], 5, []),
    ("pain-above-expected", [entry(50, pain=5)], 50, [50]),
    ("pain-above-expected", [entry(50, pain=4)], 50, []),
    ("pain-above-expected", [entry(13, pain=6), entry(14, pain=6)], 14, [14]),
    # pain-rising: 2 or more above the lowest of the previous 7 days, on 2 entries in a row
    ("pain-rising", [entry(1, 2), entry(2, 3), entry(3, 4), entry(4, 4)], 4, [4]),
    ("pain-rising", [entry(1, 2), entry(2, 3), entry(3, 4), entry(4, 3)], 4, []),
    ("pain-rising", [entry(1, 2), entry(2, 3), entry(3, 4)], 3, []),
    # a plateau does not reset it: 2,2,3,3,4,4 flags on the second 4
    ("pain-rising", [entry(d, p) for d, p in zip(range(1, 7), (2, 2, 3, 3, 4, 4))], 6, [6]),
    ("pain-rising", [entry(d, p) for d, p in zip(range(1, 7), (2, 2, 3, 3, 3, 3))], 6, []),
    # 2 to 5 within a week
    ("pain-rising", [entry(1, 2), entry(4, 3), entry(6, 5), entry(7, 5)], 7, [7]),
    # one bad day that settles on the next entry: pain-spike's job, not this one's
    ("pain-rising", [entry(1, 2), entry(2, 2), entry(3, 5), entry(4, 2), entry(5, 2)], 5, []),
    # the low must be within the 7 days before: day 1's 2 is out of reach of day 9 and day 10
    ("pain-rising", [entry(1, 2), entry(9, 4), entry(10, 4)], 10, []),
    ("pain-rising", [entry(1, 2), entry(8, 4), entry(9, 4)], 9, []),
    ("pain-rising", [entry(2, 2), entry(8, 4), entry(9, 4)], 9, [9]),
    # one flag per episode; a new one after pain settles back
    ("pain-rising", [entry(d, p) for d, p in zip(range(1, 8), (2, 4, 5, 6, 7, 7, 7))], 7, [3]),
    ("pain-rising", [entry(d, p) for d, p in zip(range(1, 20), (1, 3, 3) + (1,) * 13 + (3, 3, 3))], 19, [3, 18]),
    # pain-spike: +3 on the previous entry, at most 7 days back
    ("pain-spike", [entry(1, 2), entry(2, 5)], 2, [2]),
    ("pain-spike", [entry(1, 2), entry(2, 4)], 2, []),
    ("pain-spike", [entry(1, 2), entry(8, 5)], 8, [8]),
    ("pain-spike", [entry(1, 2), entry(9, 5)], 9, []),
    ("pain-spike", [entry(1, 6), entry(2, 2), entry(3, 5)], 3, [3]),
    # weight-bearing-ahead: partial at most until day 13, full allowed from day 14
    ("weight-bearing-ahead", [entry(13, wb="full")], 13, [13]),
    ("weight-bearing-ahead", [entry(14, wb="full")], 14, []),
    ("weight-bearing-ahead", [entry(13, wb="as-tolerated")], 13, [13]),
    ("weight-bearing-ahead", [entry(13, wb="partial")], 13, []),
    # weight-bearing-behind: phase 1 expects partial by day 13, grace 3 -> checked from day 17
    ("weight-bearing-behind", [entry(17, wb="toe-touch")], 17, [17]),
    ("weight-bearing-behind", [entry(16, wb="toe-touch")], 16, []),
    ("weight-bearing-behind", [entry(17, wb="partial")], 17, []),
    ("weight-bearing-behind", [entry(10, wb="toe-touch")], 10, []),
    # ... phase 2 expects full by day 41 -> checked from day 45
    ("weight-bearing-behind", [entry(45, wb="as-tolerated")], 45, [45]),
    ("weight-bearing-behind", [entry(44, wb="as-tolerated")], 44, []),
    ("weight-bearing-behind", [entry(45, wb="full")], 45, []),
    # activity-ahead: sport listed from day 42 but gated by return-to-sport (day 70)
    ("activity-ahead", [entry(69, activity="sport")], 69, [69]),  # info: see the severity test
    ("activity-ahead", [entry(70, activity="sport")], 70, []),
    ("activity-ahead", [entry(20, activity="sport")], 20, [20]),
    # low-impact listed from day 14 but gated by low-impact-activity (day 42)
    ("activity-ahead", [entry(41, activity="low-impact")], 41, [41]),
    ("activity-ahead", [entry(42, activity="low-impact")], 42, []),
    ("activity-ahead", [entry(10, activity="low-impact")], 10, [10]),
    ("activity-ahead", [entry(1, activity="walking")], 1, []),
    # boot-off-early: only an explicit False in a boot phase
    ("boot-off-early", [entry(5, boot=False)], 5, [5]),
    ("boot-off-early", [entry(5, boot=None)], 5, []),
    ("boot-off-early", [entry(5, boot=True)], 5, []),
    ("boot-off-early", [entry(14, boot=False)], 14, []),
    # missed-milestone: wound review due day 14, grace 3 -> overdue (flagged) on day 18
    ("missed-milestone", daily(0, 30), 30, [18]),
    ("missed-milestone", daily(0, 30), 17, []),
    ("missed-milestone", daily(0, 30), 18, [18]),
    ("missed-milestone", daily(0, 16) + [entry(17, milestones=("wound-review",))] + daily(18, 30), 30, []),
    ("missed-milestone", daily(0, 17) + [entry(18, milestones=("wound-review",))] + daily(19, 30), 30, [18]),
    ("missed-milestone", [entry(10, milestones=("wound-review",))] + daily(11, 30), 30, []),
    # missed-log: 3 empty days in a row, from day 0, as_of itself never counts
    ("missed-log", daily(0, 20, skip=(5, 6)), 20, []),
    ("missed-log", daily(0, 20, skip=(5, 6, 7)), 20, [7]),
    ("missed-log", daily(0, 20, skip=range(5, 12)), 20, [7]),
    ("missed-log", daily(0, 9), 12, []),
    ("missed-log", daily(0, 9), 13, [12]),
    ("missed-log", [], 2, []),
    ("missed-log", [], 3, [2]),
    ("missed-log", daily(3, 20), 20, [2]),
    ("missed-log", daily(2, 20), 20, []),
]


CONTRACT_SEVERITY = {"red-flag": "urgent", "pain-severe": "urgent", "weight-bearing-behind": "info", "missed-log": "info"}


@pytest.mark.parametrize(
    ("rule", "entries", "as_of", "expected"),
    CASES,
    ids=[f"{c[0]}-{i}-{'fires' if c[3] else 'quiet'}" for i, c in enumerate(CASES)],
)
def test_rule_at_its_boundary(rule, entries, as_of, expected):
    flags = evaluate(TL, entries, on(as_of))
    assert days_of(flags, rule) == expected
    early_sport = {f for f in flags if f.rule == "activity-ahead" and "as tolerated" in f.message}  # info, tested below
    assert all(f.severity == CONTRACT_SEVERITY.get(rule, "warning") for f in flags if f.rule == rule and f not in early_sport)


def test_rules_are_the_contracts_in_its_order():
    assert list(deviations.RULES) == [
        "red-flag", "pain-severe", "pain-above-expected", "pain-not-settling", "pain-rising", "pain-spike",
        "weight-bearing-ahead",
        "weight-bearing-behind", "activity-ahead", "boot-off-early", "missed-milestone", "missed-log",
    ]


# --- the patient who follows the plan -------------------------------------------------


def compliant_log(tl, last_day: int = 90, keep_level: bool = True) -> list[Entry]:
    """Every day from surgery: pain settling and never above the phase's ceiling, weight-bearing
    from the lowest level the phase allows (or, with keep_level, the level already reached) up
    to what the phase expects by its end, the boot as the phase says, walking until the low-impact milestone,
    low-impact until the return-to-sport window opens, then sport; every milestone to confirm
    recorded on its day."""
    low_impact = tl.milestone("low-impact-activity")
    sport = tl.milestone("return-to-sport")
    confirm = {m.date: m.id for m in tl.milestones if m.milestone.confirm}
    entries, pain, level = [], 10, None
    for day in range(last_day + 1):
        when = on(day)
        dated = tl.phase_on(when)
        phase = dated.phase
        pain = min(pain if day % 7 else pain - 1, phase.pain_ceiling)
        allowed = sorted(phase.weight_bearing.allowed, key=deviations.vocab.wb_rank)
        target = allowed.index(phase.weight_bearing.expected_by_end or allowed[-1])
        start = max((i for i, lvl in enumerate(allowed) if keep_level and lvl == level), default=0)
        if dated.end_day is None:
            index = target
        else:
            progress = (day - dated.start_day) / max(1, dated.end_day - dated.start_day)
            index = max(start, round(start + progress * (target - start)))
        level = allowed[min(index, len(allowed) - 1)]
        activity = "walking"
        if low_impact and when >= low_impact.date:
            activity = "low-impact"
        if sport and when >= sport.date:
            activity = "sport"
        milestones = (confirm[when],) if when in confirm else ()
        entries.append(Entry(when, max(pain, 0), level, phase.boot, activity, (), milestones))
    return entries


@pytest.mark.parametrize("protocol_id", sorted(builtin_ids()))
def test_a_patient_who_follows_a_builtin_plan_gets_no_flag(protocol_id):
    tl = build(find(protocol_id), SURGERY)
    entries = compliant_log(tl)
    assert {e.weight_bearing for e in entries} >= {"partial", "full"}
    assert {e.activity for e in entries} == {"walking", "low-impact", "sport"}
    for day in range(91):
        flags = evaluate(tl, entries, on(day))
        assert flags == [], (day, [f.as_dict() for f in flags])


@pytest.mark.parametrize("protocol_id", sorted(builtin_ids()))
def test_starting_each_phase_at_its_lowest_level_is_never_a_warning(protocol_id):
    """Dropping back to the lowest level a new phase allows may be 'behind' the previous
    phase's expectation (info), never a warning or urgent flag."""
    tl = build(find(protocol_id), SURGERY)
    entries = compliant_log(tl, keep_level=False)
    for day in range(91):
        assert [f.as_dict() for f in evaluate(tl, entries, on(day)) if f.severity != "info"] == []


def test_the_compliant_log_would_be_flagged_if_it_slipped():
    """The walkthrough is a real check: one slip in the same log is caught."""
    tl = build(find("os-trigonum-excision"), SURGERY)
    entries = compliant_log(tl)
    entries[9] = Entry(on(9), entries[9].pain, "full", True, "walking")
    assert days_of(evaluate(tl, entries, on(90)), "weight-bearing-ahead") == [9]


# --- thresholds come from the protocol ------------------------------------------------


def test_changed_thresholds_change_the_flags():
    spiky = [entry(1, 2), entry(2, 5), entry(3, 2), entry(4, 7)]
    gappy = daily(0, 30, skip=range(5, 10))  # 5 empty days
    assert days_of(evaluate(TL, spiky, on(4)), "pain-spike") == [2, 4]
    assert days_of(evaluate(TL, gappy, on(30)), "missed-log") == [7]
    tuned = timeline(pain_spike=5, missed_log_days=7)
    assert days_of(evaluate(tuned, spiky, on(4)), "pain-spike") == [4]
    assert days_of(evaluate(tuned, gappy, on(30)), "missed-log") == []
    assert days_of(evaluate(tuned, daily(0, 30, skip=range(5, 12)), on(30)), "missed-log") == [11]


def test_changed_grace_days_move_the_boundaries():
    late = timeline(weight_bearing_grace_days=0, missed_milestone_grace_days=0, pain_rising_within_days=2)
    assert days_of(evaluate(late, [entry(14, wb="toe-touch")], on(14)), "weight-bearing-behind") == [14]
    assert days_of(evaluate(late, daily(0, 20), on(20)), "missed-milestone") == [15]
    rising = [entry(1, 2), entry(2, 3), entry(4, 4), entry(5, 4)]
    assert days_of(evaluate(late, rising, on(5)), "pain-rising") == []
    assert days_of(evaluate(TL, rising, on(5)), "pain-rising") == [5]


def test_fever_threshold_is_the_protocols():
    fever = [entry(1, symptoms=("fever",))]
    assert [f.rule for f in evaluate(TL, fever, on(1))] == ["red-flag"]
    assert "a temperature of 38.0 °C or more" in evaluate(TL, fever, on(1))[0].message
    assert "a temperature of 38.6 °C or more" in evaluate(timeline(fever_celsius=38.6), fever, on(1))[0].message


# --- what the messages say --------------------------------------------------------------


def red_flag(*symptoms: str) -> Flag:
    (flag,) = [f for f in evaluate(TL, [entry(4, symptoms=symptoms)], on(4)) if f.rule == "red-flag"]
    return flag


@pytest.mark.parametrize("symptom", sorted(deviations.vocab.SYMPTOMS))
def test_every_red_flag_says_what_to_do(symptom):
    flag = red_flag(symptom)
    sign, meaning, emergency = deviations.vocab.SIGNS[symptom]
    assert flag.severity == "urgent" and flag.subject == symptom
    assert symptom.replace("-", " ") in flag.message
    assert sign[1:] in flag.message and meaning in flag.message
    assert "surgical team" in flag.message
    assert (f"Call emergency services now ({wording.EMERGENCY_NUMBERS})" in flag.message) is emergency


def test_red_flag_is_one_flag_per_entry_naming_each_symptom():
    flag = red_flag("chest-pain", "calf-pain")
    assert flag.subject == "calf-pain,chest-pain"
    assert "calf pain and chest pain" in flag.message
    assert "emergency" in flag.message and "surgical team" in flag.message
    assert "can be a sign of" in flag.message


def test_weight_bearing_ahead_cites_plan_allowed_level_and_phase_end():
    tl = build(find("os-trigonum-excision"), SURGERY)
    flags = evaluate(tl, [Entry(on(9), 3, "full", True, "walking")], on(9))
    (flag,) = [f for f in flags if f.rule != "missed-log"]
    assert flag.message == (
        "Day 9: full weight-bearing logged; your Os trigonum excision plan allows partial "
        "weight-bearing in the boot until day 13 (Sat 14 Mar 2026). Lasted 1 entry (day 9) so far."
    )


@pytest.mark.parametrize(
    ("entries", "as_of", "rule", "cited"),
    [
        ([entry(5, pain=8)], 5, "pain-above-expected", ["Day 5", "6/10", "day 13 (Sat 14 Mar 2026)"]),
        ([entry(1, 2), entry(2, 3), entry(3, 4), entry(4, 4)], 4, "pain-rising",
         ["Day 4", "low of 2/10 (day 1)", "2 entries in a row (4, 4/10)"]),
        ([entry(1, 2), entry(2, 6)], 2, "pain-spike", ["Day 2", "from 2/10 on day 1", "6/10"]),
        ([entry(20, wb="toe-touch")], 20, "weight-bearing-behind",
         ["Day 20", "toe-touch", "partial weight-bearing by day 13 (Sat 14 Mar 2026)"]),
        ([entry(60, activity="sport")], 60, "activity-ahead", ["Day 60", "sport from day 70 (Sun 10 May 2026)"]),
        ([entry(20, activity="sport")], 20, "activity-ahead", ["until day 41", "sport from day 70"]),
        ([entry(3, boot=False)], 3, "boot-off-early", ["Day 3", "boot", "until day 13"]),
        (daily(0, 20), 20, "missed-milestone",
         ["Day 18", "Wound check", "day 14 (Sun 15 Mar 2026)", "--milestone wound-review"]),
        ([], 5, "missed-log", ["Day 2", "3 days", "day 0 (Sun 1 Mar 2026)"]),
    ],
)
def test_messages_cite_days_dates_and_the_plan(entries, as_of, rule, cited):
    (flag,) = [f for f in evaluate(TL, entries, on(as_of)) if f.rule == rule]
    for text in cited:
        assert text in flag.message
    if rule not in ("missed-log",):
        assert "Test plan" in flag.message


def test_messages_never_diagnose():
    flags = evaluate(TL, [entry(4, pain=9, symptoms=tuple(deviations.vocab.SYMPTOMS))], on(4))
    for flag in flags:
        assert "you have" not in flag.message.lower()


# --- semantics of the smaller cases -------------------------------------------------------


def test_sport_is_not_gated_without_a_return_to_sport_milestone():
    data = protocol_dict()
    data["milestones"] = [m for m in data["milestones"] if m["id"] != "return-to-sport"]
    tl = build(check(data), SURGERY)
    assert days_of(evaluate(tl, [entry(50, activity="sport")], on(50)), "activity-ahead") == []
    assert days_of(evaluate(TL, [entry(50, activity="sport")], on(50)), "activity-ahead") == [50]


def test_behind_never_asks_for_more_than_the_phase_allows():
    data = protocol_dict()
    data["phases"][2]["weight_bearing"] = {"allowed": ["partial", "as-tolerated"], "expected_by_end": "partial"}
    tl = build(check(data), SURGERY)
    assert days_of(evaluate(tl, [entry(50, wb="as-tolerated")], on(50)), "weight-bearing-behind") == []
    assert days_of(evaluate(tl, [entry(50, wb="partial")], on(50)), "weight-bearing-behind") == [50]


def test_missed_milestone_key_carries_the_milestone():
    (flag,) = [f for f in evaluate(TL, daily(0, 20), on(20)) if f.rule == "missed-milestone"]
    assert flag.subject == "wound-review"
    assert flag.key == (on(18).isoformat(), "missed-milestone", "wound-review")


# --- evaluate, flags_on, open_flags -------------------------------------------------------


def test_evaluate_ignores_entries_after_as_of():
    entries = daily(0, 5) + [entry(6, 9, symptoms=("fever",))]
    assert evaluate(TL, entries, on(5)) == []
    assert {f.rule for f in evaluate(TL, entries, on(6))} == {"red-flag", "pain-above-expected", "pain-spike"}


def test_evaluate_accepts_entries_in_any_order():
    entries = [entry(1, 2), entry(2, 3), entry(3, 4), entry(4, 8, boot=False)]
    shuffled = [entries[2], entries[0], entries[3], entries[1]]
    assert evaluate(TL, shuffled, on(10)) == evaluate(TL, entries, on(10))
    assert days_of(evaluate(TL, shuffled, on(10)), "pain-rising") == [4]


def test_flags_are_oldest_first_and_urgent_first_on_a_day():
    entries = [entry(1, 2), entry(2, 9, boot=False, symptoms=("fever",)), entry(4, 2)]
    entries.append(entry(9, 2, symptoms=("bleeding",)))
    flags = evaluate(TL, entries, on(10))
    assert [(f.date - SURGERY).days for f in flags] == [2, 2, 2, 2, 7, 9]
    assert [f.rule for f in flags] == [
        "red-flag", "pain-above-expected", "pain-spike", "boot-off-early", "missed-log", "red-flag",
    ]


def test_flags_on_gives_that_days_flags_urgent_first():
    entries = [entry(1, 8), entry(2, 8, boot=False, symptoms=("calf-pain",))]
    flags = flags_on(TL, entries, on(2))
    # the pain-above-expected episode began on day 1 and goes on: log shows it on day 2 too
    assert [f.rule for f in flags] == ["red-flag", "pain-severe", "pain-above-expected", "boot-off-early"]
    assert [(f.date - SURGERY).days for f in flags] == [2, 2, 1, 2]
    assert "Lasted 2 entries over 2 days (days 1–2) so far." in flags[2].message


def flag(day: int, rule: str = "pain-spike", severity: str = "warning", subject: str = "") -> Flag:
    return Flag(on(day), rule, severity, "message", subject)


def test_open_flags_leaves_out_acknowledged_and_old_flags():
    flags = [
        flag(33), flag(34), flag(40), flag(40, "boot-off-early"),
        flag(27, "red-flag", "urgent", "fever"), flag(26, "red-flag", "urgent", "fever"),
    ]
    shown = open_flags(flags, {flag(40, "boot-off-early").key}, on(40))
    # red flags stay until acknowledged, however old
    assert shown == [flag(27, "red-flag", "urgent", "fever"), flag(26, "red-flag", "urgent", "fever"),
                     flag(40), flag(34)]
    assert open_flags(flags, set(), on(40), window_days=8)[-1] == flag(33)
    assert open_flags([flag(41)], set(), on(40)) == []


def test_a_missed_milestone_stays_open_until_recorded_or_acknowledged():
    """A wound check nobody recorded once left `today` after 7 days, unresolved."""
    missed = flag(19, "missed-milestone", "warning", "wound-review")
    assert open_flags([missed], set(), on(50)) == [missed]
    assert open_flags([missed], set(), on(50), recorded={"wound-review"}) == []
    assert open_flags([missed], {missed.key}, on(50)) == []
    assert open_flags([missed], set(), on(50), discharged_on=on(45)) == []
    assert open_flags([flag(19)], set(), on(50), recorded={"wound-review"}) == []  # others still leave after 7 days


def test_open_flags_puts_urgent_first_then_newest():
    flags = [flag(38, "missed-log", "info", "x"), flag(39), flag(37, "red-flag", "urgent", "fever"), flag(40)]
    assert [(f.date - SURGERY).days for f in open_flags(flags, set(), on(40))] == [37, 40, 39, 38]


def test_flag_key_and_dict():
    f = Flag(on(3), "red-flag", "urgent", "Call.", "fever")
    assert f.key == ("2026-03-04", "red-flag", "fever")
    assert f.as_dict() == {"date": "2026-03-04", "rule": "red-flag", "severity": "urgent",
                           "message": "Call.", "subject": "fever", "until": None, "corrected": False}


@pytest.mark.parametrize("protocol_id", ["fhl-release", "arthroscopic-debridement"])
def test_less_weight_than_the_first_phase_allows_is_never_a_deviation(protocol_id):
    """Non-weight-bearing on days 0-2 is below the first phase's allowed set: the safe side,
    so no flag of any severity (behind applies only after a phase's end and its grace)."""
    tl = build(find(protocol_id), SURGERY)
    first = tl.phases[0]
    assert "none" not in first.phase.weight_bearing.allowed  # really below the allowed set
    entries = [Entry(date=on(day), pain=2, weight_bearing="none", boot=first.phase.boot)
               for day in range(3)]
    for day in range(3):
        assert [f.as_dict() for f in evaluate(tl, entries, on(day))] == []
    # The same level logged a day past the first phase's end and grace is behind (info only).
    late = on(first.end_day + tl.protocol.thresholds.weight_bearing_grace_days + 1)
    flags = evaluate(tl, [*entries, Entry(date=late, pain=2, weight_bearing="none")], late)
    assert {(f.rule, f.severity) for f in flags if f.rule != "missed-log"} == {("weight-bearing-behind", "info")}


@pytest.mark.parametrize("day, severity", [
    (20, "warning"), (41, "warning"),     # before week 6: against the plan
    (42, "info"), (69, "info"),           # week 6 to the window: earlier than usual, as tolerated
    (70, None),                           # the return-to-sport window: allowed
])
def test_sport_from_week_six_before_its_window_is_info(day, severity):
    flags = [f for f in evaluate(TL, [entry(day, activity="sport")], on(day)) if f.rule == "activity-ahead"]
    assert [f.severity for f in flags] == ([severity] if severity else [])
    if severity == "info":
        assert "Earlier than usual; as tolerated." in flags[0].message


def test_early_sport_and_earlier_sport_are_separate_episodes():
    flags = evaluate(TL, daily(40, 43, activity="sport"), on(43))
    assert [(days_of([f], "activity-ahead"), f.severity) for f in flags if f.rule == "activity-ahead"] == [
        ([40], "warning"), ([42], "info")]


def test_a_red_flag_with_several_signs_of_one_meaning_says_it_once():
    flag = red_flag("calf-pain", "calf-swelling", "leg-warmth", "chest-pain", "breathlessness")
    assert flag.message.count("DVT") == 1 and flag.message.count("blood clot in the lung") == 1
    assert "Calf pain, calf swelling and a warm leg can be signs of a blood clot in the leg (DVT)." in flag.message
    # chest pain: emergency services first
    assert flag.message.index("Call emergency services now") < flag.message.index("tell your surgical team")
