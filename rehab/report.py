"""A patient's progress report as data: the contract's `report --format json` object. Pure.

Every renderer (HTML, PDF, Markdown, CSV, JSON) reads the dict `build` returns, so the
numbers are computed once, here, and printed the same everywhere.

The range: `start` (or the surgery date) to the earlier of `end` and `as_of`, both included.
Entries and flags outside it are left out; adherence counts only the days of that range that
are on or after surgery.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rehab import timeline as tl
from rehab import vocab, wording
from rehab.deviations import flag_document, open_flags
from rehab.model import Acknowledgement, Entry, PatientRecord
from rehab.plan import Plan, as_plan

WEEK = 7


def build(
    record: PatientRecord,
    plan: tl.Timeline,
    flags: list,
    acknowledged: dict[tuple, Acknowledgement],
    as_of: date,
    start: date | None,
    end: date | None,
    instruments: dict | None = None,
) -> dict:
    """One patient's report. `flags` are Flag-like objects (date, rule, severity, message,
    subject, .key, .as_dict()); `acknowledged` maps a flag's key to its acknowledgement;
    `instruments` the outcome questionnaires by id (for their maximum and MCID).
    `plan` is None when the patient's protocol can no longer be found (see `unplanned`)."""
    patient = record.patient
    surgery = patient.surgery_date
    first, last = report_range(surgery, as_of, start, end)
    entries = in_range(record.entries, first, last)
    if plan is None:
        return unplanned(record, as_of, first, last, entries)
    day = plan.day_of(as_of)
    phase = plan.phase_on(as_of)
    person = patient.as_dict()
    document = tl.to_dict(plan, person)
    own = as_plan(plan)
    shown = _open(flags, acknowledged, record, as_of)  # what `today` would show as of the report's date
    return {
        "patient": person,
        "as_of": as_of.isoformat(),
        "day": day,
        "week": day // WEEK if day >= 0 else None,
        "phase": {"id": phase.id, "title": phase.title} if phase else None,
        "range": {"from": first.isoformat(), "to": last.isoformat()},
        "timeline": document,
        "entries": [{**e.as_dict(surgery), "outside_plan": outside_plan(own, e)} for e in entries],
        # A red flag stays until acknowledged, however old: one from before the range is listed too.
        # Messages speak to the clinician who reads the report (the patient's own words: `flags`).
        "flags": [_for_clinician(flag_document(f, acknowledged, record.acknowledgement_revisions)) for f in flags
                  if first <= f.date <= last or (f.rule == "red-flag" and f.date < first and f.key not in acknowledged)],
        "open_red_flags": [_for_clinician(flag_document(f, acknowledged, record.acknowledgement_revisions)) for f in flags
                           if f.rule == "red-flag" and f.key in shown],
        # The "who needs attention" counts.
        "open_flag_counts": {severity: sum(f.severity == severity for f in shown.values())
                             for severity in ("urgent", "warning", "info")},
        "silence": silence(record.entries, plan, as_of, patient.discharged_on),
        "adherence": adherence(entries, max(first, surgery), last),
        "pain": pain(entries, last),
        "milestones": _milestones(document["milestones"], record.entries, as_of),
        "weight_bearing": _by_phase(plan, entries, first, last),
        # The patient's own plan over the range, as the charts draw it: the pain ceiling and
        # the weight-bearing allowed, with every change the team made in force.
        "plan_steps": plan_steps(own, (max(first, surgery) - surgery).days, (last - surgery).days),
        # Every change the team made to the plan, removed ones too (marked), in the order recorded.
        "plan_changes": [a.as_dict(surgery) for a in record.adjustments],
        "outcomes": outcomes_section(record, plan, instruments or {}, entries, start, last),
    }


def plan_steps(own: Plan, first_day: int, last_day: int) -> list[dict]:
    """Stretches of days (both ends included) over which the plan's pain ceiling and allowed
    weight-bearing stay the same, from first_day to last_day."""
    starts = [first_day, *(d for d in own.turns if first_day < d <= last_day)]
    steps: list[dict] = []
    for start, after in zip(starts, [*starts[1:], last_day + 1]):
        day = own.on(start)
        if day is None or after <= start:
            continue
        step = {"start_day": start, "end_day": after - 1, "pain_ceiling": day.pain_ceiling,
                "weight_bearing": list(day.weight_bearing)}
        if steps and steps[-1]["end_day"] == start - 1 and all(steps[-1][k] == step[k] for k in ("pain_ceiling", "weight_bearing")):
            steps[-1]["end_day"] = step["end_day"]
        else:
            steps.append(step)
    return steps


