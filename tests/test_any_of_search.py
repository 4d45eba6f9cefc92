"""search_transcripts(any_of=[...]): every phrasing a caller might use in one search (issue "Truth, round 3",
items 10 and 15 and "search_transcripts any-of").

Each answer is checked against one computed here from the raw dataset by plain Python (a phrase is its words in
order, whole words, any case, anything but letters and digits between them; text in a script written without
spaces, and emoji, as a substring), and any_of against each of its phrases searched alone: any_of finds their
union, and names the phrases each turn matched. With the call store on (the first search fills it, the later
ones read its index) and off (every call read from the API).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client

pytestmark = pytest.mark.anyio

PERSON = ["real person", "a human", "human", "representative", "operator", "someone"]
"""The phrasings of "let me talk to a person" the tool description names."""
PHRASES = {
    "foreign": ["order", "cancel my order", "我想取消", "a manager", "refund", *PERSON],
    "live": ["order", "my order", "call me back", "thank you", "let me check", "arrived", *PERSON],
}
HEAD = re.compile(r"^(CALL-\d{13}-[0-9a-f]{6}) \| ", re.M)
MARKED = re.compile(r"^> #(\d+) \[[^\]]*\] [^\s:(]+(?: \(matched (.*)\))?: ", re.M)
TOTAL = re.compile(r" read match .* \((\d+) matching turns?\)\.$", re.M)
Found = dict[str, dict[int, set[str]]]
"""call id -> shown matching turn -> the phrases it is said to match."""


def _pattern(phrase: str) -> re.Pattern[str]:
    if re.search(r"[\u3040-\u9fff]|[^\w\s]", phrase):  # CJK or emoji: as a substring
        return re.compile(re.escape(phrase), re.IGNORECASE)
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, phrase.split())) + r"(?![^\W_])", re.I)


def _expected(dataset: dict[str, Any], phrases: list[str]) -> dict[tuple[str, int], set[str]]:
    """(call id, turn number as get_log numbers them) -> the phrases its text holds."""
    patterns = {phrase: _pattern(phrase) for phrase in phrases}
    found: dict[tuple[str, int], set[str]] = {}
    for call in dataset["calls"]:
        turns = [turn for turn in call.get("transcript") or [] if isinstance(turn, dict)]
        for number, turn in enumerate(turns, start=1):
            text = turn.get("content")
            said = {phrase for phrase, pattern in patterns.items() if isinstance(text, str) and pattern.search(text)}
            if said:
                found[(call["callId"], number)] = said
    return found


async def _search(client: Any, arguments: dict[str, Any]) -> tuple[Found, int]:
    """Every page: the calls with their shown matching turns, and the number of matching turns said."""
    found: Found = {}
    total = -1
    for page in range(1, 100):
        text = await call_text(client, "search_transcripts", {**arguments, "attempt": "all", "page": page})
        if page == 1:
            total = int(TOTAL.search(text).group(1))  # type: ignore[union-attr]
        blocks = HEAD.split(text)[1:]
        for call_id, block in zip(blocks[::2], blocks[1::2], strict=True):
            block = block.split("<<<end call-data", 1)[0]
            marked = MARKED.findall(block)
            shown = re.findall(r"^[> ] #(\d+) ", block, re.M)
            assert len(shown) == len(set(shown)), f"a turn shown twice: {block}"
            found[call_id] = {int(n): set(re.findall(r'"([^"]*)"', labels)) for n, labels in marked}
        if "Next page" not in text:
            return found, total
    raise AssertionError("more pages than calls")


async def _check_union(client: Any, dataset: dict[str, Any], phrases: list[str], alone: bool = True) -> None:
    """any_of finds what the dataset holds; with `alone`, each phrase searched alone too, and any_of their union."""
    expected = _expected(dataset, phrases)
    union: set[str] = set()
    for phrase in phrases if alone else ():
        wanted = {key for key, said in expected.items() if phrase in said}
        found, total = await _search(client, {"any_of": [phrase]})
        assert set(found) == {call_id for call_id, _ in wanted}, phrase
        assert total == len(wanted), phrase
        assert {(c, n) for c, turns in found.items() for n in turns} <= wanted, phrase
        union |= set(found)
    found, total = await _search(client, {"any_of": phrases})
    assert set(found) == {call_id for call_id, _ in expected}
    assert set(found) == union or not alone
    assert total == len(expected)  # the union of the turns each phrase finds alone
    for call_id, turns in found.items():
        for number, said in turns.items():
            assert said == expected[(call_id, number)], (call_id, number)


@pytest.mark.parametrize("store", ["on", "off"])
@pytest.mark.parametrize("name", ["foreign", "live"])
async def test_any_of_finds_the_union_of_each_phrases_matches_on_the_foreign_datasets(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, store: str
) -> None:
    sandbox = request.getfixturevalue(f"{name}_sandbox")
    dataset = request.getfixturevalue(f"{name}_dataset")
    async with mcp_client(sandbox, store=str(tmp_path / "calls.sqlite3") if store == "on" else "off") as client:
        if store == "on":
            await _check_union(client, dataset, PHRASES[name])
        else:  # every search (every page) reads every call again: the rarer phrases, any_of only
            await _check_union(client, dataset, PHRASES[name][2:], alone=False)


PLANTED = [
    ["I want to talk to a real person.", "Is there a human I can speak to?"],  # two matching turns in a row
    ["Can you put me through to a representative?", "Great 😀 thanks"],
    ["Operator!", "Could someone call me back?"],
    ["I need a REAL   Person, please 😀😀"],
    ["Personally, I am humane and no operators were harmed."],  # none of the phrases as whole words
    ["我想和真人说话 😀", "?!"],
]


@pytest.fixture(scope="module")
def planted() -> dict[str, Any]:
    """A small organisation whose finished calls hold the phrasings above, turn after turn."""
    data = copy.deepcopy(generate(calls=40, seed=5, end=GENERATED_END))
    calls = [c for c in data["calls"] if c["status"] == "completed" and len(c.get("transcript") or []) >= 4]
    for call, lines in zip(calls, PLANTED, strict=False):
        for turn, line in zip(call["transcript"][1:], lines, strict=False):
            turn["content"] = line
    return data


@pytest.mark.parametrize("store", ["on", "off"])
async def test_any_of_finds_every_phrasing_of_asking_for_a_person(
    planted: dict[str, Any], tmp_path: Path, store: str
) -> None:
    with SandboxServer(CallStore.from_dataset(planted), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server, store=str(tmp_path / "calls.sqlite3") if store == "on" else "off") as client:
            await _check_union(client, planted, PERSON)
            either = await call_text(client, "search_transcripts", {"text": "person OR human", "attempt": "all"})
            as_list = await call_text(client, "search_transcripts", {"any_of": ["person", "human"], "attempt": "all"})
            assert 'any of "person", "human"' in as_list and "any of person, human" in either
            wanted = {call_id for call_id, _ in _expected(planted, ["person", "human"])}
            assert HEAD.findall(either) == HEAD.findall(as_list) and set(HEAD.findall(either)) == wanted
            plain = await _search(client, {"text": "real person"})
            assert await _search(client, {"text": "$real + person!"}) == plain, "punctuation beside words is ignored"
            both, _ = await _search(client, {"text": "please", "any_of": ["real person", "representative"]})
            assert {n for turns in both.values() for n in turns} == {2} and len(both) == 1  # both must hold


@pytest.mark.parametrize("store", ["on", "off"])
@pytest.mark.parametrize("text", ["😀", "?!", "我想"])
async def test_text_the_tokenizer_drops_is_matched_as_a_substring(
    planted: dict[str, Any], tmp_path: Path, store: str, text: str
) -> None:
    expected = {
        (call["callId"], number)
        for call in planted["calls"]
        for number, turn in enumerate(call.get("transcript") or [], start=1)
        if text in (turn.get("content") or "")
    }
    assert expected
    with SandboxServer(CallStore.from_dataset(planted), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server, store=str(tmp_path / "calls.sqlite3") if store == "on" else "off") as client:
            for _ in range(2):  # with the store on, the second search reads the stored calls
                found, total = await _search(client, {"text": text})
                assert {(c, n) for c, turns in found.items() for n in turns} == expected and total == len(expected)


@pytest.mark.parametrize("store", ["on", "off"])
async def test_any_of_on_the_round3_dataset_equals_its_answer_key(
    round3_sandbox: SandboxServer,
    round3_dataset: dict[str, Any],
    round3_expected: dict[str, Any],
    tmp_path: Path,
    store: str,
) -> None:
    """The key numbers turns from 0 in the transcript; get_log (and the search) from 1."""
    key = round3_expected["phrases"]
    matches = {phrase: {(call_id, index + 1) for call_id, index in pairs} for phrase, pairs in key["matches"].items()}
    union = {(call_id, index + 1) for call_id, index in key["union"]}
    async with mcp_client(round3_sandbox, store=str(tmp_path / "calls.sqlite3") if store == "on" else "off") as client:
        found, total = await _search(client, {"any_of": list(matches)})
        assert set(found) == {call_id for call_id, _ in union} and total == len(union)
        for call_id, turns in found.items():
            for number, said in turns.items():
                assert said == {phrase for phrase, keys in matches.items() if (call_id, number) in keys}
        emoji, count = await _search(client, {"text": "😀"})
        assert {(c, n) for c, turns in emoji.items() for n in turns} == {(c, i + 1) for c, i in key["emoji_😀"]}
        assert count == len(key["emoji_😀"])
        if store == "on":  # each phrase alone, and every answer against the dataset read by plain Python
            await _check_union(client, round3_dataset, PERSON)
