"""Showing a stored message without ever reaching the network.

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
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

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
            "This message is damaged or unusual, so Coffeechat may not show all of it ({0}). "
            "What could be read is below; the original is unchanged in your mailbox."
        ).format(problems)
        body = (
            sanitize_html(html)
            if use_html
            else (f"<pre style='white-space: pre-wrap'>{escape(text)}</pre>")
        )
        self.setHtml(f"<p><i>{notice}</i></p><hr/>{body}")
