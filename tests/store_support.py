"""The call store on each engine, for tests parametrised over both: `store_location` gives each test a store of its
own, a SQLite file in its tmp_path or a fresh schema of one PostgreSQL per xdist worker (started once per worker
by scripts/local_postgres.py, from Debian's package, into a tmp folder), so tests stay order-independent.

Where PostgreSQL is not installed the postgresql cases skip, unless POSTGRES_REQUIRED=1 (set by .ci/run): then
they fail."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
ENGINES = ["sqlite", "postgresql"]


def _local_postgres() -> Any:
    spec = importlib.util.spec_from_file_location("local_postgres", SCRIPTS / "local_postgres.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("local_postgres", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One PostgreSQL for this worker; None where it is not installed (its tests then skip or fail). Its folder is
    not under pytest's tmp tree: another pytest session makes that tree private again (0700), and the server,
    running as the `postgres` user, would lose its data folder."""
    local = _local_postgres()
    if not local.available():
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="atoms-test-postgres-"))
    try:
        yield local.up(folder / "cluster")
    finally:
        local.down(folder / "cluster")
        shutil.rmtree(folder, ignore_errors=True)


def fresh_schema(server: Any) -> tuple[str, str]:
    """(a URL whose connections use a new, empty schema; the schema's name)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{server.url}?options=-csearch_path%3D{schema}", schema


def drop_schema(server: Any, schema: str) -> None:
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


def need_postgres(request: pytest.FixtureRequest) -> Any:
    server = request.getfixturevalue("postgres_server")
    if server is None:
        why = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        if os.environ.get("POSTGRES_REQUIRED") == "1":
            pytest.fail(f"{why}, and POSTGRES_REQUIRED=1")
        pytest.skip(why)
    return server


@pytest.fixture(params=ENGINES)
def store_location(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store of this test's own on each engine: a file path (in a folder of its own, not the test's tmp_path,
    which tests of exports read), or a PostgreSQL URL (a fresh schema)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("store") / "calls.sqlite3")
        return
    server = need_postgres(request)
    url, schema = fresh_schema(server)
    try:
        yield url
    finally:
        drop_schema(server, schema)


@pytest.fixture
def postgres_location(request: pytest.FixtureRequest) -> Iterator[tuple[Any, str]]:
    """(the worker's PostgreSQL, a URL of a fresh schema in it): for tests of PostgreSQL alone."""
    server = need_postgres(request)
    url, schema = fresh_schema(server)
    try:
        yield server, url
    finally:
        drop_schema(server, schema)


def select(location: str | Path, statement: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a statement (`?` placeholders) read straight from the store at `location`, on either engine."""
    if str(location).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(location), autocommit=True) as connection:
            return connection.execute(statement.replace("?", "%s"), parameters).fetchall()
    import sqlite3

    with sqlite3.connect(location) as db:
        return db.execute(statement, parameters).fetchall()


def store_for(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> str:
    """The `store` setting for a test parametrised over ["sqlite", "postgresql", "off"]: a file, a fresh schema
    (dropped after the test), or off."""
    if engine == "off":
        return "off"
    if engine == "sqlite":
        return str(tmp_path / "calls.sqlite3")
    server = need_postgres(request)
    url, schema = fresh_schema(server)
    request.addfinalizer(lambda: drop_schema(server, schema))
    return url
