"""The knowledge graph as RDF and as a networkx graph.

Entry points: :func:`to_quads` (N-Triples lines per named graph, what a build writes),
:func:`to_rdf` / :func:`to_dataset` (the same as rdflib objects) and :func:`to_networkx`;
:class:`TermIndex` reads lines back for lookups. The shape is described in
``docs/rdf-design.md``: entities typed with the contract classes, NIF mention and
sentence nodes for provenance, a reified ``yj:Fact`` per relation, ``yj:Metric`` nodes.
All offsets written to RDF are offsets into the original file (``Document.raw``).
"""
from __future__ import annotations

import codecs
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from sys import intern

from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .model import KnowledgeGraph, PackedDocument, opened
from .namespaces import DEFAULT_BASE, GRAPH_NAMESPACES

YJ = Namespace(GRAPH_NAMESPACES["yj"])
NIF = Namespace(GRAPH_NAMESPACES["nif"])
ITSRDF = Namespace(GRAPH_NAMESPACES["itsrdf"])
SCHEMA = Namespace(GRAPH_NAMESPACES["schema"])
SKOSXL = Namespace(GRAPH_NAMESPACES["skosxl"])
PREFIXES = {"yj": YJ, "nif": NIF, "itsrdf": ITSRDF, "schema": SCHEMA, "prov": PROV,
            "skos": SKOS, "skosxl": SKOSXL, "dcterms": DCTERMS}


class Iris:
    """Deterministic IRIs under one configurable base, as rdflib URIRefs or, with
    ``term=str``, plain strings (the graph's lines need only the text, and making a
    URIRef costs a validity check: 400,000 of them at 1,000 articles)."""

    def __init__(self, base: str = DEFAULT_BASE, term=URIRef):
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.term = term

    def entity(self, key: str) -> str:
        return self.term(f"{self.base}id/{key}")

    def metric(self, key: str) -> str:
        return self.term(f"{self.base}id/metric/{_safe(key)}")    # keys start with the file stem

    def document(self, doc_id: str) -> str:
        return self.term(f"{self.base}doc/{_safe(doc_id)}")

    def sentence(self, doc_id: str, index: int) -> str:
        return self.term(f"{self.base}doc/{_safe(doc_id)}/sentence/{index}")

    def mention(self, doc_id: str, start: int, end: int) -> str:
        return self.term(f"{self.base}doc/{_safe(doc_id)}/mention/{start}-{end}")

    def fact(self, s: str, p: str, o: str) -> str:
        digest = hashlib.sha1(f"{s} {p} {o}".encode("utf-8")).hexdigest()[:12]
        return self.term(f"{self.base}fact/{digest}")

    @property
    def gazetteer(self) -> str:
        return self.term(f"{self.base}reference/gazetteer")


@lru_cache(maxsize=1 << 16)
def _safe(text: str) -> str:
    """File stems become IRI segments: keep ASCII letters, digits and -_. only."""
    out = "".join(c if (c.isascii() and (c.isalnum() or c in "-_.")) else f"_{ord(c):x}" for c in text)
    return out or "_"


# N-Triples escapes as pyoxigraph writes them (so our lines are its canonical N-Triples);
# other control characters as \uXXXX, so article text can never carry the \x01 that
# marks rdf:type for sorting (see LINE_TYPE)
ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04X}" for c in (*range(32), 0x7F, 0xFFFE, 0xFFFF)},
                         "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                         "\b": "\\b", "\f": "\\f"})
# rdf:type with a \x01 before it: a plain sort of the lines puts it first in its subject,
# the order every writer uses; :func:`join_lines` takes the mark out
LINE_TYPE = f"\x01<{RDF.type}>"


def tagged(text: str, lang: str) -> str:
    """N-Triples text of a literal with a language tag."""
    return '"' + text.translate(ESCAPES) + '"@' + lang


def zh(text: str) -> str:
    """N-Triples text of a Chinese literal."""
    return tagged(text, "zh")


def plain(text: str) -> str:
    return '"' + text.translate(ESCAPES) + '"'


def typed(lexical: str, datatype: str) -> str:
    return '"' + lexical.translate(ESCAPES) + '"^^<' + datatype + ">"


_XSD_STRING = str(XSD.string)
_RDF_TYPE_TEXT = f"<{RDF.type}>"


def term_text(term) -> str:
    """N-Triples text of an rdflib term.

    Formatted here rather than through pyoxigraph term objects because that costs a
    Python call per term, seconds at a million triples; pyoxigraph parses the result
    strictly afterwards, so an IRI or tag that is not valid RDF still fails loudly.
    ``"".join`` because ``+`` on a URIRef builds a new URIRef (and warns)."""
    kind = type(term)
    if kind is URIRef or isinstance(term, URIRef):
        return "".join(("<", term, ">"))
    if kind is Literal or isinstance(term, Literal):
        text = str.translate(term, ESCAPES)
        if term.language:
            return "".join(('"', text, '"@', term.language))
        datatype = term.datatype
        if datatype is None or datatype == _XSD_STRING:
            return "".join(('"', text, '"'))
        return "".join(('"', text, '"^^<', datatype, ">"))
    if isinstance(term, BNode):
        return "".join(("_:", term))
    raise TypeError(f"cannot write {kind.__name__} {term!r} as RDF 1.1")


def lines_of(triples) -> list[str]:
    """rdflib triples -> lines in the form of :func:`to_quads`."""
    uri, nt, type_iri = URIRef, term_text, RDF.type
    lines = []
    add = lines.append
    for s, p, o in triples:
        st = "".join(("<", s, ">")) if type(s) is uri else nt(s)
        pt = LINE_TYPE if p == type_iri else "".join(("<", p, ">"))
        ot = "".join(("<", o, ">")) if type(o) is uri else nt(o)
        add("".join((st, " ", pt, " ", ot)))
    return lines


def _p(ns: Namespace, name: str) -> str:
    return f"<{ns[name]}>"


