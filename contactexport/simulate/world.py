"""What every scenario needs besides its own conversation: the knobs and the staff."""

from dataclasses import dataclass

from contactexport.simulate.builder import Conversation
from contactexport.simulate.clock import SECOND
from contactexport.simulate.config import SimulationConfig
from contactexport.simulate.staff import Staff


@dataclass(frozen=True)
class World:
    config: SimulationConfig
    staff: Staff

    def due(self, conv: Conversation, channel: str, t: int) -> int | None:
        """dueAt of a new inbound contact: its channel's SLA, or the earlier due date an
        ongoing contact of the conversation already set (the report's negative SLA Target)."""
        sla = self.config.sla.get(channel)
        own = None if sla is None else t + sla * SECOND
        inherited = [c.due_at for c in conv.live() if c.due_at is not None]
        if own is None or not inherited:
            return own
        return min(own, *inherited)
