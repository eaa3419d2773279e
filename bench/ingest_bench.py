"""Ingest throughput on realistic Gladly events, against a raw floor measured in the same run.

    .venv/bin/python bench/ingest_bench.py [--events 300000] [--repeat 3] [--profile]

The floor is what SQLite and the standard library can do with no validation at all: `json.loads`
of each line and one `executemany` of the same rows into a table with the same indexes, in one
transaction. Targets (ISSUE 2): >= 120,000 events/s and >= 0.6x the floor.
"""

import argparse
import cProfile
import json
import pstats
import random
import sqlite3
import string
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from contactexport.ingest import BATCH_EVENTS, ingest_files
from contactexport.timestamps import parse_ms
from eventstore import EventStore

TARGET_EVENTS_PER_S = 120_000
TARGET_RATIO = 0.6

_ALPHABET = string.ascii_letters + string.digits + "-_"
_CHANNELS = ("PHONE_CALL", "CHAT", "EMAIL", "SMS", "WHATSAPP", "VOICEMAIL")


class _Center:
    """Just enough of a contact center to emit plausible events: a few inboxes and agents."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.inboxes = [self.gladly_id() for _ in range(8)]
        self.agents = [self.gladly_id() for _ in range(60)]

    def gladly_id(self) -> str:
        return "".join(self.rnd.choices(_ALPHABET, k=22))

    def conversation(self, start_ms: int) -> list[tuple[int, dict]]:
        """One conversation: a contact through queue, offer, work, fulfilment and end."""
        rnd = self.rnd
        conversation_id, customer_id, contact_id = (self.gladly_id() for _ in range(3))
        channel = rnd.choice(_CHANNELS)
        inbox, agent = rnd.choice(self.inboxes), rnd.choice(self.agents)
        base = {
            "contactId": contact_id,
            "conversationId": conversation_id,
            "customerId": customer_id,
            "channel": channel,
        }
        now = start_ms
        events: list[tuple[int, dict]] = []

        def contact(event_type: str, assignee: dict, initiator: str = "AGENT", **extra) -> None:
            nonlocal now
            now += rnd.randint(500, 90_000)
            content = {**base, **extra, "context": {"assignee": assignee}}
            events.append((now, self.envelope(event_type, now, initiator, agent, content)))

        def other(event_type: str, content: dict) -> None:
            nonlocal now
            now += rnd.randint(500, 60_000)
            events.append((now, self.envelope(event_type, now, "AGENT", agent, content)))

        queued = {"inboxId": inbox}
        assigned = {"inboxId": inbox, "agentId": agent}
        contact(
            "CONTACT/STARTED",
            queued,
            "CUSTOMER",
            entryPoint="+15550100",
            finalIVRSelection="billing",
            dueAt=_iso(now + 300_000),
        )
        contact("CONTACT/OFFERED", queued, agentId=agent, matchReasons=["Transfer"])
        contact("CONTACT/OFFER_ACCEPTED", queued, agentId=agent)
        view = {"agentId": agent, "customerId": customer_id, "conversationId": conversation_id}
        other("PROFILE_VIEW/STARTED", view)
        if channel == "PHONE_CALL":
            contact("CONTACT/HOLD_STARTED", assigned, reason="MANUAL")
            contact("CONTACT/HOLD_ENDED", assigned, reason="MANUAL")
        elif channel != "VOICEMAIL":
            for _ in range(rnd.randint(1, 4)):
                contact(
                    "CONTACT/MESSAGE_RECEIVED", assigned, "CUSTOMER", messageId=self.gladly_id()
                )
                contact("CONTACT/MESSAGE_SENT", assigned, messageId=self.gladly_id())
        if rnd.random() < 0.2:
            payment = {
                "contactId": contact_id,
                "conversationId": conversation_id,
                "customerId": customer_id,
                "paymentRequestId": self.gladly_id(),
                "context": {"currency": "USD", "monetaryUnit": rnd.randint(5, 500)},
            }
            other("PAYMENT_REQUEST/CREATED", payment)
            status = {"oldStatus": "REQUESTING", "newStatus": "COMPLETED"}
            other("PAYMENT_REQUEST/STATUS_CHANGED", {**payment, **status})
        contact("CONTACT/FULFILLED", assigned, fulfilledType="RESPONDED")
        contact("CONTACT/ENDED", assigned, status="ANSWERED", reason="AGENT_ENDED")
        other("PROFILE_VIEW/ENDED", view)
        closed = {
            "customerId": customer_id,
            "conversationId": conversation_id,
            "context": {"assignee": assigned},
        }
        other("CONVERSATION/CLOSED", closed)
        return events

    def envelope(
        self, event_type: str, at_ms: int, initiator: str, agent: str, content: dict
    ) -> dict:
        who = agent if initiator == "AGENT" else self.gladly_id()
        return {
            "id": self.gladly_id(),
            "type": event_type,
            "timestamp": _iso(at_ms),
            "initiator": {"id": who, "type": initiator},
            "content": content,
        }


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def generate(path: Path, count: int, seed: int = 7) -> None:
    """`count` events of overlapping conversations, written in event-time order."""
    center = _Center(seed)
    start = parse_ms("2026-11-02T08:00:00Z")
    timed: list[tuple[int, dict]] = []
    while len(timed) < count:
        timed.extend(center.conversation(start + center.rnd.randint(0, 8 * 3_600_000)))
    timed.sort(key=lambda pair: pair[0])
    with path.open("wb") as out:
        out.writelines(orjson.dumps(event) + b"\n" for _, event in timed[:count])


def measure_ingest(source: Path, workdir: Path, run: int, profile: bool, batch: int) -> float:
    store = EventStore(workdir / f"ingest-{run}.db")
    profiler = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    report = ingest_files(store, [source], batch_events=batch)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - began
    store.close()
    assert report.total.accepted == report.total.lines, report.total
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    return elapsed


def measure_floor(source: Path, workdir: Path, run: int) -> float:
    conn = sqlite3.connect(workdir / f"floor-{run}.db", isolation_level=None)
    conn.execute(
        "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
        " stream_id TEXT, type TEXT NOT NULL, time_ms INTEGER NOT NULL, data TEXT NOT NULL,"
        " source TEXT, line INTEGER)"
    )
    conn.execute("CREATE INDEX events_by_stream ON events (stream_id, position)")
    began = time.perf_counter()
    rows = []
    with source.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            event = json.loads(line)
            rows.append(
                (
                    event["id"],
                    event["content"].get("conversationId"),
                    event["type"],
                    parse_ms(event["timestamp"]),
                    line.decode().rstrip("\n"),
                    "floor",
                    number,
                )
            )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO events (event_id, stream_id, type, time_ms, data, source, line)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - began
    conn.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--profile", action="store_true", help="cProfile one ingest run")
    parser.add_argument("--batch", type=int, default=BATCH_EVENTS, help="events per transaction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        workdir = Path(tmp)
        source = workdir / "events.jsonl"
        generate(source, args.events)
        size = source.stat().st_size
        print(f"{args.events:,} events, {size / args.events:.0f} bytes each on average")
        # Interleaved, so that both see the same machine: other load varies over time.
        ingest_times, floor_times = [], []
        for run in range(args.repeat):
            ingest_times.append(measure_ingest(source, workdir, run, False, args.batch))
            floor_times.append(measure_floor(source, workdir, run))
        ingest, floor = min(ingest_times), min(floor_times)
        if args.profile:
            measure_ingest(source, workdir, args.repeat, True, args.batch)
    ingest_rate, floor_rate = args.events / ingest, args.events / floor
    ratio = ingest_rate / floor_rate
    print(f"ingest (validated, batched, idempotent): {ingest_rate:>10,.0f} events/s")
    print(f"floor (json.loads + one executemany):    {floor_rate:>10,.0f} events/s")
    print(f"ratio: {ratio:.2f}x the floor")
    met = ingest_rate >= TARGET_EVENTS_PER_S and ratio >= TARGET_RATIO
    print(
        f"targets (>= {TARGET_EVENTS_PER_S:,} events/s, >= {TARGET_RATIO}x): "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
