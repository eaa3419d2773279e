"""`contactexport summary` and `top`: the report's "how to use" questions, answered."""

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import StorePath, app, err, open_store, out
from contactexport.cli.options import (
    AsOf,
    Channels,
    Durations,
    DurationStyle,
    Inboxes,
    LinkTemplate,
    QueuedFrom,
    QueuedTo,
    Statuses,
    Zone,
    choice,
    parse_as_of,
    parse_header,
    parse_link_template,
    parse_zone,
)
from contactexport.cli.rows import filters_from_options, report_rows, undated_note
from contactexport.columns import BY_HEADER
from contactexport.export import ExportQuery, RowFormat, csv_writer, format_rows
from contactexport.formatting import hms, seconds, spreadsheet_safe
from contactexport.summary import TIME_BUCKETS, summarize

NUMERIC = ("duration", "count", "money")


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"


TableFormatOption = Annotated[
    TableFormat, choice("--format", choices=TableFormat, help="table or csv.")
]


def _metric(name: str, option: str) -> str:
    header = parse_header(name, option)
    if BY_HEADER[header].kind not in NUMERIC:
        raise typer.BadParameter(f"{header!r} is not a number or duration", param_hint=option)
    return header


GROUP_KINDS = ("text", "count")
_KIND_WORDS = {"timestamp": "a time", "duration": "a duration", "money": "an amount"}


def _group(name: str) -> str:
    """A --by group: a period of Queued At (any case), else a report column."""
    if name.lower() in TIME_BUCKETS:
        return name.lower()
    header = parse_header(name, "--by", periods=TIME_BUCKETS)
    kind = BY_HEADER[header].kind
    if kind not in GROUP_KINDS:
        raise typer.BadParameter(
            f"{header!r} is {_KIND_WORDS[kind]}, which makes a group of every value; group by a "
            "text or count column, or by a period of Queued At: " + ", ".join(TIME_BUCKETS),
            param_hint="--by",
        )
    return header


def _number(metric: str, value: float, hms_style: bool) -> str:
    if BY_HEADER[metric].kind == "duration":
        ms = round(value)
        return hms(ms) if hms_style else seconds(ms)
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _emit(headers: list[str], rows: list[list[str]], fmt: TableFormat, title: str) -> None:
    """The rows as a table or CSV; CSV cells taken from the events must already be
    spreadsheet-safe. Numbers are not quoted: a negative d:hh:mm:ss duration (-0:00:02:00)
    would gain a quote that export does not give it."""
    if fmt is TableFormat.csv:
        writer = csv_writer(sys.stdout)
        writer.writerow(headers)
        writer.writerows(rows)
        return
    table = Table(*headers, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(Text(cell) if cell else "[dim](blank)[/]" for cell in row))
    out.print(table)


@app.command(rich_help_panel="Report")
def summary(
    ctx: typer.Context,
    db: StorePath = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="COLUMN|PERIOD",
            help="Group by a text or count column (e.g. 'Entry Point', 'Inbox when First "
            "Queued', Transferred) or a period of Queued At: hour, day, week (any case). "
            "Repeatable: --by day --by 'Entry Point'.",
        ),
    ] = None,
    metric: Annotated[
        str,
        typer.Option(
            "--metric", metavar="COLUMN", help="The number or duration column to describe."
        ),
    ] = "Queued-to-Fulfilled Time",
    from_date: QueuedFrom = None,
    to_date: QueuedTo = None,
    channel: Channels = None,
    inbox: Inboxes = None,
    status: Statuses = None,
    tz: Zone = "UTC",
    as_of: AsOf = None,
    durations: Durations = DurationStyle.seconds,
    fmt: TableFormatOption = TableFormat.table,
) -> None:
    """Count, mean, median, p90 and max of one metric per group, e.g. voice wait by entry point.

    Contacts with a blank metric (not ended, not fulfilled...) are left out of its statistics.
    """
    zone = parse_zone(tz)
    groups = [_group(name) for name in by or []]
    metric = _metric(metric, "--metric")
    query = ExportQuery(filters_from_options(from_date, to_date, channel, inbox, zone, status))
    with open_store(ctx) as store:
        stats = summarize(report_rows(store, query, parse_as_of(as_of, zone)), groups, metric, zone)
        undated = undated_note(store, query)
    hms_style = durations is DurationStyle.hms
    label = spreadsheet_safe if fmt is TableFormat.csv else str  # group keys are event text
    rows = [
        [
            *map(label, s.key),
            str(s.count),
            *(_number(metric, v, hms_style) for v in (s.mean, s.median, s.p90, s.max)),
        ]
        for s in stats
    ]
    _emit([*groups, "count", "mean", "median", "p90", "max"], rows, fmt, metric)
    if not rows:
        err.print("no contacts with a value for this metric")
    if undated:
        err.print(undated)


@app.command(rich_help_panel="Report")
def top(
    ctx: typer.Context,
    metric: Annotated[
        str, typer.Argument(metavar="COLUMN", help="The number or duration column to rank by.")
    ],
    db: StorePath = None,
    n: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help="How many contacts.")
    ] = 20,
    from_date: QueuedFrom = None,
    to_date: QueuedTo = None,
    channel: Channels = None,
    inbox: Inboxes = None,
    status: Statuses = None,
    tz: Zone = "UTC",
    as_of: AsOf = None,
    link_template: LinkTemplate = None,
    durations: Durations = DurationStyle.seconds,
    fmt: TableFormatOption = TableFormat.table,
) -> None:
    """The contacts contributing most to a metric (e.g. "Contact Handle Time"), with links.

    A Link to each customer's page in Gladly: --link-template
    'https://acme.gladly.com/customer/{customer_id}'.
    """
    zone = parse_zone(tz)
    metric = _metric(metric, "COLUMN")
    query = ExportQuery(
        filters_from_options(from_date, to_date, channel, inbox, zone, status),
        sort=(metric,),
        descending=True,
    )
    template = parse_link_template(link_template)
    shown = ("Contact ID", "Queued At", "Channel", "Entry Point", metric)
    shown += ("Link",) if template else ()
    row_format = RowFormat(
        zone=zone,
        link_template=template,
        durations=durations.value,
        columns=shown,
        for_spreadsheet=fmt is TableFormat.csv,
    )
    with open_store(ctx) as store:
        rows = report_rows(store, query, parse_as_of(as_of, zone))
        cells = [r for _, r in zip(range(n), format_rows(rows, row_format), strict=False)]
        undated = undated_note(store, query)
    _emit(list(shown), [c for c in cells if c[4]], fmt, f"top {n} by {metric}")
    if undated:
        err.print(undated)
