"""The Contact Export as a query over the projection, formatted for CSV.

Filtering and sorting happen in SQL on raw values (epoch ms, ms, integers), so they are exact
and cheap; formatting for people (time zone, seconds, spreadsheet safety) happens last.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import IO, Any

from contactexport.columns import COLUMNS, HEADERS
from contactexport.formatting import money, seconds, spreadsheet_safe
from contactexport.projector import FIELDS, TABLE
from contactexport.timestamps import format_ms


@dataclass(slots=True)
class ExportQuery:
    """Which rows, in which order. Each filter becomes one SQL condition."""

    conditions: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)
    order_by: str = "queued_at IS NULL, queued_at, contact_id, conversation_id"
    table: str = TABLE

    def sql(self) -> tuple[str, list[Any]]:
        where = f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
        columns = ", ".join(f"[{name}]" for name in FIELDS)
        select = f"SELECT {columns} FROM {self.table}{where} ORDER BY {self.order_by}"
        return select, self.parameters


@dataclass(frozen=True, slots=True)
class RowFormat:
    """How values are written: the report time zone and the Link template."""

    zone: tzinfo = UTC
    link_template: str | None = None


def link_for(template: str | None, customer_id: str | None, conversation_id: str, contact_id: str):
    """Link: the template over the three IDs; blank when no template is configured."""
    if not template:
        return None
    return template.format(
        customer_id=customer_id or "", conversation_id=conversation_id, contact_id=contact_id
    )


def _by_kind(row_format: RowFormat) -> dict[str, Callable[[Any], str]]:
    zone = row_format.zone
    return {
        "timestamp": lambda v: format_ms(v, zone),
        "duration": seconds,
        "count": str,
        "money": lambda v: money(Decimal(v)),
        "text": spreadsheet_safe,
    }


def _formatters(row_format: RowFormat) -> list[Callable[[Any], str]]:
    by_kind = _by_kind(row_format)
    return [by_kind[column.kind] for column in COLUMNS]


def cell_formatter(row_format: RowFormat) -> Callable[[str, Any], str]:
    """(header, raw value) -> the cell as export writes it; blank for None."""
    by_kind = _by_kind(row_format)
    kinds = {column.header: column.kind for column in COLUMNS}
    return lambda header, value: "" if value is None else by_kind[kinds[header]](value)


_LINK = FIELDS.index("link")
_CUSTOMER, _CONVERSATION, _CONTACT = (
    FIELDS.index(name) for name in ("customer_id", "conversation_id", "contact_id")
)


def format_rows(rows: Iterable[tuple], row_format: RowFormat) -> Iterator[list[str]]:
    formatters = _formatters(row_format)
    template = row_format.link_template
    link_formatter = formatters[_LINK]
    for row in rows:
        cells = [
            "" if value is None else fmt(value) for fmt, value in zip(formatters, row, strict=True)
        ]
        if template:
            link = link_for(template, row[_CUSTOMER], row[_CONVERSATION], row[_CONTACT])
            cells[_LINK] = link_formatter(link)
        yield cells


def query_rows(conn, query: ExportQuery) -> Iterator[tuple]:
    sql, parameters = query.sql()
    cursor = conn.execute(sql, parameters)
    while batch := cursor.fetchmany(2_000):
        yield from batch


def write_csv(out: IO[str], rows: Iterable[list[str]]) -> int:
    """The header line and the rows; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    count = 0
    for cells in rows:
        writer.writerow(cells)
        count += 1
    return count
