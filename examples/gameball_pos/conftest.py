"""Lets the example's tests import pos_client as a third-party project would."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
