"""The knowledge graph as one self-contained, offline HTML page (vis-network).

Entry points: :func:`render_html` (graph -> str) and :func:`write_html` (atomic UTF-8 file).
Both read only the RDF (shape in ``docs/rdf-design.md``): an rdflib Graph, or the
:class:`~kg.graph.TermIndex` of N-Triples lines a build makes, so a page can be
re-rendered from any Turtle file; no stage before the graph is imported.

Why our own template instead of ``pyvis.network.Network``
    pyvis is a dependency only because it ships a vis-network build
    (``pyvis/templates/lib/vis-9.1.2/vis-network.min.js`` and ``.css``). Its own templates
    cannot give an offline, safe page: ``cdn_resources='in_line'`` still links Bootstrap from
    a CDN, ``'local'`` still loads vis-network from cdnjs, titles containing ``href`` switch
    it to an ``innerHTML`` popup, ``select_menu`` writes node ids into ``<option>`` unescaped,
    its Jinja environment has no autoescape, and ``write_html`` opens the file without an
    encoding. So we compute nothing with pyvis and fill ``kg/data/graph_template.html``:

    * vis-network's JS and CSS are inlined (no ``src=``/``href=`` to any host; a CSP meta tag
      forbids loading anything else);
    * the data travels as JSON in ``<script type="application/json" id="graph-data">`` with
      ``<``, ``>``, ``&``, U+2028/U+2029 (and lone surrogates) written as ``\\uXXXX``, read
      with ``JSON.parse(textContent)``;
    * the page script puts every string into the DOM with ``textContent`` /
      ``createTextNode``; tooltips are DOM elements (vis-network 9 accepts an element as
      ``title``); the mention inside a source sentence is a ``<mark>`` element built the same
      way. The page title is HTML-escaped into ``<title>``/``<h1>``.

What the page shows
    Entities (subjects typed with a contract class other than ``yj:Metric``) as dots coloured
    by primary type and sized by degree or, at the reader's choice, betweenness centrality
    (both networkx, over the seven relations); the relations as edges labelled in Chinese
    (``pairedWith`` undirected); metrics as rows of their subject in the tooltip and side
    panel, which the page can also draw as diamond nodes (``metrics_as_nodes=True`` starts
    that way). A legend of types and relations with counts doubles as a filter, a
    ``<select>`` filters by source document, a search box focuses the first node whose label
    or alt label contains the text. Filters hide items (``hidden: true``), so positions are
    kept.

Big graphs
    ``max_nodes`` (default :data:`DEFAULT_MAX_NODES`) keeps the most connected entities and
    the page lists what it left out (:func:`select_entities` gives the same cut without
    rendering). Physics runs for a capped number of iterations and at most
    :data:`STABILISE_BUDGET_MS`, then is switched off; above :data:`IMPROVED_LAYOUT_MAX`
    entities the start positions come from :func:`_initial_layout` so the short run is
    enough. Tooltips are built on first hover. ``window.kgReady`` turns true once the
    settled layout has been painted (tests and ``benchmarks/html_bench.py`` wait for it).

Deterministic: the same graph gives byte-identical HTML (everything is sorted, the layout
seed is fixed).
"""
from __future__ import annotations

import base64
import hashlib
import heapq
import html as _html
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from sys import intern

from rdflib import namespace
from rdflib.term import XSDToPython

from . import graph as _graph
from .files import atomic_path, umask_mode
from .graph import Lit, TermIndex, TrackedIndex, objects_in, smallest_term, parse_term
from .dashboard import Dashboard, columns, key_figures
from .model import ADMIN_TYPES, ENTITY_TYPES, RELATIONS


class _Ns:
    """IRIs of a vocabulary as plain strings, the keys of a :class:`~kg.graph.TermIndex`."""

    def __init__(self, base: str):
        self.base = base

    def __getattr__(self, name: str) -> str:
        return self.base + name

    __getitem__ = __getattr__

    def __str__(self) -> str:
        return self.base


# plain-string views of the vocabularies kg.graph and rdflib define (rdflib's Namespace
# makes a URIRef per attribute, whose hash is not a str's: no good as an index key)
YJ, NIF, ITSRDF = _Ns(str(_graph.YJ)), _Ns(str(_graph.NIF)), _Ns(str(_graph.ITSRDF))
RDF, RDFS, SKOS = _Ns(str(namespace.RDF)), _Ns(str(namespace.RDFS)), _Ns(str(namespace.SKOS))
DCTERMS, PROV = _Ns(str(namespace.DCTERMS)), _Ns(str(namespace.PROV))
# rdflib's table of XSD datatype -> Python, kept to numbers and booleans (what the page formats)
_NUMERIC = {str(k): v for k, v in XSDToPython.items()
            if k is not None and (v in (int, float, Decimal) or k == namespace.XSD.boolean)}

DEFAULT_TITLE = "对口援疆知识图谱"
VIS_VERSION = "9.1.2"
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
              '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')

# Contract type -> (Chinese name, colour, vis-network shape). Colours are the Okabe-Ito
# palette (told apart with the common colour-vision deficiencies); the shape says the type's
# family (places round, bodies square, works triangles, programmes stars, people upside-down
# triangles), so two types sharing a colour never share a shape. Fixed across graphs.
TYPE_STYLE: dict[str, tuple[str, str, str]] = {
    "Province": ("省", "#0072B2", "dot"),
    "Prefecture": ("地区/州", "#56B4E9", "dot"),
    "City": ("城市", "#D55E00", "dot"),
    "County": ("县", "#E69F00", "dot"),
    "Township": ("乡镇", "#F0E442", "dot"),
    "Village": ("村", "#009E73", "dot"),
    "Organization": ("机构", "#CC79A7", "square"),
    "Enterprise": ("企业", "#0072B2", "square"),
    "School": ("学校", "#009E73", "square"),
    "Hospital": ("医院", "#D55E00", "square"),
    "Facility": ("设施", "#E69F00", "triangle"),
    "Product": ("产品", "#F0E442", "triangle"),
    "Initiative": ("项目举措", "#CC79A7", "star"),
    "Person": ("人物", "#000000", "triangleDown"),
    "Metric": ("指标", "#999999", "diamond"),
}
# Node size before degree adds to it: the places the graph is about come first.
TYPE_BASE_SIZE = {"City": 24, "County": 24, "Prefecture": 24, "Province": 20, "Organization": 14}
OTHER_BASE_SIZE = 9
ADMIN_LABELLED = ("City", "County", "Prefecture", "Province")
IMPORTANT_LABELS = 40           # labels drawn at every zoom; the rest appear as one zooms in
# Relation -> (Chinese label, colour, directed).
RELATION_STYLE: dict[str, tuple[str, str, bool]] = {
    "supports": ("对口支援", "#d62728", True),
    "locatedIn": ("位于", "#8a8a8a", True),
    "subOrganizationOf": ("隶属于", "#8c564b", True),
    "implements": ("实施", "#9467bd", True),
    "introduced": ("引进", "#1f77b4", True),
    "builds": ("建设", "#2ca02c", True),
    "pairedWith": ("结对", "#ff7f0e", False),
}
METRIC_EDGE = "hasMetric"
METRIC_EDGE_STYLE = ("指标", "#9a9a9a", True)
UNIT_ZH = {
    "CNY": "元", "batch": "批", "class": "个班", "head": "头", "household": "户", "item": "项",
    "jin": "斤", "kg": "千克", "km": "公里", "km2": "平方公里", "m": "米", "m2": "平方米",
    "mu": "亩", "percent": "%", "person": "人", "school": "所", "t": "吨", "times": "人次",
    "vehicle": "辆", "day": "天", "hour": "小时", "month": "个月", "pair": "对", "bottle": "瓶", "spindle": "锭",
}
DEFAULT_MAX_NODES = 5000        # larger pages stay usable but take long to lay out
LEFT_OUT_EXAMPLES = 10
CENTRALITY_WORK = 400_000       # edge visits for betweenness (under a second in CPython)
CENTRALITY_MIN_SAMPLES = 32
EVIDENCE_SHOWN = 50             # source sentences listed per node, edge or metric
LAYOUT_SPACING = 100.0
SPRING_MAX = 499                # force-directed refinement up to this size (networkx's
                                # dense solver, under a second; its sparse one is ten times slower)
