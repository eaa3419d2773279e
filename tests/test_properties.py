"""Properties of replay and ingest over generated event streams (strategies in strategies.py).

Replay: it never raises, a valid conversation gives no anomaly, an impossible event changes
nothing, every row keeps the report's arithmetic, view time is never counted twice. Ingest and
projection: arrival order, duplicate deliveries and batching never change the rows; corrupted
lines are rejected, exactly those, and change nothing else.
"""

import json
from itertools import pairwise
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import chaos, conversations, corruptions, render, streams

from builders import ev, stored
from contactexport.columns import COLUMNS, HEADERS, row_values, running_values
from contactexport.contact import HOLD_KINDS
from contactexport.conversation import (
    ConversationReplay,
    replay_conversation,
    replay_events,
    replay_order,
)
from contactexport.ingest import ingest_lines
from contactexport.projector import ANOMALIES, TABLE, catch_up
from contactexport.timeline import build_timeline
from contactexport.timestamps import parse_ms
from contactexport.vocabulary import PROFILE_VIEW_ENDED, PROFILE_VIEW_STARTED
from eventstore import EventStore

Row = dict[str, Any]

REPLAY = settings(max_examples=200, deadline=None)
# Each example builds in-memory stores and projects into them: fewer, bigger examples.
STORE = settings(max_examples=100, deadline=None)
ANY_CONVERSATION = st.one_of(conversations(), chaos())

START_COLUMNS = {column.header for column in COLUMNS if column.at_start}
COUNT_COLUMNS = [column.header for column in COLUMNS if column.kind == "count"]
HOLD_TIME_KINDS = [f"Hold Time – {k}" for k in ("Manual", "Warm", "Cold Transfer", "Conference")]
TIMES_ON_HOLD_KINDS = [
    f"Times On Hold – {k}" for k in ("Manual", "Warm Transfer", "Cold Transfer", "Conference")
]
PHONE_COLUMNS = [
    "Talk Time",
    "Hold Time – Total",
    *HOLD_TIME_KINDS,
    "Times On Hold Total",
    *TIMES_ON_HOLD_KINDS,
]
SENDER_COLUMNS = [f"Messages from {s}" for s in ("Customer", "Agent", "Rules", "API")]
MESSAGE_COLUMNS = [
    "Messages Total",
    *SENDER_COLUMNS,
    "Avg. Agent Reply Time",
    "Avg. Customer Reply Time",
]
NO_MESSAGES = ("PHONE_CALL", "VOICEMAIL", "ABANDONED_CALL")
# duration: (end, start); it is end - start, or blank when either is blank.
DIFFERENCES = {
    "Queued-to-Ended Time": ("Ended At", "Queued At"),
    "Queued-to-Fulfilled Time": ("Fulfilled At", "Queued At"),
    "Fulfilled-to-Ended Time": ("Ended At", "Fulfilled At"),
    "Queued-to-First Accepted Time": ("Accepted At", "Queued At"),
    "First Accepted-to-Fulfilled Time": ("Fulfilled At", "Accepted At"),
}


def replay(events: list[dict], *, trace: bool = False) -> ConversationReplay:
    return replay_conversation("conv-1", stored(events), trace=trace)


def rows_of(result: ConversationReplay, values=row_values) -> dict[str, Row]:
    return {
        contact_id: dict(zip(HEADERS, values(contact), strict=True))
        for contact_id, contact in result.contacts.items()
    }


# Replay never fails ------------------------------------------------------------------------------


@REPLAY
@given(conversations())
def test_replay_of_a_valid_conversation_never_raises(events):
    result = replay(events)
    assert result.contacts
    for contact in result.contacts.values():
        row_values(contact)
        running_values(contact)


@settings(REPLAY, max_examples=300)
@given(chaos())
def test_replay_of_events_in_any_order_never_raises_and_records_anomalies(events):
    result = replay(events, trace=True)
    ids = {e["id"] for e in events}
    for contact in result.contacts.values():
        row_values(contact)
        running_values(contact)
        assert all(a.event_id in ids and a.reason for a in contact.anomalies)
    refused = [step for step in result.steps if step.anomaly is not None]
    assert all(step.before == step.after for step in refused)
    recorded = {id(a) for c in result.contacts.values() for a in c.anomalies}
    assert all(id(step.anomaly) in recorded for step in refused)


@REPLAY
@given(conversations())
def test_a_valid_conversation_replays_without_anomalies(events):
    for contact in replay(events).contacts.values():
        assert contact.anomalies == []
        answered = contact.accepted + contact.declined + contact.missed
        assert answered <= contact.offered, "every accept or reject answers an offer"


