"""A reader that stops early (`contactexport export | head`): a real pipe, so a real process."""

import subprocess
import sys

from conftest import FIXTURES

from contactexport.cli.app import CLOSED_PIPE_EXIT
from contactexport.ingest import ingest_files
from eventstore import EventStore


def test_a_closed_pipe_ends_the_command_quietly_with_the_shells_status():
    command = [sys.executable, "-m", "contactexport", "simulate", "--conversations", "3000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the table is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == CLOSED_PIPE_EXIT, stderr
