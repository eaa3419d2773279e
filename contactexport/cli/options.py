"""Options several commands share, parsed once: report time zone, as-of, dates, output.

Every option that takes a value names it with a metavar (ZONE, YYYY-MM-DD, N): typer's rich help
would otherwise label it with its Python type (`<str>`, `<int range>`)."""

import difflib
import functools
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import typer

from contactexport.cli.app import say_cannot_write
from contactexport.columns import HEADERS
from contactexport.export import link_template_problem
from contactexport.output import is_stdout, output_file, same_file
from contactexport.timestamps import parse_datetime, to_ms
from contactexport.vocabulary import CHANNELS

Zone = Annotated[
    str,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Report time zone (IANA name, e.g. America/New_York; any case).",
        show_default=True,
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="TIME",
        help="Show the world as it was then: only events with timestamp <= this ISO 8601 "
        "time (a time without offset is read in --tz; a date alone is its first moment, "
        "00:00). The stored projection is untouched.",
    ),
]


def flag(*names: str, help: str):
    """A boolean option. It takes no value, so it declares an empty metavar: otherwise typer's
    rich help prints `<bool>` after it."""
    return typer.Option(*names, metavar="", help=help)


def one_of(choices: type[StrEnum]) -> str:
    """The metavar of an option taking one of a few words: `csv|jsonl`."""
    return "|".join(choices)


def choice(*names: str, choices: type[StrEnum], help: str):
    """An option taking one of a few words (a StrEnum), in any case: `--format CSV`."""
    return typer.Option(*names, metavar=one_of(choices), case_sensitive=False, help=help)


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone, its name in any case (`utc`, `europe/paris`): zone names are file names,
    case-sensitive on Linux, and no two differ only in case."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, `America`
        pass
    if key := _zone_names().get(name.lower()):
        return ZoneInfo(key)
    raise typer.BadParameter(
        f"unknown time zone {name!r}; use an IANA name such as UTC, Europe/Paris, America/New_York",
        param_hint="--tz",
    )


@functools.cache
def _zone_names() -> dict[str, str]:
    """Zone names by their lower case; read once, and only for a name not found as given."""
    names = {key.lower(): key for key in available_timezones()}
    names.setdefault("utc", "UTC")
    return names


def parse_as_of(text: str | None, zone: ZoneInfo) -> int | None:
    if text is None:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 time such as 2026-11-02T08:10:00Z", param_hint="--as-of"
        ) from None
    return to_ms(moment if moment.tzinfo else moment.replace(tzinfo=zone))


def _date_options(note: str = "") -> tuple[object, object]:
    first = typer.Option(
        "--from", metavar="YYYY-MM-DD", help=f"First day of Queued At, in --tz, inclusive.{note}"
    )
    last = typer.Option(
        "--to",
        metavar="YYYY-MM-DD",
        help="Last day of Queued At (in --tz), inclusive" + ("; see --from." if note else "."),
    )
    return Annotated[str | None, first], Annotated[str | None, last]


# anomalies dates a contact that never started by its anomalies; the rows of export, summary
# and top are dated by Queued At alone, which is blank when CONTACT/STARTED is missing.
FromDate, ToDate = _date_options()
QueuedFrom, QueuedTo = _date_options(
    " A contact without Queued At (its CONTACT/STARTED missing) is in no range."
)
Channels = Annotated[
    list[str] | None,
    typer.Option(
        "--channel",
        metavar="CHANNEL",
        help="Only this channel (repeatable, any case): voice (= PHONE_CALL only), chat, sms, "
        "whatsapp, fb_messenger, instagram_direct, email, voicemail, abandoned_call.",
    ),
]
Inboxes = Annotated[
    list[str] | None,
    typer.Option(
        "--inbox", metavar="INBOX_ID", help="Only contacts first queued in this inbox (repeatable)."
    ),
]

# The Status values of the report definition (blank until a contact ends).
STATUSES = ("ANSWERED", "UNANSWERED", "ABANDONED", "UNKNOWN")
Statuses = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only contacts that ended with this Status (repeatable, any case): answered, "
        "unanswered, abandoned (calls hung up before an agent answered), unknown.",
    ),
]

