"""`contactexport export`: the Contact Export, filtered, sorted and formatted."""

from enum import StrEnum
from typing import Annotated

import typer

from contactexport.cli.app import StorePath, app, db_path, err, many, open_store
from contactexport.cli.options import (
    AsOf,
    Channels,
    Durations,
    DurationStyle,
    Inboxes,
    LinkTemplate,
    Output,
    QueuedFrom,
    QueuedTo,
    Statuses,
    Zone,
    choice,
    flag,
    format_for,
    output_stream,
    parse_as_of,
    parse_header,
    parse_link_template,
    parse_zone,
    writable_output,
)
from contactexport.cli.rows import filters_from_options, prepare_rows, undated_note
from contactexport.columns import HEADERS
from contactexport.export import (
    ExportQuery,
    RowFormat,
    export_csv,
    query_rows,
    write_jsonl,
)


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


@app.command(rich_help_panel="Report")
def export(
    ctx: typer.Context,
    db: StorePath = None,
    output: Output = None,
    from_date: QueuedFrom = None,
    to_date: QueuedTo = None,
    channel: Channels = None,
    inbox: Inboxes = None,
    status: Statuses = None,
    tz: Zone = "UTC",
    sort: Annotated[
        list[str] | None,
        typer.Option(
            "--sort",
            metavar="COLUMN",
            help="Sort by this column (report header name), blanks last. Repeatable: "
            "--sort Channel --sort 'Talk Time' sorts by Channel, then Talk Time.",
        ),
    ] = None,
    desc: Annotated[
        bool,
        flag(
            "--desc",
            help="Sort descending, by every --sort column; without --sort, newest Queued At first.",
        ),
    ] = False,
    as_of: AsOf = None,
    fmt: Annotated[
        Format | None,
        choice(
            "--format",
            choices=Format,
            help="csv or jsonl (default: as the -o name says, .csv, .jsonl or .ndjson, "
            "with or without .gz; else csv).",
        ),
    ] = None,
    durations: Durations = DurationStyle.seconds,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="COLUMNS",
            help="Comma-separated report headers to write, in that order (default: all 57).",
        ),
    ] = None,
    link_template: LinkTemplate = None,
) -> None:
    """Write the Contact Export: one row per contact, ordered by Queued At.

    Catches up with the store first. Dates are days of Queued At in --tz, inclusive. A Link
    to each customer's page in Gladly: --link-template
    'https://acme.gladly.com/customer/{customer_id}'.
    """
    zone = parse_zone(tz)
    output = writable_output(output, db_path(ctx))
    fmt = format_for(output, fmt, Format, Format.csv)
    query = ExportQuery(
        filters_from_options(from_date, to_date, channel, inbox, zone, status),
        sort=_sort_keys(sort, desc),
        descending=desc,
    )
    chosen = HEADERS if columns is None else _chosen_columns(columns)
    row_format = RowFormat(zone, parse_link_template(link_template), durations.value, chosen)
    as_of_ms = parse_as_of(as_of, zone)
    # The output first: a file that cannot be written is refused before the catch-up.
    with output_stream(output) as out, open_store(ctx) as store:
        prepare_rows(store, query, as_of_ms)
        if fmt is Format.jsonl:
            count = write_jsonl(out, query_rows(store.conn, query), row_format)
        else:
            count = export_csv(store.conn, query, row_format, out)
        undated = undated_note(store, query)
    err.print(f"exported {many(count, 'contact')}" + (f" to {output}" if output else ""))
    if undated:
        err.print(undated)


def _sort_keys(names: list[str] | None, descending: bool) -> tuple[str, ...]:
    """--sort columns, in order, each once; --desc alone reverses the default order."""
    if not names:
        return ("Queued At",) if descending else ()
    return tuple(dict.fromkeys(parse_header(name, "--sort") for name in names))


def _chosen_columns(text: str) -> tuple[str, ...]:
    """--columns: report headers, each once (JSON Lines keys could not hold a column twice)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise typer.BadParameter(
            "no column named; leave --columns out for all 57", param_hint="--columns"
        )
    chosen = tuple(parse_header(name, "--columns") for name in names)
    twice = sorted({header for header in chosen if chosen.count(header) > 1})
    if twice:
        raise typer.BadParameter(
            f"{', '.join(map(repr, twice))} named twice", param_hint="--columns"
        )
    return chosen
