"""The export document (contract: format "rehab-export", version 1) and reading it back.

Reading checks the whole document before anything is written, and names the first problem
by its place in the file ("patients[3].entries[12].pain")."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import IO

from rehab import outcomes, patient_fields, text, vocab, wording
from rehab.dates import check_range, local_today
from rehab.errors import RehabError
from rehab.model import (Acknowledgement, AcknowledgementRevision, Adjustment, Entry, Measure, Patient, PatientRecord,
                         Revision, Score)
from rehab.plan import check_change

_WEIGHT_BEARING = frozenset(vocab.WEIGHT_BEARING)
_ACTIVITIES = frozenset(vocab.ACTIVITIES)

FORMAT = "rehab-export"
VERSION = 1


def write_export(handle: IO[str], records: Iterable[PatientRecord], default_id: str | None = None,
                 now: datetime | None = None) -> int:
    """Stream the document patient by patient; returns how many patients were written."""
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    handle.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "exported_at": {json.dumps(stamp)}, '
                 f'"default_patient": {json.dumps(default_id)}, "patients": [')
    count = 0
    for record in records:
        handle.write(("," if count else "") + "\n" + json.dumps(patient_document(record), ensure_ascii=False))
        count += 1
    handle.write("\n]}\n")
    return count


def patient_document(record: PatientRecord) -> dict:
    p = record.patient
    entries = [e.as_dict(p.surgery_date) for e in record.entries]
    if record.entry_times is not None:
        # Beyond the contract's entry shape: when each was logged and last changed.
        for document, (created, updated) in zip(entries, record.entry_times):
            document["created_at"], document["updated_at"] = _stamp(created), _stamp(updated)
    return {
        **p.as_dict(),
        "created_at": _stamp(p.created_at),
        "entries": entries,
        "revisions": [r.as_dict(p.surgery_date) for r in record.revisions],
        "acknowledgements": [a.as_dict() for a in record.acknowledgements],
        "acknowledgement_revisions": [r.as_dict() for r in record.acknowledgement_revisions],
        "adjustments": [a.as_dict(p.surgery_date) for a in record.adjustments],
        "scores": [_score_document(s) for s in record.scores],
        "measures": [_measure_document(m) for m in record.measures],
    }


def _score_document(s: Score) -> dict:
    return {"instrument": s.instrument, "date": s.date.isoformat(), "answers": list(s.answers), "score": s.score,
            "created_at": _stamp(s.created_at)}


def _measure_document(m: Measure) -> dict:
    return {"name": m.name, "date": m.date.isoformat(), "side": m.side, "value": m.value,
            "created_at": _stamp(m.created_at)}


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def read_export(handle: IO[str]) -> tuple[list[PatientRecord], str | None]:
    """The records of an export file and its current patient, all checked."""
    with _no_cycle_collection():
        return _read_export(handle)


@contextmanager
def _no_cycle_collection():
    """A clinic's export becomes millions of objects (JSON values, then records), none of them
    in a reference cycle, so Python's cycle collector, which runs every few hundred new
    objects and each time over more that are still alive, finds nothing to free. Measured at
    1,000 patients: it took 0.85 s of 1.4 s of CPU reading the file (issue 12). It is paused
    while reading and restored after; reference counting frees memory as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_export(handle: IO[str]) -> tuple[list[PatientRecord], str | None]:
    try:
        document = json.load(handle)
    except json.JSONDecodeError as exc:
        raise RehabError(f"not a rehab export: invalid JSON at line {exc.lineno}") from None
    except UnicodeDecodeError:
        raise RehabError("not a rehab export: the file is not UTF-8 text") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RehabError(f"not a rehab export: 'format' must be {FORMAT!r}")
    if type(document.get("version")) is not int or document["version"] != VERSION:
        raise RehabError(f"unsupported export version {document.get('version')!r}: this rehab reads version {VERSION}")
    people = document.get("patients")
    if not isinstance(people, list):
        raise RehabError("not a rehab export: 'patients' must be a list")
    records = [_record(item, f"patients[{i}]") for i, item in enumerate(people)]
    seen: set[str] = set()
    for i, record in enumerate(records):
        if record.patient.id in seen:
            raise RehabError(f"patients[{i}].id: {record.patient.id!r} appears twice in the file")
        seen.add(record.patient.id)
    default = document.get("default_patient")
    if default is not None and not isinstance(default, str):
        raise RehabError("default_patient: must be a patient id or null")
    return records, default


