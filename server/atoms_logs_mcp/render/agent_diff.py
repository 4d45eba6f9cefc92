"""The `diff_agent_versions` answer, and its one-paragraph summary for `compare_calls`: what changed, section by
section, and the unchanged sections by name only (their text is never shown)."""

from __future__ import annotations

from ..api.agent_models import AgentTool
from ..domain.agent_diff import NoEarlierVersionError, SectionDiff, TextChange, ToolChanges, VersionDiff
from . import formats
from .agent_config import ORIGIN, agent_argument, compact, plain_id, version_argument, version_name
from .budget import estimate_tokens
from .untrusted import clean, clip, fence

SETTING_CHARS = 160
DIFF_TOKENS = 12_000
"""Changed lines beyond this are counted, not shown."""


def render_diff(diff: VersionDiff) -> str:
    catalog = diff.catalog
    base = version_name(catalog, diff.base.revision, diff.base.revision_id)
    target = version_name(catalog, diff.target.revision, diff.target.revision_id)
    lines = [f"Agent {plain_id(catalog.agent.id)}: what changed from {base} to {target}."]
    body = [f"agent name: {clip(clean(catalog.agent.name or '?'), 80)}"]
    for section in diff.sections:
        body += _section(section)
    if not diff.sections:
        body.append("Nothing changed: the two versions have the same configuration.")
    if diff.unchanged:
        body.append(f"Unchanged sections: {', '.join(clip(clean(name), 40) for name in diff.unchanged[:40])}.")
    lines.append(fence("configuration changes", "\n".join(_bounded(body)), ORIGIN))
    agent, version = agent_argument(catalog), version_argument(catalog, diff.target.revision, diff.target.revision_id)
    if agent and version:
        lines.append(f'The whole {target}: get_agent(agent="{agent}", version="{version}").')
    return "\n".join(lines)


def _section(section: SectionDiff) -> list[str]:
    lines = [f"## {clean(section.name)}"]
    for text in section.texts:
        lines += _text(text)
    if section.tools:
        lines += _tools(section.tools)
    for change in section.settings:
        old, new = compact(change.old_value, SETTING_CHARS), compact(change.new_value, SETTING_CHARS)
        lines.append(f"{clean(change.path or '?')}: {old} -> {new}")
    return lines


def _text(change: TextChange) -> list[str]:
    lines = [f"{clean(change.path)}: {formats.plural(change.added, 'line')} added, {change.removed} removed"]
    for hunk in change.hunks:
        where = f"line {hunk.old_start}" if hunk.removed else f"after line {hunk.old_start - 1}"
        lines.append(f"@@ {where} (line {hunk.new_start} in the newer)")
        lines += [f"- {clean(line)}" for line in hunk.removed]
        lines += [f"+ {clean(line)}" for line in hunk.added]
    return lines


def _tools(tools: ToolChanges) -> list[str]:
    lines = [f"tools added: {_tool(tool)}" for tool in tools.added]
    lines += [f"tools removed: {_tool(tool)}" for tool in tools.removed]
    for name, fields in tools.changed:
        changes = "; ".join(f"{clean(field)} {compact(old, 60)} -> {compact(new, 60)}" for field, old, new in fields)
        lines.append(f"tool {clip(clean(name), 60)} changed: {changes}")
    return lines


def _tool(tool: AgentTool) -> str:
    described = f": {clip(clean(tool.description), 160)}" if tool.description else ""
    return f"{clip(clean(tool.name or '(unnamed)'), 60)} ({clean(tool.type or '?')}){described}"


def _bounded(lines: list[str]) -> list[str]:
    used = 0
    for index, line in enumerate(lines):
        used += estimate_tokens(line) + 1
        if used > DIFF_TOKENS:
            return [*lines[:index], f"… and {len(lines) - index} more changed lines (the answer's size limit)."]
    return lines


def diff_summary(diff: VersionDiff) -> str:
    """What changed, a line per section, fenced: for an answer that is about something else (compare_calls)."""
    lines = []
    for section in diff.sections:
        items = [f"{clean(t.path)} +{t.added}/-{t.removed} lines" for t in section.texts]
        if section.tools:
            items += [f"added tool {clip(clean(t.name or '?'), 40)}" for t in section.tools.added]
            items += [f"removed tool {clip(clean(t.name or '?'), 40)}" for t in section.tools.removed]
            items += [f"changed tool {clip(clean(name), 40)}" for name, _ in section.tools.changed]
        items += [
            f"{clean(c.path or '?')} {compact(c.old_value, 30)} -> {compact(c.new_value, 30)}"
            for c in section.settings[:4]
        ]
        more = len(section.settings) - 4
        lines.append(
            f"{clip(clean(section.name), 40)}: {', '.join(items)}" + (f" and {more} more settings" if more > 0 else "")
        )
    if diff.unchanged:
        lines.append(f"unchanged: {', '.join(clip(clean(n), 40) for n in diff.unchanged[:40])}")
    return fence("configuration changes", "\n".join(_bounded(lines or ["no configuration change"])), ORIGIN)


def no_earlier_version(error: NoEarlierVersionError) -> str:
    target = error.target
    if target.revision_id is None:
        return f"Agent {plain_id(target.catalog.agent.id)} has no published version, so there is nothing to compare."
    name = version_name(target.catalog, target.revision, target.revision_id)
    return (
        f"{name} has no earlier version on its branch to compare with: pass base= (a number like v1 or a version id)."
    )
