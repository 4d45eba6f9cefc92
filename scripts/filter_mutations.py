#!/usr/bin/env python3
"""Show that tests/test_filter_parameters.py catches a renamed, dropped or ignored filter parameter.

Each mutation below edits the package in place, runs that test file, and restores the file whatever
happens. Every mutation must turn the tests red; the script exits 1 if one survives.
    python scripts/filter_mutations.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "server" / "atoms_logs_mcp"
# (what it does, [(file, text, replacement)...])
MUTATIONS = [
    (
        "rename the timezone filter parameter to tz",
        [("tools/arguments.py", '    "timezone": Timezone,', '    "tz": Timezone,')],
    ),
    (
        "drop version_ids from the query building",
        [("domain/filters.py", "version_ids=_distinct(filters.version_ids),", "version_ids=(),")],
    ),
    (
        "let list_logs ignore its filters",
        [("tools/list_logs.py", "filters = Filters.take(arguments)", "filters = Filters()")],
    ),
    (
        "rename the durations field of Filters",
        [
            (
                "domain/filters.py",
                "    durations: list[str] | None = None",
                "    duration_buckets: list[str] | None = None",
            )
        ],
    ),
]


def run(name: str, edits: list[tuple[str, str, str]]) -> bool:
    originals = {file: (PACKAGE / file).read_text(encoding="utf-8") for file, _, _ in edits}
    try:
        texts = dict(originals)
        for file, old, new in edits:
            assert texts[file].count(old) == 1, f"{name}: {old!r} is not once in {file}"
            texts[file] = texts[file].replace(old, new)
        for file, text in texts.items():
            (PACKAGE / file).write_text(text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_filter_parameters.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for file, text in originals.items():
            (PACKAGE / file).write_text(text, encoding="utf-8")
    output = (done.stdout.strip() or done.stderr.strip()).splitlines()
    summary = output[-1][:160] if output else "(no output)"
    caught = done.returncode != 0
    verdict = ("red" if caught else "green") if not edits else ("caught" if caught else "SURVIVED")
    print(f"{verdict:8}  {name}: {summary}")
    return caught


def main() -> int:
    if run("no mutation (must pass)", []):
        print("the tests fail without any mutation: fix them first")
        return 1
    results = [run(name, edits) for name, edits in MUTATIONS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
