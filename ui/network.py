"""The Network view: referral chains (you → Ana → Raj) as a tree, and for the selected contact
the chain that led to them, whom they introduced, and the "update the referrer" action once a
referred contact was met."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import Stage
from desktop.domain.network import Node, chain_to, chains, introduced_by
from desktop.storage import ContactRecord, Store
from ui.a11y import name_controls

#: Stages at which the referrer should hear how it went.
MET_STAGES = frozenset({Stage.MET, Stage.THANKED, Stage.IN_TOUCH})


class NetworkView(QWidget):
    """Signals:
    contact_selected(int): the user picked a contact in the tree.
    update_referrer_requested(int): write to this (met) contact's referrer.
    """

    contact_selected = Signal(int)
    update_referrer_requested = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setObjectName("network-view")
        self.records: dict[int, ContactRecord] = {}
        self.referrers: dict[int, int | None] = {}
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        title = QLabel(self.tr("Network"))
        f = QFont(title.font())
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        title.setFont(f)
        self.totals = QLabel()
        self.totals.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.tree = QTreeWidget()
        self.tree.setObjectName("network-tree")
        self.tree.setAccessibleName(self.tr("Referral chains"))
        self.tree.setHeaderLabels([self.tr("Who"), self.tr("Stage"), self.tr("Introduced")])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.currentItemChanged.connect(self.on_current_changed)
        self.chain_label = QLabel()
        self.chain_label.setObjectName("network-chain")
        self.chain_label.setWordWrap(True)
        self.chain_label.setTextFormat(Qt.TextFormat.RichText)
        self.introduced_label = QLabel()
        self.introduced_label.setWordWrap(True)
        self.update_button = QPushButton(self.tr("&Update the referrer…"))
        self.update_button.setObjectName("update-referrer")
        self.update_button.clicked.connect(self.on_update_clicked)
        self.update_button.hide()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(pad, 0, 0, 0)
        side_layout.addWidget(self.chain_label)
        side_layout.addWidget(self.introduced_label)
        side_layout.addWidget(self.update_button)
        side_layout.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        # The chain and hint beside the tree wrap into lines of words, never a word per line.
        side.setMinimumWidth(fm.averageCharWidth() * 30)
        self.tree.setMinimumWidth(fm.averageCharWidth() * 30)
        split.setChildrenCollapsible(False)
        self.empty = QLabel(
            self.tr(
                "<p style='font-size:large'><b>No referral chains yet</b></p><p>At the end of "
                "each conversation, ask who else you should talk to: in Interview mode each name "
                "becomes a target introduced by that person, and the chains grow here.</p>"
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.totals)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad)
        layout.addLayout(head)
        layout.addWidget(self.empty, 1)
        layout.addWidget(split, 1)
        self.split = split
        self.current_id: int | None = None
        name_controls(self)

    def refresh(self) -> None:
        self.records = {r.id: r for r in self.store.contacts.all()}
        self.referrers = {cid: r.contact.referrer_id for cid, r in self.records.items()}
        names = {cid: r.contact.name for cid, r in self.records.items()}
        trees = chains(self.referrers, names)
        self.tree.clear()
        you = QTreeWidgetItem([self.tr("You"), "", ""])
        bold = QFont(self.tree.font())
        bold.setBold(True)
        you.setFont(0, bold)
        self.tree.addTopLevelItem(you)
        for node in trees:
            you.addChild(self._item(node))
        self.tree.expandAll()
        referred = sum(1 for r in self.referrers.values() if r is not None)
        self.totals.setText(
            (self.tr("1 chain") if len(trees) == 1 else self.tr("{0} chains").format(len(trees)))
            + " · "
            + (
                self.tr("1 person introduced")
                if referred == 1
                else self.tr("{0} people introduced").format(referred)
            )
        )
        self.empty.setVisible(not trees)
        self.split.setVisible(bool(trees))
        if self.current_id is not None and self.current_id in self.records:
            self.show_details(self.current_id)
        else:
            self.show_details(None)

    def _item(self, node: Node) -> QTreeWidgetItem:
        record = self.records[node.contact_id]
        c = record.contact
        text = c.name + (f" — {c.company}" if c.company else "")
        n = len(node.children)
        item = QTreeWidgetItem([text, self.tr(record.state.stage.label), str(n) if n else ""])
        item.setData(0, Qt.ItemDataRole.UserRole, node.contact_id)
        for child in node.children:
            item.addChild(self._item(child))
        return item

    def on_current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        cid = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.show_details(cid if isinstance(cid, int) else None)
        if isinstance(cid, int):
            self.contact_selected.emit(cid)

    def show_details(self, contact_id: int | None) -> None:
        self.current_id = contact_id
        if contact_id is None or contact_id not in self.records:
            self.chain_label.setText(
                self.tr("Select someone to see how you reached them and whom they introduced.")
            )
            self.introduced_label.clear()
            self.update_button.hide()
            return
        names = [self.records[c].contact.name for c in chain_to(self.referrers, contact_id)]
        self.chain_label.setText(
            "<b>" + " → ".join(_esc(n) for n in [self.tr("You"), *names]) + "</b>"
        )
        kids = sorted(
            self.records[c].contact.name for c in introduced_by(self.referrers, contact_id)
        )
        self.introduced_label.setText(
            self.tr("Introduced you to: {0}").format(", ".join(kids))
            if kids
            else self.tr("Has not introduced anyone yet.")
        )
        record = self.records[contact_id]
        self.update_button.setVisible(
            record.contact.referrer_id is not None
            and record.state.stage in MET_STAGES
            and record.state.referrer_updated_at is None
        )
        if record.contact.referrer_id in self.records:
            referrer = self.records[record.contact.referrer_id or 0].contact.name
            self.update_button.setText(self.tr("&Tell {0} how it went…").format(referrer))

    def on_update_clicked(self) -> None:
        if self.current_id is not None:
            self.update_referrer_requested.emit(self.current_id)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
