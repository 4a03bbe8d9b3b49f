"""What a protocol file must hold: the pydantic schema every protocol file is checked against.

A protocol is data a surgeon can edit, so every check a file must pass lives here, and every
error names the field it is about. A checked protocol is used as the plain dataclasses of
rehab/protocols/models.py (`check` returns them), so only checking a file imports pydantic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from rehab import text as text_rules
from rehab import vocab
from rehab.protocols import models
from rehab.protocols.models import BEFORE_SURGERY, fever_words

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


def _printable(value: str) -> str:
    """A protocol's words are printed to the patient's terminal and into every document: no
    escape sequence, NUL or bidirectional override in them (rehab.text's rules for notes)."""
    problem = text_rules.control_problem(value)
    if problem:
        raise ValueError(f"the text {problem}")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_printable)]
WeightBearing = Literal[vocab.WEIGHT_BEARING]  # the contract's words, from the one list of them
Activity = Literal[vocab.ACTIVITIES]

_DEFAULTS = models.Thresholds()


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
            plain = models.Offset.parse(value)  # ValueError names what it could not read
            return {"amount": plain.amount, "unit": plain.unit}
        return value

    @model_serializer
    def _to_text(self) -> str:
        return self.plain().text

    def plain(self) -> models.Offset:
        return models.Offset(self.amount, self.unit)


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
    """What the deviation rules read (rehab/protocols/models.py says what each is), with
    their bounds; the defaults are the plain model's, the contract's."""

    pain_spike: int = Field(default=_DEFAULTS.pain_spike, ge=1, le=10)
    pain_rise: int = Field(default=_DEFAULTS.pain_rise, ge=1, le=10)
    pain_rising_entries: int = Field(default=_DEFAULTS.pain_rising_entries, ge=2, le=14)
    pain_rising_within_days: int = Field(default=_DEFAULTS.pain_rising_within_days, ge=1, le=60)
    pain_not_settling_days: int = Field(default=_DEFAULTS.pain_not_settling_days, ge=1, le=60)
    severe_pain: int = Field(default=_DEFAULTS.severe_pain, ge=1, le=10)
    weight_bearing_grace_days: int = Field(default=_DEFAULTS.weight_bearing_grace_days, ge=0, le=60)
    missed_milestone_grace_days: int = Field(default=_DEFAULTS.missed_milestone_grace_days, ge=0, le=60)
    missed_log_days: int = Field(default=_DEFAULTS.missed_log_days, ge=1, le=60)
    fever_celsius: float = Field(default=_DEFAULTS.fever_celsius, ge=37.0, le=41.0)



class OutcomeSchedule(_Strict):
    """When the outcome questionnaires are due: "before surgery" (the day before it) and times
    after surgery. A score dated within `window_days` either side of a due date satisfies it
    (one before surgery counts up to the surgery day itself, filled in before the operation)."""

    instruments: list[Slug] = Field(min_length=1)
    due: list[Literal[BEFORE_SURGERY] | Offset] = Field(min_length=1)
    window_days: int = Field(default=models.WINDOW_DAYS, ge=0, le=60)
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
            value = _DEFAULTS.fever_celsius
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
        _cite_known("cites", cited, info)
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
            if phase.end is not None and not phase.start.plain().before(phase.end.plain()):
                raise ValueError(f"phase {phase.id} ends before it starts")
            if index:
                previous = phases[index - 1]
                if not previous.end.plain().same_point(phase.start.plain()):
                    overlap = phase.start.plain().before(previous.end.plain())
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
            if milestone.until is not None and not milestone.at.plain().before(milestone.until.plain()):
                raise ValueError(f"milestone {milestone.id} ends before it starts")
        return milestones

    @field_validator("outcomes")
    @classmethod
    def _outcomes_cite_known_sources(cls, outcomes: OutcomeSchedule | None, info: ValidationInfo):
        _cite_known("cites", outcomes.sources if outcomes else [], info)
        return outcomes


def check(data) -> models.Protocol:
    """A protocol's data (as read from its file, or combined) checked; pydantic's
    ValidationError names the field when it is not a protocol."""
    return models.Protocol.from_data(checked_data(data))


def checked_data(data) -> dict:
    """The data checked and in its plain JSON form (offsets as text, defaults filled)."""
    return Protocol.model_validate(data).model_dump(mode="json")


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
    for item in items:
        _cite_known(f"{kind} {item.id} cites", item.sources, info)


def _cite_known(who: str, cited: list[str], info: ValidationInfo) -> None:
    """Every source id cited is one of the protocol's `sources` (checked before it)."""
    known = {s.id for s in info.data.get("sources", [])}
    missing = [s for s in cited if s not in known]
    if missing:
        raise ValueError(f"{who} unknown source {missing[0]!r}")


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id {item!r} is used twice")
        seen.add(item)
