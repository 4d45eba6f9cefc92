"""What every tool reads (the server's shared state) and the one place failures become tool errors."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import ToolAnnotations

from ..api.agent_versions import AgentVersions
from ..api.client import AtomsClient
from ..api.errors import AtomsError, NotFoundError
from ..api.query import CALL_ID_PATTERN
from ..config import Settings
from ..domain.agent_config import VersionNameError
from ..domain.agent_diff import NoEarlierVersionError
from ..domain.calls import CallReader
from ..domain.clock import WallClock
from ..domain.live_watch import RecentWatches
from ..domain.lookup import AgentDirectory, AgentNameError
from ..domain.recent_windows import RecentComparisons, RecentWindows
from ..domain.replica.keeper import ReplicaKeeper
from ..domain.version_names import UnknownVersionError, VersionCatalogs
from ..render.agent_config import unknown_version_problem, version_name_problem
from ..render.agent_diff import no_earlier_version
from ..render.agents import agent_name_problem
from ..render.failures import CALL_ID_HINT, explain

if TYPE_CHECKING:
    from .subscriptions import Subscribers

CALL_ID = re.compile(CALL_ID_PATTERN)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=True)
"""idempotentHint is left out: the spec gives it meaning only when readOnlyHint is false (destructiveHint likewise,
but hosts' reviews ask for it and openWorldHint on every tool)."""
WRITES_FILE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)


@dataclass
class AppContext:
    """What every request can use, opened once for the server's lifetime."""

    settings: Settings
    client: AtomsClient
    agents: AgentDirectory
    calls: CallReader
    versions: AgentVersions
    """The agent reads, remembering which versioning model the account answers."""
    subscribers: Subscribers
    """The 2025-era sessions subscribed to call resources (`tools.subscriptions`)."""
    watches: RecentWatches
    """What watch_call heard of each recently watched live call (the call resources show it)."""
    clock: WallClock
    """What "now" is for every answer: the system's clock, or the one the `now` setting starts (`domain.clock`)."""
    catalogs: VersionCatalogs
    """Each agent's versions, kept a moment: what `vN` in the filters means (`domain.version_names`)."""
    replica: ReplicaKeeper
    """The account's replica in the store: its sync, and the questions it answers (`domain.replica`)."""
    windows: RecentWindows = field(default_factory=RecentWindows)
    """The windows answers read in the last moments, for the window view (`domain.recent_windows`)."""
    comparisons: RecentComparisons = field(default_factory=RecentComparisons)
    """The comparisons compare_calls answered in the last moments, for its view (`domain.recent_windows`)."""

    def context_for(self, headers: Mapping[str, str] | None) -> AppContext:
        """The context a request reads: this one, for a server with one key (the team server's lifespan gives
        `team.tenants.Tenants` instead, whose `context_for` finds the request's own key's context)."""
        return self


Ctx: TypeAlias = Context[AppContext, Any]


def state(ctx: Ctx) -> AppContext:
    """What this request reads: the server's context, or on a team server its key's own."""
    return ctx.request_context.lifespan_context.context_for(ctx.headers)


def progress_reporter(ctx: Ctx, verb: str, before: int = 0) -> Callable[[int, int], Awaitable[None]]:
    """Progress notifications `<verb> N of M calls`, counted after `before` calls already reported (a tool that
    scans twice never reports going back)."""

    async def report(done: int, total: int) -> None:
        done, total = before + done, before + total
        await ctx.report_progress(done, total, message=f"{verb} {done} of {total} calls")

    return report


@contextmanager
def failing_as_tool_error(subject: str | None = None, *, slow_query: bool = False) -> Iterator[None]:
    """API and agent-name failures, as the one-line tool errors the model reads (`render.failures`)."""
    try:
        yield
    except AgentNameError as error:
        raise ToolError(agent_name_problem(error.wanted, error.candidates, ambiguous=error.ambiguous)) from None
    except VersionNameError as error:
        raise ToolError(version_name_problem(error)) from None
    except UnknownVersionError as error:
        raise ToolError(unknown_version_problem(error)) from None
    except NoEarlierVersionError as error:
        raise ToolError(no_earlier_version(error)) from None
    except AtomsError as error:
        raise ToolError(explain(error, subject=subject, slow_query=slow_query)) from None


@contextmanager
def failing_as_resource_error(call_id: str) -> Iterator[None]:
    if not CALL_ID.fullmatch(call_id):
        raise ResourceNotFoundError(f"{call_id!r} is not a call id. {CALL_ID_HINT}")
    try:
        yield
    except NotFoundError as error:
        raise ResourceNotFoundError(explain(error, subject=f"Call {call_id}")) from None
    except AtomsError as error:
        raise ResourceError(explain(error, subject=f"Call {call_id}")) from None
