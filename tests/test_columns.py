"""Every column rule of SPEC §3, on small conversations built by hand."""

from decimal import Decimal

import pytest

from builders import ev, ms, replay, row, rows, stored
from contactexport.columns import HEADERS, row_values
from contactexport.timeline import build_timeline

CALL = "PHONE_CALL"


def inbound_call(*extra, end="08:11", status="ANSWERED", agent="a1"):
    """Queued 08:05, offered 08:05:30, accepted and fulfilled 08:06, ended at `end`."""
    return [
        ev("CONTACT/STARTED", "08:05", entryPoint="+15550100", finalIVRSelection="billing",
           dueAt="2026-11-02T08:10:00.000Z"),
        ev("CONTACT/OFFERED", "08:05:30", agentId=agent),
        ev("CONTACT/OFFER_ACCEPTED", "08:06", agentId=agent),
        ev("CONTACT/FULFILLED", "08:06", agent=agent, fulfilledType="RESPONDED"),
        *extra,
        ev("CONTACT/ENDED", end, agent=agent, inbox="inbox-2", status=status),
    ]  # fmt: skip


def chat(*messages, end="09:00"):
    return [
        ev("CONTACT/STARTED", "08:00", channel="CHAT"),
        *messages,
        ev("CONTACT/ENDED", end, channel="CHAT", status="ANSWERED"),
    ]


def accepted_call(*extra):
    """Queued 08:00, offered to a1 at 08:00:10, accepted at 08:00:20; then `extra`."""
    return [
        ev("CONTACT/STARTED", "08:00"),
        ev("CONTACT/OFFERED", "08:00:10", agentId="a1"),
        ev("CONTACT/OFFER_ACCEPTED", "08:00:20", agentId="a1"),
        *extra,
    ]


def msg(kind, clock, initiator):
    return ev(f"CONTACT/MESSAGE_{kind}", clock, channel="CHAT", initiator=initiator,
              messageId=f"m-{clock}")  # fmt: skip


# Start columns -------------------------------------------------------------------------------


def test_start_columns_come_from_contact_started():
    r = row(*inbound_call())
    assert r["Queued At"] == ms("08:05")
    assert (r["Customer ID"], r["Conversation ID"], r["Contact ID"]) == ("cust-1", "conv-1", "c1")
    assert r["Channel"] == CALL
    assert r["Entry Point"] == "+15550100"
    assert r["Final IVR Selection"] == "billing"
    assert r["Inbox when First Queued"] == "inbox-1"
    assert r["Link"] is None


@pytest.mark.parametrize(
    ("initiator", "direction"),
    [("CUSTOMER", "INBOUND"), ("INTERNAL", "INBOUND"), ("EXTERNAL", "INBOUND"),
     ("AGENT", "OUTBOUND"), ("APPLICATION", "OUTBOUND"), ("API", "OUTBOUND"),
     ("SYSTEM", "OUTBOUND"), ("AUTOMATION", "OUTBOUND"), ("SOMETHING_NEW", None)],
)  # fmt: skip
def test_direction_and_contact_initiator_come_from_the_starter(initiator, direction):
    r = row(ev("CONTACT/STARTED", "08:00", initiator=initiator))
    assert r["Direction"] == direction
    assert r["Contact Initiator"] == initiator


def test_sla_target_is_due_minus_queued_and_may_be_negative():
    early = row(ev("CONTACT/STARTED", "08:08", dueAt="2026-11-02T08:05:00.000Z"))
    assert early["SLA Target"] == -180_000
    assert row(ev("CONTACT/STARTED", "08:08"))["SLA Target"] is None


@pytest.mark.parametrize(
    "due",
    ["soon", 1_700_000_000_000, {"at": "08:10"}, "0001-01-01T00:00:00Z"],  # Go's zero time
)
def test_a_due_time_that_is_not_a_timestamp_leaves_the_sla_blank_and_says_why(due):
    result = replay(ev("CONTACT/STARTED", "08:08", dueAt=due))
    contact = result.contacts["c1"]
    assert contact.due_at is None
    assert [a.reason.startswith("dueAt: ") for a in contact.anomalies] == [True]


# Not yet ended ---------------------------------------------------------------------------------


