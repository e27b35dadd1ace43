"""Where the files shipped with Coffeechat are (templates, icons, the desktop entry). Qt-free.

The same ``resources/`` folder reaches the user three ways, and ``root()`` finds it in each:

* the frozen app (PyInstaller): ``resources/`` beside the bundled code (``sys._MEIPASS``);
* an installed wheel: the data package ``coffeechat_resources`` (pyproject maps it onto the
  folder, so an editable install finds the checkout's folder the same way);
* a plain checkout run without installing: the folder next to ``desktop/``.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

#: The importable name of the resources folder in an installed wheel.
PACKAGE = "coffeechat_resources"
#: The application icon's name (the hicolor theme name, the desktop file's Icon=).
ICON_NAME = "coffeechat"
#: The icon sizes shipped as PNG, besides the SVG.
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


class ResourcesMissingError(RuntimeError):
    """The installation is incomplete: the shipped files cannot be found."""


def _candidates() -> list[Path]:
    found: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        found.append(Path(bundle) / "resources")
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        found.extend(Path(p) for p in spec.submodule_search_locations)
    found.append(Path(__file__).resolve().parent.parent / "resources")
    return found


@cache
def root() -> Path:
    """The resources folder; ResourcesMissingError (naming where it looked) if there is none."""
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / "templates").is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise ResourcesMissingError(
        f"Coffeechat's own files (templates, icons) are missing; looked in: {looked}. "
        f"Reinstall Coffeechat."
    )


def path(*parts: str) -> Path:
    """A file or folder inside the resources folder (it may not exist)."""
    return root().joinpath(*parts)


def icon_file(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels."""
    if size is None:
        return path("icons", "hicolor", "scalable", "apps", f"{ICON_NAME}.svg")
    return path("icons", "hicolor", f"{size}x{size}", "apps", f"{ICON_NAME}.png")
