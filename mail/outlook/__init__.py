"""The Outlook account through Microsoft Graph (see ``mail.outlook.provider``).

The public names are re-exported here so ``from mail.outlook import OutlookProvider`` keeps
working; the modules underneath: transport (Graph requests), calendar, provider.
"""

from mail.outlook.provider import FLAG_PROPERTY, OutlookProvider
from mail.outlook.transport import GRAPH, MAX_BACKOFF, MAX_IN_FLIGHT, RefusedError, TokenSource

__all__ = [
    "FLAG_PROPERTY",
    "GRAPH",
    "MAX_BACKOFF",
    "MAX_IN_FLIGHT",
    "OutlookProvider",
    "RefusedError",
    "TokenSource",
]