CHANNEL_ALIASES = {"VOICE": "PHONE_CALL", "PHONE": "PHONE_CALL", "FB MESSENGER": "FB_MESSENGER"}


def parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; use YYYY-MM-DD", param_hint=option
        ) from None


def _parse_words(
    names: list[str] | None,
    allowed: tuple[str, ...],
    option: str,
    aliases: dict[str, str] | None = None,
    listed: tuple[str, ...] | None = None,
) -> tuple[str, ...]:
    """A repeatable word option (--channel, --status): any case, aliases, each word once; an
    unknown word is refused with the `listed` words (default: `allowed`)."""
    chosen = []
    for name in names or ():
        key = name.strip().upper()
        word = (aliases or {}).get(key, key)
        if word not in allowed:
            shown = ", ".join(w.lower() for w in listed or allowed)
            raise typer.BadParameter(
                f"unknown {option.removeprefix('--')} {name!r}; allowed: {shown}",
                param_hint=option,
            )
        chosen.append(word)
    return tuple(dict.fromkeys(chosen))


def parse_channels(names: list[str] | None) -> tuple[str, ...]:
    return _parse_words(names, CHANNELS, "--channel", CHANNEL_ALIASES, ("VOICE", *CHANNELS))


def parse_statuses(names: list[str] | None) -> tuple[str, ...]:
    return _parse_words(names, STATUSES, "--status")


def parse_header(name: str, option: str, periods: tuple[str, ...] = ()) -> str:
    """A report column by its header name, any case; close matches suggested. An option that
    also takes `periods` (summary --by: hour, day, week) has them listed when it names neither."""
    by_lower = {header.lower(): header for header in HEADERS}
    header = by_lower.get(name.lower()) or by_lower.get(name.lower().replace("-", "–"))
    if header:
        return header
    close = difflib.get_close_matches(name, (*periods, *HEADERS), n=3, cutoff=0.4)
    hint = f"; periods: {', '.join(periods)}" if periods else ""
    if close:
        hint += f"; did you mean {', '.join(repr(c) for c in close)}?"
    else:
        hint += f"; columns are the report's headers: {', '.join(HEADERS)}"
    what = "column or period" if periods else "column"
    raise typer.BadParameter(f"no {what} {name!r}{hint}", param_hint=option)


class DurationStyle(StrEnum):
    seconds = "seconds"
    hms = "hms"


Durations = Annotated[
    DurationStyle,
    choice("--durations", choices=DurationStyle, help="Raw seconds, or the UI's d:hh:mm:ss (hms)."),
]


LinkTemplate = Annotated[
    str | None,
    typer.Option(
        "--link-template",
        metavar="TEMPLATE",
        envvar="CONTACTEXPORT_LINK_TEMPLATE",
        help="Template for the Link column, in which {customer_id}, {conversation_id} and "
        "{contact_id} are filled in (example above).",
    ),
]


def parse_link_template(template: str | None) -> str | None:
    """Refuse, up front, a template that would fail on the first row."""
    if template is None:
        return None
    if problem := link_template_problem(template):
        raise typer.BadParameter(problem, param_hint="--link-template")
    return template


# A str, not a Path: Path("") is ".", and `-o ''` would be refused as a folder.
Output = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write here instead of stdout (- is stdout); gzipped if the name ends in .gz.",
    ),
]


def output_name(text: str | None, option: str) -> Path | None:
    """An output option's file as given (`-` too), or None when the option is not given;
    refused when it cannot name a file."""
    if text is None:
        return None
    if not text:
        raise typer.BadParameter(
            "the file name is empty; name a file, or - for stdout", param_hint=option
        )
    path = Path(text)
    if path.is_dir():
        raise typer.BadParameter(
            f"{text} is a folder; name a file in it, or - for stdout", param_hint=option
        )
    return path


# The format an output's name asks for, by its suffix (before a .gz).
FORMAT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
Choices = TypeVar("Choices", bound=StrEnum)


