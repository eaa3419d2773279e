"""Parallel replay's worker, in-process: it must see the store as of the head it was given."""

import signal

from contactexport.parallel import Job, _leave_ctrl_c_to_parent, _work
from eventstore import EventStore, StreamRange
from tests.eventstore.test_contract import event


def test_a_worker_reads_nothing_past_the_head(tmp_path):
    """Events ingested while a replay runs wait for the next one, in full and incremental runs."""
    path = tmp_path / "events.db"
    with EventStore(path) as store:
        store.append([event(1, "a"), event(2, "b")])
        store.append([event(3, "a"), event(4, "c")])
    shares = ({"id_range": StreamRange()}, {"streams": ("a", "b", "c")})
    for k, share in enumerate(shares):
        report = _work(Job(str(path), str(tmp_path / f"part-{k}.db"), head=2, **share))
        assert (report.conversations, report.events) == (2, 2)


def test_workers_leave_ctrl_c_to_the_parent():
    """Ctrl-C reaches the whole process group: only the parent should speak (exit 130)."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        _leave_ctrl_c_to_parent()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
