"""Plain records passed between the store and the core: no database types leak out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple


class Patient(NamedTuple):
    id: str
    name: str
    surgery_date: date
    procedure: str
    side: str | None = None
    surgeon: str | None = None
    created_at: datetime | None = None
    # The day follow-up ended (`patient discharge`); None while the patient is followed.
    discharged_on: date | None = None

    @property
    def procedures(self) -> tuple[str, ...]:
        """The procedure ids: `procedure` is them sorted and joined with '+'."""
        return tuple(self.procedure.split("+"))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "surgery_date": self.surgery_date.isoformat(),
            "procedure": self.procedure,
            "procedures": list(self.procedures),
            "side": self.side,
            "surgeon": self.surgeon,
            "discharged_on": self.discharged_on.isoformat() if self.discharged_on else None,
        }


class Entry(NamedTuple):
    """A day's log. A named tuple rather than a frozen dataclass: a clinic holds hundreds of
    thousands, and a frozen dataclass's __init__ was a large share of reading them."""

    date: date
    pain: int
    weight_bearing: str
    boot: bool | None = None
    activity: str | None = None
    symptoms: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    note: str | None = None
    temperature: float | None = None  # degrees Celsius, one decimal
    swelling: str | None = None  # vocab.SWELLING
    exercises: str | None = None  # vocab.EXERCISES: home exercises done, partly, skipped

    def as_dict(self, surgery_date: date | None = None) -> dict:
        """The contract's entry shape (history --json, export)."""
        return {
            "date": self.date.isoformat(),
            "day": (self.date - surgery_date).days if surgery_date else None,
            "pain": self.pain,
            "weight_bearing": self.weight_bearing,
            "boot": self.boot,
            "activity": self.activity,
            "symptoms": list(self.symptoms),
            "milestones": list(self.milestones),
            "note": self.note,
            "temperature": self.temperature,
            "swelling": self.swelling,
            "exercises": self.exercises,
        }


class Revision(NamedTuple):
    """An entry as it was before `log --replace` changed it: nothing logged is ever lost."""

    entry: Entry
    replaced_at: datetime

    def as_dict(self, surgery_date: date | None = None) -> dict:
        """Shaped as an entry (its day too, given the surgery date), plus replaced_at."""
        data = self.entry.as_dict(surgery_date)
        if surgery_date is None:
            data.pop("day")
        return {**data, "replaced_at": self.replaced_at.isoformat(timespec="seconds")}


def acknowledgements_by_flag(flags, acknowledgements) -> dict:
    """Each flag's acknowledgement by the flag's key. An acknowledgement names the run it
    covered by the run's first day; when a change to the plan (or a correction) later moves
    where the run starts, the acknowledgement dated on a day of the run still covers it,
    rather than vanishing from every view."""
    exact = {a.key: a for a in acknowledgements}
    by_rule: dict[tuple[str, str], list] = {}
    for a in acknowledgements:
        by_rule.setdefault((a.rule, a.subject), []).append(a)
    found = {}
    for flag in flags:
        ack = exact.get(flag.key) or next(
            (a for a in by_rule.get((flag.rule, flag.subject), ()) if flag.date <= a.date <= flag.last_date), None)
        if ack is not None:
            found[flag.key] = ack
    return found


class AcknowledgementRevision(NamedTuple):
    """An acknowledgement as it was before `flags ack --replace` changed it: kept, as a
    replaced entry is."""

    acknowledgement: Acknowledgement
    replaced_at: datetime

    def as_dict(self) -> dict:
        return {**self.acknowledgement.as_dict(), "replaced_at": self.replaced_at.isoformat(timespec="seconds")}


def flag_key(on: date, rule: str, subject: str) -> tuple[str, str, str]:
    """What names a flag, and the acknowledgement of it: one definition, so they always match."""
    return (on.isoformat(), rule, subject)


class Acknowledgement(NamedTuple):
    """A clinician's note that a flag has been seen."""

    date: date
    rule: str
    subject: str
    note: str | None
    by: str | None
    acknowledged_at: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return flag_key(self.date, self.rule, self.subject)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "subject": self.subject,
            "note": self.note,
            "by": self.by,
            "acknowledged_at": self.acknowledged_at.isoformat(timespec="seconds"),
        }


class Adjustment(NamedTuple):
    """A change to one patient's plan, recorded by their surgeon or physiotherapist.

    kind "adjust" sets some of weight_bearing (the most allowed), boot, allow/forbid
    (activities) and pain_ceiling on the days from_day..until_day (inclusive; None: to the
    end of the plan); kind "move" gives `milestone` the new day from_day (a window to
    until_day). Days count from surgery (day 0). Never deleted: removal sets removed_at."""

    id: int | None
    kind: str
    from_day: int
    until_day: int | None = None
    weight_bearing: str | None = None
    boot: bool | None = None
    allow: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    pain_ceiling: int | None = None
    milestone: str | None = None
    note: str | None = None
    by: str | None = None
    created_at: datetime | None = None
    removed_at: datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.removed_at is None

    def as_dict(self, surgery_date: date) -> dict:
        """The contract's `plan list --json` shape."""
        def on(day):
            return None if day is None else (surgery_date + timedelta(days=day)).isoformat()

        def stamp(moment):
            return None if moment is None else moment.isoformat(timespec="seconds")

        return {
            "id": self.id, "kind": self.kind,
            "from_day": self.from_day, "until_day": self.until_day,
            "from_date": on(self.from_day), "until_date": on(self.until_day),
            "weight_bearing": self.weight_bearing, "boot": self.boot,
            "allow": list(self.allow), "forbid": list(self.forbid),
            "pain_ceiling": self.pain_ceiling, "milestone": self.milestone,
            "note": self.note, "by": self.by,
            "created_at": stamp(self.created_at), "removed_at": stamp(self.removed_at),
        }


class Score(NamedTuple):
    """One completed outcome questionnaire. answers: one per item in the instrument's order,
    0-4, or None for "not applicable". score: None when too few items were answered."""

    id: int | None
    instrument: str
    date: date
    answers: tuple[int | None, ...]
    score: float | None
    created_at: datetime | None = None


class Measure(NamedTuple):
    """One clinical measure (knee-to-wall in cm, calf-raises as a count) on one side."""

    id: int | None
    name: str
    date: date
    side: str  # "operated" or "other"
    value: float
    created_at: datetime | None = None


@dataclass
class PatientRecord:
    """A patient with everything logged for them: what export, import and reports carry."""

    patient: Patient
    entries: list[Entry] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    # When each entry was first logged and last changed, in step with `entries`. Only export
    # and import carry them (None: not read, or not in the file).
    entry_times: list[tuple[datetime | None, datetime | None]] | None = None
    adjustments: list[Adjustment] = field(default_factory=list)  # removed ones too, in order recorded
    scores: list[Score] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    # Acknowledgements as they were before `flags ack --replace`, oldest first.
    acknowledgement_revisions: list[AcknowledgementRevision] = field(default_factory=list)
