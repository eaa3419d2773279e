"""One contact during replay: its state and what each possible event adds to it.

A Contact is a plain object (one shared state machine serves them all); `apply` asks the
machine where an event leads and, when the event is possible, runs its effect. Effects only
record facts (times, counts); turning facts into report columns is `columns.py`'s job.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal
from math import isfinite
from typing import Any

from contactexport.machine import TABLE, anomaly_reason, next_state
from contactexport.timestamps import TimestampError, parse_ms
from contactexport.vocabulary import CHANNEL_RANK, INBOUND_INITIATORS, OUTBOUND_INITIATORS

HOLD_KINDS = ("MANUAL", "WARM_TRANSFER", "COLD_TRANSFER", "CONFERENCE")
# OFFER_REJECTED spells it "DEVICE ERROR"; Gladly writes DEVICE_ERROR elsewhere, so take both.
MISSED_REASONS = frozenset({"MISSED", "DEVICE ERROR", "DEVICE_ERROR"})
SENDER_BY_INITIATOR = {"AGENT": "agent", "AUTOMATION": "rules", "APPLICATION": "api", "API": "api"}


class Event:
    """A stored event as replay sees it: its time, identity and parsed JSON.

    `content` and `initiator_type` are read once here: replay consults them for every event.
    """

    __slots__ = ("body", "content", "event_id", "initiator_type", "time_ms", "type")

    def __init__(self, time_ms: int, event_id: str, type: str, body: dict[str, Any]) -> None:
        self.time_ms = time_ms
        self.event_id = event_id
        self.type = type
        self.body = body
        content = body.get("content")
        self.content: dict[str, Any] = content if content.__class__ is dict else {}
        initiator = body.get("initiator")
        self.initiator_type = text(initiator, "type") if initiator.__class__ is dict else None

    def __repr__(self) -> str:
        return f"Event({self.time_ms}, {self.event_id!r}, {self.type!r})"

    def assignee(self, key: str | None = "context") -> dict[str, Any]:
        """`context.assignee` (just before the event) or, with key=None, `content.assignee`."""
        content = self.content
        holder = content.get(key) if key else content
        assignee = holder.get("assignee") if isinstance(holder, dict) else None
        return assignee if isinstance(assignee, dict) else {}


def text(mapping: dict[str, Any], key: str) -> str | None:
    """A text field of a payload, or None when absent or not a string: a list or an object
    where Gladly sends a string must not reach a report cell (or break the replay)."""
    value = mapping.get(key)
    return value if value.__class__ is str else None


@dataclass(slots=True)
class Anomaly:
    time_ms: int
    event_id: str
    event_type: str
    reason: str


@dataclass(slots=True)
class Payment:
    status: str | None = None
    currency: str | None = None
    amount: Decimal | None = None


class Contact:
    """Facts gathered for one contact; attribute names follow the report's words."""

    __slots__ = (
        "accepted",
        "accepted_at",
        "after_contact_ms",
        "agent_reply_ms",
        "agent_waiting_since",
        "agent_when_ended",
        "anomalies",
        "answered_at",
        "channel",
        "channel_rank",
        "contact_id",
        "conversation_id",
        "customer_id",
        "customer_reply_ms",
        "customer_waiting_since",
        "declined",
        "direction",
        "due_at",
        "ended_at",
        "entry_point",
        "final_ivr_selection",
        "fulfilled",
        "fulfilled_at",
        "fulfilled_by",
        "fulfilled_type",
        "handle_ms",
        "hold_count",
        "hold_ms",
        "inbox_first_queued",
        "inbox_when_ended",
        "initiator",
        "messages",
        "missed",
        "offer_open",
        "offered",
        "offered_at",
        "open_hold",
        "outbound_call",
        "payments",
        "phone",
        "queued_at",
        "state",
        "status",
        "transferred",
        "view_segments",
    )

    def __init__(self, contact_id: str, conversation_id: str, content: dict[str, Any]) -> None:
        self.contact_id = contact_id
        self.conversation_id = conversation_id
        self.customer_id = text(content, "customerId")
        self.set_channel(text(content, "channel"))
        self.state = "pending"
        self.anomalies: list[Anomaly] = []
        self.queued_at: int | None = None
        self.initiator: str | None = None
        self.direction: str | None = None
        self.entry_point: str | None = None
        self.final_ivr_selection: str | None = None
        self.inbox_first_queued: str | None = None
        self.due_at: int | None = None
        self.outbound_call = False
        self.offered_at: int | None = None
        self.offer_open = False  # an OFFERED not yet accepted or rejected
        self.accepted_at: int | None = None
        self.answered_at: int | None = None
        self.offered = self.accepted = self.missed = self.declined = self.transferred = 0
        self.fulfilled = False
        self.fulfilled_at: int | None = None
        self.fulfilled_type: str | None = None
        self.fulfilled_by: str | None = None
        self.ended_at: int | None = None
        self.status: str | None = None
        self.agent_when_ended: str | None = None
        self.inbox_when_ended: str | None = None
        self.open_hold: tuple[int, str | None] | None = None  # (started at, kind)
        self.hold_ms = dict.fromkeys(HOLD_KINDS, 0) | {"TOTAL": 0}
        self.hold_count = dict.fromkeys(HOLD_KINDS, 0) | {"TOTAL": 0}
        self.messages = {"total": 0, "customer": 0, "agent": 0, "rules": 0, "api": 0}
        self.agent_reply_ms: list[int] = []
        self.customer_reply_ms: list[int] = []
        self.agent_waiting_since: int | None = None
        self.customer_waiting_since: int | None = None
        self.payments: dict[str, Payment] = {}
        self.handle_ms = 0
        self.view_segments: list[tuple[int, int, str]] = []  # (start, end, kind), for --why
        self.after_contact_ms = 0

    def set_channel(self, channel: str | None) -> None:
        """The channel and what follows from it (payments and profile views carry none)."""
        self.channel = channel
        self.channel_rank = CHANNEL_RANK.get(channel or "", len(CHANNEL_RANK))
        self.phone = channel == "PHONE_CALL"

    def copy(self) -> "Contact":
        """A copy the end-of-conversation rules (which only set facts and add view segments)
        can change without changing this contact."""
        twin = copy.copy(self)
        twin.view_segments = list(self.view_segments)
        return twin

    @property
    def live(self) -> bool:
        return self.state not in ("pending", "ended")

    def __repr__(self) -> str:
        return f"Contact({self.contact_id!r}, {self.channel}, {self.state})"


