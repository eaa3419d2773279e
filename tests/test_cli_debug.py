"""timeline, --why, --json, as-of and diagram through the CLI, on the fixtures."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import write_events

from builders import ev
from contactexport.cli.timeline import close_ids
from contactexport.columns import HEADERS
from contactexport.diagram import draw
from contactexport.ingest import ingest_files
from contactexport.machine import STATES, TRIGGERS
from eventstore import EventStore

README = Path(__file__).parents[1] / "README.md"


def test_timeline_shows_events_states_and_changes_made_by_another_contact(loaded):
    result = loaded("timeline", "efpc-email")
    assert result.exit_code == 0
    text = result.stdout
    assert "CONTACT/STARTED" in text and "pending → queued" in text
    assert "other contact efpc-call" in text  # the call's ENDED fulfilled the email
    assert "Queued-to-Fulfilled Time: 180 → -120" in text
    assert "Fulfilled by Contact ID" in text
    for group in ("identity", "timestamps", "durations (seconds)", "counts"):
        assert group in text


def test_timeline_shows_text_as_the_events_gave_it(loaded):
    """The ' that keeps a spreadsheet from running =1+1 belongs in files, not on a terminal."""
    shown = loaded("timeline", "fml-call1", env={"COLUMNS": "200"}).stdout
    assert "Final IVR Selection: ∅ → =1+1" in shown and "'=1+1" not in shown
    record = json.loads(loaded("timeline", "fml-call1", "--json").stdout)
    assert "'=1+1" not in json.dumps(record)


def test_timeline_json_has_a_stable_shape(loaded):
    document = json.loads(loaded("timeline", "efpc-email", "--json").stdout)
    assert set(document) == {"contact_id", "conversation_id", "state", "events", "row", "anomalies"}
    assert list(document["row"]) == list(HEADERS)
    assert document["row"]["Queued-to-Fulfilled Time"] == "-120"
    event = document["events"][0]
    assert set(event) == {
        "timestamp", "event_id", "type", "initiator", "source", "source_contact_id",
        "state_before", "state_after", "anomaly", "changes",
    }  # fmt: skip
    assert event["state_before"] == "pending" and event["state_after"] == "queued"
    ended_call = next(e for e in document["events"] if e["source"] == "other contact")
    assert ended_call["source_contact_id"] == "efpc-call"
    assert {"column": "Fulfilled by Contact ID", "old": "efpc-email", "new": "efpc-call"} in (
        ended_call["changes"]
    )


def test_why_gives_the_rule_the_arithmetic_and_the_events(loaded):
    text = loaded("timeline", "hold-call", "--why", "talk time").stdout
    assert "Talk Time:" in text and "Hold Time – Total" in text
    assert re.search(r"Talk Time = Ended At - Fulfilled At - Hold Time – Total = .* = 584\.5", text)
    assert "CONTACT/ENDED" in text
    doc = json.loads(loaded("timeline", "efpc-email", "--why", "Queued-to-Fulfilled Time",
                            "--json").stdout)  # fmt: skip
    assert doc["why"]["arithmetic"] == [
        "Queued-to-Fulfilled Time = Fulfilled At - Queued At = "
        "2026-11-02T08:06:00.000+00:00 - 2026-11-02T08:08:00.000+00:00 = -120"
    ]
    assert [e["type"] for e in doc["why"]["events"]] == ["CONTACT/FULFILLED", "CONTACT/ENDED"]


def test_unknown_contact_exits_1_with_the_closest_ids(loaded):
    result = loaded("timeline", "efpc-emial")
    assert result.exit_code == 1
    assert "no contact 'efpc-emial'" in result.stderr
    assert "Closest known IDs: efpc-email." in result.stderr  # efpc-call shares only the start


def test_an_unrelated_contact_id_gets_no_suggestion(loaded):
    for asked in ("completely-unrelated-id", "c-1", "abnd-sms"):
        result = loaded("timeline", asked)
        assert result.exit_code == 1 and f"no contact {asked!r}" in result.stderr
        assert "Closest" not in result.stderr


