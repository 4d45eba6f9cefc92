"""A misconfigured server says what is wrong and which setting fixes it, for every tool, within the deadline.

Each upstream here is real loopback HTTP: the sandbox at the wrong path, a port nothing listens on, a host
name that does not resolve, and a web server that answers with pages that are not the Atoms API.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from atoms_logs_mcp.sandbox.serve import BackgroundServer
from conftest import SANDBOX_KEY, call_error, free_port, mcp_client, server_env

pytestmark = pytest.mark.anyio

CALL_ID = "CALL-1000000000000-abcdef"
NEVER = ("was not found", "Try again in a minute", "unavailable right now", "Check the id")


TOOL_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_logs", {}),
    ("summarize_logs", {}),
    ("list_agents", {}),
    ("get_log", {"call_id": CALL_ID}),
    ("search_by_call_ids", {"call_ids": [CALL_ID]}),
    ("export_logs", {"format": "csv"}),
]


async def every_tool_error(server: Any, tmp_path: Path, *, within: float = 20.0, **settings: Any) -> list[str]:
    """Each tool's error text, checking that each came back within `within` seconds."""
    errors = []
    async with mcp_client(server, export_dir=str(tmp_path), **settings) as client:
        for tool, arguments in TOOL_CALLS:
            started = time.monotonic()
            errors.append(await call_error(client, tool, arguments))
            assert time.monotonic() - started < within, tool
    return errors


def assert_names_cause_and_setting(errors: list[str], cause: str) -> None:
    for error in errors:
        assert cause in error, error
        assert "ATOMS_BASE_URL" in error and "/atoms/v1" in error, error
        for words in NEVER:
            assert words not in error, error
        assert SANDBOX_KEY not in error


class _Unreachable:
    """Stands in for a sandbox: only its base URL matters to `mcp_client`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


async def test_a_base_url_without_atoms_v1(sandbox, tmp_path):
    errors = await every_tool_error(_Unreachable(sandbox.root_url), tmp_path)
    assert_names_cause_and_setting(errors, "is not the Atoms API: it sent HTTP 404 for ")


async def test_a_closed_port(tmp_path):
    port = free_port()
    errors = await every_tool_error(_Unreachable(f"http://127.0.0.1:{port}/atoms/v1"), tmp_path, deadline=8.0)
    assert_names_cause_and_setting(errors, f"Cannot connect to the Atoms API at 127.0.0.1:{port}: connection refused")


async def test_a_mistyped_host(tmp_path):
    errors = await every_tool_error(_Unreachable("https://api.smallest.invalid/atoms/v1"), tmp_path)
    assert_names_cause_and_setting(errors, "Cannot connect to the Atoms API at api.smallest.invalid:443: host name")


HITS: list[str] = []


async def page(request: Request) -> Response:
    kind = request.path_params["kind"]
    HITS.append(kind)
    if kind == "html":
        return HTMLResponse("<!doctype html><html><body><h1>Welcome to our site</h1></body></html>")
    if kind == "forbidden":
        return JSONResponse({"status": False, "errors": ["Forbidden resource"]}, status_code=403)
    if kind == "proxy":
        return HTMLResponse("<html><body>Access denied by the corporate proxy</body></html>", status_code=403)
    return JSONResponse({"hello": "world"})


@pytest.fixture(scope="module")
def web_server() -> Iterator[BackgroundServer]:
    app = Starlette(routes=[Route("/{kind}/{rest:path}", page, methods=["GET", "POST"])])
    with BackgroundServer(app) as server:
        yield server


async def test_an_html_page_answering_200(web_server, tmp_path):
    errors = await every_tool_error(_Unreachable(f"{web_server.root_url}/html/atoms/v1"), tmp_path)
    assert_names_cause_and_setting(errors, "is not the Atoms API: it sent an HTML page (text/html")


async def test_json_that_is_not_the_api_envelope(web_server, tmp_path):
    errors = await every_tool_error(_Unreachable(f"{web_server.root_url}/other/atoms/v1"), tmp_path)
    assert_names_cause_and_setting(errors, "is not the Atoms API: it sent JSON without `status` and `data`")


async def test_a_403_says_the_key_lacks_permission_not_that_it_is_missing(web_server, tmp_path):
    async with mcp_client(_Unreachable(f"{web_server.root_url}/forbidden/atoms/v1")) as client:
        error = await call_error(client, "list_logs", {})
    assert "The API key was accepted but may not read this (HTTP 403)" in error
    assert "No Atoms API key" not in error and "rejected the API key" not in error


def test_check_reports_the_cause_the_same_way(sandbox):
    env = server_env(sandbox, ATOMS_BASE_URL=sandbox.root_url)
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "is not the Atoms API: it sent HTTP 404 for GET /agent" in done.stdout
    assert "ATOMS_BASE_URL" in done.stdout and "was not found" not in done.stdout


@pytest.mark.parametrize("kind", ["html", "other", "forbidden"])
async def test_a_misconfiguration_is_not_retried_like_an_outage(web_server, kind):
    from atoms_logs_mcp.api.client import AtomsClient
    from atoms_logs_mcp.api.errors import AtomsAPIError
    from conftest import settings_for

    HITS.clear()
    settings = settings_for(_Unreachable(f"{web_server.root_url}/{kind}/atoms/v1"), max_attempts=4)  # type: ignore[arg-type]
    async with AtomsClient(settings) as client:
        with pytest.raises(AtomsAPIError):
            await client.list_logs()
    assert [kind] == HITS, "one request: a wrong address or a refused key does not get better by asking again"


async def test_an_html_403_from_a_proxy_is_not_blamed_on_the_key(web_server):
    async with mcp_client(_Unreachable(f"{web_server.root_url}/proxy/atoms/v1")) as client:
        error = await call_error(client, "list_logs", {})
    assert "is not the Atoms API: it sent an HTML page (text/html" in error and "with HTTP 403" in error
    assert "ATOMS_BASE_URL" in error and "key" not in error.split("ATOMS_BASE_URL")[0].lower()
