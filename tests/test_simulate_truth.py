"""Ground truth: `simulate --truth` against a real ingest, replay and export of the events.

The intended rows come from the generator's own model (`simulate/truth.py`), never from a
replay, so a difference is either a replay bug or a generator bug: look it up in SPEC.md and
docs/replay-rules.md before changing either side.
"""

import csv
import gzip
import io
import os
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contactexport.check import EVENTS, EXPECTED, FixtureResult, check_fixture, produce_rows
from contactexport.cli import app
from contactexport.columns import BY_HEADER, HEADERS
from contactexport.export import write_csv
from contactexport.simulate import Simulation, SimulationConfig, intended_rows
from contactexport.simulate.truthfile import TruthTable, round_half_up

# Simulated runs, each written by the CLI as a fixture folder (events.jsonl + the truth as
# expected.csv). Together they hold every channel, hold kind, transfer, payment outcome,
# abandon, cross-channel fulfilment, callback, manual assignment and unfinished contact.
RUNS = {
    "default-day": ["-n", "1500", "--seed", "5"],
    "busy-calls": [
        *("-n", "1000", "--seed", "11", "--mix", "PHONE_CALL=70,CHAT=15,SMS=15"),
        *("--hold-rate", "0.9", "--transfer-rate", "0.6", "--payment-rate", "0.6"),
        *("--abandon-rate", "0.4", "--reject-rate", "0.4"),
    ],
    "crossings": [  # three days over the end of US daylight saving time (2026-11-01)
        *("-n", "800", "--seed", "3", "--start", "2026-10-31", "--days", "3"),
        *("--tz", "America/New_York", "--outbound-rate", "0.3", "--unfinished-rate", "0.1"),
    ],
}
# Knobs without an option, in a --config file.
CONFIGS = {
    "crossings": """\
email_during_call_rate = 0.5
overlap_rate = 0.5
callback_retry_rate = 0.8
manual_assign_rate = 0.4
leave_rate = 0.2
usd_share = 0.5
""",
}


def _simulate(name: str, folder: Path) -> Path:
    """Run the CLI into `folder`: events.jsonl and, as expected.csv, the intended rows."""
    args = ["simulate", *RUNS[name], "-o", str(folder / EVENTS), "--truth", str(folder / EXPECTED)]
    if name in CONFIGS:
        (folder / "center.toml").write_text(CONFIGS[name], encoding="utf-8")
        args += ["--config", str(folder / "center.toml")]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    return {name: _simulate(name, tmp_path_factory.mktemp(name)) for name in RUNS}


@pytest.fixture(params=list(RUNS))
def simulated(request, runs) -> Path:
    return runs[request.param]


def _report(result: FixtureResult, limit: int = 40) -> str:
    lines = [*result.problems, f"{len(result.differences)} differing cells:"]
    lines += [
        f"  contact {d.contact_id} / {d.column} / expected {d.expected!r} / got {d.got!r}"
        for d in result.differences[:limit]
    ]
    return "\n".join(lines)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# Replay against the generator ----------------------------------------------------------------


def test_replay_gives_every_intended_cell(simulated):
    """Ingest (ingest_files into an EventStore), replay (catch_up), export (query_rows,
    format_rows), then compare cell by cell: contact / column / expected / got.

    All 57 columns are compared: the generator decides every one. (Link is blank on both
    sides: it comes from the reader's --link-template, and no template is given here.)
    """
    result = check_fixture(simulated)  # contactexport check, on the simulated folder
    assert result.ok, _report(result)


def test_truth_file_is_the_export_byte_for_byte(simulated):
    """Same rows, same order (Queued At, then Contact ID, then Conversation ID), same
    formatting: `diff` against `contactexport export` shows nothing."""
    out = io.StringIO(newline="")
    write_csv(out, produce_rows(simulated))
    assert out.getvalue() == (simulated / EXPECTED).read_text(encoding="utf-8")


