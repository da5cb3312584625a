"""Where the data folders the commands need live: features/ and fixtures/ (checklists, fault
plans, vendor facts). An installed wheel carries them as the package `posim_data`; a source
tree has them beside the code. The installed copy is looked up first."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("features", "fixtures")


def data_dir(name: str) -> Path:
    """The folder `name` (one of FOLDERS): from the installed package, else the source tree."""
    if name not in FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; one of {', '.join(FOLDERS)}")
    try:
        spec = importlib.util.find_spec(f"posim_data.{name}")
    except ModuleNotFoundError:  # not installed from a wheel: a source checkout
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return SOURCE_ROOT / name
