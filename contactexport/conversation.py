"""Replay of one conversation: events in a fixed order, routed to the contacts they concern.

The order is (timestamp, lifecycle rank, event id), so arrival order never matters. Contact
events go to their contact; payments to the contact they name; assignee updates to every
live contact; profile views and the conversation closing (and reopening) feed handle and
after-contact time. Two rules need the whole conversation and run at the end: cross-channel
fulfilment and the sharing out of view time.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from contactexport.contact import Anomaly, Contact, Event, apply, text
from contactexport.handle_time import attribute_view_time, merge_views
from contactexport.vocabulary import (
    ASSIGNEE_UPDATED,
    CONTACT_PREFIX,
    CONVERSATION_CLOSED,
    CONVERSATION_REOPENED,
    DEFAULT_LIFECYCLE_RANK,
    KNOWN_TYPES,
    LIFECYCLE_RANK,
    OUTBOUND_INITIATORS,
    PAYMENT_PREFIX,
    PROFILE_VIEW_ENDED,
    PROFILE_VIEW_STARTED,
)
from eventstore.records import StoredEvent


@dataclass(slots=True)
class Step:
    """What one event did to one contact, for the timeline."""

    event: Event
    contact_id: str
    before: str
    after: str
    anomaly: Anomaly | None


@dataclass(slots=True)
class ConversationReplay:
    conversation_id: str
    contacts: dict[str, Contact] = field(default_factory=dict)
    view_events: list[tuple[int, str, bool]] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)
    reopens: list[int] = field(default_factory=list)
    steps: list[Step] | None = None
    last_event_ms: int = 0

    def contact_for(self, content: dict) -> Contact | None:
        contact_id = content.get("contactId")
        # text(), inlined since this runs for every event; an empty ID names no contact either
        if contact_id.__class__ is not str or not contact_id:
            return None
        contact = self.contacts.get(contact_id)
        if contact is None:
            contact = self.contacts[contact_id] = Contact(contact_id, self.conversation_id, content)
        elif contact.channel is None and text(content, "channel"):
            contact.set_channel(content["channel"])  # met first through a payment, which has none
        return contact

    def add(self, event: Event) -> None:
        """One more event, in replay order."""
        self.last_event_ms = event.time_ms
        _route(self, event)

    def finish(self) -> None:
        """The rules that need the whole conversation: run once, after the last event."""
        contacts = list(self.contacts.values())
        fulfil_across_channels(contacts)
        views = merge_views(self.view_events, self.last_event_ms)
        attribute_view_time(contacts, views, self.closes, self.reopens)

    def finished_copy(self) -> "ConversationReplay":
        """What `finish` makes of the conversation so far, leaving this replay to go on: the
        timeline's view after each event without replaying every prefix again."""
        copy = ConversationReplay(self.conversation_id, last_event_ms=self.last_event_ms)
        copy.contacts = {key: contact.copy() for key, contact in self.contacts.items()}
        copy.view_events, copy.closes, copy.reopens = self.view_events, self.closes, self.reopens
        copy.finish()
        return copy

    def feed(self, contact: Contact, trigger: str, event: Event) -> None:
        """Apply the event, keeping the step when tracing (replay inlines the plain apply)."""
        before = contact.state
        anomaly = apply(contact, trigger, event)
        if self.steps is not None:
            self.steps.append(Step(event, contact.contact_id, before, contact.state, anomaly))


def replay_order(events: Iterable[StoredEvent], as_of_ms: int | None = None) -> list[Event]:
    """Sort by (time, lifecycle rank, id) and parse; events after `as_of_ms` are left out."""
    if as_of_ms is not None:
        events = [e for e in events if e.time_ms <= as_of_ms]
    rank, default, loads = LIFECYCLE_RANK.get, DEFAULT_LIFECYCLE_RANK, orjson.loads
    # StoredEvent fields by index (position, event_id, stream_id, type, time_ms, data): the
    # hot loop of every replay, where tuple indexing beats attribute lookup.
    keyed = sorted((e[4], rank(e[3], default), e[1], e[3], e[5]) for e in events)
    return [Event(t, event_id, kind, loads(data)) for t, _, event_id, kind, data in keyed]


