"""The rows the generator intends: each contact's Contact Export columns, from its own facts.

Computed from what the simulator decided (the recorded facts and profile-view intervals),
never by replaying its events, so replaying the stream and comparing is a real check.

A row maps each report column to a plain value, None for a blank cell:
- "timestamp": epoch milliseconds (int);
- "duration": milliseconds (int); the two reply-time averages are exact means (float ms);
- "count": int; "money": Decimal; "text": str.
"""

import itertools
from decimal import Decimal

from contactexport.columns import COLUMNS
from contactexport.simulate.builder import Contact, Conversation
from contactexport.vocabulary import CHANNEL_RANK

# The report's columns and kinds are the export's (one list in the project); the values are ours.
COLUMN_KINDS = {column.header: column.kind for column in COLUMNS}
# Filled as soon as a contact starts; the rest only once it has ended (SPEC §3).
START_COLUMNS = tuple(column.header for column in COLUMNS if column.at_start)

HOLD_KINDS = (
    ("MANUAL", "Hold Time – Manual", "Times On Hold – Manual"),
    ("WARM_TRANSFER", "Hold Time – Warm", "Times On Hold – Warm Transfer"),
    ("COLD_TRANSFER", "Hold Time – Cold Transfer", "Times On Hold – Cold Transfer"),
    ("CONFERENCE", "Hold Time – Conference", "Times On Hold – Conference"),
)
SENDER_COLUMNS = (
    ("customer", "Messages from Customer"),
    ("agent", "Messages from Agent"),
    ("rules", "Messages from Rules"),
    ("api", "Messages from API"),
)
NO_MESSAGES = frozenset({"PHONE_CALL", "VOICEMAIL"})


def intended_rows(conv: Conversation) -> list[dict]:
    return [intended_row(contact) for contact in conv.contacts]


def intended_row(contact: Contact) -> dict:
    conv = contact.conv
    row = dict.fromkeys(COLUMN_KINDS)
    queued, due = contact.queued_at, contact.due_at
    row.update(
        {  # the START_COLUMNS
            "Queued At": queued,
            "Customer ID": conv.customer,
            "Conversation ID": conv.id,
            "Contact ID": contact.id,
            "Channel": contact.channel,
            "Direction": "INBOUND" if contact.inbound else "OUTBOUND",
            "Contact Initiator": contact.initiator,
            "Entry Point": contact.entry_point,
            "Final IVR Selection": contact.ivr,
            "Inbox when First Queued": contact.first_inbox,
            "SLA Target": None if due is None else due - queued,
        }
    )
    ended = contact.ended_at
    if ended is None or (conv.cut_at is not None and ended > conv.cut_at):
        return row
    fulfilled, accepted = contact.fulfilled_at, contact.accepted_at
    row.update(
        {
            "Fulfilled Type": contact.fulfilled_type,
            "Status": contact.status,
            "Fulfilled At": fulfilled,
            "Ended At": ended,
            "Agent when Ended": contact.ended_assignee[1],
            "Inbox when Ended": contact.ended_assignee[0],
            "Queued-to-Fulfilled Time": _minus(fulfilled, queued),
            "Queued-to-Ended Time": ended - queued,
            "Seconds within (-) or over (+) SLA": _minus(fulfilled, due),
            "Contact Handle Time": contact.handle_time,
            "After Contact Time": contact.after_contact_time,
            "Offered At": contact.offered_at,
            "Accepted At": accepted,
            "Queued-to-First Accepted Time": _minus(accepted, queued),
            "First Accepted-to-Fulfilled Time": _minus(fulfilled, accepted),
            "Fulfilled-to-Ended Time": _minus(ended, fulfilled),
            "Fulfilled by Contact ID": contact.fulfilled_by,
            "Offered": contact.offers,
            "Accepted": contact.accepts,
            "Missed": contact.missed,
            "Declined": contact.declined,
            "Transferred": contact.transfers,
        }
    )
    if contact.channel == "PHONE_CALL":
        row.update(_phone_columns(contact))
    if contact.channel not in NO_MESSAGES:
        row.update(_message_columns(contact))
    row.update(_payment_columns(contact))
    return row


