"""atoms-logs-mcp: an MCP server for Smallest AI Atoms voice-agent conversation logs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("atoms-logs-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
