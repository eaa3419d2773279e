"""Phone conversations: inbound calls (IVR, queue, abandons, holds, transfers, emails arriving
mid-call), outbound calls, and voicemails called back."""

from random import Random

from contactexport.simulate import directory as d
from contactexport.simulate.builder import Contact, Conversation
from contactexport.simulate.draw import between, duration, weighted
from contactexport.simulate.endings import close_later, fulfil_open_contacts, wrap_up
from contactexport.simulate.payments import request_payment
from contactexport.simulate.routing import offer_until_accepted
from contactexport.simulate.world import World

SYSTEM = ("SYSTEM", d.SYSTEM_ID)
TRANSFER_INBOXES = ("Escalations", "Billing Voice", "Support Voice")
TRANSFER_INBOX_WEIGHTS = (50, 30, 20)
HANG_UP_ON_HOLD = 0.05  # the last hold of a call never ends: the customer hangs up
CALLBACK_PICKED_UP = 0.75


def inbound_call(world: World, conv: Conversation, t0: int, may_retry: bool = True) -> None:
    rng, config = conv.rng, world.config
    customer = ("CUSTOMER", conv.customer)
    line, ivr, inbox = _dialled(rng)
    due = world.due(conv, "PHONE_CALL", t0)
    if config.noise and not conv.contacts:
        conv.created(t0, customer, inbox)
    call = Contact(conv, t0, "PHONE_CALL", customer, inbox, None, line, ivr, due)
    if config.noise:
        conv.route(t0, "CONTACT_INBOUND", inbox, None, SYSTEM)
    if rng.random() < config.abandon_rate:
        patience = t0 + duration(rng, 50, 0.8, 3, 900)
        left, _ = offer_until_accepted(world, call, t0, give_up_at=patience)
        call.end(left, "ABANDONED", customer, "CUSTOMER_ABANDONED")
        if may_retry and rng.random() < config.callback_retry_rate:
            inbound_call(world, conv, left + duration(rng, 240, 0.8, 20, 3600), may_retry=False)
        else:
            close_later(conv, left, SYSTEM)
        return
    accepted, agent = offer_until_accepted(world, call, t0)
    call.fulfil(accepted, "RESPONDED", ("AGENT", agent))
    if config.noise:
        conv.follow(accepted, "AUTOMATED_ASSIGNMENT", call)
    ended, agent, viewing_since = talk(world, conv, call, accepted, agent)
    call.end(ended, "ANSWERED", ("AGENT", agent), "AGENT_ENDED")
    fulfil_open_contacts(conv, call)
    wrap_up(conv, agent, viewing_since, ended)


def outbound_call(
    world: World,
    conv: Conversation,
    t0: int,
    agent: str | None = None,
    viewing_since: int | None = None,
) -> tuple[Contact, str, int]:
    """The agent dials: (call, agent at the end, since when that agent has the profile open)."""
    rng = conv.rng
    if agent is None:  # a fresh outreach: the agent reads the profile, then dials
        agent = world.staff.pick(rng, t0)
        viewing_since = t0
        t0 += duration(rng, 30, 0.6, 5, 300)
    viewing_since = t0 if viewing_since is None else viewing_since
    if world.config.noise and not conv.contacts:
        conv.created(t0, ("AGENT", agent), d.INBOX["Outbound"], agent)
    call = Contact(conv, t0, "PHONE_CALL", ("AGENT", agent), d.INBOX["Outbound"], agent)
    ring = duration(rng, 12, 0.5, 3, 40)
    if rng.random() >= CALLBACK_PICKED_UP:
        call.end(t0 + ring, "UNKNOWN", ("AGENT", agent), "AGENT_ENDED")
        return call, agent, viewing_since
    picked_up = t0 + ring
    call.answered(picked_up)
    call.fulfil(picked_up, "RESPONDED", ("AGENT", agent))
    ended, agent, viewing_since = talk(world, conv, call, picked_up, agent, viewing_since)
    call.end(ended, "UNKNOWN", ("AGENT", agent), "AGENT_ENDED")
    return call, agent, viewing_since


def outreach_call(world: World, conv: Conversation, t0: int) -> None:
    call, agent, viewing_since = outbound_call(world, conv, t0)
    wrap_up(conv, agent, viewing_since, call.ended_at)


def voicemail(world: World, conv: Conversation, t0: int) -> None:
    """A caller leaves a voicemail; an agent listens, then calls back or lets it be."""
    rng, config = conv.rng, world.config
    customer = ("CUSTOMER", conv.customer)
    line, ivr, _ = _dialled(rng)
    due = world.due(conv, "VOICEMAIL", t0)
    if config.noise:
        conv.created(t0, customer, d.INBOX["Voicemail"])
    mail = Contact(conv, t0, "VOICEMAIL", customer, d.INBOX["Voicemail"], None, line, ivr, due)
    accepted, agent = offer_until_accepted(world, mail, t0)
    listened = accepted + duration(rng, 90, 0.5, 15, 900)
    viewing_since = accepted
    if rng.random() < config.callback_rate:
        call, agent, viewing_since = outbound_call(world, conv, listened, agent, accepted)
        if call.fulfilled_at is not None:  # picked up: the call fulfils the voicemail
            fulfil_open_contacts(conv, call)
            wrap_up(conv, agent, viewing_since, call.ended_at)
            return
        listened = call.ended_at + duration(rng, 30, 0.6, 5, 600)
    by_agent = ("AGENT", agent)
    mail.fulfil(listened, "CANCELED", by_agent)
    mail.end(listened, "UNANSWERED", by_agent, "NO_REPLY_NEEDED")
    wrap_up(conv, agent, viewing_since, listened)


