"""replay, export and anomalies through the CLI, asserting on output and on the store."""

import csv
import errno
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest
from conftest import FIXTURES, REFERENCE, write_events

from builders import ev
from contactexport.columns import HEADERS
from contactexport.ingest import ingest_files
from contactexport.projector import TABLE
from eventstore import EventStore


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# Every fixture's contacts: the `loaded` store holds all fixtures (the sample repeats them).
CONTACTS = len(parse_csv((FIXTURES / "sample" / "expected.csv").read_text(encoding="utf-8")))


def add_events(db, tmp_path, *events):
    with EventStore(db) as store:
        ingest_files(store, [write_events(tmp_path / "more.jsonl", list(events))])


def test_export_headers_are_exactly_the_reports_57_columns(loaded):
    reference = REFERENCE / "contact-export-report.txt"
    if not reference.is_file():
        pytest.skip(f"{reference} not found")
    lines = reference.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Metric | Description"))
    names = [line.split(" | ")[0] for line in lines[start + 1 : start + 58]]
    header = next(csv.reader(io.StringIO(loaded("export").stdout)))
    assert header == names == list(HEADERS)


def test_export_catches_up_and_matches_the_sample_fixture(loaded):
    result = loaded("export")
    assert result.exit_code == 0
    expected = (FIXTURES / "sample" / "expected.csv").read_text(encoding="utf-8")
    assert result.stdout == expected
    assert f"exported {CONTACTS} contacts" in result.stderr


