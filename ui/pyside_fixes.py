"""Workarounds for defects of the PySide6 we run on, installed once when ``ui`` is imported.

PySide6 6.12.0: ``SignalInstance.emit()`` and ``SignalInstance.disconnect()`` return ``True``
without owning the reference they hand back. The caller drops the result as usual, so every
``emit`` (and every ``disconnect``) made from Python leaves ``True`` one reference short. True's
count is a few thousand; once that many signals have been emitted it reaches zero and CPython
aborts with "Fatal Python error: bool_dealloc: deallocating True or False", usually while the
interpreter finalizes (an app that quits, a test run that passed), or in the middle of a long
session. Nothing about the signal, its arguments or its receivers matters: a plain
``Signal()`` on a QObject with nothing connected does it.

``install`` checks whether the running PySide6 has the defect (a few emits of a probe signal,
watching True's reference count) and only then wraps the two methods so that each hands its
caller the reference it owes. A PySide6 without the defect is left as it is; so is a Python
whose True is immortal (3.12 on), where the count never moves. Remove this module once the
PySide6 we require no longer has the defect (``install`` then wraps nothing: ``patched`` stays
empty).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

#: ``Py_IncRef`` from the running interpreter: gives back the reference PySide6 did not take.
_incref = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("Py_IncRef", ctypes.pythonapi))

#: How many probe calls decide whether a method has the defect (each one costs True one
#: reference if it does).
_PROBES = 32

#: The methods wrapped by ``install``, by name (empty: not installed, or not needed).
patched: list[str] = []
_installed = False


class _Probe(QObject):
    ping = Signal()


def _noop() -> None:
    pass


def _loses_true(call: Callable[[], object]) -> bool:
    """True when calling ``call`` (and dropping its result) costs True references."""
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        call()
    return sys.getrefcount(True) <= before - _PROBES // 2


def _owning(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method``, handing its caller the reference to the bool it returns."""

    def call(self: SignalInstance, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if result is True or result is False:
            _incref(result)
        return result

    call.__name__ = method.__name__
    call.__qualname__ = method.__qualname__
    call.__doc__ = method.__doc__
    return call


def install() -> None:
    """Wrap ``SignalInstance.emit`` and ``.disconnect`` if this PySide6 has the defect (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    probe = _Probe()
    ping = probe.ping  # the bound signal, made (and cached) before counting

    def connect_and_disconnect() -> object:
        ping.connect(_noop)
        return ping.disconnect(_noop)

    checks: dict[str, Callable[[], object]] = {
        "emit": ping.emit,
        "disconnect": connect_and_disconnect,
    }
    for name, call in checks.items():
        if _loses_true(call):
            setattr(SignalInstance, name, _owning(getattr(SignalInstance, name)))
            patched.append(name)
