"""How long the tests take a newcomer and CI: `.ci/run` in fresh clones of HEAD, timed step by step.

`python bench/suite_time.py` clones the committed HEAD into a temporary folder `--runs` times (3 by default)
and runs `bash .ci/run` there as CI does (CI=true), one clone after another, with the machine's warm caches
(uv, npm, apt). `.ci/run` prints how long each test step took (`default suite: N s`, the README's test command
verbatim, install check included; the same suite under shifted clocks; `heavy tests: N s`); the whole run is
timed here. `--cold` adds one more run with empty uv, pip and npm caches (everything downloaded again),
reported on its own row. The figures go into the "Test suite times" section of docs/BENCHMARKS.md
(`bench/run_all.py` keeps that section when it rewrites the page). Each run takes about a quarter of an hour
on the 2-core machine: this is not part of run_all.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## Test suite times"
STEPS = {
    "default": r"^default suite: (\d+) s$",
    "shifted": r"^default suite on other days: (\d+) s$",
    "heavy": r"^heavy tests: (\d+) s$",
}
BUDGET_S = {"default": 8 * 60, "whole": 30 * 60}


def one_run(work: Path, index: int, cold: bool) -> dict[str, float]:
    """`.ci/run` in a fresh clone: the seconds of each step and of the whole run; SystemExit if it failed."""
    clone = work / f"clone-{index}"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)  # noqa: S603, S607
    env = {**os.environ, "CI": "true"}
    if cold:
        caches = work / f"caches-{index}"
        env |= {
            "UV_CACHE_DIR": str(caches / "uv"),
            "PIP_NO_CACHE_DIR": "1",
            "npm_config_cache": str(caches / "npm"),
        }
    log = work / f"run-{index}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(["bash", ".ci/run"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S607
    whole = time.perf_counter() - started
    text = log.read_text(errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"run {index}: .ci/run failed (exit {done.returncode}); the log ends:\n{text[-3000:]}")
    figures = {"whole": whole}
    for step, pattern in STEPS.items():
        found = re.search(pattern, text, re.MULTILINE)
        if not found:
            raise SystemExit(f"run {index}: .ci/run printed no '{step}' time")
        figures[step] = float(found.group(1))
    print(f"run {index}{' (cold)' if cold else ''}: {figures}", file=sys.stderr, flush=True)
    return figures


def spread(values: list[float]) -> str:
    return f"{statistics.median(values) / 60:.1f} min ({min(values) / 60:.1f}–{max(values) / 60:.1f})"


def section(warm: list[dict[str, float]], cold: dict[str, float] | None, load: tuple[float, float]) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)  # noqa: S607
    rows = [
        ("README's test command (the default suite, install check included)", "default"),
        ("the default suite twice more, the clock 60 days ahead and 30 days back (`faketime`)", "shifted"),
        ("the heavy tests (`pytest -m heavy`)", "heavy"),
        ("the whole `.ci/run` (install from the lock, the three test steps, ruff, mypy)", "whole"),
    ]
    lines = [
        HEADING,
        "",
        f"Written by `python bench/suite_time.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit "
        f"{commit.stdout.strip()}: `bash .ci/run` with CI=true in {len(warm)} fresh clones, one after another, "
        f"with warm uv, npm and apt caches; load average {load[0]:.2f} at start, {load[1]:.2f} at end. Budgets: "
        f"the default suite {BUDGET_S['default'] // 60} min, the whole run {BUDGET_S['whole'] // 60} min.",
        "",
        "| step | median (min–max) over the runs | within budget |" + (" cold caches (uv, pip, npm) |" if cold else ""),
        "|---|---:|---|" + ("---:|" if cold else ""),
    ]
    for label, step in rows:
        values = [run[step] for run in warm]
        budget = BUDGET_S.get(step)
        within = "" if budget is None else ("yes" if statistics.median(values) <= budget else "**no**")
        extra = f" {cold[step] / 60:.1f} min |" if cold else ""
        lines.append(f"| {label} | {spread(values)} | {within} |{extra}")
    return "\n".join(lines) + "\n"


SECTION = re.compile(rf"\n{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.DOTALL)


def measured_section(page: Path) -> str:
    """The section as `page` has it ('' when it has none), for run_all to keep."""
    found = SECTION.search(page.read_text(encoding="utf-8")) if page.exists() else None
    return "\n" + found.group(0).strip("\n") + "\n" if found else ""


def publish(text: str) -> None:
    """Put the section into docs/BENCHMARKS.md, in place of the one there (or at the end)."""
    page = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    DOC.write_text(SECTION.sub("", page).rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh-clone runs with warm caches (default 3)")
    parser.add_argument("--cold", action="store_true", help="one more run with empty uv, pip and npm caches")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="suite-time-") as tmp:
        warm = [one_run(Path(tmp), index, cold=False) for index in range(1, args.runs + 1)]
        cold = one_run(Path(tmp), 0, cold=True) if args.cold else None
    publish(section(warm, cold, (load_before, os.getloadavg()[0])))
    print(f"wrote the test suite times into {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
