"""What the composer's panels share: the names shown for templates and fields, and colours from
the palette."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desktop.templates import TemplateKind
from ui.board import mix

TEMPLATE_LABELS = {
    "request_referral": "Request — someone referred you",
    "request_article": "Request — an article about them",
    "request_affiliation": "Request — a shared school or association",
    "request_cold": "Request — no introduction",
    "follow_up": "Follow-up",
    "close_the_loop": "Close the loop",
    "thank_you": "Thank-you",
    "check_in": "Check-in",
    "referrer_update": "Update the referrer",
    "confirm": "Reply — confirm the time",
    "propose_times": "Reply — propose other times",
    "thank_referral": "Reply — thanks for the referral",
    "polite_close": "Reply — thank and close",
    "answer": "Reply — answer them",
}
KIND_ORDER = (
    TemplateKind.REQUEST,
    TemplateKind.FOLLOW_UP,
    TemplateKind.CLOSE_THE_LOOP,
    TemplateKind.THANK_YOU,
    TemplateKind.CHECK_IN,
    TemplateKind.REFERRER_UPDATE,
    TemplateKind.CONFIRM,
    TemplateKind.PROPOSE_TIMES,
    TemplateKind.THANK_REFERRAL,
    TemplateKind.POLITE_CLOSE,
    TemplateKind.ANSWER,
    TemplateKind.OTHER,
)
#: What each field is called in the form, and an example of what goes in it.
FIELD_TEXTS: dict[str, tuple[str, str]] = {
    "referrer_name": ("Referred by", "Who suggested you write"),
    "article_title": ("Article title", "The title of the piece you read"),
    "article_source": ("Published in", "e.g. Wired, the company blog"),
    "affiliation": ("Shared affiliation", "e.g. the Lakeside University alumni network"),
    "reason": ("Why them", "e.g. your talk on data teams at PyData"),
    "background": ("About you", "One or two sentences about where you are now"),
    "objective": ("What you are exploring", "e.g. a move into data science"),
    "company": ("Company", ""),
    "role": ("Role", ""),
    "original_subject": ("Original subject", "The subject of your request"),
    "loose_ends": ("Loose ends", "One per line: names or documents they mentioned"),
    "news": ("Your news", "What has happened since you spoke"),
    "learned": ("What you learned", "e.g. how their team hires juniors"),
    "meeting_day": ("Meeting day", "e.g. Tuesday"),
    "last_topic": ("Last topic", "What you talked about"),
    "user_name": ("Your name", "Set it once in Settings"),
    "name": ("Their name", ""),
    "first_name": ("Their first name", ""),
}


def label(field: str) -> str:
    return FIELD_TEXTS.get(field, (field.replace("_", " ").capitalize(), ""))[0]


def tint(widget: QWidget, rgb: tuple[int, int, int], share: float) -> str:
    """A colour between the window background and ``rgb``: readable in light and dark."""
    pal = widget.palette()
    return mix(pal.color(QPalette.ColorRole.Window), QColor(*rgb), share).name()


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def note_label(owner: QWidget, name: str, rgb: tuple[int, int, int]) -> QLabel:
    """A tinted line for a warning (away, send cap), from the palette in light and dark."""
    fm = QFontMetrics(owner.font())
    pad = fm.height() // 3
    note = QLabel()
    note.setObjectName(f"composer-{name}")
    note.setWordWrap(True)
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setAccessibleName(owner.tr("Warning"))
    text = owner.palette().color(QPalette.ColorRole.WindowText).name()
    note.setStyleSheet(
        f"QLabel#composer-{name} {{ background: {tint(owner, rgb, 0.18)}; color: {text}; "
        f"border: 1px solid {tint(owner, rgb, 0.5)}; border-radius: {pad}px; "
        f"padding: {pad}px {pad * 2}px; }}"
    )
    note.hide()
    return note


#: The composer's title for each kind of message.
TITLES: dict[TemplateKind, str] = {
    TemplateKind.REQUEST: "Write a request",
    TemplateKind.FOLLOW_UP: "Write a follow-up",
    TemplateKind.CLOSE_THE_LOOP: "Close the loop",
    TemplateKind.THANK_YOU: "Write a thank-you",
    TemplateKind.CHECK_IN: "Write a check-in",
    TemplateKind.REFERRER_UPDATE: "Write to the referrer",
    TemplateKind.CONFIRM: "Reply: confirm the time",
    TemplateKind.PROPOSE_TIMES: "Reply: propose other times",
    TemplateKind.THANK_REFERRAL: "Reply: thank them for the referral",
    TemplateKind.POLITE_CLOSE: "Reply: thank them and close",
    TemplateKind.ANSWER: "Reply: answer them",
}
