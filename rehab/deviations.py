"""The deviation engine: what a patient's log says against their plan. Pure: no I/O.

`evaluate` runs every rule of the contract over the entries up to a date and returns flags,
oldest first. Each rule is a small function of a `Context`; every number it compares with
comes from the protocol's `thresholds` (or its phases), so a surgeon tunes the rules in the
protocol file. What the plan says about an entry's day is read through one accessor each
(`ctx.ceiling`, `ctx.boot`, `PlannedDay.most`, `PlannedDay.activities`).

Semantics the rules share:

- Day N is surgery date + N days; a phase-based rule skips an entry dated before surgery.
- A flag is a fact about a past day: evaluating as of a later date never removes or moves an
  earlier flag, except where the patient backdates the log itself. Corrections never erase
  a red flag (the day's revisions are read too).
- A rule that can fire twice on one date tells its flags apart by `subject`; a flag's `key`
  (date, rule, subject) is what acknowledgements are stored under.
- Episodes: `pain-above-expected`, `weight-bearing-ahead`, `weight-bearing-behind`,
  `activity-ahead` and `boot-off-early` raise one flag per run of consecutive entries that
  break the rule (an entry that keeps to the plan ends the run; an entry that cannot be
  judged, such as one without the boot recorded, neither breaks nor ends it). The flag is
  dated on the run's first day, `until` is its last, and the message says how long it lasted.

Rule by rule (ids and severities from the contract):

- ``red-flag`` (urgent): a day with any red-flag symptom or a temperature at or above
  ``fever_celsius``, in the entry or in any earlier version of it (a correction is said,
  never erased); subject = the symptoms in vocabulary order joined by "," (a high
  temperature counts as ``fever``). The message says whom to contact now, with the clinic's
  numbers when the caller passes them (`Contacts`).
- ``pain-severe`` (urgent): pain at or above ``severe_pain`` on two consecutive entries;
  one flag per run, dated on the entry that makes it two.
- ``pain-above-expected``: pain above the day's ceiling (an episode rule).
- ``pain-not-settling``: pain above the day's ceiling on every entry over
  ``pain_not_settling_days`` consecutive days; one per run, dated when the run reaches them.
- ``pain-rising``: an entry is "raised" when its pain is at least ``pain_rise`` above the
  lowest pain logged in the ``pain_rising_within_days`` days before it; flagged when
  ``pain_rising_entries`` consecutive entries are raised, on the entry that completes them,
  once per run of raised entries. A plateau keeps the low in view, so it does not reset;
  one bad day that settles on the next entry is not a run.
- ``pain-spike``: pain at least ``pain_spike`` above the immediately preceding entry, when
  that entry is at most ``SPIKE_LOOKBACK_DAYS`` days earlier.
- ``weight-bearing-ahead``: a level above the most the day's plan allows.
- ``weight-bearing-behind`` (info): a phase's ``expected_by_end`` becomes a floor once the
  phase has ended and ``weight_bearing_grace_days`` more days have passed, i.e. for entries on
  day d > end_day + grace. The floor is the expected level of the latest phase so ended
  (phases without one are passed over), capped at the most the current day allows (a
  patient is never behind for not doing more than their plan permits).
- ``activity-ahead``: an activity the day's plan does not allow (sport before the
  ``return-to-sport`` milestone, low-impact before ``low-impact-activity``, where the
  protocol has them). The message names the first day the activity is allowed. Sport from
  day 42 (week 6) until its window is ``info`` ("as tolerated", seed 000) unless withheld.
- ``boot-off-early``: ``boot`` logged as False (None is "not recorded") on a day whose plan
  keeps the boot on.
- ``missed-milestone``: a milestone with ``confirm: true`` is due by its last day plus
  ``missed_milestone_grace_days``; a record dated on or before that last grace day counts.
  Otherwise flagged on the first day it is overdue; subject = milestone id.
- ``missed-log`` (info): a run of days without an entry, counted from surgery (day 0) to the
  day before as_of (as_of itself may still be logged), flagged once per gap on the day the
  gap reaches the ``missed_log_days`` of the phase that day falls in (the protocol's
  threshold where the phase sets none); subject = the gap's first date. The message gives
  the gap's length as of the date asked. After discharge no day counts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from rehab import vocab, wording
from rehab.protocols.models import Thresholds
from rehab.model import Entry, Revision, flag_key
from rehab.plan import DayPlan, Plan, as_plan
from rehab.timeline import ACTIVITY_GATES, DatedMilestone, DatedPhase, Timeline, stepwise
from rehab.wording import Contacts

SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}

# How far back the "previous entry" of a pain spike may be: a rise against an entry older
# than this says little about a sudden change.
SPIKE_LOOKBACK_DAYS = 7

# How long `open_flags` keeps showing a flag other than a red flag (days, as_of included),
# counted from the last day of its episode. A red flag stays until acknowledged.
OPEN_WINDOW_DAYS = 7

# Activities that open with a milestone, where the protocol has it.
class Flag(NamedTuple):
    date: date  # the day the flag is about (an episode's first day)
    rule: str  # contract rule id
    severity: str  # "info" | "warning" | "urgent"
    message: str  # plain language, cites what the protocol expected, says what to do
    subject: str = ""  # tells apart two flags of one rule on one date; "" otherwise
    until: date | None = None  # an episode's last day (None: a one-day flag)
    corrected: bool = False  # a red flag whose symptom or temperature was later corrected away

    @property
    def key(self) -> tuple[str, str, str]:
        return flag_key(self.date, self.rule, self.subject)

    @property
    def last_date(self) -> date:
        return self.until or self.date

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "subject": self.subject,
            "until": self.until.isoformat() if self.until else None,
            "corrected": self.corrected,
        }


def flag_document(flag: Flag, acknowledged: dict, replaced: Sequence = ()) -> dict:
    """A flag with its acknowledgement, if it has one (flags --json and reports alike), and
    the acknowledgement's earlier versions (`replaced`: the patient's AcknowledgementRevisions)
    as "earlier", oldest first: a note changed with --replace is never lost from view."""
    ack = acknowledged.get(flag.key)
    shown = None
    if ack is not None:
        shown = {**ack.as_dict(), "earlier": [r.as_dict() for r in replaced if r.acknowledgement.key == ack.key]}
    return {**flag.as_dict(), "acknowledged": ack is not None, "acknowledgement": shown}


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
    revisions: tuple[Revision, ...] = ()  # earlier versions of the entries, none after as_of
    contacts: Contacts = Contacts()
    discharged_on: date | None = None

    @property
    def plan(self) -> str:
        return f"your {self.timeline.protocol.name} plan"

    # What the plan says about an entry's day: one accessor each, so every rule reads the
    # same value (and the patient's own plan, where it differs, is read in one place).

    def ceiling(self, planned: PlannedDay) -> int:
        return planned.plan.pain_ceiling

    def boot(self, planned: PlannedDay) -> bool:
        return planned.plan.boot

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

    def missed_log_days(self, day: int) -> int:
        """Days without an entry before a reminder, on day N: the phase's, else the protocol's."""
        phase = self.timeline.phase_of_day(day)
        own = phase.phase.missed_log_days if phase is not None else None
        return own or self.thresholds.missed_log_days


def _flag(on: date, rule: str, message: str, subject: str = "", until: date | None = None,
          corrected: bool = False) -> Flag:
    return Flag(on, rule, SEVERITY[rule], message, subject, until, corrected)


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


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


# --- episodes: runs of consecutive entries breaking one rule --------------------------------

Placed = tuple[Entry, PlannedDay]


def _runs(ctx: Context, breaks: Callable[[Entry, PlannedDay], bool | None]) -> list[list[Placed]]:
    """Runs of consecutive entries for which `breaks` is True; False ends a run, None (cannot
    be judged) neither breaks nor ends it."""
    runs: list[list[Placed]] = []
    current: list[Placed] | None = None
    for entry, planned in ctx.placed():
        verdict = breaks(entry, planned)
        if verdict is None:
            continue
        if verdict:
            if current is None:
                current = []
                runs.append(current)
            current.append((entry, planned))
        else:
            current = None
    return runs


def _lasted(ctx: Context, run: list[Placed]) -> str:
    """How long an episode has lasted, as of the latest entry: 'Lasted 3 entries over 5 days
    (days 9–13) so far.'"""
    first, last = run[0][0].date, run[-1][0].date
    ongoing = bool(ctx.entries) and ctx.entries[-1].date == last
    span = (last - first).days + 1
    entries = _plural(len(run), "entry", "entries")
    length = (f"{entries} over {_plural(span, 'day')} (days {ctx.day(first)}–{ctx.day(last)})" if span > 1
              else f"{entries} (day {ctx.day(first)})")
    return f"Lasted {length}{' so far' if ongoing else ''}."


