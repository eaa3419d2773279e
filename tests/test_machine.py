"""The compiled lookup table must agree with the `transitions` declaration everywhere."""

from types import SimpleNamespace

import pytest
from transitions import MachineError

from contactexport.machine import (
    MACHINE,
    STATES,
    TRIGGERS,
    anomaly_reason,
    guard_combinations,
    next_state,
)

CONTACT_ACTIONS = {
    "STARTED", "OFFERED", "OFFER_REJECTED", "OFFER_ACCEPTED", "ANSWERED", "TRANSFERRED",
    "HOLD_STARTED", "HOLD_ENDED", "MESSAGE_RECEIVED", "MESSAGE_SENT", "JOINED", "FULFILLED",
    "ENDED",
}  # fmt: skip


def _run_declared(state: str, trigger: str, guards: dict[str, bool]) -> str | None:
    model = SimpleNamespace(state=state, **guards)
    try:
        moved = MACHINE.events[trigger].trigger(model)
    except MachineError:
        return None
    return model.state if moved else None


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_compiled_table_matches_the_declared_machine(state, trigger):
    for guards in guard_combinations():
        contact = SimpleNamespace(state=state, **guards)
        assert next_state(state, trigger, contact) == _run_declared(state, trigger, guards), guards


def test_every_contact_event_type_has_a_trigger():
    covered = {"STARTED" if t.startswith("STARTED_") else t for t in TRIGGERS}
    assert covered >= CONTACT_ACTIONS


def test_the_main_path():
    contact = SimpleNamespace(phone=True, fulfilled=False, outbound_call=False)
    state = "pending"
    path = ["STARTED_INBOUND", "OFFERED", "OFFER_ACCEPTED", "FULFILLED", "HOLD_STARTED"]
    for trigger in path:
        state = next_state(state, trigger, contact)
    assert state == "on_hold"
    contact.fulfilled = True
    assert next_state(state, "HOLD_ENDED", contact) == "fulfilled"
    assert next_state("fulfilled", "ENDED", contact) == "ended"


@pytest.mark.parametrize(
    ("state", "trigger", "expected"),
    [
        ("offered", "OFFER_REJECTED", "queued"),
        ("accepted", "TRANSFERRED", "queued"),
        ("queued", "ASSIGNED", "accepted"),
        ("pending", "STARTED_OUTBOUND", "accepted"),
        ("ended", "PAYMENT_REQUEST", "ended"),
    ],
)
def test_loops_the_events_imply(state, trigger, expected):
    contact = SimpleNamespace(phone=True, fulfilled=False, outbound_call=False)
    assert next_state(state, trigger, contact) == expected


@pytest.mark.parametrize(
    ("state", "trigger", "reason"),
    [
        ("accepted", "HOLD_ENDED", "no hold is open"),
        ("queued", "OFFER_ACCEPTED", "no offer is open"),
        ("ended", "MESSAGE_SENT", "CONTACT/MESSAGE_SENT after CONTACT/ENDED"),
        ("pending", "ENDED", "CONTACT/ENDED before CONTACT/STARTED"),
        ("fulfilled", "FULFILLED", "the contact is already fulfilled"),
    ],
)
def test_impossible_events_are_anomalies_with_a_reason(state, trigger, reason):
    contact = SimpleNamespace(phone=True, fulfilled=state == "fulfilled", outbound_call=False)
    assert next_state(state, trigger, contact) is None
    assert anomaly_reason(state, trigger, f"CONTACT/{trigger}") == reason


def test_holds_are_for_phone_calls_only():
    email = SimpleNamespace(phone=False, fulfilled=False, outbound_call=False)
    assert next_state("accepted", "HOLD_STARTED", email) is None


def test_answered_is_for_outbound_calls_only():
    inbound = SimpleNamespace(phone=True, fulfilled=True, outbound_call=False)
    outbound = SimpleNamespace(phone=True, fulfilled=False, outbound_call=True)
    assert next_state("fulfilled", "ANSWERED", inbound) is None
    assert next_state("accepted", "ANSWERED", outbound) == "accepted"
