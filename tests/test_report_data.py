"""rehab.report: every number of a progress report, against fixtures computed by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab import report
from rehab import timeline as tl
from rehab.deviations import Flag
from rehab.protocols import find
from rehab.model import Acknowledgement, Entry, Patient, PatientRecord

FHL = find("fhl-release")  # phases: days 0–13, 14–41, 42–83, 84+


def entry(on: date, pain: int = 3, wb: str = "partial", **extra) -> Entry:
    return Entry(date=on, pain=pain, weight_bearing=wb, **extra)


def record(surgery: date, entries: list[Entry], acks=()) -> PatientRecord:
    patient = Patient("zoe", "Zoë Łukasiewicz", surgery, "fhl-release", "left", "Ms Ó Ceallaigh")
    return PatientRecord(patient, list(entries), [], list(acks))


def build(surgery, entries, as_of, start=None, end=None, flags=(), acks=()):
    acknowledged = {a.key: a for a in acks}
    return report.build(record(surgery, entries, acks), tl.build(FHL, surgery), list(flags), acknowledged, as_of,
                        start, end)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- adherence ------------------------------------------------------------------------------

def test_adherence_across_a_month_end():
    # Jan 29 … Feb 3 is 6 days; logged 29, 31, 3 -> gaps: Jan 30 (1), Feb 1–2 (2).
    got = build(d("2026-01-29"), [entry(d("2026-01-29")), entry(d("2026-01-31")), entry(d("2026-02-03"))],
                as_of=d("2026-02-03"))
    assert got["adherence"] == {"days_expected": 6, "days_logged": 3, "ratio": 0.5, "longest_gap": 2}


def test_adherence_over_a_leap_day():
    # Feb 27, 28, 29, Mar 1, 2 (2024 is a leap year): 5 days; logged 27 and Mar 1.
    got = build(d("2024-02-27"), [entry(d("2024-02-27")), entry(d("2024-03-01"))], as_of=d("2024-03-02"))
    assert got["adherence"] == {"days_expected": 5, "days_logged": 2, "ratio": 0.4, "longest_gap": 2}


def test_before_surgery_nothing_is_expected():
    got = build(d("2026-03-10"), [], as_of=d("2026-03-07"))
    assert got["adherence"] == {"days_expected": 0, "days_logged": 0, "ratio": None, "longest_gap": 0}
    assert (got["day"], got["week"], got["phase"]) == (-3, None, None)
    assert got["pain"]["latest"] is None and got["pain"]["average_7d"] is None


def test_start_and_end_clip_the_range():
    # --from before surgery counts from surgery; --to before today ends there: Mar 2–10 = 9 days.
    entries = [entry(d("2026-03-02")), entry(d("2026-03-05")), entry(d("2026-03-12"))]
    got = build(d("2026-03-02"), entries, as_of=d("2026-03-20"), start=d("2026-02-20"), end=d("2026-03-10"))
    assert got["adherence"] == {"days_expected": 9, "days_logged": 2, "ratio": 0.222, "longest_gap": 5}
    assert [e["date"] for e in got["entries"]] == ["2026-03-02", "2026-03-05"]
    assert got["range"] == {"from": "2026-02-20", "to": "2026-03-10"}


def test_end_after_today_stops_at_today():
    got = build(d("2026-03-02"), [entry(d("2026-03-02"))], as_of=d("2026-03-04"), end=d("2026-04-30"))
    assert got["range"]["to"] == "2026-03-04"
    assert got["adherence"] == {"days_expected": 3, "days_logged": 1, "ratio": 0.333, "longest_gap": 2}


def test_start_after_end_is_an_empty_range():
    got = build(d("2026-03-02"), [entry(d("2026-03-05"))], as_of=d("2026-03-20"),
                start=d("2026-03-12"), end=d("2026-03-10"))
    assert got["adherence"] == {"days_expected": 0, "days_logged": 0, "ratio": None, "longest_gap": 0}
    assert got["entries"] == []


def test_ratio_is_rounded_half_up_to_three_places():
    # 2 of 3 = 0.6666… -> 0.667; 1 of 8 = 0.125 exactly.
    surgery = d("2026-05-01")
    assert build(surgery, [entry(surgery), entry(surgery + timedelta(days=2))],
                 as_of=surgery + timedelta(days=2))["adherence"]["ratio"] == 0.667
    assert build(surgery, [entry(surgery)], as_of=surgery + timedelta(days=7))["adherence"]["ratio"] == 0.125


def test_year_end_with_no_entries_is_one_long_gap():
    got = build(d("2026-12-28"), [], as_of=d("2027-01-03"))
    assert got["adherence"] == {"days_expected": 7, "days_logged": 0, "ratio": 0.0, "longest_gap": 7}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 40)), st.integers(0, 40))
def test_adherence_invariants(days, span):
    surgery = d("2026-02-20")
    entries = [entry(surgery + timedelta(days=n)) for n in sorted(days)]
    got = build(surgery, entries, as_of=surgery + timedelta(days=span))["adherence"]
    logged = len([n for n in days if n <= span])
    assert got["days_expected"] == span + 1
    assert got["days_logged"] == logged
    assert 0 <= got["longest_gap"] <= got["days_expected"] - got["days_logged"]
    assert (got["longest_gap"] == 0) == (logged == span + 1)
    if logged == 0:
        assert got["longest_gap"] == span + 1


# --- pain -------------------------------------------------------------------------------------

PAIN = [  # surgery 2026-03-01
    entry(d("2026-03-06"), 8),  # before both weeks
    entry(d("2026-03-08"), 6), entry(d("2026-03-10"), 5), entry(d("2026-03-13"), 5),  # Mar 7–13
    entry(d("2026-03-14"), 4), entry(d("2026-03-17"), 5), entry(d("2026-03-20"), 4),  # Mar 14–20
]


def test_pain_numbers():
    got = build(d("2026-03-01"), PAIN, as_of=d("2026-03-20"))["pain"]
    # this week 13/3 = 4.33 -> 4.3; previous 16/3 = 5.33 -> 5.3; change 4.3 - 5.3 = -1.0
    assert got == {"latest": 4, "average_7d": 4.3, "average_previous_7d": 5.3,
                   "change_vs_previous_week": -1.0, "lowest": 4, "highest": 8}


def test_pain_weeks_end_at_the_range_end():
    got = build(d("2026-03-01"), PAIN, as_of=d("2026-03-20"), end=d("2026-03-13"))["pain"]
    # week Mar 7–13: 5.3; previous Feb 28–Mar 6: 8.0; change -2.7
    assert got == {"latest": 5, "average_7d": 5.3, "average_previous_7d": 8.0,
                   "change_vs_previous_week": -2.7, "lowest": 5, "highest": 8}


def test_pain_average_rounds_half_up_and_empty_week_gives_no_change():
    surgery = d("2026-03-01")
    entries = [entry(surgery + timedelta(days=n), p) for n, p in ((0, 2), (1, 2), (2, 2), (3, 3))]
    got = build(surgery, entries, as_of=surgery + timedelta(days=3))["pain"]
    assert got["average_7d"] == 2.3  # 9 / 4 = 2.25
    assert got["average_previous_7d"] is None and got["change_vs_previous_week"] is None


def test_pain_with_no_entries():
    got = build(d("2026-03-01"), [], as_of=d("2026-03-20"))["pain"]
    assert set(got.values()) == {None}


# --- the rest of the document ------------------------------------------------------------------

def test_contract_shape_and_timeline_document():
    surgery = d("2026-03-02")
    got = build(surgery, [entry(surgery, 5, note="first day")], as_of=d("2026-03-18"))
    assert {"patient", "timeline", "entries", "flags", "adherence", "pain"} <= set(got)
    assert got["patient"] == record(surgery, []).patient.as_dict()
    assert got["timeline"] == tl.to_dict(tl.build(FHL, surgery), got["patient"])
    # The contract's entry shape, and what the entry logged outside the day's plan (nothing).
    assert got["entries"] == [{**entry(surgery, 5, note="first day").as_dict(surgery), "outside_plan": []}]
    assert (got["as_of"], got["day"], got["week"]) == ("2026-03-18", 16, 2)
    assert got["phase"] == {"id": "mobilise", "title": FHL.phases[1].title}


def test_milestones_reached_and_due():
    surgery = d("2026-03-02")  # wound-review day 14 = Mar 16; low-impact day 42
    entries = [entry(d("2026-03-17"), milestones=("wound-review",)),
               entry(d("2026-03-25"), milestones=("wound-review",))]
    got = {m["id"]: m for m in build(surgery, entries, as_of=d("2026-03-20"))["milestones"]}
    assert got["wound-review"]["reached_on"] == "2026-03-17"  # the first record, up to as_of
    assert got["wound-review"]["due"] is True and got["wound-review"]["confirm"] is True
    assert got["low-impact-activity"]["due"] is False and got["low-impact-activity"]["reached_on"] is None
    assert got["return-to-sport"]["date"] == "2026-05-11" and got["return-to-sport"]["end_date"] == "2026-05-25"


def test_flags_in_range_with_acknowledgements():
    surgery = d("2026-03-02")
    early = Flag(d("2026-03-03"), "pain-spike", "warning", "Pain rose by 4.")
    seen = Flag(d("2026-03-10"), "red-flag", "urgent", "Calf pain: contact your team.", "calf-pain")
    late = Flag(d("2026-03-19"), "missed-log", "info", "No entry for 3 days.", "2026-03-17")
    ack = Acknowledgement(d("2026-03-10"), "red-flag", "calf-pain", "scan clear", "J. Physio",
                          datetime(2026, 3, 11, 9, 30))
    got = build(surgery, [], as_of=d("2026-03-20"), start=d("2026-03-05"), end=d("2026-03-15"),
                flags=[early, seen, late], acks=[ack])
    # the message as said to the clinician who reads the report
    assert got["flags"] == [{**seen.as_dict(), "message": "Calf pain: contact the patient's team.",
                             "acknowledged": True, "acknowledgement": {**ack.as_dict(), "earlier": []}}]
    open_flag = build(surgery, [], as_of=d("2026-03-20"), flags=[early])["flags"][0]
    assert open_flag["acknowledged"] is False and open_flag["acknowledgement"] is None


def test_weight_bearing_by_phase_against_what_it_allows():
    surgery = d("2026-03-02")  # phase 1 allows toe-touch, partial; phase 2 partial … full
    entries = [entry(d("2026-03-03"), wb="full", boot=True, activity="rest"),
               entry(d("2026-03-04"), wb="none", boot=False, activity="sport"),
               entry(d("2026-03-05"), wb="partial", activity="walking", pain=7),
               entry(d("2026-03-17"), wb="as-tolerated", boot=False, activity="walking")]
    rows = build(surgery, entries, as_of=d("2026-03-20"))["weight_bearing"]
    assert [r["phase"] for r in rows] == ["protect", "mobilise"]
    first = rows[0]
    assert first["allowed"] == ["toe-touch", "partial"] and first["boot"] is True
    assert first["logged"] == {
        "days": 3, "weight_bearing": {"none": 1, "partial": 1, "full": 1}, "latest_weight_bearing": "partial",
        # none in the first phase is less weight than it allows: the safe side, not "below"
        "above_allowed": 1, "below_allowed": 0, "boot_worn": 1, "boot_off": 1,
        "activities": {"rest": 1, "walking": 1, "sport": 1}, "activity_not_allowed": 1, "pain_above_ceiling": 1,
    }
    assert rows[1]["logged"]["days"] == 1 and rows[1]["logged"]["above_allowed"] == 0


def test_less_weight_than_allowed_counts_as_below_only_after_the_first_phase():
    surgery = d("2026-03-02")
    entries = [entry(d("2026-03-03"), wb="none"), entry(d("2026-03-20"), wb="toe-touch")]
    rows = build(surgery, entries, as_of=d("2026-03-25"))["weight_bearing"]
    assert [r["logged"]["below_allowed"] for r in rows] == [0, 1]


def test_phase_rows_word_sport_as_the_plan_does():
    surgery = d("2026-03-02")
    rows = build(surgery, [], as_of=d("2026-06-20"))["weight_bearing"]
    third = next(r for r in rows if r["phase"] == "return-to-activity")
    assert "sport from day 70" in third["activity_labels"] and "sport" in third["activities"]


# --- the --all summary ---------------------------------------------------------------------------

def test_summary_row_counts_open_flags_only():
    surgery = d("2026-03-02")
    flags = [Flag(d("2026-03-05"), "red-flag", "urgent", "a", "fever"),
             Flag(d("2026-03-06"), "red-flag", "urgent", "b", "fever"),
             Flag(d("2026-03-06"), "pain-spike", "warning", "c"),
             Flag(d("2026-03-07"), "missed-log", "info", "d")]
    ack = Acknowledgement(d("2026-03-05"), "red-flag", "fever", None, None, datetime(2026, 3, 6))
    got = report.summary_row(build(surgery, [entry(d("2026-03-04"), 6)], as_of=d("2026-03-07"),
                                   flags=flags, acks=[ack]))
    assert got == {"patient_id": "zoe", "name": "Zoë Łukasiewicz", "urgent": 1, "warning": 1,
                   "adherence": 0.167, "days_logged": 1, "days_expected": 6, "longest_gap": 3,
                   "latest_pain": 6, "day": 5, "phase": FHL.phases[0].title, "silent_days": None,
                   "last_entry": "2026-03-04", "discharged_on": None}


def test_summary_row_counts_what_today_would_show_not_old_flags():
    """Weeks-old warnings once ranked a patient above a silent one: only open flags count, a
    red flag however old, other flags from the last 7 days."""
    surgery = d("2026-03-02")
    flags = [Flag(d("2026-03-05"), "red-flag", "urgent", "a", "fever"),
             Flag(d("2026-03-05"), "pain-severe", "urgent", "b"),
             Flag(d("2026-03-06"), "pain-spike", "warning", "c"),
             Flag(d("2026-03-28"), "pain-spike", "warning", "d")]
    entries = [entry(d("2026-03-02") + timedelta(days=n)) for n in range(31)]
    got = report.summary_row(build(surgery, entries, as_of=d("2026-04-01"), flags=flags))
    assert (got["urgent"], got["warning"]) == (1, 1)
    assert report.summary_row(build(surgery, entries, as_of=d("2026-03-08"), flags=flags))["urgent"] == 2


def test_a_discharged_patient_is_not_silent():
    surgery = d("2026-03-02")
    entries = [entry(d("2026-03-03"))]
    silent = build(surgery, entries, as_of=d("2026-04-01"))
    assert silent["silence"] == {"days_since_last_entry": 29, "last_entry": "2026-03-03", "missed_log_days": 3,
                                 "silent": True}
    discharged = report.build(PatientRecord(Patient("zoe", "Zoë", surgery, "fhl-release", discharged_on=d("2026-03-10")),
                                            entries), tl.build(FHL, surgery), [], {}, d("2026-04-01"), None, None)
    assert discharged["silence"]["silent"] is False and report.summary_row(discharged)["silent_days"] is None
    before_discharge = report.build(PatientRecord(Patient("zoe", "Zoë", surgery, "fhl-release",
                                                          discharged_on=d("2026-04-05")), entries),
                                    tl.build(FHL, surgery), [], {}, d("2026-04-01"), None, None)
    assert before_discharge["silence"]["silent"] is True


def test_attention_order():
    def row(name, urgent, warning, adherence):
        return {"name": name, "urgent": urgent, "warning": warning, "adherence": adherence}

    rows = [row("calm", 0, 0, 0.9), row("not yet operated", 0, 0, None), row("urgent", 2, 0, 1.0),
            row("warned", 0, 3, 0.8), row("lapsed", 0, 0, 0.2), row("urgent too", 2, 1, 1.0)]
    assert [r["name"] for r in report.attention_order(rows)] == [
        "urgent too", "urgent", "warned", "lapsed", "calm", "not yet operated"]


@pytest.mark.parametrize("surgery", ["2026-01-31", "2024-02-29", "2026-12-31"])
def test_report_follows_the_timeline_at_awkward_dates(surgery):
    surgery = d(surgery)
    plan = tl.build(FHL, surgery)
    got = build(surgery, [], as_of=surgery + timedelta(days=200))
    assert [m["date"] for m in got["milestones"]] == [m.date.isoformat() for m in plan.milestones]
    assert got["phase"]["id"] == plan.phases[-1].id


def test_a_report_before_surgery_covers_nothing_yet():
    import io

    from rehab.render import formats
    from rehab.render.documents import ReportDocument

    document = build(date(2026, 12, 10), [], date(2026, 11, 21))
    assert document["adherence"]["days_expected"] == 0
    written = io.StringIO()
    formats.REPORT["markdown"].write(written, ReportDocument([document], ()))
    assert "nothing yet" in written.getvalue()


def test_the_charts_draw_the_patients_own_ceiling_and_weight_bearing():
    """A pain ceiling of 6 from day 60 was flagged by but not drawn: the chart kept the protocol's."""
    from rehab.model import Adjustment
    from rehab.plan import effective
    from rehab.render import chart

    surgery = d("2026-03-02")
    changes = [Adjustment(1, "adjust", 60, pain_ceiling=6), Adjustment(2, "adjust", 0, 6, weight_bearing="none")]
    plan = effective(tl.build(FHL, surgery), changes)
    entries = [entry(surgery + timedelta(days=n), 2, "none" if n < 7 else "full") for n in range(0, 90, 3)]
    got = report.build(PatientRecord(record(surgery, entries).patient, entries, changes), plan, [], {},
                       surgery + timedelta(days=89), None, None)
    steps = got["plan_steps"]
    assert steps[0] == {"start_day": 0, "end_day": 6, "pain_ceiling": FHL.phases[0].pain_ceiling, "weight_bearing": ["none"]}
    assert {s["pain_ceiling"] for s in steps if s["start_day"] >= 60} == {6} and any(s["start_day"] == 60 for s in steps)
    assert steps[-1]["end_day"] == 89 and all(a["end_day"] + 1 == b["start_day"] for a, b in zip(steps, steps[1:]))
    pain, weight = chart.report_charts(got, 180)
    frame = chart._Frame(got, 180)
    dashed = [s for s in pain.shapes if isinstance(s, chart.Line) and s.dash == 1.6]
    axis = {lb.text: lb.y - 0.8 for lb in pain.shapes if isinstance(lb, chart.Label) and lb.x == frame.left - 1.5}
    top, bottom = axis["10"], axis["0"]

    def ceiling_at(day):  # the dashed ceiling over a day, as a score 0-10
        x = frame.x(day + 0.5)
        (line,) = [ln for ln in dashed if ln.points[0][0] <= x <= ln.points[1][0]]
        return round((bottom - line.points[0][1]) / (bottom - top) * 10, 1)

    assert ceiling_at(70) == 6 and ceiling_at(50) == FHL.phases[2].pain_ceiling
    allowed = [s for s in weight.shapes if isinstance(s, chart.Rect) and s.fill == 205]
    first = min(allowed, key=lambda r: r.x)
    assert first.x + first.w < frame.x(7) and first.h < 4.2  # days 0-6: one level, none
