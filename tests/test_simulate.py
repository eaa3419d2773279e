"""The simulator: deterministic, valid Gladly envelopes, every feature present, bounded memory."""

import gzip
import os
import threading
import tracemalloc
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import orjson
import pytest

from contactexport.columns import HEADERS
from contactexport.simulate import ConfigError, Simulation, SimulationConfig, intended_rows
from contactexport.simulate.clock import HOUR, iso
from contactexport.simulate.config import DEFAULT_MIX, parse_mix
from contactexport.simulate.stream import ReorderBuffer
from contactexport.simulate.truth import START_COLUMNS
from contactexport.simulate.writer import write_lines
from contactexport.timestamps import parse_ms
from contactexport.vocabulary import KNOWN_TYPES, lifecycle_rank

CHANNELS = {"PHONE_CALL", "CHAT", "SMS", "WHATSAPP", "FB_MESSENGER", "EMAIL", "VOICEMAIL"}


def run(conversations: int, seed: int = 1, **knobs) -> bytes:
    config = SimulationConfig(conversations=conversations, seed=seed, **knobs)
    return b"".join(Simulation(config).lines())


@pytest.fixture(scope="module")
def events() -> list[dict]:
    """A modest run: big enough that every feature shows up."""
    return [orjson.loads(line) for line in run(1500, seed=5).splitlines()]


def of_type(events: list[dict], type_: str) -> list[dict]:
    return [e for e in events if e["type"] == type_]


# Determinism ------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes():
    first = run(200, seed=42)
    assert first == run(200, seed=42)
    assert first != run(200, seed=43)


def test_more_conversations_do_not_change_the_seed_of_the_run():
    """Arrivals spread over the period, but the same seed and N always give the same stream."""
    assert run(50, seed=9, days=3) == run(50, seed=9, days=3)
    assert run(50, seed=9, days=3) != run(50, seed=9, days=2)


# Envelopes ---------------------------------------------------------------------------------


def test_every_event_is_a_valid_gladly_envelope(events):
    for event in events:
        assert list(event) == ["id", "type", "timestamp", "initiator", "content"]
        assert isinstance(event["id"], str) and len(event["id"]) == 22
        assert event["type"] in KNOWN_TYPES
        stamp = event["timestamp"]
        assert stamp.endswith("Z") and stamp[-5] == "." and len(stamp) == 24
        assert iso(parse_ms(stamp)) == stamp
        assert set(event["initiator"]) == {"id", "type"} and event["initiator"]["id"]
        content = event["content"]
        if event["type"].startswith("CONTACT/"):
            assert content["channel"] in CHANNELS
            for field in ("contactId", "conversationId", "customerId"):
                assert isinstance(content[field], str)
            assert isinstance(content["context"]["assignee"]["inboxId"], str)
        if "context" in content and "assignee" in content["context"]:
            assert content["context"]["assignee"]["inboxId"]


def test_event_ids_are_unique(events):
    ids = Counter(e["id"] for e in events)
    assert ids.most_common(1)[0][1] == 1


def test_context_is_the_contact_assignee_just_before_the_event(events):
    """Replayed in the project's order, each CONTACT event's context.assignee is the owner
    the earlier events left: accepted agent, transfer target, manual assignee."""
    by_conversation = defaultdict(list)
    for event in events:
        if "conversationId" in event["content"]:
            by_conversation[event["content"]["conversationId"]].append(event)
    for conversation in by_conversation.values():
        conversation.sort(key=lambda e: (e["timestamp"], lifecycle_rank(e["type"]), e["id"]))
        owner: dict[str, dict] = {}
        ended: set[str] = set()
        for event in conversation:
            content, type_ = event["content"], event["type"]
            if type_ == "CONVERSATION_ASSIGNEE/UPDATED" and content["reason"] == "MANUAL":
                for contact, assignee in owner.items():
                    if contact not in ended and "agentId" not in assignee:
                        owner[contact] = content["assignee"]
            if not type_.startswith("CONTACT/"):
                continue
            contact = content["contactId"]
            if type_ == "CONTACT/STARTED":
                owner[contact] = content["context"]["assignee"]
            assert content["context"]["assignee"] == owner[contact], (type_, contact)
            if type_ == "CONTACT/OFFER_ACCEPTED":
                owner[contact] = {**owner[contact], "agentId": content["agentId"]}
            elif type_ == "CONTACT/TRANSFERRED":
                owner[contact] = content["assignee"]
            elif type_ == "CONTACT/ENDED":
                ended.add(contact)


