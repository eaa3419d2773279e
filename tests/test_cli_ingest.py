"""`contactexport ingest` end to end: invoke the command, then look in the database."""

import bz2
import gzip
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contactexport.cli import app
from eventstore.schema import SCHEMA_VERSION
from tests.test_ingest import event_line, event_lines, fed_fifo, write


@pytest.fixture
def db(tmp_path):
    return tmp_path / "store.db"


def ingest(db, *args, **kwargs):
    return CliRunner().invoke(app, ["--db", str(db), "ingest", *map(str, args)], **kwargs)


def stored(db, sql="SELECT count(*) FROM events"):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def stored_rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_good_events_are_stored_and_exit_0(db, tmp_path):
    result = ingest(db, write(tmp_path / "e.jsonl", event_lines(3)))
    assert result.exit_code == 0, result.output
    assert stored(db) == 3
    assert "accepted" in result.stderr and "duplicate" in result.stderr
    assert result.stdout == ""


def test_rejects_exit_1_are_listed_and_kept(db, tmp_path):
    lines = [
        event_line(1),
        b'{"id":"x","type":"CONTACT/STARTED","timestamp":"2026-11-02T08:00:00Z"}\n',
    ]
    path = write(tmp_path / "e.jsonl", [*lines, b"[1]\n", event_line(2)])
    result = ingest(db, path)
    assert result.exit_code == 1
    assert f"{path}:2: CONTACT/STARTED lacks content.contactId" in result.stderr
    assert f"{path}:3: a JSON array, not a JSON object" in result.stderr
    assert stored(db) == 2
    assert stored(db, "SELECT count(*) FROM rejects") == 2


def test_only_the_first_twenty_rejects_are_listed(db, tmp_path):
    path = write(tmp_path / "bad.jsonl", [b"null\n"] * 25)
    result = ingest(db, path)
    assert result.exit_code == 1
    assert result.stderr.count("JSON null, not a JSON object") == 20
    assert "… and 5 more rejects, all kept in the rejects table of" in result.stderr
    assert stored(db, "SELECT count(*) FROM rejects") == 25


def test_running_again_stores_nothing_new(db, tmp_path):
    path = write(tmp_path / "e.jsonl", event_lines(10))
    ingest(db, path)
    result = ingest(db, path)
    assert result.exit_code == 0
    assert stored(db) == 10
    assert stored(db, "SELECT max(position) FROM events") == 10


def test_several_files_stdin_and_gzip(db, tmp_path):
    packed = tmp_path / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(b"".join(event_lines(4, first=10))))
    plain = write(tmp_path / "a.jsonl", event_lines(3))
    piped = b"".join(event_lines(2, first=20))
    result = ingest(db, plain, packed, "-", input=piped)
    assert result.exit_code == 0, result.output
    assert stored(db) == 9
    assert stored(db, "SELECT count(*) FROM events WHERE source = '<stdin>'") == 2
    assert "total" in result.stderr


def test_unknown_types_are_named(db, tmp_path):
    unknown = b'{"id":"x1","type":"ROUTING/REQUEUED","timestamp":"2026-11-02T08:00:00Z"}\n'
    result = ingest(db, write(tmp_path / "e.jsonl", [unknown]))
    assert result.exit_code == 0
    assert "unknown types, archived all the same: ROUTING/REQUEUED (1)" in result.stderr


def test_a_missing_file_is_a_usage_error_before_anything_is_stored(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.jsonl", event_lines(3))
    result = ingest(db, "e.jsonl", "missing.jsonl")
    assert result.exit_code == 2
    assert "missing.jsonl: no such file" in result.stderr
    assert not db.exists()


def test_a_named_pipe_is_an_input(db, tmp_path):
    """`ingest <(zcat x.gz)` and mkfifo hand over a pipe, not a regular file."""
    data = gzip.compress(b"".join(event_lines(4)))
    with fed_fifo(tmp_path / "events.jsonl.gz", data) as pipe:
        result = ingest(db, pipe)
    assert result.exit_code == 0, result.output
    assert stored(db) == 4


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd")
def test_a_pipe_named_by_its_dev_fd_path_is_an_input(db):
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(event_lines(3)))
        os.close(write_end)
        result = ingest(db, f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.output
    assert stored(db) == 3


def test_a_directory_is_a_usage_error(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "events").mkdir()
    result = ingest(db, "events")
    assert result.exit_code == 2
    assert "events: is a directory" in result.stderr
    assert not db.exists()


def test_no_file_at_all_is_a_usage_error(db):
    assert ingest(db).exit_code == 2


def test_a_store_from_a_newer_version_exits_2(db, tmp_path):
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = ingest(db, write(tmp_path / "e.jsonl", event_lines(1)))
    assert result.exit_code == 2
    assert "newer" in result.stderr


def test_the_store_comes_from_the_environment(tmp_path):
    db = tmp_path / "env.db"
    path = write(tmp_path / "e.jsonl", event_lines(2))
    result = CliRunner().invoke(app, ["ingest", str(path)], env={"CONTACTEXPORT_DB": str(db)})
    assert result.exit_code == 0
    assert stored(db) == 2


def test_an_interrupted_ingest_says_how_to_resume(db, tmp_path, monkeypatch):
    import contactexport.cli.ingest as command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "ingest_files", interrupted)
    result = ingest(db, write(tmp_path / "e.jsonl", event_lines(3)))
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "run the same command again" in result.stderr


