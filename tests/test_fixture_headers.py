"""Every fixture's expected.csv carries the report's 57 column names, in the report's order and
spelling (en dashes included), so a fixture cannot drift from the report it claims to reproduce."""

import csv
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
REPORT = Path(__file__).parents[2] / "shared/reference/contact-export-report.txt"

if not REPORT.is_file():
    pytest.skip(
        f"report definition not found at {REPORT}: cannot read the 57 column names",
        allow_module_level=True,
    )


def report_columns() -> list[str]:
    """The first cell of each row of the report's metric table ("Metric | Description | ...")."""
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Metric | Description"))
    names = []
    for line in lines[start + 1 :]:
        if " | " not in line:
            break
        names.append(line.split(" | ", 1)[0].strip())
    return names


COLUMNS = report_columns()
EXPECTED_FILES = sorted(FIXTURES.glob("*/expected.csv"))


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_the_report_table_has_57_distinct_columns():
    assert len(COLUMNS) == 57, COLUMNS
    assert len(set(COLUMNS)) == 57


def test_there_are_fixtures():
    assert EXPECTED_FILES, f"no */expected.csv under {FIXTURES}"


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=lambda p: p.parent.name)
def test_expected_csv_header_is_the_report_columns(path):
    assert read(path)[0] == COLUMNS


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=lambda p: p.parent.name)
def test_every_expected_row_has_one_cell_per_column(path):
    short = [n for n, row in enumerate(read(path)[1:], 2) if len(row) != len(COLUMNS)]
    assert not short, f"{path}: lines {short} do not have {len(COLUMNS)} cells"