def _minus(later: int | None, earlier: int | None) -> int | None:
    return None if later is None or earlier is None else later - earlier


def _phone_columns(contact: Contact) -> dict:
    columns = {"Answered At": None if contact.inbound else contact.answered_at}
    total = 0
    for reason, time_column, count_column in HOLD_KINDS:
        lengths = [end - start for kind, start, end in contact.holds if kind == reason]
        columns[time_column] = sum(lengths)
        columns[count_column] = len(lengths)
        total += sum(lengths)
    columns["Hold Time – Total"] = total
    columns["Times On Hold Total"] = len(contact.holds)
    talk_from = contact.fulfilled_at if contact.inbound else contact.answered_at
    columns["Talk Time"] = None if talk_from is None else contact.ended_at - talk_from - total
    return columns


def _message_columns(contact: Contact) -> dict:
    senders = [sender for _, sender in contact.messages]
    columns = {column: senders.count(sender) for sender, column in SENDER_COLUMNS}
    columns["Messages Total"] = len(senders)
    ordered = sorted(contact.messages, key=lambda message: message[0])
    columns["Avg. Agent Reply Time"] = _average_reply(ordered, "agent", "customer")
    columns["Avg. Customer Reply Time"] = _average_reply(ordered, "customer", "agent")
    return columns


def _average_reply(messages: list[tuple[int, str]], replier: str, asker: str) -> float | None:
    """Each `replier` message answers the `asker` messages since the previous one and is
    timed from the earliest of them; other senders neither answer nor reset."""
    waiting_since = None
    replies = []
    for t, sender in messages:
        if sender == asker and waiting_since is None:
            waiting_since = t
        elif sender == replier and waiting_since is not None:
            replies.append(t - waiting_since)
            waiting_since = None
    return sum(replies) / len(replies) if replies else None


def _payment_columns(contact: Contact) -> dict:
    columns = {}
    for status, word in (("COMPLETED", "Completed"), ("DECLINED", "Declined")):
        requests = [p for p in contact.payments.values() if p[2] == status]
        columns[f"Payment Requests – {word}"] = len(requests)
        usd = [amount for currency, amount, _ in requests if currency == "USD"]
        columns[f"Payment Amount – {word} USD"] = sum(usd, Decimal(0))
    return columns


def attribute_views(conv: Conversation) -> None:
    """Split the union of all profile views between the conversation's contacts.

    While contacts are ongoing, view time goes to the highest-ranked channel (then earliest
    queued, then smaller ID): Contact Handle Time. While none is, it goes to the most recently
    ended contact (then channel rank, then ID), until the conversation closes or another
    contact starts: After Contact Time.
    """
    contacts = conv.contacts
    views = _union(sorted((start, end) for _, start, end in conv.views))
    if not views:
        return
    points = {p for view in views for p in view}
    points.update(c.queued_at for c in contacts)
    points.update(c.ended_at for c in contacts if c.ended_at is not None)
    if conv.closed_at is not None:
        points.add(conv.closed_at)
    points = sorted(points)
    view = 0
    for a, b in itertools.pairwise(points):
        while view < len(views) and views[view][1] <= a:
            view += 1
        if view == len(views):
            break
        if views[view][0] > a:
            continue
        ongoing = [
            c for c in contacts if c.queued_at <= a and (c.ended_at is None or a < c.ended_at)
        ]
        if ongoing:
            owner = min(ongoing, key=lambda c: (CHANNEL_RANK[c.channel], c.queued_at, c.id))
            owner.handle_time += b - a
            continue
        if conv.closed_at is not None and a >= conv.closed_at:
            continue
        ended = [
            c
            for c in contacts
            if c.ended_at is not None
            and c.ended_at <= a
            and not any(o is not c and c.ended_at <= o.queued_at <= a for o in contacts)
        ]
        if ended:
            owner = min(ended, key=lambda c: (-c.ended_at, CHANNEL_RANK[c.channel], c.id))
            owner.after_contact_time += b - a


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
