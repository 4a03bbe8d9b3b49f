"""What `rehab log` was given, checked, and the day's entry it makes: the rules of logging a
day, apart from the command line and the database.

`EntryInput.read(...)` checks everything typed before the database is opened;
`given.check_plan(...)` checks it against the patient's plan; `given.build(old)` is the
`build(old) -> Entry` the store calls inside its one transaction, with the day's entry as it
is then (None if the day has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rehab import text, vocab, wording
from rehab.errors import RehabError
from rehab.model import Entry


@dataclass(frozen=True)
class EntryInput:
    """The values given for a day, each checked; None (or empty) where not given."""

    day: date
    pain: int | None = None
    weight_bearing: str | None = None
    boot: bool | None = None
    activity: str | None = None
    symptoms: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    note: str | None = None
    temperature: float | None = None
    swelling: str | None = None
    exercises: str | None = None
    replace: bool = False
    clear_symptoms: bool = False
    clear_milestones: bool = False

    @classmethod
    def read(cls, day: date, today: date, *, pain: str | None = None, weight_bearing: str | None = None,
             boot: bool | None = None, activity: str | None = None, symptoms=(), milestones=(),
             note: str | None = None, temperature: str | None = None, swelling: str | None = None,
             exercises: str | None = None, replace: bool = False, clear_symptoms: bool = False,
             clear_milestones: bool = False) -> EntryInput:
        """The typed values in the contract's words; RehabError (exit 2) for the first one
        that does not read."""
        if day > today:
            raise RehabError(f"{day.isoformat()} is in the future: log a day once it has happened")
        note = text.note(note)  # no control characters, at most text.NOTE_LIMIT
        if (clear_symptoms or clear_milestones) and not replace:
            raise RehabError("--clear-symptoms and --clear-milestones change a logged day: add --replace")
        return cls(
            day=day,
            pain=None if pain is None else vocab.pain(pain),
            weight_bearing=None if weight_bearing is None else vocab.weight_bearing(weight_bearing),
            boot=boot,
            activity=None if activity is None else vocab.activity(activity),
            symptoms=tuple(dict.fromkeys(vocab.symptom(s) for s in symptoms or ())),
            milestones=tuple(dict.fromkeys(milestones or ())),
            note=note,
            temperature=None if temperature is None else vocab.temperature(temperature),
            swelling=None if swelling is None else vocab.swelling(swelling),
            exercises=None if exercises is None else vocab.exercises(exercises),
            replace=replace, clear_symptoms=clear_symptoms, clear_milestones=clear_milestones,
        )

    def check_plan(self, surgery_date: date, milestone_ids) -> None:
        """A day before surgery, or a milestone the patient's plan does not have, is refused."""
        if self.day < surgery_date:
            raise RehabError(wording.before_surgery(self.day, surgery_date))
        known = set(milestone_ids)
        for m in self.milestones:
            if m not in known:
                raise RehabError(wording.unknown_milestone(m, known))

    def refuse_existing(self, old: Entry | None) -> None:
        if old is not None and not self.replace:
            raise RehabError(wording.already_logged(self.day))

    def merged(self, old: Entry | None) -> EntryInput:
        """With --replace, what was given changes the day's entry and the rest is kept, so
        recording a milestone on a logged day needs nothing retyped. Symptoms and milestones
        are added to the day's (a second symptom must never hide the first red flag), unless
        cleared first."""
        self.refuse_existing(old)
        if old is None:
            return self

        def keep(given, before):
            return before if given is None else given

        return EntryInput(
            day=self.day, pain=keep(self.pain, old.pain), weight_bearing=keep(self.weight_bearing, old.weight_bearing),
            boot=keep(self.boot, old.boot), activity=keep(self.activity, old.activity),
            symptoms=tuple(dict.fromkeys((() if self.clear_symptoms else old.symptoms) + self.symptoms)),
            milestones=tuple(dict.fromkeys((() if self.clear_milestones else old.milestones) + self.milestones)),
            note=keep(self.note, old.note), temperature=keep(self.temperature, old.temperature),
            swelling=keep(self.swelling, old.swelling), exercises=keep(self.exercises, old.exercises),
            replace=self.replace,
        )

    def build(self, old: Entry | None) -> Entry:
        """The day's entry, given the entry the day has now: the store's build(old)."""
        full = self.merged(old)
        if full.pain is None:
            raise RehabError("missing --pain (give it as an option; prompting needs a terminal)")
        if full.weight_bearing is None:
            raise RehabError("missing --weight-bearing (give it as an option; prompting needs a terminal)")
        entry = Entry(self.day, full.pain, full.weight_bearing, full.boot, full.activity, full.symptoms,
                      full.milestones, full.note, full.temperature, full.swelling, full.exercises)
        if entry == old:
            # A correction that changes nothing would still be kept as one (and a FHIR export
            # would mark the day amended): refused, as `patient edit` refuses one.
            raise RehabError(f"nothing to change: {self.day.isoformat()} is already logged with these values")
        return entry

