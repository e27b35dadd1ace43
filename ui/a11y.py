"""Accessible names for controls that were not given one: a button is named by its text, an
input by the label its form row gives it, else by its placeholder. Screen readers then announce
every control of the workspace's views."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def _clean(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(": …").strip()


def name_controls(root: QWidget) -> None:
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            lw = label.widget() if label is not None else None
            fw = field.widget() if field is not None else None
            if isinstance(lw, QLabel) and fw is not None and not fw.accessibleName():
                fw.setAccessibleName(_clean(lw.text()))
    for w in [root, *root.findChildren(QWidget)]:
        if w.accessibleName().strip():
            continue
        name = ""
        if isinstance(w, QAbstractButton):
            name = _clean(w.text()) or w.toolTip()
        elif isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            name = _clean(w.placeholderText()) if hasattr(w, "placeholderText") else ""
        elif isinstance(w, QAbstractItemView | QComboBox):
            name = w.toolTip() or w.objectName().replace("-", " ")
        if name:
            w.setAccessibleName(name)
