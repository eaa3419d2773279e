"""Hypothesis strategies for Gladly event streams: plausible conversations, and chaos.

`conversations()` plays a conversation forward one event at a time, keeping each contact's
state as docs/replay-rules.md describes it, and only ever emits an event that is possible in
that state: replaying it must produce no anomaly. Timestamps are milliseconds on one day with
frequent ties; a tie is only allowed where the replay's tie-break (lifecycle rank, then event
id) keeps the order in which the events were played, so "valid" means valid once replayed.

`chaos()` emits well-formed events of every type in any order (impossible ones included): the
replay must survive it and record anomalies instead.

`corruptions()` breaks chosen lines of a JSONL stream in the ways ingest must refuse.
"""

import functools
import itertools
import json
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from builders import ev, ms
from contactexport.contact import HOLD_KINDS
from contactexport.timestamps import parse_ms, to_datetime
from contactexport.vocabulary import ASSIGNEE_UPDATED, lifecycle_rank

Event = dict[str, Any]

DAY_START = ms("08:00")
DAY_FIRST, DAY_LAST = ms("00:00"), ms("23:59:59.999")
CHANNELS = ("PHONE_CALL", "CHAT", "SMS", "WHATSAPP", "FB_MESSENGER", "EMAIL", "VOICEMAIL")
MESSAGING = frozenset({"CHAT", "SMS", "WHATSAPP", "FB_MESSENGER", "EMAIL"})
INBOUND = ("CUSTOMER", "INTERNAL", "EXTERNAL")
OUTBOUND = ("AGENT", "APPLICATION", "API", "SYSTEM", "AUTOMATION")
# Customers and agents write most messages, so that replies pair up.
SENDERS = ("CUSTOMER", "CUSTOMER", "AGENT", "AGENT", "AUTOMATION", "APPLICATION", "API", "SYSTEM")
REJECT_REASONS = ("DECLINED", "MISSED", "DEVICE ERROR")
PAYMENT_STATUSES = ("COMPLETED", "DECLINED", "ERROR", "REQUESTING", "SUBMITTED", "TIMED_OUT")
AGENTS = ("a1", "a2", "a3")
INBOXES = ("inbox-1", "inbox-2")
# The same instant written in several zones: Z, or an offset in minutes.
OFFSETS = (None, 0, 120, -300, 330)


def _step(kind_and_size: tuple[int, int]) -> int:
    """A tie two times in five, else 1-200 ms, 0.6-120 s or 3 s-10 min; shrinks to a tie."""
    kind, size = kind_and_size
    return (0, 0, size, size * 600, size * 3000)[kind]


# Time between two events (a flatmap over the kinds cost a quarter of the generation time).
STEP_MS = st.tuples(st.integers(0, 4), st.integers(1, 200)).map(_step)
# Phone calls have the most to check (holds, talk time, answered): one contact in three.
CHANNEL = st.sampled_from(("PHONE_CALL", "PHONE_CALL", *CHANNELS))
# Near a given moment: the same millisecond, or a step before or after it.
_NEARBY = st.tuples(st.sampled_from((1, -1)), STEP_MS).map(lambda pair: pair[0] * pair[1])
AMOUNTS = st.sampled_from((10, 19.99, 5.01, 0.5, 250, 99.95))
CURRENCIES = st.sampled_from(("USD", "EUR"))


# Strategies are built once and reused: building one per draw doubled the generation time.
@functools.cache
def _pick(values: tuple) -> st.SearchStrategy:
    return st.sampled_from(values)


