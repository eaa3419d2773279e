from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contactexport.formatting import money, seconds, spreadsheet_safe
from contactexport.timestamps import TimestampError, format_ms, parse_ms, to_ms


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0"), (-120_000, "-120"), (3_381_064, "3381.064"), (12_500, "12.5"), (-1, "-0.001"),
     (1_010, "1.01")],
)  # fmt: skip
def test_durations_are_seconds_without_trailing_zeros(ms, text):
    assert seconds(ms) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("25.00"), "25"), (Decimal("19.99"), "19.99"), (Decimal(0), "0"),
     (Decimal("1E+3"), "1000"), (Decimal("7.50"), "7.5")],
)  # fmt: skip
def test_money_has_no_exponent_or_trailing_zeros(amount, text):
    assert money(amount) == text


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("+15550100", "+15550100"),
        ("-120", "-120"),
        ("-1.5", "-1.5"),
        ("\r=cmd", "'\r=cmd"),
        ("-iHMbVH2vffonQO-m3TyjQ", "'-iHMbVH2vffonQO-m3TyjQ"),  # a Gladly ID: #NAME? unquoted
        ("-A1-A2-A3-A4-A5-A6-A7", "'-A1-A2-A3-A4-A5-A6-A7"),  # base64url, computed from cells
        ("-_-", "'-_-"),
        ("-A1", "'-A1"),
        ("-Total", "'-Total"),
        ("-abc(1)", "'-abc(1)"),
        ("-A1!B2", "'-A1!B2"),
        ("+iHMbVH2vffonQO", "'+iHMbVH2vffonQO"),  # base64url has no "+": not an ID
        ("support@acme.com", "support@acme.com"),
        ("billing", "billing"),
    ],
)
def test_formula_like_text_is_neutralized_but_numbers_stay(text, safe):
    assert spreadsheet_safe(text) == safe


def test_timestamps_keep_milliseconds_and_order_across_offsets():
    assert parse_ms("2026-11-02T08:05:00.123Z") == parse_ms("2026-11-02T09:05:00.123+01:00")
    assert parse_ms("2026-11-02T08:05:00.1239Z") - parse_ms("2026-11-02T08:05:00Z") == 123
    assert format_ms(parse_ms("2026-11-02T08:05:00Z")) == "2026-11-02T08:05:00.000+00:00"


def test_timestamps_render_in_the_report_zone_with_dst():
    zone = ZoneInfo("America/New_York")
    assert format_ms(parse_ms("2026-07-01T12:00:00Z"), zone) == "2026-07-01T08:00:00.000-04:00"
    assert format_ms(parse_ms("2026-12-01T12:00:00Z"), zone) == "2026-12-01T07:00:00.000-05:00"
    assert format_ms(0, UTC) == "1970-01-01T00:00:00.000+00:00"


@pytest.mark.parametrize("text", ["2026-11-02T08:05:00", "yesterday", "", "2026-13-02T08:05Z"])
def test_bad_timestamps_are_errors(text):
    with pytest.raises(TimestampError):
        parse_ms(text)


@pytest.mark.parametrize(
    "zone",
    ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Amsterdam"],
)
def test_the_fast_timestamp_formatter_agrees_with_datetime_across_dst(zone):
    from contactexport.timestamps import timestamp_formatter

    tz = ZoneInfo(zone)
    fast = timestamp_formatter(tz)
    start = parse_ms("2026-03-07T00:00:00Z")
    for ms in range(start, start + 60 * 86_400_000, 7_919_993):  # ~2 months, odd steps
        assert fast(ms) == format_ms(ms, tz)
    # local mean time, an offset with seconds: before ingest's years, but a stored time can be
    early = to_ms(datetime(1890, 1, 1, 0, 0, 0, 123_000, tzinfo=UTC))
    assert fast(early) == format_ms(early, tz)


def test_only_ascii_digits_make_a_plain_number():
    assert spreadsheet_safe("+١٢٣") == "'+١٢٣"
