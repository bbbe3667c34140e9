"""The explorer of ``kg serve``: the page of :mod:`kg.html` for a graph of any size, fed
from the store over SPARQL, and a query page.

Routes (all GET, read-only; JSON answers are ``application/json``)
    ``/``                  the explorer: the :data:`OVERVIEW_NODES` most connected entities
                           (pairings first), laid out in Python, with the page's filters,
                           focus and paths; a click fetches the node's neighbourhood
    ``/api/node?iri=``     one entity's neighbourhood, in the page's format, from memory
                           (:class:`EntityIndex`)
    ``/api/evidence?iri=`` what that neighbourhood's panels cite (mentions, facts, metrics,
                           sentences), from the store by pattern lookups; the page asks for
                           it right after the neighbourhood
    ``/api/search?q=``     entities whose label or alternative label contains ``q``
    ``/api/dashboard``     the key figures (:mod:`kg.dashboard`) of the whole graph
    ``/api/docs``          every document: IRI, file name, title (or first heading)
    ``/api/doc?iri=``      the entities one document names (up to :data:`DOC_ENTITIES`), with
                           their mentions in it, in the page's format
    ``/query``             a query editor with the bundled queries as examples; results as
                           a table, CSV and JSON (it posts to the server's ``/sparql``)

Every query here is fixed text. What a client sends reaches the store as a bound value
(a search string, through pyoxigraph's ``substitutions``) or as an IRI that pyoxigraph's
``NamedNode`` accepted and wrote back in its own syntax (``<…>``: no quote, brace or ``>``
can get through), which is the only text ever put into a query.
The explorer queries a read-only :class:`pyoxigraph.Store` in the server's process: its
queries are bounded (``LIMIT``) and indexed lookups, or scans of one predicate made once
per store for the index, unlike arbitrary ``/sparql`` queries, which run in killable workers.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox

from .dashboard import key_figures
from .explorer_cache import read_cached, view_key, write_cache
from .graph import TermIndex
from .html import DEFAULT_TITLE, HEADING_SEARCH, RELATION_STYLE, TITLE_CHARS, _GraphData, _dashboard_json, _sha256, page_pieces, script_json
from .model import ENTITY_TYPES

OVERVIEW_NODES = 400           # entities on the first view of a served graph
NEIGHBOURS = 150               # relations fetched around one entity
MENTIONS = 60                  # mentions (with their sentences) fetched for one entity
FACTS = 200                    # facts each way, and metrics, fetched for one entity
SEARCH_HITS = 30
EVIDENCE_TRIPLES = 2000        # triples of facts (or mentions, metrics) fetched each way for one entity
SENTENCES_FETCHED = 120        # source sentences fetched for one entity (the panel lists 50)
SOURCES_PER_FACT = 40          # quads read of one fact's yj:trigger, of its prov:wasDerivedFrom
ANSWERS_KEPT = 256             # neighbourhoods kept per store (most recently asked)
DOC_ENTITIES = 300             # entities fetched for one document
QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

PREFIXES = """PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
TYPES = " ".join(f"yj:{t}" for t in ENTITY_TYPES)

# every relation between entities, and the names and types of entities, read once per
# store into :class:`EntityIndex`: one query per predicate (or type), each a scan of one
# predicate's index (the same in one query with VALUES took twice as long, the types
# five to twenty times); DISTINCT folds a triple stated by k documents, in k graphs
RELATION_TRIPLES = {r: PREFIXES + f"SELECT DISTINCT ?s ?o WHERE {{ ?s yj:{r} ?o FILTER(isIRI(?s) && isIRI(?o)) }}"
                    for r in RELATION_STYLE}
# (kg types no metric as an entity: not checked here, a NOT EXISTS made these seven times slower)
ENTITY_TYPES_OF = {t: PREFIXES + f"SELECT DISTINCT ?s WHERE {{ ?s a yj:{t} FILTER(isIRI(?s)) }}" for t in ENTITY_TYPES}
# every document with its file name and title, and the headings of all (kg.html's rule names
# a document without a title by its first heading among its first HEADING_SEARCH sentences)
DOCS = PREFIXES + """SELECT ?d ?f ?title WHERE { ?d yj:sourceFile ?f OPTIONAL { ?d dcterms:title ?title } }"""
HEADINGS = PREFIXES + """SELECT ?s ?t WHERE { ?s yj:paragraphKind "heading" ; nif:isString ?t }"""
# the opening sentence of documents without a heading (VALUES: their first sentence IRIs)
OPENINGS = PREFIXES + """SELECT ?s ?t WHERE { VALUES ?s { %s } ?s nif:isString ?t }"""
# one document's entities (__DOC__: its IRI), then all its mentions (given the entities by
# VALUES, the plan started from their mentions in every document: 23 s for one document of a
# 10,000-article graph, 0.8 s now)
DOC_NAMES = PREFIXES + f"""SELECT DISTINCT ?e WHERE {{ ?m nif:referenceContext __DOC__ ; itsrdf:taIdentRef ?e }}
  ORDER BY ?e LIMIT {DOC_ENTITIES}"""
