"""The replica: the first sync against the ideal, an incremental sync's requests against the minimum, questions
answered from the replica beside the API path, and the server's peak memory as the window grows.

    python bench/replica.py [--quick] [--calls 100000] [--latency-ms 20] [--repeats 3]

The held-out-like generator's account (`atoms_logs_mcp.sandbox.data.generate`) is served by the sandbox in its own
process, as a large account (createdAt scans slow, then 504) with list rows as the spec has them (no `updatedAt`).
A real `atoms-logs-mcp sync` subprocess fills a store in a temporary folder (figure 1), then catches up after
changed calls (figure 2); every question then reads that store (figures 3 and 4). The processes: replica_processes.py.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import SandboxProcess, Section, ratios, spread, table_markdown
from replica_processes import WORD, account, ask, kept_details, sync

PAGE = 500
CONCURRENCY = 8
"""ATOMS_CONCURRENCY's default: details read at once by the sync."""
DEEP_CEILING = 2_000
"""ATOMS_DEEP_CEILING's default: the API path's investigations read at most this many calls."""
UNBOUNDED = 10**7
QUESTIONS: dict[str, dict[str, Any]] = {
    "summarize_logs": {"group_by": ["status", "agent"]},
    "search_transcripts": {"text": WORD},
    "analyze_calls": {},  # every aspect
}
TARGETS = {"summarize_logs": 1.0, "search_transcripts": 0.3, "analyze_calls": 3.0}
"""Seconds, over the whole account from the replica (issue 25)."""
RSS_TARGET_MIB = 250


def run(quick: bool = False, calls: int | None = None, latency_ms: float = 20, repeats: int | None = None) -> Section:
    calls = calls or (2_000 if quick else 100_000)
    changed = 200 if quick else 1_000
    repeats = repeats or (1 if quick else 3)
    with tempfile.TemporaryDirectory(prefix="bench-replica-") as scratch:
        spec_rows, updated_rows = Path(scratch, "spec-rows"), Path(scratch, "updated-rows")
        spec_rows.mkdir()
        updated_rows.mkdir()
        figures = account(spec_rows, calls, changed)
        store = spec_rows / "calls.sqlite3"
        options = ["--large-account", "--no-updated-at"]
        with SandboxProcess(calls, latency_ms=latency_ms, data=spec_rows / "account.json", options=options) as sandbox:
            first = sync(sandbox, store)
            incremental = {"without `updatedAt` (the spec's row)": _changed_then_synced(sandbox, spec_rows, store)}
            sandbox.control("POST", "/_sandbox/large-account", {"on": False})  # the API path's windows answer
            answers = _questions(sandbox, str(store), figures, repeats)
        # Rows with updatedAt: a smaller account of its own (the catch-up's requests do not depend on its size).
        small = 1_000 if quick else 5_000
        smaller = account(updated_rows, small, changed, seed=11, updated_at=True)
        with SandboxProcess(small, latency_ms=latency_ms, data=updated_rows / "account.json") as sandbox:
            sync(sandbox, updated_rows / "calls.sqlite3")
            incremental[f"with `updatedAt` ({smaller['calls']:,} calls)"] = _changed_then_synced(
                sandbox, updated_rows, updated_rows / "calls.sqlite3"
            )
    return _section(figures, first, incremental, answers, latency_ms, repeats)


def _changed_then_synced(sandbox: SandboxProcess, folder: Path, store: Path) -> dict[str, Any]:
    """Put the changed calls (`POST /_sandbox/calls`), then sync once more."""
    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    sandbox.control("POST", "/_sandbox/calls", changes)
    return {**sync(sandbox, store), "changed": len(changes)}


# Questions --------------------------------------------------------------------------------------------------------

Run = tuple[str, str, str]
"""(tool, window, source: "replica" or "api")."""


