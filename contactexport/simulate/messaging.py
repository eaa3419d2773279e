"""Written conversations: chat, SMS, WhatsApp, Messenger and email, inbound and outbound.

Chats are live (minutes; the agent keeps the profile open throughout). The other channels are
asynchronous (minutes to hours; the agent opens the profile for each reply).
"""

from dataclasses import dataclass
from random import Random

from contactexport.simulate import directory as d
from contactexport.simulate.builder import Contact, Conversation
from contactexport.simulate.draw import between, duration, weighted
from contactexport.simulate.endings import close_later, fulfil_open_contacts, wrap_up
from contactexport.simulate.payments import request_payment
from contactexport.simulate.routing import offer_until_accepted
from contactexport.simulate.world import World

SYSTEM = ("SYSTEM", d.SYSTEM_ID)


@dataclass(frozen=True)
class Pace:
    think: float  # median s an agent takes to write a reply
    customer: float  # median s a customer takes to answer
    turns: tuple[int, int]  # customer-then-agent exchanges after the first reply
    idle: float  # median s of silence before the contact times out
    burst: float  # median s between messages of one burst
    auto_reply: float  # share of contacts that get a rules auto-reply
    live: bool  # the agent stays on the profile for the whole contact


PACE = {
    "CHAT": Pace(35, 40, (1, 7), 300, 8, 0.5, True),
    "SMS": Pace(90, 360, (0, 4), 3600, 20, 0.3, False),
    "WHATSAPP": Pace(90, 240, (0, 4), 3600, 20, 0.3, False),
    "FB_MESSENGER": Pace(120, 900, (0, 3), 7200, 30, 0.4, False),
    "EMAIL": Pace(420, 10800, (0, 1), 86400, 60, 0.8, False),
}
PAYMENT_CHANNELS = frozenset({"CHAT", "SMS", "WHATSAPP"})
API_MESSAGE = 0.06  # an order-status card or similar sent through the API mid-exchange
ENDED_BY_AGENT = 0.7  # else the contact times out after the customer goes quiet
FOLLOW_UP_CHANNELS = ("CHAT", "SMS")


def inbound_messaging(world: World, conv: Conversation, t0: int, channel: str) -> None:
    rng, config = conv.rng, world.config
    contact = arrive(world, conv, t0, channel)
    if channel == "EMAIL" and rng.random() < config.overlap_rate:
        # The customer does not wait for the email answer and writes on a faster channel.
        t1 = contact.quiet_since + duration(rng, 1200, 0.8, 20, 3 * 3600)
        follow_up = arrive(world, conv, t1, weighted(rng, FOLLOW_UP_CHANNELS, (60, 40)))
        result = handle(world, conv, follow_up, may_leave=False)
        fulfil_open_contacts(conv, follow_up)
    else:
        result = handle(world, conv, contact, may_leave=True)
    if result is None:
        close_later(conv, contact.ended_at, SYSTEM)
        return
    ended, agent, viewing_since = result
    if viewing_since is None:
        close_later(conv, ended, ("AGENT", agent))
    else:
        wrap_up(conv, agent, viewing_since, ended)


def arrive(world: World, conv: Conversation, t0: int, channel: str) -> Contact:
    """The customer writes: the contact starts with their message (and maybe an auto-reply)."""
    rng, config = conv.rng, world.config
    customer = ("CUSTOMER", conv.customer)
    entry_point, inbox = _entry(rng, channel)
    due = world.due(conv, channel, t0)
    if config.noise and not conv.contacts:
        conv.created(t0, customer, inbox)
    contact = Contact(conv, t0, channel, customer, inbox, None, entry_point, None, due)
    if config.noise and len(conv.live()) == 1:
        conv.route(t0, "CONTACT_INBOUND", inbox, None, SYSTEM)
    pace = PACE[channel]
    _customer_burst(contact, t0, pace)
    if rng.random() < pace.auto_reply:
        contact.sent(t0 + between(rng, 1, 4), ("AUTOMATION", d.RULES[0]))
    return contact


