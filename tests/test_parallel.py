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


def test_a_replay_with_nothing_new_starts_no_worker(tmp_path, monkeypatch):
    """Each worker is a process (~0.3 s): shares left empty start none, and no share at all
    (nothing new since the checkpoint) starts none either."""
    import contactexport.parallel as parallel
    from contactexport.parallel import catch_up_parallel

    path = tmp_path / "events.db"
    with EventStore(path) as store:
        store.append([event(1, "a"), event(2, "b")])
        started = []
        real = parallel._run
        monkeypatch.setattr(parallel, "_run", lambda jobs: started.append(len(jobs)) or real(jobs))
        assert catch_up_parallel(store, workers=4).conversations == 2
        store.append([event(3, "a")])
        assert catch_up_parallel(store, workers=4).conversations == 1
        assert catch_up_parallel(store, workers=4).conversations == 0
    assert started == [2, 1, 0]
