"""The workspace's views inside the real main window, on a real profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.context import AppContext
from desktop.domain.model import Contact, Objective
from desktop.domain.workspace import SourceKind
from desktop.storage import Store
from ui.main_window import MainWindow
from ui.workspace import Workspace

FILES = Path(__file__).parent.parent / "desktop" / "import_files"


def test_objectives_view_counts_and_next_steps(
    window: MainWindow, db: Store, seeded: dict[str, int]
) -> None:
    store = db
    o = store.workspace.add_objective(
        Objective(None, "Research careers", ("Mathematician",), ("NASA",))
    )
    store.workspace.set_contact_objectives(seeded["ada"], [o.id or 0])
    store.workspace.set_contact_objectives(seeded["alan"], [o.id or 0])
    window.findChild(Workspace).show_view(0)
    view = window.findChild(Workspace).objectives
    assert window.pages.currentWidget() is view
    [card] = [view.cards.itemAt(i).widget() for i in range(view.cards.count())]
    summary = card.summary  # type: ignore[union-attr]
    assert summary.total == 2
    # Katherine (NASA Langley, Research Mathematician) is not given to it, but matches.
    assert summary.suggested == (seeded["katherine"],)
    assert "1 contact you have matches this objective: add it." in summary.next_steps
    assert "No target yet at NASA." not in summary.next_steps
    assert "Answer 1 person who replied." in summary.next_steps


def _cards(view: object) -> list[object]:
    return [view.cards.itemAt(i).widget() for i in range(view.cards.count())]  # type: ignore[attr-defined]


def test_an_objective_counts_and_adds_the_contacts_already_there(
    qtbot: QtBot, window: MainWindow, db: Store, seeded: dict[str, int]
) -> None:
    db.workspace.add_objective(
        Objective(None, "Mathematics at NASA", ("Mathematician",), ("NASA",))
    )
    workspace = window.findChild(Workspace)
    workspace.show_view(0)
    view = workspace.objectives
    [card] = _cards(view)
    # Alan (Mathematician) and Katherine (NASA Langley) are there already: counted, suggested.
    assert card.summary.suggested == tuple(sorted((seeded["alan"], seeded["katherine"])))  # type: ignore[attr-defined]
    assert card.add_matching.isVisibleTo(card)  # type: ignore[attr-defined]
    assert "2 more match" in " ".join(w.text() for w in card.findChildren(QLabel))  # type: ignore[attr-defined]
    qtbot.mouseClick(card.add_matching, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(lambda: _cards(view)[0].summary.total == 2)  # type: ignore[attr-defined]
    [card] = _cards(view)
    assert card.summary.suggested == ()  # type: ignore[attr-defined]
    assert not card.add_matching.isVisibleTo(card)  # type: ignore[attr-defined]


def test_the_objective_buttons_are_not_clipped_at_800_by_600(
    qtbot: QtBot, window: MainWindow, db: Store, seeded: dict[str, int]
) -> None:
    db.workspace.add_objective(
        Objective(
            None,
            "Move into quantitative research at a large public research laboratory",
            ("Mathematician",),
            ("NASA",),
        )
    )
    window.resize(800, 600)
    workspace = window.findChild(Workspace)
    workspace.show_view(0)
    view = workspace.objectives
    qtbot.wait_until(lambda: bool(_cards(view)))
    [card] = _cards(view)
    qtbot.wait_until(lambda: card.isVisible())  # type: ignore[attr-defined]
    for button in card.findChildren(QPushButton):  # type: ignore[attr-defined]
        if button.isVisibleTo(card):  # type: ignore[attr-defined]
            needed = button.fontMetrics().horizontalAdvance(button.text().replace("&", ""))
            assert button.width() >= needed, button.text()
            viewport = view.scroll_area.viewport()
            right = button.mapTo(viewport, button.rect().topRight()).x()
            assert right < viewport.width(), button.text()  # shown whole, not scrolled off


def test_network_view_shows_chains_and_the_referrer_update(
    window: MainWindow, db: Store, seeded: dict[str, int]
) -> None:
    store = db
    met = seeded["katherine"]
    raj = store.contacts.add(Contact(None, "Raj Patel", ("raj@x.example",), referrer_id=met))
    store.contacts.update(
        Contact(
            met,
            "Katherine Johnson",
            ("kj@nasa.example",),
            company="NASA Langley",
            referrer_id=seeded["ada"],
        )
    )
    window.reload_all()
    window.findChild(Workspace).show_view(1)
    view = window.findChild(Workspace).network
    you = view.tree.topLevelItem(0)
    assert you.text(0) == "You"
    ada = you.child(0)
    assert ada.text(0).startswith("Ada Lovelace")
    kj = ada.child(0)
    assert kj.child(0).text(0) == "Raj Patel"
    view.tree.setCurrentItem(kj)
    assert "You → Ada Lovelace → Katherine Johnson" in view.chain_label.text()
    assert view.introduced_label.text() == "Introduced you to: Raj Patel"
    assert view.update_button.isVisible()  # met, referred, referrer not yet told
    assert "Ada" in view.update_button.text()
    view.tree.setCurrentItem(kj.child(0))
    assert raj.id == window.current_id
    assert not view.update_button.isVisible()  # Raj is only a target


def test_analytics_view_shows_numbers(window: MainWindow) -> None:
    window.findChild(Workspace).show_view(2)
    view = window.findChild(Workspace).analytics
    view.period_combo.setCurrentIndex(3)  # all time
    result = view.result
    assert result is not None and result.requests > 0
    assert view.reply.value.text() == result.reply_rate.percent()
    assert f"of {result.requests} requests answered" in view.reply.detail.text()
    assert view.source_chart.rows


def test_prepare_tab_edits_source_and_questions(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    window.select_contact(seeded["grace"])
    window.findChild(Workspace).open_prepare()
    pane = window.findChild(Workspace).prepare_pane()
    assert window.panel.tabs.currentWidget() is pane
    assert pane.questions.count() >= 15  # seeded from the bank
    store = window.ctx.store
    pane.kind_combo.setCurrentIndex(pane.kind_combo.findData(SourceKind.ARTICLE.value))
    assert pane.article_title.isVisibleTo(pane)
    pane.article_title.setText("Navy code at sea")
    pane.article_title.editingFinished.emit()
    qtbot.wait_until(window.ops.idle)
    assert store.workspace.source(seeded["grace"]).article_title == "Navy code at sea"  # type: ignore[union-attr]
    first = pane.questions.item(0).text()
    pane.questions.setCurrentRow(0)
    pane.question_box.move_down()
    qtbot.wait_until(window.ops.idle)
    assert [q.text for q in store.workspace.questions(seeded["grace"])][1] == first
    pane.research.setPlainText("# Grace\n- wrote the first compiler")
    pane.flush()
    qtbot.wait_until(window.ops.idle)
    assert store.workspace.research(seeded["grace"]).startswith("# Grace")


def test_the_header_source_and_found_through_are_one_field(
    qtbot: QtBot, window: MainWindow, seeded: dict[str, int]
) -> None:
    radia = seeded["radia"]  # added with the words "Article in IEEE Spectrum"
    store = window.ctx.store
    source = store.workspace.source(radia)
    assert source is not None and source.kind is SourceKind.ARTICLE  # analytics group by it
    window.select_contact(radia)
    assert "Source: Article in IEEE Spectrum" in window.panel.details.text()
    window.findChild(Workspace).open_prepare()
    pane = window.findChild(Workspace).prepare_pane()
    assert pane.kind_combo.currentData() == SourceKind.ARTICLE.value
    assert pane.detail.text() == "Article in IEEE Spectrum"
    pane.detail.setText("Spoke at the IEEE panel")
    pane.detail.editingFinished.emit()
    qtbot.wait_until(window.ops.idle)
    qtbot.wait_until(lambda: "Source: Spoke at the IEEE panel" in window.panel.details.text())
    assert store.contacts.get(radia).contact.source == "Spoke at the IEEE panel"


def test_the_notes_placeholder_describes_notes(window: MainWindow) -> None:
    hint = window.panel.notes.placeholderText()
    assert "notes" in hint.casefold()
    assert "research" not in hint.casefold() and "questions to ask" not in hint


def test_import_through_the_dialog(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ui.import_dialog import ImportDialog

    before = window.model.rowCount()
    dialog = ImportDialog(window.ctx.store, window.ops, FILES / "Connections.csv", window)
    qtbot.add_widget(dialog)
    assert dialog.tabs.tabText(0) == "New (4)" and dialog.tabs.tabText(2) == "Rejected (3)"
    assert dialog.rejected_list.topLevelItem(1).text(1).startswith("'chloe at example'")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(window.ops.idle)
    assert dialog.import_result is not None and len(dialog.import_result.added) == 4
    window.reload_all()
    assert window.model.rowCount() == before + 4
    # A CSV whose name column is not recognised: the user maps it.
    odd = tmp_path / "odd.csv"
    odd.write_text("Wer,Mail\nJürgen Weiß,jw@example.de\n", encoding="utf-8")
    mapped = ImportDialog(window.ctx.store, window.ops, odd, window)
    qtbot.add_widget(mapped)
    assert "Cannot import" in mapped.summary.text() and mapped.mapping_box.isVisibleTo(mapped)
    mapped.mapping_combos["email"].setCurrentIndex(mapped.mapping_combos["email"].findData("Mail"))
    mapped.mapping_combos["name"].setCurrentIndex(mapped.mapping_combos["name"].findData("Wer"))
    assert mapped.plan is not None and [p.name for p in mapped.plan.new] == ["Jürgen Weiß"]


def test_backup_and_restore_from_the_window(
    qtbot: QtBot, window: MainWindow, db: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    hooks = window.findChild(Workspace)
    names = sorted(r.contact.name for r in window.model.records())
    backing_up = hooks.backup_now(tmp_path / "b.sqlite3")
    assert backing_up is not None
    qtbot.wait_until(window.ops.idle)  # the copy runs off the GUI thread
    copy = backing_up.result()
    assert copy is not None
    db.contacts.add(Contact(None, "After The Backup"))
    window.reload_all()
    not_ours = tmp_path / "notes.sqlite3"
    shutil.copy(FILES / "Connections.csv", not_ours)
    assert not hooks.restore_backup(not_ours, confirm=False)
    assert "not a Coffeechat backup" in warnings[-1]
    assert hooks.restore_backup(copy, confirm=False)
    qtbot.wait_until(window.ops.idle)
    assert sorted(r.contact.name for r in window.model.records()) == names
    assert Store.open(window.ctx.paths.profile).contacts.count() == len(names)
    # The restore wrote under SQLite's locking: the connections that stayed open see it.
    assert window.ops.db_now(lambda store: store.contacts.count()) == len(names)
    assert window.ctx.store.contacts.count() == len(names)


def test_export_from_the_window(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    exported = window.findChild(Workspace).export("vcard", tmp_path / "all.vcf")
    assert exported is not None
    qtbot.wait_until(window.ops.idle)
    written = exported.result()
    assert (
        written is not None and written.read_text().count("BEGIN:VCARD") == window.model.rowCount()
    )


def test_menus_reach_the_workspace(window: MainWindow) -> None:
    texts = {a.text() for a in window.findChildren(type(window.findChild(Workspace).import_action))}
    for wanted in (
        "&Import contacts…",
        "&Back up now…",
        "&Restore from backup…",
        "&Prepare…",
        "Start &interview…",
        "&Objectives",
        "&Network",
        "&Analytics",
    ):
        assert wanted in texts
    file_menu = window.menuBar().actions()[0].menu()
    assert window.findChild(Workspace).import_action in file_menu.actions()  # type: ignore[union-attr]


def test_a_referral_made_in_an_interview_has_its_draft_in_prepare(
    qtbot: QtBot,
    window: MainWindow,
    db: Store,
    seeded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop import workspace
    from desktop.domain.workspace import InterviewRecord

    done = workspace.finish_interview(
        db,
        InterviewRecord(None, seeded["katherine"], window.now()),
        ["Dorothy Vaughan <dorothy@nasa.example>"],
        window.ctx.settings,
        window.now(),
    )
    window.reload_all()
    new = done.referrals[0].contact_id
    window.findChild(Workspace).open_prepare(new)
    pane = window.findChild(Workspace).prepare_pane()
    assert pane.drafts_box.isVisibleTo(pane) and pane.drafts.count() == 1
    assert "Katherine Johnson suggested I speak with you" in pane.draft_text.toPlainText()
    assert pane.kind_combo.currentData() == SourceKind.REFERRAL.value
    assert pane.referrer_label.text() == "Katherine Johnson"
    written: list[int] = []
    monkeypatch.setattr(window, "write_to", lambda cid, kind=None: written.append(cid))
    pane.on_write_clicked()
    assert written == [new]
    pane.discard_draft()
    qtbot.wait_until(window.ops.idle)
    assert window.ctx.store.workspace.drafts(new) == [] and not pane.drafts_box.isVisibleTo(pane)


def test_the_users_question_bank(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    from desktop import workspace
    from ui.question_bank import QuestionBankDialog

    dialog = QuestionBankDialog(ctx.paths.profile)
    qtbot.add_widget(dialog)
    assert "- What drew you" in dialog.edit.toPlainText()  # starts from ours
    dialog.edit.setPlainText("no questions here")
    dialog.accept()
    assert dialog.result() == 0 and dialog.error.isVisibleTo(dialog)
    dialog.edit.setPlainText("# Mine\n- What is your team's next bet?\n")
    dialog.accept()
    assert workspace.question_bank(ctx.paths.profile) == ["What is your team's next bet?"]
