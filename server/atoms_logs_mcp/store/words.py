"""Words as the full-text index sees them: runs of letters, digits and combining marks, in Unicode NFC and lower
case, as SQLite's FTS5 tokenizer (`unicode61`, store/database.py) splits and folds them. The transcript search
(domain/transcript_search.py) matches with these words, and the PostgreSQL index (store/postgres_engine.py) is
built from them, so both engines' indexes hold the same words."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_MARK_PLANES = (range(0x300, 0x20000), range(0xE0100, 0xE01F0))

WordQuery = tuple[tuple[tuple[tuple[str, ...], ...], ...], ...]
"""What the index is asked: every group holds (AND), a group when one of its alternatives does (OR), an alternative
when each of its phrases is in the turn (AND), a phrase being its words in order. The index may find more turns
than this says (the PostgreSQL index does not keep word positions); the search checks every turn it finds."""


@cache
def _word() -> re.Pattern[str]:
    """Letters and digits (not `_`) and every combining mark, built once on first use."""
    marks = [c for plane in _MARK_PLANES for c in plane if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[tuple[int, int]] = []
    for code in marks:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    marks_class = "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)
    return re.compile(rf"(?:[^\W_]|[{marks_class}])+")


def word_pattern() -> re.Pattern[str]:
    return _word()


def normal(text: str) -> str:
    """NFC: a letter and its accent written as one character or two read the same."""
    return unicodedata.normalize("NFC", text)


def words(text: str) -> list[str]:
    return [word.lower() for word in _word().findall(normal(text))]
