"""What a year of entries adds to `rehab flags`, timed inside one process, where a few
milliseconds are not lost in the noise of whole-process runs.

    python benchmarks/flags_work.py PATIENT SURGERY_DATE [ROUNDS]

Runs the real command (`rehab flags --patient PATIENT`: read the entries and
acknowledgements, build the plan, run every rule, print) in turn with the same command at
day 0 (`--date SURGERY_DATE`, one day's entries), after a warm-up of each, against the
database in REHAB_DB. Prints the medians in milliseconds and the extra cost, as JSON.
"""

import contextlib
import io
import json
import statistics
import sys
import time


def main() -> None:
    from rehab.cli import app

    patient, surgery = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    import typer

    command = typer.main.get_command(app)  # the app users run; `flags` loads on first use
    year = ["flags", "--patient", patient]
    day0 = ["flags", "--patient", patient, "--date", surgery]

    def once(args: list[str]) -> tuple[float, str]:
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out):
            try:
                command.main(args, prog_name="rehab")
            except SystemExit as stop:
                if stop.code:
                    raise RuntimeError(f"rehab {' '.join(args)} exited {stop.code}") from None
        return time.perf_counter() - start, out.getvalue()

    for args in (year, day0, year, day0):  # warm-up: imports, statement compilation
        once(args)
    times: dict[str, list[float]] = {"year": [], "day0": []}
    printed = ""
    for _ in range(rounds):
        elapsed, printed = once(year)
        times["year"].append(elapsed)
        times["day0"].append(once(day0)[0])
    year_ms, day0_ms = (statistics.median(times[k]) * 1000 for k in ("year", "day0"))
    print(json.dumps({"year_ms": year_ms, "day0_ms": day0_ms, "extra_ms": year_ms - day0_ms,
                      "flag_lines": sum(1 for line in printed.splitlines() if line.strip())}))


if __name__ == "__main__":
    main()
