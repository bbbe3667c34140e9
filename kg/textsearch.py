"""Finding the names an article has already given wherever else it writes them.

The rules that look for an article's own names again (kg.mentions) used to build one
regular expression per article, an alternation of the names longest first. Compiling it
is Python code in the ``re`` module and took more time than the search; the plain string
search here finds the same matches.
"""
from __future__ import annotations

from collections.abc import Iterable


def leftmost_longest(texts: list[str], names: Iterable[str]) -> list[list[tuple[int, int, str]]]:
    """For each text, the (start, end, name) of the names found in it, as
    ``re.finditer("|".join(longest first), text)`` finds them: scanning from the left,
    the longest name that starts at a place, then on from its end (no overlaps)."""
    joined = "\0".join(texts)
    present = [n for n in set(names) if n and n in joined]      # most names are in a few texts only
    found: list[list[tuple[int, int, str]]] = []
    for text in texts:
        longest: dict[int, str] = {}            # start -> the longest name starting there
        for name in present:
            at = text.find(name)
            while at != -1:
                if len(name) > len(longest.get(at, "")):
                    longest[at] = name
                at = text.find(name, at + 1)
        hits = []
        end = 0
        for start in sorted(longest):
            if start >= end:
                name = longest[start]
                end = start + len(name)
                hits.append((start, end, name))
        found.append(hits)
    return found