def test_export_to_dash_is_stdout_as_for_simulate(loaded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = loaded("export", "-o", "-", "--columns", "Contact ID")
    assert result.stdout.startswith("Contact ID\n")
    assert not (tmp_path / "-").exists()


def test_export_to_a_file(loaded, tmp_path):
    out = tmp_path / "report.csv"
    assert loaded("export", "-o", str(out)).exit_code == 0
    assert len(parse_csv(out.read_text(encoding="utf-8"))) == CONTACTS


# -o files: written whole or not at all, beside the file they replace (contactexport/output.py)


@pytest.fixture
def out(tmp_path):
    """A folder for the output alone (the store is in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_export_through_a_symlink_writes_the_file_it_points_to_and_keeps_the_link(loaded, out):
    (out / "reports").mkdir()
    real = out / "reports" / "latest.csv"
    real.write_text("yesterday's report\n", encoding="utf-8")
    link = out / "report.csv"
    link.symlink_to(real)
    assert loaded("export", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and link.resolve() == real
    assert len(parse_csv(real.read_text(encoding="utf-8"))) == CONTACTS
    assert sorted(p.name for p in out.rglob("*")) == ["latest.csv", "report.csv", "reports"]


def _read_in_background(fifo) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    return reader, got


def test_export_to_a_fifo_writes_into_it(loaded, out):
    fifo = out / "report.fifo"
    os.mkfifo(fifo)
    reader, got = _read_in_background(fifo)
    assert loaded("export", "-o", str(fifo)).exit_code == 0
    reader.join(timeout=30)
    assert got == [loaded("export").stdout_bytes]
    assert list(out.iterdir()) == [fifo]


@pytest.mark.parametrize("name", ["store.db", "store.db-wal", "store.db-shm", "link", "hard"])
def test_an_output_naming_the_store_is_refused_before_it_is_touched(loaded, tmp_path, name):
    """The report used to replace the event store, silently."""
    (tmp_path / "link").symlink_to(loaded.db)
    os.link(loaded.db, tmp_path / "hard")
    before = loaded.db.read_bytes()
    for command in (["export"], ["anomalies", "--format", "csv"]):
        result = loaded(*command, "-o", str(tmp_path / name))
        assert result.exit_code == 2, command
        assert "writing there would destroy it" in re.sub(r"[\s│]+", " ", result.stderr)
    assert loaded.db.read_bytes() == before


def test_a_folder_that_takes_no_new_file_gets_the_file_written_in_place(
    loaded, tmp_path, monkeypatch
):
    """A read-only folder holding a writable file: no hidden file can be made beside it."""
    report = tmp_path / "report.csv"
    report.write_text("yesterday's report\n", encoding="utf-8")

    def read_only_folder(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("contactexport.output.tempfile.mkstemp", read_only_folder)
    assert loaded("export", "-o", str(report)).exit_code == 0
    assert len(parse_csv(report.read_text(encoding="utf-8"))) == CONTACTS


def test_a_read_only_folder_holding_a_writable_file_for_real(loaded, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    report = folder / "report.csv"
    report.write_text("yesterday's report\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user (root) can make files in a read-only folder")
        assert loaded("export", "-o", str(report)).exit_code == 0
        assert len(parse_csv(report.read_text(encoding="utf-8"))) == CONTACTS
    finally:
        folder.chmod(0o755)


def test_a_name_too_long_to_hide_is_written_in_place(loaded, out):
    report = out / ("r" * 250 + ".csv")  # 254 characters: the hidden name would not fit
    report.write_text("yesterday's report\n", encoding="utf-8")
    assert loaded("export", "-o", str(report)).exit_code == 0
    assert len(parse_csv(report.read_text(encoding="utf-8"))) == CONTACTS
    assert list(out.iterdir()) == [report]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", [["export"], ["anomalies", "--format", "csv"]])
def test_a_full_disk_is_a_message_and_exit_1_not_a_traceback(loaded, command):
    result = loaded(*command, "-o", "/dev/full")
    assert result.exit_code == 1
    assert "error: cannot write /dev/full: No space left on device" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize(
    "command",
    [["diagram"], ["summary", "--metric", "Offered"], ["top", "Offered", "--format", "csv"],
     ["timeline", "efpc-call", "--json"], ["--help"], ["--version"]],
)  # fmt: skip
def test_stdout_on_a_full_disk_is_a_message_and_exit_1_not_a_traceback(loaded, command):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "contactexport", "--db", str(loaded.db), *command],
            stdout=full, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == "error: cannot write stdout: No space left on device"


@pytest.mark.parametrize(
    ("command", "status"),
    [(["replay"], 0), (["diagram"], 1), (["export"], 1), (["summary", "--metric", "Offered",
     "--format", "csv"], 1), (["simulate", "-n", "2"], 1)],
)  # fmt: skip
def test_a_closed_stdout_fails_only_a_command_with_something_to_write(loaded, command, status):
    """`replay >&-` has nothing to say on stdout; `export >&-` says it cannot write it (both
    were AttributeError tracebacks: sys.stdout is None)."""
    done = subprocess.run(
        [sys.executable, "-m", "contactexport", "--db", str(loaded.db), *command],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    if status:
        assert "error: cannot write stdout: stdout is closed" in done.stderr


def test_stdin_that_cannot_be_read_is_named_not_blamed_on_stdout(loaded, tmp_path):
    with open(tmp_path / "write-only", "w") as write_only:
        done = subprocess.run(
            [sys.executable, "-m", "contactexport", "--db", str(loaded.db), "ingest", "-"],
            stdin=write_only, capture_output=True, text=True,
        )  # fmt: skip
    assert done.returncode == 2
    assert "error: cannot read <stdin>: Bad file descriptor" in " ".join(done.stderr.split())
    assert "stdout" not in done.stderr and "Traceback" not in done.stderr


def test_an_output_that_cannot_be_made_exits_2_before_any_work(loaded, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("contactexport.output.tempfile.mkstemp", disk_full)
    report = tmp_path / "report.csv"
    result = loaded("export", "-o", str(report))
    assert result.exit_code == 2
    assert f"error: cannot write {report}: No space left on device" in result.stderr
    monkeypatch.undo()
    assert "full replay" in loaded("replay").stderr  # export did not catch up first


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_output_to_dev_stdout_goes_where_the_shell_sent_stdout_appending_after_append(loaded, out):
    """/dev/stdout is a link to the file the shell opened: replacing it would break the link
    (or, as root, /dev itself), and opening it anew would truncate what `>>` appends to."""
    loaded("replay")
    report = out / "report.csv"
    report.write_text("before\n", encoding="utf-8")
    command = f"'{sys.executable}' -m contactexport --db '{loaded.db}' export -o /dev/stdout"
    bash = shutil.which("bash") or "/bin/bash"
    done = subprocess.run([bash, "-c", f"{command} >> '{report}'"], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert report.read_bytes() == b"before\n" + loaded("export").stdout_bytes
    assert list(out.iterdir()) == [report]


def test_replay_is_incremental_and_a_full_replay_gives_identical_rows(loaded, tmp_path):
    first = loaded("replay")
    assert f"full replay: {CONTACTS} contacts" in first.stderr
    before = loaded("export").stdout
    again = loaded("replay")
    assert "incremental replay: 0 contacts from 0 conversations" in again.stderr
    add_events(
        loaded.db,
        tmp_path,
        ev("CONTACT/STARTED", "23:00", "late-1", conversation="late-conv", channel="SMS"),
    )
    late = loaded("replay")
    assert "incremental replay: 1 contact from 1 conversation (1 event)" in late.stderr
    assert loaded("replay", "--full").exit_code == 0
    rows = parse_csv(loaded("export").stdout)
    assert len(rows) == CONTACTS + 1
    assert [r for r in rows if r["Contact ID"] != "late-1"] == parse_csv(before)


def test_a_late_event_for_an_old_conversation_updates_its_row(loaded, tmp_path):
    loaded("replay")
    add_events(
        loaded.db,
        tmp_path,
        ev("CONTACT/TRANSFERRED", "08:07", "efpc-call", conversation="efpc-conv",
           customer="efpc-cust", transferType="WARM", reason="MANUAL",
           assignee={"inboxId": "inbox-x"}),
    )  # fmt: skip
    rows = {r["Contact ID"]: r for r in parse_csv(loaded("export").stdout)}
    assert rows["efpc-call"]["Transferred"] == "1"


def test_rows_and_checkpoint_are_stored_together(loaded):
    loaded("replay")
    with sqlite3.connect(loaded.db) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0] == CONTACTS
        (position,) = conn.execute("SELECT MAX(position) FROM events").fetchone()
        checkpoints = dict(conn.execute("SELECT name, position FROM checkpoints"))
    assert position in checkpoints.values()


def test_filters_dates_channels_and_inboxes(loaded):
    voice = parse_csv(loaded("export", "--channel", "VOICE").stdout)
    assert voice and {r["Channel"] for r in voice} == {"PHONE_CALL"}
    two = parse_csv(loaded("export", "--channel", "email", "--channel", "Chat").stdout)
    assert {r["Channel"] for r in two} == {"EMAIL", "CHAT"}
    day = parse_csv(loaded("export", "--from", "2026-11-03", "--to", "2026-11-03").stdout)
    assert all(r["Queued At"].startswith("2026-11-03") for r in day)
    inbox = voice[0]["Inbox when First Queued"]
    only = parse_csv(loaded("export", "--inbox", inbox).stdout)
    assert only and {r["Inbox when First Queued"] for r in only} == {inbox}


def test_filters_by_status_the_way_to_find_abandoned_calls(loaded):
    """Abandoned calls are PHONE_CALL contacts with Status ABANDONED: ABANDONED_CALL is the
    deprecated follow-up item, so --channel cannot find them."""
    abandoned = parse_csv(loaded("export", "--status", "abandoned").stdout)
    assert abandoned and {(r["Channel"], r["Status"]) for r in abandoned} == {
        ("PHONE_CALL", "ABANDONED")
    }
    both = parse_csv(loaded("export", "--status", "ANSWERED", "--status", "abandoned").stdout)
    assert {r["Status"] for r in both} == {"ANSWERED", "ABANDONED"}
    top = loaded("top", "Queued-to-Ended Time", "--status", "abandoned", "--format", "csv")
    assert top.exit_code == 0 and len(parse_csv(top.stdout)) == len(abandoned)


def test_dates_are_days_in_the_report_time_zone(loaded):
    utc = parse_csv(loaded("export", "--to", "2026-11-02").stdout)
    tokyo = parse_csv(loaded("export", "--to", "2026-11-02", "--tz", "Asia/Tokyo").stdout)
    assert all(r["Queued At"].endswith("+09:00") for r in tokyo)
    assert len(tokyo) < len(utc)  # Tokyo's 2 November ends at 15:00 UTC


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "fax"], "allowed: voice"),
        (["--status", "gone"], "allowed: answered"),
        (["--columns", ""], "no column named"),
        (["--columns", "Channel,channel"], "named twice"),
        (["--from", "02/11/2026"], "YYYY-MM-DD"),
        (["--tz", "Mars/Olympus"], "IANA"),
        (["--sort", "Talk Tme"], "Talk Time"),
        (["--columns", "Contact ID,Nope"], "no column 'Nope'"),
    ],
)
def test_bad_values_exit_2_naming_what_is_allowed(loaded, args, message):
    result = loaded("export", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_sort_numbers_numerically_blanks_last_and_descending(loaded):
    rows = parse_csv(loaded("export", "--sort", "talk time", "--desc").stdout)
    talk = [r["Talk Time"] for r in rows]
    numbers = [float(t) for t in talk if t]
    assert numbers == sorted(numbers, reverse=True)
    assert talk[len(numbers) :] == [""] * (len(talk) - len(numbers))


def test_formats_columns_hms_jsonl_and_link(loaded, monkeypatch):
    cols = "Contact ID,Queued-to-Fulfilled Time,Link"
    monkeypatch.setenv(
        "CONTACTEXPORT_LINK_TEMPLATE", "https://x.example/c/{customer_id}/{contact_id}"
    )
    rows = {r["Contact ID"]: r for r in parse_csv(
        loaded("export", "--columns", cols, "--durations", "hms").stdout)}  # fmt: skip
    assert list(rows["efpc-email"]) == cols.split(",")
    assert rows["efpc-email"]["Queued-to-Fulfilled Time"] == "-0:00:02:00"
    assert rows["efpc-email"]["Link"] == "https://x.example/c/efpc-cust/efpc-email"
    lines = loaded("export", "--format", "jsonl", "--columns", cols).stdout.splitlines()
    record = next(json.loads(line) for line in lines if "efpc-email" in line)
    assert record["Queued-to-Fulfilled Time"] == -120


def test_jsonl_money_is_a_number_as_the_csv_writes_it(loaded):
    """0 and 25, not 0.0 and 25.0; 19.99 as 19.99; and a sum past a float's range stays a
    JSON number (json.dumps wrote a float's overflow as Infinity, which is not JSON)."""
    from contactexport.export import RowFormat, _json_value

    assert [_json_value("money", text, RowFormat()) for text in ("0", "25", "19.99")] == [
        0,
        25,
        19.99,
    ]
    huge = _json_value("money", "2E+308", RowFormat())
    assert json.loads(json.dumps(huge)) == 2 * 10**308
    lines = loaded("export", "--format", "jsonl").stdout.splitlines()
    amounts = {json.dumps(json.loads(line)["Payment Amount – Completed USD"]) for line in lines}
    assert "0" in amounts and "0.0" not in amounts


def test_as_of_shows_the_world_then_and_leaves_the_projection_alone(loaded):
    before = loaded("export").stdout
    then = {r["Contact ID"]: r for r in parse_csv(
        loaded("export", "--as-of", "2026-11-02T08:09:00Z").stdout)}  # fmt: skip
    assert set(then) == {"efpc-call", "efpc-email"}  # contacts queued later are absent
    assert then["efpc-call"]["Status"] == "" and then["efpc-call"]["Ended At"] == ""
    assert then["efpc-call"]["Queued At"] == "2026-11-02T08:05:00.000+00:00"
    assert loaded("export").stdout == before


def test_as_of_takes_rfc_3339_lower_case_t_and_z(loaded):
    upper = loaded("export", "--as-of", "2026-11-02T08:09:00Z").stdout
    assert loaded("export", "--as-of", "2026-11-02t08:09:00z").stdout == upper


def test_hostile_text_is_neutralized_in_csv(loaded):
    rows = parse_csv(loaded("export", "--columns", "Final IVR Selection,Entry Point").stdout)
    ivr = {r["Final IVR Selection"] for r in rows}
    assert "'=1+1" in ivr and "=1+1" not in ivr
    assert "+15550100" in {r["Entry Point"] for r in rows}


def test_anomalies_are_listed_summarized_and_fail_strict_replay(invoke, tmp_path):
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/STARTED", "08:00", "odd", conversation="odd-conv"),
        ev("CONTACT/HOLD_ENDED", "08:01", "odd", conversation="odd-conv", reason="MANUAL"),
        ev("CONTACT/HOLD_ENDED", "08:02", "odd", conversation="odd-conv", reason="MANUAL"),
        ev("CONTACT/STARTED", "08:00", "fine", conversation="fine-conv", channel="EMAIL"),
    )
    replay = invoke("replay")
    assert replay.exit_code == 0
    assert "2 anomalies: 2 × no hold is open" in replay.stderr
    assert invoke("replay", "--strict").exit_code == 1
    listed = invoke("anomalies")
    assert "odd" in listed.stdout and "no hold is open" in listed.stdout
    assert "CONTACT/HOLD_ENDED" in listed.stdout
    assert "2 anomalies on 1 contact" in listed.stderr
    assert "no anomalies" in invoke("anomalies", "--channel", "email").stderr
    assert "no anomalies" in invoke("anomalies", "--from", "2026-11-03").stderr
    assert "no anomalies" in invoke("anomalies", "--inbox", "elsewhere").stderr
    assert "odd" in invoke("anomalies", "--inbox", "inbox-1").stdout


def test_anomalies_of_a_contact_that_never_started_count_on_their_own_day(invoke, tmp_path):
    """No STARTED means no Queued At: a date filter on Queued At alone would always hide it."""
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/HOLD_ENDED", "08:01", "headless", conversation="h-conv", reason="MANUAL"),
    )
    assert "headless" in invoke("anomalies", "--from", "2026-11-02", "--to", "2026-11-02").stdout
    assert "no anomalies" in invoke("anomalies", "--from", "2026-11-03").stderr


