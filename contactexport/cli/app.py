"""The typer application and what every command shares: the store path and the stderr console."""

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup

from contactexport.output import reason_of

if TYPE_CHECKING:
    from eventstore import EventStore


def flowing(text: str) -> str:
    """Each paragraph of a (dedented) help text on one line, for the terminal to wrap. Rich help
    keeps the line breaks of every paragraph after the first, so a docstring wrapped at the
    source's width would break its sentences there."""
    return "\n\n".join(paragraph.replace("\n", " ") for paragraph in text.split("\n\n"))


def _no_type(ctx) -> None:
    return None


class _HelpLayout:
    """What typer's rich help needs to read cleanly. It prints a type beside a flag unless the flag
    declares an empty metavar (`--help <bool>`), and beside an argument whatever its metavar
    (`CONTACT_ID <str>`): neither is shown. The docstring's paragraphs flow."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = flowing(self.help)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                param.display_type_rich = _no_type

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class Group(_HelpLayout, TyperGroup):
    pass


class Command(_HelpLayout, TyperCommand):
    pass


# What a shell reports for a program stopped by SIGPIPE (128 + 13), as `cat big | head` does,
# and by SIGINT (128 + 2).
CLOSED_PIPE_EXIT = 141
INTERRUPTED_EXIT = 130
# What Ctrl-C leaves, for every command but ingest (whose committed batches stay): the store
# changes only by whole transactions and files replace the old ones only once complete, but
# stdout cannot take back what it was given (`export > report.csv` keeps a cut-short report).
INTERRUPTED = (
    "interrupted: the store holds only whole transactions and the files being written (-o, "
    "--truth, expected.csv) are left as they were, but output already written to stdout is "
    "incomplete; run the same command again"
)


def _ends_cleanly(command: Callable) -> Callable:
    """`contactexport export | head`: once the reader has gone, stop at once and quietly, with
    the shell's usual status for it, instead of click's exit 1 (which means "found a problem")
    or a count of rows nobody read. Ctrl-C says what became of the work, with the shell's
    status too (ingest says its own: its committed batches stay)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            if sys.stdout is not None:  # None when the shell closed it (`>&-`)
                sys.stdout.flush()  # a full disk shows here, not as an error at exit
            return result
        except BrokenPipeError:
            _stdout_to_nowhere()
            raise typer.Exit(CLOSED_PIPE_EXIT) from None
        except KeyboardInterrupt:
            err.print(INTERRUPTED, highlight=False)
            raise typer.Exit(INTERRUPTED_EXIT) from None
        except StdoutError as error:
            say_stdout_failed(error)
            raise typer.Exit(1) from None

    return run


class StdoutError(OSError):
    """Writing stdout failed (`diagram > /dev/full`). Raised by `TaggedStdout`, so that it is
    told apart from every other OSError that names no file (stdin, a fork, stderr)."""


class TaggedStdout:
    """sys.stdout, whose write errors are raised as StdoutError; a reader that left (a closed
    pipe) stays a BrokenPipeError, for `_ends_cleanly`. Everything else is the stream's own,
    `buffer` included: binary writes (simulate's) are reported by `options.writing`."""

    def __init__(self, stream: "TextIO") -> None:
        self._stream = stream

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        return _tagged(self._stream.write, text)

    def writelines(self, lines) -> None:
        _tagged(self._stream.writelines, lines)

    def flush(self) -> None:
        _tagged(self._stream.flush)


class ClosedStdout:
    """What a shell's `>&-` leaves, where Python's sys.stdout is None and a command writing
    to it would fail with AttributeError: a stream whose writes fail as writes to a closed
    descriptor do, so that only commands with something to say on stdout fail, and say why."""

    encoding = "utf-8"

    @property
    def buffer(self) -> "ClosedStdout":  # binary writes go nowhere either
        return self

    def write(self, data: str | bytes) -> int:
        if data:  # click probes a binary stream with an empty write
            raise OSError(errno.EBADF, "stdout is closed")
        return 0

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


def _tagged(call: Callable, *args):
    try:
        return call(*args)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutError(error.errno, error.strerror) from error


def say_stdout_failed(error: OSError) -> None:
    """`cannot write stdout: reason`, once stdout goes nowhere (Python flushes it on the way
    out); stderr failing too is past telling."""
    _stdout_to_nowhere()
    with contextlib.suppress(OSError):
        say_cannot_write("stdout", error)


