"""A contact whose events name two conversations: a partial row in each, and an anomaly that
says so (the conversation is the replay unit, so nothing else would)."""

import csv
import io

from conftest import write_events

from builders import ev
from contactexport.ingest import ingest_files
from contactexport.projector import _SPLIT_CONTACTS, ANOMALIES, ANOMALY_VIEW, SPLIT_CONTACT
from eventstore import EventStore


def split_contact(invoke, tmp_path):
    """c1 starts in conv-a; its ENDED names conv-b. A clean contact on the side."""
    events = [
        ev("CONTACT/STARTED", "09:00", "c1", conversation="conv-a"),
        ev("CONTACT/OFFERED", "09:00:10", "c1", conversation="conv-a", agentId="a1"),
        ev("CONTACT/ENDED", "09:05", "c1", conversation="conv-b", status="ANSWERED"),
        ev("CONTACT/STARTED", "09:00", "c2", conversation="conv-c", channel="EMAIL"),
    ]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "split.jsonl", events)])


def test_a_split_contact_is_an_anomaly_in_each_of_its_conversations(invoke, tmp_path):
    split_contact(invoke, tmp_path)
    replay = invoke("replay")
    assert f"× {SPLIT_CONTACT}" in replay.stderr
    assert invoke("replay", "--strict").exit_code == 1
    lines = list(csv.DictReader(io.StringIO(invoke("anomalies", "--format", "csv").stdout)))
    split = [(line["Conversation ID"], line["Contact ID"]) for line in lines
             if line["Reason"] == SPLIT_CONTACT]  # fmt: skip
    assert sorted(split) == [("conv-a", "c1"), ("conv-b", "c1")]
    table = invoke("anomalies", env={"COLUMNS": "300"}).stdout
    assert "conversation conv-a" in table and "None" not in table


def test_the_split_is_found_again_after_an_incremental_replay(invoke, tmp_path):
    """Nothing about the split is stored: an incremental replay of one of the conversations
    cannot leave a stale or missing anomaly behind."""
    split_contact(invoke, tmp_path)
    invoke("replay")
    more = [ev("CONTACT/MESSAGE_RECEIVED", "09:06", "c9", conversation="conv-b")]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "more.jsonl", more)])
    invoke("replay")
    lines = list(csv.DictReader(io.StringIO(invoke("anomalies", "--format", "csv").stdout)))
    assert sum(line["Reason"] == SPLIT_CONTACT for line in lines) == 2


def test_timeline_shows_the_conversation_the_contact_started_in_and_names_the_other(
    invoke, tmp_path
):
    split_contact(invoke, tmp_path)
    result = invoke("timeline", "c1")
    assert result.exit_code == 0
    assert "conv-a" in result.stdout and "CONTACT/OFFERED" in result.stdout
    assert "also name conv-b" in result.stderr


def test_filters_keep_both_rows_of_a_split_contact(invoke, tmp_path):
    """The partial row has no Queued At or channel of its own: the contact's are used."""
    split_contact(invoke, tmp_path)
    csv_text = invoke("anomalies", "--format", "csv", "--from", "2026-11-02", "--channel", "voice",
                      "--inbox", "inbox-1").stdout  # fmt: skip
    lines = list(csv.DictReader(io.StringIO(csv_text)))
    assert sorted(line["Conversation ID"] for line in lines) == ["conv-a", "conv-b"]
    assert {line["Channel"] for line in lines} == {"PHONE_CALL"}


def test_a_changed_view_reaches_a_store_built_before(invoke, tmp_path):
    split_contact(invoke, tmp_path)
    invoke("replay")
    with EventStore(invoke.db) as store:
        store.conn.execute(f"DROP VIEW {ANOMALY_VIEW}")
        store.conn.execute(f"CREATE VIEW {ANOMALY_VIEW} AS SELECT * FROM {ANOMALIES} LIMIT 0")
    more = [ev("CONTACT/STARTED", "10:00", "c7", conversation="conv-7")]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "more.jsonl", more)])
    assert f"× {SPLIT_CONTACT}" in invoke("replay").stderr


def test_a_parallel_replay_finds_the_split_too(invoke, tmp_path):
    split_contact(invoke, tmp_path)
    assert f"× {SPLIT_CONTACT}" in invoke("replay", "--full", "--workers", "2").stderr
    lines = list(csv.DictReader(io.StringIO(invoke("anomalies", "--format", "csv").stdout)))
    assert sum(line["Reason"] == SPLIT_CONTACT for line in lines) == 2


def test_finding_split_contacts_reads_only_the_index_and_their_rows(invoke, tmp_path):
    """It runs on every replay and anomalies call: reading every row of a big projection for
    it cost ~0.4 s at 2M events."""
    split_contact(invoke, tmp_path)
    invoke("replay")
    with EventStore(invoke.db) as store:
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {_SPLIT_CONTACTS}")]
    full_scans = [step for step in plan if step.startswith("SCAN contact_export")]
    assert full_scans == ["SCAN contact_export USING COVERING INDEX contact_export_contact"]