ANOMALY_FIELDS = [
    "Conversation ID", "Contact ID", "Channel", "Queued At", "Inbox when First Queued",
    "Event ID", "Event Type", "Event Time", "Reason",
]  # fmt: skip


def add_anomalies(invoke, tmp_path):
    """Two anomalies of a contact whose ID and inbox a spreadsheet would run, one of a contact
    that never started, and a clean email."""
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/STARTED", "08:00", "=cmd|' /C calc'!A0", conversation="odd-conv",
           inbox="@inbox", event_id="a-start"),
        ev("CONTACT/HOLD_ENDED", "08:01", "=cmd|' /C calc'!A0", conversation="odd-conv",
           inbox="@inbox", reason="MANUAL", event_id="a-hold-1"),
        ev("CONTACT/HOLD_ENDED", "08:02", "=cmd|' /C calc'!A0", conversation="odd-conv",
           inbox="@inbox", reason="MANUAL", event_id="a-hold-2"),
        ev("CONTACT/HOLD_ENDED", "09:00", "headless", conversation="h-conv", reason="MANUAL",
           event_id="h-hold"),
        ev("CONTACT/STARTED", "08:00", "fine", conversation="fine-conv", channel="EMAIL"),
    )  # fmt: skip


def test_anomalies_as_csv_one_spreadsheet_safe_line_each(invoke, tmp_path):
    add_anomalies(invoke, tmp_path)
    result = invoke("anomalies", "--format", "csv", "--tz", "America/New_York")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ",".join(ANOMALY_FIELDS)
    lines = parse_csv(result.stdout)
    assert [line["Event ID"] for line in lines] == ["a-hold-1", "a-hold-2", "h-hold"]
    first = lines[0]
    assert first == {
        "Conversation ID": "odd-conv",
        "Contact ID": "'=cmd|' /C calc'!A0",  # quoted, as export quotes text cells
        "Channel": "PHONE_CALL",
        "Queued At": "2026-11-02T03:00:00.000-05:00",
        "Inbox when First Queued": "'@inbox",
        "Event ID": "a-hold-1",
        "Event Type": "CONTACT/HOLD_ENDED",
        "Event Time": "2026-11-02T03:01:00.000-05:00",
        "Reason": "no hold is open",
    }
    assert lines[2]["Queued At"] == "" and lines[2]["Contact ID"] == "headless"
    assert "wrote 3 anomalies on 2 contacts" in result.stderr


