"""Options several commands share, parsed once: report time zone, as-of, dates, output.

Every option that takes a value names it with a metavar (ZONE, YYYY-MM-DD, N): typer's rich help
would otherwise label it with its Python type (`<str>`, `<int range>`)."""

import difflib
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.markup import escape

from contactexport.cli.app import err
from contactexport.columns import HEADERS
from contactexport.output import is_stdout, reason_of, same_file, whole_file
from contactexport.timestamps import parse_datetime, to_ms
from contactexport.vocabulary import CHANNELS

Zone = Annotated[
    str,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Report time zone (IANA name, e.g. America/New_York).",
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


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"unknown time zone {name!r}; use an IANA name such as UTC, Europe/Paris, "
            "America/New_York",
            param_hint="--tz",
        ) from None


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


FromDate = Annotated[
    str | None,
    typer.Option(
        "--from", metavar="YYYY-MM-DD", help="First day of Queued At, in --tz, inclusive."
    ),
]
ToDate = Annotated[
    str | None,
    typer.Option("--to", metavar="YYYY-MM-DD", help="Last day of Queued At (in --tz), inclusive."),
]
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


def parse_header(name: str, option: str) -> str:
    """A report column by its header name, any case; close matches suggested."""
    by_lower = {header.lower(): header for header in HEADERS}
    header = by_lower.get(name.lower()) or by_lower.get(name.lower().replace("-", "–"))
    if header:
        return header
    close = difflib.get_close_matches(name, HEADERS, n=3, cutoff=0.4)
    if close:
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?"
    else:
        hint = f"; columns are the report's headers: {', '.join(HEADERS)}"
    raise typer.BadParameter(f"no column {name!r}{hint}", param_hint=option)


class DurationStyle(StrEnum):
    seconds = "seconds"
    hms = "hms"


Durations = Annotated[
    DurationStyle,
    typer.Option(
        "--durations",
        metavar=one_of(DurationStyle),
        help="Raw seconds, or the UI's d:hh:mm:ss (hms).",
    ),
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
    try:
        template.format(customer_id="", conversation_id="", contact_id="")
    except (KeyError, IndexError, ValueError) as error:
        raise typer.BadParameter(
            f"{template!r} is not a usable template ({error}); the fields are {{customer_id}}, "
            "{conversation_id} and {contact_id}",
            param_hint="--link-template",
        ) from None
    return template


Output = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write here instead of stdout (- is stdout, as for simulate).",
        dir_okay=False,
    ),
]


# The files of a store in WAL mode, by the suffix of their name.
STORE_FILES = {
    "": "the event store",
    "-wal": "the event store's write-ahead log",
    "-shm": "the event store's shared-memory index",
}


def writable_output(path: Path | None, store: Path) -> Path | None:
    """Refuse, before any work, an --output that cannot be right: in a missing folder, or the
    event store itself (or its -wal or -shm file), which the report would replace. `-` is
    stdout (None)."""
    if is_stdout(path):
        return None
    if not path.parent.is_dir():
        raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint="--output")
    for suffix, what in STORE_FILES.items():
        if same_file(path, Path(f"{store}{suffix}")):
            raise typer.BadParameter(
                f"{path} is {what} (--db {store}): writing there would destroy it; name "
                "another file",
                param_hint="--output",
            )
    return path


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """The --output file to write (UTF-8, line ends as the writer makes them), or stdout.

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
            out = stack.enter_context(whole_file(path, "w", newline="", encoding="utf-8"))
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
    err.print(
        f"[red]error:[/] cannot write {escape(f'{name}: {reason_of(error)}')}", highlight=False
    )
    return typer.Exit(status)
