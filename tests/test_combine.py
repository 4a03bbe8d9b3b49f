"""Combined procedures: the contract's rules phase by phase, against hand-written expectations."""

from __future__ import annotations

import copy

import pytest

from rehab.errors import RehabError
from rehab.protocols import find, find_combined
from rehab.protocols.combine import combine, combined_id
from rehab.protocols.models import Protocol
from rehab.protocols.schema import check


def _phase(pid, start, end, allowed, expected, boot, activities, ceiling, **more):
    return {"id": pid, "title": pid.title(), "start": start, "end": end, "instructions": [f"{pid} step"],
            "weight_bearing": {"allowed": allowed, "expected_by_end": expected}, "boot": boot,
            "activities": activities, "pain_ceiling": ceiling, **more}


def protocol(pid: str, phases: list[dict], milestones: list[dict] = (), **thresholds) -> Protocol:
    return check({
        "id": pid, "name": pid.upper(), "summary": f"{pid} summary.",
        "sources": [{"id": "shared", "title": "Shared source"}, {"id": f"{pid}-src", "title": f"{pid} source"}],
        "phases": phases, "milestones": list(milestones), "thresholds": thresholds,
    })


A = protocol("alpha", [
    _phase("early", "0 weeks", "2 weeks", ["none", "toe-touch", "partial"], "partial", True, ["rest", "walking"], 6,
           goals=["Heal", "Rest"], exercises=["Toes"]),
    _phase("late", "2 weeks", None, ["partial", "as-tolerated", "full"], "full", False,
           ["rest", "walking", "sport"], 4, goals=["Walk"]),
], [
    {"id": "check", "title": "Check", "at": "2 weeks", "confirm": False},
    {"id": "sport", "title": "Sport", "at": "10 weeks", "until": "12 weeks"},
    {"id": "alpha-only", "title": "Alpha only", "at": "1 week"},
], pain_spike=4, missed_log_days=2, fever_celsius=38.5)

B = protocol("beta", [
    _phase("early", "0 weeks", "2 weeks", ["toe-touch", "partial"], "toe-touch", False, ["rest"], 7,
           goals=["Rest", "Move the toe"], exercises=["Toes", "Glide"]),
    _phase("late", "2 weeks", None, ["as-tolerated", "full"], "as-tolerated", False,
           ["rest", "walking", "low-impact", "sport"], 3, goals=["Walk"]),
], [
    {"id": "check", "title": "Check (beta)", "at": "10 days", "until": "3 weeks", "confirm": True},
    {"id": "sport", "title": "Sport", "at": "8 weeks", "until": "13 weeks"},
], pain_spike=2, missed_log_days=5, fever_celsius=38.0)


def test_combined_phases_follow_the_contract_rules():
    both = combine([B, A])  # order does not matter
    early, late = both.phases
    assert both.id == "alpha+beta"
    assert early.weight_bearing.allowed == ["toe-touch", "partial"]  # both allow
    assert early.weight_bearing.expected_by_end == "toe-touch"  # the lower
    assert early.boot is True  # either expects it
    assert early.activities == ["rest"]  # both allow
    assert early.pain_ceiling == 7  # the higher
    assert early.goals == ["Heal", "Rest", "Move the toe"]  # all, each once
    assert early.exercises == ["Toes", "Glide"]
    assert early.instructions == ["early step"]
    assert late.weight_bearing.allowed == ["as-tolerated", "full"]
    assert late.weight_bearing.expected_by_end == "as-tolerated"
    assert late.activities == ["rest", "walking", "sport"]
    assert late.pain_ceiling == 4
    assert [s.id for s in both.sources] == ["shared", "alpha-src", "beta-src"]


def test_combined_milestones_take_the_later_dates_and_confirm_if_either_does():
    both = {m.id: m for m in combine([A, B]).milestones}
    assert set(both) == {"check", "sport", "alpha-only"}
    check = both["check"]
    # at: 2 weeks (alpha) is later than 10 days (beta); until: only beta has one, 3 weeks.
    assert (check.at.text, check.until.text, check.confirm) == ("2 weeks", "3 weeks", True)
    sport = both["sport"]
    assert (sport.at.text, sport.until.text) == ("10 weeks", "13 weeks")


