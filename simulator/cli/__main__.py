"""`python -m simulator.cli`: the `posim` command."""

import sys

from . import main

sys.exit(main())
