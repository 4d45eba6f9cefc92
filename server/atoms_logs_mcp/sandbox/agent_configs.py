"""The generated agents' versions: a `main` branch each, and one revision per version whose prompt, tools and
model really differ from the one before. Support's newest version is the regression the investigations find:
its prompt has the agent say HOLD_LINE before every order lookup, and lookup_order moved to a slower warehouse
service with a longer timeout. Built from the profiles alone (no draws from the generator's random sequence)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from .conversation import iso
from .profiles import HOLD_LINE, REGRESSED_AGENT, AgentProfile, tool_timeout_ms

EARLY_MODEL = "gpt-4o"
PUBLISHER = "Priya Shah"
BLOCKS = ("workflow_prompt", "workflow_tools", "llm", "voice", "language", "call_handling", "analytics", "timeouts")


def _object_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


def _tool(name: str, number: int, regressed: bool) -> dict[str, Any]:
    words = name.replace("_", " ")
    if name.startswith("transfer"):
        return {
            "type": "transfer_call",
            "name": name,
            "description": "Transfer the caller to a person when they ask for one or the agent cannot help.",
            "transferNumber": "+14155550100",
            "transferOption": {"type": "warm_transfer" if number > 2 else "cold_transfer"},
        }
    if name == "knowledge_base_search":
        return {
            "type": "knowledge_base_search",
            "name": name,
            "description": "Search the product knowledge base for plans, features and prices.",
            "knowledgeBaseId": _object_id("kb", name),
        }
    host = "warehouse.acme.internal/v2" if regressed and name == "lookup_order" else "api.acme.internal/v1"
    return {
        "type": "api_call",
        "name": name,
        "description": f"{words[0].upper()}{words[1:]} in Acme's systems.",
        "url": f"https://{host}/{name}",
        "method": "GET" if name.startswith(("lookup", "find", "check")) else "POST",
        "timeout": tool_timeout_ms(name, regressed),
        "llmParameters": [
            {"name": "reference", "description": "The id the caller gave", "type": "text", "required": True}
        ],
    }


def _prompt(profile: AgentProfile, number: int, regressed: bool) -> str:
    voice = profile.voice[1].capitalize()
    lines = [
        f"You are {voice}, the voice agent {profile.name} of Acme.",
        profile.description,
        "",
        "## Style",
        "- Keep every answer to one or two short sentences." if number > 1 else "- Keep answers short.",
        "- Speak naturally; never read out links or ids character by character.",
        "- If you did not understand, ask once, then offer to transfer.",
        "",
        "## How a call goes",
        *(f"- When it fits, say something like: {agent}" for agent, _ in profile.lines),
    ]
    if number > 1:
        lines.append("- Confirm the caller's name before you change anything on their account.")
    if regressed:
        lines.append(f'- Before every order lookup, say: "{HOLD_LINE}" and wait for the result.')
    lines += ["", "## Tools", *(f"- Use {name} when the caller needs it." for name in _tools_of(profile, number))]
    lines += ["", "## Ending", "- Thank the caller and end the call when they have nothing else."]
    return "\n".join(lines)


def _tools_of(profile: AgentProfile, number: int) -> tuple[str, ...]:
    """The first version lacks the profile's last tool; it arrives in version 2."""
    return profile.tools if number > 1 else profile.tools[:-1]


def _config(agent: dict[str, Any], profile: AgentProfile, number: int, newest: bool) -> dict[str, Any]:
    regressed = newest and number > 1 and profile.name == REGRESSED_AGENT
    return {
        "prompt": _prompt(profile, number, regressed),
        "firstMessage": profile.lines[0][0],
        "tools": [_tool(name, number, regressed) for name in _tools_of(profile, number)],
        "modelName": profile.model if newest else EARLY_MODEL,
        "transcriberType": "deepgram-nova-3",
        "defaultLanguage": "en",
        "supportedLanguages": ["en"],
        "allowInterruptions": number > 1,
        "postCallAnalyticsConfig": agent.get("postCallAnalyticsConfig") or {},
        "llmIdleTimeoutConfig": {"telephonyTimeoutTimeInSecs": 8 if number > 1 else 10, "maxRetries": 2},
    }


def agent_versions(
    agents: list[dict[str, Any]],
    profiles: dict[str, AgentProfile],
    versions: dict[str, list[tuple[datetime, str, int]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(branches, revisions) in the dataset's format, one `main` branch per agent."""
    branches, revisions = [], []
    for agent in agents:
        own = versions[agent["_id"]]
        branch_id = _object_id(agent["_id"], "main")
        branches.append(
            {
                "_id": branch_id,
                "agent": agent["_id"],
                "name": "main",
                "isDefault": True,
                "sourceBranchId": None,
                "sourceRevisionId": None,
                "headRevisionId": own[-1][1],
                "openDraftId": None,
                "status": "active",
                "createdAt": agent["createdAt"],
                "updatedAt": iso(own[-1][0]),
            }
        )
        for index, (moment, revision_id, number) in enumerate(own):
            newest = index == len(own) - 1
            revisions.append(
                {
                    "revision": _revision(
                        agent, branch_id, revision_id, number, moment, own[index - 1][1] if index else None, newest
                    ),
                    "resolvedConfig": _config(agent, profiles[agent["_id"]], number, newest),
                }
            )
    return branches, revisions


def _revision(
    agent: dict[str, Any],
    branch_id: str,
    revision_id: str,
    number: int,
    moment: datetime,
    parent: str | None,
    newest: bool,
) -> dict[str, Any]:
    return {
        "_id": revision_id,
        "agent": agent["_id"],
        "status": "published",
        "branch": branch_id,
        "revisionNumber": number,
        "versionNumber": number,
        "label": "Initial version" if number == 1 else f"Update {number}",
        "description": None,
        "isPinned": False,
        "publishedBy": _object_id("user", PUBLISHER),
        "publishedByName": PUBLISHER,
        "publishedAt": iso(moment),
        "isActive": newest,
        "activatedAt": iso(moment) if newest else None,
        "parentVersion": parent,
        "workflowType": agent.get("workflowType"),
        "blocks": {block: _object_id(revision_id, block) for block in BLOCKS},
        "createdAt": iso(moment),
        "updatedAt": iso(moment),
    }
