"""The view documents: the one page template with a view's title, the stylesheet and its scripts written in, so
it loads nothing.

Assembly is a plain text join done once when the server starts (`assets/`): there is no build step and nothing
to keep in sync. Every view gets the bridge to the host (`bridge.js`), the DOM helpers (`dom.js`) and the
lifecycle (`view.js`), then its own scripts, the last of which ends by starting the view.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

ASSETS = files(__package__).joinpath("assets")
SHARED = ("bridge.js", "dom.js", "view.js")
VIEWS = {"call": ("Call view", ("call.js",)), "window": ("Window view", ("charts.js", "forest.js", "window.js"))}
"""Each view: its title, its own scripts."""


def _asset(name: str) -> str:
    return ASSETS.joinpath(name).read_text(encoding="utf-8")


def _inline(tag: str, text: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"an asset closes its own <{tag}> element")
    return f"<{tag}>\n{text}</{tag}>"


@cache
def document(view: str) -> str:
    """The whole HTML document of `view` (`call` or `window`)."""
    title, own = VIEWS[view]
    scripts = "\n".join(_asset(name) for name in (*SHARED, *own))
    page = (
        _asset("page.html")
        .replace("<!-- title -->", title)
        .replace("<!-- style -->", _inline("style", _asset("style.css")))
    )
    return page.replace("<!-- scripts -->", _inline("script", scripts))
