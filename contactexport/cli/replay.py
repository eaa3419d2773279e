"""`contactexport replay`: bring the Contact Export projection up to date."""

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from contactexport.cli.app import StorePath, app, err, many, open_store
from contactexport.cli.options import flag
from contactexport.parallel import catch_up_parallel
from contactexport.projector import ReplayReport, anomaly_summary, catch_up
from eventstore import EventStore

# The workers' rows are merged by attaching each one's scratch file, and SQLite attaches at most
# 10 databases to a connection (SQLITE_MAX_ATTACHED); an 11th would fail only after the replay.
MAX_WORKERS = 10


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
        f"{kind}: {many(report.contacts, 'contact')} from "
        f"{many(report.conversations, 'conversation')} ({many(report.events, 'event')}), "
        f"{many(report.anomalies, 'anomaly')} in them; "
        f"store position {report.position:,}"
    )


def anomaly_line(reasons: list[tuple[str, int, int]]) -> str:
    """The whole projection's anomalies (the summary line counts only those replayed now),
    contacts split across conversations included."""
    if not reasons:
        return "no anomalies in the projection"
    total = sum(count for _, count, _ in reasons)
    top = "; ".join(f"{count:,} × {reason}" for reason, count, _ in reasons[:3])
    more = "; …" if len(reasons) > 3 else ""
    return f"in all, {many(total, 'anomaly')}: {top}{more} (see `contactexport anomalies`)"


@app.command(rich_help_panel="Store")
def replay(
    ctx: typer.Context,
    db: StorePath = None,
    full: Annotated[bool, flag("--full", help="Rebuild every row instead of catching up.")] = False,
    strict: Annotated[
        bool, flag("--strict", help="Exit 1 when the projection holds any anomaly.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            max=MAX_WORKERS,
            metavar="N",
            help=f"Replay in this many processes, at most {MAX_WORKERS} (same rows, faster).",
        ),
    ] = 1,
) -> None:
    """Bring the Contact Export projection up to date with the store.

    Only conversations with events after the stored checkpoint are replayed (late and
    out-of-order events included); [bold]--full[/] rebuilds everything.
    """
    with open_store(ctx) as store:
        if workers > 1:
            with err.status(f"replaying in {workers} processes"):
                report = catch_up_parallel(store, workers=workers, full=full)
        else:
            report = replay_with_progress(store, full=full)
        reasons = anomaly_summary(store)
    err.print(summary(report))
    err.print(anomaly_line(reasons))
    if strict and reasons:
        raise typer.Exit(1)