def test_a_contact_not_yet_ended_shows_only_its_start_columns():
    r = row(*inbound_call()[:-1])
    start = {"Queued At", "Customer ID", "Conversation ID", "Contact ID", "Channel", "Direction",
             "Contact Initiator", "Entry Point", "Final IVR Selection", "Inbox when First Queued",
             "SLA Target"}  # fmt: skip
    assert {h for h, v in r.items() if v is not None} == start
    assert r["Status"] is None


# Offers, fulfilment, end ----------------------------------------------------------------------


def test_offers_accepts_misses_declines_and_transfers_are_counted():
    r = row(
        ev("CONTACT/STARTED", "08:00"),
        ev("CONTACT/OFFERED", "08:01", agentId="a1"),
        ev("CONTACT/OFFER_REJECTED", "08:01:20", agentId="a1", reason="DECLINED"),
        ev("CONTACT/OFFERED", "08:02", agentId="a2"),
        ev("CONTACT/OFFER_REJECTED", "08:02:30", agentId="a2", reason="MISSED"),
        ev("CONTACT/OFFERED", "08:03", agentId="a3"),
        ev("CONTACT/OFFER_REJECTED", "08:03:05", agentId="a3", reason="DEVICE ERROR"),
        ev("CONTACT/OFFERED", "08:04", agentId="a4"),
        ev("CONTACT/OFFER_ACCEPTED", "08:04:10", agentId="a4"),
        ev("CONTACT/FULFILLED", "08:04:10", fulfilledType="RESPONDED"),
        ev("CONTACT/TRANSFERRED", "08:06", transferType="COLD", reason="MANUAL",
           assignee={"inboxId": "inbox-2"}),
        ev("CONTACT/OFFERED", "08:06:30", agentId="a5"),
        ev("CONTACT/OFFER_ACCEPTED", "08:06:40", agentId="a5"),
        ev("CONTACT/ENDED", "08:10", agent="a5", status="ANSWERED"),
    )  # fmt: skip
    assert (r["Offered"], r["Accepted"], r["Declined"], r["Missed"]) == (5, 2, 1, 2)
    assert r["Transferred"] == 1
    assert r["Offered At"] == ms("08:01")
    assert r["Accepted At"] == ms("08:04:10")
    assert r["Queued-to-First Accepted Time"] == 250_000
    assert r["First Accepted-to-Fulfilled Time"] == 0


def test_manual_assignment_leaves_offer_columns_blank():
    r = row(
        ev("CONTACT/STARTED", "08:00", channel="EMAIL"),
        ev("CONVERSATION_ASSIGNEE/UPDATED", "08:10", None, reason="MANUAL",
           assignee={"inboxId": "inbox-1", "agentId": "a1"}),
        ev("CONTACT/MESSAGE_SENT", "08:20", channel="EMAIL", initiator="AGENT", agent="a1"),
        ev("CONTACT/FULFILLED", "08:20", channel="EMAIL", fulfilledType="RESPONDED"),
        ev("CONTACT/ENDED", "08:20", channel="EMAIL", agent="a1", status="ANSWERED"),
    )  # fmt: skip
    assert r["Offered At"] is None and r["Accepted At"] is None
    assert r["Queued-to-First Accepted Time"] is None
    assert r["First Accepted-to-Fulfilled Time"] is None
    assert (r["Offered"], r["Accepted"]) == (0, 0)
    assert r["Agent when Ended"] == "a1"


def test_fulfilment_and_end_columns():
    r = row(*inbound_call())
    assert r["Fulfilled Type"] == "RESPONDED"
    assert r["Fulfilled At"] == ms("08:06")
    assert r["Ended At"] == ms("08:11")
    assert r["Status"] == "ANSWERED"
    assert (r["Agent when Ended"], r["Inbox when Ended"]) == ("a1", "inbox-2")
    assert r["Fulfilled by Contact ID"] == "c1"
    assert r["Queued-to-Fulfilled Time"] == 60_000
    assert r["Queued-to-Ended Time"] == 360_000
    assert r["Fulfilled-to-Ended Time"] == 300_000
    assert r["Seconds within (-) or over (+) SLA"] == -240_000


