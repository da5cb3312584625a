"""Maps the data folders into the wheel as the package `posim_data` (features/ and fixtures/
stay plain folders in the source tree); all other metadata is in pyproject.toml."""

from pathlib import Path

from setuptools import find_packages, setup

DATA = {"posim_data.features": "features", "posim_data.fixtures": "fixtures"}
FILES = ["*.feature", "*.py", "*.yaml", "*.json"]
ASSETS = {
    "simulator.inspector": ["static/*"],  # the inspector's page: served offline
    "simulator.certify": ["templates/*.html", "templates/*.css"],  # the HTML report
}


def data_packages() -> list[str]:
    """Each data folder and its subfolders, as the packages setuptools copies files from."""
    found = []
    for package, folder in DATA.items():
        for path in [Path(folder), *sorted(p for p in Path(folder).rglob("*") if p.is_dir())]:
            if path.name != "__pycache__":
                found.append(".".join([package, *path.relative_to(folder).parts]))
    return found


setup(
    packages=find_packages(include=["reference_backend*", "simulator*", "loadtests*"])
    + data_packages(),
    package_dir=DATA,
    package_data={**{package: FILES for package in data_packages()}, **ASSETS},
)
