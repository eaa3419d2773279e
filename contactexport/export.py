"""The Contact Export as a query over the projection, then formatted for people.

Filtering and sorting happen in SQL on raw values (epoch ms, ms, integers), so they are exact
and cheap; formatting (time zone, seconds or d:hh:mm:ss, spreadsheet safety) happens last.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import IO, Any, Literal

from contactexport.columns import BY_HEADER, COLUMNS, HEADERS
from contactexport.csv_lines import line_sql, needs_customer
from contactexport.formatting import cell_formatters, hms
from contactexport.projector import FIELDS, TABLE
from contactexport.timestamps import format_ms, to_ms

DEFAULT_ORDER = ("queued_at IS NULL", "queued_at", "contact_id", "conversation_id")


@dataclass(frozen=True, slots=True)
class Filters:
    """The report's filters: dates of Queued At (report zone, inclusive), channels, inboxes,
    and the Status a contact ended with."""

    from_date: date | None = None
    to_date: date | None = None
    channels: tuple[str, ...] = ()
    inboxes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    zone: tzinfo = UTC


def _day_start_ms(day: date, zone: tzinfo) -> int:
    return to_ms(datetime.combine(day, time(), tzinfo=zone))


def where_clause(f: Filters, day_of: str = "queued_at") -> tuple[str, list[Any]]:
    """The filters as SQL over any table with channel, inbox_when_first_queued (and status, when
    filtered by it); dates are of `day_of`, an expression in epoch ms (Queued At)."""
    conditions: list[str] = []
    parameters: list[Any] = []
    if f.from_date:
        conditions.append(f"{day_of} >= ?")
        parameters.append(_day_start_ms(f.from_date, f.zone))
    if f.to_date:
        conditions.append(f"{day_of} < ?")
        parameters.append(_day_start_ms(f.to_date + timedelta(days=1), f.zone))
    chosen = (
        ("channel", f.channels),
        ("inbox_when_first_queued", f.inboxes),
        ("status", f.statuses),
    )
    for name, values in chosen:
        if values:
            conditions.append(f"{name} IN ({', '.join('?' for _ in values)})")
            parameters.extend(values)
    return (f" WHERE {' AND '.join(conditions)}" if conditions else ""), parameters


@dataclass(slots=True)
class ExportQuery:
    """Which rows, in which order, from which table (the projection or an as-of copy)."""

    filters: Filters = field(default_factory=Filters)
    sort: tuple[str, ...] = ()  # report headers, the first deciding first
    descending: bool = False  # every sort key
    table: str = TABLE

    def order_by(self) -> str:
        """The sort columns (blanks last either way), then the default order as tie-break."""
        keys = []
        for header in self.sort:
            column = BY_HEADER[header]
            value = f"[{column.field}]"
            if column.kind == "money":
                value = f"CAST({value} AS REAL)"
            elif column.kind == "text":
                value = f"{value} COLLATE NOCASE"
            keys += [f"[{column.field}] IS NULL", value + (" DESC" if self.descending else "")]
        tie_break = DEFAULT_ORDER[1:] if keys else DEFAULT_ORDER
        return ", ".join((*keys, *tie_break))

    def sql(self, select: Iterable[str] | None = None) -> tuple[str, list[Any]]:
        """The query; `select` replaces the raw columns with expressions."""
        where, parameters = where_clause(self.filters)
        columns = ", ".join(select or (f"[{name}]" for name in FIELDS))
        return f"SELECT {columns} FROM {self.table}{where} ORDER BY {self.order_by()}", parameters


def undated_count(conn, query: ExportQuery) -> int:
    """Contacts the query's date range leaves out only because they have no Queued At (their
    CONTACT/STARTED is missing): they match its other filters but are in no day."""
    where, parameters = where_clause(replace(query.filters, from_date=None, to_date=None))
    undated = f"{where} AND queued_at IS NULL" if where else " WHERE queued_at IS NULL"
    return conn.execute(f"SELECT COUNT(*) FROM {query.table}{undated}", parameters).fetchone()[0]


def query_rows(conn, query: ExportQuery) -> Iterator[tuple]:
    sql, parameters = query.sql()
    cursor = conn.execute(sql, parameters)
    while batch := cursor.fetchmany(2_000):
        yield from batch


Durations = Literal["seconds", "hms"]


@dataclass(frozen=True, slots=True)
class RowFormat:
    """How rows are written: zone, Link template, duration style, which columns, and whether
    text is made spreadsheet-safe (for files; a terminal table shows it as written)."""

    zone: tzinfo = UTC
    link_template: str | None = None
    durations: Durations = "seconds"
    columns: tuple[str, ...] = HEADERS
    for_spreadsheet: bool = True


def link_template_problem(template: str) -> str | None:
    """Why a Link template would fail on the first row, or None when it is usable."""
    try:
        template.format(customer_id="", conversation_id="", contact_id="")
    except (KeyError, IndexError, ValueError) as error:
        return (
            f"{template!r} is not a usable template ({error}); the fields are {{customer_id}}, "
            "{conversation_id} and {contact_id}"
        )
    return None


def link_for(
    template: str, customer_id: str | None, conversation_id: str, contact_id: str
) -> str | None:
    """Link: the template over the three IDs; blank when it needs the customer and the contact
    has none (a contact whose events never named one): `https://…/customer//…` leads nowhere."""
    if not customer_id and needs_customer(template):
        return None
    return template.format(
        customer_id=customer_id or "", conversation_id=conversation_id, contact_id=contact_id
    )


def _by_kind(row_format: RowFormat) -> dict[str, Callable[[Any], str]]:
    return cell_formatters(
        row_format.zone, row_format.durations, for_spreadsheet=row_format.for_spreadsheet
    )


def cell_formatter(row_format: RowFormat) -> Callable[[str, Any], str]:
    """(header, raw value) -> the cell as export writes it; blank for None."""
    by_kind = _by_kind(row_format)
    kinds = {column.header: column.kind for column in COLUMNS}
    return lambda header, value: "" if value is None else by_kind[kinds[header]](value)


_INDEX = {header: i for i, header in enumerate(HEADERS)}
_IDS = tuple(_INDEX[h] for h in ("Customer ID", "Conversation ID", "Contact ID"))


def _with_link(rows: Iterable[tuple], template: str | None) -> Iterator[tuple]:
    if not template:
        yield from rows
        return
    link = _INDEX["Link"]
    for row in rows:
        values = list(row)
        values[link] = link_for(template, *(row[i] for i in _IDS))
        yield tuple(values)


def format_rows(rows: Iterable[tuple], row_format: RowFormat) -> Iterator[list[str]]:
    """Raw rows -> CSV cells of the chosen columns."""
    by_kind = _by_kind(row_format)
    chosen = [(_INDEX[h], by_kind[BY_HEADER[h].kind]) for h in row_format.columns]
    for row in _with_link(rows, row_format.link_template):
        yield ["" if (value := row[index]) is None else fmt(value) for index, fmt in chosen]


_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})


def is_default_format(row_format: RowFormat) -> bool:
    """True when the stored CSV lines (csv_lines.py) are exactly what format_rows would write."""
    zone_key = getattr(row_format.zone, "key", "UTC" if row_format.zone is UTC else None)
    template = row_format.link_template
    for name in ("customer_id", "conversation_id", "contact_id"):
        template = (template or "").replace("{" + name + "}", "")
    return (
        zone_key in _UTC_KEYS
        and row_format.for_spreadsheet
        and row_format.durations == "seconds"
        and row_format.columns == HEADERS
        and "{" not in template  # other fields or escapes ({{, }}) need Python's str.format
        and "}" not in template
    )


def export_csv(conn, query: ExportQuery, row_format: RowFormat, out: IO[str]) -> int:
    """Write the CSV of the query's rows: the stored lines when they fit, else cell by cell."""
    if not is_default_format(row_format):
        rows = format_rows(query_rows(conn, query), row_format)
        return write_csv(out, rows, row_format.columns)
    sql, parameters = query.sql([line_sql(row_format.link_template)])
    csv_writer(out).writerow(HEADERS)
    count = 0
    cursor = conn.execute(sql, parameters)
    while lines := cursor.fetchmany(5_000):
        # Line by line, not one join per batch: on an unbuffered stdout (`python -u`,
        # PYTHONUNBUFFERED=1) the text stream writes straight to the file, and when the reader
        # of a pipe leaves in the middle of a large write, the OS takes part of it and the
        # stream drops the rest without an error (`export | head` would exit 0); small writes
        # let the next one raise. A buffered stdout writes the rest itself, and raises.
        out.writelines(line + "\n" for (line,) in lines)
        count += len(lines)
    return count