def test_combined_thresholds_are_the_more_cautious_of_each():
    t = combine([A, B]).thresholds
    assert (t.pain_spike, t.missed_log_days, t.fever_celsius) == (2, 2, 38.0)


def test_the_combination_is_the_same_whatever_the_order_and_one_protocol_is_itself():
    assert combine([A, B]) == combine([B, A])
    assert combine([A]) is A
    assert combine([A, A]) is A
    assert combined_id(["os-trigonum-excision", "fhl-release", "fhl-release"]) == "fhl-release+os-trigonum-excision"


def test_builtin_combination_os_trigonum_with_fhl_release():
    both = find_combined(["os trigonum excision", "FHL release"])
    assert both.id == "fhl-release+os-trigonum-excision"
    assert find_combined("fhl-release+os-trigonum-excision") == both
    protect = both.phases[0]
    # Os trigonum allows none, FHL release does not: only the levels both allow.
    assert protect.weight_bearing.allowed == ["toe-touch", "partial"]
    ids = [m.id for m in both.milestones]
    assert "big-toe-motion" in ids and "protected-weight-bearing" in ids and "full-weight-bearing" in ids
    assert len(ids) == len(set(ids))
    fhl, ost = find("fhl-release"), find("os-trigonum-excision")
    for combined, p, q in zip(both.phases, fhl.phases, ost.phases):
        # every instruction of both, each once (one the other says in full is left out)
        assert set(combined.instructions) <= set(p.instructions) | set(q.instructions)
        assert all(any(_words(i) <= _words(kept) for kept in combined.instructions) for i in (*p.instructions, *q.instructions))
        assert len(combined.instructions) == len(set(combined.instructions))


def test_phases_that_change_on_different_days_are_refused_naming_the_boundary():
    shifted = copy.deepcopy(B.to_data())
    shifted["id"] = "gamma"
    shifted["phases"][0]["end"] = "3 weeks"
    shifted["phases"][1]["start"] = "3 weeks"
    with pytest.raises(RehabError, match=r"boundary 1: 'early' ends at 2 weeks in alpha, 'early' ends at 3 weeks in gamma"):
        combine([A, check(shifted)])


def test_a_protocol_with_more_phases_is_refused_at_the_first_extra_boundary():
    longer = copy.deepcopy(B.to_data())
    longer["id"] = "delta"
    longer["phases"][1]["end"] = "6 weeks"
    longer["phases"].append(_phase("last", "6 weeks", None, ["full"], "full", False, ["rest"], 3))
    with pytest.raises(RehabError, match=r"boundary 2: 'late' runs on with no end in alpha, 'late' ends at 6 weeks in delta"):
        combine([A, check(longer)])


def test_no_weight_bearing_level_in_common_is_refused():
    apart = copy.deepcopy(B.to_data())
    apart["id"] = "epsilon"
    apart["phases"][0]["weight_bearing"] = {"allowed": ["full"], "expected_by_end": "full"}
    with pytest.raises(RehabError, match="no weight-bearing level in common"):
        combine([A, check(apart)])


def test_unknown_procedure_in_a_combination_is_refused():
    with pytest.raises(RehabError, match="unknown procedure 'nonsense'"):
        find_combined(["fhl-release", "nonsense"])
    with pytest.raises(RehabError):
        find_combined("fhl-release+")


# Each threshold: (field, value in one protocol, value in the other, the more cautious one).
# Smaller flags sooner everywhere except the pain-rising look-back window: a longer window
# finds a lower earlier pain to rise from, so the LARGER window is the cautious one.
CAUTIOUS_TABLE = [
    ("pain_spike", 4, 2, 2),
    ("pain_rise", 3, 2, 2),
    ("pain_rising_entries", 2, 4, 2),
    ("pain_rising_within_days", 7, 14, 14),
    ("pain_not_settling_days", 5, 3, 3),
    ("severe_pain", 7, 9, 7),
    ("weight_bearing_grace_days", 0, 3, 0),
    ("missed_milestone_grace_days", 5, 1, 1),
    ("missed_log_days", 2, 5, 2),
    ("fever_celsius", 38.5, 37.8, 37.8),
]


