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
        "rename list_logs' timezone parameter to tz",
        [
            (
                "app.py",
                "        timezone: Timezone = None,\n        sort_by:",
                "        tz: Timezone = None,\n        sort_by:",
            )
        ],
    ),
    (
        "drop version_ids from the query building",
        [("app.py", "version_ids=tuple(dict.fromkeys(filters.version_ids or ()))", "version_ids=()")],
    ),
    (
        "rename the durations field of Filters (the tools still take durations)",
        [
            ("tools/arguments.py", "    durations: list[str] | None = None", "    duration_buckets: list[str] | None = None"),
            ("tools/arguments.py", "arguments[f.name]", "arguments.get(f.name)"),
            ("app.py", "filters.durations or ()", "filters.duration_buckets or ()"),
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
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)"
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
