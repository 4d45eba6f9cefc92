"""The filter table (api/filter_table.py) against the spec, and the sandbox's filtering derived from it.

The client and the sandbox both read each filter's API parameter from the table, so a wrong name would be
sent by one and understood by the other: only the spec can tell. Every row's `api` name must be a query
parameter of `GET /conversation` in docs/atoms-api/openapi.yaml, a list must be documented there as
comma-separated, the values the model may pass must be the ones the spec documents, and every filter the
spec has must be a row. The sandbox's matching is then checked row by row, so a new row is covered here
without a line of its own.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from atoms_logs_mcp.api.filter_table import FILTER, FILTERS, Filter
from atoms_logs_mcp.sandbox.store import CallStore

NOT_FILTERS = {"page", "limit", "sortBy", "sortOrder"}
"""The list's paging and order: parameters of `GET /conversation` that are not filters."""
SENT = [row for row in FILTERS if row.api]


@functools.cache
def _parameters(path: str) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    listed = document["paths"]["/conversation"]["get"]["parameters"]
    return {p["name"]: p for p in listed if p.get("in") == "query"}


@pytest.fixture
def spec_parameters(openapi_spec_path: Path) -> dict[str, dict[str, Any]]:
    """The query parameters of `GET /conversation`, by name, as the spec declares them."""
    return _parameters(str(openapi_spec_path))


def documented_values(parameter: dict[str, Any]) -> set[str]:
    """The values the spec allows: its enum, or the "Available ...: a (...), b (...)" line of the description."""
    if enum := parameter["schema"].get("enum"):
        return set(enum)
    found = re.search(r"Available \w+: (.+)", parameter.get("description", ""))
    return {item.split(" (")[0].strip() for item in found.group(1).split(", ")} if found else set()


def test_every_api_name_is_a_parameter_of_get_conversation(spec_parameters):
    unknown = {row.name: row.api for row in SENT if row.api not in spec_parameters}
    assert not unknown, f"not query parameters of GET /conversation in the spec: {unknown}"


def test_every_filter_of_the_spec_is_a_row(spec_parameters):
    assert set(spec_parameters) - NOT_FILTERS == {row.api for row in SENT}


@pytest.mark.parametrize("row", SENT, ids=[row.name for row in SENT])
def test_a_row_is_a_list_as_the_spec_documents_it(spec_parameters, row: Filter):
    comma_separated = "comma-separated" in spec_parameters[str(row.api)].get("description", "").lower()
    # The spec documents callAttemptFilter as comma-separated; we send it one value, as its three values allow.
    assert comma_separated or not row.many, f"{row.api} is not documented as a comma-separated list"


@pytest.mark.parametrize("row", [r for r in SENT if r.values], ids=[r.name for r in SENT if r.values])
def test_a_rows_values_are_the_documented_ones(spec_parameters, row: Filter):
    assert set(row.values) == documented_values(spec_parameters[str(row.api)])


def test_the_rows_are_named_once():
    for attribute in ("name", "api", "query"):
        names = [getattr(row, attribute) for row in FILTERS if getattr(row, attribute)]
        assert len(names) == len(set(names)), f"a {attribute} is in two rows: {names}"


# The sandbox's filtering, derived from the rows ---------------------------------------------------

ONE_OF = [row for row in SENT if row.rule == "one of"]


@pytest.fixture(scope="module")
def store(generated_dataset) -> CallStore:
    return CallStore.from_dataset(generated_dataset)


def listed(store: CallStore, **params: str) -> list[dict[str, Any]]:
    everything = {str(FILTER["attempt"].api): "all", "limit": "500", **params}
    return store.list_calls(everything)["logs"]


@pytest.mark.parametrize("row", ONE_OF, ids=[row.name for row in ONE_OF])
def test_the_sandbox_keeps_the_calls_a_row_names(store: CallStore, row: Filter):
    """A "one of" row keeps exactly the calls whose field holds one of the values, for one value and for two."""
    (field,) = row.record
    held = sorted({str(c.record[field]) for c in store.calls if c.record.get(field)})
    assert len(held) >= 2, f"the dataset has too few {field} values to test {row.name}"
    for values in (held[:1], held[:2]):
        expected = sorted(c.call_id for c in store.calls if c.record.get(field) in values)
        assert len(expected) < len(store.calls), f"{row.name}={values} narrows nothing"
        kept = listed(store, **{str(row.api): ",".join(values)})
        assert sorted(r["callId"] for r in kept) == expected, f"{row.api}={values}"