def _early_late(ceiling: int, **phase_more) -> list[dict]:
    return [_phase("early", "0 weeks", "2 weeks", ["partial"], "partial", False, ["rest"], ceiling, **phase_more),
            _phase("late", "2 weeks", None, ["full"], "full", False, ["rest"], ceiling)]


@pytest.mark.parametrize(("field", "one", "other", "cautious"), CAUTIOUS_TABLE)
def test_each_combined_threshold_takes_its_truly_more_cautious_value(field, one, other, cautious):
    x = protocol("xray", _early_late(4), **{field: one})
    y = protocol("yank", _early_late(4), **{field: other})
    assert getattr(combine([x, y]).thresholds, field) == cautious
    assert getattr(combine([y, x]).thresholds, field) == cautious


def test_every_threshold_field_has_its_direction_decided():
    from dataclasses import fields

    from rehab.protocols.models import Thresholds
    assert sorted(f for f, *_ in CAUTIOUS_TABLE) == sorted(f.name for f in fields(Thresholds))


def test_a_phase_own_missed_log_days_takes_the_sooner_reminder():
    x = protocol("xray", _early_late(4, missed_log_days=4))
    y = protocol("yank", _early_late(4, missed_log_days=2))
    z = protocol("zulu", _early_late(4))
    assert combine([x, y]).phases[0].missed_log_days == 2
    assert combine([x, z]).phases[0].missed_log_days == 4  # only one sets it


def test_combined_longer_look_back_flags_a_rise_that_the_shorter_window_misses():
    """The behaviour behind the table: pain low 10 days ago, then raised twice. A 7-day window
    no longer sees the low day; the combined plan (7 and 14 days) must still flag it."""
    x = protocol("xray", _early_late(10), pain_rising_within_days=7)
    y = protocol("yank", _early_late(10), pain_rising_within_days=14)
    assert _rising(y) and _rising(combine([x, y])) and _rising(combine([y, x]))
    assert not _rising(x)


def _rising(plan: Protocol) -> list[int]:
    """The days pain-rising flags for: pain 1/10 on day 1, then 3/10 on days 9 and 10."""
    from datetime import date, timedelta

    from rehab.deviations import evaluate
    from rehab.model import Entry
    from rehab.timeline import build
    surgery = date(2026, 3, 1)
    entries = [Entry(date=surgery + timedelta(days=d), pain=p, weight_bearing="partial")
               for d, p in ((1, 1), (9, 3), (10, 3))]
    flags = evaluate(build(plan, surgery), entries, surgery + timedelta(days=10))
    return [(f.date - surgery).days for f in flags if f.rule == "pain-rising"]


def _words(text: str) -> set[str]:
    import re

    return set(re.findall(r"\w+", text.lower()))


def test_combined_advice_says_each_thing_once_keeping_the_fuller_wording():
    """Two 'Contact your surgical team at once...' bullets, the second naming one sign fewer,
    and milestone descriptions that repeated a sentence word for word."""
    plan = combine([find("os-trigonum-excision"), find("fhl-release")])
    for phase in plan.phases:
        for field in ("goals", "instructions", "exercises"):
            items = getattr(phase, field)
            for i, item in enumerate(items):
                assert not any(j != i and _words(item) <= _words(other) for j, other in enumerate(items)), (phase.id, item)
    first = plan.phases[0].instructions
    warnings = [i for i in first if i.startswith("Contact your surgical team at once")]
    assert len(warnings) == 1 and "cannot move your toes" in warnings[0]  # the FHL's longer list
    for m in plan.milestones:
        sentences = [s for s in (m.description or "").split(". ") if s]
        assert len(sentences) == len(set(sentences)), m.id
    # Nothing a protocol says is lost: every item of each is in the combination, or all its words are.
    for source in (find("os-trigonum-excision"), find("fhl-release")):
        for mine, theirs in zip(source.phases, plan.phases):
            for item in (*mine.goals, *mine.instructions, *mine.exercises):
                assert any(_words(item) <= _words(kept) for kept in (*theirs.goals, *theirs.instructions, *theirs.exercises)), item
