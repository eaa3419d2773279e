"""A generic append-only SQLite event store: it knows streams and positions, not contacts."""

from eventstore.records import (
    AppendResult,
    NewEvent,
    Reject,
    StoredEvent,
    StoredReject,
    StreamRange,
)
from eventstore.store import EventStore, SchemaVersionError, StoreError

__all__ = [
    "AppendResult",
    "EventStore",
    "NewEvent",
    "Reject",
    "SchemaVersionError",
    "StoreError",
    "StoredEvent",
    "StoredReject",
    "StreamRange",
]
