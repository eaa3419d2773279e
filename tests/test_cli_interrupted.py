"""Ctrl-C and failures mid-way: the store and the files being written keep nothing
half-done, what stdout was given is said to be incomplete, and the shell's status says so."""

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

import contactexport.cli.export as export_command
from contactexport.cli.app import INTERRUPTED_EXIT
from contactexport.output import whole_file
from contactexport.projector import TABLE
from eventstore import EventStore


def _rows(db) -> int:
    with EventStore(db) as store:
        return store.conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def test_an_interrupted_replay_keeps_nothing_and_says_so(loaded, monkeypatch):
    loaded("replay")
    before = _rows(loaded.db)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("contactexport.projector.project_streams", interrupted)
    result = loaded("replay", "--full")
    assert result.exit_code == INTERRUPTED_EXIT
    assert "interrupted: the store holds only whole transactions" in result.stderr
    assert _rows(loaded.db) == before  # the full rebuild's DROP was rolled back


@pytest.fixture
def report(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "report.csv"
    path.write_text("yesterday's report\n", encoding="utf-8")
    return path


def _half_written(stop: BaseException):
    def export_csv(conn, query, row_format, out):
        out.write("Queued At,...\n")
        raise stop

    return export_csv


def test_an_interrupted_export_leaves_no_truncated_file(loaded, report, monkeypatch):
    monkeypatch.setattr(export_command, "export_csv", _half_written(KeyboardInterrupt()))
    result = loaded("export", "-o", str(report))
    assert result.exit_code == INTERRUPTED_EXIT
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"
    assert [p.name for p in report.parent.iterdir()] == ["report.csv"]  # no partial file left


def test_an_interrupted_export_to_stdout_says_that_output_is_incomplete(loaded, monkeypatch):
    """`export > report.csv` keeps what it was given: the message must not claim otherwise."""
    monkeypatch.setattr(export_command, "export_csv", _half_written(KeyboardInterrupt()))
    result = loaded("export")
    assert result.exit_code == INTERRUPTED_EXIT
    assert result.stdout == "Queued At,...\n"
    assert "output already written to stdout is incomplete" in " ".join(result.stderr.split())


def test_an_export_that_fails_mid_way_says_so_and_leaves_no_truncated_file(
    loaded, report, monkeypatch
):
    """A message and exit 1 where there was a traceback (the OSError escaped the command)."""
    disk_full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(export_command, "export_csv", _half_written(disk_full))
    result = loaded("export", "-o", str(report))
    assert result.exit_code == 1
    assert f"error: cannot write {report}: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"
    assert [p.name for p in report.parent.iterdir()] == ["report.csv"]


def test_a_failed_rename_keeps_the_complete_output_and_says_where(loaded, report, monkeypatch):
    def refused(source, target):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("contactexport.output.os.replace", refused)
    result = loaded("export", "-o", str(report))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"error: cannot write {report}: Permission denied; the complete output is kept in" in (
        message
    )
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"
    (kept,) = (p for p in report.parent.iterdir() if p != report)
    assert str(kept) in message
    assert kept.read_text(encoding="utf-8").startswith("Queued At,")


def test_two_writers_of_one_file_at_once_never_share_a_temporary_file(tmp_path):
    """Two exports to the same -o at once: each writes its own hidden file, and the target is
    always one of them whole (with one fixed hidden name, each wrote into the other's)."""
    target = tmp_path / "report.csv"
    with whole_file(target) as first, whole_file(target) as second:
        first.write("first\n")
        second.write("second\n")
        hidden = sorted(p.name for p in tmp_path.iterdir())
        assert len(hidden) == 2 and all(name.startswith(".report.csv.") for name in hidden)
    assert target.read_text(encoding="utf-8") == "first\n"  # the last one to finish
    assert list(tmp_path.iterdir()) == [target]


def test_a_block_that_fails_removes_its_temporary_file_and_keeps_the_target(tmp_path):
    target = tmp_path / "events.jsonl"
    target.write_bytes(b"old\n")
    for stop in (KeyboardInterrupt(), OSError(errno.EIO, "Input/output error")):
        with pytest.raises(type(stop)), whole_file(target, "wb") as out:
            out.write(b"new, cut short")
            raise stop
        assert target.read_bytes() == b"old\n"
        assert list(tmp_path.iterdir()) == [target]


def test_the_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual(tmp_path):
    kept = tmp_path / "shared.csv"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    with whole_file(kept) as out:
        out.write("new\n")
    assert (kept.stat().st_mode & 0o777, kept.read_text(encoding="utf-8")) == (0o640, "new\n")
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "new.csv"
    with whole_file(new) as out:
        out.write("new\n")
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0o600


def test_a_write_protected_file_is_not_replaced(loaded, report, monkeypatch):
    """chmod a-w protects a finished report, as `open` would (root can write anything, so the
    permission is simulated)."""
    writable = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK and writable(p, mode))
    result = loaded("export", "-o", str(report))
    assert result.exit_code == 2
    assert f"cannot write {report}: Permission denied" in result.stderr
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"


def test_a_complete_export_replaces_the_file(loaded, report):
    assert loaded("export", "-o", str(report)).exit_code == 0
    assert report.read_text(encoding="utf-8").startswith("Queued At,")
    assert [p.name for p in report.parent.iterdir()] == ["report.csv"]


def test_a_terminated_run_unwinds_like_ctrl_c(tmp_path):
    """kill, timeout, CI cancelling a job: the hidden temporary file goes, nothing is left."""
    command = [sys.executable, "-m", "contactexport", "simulate", "-n", "200000",
               "-o", str(tmp_path / "events.jsonl.gz")]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the temporary file exists
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_the_content_is_on_disk_before_the_rename(tmp_path, monkeypatch):
    """Without an fsync, a power cut just after the rename can leave an empty file where the
    old report was: the rename reaches the disk before the data does."""
    target = tmp_path / "report.csv"
    calls = []
    real_replace = os.replace
    monkeypatch.setattr("contactexport.output.os.fsync", lambda fd: calls.append("fsync"))
    monkeypatch.setattr(
        "contactexport.output.os.replace",
        lambda *names: calls.append("replace") or real_replace(*names),
    )
    with whole_file(target) as out:
        out.write("rows\n")
    assert calls == ["fsync", "replace"]
    assert target.read_text(encoding="utf-8") == "rows\n"


def test_a_failed_fsync_is_a_write_error_that_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.csv"
    target.write_text("old\n", encoding="utf-8")

    def failing(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("contactexport.output.os.fsync", failing)
    with pytest.raises(OSError, match="Input/output error") as raised, whole_file(target) as out:
        out.write("new\n")
    assert raised.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [target]
