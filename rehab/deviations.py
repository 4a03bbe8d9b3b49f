"""The deviation engine: what a patient's log says against their plan. Pure: no I/O.

`evaluate` runs every rule of the contract over the entries up to a date and returns flags,
oldest first. Each rule is a small function of a `Context`; every number it compares with
comes from the protocol's `thresholds`, so a surgeon tunes the rules in the protocol file.

Semantics the rules share:

- Day N is surgery date + N days; a phase-based rule skips an entry dated before surgery.
- A flag is a fact about a past day: evaluating as of a later date never removes or moves an
  earlier flag, except where the patient corrects or backdates the log itself.
- A rule that can fire twice on one date tells its flags apart by `subject`; a flag's `key`
  (date, rule, subject) is what acknowledgements are stored under.

Rule by rule (ids and severities from the contract):

- ``red-flag`` (urgent): an entry with any symptom; one flag per entry, subject = the
  symptoms in vocabulary order joined by ",".
- ``pain-above-expected``: pain above the ceiling of the phase the entry falls in.
- ``pain-rising``: pain strictly higher on each of ``pain_rising_entries`` consecutive
  entries whose first and last are at most ``pain_rising_within_days`` days apart. Flagged on
  the entry that completes such a run. A run that keeps rising flags again once it has risen
  ``pain_rising_entries - 1`` more times (so 2,3,4,5,6 with 3 entries flags at 4 and at 6).
- ``pain-spike``: pain at least ``pain_spike`` above the immediately preceding entry, when
  that entry is at most ``SPIKE_LOOKBACK_DAYS`` days earlier.
- ``weight-bearing-ahead``: a level above the most the entry's phase allows.
- ``weight-bearing-behind`` (info): a phase's ``expected_by_end`` becomes a floor once the
  phase has ended and ``weight_bearing_grace_days`` more days have passed, i.e. for entries on
  day d > end_day + grace. The floor is the expected level of the latest phase so ended
  (phases without one are passed over), capped at the most the current phase allows (a
  patient is never behind for not doing more than their phase permits). Within a phase the
  phase's own expectation is never checked, so a patient who moves from the lowest allowed
  level to ``expected_by_end`` by the phase's end, as the plan says, is never flagged.
- ``activity-ahead``: an activity the entry's phase does not list, sport before the
  ``return-to-sport`` milestone opens, or low-impact activity before ``low-impact-activity``
  (each gate only where the protocol has that milestone). The message names the first day
  the activity is allowed.
- ``boot-off-early``: ``boot`` logged as False (not None: None is "not recorded") in a
  phase whose plan keeps the boot on.
- ``missed-milestone``: a milestone with ``confirm: true`` is due by its last day (the end of
  its window, or its day) plus ``missed_milestone_grace_days``. It counts as done if any entry
  dated on or before that last grace day records its id (an early record counts; backdating
  an entry to the day it happened also counts). Otherwise it is flagged on the day after the
  grace ends, the first day it is overdue, once as_of reaches that day; subject = milestone
  id. A record made later does not erase the flag: the milestone was late.
- ``missed-log`` (info): a run of at least ``missed_log_days`` consecutive days without an
  entry, counting the days from surgery (day 0) to the day before as_of: as_of itself, a day
  that may still be logged, never counts. One flag per gap, dated on the gap's
  ``missed_log_days``-th empty day; subject = the gap's first date. A patient with no entries
  at all is flagged once the days since surgery make such a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from rehab import vocab, wording
from rehab.protocols.models import Thresholds
from rehab.model import Entry, flag_key
from rehab.plan import DayPlan, Plan, as_plan
from rehab.timeline import ACTIVITY_GATES, DatedMilestone, DatedPhase, Timeline, stepwise

SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}

# How far back the "previous entry" of a pain spike may be: a rise against an entry older
# than this says little about a sudden change.
SPIKE_LOOKBACK_DAYS = 7

# How long `open_flags` keeps showing a flag (days, as_of included).
OPEN_WINDOW_DAYS = 7
RED_FLAG_WINDOW_DAYS = 14

EMERGENCY_ADVICE = f"{wording.EMERGENCY_NOW}, then tell your surgical team."
SURGICAL_TEAM_ADVICE = "Contact your surgical team today."

# Activities that open with a milestone, where the protocol has it.
ACTIVITY_WORDS = {"rest": "rest", "walking": "walking", "low-impact": "low-impact activity", "sport": "sport"}


class Flag(NamedTuple):
    date: date  # the day the flag is about
    rule: str  # contract rule id
    severity: str  # "info" | "warning" | "urgent"
    message: str  # plain language, cites what the protocol expected
    subject: str = ""  # tells apart two flags of one rule on one date; "" otherwise

    @property
    def key(self) -> tuple[str, str, str]:
        return flag_key(self.date, self.rule, self.subject)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "subject": self.subject,
        }


def flag_document(flag: Flag, acknowledged: dict) -> dict:
    """A flag with its acknowledgement, if it has one (flags --json and reports alike)."""
    ack = acknowledged.get(flag.key)
    return {**flag.as_dict(), "acknowledged": ack is not None,
            "acknowledgement": ack.as_dict() if ack else None}


class PlannedDay(NamedTuple):
    """What the plan says about a day after surgery, as the rules read it for each entry.
    `plan` is the patient's own plan for the day (rehab.plan: the protocol with the changes
    their team recorded); every rule reads the plan through it."""

    phase: DatedPhase
    most: str  # the most weight-bearing allowed that day
    floor: tuple[str, DatedPhase] | None  # _weight_bearing_floor
    activities: frozenset[str]  # allowed that day (activity_allowed)
    plan: DayPlan


@dataclass(frozen=True)
class Context:
    timeline: Plan  # the patient's own plan (a Timeline with their changes)
    entries: tuple[Entry, ...]  # sorted by date, none after as_of
    as_of: date
    thresholds: Thresholds

    @property
    def plan(self) -> str:
        return f"your {self.timeline.protocol.name} plan"

    def day(self, on: date) -> int:
        return self.timeline.day_of(on)

    def when(self, on: date) -> str:
        """'day 13 (Sat 14 Mar 2026)'."""
        return f"day {self.day(on)} ({wording.date_label(on)})"

    def lead(self, on: date, logged: str) -> str:
        """How every message about one entry begins: 'Day 9: full weight-bearing logged'."""
        return f"Day {self.day(on)}: {logged}"

    @cached_property
    def _placed(self) -> tuple[tuple[Entry, PlannedDay], ...]:
        surgery, planned_day = self.timeline.surgery_date, self._planned_day
        placed = []
        for entry in self.entries:
            planned = planned_day((entry.date - surgery).days)  # (day_of without a call per entry)
            if planned is not None:
                placed.append((entry, planned))
        return tuple(placed)

    def placed(self) -> Iterable[tuple[Entry, PlannedDay]]:
        """Each entry with what the plan says about its day (entries before surgery are left out)."""
        return self._placed

    @cached_property
    def _phased(self) -> tuple[tuple[Entry, DatedPhase], ...]:
        return tuple((entry, planned.phase) for entry, planned in self._placed)

    def phased(self) -> Iterable[tuple[Entry, DatedPhase]]:
        """Each entry with the phase it falls in (entries before surgery are left out)."""
        return self._phased

    @cached_property
    def _planned_day(self) -> Callable[[int], PlannedDay | None]:
        """The PlannedDay of day N (None before surgery), worked out once for each stretch of
        days over which it cannot change (timeline.stepwise): it changes only where the phase
        does, where an ended phase's expected level starts to apply, or at a milestone (an
        activity's gate)."""
        tl, grace = self.timeline, self.thresholds.weight_bearing_grace_days

        def planned(day: int) -> PlannedDay | None:
            plan = tl.on(day)
            if plan is None:
                return None
            floor = _weight_bearing_floor(self, day, plan) if plan.behind_checked else None
            return PlannedDay(plan.phase, plan.most, floor, frozenset(plan.activities), plan)

        floors = (p.end_day + grace + 1 for p in tl.phases if p.end_day is not None)
        return stepwise(planned, [*tl.turns, *floors])

    @cached_property
    def _turns(self) -> list[date]:
        """The dates an activity can become allowed: phase starts and milestones."""
        tl = self.timeline
        return sorted({tl.date_of(day) for day in tl.turns})


