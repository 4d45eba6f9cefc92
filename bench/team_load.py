"""The team server's throughput and latency with 1 and with 3 replicas behind nginx, side by side in one run.

Two clusters (scripts/team_cluster.py: PostgreSQL, a sandbox with two keys' accounts, N replicas, nginx) run at
once; the same load (scripts/team_load.py: C MCP clients of two keys, each making K tool calls in turn) goes to
each in turn, repeated, and each figure is the median of the repeats. Every key's replica is synced first, so the
answers read PostgreSQL, not the sandbox.

    python bench/team_load.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
from common import Section, spread

from atoms_logs_mcp.sandbox.data import generate

ROOT = Path(__file__).resolve().parents[1]
ROUND3 = ROOT / "tests" / "data" / "round3_dataset.json"
"""The second key's account: calls in the shapes of someone else's making (tests/data/make_round3_dataset.py)."""
KEYS = ("sk_bench_alpha_" + "a1" * 16, "sk_bench_bravo_" + "b2" * 16)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
"""The accounts' last call, and the replicas' clock."""


def _script(name: str) -> ModuleType:
    """scripts/NAME.py, as the module `scripts_NAME` (this bench is `team_load` itself)."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


team_load = _script("team_load")


def _cluster(*args: str) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "scripts" / "team_cluster.py"), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _synced(url: str, tenants: list[Any]) -> None:
    for tenant in tenants:
        text = ""
        with anyio.move_on_after(300):
            while "From the local replica" not in text or "still being fetched" in text:
                await anyio.sleep(2)
                plan = [("summarize_logs", {"since": "30d"})]
                tally = await team_load.run_load(url, [tenant], 1, 1, plan=plan)
                text = (tally.answers.get(tenant.key) or [""])[0]
        if "From the local replica" not in text or "still being fetched" in text:
            raise SystemExit(f"the replica of {tenant.key[:14]}... did not fill in 300 s; its last answer: {text}")


def run(quick: bool = False) -> Section:
    clients, calls, repeats = (20, 5, 1) if quick else (100, 20, 3)
    with tempfile.TemporaryDirectory(prefix="bench-team-") as scratch:
        folder = Path(scratch)
        accounts = {KEYS[0]: generate(calls=400, seed=11, end=NOW), KEYS[1]: json.loads(ROUND3.read_text())}
        files = []
        for name, (key, dataset) in zip(("alpha", "bravo"), accounts.items(), strict=True):
            path = folder / f"{name}.json"
            path.write_text(json.dumps(dataset))
            files.append(f"--sandbox-tenant={key}={path}")
        tenants = [team_load.tenant_from(spec.split("=", 1)[1]) for spec in files]
        clusters = {}
        try:
            for replicas in (1, 3):
                where = ["--port", str(_free_port()), "--dir", str(folder / f"c{replicas}")]
                settings = [
                    f"--env=ATOMS_NOW={NOW.isoformat()}",
                    f"--env=ATOMS_KEY_MAX_IN_FLIGHT={clients * 2}",
                    "--env=ATOMS_SYNC_INTERVAL=5",
                ]
                clusters[replicas] = _cluster("up", "--replicas", str(replicas), *where, *files, *settings)
                anyio.run(_synced, clusters[replicas]["url"], tenants)
            runs: dict[int, list[dict[str, Any]]] = {1: [], 3: []}
            for _ in range(repeats):
                for replicas, info in clusters.items():
                    tally = anyio.run(team_load.run_load, info["url"], tenants, clients, calls)
                    runs[replicas].append(tally.summary())
        finally:
            for info in clusters.values():
                _cluster("down", "--dir", info["dir"])
    return _section(runs, clients, calls, repeats)


def _section(runs: dict[int, list[dict[str, Any]]], clients: int, calls: int, repeats: int) -> Section:
    table = [["replicas", "calls/s", "p50", "p99", "failed calls"]]
    for replicas, measured in runs.items():
        table.append(
            [
                str(replicas),
                spread([run["calls_per_s"] for run in measured], digits=1),
                spread([run["p50_ms"] for run in measured], " ms", 0),
                spread([run["p99_ms"] for run in measured], " ms", 0),
                str(sum(run["failed_before_answer"] + run["cut_mid_answer"] + run["tool_errors"] for run in measured)),
            ]
        )
    ratio = [three["calls_per_s"] / one["calls_per_s"] for one, three in zip(runs[1], runs[3], strict=True)]
    return Section(
        "The team server: 1 and 3 replicas behind nginx",
        f"Two clusters side by side (scripts/team_cluster.py: PostgreSQL, nginx with deploy/nginx.conf, a sandbox "
        "serving two keys their own accounts: 400 generated calls, and the round-3 dataset of someone else's "
        f"making); {clients} MCP clients of the two keys each make {calls} tool calls in turn (scripts/team_load.py: "
        "list_logs, get_log, search_by_call_ids, summarize_logs, search_transcripts), "
        f"after both keys' replicas are synced into PostgreSQL. Median (min–max) of {repeats} runs, alternating "
        f"the clusters.",
        table,
        [
            f"Throughput with 3 replicas / with 1: {spread(ratio, '×')}. One replica is one Python process, so it "
            f"uses at most one core; this machine has {len(os.sched_getaffinity(0))}, shared by both clusters' "
            "replicas, PostgreSQL, nginx, the sandbox and the clients, so the ratio is what 3 replicas gain here, "
            "not a bound.",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    print(run(parser.parse_args().quick).markdown())


if __name__ == "__main__":
    main()
