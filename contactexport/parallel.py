"""Replay across processes: conversations split by ranges of their IDs, one writer.

The store cuts its conversation IDs into as many ranges as there are workers, each holding
about as many conversations (Gladly's IDs are random, so their events balance too). A range
partitions as stably as a hash, the same store splitting the same way on every run, and costs
far less: each worker's pass over the log makes two comparisons per row, where a list of IDs
cost SQLite a lookup per row. Each worker opens the store read-only, replays the conversations
of its range and writes their rows into a scratch SQLite file. The parent then takes the write
lock once and, in one transaction, replaces the affected rows with the workers' (SQLite copies
them, no Python per row) and moves the checkpoint. Rows are identical to a single-process
replay: a conversation is always replayed whole, by one process, with the same code.

Workers only read events at or below the head position fixed when the replay began, so events
ingested meanwhile wait for the next replay instead of racing this one.
"""

import multiprocessing
import signal
import sqlite3
import tempfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from contactexport.projector import (
    ANOMALIES,
    CHECKPOINT,
    TABLE,
    ReplayReport,
    ensure_schema,
    project_streams,
    rows_replaced,
)
from eventstore import EventStore, StreamRange


@dataclass(frozen=True, slots=True)
class Job:
    """A worker's share: a range of stream ids (a full replay) or a list of them."""

    db: str
    scratch: str
    head: int
    id_range: StreamRange | None = None
    streams: tuple[str, ...] | None = None


def _work(job: Job) -> ReplayReport:
    """In a worker process: replay this partition into the scratch file."""
    report = ReplayReport(full=job.streams is None, position=job.head)
    with EventStore(job.db, readonly=True) as store:
        if job.id_range is not None:
            streams = store.scan_streams(until=job.head, id_range=job.id_range)
        else:
            up_to_head = (
                (stream_id, [e for e in events if e.position <= job.head])
                for stream_id, events in store.iter_streams(job.streams)
            )
            streams = ((stream_id, events) for stream_id, events in up_to_head if events)
        scratch = sqlite3.connect(job.scratch, isolation_level=None)
        scratch.execute("PRAGMA journal_mode = OFF")
        scratch.execute("PRAGMA synchronous = OFF")
        scratch.execute("BEGIN")
        ensure_schema(scratch, indexes=False)
        project_streams(scratch, streams, report)
        scratch.execute("COMMIT")
        scratch.close()
    return report


def _leave_ctrl_c_to_parent() -> None:
    """Ctrl-C reaches every process of the terminal's group: the parent stops the pool and
    says so once, instead of each worker printing its own traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def catch_up_parallel(
    store: EventStore,
    *,
    workers: int,
    full: bool = False,
) -> ReplayReport:
    """What `projector.catch_up` does, with the replay spread over `workers` processes."""
    path = str(store.path)
    checkpoint = store.checkpoint(CHECKPOINT)
    full = full or checkpoint == 0
    head = store.head()
    touched = None if full else store.streams_since(checkpoint)
    with tempfile.TemporaryDirectory(prefix="contactexport-replay-") as scratch_dir:
        scratch = [str(Path(scratch_dir) / f"part-{k}.db") for k in range(workers)]
        if touched is None:
            ranges = store.stream_ranges(workers, until=head)
            jobs = [Job(path, scratch[k], head, id_range=r) for k, r in enumerate(ranges)]
        else:  # as many touched conversations each, never none (a process costs ~0.3 s)
            cuts = [len(touched) * k // workers for k in range(workers + 1)]
            shares = [tuple(touched[a:b]) for a, b in pairwise(cuts) if a < b]
            jobs = [Job(path, scratch[k], head, streams=t) for k, t in enumerate(shares)]
        parts = _run(jobs)
        report = ReplayReport(full=full, position=head)
        for part in parts:
            report.conversations += part.conversations
            report.contacts += part.contacts
            report.anomalies += part.anomalies
            report.events += part.events
        _merge(store, [job.scratch for job in jobs], touched, head)
    return report


def _run(jobs: list[Job]) -> list[ReplayReport]:
    if not jobs:
        return []
    with multiprocessing.get_context("spawn").Pool(len(jobs), _leave_ctrl_c_to_parent) as pool:
        return pool.map(_work, jobs)


def _merge(store: EventStore, scratches: list[str], touched: list[str] | None, head: int) -> None:
    """One transaction: the affected rows replaced by the workers', and the checkpoint."""
    conn = store.conn
    names = [f"part{k}" for k in range(len(scratches))]
    for name, scratch in zip(names, scratches, strict=True):
        conn.execute(f"ATTACH DATABASE ? AS {name}", (scratch,))
    try:
        with store.transaction():
            with rows_replaced(conn, touched):
                for name in names:
                    for table in (TABLE, ANOMALIES):
                        conn.execute(f"INSERT INTO main.{table} SELECT * FROM {name}.{table}")
            store.set_checkpoint(CHECKPOINT, head)
    finally:
        for name in names:
            conn.execute(f"DETACH DATABASE {name}")
