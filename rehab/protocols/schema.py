"""What a protocol is: the pydantic models behind every YAML protocol file.

A protocol is data a surgeon can edit, so every check a file must pass lives here, and every
error names the field it is about.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from rehab import vocab

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
WeightBearing = Literal[vocab.WEIGHT_BEARING]  # the contract's words, from the one list of them
Activity = Literal[vocab.ACTIVITIES]

_OFFSET = re.compile(r"^\s*(\d+)\s*(day|days|week|weeks|month|months)\s*$", re.IGNORECASE)
# Dates on which month offsets are compared when a file is checked: month ends and leap days
# are where calendar months disagree with each other.
_REFERENCE_DATES = (date(2024, 1, 31), date(2024, 2, 29), date(2025, 8, 31), date(2025, 12, 31))


class _Strict(BaseModel):
    # defer_build: the validators are built on first validation, not at import.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Offset(_Strict):
    """A time after surgery: "10 days", "2 weeks" or "6 months" (a bare number is days)."""

    amount: int = Field(ge=0, le=3650)
    unit: Literal["days", "weeks", "months"]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value):
        if isinstance(value, bool):
            raise ValueError("an offset is a number of days or text like '2 weeks'")
        if isinstance(value, int):
            return {"amount": value, "unit": "days"}
        if isinstance(value, str):
            match = _OFFSET.match(value)
            if not match:
                raise ValueError(f"cannot read {value!r}: write it like '10 days', '2 weeks' or '6 months'")
            unit = match.group(2).lower()
            return {"amount": int(match.group(1)), "unit": unit if unit.endswith("s") else unit + "s"}
        return value

    @model_serializer
    def _to_text(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

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


class Source(_Strict):
    id: Slug
    title: Text
    url: str | None = None
    note: str | None = None


class WeightBearingPlan(_Strict):
    allowed: list[WeightBearing] = Field(min_length=1)
    expected_by_end: WeightBearing | None = None

    @model_validator(mode="after")
    def _expected_is_allowed(self):
        if self.expected_by_end and self.expected_by_end not in self.allowed:
            raise ValueError(f"expected_by_end {self.expected_by_end!r} is not among the allowed levels")
        return self

    @property
    def most(self) -> str:
        return max(self.allowed, key=vocab.wb_rank)


class Phase(_Strict):
    id: Slug
    title: Text
    start: Offset
    end: Offset | None
    summary: Text | None = None
    goals: list[Text] = Field(default_factory=list)
    instructions: list[Text] = Field(min_length=1)
    exercises: list[Text] = Field(default_factory=list)
    weight_bearing: WeightBearingPlan
    boot: bool
    activities: list[Activity] = Field(min_length=1)
    pain_ceiling: int = Field(ge=0, le=10)
    # Days without an entry before a reminder in this phase (None: the protocol's thresholds).
    missed_log_days: int | None = Field(default=None, ge=1, le=60)
    sources: list[Slug] = Field(default_factory=list)


class Milestone(_Strict):
    id: Slug
    title: Text
    at: Offset
    until: Offset | None = None
    confirm: bool = False
    description: Text | None = None
    sources: list[Slug] = Field(default_factory=list)


class Thresholds(_Strict):
    """What the deviation rules read; a surgeon tunes them here (defaults: the contract's)."""

    pain_spike: int = Field(default=3, ge=1, le=10)
    # pain-rising: pain at least `pain_rise` above its lowest in the previous
    # `pain_rising_within_days` days, on `pain_rising_entries` consecutive entries.
    pain_rise: int = Field(default=2, ge=1, le=10)
    pain_rising_entries: int = Field(default=2, ge=2, le=14)
    pain_rising_within_days: int = Field(default=7, ge=1, le=60)
    # pain-not-settling: above the day's ceiling on every entry over this many days in a row.
    pain_not_settling_days: int = Field(default=3, ge=1, le=60)
    # pain-severe: at or above this on two consecutive entries.
    severe_pain: int = Field(default=8, ge=1, le=10)
    weight_bearing_grace_days: int = Field(default=3, ge=0, le=60)
    missed_milestone_grace_days: int = Field(default=3, ge=0, le=60)
    missed_log_days: int = Field(default=3, ge=1, le=60)  # a phase may set its own
    fever_celsius: float = Field(default=38.0, ge=37.0, le=41.0)


BEFORE_SURGERY = "before surgery"


class OutcomeSchedule(_Strict):
    """When the outcome questionnaires are due: "before surgery" (the day before it) and times
    after surgery. A score dated within `window_days` either side of a due date satisfies it
    (one before surgery counts up to the surgery day itself, filled in before the operation)."""

    instruments: list[Slug] = Field(min_length=1)
    due: list[Literal["before surgery"] | Offset] = Field(min_length=1)
    window_days: int = Field(default=7, ge=0, le=60)
    sources: list[Slug] = Field(default_factory=list)

    @field_validator("instruments")
    @classmethod
    def _instruments_once(cls, ids: list[str]) -> list[str]:
        _unique("instrument", ids)
        return ids

    @field_validator("due")
    @classmethod
    def _due_once(cls, due: list) -> list:
        _unique("due point", [p if isinstance(p, str) else p.model_dump() for p in due])
        return due


class Protocol(_Strict):
    id: Slug
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    summary: Text
    sources: list[Source] = Field(min_length=1)
    before_surgery: list[Text] = Field(default_factory=list)
    before_surgery_sources: list[Slug] = Field(default_factory=list)
    phases: list[Phase] = Field(min_length=1)
    milestones: list[Milestone] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    outcomes: OutcomeSchedule | None = None  # none: no questionnaires are scheduled

    @model_validator(mode="before")
    @classmethod
    def _fever_from_thresholds(cls, data):
        # "{fever}" in a text is the thresholds' fever_celsius, so a clinic that sets 38.6
        # never leaves its patients reading 38 in one place and 38.6 in another.
        if not isinstance(data, dict):
            return data
        thresholds = data.get("thresholds")
        value = thresholds.get("fever_celsius") if isinstance(thresholds, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = Thresholds.model_fields["fever_celsius"].default
        words = fever_words(float(value))
        data = dict(data)
        if isinstance(data.get("before_surgery"), list):
            data["before_surgery"] = [_fill(t, words) for t in data["before_surgery"]]
        for key, fields in (("phases", ("instructions", "goals", "exercises", "summary")),
                            ("milestones", ("description",))):
            items = data.get(key)
            if isinstance(items, list):
                data[key] = [_fill_item(item, fields, words) for item in items]
        return data

    @field_validator("sources")
    @classmethod
    def _source_ids_unique(cls, sources: list[Source]) -> list[Source]:
        _unique("source", [s.id for s in sources])
        return sources

    @field_validator("before_surgery_sources")
    @classmethod
    def _preparation_cites_known_sources(cls, cited: list[str], info: ValidationInfo) -> list[str]:
        known = {s.id for s in info.data.get("sources", [])}
        missing = [s for s in cited if s not in known]
        if missing:
            raise ValueError(f"cites unknown source {missing[0]!r}")
        return cited

    @field_validator("phases")
    @classmethod
    def _phases_tile_the_timeline(cls, phases: list[Phase], info: ValidationInfo) -> list[Phase]:
        _unique("phase", [p.id for p in phases])
        _cite_known_sources("phase", phases, info)
        if phases[0].start.amount != 0:
            raise ValueError(f"the first phase ({phases[0].id}) must start at day 0")
        for index, phase in enumerate(phases):
            last = index == len(phases) - 1
            if phase.end is None and not last:
                raise ValueError(f"phase {phase.id} has no end but is not the last phase")
            if last and phase.end is not None:
                raise ValueError(f"the last phase ({phase.id}) must be open-ended (end: null)")
            if phase.end is not None and not phase.start.before(phase.end):
                raise ValueError(f"phase {phase.id} ends before it starts")
            if index:
                previous = phases[index - 1]
                if not previous.end.same_point(phase.start):
                    overlap = phase.start.before(previous.end)
                    raise ValueError(
                        f"phase {phase.id} starts at {phase.start.model_dump()} but {previous.id} "
                        f"ends at {previous.end.model_dump()}: phases must "
                        + ("not overlap" if overlap else "leave no gap")
                    )
        return phases

    @field_validator("milestones")
    @classmethod
    def _milestones_hold(cls, milestones: list[Milestone], info: ValidationInfo) -> list[Milestone]:
        _unique("milestone", [m.id for m in milestones])
        _cite_known_sources("milestone", milestones, info)
        for milestone in milestones:
            if milestone.until is not None and not milestone.at.before(milestone.until):
                raise ValueError(f"milestone {milestone.id} ends before it starts")
        return milestones

    @field_validator("outcomes")
    @classmethod
    def _outcomes_cite_known_sources(cls, outcomes: OutcomeSchedule | None, info: ValidationInfo):
        known = {s.id for s in info.data.get("sources", [])}
        missing = [s for s in (outcomes.sources if outcomes else []) if s not in known]
        if missing:
            raise ValueError(f"cites unknown source {missing[0]!r}")
        return outcomes


def fever_words(celsius: float) -> str:
    """38.0 -> "38 °C", 38.6 -> "38.6 °C": as a patient reads a thermometer."""
    return f"{celsius:.1f}".removesuffix(".0") + " °C"


def _fill(text, words: str):
    return text.replace("{fever}", words) if isinstance(text, str) else text


def _fill_item(item, fields: tuple[str, ...], words: str):
    if not isinstance(item, dict):
        return item
    item = dict(item)
    for field in fields:
        if field in item:
            value = item[field]
            item[field] = [_fill(t, words) for t in value] if isinstance(value, list) else _fill(value, words)
    return item


def _cite_known_sources(kind: str, items: list, info: ValidationInfo) -> None:
    known = {s.id for s in info.data.get("sources", [])}
    for item in items:
        missing = [s for s in item.sources if s not in known]
        if missing:
            raise ValueError(f"{kind} {item.id} cites unknown source {missing[0]!r}")


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id {item!r} is used twice")
        seen.add(item)
