"""Paths shared by the ingest tests (fixtures, the seed page, the evaluation data)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
SEED_PAGE = ROOT.parent / "shared" / "seeds" / "seed-page.txt"


def eval_data() -> Path:
    """Real evaluation data (never copied into the repository), ``../shared/data`` unless overridden."""
    return Path(os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data")
