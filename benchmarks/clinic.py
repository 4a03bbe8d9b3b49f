"""A deterministic clinic, written straight to an export file (contract: "rehab-export" v1).

Every patient has DAYS consecutive daily entries from day 0 (surgery), all in the past;
pain falls with noise, weight-bearing, boot and activity follow the four phases of the
built-in protocols, about 1% of entries carry a red-flag symptom, and some notes begin
with "=", "+", "-" or "@" (the CSV formula guard has work to do). One extra patient,
`year-patient`, has 365 days: the `rehab flags` measurement.

    python clinic.py PATIENTS OUT.json [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta

PROCEDURES = ("arthroscopic-debridement", "os-trigonum-excision", "fhl-release")
SYMPTOMS = ("calf-pain", "calf-swelling", "fever", "wound-redness", "wound-discharge", "wound-opening",
            "bleeding", "numbness", "cold-toes", "cannot-bear-weight", "severe-pain", "chest-pain",
            "breathlessness")
FIRST = ("Sam", "Alex", "Jo", "Priya", "Tom", "Aisha", "Li", "Maria", "Olu", "Kate", "Ravi", "Zoe")
LAST = ("Patel", "Smith", "Okafor", "Nguyen", "Garcia", "Brown", "Khan", "Jones", "Müller", "O'Neill")
SURGEONS = ("Mr Hester", "Ms Rao", "Dr Lindqvist", None)
NOTES = (
    "Swelling down after ice.", "Physio session, exercises done", "Slept badly, ankle ached at night",
    "Walked to the shops, fine", 'Said "much better" today', "Stiff in the morning, easier later",
)
FORMULA_NOTES = (
    '=HYPERLINK("http://example.com","click")', "=1+2", "+44 7700 900123 called the clinic",
    "-2 pain after physio, still ok", "@physio: asked about the boot", "=SUM(A1:A9)",
)
YEAR_PATIENT = "year-patient"


def _entry(rng: random.Random, surgery: date, day: int) -> dict:
    if day < 14:
        wb, boot, activities, base = rng.choice(("partial", "toe-touch", "partial")), True, ("rest", "walking"), 6.0
    elif day < 42:
        wb, boot, activities, base = rng.choice(("as-tolerated", "full")), False, ("rest", "walking"), 4.0
    elif day < 84:
        wb, boot, activities, base = "full", False, ("walking", "low-impact"), 2.5
    else:
        wb, boot, activities, base = "full", False, ("walking", "low-impact", "sport"), 1.5
    pain = max(0, min(10, round(base - day / 60 + rng.gauss(0, 1.2))))
    symptoms = [rng.choice(SYMPTOMS)] if rng.random() < 0.01 else []
    milestones = ["wound-review", "physio-start"] if day == 14 else []
    roll = rng.random()
    note = rng.choice(FORMULA_NOTES) if roll < 0.03 else rng.choice(NOTES) if roll < 0.15 else None
    return {"date": (surgery + timedelta(days=day)).isoformat(), "day": day, "pain": pain,
            "weight_bearing": wb, "boot": boot if rng.random() > 0.05 else None,
            "activity": rng.choice(activities), "symptoms": symptoms, "milestones": milestones, "note": note}


def _patient(rng: random.Random, pid: str, name: str, surgery: date, days: int) -> dict:
    return {"id": pid, "name": name, "surgery_date": surgery.isoformat(), "procedure": rng.choice(PROCEDURES),
            "side": rng.choice(("left", "right")), "surgeon": rng.choice(SURGEONS),
            "created_at": f"{surgery.isoformat()}T09:00:00+00:00",
            "entries": [_entry(rng, surgery, d) for d in range(days)], "revisions": [], "acknowledgements": []}


def write_clinic(path: str, patients: int, days: int = 180, seed: int = 2026, today: date | None = None) -> dict:
    """Write the export file; returns what is in it. Streams: memory stays small."""
    rng = random.Random(seed)
    today = today or date.today()
    entries = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"format": "rehab-export", "version": 1, "exported_at": "2026-01-01T00:00:00+00:00", "patients": [')
        year_surgery = today - timedelta(days=364)
        docs = [_patient(rng, YEAR_PATIENT, "Year Patient", year_surgery, 365)]
        for i in range(1, patients):
            surgery = today - timedelta(days=days - 1 + rng.randint(0, 30))
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            docs.append(_patient(rng, f"p{i:05d}", name, surgery, days))
            if len(docs) >= 200:
                for doc in docs:
                    out.write(("," if entries else "") + "\n" + json.dumps(doc, ensure_ascii=False))
                    entries += len(doc["entries"])
                docs = []
        for doc in docs:
            out.write(("," if entries else "") + "\n" + json.dumps(doc, ensure_ascii=False))
            entries += len(doc["entries"])
        out.write("\n]}\n")
    return {"patients": patients, "entries": entries, "year_patient": YEAR_PATIENT,
            "year_surgery": year_surgery.isoformat()}


def write_small(path: str, today: date | None = None) -> dict:
    """The start-up database: `sam` (the default patient, 120 days logged up to yesterday)
    and `lee` (surgery 900 days ago, nothing logged: `rehab log` fills a new day each run)."""
    rng = random.Random(7)
    today = today or date.today()
    sam_surgery = today - timedelta(days=120)
    sam = _patient(rng, "sam", "Sam Patel", sam_surgery, 120)
    lee = _patient(rng, "lee", "Lee Jones", today - timedelta(days=900), 0)
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"format": "rehab-export", "version": 1, "patients": [sam, lee]}, out)
    return {"log_patient": "lee", "log_first_day": lee["surgery_date"]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patients", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(write_clinic(args.out, args.patients, seed=args.seed))
