"""The `get_agent` answer: which version it is, then its model, messages, prompt (paged), tools and metrics.

Everything the account wrote (names, labels, prompts, tools) is its authors' text: it goes inside the fence, as a
transcript does. Outside it are only our words, numbers, dates and ids; an id goes into a "call this next" line
only when it is plain (24 hex digits, or `vN`)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from ..api.agent_models import AgentConfig, AgentTool, MetricDefinition, Revision
from ..domain.agent_config import VERSION_ID, VERSION_NUMBER, AgentReading, Catalog, VersionNameError
from ..domain.tool_parameters import tool_parameters
from ..domain.version_names import UnknownVersionError
from . import formats
from .budget import estimate_tokens
from .failures import explain
from .tool_parameters import parameters_line
from .untrusted import clean, clip, fence

Part = Literal["versions", "prompt", "global_prompt", "tools", "metrics"]
PARTS: tuple[Part, ...] = ("versions", "prompt", "global_prompt", "tools", "metrics")
PAGED: dict[Part, str] = {"prompt": "Prompt", "global_prompt": "Global prompt"}
PAGE_TOKENS = 4_000
"""Per paged text (prompt, global prompt) per answer."""
LINE_CHARS = 1_000
"""A longer line is shown (and numbered) as several."""
ORIGIN = "the agent's configuration"
VERSIONS_SHOWN = 12
DESCRIPTION_CHARS = 300
FIRST_MESSAGE_CHARS = 2_000
PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
PLAIN_VERSION = re.compile(r"v\d{1,6}|[0-9a-fA-F]{24}")


def version_name(catalog: Catalog, revision: Revision | None, revision_id: str | None) -> str:
    """`v3`, `revision 2 on branch experiment` (a branch name that is not plain is not repeated), or the id."""
    if revision is not None and (number := catalog.number(revision)) is not None:
        return f"v{number}"
    if revision is not None and revision.revision_number is not None and revision.branch:
        branch = catalog.branch_names.get(revision.branch, "")
        where = f"branch {branch}" if PLAIN_NAME.fullmatch(branch) else "another branch"
        return f"revision {revision.revision_number} on {where} ({plain_id(revision.id)})"
    return f"version {plain_id(revision_id)}"


def plain_id(value: str | None) -> str:
    return value if value and VERSION_ID.fullmatch(value) else "(an id that is not plain)"


def version_argument(catalog: Catalog, revision: Revision | None, revision_id: str | None) -> str | None:
    """What to pass as `version=` to name it again (`v3`, else its id), or None when that is not plain."""
    number = catalog.number(revision) if revision is not None else None
    argument = f"v{number}" if number is not None else revision_id
    return argument if argument and PLAIN_VERSION.fullmatch(argument) else None


def agent_argument(catalog: Catalog) -> str | None:
    agent_id = catalog.agent.id
    return agent_id if agent_id and VERSION_ID.fullmatch(agent_id) else None


def render_agent(reading: AgentReading, parts: Sequence[Part], prompt_from: int = 1) -> str:
    catalog, config = reading.catalog, reading.config
    lines = [_heading(reading)]
    if "versions" in parts:
        lines += _versions(catalog)
    if config is None:
        lines.append(_no_config(reading))
        return "\n".join(lines)
    body, more = _content(reading, config, parts, prompt_from)
    lines.append(fence("agent configuration", "\n".join(body), ORIGIN))
    agent, version = agent_argument(catalog), version_argument(catalog, reading.revision, reading.revision_id)
    if agent and version:
        for part, start in more:
            call = f'get_agent(agent="{agent}", version="{version}", include=["{part}"], prompt_from={start})'
            lines.append(f"More of the {PAGED[part].lower()}: {call}")
        earlier = catalog.previous(reading.revision) if reading.revision else None
        base = version_argument(catalog, earlier, earlier.id) if earlier else None
        if base:
            call = f'diff_agent_versions(agent="{agent}", base="{base}", target="{version}")'
            lines.append(f"What changed from the version before: {call}")
    return "\n".join(lines)


def _heading(reading: AgentReading) -> str:
    agent, catalog = reading.agent, reading.catalog
    kind = f" ({agent.workflow_type})" if agent.workflow_type in ("single_prompt", "workflow_graph") else ""
    name = f"Agent {plain_id(agent.id)}{kind}"
    if reading.revision_id is None:
        return f"{name}: no published version."
    revision = reading.revision
    version = version_name(catalog, revision, reading.revision_id)
    if version.startswith("v"):
        version += f" (id {plain_id(reading.revision_id)})"
    parts = [f"{name}: {version}"]
    if revision is not None and revision.published_at:
        parts.append(f"published {formats.when(revision.published_at)}")
    parts.append("the active version (new calls use it)" if reading.active else "not the active version")
    text = ", ".join(parts) + "."
    route = reading.route or catalog.route
    if route is not None:
        text += f" Read through the {route.describe()}."
    return text


def _versions(catalog: Catalog) -> list[str]:
    if catalog.listed is None:
        reason = explain(catalog.problem) if catalog.problem else "no reason given"
        return [f"Versions: could not be listed ({reason})."]
    ordered = catalog.newest_first()
    unread = catalog.listed.unread
    missing = ""
    if unread:
        branches = formats.plural(len(unread), "branch", "branches")
        missing = f" The revisions of {branches} could not be read ({explain(unread[0][1])})."
    if not ordered:
        return ["Versions: none published." + missing]
    shown = []
    for revision in ordered[:VERSIONS_SHOWN]:
        label = version_name(catalog, revision, revision.id)
        if revision.id == catalog.active_id:
            label += " active"
        if revision.published_at:
            label += f" {revision.published_at.date().isoformat()}"
        shown.append(label)
    more = f", and {len(ordered) - VERSIONS_SHOWN} older" if len(ordered) > VERSIONS_SHOWN else ""
    return [f"Versions ({len(ordered)}, newest first): " + "; ".join(shown) + more + "." + missing]


def _no_config(reading: AgentReading) -> str:
    if reading.revision_id is None:
        return "It has no published version, so there is no configuration to read: publish one in the Atoms console."
    return "The API sent no configuration for this version."


def _about(reading: AgentReading, config: AgentConfig) -> list[str]:
    """The account's own words about the agent and version: name, label, publisher, model, languages."""
    agent, revision = reading.agent, reading.revision
    about = [("agent name", agent.name)]
    if revision is not None:
        about += [("version label", revision.label), ("published by", revision.published_by_name)]
    about += [
        ("model", config.model_name),
        ("transcriber", config.transcriber_type),
        ("default language", config.default_language),
        ("languages", ", ".join(config.supported_languages) or None),
        ("workflow graph", f"{len(config.workflow_graph.get('nodes') or [])} nodes" if config.workflow_graph else None),
    ]
    return [" · ".join(f"{name}: {clip(clean(value), 80)}" for name, value in about if value)]