def test_an_id_with_an_underscore_in_its_first_characters_is_still_suggested(invoke, tmp_path):
    """The candidates share the asked ID's first three characters, "_" included (in LIKE it
    would be a wildcard, and stripping it looked among IDs starting "ab" instead)."""
    events = [
        ev("CONTACT/STARTED", "08:00", "a_bQx7Lm2Pz9Kw", conversation="u-conv"),
        ev("CONTACT/STARTED", "08:00", "ab9Q", conversation="u-conv2"),
    ]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    for asked in ("a_bQx7Lm2Pz9", "a_bQx7Lm2Pz9Kq"):
        assert "Closest known IDs: a_bQx7Lm2Pz9Kw." in invoke("timeline", asked).stderr


def test_close_ids_are_typos_or_what_a_pasted_beginning_completes():
    known = ["aOHyyP4gS7CSIzAZjpmnzQ", "aOHyyX0dTr2mQ7vLkP9wBe", "Z8kRq1vW0bNcY5tUe3sDfg"]
    assert close_ids("aOHyyP4gS7CSIzAZjpmnzO", known) == ["aOHyyP4gS7CSIzAZjpmnzQ"]
    assert close_ids("aOHyyP4gS7", known) == ["aOHyyP4gS7CSIzAZjpmnzQ"]
    assert close_ids("aOHyy", known) == []  # too short a beginning to single one out
    assert close_ids("Q2pLx8", known) == []


def test_unknown_column_for_why_exits_2(loaded):
    result = loaded("timeline", "efpc-email", "--why", "Talk Tme")
    assert result.exit_code == 2 and "Talk Time" in result.stderr


def test_timeline_as_of_shows_a_contact_not_yet_ended(loaded):
    document = json.loads(
        loaded("timeline", "efpc-call", "--json", "--as-of", "2026-11-02T08:07:00Z").stdout
    )
    assert document["state"] == "fulfilled"
    assert document["row"]["Status"] == "" and document["row"]["Ended At"] == ""
    assert all(e["timestamp"] <= "2026-11-02T08:07" for e in document["events"])
    before = loaded("timeline", "efpc-email", "--as-of", "2026-11-02T08:07:00Z")
    assert before.exit_code == 1  # queued at 08:08: not there yet


def test_timeline_marks_anomalies(invoke, tmp_path):
    events = [ev("CONTACT/STARTED", "08:00", "odd"), ev("CONTACT/HOLD_ENDED", "08:01", "odd")]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    text = invoke("timeline", "odd").stdout
    assert "ANOMALY" in text and "no hold is open" in text
    document = json.loads(invoke("timeline", "odd", "--json").stdout)
    assert document["anomalies"][0]["reason"] == "no hold is open"


def test_timeline_header_says_no_channel_rather_than_none(invoke, tmp_path):
    events = [ev("CONTACT/STARTED", "08:00", "ac-2", channel=None, conversation="conv-2")]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    header = invoke("timeline", "ac-2").stdout.splitlines()[0]
    assert header == "Contact ac-2 · no channel · conversation conv-2 · state queued"


def test_a_contact_id_starting_with_a_dash_goes_after_double_dash(invoke, tmp_path):
    """Base64url IDs may start with '-', which the parser takes for an option; help says how."""
    events = [ev("CONTACT/STARTED", "08:00", "-iHMb2Xo7", conversation="conv-3")]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    assert "contactexport timeline -- -iHMb2Xo7" in invoke("timeline", "--help").stdout
    assert invoke("timeline", "-iHMb2Xo7").exit_code == 2
    result = invoke("timeline", "--", "-iHMb2Xo7")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Contact -iHMb2Xo7 · PHONE_CALL · conversation conv-3")


