"""How big an answer may get. Claude Code refuses tool output above 25,000 tokens; we stay under 20,000.

Tokens are estimated from UTF-8 bytes (one token per three bytes): generous for English, which runs
about four characters a token, and about right for non-Latin scripts, where a character can cost a
token of its own. Measured with a real tokenizer in tests/test_size_limits.py.
"""

from __future__ import annotations

MAX_OUTPUT_TOKENS = 20_000
TRANSCRIPT_PAGE_TOKENS = 8_000
EVENTS_TOKENS = 3_500
LIST_PAGE_ROWS = 100
SEARCH_WINDOW_IDS = 200
ROWS_TOKENS = 15_000
SUMMARY_CHARS = 1_500
METRIC_VALUE_CHARS = 200


def estimate_tokens(text: str) -> int:
    return -(-len(text.encode("utf-8")) // 3)
