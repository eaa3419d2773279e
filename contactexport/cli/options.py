"""Options several commands share, parsed once: report time zone, as-of, dates."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from contactexport.timestamps import to_ms

Zone = Annotated[
    str,
    typer.Option(
        "--tz", help="Report time zone (IANA name, e.g. America/New_York).", show_default=True
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Show the world as it was then: only events with timestamp <= this ISO 8601 "
        "time (a time without offset is read in --tz). The stored projection is untouched.",
    ),
]


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"unknown time zone {name!r}; use an IANA name such as UTC, Europe/Paris, "
            "America/New_York",
            param_hint="--tz",
        ) from None


def parse_as_of(text: str | None, zone: ZoneInfo) -> int | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 time such as 2026-11-02T08:10:00Z", param_hint="--as-of"
        ) from None
    return to_ms(moment if moment.tzinfo else moment.replace(tzinfo=zone))