_NNI, _XSD_INTEGER = str(XSD.nonNegativeInteger), str(XSD.integer)
_XSD_DECIMAL, _XSD_BOOLEAN = str(XSD.decimal), str(XSD.boolean)     # (an rdflib lookup each time otherwise)
_T_CONTEXT, _T_PROV_ENTITY, _T_ARTICLE = _p(NIF, "Context"), _p(PROV, "Entity"), _p(SCHEMA, "Article")
_T_SENTENCE, _T_PHRASE, _T_METRIC = _p(NIF, "Sentence"), _p(NIF, "Phrase"), _p(YJ, "Metric")
_T_STATEMENT, _T_FACT = _p(RDF, "Statement"), _p(YJ, "Fact")
_T_CANDIDATE, _CONFIDENCE, _CANDIDATE_ABOUT = _p(YJ, "Candidate"), _p(YJ, "confidence"), _p(YJ, "candidateAbout")
_SOURCE_FILE, _ENCODING, _TITLE = _p(YJ, "sourceFile"), _p(YJ, "encoding"), _p(DCTERMS, "title")
_URL, _DATE, _CONVERTED = _p(SCHEMA, "url"), _p(DCTERMS, "date"), _p(YJ, "convertedFrom")
_IS_STRING, _BEGIN, _END = _p(NIF, "isString"), _p(NIF, "beginIndex"), _p(NIF, "endIndex")
_CONTEXT, _KIND, _ANCHOR = _p(NIF, "referenceContext"), _p(YJ, "paragraphKind"), _p(NIF, "anchorOf")
_SENTENCE, _IDENT = _p(NIF, "sentence"), _p(ITSRDF, "taIdentRef")
_LABEL, _PREF, _ALT = _p(RDFS, "label"), _p(SKOS, "prefLabel"), _p(SKOS, "altLabel")
_CODE, _COUNT, _FIELD = _p(YJ, "adminCode"), _p(YJ, "mentionCount"), _p(YJ, "aidField")
_SUBJECT, _PREDICATE, _OBJECT = _p(RDF, "subject"), _p(RDF, "predicate"), _p(RDF, "object")
_DERIVED, _TRIGGER, _EVIDENCE_COUNT = _p(PROV, "wasDerivedFrom"), _p(YJ, "trigger"), _p(YJ, "evidenceCount")
_SUPPORTER, _RECIPIENT = _p(YJ, "supporter"), _p(YJ, "recipient")
_VALUE, _UNIT, _INDICATOR, _SURFACE = _p(YJ, "value"), _p(YJ, "unit"), _p(YJ, "indicator"), _p(YJ, "surface")
_APPROX, _PERIOD, _ABOUT, _HAS_METRIC = _p(YJ, "approximate"), _p(YJ, "period"), _p(YJ, "about"), _p(YJ, "hasMetric")
_UNLISTED = _p(YJ, "typedBySuffix")
_XL_ALT, _XL_LABEL, _XL_FORM = _p(SKOSXL, "altLabel"), _p(SKOSXL, "Label"), _p(SKOSXL, "literalForm")
_FORMER_CODE, _USED_FROM, _USED_UNTIL = _p(YJ, "formerCode"), _p(YJ, "inUseFrom"), _p(YJ, "inUseUntil")


def _offset(n: int) -> str:
    return f'"{n}"^^<{_NNI}>'


def to_rdf(kg: KnowledgeGraph, base: str = DEFAULT_BASE) -> Graph:
    """The whole graph as one rdflib Graph (what graph.ttl holds)."""
    return graph_from_quads(to_quads(kg, base), base)


def to_dataset(kg: KnowledgeGraph, base: str = DEFAULT_BASE) -> Dataset:
    """One named graph per source document (``{base}doc/{doc_id}``), one for what merging
    across documents decides (``{base}merged``: each entity's types, labels, codes and
    mention count) and one for reference data (``{base}reference``): gazetteer containment.
    The union equals :func:`to_rdf`."""
    return dataset_from_quads(to_quads(kg, base), base)


def check_base(base: str) -> str:
    """``base`` if every IRI made under it can be valid, else ValueError saying why (a
    space or a ``<`` in it would otherwise fail only when the files are written)."""
    import pyoxigraph
    try:
        pyoxigraph.NamedNode(base + "id/x")
    except ValueError as err:
        raise ValueError(f"base IRI {base!r} is not a valid absolute IRI: {err}") from None
    return base


def to_quads(kg: KnowledgeGraph, base: str = DEFAULT_BASE,
             reuse: dict[str, tuple[str, bytes, int, str]] | None = None,
             described: dict | None = None, let_go: bool = False) -> "Runs":
    """The triples of the graph grouped by named graph (a document id, or ``"reference"``)
    as sorted, distinct N-Triples lines without the final `` .`` and with ``rdf:type``
    written as :data:`LINE_TYPE`, so that the sort is the order of every output file.

    Text, not rdflib terms: making a million rdflib terms (and hashing them) was most of
    the cost of a big build; the exporters join, sort and hand the lines to pyoxigraph,
    which parses them strictly. Held packed per graph (:class:`Runs`).

    ``reuse`` holds the document graphs of an earlier build (:attr:`Runs.memo`): a
    document graph whose inputs (:func:`document_print`) are those it was made from is
    taken as it is instead of being written again, and its entry leaves ``reuse`` (what is
    left is what changed: the lines a union kept from that build takes out).

    ``described`` is an earlier build's :attr:`Runs.described`: an entity whose types,
    labels, codes and mention count are those its lines were made from gets them from there
    (a rebuild after one edit changes a few dozen of the merged graph's 9,500 entities).

    ``let_go``: each document's text, offsets and sentences are emptied once its graph is
    made (for a caller that lets the graph go afterwards: at 10,000 articles they are
    about 350 MB, held to the end of the loop otherwise)."""
    return _lines(kg, base, {} if reuse is None else reuse, described or {}, let_go)


MERGED = "merged"
# graphs of :func:`to_quads` that are no document's: named ``{base}NAME``
SHARED_GRAPHS = ("reference", MERGED, "candidates")


