"""Which lines are archived as events and, for the others, the reason a person can act on."""

import json

import pytest

from contactexport.validation import (
    MAX_DEPTH,
    MAX_LINE_BYTES,
    BlankLine,
    InvalidEvent,
    OversizedLine,
    to_event,
)
from contactexport.vocabulary import KNOWN_TYPES

CONTACT = {"contactId": "k1", "conversationId": "v1", "customerId": "u1", "channel": "CHAT"}


def envelope(event_type="CONTACT/STARTED", content=CONTACT, **fields) -> dict:
    event = {"id": "e1", "type": event_type, "timestamp": "2026-11-02T08:05:00.123Z"}
    event["initiator"] = {"id": "a1", "type": "AGENT"}
    if content is not None:
        event["content"] = content
    return {**event, **fields}


def line(value) -> bytes:
    return json.dumps(value).encode()


def reason(raw: bytes) -> str:
    with pytest.raises(InvalidEvent) as raised:
        to_event(raw, "events.jsonl", 118)
    return str(raised.value)


def test_a_contact_event_becomes_a_stored_event():
    raw = line(envelope())
    assert to_event(raw, "events.jsonl", 3) == (
        "e1",
        "v1",
        "CONTACT/STARTED",
        1793606700123,
        raw.decode(),
        "events.jsonl",
        3,
    )


@pytest.mark.parametrize("event_type", sorted(KNOWN_TYPES))
def test_every_known_type_is_accepted(event_type):
    content = {**CONTACT, "agentId": "a1"}
    assert to_event(line(envelope(event_type, content)), None, None)[2] == event_type


def test_an_unknown_well_formed_type_is_accepted():
    assert to_event(line(envelope("ROUTING/REQUEUED", {})), None, None)[2] == "ROUTING/REQUEUED"


def test_ping_without_content_is_accepted_without_a_stream():
    event = to_event(line(envelope("PING", None)), None, None)
    assert event[1] is None


@pytest.mark.parametrize("conversation", [None, 7, ["v1"], ""])
def test_no_string_conversation_id_means_no_stream(conversation):
    content = {"agentId": "a1", "conversationId": conversation}
    assert to_event(line(envelope("AGENT_STATUS/LOGGED_IN", content)), None, None)[1] is None


def test_the_offset_is_honoured_and_milliseconds_kept():
    utc = to_event(line(envelope(timestamp="2026-11-02T08:05:00.123Z")), None, None)
    paris = to_event(line(envelope(timestamp="2026-11-02T09:05:00.123+01:00")), None, None)
    assert utc[3] == paris[3] == 1793606700123


def test_the_text_is_kept_verbatim():
    raw = b'{ "id" : "e1", "type":"PING", "timestamp":"2026-11-02T08:05:00Z", "x": "\\u00e9" }'
    assert to_event(raw, None, None)[4] == raw.decode()


def test_a_blank_line_is_not_a_reject():
    for raw in (b"", b"   ", b"\t"):
        with pytest.raises(BlankLine):
            to_event(raw, None, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"id": "\xff"}', "not UTF-8: byte 0xff at column 9"),
        (b'{"id": "e1",', "not JSON: the line ends inside a value at column 13"),
        (b'{"id": "e1", "ty', "not JSON: the line ends inside a value at column 17"),
        (b'{"id" "e1"}', "not JSON: unexpected character, expected ':' after key at column 7"),
        (b"id,type,timestamp", "not JSON: unexpected character, expected a JSON value at column 1"),
        (b"[", "not JSON: a lone '[': this looks like a JSON document, not JSON Lines"),
        (b"{  ", "not JSON: a lone '{': this looks like a JSON document, not JSON Lines"),
        (
            b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
            f"JSON nested deeper than {MAX_DEPTH} levels",
        ),
        (b"null", "JSON null, not a JSON object"),
        (b"[1, 2]", "a JSON array, not a JSON object"),
        (b'"text"', "a JSON string, not a JSON object"),
        (b"42", "a JSON number, not a JSON object"),
        (b"true", "a JSON boolean, not a JSON object"),
    ],
)
def test_a_line_that_is_not_an_object(raw, expected):
    assert reason(raw).startswith(expected)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": None}, "lacks id"),
        ({"id": 17}, "id is a JSON number, not a string"),
        ({"id": ""}, "id is empty"),
        ({"type": None}, "lacks type"),
        ({"timestamp": None}, "lacks timestamp"),
        ({"id": None, "timestamp": None}, "lacks id; lacks timestamp"),
        ({"timestamp": 1793606700}, "timestamp is a JSON number, not a string"),
        (
            {"type": "contact/started"},
            "type 'contact/started' is not ENTITY/ACTION or one word, in capitals",
        ),
        ({"type": ""}, "type '' is not ENTITY/ACTION or one word, in capitals"),
        ({"timestamp": "2026-11-02T08:05:00"}, "timestamp '2026-11-02T08:05:00' has no UTC offset"),
        ({"timestamp": "yesterday"}, "timestamp 'yesterday' is not ISO 8601"),
        (
            {"timestamp": "0001-01-01T00:00:00Z"},  # Go's zero time
            "timestamp '0001-01-01T00:00:00Z' is outside the years 1900-2999",
        ),
        ({"timestamp": "9" * 500}, "timestamp '9999999999"),
        ({"content": ["k1"]}, "content is a JSON array, not a JSON object"),
    ],
)
def test_an_envelope_that_cannot_be_archived(changes, expected):
    event = {k: v for k, v in {**envelope(), **changes}.items() if v is not None}
    assert reason(line(event)).startswith(expected)


