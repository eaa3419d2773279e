"""What goes into the store and what comes out: plain tuples, cheap on the hot paths."""

from typing import NamedTuple


class NewEvent(NamedTuple):
    """An event to append. `data` is the original JSON text, stored verbatim."""

    event_id: str
    stream_id: str | None
    type: str
    time_ms: int
    data: str
    source: str | None = None
    line: int | None = None


class StoredEvent(NamedTuple):
    """An event as stored; `position` is the global order of arrival (the SQLite rowid)."""

    position: int
    event_id: str
    stream_id: str | None
    type: str
    time_ms: int
    data: str


class StreamRange(NamedTuple):
    """Stream ids from `low` (inclusive) to `high` (exclusive); None leaves that end open.

    A range is what a reader can be given cheaply: SQLite tests it with two comparisons per
    row, where a list of ids costs a lookup per row."""

    low: str | None = None
    high: str | None = None


class Reject(NamedTuple):
    """Input that could not be stored as an event, kept verbatim with the reason."""

    source: str
    line: int
    raw: bytes | str
    reason: str


class AppendResult(NamedTuple):
    accepted: int
    duplicates: int
    conflicts: list[Reject]


class StoredReject(NamedTuple):
    """A rejected line as kept in the store: `raw` is the input verbatim (bytes when not UTF-8)."""

    source: str | None
    line: int | None
    raw: bytes | str
    reason: str
    rejected_at: str
