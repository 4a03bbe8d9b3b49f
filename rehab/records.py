"""Plain records passed between the store and the core: no database types leak out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


class Patient(NamedTuple):
    id: str
    name: str
    surgery_date: date
    procedure: str
    side: str | None = None
    surgeon: str | None = None
    created_at: datetime | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "surgery_date": self.surgery_date.isoformat(),
            "procedure": self.procedure,
            "side": self.side,
            "surgeon": self.surgeon,
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
        }


class Revision(NamedTuple):
    """An entry as it was before `log --replace` changed it: nothing logged is ever lost."""

    entry: Entry
    replaced_at: datetime

    def as_dict(self) -> dict:
        data = self.entry.as_dict()
        data.pop("day")
        return {**data, "replaced_at": self.replaced_at.isoformat(timespec="seconds")}


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
