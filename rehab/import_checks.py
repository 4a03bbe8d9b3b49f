"""Checks an imported file must pass beyond its shape (rehab.backup reads the shape): the
free-text rules every command applies, times that can be stored, and what each patient's
plan and the known questionnaires allow. Pure (the protocols and questionnaires arrive loaded).

A NUL byte or an escape sequence must not arrive by import when `log` refuses it; a
created_at of 9999-12-31T23:59:59-05:00 is past the last moment a database can hold once
made UTC, which was an unexpected error rather than a refusal."""

from __future__ import annotations

from datetime import datetime, timezone

from rehab.dates import EARLIEST, LATEST
from rehab import outcomes, wording
from rehab.errors import RehabError
from rehab.text import LINE_LIMIT, NOTE_LIMIT, line, note


def check_records(records) -> None:
    """Every imported record, its free text cleaned in place; the first problem is named by
    its place in the file ("patients[2].entries[5].note"), as the rest of import does."""
    for i, record in enumerate(records):
        where = f"patients[{i}]"
        _moment(record.patient.created_at, f"{where}.created_at")
        record.entries = [e if e.note is None else e._replace(note=_at(note, e.note, f"{where}.entries[{j}].note"))
                          for j, e in enumerate(record.entries)]
        for j, (created, updated) in enumerate(record.entry_times or ()):
            _moment(created, f"{where}.entries[{j}].created_at")
            _moment(updated, f"{where}.entries[{j}].updated_at")
        record.revisions = [r._replace(entry=r.entry._replace(note=_at(note, r.entry.note, f"{where}.revisions[{j}].note")))
                            for j, r in enumerate(record.revisions)]
        for j, r in enumerate(record.revisions):
            _moment(r.replaced_at, f"{where}.revisions[{j}].replaced_at")
        record.acknowledgements = [a._replace(note=_at(note, a.note, f"{where}.acknowledgements[{j}].note"),
                                              by=_at(line, a.by, f"{where}.acknowledgements[{j}].by"))
                                   for j, a in enumerate(record.acknowledgements)]
        for j, a in enumerate(record.acknowledgements):
            _moment(a.acknowledged_at, f"{where}.acknowledgements[{j}].acknowledged_at")
        record.acknowledgement_revisions = [
            r._replace(acknowledgement=r.acknowledgement._replace(
                note=_at(note, r.acknowledgement.note, f"{where}.acknowledgement_revisions[{j}].note"),
                by=_at(line, r.acknowledgement.by, f"{where}.acknowledgement_revisions[{j}].by")))
            for j, r in enumerate(record.acknowledgement_revisions)]
        for j, r in enumerate(record.acknowledgement_revisions):
            _moment(r.acknowledgement.acknowledged_at, f"{where}.acknowledgement_revisions[{j}].acknowledged_at")
            _moment(r.replaced_at, f"{where}.acknowledgement_revisions[{j}].replaced_at")
        # A plan change's note is one line, as `plan adjust --note` makes it.
        record.adjustments = [a._replace(note=_at(_long_line, a.note, f"{where}.adjustments[{j}].note"),
                                         by=_at(line, a.by, f"{where}.adjustments[{j}].by"))
                              for j, a in enumerate(record.adjustments)]
        for j, a in enumerate(record.adjustments):
            _moment(a.created_at, f"{where}.adjustments[{j}].created_at")
            _moment(a.removed_at, f"{where}.adjustments[{j}].removed_at")
        # Outcomes: an instrument's or a measure's name is printed back by `outcomes`.
        record.scores = [s._replace(instrument=line(s.instrument, f"{where}.scores[{j}].instrument"))
                         for j, s in enumerate(record.scores)]
        record.measures = [m._replace(name=line(m.name, f"{where}.measures[{j}].name"))
                           for j, m in enumerate(record.measures)]
        for kind, items in (("scores", record.scores), ("measures", record.measures)):
            for j, item in enumerate(items):
                _moment(item.created_at, f"{where}.{kind}[{j}].created_at")


def check_plans(records, protocols: dict, elsewhere, instruments: dict) -> None:
    """Each record against what `log --milestone`, `plan move` and `score` accept:
    `protocols` maps each record's procedure to its protocol, `instruments` id to
    questionnaire. A milestone must be one of the patient's plan, or else, from `elsewhere()`
    (the milestones of every protocol known), one of another plan: `patient edit --procedure`
    keeps the milestones logged under the procedure before, and a backup restores as made."""
    others: set[str] | None = None
    for i, record in enumerate(records):
        where = f"patients[{i}]"
        plan = {m.id for m in protocols[record.patient.procedure].milestones}
        logged = [(f"{where}.entries[{j}].milestones", m) for j, e in enumerate(record.entries) for m in e.milestones]
        logged += [(f"{where}.revisions[{j}].milestones", m) for j, r in enumerate(record.revisions)
                   for m in r.entry.milestones]
        logged += [(f"{where}.adjustments[{j}].milestone", a.milestone) for j, a in enumerate(record.adjustments)
                   if a.kind == "move"]
        for place, milestone in logged:
            if milestone in plan:
                continue
            if others is None:
                others = set(elsewhere())
            if milestone not in others:
                raise RehabError(f"{place}: {wording.unknown_milestone(milestone, plan)}")
        for j, s in enumerate(record.scores):
            instrument = instruments.get(s.instrument)
            if instrument is None:
                raise RehabError(f"{where}.scores[{j}].instrument: unknown questionnaire {s.instrument!r}: "
                                 f"use one of {', '.join(sorted(instruments))}")
            try:
                outcomes.check_answers(instrument, s.answers)
            except RehabError as exc:
                raise RehabError(f"{where}.scores[{j}].answers: {exc}") from None


def _long_line(value: str | None, where: str) -> str | None:
    return line(value, where, NOTE_LIMIT)


def _at(check, value, where: str):
    if value is None or (check is note and len(value) <= LINE_LIMIT and value.isprintable()):
        return value  # the common case, quickly: a short note without control characters
    return check(value, where)


def _moment(value: datetime | None, where: str) -> None:
    """A time that can be stored: in UTC, within the years rehab works with."""
    if value is None:
        return
    try:
        utc = value.astimezone(timezone.utc) if value.tzinfo else value
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST.year <= utc.year <= LATEST.year:
        raise RehabError(f"{where}: {value.isoformat()} is outside the years rehab works with "
                         f"({EARLIEST.year}–{LATEST.year})")
