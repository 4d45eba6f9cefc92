"""Cold start: process spawn to the first `tools/list` answer, our server versus a bare MCPServer, interleaved.

python bench/cold_start.py [--quick] [--repeats 15]
"""

from __future__ import annotations

import argparse
import sys
import time

import anyio
from common import BENCH, SandboxProcess, Section, our_server, ratios, spread
from mcp import Client, StdioServerParameters


async def _first_tools_list(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with Client(params, cache=None) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
    if not tools.tools:
        raise RuntimeError(f"{params.args} listed no tools")
    return elapsed


def run(quick: bool = False, repeats: int | None = None) -> Section:
    repeats = repeats or (2 if quick else 15)
    with SandboxProcess(calls=50) as sandbox:
        variants = {
            "bare MCPServer, one tool (bench/bare_server.py)": StdioServerParameters(
                command=sys.executable, args=[f"{BENCH}/bare_server.py"]
            ),
            "atoms-logs-mcp, key and base URL of the sandbox": our_server(sandbox.base_url),
            "atoms-logs-mcp --demo (generates its sandbox in-process)": StdioServerParameters(
                command=sys.executable, args=["-m", "atoms_logs_mcp", "--demo"]
            ),
        }
        names = list(variants)
        times: dict[str, list[float]] = {name: [] for name in names}
        sandbox.reset()
        for repeat in range(repeats):
            for name in names[repeat % 3 :] + names[: repeat % 3]:  # rotate who goes first
                times[name].append(anyio.run(_first_tools_list, variants[name]))
        upstream = sum(sandbox.requests().values())
    bare = times[names[0]]
    table = [["server", "spawn to first tools/list, s", "/ bare MCPServer"]]
    for name in names:
        table.append(
            [name, spread(times[name], digits=3), "" if name == names[0] else spread(ratios(times[name], bare), "x")]
        )
    method = (
        "Each measurement spawns the server with the SDK's stdio `Client` (as a host does: `sys.executable`, a fresh "
        "process), lets the client connect (it probes `server/discover`, falling back to `initialize`) and times "
        f"until the first `tools/list` answer arrives. {repeats} repeats; in each the three servers start one after "
        "another, the first one rotating, so each ratio compares runs taken under the same load. Cells: median "
        "(min–max) of the times and of the per-repeat ratios. Our server is measured as it runs for users (an API "
        "key and `ATOMS_BASE_URL`, here the sandbox in its own process) and with `--demo`, which also generates its "
        "500-call sandbox at start."
    )
    notes = [
        f"Upstream requests made by {repeats} starts with a key, before and with the first tools/list: {upstream}."
    ]
    return Section("Cold start", method, table, notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, default=None, help="default 15; 2 quick")
    args = parser.parse_args()
    print(run(args.quick, args.repeats).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
