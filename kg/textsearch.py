"""Looking for many words at once, fast, with what an alternation longest first finds.

:func:`leftmost_longest` finds the names an article has already given wherever else it
writes them: the rules doing so (kg.mentions) built one regular expression per article,
and compiling it (Python code in the ``re`` module) took longer than the search.
:func:`longest_first` writes a long list of words (head words, units) as a pattern the
engine searches faster than the plain alternation, with the same matches.
:func:`after_last` finds where a clause starts, asked for every trigger, figure and candidate.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate


def leftmost_longest(texts: list[str], names: Iterable[str]) -> list[list[tuple[int, int, str]]]:
    """For each text, the (start, end, name) of the names found in it, as
    ``re.finditer("|".join(longest first), text)`` finds them: scanning from the left,
    the longest name that starts at a place, then on from its end (no overlaps)."""
    joined = "\0".join(texts)
    offsets = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))    # where each text starts in it
    longest: list[dict[int, str]] = [{} for _ in texts]     # per text: start -> the longest name there
    for name in set(names):
        if not name:
            continue
        at = joined.find(name)              # most names are in a few texts only: one search over all
        while at != -1:
            k = bisect_right(offsets, at) - 1
            start = at - offsets[k]
            if start + len(name) <= len(texts[k]) and len(name) > len(longest[k].get(start, "")):
                longest[k][start] = name        # (a name holding "\0" could run into the next text)
            at = joined.find(name, at + 1)
    found: list[list[tuple[int, int, str]]] = []
    for starts in longest:
        hits = []
        end = 0
        for start in sorted(starts):
            if start >= end:
                name = starts[start]
                end = start + len(name)
                hits.append((start, end, name))
        found.append(hits)
    return found


def longest_first(words: Iterable[str]) -> str:
    """A regular expression matching what ``"|".join(words longest first)`` matches, with
    the same choice at each place (the longest word there, then shorter ones if what
    follows fails), written as a tree of shared beginnings: the engine tries the words one
    by one, and a long list (the head words of suffixes.tsv, the units) made every place
    a look at every word that starts with its character."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}                   # a word ends here
    return _branches(tree)             # no words: "", as the join of none


def _branches(node: dict) -> str:
    # the words going on are tried before the one ending here (longest first); the
    # branches start with different characters, so their order does not matter
    longer = [re.escape(ch) + _branches(child) for ch, child in node.items() if ch]
    if not longer:
        return ""
    if len(longer) == 1 and "" not in node:
        return longer[0]
    return "(?:" + "|".join(longer) + ("|" if "" in node else "") + ")"


_MARKS: dict[tuple[re.Pattern, str], list[int]] = {}


def after_last(marks: re.Pattern, text: str, pos: int) -> int:
    """Just after the last one-character match of ``marks`` in ``text[:pos]``, else 0 (as
    ``max(text.rfind(c, 0, pos) for c in the marks) + 1``). A text's marks are found once
    and bisected: the same sentence is asked about again and again."""
    found = _MARKS.get((marks, text))
    if found is None:
        if len(_MARKS) >= 4096:
            _MARKS.clear()                    # bounded: a sentence is asked about while it is read
        found = _MARKS[marks, text] = [m.start() for m in marks.finditer(text)]
    i = bisect_left(found, pos if pos >= 0 else len(text) + pos)
    return found[i - 1] + 1 if i else 0
