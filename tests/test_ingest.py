"""Ingest through the Python API: what is stored, what is counted, what is kept as a reject."""

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import re
import sqlite3
import sys
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from conftest import write_events

from builders import ev
from contactexport.ingest import (
    OVERSIZED_KEPT_BYTES,
    REJECT_SAMPLE,
    RefusedInput,
    ingest_files,
    ingest_lines,
    input_size,
)
from contactexport.validation import MAX_LINE_BYTES
from eventstore import EventStore


def event_line(n: int, *, conversation: int | None = None, note: str = "") -> bytes:
    """A valid CONTACT event with id `e{n}`, ten events to a conversation by default."""
    conversation = n // 10 if conversation is None else conversation
    content = {
        "contactId": f"k{conversation}",
        "conversationId": f"v{conversation}",
        "customerId": f"u{conversation}",
        "channel": "CHAT",
        "messageId": f"m{n}{note}",
        "context": {"assignee": {"inboxId": "inbox-1"}},
    }
    event = {
        "id": f"e{n}",
        "type": "CONTACT/MESSAGE_RECEIVED",
        "timestamp": f"2026-11-02T08:{n // 60_000 % 60:02d}:{n // 1000 % 60:02d}.{n % 1000:03d}Z",
        "initiator": {"id": f"u{conversation}", "type": "CUSTOMER"},
        "content": content,
    }
    return json.dumps(event, separators=(",", ":")).encode() + b"\n"


def event_lines(count: int, first: int = 0) -> Iterator[bytes]:
    return (event_line(n) for n in range(first, first + count))


def write(path: Path, lines) -> Path:
    path.write_bytes(b"".join(lines))
    return path


@contextmanager
def fed_fifo(path: Path, data: bytes) -> Iterator[Path]:
    """A named pipe at `path` that a thread fills with `data`, like `<(zcat x.gz)` would."""
    os.mkfifo(path)

    def feed() -> None:
        with suppress(BrokenPipeError), path.open("wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        yield path
    finally:
        if writer.is_alive():  # never opened for reading: let the writer's open return
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(5)


@pytest.fixture
def store():
    with EventStore() as store:
        yield store


def test_lines_become_events_and_bad_lines_rejects(store):
    lines = [event_line(1), b"\n", b"not json\n", event_line(2), b"null\n"]
    report = ingest_lines(store, lines, "in.jsonl")
    counts = report.total
    assert (counts.lines, counts.accepted, counts.duplicates, counts.rejected) == (5, 2, 0, 2)
    assert [e.event_id for e in store.read_all()] == ["e1", "e2"]
    assert [(r.source, r.line, r.raw) for r in store.rejects()] == [
        ("in.jsonl", 3, "not json"),
        ("in.jsonl", 5, "null"),
    ]
    assert [r.line for r in report.first_rejects] == [3, 5]


def test_events_keep_their_source_line_and_verbatim_text(store, tmp_path):
    path = write(tmp_path / "e.jsonl", [b"\n", event_line(7)])
    ingest_files(store, [path])
    row = store.conn.execute("SELECT source, line, data, stream_id FROM events").fetchone()
    assert row == (str(path), 2, event_line(7).decode().rstrip("\n"), "v0")


def test_ingesting_the_same_file_again_stores_nothing_new(store, tmp_path):
    path = write(tmp_path / "e.jsonl", [*event_lines(50), b"[1]\n"])
    first = ingest_files(store, [path]).total
    again = ingest_files(store, [path]).total
    assert (first.accepted, first.duplicates, first.rejected) == (50, 0, 1)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 50, 1)
    assert store.count() == 50
    assert store.reject_count() == 1


def test_a_conflicting_redelivery_is_rejected_and_the_first_kept(store, tmp_path):
    ingest_files(store, [write(tmp_path / "a.jsonl", [event_line(1)])])
    late = write(tmp_path / "b.jsonl", [event_line(2), event_line(1, note="-edited")])
    report = ingest_files(store, [late])
    assert (report.total.accepted, report.total.rejected) == (1, 1)
    [reject] = report.first_rejects
    assert (reject.source, reject.line) == (str(late), 2)
    assert "'e1'" in reject.reason and "different content" in reject.reason
    assert '"m1"' in store.read_stream("v0")[0].data
    assert store.reject_count() == 1