def _episodes(ctx: Context, rule: str, breaks, message: Callable[[Entry, PlannedDay], str]) -> Iterable[Flag]:
    for run in _runs(ctx, breaks):
        entry, planned = run[0]
        last = run[-1][0].date
        yield _flag(entry.date, rule, f"{message(entry, planned)} {_lasted(ctx, run)}",
                    until=last if last != entry.date else None)


# --- the rules ---------------------------------------------------------------------------


def rule_red_flag(ctx: Context) -> Iterable[Flag]:
    order = {name: i for i, name in enumerate(vocab.SYMPTOMS)}
    fever_line = ctx.thresholds.fever_celsius
    earlier: dict[date, list[Entry]] = {}
    for revision in ctx.revisions:
        earlier.setdefault(revision.entry.date, []).append(revision.entry)

    def signs(entry: Entry) -> set[str]:
        found = set(entry.symptoms)
        if entry.temperature is not None and entry.temperature >= fever_line:
            found.add("fever")
        return found

    for entry in ctx.entries:
        versions = [*earlier.get(entry.date, ()), entry]
        now = signs(entry)
        ever = set().union(*(signs(v) for v in versions))
        if not ever:
            continue
        symptoms = sorted(ever, key=lambda s: (order.get(s, len(order)), s))
        gone = [s for s in symptoms if s not in now]
        highest = max((v.temperature for v in versions if v.temperature is not None), default=None)
        named = set().union(*(v.symptoms for v in versions))  # a high temperature alone is no "fever" logged
        logged = [_plain(s) for s in symptoms if s in named]
        if highest is not None and highest >= fever_line:
            logged.append(f"a temperature of {highest:.1f} °C")
        # signs that mean the same are named together: "blood clot in the leg (DVT)" once
        meanings = wording.symptom_meanings(symptoms, f" (a temperature of {fever_line:.1f} °C or more)")
        emergency = any(vocab.SYMPTOMS.get(s, ("", False))[1] for s in symptoms)
        parts = [ctx.lead(entry.date, f"you logged {wording.and_list(logged)}."), *meanings,
                 wording.act_now(ctx.contacts, emergency)]
        if gone:
            parts.append(f"Later corrected: the entry no longer records {wording.and_list([_correction(s, entry) for s in gone])}; "
                         "this flag stays until someone acknowledges it.")
        yield _flag(entry.date, "red-flag", " ".join(parts), ",".join(symptoms), corrected=bool(gone))


