"""The item models: Qt's model checks, precise change signals, filtering and the Today order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from desktop.actions import all_due
from desktop.context import AppContext
from desktop.domain.due import ActionKind, DueAction
from desktop.domain.model import Stage
from ui.models.contacts import (
    ID_ROLE,
    RECORD_ROLE,
    ContactFilterProxy,
    ContactsModel,
    StageFilterProxy,
    contact_ids,
)
from ui.models.due import ACTION_ROLE, KIND_ROLE, SECTION_ROLE, DueModel, DueRow


def _model(ctx: AppContext) -> ContactsModel:
    model = ContactsModel()
    model.reset_records(ctx.store.contacts.all())
    return model


def test_contacts_model_passes_qt_model_checks(qtmodeltester, ctx, seeded) -> None:
    qtmodeltester.check(_model(ctx))


def test_proxies_pass_qt_model_checks(qtmodeltester, ctx, seeded) -> None:
    model = _model(ctx)
    table = ContactFilterProxy()
    table.setSourceModel(model)
    table.set_needle("fellow")
    qtmodeltester.check(table)
    column = StageFilterProxy(Stage.REQUESTED)
    column.setSourceModel(model)
    qtmodeltester.check(column)


def test_due_model_passes_qt_model_checks(qtmodeltester, ctx, seeded) -> None:
    model = DueModel()
    actions = all_due(ctx.store.contacts.all(), ctx.clock.now(), ctx.settings.reminders())
    model.set_rows([DueRow(a, "x") for a in actions])
    qtmodeltester.check(model)


def test_upsert_inserts_a_new_contact_with_one_row_signal(qtbot: QtBot, ctx, db, seeded) -> None:
    model = _model(ctx)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    records = ctx.store.contacts.all()
    new = db.contacts.add(records[0].contact.__class__(None, "Zed New"))
    assert new.id is not None
    with qtbot.wait_signal(model.rowsInserted) as blocker:
        model.upsert(ctx.store.contacts.get(new.id))
    assert blocker.args is not None and blocker.args[1:] == [len(records), len(records)]
    assert model.record(new.id) is not None
    assert not resets


def test_upsert_of_a_changed_contact_signals_only_its_row(qtbot: QtBot, ctx, db, seeded) -> None:
    model = _model(ctx)
    ada = seeded["ada"]
    db.contacts.set_notes(ada, "Ask about the engine")
    with qtbot.wait_signal(model.dataChanged) as blocker:
        model.upsert(ctx.store.contacts.get(ada))
    assert blocker.args is not None
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.row() == bottom.row() == model.row_of(ada)


def test_upsert_of_an_unchanged_contact_signals_nothing(qtbot: QtBot, ctx, seeded) -> None:
    model = _model(ctx)
    with qtbot.assert_not_emitted(model.dataChanged):
        model.upsert(ctx.store.contacts.get(seeded["ada"]))


def test_filter_is_case_insensitive_over_name_company_role_and_emails(ctx, seeded) -> None:
    model = _model(ctx)
    proxy = ContactFilterProxy()
    proxy.setSourceModel(model)

    def names(needle: str) -> set[str]:
        proxy.set_needle(needle)
        return {proxy.index(r, 0).data() for r in range(proxy.rowCount())}

    assert names("LOVELACE") == {"Ada Lovelace"}
    assert names("nasa") == {"Katherine Johnson"}  # company
    assert names("rear adm") == {"Grace Hopper"}  # role
    assert names("ghopper@") == {"Grace Hopper"}  # second email
    assert names("") == {r.contact.name for r in ctx.store.contacts.all()}
    assert names("nobody-matches") == set()


def test_stage_proxy_keeps_one_stage_and_follows_changes(qtbot: QtBot, ctx, db, seeded) -> None:
    model = _model(ctx)
    column = StageFilterProxy(Stage.TARGET)
    column.setSourceModel(model)
    ids = {column.index(r, 0).data(ID_ROLE) for r in range(column.rowCount())}
    assert ids == {seeded["donald"], seeded["radia"]}
    from desktop.actions import override_stage

    override_stage(db, seeded["ada"], Stage.TARGET, ctx.clock.now())
    with qtbot.wait_signal(column.rowsInserted):
        model.upsert(ctx.store.contacts.get(seeded["ada"]))
    assert column.rowCount() == 3


def test_drag_payload_round_trips(ctx, seeded) -> None:
    model = _model(ctx)
    row = model.row_of(seeded["ada"])
    assert row is not None
    mime = model.mimeData([model.index(row, 0), model.index(row, 1)])
    assert contact_ids(mime) == [seeded["ada"]]
    record = model.index(row, 0).data(RECORD_ROLE)
    assert record.contact.name == "Ada Lovelace"


def _action(kind: ActionKind, contact_id: int, hours: int) -> DueAction:
    return DueAction(kind, contact_id, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours))


def test_due_model_changes_only_the_rows_that_differ(qtbot: QtBot) -> None:
    model = DueModel()
    rows = [DueRow(_action(ActionKind.FOLLOW_UP, n, n), f"c{n}") for n in range(5)]
    model.set_rows(rows)
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    # Row 0 is the section's header: the third action is row 3.
    with qtbot.wait_signal(model.rowsRemoved) as blocker:
        model.set_rows(rows[:2] + rows[3:])
    assert blocker.args is not None and blocker.args[1:] == [3, 3]
    assert changed == [(0, 0)]  # only the header's count, not its section's rows
    assert model.index(0).data() == "Follow-up due (4)"
    with qtbot.wait_signal(model.rowsInserted) as blocker:
        model.set_rows(rows)
    assert blocker.args is not None and blocker.args[1:] == [3, 3]
    assert [model.index(r).data(ACTION_ROLE) for r in range(1, 6)] == [r.action for r in rows]
    assert model.rows() == rows
    assert not resets
    assert model.rowCount(model.index(0)) == 0
    assert model.data(QModelIndex()) is None


def test_due_model_groups_actions_under_a_header_per_kind(qtbot: QtBot) -> None:
    model = DueModel()
    rows = [
        DueRow(_action(ActionKind.PREPARE, 1, 0), "Alan"),
        DueRow(_action(ActionKind.FOLLOW_UP, 2, 1), "Linus"),
        DueRow(_action(ActionKind.FOLLOW_UP, 3, 2), "Grace"),
    ]
    model.set_rows(rows)
    shown = [
        (model.index(r).data(SECTION_ROLE), model.index(r).data()) for r in range(model.rowCount())
    ]
    assert shown == [
        (True, "Prepare (1)"),
        (False, "Prepare — Alan"),
        (True, "Follow-up due (2)"),
        (False, "Follow-up due — Linus"),
        (False, "Follow-up due — Grace"),
    ]
    header = model.index(0)
    assert not model.flags(header) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(1)) & Qt.ItemFlag.ItemIsSelectable
    assert model.index(2).data(KIND_ROLE) == ActionKind.FOLLOW_UP
    assert model.action_row_near(2, +1) == 3
    assert model.action_row_near(2, -1) == 1
    assert model.action_row_near(0, -1) is None
    assert model.row_of(rows[2].action) == 4
