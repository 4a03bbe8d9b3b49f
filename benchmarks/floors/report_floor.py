"""The report floor: select every row of every table of the database and write them with
csv.writer.   python report_floor.py DB OUT.csv"""

import csv
import sqlite3
import sys


def main(source: str, target: str) -> None:
    conn = sqlite3.connect(source)
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            writer.writerow([column[0] for column in cursor.description])
            writer.writerows(cursor)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
