"""The Contact Export projection: one row per contact, kept in step with the event store.

Rows and the checkpoint (the store position they reflect) are written in one transaction, so
a crash never leaves them out of step. Incremental replay re-runs only the conversations that
received events after the checkpoint, late and out-of-order ones included: a conversation is
always replayed whole, so its rows never depend on what arrived when.
"""

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from contactexport.columns import COLUMNS
from contactexport.columns import row_values as contact_row_values
from contactexport.conversation import replay_conversation
from contactexport.csv_lines import AFTER_LINK, BEFORE_LINK, line_halves
from contactexport.formatting import money
from eventstore import EventStore
from eventstore.records import StoredEvent

TABLE = "contact_export"
ANOMALIES = "contact_anomalies"
# What to read anomalies from: those replay recorded, and contacts split across conversations.
ANOMALY_VIEW = "contact_anomalies_all"
# Bump when a column rule changes: stored rows from older rules are then rebuilt on next use.
RULES_VERSION = 8
CHECKPOINT = f"{TABLE}/v{RULES_VERSION}"
_BATCH = 5_000

_SQL_TYPE = {"timestamp": "INTEGER", "duration": "INTEGER", "count": "INTEGER", "text": "TEXT"}
FIELDS = tuple(column.field for column in COLUMNS)


@dataclass(slots=True)
class ReplayReport:
    full: bool
    conversations: int = 0
    contacts: int = 0
    anomalies: int = 0
    events: int = 0
    position: int = 0


def _row_table_sql(name: str, temp: bool = False) -> str:
    """The 57 raw values, then the default CSV line in two halves around Link (csv_lines.py)."""
    columns = ", ".join(f"[{c.field}] {_SQL_TYPE.get(c.kind, 'TEXT')}" for c in COLUMNS)
    columns += f", {BEFORE_LINK} TEXT, {AFTER_LINK} TEXT"
    return f"CREATE {'TEMP ' if temp else ''}TABLE IF NOT EXISTS {name} ({columns})"


_TABLES = (
    _row_table_sql(TABLE),
    f"""CREATE TABLE IF NOT EXISTS {ANOMALIES} (
        conversation_id TEXT, contact_id TEXT, channel TEXT, queued_at INTEGER,
        inbox_when_first_queued TEXT, event_id TEXT, event_type TEXT, time_ms INTEGER,
        reason TEXT)""",
)
# A contact whose events name two conversations is replayed in each (the conversation is the
# replay unit) and gets a partial row in each. No single event is at fault, and an incremental
# replay redoes one conversation at a time, so these are found by query, never stored.
SPLIT_CONTACT = "the contact's events name more than one conversation: a partial row in each"
# Channel, Queued At and inbox come from the contact's rows taken together: the partial row
# without STARTED has none of them, and filters on them must not hide it.
_SPLIT_CONTACTS = f"""
    SELECT r.conversation_id, r.contact_id, split.channel, split.queued_at, split.inbox,
        NULL, NULL, split.queued_at, '{SPLIT_CONTACT.replace("'", "''")}'
    FROM (
        SELECT contact_id, max(channel) AS channel, max(queued_at) AS queued_at,
            max(inbox_when_first_queued) AS inbox
        FROM {TABLE} WHERE contact_id IN (
            -- the index alone answers this; only split contacts' rows are then read
            SELECT contact_id FROM {TABLE} GROUP BY contact_id HAVING count(*) > 1
        )
        GROUP BY contact_id
    ) AS split JOIN {TABLE} AS r USING (contact_id)"""
