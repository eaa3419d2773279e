"""Ingest: JSONL event files -> validated events -> the store, streamed, in batched transactions.

Input is read in fixed-size chunks and split into lines, so memory stays flat however large a
file or a line is. Each batch (its events and its rejects together) is one transaction: a run
killed half-way leaves whole batches behind, and running it again stores only the rest, since
appends are idempotent and a reject recorded twice is kept once.
"""

import errno
import gzip
import io
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from contactexport.validation import (
    MAX_LINE_BYTES,
    BlankLine,
    InvalidEvent,
    OversizedLine,
    to_event,
)
from contactexport.vocabulary import KNOWN_TYPES
from eventstore import EventStore, Reject

STDIN: Final = "-"
STDIN_SOURCE: Final = "<stdin>"
# One transaction per batch: large enough that commits are cheap (each rewrites every index page
# it touched, and on a big store random event IDs touch about a page per event: 80k measured
# 20-30% faster than 40k on a 5M-event store, 2-11% on a fresh one), small enough that a crash
# loses little work and peak RSS stays ~175 MB; the byte cap bounds memory when lines are large.
BATCH_EVENTS: Final = 80_000
BATCH_BYTES: Final = 32 << 20
CHUNK_BYTES: Final = 1 << 20
# What is kept of an oversized line: enough to recognise it in the source file.
OVERSIZED_KEPT_BYTES: Final = 64 << 10
REJECT_SAMPLE: Final = 20
# Distinct unknown types listed by name; more are only counted.
UNKNOWN_TYPES_NAMED: Final = 50

_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
# How an input that is not JSONL text begins (after gunzip, for gzip), what it then is, and the
# command that turns it into JSONL. UTF-32 LE before UTF-16 LE: its mark starts with FF FE.
_NOT_JSONL: Final = (
    (b"SQLite format 3\x00", "a SQLite database", None),
    (b"BZh", "bzip2-compressed data", "bzip2 -dc"),
    (b"\xfd7zXZ\x00", "xz-compressed data", "xz -dc"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data", "zstd -dc"),
    (b"PK\x03\x04", "a zip archive", "unzip -p"),
    (b"\xff\xfe\x00\x00", "UTF-32 text (byte-order mark FF FE 00 00)", "iconv -f UTF-32 -t UTF-8"),
    (b"\x00\x00\xfe\xff", "UTF-32 text (byte-order mark 00 00 FE FF)", "iconv -f UTF-32 -t UTF-8"),
    (b"\xff\xfe", "UTF-16 text (byte-order mark FF FE)", "iconv -f UTF-16 -t UTF-8"),
    (b"\xfe\xff", "UTF-16 text (byte-order mark FE FF)", "iconv -f UTF-16 -t UTF-8"),
)
# JSON text never holds a NUL byte, while binary data and UTF-16 without a byte-order mark are
# full of them (UTF-16 every other byte). Only NULs that dense refuse an input: one corrupt
# line is a reject like any other, and must not cost the good lines around it.
_NUL_WITHIN: Final = 4096
_NUL_SHARE: Final = 8  # at least one byte in 8

ProgressCallback = Callable[[int], None]
Line = bytes | OversizedLine


@dataclass
class SourceCounts:
    """What became of one input's lines. accepted + duplicates + rejected = non-blank lines."""

    source: str
    lines: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    unknown_type: int = 0


COUNTS: Final = ("lines", "accepted", "duplicates", "rejected", "unknown_type")


@dataclass(frozen=True)
class RefusedInput:
    """An input none of whose lines were read: it is clearly not JSONL text. Its lines would
    only become rejects, kept for ever in the append-only store.

    `why` completes "FILE ...": "looks like a zip archive"; `convert`, when known, is the
    command that writes it as JSONL to stdout ("unzip -p").
    """

    source: str
    why: str
    convert: str | None = None
    gzipped: bool = False  # what `why` describes is the content once gunzipped


@dataclass
class IngestReport:
    sources: list[SourceCounts] = field(default_factory=list)
    first_rejects: list[Reject] = field(default_factory=list)
    unknown_types: Counter[str] = field(default_factory=Counter)
    refused: list[RefusedInput] = field(default_factory=list)

    @property
    def total(self) -> SourceCounts:
        total = SourceCounts("total")
        for counts in self.sources:
            for name in COUNTS:
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.sources)


class BrokenInput(Exception):
    """An input that stopped making sense half-way (a truncated or corrupt gzip stream).
    `partial` is the start of the line it broke in, kept with the reject."""

    partial: bytes = b""


class NotJsonl(Exception):
    """An input whose first bytes show it is not JSONL text; args are RefusedInput's why and
    convert."""


