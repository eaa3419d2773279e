"""A reader that stops early (`contactexport export | head`): a real pipe, so a real process."""

import subprocess
import sys

from contactexport.cli.app import CLOSED_PIPE_EXIT


def test_a_closed_pipe_ends_the_command_quietly_with_the_shells_status():
    command = [sys.executable, "-m", "contactexport", "simulate", "--conversations", "3000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # what head does after its first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == CLOSED_PIPE_EXIT
    assert stderr == ""  # no traceback, and no "wrote ... events" nobody read
