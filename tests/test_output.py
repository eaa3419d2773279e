"""output.output_file: whole_file, gzipped when the name ends in .gz."""

import gzip

import pytest

from contactexport.output import output_file


@pytest.mark.parametrize(("name", "mode"), [("a.csv.gz", "w"), ("a.jsonl.gz", "wb")])
def test_a_gz_name_is_gzipped_with_no_name_and_no_time(tmp_path, name, mode):
    target = tmp_path / name
    with output_file(target, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as out:
        out.write("é,1\n" if mode == "w" else b"{}\n")
    data = target.read_bytes()
    assert gzip.decompress(data) == ("é,1\n".encode() if mode == "w" else b"{}\n")
    assert data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0"


def test_other_names_are_written_as_they_are(tmp_path):
    target = tmp_path / "a.csv"
    with output_file(target, "w", encoding="utf-8") as out:
        out.write("x\n")
    assert target.read_text(encoding="utf-8") == "x\n"


def test_a_gzipped_file_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "a.csv.gz"
    target.write_bytes(gzip.compress(b"old\n"))
    with pytest.raises(KeyboardInterrupt), output_file(target, "w", encoding="utf-8") as out:
        out.write("new\n" * 10_000)
        raise KeyboardInterrupt
    assert gzip.decompress(target.read_bytes()) == b"old\n"
    assert list(tmp_path.iterdir()) == [target]