# Coverage ----------------------------------------------------------------------------------


def test_every_channel_and_event_kind_appears(events):
    started = of_type(events, "CONTACT/STARTED")
    assert {e["content"]["channel"] for e in started} == CHANNELS
    assert {e["initiator"]["type"] for e in started} == {"CUSTOMER", "AGENT", "APPLICATION"}
    types = {e["type"] for e in events}
    for needed in (
        "CONTACT/ANSWERED",
        "PROFILE_VIEW/STARTED",
        "PROFILE_VIEW/ENDED",
        "CONVERSATION/CLOSED",
        "CONVERSATION/TOPIC_ADDED",
        "AGENT_STATUS/LOGGED_IN",
        "AGENT_STATUS/WENT_AWAY",
        "AGENT_STATUS/RETURNED_FROM_AWAY",
        "AGENT_STATUS/LOGGED_OUT",
        "AGENT_AVAILABILITY/UPDATED",
        "PAYMENT_REQUEST/VIEWED",
    ):
        assert needed in types, needed


def test_holds_of_every_kind_in_pairs_on_calls_only(events):
    holds = of_type(events, "CONTACT/HOLD_STARTED")
    assert {e["content"]["reason"] for e in holds} == {
        "MANUAL",
        "WARM_TRANSFER",
        "COLD_TRANSFER",
        "CONFERENCE",
    }
    assert {e["content"]["channel"] for e in holds} == {"PHONE_CALL"}
    ended = of_type(events, "CONTACT/HOLD_ENDED")
    assert len(holds) - 10 <= len(ended) <= len(holds)  # a few callers hang up on hold


def test_routing_offers_rejections_transfers_and_manual_assignment(events):
    reasons = {e["content"]["reason"] for e in of_type(events, "CONTACT/OFFER_REJECTED")}
    assert reasons == {"DECLINED", "MISSED", "DEVICE ERROR"}
    transfers = of_type(events, "CONTACT/TRANSFERRED")
    assert {e["content"]["transferType"] for e in transfers} == {"WARM", "COLD"}
    assert all(e["content"]["assignee"]["inboxId"] for e in transfers)
    manual = [
        e
        for e in of_type(events, "CONVERSATION_ASSIGNEE/UPDATED")
        if e["content"]["reason"] == "MANUAL"
    ]
    assert manual and all("agentId" in e["content"]["assignee"] for e in manual)


def test_endings_statuses_and_senders(events):
    statuses = {e["content"]["status"] for e in of_type(events, "CONTACT/ENDED")}
    assert statuses == {"ANSWERED", "UNANSWERED", "ABANDONED", "UNKNOWN"}
    fulfilled = {e["content"]["fulfilledType"] for e in of_type(events, "CONTACT/FULFILLED")}
    assert fulfilled == {"RESPONDED", "CANCELED"}
    senders = {e["initiator"]["type"] for e in of_type(events, "CONTACT/MESSAGE_SENT")}
    assert senders == {"AGENT", "AUTOMATION", "APPLICATION"}


def test_payments_in_usd_and_other_currencies_with_every_outcome(events):
    changed = of_type(events, "PAYMENT_REQUEST/STATUS_CHANGED")
    assert {"COMPLETED", "DECLINED", "TIMED_OUT", "SUBMITTED"} <= {
        e["content"]["newStatus"] for e in changed
    }
    created = of_type(events, "PAYMENT_REQUEST/CREATED")
    currencies = {e["content"]["context"]["currency"] for e in created}
    assert "USD" in currencies and len(currencies) > 1
    assert all(e["content"]["context"]["monetaryUnit"] > 0 for e in created)


