"""What a protocol is, as the rest of the tool uses it: plain frozen dataclasses.

A protocol file is checked once by its schema (rehab/protocols/schema.py, pydantic), which
returns these. They hold data already checked, so building them from the checked data (or
from the JSON cache of it, rehab/protocols/json_cache.py) checks nothing again, and a daily
command that reads a protocol never imports pydantic or PyYAML (issue 12: together about a
third of `rehab today`'s start-up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

_OFFSET = re.compile(r"^\s*(\d+)\s*(day|days|week|weeks|month|months)\s*$", re.IGNORECASE)
# Dates on which month offsets are compared: month ends and leap days are where calendar
# months disagree with each other.
_REFERENCE_DATES = (date(2024, 1, 31), date(2024, 2, 29), date(2025, 8, 31), date(2025, 12, 31))

BEFORE_SURGERY = "before surgery"
WINDOW_DAYS = 7  # days either side of a due date in which a questionnaire counts


@dataclass(frozen=True)
class Offset:
    """A time after surgery: "10 days", "2 weeks" or "6 months"."""

    amount: int
    unit: str  # "days", "weeks" or "months"

    @classmethod
    def parse(cls, text: str) -> Offset:
        """'2 weeks', '1 month', '10 days' (any case, singular or plural); ValueError otherwise."""
        match = _OFFSET.match(text)
        if not match:
            raise ValueError(f"cannot read {text!r}: write it like '10 days', '2 weeks' or '6 months'")
        unit = match.group(2).lower()
        return cls(int(match.group(1)), unit if unit.endswith("s") else unit + "s")

    @property
    def text(self) -> str:
        """As a protocol file writes it: "2 weeks", "1 month"."""
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

    def __str__(self) -> str:
        return self.text

    def date_after(self, surgery: date) -> date:
        if self.unit == "months":
            from rehab.dates import add_months

            return add_months(surgery, self.amount)
        return surgery + timedelta(days=self.days)

    @property
    def days(self) -> int:
        """Days after surgery; for months, only meaningful with a surgery date."""
        return self.amount * {"days": 1, "weeks": 7, "months": 0}[self.unit]

    def same_point(self, other: Offset) -> bool:
        if (self.unit == "months") != (other.unit == "months"):
            return False
        return self.amount == other.amount if self.unit == "months" else self.days == other.days

    def before(self, other: Offset) -> bool:
        return all(self.date_after(d) < other.date_after(d) for d in _REFERENCE_DATES)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class WeightBearingPlan:
    allowed: list[str]
    expected_by_end: str | None = None

    @property
    def most(self) -> str:
        from rehab import vocab

        return max(self.allowed, key=vocab.wb_rank)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    start: Offset
    end: Offset | None
    summary: str | None
    goals: list[str]
    instructions: list[str]
    exercises: list[str]
    weight_bearing: WeightBearingPlan
    boot: bool
    activities: list[str]
    pain_ceiling: int
    # Days without an entry before a reminder in this phase (None: the protocol's thresholds).
    missed_log_days: int | None
    sources: list[str]


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    at: Offset
    until: Offset | None = None
    confirm: bool = False
    description: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Thresholds:
    """What the deviation rules read; a surgeon tunes them in the protocol file. The defaults
    are the contract's (the schema takes its defaults from here)."""

    pain_spike: int = 3
    # pain-rising: pain at least `pain_rise` above its lowest in the previous
    # `pain_rising_within_days` days, on `pain_rising_entries` consecutive entries.
    pain_rise: int = 2
    pain_rising_entries: int = 2
    pain_rising_within_days: int = 7
    # pain-not-settling: above the day's ceiling on every entry over this many days in a row.
    pain_not_settling_days: int = 3
    # pain-severe: at or above this on two consecutive entries.
    severe_pain: int = 8
    weight_bearing_grace_days: int = 3
    missed_milestone_grace_days: int = 3
    missed_log_days: int = 3  # a phase may set its own
    fever_celsius: float = 38.0


@dataclass(frozen=True)
class OutcomeSchedule:
    """When the outcome questionnaires are due: "before surgery" (the day before it) and times
    after surgery. A score dated within `window_days` either side of a due date satisfies it
    (one before surgery counts up to the surgery day itself, filled in before the operation)."""

    instruments: list[str]
    due: list[str | Offset]  # BEFORE_SURGERY or an Offset
    window_days: int = WINDOW_DAYS
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Protocol:
    id: str
    name: str
    aliases: list[str]
    summary: str
    sources: list[Source]
    before_surgery: list[str]
    before_surgery_sources: list[str]
    phases: list[Phase]
    milestones: list[Milestone]
    thresholds: Thresholds
    outcomes: OutcomeSchedule | None  # none: no questionnaires are scheduled

    @classmethod
    def from_data(cls, data: dict) -> Protocol:
        """From checked data: the schema's JSON form of a protocol (to_data's output).
        Nothing is checked here; data that is not of that form raises KeyError/TypeError."""
        outcomes = data["outcomes"]
        return cls(
            id=data["id"], name=data["name"], aliases=list(data["aliases"]), summary=data["summary"],
            sources=[Source(**s) for s in data["sources"]],
            before_surgery=list(data["before_surgery"]),
            before_surgery_sources=list(data["before_surgery_sources"]),
            phases=[_phase(p) for p in data["phases"]],
            milestones=[_milestone(m) for m in data["milestones"]],
            thresholds=Thresholds(**data["thresholds"]),
            outcomes=None if outcomes is None else OutcomeSchedule(
                instruments=list(outcomes["instruments"]),
                due=[p if p == BEFORE_SURGERY else Offset.parse(p) for p in outcomes["due"]],
                window_days=outcomes["window_days"], sources=list(outcomes["sources"])),
        )

    def to_data(self) -> dict:
        """Plain data, as JSON holds it and as a protocol file may be written (offsets as text)."""
        return as_data(self)


def as_data(value: Any) -> Any:
    """A protocol (or any part of one) as plain data: dataclasses as dicts in field order,
    offsets as their text."""
    if isinstance(value, Offset):
        return value.text
    if isinstance(value, list | tuple):
        return [as_data(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: as_data(getattr(value, f.name)) for f in fields(value)}
    return value


def _offset(text: str | None) -> Offset | None:
    return None if text is None else Offset.parse(text)


def _phase(data: dict) -> Phase:
    return Phase(**{**data, "start": Offset.parse(data["start"]), "end": _offset(data["end"]),
                    "weight_bearing": WeightBearingPlan(**data["weight_bearing"])})


def _milestone(data: dict) -> Milestone:
    return Milestone(**{**data, "at": Offset.parse(data["at"]), "until": _offset(data["until"])})


def fever_words(celsius: float) -> str:
    """38.0 -> "38 °C", 38.6 -> "38.6 °C": as a patient reads a thermometer."""
    return f"{celsius:.1f}".removesuffix(".0") + " °C"
