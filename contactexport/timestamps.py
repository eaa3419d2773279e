"""Event time as integer epoch milliseconds: exact ordering across offsets, cheap arithmetic."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
# The years an event can happen in. Times outside are placeholders, not events: Go's zero time
# 0001-01-01T00:00:00Z, a 9999-12-31 "never". Kept out, they cannot reach a report either.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


class TimestampError(ValueError):
    """A timestamp that cannot be placed on the timeline."""


def parse_datetime(text: str) -> datetime:
    """ISO 8601, with or without an offset, RFC 3339's lower-case t and z included."""
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return _with_lowercase_z(text)


def parse_ms(text: str) -> int:
    """ISO 8601 with a UTC offset -> epoch milliseconds (sub-millisecond digits truncated)."""
    moment = parse_datetime(text)
    if moment.tzinfo is None:
        raise TimestampError(f"timestamp {text!r} has no UTC offset")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise TimestampError(
            f"timestamp {text!r} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}: "
            "a placeholder, not an event time"
        )
    return to_ms(moment)


def _with_lowercase_z(text: str) -> datetime:
    """RFC 3339 §5.6 allows "t" and "z" for "T" and "Z". fromisoformat takes any one character
    between date and time, so "t" already, but only a capital Z; tried only once a timestamp has
    failed, so the ingest path of every well-written one stays a single call."""
    if isinstance(text, str) and text.endswith("z"):
        try:
            return datetime.fromisoformat(text[:-1] + "Z")
        except ValueError:
            pass
    raise TimestampError(f"timestamp {text!r} is not ISO 8601") from None


def to_ms(moment: datetime) -> int:
    """An aware datetime -> epoch milliseconds."""
    return (moment - _EPOCH) // _ONE_MS


def to_datetime(ms: int, zone: tzinfo = UTC) -> datetime:
    """The moment in `zone`. A placeholder time stored before ingest refused them may fall
    outside years 1-9999 there: it is then shown in UTC, or past UTC's own range too (year 0
    or 10000, from an offset at the edge), as the first or last moment a datetime can hold."""
    try:
        moment = _EPOCH + ms * _ONE_MS
    except OverflowError:
        return (datetime.max if ms > 0 else datetime.min).replace(tzinfo=UTC)
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


def format_ms(ms: int, zone: tzinfo = UTC) -> str:
    """Epoch milliseconds -> ISO 8601 with the zone's offset, always with milliseconds."""
    return to_datetime(ms, zone).isoformat(timespec="milliseconds")


def timestamp_formatter(zone: tzinfo = UTC) -> Callable[[int], str]:
    """A fast `format_ms` for one zone, for exports of millions of cells.

    Offsets change only on whole minutes, so the text up to the minute and the offset are
    computed once per UTC minute (cached) and only seconds and milliseconds per call.
    """

    @lru_cache(maxsize=1 << 16)
    def minute(index: int) -> tuple[str, str] | None:
        text = format_ms(index * 60_000, zone)
        if text[17:23] != "00.000":  # an offset with seconds (pre-1970 local mean time)
            return None
        return text[:17], text[23:]

    def format_fast(ms: int) -> str:
        parts = minute(ms // 60_000)
        if parts is None:
            return format_ms(ms, zone)
        second, milli = divmod(ms % 60_000, 1000)
        return f"{parts[0]}{second:02d}.{milli:03d}{parts[1]}"

    return format_fast
