"""The Messages page of Settings: the language of dates, the daily request limit, the phone
number for invitations, and the way to the templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.domain.slots import LANGUAGE_NAMES, LANGUAGES
from desktop.settings import RANGES, Settings


class MessagesPage(QWidget):
    """Edits the message settings; ``values()`` gives them back for ``dataclasses.replace``."""

    def __init__(
        self,
        settings: Settings,
        open_templates: Callable[[], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language of dates in messages"))
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(self.language.findData(settings.message_language), 0))
        low, high = RANGES["daily_request_cap"]
        self.daily_cap = QSpinBox()
        self.daily_cap.setAccessibleName(self.tr("Requests a day at most"))
        self.daily_cap.setRange(low, high)
        self.daily_cap.setValue(settings.daily_request_cap)
        self.daily_cap.setSuffix(self.tr(" requests"))
        self.phone = QLineEdit(settings.phone)
        self.phone.setAccessibleName(self.tr("Your phone number"))
        self.phone.setPlaceholderText(self.tr("e.g. +1 555 0100"))
        self.templates_button = QPushButton(self.tr("Edit &templates…"))
        self.templates_button.setAccessibleName(self.tr("Edit templates"))
        self.templates_button.setEnabled(open_templates is not None)
        if open_templates is not None:
            self.templates_button.clicked.connect(open_templates)

        form = QFormLayout(self)
        form.addRow(self.tr("Dates in &messages:"), self.language)
        form.addRow(
            "",
            self._hint(
                self.tr("Weekday and month names of proposed times; each message can differ.")
            ),
        )
        form.addRow(self.tr("Daily &limit:"), self.daily_cap)
        form.addRow(
            "",
            self._hint(
                self.tr(
                    "Requests written one at a time get answers: past this many in a day, "
                    "the composer saves drafts only."
                )
            ),
        )
        form.addRow(self.tr("Your &phone:"), self.phone)
        form.addRow(
            "", self._hint(self.tr("Written into invitations for phone calls, as the place."))
        )
        form.addRow(self.tr("Templates:"), self.templates_button)

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setEnabled(False)
        return label

    def values(self) -> dict[str, Any]:
        return {
            "message_language": str(self.language.currentData()),
            "daily_request_cap": self.daily_cap.value(),
            "phone": self.phone.text().strip(),
        }