def test_the_runs_cover_every_column(runs):
    """The comparison is not vacuous: across the runs every column but Link has a value,
    and every count, duration and amount is non-zero somewhere."""
    rows = [row for folder in runs.values() for row in _read(folder / EXPECTED)]
    assert len(rows) > 3000
    for header in HEADERS:
        values = {row[header] for row in rows} - {""}
        if header == "Link":
            assert not values
            continue
        assert values, header
        if BY_HEADER[header].kind in ("count", "duration", "money"):
            assert values - {"0"}, header
    assert any(row["Payment Amount – Completed USD"] not in ("", "0") for row in rows)
    assert any(row["SLA Target"].startswith("-") for row in rows)  # inherited due date
    assert any(row["Fulfilled by Contact ID"] not in ("", row["Contact ID"]) for row in rows)
    assert any(row["Ended At"] == "" for row in rows)  # unfinished contacts


def test_simulated_reply_averages_include_exact_halves():
    """The export rounds the two reply-time averages half up to the ms: the runs must hold
    averages of exactly .5 ms, or the rounding would go unchecked."""
    config = SimulationConfig(conversations=1500, seed=5)
    averages = [
        row[header]
        for conv in Simulation(config).conversations()
        for row in intended_rows(conv)
        for header in ("Avg. Agent Reply Time", "Avg. Customer Reply Time")
        if row[header] is not None
    ]
    assert sum(1 for a in averages if a % 1 == 0.5) > 10


# The truth writer ----------------------------------------------------------------------------


def _row(queued: int | None, contact: str, conversation: str, **values) -> dict:
    row = dict.fromkeys(HEADERS)
    row.update({"Queued At": queued, "Contact ID": contact, "Conversation ID": conversation})
    row.update(values)
    return row


def test_rows_come_out_in_the_exports_order_and_format():
    with TruthTable() as table:
        table.add_rows(
            [
                _row(2_000, "b", "x"),
                _row(None, "a", "x", Channel="EMAIL"),  # blank Queued At: last
                _row(1_000, "z", "y"),
                _row(2_000, "a", "z"),
                _row(2_000, "a", "y"),
            ]
        )
        out = io.StringIO(newline="")
        assert table.write_csv(out) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["Queued At"][17:23], r["Contact ID"], r["Conversation ID"]) for r in rows] == [
        ("01.000", "z", "y"),
        ("02.000", "a", "y"),
        ("02.000", "a", "z"),
        ("02.000", "b", "x"),
        ("", "a", "x"),
    ]
    assert rows[0]["Queued At"] == "1970-01-01T00:00:01.000+00:00"


