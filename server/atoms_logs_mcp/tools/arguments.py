"""Tool argument types and the descriptions the model reads; the filter parameters, generated from the filter table."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    create_model,
    model_validator,
)
from pydantic_core import CoreSchema

from ..api.filter_table import FILTERS, Filter
from ..api.query import CALL_ID_PATTERN, SortField, SortOrder, canonical_call_id
from ..domain.aggregate import GroupKey
from ..domain.filters import Filters
from ..settings_table import env_name


class Guard:
    """Bounds checked but not shown in tools/list, as `Annotated[int, Guard(ge=1, le=100_000)]`.

    They stop abuse (a 10 kB "agent name", page 10**9), a model never needs them to choose a value, and shown on
    every filter of the six filter tools they cost ~300 tokens in every conversation. A value outside them is
    refused with pydantic's own message, as if they were shown."""

    def __init__(self, **bounds: Any) -> None:
        self.bounds = bounds

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        shown = TypeAdapter(source).json_schema()
        return handler.generate_schema(Annotated[source, WithJsonSchema(shown), Field(**self.bounds)])


Ident = Annotated[str, Guard(min_length=1, max_length=64)]
STRIPPED = BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value)
"""Surrounding spaces dropped before a value is checked (a pasted id often carries them)."""

CallId = Annotated[
    str,
    BeforeValidator(lambda value: canonical_call_id(value) if isinstance(value, str) else value),
    Field(
        pattern=CALL_ID_PATTERN,
        description="A call id, from list_logs.",
    ),
]
AgentName = Annotated[Ident, STRIPPED, Field(description="Agent id or name, from list_agents or get_log.")]
Version = Annotated[
    str,
    STRIPPED,
    Field(
        description='A version: "v3", or a version id.',
        pattern=r"^([vV]?\d{1,6}|[0-9a-fA-F]{24}|active)$",
    ),
]
SortBy = Annotated[SortField | None, Field(description="Sort key; default updated.")]
Order = Annotated[SortOrder | None, Field(description="Default desc.")]
GroupBy = Annotated[
    Annotated[list[GroupKey], Guard(min_length=1, max_length=10)],
    Field(description="One table each; hour is of day."),
]
MaxCalls = Annotated[
    Annotated[int, Guard(ge=1, le=200_000)] | None,
    Field(description=f"Most calls to read; from the API at most {env_name('scan_ceiling')}."),
]


def _parameter(row: Filter) -> Any:
    """The type and description of a filter parameter, from its row: a list, or one value; None: not filtered on."""
    one: Any = cast(Any, Literal)[row.values] if row.values else str
    if row.many:
        kind: Any = Annotated[cast(Any, list)[one if row.values else Ident], Guard(max_length=row.most_values)]
    else:
        lengths = {"min_length": row.shortest, "max_length": row.longest} if not row.values else {}
        kind = Annotated[one, Guard(**{key: value for key, value in lengths.items() if value is not None})]
    return Annotated[kind | None, Field(description=row.about)]


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
    Annotated[int, Guard(ge=1, le=100_000)] | None,
    Field(description=f"Most calls to open, newest first; from the API at most {env_name('deep_ceiling')}."),
]


class _NestedFilters(BaseModel):
    """Filters nested in one argument, read as the SDK reads top-level ones: a list sent as its JSON text
    (`statuses: '["failed"]'`, which some hosts send) is the list. The SDK parses top-level arguments only."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _json_text(cls, data: Any) -> Any:
        return {name: _parsed(value) for name, value in data.items()} if isinstance(data, dict) else data


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


FilterSet = create_model(  # type: ignore[call-overload]
    "FilterSet",
    __base__=_NestedFilters,
    **{name: (kind, None) for name, kind in FILTER_PARAMETERS.items()},
)
"""One set of filters as a single argument (compare_calls takes two), from the same one definition."""

LooseFilters = Annotated[dict[str, Any], Field(description="The filters, as the tool the view shows was called.")]
"""The app-only data tools take their filters as one loose object (checked by `filters_of`): the views pass on the
arguments they were shown with, and the filters' full schema, repeated, would cost ~500 tokens of tools/list."""


def filters_of(loose: dict[str, Any]) -> Filters:
    """`loose` checked as a set of filters (the same model compare_calls' sides use), or the reason it is not one."""
    try:
        return Filters(**FilterSet.model_validate(loose).model_dump())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ToolError(f"Not filters the tools take: {where}: {first['msg']}" if where else first["msg"]) from error
