"""analyze_calls' "How calls ended" list accounts for every call: all reasons when there are few, else the
commonest by name and the rarer ones counted ("+ 4 rarer reasons, 6 calls"), never silently dropped."""

from __future__ import annotations

import contextlib
import copy
import re
from typing import Any

import pytest

from conftest import _serve, call_text, mcp_client

pytestmark = pytest.mark.anyio
ARGUMENTS = {"since": "30d", "aspects": ["conversation"], "max_calls": 1000}


def _endings(text: str) -> tuple[int, dict[str, int], tuple[int, int] | None]:
    """(calls measured, calls per named reason, (rarer reasons, their calls) or None) from the answer."""
    calls = int(re.search(r"## Conversation: (\d+) calls", text).group(1))
    line = re.search(r"^How calls ended: (.*)$", text, re.M).group(1)
    line = line.split("; end_call invoked")[0]
    rest = re.search(r", \+ (\d+) rarer reasons?, (\d+) calls?$", line)
    named = line[: rest.start()] if rest else line
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"(?:^|, )(.+?) (\d+)(?=, |$)", named)}
    return calls, counts, (int(rest.group(1)), int(rest.group(2))) if rest else None


async def test_how_calls_ended_accounts_for_every_call(sandbox: Any) -> None:
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "analyze_calls", ARGUMENTS)
    calls, counts, rest = _endings(text)
    assert rest is None and sum(counts.values()) == calls, (calls, counts)


async def test_rare_endings_are_counted_not_dropped(generated_dataset: dict[str, Any]) -> None:
    dataset = copy.deepcopy(generated_dataset)
    finished = [call for call in dataset["calls"] if call["status"] == "completed"]
    for number, call in enumerate(finished[:9]):  # 6 new reasons, one of them on 4 calls
        call["disconnectionReason"] = f"rare_reason_{min(number, 5)}"
    with contextlib.contextmanager(_serve)(dataset) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "analyze_calls", ARGUMENTS)
    calls, counts, rest = _endings(text)
    assert len(counts) == 8 and rest is not None, text
    assert sum(counts.values()) + rest[1] == calls
    assert rest[0] >= 6 and rest[1] >= 9 and not any(name.startswith("rare_reason") for name in counts)


async def test_the_round3_long_tail_of_reasons_is_all_accounted_for(
    round3_sandbox: Any, round3_expected: dict[str, Any]
) -> None:
    """Someone else's data with a long tail of disconnect reasons (one or two calls each): every call is in the
    list, by name or among the rarer ones counted."""
    async with mcp_client(round3_sandbox) as client:
        text = await call_text(client, "analyze_calls", {**ARGUMENTS, "since": "90d", "attempt": "all"})
    calls, counts, rest = _endings(text)
    named = {name.split(" ")[0] for name in counts}
    rare = set(round3_expected["disconnect_reasons"]["rare_all"])
    assert sum(counts.values()) + (rest[1] if rest else 0) == calls, (counts, rest, calls)
    assert rest is not None and rest[0] >= len(rare - named), (counts, rest)
