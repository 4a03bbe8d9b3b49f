"""The import floor: json-load an export file and insert it into two plain sqlite3 tables
with executemany, in one transaction.   python import_floor.py EXPORT.json DB"""

import json
import sqlite3
import sys


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as handle:
        document = json.load(handle)
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE patient (id TEXT PRIMARY KEY, name TEXT, surgery_date TEXT, procedure TEXT,"
                 " side TEXT, surgeon TEXT)")
    conn.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, patient_id TEXT, date TEXT, pain INTEGER,"
                 " weight_bearing TEXT, boot INTEGER, activity TEXT, symptoms TEXT, milestones TEXT, note TEXT)")
    people = document["patients"]
    with conn:  # one transaction
        conn.executemany("INSERT INTO patient VALUES (?, ?, ?, ?, ?, ?)",
                         [(p["id"], p["name"], p["surgery_date"], p["procedure"], p.get("side"), p.get("surgeon"))
                          for p in people])
        conn.executemany(
            "INSERT INTO entry (patient_id, date, pain, weight_bearing, boot, activity, symptoms, milestones, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p["id"], e["date"], e["pain"], e["weight_bearing"], e.get("boot"), e.get("activity"),
              json.dumps(e.get("symptoms") or []), json.dumps(e.get("milestones") or []), e.get("note"))
             for p in people for e in p["entries"]])
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
