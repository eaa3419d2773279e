"""Where the simulated events go: a JSONL file (gzip when it ends in .gz) or a binary stream.

The gzip header carries neither a file name nor a time, so the same seed gives the same
bytes whatever the file is called and whenever it is written.
"""

import errno
import gzip
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from contactexport.output import is_stdout, whole_file

BATCH = 4096  # lines per write call: fewer system calls, little memory


@contextmanager
def open_output(path: Path | None, stdout: BinaryIO) -> Iterator[BinaryIO]:
    """`path`, or `stdout` when it is None or `-`. A file is written completely or not at all
    (contactexport/output.py): an interrupted run leaves no cut-short log to ingest by mistake."""
    if is_stdout(path):
        yield stdout
        stdout.flush()
        return
    with whole_file(path, "wb") as raw:
        if not path.name.endswith(".gz"):
            yield raw
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zipped:
            yield zipped


def write_lines(lines: Iterable[bytes], out: BinaryIO) -> int:
    """Write newline-terminated lines in batches; returns how many."""
    count = 0
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH:
            _write_all(b"".join(batch), out)
            count += BATCH
            batch.clear()
    _write_all(b"".join(batch), out)
    return count + len(batch)


def _write_all(data: bytes, out: BinaryIO) -> None:
    """Write all of `data`, also to an unbuffered stream (stdout under `python -u` or
    PYTHONUNBUFFERED=1), which is the raw file and writes once: when the reader of a pipe
    leaves in the middle of a large write, the OS takes part of it and the stream reports a
    short count instead of the error. Writing the rest raises BrokenPipeError, as
    `simulate | head` needs. (A buffered stream writes the rest itself, and raises.)

    A non-blocking descriptor that takes nothing now reports None: that is an error here, not
    a count to retry forever."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if written is None:
            raise BlockingIOError(errno.EAGAIN, "the output takes no more now (non-blocking)")
        view = view[written:]
