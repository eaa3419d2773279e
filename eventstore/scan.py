"""Every stream, whole, from one sequential pass over the events table.

Reading streams through the (stream_id) index visits the table in random order: on a store of
millions of events that random access is most of the cost of a full replay. Here the table is
read once in position order, each stream's events are held until its last event (known up front
from the index) has been read, and the stream is then handed over and forgotten. Memory holds
only the streams still open at that point of the log, which for a log written roughly in time
order is the conversations in progress.

A log can be written in another order (an old stream that gains one late event keeps all its
earlier events buffered until the end), so the buffer has a budget: past it, the streams open
longest are dropped from the buffer and read again, one by one through the index, after the
pass. Memory stays bounded whatever the order; only the cost of those streams changes.
"""

import sqlite3
import sys
from array import array
from collections.abc import Iterator
from functools import partial

from eventstore.records import StoredEvent, StreamRange

_COLUMNS = "position, event_id, stream_id, type, time_ms, data"
# tuple.__new__ straight from C: StoredEvent._make is a Python call per event.
_make_event = partial(tuple.__new__, StoredEvent)
# What a buffered event costs besides its data string: the tuple, its ints, its other strings.
_OVERHEAD_BYTES = 350


def scan_streams(
    conn: sqlite3.Connection,
    *,
    until: int | None,
    id_range: StreamRange | None = None,
    buffer_bytes: int,
) -> Iterator[tuple[str, list[StoredEvent]]]:
    """(stream id, its events in position order) for each stream, in the order streams end.

    `until` leaves out events after that position; `id_range` restricts the pass to those
    streams; `buffer_bytes` bounds the memory of the events held for open streams.
    """
    where, parameters = _where(until, id_range)
    last_positions = conn.execute(
        f"SELECT max(position) FROM events {where} GROUP BY stream_id ORDER BY 1", parameters
    )
    ends_array = array("q", (position for (position,) in last_positions))
    if not ends_array:
        return
    if until is None:
        # Events appended after that query (outside a transaction, another process may) are
        # left out: a stream they extend would otherwise never see its new last event.
        until = ends_array[-1]
        where, parameters = _where(until, id_range)
    ends = iter(ends_array)
    next_end = next(ends, None)
    # Open streams, each as [bytes held, event, event, ...]: the running size rides along, so
    # a stream's share of the buffer is known without summing it again when it ends.
    open_streams: dict[str, list] = {}
    buffered = 0
    set_aside: set[str] = set()
    sizeof = sys.getsizeof
    # NOT INDEXED: walk the table in position order even when `id_range` could use the index.
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM events NOT INDEXED {where} ORDER BY position", parameters
    )
    for row in rows:
        stream_id = row[2]
        if row[0] == next_end:
            next_end = next(ends, None)
            if stream_id in set_aside:
                continue
            held = open_streams.pop(stream_id, None)
            if held is None:
                yield stream_id, [_make_event(row)]
            else:
                buffered -= held[0]
                held[0] = _make_event(row)
                held.append(held.pop(0))  # the last event, where the size was
                yield stream_id, held
        elif stream_id not in set_aside:
            cost = sizeof(row[5]) + _OVERHEAD_BYTES
            held = open_streams.get(stream_id)
            if held is None:
                open_streams[stream_id] = [cost, _make_event(row)]
            else:
                held[0] += cost
                held.append(_make_event(row))
            buffered += cost
            if buffered > buffer_bytes:
                buffered = _set_aside_oldest(open_streams, set_aside, buffered, buffer_bytes // 2)
    if next_end is not None or open_streams:
        raise RuntimeError("scan_streams: the pass ended before every stream's last event")
    for stream_id in sorted(set_aside):
        yield stream_id, _read_stream(conn, stream_id, until)


def _set_aside_oldest(
    open_streams: dict[str, list], set_aside: set[str], buffered: int, target: int
) -> int:
    """Drop the streams opened earliest (dicts keep insertion order) until `target` is reached."""
    for stream_id in list(open_streams):
        if buffered <= target:
            break
        buffered -= open_streams.pop(stream_id)[0]
        set_aside.add(stream_id)
    return buffered


def _where(until: int | None, id_range: StreamRange | None) -> tuple[str, list[int | str]]:
    conditions: list[str] = ["stream_id IS NOT NULL"]
    parameters: list[int | str] = []
    if id_range is not None and id_range.low is not None:
        conditions.append("stream_id >= ?")
        parameters.append(id_range.low)
    if id_range is not None and id_range.high is not None:
        conditions.append("stream_id < ?")
        parameters.append(id_range.high)
    if until is not None:
        conditions.append("position <= ?")
        parameters.append(until)
    return "WHERE " + " AND ".join(conditions), parameters


def _read_stream(conn: sqlite3.Connection, stream_id: str, until: int | None) -> list[StoredEvent]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? AND position <= ? ORDER BY position",
        (stream_id, until if until is not None else 2**63 - 1),
    )
    return list(map(_make_event, rows))
