"""Command line: serve over stdio or HTTP, check a configuration, run the sandbox, show the store, sync, list the
settings. The commands and their options: cli_parser.py.

atoms-logs-mcp [--demo] [--transport stdio|http] [--host H] [--port P]
atoms-logs-mcp check [--demo]
atoms-logs-mcp sandbox [--host H] [--port P] [--data FILE | --calls N --seed S] [--api-key KEY] ...
atoms-logs-mcp store [show|clear] | sync [--full] | settings
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .cli_parser import COMMANDS, help_width, parser
from .config import Settings, log_level
from .settings_table import env_name, key_names, settings_help

GRACE_BEYOND_DEADLINE_S = 5.0
"""After SIGTERM, calls in flight get the deadline and this much more to finish."""


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "serve")
    try:
        args = parser().parse_args(args_list)  # prints --help and exits there
        if args.command == "settings":
            print(settings_help(width=help_width()))
            return 0
    except BrokenPipeError:  # `atoms-logs-mcp settings | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 0
    logging.basicConfig(
        level=log_level(os.environ),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "sandbox":
        return _run_sandbox(args)
    if args.command == "store":
        from .store_command import run_store_command

        return run_store_command(args.action)
    if args.command == "sync":
        from .sync_command import run_sync_command

        return run_sync_command(args.full)
    if args.command == "check":
        from .check import run_check

        with demo_folder(args.demo) as scratch:
            try:
                configured = _settings_and_transport(args, scratch)
            except ValueError as error:
                print(f"atoms-logs-mcp: {error}", file=sys.stderr)
                return 2
            return run_check(configured)
    with demo_folder(args.demo) as scratch:
        return _serve(args, scratch)


def _run_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.app import DEFAULT_SANDBOX_KEY
    from .sandbox.faults import FaultConfig
    from .sandbox.large_account import LargeAccount
    from .sandbox.serve import load_store, load_tenants, serve_forever

    try:
        faults = FaultConfig(
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            rate_limit_rate=args.rate_limit_rate,
            retry_after=args.retry_after,
            malformed_rate=args.malformed_rate,
            drop_rate=args.drop_rate,
        )
        updated_at = False if args.no_updated_at else None
        if args.tenant and (args.data or args.api_key):
            raise ValueError("--tenant gives each key its data: not with --data or --api-key")
        accounts = load_tenants(args.tenant, updated_at) or {
            args.api_key or DEFAULT_SANDBOX_KEY: load_store(
                args.data, calls=args.calls, seed=args.seed, serve_updated_at=updated_at
            )
        }
    except (ValueError, OSError) as error:
        print(f"atoms-logs-mcp sandbox: {error}", file=sys.stderr)
        return 2
    for store in accounts.values():
        store.versions.mode = args.versioning
    serve_forever(
        accounts,
        host=args.host,
        port=args.port,
        faults=faults,
        live_speed=args.live_speed,
        large_account=LargeAccount(on=args.large_account),
    )
    return 0


@contextmanager
def demo_folder(demo: bool) -> Iterator[Path | None]:
    """A folder of the demo's own for its call store, deleted when the command ends (None when not a demo): the
    sandbox's calls never go into the user's store."""
    if not demo:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="atoms-logs-mcp-demo-") as folder:
        yield Path(folder)


def _settings_and_transport(args: argparse.Namespace, scratch: Path | None) -> tuple[Settings, object]:
    redact = True if args.redact == "phone" else None
    sync = False if args.command == "check" else None  # check drives each tool once: no background sync beside it
    if not args.demo or scratch is None:
        return Settings.from_env(redact_phones=redact, sync=sync), None
    from .sandbox.app import DEFAULT_SANDBOX_KEY
    from .sandbox.in_process import InProcessTransport
    from .sandbox.serve import load_store

    # The demo reads the sandbox in-process; every other setting still comes from the environment, and the
    # generated calls end at the server's "now" (the `now` setting when set).
    settings = Settings.from_env(
        api_key=DEFAULT_SANDBOX_KEY,
        base_url="http://sandbox.in-process/atoms/v1",
        redact_phones=redact,
        store=str(scratch / "calls.sqlite3"),
        sync=sync,
    )
    store = load_store(args.data, calls=args.calls, seed=args.seed, end=settings.now)
    return settings, InProcessTransport(store, api_key=DEFAULT_SANDBOX_KEY)


def _serve_problem(args: argparse.Namespace, settings: Settings, token: str | None) -> str | None:
    """Why this serve command cannot start, in words that name the option or setting to change."""
    if settings.auth_mode == "passthrough":
        if args.transport != "http":
            return "--auth-mode passthrough takes each user's key from their HTTP requests: add --transport http."
        if args.demo:
            return "--auth-mode passthrough reads each user's own key; --demo has none (drop one of them)."
        if token:
            return (
                f"--auth-mode passthrough reads the bearer token as the user's Atoms key: unset --auth-token "
                f"({env_name('auth_token')})."
            )
        return None
    if not settings.api_key:
        return (
            f"no Atoms API key. Set {key_names()}, or run `atoms-logs-mcp --demo` to try it on the built-in sandbox "
            "(a team server: --transport http --auth-mode passthrough)."
        )
    if args.transport == "http":
        from .http import exposure_problem

        return exposure_problem(args.host, token, args.insecure_no_auth)
    return None


def _serve(args: argparse.Namespace, scratch: Path | None) -> int:
    from .app import create_server
    from .team.health import Health
    from .team.logs import log_as_json_lines

    try:
        settings, transport = _settings_and_transport(args, scratch)
    except ValueError as error:
        print(f"atoms-logs-mcp: {error}", file=sys.stderr)
        return 2
    if args.auth_mode:
        settings = replace(settings, auth_mode=args.auth_mode)
    passthrough = settings.auth_mode == "passthrough"
    token = args.auth_token or settings.auth_token
    if problem := _serve_problem(args, settings, token):
        print(f"atoms-logs-mcp: {problem}", file=sys.stderr)
        return 2
    try:
        health = Health() if args.transport == "http" else None
        server = create_server(settings, transport=transport, health=health)  # type: ignore[arg-type]
    except ValueError as error:  # the tools setting names a tool that does not exist
        print(f"atoms-logs-mcp: {error}", file=sys.stderr)
        return 2
    if args.transport == "http":
        from .http import serve_http

        if passthrough:
            log_as_json_lines()
        serve_http(
            server,
            host=args.host,
            port=args.port,
            auth_token=None if passthrough else token,
            extra_hosts=args.allow_host,
            passthrough=passthrough,
            health=health,
            grace=settings.deadline + GRACE_BEYOND_DEADLINE_S,
        )
    else:
        server.run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
