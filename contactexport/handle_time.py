"""Contact Handle Time and After Contact Time: agents' profile-view time, shared out.

Agents' PROFILE_VIEW intervals on a conversation are merged (two agents at once count once)
and cut into segments wherever a contact starts or ends or the conversation closes. Each
segment goes to exactly one contact: an ongoing one if any (handle time; the highest channel,
then the earliest queued), else the most recently ended one whose after-contact window is still
open (after-contact time). So view time is never counted twice.
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from contactexport.contact import Contact

Interval = tuple[int, int]


def merge_views(views: Iterable[tuple[int, str, bool]], horizon_ms: int) -> list[Interval]:
    """(time, agent, started?) in replay order -> the union of view intervals.

    A second STARTED for an agent already viewing is ignored, an ENDED with no open view
    too; a view never ended lasts until `horizon_ms` (the conversation's last event).
    """
    open_since: dict[str, int] = {}
    intervals: list[Interval] = []
    for at_ms, agent, started in views:
        if started:
            open_since.setdefault(agent, at_ms)
        elif agent in open_since:
            intervals.append((open_since.pop(agent), at_ms))
    intervals.extend((since, horizon_ms) for since in open_since.values())
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def after_contact_cutoff(
    contact: Contact, contacts: Sequence[Contact], closes: list[int], reopens: list[int]
) -> float:
    """When the after-contact window shuts: the conversation closes or another contact starts.
    It never opens when the conversation was already closed as the contact ended (Gladly ends
    a conversation's contacts just after CONVERSATION/CLOSED)."""
    ended = contact.ended_at
    if _closed_as_it_ended(contact, closes, reopens):
        return ended
    cutoffs = [t for t in closes if t >= ended]
    cutoffs += [
        other.queued_at
        for other in contacts
        if other is not contact and other.queued_at is not None and other.queued_at >= ended
    ]
    return min(cutoffs, default=float("inf"))


def _closed_as_it_ended(contact: Contact, closes: list[int], reopens: list[int]) -> bool:
    """Closed while the contact was live and not reopened before it ended. A close from before
    the contact started does not count: a customer writing in reopens the conversation, logged
    or not. (At one millisecond, replay order puts STARTED before CLOSED, REOPENED before
    CLOSED, and CLOSED after ENDED.)"""
    started, ended = contact.queued_at, contact.ended_at
    last_close = max((t for t in closes if started <= t < ended), default=None)
    return last_close is not None and not any(last_close < t <= ended for t in reopens)


def attribute_view_time(
    contacts: Sequence[Contact], views: list[Interval], closes: list[int], reopens: list[int]
) -> None:
    """Add each view segment's length to one contact's handle_ms or after_contact_ms."""
    if not views:
        return
    closes = sorted(closes)
    started = [c for c in contacts if c.queued_at is not None]
    cutoff = {
        id(c): after_contact_cutoff(c, started, closes, reopens)
        for c in started
        if c.ended_at is not None
    }
    points = sorted(
        {c.queued_at for c in started}
        | {c.ended_at for c in started if c.ended_at is not None}
        | set(closes)
    )
    for view_start, view_end in views:
        cuts = points[bisect_right(points, view_start) : bisect_right(points, view_end - 1)]
        bounds = [view_start, *cuts, view_end]
        for start, end in pairwise(bounds):
            _credit(started, cutoff, start, end - start)


def _credit(contacts: Sequence[Contact], cutoff: dict[int, float], at: int, length: int) -> None:
    ongoing = [c for c in contacts if c.queued_at <= at and (c.ended_at is None or c.ended_at > at)]
    if ongoing:
        winner = min(ongoing, key=lambda c: (c.channel_rank, c.queued_at, c.contact_id))
        winner.handle_ms += length
        winner.view_segments.append((at, at + length, "handle"))
        return
    after = [c for c in contacts if c.ended_at is not None and c.ended_at <= at < cutoff[id(c)]]
    if after:
        winner = min(after, key=lambda c: (-c.ended_at, c.channel_rank, c.contact_id))
        winner.after_contact_ms += length
        winner.view_segments.append((at, at + length, "after contact"))
