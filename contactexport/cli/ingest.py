"""`contactexport ingest FILE...`: append events to the store and say what became of each line.

Exit status: 0 when every line was stored or was already there, 1 when any line was rejected
(the good lines are stored all the same), 2 when the command cannot run (no such file, a store
that cannot be opened) or an input was refused whole (the store itself, or not JSONL text: the
other inputs are ingested all the same).
"""

import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import INTERRUPTED_EXIT, StorePath, app, db_path, err, open_store
from contactexport.cli.options import STORE_FILES, flag
from contactexport.ingest import (
    STDIN,
    STDIN_SOURCE,
    IngestReport,
    ProgressCallback,
    RefusedInput,
    SourceCounts,
    ingest_files,
    input_size,
)
from contactexport.output import reason_of, same_file

# Inputs smaller than this are done before a bar is worth drawing.
PROGRESS_FROM_BYTES = 16 << 20


@app.command(rich_help_panel="Store")
def ingest(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE",
            help="JSONL event files, gzipped or not (.jsonl, .jsonl.gz); - reads stdin.",
            show_default=False,
        ),
    ],
    db: StorePath = None,
    progress: Annotated[
        bool,
        flag(
            "--progress/--no-progress",
            help="Progress bar on stderr, drawn when it is a terminal for inputs over 16 MiB "
            "or of unknown size (stdin, a pipe) (default: on).",
        ),
    ] = True,
) -> None:
    """Append Gladly events to the store; bad lines are kept as rejects with the reason.

    Idempotent: running the same files again (after a crash, say) stores only what is missing.

    A file that is clearly not JSONL text (the store itself, another SQLite database, bzip2, xz,
    zstd, zip, UTF-16) is refused whole, with nothing stored from it (exit 2); the other files
    are ingested all the same. [bold]contactexport rejects[/] lists the rejected lines.
    """
    _check_inputs(files)
    report = IngestReport(refused=_store_files(files, db_path(ctx)))
    refused = {refusal.source for refusal in report.refused}
    inputs = [name for name in files if name not in refused]
    with open_store(ctx, create=True) as store:
        try:
            with _progress_bar(inputs, enabled=progress) as advance:
                ingest_files(store, inputs, on_progress=advance, report=report)
        except sqlite3.Error as error:
            err.print(
                f"[red]error:[/] ingest stopped: {escape(str(error))}. Batches before this point"
                " are stored; run the same command again to add the rest.",
                highlight=False,
            )
            raise typer.Exit(1) from None
        except OSError as error:  # an input that cannot be read (named by ingest_files)
            err.print(
                f"[red]error:[/] cannot read {escape(f'{error.filename}: {reason_of(error)}')}. "
                "Batches before this point are stored; run the same command again to add the "
                "rest.",
                highlight=False,
            )
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print(
                "interrupted: the batches committed so far are stored; run the same command "
                "again to add the rest (what is stored already counts as duplicates)",
                highlight=False,
            )
            raise typer.Exit(INTERRUPTED_EXIT) from None
    _print_report(report, db_path(ctx))
    raise typer.Exit(2 if report.refused else 1 if report.rejected else 0)


def _check_inputs(files: list[str]) -> None:
    """Refuse to start on a missing input rather than ingest half of the list. Anything else
    that can be read is taken: a pipe (`<(zcat x.gz)`, mkfifo) or a device (/dev/stdin)."""
    if files.count(STDIN) > 1:
        raise typer.BadParameter("stdin (-) can be read only once", param_hint="FILE")
    for name in files:
        if name == STDIN:
            continue
        if Path(name).is_dir():
            raise typer.BadParameter(f"{name}: is a directory", param_hint="FILE")
        if not Path(name).exists():
            raise typer.BadParameter(f"{name}: no such file", param_hint="FILE")


def _store_files(files: list[str], store: Path) -> list[RefusedInput]:
    """The inputs that are the store (or its -wal or -shm file), by name: their pages would
    only be archived as rejects in the store itself."""
    return [
        RefusedInput(name, f"is {what} (--db {store})")
        for name in files
        if name != STDIN
        for suffix, what in STORE_FILES.items()
        if same_file(Path(name), Path(f"{store}{suffix}"))
    ]


@contextmanager
def _progress_bar(files: list[str], *, enabled: bool) -> Iterator[ProgressCallback | None]:
    sizes = [input_size(name) for name in files]
    total = None if None in sizes else sum(sizes)
    if not (enabled and err.is_terminal and (total is None or total >= PROGRESS_FROM_BYTES)):
        yield None
        return
    columns = (
        TextColumn("ingest"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        yield lambda done: bar.advance(task, done)


def _print_report(report: IngestReport, path: Path) -> None:
    table = Table("input", "accepted", "duplicate", "rejected", "unknown type", box=None)
    table.columns[0].overflow = "fold"  # a long path wraps rather than losing its end to "…"
    rows = report.sources + ([report.total] if len(report.sources) > 1 else [])
    for counts in rows:
        table.add_row(*_cells(counts))
    if rows:  # none when every input was refused
        err.print(table, highlight=False)
    if report.unknown_types:
        named = ", ".join(f"{name} ({n:,})" for name, n in report.unknown_types.most_common())
        err.print(f"unknown types, archived all the same: {named}", highlight=False)
    for reject in report.first_rejects:
        err.print(
            f"{reject.source}:{reject.line}: {reject.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    more = report.rejected - len(report.first_rejects)
    if more > 0:
        err.print(
            f"… and {more:,} more rejects, all kept in the rejects table of {path} (contactexport"
            " rejects lists them)",
            markup=False,
            highlight=False,
        )
    for refusal in report.refused:
        err.print(f"[red]error:[/] {escape(_refused(refusal, path))}", highlight=False)


def _refused(refusal: RefusedInput, store: Path) -> str:
    """'x.xz looks like xz-compressed data, not JSONL events: nothing ingested from it; ...'
    with the command that would read it, when there is one."""
    inside = " once gunzipped" if refusal.gzipped else ""
    said = f"{refusal.source}{inside} {refusal.why}, not JSONL events: nothing ingested from it"
    if refusal.convert is None or refusal.source == STDIN_SOURCE:
        return said
    name, db = shlex.quote(refusal.source), shlex.quote(str(store))
    convert = (
        f"gzip -dc {name} | {refusal.convert}" if refusal.gzipped else f"{refusal.convert} {name}"
    )
    return f"{said}; to ingest it: {convert} | contactexport --db {db} ingest -"


def _cells(counts: SourceCounts) -> list[Text]:
    numbers = (counts.accepted, counts.duplicates, counts.rejected, counts.unknown_type)
    return [Text(counts.source), *(Text(f"{n:,}") for n in numbers)]
