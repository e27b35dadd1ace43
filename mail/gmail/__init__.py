"""The Gmail (and Google Calendar) provider (see ``mail.gmail.provider``).

The public names are re-exported here so ``from mail.gmail import GmailProvider`` keeps working;
the modules underneath follow the seams: rate limit, transport, mail, calendar, provider.
"""

from mail.gmail.calendar import BUSY_CACHE_FRESH, BUSY_CACHE_OFFLINE, EVENTS_SCOPE
from mail.gmail.provider import GmailProvider
from mail.gmail.ratelimit import BATCH_MAX, QUOTA_PER_USER_MINUTE, UNITS, TokenBucket
from mail.gmail.transport import (
    CALENDAR_ENDPOINT,
    GMAIL_ENDPOINT,
    GOOGLE,
    TOKEN_URI,
    GoogleEndpoints,
    ServiceDisabledError,
    fetch_address,
)

__all__ = [
    "BATCH_MAX",
    "BUSY_CACHE_FRESH",
    "BUSY_CACHE_OFFLINE",
    "CALENDAR_ENDPOINT",
    "EVENTS_SCOPE",
    "GMAIL_ENDPOINT",
    "GOOGLE",
    "QUOTA_PER_USER_MINUTE",
    "TOKEN_URI",
    "UNITS",
    "GmailProvider",
    "GoogleEndpoints",
    "ServiceDisabledError",
    "TokenBucket",
    "fetch_address",
]
