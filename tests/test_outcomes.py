"""Outcome scoring, baseline and change, due dates and symmetry, against values worked out by
hand from the published rules (FAAM: Martin 2005; LEFS: Binkley 1999)."""

from __future__ import annotations

from datetime import date

import pytest

from rehab import instruments, outcomes
from rehab.errors import NotFound, ProtocolError, RehabError
from rehab.model import Measure, Score
from rehab.protocols import find as find_protocol

ADL = instruments.find("faam-adl")
SPORTS = instruments.find("faam-sports")
LEFS = instruments.find("lefs")
ALL = {i.id: i for i in (ADL, SPORTS, LEFS)}
NA = None


def test_the_instruments_hold_the_published_facts():
    assert (len(ADL.items), len(SPORTS.items), len(LEFS.items)) == (21, 8, 20)
    assert (ADL.mcid, SPORTS.mcid, LEFS.mcid) == (8, 9, 9)
    assert (ADL.min_answered, SPORTS.min_answered, LEFS.min_answered) == (19, 7, 20)
    assert (ADL.max, SPORTS.max, LEFS.max) == (100, 100, 80)
    assert ADL.not_applicable and SPORTS.not_applicable and not LEFS.not_applicable
    for instrument in ALL.values():
        assert instrument.top == 4
        assert instrument.mcid_source in {s.id for s in instrument.sources}
        assert all(s.title.count(".") >= 3 for s in instrument.sources[:1])  # a full citation


@pytest.mark.parametrize("instrument, answers, expected", [
    # FAAM ADL: every item 4 -> 84/84 = 100.0
    (ADL, [4] * 21, 100.0),
    (ADL, [0] * 21, 0.0),
    # 10 items at 3, 11 at 2: 52 / 84 x 100 = 61.904... -> 61.9
    (ADL, [3] * 10 + [2] * 11, 61.9),
    # 19 answered (2 na), all 3: 57 / 76 x 100 = 75.0 -- the fewest that still score
    (ADL, [3] * 19 + [NA, NA], 75.0),
    # 18 answered (3 na): no score
    (ADL, [3] * 18 + [NA, NA, NA], None),
    # 20 answered, sum 1: 1 / 80 x 100 = 1.25 -> 1.3 (half up, not half even)
    (ADL, [1] + [0] * 19 + [NA], 1.3),
    # na anywhere counts the same: 2 na at the start, sum 38 over 19 -> 38/76 = 50.0
    (ADL, [NA, NA] + [2] * 19, 50.0),
    # FAAM sports: all 2 -> 16/32 = 50.0
    (SPORTS, [2] * 8, 50.0),
    # 7 answered (1 na), all 3: 21/28 = 75.0
    (SPORTS, [3] * 7 + [NA], 75.0),
    # 7 answered, sum 1: 1/28 x 100 = 3.571... -> 3.6
    (SPORTS, [NA, 1] + [0] * 6, 3.6),
    # 6 answered (2 na): no score
    (SPORTS, [4] * 6 + [NA, NA], None),
    # LEFS: the sum, 0-80
    (LEFS, [4] * 20, 80),
    (LEFS, [0] * 20, 0),
    (LEFS, [4] * 10 + [2] * 10, 60),
    (LEFS, [1, 2, 3, 4] * 5, 50),
    # LEFS needs every item
    (LEFS, [4] * 19 + [NA], None),
])
def test_scores_match_hand_computed_values(instrument, answers, expected):
    got = outcomes.score(instrument, answers)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("instrument, text, expected", [
    (ADL, ",".join(["4"] * 19 + ["na", "NA"]), (4,) * 19 + (NA, NA)),
    (ADL, " 4, 3 ," + ",".join(["2"] * 18) + ", n/a", (4, 3) + (2,) * 18 + (NA,)),
    (LEFS, ",".join(["0"] * 20), (0,) * 20),
])
def test_answers_read(instrument, text, expected):
    assert outcomes.parse_answers(instrument, text) == expected


@pytest.mark.parametrize("instrument, text, words", [
    (ADL, ",".join(["4"] * 20), "21 items; --answers gave 20"),
    (ADL, ",".join(["4"] * 22), "21 items; --answers gave 22"),
    (SPORTS, "", "8 items; --answers gave 0"),
    (ADL, ",".join(["4"] * 20 + ["5"]), "answer 21 is '5'"),
    (ADL, ",".join(["-1"] + ["4"] * 20), "answer 1 is '-1'"),
    (ADL, ",".join(["4"] * 10 + ["2.5"] + ["4"] * 10), "answer 11 is '2.5'"),
    (SPORTS, "4,4,4,,4,4,4,4", "answer 4 is ''"),
    (LEFS, ",".join(["4"] * 19 + ["na"]), "answer 20 is 'na', but every lefs item must be answered"),
])
def test_bad_answers_are_refused(instrument, text, words):
    with pytest.raises(RehabError, match=words.replace("(", r"\(").replace(")", r"\)")):
        outcomes.parse_answers(instrument, text)


