"""Flags a clinician can trust (contract): severe and unsettled pain, temperature, act-now
advice with the clinic's numbers, corrections that never erase a red flag, one flag per
episode, missed-log per phase and as of the date asked, discharge, open red flags."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from rehab import wording
from rehab.deviations import evaluate, flags_on, open_flags
from rehab.model import Entry, Revision
from rehab.protocols import find
from rehab.protocols.schema import check
from rehab.timeline import build
from rehab.wording import Contacts
from test_deviations import SURGERY, TL, daily, days_of, entry, on, protocol_dict

# (rule, entries, as_of day, the days the rule must flag: [] = must not flag)
CASES = [
    # pain-severe: 8 or more on two consecutive entries; one flag per run, on its second entry
    ("pain-severe", [entry(3, 8), entry(4, 8)], 4, [4]),
    ("pain-severe", [entry(3, 8), entry(4, 7)], 4, []),
    ("pain-severe", [entry(3, 10)], 3, []),
    ("pain-severe", [entry(3, 9), entry(4, 2), entry(5, 9)], 5, []),
    ("pain-severe", [entry(d, 9) for d in range(3, 13)], 12, [4]),  # 9/10 for ten days: once, urgent
    ("pain-severe", [entry(3, 9), entry(4, 9), entry(5, 3), entry(6, 8), entry(7, 8)], 7, [4, 7]),
    ("pain-severe", [entry(3, 8), entry(9, 8)], 9, [9]),  # consecutive entries, whatever the gap
    # pain-not-settling: above the day's ceiling (6 until day 13) on every entry over 3 days
    ("pain-not-settling", [entry(3, 7), entry(4, 7), entry(5, 7)], 5, [5]),
    ("pain-not-settling", [entry(3, 7), entry(4, 7)], 4, []),
    ("pain-not-settling", [entry(3, 7), entry(4, 6), entry(5, 7)], 5, []),
    ("pain-not-settling", [entry(3, 7), entry(5, 7)], 5, [5]),  # every entry over days 3-5
    ("pain-not-settling", [entry(d, 7) for d in range(3, 20)], 19, [5]),  # once per run
    ("pain-not-settling", [entry(12, 6), entry(13, 6), entry(14, 6)], 14, []),  # ceiling 6, then 5 from day 14
    # pain-above-expected as an episode: one flag per run, dated on its first day
    ("pain-above-expected", [entry(d, 7) for d in range(3, 8)], 7, [3]),
    ("pain-above-expected", [entry(3, 7), entry(4, 7), entry(5, 2), entry(6, 7)], 6, [3, 6]),
    # weight-bearing-behind: five days behind in a row are one flag, not five
    ("weight-bearing-behind", [entry(d, wb="toe-touch") for d in range(17, 22)], 21, [17]),
    ("weight-bearing-behind", daily(17, 18, wb="toe-touch") + daily(19, 19) + daily(20, 21, wb="toe-touch"), 21,
     [17, 20]),
    # weight-bearing-ahead, boot-off-early, activity-ahead: the same
    ("weight-bearing-ahead", daily(5, 9, wb="full"), 9, [5]),
    ("boot-off-early", daily(5, 9, boot=False), 9, [5]),
    ("boot-off-early", [entry(5, boot=False), entry(6), entry(7, boot=False)], 7, [5]),  # not recorded: run goes on
    ("boot-off-early", [entry(5, boot=False), entry(6, boot=True), entry(7, boot=False)], 7, [5, 7]),
    ("activity-ahead", daily(20, 25, activity="sport"), 25, [20]),
    ("activity-ahead", [entry(20, activity="sport"), entry(21, activity="low-impact")], 21, [20]),
    # red-flag from a temperature, with or without the word fever
    ("red-flag", [entry(9, temperature=38.4)], 9, [9]),
    ("red-flag", [entry(9, temperature=38.0)], 9, [9]),
    ("red-flag", [entry(9, temperature=37.9)], 9, []),
    ("red-flag", [entry(9, temperature=38.4, symptoms=("fever",))], 9, [9]),
    # missed-log: 3 days without an entry up to week 6 ...
    ("missed-log", daily(0, 29), 40, [32]),
]


@pytest.mark.parametrize(("rule", "entries", "as_of", "expected"), CASES,
                         ids=[f"{c[0]}-{i}-{'fires' if c[3] else 'quiet'}" for i, c in enumerate(CASES)])
def test_rule_trajectories(rule, entries, as_of, expected):
    assert days_of(evaluate(TL, entries, on(as_of)), rule) == expected


def weekly_plan():
    data = protocol_dict()
    for phase in data["phases"][2:]:
        phase["missed_log_days"] = 7
    return build(check(data), SURGERY)


@pytest.mark.parametrize(("entries", "as_of", "expected"), [
    (daily(0, 41, skip=(38, 39, 40)), 45, [40]),  # days 38-40: still 3 a gap in week 5
    (daily(0, 42) + daily(49, 60), 60, []),  # six empty days from week 6: no reminder
    (daily(0, 42) + daily(50, 60), 60, [49]),  # seven: the phase's own missed_log_days
    # a gap that begins in week 5 is judged by each day's phase: its 3rd day, 42, is in the
    # weekly phase, so it is flagged on its 7th
    (daily(0, 39), 60, [46]),
])
def test_a_phase_sets_its_own_missed_log_days(entries, as_of, expected):
    assert days_of(evaluate(weekly_plan(), entries, on(as_of)), "missed-log") == expected


def test_builtin_plans_ask_for_an_entry_every_3_days_then_weekly():
    tl = build(find("fhl-release"), SURGERY)
    assert days_of(evaluate(tl, daily(0, 20, skip=(10, 11, 12)), on(20)), "missed-log") == [12]
    later = daily(0, 50) + daily(57, 70)
    assert days_of(evaluate(tl, later, on(70)), "missed-log") == []
    assert days_of(evaluate(tl, daily(0, 50) + daily(58, 70), on(70)), "missed-log") == [57]


def test_missed_log_gives_the_gaps_length_as_of_the_date_asked():
    flags = [f for f in evaluate(TL, daily(0, 29), on(30 + 152)) if f.rule == "missed-log"]
    assert len(flags) == 1 and flags[0].date == on(32)
    assert "nothing logged for 152 days, since day 30" in flags[0].message
    closed = [f for f in evaluate(TL, daily(0, 29) + daily(40, 50), on(50)) if f.rule == "missed-log"]
    assert "nothing logged for 10 days, day 30" in closed[0].message and "to day 39" in closed[0].message


def test_discharge_ends_missed_log_reminders():
    entries = daily(0, 29)
    assert days_of(evaluate(TL, entries, on(200)), "missed-log") == [32]
    assert days_of(evaluate(TL, entries, on(200), discharged_on=on(29)), "missed-log") == []
    assert days_of(evaluate(TL, entries, on(200), discharged_on=on(31)), "missed-log") == []
    assert days_of(evaluate(TL, entries, on(200), discharged_on=on(32)), "missed-log") == [32]
    # a confirm milestone due after discharge is not chased either
    assert days_of(evaluate(TL, daily(0, 12), on(40), discharged_on=on(12)), "missed-milestone") == []


# --- act now: plain words, the numbers to call ------------------------------------------------

CLINIC = Contacts(phone="020 7946 0000", out_of_hours_phone="020 7946 0999", emergency_phone="999")


def only(flags, rule):
    (flag,) = [f for f in flags if f.rule == rule]
    return flag


def test_red_flag_says_now_with_the_clinic_numbers():
    message = only(evaluate(TL, [entry(4, symptoms=("cold-toes",))], on(4), contacts=CLINIC), "red-flag").message
    assert "Contact your surgical team now on 020 7946 0000" in message
    assert "If you cannot reach them, call the out-of-hours number, 020 7946 0999" in message
    assert "today" not in message
    chest = only(evaluate(TL, [entry(4, symptoms=("chest-pain",))], on(4), contacts=CLINIC), "red-flag").message
    assert "Call emergency services now (999)" in chest


def test_red_flag_without_a_clinic_file_still_says_whom_to_call():
    message = only(evaluate(TL, [entry(4, symptoms=("bleeding",))], on(4)), "red-flag").message
    assert "Contact your surgical team now." in message
    assert "out-of-hours or urgent care service" in message
    assert wording.EMERGENCY_NUMBERS in message


def test_a_high_temperature_is_a_red_flag_naming_it():
    flag = only(evaluate(TL, [entry(9, temperature=38.4)], on(9), contacts=CLINIC), "red-flag")
    assert flag.severity == "urgent" and flag.subject == "fever"
    assert "a temperature of 38.4 °C" in flag.message and "020 7946 0000" in flag.message
    tuned = build(check(protocol_dict(fever_celsius=38.6)), SURGERY)
    assert days_of(evaluate(tuned, [entry(9, temperature=38.4)], on(9)), "red-flag") == []


def test_pain_severe_is_urgent_and_says_now():
    flag = only(evaluate(TL, [entry(3, 9), entry(4, 9)], on(4), contacts=CLINIC), "pain-severe")
    assert flag.severity == "urgent"
    assert "Contact your surgical team now on 020 7946 0000" in flag.message
    assert "8/10 or more" in flag.message


def test_episode_messages_say_how_long_it_has_lasted():
    entries = [entry(d, wb="toe-touch") for d in range(17, 22)] + [entry(23)]
    flag = only(evaluate(TL, entries, on(23)), "weight-bearing-behind")
    assert flag.date == on(17) and flag.until == on(21)
    assert "Lasted 5 entries over 5 days (days 17–21)." in flag.message
    ongoing = only(evaluate(TL, entries[:3], on(19)), "weight-bearing-behind")
    assert "Lasted 3 entries over 3 days (days 17–19) so far." in ongoing.message
    # one acknowledgement covers the run: its key is the first day's, however long it goes on
    assert ongoing.key == flag.key


def test_an_episode_stays_open_while_it_goes_on():
    entries = daily(0, 16) + [entry(d, wb="toe-touch") for d in range(17, 40)]
    flags = evaluate(TL, entries, on(39))
    done = {m.id for m in TL.milestones}  # as if every milestone was recorded: this is about the episode
    assert [f.rule for f in open_flags(flags, set(), on(39), recorded=done)] == ["weight-bearing-behind"]
    assert open_flags(flags, {only(flags, "weight-bearing-behind").key}, on(39), recorded=done) == []
    assert [f.rule for f in flags_on(TL, entries, on(39))] == ["weight-bearing-behind"]


# --- corrections never erase a red flag -----------------------------------------------------


def revised(original: Entry, when=datetime(2026, 3, 6, 9, 0, tzinfo=timezone.utc)) -> Revision:
    return Revision(original, when)


def test_a_red_flag_corrected_away_stays_marked_corrected():
    first = entry(4, symptoms=("chest-pain",))
    now = entry(4)
    assert days_of(evaluate(TL, [now], on(5)), "red-flag") == []
    flag = only(evaluate(TL, [now], on(5), revisions=[revised(first)]), "red-flag")
    assert flag.corrected and flag.subject == "chest-pain" and flag.severity == "urgent"
    assert "Later corrected" in flag.message and "chest pain" in flag.message
    assert flag.as_dict()["corrected"] is True


def test_a_fever_temperature_corrected_away_stays():
    flag = only(evaluate(TL, [entry(9, temperature=37.1)], on(9), revisions=[revised(entry(9, temperature=38.9))]),
                "red-flag")
    assert flag.corrected and "38.9 °C" in flag.message and "37.1 °C" in flag.message


def test_a_red_flag_still_there_is_not_marked_corrected():
    flag = only(evaluate(TL, [entry(4, 5, symptoms=("bleeding",))], on(4),
                         revisions=[revised(entry(4, 2, symptoms=("bleeding",)))]), "red-flag")
    assert not flag.corrected and "corrected" not in flag.message


def test_an_unacknowledged_red_flag_is_still_open_60_days_later():
    flags = evaluate(TL, daily(0, 3) + [entry(4, symptoms=("calf-pain",))] + daily(5, 64), on(64))
    done = {m.id for m in TL.milestones}  # milestones recorded: this is about the red flag
    assert [f.rule for f in open_flags(flags, set(), on(64), recorded=done)] == ["red-flag"]
    assert open_flags(flags, {only(flags, "red-flag").key}, on(64), recorded=done) == []


def test_after_discharge_an_old_silence_is_no_longer_shown_in_today():
    entries = daily(0, 29)
    flags = evaluate(TL, entries, on(100), discharged_on=on(90))
    done = {m.id for m in TL.milestones}  # milestones recorded: this is about the silence
    assert [f.rule for f in open_flags(flags, set(), on(100), last_logged=on(29), recorded=done)] == ["missed-log"]
    assert open_flags(flags, set(), on(100), last_logged=on(29), discharged_on=on(90)) == []  # missed milestones too
    # before the discharge day it is still shown
    assert len(open_flags(flags, set(), on(89), last_logged=on(29), discharged_on=on(90), recorded=done)) == 1


@pytest.mark.parametrize("contacts", [wording.Contacts(), wording.Contacts("020 7946 0000", "020 7946 0999", "112")],
                         ids=["no-clinic-file", "clinic-numbers"])
def test_the_standing_red_flag_line_says_emergency_first_and_the_team_once(contacts):
    """Issue 18 item 21, in the terminal too (`today`'s GET HELP NOW panel): emergency
    services lead for chest pain or breathlessness; the surgical team is named once, after."""
    for text in (wording.act_now_line(contacts), wording.RED_FLAG_ADVICE):
        lower = text.lower()
        assert lower.index("chest pain") < lower.index("emergency services") < lower.index("surgical team")
        assert text.lower().count("surgical team") == 1
    line = wording.act_now_line(contacts)
    assert f"({contacts.emergency_phone or wording.EMERGENCY_NUMBERS})" in line.split("surgical team")[0]
    if contacts.phone:
        assert f"surgical team now on {contacts.phone}" in line and contacts.out_of_hours_phone in line


def test_corrected_away_names_the_red_flag_values_a_correction_took_away():
    from rehab.deviations import corrected_away

    fever = 38.0
    first = entry(9, symptoms=("fever", "numbness"), temperature=38.6)
    assert corrected_away(entry(9, temperature=37.0), [first], fever) == ["fever", "numbness", "38.6 °C"]
    # what the entry still has is not named; the contract's order, whatever the order logged
    assert corrected_away(entry(9, symptoms=("numbness",), temperature=38.2), [first], fever) == ["fever"]
    assert corrected_away(entry(9, temperature=37.0), [entry(9, symptoms=("numbness", "calf-pain"))],
                          fever) == ["calf-pain", "numbness"]
    # several corrections: every value any earlier version had, the highest fever
    second = entry(9, symptoms=("chest-pain",), temperature=39.1)
    assert corrected_away(entry(9), [first, second], fever) == ["fever", "numbness", "chest-pain", "39.1 °C"]
    # a temperature below the fever line taken away is no red flag; nor a day never corrected
    assert corrected_away(entry(9), [entry(9, temperature=37.9)], fever) == []
    assert corrected_away(entry(9, temperature=38.0), [], fever) == []
    # the protocol's own line: 37.8 is a fever where the line is 37.8
    assert corrected_away(entry(9, temperature=37.0), [entry(9, temperature=37.8)], 37.8) == ["37.8 °C"]