def corrected_away(entry: Entry, earlier: Sequence[Entry], fever_celsius: float) -> list[str]:
    """The red-flag values a day's earlier versions had that its entry no longer has, as
    the history shows them: the symptoms taken away, in the contract's order, then the
    highest fever temperature if the entry no longer records a fever ("fever", "38.6 °C").
    [] for a day never corrected or corrected without taking a red flag away."""
    order = {name: i for i, name in enumerate(vocab.SYMPTOMS)}
    gone = {s for version in earlier for s in version.symptoms} - set(entry.symptoms)
    values = sorted(gone, key=lambda s: (order.get(s, len(order)), s))
    fevers = [v.temperature for v in earlier if v.temperature is not None and v.temperature >= fever_celsius]
    if fevers and (entry.temperature is None or entry.temperature < fever_celsius):
        values.append(f"{max(fevers):.1f} °C")
    return values


def _correction(symptom: str, entry: Entry) -> str:
    if symptom == "fever" and entry.temperature is not None:
        return f"a fever (temperature now {entry.temperature:.1f} °C)"
    return _plain(symptom)


def rule_pain_severe(ctx: Context) -> Iterable[Flag]:
    severe = ctx.thresholds.severe_pain
    entries = ctx.entries
    run = 0
    for i, entry in enumerate(entries):
        run = run + 1 if entry.pain >= severe else 0
        if run != 2:
            continue
        before = entries[i - 1]
        yield _flag(
            entry.date, "pain-severe",
            ctx.lead(entry.date, f"pain {entry.pain}/10, after {before.pain}/10 on day {ctx.day(before.date)}: ")
            + f"severe pain on two entries in a row ({ctx.plan} treats {severe}/10 or more as severe). "
            + "Severe pain, or pain painkillers do not control, needs checking: " + wording.act_now(ctx.contacts, False),
        )


