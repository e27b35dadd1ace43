"""The composer's header: to whom, from which account, which template, what meeting, and the
language of the dates. It shows the choices and says what is chosen; the dialog decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from desktop.domain.slots import LANGUAGE_NAMES, LANGUAGES, MeetingKind
from desktop.storage import ContactRecord
from desktop.templates import MessageTemplate
from mail.provider import MailProvider
from ui.composer.common import KIND_ORDER, TEMPLATE_LABELS


class HeaderPanel(QWidget):
    """The combo boxes at the top of the settings column (their signals are the combos')."""

    def __init__(
        self,
        providers: Sequence[MailProvider],
        message_templates: Mapping[str, MessageTemplate],
        language: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contact_combo = QComboBox()
        self.contact_combo.setAccessibleName(self.tr("Contact"))
        self.contact_combo.setMinimumContentsLength(28)
        self.account_combo = QComboBox()
        self.account_combo.setAccessibleName(self.tr("Send from"))
        for provider in providers:
            account = provider.account
            text = (
                f"{account.display_name} <{account.address}>"
                if account.display_name
                else account.address
            )
            self.account_combo.addItem(text, account.id)
        if not providers:
            self.account_combo.addItem(self.tr("No mailbox connected"), None)
        self.account_combo.setEnabled(len(providers) > 1)
        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName(self.tr("Template"))
        for kind in KIND_ORDER:
            for name, tpl in sorted(message_templates.items()):
                if tpl.kind is kind:
                    label = self.tr(TEMPLATE_LABELS.get(name, name))
                    if not tpl.builtin:
                        label = self.tr("{0} (yours)").format(label)
                    self.template_combo.addItem(label, name)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(self.tr("Meeting"))
        for meeting, text in (
            (MeetingKind.CALL, self.tr("Phone call — 15 minutes")),
            (MeetingKind.COFFEE, self.tr("Coffee — 30 minutes")),
            (MeetingKind.LUNCH, self.tr("Lunch — 60 minutes")),
        ):
            self.kind_combo.addItem(text, meeting.value)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName(self.tr("Language of the dates"))
        self.language_combo.setToolTip(
            self.tr("Weekday and month names in the proposed times follow this language")
        )
        for code in LANGUAGES:
            self.language_combo.addItem(LANGUAGE_NAMES[code], code)
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(language), 0))

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        # The spacing of the settings column the form used to sit in directly.
        form.setSpacing(QFontMetrics(self.font()).height() // 2)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&To:"), self.contact_combo)
        form.addRow(self.tr("&From:"), self.account_combo)
        form.addRow(self.tr("T&emplate:"), self.template_combo)
        form.addRow(self.tr("&Meeting:"), self.kind_combo)
        form.addRow(self.tr("&Dates in:"), self.language_combo)

    def fill_contacts(self, records: Sequence[ContactRecord], contact_id: int | None) -> None:
        """The contacts by name, ``contact_id`` chosen (else the first), without a signal."""
        ordered = sorted(records, key=lambda r: r.contact.name.casefold())
        self.contact_combo.blockSignals(True)
        for record in ordered:
            text = record.contact.name
            if record.contact.company:
                text += f" — {record.contact.company}"
            self.contact_combo.addItem(text, record.id)
        found = self.contact_combo.findData(contact_id) if contact_id is not None else -1
        self.contact_combo.setCurrentIndex(max(found, 0))
        self.contact_combo.blockSignals(False)

    def template_names(self) -> list[str]:
        return [str(self.template_combo.itemData(i)) for i in range(self.template_combo.count())]

    def select_template(self, name: str | None) -> None:
        """Show ``name`` (else the first template) as chosen, without a signal."""
        index = self.template_combo.findData(name)
        self.template_combo.blockSignals(True)
        self.template_combo.setCurrentIndex(max(index, 0))
        self.template_combo.blockSignals(False)

    def contact_id(self) -> int | None:
        value = self.contact_combo.currentData()
        return value if isinstance(value, int) else None

    def select_contact(self, contact_id: int) -> None:
        self.contact_combo.setCurrentIndex(self.contact_combo.findData(contact_id))

    def contact_ids_after(self) -> list[int]:
        """Every contact in the list's order, starting after the chosen one (and wrapping)."""
        count = self.contact_combo.count()
        start = self.contact_combo.currentIndex()
        out: list[int] = []
        for step in range(1, count):
            value = self.contact_combo.itemData((start + step) % count)
            if isinstance(value, int):
                out.append(value)
        return out

    def template_name(self) -> str:
        return str(self.template_combo.currentData())

    def language(self) -> str:
        return str(self.language_combo.currentData() or "en")

    def meeting_kind(self) -> MeetingKind:
        return MeetingKind(str(self.kind_combo.currentData()))

    def account_id(self) -> int | None:
        value = self.account_combo.currentData()
        return value if isinstance(value, int) else None