def test_unfulfilled_contact_has_blank_fulfilment_durations():
    r = row(
        ev("CONTACT/STARTED", "08:00", dueAt="2026-11-02T08:01:00.000Z"),
        ev("CONTACT/ENDED", "08:03", status="ABANDONED"),
    )
    assert r["Fulfilled At"] is None and r["Fulfilled by Contact ID"] is None
    assert r["Queued-to-Fulfilled Time"] is None and r["Fulfilled-to-Ended Time"] is None
    assert r["Seconds within (-) or over (+) SLA"] is None
    assert r["Agent when Ended"] is None
    assert r["Talk Time"] is None


def test_cross_channel_fulfilment_takes_the_calls_fulfilled_at():
    email = {"channel": "EMAIL", "contact": "email"}
    result = rows(
        ev("CONTACT/STARTED", "08:05", "call", dueAt="2026-11-02T08:07:00.000Z"),
        ev("CONTACT/OFFER_ACCEPTED", "08:06", "call"),
        ev("CONTACT/FULFILLED", "08:06", "call", fulfilledType="RESPONDED"),
        ev("CONTACT/STARTED", "08:08", dueAt="2026-11-02T08:07:00.000Z", **email),
        ev("CONTACT/ENDED", "08:11", "call", status="ANSWERED"),
        ev("CONTACT/FULFILLED", "08:11", fulfilledType="RESPONDED", **email),
        ev("CONTACT/ENDED", "08:11", status="UNANSWERED", **email),
    )
    r = result["email"]
    assert r["Fulfilled At"] == ms("08:06")
    assert r["Queued-to-Fulfilled Time"] == -120_000
    assert r["Fulfilled by Contact ID"] == "call"
    assert r["SLA Target"] == -60_000
    assert r["Status"] == "UNANSWERED"
    assert result["call"]["Fulfilled by Contact ID"] == "call"


def test_fulfilment_at_another_moment_is_the_contacts_own():
    r = rows(
        ev("CONTACT/STARTED", "08:05", "call"),
        ev("CONTACT/FULFILLED", "08:06", "call", fulfilledType="RESPONDED"),
        ev("CONTACT/STARTED", "08:08", "email", channel="EMAIL"),
        ev("CONTACT/ENDED", "08:11", "call", status="ANSWERED"),
        ev("CONTACT/FULFILLED", "08:12", "email", channel="EMAIL", fulfilledType="RESPONDED"),
        ev("CONTACT/ENDED", "08:12", "email", channel="EMAIL", status="ANSWERED"),
    )["email"]
    assert r["Fulfilled At"] == ms("08:12")
    assert r["Fulfilled by Contact ID"] == "email"


# Phone-only columns ----------------------------------------------------------------------------


def test_holds_by_kind_and_an_open_hold_closing_at_the_end():
    r = row(*inbound_call(
        ev("CONTACT/HOLD_STARTED", "08:07", reason="MANUAL"),
        ev("CONTACT/HOLD_ENDED", "08:07:30", reason="MANUAL"),
        ev("CONTACT/HOLD_STARTED", "08:08", reason="WARM_TRANSFER"),
        ev("CONTACT/HOLD_ENDED", "08:08:10", reason="WARM_TRANSFER"),
        ev("CONTACT/HOLD_STARTED", "08:09", reason="CONFERENCE"),
        ev("CONTACT/HOLD_ENDED", "08:09:05.500", reason="CONFERENCE"),
        ev("CONTACT/HOLD_STARTED", "08:10", reason="COLD_TRANSFER"),
    ))  # fmt: skip
    assert r["Hold Time – Manual"] == 30_000
    assert r["Hold Time – Warm"] == 10_000
    assert r["Hold Time – Conference"] == 5_500
    assert r["Hold Time – Cold Transfer"] == 60_000
    assert r["Hold Time – Total"] == 105_500
    assert (r["Times On Hold Total"], r["Times On Hold – Manual"]) == (4, 1)
    assert r["Times On Hold – Warm Transfer"] == r["Times On Hold – Cold Transfer"] == 1
    assert r["Times On Hold – Conference"] == 1
    assert r["Talk Time"] == 300_000 - 105_500