def test_emails_during_calls_are_fulfilled_when_the_call_ends(events):
    """Cross-channel fulfilment: FULFILLED at the very instant the call of the same
    conversation ENDS, the email ENDED UNANSWERED, its inherited due date already past."""
    calls_ended = {
        (e["content"]["conversationId"], e["timestamp"])
        for e in of_type(events, "CONTACT/ENDED")
        if e["content"]["channel"] == "PHONE_CALL"
    }
    started = {e["content"]["contactId"]: e for e in of_type(events, "CONTACT/STARTED")}
    crossed = [
        e
        for e in of_type(events, "CONTACT/FULFILLED")
        if e["content"]["channel"] == "EMAIL"
        and (e["content"]["conversationId"], e["timestamp"]) in calls_ended
    ]
    assert crossed
    negative_sla = [
        e
        for e in crossed
        if started[e["content"]["contactId"]]["content"]["dueAt"]
        < started[e["content"]["contactId"]]["timestamp"]
    ]
    assert negative_sla


def test_profile_views_pair_up_per_agent(events):
    open_views: dict[tuple[str, str], str] = {}
    for event in sorted(events, key=lambda e: (e["timestamp"], lifecycle_rank(e["type"]))):
        if event["type"].startswith("PROFILE_VIEW/"):
            content = event["content"]
            assert set(content) == {"agentId", "customerId", "conversationId"}
            key = (content["conversationId"], content["agentId"])
            if event["type"] == "PROFILE_VIEW/STARTED":
                assert key not in open_views
                open_views[key] = event["timestamp"]
            else:
                assert open_views.pop(key) < event["timestamp"]