DOC_MENTIONS = PREFIXES + """CONSTRUCT { ?m ?p ?o } WHERE { ?m nif:referenceContext __DOC__ ; itsrdf:taIdentRef ?e ;
  ?p ?o }"""
CITES = {"http://www.w3.org/ns/prov#wasDerivedFrom",
         "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#sentence"}
_YJ, _RDF = "https://w3id.org/yuanjiang-kg/ontology#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_N = ox.NamedNode
NAME_PREDICATES = [_N(_RDF + "type"), _N("http://www.w3.org/2000/01/rdf-schema#label"),
                   _N("http://www.w3.org/2004/02/skos/core#prefLabel"),
                   _N("http://www.w3.org/2004/02/skos/core#altLabel"), _N(_YJ + "adminCode")]
ENTITY_NAMES = {p: PREFIXES + f"SELECT DISTINCT ?s ?o WHERE {{ ?s {p} ?o FILTER(isIRI(?s)) }}"
                for p in NAME_PREDICATES[1:]}      # (and ENTITY_TYPES_OF for rdf:type)
SUBJECT, OBJECT, PREDICATE = _N(_RDF + "subject"), _N(_RDF + "object"), _N(_RDF + "predicate")
# what the page reads of a fact: one value each (the same triple is in every graph of a
# document stating the fact), its types, and a bounded sample of triggers and sources
FACT_ONE = [SUBJECT, PREDICATE, OBJECT, _N(_YJ + "confidence")]
FACT_TYPES = [_N(_YJ + "Fact"), _N(_RDF + "Statement"), _N(_YJ + "Candidate")]
FACT_MANY = [_N(_YJ + "trigger"), _N("http://www.w3.org/ns/prov#wasDerivedFrom")]
MENTION_OF, ABOUT = _N("http://www.w3.org/2005/11/its/rdf#taIdentRef"), _N(_YJ + "about")
CONTEXT = _N("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext")
DOC_FIELDS = [_N(_YJ + "sourceFile"), _N("http://purl.org/dc/terms/title")]
ITEM_QUADS = 200               # quads read of one mention, metric or sentence (a few dozen each)
# ?q is bound by substitution, which pyoxigraph allows for projected variables only; the
# labels are matched first, then typed (typed first, 10,000 articles took 20-30 s, now 1 s)
SEARCH = PREFIXES + f"""SELECT ?q ?e (MIN(?l) AS ?label) (MIN(?t) AS ?type) WHERE {{
  {{ SELECT DISTINCT ?q ?e ?l WHERE {{ ?e rdfs:label|skos:altLabel|skos:prefLabel ?l .
      FILTER(CONTAINS(LCASE(STR(?l)), ?q)) }} }}
  ?e a ?t . VALUES ?t {{ {TYPES} }}
}} GROUP BY ?q ?e ORDER BY STRLEN(MIN(?l)) ?label LIMIT {SEARCH_HITS}"""
# what kg.dashboard reads: metrics with their sentences and documents, the pairings and the
# supporter's side (bodies, initiatives), introduced and built with their facts, the
# supported places' mentions per document, and the labels of all of these
DASHBOARD = [PREFIXES + q for q in (
    """CONSTRUCT { ?m ?p ?o . ?s nif:isString ?t ; nif:referenceContext ?d . ?d yj:sourceFile ?f }
       WHERE { ?m a yj:Metric ; ?p ?o . OPTIONAL { ?m prov:wasDerivedFrom ?s . ?s nif:isString ?t .
               OPTIONAL { ?s nif:referenceContext ?d . OPTIONAL { ?d yj:sourceFile ?f } } } }""",
    """CONSTRUCT { ?a ?r ?b . ?a a ?ta . ?b a ?tb . ?a rdfs:label ?la . ?b rdfs:label ?lb .
                   ?a skos:prefLabel ?pa . ?b skos:prefLabel ?pb }
       WHERE { VALUES ?r { yj:supports yj:subOrganizationOf yj:implements yj:introduced yj:builds yj:locatedIn }
               ?a ?r ?b . ?a a ?ta . ?b a ?tb .
               OPTIONAL { ?a rdfs:label ?la } OPTIONAL { ?b rdfs:label ?lb }
               OPTIONAL { ?a skos:prefLabel ?pa } OPTIONAL { ?b skos:prefLabel ?pb } }""",
    """CONSTRUCT { ?f a yj:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?x .
                   ?x nif:referenceContext ?d }
       WHERE { VALUES ?p { yj:introduced yj:builds } ?f rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o .
               OPTIONAL { ?f prov:wasDerivedFrom ?x . ?x nif:referenceContext ?d } }""",
    """CONSTRUCT { ?men itsrdf:taIdentRef ?t ; nif:referenceContext ?d }
       WHERE { { SELECT DISTINCT ?t WHERE { ?x yj:supports ?t } }
               ?men itsrdf:taIdentRef ?t ; nif:referenceContext ?d }""",
)]


