"""The gazetteer of Chinese administrative divisions (``kg/data/gazetteer.tsv``).

Provinces, prefectures and county-level divisions with their GB/T 2260 codes, plus the
XPCC (兵团) divisions and regiments; see ``kg/data/README.md`` for the source. It types
places, resolves short forms (乌什 -> 乌什县) and the names of their year (哈密地区, until
2016, is today's 哈密市: ``kg/data/former_names.tsv``), gives code-based identities and the
containment hierarchy.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LEVEL_RANK = {"province": 0, "prefecture": 1, "xpcc_division": 1, "county": 2, "xpcc_regiment": 2}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    short: tuple[str, ...]
    level: str
    types: tuple[str, ...]
    parent: str | None
    english: str | None
    joint_city: str | None = None     # 师市合一: the city the XPCC division is one with (可克达拉市)


@dataclass(frozen=True)
class FormerName:
    """A name a division of today bore and bears no longer (哈密地区 1981-2016, code 652200)."""
    code: str               # today's code
    name: str
    former_code: str        # its GB/T 2260 code then ('' where the source has none)
    start: str              # first and last year in use ('' where unknown)
    until: str


class Gazetteer:
    def __init__(self, places: list[Place], former: list[FormerName] = ()):
        self.by_code: dict[str, Place] = {p.code: p for p in places}
        self._names: dict[str, list[str]] = {}
        for p in places:
            for form in (p.name, *p.short):
                self._names.setdefault(form, []).append(p.code)
        self.former: dict[str, list[FormerName]] = {}      # today's code -> its former names
        self.former_by_name: dict[str, FormerName] = {}
        for f in former:
            if f.code in self.by_code and f.name not in self._names:
                self.former.setdefault(f.code, []).append(f)
                self.former_by_name[f.name] = f
                self._names[f.name] = [f.code]
        self._children: dict[str, list[str]] = {}
        for p in places:
            if p.parent:
                self._children.setdefault(p.parent, []).append(p.code)
        self._sorted: dict[str, tuple[Place, ...]] = {}
        self._ancestors: dict[str, tuple[Place, ...]] = {}
        self._regiments = {}
        for p in places:
            if p.level == "xpcc_regiment":
                div = int(p.parent[4:])
                self._regiments[(div, int(p.code.split("-")[1]))] = p

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every division written ``name`` (full or short): full-name matches first, then higher
        levels. A tuple made once per name: extraction asks about the same names all the time."""
        found = self._sorted.get(name)
        if found is None:
            places = [self.by_code[c] for c in self._names.get(name, ())]
            found = self._sorted[name] = tuple(sorted(
                places, key=lambda p: (p.name != name, LEVEL_RANK.get(p.level, 9), p.code)))
        return found

    def is_full_name(self, form: str, place: Place) -> bool:
        """The division's full name, of today or of its year (哈密地区 for 哈密市), or the
        full name of the city it is one with (可克达拉市 for 第四师)."""
        former = self.former_by_name.get(form)
        return form in (place.name, place.joint_city) or (former is not None and former.code == place.code)

    def names(self) -> dict[str, list[str]]:
        """Every surface form -> codes (for building a matcher)."""
        return self._names

    def ancestors(self, code: str) -> list[Place]:
        """The containing divisions, nearest first."""
        chain = self._ancestors.get(code)
        if chain is None:        # relations and resolution ask for the same few codes again and again
            out, place = [], self.by_code.get(code)
            while place and place.parent and place.parent in self.by_code:
                place = self.by_code[place.parent]
                out.append(place)
            chain = self._ancestors[code] = tuple(out)
        return list(chain)

    def children(self, code: str) -> list[Place]:
        return [self.by_code[c] for c in self._children.get(code, ())]

    def is_within(self, code: str | None, ancestor: str | None) -> bool:
        return bool(code and ancestor) and any(a.code == ancestor for a in self.ancestors(code))

    def regiment(self, division: int, regiment: int) -> Place | None:
        """一师四团 -> regiment(1, 4)."""
        return self._regiments.get((division, regiment))


def disambiguate(candidates: Sequence[Place], context: set[str]) -> Place | None:
    """Choose among divisions sharing a name using places already known in the document:
    one named itself, then one inside or around a known place, then a sibling of one;
    else the single highest-level candidate, else none. A district or county never wins
    over a province of the same short name."""
    if not candidates:
        return None
    if any(p.level == "province" for p in candidates):
        # a province's short name alone is the province, not a district that shares it
        # (河北 beside 天津 is 河北省, not 天津市河北区, which is written in full)
        candidates = [p for p in candidates if p.level != "county"]
    for test in (lambda p: p.code in context,
                 lambda p: p.parent in context or any(_parent_of(c) == p.code for c in context),
                 lambda p: any(_parent_of(c) == p.parent for c in context if _parent_of(c))):
        hits = [p for p in candidates if test(p)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            candidates = hits
    top = min(LEVEL_RANK.get(p.level, 9) for p in candidates)
    best = [p for p in candidates if LEVEL_RANK.get(p.level, 9) == top]
    return best[0] if len(best) == 1 else None


def _parent_of(code: str) -> str | None:
    place = load_gazetteer().by_code.get(code)
    return place.parent if place else None


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("kg.data").joinpath(filename).read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    places = [Place(code=row["code"], name=row["name"], short=tuple(s for s in row["short"].split("|") if s),
                    level=row["level"], types=tuple(row["type"].split("|")),
                    parent=row["parent"] or None, english=row["english"] or None,
                    joint_city=row.get("joint_city") or None)
              for row in _rows("gazetteer.tsv")]
    former = [FormerName(code=row["code"], name=row["former"], former_code=row["former_code"],
                         start=row["from"], until=row["until"]) for row in _rows("former_names.tsv")]
    return Gazetteer(places, former)
