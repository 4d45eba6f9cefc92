"""How a version is named to the model wherever it is known: `Support v4 (<id>)`, the agent's name, the number
`vN` names it by (`domain.agent_config.Catalog.number`, or the call row's `versionNumber`) and its id. One function,
for every answer that shows one: the Filters line, compare_calls' Versions, group_by version, latency by version."""

from __future__ import annotations

UNKNOWN = "(none)"


def version_label(agent_name: str | None, number: float | None, version_id: str | None) -> str:
    """`Support v4 (<id>)`; without a number `Support version (<id>)`; without an agent name `v4 (<id>)`; without
    an id `Support v4`; with neither number nor id, `Support (none)`. The agent's name is account content: the
    caller cleans the text it writes it into."""
    named = [part for part in (agent_name, f"v{number:g}" if number is not None else UNKNOWN) if part]
    if not version_id:
        return " ".join(named)
    if number is None:
        named[-1] = "version"
    return f"{' '.join(named)} ({version_id})"