HOLD_LABELS = dict(
    zip(HOLD_KINDS, zip(HOLD_TIME_KINDS, TIMES_ON_HOLD_KINDS, strict=True), strict=True)
)
SENDER_OF = {"AGENT": "Agent", "AUTOMATION": "Rules", "APPLICATION": "API", "API": "API"}


@REPLAY
@given(conversations())
def test_a_valid_conversation_counts_and_times_what_its_events_say(events):
    """Counts, hold times and message counts of each ended contact, tallied from its events.

    In a valid conversation the order played is the order replayed, so a plain walk will do.
    """
    for contact_id, row in rows_of(replay(events)).items():
        if row["Ended At"] is not None:
            tally = _tally(events, contact_id, row["Channel"])
            assert {header: row[header] for header in tally} == tally


def _tally(events: list[dict], contact_id: str, channel: str) -> Row:
    tally = dict.fromkeys(("Offered", "Accepted", "Declined", "Missed", "Transferred"), 0)
    if channel == "PHONE_CALL":
        tally |= dict.fromkeys([*HOLD_TIME_KINDS, *TIMES_ON_HOLD_KINDS], 0)
    if channel not in NO_MESSAGES:
        tally |= dict.fromkeys(["Messages Total", *SENDER_COLUMNS], 0)
    hold: tuple[int, str] | None = None
    for event in events:
        content, at = event["content"], parse_ms(event["timestamp"])
        if content.get("contactId") != contact_id or not event["type"].startswith("CONTACT/"):
            continue
        action = event["type"].removeprefix("CONTACT/")
        counted = {"OFFERED": "Offered", "OFFER_ACCEPTED": "Accepted", "TRANSFERRED": "Transferred"}
        if action in counted:
            tally[counted[action]] += 1
        elif action == "OFFER_REJECTED":
            tally["Declined" if content["reason"] == "DECLINED" else "Missed"] += 1
        elif action == "HOLD_STARTED":
            hold = (at, content["reason"])
            tally[HOLD_LABELS[content["reason"]][1]] += 1
        elif action in ("HOLD_ENDED", "ENDED") and hold is not None:
            tally[HOLD_LABELS[hold[1]][0]] += at - hold[0]
            hold = None
        elif action.startswith("MESSAGE_") and "Messages Total" in tally:
            tally["Messages Total"] += 1
            sender = "Customer" if action == "MESSAGE_RECEIVED" else None
            sender = sender or SENDER_OF.get(event["initiator"]["type"])
            if sender:
                tally[f"Messages from {sender}"] += 1
    return tally


# Found by this property: a payment 1 ms before its contact started left the contact without
# a channel (fixed in 91a10b8); kept as an explicit example.
_PAYMENT_FIRST = [
    ev("CONTACT/STARTED", "08:00", "conv-1-x1", event_id="conv-1-x0000"),
    ev("PAYMENT_REQUEST/CREATED", "07:59:59.999", "conv-1-x1", event_id="conv-1-x0001",
       paymentRequestId="pay-1", context={"currency": "USD", "monetaryUnit": 10}),
]  # fmt: skip


@settings(REPLAY, max_examples=300)
@given(chaos())
@example(_PAYMENT_FIRST)
def test_an_impossible_event_changes_nothing(events):
    """Replacing the events replay refused by inert ones leaves every running value as it was.

    The inert stand-in (an unrelated TASK event at the same time) keeps the conversation's
    last moment, which bounds views never ended.
    """
    result = replay(events, trace=True)
    refused: dict[str, bool] = {}
    for step in result.steps:
        refused[step.event.event_id] = refused.get(step.event.event_id, True) and bool(step.anomaly)
    kept = [_inert(e) if refused.get(e["id"]) else e for e in events]
    before = rows_of(result, running_values)
    after = rows_of(replay(kept), running_values)
    assert after == {contact_id: before[contact_id] for contact_id in after}
    # A contact whose every event was refused had never started.
    assert all(before[c]["Queued At"] is None for c in before.keys() - after.keys())


def _inert(event: dict) -> dict:
    content = {"conversationId": event["content"]["conversationId"]}
    return event | {"type": "TASK/CREATED", "content": content}


# Found by the property below: the payment sorts first at the shared millisecond and the
# contact's channel stayed blank (fixed in 4334c2c); kept as an explicit example.
_NEVER_STARTED = [
    ev("CONTACT/FULFILLED", "08:00", "conv-1-x1", event_id="conv-1-x0000",
       fulfilledType="RESPONDED"),
    ev("PAYMENT_REQUEST/CREATED", "08:00", "conv-1-x1", event_id="conv-1-x0001",
       paymentRequestId="pay-1", context={"currency": "USD", "monetaryUnit": 10}),
]  # fmt: skip