def _record(item, where: str) -> PatientRecord:
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    try:
        patient = Patient(
            id=patient_fields.clean_id(_text(item, "id", where)),
            name=patient_fields.clean_name(_text(item, "name", where)),
            surgery_date=_date(item.get("surgery_date"), f"{where}.surgery_date"),
            procedure=_text(item, "procedure", where),
            side=patient_fields.clean_side(_optional_text(item, "side", where)),
            surgeon=patient_fields.clean_optional(_optional_text(item, "surgeon", where), "surgeon"),
            created_at=_datetime(item.get("created_at"), f"{where}.created_at") if item.get("created_at") else None,
            discharged_on=_date(item["discharged_on"], f"{where}.discharged_on") if item.get("discharged_on") is not None else None,
        )
    except RehabError as exc:
        raise _at(exc, where) from None
    _check_procedures(item, patient.procedure, where)
    # A day's margin: an entry logged where the date is already tomorrow (a time zone ahead
    # of this machine's) must not stop a whole clinic's restore.
    latest = local_today() + timedelta(days=1)
    if patient.discharged_on is not None:
        # As `patient discharge` refuses them: before day 0, or in the future.
        _not_before_surgery(patient.discharged_on, patient.surgery_date, f"{where}.discharged_on")
        _not_future(patient.discharged_on, latest, f"{where}.discharged_on")
    raw_entries = _list(item, "entries", where)
    entries = [_entry(e, f"{where}.entries[{j}]") for j, e in enumerate(raw_entries)]
    times = [_entry_times(e, where, j) for j, e in enumerate(raw_entries)]
    dates = set()
    for j, entry in enumerate(entries):
        if entry.date in dates:
            raise RehabError(f"{where}.entries[{j}].date: {entry.date} appears twice")
        if entry.date < patient.surgery_date:
            raise RehabError(f"{where}.entries[{j}].date: {entry.date} is before the surgery date")
        _not_future(entry.date, latest, f"{where}.entries[{j}].date")
        dates.add(entry.date)
    revisions = [
        Revision(_entry(r, f"{where}.revisions[{j}]"), _datetime(r.get("replaced_at"), f"{where}.revisions[{j}].replaced_at"))
        for j, r in enumerate(_list(item, "revisions", where))
    ]
    acks = [_ack(a, f"{where}.acknowledgements[{j}]") for j, a in enumerate(_list(item, "acknowledgements", where))]
    keys = set()
    for j, ack in enumerate(acks):
        if ack.key in keys:
            raise RehabError(f"{where}.acknowledgements[{j}]: the same flag is acknowledged twice")
        keys.add(ack.key)
    # Older exports (before plans and outcomes) have none of these lists.
    adjustments = [_adjustment(a, f"{where}.adjustments[{j}]") for j, a in enumerate(_list(item, "adjustments", where))]
    ids = [a.id for a in adjustments if a.id is not None]
    if len(ids) != len(set(ids)):
        raise RehabError(f"{where}.adjustments: an id appears twice")
    scores = [_score(s, f"{where}.scores[{j}]") for j, s in enumerate(_list(item, "scores", where))]
    measures = [_measure(m, f"{where}.measures[{j}]") for j, m in enumerate(_list(item, "measures", where))]
    # `score` and `measure` take a day before surgery (a baseline), never one in the future.
    for kind, done in (("scores", scores), ("measures", measures)):
        for j, one in enumerate(done):
            _not_future(one.date, latest, f"{where}.{kind}[{j}].date")
    replaced = [AcknowledgementRevision(_ack(a, f"{where}.acknowledgement_revisions[{j}]"),
                                        _datetime(a.get("replaced_at") if isinstance(a, dict) else None,
                                                  f"{where}.acknowledgement_revisions[{j}].replaced_at"))
                for j, a in enumerate(_list(item, "acknowledgement_revisions", where))]
    return PatientRecord(patient, entries, revisions, acks,
                         times if any(created or updated for created, updated in times) else None,
                         adjustments, scores, measures, replaced)


