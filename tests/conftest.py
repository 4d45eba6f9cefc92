"""Shared fixtures: the sandbox over real loopback HTTP, with a generated and a foreign dataset."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore

DATA = Path(__file__).parent / "data"

# Every text the suite saw come out of the server (tool answers, logs, subprocess output, errors),
# for the secret scan that runs last (tests/test_zz_secrets.py).
SEEN: list[str] = []
# Figures that tests report for docs/RELIABILITY.md (written when ATOMS_FIGURES_OUT is set).
FIGURES: dict[str, dict[str, Any]] = {}


def record_figure(section: str, **values: Any) -> None:
    FIGURES.setdefault(section, {}).update(values)


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a log line that cannot be formatted has nothing to leak
            SEEN.append(self.format(record))


def pytest_configure(config: pytest.Config) -> None:
    handler = _Collect(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    for name in ("atoms_logs_mcp", "mcp", "httpx", "uvicorn", "stamina"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # The exception a failing test saw (not the test's source, which quotes test keys on purpose).
    crash = getattr(report.longrepr, "reprcrash", None)
    if report.failed and crash is not None:
        SEEN.append(crash.message)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The secret scan reads what every other test produced, so it runs last.
    items.sort(key=lambda item: item.nodeid.startswith("tests/test_zz_secrets.py"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("ATOMS_FIGURES_OUT")
    if out:
        Path(out).write_text(json.dumps(FIGURES, indent=1, sort_keys=True), encoding="utf-8")


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
def live_dataset() -> dict[str, Any]:
    """Calls in the shapes the live API has been seen to send (NOTES.md), made by someone else from NOTES and
    the spec alone (tests/data/make_live_dataset.py): eventType keys, JSON-string metadata, epoch times, nulls."""
    return json.loads((DATA / "live_dataset.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def live_expected() -> dict[str, Any]:
    return json.loads((DATA / "live_dataset_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def agents_dataset() -> dict[str, Any]:
    """Agents with branches, revisions and resolved configs, made by someone else from NOTES and
    openapi-agents.yaml alone (tests/data/make_agents_dataset.py)."""
    return json.loads((DATA / "agents_dataset.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def agents_expected() -> dict[str, Any]:
    return json.loads((DATA / "agents_dataset_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _serve(dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    store = CallStore.from_dataset(dataset)
    with SandboxServer(store, api_key=SANDBOX_KEY) as server:
        yield server


@pytest.fixture(scope="session")
def _generated_server(generated_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(generated_dataset)


@pytest.fixture(scope="session")
def _foreign_server(foreign_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(foreign_dataset)


@pytest.fixture(scope="session")
def _agents_server(agents_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(agents_dataset)


@pytest.fixture(scope="session")
def _live_server(live_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(live_dataset)


def _fresh(server: SandboxServer) -> SandboxServer:
    server.set_faults(reset=True)
    server.reset_stats()
    server.reset_live(speed=1.0)
    server.set_versioning("v2")
    return server


@pytest.fixture
def sandbox(_generated_server: SandboxServer) -> SandboxServer:
    """The generated organisation on loopback, with no faults and zeroed counters."""
    return _fresh(_generated_server)


@pytest.fixture
def foreign_sandbox(_foreign_server: SandboxServer) -> SandboxServer:
    """The foreign dataset on loopback, with no faults and zeroed counters."""
    return _fresh(_foreign_server)


@pytest.fixture
def agents_sandbox(_agents_server: SandboxServer) -> SandboxServer:
    """The agent-versions dataset on loopback, on the v2 branch model, with no faults and zeroed counters."""
    return _fresh(_agents_server)


@pytest.fixture
def live_sandbox(_live_server: SandboxServer) -> SandboxServer:
    """The live-shaped dataset on loopback, with no faults and zeroed counters."""
    return _fresh(_live_server)


def settings_for(server: SandboxServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_key": SANDBOX_KEY,
        "base_url": server.base_url,
        "timeout": 5.0,
        "deadline": 20.0,
        "backoff_initial": 0.01,
        "backoff_max": 0.2,
        "store": "off",  # tests that read the store give it a file of their own
    }
    values.update(overrides)
    return Settings(**values)


API_DOCS = Path(__file__).parents[1] / "docs/atoms-api"
"""The spec subsets and NOTES.md, carried in the repository (docs/atoms-api/README.md says where from)."""


def _spec(variable: str, name: str) -> Path:
    """The spec subset `name`: from the repository, or from `variable` to check a newer copy."""
    path = Path(os.environ.get(variable) or API_DOCS / name)
    if not path.is_file():
        pytest.fail(f"the official spec is not at {path}: set {variable} to a copy, or restore docs/atoms-api/")
    return path


@pytest.fixture
def openapi_spec_path() -> Path:
    """The official spec subset of the conversation reads (docs/atoms-api/openapi.yaml)."""
    return _spec("ATOMS_OPENAPI_SPEC", "openapi.yaml")


@pytest.fixture
def agents_spec_path() -> Path:
    """The official spec subset of the agent reads (docs/atoms-api/openapi-agents.yaml)."""
    return _spec("ATOMS_OPENAPI_AGENTS_SPEC", "openapi-agents.yaml")


# MCP sessions -----------------------------------------------------------------------------------

PROTOCOL_MODES = ["auto", "legacy"]  # 2026-07-28 (stateless era) and the 2025-11-25 handshake era


@asynccontextmanager
async def mcp_client(server: SandboxServer, mode: str = "auto", **overrides: Any) -> AsyncIterator[Client]:
    """A real MCP client session, in memory, to our server reading `server` over loopback HTTP."""
    async with Client(create_server(settings_for(server, **overrides)), mode=mode) as client:  # type: ignore[arg-type]
        yield client


def text_of(result: Any) -> str:
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    SEEN.append(text)
    return text


async def call_text(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


async def call_error(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return text_of(result)


# The server as a subprocess ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SMALLEST_API_KEY": SANDBOX_KEY,
        "ATOMS_BASE_URL": sandbox.base_url,
        "ATOMS_STORE": "off",
        **extra,
    }


@contextmanager
def http_server_process(env: dict[str, str], log: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`atoms-logs-mcp --transport http` in a subprocess on a free loopback port: (MCP URL, process)."""
    port = free_port()
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "atoms_logs_mcp", "--transport", "http", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.terminate()
        process.wait(timeout=10)
        SEEN.append(log.read_text(errors="replace"))
