"""Is this input line an event we can archive? SPEC §2, one reason per bad line.

The store is the archive, so the bar is low on purpose: any well-formed envelope is kept, known
type or not. What is refused is what could not be replayed or found again: no id, no type, no
placeable time, or a CONTACT event that names no contact or conversation. A PAYMENT_REQUEST
event naming neither is a Gladly event like any other: archived, and at replay it counts on no
row.

`to_event` is the ingest hot path: the common case is a handful of dict lookups; every reason
is worked out only once a line has failed.
"""

import re
from typing import Final

import orjson

from contactexport.timestamps import TimestampError, parse_ms
from contactexport.vocabulary import CONTACT_PREFIX, KNOWN_TYPES

# Longer lines are rejected unread: no Gladly event comes near this, and a runaway line (a
# file without newlines, a dumped blob) must not be loaded into memory.
MAX_LINE_BYTES: Final = 1 << 20
# orjson refuses nesting deeper than this; Gladly payloads are a few levels deep.
MAX_DEPTH: Final = 1024

PROFILE_VIEW_PREFIX: Final = "PROFILE_VIEW/"

# The content fields an event must carry to be replayed onto a contact (SPEC §2), and those of
# the profile-view extension, without which it could not be placed.
_CONTACT_KEYS: Final = ("contactId", "conversationId")
_PROFILE_VIEW_KEYS: Final = ("agentId", "conversationId")
_KINDS: Final = {
    dict: "a JSON object",
    list: "a JSON array",
    str: "a JSON string",
    bool: "a JSON boolean",
}
_TYPE_SHAPE: Final = re.compile(r"[A-Z][A-Z0-9_]*(?:/[A-Z][A-Z0-9_]*)?")


class InvalidEvent(ValueError):
    """A line that cannot be archived as an event; str() is the reason."""


class BlankLine(InvalidEvent):
    """A line with nothing on it: skipped, not rejected."""


class OversizedLine:
    """Stands in for a line longer than MAX_LINE_BYTES: its first bytes, and its real size.

    Not bytes, so that orjson refuses it and it takes the reject path at no cost to good lines.
    """

    __slots__ = ("head", "size")

    def __init__(self, head: bytes, size: int) -> None:
        self.head = head
        self.size = size

    def __len__(self) -> int:
        return len(self.head)


def required_content(event_type: str) -> tuple[str, ...]:
    if event_type.startswith(CONTACT_PREFIX):
        return _CONTACT_KEYS
    if event_type.startswith(PROFILE_VIEW_PREFIX):
        return _PROFILE_VIEW_KEYS
    return ()


_REQUIRED: Final = {event_type: required_content(event_type) for event_type in KNOWN_TYPES}


def to_event(line: bytes | OversizedLine, source: str | None, line_no: int | None) -> tuple:
    """One JSONL line -> a NewEvent-shaped tuple, or InvalidEvent with the reason.

    `line` comes without its newline; the stored data is its text, verbatim.
    """
    try:
        envelope = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise _not_json(line, error) from None
    if envelope.__class__ is not dict:
        raise InvalidEvent(f"{_kind(envelope)}, not a JSON object")
    event_id = envelope.get("id")
    event_type = envelope.get("type")
    timestamp = envelope.get("timestamp")
    if (
        event_id.__class__ is not str
        or event_type.__class__ is not str
        or timestamp.__class__ is not str
        or not event_id
    ):
        raise InvalidEvent(_envelope_problems(envelope))
    required = _REQUIRED.get(event_type)
    if required is None:
        required = _unknown_type(event_type)
    content = envelope.get("content")
    if content.__class__ is dict:
        stream_id = content.get("conversationId")
        if stream_id.__class__ is not str or not stream_id:
            stream_id = None
    elif content is None:
        stream_id = None
        content = {}
    else:
        raise InvalidEvent(f"content is {_kind(content)}, not a JSON object")
    for key in required:
        value = content.get(key)
        if value.__class__ is not str or not value:
            raise InvalidEvent(_lacks(event_type, key, value))
    try:
        time_ms = parse_ms(timestamp)
    except TimestampError as error:
        raise InvalidEvent(_why_not_a_time(timestamp, error)) from None
    return (event_id, stream_id, event_type, time_ms, line.decode(), source, line_no)


def _not_json(line: bytes | OversizedLine, error: orjson.JSONDecodeError) -> InvalidEvent:
    if isinstance(line, OversizedLine):
        return InvalidEvent(f"line is {line.size:,} bytes, over the {MAX_LINE_BYTES:,}-byte limit")
    try:
        text = line.decode()
    except UnicodeDecodeError as bad:
        return InvalidEvent(f"not UTF-8: byte 0x{line[bad.start]:02x} at column {bad.start + 1}")
    if not text.strip():
        return BlankLine("blank line")
    if str(error).startswith("depth limit exceeded"):
        return InvalidEvent(f"JSON nested deeper than {MAX_DEPTH} levels")
    if text.strip() in ("[", "{"):
        return InvalidEvent(
            f"not JSON: a lone {text.strip()!r}: this looks like a JSON document, not JSON Lines "
            "(one event per line; `jq -c '.[]'` converts an array)"
        )
    # orjson counts lines within the record (always line 1 here): say the column only.
    if error.pos >= len(text.rstrip()):
        return InvalidEvent(f"not JSON: the line ends inside a value at column {error.colno}")
    return InvalidEvent(f"not JSON: {error.msg} at column {error.colno}")


def _kind(value: object) -> str:
    if value is None:
        return "JSON null"
    return _KINDS.get(type(value), "a JSON number")


def _envelope_problems(envelope: dict) -> str:
    problems = []
    for key in ("id", "type", "timestamp"):
        value = envelope.get(key)
        if value is None:
            problems.append(f"lacks {key}")
        elif not isinstance(value, str):
            problems.append(f"{key} is {_kind(value)}, not a string")
        elif not value and key == "id":
            problems.append("id is empty")
    return "; ".join(problems)


def _unknown_type(event_type: str) -> tuple[str, ...]:
    """A type outside the vocabulary is archived all the same, if it has the ENTITY/ACTION shape.

    A lower-case or free-text type is refused: it is more likely a broken producer than a new
    Gladly event, and replay would silently ignore it.
    """
    if not _TYPE_SHAPE.fullmatch(event_type):
        raise InvalidEvent(
            f"type {_shorten(event_type)} is not ENTITY/ACTION or one word, in capitals"
        )
    return required_content(event_type)


def _lacks(event_type: str, key: str, value: object) -> str:
    if value is None or value == "":
        return f"{event_type} lacks content.{key}"
    return f"{event_type} content.{key} is {_kind(value)}, not a string"


def _why_not_a_time(timestamp: str, error: TimestampError) -> str:
    if len(timestamp) > 64:
        return f"timestamp {_shorten(timestamp)} is not ISO 8601"
    return str(error)


def _shorten(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text):,} characters)"
