"""`contactexport anomalies`: contacts whose replay saw impossible events."""

import json
from datetime import tzinfo
from typing import IO, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import StorePath, app, db_path, err, many, open_store, out
from contactexport.cli.options import (
    TABLE_ROWS,
    Channels,
    FromDate,
    Inboxes,
    ListFormat,
    Output,
    ToDate,
    Zone,
    list_format,
    list_limit,
    listing_format,
    output_stream,
    parse_zone,
    writable_output,
)
from contactexport.cli.rows import catch_up_if_behind, filters_from_options
from contactexport.export import where_clause, write_csv
from contactexport.formatting import cell_formatters
from contactexport.projector import ANOMALY_VIEW
from contactexport.timestamps import format_ms

# csv and jsonl write one line per anomaly: (header, column of the anomalies table, kind of
# value). What an anomaly shares with the contact's row goes by the report's own header.
FIELDS = (
    ("Conversation ID", "conversation_id", "text"),
    ("Contact ID", "contact_id", "text"),
    ("Channel", "channel", "text"),
    ("Queued At", "queued_at", "timestamp"),
    ("Inbox when First Queued", "inbox_when_first_queued", "text"),
    ("Event ID", "event_id", "text"),
    ("Event Type", "event_type", "text"),
    ("Event Time", "time_ms", "timestamp"),
    ("Reason", "reason", "text"),
)


@app.command(rich_help_panel="Explain")
def anomalies(
    ctx: typer.Context,
    db: StorePath = None,
    from_date: FromDate = None,
    to_date: ToDate = None,
    channel: Channels = None,
    inbox: Inboxes = None,
    tz: Zone = "UTC",
    limit: Annotated[int | None, list_limit("rows")] = None,
    fmt: Annotated[
        ListFormat | None,
        list_format("A table per contact and reason, or csv / jsonl with one line per anomaly."),
    ] = None,
    output: Output = None,
) -> None:
    """List contacts whose replay saw impossible events: reason, count, first example.

    Dates are days of Queued At, or of the anomaly itself for a contact that never started.
    [bold]--format csv[/] or [bold]jsonl[/] writes every anomaly instead, one line each, for a
    spreadsheet or a script. Exits 0 either way; use [bold]replay --strict[/] to fail on
    anomalies.
    """
    zone = parse_zone(tz)
    output = writable_output(output, db_path(ctx))
    fmt = listing_format(output, fmt)
    filters = filters_from_options(from_date, to_date, channel, inbox, zone)
    # A contact that never started has no Queued At: its anomalies count on their own day.
    where, parameters = where_clause(filters, day_of="coalesce(queued_at, time_ms)")
    # The output first: a file that cannot be written is refused before the catch-up.
    with output_stream(output) as stream, open_store(ctx) as store:
        catch_up_if_behind(store)
        if fmt is ListFormat.table:
            _print_table(store.conn, where, parameters, zone, limit or TABLE_ROWS)
            return
        columns = ", ".join(column for _, column, _ in FIELDS)
        lines = store.conn.execute(
            f"SELECT {columns} FROM {ANOMALY_VIEW}{where} "
            "ORDER BY time_ms, conversation_id, contact_id, event_id, reason LIMIT ?",
            [*parameters, limit or -1],
        ).fetchall()
        _write_lines(stream, lines, fmt, zone)
    if not lines:
        err.print("no anomalies")
        return
    contacts = many(len({line[1] for line in lines}), "contact")  # FIELDS[1]: Contact ID
    to = f" to {output}" if output else ""
    err.print(f"wrote {many(len(lines), 'anomaly')} on {contacts}{to}")


def _print_table(conn, where: str, parameters: list[Any], zone: tzinfo, limit: int) -> None:
    """One row per contact and reason: how often, and its first occurrence."""
    # SQLite takes the bare columns of a MIN() aggregate from the row holding the minimum.
    rows = conn.execute(
        "SELECT contact_id, channel, reason, COUNT(*), MIN(time_ms), event_type, event_id, "
        f"conversation_id FROM {ANOMALY_VIEW}{where} GROUP BY contact_id, reason "
        "ORDER BY MIN(time_ms), contact_id, reason",
        parameters,
    ).fetchall()
    if not rows:
        err.print("no anomalies")
        return
    table = Table("contact", "channel", "anomaly", "count", "first at", "first event")
    for row in rows[:limit]:
        contact_id, chan, reason, count, first_ms, event_type, event_id, conversation = row
        # No event for a contact split across conversations, or a conversation replay left out.
        first = f"{event_type} {event_id}" if event_type else f"conversation {conversation}"
        table.add_row(
            Text(contact_id or ""), Text(chan or ""), Text(reason), str(count),
            "" if first_ms is None else format_ms(first_ms, zone), Text(first),
        )  # fmt: skip
    out.print(table)
    contacts = len({row[0] for row in rows})
    more = f" (first {limit} shown)" if len(rows) > limit else ""
    err.print(f"{many(sum(r[3] for r in rows), 'anomaly')} on {many(contacts, 'contact')}{more}")


def _write_lines(stream: IO[str], lines: list[tuple], fmt: ListFormat, zone: tzinfo) -> None:
    """Each anomaly as a CSV row (text made spreadsheet-safe, as export writes it: reasons and
    IDs are whatever the events said) or as a JSON object (null when blank)."""
    by_kind = cell_formatters(zone)
    if fmt is ListFormat.csv:
        formats = [by_kind[kind] for _, _, kind in FIELDS]
        cells = (
            ["" if value is None else f(value) for f, value in zip(formats, line, strict=True)]
            for line in lines
        )
        write_csv(stream, cells, [header for header, _, _ in FIELDS])
        return
    for line in lines:
        record = {
            header: value if value is None or kind == "text" else by_kind[kind](value)
            for (header, _, kind), value in zip(FIELDS, line, strict=True)
        }
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
