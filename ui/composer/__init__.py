"""The ask composer, in panels: the dialog shell (dialog.py) lays out the header (who, from,
template, meeting, language), the proposed times, the template's details and attachments, the
message with its coaching, and the footer; the policy behind them is desktop/drafting.py."""

from ui.composer.common import TEMPLATE_LABELS
from ui.composer.dialog import DEBOUNCE_MS, ComposerDialog
from ui.composer.proposing import SLOT_COUNT
from ui.composer.slots_panel import SlotEditDialog
from ui.composer.warnings import TIP_CHARS

__all__ = [
    "DEBOUNCE_MS",
    "SLOT_COUNT",
    "TEMPLATE_LABELS",
    "TIP_CHARS",
    "ComposerDialog",
    "SlotEditDialog",
]
