"""A protocol and a surgery date become dated phases and milestones. Pure: no I/O.

Day 0 is the surgery date. A phase "a–b weeks" covers days 7a … 7b−1; a milestone window
"10–12 weeks" runs from day 70 to day 84. Month offsets use calendar months.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple, TypeVar

from rehab.protocols.models import Milestone, Phase, Protocol

T = TypeVar("T")


def stepwise(of_day: Callable[[int], T], turns: Iterable[int]) -> Callable[[int], T]:
    """`of_day` as a lookup, for a function of the day that can change only on the given days:
    it is worked out once for each stretch between them (and once for the days before the
    first), then each call is a binary search."""
    days = sorted(set(turns))
    values = [of_day(days[0] - 1 if days else 0)] + [of_day(day) for day in days]
    return lambda day: values[bisect_right(days, day)]


class DatedPhase(NamedTuple):
    phase: Phase
    start_day: int
    end_day: int | None  # inclusive; None for the open-ended last phase
    start_date: date
    end_date: date | None

    @property
    def id(self) -> str:
        return self.phase.id

    @property
    def title(self) -> str:
        return self.phase.title

    def contains(self, day: int) -> bool:
        return self.start_day <= day and (self.end_day is None or day <= self.end_day)


class DatedMilestone(NamedTuple):
    milestone: Milestone
    day: int
    date: date
    end_day: int | None  # None for a single-day milestone
    end_date: date | None

    @property
    def id(self) -> str:
        return self.milestone.id

    @property
    def title(self) -> str:
        return self.milestone.title

    @property
    def last_date(self) -> date:
        return self.end_date or self.date


# Activities a phase may list that the plan opens only at a milestone: sport waits for the
# return-to-sport window even in a phase that lists it.
ACTIVITY_GATES = {"sport": "return-to-sport", "low-impact": "low-impact-activity"}


@dataclass(frozen=True)
class Timeline:
    protocol: Protocol
    surgery_date: date
    phases: tuple[DatedPhase, ...]
    milestones: tuple[DatedMilestone, ...]

    def day_of(self, on: date) -> int:
        return (on - self.surgery_date).days

    def date_of(self, day: int) -> date:
        return self.surgery_date + timedelta(days=day)

    def phase_on(self, on: date) -> DatedPhase | None:
        """The phase a date falls in; None before surgery."""
        return self.phase_of_day(self.day_of(on))

    def phase_of_day(self, day: int) -> DatedPhase | None:
        """The phase day N falls in; None before surgery."""
        return self._phase_by_day(day)

    def milestone(self, milestone_id: str) -> DatedMilestone | None:
        return self._milestones_by_id.get(milestone_id)

    # Lookups worked out once per timeline (a frozen dataclass still has a __dict__ for
    # cached_property to fill; they are not fields, so equality and repr are unchanged).

    @cached_property
    def phase_turns(self) -> list[int]:
        """The days on which the phase can change: each phase's start and the day after its end."""
        ends = {p.end_day + 1 for p in self.phases if p.end_day is not None}
        return sorted({p.start_day for p in self.phases} | ends)

    @cached_property
    def _phase_by_day(self) -> Callable[[int], DatedPhase | None]:
        # The first phase that contains the day, as a scan of the phases in order finds it.
        return stepwise(lambda day: next((p for p in self.phases if p.contains(day)), None), self.phase_turns)

    @cached_property
    def _milestones_by_id(self) -> dict[str, DatedMilestone]:
        by_id: dict[str, DatedMilestone] = {}
        for m in self.milestones:
            by_id.setdefault(m.id, m)  # the first wins, as a scan in order would find
        return by_id

    def activity_labels(self, phase: DatedPhase) -> list[str]:
        """A phase's activities as a printed plan gives them: 'sport from day 70' where a
        milestone opens one after the phase starts, so the table never reads as leave to
        start early."""
        labels = []
        for activity in phase.phase.activities:
            gate = self.milestone(ACTIVITY_GATES.get(activity, ""))
            if gate is not None and phase.end_date is not None and gate.date > phase.end_date:
                continue  # it never opens within this phase
            opens_later = gate is not None and gate.date > phase.start_date
            labels.append(f"{activity} from day {gate.day}" if opens_later else activity)
        return labels

    def next_milestone(self, on: date, done: Iterable[str] = ()) -> DatedMilestone | None:
        """The first milestone on or after a date (a window counts while it is open), leaving
        out those already recorded (`done`: milestone ids)."""
        skip = set(done)
        upcoming = [m for m in self.milestones if m.last_date >= on and m.id not in skip]
        return min(upcoming, key=lambda m: (m.date if m.date >= on else on, m.day), default=None)