@settings(REPLAY, max_examples=300)
@given(chaos())
@example(_NEVER_STARTED)
def test_a_contact_that_never_started_still_shows_its_ids_and_channel(events):
    """E.g. a contact whose STARTED fell before the archive began (Gladly keeps 24 hours)."""
    channels = {
        e["content"]["contactId"]: e["content"]["channel"]
        for e in events
        if e["type"].startswith("CONTACT/")
    }
    for contact_id, row in rows_of(replay(events)).items():
        if row["Queued At"] is None:
            filled = {header for header, value in row.items() if value is not None}
            assert filled <= {"Customer ID", "Conversation ID", "Contact ID", "Channel"}
            assert row["Channel"] == channels.get(contact_id)


# Every row keeps the report's arithmetic ---------------------------------------------------------


@settings(REPLAY, max_examples=300)
@given(ANY_CONVERSATION)
def test_every_row_keeps_the_reports_arithmetic(events):
    for row in rows_of(replay(events)).values():
        check_row(row)


def check_row(r: Row) -> None:
    if r["Ended At"] is None:
        filled = {header for header, value in r.items() if value is not None}
        assert filled <= START_COLUMNS, "a contact not yet ended shows only its start columns"
        return
    for header in COUNT_COLUMNS:
        assert r[header] is None or r[header] >= 0, header
    for header, (end, start) in DIFFERENCES.items():
        both = r[end] is not None and r[start] is not None
        assert r[header] == (r[end] - r[start] if both else None), header
    _check_sla(r)
    _check_phone(r)
    _check_messages(r)
    assert (r["Fulfilled At"] is None) == (r["Fulfilled by Contact ID"] is None)
    assert r["Answered At"] is None or (r["Channel"], r["Direction"]) == ("PHONE_CALL", "OUTBOUND")
    assert r["Contact Handle Time"] >= 0 and r["After Contact Time"] >= 0
    if r["Queued At"] is not None:
        assert r["Contact Handle Time"] <= r["Queued-to-Ended Time"]


def _check_sla(r: Row) -> None:
    """Fulfilled At - dueAt = (Fulfilled At - Queued At) - (dueAt - Queued At)."""
    to_fulfilled, target = r["Queued-to-Fulfilled Time"], r["SLA Target"]
    both = to_fulfilled is not None and target is not None
    assert r["Seconds within (-) or over (+) SLA"] == (to_fulfilled - target if both else None)


def _check_phone(r: Row) -> None:
    if r["Channel"] != "PHONE_CALL":
        assert all(r[header] is None for header in PHONE_COLUMNS)
        return
    assert all(r[header] >= 0 for header in PHONE_COLUMNS if header != "Talk Time")
    assert r["Hold Time – Total"] == sum(r[header] for header in HOLD_TIME_KINDS)
    assert r["Times On Hold Total"] == sum(r[header] for header in TIMES_ON_HOLD_KINDS)
    talk_from = r["Answered At"] if r["Direction"] == "OUTBOUND" else r["Fulfilled At"]
    talk = None if talk_from is None else r["Ended At"] - talk_from - r["Hold Time – Total"]
    assert r["Talk Time"] == talk


def _check_messages(r: Row) -> None:
    if r["Channel"] in NO_MESSAGES:
        assert all(r[header] is None for header in MESSAGE_COLUMNS)
        return
    assert all(r[header] >= 0 for header in ("Messages Total", *SENDER_COLUMNS))
    assert r["Messages Total"] >= sum(r[header] for header in SENDER_COLUMNS)


@settings(REPLAY, max_examples=300)
@given(ANY_CONVERSATION)
def test_view_time_is_never_counted_twice(events):
    """Handle plus after-contact time of all contacts, ended or not, fits in the union of views."""
    result = replay(events)
    shared = sum(c.handle_ms + c.after_contact_ms for c in result.contacts.values())
    assert shared <= view_union_ms(events)


def view_union_ms(events: list[dict]) -> int:
    """Length of the union of all agents' views; one never ended lasts to the last event."""
    ordered = replay_order(stored(events))
    open_since: dict[str, int] = {}
    views: list[tuple[int, int]] = []
    for event in ordered:
        agent = event.content.get("agentId")
        if event.type == PROFILE_VIEW_STARTED:
            open_since.setdefault(agent, event.time_ms)
        elif event.type == PROFILE_VIEW_ENDED and agent in open_since:
            views.append((open_since.pop(agent), event.time_ms))
    horizon = ordered[-1].time_ms if ordered else 0
    views += [(since, horizon) for since in open_since.values()]
    total, covered_to = 0, None
    for start, end in sorted(views):
        if covered_to is not None:
            start = max(start, covered_to)
        if end > start:
            total += end - start
            covered_to = end
    return total


# Ingest and projection ---------------------------------------------------------------------------


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(value)}
    return value


