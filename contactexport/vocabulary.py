"""The event vocabulary: Gladly's webhook / Events API types plus this project's extensions.

One place for every name the rest of the code matches on, so a typo is an import error,
not a silently ignored event.
"""

from typing import Final

# Gladly's published types (reference/gladly-events.md §4), Events-API-only ones included.
GLADLY_TYPES: Final = frozenset(
    {
        "AGENT_AVAILABILITY/UPDATED",
        "AGENT_AVAILABILITY/FOCUS_ENTERED",
        "AGENT_AVAILABILITY/FOCUS_EXITED",
        "AGENT_STATUS/LOGGED_IN",
        "AGENT_STATUS/LOGGED_OUT",
        "AGENT_STATUS/WENT_AWAY",
        "AGENT_STATUS/RETURNED_FROM_AWAY",
        "AGENT_STATUS/CHANGED_ACTIVE_REASON",
        "CONTACT/STARTED",
        "CONTACT/OFFERED",
        "CONTACT/OFFER_ACCEPTED",
        "CONTACT/OFFER_REJECTED",
        "CONTACT/TRANSFERRED",
        "CONTACT/HOLD_STARTED",
        "CONTACT/HOLD_ENDED",
        "CONTACT/MESSAGE_RECEIVED",
        "CONTACT/MESSAGE_SENT",
        "CONTACT/JOINED",
        "CONTACT/FULFILLED",
        "CONTACT/ENDED",
        "CONVERSATION/CREATED",
        "CONVERSATION/CLOSED",
        "CONVERSATION/REOPENED",
        "CONVERSATION/TOPIC_ADDED",
        "CONVERSATION/TOPIC_REMOVED",
        "CONVERSATION/CUSTOM_ATTRIBUTE_ADDED",
        "CONVERSATION/CUSTOM_ATTRIBUTE_REMOVED",
        "CONVERSATION/NOTE_CREATED",
        "CONVERSATION_ASSIGNEE/UPDATED",
        "CONVERSATION_STATUS/UPDATED",
        "CUSTOMER/MERGED",
        "CUSTOMER_PROFILE/CREATED",
        "CUSTOMER_PROFILE/UPDATED",
        "CUSTOMER_PROFILE/DELETED",
        "CUSTOMER_PROFILE/MERGED",
        "PAYMENT_REQUEST/CREATED",
        "PAYMENT_REQUEST/STATUS_CHANGED",
        "PAYMENT_REQUEST/VIEWED",
        "TASK/CREATED",
        "TASK/ASSIGNEE_UPDATED",
        "TASK/CONTENT_UPDATED",
        "TASK/DUE_DATE_UPDATED",
        "TASK/COMMENT_ADDED",
        "TASK/FOLLOWER_ADDED",
        "TASK/FOLLOWER_REMOVED",
        "TASK/CLOSED",
        "TASK/REOPENED",
        "EXPORT_JOB/COMPLETED",
        "EXPORT_JOB/FAILED",
        "PING",
    }
)

# Facts Gladly's public payloads lack (SPEC §2), in the same envelope.
EXTENSION_TYPES: Final = frozenset(
    {"CONTACT/ANSWERED", "PROFILE_VIEW/STARTED", "PROFILE_VIEW/ENDED"}
)

KNOWN_TYPES: Final = GLADLY_TYPES | EXTENSION_TYPES

CONTACT_PREFIX: Final = "CONTACT/"
PAYMENT_PREFIX: Final = "PAYMENT_REQUEST/"
PROFILE_VIEW_STARTED: Final = "PROFILE_VIEW/STARTED"
PROFILE_VIEW_ENDED: Final = "PROFILE_VIEW/ENDED"
CONVERSATION_CLOSED: Final = "CONVERSATION/CLOSED"
CONVERSATION_REOPENED: Final = "CONVERSATION/REOPENED"
ASSIGNEE_UPDATED: Final = "CONVERSATION_ASSIGNEE/UPDATED"

# Channel order for stacked handle time (SPEC §3): the first ongoing one gets the view time.
CHANNEL_RANK: Final = {
    channel: rank
    for rank, channel in enumerate(
        (
            "PHONE_CALL",
            "CHAT",
            "SMS",
            "WHATSAPP",
            "FB_MESSENGER",
            "INSTAGRAM_DIRECT",
            "EMAIL",
            "VOICEMAIL",
        )
    )
}
CHANNELS: Final = (*CHANNEL_RANK, "ABANDONED_CALL")

INBOUND_INITIATORS: Final = frozenset({"CUSTOMER", "INTERNAL", "EXTERNAL"})
OUTBOUND_INITIATORS: Final = frozenset({"AGENT", "APPLICATION", "API", "SYSTEM", "AUTOMATION"})

# Tie-break for events sharing a timestamp (SPEC §3). Types not listed sort with messages.
_LIFECYCLE: Final = (
    ("CONTACT/STARTED",),
    ("CONTACT/OFFERED",),
    ("CONTACT/OFFER_REJECTED",),
    ("CONTACT/OFFER_ACCEPTED",),
    ("CONTACT/ANSWERED", "CONTACT/JOINED"),
    ("CONTACT/TRANSFERRED", "CONVERSATION_ASSIGNEE/UPDATED"),
    ("CONTACT/HOLD_STARTED",),
    ("CONTACT/HOLD_ENDED",),
    ("CONTACT/MESSAGE_RECEIVED", "CONTACT/MESSAGE_SENT"),
    (PROFILE_VIEW_STARTED, PROFILE_VIEW_ENDED),
    ("PAYMENT_REQUEST/CREATED", "PAYMENT_REQUEST/STATUS_CHANGED", "PAYMENT_REQUEST/VIEWED"),
    ("CONTACT/FULFILLED",),
    ("CONTACT/ENDED",),
    (CONVERSATION_CLOSED,),
)
LIFECYCLE_RANK: Final = {t: rank for rank, types in enumerate(_LIFECYCLE) for t in types}
DEFAULT_LIFECYCLE_RANK: Final = LIFECYCLE_RANK["CONTACT/MESSAGE_SENT"]


def lifecycle_rank(event_type: str) -> int:
    return LIFECYCLE_RANK.get(event_type, DEFAULT_LIFECYCLE_RANK)
