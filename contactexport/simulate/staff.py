"""The agents and their shifts: who can be offered a contact at a given instant.

Shifts follow the arrival curve (more agents at the peaks) and are the same facts the agent
status events report, so an agent who takes a call is, as a rule, logged in.
"""

from dataclasses import dataclass
from functools import lru_cache
from random import Random
from zoneinfo import ZoneInfo

from contactexport.simulate.clock import DAY, HOUR, MINUTE, local_midnight
from contactexport.simulate.config import SimulationConfig
from contactexport.simulate.directory import agent_ids

SHIFT = 8 * HOUR + 30 * MINUTE
WORKDAY_SHARE = 5 / 7


@dataclass(frozen=True, slots=True)
class Shift:
    agent: str
    start: int
    end: int


class Staff:
    def __init__(self, config: SimulationConfig, begin: int) -> None:
        self.ids = agent_ids(config.staff_size)
        self.seed = config.seed
        self.start = config.start
        self.zone = ZoneInfo(config.tz)
        self.begin = begin
        self._curve = config.hourly_curve
        self.shifts = lru_cache(maxsize=16)(self._shifts)
        self._on_duty = lru_cache(maxsize=256)(self._agents_in_hour)

    def _shifts(self, day: int) -> tuple[Shift, ...]:
        """The shifts beginning on local day `day` (0 = the start date), one rng per date."""
        midnight = local_midnight(self.start, day, self.zone)
        rng = Random(f"{self.seed}:shifts:{midnight}")
        shifts = []
        for agent in self.ids:
            # Drawn from the arrival curve and started 3 h early, so peaks fall mid-shift.
            peak = rng.choices(range(24), self._curve)[0]
            if rng.random() >= WORKDAY_SHARE:
                continue
            start = midnight + ((peak - 3) % 24) * HOUR + rng.randrange(0, 60) * MINUTE
            shifts.append(Shift(agent, start, start + SHIFT))
        return tuple(shifts)

    def _agents_in_hour(self, day: int, hour: int) -> tuple[str, ...]:
        low = self.begin + day * DAY + hour * HOUR
        high = low + HOUR
        return tuple(
            s.agent
            for d in (day - 1, day)
            for s in self.shifts(d)
            if s.start < high and s.end > low
        )

    def pick(self, rng: Random, t: int, avoid: str | None = None) -> str:
        """An agent on duty at `t` (anyone when nobody is), other than `avoid` when possible."""
        day, rest = divmod(t - self.begin, DAY)
        pool = self._on_duty(day, rest // HOUR)
        if len(pool) < 2:
            pool = self.ids
        agent = pool[int(rng.random() * len(pool))]
        if agent == avoid:
            agent = pool[(pool.index(agent) + 1) % len(pool)]
        return agent