def _check_procedures(item: dict, procedure: str, where: str) -> None:
    """Export writes the combined id and its parts ("procedures"); a file whose two disagree
    says two things, and which one is meant cannot be known."""
    procedures = item.get("procedures")
    if procedures is None:
        return  # an older export, or one written by hand: `procedure` says it
    parts = _strings(procedures, f"{where}.procedures")
    if sorted({p.strip().lower() for p in parts}) != sorted({p.strip().lower() for p in procedure.split("+")}):
        raise RehabError(f"{where}.procedures: {parts!r} does not match procedure {procedure!r}; "
                         "give the procedures once, or both the same")


def _not_before_surgery(day: date, surgery: date, where: str) -> None:
    if day < surgery:
        raise RehabError(f"{where}: {wording.before_surgery(day, surgery)}")


def _not_future(day: date, latest: date, where: str) -> None:
    if day > latest:
        raise RehabError(f"{where}: {day} is in the future")


_NO_TIMES = (None, None)


def _entry_times(item: dict, where: str, j: int) -> tuple[datetime | None, datetime | None]:
    """An entry's optional created_at and updated_at (an older export has neither)."""
    created, updated = item.get("created_at"), item.get("updated_at")
    if created is None and updated is None:
        return _NO_TIMES
    place = f"{where}.entries[{j}]"
    return (_datetime(created, f"{place}.created_at") if created is not None else None,
            _datetime(updated, f"{place}.updated_at") if updated is not None else None)


def _entry(item, where: str) -> Entry:
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    try:
        boot = item.get("boot")
        if boot is not None and not isinstance(boot, bool):
            raise RehabError(f"boot must be true, false or null, not {boot!r}")
        pain = item.get("pain")
        if isinstance(pain, bool) or not isinstance(pain, int):
            raise RehabError(f"pain must be a whole number from 0 to 10, not {pain!r}")
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise RehabError("note must be text")
        # Exports hold the canonical names, so check those first: a clinic's file has
        # hundreds of thousands of entries, and normalising every value was most of the cost.
        weight_bearing = _text(item, "weight_bearing", "")
        if weight_bearing not in _WEIGHT_BEARING:
            weight_bearing = vocab.weight_bearing(weight_bearing)
        activity = _optional_text(item, "activity", "")
        if activity is not None and activity not in _ACTIVITIES:
            activity = vocab.activity(activity)
        # Each once, in the order given, as `log` keeps them (most days have none).
        symptoms = item.get("symptoms")
        symptoms = () if symptoms is None or symptoms == [] else tuple(dict.fromkeys(
            s if s in vocab.SYMPTOMS else vocab.symptom(s) for s in _strings(symptoms, "symptoms")))
        milestones = item.get("milestones")
        milestones = () if milestones is None or milestones == [] else tuple(
            dict.fromkeys(_strings(milestones, "milestones")))
        temperature = item.get("temperature")
        if temperature is not None:
            if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
                raise RehabError(f"temperature must be degrees Celsius or null, not {temperature!r}")
            temperature = vocab.temperature(str(temperature))
        swelling = _optional_text(item, "swelling", "")
        if swelling is not None:
            swelling = vocab.swelling(swelling)
        exercises = _optional_text(item, "exercises", "")
        if exercises is not None:
            exercises = vocab.exercises(exercises)
        return Entry(
            date=_date(item.get("date"), "date"),
            pain=pain if 0 <= pain <= 10 else vocab.pain(pain),
            weight_bearing=weight_bearing,
            boot=boot,
            activity=activity,
            symptoms=symptoms,
            milestones=milestones,
            note=note,
            temperature=temperature,
            swelling=swelling,
            exercises=exercises,
        )
    except RehabError as exc:
        raise _at(exc, where) from None


