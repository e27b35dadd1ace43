"""The frozen app's entry point (PyInstaller needs a script): the same ``main`` as the
``coffeechat`` console script."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
