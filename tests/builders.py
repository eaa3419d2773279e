"""Terse builders for Gladly events in tests: `ev("CONTACT/STARTED", "08:05", ...)`."""

import itertools
import json
from typing import Any

from contactexport.columns import HEADERS, row_values
from contactexport.conversation import ConversationReplay, replay_conversation
from contactexport.timestamps import parse_ms
from eventstore.records import StoredEvent

DAY = "2026-11-02"
_ids = itertools.count(1)


def at(clock: str) -> str:
    """'08:05' or '08:05:30.250' on the test day, as a Gladly timestamp."""
    if clock.count(":") == 1:
        clock += ":00"
    if "." not in clock:
        clock += ".000"
    return f"{DAY}T{clock}Z"


def ms(clock: str) -> int:
    return parse_ms(at(clock))


def ev(
    event_type: str,
    clock: str,
    contact: str | None = "c1",
    *,
    channel: str = "PHONE_CALL",
    initiator: str = "CUSTOMER",
    inbox: str = "inbox-1",
    agent: str | None = None,
    conversation: str = "conv-1",
    customer: str = "cust-1",
    event_id: str | None = None,
    **content: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"conversationId": conversation, "customerId": customer}
    if event_type.startswith(("CONTACT/", "PAYMENT_REQUEST/")):
        body["contactId"] = contact
    if event_type.startswith("CONTACT/"):
        assignee = {"inboxId": inbox} | ({"agentId": agent} if agent else {})
        body |= {"channel": channel, "context": {"assignee": assignee}}
    body |= content
    return {
        "id": event_id or f"e{next(_ids):06d}",
        "type": event_type,
        "timestamp": at(clock),
        "initiator": {"id": "someone", "type": initiator},
        "content": body,
    }


def stored(events: list[dict[str, Any]]) -> list[StoredEvent]:
    return [
        StoredEvent(
            position,
            e["id"],
            e["content"].get("conversationId"),
            e["type"],
            parse_ms(e["timestamp"]),
            json.dumps(e),
        )
        for position, e in enumerate(events, start=1)
    ]


def replay(*events: dict[str, Any], **options: Any) -> ConversationReplay:
    return replay_conversation("conv-1", stored(list(events)), **options)


def rows(*events: dict[str, Any], **options: Any) -> dict[str, dict[str, Any]]:
    """contact ID -> {header: raw value} after replaying the events as one conversation."""
    result = replay(*events, **options)
    return {
        contact_id: dict(zip(HEADERS, row_values(contact), strict=True))
        for contact_id, contact in result.contacts.items()
    }


def row(*events: dict[str, Any], contact: str = "c1", **options: Any) -> dict[str, Any]:
    return rows(*events, **options)[contact]
