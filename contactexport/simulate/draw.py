"""Random draws in the shapes contact-center data has: skewed durations, weighted choices."""

from collections.abc import Sequence
from math import log
from random import Random
from typing import TypeVar

from contactexport.simulate.clock import SECOND

T = TypeVar("T")


def duration(
    rng: Random, median: float, sigma: float = 0.6, low: float = 1.0, high: float = 86400.0
) -> int:
    """Milliseconds, log-normal around `median` seconds, clipped to [low, high] seconds."""
    seconds = rng.lognormvariate(log(median), sigma)
    return int(min(high, max(low, seconds)) * SECOND)


def between(rng: Random, low: float, high: float) -> int:
    """Milliseconds, uniform between `low` and `high` seconds."""
    return int((low + (high - low) * rng.random()) * SECOND)


def weighted(rng: Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights)[0]
