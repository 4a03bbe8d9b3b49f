"""The `rehab` command line: the app, its global options, and the one exit point.

The commands live in rehab/commands/ by what they are for; they parse, call the core and
render, with no logic of their own. Heavy modules (the database, PDF, charts) are imported
inside the commands that need them, so `rehab --help`, completion and `rehab timeline` start
quickly.
"""


import os
import sys
from importlib import import_module
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from rehab import __version__
from rehab.commands.common import Settings
from rehab.errors import Fault, RehabError

try:  # Typer >= 0.29 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses Click itself
    import click


class RehabGroup(TyperGroup):
    """The one exit point: every error becomes one plain line on stderr and an exit status."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        debug = _debug_requested(args)
        try:
            code = super().main(args=args, prog_name=prog_name or "rehab", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `rehab patient` alone: show its help
            click.echo(exc.ctx.get_help())
            code = 0
        except click.ClickException as exc:
            _fail(_usage_line(exc), 2)
        except (typer.Abort, KeyboardInterrupt, EOFError):
            _fail("aborted; nothing was written", 1)
        except (RehabError, Fault) as exc:  # bad input (2), or a fault named in plain words (1)
            if debug:  # the traceback asked for; the exit status stays the contract's
                import traceback

                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the one place an unexpected fault is reported
            if debug:
                raise
            _fail(f"unexpected error ({type(exc).__name__}); run again with --debug for details", 1)
        sys.exit(code or 0)


def _debug_requested(args) -> bool:
    argv = sys.argv[1:] if args is None else list(args)
    return "--debug" in argv or os.environ.get("REHAB_DEBUG") == "1"


def _usage_line(exc: click.ClickException) -> str:
    message = " ".join(exc.format_message().split())  # one line: Click breaks choices over lines with tabs
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        return f"{message} (see '{ctx.command_path} --help')"
    return message


def _fail(message: str, code: int):
    sys.stderr.write(f"rehab: {message}\n")
    sys.exit(code)


APP_SETTINGS = dict(
    cls=RehabGroup,
    help="Recovery after posterior ankle impingement surgery: dated timelines, a daily log, "
    "and flags when recovery strays from the plan.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


# In the order `rehab --help` lists them, the daily loop first: each command's module in
# rehab/commands/ and its name there. A command imports only its own module.
COMMANDS = {
    "patient": ("patients", "patient_app"),
    "today": ("journal", "today"),
    "log": ("journal", "log"),
    "history": ("journal", "history"),
    "flags": ("journal", "flags_app"),
    "timeline": ("plan", "timeline"),
    "score": ("outcomes", "score"),
    "measure": ("outcomes", "measure"),
    "outcomes": ("outcomes", "outcomes_command"),
    "report": ("records", "report"),
    "protocols": ("plan", "protocols_app"),
    "export": ("records", "export_data"),
    "import": ("records", "import_data"),
    "demo": ("records", "demo"),
}


def make_app(only: str | None = None) -> typer.Typer:
    """The app with every command, or with just the one about to run: Typer builds every
    command's options before it dispatches, which was a tenth of a daily command's work."""
    built = typer.Typer(**APP_SETTINGS)
    built.callback()(root)
    for name, (module, attribute) in COMMANDS.items():
        if only not in (None, name):
            continue
        target = getattr(import_module(f"rehab.commands.{module}"), attribute)
        if isinstance(target, typer.Typer):
            built.add_typer(target, name=name)
        else:
            built.command(name)(target)
    return built


def __getattr__(name: str):
    """`rehab.cli.app`, the whole app (for tests and tools), built on first use."""
    if name == "app":
        globals()["app"] = whole = make_app()
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "app"})  # tools that list a module's names find the app


def _command_named(args: list[str]) -> str | None:
    """The command an argument list runs, past the global options; None if unsure."""
    values = iter(args)
    for arg in values:
        if arg in ("--db", "--protocols-dir"):
            next(values, None)
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main() -> None:
    """Run the command line (the `rehab` script, rehab.__main__, calls this)."""
    # A terminal whose locale cannot show a character (a Latin-1 console and "Ł") gets a
    # "?" rather than a crash; documents for programs are written as UTF-8 bytes anyway.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    completing = any(key.startswith("_REHAB_COMPLETE") for key in os.environ)
    only = None if completing else _command_named(sys.argv[1:])
    typer.main.get_command(make_app(only)).main(prog_name="rehab")
