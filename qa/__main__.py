"""``python -m qa``: runs the command line (qa.cli)."""

import sys

from qa.cli import main

sys.exit(main())
