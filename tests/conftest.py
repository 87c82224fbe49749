"""Shared fixtures: the project's samples and, where present, ../shared (gold, corpus)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"

# The run's own start-up cache (rules, tokenizer table), not the user's: what a test
# sees must not depend on what ran on this machine before. Inherited by the CLI runs.
os.environ["REPORTMINE_CACHE_DIR"] = tempfile.mkdtemp(prefix="reportmine-test-cache-")
atexit.register(shutil.rmtree, os.environ["REPORTMINE_CACHE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def rules():
    from reportmine.rules import default_rules

    return default_rules()


@pytest.fixture(scope="session")
def sample_docs():
    import reportmine

    return [reportmine.parse_file(p) for p in sorted(SAMPLES.glob("*.txt"))]


def shared_or_skip(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is not here (the shared evaluation data lives beside the repo)")
    return p
