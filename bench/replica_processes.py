"""What bench/replica.py runs in other processes: the account it measures, `atoms-logs-mcp sync`, and one question.

- `account(...)` writes, from a child process (so that the bench's own memory stays small: a child's ru_maxrss
  starts from its parent's), the held-out-like generator's account as a dataset file, the calls a later change puts
  (settled first attempts turned failed), and the windows of the newest 1k, 2k, 10k and all first attempts.
- `sync(...)` runs `atoms-logs-mcp sync` against the sandbox over loopback and times its two phases (the rows,
  then the details) by watching the sandbox's request counts.
- `ask(...)` answers one question through an in-memory MCP session in a fresh process, from the replica or from
  the API, and reports its wall time and peak memory.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from common import SandboxProcess
from mcp import Client

from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY
from atoms_logs_mcp.sandbox.data import generate

WINDOWS = (1_000, 2_000, 10_000)
"""Windows of the newest first attempts, besides the whole account."""
WORD = "appointment"
"""A word said in about one call in six of the generated transcripts."""
COVERAGE = re.compile(r"Read \d+ calls of \d+|\d+ calls match; |From the local replica")
"""The lines of an answer that say what it read and where from."""
QUIET = 3600.0
"""A sync interval no question reaches: the server answers from the replica as synced, with no request."""


# The account ------------------------------------------------------------------------------------------------------


def account(folder: Path, calls: int, changed: int, *, seed: int = 7, updated_at: bool = False) -> dict[str, Any]:
    """Write `account.json` and `changes.json` into `folder` (in a child process); the account's figures."""
    command = [sys.executable, __file__, "--child-account", str(folder), str(calls), str(changed), str(seed)]
    done = subprocess.run([*command, str(int(updated_at))], capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _account_child(folder: Path, calls: int, changed: int, seed: int, updated_at: bool) -> None:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    dataset = generate(calls=calls, seed=seed, end=end)
    dataset["serveUpdatedAt"] = updated_at
    firsts = sorted((c["createdAt"] for c in dataset["calls"] if not c.get("retryAttemptNumber")), reverse=True)
    settled = [
        c for c in dataset["calls"]
        if c["status"] in ("completed", "failed") and not c.get("retryAttemptNumber")
        and (c.get("postCallAnalytics") or {}).get("summary")
    ]  # fmt: skip
    changes = [copy.deepcopy(call) for call in settled[:changed]]
    for call in changes:
        call["status"], call["disconnectionReason"] = "failed", "system_error"
        call.pop("updatedAt", None)  # the sandbox stamps them now: newer than every other call
    (folder / "account.json").write_text(json.dumps(dataset), encoding="utf-8")
    (folder / "changes.json").write_text(json.dumps(changes), encoding="utf-8")
    windows = {str(size): firsts[size - 1] for size in WINDOWS if size < len(firsts)}
    windows["all"] = firsts[-1]
    figures = {
        "calls": len(dataset["calls"]),
        "firsts": len(firsts),
        "changed": len(changes),
        "until": (end + timedelta(hours=1)).isoformat(),
        "windows": windows,
    }
    print(json.dumps(figures))


# The sync ---------------------------------------------------------------------------------------------------------


def sync(sandbox: SandboxProcess, store: Path) -> dict[str, Any]:
    """`atoms-logs-mcp sync` once into `store`: wall time, rows and details phases, its CPU and peak memory, and the
    requests the sandbox saw."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ATOMS_", "SMALLEST_"))}
    env |= {"SMALLEST_API_KEY": DEFAULT_SANDBOX_KEY, "ATOMS_BASE_URL": sandbox.base_url, "ATOMS_STORE": str(store)}
    sandbox.reset()
    watch = _PhaseWatch(sandbox)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "atoms_logs_mcp", "sync"], env=env, stdout=out, stderr=err)
        watch.start()
        _, status, usage = os.wait4(process.pid, 0)  # the child's own CPU time and peak memory
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        watch.stop()
        out.seek(0)
        err.seek(0)
        printed = out.read()
        if process.returncode:
            raise SystemExit(f"sync failed ({process.returncode}): {printed}{err.read()[-2000:]}")
    stats = sandbox.control("GET", "/_sandbox/stats")
    requests = stats["requests"]
    details_from = watch.details_at or watch.ended_at
    return {
        "seconds": seconds,
        "rows_seconds": details_from - (watch.listing_at or details_from),
        "details_seconds": watch.ended_at - details_from,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_peak_kib": usage.ru_maxrss,
        "list_requests": requests.get("GET /conversation", 0),
        "detail_requests": requests.get("GET /conversation/{callId}", 0),
        "other_requests": sum(n for route, n in requests.items() if not route.startswith("GET /conversation")),
        "created_at_scans": stats["created_at_scans"],
        "printed": printed,
    }


class _PhaseWatch:
    """Reads the sandbox's request counts every `EVERY` s: when the first list and the first detail request came."""

    EVERY = 0.1

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.sandbox = sandbox
        self.listing_at: float | None = None
        self.details_at: float | None = None
        self.ended_at = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.ended_at = time.perf_counter()
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        while not self.done.wait(self.EVERY) and self.details_at is None:
            requests = self.sandbox.requests()
            now = time.perf_counter()
            if self.listing_at is None and requests.get("GET /conversation"):
                self.listing_at = now
            if requests.get("GET /conversation/{callId}"):
                self.details_at = now


def kept_details(printed: str) -> int:
    found = re.search(r"Details: (\d+) read and kept", printed)
    return int(found.group(1)) if found else 0


# One question -----------------------------------------------------------------------------------------------------


def settings_for(base_url: str, store: str, ceiling: int) -> Settings:
    """The server's settings: from the replica at `store` (synced, no pass due), or from the API (`store` off,
    no sync) with both ceilings at `ceiling`."""
    common: dict[str, Any] = {"api_key": DEFAULT_SANDBOX_KEY, "base_url": base_url, "timeout": 60, "deadline": 900}
    if store == "off":
        return Settings(**common, store="off", sync=False, scan_ceiling=ceiling, deep_ceiling=ceiling)
    return Settings(**common, store=store, sync=True, sync_interval=QUIET)


def ask(base_url: str, store: str, ceiling: int, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One question in a fresh process: wall time, CPU time, peak memory, and the lines saying what was read."""
    command = [sys.executable, __file__, "--child-ask", base_url, store, str(ceiling), tool, json.dumps(arguments)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{tool} failed: {done.stdout[-1000:]}{done.stderr[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


async def _answer(settings: Settings, tool: str, arguments: dict[str, Any]) -> str:
    async with Client(create_server(settings), cache=None) as client:
        result = await client.call_tool(tool, arguments)
    text = result.content[0].text  # type: ignore[union-attr]
    if result.is_error:
        raise SystemExit(f"{tool} answered an error: {text[:1000]}")
    return text  # type: ignore[no-any-return]


def _memory_kib(name: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in KiB, from /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(name + ":"))


def _ask_child(base_url: str, store: str, ceiling: int, tool: str, arguments: dict[str, Any]) -> None:
    settings = settings_for(base_url, store, ceiling)
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")  # reset the peak (VmHWM) to the current resident set
    before = _memory_kib("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    text = anyio.run(_answer, settings, tool, arguments)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    said = [line for line in text.splitlines() if COVERAGE.match(line)][:3]
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_before": before, "rss_peak": _memory_kib("VmHWM"),
                      "said": said}))  # fmt: skip


def main() -> int:
    if sys.argv[1:2] == ["--child-account"]:
        folder, calls, changed, seed, updated_at = sys.argv[2:7]
        _account_child(Path(folder), int(calls), int(changed), int(seed), updated_at == "1")
    elif sys.argv[1:2] == ["--child-ask"]:
        base_url, store, ceiling, tool, arguments = sys.argv[2:7]
        _ask_child(base_url, store, int(ceiling), tool, json.loads(arguments))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