def handle(
    world: World, conv: Conversation, contact: Contact, may_leave: bool
) -> tuple[int, str, int | None] | None:
    """Route the contact to an agent and run the exchange: (ended, agent, viewing since) or
    None when the customer left before anyone took it."""
    rng, config = conv.rng, world.config
    t0, channel = contact.quiet_since, contact.channel  # routing waits for the last word
    pace = PACE[channel]
    if may_leave and rng.random() < config.leave_rate:
        patience = t0 + duration(rng, pace.idle, 0.7, 30, 7 * 86400)
        left, _ = offer_until_accepted(world, contact, t0, give_up_at=patience)
        contact.end(left, "UNANSWERED", SYSTEM, "CUSTOMER_NO_REPLY")
        return None
    if not pace.live and rng.random() < config.manual_assign_rate:
        accepted = t0 + duration(rng, 1800, 1.0, 30, 86400)
        agent = world.staff.pick(rng, accepted)
        supervisor = d.SUPERVISORS[int(rng.random() * len(d.SUPERVISORS))]
        conv.assign_by_hand(accepted, contact, agent, supervisor)
    else:
        accepted, agent = offer_until_accepted(world, contact, t0)
        if config.noise:
            conv.follow(accepted, "AUTOMATED_ASSIGNMENT", contact)
    replied = accepted + duration(rng, pace.think, 0.7, 3, 4 * 3600)
    contact.sent(replied, ("AGENT", agent))
    contact.fulfil(replied, "RESPONDED", ("AGENT", agent))
    if not pace.live:
        _session(conv, agent, accepted, replied)
    return exchange(world, conv, contact, replied, agent, accepted, "ANSWERED")


def exchange(
    world: World,
    conv: Conversation,
    contact: Contact,
    t: int,
    agent: str,
    viewing_since: int,
    status: str,
) -> tuple[int, str, int | None]:
    """Turns of customer and agent messages after the agent's message at `t`, then the end.

    Returns (ended, agent at the end, since when that agent has the profile open, or None
    when nobody is on the profile any more).
    """
    rng, config = conv.rng, world.config
    pace = PACE[contact.channel]
    turns = rng.randint(*pace.turns)
    transfer_before = rng.randrange(turns + 1) if rng.random() < config.transfer_rate else -1
    pay = contact.channel in PAYMENT_CHANNELS and rng.random() < config.payment_rate
    pay_before = rng.randrange(turns + 1) if pay else -1
    api_before = rng.randrange(turns + 1) if rng.random() < API_MESSAGE else -1
    for turn in range(turns + 1):
        if turn == api_before:
            t += between(rng, 1, 5)
            contact.sent(t, ("APPLICATION", d.API_CLIENTS[0]))
        if turn == pay_before:
            t = request_payment(contact, t + between(rng, 2, 20), agent, config.usd_share)
        if turn == transfer_before:
            t, agent, viewing_since = _transfer(world, conv, contact, t, agent, viewing_since)
            if config.noise:
                conv.follow(t + between(rng, 0.1, 1), "AUTOMATED_ASSIGNMENT", contact)
        if turn == turns:
            break
        t = _customer_burst(contact, t + duration(rng, pace.customer, 0.9, 2, 3 * 86400), pace)
        asked = t
        t += duration(rng, pace.think, 0.7, 3, 4 * 3600)
        contact.sent(t, ("AGENT", agent))
        if rng.random() < 0.2:  # a second message before the customer answers
            t += duration(rng, pace.burst, 0.6, 1, 300)
            contact.sent(t, ("AGENT", agent))
        if not pace.live:
            _session(conv, agent, asked, t)
    if rng.random() < ENDED_BY_AGENT:
        ended = t + between(rng, 2, 30)
        contact.end(ended, status, ("AGENT", agent), "AGENT_ENDED")
        return ended, agent, viewing_since if pace.live else max(viewing_since, t)
    ended = t + duration(rng, pace.idle, 0.4, 60, 7 * 86400)
    contact.end(ended, status, SYSTEM, "CUSTOMER_NO_REPLY")
    return ended, agent, viewing_since if pace.live else None


