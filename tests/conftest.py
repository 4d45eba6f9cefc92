"""Shared fixtures: the sandbox over real loopback HTTP, with a generated and a foreign dataset."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from store_support import postgres_location, postgres_server, store_location  # noqa: F401 - fixtures

DATA = Path(__file__).parent / "data"
SANDBOX_KEY = "sk_test_sandbox_key_0123456789"


# Figures for docs/RELIABILITY.md -------------------------------------------------------------------------


def script_module(name: str) -> ModuleType:
    """scripts/<name>.py loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_figure(section: str, **values: Any) -> None:
    """Figures for docs/RELIABILITY.md, set by one test."""
    _write_figure({"section": section, "values": values})


def count_figure(section: str, **counts: int) -> None:
    """Counts for docs/RELIABILITY.md that several tests add to (the report sums them)."""
    _write_figure({"section": section, "add": counts})


def _write_figure(report: dict[str, Any]) -> None:
    """A file of its own in the folder ATOMS_FIGURES_OUT names, which scripts/reliability_report.py merges: tests
    report from any process, in any order, and nothing is kept between them."""
    out = os.environ.get("ATOMS_FIGURES_OUT")
    if out:
        path = Path(out) / f"{report['section']}.{uuid.uuid4().hex}.json"
        path.write_text(json.dumps(report, sort_keys=True), encoding="utf-8")


# The secret scan: every text that comes out of the server is checked where the test reads it ------------------

LEAKY_KEY = "sk_live_ZZ_leak_canary_4f2a9c1e7b"
"""The key tests/test_secrets.py configures to provoke leaks: it must never be seen anywhere."""
# Keys the sandbox itself hands out on purpose (printed by `atoms-logs-mcp sandbox`), and masked forms.
ALLOWED_KEYS = {"sk_sandbox_local_demo_key", "sk_cli_test_key", "sk_[redacted]"}
SK_SHAPED = re.compile(r"\bsk_[A-Za-z0-9_\-]{6,}")


def find_leaks(texts: list[str]) -> list[str]:
    """The configured keys, or any unmasked `sk_` string not handed out on purpose, in `texts`."""
    leaks = []
    for text in texts:
        for secret in (LEAKY_KEY, SANDBOX_KEY, "ZZ_leak_canary"):
            if secret in text:
                leaks.append(f"{secret!r} in: {text[:200]!r}")
        for match in SK_SHAPED.findall(text):
            if match not in ALLOWED_KEYS and match not in (LEAKY_KEY, SANDBOX_KEY):
                leaks.append(f"unmasked sk_ string {match!r} in: {text[:200]!r}")
    return leaks


def assert_no_secret(*texts: str) -> None:
    """Fail the test that produced `texts` (a tool answer, a subprocess's output, an error) if one shows a key."""
    leaks = find_leaks([text for text in texts if text])
    assert not leaks, "a secret in the server's output:\n" + "\n".join(leaks[:20])


class LeakWatch(logging.Handler):
    """Every log line of our server and its libraries during one test, checked for keys."""

    LOGGERS = ("atoms_logs_mcp", "mcp", "httpx", "uvicorn", "stamina")

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a log line that cannot be formatted has nothing to leak
            self.lines += 1
            self.leaks += find_leaks([self.format(record)])


def pytest_configure(config: pytest.Config) -> None:
    for name in LeakWatch.LOGGERS:  # debug lines too, where a key would most likely slip out
        logging.getLogger(name).setLevel(logging.DEBUG)


@pytest.fixture(autouse=True)
def log_lines_leak_no_secret() -> Iterator[LeakWatch]:
    """Each test's log lines, scanned as they are written; the test fails if one shows a key."""
    watch = LeakWatch()
    for name in LeakWatch.LOGGERS:
        logging.getLogger(name).addHandler(watch)
    try:
        yield watch
    finally:
        for name in LeakWatch.LOGGERS:
            logging.getLogger(name).removeHandler(watch)
    assert not watch.leaks, "a secret in a log line:\n" + "\n".join(watch.leaks[:20])


# The generated organisation used by most tests: fixed seed and end, so outputs are stable. Every server a test
# starts reads its "now" from an injected clock that starts here (the `now` setting, ATOMS_NOW for a subprocess),
# so "7d" means the same calls on whatever day the suite runs.
GENERATED_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The regressed Support agent, the week before its new version against the week after, tool failures included.
SUPPORT_WEEK_AFTER_WEEK = {
    "baseline": {"agents": ["Support"], "since": "2026-11-06", "until": "2026-11-12"},
    "candidate": {"agents": ["Support"], "since": "2026-11-13", "until": "2026-11-19"},
    "deep": True,
}


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
def round3_dataset() -> dict[str, Any]:
    """Round-3 shapes (local-offset createdAt, duplicate and shuffled events, transcript-less calls, v1..v5,
    a deleted agent, diagnostics without timestamps, hostile text), made by someone else from the API docs
    alone (tests/data/make_round3_dataset.py)."""
    return json.loads((DATA / "round3_dataset.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def round3_expected() -> dict[str, Any]:
    return json.loads((DATA / "round3_dataset_expected.json").read_text(encoding="utf-8"))


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
def _round3_server(round3_dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    yield from _serve(round3_dataset)


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
def round3_sandbox(_round3_server: SandboxServer) -> SandboxServer:
    """The round-3 dataset on loopback, on the v2 branch model, with no faults and zeroed counters."""
    return _fresh(_round3_server)


@pytest.fixture
def live_sandbox(_live_server: SandboxServer) -> SandboxServer:
    """The live-shaped dataset on loopback, with no faults and zeroed counters."""
    return _fresh(_live_server)


TEST_SETTINGS: dict[str, Any] = {
    "timeout": 5.0,
    "deadline": 20.0,
    "backoff_initial": 0.01,
    "backoff_max": 0.2,
    "store": "off",  # tests that read the store give it one of their own (a module may set its default)
    "sync": False,  # tests of the replica turn it on
    "now": GENERATED_END,
}
"""Every test server's settings but the sandbox's address and key, unless a test says otherwise."""


def settings_for(server: SandboxServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"api_key": SANDBOX_KEY, "base_url": server.base_url, **TEST_SETTINGS}
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
    assert_no_secret(text)
    return text


async def call_text(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


async def call_error(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return text_of(result)


def section(text: str, name: str) -> str:
    """A get_log section's text, from its `## name` heading to the next."""
    found = re.search(rf"^## {name}.*?(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert found, (name, text)
    return found.group(0)


def line(text: str, start: str) -> str:
    """The rest of the first line of `text` that begins with `start`."""
    found = re.search(rf"^{re.escape(start)}(.*)$", text, flags=re.MULTILINE)
    assert found, (start, text)
    return found.group(1)


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
        "ATOMS_SYNC": "off",
        "ATOMS_NOW": GENERATED_END.isoformat(),
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
        assert_no_secret(log.read_text(errors="replace"))
