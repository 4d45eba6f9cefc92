"""The README is a front page (at most 150 lines) and every relative link in it, the project files and docs/ points
somewhere: a file or folder that exists and, for `#anchor`, a heading of the target as GitHub names it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import call_text, mcp_client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted(ROOT.glob("*.md")), *sorted((ROOT / "docs").rglob("*.md"))]  # README, CHANGELOG, CONTRIBUTING...
FENCE = re.compile(r"^ {0,3}(```|~~~)")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # https:, mailto: ...
# Links allowed to point nowhere until the file is written (none).
EXPECTED_MISSING: set[str] = set()


def _prose(text: str) -> list[str]:
    """The lines outside fenced code blocks, inline code blanked (a link or heading there is an example)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group()) - 2) + "`", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text without markup, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    out: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            base = slug(heading.group(1))
            name, n = base, 0
            while name in out:
                n += 1
                name = f"{base}-{n}"
            out.add(name)
    return out


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    out = []
    for line in _prose(page.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if EXTERNAL.match(target) or target.startswith("/"):
                continue
            where, _, anchor = unquote(target).partition("#")
            resolved = (page.parent / where).resolve() if where else page
            label = f"{page.relative_to(root)}: {target}"
            if not resolved.exists():
                out.append(f"{label} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                out.append(f"{label} (no heading #{anchor})")
    return out


def test_the_readme_is_a_front_page_of_at_most_150_lines():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines: move detail to docs/"


def test_every_relative_link_in_the_readme_and_docs_points_somewhere():
    broken = [link for page in PAGES for link in broken_links(page)]
    unexpected = [link for link in broken if not any(name in link for name in EXPECTED_MISSING)]
    assert not unexpected, "\n".join(unexpected)


def test_the_link_check_sees_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "there.md").write_text("# A `code` title: yes!\n\n## Twice\n## Twice\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#a-code-title-yes) [ok](there.md#twice-1) ![ok](there.md) [web](https://example.com/x)\n"
        "[gone](nowhere.md) [no anchor](there.md#nope) `[in code](nowhere.md)`\n"
        "```\n[in a fence](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page, tmp_path) == [
        "page.md: nowhere.md (no such file)",
        "page.md: there.md#nope (no heading #nope)",
    ]


async def test_get_log_names_a_doc_that_defines_its_signals(sandbox):
    """The Signals heading of get_log points the reader at the definitions: a file and heading that exist."""
    async with mcp_client(sandbox) as client:
        rows = await call_text(client, "list_logs", {"statuses": ["completed"], "limit": 1})
        call_id = re.search(r"CALL-[\w-]+", rows.split("call_id |", 1)[1]).group()
        text = await call_text(client, "get_log", {"call_id": call_id, "include": ["signals"]})
    named = re.search(r"## Signals \(.*definitions: ([\w/.-]+\.md), \"([^\"]+)\"\)", text)
    assert named, text
    page, heading = ROOT / named.group(1), named.group(2)
    assert page.is_file() and slug(heading) in anchors(page), named.group(0)
