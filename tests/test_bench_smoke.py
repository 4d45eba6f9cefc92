"""The benchmarks still run (a smoke run of `bench/run_all.py --quick`); their figures are not asserted here:
they are measurements for docs/BENCHMARKS.md, not pass/fail timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.heavy
@pytest.mark.timeout(420)
def test_run_all_quick_writes_every_section(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--quick", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    sections = (
        "## Tool definitions",
        "## Token economy",
        "## Per-call overhead",
        "## Cold start",
        "## Window scaling",
        "## The API path",
        "## The replica",
    )
    for section in (*sections, "## Cache"):
        assert section in text