def replay_conversation(
    conversation_id: str,
    events: Iterable[StoredEvent],
    *,
    as_of_ms: int | None = None,
    trace: bool = False,
) -> ConversationReplay:
    """Replay stored events (in any order) up to `as_of_ms`."""
    return replay_events(conversation_id, replay_order(events, as_of_ms), trace=trace)


def replay_events(
    conversation_id: str, ordered: list[Event], *, trace: bool = False
) -> ConversationReplay:
    """Replay events already in replay order; `trace` keeps each step (what each event did to
    each contact, anomalies included) in `steps`."""
    replay = ConversationReplay(conversation_id, steps=[] if trace else None)
    route = _route  # `add` without a method call per event: this loop is every replay's
    for event in ordered:
        route(replay, event)
    if ordered:
        replay.last_event_ms = ordered[-1].time_ms
    replay.finish()
    return replay


# The trigger each event type fires at its contact, "" for conversation-level types (looked up
# for every event, so known types are all in the table); STARTED splits by direction at replay.
_TRIGGERS = dict.fromkeys(KNOWN_TYPES, "")
_TRIGGERS |= {
    t: t.removeprefix(CONTACT_PREFIX) for t in KNOWN_TYPES if t.startswith(CONTACT_PREFIX)
}
_TRIGGERS |= {t: "PAYMENT_REQUEST" for t in KNOWN_TYPES if t.startswith(PAYMENT_PREFIX)}


def _trigger_of_unknown(kind: str) -> str:
    """An unknown CONTACT/* or PAYMENT_REQUEST/* type still reaches its contact (an unknown
    contact action is then an anomaly); any other unknown type is ignored."""
    if kind.startswith(PAYMENT_PREFIX):
        return "PAYMENT_REQUEST"
    return kind.removeprefix(CONTACT_PREFIX) if kind.startswith(CONTACT_PREFIX) else ""


def _route(replay: ConversationReplay, event: Event) -> None:
    kind = event.type
    trigger = _TRIGGERS.get(kind)
    if trigger is None:
        trigger = _trigger_of_unknown(kind)
    if trigger:
        contact = replay.contact_for(event.content)
        if contact is None:
            return
        if trigger == "STARTED":
            # Only a listed outbound initiator starts in an agent's hands; any other (none, or
            # a type nobody lists) is queued like an inbound contact.
            outbound = event.initiator_type in OUTBOUND_INITIATORS
            trigger = "STARTED_OUTBOUND" if outbound else "STARTED_INBOUND"
        if replay.steps is None:
            apply(contact, trigger, event)
        else:
            replay.feed(contact, trigger, event)
    elif kind == ASSIGNEE_UPDATED:
        trigger = "ASSIGNED" if text(event.assignee(None), "agentId") else "UNASSIGNED"
        for contact in list(replay.contacts.values()):
            if contact.live:
                replay.feed(contact, trigger, event)
    elif kind in (PROFILE_VIEW_STARTED, PROFILE_VIEW_ENDED):
        agent = text(event.content, "agentId")
        if agent is not None:
            replay.view_events.append((event.time_ms, agent, kind == PROFILE_VIEW_STARTED))
    elif kind == CONVERSATION_CLOSED:
        replay.closes.append(event.time_ms)
    elif kind == CONVERSATION_REOPENED:
        replay.reopens.append(event.time_ms)


def fulfil_across_channels(contacts: list[Contact]) -> None:
    """The FAQ's negative Queued-to-Fulfilled: an email answered by the phone call it came in.

    A contact FULFILLED with RESPONDED at the very millisecond another contact of the
    conversation, on another channel, ENDED, that contact having been fulfilled earlier, was
    fulfilled by it: it takes that contact's Fulfilled At and names it in Fulfilled by.
    """
    own_fulfilment = {c.contact_id: c.fulfilled_at for c in contacts if c.fulfilled_at is not None}
    for contact in contacts:
        if contact.fulfilled_type != "RESPONDED" or contact.contact_id not in own_fulfilment:
            continue
        at = own_fulfilment[contact.contact_id]
        fulfillers = [
            other
            for other in contacts
            if other is not contact
            and other.channel != contact.channel
            and other.ended_at == at
            and own_fulfilment.get(other.contact_id, at) < at
        ]
        if fulfillers:
            by = min(fulfillers, key=lambda c: (c.channel_rank, c.contact_id))
            contact.fulfilled_at = own_fulfilment[by.contact_id]
            contact.fulfilled_by = by.contact_id