def test_a_contact_id_as_the_csv_shows_it_with_a_leading_quote_is_found(invoke, tmp_path):
    """The CSV writes '-iHMb2Xo7 so that a spreadsheet does not run it; an analyst copies that."""
    events = [
        ev("CONTACT/STARTED", "08:00", "-iHMb2Xo7", conversation="conv-3"),
        ev("CONTACT/STARTED", "08:00", "'q-1", conversation="conv-4"),
        ev("CONTACT/STARTED", "08:00", "q-1", conversation="conv-5"),
    ]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    shown = next(
        row["Contact ID"] for row in csv.DictReader(io.StringIO(invoke("export").stdout))
        if row["Conversation ID"] == "conv-3"
    )  # fmt: skip
    assert shown == "'-iHMb2Xo7"
    result = invoke("timeline", shown)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Contact -iHMb2Xo7 · PHONE_CALL · conversation conv-3")
    assert json.loads(invoke("timeline", shown, "--json").stdout)["contact_id"] == "-iHMb2Xo7"
    # An ID that really starts with ' is that contact; an unknown one is reported as asked.
    assert json.loads(invoke("timeline", "'q-1", "--json").stdout)["conversation_id"] == "conv-4"
    result = invoke("timeline", "'nope")
    assert result.exit_code == 1 and 'no contact "\'nope"' in result.stderr


def test_an_unknown_contact_error_renders_its_markup_and_shows_the_id_verbatim(invoke, tmp_path):
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", [ev("CONTACT/STARTED", "08:00")])])
    for asked in ("nope", "a[b]", "[red]x[/]", "x\\"):
        result = invoke("timeline", asked)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: no contact {asked!r} in ")
        assert "[red]error" not in result.stderr


def test_diagram_is_drawn_from_the_machine(invoke):
    mermaid = invoke("diagram").stdout
    assert "stateDiagram-v2" in mermaid
    for state in STATES:
        assert f'state "{state}" as {state}' in mermaid
    for trigger in TRIGGERS:
        assert trigger in mermaid
    dot = invoke("diagram", "--format", "dot").stdout
    assert dot.startswith("digraph") and "HOLD_STARTED [phone]" in dot


def test_the_mermaid_diagram_is_states_and_transitions_without_styling(invoke):
    mermaid = invoke("diagram").stdout
    styling = ("classdef", "class ")
    assert not [line for line in mermaid.splitlines() if line.strip().lower().startswith(styling)]
    assert "\n\n\n" not in mermaid


def test_the_readme_shows_the_current_diagram():
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", readme, re.S)
    assert block, "README.md has no ```mermaid block"
    assert block.group(1) == draw("mermaid"), (
        "README's state diagram is out of date: paste `contactexport diagram` into it"
    )


def test_why_handle_time_lists_the_view_time_credited(loaded):
    text = loaded("timeline", "stk-call", "--why", "Contact Handle Time").stdout
    assert "profile-view time credited to this contact = 600" in text
    assert "2026-11-02T16:05:00.000+00:00 to 2026-11-02T16:15:00.000+00:00: 600 s" in text
    assert "PROFILE_VIEW/STARTED" in loaded("timeline", "stk-call").stdout


def test_why_names_the_ignored_event_that_would_have_set_the_value(invoke, tmp_path):
    """A FULFILLED after ENDED is an anomaly: `--why "Fulfilled At"` must point at it rather
    than only say that no event changed the value."""
    chat = {"conversation": "late-conv", "channel": "CHAT"}
    events = [
        ev("CONTACT/STARTED", "08:00", "late-chat", **chat),
        ev("CONTACT/ENDED", "08:03", "late-chat", status="NOT_ANSWERED", **chat),
        ev("CONTACT/FULFILLED", "08:04", "late-chat", fulfilledType="RESPONDED", **chat),
    ]
    with EventStore(invoke.db) as store:
        ingest_files(store, [write_events(tmp_path / "e.jsonl", events)])
    text = " ".join(invoke("timeline", "late-chat", "--why", "Fulfilled At").stdout.split())
    assert "No event changed it." in text
    assert "what replay ignored for this contact (anomalies)" in text
    assert "CONTACT/FULFILLED after CONTACT/ENDED" in text
    doc = json.loads(invoke("timeline", "late-chat", "--why", "Fulfilled At", "--json").stdout)
    assert [a["reason"] for a in doc["why"]["ignored"]] == ["CONTACT/FULFILLED after CONTACT/ENDED"]


