"""Where the tests' documents are: the seed fixtures in this tree, the shared real documents beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"  # ../shared: real documents and seeds kept outside the repository
