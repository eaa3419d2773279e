"""Getting a waiting contact to an agent: offers, rejections (declined, missed, device error)
and the accept, or the customer giving up first."""

from contactexport.simulate.builder import Contact
from contactexport.simulate.draw import between, duration, weighted
from contactexport.simulate.world import World

# Per channel: (median s before the first offer, median s an agent takes to accept,
#               s before an unanswered offer counts as missed, median s before the next offer)
TIMING = {
    "PHONE_CALL": (25, 4, 20, 4),
    "CHAT": (35, 7, 30, 8),
    "SMS": (150, 15, 60, 20),
    "WHATSAPP": (150, 15, 60, 20),
    "FB_MESSENGER": (600, 20, 60, 30),
    "EMAIL": (5400, 45, 120, 300),
    "VOICEMAIL": (1800, 20, 60, 120),
}
REJECTIONS = ("DECLINED", "MISSED", "DEVICE ERROR")
REJECTION_WEIGHTS = (55, 40, 5)
MAX_OFFERS = 8  # the last one is accepted
MAX_OFFERS_BEFORE_GIVING_UP = 3  # then the customer just waits until they leave


def offer_until_accepted(
    world: World,
    contact: Contact,
    t: int,
    *,
    first_offer: float | None = None,
    give_up_at: int | None = None,
    transfer: bool = False,
    avoid: str | None = None,
) -> tuple[int, str | None]:
    """Offer `contact` from `t` on until an agent accepts: (accept time, agent).

    With `give_up_at`, the customer leaves then if nobody has accepted: every offer is
    rejected and the result is (give_up_at, None); an offer still ringing is missed.
    """
    rng = contact.conv.rng
    first, ring, missed_after, requeue = TIMING[contact.channel]
    t += duration(rng, first if first_offer is None else first_offer, 0.9, 0.5, 172800)
    for attempt in range(MAX_OFFERS if give_up_at is None else MAX_OFFERS_BEFORE_GIVING_UP):
        if give_up_at is not None and t >= give_up_at:
            return give_up_at, None
        agent = world.staff.pick(rng, t, avoid)
        contact.offer(t, agent, transfer)
        last_chance = give_up_at is None and attempt == MAX_OFFERS - 1
        if give_up_at is None and (last_chance or rng.random() >= world.config.reject_rate):
            accepted = t + duration(rng, ring, 0.7, 0.5, missed_after - 0.5)
            contact.accept(accepted, agent)
            return accepted, agent
        reason = weighted(rng, REJECTIONS, REJECTION_WEIGHTS)
        if reason == "DECLINED":
            rejected = t + between(rng, 1, min(10, missed_after - 1))
        elif reason == "MISSED":
            rejected = t + missed_after * 1000
        else:
            rejected = t + between(rng, 0.2, 2)
        if give_up_at is not None and rejected >= give_up_at:
            contact.reject(give_up_at, agent, "MISSED")
            return give_up_at, None
        contact.reject(rejected, agent, reason)
        t = rejected + duration(rng, requeue, 0.6, 1, 3600)
    assert give_up_at is not None, "the last offer is always accepted"
    return give_up_at, None
