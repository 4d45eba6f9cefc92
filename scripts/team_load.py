"""Load on a team server: many MCP clients, each with its user's key, each making tool calls one after another.

Each client is a real MCP client session (protocol 2026-07-28, one POST per call) through the proxy. A call that
fails is sorted by whether its answer had begun: a failure before any response header came back is one the proxy
should have retried on another replica (it must not happen); one after is a stream cut when its replica died.

    python scripts/team_load.py --url http://127.0.0.1:8080/mcp --key KEY=DATAFILE [--key ...] --clients 100 --calls 20

prints one JSON object: calls, failures of each kind, throughput and latency percentiles. tests/test_team_load.py
and bench/team_load.py import it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import TextContent

CALL_TIMEOUT_S = 180.0
"""Above nginx's proxy_read_timeout (150 s): a call is given up only after the proxy would have."""
CALL_ID = re.compile(r"CALL-\d+-[0-9a-z]+")
Plan = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Tenant:
    key: str
    call_ids: tuple[str, ...]
    """Call ids of this key's account, to open and look up."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    """Seconds of each call that answered (a tool error included: it is an answer)."""
    tool_errors: list[str] = field(default_factory=list)
    failed_before_answer: list[str] = field(default_factory=list)
    cut_mid_answer: list[str] = field(default_factory=list)
    answers: dict[str, list[str]] = field(default_factory=dict)
    """Each key's answers' text, to check that no other key's calls appear in them."""
    wall_s: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies) + len(self.failed_before_answer) + len(self.cut_mid_answer)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "calls": self.done,
            "answered": len(ordered),
            "tool_errors": len(self.tool_errors),
            "failed_before_answer": len(self.failed_before_answer),
            "cut_mid_answer": len(self.cut_mid_answer),
            "wall_s": round(self.wall_s, 2),
            "calls_per_s": round(len(ordered) / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": round(percentile(ordered, 50) * 1000) if ordered else None,
            "p99_ms": round(percentile(ordered, 99) * 1000) if ordered else None,
        }


def percentile(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    rank = max(1, min(len(ordered), round(share / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def call_plan(tenant: Tenant, client: int, calls: int) -> Plan:
    """The calls one client makes: what a user debugging voice agents asks, cheapest first, varied by client."""
    ids = tenant.call_ids
    plan: Plan = []
    for turn in range(calls):
        pick = ids[(client * 7 + turn * 13) % len(ids)]
        match (client + turn) % 5:
            case 0:
                plan.append(("list_logs", {"limit": 5}))
            case 1:
                plan.append(("get_log", {"call_id": pick, "include": ["overview", "transcript"]}))
            case 2:
                plan.append(("search_by_call_ids", {"call_ids": [pick, ids[(client + turn) % len(ids)]]}))
            case 3:
                plan.append(("summarize_logs", {"since": "30d", "group_by": ["status", "agent"]}))
            case _:
                plan.append(("search_transcripts", {"text": "order", "since": "30d"}))
    return plan


async def one_client(
    url: str,
    tenant: Tenant,
    plan: list[tuple[str, dict[str, Any]]],
    tally: Tally,
    after_each: Callable[[], Awaitable[None]],
) -> None:
    began = [False]

    async def on_response(response: Any) -> None:
        if response.request.method == "POST":
            began[0] = True

    headers = {"Authorization": f"Bearer {tenant.key}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=CALL_TIMEOUT_S, event_hooks={"response": [on_response]}) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        for tool, arguments in plan:
            began[0] = False
            started = time.perf_counter()
            try:
                with anyio.fail_after(CALL_TIMEOUT_S):
                    result = await client.call_tool(tool, arguments)
            except Exception as error:  # every failure is counted, by kind
                shown = f"{tool}: {type(error).__name__}: {str(error)[:200]}"
                (tally.cut_mid_answer if began[0] else tally.failed_before_answer).append(shown)
            else:
                tally.latencies.append(time.perf_counter() - started)
                text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
                tally.answers.setdefault(tenant.key, []).append(text)
                if result.is_error:
                    tally.tool_errors.append(f"{tool}: {text[:200]}")
            await after_each()


async def run_load(
    url: str,
    tenants: Sequence[Tenant],
    clients: int,
    calls: int,
    after_each: Callable[[Tally], Awaitable[None]] | None = None,
    plan: Plan | None = None,
) -> Tally:
    """`clients` clients (shared out among the tenants' keys), each making `calls` calls (`call_plan`'s, or `plan`
    when given); `after_each(tally)` runs after every call (a test uses it to break something at a given point)."""
    tally = Tally()

    async def noted() -> None:
        if after_each is not None:
            await after_each(tally)

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for client in range(clients):
            tenant = tenants[client % len(tenants)]
            calls_made = plan if plan is not None else call_plan(tenant, client, calls)
            group.start_soon(one_client, url, tenant, calls_made, tally, noted)
    tally.wall_s = time.perf_counter() - started
    return tally


def tenant_from(spec: str) -> Tenant:
    """KEY=DATAFILE: the key and the call ids of the dataset the sandbox serves it."""
    key, _, path = spec.partition("=")
    calls = json.loads(Path(path).read_text())["calls"]
    return Tenant(key, tuple(str(call["callId"]) for call in calls if call.get("callId")))


def foreign_ids(tally: Tally, tenants: Sequence[Tenant]) -> dict[str, set[str]]:
    """For each key, the call ids of other keys' accounts that appeared in its answers (must be empty)."""
    owned = {tenant.key: set(tenant.call_ids) for tenant in tenants}
    seen = {key: set(CALL_ID.findall("\n".join(texts))) for key, texts in tally.answers.items()}
    return {
        key: {call for call in seen.get(key, set()) for other, ids in owned.items() if other != key and call in ids}
        for key in owned
    }


def median_summary(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over repeated runs."""
    return {name: statistics.median(run[name] for run in runs) for name in runs[0] if runs[0][name] is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", action="append", required=True, metavar="KEY=DATAFILE")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--calls", type=int, default=20)
    arguments = parser.parse_args()
    tenants = [tenant_from(spec) for spec in arguments.key]
    tally = anyio.run(run_load, arguments.url, tenants, arguments.clients, arguments.calls)
    print(json.dumps(tally.summary()))


if __name__ == "__main__":
    main()
