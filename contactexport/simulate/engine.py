"""The simulation run: arrivals -> conversations -> events in (nearly) delivery order."""

from collections.abc import Callable, Iterator
from random import Random
from zoneinfo import ZoneInfo

from contactexport.simulate.builder import Conversation
from contactexport.simulate.clock import arrivals, hourly_weights, local_midnight
from contactexport.simulate.config import SimulationConfig
from contactexport.simulate.noise import agent_status_events
from contactexport.simulate.scenarios import conversation
from contactexport.simulate.staff import Staff
from contactexport.simulate.stream import ReorderBuffer
from contactexport.simulate.world import World


class Simulation:
    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.zone = ZoneInfo(config.tz)
        self.begin, self.weights = hourly_weights(
            config.start, config.days, self.zone, config.hourly_curve, config.weekend_factor
        )
        self.world = World(config, Staff(config, self.begin))

    def conversations(self) -> Iterator[Conversation]:
        """Every conversation in order of arrival, each with its events and intended facts."""
        config = self.config
        times = arrivals(
            Random(f"{config.seed}:arrivals"), config.conversations, self.begin, self.weights
        )
        for index, arrival in enumerate(times):
            yield conversation(self.world, index, arrival)

    def lines(self, each: Callable[[Conversation], None] | None = None) -> Iterator[bytes]:
        """The JSONL lines of the whole run; `each` sees every conversation as it is made
        (progress, intended rows) without a second pass."""
        config = self.config
        buffer = ReorderBuffer(config.buffer)
        days = list(range(config.days)) if config.noise else []
        days.reverse()
        for conv in self.conversations():
            if each is not None:
                each(conv)
            # No conversation still to come has an event before this arrival.
            while days and self._midnight(days[-1]) <= conv.arrival:
                buffer.push(self._agent_status(days.pop()))
            buffer.push(conv.events)
            yield from buffer.release(conv.arrival)
        while days:
            buffer.push(self._agent_status(days.pop()))
        yield from buffer.drain()

    def _midnight(self, day: int) -> int:
        return local_midnight(self.config.start, day, self.zone)

    def _agent_status(self, day: int) -> list[tuple[int, int, bytes]]:
        config = self.config
        shifts = self.world.staff.shifts(day)
        return agent_status_events(
            shifts, config.seed, self._midnight(day), config.late_rate, config.max_delay
        )
