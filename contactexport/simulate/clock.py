"""Simulated time: when conversations arrive, and how instants are written.

Times are integer epoch milliseconds throughout the simulator, like `contactexport.timestamps`.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from random import Random
from zoneinfo import ZoneInfo

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=1024)
def _hour_text(hour: int) -> str:
    """`2026-11-02T08:` for the hour `hour` hours after the epoch."""
    day, hour_of_day = divmod(hour, 24)
    return f"{date.fromordinal(_EPOCH_ORDINAL + day).isoformat()}T{hour_of_day:02d}:"


def iso(ms: int) -> str:
    """Epoch ms -> `2026-11-02T08:05:00.000Z`, Gladly's form (much faster than datetime)."""
    hour, rest = divmod(ms, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    return f"{_hour_text(hour)}{minutes:02d}:{rest // SECOND:02d}.{rest % SECOND:03d}Z"


def local_midnight(start: date, day: int, zone: ZoneInfo) -> int:
    """Epoch ms of midnight, local time, `day` days after `start`."""
    moment = datetime.combine(start + timedelta(days=day), time(0), tzinfo=zone)
    return int(moment.timestamp()) * SECOND


def hourly_weights(
    start: date, days: int, zone: ZoneInfo, curve: Sequence[float], weekend_factor: float
) -> tuple[int, list[float]]:
    """(epoch ms of the first hour, arrival weight of each UTC hour of the period).

    Hours are stepped in UTC and weighted by their local hour and weekday, so daylight-saving
    days simply have 23 or 25 hours.
    """
    begin = local_midnight(start, 0, zone)
    end = local_midnight(start, days, zone)
    weights = []
    for hour_start in range(begin, end, HOUR):
        local = datetime.fromtimestamp(hour_start // SECOND, UTC).astimezone(zone)
        weekend = weekend_factor if local.weekday() >= 5 else 1.0
        weights.append(curve[local.hour] * weekend)
    return begin, weights


def arrivals(rng: Random, count: int, begin: int, weights: Sequence[float]) -> Iterator[int]:
    """`count` arrival times in increasing order, distributed by the hourly weights.

    Sorted uniforms are drawn one at a time (the minimum of the i uniforms still to come is
    1 - V^(1/i)), then mapped through the inverse of the piecewise-constant arrival curve:
    exactly `count` arrivals, in order, in constant memory.
    """
    total = sum(weights)
    if count <= 0 or total <= 0:
        return
    last = len(weights) - 1
    bucket, low, high = 0, 0.0, weights[0] / total
    u = 0.0
    for remaining in range(count, 0, -1):
        u = 1.0 - (1.0 - u) * rng.random() ** (1.0 / remaining)
        while u >= high and bucket < last:
            bucket += 1
            low, high = high, high + weights[bucket] / total
        within = (u - low) / (high - low) if high > low else 0.0
        yield begin + bucket * HOUR + max(0, min(HOUR - 1, int(within * HOUR)))
