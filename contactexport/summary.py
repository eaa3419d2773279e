"""Group the export's rows and describe one metric per group: count, mean, median, p90, max.

Answers the report's "how to use" questions: which entry points drive voice wait time, is it
rising day by day, which contacts weigh most on handle time.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from contactexport.columns import BY_HEADER, HEADERS
from contactexport.timestamps import to_datetime

TIME_BUCKETS = ("hour", "day", "week")
_INDEX = {header: i for i, header in enumerate(HEADERS)}
_QUEUED = _INDEX["Queued At"]


@dataclass(frozen=True, slots=True)
class GroupStats:
    key: tuple[str, ...]
    count: int
    mean: float
    median: float
    p90: float
    max: float


def bucket(ms: int | None, size: str, zone: tzinfo) -> str:
    """Queued At as a period in the report zone: 2026-11-02T08:00+00:00, 2026-11-02 or
    2026-W45. An hour carries its offset: on the night clocks go back, 01:00 comes twice."""
    if ms is None:
        return ""
    moment = to_datetime(ms, zone)
    if size == "hour":
        return moment.replace(minute=0, second=0, microsecond=0).isoformat(timespec="minutes")
    if size == "day":
        return moment.date().isoformat()
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _group_key(row: tuple, by: list[str], zone: tzinfo) -> tuple[str, ...]:
    return tuple(
        bucket(row[_QUEUED], name, zone) if name in TIME_BUCKETS else _part(row[_INDEX[name]])
        for name in by
    )


def _part(value: Any) -> str:
    """A group's text: a count of 0 is a group of its own, only None is blank."""
    return "" if value is None else str(value)


def p90(values: list[float]) -> float:
    """The 90th percentile, interpolated between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def summarize(rows: Iterable[tuple], by: list[str], metric: str, zone: tzinfo) -> list[GroupStats]:
    """Stats of `metric` per group; blank values are left out, groups ordered by key."""
    index = _INDEX[metric]
    to_number = float if BY_HEADER[metric].kind != "money" else lambda v: float(Decimal(v))
    groups: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for row in rows:
        value: Any = row[index]
        if value is not None:
            groups[_group_key(row, by, zone)].append(to_number(value))
    return [
        GroupStats(
            key,
            len(values),
            statistics.fmean(values),
            statistics.median(values),
            p90(values),
            max(values),
        )
        for key, values in sorted(groups.items(), key=lambda group: _in_order(group[0], by))
    ]


def _in_order(key: tuple[str, ...], by: list[str]) -> tuple:
    """Groups in key order: hours in time order (by text, the two 01:00 hours of a night
    clocks go back would sort by their offsets), counts as numbers (2 before 10)."""
    return tuple(_sort_part(name, part) for name, part in zip(by, key, strict=True))


def _sort_part(name: str, part: str) -> tuple:
    """One part of a group's key, as it sorts; blanks first."""
    if not part:
        return (False, None)
    if name == "hour":
        return (True, datetime.fromisoformat(part))
    if name not in TIME_BUCKETS and BY_HEADER[name].kind == "count":
        return (True, int(part))
    return (True, part)
