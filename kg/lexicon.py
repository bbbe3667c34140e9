"""Lexicons and trigger lists, read from the data files in ``kg/data/lexicon``.

The files are plain text (one entry per line, ``#`` for comments, TSV where there are
columns) so that users can add entries without touching code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def _lines(name: str) -> list[list[str]]:
    text = resources.files("kg.data.lexicon").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([c.strip() for c in line.split("\t")])
    return rows


@dataclass(frozen=True)
class Lexicon:
    suffixes: dict[str, str]              # head word -> contract type
    initiative_heads: tuple[str, ...]     # longest first
    stopwords: frozenset[str]
    generic: frozenset[str]
    triggers: dict[str, tuple[str, ...]]  # relation -> trigger words, longest first
    units: dict[str, tuple[str, float]]   # unit text -> (code, multiplier)
    roles: tuple[str, ...]
    surnames: frozenset[str]
    products: tuple[str, ...]
    organizations: dict[str, str]         # any known name -> canonical name
    name_words: frozenset[str]            # verbs that may stand inside a name
    aid_fields: dict[str, str]            # 产业援疆 -> industry (yj:field-industry)
    business_scope: frozenset[str] = frozenset()   # 制造, 投资: inside full company names
    indicator_words: frozenset[str] = frozenset()  # 总投资, 产值: what a figure measures
    indicator_endings: tuple[str, ...] = ()         # *活动 in the file: any word ending in 活动
    province_abbreviations: frozenset[str] = frozenset()   # 京, 沪, 浙 …
    transliteration: frozenset[str] = frozenset()   # characters of Uyghur, Kazakh … names
    campaigns: tuple[str, ...] = ()                  # 民族团结一家亲: named without quotes
    cues: dict[str, tuple[str, ...]] | None = None   # feature word classes of the scorers


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    triggers: dict[str, list[str]] = {}
    for rel, word, *_ in _lines("triggers.tsv"):
        triggers.setdefault(rel, []).append(word)
    orgs: dict[str, str] = {}
    for row in _lines("organizations.tsv"):
        orgs[row[0]] = row[0]
        for alt in (row[1].split("|") if len(row) > 1 and row[1] else []):
            orgs[alt] = row[0]
    by_len = lambda words: tuple(sorted(set(words), key=lambda w: (-len(w), w)))  # noqa: E731
    return Lexicon(
        suffixes={r[0]: r[1] for r in _lines("suffixes.tsv")},
        initiative_heads=by_len(r[0] for r in _lines("initiative_heads.txt")),
        stopwords=frozenset(r[0] for r in _lines("stopwords.txt")),
        generic=frozenset(r[0] for r in _lines("generic_names.txt")),
        triggers={k: by_len(v) for k, v in triggers.items()},
        units={r[0]: (r[1], float(r[2])) for r in _lines("units.tsv")},
        roles=by_len(r[0] for r in _lines("roles.txt")),
        surnames=frozenset(r[0] for r in _lines("surnames.txt")),
        products=by_len(r[0] for r in _lines("products.tsv")),
        organizations=orgs,
        name_words=frozenset(r[0] for r in _lines("name_words.txt")),
        aid_fields={r[0]: r[1] for r in _lines("aid_fields.tsv")},
        business_scope=frozenset(r[0] for r in _lines("business_scope.txt")),
        indicator_words=frozenset(r[0] for r in _lines("indicator_words.txt") if not r[0].startswith("*")),
        indicator_endings=tuple(r[0][1:] for r in _lines("indicator_words.txt") if r[0].startswith("*")),
        province_abbreviations=frozenset(r[1] for r in _lines("province_abbreviations.tsv")),
        transliteration=frozenset("".join(r[0] for r in _lines("transliteration.txt"))),
        campaigns=by_len(r[0] for r in _lines("campaigns.txt")),
        cues=_classes("cues.tsv", by_len),
    )


def _classes(name: str, order) -> dict[str, tuple[str, ...]]:
    classes: dict[str, list[str]] = {}
    for cls, word, *_ in _lines(name):
        classes.setdefault(cls, []).append(word)
    return {k: order(v) for k, v in classes.items()}


@lru_cache(maxsize=None)
def word_list(name: str) -> tuple[str, ...]:
    """The first column of a one-word-a-line file in ``kg/data/lexicon`` (comments skipped)."""
    return tuple(r[0] for r in _lines(name))


@lru_cache(maxsize=None)
def _rule_rows() -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = {}
    for name, *rest in _lines("rule_words.tsv"):
        rows.setdefault(name, []).append(rest)
    return rows


def rule_words(name: str) -> tuple[str, ...]:
    """A word list of the relation and metric rules (``kg/data/lexicon/rule_words.tsv``)."""
    return tuple(r[0] for r in _rule_rows()[name])


def rule_pairs(name: str) -> tuple[tuple[str, str], ...]:
    """A list of (word, value) rows of ``rule_words.tsv`` (refine_item: word, unit code)."""
    return tuple((r[0], r[1]) for r in _rule_rows()[name])


@lru_cache(maxsize=None)
def rule_pattern(name: str):
    """A construction the rules read, compiled from ``kg/data/lexicon/rule_patterns.tsv``."""
    import re
    patterns = {r[0]: r[1] for r in _lines("rule_patterns.tsv")}
    return re.compile(patterns[name])



@dataclass(frozen=True)
class AnaphorHead:
    """A head word that points back to an entity (``anaphors.tsv``)."""
    word: str
    types: tuple[str, ...]
    endings: tuple[str, ...]       # () = any name
    bare: bool                     # alone at a clause start (园区已建成…)
    pointers: tuple[str, ...]      # extra pointing words for this head (新院)


@lru_cache(maxsize=1)
def anaphor_heads() -> tuple[AnaphorHead, ...]:
    """Head words of ``kg/data/lexicon/anaphors.tsv``, longest first."""
    heads = []
    for row in _lines("anaphors.tsv"):
        word, types, ends, bare, *extra = row + [""] * (5 - len(row))
        heads.append(AnaphorHead(word, tuple(types.split("|")), () if ends == "*" else tuple(ends.split("|")),
                                 bare == "yes", tuple(w for w in extra[0].split("|") if w)))
    return tuple(sorted(heads, key=lambda h: (-len(h.word), h.word)))


@lru_cache(maxsize=None)
def word_classes(name: str) -> dict[str, tuple[str, ...]]:
    """``class<TAB>word`` rows of a file in ``kg/data/lexicon`` as class -> words, longest first."""
    return _classes(name, lambda words: tuple(sorted(words, key=lambda w: (-len(w), w))))


_CUE_GROUPS: dict[tuple[int, tuple[str, ...]], tuple[dict, tuple]] = {}


def cue_group(cues: dict[str, tuple[str, ...]] | None,
              prefixes: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...], object], ...]:
    """The classes of ``cues`` (cues.tsv) named with one of ``prefixes`` (prep_, verb_ …), in
    their order, each with its words and a pattern that finds any of them in a text (as
    ``any(w in text for w in words)`` does, in one search); made once per cues and prefixes,
    since the scorers' features ask for them for every candidate."""
    if not cues:
        return ()
    key = (id(cues), prefixes)
    if key not in _CUE_GROUPS:     # the cues are kept with their group, so their id stays theirs
        import re
        group = tuple((cls, words, re.compile("|".join(map(re.escape, words)) if words else "(?!)"))
                      for cls, words in cues.items() if cls.startswith(prefixes))
        _CUE_GROUPS[key] = cues, group
    return _CUE_GROUPS[key][1]
