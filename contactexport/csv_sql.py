"""The default CSV line of a row (UTC, durations in seconds), written by SQLite.

Formatting 57 cells in Python costs ~20 µs a row; done by SQLite when the projection is
written, an export of the default format is a plain read of finished lines. The expressions
below reproduce `export.format_rows` + `csv.writer` exactly; `tests/test_export.py` proves it.
The Link column sits between the two stored halves, so a link template is applied at export.
"""

from contactexport.columns import COLUMNS

BEFORE_LINK, AFTER_LINK = "csv_before_link", "csv_after_link"
_LINK_INDEX = next(i for i, column in enumerate(COLUMNS) if column.field == "link")

# A plain signed number (+15550100, -2, -1.5) is left alone; other text starting like a formula
# gets a leading quote (formatting.spreadsheet_safe).
_PLAIN_NUMBER = (
    "(substr({c}, 2) GLOB '[0-9]*' AND substr({c}, 2) NOT GLOB '*[^0-9.]*' "
    "AND substr({c}, 2) NOT GLOB '*.*.*' AND substr({c}, 2) NOT GLOB '*.')"
)
_SAFE_TEXT = (
    "CASE WHEN substr({c}, 1, 1) IN ('=', '@', char(9)) "
    "OR (substr({c}, 1, 1) IN ('+', '-') AND NOT " + _PLAIN_NUMBER + ") "
    "THEN '''' || {c} ELSE {c} END"
)
_CELL = {
    # floor division, so that times before 1970 come out right too
    "timestamp": "strftime('%Y-%m-%dT%H:%M:%S', ({c} - (({c} % 1000) + 1000) % 1000) / 1000, "
    "'unixepoch') || printf('.%03d+00:00', (({c} % 1000) + 1000) % 1000)",
    "duration": "CASE WHEN {c} % 1000 = 0 THEN CAST({c} / 1000 AS TEXT) "
    "ELSE rtrim(printf('%s%d.%03d', CASE WHEN {c} < 0 THEN '-' ELSE '' END, abs({c}) / 1000, "
    "abs({c}) % 1000), '0') END",
    "count": "CAST({c} AS TEXT)",
    "money": "{c}",
    "text": _SAFE_TEXT,
}


def csv_field(expr: str) -> str:
    """Quote a text cell as csv.writer does (QUOTE_MINIMAL): when it holds , " CR or LF."""
    return (
        f"CASE WHEN instr({expr}, ',') OR instr({expr}, '\"') OR instr({expr}, char(10)) "
        f"OR instr({expr}, char(13)) THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' "
        f"ELSE {expr} END"
    )


def cell(kind: str, value: str) -> str:
    """The formatted cell of a raw value, '' when it is NULL; quoted for CSV if it must be."""
    formatted = _CELL[kind].format(c=value)
    if kind == "text":
        formatted = csv_field(f"({formatted})")
    return f"(CASE WHEN {value} IS NULL THEN '' ELSE {formatted} END)"


def _joined(columns) -> str:
    return " || ',' || ".join(cell(c.kind, f"[{c.field}]") for c in columns)


BEFORE_LINK_SQL = _joined(COLUMNS[:_LINK_INDEX])
AFTER_LINK_SQL = _joined(COLUMNS[_LINK_INDEX + 1 :])


def fill_lines(conn, table: str) -> None:
    """Write the two halves of the CSV line of every row that has none yet."""
    conn.execute(
        f"UPDATE {table} SET {BEFORE_LINK} = {BEFORE_LINK_SQL}, {AFTER_LINK} = {AFTER_LINK_SQL} "
        f"WHERE {BEFORE_LINK} IS NULL"
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
    return f"{BEFORE_LINK} || ',' || {cell('text', f'({link})')} || ',' || {AFTER_LINK}"
