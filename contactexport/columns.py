"""The 57 columns of the Contact Export, each with its rule, in the report's order.

Each rule reads the facts replay gathered on a Contact and returns a raw value: epoch ms for
timestamps, ms for durations, int for counts, Decimal for money, str for text, None for blank.
Each column also carries its definition in one sentence (`timeline --why` prints it) and, for
the differences of two facts, their names (so the arithmetic can be shown). Formatting (time
zone, seconds, CSV safety) belongs to `export.py`.

"The columns in the report are only populated either at the start or end of the Contact":
a contact that has not ended shows only the columns marked `at_start`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
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
    definition: str
    at_start: bool = False
    operands: tuple[str, str] | None = None  # (end, start) headers of a difference


def _fact(name: str) -> Callable[[Contact], Any]:
    return attrgetter(name)


def _difference(end: str, start: str) -> Callable[[Contact], int | None]:
    """end - start of two timestamp facts; blank when either is missing."""

    def rule(c: Contact) -> int | None:
        later, earlier = getattr(c, end), getattr(c, start)
        return None if later is None or earlier is None else later - earlier

    return rule


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


def talk_time(c: Contact) -> int | None:
    """Ended At - (Fulfilled At inbound | Answered At outbound) - total hold time."""
    talk_from = c.answered_at if c.direction == "OUTBOUND" else c.fulfilled_at
    if c.ended_at is None or talk_from is None:
        return None
    return c.ended_at - talk_from - c.hold_ms["TOTAL"]


def hold_time(kind: str) -> Callable[[Contact], int]:
    return _phone(lambda c: c.hold_ms[kind])


def times_on_hold(kind: str) -> Callable[[Contact], int]:
    return _phone(lambda c: c.hold_count[kind])


def messages(sender: str) -> Callable[[Contact], int]:
    return _messaging(lambda c: c.messages[sender])


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


def _text(header: str, fact: str, definition: str, at_start: bool = False) -> Column:
    field = header.lower().replace(" ", "_")
    return Column(header, field, "text", _fact(fact), definition, at_start)


def _timestamp(header: str, rule: Callable[[Contact], Any], definition: str) -> Column:
    return Column(header, header.lower().replace(" ", "_"), "timestamp", rule, definition)


def _between(header: str, end: str, start: str, definition: str) -> Column:
    """A duration that is the difference of two timestamp columns."""
    field = header.lower().replace("-", "_").replace(" ", "_")
    facts = {"Queued At": "queued_at", "Fulfilled At": "fulfilled_at", "Ended At": "ended_at",
             "Accepted At": "accepted_at"}  # fmt: skip
    return Column(
        header,
        field,
        "duration",
        _difference(facts[end], facts[start]),
        definition,
        operands=(end, start),
    )


_HOLD_KINDS = tuple(
    zip(
        HOLD_KINDS,
        ("Manual", "Warm", "Cold Transfer", "Conference"),
        ("Manual", "Warm Transfer", "Cold Transfer", "Conference"),
        ("a manual hold", "a warm transfer", "a cold transfer", "a conference attempt"),
        strict=True,
    )
)
_SENDERS = (
    ("customer", "Customer", "MESSAGE_RECEIVED events"),
    ("agent", "Agent", "MESSAGE_SENT events whose initiator is AGENT"),
    ("rules", "Rules", "MESSAGE_SENT events whose initiator is AUTOMATION"),
    ("api", "API", "MESSAGE_SENT events whose initiator is APPLICATION or API"),
)
_ONLY_PHONE = " Phone calls only; 0 when none, blank for other channels."
_ONLY_MESSAGING = " Blank for phone calls and voicemail."

COLUMNS: tuple[Column, ...] = (
    Column("Queued At", "queued_at", "timestamp", _fact("queued_at"),
           "The CONTACT/STARTED time: first queued (inbound) or initiated (outbound).", True),
    _text("Customer ID", "customer_id", "The customer of the contact's events.", True),
    _text("Conversation ID", "conversation_id", "The conversation holding the contact.", True),
    _text("Contact ID", "contact_id", "The contact's Gladly ID.", True),
    Column("Link", "link", "text", link,
           "The configured link template over the customer, conversation and contact IDs; "
           "blank when none is configured, or when it needs the customer and there is none.",
           True),
    _text("Channel", "channel", "The channel of the contact's events.", True),
    _text("Direction", "direction",
          "From the STARTED initiator: CUSTOMER, INTERNAL, EXTERNAL = INBOUND; AGENT, "
          "APPLICATION, API, SYSTEM, AUTOMATION = OUTBOUND.", True),
    _text("Contact Initiator", "initiator", "The STARTED event's initiator type.", True),
    _text("Entry Point", "entry_point", "STARTED content.entryPoint: the address reached.", True),
    _text("Final IVR Selection", "final_ivr_selection",
          "STARTED content.finalIVRSelection: the last IVR choice before queueing.", True),
    _text("Fulfilled Type", "fulfilled_type", "CONTACT/FULFILLED fulfilledType."),
    _text("Status", "status", "CONTACT/ENDED status; blank (Null) until the contact ends."),
    _timestamp("Fulfilled At", _fact("fulfilled_at"),
               "The CONTACT/FULFILLED time, or for an email fulfilled by the call it arrived "
               "during, that call's Fulfilled At."),
    _timestamp("Ended At", _fact("ended_at"), "The CONTACT/ENDED time."),
    _text("Agent when Ended", "agent_when_ended",
          "ENDED context.assignee.agentId: the assignee just before the end; blank if none."),
    _text("Inbox when Ended", "inbox_when_ended", "ENDED context.assignee.inboxId."),
    _text("Inbox when First Queued", "inbox_first_queued",
          "STARTED context.assignee.inboxId.", True),
    _between("Queued-to-Fulfilled Time", "Fulfilled At", "Queued At",
             "Fulfilled At - Queued At; negative when fulfilled by an earlier call."),
    _between("Queued-to-Ended Time", "Ended At", "Queued At", "Ended At - Queued At."),
    Column("Seconds within (-) or over (+) SLA", "seconds_within_or_over_sla", "duration",
           _difference("fulfilled_at", "due_at"),
           "Fulfilled At - STARTED dueAt: negative = fulfilled before it was due."),
    Column("SLA Target", "sla_target", "duration", _difference("due_at", "queued_at"),
           "STARTED dueAt - Queued At; negative when an overlapping contact set an earlier "
           "due date.", True),
    Column("Contact Handle Time", "contact_handle_time", "duration", _fact("handle_ms"),
           "Time any agent viewed the customer's profile while the contact was ongoing; "
           "with several contacts ongoing, only the highest channel (then earliest queued) "
           "gets it."),
    Column("After Contact Time", "after_contact_time", "duration", _fact("after_contact_ms"),
           "Profile-view time after the contact ended, before the conversation closed or "
           "another contact started, while no contact was ongoing."),
    Column("Talk Time", "talk_time", "duration", _phone(talk_time),
           "Ended At - (Fulfilled At inbound, Answered At outbound) - Hold Time – Total; "
           "blank when either end is missing. Phone calls only."),
    Column("Hold Time – Total", "hold_time_total", "duration", hold_time("TOTAL"),
           "Time between HOLD_STARTED and HOLD_ENDED (or the end of the call)." + _ONLY_PHONE),
    *(
        Column(f"Hold Time – {label}", f"hold_time_{label.lower().replace(' ', '_')}",
               "duration", hold_time(kind), f"Hold time of holds started for {what}."
               + _ONLY_PHONE)
        for kind, label, _, what in _HOLD_KINDS
    ),
    Column("Messages Total", "messages_total", "count", messages("total"),
           "MESSAGE_RECEIVED and MESSAGE_SENT events, whoever sent them." + _ONLY_MESSAGING),
    *(
        Column(f"Messages from {label}", f"messages_from_{sender}", "count", messages(sender),
               f"Count of {what}." + _ONLY_MESSAGING)
        for sender, label, what in _SENDERS
    ),
    Column("Avg. Agent Reply Time", "avg_agent_reply_time", "duration",
           _messaging(lambda c: _average(c.agent_reply_ms)),
           "Mean, over agent messages answering customer messages, of the time since the "
           "earliest unanswered customer message; blank without such a pair."
           + _ONLY_MESSAGING),
    Column("Avg. Customer Reply Time", "avg_customer_reply_time", "duration",
           _messaging(lambda c: _average(c.customer_reply_ms)),
           "Mean, over customer messages answering agent messages, of the time since the "
           "earliest unanswered agent message; blank without such a pair." + _ONLY_MESSAGING),
    _timestamp("Offered At", _fact("offered_at"),
               "The first CONTACT/OFFERED time; blank when never offered (manual assignment)."),
    _timestamp("Accepted At", _fact("accepted_at"),
               "The first CONTACT/OFFER_ACCEPTED time; blank for manual assignment."),
    _timestamp("Answered At", answered_at,
               "The first CONTACT/ANSWERED time; outbound phone calls only."),
    _between("Queued-to-First Accepted Time", "Accepted At", "Queued At",
             "Accepted At - Queued At."),
    _between("First Accepted-to-Fulfilled Time", "Fulfilled At", "Accepted At",
             "Fulfilled At - Accepted At."),
    _between("Fulfilled-to-Ended Time", "Ended At", "Fulfilled At", "Ended At - Fulfilled At."),
    _text("Fulfilled by Contact ID", "fulfilled_by",
          "The contact whose response fulfilled this one: its own ID, or the call an email "
          "was answered in; blank when not fulfilled."),
    Column("Offered", "offered", "count", _fact("offered"), "Count of CONTACT/OFFERED."),
    Column("Accepted", "accepted", "count", _fact("accepted"),
           "Count of CONTACT/OFFER_ACCEPTED."),
    Column("Missed", "missed", "count", _fact("missed"),
           "Count of OFFER_REJECTED with reason MISSED or DEVICE ERROR."),
    Column("Declined", "declined", "count", _fact("declined"),
           "Count of OFFER_REJECTED with reason DECLINED."),
    Column("Transferred", "transferred", "count", _fact("transferred"),
           "Count of CONTACT/TRANSFERRED."),
    Column("Times On Hold Total", "times_on_hold_total", "count", times_on_hold("TOTAL"),
           "Count of HOLD_STARTED." + _ONLY_PHONE),
    *(
        Column(f"Times On Hold – {label}", f"times_on_hold_{label.lower().replace(' ', '_')}",
               "count", times_on_hold(kind), f"Count of holds started for {what}."
               + _ONLY_PHONE)
        for kind, _, label, what in _HOLD_KINDS
    ),
    Column("Payment Requests – Completed", "payment_requests_completed", "count",
           payment_requests("COMPLETED"),
           "Payment requests of the contact whose last newStatus is COMPLETED."),
    Column("Payment Requests – Declined", "payment_requests_declined", "count",
           payment_requests("DECLINED"),
           "Payment requests of the contact whose last newStatus is DECLINED."),
    Column("Payment Amount – Completed USD", "payment_amount_completed_usd", "money",
           payment_amount_usd("COMPLETED"),
           "Sum of context.monetaryUnit of completed requests in currency USD."),
    Column("Payment Amount – Declined USD", "payment_amount_declined_usd", "money",
           payment_amount_usd("DECLINED"),
           "Sum of context.monetaryUnit of declined requests in currency USD."),
)  # fmt: skip

HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
BY_HEADER: dict[str, Column] = {column.header: column for column in COLUMNS}


_RULES = tuple(column.rule for column in COLUMNS)
_START_RULES = tuple(column.rule if column.at_start else None for column in COLUMNS)


def running_values(contact: Contact) -> list[Any]:
    """Every column as it stands now, ended or not (what the timeline shows)."""
    return [rule(contact) for rule in _RULES]


def row_values(contact: Contact) -> list[Any]:
    """The raw values of the 57 columns; only start columns until the contact has ended."""
    if contact.ended_at is not None:
        return [rule(contact) for rule in _RULES]
    return [None if rule is None else rule(contact) for rule in _START_RULES]