def _open(flags: list, acknowledged: dict, record: PatientRecord, as_of: date) -> dict:
    """The open flags by key, as `today` shows them (deviations.open_flags)."""
    logged = [e for e in record.entries if e.date <= as_of]
    shown = open_flags(flags, set(acknowledged), as_of, last_logged=max((e.date for e in logged), default=None),
                       discharged_on=record.patient.discharged_on, recorded={m for e in logged for m in e.milestones})
    return {f.key: f for f in shown}


def _for_clinician(flag: dict) -> dict:
    return {**flag, "message": wording.for_clinician(flag["message"])}


def outcomes_section(record: PatientRecord, plan: tl.Timeline, instruments: dict, entries: list[Entry],
                     start: date | None, last: date) -> dict:
    """Questionnaire scores (with change from the baseline, whenever that was), the schedule as
    of the report's last day, the latest measures with their symmetry, and swelling and home
    exercises over the range. Without --from, scores from before surgery (the baseline) are in."""
    from rehab import outcomes

    surgery = record.patient.surgery_date
    docs = outcomes.score_documents(instruments, [s for s in record.scores if s.date <= last], surgery)
    measures = [m for m in record.measures if m.date <= last]
    schedule = getattr(plan.protocol, "outcomes", None)
    shown = [d for d in docs if start is None or d["date"] >= start.isoformat()]
    ids = list(dict.fromkeys([*(schedule.instruments if schedule else []), *(d["instrument"] for d in docs)]))
    return {
        "instruments": [{"id": i, "name": instruments[i].short_name if i in instruments else i,
                         "max": instruments[i].max if i in instruments else None,
                         "mcid": instruments[i].mcid if i in instruments else None} for i in ids],
        "scores": shown,
        "due": outcomes.due_status(outcomes.due_points(schedule, surgery), record.scores, last),
        "latest_measures": outcomes.latest_measures(measures, surgery),
        "symmetry": outcomes.symmetry(measures),
        "swelling": _tally(entries, "swelling", vocab.SWELLING),
        "exercises": _tally(entries, "exercises", vocab.EXERCISES),
    }


def _tally(entries: list[Entry], field: str, levels: tuple[str, ...]) -> dict:
    """How often each answer was logged over the range, the days it was, and the latest."""
    given = [(e.date, getattr(e, field)) for e in entries if getattr(e, field) is not None]
    counts = Counter(value for _, value in given)
    return {"days": len(given), "counts": {level: counts[level] for level in levels},
            "latest": given[-1][1] if given else None,
            "latest_date": given[-1][0].isoformat() if given else None}


def missing_protocol_line(procedure: str) -> str:
    return (f"the protocol {procedure!r} can no longer be found (was its file removed from the "
            "protocols folder?): this report has no plan, flags or milestones")


def unplanned(record: PatientRecord, as_of: date, first: date, last: date, entries: list[Entry]) -> dict:
    """The report of a patient whose protocol has disappeared: still listed, with what was
    logged and a line saying why there is no plan, so one patient never stops a clinic's."""
    surgery = record.patient.surgery_date
    day = (as_of - surgery).days
    return {
        "patient": record.patient.as_dict(),
        "problem": missing_protocol_line(record.patient.procedure),
        "as_of": as_of.isoformat(),
        "day": day,
        "week": day // WEEK if day >= 0 else None,
        "phase": None,
        "range": {"from": first.isoformat(), "to": last.isoformat()},
        "timeline": None,
        "entries": [e.as_dict(surgery) for e in entries],
        "flags": [],
        "adherence": adherence(entries, max(first, surgery), last),
        "pain": pain(entries, last),
        "milestones": [],
        "weight_bearing": [],
        "plan_changes": [a.as_dict(surgery) for a in record.adjustments],
    }


def report_range(surgery: date, as_of: date, start: date | None, end: date | None) -> tuple[date, date]:
    """The days a report covers: from `start` (or surgery) to the earlier of `end` and as_of.
    Before surgery the range is empty: its end comes before its start."""
    return start or surgery, (min(end, as_of) if end else as_of)