def test_anomalies_as_json_lines_keep_the_text_as_written(invoke, tmp_path):
    add_anomalies(invoke, tmp_path)
    result = invoke("anomalies", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(record) for record in records] == [ANOMALY_FIELDS] * 3
    assert records[0]["Contact ID"] == "=cmd|' /C calc'!A0"
    assert records[0]["Inbox when First Queued"] == "@inbox"
    assert records[0]["Queued At"] == "2026-11-02T08:00:00.000+00:00"
    assert records[2]["Queued At"] is None and records[2]["Inbox when First Queued"] is None
    assert records[2]["Event Time"] == "2026-11-02T09:00:00.000+00:00"


def test_anomaly_lines_keep_the_filters_the_limit_and_go_to_a_file(invoke, tmp_path):
    add_anomalies(invoke, tmp_path)
    email = invoke("anomalies", "--format", "csv", "--channel", "email")
    assert email.stdout == ",".join(ANOMALY_FIELDS) + "\n" and "no anomalies" in email.stderr
    assert invoke("anomalies", "--format", "jsonl", "--channel", "email").stdout == ""
    inbox = parse_csv(invoke("anomalies", "--format", "csv", "--inbox", "@inbox").stdout)
    assert [line["Event ID"] for line in inbox] == ["a-hold-1", "a-hold-2"]
    day = invoke("anomalies", "--format", "jsonl", "--from", "2026-11-03").stdout
    assert day == ""
    limited = invoke("anomalies", "--format", "jsonl", "-n", "1").stdout.splitlines()
    assert [json.loads(line)["Event ID"] for line in limited] == ["a-hold-1"]
    target = tmp_path / "anomalies.csv"
    written = invoke("anomalies", "--format", "csv", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert f"wrote 3 anomalies on 2 contacts to {target}" in written.stderr
    assert len(parse_csv(target.read_text(encoding="utf-8"))) == 3


def test_the_anomalies_table_is_not_written_to_a_file(invoke, tmp_path):
    add_anomalies(invoke, tmp_path)
    result = invoke("anomalies", "-o", str(tmp_path / "anomalies.txt"))
    assert result.exit_code == 2
    assert "add --format csv or jsonl" in re.sub(r"[\s│]+", " ", result.stderr)
    assert not (tmp_path / "anomalies.txt").exists()


def test_an_unknown_column_with_nothing_close_lists_the_headers(loaded):
    result = loaded("export", "--columns", "Zzzz")
    assert result.exit_code == 2
    assert "headers:" in result.stderr and "Queued" in result.stderr


def test_strict_replay_passes_on_clean_data(loaded):
    assert loaded("replay", "--strict").exit_code == 0


def test_an_unknown_store_version_is_a_clear_error(invoke):
    with EventStore(invoke.db):
        pass
    with sqlite3.connect(invoke.db) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = invoke("export")
    assert result.exit_code == 2
    assert "999" in result.stderr or "newer" in result.stderr


def test_arrival_order_and_redelivery_do_not_change_any_row(invoke, tmp_path):
    lines = (FIXTURES / "sample" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    scrambled = tmp_path / "scrambled.jsonl"
    scrambled.write_text("\n".join(lines[::-1] + lines[::3]) + "\n", encoding="utf-8")
    with EventStore(invoke.db) as store:
        ingest_files(store, [scrambled])
    assert invoke("export").stdout == (FIXTURES / "sample" / "expected.csv").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("full", [True, False])
def test_replay_in_several_processes_gives_the_same_rows(loaded, tmp_path, full):
    before = loaded("export").stdout  # projected by one process
    add_events(
        loaded.db,
        tmp_path,
        ev("CONTACT/STARTED", "23:00", "late-1", conversation="late-conv", channel="SMS"),
        ev("CONTACT/TRANSFERRED", "08:07", "efpc-call", conversation="efpc-conv",
           customer="efpc-cust", transferType="WARM", reason="MANUAL",
           assignee={"inboxId": "inbox-x"}),
    )  # fmt: skip
    result = loaded("replay", "--workers", "3", *(["--full"] if full else []))
    assert result.exit_code == 0, result.stderr
    assert "2 conversations" in result.stderr or full
    parallel = loaded("export").stdout
    assert parallel != before
    assert loaded("replay", "--full").exit_code == 0  # one process, from scratch
    assert loaded("export").stdout == parallel


def test_a_conversation_that_cannot_be_replayed_is_an_anomaly_not_a_dead_store(
    invoke, tmp_path, monkeypatch
):
    import contactexport.projector as projector

    real = projector.replay_conversation

    def fragile(conversation_id, events, **options):
        if conversation_id == "bad-conv":
            raise ValueError("something unforeseen")
        return real(conversation_id, events, **options)

    monkeypatch.setattr(projector, "replay_conversation", fragile)
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/STARTED", "08:00", "bad", conversation="bad-conv"),
        ev("CONTACT/STARTED", "08:00", "good", conversation="good-conv"),
    )
    result = invoke("replay")
    assert result.exit_code == 0
    assert "replay failed, conversation left out: ValueError: something unforeseen" in (
        result.stderr
    )
    assert [r["Contact ID"] for r in parse_csv(invoke("export").stdout)] == ["good"]
    assert invoke("replay", "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "-o", "/no/such/folder/x.csv"], "does not exist"),
        (["export", "--link-template", "{nope}"], "not a usable template"),
        (["export", "--link-template", "https://x/{contact_id}}"], "not a usable template"),
        (["top", "Talk Time", "--link-template", "{"], "not a usable template"),
    ],
)
def test_unusable_outputs_and_templates_exit_2_before_any_work(loaded, args, message):
    result = loaded(*args)
    assert result.exit_code == 2
    assert message in re.sub(r"[\s│]+", " ", result.stderr)  # typer boxes and wraps errors


