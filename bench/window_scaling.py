"""Window scaling: summarize_logs over 1k, 10k and 20k calls, concurrent versus sequential paging.

    python bench/window_scaling.py [--calls 20000] [--latency-ms 50] [--repeats 3]

The sandbox runs in its own process (`atoms-logs-mcp sandbox`) with the given latency added to every
request, so client and server do not share a GIL. Each configuration drives the real tool through an
in-memory MCP session; the sandbox's /_sandbox/stats counts the requests. Wall times are medians
over the repeats (min and max shown), and the ratio is sequential / concurrent within the same run.
Peak memory is tracemalloc's peak for one extra run of the 20k window.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from typing import Any

import anyio
from mcp import Client

from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY
from atoms_logs_mcp.server import create_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _control(root: str, method: str, path: str) -> Any:
    request = urllib.request.Request(root + path, data=b"{}" if method == "POST" else None, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own loopback sandbox
        return json.loads(response.read())


async def _summarize(base_url: str, concurrency: int, max_calls: int) -> str:
    settings = Settings(
        api_key=DEFAULT_SANDBOX_KEY, base_url=base_url, scan_concurrency=concurrency, timeout=60, deadline=120
    )
    async with Client(create_server(settings)) as client:
        result = await client.call_tool("summarize_logs", {"max_calls": max_calls, "group_by": ["status", "agent"]})
    assert not result.is_error, result.content[0].text  # type: ignore[union-attr]
    return result.content[0].text  # type: ignore[union-attr,no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "atoms_logs_mcp",
            "sandbox",
            "--port",
            str(port),
            "--calls",
            str(args.calls),
            "--latency-ms",
            str(args.latency_ms),
        ],
        stdout=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _control(root, "GET", "/_sandbox/stats")
                break
            except OSError:
                if time.monotonic() > deadline or sandbox.poll() is not None:
                    raise SystemExit("the sandbox did not start") from None
                time.sleep(0.2)
        base_url = root + "/atoms/v1"
        print(
            f"Window scaling: summarize_logs, sandbox with {args.calls} root calls and {args.latency_ms:g} ms "
            f"added per request; {args.repeats} repeats; wall time median (min-max)"
        )
        print("| window | paging | list requests | wall time | sequential / concurrent |")
        print("|---:|---|---:|---:|---:|")
        for size in (1_000, 10_000, 20_000):
            if size > args.calls:
                continue
            timings: dict[int, list[float]] = {}
            requests: dict[int, int] = {}
            for _ in range(args.repeats):
                for concurrency in (1, args.concurrency):
                    _control(root, "POST", "/_sandbox/stats/reset")
                    started = time.perf_counter()
                    text = anyio.run(_summarize, base_url, concurrency, size)
                    timings.setdefault(concurrency, []).append(time.perf_counter() - started)
                    requests[concurrency] = _control(root, "GET", "/_sandbox/stats")["requests"]["GET /conversation"]
                    assert f"scanned {size} of" in text or f"all {size} scanned" in text, text[:300]
            ratios = [s / c for s, c in zip(timings[1], timings[args.concurrency], strict=True)]
            for concurrency in (1, args.concurrency):
                values = timings[concurrency]
                label = "sequential" if concurrency == 1 else f"{concurrency} concurrent"
                ratio = f"{statistics.median(ratios):.2f}x" if concurrency != 1 else ""
                print(
                    f"| {size:,} | {label} | {requests[concurrency]} | {statistics.median(values):.2f} s "
                    f"({min(values):.2f}-{max(values):.2f}) | {ratio} |"
                )
        tracemalloc.start()
        anyio.run(_summarize, base_url, args.concurrency, min(20_000, args.calls))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"\nPeak Python memory (tracemalloc) of summarize_logs over {min(20_000, args.calls):,} calls: "
            f"{peak / 2**20:.1f} MiB"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
