"""The `list_agents` answer: one row per agent, with call counts when asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..api.models import Agent
from ..domain.timewindow import Window
from ..domain.unlisted_agents import UnlistedCalls
from . import formats
from .untrusted import clean, clip, fence

DESCRIPTION_CHARS = 100


UNLISTED = "not in the agent list (deleted?)"


def render_agents(
    agents: Sequence[Agent],
    counts: Mapping[str, int | None] | None,
    window: Window | None,
    unlisted: UnlistedCalls | None = None,
) -> str:
    if not agents and not (unlisted and unlisted.total):
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
    rows += _unlisted_rows(unlisted)
    lines = [f"{formats.plural(len(agents), 'agent')}."]
    if counts is not None and window is not None:
        lines.append(f"calls = first attempts created in {window.describe()}; '?' = could not be counted.")
    if unlisted is not None:
        lines.append(_window_total(unlisted, sum(count or 0 for count in (counts or {}).values())))
    lines.append(fence("agents", "\n".join(rows)))
    lines.append('Filter calls by agent with list_logs(agents=["<name or id>"]) or summarize_logs(agents=[...]).')
    return "\n".join(lines)


def _unlisted_rows(unlisted: UnlistedCalls | None) -> list[str]:
    """A row per agent id the window's calls name that the agent list does not have, then the calls not read."""
    if unlisted is None:
        return []
    rows = [
        f"{clip(clean(agent_id), 40).replace('|', '¦') or '(no agent id)'} | {UNLISTED} | {count} | - | - | -"
        for agent_id, count in sorted(unlisted.counts.items(), key=lambda item: -item[1])
    ]
    if unlisted.unread:
        rows.append(f"? | {UNLISTED}: calls the scan did not reach | {unlisted.unread} | - | - | -")
    return rows


def _window_total(unlisted: UnlistedCalls, listed: int) -> str:
    """The window's calls of every agent, and whether the rows add up to them."""
    rows = listed + sum(unlisted.counts.values()) + unlisted.unread
    total = f"The window has {formats.plural(unlisted.total, 'call')} (first attempts) of every agent"
    if rows == unlisted.total:
        return f"{total}: the rows add up to it."
    return f"{total}; the rows add up to {rows} (calls came or went while they were counted)."


def agent_name_problem(wanted: str, candidates: Sequence[Agent], *, ambiguous: bool, limit: int = 20) -> str:
    """Why an agent name did not resolve, with the agents (account content, so fenced) it could mean."""
    shown = "\n".join(f"{clip(clean(a.name or '?'), 60)} ({clean(a.id or '?')})" for a in candidates[:limit])
    more = f"\nand {len(candidates) - limit} more (list_agents shows all)" if len(candidates) > limit else ""
    listed = "\n" + fence("agent names", (shown or "none") + more) + "\n"
    name = clip(clean(wanted), 60)
    if ambiguous:
        return f"Agent {name!r} is ambiguous: it matches these agents:{listed}Pass one of these ids or the full name."
    return f"No agent is named {name!r}. The agents are:{listed}"


def render_agent_page(
    page_agents: Sequence[Agent],
    total: int,
    page: int,
    per_page: int,
    counts: Mapping[str, int | None] | None,
    window: Window | None,
    unlisted: UnlistedCalls | None = None,
) -> str:
    """One page of the agent list; with more than one page, where this one sits and how to get the next."""
    text = render_agents(page_agents, counts, window, unlisted)
    if total <= per_page:
        return text
    first = (page - 1) * per_page + 1
    text = f"Agents {first}-{first + len(page_agents) - 1} of {total}.\n{text}"
    if page * per_page < total:
        text += f"\nNext page: list_agents(page={page + 1}" + (", with_calls=true" if counts is not None else "") + ")"
    return text