def test_cells_are_formatted_by_the_export():
    row = _row(
        0,
        "c",
        "v",
        **{
            "Avg. Agent Reply Time": 1500.5,  # half: up
            "Avg. Customer Reply Time": 2 / 3,
            "Payment Amount – Completed USD": Decimal("19.90"),
            "Entry Point": "=HYPERLINK()",  # spreadsheet formula: quoted
            "Final IVR Selection": "+15550100",  # a plain number: as is
            "Talk Time": 120_000,
        },
    )
    with TruthTable() as table:
        table.add_rows([row])
        out = io.StringIO(newline="")
        table.write_csv(out)
    (cells,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert cells["Avg. Agent Reply Time"] == "1.501"
    assert cells["Avg. Customer Reply Time"] == "0.001"
    assert cells["Payment Amount – Completed USD"] == "19.9"
    assert cells["Entry Point"] == "'=HYPERLINK()"
    assert cells["Final IVR Selection"] == "+15550100"
    assert cells["Talk Time"] == "120"


@pytest.mark.parametrize(
    ("mean", "whole"),
    [(1500.5, 1501), (1500.4999, 1500), (0.5, 1), (2.5, 3), (7 / 3, 2), (1234, 1234)],
)
def test_round_half_up(mean, whole):
    assert round_half_up(mean) == whole


def test_truth_table_memory_does_not_grow_with_the_number_of_rows():
    """Rows go to SQLite in batches and come back a batch at a time: Python holds a few
    thousand rows at most (SQLite's page cache and sort are its own, capped by CACHE_KIB)."""
    simulation = Simulation(SimulationConfig(conversations=40, seed=4))
    templates = [row for conv in simulation.conversations() for row in intended_rows(conv)]

    def rows(n: int):  # realistic rows, queued in scrambled order
        for i in range(n):
            yield {
                **templates[i % len(templates)],
                "Queued At": (i * 7919) % n,
                "Contact ID": f"{i}",
            }

    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            with TruthTable() as table, open(os.devnull, "w") as nowhere:
                table.add_rows(rows(n))
                assert table.write_csv(nowhere) == n
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(5_000), peak(15_000)
    assert large < small + 500_000, (small, large)  # 5,000 rows or 15,000: the same


# Command line --------------------------------------------------------------------------------


def test_truth_does_not_change_the_events(invoke, tmp_path):
    plain = invoke("simulate", "-n", "200", "--seed", "8")
    truth = tmp_path / "truth.csv"
    with_truth = invoke("simulate", "-n", "200", "--seed", "8", "--truth", str(truth))
    assert with_truth.exit_code == 0
    assert with_truth.stdout_bytes == plain.stdout_bytes
    assert "intended rows" in with_truth.stderr
    assert truth.read_text(encoding="utf-8").startswith("Queued At,Customer ID,")


def test_simulated_folder_passes_contactexport_check(invoke, tmp_path):
    folder = tmp_path / "day"
    folder.mkdir()
    simulated = invoke(
        "simulate", "-n", "300", "--seed", "2", "-o", str(folder / EVENTS),
        "--truth", str(folder / EXPECTED),
    )  # fmt: skip
    assert simulated.exit_code == 0
    checked = invoke("check", str(folder))
    assert checked.exit_code == 0, checked.stderr
    assert "1 of 1 fixtures match" in checked.stderr


def test_truth_and_events_in_one_file_is_refused(invoke, tmp_path):
    target = tmp_path / "events.jsonl"
    result = invoke("simulate", "-n", "5", "-o", str(target), "--truth", str(target))
    assert result.exit_code == 2
    assert "--truth" in result.stderr
    assert not target.exists()


def test_truth_dash_is_stdout_when_the_events_go_to_a_file(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    to_file = invoke("simulate", "-n", "20", "-o", "a.jsonl", "--truth", "truth.csv")
    assert to_file.exit_code == 0, to_file.stderr
    to_stdout = invoke("simulate", "-n", "20", "-o", "b.jsonl", "--truth", "-")
    assert to_stdout.exit_code == 0, to_stdout.stderr
    assert to_stdout.stdout == (tmp_path / "truth.csv").read_text(encoding="utf-8")
    assert "intended rows to stdout" in to_stdout.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("events_to", [[], ["-o", "-"]])
def test_truth_dash_beside_events_on_stdout_is_refused(invoke, tmp_path, monkeypatch, events_to):
    monkeypatch.chdir(tmp_path)
    result = invoke("simulate", "-n", "2", *events_to, "--truth", "-")
    assert result.exit_code == 2
    assert "--truth - is also stdout, where the events go" in result.stderr
    assert list(tmp_path.iterdir()) == [] and result.stdout == ""


def test_truth_to_a_gz_name_is_gzipped_deterministically(invoke, tmp_path):
    plain, zipped = tmp_path / "truth.csv", tmp_path / "truth.csv.gz"
    invoke("simulate", "-n", "20", "--truth", str(plain))
    result = invoke("simulate", "-n", "20", "--truth", str(zipped))
    assert result.exit_code == 0, result.stderr
    data = zipped.read_bytes()
    assert gzip.decompress(data) == plain.read_bytes()
    assert data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0"  # no file name, no time
