"""The MCP Apps views (`io.modelcontextprotocol/ui`): which tool each view is bound to, the view documents,
and what a host that did not negotiate Apps sees (no change at all).

get_log renders in the call view; summarize_logs and compare_calls in the window view (compare_calls' comparison
too). Each view gets its data from app-only tools (visibility ["app"], hidden from the model by the host), so
every tool's text answer is the same for every host. Hosts without Apps get the tool list without the bindings
and without the app-only tools, and no `ui://` resources: exactly what they saw before views existed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from mcp.server.apps import Apps, ResourceCsp, client_supports_apps
from mcp.types import Resource, Tool

from ..views.documents import VIEWS, document
from . import call_view_data, compare_view_data, window_view_data
from .context import READ_ONLY

CALL_VIEW = "ui://atoms-logs/call"
WINDOW_VIEW = "ui://atoms-logs/window"
BOUND = {"get_log": CALL_VIEW, "summarize_logs": WINDOW_VIEW, "compare_calls": WINDOW_VIEW}
"""The model's tools a view renders, with their view."""
PAGES = {CALL_VIEW: "call", WINDOW_VIEW: "window"}
"""Each view's document (`views.documents.VIEWS`)."""
DATA_TOOLS: dict[str, tuple[str, str, Callable[..., Awaitable[dict[str, Any]]], tuple[str, ...]]] = {
    "call_view_data": (CALL_VIEW, call_view_data.DESCRIPTION, call_view_data.handler, ("get_log",)),
    "window_view_data": (
        WINDOW_VIEW,
        window_view_data.DESCRIPTION,
        window_view_data.handler,
        ("summarize_logs", "compare_calls"),
    ),
    "compare_view_data": (WINDOW_VIEW, compare_view_data.DESCRIPTION, compare_view_data.handler, ("compare_calls",)),
}
"""The app-only data tools: the view each one feeds, its description, its handler, the model tools it draws."""


def view_of(tool: str) -> dict[str, Any]:
    """The `_meta` that binds a model tool to its view."""
    return {"ui": {"resourceUri": BOUND[tool]}}


def extension(enabled: Collection[str]) -> Apps:
    """The Apps extension for the enabled model tools: their views' documents and data tools."""
    apps = Apps()
    wanted = {BOUND[name] for name in enabled if name in BOUND}
    for uri in sorted(wanted):
        page = PAGES[uri]
        apps.add_html_resource(uri, document(page), name=VIEWS[page][0], csp=ResourceCsp(), prefers_border=True)
    for name, (uri, description, handler, drawn) in DATA_TOOLS.items():
        if uri in wanted and set(drawn) & set(enabled):
            data_tool = apps.tool(
                resource_uri=uri,
                visibility=["app"],
                name=name,
                description=description,
                annotations=READ_ONLY,
                structured_output=True,
            )
            data_tool(handler)
    return apps


def for_this_client(ctx: Any, tools: list[Tool]) -> list[Tool]:
    """The tool list as this client should see it: unchanged with Apps; else without app-only tools or bindings."""
    return tools if client_supports_apps(ctx) else without_views(tools)


def without_views(tools: list[Tool]) -> list[Tool]:
    """The tools as a host without Apps sees them: no app-only tool, no binding to a view."""
    return [_unbound(tool) for tool in tools if "model" in _ui(tool).get("visibility", ["model"])]


def resources_for_this_client(ctx: Any, resources: list[Resource]) -> list[Resource]:
    """The resources, without the `ui://` views unless the client negotiated Apps."""
    return resources if client_supports_apps(ctx) else [r for r in resources if not str(r.uri).startswith("ui://")]


def _ui(tool: Tool) -> dict[str, Any]:
    ui = (tool.meta or {}).get("ui")
    return ui if isinstance(ui, dict) else {}


def _unbound(tool: Tool) -> Tool:
    if not _ui(tool):
        return tool
    meta = {key: value for key, value in (tool.meta or {}).items() if key != "ui"}
    return tool.model_copy(update={"meta": meta or None})