def in_range(entries: list[Entry], first: date, last: date) -> list[Entry]:
    return sorted((e for e in entries if first <= e.date <= last), key=lambda e: e.date)


def adherence(entries: list[Entry], first: date, last: date) -> dict:
    """Days expected (first..last, both included), days logged, their ratio, longest gap."""
    expected = max((last - first).days + 1, 0)
    logged_days = sorted({e.date for e in entries if first <= e.date <= last})
    gap = longest = 0
    logged = set(logged_days)
    for offset in range(expected):
        gap = 0 if first + timedelta(days=offset) in logged else gap + 1
        longest = max(longest, gap)
    return {
        "days_expected": expected,
        "days_logged": len(logged_days),
        "ratio": _round(len(logged_days), expected, 3) if expected else None,
        "longest_gap": longest,
    }


def pain(entries: list[Entry], last: date) -> dict:
    """Latest, 7-day average up to `last`, change against the 7 days before, lowest, highest.

    The change is the difference of the two averages as printed (1 decimal), so the numbers
    on the page add up.
    """
    scores = [e.pain for e in entries]
    week = _mean([e.pain for e in entries if last - timedelta(days=WEEK) < e.date <= last])
    before = _mean([e.pain for e in entries
                    if last - timedelta(days=2 * WEEK) < e.date <= last - timedelta(days=WEEK)])
    change = None
    if week is not None and before is not None:
        change = float(Decimal(str(week)) - Decimal(str(before)))
    return {
        "latest": scores[-1] if scores else None,
        "average_7d": week,
        "average_previous_7d": before,
        "change_vs_previous_week": change,
        "lowest": min(scores, default=None),
        "highest": max(scores, default=None),
    }


def silence(entries: list[Entry], plan: tl.Timeline, as_of: date, discharged_on: date | None = None) -> dict:
    """Days since the last entry (since surgery if none) against the days the plan allows
    without one on `as_of` (the phase's missed_log_days, else the protocol's). A patient
    whose follow-up has ended is not expected to log, so is never silent."""
    logged = [e.date for e in entries if e.date <= as_of]
    since = max(logged) if logged else plan.surgery_date
    phase = plan.phase_on(as_of)
    allowed = (phase.phase.missed_log_days if phase else None) or plan.protocol.thresholds.missed_log_days
    days = max(0, (as_of - since).days)
    followed = discharged_on is None or discharged_on > as_of
    return {"days_since_last_entry": days, "last_entry": max(logged).isoformat() if logged else None,
            "missed_log_days": allowed, "silent": followed and phase is not None and days > allowed}


def summary_row(report: dict) -> dict:
    """A row of the --all "who needs attention" table: its flags are the open ones, those
    `today` shows (not acknowledged; other than red flags, from the last 7 days)."""
    counts = report.get("open_flag_counts") or {}
    patient = report["patient"]
    return {
        "patient_id": patient["id"],
        "name": patient["name"],
        "urgent": counts.get("urgent", 0),
        "warning": counts.get("warning", 0),
        "adherence": report["adherence"]["ratio"],
        "days_logged": report["adherence"]["days_logged"],
        "days_expected": report["adherence"]["days_expected"],
        "longest_gap": report["adherence"]["longest_gap"],
        "latest_pain": report["pain"]["latest"],
        "day": report["day"],
        "phase": report["phase"]["title"] if report["phase"] else None,
        "silent_days": report["silence"]["days_since_last_entry"] if report.get("silence", {}).get("silent") else None,
        "last_entry": report.get("silence", {}).get("last_entry"),
        "discharged_on": patient.get("discharged_on"),
        **({"problem": report["problem"]} if report.get("problem") else {}),
    }


def attention_order(rows) -> list[dict]:
    """The contract's order: open urgent flags; then patients silent longer than their plan
    allows (longest silence first); then open warnings; then the lowest adherence (no days
    yet: last). Discharged patients come last."""
    def key(row):
        ratio, silent = row["adherence"], row.get("silent_days")
        return (row.get("discharged_on") is not None, -row["urgent"], silent is None, -(silent or 0),
                -row["warning"], ratio is None, ratio or 0.0, row["name"] or "")

    return sorted(rows, key=key)


