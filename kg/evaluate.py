"""Score a graph against gold annotations (one JSON file per article, the format of
``tests/gold``; described in ``docs/development.md``).

Entry point: :func:`evaluate`, used by ``kg eval`` and by the regression test. It follows
the contract's scoring rules so that users who annotate their own articles get the same
figures as the project's evaluation:

- entities are matched by label (rdfs:label, skos:prefLabel/altLabel …) after removing
  spaces, quotes, the middle dot and book-title marks; a node scores a hit when one of
  its contract types is among the gold types; a second node for one gold entity, a
  wrong type, or a node with no gold counterpart is a false alarm; optional gold items
  neither help nor hurt;
- relations are scored on matched nodes; containment (``locatedIn``) between two
  administrative divisions that the gold does not list is reference knowledge and
  ignored; relations implied by transitivity of the gold are not penalised;
- metrics are scored at three levels: value (within 0.5 %), value + unit, and value +
  unit + subject.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Literal

from .model import ADMIN_TYPES, ENTITY_TYPES, MISSION_TYPES, RELATIONS

EXTENDED = [t for t in ENTITY_TYPES if t not in MISSION_TYPES]
LABEL_PROPS = {"label", "prefLabel", "altLabel", "name", "hiddenLabel"}
IGNORED = re.compile(r"[\s\u3000“”‘’\"'「」『』《》〈〉·•・．.\-—_()（）]")
UNIT_SYNONYMS = {
    "cny": "CNY", "yuan": "CNY", "rmb": "CNY", "元": "CNY", "万元": "CNY", "亿元": "CNY",
    "person": "person", "people": "person", "persons": "person", "名": "person", "人": "person", "位": "person",
    "人次": "times", "times": "times", "次": "times", "persontime": "times",
    "item": "item", "items": "item", "个": "item", "项": "item", "count": "item",
    "head": "head", "heads": "head", "头": "head", "峰": "head", "只": "head",
    "m2": "m2", "平方米": "m2", "sqm": "m2",
    "percent": "percent", "%": "percent", "pct": "percent",
    "household": "household", "households": "household", "户": "household",
    "class": "class", "classes": "class", "班级": "class",
    "school": "school", "schools": "school", "所": "school",
    "km": "km", "公里": "km",
}


# Units compare by family after conversion to the family's base (GUIDELINES.md §4): money,
# percent, people and each physical dimension stay apart; every other code is a count.
UNIT_FAMILIES = {
    "CNY": ("money", 1.0), "percent": ("percent", 1.0), "person": ("people", 1.0),
    "m2": ("area", 1.0), "km2": ("area", 1e6), "mu": ("area", 10000 / 15), "hectare": ("area", 1e4),
    "ha": ("area", 1e4), "km": ("length", 1000.0), "m": ("length", 1.0),
    "t": ("mass", 1000.0), "kg": ("mass", 1.0), "jin": ("mass", 0.5),
    "kwh": ("energy", 1.0), "mwh": ("energy", 1e3), "kw": ("power", 1.0), "mw": ("power", 1e3),
    "day": ("time", 1.0), "hour": ("time", 1 / 24), "year": ("time", 365.0), "month": ("time", 30.0),
}


def unit_family(code: str | None, value: float | None) -> tuple[str, float | None]:
    """(family, value in the family's base unit) of a unit code; unknown codes are counts."""
    family, factor = UNIT_FAMILIES.get(code, UNIT_FAMILIES.get(str(code).lower(), ("count", 1.0)))
    return family, (value * factor if value is not None else None)


def same_quantity(value: float | None, unit: str | None, gold_value: float, gold_unit: str | None) -> bool:
    """Value within 0.5 % and the unit of the same family (after conversion)."""
    if not _close(value, gold_value):
        return False
    fam, v = unit_family(unit, value)
    gfam, gv = unit_family(gold_unit, gold_value)
    return fam == gfam and _close(v, gv)


def _close(a: float | None, b: float) -> bool:
    return a is not None and (abs(a - b) <= 0.005 * abs(b) if b else a == 0)


def local_name(term) -> str:
    return re.split(r"[#/:]", str(term))[-1]


def normalise(text: str) -> str:
    return IGNORED.sub("", unicodedata.normalize("NFKC", str(text)))


def unit_of(term) -> str | None:
    if term is None:
        return None
    raw = str(term) if isinstance(term, Literal) else local_name(term)
    key = unicodedata.normalize("NFKC", raw).strip().lower().replace(" ", "").replace("_", "")
    return UNIT_SYNONYMS.get(key, key)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str) -> str:
        return (f"{name:<18}{self.precision:>7.3f}{self.recall:>7.3f}{self.f1:>7.3f}"
                f"{self.tp:>5}{self.fp:>5}{self.fn:>5}")