def test_phone_columns_are_zero_for_calls_and_blank_for_other_channels():
    call = row(*inbound_call())
    assert call["Hold Time – Total"] == 0 and call["Times On Hold Total"] == 0
    assert call["Talk Time"] == 300_000
    email = row(ev("CONTACT/STARTED", "08:00", channel="EMAIL"),
                ev("CONTACT/ENDED", "08:30", channel="EMAIL", status="ANSWERED"))  # fmt: skip
    assert email["Hold Time – Total"] is None and email["Talk Time"] is None
    assert email["Times On Hold – Conference"] is None


def test_outbound_call_talk_time_runs_from_answered_at():
    r = row(
        ev("CONTACT/STARTED", "10:00", initiator="AGENT", agent="a1"),
        ev("CONTACT/ANSWERED", "10:00:20", initiator="CUSTOMER", agent="a1"),
        ev("CONTACT/HOLD_STARTED", "10:02", reason="MANUAL", agent="a1"),
        ev("CONTACT/HOLD_ENDED", "10:02:30", reason="MANUAL", agent="a1"),
        ev("CONTACT/ENDED", "10:05", status="UNKNOWN", agent="a1"),
    )
    assert r["Direction"] == "OUTBOUND"
    assert r["Answered At"] == ms("10:00:20")
    assert r["Talk Time"] == 280_000 - 30_000
    assert r["Hold Time – Manual"] == 30_000


def test_answered_at_is_blank_for_inbound_calls():
    assert row(*inbound_call())["Answered At"] is None


# Messages ----------------------------------------------------------------------------------------


def test_messages_are_counted_by_sender():
    r = row(*chat(
        msg("RECEIVED", "08:00:10", "CUSTOMER"),
        msg("SENT", "08:00:11", "AUTOMATION"),
        msg("SENT", "08:01", "AGENT"),
        msg("SENT", "08:02", "APPLICATION"),
        msg("SENT", "08:03", "API"),
        msg("SENT", "08:04", "SYSTEM"),
    ))  # fmt: skip
    assert r["Messages Total"] == 6
    assert r["Messages from Customer"] == 1
    assert r["Messages from Agent"] == 1
    assert r["Messages from Rules"] == 1
    assert r["Messages from API"] == 2


def test_reply_times_pair_each_answer_with_the_earliest_unanswered_message():
    r = row(*chat(
        msg("RECEIVED", "08:00", "CUSTOMER"),
        msg("RECEIVED", "08:01", "CUSTOMER"),
        msg("SENT", "08:01:05", "AUTOMATION"),  # rules neither answer nor reset
        msg("SENT", "08:03", "AGENT"),  # answers from 08:00: 180 s
        msg("SENT", "08:04", "AGENT"),  # nothing to answer
        msg("RECEIVED", "08:05", "CUSTOMER"),  # customer replies from 08:03: 120 s
        msg("SENT", "08:06", "AGENT"),  # 60 s
        msg("RECEIVED", "08:06:30", "CUSTOMER"),  # 30 s
    ))  # fmt: skip
    assert r["Avg. Agent Reply Time"] == 120_000
    assert r["Avg. Customer Reply Time"] == 75_000


def test_reply_times_are_blank_without_a_pair_and_messages_zero_without_messages():
    r = row(*chat(msg("RECEIVED", "08:00", "CUSTOMER")))
    assert r["Avg. Agent Reply Time"] is None and r["Avg. Customer Reply Time"] is None
    empty = row(*chat())
    assert empty["Messages Total"] == 0 and empty["Messages from Agent"] == 0


@pytest.mark.parametrize("channel", ["PHONE_CALL", "VOICEMAIL"])
def test_message_columns_are_blank_for_calls_and_voicemail(channel):
    r = row(
        ev("CONTACT/STARTED", "08:00", channel=channel),
        ev("CONTACT/MESSAGE_RECEIVED", "08:01", channel=channel, messageId="m1"),
        ev("CONTACT/ENDED", "08:02", channel=channel, status="UNANSWERED"),
    )
    assert r["Messages Total"] is None and r["Avg. Agent Reply Time"] is None


# Handle time -------------------------------------------------------------------------------------