def _score(sid, instrument, on, value, answers=()):
    return Score(sid, instrument, on, tuple(answers), value)


SURGERY = date(2026, 3, 10)


def test_baseline_change_and_mcid_at_exactly_the_threshold():
    scores = [
        _score(1, "faam-adl", date(2026, 3, 1), 50.0),   # baseline (before surgery)
        _score(2, "faam-adl", date(2026, 4, 21), 42.1),  # -7.9: not meaningful
        _score(3, "faam-adl", date(2026, 6, 2), 58.0),   # +8.0: exactly the MCID
        _score(4, "faam-sports", date(2026, 3, 1), None),  # unscored: not the baseline
        _score(5, "faam-sports", date(2026, 4, 21), 41.0),  # first scored: the baseline
        _score(6, "faam-sports", date(2026, 6, 2), 49.9),  # +8.9: not meaningful
        _score(7, "faam-sports", date(2026, 9, 10), 32.0),  # -9.0: meaningful (worse)
        _score(8, "lefs", date(2026, 3, 1), 40),
        _score(9, "lefs", date(2026, 4, 21), 49.0),  # a database's 49.0 is the whole 49; +9
        _score(10, "lefs", date(2026, 6, 2), 48),    # +8
    ]
    docs = {d["id"]: d for d in outcomes.score_documents(ALL, scores, SURGERY)}
    assert [docs[1][k] for k in ("day", "baseline", "change", "meaningful", "max", "mcid")] == [-9, 50.0, None, None, 100, 8]
    assert (docs[2]["change"], docs[2]["meaningful"]) == (-7.9, False)
    assert (docs[3]["change"], docs[3]["meaningful"]) == (8.0, True)
    assert (docs[4]["score"], docs[4]["baseline"], docs[4]["change"], docs[4]["meaningful"]) == (None, 41.0, None, None)
    assert (docs[5]["change"], docs[5]["meaningful"]) == (None, None)
    assert (docs[6]["change"], docs[6]["meaningful"]) == (8.9, False)
    assert (docs[7]["change"], docs[7]["meaningful"]) == (-9.0, True)
    assert (docs[9]["score"], docs[9]["change"], docs[9]["meaningful"], docs[9]["max"]) == (49, 9, True, 80)
    assert (docs[10]["change"], docs[10]["meaningful"]) == (8, False)
    assert type(docs[9]["change"]) is int


def test_a_score_dated_before_the_first_becomes_the_baseline():
    scores = [_score(1, "lefs", date(2026, 5, 1), 60), _score(2, "lefs", date(2026, 3, 1), 30)]
    docs = outcomes.score_documents(ALL, scores, SURGERY)
    assert [d["date"] for d in docs] == ["2026-03-01", "2026-05-01"]
    assert [(d["baseline"], d["change"], d["meaningful"]) for d in docs] == [(30, None, None), (30, 30, True)]


def test_answers_counted():
    answers = (4,) * 19 + (NA, NA)
    doc = outcomes.score_documents(ALL, [_score(1, "faam-adl", SURGERY, 100.0, answers)], SURGERY)[0]
    assert (doc["answered"], doc["not_applicable"], doc["answers"][-1]) == (19, 2, None)


# --- due dates -----------------------------------------------------------------------------


def _points(surgery):
    return outcomes.due_points(find_protocol("os-trigonum-excision").outcomes, surgery)


def test_due_dates_from_the_built_in_schedule_at_a_month_end():
    points = _points(date(2026, 1, 31))
    adl = [(p.label, p.due_date, p.opens, p.closes) for p in points if p.instrument == "faam-adl"]
    assert adl == [
        ("before surgery", date(2026, 1, 30), date(2026, 1, 23), date(2026, 1, 31)),
        ("6 weeks", date(2026, 3, 14), date(2026, 3, 7), date(2026, 3, 21)),
        ("12 weeks", date(2026, 4, 25), date(2026, 4, 18), date(2026, 5, 2)),
        ("6 months", date(2026, 7, 31), date(2026, 7, 24), date(2026, 8, 7)),
        ("12 months", date(2027, 1, 31), date(2027, 1, 24), date(2027, 2, 7)),
    ]
    assert [p.instrument for p in points[:3]] == ["faam-adl", "faam-sports", "lefs"]
    assert len(points) == 15