@dataclass
class Report:
    entities: dict[str, Score] = field(default_factory=dict)
    relations: dict[str, Score] = field(default_factory=dict)
    metrics: dict[str, Score] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        return {"mission": round(self.entities["mission"].f1, 3), "all": round(self.entities["all"].f1, 3),
                "relation": round(self.relations["all"].f1, 3),
                "metric": round(self.metrics["value+unit+about"].f1, 3),
                "metric~": round(self.metrics["value+unit+about~"].f1, 3)}

    def table(self, errors: bool = False) -> str:
        head = f"{'':<18}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}"
        lines = ["entities" + head[8:]]
        lines += [s.row(k) for k, s in self.entities.items() if s.tp + s.fp + s.fn]
        lines.append("relations")
        lines += [s.row(k) for k, s in self.relations.items() if s.tp + s.fp + s.fn]
        lines.append("metrics")
        lines += [s.row(k) for k, s in self.metrics.items()]
        if errors:
            lines += [f"  {e}" for e in self.errors]
        f = self.figures()
        lines.append(f"mission-entity F1={f['mission']} all-entity F1={f['all']} "
                     f"relation F1={f['relation']} metric F1={f['metric']} metric~ F1={f['metric~']}")
        return "\n".join(lines)


@dataclass
class GoldEntity:
    key: str
    name: str
    type: str
    types: set[str]
    names: set[str]
    optional: bool


def load_gold(gold_dir: str | Path):
    """Gold entities (merged across documents by shared names), relations and metrics."""
    entities: dict[str, GoldEntity] = {}
    relations, metrics = [], []
    if not Path(gold_dir).exists():
        raise FileNotFoundError(f"{gold_dir}: no such gold folder or file")
    paths = [Path(gold_dir)] if Path(gold_dir).is_file() else sorted(Path(gold_dir).glob("*.json"))
    if not paths:
        raise ValueError(f"{gold_dir}: no gold files (*.json) in this folder")
    for path in paths:
        try:
            _add_gold_file(json.loads(path.read_text(encoding="utf-8")), entities, relations, metrics)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: line {err.lineno}, column {err.colno}: not JSON: {err.msg}") from None
        except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{path}: not a gold file ({type(err).__name__}: {err}); "
                             "see the format in docs/development.md") from None
    return entities, relations, metrics


def _add_gold_file(data: dict, entities: dict[str, GoldEntity], relations: list, metrics: list) -> None:
    ids = {}
    for e in data["entities"]:
        names = {normalise(e["name"])} | {normalise(a) for a in e.get("aliases", [])}
        types = {e["type"], *e.get("alt_types", [])}
        same = next((g for g in entities.values() if g.names & names), None)
        if same:
            same.names |= names
            same.types |= types
            same.optional = same.optional and e.get("optional", False)
        else:
            same = GoldEntity(normalise(e["name"]), e["name"], e["type"], types, names,
                              e.get("optional", False))
            entities[same.key] = same
        ids[e["id"]] = same.key
    for r in data["relations"]:
        relations.append((ids[r["s"]], r["p"], ids[r["o"]], r.get("optional", False)))
    for m in data["metrics"]:
        metrics.append({**m, "about": ids.get(m.get("about"))})


