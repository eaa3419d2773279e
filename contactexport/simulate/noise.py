"""Events that are not about contacts: agents logging in, going away, coming back, logging out.

The export ignores them, but the store archives them, so a realistic stream carries them.
They follow the same shifts the scenarios pick agents from.
"""

from random import Random

from contactexport.simulate import directory as d
from contactexport.simulate.builder import Emitter
from contactexport.simulate.clock import HOUR, MINUTE, iso
from contactexport.simulate.draw import between, duration
from contactexport.simulate.staff import Shift

CHANNELS = ["MAIL", "MESSAGING", "VOICE"]


def agent_status_events(
    shifts: tuple[Shift, ...], seed: int, day_start: int, late_rate: float, max_delay: float
) -> list[tuple[int, int, bytes]]:
    """A day of shifts as AGENT_STATUS/* and AGENT_AVAILABILITY/UPDATED events."""
    out = Emitter(Random(f"{seed}:agent-status:{day_start}"), late_rate, max_delay)
    for shift in shifts:
        _shift(out, shift)
    return out.events


def _shift(out: Emitter, shift: Shift) -> None:
    rng, agent = out.rng, shift.agent

    def status(t: int, type_: str, **fields) -> None:
        content = {"agentId": agent, "occurredAt": iso(t), **fields}
        out.emit(t + int(rng.random() * 300), type_, ("AGENT", agent), content)

    active = _reason(d.ACTIVE_REASONS[0])
    status(shift.start, "AGENT_STATUS/LOGGED_IN", activeReason=active)
    status(shift.start + between(rng, 1, 5), "AGENT_AVAILABILITY/UPDATED", availableFor=CHANNELS)
    if rng.random() < 0.2:
        focus = _reason(d.ACTIVE_REASONS[1 + int(rng.random() * 2)])
        t = shift.start + between(rng, 0.5 * HOUR / 1000, 1.5 * HOUR / 1000)
        status(t, "AGENT_STATUS/CHANGED_ACTIVE_REASON", activeReason=focus)
        status(
            t + duration(rng, 1800, 0.5, 300, 7200),
            "AGENT_STATUS/CHANGED_ACTIVE_REASON",
            activeReason=active,
        )
    for after, (reason_id, name), length in (
        (2 * HOUR, d.AWAY_REASONS[0], 15 * MINUTE),
        (4 * HOUR, d.AWAY_REASONS[1], 30 * MINUTE),
        (6 * HOUR + 30 * MINUTE, d.AWAY_REASONS[0], 15 * MINUTE),
    ):
        away = shift.start + after + between(rng, -1200, 1200)
        back = away + length + between(rng, -120, 300)
        if rng.random() < 0.1:  # idled away: no reason given
            status(away, "AGENT_STATUS/WENT_AWAY")
            status(back, "AGENT_STATUS/RETURNED_FROM_AWAY", awayAt=iso(away), activeReason=active)
            continue
        reason = {"id": reason_id, "name": name}
        status(away, "AGENT_STATUS/WENT_AWAY", awayReason=reason)
        status(
            back,
            "AGENT_STATUS/RETURNED_FROM_AWAY",
            awayAt=iso(away),
            activeReason=active,
            awayReason=reason,
        )
    status(shift.end - between(rng, 1, 5), "AGENT_AVAILABILITY/UPDATED", availableFor=[])
    status(shift.end, "AGENT_STATUS/LOGGED_OUT")


def _reason(pair: tuple[str, str]) -> dict:
    return {"id": pair[0], "name": pair[1]}
