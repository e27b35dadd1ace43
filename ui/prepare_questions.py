"""The Prepare tab's question list: seeded from the question bank, editable, reorderable by drag
or with the buttons. The box says when the user changed the list; the pane saves it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.workspace import Question
from ui.flow import FlowLayout


class QuestionBox(QGroupBox):
    """Signals:
    edited(): the user changed the list (a text, a tick, the order, a question added or removed).
    bank_requested(): the user wants to edit their question bank.
    """

    edited = Signal()
    bank_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A short title: a group box is never narrower than its title, and the panel can be.
        self.setTitle(self.tr("Questions"))
        self.setToolTip(self.tr("The questions you ask: you lead the conversation"))
        fm = QFontMetrics(self.font())
        self.questions = QListWidget()
        self.questions.setObjectName("prepare-questions")
        self.questions.setAccessibleName(self.tr("Questions to ask"))
        self.questions.setWordWrap(True)
        self.questions.setAlternatingRowColors(True)
        self.questions.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.questions.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.questions.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.questions.setMinimumHeight(fm.lineSpacing() * 10)
        self.questions.itemChanged.connect(self.on_item_changed)
        self.questions.model().rowsMoved.connect(self.on_rows_moved)
        buttons = FlowLayout()  # in a narrow panel the buttons wrap onto a second row
        for text, slot, tip in (
            (self.tr("Add…"), self.add_question, self.tr("Add a question")),
            (self.tr("Remove"), self.remove_question, self.tr("Remove the selected question")),
            ("↑", self.move_up, self.tr("Move up")),
            ("↓", self.move_down, self.tr("Move down")),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        bank_button = QToolButton()
        bank_button.setText(self.tr("Your bank…"))
        bank_button.setToolTip(self.tr("Edit the questions every new contact starts with"))
        bank_button.clicked.connect(self.bank_requested)
        buttons.addWidget(bank_button)
        self.count_label = QLabel()
        self.count_label.setEnabled(False)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.questions)
        layout.addLayout(buttons)

    def fill(self, questions: list[Question]) -> None:
        """Show ``questions`` (no ``edited``: nothing was changed by the user)."""
        self.questions.blockSignals(True)
        self.questions.clear()
        for q in questions:
            self._question_item(q.text, q.checked)
        self.questions.blockSignals(False)
        self.update_count()

    def _question_item(self, text: str, checked: bool = False) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(
            item.flags()
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.questions.addItem(item)
        return item

    def update_count(self) -> None:
        self.count_label.setText(self.tr("{0} questions").format(self.questions.count()))

    def current_questions(self) -> list[Question]:
        out = []
        for i in range(self.questions.count()):
            item = self.questions.item(i)
            text = item.text().strip()
            if text:
                out.append(Question(None, text, item.checkState() == Qt.CheckState.Checked))
        return out

    def on_item_changed(self, *_: object) -> None:
        self.edited.emit()

    def on_rows_moved(self, *_: object) -> None:
        QTimer.singleShot(0, self.on_item_changed)  # once the drop is finished

    def add_question(self) -> None:
        text, ok = QInputDialog.getText(self, self.tr("Add a question"), self.tr("Question:"))
        if ok and text.strip():
            self.questions.blockSignals(True)
            item = self._question_item(text.strip())
            self.questions.blockSignals(False)
            self.questions.setCurrentItem(item)
            self.edited.emit()

    def remove_question(self) -> None:
        row = self.questions.currentRow()
        if row >= 0:
            self.questions.takeItem(row)
            self.edited.emit()

    def move_question(self, delta: int) -> None:
        row = self.questions.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.questions.count():
            return
        self.questions.blockSignals(True)
        item = self.questions.takeItem(row)
        self.questions.insertItem(target, item)
        self.questions.setCurrentRow(target)
        self.questions.blockSignals(False)
        self.edited.emit()

    def move_up(self) -> None:
        self.move_question(-1)

    def move_down(self) -> None:
        self.move_question(1)
