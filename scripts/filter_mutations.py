#!/usr/bin/env python3
"""Show that the filter tests catch a renamed, dropped, misspelt or ignored filter.

Each mutation below edits the package in place (most of them a row of the filter table,
api/filter_table.py), runs tests/test_filter_parameters.py and tests/test_filter_table.py, and restores
the file whatever happens. Every mutation must turn the tests red; the script exits 1 if one survives.
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
        [("api/filter_table.py", 'Filter("timezone", None,', 'Filter("tz", None,')],
    ),
    (
        "drop version_ids from the query building",
        [("api/filter_table.py", 'many=True, query="version_ids",', "many=True,")],
    ),
    (
        "misspell an API parameter name (client and sandbox both read it)",
        [("api/filter_table.py", '"version_ids", "versionFilter",', '"version_ids", "versionsFilter",')],
    ),
    (
        "send only the first value of a list filter",
        [("api/query.py", 'params[row.api] = ",".join(values)', "params[row.api] = values[0]")],
    ),
    (
        "let list_logs ignore its filters",
        [("tools/list_logs.py", "filters = Filters.take(arguments)", "filters = Filters()")],
    ),
    (
        "rename the durations row",
        [("api/filter_table.py", '"durations", "durationFilter",', '"duration_buckets", "durationFilter",')],
    ),
    (
        "let the sandbox ignore a row's record field",
        [("sandbox/matching.py", "call.record.get(name) in values", "call.record.get(name) is not None")],
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
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_filter_parameters.py",
                "tests/test_filter_table.py",
            ],
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
