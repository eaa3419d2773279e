"""A payment request during a contact: requested by the agent, viewed and paid (or not) by the
customer, settled by the processor, sometimes long after the contact ended."""

from decimal import Decimal
from math import log

from contactexport.simulate.builder import Contact
from contactexport.simulate.clock import MINUTE
from contactexport.simulate.directory import OTHER_CURRENCIES, SYSTEM_ID
from contactexport.simulate.draw import between, duration, weighted

OUTCOMES = ("COMPLETED", "DECLINED", "TIMED_OUT", "ERROR", "REQUESTING")
OUTCOME_WEIGHTS = (70, 14, 8, 4, 4)
WEIGHTS = tuple(c[1] for c in OTHER_CURRENCIES)
RETRY_AFTER_DECLINE = 0.15  # a declined card, then another that works: COMPLETED counts


def request_payment(contact: Contact, t: int, agent: str, usd_share: float) -> int:
    """Request a payment at `t`; returns when the customer is done with it (the call goes on)."""
    rng = contact.conv.rng
    system = ("SYSTEM", SYSTEM_ID)
    customer = ("CUSTOMER", contact.conv.customer)
    if rng.random() < usd_share:
        currency, per_dollar, unit = "USD", 1, "0.01"
    else:
        currency, _, per_dollar, unit = weighted(rng, OTHER_CURRENCIES, WEIGHTS)
    dollars = min(5000.0, max(1.0, rng.lognormvariate(log(45), 0.9)))
    amount = Decimal(dollars * per_dollar).quantize(Decimal(unit))
    request = contact.payment_requested(t, agent, currency, amount)
    outcome = weighted(rng, OUTCOMES, OUTCOME_WEIGHTS)
    if outcome == "REQUESTING":  # never opened, never expired (yet)
        return t
    if outcome == "TIMED_OUT":
        contact.payment_status(t + 15 * MINUTE, request, "TIMED_OUT", system)
        return t
    t += between(rng, 5, 40)
    contact.payment_viewed(t, request)
    t += duration(rng, 40, 0.5, 10, 600)
    contact.payment_status(t, request, "SUBMITTED", customer)
    t += between(rng, 1, 6)
    contact.payment_status(t, request, outcome, system)
    if outcome == "DECLINED" and rng.random() < RETRY_AFTER_DECLINE:
        t += duration(rng, 60, 0.5, 15, 600)
        contact.payment_status(t, request, "SUBMITTED", customer)
        t += between(rng, 1, 6)
        contact.payment_status(t, request, "COMPLETED", system)
    return t
