"""The team server under load and faults, as deployed: nginx (deploy/nginx.conf) in front of 3 replicas sharing one
PostgreSQL, two keys each with its own account in the sandbox (scripts/team_cluster.py), 100 MCP clients making
20 tool calls each (scripts/team_load.py).

- With nothing broken, no call fails and no key ever sees the other's calls (search included).
- A replica killed (SIGKILL) mid-run: no call fails that had not begun its answer (nginx sends it to another
  replica); the calls cut mid-answer are counted and published.
- PostgreSQL restarted mid-run: the tools keep answering (from the API, saying so once) and read the replica again.
- A replica given SIGTERM under load: what it holds finishes, and no call fails.
- An unknown key gets the API's 401 named as such; a request without a key gets our 401.

The in-flight limit is set above the client count here; the limit itself is tested in tests/test_team_server.py.
The figures go to docs/RELIABILITY.md's merge (record_figure); bench/team_load.py measures throughput and latency
with 1 and 3 replicas side by side for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest

from conftest import GENERATED_END, free_port, record_figure

pytestmark = [pytest.mark.heavy, pytest.mark.anyio, pytest.mark.timeout(1800)]

ROOT = Path(__file__).parents[1]
KEY_A = "sk_team_alpha_" + "a1" * 16
KEY_B = "sk_team_bravo_" + "b2" * 16
CLIENTS, CALLS = 100, 20
BREAK_AT = 0.3
"""Share of the run's calls done when the fault is made."""


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


team_load = _script("team_load")
local_postgres = _script("local_postgres")


def cluster_command(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "team_cluster.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, generated_dataset, round3_dataset) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tenants")
    files = {KEY_A: folder / "alpha.json", KEY_B: folder / "bravo.json"}
    files[KEY_A].write_text(json.dumps(generated_dataset))
    files[KEY_B].write_text(json.dumps(round3_dataset))
    return files


@pytest.fixture(scope="module")
def tenants(datasets) -> list[Any]:
    found = [team_load.tenant_from(f"{key}={path}") for key, path in datasets.items()]
    assert not set(found[0].call_ids) & set(found[1].call_ids)  # two accounts, no call in common
    return found


@pytest.fixture(scope="module")
def cluster(datasets, tenants) -> Iterator[dict[str, Any]]:
    # Outside pytest's temporary tree: PostgreSQL runs as another user, and any pytest session that starts on the
    # machine makes that tree private again, which would lock PostgreSQL out of its folder before a restart.
    folder = Path(tempfile.mkdtemp(prefix="atoms-team-cluster-"))
    info = cluster_command(
        "up",
        "--replicas",
        "3",
        "--port",
        str(free_port()),
        "--dir",
        str(folder / "run"),
        *[f"--sandbox-tenant={key}={path}" for key, path in datasets.items()],
        f"--env=ATOMS_NOW={GENERATED_END.isoformat()}",
        f"--env=ATOMS_KEY_MAX_IN_FLIGHT={CLIENTS * 2}",
        "--env=ATOMS_SYNC_INTERVAL=5",
        # While PostgreSQL restarts, 100 clients' investigations read every call's detail from the one sandbox on a
        # machine of 2 cores: slower than the default 45 s. The deadline itself is tested in test_team_server.py.
        "--env=ATOMS_DEADLINE=120",
    )
    try:
        anyio.run(_until_replicated, info["url"], tenants)
        yield info
    finally:
        cluster_command("down", "--dir", info["dir"], "--keep-files")
        _logs_hold_no_key(Path(info["dir"]))
        shutil.rmtree(folder, ignore_errors=True)


async def _until_replicated(url: str, tenants: list[Any]) -> None:
    """Each key's first requests start its sync on one replica; wait until its answers come from the replica."""
    with anyio.fail_after(240):
        for tenant in tenants:
            while True:
                tally = await team_load.run_load(url, [tenant], 1, 1, plan=[("summarize_logs", {"since": "30d"})])
                answers = tally.answers.get(tenant.key, [])
                if answers and "From the local replica" in answers[0] and "still being fetched" not in answers[0]:
                    break
                await anyio.sleep(2)


def _logs_hold_no_key(folder: Path) -> None:
    """The replicas' and nginx's logs (the sandbox, a stand-in for the Atoms API, prints the keys it accepts)."""
    for log in [*folder.glob("replica-*.log"), *folder.glob("nginx*.log"), *folder.glob("postgres/*.log")]:
        text = log.read_text(errors="replace")
        assert KEY_A not in text and KEY_B not in text, log


def _replica_pid(cluster: dict[str, Any], index: int) -> int:
    return int(cluster["pids"]["replicas"][index])


