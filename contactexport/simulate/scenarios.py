"""Which kind of conversation each arrival becomes, by the configured mix."""

from random import Random

from contactexport.simulate.builder import Conversation
from contactexport.simulate.calls import inbound_call, outreach_call, voicemail
from contactexport.simulate.draw import weighted
from contactexport.simulate.messaging import inbound_messaging, outbound_message
from contactexport.simulate.truth import attribute_views
from contactexport.simulate.world import World

OUTBOUND_CALL_SHARE = 0.55  # of outbound conversations; the rest are messages


def conversation(world: World, index: int, arrival: int) -> Conversation:
    """Conversation number `index`, arriving at `arrival`, with its own random stream, so
    each conversation is the same whatever else is generated around it."""
    config = world.config
    rng = Random(f"{config.seed}:{index}")
    conv = Conversation(rng, arrival, config.late_rate, config.max_delay)
    if rng.random() < config.outbound_rate:
        if rng.random() < OUTBOUND_CALL_SHARE:
            outreach_call(world, conv, arrival)
        else:
            outbound_message(world, conv, arrival)
    else:
        mix = config.channel_mix
        channel = weighted(rng, tuple(mix), tuple(mix.values()))
        if channel == "PHONE_CALL":
            inbound_call(world, conv, arrival)
        elif channel == "VOICEMAIL":
            voicemail(world, conv, arrival)
        else:
            inbound_messaging(world, conv, arrival, channel)
    conv.emit_views()
    attribute_views(conv)
    _maybe_cut(conv, config.unfinished_rate)
    return conv


def _maybe_cut(conv: Conversation, rate: float) -> None:
    """Leave a single-contact conversation unfinished: its contact has not ended yet when the
    stream stops, so its row shows only the start columns."""
    if len(conv.contacts) != 1 or conv.rng.random() >= rate:
        return
    contact = conv.contacts[0]
    if contact.ended_at - contact.queued_at >= 2:
        conv.cut(
            contact.queued_at
            + 1
            + int(conv.rng.random() * (contact.ended_at - contact.queued_at - 1))
        )
