"""The fixed vocabularies of the contract: weight-bearing, activity, symptoms.

Each is ordered where order matters, so rules can compare "more" and "less".
"""

from __future__ import annotations

import re

from rehab.errors import RehabError

# Weight-bearing levels, least to most, with their clinical abbreviations.
WEIGHT_BEARING = ("none", "toe-touch", "partial", "as-tolerated", "full")
WEIGHT_BEARING_ABBREV = {
    "none": "NWB",
    "toe-touch": "TTWB",
    "partial": "PWB",
    "as-tolerated": "WBAT",
    "full": "FWB",
}
WEIGHT_BEARING_LABEL = {
    "none": "non-weight-bearing",
    "toe-touch": "toe-touch weight-bearing",
    "partial": "partial weight-bearing",
    "as-tolerated": "weight-bearing as tolerated",
    "full": "full weight-bearing",
}

# Activities, least to most demanding.
ACTIVITIES = ("rest", "walking", "low-impact", "sport")
# Each activity as a sentence names it (flag messages, FHIR display text).
ACTIVITY_WORDS = {"rest": "rest", "walking": "walking", "low-impact": "low-impact activity", "sport": "sport"}

# Every symptom here is a red flag (contract): the sign in plain words, what it can mean,
# and whether it calls for emergency services rather than the surgical team. Signs that can
# mean the same thing share one meaning, word for word, so a message that names several says
# it once ("Calf pain and calf swelling can be signs of a blood clot in the leg (DVT).").
LEG_CLOT = "can be a sign of a blood clot in the leg (DVT)"
LUNG_CLOT = "can be a sign of a blood clot in the lung"
INFECTION = "can be a sign of infection"
SIGNS: dict[str, tuple[str, str, bool]] = {
    "calf-pain": ("calf pain", LEG_CLOT, False),
    "calf-swelling": ("calf swelling", LEG_CLOT, False),
    "leg-warmth": ("a warm leg", LEG_CLOT, False),
    "leg-discolouration": ("red, blue or darkened skin of the leg", LEG_CLOT, False),
    "fever": ("a fever", INFECTION, False),
    "wound-redness": ("spreading redness around the wound", INFECTION, False),
    "wound-discharge": ("discharge or pus from the wound", INFECTION, False),
    "wound-opening": ("a wound whose edges open", "needs to be seen", False),
    "bleeding": ("bleeding through the dressing", "needs to be seen", False),
    "numbness": ("new numbness or tingling", "can mean an irritated nerve", False),
    "cold-toes": ("pale, blue or cold toes", "can mean poor blood supply to the foot", False),
    "cannot-move-toes": ("being unable to move the toes", "can mean a nerve or tendon problem", False),
    "cannot-bear-weight": ("being unable to bear weight", "needs to be checked", False),
    "severe-pain": ("sudden severe pain or pain painkillers do not control", "needs to be checked", False),
    "chest-pain": ("chest pain", LUNG_CLOT, True),
    "breathlessness": ("sudden breathlessness", LUNG_CLOT, True),
}
# Each symptom as one sentence (its help text, a message naming it alone), and whether it
# calls for emergency services.
SYMPTOMS: dict[str, tuple[str, bool]] = {
    name: (f"{sign} {meaning}", urgent) for name, (sign, meaning, urgent) in SIGNS.items()
}


# Swelling of the operated ankle, and home exercises done (log --swelling / --exercises).
SWELLING = ("none", "mild", "moderate", "severe")
EXERCISES = ("done", "partly", "skipped")

# Body temperature accepted by `log --temperature`, in degrees Celsius (contract).
TEMPERATURE_MIN_C = 34.0
TEMPERATURE_MAX_C = 43.0
# A body temperature in °F (93–110 °F is about 34–43 °C): a number there without a unit gets a hint.
FAHRENHEIT_LIKELY = (93.0, 110.0)


