"""The `rehab` command line: the app, its global options, and the one exit point.

The commands live in rehab/commands/ by what they are for; they parse, call the core and
render, with no logic of their own. A command's module is imported only when it runs, and
heavy modules (the database, PDF, charts) only inside the commands that need them, so
`rehab --help`, completion and the daily commands start quickly. Tests run this same `app`.
"""


import os
import signal
import sys
from contextlib import contextmanager
from difflib import get_close_matches
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from rehab import __version__
from rehab.commands.common import Settings
from rehab.errors import Fault, RehabError

try:  # Typer >= 0.29 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses Click itself
    import click


# Every command, in the order `rehab --help` lists them (the daily loop first): its module in
# rehab/commands/, its name there, and the line `rehab --help` shows for it. A command's
# module is imported only when that command runs, so the help line is kept here too (a test
# checks it matches the command's own help).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "today": ("journal", "today", "Where you are today: phase, what to do, next milestone, flags, recent pain."),
    "log": ("journal", "log", "Log a day: pain, weight-bearing, boot, activity, symptoms, temperature."),
    "history": ("journal", "history", "The log, oldest first, with flags marked and a pain chart."),
    "flags": ("journal", "flags_app", "Deviations from the plan; acknowledge them with a note."),
    "timeline": ("plan", "timeline", "The dated recovery plan: phases, milestones and where a day falls."),
    "plan": ("patient_plan", "plan_app", "Change one patient's plan: what their surgeon or physiotherapist decided."),
    "score": ("outcomes", "score", "Record an outcome questionnaire (FAAM, LEFS) and show its score and change."),
    "measure": ("outcomes", "measure", "Record a clinical measure on one side; with both sides, the limb symmetry."),
    "outcomes": ("outcomes", "outcomes_command", "Questionnaire scores with their change, measures with symmetry, and what is due."),
    "report": ("records", "report", "A progress report for the physiotherapist: adherence, pain, flags, entries."),
    "patient": ("patients", "patient_app", "Add, list, show, choose, edit and remove patients."),
    "protocols": ("plan", "protocols_app", "List, show and check recovery protocols."),
    "export": ("records", "export_data", "Everything in the database as one document: a JSON backup, or a FHIR R4 Bundle."),
    "import": ("records", "import_data", "Load an export file: all of it, or nothing."),
    "demo": ("records", "demo", "A sample patient with three weeks of entries, in a separate demo database."),
}

_LISTING = "rehab.listing"  # ctx.meta key: help or completion only wants the commands' names and help lines
_loaded: dict[str, click.Command] = {}  # commands hold no state between runs: build each once


def load_command(name: str) -> click.Command:
    """The Click command for one entry of COMMANDS, importing its module."""
    if name not in _loaded:
        module, attribute, _ = COMMANDS[name]
        # __import__, not importlib.import_module: only the import statement's path shows in
        # `python -X importtime`, which the start-up tests and benchmarks read.
        target = getattr(__import__(f"rehab.commands.{module}", fromlist=[attribute]), attribute)
        if isinstance(target, typer.Typer):
            target.rich_markup_mode = None  # plain help, as the root's (see `app` below)
            command = typer.main.get_group(target)
        else:
            holder = typer.Typer(add_completion=False, rich_markup_mode=None)
            holder.command(name)(target)
            command = typer.main.get_command(holder)
        command.name = name
        _loaded[name] = command
    return _loaded[name]


class RehabGroup(TyperGroup):
    """The root group. It lists COMMANDS and loads a command's module only when that command
    runs (Click's lazy-loading pattern); help and completion of command names read the help
    lines in COMMANDS and import no command module. Its main() is the one exit point: every
    error becomes one plain line on stderr and an exit status."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        debug = _debug_requested(args)
        try:
            _check_arguments(sys.argv[1:] if args is None else list(args))
            code = super().main(args=args, prog_name=prog_name or "rehab", complete_var=complete_var,
                                standalone_mode=False, **extra)
            sys.stdout.flush()  # here, not at exit: a full disk is reported, not "Exception ignored"
        except click.exceptions.NoArgsIsHelpError as exc:  # `rehab patient` alone: show its help
            # Its message is the help; Rich help was already printed when the error was made.
            if exc.format_message():
                click.echo(exc.format_message())
            code = 0
        except click.ClickException as exc:
            _fail(_usage_line(exc), 2)
        except (KeyboardInterrupt, Interrupted) as exc:  # Ctrl-C, or a SIGTERM/SIGHUP (see main)
            # Every write is whole or nothing (one transaction, a temporary file renamed at
            # the end), and the temporary file was removed on the way out.
            _fail("aborted; nothing was written", 128 + getattr(exc, "signal", signal.SIGINT))
        except (typer.Abort, EOFError):
            _fail("aborted; nothing was written", 1)
        except (RehabError, Fault) as exc:  # bad input (2), or a fault named in plain words (1)
            if debug:  # the traceback asked for; the exit status stays the contract's
                import traceback

                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except Exception as exc:  # the one place an unexpected fault is reported (re-raised with --debug)
            if isinstance(exc, OSError) and _output_failed(exc):  # > /dev/full, a closed pipe
                _output_lost(exc)
            if debug:
                raise
            _fail(f"unexpected error ({type(exc).__name__}); run again with --debug for details", 1)
        sys.exit(code or 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if ctx.meta.get(_LISTING):
            return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][2], short_help=COMMANDS[cmd_name][2])
        return load_command(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:  # the suggestion Typer makes from its own (empty) table
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def format_help(self, ctx: click.Context, formatter) -> None:
        with _listing(ctx):
            return super().format_help(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str):
        with _listing(ctx):
            return super().shell_complete(ctx, incomplete)


@contextmanager
def _listing(ctx: click.Context):
    ctx.meta[_LISTING] = True
    try:
        yield
    finally:
        ctx.meta.pop(_LISTING, None)


class Interrupted(BaseException):
    """A SIGTERM or SIGHUP, raised where the program is so that it unwinds like Ctrl-C:
    transactions roll back and temporary files are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signal = signum