def ingest_files(
    store: EventStore,
    paths: Iterable[str | Path],
    *,
    batch_events: int = BATCH_EVENTS,
    on_progress: ProgressCallback | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest `.jsonl` / `.jsonl.gz` files (gzip is recognised by content); `-` is stdin.

    An input that is clearly something else (a database, another compression, UTF-16) is
    refused whole, from its first bytes, and listed in `report.refused`; the others go on.
    `on_progress` is called with the number of input bytes consumed: of the file as stored
    (compressed, for gzip), or as read from a pipe or stdin, whose size is not known.
    """
    report = report if report is not None else IngestReport()
    with store.background_commits():
        for path in paths:
            with _open(path) as (stream, source, position):
                chunks = _chunks(_blocks(stream, position, on_progress))
                try:
                    _ingest_chunks(store, chunks, source, report, batch_events)
                except NotJsonl as refusal:
                    gzipped = isinstance(stream, gzip.GzipFile)
                    report.refused.append(RefusedInput(source, *refusal.args, gzipped=gzipped))
    return report


def ingest_lines(
    store: EventStore,
    lines: Iterable[bytes | str],
    source: str = "<lines>",
    *,
    batch_events: int = BATCH_EVENTS,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest lines already in hand (with or without their newline), e.g. from a test."""
    report = report if report is not None else IngestReport()
    with store.background_commits():
        _ingest_chunks(store, _chunked(lines), source, report, batch_events)
    return report


def input_size(path: str | Path) -> int | None:
    """Bytes a progress bar can count to; None for stdin, a pipe or a device."""
    if str(path) == STDIN:
        return None
    status = Path(path).stat()
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _ingest_chunks(
    store: EventStore,
    chunks: Iterable[list[Line]],
    source: str,
    report: IngestReport,
    batch_events: int,
) -> None:
    """The hot loop: per line one call to `to_event`, per batch one transaction. The input
    counts in the report once its first bytes passed (NotJsonl is raised before any line)."""
    counts = SourceCounts(source)
    batch: list[tuple] = []
    rejects: list[Reject] = []
    pending_bytes = 0
    line_no = 0
    add = batch.append
    try:
        for lines in chunks:
            first = line_no + 1
            for line_no, line in enumerate(lines, first):
                try:
                    add(to_event(line, source, line_no))
                except BlankLine:
                    pass
                except InvalidEvent as error:
                    rejects.append(Reject(source, line_no, _raw(line), str(error)))
            pending_bytes += sum(map(len, lines))
            if len(batch) >= batch_events or pending_bytes >= BATCH_BYTES:
                _flush(store, batch, rejects, counts, report)
                pending_bytes = 0
    except BrokenInput as error:
        reason = f"{error} (after line {line_no})"
        rejects.append(Reject(source, line_no + 1, _raw(error.partial), reason))
    _flush(store, batch, rejects, counts, report)
    counts.lines = line_no
    report.sources.append(counts)


def _flush(
    store: EventStore,
    batch: list[tuple],
    rejects: list[Reject],
    counts: SourceCounts,
    report: IngestReport,
) -> None:
    """Store one batch of events with the rejects of the same lines, in one transaction.

    `append` keeps the batch's rejects with its conflicts (ids stored with other content), in
    the order of their lines.
    """
    if not batch and not rejects:
        return
    with store.transaction():
        result = store.append(batch, rejects)
        if result.accepted == len(batch):
            stored_types = [event[2] for event in batch]
        else:  # only what was stored counts: the positions it took are the last ones
            stored_types = store.types_after(store.head() - result.accepted)
    counts.accepted += result.accepted
    counts.duplicates += result.duplicates
    counts.rejected += len(rejects) + len(result.conflicts)
    _count_unknown_types(stored_types, counts, report.unknown_types)
    room = REJECT_SAMPLE - len(report.first_rejects)
    if room > 0:
        in_line_order = sorted(rejects + result.conflicts, key=lambda reject: reject.line)
        report.first_rejects.extend(in_line_order[:room])
    batch.clear()
    rejects.clear()


def _count_unknown_types(types: list[str], counts: SourceCounts, named: Counter[str]) -> None:
    unknown = [event_type for event_type in types if event_type not in KNOWN_TYPES]
    counts.unknown_type += len(unknown)
    for event_type in unknown:
        if event_type in named or len(named) < UNKNOWN_TYPES_NAMED:
            named[event_type] += 1


def _raw(line: Line) -> bytes | str:
    """A rejected line as it will be kept: text when it is UTF-8, else the bytes."""
    if isinstance(line, OversizedLine):
        return line.head
    try:
        return line.decode()
    except UnicodeDecodeError:
        return line


@contextmanager
def _open(path: str | Path) -> Iterator[tuple[BinaryIO, str, Callable[[], int] | None]]:
    """The input as a binary stream (gunzipped when it is gzip), its name, its read position
    (None when it has none: stdin, a pipe)."""
    opened = str(path) != STDIN
    if opened:
        raw = open(path, "rb")  # noqa: SIM115 (closed below)
        source = str(path)
    else:
        source = STDIN_SOURCE
        if sys.stdin is None:  # the shell closed it (`<&-`)
            raise OSError(errno.EBADF, "stdin is closed", source)
        raw = sys.stdin.buffer
        if not hasattr(raw, "peek"):
            raw = io.BufferedReader(raw)
    position = raw.tell if raw.seekable() else None
    stream = raw
    try:
        try:
            head = raw.peek(2)[:2]
        except OSError as error:  # stdin open for writing only, say: name what failed
            raise OSError(error.errno, error.strerror, source) from error
        if head == _GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        yield stream, source, position
    finally:
        if opened:
            raw.close()


def _blocks(
    stream: BinaryIO,
    position: Callable[[], int] | None,
    on_progress: ProgressCallback | None,
) -> Iterator[bytes]:
    """The stream in CHUNK_BYTES pieces, a leading UTF-8 byte-order mark dropped; NotJsonl
    before the first when its first bytes are not JSONL text."""
    done = 0
    block = _read(stream)
    _check_first_bytes(block)
    block = block.removeprefix(_UTF8_BOM)
    while block:
        if on_progress is not None:
            now = position() if position is not None else done + len(block)
            on_progress(now - done)
            done = now
        yield block
        block = _read(stream)


def _check_first_bytes(head: bytes) -> None:
    for magic, what, convert in _NOT_JSONL:
        if head.startswith(magic):
            raise NotJsonl(f"looks like {what}", convert)
    start = head[:_NUL_WITHIN]
    nuls = start.count(b"\x00")
    if nuls and nuls * _NUL_SHARE >= len(start):
        raise NotJsonl(
            "looks like binary data or UTF-16 text without a byte-order mark "
            f"({nuls:,} of its first {len(start):,} bytes are NUL)"
        )


def _read(stream: BinaryIO) -> bytes:
    """The next block. read1 returns what one underlying read gives, so a truncated .gz
    yields every line decompressed before the break instead of losing the whole block."""
    try:
        return stream.read1(CHUNK_BYTES)
    except (OSError, EOFError, zlib.error) as error:
        raise BrokenInput(f"input unreadable: {error}") from None


def _chunks(blocks: Iterable[bytes]) -> Iterator[list[Line]]:
    """The lines of the blocks, without terminators, a block's worth at a time.

    A line over MAX_LINE_BYTES is never held whole: its head is kept and the rest skipped to
    the next newline, then it is handed on as an OversizedLine.
    """
    carry = b""
    skipped = -1  # > -1 while skipping the tail of an oversized line: its size so far
    head = b""
    blocks = iter(blocks)
    while True:
        try:
            block = next(blocks, None)
        except BrokenInput as error:
            error.partial = head if skipped >= 0 else carry
            raise
        if block is None:
            break
        chunk = block
        if skipped >= 0:
            end = chunk.find(b"\n")
            if end < 0:
                skipped += len(chunk)
                continue
            yield [OversizedLine(head, skipped + end)]
            skipped = -1
            chunk = chunk[end + 1 :]
        data = carry + chunk if carry else chunk
        lines = data.split(b"\n")
        carry = lines.pop()
        if len(carry) > MAX_LINE_BYTES:
            head, skipped, carry = carry[:OVERSIZED_KEPT_BYTES], len(carry), b""
        yield _tidy(lines, b"\r" in data)
    if skipped >= 0:
        yield [OversizedLine(head, skipped)]
    elif carry:
        yield _tidy([carry], b"\r" in carry)


def _tidy(lines: list[bytes], has_cr: bool) -> list[Line]:
    """Drop the CR of CRLF line ends; stand in for lines over the limit."""
    if has_cr:
        lines = [line.rstrip(b"\r") for line in lines]
    if lines and max(map(len, lines)) > MAX_LINE_BYTES:
        lines = [
            OversizedLine(line[:OVERSIZED_KEPT_BYTES], len(line))
            if len(line) > MAX_LINE_BYTES
            else line
            for line in lines
        ]
    return lines


def _chunked(lines: Iterable[bytes | str], size: int = 1024) -> Iterator[list[Line]]:
    chunk: list[bytes] = []
    for line in lines:
        data = line.encode() if isinstance(line, str) else line
        chunk.append(data.removesuffix(b"\n"))
        if len(chunk) >= size:
            yield _tidy(chunk, True)
            chunk = []
    if chunk:
        yield _tidy(chunk, True)