HEADING_SEARCH = 200            # sentences looked at for a document's first heading
TITLE_CHARS = 40

# predicates as the index's rows write them (what _GraphData._values_of reads)
_P_IS_STRING, _P_CONTEXT, _P_BEGIN, _P_END = (f"<{p}>" for p in (NIF.isString, NIF.referenceContext,
                                                                  NIF.beginIndex, NIF.endIndex))
_P_SENTENCE, _P_ANCHOR, _P_IDENT_REF = f"<{NIF.sentence}>", f"<{NIF.anchorOf}>", f"<{ITSRDF.taIdentRef}>"
_P_TRIGGER, _P_DERIVED, _P_TYPE = f"<{YJ.trigger}>", f"<{PROV.wasDerivedFrom}>", f"<{RDF.type}>"
_P_ABOUT, _P_CANDIDATE_ABOUT, _P_CONFIDENCE = f"<{YJ.about}>", f"<{YJ.candidateAbout}>", f"<{YJ.confidence}>"
_P_LABEL, _P_PREF_LABEL, _P_ALT_LABEL = f"<{RDFS.label}>", f"<{SKOS.prefLabel}>", f"<{SKOS.altLabel}>"
_P_SURFACE = f"<{YJ.surface}>"
_P_STATEMENT = tuple(f"<{p}>" for p in (RDF.subject, RDF.predicate, RDF.object))
_UNREAD = object()

_EXECUTED_SCRIPT = re.compile(r"<script(?: id=\"app\")?>(.*?)</script>", re.S)
_JSON_ESCAPE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_ENTITY_KIND = re.compile(r"/id/([^/]+)/[^/]*$")


# ---------------------------------------------------------------- public API

@dataclass(frozen=True)
class Selection:
    """Which entities a page bounded by ``max_nodes`` shows, and what it leaves out."""
    shown: tuple[str, ...]                       # IRIs, sorted
    left_out: tuple[str, ...]                    # IRIs, most connected first
    left_out_by_type: tuple[tuple[str, int], ...]
    edges_total: int
    edges_left_out: int                          # relations with an end left out
    examples: tuple[str, ...]                    # labels of the most connected left out

    @property
    def total(self) -> int:
        return len(self.shown) + len(self.left_out)

    def summary(self) -> str:
        """One line for the terminal."""
        if not self.left_out:
            return f"all {self.total} entities shown"
        types = ", ".join(f"{t} {n}" for t, n in self.left_out_by_type)
        line = (f"{len(self.shown)} of {self.total} entities shown (the most connected); "
                f"left out {len(self.left_out)} entities ({types}) and "
                f"{self.edges_left_out} of {self.edges_total} relations")
        if self.examples:
            line += "; most connected of those left out: " + "、".join(self.examples)
        return line


def select_entities(graph, max_nodes: int | None = DEFAULT_MAX_NODES) -> Selection:
    """The cut :func:`render_html` makes with the same ``max_nodes``, without rendering."""
    data = _GraphData(graph, max_nodes=max_nodes, metrics_as_nodes=False)
    data.collect()
    return data.select()


def render_html(graph, title: str = DEFAULT_TITLE,
                max_nodes: int | None = DEFAULT_MAX_NODES,
                metrics_as_nodes: bool = False) -> str:
    """One self-contained HTML page showing ``graph``.

    ``max_nodes`` (``None``: no bound) keeps the most connected entities (degree over the
    relation edges, ties by IRI); the page then says what was left out. With
    ``metrics_as_nodes`` the page starts with metrics drawn as nodes linked to their
    ``yj:about`` entity (the reader can switch either way).
    """
    return "".join(_page_pieces(graph, title, max_nodes, metrics_as_nodes))


_DATA_MARK = "\x00DATA\x00"       # where the data goes; no template or field holds a NUL


def _page_pieces(graph, title: str = DEFAULT_TITLE, max_nodes: int | None = DEFAULT_MAX_NODES,
                 metrics_as_nodes: bool = False, memo: "PageMemo | None" = None):
    """The page as a few strings: the part before the data, the data's JSON in pieces, the
    rest. A big corpus's page is tens of megabytes; written piece by piece it is never
    held whole (nor copied for each placeholder filled)."""
    if max_nodes is not None and max_nodes < 0:
        raise ValueError("max_nodes must be >= 0")
    data = _GraphData(graph, max_nodes=max_nodes, metrics_as_nodes=metrics_as_nodes, memo=memo).build()
    yield from page_pieces(data, title)


def page_pieces(data: dict, title: str = DEFAULT_TITLE, served: bool = False):
    """The page around ``data`` (what :meth:`_GraphData.build` returns). A ``served`` page
    (``kg serve``) may also fetch from the server that sent it, and nothing else."""
    shown, total, omitted = data["shown"], data["total"], data["omitted"]
    if omitted:
        note = (f"显示关系最多的 {shown} / {total} 个实体，未显示 {omitted['entities']} 个实体和 "
                f"{omitted['edges']} 条关系 · {shown} of {total} entities shown, "
                f"{omitted['entities']} entities and {omitted['edges']} relations left out · "
                f"全部实体：kg serve OUT")
        note_class = "truncated"
    else:
        note = f"{total} 个实体 · {len(data['edges'])} 条边"
        note_class = "summary"
    js, css = _vis_assets()
    fields = {
        "TITLE": _html.escape(title, quote=True),
        "NOTE": _html.escape(note, quote=True),
        "NOTE_CLASS": note_class,
        "VIS_VERSION": VIS_VERSION,
        "VIS_CSS": css,
        "VIS_JS": js,
        "DATA": _DATA_MARK,
        "CONNECT": "connect-src 'self'; " if served else "",
    }
    fields["SCRIPT_HASHES"] = "{{SCRIPT_HASHES}}"      # filled once the scripts are final
    # One pass, so text inserted for one placeholder is never scanned for another.
    page = re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: fields[m.group(1)], _template())
    # The CSP allows exactly our two scripts by hash: markup that slipped into the page by
    # some future mistake, inline handlers included, still could not run. The meta tag
    # comes before the title and the data, so the first occurrence is the one to fill.
    # (The data sits in a JSON script, never executed, and holds no "<": it changes no hash.)
    hashes = " ".join(f"'sha256-{_sha256(m.group(1))}'" for m in _EXECUTED_SCRIPT.finditer(page))
    head, tail = page.replace("{{SCRIPT_HASHES}}", hashes, 1).split(_DATA_MARK)
    yield head
    yield from script_json_pieces(data)
    yield tail


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def write_html(graph, path: str | Path, atomic: bool = True, **kw) -> Path:
    """Render ``graph`` and write it to ``path`` atomically (temp file in the same
    directory, then ``os.replace``), UTF-8; with ``atomic=False`` straight to ``path``, a
    temporary file its caller renames. Keyword arguments go to :func:`render_html`, and
    ``memo`` (a :class:`PageMemo`: what the last page was made of, reused where unchanged)."""
    if not atomic:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.writelines(_page_pieces(graph, **kw))
        return Path(path)
    # a page is for sharing: the mode a plain open() would give it
    with atomic_path(path, mode=umask_mode()) as tmp:
        write_html(graph, tmp, atomic=False, **kw)
    return Path(path)


