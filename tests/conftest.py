"""Shared fixtures: the sandbox over real loopback HTTP, with a generated and a foreign dataset."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from atoms_logs_mcp.server import create_server

DATA = Path(__file__).parent / "data"
SANDBOX_KEY = "sk_test_sandbox_key_0123456789"
# The generated organisation used by most tests: fixed seed and end, so outputs are stable.
GENERATED_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def generated_dataset() -> dict[str, Any]:
    return generate(calls=400, seed=11, end=GENERATED_END)


@pytest.fixture(scope="session")
def foreign_dataset() -> dict[str, Any]:
    """A dataset built by someone else from the spec alone (tests/data/make_foreign_dataset.py)."""
    return json.loads((DATA / "foreign_dataset.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def foreign_expected() -> dict[str, Any]:
    return json.loads((DATA / "foreign_dataset_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _serve(dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    store = CallStore(dataset["agents"], dataset["calls"])
    with SandboxServer(store, api_key=SANDBOX_KEY) as server:
        yield server


@pytest.fixture(scope="session")
def _generated_server(generated_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(generated_dataset)


@pytest.fixture(scope="session")
def _foreign_server(foreign_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(foreign_dataset)


def _fresh(server: SandboxServer) -> SandboxServer:
    server.set_faults(reset=True)
    server.reset_stats()
    return server


@pytest.fixture
def sandbox(_generated_server: SandboxServer) -> SandboxServer:
    """The generated organisation on loopback, with no faults and zeroed counters."""
    return _fresh(_generated_server)


@pytest.fixture
def foreign_sandbox(_foreign_server: SandboxServer) -> SandboxServer:
    """The foreign dataset on loopback, with no faults and zeroed counters."""
    return _fresh(_foreign_server)


def settings_for(server: SandboxServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_key": SANDBOX_KEY,
        "base_url": server.base_url,
        "timeout": 5.0,
        "deadline": 20.0,
        "backoff_initial": 0.01,
        "backoff_max": 0.2,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def openapi_spec_path() -> Path:
    """The official spec subset; contract tests skip with the reason when it is absent."""
    candidates = [
        os.environ.get("ATOMS_OPENAPI_SPEC"),
        Path(__file__).parents[2] / "shared/atoms-api/openapi.yaml",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.skip("the official spec is not here: set ATOMS_OPENAPI_SPEC or put ../shared/atoms-api/openapi.yaml")


# MCP sessions -----------------------------------------------------------------------------------

PROTOCOL_MODES = ["auto", "legacy"]  # 2026-07-28 (stateless era) and the 2025-11-25 handshake era


@asynccontextmanager
async def mcp_client(server: SandboxServer, mode: str = "auto", **overrides: Any) -> AsyncIterator[Client]:
    """A real MCP client session, in memory, to our server reading `server` over loopback HTTP."""
    async with Client(create_server(settings_for(server, **overrides)), mode=mode) as client:  # type: ignore[arg-type]
        yield client


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def call_text(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


async def call_error(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return text_of(result)