class EntityIndex:
    """Every relation between two entities of a store, and the names and types of the
    entities it links, in memory: a neighbourhood is then a lookup, not queries (each
    store access costs 0.1-0.2 ms and every quad read about 0.05 ms, so the same answer
    from the store took 0.4-1.9 s on 10,000 articles). Each entity's links are ints
    ``other << 6 | relation << 1 | outgoing``; its names are its N-Triples lines. Made from
    a query per predicate (:data:`RELATION_TRIPLES`, :data:`ENTITY_NAMES`, ...); the server opens a new
    :class:`Explorer`, and so makes a new index, when a build replaces the store."""

    def __init__(self, relations, names=(), entities: int = 0):
        """``relations``: (subject IRI, relation name, object IRI); ``names``: (subject,
        predicate, object) in N-Triples syntax; ``entities``: how many the store has."""
        self.entities = entities
        self.relations = list(RELATION_STYLE)
        number = {r: i for i, r in enumerate(self.relations)}
        self.iris: list[str] = []
        self.ids: dict[str, int] = {}
        self.links: list[list[int]] = []
        for s, p, o in relations:
            a, b, r = self._id(s), self._id(o), number[p]
            self.links[a].append(b << 6 | r << 1 | 1)
            self.links[b].append(a << 6 | r << 1)
        self.name(names)

    def name(self, names) -> None:
        """Each entity's names and types: ``names`` are (subject, predicate, object) in
        N-Triples syntax; those of subjects without relations are left out."""
        lines: list[list[str]] = [[] for _ in self.iris]
        for s, p, o in names:
            i = self.ids.get(s[1:-1])
            if i is not None:
                lines[i].append(f"{s} {p} {o} .\n")
        self.names = ["".join(sorted(set(x))) for x in lines]

    @classmethod
    def of_terms(cls, g: TermIndex) -> "EntityIndex":
        """The index :meth:`Explorer.entities` makes from the store, made from a build's own
        index of the same triples (the :class:`~kg.graph.TermIndex` graph.html is drawn
        from, whose relation and type lookups the page has made already): no query. The
        same relations, names and types; only the entities' numbering may differ, which
        no answer shows."""
        rdf_type = _RDF + "type"
        g.index_objects([rdf_type, *(_YJ + r for r in RELATION_STYLE)])
        relations = ((s[1:-1], r, o[1:-1]) for r in RELATION_STYLE
                     for o, subjects in g._by_object(_YJ + r).items() if o[0] == "<"
                     for s in subjects if s[0] == "<")
        by_type = g._by_object(rdf_type)
        typed = {t: [s for s in by_type.get(f"<{_YJ}{t}>", ()) if s[0] == "<"] for t in ENTITY_TYPES}
        index = cls(relations, entities=len({s for found in typed.values() for s in found}))
        # (N-Triples text, as the index keeps it); of types, the entity types only
        wanted = {str(p) for p in NAME_PREDICATES[1:]}
        type_text, types = str(NAME_PREDICATES[0]), {f"<{_YJ}{t}>" for t in ENTITY_TYPES}
        names = []
        for s in (f"<{e}>" for e in index.iris):
            row = g.spo.get(s, ())
            names += [(s, row[i], row[i + 1]) for i in range(0, len(row), 2)
                      if row[i] in wanted or row[i] == type_text and row[i + 1] in types]
        index.name(names)
        return index

    def dump(self) -> dict:
        """The index as plain JSON data (:meth:`restore` reads it back)."""
        return {"entities": self.entities, "relations": self.relations, "iris": self.iris,
                "links": self.links, "names": self.names}

    @classmethod
    def restore(cls, data: dict) -> "EntityIndex":
        """The index :meth:`dump` gave; ValueError unless it has the shape of one made
        with this code's relations."""
        index = cls.__new__(cls)
        index.entities, index.relations = data["entities"], data["relations"]
        index.iris, index.links, index.names = data["iris"], data["links"], data["names"]
        n = len(index.iris)
        if (not isinstance(index.entities, int) or index.relations != list(RELATION_STYLE)
                or not (len(index.links) == len(index.names) == n)
                or not all(isinstance(x, str) for x in (*index.iris, *index.names))
                or not all(isinstance(x, int) and 0 <= x >> 6 < n and (x >> 1) & 31 < len(index.relations)
                           for links in index.links for x in links)):
            raise ValueError("not an entity index of this version")
        index.ids = {iri: i for i, iri in enumerate(index.iris)}
        if len(index.ids) != n:
            raise ValueError("an entity listed twice")
        return index

    def _id(self, iri: str) -> int:
        i = self.ids.get(iri)
        if i is None:
            i = self.ids[iri] = len(self.iris)
            self.iris.append(iri)
            self.links.append([])
        return i

    def around(self, iri: str) -> list[tuple[str, str, bool]]:
        """(relation, other end, whether ``iri`` is the subject) for each relation of ``iri``."""
        i = self.ids.get(iri)
        return [] if i is None else [(self.relations[(x >> 1) & 31], self.iris[x >> 6], bool(x & 1))
                                     for x in self.links[i]]

    def among(self, iris) -> list[tuple[str, str, str]]:
        """(subject, relation, object) of each relation between two of ``iris``: compared as
        ints, so a hub among them costs a pass over its ints, not a string per relation."""
        ids = {self.ids[e] for e in iris if e in self.ids}
        return [(self.iris[i], self.relations[(x >> 1) & 31], self.iris[x >> 6])
                for i in ids for x in self.links[i] if x & 1 and x >> 6 in ids]

    def lines(self, iris) -> list[str]:
        """The relations among ``iris`` and their names and types (those in the index), as
        N-Triples lines."""
        lines = [f"<{s}> <{_YJ}{rel}> <{o}> .\n" for s, rel, o in self.among(iris)]
        return lines + [self.names[self.ids[e]] for e in iris if e in self.ids]

    def degree(self, iri: str) -> int:
        i = self.ids.get(iri)
        return 0 if i is None else len(self.links[i])

    def neighbours(self, iri: str) -> list[str]:
        """The other ends of ``iri``'s relations, at most :data:`NEIGHBOURS`: the most
        connected first, then by IRI."""
        return sorted({o for _, o, _ in self.around(iri) if o != iri},
                      key=lambda o: (-self.degree(o), o))[:NEIGHBOURS]