def test_batches_do_not_change_the_outcome(store):
    lines = [*event_lines(10), event_line(3), b"{}\n", *event_lines(10, first=5)]
    report = ingest_lines(store, lines, batch_events=3)
    counts = report.total
    assert (counts.accepted, counts.duplicates, counts.rejected) == (15, 6, 1)
    assert [e.event_id for e in store.read_all()] == [f"e{n}" for n in range(15)]


def test_the_first_rejects_are_listed_in_line_order(store):
    lines = [event_line(n) if n % 2 else b"[]\n" for n in range(60)]
    report = ingest_lines(store, lines, batch_events=4)
    assert report.rejected == 30
    assert [r.line for r in report.first_rejects] == list(range(1, 2 * REJECT_SAMPLE, 2))
    assert store.reject_count() == 30


def test_unknown_types_are_archived_and_counted(store):
    unknown = b'{"id":"x1","type":"ROUTING/REQUEUED","timestamp":"2026-11-02T08:00:00Z"}\n'
    report = ingest_lines(store, [unknown, event_line(1)])
    assert (report.total.accepted, report.total.unknown_type) == (2, 1)
    assert report.unknown_types == {"ROUTING/REQUEUED": 1}


def test_unknown_types_count_only_what_was_stored(store):
    """A redelivered or conflicting line of an unknown type is not archived a second time, so
    it is not counted again either (a re-run said "NEWTYPE (3)" having stored nothing)."""
    line = b'{"id":"u1","type":"NEWTYPE","timestamp":"2026-11-02T08:00:00Z"}\n'
    conflict = line.replace(b"08:00", b"09:00")
    report = ingest_lines(store, [line, line, conflict, event_line(1)])
    counts = report.total
    assert (counts.accepted, counts.duplicates, counts.rejected) == (2, 1, 1)
    assert (counts.unknown_type, report.unknown_types) == (1, {"NEWTYPE": 1})
    again = ingest_lines(store, [line])
    assert (again.total.unknown_type, again.unknown_types) == (0, {})


def test_rejects_are_kept_in_the_order_of_their_lines(store):
    """A conflict (line 3) is found by the append, after the bad lines were read: it is kept
    between them all the same, as `rejects` lists them."""
    first = event_line(1)
    lines = [first, b"[]\n", first.replace(b"08:", b"09:"), b"null\n"]
    ingest_lines(store, lines)
    assert [r.line for r in store.rejects()] == [2, 3, 4]


def test_the_type_shapes_docs_ingest_md_names(store):
    """docs/ingest.md says by example which unknown types are archived (one word in capitals,
    as Gladly's PING is, or ENTITY/ACTION) and which are rejected: the code does the same."""
    text = " ".join((Path(__file__).parents[1] / "docs" / "ingest.md").read_text().split())
    sentence = re.search(r"as one word, [^:]*: ([^;]*) are archived; ([^.]*) are rejected", text)
    archived, rejected = (re.findall(r"`([^`]+)`", said) for said in sentence.groups())
    assert "FOO" in archived and "FOO/" in rejected
    lines = [
        json.dumps({"id": f"t{n}", "type": name, "timestamp": "2026-11-02T08:00:00Z"})
        for n, name in enumerate([*archived, *rejected])
    ]
    report = ingest_lines(store, lines)
    assert report.total.accepted == report.total.unknown_type == len(archived)
    assert [r.reason for r in store.rejects()] == [
        f"type {name!r} is not ENTITY/ACTION or one word, in capitals" for name in rejected
    ]


def test_rejected_bytes_that_are_not_utf8_stay_bytes(store):
    ingest_lines(store, [b'{"id": "\xff\xfe"}\n'])
    [reject] = store.rejects()
    assert reject.raw == b'{"id": "\xff\xfe"}'
    assert reject.reason == "not UTF-8: byte 0xff at column 9"


@pytest.mark.parametrize("name", ["e.jsonl.gz", "e.jsonl"])
def test_gzip_is_recognised_by_content(store, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"".join(event_lines(30))))
    assert ingest_files(store, [path]).total.accepted == 30


