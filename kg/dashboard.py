"""Key figures per pairing: for each supporter -> supported pair, the funds, projects,
cadres, teachers, doctors, enterprises introduced and things built, as the graph states them.

Entry point: :func:`key_figures` (graph -> :class:`Dashboard`), a pure function over the
RDF written by :mod:`kg.graph` (an rdflib Graph or a :class:`~kg.graph.TermIndex`);
:meth:`Dashboard.csv` gives the same table as CSV, :func:`format_zh` writes one figure in
Chinese units (840000000 CNY -> 8.4亿元). The explorer embeds the result (``kg.html``) and
``kg serve`` answers it at ``/api/dashboard``.

How a figure finds its pairing
    A pairing is a ``yj:supports`` edge between entities whose supporter is not a body of
    another supporter of the same place (an aid command folds into its city). A metric
    belongs to the pairing whose supporter side (the supporter, its bodies by
    ``yj:subOrganizationOf``, initiatives they implement) or supported place it is
    ``yj:about``; when a supporter has several pairings, the supported place the metric is
    about, else the one its article names most, decides (no decision: left out).
    The column comes from ``kg/data/lexicon/key_figures.tsv`` (unit and indicator words).

Repeats and conflicts
    A figure's subject is the side of its pairing it is about: the supporter (with its bodies
    and initiatives), the supported place, or both. One value, unit and period of one column
    and subject of one pairing is one figure, however many articles report it: its sources are
    all listed. Two figures of one column, subject, indicator and period with different values
    are flagged as conflicting; the same words about the other side are another fact.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .graph import Lit, TermIndex
from .lexicon import _lines
from .model import ENTITY_TYPES

YJ = "https://w3id.org/yuanjiang-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_PREDICATE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
ITSRDF_REF = "http://www.w3.org/2005/11/its/rdf#taIdentRef"
SOURCE_FILE = YJ + "sourceFile"
DC_TITLE = "http://purl.org/dc/terms/title"

# unit code -> Chinese measure word after the number
MEASURE_ZH = {
    "CNY": "元", "person": "名", "times": "人次", "item": "个", "school": "所", "batch": "批",
    "class": "个班", "head": "头", "household": "户", "jin": "斤", "kg": "千克", "km": "公里",
    "km2": "平方公里", "m": "米", "m2": "平方米", "mu": "亩", "percent": "%", "t": "吨",
    "vehicle": "辆", "day": "天", "hour": "小时", "month": "个月", "pair": "对", "bottle": "瓶", "spindle": "锭",
}
# counts of people or things stay whole numbers however large; amounts get 万 and 亿
_COUNTED = {"person", "times", "item", "school", "batch", "class", "household", "vehicle", "pair"}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    units: frozenset[str]
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def columns() -> tuple[Column, ...]:
    return tuple(Column(k, zh, frozenset(u.split("|")), tuple(w.split("|")))
                 for k, zh, u, w in _lines("key_figures.tsv"))


@dataclass(frozen=True)
class Source:
    sentence: str          # IRI of the nif:Sentence
    document: str          # IRI of the document ("" if unknown)
    file: str              # its source file name
    text: str              # the sentence


@dataclass
class Figure:
    column: str
    subject: str                       # what it is about: the supporter's or the supported's label, or both
    indicators: list[str]              # the wordings that reported it
    value: Decimal
    unit: str
    period: str
    approximate: bool
    text: str                          # in Chinese units: 8.4亿元
    sources: list[Source] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    confidence: float | None = None
    conflict: bool = False             # another value for the same column, subject, indicator, period


@dataclass
class Pairing:
    supporter: str
    supporter_label: str
    supported: str
    supported_label: str
    figures: list[Figure] = field(default_factory=list)
    introduced: list[str] = field(default_factory=list)   # labels, from yj:introduced
    built: list[str] = field(default_factory=list)        # labels, from yj:builds

    def by_column(self, key: str) -> list[Figure]:
        return [f for f in self.figures if f.column == key]


@dataclass
class Dashboard:
    pairings: list[Pairing]

    HEADER = ("支援方", "受援方", "类别", "主体", "指标", "数值", "原值", "单位", "时期", "约数",
              "冲突", "来源文件", "来源句子")

    def rows(self) -> list[tuple]:
        zh = {c.key: c.zh for c in columns()}
        out = []
        for p in self.pairings:
            for f in p.figures:
                out.append((p.supporter_label, p.supported_label, zh[f.column], f.subject, "、".join(f.indicators),
                            f.text, _plain(f.value), f.unit, f.period, "是" if f.approximate else "",
                            "是" if f.conflict else "", " ".join(sorted({s.file for s in f.sources})),
                            " | ".join(s.text for s in f.sources)))
        return out

    def csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.HEADER)
        w.writerows(self.rows())
        return buf.getvalue()


def format_zh(value: Decimal | int | float, unit: str, approximate: bool = False) -> str:
    """A figure in Chinese units: 840000000 CNY -> 8.4亿元, 74 person -> 74名,
    61800 m2 -> 6.18万平方米, 91 percent -> 91%."""
    v = Decimal(str(value))
    word = MEASURE_ZH.get(unit, unit)
    scale = ""
    if unit not in _COUNTED and unit != "percent":
        for step, name in ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万")):
            if abs(v) >= step:
                v, scale = v / step, name
                break
    return ("约" if approximate else "") + _plain(round(v, 2)) + scale + word


def _plain(v: Decimal) -> str:
    """840000000 -> '840000000', 8.40 -> '8.4' (no exponent, no trailing zeros)."""
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


def key_figures(graph, kept=None) -> Dashboard:
    """The dashboard of ``graph``: one :class:`Pairing` per supporter -> supported pair,
    sorted by labels, each with its figures (columns in the order of key_figures.tsv).

    ``kept(key, make)``, if given, returns ``make()`` or what it gave before for the same
    key (:meth:`kg.html._GraphData.kept`): what is read of each metric and of each entity's
    mentions goes through it, so a rebuild reads again only what changed."""
    return _Builder(TermIndex.of(graph), kept).build()


def _make(key, make):
    return make()


class _Builder:
    def __init__(self, g: TermIndex, kept=None):
        self.g = g
        self.kept = kept or _make
        g.index_objects([RDF_TYPE, YJ + "about", YJ + "hasMetric", ITSRDF_REF, YJ + "supports",
                         YJ + "subOrganizationOf", YJ + "implements", YJ + "introduced", YJ + "builds",
                         RDF_PREDICATE])
        self._docs_of: dict[str, dict[str, int]] = {}

    def label(self, iri: str) -> str:
        g = self.g
        for prop in (SKOS_PREF, RDFS_LABEL):
            zh = sorted(str(l) for l in g.objects(iri, prop) if isinstance(l, Lit) and l.lang.startswith("zh"))
            if zh:
                return zh[0]
        any_ = sorted(str(l) for l in g.objects(iri, RDFS_LABEL))
        return any_[0] if any_ else iri.rstrip("/").rsplit("/", 1)[-1]

    def mentions_per_doc(self, entity: str) -> dict[str, int]:
        """How often each document names ``entity``."""
        if entity not in self._docs_of:
            self._docs_of[entity] = self.kept(("mentions per document", entity), lambda: self._count_mentions(entity))
        return self._docs_of[entity]

    def _count_mentions(self, entity: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.g.subjects(ITSRDF_REF, entity):
            doc = self.g.value(m, NIF + "referenceContext")
            if doc is not None:
                counts[str(doc)] = counts.get(str(doc), 0) + 1
        return counts

    def sentence_source(self, sentence: str) -> Source | None:
        g = self.g
        text, doc = g.values(sentence, (NIF + "isString", NIF + "referenceContext"))
        if text is None:
            return None
        doc = str(doc) if doc is not None else ""
        name = g.value(doc, SOURCE_FILE) if doc else None
        return Source(sentence, doc, str(name) if name is not None else doc.rsplit("/", 1)[-1], str(text))

    def build(self) -> Dashboard:
        g = self.g
        entities = {str(s) for t in ENTITY_TYPES for s in g.subjects(RDF_TYPE, YJ + t)}
        entities -= {str(m) for m in g.subjects(RDF_TYPE, YJ + "Metric")}
        parent = {}
        for s, o in g.subject_objects(YJ + "subOrganizationOf"):
            parent.setdefault(str(s), set()).add(str(o))
        supports = sorted({(str(s), str(o)) for s, o in g.subject_objects(YJ + "supports")
                           if str(s) in entities and str(o) in entities})
        pairs = [(s, t) for s, t in supports
                 if not any((p, t) in supports for p in parent.get(s, ()))]
        children: dict[str, set[str]] = {}
        for b, ps in parent.items():
            for p in ps:
                children.setdefault(p, set()).add(b)
        side: dict[tuple[str, str], set[str]] = {}
        side_of: dict[str, set[str]] = {}       # (a supporter's side is the same for each pairing)
        for s, t in pairs:
            if s not in side_of:
                bodies = {s} | children.get(s, set())
                side_of[s] = bodies | {str(i) for b in bodies for i in g.objects(b, YJ + "implements")}
            side[(s, t)] = side_of[s]
        targets_of: dict[str, list[str]] = {}
        for s, t in pairs:
            targets_of.setdefault(s, []).append(t)

        labels = {e: self.label(e) for e in sorted({e for pair in pairs for e in pair})}
        pairings = {(s, t): Pairing(s, labels[s], t, labels[t]) for s, t in pairs}
        # entity -> the pairings it stands for (supporter's side, or the supported place)
        self.anchored: dict[str, list] = {}
        for pair in pairs:
            for e in side[pair] | {pair[1]}:
                self.anchored.setdefault(e, []).append(pair)
        self._add_metrics(pairings, side)
        self._add_relations(pairings, side, targets_of)
        return Dashboard(sorted(pairings.values(), key=lambda p: (p.supporter_label, p.supported_label,
                                                                  p.supporter, p.supported)))

    def choose(self, candidates: list[tuple[str, str]], about: set[str], doc: str | None):
        """The pairing a statement about ``about`` in document ``doc`` belongs to, or None."""
        return self._by_document(self._narrowed(candidates, about), doc)

    @staticmethod
    def _narrowed(candidates: list[tuple[str, str]], about: set[str]) -> list[tuple[str, str]]:
        """Of several candidate pairings, those whose supported place the statement is about, if any."""
        if len(candidates) > 1:
            direct = [p for p in candidates if p[1] in about]
            if direct:
                return direct
        return candidates

    def _by_document(self, candidates: list[tuple[str, str]], doc: str | None):
        """The one pairing left once several are told apart by how often ``doc`` names
        their supported places, or None."""
        if len(candidates) > 1 and doc:
            targets = sorted({p[1] for p in candidates})
            if len(targets) == 1:       # all of one place: however often it is named, none stands out
                return None
            named = {t: self.mentions_per_doc(t).get(doc, 0) for t in targets}
            best = max(named.values())
            candidates = [p for p in candidates if named[p[1]] == best] if best else []
        return candidates[0] if len(candidates) == 1 else None

    @staticmethod
    def subject(pairing: "Pairing", about: set[str], side: set[str]) -> str:
        """Which side of ``pairing`` a metric about ``about`` speaks of, as labels: the
        supporter (its side: bodies, initiatives), the supported place, or both."""
        ends = [label for hit, label in ((about & side, pairing.supporter_label),
                                         (pairing.supported in about, pairing.supported_label)) if hit]
        return "、".join(ends)

    def _add_metrics(self, pairings: dict, side: dict) -> None:
        g = self.g
        cols = columns()
        groups: dict[tuple, Figure] = {}
        narrowed: dict[frozenset, list] = {}      # many figures share their subjects
        for m in sorted(str(x) for x in g.subjects(RDF_TYPE, YJ + "Metric")):
            read = self.kept(("metric figure", m), lambda: self._metric(m, cols))
            if read is None:
                continue
            col, number, unit, indicator, period, approx, conf, about, sources = read
            doc = sources[0].document if sources else None
            known = frozenset(about)
            if known not in narrowed:
                narrowed[known] = self._narrowed(sorted({p for a in about for p in self.anchored.get(a, ())}), about)
            pair = self._by_document(narrowed[known], doc)
            if pair is None:
                continue
            period = str(period or "")
            is_approx = str(approx).lower() == "true"
            subject = self.subject(pairings[pair], about, side[pair])
            key = (pair, col.key, subject, number, unit, period)
            fig = groups.get(key)
            if fig is None:
                fig = groups[key] = Figure(col.key, subject, [], number, unit, period, is_approx,
                                           format_zh(number, unit, is_approx))
                pairings[pair].figures.append(fig)
            if indicator and indicator not in fig.indicators:
                fig.indicators.append(indicator)
            fig.metrics.append(m)
            fig.sources.extend(s for s in sources if s not in fig.sources)
            if conf is not None:
                c = float(str(conf))
                fig.confidence = c if fig.confidence is None else max(fig.confidence, c)
        order = {c.key: i for i, c in enumerate(cols)}
        for p in pairings.values():
            seen: dict[tuple, set] = {}
            for f in p.figures:
                for ind in f.indicators:
                    seen.setdefault((f.column, f.subject, ind, f.period, f.unit), set()).add(f.value)
            for f in p.figures:
                f.conflict = any(len(seen[(f.column, f.subject, ind, f.period, f.unit)]) > 1 for ind in f.indicators)
                f.sources.sort(key=lambda s: (s.file, s.sentence))
            p.figures.sort(key=lambda f: (order[f.column], f.subject, f.period, -f.value, f.indicators))

    def _metric(self, m: str, cols) -> tuple | None:
        """What a metric says for the dashboard: its column, value, unit, indicator, period,
        approximate mark, confidence, subjects and sources; None if no column takes it."""
        g = self.g
        value, unit, indicator, period, approx, conf = g.values(m, [YJ + p for p in (
            "value", "unit", "indicator", "period", "approximate", "confidence")])
        if value is None or unit is None:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        unit, indicator = str(unit), str(indicator or "")
        col = next((c for c in cols if unit in c.units and any(w in indicator for w in c.words)), None)
        if col is None:
            return None
        about = {str(a) for a in g.objects(m, YJ + "about")} | {str(a) for a in g.subjects(YJ + "hasMetric", m)}
        sources = [s for s in (self.sentence_source(str(x)) for x in g.objects(m, PROV_DERIVED)) if s]
        return col, number, unit, indicator, period, approx, conf, about, sources

    def _relation(self, facts: list[str], o: str) -> tuple[str | None, set[str], str]:
        """What the dashboard needs of a relation to ``o`` stated by ``facts``: the first
        document stating it, ``o`` and where it lies, and its label."""
        g = self.g
        docs = []
        for f in facts:
            for sent in g.objects(f, PROV_DERIVED):
                d = g.value(sent, NIF + "referenceContext")
                if d is not None:
                    docs.append(str(d))
        return (docs[0] if docs else None, {o} | {str(x) for x in g.objects(o, YJ + "locatedIn")},
                self.label(o))

    def _add_relations(self, pairings: dict, side: dict, targets_of: dict) -> None:
        """Enterprises introduced and things built by the supporter's side, as relations."""
        g = self.g
        facts: dict[tuple[str, str, str], list[str]] = {}
        for rel in ("introduced", "builds"):
            for f in g.subjects(RDF_PREDICATE, YJ + rel):
                s, o = g.values(f, (RDF_SUBJECT, RDF_OBJECT))
                if s is not None and o is not None:
                    facts.setdefault((str(s), YJ + rel, str(o)), []).append(str(f))
        for rel, attr in (("introduced", "introduced"), ("builds", "built")):
            for s, o in sorted((str(a), str(b)) for a, b in g.subject_objects(YJ + rel)):
                candidates = self.anchored.get(s, [])
                stating = facts.get((s, YJ + rel, o), [])
                doc, where, label = self.kept(("relation", rel, s, o, *stating),
                                              lambda: self._relation(stating, o))
                pair = self.choose(candidates, where, doc)
                if pair is not None:
                    names = getattr(pairings[pair], attr)
                    if label not in names:
                        names.append(label)
        for p in pairings.values():
            p.introduced.sort()
            p.built.sort()
