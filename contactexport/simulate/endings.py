"""How conversations wind down: contacts fulfilled across channels, after-contact work on the
profile, the conversation closed."""

from contactexport.simulate.builder import Contact, Conversation
from contactexport.simulate.draw import between, duration

CLOSED_BY_AGENT = 0.9  # the rest stay open (the customer may write again)


def fulfil_open_contacts(conv: Conversation, by_contact: Contact) -> None:
    """Contacts still open when `by_contact` ends (an email sent during a call, a voicemail
    called back, an email followed up by chat) are fulfilled by it, at that very instant."""
    ended = by_contact.ended_at
    for other in conv.live():
        by = ("AGENT", by_contact.agent)
        other.fulfil(ended, "RESPONDED", by, other=by_contact)
        other.end(ended, "UNANSWERED", by)


def wrap_up(conv: Conversation, agent: str, viewing_since: int, ended: int) -> None:
    """The agent keeps the profile open for after-contact work, then closes the conversation."""
    rng = conv.rng
    done = ended + duration(rng, 40, 0.8, 2, 900)
    conv.view(agent, viewing_since, done)
    if rng.random() < CLOSED_BY_AGENT:
        conv.close(done + between(rng, 0, 5), ("AGENT", agent))


def close_later(conv: Conversation, t: int, by: tuple[str, str], share: float = 0.7) -> None:
    """Nobody works the conversation any more; sometimes it is closed a while later."""
    rng = conv.rng
    if rng.random() < share:
        conv.close(t + duration(rng, 600, 0.6, 60, 86400), by)
