#!/usr/bin/env python3
"""Drive the server with real MCP clients: the MCP Inspector CLI and the official conformance suite.

    python3 scripts/real_clients.py [--keep] [--node-dir DIR]

1. Installs Node 22 (the npm package `node`, which ships the binary), `@modelcontextprotocol/inspector`
   and `@modelcontextprotocol/conformance`, all pinned, into scripts/.node/ (git-ignored). A second run
   finds them there and installs nothing.
2. Inspector CLI over stdio, against `$PYTHON -m atoms_logs_mcp --demo` (one server process per request,
   as the CLI works), in both protocol eras (2025-11-25, the CLI's default for an ad-hoc server, and
   2026-07-28): initialize, tools/list (--strict), tools/call of every listed tool, a tool error that must
   be one, resources/templates/list, resources/list, resources/read of both templates, prompts/list,
   prompts/get of both prompts.
3. The HTTP transport on a free loopback port, behind a byte-for-byte TCP relay that only notes which
   protocol versions pass through: the conformance suite's server scenarios (every suite, pending ones
   too), then the Inspector CLI over HTTP in both eras.

The server runs on the interpreter in $PYTHON (default: the one running this script), where the package
must be importable. Exit status 0 when every Inspector step succeeded and every conformance scenario that
applies to this server passed; scenarios that do not apply are listed with the reason (SCENARIOS below).
The last line of output is `REAL_CLIENTS_SUMMARY {json}` for tests/test_real_clients.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NODE_VERSION = "22.23.3"  # the npm package `node` ships this binary; the Inspector needs >= 22.19.0
INSPECTOR_VERSION = "2.12.0"
CONFORMANCE_VERSION = "0.1.16"
INSPECTOR_BIN = "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
CONFORMANCE_BIN = "node_modules/@modelcontextprotocol/conformance/dist/index.js"

ERAS = {"legacy": "2025-11-25", "modern": "2026-07-28"}  # Inspector --protocol-era -> protocol version
CALL_ID = re.compile(r"CALL-\d{13}-[0-9a-f]{6}")
EXPECTED_TEMPLATES = {"atoms://calls/{call_id}/transcript", "atoms://calls/{call_id}"}
EXPECTED_PROMPTS = {"triage_failed_calls", "debug_call"}
UNKNOWN_CALL = "CALL-1000000000000-000000"
LOOPBACK = "127.0.0.1"

# Why each conformance server scenario does or does not apply to this server. The suite's scenarios are
# written against its reference "everything" server: many call fixtures by name (test_simple_text,
# test://static-text, test_simple_prompt, ...) that a server with a real job does not have, and some need
# capabilities this server deliberately does not declare. A scenario missing from this table (a newer
# suite) counts as applicable, so it fails the run until someone reads it and classifies it.
APPLIES = "applies"
NO_CAPABILITY = "capability not declared"
FIXTURE = "needs the suite's fixture"
SCENARIOS: dict[str, tuple[str, str]] = {
    "server-initialize": (APPLIES, "lifecycle handshake"),
    "ping": (APPLIES, "every server answers ping"),
    "tools-list": (APPLIES, "our six tools: name, description, inputSchema"),
    "resources-list": (APPLIES, "resources capability declared (templates only, so the list is empty)"),
    "prompts-list": (APPLIES, "our two prompts"),
    "completion-complete": (APPLIES, "completions declared; an unknown prompt must still get a values array"),
    "server-sse-multiple-streams": (APPLIES, "streamable HTTP: concurrent POST streams in one session"),
    "dns-rebinding-protection": (APPLIES, "loopback HTTP must refuse a foreign Host/Origin"),
    "logging-set-level": (NO_CAPABILITY, "no `logging`: the server logs to its stderr, not to the client"),
    "tools-call-with-logging": (NO_CAPABILITY, "no `logging`; and tool test_tool_with_logging"),
    "tools-call-sampling": (NO_CAPABILITY, "never asks the client to sample; and tool test_sampling"),
    "tools-call-elicitation": (NO_CAPABILITY, "never elicits: read-only log access; and tool test_elicitation"),
    "elicitation-sep1034-defaults": (NO_CAPABILITY, "never elicits; and an elicitation fixture tool"),
    "elicitation-sep1330-enums": (NO_CAPABILITY, "never elicits; and an elicitation fixture tool"),
    "resources-subscribe": (APPLIES, "resources.subscribe declared: watch_call tells subscribers a live call changed"),
    "resources-unsubscribe": (APPLIES, "resources.subscribe declared"),
    "tools-call-simple-text": (FIXTURE, "tool test_simple_text (our tools: Inspector tools/call)"),
    "tools-call-image": (FIXTURE, "tool test_image_content; our tools answer text only"),
    "tools-call-audio": (FIXTURE, "tool test_audio_content; our tools answer text only"),
    "tools-call-embedded-resource": (FIXTURE, "tool test_embedded_resource; we link resources, not embed"),
    "tools-call-mixed-content": (FIXTURE, "tool test_multiple_content_types; text only"),
    "tools-call-error": (FIXTURE, "tool test_error_handling (ours: Inspector get_log of an unknown id)"),
    "tools-call-with-progress": (FIXTURE, "tool test_tool_with_progress (ours: summarize_logs, pytest)"),
    "resources-read-text": (FIXTURE, "resource test://static-text"),
    "resources-read-binary": (FIXTURE, "resource test://static-binary"),
    "resources-templates-read": (FIXTURE, "template test://template/{id}/data (ours: Inspector reads)"),
    "prompts-get-simple": (FIXTURE, "prompt test_simple_prompt (ours: Inspector prompts/get)"),
    "prompts-get-with-args": (FIXTURE, "prompt test_prompt_with_arguments (ours: Inspector prompts/get)"),
    "prompts-get-embedded-resource": (FIXTURE, "prompt test_prompt_with_embedded_resource"),
    "prompts-get-with-image": (FIXTURE, "prompt test_prompt_with_image"),
    "json-schema-2020-12": (FIXTURE, "tool json_schema_2020_12_tool (pending suite)"),
    "server-sse-polling": (FIXTURE, "tool test_reconnection; SSE resumption needs an event store (pending)"),
}


def log(message: str) -> None:
    print(message, flush=True)


# --- Node 22 and the two packages, in a local prefix -------------------------------------------------


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("real_clients: npm is needed (any version) to install Node 22 from the npm registry")
    return npm


def _write_manifest(prefix: Path, dependencies: dict[str, str], allow_scripts: dict[str, bool]) -> None:
    prefix.mkdir(parents=True, exist_ok=True)
    manifest = {"name": f"real-clients-{prefix.name}", "private": True, "dependencies": dependencies}
    # npm 11 asks a project to approve install scripts: `node` needs its preinstall (it places the
    # binary); the Inspector's postinstall only matters in its own source checkout.
    manifest["allowScripts"] = allow_scripts
    text = json.dumps(manifest, indent=2) + "\n"
    path = prefix / "package.json"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _npm_install(prefix: Path, env: dict[str, str]) -> None:
    command = [_npm(), "install", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=prefix, env=env, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"real_clients: npm install in {prefix} failed:\n{done.stdout}\n{done.stderr}")


def _installed_version(package_json: Path) -> str | None:
    try:
        return str(json.loads(package_json.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_node(node_dir: Path) -> Path:
    prefix = node_dir / "node22"
    node = prefix / "node_modules" / ".bin" / ("node.cmd" if os.name == "nt" else "node")
    if node.exists() and _run_quiet([str(node), "--version"]) == f"v{NODE_VERSION}":
        log(f"node {NODE_VERSION}: cached in {prefix}")
        return node
    log(f"node {NODE_VERSION}: installing into {prefix} (npm package node@{NODE_VERSION})")
    _write_manifest(prefix, {"node": NODE_VERSION}, {f"node@{NODE_VERSION}": True})
    _npm_install(prefix, dict(os.environ))
    version = _run_quiet([str(node), "--version"])
    if version != f"v{NODE_VERSION}":
        raise SystemExit(f"real_clients: {node} reports {version!r}, expected v{NODE_VERSION}")
    return node


def ensure_tools(node_dir: Path, env: dict[str, str]) -> Path:
    prefix = node_dir / "tools"
    wanted = {
        "@modelcontextprotocol/inspector": INSPECTOR_VERSION,
        "@modelcontextprotocol/conformance": CONFORMANCE_VERSION,
    }
    have = {name: _installed_version(prefix / "node_modules" / name / "package.json") for name in wanted}
    if have == wanted:
        log(f"inspector {INSPECTOR_VERSION}, conformance {CONFORMANCE_VERSION}: cached in {prefix}")
        return prefix
    log(f"inspector {INSPECTOR_VERSION}, conformance {CONFORMANCE_VERSION}: installing into {prefix}")
    _write_manifest(prefix, wanted, {f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}": False})
    _npm_install(prefix, env)  # npm itself runs on Node 22 here (PATH), so the engine checks see 22
    have = {name: _installed_version(prefix / "node_modules" / name / "package.json") for name in wanted}
    if have != wanted:
        raise SystemExit(f"real_clients: installed {have}, expected {wanted}")
    return prefix


def _run_quiet(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Step:
    phase: str  # "stdio legacy", "http modern", ...
    name: str  # "tools/call get_log", ...
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    tools_called: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> list[Step]:
        return [step for step in self.steps if not step.ok]


class StepFailed(Exception):
    pass


# --- the Inspector CLI ---------------------------------------------------------------------------------


class Inspector:
    """One `mcp-inspector --cli` invocation per request, as a CI smoke test uses it."""

    def __init__(self, node: Path, tools: Path, env: dict[str, str], python: str, export_dir: Path) -> None:
        self.base = [str(node), str(tools / INSPECTOR_BIN), "--cli"]
        self.env = env
        self.python = python
        self.export_dir = export_dir

    def stdio_target(self) -> list[str]:
        # Under --cli, everything before `--` is the server command. The Inspector starts the server with
        # a minimal environment (PATH, HOME, ...), not its own, so the export folder goes in with -e.
        return [self.python, "-m", "atoms_logs_mcp", "--demo", "--", "-e", f"ATOMS_EXPORT_DIR={self.export_dir}"]

    def request(self, target: list[str], era: str, method: str, *args: str) -> tuple[int, Any, str]:
        command = [*self.base, *target, "--protocol-era", era, "--format", "json", "--connect-timeout", "30000"]
        command += ["--method", method, *args]
        done = subprocess.run(  # noqa: S603
            command, env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        try:
            payload = json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            payload = None
        return done.returncode, payload, done.stderr.strip()


def _text(result: dict[str, Any]) -> str:
    return "\n".join(item.get("text", "") for item in result.get("content", []) if item.get("type") == "text")


def _tool_args(tool: str, ids: list[str], era: str) -> dict[str, Any]:
    """Sensible arguments for every tool; a tool the server lists and this table lacks fails the run."""
    table: dict[str, dict[str, Any]] = {
        "list_logs": {"limit": 5, "statuses": ["completed"]},  # completed calls: they have transcripts
        "summarize_logs": {"group_by": ["status", "disconnect_reason", "agent"], "since": "30d"},
        "list_agents": {"with_calls": True, "since": "7d"},
        "get_log": {"call_id": ids[0] if ids else UNKNOWN_CALL},
        "search_by_call_ids": {"call_ids": [*ids, UNKNOWN_CALL]},
        "export_logs": {"format": "csv", "since": "7d", "file_name": f"inspector-{era}.csv"},
        "search_transcripts": {"text": "refund", "since": "7d", "max_calls": 20},
        "analyze_calls": {"since": "7d", "aspects": ["tools", "outcomes"], "max_calls": 20},
        "compare_calls": {"baseline": {"since": "14d", "until": "7d"}, "candidate": {"since": "7d"}},
        "watch_call": {"call_id": ids[0] if ids else UNKNOWN_CALL, "seconds": 2},  # a completed call: says so
        "get_agent": {"agent": "Support", "version": "v1", "include": ["versions", "tools"]},
        "diff_agent_versions": {"agent": "Support"},
    }
    if tool not in table:
        raise StepFailed(f"tools/list names {tool!r}, which this script has no arguments for: add it to _tool_args")
    return table[tool]


def _check_tool(tool: str, text: str, ids: list[str], export_dir: Path, era: str) -> str:
    if not text.strip():
        raise StepFailed("empty text content")
    if tool == "list_logs":
        found = CALL_ID.findall(text)
        if not found:
            raise StepFailed("no call id in the answer")
        ids[:] = list(dict.fromkeys(found))[:5]
        return f"{len(ids)} call ids, first {ids[0]}"
    if tool in ("get_log", "search_by_call_ids") and ids and ids[0] not in text:
        raise StepFailed(f"{ids[0]} not in the answer")
    if tool == "search_by_call_ids" and UNKNOWN_CALL not in text:
        raise StepFailed("the unknown id is not named")
    if tool == "export_logs":
        written = export_dir / f"inspector-{era}.csv"
        if not written.is_file() or written.stat().st_size == 0 or str(written) not in text:
            raise StepFailed(f"{written} not written or not named in the answer")
        return f"{written.name}: {written.stat().st_size} bytes"
    return text.splitlines()[0][:90]


def _step(run: Run, phase: str, name: str, action: Callable[[], str]) -> bool:
    started = time.monotonic()
    try:
        detail, ok = action(), True
    except StepFailed as failure:
        detail, ok = str(failure), False
    step = Step(phase, name, ok, round(time.monotonic() - started, 2), detail)
    run.steps.append(step)
    log(f"  {'ok  ' if ok else 'FAIL'} {phase:<13} {name:<38} {step.seconds:5.1f}s  {detail}")
    return ok


def _call(inspector: Inspector, target: list[str], era: str, method: str, *args: str) -> dict[str, Any]:
    code, payload, stderr = inspector.request(target, era, method, *args)
    if code != 0 or not isinstance(payload, dict) or "result" not in payload:
        last = stderr.splitlines()[-1] if stderr else ""
        raise StepFailed(f"exit {code}: {last or json.dumps(payload)[:300]}")
    result = payload["result"]
    if not isinstance(result, dict):
        raise StepFailed(f"result is not an object: {result!r}")
    return result


def inspector_session(inspector: Inspector, run: Run, target: list[str], era: str, phase: str, *, full: bool) -> None:
    """Everything the CLI can ask, one request per server process. `full=False`: handshake, list, two calls."""
    ids: list[str] = []

    def initialize() -> str:
        result = _call(inspector, target, era, "initialize")
        if result.get("protocolVersion") != ERAS[era]:
            raise StepFailed(f"negotiated {result.get('protocolVersion')}, expected {ERAS[era]}")
        return f"protocol {result['protocolVersion']}, capabilities {sorted(result.get('capabilities', {}))}"

    names: list[str] = []

    def tools_list() -> str:
        # --strict: exit 6 on an error-severity tool-schema portability problem.
        result = _call(inspector, target, era, "tools/list", "--strict")
        names.extend(tool["name"] for tool in result.get("tools", []))
        if not names:
            raise StepFailed("no tools")
        return ", ".join(names)

    _step(run, phase, "initialize", initialize)
    if not _step(run, phase, "tools/list --strict", tools_list):
        return
    order = sorted(names, key=lambda name: name != "list_logs")  # list_logs first: it yields the call ids
    if not full:
        order = [name for name in order if name in ("list_logs", "get_log")]
    for tool in order:

        def call(tool: str = tool) -> str:
            arguments = json.dumps(_tool_args(tool, ids, era))
            result = _call(inspector, target, era, "tools/call", "--tool-name", tool, "--tool-args-json", arguments)
            if result.get("isError"):
                raise StepFailed(f"isError: {_text(result)[:300]}")
            return _check_tool(tool, _text(result), ids, inspector.export_dir, era)

        if _step(run, phase, f"tools/call {tool}", call):
            run.tools_called.setdefault(phase, []).append(tool)
    if not full:
        return

    def tool_error() -> str:
        # A failure the model must read as a tool error (isError), which the CLI reports with exit 5.
        arguments = json.dumps({"call_id": UNKNOWN_CALL})
        code, payload, _ = inspector.request(
            target, era, "tools/call", "--tool-name", "get_log", "--tool-args-json", arguments
        )
        result = (payload or {}).get("result", {})
        if code != 5 or not result.get("isError") or UNKNOWN_CALL not in _text(result):
            raise StepFailed(f"expected exit 5 and an isError answer naming the id, got exit {code}: {payload}")
        return "exit 5, isError: " + _text(result)[:70]

    def templates() -> str:
        result = _call(inspector, target, era, "resources/templates/list")
        found = {template["uriTemplate"] for template in result.get("resourceTemplates", [])}
        if not EXPECTED_TEMPLATES.issubset(found):
            raise StepFailed(f"templates {sorted(found)}, expected {sorted(EXPECTED_TEMPLATES)}")
        return ", ".join(sorted(found))

    def resources() -> str:
        result = _call(inspector, target, era, "resources/list")
        return f"{len(result.get('resources', []))} static resources"

    def read(uri: str) -> Callable[[], str]:
        def action() -> str:
            result = _call(inspector, target, era, "resources/read", "--uri", uri)
            texts = [content.get("text", "") for content in result.get("contents", [])]
            if not texts or call_id not in texts[0]:
                raise StepFailed(f"{call_id} not in {str(result)[:300]}")
            fenced = "fenced call content" if "<<<call-data" in texts[0] else "no call content"
            return f"{len(texts[0])} chars, {fenced}"

        return action

    def prompts() -> str:
        result = _call(inspector, target, era, "prompts/list")
        found = {prompt["name"] for prompt in result.get("prompts", [])}
        if not EXPECTED_PROMPTS.issubset(found):
            raise StepFailed(f"prompts {sorted(found)}, expected {sorted(EXPECTED_PROMPTS)}")
        return ", ".join(sorted(found))

    def prompt(name: str, *pairs: str) -> Callable[[], str]:
        def action() -> str:
            args = ["--prompt-name", name, *(["--prompt-args", *pairs] if pairs else [])]
            result = _call(inspector, target, era, "prompts/get", *args)
            messages = result.get("messages", [])
            text = " ".join(message.get("content", {}).get("text", "") for message in messages)
            if not text.strip():
                raise StepFailed(f"no message text in {str(result)[:200]}")
            for pair in pairs:
                if pair.split("=", 1)[1] not in text:
                    raise StepFailed(f"argument {pair} not in the prompt text")
            return f"{len(messages)} message(s), {len(text)} chars"

        return action

    call_id = ids[0] if ids else UNKNOWN_CALL
    _step(run, phase, "tools/call get_log (unknown id)", tool_error)
    _step(run, phase, "resources/templates/list", templates)
    _step(run, phase, "resources/list", resources)
    _step(run, phase, "resources/read transcript", read(f"atoms://calls/{call_id}/transcript"))
    _step(run, phase, "resources/read call log", read(f"atoms://calls/{call_id}"))
    _step(run, phase, "prompts/list", prompts)
    _step(run, phase, "prompts/get debug_call", prompt("debug_call", f"call_id={call_id}"))
    _step(run, phase, "prompts/get triage_failed_calls", prompt("triage_failed_calls", "window=7d"))


def inspector_stdio(inspector: Inspector) -> Run:
    run = Run()
    for era in ERAS:
        phase = f"stdio {era}"
        for attempt in (1, 2):
            hour = datetime.now(UTC).strftime("%Y%m%d%H")
            trial = Run()
            inspector_session(inspector, trial, inspector.stdio_target(), era, phase, full=True)
            # The demo sandbox generates its calls up to the current UTC hour, and every CLI request starts
            # a new server: across an hour boundary the ids from list_logs no longer exist. Run it again.
            if trial.failed and datetime.now(UTC).strftime("%Y%m%d%H") != hour and attempt == 1:
                log(f"  (the demo data moved to a new hour during {phase}: running it again)")
                continue
            run.steps += trial.steps
            run.tools_called.update(trial.tools_called)
            break
    return run


# --- the HTTP server, a recording relay, the conformance suite ------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def http_server(python: str, env: dict[str, str], log_path: Path) -> Iterator[int]:
    port = _free_port()
    command = [python, "-m", "atoms_logs_mcp", "--demo", "--transport", "http", "--host", LOOPBACK, "--port", str(port)]
    with log_path.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)  # noqa: S603
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    output = log_path.read_text()
                    raise SystemExit(f"real_clients: the HTTP server exited ({process.returncode}):\n{output}")
                with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=1):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("real_clients: the HTTP server did not listen within 60 s")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


VERSION_PATTERNS = (
    ("client", "MCP-Protocol-Version header", re.compile(rb"(?im)^mcp-protocol-version:[ \t]*([0-9A-Za-z.-]+)")),
    ("client", "protocolVersion offered", re.compile(rb'"protocolVersion"\s*:\s*"([^"]{1,40})"')),
    ("server", "protocolVersion answered", re.compile(rb'"protocolVersion"\s*:\s*"([^"]{1,40})"')),
)


class Relay:
    """Forwards TCP bytes unchanged to the server and notes the protocol versions in them, so the report
    says which era a client really spoke rather than which one it should have."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.seen: Counter[str] = Counter()  # "label: version" -> connections where it appeared
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task[Any]] = set()

    def start(self) -> int:
        self.thread.start()
        started = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._connection, LOOPBACK, 0), self.loop)
        self.server = started.result(timeout=10)
        return int(self.server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def close() -> None:
            if self.server is not None:
                self.server.close()
            connections = list(self.connections)
            for task in connections:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def take(self) -> dict[str, int]:
        """What was seen since the last take; read on the relay's own thread, which is the only writer."""

        async def swap() -> dict[str, int]:
            seen, self.seen = dict(self.seen), Counter()
            return seen

        return asyncio.run_coroutine_threadsafe(swap(), self.loop).result(timeout=10)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.connections.add(task)  # a strong reference, as asyncio asks; stop() cancels what is left
        try:
            await self._relay(reader, writer)
        finally:
            writer.close()
            if task is not None:
                self.connections.discard(task)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(LOOPBACK, self.upstream)
        except OSError:
            return
        found: set[str] = set()
        pipes = {
            asyncio.create_task(self._pipe(reader, upstream_writer, "client", found)),
            asyncio.create_task(self._pipe(upstream_reader, writer, "server", found)),
        }
        try:
            # HTTP clients do not half-close: when either side is done, so is the connection.
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            upstream_writer.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, side: str, found: set[str]) -> None:
        tail = b""
        with contextlib.suppress(OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
                window = tail + data
                for pattern_side, label, pattern in VERSION_PATTERNS:
                    if pattern_side != side:
                        continue
                    for match in pattern.finditer(window):
                        key = f"{label}: {match.group(1).decode()}"
                        if key not in found:  # counted once per connection, as soon as it passes
                            found.add(key)
                            self.seen[key] += 1
                tail = window[-200:]


def conformance_scenarios(node: Path, tools: Path, env: dict[str, str]) -> dict[str, str]:
    """Scenario name -> the spec versions it is written for, as `conformance list --server` prints them."""
    done = subprocess.run(  # noqa: S603
        [str(node), str(tools / CONFORMANCE_BIN), "list", "--server"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s+- (\S+)(?: \[(.*)\])?$", line)
        if match:
            listed[match.group(1)] = match.group(2) or ""
    return listed


@dataclass
class Scenario:
    name: str
    spec: str
    outcome: str  # pass, fail, missing
    applies: str
    reason: str
    checks: dict[str, int]
    problems: list[str]


def conformance(node: Path, tools: Path, env: dict[str, str], url: str, out: Path) -> tuple[list[Scenario], str]:
    listed = conformance_scenarios(node, tools, env)
    command = [str(node), str(tools / CONFORMANCE_BIN), "server", "--url", url, "--suite", "all", "-o", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    (out / "conformance.stdout.txt").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    results: dict[str, list[dict[str, Any]]] = {}
    for checks_file in out.glob("server-*/checks.json"):
        match = re.fullmatch(r"server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z", checks_file.parent.name)
        if match:
            results[match.group(1)] = json.loads(checks_file.read_text())
    scenarios = []
    for name in sorted(set(listed) | set(results), key=lambda n: (SCENARIOS.get(n, (APPLIES,))[0] != APPLIES, n)):
        applies, reason = SCENARIOS.get(name, (APPLIES, "not classified by this script: treated as applying"))
        checks = results.get(name)
        if checks is None:
            scenarios.append(Scenario(name, listed.get(name, ""), "missing", applies, reason, {}, ["no result"]))
            continue
        statuses = Counter(str(check.get("status")) for check in checks)
        problems = [
            f"{check.get('status')} {check.get('id')}: {check.get('errorMessage')}"
            for check in checks
            if check.get("status") in ("FAILURE", "WARNING")
        ]
        outcome = "fail" if statuses.get("FAILURE") else "pass"
        scenarios.append(Scenario(name, listed.get(name, ""), outcome, applies, reason, dict(statuses), problems))
    return scenarios, done.stdout


# --- report --------------------------------------------------------------------------------------------


def print_conformance(scenarios: list[Scenario]) -> None:
    log("")
    log(f"{'scenario':<31} {'spec':<22} {'result':<8} {'applies?':<26} why")
    log("-" * 130)
    for scenario in scenarios:
        result = scenario.outcome if scenario.applies == APPLIES else f"({scenario.outcome})"
        log(f"{scenario.name:<31} {scenario.spec:<22} {result:<8} {scenario.applies:<26} {scenario.reason}")
        if scenario.applies == APPLIES and scenario.outcome != "pass":
            for problem in scenario.problems:
                log(f"{'':<31} ! {problem}")
        elif scenario.applies == APPLIES:
            for problem in scenario.problems:  # warnings of a passing scenario
                log(f"{'':<31}   {problem}")
    log("(result in brackets: recorded, not held against the server)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-dir", type=Path, default=Path(__file__).resolve().parent / ".node")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, conformance results)")
    args = parser.parse_args(argv)
    python = os.environ.get("PYTHON") or sys.executable
    if _run_quiet([python, "-c", "import atoms_logs_mcp; print(atoms_logs_mcp.__name__)"]) != "atoms_logs_mcp":
        raise SystemExit(f"real_clients: atoms_logs_mcp is not importable by {python}; set PYTHON to the venv python")
    timings: dict[str, float] = {}
    started = time.monotonic()

    node = ensure_node(args.node_dir)
    work = Path(tempfile.mkdtemp(prefix="real-clients-"))
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(node.parent), env.get("PATH", "")])
    # Keep the Inspector's catalog, client config, OAuth state and secrets out of the home folder.
    storage = work / "inspector-storage"
    storage.mkdir()
    env.update(
        MCP_STORAGE_DIR=str(storage),
        MCP_INSPECTOR_OAUTH_STATE_PATH=str(storage / "oauth.json"),
        MCP_CATALOG_PATH=str(storage / "mcp.json"),
        MCP_CLIENT_CONFIG_PATH=str(storage / "client.json"),
        MCP_INSPECTOR_SECRET_STORE="memory",  # noqa: S106 (the kind of store, not a secret)
        MCP_AUTO_OPEN_ENABLED="false",
    )
    tools = ensure_tools(args.node_dir, env)
    timings["install"] = round(time.monotonic() - started, 1)
    export_dir = work / "exports"
    export_dir.mkdir()
    inspector = Inspector(node, tools, env, python, export_dir)

    log(f"\nInspector CLI {INSPECTOR_VERSION} over stdio: {python} -m atoms_logs_mcp --demo")
    mark = time.monotonic()
    run = inspector_stdio(inspector)
    timings["inspector_stdio"] = round(time.monotonic() - mark, 1)

    log(f"\nHTTP transport: {python} -m atoms_logs_mcp --demo --transport http, behind a recording relay")
    mark = time.monotonic()
    # The server's settings come from the environment: leave out the caller's (an auth token, redaction, ...).
    server_env = {key: value for key, value in os.environ.items() if not key.startswith(("ATOMS_", "SMALLEST_"))}
    server_env["ATOMS_EXPORT_DIR"] = str(export_dir)
    with http_server(python, server_env, work / "http-server.log") as port:
        relay = Relay(port)
        relay_port = relay.start()
        url = f"http://{LOOPBACK}:{relay_port}/mcp"
        try:
            log(f"conformance {CONFORMANCE_VERSION} (all suites) against {url} (server port {port})")
            scenarios, _ = conformance(node, tools, env, url, work / "conformance")
            conformance_versions = relay.take()
            timings["conformance"] = round(time.monotonic() - mark, 1)
            print_conformance(scenarios)
            log(f"protocol versions seen by the relay during the suite (connections): {conformance_versions}")
            log(f"\nInspector CLI {INSPECTOR_VERSION} over HTTP: {url}")
            mark = time.monotonic()
            http_versions = {}
            for era in ERAS:
                target = ["--transport", "http", "--server-url", url]
                inspector_session(inspector, run, target, era, f"http {era}", full=False)
                http_versions[era] = relay.take()
            timings["inspector_http"] = round(time.monotonic() - mark, 1)
            log(f"protocol versions seen by the relay for the Inspector over HTTP: {http_versions}")
        finally:
            relay.stop()
    timings["total"] = round(time.monotonic() - started, 1)

    applicable_failures = [s.name for s in scenarios if s.applies == APPLIES and s.outcome != "pass"]
    ok = not run.failed and not applicable_failures
    log("")
    log(
        f"Inspector steps: {len(run.steps) - len(run.failed)} of {len(run.steps)} ok"
        + "".join(f"\n  FAILED {step.phase} {step.name}: {step.detail}" for step in run.failed)
    )
    counts = Counter((s.applies == APPLIES, s.outcome) for s in scenarios)
    log(
        f"Conformance: {counts[(True, 'pass')]} applicable scenarios passed, {len(applicable_failures)} failed"
        f"{' (' + ', '.join(applicable_failures) + ')' if applicable_failures else ''}; "
        f"{sum(n for (applies, _), n in counts.items() if not applies)} do not apply"
    )
    log(f"Timings (s): {timings}")
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"Work folder kept: {work}")
    summary = {
        "ok": ok,
        "python": python,
        "versions": {"node": NODE_VERSION, "inspector": INSPECTOR_VERSION, "conformance": CONFORMANCE_VERSION},
        "timings": timings,
        "inspector": {
            "steps": [asdict(step) for step in run.steps],
            "failed": len(run.failed),
            "tools_called": run.tools_called,
            "http_protocol_versions": http_versions,
        },
        "conformance": {
            "url_path": "/mcp",
            "protocol_versions": conformance_versions,
            "scenarios": [asdict(scenario) for scenario in scenarios],
            "applicable_failed": applicable_failures,
        },
    }
    log("REAL_CLIENTS_SUMMARY " + json.dumps(summary, separators=(",", ":")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
