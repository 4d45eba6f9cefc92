"""Serving a team: each HTTP request's own Atoms key (passthrough), the keys' contexts held a while, requests
admitted per key, health for the proxy, and one JSON log line per tool call. Only `serve --auth-mode passthrough`
uses it."""
