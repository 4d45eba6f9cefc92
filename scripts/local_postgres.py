"""A throwaway PostgreSQL in a folder, from Debian's `postgresql` package, for tests and scripts/team_cluster.py.

PostgreSQL refuses to run as root, and CI runs as root: when we are root the server runs as the package's
`postgres` user, which then owns the data folder. It listens on 127.0.0.1 only, with `trust` authentication (the
folder is private and the server is gone when the folder is), and holds one database, `atoms`.

    python scripts/local_postgres.py up DIR [--port P]   # prints the URL
    python scripts/local_postgres.py down DIR
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

DATABASE = "atoms"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class LocalPostgres:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://{_user()}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            _as_owner([_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], check=False)

    def start(self) -> None:
        _as_owner(
            [
                _binary("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "postgres.log"),
                "-o",
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                "-t",
                str(START_TIMEOUT_S),
                "-w",
                "start",
            ]
        )

    def restart(self) -> None:
        self.stop()
        self.start()


def available() -> bool:
    """Whether Debian's PostgreSQL server binaries are installed."""
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or shutil.which("initdb") is not None


def up(folder: Path, port: int | None = None) -> LocalPostgres:
    """A new cluster in `folder` (created, made private, owned by the server's user), started, with `atoms` made."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    _give_to_owner(folder)
    server = LocalPostgres(folder, port or _free_port())
    _as_owner([_binary("initdb"), "-D", str(server.data), "-U", _user(), "--auth=trust", "-E", "UTF8", "--no-sync"])
    with (server.data / "postgresql.conf").open("a") as conf:
        conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
    server.start()
    _as_owner([_binary("createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", _user(), DATABASE])
    (folder / "port").write_text(str(server.port))
    return server


def at(folder: Path) -> LocalPostgres:
    """The cluster `up` made in `folder`."""
    return LocalPostgres(folder, int((folder / "port").read_text()))


def down(folder: Path) -> None:
    if (folder / "port").exists():
        at(folder).stop("immediate")


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found[-1]


def _user() -> str:
    return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def _give_to_owner(folder: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_user())
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for parent in folder.parents:  # the server's user must be able to reach its folder
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o001)


def _as_owner(command: list[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", _user(), "--", *command]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd="/")  # noqa: S603
    if check and done.returncode != 0:
        raise RuntimeError(f"{Path(command[-1]).name if '/' in command[-1] else command[-1]}: {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("action", choices=("up", "down"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int)
    arguments = parser.parse_args()
    if arguments.action == "up":
        print(up(arguments.folder.resolve(), arguments.port).url)
    else:
        down(arguments.folder.resolve())


if __name__ == "__main__":
    main()
