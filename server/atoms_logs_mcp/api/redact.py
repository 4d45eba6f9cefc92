"""Masking phone numbers in everything read from the API (`--redact phone`, or the redact_phones setting).

Redaction happens once, on the API's JSON before it is parsed, so rows, overviews, transcripts,
summaries, variables, events and exports all see the masked value. The last four digits stay, so
a person can still tell two callers apart: `+14155550123` becomes `+•••••••0123`.
"""

from __future__ import annotations

import re
from typing import Any

# 7 to 15 digits with the separators people write; not inside a word, an id or a longer number.
_PHONE = re.compile(r"(?<![\w\-.])\+?\d(?:[ .()\-]{0,2}\d){6,14}(?![\w\-]|\.\d)")
# Digit runs that look like a phone number but are something else.
_NOT_A_PHONE = (
    re.compile(r"\d{4}-\d{2}-\d{2}"),  # ISO date
    re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"),  # dotted date
    re.compile(r"\d+\.\d+"),  # a decimal number
    re.compile(r"\d{1,3}(?:\.\d{1,3}){3}"),  # an IPv4 address
    re.compile(r"\d{13,}"),  # a bare run of 13 or more digits: a timestamp or an id (long numbers carry a +)
)
MASK = "•"


def _mask(match: re.Match[str]) -> str:
    text = match.group()
    if any(pattern.fullmatch(text) for pattern in _NOT_A_PHONE):
        return text
    digits = sum(ch.isdigit() for ch in text)
    keep_from = digits - 4
    out = []
    seen = 0
    for ch in text:
        if ch.isdigit():
            out.append(ch if seen >= keep_from else MASK)
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_phone_numbers(text: str) -> str:
    return _PHONE.sub(_mask, text)


def redact(value: Any) -> Any:
    """`value` with phone numbers masked in every string, at any depth (keys included)."""
    if isinstance(value, str):
        return mask_phone_numbers(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value
