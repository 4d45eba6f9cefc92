"""The view documents: each HTML page with its stylesheet and scripts written into it, so it loads nothing.

The sources are in `assets/`: a page (`call.html`, `window.html`) names the scripts it needs in one
`<!-- scripts: a.js b.js -->` line and takes the shared stylesheet at `<!-- style -->`. Assembly is a plain
text join done once when the server starts: there is no build step and nothing to keep in sync.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

ASSETS = files(__package__).joinpath("assets")
_SCRIPTS = re.compile(r"<!-- scripts: ([\w. -]+) -->")


def _asset(name: str) -> str:
    return ASSETS.joinpath(name).read_text(encoding="utf-8")


def _inline(tag: str, text: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"an asset closes its own <{tag}> element")
    return f"<{tag}>\n{text}</{tag}>"


@cache
def document(page: str) -> str:
    """The whole HTML document of `page` (`call.html` or `window.html`)."""
    html = _asset(page).replace("<!-- style -->", _inline("style", _asset("style.css")))
    match = _SCRIPTS.search(html)
    if match is None:
        raise ValueError(f"{page} names no scripts")
    scripts = "\n".join(_asset(name) for name in match.group(1).split())
    return html[: match.start()] + _inline("script", scripts) + html[match.end() :]
