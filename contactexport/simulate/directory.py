"""The simulated center's fixed setup: inboxes, entry points, IVR menu, topics, rules.

The same for every seed (a seed changes the traffic, not the center), so runs with different
seeds can be archived side by side. IDs look like Gladly's: 22 URL-safe base64 characters.
"""

from binascii import b2a_base64
from random import Random

_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def token(rng: Random) -> str:
    """A Gladly-looking ID: 128 random bits, URL-safe base64 without padding."""
    raw = rng.getrandbits(128).to_bytes(16, "little")
    return b2a_base64(raw, newline=False)[:22].translate(_URL_SAFE).decode()


_ids = Random("contactexport-simulator-directory")

INBOX = {
    name: token(_ids)
    for name in (
        "Support Voice",
        "Billing Voice",
        "Support Chat",
        "Social & SMS",
        "Support Email",
        "Billing Email",
        "Voicemail",
        "Escalations",
        "Outbound",
    )
}

# Fictional numbers (555-01xx), example.com addresses, chat widget (Glad App) IDs.
PHONE_LINES = ("+15550100", "+15550101", "+15550102")
PHONE_LINE_WEIGHTS = (70, 20, 10)  # main line, billing line, sales line
SMS_NUMBER = "+15550150"
WHATSAPP_NUMBER = "+15550160"
FB_PAGE = "fb-page-108512349876"
CHAT_WIDGETS = ("glad-app-web", "glad-app-ios", "glad-app-android")
CHAT_WIDGET_WEIGHTS = (70, 18, 12)
EMAILS = ("support@example.com", "billing@example.com")
EMAIL_WEIGHTS = (75, 25)

# IVR menu: final selection -> inbox; None = the caller chose nothing (no finalIVRSelection).
IVR_MENU = {
    "Billing": "Billing Voice",
    "Orders": "Support Voice",
    "Returns": "Support Voice",
    "Technical Support": "Support Voice",
    "Speak to an agent": "Support Voice",
    None: "Support Voice",
}
IVR_WEIGHTS = (20, 25, 15, 20, 8, 12)
BILLING_LINE = PHONE_LINES[1]  # callers on it skip the menu: straight to billing

TOPICS = tuple(token(_ids) for _ in range(12))
RULES = tuple(token(_ids) for _ in range(4))  # AUTOMATION initiators (auto-replies, routing)
API_CLIENTS = tuple(token(_ids) for _ in range(2))  # APPLICATION initiators
SUPERVISORS = tuple(token(_ids) for _ in range(3))  # they assign conversations by hand
SYSTEM_ID = token(_ids)  # Gladly itself: routing, timeouts

ACTIVE_REASONS = tuple((token(_ids), name) for name in ("Available", "Email focus", "Training"))
AWAY_REASONS = tuple((token(_ids), name) for name in ("Break", "Lunch", "Meeting"))

# Payments not in USD: (currency, weight, rough units per dollar, smallest unit).
OTHER_CURRENCIES = (
    ("EUR", 40, 1, "0.01"),
    ("GBP", 25, 1, "0.01"),
    ("CAD", 25, 1, "0.01"),
    ("JPY", 10, 150, "1"),
)

_staff = Random("contactexport-simulator-staff")
_AGENTS: list[str] = []


def agent_ids(count: int) -> list[str]:
    """The first `count` agents of the center (stable: agent k has the same ID in every run)."""
    while len(_AGENTS) < count:
        _AGENTS.append(token(_staff))
    return _AGENTS[:count]
