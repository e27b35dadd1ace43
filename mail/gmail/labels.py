"""Gmail labels: Coffeechat's thread flags as nested user labels (``Coffeechat/...``), or the
system labels for starred, important and unread."""

from __future__ import annotations

from googleapiclient.errors import HttpError

from mail.gmail.transport import GmailTransport, http_status
from mail.provider import ProviderError

_SYSTEM_FLAGS = {"starred": "STARRED", "important": "IMPORTANT", "unread": "UNREAD"}


class GmailLabels(GmailTransport):
    """Thread flags as labels; label ids cached by lower-case name."""

    _labels: dict[str, str]

    def set_thread_flag(self, thread_id: str, flag: str, on: bool) -> None:
        system = _SYSTEM_FLAGS.get(flag.lower())
        if system is not None:
            self._modify(thread_id, system, on)
            return
        name = f"Coffeechat/{flag}"
        label = self._user_label(name)
        try:
            self._modify(thread_id, label, on)
        except HttpError as exc:
            if http_status(exc) not in (400, 404):
                raise
            # The label may have been deleted in Gmail since its id was cached: list the labels
            # again, once. If it is still there, the thread is what is missing.
            self._load_labels()
            if self._labels.get(name.lower()) == label:
                raise
            if not on and name.lower() not in self._labels:
                return  # the label is gone, and with it the flag
            self._modify(thread_id, self._user_label(name), on)

    def _modify(self, thread_id: str, label: str, on: bool) -> None:
        body = {"addLabelIds": [label]} if on else {"removeLabelIds": [label]}
        self._execute(
            "threads.modify",
            lambda g: g.users().threads().modify(userId="me", id=thread_id, body=body, fields="id"),
        )

    def _load_labels(self) -> None:
        """The mailbox's labels by name: Gmail's names are unique regardless of case."""
        answer = self._execute(
            "labels.list", lambda g: g.users().labels().list(userId="me", fields="labels(id,name)")
        )
        self._labels = {str(lb["name"]).lower(): str(lb["id"]) for lb in answer.get("labels", [])}

    def _user_label(self, name: str) -> str:
        """The id of the user label ``name``, made when missing. Gmail nests "A/B" under "A"
        only when "A" exists already, so the parents are made first."""
        if name.lower() not in self._labels:
            self._load_labels()
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            self._ensure_label("/".join(parts[:depth]))
        return self._labels[name.lower()]

    def _ensure_label(self, name: str) -> None:
        if name.lower() in self._labels:
            return
        try:
            created = self._execute(
                "labels.create",
                lambda g: (
                    g.users()
                    .labels()
                    .create(
                        userId="me",
                        body={"name": name, "labelListVisibility": "labelShow"},
                        fields="id,name",
                    )
                ),
            )
        except HttpError as exc:
            if http_status(exc) != 409:
                raise
            # Made meanwhile (by the user, another client), or a name that clashes with one of
            # another case: look it up instead of creating it again on every pass.
            self._load_labels()
            if name.lower() not in self._labels:
                raise ProviderError(
                    f"Gmail will not make the label {name!r}: a label name conflicts with it"
                ) from None
            return
        self._labels[name.lower()] = str(created["id"])
