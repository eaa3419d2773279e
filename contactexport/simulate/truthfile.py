"""`simulate --truth FILE`: the intended rows as a Contact Export CSV, sorted like the export.

Rows come from `truth.intended_rows` as each conversation is generated, in the same pass as
its events. They cannot be written in that order: a conversation's later contacts (callbacks,
follow-ups on another channel, calls again after an abandon) are queued after the arrival of
conversations generated after it. So the rows go into a private temporary SQLite database and
come back through the export's own query (`ExportQuery`: the export's ORDER BY, SQLite's
comparisons), formatting (`format_rows`) and CSV writer (`write_csv`): the file matches
`contactexport export` byte for byte when the replay agrees with the generator.

Memory stays flat whatever the number of conversations: SQLite keeps at most `CACHE_KIB` of
pages in memory and spills the rest (and its sort) to a temporary file it deletes on close
(in $SQLITE_TMPDIR or $TMPDIR, /var/tmp, /tmp: under 1 KB per contact).
"""

import sqlite3
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import IO

from contactexport.columns import HEADERS
from contactexport.export import ExportQuery, RowFormat, format_rows, query_rows, write_csv
from contactexport.projector import FIELDS, storable
from contactexport.simulate.builder import Conversation
from contactexport.simulate.truth import intended_rows

TABLE = "intended_rows"
BATCH = 2_000  # rows per INSERT batch
CACHE_KIB = 16_384  # SQLite page cache of the temporary database
# Exact float means in the intended rows; the export shows whole ms, halves rounded up.
AVERAGES = tuple(HEADERS.index(h) for h in ("Avg. Agent Reply Time", "Avg. Customer Reply Time"))
_HALF = Decimal("0.5")


def round_half_up(ms: float) -> int:
    """A mean in ms -> whole ms as the export rounds it (floor of mean + 1/2), exactly: the
    float is converted to Decimal without loss, so 1500.5 -> 1501 and 1500.4999 -> 1500."""
    return int((Decimal(ms) + _HALF).to_integral_value(rounding=ROUND_FLOOR))


def raw_values(row: dict) -> list:
    """An intended row (header -> value) as the export's raw row, ready for SQLite: columns
    in report order, averages in whole ms, money as decimal text (`projector.storable`)."""
    values = [row[header] for header in HEADERS]
    for i in AVERAGES:
        if values[i] is not None:
            values[i] = round_half_up(values[i])
    return storable(values)


class TruthTable:
    """Collects intended rows (`add`, one conversation at a time), then writes them sorted.

    Use as a context manager; the temporary database is deleted on close.
    """

    def __init__(self) -> None:
        # "" = a private temporary on-disk database: pages beyond the cache go to a file.
        self.conn = sqlite3.connect("", isolation_level=None)
        for pragma in ("temp_store = FILE", f"cache_size = -{CACHE_KIB}", "journal_mode = OFF"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute(f"CREATE TABLE {TABLE} ({', '.join(f'[{f}]' for f in FIELDS)})")
        self.conn.execute("BEGIN")
        self._insert = f"INSERT INTO {TABLE} VALUES ({', '.join('?' for _ in FIELDS)})"
        self._pending: list[list] = []

    def add(self, conv: Conversation) -> None:
        """The intended rows of one conversation (a `Simulation.lines(each=...)` callback)."""
        self.add_rows(intended_rows(conv))

    def add_rows(self, rows: Iterable[dict]) -> None:
        """Intended rows (header -> raw value, as `truth.intended_row` makes them)."""
        pending = self._pending
        for row in rows:
            pending.append(raw_values(row))
            if len(pending) >= BATCH:
                self._flush()

    def _flush(self) -> None:
        self.conn.executemany(self._insert, self._pending)
        self._pending.clear()

    def write_csv(self, out: IO[str]) -> int:
        """Every row, in the order and format of `contactexport export` with its defaults;
        returns how many."""
        self._flush()
        rows = query_rows(self.conn, ExportQuery(table=TABLE))
        return write_csv(out, format_rows(rows, RowFormat()))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "TruthTable":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