class Explorer:
    """The explorer's answers from one store (read-only). ``dataset``: the store's
    graphs are the graph's parts, so queries read their union."""

    def __init__(self, store: ox.Store, dataset: bool = False, title: str = DEFAULT_TITLE,
                 warm: bool = False, cache: tuple[Path, str] | None = None, triples: int | None = None):
        """``cache``: (file, key) where the first view and the index are kept for this
        store (:func:`kg.explorer_cache.cache_key`), read before they are made and written once made, with
        ``triples`` (the store's size, which takes seconds to count on a large store)."""
        self.store = store
        self.triples = triples
        self.cache = cache
        self._from_disk: set[str] = set()     # what was read from the cache file
        self._written = False                 # the cache file is written (or need not be)
        self.cache_writer: threading.Thread | None = None     # writing it, in the background
        self.kwargs = {"use_default_graph_as_union": True} if dataset else {}
        self.title = title
        self._made: dict[str, bytes] = {}
        # one lock per answer made once: the first view is never kept waiting behind the
        # key figures (minutes on a large graph)
        self._locks = {name: threading.Lock() for name in ("page", "docs", "dashboard", "entities", "cache")}
        self._answers: OrderedDict[tuple, dict] = OrderedDict()   # neighbourhoods, last asked last
        self._titles: dict[str, str] = {}         # document IRI -> listed name, once the list is made
        self._answers_lock = threading.Lock()
        if warm:    # the first view and the key figures are made before anyone asks
            threading.Thread(target=self.warm, name="explorer-warm", daemon=True).start()

    def warm(self) -> None:
        try:
            self.page()         # first: from the cache file it is ready before the index is read
            self.entities()
            self.documents()
            self.dashboard()
        except Exception:       # noqa: BLE001 - a request will meet the same error and report it
            pass

    # -- SPARQL

    def select(self, query: str, **bound) -> list:
        subs = {ox.Variable(k): v for k, v in bound.items()}
        return list(self.store.query(query, substitutions=subs or None, **self.kwargs))

    def construct(self, query: str, **bound) -> list:
        subs = {ox.Variable(k): v for k, v in bound.items()}
        return list(self.store.query(query, substitutions=subs or None, **self.kwargs))

    def _lines(self, iris: list[str]) -> list[str]:
        """The names and types of ``iris`` and the relations among them, as N-Triples lines:
        from the index, or from the store for an entity without relations."""
        index = self.entities()
        lines = index.lines(iris)
        for e in iris:
            if e not in index.ids:
                node = ox.NamedNode(e)
                lines += [f"{q.triple} .\n" for p in NAME_PREDICATES for q in self.store.quads_for_pattern(node, p, None)]
        return lines

    # -- answers

    def overview(self) -> dict:
        return overview(self.entities())

    def _once(self, name: str, make) -> bytes:
        """The answer ``name``, made by ``make()`` on first use and kept."""
        if name not in self._made:
            with self._locks[name]:
                if name not in self._made:
                    self._made[name] = make()
        return self._made[name]

    def page(self) -> bytes:
        if "page" not in self._made and self.cache is not None:
            with self._locks["page"]:
                if "page" not in self._made:
                    found = read_cached(*self.cache, self.title, "page")
                    if found is not None:
                        self._made["page"] = found
                        self._from_disk.add("page")
        page = self._once("page", lambda: first_page(self.entities(), self.title))
        self._keep()
        return page

    def _keep(self) -> None:
        """Write the first view and the index to the cache file, in the background (a second
        or two on a large store: the first view is not kept waiting), once both are made
        here (not both read from it)."""
        if self.cache is None or self._written or not {"page", "entities"} <= self._made.keys():
            return
        with self._locks["cache"]:
            if not self._written and self._from_disk != {"page", "entities"}:
                self.cache_writer = threading.Thread(
                    target=write_cache, name="explorer-cache", daemon=True,
                    args=(*self.cache, self._made["entities"].dump(), self._made["page"], self.title, self.triples))
                self.cache_writer.start()
            self._written = True

    def entities(self) -> EntityIndex:
        """The relations and names index of this store: from the cache file, else made on
        first use (at start when warm)."""
        if "entities" not in self._made:
            with self._locks["entities"]:
                if "entities" not in self._made and self.cache is not None:
                    found = read_cached(*self.cache, self.title, "index")
                    try:
                        if found is not None:
                            self._made["entities"] = EntityIndex.restore(found)
                            self._from_disk.add("entities")
                    except (ValueError, KeyError, TypeError, AttributeError):
                        pass                    # not an index: made below, and the file anew
        if "entities" not in self._made:
            with self._locks["entities"]:
                if "entities" not in self._made:
                    relations = ((s[1:-1], r, o[1:-1]) for r, q in RELATION_TRIPLES.items() for s, o in self._terms(q))
                    names = [(s, str(p), o) for p, q in ENTITY_NAMES.items() for s, o in self._terms(q)]
                    types = [(s, f"<{_RDF}type>", f"<{_YJ}{t}>") for t, q in ENTITY_TYPES_OF.items()
                             for (s,) in self._terms(q)]
                    self._made["entities"] = EntityIndex(relations, names + types, len({s for s, _, _ in types}))
        self._keep()
        return self._made["entities"]

    def _terms(self, query: str) -> list[list[str]]:
        """The rows of a SELECT as terms in N-Triples syntax: read from its TSV, without
        making a Python object of every term (a third of the time for the index)."""
        text = self.store.query(query, **self.kwargs).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
        return [line.split("\t") for line in text.split("\n")[1:] if line]

    def _kept(self, name: str, iri: str, make) -> dict:
        """``make()``, kept: the last :data:`ANSWERS_KEPT` answers of this store."""
        with self._answers_lock:
            if (name, iri) in self._answers:
                self._answers.move_to_end((name, iri))
                return self._answers[(name, iri)]
        data = make()
        with self._answers_lock:
            self._answers[(name, iri)] = data
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return data

    def neighbourhood(self, iri: str) -> dict:
        """One entity's neighbours (:meth:`EntityIndex.neighbours`) with their names and
        types, its relations with them and theirs among them, in the page's format: from
        memory, no query (the sentences, facts and metrics are :meth:`evidence`)."""
        node = ox.NamedNode(iri)              # raises ValueError unless a valid IRI
        return self._kept("node", iri, lambda: self._neighbourhood(node))

    def _neighbourhood(self, node: ox.NamedNode) -> dict:
        _, lines = self._frame(node)
        return _page_data(lines, star=True, centre=node.value)

    def _frame(self, node: ox.NamedNode) -> tuple[set, list[str]]:
        """The entity and its neighbours (IRIs), with their names, types and relations as
        N-Triples lines."""
        kept = [node.value, *self.entities().neighbours(node.value)]
        return set(kept), self._lines(kept)

    def evidence(self, iri: str) -> dict:
        """What one entity's panel and its relations' panels cite, in the page's format:
        its mentions and metrics, the facts of its relations with the neighbours of
        :meth:`neighbourhood`, and their sentences, each bounded (:data:`MENTIONS`,
        :data:`FACTS`, :data:`EVIDENCE_TRIPLES`, :data:`SENTENCES_FETCHED`)."""
        node = ox.NamedNode(iri)              # raises ValueError unless a valid IRI
        return self._kept("evidence", iri, lambda: self._evidence(node))

    def _evidence(self, node: ox.NamedNode) -> dict:
        # pattern lookups, not SPARQL: each is an index range (Oxigraph's plans for the same
        # lookups over the union of 10,000 graphs took 0.1-0.9 s a query)
        kept, lines = self._frame(node)       # the facts' relations are known to the page by their ends
        evidence: set = set()
        for role, far in ((SUBJECT, OBJECT), (OBJECT, SUBJECT)):
            self._facts(node, role, far, kept, evidence)
        for p in (MENTION_OF, ABOUT):
            self._describe_items(self._subjects(p, node, MENTIONS if p == MENTION_OF else FACTS), evidence)
        self._sentences(_share(evidence, SENTENCES_FETCHED), evidence)
        return _page_data(lines + [f"{t} .\n" for t in evidence], star=True, centre=node.value,
                          titles=self._titles)

    def _subjects(self, p, o, limit: int) -> list:
        """Up to ``limit`` distinct subjects of ``?s p o`` (in the store's order)."""
        found: dict = {}
        for q in self.store.quads_for_pattern(None, p, o):
            found[q.subject] = True
            if len(found) >= limit:
                break
        return list(found)

    def _first(self, s, p):
        q = next(self.store.quads_for_pattern(s, p, None), None)
        return None if q is None else q.object

    def _facts(self, node, role, far, kept: set, out: set) -> None:
        """The facts with ``node`` as their ``role`` (rdf:subject or rdf:object) whose other
        end (``far``) is kept, at most :data:`FACTS`, within :data:`EVIDENCE_TRIPLES`."""
        seen: set = set()
        added = facts = 0
        for q in self.store.quads_for_pattern(None, role, node):
            f = q.subject
            if f in seen:
                continue
            seen.add(f)
            other = self._first(f, far)
            if not isinstance(other, ox.NamedNode) or other.value not in kept:
                continue
            before = len(out)
            out.add(ox.Triple(f, far, other))
            for p in FACT_ONE:
                value = self._first(f, p) if p != far else None
                if value is not None:
                    out.add(ox.Triple(f, p, value))
            for t in FACT_TYPES:
                if next(self.store.quads_for_pattern(f, NAME_PREDICATES[0], t), None) is not None:
                    out.add(ox.Triple(f, NAME_PREDICATES[0], t))
            for p in FACT_MANY:
                for i, q2 in enumerate(self.store.quads_for_pattern(f, p, None)):
                    if i >= SOURCES_PER_FACT:
                        break
                    out.add(q2.triple)
            added += len(out) - before
            facts += 1
            if facts >= FACTS or added >= EVIDENCE_TRIPLES:
                break

    def _describe_items(self, items, out: set) -> None:
        """The triples of mentions, metrics or sentences (each a few dozen, in one graph)."""
        for s in items:
            for i, q in enumerate(self.store.quads_for_pattern(s, None, None)):
                if i >= ITEM_QUADS:
                    break
                out.add(q.triple)

    def _sentences(self, iris: list[str], out: set) -> None:
        """Sentences (or other cited sources) with their triples, and the file names and
        titles of the documents of all in ``out`` (mentions' and sentences')."""
        self._describe_items([ox.NamedNode(i) for i in iris], out)
        docs = {t.object for t in out if t.predicate == CONTEXT and isinstance(t.object, ox.NamedNode)}
        for d in sorted(docs, key=str):
            for p in DOC_FIELDS:
                value = self._first(d, p)
                if value is not None:
                    out.add(ox.Triple(d, p, value))

    def documents(self) -> bytes:
        """Every document as the page lists it: named by dcterms:title, else its first
        heading, else its opening words (as kg.html names the documents of a file page)."""
        return self._once("docs", self._documents)

    def _documents(self) -> bytes:
        first = _first_sentences(self.select(HEADINGS))
        docs = sorted(({"iri": r["d"].value, "name": r["f"].value,
                        "title": r["title"].value if r["title"] else first.get(r["d"].value, "")}
                       for r in self.select(DOCS) if isinstance(r["d"], ox.NamedNode)),
                      key=lambda d: (d["name"], d["iri"]))
        untitled = [d for d in docs if not d["title"]]
        if untitled:        # named by their opening words: sentence 0, else 1
            opening = _first_sentences(self.select(OPENINGS % " ".join(
                str(ox.NamedNode(f"{d['iri']}/sentence/{n}")) for d in untitled for n in (0, 1))))
            for d in untitled:
                text = opening.get(d["iri"], "")
                d["title"] = text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS] + "…"
        self._titles = {d["iri"]: d["title"] for d in docs}
        return script_json(docs).encode("utf-8")

    def document(self, iri: str) -> dict:
        """The entities document ``iri`` names, with their mentions in it and its sentences."""
        doc = str(ox.NamedNode(iri))          # raises ValueError unless a valid IRI
        names = [r["e"].value for r in self.select(DOC_NAMES.replace("__DOC__", doc))
                 if isinstance(r["e"], ox.NamedNode)]
        mentions = self.construct(DOC_MENTIONS.replace("__DOC__", doc)) if names else []
        cited = sorted({t.object.value for t in mentions
                        if t.predicate.value in CITES and isinstance(t.object, ox.NamedNode)})
        sentences: set = set()
        self._sentences(cited, sentences)
        data = _page_data(self._lines(names) + [f"{t} .\n" for t in (*mentions, *sentences)],
                          titles=self._titles)
        data["doc"] = iri
        return data

    def search(self, text: str) -> list[dict]:
        rows = self.select(SEARCH, q=ox.Literal(text.strip().lower()))
        return [{"iri": r["e"].value, "label": r["label"].value,
                 "type": r["type"].value.rsplit("#", 1)[-1]} for r in rows if isinstance(r["e"], ox.NamedNode)]

    def dashboard(self) -> bytes:
        return self._once("dashboard", self._dashboard)

    def _dashboard(self) -> bytes:
        text = "".join(ox.serialize(self.construct(q), format=ox.RdfFormat.N_TRIPLES).decode("utf-8") for q in DASHBOARD)
        g = TermIndex(sorted(text.splitlines(keepends=True)))
        dash = key_figures(g)
        sentences: dict[str, int] = {}
        texts = []
        for p in dash.pairings:
            for f in p.figures:
                for s in f.sources:
                    if s.sentence not in sentences:
                        sentences[s.sentence] = len(texts)
                        texts.append([s.file, s.text])
        out = _dashboard_json(dash, sentences, {})
        out["sentences"] = texts
        return script_json(out).encode("utf-8")

    # -- HTTP

    def handle(self, handler, path: str, query: str) -> bool:
        """Answer ``path`` if it is one of the explorer's routes (True), else leave it."""
        params = parse_qs(query, keep_blank_values=True)

        def one(name: str) -> str | None:
            values = params.get(name, [])
            return values[0] if len(values) == 1 else None

        if path == "/":
            handler._send(200, "text/html; charset=utf-8", self.page(), PAGE_HEADERS)
        elif path == "/query":
            handler._send(200, "text/html; charset=utf-8", query_page(), QUERY_HEADERS)
        elif path == "/api/dashboard":
            handler._send(200, "application/json", self.dashboard())
        elif path == "/api/docs":
            handler._send(200, "application/json", self.documents())
        elif path in ("/api/node", "/api/evidence", "/api/doc"):
            iri = one("iri")
            answer = {"/api/node": self.neighbourhood, "/api/evidence": self.evidence,
                      "/api/doc": self.document}[path]
            try:
                data = answer(iri) if iri and _IRI.fullmatch(iri) else None
            except ValueError:
                data = None
            if data is None:
                handler._text(400, "Bad request: give one iri parameter, an absolute IRI")
            else:
                handler._send(200, "application/json", script_json(data).encode("utf-8"))
        elif path == "/api/search":
            q = one("q")
            if q is None or not q.strip() or len(q) > 100:
                handler._text(400, "Bad request: give one q parameter of 1 to 100 characters")
            else:
                handler._send(200, "application/json", script_json(self.search(q)).encode("utf-8"))
        else:
            return False
        return True


