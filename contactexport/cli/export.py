"""`contactexport export`: the Contact Export CSV."""

import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from contactexport.cli.app import app, err, open_store
from contactexport.cli.replay import replay_with_progress
from contactexport.export import ExportQuery, RowFormat, format_rows, query_rows, write_csv
from contactexport.projector import is_current


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(f"unknown time zone {name!r}; use an IANA name") from None


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the CSV here instead of stdout.", dir_okay=False
        ),
    ] = None,
    tz: Annotated[
        str, typer.Option("--tz", help="Report time zone (IANA name) for timestamps.")
    ] = "UTC",
    link_template: Annotated[
        str | None,
        typer.Option(
            "--link-template",
            envvar="CONTACTEXPORT_LINK_TEMPLATE",
            help="Link column template, e.g. "
            "'https://acme.gladly.com/customer/{customer_id}/conversation/{conversation_id}'.",
        ),
    ] = None,
) -> None:
    """Write the Contact Export: 57 columns, one row per contact, ordered by Queued At.

    Catches up with the store first, so the rows reflect every stored event.
    """
    row_format = RowFormat(zone=_zone(tz), link_template=link_template)
    with open_store(ctx) as store:
        if not is_current(store):
            replay_with_progress(store)
        rows = format_rows(query_rows(store.conn, ExportQuery()), row_format)
        if output is None:
            count = write_csv(sys.stdout, rows)
        else:
            with output.open("w", newline="", encoding="utf-8") as out:
                count = write_csv(out, rows)
    err.print(f"exported {count:,} contacts" + (f" to {output}" if output else ""))