def _plan(windows: dict[str, str]) -> list[Run]:
    """Summaries and analyses over every window from the replica (memory by window); each question over the whole
    account and over the 2,000 newest calls from both sources."""
    runs: list[Run] = [(tool, w, "replica") for w in windows for tool in ("summarize_logs", "analyze_calls")]
    runs += [("search_transcripts", w, "replica") for w in ("2000", "all") if w in windows]
    runs += [(tool, w, "api") for w in ("2000", "all") if w in windows for tool in QUESTIONS]
    return runs


def _questions(sandbox: SandboxProcess, store: str, figures: dict[str, Any], repeats: int) -> dict[Run, list[Any]]:
    windows, until = figures["windows"], figures["until"]
    results: dict[Run, list[dict[str, Any]]] = {run: [] for run in _plan(windows)}
    for repeat in range(repeats):
        for tool, window, source in list(results) if repeat % 2 == 0 else list(results)[::-1]:
            arguments = {"since": windows[window], "until": until, **QUESTIONS[tool]}
            sandbox.reset()
            answer = ask(sandbox.base_url, store if source == "replica" else "off", _ceiling(tool, window), tool,
                         arguments)  # fmt: skip
            answer["requests"] = sandbox.requests()
            results[tool, window, source].append(answer)
    return results


def _ceiling(tool: str, window: str) -> int:
    """The API path's ceiling: raised for summaries, and for investigations over the 2,000 newest (all read); the
    default for investigations over the whole account (reading 100,000 details takes minutes a question)."""
    return DEEP_CEILING if tool != "summarize_logs" and window == "all" else UNBOUNDED


# The section ------------------------------------------------------------------------------------------------------


def _section(
    figures: dict[str, Any],
    first: dict[str, Any],
    incremental: dict[str, dict[str, Any]],
    answers: dict[Run, list[dict[str, Any]]],
    latency_ms: float,
    repeats: int,
) -> Section:
    calls, firsts = figures["calls"], figures["firsts"]
    method = (
        f"The held-out-like generator's account: {firsts:,} calls and their retries, {calls:,} in all, served by "
        f"the sandbox in its own process as a large account (`--large-account`: createdAt sorts and date filters slow "
        f"with its size, 504 past 29 s) with rows as the spec has them (no `updatedAt`), {latency_ms:g} ms added to "
        "every request. A real `atoms-logs-mcp sync` subprocess (defaults: ATOMS_CONCURRENCY=8) fills a store in a "
        "temporary folder; its two phases are timed by watching the sandbox's request counts every 0.1 s (the rows: "
        "from the first list request to the first detail request; the details: from there to the process's exit). "
        "The ideal is requests × latency / requests in flight: the pass reads its pages one after the other (each "
        f"page decides whether the next is read), the details {CONCURRENCY} at a time. One first sync (it is the "
        "store every later figure reads), so its measured / ideal ratio is one measurement, not a median."
    )
    section = Section("The replica", method, _first_sync_table(first, latency_ms))
    section.notes += [
        f"`created_at_scans` during the first sync: {first['created_at_scans']} (must be 0). The sync process used "
        f"{first['cpu']:.0f} s of CPU ({first['cpu'] / max(first['seconds'], 1e-9):.0%} of its wall time; "
        f"{first['cpu'] / max(first['detail_requests'], 1) * 1000:.1f} ms per call) and peaked at "
        f"{first['rss_peak_kib'] / 1024:.0f} MiB (ru_maxrss).",
        _incremental_part(incremental, latency_ms),
        _questions_part(answers, figures, repeats, latency_ms),
        _memory_part(answers, figures),
        "CPU per call on the API path (summarize_logs over the API against a naive sequential pager): the section "
        '"The API path" (bench/api_path.py).',
    ]
    return section


