"""What a patient sees each day: `rehab today` and the pain sparkline. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rehab import wording
from rehab.deviations import activities_allowed
from rehab.model import Entry, Patient, Score
from rehab.outcomes import due_points, outcomes_due
from rehab.plan import as_plan
from rehab.timeline import Timeline, phase_dict

SPARK = "▁▂▃▄▅▆▇█"


def today_document(patient: Patient, plan: Timeline, entries: Sequence[Entry], open_flags: Sequence,
                   on: date, scores: Sequence[Score] = ()) -> dict:
    """The contract's `today --json` document."""
    day = plan.day_of(on)
    phase = plan.phase_on(on)
    # A milestone the patient has already recorded (log --milestone) is not announced again.
    following = plan.next_milestone(on, {m for e in entries if e.date <= on for m in e.milestones})
    entry = next((e for e in entries if e.date == on), None)
    own = as_plan(plan)
    day_plan = own.on(day)
    return {
        "patient": patient.as_dict(),
        "date": on.isoformat(),
        "day": day,
        "week": day // 7 if day >= 0 else None,
        "phase": phase_dict(phase) if phase else None,
        "next_milestone": None if following is None else {
            "id": following.id,
            "title": following.title,
            "date": following.date.isoformat(),
            "end_date": following.end_date.isoformat() if following.end_date else None,
            # A window already open (return to sport, days 70-84) is 0 days away, not -5.
            "in_days": max(0, (following.date - on).days),
            "open": following.date <= on,
            # Who moved it for this patient (rehab plan move), if anyone did.
            "moved_by": _mover(plan, following.id),
        },
        "activities_today": activities_allowed(plan, on) if day >= 0 else [],
        # The patient's own plan for the day, and the changes their team made that set it.
        "plan": day_plan.as_dict() if day_plan else None,
        "plan_changes": [a.as_dict(plan.surgery_date) for a in (day_plan.changes if day_plan else ())],
        # Where those changes make the day differ from the protocol, in the phase rows' words
        # (`today` prints each beside the line it changes).
        "plan_differs": [wording.phase_change_dict(f) for f in (own.phase_changes(phase) if phase else ())
                         if f.start_day <= day and (f.end_day is None or day <= f.end_day)],
        "adjustments": [a.as_dict(plan.surgery_date) for a in own.adjustments],
        "logged": entry is not None,
        # Follow-up has ended (patient discharge): no reminders to log from the day after.
        "follow_up_ended": patient.discharged_on is not None and patient.discharged_on <= on,
        "entry": entry.as_dict(plan.surgery_date) if entry else None,
        "flags": [f.as_dict() for f in open_flags],
        "pain_last_14_days": pain_series(entries, on, 14),
        # Questionnaires whose window (7 days either side of the due date) is open and not done.
        "outcomes_due": outcomes_due(due_points(getattr(plan.protocol, "outcomes", None), plan.surgery_date),
                                     scores, on),
    }


def _mover(plan: Timeline, milestone_id: str) -> str | None:
    change = as_plan(plan).moved(milestone_id)
    return None if change is None else (change.by or "your team")


def pain_series(entries: Sequence[Entry], on: date, days: int) -> list[int | None]:
    """Pain for each of the `days` days ending on `on`, None where nothing was logged."""
    by_date = {e.date: e.pain for e in entries}
    return [by_date.get(on - timedelta(days=offset)) for offset in range(days - 1, -1, -1)]


def sparkline(values: Sequence[int | None]) -> str:
    """▁ for 0 up to █ for 10; · for a day with no entry."""
    return "".join("·" if v is None else SPARK[min(7, round(v * 7 / 10))] for v in values)