def graph_name(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """IRI of a named graph of :func:`to_quads`."""
    iris = Iris(base)
    return URIRef(iris.base + name) if name in SHARED_GRAPHS else iris.document(name)


def ntriples_lines(lines, tail: str = " .\n") -> str:
    """Sorted N-Triples text of lines from :func:`to_quads` (N-Quads with a ``tail`` of
    `` <graph> .\n``)."""
    return join_lines(sorted(lines), tail)


def join_lines(sorted_lines: list[str], tail: str = " .\n") -> str:
    """Already sorted lines as N-Triples (N-Quads with a graph in ``tail``), mark removed."""
    if not sorted_lines:
        return ""
    return (tail.join(sorted_lines) + tail).replace(" \x01<", " <")


def graph_from_quads(quads: Mapping[str, Iterable[str]], base: str = DEFAULT_BASE) -> Graph:
    g = Graph()
    _bind(g, Iris(base))
    lines = set().union(*quads.values()) if quads else set()
    g.parse(data=ntriples_lines(lines), format="nt")
    return g


def dataset_from_quads(quads: Mapping[str, Iterable[str]], base: str = DEFAULT_BASE) -> Dataset:
    ds = Dataset()
    _bind(ds, Iris(base))
    for name, lines in sorted(quads.items()):
        ds.graph(graph_name(name, base)).parse(data=ntriples_lines(lines), format="nt")
    return ds


def _bind(g, iris: Iris) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("id", Namespace(iris.base + "id/"))


def document_print(base: str, doc, in_doc, rels, mets, candidate_sentences, stages: bytes | None = None,
                   merged: str | None = None) -> str:
    """Everything a document's graph is made of (:func:`_lines`): the document as read
    (its cache key), the entity key and span of each mention, the relations homed in it
    with their evidence there and their confidence across documents, its metrics, the
    sentences of its candidates, the base IRI and the code that writes the lines.

    ``stages``, where the build made it (:attr:`KnowledgeGraph.stage_prints`), is a
    digest of the document as read, the entity keys of its mentions and the relations and
    metrics its own stages found (the evidence in it of every relation homed in it): then
    only what resolution added (the mentions naming a pair's place inside another name)
    and what merging and the confidence threshold changed are added, not all of it again
    (``merged``: the relations homed in it as :func:`_homed` gives them)."""
    from .cache import document_key, slot_values
    h = hashlib.sha1(f"{_code_version()}\0{base}\0".encode())
    if stages is not None:
        h.update(b"stages\0" + stages)
        h.update(repr([(e.key, slot_values(m)) for e, m in in_doc if m.source == "name_part"]).encode(
            "utf-8", "surrogatepass"))
        h.update((merged if merged is not None else _homed(rels, {})).encode("utf-8", "surrogatepass"))
        h.update(repr([(m.key, m.about, m.candidate_about) for m in mets]).encode("utf-8", "surrogatepass"))
        h.update(repr(sorted(candidate_sentences)).encode())
        return h.hexdigest()
    h.update(f"{doc.key if isinstance(doc, PackedDocument) else document_key(doc)}\0".encode())
    h.update(repr([(e.key, slot_values(m)) for e, m in in_doc]).encode("utf-8", "surrogatepass"))
    h.update(repr([(r.subject, r.predicate, r.object, r.source, r.confidence,
                    [(ev.doc_id, ev.sentence, ev.start, ev.end, ev.trigger) for ev in evidence])
                   for r, evidence in rels]).encode("utf-8", "surrogatepass"))
    h.update(repr([(m.key, m.value, m.unit, m.indicator, m.surface, m.approx, m.period, m.about,
                    m.candidate_about, m.confidence, m.evidence) for m in mets]).encode("utf-8", "surrogatepass"))
    h.update(repr(sorted(candidate_sentences)).encode())
    return h.hexdigest()


def _homed(rels, said: dict[int, str]) -> str:
    """What merging decided of the relations homed in a document: each one's triple, source
    and confidence across documents (``said`` keeps each relation's text: a pairing stated
    in every article about it is homed in each)."""
    out = []
    for r, _ in rels:
        text = said.get(id(r))
        if text is None:
            text = said[id(r)] = repr((r.subject, r.predicate, r.object, r.source, r.confidence))
        out.append(text)
    return "\n".join(out)


@lru_cache(maxsize=1)
def _code_version() -> str:
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()


def _description_print(e) -> tuple:
    """What :func:`_describe` and :func:`_former_names` read of an entity (compared, not
    hashed: its sets compare equal in any order)."""
    return (e.key, tuple(e.types), e.label, frozenset(e.alt_labels), e.english, e.code,
            not e.code and unlisted_place(e), len(e.mentions), frozenset(e.aid_fields), e.former_names)


def _lines(kg: KnowledgeGraph, base: str, reuse: dict[str, tuple[str, bytes, int, str]],
           described: dict, let_go: bool = False) -> "Runs":
    """Document by document: each graph's lines are made, sorted and packed before the next
    one starts, so the whole graph is never held as text. A document graph found in
    ``reuse`` under the same :func:`document_print` is taken from there."""
    iris = Iris(base, term=str)
    runs = Runs()
    lines: set[str] = set()

    def add(s: str, p: str, o: str) -> None:
        lines.add(f"{s} {p} {o}")

    mentions: dict[str, list] = {}
    for e in kg.entities.values():
        for m in e.mentions:
            mentions.setdefault(m.doc_id, []).append((e, m))
    # relation -> its evidence in each document it is homed in (a relation stated in every
    # article must not be scanned once per article)
    relations: dict[str, list] = {}
    for rel in kg.relations:
        if rel.source == "gazetteer":
            relations.setdefault("reference", []).append((rel, rel.evidence))
            continue
        by_doc: dict[str, list] = {}
        for ev in rel.evidence:
            by_doc.setdefault(ev.doc_id, []).append(ev)
        for home in sorted(by_doc):
            relations.setdefault(home, []).append((rel, by_doc[home]))
    candidates: dict[str, list] = {}
    for rel in kg.candidates:
        for ev in rel.evidence[:1]:
            candidates.setdefault(ev.doc_id, []).append((rel, ev))
    metrics: dict[str, list] = {}
    for met in kg.metrics:
        metrics.setdefault(met.evidence.doc_id if met.evidence else "reference", []).append(met)
    said: dict[int, str] = {}           # (for document_print)
    # each entity's lines in the merged or reference graph, with what they were made from
    last = described.get("entities", {}) if described.get("made_with") == (_code_version(), base) else {}
    runs.described = {"made_with": (_code_version(), base), "entities": {}}
    descriptions = runs.described["entities"]

    def describe(e, node: str) -> None:
        made = descriptions.get(e.key)
        if made is None:
            made_from = _description_print(e)
            made = last.get(e.key)
            if made is None or made[0] != made_from:
                made = made_from, "\n".join(
                    f"{s} {p} {o}" for s, p, o in [(node, p, o) for p, o in _describe(e, node)] + _former_names(e, node))
            descriptions[e.key] = made
        lines.update(made[1].split("\n"))

    for doc in kg.documents:
        doc_id = doc.doc_id
        in_doc, rels, mets = mentions.get(doc_id, ()), relations.get(doc_id, ()), metrics.get(doc_id, ())
        cited_candidates = {ev.sentence for _, ev in candidates.get(doc_id, ())}
        stages = kg.stage_prints.get(doc_id)
        packed = doc if isinstance(doc, PackedDocument) else None
        made_from = document_print(base, doc, in_doc, rels, mets, cited_candidates, stages,
                                   _homed(rels, said) if stages is not None else None)
        if reuse.get(doc_id, ("",))[0] == made_from:
            runs.put_packed(doc_id, *reuse.pop(doc_id)[1:], made_from=made_from)
            if let_go:
                _let_go(packed or doc)
            continue
        if packed is not None:
            doc = opened(packed)[0]             # one document open at a time
        runs.made_from[doc_id] = made_from
        d = f"<{iris.document(doc_id)}>"
        sentence_iri: dict[int, str] = {}

        def sentence(index: int) -> str:
            if index not in sentence_iri:
                sentence_iri[index] = f"<{iris.sentence(doc_id, index)}>"
            return sentence_iri[index]

        add(d, LINE_TYPE, _T_CONTEXT)
        add(d, LINE_TYPE, _T_PROV_ENTITY)
        add(d, LINE_TYPE, _T_ARTICLE)
        add(d, _SOURCE_FILE, plain(doc.name))
        add(d, _ENCODING, plain(doc.encoding))
        if doc.metadata.get("title"):
            add(d, _TITLE, zh(doc.metadata["title"]))
        if doc.metadata.get("url"):
            add(d, _URL, typed(doc.metadata["url"], str(XSD.anyURI)))
        if doc.metadata.get("date"):
            add(d, _DATE, plain(doc.metadata["date"]))
        if doc.metadata.get("converted_from"):
            add(d, _CONVERTED, plain(doc.metadata["converted_from"]))

        # Only sentences that some mention, fact or metric points to become nodes: the rest
        # is plain article text, and a corpus of long articles would otherwise be mostly sentences.
        cited = {m.sentence for _, m in in_doc}
        cited |= {ev.sentence for _, evidence in rels for ev in evidence}
        cited |= {met.evidence.sentence for met in mets}
        cited |= cited_candidates
        for sent in doc.sentences:
            if sent.index not in cited:
                continue
            s = sentence(sent.index)
            _nif_string(add, s, _T_SENTENCE, _IS_STRING, sent.text, doc.raw_span(sent.start, sent.end), d)
            add(s, _KIND, plain(sent.kind))

        for e, m in in_doc:
            node = f"<{iris.entity(e.key)}>"
            span = doc.raw_span(m.start, m.end)
            mn = f"<{iris.mention(doc_id, *span)}>"
            _nif_string(add, mn, _T_PHRASE, _ANCHOR, m.text, span, d)
            add(mn, _SENTENCE, sentence(m.sentence))
            add(mn, _IDENT, node)
        for rel, evidence in rels:
            _relation(add, rel, iris, evidence, lambda ev: sentence(ev.sentence))
        for met in mets:
            _metric(add, met, iris, doc.raw_span, sentence(met.evidence.sentence))
        runs.put(doc_id, lines)
        lines.clear()
        if let_go:
            _let_go(packed or doc)

    # what was found below the confidence threshold: each with its sentence, none asserted
    for doc_id in sorted(candidates):
        for rel, ev in candidates[doc_id]:
            _candidate(add, rel, iris, f"<{iris.sentence(doc_id, ev.sentence)}>")
    for met in kg.metrics:
        if met.candidate_about:
            add(f"<{iris.metric(met.key)}>", _CANDIDATE_ABOUT, f"<{iris.entity(met.candidate_about)}>")
    if lines:
        runs.put("candidates", lines)
        lines.clear()

    # what merging across documents decides (types, labels, codes, mention counts) has a
    # graph of its own, so that a document's graph depends only on it and the entity keys
    for e in kg.entities.values():
        if e.mentions:
            describe(e, f"<{iris.entity(e.key)}>")
    # and how many sentences state each fact, across documents: a query counting them
    # through the union of the graphs joins every document's copy of the fact
    for rel in kg.relations:
        if rel.source != "gazetteer":
            fact = f"<{iris.fact(rel.subject, rel.predicate, rel.object)}>"
            stated = len({(ev.doc_id, ev.sentence) for ev in rel.evidence})
            add(fact, _EVIDENCE_COUNT, typed(str(stated), _XSD_INTEGER))
            if rel.predicate == "supports":
                # each pairing once, under properties only pairings have: supports.rq reads
                # them in three range scans of the store instead of one lookup per fact
                add(fact, _SUPPORTER, f"<{iris.entity(rel.subject)}>")
                add(fact, _RECIPIENT, f"<{iris.entity(rel.object)}>")
    runs.put(MERGED, lines)
    lines.clear()

    # reference data: entities no article names, gazetteer containment, unplaced metrics
    for e in kg.entities.values():
        if not e.mentions:
            describe(e, f"<{iris.entity(e.key)}>")
    for rel, evidence in relations.get("reference", ()):
        _relation(add, rel, iris, evidence, lambda ev: f"<{iris.sentence(ev.doc_id, ev.sentence)}>")
    if any(r.source == "gazetteer" for r in kg.relations):
        gaz = f"<{iris.gazetteer}>"
        add(gaz, LINE_TYPE, _T_PROV_ENTITY)
        add(gaz, _LABEL, '"GB/T 2260 administrative divisions (kg/data/gazetteer.tsv)"@en')
    for met in metrics.get("reference", ()):
        _metric(add, met, iris, None, None)
    runs.put("reference", lines)
    return runs


def _let_go(doc) -> None:
    """Empty what a document's graph was made from (nothing after its lines reads it)."""
    if isinstance(doc, PackedDocument):
        doc.let_go()
        return
    doc.raw = doc.text = ""
    doc.offsets, doc.paragraphs, doc.sentences = [], [], []


def _nif_string(add, node: str, kind: str, text_predicate: str, text: str,
                span: tuple[int, int], context: str) -> None:
    """A NIF string (sentence or phrase): its type, text, raw-file offsets and document."""
    add(node, LINE_TYPE, kind)
    add(node, text_predicate, zh(text))
    add(node, _BEGIN, _offset(span[0]))
    add(node, _END, _offset(span[1]))
    add(node, _CONTEXT, context)


def _describe(e, node: str) -> list[tuple[str, str]]:
    """Types, labels and codes of an entity (in the merged graph, or in reference data)."""
    out = [(LINE_TYPE, f"<{YJ[t]}>") for t in e.types]
    out += [(_LABEL, zh(e.label)), (_PREF, zh(e.label))]
    out += [(_ALT, zh(alt)) for alt in sorted(e.alt_labels)]
    if e.english:
        out.append((_LABEL, tagged(e.english, "en")))
    if e.code:
        out.append((_CODE, plain(e.code)))
    elif unlisted_place(e):
        out.append((_UNLISTED, typed("true", str(XSD.boolean))))
    out.append((_COUNT, typed(str(len(e.mentions)), _XSD_INTEGER)))
    out += [(_FIELD, f"<{YJ[f'field-{key}']}>") for key in sorted(e.aid_fields)]
    return out


def unlisted_place(e) -> bool:
    """A division the gazetteer lacks, typed only by its suffix (宁东新市: City)."""
    return not e.code and any(m.source == "unlisted" for m in e.mentions)


def _former_names(e, node: str) -> list[tuple[str, str, str]]:
    """A division's names of earlier years (哈密地区 for 哈密市): each a plain skos:altLabel,
    so every label search finds it, and a SKOS-XL label node under the entity's IRI with
    the code and years the name was in use (where the source gives them)."""
    out = []
    for f in e.former_names:
        label = f"{node[:-1]}/name/{f.former_code or 'former'}-{f.start or 'undated'}>"
        out += [(node, _ALT, zh(f.name)), (node, _XL_ALT, label), (label, LINE_TYPE, _XL_LABEL),
                (label, _XL_FORM, zh(f.name))]
        if f.former_code:
            out.append((label, _FORMER_CODE, plain(f.former_code)))
        if f.start:
            out.append((label, _USED_FROM, typed(f.start, str(XSD.gYear))))
        if f.until:
            out.append((label, _USED_UNTIL, typed(f.until, str(XSD.gYear))))
    return out


def _relation(add, rel, iris: Iris, evidence, sentence) -> None:
    s, o = f"<{iris.entity(rel.subject)}>", f"<{iris.entity(rel.object)}>"
    p = _predicate(rel.predicate)
    add(s, p, o)
    fact = f"<{iris.fact(rel.subject, rel.predicate, rel.object)}>"
    add(fact, LINE_TYPE, _T_STATEMENT)
    add(fact, LINE_TYPE, _T_FACT)
    add(fact, _SUBJECT, s)
    add(fact, _PREDICATE, p)
    add(fact, _OBJECT, o)
    if rel.source == "gazetteer":
        add(fact, _DERIVED, f"<{iris.gazetteer}>")
    else:
        add(fact, _CONFIDENCE, _decimal(rel.confidence))
    for ev in evidence:
        if rel.source != "gazetteer":
            add(fact, _DERIVED, sentence(ev))
        if ev.trigger:
            add(fact, _TRIGGER, zh(ev.trigger))


@cache
def _predicate(name: str) -> str:
    return f"<{YJ[name]}>"


def _candidate(add, rel, iris: Iris, sentence: str) -> None:
    """A relation below the threshold: described, with its sentence, but not stated."""
    fact = f"<{iris.fact(rel.subject, rel.predicate, rel.object)}>"
    add(fact, LINE_TYPE, _T_STATEMENT)
    add(fact, LINE_TYPE, _T_CANDIDATE)
    add(fact, _SUBJECT, f"<{iris.entity(rel.subject)}>")
    add(fact, _PREDICATE, _predicate(rel.predicate))
    add(fact, _OBJECT, f"<{iris.entity(rel.object)}>")
    add(fact, _CONFIDENCE, _decimal(rel.confidence))
    add(fact, _DERIVED, sentence)
    for ev in rel.evidence:
        if ev.trigger:
            add(fact, _TRIGGER, zh(ev.trigger))


def _decimal(x: float) -> str:
    return typed(f"{x:.3f}", _XSD_DECIMAL)


def _metric(add, met, iris: Iris, raw_span, sentence: str | None) -> None:
    """``raw_span`` and ``sentence`` (its IRI) are those of the metric's document, if any."""
    node = f"<{iris.metric(met.key)}>"
    add(node, LINE_TYPE, _T_METRIC)
    value = Decimal(repr(met.value)).normalize() if met.value % 1 else Decimal(int(met.value))
    add(node, _VALUE, typed(f"{value:f}", _XSD_DECIMAL))
    add(node, _UNIT, plain(met.unit))
    add(node, _INDICATOR, zh(met.indicator))
    add(node, _SURFACE, zh(met.surface))
    add(node, _APPROX, typed("true" if met.approx else "false", _XSD_BOOLEAN))
    if met.period:
        add(node, _PERIOD, zh(met.period))
    if met.about or met.candidate_about:
        add(node, _CONFIDENCE, _decimal(met.confidence))
    if met.about:
        about = f"<{iris.entity(met.about)}>"
        add(node, _ABOUT, about)
        add(about, _HAS_METRIC, node)
    if met.evidence:
        rs, re_ = raw_span(met.evidence.start, met.evidence.end)
        add(node, _DERIVED, sentence)
        add(node, _BEGIN, _offset(rs))
        add(node, _END, _offset(re_))


_PACK_LEVEL = 1      # zlib: fast, and already about a tenth of the text of these lines


class Runs(Mapping):
    """The lines of :func:`to_quads`: named graph -> its sorted, distinct lines.

    Each graph is kept zlib-compressed (lines never contain a newline, so they are packed
    one per line) and unpacked when asked for: a 10,000-article graph is about 11 million
    lines, several gigabytes as Python strings. :meth:`stream` reads one graph a piece at
    a time, which is how the writers merge them."""

    def __init__(self, graphs: Mapping[str, Iterable[str]] | None = None):
        self._packed: dict[str, bytes] = {}
        self._sizes: dict[str, int] = {}
        self._digests: dict[str, str] = {}
        self.made_from: dict[str, str] = {}     # document graph -> its document_print
        self.described: dict = {}               # entity -> its lines and what made them (to_quads)
        for name, lines in (graphs or {}).items():
            self.put(name, lines)

    def put(self, name: str, lines: Iterable[str]) -> None:
        ordered = sorted(set(lines))
        if ordered:
            raw = "\n".join(ordered).encode("utf-8")
            # the digest now, from the bytes at hand: the store compares every graph's
            self._packed[name] = zlib.compress(raw, _PACK_LEVEL)
            self._sizes[name], self._digests[name] = len(ordered), hashlib.sha1(raw).hexdigest()

    def put_packed(self, name: str, packed: bytes, size: int, digest: str, made_from: str = "") -> None:
        """A graph as :attr:`memo` gave it (packed lines, their number and digest)."""
        if size:
            self._packed[name], self._sizes[name], self._digests[name] = packed, size, digest
        if made_from:
            self.made_from[name] = made_from

    def digest(self, name: str) -> str:
        """SHA-1 of the graph's lines as :meth:`raw` gives them (b"" for an empty graph)."""
        if name not in self._digests:
            self._digests[name] = hashlib.sha1(self.raw(name) if name in self._packed else b"").hexdigest()
        return self._digests[name]

    @property
    def memo(self) -> dict[str, tuple[str, bytes, int, str]]:
        """Every graph as the next build may reuse it: name -> (its :func:`document_print`,
        "" for a graph that is no document's; packed lines; number of lines; digest).
        :func:`to_quads` takes document graphs from it, :class:`kg.export.CountedUnion`
        the lines a changed graph had."""
        return {name: (self.made_from.get(name, ""), packed, self._sizes[name], self.digest(name))
                for name, packed in self._packed.items()}

    def __getitem__(self, name: str) -> list[str]:
        return self.raw(name).decode("utf-8").split("\n")

    def __contains__(self, name) -> bool:
        # Mapping's own test unpacks the graph (self[name]): seconds per thousand asked
        return name in self._packed

    def raw(self, name: str) -> bytes:
        """A graph's lines as UTF-8, one per line, as packed (no newline at the end)."""
        return zlib.decompress(self._packed[name])

    def __iter__(self):
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def size(self, name: str) -> int:
        return self._sizes[name]

    def stream(self, name: str) -> Iterator[str]:
        return unpack_stream(self._packed[name])


def pack(sorted_lines: list[str]) -> bytes:
    return zlib.compress("\n".join(sorted_lines).encode("utf-8"), _PACK_LEVEL)


def unpack_stream(packed: bytes, piece: int = 1 << 15) -> Iterator[str]:
    """The lines of :func:`pack`'s output, unpacking a piece at a time."""
    inflate = zlib.decompressobj()
    text = codecs.getincrementaldecoder("utf-8")()
    rest = ""
    for i in range(0, len(packed), piece):
        parts = (rest + text.decode(inflate.decompress(packed[i:i + piece]))).split("\n")
        rest = parts.pop()
        yield from parts
    rest += text.decode(inflate.flush(), final=True)
    if rest:
        yield from rest.split("\n")


class Lit(str):
    """A literal in a :class:`TermIndex`: its lexical form, with ``lang`` and ``datatype``
    (IRIs there are plain ``str``, blank nodes ``str`` starting with ``_:``)."""
    lang: str
    datatype: str

    def __new__(cls, lexical: str, lang: str = "", datatype: str = str(XSD.string)):
        self = super().__new__(cls, lexical)
        self.lang, self.datatype = lang, datatype
        return self

    def __eq__(self, other):
        return (isinstance(other, Lit) and str.__eq__(self, other)
                and self.lang == other.lang and self.datatype == other.datatype)

    __hash__ = str.__hash__


_UNESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if not m.group(3)
                         else _SIMPLE.get(m.group(3), m.group(3)), text)


