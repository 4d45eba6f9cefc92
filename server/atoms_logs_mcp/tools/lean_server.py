"""The MCPServer this project serves: lean tool schemas, strict, readable argument errors, and the tool and
resource lists each client should see (the MCP Apps views only for hosts that negotiated them, `tools.apps`).

Tool definitions cost tokens in every conversation, before the user says anything. Pydantic's schemas
carry noise a model does not need: a `title` on every property, `anyOf: [T, null]` for each optional
parameter, `default: null`, `default: false` on a flag (absent is off). `lean_schema` removes exactly that; what a
value may be is unchanged, and arguments are still validated against the full pydantic model. (Bounds that only
stop abuse are validated but never shown: `arguments.Guard`.)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import ListResourcesResult, ListToolsResult, PaginatedRequestParams, Tool
from pydantic import ValidationError

from ..render.failures import describe_invalid_arguments
from ..render.untrusted import clean, clip
from .apps import for_this_client, resources_for_this_client


def lean_schema(schema: Any) -> Any:
    """The JSON schema without titles, `anyOf` with null (optional parameters), null defaults or false ones."""
    if isinstance(schema, list):
        return [lean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: lean_schema(value) for key, value in schema.items() if key != "title"}
    if "properties" in schema:  # property names are data here, not keywords: keep a property called title
        out["properties"] = {name: lean_schema(value) for name, value in schema["properties"].items()}
    options = out.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1 and isinstance(kept[0], dict):
            del out["anyOf"]
            out = {**kept[0], **out}
    if "default" in out and (out["default"] is None or out["default"] is False):
        del out["default"]
    return out


Admission = Callable[[str, Any], AbstractAsyncContextManager[None]]
"""What runs around every tool call (the team server's per-key limit, deadline and log line: `team.admission`)."""


class AtomsMCPServer(MCPServer[Any]):
    """MCPServer whose tool list is lean and whose argument errors read as one clear line."""

    _parameters: dict[str, list[str]] | None = None
    admission: Admission | None = None

    async def list_tools(self) -> list[Tool]:
        tools = await super().list_tools()
        return [tool.model_copy(update={"input_schema": lean_schema(tool.input_schema)}) for tool in tools]

    async def _handle_list_tools(
        self, ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return ListToolsResult(tools=for_this_client(ctx, await self.list_tools()))

    async def _handle_list_resources(
        self, ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        return ListResourcesResult(resources=resources_for_this_client(ctx, await self.list_resources()))

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        # The SDK ignores arguments a tool does not take; a model that misnames one should hear so.
        if self._parameters is None:
            self._parameters = {
                tool.name: list(tool.input_schema.get("properties", {})) for tool in await self.list_tools()
            }
        known = self._parameters.get(name)
        unknown = sorted(set(arguments) - set(known)) if known is not None else []
        if unknown:
            allowed = ", ".join(known or [])
            shown = ", ".join(repr(clip(clean(key), 40)) for key in unknown[:5])
            raise ToolError(
                f"Error executing tool {name}: Invalid arguments. Unknown argument {shown}; {name} takes: {allowed}."
            )
        try:
            if self.admission is None:
                return await super().call_tool(name, arguments, context)
            async with self.admission(name, context):
                return await super().call_tool(name, arguments, context)
        except ToolError as error:
            # Only the SDK's own argument check; a crash inside a tool (UnexpectedToolError) is not the model's fault.
            if isinstance(error.__cause__, ValidationError) and not isinstance(error, UnexpectedToolError):
                raise ToolError(f"Error executing tool {name}: {describe_invalid_arguments(error.__cause__)}") from None
            raise
