"""Per-call overhead: a tool round trip over stdio versus the direct HTTP request it stands for, interleaved.

    python bench/overhead.py [--quick] [--repeats 300]

The sandbox runs in its own process; our server is `python -m atoms_logs_mcp` over stdio, reading the
sandbox with its key. Each repeat times the tool call and the direct request side by side (the order
alternating), so both see the same machine load; ratios and differences are per pair.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
from common import SandboxProcess, Section, api_headers, never_retried, our_server, ratios, spread
from mcp import Client

NON_FINAL = "pending,in_progress,in_queue,processing,active"


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    result = await action()
    elapsed = time.perf_counter() - started
    if getattr(result, "is_error", False) or getattr(result, "status_code", 200) != 200:
        raise RuntimeError(f"a measured request failed: {result}")
    return elapsed * 1000


async def measure(sandbox: SandboxProcess, repeats: int) -> tuple[dict[str, tuple[list[float], list[float]]], Any]:
    api = httpx.AsyncClient(base_url=sandbox.base_url + "/", headers=api_headers())
    async with api, Client(our_server(sandbox.base_url), cache=None) as client:
        listing = (await api.get("conversation", params={"limit": 100, "statusFilter": NON_FINAL})).json()
        call_id = next(row["callId"] for row in listing["data"]["logs"] if never_retried(row))
        pairs = {
            "list_logs(limit=5) vs GET /conversation?limit=5": (
                lambda: client.call_tool("list_logs", {"limit": 5}),
                lambda: api.get("conversation", params={"limit": 5}),
            ),
            "get_log(call in progress) vs GET /conversation/{id}": (
                lambda: client.call_tool("get_log", {"call_id": call_id}),
                lambda: api.get(f"conversation/{call_id}"),
            ),
        }
        for tool, direct in pairs.values():  # warm up: connections, imports, the agent list cache
            for _ in range(5):
                await tool()
                await direct()
        sandbox.reset()
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
        floor: list[float] = []
        for repeat in range(repeats):
            for name, (tool, direct) in pairs.items():
                first, second = (tool, direct) if repeat % 2 == 0 else (direct, tool)
                a, b = await _timed(first), await _timed(second)
                times[name][0].append(a if first is tool else b)
                times[name][1].append(b if first is tool else a)
            floor.append(await _timed(client.list_prompts))
        return times, (floor, sandbox.requests())


def run(quick: bool = False, repeats: int | None = None) -> Section:
    repeats = repeats or (30 if quick else 300)
    with SandboxProcess(calls=2000) as sandbox:
        times, (floor, requests) = anyio.run(measure, sandbox, repeats)
    table = [["pair", "tool over stdio, ms", "direct HTTP, ms", "tool / direct", "tool - direct, ms"]]
    for name, (tool, direct) in times.items():
        differences = [t - d for t, d in zip(tool, direct, strict=True)]
        table.append(
            [
                name,
                spread(tool),
                spread(direct),
                spread(ratios(tool, direct), "x"),
                spread(differences),
            ]
        )
    seen = ", ".join(f"{route}: {count}" for route, count in sorted(requests.items()))
    method = (
        f"The sandbox (2,000 generated calls, no injected latency) in its own process; our server started as a host "
        "starts it, `python -m atoms_logs_mcp` over stdio with `SMALLEST_API_KEY` and `ATOMS_BASE_URL` pointing at "
        "the sandbox, driven by the SDK's `Client` (its response cache off); the direct request from an `httpx` "
        f"client with a pooled connection, as our server's own. {repeats} repeats after 5 warm-up calls each; in "
        "every repeat the tool call and its direct request run back to back, the order alternating, so each ratio "
        "and difference compares two measurements taken under the same load. Cells: median (min–max). "
        "`get_log` is measured on a call still in progress (never retried), because a call in a final status is "
        "cached after its first read and would cost no request at all (see Cache); `list_logs(limit=5)` costs one "
        "request once the agent list is cached. The tool's time includes validating arguments, the request, parsing "
        "the payload into models and rendering the text, plus the JSON-RPC round trip over the pipes."
    )
    notes = [
        f"`prompts/list` over the same stdio session (a small answer, no upstream request): {spread(floor)} ms.",
        f"Upstream requests during the measured repeats: {seen}. Less the {2 * repeats} direct ones, that is "
        f"{(sum(requests.values()) - 2 * repeats) / (2 * repeats):.2f} request per tool call.",
    ]
    return Section("Per-call overhead", method, table, notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, default=None, help="default 300; 30 quick")
    args = parser.parse_args()
    print(run(args.quick, args.repeats).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
