"""Everything derived from the project's public home, `[project.urls] Homepage` in pyproject.toml, the one place
it is set: the other project URLs, the registry name of server.json, and the long description's absolute links.

The home is a GitHub repository (https://github.com/<owner>/<repo>): its files are under /blob/main/, their raw
bytes (images) under /raw/main/. Standard library only: the build hook (hatch_build.py) loads this file in the
build's isolated environment, where only hatchling is installed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+)$")


def pyproject(root: Path = ROOT) -> dict[str, object]:
    with (root / "pyproject.toml").open("rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
    return project


def homepage(root: Path = ROOT) -> str:
    urls = pyproject(root)["urls"]
    assert isinstance(urls, dict)
    return str(urls["Homepage"])


def owner_and_repo(home: str) -> tuple[str, str]:
    """`home`'s GitHub owner and repository; ValueError for any other address."""
    found = _GITHUB.match(home)
    if not found:
        raise ValueError(f"Homepage {home!r} is not https://github.com/<owner>/<repo>: scripts/homepage.py "
                         "derives the other addresses from that form")  # fmt: skip
    return found["owner"], found["repo"]


def project_urls(home: str) -> dict[str, str]:
    """What `[project.urls]` must say for this home (the test compares)."""
    owner_and_repo(home)
    return {
        "Homepage": home,
        "Documentation": f"{home}/tree/{BRANCH}/docs",
        "Changelog": f"{home}/blob/{BRANCH}/CHANGELOG.md",
        "Issues": f"{home}/issues",
    }


def registry_name(home: str) -> str:
    """server.json's name: the MCP Registry's namespace for a GitHub-authenticated publisher, io.github.<owner>."""
    owner, repo = owner_and_repo(home)
    return f"io.github.{owner}/{repo}"


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_REFERENCE = re.compile(r"^(?P<label> {0,3}\[[^\]]+\]:[ \t]*)(?P<target>\S+)", re.MULTILINE)
_HTML = re.compile(r"(?P<attribute>\b(?:src|href)=\")(?P<target>[^\"]+)\"")


def absolute(target: str, home: str, *, image: bool = False) -> str:
    """A link's target as the long description needs it: relative paths under the home's main branch."""
    if _SCHEME.match(target) or target.startswith("//"):
        return target
    if target.startswith("#"):
        return f"{home}{target}"
    path = target.removeprefix("./").lstrip("/")
    return f"{home}/{'raw' if image else 'blob'}/{BRANCH}/{path}"


def absolute_links(markdown: str, home: str) -> str:
    """`markdown` with every relative link and image (inline, reference-style and HTML src/href) made absolute."""
    owner_and_repo(home)

    def inline(found: re.Match[str]) -> str:
        target = absolute(found["target"], home, image=bool(found["bang"]))
        return f"{found['bang']}[{found['text']}]({target}{found['title'] or ''})"

    def html(found: re.Match[str]) -> str:
        image = found["attribute"].startswith("src")
        return f'{found["attribute"]}{absolute(found["target"], home, image=image)}"'

    markdown = _INLINE.sub(inline, markdown)
    markdown = _REFERENCE.sub(lambda found: found["label"] + absolute(found["target"], home), markdown)
    return _HTML.sub(html, markdown)


def relative_links(markdown: str) -> list[str]:
    """The link targets in `markdown` that are not absolute (the built long description must have none)."""
    targets = [m["target"] for pattern in (_INLINE, _REFERENCE, _HTML) for m in pattern.finditer(markdown)]
    return [t for t in targets if not _SCHEME.match(t) and not t.startswith("//")]
