"""The append-only SQLite event store: one file, one writer at a time, readers never blocked.

The global position is the rowid, handed out under SQLite's single write lock, so positions grow
in commit order and a reader that has seen position P will never later find a new event at or
below P. Idempotency is the UNIQUE event id; triggers make the events table append-only.
"""

import hashlib
import itertools
import operator
import sqlite3
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import orjson
import sqlite_utils

from eventstore.records import (
    AppendResult,
    NewEvent,
    Reject,
    StoredEvent,
    StoredReject,
    StreamRange,
)
from eventstore.scan import scan_streams
from eventstore.schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(Exception):
    """The store cannot be used as asked; the message says what to do about it."""


class SchemaVersionError(StoreError):
    """The store was written by a newer version of this program."""


_EVENT_COLUMNS = "position, event_id, stream_id, type, time_ms, data"
_INSERT_EVENT = (
    "INSERT INTO events (event_id, stream_id, type, time_ms, data, source, line)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
)
_INSERT_REJECT = (
    "INSERT INTO rejects (source, line, raw, reason, digest) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (source, line, digest) DO NOTHING"
)
_make_event = StoredEvent._make
_stream_of = operator.itemgetter(2)


class EventStore:
    """Append events, read them back by stream or by position, keep rejects and checkpoints.

    Appends are idempotent: an event whose id is stored with the same content is a counted
    duplicate; the same id with other content is a conflict, kept as a reject, the first stays.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        readonly: bool = False,
        busy_timeout_ms: int = 30_000,
    ) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._conn = _connect(self.path, readonly, busy_timeout_ms)
        try:
            _ensure_schema(self._conn, self.path, readonly)
        except BaseException:
            self._conn.close()
            raise
        self._savepoints = itertools.count()
        self._committer: ThreadPoolExecutor | None = None
        self._pending_commit: Future | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, for projectors' own tables: they share the file and transactions."""
        self._settle()
        return self._conn

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, for schema work and ad-hoc queries."""
        self._settle()
        return self._database

    @cached_property
    def _database(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self._conn)

    def close(self) -> None:
        try:
            self._settle()
        finally:
            self._conn.close()

    def __enter__(self) -> "EventStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({self.path!r}{', readonly=True' if self.readonly else ''})"

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error; nested calls become savepoints.

        IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a
        transaction never fails half-way because another process started writing.
        """
        self._check_writable()
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"eventstore_{next(self._savepoints)}"
            conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                raise
            conn.execute(f"RELEASE {savepoint}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            if self._committer is not None:
                self._pending_commit = self._committer.submit(conn.execute, "COMMIT")
            else:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def background_commits(self) -> Iterator[None]:
        """Within this block a transaction's COMMIT runs on a helper thread while the caller
        goes on (ingest parses the next batch meanwhile: two cores instead of one).

        The next use of the store waits for that commit and raises its error, if any; so does
        leaving the block. Results known before the commit (AppendResult) are returned at once.
        """
        if self._committer is not None:
            yield
            return
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="eventstore-commit")
        try:
            yield
        finally:
            committer, self._committer = self._committer, None
            try:
                self._settle()
            finally:
                committer.shutdown()

    def append(self, events: Iterable[NewEvent], rejects: Iterable[Reject] = ()) -> AppendResult:
        """Store new events in one transaction; see the class docstring for repeats.

        Any 7-tuple in NewEvent's field order will do: the ingest hot loop passes plain tuples.
        `rejects` are lines of the same input that could not become events: they are kept in
        the same transaction, with the conflicts, in the order of their lines.
        """
        batch = events if isinstance(events, list) else list(events)
        rejects = list(rejects)
        if not batch and not rejects:
            return AppendResult(0, 0, [])
        with self.transaction() as conn:
            head = _head(conn)
            accepted = conn.executemany(_INSERT_EVENT, batch).rowcount if batch else 0
            duplicates, conflicts = (
                (0, []) if accepted == len(batch) else _sort_out_repeats(conn, batch, head)
            )
            _insert_rejects(conn, sorted([*rejects, *conflicts], key=_input_order))
        return AppendResult(accepted, duplicates, conflicts)

    def add_rejects(self, rejects: Iterable[Reject]) -> None:
        """Keep input that could not be stored; the same reject recorded twice is kept once."""
        with self.transaction() as conn:
            _insert_rejects(conn, rejects)

    def set_checkpoint(self, name: str, position: int) -> None:
        """Record how far a projector got, inside the transaction that wrote its output."""
        if not self.conn.in_transaction:
            raise StoreError(
                f"set_checkpoint({name!r}) must run inside store.transaction(), together with "
                "the output it vouches for"
            )
        self.conn.execute(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (name, position),
        )

    # -- reading ---------------------------------------------------------------------------

    def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY position",
            (stream_id,),
        ).fetchall()
        return list(map(_make_event, rows))

    def read_all(self, after: int = 0) -> Iterator[StoredEvent]:
        """Every event after a position, in position order, streamed (a projector's catch-up)."""
        cursor = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position", (after,)
        )
        return map(_make_event, cursor)

    def types_after(self, position: int) -> list[str]:
        """The type of every event after a position, in order: what an append just stored,
        without reading the events themselves."""
        rows = self.conn.execute(
            "SELECT type FROM events WHERE position > ? ORDER BY position", (position,)
        )
        return [event_type for (event_type,) in rows]

    def iter_streams(
        self, stream_ids: Iterable[str] | None = None
    ) -> Iterator[tuple[str, list[StoredEvent]]]:
        """Each stream (all, or those given) with its events in position order, by stream id.

        One scan of the (stream_id, position) index; only one stream is held in memory at a time.
        """
        if stream_ids is None:
            cursor = self.conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id IS NOT NULL"
                " ORDER BY stream_id, position"
            )
        else:
            wanted = orjson.dumps(sorted(set(stream_ids))).decode()
            cursor = self.conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events"
                " WHERE stream_id IN (SELECT value FROM json_each(?))"
                " ORDER BY stream_id, position",
                (wanted,),
            )
        for stream_id, events in itertools.groupby(map(_make_event, cursor), _stream_of):
            yield stream_id, list(events)

    def scan_streams(
        self,
        *,
        until: int | None = None,
        id_range: StreamRange | None = None,
        buffer_bytes: int = 32 * 2**20,
    ) -> Iterator[tuple[str, list[StoredEvent]]]:
        """Each stream (all, or those in `id_range`) with its events in position order, events
        after `until` left out; streams come in the order their last event was stored, except
        those set aside to bound memory, which come last, by id.

        One sequential pass (scan.py): for whole-store work on a big store, faster than
        `iter_streams`, whose index order means random reads. Memory for the events held
        meanwhile is bounded by about `buffer_bytes`.
        """
        return scan_streams(self.conn, until=until, id_range=id_range, buffer_bytes=buffer_bytes)

    def stream_ranges(self, parts: int, *, until: int | None = None) -> list[StreamRange]:
        """Ranges of stream ids that together cover every stream, each holding about as many
        of the streams with events up to `until`: for readers that share the work. There are
        `parts` of them, fewer when streams are fewer (none is empty), one for an empty store."""
        rows = self.conn.execute(
            "SELECT DISTINCT stream_id FROM events"
            " WHERE stream_id IS NOT NULL AND position <= ? ORDER BY stream_id",
            (until if until is not None else 2**63 - 1,),
        )
        ids = [stream_id for (stream_id,) in rows]
        starts = sorted({len(ids) * k // parts for k in range(1, parts)} - {0})
        cuts = [ids[i] for i in starts]
        bounds = [None, *cuts, None]
        return [StreamRange(low, high) for low, high in itertools.pairwise(bounds)]

    def streams_since(self, position: int) -> list[str]:
        """The streams that gained events after a position: what an incremental replay redoes."""
        # NOT INDEXED: walk the rowid range after `position`, not the whole stream index.
        rows = self.conn.execute(
            "SELECT DISTINCT stream_id FROM events NOT INDEXED"
            " WHERE position > ? AND stream_id IS NOT NULL",
            (position,),
        )
        return sorted(stream_id for (stream_id,) in rows)

    def head(self) -> int:
        """The latest position, 0 for an empty store."""
        return _head(self.conn)

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM events").fetchone()[0]

    def checkpoint(self, name: str) -> int:
        row = self.conn.execute(
            "SELECT position FROM checkpoints WHERE name = ?", (name,)
        ).fetchone()
        return row[0] if row else 0

    def rejects(self, *, source: str | None = None, limit: int | None = None) -> list[StoredReject]:
        """The rejects in the order they were kept; `source` is a GLOB pattern (`*`, `?`,
        `[...]`, case-sensitive) over the input's name, and `limit` keeps the first ones."""
        where, parameters = _source_glob(source)
        rows = self.conn.execute(
            f"SELECT source, line, raw, reason, rejected_at FROM rejects{where} ORDER BY id"
            " LIMIT ?",
            (*parameters, -1 if limit is None else limit),
        )
        return list(map(StoredReject._make, rows))

    def reject_count(self, *, source: str | None = None) -> int:
        where, parameters = _source_glob(source)
        return self.conn.execute(f"SELECT count(*) FROM rejects{where}", parameters).fetchone()[0]

    def _settle(self) -> None:
        """Wait for a commit handed to the helper thread; on failure undo it and raise."""
        pending, self._pending_commit = self._pending_commit, None
        if pending is None:
            return
        try:
            pending.result()
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _check_writable(self) -> None:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")


def _connect(path: str, readonly: bool, busy_timeout_ms: int) -> sqlite3.Connection:
    in_memory = path == ":memory:" or path == ""
    if readonly and in_memory:
        raise StoreError("a read-only store needs a file; an in-memory one would always be empty")
    if readonly and not Path(path).is_file():
        raise StoreError(f"{path}: no such event store")
    target = f"{Path(path).resolve().as_uri()}?mode=ro" if readonly else path
    try:
        conn = sqlite3.connect(
            target,
            uri=readonly,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,  # only for background_commits(), which never overlaps uses
        )
    except sqlite3.OperationalError as error:
        raise StoreError(f"{path}: cannot open the event store ({error})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not in_memory and not readonly:
            # WAL: readers never block the writer. NORMAL: a commit survives a crash of the
            # process; only a power cut can lose the last commits, and never corrupts the file.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Fewer, larger checkpoints: each one costs an fsync.
            conn.execute("PRAGMA wal_autocheckpoint = 8192")
        conn.execute("PRAGMA cache_size = -65536")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StoreError(f"{path} is not a SQLite database ({error})") from None
    return conn


def _ensure_schema(conn: sqlite3.Connection, path: str, readonly: bool) -> None:
    """Create or upgrade the schema; refuse stores from the future and foreign databases."""
    try:
        version = _user_version(conn)
        _refuse_newer(version, path)
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise StoreError(f"{path} is not an event store (no schema); open it writable once")
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _user_version(conn)  # another process may have got there first
            _refuse_newer(version, path)
            if version == 0:
                _refuse_foreign(conn, path)
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} cannot be used as an event store ({error})") from None


def _user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _refuse_newer(version: int, path: str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} was written by event-store schema version {version}, newer than the "
            f"{SCHEMA_VERSION} this version knows: upgrade the program to read it"
        )


def _refuse_foreign(conn: sqlite3.Connection, path: str) -> None:
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
    if tables:
        raise StoreError(
            f"{path} is a SQLite database but not an event store (it has {', '.join(tables)});"
            " use a new file"
        )


def _statements(script: str) -> Iterator[str]:
    """Split a schema script into statements (a trigger body's `;` does not end one)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""


def _source_glob(pattern: str | None) -> tuple[str, tuple[str, ...]]:
    return ("", ()) if pattern is None else (" WHERE coalesce(source, '') GLOB ?", (pattern,))


def _head(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()[0]


def _sort_out_repeats(
    conn: sqlite3.Connection, batch: list[NewEvent], head: int
) -> tuple[int, list[Reject]]:
    """After an append that skipped some events: which were duplicates, which conflicts.

    An id stored above `head` was inserted by this append, by its first occurrence in the
    batch; every other occurrence is compared with the stored version.
    """
    ids = orjson.dumps([event[0] for event in batch]).decode()
    stored = {
        event_id: (position, data)
        for event_id, position, data in conn.execute(
            "SELECT event_id, position, data FROM events"
            " WHERE event_id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }
    inserted_now: set[str] = set()
    duplicates = 0
    conflicts = []
    for event in batch:
        event_id, data = event[0], event[4]
        position, stored_data = stored[event_id]
        if position > head and event_id not in inserted_now:
            inserted_now.add(event_id)
        elif _same_content(stored_data, data):
            duplicates += 1
        else:
            conflicts.append(
                Reject(
                    event[5],
                    event[6],
                    data,
                    f"event id {event_id!r} is already stored (position {position})"
                    " with different content; the first version is kept",
                )
            )
    return duplicates, conflicts


def _same_content(stored: str, new: str) -> bool:
    """The same text, or the same JSON value written differently (key order, spacing)."""
    if stored == new:
        return True
    try:
        return orjson.loads(stored) == orjson.loads(new)
    except (orjson.JSONDecodeError, RecursionError):
        return False


def _input_order(reject: Reject) -> tuple[str, int]:
    return reject.source or "", reject.line or 0


def _insert_rejects(conn: sqlite3.Connection, rejects: Iterable[Reject]) -> None:
    conn.executemany(
        _INSERT_REJECT,
        (
            (source, line, raw, reason, _digest(raw, reason))
            for source, line, raw, reason in rejects
        ),
    )


def _digest(raw: bytes | str, reason: str) -> str:
    """What makes a reject the same reject again (with its source and line), in a few bytes."""
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.blake2b(data + b"\0" + reason.encode(), digest_size=16).hexdigest()
