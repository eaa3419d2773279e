"""One conversation as it unfolds: each event written with the right envelope and context, and
each fact the generator intends recorded on the contact it concerns.

Scenarios say what happens ("the call is put on hold"); this module knows how Gladly writes it
(`context.assignee` = the assignee just before the event, who the initiator is, which fields
the content carries) and keeps the plain facts `truth.py` turns into intended rows.
"""

from decimal import Decimal
from random import Random

import orjson

from contactexport.simulate.clock import SECOND, iso
from contactexport.simulate.directory import SYSTEM_ID, token

INBOUND = frozenset({"CUSTOMER", "INTERNAL", "EXTERNAL"})
SENDER = {"CUSTOMER": "customer", "AGENT": "agent", "AUTOMATION": "rules", "APPLICATION": "api"}


class Emitter:
    """Writes events in Gladly's envelope, each with the instant it is delivered.

    Most events arrive within a few hundred ms; `late_rate` of them up to `max_delay` seconds
    late, as Gladly's Events API allows. Lines are serialized at once: only bytes are kept.
    """

    def __init__(self, rng: Random, late_rate: float, max_delay: float) -> None:
        self.rng = rng
        # (event time, delivery time, JSON line)
        self.events: list[tuple[int, int, bytes]] = []
        self._late_rate = late_rate
        self._max_delay = max(1000, int(max_delay * SECOND))

    def emit(self, t: int, type_: str, initiator: tuple[str, str], content: dict) -> None:
        rng = self.rng
        if rng.random() < self._late_rate:
            delay = rng.randint(1000, self._max_delay)
        else:
            delay = int(rng.random() * 400)
        event = {
            "id": token(rng),
            "type": type_,
            "timestamp": iso(t),
            "initiator": {"id": initiator[1], "type": initiator[0]},
            "content": content,
        }
        # Concatenation copies the line out of orjson's 4 KiB output buffer: held lines cost
        # their length, not 4 KiB each.
        self.events.append((t, t + delay, orjson.dumps(event) + b"\n"))


class Conversation(Emitter):
    """One conversation's contacts, profile views and events."""

    def __init__(self, rng: Random, arrival: int, late_rate: float, max_delay: float) -> None:
        super().__init__(rng, late_rate, max_delay)
        self.arrival = arrival  # no event of the conversation is earlier
        self.id = token(rng)
        self.customer = token(rng)
        self.inbox: str | None = None  # the conversation's assignee
        self.agent: str | None = None
        self.contacts: list[Contact] = []
        self.views: list[tuple[str, int, int]] = []  # (agent, start, end) profile views
        self.closed_at: int | None = None
        self.cut_at: int | None = None  # events after this instant were never delivered

    def context(self) -> dict:
        return {"assignee": assignee(self.inbox, self.agent)}

    def _content(self, **fields) -> dict:
        return {"customerId": self.customer, "conversationId": self.id, **fields}

    def created(self, t: int, by: tuple[str, str], inbox: str, agent: str | None = None) -> None:
        """CONVERSATION/CREATED, owned from the start by the first contact's inbox (or agent)."""
        self.inbox, self.agent = inbox, agent
        self.emit(t, "CONVERSATION/CREATED", by, self._content(context=self.context()))

    def route(
        self, t: int, reason: str, inbox: str, agent: str | None, by: tuple[str, str]
    ) -> None:
        """CONVERSATION_ASSIGNEE/UPDATED: the conversation (not a contact) changes hands."""
        content = self._content(
            reason=reason, assignee=assignee(inbox, agent), context=self.context()
        )
        self.emit(t, "CONVERSATION_ASSIGNEE/UPDATED", by, content)
        self.inbox, self.agent = inbox, agent

    def assign_by_hand(self, t: int, contact: "Contact", agent: str, supervisor: str) -> None:
        """Manual assignment: the conversation goes to `agent` with no offer, and with it
        every open contact still waiting for an agent."""
        self.route(t, "MANUAL", contact.inbox, agent, ("AGENT", supervisor))
        for waiting in self.live():
            if waiting.agent is None:
                waiting.inbox, waiting.agent = contact.inbox, agent

    def follow(self, t: int, reason: str, contact: "Contact") -> None:
        """Routing noise: the conversation follows `contact` to its agent. Skipped while
        another open contact waits for an agent, as the assignment would take it too."""
        if all(c is contact or c.agent is not None for c in self.live()):
            self.route(t, reason, contact.inbox, contact.agent, ("SYSTEM", SYSTEM_ID))

    def topic(self, t: int, agent: str, topic_id: str) -> None:
        content = self._content(topicId=topic_id, context=self.context())
        self.emit(t, "CONVERSATION/TOPIC_ADDED", ("AGENT", agent), content)

    def view(self, agent: str, start: int, end: int) -> None:
        """An agent has the customer's profile open: handle and after-contact time."""
        if start < end:
            self.views.append((agent, start, end))

    def emit_views(self) -> None:
        """PROFILE_VIEW/STARTED and ENDED (extension events), once the conversation is done:
        one agent's overlapping or touching views become one, so every STARTED pairs with the
        next ENDED of the same agent."""
        merged: dict[str, list[list[int]]] = {}
        for agent, start, end in sorted(self.views):
            spans = merged.setdefault(agent, [])
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        for agent, spans in merged.items():
            content = {"agentId": agent, "customerId": self.customer, "conversationId": self.id}
            for start, end in spans:
                self.emit(start, "PROFILE_VIEW/STARTED", ("AGENT", agent), content)
                self.emit(end, "PROFILE_VIEW/ENDED", ("AGENT", agent), content)

    def close(self, t: int, by: tuple[str, str]) -> None:
        self.emit(t, "CONVERSATION/CLOSED", by, self._content(context=self.context()))
        self.closed_at = t

    def cut(self, t: int) -> None:
        """Stop the conversation's delivery at `t`: what follows has not happened yet."""
        self.cut_at = t
        self.events = [e for e in self.events if e[0] <= t]

    def live(self) -> list["Contact"]:
        return [c for c in self.contacts if c.ended_at is None]