def rule_pain_above_expected(ctx: Context) -> Iterable[Flag]:
    def breaks(entry, planned):
        return entry.pain > ctx.ceiling(planned)

    def message(entry, planned):
        return (ctx.lead(entry.date, f"pain {entry.pain}/10 logged; ")
                + f"{ctx.plan} expects pain of {ctx.ceiling(planned)}/10 or less {_while(ctx, planned, 'pain_ceiling')}. "
                "If it stays this high, tell your surgical team or physiotherapist.")

    yield from _episodes(ctx, "pain-above-expected", breaks, message)


def rule_pain_not_settling(ctx: Context) -> Iterable[Flag]:
    need = ctx.thresholds.pain_not_settling_days
    for run in _runs(ctx, lambda entry, planned: entry.pain > ctx.ceiling(planned)):
        first = run[0][0]
        done = next((e for e, _ in run if (e.date - first.date).days + 1 >= need), None)
        if done is None:
            continue
        upto = [(e, p) for e, p in run if e.date <= done.date]
        highest = max(e.pain for e, _ in upto)
        ceiling = ctx.ceiling(run[0][1])
        yield _flag(
            done.date, "pain-not-settling",
            ctx.lead(done.date, f"pain has stayed above {ctx.plan}'s {ceiling}/10 on every entry for ")
            + f"{_plural((done.date - first.date).days + 1, 'day')} (days {ctx.day(first.date)}–{ctx.day(done.date)}, "
            f"{_plural(len(upto), 'entry', 'entries')}, highest {highest}/10). Pain that does not settle after a few "
            "days of rest needs checking: contact your surgical team or physiotherapist.",
        )


