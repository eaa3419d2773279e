"""Regression fixtures: a folder of events and the rows they must produce.

A fixture is `events.jsonl` (or `events.jsonl.gz`) + `expected.csv` (+ a README line saying
what it proves, and optionally `link-template.txt`, the Link template the export uses). The
events are replayed into a throwaway in-memory store and the export is compared cell by cell,
rows matched by Conversation ID and Contact ID. A line ingest rejects fails the fixture even
when the rows match: the expected rows were then written without an event the fixture meant
to hold.
"""

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from contactexport.columns import HEADERS
from contactexport.export import (
    ExportQuery,
    RowFormat,
    export_csv,
    link_template_problem,
    write_csv,
)
from contactexport.ingest import ingest_files
from contactexport.output import reason_of, whole_file
from contactexport.projector import catch_up
from eventstore import EventStore

EVENTS = "events.jsonl"
EVENTS_NAMES = (EVENTS, f"{EVENTS}.gz")  # simulate -o writes the second gzipped
EXPECTED = "expected.csv"
LINK_TEMPLATE = "link-template.txt"


@dataclass(frozen=True, slots=True)
class CellDifference:
    contact_id: str
    column: str
    expected: str
    got: str


@dataclass(slots=True)
class FixtureResult:
    path: Path
    differences: list[CellDifference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problems


def produce_rows(folder: Path) -> list[list[str]]:
    """The export rows the fixture's events produce today, written as `export` writes them."""
    return _replay(folder)[0]


def _replay(folder: Path) -> tuple[list[list[str]], list[str]]:
    """The export rows, and each line ingest rejected as `file:line: reason` (or the problem
    that left no rows: a link template that cannot be used)."""
    template = folder / LINK_TEMPLATE
    link = template.read_text(encoding="utf-8").strip() if template.is_file() else None
    if link and (problem := link_template_problem(link)):
        return [], [f"{template}: {problem}"]
    with EventStore(":memory:") as store:
        report = ingest_files(store, [events_file(folder) or folder / EVENTS])
        rejected = sorted(store.rejects(), key=lambda reject: reject.line or 0)
        rejects = [f"{r.source}: {r.why}, not JSONL events" for r in report.refused]
        rejects += [f"{r.source}:{r.line}: {r.reason}" for r in rejected]
        catch_up(store)
        written = io.StringIO()
        export_csv(store.conn, ExportQuery(), RowFormat(link_template=link), written)
    written.seek(0)
    return list(csv.reader(written))[1:], rejects


def _keyed(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["Conversation ID"], row["Contact ID"]): row for row in rows}


def check_fixture(folder: Path) -> FixtureResult:
    result = FixtureResult(folder)
    if events_file(folder) is None:
        result.problems.append(f"{folder / EVENTS}: missing")
    if not (folder / EXPECTED).is_file():
        result.problems.append(f"{folder / EXPECTED}: missing")
    if result.problems:
        return result
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte-order mark.
        with (folder / EXPECTED).open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            expected = list(reader)
    except UnicodeDecodeError as error:  # a spreadsheet saved it as cp1252 ("–" is 0x96)
        byte = error.object[error.start]
        result.problems.append(f"{folder / EXPECTED}: not UTF-8 (byte 0x{byte:02x}); save as UTF-8")
        return result
    if tuple(reader.fieldnames or ()) != HEADERS:
        result.problems.append(f"{folder / EXPECTED}: {_header_problem(reader.fieldnames)}")
        return result
    rows, rejects = _replay(folder)
    result.problems += rejects
    got = _keyed([dict(zip(HEADERS, cells, strict=True)) for cells in rows])
    want = _keyed(expected)
    for key in sorted(want.keys() - got.keys()):
        result.problems.append(f"contact {key[1]} (conversation {key[0]}): expected, not produced")
    for key in sorted(got.keys() - want.keys()):
        result.problems.append(f"contact {key[1]} (conversation {key[0]}): produced, not expected")
    for key in sorted(want.keys() & got.keys()):
        result.differences += [
            CellDifference(key[1], header, want[key][header], got[key][header])
            for header in HEADERS
            if want[key][header] != got[key][header]
        ]
    return result


@dataclass
class Update:
    rows: int
    rejects: list[str]  # ingest's, as `file:line: reason`: then nothing is written
    changed: bool
    unwritten: str | None = None  # `cannot write FILE: reason`: expected.csv is as it was


def update_fixture(folder: Path) -> Update:
    """Rewrite expected.csv from the current output, unless ingest rejects an event: rows
    written without it would pass now and fail every later `check`. The file is replaced whole
    or not at all, so an interrupted update never leaves a fixture cut short."""
    rows, rejects = _replay(folder)
    if rejects:
        return Update(len(rows), rejects, changed=False)
    written = io.StringIO()
    write_csv(written, rows)
    path = folder / EXPECTED
    # Compared as bytes: an expected.csv a spreadsheet saved in another encoding is replaced.
    content = written.getvalue().encode()
    changed = not path.is_file() or path.read_bytes() != content
    if not changed:
        return Update(len(rows), rejects, changed)
    try:
        with whole_file(path, "w", encoding="utf-8", newline="") as out:
            out.write(written.getvalue())
    except OSError as error:
        unwritten = f"cannot write {path}: {reason_of(error)}"
        return Update(len(rows), rejects, changed=False, unwritten=unwritten)
    return Update(len(rows), rejects, changed)


def events_file(folder: Path) -> Path | None:
    """The fixture's events: events.jsonl, else events.jsonl.gz."""
    return next((folder / n for n in EVENTS_NAMES if (folder / n).is_file()), None)


def fixture_folders(paths: list[Path]) -> list[Path]:
    """Every fixture folder at or below the given paths, at any depth, each once.

    A folder holding either file is a fixture: one with events but no expected.csv yet is a new
    fixture, which `check --update` writes and `check` reports as missing its expected rows.
    Hidden folders (.git, .venv) are not searched, so `check .` at a repository's root stays
    quick and finds only the repository's own fixtures.
    """
    folders: dict[Path, None] = {}
    for path in paths:
        found = []
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            if EXPECTED in files or any(name in files for name in EVENTS_NAMES):
                found.append(Path(folder))
        folders.update(dict.fromkeys(sorted(found)))
    return list(folders)


def _header_problem(found: list[str] | None) -> str:
    """What is wrong with an expected.csv header, by name: a renamed column is a typo to fix."""
    found = list(found or ())
    unknown = [name for name in found if name not in HEADERS]
    missing = [name for name in HEADERS if name not in found]
    if unknown or missing:
        parts = [f"unknown column {', '.join(map(repr, unknown))}"] if unknown else []
        parts += [f"missing {', '.join(map(repr, missing))}"] if missing else []
        return "header is not the report's 57 columns: " + "; ".join(parts)
    return "header has the report's 57 columns, but not in the report's order"
