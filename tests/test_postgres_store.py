"""The store on PostgreSQL beyond what both engines share: a restart or an outage between two tool calls of one
MCP session (answers from the API with one notice, then the replica again), and two keys' data never crossing
(store rows, the replica, search) on either engine."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

from atoms_logs_mcp.domain.calls import key_fingerprint
from atoms_logs_mcp.domain.transcript_search import TextQuery
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore as SandboxStore
from atoms_logs_mcp.store import call_store
from atoms_logs_mcp.store.call_store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client
from replica_support import replica_settings, sync_once

pytestmark = pytest.mark.anyio
WINDOW = {"since": "2026-10-01", "until": "2026-11-20T12:00:00Z", "attempt": "all"}
OTHER_KEY = "sk_test_other_organisation_98765"


async def test_a_postgres_restart_or_outage_between_two_calls_falls_back_to_the_api_then_back(
    sandbox: SandboxServer, postgres_location: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres, url = postgres_location
    monkeypatch.setattr(call_store, "COOL_DOWN", 1.0)
    await sync_once(sandbox, url)
    async with mcp_client(sandbox, **replica_settings(sandbox, url)) as client:
        before = await call_text(client, "analyze_calls", {**WINDOW, "aspects": ["outcomes"]})
        assert "From the local replica" in before
        postgres.restart()  # every pooled connection is gone: the next call connects again
        again = await call_text(client, "analyze_calls", {**WINDOW, "aspects": ["outcomes"]})
        assert "From the local replica" in again and "could not be reached" not in again
        postgres.stop()
        down = await call_text(client, "analyze_calls", {**WINDOW, "aspects": ["outcomes"]})
        assert "From the local replica" not in down and down.count("could not be reached") == 1, down[:800]
        assert "password" not in down and _outcomes(down) == _outcomes(before), "the API's answer is the same"
        postgres.start()
        await anyio.sleep(1.2)  # the cool-down
        back = await call_text(client, "analyze_calls", {**WINDOW, "aspects": ["outcomes"]})
        assert "From the local replica" in back and "could not be reached" not in back


def _outcomes(text: str) -> str:
    return text.split("## Outcomes")[1] if "## Outcomes" in text else text.split("\n\n", 2)[-1]


def _other_account() -> dict[str, Any]:
    """Another organisation's calls: a different account whose call ids are all its own."""
    text = json.dumps(generate(calls=120, seed=99, end=GENERATED_END))
    return json.loads(text.replace('"CALL-', '"CALL-B'))


async def test_two_keys_sharing_one_store_never_see_each_others_calls(
    sandbox: SandboxServer, store_location: str
) -> None:
    with SandboxServer(SandboxStore.from_dataset(_other_account()), api_key=OTHER_KEY) as other:
        await sync_once(sandbox, store_location)
        await sync_once(other, store_location, api_key=OTHER_KEY)
        answers = {}
        for server, key in ((sandbox, SANDBOX_KEY), (other, OTHER_KEY)):
            async with mcp_client(server, **replica_settings(server, store_location, api_key=key)) as client:
                listed = await call_text(client, "list_logs", {**WINDOW, "limit": 100})
                found = await call_text(client, "search_transcripts", {**WINDOW, "text": "order"})
                assert "From the local replica" in listed
                answers[key] = re.findall(r"CALL-\w+", listed + found)
    assert answers[SANDBOX_KEY] and not [i for i in answers[SANDBOX_KEY] if i.startswith("CALL-B")]
    assert answers[OTHER_KEY] and all(i.startswith("CALL-B") for i in answers[OTHER_KEY])


def test_store_rows_and_search_are_split_by_organisation(store_location: str) -> None:
    store = CallStore.open(store_location if "://" in store_location else Path(store_location), 10**9)
    try:
        for org in ("org-a", "org-b"):
            store.put(org, "CALL-1", created=None, status="completed", detail={"org": org}, digest={"org": org},
                      turns=[(1, "user", 0.0, f"refund for {org}")])  # fmt: skip
        query = TextQuery.parse("refund").indexed()
        for org in ("org-a", "org-b"):
            assert store.detail(org, "CALL-1") == {"org": org}
            assert store.digests(org, ["CALL-1"]) == {"CALL-1": {"org": org}}
            assert [t.content for t, _ in store.matching_turns(org, ["CALL-1"], query)] == [f"refund for {org}"]
            assert [t.content for t, _ in store.matching_turns(org, ["CALL-1"], None)] == [f"refund for {org}"]
        assert store.matching_turns("org-c", ["CALL-1"], query) == [] and store.stored_ids("org-c", ["CALL-1"]) == set()
        assert key_fingerprint(OTHER_KEY) not in store_location, "the store is keyed by fingerprints, not keys"
    finally:
        store.close()
