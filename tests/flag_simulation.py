"""Seeded simulated patients for the deviation rules: how noisy an adherent log may be
without raising warnings, and how soon each kind of trouble is flagged.

Run it to print the figures (`python3 tests/flag_simulation.py`); test_flag_simulation.py
asserts them.

An adherent patient, for each built-in protocol: logs every day or every other day up to
week 6 and two or three times a week after (never leaving a gap as long as the plan's
`missed_log_days`); pain settles from 4/10 at surgery to 1/10 by week 12, plus a uniform
day-to-day noise of -1, 0 or +1 (never above the phase's ceiling); weight-bearing climbs from
the least the phase allows to what it expects by its end; the boot as the phase says;
walking, then low-impact exercise and sport as their milestones open; milestones to confirm
recorded; a normal temperature now and then.

The trouble patterns change one thing in such a patient:
- rising pain from week 3: one point more every two days from day 21 (logged daily from then);
- fever on day 9: a temperature of 38.4 °C logged that day, without the word fever;
- pain that does not settle: from day 20, one or two points above the day's ceiling, daily;
- silence from day 30: nothing logged after day 29.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from statistics import mean

from rehab import deviations, vocab
from rehab.model import Entry
from rehab.protocols import builtin_ids, find
from rehab.protocols.models import Thresholds
from rehab.timeline import Timeline, build

SURGERY = date(2026, 1, 5)
DAYS = 182  # six months
PATIENTS = 50


def expected_pain(day: int) -> float:
    return 4 - 3 * min(day, 84) / 84


def _level(tl: Timeline, day: int) -> str:
    """From the level already reached (or the least the phase allows) up to what the phase
    expects by its end."""
    dated = tl.phase_of_day(day)
    phase = dated.phase
    allowed = sorted(phase.weight_bearing.allowed, key=vocab.wb_rank)
    target = allowed.index(phase.weight_bearing.expected_by_end or allowed[-1])
    before = _level(tl, dated.start_day - 1) if dated.start_day > 0 else None
    start = allowed.index(before) if before in allowed else 0
    if dated.end_day is None:
        return allowed[target]
    progress = (day - dated.start_day) / max(1, dated.end_day - dated.start_day)
    return allowed[max(start, round(start + progress * (target - start)))]


def _activity(tl: Timeline, on: date) -> str:
    for activity in ("sport", "low-impact"):
        if deviations.activity_allowed(tl, activity, on):
            return activity
    return "walking"


def adherent(tl: Timeline, seed: int, days: int = DAYS) -> list[Entry]:
    rng = random.Random(seed)
    confirm = {m.date: m.id for m in tl.milestones if m.milestone.confirm}
    entries, empty = [], 0
    for day in range(days + 1):
        on = tl.date_of(day)
        phase = tl.phase_of_day(day).phase
        need = phase.missed_log_days or tl.protocol.thresholds.missed_log_days
        chance = 0.8 if day < 42 else 0.35
        due = on in confirm
        if not (due or day == 0 or empty + 1 >= need - 1 or rng.random() < chance):
            empty += 1
            continue
        empty = 0
        pain = round(expected_pain(day)) + rng.choice((-1, 0, 1))
        pain = max(0, min(pain, phase.pain_ceiling))
        temperature = round(rng.uniform(36.2, 37.4), 1) if rng.random() < 0.2 else None
        entries.append(Entry(on, pain, _level(tl, day), phase.boot, _activity(tl, on), (),
                             (confirm[on],) if due else (), None, temperature))
    return entries


def _daily_from(tl: Timeline, entries: list[Entry], first: int, pain: Callable[[int, int], int],
                days: int = DAYS) -> list[Entry]:
    """The log up to day first-1, then an entry every day with the pain `pain(day, usual)`."""
    by_day = {tl.day_of(e.date): e for e in entries}
    kept = [e for e in entries if tl.day_of(e.date) < first]
    for day in range(first, days + 1):
        on = tl.date_of(day)
        phase = tl.phase_of_day(day).phase
        usual = by_day.get(day)
        base = usual or Entry(on, round(expected_pain(day)), _level(tl, day), phase.boot, _activity(tl, on))
        kept.append(base._replace(pain=max(0, min(10, pain(day, base.pain)))))
    return kept


def rising_from_week_3(tl: Timeline, seed: int) -> tuple[list[Entry], int]:
    rng = random.Random(seed)
    log = _daily_from(tl, adherent(tl, seed), 21,
                      lambda day, usual: round(expected_pain(day)) + (day - 21) // 2 + rng.choice((-1, 0, 1)))
    return log, 21


def fever_on_day_9(tl: Timeline, seed: int) -> tuple[list[Entry], int]:
    log = [e for e in adherent(tl, seed) if tl.day_of(e.date) != 9]
    on = tl.date_of(9)
    log.append(Entry(on, 3, _level(tl, 9), True, "walking", (), (), None, 38.4))
    return sorted(log, key=lambda e: e.date), 9


def not_settling_from_day_20(tl: Timeline, seed: int) -> tuple[list[Entry], int]:
    rng = random.Random(seed)
    log = _daily_from(tl, adherent(tl, seed), 20,
                      lambda day, usual: tl.phase_of_day(day).phase.pain_ceiling + rng.choice((1, 2)))
    return log, 20


def silent_from_day_30(tl: Timeline, seed: int) -> tuple[list[Entry], int]:
    log = [e for e in adherent(tl, seed) if tl.day_of(e.date) < 29]
    day29 = tl.date_of(29)
    log.append(Entry(day29, 2, _level(tl, 29), False, _activity(tl, day29)))
    return log, 30


# pattern: (make the log, the rule that must flag it, how many days after onset it may take,
# as the defaults imply)
def _bounds(t) -> dict:
    return {
        # rising a point every 2 days: the trend climbs pain_rise points, plus 2 that the +-1
        # noise can hide (one each end), in 2 days a point; then pain_rising_entries - 1 more
        # entries (daily) complete the run
        "rising pain from week 3": (rising_from_week_3, "pain-rising",
                                    2 * (t.pain_rise + 2) + t.pain_rising_entries - 1),
        "fever on day 9": (fever_on_day_9, "red-flag", 0),
        "pain that does not settle": (not_settling_from_day_20, "pain-not-settling",
                                      t.pain_not_settling_days - 1),
        # the gap reaches the phase's missed_log_days (3 in weeks 2-6) on its last empty day
        "silence from day 30": (silent_from_day_30, "missed-log", t.missed_log_days - 1),
    }


def adherent_figures(protocol_id: str, patients: int = PATIENTS, contract_defaults: bool = False) -> dict:
    """`contract_defaults`: with the contract's default thresholds instead of the protocol's."""
    protocol = find(protocol_id)
    if contract_defaults:
        protocol = replace(protocol, thresholds=Thresholds())
    tl = build(protocol, SURGERY)
    warnings, urgent, by_rule = [], 0, {}
    for seed in range(patients):
        flags = deviations.evaluate(tl, adherent(tl, seed), tl.date_of(DAYS))
        warnings.append(sum(f.severity == "warning" for f in flags))
        urgent += sum(f.severity == "urgent" for f in flags)
        for f in flags:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {"protocol": protocol_id, "mean_warnings": mean(warnings), "urgent": urgent, "by_rule": by_rule}


def trouble_figures(protocol_id: str, patients: int = PATIENTS) -> list[dict]:
    tl = build(find(protocol_id), SURGERY)
    rows = []
    for name, (make, rule, bound) in _bounds(tl.protocol.thresholds).items():
        delays = []
        for seed in range(patients):
            log, onset = make(tl, 1000 + seed)
            flagged = [tl.day_of(f.date) - onset for f in deviations.evaluate(tl, log, tl.date_of(DAYS))
                       if f.rule == rule and tl.day_of(f.date) >= onset]
            delays.append(min(flagged) if flagged else None)
        caught = [d for d in delays if d is not None]
        rows.append({"protocol": protocol_id, "pattern": name, "rule": rule, "bound_days": bound,
                     "flagged": len(caught), "patients": patients,
                     "worst_days": max(caught) if caught else None,
                     "mean_days": round(mean(caught), 2) if caught else None,
                     "within_bound": sum(d <= bound for d in caught)})
    return rows


def main() -> None:
    for pid in sorted(builtin_ids()):
        a = adherent_figures(pid)
        print(f"{pid}: adherent x{PATIENTS}, six months: {a['mean_warnings']:.2f} warnings each on average, "
              f"{a['urgent']} urgent; by rule {a['by_rule']}")
        d = adherent_figures(pid, contract_defaults=True)
        print(f"  (with the contract's default thresholds, pain_rise 2: {d['mean_warnings']:.2f} warnings each, "
              f"{d['urgent']} urgent; by rule {d['by_rule']})")
        for row in trouble_figures(pid):
            print(f"  {row['pattern']}: {row['rule']} for {row['flagged']}/{row['patients']}, "
                  f"{row['within_bound']} within {row['bound_days']} days of onset "
                  f"(mean {row['mean_days']}, worst {row['worst_days']})")


if __name__ == "__main__":
    sys.exit(main())
