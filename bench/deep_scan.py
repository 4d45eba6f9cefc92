"""Deep scan and call store: opening every call of a window, repeats from the store, transcript search at scale.

python bench/deep_scan.py [--quick]

Each measurement runs in a fresh process (`--child`), so a repeat "after a restart" is one and peak RSS is the
scan's own. The sandbox runs in its own process with latency added to every request.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from common import BENCH, SandboxProcess, Section

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.api.query import LogQuery
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.domain.calls import CallReader
from atoms_logs_mcp.domain.deep_scan import DeepScan, deep_scan
from atoms_logs_mcp.domain.scan import Scan
from atoms_logs_mcp.domain.transcript_hits import TranscriptHits
from atoms_logs_mcp.domain.transcript_search import TextQuery
from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY
from atoms_logs_mcp.store.call_store import CallStore

LATENCY_MS = 100
CONCURRENCY = 8
SEARCH_COPIES = 10
REPEATS = 3
SEARCH_REPEATS = 9
QUERY = "refund"


async def _scan(base_url: str, store_path: str, calls: int, concurrency: int, rounds: int) -> list[dict[str, Any]]:
    settings = Settings(api_key=DEFAULT_SANDBOX_KEY, base_url=base_url, timeout=60, deadline=600, sync=False)
    store = CallStore.open(Path(store_path), 10**10) if store_path != "off" else CallStore.off()
    results = []
    async with AtomsClient(settings) as client:
        reader = CallReader(client, store)
        for _ in range(rounds):
            started = time.perf_counter()
            scan = await deep_scan(reader, LogQuery(where={"attempt": "all"}), ceiling=calls, concurrency=concurrency)
            finished = scan.fetched - scan.unsettled
            results.append({"seconds": time.perf_counter() - started, "read": scan.read, "finished_fetched": finished})
    store.close()
    return results


def child(arguments: list[str]) -> None:
    """Runs in its own process: prints one JSON line."""
    kind, *rest = arguments
    if kind == "scan":
        base_url, store_path, calls, concurrency, rounds = rest
        rounds_ = anyio.run(_scan, base_url, store_path, int(calls), int(concurrency), int(rounds))
        output: dict[str, Any] = {"rounds": rounds_}
    else:
        output = {"search": _search(Path(rest[0]))}
    output["max_rss_mb"] = _peak_rss_mb()
    print(json.dumps(output))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM counts from exec; getrusage's ru_maxrss also counts the
    parent's size at fork (before exec), which made this figure grow with whatever ran before in bench/run_all.py."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _search(path: Path) -> dict[str, Any]:
    """Time one transcript search over every call in the store, as search_transcripts runs it once the window is
    listed: which calls are stored, the full-text query with its exact check, the matching calls' digests."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        org = db.execute("SELECT org FROM calls GROUP BY org ORDER BY count(*) DESC").fetchone()[0]
        call_ids = [row[0] for row in db.execute("SELECT call_id FROM calls WHERE org = ?", (org,))]
    store = CallStore.open(path, 10**10)

    client = AtomsClient(Settings(api_key=DEFAULT_SANDBOX_KEY))  # settings only: no request is made

    class Reader(CallReader):  # the store, the organisation and the settings
        def __init__(self) -> None:
            self.store, self._key, self._client = store, org, client

    times, matched = [], 0
    for _ in range(SEARCH_REPEATS):
        started = time.perf_counter()
        listing = Scan(total=len(call_ids), target=len(call_ids), read=len(call_ids))
        scan = DeepScan(listing, order=call_ids, from_store=len(store.stored_ids(org, call_ids)))
        hits = TranscriptHits(TextQuery.parse(QUERY)).collect(Reader(), scan)
        times.append(time.perf_counter() - started)
        matched = len(hits)
    return {"calls": len(call_ids), "median": statistics.median(times), "times": times, "matched": matched}


def _copy(path: Path, copies: int) -> None:
    """Make the store `copies` times larger: the same calls under new ids (and their turns, indexed)."""
    with sqlite3.connect(path) as db:
        for k in range(1, copies):
            db.execute(
                "INSERT INTO calls (org, call_id, created, status, agent_id, agent_name, detail, digest, size, "
                "read_at) SELECT org, call_id || ?, created, status, agent_id, agent_name, detail, digest, size, "
                "read_at FROM calls WHERE call_id NOT LIKE '%~%'",
                (f"~{k}",),
            )
            db.execute(
                "INSERT INTO turns (org, call_id, idx, role, at, content) SELECT org, call_id || ?, idx, role, at, "
                "content FROM turns WHERE call_id NOT LIKE '%~%'",
                (f"~{k}",),
            )