def view(clock, agent="a1", started=True):
    kind = "STARTED" if started else "ENDED"
    return ev(f"PROFILE_VIEW/{kind}", clock, None, agentId=agent)


def test_handle_time_is_the_union_of_agents_views_while_the_contact_is_ongoing():
    r = row(*inbound_call(
        view("08:04"),  # before queued: only 08:05-08:07 counts
        view("08:06:30", agent="a2"),
        view("08:07"),
        view("08:07", started=False),
        view("08:08", agent="a2", started=False),
        view("08:10"),
        view("08:12", started=False),  # ends after the call: 1 min handle, 1 min after
    ))  # fmt: skip
    assert r["Contact Handle Time"] == 180_000 + 60_000
    assert r["After Contact Time"] == 60_000


def test_stacked_contacts_give_view_time_to_the_highest_channel():
    result = rows(
        ev("CONTACT/STARTED", "08:00", "email", channel="EMAIL"),
        ev("CONTACT/STARTED", "08:05", "call"),
        view("08:02"),
        view("08:10", started=False),
        ev("CONTACT/ENDED", "08:08", "call", status="ANSWERED"),
        ev("CONTACT/ENDED", "08:20", "email", channel="EMAIL", status="ANSWERED"),
    )
    assert result["call"]["Contact Handle Time"] == 180_000
    assert result["email"]["Contact Handle Time"] == 180_000 + 120_000
    assert result["call"]["After Contact Time"] == 0


def test_after_contact_time_stops_when_the_conversation_closes():
    r = row(*inbound_call(), view("08:12"), view("08:20", started=False),
            ev("CONVERSATION/CLOSED", "08:15", None))  # fmt: skip
    assert r["After Contact Time"] == 180_000
    assert r["Contact Handle Time"] == 0


def test_no_after_contact_time_once_the_conversation_closed_before_the_contact_ended():
    """Gladly closes the conversation, then ends its contacts a few milliseconds later."""
    r = row(*inbound_call(ev("CONVERSATION/CLOSED", "08:10:59.500", None)),
            view("08:12"), view("08:20", started=False))  # fmt: skip
    assert r["After Contact Time"] == 0


def after_contact(*conversation_events):
    """After Contact Time of the call (ended 08:11) with a profile view 08:12-08:20."""
    r = row(*inbound_call(*conversation_events), view("08:12"), view("08:20", started=False))
    return r["After Contact Time"]


@pytest.mark.parametrize(
    ("closed", "reopened", "expected"),
    [
        ("08:09", "08:10", 480_000),  # reopened before the call ended
        ("08:09", "08:09", 0),  # same millisecond: REOPENED sorts first, so CLOSED stands
        ("08:10:59.999", "08:11", 480_000),  # reopened as the call ended: the window opens
    ],
)
def test_a_reopened_conversation_opens_the_after_contact_window_again(closed, reopened, expected):
    assert after_contact(ev("CONVERSATION/CLOSED", closed, None),
                         ev("CONVERSATION/REOPENED", reopened, None)) == expected  # fmt: skip


def test_the_timeline_sees_a_reopened_window_too():
    """timeline runs the end-of-conversation rules on a copy after each event: the copy needs
    the reopens as well as the closes."""
    events = [*inbound_call(ev("CONVERSATION/CLOSED", "08:09", None),
                            ev("CONVERSATION/REOPENED", "08:10", None)),
              view("08:12"), view("08:20", started=False)]  # fmt: skip
    timeline = build_timeline("c1", "conv-1", stored(events))
    changes = [c for _, c in timeline.changes_of("After Contact Time")]
    assert [(c.old, c.new) for c in changes][-1] == (0, 480_000)


def test_a_close_from_before_the_contact_started_does_not_count():
    """A customer writing into a closed conversation reopens it, logged or not."""
    result = rows(
        ev("CONTACT/STARTED", "07:00", "c0", channel="CHAT"),
        ev("CONTACT/ENDED", "07:10", "c0", channel="CHAT", status="ANSWERED"),
        ev("CONVERSATION/CLOSED", "07:11", None),
        *inbound_call(),
        view("08:12"),
        view("08:20", started=False),
    )
    assert result["c1"]["After Contact Time"] == 480_000