def _first_sync_table(first: dict[str, Any], latency_ms: float) -> list[list[str]]:
    rows_ideal = first["list_requests"] * latency_ms / 1000
    details_ideal = first["detail_requests"] * latency_ms / 1000 / CONCURRENCY
    table = [["first sync", "requests", "measured, s", "ideal, s", "measured / ideal"]]
    for name, requests, seconds, ideal in (
        ("rows (list pages, 1 at a time)", first["list_requests"], first["rows_seconds"], rows_ideal),
        (f"details ({CONCURRENCY} at a time)", first["detail_requests"], first["details_seconds"], details_ideal),
        ("whole sync, process start to exit", first["list_requests"] + first["detail_requests"], first["seconds"],
         rows_ideal + details_ideal),
    ):  # fmt: skip
        table.append([name, f"{requests:,}", f"{seconds:.1f}", f"{ideal:.1f}", f"{seconds / ideal:.2f}x"])
    return table


def _incremental_part(incremental: dict[str, dict[str, Any]], latency_ms: float) -> str:
    table = [
        [
            "rows",
            "calls changed",
            "list requests",
            "minimum",
            "detail requests",
            "details kept",
            "wall time, s",
            "ideal, s",
            "createdAt scans",
        ]
    ]
    for rows, done in incremental.items():
        changed, pages = done["changed"], math.ceil(done["changed"] / PAGE)
        # Without updatedAt a catch-up knows it is done after two full pages of known rows; with it, at the first
        # page that ends before the previous pass's newest update (the last page of changed rows, unless it is full).
        minimum = changed // PAGE + 1 if rows.startswith("with ") else pages + 2
        ideal = (done["list_requests"] + done["detail_requests"] / CONCURRENCY) * latency_ms / 1000
        table.append(
            [
                rows,
                f"{changed:,}",
                str(done["list_requests"]),
                str(minimum),
                f"{done['detail_requests']:,}",
                f"{kept_details(done['printed']):,}",
                f"{done['seconds']:.1f}",
                f"{ideal:.1f}",
                str(done["created_at_scans"]),
            ]
        )
    return (
        "### An incremental sync after changed calls\n\n"
        "Settled first attempts changed (status failed, reason system_error) with `POST /_sandbox/calls` (the sandbox "
        "stamps them updated now), then one more `atoms-logs-mcp sync`. Minimum list requests: ceil(changed / 500) "
        "pages of changed rows, plus the two quiet full pages the stopping rule needs without `updatedAt`; with it, "
        "the first page that ends before the last pass's newest update: floor(changed / 500) + 1 (issue 25's bound "
        "for both: changed / 500 + 2). "
        "Detail requests: one per changed finished call is the minimum. Rows with `updatedAt` are measured on a "
        "smaller account of their own (the catch-up's requests do not depend on the account's size). One run each; "
        "wall time is the sync process's, start to exit.\n\n" + table_markdown(table)
    )


def _questions_part(answers: dict[Run, list[dict[str, Any]]], figures: dict[str, Any], repeats: int,
                    latency_ms: float) -> str:  # fmt: skip
    firsts = figures["firsts"]
    table = [["question", "window", "from the replica, s", "target", "over the API, s", "API / replica",
              "read: replica / API", "requests (replica)"]]  # fmt: skip
    verdicts = []
    for window in ("all", "2000"):
        for tool in QUESTIONS:
            replica, api = answers.get((tool, window, "replica")), answers.get((tool, window, "api"))
            if not replica or not api:
                continue
            seconds = [a["seconds"] for a in replica]
            target = TARGETS[tool] if window == "all" else None
            if target is not None:
                median = statistics.median(seconds)
                met = "met" if median <= target else "NOT met"
                verdicts.append(f"{tool} {median:.2f} s ({met}, target {target:g} s)")
            table.append(
                [
                    tool,
                    f"all {firsts:,}" if window == "all" else "newest 2,000",
                    spread(seconds),
                    f"≤ {target:g} s" if target is not None else "",
                    spread([a["seconds"] for a in api]),
                    spread(ratios([a["seconds"] for a in api], seconds), "x"),
                    f"{_read(replica[0]['said'])} / {_read(api[0]['said'])}",
                    _routes(replica[0]["requests"]),
                ]
            )
    return (
        "### Questions from the replica, beside the API path\n\n"
        "Each question through an in-memory MCP session (`Client` on `create_server(settings)`), in a fresh Python "
        "process timing the session and the call (not the interpreter's start): from the replica (the store above, "
        "ATOMS_SYNC=on, no pass due, so no request), and from the API (store off, large-account mode off so that "
        f"date filters answer, {latency_ms:g} ms a request). summarize_logs groups by status and agent; "
        f'search_transcripts looks for "{WORD}"; analyze_calls asks every aspect. The API path\'s summaries have '
        "ATOMS_SCAN_CEILING raised to read the whole window; its investigations over the whole account stop at "
        f"ATOMS_DEEP_CEILING's default {DEEP_CEILING:,} calls (reading every detail over the API takes minutes a "
        'question at 100,000), so that row compares a partial answer with a whole one ("read" says how much); '
        "over the newest 2,000 both read everything. "
        f"{repeats} repeats, the order reversed every other; cells: median (min–max); "
        '"API / replica" above 1: the replica is faster. "requests (replica)": what the sandbox saw during the '
        "replica's answer (agents' names; an investigation reads itself the details of calls not settled when "
        "synced).\n\n" + table_markdown(table) + "\n\nTargets over the whole account: " + "; ".join(verdicts) + "."
    )


