"""The contact state machine, declared once with `transitions`.

The declaration below is the single source of truth: `contactexport diagram` draws it, and
replay runs a lookup table compiled from it at import time (a `transitions` trigger costs
~6 µs, a dict lookup ~50 ns). `tests/test_machine.py` proves that both agree for every state,
trigger and guard.

A (state, trigger) pair with no transition, or whose guards all fail, is an *anomaly*: the
event is impossible there, it changes nothing, and the reason is recorded on the contact.
"""

from itertools import product
from typing import Final

from transitions import Machine

STATES: Final = ("pending", "queued", "offered", "accepted", "on_hold", "fulfilled", "ended")
INITIAL: Final = "pending"
LIVE: Final = ["queued", "offered", "accepted", "on_hold", "fulfilled"]

# Guards are plain boolean attributes of the contact, never of the event, so that the
# compiled table can enumerate them. "not NAME" in a row is transitions' `unless`.
GUARDS: Final = ("phone", "fulfilled", "outbound_call", "offer_open")

# Triggers: the CONTACT/* action names, except that STARTED splits by direction (outbound
# contacts start in an agent's hands, without a queue); PAYMENT_REQUEST for any
# PAYMENT_REQUEST/* event; ASSIGNED / UNASSIGNED for CONVERSATION_ASSIGNEE/UPDATED with /
# without an agent.
TRANSITIONS: Final = [
    # trigger            source                                   dest         guard
    ["STARTED_INBOUND",  "pending",                               "queued"],
    ["STARTED_OUTBOUND", "pending",                               "accepted"],
    ["OFFERED",          ["queued", "offered", "accepted"],       "offered"],
    ["OFFERED",          ["on_hold", "fulfilled"],                "="],
    ["OFFER_REJECTED",   "offered",                               "queued"],
    ["OFFER_REJECTED",   ["accepted", "on_hold", "fulfilled"],    "=",         "offer_open"],
    ["OFFER_ACCEPTED",   "offered",                               "accepted"],
    ["OFFER_ACCEPTED",   ["accepted", "on_hold", "fulfilled"],    "=",         "offer_open"],
    ["ASSIGNED",         "queued",                                "accepted"],
    ["ASSIGNED",         ["offered", "accepted", "on_hold", "fulfilled"], "="],
    ["UNASSIGNED",       LIVE,                                    "="],
    ["TRANSFERRED",      ["queued", "offered", "accepted"],       "queued"],
    ["TRANSFERRED",      ["on_hold", "fulfilled"],                "="],
    ["ANSWERED",         LIVE,                                    "=",         "outbound_call"],
    ["JOINED",           LIVE,                                    "="],
    ["HOLD_STARTED",     ["accepted", "fulfilled"],               "on_hold",   "phone"],
    ["HOLD_ENDED",       "on_hold",                               "fulfilled", "fulfilled"],
    ["HOLD_ENDED",       "on_hold",                               "accepted"],
    ["MESSAGE_RECEIVED", LIVE,                                    "="],
    ["MESSAGE_SENT",     LIVE,                                    "="],
    ["FULFILLED",        ["queued", "offered", "accepted"],       "fulfilled"],
    ["FULFILLED",        "on_hold",                               "=",         "not fulfilled"],
    ["PAYMENT_REQUEST",  [*LIVE, "ended"],                        "="],
    ["ENDED",            LIVE,                                    "ended"],
]  # fmt: skip

TRIGGERS: Final = tuple(dict.fromkeys(row[0] for row in TRANSITIONS))

# Why an event is impossible, by trigger; the state-wide reasons come first.
_REASON_BY_STATE: Final = {
    "pending": "{event} before CONTACT/STARTED",
    "ended": "{event} after CONTACT/ENDED",
}
_REASON_BY_TRIGGER: Final = {
    "STARTED_INBOUND": "the contact has already started",
    "STARTED_OUTBOUND": "the contact has already started",
    "OFFER_REJECTED": "no offer is open",
    "OFFER_ACCEPTED": "no offer is open",
    "ANSWERED": "ANSWERED applies to outbound phone calls only",
    "HOLD_STARTED": "a hold needs a phone call in an agent's hands and not already on hold",
    "HOLD_ENDED": "no hold is open",
    "FULFILLED": "the contact is already fulfilled",
}


def anomaly_reason(state: str, trigger: str, event_type: str) -> str:
    template = _REASON_BY_STATE.get(state)
    if template:
        return template.format(event=event_type)
    return _REASON_BY_TRIGGER.get(trigger, f"{event_type} is impossible when {state}")


def declaration() -> dict:
    """The machine's arguments for `transitions`, shared by replay and `diagram`."""
    transitions = [
        {"trigger": row[0], "source": row[1], "dest": row[2]} | _guard(row[3:])
        for row in TRANSITIONS
    ]
    return {
        "states": list(STATES),
        "initial": INITIAL,
        "transitions": transitions,
        "auto_transitions": False,
    }


def _guard(cells: list[str]) -> dict[str, str]:
    """A row's guard as transitions takes it: "fulfilled" a condition, "not fulfilled" unless."""
    if not cells:
        return {}
    name = cells[0].removeprefix("not ")
    return {"unless" if name != cells[0] else "conditions": name}


def build_machine() -> Machine:
    """The declaration as a `transitions` Machine, shared by every contact (no model bound)."""
    return Machine(model=None, ignore_invalid_triggers=False, **declaration())


MACHINE: Final = build_machine()

Guarded = tuple[tuple[tuple[str, bool], ...], str]


def _compile(machine: Machine) -> dict[tuple[str, str], str | tuple[Guarded, ...]]:
    """(state, trigger) -> destination, or the guarded choices in declaration order."""
    table: dict[tuple[str, str], str | tuple[Guarded, ...]] = {}
    for trigger, event in machine.events.items():
        for source, candidates in event.transitions.items():
            choices = tuple(
                (tuple((c.func, c.target) for c in t.conditions), t.dest) for t in candidates
            )
            table[source, trigger] = choices[0][1] if not choices[0][0] else choices
    return table


TABLE: Final = _compile(MACHINE)


def next_state(state: str, trigger: str, contact: object) -> str | None:
    """The destination for `trigger` in `state`, or None when the event is an anomaly."""
    entry = TABLE.get((state, trigger))
    if entry is None or entry.__class__ is str:
        return entry  # type: ignore[return-value]
    for guards, dest in entry:  # type: ignore[union-attr]
        if all(getattr(contact, name) is wanted for name, wanted in guards):
            return dest
    return None


def guard_combinations() -> list[dict[str, bool]]:
    """Every assignment of the guards, for exhaustive tests and documentation."""
    return [
        dict(zip(GUARDS, values, strict=True))
        for values in product((False, True), repeat=len(GUARDS))
    ]
