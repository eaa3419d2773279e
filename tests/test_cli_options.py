"""Options as a user types them: any case for fixed words and zones, several sort keys, output
files whose name decides gzip and format, IDs that start with -, rows no date range holds."""

import csv
import gzip
import io
import json
import re

import pytest
from conftest import write_events

from builders import ev
from contactexport.ingest import ingest_files
from eventstore import EventStore


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def message(result) -> str:
    """stderr without typer's box and line wrapping."""
    return re.sub(r"[\s│]+", " ", result.stderr)


def add_events(db, tmp_path, *events):
    with EventStore(db) as store:
        ingest_files(store, [write_events(tmp_path / "more.jsonl", list(events))])


# Output files: gzip and format from the name ---------------------------------------------------


def gzip_header_is_deterministic(data: bytes) -> bool:
    """No file name (FLG.FNAME, bit 3) and no modification time (MTIME, bytes 4-7)."""
    return data[:2] == b"\x1f\x8b" and not data[3] & 0x08 and data[4:8] == b"\0\0\0\0"


def test_export_to_a_gz_name_is_gzipped_deterministically(loaded, tmp_path):
    plain = loaded("export").stdout
    first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.GZ"
    assert loaded("export", "-o", str(first)).exit_code == 0
    assert loaded("export", "-o", str(second)).exit_code == 0
    assert gzip.decompress(first.read_bytes()).decode("utf-8") == plain
    assert gzip_header_is_deterministic(first.read_bytes())
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv.gz", "b.csv.GZ", "store.db"]


def test_anomalies_to_a_gz_name_are_gzipped_too(invoke, tmp_path):
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/HOLD_ENDED", "08:01", "headless", conversation="h-conv", reason="MANUAL"),
    )
    target = tmp_path / "anomalies.jsonl.gz"
    assert invoke("anomalies", "--format", "jsonl", "-o", str(target)).exit_code == 0
    (line,) = gzip.decompress(target.read_bytes()).decode("utf-8").splitlines()
    assert json.loads(line)["Contact ID"] == "headless"


@pytest.mark.parametrize("name", ["out.jsonl", "out.ndjson", "out.JSONL.gz", "out.ndjson.gz"])
def test_export_writes_json_lines_when_the_name_says_so(loaded, tmp_path, name):
    target = tmp_path / name
    assert loaded("export", "-o", str(target), "--columns", "Contact ID").exit_code == 0
    data = target.read_bytes()
    text = gzip.decompress(data) if name.lower().endswith(".gz") else data
    lines = text.decode("utf-8").splitlines()
    assert lines and all(set(json.loads(line)) == {"Contact ID"} for line in lines)


def test_the_name_decides_only_when_format_is_not_given(loaded, tmp_path):
    csv_name = tmp_path / "out.csv"
    assert loaded("export", "-o", str(csv_name), "--format", "CSV").exit_code == 0
    assert csv_name.read_text(encoding="utf-8").startswith("Queued At,")
    other = tmp_path / "out.txt"  # a name that says nothing: --format, else csv
    assert loaded("export", "-o", str(other), "--format", "jsonl").exit_code == 0
    assert other.read_text(encoding="utf-8").startswith("{")
    assert loaded("export", "-o", str(other)).exit_code == 0
    assert other.read_text(encoding="utf-8").startswith("Queued At,")


@pytest.mark.parametrize(
    ("name", "fmt"), [("out.jsonl", "csv"), ("out.csv.gz", "jsonl"), ("out.ndjson", "csv")]
)
def test_a_format_the_name_contradicts_is_refused_before_any_work(loaded, tmp_path, name, fmt):
    result = loaded("export", "-o", str(tmp_path / name), "--format", fmt)
    assert result.exit_code == 2
    assert f"--format {fmt} contradicts the name {name}" in message(result)
    assert not (tmp_path / name).exists()


def test_an_empty_output_name_is_called_empty_and_a_folder_a_folder(loaded, tmp_path):
    empty = loaded("export", "-o", "")
    assert empty.exit_code == 2
    assert "the file name is empty; name a file, or - for stdout" in message(empty)
    folder = loaded("export", "-o", str(tmp_path))
    assert folder.exit_code == 2
    assert f"{tmp_path} is a folder" in message(folder)
    for option in ("-o", "--truth"):
        simulated = loaded("simulate", "-n", "1", "-o", str(tmp_path / "e.jsonl"), option, "")
        assert simulated.exit_code == 2
        assert "the file name is empty" in message(simulated)


# Sorting -----------------------------------------------------------------------------------------


def test_desc_alone_reverses_the_default_order_newest_queued_first(loaded):
    ascending = [r["Queued At"] for r in parse_csv(loaded("export").stdout)]
    descending = [r["Queued At"] for r in parse_csv(loaded("export", "--desc").stdout)]
    dated = [q for q in ascending if q]
    assert dated != sorted(dated, reverse=True)  # the fixtures hold more than one moment
    assert descending[: len(dated)] == sorted(dated, reverse=True)
    assert descending[len(dated) :] == [""] * (len(ascending) - len(dated))  # blanks last


def test_sort_keys_repeat_in_order(loaded):
    args = ("export", "--sort", "channel", "--sort", "Talk Time", "--columns", "Channel,Talk Time")
    rows = parse_csv(loaded(*args).stdout)
    keys = [(r["Channel"], float(r["Talk Time"]) if r["Talk Time"] else float("inf")) for r in rows]
    assert keys == sorted(keys)
    assert len({channel for channel, _ in keys}) > 1
    assert len({talk for channel, talk in keys if channel == "PHONE_CALL"}) > 1
    rows = parse_csv(loaded(*args, "--desc").stdout)
    channels = [r["Channel"] for r in rows]
    assert channels == sorted(channels, reverse=True)