def test_a_file_that_is_not_a_store_is_a_clear_error(invoke):
    invoke.db.write_text("this is not a database\n" * 100, encoding="utf-8")
    for command in (["export"], ["replay"], ["timeline", "x"], ["ingest", "-"]):
        result = invoke(*command, input="")
        assert result.exit_code == 2, command
        assert "error:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [["export"], ["summary"], ["top", "Talk Time"], ["anomalies"], ["timeline", "c-1"], ["replay"]],
)
def test_a_missing_store_is_refused_not_created(invoke, command):
    """A mistyped --db would otherwise make an empty store and report nothing, successfully."""
    result = invoke(*command)
    assert result.exit_code == 2
    assert f"no event store at {invoke.db}: ingest events first" in result.stderr
    assert not invoke.db.exists()


def test_an_empty_file_is_no_store_either(invoke):
    invoke.db.touch()
    result = invoke("export")
    assert result.exit_code == 2
    assert f"{invoke.db} is an empty file, not an event store" in result.stderr
    assert invoke.db.stat().st_size == 0


def test_replay_takes_at_most_10_workers(loaded):
    """SQLite attaches at most 10 worker files to merge them: 11 is refused before any work.
    Ten is more workers than some ranges of conversations can fill: the rows stay the same."""
    one_process = loaded("export").stdout
    result = loaded("replay", "--full", "--workers", "11")
    assert result.exit_code == 2
    message = re.sub(r"[\s│]+", " ", result.stderr)  # typer boxes and wraps errors
    assert "'--workers' / '-w': Input should be less than or equal to 10" in message
    assert "full replay" not in message
    assert loaded("replay", "--full", "--workers", "10").exit_code == 0
    assert loaded("export").stdout == one_process