def say_cannot_write(name: Path | str, error: OSError) -> None:
    """`error: cannot write FILE: reason`, the one wording of every output that failed."""
    err.print(
        f"[red]error:[/] cannot write {escape(f'{name}: {reason_of(error)}')}", highlight=False
    )


def _stdout_to_nowhere() -> None:
    """Python flushes stdout once more on the way out: let that go nowhere."""
    if sys.stdout is None:
        return
    with contextlib.suppress(OSError):  # ClosedStdout has no descriptor to point elsewhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class App(typer.Typer):
    """Every command registered on `app` is a `Command` unless it names another class, and
    stops quietly when its reader closes the pipe."""

    def command(self, *args, cls=None, **kwargs):
        register = super().command(*args, cls=cls or Command, **kwargs)
        return lambda function: register(_ends_cleanly(function))


app = App(
    name="contactexport",
    cls=Group,
    help="Archive Gladly events in an append-only SQLite store and rebuild the Contact Export.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich would exit 1 here; the command's closed-pipe handling decides instead."""
        self.quiet = True
        raise BrokenPipeError


# Progress, summaries and error messages go to stderr so stdout stays pipeable; in a log (not a
# terminal) tables keep long file names whole rather than at 80 columns.
err = _Console(stderr=True, soft_wrap=True, width=None if Console(stderr=True).is_terminal else 200)
# Tables that are a command's output go to stdout; piped, they keep a readable width.
out = _Console(highlight=False, width=None if Console().is_terminal else 200)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"contactexport {metadata.version('contactexport')}")
        raise typer.Exit()


def _store_option(where: str, **settings):
    """--db, in its two places: before the command, where the environment and the default
    apply, and after it (StorePath), where it overrides them."""
    return typer.Option(
        "--db",
        metavar="FILE",
        dir_okay=False,
        help=f"SQLite event store{where}; ingest creates it, the other commands need it to exist.",
        **settings,
    )


def _store_after_command(ctx: typer.Context, path: Path | None) -> None:
    """The command's own context takes its --db; otherwise it holds the one from before."""
    if path is not None:
        ctx.obj = path


# `contactexport export --db x.db` as well as `contactexport --db x.db export`: every command
# that opens the store declares `db: StorePath = None` and never reads it, since the callback
# puts it where open_store and db_path look. Given in both places, the one after wins.
StorePath = Annotated[
    Path | None,
    _store_option(
        " (here or before the command; else CONTACTEXPORT_DB, else contactexport.db)",
        callback=_store_after_command,
        expose_value=False,
    ),
]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path, _store_option(" (here or after the command)", envvar="CONTACTEXPORT_DB")
    ] = Path("contactexport.db"),
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            metavar="",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    ctx.obj = db
    for stop in (signal.SIGTERM, signal.SIGHUP):  # kill, timeout, a closed terminal, CI cancel
        signal.signal(stop, _end_on_signal)


def _end_on_signal(number: int, frame: object) -> None:
    """End like Ctrl-C does, unwinding: a transaction rolls back and an output file being
    written leaves no hidden temporary behind. Exit status 128 + the signal, as a shell says."""
    raise SystemExit(128 + number)


def many(count: int, noun: str) -> str:
    """'1 contact', '2,000 contacts', '3 anomalies'."""
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count:,} {noun if count == 1 else plural}"


def db_path(ctx: typer.Context) -> Path:
    """The store a command works on: its --db, else the one before it (click hands the root's
    context object down to the command's context)."""
    return ctx.obj


def open_store(ctx: typer.Context, *, create: bool = False) -> "EventStore":
    """The store named by --db, or exit 2 with the reason when it cannot be opened.

    Only `create` (ingest) makes a new one: for any other command a missing file is a mistyped
    --db, and an empty store created there would answer every question with nothing.
    """
    from eventstore import EventStore, StoreError

    path = db_path(ctx)
    if not create and _no_store_at(path):
        if path.exists():
            problem = f"{escape(str(path))} is an empty file, not an event store"
        else:
            problem = f"no event store at {escape(str(path))}"
        err.print(
            f"[red]error:[/] {problem}: ingest events first, or pass --db / CONTACTEXPORT_DB",
            highlight=False,
        )
        raise typer.Exit(2)
    try:
        return EventStore(path)
    except StoreError as error:
        err.print(f"[red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _no_store_at(path: Path) -> bool:
    """Nothing there, or an empty file (`touch`) with no write-ahead log holding a store."""
    if not path.exists():
        return True
    return path.is_file() and path.stat().st_size == 0 and not Path(f"{path}-wal").exists()