def script_json(value) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>``, ``&``, U+2028,
    U+2029 and lone surrogates are written as ``\\uXXXX`` (still valid JSON)."""
    return _script_safe(_dumps(value))


def script_json_pieces(value, items: int = 2000):
    """:func:`script_json` of ``value`` in pieces, the same text once joined: a dict's
    members one by one and long lists ``items`` elements at a time."""
    if isinstance(value, dict):
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield ("," if i else "") + _script_safe(_dumps(key)) + ":"
            yield from script_json_pieces(value[key], items)
        yield "}"
    elif isinstance(value, (list, tuple)) and len(value) > items:
        yield "["
        for i in range(0, len(value), items):
            # the elements joined by commas: the list's own JSON without its brackets
            yield ("," if i else "") + _script_safe(_dumps(value[i:i + items])[1:-1])
        yield "]"
    else:
        yield script_json(value)


# json.dumps with these options makes an encoder per call (a page has tens of thousands of items)
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _script_safe(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)



class PageMemo:
    """Each part of the page (an entity's node, an edge, a metric's row, what the key
    figures read of a metric or an entity's mentions) as the last build made it, with the
    keys of everything it read (:class:`kg.graph.TrackedIndex`), so that a rebuild makes
    again only the parts whose reads changed; the rest of the page (the selection, the
    layout, betweenness, the order of sentences and documents) is made anew, so the page
    is the one a clean build draws.

    ``last`` is what :meth:`state` gave after the last build; ``changed`` the keys the
    lines added or removed since touch (:func:`kg.graph.changed_keys`). Without either, or
    when the page's code changed, every part is made. Only the parts this build used are
    kept for the next one."""

    def __init__(self, last: dict | None = None, changed: set[str] | None = None):
        self.version = _page_code()
        usable = last is not None and changed is not None and last.get("version") == self.version
        self.last: dict = last["parts"] if usable else {}
        self.changed = changed if usable else set()
        self.fresh: dict = {}
        self.reused = 0

    @classmethod
    def layered(cls, whole: dict, delta: tuple | None, changed: set[str] | None) -> "PageMemo":
        """The memo of the last build from what :func:`kg.store.read_layered` gives: the
        :meth:`state` of a build (``whole``) and the :meth:`delta` of the builds since."""
        if not whole:
            return cls(None, changed)
        parts = whole["parts"]
        if delta:
            parts = {k: v for k, v in parts.items() if k not in delta[1]}
            parts.update(delta[0])
        return cls({"version": whole["version"], "parts": parts}, changed)

    def delta(self, whole: dict) -> tuple[dict, set] | None:
        """What changed since ``whole`` (an earlier :meth:`state`): (the parts made since,
        the keys of the parts no longer used); None if ``whole`` is of other code."""
        if not whole or whole.get("version") != self.version:
            return None
        base = whole["parts"]
        # a part taken from the memo is the very object ``whole`` holds
        return ({k: v for k, v in self.fresh.items() if base.get(k) is not v},
                base.keys() - self.fresh.keys())

    def get(self, key):
        found = self.last.get(key)
        if found is not None and self.changed.isdisjoint(found[1]):
            self.reused += 1
            return found
        return None

    def keep(self, key, found) -> None:
        self.fresh[key] = found

    def state(self) -> dict:
        """What the next build's memo starts from (pickled into the store)."""
        return {"version": self.version, "parts": self.fresh}


@lru_cache(maxsize=1)
def _page_code() -> str:
    """A digest of the code that makes the parts (a memo made by other code is not used)."""
    from . import dashboard
    h = hashlib.sha256()
    for module in (_graph, dashboard):
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    h.update((resources.files("kg.data") / "lexicon" / "key_figures.tsv").read_bytes())
    return h.hexdigest()

# ---------------------------------------------------------------- assets

@lru_cache(maxsize=1)
def _template() -> str:
    return (resources.files("kg.data") / "graph_template.html").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's minified JS and CSS from the installed pyvis package."""
    from importlib.util import find_spec
    # where pyvis is installed, without importing it (and its Jinja and IPython imports)
    lib = Path(find_spec("pyvis").origin).resolve().parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # The build holds one '"<script>"' string literal (core-js' ActiveX fallback); the same
    # string written with \x3c keeps the page's <script> count to our own tags.
    js = js.replace('"<script>"', '"\\x3cscript>"')
    for bad in ("</script", "<script", "<!--"):
        if bad in js.lower():
            raise RuntimeError(f"vis-network.min.js contains {bad!r}; cannot inline it safely")
    if "</style" in css.lower():
        raise RuntimeError("vis-network.css contains '</style'; cannot inline it safely")
    return js.rstrip("\n"), css.rstrip("\n")


# ---------------------------------------------------------------- graph -> data

def _is_zh(lit) -> bool:
    return isinstance(lit, Lit) and lit.lang.startswith("zh")


def _is_en(lit) -> bool:
    return isinstance(lit, Lit) and lit.lang.startswith("en")


def _is_iri(term) -> bool:
    return not isinstance(term, Lit) and not term.startswith("_:")


def _python(value):
    """The value of a literal: int, Decimal, float or bool by its datatype, else its text."""
    if not isinstance(value, Lit):
        return value
    convert = _NUMERIC.get(value.datatype)
    if convert is not None:
        try:
            return convert(str(value))
        except (ValueError, ArithmeticError):
            pass
    return str(value)


def _int(value) -> int | None:
    if value is None:
        return None
    try:
        return int(_python(value))
    except (TypeError, ValueError):
        return None


def _u16(text: str, index: int) -> int:
    """Code-point index -> UTF-16 index (what JavaScript's String.slice uses)."""
    return index + len(_ASTRAL.findall(text, 0, index))


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _format_value(value) -> str:
    v = _python(value)
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e18:
            return f"{int(v):,}"
        v = Decimal(repr(v)) if math.isfinite(v) else v
    if isinstance(v, Decimal):
        if not v.is_finite():
            return str(v)
        if v == v.to_integral_value():
            return f"{int(v):,}"
        return format(v.normalize(), ",f")
    return str(v)


def _darker(hex_colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def _merge(ranges: list[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for a, b in sorted(set(ranges)):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _occurrences(text: str, needle: str) -> list[int]:
    hits, i = [], text.find(needle) if needle else -1
    while i >= 0:
        hits.append(i)
        i = text.find(needle, i + 1)
    return hits


class _Sentence:
    """A nif:Sentence the page cites; its text is read only if shown (_GraphData.text).
    ``node`` is its IRI as the index's rows write it (the key a part that reads it notes),
    ``record`` what a part listing it keeps of it (:meth:`_GraphData._cited`)."""
    __slots__ = ("iri", "doc", "begin", "text", "node", "record")

    def __init__(self, iri: str, doc: str | None, begin: int | None, node: str):
        self.iri, self.doc, self.begin, self.text, self.node, self.record = iri, doc, begin, None, node, None


class _GraphData:
    """Collects everything the page needs from the RDF graph, sorted."""

    def __init__(self, graph, max_nodes: int | None, metrics_as_nodes: bool, titles: dict | None = None,
                 memo: "PageMemo | None" = None):
        """``titles``: document IRI -> the name it is listed by, where known beforehand (kg
        serve's document list: the graph at hand may hold few of a document's sentences).
        ``memo``: each entity's, edge's and metric's part of the page as the last build made
        it, with what it read; a part none of whose reads changed is taken as it is."""
        self.known_titles = titles or {}
        self.candidates = _candidate_subjects(graph)
        self.g = TermIndex.of(graph)
        self.memo = memo
        if memo is not None:
            self.g = TrackedIndex(self.g)
        self._name_cache: dict = {}
        self.max_nodes = max_nodes
        self.metrics_as_nodes = metrics_as_nodes
        self._sentence_cache: dict = {}
        self._doc_cache: dict = {}
        self._doc_nodes: dict = {}          # document IRI -> its key as noted (kept: noted per sentence listed)
        self._shown: tuple = (None, None)   # (spans, their shown sentences): evidence reuses what spans_in_shown sorted
        self.used_sentences: set = set()
        self.used_docs: set = set()

    def _node(self, term) -> str:
        """``term`` as the index's rows write it, one string for each (what a part notes)."""
        return intern(self.g._text(term))

    def _values_of(self, node: str, predicates: tuple[str, ...]) -> list:
        """:meth:`TermIndex.values` of a subject given as ``node`` (:meth:`_node`, or a
        string of the index's rows), with predicates as text (:data:`_P`): the page asks
        hundreds of thousands of these, and a subject met as text is not parsed to be
        written back (noted as read all the same)."""
        if self.memo is not None:
            self.g.note((node,))
        row = self.g.spo.get(node)
        if not row:
            return [None] * len(predicates)
        keys = row[::2]
        return [smallest_term(objects_in(row, p, keys)) for p in predicates]

    def _row(self, node: str) -> tuple:
        """The index's row of a subject given as ``node``, noted as read."""
        if self.memo is not None:
            self.g.note((node,))
        return self.g.spo.get(node, ())

    # -- documents and sentences

    def doc(self, iri) -> dict:
        if iri not in self._doc_cache:
            titles = sorted(str(t) for t in self.g.objects(iri, DCTERMS.title))
            self._doc_cache[iri] = {"iri": str(iri), "name": self.doc_name(iri),
                                    "title": titles[0] if titles else
                                    self.known_titles.get(str(iri)) or self.heading(iri)}
        return self._doc_cache[iri]

    def doc_name(self, iri) -> str:
        """The name a document is listed and its sentences ordered by: its file, else its
        title, else the end of its IRI (read from the document's own triples only)."""
        if self.memo is not None:
            self.g.note_subject(iri)                # a part ordered by it depends on it
        name = self._name_cache.get(iri)
        if name is None:
            g = self.g
            source = g.value(iri, YJ.sourceFile)
            titles = sorted(str(t) for t in g.objects(iri, DCTERMS.title))
            name = self._name_cache[iri] = str(source) if source is not None else (
                titles[0] if titles else str(iri).rstrip("/").rsplit("/", 1)[-1])
        return name

    def heading(self, doc) -> str:
        """A document without dcterms:title is named by its first heading among its first
        HEADING_SEARCH sentence numbers, else by its opening words (sentence IRIs are
        ``{doc}/sentence/{n}``, so no index is needed; numbers may have gaps)."""
        first = ""
        for n in range(HEADING_SEARCH):
            text, kind = self.g.values(f"{doc}/sentence/{n}", (NIF.isString, YJ.paragraphKind))
            if text is None:
                continue
            if str(kind) == "heading":
                return str(text)
            first = first or str(text)
        return first if len(first) <= TITLE_CHARS else first[:TITLE_CHARS] + "…"

    def sentence(self, iri, node: str | None = None) -> "_Sentence | None":
        """Raw begin offset and document of a nif:Sentence (None without text); ``node``
        is its :meth:`_node`, where the caller has it."""
        found = self._sentence_cache.get(iri, _UNREAD)
        if found is _UNREAD:
            node = node or self._node(iri)
            row = self.g.spo.get(node, ())
            found = None
            # (whether it has a text, without unescaping one that may never be shown)
            if _P_IS_STRING in row[::2]:
                doc, begin = self._values_of(node, (_P_CONTEXT, _P_BEGIN))
                found = _Sentence(iri, doc, _int(begin), node)
            self._sentence_cache[iri] = found
        if self.memo is not None:
            self.g.note((found.node if found is not None else node or self._node(iri),))
        return found

    def text(self, s: "_Sentence") -> str:
        """The text of a sentence, read when first needed: only the sentences a panel lists
        need it, and a big corpus cites hundreds of thousands."""
        if self.memo is not None:
            self.g.note((s.node,))
        if s.text is None:
            s.text = min(str(parse_term(t)) for t in objects_in(self.g.spo.get(s.node, ()), _P_IS_STRING))
        return s.text

    def _sentence_key(self, s: "_Sentence"):
        doc = s.doc
        if doc is None:
            name = ""
        elif (name := self._name_cache.get(doc)) is None:
            name = self.doc_name(doc)
        elif self.memo is not None:
            # what doc_name notes: a part ordered by the document's name depends on it
            node = self._doc_nodes.get(doc)
            if node is None:
                node = self._doc_nodes[doc] = self._node(doc)
            self.g.note((node,))
        return (name, str(doc) if doc is not None else "", s.begin if s.begin is not None else -1, str(s.iri))

    def locate(self, s: "_Sentence", anchor: str | None, begin: int | None, end: int | None):
        """Span of a mention inside the sentence text (code points), or None.

        Offsets in RDF are raw-file offsets while nif:isString is the cleaned sentence, so
        the anchor text is checked at the offset and otherwise searched near it."""
        text = self.text(s)
        rel = begin - s.begin if begin is not None and s.begin is not None else None
        if anchor:
            if rel is not None and rel >= 0 and text[rel:rel + len(anchor)] == anchor:
                return rel, rel + len(anchor)
            hits = _occurrences(text, anchor)
            if hits:
                best = min(hits, key=lambda i: (abs(i - rel) if rel is not None else 0, i))
                return best, best + len(anchor)
            return None
        if rel is not None and end is not None and 0 <= rel < rel + (end - begin) <= len(text):
            return rel, rel + (end - begin)
        return None

    def shown_sentences(self, iris) -> list:
        """The sentences (IRIs) the panel lists for an item citing ``iris``: the first
        :data:`EVIDENCE_SHOWN` in reading order (document, then position)."""
        if self._shown[0] is iris:
            return self._shown[1]
        cache = self._sentence_cache
        order = lambda iri: self._sentence_key(cache[iri])      # noqa: E731
        if len(iris) > EVIDENCE_SHOWN:      # (the same as sorted()[:n]; a hub cites thousands)
            return heapq.nsmallest(EVIDENCE_SHOWN, iris, key=order)
        return sorted(iris, key=order)

    def spans_in_shown(self, cited: dict, find) -> dict:
        """{sentence IRI: what the item says there} -> {sentence IRI: spans}, where spans
        are ``find(sentence, what)`` for the sentences the panel lists and empty for the
        rest (they still count as evidence)."""
        spans: dict = dict.fromkeys(cited, ())
        shown = self.shown_sentences(cited)
        for iri in shown:
            spans[iri] = find(self._sentence_cache[iri], cited[iri])
        self._shown = (spans, shown)        # what evidence(spans) lists next
        return spans

    def evidence(self, spans: dict) -> dict:
        """{sentence IRI: [(start, end), ...]} -> ``ev``: the shown sentences in order as
        [(sentence IRI, [(a, b), ...]), ...] with UTF-16 offsets (IRIs become indices in
        :meth:`build`), and ``evCount``: how many sentences there are in all."""
        out = []
        shown = self.shown_sentences(spans)
        self._shown = (None, None)
        for iri in shown:
            text = self.text(self._sentence_cache[iri])
            # tuples: the same JSON arrays in less memory (a big page has millions)
            out.append((iri, [(_u16(text, a), _u16(text, b)) for a, b in _merge(spans[iri])]))
        return {"ev": out, "evCount": len(spans)}

    # -- parts kept from the last build

    def kept(self, key, make):
        """``make()``, or what it gave in the last build when nothing it read changed
        (:class:`PageMemo`). A part must not be changed by its caller: the memo keeps it."""
        memo = self.memo
        if memo is None:
            return make()
        found = memo.get(key)
        if found is None:
            self.g.reading()
            try:
                value = make()
            finally:
                read = self.g.done()
            found = (value, tuple(read))    # (a tuple: unpickled without hashing its keys again)
        else:
            self.g.note(found[1])
        memo.keep(key, found)
        return found[0]

    def _cited(self, ev: list) -> list:
        """What the page needs of the sentences a part lists, kept with the part: one
        record per sentence, shared by every part listing it (and so pickled once)."""
        out = []
        for iri, _ in ev:
            info = self._sentence_cache[iri]
            text = self.text(info)
            if info.record is None:
                info.record = (iri, info.doc, info.begin, text)
            out.append(info.record)
        return out

    def _recall(self, cited: list) -> None:
        """The sentences of a part taken from the memo, as if read again."""
        for record in cited:
            iri, doc, begin, text = record
            if self._sentence_cache.get(iri) is None:
                info = self._sentence_cache[iri] = _Sentence(iri, doc, begin, self._node(iri))
                info.text, info.record = text, record

    def entity_part(self, e) -> tuple[dict, list]:
        """What an entity's node shows that depends on it alone (labels, code, documents
        and the sentences naming it), and what it cites (:meth:`_cited`)."""
        g = self.g
        spans, docs = self.mention_spans(e)
        codes = sorted(str(c) for c in g.objects(e, YJ.adminCode))
        ev = self.evidence(spans)
        return {**self.labels(e), "code": codes[0] if codes else "", "docs": docs, **ev}, self._cited(ev["ev"])

    def edge_part(self, nodes: list) -> tuple[dict, list, bool]:
        """What an edge shows of the facts stating it (their :meth:`_node`: triggers,
        sources, the sentences with the triggers marked, the best confidence), what it
        cites, and whether all the facts are candidates."""
        g = self.g
        triggers: set[str] = set()
        sources: set[str] = set()
        reference = False
        facts = [parse_term(n) if self.candidates else None for n in nodes]   # (read by is_candidate only then)
        confs = [self.confidence(f, node) for f, node in zip(facts, nodes)]
        said: dict = {}              # sentence -> the triggers of the facts it states
        for node in nodes:
            row = self._row(node)
            trig = {str(parse_term(t)) for t in objects_in(row, _P_TRIGGER)}
            triggers |= trig
            for text in objects_in(row, _P_DERIVED):
                src = parse_term(text)
                if self.sentence(src, text) is None:
                    reference = True
                    names = sorted(str(l) for l in g.objects(src, RDFS.label))
                    sources.add(names[0] if names else str(src))
                    continue
                said.setdefault(src, set()).update(trig)
        spans = self.spans_in_shown(said, lambda s, trig: [
            (i, i + len(t)) for t in trig for i in _occurrences(self.text(s), t)])
        known = [c for c in confs if c is not None]
        ev = self.evidence(spans)
        return ({"triggers": sorted(triggers), "sources": sorted(sources),
                 "reference": reference and not spans, **ev, "conf": max(known) if known else None},
                self._cited(ev["ev"]), bool(confs) and all(self.is_candidate(f, node) for f, node in zip(facts, nodes)))

    def fact_edge(self, node: str) -> tuple[str, str, str] | None:
        """The edge a fact (its :meth:`_node`) states, (subject, relation, object), the ends
        of an undirected relation in order; None if it states none of the page's relations."""
        s, p, o = self._values_of(node, _P_STATEMENT)
        if s is None or p is None or o is None or not str(p).startswith(str(YJ)):
            return None
        rel = intern(str(p)[len(str(YJ)):])     # (kept with each fact's part: one string per relation)
        if rel not in RELATION_STYLE:
            return None
        a, b = str(s), str(o)
        if not RELATION_STYLE[rel][2] and b < a:
            a, b = b, a
        return a, rel, b

    def metric_subjects(self, m) -> tuple[str, ...]:
        """What a metric is about: its subject, its candidate subject, the entities listing it."""
        row = self._row(self._node(m))
        return tuple(sorted({str(parse_term(a)) for p in (_P_ABOUT, _P_CANDIDATE_ABOUT) for a in objects_in(row, p)}
                            | {str(a) for a in self.g.subjects(YJ.hasMetric, m)}))

    def metric_part(self, m) -> tuple[dict, list]:
        """A metric's row as its subjects list it, and what it cites."""
        spans, docs = self.metric_spans(m)
        ev = self.evidence(spans)
        return ({**self.metric_row(m), "docs": docs, **ev, "conf": self.confidence(m),
                 "candidate": self.is_candidate(m)}, self._cited(ev["ev"]))

    # -- entities

    def labels(self, node) -> dict:
        row = self._row(self._node(node))
        names = [parse_term(t) for t in objects_in(row, _P_LABEL)]    # read once: a served page builds 150 per click
        zh = sorted({str(l) for l in names if _is_zh(l)})
        pref = sorted({str(l) for t in objects_in(row, _P_PREF_LABEL) if _is_zh(l := parse_term(t))})
        en = sorted({str(l) for l in names if _is_en(l)})
        plain = sorted({str(l) for l in names if isinstance(l, Lit) and not _is_zh(l) and not _is_en(l)})
        if pref and pref[0] in zh:
            label = pref[0]
        elif zh:
            label = zh[0]
        elif pref:
            label = pref[0]
        elif plain:
            label = plain[0]
        elif en:
            label = en[0]
        else:
            label = str(node).rstrip("/").rsplit("/", 1)[-1]
        labels = sorted(set(zh) | set(pref) | set(plain))
        alt = sorted({str(l) for t in objects_in(row, _P_ALT_LABEL)
                      if isinstance(l := parse_term(t), Lit)} - set(labels) - {label})
        return {"label": label, "labels": labels, "alt": alt, "en": en}

    @staticmethod
    def primary_type(node, types: set[str]) -> str:
        """The type the IRI was minted for (``id/{kind}/…``), else the first contract type
        (administrative types first for ``id/place/…``)."""
        m = _ENTITY_KIND.search(str(node))
        kind = m.group(1) if m else ""
        for t in ENTITY_TYPES:
            if t.lower() == kind and t in types:
                return t
        order = ADMIN_TYPES + ENTITY_TYPES if kind == "place" else ENTITY_TYPES
        return next(t for t in order if t in types)

    def collect(self) -> None:
        """Entities, their types, metrics and the relation edges between entities."""
        g = self.g
        # every reverse lookup the page makes, indexed in one pass over the triples
        # (and those of the key figures, kg.dashboard: one pass for both)
        g.index_objects([RDF.type, ITSRDF.taIdentRef, YJ.hasMetric, YJ.candidateAbout, YJ.about, RDF.predicate,
                         *(YJ[rel] for rel in RELATIONS)])
        types_of: dict[str, set[str]] = {}
        for t in ENTITY_TYPES:
            for s in g.subjects(RDF.type, YJ[t]):
                if _is_iri(s):
                    types_of.setdefault(s, set()).add(t)
        self.metric_iris = {m for m in g.subjects(RDF.type, YJ.Metric) if _is_iri(m)}
        self.types_of = types_of
        self.entities = sorted((e for e in types_of if e not in self.metric_iris), key=str)

        # relation edges (pairedWith folded to one undirected edge per pair)
        entity_set = set(self.entities)
        rel_edges: set[tuple[str, str, str]] = set()
        for rel in RELATIONS:
            directed = RELATION_STYLE[rel][2]
            for s, o in g.subject_objects(YJ[rel]):
                if s in entity_set and o in entity_set:
                    a, b = str(s), str(o)
                    if not directed and b < a:
                        a, b = b, a
                    rel_edges.add((a, rel, b))
        # candidates (yj:Candidate, below the build's confidence threshold) are not stated
        # as triples: drawn from their descriptions, dashed
        self.candidate_edges: set[tuple[str, str, str]] = set()
        for f in g.subjects(RDF.type, YJ.Candidate):
            s, p, o = g.values(f, (RDF.subject, RDF.predicate, RDF.object))
            rel = str(p)[len(str(YJ)):] if p is not None and str(p).startswith(str(YJ)) else ""
            if rel in RELATION_STYLE and s in entity_set and o in entity_set:
                a, b = str(s), str(o)
                if not RELATION_STYLE[rel][2] and b < a:
                    a, b = b, a
                if (a, rel, b) not in rel_edges:
                    self.candidate_edges.add((a, rel, b))
        self.rel_edges = sorted(rel_edges | self.candidate_edges)
        # each entity's degree over these edges, as a networkx MultiDiGraph counts it (a
        # loop twice), without making one
        self.degree = dict.fromkeys(map(str, self.entities), 0)
        for a, _, b in self.rel_edges:
            self.degree[a] += 1
            self.degree[b] += 1

    def select(self) -> "Selection":
        """Keep the ``max_nodes`` most connected entities (ties by IRI)."""
        entities = self.entities
        if self.max_nodes is not None and self.max_nodes < len(entities):
            ranked = sorted(entities, key=lambda e: (-self.degree[str(e)], str(e)))
            kept, left = ranked[:self.max_nodes], ranked[self.max_nodes:]
        else:
            kept, left = entities, []
        shown = {str(e) for e in kept}
        by_type: dict[str, int] = {}
        for e in left:
            t = self.primary_type(e, self.types_of[e])
            by_type[t] = by_type.get(t, 0) + 1
        return Selection(
            shown=tuple(sorted(shown)), left_out=tuple(str(e) for e in left),
            left_out_by_type=tuple((t, by_type[t]) for t in ENTITY_TYPES if t in by_type),
            edges_total=len(self.rel_edges),
            edges_left_out=sum(1 for a, _, b in self.rel_edges if a not in shown or b not in shown),
            examples=tuple(self.labels(e)["label"] for e in left[:LEFT_OUT_EXAMPLES]))

    def build(self, dashboard: bool = True, star: bool = False) -> dict:
        """The page's data; without ``dashboard`` the key figures are left out (``kg serve``
        answers them on their own). A ``star`` (one entity and its neighbours, fetched by
        ``kg serve``) gets no betweenness (0: it would measure the star, not the graph) and
        the radial layout without the force-directed refinement (0.1-0.2 s each)."""
        g = self.g
        self.collect()
        sel = self.select()
        shown = set(sel.shown)
        entities = [e for e in self.entities if str(e) in shown]
        types_of, metric_iris, degree = self.types_of, self.metric_iris, self.degree
        rel_edges = [t for t in self.rel_edges if t[0] in shown and t[2] in shown]

        # betweenness over what is drawn; exact is O(nodes x edges), so big graphs sample
        # as many sources as CENTRALITY_WORK edge visits allow
        nodes_drawn = sorted(shown)
        pairs = [(a, b) for a, _, b in rel_edges if a != b]
        drawn_edges = _undirected_edges(nodes_drawn, pairs)
        k = max(CENTRALITY_MIN_SAMPLES, CENTRALITY_WORK // max(len(drawn_edges), 1))
        k = None if k >= len(nodes_drawn) else k
        between = {}
        if not star and len(nodes_drawn) > 2:
            # the same drawn graph gives the same figures: kept while no node or edge changes
            drawn = hashlib.sha256(repr((nodes_drawn, drawn_edges, k)).encode("utf-8")).hexdigest()
            between = self.kept(("betweenness", drawn), lambda: _betweenness(nodes_drawn, pairs, k))
        top = max(between.values(), default=0.0)

        # facts: (s, p, o) -> fact nodes (what each states is kept: a fact's triples seldom change)
        # (facts as the index's own strings: a big corpus has hundreds of thousands, each kept
        # in the memo under its name, which is then no new string)
        facts: dict[tuple[str, str, str], list] = {}
        typed = g._by_object(RDF.type)
        for f in {f for t in (YJ.Fact, RDF.Statement, YJ.Candidate) for f in typed.get(f"<{t}>", ())}:
            edge = self.kept(("fact", f), lambda: self.fact_edge(f))
            if edge is not None and edge[0] in shown and edge[2] in shown:   # facts of edges left out stay out
                facts.setdefault(edge, []).append(f)

        nodes = []
        index: dict[str, int] = {}
        for e in entities:
            key = str(e)
            index[key] = len(nodes)
            part, cited = self.kept(("entity", key), lambda: self.entity_part(e))
            self._recall(cited)
            self.used_docs.update(part["docs"])
            primary = self.primary_type(e, types_of[e])
            c = between.get(key, 0.0)
            nodes.append({
                "id": len(nodes), "iri": key, "kind": "entity", "type": primary,
                "types": [primary] + [t for t in ENTITY_TYPES if t in types_of[e] and t != primary],
                **part,
                "degree": degree[key], "size": _size(degree[key], primary),
                "centrality": None if star else round(c, 5), "sizeC": _size_share(c, top),
                "metrics": [],
            })

        edges = []
        for a, rel, b in rel_edges:
            stating = sorted(facts.get((a, rel, b), []), key=_iri_of)
            part, cited, all_candidates = self.kept(("edge", a, rel, b, *stating), lambda: self.edge_part(stating))
            self._recall(cited)
            edges.append({"id": len(edges), "from": index[a], "to": index[b], "rel": rel,
                          **part, "candidate": (a, rel, b) in self.candidate_edges or all_candidates})

        # Metrics are rows listed by their subjects; the page can also draw them as nodes.
        metric_rows = []
        all_entities = {str(e) for e in self.entities}
        for m in sorted(metric_iris, key=str):
            abouts = set(self.kept(("metric subjects", str(m)), lambda: self.metric_subjects(m))) & all_entities
            targets = sorted(abouts & shown)
            # metrics about a left-out entity go; metrics about nothing stay unless cut
            if not targets and (abouts or sel.left_out):
                continue
            part, cited = self.kept(("metric", str(m)), lambda: self.metric_part(m))
            self._recall(cited)
            self.used_docs.update(part["docs"])
            metric_rows.append({**part,
                                "about": [index[t] for t in targets]})
        metric_rows.sort(key=_metric_sort)
        for i, row in enumerate(metric_rows):
            for t in row["about"]:
                nodes[t]["metrics"].append(i)

        # The panel lists at most EVIDENCE_SHOWN sentences per item (and how many more there
        # are): only those travel in the page (see evidence), which keeps a big corpus's page
        # and the memory spent making it in proportion to what a reader can see.
        for item in nodes + edges + metric_rows:
            self.used_sentences.update(s for s, _ in item["ev"])
        dashboard = key_figures(g, self.kept if self.memo is not None else None) if dashboard else Dashboard([])
        for p in dashboard.pairings:
            for f in p.figures:
                for src in f.sources:
                    if self.sentence(src.sentence) is not None:
                        self.used_sentences.add(src.sentence)

        # documents and sentences: index in sorted order, then replace IRIs by indices
        doc_list = sorted(self.used_docs |
                          {self._sentence_cache[s].doc for s in self.used_sentences
                           if self._sentence_cache[s].doc is not None},
                          key=lambda d: (self.doc(d)["name"], str(d)))
        doc_index = {d: i for i, d in enumerate(doc_list)}
        sent_list = sorted(self.used_sentences,
                           key=lambda s: self._sentence_key(self._sentence_cache[s]))
        sent_index = {s: i for i, s in enumerate(sent_list)}
        doc_counts = [0] * len(doc_list)
        for item in nodes + edges + metric_rows:
            item["ev"] = [(sent_index[s], r) for s, r in item["ev"]]
        for item in nodes + metric_rows:
            item["docs"] = sorted(doc_index[d] for d in item["docs"])
        for n in nodes:
            for d in n["docs"]:
                doc_counts[d] += 1
        dash_out = _dashboard_json(dashboard, sent_index, index)
        sentences = []
        for s in sent_list:
            info = self._sentence_cache[s]
            sentences.append([doc_index[info.doc] if info.doc is not None else -1, self.text(info)])
        docs_out = [{**self.doc(d), "count": doc_counts[i]}
                    for i, d in enumerate(doc_list)]

        legend_counts: dict[str, int] = {}
        for n in nodes:
            legend_counts[n["type"]] = legend_counts.get(n["type"], 0) + 1
        rel_counts: dict[str, int] = {}
        for e in edges:
            rel_counts[e["rel"]] = rel_counts.get(e["rel"], 0) + 1
        relations = [{"name": r, "zh": z, "color": c, "directed": d, "dashes": False}
                     for r, (z, c, d) in RELATION_STYLE.items()]
        z, c, d = METRIC_EDGE_STYLE
        relations.append({"name": METRIC_EDGE, "zh": z, "color": c, "directed": d, "dashes": True})

        # Positions are computed here, so the page opens without running physics; the
        # pairings sit at the centre and entities without relations are gathered apart.
        pairing = {index[a] for a, rel, b in rel_edges if rel in ("supports", "pairedWith")} | \
                  {index[b] for a, rel, b in rel_edges if rel in ("supports", "pairedWith")}
        for node, (x, y) in zip(nodes, layout(len(nodes), [(e["from"], e["to"]) for e in edges], pairing,
                                               refine=not star)):
            node["x"], node["y"] = x, y
        # labelled at every zoom: the pairings and main places first, then the hubs
        ranked = sorted((n for n in nodes if n["degree"]),
                        key=lambda n: (not (n["id"] in pairing or n["type"] in ADMIN_LABELLED),
                                       -n["degree"], n["id"]))
        for n in nodes:
            n["important"] = False
            n["orphan"] = n["degree"] == 0
        for n in ranked[:min(IMPORTANT_LABELS, max(12, len(nodes) // 10))]:
            n["important"] = True
        omitted = None
        if sel.left_out:
            omitted = {"entities": len(sel.left_out), "edges": sel.edges_left_out,
                       "byType": [{"name": t, "count": n} for t, n in sel.left_out_by_type],
                       "examples": list(sel.examples)}
        return {
            "version": 2,
            "font": FONT_STACK,
            "shown": len(shown), "total": sel.total, "omitted": omitted,
            "nodes": nodes, "edges": edges, "metrics": metric_rows,
            "metricNodes": self.metrics_as_nodes,
            "docs": docs_out, "sentences": sentences, "evidenceShown": EVIDENCE_SHOWN,
            "typeNames": [{"name": t, "zh": z, "color": c, "border": _darker(c), "shape": sh}
                          for t, (z, c, sh) in TYPE_STYLE.items()],
            "legend": [{"name": t, "count": legend_counts[t]}
                       for t in ENTITY_TYPES if t in legend_counts],
            "relations": relations,
            "relLegend": [{"name": r["name"], "count": rel_counts[r["name"]]}
                          for r in relations if r["name"] in rel_counts],
            "dashboard": dash_out,
            "hasConfidence": any(x["conf"] is not None for x in edges + metric_rows),
            "smooth": len(edges) <= 1000,
        }

    def confidence(self, item, node: str | None = None) -> float | None:
        """yj:confidence (0-1) of a fact or metric; None where the graph gives none.
        ``node``: the item's :meth:`_node`, where the caller has it."""
        c = _python(self._values_of(node or self._node(item), (_P_CONFIDENCE,))[0])
        return float(c) if isinstance(c, (int, float, Decimal)) else None

    def is_candidate(self, item, node: str | None = None) -> bool:
        """A yj:Candidate fact, a metric with only a yj:candidateAbout subject, or anything
        in the graph's candidates named graph (when read from a dataset)."""
        if self.candidates and str(item) in self.candidates:
            return True
        node = node or self._node(item)
        if YJ.Candidate in {str(parse_term(t)) for t in objects_in(self._row(node), _P_TYPE)}:
            return True
        about, candidate = self._values_of(node, (_P_ABOUT, _P_CANDIDATE_ABOUT))
        return about is None and candidate is not None

    def mention_spans(self, entity) -> tuple[dict, list]:
        """Sentences mentioning ``entity`` with the mention spans, and its documents."""
        g = self.g
        in_sentence: dict = {}
        docs: set = set()
        # g.subjects(ITSRDF.taIdentRef, entity), its mentions kept as the index's text: a
        # place named in every article has thousands, and each is only looked up again
        target = g._text(entity)
        if self.memo is not None:
            g.note((intern(_P_IDENT_REF + "\0" + target),))
        named_in: set = set()       # documents as the rows write them, parsed once at the end
        for m in g._by_object(ITSRDF.taIdentRef).get(target, ()):
            row = self._row(m)
            keys = row[::2]
            sentences, contexts = objects_in(row, _P_SENTENCE, keys), objects_in(row, _P_CONTEXT, keys)
            sent_iri = smallest_term(sentences)
            s = self.sentence(sent_iri, sentences[0] if len(sentences) == 1 else None) if sent_iri is not None else None
            if len(contexts) == 1:
                named_in.add(contexts[0])
            elif contexts:
                docs.add(smallest_term(contexts))
            elif s is not None and s.doc is not None:
                docs.add(s.doc)
            if s is not None:
                in_sentence.setdefault(sent_iri, []).append(m)
        docs.update(map(parse_term, named_in))

        # spans are looked for only where the panel lists them (a place named in every
        # article has thousands of mentions)
        def find(s, mentions):
            hits = []
            for m in mentions:
                anchor, begin, end = self._values_of(m, (_P_ANCHOR, _P_BEGIN, _P_END))
                hits.append(self.locate(s, str(anchor) if anchor is not None else None, _int(begin), _int(end)))
            return [hit for hit in hits if hit]
        return self.spans_in_shown(in_sentence, find), sorted(docs, key=str)

    def metric_spans(self, metric) -> tuple[dict, list]:
        spans: dict = {}
        docs: set = set()
        node = self._node(metric)
        row = self._row(node)
        surfaces = sorted(str(parse_term(a)) for a in objects_in(row, _P_SURFACE))
        begin, end = (_int(v) for v in self._values_of(node, (_P_BEGIN, _P_END)))
        for text in objects_in(row, _P_DERIVED):
            src = parse_term(text)
            s = self.sentence(src, text)
            if s is None:
                continue
            if s.doc is not None:
                docs.add(s.doc)
            hit = self.locate(s, surfaces[0] if surfaces else None, begin, end)
            spans.setdefault(src, []).extend([hit] if hit else [])
        return spans, sorted(docs, key=str)

    def metric_row(self, m) -> dict:
        row = self._row(self._node(m))

        def first(prop):
            vals = sorted(map(parse_term, objects_in(row, f"<{prop}>")), key=lambda l: (not _is_zh(l), str(l)))
            return vals[0] if vals else None

        value, unit = first(YJ.value), first(YJ.unit)
        approx = first(YJ.approximate)
        unit_s = str(unit) if unit is not None else ""
        return {
            "iri": str(m),
            "indicator": str(first(YJ.indicator) or ""),
            "value": _format_value(value) if value is not None else "",
            "unit": UNIT_ZH.get(unit_s, unit_s),
            "surface": str(first(YJ.surface) or ""),
            "period": str(first(YJ.period) or ""),
            "approx": _python(approx) is True,
        }


def _iri_of(node: str) -> str:
    """An IRI or blank node as the index's rows write it -> as parse_term gives it (the
    order facts are listed in: their IRIs')."""
    return node[1:-1] if node[0] == "<" else node


def _undirected_edges(nodes: list[str], pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges of the undirected graph of ``nodes`` and ``pairs``, each once, in the order
    networkx's Graph lists them (nodes in order, each one's new neighbours in the order they
    came): what the betweenness figures are kept under, without importing networkx (a
    tenth of a second of a rebuild that keeps them)."""
    adjacent: dict[str, dict[str, None]] = {n: {} for n in nodes}
    for a, b in pairs:
        adjacent[a][b] = adjacent[b][a] = None
    seen: set[str] = set()
    edges = []
    for n, near in adjacent.items():
        edges += [(n, m) for m in near if m not in seen]
        seen.add(n)
    return edges


def _betweenness(nodes: list[str], pairs: list[tuple[str, str]], k: int | None) -> dict[str, float]:
    import networkx as nx
    und = nx.Graph()
    und.add_nodes_from(nodes)
    und.add_edges_from(pairs)
    return nx.betweenness_centrality(und, k=k, seed=7)


def _candidate_subjects(graph) -> frozenset[str]:
    """Subjects of the ``{base}candidates`` named graph, when ``graph`` has named graphs
    (an rdflib Dataset read from TriG); empty otherwise."""
    found: set[str] = set()
    contexts = getattr(graph, "contexts", None)
    if callable(contexts):
        for ctx in contexts():
            if str(ctx.identifier).endswith("/candidates"):
                found.update(str(s) for s in ctx.subjects())
    return frozenset(found)


def _dashboard_json(dash: Dashboard, sentence_index: dict, node_index: dict) -> dict:
    """The key figures as the page reads them: sentences as indices into the page's list,
    pairing ends as node ids where the page draws them."""
    cols = [{"key": c.key, "zh": c.zh} for c in columns()]
    pairs = []
    for p in dash.pairings:
        figures = []
        for f in p.figures:
            figures.append({"col": f.column, "about": f.subject, "ind": f.indicators, "text": f.text,
                            "value": float(f.value), "unit": f.unit, "period": f.period,
                            "approx": f.approximate, "conflict": f.conflict, "conf": f.confidence,
                            "src": [sentence_index[s.sentence] for s in f.sources
                                    if s.sentence in sentence_index],
                            "files": sorted({s.file for s in f.sources})})
        pairs.append({"from": p.supporter_label, "to": p.supported_label,
                      "fromIri": p.supporter, "toIri": p.supported,
                      "fromId": node_index.get(p.supporter), "toId": node_index.get(p.supported),
                      "figures": figures, "introduced": p.introduced, "built": p.built})
    return {"columns": cols, "pairs": pairs, "csv": dash.csv()}


def _metric_sort(row: dict):
    return (row["indicator"], row["value"], row["unit"], row["iri"])


def layout(n: int, pairs: list[tuple[int, int]], centre=frozenset(),
           spacing: float = LAYOUT_SPACING, refine: bool = True) -> list[tuple[float, float]]:
    """Positions of ``n`` nodes linked by ``pairs``, computed once so the page opens
    without a physics run. Deterministic.

    Linked nodes start from :func:`_initial_layout`; up to :data:`SPRING_MAX` of them are
    then (``refine``) spread by networkx's force-directed layout. A hidden hub tied to the ``centre``
    nodes (the pairings) draws them to the middle. Nodes without relations are gathered in
    a grid under the rest.
    """
    linked = sorted({i for a, b in pairs if a != b for i in (a, b)})
    local = {v: i for i, v in enumerate(linked)}
    links = [(local[a], local[b]) for a, b in pairs if a != b]
    hub = len(linked)
    anchors = sorted(local[c] for c in centre if c in local)
    if anchors:
        links += [(hub, c) for c in anchors]
    m = len(linked) + (1 if anchors else 0)
    start = _initial_layout(m, links, spacing) if m else []
    xy: dict[int, tuple[float, float]] = {}
    if refine and 2 < m <= SPRING_MAX + 1:
        import networkx as nx           # (only here and for betweenness: a rebuild seldom needs it)
        g = nx.Graph()
        g.add_nodes_from(range(m))
        g.add_edges_from(links, weight=1.0)
        # the hub's pull is weak: enough to bring the pairings in, not to pile them up
        g.add_edges_from(((hub, c) for c in anchors), weight=0.15)
        half = spacing * math.sqrt(m) * 0.75
        span = max(max(abs(c) for p in start for c in p), 1.0)
        pos = nx.spring_layout(g, pos={i: (x / span, y / span) for i, (x, y) in enumerate(start)},
                               iterations=80, seed=7, scale=half, weight="weight")
        start = [(float(pos[i][0]), float(pos[i][1])) for i in range(m)]
    if anchors:                                  # the hub's place is the middle
        hx, hy = start[hub]
        start = [(x - hx, y - hy) for x, y in start]
    for v, i in local.items():
        xy[v] = (round(start[i][0], 1), round(start[i][1], 1))
    orphans = [v for v in range(n) if v not in xy]
    if orphans:
        xs = [p[0] for p in xy.values()] or [0.0]
        ys = [p[1] for p in xy.values()] or [0.0]
        cols = max(1, math.ceil(math.sqrt(len(orphans)) * 1.6))
        step = spacing * 0.9
        x0 = (min(xs) + max(xs)) / 2 - (min(cols, len(orphans)) - 1) * step / 2
        y0 = max(ys) + 2 * spacing if xy else 0.0
        for k, v in enumerate(orphans):
            xy[v] = (round(x0 + (k % cols) * step, 1), round(y0 + (k // cols) * step, 1))
    return [xy[v] for v in range(n)]


def _initial_layout(n: int, pairs: list[tuple[int, int]],
                    spacing: float = LAYOUT_SPACING) -> list[tuple[float, float]]:
    """Start positions for graphs too big for vis-network's own improved layout.

    Random starts need many more physics iterations than a big page can afford. Here each
    connected component is laid out radially by breadth-first search from its
    best-connected node, each layer on rings around the previous one and sorted by the
    angle of its parent, so neighbours start near each other; components are packed on
    rings around the largest. Linear in nodes + edges, deterministic.
    """
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        if a != b:
            adj[a].append(b)
            adj[b].append(a)
    order = sorted(range(n), key=lambda i: (-len(adj[i]), i))
    seen = [False] * n
    comps = []                                  # (radius, {node: (x, y)})
    for root in order:
        if seen[root]:
            continue
        seen[root] = True
        layers, children = [[root]], {root: []}
        while True:
            layer = []
            for u in layers[-1]:
                for v in adj[u]:
                    if not seen[v]:
                        seen[v] = True
                        children[u].append(v)
                        children[v] = []
                        layer.append(v)
            if not layer:
                break
            layers.append(layer)
        # each subtree gets a wedge of the circle in proportion to its size
        size = {}
        for layer in reversed(layers):
            for u in layer:
                size[u] = 1 + sum(size[v] for v in children[u])
        theta, wedge = {root: 0.0}, {root: (0.0, 2 * math.pi)}
        for layer in layers:
            for u in layer:
                lo, hi = wedge[u]
                for v in children[u]:
                    span = (hi - lo) * size[v] / (size[u] - 1)
                    wedge[v] = (lo, lo + span)
                    theta[v] = lo + span / 2
                    lo += span
        local, radius = {root: (0.0, 0.0)}, 0.0
        for layer in layers[1:]:
            layer.sort(key=lambda v: (theta[v], v))
            inner = radius + spacing
            caps, total = [], 0                 # ring capacities, enough for the layer
            while total < len(layer):
                caps.append(max(1, int(2 * math.pi * (inner + len(caps) * spacing) / spacing)))
                total += caps[-1]
            dealt = [0] * len(caps)
            for rank, v in enumerate(layer):
                # deal in angle order, each ring getting its share of the circumference
                j = max(range(len(caps)), key=lambda j: caps[j] * (rank + 1) / total - dealt[j])
                dealt[j] += 1
                r = inner + j * spacing
                local[v] = (r * math.cos(theta[v]), r * math.sin(theta[v]))
            radius = inner + (len(caps) - 1) * spacing
        comps.append((radius + spacing / 2, local))
    comps.sort(key=lambda c: (-len(c[1]), min(c[1])))

    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    ring_inner, ring_mid, used, ring_half = 0.0, 0.0, math.inf, 0.0
    for i, (rc, local) in enumerate(comps):
        if i == 0:
            cx = cy = 0.0
            ring_inner = rc
        else:
            step = (2 * rc + spacing) / ring_mid if ring_mid else math.inf
            if used + step > 2 * math.pi:        # start a new ring, as thick as its first
                ring_inner = ring_mid + ring_half if ring_mid else ring_inner
                ring_half = rc + spacing / 2
                ring_mid = ring_inner + ring_half
                used = 0.0
                step = (2 * rc + spacing) / ring_mid
            a = used + step / 2
            used += step
            cx, cy = ring_mid * math.cos(a), ring_mid * math.sin(a)
        for v, (x, y) in local.items():
            pos[v] = (round(cx + x, 1), round(cy + y, 1))
    return pos


def _size(degree: int, type_: str = "") -> float:
    """The places a pairing is about are drawn largest; degree adds to every type."""
    return round(min(TYPE_BASE_SIZE.get(type_, OTHER_BASE_SIZE) + 4 * math.sqrt(degree), 48), 2)


def _size_share(value: float, top: float) -> float:
    """Size from a centrality, relative to the largest one (same 10..45 range as degree)."""
    return round(10 + 35 * math.sqrt(value / top), 2) if top > 0 else 10.0
