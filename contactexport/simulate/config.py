"""The knobs of the simulated contact center, in one frozen value with realistic defaults.

Rates are probabilities per conversation (or per offer, per event where said); durations are
seconds. `docs/simulator.md` describes what each knob does to the stream.
"""

import difflib
import json
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contactexport.timestamps import EARLIEST_YEAR, LATEST_YEAR

TAIL_DAYS = 14
MAX_WEEKEND_FACTOR = 100  # a weight; far beyond, the hourly weights' sum overflows

# Share of inbound conversations by the channel they start on (normalized, need not sum to 1).
DEFAULT_MIX = {
    "PHONE_CALL": 35.0,
    "CHAT": 20.0,
    "EMAIL": 20.0,
    "SMS": 9.0,
    "WHATSAPP": 5.0,
    "FB_MESSENGER": 4.0,
    "VOICEMAIL": 7.0,
}

# Relative arrivals per local hour of day: quiet nights, a morning peak, a smaller afternoon one.
DEFAULT_CURVE = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.2, 1.5, 1.6, 1.5,
    1.3, 1.35, 1.45, 1.35, 1.2, 1.0, 0.8, 0.65, 0.5, 0.4, 0.3, 0.2,
)  # fmt: skip

# SLA per channel: dueAt = STARTED + this many seconds (inbound contacts only).
DEFAULT_SLA = {
    "PHONE_CALL": 60,
    "CHAT": 120,
    "SMS": 900,
    "WHATSAPP": 900,
    "FB_MESSENGER": 3600,
    "EMAIL": 14400,
    "VOICEMAIL": 14400,
}


class ConfigError(ValueError):
    """A knob with a value the model cannot use, worded for the command line."""


@dataclass(frozen=True)
class SimulationConfig:
    conversations: int = 1000
    seed: int = 0
    start: date = date(2026, 11, 2)
    days: int = 1
    tz: str = "UTC"  # zone of the daily curve and of the agents' shifts
    channel_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    hourly_curve: tuple[float, ...] = DEFAULT_CURVE
    weekend_factor: float = 0.55
    sla: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA))
    agents: int = 0  # 0 = one agent per ~40 conversations a day, between 4 and 400
    outbound_rate: float = 0.08  # conversations started by the center (calls and messages)
    abandon_rate: float = 0.08  # inbound calls the customer hangs up before an agent accepts
    leave_rate: float = 0.05  # inbound chats/messages the customer leaves before any reply
    reject_rate: float = 0.12  # per offer: declined, missed or device error
    hold_rate: float = 0.30  # answered calls with manual or conference holds
    transfer_rate: float = 0.10  # answered calls and messaging contacts transferred
    warm_share: float = 0.5  # share of call transfers that are warm
    email_during_call_rate: float = 0.06  # answered calls during which the customer emails
    overlap_rate: float = 0.08  # waiting emails the customer follows up by chat or SMS
    callback_rate: float = 0.65  # voicemails the agent calls back
    callback_retry_rate: float = 0.3  # abandoned callers who call again
    manual_assign_rate: float = 0.06  # email and async messaging assigned by hand, no offer
    payment_rate: float = 0.08  # answered calls and chats with a payment request
    usd_share: float = 0.8  # payments in USD (the rest in EUR, GBP, CAD, JPY)
    unfinished_rate: float = 0.01  # single-contact conversations cut off before the end
    late_rate: float = 0.1  # events delivered late (up to max_delay seconds)
    max_delay: float = 15.0
    noise: bool = True  # agent status, availability, topics, routing updates
    buffer: int = 50_000  # events held for reordering; bounds memory

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def staff_size(self) -> int:
        if self.agents:
            return self.agents
        return max(4, min(400, round(self.conversations / self.days / 40)))

    def with_overrides(self, **values: Any) -> "SimulationConfig":
        """A copy with the given knobs replaced; None means "keep"."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _problems(config: SimulationConfig):
    if config.conversations < 0:
        yield "conversations must be >= 0"
    if config.days < 1:
        yield "days must be >= 1"
    elif not (
        date(EARLIEST_YEAR, 1, 2).toordinal()
        <= config.start.toordinal()
        <= date(LATEST_YEAR, 12, 31).toordinal() - config.days - TAIL_DAYS
    ):
        # Ingest refuses event times outside these years: the events would all be rejects.
        # Margins: --tz moves a local day across the year's edge, and conversations go on
        # after the last day of arrivals (a few days; TAIL_DAYS is a generous bound).
        yield f"start and days must stay within the years {EARLIEST_YEAR}-{LATEST_YEAR}"
    try:
        ZoneInfo(config.tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, "America"
        yield f"unknown time zone {config.tz!r}; use an IANA name such as UTC or Europe/Paris"
    if config.agents == 1 or config.agents < 0:
        yield "agents must be 0 (automatic) or at least 2"
    if config.buffer < 1:
        yield "buffer must be >= 1"
    if config.max_delay < 0:
        yield "max_delay must be >= 0"
    for table in ("channel_mix", "sla"):
        unknown = set(getattr(config, table)) - set(DEFAULT_MIX)
        if unknown:
            yield f"{table}: unknown channel {', '.join(sorted(unknown))}; channels: {_CHANNELS}"
    if not _weights(config.channel_mix.values()):
        yield "channel_mix needs finite, non-negative weights with a positive sum"
    if any(seconds < 0 for seconds in config.sla.values()):
        yield "sla needs non-negative seconds"
    if len(config.hourly_curve) != 24 or not _weights(config.hourly_curve):
        yield "hourly_curve needs 24 finite, non-negative weights with a positive sum"
    for f in fields(config):
        if _is_fraction(f.name):
            value = getattr(config, f.name)
            if not 0 <= value <= 1:
                yield f"{f.name} must be between 0 and 1, got {value}"
    if not 0 <= config.weekend_factor <= MAX_WEEKEND_FACTOR:  # a weight: 2, twice as busy
        yield (
            f"weekend_factor must be between 0 and {MAX_WEEKEND_FACTOR}, got "
            f"{config.weekend_factor}"
        )


def _is_fraction(name: str) -> bool:
    return name.endswith(("_rate", "_share"))


def _weights(values: Iterable[float]) -> bool:
    """Weights random.choices can use: finite (nan and inf pass a < 0 test), >= 0, sum > 0."""
    values = list(values)
    return all(math.isfinite(v) and v >= 0 for v in values) and sum(values) > 0


_CHANNELS = ", ".join(DEFAULT_MIX)


def parse_mix(text: str) -> dict[str, float]:
    """`--mix PHONE_CALL=40,CHAT=20` -> weights; channels not named keep weight 0."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, weight = part.partition("=")
        if not sep:
            raise ConfigError(f"--mix {part!r}: expected CHANNEL=WEIGHT")
        channel = name.strip().upper()
        if channel not in DEFAULT_MIX:
            raise ConfigError(f"--mix {part!r}: unknown channel; channels: {_CHANNELS}")
        try:
            mix[channel] = float(weight)
        except ValueError:
            raise ConfigError(f"--mix {part!r}: {weight!r} is not a number") from None
    return mix


