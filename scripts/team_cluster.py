"""The team server on one machine without Docker, for tests and benchmarks: PostgreSQL, N replicas, nginx.

    python scripts/team_cluster.py up --replicas N --port P [--sandbox-tenant KEY=DATAFILE ...] [--env NAME=VALUE ...]
        [--dir DIR]
    python scripts/team_cluster.py add-replica --dir DIR          # one more replica, put behind nginx
    python scripts/team_cluster.py restart-replica --dir DIR --index I   # stopped (if running) and started again
    python scripts/team_cluster.py down --dir DIR [--keep-files]

`up` starts, from Debian's `postgresql` and `nginx` packages, a PostgreSQL in DIR/postgres (scripts/local_postgres.py:
as the `postgres` user when root), with `--sandbox-tenant` a sandbox serving each key its own dataset
(`atoms-logs-mcp sandbox --tenant`) on a free loopback port, N replicas (`atoms-logs-mcp serve --transport http
--auth-mode passthrough` on free loopback ports, ATOMS_STORE the PostgreSQL URL, ATOMS_BASE_URL the sandbox when
there is one, then each `--env`), and nginx on 127.0.0.1:P with deploy/nginx.conf (the same file compose uses).
Every child runs detached in its own session and logs to a file in DIR. Once each part answers (a replica
`GET /healthz`, nginx the same through it) `up` prints one JSON line and returns:

    {"url": "http://127.0.0.1:P/mcp", "dir": DIR, "pids": {"postgres": ..., "nginx": ..., "replicas": [...],
     "sandbox": ... or null}, "ports": {"replicas": [...], "sandbox": ... or null}, "sandbox_url": ... or null}

`add-replica` and `restart-replica` print the same line, updated. `down` sends SIGTERM to every process (nginx,
replicas, sandbox), SIGKILL after a grace period to any left, stops PostgreSQL, and removes DIR unless
`--keep-files`. DIR/cluster.json holds what `down` needs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import local_postgres  # a sibling script

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
STATE = "cluster.json"
START_TIMEOUT_S = 60.0
STOP_GRACE_S = 60.0
"""SIGTERM, then this long for a replica to finish what it holds (at least ATOMS_DEADLINE), then SIGKILL."""
INHERITED_PREFIXES = ("ATOMS_", "SMALLEST_")
"""Variables of ours not passed on from the caller's environment: a replica's settings are only those given here."""


# nginx's configuration -----------------------------------------------------------------------------------


def render_nginx(template: str, listen: str, replicas: list[str]) -> str:
    """deploy/nginx.conf with its variables filled in: ${ATOMS_LISTEN}, and each line naming ${ATOMS_REPLICA}
    repeated once per replica address (compose's nginx image fills in the same two)."""
    lines = []
    for line in template.splitlines():
        if "${ATOMS_REPLICA}" in line:
            lines += [line.replace("${ATOMS_REPLICA}", address) for address in replicas]
        else:
            lines.append(line.replace("${ATOMS_LISTEN}", listen))
    rendered = "\n".join(lines) + "\n"
    if left := re.findall(r"\$\{ATOMS_\w+\}", rendered):
        raise ValueError(f"deploy/nginx.conf has variables nothing fills in: {sorted(set(left))}")
    return rendered


def nginx_main_config(folder: Path) -> str:
    """The process around deploy/nginx.conf: pid, logs and temporary files in `folder`, workers unprivileged."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / 'nginx-temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 2;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'nginx-error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"    access_log {folder / 'nginx-access.log'};\n{temp}\n"
        f"    include {folder / 'atoms.conf'};\n"
        "}\n"
    )


def write_nginx_config(folder: Path, port: int, replica_ports: list[int]) -> Path:
    """DIR/atoms.conf (deploy/nginx.conf rendered) and DIR/nginx.conf (the process around it); the latter's path."""
    (folder / "nginx-temp").mkdir(exist_ok=True)
    addresses = [f"127.0.0.1:{p}" for p in replica_ports]
    (folder / "atoms.conf").write_text(render_nginx(NGINX_CONF.read_text(), f"127.0.0.1:{port}", addresses))
    main = folder / "nginx.conf"
    main.write_text(nginx_main_config(folder))
    return main


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    return found


def nginx(folder: Path, *args: str) -> None:
    """Run nginx on the configuration in `folder` (`-t` tests it, `-s reload` reloads it, nothing starts it)."""
    command = [
        nginx_binary(),
        "-p",
        str(folder),
        "-c",
        str(folder / "nginx.conf"),
        "-e",
        str(folder / "nginx-error.log"),
    ]
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=False)  # noqa: S603 - our own
    if done.returncode != 0:
        raise RuntimeError(f"nginx {' '.join(args)} failed: {done.stderr.strip()}")