def _shown_changes(document: dict) -> list[str]:
    """Every change the table shows, as it shows it (counters starting at 0 are left out)."""
    return [
        f"{c['column']}: {c['old'] or '∅'} → {c['new'] or '∅'}"
        for event in document["events"]
        for c in event["changes"]
        if not (c["old"] == "" and c["new"] == "0")
    ]


@pytest.mark.parametrize("columns", [80, 120])
def test_timeline_shows_every_change_whole_in_a_terminal_of_80_or_120_columns(loaded, columns):
    """The column changes are what the command is for: a table squeezed them to nothing below
    ~150 columns, and cut times and event types with …."""
    shown = loaded("timeline", "efpc-email", env={"COLUMNS": str(columns)}).stdout
    lines = [line.strip() for line in shown.splitlines()]
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= columns
    assert "Queued-to-Fulfilled Time: 180 → -120" in lines
    document = json.loads(loaded("timeline", "efpc-email", "--json").stdout)
    for change in _shown_changes(document):
        assert change in lines  # whole, on a line of its own
    for event in document["events"]:
        assert event["timestamp"] in shown and event["type"] in shown
    assert "other contact efpc-call" in shown
    why = loaded("timeline", "efpc-email", "--why", "Fulfilled At", env={"COLUMNS": str(columns)})
    assert "…" not in why.stdout
    assert "Fulfilled At: 2026-11-02T08:11:00.000+00:00 → 2026-11-02T08:06:00.000+00:00" in [
        line.strip() for line in why.stdout.splitlines()
    ]


def test_a_timeline_too_narrow_for_a_change_wraps_it_rather_than_cutting_it(loaded):
    shown = loaded("timeline", "efpc-email", env={"COLUMNS": "40"}).stdout
    assert "…" not in shown and max(len(line) for line in shown.splitlines()) <= 40
    flowing = " ".join(shown.split())
    for change in _shown_changes(json.loads(loaded("timeline", "efpc-email", "--json").stdout)):
        assert change in flowing


def test_a_wide_timeline_gives_each_event_one_line_with_its_changes_under_it(loaded):
    lines = loaded("timeline", "efpc-email", env={"COLUMNS": "200"}).stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if "other contact efpc-call" in line)
    assert lines[heading].split() == [
        "2026-11-02T08:11:00.000+00:00", "CONTACT/ENDED", "by", "CUSTOMER", "other", "contact",
        "efpc-call",
    ]  # fmt: skip
    assert lines[heading + 1].startswith("  Fulfilled At: 2026-11-02T08:11:00.000+00:00 → ")


def test_the_timeline_row_has_the_link_export_writes(loaded, monkeypatch):
    """The row is "all 57 columns, as exported": with a link template, Link too."""
    plain = json.loads(loaded("timeline", "efpc-call", "--json").stdout)
    assert plain["row"]["Link"] == ""
    monkeypatch.setenv(
        "CONTACTEXPORT_LINK_TEMPLATE", "https://x.example/{customer_id}/{contact_id}"
    )
    linked = json.loads(loaded("timeline", "efpc-call", "--json").stdout)
    assert linked["row"]["Link"] == "https://x.example/efpc-cust/efpc-call"
    exported = list(
        csv.DictReader(io.StringIO(loaded("export", "--columns", "Contact ID,Link").stdout))
    )
    assert {"Contact ID": "efpc-call", "Link": linked["row"]["Link"]} in exported


def test_an_ordinary_timeline_keeps_each_event_heading_on_two_lines_at_80(loaded):
    """Assignee updates (29 characters) and a 29-character time do not push every event into
    one field per line: only the source and state move to a second line."""
    shown = loaded("timeline", "efpc-email", env={"COLUMNS": "80"}).stdout
    heading = next(line for line in shown.splitlines() if "CONTACT/STARTED" in line)
    assert heading.startswith("2026-11-02T08:08:00.000+00:00") and "by CUSTOMER" in heading
    assert loaded("timeline", "efpc-email", env={"COLUMNS": "2"}).exit_code == 0  # no crash