def _flag(on: date, rule: str, message: str, subject: str = "") -> Flag:
    return Flag(on, rule, SEVERITY[rule], message, subject)


def _until(ctx: Context, phase: DatedPhase) -> str:
    return "from now on" if phase.end_date is None else f"until {ctx.when(phase.end_date)}"


def _while(ctx: Context, planned: PlannedDay, what: str) -> str:
    """How long the plan's value for `what` holds: the phase's end, or the days of the change
    that set it, and who changed it."""
    change = planned.plan.changed(what)
    if change is None:
        return _until(ctx, planned.phase)
    return f"{_change_span(ctx, change)} (changed{_by(change)})"


def _rank(level: str) -> int:
    """A weight-bearing level's rank; -1 for a word outside the vocabulary (never flagged)."""
    return vocab.WB_RANK.get(level, -1)


def _wb(level: str) -> str:
    return vocab.WEIGHT_BEARING_LABEL.get(level, level)


def _plain(symptom: str) -> str:
    return symptom.replace("-", " ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- the rules ---------------------------------------------------------------------------


def rule_red_flag(ctx: Context) -> Iterable[Flag]:
    order = {name: i for i, name in enumerate(vocab.SYMPTOMS)}
    for entry in ctx.entries:
        if not entry.symptoms:
            continue
        symptoms = sorted(set(entry.symptoms), key=lambda s: (order.get(s, len(order)), s))
        meanings = []
        for symptom in symptoms:
            meaning, _ = vocab.SYMPTOMS.get(symptom, (f"{_plain(symptom)} needs to be checked", False))
            if symptom == "fever":
                meaning += f" (a temperature above {ctx.thresholds.fever_celsius:.1f} °C)"
            meanings.append(_sentence(meaning))
        emergency = any(vocab.SYMPTOMS.get(s, ("", False))[1] for s in symptoms)
        message = " ".join(
            [ctx.lead(entry.date, f"you logged {_and([_plain(s) for s in symptoms])}."), *meanings,
             EMERGENCY_ADVICE if emergency else SURGICAL_TEAM_ADVICE]
        )
        yield _flag(entry.date, "red-flag", message, ",".join(symptoms))


def rule_pain_above_expected(ctx: Context) -> Iterable[Flag]:
    for entry, planned in ctx.placed():
        ceiling = planned.plan.pain_ceiling
        if entry.pain > ceiling:
            yield _flag(
                entry.date, "pain-above-expected",
                ctx.lead(entry.date, f"pain {entry.pain}/10 logged; ")
                + f"{ctx.plan} expects pain of {ceiling}/10 or less {_while(ctx, planned, 'pain_ceiling')}. If it stays this high, "
                "tell your surgical team or physiotherapist.",
            )


def rule_pain_rising(ctx: Context) -> Iterable[Flag]:
    size = ctx.thresholds.pain_rising_entries
    within = ctx.thresholds.pain_rising_within_days
    entries = ctx.entries
    last_flagged = None
    rises = 0  # how many entries in a row, up to entry i, had higher pain than the one before
    for i in range(len(entries)):
        rises = rises + 1 if i and entries[i - 1].pain < entries[i].pain else 0
        if rises < size - 1 or (entries[i].date - entries[i - size + 1].date).days > within:
            continue
        if last_flagged is not None and i - last_flagged < size - 1:
            continue
        last_flagged = i
        run = entries[i - size + 1 : i + 1]
        pains = ", ".join(str(e.pain) for e in run)
        yield _flag(
            run[-1].date, "pain-rising",
            ctx.lead(run[-1].date, f"pain has risen on {size} entries in a row ({pains}/10, ")
            + f"days {ctx.day(run[0].date)}–{ctx.day(run[-1].date)}); {ctx.plan} expects pain to settle "
            "over time. Pain that keeps getting worse is worth telling your surgical team about.",
        )


def rule_pain_spike(ctx: Context) -> Iterable[Flag]:
    step = ctx.thresholds.pain_spike
    for before, entry in zip(ctx.entries, ctx.entries[1:]):
        if (entry.date - before.date).days > SPIKE_LOOKBACK_DAYS or entry.pain < before.pain + step:
            continue
        yield _flag(
            entry.date, "pain-spike",
            ctx.lead(entry.date, f"pain jumped from {before.pain}/10 on day {ctx.day(before.date)} ")
            + f"to {entry.pain}/10 (a rise of {step} or more is flagged by {ctx.plan}). Sudden severe "
            "pain, or pain painkillers do not control, is a reason to contact your surgical team.",
        )


def rule_weight_bearing_ahead(ctx: Context) -> Iterable[Flag]:
    for entry, planned in ctx.placed():
        most = planned.most
        if _rank(entry.weight_bearing) <= vocab.WB_RANK[most]:
            continue
        boot = " in the boot" if planned.plan.boot else ""
        yield _flag(
            entry.date, "weight-bearing-ahead",
            ctx.lead(entry.date, f"{_wb(entry.weight_bearing)} logged; {ctx.plan} allows ")
            + f"{_wb(most)}{boot} {_while(ctx, planned, 'weight_bearing')}.",
        )


def _weight_bearing_floor(ctx: Context, day: int, current: DayPlan) -> tuple[str, DatedPhase] | None:
    """The least level expected on `day` and the phase that expects it (see the module doc)."""
    grace = ctx.thresholds.weight_bearing_grace_days
    ended = [
        p for p in ctx.timeline.phases
        if p.end_day is not None and p.end_day + grace < day and p.phase.weight_bearing.expected_by_end
    ]
    if not ended:
        return None
    source = ended[-1]
    level = min(source.phase.weight_bearing.expected_by_end, current.most, key=vocab.wb_rank)
    return level, source


def rule_weight_bearing_behind(ctx: Context) -> Iterable[Flag]:
    for entry, planned in ctx.placed():
        floor = planned.floor
        if floor is None:
            continue
        level, source = floor
        rank = _rank(entry.weight_bearing)
        if rank < 0 or rank >= vocab.WB_RANK[level]:
            continue
        yield _flag(
            entry.date, "weight-bearing-behind",
            ctx.lead(entry.date, f"{_wb(entry.weight_bearing)} logged; {ctx.plan} expected ")
            + f"{_wb(level)} by {ctx.when(source.end_date)}. Recovery varies: mention it to your "
            "physiotherapist or surgical team.",
        )


def activity_allowed(timeline: Timeline, activity: str, on: date) -> bool:
    """Allowed by the patient's plan that day: listed by the day's phase and past its gate
    milestone if the protocol has one (sport waits for the return-to-sport window even where
    the phase lists it), unless a change allowed or forbade it (rehab.plan)."""
    plan = as_plan(timeline).on_date(on)
    return plan is not None and activity in plan.activities


def activities_allowed(timeline: Timeline, on: date) -> list[str]:
    return [a for a in vocab.ACTIVITIES if activity_allowed(timeline, a, on)]


def _activity_allowed(ctx: Context, activity: str, on: date) -> bool:
    return activity_allowed(ctx.timeline, activity, on)


def _change_span(ctx: Context, change) -> str:
    """The days a change to the plan covers, as a message says them."""
    start = ctx.when(ctx.timeline.date_of(change.from_day))
    if change.until_day is None:
        return f"from {start} on"
    return f"from {start} to {ctx.when(ctx.timeline.date_of(change.until_day))}"


def _by(change) -> str:
    return f" by {change.by}" if change.by else " by your team"


def _activity_opens(ctx: Context, activity: str, after: date) -> date | None:
    """The first date after `after` the activity is allowed: it can only change at a phase
    start or a milestone."""
    return next((d for d in ctx._turns if d > after and _activity_allowed(ctx, activity, d)), None)


def rule_activity_ahead(ctx: Context) -> Iterable[Flag]:
    for entry, planned in ctx.placed():
        activity, phase = entry.activity, planned.phase
        if activity is None or activity in planned.activities:
            continue
        word = ACTIVITY_WORDS.get(activity, activity)
        opens = _activity_opens(ctx, activity, entry.date)
        forbidden = planned.plan.changed("activity:" + activity)
        if forbidden is not None:
            why = f"withholds {word} {_change_span(ctx, forbidden)} (changed{_by(forbidden)})"
            why += f"; {word} from {ctx.when(opens)}" if opens else ""
        elif activity in phase.phase.activities:
            gate = ctx.timeline.milestone(ACTIVITY_GATES[activity])
            why = f"allows {word} from {ctx.when(gate.date)}, its {gate.title.lower()} milestone"
        else:
            listed = _and([ACTIVITY_WORDS.get(a, a) for a in phase.phase.activities])
            why = f"allows {listed} {_until(ctx, phase)}"
            why += f", and {word} from {ctx.when(opens)}" if opens else f"; it does not list {word}"
        yield _flag(entry.date, "activity-ahead", ctx.lead(entry.date, f"{word} logged; {ctx.plan} {why}."))


def rule_boot_off_early(ctx: Context) -> Iterable[Flag]:
    for entry, planned in ctx.placed():
        if entry.boot is False and planned.plan.boot:
            yield _flag(
                entry.date, "boot-off-early",
                ctx.lead(entry.date, f"logged without the boot; {ctx.plan} keeps the protective ")
                + f"boot on {_while(ctx, planned, 'boot')}.",
            )


def _overdue(ctx: Context, milestone: DatedMilestone) -> date:
    return milestone.last_date + timedelta(days=ctx.thresholds.missed_milestone_grace_days + 1)


def rule_missed_milestone(ctx: Context) -> Iterable[Flag]:
    for milestone in ctx.timeline.milestones:
        overdue = _overdue(ctx, milestone)
        if not milestone.milestone.confirm or overdue > ctx.as_of:
            continue
        if any(e.date < overdue and milestone.id in e.milestones for e in ctx.entries):
            continue
        yield _flag(
            overdue, "missed-milestone",
            ctx.lead(overdue, f"no record of '{milestone.title}', which {ctx.plan} set for ")
            + f"{ctx.when(milestone.last_date)}. If it has happened, log it with --milestone {milestone.id}; "
            "if it has not, contact your surgical team to arrange it.",
            milestone.id,
        )


def rule_missed_log(ctx: Context) -> Iterable[Flag]:
    need = ctx.thresholds.missed_log_days
    first, end = ctx.timeline.surgery_date.toordinal(), ctx.as_of.toordinal()
    logged = sorted({e.date.toordinal() for e in ctx.entries})
    # Each gap runs from surgery or the day after a logged day to the day before the next
    # logged day or before as_of (days as ordinals).
    start = first
    for after_gap in [*(d for d in logged if first <= d < end), end]:
        if after_gap - start >= need:
            day, since = date.fromordinal(start + need - 1), date.fromordinal(start)
            yield _flag(
                day, "missed-log",
                ctx.lead(day, f"nothing logged for {need} days, since {ctx.when(since)}. ")
                + "A short entry each day lets the plan follow your progress; you can still log "
                "missed days with --date.",
                since.isoformat(),
            )
        start = after_gap + 1


RULES: dict[str, Callable[[Context], Iterable[Flag]]] = {
    "red-flag": rule_red_flag,
    "pain-above-expected": rule_pain_above_expected,
    "pain-rising": rule_pain_rising,
    "pain-spike": rule_pain_spike,
    "weight-bearing-ahead": rule_weight_bearing_ahead,
    "weight-bearing-behind": rule_weight_bearing_behind,
    "activity-ahead": rule_activity_ahead,
    "boot-off-early": rule_boot_off_early,
    "missed-milestone": rule_missed_milestone,
    "missed-log": rule_missed_log,
}

SEVERITY = {rule: "warning" for rule in RULES} | {
    "red-flag": "urgent",
    "weight-bearing-behind": "info",
    "missed-log": "info",
}
_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}


