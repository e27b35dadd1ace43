"""Showing a stored message without ever reaching the network, and what Coffeechat read it as.

``VerdictBar`` explains a verdict (its kind and the evidence that decided it) and lets the user
correct it: its ``corrected`` signal carries the kind they chose; the contact panel passes it on
to ``desktop.actions.correct_classification`` (stored, and weighed for that sender's next mail).

Two independent guards: the HTML is sanitised with nh3 (scripts, styles and every remote URL of
an image or other resource removed; links kept as text targets that are never opened), and the
browser's ``loadResource`` refuses every URL scheme except inline ``data:``, so even HTML that
slipped past the sanitiser cannot make a request (no tracking pixels).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import nh3
from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QTextBrowser, QToolButton, QWidget

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "font": {"color"},
}
#: Sources a message may embed: inline data and parts of the message itself.
_LOCAL_SOURCES = ("data:", "cid:")


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src" and not value.strip().lower().startswith(_LOCAL_SOURCES):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Safe HTML for display: no scripts, no styles, no remote image or resource sources."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "head", "title"},
        attributes=_ATTRIBUTES,
        attribute_filter=_filter,
        url_schemes={"http", "https", "mailto", "data", "cid"},
        link_rel=None,
    )


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that loads nothing from outside the document and opens no link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        url = QUrl(name) if isinstance(name, str) else name
        if url.scheme().lower() == "data":
            return super().loadResource(kind, url)
        return None

    def show_message(
        self, text: str, html: str, defects: Sequence[str] = (), failure: str = ""
    ) -> None:
        """Plain text when the message has it, else the sanitised HTML. A damaged message says
        so above what could be read of it; so does one the sync could not read (``failure``)."""
        use_html = bool(html.strip() and not text.strip())
        if failure:
            notice = self.tr(
                "Coffeechat could not read this message ({0}), so it did not move the contact. "
                "What could be read is below; the original is unchanged in your mailbox. If it "
                "is a real reply, say so from the message's menu."
            ).format(escape(failure))
            body = (
                sanitize_html(html)
                if use_html
                else (f"<pre style='white-space: pre-wrap'>{escape(text)}</pre>")
            )
            self.setHtml(f"<p><i>{notice}</i></p><hr/>{body}")
            return
        if not defects:
            if use_html:
                self.setHtml(sanitize_html(html))
            else:
                self.setPlainText(text)
            return
        problems = "; ".join(escape(d) for d in defects[:5])
        notice = self.tr(
            "Coffeechat could not read this message properly: it is damaged or unusual ({0}), "
            "so some of it may be missing. What could be read is below; the original is "
            "unchanged in your mailbox."
        ).format(problems)
        body = (
            sanitize_html(html)
            if use_html
            else (f"<pre style='white-space: pre-wrap'>{escape(text)}</pre>")
        )
        self.setHtml(f"<p><i>{notice}</i></p><hr/>{body}")


class VerdictBar(QWidget):
    """ "Read as an automatic reply: header Auto-Submitted ..." and a "Not right?" menu.

    Signals:
        corrected(str): the user said the message is this kind (human, auto_reply or bulk).
    """

    corrected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Why Coffeechat read the message so"))
        self.button = QToolButton()
        self.button.setText(self.tr("Not right?"))
        self.button.setAccessibleName(self.tr("Correct what this message is"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def names(self) -> dict[str, str]:
        return {
            "human": self.tr("a real reply"),
            "auto_reply": self.tr("an automatic reply"),
            "bulk": self.tr("bulk mail"),
            "bounce": self.tr("a bounce"),
            "calendar": self.tr("a calendar reply"),
            "unreadable": self.tr("unreadable"),
        }

    def show_verdict(self, kind: str, evidence: str, *, incoming: bool = True) -> None:
        """Explain ``kind`` by ``evidence``; hidden for the user's own (sent) mail."""
        self.kind = kind
        if not incoming or not kind:
            self.hide()
            return
        name = self.names().get(kind, kind.replace("_", " "))
        because = f" ({evidence})" if evidence else ""
        self.label.setText(self.tr("Read as {0}{1}.").format(name, escape(because)))
        self.menu.clear()
        for choice, label in self.choices():
            action = self.menu.addAction(label)
            action.setData(choice)
            action.triggered.connect(lambda _=False, c=choice: self.corrected.emit(c))
        self.button.setEnabled(bool(self.menu.actions()))
        self.show()

    def choices(self) -> list[tuple[str, str]]:
        """(kind, label) the user may say the message is: never what it already is."""
        options = [
            ("human", self.tr("This was a real reply")),
            ("auto_reply", self.tr("This was an automatic reply")),
            ("bulk", self.tr("This is bulk mail: ignore it")),
        ]
        return [(kind, label) for kind, label in options if kind != self.kind]
