"""check: regression fixtures through the CLI."""

import errno
import gzip
import io
import shutil

from conftest import FIXTURES

from contactexport.cli.app import INTERRUPTED_EXIT


def copy_fixture(tmp_path, name="abandoned-call"):
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def test_check_passes_on_the_bundled_fixtures(invoke):
    result = invoke("check", str(FIXTURES))
    assert result.exit_code == 0, result.stderr
    assert "fixtures match" in result.stderr
    assert result.stdout == ""  # nothing differs, so nothing to report


def test_check_reports_every_differing_cell_and_exits_1(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    text = expected.read_text(encoding="utf-8")
    expected.write_text(text.replace("ABANDONED", "ANSWERED"), encoding="utf-8")
    result = invoke("check", str(folder))
    assert result.exit_code == 1
    # The differences are the output (`check fixtures > report.txt`); the count is progress.
    assert (
        "Status" in result.stdout and "ANSWERED" in result.stdout and "ABANDONED" in result.stdout
    )
    assert f"FAIL {folder}" in result.stdout and "ABANDONED" not in result.stderr
    assert "0 of 1 fixtures match" in result.stderr and "fixtures match" not in result.stdout


def test_check_update_rewrites_expected_only_when_asked(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    original = expected.read_text(encoding="utf-8")
    expected.write_text(original.replace("ABANDONED", "ANSWERED"), encoding="utf-8")
    assert invoke("check", str(folder)).exit_code == 1
    assert invoke("check", "--update", str(folder)).exit_code == 0
    assert expected.read_text(encoding="utf-8") == original
    assert invoke("check", str(folder)).exit_code == 0
    again = invoke("check", "--update", str(folder))
    assert f"{folder}: expected.csv unchanged (1 row)" in again.stderr


def test_update_refuses_a_fixture_with_a_line_ingest_rejects(invoke, tmp_path):
    """Rows written without that event would pass now and fail every later check."""
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    before = expected.read_text(encoding="utf-8")
    with (folder / "events.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "cut-short", "type": "CONTACT/EN')
    result = invoke("check", "--update", str(folder))
    assert result.exit_code == 1
    assert "events.jsonl:" in result.stderr and "not JSON" in result.stderr
    assert "expected.csv not written" in result.stderr
    assert expected.read_text(encoding="utf-8") == before


def _writes_cut_short(monkeypatch, after: int) -> None:
    """Every file opened for writing takes `after` bytes, then Ctrl-C comes: an interruption in
    the middle of the write, whatever opens the file (Path.write_text and os.fdopen both call
    io.open)."""
    real_open = io.open

    class CutShort(io.RawIOBase):
        def __init__(self, raw):
            self.raw, self.left = raw, after

        def writable(self):
            return True

        def write(self, data):
            if not self.left:
                raise KeyboardInterrupt
            written = self.raw.write(bytes(data[: self.left]))
            self.left -= written
            return written

        def close(self):
            self.raw.close()
            super().close()

    def cut_short_open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None,
                       closefd=True, opener=None):  # fmt: skip
        if "w" not in mode:
            return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        raw = CutShort(real_open(file, "wb", 0, closefd=closefd, opener=opener))
        return io.TextIOWrapper(io.BufferedWriter(raw), encoding, errors, newline)

    monkeypatch.setattr(io, "open", cut_short_open)


def test_an_interrupted_update_leaves_expected_csv_as_it_was(invoke, tmp_path, monkeypatch):
    """expected.csv was written in place: Ctrl-C left a fixture cut short."""
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    before = expected.read_text(encoding="utf-8").replace("ABANDONED", "ANSWERED")
    expected.write_text(before, encoding="utf-8")
    _writes_cut_short(monkeypatch, after=100)
    result = invoke("check", "--update", str(folder))
    monkeypatch.undo()
    assert expected.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (FIXTURES / "abandoned-call").iterdir()
    )
    assert result.exit_code == INTERRUPTED_EXIT
    assert "files being written (-o, --truth, expected.csv) are left as they were" in (
        " ".join(result.stderr.split())
    )


def test_an_update_that_cannot_be_written_says_so_and_exits_1(invoke, tmp_path, monkeypatch):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    before = expected.read_text(encoding="utf-8").replace("ABANDONED", "ANSWERED")
    expected.write_text(before, encoding="utf-8")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("contactexport.output.tempfile.mkstemp", disk_full)
    result = invoke("check", "--update", str(folder))
    assert result.exit_code == 1
    assert f"error: cannot write {expected}: No space left on device" in result.stderr
    assert expected.read_text(encoding="utf-8") == before


def test_check_names_missing_and_extra_rows(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    header, *rows = expected.read_text(encoding="utf-8").splitlines()
    expected.write_text("\n".join([header, rows[0].replace("abnd-call", "ghost")]) + "\n",
                        encoding="utf-8")  # fmt: skip
    result = invoke("check", str(folder))
    assert result.exit_code == 1
    assert "ghost" in result.stdout and "expected, not produced" in result.stdout
    assert "produced, not expected" in result.stdout


def test_check_without_fixtures_is_a_usage_error(invoke, tmp_path):
    assert invoke("check", str(tmp_path)).exit_code == 2


def test_a_fixture_with_lines_ingest_rejects_fails_naming_each(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    events = folder / "events.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines()
    lines[1:1] = ["{not json", '{"id": "x", "type": "CONTACT/STARTED"}']
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("check", str(folder))
    assert result.exit_code == 1
    assert f"FAIL {folder}" in result.stdout
    assert f"{events}:2: " in result.stdout and f"{events}:3: " in result.stdout
    assert "0 of 1 fixtures match" in result.stderr


def test_a_misnamed_or_misplaced_header_is_named(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    text = expected.read_text(encoding="utf-8")
    expected.write_text(text.replace(",Channel,", ",Chanel,", 1), encoding="utf-8")
    result = invoke("check", str(folder))
    assert result.exit_code == 1
    assert "unknown column 'Chanel'" in result.stdout and "missing 'Channel'" in result.stdout
    header, rest = text.split("\n", 1)
    names = header.split(",")
    names[0], names[1] = names[1], names[0]
    expected.write_text(",".join(names) + "\n" + rest, encoding="utf-8")
    assert "not in the report's order" in invoke("check", str(folder)).stdout


def test_update_writes_the_expected_rows_of_a_new_fixture_nested_below_the_parent(invoke, tmp_path):
    """A new fixture is a folder with only events.jsonl; under PARENT it may sit at any depth."""
    flat = tmp_path / "flat"
    nested = tmp_path / "voice" / "abandoned-call"
    for folder, name in ((flat, "manual-assignment"), (nested, "abandoned-call")):
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / name / "events.jsonl", folder)
    result = invoke("check", "--update", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert f"{nested}: wrote 1 row to expected.csv" in result.stderr
    for folder, name in ((flat, "manual-assignment"), (nested, "abandoned-call")):
        want = (FIXTURES / name / "expected.csv").read_text(encoding="utf-8")
        assert (folder / "expected.csv").read_text(encoding="utf-8") == want
    assert invoke("check", str(tmp_path)).exit_code == 0


def test_a_new_fixture_is_found_by_check_too_and_fails_for_its_missing_rows(invoke, tmp_path):
    """Left out, it would pass unseen: `check PARENT` would say every (other) fixture matches."""
    copy_fixture(tmp_path / "done")
    new = tmp_path / "todo" / "new"
    new.mkdir(parents=True)
    shutil.copy(FIXTURES / "abandoned-call" / "events.jsonl", new)
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 1
    assert f"{new / 'expected.csv'}: missing" in result.stdout
    assert "1 of 2 fixtures match" in result.stderr


def test_update_without_events_says_so_and_exits_1(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "events.jsonl").unlink()
    result = invoke("check", "--update", str(tmp_path))
    assert result.exit_code == 1
    assert f"{folder / 'events.jsonl'} (or .gz): missing, nothing to replay" in result.stderr


def test_hidden_folders_are_not_searched(invoke, tmp_path):
    """`check .` at a repository's root must not wander into .venv or .git."""
    copy_fixture(tmp_path / "fixtures")
    hidden = copy_fixture(tmp_path / ".venv" / "lib")
    (hidden / "expected.csv").write_text("not, a, fixture\n", encoding="utf-8")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert "1 of 1 fixtures match" in result.stderr


def test_an_expected_csv_saved_by_a_spreadsheet_in_cp1252_is_named_and_updatable(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    expected.write_bytes(expected.read_text(encoding="utf-8").encode("cp1252"))
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 1
    assert f"{expected}: not UTF-8 (byte 0x96); save as UTF-8" in result.stdout
    assert invoke("check", "--update", str(tmp_path)).exit_code == 0
    assert invoke("check", str(tmp_path)).exit_code == 0


def test_an_expected_csv_saved_as_excel_csv_utf8_matches(invoke, tmp_path):
    """Excel's "CSV UTF-8" adds a byte-order mark and CRLF line ends: the rows are the same."""
    folder = copy_fixture(tmp_path)
    expected = folder / "expected.csv"
    text = expected.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    expected.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0, result.stdout


def test_events_saved_as_utf16_are_named_not_just_missing_rows(invoke, tmp_path):
    """Windows PowerShell writes UTF-16 by default: ingest refuses the whole file, and check
    must say so instead of listing every expected contact as not produced."""
    folder = copy_fixture(tmp_path)
    events = folder / "events.jsonl"
    events.write_bytes(events.read_text(encoding="utf-8").encode("utf-16"))
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 1
    assert f"{events}: looks like UTF-16 text" in " ".join(result.stdout.split())
    assert invoke("check", "--update", str(tmp_path)).exit_code != 0  # nothing to write from


def test_a_fixture_may_keep_its_events_gzipped(invoke, tmp_path):
    """`simulate -o fixtures/x/events.jsonl.gz` makes a fixture too."""
    folder = copy_fixture(tmp_path)
    events = folder / "events.jsonl"
    (folder / "events.jsonl.gz").write_bytes(gzip.compress(events.read_bytes()))
    events.unlink()
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert "1 of 1 fixtures match" in result.stderr


def test_a_fixture_with_an_unusable_link_template_is_named_not_a_traceback(invoke, tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "link-template.txt").write_text("https://x/}/{contact_id}\n", encoding="utf-8")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 1
    assert "link-template.txt: 'https://x/}/{contact_id}' is not a usable template" in " ".join(
        result.stdout.split()
    )
    assert invoke("check", "--update", str(tmp_path)).exit_code == 1  # nothing written from it
