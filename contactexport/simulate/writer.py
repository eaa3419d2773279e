"""Where the simulated events go: a JSONL file (gzip when it ends in .gz) or a binary stream.

The gzip header carries neither a file name nor a time, so the same seed gives the same
bytes whatever the file is called and whenever it is written.
"""

import gzip
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

BATCH = 4096  # lines per write call: fewer system calls, little memory


@contextmanager
def open_output(path: Path | None, stdout: BinaryIO) -> Iterator[BinaryIO]:
    """`path`, or `stdout` when it is None or `-`. A file is written under a hidden name and
    renamed once complete: an interrupted run leaves no cut-short file to ingest by mistake."""
    if path is None or str(path) == "-":
        yield stdout
        stdout.flush()
        return
    in_place = path.exists() and not path.is_file()  # a FIFO or a device
    target = path if in_place else path.with_name(f".{path.name}.partial")
    try:
        with ExitStack() as stack:
            try:
                raw = stack.enter_context(target.open("wb"))
            except OSError as error:  # named as the user wrote it, not by its hidden name
                raise OSError(error.errno, error.strerror, str(path)) from None
            if path.name.endswith(".gz"):
                zipped = gzip.GzipFile(
                    filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
                )
                yield stack.enter_context(zipped)
            else:
                yield raw
        if not in_place:
            target.replace(path)
    finally:
        if not in_place:
            target.unlink(missing_ok=True)


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
    """When the reader of a pipe leaves in the middle of a large write, the OS takes part of it
    and the stream reports a short count instead of the error; writing the rest raises
    BrokenPipeError, as `simulate | head` needs."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) :]
