"""How raw column values are written: durations in seconds, money, spreadsheet-safe text."""

import re
from collections.abc import Callable
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Any

from contactexport.timestamps import timestamp_formatter

_PLAIN_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")  # ASCII digits, as spreadsheets read
# Gladly IDs are base64url, 22 characters, so 1 in 64 starts with "-". Text of only these
# characters can call nothing and link nowhere (that needs parentheses, "!" or quotes); from 16
# characters on it is too long for a cell reference (-XFD1048576 is 11), so at most an unknown
# name. Quoting it would corrupt the IDs analysts join on; shorter text (-A1) is still quoted.
_PLAIN_ID = re.compile(r"-[A-Za-z0-9_-]{15,}")
_FORMULA_START = ("=", "@", "\t", "\r", "+", "-")


def seconds(ms: int) -> str:
    """Milliseconds -> seconds with up to three decimals, no trailing zeros: -120, 3381.064."""
    sign = "-" if ms < 0 else ""
    whole, fraction = divmod(abs(ms), 1000)
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:03d}".rstrip("0")


def money(amount: Decimal) -> str:
    """A decimal sum without exponent or trailing zeros: 25, 19.99."""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def spreadsheet_safe(text: str) -> str:
    """Quote text a spreadsheet would run as a formula; plain numbers (+15550100) and IDs
    (-iHMbVH2vffonQO-m3TyjQ) stay."""
    if (
        text.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(text)
        and not _PLAIN_ID.fullmatch(text)
    ):
        return "'" + text
    return text


def hms(ms: int) -> str:
    """Milliseconds -> the UI's d:hh:mm:ss, to the nearest second: -120000 -> -0:00:02:00."""
    total = (abs(ms) + 500) // 1000
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if ms < 0 and total else ""
    return f"{sign}{days}:{hours:02d}:{minutes:02d}:{secs:02d}"


def cell_formatters(
    zone: tzinfo = UTC, durations: str = "seconds"
) -> dict[str, Callable[[Any], str]]:
    """How each kind of raw column value is written, for the report time zone and duration
    style: the one definition export, timeline and the stored CSV lines share."""
    return {
        "timestamp": timestamp_formatter(zone),
        "duration": hms if durations == "hms" else seconds,
        "count": str,
        "money": lambda v: money(Decimal(v)),
        "text": spreadsheet_safe,
    }