def test_after_contact_time_stops_when_the_next_contact_starts():
    result = rows(
        *inbound_call(),
        view("08:12"),
        ev("CONTACT/STARTED", "08:14", "c2", channel="SMS"),
        view("08:16", started=False),
        ev("CONTACT/ENDED", "08:30", "c2", channel="SMS", status="ANSWERED"),
    )
    assert result["c1"]["After Contact Time"] == 120_000
    assert result["c2"]["Contact Handle Time"] == 120_000


def test_a_view_never_ended_lasts_until_the_conversations_last_event():
    r = row(*inbound_call(view("08:10")))
    assert r["Contact Handle Time"] == 60_000


# Payments ----------------------------------------------------------------------------------------


def pay(kind, clock, request, currency="USD", amount=10, **content):
    return ev(f"PAYMENT_REQUEST/{kind}", clock, paymentRequestId=request,
              context={"currency": currency, "monetaryUnit": amount}, **content)  # fmt: skip


def test_payments_count_by_last_status_and_sum_usd_only():
    r = row(*inbound_call(
        pay("CREATED", "08:07", "p1", amount=19.99),
        pay("STATUS_CHANGED", "08:08", "p1", amount=19.99, oldStatus="REQUESTING",
            newStatus="COMPLETED"),
        pay("CREATED", "08:07", "p2", amount=5.01),
        pay("STATUS_CHANGED", "08:08", "p2", amount=5.01, newStatus="DECLINED"),
        pay("STATUS_CHANGED", "08:09", "p2", amount=5.01, newStatus="COMPLETED"),
        pay("STATUS_CHANGED", "08:08", "p3", currency="EUR", amount=50, newStatus="COMPLETED"),
        pay("STATUS_CHANGED", "08:08", "p4", amount=7.5, newStatus="DECLINED"),
        pay("STATUS_CHANGED", "08:08", "p5", amount=1, newStatus="TIMED_OUT"),
    ))  # fmt: skip
    assert r["Payment Requests – Completed"] == 3
    assert r["Payment Requests – Declined"] == 1
    assert r["Payment Amount – Completed USD"] == Decimal("25.00")
    assert r["Payment Amount – Declined USD"] == Decimal("7.5")


def test_a_lower_case_currency_is_still_usd():
    r = row(*inbound_call(pay("STATUS_CHANGED", "08:08", "p1", currency="usd", amount=4,
                              newStatus="COMPLETED")))  # fmt: skip
    assert r["Payment Amount – Completed USD"] == Decimal(4)


@pytest.mark.parametrize("amount", ["19.99", True, [19.99]])
def test_an_amount_that_is_not_a_number_counts_the_request_but_says_why_it_is_not_summed(
    amount,
):
    result = replay(*inbound_call(pay("STATUS_CHANGED", "08:08", "p1", amount=amount,
                                      newStatus="COMPLETED")))  # fmt: skip
    contact = result.contacts["c1"]
    r = dict(zip(HEADERS, row_values(contact), strict=True))
    assert r["Payment Requests – Completed"] == 1
    assert r["Payment Amount – Completed USD"] == 0
    assert [a.reason for a in contact.anomalies] == [
        f"context.monetaryUnit {amount!r} is not a number: the amount is not summed"
    ]


def test_an_amount_that_turns_into_text_is_not_summed_from_an_earlier_event():
    r = row(*inbound_call(
        pay("CREATED", "08:07", "p1", amount=10),
        pay("STATUS_CHANGED", "08:08", "p1", amount="19.99", newStatus="COMPLETED"),
    ))  # fmt: skip
    assert r["Payment Amount – Completed USD"] == 0


def test_a_payment_settled_after_the_contact_ended_still_counts():
    r = row(*inbound_call(), pay("STATUS_CHANGED", "09:00", "p1", newStatus="COMPLETED"))
    assert r["Payment Requests – Completed"] == 1


# Anomalies ---------------------------------------------------------------------------------------


