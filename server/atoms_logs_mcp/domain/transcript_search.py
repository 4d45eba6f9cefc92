"""Transcript search: what a query means, which turns match it, and what the full-text index is asked.

A query is loose words and "quoted phrases". Words are runs of letters, digits and combining marks (so the
vowel signs of Indic scripts stay inside their word), compared in Unicode NFC and lower case (so punctuation and
letter case never matter: "yes please" finds "Yes, please."), as SQLite's FTS5 tokenizer splits and folds them.
A turn matches when it holds every loose word as a whole word ("fund" does not find "refund") and every
phrase's words next to each other in that order. A call matches when one of its turns does (with `speaker`,
a turn of that speaker).

What the tokenizer drops or cannot split is matched as a substring (any case) instead: emoji and other pictographs,
text in scripts written without spaces (Chinese, Japanese, Thai...), and punctuation when it is all a query or
phrase holds. So "😀" finds the turns holding that emoji.

Alternatives: `OR` (in capitals, between words) splits `text` into alternatives, and each item of `any_of` is one
alternative phrase. A group of alternatives holds when one of them does; `text` and `any_of` are two groups, and
a turn must satisfy both. Each hit names the alternatives it matched.

The store's full-text index finds candidates fast; every candidate is then checked by these rules, so calls
from the store and calls just read from the API match alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..store.words import WordQuery, normal, word_pattern, words

_PHRASE = re.compile(r'"([^"]*)"')
_TOKEN = re.compile(r'"[^"]*"|\S+')
_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3005, 0x3007),  # CJK marks
    (0x3040, 0x31FF),  # Hiragana, Katakana, Bopomofo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions
)
_OR = "OR"
"""Between words of `text`, in capitals: what comes before and after are alternatives."""
_JOINERS = frozenset("\u200c\u200d")
_VARIANTS = str.maketrans("", "", "\ufe0e\ufe0f")
"""Text or emoji presentation: the same symbol either way."""


def _unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED)


def _pieces(text: str) -> Iterator[tuple[bool, str]]:
    """(is a word, piece) in order: words as the tokenizer sees them, and the runs it drops or cannot split
    (symbols with their modifiers and joiners, runs in scripts written without spaces) as literal text."""
    run, symbol = "", False
    for char in normal(text).lower() + " ":
        category = unicodedata.category(char)
        word = bool(word_pattern().fullmatch(char))
        if run and (category[0] == "M" or char in _JOINERS or (category[0] == "S" if symbol else word)):
            run += char
            continue
        if (symbol or any(map(_unspaced, run))) and run.translate(_VARIANTS):
            yield False, run.translate(_VARIANTS)
        elif any(unicodedata.category(c)[0] != "M" for c in run):  # a mark alone (an emoji's variant) is no word
            yield True, run
        symbol = category == "So"  # emoji and pictographs; $, + or ^ are punctuation to a search
        run = char if symbol or word else ""


@dataclass(frozen=True)
class Terms:
    """One alternative: every word and phrase (word sequences) and every literal must be in the turn."""

    phrases: tuple[tuple[str, ...], ...]
    literals: tuple[str, ...]
    label: str

    @classmethod
    def loose(cls, text: str) -> Terms | None:
        """Words and "quoted phrases"; None when there is nothing to look for."""
        quoted = [q for q in map(_phrase, _PHRASE.findall(text)) if q[0] or q[1]]
        single, literals = _phrase(_PHRASE.sub(" ", text).replace('"', " "))
        if not single and not literals and not quoted:
            bare = " ".join(text.replace('"', " ").split()).lower()  # punctuation only: itself
            return cls((), (normal(bare),), bare) if bare else None
        labels = [*single, *literals, *(f'"{" ".join(q[0] + q[1])}"' for q in quoted)]
        return cls(
            tuple(dict.fromkeys([*((w,) for w in single), *(q[0] for q in quoted if q[0])])),
            tuple(dict.fromkeys([*literals, *(literal for q in quoted for literal in q[1])])),
            " ".join(dict.fromkeys(labels)),
        )

    @classmethod
    def phrase(cls, text: str) -> Terms | None:
        """The words of `text` in that order (quotes ignored); None when there is nothing to look for."""
        bare = text.replace('"', " ")
        sequence, literals = _phrase(bare)
        if not sequence and not literals:
            shown = " ".join(bare.split()).lower()
            return cls((), (normal(shown),), f'"{shown}"') if shown else None
        return cls((sequence,) if sequence else (), literals, f'"{" ".join(bare.split()).lower()}"')

    def matches(self, turn: Sequence[str], text: str) -> bool:
        """`text` is the turn in NFC and lower case without emoji variation selectors; `turn`, its words."""
        present = set(turn)
        return all(
            (phrase[0] in present if len(phrase) == 1 else _contains(turn, phrase)) for phrase in self.phrases
        ) and all(literal in text for literal in self.literals)


def _phrase(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of `text` in order, and its literal runs."""
    pieces = list(_pieces(text))
    return tuple(p for is_word, p in pieces if is_word), tuple(dict.fromkeys(p for is_word, p in pieces if not is_word))