def test_durations_are_realistic(events):
    started = {e["content"]["contactId"]: e for e in of_type(events, "CONTACT/STARTED")}
    lengths = defaultdict(list)
    for event in of_type(events, "CONTACT/ENDED"):
        begin = started[event["content"]["contactId"]]["timestamp"]
        lengths[event["content"]["channel"]].append(
            (parse_ms(event["timestamp"]) - parse_ms(begin)) / 1000
        )

    def median(values):
        return sorted(values)[len(values) // 2]

    assert 60 < median(lengths["PHONE_CALL"]) < 900  # minutes
    assert 120 < median(lengths["CHAT"]) < 3600
    assert median(lengths["EMAIL"]) > 1800  # hours
    assert any(not s.is_integer() for s in lengths["PHONE_CALL"])  # milliseconds


def test_arrivals_follow_the_daily_curve():
    simulation = Simulation(SimulationConfig(conversations=3000, seed=2))
    hours = Counter(
        (conv.arrival - simulation.begin) // HOUR for conv in simulation.conversations()
    )
    assert sum(hours.values()) == 3000
    assert hours[10] > 5 * hours[3]


def test_output_is_roughly_but_not_perfectly_in_time_order(events):
    stamps = [parse_ms(e["timestamp"]) for e in events]
    latest = 0
    late = 0
    for stamp in stamps:
        assert stamp >= latest - 15_000  # never more than Gladly's delivery delay
        late += stamp < latest
        latest = max(latest, stamp)
    assert late > 0


# Intended rows -----------------------------------------------------------------------------


def test_intended_rows_have_the_report_columns():
    simulation = Simulation(SimulationConfig(conversations=400, seed=8))
    rows = [row for conv in simulation.conversations() for row in intended_rows(conv)]
    assert all(list(row) == list(HEADERS) for row in rows)
    unfinished = [row for row in rows if row["Ended At"] is None]
    assert unfinished
    for row in unfinished:
        assert all(row[h] is None for h in HEADERS if h not in START_COLUMNS and h != "Status")
    assert {row["Status"] for row in rows} >= {"ANSWERED", "UNANSWERED", "ABANDONED", "UNKNOWN"}


# Memory and the reorder buffer ---------------------------------------------------------------


def test_reorder_buffer_releases_in_order_and_stays_within_capacity():
    buffer = ReorderBuffer(capacity=3)
    buffer.push([(t, t, b"%d" % t) for t in (50, 10, 40, 30, 20)])
    assert list(buffer.release(until=15)) == [b"10", b"20"]  # 20: over capacity
    assert len(buffer) == 3
    assert list(buffer.drain()) == [b"30", b"40", b"50"]


def _peak_memory(conversations: int) -> int:
    config = SimulationConfig(conversations=conversations, seed=4, buffer=3000)
    tracemalloc.start()
    try:
        for _ in Simulation(config).lines():
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_events():
    small, large = _peak_memory(500), _peak_memory(3000)
    assert large < 2 * small + 2_000_000, (small, large)
    assert large < 30_000_000


# Knobs -------------------------------------------------------------------------------------


def test_rates_move_the_proportions():
    def abandoned(rate: float) -> int:
        stream = run(400, seed=6, abandon_rate=rate, channel_mix={"PHONE_CALL": 1})
        return stream.count(b'"status":"ABANDONED"')

    assert abandoned(0.0) == 0
    assert abandoned(0.5) > 150


def test_bad_knobs_are_refused_with_a_reason():
    with pytest.raises(ConfigError, match="abandon_rate"):
        SimulationConfig(abandon_rate=1.5)
    with pytest.raises(ConfigError, match="TELEGRAM"):
        SimulationConfig(channel_mix={"TELEGRAM": 1})
    with pytest.raises(ConfigError, match="time zone"):
        SimulationConfig(tz="Mars/Olympus")


# Command line ------------------------------------------------------------------------------


def test_cli_writes_the_same_bytes_to_stdout_and_to_gzip(invoke, tmp_path):
    to_stdout = invoke("simulate", "--conversations", "40", "--seed", "3")
    assert to_stdout.exit_code == 0
    target = tmp_path / "events.jsonl.gz"
    to_file = invoke("simulate", "-n", "40", "--seed", "3", "-o", str(target))
    assert to_file.exit_code == 0
    assert gzip.decompress(target.read_bytes()) == to_stdout.stdout_bytes
    assert to_stdout.stdout_bytes == run(40, seed=3)
    assert "events" in to_file.stderr


def _interrupted(self, each):
    yield b'{"id": "e-1"}\n'
    raise KeyboardInterrupt


def test_an_interrupted_simulation_leaves_no_cut_short_file(invoke, tmp_path, monkeypatch):
    """Otherwise the next ingest would take it for a whole log with one broken last line."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(Simulation, "lines", _interrupted)
    result = invoke("simulate", "-n", "5", "-o", str(out / "events.jsonl"))
    assert result.exit_code == 130
    assert list(out.iterdir()) == []
    missing = invoke("simulate", "-n", "1", "-o", str(tmp_path / "nowhere" / "events.jsonl"))
    assert missing.exit_code == 2
    assert f"cannot write {tmp_path / 'nowhere' / 'events.jsonl'}:" in missing.stderr


def test_an_interrupted_simulation_leaves_the_truth_file_as_it_was(invoke, tmp_path, monkeypatch):
    """--truth was opened with "w" up front: Ctrl-C left yesterday's expected rows empty."""
    truth = tmp_path / "expected.csv"
    truth.write_text("yesterday's rows\n", encoding="utf-8")
    monkeypatch.setattr(Simulation, "lines", _interrupted)
    result = invoke("simulate", "-n", "5", "-o", str(tmp_path / "ev.jsonl"), "--truth", str(truth))
    assert result.exit_code == 130
    assert truth.read_text(encoding="utf-8") == "yesterday's rows\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.csv"]


def test_simulate_through_a_symlink_writes_the_file_it_points_to(invoke, tmp_path):
    real = tmp_path / "events-2026-11-02.jsonl.gz"
    link = tmp_path / "events.jsonl.gz"
    link.symlink_to(real.name)
    truth_real, truth_link = tmp_path / "rows.csv", tmp_path / "expected.csv"
    truth_link.symlink_to(truth_real.name)
    result = invoke("simulate", "-n", "5", "-o", str(link), "--truth", str(truth_link))
    assert result.exit_code == 0
    assert link.is_symlink() and truth_link.is_symlink()
    assert gzip.decompress(real.read_bytes()) == run(5, seed=0)
    assert truth_real.read_text(encoding="utf-8").startswith("Queued At,")
    assert len(list(tmp_path.iterdir())) == 4


