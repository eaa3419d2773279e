"""A reader that stops early (`contactexport export | head`): a real pipe, so a real process.

Every process runs with an unbuffered stdout (PYTHONUNBUFFERED=1, as `python -u`, and as many
containers and CI runners set it): only then is stdout the raw file, which reports part of a
large write as done when the reader leaves (and a text stream drops the rest without an
error). With normal buffering the BufferedWriter writes the rest itself and raises, so these
tests would pass whatever the command did, and not catch that bug coming back.
"""

import os
import shutil
import subprocess
import sys

from conftest import FIXTURES

from contactexport.cli.app import CLOSED_PIPE_EXIT
from contactexport.ingest import ingest_files
from contactexport.projector import catch_up
from eventstore import EventStore

BASH = shutil.which("bash") or "/bin/bash"
UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}


def _popen(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=UNBUFFERED)


def test_a_closed_pipe_ends_the_command_quietly_with_the_shells_status():
    command = [sys.executable, "-m", "contactexport", "simulate", "--conversations", "3000"]
    process = _popen(command)
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # what head does after its first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == CLOSED_PIPE_EXIT
    assert stderr == ""  # no traceback, and no "wrote ... events" nobody read


def test_a_table_printed_through_rich_also_ends_with_the_shells_status(tmp_path):
    """Rich handles a closed pipe itself (exit 1) unless the console hands it back."""
    db = tmp_path / "store.db"
    with EventStore(db) as store:
        ingest_files(store, [FIXTURES / "sample" / "events.jsonl"])
    command = [sys.executable, "-m", "contactexport", "--db", str(db), "summary", "--by", "day"]
    process = _popen(command)
    process.stdout.close()  # the reader is gone before the table is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == CLOSED_PIPE_EXIT, stderr


def _reader_leaves_after_one_line(command: list[str]) -> tuple[int, str]:
    process = _popen(command)
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    return process.wait(timeout=60), stderr


def test_output_a_little_larger_than_a_pipe_is_not_reported_as_written():
    """One write of a few hundred kB: the pipe takes 64 kB, the reader leaves, and the stream
    reported the rest as written; the command said 'wrote …' and exited 0."""
    command = [sys.executable, "-m", "contactexport", "simulate", "--conversations", "100"]
    assert _reader_leaves_after_one_line(command) == (CLOSED_PIPE_EXIT, "")


def test_an_export_a_little_larger_than_a_pipe_ends_with_the_shells_status(tmp_path):
    db = tmp_path / "store.db"
    events = tmp_path / "events.jsonl"
    simulate = [sys.executable, "-m", "contactexport", "simulate", "--conversations", "2000"]
    subprocess.run([*simulate, "-o", str(events)], check=True, capture_output=True, env=UNBUFFERED)
    with EventStore(db) as store:
        ingest_files(store, [events])
        catch_up(store)  # so that export starts writing at once
    # Through the shell, with head as the reader: what users run, and the timing that lost it.
    pipeline = f"'{sys.executable}' -m contactexport --db '{db}' export | head -2 >/dev/null"
    result = subprocess.run(
        [BASH, "-c", pipeline + "; echo ${PIPESTATUS[0]}"],
        capture_output=True,
        text=True,
        env=UNBUFFERED,
    )
    assert (result.stdout.strip(), result.stderr) == (str(CLOSED_PIPE_EXIT), "")