def apply(contact: Contact, trigger: str, event: Event) -> Anomaly | None:
    """Run one event through the machine; return the anomaly when it is impossible."""
    dest = TABLE.get((contact.state, trigger))
    if dest is not None and dest.__class__ is not str:  # guarded: let the machine decide
        dest = next_state(contact.state, trigger, contact)
    if dest is None:
        anomaly = Anomaly(
            event.time_ms,
            event.event_id,
            event.type,
            anomaly_reason(contact.state, trigger, event.type),
        )
        contact.anomalies.append(anomaly)
        return anomaly
    effect = EFFECTS.get(trigger)
    if effect is not None:
        effect(contact, event)
    contact.state = dest
    return None


def direction_of(initiator_type: str | None) -> str | None:
    """INBOUND or OUTBOUND by who started the contact; None for an initiator type nobody lists."""
    if initiator_type in INBOUND_INITIATORS:
        return "INBOUND"
    if initiator_type in OUTBOUND_INITIATORS:
        return "OUTBOUND"
    return None


def _started(contact: Contact, event: Event) -> None:
    content = event.content
    if text(content, "channel"):
        contact.set_channel(content["channel"])
    contact.queued_at = event.time_ms
    contact.initiator = event.initiator_type
    contact.direction = direction_of(contact.initiator)
    contact.outbound_call = contact.phone and contact.direction == "OUTBOUND"
    contact.customer_id = text(content, "customerId") or contact.customer_id
    contact.entry_point = text(content, "entryPoint")
    contact.final_ivr_selection = text(content, "finalIVRSelection")
    contact.inbox_first_queued = text(event.assignee(), "inboxId")
    due_at = content.get("dueAt")
    if due_at is None:
        return
    if due_at.__class__ is not str:
        problem = f"{type(due_at).__name__} {due_at!r} is not a timestamp"
    else:
        try:
            contact.due_at = parse_ms(due_at)
            return
        except TimestampError as error:
            problem = str(error)
    # The SLA columns stay blank, and the anomaly says why.
    contact.anomalies.append(
        Anomaly(event.time_ms, event.event_id, event.type, f"dueAt: {problem}")
    )


def _offered(contact: Contact, event: Event) -> None:
    contact.offered += 1
    contact.offer_open = True
    if contact.offered_at is None:
        contact.offered_at = event.time_ms


def _offer_rejected(contact: Contact, event: Event) -> None:
    contact.offer_open = False
    reason = text(event.content, "reason")
    if reason == "DECLINED":
        contact.declined += 1
    elif reason in MISSED_REASONS:
        contact.missed += 1


def _offer_accepted(contact: Contact, event: Event) -> None:
    contact.offer_open = False
    contact.accepted += 1
    if contact.accepted_at is None:
        contact.accepted_at = event.time_ms