# Any case ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "CSV"],
        ["export", "--format", "Jsonl"],
        ["export", "--durations", "HMS"],
        ["export", "--tz", "utc"],
        ["export", "--tz", "Utc"],
        ["export", "--tz", "america/new_york"],
        ["summary", "--by", "DAY"],
        ["summary", "--by", "Week", "--format", "CSV"],
        ["top", "Talk Time", "--format", "Csv", "--durations", "Hms"],
        ["timeline", "efpc-call", "--tz", "EUROPE/PARIS"],
        ["diagram", "--format", "DOT"],
        ["anomalies", "--format", "JSONL"],
        ["rejects", "--format", "Csv"],
    ],
)
def test_fixed_words_and_zone_names_take_any_case(loaded, args):
    result = loaded(*args)
    assert result.exit_code == 0, result.stderr


def test_a_zone_in_another_case_is_that_zone(loaded):
    exact = loaded("export", "--tz", "America/New_York", "--durations", "hms").stdout
    assert loaded("export", "--tz", "AMERICA/NEW_YORK", "--durations", "HMS").stdout == exact
    assert loaded("export", "--tz", "utc").stdout == loaded("export").stdout


@pytest.mark.parametrize("zone", ["America", "Mars/Olympus", "", "../etc"])
def test_a_zone_that_is_not_one_is_a_usage_error_not_a_traceback(loaded, zone):
    result = loaded("export", "--tz", zone)
    assert result.exit_code == 2
    assert "unknown time zone" in message(result)


def test_simulate_takes_a_zone_in_any_case(invoke):
    assert (
        invoke("simulate", "-n", "3", "--tz", "america/new_york").stdout_bytes
        == invoke("simulate", "-n", "3", "--tz", "America/New_York").stdout_bytes
    )


def test_summary_by_an_unknown_group_lists_the_periods(loaded):
    result = loaded("summary", "--by", "month")
    assert result.exit_code == 2
    assert "no column or period 'month'; periods: hour, day, week" in message(result)
    assert "did you mean 'week'?" in message(loaded("summary", "--by", "weak"))


# IDs that start with - ------------------------------------------------------------------------


def test_an_id_starting_with_a_dash_gets_a_hint_to_put_it_after_double_dash(loaded):
    result = loaded("timeline", "-GvHjvjVd2XFD5ko9SOGng", "--why", "Talk Time")
    assert result.exit_code == 2
    assert (
        "No such option: -G. An ID that starts with - goes after --, as in: timeline "
        "--why 'Talk Time' -- -GvHjvjVd2XFD5ko9SOGng"
    ) in message(result)
    long = loaded("timeline", "--GvHjvjVd2XFD5ko9SOGng")
    assert "goes after --, as in: timeline -- --GvHjvjVd2XFD5ko9SOGng" in message(long)


def test_no_id_hint_when_an_id_is_already_given(loaded):
    """`timeline abc -Z`: -Z is an unknown option, not a second ID; moving it after -- would
    make two arguments."""
    result = loaded("timeline", "efpc-call", "-Z")
    assert result.exit_code == 2
    assert "No such option: -Z" in message(result) and "goes after --" not in message(result)


def test_a_misspelt_option_gets_no_id_hint(loaded):
    result = loaded("timeline", "efpc-call", "--whyy", "Talk Time")
    assert result.exit_code == 2
    assert "--why" in message(result) and "goes after --" not in message(result)


# Contacts without Queued At -------------------------------------------------------------------


def test_a_date_range_says_how_many_contacts_it_cannot_hold(invoke, tmp_path):
    """No CONTACT/STARTED, no Queued At: the filter keeps its meaning but says what it left."""
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/STARTED", "08:00", "dated", conversation="d-conv"),
        ev("CONTACT/ENDED", "08:10", "dated", conversation="d-conv"),
        ev("CONTACT/ENDED", "08:11", "headless-1", conversation="h1", channel="CHAT"),
        ev("CONTACT/ENDED", "08:12", "headless-2", conversation="h2"),
    )
    everything = invoke("export")
    assert "exported 3 contacts" in everything.stderr
    assert "without Queued At" not in everything.stderr
    dated = invoke("export", "--from", "2026-11-01", "--to", "2026-11-30")
    assert "exported 1 contact\n" in dated.stderr
    assert (
        "2 contacts without Queued At (no CONTACT/STARTED) are outside any date range: "
        "see anomalies" in dated.stderr
    )
    chat = invoke("export", "--to", "2026-11-30", "--channel", "chat")  # other filters apply
    assert "exported 0 contacts" in chat.stderr
    assert "1 contact without Queued At (no CONTACT/STARTED) is outside" in chat.stderr
    assert "without Queued At" in invoke("export", "--help", env={"COLUMNS": "200"}).stdout
    for command in (["summary", "--metric", "Queued-to-Ended Time"], ["top", "Offered"]):
        said = " ".join(invoke(*command, "--from", "2026-11-01").stderr.split())
        assert "2 contacts without Queued At (no CONTACT/STARTED) are outside" in said
        assert "without Queued At" not in invoke(*command).stderr


@pytest.mark.parametrize("command", ["anomalies", "rejects"])
def test_listings_take_their_format_from_the_output_name(loaded, tmp_path, command):
    written = tmp_path / f"{command}.jsonl"
    result = loaded(command, "-o", str(written))
    assert result.exit_code == 0, result.stderr
    assert all(json.loads(line) for line in written.read_text(encoding="utf-8").splitlines())
    refused = loaded(command, "--format", "csv", "-o", str(tmp_path / "x.jsonl"))
    assert refused.exit_code == 2 and "contradicts the name" in " ".join(refused.stderr.split())
