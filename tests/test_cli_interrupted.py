"""Ctrl-C and failures mid-way: the store and the files being written keep nothing
half-done, what stdout was given is said to be incomplete, and the shell's status says so."""

import pytest

import contactexport.cli.export as export_command
from contactexport.cli.app import INTERRUPTED_EXIT
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


def test_an_export_that_fails_mid_way_leaves_no_truncated_file(loaded, report, monkeypatch):
    monkeypatch.setattr(export_command, "export_csv", _half_written(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        loaded("export", "-o", str(report))
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"
    assert [p.name for p in report.parent.iterdir()] == ["report.csv"]


def test_a_complete_export_replaces_the_file(loaded, report):
    assert loaded("export", "-o", str(report)).exit_code == 0
    assert report.read_text(encoding="utf-8").startswith("Queued At,")
    assert [p.name for p in report.parent.iterdir()] == ["report.csv"]
