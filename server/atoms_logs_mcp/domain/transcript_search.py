"""Transcript search: what a query means, which turns match it, and the same as an FTS5 expression.

A query is loose words and "quoted phrases". Words are runs of letters, digits and combining marks (so the
vowel signs of Indic scripts stay inside their word), compared in Unicode NFC and lower case (so punctuation and
letter case never matter: "yes please" finds "Yes, please."), as SQLite's FTS5 tokenizer splits and folds them.
A turn matches when it holds every loose word as a whole word ("fund" does not find "refund") and every
phrase's words next to each other in that order. A call matches when one of its turns does (with `speaker`,
a turn of that speaker).
The store's full-text index finds candidates fast; every candidate is then checked by these rules, so calls
from the store and calls just read from the API match alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

_PHRASE = re.compile(r'"([^"]*)"')
_MARK_PLANES = (range(0x300, 0x20000), range(0xE0100, 0xE01F0))


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


def normal(text: str) -> str:
    """NFC: a letter and its accent written as one character or two read the same."""
    return unicodedata.normalize("NFC", text)


def words(text: str) -> list[str]:
    return [word.lower() for word in _word().findall(normal(text))]


@dataclass(frozen=True)
class TextQuery:
    loose: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    speaker: str | None = None

    @classmethod
    def parse(cls, text: str, speaker: str | None = None) -> TextQuery:
        """The query; ValueError (said to the model) when it holds no word."""
        phrases = tuple(p for p in (tuple(words(m)) for m in _PHRASE.findall(text)) if p)
        loose = tuple(dict.fromkeys(words(_PHRASE.sub(" ", text).replace('"', " "))))
        if not phrases and not loose:
            raise ValueError(f'text {text[:60]!r} holds no word to search for: give words or a "quoted phrase".')
        return cls(loose, phrases, speaker)

    def matches(self, content: str | None, role: str | None = None) -> bool:
        if not content or (self.speaker and (role or "").lower() != self.speaker):
            return False
        turn = words(content)
        present = set(turn)
        return all(word in present for word in self.loose) and all(_contains(turn, p) for p in self.phrases)

    def fts(self) -> str:
        """An FTS5 expression that finds at least every turn `matches` accepts."""
        terms = [_quoted(" ".join(phrase)) for phrase in self.phrases] + [_quoted(word) for word in self.loose]
        return " AND ".join(terms)

    def __str__(self) -> str:
        return " ".join([*self.loose, *(f'"{" ".join(p)}"' for p in self.phrases)])


def _contains(turn: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(list(turn[i : i + size]) == list(phrase) for i in range(len(turn) - size + 1))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
