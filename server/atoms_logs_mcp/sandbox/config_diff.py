"""The diff of two resolved configs as `GET /agent/{id}/diff` returns it: changed leaves as dot paths, grouped by
the config section (a revision's block) each top-level key belongs to; unchanged sections by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SECTIONS: dict[str, tuple[str, ...]] = {
    "workflow_prompt": ("prompt", "firstMessage", "globalPrompt"),
    "workflow_tools": ("tools",),
    "workflow_graph": ("workflowGraph",),
    "llm": ("modelName", "slmModel", "speechFormatting", "enableStyleGuide"),
    "voice": ("synthesizer", "voice", "pronunciationDicts"),
    "language": ("defaultLanguage", "supportedLanguages", "languageSwitching", "transcriberType"),
    "call_handling": (
        "allowInterruptions",
        "muteUserUntilFirstBotResponse",
        "waitForUserToSpeakFirst",
        "interruptionBackoffTimer",
        "preCallAPI",
    ),
    "detection": ("voiceDetectionConfig", "smartTurnConfig", "voiceMailDetectionConfig"),
    "analytics": ("postCallAnalyticsConfig", "callDispositionConfig"),
    "timeouts": ("llmIdleTimeoutConfig", "sessionTimeoutConfig"),
    "audio": ("backgroundSound", "denoisingConfig"),
    "privacy": ("redactionConfig",),
    "widget": ("widgetConfig",),
}
"""The sections are the names of a revision's blocks (`VersionBlocks`); a key not listed falls in `other`."""
SECTION_OF = {key: section for section, keys in SECTIONS.items() for key in keys}


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a JSON value by dot path; lists by index; an empty object or list is a leaf."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict) and value:
        items = value.items()
    elif isinstance(value, list) and value:
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return {path: value}
    found: dict[str, Any] = {}
    for key, item in items:
        found.update(leaves(item, f"{path}.{key}" if path else str(key)))
    return found


def diff_configs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`DiffResult` of `old` -> `new`: sections in block order, then `other`."""
    changes: dict[str, list[dict[str, Any]]] = {}
    present: set[str] = set()
    for key in sorted(old.keys() | new.keys()):
        section = SECTION_OF.get(key, "other")
        present.add(section)
        before, after = leaves(old.get(key), key), leaves(new.get(key), key)
        for path in sorted(before.keys() | after.keys(), key=_natural):
            if before.get(path) != after.get(path):
                changes.setdefault(section, []).append(
                    {"path": path, "oldValue": before.get(path), "newValue": after.get(path)}
                )
    order = [*SECTIONS, "other"]
    return {
        "unchangedSections": [s for s in order if s in present and s not in changes],
        "diffs": [{"section": s, "changes": changes[s]} for s in order if s in changes],
    }


def _natural(path: str) -> list[Any]:
    """`tools.10` after `tools.9`."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split(".")]
