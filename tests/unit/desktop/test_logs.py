"""Logs never contain message bodies, tokens or passwords."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import logs
from desktop.jobs import sync_round
from desktop.storage import Store
from tests.helpers.demo_profile import open_demo


@pytest.fixture(autouse=True)
def _close_logs() -> Iterator[None]:
    yield
    logs.shutdown()


def test_a_sync_pass_logs_no_message_text(tmp_path: Path) -> None:
    log_file = logs.setup(tmp_path / "logs", level=logging.DEBUG)
    assert log_file is not None
    demo, clock, paths = open_demo(tmp_path / "profile")
    rounds = Store.open(paths.profile)
    try:
        sync_round(rounds, (demo.mailbox,), clock)
    finally:
        rounds.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "sync demo" in text  # it did log the pass
    for record in demo.store.contacts.all():
        for message in demo.store.messages.for_contact(record.id):
            body = message.text.strip()
            for line in body.splitlines():
                if len(line) > 25:  # long enough not to collide with a log's own words
                    assert line not in text


def test_credentials_are_redacted(tmp_path: Path) -> None:
    log_file = logs.setup(tmp_path / "logs")
    assert log_file is not None
    logging.getLogger("test").warning(
        "refresh failed: access_token=ya29.SECRET refresh_token=1//SECRET2 Bearer eyJSECRET3"
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "SECRET" not in text
    assert "[redacted]" in text


def test_an_unwritable_log_folder_does_not_stop_the_app(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    assert logs.setup(blocker) is None
