"""``python -m impossibility.study``: see :func:`impossibility.study.cli.main`."""

import sys

from .cli import main

sys.exit(main())
