"""`contactexport rejects`: what ingest kept as rejects, listed without the sqlite3 shell."""

import csv
import inspect
import io
import json
import shlex

import pytest

from contactexport.cli.rejects import RAW_SHOWN, TABLE_ROWS, rejects
from tests.test_ingest import event_line, write

LONG = b'{"id": "' + b"x" * 200 + b'"}'
BAD = [
    event_line(1),
    b"\xff\xfe not utf-8 \x1b[31mred\n",
    b"=1+2\n",
    LONG + b"\n",
]


@pytest.fixture
def rejected(invoke, tmp_path, monkeypatch):
    """`invoke` in tmp_path, with a store holding BAD's three rejects (bad.jsonl, lines 2-4)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "bad.jsonl", BAD)
    assert invoke("ingest", "bad.jsonl").exit_code == 1
    return invoke


def test_the_table_names_input_line_reason_and_the_line_shortened(rejected):
    result = rejected("rejects")
    assert result.exit_code == 0
    [second] = [line for line in result.stdout.splitlines() if "not UTF-8" in line]
    assert "│ bad.jsonl │ 2 " in second
    assert "\\xff\\xfe not utf-8 \\x1b[31mred" in second  # shown, not sent to the terminal
    assert "\x1b" not in result.stdout
    assert LONG.decode()[:RAW_SHOWN] + "…" in result.stdout
    assert LONG.decode()[: RAW_SHOWN + 1] not in result.stdout
    assert "3 rejects" in result.stderr


def test_csv_has_every_line_whole_and_spreadsheet_safe(rejected):
    result = rejected("rejects", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["source"], row["line"]) for row in rows] == [
        ("bad.jsonl", "2"),
        ("bad.jsonl", "3"),
        ("bad.jsonl", "4"),
    ]
    assert [row["raw"] for row in rows] == [
        "\\xff\\xfe not utf-8 \x1b[31mred",
        "'=1+2",
        LONG.decode(),
    ]
    assert rows[0]["reason"] == "not UTF-8: byte 0xff at column 1"
    assert rows[0]["rejected_at"].endswith("Z")


def test_json_lines_keep_the_text_as_written(rejected):
    result = rejected("rejects", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(records[1]) == ["source", "line", "reason", "rejected_at", "raw"]
    assert (records[1]["line"], records[1]["raw"]) == (3, "=1+2")


def test_limit_source_and_a_file(rejected, tmp_path):
    written = tmp_path / "rejects.csv"
    result = rejected(
        "rejects", "--format", "csv", "-n", "2", "--source", "*bad.jsonl", "-o", str(written)
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert len(list(csv.DictReader(written.open(encoding="utf-8")))) == 2
    assert f"3 rejects (first 2 shown) to {written}" in result.stderr
    other = rejected("rejects", "--source", "other.jsonl")
    assert other.exit_code == 0 and "no rejects from other.jsonl" in other.stderr


def test_the_table_shows_the_first_rows_and_says_so(invoke, tmp_path):
    invoke("ingest", str(write(tmp_path / "nulls.jsonl", [b"null\n"] * (TABLE_ROWS + 5))))
    result = invoke("rejects")
    assert result.stdout.count("JSON null, not a JSON object") == TABLE_ROWS
    assert f"{TABLE_ROWS + 5} rejects (first {TABLE_ROWS} shown)" in result.stderr


def test_the_table_is_not_written_to_a_file_nor_the_store_overwritten(rejected, tmp_path):
    table = rejected("rejects", "-o", str(tmp_path / "r.txt"))
    assert table.exit_code == 2 and "add --format csv or jsonl" in table.stderr
    store = rejected("rejects", "--format", "csv", "-o", str(rejected.db))
    assert store.exit_code == 2 and "would destroy it" in " ".join(store.stderr.split())
    assert rejected("rejects").exit_code == 0


def test_a_missing_store_is_refused(invoke):
    result = invoke("rejects")
    assert result.exit_code == 2 and "no event store at" in result.stderr
    assert not invoke.db.exists()


def test_no_rejects(invoke, tmp_path):
    invoke("ingest", str(write(tmp_path / "good.jsonl", [event_line(1)])))
    result = invoke("rejects")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no rejects" in result.stderr


def test_the_example_of_the_help_works(rejected, tmp_path):
    [example] = [line for line in inspect.getdoc(rejects).splitlines() if "Example:" in line]
    command = shlex.split(example.partition("Example: contactexport ")[2])
    assert rejected(*command).exit_code == 0
    assert (tmp_path / "rejects.csv").exists()
