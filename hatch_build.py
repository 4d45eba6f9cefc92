"""Build hook: the long description is README.md with its relative links made absolute from `[project.urls]
Homepage` (scripts/homepage.py), so that they work on PyPI while the README keeps relative links on GitHub."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class AbsoluteLinksReadme(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location("homepage", root / "scripts" / "homepage.py")
        assert spec and spec.loader
        homepage = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(homepage)
        readme = (root / "README.md").read_text(encoding="utf-8")
        text = homepage.absolute_links(readme, metadata["urls"]["Homepage"])
        metadata["readme"] = {"content-type": "text/markdown", "text": text}
