"""``python -m desktop.cli``: the same as the ``coffeechat`` console script."""

import sys

from desktop.cli import main

sys.exit(main())