def test_six_months_after_31_august_is_the_leap_day():
    points = _points(date(2023, 8, 31))
    assert [p.due_date for p in points if p.label == "6 months"][0] == date(2024, 2, 29)


@pytest.mark.parametrize("scored_on, on, status", [
    (None, date(2026, 4, 13), "upcoming"),     # 6 weeks after 10 Mar is 21 Apr: opens 14 Apr
    (None, date(2026, 4, 14), "due"),
    (None, date(2026, 4, 28), "due"),          # the last day of the window
    (None, date(2026, 4, 29), "missed"),
    (date(2026, 4, 14), date(2026, 4, 30), "done"),  # exactly 7 days before
    (date(2026, 4, 28), date(2026, 4, 30), "done"),  # exactly 7 days after
    (date(2026, 4, 13), date(2026, 4, 30), "missed"),  # 8 days before: too early
    (date(2026, 4, 29), date(2026, 4, 30), "missed"),  # 8 days after: too late
    (date(2026, 4, 20), date(2026, 4, 19), "due"),     # a later score is not seen before its day
])
def test_a_score_within_seven_days_either_side_satisfies_a_due_date(scored_on, on, status):
    # Surgery 10 Mar 2026: 6 weeks = 21 Apr; the window is 14-28 Apr.
    points = [p for p in _points(SURGERY) if p.instrument == "lefs" and p.label == "6 weeks"]
    scores = [_score(1, "lefs", scored_on, 50)] if scored_on else []
    row = outcomes.due_status(points, scores, on)[0]
    assert row["status"] == status
    assert row["due_date"] == "2026-04-21"


def test_before_surgery_counts_up_to_the_surgery_day_and_not_after():
    points = [p for p in _points(SURGERY) if p.instrument == "faam-adl" and p.label == "before surgery"]
    assert (points[0].due_date, points[0].opens, points[0].closes) == (date(2026, 3, 9), date(2026, 3, 2), SURGERY)
    on_the_day = outcomes.due_status(points, [_score(1, "faam-adl", SURGERY, 80.0)], date(2026, 3, 12))
    day_after = outcomes.due_status(points, [_score(1, "faam-adl", date(2026, 3, 11), 80.0)], date(2026, 3, 12))
    assert (on_the_day[0]["status"], day_after[0]["status"]) == ("done", "missed")


def test_an_unscored_questionnaire_still_satisfies_its_due_date():
    points = [p for p in _points(SURGERY) if p.instrument == "faam-sports" and p.label == "6 weeks"]
    assert outcomes.due_status(points, [_score(1, "faam-sports", date(2026, 4, 21), None)], date(2026, 4, 21))[0]["status"] == "done"


def test_outcomes_due_lists_only_open_windows_not_done():
    points = _points(SURGERY)
    due = outcomes.outcomes_due(points, [_score(1, "lefs", date(2026, 4, 20), 50)], date(2026, 4, 21))
    assert due == [
        {"instrument": "faam-adl", "due_date": "2026-04-21", "label": "6 weeks", "until": "2026-04-28"},
        {"instrument": "faam-sports", "due_date": "2026-04-21", "label": "6 weeks", "until": "2026-04-28"},
    ]
    assert outcomes.outcomes_due(points, [], date(2026, 5, 20)) == []
    upcoming = [r for r in outcomes.due_status(points, [], date(2026, 5, 20)) if r["status"] == "upcoming"]
    assert upcoming[0]["label"] == "12 weeks"


def test_a_protocol_without_a_schedule_has_nothing_due():
    assert outcomes.due_points(None, SURGERY) == []