def rule_pain_rising(ctx: Context) -> Iterable[Flag]:
    t = ctx.thresholds
    entries, within, rise, size = ctx.entries, t.pain_rising_within_days, t.pain_rise, t.pain_rising_entries
    run = 0  # consecutive raised entries up to entry i
    start = 0  # the first entry within the window of entry i
    for i, entry in enumerate(entries):
        while entries[start].date < entry.date - timedelta(days=within):
            start += 1
        window = entries[start:i]
        low = min(window, key=lambda e: (e.pain, e.date), default=None)
        raised = low is not None and entry.pain >= low.pain + rise
        run = run + 1 if raised else 0
        if run != size:
            continue
        pains = ", ".join(f"{e.pain}" for e in entries[i - size + 1 : i + 1])
        yield _flag(
            entry.date, "pain-rising",
            ctx.lead(entry.date, f"pain has been {rise} or more points above its low of {low.pain}/10 ")
            + f"(day {ctx.day(low.date)}) on {size} entries in a row ({pains}/10); {ctx.plan} expects pain to "
            "settle over time. Pain that keeps getting worse is worth telling your surgical team about.",
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
    def breaks(entry, planned):
        return _rank(entry.weight_bearing) > vocab.WB_RANK[planned.most]

    def message(entry, planned):
        boot = " in the boot" if ctx.boot(planned) else ""
        return (ctx.lead(entry.date, f"{_wb(entry.weight_bearing)} logged; {ctx.plan} allows ")
                + f"{_wb(planned.most)}{boot} {_while(ctx, planned, 'weight_bearing')}.")

    yield from _episodes(ctx, "weight-bearing-ahead", breaks, message)


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
    def breaks(entry, planned):
        if planned.floor is None:
            return False
        rank = _rank(entry.weight_bearing)
        return 0 <= rank < vocab.WB_RANK[planned.floor[0]]

    def message(entry, planned):
        level, source = planned.floor
        return (ctx.lead(entry.date, f"{_wb(entry.weight_bearing)} logged; {ctx.plan} expected ")
                + f"{_wb(level)} by {ctx.when(source.end_date)}. Recovery varies: mention it to your "
                "physiotherapist or surgical team.")

    yield from _episodes(ctx, "weight-bearing-behind", breaks, message)


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


# Seed 000: "6-12 weeks: return to daily activity and sport as tolerated"; sport from week 6
# until the return-to-sport window opens is earlier than usual, not against the plan.
SPORT_AS_TOLERATED_FROM_DAY = 42


def _early_sport(ctx: Context, entry: Entry, planned: PlannedDay) -> bool:
    """Sport from week 6 before its window, unless the team's change withholds it: info."""
    return (entry.activity == "sport" and ctx.timeline.day_of(entry.date) >= SPORT_AS_TOLERATED_FROM_DAY
            and planned.plan.changed("activity:sport") is None)


def rule_activity_ahead(ctx: Context) -> Iterable[Flag]:
    for early in (False, True):
        def breaks(entry, planned, early=early):
            if entry.activity is None:
                return None
            return entry.activity not in planned.activities and _early_sport(ctx, entry, planned) is early

        def message(entry, planned, early=early):
            text = _activity_message(ctx, entry, planned)
            return text + " Earlier than usual; as tolerated." if early else text

        for flag in _episodes(ctx, "activity-ahead", breaks, message):
            yield flag._replace(severity="info") if early else flag


def _activity_message(ctx: Context, entry: Entry, planned: PlannedDay) -> str:
    activity, phase = entry.activity, planned.phase
    word = vocab.ACTIVITY_WORDS.get(activity, activity)
    opens = _activity_opens(ctx, activity, entry.date)
    forbidden = planned.plan.changed("activity:" + activity)
    if forbidden is not None:
        why = f"withholds {word} {_change_span(ctx, forbidden)} (changed{_by(forbidden)})"
        why += f"; {word} from {ctx.when(opens)}" if opens else ""
    elif activity in phase.phase.activities:
        gate = ctx.timeline.milestone(ACTIVITY_GATES[activity])
        why = f"allows {word} from {ctx.when(gate.date)}, its {gate.title.lower()} milestone"
    else:
        listed = wording.and_list([vocab.ACTIVITY_WORDS.get(a, a) for a in phase.phase.activities])
        why = f"allows {listed} {_until(ctx, phase)}"
        why += f", and {word} from {ctx.when(opens)}" if opens else f"; it does not list {word}"
    return ctx.lead(entry.date, f"{word} logged; {ctx.plan} {why}.")


def rule_boot_off_early(ctx: Context) -> Iterable[Flag]:
    def breaks(entry, planned):
        if entry.boot is None:
            return None
        return entry.boot is False and ctx.boot(planned)

    def message(entry, planned):
        return (ctx.lead(entry.date, f"logged without the boot; {ctx.plan} keeps the protective ")
                + f"boot on {_while(ctx, planned, 'boot')}.")

    yield from _episodes(ctx, "boot-off-early", breaks, message)


def _overdue(ctx: Context, milestone: DatedMilestone) -> date:
    return milestone.last_date + timedelta(days=ctx.thresholds.missed_milestone_grace_days + 1)


def rule_missed_milestone(ctx: Context) -> Iterable[Flag]:
    for milestone in ctx.timeline.milestones:
        overdue = _overdue(ctx, milestone)
        if not milestone.milestone.confirm or overdue > ctx.as_of:
            continue
        if ctx.discharged_on is not None and overdue > ctx.discharged_on:
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
    surgery = ctx.timeline.surgery_date
    first, end = surgery.toordinal(), ctx.as_of.toordinal()
    if ctx.discharged_on is not None:  # follow-up ended: no day after it counts
        end = min(end, ctx.discharged_on.toordinal() + 1)
    logged = sorted({e.date.toordinal() for e in ctx.entries})
    need = ctx.missed_log_days
    # Each gap runs from surgery or the day after a logged day to the day before the next
    # logged day or before as_of (days as ordinals).
    start = first
    for after_gap in [*(d for d in logged if first <= d < end), end]:
        reached = next((d for d in range(start, after_gap) if d - start + 1 >= need(d - first)), None)
        if reached is not None:
            day, since = date.fromordinal(reached), date.fromordinal(start)
            length = after_gap - start
            still = after_gap == end and end == ctx.as_of.toordinal()
            told = (f"nothing logged for {_plural(length, 'day')}, since {ctx.when(since)}" if still else
                    f"nothing logged for {_plural(length, 'day')}, {ctx.when(since)} to {ctx.when(date.fromordinal(after_gap - 1))}")
            yield _flag(
                day, "missed-log",
                ctx.lead(day, f"{told}; {ctx.plan} asks for an entry at least every "
                         f"{_plural(need(reached - first), 'day')} at this stage. ")
                + "A short entry lets the plan follow your progress; you can still log missed days with --date.",
                since.isoformat(),
            )
        start = after_gap + 1


RULES: dict[str, Callable[[Context], Iterable[Flag]]] = {
    "red-flag": rule_red_flag,
    "pain-severe": rule_pain_severe,
    "pain-above-expected": rule_pain_above_expected,
    "pain-not-settling": rule_pain_not_settling,
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
    "pain-severe": "urgent",
    "weight-bearing-behind": "info",
    "missed-log": "info",
}
_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}