@functools.cache
def _below(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


def _choose(draw, items: list):
    """One of a list built on the fly; shrinks towards the first, like sampled_from."""
    return items[draw(_below(len(items)))]


_COIN = st.booleans()
# Seconds from queued to due (before it, when an earlier contact set the due date), or none.
_DUE_IN = st.none() | st.integers(-600, 7200)


def render(time_ms: int, offset: int | None) -> str:
    """A Gladly timestamp: the instant in the given zone (None = 'Z'), with milliseconds."""
    if offset is None:
        return to_datetime(time_ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    zone = timezone(timedelta(minutes=offset))
    return to_datetime(time_ms, zone).isoformat(timespec="milliseconds")


def event_at(event_type: str, time_ms: int, offset: int | None, contact_id, **fields) -> Event:
    """builders.ev, at a moment in epoch ms written in the given zone."""
    event = ev(event_type, "00:00", contact_id, **fields)
    event["timestamp"] = render(time_ms, offset)
    return event


@dataclass
class _Contact:
    """The generator's own model of a contact: just enough to know which event is possible."""

    contact_id: str
    channel: str
    initiator: str
    state: str = "pending"
    fulfilled_ms: int | None = None
    answered: bool = False
    offer_to: str | None = None
    hold_reason: str | None = None
    agent: str | None = None

    @property
    def live(self) -> bool:
        return self.state not in ("pending", "ended")

    @property
    def phone(self) -> bool:
        return self.channel == "PHONE_CALL"

    @property
    def outbound(self) -> bool:
        return self.initiator in OUTBOUND

    def moves(self) -> list[str]:
        """The lifecycle events possible now, each as often as its weight (how plausible it is;
        the machine allows a few more). END is light, so that a contact lives a while."""
        if not self.live:
            return []
        phone, consult = self.phone, self.offer_to is not None
        weights = {
            "queued": {"OFFER": 3, "TRANSFER": 1, "FULFIL": 1},
            "offered": {"ACCEPT": 3, "REJECT": 2, "TRANSFER": 1},
            "accepted": {"FULFIL": 2, "HOLD": 3 * phone, "TRANSFER": 1},
            "on_hold": {"UNHOLD": 3, "FULFIL": 2 * (self.fulfilled_ms is None), "TRANSFER": 1},
            "fulfilled": {"HOLD": 3 * phone, "TRANSFER": 1, "END": 1},
        }[self.state]
        if self.state in ("on_hold", "fulfilled"):  # an agent consulted while the call waits
            weights |= {"ACCEPT": consult, "REJECT": consult, "OFFER": not consult}
        if self.channel in MESSAGING or self.channel == "VOICEMAIL":
            weights["MESSAGE"] = 4
        if phone and self.outbound and not self.answered:
            weights["ANSWER"] = 3
        weights["END"] = weights.get("END", 0) + 1
        return [move for move, weight in weights.items() for _ in range(weight)]


class _Play:
    """One conversation played forward; `events` is the result, in the order played."""

    def __init__(self, draw, conversation_id: str, channels: list[str], initiators: list[str]):
        self.draw = draw
        self.conversation_id = conversation_id
        self.customer_id = f"cust-{conversation_id}"
        self.contacts = [
            _Contact(f"{conversation_id}-c{i}", channel, initiator)
            for i, (channel, initiator) in enumerate(zip(channels, initiators, strict=True), 1)
        ]
        self.now = DAY_START + draw(st.integers(0, 60)) * 60_000
        self.ids = itertools.count(1)
        self.events: list[Event] = []
        # (lifecycle rank, scope) of the events played at `now`; scope: contact id, "*" for an
        # assignee update (it reaches every live contact), None for what no contact state sees.
        self.at_now: list[tuple[int, str | None]] = []
        self.viewing: set[str] = set()
        self.requests: dict[str, _Contact] = {}

    # -- time and emission -------------------------------------------------------------------

    def tick(self, at_least: int = 0) -> None:
        step = max(self.draw(STEP_MS), at_least)
        if step:
            self.now += step
            self.at_now = []

    def emit(
        self,
        event_type: str,
        contact: _Contact | None = None,
        *,
        initiator: str = "CUSTOMER",
        agent: str | None = None,
        inbox: str = "inbox-1",
        **content: Any,
    ) -> None:
        rank = lifecycle_rank(event_type)
        scope = "*" if event_type == ASSIGNEE_UPDATED else contact and contact.contact_id
        if any(other > rank and _interact(scope, seen) for other, seen in self.at_now):
            self.tick(at_least=1)  # a tie here would be replayed in another order
        self.at_now.append((rank, scope))
        event = event_at(
            event_type,
            self.now,
            self.draw(_pick(OFFSETS)),
            contact and contact.contact_id,
            channel=contact.channel if contact else "PHONE_CALL",
            initiator=initiator,
            inbox=inbox,
            agent=agent,
            conversation=self.conversation_id,
            customer=self.customer_id,
            event_id=f"{self.conversation_id}-e{next(self.ids):04d}",
            **content,
        )
        self.events.append(event)

    # -- what can happen next ----------------------------------------------------------------

    def moves(self) -> list[tuple]:
        """What can happen next: a contact's lifecycle three times in four, else the rest."""
        contacts = self.contacts
        lifecycle: list[tuple] = [("start",)] if any(c.state == "pending" for c in contacts) else []
        lifecycle += [("contact", c, move) for c in contacts for move in c.moves()]
        calls = [c for c in contacts if c.phone and c.live and c.fulfilled_ms is not None]
        answerable = [c for c in contacts if not c.phone and c.state in _FULFILLABLE]
        lifecycle += [("answered_in_call", call, other) for call in calls for other in answerable]
        if lifecycle and self.draw(_below(4)):
            return lifecycle
        others: list[tuple] = [("view", agent) for agent in AGENTS if agent not in self.viewing]
        others += [("unview", agent) for agent in sorted(self.viewing)]
        others.append(("assign",))
        if any(c.state != "pending" for c in contacts):
            others.append(("pay",))
        if not any(c.live for c in contacts):
            others.append(("close",))
        return others

    def play(self, move: tuple) -> None:
        kind, *args = move
        getattr(self, f"_{kind}")(*args)

    def _start(self) -> None:
        c = next(c for c in self.contacts if c.state == "pending")
        draw = self.draw
        due_in = draw(_DUE_IN)
        extra = {"dueAt": render(self.now + due_in * 1000, None)} if due_in is not None else {}
        if c.phone:
            extra["finalIVRSelection"] = draw(_pick(("billing", "support")))
        c.agent = draw(_pick(AGENTS)) if c.outbound else None
        self.emit(
            "CONTACT/STARTED",
            c,
            initiator=c.initiator,
            agent=c.agent,
            inbox=draw(_pick(INBOXES)),
            entryPoint=f"{c.channel.lower()}-entry",
            **extra,
        )
        c.state = "accepted" if c.outbound else "queued"

    def _contact(self, c: _Contact, move: str) -> None:
        getattr(self, f"_{move.lower()}")(c)

    def _offer(self, c: _Contact) -> None:
        c.offer_to = self.draw(_pick(AGENTS))
        self.emit("CONTACT/OFFERED", c, agent=c.agent, agentId=c.offer_to)
        if c.state == "queued":
            c.state = "offered"

    def _reject(self, c: _Contact) -> None:
        reason = self.draw(_pick(REJECT_REASONS))
        self.emit("CONTACT/OFFER_REJECTED", c, agent=c.agent, agentId=c.offer_to, reason=reason)
        c.offer_to = None
        if c.state == "offered":
            c.state = "queued"

    def _accept(self, c: _Contact) -> None:
        self.emit("CONTACT/OFFER_ACCEPTED", c, agent=c.agent, agentId=c.offer_to)
        c.agent, c.offer_to = c.offer_to, None
        if c.state == "offered":
            c.state = "accepted"

    def _transfer(self, c: _Contact) -> None:
        target = {"inboxId": self.draw(_pick(INBOXES))}
        kind = self.draw(_pick(("COLD", "WARM")))
        self.emit("CONTACT/TRANSFERRED", c, agent=c.agent, transferType=kind, reason="MANUAL",
                  assignee=target)  # fmt: skip
        c.offer_to = None
        if c.state in ("queued", "offered", "accepted"):
            c.state, c.agent = "queued", None

    def _hold(self, c: _Contact) -> None:
        c.hold_reason = self.draw(_pick(HOLD_KINDS))
        self.emit("CONTACT/HOLD_STARTED", c, agent=c.agent, reason=c.hold_reason)
        c.state = "on_hold"

    def _unhold(self, c: _Contact) -> None:
        self.emit("CONTACT/HOLD_ENDED", c, agent=c.agent, reason=c.hold_reason)
        c.state = "accepted" if c.fulfilled_ms is None else "fulfilled"

    def _fulfil(self, c: _Contact, fulfilled_type: str | None = None) -> None:
        kind = fulfilled_type or self.draw(_pick(("RESPONDED", "CANCELED")))
        self.emit("CONTACT/FULFILLED", c, agent=c.agent, fulfilledType=kind)
        c.fulfilled_ms = self.now
        if c.state != "on_hold":
            c.state = "fulfilled"

    def _message(self, c: _Contact) -> None:
        sender = "CUSTOMER" if c.channel == "VOICEMAIL" else self.draw(_pick(SENDERS))
        kind = "RECEIVED" if sender == "CUSTOMER" else "SENT"
        message_id = f"m-{len(self.events)}"
        self.emit(f"CONTACT/MESSAGE_{kind}", c, initiator=sender, agent=c.agent,
                  messageId=message_id)  # fmt: skip

    def _answer(self, c: _Contact) -> None:
        self.emit("CONTACT/ANSWERED", c, agent=c.agent)
        c.answered = True

    def _end(self, c: _Contact, status: str | None = None) -> None:
        if status is None:
            done = c.fulfilled_ms is not None
            choices = ("ANSWERED",) if done else ("ABANDONED", "UNANSWERED", "UNKNOWN")
            status = self.draw(_pick(choices))
        self.emit("CONTACT/ENDED", c, agent=c.agent, inbox=self.draw(_pick(INBOXES)),
                  status=status)  # fmt: skip
        c.state = "ended"

    def _answered_in_call(self, call: _Contact, other: _Contact) -> None:
        """The FAQ's case: an email answered during the call it came in on, as the call ends."""
        if call.fulfilled_ms >= self.now:
            self.tick(at_least=1)
        self._fulfil(other, "RESPONDED")
        at = self.now
        self._end(call, "ANSWERED")
        assert self.now == at, "the answer and the end of the call must share a millisecond"

    def _view(self, agent: str) -> None:
        self.emit("PROFILE_VIEW/STARTED", None, initiator="AGENT", agentId=agent)
        self.viewing.add(agent)

    def _unview(self, agent: str) -> None:
        self.emit("PROFILE_VIEW/ENDED", None, initiator="AGENT", agentId=agent)
        self.viewing.discard(agent)

    def _assign(self) -> None:
        agent = self.draw(_pick((None, *AGENTS)))
        assignee = {"inboxId": self.draw(_pick(INBOXES))}
        if agent:
            assignee["agentId"] = agent
        self.emit(ASSIGNEE_UPDATED, None, initiator="AGENT", assignee=assignee)
        if agent:  # a manual assignment takes queued contacts; one being offered stays so
            for c in self.contacts:
                if c.state == "queued":
                    c.state, c.agent, c.offer_to = "accepted", agent, None

    def _pay(self) -> None:
        draw = self.draw
        started = [c for c in self.contacts if c.state != "pending"]
        request = _choose(draw, [*self.requests, f"pay-{len(self.requests) + 1}"])
        c = self.requests.setdefault(request, _choose(draw, started))
        context = {"currency": draw(CURRENCIES), "monetaryUnit": draw(AMOUNTS)}
        action = draw(_pick(("STATUS_CHANGED", "VIEWED", "CREATED")))
        extra = {}
        if action == "STATUS_CHANGED":
            extra = {
                "oldStatus": "REQUESTING",
                "newStatus": draw(_pick(PAYMENT_STATUSES)),
            }
        self.emit(f"PAYMENT_REQUEST/{action}", c, initiator="AGENT", paymentRequestId=request,
                  context=context, **extra)  # fmt: skip

    def _close(self) -> None:
        self.emit("CONVERSATION/CLOSED", None, initiator="AGENT")

    # -- the end of the story ----------------------------------------------------------------

    def finish(self) -> None:
        """Every contact starts; each is ended or left running; views end or stay open."""
        draw = self.draw
        while any(c.state == "pending" for c in self.contacts):
            self.tick()
            self._start()
        for c in self.contacts:
            if c.live and draw(_COIN):
                fulfillable = c.fulfilled_ms is None and c.state in (*_FULFILLABLE, "on_hold")
                if fulfillable and draw(_COIN):
                    self.tick()
                    self._fulfil(c)
                self.tick()
                self._end(c)
        for agent in sorted(self.viewing):
            if draw(_COIN):
                self.tick()
                self._unview(agent)
        if not any(c.live for c in self.contacts) and draw(_COIN):
            self.tick()
            self._close()


_FULFILLABLE = ("queued", "offered", "accepted")


def _more(draw, most: int):
    """0, 1, ... while the draw says go on (a stop one time in 25), at most `most` steps.

    Each step draws its own go-on, so the shrinker can drop single steps. The stop is a middle
    value because hypothesis favours the bounds of a range, which made most stories short.
    """
    for n in range(most):
        if draw(_below(25)) == 12:
            return
        yield n


def _interact(scope: str | None, other: str | None) -> bool:
    """Would replaying these two events in the other order change any contact's state?"""
    if scope is None or other is None:
        return False
    return scope == other or "*" in (scope, other)


@st.composite
def conversations(draw, conversation_id: str = "conv-1", max_moves: int = 60) -> list[Event]:
    """A plausible conversation of 1-4 contacts, events in the order they happened."""
    count = draw(st.integers(1, 4))
    channels = draw(st.lists(CHANNEL, min_size=count, max_size=count))
    initiators = [draw(_pick(INBOUND if draw(_below(4)) else OUTBOUND)) for _ in channels]
    play = _Play(draw, conversation_id, channels, initiators)
    for _ in _more(draw, max_moves):
        play.tick()
        play.play(_choose(draw, play.moves()))
    play.finish()
    assert play.now <= DAY_LAST, "at most ~80 steps of at most 10 minutes from 08:00-09:00"
    return play.events


# -- chaos -----------------------------------------------------------------------------------

CONTACT_ACTIONS = (
    "STARTED", "OFFERED", "OFFER_REJECTED", "OFFER_ACCEPTED", "ANSWERED", "TRANSFERRED",
    "HOLD_STARTED", "HOLD_ENDED", "MESSAGE_RECEIVED", "MESSAGE_SENT", "JOINED", "FULFILLED",
    "ENDED",
)  # fmt: skip
ANY_TYPES = (
    *(f"CONTACT/{action}" for action in CONTACT_ACTIONS),
    "PAYMENT_REQUEST/CREATED",
    "PAYMENT_REQUEST/STATUS_CHANGED",
    "PAYMENT_REQUEST/VIEWED",
    "PROFILE_VIEW/STARTED",
    "PROFILE_VIEW/ENDED",
    ASSIGNEE_UPDATED,
    "CONVERSATION/CLOSED",
    "CONVERSATION/REOPENED",
    "TASK/CREATED",
)
INITIATORS = (*INBOUND, *OUTBOUND)
_AGENT = st.sampled_from(AGENTS)
_CONTENT = {
    "CONTACT/STARTED": st.fixed_dictionaries(
        {},
        optional={
            "dueAt": st.sampled_from(("2026-11-02T09:00:00.000Z", "2026-11-02T07:00:00Z", "soon")),
            "entryPoint": st.just("+15550100"),
        },
    ),
    "CONTACT/OFFERED": st.fixed_dictionaries({"agentId": _AGENT}),
    "CONTACT/OFFER_ACCEPTED": st.fixed_dictionaries({"agentId": _AGENT}),
    "CONTACT/OFFER_REJECTED": st.fixed_dictionaries(
        {"agentId": _AGENT, "reason": st.sampled_from(REJECT_REASONS)}
    ),
    "CONTACT/TRANSFERRED": st.fixed_dictionaries(
        {"transferType": st.sampled_from(("COLD", "WARM"))}
    ),
    "CONTACT/HOLD_STARTED": st.fixed_dictionaries({"reason": st.sampled_from(HOLD_KINDS)}),
    "CONTACT/HOLD_ENDED": st.fixed_dictionaries({"reason": st.sampled_from(HOLD_KINDS)}),
    "CONTACT/FULFILLED": st.fixed_dictionaries(
        {"fulfilledType": st.sampled_from(("RESPONDED", "CANCELED"))}
    ),
    "CONTACT/ENDED": st.fixed_dictionaries(
        {"status": st.sampled_from(("ANSWERED", "ABANDONED", "UNANSWERED"))}
    ),
    "PROFILE_VIEW/STARTED": st.fixed_dictionaries({"agentId": _AGENT}),
    "PROFILE_VIEW/ENDED": st.fixed_dictionaries({"agentId": _AGENT}),
    ASSIGNEE_UPDATED: st.fixed_dictionaries(
        {
            "assignee": st.fixed_dictionaries(
                {"inboxId": st.just("inbox-1")}, optional={"agentId": _AGENT}
            )
        }
    ),
}
_PAYMENT = st.fixed_dictionaries(
    {
        "paymentRequestId": st.sampled_from(("pay-1", "pay-2")),
        "context": st.fixed_dictionaries({"currency": CURRENCIES, "monetaryUnit": AMOUNTS}),
    },
    optional={"newStatus": st.sampled_from(PAYMENT_STATUSES)},
)


def _content(event_type: str) -> st.SearchStrategy[dict]:
    if event_type.startswith("PAYMENT_REQUEST/"):
        return _PAYMENT
    return _CONTENT.get(event_type, st.just({}))


# A thrown-in event: (time step, (type, content), contact, initiator, agent, zone).
_THROWN_IN = st.tuples(
    _NEARBY,
    st.one_of([st.tuples(st.just(t), _content(t)) for t in ANY_TYPES]),
    st.integers(0, 3),  # which contact, modulo their number
    st.sampled_from(INITIATORS),
    st.none() | _AGENT,
    st.sampled_from(OFFSETS),
)


@st.composite
def chaos(draw, conversation_id: str = "conv-1", max_events: int = 30) -> list[Event]:
    """Well-formed events of every type, in any order, possible or not.

    Half the time it starts from a plausible conversation and breaks it: events dropped, or
    moved next to another event's moment. Then random events are thrown in, for its contacts
    or new ones (one channel per contact, as in life), walking back and forth in time.
    """
    events: list[Event] = []
    if draw(_COIN):
        story = draw(conversations(conversation_id, max_events))
        moments = [parse_ms(e["timestamp"]) for e in story]
        fates = st.tuples(st.integers(0, 5), st.integers(0, len(story)), _NEARBY)
        for event, (fate, anchor, nearby) in zip(
            story, draw(st.lists(fates, min_size=len(story), max_size=len(story))), strict=True
        ):
            if fate == 1:  # moved next to another moment
                moved = moments[anchor % len(moments)] + nearby
                event = event | {"timestamp": render(moved, None)}
            if fate:  # 0: dropped
                events.append(event)
    contacts = {e["content"]["contactId"]: e["content"]["channel"] for e in events
                if e["type"].startswith("CONTACT/")}  # fmt: skip
    if not contacts or draw(_COIN):
        channels = draw(st.lists(CHANNEL, min_size=1, max_size=2))
        contacts |= {f"{conversation_id}-x{i}": ch for i, ch in enumerate(channels, 1)}
    contact_ids = sorted(contacts)
    at = parse_ms(events[-1]["timestamp"]) if events else DAY_START
    thrown_in = draw(st.lists(_THROWN_IN, max_size=max_events))
    for n, (step, (event_type, content), which, initiator, agent, offset) in enumerate(thrown_in):
        at = min(max(at + step, DAY_FIRST), DAY_LAST)
        contact_id = contact_ids[which % len(contact_ids)]
        event = event_at(
            event_type,
            at,
            offset,
            contact_id,
            channel=contacts[contact_id],
            initiator=initiator,
            agent=agent,
            conversation=conversation_id,
            customer=f"cust-{conversation_id}",
            event_id=f"{conversation_id}-x{n:04d}",
            **content,
        )
        events.append(event)
    return events


@st.composite
def streams(draw) -> list[Event]:
    """1-3 conversations, each plausible or chaotic, as one stream in the order played."""
    count = draw(st.integers(1, 3))
    events: list[Event] = []
    for i in range(1, count + 1):
        kind = draw(_pick((conversations, chaos)))
        events += draw(kind(f"conv-{i}", 20))
    return events


# -- corrupted lines -------------------------------------------------------------------------


def _without(key: str, *, inside: str | None = None):
    def corrupt(event: Event) -> str:
        broken = json.loads(json.dumps(event))
        del (broken[inside] if inside else broken)[key]
        return json.dumps(broken)

    return corrupt


def _with(key: str, value: Any, *, inside: str | None = None):
    def corrupt(event: Event) -> str:
        broken = json.loads(json.dumps(event))
        (broken[inside] if inside else broken)[key] = value
        return json.dumps(broken)

    return corrupt


# How a line can be broken: (the event types it applies to, None for all; the breaking).
_CONTACT_LEVEL = ("CONTACT/",)  # a PAYMENT_REQUEST/* naming no contact is archived (SPEC §2)
_STREAM_LEVEL = (*_CONTACT_LEVEL, "PROFILE_VIEW/")
CORRUPTIONS: dict[str, tuple[tuple[str, ...] | None, Any]] = {
    "truncated JSON": (None, lambda e: json.dumps(e)[: len(json.dumps(e)) // 2]),
    "JSON array": (None, lambda e: json.dumps([e])),
    "not UTF-8": (None, lambda e: json.dumps(e).encode().replace(b'"id"', b'"\xffid"')),
    "no id": (None, _without("id")),
    "empty id": (None, _with("id", "")),
    "numeric id": (None, _with("id", 42)),
    "no type": (None, _without("type")),
    "lower-case type": (None, lambda e: _with("type", e["type"].lower())(e)),
    "no timestamp": (None, _without("timestamp")),
    "timestamp not a time": (None, _with("timestamp", "yesterday at noon")),
    "timestamp without offset": (None, _with("timestamp", "2026-11-02T08:05:00.000")),
    "content a string": (None, _with("content", "oops")),
    "no contactId": (_CONTACT_LEVEL, _without("contactId", inside="content")),
    "numeric contactId": (_CONTACT_LEVEL, _with("contactId", 7, inside="content")),
    "no conversationId": (_STREAM_LEVEL, _without("conversationId", inside="content")),
}


@st.composite
def corruptions(draw, events: list[Event]) -> tuple[list[str | bytes], set[int]]:
    """The stream as lines with some broken: (lines, indexes of the broken ones).

    Besides the malformed lines, a broken line may reuse the id of an earlier intact line with
    other content: a conflict, rejected while the first stays.
    """
    lines: list[str | bytes] = [json.dumps(e) for e in events]
    broken = draw(st.sets(st.integers(0, len(events) - 1), min_size=1, max_size=len(events)))
    intact_before: list[int] = []
    for i, event in enumerate(events):
        if i not in broken:
            intact_before.append(i)
            continue
        ways = [
            name
            for name, (types, _) in CORRUPTIONS.items()
            if types is None or event["type"].startswith(types)
        ]
        conflicts = [j for j in intact_before if event | {"id": events[j]["id"]} != events[j]]
        way = _choose(draw, [*ways, "conflicting id"] if conflicts else ways)
        if way == "conflicting id":
            taken = events[_choose(draw, conflicts)]["id"]
            lines[i] = json.dumps(event | {"id": taken})
        else:
            lines[i] = CORRUPTIONS[way][1](event)
    return lines, broken
