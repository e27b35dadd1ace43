"""The application icon in every format, from the one SVG in resources/icons.

    python packaging/icons.py               render the hicolor PNGs (commit them)
    python packaging/icons.py --ico FILE    write a Windows .ico from the PNGs (needs Pillow)
    python packaging/icons.py --icns FILE   write a macOS .icns from the PNGs (needs Pillow)

The PNGs are rendered with QtSvg, the renderer the app itself uses, so what the desktop shows
matches the SVG. The .ico and .icns are made at build time by the spec (packaging group).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop import resources  # noqa: E402  (the path above makes a checkout importable)

#: The sizes each platform's icon container holds.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render(size: int) -> QImage:
    """The SVG drawn at ``size`` x ``size`` pixels, on transparent."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(resources.icon_file()))
    if not renderer.isValid():
        raise SystemExit(f"icons: cannot read {resources.icon_file()}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def render_pngs() -> list[Path]:
    """Render the SVG to every size in resources.ICON_SIZES; returns the files written."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    written = []
    for size in resources.ICON_SIZES:
        target = resources.icon_file(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(target)):  # PNG, from the suffix
            raise SystemExit(f"icons: cannot write {target}")
        written.append(target)
    return written


def write_ico(target: Path) -> Path:
    """A Windows .ico holding every ICO_SIZES picture (from the largest PNG, which Pillow
    scales down for each; the small PNGs are drawn to the same grid, so they agree)."""
    from PIL import Image

    largest = Image.open(resources.icon_file(256)).convert("RGBA")
    target.parent.mkdir(parents=True, exist_ok=True)
    largest.save(target, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    return target


def write_icns(target: Path) -> Path:
    """A macOS .icns from the 512 px PNG and the smaller ones."""
    from PIL import Image

    largest = Image.open(resources.icon_file(512)).convert("RGBA")
    smaller = [Image.open(resources.icon_file(s)).convert("RGBA") for s in ICNS_SIZES[:-1]]
    target.parent.mkdir(parents=True, exist_ok=True)
    largest.save(target, format="ICNS", append_images=smaller)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ico", type=Path, metavar="FILE", help="write a Windows .ico")
    parser.add_argument("--icns", type=Path, metavar="FILE", help="write a macOS .icns")
    args = parser.parse_args(argv)
    if args.ico or args.icns:
        for target, write in ((args.ico, write_ico), (args.icns, write_icns)):
            if target:
                print(f"icons: wrote {write(target)}")
        return 0
    for target in render_pngs():
        print(f"icons: wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
