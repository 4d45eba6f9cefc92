"""`--redact phone` masks phone numbers wherever they appear, keeping the last four digits; recording
links are only fetched when asked for."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from atoms_logs_mcp.api.redact import mask_phone_numbers
from conftest import assert_no_secret, call_text, mcp_client, record_figure

pytestmark = pytest.mark.anyio


def _phones(dataset) -> set[str]:
    numbers = {c.get(k) for c in dataset["calls"] for k in ("from", "to")} - {None, ""}
    numbers.add("+1 415 555 0199")  # spoken in Support transcripts
    return numbers


async def test_every_output_masks_phone_numbers(sandbox, generated_dataset, tmp_path):
    phones = _phones(generated_dataset)
    spoken = next(
        c
        for c in generated_dataset["calls"]
        if any("555 0199" in t["content"] for t in c["transcript"]) and c["status"] == "completed"
    )
    outbound = next(c for c in generated_dataset["calls"] if c["type"] == "telephony_outbound" and c["to"])
    async with mcp_client(sandbox, redact_phones=True, export_dir=str(tmp_path)) as client:
        outputs = {
            "list_logs": await call_text(client, "list_logs", {"limit": 100, "attempt": "all"}),
            "get_log": await call_text(client, "get_log", {"call_id": spoken["callId"]}),
            "get_log outbound": await call_text(client, "get_log", {"call_id": outbound["callId"]}),
            "search": await call_text(client, "search_by_call_ids", {"call_ids": [outbound["callId"]]}),
            "transcript": (await client.read_resource(f"atoms://calls/{spoken['callId']}/transcript")).contents[0].text,
            "export": await call_text(client, "export_logs", {"format": "json", "file_name": "all"}),
            "summary": await call_text(client, "summarize_logs", {"group_by": ["failure_reason"]}),
        }
    outputs["export file"] = (tmp_path / "all.json").read_text(encoding="utf-8")
    leaked = {name: phone for name, text in outputs.items() for phone in phones if phone in text}
    assert not leaked
    last_four = outbound["to"][-4:]
    assert f"•••{last_four}" in outputs["get_log outbound"] and f"•••{last_four}" in outputs["search"]
    assert "+• ••• ••• 0199" in outputs["transcript"] and "+• ••• ••• 0199" in outputs["get_log"]
    exported = json.loads(outputs["export file"])["rows"]
    assert exported and all(row["to"] is None or "•" in row["to"] for row in exported)
    record_figure(
        "privacy",
        outputs_checked=len(outputs),
        phone_numbers_in_dataset=len(phones),
        unmasked_phone_numbers_found=len(leaked),
    )


async def test_without_redaction_numbers_are_shown(sandbox, generated_dataset):
    outbound = next(c for c in generated_dataset["calls"] if c["type"] == "telephony_outbound" and c["to"])
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "search_by_call_ids", {"call_ids": [outbound["callId"]]})
    assert outbound["to"] in text


def test_the_command_line_turns_redaction_on():
    env = {"PATH": "/usr/bin:/bin", "ATOMS_REDACT": "phone"}
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check", "--demo", "--calls", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_no_secret(done.stdout, done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"\+1\d{10}", done.stdout) and "•••" in done.stdout
    flag = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check", "--demo", "--calls", "60", "--redact", "phone"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert flag.returncode == 0 and not re.search(r"\+1\d{10}", flag.stdout)
    bad = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check", "--demo"],
        env={"PATH": "/usr/bin:/bin", "ATOMS_REDACT": "emails"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "ATOMS_REDACT takes one of phone, none, off" in bad.stderr


async def test_recording_links_are_off_by_default(sandbox, generated_dataset):
    call = next(c for c in generated_dataset["calls"] if c.get("recordingUrl"))
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "get_log", {"call_id": call["callId"]})
    assert "Recording" not in text and "recordings.sandbox" not in text
    assert "GET /conversation/{callId}/recording/download-url" not in sandbox.stats()["requests"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+14155550123", "+•••••••0123"),
        ("call me on (415) 555-0123", "call me on (•••) •••-0123"),
        ("+91 98765 43210", "+•• ••••• •3210"),
        ("CALL-1737000000000-abc123", "CALL-1737000000000-abc123"),
        ("2026-11-20T10:00:00.000Z", "2026-11-20T10:00:00.000Z"),
        ("on 2026-11-20 at noon", "on 2026-11-20 at noon"),
        ("agent 64f0c0ffee00000000000001", "agent 64f0c0ffee00000000000001"),
        ("cost 0.0813 for 125 s", "cost 0.0813 for 125 s"),
        ("Phone:4155550123", "Phone:••••••0123"),
        ("wa.me/14155550123", "wa.me/•••••••0123"),
        ("+14155550123/2", "+•••••••0123/2"),
        ("at 37.7749295, -122.4194155", "at 37.7749295, -122.4194155"),
        ("on 20.11.2026", "on 20.11.2026"),
        ("host 10.0.0.1", "host 10.0.0.1"),
        ("ts 1795265847299", "ts 1795265847299"),
    ],
)
def test_what_is_and_is_not_a_phone_number(text, masked):
    assert mask_phone_numbers(text) == masked
