"""The start-up floor: a minimal Typer app shaped like `rehab` (a group, a few options,
two commands) whose commands import only what their kind of command cannot avoid, then
print a one-row Rich table.

    python typer_floor.py --help                      floor for `rehab --help`
    _FLOOR_COMPLETE=complete_bash COMP_WORDS="floor ti" COMP_CWORD=1 python typer_floor.py
                                                      floor for tab completion
    python typer_floor.py timeline --surgery-date D   floor for `rehab timeline`
                                                      (rich, yaml, pydantic, dateutil)
    python typer_floor.py db                          floor for `rehab today|log|history`
                                                      (rich, sqlmodel: open REHAB_DB, one tiny query)

Everything heavy is imported inside the command, as a fast CLI must: `--help` and
completion load Typer (and what Typer itself loads) and nothing else.
"""

import os
from typing import Annotated, Optional

import typer

app = typer.Typer(help="Benchmark floor: the least a Typer CLI like rehab can do.",
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False)


@app.callback()
def root(
    db: Annotated[Optional[str], typer.Option("--db", envvar="REHAB_DB", help="SQLite file.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
):
    """A few options, nothing else."""


@app.command()
def timeline(
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", help="Day 0.")] = None,
    procedure: Annotated[Optional[str], typer.Option("--procedure", help="Procedure id.")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="The day to look at.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """What a timeline command cannot avoid: rich, yaml, pydantic, dateutil."""
    import yaml  # noqa: F401
    from dateutil.relativedelta import relativedelta  # noqa: F401
    from pydantic import BaseModel  # noqa: F401
    from rich.console import Console
    from rich.table import Table

    table = Table("Procedure", "Surgery")
    table.add_row(procedure or "-", surgery_date or "-")
    Console().print(table)


@app.command()
def db(
    ctx: typer.Context,
    patient: Annotated[Optional[str], typer.Option("--patient", "-p", help="Patient.")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="The day to look at.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """What a database command cannot avoid: rich, sqlmodel, opening the database, one query."""
    from rich.console import Console
    from rich.table import Table
    from sqlmodel import create_engine, text

    path = ctx.parent.params.get("db") or os.environ.get("REHAB_DB") or "floor.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
    table = Table("Database", "Objects")
    table.add_row(os.path.basename(path), str(count))
    Console().print(table)


if __name__ == "__main__":
    typer.main.get_command(app).main(prog_name="floor")