def _restore(cluster: dict[str, Any], index: int) -> None:
    cluster.update(cluster_command("restart-replica", "--dir", cluster["dir"], "--index", str(index)))


async def _load(cluster: dict[str, Any], tenants: list[Any], at_break=None) -> Any:
    """The run, with `at_break()` called once when BREAK_AT of its calls are done."""
    broken = [False]

    async def after_each(tally: Any) -> None:
        if at_break and not broken[0] and tally.done >= BREAK_AT * CLIENTS * CALLS:
            broken[0] = True
            await anyio.to_thread.run_sync(at_break)

    tally = await team_load.run_load(cluster["url"], tenants, CLIENTS, CALLS, after_each)
    assert tally.done == CLIENTS * CALLS and (broken[0] or at_break is None)
    return tally


async def test_100_clients_of_two_keys_across_3_replicas_fail_no_call_and_never_see_each_others_calls(cluster, tenants):
    tally = await _load(cluster, tenants)
    summary = tally.summary()
    assert tally.failed_before_answer == [] and tally.cut_mid_answer == []
    assert tally.tool_errors == []
    assert not [text for texts in tally.answers.values() for text in texts if "call store" in text]
    assert team_load.foreign_ids(tally, tenants) == {KEY_A: set(), KEY_B: set()}
    searched = {key: [text for text in texts if "match" in text] for key, texts in tally.answers.items()}
    assert all(searched.values())  # search_transcripts answered for both keys, and stayed within each
    record_figure("team_load_3_replicas", clients=CLIENTS, calls_each=CALLS, **summary)
    print("team load, 3 replicas:", summary)


async def test_a_replica_killed_mid_run_fails_no_call_that_had_not_begun_its_answer(cluster, tenants):
    victim = _replica_pid(cluster, 0)
    try:
        tally = await _load(cluster, tenants, lambda: os.kill(victim, signal.SIGKILL))
    finally:
        _restore(cluster, 0)
    assert tally.failed_before_answer == []
    assert len(tally.cut_mid_answer) <= CLIENTS  # at most the calls the killed replica held
    assert tally.tool_errors == []
    record_figure("team_replica_killed", calls=tally.done, cut_mid_answer=len(tally.cut_mid_answer))
    print("a replica killed mid-run:", tally.summary(), tally.cut_mid_answer[:3])


async def test_postgresql_restarted_mid_run_keeps_the_tools_answering_then_the_replica_is_read_again(cluster, tenants):
    postgres = local_postgres.at(Path(cluster["dir"]) / "postgres")
    tally = await _load(cluster, tenants, postgres.restart)
    assert tally.failed_before_answer == [] and tally.cut_mid_answer == [], tally.summary()
    assert tally.tool_errors == [], sorted(set(tally.tool_errors))[:5]
    await anyio.sleep(6)  # the store's cool-down after a failure
    after = await team_load.run_load(cluster["url"], tenants[:1], 1, 1, plan=[("summarize_logs", {"since": "30d"})])
    assert "From the local replica" in after.answers[KEY_A][0]
    noticed = sum("call store" in text for texts in tally.answers.values() for text in texts)
    record_figure("team_postgres_restart", calls=tally.done, answers_with_store_notice=noticed)
    print("PostgreSQL restarted mid-run:", tally.summary(), "answers with the store notice:", noticed)


async def test_a_replica_given_sigterm_under_load_finishes_what_it_holds(cluster, tenants):
    victim = _replica_pid(cluster, 1)
    try:
        tally = await _load(cluster, tenants, lambda: os.kill(victim, signal.SIGTERM))
    finally:
        _restore(cluster, 1)
    assert tally.failed_before_answer == [] and tally.cut_mid_answer == [] and tally.tool_errors == []
    print("a replica given SIGTERM mid-run:", tally.summary())


async def test_an_unknown_key_gets_the_apis_401_and_no_key_gets_ours(cluster, tenants):
    stranger = team_load.Tenant("sk_team_unknown_" + "c3" * 16, tenants[0].call_ids)
    tally = await team_load.run_load(cluster["url"], [stranger], 1, 1, plan=[("list_logs", {"limit": 1})])
    assert tally.tool_errors and "rejected the API key this request sent (HTTP 401)" in tally.tool_errors[0]
    async with httpx.AsyncClient(timeout=10) as http:
        missing = await http.post(
            cluster["url"],
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Accept": "application/json, text/event-stream", "Content-Type": "application/json"},
        )
    assert missing.status_code == 401 and "your own Atoms API key" in missing.json()["message"]
