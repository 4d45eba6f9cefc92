"""Cache: repeated get_log of the same completed call, first read versus the following ones, over stdio.

python bench/get_log_cache.py [--quick] [--calls-read 20] [--repeats 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import anyio
import httpx
from common import SandboxProcess, Section, api_headers, never_retried, our_server, ratios, spread
from mcp import Client

LATENCIES_MS = (0, 50)


async def measure(sandbox: SandboxProcess, calls_read: int, repeats: int) -> list[list[str]]:
    async with httpx.AsyncClient(base_url=sandbox.base_url + "/", headers=api_headers()) as api:
        listing = (await api.get("conversation", params={"limit": 100, "statusFilter": "completed"})).json()
    ids = [row["callId"] for row in listing["data"]["logs"] if never_retried(row)]
    if len(ids) < calls_read * len(LATENCIES_MS):
        raise SystemExit(f"only {len(ids)} completed calls without retries among the newest 100")
    rows = []
    async with Client(our_server(sandbox.base_url), cache=None) as client:
        await client.call_tool("list_agents", {})  # the agent list is cached from here on; not measured
        for index, latency in enumerate(LATENCIES_MS):
            sandbox.control("POST", "/_sandbox/faults", {"latency_ms": latency})
            sandbox.reset()
            firsts: list[float] = []
            repeated: list[list[float]] = []
            for call_id in ids[index * calls_read : (index + 1) * calls_read]:
                times = []
                for _ in range(1 + repeats):
                    started = time.perf_counter()
                    result = await client.call_tool("get_log", {"call_id": call_id})
                    times.append((time.perf_counter() - started) * 1000)
                    if result.is_error:
                        raise RuntimeError(f"get_log({call_id}) failed: {result.content}")
                firsts.append(times[0])
                repeated.append(times[1:])
            upstream = sandbox.requests()
            every_repeat = [t for times in repeated for t in times]
            reads = calls_read * (1 + repeats)
            rows.append(
                [
                    f"{latency} ms",
                    spread(firsts),
                    spread(every_repeat),
                    spread(ratios(firsts, [statistics.median(times) for times in repeated]), "x"),
                    f"{sum(upstream.values()) / calls_read:g} ({_routes(upstream)} for {reads} reads)",
                ]
            )
    return rows


def _routes(requests: dict[str, int]) -> str:
    return ", ".join(f"{count} {route}" for route, count in sorted(requests.items()))


def run(quick: bool = False, calls_read: int | None = None, repeats: int | None = None) -> Section:
    calls_read = calls_read or (5 if quick else 20)
    repeats = repeats or (10 if quick else 20)
    with SandboxProcess(calls=2000) as sandbox:
        rows = anyio.run(measure, sandbox, calls_read, repeats)
    table = [
        [
            "latency added",
            "first get_log, ms",
            "repeats, ms",
            "first / repeat",
            f"upstream requests per call id ({1 + repeats} reads)",
        ],
        *rows,
    ]
    method = (
        "Our server over stdio (as in Per-call overhead) reading the sandbox in its own process. For each of "
        f"{calls_read} completed calls that were never retried (so get_log needs the call, and once per agent per two "
        "minutes the agent's versions, read to tell whether the call's version is still listed), "
        f"`get_log` is called once and then {repeats} more times in the same session. Upstream requests are "
        "counted by the sandbox (`GET /_sandbox/stats`). Cells: median (min–max) over the first reads, over all "
        "repeats, and of each call's first read divided by the median of its repeats. Run with no injected "
        "latency (local costs only) and with 50 ms added to every API request (closer to a real API), on "
        "different calls so that each run starts cold. The cache holds the call's detail: a repeat still renders "
        "the text."
    )
    return Section("Cache", method, table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and repeats")
    parser.add_argument("--calls-read", type=int, default=None, help="distinct calls per run (default 20; 5 quick)")
    parser.add_argument("--repeats", type=int, default=None, help="reads after the first (default 20; 10 quick)")
    args = parser.parse_args()
    print(run(args.quick, args.calls_read, args.repeats).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
