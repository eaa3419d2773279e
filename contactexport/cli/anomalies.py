"""`contactexport anomalies`: contacts whose replay saw impossible events."""

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import app, err, many, open_store, out
from contactexport.cli.options import (
    Channels,
    FromDate,
    Inboxes,
    ToDate,
    Zone,
    parse_zone,
)
from contactexport.cli.rows import catch_up_if_behind, filters_from_options
from contactexport.export import where_clause
from contactexport.projector import ANOMALIES
from contactexport.timestamps import format_ms


@app.command(rich_help_panel="Explain")
def anomalies(
    ctx: typer.Context,
    from_date: FromDate = None,
    to_date: ToDate = None,
    channel: Channels = None,
    inbox: Inboxes = None,
    tz: Zone = "UTC",
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", help="Show at most this many rows.")
    ] = 50,
) -> None:
    """List contacts whose replay saw impossible events: reason, count, first example.

    Dates are days of Queued At, or of the anomaly itself for a contact that never started.
    Exits 0 either way; use [bold]replay --strict[/] to fail on anomalies.
    """
    zone = parse_zone(tz)
    filters = filters_from_options(from_date, to_date, channel, inbox, zone)
    # A contact that never started has no Queued At: its anomalies count on their own day.
    where, parameters = where_clause(filters, day_of="coalesce(queued_at, time_ms)")
    with open_store(ctx) as store:
        catch_up_if_behind(store)
        # SQLite takes the bare columns of a MIN() aggregate from the row holding the minimum.
        rows = store.conn.execute(
            f"SELECT contact_id, channel, reason, COUNT(*), MIN(time_ms), event_type, event_id "
            f"FROM {ANOMALIES}{where} GROUP BY contact_id, reason "
            "ORDER BY MIN(time_ms), contact_id, reason",
            parameters,
        ).fetchall()
    if not rows:
        err.print("no anomalies")
        return
    table = Table("contact", "channel", "anomaly", "count", "first at", "first event")
    for contact_id, chan, reason, count, first_ms, event_type, event_id in rows[:limit]:
        table.add_row(
            Text(contact_id or ""), Text(chan or ""), Text(reason), str(count),
            format_ms(first_ms, zone), Text(f"{event_type} {event_id}"),
        )  # fmt: skip
    out.print(table)
    contacts = len({row[0] for row in rows})
    more = f" (first {limit} shown)" if len(rows) > limit else ""
    err.print(f"{many(sum(r[3] for r in rows), 'anomaly')} on {many(contacts, 'contact')}{more}")