def test_simulate_to_a_fifo_writes_into_it(invoke, tmp_path):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert invoke("simulate", "-n", "5", "-o", str(fifo)).exit_code == 0
    reader.join(timeout=30)
    assert got == [run(5, seed=0)]
    assert list(tmp_path.iterdir()) == [fifo]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_is_a_message_and_exit_1_for_the_events_and_the_truth(invoke, tmp_path):
    result = invoke("simulate", "-n", "5", "-o", "/dev/full")
    assert result.exit_code == 1
    assert "error: cannot write /dev/full: No space left on device" in result.stderr
    events = tmp_path / "events.jsonl"
    result = invoke("simulate", "-n", "5", "-o", str(events), "--truth", "/dev/full")
    assert result.exit_code == 1
    assert "error: cannot write /dev/full: No space left on device" in result.stderr
    assert not events.exists()  # the pair is written whole, or neither is


def test_when_the_events_cannot_be_put_in_place_the_truth_stays_as_it_was(
    invoke, tmp_path, monkeypatch
):
    """The pair must match: new expected rows beside yesterday's events would fail every
    comparison made with them."""
    events, truth = tmp_path / "events.jsonl.gz", tmp_path / "truth.csv"
    events.write_text("OLD EVENTS\n")
    truth.write_text("OLD TRUTH\n")
    replace = os.replace

    def refuse_the_events(source, target):
        if str(target) == str(events):
            raise OSError(28, "No space left on device")
        replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_the_events)
    result = invoke("simulate", "-n", "5", "-o", str(events), "--truth", str(truth))
    assert result.exit_code == 1
    assert (events.read_text(), truth.read_text()) == ("OLD EVENTS\n", "OLD TRUTH\n")


def test_a_non_blocking_output_that_takes_nothing_is_an_error_not_a_busy_loop():
    class NonBlocking:
        calls = 0

        def write(self, data):
            self.calls += 1
            assert self.calls < 100, "wrote forever"
            return None if self.calls > 1 else 3  # part of it, then nothing

    with pytest.raises(BlockingIOError):
        write_lines([b"line\n"], NonBlocking())


@pytest.mark.parametrize("events_to", [[], ["-o", "-"]])
def test_truth_cannot_go_to_the_stdout_the_events_go_to(invoke, events_to):
    result = invoke("simulate", "-n", "2", *events_to, "--truth", "/dev/stdout")
    assert result.exit_code == 2
    assert "--truth /dev/stdout is also stdout, where the events go" in result.stderr


def test_cli_knobs_and_config_file(invoke, tmp_path):
    config = tmp_path / "center.toml"
    config.write_text('channel_mix = {CHAT = 1}\noutbound_rate = 0\nstart = "2027-01-04"\n')
    result = invoke("simulate", "-n", "30", "--config", str(config), "--no-noise", "--days", "2")
    assert result.exit_code == 0
    lines = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    started = of_type(lines, "CONTACT/STARTED")
    assert {e["content"]["channel"] for e in started} == {"CHAT"}
    assert min(e["timestamp"] for e in lines) >= "2027-01-04"
    assert not any(e["type"].startswith("AGENT_STATUS/") for e in lines)
    assert SimulationConfig(start=date(2027, 1, 4)).start.isoformat() == "2027-01-04"


def test_cli_refuses_bad_knobs(invoke):
    result = invoke("simulate", "--mix", "PHONE_CALL=abc")
    assert result.exit_code == 2
    assert "PHONE_CALL=abc" in result.stderr
    assert invoke("simulate", "--hold-rate", "2").exit_code == 2
    assert invoke("simulate", "--start", "yesterday").exit_code == 2
    unknown = invoke("simulate", "--mix", "PHONE=3")
    assert unknown.exit_code == 2
    assert "--mix 'PHONE=3': unknown channel; channels: PHONE_CALL, CHAT" in unknown.stderr
    assert "'[x]=3'" in invoke("simulate", "--mix", "[x]=3").stderr  # shown, not read as markup
    for weight in ("inf", "nan"):  # both pass a "< 0" test, then random.choices raises
        assert invoke("simulate", "--mix", f"PHONE_CALL={weight}").exit_code == 2


