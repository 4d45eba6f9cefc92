"""Run every benchmark and write docs/BENCHMARKS.md: the machine, the date, each method and its figures.

    python bench/run_all.py [--quick] [--output PATH]

--quick runs fewer repeats on less data (a smoke run, under two minutes) and writes to
build/BENCHMARKS.quick.md unless --output says otherwise, so it never replaces the measured figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import api_path
import cold_start
import compare_shift
import deep_scan
import get_log_cache
import live_watch
import overhead
import replica
import suite_time
import team_load
import token_economy
import tool_definitions
import window_scaling
from common import Section

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS: list[tuple[str, Callable[[bool], Section]]] = [
    ("tool_definitions.py", tool_definitions.run),
    ("token_economy.py", token_economy.run),
    ("overhead.py", overhead.run),
    ("cold_start.py", cold_start.run),
    ("window_scaling.py", window_scaling.run),
    ("api_path.py", api_path.run),
    ("get_log_cache.py", get_log_cache.run),
    ("deep_scan.py", deep_scan.run),
    ("live_watch.py", live_watch.run),
    ("compare_shift.py", compare_shift.run),
    ("replica.py", replica.run),
    ("team_load.py", team_load.run),
]


def _field(path: str, name: str, separator: str = ":") -> str:
    """One `name: value` (or `name=value`) line of a /proc or /etc file."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return "unknown"
    pairs = (line.partition(separator) for line in lines)
    return next((value.strip().strip('"') for key, _, value in pairs if key.strip() == name), "unknown")


def _commit() -> str:
    try:
        run = lambda *args: subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: E731, S603, S607
        return run("rev-parse", "--short", "HEAD") + (
            " with uncommitted changes" if run("status", "--porcelain") else ""
        )
    except OSError:
        return "unknown"


def machine() -> list[tuple[str, str]]:
    memory_kib = _field("/proc/meminfo", "MemTotal").split()[0]
    flags = f" {_field('/proc/cpuinfo', 'flags')} "
    os_name = _field("/etc/os-release", "PRETTY_NAME", "=")
    return [
        ("CPU", _field("/proc/cpuinfo", "model name") + (" (virtual machine)" if " hypervisor" in flags else "")),
        ("cores", f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable by this process"),
        ("memory", f"{int(memory_kib) / 2**20:.1f} GiB" if memory_kib.isdigit() else "unknown"),
        ("OS", f"{os_name}, {platform.system()} {platform.release()} {platform.machine()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(f"{name} {version(name)}" for name in ("mcp", "httpx", "tiktoken", "atoms-logs-mcp"))),
        ("commit", _commit()),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer repeats, less data")
    parser.add_argument("--output", type=Path, default=None, help="default docs/BENCHMARKS.md (quick: build/...)")
    args = parser.parse_args()
    output = args.output or ROOT / ("build/BENCHMARKS.quick.md" if args.quick else "docs/BENCHMARKS.md")
    host = machine()
    started_at, load_before, started = datetime.now(UTC), os.getloadavg(), time.perf_counter()
    sections = []
    for name, run in BENCHMARKS:
        began = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        section = run(args.quick)
        section.notes.append(
            f"`python bench/{name}{' --quick' if args.quick else ''}`; took {time.perf_counter() - began:.0f} s."
        )
        sections.append(section)
    total = time.perf_counter() - started
    load_after = os.getloadavg()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python bench/run_all.py{' --quick' if args.quick else ''}` on "
        f"{started_at:%Y-%m-%d %H:%M} UTC in {total:.0f} s; do not edit by hand."
        + (" **A quick smoke run: few repeats on little data, not figures to cite.**" if args.quick else ""),
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in host),
        f"| load average (1 min) | {load_before[0]:.2f} at start, {load_after[0]:.2f} at end |",
        "",
        "The machine is shared and noisy, so no absolute time here is a claim about another machine: every time is "
        "a median with its minimum and maximum over repeats, written `median (min–max)`, and every comparison is a "
        "ratio of measurements taken side by side in the same run (interleaved, the order alternating). The "
        "sandbox is this project's stand-in for the Atoms API (`atoms-logs-mcp sandbox`), on loopback.",
        "",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    kept = suite_time.measured_section(output)  # measured by bench/suite_time.py, not by this run
    output.write_text("\n".join(lines) + "\n" + "\n".join(s.markdown() for s in sections) + kept, encoding="utf-8")
    print(f"wrote {output} in {total:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
