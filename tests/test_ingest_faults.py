"""Nothing lost under faults: a killed ingest, two ingests at once, inputs larger than memory.

Each test runs ingest in its own process, as a user would, and then inspects the store.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contactexport.ingest import ingest_files
from eventstore import EventStore
from tests.test_ingest import event_lines, write

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]


def ingest_command(db: Path, *files: Path) -> list[str]:
    names = [str(f) for f in files]
    return [
        sys.executable,
        "-m",
        "contactexport",
        "--db",
        str(db),
        "ingest",
        "--no-progress",
        *names,
    ]


def assert_consistent(db: Path, expected_ids: set[str]) -> None:
    """The file is sound and holds every expected event exactly once, at positions 1..N."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        count, distinct, top = conn.execute(
            "SELECT count(*), count(DISTINCT event_id), max(position) FROM events"
        ).fetchone()
        ids = {event_id for (event_id,) in conn.execute("SELECT event_id FROM events")}
    assert count == distinct == top == len(expected_ids)
    assert ids == expected_ids


def test_a_killed_ingest_run_again_ends_with_every_event_once(tmp_path):
    total = 200_000
    source = write(tmp_path / "big.jsonl", event_lines(total))
    db = tmp_path / "store.db"
    child = subprocess.Popen(ingest_command(db, source), cwd=ROOT, stderr=subprocess.PIPE)
    stored_at_kill = _wait_for_first_commit(db, child)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert 0 < stored_at_kill < total, "the ingest finished before the kill: use a larger input"

    with EventStore(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        report = ingest_files(store, [source]).total
    assert report.accepted + report.duplicates == total and report.rejected == 0
    assert report.duplicates >= stored_at_kill
    assert_consistent(db, {f"e{n}" for n in range(total)})


def _wait_for_first_commit(db: Path, child: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read().decode()
        if db.exists():
            try:
                with EventStore(db, readonly=True) as store:
                    if stored := store.count():
                        return stored
            except Exception:  # the store is still being created
                pass
        time.sleep(0.02)
    raise AssertionError("no batch was committed in time")


def test_two_ingests_at_once_lose_and_double_nothing(tmp_path):
    """Overlapping inputs into one store: both finish, the overlap is stored once."""
    first = write(tmp_path / "a.jsonl", event_lines(80_000))
    second = write(tmp_path / "b.jsonl", event_lines(80_000, first=50_000))
    db = tmp_path / "store.db"
    EventStore(db).close()
    children = [
        subprocess.Popen(ingest_command(db, path), cwd=ROOT, stderr=subprocess.PIPE)
        for path in (first, second)
    ]
    for child in children:
        _, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors.decode()
    assert_consistent(db, {f"e{n}" for n in range(130_000)})


# VmHWM, not getrusage: ru_maxrss survives exec, so it would report the parent's peak.
PEAK_RSS = """
import sys
from contactexport.ingest import ingest_files
from eventstore import EventStore
with EventStore(sys.argv[1]) as store:
    store.conn.execute("PRAGMA cache_size = -2000")  # measure the input path, not SQLite's cache
    ingest_files(store, [sys.argv[2]], batch_events=2_000)
status = open("/proc/self/status").read()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""


def _peak_rss_kib(tmp_path: Path, source: Path) -> int:
    db = tmp_path / f"{source.stem}.db"
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(db), str(source)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return int(done.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_does_not_grow_with_the_input(tmp_path):
    small = write(tmp_path / "small.jsonl", event_lines(15_000))
    large = write(tmp_path / "large.jsonl", event_lines(150_000))
    assert large.stat().st_size > 40 * 1024 * 1024
    growth_mib = (_peak_rss_kib(tmp_path, large) - _peak_rss_kib(tmp_path, small)) / 1024
    assert growth_mib < 16, f"peak memory grew by {growth_mib:.0f} MiB for a 10x larger input"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_line_larger_than_memory_should_hold_is_never_held(tmp_path):
    huge = write(tmp_path / "huge.jsonl", [b'{"pad":"', b"x" * (96 * 1024 * 1024), b'"}\n'])
    small = write(tmp_path / "small.jsonl", event_lines(15_000))
    growth_mib = (_peak_rss_kib(tmp_path, huge) - _peak_rss_kib(tmp_path, small)) / 1024
    assert growth_mib < 16, f"a 96 MiB line raised peak memory by {growth_mib:.0f} MiB"