@pytest.mark.parametrize("command", [["export"], ["summary"], ["top", "Talk Time"], ["anomalies"]])
def test_a_backwards_date_range_is_refused(loaded, command):
    """It would select no day at all and look like a quiet week."""
    result = loaded(*command, "--from", "2026-11-05", "--to", "2026-11-02")
    assert result.exit_code == 2
    message = re.sub(r"[\s│]+", " ", result.stderr)
    assert "--from 2026-11-05 is after --to 2026-11-02; swap them" in message
    assert loaded(*command, "--from", "2026-11-02", "--to", "2026-11-02").exit_code == 0


def test_data_that_looks_like_rich_markup_is_shown_as_written(invoke, tmp_path):
    """Entry points and IDs are data: "[bold]" must not vanish, "[/]" must not crash a table."""
    add_events(
        invoke.db,
        tmp_path,
        ev("CONTACT/STARTED", "08:00", "c[/]1", conversation="m-conv", entryPoint="Support [bold]"),
        ev("CONTACT/HOLD_ENDED", "08:01", "c[/]1", conversation="m-conv", reason="MANUAL"),
        ev("CONTACT/ENDED", "08:02", "c[/]1", conversation="m-conv", status="ANSWERED"),
    )
    summary = invoke("summary", "--by", "Entry Point", "--metric", "Offered")
    assert "Support [bold]" in summary.stdout
    anomalies = invoke("anomalies")
    assert anomalies.exit_code == 0 and "c[/]1" in anomalies.stdout
    timeline = invoke("timeline", "c[/]1")
    assert timeline.exit_code == 0 and "Contact c[/]1" in timeline.stdout
    assert "Support [bold]" in timeline.stdout
