"""The templates editor: defaults and the user's own listed, live preview on a sample contact,
the composer's own validation (missing field by name, syntax error with its line, the sandbox),
new, duplicate, customise, reset and delete — all on real files in a temporary profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop import templates
from desktop.context import AppContext
from desktop.domain.clock import ManualClock
from desktop.paths import Paths
from desktop.settings import Settings
from desktop.storage import Store
from desktop.tasks import Tasks
from tests.helpers.demo_profile import START
from ui.templates_dialog import TemplatesDialog

MINE = (
    "Subject: Hello {{ first_name }}\n\nHi {{ first_name }}, a {{ meeting }}?\n\n{{ user_name }}\n"
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    paths = Paths(profile=tmp_path / "profile", logs=tmp_path / "profile" / "logs")
    store = Store.open(paths.profile)
    (paths.profile / "templates").mkdir()
    (paths.profile / "templates" / "warm_intro.j2").write_text(MINE, encoding="utf-8")
    context = AppContext(
        paths, Settings(user_name="Sam Rivera", message_language="fr"), store,
        ManualClock(START), Tasks(),
    )  # fmt: skip
    yield context
    context.tasks.shutdown()
    store.close()


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> TemplatesDialog:
    d = TemplatesDialog(ctx)
    qtbot.add_widget(d)
    d.show()
    d.confirm_discard = lambda: True  # type: ignore[method-assign]
    d.confirm_delete = lambda name: True  # type: ignore[method-assign]
    return d


def _select(dialog: TemplatesDialog, name: str) -> None:
    row = dialog.names().index(name)
    dialog.template_list.setCurrentRow(row)
    assert dialog.current == name


def _type(qtbot: QtBot, dialog: TemplatesDialog, text: str) -> None:
    with qtbot.wait_signal(dialog.preview_updated, timeout=5000):
        dialog.source_edit.setPlainText(text)


def _user_file(ctx: AppContext, name: str) -> Path:
    return ctx.paths.profile / "templates" / f"{name}.j2"


def test_lists_the_defaults_and_the_users_own(dialog: TemplatesDialog) -> None:
    names = dialog.names()
    assert set(templates.default_names()) <= set(names) and "warm_intro" in names
    labels = [dialog.template_list.item(n).text() for n in range(len(names))]
    assert "Request — someone referred you" in labels
    assert "warm_intro (yours)" in labels
    _select(dialog, "request_referral")
    assert dialog.source_edit.isReadOnly() and not dialog.save_button.isEnabled()
    # The preview: the sample contact, times in the user's language (French), nothing left raw.
    assert dialog.preview_subject.text() == "Subject: Jonas Weber suggested I get in touch"
    body = dialog.preview.toPlainText()
    assert body.startswith("Hi Maya,") and "{{" not in body and "{%" not in body
    assert any(day in body for day in ("lun.", "mar.", "mer.", "jeu.", "ven."))


def test_customise_edit_with_live_preview_save_and_reset(
    qtbot: QtBot, dialog: TemplatesDialog, ctx: AppContext
) -> None:
    _select(dialog, "request_cold")
    assert dialog.customise_current()
    assert _user_file(ctx, "request_cold").read_text(encoding="utf-8") == (
        templates.available(None)["request_cold"].source
    )
    assert dialog.current == "request_cold" and not dialog.source_edit.isReadOnly()
    assert dialog.template_list.currentItem().text() == "Request — no introduction (customised)"

    _type(qtbot, dialog, "Subject: Quick question, {{ first_name }}\n\nHi {{ name }}!\n")
    assert dialog.preview_subject.text() == "Subject: Quick question, Maya"
    assert dialog.preview.toPlainText() == "Hi Maya Chen!\n"
    assert dialog.save_button.isEnabled()
    assert dialog.save_current()
    saved = templates.available(ctx.paths.profile / "templates")["request_cold"]
    assert not saved.builtin and saved.source.startswith("Subject: Quick question")

    assert dialog.reset_current()
    assert not _user_file(ctx, "request_cold").exists()
    assert templates.available(ctx.paths.profile / "templates")["request_cold"].builtin
    assert dialog.source_edit.isReadOnly()


def test_mistakes_are_named_and_a_broken_template_is_never_saved(
    qtbot: QtBot, dialog: TemplatesDialog, ctx: AppContext
) -> None:
    _select(dialog, "warm_intro")
    _type(qtbot, dialog, "Subject: Hi {{ first_name }}\n\nHello {{ favourite_colour }} {{ pet }}\n")
    assert dialog.error.isVisible()
    assert "'favourite_colour', 'pet'" in dialog.error.text()
    assert "The composer will ask for it" in dialog.error.text()
    # The rest of the message still reads, the unknown fields shown by name.
    assert dialog.preview_subject.text() == "Subject: Hi Maya"
    assert dialog.preview.toPlainText() == "Hello «favourite_colour» «pet»\n"

    _type(qtbot, dialog, "Subject: Hi\n\nline one\n{% if company %}\nno end\n")
    assert "mistake on line" in dialog.error.text()
    assert not dialog.save_current()
    assert "Not saved" in dialog.error.text()
    assert _user_file(ctx, "warm_intro").read_text(encoding="utf-8") == MINE

    _type(qtbot, dialog, "Subject: Hi\n\n{{ ''.__class__.__mro__ }}\n")
    assert "reach inside the program" in dialog.error.text()

    _type(qtbot, dialog, "Hello without a subject line\n")
    assert "must start with a 'Subject:' line" in dialog.error.text()
    assert not dialog.save_current()
    assert _user_file(ctx, "warm_intro").read_text(encoding="utf-8") == MINE


def test_new_duplicate_rename_and_delete(
    qtbot: QtBot, dialog: TemplatesDialog, ctx: AppContext
) -> None:
    assert dialog.new_template()
    assert dialog.current == "my_request" and _user_file(ctx, "my_request").exists()
    assert not dialog.error.isVisible(), dialog.error.text()  # the starter text renders

    _select(dialog, "thank_you")
    assert dialog.duplicate_current()
    assert dialog.current == "thank_you_copy"
    assert _user_file(ctx, "thank_you_copy").read_text(encoding="utf-8") == (
        templates.available(None)["thank_you"].source
    )

    # Rename: a bad name and a default's name are refused; a good one moves the file.
    dialog.name_edit.setText("thank you!")
    dialog.on_edited()
    assert not dialog.save_current() and "cannot be a template name" in dialog.error.text()
    dialog.name_edit.setText("check_in")
    assert not dialog.save_current() and "default's name" in dialog.error.text()
    dialog.name_edit.setText("thanks_warm")
    assert dialog.save_current()
    assert (
        _user_file(ctx, "thanks_warm").exists() and not _user_file(ctx, "thank_you_copy").exists()
    )

    assert dialog.delete_current()
    assert not _user_file(ctx, "thanks_warm").exists()
    assert "thanks_warm" not in dialog.names()
    _select(dialog, "check_in")
    assert not dialog.delete_button.isEnabled() and not dialog.delete_current()


def test_unsaved_changes_are_kept_when_the_user_says_so(
    qtbot: QtBot, dialog: TemplatesDialog
) -> None:
    _select(dialog, "warm_intro")
    _type(qtbot, dialog, MINE + "P.S. one more line\n")
    dialog.confirm_discard = lambda: False  # type: ignore[method-assign]
    dialog.template_list.setCurrentRow(dialog.names().index("check_in"))
    assert dialog.current == "warm_intro"
    assert dialog.template_list.currentItem().data(Qt.ItemDataRole.UserRole) == "warm_intro"
    assert "P.S. one more line" in dialog.source_edit.toPlainText()
    dialog.reject()
    assert dialog.isVisible()
