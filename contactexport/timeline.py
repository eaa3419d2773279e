"""One contact's story: its events in replay order, what each changed, and why.

After each event the columns are computed as a replay of the conversation up to that event
would show them (the end-of-conversation rules run on a copy), so every column change is
attributed to the event that caused it, including events of *other* contacts (the call that
fulfilled an email, the next contact that cut off after-contact time, the contact that
outranked this one for handle time) and conversation events (profile views, the conversation
closing).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contactexport.columns import BY_HEADER, COLUMNS, HEADERS, row_values, running_values
from contactexport.contact import Contact, Event
from contactexport.conversation import ConversationReplay, replay_order
from contactexport.vocabulary import CONVERSATION_CLOSED, PROFILE_VIEW_ENDED, PROFILE_VIEW_STARTED
from eventstore.records import StoredEvent

OWN, OTHER_CONTACT, CONVERSATION = "own", "other contact", "conversation"
# Conversation events that shape handle and after-contact time even when they change no
# value at their own instant (a view's time is counted when it ends, or at the last event).
ALWAYS_SHOWN = frozenset({PROFILE_VIEW_STARTED, PROFILE_VIEW_ENDED, CONVERSATION_CLOSED})


@dataclass(slots=True)
class Change:
    column: str
    old: Any
    new: Any


@dataclass(slots=True)
class Entry:
    event: Event
    source: str  # OWN, OTHER_CONTACT or CONVERSATION
    source_contact_id: str | None
    state_before: str | None = None
    state_after: str | None = None
    anomaly: str | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass(slots=True)
class Timeline:
    contact: Contact
    entries: list[Entry]
    row: list[Any]  # the exported raw values

    def changes_of(self, column: str) -> list[tuple[Entry, Change]]:
        return [(e, c) for e in self.entries for c in e.changes if c.column == column]


def _source(event: Event, contact_id: str) -> tuple[str, str | None]:
    owner = event.content.get("contactId")
    if owner == contact_id:
        return OWN, owner
    return (OTHER_CONTACT, owner) if isinstance(owner, str) else (CONVERSATION, None)


def build_timeline(
    contact_id: str,
    conversation_id: str,
    events: Iterable[StoredEvent],
    *,
    as_of_ms: int | None = None,
) -> Timeline | None:
    """The contact's timeline, or None when the events never mention it."""
    ordered = replay_order(events, as_of_ms)
    replay = ConversationReplay(conversation_id, steps=[])
    entries: list[Entry] = []
    previous = [None] * len(COLUMNS)
    for event in ordered:
        seen = len(replay.steps)
        replay.add(event)
        if contact_id not in replay.contacts:
            continue  # nothing before the contact's first event can concern it
        values = running_values(replay.finished_copy().contacts[contact_id])
        changes = [
            Change(header, old, new)
            for header, old, new in zip(HEADERS, previous, values, strict=True)
            if old != new
        ]
        previous = values
        step = next((s for s in replay.steps[seen:] if s.contact_id == contact_id), None)
        source, source_contact = _source(event, contact_id)
        if step is None and not changes and event.type not in ALWAYS_SHOWN:
            continue
        entry = Entry(event, source, source_contact, changes=changes)
        if step is not None:
            entry.state_before, entry.state_after = step.before, step.after
            entry.anomaly = step.anomaly.reason if step.anomaly else None
        entries.append(entry)
    replay.finish()
    contact = replay.contacts.get(contact_id)
    if contact is None:
        return None
    return Timeline(contact, entries, row_values(contact))


def explain(timeline: Timeline, header: str, fmt: Any) -> list[str]:
    """The arithmetic behind a value, as lines: `fmt(header, raw)` renders a cell."""
    column = BY_HEADER[header]
    values = dict(zip(HEADERS, timeline.row, strict=True))
    value = values[header]
    shown = fmt(header, value) if value is not None else "(blank)"
    contact = timeline.contact
    if column.operands and value is not None:
        end, start = column.operands
        return [
            f"{header} = {end} - {start} = {fmt(end, values[end])} - "
            f"{fmt(start, values[start])} = {shown}"
        ]
    if header == "Talk Time" and value is not None:
        start = "Answered At" if contact.direction == "OUTBOUND" else "Fulfilled At"
        start_value = contact.answered_at if start == "Answered At" else contact.fulfilled_at
        return [
            f"Talk Time = Ended At - {start} - Hold Time – Total = "
            f"{fmt('Ended At', contact.ended_at)} - {fmt(start, start_value)} - "
            f"{fmt('Hold Time – Total', contact.hold_ms['TOTAL'])} s = {shown}"
        ]
    if header == "SLA Target" and value is not None:
        return [
            f"SLA Target = dueAt - Queued At = {fmt('Queued At', contact.due_at)} - "
            f"{fmt('Queued At', contact.queued_at)} = {shown}"
        ]
    if header == "Seconds within (-) or over (+) SLA" and value is not None:
        return [
            f"{header} = Fulfilled At - dueAt = {fmt('Fulfilled At', contact.fulfilled_at)} - "
            f"{fmt('Fulfilled At', contact.due_at)} = {shown}"
        ]
    if contact.ended_at is None and not column.at_start:
        return [f"{header} is blank: the contact has not ended, so only start columns show"]
    if header in ("Contact Handle Time", "After Contact Time"):
        kind = "handle" if header == "Contact Handle Time" else "after contact"
        spans: list[tuple[int, int]] = []
        for a, b, k in contact.view_segments:
            if k != kind:
                continue
            if spans and spans[-1][1] == a:  # segments cut at a boundary read as one
                a = spans.pop()[0]
            spans.append((a, b))
        return [f"{header} = the profile-view time credited to this contact = {shown}"] + [
            f"  {fmt('Queued At', a)} to {fmt('Queued At', b)}: {fmt(header, b - a)} s"
            for a, b in spans
        ]
    return [f"{header} = {shown}"]