def _content(
    reading: AgentReading, config: AgentConfig, parts: Sequence[Part], start: int
) -> tuple[list[str], list[tuple[Part, int]]]:
    body = _about(reading, config)
    if config.first_message and start == 1:
        body.append(f"First message: {clip(clean(config.first_message), FIRST_MESSAGE_CHARS)}")
    more: list[tuple[Part, int]] = []
    texts: tuple[tuple[Part, str | None], ...] = (("global_prompt", config.global_prompt), ("prompt", config.prompt))
    for part, text in texts:
        if part in parts and (text or part == "prompt"):
            page, following = _page(PAGED[part], text, start)
            body.append(page)
            if following:
                more.append((part, following))
    if "tools" in parts:
        body.append(f"Tools ({len(config.tools)}):" if config.tools else "Tools: none.")
        body += [_tool(tool) for tool in config.tools]
    if "metrics" in parts and config.metrics:
        body.append(f"Post-call metrics ({len(config.metrics)}):")
        body += [_metric(metric) for metric in config.metrics]
    return body, more


def text_lines(text: str) -> list[str]:
    """A prompt's lines as shown: any line break (\\r\\n, \\r, \\n), trailing spaces dropped, long lines split."""
    lines = []
    for line in clean(text.replace("\r\n", "\n").replace("\r", "\n"), one_line=False).split("\n"):
        line = line.rstrip()
        lines += [line[i : i + LINE_CHARS] for i in range(0, len(line), LINE_CHARS)] or [""]
    return lines


def _page(title: str, text: str | None, start: int) -> tuple[str, int | None]:
    """The text from line `start`, as many lines as fit the page; the next line to read when more remain."""
    if not text:
        return f"{title}: none.", None
    lines = text_lines(text)
    if start > len(lines):
        return f"{title}: it has {len(lines)} lines; prompt_from={start} is past its end.", None
    page: list[str] = []
    used = 0
    for line in lines[start - 1 :]:
        used += estimate_tokens(line) + 1
        if page and used > PAGE_TOKENS:
            break
        page.append(line)
    end = start + len(page) - 1
    header = f"{title} (lines {start}-{end} of {len(lines)}):" if (start, end) != (1, len(lines)) else f"{title}:"
    return header + "\n" + "\n".join(page), end + 1 if end < len(lines) else None