def test_the_default_mix_help_shows_can_be_typed_back():
    from contactexport.cli.simulate import _DEFAULT_MIX

    assert parse_mix(_DEFAULT_MIX) == DEFAULT_MIX


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('hold_rate = "high"', 'hold_rate must be a number between 0 and 1, got "high"'),
        ("abandon_rate = -0.2", "abandon_rate must be between 0 and 1, got -0.2"),
        ("colour = 3", "unknown knob 'colour'"),
        ("hold_rat = 0.3", "unknown knob 'hold_rat' (did you mean hold_rate?)"),
        ("conversations = 2.5", "conversations must be a whole number, got 2.5"),
        ("seed = true", "seed must be a whole number, got true"),
        ('start = "tomorrow"', 'start must be a date such as 2026-11-02, got "tomorrow"'),
        ("start = 2026-11-02T08:00:00", "start must be a date such as 2026-11-02"),
        ("hourly_curve = 3", "hourly_curve must be a list of 24 numbers, got 3"),
        ('sla = { CHAT = "x" }', "sla must be a table of whole seconds by channel"),
        ("sla = { TELEGRAM = 60 }", "sla: unknown channel TELEGRAM; channels: PHONE_CALL"),
        ("channel_mix = [1, 2]", "channel_mix must be a table of weights by channel"),
        ("channel_mix = { PHONE_CALL = inf }", "channel_mix needs finite, non-negative weights"),
        ("hourly_curve = [nan" + ", 1" * 23 + "]", "hourly_curve needs 24 finite"),
        ('noise = "yes"', 'noise must be true or false, got "yes"'),
        ("tz = 5", "tz must be a string, got 5"),
        ('tz = "America"', "unknown time zone 'America'"),  # a folder of zones: was a traceback
        ("start = 0001-01-01", "start and days must stay within the years 1900-2999"),
        ("start = 2999-12-31", "start and days must stay within the years 1900-2999"),
        ("start = 2999-12-25", "start and days must stay within the years 1900-2999"),  # tail
        ("days = 1100000", "start and days must stay within the years 1900-2999"),
        ("weekend_factor = -1", "weekend_factor must be between 0 and 100, got -1"),
        ("weekend_factor = 1e308", "weekend_factor must be between 0 and 100, got 1e+308"),
    ],
)
def test_cli_names_the_file_and_knob_of_a_bad_config(invoke, tmp_path, toml, says):
    config = tmp_path / "center.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    result = invoke("simulate", "-n", "5", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {config}: ")
    assert says in result.stderr


def test_a_config_of_the_wrong_type_for_any_knob_is_a_message(invoke, tmp_path):
    config = tmp_path / "center.toml"
    for knob in SimulationConfig.__dataclass_fields__:
        config.write_text(f'{knob} = {{ oops = "?" }}\n', encoding="utf-8")
        result = invoke("simulate", "-n", "5", "--config", str(config))
        assert result.exit_code == 2 and f"{config}: {knob} must be " in result.stderr


def test_cli_help_documents_the_knobs(invoke):
    result = invoke("simulate", "--help")
    for knob in ("--conversations", "--seed", "--days", "--mix", "--abandon-rate", "--config"):
        assert knob in result.stdout


@pytest.mark.parametrize("option", ["-o", "--truth"])
@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_simulate_never_writes_over_the_event_store(invoke, tmp_path, option, suffix):
    """`simulate -o contactexport.db` replaced the archive with JSONL, as export -o once did."""
    invoke("simulate", "-n", "1", "-o", str(tmp_path / "e.jsonl"))
    invoke("ingest", str(tmp_path / "e.jsonl"))
    target = Path(f"{invoke.db}{suffix}")
    before = target.read_bytes() if target.exists() else None
    other = ["--truth", str(tmp_path / "t.csv")] if option == "-o" else ["-o", os.devnull]
    result = invoke("simulate", "-n", "1", option, str(target), *other)
    assert result.exit_code == 2
    assert "writing there would destroy it" in " ".join(result.stderr.split())
    assert (target.read_bytes() if target.exists() else None) == before
