"""Every fixture under fixtures/ replays to its expected.csv, through `check`'s own code."""

from pathlib import Path

import pytest

from contactexport.check import check_fixture, fixture_folders

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize("folder", fixture_folders([FIXTURES]), ids=lambda p: p.name)
def test_fixture_replays_to_its_expected_rows(folder):
    result = check_fixture(folder)
    report = [*result.problems] + [
        f"{d.contact_id} / {d.column}: expected {d.expected!r}, got {d.got!r}"
        for d in result.differences
    ]
    assert result.ok, "\n".join(report)
