"""Entry point of the Claude Desktop bundle (manifest.json `server.entry_point`; built by scripts/build_bundle.py).

Runs `atoms_logs_mcp.cli.main()` from the dependencies vendored into `server/lib`, after two translations the
manifest's `${user_config.*}` substitution cannot express: the "Mask phone numbers" checkbox arrives as
ATOMS_REDACT=true/false and becomes "phone"/"", and an optional setting the host left as a literal
`${user_config.…}` placeholder is dropped so the server's own default applies. Nothing newer than Python 3.7
here, so that the wrong interpreter gets a clear message rather than a SyntaxError.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import MutableMapping

HERE = os.path.dirname(os.path.abspath(__file__))


def bundle_environment(environ: MutableMapping[str, str]) -> None:
    for name in [name for name, value in environ.items() if value.startswith("${user_config.")]:
        del environ[name]
    redact = environ.get("ATOMS_REDACT", "").strip().lower()
    if redact in ("true", "false"):
        environ["ATOMS_REDACT"] = "phone" if redact == "true" else ""


def main() -> int:
    # The compiled dependencies in lib/ load only into the Python version and processor that built them.
    try:
        with open(os.path.join(HERE, "bundle.json"), encoding="utf-8") as file:
            built = json.load(file)
    except (OSError, ValueError):
        built = {}
    running = {"python": "{}.{}".format(*sys.version_info[:2]), "machine": platform.machine()}
    if any(built.get(key, value) != value for key, value in running.items()):
        print(
            f"atoms-logs-mcp: this bundle was built for Python {built.get('python')} on {built.get('machine')}, "
            f"but {sys.executable} is Python {running['python']} on {running['machine']}. Put a matching "
            "python3 first on the PATH Claude Desktop sees, or rebuild the bundle with yours (make bundle).",
            file=sys.stderr,
        )
        return 2
    bundle_environment(os.environ)
    sys.path.insert(0, os.path.join(HERE, "lib"))
    from atoms_logs_mcp.cli import main as serve  # importable only now that lib/ is on sys.path

    return serve()


if __name__ == "__main__":
    sys.exit(main())
