"""The 57 columns of the Contact Export, each with its rule, in the report's order.

Each rule reads the facts replay gathered on a Contact and returns a raw value: epoch ms for
timestamps, ms for durations, int for counts, Decimal for money, str for text, None for blank.
Formatting (time zone, seconds, CSV safety) belongs to `export.py`.

"The columns in the report are only populated either at the start or end of the Contact":
a contact that has not ended shows only the columns marked `at_start`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from contactexport.contact import HOLD_KINDS, Contact

Kind = Literal["timestamp", "duration", "count", "text", "money"]

PHONE_ONLY = frozenset({"PHONE_CALL"})
NO_MESSAGES = frozenset({"PHONE_CALL", "VOICEMAIL", "ABANDONED_CALL"})


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: str
    kind: Kind
    rule: Callable[[Contact], Any]
    at_start: bool = False


def _difference(end: int | None, start: int | None) -> int | None:
    return None if end is None or start is None else end - start


def _phone(rule: Callable[[Contact], Any]) -> Callable[[Contact], Any]:
    """Phone-only columns: blank for other channels."""
    return lambda c: rule(c) if c.channel in PHONE_ONLY else None


def _messaging(rule: Callable[[Contact], Any]) -> Callable[[Contact], Any]:
    """Message columns: blank for phone calls and voicemail."""
    return lambda c: None if c.channel in NO_MESSAGES else rule(c)


def _average(values: list[int]) -> int | None:
    """Mean in whole milliseconds, halves rounded up."""
    return (2 * sum(values) + len(values)) // (2 * len(values)) if values else None


def link(c: Contact) -> None:
    """Link depends on the reader's template, so export fills it in (`export.link_for`)."""
    return None


def sla_target(c: Contact) -> int | None:
    """Due At - Queued At; negative when an overlapping contact set an earlier due date."""
    return _difference(c.due_at, c.queued_at)


def seconds_within_or_over_sla(c: Contact) -> int | None:
    """Fulfilled At - Due At: negative = fulfilled before due."""
    return _difference(c.fulfilled_at, c.due_at)


def talk_time(c: Contact) -> int | None:
    """Ended At - (Fulfilled At inbound | Answered At outbound) - total hold time."""
    talk_from = c.answered_at if c.direction == "OUTBOUND" else c.fulfilled_at
    talking = _difference(c.ended_at, talk_from)
    return None if talking is None else talking - c.hold_ms["TOTAL"]


def hold_time(kind: str) -> Callable[[Contact], int]:
    return lambda c: c.hold_ms[kind]


def times_on_hold(kind: str) -> Callable[[Contact], int]:
    return lambda c: c.hold_count[kind]


def messages(sender: str) -> Callable[[Contact], int]:
    return lambda c: c.messages[sender]


def avg_agent_reply_time(c: Contact) -> float | None:
    return _average(c.agent_reply_ms)


def avg_customer_reply_time(c: Contact) -> float | None:
    return _average(c.customer_reply_ms)


def answered_at(c: Contact) -> int | None:
    """Outbound phone calls only."""
    return c.answered_at if c.outbound_call else None


def payment_requests(status: str) -> Callable[[Contact], int]:
    return lambda c: sum(1 for p in c.payments.values() if p.status == status)


def payment_amount_usd(status: str) -> Callable[[Contact], Decimal]:
    def rule(c: Contact) -> Decimal:
        return sum(
            (
                p.amount
                for p in c.payments.values()
                if p.status == status and p.currency == "USD" and p.amount is not None
            ),
            Decimal(0),
        )

    return rule


_HOLD_HEADERS = ("Manual", "Warm", "Cold Transfer", "Conference")
_TIMES_ON_HOLD_HEADERS = ("Manual", "Warm Transfer", "Cold Transfer", "Conference")


def _field(header: str) -> str:
    return header.lower().replace(" ", "_")