def _milestones(planned: list[dict], entries: list[Entry], as_of: date) -> list[dict]:
    """The timeline's milestones, each with the first day a log recorded it and whether its
    (first) day has come."""
    reached: dict[str, date] = {}
    for entry in sorted(entries, key=lambda e: e.date):
        if entry.date <= as_of:
            for mid in entry.milestones:
                reached.setdefault(mid, entry.date)
    return [{**m, "reached_on": reached[m["id"]].isoformat() if m["id"] in reached else None,
             "due": m["date"] <= as_of.isoformat()}
            for m in planned]


def outside_plan(plan: Plan, entry: Entry) -> list[str]:
    """What an entry logged outside what the patient's plan allowed that day: "weight_bearing"
    (a level the day does not allow), "activity"."""
    day = plan.on(plan.day_of(entry.date))
    if day is None:
        return []
    return [field for field, outside in (
        ("weight_bearing", entry.weight_bearing not in day.weight_bearing and not _safe_side(entry, day)),
        ("activity", entry.activity is not None and entry.activity not in day.activities)) if outside]


def _below(entry: Entry, day) -> bool:
    """Less weight than the day allows, outside the first phase (where it is the safe side)."""
    below = vocab.wb_rank(entry.weight_bearing) < min(map(vocab.wb_rank, day.weight_bearing))
    return below and not _safe_side(entry, day)


def _safe_side(entry: Entry, day) -> bool:
    """Less weight than the first phase allows (non-weight-bearing on day 1): the safe
    direction after surgery, never a deviation."""
    return day.phase.start_day <= 0 and vocab.wb_rank(entry.weight_bearing) < min(map(vocab.wb_rank, day.weight_bearing))


def _by_phase(plan: tl.Timeline, entries: list[Entry], first: date, last: date) -> list[dict]:
    """For each phase the range touches: what it allows, against what was logged in it (each
    entry against the patient's plan for its day: their team's changes count)."""
    own = as_plan(plan)
    rows = []
    for p in plan.phases:
        if p.start_date > last or (p.end_date is not None and p.end_date < first):
            continue
        rule = p.phase
        inside = [e for e in entries if p.contains(plan.day_of(e.date))]
        days = [own.on(plan.day_of(e.date)) for e in inside]
        levels = Counter(e.weight_bearing for e in inside)
        acts = Counter(e.activity for e in inside if e.activity)
        rows.append({
            "phase": p.id,
            "title": p.title,
            "start_date": p.start_date.isoformat(),
            "end_date": p.end_date.isoformat() if p.end_date else None,
            "allowed": list(rule.weight_bearing.allowed),
            "expected_by_end": rule.weight_bearing.expected_by_end,
            "boot": rule.boot,
            "activities": list(rule.activities),
            # as the printed plan, today and the flags word them ("sport from day 70")
            "activity_labels": plan.activity_labels(p),
            "pain_ceiling": rule.pain_ceiling,
            # Where the team's changes make the phase differ from the protocol, in the words
            # every view's phase row uses ("days 0–6: at most NWB (changed)").
            "changes": [wording.phase_change_dict(f) for f in own.phase_changes(p)],
            "logged": {
                "days": len(inside),
                "weight_bearing": {lvl: levels[lvl] for lvl in vocab.WEIGHT_BEARING if levels[lvl]},
                "latest_weight_bearing": inside[-1].weight_bearing if inside else None,
                "above_allowed": sum(vocab.wb_rank(e.weight_bearing) > vocab.wb_rank(d.most)
                                     for e, d in zip(inside, days)),
                # Less weight than the first phase allows is the safe direction, never counted.
                "below_allowed": sum(_below(e, d) for e, d in zip(inside, days)),
                "boot_worn": sum(e.boot is True for e in inside),
                "boot_off": sum(e.boot is False for e in inside),
                "activities": {a: acts[a] for a in vocab.ACTIVITIES if acts[a]},
                "activity_not_allowed": sum(e.activity is not None and e.activity not in d.activities
                                            for e, d in zip(inside, days)),
                "pain_above_ceiling": sum(e.pain > d.pain_ceiling for e, d in zip(inside, days)),
            },
        })
    return rows


def _mean(values: list[int]) -> float | None:
    return _round(sum(values), len(values), 1) if values else None


def _round(numerator: int, denominator: int, places: int) -> float:
    """Half-up rounding (4.25 -> 4.3), not Python's round-half-even on binary floats."""
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
