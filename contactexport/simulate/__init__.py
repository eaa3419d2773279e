"""A generative model of a contact center that writes Gladly events (`contactexport simulate`).

Arrivals follow a daily curve (`clock`); each becomes a conversation of some kind
(`scenarios`: `calls`, `messaging`), routed to agents on shift (`routing`, `staff`), written
event by event in Gladly's envelope (`builder`) while the facts it intends are kept
(`truth`: the rows a replay must produce). `engine` runs it all; `stream` orders the output
with bounded memory; `writer` puts it in a file; `truthfile` writes the intended rows as the
export's CSV (`--truth`). See docs/simulator.md.
"""

from contactexport.simulate.config import ConfigError, SimulationConfig
from contactexport.simulate.engine import Simulation
from contactexport.simulate.truth import COLUMN_KINDS, intended_row, intended_rows

__all__ = [
    "COLUMN_KINDS",
    "ConfigError",
    "Simulation",
    "SimulationConfig",
    "intended_row",
    "intended_rows",
]
