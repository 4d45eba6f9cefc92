"""The command line's parser: every command and option, each with a help line that ends with its default.

An option that falls back on a setting when not given says so in its help (`default: $VARIABLE or its default`), by
`or_setting`; every other default is the parser's own, appended by `HelpWithDefaults`. The settings themselves
are listed by `atoms-logs-mcp settings` (from the table in settings_table.py), which each help page points to.
"""

from __future__ import annotations

import argparse
import shutil
import textwrap
from typing import Any

from . import __version__
from .settings_table import env_name, setting

COMMANDS = ("serve", "check", "sandbox", "store", "sync", "settings")


def settings_pointer() -> str:
    """The last paragraph of each help page that reads settings, wrapped as argparse wraps the rest of the help."""
    return _wrapped(
        "Settings are environment variables, read and checked at start (the API key: "
        f"{' or '.join(setting('api_key').names)}). `atoms-logs-mcp settings` lists every one with its default and "
        "meaning; `atoms-logs-mcp check`, those in effect."
    )


def help_width() -> int:
    """argparse's width: the terminal's, but at most 100 (and at least 40)."""
    return max(40, min(100, shutil.get_terminal_size().columns - 2))


def _wrapped(text: str) -> str:
    return textwrap.fill(text, help_width(), break_on_hyphens=False, break_long_words=False)


class HelpWithDefaults(argparse.RawDescriptionHelpFormatter):
    """Each option's help line ends with its default, unless the help already says it ("default: ..."); the
    description and epilog are kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return option_help(action).replace("%", "%%")


def option_help(action: argparse.Action) -> str:
    """An option's help line with its default at the end, unless it already says it ("default: ...")."""
    text = action.help or ""
    if "default:" in text or action.default is argparse.SUPPRESS:
        return text
    if not action.option_strings and action.nargs != argparse.OPTIONAL:
        return text  # a required positional has no default
    return f"{text} (default: {shown_default(action.default)})"


def subcommands(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's parser by name, in the order `--help` lists them."""
    found = [action for action in top._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(found[0].choices) if found else {}


def shown_default(value: Any) -> str:
    """A parser default as people read it: flags off, nothing given as none."""
    if value is False:
        return "off"
    if value is None or value == []:
        return "none"
    return str(value)


def or_setting(attribute: str, text: str) -> str:
    """Help for an option that, when not given, takes the setting's value (and its default when unset)."""
    return f"{text} (default: ${env_name(attribute)} or {setting(attribute).shown_default})"


def command(commands: Any, name: str, text: str, settings: bool = True) -> argparse.ArgumentParser:
    """One command's parser: its help line, options with defaults, and (when it reads settings) the pointer to
    `atoms-logs-mcp settings` below them."""
    epilog = settings_pointer() if settings else None
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=text, description=text[0].upper() + text[1:] + ".", epilog=epilog,
        formatter_class=HelpWithDefaults, allow_abbrev=False,
    )  # fmt: skip
    return parser


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="atoms-logs-mcp",
        description="MCP server for Smallest AI Atoms voice-agent conversation logs.",
        epilog=_wrapped(
            "Without a command it serves over stdio: `atoms-logs-mcp serve --help` lists the options, as each "
            "command's --help lists its own with their defaults."
        )
        + f"\n\n{settings_pointer()}",
        formatter_class=HelpWithDefaults,
        allow_abbrev=False,  # `--auth passthrough` must not be read as `--auth-token passthrough`
    )
    top.add_argument("--version", action="version", version=f"atoms-logs-mcp {__version__}")
    commands = top.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    serve_options(command(commands, "serve", "serve MCP (the default command)"))
    check = command(commands, "check", "check the configuration and drive every tool once")
    check.add_argument("--demo", action="store_true", help="check against the built-in sandbox")
    _redact(check)
    data_options(check, demo=True)
    sandbox_options(command(commands, "sandbox", "serve the Atoms API sandbox over HTTP", settings=False))
    store = command(commands, "store", "show the local call store (location, size, calls per organisation) or clear it")
    store.add_argument(
        "action",
        nargs="?",
        choices=("show", "clear"),
        default="show",
        help="show: where the store is, its size, and per organisation the calls of its replica and the last sync; "
        "clear: empty it (the next sync starts over)",
    )
    sync = command(commands, "sync", "bring the account's replica in the call store up to date once, then exit")
    sync.add_argument("--full", action="store_true", help="walk the whole list, not only what changed")
    command(commands, "settings", "list every setting (environment variable) with its default and meaning", False)
    return top


