"""The rules of logging a day, as pure functions: what `rehab log` accepts, and the entry a
day gets from what was given and what it had (the store's build(old))."""

from __future__ import annotations

from datetime import date

import pytest

from rehab.entry_input import EntryInput
from rehab.errors import RehabError
from rehab.model import Entry

SURGERY = date(2026, 2, 28)
TODAY = date(2026, 3, 10)
DAY = date(2026, 3, 5)
OLD = Entry(DAY, 5, "partial", True, "walking", ("fever",), ("wound-review",), "sore", 38.6, "mild", "done")


def given(**typed) -> EntryInput:
    return EntryInput.read(typed.pop("day", DAY), TODAY, **typed)


def test_a_new_day_takes_what_was_given_in_the_contract_words():
    entry = given(pain="4", weight_bearing="PWB", activity="Walking", symptoms=["calf pain", "calf-pain"],
                  temperature="100.9F", swelling="Mild", exercises="partly").build(None)
    assert entry == Entry(DAY, 4, "partial", None, "walking", ("calf-pain",), (), None, 38.3, "mild", "partly")


def test_replace_keeps_what_was_not_given_and_adds_to_the_lists():
    entry = given(pain="3", symptoms=["calf-pain"], milestones=["physio-start"], replace=True).build(OLD)
    assert entry == OLD._replace(pain=3, symptoms=("fever", "calf-pain"), milestones=("wound-review", "physio-start"))


def test_replace_can_clear_the_lists_first():
    entry = given(symptoms=["numbness"], replace=True, clear_symptoms=True, clear_milestones=True).build(OLD)
    assert (entry.symptoms, entry.milestones, entry.pain, entry.temperature) == (("numbness",), (), 5, 38.6)


def test_a_logged_day_is_refused_without_replace():
    with pytest.raises(RehabError, match="already has an entry; add --replace"):
        given(pain="3", weight_bearing="none").build(OLD)


def test_without_pain_or_weight_bearing_there_is_no_entry():
    with pytest.raises(RehabError, match="--pain"):
        given(weight_bearing="none").build(None)
    with pytest.raises(RehabError, match="--weight-bearing"):
        given(pain="2").build(None)


@pytest.mark.parametrize(("typed", "message"), [
    ({"day": date(2026, 3, 11)}, "in the future"),
    ({"note": "x" * 2001}, "at most 2000"),
    ({"clear_symptoms": True}, "add --replace"),
    ({"pain": "11"}, "pain"),
    ({"weight_bearing": "hopping"}, "weight-bearing"),
    ({"swelling": "huge"}, "swelling"),
    ({"temperature": "45"}, "temperature"),
])
def test_what_does_not_read_is_refused_before_the_database(typed, message):
    with pytest.raises(RehabError, match=message):
        given(**typed)


def test_today_itself_and_a_2000_character_note_are_accepted():
    assert given(day=TODAY, note="x" * 2000).day == TODAY


def test_the_plan_refuses_a_day_before_surgery_and_an_unknown_milestone():
    given(day=SURGERY).check_plan(SURGERY, ["wound-review"])  # day 0 is fine
    with pytest.raises(RehabError, match="before the surgery date"):
        given(day=date(2026, 2, 27)).check_plan(SURGERY, ["wound-review"])
    with pytest.raises(RehabError, match="unknown milestone 'walk-on-moon': use one of wound-review"):
        given(milestones=["walk-on-moon"]).check_plan(SURGERY, ["wound-review"])