def organisation_families(gold_rels) -> dict[str, set[str]]:
    """Gold key -> keys joined to it by subOrganizationOf, either way and transitively (an aid
    command and its city, a branch and its parent): ``metric~`` credits a figure to any of them."""
    links: dict[str, set[str]] = defaultdict(set)
    for s, p, o, _ in gold_rels:
        if p == "subOrganizationOf":
            links[s].add(o)
            links[o].add(s)
    family = {}
    for start in links:
        seen, todo = {start}, [start]
        while todo:
            for n in links[todo.pop()] - seen:
                seen.add(n)
                todo.append(n)
        family[start] = seen
    return family


def _typed_nodes(g: rdflib.Graph) -> dict:
    """Node -> contract types, following rdfs:subClassOf to the contract classes."""
    parents = defaultdict(set)
    for c, p in g.triples((None, RDFS.subClassOf, None)):
        parents[c].add(p)

    def names(cls, seen=None):
        seen = seen or set()
        if cls in seen:
            return set()
        seen.add(cls)
        out = {local_name(cls)}
        for p in parents.get(cls, ()):
            out |= names(p, seen)
        return out

    wanted = set(ENTITY_TYPES) | {"Metric"}
    types = defaultdict(set)
    for node, cls in g.subject_objects(RDF.type):
        hit = names(cls) & wanted
        if hit:
            types[node] |= hit
    return types


