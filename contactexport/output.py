"""Output files written completely or not at all: export and anomalies -o, simulate -o and
--truth, check --update's expected.csv.

A file is written under a unique hidden name beside the file it replaces and renamed over it
once complete, so a run that fails or is interrupted leaves the old file as it was, never a
truncated one that looks whole (an ingest would take a cut-short event log for a whole one
with a broken last line). Some targets cannot be replaced that way and are written in place,
without that protection: a FIFO or a device, a name under /dev or /proc (`-o /dev/stdout` is
the command's own stdout, wherever the shell sent it), and a file in a folder where no other
file can be made (read-only, or the name too long to take a hidden prefix and suffix).
The content reaches the disk before the rename, so that a power cut just after it cannot
leave an empty file where the old one was. `-` names stdout (`is_stdout`).

A name ending in .gz is written gzipped (`output_file`), with neither a file name nor a time
in the gzip header: the same content gives the same bytes whatever the file is called and
whenever it is written (`simulate --seed` promises the same bytes).
"""

import errno
import gzip
import io
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

# mkstemp failing for these means only that no file can be made beside the target (a read-only
# folder holding a writable file, a name too long to take a suffix): the target itself may
# still be writable. Any other error (disk full, no such folder) is the target's too.
_NO_ROOM_BESIDE = {errno.EACCES, errno.EPERM, errno.ENAMETOOLONG}

# Names of a descriptor the process already has open: written through that descriptor, as a
# shell redirection set it up (appending after `>>`, after what came before in `{ ...; } >`).
_DESCRIPTOR = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<own>\d+)")


@contextmanager
def whole_file(path: Path, mode: str = "w", **options: Any) -> Iterator[IO]:
    """`open(path, mode, **options)` ("w" or "wb"), whose content replaces the file only once
    the block ends without an error. Through a symlink the file it points to is replaced and
    the link stays. A replaced file keeps its permission bits; a new one gets the usual ones.

    Errors opening, closing or renaming name `path`; errors raised by the block's own writes
    are left as they are (the caller knows which output it was writing). If only the rename
    fails, the finished file is kept and the error says where.
    """
    real = Path(os.path.realpath(path))
    if real.is_file() and not os.access(real, os.W_OK):  # write-protected: as `open` refuses
        raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    made = None if _written_in_place(path, real) else _beside(real, path)
    if made is None:
        with _closed_after(_open_in_place(path, mode, options), path) as stream:
            yield stream
        return
    descriptor, temporary = made
    try:
        _set_mode(temporary, real)
        with _closed_after(os.fdopen(descriptor, mode, **options), path) as stream:
            yield stream
            _to_disk(stream, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    try:
        os.replace(temporary, real)
    except OSError as error:
        kept = f"{reason_of(error)}; the complete output is kept in {temporary}"
        raise OSError(error.errno, kept, str(path)) from None


@contextmanager
def output_file(path: Path, mode: str = "w", **options: Any) -> Iterator[IO]:
    """`whole_file(path, mode, **options)`, gzipped when the name ends in .gz (any case)."""
    if not path.name.lower().endswith(".gz"):
        with whole_file(path, mode, **options) as stream:
            yield stream
        return
    with whole_file(path, "wb") as raw:
        zipped = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        stream = zipped if "b" in mode else io.TextIOWrapper(zipped, **options)
        with _closed_after(stream, path):  # closing writes the gzip trailer into `raw`
            yield stream


def is_stdout(path: Path | None) -> bool:
    """No output file, or `-`: the command writes to stdout."""
    return path is None or str(path) == "-"


def same_file(a: Path, b: Path) -> bool:
    """Whether two names reach one file, through symlinks or hard links, or would (once made)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _written_in_place(path: Path, real: Path) -> bool:
    if any(_under_dev_or_proc(name) for name in (os.path.abspath(path), str(real))):
        return True
    try:
        return not stat.S_ISREG(os.stat(real).st_mode)
    except FileNotFoundError:
        return False


def _under_dev_or_proc(name: str) -> bool:
    return name.startswith(("/dev/", "/proc/"))


def _beside(real: Path, path: Path) -> tuple[int, str] | None:
    """A new hidden file in the target's folder, unique so that two runs writing the same
    target at once cannot write into each other's; None when the folder takes no new file."""
    try:
        return tempfile.mkstemp(prefix=f".{real.name}.", suffix=".partial", dir=real.parent)
    except OSError as error:
        if error.errno in _NO_ROOM_BESIDE:
            return None
        raise _named(error, path) from None


def _set_mode(temporary: str, real: Path) -> None:
    """mkstemp makes a file only its owner can read: give it the replaced file's bits, or
    those `open` would give a new file."""
    if real.exists():
        shutil.copymode(real, temporary)
        return
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)


def _open_in_place(path: Path, mode: str, options: dict[str, Any]) -> IO:
    name = os.path.abspath(path)
    try:
        if alias := _DESCRIPTOR.fullmatch(name):
            descriptor = int(alias["fd"] or alias["own"] or (1 if alias["std"] == "out" else 2))
            return os.fdopen(os.dup(descriptor), mode, **options)
        return open(path, mode, **options)
    except OSError as error:
        raise _named(error, path) from None


@contextmanager
def _closed_after(stream: IO, path: Path) -> Iterator[IO]:
    """Close `stream` after the block. When the block failed, its error is the one to report,
    not a second one from flushing what it left buffered."""
    try:
        yield stream
    except BaseException:
        with suppress(OSError):
            stream.close()
        raise
    try:
        stream.close()
    except OSError as error:
        raise _named(error, path) from None


def _to_disk(stream: IO, path: Path) -> None:
    try:
        stream.flush()
        os.fsync(stream.fileno())
    except OSError as error:
        raise _named(error, path) from None


def _named(error: OSError, path: Path) -> OSError:
    """The error as the user would name the file, not by a hidden or resolved name."""
    return OSError(error.errno, reason_of(error), str(path))


def reason_of(error: OSError) -> str:
    """What went wrong, as `cannot write FILE: reason` says it."""
    return error.strerror or str(error)