def test_a_long_timestamp_is_shortened_in_the_reason():
    assert "(500 characters)" in reason(line(envelope(timestamp="9" * 500)))


@pytest.mark.parametrize(
    ("event_type", "missing", "expected"),
    [
        ("CONTACT/STARTED", "contactId", "CONTACT/STARTED lacks content.contactId"),
        ("CONTACT/ENDED", "conversationId", "CONTACT/ENDED lacks content.conversationId"),
        ("CONTACT/ANSWERED", "contactId", "CONTACT/ANSWERED lacks content.contactId"),
        ("CONTACT/RINGING", "contactId", "CONTACT/RINGING lacks content.contactId"),
        ("PROFILE_VIEW/STARTED", "agentId", "PROFILE_VIEW/STARTED lacks content.agentId"),
        (
            "PROFILE_VIEW/ENDED",
            "conversationId",
            "PROFILE_VIEW/ENDED lacks content.conversationId",
        ),
    ],
)
def test_a_contact_level_event_must_name_its_contact(event_type, missing, expected):
    content = {**CONTACT, "agentId": "a1"}
    del content[missing]
    assert reason(line(envelope(event_type, content))) == expected


PAYMENT_TYPES = sorted(t for t in KNOWN_TYPES if t.startswith("PAYMENT_REQUEST/"))


@pytest.mark.parametrize("event_type", [*PAYMENT_TYPES, "PAYMENT_REQUEST/REFUNDED"])
@pytest.mark.parametrize(
    ("content", "stream"),
    [
        ({"conversationId": "v1", "paymentRequestId": "p1"}, "v1"),
        ({"contactId": "k1", "paymentRequestId": "p1"}, None),
        ({"paymentRequestId": "p1"}, None),
        ({"contactId": "", "conversationId": ""}, None),
        ({"contactId": 7, "conversationId": ["v1"]}, None),
        (None, None),
    ],
)
def test_a_payment_naming_no_contact_or_conversation_is_archived(event_type, content, stream):
    """SPEC §2 rejects only a CONTACT event without its IDs; a payment is kept whatever it
    names, a non-string ID included, like any field no rule requires (it counts on no row)."""
    assert to_event(line(envelope(event_type, content)), None, None)[1:3] == (stream, event_type)


def test_a_contact_event_without_content():
    assert (
        reason(line(envelope("CONTACT/STARTED", None))) == "CONTACT/STARTED lacks content.contactId"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "CONTACT/STARTED lacks content.contactId"),
        (12, "CONTACT/STARTED content.contactId is a JSON number, not a string"),
        ({"id": "k1"}, "CONTACT/STARTED content.contactId is a JSON object, not a string"),
    ],
)
def test_a_contact_id_must_be_a_string(value, expected):
    assert reason(line(envelope(content={**CONTACT, "contactId": value}))) == expected


def test_an_oversized_line_is_rejected_with_its_size():
    size = 10 * MAX_LINE_BYTES
    assert reason(OversizedLine(b'{"id": "e1", ', size)) == (
        f"line is {size:,} bytes, over the {MAX_LINE_BYTES:,}-byte limit"
    )
