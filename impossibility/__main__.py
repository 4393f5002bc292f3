"""``python -m impossibility`` runs the command-line interface."""

import sys

from .tools.cli import main

sys.exit(main())
