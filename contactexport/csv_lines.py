"""The default CSV line of a row (UTC, durations in seconds), stored with the row.

Rows are replayed once and exported many times, so each row's default line is made when the
projection is written: the default export is then a plain read of finished lines (~300k rows/s
instead of ~45k). The line is stored in two halves around the Link cell, whose template belongs
to whoever exports; that one cell is made in SQL. `tests/test_export.py` proves the lines equal
what `export.format_rows` + `csv.writer` write.
"""

import re
import string

from contactexport.columns import COLUMNS
from contactexport.formatting import cell_formatters, spreadsheet_safe

BEFORE_LINK, AFTER_LINK = "csv_before_link", "csv_after_link"
_LINK = next(i for i, column in enumerate(COLUMNS) if column.field == "link")
_NEEDS_QUOTES = re.compile('[,"\n\r]').search


def _csv_text(text: str) -> str:
    """A text cell as the CSV writers here quote it: when it holds , " LF or CR."""
    text = spreadsheet_safe(text)
    if _NEEDS_QUOTES(text):
        return '"' + text.replace('"', '""') + '"'
    return text


# The shared formatting (UTC, seconds), except that money is stored already formatted and
# text cells are quoted as CSV needs.
_BY_KIND = cell_formatters() | {"money": str, "text": _csv_text}
_FORMATTERS = [(i, _BY_KIND[column.kind]) for i, column in enumerate(COLUMNS)]
_BEFORE, _AFTER = _FORMATTERS[:_LINK], _FORMATTERS[_LINK + 1 :]


def line_halves(values: list) -> tuple[str, str]:
    """The line before and after the Link cell, from a row's storable values."""
    before = ",".join("" if (v := values[i]) is None else fmt(v) for i, fmt in _BEFORE)
    after = ",".join("" if (v := values[i]) is None else fmt(v) for i, fmt in _AFTER)
    return before, after


# The Link cell in SQL: the template over the row's IDs, made spreadsheet-safe (only a plain
# signed number stays, as formatting.spreadsheet_safe says) and quoted like any CSV text cell.
_PLAIN_NUMBER = (
    "(substr({c}, 2) GLOB '[0-9]*' AND substr({c}, 2) NOT GLOB '*[^0-9.]*' "
    "AND substr({c}, 2) NOT GLOB '*.*.*' AND substr({c}, 2) NOT GLOB '*.')"
)
_SAFE = (
    "CASE WHEN substr({c}, 1, 1) IN ('=', '@', char(9), char(13)) "
    "OR (substr({c}, 1, 1) IN ('+', '-') AND NOT " + _PLAIN_NUMBER + ") "
    "THEN '''' || {c} ELSE {c} END"
)
_QUOTED = (
    "CASE WHEN instr({c}, ',') OR instr({c}, '\"') OR instr({c}, char(10)) "
    "OR instr({c}, char(13)) THEN '\"' || replace({c}, '\"', '\"\"') || '\"' ELSE {c} END"
)


def needs_customer(link_template: str) -> bool:
    """Whether the template fills in {customer_id} (as `{customer_id!s}` too; `{{customer_id}}`
    is literal text): without a customer, its Link is blank rather than a broken address."""
    return any(
        field and re.split(r"[.\[]", field)[0] == "customer_id"
        for _, field, _, _ in string.Formatter().parse(link_template)
    )


def line_sql(link_template: str | None) -> str:
    """The whole line: the stored halves around the Link cell (blank without a template)."""
    if not link_template:
        return f"{BEFORE_LINK} || ',,' || {AFTER_LINK}"
    literal = "'" + link_template.replace("'", "''") + "'"
    link = (
        f"replace(replace(replace({literal}, '{{customer_id}}', coalesce(customer_id, '')), "
        "'{conversation_id}', conversation_id), '{contact_id}', contact_id)"
    )
    cell = _QUOTED.format(c=f"({_SAFE.format(c=f'({link})')})")
    if needs_customer(link_template):  # blank without a customer, as export.link_for is
        cell = f"CASE WHEN coalesce(customer_id, '') = '' THEN '' ELSE {cell} END"
    return f"{BEFORE_LINK} || ',' || {cell} || ',' || {AFTER_LINK}"
