"""parse_ms: which timestamps place an event on the timeline, and where."""

import pytest

from contactexport.timestamps import TimestampError, parse_ms

UPPER = parse_ms("2026-11-02T08:05:00.000Z")


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-02t08:05:00.000z",  # RFC 3339 §5.6: "T" and "Z" may be lower case
        "2026-11-02T08:05:00.000z",
        "2026-11-02t08:05:00.000Z",
        "2026-11-02t09:05:00.000+01:00",
        "2026-11-02T08:05:00z",
    ],
)
def test_lower_case_t_and_z_are_the_same_moment(text):
    assert parse_ms(text) == UPPER


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-02t08:05:00.000", "has no UTC offset"),
        ("2026-11-02T08:05:00.000", "has no UTC offset"),
        ("2026-11-02T08:05:00.000zz", "is not ISO 8601"),
        ("z", "is not ISO 8601"),
        ("yesterday", "is not ISO 8601"),
    ],
)
def test_a_timestamp_without_offset_or_shape_is_still_refused(text, reason):
    with pytest.raises(TimestampError, match=reason) as refused:
        parse_ms(text)
    assert repr(text) in str(refused.value)  # the reason quotes what was written


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z",
        "1899-12-31T23:59:59.999Z",
        "3000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ],
)
def test_a_placeholder_time_is_refused(text):
    """Go's zero time and a 9999 "never" are not event times; in a report zone they would
    not even have a date."""
    with pytest.raises(TimestampError, match="outside the years 1900-2999"):
        parse_ms(text)


@pytest.mark.parametrize("text", ["1900-01-01T00:00:00Z", "2999-12-31T23:59:59.999Z"])
def test_the_years_around_us_are_event_times(text):
    assert isinstance(parse_ms(text), int)


@pytest.mark.parametrize(
    ("ms", "zone"),
    [(-62135596800000, "America/New_York"), (253402300799000, "Pacific/Kiritimati")],
)
def test_a_stored_placeholder_time_is_shown_in_utc_where_no_zone_can_show_it(ms, zone):
    """Stores filled before ingest refused such times must still export (was OverflowError)."""
    from zoneinfo import ZoneInfo

    from contactexport.timestamps import format_ms, timestamp_formatter

    expected = format_ms(ms)
    assert expected.endswith("+00:00") and expected[:4] in ("0001", "9999")
    assert format_ms(ms, ZoneInfo(zone)) == expected
    assert timestamp_formatter(ZoneInfo(zone))(ms) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.000+00:00"),  # year 0 in UTC
        ("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999+00:00"),  # year 10000 in UTC
    ],
)
def test_a_stored_time_past_utcs_own_range_is_shown_at_its_edge(text, shown):
    from zoneinfo import ZoneInfo

    from contactexport.timestamps import format_ms, parse_datetime, to_ms

    ms = to_ms(parse_datetime(text))
    for zone in (None, ZoneInfo("Asia/Tokyo")):
        assert (format_ms(ms) if zone is None else format_ms(ms, zone)) == shown
