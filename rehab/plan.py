"""The patient's own plan: their protocol(s) with the changes their surgical team recorded.
Pure: no I/O.

`effective(timeline, adjustments)` is the one place the changes are applied; every reader
(the deviation rules, today, the printed plan, the calendar, reports) reads the Plan it
returns. A Plan is a Timeline whose milestones sit on their moved dates, so whatever reads a
timeline reads the patient's own plan; `Plan.on(day)` says what the plan is for one day.

The contract's rules: an `adjust` applies to its days (from_day..until_day, inclusive; no
until: to the end of the plan). `weight_bearing` becomes the most allowed (a level above it
is ahead; at or below it is never behind), `boot` says whether the boot is expected,
`allow`/`forbid` open or withhold activities, `pain_ceiling` replaces the phase's ceiling. A
`move` gives one milestone a new day, or window. Where two changes cover one day, the one
recorded later wins for what it sets (an activity is "set" by the change that allows or
forbids it). Removed changes do not apply. Changes apply to their days whenever they were
recorded: flags are always computed against the plan as it stands now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

from rehab import vocab
from rehab.errors import RehabError
from rehab.model import Adjustment
from rehab.timeline import ACTIVITY_GATES, DatedMilestone, DatedPhase, Timeline, stepwise


class DayPlan(NamedTuple):
    """What the plan says for one day after surgery."""

    phase: DatedPhase
    weight_bearing: tuple[str, ...]  # the levels allowed, least first
    most: str  # the most weight-bearing allowed
    expected: str | None  # the phase's expected_by_end, at most `most`
    behind_checked: bool  # False where a change set the weight-bearing: never behind then
    boot: bool  # the boot expected
    activities: tuple[str, ...]  # allowed that day, in vocabulary order
    pain_ceiling: int
    # What a change set that day, and which change set it: "weight_bearing", "boot",
    # "pain_ceiling", and "activity:<name>" for an activity allowed or forbidden.
    set_by: tuple[tuple[str, Adjustment], ...] = ()

    def changed(self, what: str) -> Adjustment | None:
        """The change that set `what` on this day, or None where the protocol's value holds."""
        return next((a for key, a in self.set_by if key == what), None)

    @property
    def changes(self) -> tuple[Adjustment, ...]:
        """The changes that set something on this day, each once, in the order recorded."""
        seen: dict[int | None, Adjustment] = {}
        for _, a in self.set_by:
            seen.setdefault(id(a), a)
        return tuple(sorted(seen.values(), key=_recorded))

    def as_dict(self) -> dict:
        """`today --json`'s "plan"."""
        return {"weight_bearing": list(self.weight_bearing), "boot": self.boot,
                "activities": list(self.activities), "pain_ceiling": self.pain_ceiling}


class PhaseChange(NamedTuple):
    """A stretch of a phase's days on which a change makes the plan differ from the protocol."""

    what: str  # "weight_bearing", "boot", "activity" or "pain_ceiling"
    start_day: int
    end_day: int | None  # inclusive; None: to the end of an open-ended phase
    value: str | bool | int  # the most weight-bearing, the boot, the ceiling; an activity: allowed
    change: Adjustment  # the change that sets it (the later one, where two cover the day)
    activity: str | None = None  # what="activity": which


# The order a phase's changes are said in: as its table's columns run.
CHANGE_ORDER = ("weight_bearing", "boot", "activity", "pain_ceiling")


def _activity_rank(activity: str | None) -> int:
    return vocab.ACTIVITIES.index(activity) if activity in vocab.ACTIVITIES else len(vocab.ACTIVITIES)


def _recorded(a: Adjustment):
    return (a.created_at is None, a.created_at or 0, a.id or 0)


