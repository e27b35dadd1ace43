"""The user's question bank: the list every new contact's questions start from (a Markdown file
in the profile, edited here)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop import workspace
from ui.a11y import name_controls


class QuestionBankDialog(QDialog):
    """The user's own question bank: the list every new contact's questions start from."""

    def __init__(self, profile: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(profile) / workspace.USER_BANK_NAME
        self.setWindowTitle(self.tr("Your question bank"))
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = workspace.DEFAULT_BANK.read_text(encoding="utf-8")
        self.edit = QPlainTextEdit(text)
        self.edit.setObjectName("question-bank")
        self.edit.setAccessibleName(self.tr("Question bank"))
        hint = QLabel(
            self.tr(
                "One question per line starting with “- ”; headings (#) group them. New contacts "
                "start with these; contacts you already prepared keep their own list."
            )
        )
        hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        fm = QFontMetrics(self.font())
        self.resize(fm.averageCharWidth() * 90, fm.height() * 32)
        name_controls(self)

    def restore_defaults(self) -> None:
        self.edit.setPlainText(workspace.DEFAULT_BANK.read_text(encoding="utf-8"))

    def accept(self) -> None:
        text = self.edit.toPlainText()
        if not workspace.parse_bank(text):
            self.error.setText(self.tr("There is no question in it: start each with “- ”."))
            self.error.show()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            self.error.setText(self.tr("Cannot save {0}: {1}").format(self.path, exc))
            self.error.show()
            return
        super().accept()

    def questions(self) -> list[str]:
        return workspace.parse_bank(self.edit.toPlainText())
