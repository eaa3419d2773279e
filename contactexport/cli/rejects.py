"""`contactexport rejects`: the lines ingest could not store as events, with the reason."""

import json
from typing import IO, Annotated

import typer
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import StorePath, app, db_path, err, many, open_store, out
from contactexport.cli.options import (
    TABLE_ROWS,
    ListFormat,
    Output,
    list_format,
    list_limit,
    listing_format,
    output_stream,
    writable_output,
)
from contactexport.export import write_csv
from contactexport.formatting import spreadsheet_safe
from eventstore import StoredReject

# The header of csv, the keys of jsonl: the rejects table's own columns.
FIELDS = ("source", "line", "reason", "rejected_at", "raw")
# Characters of the raw line the table shows: enough to recognise it in the source file.
RAW_SHOWN = 60


@app.command(rich_help_panel="Store")
def rejects(
    ctx: typer.Context,
    db: StorePath = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="PATTERN",
            help="Only the rejects of this input, named as it was given to ingest; * matches "
            "any text and ? one character, as in the shell (quote them): '*2026-11-02*'.",
        ),
    ] = None,
    limit: Annotated[int | None, list_limit("rejects")] = None,
    fmt: Annotated[
        ListFormat | None,
        list_format(
            "A table with each line shortened, or each line whole: jsonl as read, csv "
            "spreadsheet-safe (a line starting with = + - @ gets a ')."
        ),
    ] = None,
    output: Output = None,
) -> None:
    """List the lines ingest kept as rejects: input, line number, reason, when, and the line.

    Oldest first. [bold]--format csv[/] or [bold]jsonl[/] writes every reject with its whole
    line, for a spreadsheet (csv, made spreadsheet-safe) or a script (jsonl, as read). Bytes that
    are not UTF-8 are shown as \\xff. Exits 0 either way.

    Example: contactexport rejects --source '*2026-11-02*' --format csv -o rejects.csv
    """
    output = writable_output(output, db_path(ctx))
    fmt = listing_format(output, fmt)
    # The output first: a file that cannot be written is refused before the store is read.
    with output_stream(output) as stream, open_store(ctx) as store:
        kept = store.reject_count(source=source)
        shown = store.rejects(
            source=source, limit=limit or (TABLE_ROWS if fmt is ListFormat.table else None)
        )
        if fmt is ListFormat.table:
            _print_table(shown)
        else:
            _write_lines(stream, shown, fmt)
    if not kept:
        err.print("no rejects" + (f" from {source}" if source else ""), highlight=False)
        return
    more = f" (first {len(shown):,} shown)" if len(shown) < kept else ""
    to = f" to {output}" if output else ""
    err.print(f"{many(kept, 'reject')}{more}{to}", markup=False, highlight=False)


def _print_table(shown: list[StoredReject]) -> None:
    if not shown:
        return
    table = Table("input", "line", "reason", "rejected at", "line as read")
    for column in table.columns:  # a long path or reason wraps rather than losing its end to "…"
        column.overflow = "fold"
    for reject in shown:
        raw = _text(reject.raw)
        if len(raw) > RAW_SHOWN:
            raw = raw[:RAW_SHOWN] + "…"
        table.add_row(
            Text(_printable(reject.source or "")),
            "" if reject.line is None else str(reject.line),
            Text(_printable(reject.reason)),
            reject.rejected_at,
            Text(_printable(raw)),
        )
    out.print(table)


def _write_lines(stream: IO[str], shown: list[StoredReject], fmt: ListFormat) -> None:
    """Each reject as a CSV row (text made spreadsheet-safe: a line may start with anything)
    or as a JSON object (null when there is no source or line number)."""
    records = [
        (reject.source, reject.line, reject.reason, reject.rejected_at, _text(reject.raw))
        for reject in shown
    ]
    if fmt is ListFormat.csv:
        write_csv(stream, ([_cell(value) for value in record] for record in records), FIELDS)
        return
    for record in records:
        stream.write(json.dumps(dict(zip(FIELDS, record, strict=True)), ensure_ascii=False) + "\n")


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    return spreadsheet_safe(value) if isinstance(value, str) else str(value)


def _text(raw: bytes | str) -> str:
    """The line as text; bytes that are not UTF-8 (kept as bytes in the store) as \\xff."""
    return raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")


def _printable(text: str) -> str:
    """Control characters as Python writes them (\\x1b, \\t): an escape sequence in a rejected
    line would otherwise drive the terminal."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