def overview(index: EntityIndex, drawn: dict | None = None) -> dict:
    """The page's data for the first view of a served graph: the :data:`OVERVIEW_NODES`
    most connected entities (by relations with other entities), pairings first (``drawn``:
    the data of :func:`overview_lines`, if made already)."""
    data = dict(drawn if drawn is not None else _page_data(overview_lines(index)))
    data["remote"] = {"total": index.entities}
    data["dashboard"] = None            # fetched when first opened
    return data


def overview_lines(index: EntityIndex) -> list[str]:
    """The lines the first view is drawn from: the relations among the entities it shows
    and their names and types."""
    supports = index.relations.index("supports")
    ranked = sorted(index.ids, key=lambda e: (-index.degree(e), e))
    ends = [e for e in ranked if any((x >> 1) & 31 == supports for x in index.links[index.ids[e]])]
    top = ranked[:OVERVIEW_NODES]
    return index.lines(list(dict.fromkeys(ends + top))[:OVERVIEW_NODES])


def first_page(index: EntityIndex, title: str = DEFAULT_TITLE, drawn: dict | None = None) -> bytes:
    """The served explorer's page at ``/``: the first view of :func:`overview`."""
    return "".join(page_pieces(overview(index, drawn), title, served=True)).encode("utf-8")


