"""`contactexport replay`: bring the Contact Export projection up to date."""

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from contactexport.cli.app import app, err, open_store
from contactexport.projector import ReplayReport, catch_up
from eventstore import EventStore


def replay_with_progress(store: EventStore, *, full: bool = False) -> ReplayReport:
    """Catch up, with a progress bar over events on stderr when there is much to do."""
    total = store.head() if full else None
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("replay", total=total)
        return catch_up(store, full=full, on_conversation=lambda n: progress.advance(task, n))


def summary(report: ReplayReport) -> str:
    kind = "full replay" if report.full else "incremental replay"
    return (
        f"{kind}: {report.contacts:,} contacts from {report.conversations:,} conversations "
        f"({report.events:,} events), {report.anomalies:,} anomalies; "
        f"projection at position {report.position:,}"
    )


@app.command()
def replay(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild every row instead of catching up.")
    ] = False,
) -> None:
    """Bring the Contact Export projection up to date with the store.

    Only conversations with events after the stored checkpoint are replayed (late and
    out-of-order events included); [bold]--full[/] rebuilds everything.
    """
    with open_store(ctx) as store:
        report = replay_with_progress(store, full=full)
    err.print(summary(report))
