"""Event time as integer epoch milliseconds: exact ordering across offsets, cheap arithmetic."""

from datetime import UTC, datetime, timedelta, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


class TimestampError(ValueError):
    """A timestamp that cannot be placed on the timeline."""


def parse_ms(text: str) -> int:
    """ISO 8601 with a UTC offset -> epoch milliseconds (sub-millisecond digits truncated)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise TimestampError(f"timestamp {text!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise TimestampError(f"timestamp {text!r} has no UTC offset")
    return to_ms(moment)


def to_ms(moment: datetime) -> int:
    """An aware datetime -> epoch milliseconds."""
    return (moment - _EPOCH) // _ONE_MS


def to_datetime(ms: int, zone: tzinfo = UTC) -> datetime:
    return (_EPOCH + ms * _ONE_MS).astimezone(zone)


def format_ms(ms: int, zone: tzinfo = UTC) -> str:
    """Epoch milliseconds -> ISO 8601 with the zone's offset, always with milliseconds."""
    return to_datetime(ms, zone).isoformat(timespec="milliseconds")