def test_a_long_input_name_is_shown_whole_off_a_terminal(db, tmp_path):
    deep = tmp_path / ("archive-" * 6) / "gladly-events-2026-11-02.jsonl"  # ~120 characters
    deep.parent.mkdir()
    result = ingest(db, write(deep, event_lines(2)))
    assert str(deep) in result.stderr


def test_lower_case_t_and_z_are_stored_at_the_same_moment(db, tmp_path):
    """RFC 3339 §5.6 allows them; a timestamp without offset is refused all the same."""
    upper = event_line(1)
    lower = event_line(2).replace(b"T08:", b"t08:").replace(b'Z"', b'z"')
    no_offset = event_line(3).replace(b"T08:", b"t08:").replace(b'Z"', b'"')
    assert b'"2026-11-02t08:00:00.002z"' in lower
    result = ingest(db, write(tmp_path / "e.jsonl", [upper, lower, no_offset]))
    assert result.exit_code == 1
    assert "timestamp '2026-11-02t08:00:00.003' has no UTC offset" in result.stderr
    times = dict(stored_rows(db, "SELECT event_id, time_ms FROM events"))
    assert set(times) == {"e1", "e2"}
    assert times["e2"] - times["e1"] == 1  # e2 is written 1 ms after e1, in lower case


def test_the_store_itself_is_refused_and_the_other_inputs_ingested(db, tmp_path):
    ingest(db, write(tmp_path / "a.jsonl", event_lines(3)))
    later = write(tmp_path / "b.jsonl", event_lines(2, first=10))
    result = ingest(db, db, later)
    assert result.exit_code == 2
    said = f"error: {db} is the event store (--db {db}), not JSONL events: nothing ingested from it"
    assert said in result.stderr
    assert (stored(db), stored(db, "SELECT count(*) FROM rejects")) == (5, 0)


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_the_stores_write_ahead_log_and_index_are_refused(db, tmp_path, suffix):
    ingest(db, write(tmp_path / "a.jsonl", event_lines(3)))
    with sqlite3.connect(db) as reader:  # an open reader keeps -wal and -shm in place
        reader.execute("SELECT count(*) FROM events").fetchone()
        result = ingest(db, f"{db}{suffix}")
    reader.close()
    assert result.exit_code == 2
    assert f"{db}{suffix} is the event store's " in result.stderr
    assert stored(db, "SELECT count(*) FROM rejects") == 0


def test_a_file_that_is_not_jsonl_text_is_refused_and_the_others_ingested(db, tmp_path):
    packed = tmp_path / "events.jsonl.bz2"
    packed.write_bytes(bz2.compress(b"".join(event_lines(5))))
    before = write(tmp_path / "a.jsonl", event_lines(2))
    after = write(tmp_path / "b.jsonl", event_lines(2, first=10))
    result = ingest(db, before, packed, after)
    assert result.exit_code == 2
    assert (
        f"error: {packed} looks like bzip2-compressed data, not JSONL events: nothing ingested "
        f"from it; to ingest it: bzip2 -dc {packed} | contactexport --db {db} ingest -"
    ) in result.stderr
    assert (stored(db), stored(db, "SELECT count(*) FROM rejects")) == (4, 0)
    assert str(before) in result.stderr and "total" in result.stderr


def test_another_sqlite_database_is_refused(db, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    result = ingest(db, other)
    assert result.exit_code == 2
    said = f"error: {other} looks like a SQLite database, not JSONL events: nothing ingested"
    assert said in result.stderr
    assert (stored(db), stored(db, "SELECT count(*) FROM rejects")) == (0, 0)


def test_the_hint_for_a_refused_gzip_unpacks_it_first(db, tmp_path):
    """What was refused is the content once gunzipped: iconv alone would read gzip bytes."""
    packed = tmp_path / "u16.jsonl.gz"
    packed.write_bytes(gzip.compress(b"".join(event_lines(2)).decode().encode("utf-16")))
    message = " ".join(ingest(db, packed).stderr.split())
    assert (
        f"{packed} once gunzipped looks like UTF-16 text (byte-order mark FF FE), not JSONL "
        f"events: nothing ingested from it; to ingest it: gzip -dc {packed} | iconv -f UTF-16 "
        f"-t UTF-8 | contactexport --db {db} ingest -"
    ) in message
