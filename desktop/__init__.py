"""Coffeechat: the application (Qt-free core in ``desktop.domain``/``desktop.storage``)."""

from __future__ import annotations


def _version() -> str:
    """The version, written once in pyproject.toml and read from the installed metadata (the
    frozen app bundles that metadata too); a checkout run without installing reads pyproject."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coffeechat")
    except PackageNotFoundError:
        pass
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+unknown"


__version__ = _version()
