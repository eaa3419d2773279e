"""summary and top: the report's "how to use" scenarios."""

import csv
import io
import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from conftest import write_events

from builders import ev
from contactexport.columns import HEADERS
from contactexport.ingest import ingest_files
from contactexport.summary import bucket, p90, summarize
from contactexport.timestamps import parse_ms
from eventstore import EventStore


def test_summary_by_entry_point_for_voice(loaded):
    result = loaded("summary", "--by", "Entry Point", "--channel", "voice",
                    "--metric", "Queued-to-Fulfilled Time", "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["Entry Point", "count", "mean", "median", "p90", "max"]
    by_entry = {r["Entry Point"]: r for r in rows}
    assert by_entry["+15550100"]["count"] == "3"
    assert by_entry["+15550100"]["max"] == "60"


def test_summary_trend_by_day_and_channel(loaded):
    result = loaded("summary", "--by", "day", "--by", "channel", "--metric",
                    "contact handle time", "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["day"] for r in rows} >= {"2026-11-02"}
    assert {"PHONE_CALL", "CHAT"} <= {r["Channel"] for r in rows}


def test_summary_csv_quotes_event_text_but_not_its_own_numbers(loaded):
    result = loaded("summary", "--by", "Final IVR Selection", "--metric", "Queued-to-Ended Time",
                    "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "'=1+1" in {r["Final IVR Selection"] for r in rows}
    by_contact = loaded("summary", "--by", "Contact ID", "--metric", "Queued-to-Fulfilled Time",
                        "--durations", "hms", "--format", "csv").stdout  # fmt: skip
    means = {r["Contact ID"]: r["mean"] for r in csv.DictReader(io.StringIO(by_contact))}
    assert means["efpc-email"] == "-0:00:02:00"


def test_summary_refuses_a_text_metric(loaded):
    result = loaded("summary", "--metric", "Entry Point")
    assert result.exit_code == 2 and "not a number" in result.stderr


@pytest.mark.parametrize("column", ["Talk Time", "Queued At", "Payment Amount – Completed USD"])
def test_summary_refuses_to_group_by_a_time_duration_or_amount(loaded, column):
    """Each value its own group, shown as raw milliseconds: periods group times instead."""
    result = loaded("summary", "--by", column, "--metric", "Offered")
    message = re.sub(r"[\s│]+", " ", result.stderr)  # typer boxes and wraps errors
    assert result.exit_code == 2 and "group by a text or count column" in message
    assert "hour, day, week" in message


def test_a_count_of_zero_is_a_group_and_counts_sort_as_numbers():
    rows = [(0, 1000), (10, 2000), (2, 3000), (None, 4000)]
    made = [report_row({"Offered": offered, "Talk Time": talk}) for offered, talk in rows]
    stats = summarize(made, ["Offered"], "Talk Time", UTC)
    assert [s.key for s in stats] == [("",), ("0",), ("2",), ("10",)]  # blank first, as for text


def test_top_lists_the_biggest_contributors_with_links(loaded):
    result = loaded("top", "Contact Handle Time", "-n", "3", "--format", "csv",
                    "--link-template", "https://acme.gladly.com/c/{conversation_id}")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["Contact ID"] for r in rows] == ["stk-call", "stk-chat", "chat-chat"]
    assert rows[0]["Link"] == "https://acme.gladly.com/c/stk-conv"
    values = [float(r["Contact Handle Time"]) for r in rows]
    assert values == sorted(values, reverse=True)


def test_top_writes_durations_in_seconds_or_hms_as_export_does(loaded):
    metric = "Queued-to-Fulfilled Time"
    table = loaded("top", "Contact Handle Time", "-n", "1", "--durations", "hms").stdout
    assert "0:00:10:00" in table and "600" not in table
    for durations in ("seconds", "hms"):
        top = loaded("top", metric, "-n", "100", "--durations", durations, "--format", "csv")
        assert top.exit_code == 0, top.stderr
        export = loaded("export", "--columns", f"Contact ID,{metric}", "--durations", durations)
        ranked = {r["Contact ID"]: r[metric] for r in csv.DictReader(io.StringIO(top.stdout))}
        exported = {r["Contact ID"]: r[metric] for r in csv.DictReader(io.StringIO(export.stdout))}
        assert ranked == {contact: cell for contact, cell in exported.items() if cell}
    assert ranked["efpc-email"] == "-0:00:02:00"  # a negative duration gains no quote either


def test_top_csv_quotes_text_a_spreadsheet_would_run(loaded, tmp_path):
    events = [
        ev("CONTACT/STARTED", "08:00", "f-1", conversation="f-conv", inbox="f-inbox",
           entryPoint="=HYPERLINK(1)"),
        ev("CONTACT/ENDED", "08:30", "f-1", conversation="f-conv", status="ANSWERED"),
    ]  # fmt: skip
    with EventStore(loaded.db) as store:
        ingest_files(store, [write_events(tmp_path / "f.jsonl", events)])
    top = loaded("top", "Queued-to-Ended Time", "--inbox", "f-inbox", "--format", "csv").stdout
    assert [r["Entry Point"] for r in csv.DictReader(io.StringIO(top))] == ["'=HYPERLINK(1)"]
    # A terminal runs nothing: the table shows the text as the events gave it.
    table = loaded("top", "Queued-to-Ended Time", "--inbox", "f-inbox", env={"COLUMNS": "200"})
    assert "=HYPERLINK(1)" in table.stdout and "'=HYPERLINK(1)" not in table.stdout


def report_row(cells: dict) -> tuple:
    """A raw row in the real column layout, blank but for the given headers."""
    return tuple(cells.get(header) for header in HEADERS)


def test_top_takes_limit_like_anomalies(loaded):
    result = loaded("top", "Contact Handle Time", "--limit", "2", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 2


@pytest.mark.parametrize("n", ["0", "-3"])
def test_top_needs_at_least_one_contact(loaded, n):
    result = loaded("top", "Contact Handle Time", "-n", n)
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())  # unboxed, one line
    assert "Input should be greater than or equal to 1" in message


@pytest.mark.parametrize(
    ("size", "expected"),
    [("hour", "2026-11-02T08:00+00:00"), ("day", "2026-11-02"), ("week", "2026-W45")],
)
def test_time_buckets(size, expected):
    assert bucket(parse_ms("2026-11-02T08:30:00Z"), size, UTC) == expected


def test_statistics_per_group():
    rows = [
        ("a", 1000), ("a", 3000), ("b", None), ("b", 5000),
    ]  # fmt: skip
    made = [report_row({"Entry Point": entry, "Talk Time": talk}) for entry, talk in rows]
    stats = summarize(made, ["Entry Point"], "Talk Time", UTC)
    assert [(s.key, s.count, s.mean, s.median, s.max) for s in stats] == [
        (("a",), 2, 2000, 2000, 3000),
        (("b",), 1, 5000, 5000, 5000),
    ]
    assert p90([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]) == pytest.approx(9.1)


@pytest.mark.parametrize(
    ("zone", "first", "second"),
    [
        # 01:00 comes twice in New York (-04:00, then -05:00) and 02:00 in Amsterdam (+02:00,
        # then +01:00): both hours stay apart and in time order, whatever their offsets sort as.
        ("America/New_York", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"),
        ("Europe/Amsterdam", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"),
    ],
)
def test_the_hour_clocks_go_back_is_two_hours_in_time_order(zone, first, second):
    def row(queued, talk):
        return report_row({"Queued At": parse_ms(queued), "Talk Time": talk})

    rows = [row(second, 2000), row(first, 1000), row(first, 3000)]
    stats = summarize(rows, ["hour"], "Talk Time", ZoneInfo(zone))
    assert [(s.count, s.mean) for s in stats] == [(2, 2000), (1, 2000)]
    earlier, later = (s.key[0] for s in stats)
    assert earlier[:13] == later[:13] and earlier != later