_VIEWS = (
    f"DROP VIEW IF EXISTS {ANOMALY_VIEW}",  # so that a changed definition reaches every store
    f"CREATE VIEW {ANOMALY_VIEW} AS SELECT * FROM {ANOMALIES} UNION ALL {_SPLIT_CONTACTS}",
)
_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_conversation ON {TABLE}(conversation_id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_contact ON {TABLE}(contact_id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_queued ON {TABLE}(queued_at)",
    f"CREATE INDEX IF NOT EXISTS {ANOMALIES}_conversation ON {ANOMALIES}(conversation_id)",
)


def ensure_schema(conn: sqlite3.Connection, *, indexes: bool = True) -> None:
    """Create the projection tables (inside the caller's transaction)."""
    for statement in _TABLES + _VIEWS + (_INDEXES if indexes else ()):
        conn.execute(statement)


def anomaly_summary(store: EventStore) -> list[tuple[str, int, int]]:
    """(reason, anomalies, contacts) over the whole projection, most frequent first."""
    return store.conn.execute(
        f"SELECT reason, COUNT(*), COUNT(DISTINCT contact_id) FROM {ANOMALY_VIEW} "
        "GROUP BY reason ORDER BY COUNT(*) DESC, reason"
    ).fetchall()


def is_current(store: EventStore) -> bool:
    """True when the rows reflect every stored event (never for a projection not yet built)."""
    checkpoint = store.checkpoint(CHECKPOINT)
    return checkpoint > 0 and checkpoint == store.head()


def catch_up(
    store: EventStore,
    *,
    full: bool = False,
    on_conversation: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Bring the projection up to the store's head; `full` rebuilds it from scratch.

    With no checkpoint for the current RULES_VERSION the tables are dropped and rebuilt, so
    rows (and table shapes) from older rules never linger.
    """
    with store.transaction() as conn:
        checkpoint = store.checkpoint(CHECKPOINT)
        full = full or checkpoint == 0
        report = ReplayReport(full=full, position=store.head())
        touched = None if full else store.streams_since(checkpoint)
        streams = store.scan_streams() if touched is None else store.iter_streams(touched)
        with rows_replaced(conn, touched):
            project_streams(conn, streams, report, on_conversation)
        store.set_checkpoint(CHECKPOINT, report.position)
    return report


@contextmanager
def rows_replaced(conn: sqlite3.Connection, touched: list[str] | None) -> Iterator[None]:
    """Clear the rows about to be written again, all (touched=None) or those conversations'.

    A full rebuild drops the tables and builds their indexes after the rows: cheaper than
    keeping them up to date row by row. Call inside the transaction that moves the checkpoint.
    """
    if touched is None:
        conn.execute(f"DROP TABLE IF EXISTS main.{TABLE}")
        conn.execute(f"DROP TABLE IF EXISTS main.{ANOMALIES}")
        ensure_schema(conn, indexes=False)
    else:
        ensure_schema(conn)
        delete_conversations(conn, touched)
    yield
    ensure_schema(conn)


def delete_conversations(conn: sqlite3.Connection, conversation_ids: list[str]) -> None:
    """Remove the rows (and anomalies) of conversations about to be replayed again."""
    for chunk in _chunks(conversation_ids, 500):
        for table in (TABLE, ANOMALIES):
            conn.execute(f"DELETE FROM {table} WHERE conversation_id IN ({_marks(chunk)})", chunk)


def project_streams(
    conn: sqlite3.Connection,
    streams: Iterable[tuple[str, list[StoredEvent]]],
    report: ReplayReport,
    on_conversation: Callable[[int], None] | None = None,
) -> None:
    """Replay each conversation and insert its rows and anomalies; counts go to `report`."""
    _write(conn, _project(streams, report, on_conversation), TABLE)


AS_OF_TABLE = "contact_export_as_of"


def project_as_of(store: EventStore, as_of_ms: int) -> ReplayReport:
    """Rows as they stood at `as_of_ms`, in a temporary table: the projection is untouched."""
    conn = store.conn
    conn.execute(f"DROP TABLE IF EXISTS temp.{AS_OF_TABLE}")
    conn.execute(_row_table_sql(AS_OF_TABLE, temp=True))
    report = ReplayReport(full=True, position=store.head())
    rows = _project(store.scan_streams(), report, None, as_of_ms)
    _write(conn, (row for row in rows if row[0] == TABLE), AS_OF_TABLE)
    return report


def _project(
    streams: Iterable[tuple[str, list[StoredEvent]]],
    report: ReplayReport,
    on_conversation: Callable[[int], None] | None,
    as_of_ms: int | None = None,
) -> Iterator[tuple[str, tuple]]:
    for conversation_id, events in streams:
        report.conversations += 1
        report.events += len(events)
        try:
            replay = replay_conversation(conversation_id, events, as_of_ms=as_of_ms)
            rows = [stored_row(contact_row_values(c)) for c in replay.contacts.values()]
        except Exception as error:
            report.anomalies += 1
            reason = f"replay failed, conversation left out: {type(error).__name__}: {error}"
            yield ANOMALIES, (conversation_id, None, None, None, None, None, None, None, reason)
            continue
        for contact, row in zip(replay.contacts.values(), rows, strict=True):
            report.contacts += 1
            yield TABLE, row
            for anomaly in contact.anomalies:
                report.anomalies += 1
                yield (
                    ANOMALIES,
                    (
                        conversation_id,
                        contact.contact_id,
                        contact.channel,
                        contact.queued_at,
                        contact.inbox_first_queued,
                        anomaly.event_id,
                        anomaly.event_type,
                        anomaly.time_ms,
                        anomaly.reason,
                    ),
                )
        if on_conversation is not None:
            on_conversation(len(events))


_MONEY = tuple(i for i, column in enumerate(COLUMNS) if column.kind == "money")


def storable(values: list) -> list:
    """Money is kept as exact decimal text (as exported); the rest is already an SQLite type."""
    for i in _MONEY:
        if values[i] is not None:
            values[i] = money(values[i])
    return values


def stored_row(values: list) -> list:
    """The storable values, then the row's default CSV line in two halves (csv_lines.py)."""
    values = storable(values)
    values.extend(line_halves(values))
    return values


def _write(conn, rows: Iterator[tuple[str, tuple]], row_table: str) -> None:
    inserts = {
        TABLE: f"INSERT INTO {row_table} VALUES ({_marks(range(len(FIELDS) + 2))})",
        ANOMALIES: f"INSERT INTO {ANOMALIES} VALUES ({_marks(range(9))})",
    }
    pending: dict[str, list[tuple]] = {TABLE: [], ANOMALIES: []}
    for table, row in rows:
        batch = pending[table]
        batch.append(row)
        if len(batch) >= _BATCH:
            conn.executemany(inserts[table], batch)
            batch.clear()
    for table, batch in pending.items():
        if batch:
            conn.executemany(inserts[table], batch)


def _marks(items) -> str:
    return ", ".join("?" for _ in items)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
