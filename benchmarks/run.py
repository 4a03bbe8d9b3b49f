"""Speed and scale, measured: every `rehab` command beside its floor, in the same run.

    python benchmarks/run.py                  # full: start-up, then 1,000 and 2,000 patients
    python benchmarks/run.py --quick          # a fast check: 200 and 400 patients, 5 runs
    python benchmarks/run.py --only startup   # or: --only scale, --only pdf
    python benchmarks/run.py --only pdf --pdf-patients 50   # the clinic PDF at 50 and 100
    python benchmarks/run.py --patients 500   # scale at 500 and 1,000 patients

Machines are noisy, so nothing is compared with a number measured elsewhere: each command
is run alternately with its floor (A B A B ...) and only the ratio of the medians counts.
The floors live in benchmarks/floors/:

- typer_floor.py   a minimal Typer app (a group with a few options) whose commands import
                   only what their kind of command cannot avoid and print a one-row Rich
                   table: `timeline` (rich, yaml, pydantic, dateutil) and `db` (rich,
                   sqlmodel, open the database, one tiny query). Its --help and its tab
                   completion are the floors of `rehab --help` and of rehab's completion.
- import_floor.py  json-load the export file, executemany into two plain sqlite3 tables,
                   one transaction.
- report_floor.py  select every row of every table of the database, write it with csv.writer.

The peer: `jrnl -n 3` (jrnl, a Python journal CLI, printing the last three of a journal of
three entries), installed for the benchmark only in its own virtual environment
(benchmarks/.peer/, made on first use with pip) and run in turn with every start-up command:
each daily command's time is also given as a ratio to it.

With REHAB_TEST_POSTGRES_URL set (as .ci/run sets it), the scale run also imports the clinic
into that PostgreSQL database and writes its CSV report, for information.

Everything runs in a temporary folder (REHAB_DB, HOME, XDG_* point there): your own data is
never touched. Each child process is waited for with os.wait4, which gives its own peak
memory (ru_maxrss) and CPU time; wall time is measured around it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors"
sys.path.insert(0, str(HERE))

import clinic  # noqa: E402  (benchmarks/clinic.py)

MIB = 1024 * 1024


# --- running one process --------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    peak: int | None  # bytes
    code: int
    out: str
    err: str


def run(cmd: list[str], env: dict, expect: int = 0) -> Run:
    """Run one command to completion; its own wall time, CPU time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
            peak, cpu = usage.ru_maxrss * scale, usage.ru_utime + usage.ru_stime
        else:  # pragma: no cover - Windows: no per-child usage
            proc.wait()
            wall = time.perf_counter() - start
            peak, cpu = None, float("nan")
        out.seek(0)
        err.seek(0)
        result = Run(wall, cpu, peak, proc.returncode, _tail(out.read()), _tail(err.read()))
    if result.code != expect:
        raise Failed(cmd, result)
    return result


def _tail(data: bytes, limit: int = 4000) -> str:
    return data[-limit:].decode("utf-8", errors="replace")


class Failed(Exception):
    def __init__(self, cmd: list[str], result: Run):
        self.cmd, self.result = cmd, result
        lines = [line for line in result.err.strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else result.out.strip()[-200:]
        super().__init__(f"exit {result.code}: {detail}")


@dataclass
class Pair:
    """A command and its floor, run alternately."""

    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)
    error: str | None = None

    def median(self, side: str, what: str = "wall") -> float | None:
        runs = getattr(self, side)
        return statistics.median(getattr(r, what) for r in runs) if runs else None

    def peak(self, side: str) -> int | None:
        runs = [r.peak for r in getattr(self, side) if r.peak is not None]
        return max(runs) if runs else None

    def ratio(self, what: str = "wall") -> float | None:
        a, b = self.median("a", what), self.median("b", what)
        return a / b if a is not None and b else None