def _read(said: list[str]) -> str:
    """What an answer said it read: "N of M" calls."""
    for line in said:
        if found := re.match(r"Read (\d+) calls of (\d+)", line):
            return f"{int(found.group(1)):,} of {int(found.group(2)):,}"
        if found := re.match(r"(\d+) calls match; all", line):
            return f"all {int(found.group(1)):,}"
    return "?"


def _routes(requests: dict[str, int]) -> str:
    """Requests per route, shortly ("2 GET /agent, 14 GET /conversation/{callId}"), or none."""
    return ", ".join(f"{count} {route}" for route, count in sorted(requests.items())) or "none"


def _memory_part(answers: dict[Run, list[dict[str, Any]]], figures: dict[str, Any]) -> str:
    windows = [w for w in figures["windows"] if (("summarize_logs", w, "replica") in answers)]
    peak: Callable[[str, str], list[float]] = lambda tool, w: [  # noqa: E731
        a["rss_peak"] / 1024 for a in answers[tool, w, "replica"]
    ]
    table = [["window (first attempts)", "summarize_logs peak RSS, MiB", "analyze_calls peak RSS, MiB",
              "analyze_calls growth, MiB"]]  # fmt: skip
    for window in windows:
        growth = [(a["rss_peak"] - a["rss_before"]) / 1024 for a in answers["analyze_calls", window, "replica"]]
        size = figures["firsts"] if window == "all" else int(window)
        table.append([f"{size:,}", spread(peak("summarize_logs", window), digits=0),
                      spread(peak("analyze_calls", window), digits=0), spread(growth, digits=0)])  # fmt: skip
    worst = max(statistics.median(peak(tool, w)) for w in windows for tool in ("summarize_logs", "analyze_calls"))
    return (
        "### The server's peak memory by window, from the replica\n\n"
        "The same processes as above: the whole process's peak resident set (VmHWM from `/proc/self/status`, reset "
        "with `clear_refs` before the session opens: interpreter, SDK, server and in-memory client; a child's "
        '`ru_maxrss` would start from its parent\'s), and "growth": the peak less the resident set before the session '
        f"opened. Target: ≤ {RSS_TARGET_MIB} MB whatever the window; the largest median here is {worst:.0f} MiB "
        f"({'met' if worst * 1.048576 <= RSS_TARGET_MIB else 'NOT met'}).\n\n" + table_markdown(table)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 calls, 200 changed, 1 repeat (a smoke run)")
    parser.add_argument("--calls", type=int, default=None, help="first attempts in the account (default 100000)")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--repeats", type=int, default=None, help="default 3; 1 quick")
    args = parser.parse_args()
    print(run(args.quick, args.calls, args.latency_ms, args.repeats).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
