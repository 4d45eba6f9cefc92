"""The `list_agents` answer: one row per agent, with call counts when asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..api.models import Agent
from ..domain.timewindow import Window
from . import formats
from .untrusted import clean, clip, fence

DESCRIPTION_CHARS = 100


def render_agents(agents: Sequence[Agent], counts: Mapping[str, int | None] | None, window: Window | None) -> str:
    if not agents:
        return "This organisation has no agents."
    columns = ["id", "name", "model", "archived", "description"]
    if counts is not None:
        columns.insert(2, "calls")
    rows = [" | ".join(columns)]
    ordered = sorted(agents, key=lambda a: -((counts or {}).get(a.id or "") or 0)) if counts else agents
    for agent in ordered:
        cells = [
            clean(agent.id or "-"),
            clip(clean(agent.name or "-"), 60),
            clean(agent.slm_model or "-"),
            "yes" if agent.archived else "no",
            clip(clean(agent.description or "-"), DESCRIPTION_CHARS),
        ]
        if counts is not None:
            count = counts.get(agent.id or "")
            cells.insert(2, "?" if count is None else str(count))
        rows.append(" | ".join(cell.replace("|", "¦") for cell in cells))
    lines = [f"{formats.plural(len(agents), 'agent')}."]
    if counts is not None and window is not None:
        lines.append(f"calls = first attempts created in {window.describe()}; '?' = could not be counted.")
    lines.append(fence("agents", "\n".join(rows)))
    lines.append('Filter calls by agent with list_logs(agents=["<name or id>"]) or summarize_logs(agents=[...]).')
    return "\n".join(lines)
