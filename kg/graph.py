"""The knowledge graph as RDF (rdflib) and as a networkx graph.

Entry points: :func:`to_rdf` and :func:`to_networkx`. The shape is described in
``docs/rdf-design.md``: entities typed with the contract classes, NIF mention and
sentence nodes for provenance, a reified ``yj:Fact`` per relation, ``yj:Metric`` nodes.
All offsets written to RDF are offsets into the original file (``Document.raw``).
"""
from __future__ import annotations

import hashlib
from decimal import Decimal

import networkx as nx
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .model import KnowledgeGraph

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
DEFAULT_BASE = "https://w3id.org/yuanjiang-kg/"
PREFIXES = {"yj": YJ, "nif": NIF, "itsrdf": ITSRDF, "schema": SCHEMA, "prov": PROV,
            "skos": SKOS, "dcterms": DCTERMS}


class Iris:
    """Deterministic IRIs under one configurable base."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def entity(self, key: str) -> URIRef:
        return URIRef(f"{self.base}id/{key}")

    def metric(self, key: str) -> URIRef:
        return URIRef(f"{self.base}id/metric/{_safe(key)}")    # keys start with the file stem

    def document(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}doc/{_safe(doc_id)}")

    def sentence(self, doc_id: str, index: int) -> URIRef:
        return URIRef(f"{self.base}doc/{_safe(doc_id)}/sentence/{index}")

    def mention(self, doc_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}doc/{_safe(doc_id)}/mention/{start}-{end}")

    def fact(self, s: str, p: str, o: str) -> URIRef:
        digest = hashlib.sha1(f"{s} {p} {o}".encode("utf-8")).hexdigest()[:12]
        return URIRef(f"{self.base}fact/{digest}")

    @property
    def gazetteer(self) -> URIRef:
        return URIRef(f"{self.base}reference/gazetteer")


def _safe(text: str) -> str:
    """File stems become IRI segments: keep ASCII letters, digits and -_. only."""
    out = "".join(c if (c.isascii() and (c.isalnum() or c in "-_.")) else f"_{ord(c):x}" for c in text)
    return out or "_"


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class _Sink:
    """Collects triples per named graph: one per source document plus reference data."""

    def __init__(self):
        self.graphs: dict[str, set] = {}
        self.current = "reference"

    def add(self, triple) -> None:
        self.graphs.setdefault(self.current, set()).add(triple)


def to_rdf(kg: KnowledgeGraph, base: str = DEFAULT_BASE) -> Graph:
    """The whole graph as one rdflib Graph (what graph.ttl holds)."""
    return graph_from_quads(to_quads(kg, base), base)


def to_dataset(kg: KnowledgeGraph, base: str = DEFAULT_BASE) -> Dataset:
    """One named graph per source document (``{base}doc/{doc_id}``) and one for reference
    data (``{base}reference``): gazetteer containment. The union equals :func:`to_rdf`."""
    return dataset_from_quads(to_quads(kg, base), base)


def to_quads(kg: KnowledgeGraph, base: str = DEFAULT_BASE) -> dict[str, set]:
    """The triples of the graph grouped by named graph: a document id, or ``"reference"``.

    Plain sets of rdflib terms: the exporters write files straight from them, so a big
    build never has to fill an rdflib store (the slowest step at a million triples)."""
    return _triples(kg, base)


def graph_name(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """IRI of a named graph of :func:`to_quads`."""
    iris = Iris(base)
    return URIRef(iris.base + "reference") if name == "reference" else iris.document(name)


class TripleIndex:
    """A read-only view of a set of triples with the lookups the HTML page needs
    (``value``, ``objects``, ``subjects``, ``subject_objects``), the way rdflib's Graph
    answers them. Two plain dict indexes: several times cheaper to build than an rdflib
    store, which matters when a build of many articles only wants to draw its graph."""

    def __init__(self, triples):
        self.spo: dict = {}
        self.pos: dict = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, []).append(o)
            self.pos.setdefault(p, {}).setdefault(o, []).append(s)
        self._len = sum(len(objs) for po in self.spo.values() for objs in po.values())

    def __len__(self) -> int:
        return self._len

    def __iter__(self):
        for s, po in self.spo.items():
            for p, objs in po.items():
                for o in objs:
                    yield s, p, o

    def objects(self, subject=None, predicate=None):
        if subject is None:
            return iter([o for po in self.spo.values() for o in po.get(predicate, ())])
        po = self.spo.get(subject, {})
        if predicate is None:
            return iter([o for objs in po.values() for o in objs])
        return iter(po.get(predicate, ()))

    def subjects(self, predicate=None, object=None):
        if predicate is None:
            return iter(list(self.spo))
        os_ = self.pos.get(predicate, {})
        if object is None:
            return iter([s for subjects in os_.values() for s in subjects])
        return iter(os_.get(object, ()))

    def subject_objects(self, predicate):
        return iter([(s, o) for o, subjects in self.pos.get(predicate, {}).items() for s in subjects])

    def value(self, subject, predicate):
        found = self.spo.get(subject, {}).get(predicate)
        return min(found, key=str) if found else None


def graph_from_quads(quads: dict[str, set], base: str = DEFAULT_BASE) -> Graph:
    g = Graph()
    _bind(g, Iris(base))
    for triples in quads.values():
        g.addN((s, p, o, g) for s, p, o in triples)
    return g


def dataset_from_quads(quads: dict[str, set], base: str = DEFAULT_BASE) -> Dataset:
    ds = Dataset()
    _bind(ds, Iris(base))
    for name, triples in sorted(quads.items()):
        ctx = ds.graph(graph_name(name, base))
        ctx.addN((s, p, o, ctx) for s, p, o in triples)
    return ds


def _bind(g, iris: Iris) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("id", Namespace(iris.base + "id/"))


def _triples(kg: KnowledgeGraph, base: str) -> dict[str, set]:
    iris = Iris(base)
    g = _Sink()
    docs = {d.doc_id: d for d in kg.documents}

    def raw(doc_id: str, start: int, end: int) -> tuple[int, int]:
        return docs[doc_id].raw_span(start, end)

    # Only sentences that some mention, fact or metric points to become nodes: the rest is
    # plain article text, and a corpus of long articles would otherwise be mostly sentences.
    cited = {(m.doc_id, m.sentence) for e in kg.entities.values() for m in e.mentions}
    cited |= {(ev.doc_id, ev.sentence) for rel in kg.relations for ev in rel.evidence}
    cited |= {(met.evidence.doc_id, met.evidence.sentence) for met in kg.metrics if met.evidence}
    for doc in kg.documents:
        g.current = doc.doc_id
        d = iris.document(doc.doc_id)
        g.add((d, RDF.type, NIF.Context))
        g.add((d, RDF.type, PROV.Entity))
        g.add((d, RDF.type, SCHEMA.Article))
        g.add((d, YJ.sourceFile, Literal(doc.name)))
        g.add((d, YJ.encoding, Literal(doc.encoding)))
        if doc.metadata.get("title"):
            g.add((d, DCTERMS.title, _zh(doc.metadata["title"])))
        if doc.metadata.get("url"):
            g.add((d, SCHEMA.url, Literal(doc.metadata["url"], datatype=XSD.anyURI)))
        if doc.metadata.get("date"):
            g.add((d, DCTERMS.date, Literal(doc.metadata["date"])))
        if doc.metadata.get("converted_from"):
            g.add((d, YJ.convertedFrom, Literal(doc.metadata["converted_from"])))
        for sent in doc.sentences:
            if (doc.doc_id, sent.index) not in cited:
                continue
            s = iris.sentence(doc.doc_id, sent.index)
            rs, re_ = raw(doc.doc_id, sent.start, sent.end)
            g.add((s, RDF.type, NIF.Sentence))
            g.add((s, NIF.isString, _zh(sent.text)))
            g.add((s, NIF.beginIndex, Literal(rs, datatype=XSD.nonNegativeInteger)))
            g.add((s, NIF.endIndex, Literal(re_, datatype=XSD.nonNegativeInteger)))
            g.add((s, NIF.referenceContext, d))
            g.add((s, YJ.paragraphKind, Literal(sent.kind)))

    for e in kg.entities.values():
        for doc_id in sorted({m.doc_id for m in e.mentions}) or ["reference"]:
            g.current = doc_id
            _describe(g, e, iris)
        for m in e.mentions:
            g.current = m.doc_id
            rs, re_ = raw(m.doc_id, m.start, m.end)
            mn = iris.mention(m.doc_id, rs, re_)
            g.add((mn, RDF.type, NIF.Phrase))
            g.add((mn, NIF.anchorOf, _zh(m.text)))
            g.add((mn, NIF.beginIndex, Literal(rs, datatype=XSD.nonNegativeInteger)))
            g.add((mn, NIF.endIndex, Literal(re_, datatype=XSD.nonNegativeInteger)))
            g.add((mn, NIF.referenceContext, iris.document(m.doc_id)))
            g.add((mn, NIF.sentence, iris.sentence(m.doc_id, m.sentence)))
            g.add((mn, ITSRDF.taIdentRef, iris.entity(e.key)))

    for rel in kg.relations:
        homes = ["reference"] if rel.source == "gazetteer" else sorted({ev.doc_id for ev in rel.evidence})
        for home in homes:
            g.current = home
            _relation(g, rel, iris, [ev for ev in rel.evidence if home in ("reference", ev.doc_id)], raw)
    if any(r.source == "gazetteer" for r in kg.relations):
        g.current = "reference"
        g.add((iris.gazetteer, RDF.type, PROV.Entity))
        g.add((iris.gazetteer, RDFS.label, Literal("GB/T 2260 administrative divisions (kg/data/gazetteer.tsv)", lang="en")))

    for met in kg.metrics:
        g.current = met.evidence.doc_id if met.evidence else "reference"
        _metric(g, met, iris, raw)
    return g.graphs


def _describe(g: _Sink, e, iris: Iris) -> None:
    """Types, labels and codes of an entity (repeated in each document graph naming it)."""
    node = iris.entity(e.key)
    for t in e.types:
        g.add((node, RDF.type, YJ[t]))
    g.add((node, RDFS.label, _zh(e.label)))
    g.add((node, SKOS.prefLabel, _zh(e.label)))
    for alt in sorted(e.alt_labels):
        g.add((node, SKOS.altLabel, _zh(alt)))
    if e.english:
        g.add((node, RDFS.label, Literal(e.english, lang="en")))
    if e.code:
        g.add((node, YJ.adminCode, Literal(e.code)))
    g.add((node, YJ.mentionCount, Literal(len(e.mentions), datatype=XSD.integer)))
    for key in sorted(e.aid_fields):
        g.add((node, YJ.aidField, YJ[f"field-{key}"]))


def _relation(g: _Sink, rel, iris: Iris, evidence, raw) -> None:
    s, o = iris.entity(rel.subject), iris.entity(rel.object)
    g.add((s, YJ[rel.predicate], o))
    fact = iris.fact(rel.subject, rel.predicate, rel.object)
    g.add((fact, RDF.type, RDF.Statement))
    g.add((fact, RDF.type, YJ.Fact))
    g.add((fact, RDF.subject, s))
    g.add((fact, RDF.predicate, YJ[rel.predicate]))
    g.add((fact, RDF.object, o))
    if rel.source == "gazetteer":
        g.add((fact, PROV.wasDerivedFrom, iris.gazetteer))
    for ev in evidence:
        if rel.source != "gazetteer":
            g.add((fact, PROV.wasDerivedFrom, iris.sentence(ev.doc_id, ev.sentence)))
        if ev.trigger:
            g.add((fact, YJ.trigger, _zh(ev.trigger)))


def _metric(g: _Sink, met, iris: Iris, raw) -> None:
    node = iris.metric(met.key)
    g.add((node, RDF.type, YJ.Metric))
    value = Decimal(repr(met.value)).normalize() if met.value % 1 else Decimal(int(met.value))
    g.add((node, YJ.value, Literal(value, datatype=XSD.decimal)))
    g.add((node, YJ.unit, Literal(met.unit)))
    g.add((node, YJ.indicator, _zh(met.indicator)))
    g.add((node, YJ.surface, _zh(met.surface)))
    g.add((node, YJ.approximate, Literal(met.approx)))
    if met.period:
        g.add((node, YJ.period, _zh(met.period)))
    if met.about:
        g.add((node, YJ.about, iris.entity(met.about)))
        g.add((iris.entity(met.about), YJ.hasMetric, node))
    if met.evidence:
        ev = met.evidence
        rs, re_ = raw(ev.doc_id, ev.start, ev.end)
        g.add((node, PROV.wasDerivedFrom, iris.sentence(ev.doc_id, ev.sentence)))
        g.add((node, NIF.beginIndex, Literal(rs, datatype=XSD.nonNegativeInteger)))
        g.add((node, NIF.endIndex, Literal(re_, datatype=XSD.nonNegativeInteger)))


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Entities as nodes (with label, types, metrics), relations as keyed edges."""
    g = nx.MultiDiGraph()
    for e in kg.entities.values():
        g.add_node(e.key, label=e.label, types=list(e.types), code=e.code, metrics=[])
    for rel in kg.relations:
        g.add_edge(rel.subject, rel.object, key=rel.predicate, source=rel.source)
    for met in kg.metrics:
        if met.about in g:
            g.nodes[met.about]["metrics"].append((met.indicator, met.value, met.unit))
    return g
