"""The sandbox's tenants (`atoms-logs-mcp sandbox --tenant KEY=DATAFILE`): each key reads its own dataset on every
route, and a key that names no dataset gets the API's 401.

Over HTTP against the real command, and through MCP client sessions whose server holds each tenant's key.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import call_error, call_text, mcp_client

DATA = Path(__file__).parent / "data"
KEY_A = "sk_tenant_a_0123456789abcdef"
KEY_B = "sk_tenant_b_fedcba9876543210"
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
FILES = {KEY_A: DATA / "round3_dataset.json", KEY_B: DATA / "foreign_dataset.json"}


@pytest.fixture(scope="module")
def tenants_url() -> Iterator[str]:
    """`atoms-logs-mcp sandbox --tenant A=round3 --tenant B=foreign` on a free port: its Atoms base URL."""
    tenants = [arg for key, path in FILES.items() for arg in ("--tenant", f"{key}={path}")]
    process = subprocess.Popen(
        [sys.executable, "-m", "atoms_logs_mcp", "sandbox", "--port", "0", *tenants],
        stdout=subprocess.PIPE,
        text=True,
        env=BASE_ENV,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert sum(key in line for line in lines for key in FILES) == 2, lines
        yield next(line.split("=", 1)[1].strip() for line in lines if "ATOMS_BASE_URL=" in line)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _ids(key: str) -> set[str]:
    return {call["callId"] for call in json.loads(FILES[key].read_text(encoding="utf-8"))["calls"]}


def _get(url: str, key: str, **params: Any) -> httpx.Response:
    return httpx.get(url, params=params, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_each_key_reads_its_own_dataset_on_every_route(tenants_url):
    ids = {key: _ids(key) for key in FILES}
    assert not ids[KEY_A] & ids[KEY_B], "the two datasets must not share call ids for this test to mean anything"
    for key, other in ((KEY_A, KEY_B), (KEY_B, KEY_A)):
        listed = _get(f"{tenants_url}/conversation", key, limit=500).json()["data"]
        listed_ids = {row["callId"] for row in listed["logs"]}
        assert len(listed_ids) == listed["pagination"]["total"] > 0 and listed_ids <= ids[key]
        mine, theirs = sorted(ids[key])[0], sorted(ids[other])[0]
        found = httpx.post(
            f"{tenants_url}/conversation/search",
            json={"callIds": [mine, theirs]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        ).json()["data"]
        assert [row["callId"] for row in found["logs"]] == [mine]
        assert _get(f"{tenants_url}/conversation/{mine}", key).status_code == 200
        assert _get(f"{tenants_url}/conversation/{theirs}", key).status_code == 404
        assert _get(f"{tenants_url}/conversation/{theirs}/retries", key).status_code == 404
    agents = {
        key: {a["_id"] for a in _get(f"{tenants_url}/agent", key, offset=100).json()["data"]["agents"]} for key in FILES
    }
    assert agents[KEY_A] and agents[KEY_B] and not agents[KEY_A] & agents[KEY_B]


def test_an_unknown_key_gets_the_apis_401(tenants_url):
    for headers in ({"Authorization": "Bearer sk_nobody_0000000000"}, {}, {"Authorization": f"Basic {KEY_A}"}):
        answer = httpx.get(f"{tenants_url}/conversation", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json() == {"status": False, "errors": ["Unauthorized: User not found"]}


def test_the_tenant_option_refuses_bad_specs(tmp_path):
    command = [sys.executable, "-m", "atoms_logs_mcp", "sandbox", "--port", "0"]
    for args in (["--tenant", "no_equals_sign"], ["--tenant", f"k={FILES[KEY_A]}", "--tenant", f"k={FILES[KEY_B]}"]):
        done = subprocess.run([*command, *args], env=BASE_ENV, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "--tenant" in done.stderr


@pytest.fixture(scope="module")
def two_tenants(round3_dataset: dict[str, Any], foreign_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    stores = {KEY_A: CallStore.from_dataset(round3_dataset), KEY_B: CallStore.from_dataset(foreign_dataset)}
    with SandboxServer(stores) as server:
        yield server


@pytest.mark.anyio
async def test_mcp_sessions_with_each_key_see_only_their_calls(two_tenants):
    ids = {key: _ids(key) for key in FILES}
    for key, other in ((KEY_A, KEY_B), (KEY_B, KEY_A)):
        async with mcp_client(two_tenants, api_key=key, now=None) as client:
            listed = await call_text(client, "list_logs", {"limit": 50, "since": "2020-01-01", "until": "2030-01-01"})
            shown = set(re.findall(r"CALL-\d{13}-[0-9a-f]{6}", listed))
            assert shown and shown <= ids[key]
            theirs = sorted(ids[other])[0]
            missing = await call_text(client, "search_by_call_ids", {"call_ids": [theirs]})
            assert theirs in missing and not re.search(rf"^{theirs} \|", missing, re.MULTILINE)
            assert "not found" in (await call_error(client, "get_log", {"call_id": theirs})).lower()
    async with mcp_client(two_tenants, api_key="sk_nobody_0000000000") as client:
        assert "HTTP 401" in await call_error(client, "list_logs", {"limit": 2})
