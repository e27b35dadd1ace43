"""Interview mode: a focused window for the conversation itself.

A timer for the agreed length that says when the time is up (so the user can point it out, as
promised), the question checklist, notes, and at the end three prompts: who else should I talk
to (each name becomes a target introduced by this contact, with a request drafted), what did
they promise (the thank-you lists them), and what did I promise.

Time comes from the injected clock; a one-second QTimer only asks the window to look at it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import compose, settings, templates, workspace
from desktop.domain.clock import AcceleratedClock, Clock
from desktop.domain.workspace import InterviewRecord, Question
from desktop.storage import StorageError, Store
from ui.a11y import name_controls
from ui.banner import OverlayNotice
from ui.ops import Ops

DEFAULT_MINUTES = 15


def agreed_minutes(store: Store, contact_id: int) -> int:
    """The meeting's length as set, else the standard 15-minute call."""
    state = store.contacts.get(contact_id).state
    if state.meeting_start and state.meeting_end and state.meeting_end > state.meeting_start:
        return max(1, round((state.meeting_end - state.meeting_start).total_seconds() / 60))
    return DEFAULT_MINUTES


def clock_text(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def _lines(text: str) -> list[str]:
    return [line.strip(" -*\u2022\t") for line in text.splitlines() if line.strip(" -*\u2022\t")]


class InterviewWindow(QWidget):
    """The conversation with one contact. Reads the GUI's store; writes (a ticked question, the
    interview at the end) go through ``ops`` to the database worker.

    Signals:
        time_up(): the agreed length has passed (once per interview).
        interview_finished(object): the record was stored; a ``workspace.Finished``.
        thank_you_requested(int): the user wants to write the thank-you now (contact id).
    """

    time_up = Signal()
    interview_finished = Signal(object)
    thank_you_requested = Signal(int)

    def __init__(
        self,
        store: Store,
        ops: Ops,
        clock: Clock,
        contact_id: int,
        prefs: settings.Settings,
        *,
        minutes: int | None = None,
        bank: list[str] | None = None,
        template_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.store = store
        self.ops = ops
        # An interview happens in real time, even in the demo, whose clock runs fast: from the
        # demo's present, at the pace of the real clock.
        if isinstance(clock, AcceleratedClock):
            clock = AcceleratedClock(origin=clock.now(), speed=1.0, base=clock.base)
        self.clock = clock
        self.contact_id = contact_id
        self.prefs = prefs
        self.template_dir = template_dir
        self.record = store.contacts.get(contact_id)
        self.minutes = minutes or agreed_minutes(store, contact_id)
        self.started_at: datetime | None = None
        self.paused_total = timedelta()
        self.paused_at: datetime | None = None
        self.time_up_signalled = False
        self.finished: workspace.Finished | None = None
        name = self.record.contact.name
        self.setWindowTitle(self.tr("Interview with {0} — Coffeechat").format(name))
        self.setObjectName("interview-window")
        fm = QFontMetrics(self.font())
        pad = fm.height() // 2

        # ---- header: who, and the timer
        title = QLabel(name)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        about = " · ".join(p for p in (self.record.contact.role, self.record.contact.company) if p)
        subtitle = QLabel(about)
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.timer_label = QLabel(clock_text(timedelta(minutes=self.minutes)))
        self.timer_label.setObjectName("interview-timer")
        self.timer_label.setAccessibleName(self.tr("Time left"))
        big = QFont(self.timer_label.font())
        big.setPointSizeF(big.pointSizeF() * 2.2)
        big.setBold(True)
        big.setStyleHint(QFont.StyleHint.Monospace)
        self.timer_label.setFont(big)
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.timer_caption = QLabel(self.tr("of {0} minutes agreed").format(self.minutes))
        self.timer_caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.timer_caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.progress = QProgressBar()
        self.progress.setRange(0, self.minutes * 60)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(pad)
        self.progress.setAccessibleName(self.tr("Time used"))
        self.start_button = QPushButton(self.tr("&Start"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.on_start_clicked)
        self.end_button = QPushButton(self.tr("&End interview…"))
        self.end_button.clicked.connect(self.show_end)
        # Floats over the top of the window: when time is up nothing moves under the pointer.
        self.time_banner = OverlayNotice(self, "time-up")
        self.time_banner.setAccessibleName(self.tr("Time is up"))

        left = QVBoxLayout()
        left.addWidget(title)
        left.addWidget(subtitle)
        right = QVBoxLayout()
        right.addWidget(self.timer_label)
        right.addWidget(self.timer_caption)
        head = QHBoxLayout()
        head.addLayout(left, 1)
        head.addLayout(right)
        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addStretch(1)
        controls.addWidget(self.end_button)

        # ---- the conversation: questions and notes
        self.questions = QListWidget()
        self.questions.setObjectName("interview-questions")
        self.questions.setAccessibleName(self.tr("Questions"))
        self.questions.setWordWrap(True)
        self.questions.setAlternatingRowColors(True)
        self.questions.itemChanged.connect(self.on_question_checked)
        stored = store.workspace.questions(contact_id)
        if stored:
            self._fill_questions(stored)
        else:  # the first time: the list is seeded from the bank (a write), then shown
            seed = bank if bank is not None else workspace.question_bank(None)
            self.ops.db(
                lambda worker: workspace.questions_for(worker, contact_id, seed),
                success=self._fill_questions,
            )
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("interview-notes")
        self.notes.setAccessibleName(self.tr("Interview notes"))
        self.notes.setPlaceholderText(
            self.tr("Notes as you go: what surprised you, names, books, next steps…")
        )
        q_box = QWidget()
        q_layout = QVBoxLayout(q_box)
        q_layout.setContentsMargins(0, 0, 0, 0)
        q_layout.addWidget(QLabel(self.tr("<b>Questions</b> — tick them as you ask")))
        q_layout.addWidget(self.questions)
        n_box = QWidget()
        n_layout = QVBoxLayout(n_box)
        n_layout.setContentsMargins(0, 0, 0, 0)
        n_layout.addWidget(QLabel(self.tr("<b>Notes</b>")))
        n_layout.addWidget(self.notes)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(q_box)
        split.addWidget(n_box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        talk = QWidget()
        talk_layout = QVBoxLayout(talk)
        talk_layout.setContentsMargins(0, 0, 0, 0)
        talk_layout.addWidget(split)

        # ---- the end: three prompts
        self.referrals_edit = QPlainTextEdit()
        self.referrals_edit.setObjectName("interview-referrals")
        self.referrals_edit.setAccessibleName(self.tr("Who else should I talk to"))
        self.referrals_edit.setPlaceholderText(
            self.tr("One per line: Raj Patel <raj@example.com>, or Mei Chen (Canva)")
        )
        self.their_edit = QPlainTextEdit()
        self.their_edit.setObjectName("interview-their-promises")
        self.their_edit.setAccessibleName(self.tr("What did they promise"))
        self.their_edit.setPlaceholderText(self.tr("One per line: the reading list, an intro…"))
        self.mine_edit = QPlainTextEdit()
        self.mine_edit.setObjectName("interview-my-promises")
        self.mine_edit.setAccessibleName(self.tr("What did I promise"))
        self.mine_edit.setPlaceholderText(self.tr("One per line: send my portfolio…"))
        for edit in (self.referrals_edit, self.their_edit, self.mine_edit):
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(fm.lineSpacing() * 5)
        end_form = QFormLayout()
        end_form.addRow(
            QLabel(
                self.tr(
                    "<b>Before you forget.</b> Each name becomes a target introduced by {0}, "
                    "with a request ready to send; what they promised goes in the thank-you."
                ).format(templates.first_name(name))
            )
        )
        end_form.addRow(self.tr("&Who else should I talk to?"), self.referrals_edit)
        end_form.addRow(self.tr("What did &they promise?"), self.their_edit)
        end_form.addRow(self.tr("What did &I promise?"), self.mine_edit)
        self.end_buttons = QDialogButtonBox()
        self.save_button = self.end_buttons.addButton(
            self.tr("&Save and finish"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        back = self.end_buttons.addButton(
            self.tr("&Back to the conversation"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.clicked.connect(self.save_and_finish)
        back.clicked.connect(self.show_talk)
        end_page = QWidget()
        end_layout = QVBoxLayout(end_page)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addLayout(end_form)
        end_layout.addStretch(1)
        end_layout.addWidget(self.end_buttons)

        # ---- done: what happened, and the thank-you
        self.summary = QLabel()
        self.summary.setObjectName("interview-summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.thank_you_preview = QPlainTextEdit()
        self.thank_you_preview.setObjectName("thank-you-preview")
        self.thank_you_preview.setAccessibleName(self.tr("Thank-you draft"))
        self.thank_you_preview.setReadOnly(True)
        write = QPushButton(self.tr("&Write the thank-you…"))
        write.setDefault(True)
        write.clicked.connect(self.on_write_thank_you)
        close = QPushButton(self.tr("&Close"))
        close.clicked.connect(self.close)
        done_buttons = QHBoxLayout()
        done_buttons.addStretch(1)
        done_buttons.addWidget(close)
        done_buttons.addWidget(write)
        done_page = QWidget()
        done_layout = QVBoxLayout(done_page)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(self.summary)
        done_layout.addWidget(QLabel(self.tr("<b>Thank-you draft</b> (send it today)")))
        done_layout.addWidget(self.thank_you_preview, 1)
        done_layout.addLayout(done_buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(talk)
        self.pages.addWidget(end_page)
        self.pages.addWidget(done_page)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(pad * 2, pad * 2, pad * 2, pad * 2)
        outer.setSpacing(pad)
        outer.addLayout(head)
        outer.addWidget(self.progress)
        outer.addLayout(controls)
        outer.addWidget(self.pages, 1)

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        self.start_shortcut = QShortcut(QKeySequence("Ctrl+Space"), self)
        self.start_shortcut.activated.connect(self.on_start_clicked)
        self.resize(fm.averageCharWidth() * 120, fm.height() * 36)
        name_controls(self)

    # ------------------------------------------------------------- the timer
    def elapsed(self) -> timedelta:
        if self.started_at is None:
            return timedelta()
        end = self.paused_at or self.clock.now()
        return end - self.started_at - self.paused_total

    def running(self) -> bool:
        return self.started_at is not None and self.paused_at is None

    def start(self) -> None:
        now = self.clock.now()
        if self.started_at is None:
            self.started_at = now
        elif self.paused_at is not None:
            self.paused_total += now - self.paused_at
            self.paused_at = None
        self.start_button.setText(self.tr("&Pause"))
        self.ticker.start()
        self.tick()

    def pause(self) -> None:
        if self.running():
            self.paused_at = self.clock.now()
            self.start_button.setText(self.tr("&Resume"))
            self.ticker.stop()

    def on_start_clicked(self) -> None:
        if self.running():
            self.pause()
        else:
            self.start()

    def tick(self) -> None:
        """Look at the clock: update the countdown, and say so once when the time is up."""
        used = self.elapsed()
        agreed = timedelta(minutes=self.minutes)
        self.progress.setValue(min(int(used.total_seconds()), self.minutes * 60))
        if used < agreed:
            self.timer_label.setText(clock_text(agreed - used))
            return
        self.timer_label.setText("+" + clock_text(used - agreed))
        if not self.time_up_signalled:
            self.time_up_signalled = True
            self.time_banner.show_text(
                self.tr(
                    "Time is up — the {0} minutes you asked for have passed. Point it out: "
                    "“I promised to keep this to {0} minutes; I don't want to take more of your "
                    "time.” If they offer to continue, go on."
                ).format(self.minutes)
            )
            self.time_up.emit()

    # -------------------------------------------------------------- questions
    def _fill_questions(self, questions: list[Question]) -> None:
        self.questions.blockSignals(True)
        for q in questions:
            item = QListWidgetItem(q.text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if q.checked else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, q.id)
            self.questions.addItem(item)
        self.questions.blockSignals(False)

    def on_question_checked(self, item: QListWidgetItem) -> None:
        qid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(qid, int):
            checked = item.checkState() == Qt.CheckState.Checked
            self.ops.db(lambda store: store.workspace.set_question_checked(qid, checked))

    def check_question(self, row: int, on: bool = True) -> None:
        item = self.questions.item(row)
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # ---------------------------------------------------------------- the end
    def show_end(self) -> None:
        self.pages.setCurrentIndex(1)
        self.referrals_edit.setFocus()

    def show_talk(self) -> None:
        self.pages.setCurrentIndex(0)

    def save_and_finish(self) -> None:
        """Store the interview on the database worker; the summary shows once it is stored."""
        self.pause()
        now = self.clock.now()
        record = InterviewRecord(
            None,
            self.contact_id,
            self.started_at or now,
            now,
            self.minutes,
            self.notes.toPlainText().strip(),
            tuple(_lines(self.their_edit.toPlainText())),
            tuple(_lines(self.mine_edit.toPlainText())),
        )
        names = _lines(self.referrals_edit.toPlainText())
        prefs, template_dir = self.prefs, self.template_dir
        self.save_button.setEnabled(False)  # once: the first save is on its way
        self.ops.db(
            lambda store: workspace.finish_interview(
                store, record, names, prefs, now, template_dir
            ),
            success=self.on_saved,
            failure=self.on_save_failed,
        )

    def on_saved(self, done: workspace.Finished) -> None:
        self.finished = done
        self.ticker.stop()
        self._show_done(done)
        self.interview_finished.emit(done)

    def on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, StorageError | templates.TemplateError):
            self.ops.report(exc)
            return
        QMessageBox.warning(
            self,
            self.tr("Not saved"),
            self.tr("The interview could not be saved: {0}\nYour text is kept; try again.").format(
                exc
            ),
        )

    def _show_done(self, done: workspace.Finished) -> None:
        parts = [self.tr("<b>Saved.</b>")]
        new = [r for r in done.referrals if r.created]
        known = [r for r in done.referrals if not r.created]
        if new:
            parts.append(
                self.tr("{0} new {1}, introduced by {2}, each with a request drafted: {3}.").format(
                    len(new),
                    self.tr("target") if len(new) == 1 else self.tr("targets"),
                    templates.first_name(self.record.contact.name),
                    ", ".join(r.name for r in new),
                )
            )
        if known:
            parts.append(
                self.tr("Already in your contacts: {0}.").format(", ".join(r.name for r in known))
            )
        if done.record.my_promises:
            parts.append(self.tr("You promised: {0}.").format("; ".join(done.record.my_promises)))
        self.summary.setText(" ".join(parts))
        self.thank_you_preview.setPlainText(self.thank_you_text())
        self.pages.setCurrentIndex(2)
        self.start_button.setEnabled(False)
        self.end_button.setEnabled(False)

    def thank_you_text(self) -> str:
        """The thank-you as the composer will start it (with what they promised listed)."""
        record = self.store.contacts.get(self.contact_id)
        fields = compose.contact_fields(self.store, record, self.prefs, {})
        try:
            message = templates.render(templates.load("thank_you"), fields)
        except templates.TemplateError as exc:
            return str(exc)
        return f"Subject: {message.subject}\n\n{message.body}"

    def on_write_thank_you(self) -> None:
        self.thank_you_requested.emit(self.contact_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ticker.stop()
        if self.finished is None and self.started_at is not None:
            answer = QMessageBox.question(
                self,
                self.tr("Leave the interview?"),
                self.tr("The interview is not saved yet. Close without saving it?"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                if self.running():
                    self.ticker.start()
                return
        super().closeEvent(event)
