"""The built-in demo mailbox (see ``mail.demo.mailbox``).

The public names are re-exported here so ``from mail.demo import DemoMailbox`` keeps working;
the modules underneath: script (the cast and its timing), messages (what they send back),
mailbox (the MailProvider over a local directory).
"""

from mail.demo.mailbox import INDEX_NAME, INDEX_VERSION, DemoMailbox
from mail.demo.script import (
    ACCEPT_DELAY,
    AWAY_DAYS,
    BOUNCE_DELAY,
    DECLINE_DELAY,
    DEMO_CONTACTS,
    DEMO_USER_ADDRESS,
    DEMO_USER_NAME,
    OOO_DELAY,
    PROPOSE_DELAY,
    SEED_REASONS,
    SEED_SLOT_LENGTH,
    Behaviour,
    DemoContact,
    request_text,
    seed_slot_starts,
    seed_slots,
)

__all__ = [
    "ACCEPT_DELAY",
    "AWAY_DAYS",
    "BOUNCE_DELAY",
    "DECLINE_DELAY",
    "DEMO_CONTACTS",
    "DEMO_USER_ADDRESS",
    "DEMO_USER_NAME",
    "INDEX_NAME",
    "INDEX_VERSION",
    "OOO_DELAY",
    "PROPOSE_DELAY",
    "SEED_REASONS",
    "SEED_SLOT_LENGTH",
    "Behaviour",
    "DemoContact",
    "DemoMailbox",
    "request_text",
    "seed_slot_starts",
    "seed_slots",
]