def alternate(label: str, a: Callable[[], Run], b: Callable[[], Run], runs: int, warmup: int) -> Pair:
    """A B A B ...: the first `warmup` rounds fill caches (bytecode, page cache) and are dropped."""
    pair = rounds(label, {"a": a, "b": b}, runs, warmup)["a"]
    _progress(f"  {label}: {_ms(pair.median('a'))} vs floor {_ms(pair.median('b'))}"
              f"  -> x{_x(pair.ratio())} wall, x{_x(pair.ratio('cpu'))} cpu"
              f"  (peak {_mib(pair.peak('a'))} / {_mib(pair.peak('b'))} MiB; n={len(pair.a)}; load {_load()})"
              if not pair.error else f"  {label}: FAILED")
    return pair


def rounds(label: str, jobs: dict[str, Callable[[], Run]], runs: int, warmup: int) -> dict[str, Pair]:
    """Round-robin over several jobs (J1 J2 J3 ... J1 J2 J3 ...), so any two of them are
    measured side by side. Returns, per job, a Pair whose `a` holds its runs and whose `b`
    holds the next job's (the floor beside it); `error` is set on every job if one failed."""
    names = list(jobs)
    series: dict[str, list[Run]] = {name: [] for name in names}
    error = None
    for i in range(warmup + runs):
        try:
            results = {name: jobs[name]() for name in names}
        except Failed as exc:
            error = str(exc)
            _progress(f"  {label}: FAILED {exc}\n    command: {' '.join(exc.cmd)}\n"
                      + "".join(f"    | {line}\n" for line in exc.result.err.strip().splitlines()[-8:]))
            break
        if i >= warmup:
            for name in names:
                series[name].append(results[name])
    out = {}
    for k, name in enumerate(names):
        following = names[(k + 1) % len(names)]
        out[name] = Pair(series[name], series[following], error)
    return out


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# --- the results table ----------------------------------------------------------------------


@dataclass
class Row:
    section: str
    name: str
    a: float | None = None  # seconds, rehab
    b: float | None = None  # seconds, floor
    ratio: float | None = None
    cpu_ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: information only
    peak: str = ""
    note: str = ""


def ratio_row(section: str, name: str, pair: Pair, limit: float | None, note: str = "") -> Row:
    if pair.error:
        return Row(section, name, target=f"≤ {limit} x" if limit else "", ok=False if limit else None,
                   note=f"FAILED: {pair.error}")
    ratio = pair.ratio()
    return Row(section, name, pair.median("a"), pair.median("b"), ratio, pair.ratio("cpu"),
               f"≤ {limit} x" if limit else "info", (ratio <= limit) if limit else None,
               f"{_mib(pair.peak('a'))} / {_mib(pair.peak('b'))}", note)


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _mib(value: int | None) -> str:
    return "—" if value is None else f"{value / MIB:.0f}"


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "n/a"


def _progress(text: str) -> None:
    print(text, flush=True)


def markdown(rows: list[Row]) -> str:
    head = ("| Measurement | rehab | floor | ratio (wall) | ratio (CPU) | target | result | peak MiB rehab / floor |\n"
            "|---|---:|---:|---:|---:|---|---|---:|")
    lines = [head]
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            lines.append(f"| **{section}** | | | | | | | |")
        result = "—" if r.ok is None else ("PASS" if r.ok else "**FAIL**")
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}"
        cpu = "—" if r.cpu_ratio is None or r.cpu_ratio != r.cpu_ratio else f"{r.cpu_ratio:.2f}"
        name = r.name + (f" ({r.note})" if r.note else "")
        lines.append(f"| {name} | {_ms(r.a)} | {_ms(r.b)} | {ratio} | {cpu} | {r.target} | {result} | {r.peak} |")
    return "\n".join(lines)


# --- the environment ------------------------------------------------------------------------


def rehab_command() -> str:
    """The installed console script beside this interpreter (not a pyenv/asdf shim, whose
    shell wrapper would add its own start-up to every run); else whatever is on PATH."""
    scripts = sysconfig.get_path("scripts")
    found = shutil.which("rehab", path=scripts) or shutil.which("rehab")
    if not found:
        sys.exit("benchmarks: the `rehab` command is not installed (pip install -e .)")
    return found


