"""`contactexport check`: replay regression fixtures and report every differing cell."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from contactexport.check import check_fixture, fixture_folders, update_fixture
from contactexport.cli.app import app, err, out
from contactexport.cli.options import flag


@app.command(rich_help_panel="Fixtures and data")
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="DIR",
            help="Fixture folders (events.jsonl + expected.csv), or folders holding them.",
            exists=True,
            file_okay=False,
        ),
    ],
    update: Annotated[
        bool,
        flag("--update", help="Rewrite expected.csv from the current output."),
    ] = False,
) -> None:
    """Replay each fixture into a temporary store and compare with its expected.csv.

    Exit 1 when any cell differs (or a row is missing or extra, or a line is rejected), 0 when
    all match. What differs is the output, on stdout; progress and the count go to stderr.
    """
    folders = fixture_folders(paths)
    if not folders:
        err.print("[red]error:[/] no fixture folders (events.jsonl + expected.csv) found")
        raise typer.Exit(2)
    if update:
        for folder in folders:
            err.print(f"{folder}: wrote {update_fixture(folder)} rows to expected.csv")
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
