"""Permite ejecutar ``python -m coursekit <subcomando> ...``."""

import sys

from coursekit.cli import main

sys.exit(main())