def load_toml(path: Path) -> dict[str, Any]:
    """Knobs from a TOML file (same names as the config fields). Anything the model cannot use
    is a ConfigError naming the file, the knob and what it takes."""
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    kinds = {f.name: f.type for f in fields(SimulationConfig)}
    problems = []
    for name, value in values.items():
        if name not in kinds:
            close = difflib.get_close_matches(name, kinds, n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"unknown knob {name!r}{hint}; the knobs are in docs/simulator.md")
        elif name == "start" and isinstance(value, str):
            try:
                values[name] = date.fromisoformat(value)
            except ValueError:
                problems.append(f"start must be {_takes(name, date)}, got {_toml(value)}")
        elif not _fits(value, kinds[name]):
            problems.append(f"{name} must be {_takes(name, kinds[name])}, got {_toml(value)}")
    if problems:
        raise ConfigError(f"{path}: {'; '.join(problems)}")
    if "hourly_curve" in values:
        values["hourly_curve"] = tuple(values["hourly_curve"])
    try:
        SimulationConfig(**values)  # ranges, zones and channels, still blamed on the file
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    return values


def _fits(value: Any, kind: Any) -> bool:
    """Whether a TOML value has the type of a config field (a bool is no number here)."""
    if kind is bool or isinstance(value, bool):
        return kind is bool and isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float)
    if kind is date:
        return type(value) is date  # a TOML date-time is not a day
    if get_origin(kind) is tuple:
        return isinstance(value, list) and all(_fits(v, get_args(kind)[0]) for v in value)
    if get_origin(kind) is dict:
        return isinstance(value, dict) and all(_fits(v, get_args(kind)[1]) for v in value.values())
    return isinstance(value, kind)


def _takes(name: str, kind: Any) -> str:
    if _is_fraction(name):
        return "a number between 0 and 1"
    return {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        str: "a string",
        date: "a date such as 2026-11-02",
        tuple[float, ...]: "a list of 24 numbers",
        dict[str, float]: "a table of weights by channel, e.g. { PHONE_CALL = 35, CHAT = 20 }",
        dict[str, int]: "a table of whole seconds by channel, e.g. { PHONE_CALL = 60, CHAT = 120 }",
    }[kind]


def _toml(value: Any) -> str:
    """A value as it was written in the file, not as Python shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return f"[{', '.join(map(_toml, value))}]"
    if isinstance(value, dict):
        return f"{{ {', '.join(f'{k} = {_toml(v)}' for k, v in value.items())} }}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