@dataclass(frozen=True)
class TextQuery:
    groups: tuple[tuple[Terms, ...], ...]
    """Each group holds when one of its alternatives does; a turn matches when every group holds."""
    speaker: str | None = None

    @classmethod
    def parse(cls, text: str | None, speaker: str | None = None, any_of: Sequence[str] = ()) -> TextQuery:
        """The query; ValueError (said to the model) when it holds nothing to search for."""
        groups = []
        if text:
            alternatives = _alternatives(text)
            if not alternatives:
                raise ValueError(f'text {text[:60]!r} holds nothing to search for: give words or a "quoted phrase".')
            groups.append(alternatives)
        if any_of:
            phrases = tuple({t.label: t for t in map(Terms.phrase, any_of) if t}.values())
            if not phrases:
                raise ValueError("any_of holds nothing to search for: give words or phrases.")
            groups.append(phrases)
        if not groups:
            raise ValueError('Give text (all of its words) or any_of (any of its phrases), e.g. any_of=["refund"].')
        return cls(tuple(groups), speaker)

    def matched(self, content: str | None, role: str | None = None) -> tuple[str, ...] | None:
        """None when the turn does not match; else the alternatives it matched, of the groups with several."""
        if not content or (self.speaker and (role or "").lower() != self.speaker):
            return None
        text = normal(content).lower()
        turn, text = words(text), text.translate(_VARIANTS)
        named: list[str] = []
        for group in self.groups:
            hits = [terms.label for terms in group if terms.matches(turn, text)]
            if not hits:
                return None
            named += hits if len(group) > 1 else []
        return tuple(named)

    def matches(self, content: str | None, role: str | None = None) -> bool:
        return self.matched(content, role) is not None

    def indexed(self) -> WordQuery | None:
        """What the full-text index is asked: it finds at least every turn `matches` accepts. A group with an
        alternative of literals only (which the index cannot see) is left out; None when no group is left, so
        every turn is to be checked."""
        return tuple(tuple(terms.phrases for terms in group) for group in self.groups
                     if all(terms.phrases for terms in group)) or None  # fmt: skip

    def __str__(self) -> str:
        return " and ".join(
            group[0].label if len(group) == 1 else "any of " + ", ".join(t.label for t in group)
            for group in self.groups
        )


def _alternatives(text: str) -> tuple[Terms, ...]:
    """`text` split at a capital OR outside quotes, each part its words and phrases."""
    parts: list[list[str]] = [[]]
    for token in _TOKEN.findall(text):
        if token == _OR:
            parts.append([])
        else:
            parts[-1].append(token)
    found = (Terms.loose(" ".join(part)) for part in parts if part)
    return tuple({t.label: t for t in found if t}.values())


def _contains(turn: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(list(turn[i : i + size]) == list(phrase) for i in range(len(turn) - size + 1))
