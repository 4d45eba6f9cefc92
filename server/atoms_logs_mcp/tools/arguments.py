"""Tool argument types and the descriptions the model reads; the filter parameters, generated from the filter table."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

from pydantic import BeforeValidator, ConfigDict, Field, create_model

from ..api.filter_table import FILTERS, Filter
from ..api.query import CALL_ID_PATTERN, SortField, SortOrder, canonical_call_id
from ..domain.aggregate import GroupKey
from ..settings_table import default_of, env_name

Ident = Annotated[str, Field(min_length=1, max_length=64)]
STRIPPED = BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value)
"""Surrounding spaces dropped before a value is checked (a pasted id often carries them)."""

CallId = Annotated[
    str,
    BeforeValidator(lambda value: canonical_call_id(value) if isinstance(value, str) else value),
    Field(
        pattern=CALL_ID_PATTERN,
        description="A call id such as CALL-1737000000000-abc123, from list_logs or search_by_call_ids.",
    ),
]
AgentName = Annotated[
    str,
    STRIPPED,
    Field(
        description="Agent id or name, from list_agents or get_log.",
        min_length=1,
        max_length=64,
    ),
]
Version = Annotated[
    str,
    STRIPPED,
    Field(
        description='A version: "v3", or a version id.',
        pattern=r"^([vV]?\d{1,6}|[0-9a-fA-F]{24}|active)$",
    ),
]
SortBy = Annotated[SortField | None, Field(description="created, updated (default), duration or latency.")]
Order = Annotated[SortOrder | None, Field(description="desc (default) or asc.")]
GroupBy = Annotated[
    list[GroupKey],
    Field(
        description="Dimensions to count by, one table each: status, disconnect_reason, failure_reason, agent, "
        "call_type, attempt, day, hour (of day, in timezone), version, campaign.",
        min_length=1,
        max_length=10,
    ),
]
MaxCalls = Annotated[
    int | None,
    Field(
        description=f"Most calls to read (capped by {env_name('scan_ceiling')}); the answer says if it stopped.",
        ge=1,
        le=200_000,
    ),
]


def _parameter(row: Filter) -> Any:
    """The type and description of a filter parameter, from its row: a list, or one value; None: not filtered on."""
    one: Any = cast(Any, Literal)[row.values] if row.values else str
    if row.many:
        limits: dict[str, Any] = {"max_length": row.most_values}
        kind: Any = cast(Any, list)[one if row.values else Ident] | None
    else:
        lengths = {"min_length": row.shortest, "max_length": row.longest} if not row.values else {}
        limits = {key: value for key, value in lengths.items() if value is not None}
        kind = one | None
    return Annotated[kind, Field(description=row.about, **limits)]


FILTER_PARAMETERS: dict[str, Any] = {row.name: _parameter(row) for row in FILTERS}
"""The type and description of each filter, by its name in `Filters`: one per row of the filter table."""
if TYPE_CHECKING:  # what mypy reads; the SDK reads the generated annotations (list_agents takes the window alone)
    Since = str | None
    Until = str | None
    Timezone = str | None
else:
    Since, Until, Timezone = (FILTER_PARAMETERS[name] for name in ("since", "until", "timezone"))

Handler = TypeVar("Handler", bound=Callable[..., Any])


def with_filters(handler: Handler) -> Handler:
    """Give a tool handler every filter parameter, from the one definition above.

    The handler declares `ctx`, its own parameters and `**arguments`; the signature the MCP SDK reads is
    ctx, its own required parameters, the filters, then its own optional ones. `Filters.take(arguments)`
    takes them back out.
    """
    signature = inspect.signature(handler, eval_str=True)
    own = signature.parameters.values()
    keyword = inspect.Parameter.KEYWORD_ONLY
    named = [p.replace(kind=keyword) for p in own if p.kind is not inspect.Parameter.VAR_KEYWORD]
    context, rest = named[:1], named[1:]
    required = [p for p in rest if p.default is inspect.Parameter.empty]
    optional = [p for p in rest if p.default is not inspect.Parameter.empty]
    filters = [
        inspect.Parameter(name, keyword, annotation=kind, default=None) for name, kind in FILTER_PARAMETERS.items()
    ]
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*context, *required, *filters, *optional], return_annotation=signature.return_annotation
    )
    return handler


DeepMaxCalls = Annotated[
    int | None,
    Field(
        description=f"Most calls to open (capped by {env_name('deep_ceiling')}, default {default_of('deep_ceiling')}); "
        "newest first.",
        ge=1,
        le=100_000,
    ),
]

FilterSet = create_model(  # type: ignore[call-overload]
    "FilterSet",
    __config__=ConfigDict(extra="forbid"),
    **{name: (kind, None) for name, kind in FILTER_PARAMETERS.items()},
)
"""One set of filters as a single argument (compare_calls takes two), from the same one definition."""