def _urgency(flag: Flag) -> tuple[int, int, str]:
    return (SEVERITY_ORDER[flag.severity], _RULE_ORDER.get(flag.rule, len(_RULE_ORDER)), flag.subject)


# --- the interface -----------------------------------------------------------------------


def evaluate(timeline: Timeline, entries: Sequence[Entry], as_of: date) -> list[Flag]:
    """All flags up to and including as_of, oldest first (ties: urgent first, then rule order).

    Entries after as_of are ignored; entries may arrive unsorted."""
    kept = tuple(sorted((e for e in entries if e.date <= as_of), key=lambda e: e.date))
    ctx = Context(as_plan(timeline), kept, as_of, timeline.protocol.thresholds)
    flags = [flag for rule in RULES.values() for flag in rule(ctx) if flag.date <= as_of]
    return sorted(flags, key=lambda f: (f.date, *_urgency(f)))


def flags_on(timeline: Timeline, entries: Sequence[Entry], on: date) -> list[Flag]:
    """Flags dated `on` (what `rehab log` shows after saving that day's entry), urgent first."""
    return sorted((f for f in evaluate(timeline, entries, on) if f.date == on), key=_urgency)


def open_flags(
    flags: Sequence[Flag],
    acknowledged: set[tuple[str, str, str]],
    as_of: date,
    window_days: int = OPEN_WINDOW_DAYS,
    last_logged: date | None = None,
) -> list[Flag]:
    """What `rehab today` shows: flags not acknowledged, dated in the last `window_days` days
    (as_of and the days before it: as_of - window_days < date <= as_of; red flags stay
    `RED_FLAG_WINDOW_DAYS` days, or window_days if longer), urgent first, then newest first.
    A missed-log gap that is still open (nothing logged on or after its first day, given
    `last_logged`, the date of the latest entry) stays shown however old its flag is: a
    patient who stopped logging weeks ago is the one who most needs the reminder."""

    def still_open(flag: Flag) -> bool:
        return (flag.rule == "missed-log" and flag.date <= as_of
                and (last_logged is None or last_logged < date.fromisoformat(flag.subject)))

    def shown(flag: Flag) -> bool:
        if flag.key in acknowledged:
            return False
        days = max(window_days, RED_FLAG_WINDOW_DAYS) if flag.rule == "red-flag" else window_days
        return 0 <= (as_of - flag.date).days < days or still_open(flag)

    chosen = [f for f in flags if shown(f)]
    return sorted(chosen, key=lambda f: (SEVERITY_ORDER[f.severity], -f.date.toordinal(), *_urgency(f)[1:]))
