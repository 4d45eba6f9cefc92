"""The call resources' addresses, written once: the templates tools/resources.py registers, and the URIs answers,
resource links and subscription notices point to. In domain/ so that render, tools and check all may import it."""

from __future__ import annotations

CALL_TEMPLATE = "atoms://calls/{call_id}"
"""One call's whole condensed log, unpaged."""
TRANSCRIPT_TEMPLATE = "atoms://calls/{call_id}/transcript"
"""Every turn of one call's transcript."""


def call_uri(call_id: str) -> str:
    return CALL_TEMPLATE.format(call_id=call_id)


def transcript_uri(call_id: str) -> str:
    return TRANSCRIPT_TEMPLATE.format(call_id=call_id)