def parse_term(text: str):
    """One N-Triples term -> ``str`` (an IRI, or ``_:x`` for a blank node) or :class:`Lit`."""
    if text[0] == "<":
        # interned: one copy of an IRI however often looked up, freed when no longer used
        return intern(text[1:-1])
    if text[0] == "_":
        return text
    end = text.rindex('"')
    suffix = text[end + 1:]
    lexical = _unescape(text[1:end])
    if suffix.startswith("@"):
        return Lit(lexical, lang=suffix[1:].lower(), datatype=str(RDF.langString))
    if suffix.startswith("^^"):
        return Lit(lexical, datatype=suffix[3:-1])
    return Lit(lexical)


class TermIndex:
    """A read-only view of triples with the lookups the HTML page needs (``value``,
    ``objects``, ``subjects``, ``subject_objects``), the way rdflib's Graph answers them,
    over plain strings: IRIs are ``str`` and literals :class:`Lit`.

    Built from N-Triples lines (:func:`to_quads`, or any N-Triples text) without making
    rdflib terms, whose creation and hashing cost seconds per million triples. Lines are
    kept as text and a term is parsed only when a lookup returns it; the object-to-subject
    index of a predicate is made on its first lookup (a page asks about a dozen).

    Each subject's predicates and objects are one flat tuple ``(p1, o1, p2, o2, ...)``:
    a dict per subject cost about three times as much, and a big corpus has millions of
    subjects (every mention and sentence). Lines sorted by subject, as graph.nt is, make
    each tuple in one go; unsorted lines work too."""

    def __init__(self, lines: Iterable[str] = ()):
        self.spo: dict[str, tuple[str, ...]] = {}
        self._pos: dict[str, dict[str, list[str]]] = {}
        self._predicates: dict = {}
        n = 0
        subject, row = None, []
        more: dict[str, list[str]] = {}     # rows of subjects met again (unsorted input)
        for line in lines:
            if line.endswith(" .\n"):          # graph.nt: one copy of the line, not two
                line = line[:-3]
            elif line.endswith(" ."):
                line = line.rstrip()[:-2]
            elif not line or (line[0] == "#" or line[0].isspace()) and (not line.strip() or line.lstrip()[0] == "#"):
                continue                    # a blank line or a comment (no copy of every line to tell)
            s, p, o = line.split(" ", 2)
            if p[0] == "\x01":               # rdf:type as to_quads marks it for sorting
                p = p[1:]
            if s != subject:
                self._add_row(subject, row, more)
                subject, row = s, []
            # types, IRIs and offsets repeat across subjects
            row.append(intern(p))
            row.append(intern(o))
            n += 1
        self._add_row(subject, row, more)
        for s, rest in more.items():
            self.spo[s] += tuple(rest)
        self._len = n

    def state(self) -> tuple:
        """What :meth:`from_state` makes the same index from (pickled by a build, so the
        next one changes it where lines changed instead of reading every line again)."""
        return self.spo, self._len

    @classmethod
    def from_state(cls, state: tuple) -> "TermIndex":
        index = cls()
        index.spo, index._len = state
        return index

    def change(self, entered: Iterable[bytes | str], left: Iterable[bytes | str]) -> None:
        """Put the lines ``entered`` in and take ``left`` out, keeping every row and the
        subjects in the order the index would have if made from the sorted lines (some
        readers take the first object of a subject, or the first subject of an object)."""
        edits: dict[str, tuple[set, list]] = {}
        for lines, put in ((left, False), (entered, True)):
            for line in lines:
                s, p, o = _terms(line)
                gone, new = edits.setdefault(s, (set(), []))
                if put:
                    new.append((intern(p), intern(o)))
                else:
                    gone.add((p, o))
        added = False
        for s, (gone, new) in edits.items():
            row = self.spo.get(s, ())
            pairs = [(row[i], row[i + 1]) for i in range(0, len(row), 2) if (row[i], row[i + 1]) not in gone]
            self._len -= len(row) // 2 - len(pairs)
            self._len += len(new)
            # the order of sorted lines: rdf:type first (marked), then predicate and object
            pairs = sorted(pairs + new, key=lambda po: (po[0] != _RDF_TYPE_TEXT, po))
            if pairs:
                added = added or s not in self.spo
                self.spo[s] = tuple(t for po in pairs for t in po)
            else:
                self.spo.pop(s, None)
        if added:
            self.spo = dict(sorted(self.spo.items()))
        self._pos.clear()

    def _add_row(self, subject: str | None, row: list[str], more: dict[str, list[str]]) -> None:
        if subject in self.spo:
            more.setdefault(subject, []).extend(row)
        elif subject is not None:
            self.spo[subject] = tuple(row)

    @classmethod
    def of(cls, graph) -> "TermIndex":
        """The index of an rdflib Graph (or of anything yielding rdflib triples)."""
        return graph if isinstance(graph, TermIndex) else cls(sorted(lines_of(set(graph))))

    # terms in (IRIs, Lit) <-> N-Triples text stored: parse_term on each lookup, no cache
    # (one kept every mention's IRI the page ever touched)
    @staticmethod
    def _text(term) -> str:
        if isinstance(term, Lit):
            if term.lang:
                return tagged(term, term.lang)
            return plain(term) if term.datatype == _XSD_STRING else typed(term, term.datatype)
        return term if term.startswith("_:") else f"<{term}>"

    def _by_object(self, predicate) -> dict[str, list[str]]:
        if predicate not in self._pos:
            self.index_objects([predicate])
        return self._pos[predicate]

    def index_objects(self, predicates) -> None:
        """Make the object-to-subject index of several predicates in one pass over the
        triples (what ``subjects(p, o)`` and ``subject_objects(p)`` use); a caller that
        knows which it will ask about saves a pass per predicate."""
        wanted = {self._text(p): p for p in predicates if p not in self._pos}
        if not wanted:
            return
        indexes: dict[str, dict[str, list[str]]] = {p: {} for p in wanted}
        for s, row in self.spo.items():
            for i in range(0, len(row), 2):
                if row[i] in indexes:
                    indexes[row[i]].setdefault(row[i + 1], []).append(s)
        for text, predicate in wanted.items():
            self._pos[predicate] = indexes[text]

    def __len__(self) -> int:
        return self._len

    def __iter__(self):
        term = parse_term
        for s, row in self.spo.items():
            for i in range(0, len(row), 2):
                yield term(s), term(row[i]), term(row[i + 1])

    def objects(self, subject=None, predicate=None):
        term = parse_term
        if subject is None:
            return iter([term(o) for o, subjects in self._by_object(predicate).items() for _ in subjects])
        row = self.spo.get(self._text(subject), ())
        if predicate is None:
            return iter([term(o) for o in row[1::2]])
        return iter([term(o) for o in objects_in(row, self._predicate_text(predicate))])

    def subjects(self, predicate=None, object=None):
        term = parse_term
        if predicate is None:
            return iter([term(s) for s in self.spo])
        by_object = self._by_object(predicate)
        if object is None:
            return iter([term(s) for subjects in by_object.values() for s in subjects])
        return iter([term(s) for s in by_object.get(self._text(object), ())])

    def subject_objects(self, predicate):
        term = parse_term
        return iter([(term(s), term(o)) for o, subjects in self._by_object(predicate).items()
                     for s in subjects])

    def values(self, subject, predicates) -> list:
        """``[value(subject, p) for p in predicates]`` with one lookup of the subject."""
        row = self.spo.get(self._text(subject))
        if not row:
            return [None] * len(predicates)
        keys = row[::2]             # once per subject, not once per predicate
        return [smallest_term(objects_in(row, self._predicate_text(p), keys)) for p in predicates]

    def _predicate_text(self, predicate) -> str:
        """:meth:`_text` of a predicate, remembered: a page asks about a few dozen, hundreds
        of thousands of times."""
        text = self._predicates.get(predicate)
        if text is None:
            text = self._predicates[predicate] = self._text(predicate)
        return text

    def value(self, subject, predicate):
        """The object of ``subject`` and ``predicate`` (the smallest if several), or None."""
        return self.values(subject, (predicate,))[0]