def isolated_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REHAB_", "_REHAB_", "COMP_", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"))}
    home = root / "home"
    for sub in ("", "data", "config", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), NO_COLOR="1", COLUMNS="80", REHAB_DB=str(root / "unused.db"))
    return env


def machine() -> list[str]:
    from importlib import metadata

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    versions = []
    for name in ("typer", "click", "rich", "pydantic", "sqlmodel", "SQLAlchemy"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    commit = subprocess.run(["git", "-C", str(HERE.parent), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return [
        f"Machine: {platform.platform()}; {cpu or 'unknown CPU'}; {os.cpu_count()} CPUs{memory}",
        f"Python {platform.python_version()} ({sys.executable}); SQLite {sqlite3.sqlite_version}; "
        + ", ".join(versions),
        f"rehab at commit {commit}",
    ]


def _rm_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the peer: jrnl -------------------------------------------------------------------------

PEER_DIR = HERE / ".peer"
JRNL_ENTRIES = ("yesterday 9am: Walked to the shop without the boot.", "today 9am: Physio: ankle circles.",
                "today 8pm: Swelling lower this evening.")


def jrnl_peer(root: Path) -> tuple[list[str], dict]:
    """`jrnl -n 3` and its environment: a journal of three entries in a temporary HOME. jrnl
    is installed beside rehab, in its own virtual environment, for the benchmark only."""
    venv = PEER_DIR / "jrnl"
    jrnl = venv / ("Scripts" if os.name == "nt" else "bin") / "jrnl"
    if not jrnl.exists():
        _progress(f"  installing jrnl (the peer) into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "jrnl"], check=True)
    env = isolated_env(root / "jrnl")
    config = Path(env["XDG_CONFIG_HOME"]) / "jrnl"
    config.mkdir(parents=True, exist_ok=True)
    journal = root / "jrnl" / "journal.txt"
    (config / "jrnl.yaml").write_text(
        "colors: {body: none, date: none, tags: none, title: none}\ndefault_hour: 9\ndefault_minute: 0\n"
        "editor: ''\nencrypt: false\nhighlight: true\nindent_character: '|'\n"
        f"journals:\n  default:\n    journal: {journal}\nlinewrap: 79\ntagsymbols: '#@'\n"
        "template: false\ntimeformat: '%F %r'\nversion: v4.6\n", encoding="utf-8")
    for text in JRNL_ENTRIES:
        run([str(jrnl), text], env)
    shown = run([str(jrnl), "-n", "3"], env).out
    if shown.count("\n\n") < 2:
        _progress(f"  warning: jrnl -n 3 printed {shown!r}")
    return [str(jrnl), "-n", "3"], env


def jrnl_row(name: str, pair: Pair, limit: float) -> Row:
    """The command's median beside jrnl's, from the same round-robin."""
    if pair.error:
        return Row("Start-up beside the peer, `jrnl -n 3`", name, target=f"≤ {limit} x", ok=False,
                   note=f"FAILED: {pair.error}")
    ratio = pair.ratio()
    return Row("Start-up beside the peer, `jrnl -n 3`", name, pair.median("a"), pair.median("b"), ratio,
               pair.ratio("cpu"), f"≤ {limit} x", ratio <= limit, f"{_mib(pair.peak('a'))} / {_mib(pair.peak('b'))}",
               "floor column: jrnl -n 3")


# --- start-up -------------------------------------------------------------------------------


def startup(rehab: str, root: Path, runs: int, warmup: int) -> list[Row]:
    _progress(f"\n## Start-up: median of {runs} alternated runs each ({warmup} warm-up), load {_load()}")
    py = sys.executable
    floor = str(FLOORS / "typer_floor.py")
    env = isolated_env(root)
    db = root / "startup.db"
    _rm_db(db)
    env["REHAB_DB"] = str(db)
    small = root / "startup.json"
    setup = clinic.write_small(str(small))
    run([rehab, "import", str(small)], env)

    completion = dict(env, _REHAB_COMPLETE="complete_bash", COMP_WORDS="rehab pa", COMP_CWORD="1")
    floor_completion = dict(env, _FLOOR_COMPLETE="complete_bash", COMP_WORDS="floor ti", COMP_CWORD="1")
    probe = run([rehab], completion)
    if "patient" not in probe.out:
        _progress(f"  warning: completion of 'rehab pa' printed {probe.out!r}")

    log_day = [date.fromisoformat(setup["log_first_day"])]

    def log_cmd() -> list[str]:
        day = log_day[0]
        log_day[0] += timedelta(days=1)
        return [rehab, "log", "--patient", setup["log_patient"], "--date", day.isoformat(), "--pain", "3",
                "--weight-bearing", "partial", "--boot", "--activity", "walking", "--note", "benchmark"]

    surgery = (date.today() - timedelta(days=40)).isoformat()
    jrnl, jrnl_env = jrnl_peer(root)

    def peer() -> Run:
        return run(jrnl, jrnl_env)

    # (name, rehab, its floor, target over the floor, target over jrnl)
    cases = [
        ("`rehab --help`", lambda: run([rehab, "--help"], env), lambda: run([py, floor, "--help"], env), 1.3, 1.2),
        ("tab completion (`rehab pa<TAB>`)", lambda: run([rehab], completion),
         lambda: run([py, floor], floor_completion), 1.3, 1.2),
        ("`rehab timeline --surgery-date D --procedure fhl-release`",
         lambda: run([rehab, "timeline", "--surgery-date", surgery, "--procedure", "fhl-release"], env),
         lambda: run([py, floor, "timeline", "--surgery-date", surgery, "--procedure", "fhl-release"], env), 1.3, 1.6),
        ("`rehab timeline --patient P`", lambda: run([rehab, "timeline", "--patient", setup["log_patient"]], env),
         lambda: run([py, floor, "timeline", "--surgery-date", surgery, "--procedure", "fhl-release"], env), None, 1.6),
        ("`rehab today` (120 days logged)", lambda: run([rehab, "today"], env),
         lambda: run([py, floor, "db"], env), 1.15, 2.0),
        ("`rehab log --pain 3 --wb partial ...`", lambda: run(log_cmd(), env),
         lambda: run([py, floor, "db"], env), 1.15, 2.0),
        ("`rehab history` (120 days)", lambda: run([rehab, "history"], env),
         lambda: run([py, floor, "db"], env), 1.15, 2.0),
        ("`rehab flags` (120 days)", lambda: run([rehab, "flags"], env),
         lambda: run([py, floor, "db"], env), None, 2.0),
    ]
    rows, beside_peer = [], []
    for name, a, b, limit, peer_limit in cases:
        pairs = rounds(name, {"rehab": a, "floor": b, "jrnl": peer}, runs, warmup)
        pair = Pair(pairs["rehab"].a, pairs["floor"].a, pairs["rehab"].error)
        versus_peer = Pair(pairs["rehab"].a, pairs["jrnl"].a, pairs["rehab"].error)
        if not pair.error:
            _progress(f"  {name}: {_ms(pair.median('a'))} vs floor {_ms(pair.median('b'))} (x{_x(pair.ratio())}),"
                      f" vs jrnl {_ms(versus_peer.median('b'))} (x{_x(versus_peer.ratio())}); n={len(pair.a)};"
                      f" load {_load()}")
        rows.append(ratio_row("Start-up (median wall time)", name, pair, limit))
        beside_peer.append(jrnl_row(name, versus_peer, peer_limit))
    rows += beside_peer
    return rows


# --- scale ----------------------------------------------------------------------------------


@dataclass
class Clinic:
    patients: int
    entries: int
    export: Path
    db: Path
    floor_db: Path
    env: dict
    year_patient: str
    year_surgery: str


def make_clinic(root: Path, patients: int) -> Clinic:
    folder = root / f"clinic-{patients}"
    folder.mkdir(exist_ok=True)
    export = folder / "clinic.json"
    start = time.perf_counter()
    info = clinic.write_clinic(str(export), patients)
    _progress(f"  generated {patients:,} patients, {info['entries']:,} entries: {export.stat().st_size / MIB:.0f} MiB "
              f"export file in {time.perf_counter() - start:.1f} s")
    env = isolated_env(root)
    env["REHAB_DB"] = str(folder / "clinic.db")
    return Clinic(patients, info["entries"], export, folder / "clinic.db", folder / "floor.db", env,
                  info["year_patient"], info["year_surgery"])


def scale(rehab: str, root: Path, sizes: list[int], runs: int, flag_runs: int) -> list[Row]:
    """Every measurement runs round-robin over the clinic sizes and their floors
    (rehab@1000, floor@1000, rehab@2000, floor@2000, ...): the ratios to the floor and the
    growth from one size to the next are all measured side by side."""
    py = sys.executable
    label = " and ".join(f"{n:,}" for n in sizes)
    _progress(f"\n## Scale: {label} patients, median of {runs} round-robin runs each, load {_load()}")
    clinics = [make_clinic(root, n) for n in sizes]

    def fresh(c: Clinic, path: Path, cmd: list[str]) -> Run:
        _rm_db(path)
        return run(cmd, c.env)

    def report(c: Clinic, fmt: str) -> Run:
        out = c.db.with_name(f"report.{fmt}")
        out.unlink(missing_ok=True)
        return run([rehab, "report", "--all", "--format", fmt, "--output", str(out)], c.env)

    def report_floor(c: Clinic) -> Run:
        out = c.db.with_name("floor.csv")
        out.unlink(missing_ok=True)
        return run([py, str(FLOORS / "report_floor.py"), str(c.db), str(out)], c.env)

    def jobs(make_a, make_b) -> dict:
        found = {}
        for c in clinics:
            found[f"rehab@{c.patients}"] = (lambda c=c: make_a(c))
            found[f"floor@{c.patients}"] = (lambda c=c: make_b(c))
        return found

    measured: dict[str, dict[str, Pair]] = {}
    measured["import"] = rounds("import", jobs(
        lambda c: fresh(c, c.db, [rehab, "import", str(c.export)]),
        lambda c: fresh(c, c.floor_db, [py, str(FLOORS / "import_floor.py"), str(c.export), str(c.floor_db)])),
        runs, 0)
    for c in clinics:
        imported = _count(c.db, "entry")
        if imported != c.entries:
            _progress(f"  warning: {c.db} holds {imported} entries, the file {c.entries}: importing once more")
            try:
                fresh(c, c.db, [rehab, "import", str(c.export)])
            except Failed as exc:
                _progress(f"  import failed: {exc}")
    measured["csv"] = rounds("report csv", jobs(lambda c: report(c, "csv"), report_floor), runs, 0)
    for c in clinics:
        path = c.db.with_name("report.csv")
        if path.exists() and _lines(path) != c.entries + 1:
            _progress(f"  warning: {path} has {_lines(path)} lines, expected {c.entries + 1}")
    measured["json"] = rounds("report json", jobs(lambda c: report(c, "json"), report_floor), runs, 0)
    for key, title in (("import", "rehab import"), ("csv", "rehab report --all --format csv"),
                       ("json", "rehab report --all --format json")):
        for c in clinics:
            pair = measured[key][f"rehab@{c.patients}"]
            if pair.error:
                _progress(f"  {title} @ {c.patients:,}: FAILED {pair.error}")
                continue
            _progress(f"  {title} @ {c.patients:,}: {_ms(pair.median('a'))} vs floor {_ms(pair.median('b'))}"
                      f"  -> x{_x(pair.ratio())} wall, x{_x(pair.ratio('cpu'))} cpu"
                      f"  (peak {_mib(pair.peak('a'))} / {_mib(pair.peak('b'))} MiB; n={len(pair.a)})")

    rows: list[Row] = []
    flags: dict[int, Pair] = {}
    for c in clinics:
        flags[c.patients] = alternate(
            f"rehab flags @ {c.patients:,}, a year of entries vs the same command at day 0",
            lambda c=c: run([rehab, "flags", "--patient", c.year_patient], c.env),
            lambda c=c: run([rehab, "flags", "--patient", c.year_patient, "--date", c.year_surgery], c.env),
            flag_runs, 1)
    for c in clinics:
        section = f"Scale: {c.patients:,} patients ({c.entries:,} entries)"
        key = f"rehab@{c.patients}"
        # The targets are set for a clinic (1,000 patients and more); in a smaller one the
        # command's start-up, which its plain-sqlite3 floor does not pay, outweighs the work.
        judged = c.patients >= 1000
        small = "" if judged else "information: below 1,000 patients start-up outweighs the work"
        rows.append(ratio_row(section, "`rehab import`", measured["import"][key], 2.0 if judged else None, small))
        rows.append(ratio_row(section, "`rehab report --all --format csv`", measured["csv"][key],
                              6.0 if judged else None, small))
        if not measured["csv"][key].error:
            peak = measured["csv"][key].peak("a")
            rows.append(Row(section, "`report --all --format csv` peak memory", target="≤ 200 MiB",
                            ok=peak is not None and peak <= 200 * MIB, peak=_mib(peak)))
        rows.append(ratio_row(section, "`rehab report --all --format json`", measured["json"][key], None,
                              "floor: the CSV dump"))
        pair = flags[c.patients]
        name = "`rehab flags`, a year of entries: its extra cost over day 0"
        if pair.error:
            rows.append(Row(section, name, target="≤ 0.25 x start-up", ok=False, note=f"FAILED: {pair.error}"))
            continue
        start_up = pair.median("b")
        year_cost = pair.median("a") - start_up
        cpu_share = (pair.median("a", "cpu") - pair.median("b", "cpu")) / pair.median("b", "cpu")
        # The difference of two medians of whole processes is within their noise (it can
        # come out below zero), so it is shown for information; the judged row times the
        # work itself inside one process.
        rows.append(Row(section, name, year_cost, start_up, year_cost / start_up, cpu_share, "info", None,
                        f"{_mib(pair.peak('a'))} / {_mib(pair.peak('b'))}",
                        "floor column: the same command at day 0"))
        name = "`rehab flags`, a year of entries: its extra cost over day 0, inside one process"
        try:
            work = json.loads(run([py, str(HERE / "flags_work.py"), c.year_patient, c.year_surgery], c.env).out)
        except (Failed, ValueError) as exc:
            rows.append(Row(section, name, target="≤ 0.25 x start-up", ok=False, note=f"FAILED: {exc}"))
            continue
        share = work["extra_ms"] / 1000 / start_up
        rows.append(Row(section, name, work["extra_ms"] / 1000, start_up, share, None, "≤ 0.25 x start-up",
                        share <= 0.25, note=f"the whole command: {work['year_ms']:.1f} ms for the year, "
                        f"{work['day0_ms']:.1f} ms at day 0; floor column: the command's start-up at day 0"))
    for small, large in zip(clinics, clinics[1:]):
        rows += growth(measured, small.patients, large.patients)
    rows += postgres_scale(rehab, clinics, measured)
    for c in clinics:
        for name in ("report.csv", "report.json", "floor.csv", "floor.db"):
            c.db.with_name(name).unlink(missing_ok=True)
    return rows


def pdf_scale(rehab: str, root: Path, sizes: list[int]) -> list[Row]:
    """`report --all --format pdf` (issue 13: 200 patients x 180 days in under 60 s, in
    bounded memory), one run at each size: a clinic PDF takes tens of seconds, so it has
    clinics of its own, smaller than the scale run's, and no floor."""
    _progress(f"\n## Clinic PDF: {' and '.join(f'{n:,}' for n in sizes)} patients, one run each, load {_load()}")
    rows, peaks = [], {}
    section = "Clinic PDF (`report --all --format pdf`), one run each"
    (root / "pdf").mkdir(exist_ok=True)
    for n in sizes:
        c = make_clinic(root / "pdf", n)
        out = c.db.with_name("report.pdf")
        try:
            run([rehab, "import", str(c.export)], c.env)
            result = run([rehab, "report", "--all", "--format", "pdf", "--output", str(out)], c.env)
        except Failed as exc:
            rows.append(Row(section, f"{n:,} patients", target="≤ 200 MiB", ok=False, note=f"FAILED: {exc}"))
            continue
        finally:
            out.unlink(missing_ok=True)
        peaks[n] = result.peak
        _progress(f"  report --all --format pdf @ {n:,}: {_ms(result.wall)} (peak {_mib(result.peak)} MiB)")
        rows.append(Row(section, f"{n:,} patients ({c.entries:,} entries): wall time", result.wall, None, None, None,
                        "< 60 s at 200" if n == 200 else "info", (result.wall < 60) if n == 200 else None,
                        _mib(result.peak)))
        rows.append(Row(section, f"{n:,} patients: peak memory", target="≤ 200 MiB",
                        ok=result.peak is not None and result.peak <= 200 * MIB, peak=_mib(result.peak)))
    if len(peaks) == 2 and None not in peaks.values():
        small, large = sorted(peaks)
        rows.append(Row(section, f"peak memory growth, {small:,} → {large:,} patients", ratio=peaks[large] / peaks[small],
                        target="flat (≤ 1.15 x)", ok=peaks[large] / peaks[small] <= 1.15,
                        peak=f"{_mib(peaks[large])} / {_mib(peaks[small])}"))
    return rows


def postgres_scale(rehab: str, clinics: list[Clinic], measured: dict[str, dict[str, Pair]]) -> list[Row]:
    """The same clinic on PostgreSQL (REHAB_TEST_POSTGRES_URL), one run each, for information:
    its time beside the SQLite run's median."""
    url = os.environ.get("REHAB_TEST_POSTGRES_URL")
    if not url:
        return []
    import psycopg

    rows = []
    for c in clinics:
        section = f"PostgreSQL, for information: {c.patients:,} patients"
        env = dict(c.env, REHAB_DB=url)
        with psycopg.connect(url.replace("+psycopg", "", 1), autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        out = c.db.with_name("pg-report.csv")
        out.unlink(missing_ok=True)
        for name, key, cmd in (("`rehab import`", "import", [rehab, "import", str(c.export)]),
                               ("`rehab report --all --format csv`", "csv",
                                [rehab, "report", "--all", "--format", "csv", "--output", str(out)])):
            try:
                result = run(cmd, env)
            except Failed as exc:
                rows.append(Row(section, name, note=f"FAILED: {exc}"))
                continue
            sqlite_median = measured[key][f"rehab@{c.patients}"].median("a")
            rows.append(Row(section, name, result.wall, sqlite_median,
                            result.wall / sqlite_median if sqlite_median else None, None, "info", None,
                            _mib(result.peak), "floor column: the same command on SQLite (median)"))
            _progress(f"  PostgreSQL {name} @ {c.patients:,}: {_ms(result.wall)} (SQLite {_ms(sqlite_median)})")
        out.unlink(missing_ok=True)
    return rows


def growth(measured: dict[str, dict[str, Pair]], small: int, large: int) -> list[Row]:
    """Time at the larger clinic over time at the smaller, from the same rounds."""
    section = f"Growth: {small:,} → {large:,} patients (same rounds)"
    rows = []
    for key, name, limit in (("import", "`rehab import`", 2.2), ("csv", "`report --format csv`", 2.2),
                             ("json", "`report --format json`", 2.2)):
        for who, target in (("rehab", limit), ("floor", None)):
            p, q = measured[key][f"{who}@{small}"], measured[key][f"{who}@{large}"]
            title = name if who == "rehab" else "its floor, for comparison"
            if p.error or q.error:
                rows.append(Row(section, title, target=f"≤ {target} x" if target else "info",
                                ok=False if target else None, note="a run failed"))
                continue
            ratio = q.median("a") / p.median("a")
            rows.append(Row(section, title, q.median("a"), p.median("a"), ratio,
                            q.median("a", "cpu") / p.median("a", "cpu"), f"≤ {target} x" if target else "info",
                            (ratio <= target) if target else None, f"{_mib(q.peak('a'))} / {_mib(p.peak('a'))}",
                            f"columns: {large:,} vs {small:,} patients" if who == "rehab" else ""))
    p, q = measured["csv"][f"rehab@{small}"], measured["csv"][f"rehab@{large}"]
    if not p.error and not q.error:
        rows.append(Row(section, "`report --format csv` peak memory growth", ratio=q.peak("a") / p.peak("a"),
                        target="flat (≤ 200 MiB each)", ok=max(p.peak("a"), q.peak("a")) <= 200 * MIB,
                        peak=f"{_mib(q.peak('a'))} / {_mib(p.peak('a'))}"))
    return rows


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return -1


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark rehab against its floors (ratios only).")
    parser.add_argument("--quick", action="store_true", help="200 and 400 patients, 5 start-up runs, 2 scale runs")
    parser.add_argument("--patients", type=int, help="clinic size (measured again at twice the size); default 1000")
    parser.add_argument("--runs", type=int, help="alternated start-up runs per command (default 15)")
    parser.add_argument("--scale-runs", type=int, help="alternated runs per scale measurement (default 3)")
    parser.add_argument("--only", choices=("startup", "scale", "pdf"), help="run one part only")
    parser.add_argument("--pdf-patients", type=int, default=200,
                        help="clinic PDF size (measured again at twice the size); default 200")
    parser.add_argument("--no-double", action="store_true", help="scale at --patients only, not twice as many")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    patients = args.patients or (200 if args.quick else 1000)
    runs = args.runs or (5 if args.quick else 15)
    scale_runs = args.scale_runs or (2 if args.quick else 3)
    began = time.perf_counter()
    load_start = _load()

    rehab = rehab_command()
    header = machine() + [f"rehab command: {rehab}",
                          "Command: python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                          f"Date: {date.today().isoformat()}; load average (1/5/15 min) at start {load_start}"]
    print("# rehab benchmark\n\n" + "\n".join(f"- {line}" for line in header), flush=True)
    root = Path(tempfile.mkdtemp(prefix="rehab-bench-"))
    rows: list[Row] = []
    try:
        if args.only in (None, "startup"):
            rows += startup(rehab, root, runs, warmup=2)
        if args.only in (None, "scale"):
            sizes = [patients] if args.no_double else [patients, patients * 2]
            rows += scale(rehab, root, sizes, scale_runs, flag_runs=runs)
        if args.only in (None, "pdf"):
            rows += pdf_scale(rehab, root, [args.pdf_patients] if args.no_double
                              else [args.pdf_patients, args.pdf_patients * 2])
    finally:
        if args.keep:
            print(f"\n(kept {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)

    elapsed = time.perf_counter() - began
    failed = [r for r in rows if r.ok is False]
    print("\n## Results\n")
    print("\n".join(f"- {line}" for line in header[:3]))
    print(f"- Load average (1/5/15 min): {load_start} at start, {_load()} at end; benchmark took {elapsed / 60:.1f} min")
    print("- Ratios are of medians of runs taken in turn (rehab, floor, rehab, floor, ...; the scale runs go "
          "round-robin over both clinic sizes and their floors); peak memory is each process's own maximum "
          "resident set (os.wait4).\n")
    print(markdown(rows))
    print(f"\n{len(rows) - len(failed) - sum(r.ok is None for r in rows)} passed, {len(failed)} failed"
          f" ({sum(r.ok is None for r in rows)} for information).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
