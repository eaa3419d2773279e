"""`contactexport check`: replay regression fixtures and report every differing cell."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from contactexport.check import (
    EVENTS,
    EXPECTED,
    check_fixture,
    events_file,
    fixture_folders,
    update_fixture,
)
from contactexport.cli.app import app, err, many, out
from contactexport.cli.options import flag


@app.command(rich_help_panel="Fixtures and data")
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="DIR",
            help="Fixture folders (events.jsonl or events.jsonl.gz + expected.csv), or folders "
            "holding them at any depth.",
            exists=True,
            file_okay=False,
        ),
    ],
    update: Annotated[
        bool,
        flag(
            "--update",
            help="Write expected.csv from the current output (a new fixture needs only "
            "events.jsonl, or events.jsonl.gz).",
        ),
    ] = False,
) -> None:
    """Replay each fixture into a temporary store and compare with its expected.csv.

    Exit 1 when any cell differs (or a row is missing or extra, or a line is rejected), 0 when
    all match. What differs is the output, on stdout; progress and the count go to stderr.
    """
    folders = fixture_folders(paths)
    if not folders:
        err.print(
            "[red]error:[/] no fixture folders (holding events.jsonl, events.jsonl.gz or "
            "expected.csv) found"
        )
        raise typer.Exit(2)
    if update:
        _update(folders)
        return
    failed = 0
    for folder in folders:
        result = check_fixture(folder)
        if result.ok:
            err.print(f"[green]ok[/]   {escape(str(folder))}")
            continue
        failed += 1
        out.print(f"[red]FAIL[/] {escape(str(folder))}", soft_wrap=True)
        for problem in result.problems:
            out.print(f"     {problem}", markup=False, soft_wrap=True)
        if result.differences:
            table = Table("contact", "column", "expected", "got")
            for d in result.differences:
                table.add_row(*(Text(cell) for cell in (d.contact_id, d.column, d.expected, d.got)))
            out.print(table)
    err.print(f"{len(folders) - failed} of {len(folders)} fixtures match")
    if failed:
        raise typer.Exit(1)


def _update(folders: list[Path]) -> None:
    """Write each fixture's expected.csv from today's output; exit 1 if one has no events, an
    event ingest rejects, or its expected.csv cannot be written (it is then left as it was)."""
    failed = 0
    for folder in folders:
        if events_file(folder) is None:
            failed += 1
            missing = f"{folder / EVENTS} (or .gz): missing, nothing to replay"
            err.print(f"[red]error:[/] {escape(missing)}")
            continue
        update = update_fixture(folder)
        if update.rejects:
            failed += 1
            for reject in update.rejects:
                err.print(f"[red]error:[/] {escape(reject)}")
            err.print(f"{escape(str(folder))}: {EXPECTED} not written: fix the rejected lines")
            continue
        if update.unwritten:
            failed += 1
            err.print(f"[red]error:[/] {escape(update.unwritten)}", highlight=False)
            continue
        rows = many(update.rows, "row")
        done = f"wrote {rows} to {EXPECTED}" if update.changed else f"{EXPECTED} unchanged ({rows})"
        err.print(f"{escape(str(folder))}: {done}", highlight=False)
    if failed:
        raise typer.Exit(1)