def _answered(contact: Contact, event: Event) -> None:
    if contact.answered_at is None:
        contact.answered_at = event.time_ms


def _transferred(contact: Contact, event: Event) -> None:
    contact.transferred += 1
    contact.offer_open = False  # re-routed: an offer made before is withdrawn


def _hold_started(contact: Contact, event: Event) -> None:
    kind = text(event.content, "reason")
    contact.open_hold = (event.time_ms, kind)
    contact.hold_count["TOTAL"] += 1
    if kind in contact.hold_count:
        contact.hold_count[kind] += 1


def _close_hold(contact: Contact, hold: tuple[int, str | None], at_ms: int) -> None:
    """A hold's kind is the one it started with; its time runs until it ends (or the call)."""
    started_ms, kind = hold
    contact.open_hold = None
    duration = at_ms - started_ms
    contact.hold_ms["TOTAL"] += duration
    if kind in contact.hold_ms:
        contact.hold_ms[kind] += duration


def _hold_ended(contact: Contact, event: Event) -> None:
    if contact.open_hold is not None:  # always, in on_hold: only HOLD_STARTED leads there
        _close_hold(contact, contact.open_hold, event.time_ms)


def _message_received(contact: Contact, event: Event) -> None:
    _message(contact, "customer", event.time_ms)


def _message_sent(contact: Contact, event: Event) -> None:
    _message(contact, SENDER_BY_INITIATOR.get(event.initiator_type or ""), event.time_ms)


def _message(contact: Contact, sender: str | None, at_ms: int) -> None:
    """Count the message and pair replies: each side answers the other's earliest unanswered."""
    messages = contact.messages
    messages["total"] += 1
    if sender is None:
        return
    messages[sender] += 1
    if sender == "customer":
        if contact.customer_waiting_since is not None:
            contact.customer_reply_ms.append(at_ms - contact.customer_waiting_since)
            contact.customer_waiting_since = None
        if contact.agent_waiting_since is None:
            contact.agent_waiting_since = at_ms
    elif sender == "agent":
        if contact.agent_waiting_since is not None:
            contact.agent_reply_ms.append(at_ms - contact.agent_waiting_since)
            contact.agent_waiting_since = None
        if contact.customer_waiting_since is None:
            contact.customer_waiting_since = at_ms


def _fulfilled(contact: Contact, event: Event) -> None:
    contact.fulfilled = True
    contact.fulfilled_at = event.time_ms
    contact.fulfilled_type = text(event.content, "fulfilledType")
    contact.fulfilled_by = contact.contact_id


def _payment(contact: Contact, event: Event) -> None:
    content = event.content
    request_id = text(content, "paymentRequestId")
    if request_id is None:
        return
    payment = contact.payments.setdefault(request_id, Payment())
    if "newStatus" in content:
        payment.status = text(content, "newStatus")
    context = content.get("context")
    if not isinstance(context, dict):
        return
    currency = text(context, "currency")
    if currency:  # ISO 4217 codes, which some senders write in lower case
        payment.currency = currency.upper()
    amount = context.get("monetaryUnit")
    if isinstance(amount, int | float) and not isinstance(amount, bool) and isfinite(amount):
        payment.amount = Decimal(repr(amount))
    elif amount is not None:
        # The request still counts by its status; its amount, now unknown, is not summed (not
        # even an earlier event's), and the anomaly says why.
        payment.amount = None
        reason = f"context.monetaryUnit {amount!r} is not a number: the amount is not summed"
        contact.anomalies.append(Anomaly(event.time_ms, event.event_id, event.type, reason))


def _ended(contact: Contact, event: Event) -> None:
    contact.ended_at = event.time_ms
    contact.status = text(event.content, "status")
    assignee = event.assignee()
    contact.agent_when_ended = text(assignee, "agentId")
    contact.inbox_when_ended = text(assignee, "inboxId")
    if contact.open_hold is not None:
        _close_hold(contact, contact.open_hold, event.time_ms)


EFFECTS = {
    "STARTED_INBOUND": _started,
    "STARTED_OUTBOUND": _started,
    "OFFERED": _offered,
    "OFFER_REJECTED": _offer_rejected,
    "OFFER_ACCEPTED": _offer_accepted,
    "ANSWERED": _answered,
    "TRANSFERRED": _transferred,
    "HOLD_STARTED": _hold_started,
    "HOLD_ENDED": _hold_ended,
    "MESSAGE_RECEIVED": _message_received,
    "MESSAGE_SENT": _message_sent,
    "FULFILLED": _fulfilled,
    "PAYMENT_REQUEST": _payment,
    "ENDED": _ended,
}