# --- measures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, text, value", [
    ("knee-to-wall", "12", 12.0), ("knee-to-wall", "12.34", 12.3), ("knee-to-wall", "12.25", 12.3),
    ("knee-to-wall", "0", 0.0), ("knee-to-wall", "20", 20.0), ("KNEE-TO-WALL", "7.5", 7.5),
    ("calf-raises", "25", 25), ("calf-raises", "0", 0), ("calf-raises", "100", 100), ("calf-raises", "12.0", 12),
])
def test_measure_values(name, text, value):
    got = outcomes.measure_value(outcomes.measure_kind(name), text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("name, text", [
    ("knee-to-wall", "20.1"), ("knee-to-wall", "-1"), ("knee-to-wall", "ten"), ("knee-to-wall", "nan"),
    ("knee-to-wall", "inf"), ("calf-raises", "101"), ("calf-raises", "10.5"), ("calf-raises", ""),
])
def test_measure_values_out_of_range_are_refused(name, text):
    with pytest.raises(RehabError, match=name):
        outcomes.measure_value(outcomes.measure_kind(name), text)


def test_unknown_measure_is_refused():
    with pytest.raises(RehabError, match="unknown measure 'hop-test': use one of knee-to-wall, calf-raises"):
        outcomes.measure_kind("hop-test")


def _m(mid, name, on, side, value):
    return Measure(mid, name, on, side, value)


def test_symmetry_pairs_sides_within_seven_days():
    measures = [
        _m(1, "knee-to-wall", date(2026, 5, 1), "operated", 8.0),
        _m(2, "knee-to-wall", date(2026, 5, 8), "other", 10.0),     # 7 days later: pairs, 80.0
        _m(3, "knee-to-wall", date(2026, 6, 1), "operated", 9.0),
        _m(4, "knee-to-wall", date(2026, 6, 10), "other", 11.0),    # 9 days: no pair
        _m(5, "calf-raises", date(2026, 6, 1), "operated", 2),
        _m(6, "calf-raises", date(2026, 5, 30), "other", 4),        # 2 days before
        _m(7, "calf-raises", date(2026, 6, 1), "other", 3),         # same day: preferred, 66.7
        _m(8, "calf-raises", date(2026, 7, 1), "operated", 5),
        _m(9, "calf-raises", date(2026, 7, 1), "other", 0),         # other side 0: no percent
    ]
    rows = outcomes.symmetry(measures)
    assert [(r["name"], r["date"], r["other_date"], r["operated"], r["other"], r["percent"]) for r in rows] == [
        ("knee-to-wall", "2026-05-01", "2026-05-08", 8.0, 10.0, 80.0),
        ("calf-raises", "2026-06-01", "2026-06-01", 2, 3, 66.7),
        ("calf-raises", "2026-07-01", "2026-07-01", 5, 0, None),
    ]
    latest = outcomes.latest_measures(measures, SURGERY)
    assert [(m["name"], m["side"], m["value"]) for m in latest] == [
        ("knee-to-wall", "operated", 9.0), ("knee-to-wall", "other", 11.0),
        ("calf-raises", "operated", 5), ("calf-raises", "other", 0)]


# --- instrument files ----------------------------------------------------------------------


def test_a_clinic_file_replaces_a_built_in_instrument(tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    text = (instruments.loader.BUILTIN_DIR / "lefs.yaml").read_text()
    (folder / "our-lefs.yaml").write_text(text.replace("label: Hopping", "label: Hopping on the affected leg (clinic wording)"))
    replaced = instruments.find("lefs", tmp_path)
    assert replaced.items[18].label == "Hopping on the affected leg (clinic wording)"
    assert instruments.find("lefs").items[18].label == "Hopping"
    assert set(instruments.load_all(tmp_path)) == {"faam-adl", "faam-sports", "lefs"}


@pytest.mark.parametrize("change, words", [
    (("{value: 0, label: extreme difficulty or unable to do it}", "{value: 5, label: x}"), "scale"),
    (("{id: hopping,", "{id: squatting,"), "item id 'squatting' is used twice"),
    (("mcid_source: binkley-1999", "mcid_source: nobody"), "mcid_source 'nobody'"),
    (("not_applicable: false", "not_applicable: true"), "a summed score needs every item"),
    (("scoring: sum", "scoring: sum\ncolour: red"), "colour: unknown key"),
])
def test_a_bad_instrument_file_is_refused_naming_the_field(tmp_path, change, words):
    text = (instruments.loader.BUILTIN_DIR / "lefs.yaml").read_text()
    assert change[0] in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(change[0], change[1]))
    with pytest.raises(ProtocolError, match=words):
        instruments.load_file(path)


def test_unknown_instrument_names_the_known_ones():
    with pytest.raises(NotFound, match="unknown instrument 'koos': use one of faam-adl, faam-sports, lefs"):
        instruments.find("koos")


def test_combined_procedures_ask_every_questionnaire_either_schedules():
    from rehab.protocols.combine import combine
    from dataclasses import replace

    from rehab.protocols.models import Offset, OutcomeSchedule

    fhl = find_protocol("fhl-release")
    other = find_protocol("os-trigonum-excision")
    own = replace(other, outcomes=OutcomeSchedule(
        instruments=["lefs", "koos-like"], due=[Offset.parse("3 months"), Offset.parse("6 weeks")], window_days=5))
    schedule = combine([own, fhl]).outcomes
    assert schedule.instruments == ["faam-adl", "faam-sports", "lefs", "koos-like"]
    assert [str(p) for p in schedule.due] == [
        "before surgery", "6 weeks", "12 weeks", "6 months", "12 months", "3 months"]
    assert schedule.window_days == 5
    silent = replace(other, outcomes=None)
    assert combine([silent, fhl]).outcomes == fhl.outcomes
    assert combine([silent, replace(silent, id="x-ray")]).outcomes is None