def test_impossible_events_are_recorded_and_change_nothing():
    result = replay(*inbound_call(
        ev("CONTACT/HOLD_ENDED", "08:07", reason="MANUAL"),
    ), ev("CONTACT/MESSAGE_SENT", "08:20", initiator="AGENT", messageId="late"))  # fmt: skip
    contact = result.contacts["c1"]
    assert [a.reason for a in contact.anomalies] == [
        "no hold is open",
        "CONTACT/MESSAGE_SENT after CONTACT/ENDED",
    ]
    assert contact.hold_ms["TOTAL"] == 0


def test_a_second_fulfilled_during_a_hold_is_an_anomaly_and_the_first_stands():
    contact = replay(*inbound_call(
        ev("CONTACT/HOLD_STARTED", "08:07", reason="MANUAL"),
        ev("CONTACT/FULFILLED", "08:07:30", fulfilledType="CANCELED"),
        ev("CONTACT/HOLD_ENDED", "08:08", reason="MANUAL"),
    )).contacts["c1"]  # fmt: skip
    assert [a.reason for a in contact.anomalies] == ["the contact is already fulfilled"]
    r = dict(zip(HEADERS, row_values(contact), strict=True))
    assert (r["Fulfilled At"], r["Fulfilled Type"]) == (ms("08:06"), "RESPONDED")
    assert r["Talk Time"] == 300_000 - 60_000


def test_a_call_fulfilled_while_on_hold_returns_to_fulfilled():
    r = row(*accepted_call(
        ev("CONTACT/HOLD_STARTED", "08:01", reason="MANUAL"),
        ev("CONTACT/FULFILLED", "08:01:30", fulfilledType="RESPONDED"),
        ev("CONTACT/HOLD_ENDED", "08:02", reason="MANUAL"),
        ev("CONTACT/ENDED", "08:05", status="ANSWERED"),
    ))  # fmt: skip
    assert r["Fulfilled At"] == ms("08:01:30")
    assert r["Hold Time – Total"] == 60_000


def test_an_accept_or_reject_with_no_open_offer_is_an_anomaly_even_after_fulfilment():
    contact = replay(*inbound_call(
        ev("CONTACT/OFFER_ACCEPTED", "08:07", agentId="a2"),
        ev("CONTACT/OFFER_REJECTED", "08:07:30", agentId="a3", reason="DECLINED"),
    )).contacts["c1"]  # fmt: skip
    assert [a.reason for a in contact.anomalies] == ["no offer is open"] * 2
    assert (contact.offered, contact.accepted, contact.declined) == (1, 1, 0)


def test_an_offer_after_fulfilment_is_answered_once():
    """Transferred after fulfilment: the new offer is counted, and so is one answer to it."""
    result = replay(*inbound_call(
        ev("CONTACT/TRANSFERRED", "08:07", transferType="COLD", reason="MANUAL"),
        ev("CONTACT/OFFERED", "08:07:10", agentId="a2"),
        ev("CONTACT/OFFER_ACCEPTED", "08:07:20", agentId="a2"),
        ev("CONTACT/OFFER_ACCEPTED", "08:07:30", agentId="a2"),
    ))  # fmt: skip
    contact = result.contacts["c1"]
    assert (contact.offered, contact.accepted) == (2, 2)
    assert [a.reason for a in contact.anomalies] == ["no offer is open"]


def test_an_offer_answered_or_withdrawn_is_no_longer_open():
    """After fulfilment an OFFER_REJECTED closes the offer, and so does a transfer."""
    for closing in (
        ev("CONTACT/OFFER_REJECTED", "08:07:20", agentId="a2", reason="DECLINED"),
        ev("CONTACT/TRANSFERRED", "08:07:20", transferType="COLD", reason="MANUAL"),
    ):
        result = replay(*inbound_call(
            ev("CONTACT/OFFERED", "08:07:10", agentId="a2"),
            closing,
            ev("CONTACT/OFFER_ACCEPTED", "08:07:30", agentId="a2"),
        ))  # fmt: skip
        contact = result.contacts["c1"]
        assert contact.accepted == 1, closing["type"]
        assert [a.reason for a in contact.anomalies] == ["no offer is open"]


