"""The effective plan (rehab.plan): each kind of change, overlaps, phase boundaries, moved
milestones, combined procedures, and the protocol's own plan when nothing was changed."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from rehab import deviations
from rehab.model import Adjustment, Entry
from rehab.plan import effective
from rehab.protocols import builtin_ids, find, find_combined
from rehab.timeline import build

SURGERY = date(2024, 2, 20)  # a leap year: day 9 is 29 Feb
OST = build(find("os-trigonum-excision"), SURGERY)
RECORDED = datetime(2024, 4, 5, 9, 0, tzinfo=timezone.utc)


def change(n: int, from_day: int, until_day: int | None = None, **what) -> Adjustment:
    """The n-th change recorded (ids and times in the order recorded)."""
    return Adjustment(n, what.pop("kind", "adjust"), from_day, until_day, created_at=RECORDED + timedelta(hours=n),
                      **what)


def test_weight_bearing_makes_the_level_the_most_allowed_and_is_never_behind():
    plan = effective(OST, [change(1, 0, 6, weight_bearing="none")])
    day3 = plan.on(3)
    assert (day3.weight_bearing, day3.most, day3.behind_checked) == (("none",), "none", False)
    assert day3.changed("weight_bearing").id == 1
    day7 = plan.on(7)  # the day after --until: the protocol again
    assert (day7.weight_bearing, day7.most, day7.behind_checked) == (("none", "toe-touch", "partial"), "partial", True)
    assert day7.changed("weight_bearing") is None


def test_weight_bearing_above_the_phase_opens_the_levels_up_to_it():
    plan = effective(OST, [change(1, 10, weight_bearing="full")])
    assert plan.on(10).weight_bearing == ("none", "toe-touch", "partial", "as-tolerated", "full")
    assert plan.on(90).weight_bearing == ("full",)  # the build phase allows full only


def test_boot_on_and_off():
    plan = effective(OST, [change(1, 7, 13, boot=False), change(2, 14, 20, boot=True)])
    assert [plan.on(d).boot for d in (6, 7, 13, 14, 20, 21)] == [True, False, False, True, True, False]


def test_allow_opens_an_activity_and_forbid_withholds_one():
    plan = effective(OST, [change(1, 42, allow=("sport",)), change(2, 0, 3, forbid=("walking",))])
    assert plan.on(41).activities == ("rest", "walking")
    assert plan.on(42).activities == ("rest", "walking", "low-impact", "sport")  # sport before day 70
    assert plan.on(2).activities == ("rest",)
    assert plan.on(4).activities == ("rest", "walking")
    # the activity-ahead rule reads the same plan
    assert deviations.activity_allowed(plan, "sport", OST.date_of(42))
    assert not deviations.activity_allowed(OST, "sport", OST.date_of(42))


def test_pain_ceiling_replaces_the_phase_ceiling():
    plan = effective(OST, [change(1, 0, 9, pain_ceiling=8)])
    assert [plan.on(d).pain_ceiling for d in (0, 9, 10, 14)] == [8, 8, 6, 5]


def test_overlapping_changes_the_later_recorded_wins_for_what_it_sets():
    first = change(1, 0, 20, weight_bearing="partial", pain_ceiling=5, allow=("low-impact",))
    second = change(2, 5, 10, weight_bearing="none", forbid=("low-impact",))
    plan = effective(OST, [first, second])
    assert (plan.on(4).most, plan.on(4).pain_ceiling, "low-impact" in plan.on(4).activities) == ("partial", 5, True)
    day7 = plan.on(7)
    assert (day7.most, day7.pain_ceiling, "low-impact" in day7.activities) == ("none", 5, False)
    assert day7.changed("weight_bearing") is second and day7.changed("pain_ceiling") is first
    assert day7.changes == (first, second)
    assert plan.on(11).most == "partial"
    # Recorded the other way round, the wider change wins on the shared days.
    reverse = effective(OST, [change(1, 5, 10, weight_bearing="none"), change(2, 0, 20, weight_bearing="partial")])
    assert reverse.on(7).most == "partial"


def test_ranges_at_phase_boundaries():
    # Phase 1 is days 0-13, phase 2 days 14-41.
    plan = effective(OST, [change(1, 10, 13, pain_ceiling=9), change(2, 14, boot=True)])
    assert [plan.on(d).pain_ceiling for d in (9, 10, 13, 14)] == [6, 9, 9, 5]
    assert [plan.on(d).boot for d in (13, 14, 41, 42, 400)] == [True, True, True, True, True]
    across = effective(OST, [change(1, 12, 15, weight_bearing="toe-touch")])
    assert [across.on(d).most for d in (11, 12, 13, 14, 15, 16)] == [
        "partial", "toe-touch", "toe-touch", "toe-touch", "toe-touch", "full"]
    assert across.on(14).phase.id == "mobilise"


def test_removed_changes_do_not_apply():
    removed = change(1, 0, weight_bearing="none")._replace(removed_at=RECORDED + timedelta(days=1))
    plan = effective(OST, [removed])
    assert plan.adjustments == ()
    assert plan.on(3).most == "partial"


def test_a_moved_milestone_sits_on_its_new_day_and_gates_on_it():
    plan = effective(OST, [change(1, 10, kind="move", milestone="wound-review"),
                           change(2, 42, 56, kind="move", milestone="return-to-sport")])
    wound = plan.milestone("wound-review")
    assert (wound.day, wound.date, wound.end_day) == (10, date(2024, 3, 1), None)
    sport = plan.milestone("return-to-sport")
    assert (sport.day, sport.end_day, sport.end_date) == (42, 56, date(2024, 4, 16))
    assert [m.day for m in plan.milestones] == sorted(m.day for m in plan.milestones)
    assert "sport" in plan.on(42).activities and "sport" not in effective(OST).on(42).activities
    assert plan.moved("wound-review").id == 1 and plan.moved("physio-start") is None
    # The missed-milestone rule reads the moved day: due by day 10 + 3 days' grace.
    flags = deviations.evaluate(plan, [], OST.date_of(14))
    assert [f.date for f in flags if f.rule == "missed-milestone"] == [OST.date_of(14)]
    assert not [f for f in deviations.evaluate(OST, [], OST.date_of(14)) if f.rule == "missed-milestone"]


def test_combined_procedure_plan_against_hand_written_expectations():
    both = build(find_combined(["os-trigonum-excision", "fhl-release"]), SURGERY)
    plan = effective(both, [change(1, 0, 6, weight_bearing="none")])
    expected = {  # day: (allowed, boot, activities, pain ceiling)
        0: (("none",), True, ("rest", "walking"), 6),
        7: (("toe-touch", "partial"), True, ("rest", "walking"), 6),
        14: (("partial", "as-tolerated", "full"), False, ("rest", "walking"), 5),
        42: (("as-tolerated", "full"), False, ("rest", "walking", "low-impact"), 4),
        70: (("as-tolerated", "full"), False, ("rest", "walking", "low-impact", "sport"), 4),
        84: (("full",), False, ("rest", "walking", "low-impact", "sport"), 3),
    }
    for day, want in expected.items():
        got = plan.on(day)
        assert (got.weight_bearing, got.boot, got.activities, got.pain_ceiling) == want, day
    assert [m.id for m in plan.milestones][:3] == ["big-toe-motion", "protected-weight-bearing", "wound-review"]


def test_six_week_sport_clearance_flags_before_and_none_after():
    entries = [Entry(OST.date_of(day), 2, "full", False, "sport") for day in range(42, 56)]
    as_of = OST.date_of(56)
    before = [f for f in deviations.evaluate(OST, entries, as_of) if f.rule == "activity-ahead"]
    # one flag for the run of 14 days (issue 15: episodes), dated on its first day
    assert [(OST.day_of(f.date), OST.day_of(f.until)) for f in before] == [(42, 55)]
    cleared = effective(OST, [change(1, 42, allow=("sport",), by="Dr Ng")])
    assert [f for f in deviations.evaluate(cleared, entries, as_of) if f.rule == "activity-ahead"] == []


def test_forbidden_activity_is_flagged_naming_the_change():
    plan = effective(OST, [change(1, 42, 48, forbid=("low-impact",), by="Dr Ng")])
    entry = Entry(OST.date_of(43), 1, "full", False, "low-impact")
    flags = [f for f in deviations.evaluate(plan, [entry], entry.date) if f.rule == "activity-ahead"]
    assert len(flags) == 1 and "changed by Dr Ng" in flags[0].message and "day 48" in flags[0].message


def test_weight_bearing_set_lower_is_never_behind_and_above_it_is_ahead():
    plan = effective(OST, [change(1, 14, 30, weight_bearing="partial", by="Mr Hester")])
    entries = [Entry(OST.date_of(20), 1, "toe-touch", False), Entry(OST.date_of(21), 1, "full", False)]
    flags = deviations.evaluate(plan, entries, OST.date_of(21))
    assert [(OST.day_of(f.date), f.rule) for f in flags if f.rule.startswith("weight-bearing")] == [
        (21, "weight-bearing-ahead")]
    ahead = next(f for f in flags if f.rule == "weight-bearing-ahead")
    assert "changed by Mr Hester" in ahead.message
    # Without the change, day 20 toe-touch is behind (phase 1 expected partial by day 13 + 3).
    assert any(f.rule == "weight-bearing-behind" for f in deviations.evaluate(OST, entries, OST.date_of(21)))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(builtin_ids()), st.integers(min_value=-5, max_value=420))
def test_with_no_changes_the_plan_is_the_protocols(protocol_id, day):
    timeline = build(find(protocol_id), SURGERY)
    plan = effective(timeline).on(day)
    phase = timeline.phase_of_day(day)
    if phase is None:
        assert plan is None
        return
    rule = phase.phase

    def open_on(activity):
        gate = {"sport": "return-to-sport", "low-impact": "low-impact-activity"}.get(activity)
        found = timeline.milestone(gate) if gate else None
        return found is None or day >= found.day

    assert plan.phase == phase
    assert set(plan.weight_bearing) == set(rule.weight_bearing.allowed)
    assert plan.most == rule.weight_bearing.most and plan.behind_checked
    assert plan.boot == rule.boot and plan.pain_ceiling == rule.pain_ceiling
    assert set(plan.activities) == {a for a in rule.activities if open_on(a)}
    assert plan.set_by == ()
    assert effective(timeline).milestones == timeline.milestones


LEVELS = ("none", "toe-touch", "partial", "as-tolerated", "full")
ACTIVITIES = ("rest", "walking", "low-impact", "sport")


@settings(max_examples=150, deadline=None)
@given(from_day=st.integers(0, 120), length=st.one_of(st.none(), st.integers(0, 60)), day=st.integers(0, 200),
       level=st.one_of(st.none(), st.sampled_from(LEVELS)), boot=st.one_of(st.none(), st.booleans()),
       allow=st.sets(st.sampled_from(ACTIVITIES), max_size=2), ceiling=st.one_of(st.none(), st.integers(0, 10)))
def test_a_change_sets_what_it_says_on_its_days_and_nothing_elsewhere(from_day, length, day, level, boot, allow,
                                                                        ceiling):
    until = None if length is None else from_day + length
    a = change(1, from_day, until, weight_bearing=level, boot=boot, allow=tuple(sorted(allow)), pain_ceiling=ceiling)
    got, protocol = effective(OST, [a]).on(day), effective(OST).on(day)
    if not (from_day <= day and (until is None or day <= until)):
        assert got == protocol
        return
    assert got.most == (level or protocol.most)
    assert got.behind_checked == (level is None)
    assert got.boot == (protocol.boot if boot is None else boot)
    assert got.pain_ceiling == (protocol.pain_ceiling if ceiling is None else ceiling)
    assert set(got.activities) == set(protocol.activities) | allow


def test_report_marks_entries_against_the_days_plan():
    from rehab.report import outside_plan

    plan = effective(OST, [change(1, 42, allow=("sport",)), change(2, 0, 6, weight_bearing="none")])
    assert outside_plan(plan, Entry(OST.date_of(43), 2, "full", False, "sport")) == []
    assert outside_plan(effective(OST), Entry(OST.date_of(43), 2, "full", False, "sport")) == ["activity"]
    assert outside_plan(plan, Entry(OST.date_of(3), 2, "partial", True, "walking")) == ["weight_bearing"]
    assert outside_plan(plan, Entry(OST.date_of(7), 2, "partial", True, "walking")) == []


def test_plan_day_reads_dates_days_and_weeks():
    import pytest

    from rehab.dates import plan_day
    from rehab.errors import RehabError

    leap = date(2024, 2, 28)
    assert plan_day("2024-03-01", leap) == 2  # across 29 Feb
    assert plan_day("1 Mar 2024", leap) == 2
    assert plan_day("day 0", leap) == 0 and plan_day("Week 3", leap) == 21 and plan_day("  day   9 ", leap) == 9
    assert plan_day("today", date(2026, 1, 31), today=date(2026, 1, 31)) == 0  # surgery today
    assert plan_day("2025-01-31", date(2024, 12, 31)) == 31  # a month end
    for bad in ("2024-02-27", "day -1", "week -1", "yesterday"):
        with pytest.raises(RehabError, match="before surgery"):
            plan_day(bad, leap, today=leap)
    with pytest.raises(RehabError, match="YYYY-MM-DD"):
        plan_day("03/04/2024", leap)
    with pytest.raises(RehabError):
        plan_day("fortnight 2", leap)