def format_for(
    path: Path | None, chosen: Choices | None, choices: type[Choices], default: Choices
) -> Choices:
    """--format, else the one the output's name asks for (report.jsonl.gz: jsonl), else
    `default`. A --format the name contradicts is refused: whatever opens the file by its name
    would misread it."""
    name = path.name.lower().removesuffix(".gz") if path else ""
    named = FORMAT_SUFFIXES.get(Path(name).suffix)
    if named not in choices.__members__.values():
        return chosen or default
    if chosen is None:
        return choices(named)
    if chosen != named:
        raise typer.BadParameter(
            f"--format {chosen} contradicts the name {path.name} ({named}); leave --format out "
            f"to write {named}, or rename the file",
            param_hint="--format",
        )
    return chosen


class ListFormat(StrEnum):
    """What the listing commands (anomalies, rejects) write: a table on the terminal, or one
    line per item for a spreadsheet or a script."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"


TABLE_ROWS = 50  # what a listing's table shows unless --limit says otherwise


def list_format(help: str):
    return choice("--format", choices=ListFormat, help=f"{help} Default: from -o's name, or table.")


def list_limit(items: str):
    return typer.Option(
        "--limit",
        "-n",
        min=1,
        metavar="N",
        help=f"Show at most this many {items} (default: {TABLE_ROWS} in the table, every one "
        "in csv and jsonl).",
    )


def listing_format(output: Path | None, chosen: ListFormat | None) -> ListFormat:
    """--format, else the one -o's name asks for; a table cannot go to a file."""
    fmt = format_for(output, chosen, ListFormat, ListFormat.table)
    if output and fmt is ListFormat.table:
        raise typer.BadParameter(
            "the table is for the terminal; to write a file, add --format csv or jsonl",
            param_hint="--output",
        )
    return fmt


# The files of a store in WAL mode, by the suffix of their name.
STORE_FILES = {
    "": "the event store",
    "-wal": "the event store's write-ahead log",
    "-shm": "the event store's shared-memory index",
}


def writable_output(text: str | None, store: Path) -> Path | None:
    """Refuse, before any work, an --output that cannot be right: empty, a folder, in a missing
    folder, or the event store itself (or its -wal or -shm file), which the report would
    replace. `-` is stdout (None)."""
    path = output_name(text, "--output")
    if is_stdout(path):
        return None
    if not path.parent.is_dir():
        raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint="--output")
    refuse_store(path, store, "--output")
    return path


def refuse_store(path: Path, store: Path, option: str) -> None:
    """An output naming the event store (or its -wal or -shm file) would destroy it."""
    for suffix, what in STORE_FILES.items():
        if same_file(path, Path(f"{store}{suffix}")):
            raise typer.BadParameter(
                f"{path} is {what} (--db {store}): writing there would destroy it; name "
                "another file",
                param_hint=option,
            )


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """The --output file to write (UTF-8, line ends as the writer makes them; gzipped if its
    name ends in .gz), or stdout.

    The file is written completely or not at all (contactexport/output.py). One that cannot be
    opened exits 2, before any work when the command opens it first; a write that fails later
    exits 1; both say `cannot write FILE: reason`.
    """
    if path is None:
        with writing("stdout"):
            yield sys.stdout
            sys.stdout.flush()
        return
    with writing(path), ExitStack() as stack:
        try:
            out = stack.enter_context(output_file(path, "w", newline="", encoding="utf-8"))
        except OSError as error:
            raise cannot_write(path, error, status=2) from None
        yield out


@contextmanager
def writing(name: Path | str) -> Iterator[None]:
    """An OSError while writing `name` (disk full, permission) ends the command with a message
    and exit 1, not a traceback. A reader that closed the pipe is _ends_cleanly's to handle."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise cannot_write(error.filename or name, error, status=1) from None


def cannot_write(name: Path | str, error: OSError, status: int) -> typer.Exit:
    say_cannot_write(name, error)
    return typer.Exit(status)