def _run_child(*arguments: str) -> dict[str, Any]:
    command = [sys.executable, str(BENCH / "deep_scan.py"), "--child", *arguments]
    out = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if out.returncode:
        raise SystemExit(f"{' '.join(arguments[:1])} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _most(rounds: list[dict[str, Any]], key: str) -> str:
    return str(max(r[key] for r in rounds))


def _median(rounds: list[dict[str, Any]]) -> str:
    times = [r["seconds"] for r in rounds]
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def run(quick: bool = False) -> Section:
    calls, side_by_side = (60, 16) if quick else (2000, 300)
    latency = 10 if quick else LATENCY_MS
    with tempfile.TemporaryDirectory() as folder, SandboxProcess(calls=calls, latency_ms=latency) as sandbox:
        store = str(Path(folder) / "calls.sqlite3")
        cold = _run_child("scan", sandbox.base_url, store, str(calls), str(CONCURRENCY), str(1 + REPEATS))
        restart = _run_child("scan", sandbox.base_url, store, str(calls), str(CONCURRENCY), str(REPEATS))
        one = _run_child("scan", sandbox.base_url, "off", str(side_by_side), "1", "1")
        many = _run_child("scan", sandbox.base_url, "off", str(side_by_side), str(CONCURRENCY), "1")
        _copy(Path(store), SEARCH_COPIES)
        search = _run_child("search", store)["search"]
    first, *again = cold["rounds"]
    after = restart["rounds"]
    ideal = first["read"] * latency / 1000 / CONCURRENCY
    table = [
        ["measure", "figure", "bound asked"],
        [f"deep scan of {first['read']} calls, {latency} ms added", f"{first['seconds']:.1f} s", ""],
        ["calls fetched in the first scan (empty store)", str(first["finished_fetched"]), ""],
        [f"ideal bound {first['read']} x {latency / 1000:g} s / {CONCURRENCY}", f"{ideal:.1f} s", ""],
        ["scan / ideal bound", f"{first['seconds'] / ideal:.2f}x", "<= 1.3x"],
        [
            f"one at a time / {CONCURRENCY} at a time ({side_by_side} calls, same run)",
            f"{one['rounds'][0]['seconds'] / many['rounds'][0]['seconds']:.1f}x "
            f"({one['rounds'][0]['seconds']:.1f} s vs {many['rounds'][0]['seconds']:.1f} s)",
            ">= 5x",
        ],
        ["repeats in the same process: detail requests for finished calls", _most(again, "finished_fetched"), "0"],
        [f"repeats in the same process: wall time (median of {REPEATS})", _median(again), "<= 1 s"],
        ["after a restart (new process): detail requests for finished calls", _most(after, "finished_fetched"), "0"],
        [f"after a restart: wall time (median of {REPEATS})", _median(after), "<= 1 s"],
        ["peak RSS of the scanning process", f"{cold['max_rss_mb']:.0f} MB", "<= 200 MB"],
        [
            f"search_transcripts core over {search['calls']} stored calls ({search['matched']} match {QUERY!r})",
            f"{search['median']:.3f} s (median of {SEARCH_REPEATS}; "
            f"{min(search['times']):.3f}–{max(search['times']):.3f})",
            "<= 0.5 s",
        ],
    ]
    method = (
        f"The sandbox in its own process serves {calls} generated calls with {latency} ms added to every request. "
        f"A fresh process runs `deep_scan` (the code behind search_transcripts and analyze_calls) over the whole "
        f"window at concurrency {CONCURRENCY} with an empty store, then {REPEATS} more times in the same process; a "
        f"second fresh process runs it {REPEATS} times on the same store file (a restart). Detail requests are the "
        "calls the scan had to fetch (the calls still in progress are always fetched; the generated data has a few). "
        f"One at a time and {CONCURRENCY} at a time are measured side by side on the same {side_by_side} calls "
        "without a store. "
        f"The search row copies the stored calls {SEARCH_COPIES} times under new ids (turns indexed again) and "
        "times what search_transcripts does once the window is listed: which of its calls are stored, the full-text "
        "query with its exact check and the turn before each match, and what the answer shows of each matching call."
    )
    notes = ["The list pages of a 20,000-call window are not in the search row: they cost what list_logs costs."]
    return Section("Deep scan and call store", method, table, notes)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 calls, 10 ms")
    args = parser.parse_args()
    print(run(args.quick).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
