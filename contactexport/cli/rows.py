"""The rows every report command reads: caught up, or replayed as of a moment."""

from collections.abc import Iterator

import typer

from contactexport.cli.app import many
from contactexport.cli.options import parse_channels, parse_date, parse_statuses
from contactexport.cli.replay import replay_with_progress
from contactexport.export import ExportQuery, Filters, query_rows, undated_count
from contactexport.projector import AS_OF_TABLE, is_current, project_as_of
from eventstore import EventStore


def filters_from_options(
    from_date: str | None,
    to_date: str | None,
    channel: list[str] | None,
    inbox: list[str] | None,
    zone,
    status: list[str] | None = None,
) -> Filters:
    first, last = parse_date(from_date, "--from"), parse_date(to_date, "--to")
    if first and last and first > last:
        raise typer.BadParameter(
            f"--from {first} is after --to {last}; swap them (both days are included)",
            param_hint="--from/--to",
        )
    return Filters(
        from_date=first,
        to_date=last,
        channels=parse_channels(channel),
        inboxes=tuple(inbox or ()),
        statuses=parse_statuses(status),
        zone=zone,
    )


def catch_up_if_behind(store: EventStore) -> None:
    """Every reading command sees every stored event: replay first when the store moved on."""
    if not is_current(store):
        replay_with_progress(store)


def prepare_rows(store: EventStore, query: ExportQuery, as_of_ms: int | None) -> None:
    """Point the query at current rows: an as-of replay (projection untouched) or the projection
    caught up with the store."""
    if as_of_ms is not None:
        project_as_of(store, as_of_ms)
        query.table = AS_OF_TABLE
    else:
        catch_up_if_behind(store)


def report_rows(store: EventStore, query: ExportQuery, as_of_ms: int | None) -> Iterator[tuple]:
    """Raw rows for the query, after `prepare_rows`."""
    prepare_rows(store, query, as_of_ms)
    return query_rows(store.conn, query)


def undated_note(store: EventStore, query: ExportQuery) -> str | None:
    """After a report over a date range: how many contacts it could not hold because they have
    no Queued At (their CONTACT/STARTED is missing), since nothing else would say so."""
    if query.filters.from_date is None and query.filters.to_date is None:
        return None
    if undated := undated_count(store.conn, query):
        verb = "is" if undated == 1 else "are"
        return (
            f"{many(undated, 'contact')} without Queued At (no CONTACT/STARTED) {verb} outside "
            "any date range: see anomalies"
        )
    return None