def smallest_term(found: list[str]):
    """The smallest parsed term of ``found`` (None if empty): ``value``'s choice when a
    subject has several objects, deterministic whatever the order of the lines."""
    if len(found) == 1:                 # the common case: no list of parsed terms
        return parse_term(found[0])
    return min(map(parse_term, found)) if found else None


def objects_in(row: tuple[str, ...], predicate: str, predicates: tuple[str, ...] | None = None) -> list[str]:
    """The objects of ``predicate`` in a :class:`TermIndex` row (p1, o1, p2, o2, ...);
    ``predicates`` is ``row[::2]`` if the caller has it already."""
    if predicates is None:
        predicates = row[::2]
    n = predicates.count(predicate)
    if n <= 1:                  # the common case, kept to C-level scans
        return [row[2 * predicates.index(predicate) + 1]] if n else []
    return [row[2 * i + 1] for i, p in enumerate(predicates) if p == predicate]


class TrackedIndex(TermIndex):
    """A :class:`TermIndex` that notes what each computation read, so that its result can
    be kept and reused while none of it changed (:class:`kg.html.PageMemo`).

    What a lookup reads is named by a key: a subject's N-Triples text for ``values``,
    ``value`` and ``objects(subject, ...)``; ``predicate NUL object`` for
    ``subjects(predicate, object)``; ``NUL predicate`` for a scan of a whole predicate.
    :func:`changed_keys` gives the keys a set of changed lines touches. Keys are noted only
    inside :meth:`reading` (nested readings each get what was read inside them)."""

    def __init__(self, index: TermIndex):        # shares the index, copies nothing
        self.__dict__.update(index.__dict__)
        self._frames: list[set[str]] = []

    def reading(self):
        """Start noting keys; :meth:`done` returns them."""
        self._frames.append(set())

    def done(self) -> frozenset[str]:
        keys = self._frames.pop()
        if self._frames:
            self._frames[-1] |= keys
        return frozenset(keys)

    def note(self, keys: Iterable[str]) -> None:
        """Count ``keys`` as read (what a cached lookup read when it was made)."""
        if self._frames:
            self._frames[-1].update(keys)

    def note_subject(self, subject) -> None:
        if self._frames:
            self._frames[-1].add(intern(self._text(subject)))

    def _scan(self, predicate) -> None:
        if self._frames:
            self._frames[-1].add(intern("\0" + self._predicate_text(predicate)))

    def objects(self, subject=None, predicate=None):
        if subject is None:
            self._scan(predicate)
        else:
            self.note_subject(subject)
        return super().objects(subject, predicate)

    def subjects(self, predicate=None, object=None):
        if self._frames:
            if predicate is None:
                self._frames[-1].add("\0*")
            elif object is None:
                self._scan(predicate)
            else:
                self._frames[-1].add(intern(self._predicate_text(predicate) + "\0" + self._text(object)))
        return super().subjects(predicate, object)

    def subject_objects(self, predicate):
        self._scan(predicate)
        return super().subject_objects(predicate)

    def values(self, subject, predicates) -> list:
        self.note_subject(subject)
        return super().values(subject, predicates)

    def __iter__(self):
        if self._frames:
            self._frames[-1].add("\0*")
        return super().__iter__()


