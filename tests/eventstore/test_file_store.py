"""What only a store on file has: persistence, WAL, versions, read-only use, other processes."""

import sqlite3

import pytest

from eventstore import EventStore, NewEvent, SchemaVersionError, StoreError
from eventstore.schema import SCHEMA_VERSION
from tests.eventstore.test_contract import event as stream_event


def event(n: int) -> NewEvent:
    return NewEvent(f"e{n}", "s1", "T/HAPPENED", n, "{}", "in", n)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "events.db"


def test_events_survive_reopening(path):
    with EventStore(path) as store:
        store.append([event(1), event(2)])
    with EventStore(path) as store:
        assert [e.event_id for e in store.read_all()] == ["e1", "e2"]
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_store_from_a_newer_version_is_refused(path):
    EventStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaVersionError, match="newer") as raised:
        EventStore(path)
    assert str(path) in str(raised.value) and "upgrade the program" in str(raised.value)
    with pytest.raises(SchemaVersionError):
        EventStore(path, readonly=True)


def test_a_foreign_database_is_left_alone(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match=r"not an event store.*invoices"):
        EventStore(path)


def test_a_file_that_is_not_sqlite_is_refused(path):
    path.write_bytes(b"id,type\n" * 100)
    with pytest.raises(StoreError, match=r"not a SQLite database|cannot be used"):
        EventStore(path)


def test_read_only_reads_and_refuses_writes(path):
    with EventStore(path) as store:
        store.append([event(1)])
    with EventStore(path, readonly=True) as store:
        assert store.count() == 1
        with pytest.raises(StoreError, match="read-only"):
            store.append([event(2)])
        with pytest.raises(StoreError, match="read-only"):
            store.add_rejects([])
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.conn.execute("CREATE TABLE x (y)")


def test_read_only_needs_an_existing_store(path):
    with pytest.raises(StoreError, match="no such event store"):
        EventStore(path, readonly=True)
    with pytest.raises(StoreError, match="needs a file"):
        EventStore(":memory:", readonly=True)


def test_a_reader_sees_what_another_connection_commits(path):
    with EventStore(path) as writer, EventStore(path, readonly=True) as reader:
        writer.append([event(1)])
        assert reader.head() == 1
        writer.append([event(2)])
        assert [e.position for e in reader.read_all(after=1)] == [2]


def test_a_reader_does_not_block_the_writer(path):
    with EventStore(path) as writer, EventStore(path, readonly=True) as reader:
        writer.append([event(1)])
        cursor = reader.read_all()
        next(cursor)  # an open read transaction
        writer.append([event(2)])
        assert writer.head() == 2


def test_a_busy_store_times_out_clearly(path):
    with EventStore(path) as holder, EventStore(path, busy_timeout_ms=50) as other:
        with holder.transaction():
            holder.append([event(1)])
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.append([event(2)])
        assert other.append([event(2)]).accepted == 1


def test_a_set_aside_stream_ignores_events_appended_during_the_scan(path):
    with EventStore(path) as writer:
        writer.append([stream_event(1, "old")])
        writer.append([stream_event(n, f"s{n // 2}") for n in range(2, 40)])
        writer.append([stream_event(40, "old")])
        with EventStore(path) as reader:
            streams = reader.scan_streams(buffer_bytes=600)
            first = next(streams)
            writer.append([stream_event(41, "old")])
            scanned = dict([first, *streams])
    assert [e.position for e in scanned["old"]] == [1, 40]