def test_a_truncated_gzip_keeps_what_came_before(store, tmp_path):
    whole = gzip.compress(b"".join(event_lines(20_000)), compresslevel=1)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    report = ingest_files(store, [path])
    stored = store.count()
    assert 0 < stored < 20_000 and report.total.accepted == stored
    [reject] = store.rejects()
    assert reject.reason.startswith("input unreadable") and f"after line {stored}" in reject.reason


def sqlite_database(path: Path) -> bytes:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    return path.read_bytes()


def zipped(data: bytes) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("events.jsonl", data)
    return packed.getvalue()


JSONL = b"".join(event_lines(3))
TEXT = JSONL.decode()
NOT_JSONL = {
    "sqlite": (sqlite_database, "looks like a SQLite database", None),
    "bzip2": (lambda _: bz2.compress(JSONL), "looks like bzip2-compressed data", "bzip2 -dc"),
    "xz": (lambda _: lzma.compress(JSONL), "looks like xz-compressed data", "xz -dc"),
    "zstd": (
        lambda _: b"\x28\xb5\x2f\xfd\x24\x2b\x59\x01\x00" + JSONL,
        "looks like zstd-compressed data",
        "zstd -dc",
    ),
    "zip": (lambda _: zipped(JSONL), "looks like a zip archive", "unzip -p"),
    "utf-16-le": (
        lambda _: TEXT.encode("utf-16"),  # PowerShell's default: FF FE, little-endian
        "looks like UTF-16 text (byte-order mark FF FE)",
        "iconv -f UTF-16 -t UTF-8",
    ),
    "utf-16-be": (
        lambda _: b"\xfe\xff" + TEXT.encode("utf-16-be"),
        "looks like UTF-16 text (byte-order mark FE FF)",
        "iconv -f UTF-16 -t UTF-8",
    ),
    "utf-32-le": (
        lambda _: b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"),
        "looks like UTF-32 text (byte-order mark FF FE 00 00)",
        "iconv -f UTF-32 -t UTF-8",
    ),
    "utf-32-be": (
        lambda _: b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"),
        "looks like UTF-32 text (byte-order mark 00 00 FE FF)",
        "iconv -f UTF-32 -t UTF-8",
    ),
    "utf-16 without a mark": (
        lambda _: TEXT.encode("utf-16-le"),
        "looks like binary data or UTF-16 text without a byte-order mark (",
        None,
    ),
    "binary": (
        lambda _: b"\x7fELF\x02\x01\x01\x00" + bytes(56) + bytes(range(256)),  # header padding
        "looks like binary data or UTF-16 text without a byte-order mark (",
        None,
    ),
}


@pytest.mark.parametrize("kind", NOT_JSONL)
@pytest.mark.parametrize("packing", ["plain", "gzip"])
def test_an_input_that_is_not_jsonl_text_is_refused_whole(store, tmp_path, kind, packing):
    """Its "lines" would only become rejects, which the append-only store keeps for ever (a
    24 MB store ingested as itself made 49,398 of them). The other inputs are ingested."""
    make, why, convert = NOT_JSONL[kind]
    data = make(tmp_path / "other.db")
    path = tmp_path / "input"
    path.write_bytes(gzip.compress(data) if packing == "gzip" else data)
    good = write(tmp_path / "good.jsonl", event_lines(2, first=100))
    report = ingest_files(store, [path, good])
    [refused] = report.refused
    assert refused.why.startswith(why)
    assert refused == RefusedInput(str(path), refused.why, convert, gzipped=packing == "gzip")
    assert [counts.source for counts in report.sources] == [str(good)]
    assert (store.count(), store.reject_count()) == (2, 0)