def build_cache(g: TermIndex, out: str | Path, key: str, triples: int, title: str = DEFAULT_TITLE,
                memo: dict | None = None) -> bool:
    """Write the cache file ``kg serve`` would make for a store holding the triples of
    ``g`` (a build's index of the union of its graphs, :class:`~kg.graph.TermIndex`) to
    ``out``, with the store's ``key`` (:func:`kg.explorer_cache.cache_key`) and size: the
    same first view and index as made from the store, without its queries.

    ``memo`` holds the first view's data as the last build drew it, with the
    :func:`~kg.explorer_cache.view_key` of its lines: taken as it is when the lines are
    the same (an edit rarely reaches the relations among the most connected entities,
    and drawing them takes a second), and set to this build's."""
    index = EntityIndex.of_terms(g)
    lines = overview_lines(index)
    view = view_key(lines)
    if memo is None or memo.get("view") != view:
        drawn = _page_data(lines)
        if memo is not None:
            memo.clear()
            memo.update(view=view, data=drawn)
    else:
        drawn = memo["data"]
    return write_cache(out, key, index.dump(), first_page(index, title, drawn), title, triples)


def _page_data(lines: list[str], star: bool = False, centre: str | None = None, titles=None) -> dict:
    """The page's data (:mod:`kg.html`) from N-Triples lines; a ``star`` is one entity's
    neighbourhood (``centre``); ``titles``: the documents' names, where known."""
    data = _GraphData(TermIndex(sorted("".join(lines).splitlines(keepends=True))), max_nodes=None,
                      metrics_as_nodes=False, titles=titles).build(dashboard=False, star=star)
    if centre is not None:
        data["centre"] = centre
    return data