class _LineFeedRows:
    """csv.writer quotes a field holding CR only when CR is in its line terminator. Rows are
    made with CRLF (so a stray CR in customer text is quoted, as spreadsheets need) and
    written with LF, the line end everything else in the project uses."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, row: str) -> int:
        return self.out.write(row[:-2] + "\n")


def csv_writer(out: IO[str]):
    return csv.writer(_LineFeedRows(out), lineterminator="\r\n")


def write_csv(out: IO[str], rows: Iterable[list[str]], headers: Iterable[str] = HEADERS) -> int:
    """The header line and the rows; returns how many rows were written."""
    writer = csv_writer(out)
    writer.writerow(headers)
    count = 0
    for cells in rows:
        writer.writerow(cells)
        count += 1
    return count


def _json_value(kind: str, value: Any, row_format: RowFormat) -> Any:
    """JSON keeps numbers as numbers; nothing in JSON needs spreadsheet quoting."""
    if value is None or kind in ("text", "count"):
        return value
    if kind == "timestamp":
        return format_ms(value, row_format.zone)
    if kind == "duration":
        if row_format.durations == "hms":
            return hms(value)
        return value // 1000 if value % 1000 == 0 else value / 1000
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return int(amount)  # 25 as the CSV writes it, not 25.0; exact however large
    return float(amount)


def write_jsonl(out: IO[str], rows: Iterable[tuple], row_format: RowFormat) -> int:
    """One JSON object per contact, keyed by header, in the chosen column order."""
    chosen = [(h, _INDEX[h], BY_HEADER[h].kind) for h in row_format.columns]
    count = 0
    for row in _with_link(rows, row_format.link_template):
        record = {h: _json_value(kind, row[i], row_format) for h, i, kind in chosen}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
