"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE_INVENTORY = ROOT / "inventories" / "sample"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The real third-party data in ``../shared/realdata`` (never copied into the repo).

    Skips when the folder is absent, as in a user's fresh clone.
    """
    if not REALDATA.is_dir():
        pytest.skip(f"real data folder {REALDATA} is absent (it ships beside the repo, not in it)")
    return REALDATA


@pytest.fixture(scope="session")
def netjson_schema_dir(realdata: Path) -> Path:
    return realdata / "netjson" / "schema"