def _urgency(flag: Flag) -> tuple[int, int, str]:
    return (SEVERITY_ORDER[flag.severity], _RULE_ORDER.get(flag.rule, len(_RULE_ORDER)), flag.subject)


# --- the interface -----------------------------------------------------------------------


def evaluate(timeline: Timeline, entries: Sequence[Entry], as_of: date, *, revisions: Sequence[Revision] = (),
             contacts: Contacts | None = None, discharged_on: date | None = None) -> list[Flag]:
    """All flags up to and including as_of, oldest first (ties: urgent first, then rule order).

    Entries after as_of are ignored; entries may arrive unsorted. `revisions` are the
    entries' earlier versions (Store.revisions): a red flag corrected away stays. `contacts`
    are the clinic's numbers for the messages; `discharged_on` ends missed-log reminders."""
    kept = tuple(sorted((e for e in entries if e.date <= as_of), key=lambda e: e.date))
    earlier = tuple(r for r in revisions if r.entry.date <= as_of)
    ctx = Context(as_plan(timeline), kept, as_of, timeline.protocol.thresholds, earlier, contacts or Contacts(),
                  discharged_on)
    flags = [flag for rule in RULES.values() for flag in rule(ctx) if flag.date <= as_of]
    return sorted(flags, key=lambda f: (f.date, *_urgency(f)))


def flags_on(timeline: Timeline, entries: Sequence[Entry], on: date, **given) -> list[Flag]:
    """Flags about `on` (what `rehab log` shows after saving that day's entry), urgent first:
    those dated that day and the episodes it continues."""
    return sorted((f for f in evaluate(timeline, entries, on, **given) if on in (f.date, f.until)), key=_urgency)


def open_flags(
    flags: Sequence[Flag],
    acknowledged: set[tuple[str, str, str]],
    as_of: date,
    window_days: int = OPEN_WINDOW_DAYS,
    last_logged: date | None = None,
    discharged_on: date | None = None,
    recorded: Collection[str] = (),
) -> list[Flag]:
    """What `rehab today` shows: flags not acknowledged, urgent first, then newest first.
    A red flag stays until acknowledged, however old. Other flags stay for `window_days` days
    after the last day of their episode (as_of - window_days < last day <= as_of). A
    missed-log gap that is still open (nothing logged on or after its first day, given
    `last_logged`, the date of the latest entry) stays shown however old its flag is: a
    patient who stopped logging weeks ago is the one who most needs the reminder, until
    follow-up ends (`discharged_on` on or before as_of). Likewise a missed milestone (a wound
    check nobody recorded) stays until it is recorded (its id among `recorded`, the
    milestones logged up to as_of) or acknowledged."""

    def still_open(flag: Flag) -> bool:
        if discharged_on is not None and discharged_on <= as_of:
            return False
        if flag.rule == "missed-milestone":
            return flag.subject not in recorded
        return (flag.rule == "missed-log" and flag.date <= as_of
                and (last_logged is None or last_logged < date.fromisoformat(flag.subject)))

    def shown(flag: Flag) -> bool:
        if flag.key in acknowledged or flag.date > as_of:
            return False
        if flag.rule == "red-flag":
            return True
        return (as_of - flag.last_date).days < window_days or still_open(flag)

    chosen = [f for f in flags if shown(f)]
    return sorted(chosen, key=lambda f: (SEVERITY_ORDER[f.severity], -f.date.toordinal(), *_urgency(f)[1:]))
