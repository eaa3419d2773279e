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