def test_stdin_that_is_not_jsonl_text_is_refused(store, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-16")))
    monkeypatch.setattr(sys, "stdin", stdin)
    [refused] = ingest_files(store, ["-"]).refused
    assert refused.source == "<stdin>" and refused.why.startswith("looks like UTF-16 text")
    assert (store.count(), store.reject_count()) == (0, 0)


@pytest.mark.parametrize("before", [1, 40])
def test_a_stray_nul_byte_is_only_a_reject(store, tmp_path, before):
    """Only NULs as dense as in binary data or UTF-16 refuse an input: one corrupt line near the
    start of a small file is a reject, and the good lines around it are stored."""
    lines = [*event_lines(before), b'{"id": "\x00"}\n', event_line(before + 1)]
    report = ingest_files(store, [write(tmp_path / "e.jsonl", lines)])
    assert (report.refused, report.total.accepted, report.total.rejected) == ([], before + 1, 1)


def test_the_nul_count_is_in_the_reason(store, tmp_path):
    path = write(tmp_path / "e.jsonl", [TEXT.encode("utf-16-le")])
    [refused] = ingest_files(store, [path]).refused
    size = min(len(TEXT.encode("utf-16-le")), 4096)
    assert refused.why.endswith(f"({size // 2:,} of its first {size:,} bytes are NUL)")


def test_crlf_a_byte_order_mark_and_no_final_newline(store, tmp_path):
    lines = [b"\xef\xbb\xbf" + event_line(1), event_line(2).replace(b"\n", b"\r\n")]
    path = write(tmp_path / "dos.jsonl", [*lines, event_line(3).rstrip(b"\n")])
    assert ingest_files(store, [path]).total.accepted == 3
    assert all(e.data.endswith("}") and e.data.startswith("{") for e in store.read_all())


def test_stdin(store, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"".join(event_lines(5))))
    monkeypatch.setattr(sys, "stdin", stdin)
    report = ingest_files(store, ["-"])
    assert report.sources[0].source == "<stdin>" and report.total.accepted == 5


def test_a_named_pipe_is_read_with_progress_but_no_size(store, tmp_path):
    """A pipe cannot tell its position or size: progress counts the bytes read instead."""
    data = gzip.compress(b"".join(event_lines(5)))
    seen: list[int] = []
    with fed_fifo(tmp_path / "events.jsonl.gz", data) as pipe:
        assert input_size(pipe) is None
        report = ingest_files(store, [pipe], on_progress=seen.append)
    assert report.total.accepted == 5
    assert sum(seen) == len(gzip.decompress(data))


def test_a_huge_line_is_rejected_without_losing_its_neighbours(store, tmp_path):
    huge = b'{"id":"big","type":"PING","timestamp":"2026-11-02T08:00:00Z","pad":"'
    huge += b"x" * (10 * 1024 * 1024) + b'"}\n'
    path = write(tmp_path / "huge.jsonl", [event_line(1), huge, event_line(2)])
    report = ingest_files(store, [path])
    assert (report.total.accepted, report.total.rejected) == (2, 1)
    [reject] = store.rejects()
    assert reject.line == 2
    assert reject.reason.startswith(f"line is {len(huge) - 1:,} bytes, over the")
    assert reject.raw == huge[:OVERSIZED_KEPT_BYTES]
    assert [e.event_id for e in store.read_all()] == ["e1", "e2"]


@pytest.mark.parametrize(("size", "accepted"), [(MAX_LINE_BYTES, 1), (MAX_LINE_BYTES + 1, 0)])
def test_the_line_limit_is_exact(store, tmp_path, size, accepted):
    start = b'{"id":"e1","type":"PING","timestamp":"2026-11-02T08:00:00Z","pad":"'
    line = start + b"x" * (size - len(start) - 2) + b'"}'
    assert len(line) == size
    report = ingest_files(store, [write(tmp_path / "edge.jsonl", [line, b"\n", event_line(2)])])
    assert report.total.accepted == accepted + 1


def test_the_inputs_the_issue_names_are_rejected_with_reasons(store, tmp_path):
    bad = [
        b"\xc3\x28 not utf-8\n",
        b"[1, 2, 3]\n",
        b"null\n",
        b"[" * 5000 + b"]" * 5000 + b"\n",
        b'{"id":"e9","type":"CONTACT/STARTED","timestamp":"2026-11-02T08:00:00Z"}\n',
    ]
    path = write(tmp_path / "bad.jsonl", [event_line(1), *bad, event_line(2)])
    report = ingest_files(store, [path])
    assert (report.total.accepted, report.total.rejected) == (2, 5)
    assert [r.reason for r in store.rejects()] == [
        "not UTF-8: byte 0xc3 at column 1",
        "a JSON array, not a JSON object",
        "JSON null, not a JSON object",
        "JSON nested deeper than 1024 levels",
        "CONTACT/STARTED lacks content.contactId",
    ]