def outbound_message(world: World, conv: Conversation, t0: int) -> None:
    """The center writes first: an agent, or an application through the API."""
    rng, config = conv.rng, world.config
    channel = weighted(rng, ("SMS", "EMAIL", "WHATSAPP"), (45, 35, 20))
    outbox = d.INBOX["Outbound"]
    if rng.random() < 0.3:  # an API campaign: nobody answers the customer on this contact
        api = ("APPLICATION", d.API_CLIENTS[1])
        if config.noise:
            conv.created(t0, api, outbox)
        contact = Contact(conv, t0, channel, api, outbox)
        contact.sent(t0, api)
        t = t0
        if rng.random() < 0.4:
            t = _customer_burst(contact, t0 + duration(rng, 1800, 1.0, 10, 86400), PACE[channel])
        contact.end(t + duration(rng, 3600, 0.4, 60, 86400), "UNKNOWN", SYSTEM, "CUSTOMER_NO_REPLY")
        close_later(conv, contact.ended_at, SYSTEM)
        return
    agent = world.staff.pick(rng, t0)
    started = t0 + duration(rng, 60, 0.6, 5, 900)
    if config.noise:
        conv.created(started, ("AGENT", agent), outbox, agent)
    contact = Contact(conv, started, channel, ("AGENT", agent), outbox, agent)
    contact.sent(started, ("AGENT", agent))
    contact.fulfil(started, "RESPONDED", ("AGENT", agent))
    if not PACE[channel].live:
        _session(conv, agent, t0, started)
    ended, agent, viewing_since = exchange(world, conv, contact, started, agent, t0, "UNKNOWN")
    if viewing_since is None:
        close_later(conv, ended, ("AGENT", agent))
    else:
        wrap_up(conv, agent, viewing_since, ended)


def _transfer(
    world: World, conv: Conversation, contact: Contact, t: int, agent: str, viewing_since: int
) -> tuple[int, str, int]:
    """Hand the contact on: warm straight to a colleague, or cold to an inbox's queue."""
    rng = conv.rng
    t += between(rng, 5, 60)
    by = ("AGENT", agent)
    live = PACE[contact.channel].live
    if rng.random() < 0.4:
        to = world.staff.pick(rng, t, agent)
        contact.transfer(t, "WARM", contact.inbox, to, by)
        accepted = t
    else:
        inbox = d.INBOX["Escalations"] if rng.random() < 0.6 else contact.inbox
        contact.transfer(t, "COLD", inbox, None, by)
        accepted, to = offer_until_accepted(
            world, contact, t, first_offer=20, transfer=True, avoid=agent
        )
    if live:
        conv.view(agent, viewing_since, t + between(rng, 0, 10))
    return accepted, to, accepted


def _customer_burst(contact: Contact, t: int, pace: Pace) -> int:
    """One to three customer messages from `t`; returns the time of the last."""
    rng = contact.conv.rng
    contact.received(t)
    for _ in range(weighted(rng, (0, 1, 2), (65, 25, 10))):
        t += duration(rng, pace.burst, 0.6, 1, 600)
        contact.received(t)
    return t


def _session(conv: Conversation, agent: str, asked: int, replied: int) -> None:
    """An agent opens the profile to write one reply to an asynchronous message."""
    rng = conv.rng
    opened = max(asked, replied - duration(conv.rng, 90, 0.7, 5, 3600))
    conv.view(agent, opened, replied + between(rng, 2, 20))


def _entry(rng: Random, channel: str) -> tuple[str, str]:
    """(entry point, inbox) the customer's message arrives at."""
    if channel == "CHAT":
        return weighted(rng, d.CHAT_WIDGETS, d.CHAT_WIDGET_WEIGHTS), d.INBOX["Support Chat"]
    if channel == "EMAIL":
        address = weighted(rng, d.EMAILS, d.EMAIL_WEIGHTS)
        billing = address == d.EMAILS[1]
        return address, d.INBOX["Billing Email" if billing else "Support Email"]
    entry = {"SMS": d.SMS_NUMBER, "WHATSAPP": d.WHATSAPP_NUMBER, "FB_MESSENGER": d.FB_PAGE}
    return entry[channel], d.INBOX["Social & SMS"]
