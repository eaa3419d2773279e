"""The event-store contract: every store (in memory, on file) must pass this one suite."""

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstore import EventStore, NewEvent, Reject, StoredEvent, StoreError, StreamRange


def event(n: int, stream: str | None = "s1", data: str | None = None) -> NewEvent:
    return NewEvent(f"e{n}", stream, "T/HAPPENED", 1_000 * n, data or f'{{"n": {n}}}', "in", n)


def positions(streams) -> list[tuple[str, list[int]]]:
    return [(stream_id, [e.position for e in events]) for stream_id, events in streams]


class EventStoreContract:
    """Subclasses provide the `store` fixture."""

    @pytest.fixture
    def store(self) -> EventStore:
        raise NotImplementedError

    def test_an_empty_store(self, store):
        assert store.head() == 0
        assert store.count() == 0
        assert list(store.read_all()) == []
        assert list(store.iter_streams()) == []
        assert list(store.scan_streams()) == []
        assert store.streams_since(0) == []
        assert store.checkpoint("projection") == 0
        assert store.rejects() == []

    def test_append_hands_out_positions_in_order(self, store):
        result = store.append([event(1), event(2, "s2"), event(3)])
        assert result.accepted == 3 and result.duplicates == 0 and result.conflicts == []
        assert [e.position for e in store.read_all()] == [1, 2, 3]
        assert store.read_stream("s1") == [
            StoredEvent(1, "e1", "s1", "T/HAPPENED", 1_000, '{"n": 1}'),
            StoredEvent(3, "e3", "s1", "T/HAPPENED", 3_000, '{"n": 3}'),
        ]
        assert store.head() == 3 and store.count() == 3

    def test_data_is_kept_verbatim(self, store):
        text = '{ "n" : 1,\t"ü": "\\u00fc" }'
        store.append([event(1, data=text)])
        assert store.read_stream("s1")[0].data == text

    def test_append_takes_plain_tuples_and_generators(self, store):
        result = store.append(tuple(event(n)) for n in range(1, 4))
        assert result.accepted == 3

    def test_append_of_nothing(self, store):
        assert store.append([]) == (0, 0, [])

    def test_a_redelivery_is_a_counted_duplicate(self, store):
        store.append([event(1), event(2)])
        again = store.append([event(1), event(2), event(3)])
        assert (again.accepted, again.duplicates, again.conflicts) == (1, 1 + 1, [])
        assert store.count() == 3

    def test_the_same_json_written_differently_is_a_duplicate(self, store):
        store.append([event(1, data='{"a": 1, "b": [1, 2]}')])
        again = store.append([event(1, data='{"b":[1,2],"a":1}')])
        assert (again.accepted, again.duplicates, again.conflicts) == (0, 1, [])
        assert store.read_stream("s1")[0].data == '{"a": 1, "b": [1, 2]}'

    def test_same_id_other_content_is_a_conflict_and_the_first_stays(self, store):
        store.append([event(1, data='{"v": 1}')])
        conflicting = NewEvent("e1", "s1", "T/HAPPENED", 1_000, '{"v": 2}', "late.jsonl", 42)
        result = store.append([conflicting, event(2)])
        assert (result.accepted, result.duplicates) == (1, 0)
        [reject] = result.conflicts
        assert (reject.source, reject.line, reject.raw) == ("late.jsonl", 42, '{"v": 2}')
        assert "'e1'" in reject.reason and "position 1" in reject.reason
        assert store.read_stream("s1")[0].data == '{"v": 1}'
        [kept] = store.rejects()
        assert (kept.source, kept.line, kept.raw, kept.reason) == tuple(reject)
        assert kept.rejected_at.endswith("Z")

    def test_repeats_within_one_batch(self, store):
        batch = [event(1, data='{"v": 1}'), event(1, data='{"v":1}'), event(1, data='{"v": 3}')]
        result = store.append(batch)
        assert (result.accepted, result.duplicates, len(result.conflicts)) == (1, 1, 1)
        assert result.conflicts[0].raw == '{"v": 3}'

    def test_an_append_is_one_transaction(self, store):
        broken = NewEvent("e2", "s1", "T/HAPPENED", None, "{}", "in", 2)  # time_ms NOT NULL
        with pytest.raises(sqlite3.IntegrityError):
            store.append([event(1), broken])
        assert store.count() == 0

    @pytest.mark.parametrize(
        "statement",
        ["UPDATE events SET data = '{}'", "DELETE FROM events", "UPDATE events SET position = 9"],
    )
    def test_events_cannot_be_changed_or_deleted(self, store, statement):
        store.append([event(1)])
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute(statement)
        assert list(store.read_all()) == [
            StoredEvent(1, "e1", "s1", "T/HAPPENED", 1_000, '{"n": 1}')
        ]

    def test_read_all_after_a_position_is_the_catch_up(self, store):
        store.append([event(n) for n in range(1, 6)])
        assert [e.event_id for e in store.read_all(after=3)] == ["e4", "e5"]
        assert list(store.read_all(after=5)) == []

    def test_iter_streams_groups_by_stream_in_position_order(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, None), event(4, "b"), event(5, "a")])
        streams = [(sid, [e.event_id for e in events]) for sid, events in store.iter_streams()]
        assert streams == [("a", ["e2", "e5"]), ("b", ["e1", "e4"])]

    def test_iter_streams_of_chosen_streams(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, "c"), event(4, "b")])
        chosen = store.iter_streams(["b", "nope", "c", "b"])
        assert [(sid, [e.position for e in events]) for sid, events in chosen] == [
            ("b", [1, 4]),
            ("c", [3]),
        ]
        assert list(store.iter_streams([])) == []

    def test_scan_streams_hands_over_each_stream_when_its_last_event_is_read(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, None), event(4, "b"), event(5, "c")])
        store.append([event(6, "a")])
        streams = [(sid, [e.position for e in events]) for sid, events in store.scan_streams()]
        assert streams == [("b", [1, 4]), ("c", [5]), ("a", [2, 6])]

    def test_scan_streams_until_a_position(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, "c"), event(4, "b"), event(5, "a")])
        until = [(sid, [e.position for e in events]) for sid, events in store.scan_streams(until=3)]
        assert until == [("b", [1]), ("a", [2]), ("c", [3])]

    def test_scan_streams_over_its_buffer_sets_the_oldest_streams_aside(self, store):
        """A stream that stays open (here "old", which gains a late event) must not hold its
        events in memory for the whole pass: it is read again by index at the end."""
        store.append([event(1, "old", "x" * 100)])
        store.append([event(n, f"s{n}", "y" * 10) for n in range(2, 12)])
        store.append([event(12, "old", "z" * 100)])
        streams = list(store.scan_streams(buffer_bytes=150))
        assert [sid for sid, _ in streams] == [f"s{n}" for n in range(2, 12)] + ["old"]
        assert [e.position for e in streams[-1][1]] == [1, 12]

    def test_a_stream_over_the_budget_is_handed_over_after_the_pass(self, store):
        """ "old" ends at 3, before "b" and "c": only set aside does it come last."""
        store.append([event(1, "old", "x" * 300), event(2, "b"), event(3, "old"), event(4, "c"),
                      event(5, "b"), event(6, "c")])  # fmt: skip
        assert positions(store.scan_streams())[0] == ("old", [1, 3])
        assert positions(store.scan_streams(buffer_bytes=1000)) == [
            ("b", [2, 5]),
            ("c", [4, 6]),
            ("old", [1, 3]),
        ]

    def test_the_oldest_open_stream_is_the_one_set_aside(self, store):
        """Over budget, streams go oldest first until half the budget is left: here "a" alone."""
        store.append([event(1, "a", "x" * 1000), event(2, "b"), event(3, "a"), event(4, "b")])
        assert positions(store.scan_streams()) == [("a", [1, 3]), ("b", [2, 4])]
        assert positions(store.scan_streams(buffer_bytes=1500)) == [("b", [2, 4]), ("a", [1, 3])]

    def test_streams_handed_over_give_their_budget_back(self, store):
        """A log in time order never exceeds a budget of two events, however long it is."""
        store.append([event(n, f"s{n // 2}") for n in range(2, 402)])
        assert positions(store.scan_streams(buffer_bytes=2 * 420)) == [
            (f"s{k}", [2 * k - 1, 2 * k]) for k in range(1, 201)
        ]

    def test_the_budget_counts_bytes_not_characters(self, store):
        """Emoji take 4 bytes a character in memory: a budget of characters would hold 4x more."""
        emoji = '"' + "\U0001f600" * 500 + '"'
        store.append([event(1, "a", emoji), event(2, "b"), event(3, "a"), event(4, "b")])
        assert positions(store.scan_streams(buffer_bytes=1500)) == [("b", [2, 4]), ("a", [1, 3])]

    def test_scan_streams_of_a_range_of_ids(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, "c"), event(4, "b"), event(5, "d")])
        assert positions(store.scan_streams(id_range=StreamRange("b", "d"))) == [
            ("c", [3]),
            ("b", [1, 4]),
        ]
        assert positions(store.scan_streams(id_range=StreamRange(None, "b"))) == [("a", [2])]
        assert positions(store.scan_streams(id_range=StreamRange("c"), until=4)) == [("c", [3])]
        assert list(store.scan_streams(id_range=StreamRange("x", "x"))) == []

    @pytest.mark.parametrize("parts", [1, 2, 3, 7])
    def test_stream_ranges_share_the_streams_out_evenly_and_once(self, store, parts):
        store.append([event(n, f"s{n % 6}") for n in range(1, 31)] + [event(31, None)])
        ranges = store.stream_ranges(parts)
        assert len(ranges) == min(parts, 6)  # no range left empty
        shares = [[sid for sid, _ in store.scan_streams(id_range=r)] for r in ranges]
        assert sorted(sid for share in shares for sid in share) == [f"s{k}" for k in range(6)]
        assert max(map(len, shares)) - min(map(len, shares)) <= 1 and min(map(len, shares))

    def test_stream_ranges_count_only_the_streams_up_to_until(self, store):
        store.append([event(1, "a"), event(2, "b"), event(3, "c"), event(4, "d")])
        assert store.stream_ranges(2, until=2) == [StreamRange(None, "b"), StreamRange("b")]
        assert store.stream_ranges(2) == [StreamRange(None, "c"), StreamRange("c")]

    def test_stream_ranges_of_an_empty_store_cover_everything(self, store):
        assert store.stream_ranges(3) == [StreamRange()]

    def test_scan_streams_does_not_depend_on_unordered_select_order(self, store):
        store.append([event(1, "a"), event(2, "b"), event(3, "a")])
        store.conn.execute("PRAGMA reverse_unordered_selects = ON")
        assert positions(store.scan_streams()) == [("b", [2]), ("a", [1, 3])]

    # One store per test, appended to by every example; the suite runs once per store kind.
    @settings(
        max_examples=60,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        streams=st.lists(st.sampled_from(["a", "b", "c", "d", None]), max_size=40),
        until=st.integers(0, 45),
        buffer_bytes=st.integers(0, 200),
    )
    def test_scan_streams_reads_what_iter_streams_reads(self, store, streams, until, buffer_bytes):
        base = store.head()
        store.append(
            [event(base + n + 1, stream, "d" * (n % 7)) for n, stream in enumerate(streams)]
        )
        until += base
        by_index = {
            sid: [e for e in events if e.position <= until] for sid, events in store.iter_streams()
        }
        expected = {sid: events for sid, events in by_index.items() if events}
        scanned = list(store.scan_streams(until=until, buffer_bytes=buffer_bytes))
        assert dict(scanned) == expected
        assert len(scanned) == len(expected)

    def test_streams_since_a_position(self, store):
        store.append([event(1, "b"), event(2, "a"), event(3, None), event(4, "c"), event(5, "b")])
        assert store.streams_since(0) == ["a", "b", "c"]
        assert store.streams_since(3) == ["b", "c"]
        assert store.streams_since(5) == []

    def test_a_checkpoint_commits_with_the_output(self, store):
        store.append([event(1), event(2)])
        with store.transaction() as conn:
            conn.execute("CREATE TABLE output (position INTEGER)")
            conn.execute("INSERT INTO output VALUES (2)")
            store.set_checkpoint("projection", 2)
        assert store.checkpoint("projection") == 2
        with store.transaction():
            store.set_checkpoint("projection", 3)
        assert store.checkpoint("projection") == 3

    def test_a_checkpoint_rolls_back_with_the_output(self, store):
        store.conn.execute("CREATE TABLE output (position INTEGER)")
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("INSERT INTO output VALUES (1)")
            store.set_checkpoint("projection", 1)
            raise RuntimeError("projector failed")
        assert store.checkpoint("projection") == 0
        assert store.conn.execute("SELECT count(*) FROM output").fetchone() == (0,)

    def test_a_checkpoint_outside_a_transaction_is_refused(self, store):
        with pytest.raises(StoreError, match=r"inside store\.transaction"):
            store.set_checkpoint("projection", 1)

    def test_a_nested_transaction_rolls_back_alone(self, store):
        with store.transaction():
            store.append([event(1)])
            with pytest.raises(RuntimeError), store.transaction():
                store.append([event(2)])
                raise RuntimeError
            store.append([event(3)])
        assert [e.event_id for e in store.read_all()] == ["e1", "e3"]

    def test_rejects_are_kept_verbatim_and_once(self, store):
        binary = Reject("a.jsonl", 7, b"\xff\xfe{", "not UTF-8")
        text = Reject("a.jsonl", 8, "[1]", "a JSON array, not a JSON object")
        store.add_rejects([binary, text])
        store.add_rejects([binary, text])
        assert [tuple(r)[:4] for r in store.rejects()] == [tuple(binary), tuple(text)]
        assert store.reject_count() == 2

    def test_append_keeps_the_inputs_rejects_with_its_conflicts_in_line_order(self, store):
        store.append([event(1)])
        clash = NewEvent("e1", "s1", "T/HAPPENED", 1_000, '{"n": "other"}', "in", 5)
        bad = [Reject("in", 9, "[]", "not an object"), Reject("in", 2, "null", "null")]
        result = store.append([clash], bad)
        assert [r.line for r in result.conflicts] == [5]
        assert [r.line for r in store.rejects()] == [2, 5, 9]
        assert store.append([], [Reject("in", 11, "x", "bad")]).accepted == 0
        assert store.reject_count() == 4

    def test_types_after_a_position(self, store):
        store.append([event(1), NewEvent("e2", "s1", "OTHER/TYPE", 2_000, "{}")])
        assert store.types_after(0) == ["T/HAPPENED", "OTHER/TYPE"]
        assert store.types_after(1) == ["OTHER/TYPE"] and store.types_after(2) == []

    def test_rejects_of_one_source_and_the_first_few(self, store):
        """Filtered and cut in SQL: a store that once ingested a binary file holds many."""
        store.add_rejects(
            [Reject(f"day-{d}.jsonl", n, "x", "bad") for d in (1, 2) for n in range(1, 4)]
            + [Reject(None, 1, "x", "bad")]
        )
        lines = [(r.source, r.line) for r in store.rejects(source="day-2*", limit=2)]
        assert lines == [("day-2.jsonl", 1), ("day-2.jsonl", 2)]
        assert store.reject_count(source="day-?.jsonl") == 6
        assert store.reject_count(source="DAY-*") == 0  # case-sensitive, as file names are
        assert store.reject_count(source="*") == 7 and len(store.rejects()) == 7

    def test_a_projector_can_write_while_it_iterates(self, store):
        """The replay pattern: stream the events and write rows on the same connection."""
        store.append([event(n, f"s{n % 3}") for n in range(1, 10)])
        with store.transaction() as conn:
            conn.execute("CREATE TABLE rows (stream TEXT, events INTEGER)")
            for stream_id, events in store.iter_streams():
                conn.execute("INSERT INTO rows VALUES (?, ?)", (stream_id, len(events)))
            store.set_checkpoint("rows", store.head())
        assert store.conn.execute("SELECT sum(events) FROM rows").fetchone() == (9,)

    def test_commits_in_the_background_are_waited_for(self, store):
        with store.background_commits():
            for n in range(1, 4):
                with store.transaction():
                    store.append([event(n)])
            assert store.count() == 3
        assert store.head() == 3

    def test_sqlite_utils_sees_the_same_data(self, store):
        store.append([event(1)])
        assert store.db["events"].count == 1


class TestInMemoryStore(EventStoreContract):
    @pytest.fixture
    def store(self):
        with EventStore() as store:
            yield store


class TestFileStore(EventStoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        with EventStore(tmp_path / "events.db") as store:
            yield store