@dataclass(frozen=True)
class Plan(Timeline):
    """A timeline with a patient's changes: milestones on their moved dates, and `on(day)`."""

    adjustments: tuple[Adjustment, ...] = ()  # in force, in the order recorded

    def on(self, day: int) -> DayPlan | None:
        """The plan for day N; None before surgery."""
        return self._day_plan(day)

    def on_date(self, on: date) -> DayPlan | None:
        return self._day_plan(self.day_of(on))

    @cached_property
    def turns(self) -> list[int]:
        """The days on which the day plan can change: phase changes, milestones (activity
        gates), and each change's first day and the day after its last."""
        days = set(self.phase_turns) | {m.day for m in self.milestones}
        for a in self.adjustments:
            if a.kind == "adjust":
                days.add(a.from_day)
                if a.until_day is not None:
                    days.add(a.until_day + 1)
        return sorted(days)

    @cached_property
    def _day_plan(self) -> Callable[[int], DayPlan | None]:
        return stepwise(self._compute, self.turns)

    def _compute(self, day: int) -> DayPlan | None:
        phase = self.phase_of_day(day)
        if phase is None:
            return None
        rule = phase.phase
        on = self.date_of(day)
        allowed = list(rule.weight_bearing.allowed)
        most, boot, ceiling = rule.weight_bearing.most, rule.boot, rule.pain_ceiling
        activities = {a for a in rule.activities if self._past_gate(a, on)}
        set_by: dict[str, Adjustment] = {}
        for a in self.adjustments:  # in the order recorded: a later one overrides
            if a.kind != "adjust" or not covers(a, day):
                continue
            if a.weight_bearing is not None:
                set_by["weight_bearing"] = a
            if a.boot is not None:
                set_by["boot"] = a
            if a.pain_ceiling is not None:
                set_by["pain_ceiling"] = a
            for activity in (*a.allow, *a.forbid):
                set_by["activity:" + activity] = a
        checked = "weight_bearing" not in set_by
        if not checked:
            most = set_by["weight_bearing"].weight_bearing
            low = min(*(vocab.wb_rank(level) for level in allowed), vocab.wb_rank(most))
            allowed = list(vocab.WEIGHT_BEARING[low:vocab.wb_rank(most) + 1])
        if "boot" in set_by:
            boot = set_by["boot"].boot
        if "pain_ceiling" in set_by:
            ceiling = set_by["pain_ceiling"].pain_ceiling
        for key, a in set_by.items():
            if key.startswith("activity:"):
                activity = key.removeprefix("activity:")
                (activities.discard if activity in a.forbid else activities.add)(activity)
        expected = rule.weight_bearing.expected_by_end
        if expected is not None and vocab.wb_rank(expected) > vocab.wb_rank(most):
            expected = most
        return DayPlan(phase, tuple(sorted(allowed, key=vocab.wb_rank)), most, expected, checked, boot,
                       tuple(x for x in vocab.ACTIVITIES if x in activities), ceiling, tuple(set_by.items()))

    def activity_labels(self, phase: DatedPhase) -> list[str]:
        """A phase's activities as the patient's plan has them: 'sport from day 42' where
        the plan opens one after the phase starts (a gate, or a change), none it never opens."""
        last = phase.end_day if phase.end_day is not None else max([phase.start_day, *self.turns])
        days = [phase.start_day, *(d for d in self.turns if phase.start_day < d <= last)]
        labels = []
        for activity in vocab.ACTIVITIES:
            first = next((d for d in days if activity in self.on(d).activities), None)
            if first is not None:
                labels.append(activity if first == phase.start_day else f"{activity} from day {first}")
        return labels

    def _past_gate(self, activity: str, on: date) -> bool:
        """Sport waits for the return-to-sport window, low-impact activity for its milestone,
        where the plan has them (on their moved dates, if moved)."""
        gate = self.milestone(ACTIVITY_GATES.get(activity, ""))
        return gate is None or on >= gate.date

    def changes_in(self, phase: DatedPhase, what: str) -> list[Adjustment]:
        """The changes in force that set `what` ("weight_bearing", "boot", "pain_ceiling") on
        some day of a phase, in the order recorded."""
        end = phase.end_day
        return [a for a in self.adjustments if a.kind == "adjust" and getattr(a, what) is not None
                and (end is None or a.from_day <= end)
                and (a.until_day is None or a.until_day >= phase.start_day)]

    def phase_changes(self, phase: DatedPhase) -> list[PhaseChange]:
        """Where, within a phase, the patient's changes make the plan differ from the protocol
        (the later change wins where two cover a day, as for every reader): each stretch of
        days once, in CHANGE_ORDER, then by day. A change that sets what the protocol already
        says (the boot, in a boot phase) is not a difference and is left out."""
        turns = [d for d in self.turns if phase.start_day < d and (phase.end_day is None or d <= phase.end_day)]
        starts = [phase.start_day, *turns]
        ends = [*(d - 1 for d in turns), phase.end_day]
        found: list[PhaseChange] = []
        for start, end in zip(starts, ends):
            day, protocol = self.on(start), self._protocol.on(start)
            for key, change in day.set_by:
                what, _, activity = key.partition(":")
                value, before = {
                    "weight_bearing": (day.most, protocol.most),
                    "boot": (day.boot, protocol.boot),
                    "pain_ceiling": (day.pain_ceiling, protocol.pain_ceiling),
                    "activity": (activity in day.activities, activity in protocol.activities),
                }[what]
                if value == before:
                    continue
                same = next((i for i, f in enumerate(found) if (f.what, f.activity, f.value) == (what, activity or None, value)
                             and f.change is change and f.end_day == start - 1), None)
                if same is not None:
                    found[same] = found[same]._replace(end_day=end)
                else:
                    found.append(PhaseChange(what, start, end, value, change, activity or None))
        return sorted(found, key=lambda f: (CHANGE_ORDER.index(f.what), _activity_rank(f.activity), f.start_day))

    @cached_property
    def _protocol(self) -> Plan:
        """This plan without the changes to what a day allows (moved milestones kept: they
        open activities on their new days, which is the protocol's own rule)."""
        return Plan(self.protocol, self.surgery_date, self.phases, self.milestones,
                    tuple(a for a in self.adjustments if a.kind == "move"))

    def moved(self, milestone_id: str) -> Adjustment | None:
        """The change that moved a milestone, if one did."""
        return self._moves.get(milestone_id)

    @cached_property
    def _moves(self) -> dict[str, Adjustment]:
        return {a.milestone: a for a in self.adjustments if a.kind == "move" and a.milestone}