def _adjustment(item, where: str) -> Adjustment:
    """A plan change as `plan list --json` shows it (its days are what counts; the dates
    beside them are for reading)."""
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    kind = item.get("kind")
    if kind not in ("adjust", "move"):
        raise RehabError(f"{where}.kind: must be 'adjust' or 'move', not {kind!r}")
    from_day = _whole(item.get("from_day"), f"{where}.from_day", -3650, 36500)
    until_day = item.get("until_day")
    if until_day is not None:
        until_day = _whole(until_day, f"{where}.until_day", from_day, 36500)
    weight_bearing = _optional_text(item, "weight_bearing", where)
    boot = item.get("boot")
    if boot is not None and not isinstance(boot, bool):
        raise RehabError(f"{where}.boot: must be true, false or null")
    pain_ceiling = item.get("pain_ceiling")
    milestone = _optional_text(item, "milestone", where)
    if kind == "move" and not milestone:
        raise RehabError(f"{where}.milestone: a move names the milestone it moves")
    try:
        change = Adjustment(
            id=_whole(item["id"], f"{where}.id", 1, 2**31 - 1) if item.get("id") is not None else None,
            kind=kind, from_day=from_day, until_day=until_day,
            weight_bearing=vocab.weight_bearing(weight_bearing) if weight_bearing is not None else None,
            boot=boot,
            allow=tuple(vocab.activity(a) for a in _strings(item.get("allow"), "allow")),
            forbid=tuple(vocab.activity(a) for a in _strings(item.get("forbid"), "forbid")),
            pain_ceiling=vocab.pain(pain_ceiling) if pain_ceiling is not None else None,
            milestone=milestone,
            note=_optional_text(item, "note", where),
            by=_optional_text(item, "by", where),
            created_at=_optional_datetime(item.get("created_at"), f"{where}.created_at"),
            removed_at=_optional_datetime(item.get("removed_at"), f"{where}.removed_at"),
        )
        check_change(change)  # as `plan adjust|move` makes one (its milestone: import_checks)
        return change
    except RehabError as exc:
        raise _at(exc, where) from None


def _score(item, where: str) -> Score:
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers or not all(
            a is None or (type(a) is int and 0 <= a <= 4) for a in answers):
        raise RehabError(f"{where}.answers: must be a list of answers 0-4 (null for not applicable)")
    score = item.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100):
        raise RehabError(f"{where}.score: must be a number from 0 to 100, or null")
    return Score(id=None, instrument=_text(item, "instrument", where), date=_date(item.get("date"), f"{where}.date"),
                 answers=tuple(answers), score=score,
                 created_at=_optional_datetime(item.get("created_at"), f"{where}.created_at"))


def _measure(item, where: str) -> Measure:
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    side = item.get("side")
    if side not in ("operated", "other"):
        raise RehabError(f"{where}.side: must be 'operated' or 'other', not {side!r}")
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RehabError(f"{where}.value: must be a number")
    # The names and ranges `measure` takes.
    kind = _checked(lambda name: outcomes.measure_kind(text.plain(name, "a measure's name")),
                    _text(item, "name", where), f"{where}.name")
    value = _checked(lambda v: outcomes.measure_value(kind, str(v)), value, f"{where}.value")
    return Measure(id=None, name=kind.name, date=_date(item.get("date"), f"{where}.date"),
                   side=side, value=value, created_at=_optional_datetime(item.get("created_at"), f"{where}.created_at"))


def _checked(check, value, where: str):
    """check(value), a refusal named by its place in the file."""
    try:
        return check(value)
    except RehabError as exc:
        raise _at(exc, where) from None


def _whole(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RehabError(f"{where}: must be a whole number from {low} to {high}, not {value!r}")
    return value


def _optional_datetime(value, where: str) -> datetime | None:
    return None if value is None else _datetime(value, where)


def _ack(item, where: str) -> Acknowledgement:
    if not isinstance(item, dict):
        raise RehabError(f"{where}: must be an object")
    return Acknowledgement(
        date=_date(item.get("date"), f"{where}.date"),
        rule=text.plain(_text(item, "rule", where), f"{where}.rule"),
        subject=text.plain(_optional_text(item, "subject", where) or "", f"{where}.subject"),
        note=_optional_text(item, "note", where),
        by=_optional_text(item, "by", where),
        acknowledged_at=_datetime(item.get("acknowledged_at"), f"{where}.acknowledged_at"),
    )


def _at(exc: RehabError, where: str) -> RehabError:
    return RehabError(f"{where}: {exc}")


def _text(item: dict, key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RehabError(f"{where + '.' if where else ''}{key}: must be non-empty text")
    return value


def _optional_text(item: dict, key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise RehabError(f"{where + '.' if where else ''}{key}: must be text or null")
    return value


def _list(item: dict, key: str, where: str) -> list:
    value = item.get(key, [])
    if not isinstance(value, list):
        raise RehabError(f"{where}.{key}: must be a list")
    return value


def _strings(value, what: str) -> list[str]:
    if value is None or value == []:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RehabError(f"{what} must be a list of names")
    return value


def _date(value, where: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RehabError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None
    try:
        return check_range(parsed, value)
    except RehabError as exc:
        raise _at(exc, where) from None


def _datetime(value, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RehabError(f"{where}: {value!r} is not an ISO date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