def changed_keys(lines: Iterable[bytes | str]) -> set[str]:
    """The :class:`TrackedIndex` keys that lines added or removed (``to_quads`` lines,
    rdf:type marked or not) make stale: their subjects, their (predicate, object) pairs,
    their predicates, and any scan of everything."""
    keys = {"\0*"}
    for line in lines:
        s, p, o = _terms(line)
        keys.update((s, p + "\0" + o, "\0" + p))
    return keys


def _terms(line: bytes | str) -> list[str]:
    """A line of :func:`to_quads` as its three terms' text, rdf:type without its sort mark."""
    if isinstance(line, bytes):
        line = line.decode("utf-8")
    s, p, o = line.split(" ", 2)
    return [s, p[1:] if p[0] == "\x01" else p, o]


def to_networkx(kg: KnowledgeGraph) -> "nx.MultiDiGraph":
    """Entities as nodes (with label, types, metrics), relations as keyed edges."""
    import networkx as nx       # here, not at the top: kg query imports this module and needs none of it
    g = nx.MultiDiGraph()
    for e in kg.entities.values():
        g.add_node(e.key, label=e.label, types=list(e.types), code=e.code, metrics=[])
    for rel in kg.relations:
        g.add_edge(rel.subject, rel.object, key=rel.predicate, source=rel.source)
    for met in kg.metrics:
        if met.about in g:
            g.nodes[met.about]["metrics"].append((met.indicator, met.value, met.unit))
    return g