def serve_options(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--demo", action="store_true", help="serve the built-in sandbox in-process, no key needed")
    serve.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="how clients reach the server")
    serve.add_argument(
        "--host", default="127.0.0.1", help="HTTP only: bind address (beyond loopback only with a token)"
    )
    serve.add_argument("--port", type=int, default=8000, help="HTTP only: port; the endpoint is /mcp")
    _redact(serve)
    serve.add_argument(
        "--auth-token",
        default=None,
        metavar="TOKEN",
        help=or_setting("auth_token", "HTTP only: require `Authorization: Bearer TOKEN`"),
    )
    serve.add_argument(
        "--auth-mode",
        choices=("token", "passthrough"),
        default=None,
        help=or_setting(
            "auth_mode",
            "HTTP only: token: one server-wide Atoms key; passthrough: each request's `Authorization: Bearer` is "
            "its user's own Atoms key, for a team server",
        ),
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="HTTP only: serve beyond loopback without a token (anyone who can reach the port reads your calls)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="HTTP only: also accept this Host/Origin name, repeatable (DNS-rebinding protection stays on)",
    )
    data_options(serve, demo=True)


def _redact(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--redact",
        choices=("phone",),
        help=or_setting("redact_phones", "phone: mask phone numbers, keeping the last four digits"),
    )


def data_options(command: argparse.ArgumentParser, demo: bool = False) -> None:
    """--data FILE or --calls N, and --seed: where the sandbox's data comes from (with --demo, for serve and
    check)."""
    where = "with --demo: " if demo else ""
    source = command.add_mutually_exclusive_group()
    source.add_argument(
        "--data",
        metavar="FILE",
        help=f'{where}dataset JSON: {{"agents": [...], "calls": [...]}}, optionally "branches" and "revisions" '
        "(default: none, generated calls)",
    )
    source.add_argument("--calls", type=int, default=500, metavar="N", help=f"{where}how many calls to generate")
    command.add_argument("--seed", type=int, default=7, help=f"{where}seed of the generated data")


def sandbox_options(sandbox: argparse.ArgumentParser) -> None:
    from .sandbox.app import DEFAULT_SANDBOX_KEY

    level = setting("log_level")
    sandbox.epilog = _wrapped(f"It logs to stderr at ${level.env} (default: {level.shown_default}); no other setting.")

    sandbox.add_argument("--host", default="127.0.0.1", help="bind address")
    sandbox.add_argument("--port", type=int, default=8765, help="port; the API is under /atoms/v1")
    data_options(sandbox)
    sandbox.add_argument("--api-key", default=None, help=f"key the sandbox accepts (default: {DEFAULT_SANDBOX_KEY})")
    sandbox.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="KEY=DATAFILE",
        help="serve KEY its own dataset, other keys a 401 (repeatable; instead of --data/--calls and --api-key)",
    )
    _fault_options(sandbox)
    sandbox.add_argument(
        "--versioning", choices=("v2", "v1"), default="v2", help="agent versioning model: v2 branches, or v1 only"
    )
    sandbox.add_argument(
        "--large-account",
        action="store_true",
        help="createdAt sorts and date filters are slow with the account's size and answer 504 past the gateway's 29 s",
    )
    sandbox.add_argument(
        "--no-updated-at",
        action="store_true",
        help="list rows without updatedAt, as the spec's row (the list is still ordered by it)",
    )


def _fault_options(sandbox: argparse.ArgumentParser) -> None:
    sandbox.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every request")
    sandbox.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 5xx")
    sandbox.add_argument("--rate-limit-rate", type=float, default=0.0, help="share of requests answered 429")
    sandbox.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds on 429")
    sandbox.add_argument("--malformed-rate", type=float, default=0.0, help="share of 200s with a broken body")
    sandbox.add_argument("--drop-rate", type=float, default=0.0, help="share of connections dropped mid-response")
    sandbox.add_argument("--live-speed", type=float, default=1.0, help="live calls replay this many times real time")