def _tool(tool: AgentTool) -> str:
    head = [clip(clean(tool.name or "(unnamed)"), 60), clip(clean(tool.type or "?"), 40)]
    if tool.enabled is False:
        head.append("disabled")
    if tool.url:
        head.append(f"{clip(clean(tool.method or ''), 10)} {clip(clean(tool.url), 120)}".strip())
    if tool.timeout is not None:
        head.append(f"timeout {tool.timeout} ms")
    if tool.transfer_number:
        head.append(f"to {clip(clean(tool.transfer_number), 30)}")
    text = "- " + " · ".join(head)
    if tool.description:
        text += f": {clip(clean(tool.description), DESCRIPTION_CHARS)}"
    parameters = parameters_line(tool_parameters(tool))
    return text + (f" Parameters: {parameters}." if parameters else "")


def _metric(metric: MetricDefinition) -> str:
    choices = ", ".join(clip(clean(c), 40) for c in metric.choices[:10])
    kind = clip(clean(metric.type or "?"), 20) + (f": {choices}" if choices else "")
    question = f": {clip(clean(metric.prompt), 200)}" if metric.prompt else ""
    return f"- {clip(clean(metric.identifier or '?'), 60)} ({kind}){question}"


def version_name_problem(error: VersionNameError) -> str:
    """Why a version argument named nothing, with the versions it could be."""
    catalog = error.catalog
    wanted = error.wanted if PLAIN_VERSION.fullmatch(error.wanted.strip()) else "that"
    agent = plain_id(catalog.agent.id)
    if catalog.listed is None and catalog.problem is not None:
        known = f" Its versions could not be listed ({explain(catalog.problem)}), so only a version id can be read."
    else:
        names = [version_name(catalog, r, r.id) for r in catalog.newest_first()[:VERSIONS_SHOWN]]
        known = f" Its versions: {', '.join(names)}." if names else " It has no published versions."
    if error.wanted.strip().lower() == "active":  # the agent names an active version neither route has
        active = plain_id(catalog.active_id)
        return f"Agent {agent} names {active} as its active version, but the API has no such version.{known}"
    hint = "Pass a number like v2, a version id, or leave version out for the active one."
    return f"Agent {agent} has no version {wanted!r}.{known} {hint}"


def unknown_version_problem(error: UnknownVersionError, most_agents: int = 20) -> str:
    """Why a `vN` in the filters named nothing, with the versions each agent looked in has (names fenced)."""
    rows = []
    for catalog in error.catalogs[:most_agents]:
        names = [version_name(catalog, r, r.id) for r in catalog.newest_first()[:VERSIONS_SHOWN]]
        hidden = len(catalog.revisions) - VERSIONS_SHOWN
        more = f", and {hidden} older" if hidden > 0 else ""
        agent = f"{clip(clean(catalog.agent.name or '?'), 60)} ({plain_id(catalog.agent.id)})"
        rows.append(f"{agent}: {', '.join(names) + more if names else 'no published versions'}")
    if len(error.catalogs) > most_agents:
        rows.append(f"and {len(error.catalogs) - most_agents} more agents (name one in agents to see its versions)")
    listed = fence("agent versions", "\n".join(rows) or "no agents", "the agent list")
    per = "The agent's versions" if len(error.catalogs) == 1 else "The versions, per agent"
    if error.malformed:
        what = (
            f"{clip(clean(error.wanted), 40)!r} is neither a version number like v4 nor a version id (24 hex digits)."
        )
        return f"{what} {per}:\n{listed}\nPass one of these or a version id."
    wanted = error.wanted.strip() if VERSION_NUMBER.fullmatch(error.wanted.strip()) else "that version"
    which = "The agent has no" if len(error.catalogs) == 1 else "None of the agents has a"
    numberless = (
        " An agent that lists no published versions names none by number: pass the version id (the answers show"
        " it, as in `Support v3 (<id>)`)."
    )
    hint = numberless if any(not c.revisions for c in error.catalogs) else ""
    return f"{which} version {wanted}. {per}:\n{listed}\nPass one of these or a version id.{hint}"


def compact(value: Any, limit: int = 80) -> str:
    """A setting's value on one line: text as is, objects and lists as compact JSON."""
    if isinstance(value, str):
        return clip(clean(value), limit)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except ValueError:
        text = str(value)
    return clip(clean(text), limit)
