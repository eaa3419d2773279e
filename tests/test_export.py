"""The CSV written by SQLite's formatting equals the one written cell by cell in Python."""

import csv
import io
import json
from zoneinfo import ZoneInfo

import pytest
from conftest import write_events

from builders import ev
from contactexport.export import (
    ExportQuery,
    RowFormat,
    export_csv,
    format_rows,
    is_default_format,
    query_rows,
    write_csv,
    write_jsonl,
)
from contactexport.ingest import ingest_files
from contactexport.projector import catch_up
from eventstore import EventStore

HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1)", "\tx", "+1+2", "-1-", "+15550100", "-2", "-", "+",
           "'quoted", "plain", "-1.5", "+1.", "+.5", "=", "", "a,b", 'say "hi"', "two\nlines",
           "cr\rhere", "-1.2.3", "+12a", " lead", "-,1", "é ünïcødé 📞", "-iHMbVH2vffonQO-m3TyjQ",
           "-abc(", "\r=cmd", "-A1!B2", "+iHMb", "-_-", "-A1-A2-A3-A4-A5-A6-A7"]  # fmt: skip


@pytest.fixture
def store(tmp_path):
    events = [
        ev("CONTACT/STARTED", "08:00", f"h{i}", conversation=f"hc{i}", entryPoint=text,
           finalIVRSelection=text, customer=text or "x", dueAt="1969-12-31T23:59:59.999Z")
        for i, text in enumerate(HOSTILE)
    ]  # fmt: skip
    old = [
        ev("CONTACT/STARTED", "07:00", "old", conversation="old", entryPoint="it's"),
        ev("CONTACT/ENDED", "07:00", "old", conversation="old", status="ABANDONED"),
    ]
    old[0]["timestamp"] = "1969-12-31T23:59:58.500Z"  # before 1970: floor division matters
    old[1]["timestamp"] = "1970-01-01T00:00:00.001Z"
    nameless = ev("CONTACT/STARTED", "09:00", "nameless", conversation="nameless")
    del nameless["content"]["customerId"]  # no customer: a Link that needs one is blank
    with EventStore(tmp_path / "s.db") as s:
        ingest_files(s, [write_events(tmp_path / "e.jsonl", [*events, *old, nameless])])
        catch_up(s)
        yield s


def python_csv(store, row_format):
    out = io.StringIO()
    write_csv(
        out, format_rows(query_rows(store.conn, ExportQuery()), row_format), row_format.columns
    )
    return out.getvalue()


def sql_csv(store, row_format):
    out = io.StringIO()
    export_csv(store.conn, ExportQuery(), row_format, out)
    return out.getvalue()


@pytest.mark.parametrize(
    "template",
    [
        None,
        "https://x/{customer_id}/{conversation_id}/{contact_id}",
        "={contact_id}",
        "it's/{contact_id}",
        "{customer_id}",
    ],
)
def test_sql_and_python_formatting_agree(store, template):
    row_format = RowFormat(link_template=template)
    assert is_default_format(row_format)
    written = sql_csv(store, row_format)
    assert written == python_csv(store, row_format)
    assert '"cr\rhere"' in written and '"two\nlines"' in written and '"a,b"' in written


def test_a_link_that_needs_the_customer_is_blank_without_one(store):
    """https://x/customer//nameless leads nowhere: no link is better."""
    for template, link in (
        ("https://x/customer/{customer_id}", ""),
        ("https://x/{customer_id!s}/{contact_id}", ""),
        ("c/{contact_id}", "c/nameless"),
        ("c/{{customer_id}}/{contact_id}", "c/{customer_id}/nameless"),  # literal braces
    ):
        row_format = RowFormat(link_template=template, columns=("Contact ID", "Link"))
        for written in (
            sql_csv(store, RowFormat(link_template=template)),
            python_csv(store, row_format),
        ):
            rows = {r["Contact ID"]: r["Link"] for r in csv.DictReader(io.StringIO(written))}
            assert rows["nameless"] == link


@pytest.mark.parametrize("text", ["-iHMbVH2vffonQO-m3TyjQ", "-A1-A2-A3-A4-A5-A6-A7"])
def test_ids_starting_with_minus_are_quoted_in_csv_and_raw_in_jsonl(store, text):
    """SPEC §3: a spreadsheet runs both (#NAME?, or a sum of cells), so the CSV quotes them,
    in the stored lines and the Link cell made in SQL alike; JSONL is for exact IDs."""
    contact = f"h{HOSTILE.index(text)}"
    row_format = RowFormat(link_template="{customer_id}")
    line = next(line for line in sql_csv(store, row_format).splitlines() if f",{contact}," in line)
    assert f",'{text},hc{HOSTILE.index(text)},{contact},'{text}," in line
    out = io.StringIO()
    write_jsonl(out, query_rows(store.conn, ExportQuery()), row_format)
    record = next(
        r for r in map(json.loads, out.getvalue().splitlines()) if r["Contact ID"] == contact
    )
    assert record["Customer ID"] == record["Link"] == record["Entry Point"] == text


def test_sql_formatting_agrees_on_every_fixture(loaded):
    loaded("replay")
    with EventStore(loaded.db) as s:
        assert sql_csv(s, RowFormat()) == python_csv(s, RowFormat())


def test_zones_hms_subsets_and_odd_templates_take_the_python_path():
    assert not is_default_format(RowFormat(zone=ZoneInfo("Europe/Paris")))
    assert not is_default_format(RowFormat(durations="hms"))
    assert not is_default_format(RowFormat(columns=("Contact ID",)))
    assert not is_default_format(RowFormat(link_template="{customer_id}{unknown}"))
    assert not is_default_format(RowFormat(link_template="https://x/a}}b/{contact_id}"))
    assert is_default_format(RowFormat(zone=ZoneInfo("UTC")))