# Processes ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(command: list[str], log: Path, env: dict[str, str]) -> int:
    """A detached child (its own session: it outlives us and a signal to its group reaches all of it)."""
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command lines
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env, start_new_session=True, cwd=log.parent
        )
    return process.pid


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def stop(pids: list[int], grace: float) -> None:
    """SIGTERM to each process group, SIGKILL after `grace` seconds to those still running."""
    for pid in pids:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        if alive(pid):
            _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def _signal_group(pid: int, number: signal.Signals) -> None:
    try:
        os.killpg(pid, number)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, number)


def wait_until_answers(url: str, pid: int | None, log: Path, what: str) -> None:
    """Until GET `url` answers 200 (`pid`, when given, must keep running meanwhile)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own loopback URL
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if (pid is not None and not alive(pid)) or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not answer {url}:\n{tail}")
        time.sleep(0.1)


# The parts ----------------------------------------------------------------------------------------------


def start_sandbox(folder: Path, tenants: list[str]) -> tuple[int, int]:
    port = free_port()
    given = [spec.partition("=") for spec in tenants]  # the data files' paths made absolute: the sandbox runs in DIR
    tenant_args = [arg for key, _, path in given for arg in ("--tenant", f"{key}={Path(path).resolve()}")]
    command = [sys.executable, "-m", "atoms_logs_mcp", "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    log = folder / "sandbox.log"
    pid = spawn([*command, *tenant_args], log, _base_env())
    wait_until_answers(f"http://127.0.0.1:{port}/_sandbox/stats", pid, log, "the sandbox")
    return pid, port


def replica_env(state: dict[str, Any]) -> dict[str, str]:
    env = {**_base_env(), "ATOMS_STORE": state["postgres_url"]}
    if state["ports"]["sandbox"]:
        env["ATOMS_BASE_URL"] = f"http://127.0.0.1:{state['ports']['sandbox']}/atoms/v1"
    return {**env, **state["env"]}


def start_replica(folder: Path, state: dict[str, Any], index: int, port: int) -> int:
    command = [sys.executable, "-m", "atoms_logs_mcp", "serve", "--transport", "http", "--auth-mode", "passthrough"]
    log = folder / f"replica-{index}.log"
    pid = spawn([*command, "--host", "127.0.0.1", "--port", str(port)], log, replica_env(state))
    wait_until_answers(f"http://127.0.0.1:{port}/healthz", pid, log, f"replica {index}")
    return pid


def start_nginx(folder: Path, port: int, replica_ports: list[int]) -> int:
    """nginx started (it puts itself in the background and returns): its master's pid, once it wrote it."""
    write_nginx_config(folder, port, replica_ports)
    nginx(folder, "-t")
    nginx(folder)
    pid_file, deadline = folder / "nginx.pid", time.monotonic() + START_TIMEOUT_S
    while not (pid_file.exists() and pid_file.read_text().strip()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nginx wrote no pid file: {(folder / 'nginx-error.log').read_text(errors='replace')}")
        time.sleep(0.05)
    return int(pid_file.read_text().split()[0])


def _base_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith(INHERITED_PREFIXES)}


# Commands -----------------------------------------------------------------------------------------------


def up(folder: Path, replicas: int, port: int, tenants: list[str], env: dict[str, str]) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    state: dict[str, Any] = {
        "url": f"http://127.0.0.1:{port}/mcp",
        "dir": str(folder),
        "port": port,
        "env": env,
        "pids": {"postgres": None, "nginx": None, "replicas": [], "sandbox": None},
        "ports": {"replicas": [], "sandbox": None},
        "sandbox_url": None,
    }
    try:
        database = local_postgres.up(folder / "postgres")
        state["postgres_url"], state["pids"]["postgres"] = database.url, database.pid()
        _save(folder, state)
        if tenants:
            state["pids"]["sandbox"], state["ports"]["sandbox"] = start_sandbox(folder, tenants)
            state["sandbox_url"] = f"http://127.0.0.1:{state['ports']['sandbox']}"
            _save(folder, state)
        for _ in range(replicas):
            _add_replica(folder, state)
        state["pids"]["nginx"] = start_nginx(folder, port, state["ports"]["replicas"])
        _save(folder, state)
        wait_until_answers(
            f"http://127.0.0.1:{port}/healthz", state["pids"]["nginx"], folder / "nginx-error.log", "nginx"
        )
    except BaseException:
        down(folder, keep_files=True)
        raise
    return state


