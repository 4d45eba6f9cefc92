"""Logs as JSON lines for a team server: one object per line, what a log collector parses without rules.

Tool calls are logged by `admission` with their request id, key fingerprint, tool, duration and outcome; never a
key (the fingerprint is a hash of it, the one the store splits rows by).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FIELDS = ("request_id", "key", "tool", "took_ms", "outcome")
REQUESTS = logging.getLogger("atoms_logs_mcp.requests")
"""The logger of tool calls: INFO, so a team server logs every call at the default level."""
SERVING = logging.getLogger("atoms_logs_mcp.serving")
"""Where and how the server listens, said once at start (INFO, like the calls)."""


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            trace = self.formatException(record.exc_info)
            line["error"], line["traceback"] = trace.splitlines()[-1], trace
        return json.dumps(line, ensure_ascii=False, default=str)


def log_as_json_lines() -> None:
    """Every handler of the root logger writes JSON lines (uvicorn's loggers reach it: serve_http leaves them
    unconfigured in passthrough), and tool calls are logged at INFO."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonLines())
    REQUESTS.setLevel(logging.INFO)
    SERVING.setLevel(logging.INFO)
