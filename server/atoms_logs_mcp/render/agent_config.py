"""The `get_agent` answer: which version it is, then its model, messages, prompt (paged), tools and metrics. The
configuration is its authors' text, fenced as content like a transcript."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from ..api.agent_models import AgentConfig, AgentTool, MetricDefinition, Revision
from ..domain.agent_config import AgentReading, Catalog, VersionNameError
from . import formats
from .budget import estimate_tokens
from .untrusted import clean, clip, fence

Part = Literal["versions", "prompt", "tools", "metrics"]
PARTS: tuple[Part, ...] = ("versions", "prompt", "tools", "metrics")
PROMPT_PAGE_TOKENS = 4_000
ORIGIN = "the agent's configuration"
VERSIONS_SHOWN = 12
DESCRIPTION_CHARS = 300


def version_name(catalog: Catalog, revision: Revision | None, revision_id: str | None) -> str:
    """`v3`, `revision 2 on branch experiment`, or the id."""
    if revision is not None and (number := catalog.number(revision)) is not None:
        return f"v{number}"
    if revision is not None and revision.revision_number is not None and revision.branch:
        branch = catalog.branch_names.get(revision.branch, revision.branch)
        return f"revision {revision.revision_number} on branch {clip(clean(branch), 40)}"
    return f"version {clean(revision_id or '?')}"


def version_argument(catalog: Catalog, revision: Revision | None, revision_id: str | None) -> str:
    """What to pass as `version=` to name it again: `v3` when a number names it, else its id."""
    number = catalog.number(revision) if revision is not None else None
    return f"v{number}" if number is not None else clean(revision_id or "")


def render_agent(reading: AgentReading, parts: Sequence[Part], prompt_from: int = 1) -> str:
    catalog, config = reading.catalog, reading.config
    lines = [_heading(reading)]
    if "versions" in parts:
        lines += _versions(catalog)
    if config is None:
        lines.append(_no_config(reading))
        return "\n".join(lines)
    lines.append(_settings(config))
    body, more = _content(config, parts, prompt_from)
    lines.append(fence("agent configuration", "\n".join(body), ORIGIN))
    agent = clean(catalog.agent.id or "")
    version = version_argument(catalog, reading.revision, reading.revision_id)
    if more:
        call = f'get_agent(agent="{agent}", version="{version}", include=["prompt"], prompt_from={more})'
        lines.append(f"More of the prompt: {call}")
    earlier = catalog.previous(reading.revision) if reading.revision else None
    if earlier is not None:
        base = version_argument(catalog, earlier, earlier.id)
        call = f'diff_agent_versions(agent="{agent}", base="{base}", target="{version}")'
        lines.append(f"What changed from the version before: {call}")
    return "\n".join(lines)


def _heading(reading: AgentReading) -> str:
    agent, catalog = reading.agent, reading.catalog
    name = f"Agent {clip(clean(agent.name or '?'), 60)!r} ({clean(agent.id or '?')}"
    name += f"; {clean(agent.workflow_type)})" if agent.workflow_type else ")"
    if reading.revision_id is None:
        return f"{name}: no published version."
    revision = reading.revision
    parts = [f"{name}, {version_name(catalog, revision, reading.revision_id)}"]
    if revision is not None:
        parts += [f"id {clean(revision.id or '?')}"]
        if revision.label:
            parts.append(f"label {clip(clean(revision.label), 80)!r}")
        if revision.published_at:
            who = f" by {clip(clean(revision.published_by_name), 40)}" if revision.published_by_name else ""
            parts.append(f"published {formats.when(revision.published_at)}{who}")
    parts.append("the active version (new calls use it)" if reading.active else "not the active version")
    text = ", ".join(parts) + "."
    route = reading.route
    listed = catalog.route
    if route is None or (listed is not None and listed.model == route.model and listed.fallback_from):
        route = listed
    if route is not None:
        text += f" Read through the {route.describe()}."
    return text


def _versions(catalog: Catalog) -> list[str]:
    if catalog.listed is None:
        reason = clean(str(catalog.problem)) if catalog.problem else "unknown"
        return [f"Versions: could not be listed ({clip(reason, 200)})."]
    ordered = catalog.newest_first()
    if not ordered:
        return ["Versions: none published."]
    shown = []
    for revision in ordered[:VERSIONS_SHOWN]:
        label = version_name(catalog, revision, revision.id)
        if catalog.number(revision) is None:
            label += f" ({clean(revision.id or '?')})"
        if revision.id == catalog.active_id:
            label += " active"
        if revision.published_at:
            label += f" {revision.published_at.date().isoformat()}"
        shown.append(label)
    more = f", and {len(ordered) - VERSIONS_SHOWN} older" if len(ordered) > VERSIONS_SHOWN else ""
    return [f"Versions ({len(ordered)}, newest first): " + "; ".join(shown) + more + "."]


def _no_config(reading: AgentReading) -> str:
    if reading.revision_id is None:
        return "It has no published version, so there is no configuration to read: publish one in the Atoms console."
    return "The API sent no configuration for this version."


def _settings(config: AgentConfig) -> str:
    languages = ", ".join(clean(code) for code in config.supported_languages)
    fields = [
        ("model", config.model_name),
        ("transcriber", config.transcriber_type),
        ("default language", config.default_language),
        ("languages", languages or None),
        ("workflow graph", f"{len(config.workflow_graph.get('nodes') or [])} nodes" if config.workflow_graph else None),
    ]
    return " · ".join(f"{name}: {clip(clean(value), 60)}" for name, value in fields if value) or "Settings: none sent."


def _content(config: AgentConfig, parts: Sequence[Part], prompt_from: int) -> tuple[list[str], int | None]:
    body: list[str] = []
    if config.first_message:
        body.append(f"First message: {clean(config.first_message)}")
    if config.global_prompt:
        body.append("Global prompt:\n" + clean(config.global_prompt, one_line=False))
    more = None
    if "prompt" in parts:
        text, more = _prompt(config.prompt, prompt_from)
        body.append(text)
    if "tools" in parts:
        body.append(f"Tools ({len(config.tools)}):" if config.tools else "Tools: none.")
        body += [_tool(tool) for tool in config.tools]
    if "metrics" in parts and config.metrics:
        body.append(f"Post-call metrics ({len(config.metrics)}):")
        body += [_metric(metric) for metric in config.metrics]
    return body, more


def _prompt(prompt: str | None, start: int) -> tuple[str, int | None]:
    """The prompt from line `start`, as many lines as fit the page; the next line to read when more remain."""
    if not prompt:
        return "Prompt: none.", None
    lines = [line.rstrip() for line in clean(prompt, one_line=False).splitlines()]
    if start > len(lines):
        return f"Prompt: it has {len(lines)} lines; prompt_from={start} is past its end.", None
    page: list[str] = []
    used = 0
    for line in lines[start - 1 :]:
        used += estimate_tokens(line) + 1
        if page and used > PROMPT_PAGE_TOKENS:
            break
        page.append(line)
    end = start + len(page) - 1
    header = f"Prompt (lines {start}-{end} of {len(lines)}):" if (start, end) != (1, len(lines)) else "Prompt:"
    return header + "\n" + "\n".join(page), end + 1 if end < len(lines) else None


def _tool(tool: AgentTool) -> str:
    head = [clip(clean(tool.name or "(unnamed)"), 60), clean(tool.type or "?")]
    if tool.enabled is False:
        head.append("disabled")
    if tool.url:
        head.append(f"{clean(tool.method or '')} {clip(clean(tool.url), 120)}".strip())
    if tool.timeout is not None:
        head.append(f"timeout {tool.timeout} ms")
    if tool.transfer_number:
        head.append(f"to {clean(tool.transfer_number)}")
    text = "- " + " · ".join(head)
    if tool.description:
        text += f": {clip(clean(tool.description), DESCRIPTION_CHARS)}"
    parameters = _parameters(tool.llm_parameters or tool.variables_extraction_schema)
    return text + (f" Parameters: {parameters}." if parameters else "")


def _parameters(items: list[dict[str, Any]]) -> str:
    shown = []
    for item in items[:12]:
        kind = [clean(item.get("type") or "?")] + (["required"] if item.get("required") is True else [])
        if isinstance(item.get("values"), list):
            kind.append("/".join(clean(v) for v in item["values"][:8]))
        shown.append(f"{clip(clean(item.get('name') or item.get('variableName') or '?'), 40)} ({', '.join(kind)})")
    return "; ".join(shown) + (f"; and {len(items) - 12} more" if len(items) > 12 else "")


def _metric(metric: MetricDefinition) -> str:
    kind = clean(metric.type or "?") + (
        f": {', '.join(clean(c) for c in metric.choices[:10])}" if metric.choices else ""
    )
    question = f": {clip(clean(metric.prompt), 200)}" if metric.prompt else ""
    return f"- {clean(metric.identifier or '?')} ({kind}){question}"


def version_name_problem(error: VersionNameError) -> str:
    """Why a version argument named nothing, with the versions it could be."""
    catalog = error.catalog
    wanted = clip(clean(error.wanted), 40)
    agent = clip(clean(catalog.agent.name or catalog.agent.id or "?"), 60)
    names = [version_name(catalog, r, r.id) for r in catalog.newest_first()[:VERSIONS_SHOWN]]
    known = f" Its versions: {', '.join(names)}." if names else " It has no published versions."
    hint = "Pass a number like v2, a version id, or leave version out for the active one."
    return f"Agent {agent!r} has no version {wanted!r}.{known} {hint}"


def compact(value: Any, limit: int = 80) -> str:
    """A setting's value on one line: text as is, objects and lists as compact JSON."""
    if isinstance(value, str):
        return clip(clean(value), limit)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except ValueError:
        text = str(value)
    return clip(clean(text), limit)
