"""Writing the simulated events: JSONL lines in batches, all of each batch even to an
unbuffered stream. Where they go (stdout, or a file gzipped when its name ends in .gz) is
`output.output_file`'s job."""

import errno
from collections.abc import Iterable
from typing import BinaryIO

BATCH = 4096  # lines per write call: fewer system calls, little memory


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
