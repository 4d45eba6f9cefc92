"""What a tool of an agent version asks the model for: its parameters, from whichever shape the config sends.

The spec gives an api_call tool `llmParameters` and an extract_dynamic_variables tool `variablesExtractionSchema`
(lists of `{name, type, values, required}`); a tool may also carry a JSON-schema `parameters` object
(`{"type": "object", "properties": {...}, "required": [...]}`). Each becomes a list of `ToolParameter`, read
leniently: a value of the wrong type is skipped or shown as unknown, never fails the read. Texts are the
config's authors' words, to be cleaned by the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..api.agent_models import AgentTool

UNKNOWN = "?"


@dataclass(frozen=True)
class ToolParameter:
    name: str
    kind: str
    """The type as sent (`text`, `string`, `integer|null`, `object`, `array`, `enum`), `?` when not given."""
    required: bool
    values: tuple[str, ...] = ()
    """An enum's allowed values."""
    members: tuple[ToolParameter, ...] = ()
    """An object's members (or an array's items' members), one level down."""
    items: str | None = None
    """An array's item type."""


def tool_parameters(tool: AgentTool) -> list[ToolParameter]:
    """The tool's parameters: `llmParameters`, else `variablesExtractionSchema`, else the JSON schema."""
    if tool.llm_parameters or tool.variables_extraction_schema:
        return [_listed(item) for item in tool.llm_parameters or tool.variables_extraction_schema]
    return _properties(tool.parameters, depth=0)


def _listed(item: dict[str, Any]) -> ToolParameter:
    values = item.get("values")
    return ToolParameter(
        name=_text(item.get("name") or item.get("variableName")),
        kind=_text(item.get("type")),
        required=item.get("required") is True,
        values=tuple(_text(v) for v in values if v is not None) if isinstance(values, list) else (),
    )


def _properties(schema: Any, depth: int) -> list[ToolParameter]:
    """The properties of an object schema, in the order sent; `required` names which must be given."""
    if not isinstance(schema, dict) or not isinstance(properties := schema.get("properties"), dict):
        return []
    required = schema.get("required")
    needed = {str(name) for name in required} if isinstance(required, list) else set()
    return [_property(str(name), value, str(name) in needed, depth) for name, value in properties.items()]


def _property(name: str, schema: Any, required: bool, depth: int) -> ToolParameter:
    if not isinstance(schema, dict):
        return ToolParameter(name, UNKNOWN, required)
    enum = schema.get("enum")
    values = tuple(_text(v) for v in enum if v is not None) if isinstance(enum, list) else ()
    members = tuple(_properties(schema, depth + 1)) if depth == 0 else ()
    items = schema.get("items")
    item_kind = None
    if isinstance(items, dict):
        item_kind = _kind(items.get("type"))
        if depth == 0 and not members:
            members = tuple(_properties(items, depth + 1))
    elif _kind(schema.get("type")) == "array":
        item_kind = UNKNOWN
    return ToolParameter(name, _kind(schema.get("type")), required, values, members, item_kind)


def _kind(value: Any) -> str:
    """A JSON-schema type: `string`, or `string|null` for a list of types."""
    if isinstance(value, list):
        kinds = [str(v) for v in value if isinstance(v, str)]
        return "|".join(kinds) or UNKNOWN
    return value if isinstance(value, str) and value else UNKNOWN


def _text(value: Any) -> str:
    return str(value) if value is not None and str(value) else UNKNOWN
