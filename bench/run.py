"""End-to-end benchmark on simulated data, each stage next to a raw floor measured in the same run.

    .venv/bin/python bench/run.py [--conversations 20000] [--seed 1] [--workdir DIR]

Stages, each in its own process so that its peak RSS is its own:
  ingest       contactexport's validated ingest of the simulated JSONL
  ingest floor json.loads + one executemany of the same rows into an indexed table, one transaction
  replay       full replay of the store into the projection (catch_up --full)
  replay floor an indexed scan of the same events in stream order + json.loads
  incremental  ingest a small batch (new and late events), then catch up
  export       the CSV of every row
Targets (issues 2, 3, 7) are printed next to the measurements; this is never a test.
"""

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

START = "2026-11-02"
TARGETS = {
    "ingest": (120_000, 0.6),
    "replay": (150_000, 0.35),
    "export": (100_000, None),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_ingest(events: Path, db: Path) -> dict:
    from contactexport.ingest import ingest_files
    from eventstore import EventStore

    with EventStore(db) as store:
        start = time.perf_counter()
        report = ingest_files(store, [events])
        seconds = time.perf_counter() - start
    accepted = report.total.accepted
    return {"events": accepted, "seconds": seconds, "rate": accepted / seconds}


def stage_ingest_floor(events: Path, db: Path) -> dict:
    """What SQLite and the standard library do with no validation at all."""
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, stream_id TEXT,"
        " type TEXT, time_ms INTEGER, data TEXT)"
    )
    conn.execute("CREATE INDEX by_stream ON events (stream_id)")
    lines = events.read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    rows = []
    for line in lines:
        event = json.loads(line)
        content = event.get("content") or {}
        rows.append((event["id"], content.get("conversationId"), event["type"], 0, line))
    with conn:
        conn.executemany(
            "INSERT INTO events (event_id, stream_id, type, time_ms, data) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    seconds = time.perf_counter() - start
    return {"events": len(rows), "seconds": seconds, "rate": len(rows) / seconds}


def stage_replay(db: Path, workers: int) -> dict:
    from contactexport.projector import catch_up
    from eventstore import EventStore

    with EventStore(db) as store:
        start = time.perf_counter()
        if workers > 1:
            from contactexport.parallel import catch_up_parallel

            report = catch_up_parallel(store, workers=workers, full=True)
        else:
            report = catch_up(store, full=True)
        seconds = time.perf_counter() - start
    return {"events": report.events, "seconds": seconds, "rate": report.events / seconds}


def stage_replay_floor(db: Path) -> dict:
    conn = sqlite3.connect(db)
    start = time.perf_counter()
    count = 0
    for (data,) in conn.execute(
        "SELECT data FROM events WHERE stream_id IS NOT NULL ORDER BY stream_id, position"
    ):
        json.loads(data)
        count += 1
    seconds = time.perf_counter() - start
    return {"events": count, "seconds": seconds, "rate": count / seconds}


def stage_incremental(db: Path, batch: Path, out: Path) -> dict:
    """The daily routine on a big store: a small batch arrives, one day is exported."""
    from contactexport.export import ExportQuery, Filters, RowFormat, export_csv
    from contactexport.ingest import ingest_files
    from contactexport.projector import catch_up
    from eventstore import EventStore

    day = date.fromisoformat(START) + timedelta(days=1)
    with EventStore(db) as store, out.open("w", newline="", encoding="utf-8") as f:
        start = time.perf_counter()
        ingested = ingest_files(store, [batch]).total.accepted
        report = catch_up(store)
        rows = export_csv(store.conn, ExportQuery(Filters(day, day)), RowFormat(), f)
        seconds = time.perf_counter() - start
    return {"ingested": ingested, "events": report.events,
            "conversations": report.conversations, "rows": rows, "seconds": seconds}  # fmt: skip


def stage_export(db: Path, out: Path) -> dict:
    from contactexport.export import ExportQuery, RowFormat, export_csv
    from eventstore import EventStore

    with EventStore(db) as store, out.open("w", newline="", encoding="utf-8") as f:
        start = time.perf_counter()
        count = export_csv(store.conn, ExportQuery(), RowFormat(), f)
        seconds = time.perf_counter() - start
    return {"rows": count, "seconds": seconds, "rate": count / seconds}


def _simulate(conversations: int, seed: int, start: str, days: int, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "contactexport", "simulate", "--conversations", str(conversations),
         "--seed", str(seed), "--start", start, "--days", str(days), "-o", str(out),
         "--no-progress"],
        check=True, capture_output=True,
    )  # fmt: skip