def assignee(inbox: str | None, agent: str | None) -> dict:
    return {"inboxId": inbox} if agent is None else {"inboxId": inbox, "agentId": agent}


class Contact:
    """A contact's events and the facts its row is made of (all times epoch ms)."""

    def __init__(
        self,
        conv: Conversation,
        t: int,
        channel: str,
        initiator: tuple[str, str],
        inbox: str,
        agent: str | None = None,
        entry_point: str | None = None,
        ivr: str | None = None,
        due: int | None = None,
    ) -> None:
        self.conv = conv
        self.id = token(conv.rng)
        self.channel = channel
        self.initiator = initiator[0]
        self.inbound = initiator[0] in INBOUND
        self.inbox, self.agent = inbox, agent
        self.queued_at = t
        self.entry_point, self.ivr, self.due_at = entry_point, ivr, due
        self.first_inbox = inbox
        self.offered_at: int | None = None
        self.accepted_at: int | None = None
        self.answered_at: int | None = None
        self.offers = self.accepts = self.missed = self.declined = self.transfers = 0
        self.holds: list[list] = []  # [reason, start, end or None]
        self.messages: list[tuple[int, str]] = []  # (time, customer|agent|rules|api|other)
        self.fulfilled_at: int | None = None  # as the report shows it (cross-channel aware)
        self.fulfilled_type: str | None = None
        self.fulfilled_by: str | None = None
        self.ended_at: int | None = None
        self.status: str | None = None
        self.ended_assignee: tuple[str | None, str | None] = (None, None)
        self.payments: dict[str, list] = {}  # id -> [currency, amount, last status]
        self.handle_time = 0  # set by truth.attribute_views once the conversation is done
        self.after_contact_time = 0
        extra = {}
        if due is not None:
            extra["dueAt"] = iso(due)
        if entry_point is not None:
            extra["entryPoint"] = entry_point
        if ivr is not None:
            extra["finalIVRSelection"] = ivr
        self._emit(t, "CONTACT/STARTED", initiator, **extra)
        conv.contacts.append(self)

    @property
    def quiet_since(self) -> int:
        """When the contact's last message so far was sent (or when it started)."""
        return max((t for t, _ in self.messages), default=self.queued_at)

    def _emit(self, t: int, type_: str, initiator: tuple[str, str], **fields) -> None:
        conv = self.conv
        content = {
            "channel": self.channel,
            "contactId": self.id,
            "conversationId": conv.id,
            "customerId": conv.customer,
            **fields,
            "context": {"assignee": assignee(self.inbox, self.agent)},
        }
        conv.emit(t, type_, initiator, content)

    # Routing --------------------------------------------------------------------------------

    def offer(self, t: int, agent: str, transfer: bool = False) -> None:
        extra = {"matchReasons": ["Transfer"]} if transfer else {}
        self._emit(t, "CONTACT/OFFERED", ("SYSTEM", SYSTEM_ID), agentId=agent, **extra)
        self.offers += 1
        if self.offered_at is None:
            self.offered_at = t

    def reject(self, t: int, agent: str, reason: str) -> None:
        by = ("AGENT", agent) if reason == "DECLINED" else ("SYSTEM", SYSTEM_ID)
        self._emit(t, "CONTACT/OFFER_REJECTED", by, agentId=agent, reason=reason)
        if reason == "DECLINED":
            self.declined += 1
        else:
            self.missed += 1

    def accept(self, t: int, agent: str) -> None:
        self._emit(t, "CONTACT/OFFER_ACCEPTED", ("AGENT", agent), agentId=agent)
        self.agent = agent
        self.accepts += 1
        if self.accepted_at is None:
            self.accepted_at = t

    def transfer(
        self, t: int, kind: str, inbox: str, agent: str | None, by: tuple[str, str]
    ) -> None:
        reason = "AUTOMATION" if by[0] == "AUTOMATION" else "MANUAL"
        new_owner = assignee(inbox, agent)
        self._emit(
            t, "CONTACT/TRANSFERRED", by, transferType=kind, reason=reason, assignee=new_owner
        )
        self.inbox, self.agent = inbox, agent
        self.transfers += 1

    # Phone ----------------------------------------------------------------------------------

    def hold(self, t: int, reason: str) -> None:
        self._emit(t, "CONTACT/HOLD_STARTED", ("AGENT", self.agent), reason=reason)
        self.holds.append([reason, t, None])

    def unhold(self, t: int) -> None:
        reason = self.holds[-1][0]
        self._emit(t, "CONTACT/HOLD_ENDED", ("AGENT", self.agent), reason=reason)
        self.holds[-1][2] = t

    def answered(self, t: int) -> None:
        """Extension event: the customer picked up an outbound call."""
        self._emit(t, "CONTACT/ANSWERED", ("CUSTOMER", self.conv.customer))
        self.answered_at = t

    # Messages -------------------------------------------------------------------------------

    def received(self, t: int) -> None:
        self._emit(
            t,
            "CONTACT/MESSAGE_RECEIVED",
            ("CUSTOMER", self.conv.customer),
            messageId=token(self.conv.rng),
        )
        self.messages.append((t, "customer"))

    def sent(self, t: int, by: tuple[str, str]) -> None:
        self._emit(t, "CONTACT/MESSAGE_SENT", by, messageId=token(self.conv.rng))
        self.messages.append((t, SENDER.get(by[0], "other")))

    # Outcome --------------------------------------------------------------------------------

    def fulfil(
        self, t: int, kind: str, by: tuple[str, str], other: "Contact | None" = None
    ) -> None:
        """FULFILLED; with `other`, fulfilled across channels at the instant `other` ends."""
        self._emit(t, "CONTACT/FULFILLED", by, fulfilledType=kind)
        self.fulfilled_type = kind
        if other is not None:
            assert other.ended_at == t and other.fulfilled_at is not None, "not cross-channel"
            self.fulfilled_at, self.fulfilled_by = other.fulfilled_at, other.id
        else:
            self.fulfilled_at, self.fulfilled_by = t, self.id

    def end(self, t: int, status: str, by: tuple[str, str], reason: str | None = None) -> None:
        extra = {"reason": reason} if reason else {}
        self._emit(t, "CONTACT/ENDED", by, status=status, **extra)
        self.ended_at, self.status = t, status
        self.ended_assignee = (self.inbox, self.agent)
        for hold in self.holds:
            if hold[2] is None:
                hold[2] = t

    # Payments -------------------------------------------------------------------------------

    def _payment(self, t: int, type_: str, by: tuple[str, str], request: str, **fields) -> None:
        currency, amount, _ = self.payments[request]
        conv = self.conv
        content = {
            "contactId": self.id,
            "customerId": conv.customer,
            "conversationId": conv.id,
            "paymentRequestId": request,
            **fields,
            "context": {"currency": currency, "monetaryUnit": _json_number(amount)},
        }
        conv.emit(t, type_, by, content)

    def payment_requested(self, t: int, agent: str, currency: str, amount: Decimal) -> str:
        request = token(self.conv.rng)
        self.payments[request] = [currency, amount, "REQUESTING"]
        self._payment(t, "PAYMENT_REQUEST/CREATED", ("AGENT", agent), request)
        return request

    def payment_viewed(self, t: int, request: str) -> None:
        self._payment(t, "PAYMENT_REQUEST/VIEWED", ("CUSTOMER", self.conv.customer), request)

    def payment_status(self, t: int, request: str, new: str, by: tuple[str, str]) -> None:
        old = self.payments[request][2]
        self._payment(
            t, "PAYMENT_REQUEST/STATUS_CHANGED", by, request, oldStatus=old, newStatus=new
        )
        self.payments[request][2] = new


def _json_number(amount: Decimal) -> int | float:
    """Whole amounts as JSON integers (`25`), others with their cents (`19.99`)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)