def _transitive(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    out = set(pairs)
    while True:
        extra = {(a, d) for a, b in out for c, d in out if b == c} - out
        if not extra:
            return out
        out |= extra


def evaluate(graph: rdflib.Graph | str | Path, gold_dir: str | Path) -> Report:
    gold, gold_rels, gold_metrics = load_gold(gold_dir)
    if not isinstance(graph, rdflib.Graph):
        from .sparql import load_graph
        graph = load_graph(graph)
    g = graph
    report = Report()
    types = _typed_nodes(g)
    labels = defaultdict(set)
    for s, p, o in g:
        if isinstance(o, Literal) and local_name(p) in LABEL_PROPS and s in types:
            labels[s].add(normalise(o))

    # -- entities
    name_to_gold = {}
    for key, e in gold.items():
        for n in e.names:
            name_to_gold.setdefault(n, key)
    counts = {t: Score() for t in ENTITY_TYPES}
    node_gold, matched = {}, set()
    nodes = [n for n, ts in types.items() if ts & set(ENTITY_TYPES)]
    nodes.sort(key=lambda n: (not (labels[n] & set(gold)), str(n)))
    for node in nodes:
        ntypes = types[node] & set(ENTITY_TYPES)
        key = next((name_to_gold[l] for l in sorted(labels[node]) if l in name_to_gold), None)
        if key is not None:
            node_gold[node] = key
        target = gold.get(key)
        if target is None:
            for t in ntypes:
                counts[t].fp += 1
                report.errors.append(f"entity {t}: spurious {sorted(labels[node])[:1]}")
            continue
        if target.optional:
            continue
        if ntypes & target.types and key not in matched:
            matched.add(key)
            counts[target.type].tp += 1
            for t in ntypes - target.types:
                counts[t].fp += 1
                report.errors.append(f"entity {t}: extra type on {target.name}")
        else:
            for t in ntypes:
                counts[t].fp += 1
                kind = "duplicate" if ntypes & target.types else "wrong type"
                report.errors.append(f"entity {t}: {kind} {target.name}")
    for key, e in gold.items():
        if not e.optional and key not in matched:
            counts[e.type].fn += 1
            report.errors.append(f"entity {e.type}: missed {e.name}")
    report.entities = dict(counts)
    for group, members in (("mission", MISSION_TYPES), ("extended", EXTENDED), ("all", ENTITY_TYPES)):
        report.entities[group] = Score(sum(counts[t].tp for t in members), sum(counts[t].fp for t in members),
                                       sum(counts[t].fn for t in members))

    # -- relations
    def canon(s, p, o):
        return (min(s, o), p, max(s, o)) if p == "pairedWith" and s and o else (s, p, o)

    strict = {canon(s, p, o) for s, p, o, opt in gold_rels if not opt}
    lenient = {canon(s, p, o) for s, p, o, opt in gold_rels if opt}
    for p in ("locatedIn", "subOrganizationOf"):
        lenient |= {(a, p, b) for a, b in _transitive({(s, o) for s, q, o, _ in gold_rels if q == p})}
    admin = {k for k, e in gold.items() if e.type in ADMIN_TYPES}
    found, seen, rel_fp = set(), set(), defaultdict(int)
    for s, p, o in g:
        name = local_name(p)
        if name not in RELATIONS or "Metric" in types.get(s, ()) or "Metric" in types.get(o, ()):
            continue
        t = canon(node_gold.get(s), name, node_gold.get(o))
        if t in seen:
            continue
        seen.add(t)
        if t in strict:
            found.add(t)
        elif name == "locatedIn" and t[0] in admin and t[2] in admin:
            continue
        elif t not in lenient:
            rel_fp[name] += 1
            report.errors.append(f"relation {name}: spurious {t}")
    for name in RELATIONS:
        missed = [t for t in strict if t[1] == name and t not in found]
        report.errors += [f"relation {name}: missed {t}" for t in missed]
        report.relations[name] = Score(sum(1 for t in found if t[1] == name), rel_fp[name], len(missed))
    report.relations["all"] = Score(len(found), sum(rel_fp.values()), len(strict - found))

    # -- metrics
    predicted = []
    for node, ts in sorted(types.items(), key=lambda kv: str(kv[0])):
        if "Metric" not in ts:
            continue
        rec = {"value": None, "unit": None, "about": None}
        for p, o in g.predicate_objects(node):
            name = local_name(p)
            if name == "value" and isinstance(o, Literal):
                try:
                    rec["value"] = float(o.toPython())
                except (TypeError, ValueError):
                    pass
            elif name == "unit":
                rec["unit"] = unit_of(o)
            elif name == "about":
                rec["about"] = node_gold.get(o, "?")
        if rec["about"] is None:
            for s, p in g.subject_predicates(node):
                if local_name(p) == "hasMetric":
                    rec["about"] = node_gold.get(s, "?")
        predicted.append(rec)

    family = organisation_families(gold_rels)
    for level in ("value", "value+unit", "value+unit+about", "value+unit+about~"):
        used, score = set(), Score()
        for m in predicted:
            best = None
            for i, gm in enumerate(gold_metrics):
                if i in used or not _close(m["value"], float(gm["value"])):
                    continue
                if level != "value" and not same_quantity(m["value"], m["unit"], float(gm["value"]),
                                                          unit_of(gm["unit"])):
                    continue
                if level == "value+unit+about" and gm["about"] != m["about"]:
                    continue
                if level == "value+unit+about~" and gm["about"] != m["about"] \
                        and m["about"] not in family.get(gm["about"], ()):
                    continue
                best = i
                if not gm.get("optional"):
                    break
            if best is None:
                score.fp += 1
                if level == "value+unit+about":
                    report.errors.append(f"metric: spurious {m['value']} {m['unit']}")
            else:
                used.add(best)
                score.tp += 0 if gold_metrics[best].get("optional") else 1
        for i, gm in enumerate(gold_metrics):
            if i not in used and not gm.get("optional"):
                score.fn += 1
                if level == "value+unit+about":
                    report.errors.append(f"metric: missed {gm['indicator']} {gm['value']} {gm['unit']}")
        report.metrics[level] = score
    return report