def _share(triples, n: int) -> list[str]:
    """At most ``n`` of the sentences ``triples`` cite, shared out among the citing items
    (a fact, a mention, a metric): the first of each, then the second of each, and so on,
    so that every relation and metric in a panel keeps a sentence when there are many."""
    cites: dict[str, set] = {}
    for t in triples:
        if t.predicate.value in CITES and isinstance(t.object, ox.NamedNode):
            cites.setdefault(str(t.subject), set()).add(t.object.value)
    lists = [sorted(cites[k]) for k in sorted(cites)]
    chosen: dict[str, None] = {}
    for rank in range(max(map(len, lists), default=0)):
        for sentences in lists:
            if rank < len(sentences) and len(chosen) < n:
                chosen[sentences[rank]] = None
    return list(chosen)


def _first_sentences(rows) -> dict[str, str]:
    """document IRI -> the text of its lowest-numbered sentence among ``rows`` (?s ?t),
    numbers below HEADING_SEARCH only."""
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        doc, _, n = r["s"].value.rpartition("/sentence/")
        if doc and n.isdigit() and int(n) < HEADING_SEARCH and (doc not in best or int(n) < best[doc][0]):
            best[doc] = (int(n), r["t"].value)
    return {d: t for d, (_, t) in best.items()}


_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+")
# the page's own meta CSP allows its scripts by hash; the header adds what a meta tag cannot
PAGE_HEADERS = {"Content-Security-Policy": "frame-ancestors 'none'; form-action 'none'",
                "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


def examples() -> list[dict]:
    """The bundled queries (queries/*.rq): name, first comment line, text."""
    out = []
    for path in sorted(QUERY_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = next((l.lstrip("# ").strip() for l in text.splitlines() if l.startswith("#")), "")
        out.append({"name": path.stem, "about": first, "text": text})
    return out


def query_page() -> bytes:
    template = resources.files("kg.data").joinpath("query_template.html").read_text(encoding="utf-8")
    script = template.split("<script>", 1)[1].split("</script>", 1)[0]
    page = template.replace("{{SCRIPT_HASH}}", f"'sha256-{_sha256(script)}'", 1)
    return page.replace("{{EXAMPLES}}", script_json(examples())).encode("utf-8")


QUERY_HEADERS = PAGE_HEADERS
