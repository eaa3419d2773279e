"""How raw column values are written: durations in seconds, money, spreadsheet-safe text."""

import re
from collections.abc import Callable
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Any

from contactexport.timestamps import timestamp_formatter

_PLAIN_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")  # ASCII digits, as spreadsheets read
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
    """Quote text a spreadsheet would run as a formula (SPEC §3); plain numbers (+15550100)
    stay. A Gladly ID starting with "-" is quoted too: a spreadsheet runs -iHMbVH2vffonQO-m3TyjQ
    (#NAME?), and base64url text such as -A1-A2 is computed from other cells."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
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
    zone: tzinfo = UTC, durations: str = "seconds", *, for_spreadsheet: bool = True
) -> dict[str, Callable[[Any], str]]:
    """How each kind of raw column value is written, for the report time zone and duration
    style: the one definition export, timeline and the stored CSV lines share. Text is made
    spreadsheet-safe for files; a terminal shows it as the events gave it."""
    return {
        "timestamp": timestamp_formatter(zone),
        "duration": hms if durations == "hms" else seconds,
        "count": str,
        "money": lambda v: money(Decimal(v)),
        "text": spreadsheet_safe if for_spreadsheet else str,
    }
