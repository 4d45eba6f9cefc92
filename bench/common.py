"""What the benchmarks share: the sandbox in its own process, our server over stdio, figures and tables."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from mcp import StdioServerParameters

from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY

BENCH = Path(__file__).resolve().parent


class SandboxProcess:
    """`atoms-logs-mcp sandbox` on a free loopback port, in its own process (no GIL shared with the client)."""

    def __init__(
        self,
        calls: int,
        *,
        seed: int = 7,
        latency_ms: float = 0,
        live_speed: float = 1,
        data: Path | None = None,
        options: Sequence[str] = (),
    ) -> None:
        """`options`: more command-line options of `atoms-logs-mcp sandbox` (`--large-account`, ...)."""
        source = ["--data", str(data)] if data else ["--calls", str(calls), "--seed", str(seed)]
        self.args = [*source, "--latency-ms", str(latency_ms), "--live-speed", str(live_speed), *options]

    def __enter__(self) -> Self:
        command = [sys.executable, "-m", "atoms_logs_mcp", "sandbox", "--port", "0", *self.args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        assert self.process.stdout is not None
        for line in iter(self.process.stdout.readline, ""):  # it prints the base URL once it listens
            if "ATOMS_BASE_URL=" in line:
                self.base_url = line.split("=", 1)[1].strip()
                self.root = self.base_url.removesuffix("/atoms/v1")
                return self
        raise SystemExit(f"the sandbox did not start (exit status {self.process.wait()})")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()  # type: ignore[union-attr]

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.root + path, data=data, method=method)  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own loopback sandbox
            return json.loads(response.read())

    def requests(self) -> dict[str, int]:
        """Requests per API route since the last reset."""
        return self.control("GET", "/_sandbox/stats")["requests"]  # type: ignore[no-any-return]

    def reset(self) -> None:
        self.control("POST", "/_sandbox/stats/reset", {})


def our_server(base_url: str) -> StdioServerParameters:
    """`python -m atoms_logs_mcp` over stdio, with the sandbox's key, as a host would start it. The call store is
    off: these benchmarks measure the server and its in-memory cache (deep_scan.py measures the store), and calls
    stored by an earlier run would answer some reads without a request."""
    env = {"SMALLEST_API_KEY": DEFAULT_SANDBOX_KEY, "ATOMS_BASE_URL": base_url, "ATOMS_STORE": "off"}
    return StdioServerParameters(command=sys.executable, args=["-m", "atoms_logs_mcp"], env=env)


def never_retried(row: dict[str, Any]) -> bool:
    """A list row of a call with no retry family: get_log then reads the call and nothing else."""
    return not (row.get("retryCount") or row.get("retryAttemptNumber") or row.get("retryCallId"))


def api_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEFAULT_SANDBOX_KEY}"}


def spread(values: Sequence[float], unit: str = "", digits: int = 2) -> str:
    """`median (min-max)` of repeated measurements (an en dash between min and max)."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f}{unit} ({low:.{digits}f}–{high:.{digits}f})"


def ratios(top: Sequence[float], bottom: Sequence[float]) -> list[float]:
    """Ratios of paired measurements, taken side by side in one run."""
    return [a / b for a, b in zip(top, bottom, strict=True)]


@dataclass
class Section:
    """One benchmark's result: a title, how it was measured, a table (header row first) and notes."""

    title: str
    method: str
    table: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.method, "", table_markdown(self.table)]
        for note in self.notes:
            lines += ["", note]
        return "\n".join(lines) + "\n"


def table_markdown(table: Sequence[Sequence[str]]) -> str:
    """A markdown table (header row first; the first column left-aligned, the others right-aligned)."""
    header, *rows = table
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