def _interrupted(signum, frame):
    raise Interrupted(signum)


# Options whose value is a path: a file name that is not UTF-8 is still a file name.
_PATH_OPTIONS = ("--db", "--protocols-dir", "--output", "-o")


def _check_arguments(args: list[str]) -> None:
    """An argument that is not UTF-8 (Python keeps its bytes as lone surrogates) is refused
    here, before it reaches a database that cannot store it."""
    previous = None
    for arg in args:
        if previous not in _PATH_OPTIONS and not arg.startswith(tuple(o + "=" for o in _PATH_OPTIONS)):
            if any("\udc80" <= ch <= "\udcff" for ch in arg):
                raise RehabError("an argument is not valid UTF-8 text (check the terminal's character encoding)")
        previous = arg


def _output_failed(exc: OSError) -> bool:
    """Whether writing the output is what failed (> /dev/full, a closed pipe). Every other
    write names its file (atomic_output and the store turn theirs into a Fault first), and
    an error from a file operation carries its file name."""
    import errno

    return exc.filename is None and exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG,
                                                  getattr(errno, "EDQUOT", errno.ENOSPC))


def _output_lost(exc: OSError) -> None:
    # Nothing more goes to the broken stream, or Python would complain again at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    if isinstance(exc, BrokenPipeError):  # `rehab history | head`: the reader had enough
        sys.exit(1)
    _fail(f"the output could not be written ({exc.strerror or exc})", 1)


def _debug_requested(args) -> bool:
    argv = sys.argv[1:] if args is None else list(args)
    return "--debug" in argv or os.environ.get("REHAB_DEBUG") == "1"


def _usage_line(exc: click.ClickException) -> str:
    message = " ".join(exc.format_message().split())  # one line: Click breaks choices over lines with tabs
    # Typer checks a choice through pydantic, whose "Value error, " prefix is a library's words.
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        return f"{message} (see '{ctx.command_path} --help')"
    return message


def _fail(message: str, code: int):
    sys.stderr.write(f"rehab: {message}\n")
    sys.exit(code)


def _version(value: bool):
    if value:
        typer.echo(f"rehab {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", envvar="REHAB_DB", metavar="PATH|URL", help="SQLite file or SQLAlchemy URL.", show_envvar=True)] = None,
    protocols_dir: Annotated[Optional[str], typer.Option("--protocols-dir", envvar="REHAB_PROTOCOLS_DIR", metavar="DIR", help="Folder of extra protocol files.", show_envvar=True)] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
):
    ctx.obj = Settings(db=db, protocols_dir=protocols_dir)


# The app users run, and the one the tests run (with Typer's CliRunner).
app = typer.Typer(
    cls=RehabGroup,
    help="Recovery after posterior ankle impingement surgery: dated timelines, a daily log, "
    "and flags when recovery strays from the plan.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Click's plain help, as git's or jrnl's: Typer's Rich help imports Rich's Markdown and
    # syntax highlighting, which more than doubled the time `rehab --help` takes (133 -> 60 ms).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(root)


def main() -> None:
    """Run the command line (the `rehab` script, rehab.__main__, calls this)."""
    # `rehab today >&-`: with no standard output (or error) Python has None there. Say so and
    # do nothing, rather than fail half way with an internal error once a write was made.
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # lives as long as the process
    if sys.stdout is None:
        _fail("standard output is closed; nothing was done (run it with somewhere to write to)", 1)
    # A terminal whose locale cannot show a character (a Latin-1 console and "Ł") gets a
    # "?" rather than a crash; documents for programs are written as UTF-8 bytes anyway.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    # Unwind on Ctrl-C, SIGTERM and SIGHUP: transactions roll back, temporary files are
    # removed, one line is said. (Typer would turn Ctrl-C into a silent exit 130.) A signal
    # the caller ignores (nohup, a background job) stays ignored.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _interrupted)
    typer.main.get_command(app).main(prog_name="rehab")