def _add_replica(folder: Path, state: dict[str, Any]) -> None:
    index, port = len(state["ports"]["replicas"]), free_port()
    state["ports"]["replicas"].append(port)
    state["pids"]["replicas"].append(None)
    _save(folder, state)
    state["pids"]["replicas"][index] = start_replica(folder, state, index, port)
    _save(folder, state)


def add_replica(folder: Path) -> dict[str, Any]:
    """One more replica, and nginx reloaded with it in its upstream."""
    state = _load(folder)
    _add_replica(folder, state)
    write_nginx_config(folder, state["port"], state["ports"]["replicas"])
    nginx(folder, "-s", "reload")
    return state


def restart_replica(folder: Path, index: int, grace: float) -> dict[str, Any]:
    """Replica `index` stopped (if running) and started again on its port, with the same settings."""
    state = _load(folder)
    if pid := state["pids"]["replicas"][index]:
        stop([pid], grace)
    state["pids"]["replicas"][index] = start_replica(folder, state, index, state["ports"]["replicas"][index])
    _save(folder, state)
    return state


def down(folder: Path, *, keep_files: bool = False, grace: float = STOP_GRACE_S) -> None:
    state = _load(folder) if (folder / STATE).exists() else {"pids": {}}
    pids = state["pids"]
    stop([pid for pid in (pids.get("nginx"), *pids.get("replicas", []), pids.get("sandbox")) if pid], grace)
    local_postgres.down(folder / "postgres")
    if not keep_files:
        shutil.rmtree(folder, ignore_errors=True)


def _save(folder: Path, state: dict[str, Any]) -> None:
    (folder / STATE).write_text(json.dumps(state, indent=2))


def _load(folder: Path) -> dict[str, Any]:
    return json.loads((folder / STATE).read_text())  # type: ignore[no-any-return]


def _shown(state: dict[str, Any]) -> str:
    keys = ("url", "dir", "pids", "ports", "sandbox_url")
    return json.dumps({key: state[key] for key in keys})


def _pair(text: str) -> tuple[str, str]:
    name, sign, value = text.partition("=")
    if not sign or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", allow_abbrev=False)
    start.add_argument("--replicas", type=int, default=2)
    start.add_argument("--port", type=int, required=True, help="nginx's port on 127.0.0.1")
    start.add_argument("--sandbox-tenant", action="append", default=[], metavar="KEY=DATAFILE")
    start.add_argument("--env", action="append", default=[], type=_pair, metavar="NAME=VALUE", help="for the replicas")
    start.add_argument("--dir", type=Path, help="the cluster's folder (default: a new temporary one)")
    more = commands.add_parser("add-replica", allow_abbrev=False)
    more.add_argument("--dir", type=Path, required=True)
    again = commands.add_parser("restart-replica", allow_abbrev=False)
    again.add_argument("--dir", type=Path, required=True)
    again.add_argument("--index", type=int, required=True)
    again.add_argument("--grace", type=float, default=STOP_GRACE_S)
    end = commands.add_parser("down", allow_abbrev=False)
    end.add_argument("--dir", type=Path, required=True)
    end.add_argument("--keep-files", action="store_true")
    end.add_argument("--grace", type=float, default=STOP_GRACE_S)
    return parser


def main() -> None:
    arguments = _parser().parse_args()
    if arguments.command == "up":
        folder = (arguments.dir or Path(tempfile.mkdtemp(prefix="atoms-cluster-"))).resolve()
        print(_shown(up(folder, arguments.replicas, arguments.port, arguments.sandbox_tenant, dict(arguments.env))))
    elif arguments.command == "add-replica":
        print(_shown(add_replica(arguments.dir.resolve())))
    elif arguments.command == "restart-replica":
        print(_shown(restart_replica(arguments.dir.resolve(), arguments.index, arguments.grace)))
    else:
        down(arguments.dir.resolve(), keep_files=arguments.keep_files, grace=arguments.grace)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