def test_an_offer_made_during_a_hold_is_still_open_when_the_hold_ends():
    """A warm transfer: the caller waits on hold while a second agent is offered the call."""
    result = replay(*accepted_call(
        ev("CONTACT/HOLD_STARTED", "08:01", reason="WARM_TRANSFER"),
        ev("CONTACT/OFFERED", "08:01:10", agentId="a2"),
        ev("CONTACT/HOLD_ENDED", "08:01:30", reason="WARM_TRANSFER"),
        ev("CONTACT/OFFER_ACCEPTED", "08:01:40", agentId="a2"),
        ev("CONTACT/ENDED", "08:05", status="ANSWERED"),
    ))  # fmt: skip
    contact = result.contacts["c1"]
    assert (contact.offered, contact.accepted, contact.anomalies) == (2, 2, [])


def test_an_initiator_type_nobody_lists_is_queued_like_an_inbound_contact():
    result = replay(
        ev("CONTACT/STARTED", "08:00", initiator="BOT"),
        ev("CONTACT/HOLD_STARTED", "08:00:05", reason="MANUAL"),
    )
    contact = result.contacts["c1"]
    assert contact.state == "queued"
    assert contact.direction is None
    assert len(contact.anomalies) == 1


@pytest.mark.parametrize("reason", ["MISSED", "DEVICE ERROR", "DEVICE_ERROR"])
def test_missed_takes_both_spellings_of_a_device_error(reason):
    r = row(
        ev("CONTACT/STARTED", "08:00"),
        ev("CONTACT/OFFERED", "08:01", agentId="a1"),
        ev("CONTACT/OFFER_REJECTED", "08:01:20", agentId="a1", reason=reason),
        ev("CONTACT/ENDED", "08:02", status="ABANDONED"),
    )
    assert (r["Missed"], r["Declined"]) == (1, 0)


def test_a_contact_without_started_still_gets_a_row():
    r = row(ev("CONTACT/ENDED", "08:00", status="ANSWERED"))
    assert r["Contact ID"] == "c1" and r["Queued At"] is None


def test_a_payment_naming_no_contact_makes_no_row():
    result = replay(*inbound_call(), pay("CREATED", "08:07", "p1", contact=""),
                    pay("CREATED", "08:07", "p2", contact=None))  # fmt: skip
    assert list(result.contacts) == ["c1"]


def test_a_payment_before_started_does_not_hide_the_channel():
    r = row(
        ev("PAYMENT_REQUEST/CREATED", "07:59", paymentRequestId="p1",
           context={"currency": "USD", "monetaryUnit": 5}),
        *inbound_call(),
    )  # fmt: skip
    assert r["Channel"] == "PHONE_CALL"
    assert r["Talk Time"] == 300_000


def test_fields_of_the_wrong_json_type_are_blank_not_fatal():
    r = row(
        ev("CONTACT/STARTED", "08:00", entryPoint={"x": 1}, finalIVRSelection=["1"],
           customer="cust-1"),
        ev("CONTACT/OFFERED", "08:00:10", agentId="a1"),
        ev("CONTACT/OFFER_ACCEPTED", "08:00:20", agentId="a1"),
        ev("CONTACT/HOLD_STARTED", "08:01", reason=["MANUAL"]),
        ev("CONTACT/ENDED", "08:02", status={"odd": True}),
    )  # fmt: skip
    assert r["Entry Point"] is None and r["Final IVR Selection"] is None
    assert r["Status"] is None and r["Ended At"] == ms("08:02")
    assert r["Times On Hold Total"] == 1 and r["Hold Time – Manual"] == 0


def test_a_conversation_assignee_update_during_an_offer_does_not_accept_it():
    result = replay(
        ev("CONTACT/STARTED", "08:00"),
        ev("CONTACT/OFFERED", "08:00:05", agentId="a1"),
        ev("CONVERSATION_ASSIGNEE/UPDATED", "08:00:05", None, reason="CONTACT_OFFERED",
           assignee={"inboxId": "inbox-1", "agentId": "a1"}),
        ev("CONTACT/OFFER_REJECTED", "08:00:25", agentId="a1", reason="MISSED"),
        ev("CONTACT/ENDED", "08:01", status="ABANDONED"),
    )  # fmt: skip
    contact = result.contacts["c1"]
    assert contact.anomalies == []
    assert contact.missed == 1
