"""The Objectives view: per objective (titles, companies, industries to explore), how many
contacts stand at each stage and what to do next; objectives are added, edited and given
contacts here."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import STAGE_ORDER, Objective, Stage
from desktop.domain.objectives import ObjectiveSummary, matches
from desktop.storage import Store
from ui.a11y import name_controls
from ui.ops import Ops

#: Stage colours (hue, saturation) for the bars; lightness comes from the palette.
STAGE_HUES: dict[Stage, int] = {
    Stage.TARGET: 210,
    Stage.REQUESTED: 45,
    Stage.REPLIED: 280,
    Stage.SCHEDULED: 190,
    Stage.MET: 150,
    Stage.THANKED: 95,
    Stage.IN_TOUCH: 255,
    Stage.DECLINED: 0,
    Stage.NO_RESPONSE: 20,
    Stage.BOUNCED: 350,
}


def stage_colour(stage: Stage, palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor.fromHsl(STAGE_HUES[stage], 150, 120 if dark else 150)


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


class ObjectiveDialog(QDialog):
    def __init__(self, objective: Objective | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit objective") if objective else self.tr("New objective"))
        self.objective_id = objective.id if objective else None
        self.title_edit = QLineEdit(objective.title if objective else "")
        self.title_edit.setPlaceholderText(self.tr("e.g. Move into product management"))
        self.titles_edit = QLineEdit(", ".join(objective.titles) if objective else "")
        self.titles_edit.setPlaceholderText(self.tr("e.g. Product Manager, Product Owner"))
        self.companies_edit = QLineEdit(", ".join(objective.companies) if objective else "")
        self.companies_edit.setPlaceholderText(self.tr("e.g. Figma, Canva, Spotify"))
        self.industries_edit = QLineEdit(", ".join(objective.industries) if objective else "")
        self.industries_edit.setPlaceholderText(self.tr("e.g. design tools, fintech"))
        form = QFormLayout()
        form.addRow(self.tr("&Objective:"), self.title_edit)
        form.addRow(self.tr("&Titles:"), self.titles_edit)
        form.addRow(self.tr("&Companies:"), self.companies_edit)
        form.addRow(self.tr("&Industries:"), self.industries_edit)
        hint = QLabel(self.tr("Separate several with commas. The goal is to learn, not a job."))
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(QFontMetrics(self.font()).averageCharWidth() * 60)
        name_controls(self)

    def accept(self) -> None:
        if not self.title_edit.text().strip():
            self.title_edit.setFocus()
            self.title_edit.setPlaceholderText(self.tr("An objective needs a name"))
            return
        super().accept()

    def objective(self) -> Objective:
        return Objective(
            self.objective_id,
            self.title_edit.text().strip(),
            _split(self.titles_edit.text()),
            _split(self.companies_edit.text()),
            _split(self.industries_edit.text()),
        )


class MembersDialog(QDialog):
    """Which contacts serve an objective: a filtered, checkable list."""

    def __init__(self, store: Store, objective: Objective, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Contacts for “{0}”").format(objective.title))
        self.objective = objective
        members = store.workspace.objective_members().get(objective.id or -1, set())
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by name, company or role"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.on_filter)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Contacts"))
        self.list.setUniformItemSizes(True)
        for r in store.contacts.all():
            c = r.contact
            item = QListWidgetItem(" — ".join(p for p in (c.name, c.role, c.company) if p))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if r.id in members else Qt.CheckState.Unchecked
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, matches(objective, c))
            self.list.addItem(item)
        match = QPushButton(self.tr("Tick &matching"))
        match.setToolTip(self.tr("Tick the contacts at the objective's companies or titles"))
        match.clicked.connect(self.tick_matching)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(match, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        fm = QFontMetrics(self.font())
        self.resize(fm.averageCharWidth() * 70, fm.height() * 30)
        name_controls(self)

    def on_filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def tick_matching(self) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole + 1):
                item.setCheckState(Qt.CheckState.Checked)

    def chosen(self) -> set[int]:
        return {
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        }


class StageBar(QWidget):
    """One objective's contacts as a bar of stage segments, with a legend underneath."""

    def __init__(self, counts: dict[Stage, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.counts = counts
        total = sum(counts.values())
        self.setAccessibleName(
            self.tr("Stages: ")
            + ", ".join(f"{self.tr(s.label)} {n}" for s, n in counts.items() if n)
            if total
            else self.tr("No contacts")
        )

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(fm.averageCharWidth() * 60, fm.height() * 3)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        bar_h = fm.height()
        w = self.width()
        total = sum(self.counts.values())
        pal = self.palette()
        track = QRectF(0.5, 0.5, w - 1.0, bar_h)
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        p.setBrush(pal.color(QPalette.ColorRole.AlternateBase))
        p.drawRoundedRect(track, bar_h / 4, bar_h / 4)
        x = 0.5
        legend_x = 0
        for stage in STAGE_ORDER:
            n = self.counts.get(stage, 0)
            if not n or not total:
                continue
            seg = (w - 1.0) * n / total
            colour = stage_colour(stage, pal)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRect(QRectF(x, 0.5, seg, bar_h))
            if seg > fm.horizontalAdvance(str(n)) + 6:
                p.setPen(QColor("black"))
                p.drawText(QRectF(x, 0.5, seg, bar_h), Qt.AlignmentFlag.AlignCenter, str(n))
            x += seg
            # Legend.
            text = f"{self.tr(stage.label)} {n}"
            y = bar_h + fm.height() // 2
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(QRectF(legend_x, y + 3, fm.height() - 6, fm.height() - 6), 2, 2)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(legend_x + fm.height(), y + fm.ascent(), text)
            legend_x += fm.height() + fm.horizontalAdvance(text) + fm.averageCharWidth() * 2
        if not total:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(track, Qt.AlignmentFlag.AlignCenter, self.tr("no contacts yet"))
        p.end()


class ObjectiveCard(QFrame):
    def __init__(self, summary: ObjectiveSummary, view: ObjectivesView):
        super().__init__()
        self.setObjectName("objective-card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = summary
        o = summary.objective
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        title = QLabel(o.title)
        title.setWordWrap(True)
        f = QFont(title.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        title.setFont(f)
        said = (
            self.tr("1 contact")
            if summary.total == 1
            else self.tr("{0} contacts").format(summary.total)
        )
        if summary.suggested:
            said += ", " + self.tr("{0} more match").format(len(summary.suggested))
        count = QLabel(said)
        count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        #: Gives the matching contacts to the objective (hidden when none match).
        self.add_matching = QPushButton(self.tr("&Add {0} matching").format(len(summary.suggested)))
        self.add_matching.setToolTip(
            self.tr("Give this objective the contacts at its companies or with its titles")
        )
        self.add_matching.clicked.connect(lambda: view.add_members(o, summary.suggested))
        self.add_matching.setVisible(bool(summary.suggested))
        edit = QPushButton(self.tr("Edit…"))
        edit.clicked.connect(lambda: view.edit_objective(o))
        members = QPushButton(self.tr("Contacts…"))
        members.clicked.connect(lambda: view.edit_members(o))
        self.delete_button = delete = QPushButton(self.tr("Delete"))
        delete.clicked.connect(lambda: view.delete_objective(o))
        # The title (which wraps) and the count on one line, the buttons on their own: a long
        # title never squeezes a button below its text.
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(count)
        row = QHBoxLayout()
        row.addStretch(1)
        for b in (self.add_matching, members, edit, delete):
            b.setMinimumWidth(b.sizeHint().width())
            row.addWidget(b)
        facets = []
        if o.titles:
            facets.append(self.tr("Titles: {0}").format(", ".join(o.titles)))
        if o.companies:
            facets.append(self.tr("Companies: {0}").format(", ".join(o.companies)))
        if o.industries:
            facets.append(self.tr("Industries: {0}").format(", ".join(o.industries)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad * 2)
        layout.addLayout(head)
        layout.addLayout(row)
        if facets:
            about = QLabel("   ·   ".join(facets))
            about.setWordWrap(True)
            layout.addWidget(about)
        layout.addWidget(StageBar(dict(summary.counts)))
        if summary.next_steps:
            steps = QLabel(
                "<b>"
                + self.tr("Next")
                + "</b><ul style='margin:0'>"
                + "".join(f"<li>{_esc(s)}</li>" for s in summary.next_steps)
                + "</ul>"
            )
            steps.setTextFormat(Qt.TextFormat.RichText)
            steps.setWordWrap(True)
            layout.addWidget(steps)
        name_controls(self)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ObjectivesView(QWidget):
    """Reads the GUI's store; writes through ``ops`` (on the database worker) and refreshes
    once the write is done.

    Signals:
    changed(): objectives or their contacts changed.
    """

    changed = Signal()

    def __init__(self, store: Store, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.ops = ops
        self.setObjectName("objectives-view")
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2
        title = QLabel(self.tr("Objectives"))
        f = QFont(title.font())
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        title.setFont(f)
        new = QPushButton(self.tr("&New objective…"))
        new.clicked.connect(self.new_objective)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(new)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(pad)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addLayout(self.cards)
        inner_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(inner)
        self.empty = QLabel(
            self.tr(
                "<p style='font-size:large'><b>No objectives yet</b></p><p>Name what you want to "
                "explore — titles, companies, industries — and Coffeechat shows, for each, who "
                "you are talking to and what to do next.</p>"
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad * 2, pad * 2, pad)
        layout.addLayout(head)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.scroll_area, 1)
        name_controls(self)

    def refresh(self) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        from desktop import workspace  # the composer's modules load only when needed

        summaries = workspace.objective_overview(self.store)
        for s in summaries:
            self.cards.addWidget(ObjectiveCard(s, self))
        self.empty.setVisible(not summaries)
        self.scroll_area.setVisible(bool(summaries))

    def new_objective(self) -> None:
        dialog = ObjectiveDialog(None, self)
        if dialog.exec():
            objective = dialog.objective()
            self.ops.db(
                lambda store: store.workspace.add_objective(objective), success=self.on_written
            )

    def edit_objective(self, objective: Objective) -> None:
        dialog = ObjectiveDialog(objective, self)
        if dialog.exec():
            edited = dialog.objective()
            self.ops.db(
                lambda store: store.workspace.update_objective(edited), success=self.on_written
            )

    def edit_members(self, objective: Objective) -> None:
        dialog = MembersDialog(self.store, objective, self)
        if dialog.exec() and objective.id is not None:
            chosen, oid = dialog.chosen(), objective.id

            def write(store: Store) -> None:
                before = store.workspace.objective_members().get(oid, set())
                with store.transaction():
                    for cid in chosen ^ before:
                        ids = set(store.workspace.contact_objectives(cid))
                        ids = ids | {oid} if cid in chosen else ids - {oid}
                        store.workspace.set_contact_objectives(cid, sorted(ids))

            self.ops.db(write, success=self.on_written)

    def add_members(self, objective: Objective, contact_ids: Sequence[int]) -> None:
        """Give the objective these contacts (the matching ones), on the database worker."""
        if objective.id is None or not contact_ids:
            return
        oid, chosen = objective.id, list(contact_ids)

        def write(store: Store) -> None:
            with store.transaction():
                for cid in chosen:
                    ids = set(store.workspace.contact_objectives(cid)) | {oid}
                    store.workspace.set_contact_objectives(cid, sorted(ids))

        self.ops.db(write, success=self.on_written)

    def delete_objective(self, objective: Objective) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Delete objective"),
            self.tr("Delete “{0}”? Its contacts stay; only the objective goes.").format(
                objective.title
            ),
        )
        if answer == QMessageBox.StandardButton.Yes and objective.id is not None:
            oid = objective.id
            self.ops.db(
                lambda store: store.workspace.delete_objective(oid), success=self.on_written
            )

    def on_written(self, _result: object) -> None:
        """A write is on the database: show it."""
        self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.changed.emit()
