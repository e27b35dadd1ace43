"""Import contacts with a preview: what is new, who is merged (and why), which rows are rejected
and the reason; for a generic CSV, which column holds which field. Nothing is written until
Import is pressed, and then all of it in one transaction, on the database worker (ui.ops)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import importers
from desktop.importers.people import strip_unsafe
from desktop.storage import Store
from ui.a11y import name_controls
from ui.ops import Ops

FIELD_LABELS = {
    "name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail address",
    "company": "Company",
    "role": "Title / role",
    "url": "Profile link",
    "notes": "Notes",
}


class ImportDialog(QDialog):
    def __init__(
        self, store: Store, ops: Ops, path: Path | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.store = store
        self.ops = ops
        self.path: Path | None = None
        self.parsed: importers.Parsed | None = None
        self.plan: importers.Plan | None = None
        self.import_result: importers.Result | None = None
        self.setWindowTitle(self.tr("Import contacts"))
        fm = QFontMetrics(self.font())
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(
            self.tr("LinkedIn's Connections.csv, another CSV, or a .vcf file of contacts")
        )
        choose = QPushButton(self.tr("&Choose file…"))
        choose.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)

        self.mapping_box = QGroupBox(self.tr("Columns"))
        self.mapping_form = QFormLayout(self.mapping_box)
        self.mapping_combos: dict[str, QComboBox] = {}
        for fname in importers.FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(self.tr(FIELD_LABELS[fname]))
            combo.currentIndexChanged.connect(self.on_mapping_changed)
            self.mapping_combos[fname] = combo
            self.mapping_form.addRow(self.tr(FIELD_LABELS[fname]) + ":", combo)
        self.mapping_box.hide()

        self.summary = QLabel()
        self.summary.setObjectName("import-summary")
        self.summary.setWordWrap(True)
        self.new_list = self._tree([self.tr("Name"), self.tr("E-mail"), self.tr("Company")])
        self.merge_list = self._tree([self.tr("Contact"), self.tr("Matched by"), self.tr("Adds")])
        self.rejected_list = self._tree([self.tr("Line"), self.tr("Reason")])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.new_list, self.tr("New"))
        self.tabs.addTab(self.merge_list, self.tr("Merged"))
        self.tabs.addTab(self.rejected_list, self.tr("Rejected"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)
        hint = QLabel(
            self.tr(
                "People already in your contacts are merged (same address, or the same name when "
                "one side has no address); nothing is written until you press Import."
            )
        )
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.resize(fm.averageCharWidth() * 100, fm.height() * 34)
        if path is not None:
            self.load(path)
        name_controls(self)

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        tree.header().setStretchLastSection(True)
        return tree

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import contacts"),
            str(Path.home()),
            self.tr("Contacts (*.csv *.vcf *.vcard);;All files (*)"),
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path, mapping: dict[str, str] | None = None) -> None:
        self.path = path
        self.file_edit.setText(str(path))
        try:
            self.parsed = importers.read_file(path, mapping)
        except importers.ImportError_ as exc:
            self.parsed = None
            self.plan = None
            self.summary.setText(f"<b>{self.tr('Cannot import this file.')}</b> {_esc(str(exc))}")
            self.import_button.setEnabled(False)
            self._fill_lists()
            if mapping is None:
                self._offer_mapping_from_header(path)
            return
        if mapping is None:
            self._fill_mapping()
        self.plan = importers.plan(self.store, self.parsed)
        self._show_plan()

    def _offer_mapping_from_header(self, path: Path) -> None:
        """A CSV whose name column was not recognised: let the user pick it."""
        try:  # decoded as the import reads it: a UTF-16 or UTF-32 export by its mark
            first = strip_unsafe(importers.file_text(path)).splitlines()[:1]
        except importers.ImportError_:
            return
        if not first or path.suffix.lower() in (".vcf", ".vcard"):
            return
        import csv

        try:
            columns = next(csv.reader(first, csv.Sniffer().sniff(first[0], ",;\t")))
        except (csv.Error, StopIteration):
            columns = next(csv.reader(first))
        self._set_columns([c.strip() for c in columns], {})

    def _fill_mapping(self) -> None:
        parsed = self.parsed
        if parsed is None or parsed.format is not importers.Format.CSV:
            self.mapping_box.hide()
            return
        self._set_columns(list(parsed.columns), dict(parsed.mapping))

    def _set_columns(self, columns: list[str], mapping: dict[str, str]) -> None:
        for fname, combo in self.mapping_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(none)"), "")
            for c in columns:
                combo.addItem(c, c)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(fname, ""))))
            combo.blockSignals(False)
        self.mapping_box.show()

    def current_mapping(self) -> dict[str, str]:
        return {f: str(c.currentData()) for f, c in self.mapping_combos.items() if c.currentData()}

    def on_mapping_changed(self, *_: object) -> None:
        if self.path is not None:
            self.load(self.path, self.current_mapping())

    def _show_plan(self) -> None:
        plan = self.plan
        assert plan is not None
        kind = {
            importers.Format.LINKEDIN: self.tr("LinkedIn connections"),
            importers.Format.CSV: self.tr("CSV file"),
            importers.Format.VCARD: self.tr("vCard file"),
        }[plan.format]
        self.summary.setText(
            f"<b>{kind}</b>: " + _esc(importers.describe(plan).splitlines()[0]) + "."
        )
        self._fill_lists()
        self.tabs.setTabText(0, self.tr("New ({0})").format(len(plan.new)))
        self.tabs.setTabText(1, self.tr("Merged ({0})").format(len(plan.merges)))
        self.tabs.setTabText(2, self.tr("Rejected ({0})").format(len(plan.rejected)))
        self.import_button.setEnabled(bool(plan.new or plan.merges))

    def _fill_lists(self) -> None:
        for tree in (self.new_list, self.merge_list, self.rejected_list):
            tree.clear()
        plan = self.plan
        if plan is None:
            return
        self.new_list.addTopLevelItems(
            [QTreeWidgetItem([p.name, ", ".join(p.emails), p.company]) for p in plan.new]
        )
        for m in plan.merges:
            adds = [*m.new_emails]
            if m.company:
                adds.append(m.company)
            if m.role:
                adds.append(m.role)
            self.merge_list.addTopLevelItem(
                QTreeWidgetItem([m.name, self.tr(m.by), ", ".join(adds) or self.tr("nothing new")])
            )
        for r in plan.rejected:
            item = QTreeWidgetItem([str(r.line), r.reason])
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight)
            item.setToolTip(1, r.text)
            self.rejected_list.addTopLevelItem(item)

    def do_import(self) -> None:
        """Write the plan on the database worker; the dialog closes once it is written."""
        plan = self.plan
        if plan is None:
            return
        self.import_button.setEnabled(False)  # once: the import is on its way
        self.ops.db(
            lambda store: importers.apply(store, plan),
            success=self.on_imported,
            failure=self.on_import_failed,
        )

    def on_imported(self, result: importers.Result) -> None:
        self.import_result = result
        self.accept()

    def on_import_failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(True)
        if not isinstance(exc, importers.ImportError_):
            self.ops.report(exc)
            return
        self.summary.setText(f"<b>{self.tr('Nothing was imported.')}</b> {_esc(str(exc))}")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
