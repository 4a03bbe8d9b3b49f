"""The work `rehab flags` does for one patient, timed inside one process (the command's own
start-up left out): read the entries and acknowledgements, build the plan, run every rule.

    python benchmarks/flags_work.py DB PATIENT [ROUNDS]

Prints the median milliseconds of ROUNDS (default 20) and the number of flags, as JSON.
"""

import json
import statistics
import sys
import time
from datetime import date


def main() -> None:
    from rehab import deviations, timeline
    from rehab.protocols import find
    from rehab.store import open_store

    db_path, patient_id = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    db = open_store(db_path)
    times, count, entries = [], 0, 0
    for _ in range(rounds):
        start = time.perf_counter()
        patient = db.current(patient_id)
        plan = timeline.build(find(patient.procedure, None), patient.surgery_date)
        logged = db.entries(patient.id)
        db.acknowledgements(patient.id)
        count = len(deviations.evaluate(plan, logged, date.today()))
        times.append(time.perf_counter() - start)
        entries = len(logged)
    print(json.dumps({"ms": statistics.median(times) * 1000, "flags": count, "entries": entries}))


if __name__ == "__main__":
    main()