def _new_batch(events: Path, fresh: Path, batch: Path, new: int, late: int) -> None:
    """`new` events of conversations the store has never seen, then `late` re-keyed copies of
    stored events spread over the store, so they land in old conversations."""
    with batch.open("w", encoding="utf-8") as out:
        with fresh.open(encoding="utf-8") as source:
            for _, line in zip(range(new), source, strict=False):
                out.write(line)
        total = sum(1 for _ in events.open(encoding="utf-8"))
        step = max(1, total // late)
        with events.open(encoding="utf-8") as source:
            for index, line in enumerate(source):
                if index % step == 0 and late:
                    event = json.loads(line)
                    event["id"] = f"late-{index}"
                    out.write(json.dumps(event) + "\n")
                    late -= 1


def _run_stage(name: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--stage", name, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7, help="days the arrivals spread over")
    parser.add_argument("--workers", type=int, default=1, help="replay processes")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.stage:
        stage = globals()[f"stage_{options.stage}"]
        arguments = [int(a) if a.isdigit() else Path(a) for a in options.args]
        measured = stage(*arguments)
        measured["peak_rss_mb"] = round(_rss_mb(), 1)
        print(json.dumps(measured))
        return 0

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="contactexport-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    events, db, floor_db = workdir / "events.jsonl", workdir / "bench.db", workdir / "floor.db"
    batch, out = workdir / "late.jsonl", workdir / "export.csv"
    for path in (db, floor_db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    _simulate(options.conversations, options.seed, START, options.days, events)
    fresh = workdir / "fresh.jsonl"
    later = (date.fromisoformat(START) + timedelta(days=options.days)).isoformat()
    _simulate(1_000, options.seed + 1, later, 1, fresh)
    _new_batch(events, fresh, batch, 9_000, 1_000)
    results = {
        "ingest": _run_stage("ingest", str(events), str(db)),
        "ingest floor": _run_stage("ingest_floor", str(events), str(floor_db)),
        "replay": _run_stage("replay", str(db), str(options.workers)),
        "replay floor": _run_stage("replay_floor", str(db)),
        "incremental": _run_stage("incremental", str(db), str(batch), str(workdir / "day.csv")),
        "export": _run_stage("export", str(db), str(out)),
    }
    print(f"{options.conversations:,} conversations, {results['ingest']['events']:,} events, "
          f"replay workers: {options.workers}")  # fmt: skip
    print(f"{'stage':<14}{'rate/s':>12}{'seconds':>10}{'vs floor':>10}{'peak RSS':>10}  target")
    for name, measured in results.items():
        rate = measured.get("rate")
        floor = results.get(f"{name} floor", {}).get("rate")
        ratio = f"{rate / floor:.2f}x" if rate and floor else ""
        target = TARGETS.get(name)
        goal = ""
        if target:
            goal = f">= {target[0]:,}/s" + (f" and >= {target[1]}x floor" if target[1] else "")
        if name == "incremental":
            goal = (f"< 2 s: ingest {measured['ingested']:,} events, replay "
                    f"{measured['conversations']:,} conversations, export {measured['rows']:,} "
                    "rows of one day")  # fmt: skip
        shown = f"{rate:,.0f}" if rate else ""
        print(f"{name:<14}{shown:>12}{measured['seconds']:>10.2f}{ratio:>10}"
              f"{measured['peak_rss_mb']:>8.0f}MB  {goal}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