def _dialled(rng: Random) -> tuple[str, str | None, str]:
    """(number called, final IVR selection, inbox the IVR routes to)."""
    line = weighted(rng, d.PHONE_LINES, d.PHONE_LINE_WEIGHTS)
    if line == d.BILLING_LINE:
        return line, "Billing", d.INBOX[d.IVR_MENU["Billing"]]
    ivr = weighted(rng, tuple(d.IVR_MENU), d.IVR_WEIGHTS)
    return line, ivr, d.INBOX[d.IVR_MENU[ivr]]


def talk(
    world: World,
    conv: Conversation,
    call: Contact,
    t: int,
    agent: str,
    viewing_since: int | None = None,
) -> tuple[int, str, int]:
    """The connected part of a call, from `t`: holds, transfers, a payment, an email.

    Returns (when the call ends, the agent on it then, since when that agent has the profile
    open). The caller ends the call; emails that arrived meanwhile end with it.
    """
    rng, config = conv.rng, world.config
    viewing_since = t if viewing_since is None else viewing_since
    steps: list[str] = []
    if rng.random() < config.hold_rate:
        holds = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        steps += [weighted(rng, ("MANUAL", "CONFERENCE"), (80, 20)) for _ in range(holds)]
    if rng.random() < config.transfer_rate:
        steps.append("WARM" if rng.random() < config.warm_share else "COLD")
    if rng.random() < config.payment_rate:
        steps.append("payment")
    if call.inbound and rng.random() < config.email_during_call_rate:
        steps.append("email")
    if config.noise and rng.random() < 0.5:
        steps.append("topic")
    rng.shuffle(steps)
    for i, step in enumerate(steps):
        t += duration(rng, 60, 0.8, 5, 1800)
        if step in ("MANUAL", "CONFERENCE"):
            t = hold(world, conv, call, t, step, hang_up=i == len(steps) - 1)
            if call.holds[-1][2] is None:  # the customer hung up on hold
                return t, agent, viewing_since
        elif step in ("WARM", "COLD"):
            transfer = warm_transfer if step == "WARM" else cold_transfer
            t, agent, viewing_since = transfer(world, conv, call, t, agent, viewing_since)
            if config.noise:
                conv.follow(t + between(rng, 0.1, 1), "PHONE_CALL_TRANSFER", call)
        elif step == "payment":
            t = request_payment(call, t, agent, config.usd_share)
        elif step == "email":
            email_during_call(world, conv, call, t)
        else:
            conv.topic(t, agent, d.TOPICS[int(rng.random() * len(d.TOPICS))])
    return t + duration(rng, 90, 0.8, 10, 3600), agent, viewing_since


def hold(
    world: World, conv: Conversation, call: Contact, t: int, reason: str, hang_up: bool
) -> int:
    rng = conv.rng
    call.hold(t, reason)
    length = duration(rng, 45 if reason == "MANUAL" else 75, 0.7, 3, 900)
    if reason == "CONFERENCE":  # a supervisor joins and looks at the profile too
        supervisor = world.staff.pick(rng, t, call.agent)
        conv.view(supervisor, t + between(rng, 5, 20), t + length + between(rng, 5, 90))
    if hang_up and rng.random() < HANG_UP_ON_HOLD:
        return t + length  # no HOLD_ENDED: the hold closes when the call ends
    call.unhold(t + length)
    return t + length


def warm_transfer(
    world: World, conv: Conversation, call: Contact, t: int, agent: str, viewing_since: int
) -> tuple[int, str, int]:
    """Consult with the next agent while the customer holds, then hand the call over."""
    rng = conv.rng
    call.hold(t, "WARM_TRANSFER")
    to = world.staff.pick(rng, t, agent)
    to_viewing_since = t + between(rng, 5, 20)
    consulted = to_viewing_since + duration(rng, 50, 0.7, 5, 900)
    call.unhold(consulted)
    handed = consulted + duration(rng, 20, 0.7, 1, 300)
    inbox = d.INBOX[weighted(rng, TRANSFER_INBOXES, TRANSFER_INBOX_WEIGHTS)]
    call.transfer(handed, "WARM", inbox, to, ("AGENT", agent))
    conv.view(agent, viewing_since, handed + between(rng, 0, 10))
    return handed, to, to_viewing_since


def cold_transfer(
    world: World, conv: Conversation, call: Contact, t: int, agent: str, viewing_since: int
) -> tuple[int, str, int]:
    """Send the call to an inbox; it rings there until another agent accepts."""
    rng = conv.rng
    call.hold(t, "COLD_TRANSFER")
    t += duration(rng, 25, 0.7, 3, 300)
    call.unhold(t)
    t += between(rng, 0.5, 3)
    inbox = d.INBOX[weighted(rng, TRANSFER_INBOXES, TRANSFER_INBOX_WEIGHTS)]
    call.transfer(t, "COLD", inbox, None, ("AGENT", agent))
    conv.view(agent, viewing_since, t + between(rng, 0, 10))
    accepted, to = offer_until_accepted(world, call, t, first_offer=8, transfer=True, avoid=agent)
    return accepted, to, accepted


def email_during_call(world: World, conv: Conversation, call: Contact, t: int) -> None:
    """The customer emails while on the phone: the email joins the call's owner and inherits
    the call's (already past) due date; it is fulfilled when the call ends."""
    rng = conv.rng
    address = weighted(rng, d.EMAILS, d.EMAIL_WEIGHTS)
    due = world.due(conv, "EMAIL", t)
    customer = ("CUSTOMER", conv.customer)
    email = Contact(conv, t, "EMAIL", customer, call.inbox, call.agent, address, None, due)
    email.received(t)
    if rng.random() < 0.7:
        email.sent(t + between(rng, 1, 4), ("AUTOMATION", d.RULES[0]))