def build(protocol: Protocol, surgery_date: date) -> Timeline:
    phases = []
    for phase in protocol.phases:
        start = phase.start.date_after(surgery_date)
        # A phase ends the day before the next one starts.
        end = phase.end.date_after(surgery_date) - timedelta(days=1) if phase.end else None
        phases.append(
            DatedPhase(
                phase=phase,
                start_day=(start - surgery_date).days,
                end_day=(end - surgery_date).days if end else None,
                start_date=start,
                end_date=end,
            )
        )
    milestones = []
    for milestone in protocol.milestones:
        at = milestone.at.date_after(surgery_date)
        until = milestone.until.date_after(surgery_date) if milestone.until else None
        milestones.append(
            DatedMilestone(
                milestone=milestone,
                day=(at - surgery_date).days,
                date=at,
                end_day=(until - surgery_date).days if until else None,
                end_date=until,
            )
        )
    milestones.sort(key=lambda m: (m.day, m.end_day or m.day))
    return Timeline(protocol, surgery_date, tuple(phases), tuple(milestones))


def to_dict(timeline: Timeline, patient: dict | None = None) -> dict:
    """The contract's `timeline --json` document. A patient's plan (rehab.plan.Plan) adds
    the changes in force, and its milestones sit on their moved dates."""
    protocol = timeline.protocol
    changes = getattr(timeline, "adjustments", None)
    moved = getattr(timeline, "moved", lambda _: None)
    extra = {} if changes is None or patient is None else {
        "adjustments": [a.as_dict(timeline.surgery_date) for a in changes]}
    phases = [phase_dict(p) for p in timeline.phases]
    if extra:  # where the changes make each phase differ, as its row in every view says it
        from rehab.wording import phase_change_dict

        phases = [{**d, "changes": [phase_change_dict(f) for f in timeline.phase_changes(p)]}
                  for d, p in zip(phases, timeline.phases)]
    return {
        "patient": patient,
        "procedure": {"id": protocol.id, "name": protocol.name},
        "surgery_date": timeline.surgery_date.isoformat(),
        "phases": phases,
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "day": m.day,
                "date": m.date.isoformat(),
                "end_day": m.end_day,
                "end_date": m.end_date.isoformat() if m.end_date else None,
                "confirm": m.milestone.confirm,
                "description": m.milestone.description,
                "moved": moved(m.id) is not None,
            }
            for m in timeline.milestones
        ],
        **extra,
    }


def phase_dict(p: DatedPhase) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "start_day": p.start_day,
        "end_day": p.end_day,
        "start_date": p.start_date.isoformat(),
        "end_date": p.end_date.isoformat() if p.end_date else None,
        "weight_bearing": list(p.phase.weight_bearing.allowed),
        "weight_bearing_expected": p.phase.weight_bearing.expected_by_end,
        "boot": p.phase.boot,
        "activities": list(p.phase.activities),
        "pain_ceiling": p.phase.pain_ceiling,
        "goals": list(p.phase.goals),
        "instructions": list(p.phase.instructions),
        "exercises": list(p.phase.exercises),
    }
