"""The store's tables, and the version stamp that keeps an older program off a newer store.

The version lives in `PRAGMA user_version`; `MIGRATIONS[i]` brings a store from version i to
i + 1, so a store is always created by replaying the same steps an old store is upgraded by.
"""

from typing import Final

# Milliseconds since the epoch (UTC) order events exactly, whatever offset they were written in.
# An index entry is (key, rowid), so events_by_stream orders by (stream_id, position) without
# storing the position twice.
_V1: Final = """
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT,
    type TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    data TEXT NOT NULL,
    source TEXT,
    line INTEGER
);
CREATE INDEX events_by_stream ON events (stream_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;
CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    source TEXT,
    line INTEGER,
    raw BLOB NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    digest TEXT NOT NULL,
    UNIQUE (source, line, digest)
);
CREATE TABLE checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
"""

MIGRATIONS: Final = (_V1,)
SCHEMA_VERSION: Final = len(MIGRATIONS)
