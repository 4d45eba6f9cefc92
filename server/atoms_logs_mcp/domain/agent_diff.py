"""What changed between two versions of an agent, section by section: the API's diff, read into a changed
text as a line diff, tools added, removed or changed (matched by name, so a tool inserted in the middle does not
make every later one look changed), and settings as old -> new."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..api.agent_models import AgentConfig, AgentTool, DiffChange, DiffResult
from ..api.agent_versions import AgentVersions
from .agent_config import AgentReading, Catalog, read_version


class NoEarlierVersionError(ValueError):
    """`base` was left out, and the target has no earlier version on its branch to compare with."""

    def __init__(self, target: AgentReading) -> None:
        self.target = target
        super().__init__("no earlier version")


TOOLS_PATH = re.compile(r"(^|\.)tools($|[.\[])")
LONG_TEXT = 120
"""A changed string longer than this, or with a line break, is shown as a line diff."""


@dataclass(frozen=True)
class Hunk:
    old_start: int
    removed: list[str]
    new_start: int
    added: list[str]


@dataclass(frozen=True)
class TextChange:
    path: str
    hunks: list[Hunk]

    @property
    def added(self) -> int:
        return sum(len(h.added) for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(len(h.removed) for h in self.hunks)


@dataclass(frozen=True)
class ToolChanges:
    added: list[AgentTool]
    removed: list[AgentTool]
    changed: list[tuple[str, list[tuple[str, Any, Any]]]]
    """(tool name, [(field, old value, new value)])."""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class SectionDiff:
    name: str
    texts: list[TextChange] = field(default_factory=list)
    tools: ToolChanges | None = None
    settings: list[DiffChange] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    base: AgentReading
    target: AgentReading
    sections: list[SectionDiff]
    unchanged: list[str]

    @property
    def catalog(self) -> Catalog:
        return self.target.catalog


async def diff_versions(api: AgentVersions, catalog: Catalog, base: str | None, target: str | None) -> VersionDiff:
    """`base` -> `target` (None: the active version; `base` None: the version before `target`)."""
    after = await read_version(api, catalog, target)
    if base is None:
        earlier = catalog.previous(after.revision) if after.revision else None
        base = earlier.id if earlier else None
        if base is None:
            raise NoEarlierVersionError(after)
    before = await read_version(api, catalog, base)
    result = await api.diff(catalog.agent.id or "", before.revision_id or "", after.revision_id or "")
    return VersionDiff(before, after, read_sections(result, before.config, after.config), result.unchanged_sections)


def read_sections(result: DiffResult, before: AgentConfig | None, after: AgentConfig | None) -> list[SectionDiff]:
    sections = []
    for section in result.diffs:
        diff = SectionDiff(section.section or "(unnamed section)")
        for change in section.changes:
            path = change.path or "?"
            if change.old_value == change.new_value:
                continue  # a leaf the API lists without a change (null on both sides)
            if TOOLS_PATH.search(path):
                diff.tools = diff.tools or tool_changes(before, after, section.changes)
            elif _is_text(change.old_value) or _is_text(change.new_value):
                diff.texts.append(TextChange(path, line_diff(change.old_value, change.new_value)))
            else:
                diff.settings.append(change)
        if diff.texts or diff.tools or diff.settings:
            sections.append(diff)
    return sections


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > LONG_TEXT)


def line_diff(old: Any, new: Any) -> list[Hunk]:
    """The changed lines only (no context, no blank lines), with where they start on each side (1-based)."""
    before, after = _lines(old), _lines(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    hunks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = [line for line in before[i1:i2] if line], [line for line in after[j1:j2] if line]
        if tag != "equal" and (removed or added):  # blank lines added or removed are not a change to read
            hunks.append(Hunk(i1 + 1, removed, j1 + 1, added))
    return hunks


def _lines(text: Any) -> list[str]:
    """Lines as get_agent numbers them: any line break, trailing spaces dropped."""
    if not isinstance(text, str):
        return []
    return [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def tool_changes(before: AgentConfig | None, after: AgentConfig | None, changes: list[DiffChange]) -> ToolChanges:
    """Tools matched by name across the two configs. Without the configs, or when matching by name finds no change
    the API reported (tools reordered, two with one name), the API's leaves are shown as they are."""
    leaves = [
        (c.path or "?", [("value", c.old_value, c.new_value)]) for c in changes if TOOLS_PATH.search(c.path or "")
    ]
    if before is None or after is None:
        return ToolChanges([], [], leaves)
    old = {tool.name or f"#{i}": tool for i, tool in enumerate(before.tools)}
    new = {tool.name or f"#{i}": tool for i, tool in enumerate(after.tools)}
    changed = []
    for name in old.keys() & new.keys():
        a, b = old[name].model_dump(by_alias=True), new[name].model_dump(by_alias=True)
        fields = [(key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]
        if fields:
            changed.append((name, fields))
    found = ToolChanges(
        [tool for name, tool in new.items() if name not in old],
        [tool for name, tool in old.items() if name not in new],
        sorted(changed, key=lambda item: item[0]),
    )
    return found if found else ToolChanges([], [], leaves)
