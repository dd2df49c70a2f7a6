"""``python -m csbridge.cli``."""

import sys

from csbridge.cli import main

sys.exit(main())