def test_progress_counts_every_input_byte(store, tmp_path):
    plain = write(tmp_path / "e.jsonl", event_lines(5_000))
    packed = tmp_path / "e.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    seen = []
    ingest_files(store, [plain, packed], on_progress=seen.append)
    assert sum(seen) == plain.stat().st_size + packed.stat().st_size


def test_empty_and_blank_inputs_store_and_reject_nothing(store, tmp_path):
    empty = write(tmp_path / "empty.jsonl", [])
    blank = write(tmp_path / "blank.jsonl", [b"\n", b"  \n", b"\r\n"])
    report = ingest_files(store, [empty, blank])
    assert [c.lines for c in report.sources] == [0, 3]
    assert (report.total.accepted, report.total.rejected) == (0, 0)
    assert store.count() == 0 and store.reject_count() == 0


def test_a_truncated_small_gzip_keeps_every_complete_line(store, tmp_path):
    whole = gzip.compress(b"".join(event_lines(300)))
    cut = whole[: len(whole) * 3 // 5]
    recoverable = zlib.decompressobj(31).decompress(cut).count(b"\n")
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    ingest_files(store, [path])
    assert store.count() == recoverable > 0


def test_the_line_a_gzip_breaks_in_is_kept_as_far_as_it_came(store, tmp_path):
    """Good data is never lost: the start of the cut-off line is the reject's raw text."""
    whole = gzip.compress(b"".join(event_lines(300)))
    cut = whole[: len(whole) * 3 // 5]
    readable = zlib.decompressobj(31).decompress(cut)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    ingest_files(store, [path])
    [reject] = store.rejects()
    partial = readable[readable.rfind(b"\n") + 1 :]
    assert partial and reject.raw == partial.decode()  # text, as any UTF-8 reject is kept


def test_a_payment_naming_no_contact_is_archived_and_changes_no_row(invoke, tmp_path):
    """SPEC §2: only a CONTACT event without its IDs is rejected. A payment that names no
    contact (or no conversation, or names it not as a string) is stored, and counts on no row."""
    contact = [
        ev("CONTACT/STARTED", "08:00", "c1", channel="CHAT"),
        ev("PAYMENT_REQUEST/STATUS_CHANGED", "08:01", "c1", paymentRequestId="p1",
           newStatus="COMPLETED", context={"currency": "USD", "monetaryUnit": 25}),
        ev("CONTACT/ENDED", "08:02", "c1", channel="CHAT", status="RESOLVED"),
    ]  # fmt: skip
    assert invoke("ingest", str(write_events(tmp_path / "c.jsonl", contact))).exit_code == 0
    before = invoke("export").stdout
    [row] = csv.DictReader(io.StringIO(before))
    paid = (
        row["Contact ID"],
        row["Payment Requests – Completed"],
        row["Payment Amount – Completed USD"],
    )
    assert paid == ("c1", "1", "25")  # the payment that names its contact counts

    def orphan(clock: str, drop: tuple[str, ...] = (), **content) -> dict:
        usd = {"currency": "USD", "monetaryUnit": 10}
        event = ev("PAYMENT_REQUEST/STATUS_CHANGED", clock, "c1", paymentRequestId="p9",
                   newStatus="COMPLETED", context=usd)  # fmt: skip
        event["content"] = {k: v for k, v in event["content"].items() if k not in drop} | content
        return event

    orphans = [
        orphan("08:01:10", ("contactId",)),  # in the conversation, on no contact
        orphan("08:01:20", ("conversationId",)),  # names the contact, in no conversation
        orphan("08:01:30", ("contactId", "conversationId")),
        orphan("08:01:35", contactId=""),  # as empty as none
        orphan("08:01:40", contactId=7),
        orphan("08:01:50", contactId=["c1"]),
        ev("PAYMENT_REQUEST/VIEWED", "08:01:55", "c1") | {"content": None},
    ]
    result = invoke("ingest", str(write_events(tmp_path / "p.jsonl", orphans)))
    assert result.exit_code == 0, result.stderr
    with EventStore(invoke.db) as store:
        assert {e.event_id for e in store.read_all()} >= {e["id"] for e in orphans}
        assert list(store.rejects()) == []
    assert invoke("export").stdout == before
    assert invoke("replay", "--full").exit_code == 0
    assert invoke("export").stdout == before
