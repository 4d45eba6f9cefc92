"""The API path: summarize_logs over a whole window against a naive sequential pager, and our CPU per call.

    python bench/api_path.py [--quick] [--calls 20000] [--repeats 5]

The naive pager is what a person would script: one page of 500 calls after the other with a plain HTTP client,
each decoded with `json` and counted by status and agent. Ours is the real summarize_logs tool through an in-memory
MCP session (window_scaling.py's child: group_by status and agent, pages read 4 at a time, retry chains followed).
Each runs in a fresh Python process that reports its wall time and its own CPU time, side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter

import httpx
import window_scaling
from common import SandboxProcess, Section, api_headers, ratios, spread

LATENCIES_MS = (0, 50)
PAGE = 500


def naive_child(base_url: str, size: int) -> None:
    """Page the window one page after the other, count statuses and agents; print wall and CPU time as JSON."""
    started, cpu = time.perf_counter(), time.process_time()
    statuses: Counter[str] = Counter()
    agents: Counter[str] = Counter()
    with httpx.Client(base_url=base_url + "/", headers=api_headers(), timeout=60) as api:
        page, read = 1, 0
        while read < size:
            data = json.loads(api.get("conversation", params={"page": page, "limit": PAGE}).content)["data"]
            rows = data["logs"][: size - read]
            if not rows:
                break
            statuses.update(str(row.get("status")) for row in rows)
            agents.update(str(row.get("agentId")) for row in rows)
            read, page = read + len(rows), page + 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if read != size:
        raise SystemExit(f"the naive pager read {read} calls, not {size}")
    print(json.dumps({"seconds": seconds, "cpu": cpu}))


def _run_naive(base_url: str, size: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child-naive", base_url, str(size)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)  # noqa: S603
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run(quick: bool = False, calls: int | None = None, repeats: int | None = None, concurrency: int = 4) -> Section:
    calls = calls or (2_000 if quick else 20_000)
    repeats = repeats or (1 if quick else 5)
    ours: dict[int, list[dict[str, float]]] = {latency: [] for latency in LATENCIES_MS}
    naive: dict[int, list[dict[str, float]]] = {latency: [] for latency in LATENCIES_MS}
    requests: dict[int, dict[str, int]] = {}
    with SandboxProcess(calls) as sandbox:
        for repeat in range(repeats):
            for latency in LATENCIES_MS:
                sandbox.control("POST", "/_sandbox/faults", {"latency_ms": latency})
                runners = [("naive", naive), ("ours", ours)]
                for name, results in runners if repeat % 2 == 0 else runners[::-1]:
                    sandbox.reset()
                    if name == "naive":
                        results[latency].append(_run_naive(sandbox.base_url, calls))
                    else:
                        results[latency].append(window_scaling._run_child(sandbox.base_url, concurrency, calls))
                        requests[latency] = sandbox.requests()
    table = [
        [
            "latency",
            "naive pager, s",
            "summarize_logs, s",
            "naive / ours",
            "our CPU per call, µs",
            "naive CPU per call, µs",
            "our requests",
        ]
    ]
    for latency in LATENCIES_MS:
        table.append(
            [
                f"{latency} ms",
                spread([r["seconds"] for r in naive[latency]]),
                spread([r["seconds"] for r in ours[latency]]),
                spread(ratios([r["seconds"] for r in naive[latency]], [r["seconds"] for r in ours[latency]]), "x"),
                spread([r["cpu"] / calls * 1e6 for r in ours[latency]], digits=0),
                spread([r["cpu"] / calls * 1e6 for r in naive[latency]], digits=0),
                ", ".join(f"{count} {route}" for route, count in sorted(requests[latency].items())),
            ]
        )
    method = (
        f"The sandbox in its own process with {calls:,} root calls, with 0 ms and then 50 ms added to every request. "
        f"summarize_logs(max_calls={calls}, group_by=[status, agent]) through an in-memory MCP session (pages of "
        f"{PAGE}, {concurrency} at a time, retry chains followed by id search), against a naive pager: a plain "
        "synchronous httpx client reading one page after the other, decoding each with `json` and counting statuses "
        "and agents (no validation, no retry chains). Each run is a fresh Python process timing itself from its first "
        "request (interpreter start not counted); CPU per call is that process's CPU time / calls (ours includes the "
        f"in-memory MCP client, a few ms). {repeats} repeats; in each, both run back to back at each latency, the "
        'order alternating; "naive / ours" is the median (min–max) of the per-repeat ratios (above 1: ours is faster). '
        "Cells: median (min–max)."
    )
    return Section("The API path", method, table)


def main() -> int:
    if sys.argv[1:2] == ["--child-naive"]:
        naive_child(sys.argv[2], int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 calls, 1 repeat (a smoke run)")
    parser.add_argument("--calls", type=int, default=None, help="calls in the sandbox and the window (default 20000)")
    parser.add_argument("--repeats", type=int, default=None, help="default 5; 1 quick")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(run(args.quick, args.calls, args.repeats, args.concurrency).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
