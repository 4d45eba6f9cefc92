"""How a version is named to the model wherever it is known: `Support v4 (<id>)`, the agent's name, the number
`vN` names it by (`domain.agent_config.Catalog.number`) and its id. One function, for every answer that shows one."""

from __future__ import annotations


def version_label(agent_name: str | None, number: int | None, version_id: str) -> str:
    """`Support v4 (<id>)`; without a number `Support version (<id>)`; without an agent name `v4 (<id>)`; with
    neither, the id alone. The agent's name is account content: the caller cleans the text it writes it into."""
    named = [part for part in (agent_name, f"v{number}" if number is not None else None) if part]
    if not named:
        return version_id
    if number is None:
        named.append("version")
    return f"{' '.join(named)} ({version_id})"
