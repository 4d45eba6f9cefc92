"""A tool's parameters on one line: `order_id*: string, reason?: enum(refund|exchange)`.

`*` marks a required parameter, `?` an optional one; an enum shows its values, an object its members one level
down (`address?: object{street*, city?}`), an array its item type (`items*: array<object{sku*, qty?}>`). The
line is bounded: past PARAMETERS_CHARS the rest is counted (`+ 3 more`). Every name, type and value is the
config's authors' text, cleaned and clipped; the line goes inside the configuration's fence.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.tool_parameters import ToolParameter
from .untrusted import clean, clip

PARAMETERS_CHARS = 400
VALUES_SHOWN = 6
MEMBERS_SHOWN = 6


def parameters_line(parameters: Sequence[ToolParameter]) -> str:
    """The parameters, as many as fit PARAMETERS_CHARS, then how many more there are."""
    shown: list[str] = []
    used = 0
    for index, parameter in enumerate(parameters):
        text = _parameter(parameter)
        if shown and used + len(text) > PARAMETERS_CHARS:
            return ", ".join(shown) + f", + {len(parameters) - index} more"
        shown.append(text)
        used += len(text) + 2
    return ", ".join(shown)


def _parameter(parameter: ToolParameter) -> str:
    return f"{_name(parameter)}: {_kind(parameter)}"


def _name(parameter: ToolParameter) -> str:
    return clip(clean(parameter.name), 40) + ("*" if parameter.required else "?")


def _kind(parameter: ToolParameter) -> str:
    if parameter.values:
        values = [clip(clean(value), 30) for value in parameter.values[:VALUES_SHOWN]]
        more = f"|+{len(parameter.values) - VALUES_SHOWN}" if len(parameter.values) > VALUES_SHOWN else ""
        return f"enum({'|'.join(values)}{more})"
    kind = clip(clean(parameter.kind), 20)
    members = _members(parameter.members)
    if parameter.items is not None:
        item = "object" + members if members else clip(clean(parameter.items), 20)
        return f"{kind}<{item}>"
    return kind + members


def _members(members: Sequence[ToolParameter]) -> str:
    if not members:
        return ""
    names = [_name(member) for member in members[:MEMBERS_SHOWN]]
    more = [f"+{len(members) - MEMBERS_SHOWN}"] if len(members) > MEMBERS_SHOWN else []
    return "{" + ", ".join(names + more) + "}"
