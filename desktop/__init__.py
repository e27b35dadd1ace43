"""Coffeechat: the application (Qt-free core in ``desktop.domain``/``desktop.storage``)."""

__version__ = "0.1.0"