# What a change can set, as the export file's keys name it (`plan adjust` names its options).
SETTINGS = "weight_bearing, boot, allow, forbid or pain_ceiling"


def check_change(change: Adjustment, settings: str = SETTINGS) -> None:
    """A change as every way of recording one makes it (`plan adjust|move`, import): on day 0
    or later, ending no earlier than it starts; an adjust sets something, and never both
    allows and forbids one activity. `settings` names, in a refusal, what can be set."""
    if change.from_day < 0:
        raise RehabError(f"day {change.from_day} is before surgery: a plan starts on day 0")
    if change.until_day is not None and change.until_day < change.from_day:
        raise RehabError(f"its last day ({change.until_day}) is before its first ({change.from_day})")
    sets = (change.weight_bearing is not None or change.boot is not None or change.allow or change.forbid
            or change.pain_ceiling is not None)
    if change.kind == "move":
        if sets:  # `plan move` gives a day and nothing else; the plan would ignore the rest
            raise RehabError("a move gives its milestone a new day and sets nothing else")
        return
    if change.milestone is not None:
        raise RehabError("an adjust names no milestone (a move does)")
    both = [a for a in change.allow if a in change.forbid]
    if both:
        raise RehabError(f"{both[0]} is both allowed and forbidden: give it once")
    if not sets:
        raise RehabError(f"a change sets something: give {settings}")


def covers(a: Adjustment, day: int) -> bool:
    return a.from_day <= day and (a.until_day is None or day <= a.until_day)


def effective(timeline: Timeline, adjustments: Iterable[Adjustment] = ()) -> Plan:
    """The patient's own plan: `timeline` (built from their protocol or protocols) with the
    changes in force (removed ones are left out), in the order given (the order recorded)."""
    if isinstance(timeline, Plan):
        timeline = base(timeline)
    in_force = tuple(a for a in adjustments if a.in_force)
    moves = {a.milestone: a for a in in_force if a.kind == "move" and a.milestone}
    milestones = []
    for m in timeline.milestones:
        move = moves.get(m.id)
        if move is not None:
            end = move.until_day
            m = DatedMilestone(m.milestone, move.from_day, timeline.date_of(move.from_day),
                               end, timeline.date_of(end) if end is not None else None)
        milestones.append(m)
    milestones.sort(key=lambda m: (m.day, m.end_day or m.day))
    return Plan(timeline.protocol, timeline.surgery_date, timeline.phases, tuple(milestones), in_force)


def base(plan: Timeline) -> Timeline:
    """The protocol's own timeline, without the patient's changes."""
    from rehab import timeline as tl

    return tl.build(plan.protocol, plan.surgery_date)


def as_plan(timeline: Timeline) -> Plan:
    """A timeline read as a plan (a plain timeline is a plan with no changes)."""
    return timeline if isinstance(timeline, Plan) else effective(timeline)