# A duplicate delivery may come back written differently: the same JSON value all the same.
REDELIVERIES = (
    lambda line: line,
    lambda line: json.dumps(json.loads(line), sort_keys=True, separators=(",", ":")),
    lambda line: json.dumps(_reversed_keys(json.loads(line))),
    lambda line: f"  {line}\t",
)


def _coarsened(event: dict, grain: int) -> dict:
    at = parse_ms(event["timestamp"])
    return event | {"timestamp": render(at - at % grain, None)}


def project(batches: list[list], batch_events: int = 20_000) -> tuple[list, list, EventStore]:
    """Ingest each batch and catch the projection up after it: (rows, anomalies, store)."""
    store = EventStore(":memory:")
    for batch in batches:
        ingest_lines(store, batch, source="events.jsonl", batch_events=batch_events)
        catch_up(store)
    return *snapshot(store), store


def snapshot(store: EventStore) -> tuple[list, list]:
    conn = store.conn
    rows = conn.execute(f"SELECT * FROM {TABLE} ORDER BY contact_id").fetchall()
    anomalies = conn.execute(f"SELECT * FROM {ANOMALIES} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9")
    return rows, anomalies.fetchall()


@STORE
@given(streams(), st.data())
def test_arrival_order_duplicates_and_batches_never_change_the_rows(events, data):
    # Coarser clocks make ties everywhere: then only the tie-break stands between the rows
    # and the order of arrival.
    grain = data.draw(st.sampled_from((1, 1000, 60_000)), label="clock grain (ms)")
    lines = [json.dumps(_coarsened(e, grain)) for e in events]
    expected_rows, expected_anomalies, store = project([lines])
    store.close()

    arrival = data.draw(st.permutations(lines), label="arrival order")
    if lines:
        repeats = st.tuples(
            st.sampled_from(lines),
            st.integers(0, len(lines)),
            st.sampled_from(range(len(REDELIVERIES))),
        )
        for line, where, how in data.draw(st.lists(repeats, max_size=10), label="duplicates"):
            arrival.insert(where, REDELIVERIES[how](line))
    cuts = data.draw(st.lists(st.integers(0, len(arrival)), max_size=3), label="catch-ups")
    batches = [arrival[a:b] for a, b in pairwise([0, *sorted(cuts), len(arrival)])]
    batch_events = data.draw(st.sampled_from((1, 3, 20_000)), label="ingest batch size")

    rows, anomalies, store = project(batches, batch_events)
    with store:
        assert store.count() == len(lines)
        assert store.reject_count() == 0
        assert rows == expected_rows
        assert anomalies == expected_anomalies
        catch_up(store, full=True)
        assert snapshot(store) == (rows, anomalies), "incremental and full replay agree"


@STORE
@given(streams().filter(bool), st.data())
def test_corrupted_lines_are_rejected_and_change_nothing_else(events, data):
    lines, broken = data.draw(corruptions(events), label="corrupted stream")
    batch_events = data.draw(st.sampled_from((1, 3, 20_000)), label="ingest batch size")
    rows, anomalies, store = project([lines], batch_events)
    with store:
        rejects = store.rejects()
    assert sorted((r.line, r.raw) for r in rejects) == [(i + 1, lines[i]) for i in sorted(broken)]
    assert all(r.source == "events.jsonl" and r.reason for r in rejects)

    intact = [line for i, line in enumerate(lines) if i not in broken]
    expected_rows, expected_anomalies, clean = project([intact])
    clean.close()
    assert rows == expected_rows
    assert anomalies == expected_anomalies


# The timeline tells the same story as replaying every prefix ------------------------------------


@settings(REPLAY, max_examples=150)
@given(ANY_CONVERSATION)
def test_the_timeline_shows_every_change_a_replay_of_each_prefix_shows(events):
    """build_timeline replays once and runs the end-of-conversation rules on a copy after each
    event; the slow, obvious way replays every prefix from scratch. Both must agree."""
    ordered = replay_order(stored(events))
    final = replay_events_of(ordered)
    for contact_id in final.contacts:
        timeline = build_timeline(contact_id, "conv-1", stored(events))
        assert timeline is not None
        shown = {entry.event.event_id: entry.changes for entry in timeline.entries}
        previous: list = [None] * len(COLUMNS)
        for index, event in enumerate(ordered):
            prefix = replay_events_of(ordered[: index + 1]).contacts.get(contact_id)
            values = running_values(prefix) if prefix is not None else [None] * len(COLUMNS)
            expected = [
                (header, old, new)
                for header, old, new in zip(HEADERS, previous, values, strict=True)
                if old != new
            ]
            if expected:
                changes = shown.get(event.event_id)
                assert changes is not None, f"no entry for {event!r}"
                assert [(c.column, c.old, c.new) for c in changes] == expected
            previous = values
        assert timeline.row == row_values(final.contacts[contact_id])


def replay_events_of(ordered):
    return replay_events("conv-1", ordered)