COLUMNS: tuple[Column, ...] = (
    Column("Queued At", "queued_at", "timestamp", lambda c: c.queued_at, at_start=True),
    Column("Customer ID", "customer_id", "text", lambda c: c.customer_id, at_start=True),
    Column(
        "Conversation ID", "conversation_id", "text", lambda c: c.conversation_id, at_start=True
    ),
    Column("Contact ID", "contact_id", "text", lambda c: c.contact_id, at_start=True),
    Column("Link", "link", "text", link, at_start=True),
    Column("Channel", "channel", "text", lambda c: c.channel, at_start=True),
    Column("Direction", "direction", "text", lambda c: c.direction, at_start=True),
    Column("Contact Initiator", "contact_initiator", "text", lambda c: c.initiator, at_start=True),
    Column("Entry Point", "entry_point", "text", lambda c: c.entry_point, at_start=True),
    Column(
        "Final IVR Selection",
        "final_ivr_selection",
        "text",
        lambda c: c.final_ivr_selection,
        at_start=True,
    ),
    Column("Fulfilled Type", "fulfilled_type", "text", lambda c: c.fulfilled_type),
    Column("Status", "status", "text", lambda c: c.status),
    Column("Fulfilled At", "fulfilled_at", "timestamp", lambda c: c.fulfilled_at),
    Column("Ended At", "ended_at", "timestamp", lambda c: c.ended_at),
    Column("Agent when Ended", "agent_when_ended", "text", lambda c: c.agent_when_ended),
    Column("Inbox when Ended", "inbox_when_ended", "text", lambda c: c.inbox_when_ended),
    Column(
        "Inbox when First Queued",
        "inbox_when_first_queued",
        "text",
        lambda c: c.inbox_first_queued,
        at_start=True,
    ),
    Column(
        "Queued-to-Fulfilled Time",
        "queued_to_fulfilled_time",
        "duration",
        lambda c: _difference(c.fulfilled_at, c.queued_at),
    ),
    Column(
        "Queued-to-Ended Time",
        "queued_to_ended_time",
        "duration",
        lambda c: _difference(c.ended_at, c.queued_at),
    ),
    Column(
        "Seconds within (-) or over (+) SLA",
        "seconds_within_or_over_sla",
        "duration",
        seconds_within_or_over_sla,
    ),
    Column("SLA Target", "sla_target", "duration", sla_target, at_start=True),
    Column("Contact Handle Time", "contact_handle_time", "duration", lambda c: c.handle_ms),
    Column("After Contact Time", "after_contact_time", "duration", lambda c: c.after_contact_ms),
    Column("Talk Time", "talk_time", "duration", _phone(talk_time)),
    Column("Hold Time – Total", "hold_time_total", "duration", _phone(hold_time("TOTAL"))),
    *(
        Column(
            f"Hold Time – {label}", f"hold_time_{_field(label)}", "duration", _phone(hold_time(k))
        )
        for label, k in zip(_HOLD_HEADERS, HOLD_KINDS, strict=True)
    ),
    Column("Messages Total", "messages_total", "count", _messaging(messages("total"))),
    Column(
        "Messages from Customer",
        "messages_from_customer",
        "count",
        _messaging(messages("customer")),
    ),
    Column("Messages from Agent", "messages_from_agent", "count", _messaging(messages("agent"))),
    Column("Messages from Rules", "messages_from_rules", "count", _messaging(messages("rules"))),
    Column("Messages from API", "messages_from_api", "count", _messaging(messages("api"))),
    Column(
        "Avg. Agent Reply Time",
        "avg_agent_reply_time",
        "duration",
        _messaging(avg_agent_reply_time),
    ),
    Column(
        "Avg. Customer Reply Time",
        "avg_customer_reply_time",
        "duration",
        _messaging(avg_customer_reply_time),
    ),
    Column("Offered At", "offered_at", "timestamp", lambda c: c.offered_at),
    Column("Accepted At", "accepted_at", "timestamp", lambda c: c.accepted_at),
    Column("Answered At", "answered_at", "timestamp", answered_at),
    Column(
        "Queued-to-First Accepted Time",
        "queued_to_first_accepted_time",
        "duration",
        lambda c: _difference(c.accepted_at, c.queued_at),
    ),
    Column(
        "First Accepted-to-Fulfilled Time",
        "first_accepted_to_fulfilled_time",
        "duration",
        lambda c: _difference(c.fulfilled_at, c.accepted_at),
    ),
    Column(
        "Fulfilled-to-Ended Time",
        "fulfilled_to_ended_time",
        "duration",
        lambda c: _difference(c.ended_at, c.fulfilled_at),
    ),
    Column("Fulfilled by Contact ID", "fulfilled_by_contact_id", "text", lambda c: c.fulfilled_by),
    Column("Offered", "offered", "count", lambda c: c.offered),
    Column("Accepted", "accepted", "count", lambda c: c.accepted),
    Column("Missed", "missed", "count", lambda c: c.missed),
    Column("Declined", "declined", "count", lambda c: c.declined),
    Column("Transferred", "transferred", "count", lambda c: c.transferred),
    Column("Times On Hold Total", "times_on_hold_total", "count", _phone(times_on_hold("TOTAL"))),
    *(
        Column(
            f"Times On Hold – {label}",
            f"times_on_hold_{_field(label)}",
            "count",
            _phone(times_on_hold(k)),
        )
        for label, k in zip(_TIMES_ON_HOLD_HEADERS, HOLD_KINDS, strict=True)
    ),
    Column(
        "Payment Requests – Completed",
        "payment_requests_completed",
        "count",
        payment_requests("COMPLETED"),
    ),
    Column(
        "Payment Requests – Declined",
        "payment_requests_declined",
        "count",
        payment_requests("DECLINED"),
    ),
    Column(
        "Payment Amount – Completed USD",
        "payment_amount_completed_usd",
        "money",
        payment_amount_usd("COMPLETED"),
    ),
    Column(
        "Payment Amount – Declined USD",
        "payment_amount_declined_usd",
        "money",
        payment_amount_usd("DECLINED"),
    ),
)

HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
BY_HEADER: dict[str, Column] = {column.header: column for column in COLUMNS}


def row_values(contact: Contact) -> list[Any]:
    """The raw values of the 57 columns; only start columns until the contact has ended."""
    if contact.ended_at is not None:
        return [column.rule(contact) for column in COLUMNS]
    return [column.rule(contact) if column.at_start else None for column in COLUMNS]
