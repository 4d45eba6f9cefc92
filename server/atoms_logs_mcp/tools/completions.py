"""Completions of prompt arguments: agent names and ids, window words, recent call ids by prefix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mcp.server import MCPServer
from mcp.types import Completion, CompletionArgument, CompletionContext, PromptReference, ResourceTemplateReference

from ..api.errors import AtomsAPIError
from ..api.query import LogQuery
from ..render import prompts
from .context import AppContext

MAX_VALUES = 20


def register(server: MCPServer[Any], live: Sequence[AppContext]) -> None:
    """`live` holds the open lifespans' states: a completion request carries no lifespan context of its own."""

    @server.completion()  # type: ignore[no-untyped-call, untyped-decorator]
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if not live:
            return None
        app = live[-1]
        typed = argument.value.strip()
        if argument.name == "agent":
            return await _agents(app, typed)
        if argument.name == "window":
            values = [w for w in prompts.WINDOW_CHOICES if w.startswith(typed.lower())]
            return Completion(values=values, total=len(values), has_more=False)
        if argument.name == "call_id":
            return await _call_ids(app, typed)
        return None


def _completion(values: list[str]) -> Completion:
    unique = list(dict.fromkeys(values))
    return Completion(values=unique[:MAX_VALUES], total=len(unique), has_more=len(unique) > MAX_VALUES)


async def _agents(app: AppContext, typed: str) -> Completion:
    try:
        agents = await app.agents.agents()
    except AtomsAPIError:
        return Completion(values=[])
    lowered = typed.casefold()
    names = [a.name for a in agents if a.name and a.name.casefold().startswith(lowered)]
    names += [a.name for a in agents if a.name and lowered in a.name.casefold() and a.name not in names]
    names += [a.id for a in agents if a.id and a.id.startswith(typed)] if typed else []
    return _completion(names)


async def _call_ids(app: AppContext, typed: str) -> Completion:
    query = LogQuery(limit=50, where={"search": typed} if len(typed) >= 6 else {})
    try:
        page = await app.client.list_logs(query)
    except AtomsAPIError:
        return Completion(values=[])
    return _completion([row.call_id for row in page.logs if row.call_id and row.call_id.startswith(typed)])