def name_key(text: str) -> str:
    """A name as typed, compared: case, hyphens, underscores and spacing do not matter."""
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def _lookup(kind: str, text: str, table: dict[str, str], names: tuple[str, ...] | list[str]) -> str:
    found = table.get(name_key(text))
    if found is None:
        raise RehabError(f"unknown {kind} {text!r}: use one of {', '.join(names)}")
    return found


_WB_TABLE = {name_key(n): n for n in WEIGHT_BEARING} | {a.lower(): n for n, a in WEIGHT_BEARING_ABBREV.items()}
_WB_TABLE |= {name_key(label): n for n, label in WEIGHT_BEARING_LABEL.items()}
_ACTIVITY_TABLE = {name_key(n): n for n in ACTIVITIES} | {"low impact": "low-impact", "lowimpact": "low-impact"}
_SYMPTOM_TABLE = {name_key(n): n for n in SYMPTOMS}


def weight_bearing(text: str) -> str:
    """A weight-bearing level from its name or abbreviation, any case."""
    return _lookup("weight-bearing level", text, _WB_TABLE, WEIGHT_BEARING)


def activity(text: str) -> str:
    return _lookup("activity", text, _ACTIVITY_TABLE, ACTIVITIES)


def symptom(text: str) -> str:
    return _lookup("symptom", text, _SYMPTOM_TABLE, list(SYMPTOMS))


def swelling(text: str) -> str:
    return _lookup("swelling", text, {n: n for n in SWELLING}, SWELLING)


def exercises(text: str) -> str:
    return _lookup("exercises value", text, {n: n for n in EXERCISES}, EXERCISES)


def temperature(text: str) -> float:
    """Degrees Celsius, one decimal kept; a value ending in F is Fahrenheit, converted."""
    raw = str(text).strip()
    match = re.fullmatch(r"([0-9]{2,3}(?:\.[0-9]{1,2})?)\s*(°?\s*[CcFf])?", raw)
    if not match:
        raise RehabError(f"temperature must be degrees Celsius such as 37.8 (or Fahrenheit such as 100.9F), not {raw[:20]!r}")
    value = float(match.group(1))
    if match.group(2) and match.group(2).strip("° ").upper() == "F":
        value = (value - 32) * 5 / 9
    value = round(value, 1)
    if not TEMPERATURE_MIN_C <= value <= TEMPERATURE_MAX_C:
        # 99 is far more likely a Fahrenheit reading typed without its F than a mistake.
        hint = (f" (for Fahrenheit write {match.group(1)}F)"
                if not match.group(2) and FAHRENHEIT_LIKELY[0] <= value <= FAHRENHEIT_LIKELY[1] else "")
        raise RehabError(f"temperature must be between {TEMPERATURE_MIN_C} and {TEMPERATURE_MAX_C} °C, "
                         f"not {value}{hint}")
    return value


def pain(value: int | str) -> int:
    """A 0–10 numeric rating, whole numbers only."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 10:  # never str() it: a 5,000-digit number is a ValueError
            shown = value if abs(value) < 10**6 else "a number that long"
            raise RehabError(f"pain must be a whole number from 0 to 10, not {shown}")
        return value
    text = str(value).strip()
    if not re.fullmatch(r"-?[0-9]+", text):
        raise RehabError(f"pain must be a whole number from 0 to 10, not {text[:20]!r}")
    if len(text.lstrip("-").lstrip("0")) > 2:  # far out of range, and int() refuses 4,300 digits
        raise RehabError(f"pain must be a whole number from 0 to 10, not {text[:20] + ('…' if len(text) > 20 else '')}")
    number = int(text)
    if not 0 <= number <= 10:
        raise RehabError(f"pain must be a whole number from 0 to 10, not {number}")
    return number


# Each level's place, least weight first: the rules rank levels several times an entry.
WB_RANK = {level: rank for rank, level in enumerate(WEIGHT_BEARING)}


def wb_rank(level: str) -> int:
    return WB_RANK[level]
