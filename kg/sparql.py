"""SPARQL over a graph file, on pyoxigraph (default) or rdflib.

    >>> from kg.sparql import run_query, to_table
    >>> result = run_query("out/graph.ttl", "SELECT ?s WHERE { ?s a <https://w3id.org/yuanjiang-kg/ontology#County> }")  # doctest: +SKIP
    >>> print(to_table(result))  # doctest: +SKIP

Both engines give answers in one engine-neutral shape (:class:`QueryResult` of
:class:`Term`), so the output formats and the tests do not care which one ran. For TriG
and N-Quads the default graph is the union of the named graphs on both engines, so a
query written for graph.ttl gives the same answer on graph.trig.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .namespaces import DEFAULT_BASE, FILE_NAMESPACES

ENGINES = ("oxigraph", "rdflib")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# file suffix -> (pyoxigraph format name, rdflib format name, holds named graphs)
_FORMATS = {
    ".ttl": ("TURTLE", "turtle", False), ".turtle": ("TURTLE", "turtle", False),
    ".nt": ("N_TRIPLES", "nt", False), ".trig": ("TRIG", "trig", True), ".nq": ("N_QUADS", "nquads", True),
    ".jsonld": ("JSON_LD", "json-ld", False), ".json": ("JSON_LD", "json-ld", False),
    ".rdf": ("RDF_XML", "xml", False), ".owl": ("RDF_XML", "xml", False),
}


@dataclass(frozen=True)
class Term:
    """An RDF term as both engines report it: ``kind`` is uri, literal or bnode.
    ``datatype`` is None for plain and language-tagged strings."""
    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    def n3(self) -> str:
        """N-Triples/Turtle syntax (used by TSV and CONSTRUCT output)."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = (self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t"))
        if self.lang:
            return f'"{text}"@{self.lang}'
        return f'"{text}"^^<{self.datatype}>' if self.datatype else f'"{text}"'


@dataclass
class QueryResult:
    """``kind`` is select, ask or graph (CONSTRUCT/DESCRIBE). SELECT fills ``header``
    and ``rows`` (None for an unbound variable), ASK ``boolean``, graphs ``triples``."""
    kind: str
    header: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    engine: str = ""


@dataclass
class Loaded:
    """A graph file loaded into one engine; ``union``: query the union of named graphs."""
    engine: str
    store: object
    union: bool = False


def default_engine() -> str:
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:  # rdflib is a hard dependency, pyoxigraph a compiled wheel
        return "rdflib"
    return "oxigraph"


def _format_of(path: Path) -> tuple[str, str, bool]:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"{path}: unknown RDF format (use .ttl, .nt, .trig, .nq, .jsonld or .rdf)") from None


def load(path: str | Path, engine: str | None = None) -> Loaded:
    """Load a graph file (.ttl, .nt, .trig, .nq, .jsonld, .rdf) into an engine."""
    engine = engine or default_engine()
    path = Path(path)
    from .store import is_store, open_store, union_ntriples
    if is_store(path):                  # a build's store: opened read-only, nothing parsed
        if engine == "oxigraph":
            return Loaded(engine, open_store(path), union=True)
        from rdflib import Graph
        return Loaded("rdflib", Graph().parse(data=union_ntriples(path), format="nt"))
    path = graph_file(path)
    ox_name, _, quads = _format_of(path)
    if engine == "oxigraph":
        import pyoxigraph as ox
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=getattr(ox.RdfFormat, ox_name))
        except SyntaxError as err:
            raise GraphFileError(path, err) from None
        return Loaded(engine, store, union=quads)
    if engine == "rdflib":
        return Loaded(engine, _rdflib_parse(path, quads), union=quads)
    raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")


def graph_file(path: str | Path) -> Path:
    """``path`` if it is a file to read a graph from, else FileNotFoundError saying what it is."""
    from .read import not_a_file
    path = Path(path)
    why = "is a folder, not a graph file" if path.is_dir() else not_a_file(path)
    if why == "no such file or folder":
        why = "no such graph file"
    if why:
        raise FileNotFoundError(f"{path}: {why}")
    return path


class GraphFileError(ValueError):
    """A graph file that does not parse; ``str()`` is one line: the file, the line and
    column when the parser knows them, and the reason."""

    def __init__(self, path, err: Exception):
        self.path = str(path)
        self.line, self.column = getattr(err, "lineno", None), getattr(err, "offset", None)
        reason = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ",
                        "", getattr(err, "msg", None) or str(err)).splitlines()[0] if str(err) else type(err).__name__
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        super().__init__(f"{self.path}: {where}{reason}")


def check_syntax(path: str | Path) -> None:
    """Parse a graph file with pyoxigraph (strict and streaming) and raise
    :class:`GraphFileError` at its first error. rdflib's parsers report some errors of
    malformed Turtle as an IndexError deep inside, so files are checked here first
    (when pyoxigraph is not installed, rdflib's own error is reported instead)."""
    try:
        import pyoxigraph as ox
    except ImportError:
        return
    path = Path(path)
    ox_name, _, _ = _format_of(path)
    try:
        for _ in ox.parse(path=str(path), format=getattr(ox.RdfFormat, ox_name)):
            pass
    except SyntaxError as err:
        raise GraphFileError(path, err) from None


def _rdflib_parse(path: Path, quads: bool):
    """The file in an rdflib Dataset whose default graph is the union (``quads``) or a Graph."""
    from rdflib import Dataset, Graph
    check_syntax(path)
    store = Dataset(default_union=True) if quads else Graph()
    try:
        store.parse(path, format=_format_of(path)[1])
    except Exception as err:  # noqa: BLE001  rdflib's parsers raise anything on bad input
        raise GraphFileError(path, err) from None
    return store


def load_graph(path: str | Path):
    """A graph file as one rdflib Graph (for TriG and N-Quads: the triples of all named
    graphs), its syntax checked first (:func:`check_syntax`). For ``kg view``,
    ``kg validate`` and ``kg eval``, which work on rdflib graphs."""
    from rdflib import Graph
    path = graph_file(path)
    _, _, quads = _format_of(path)
    store = _rdflib_parse(path, quads)
    if not quads:
        return store
    flat = Graph()
    for s, p, o, _ in store.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat


def _as_loaded(graph, engine: str | None) -> Loaded:
    if isinstance(graph, Loaded):
        if engine and engine != graph.engine:
            raise ValueError(f"graph was loaded into {graph.engine}, not {engine}")
        return graph
    if isinstance(graph, (str, Path)):
        return load(graph, engine)
    kind = type(graph).__module__.split(".")[0]
    if kind == "pyoxigraph" and engine in (None, "oxigraph"):
        return Loaded("oxigraph", graph, union=any(True for _ in graph.named_graphs()))
    if kind == "rdflib" and engine in (None, "rdflib"):
        return Loaded("rdflib", graph)
    raise TypeError(f"cannot query a {type(graph).__name__} with engine {engine!r}")


def read_query(arg: str) -> str:
    """QUERY of ``kg query``: a path to a .rq file, else the query text itself."""
    if "\n" in arg or "{" in arg:
        return arg
    path = Path(arg)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    except OSError:  # a query string too long to be a file name
        return arg
    if path.suffix == ".rq":
        raise FileNotFoundError(f"{arg}: no such query file")
    return arg


def run_query(graph, query_text: str, engine: str | None = None) -> QueryResult:
    """Run SPARQL over a graph file path, a :class:`Loaded` graph, a pyoxigraph Store or an
    rdflib Graph/Dataset. ``engine``: oxigraph (default when installed) or rdflib."""
    loaded = _as_loaded(graph, engine)
    if loaded.engine == "oxigraph":
        result = _run_oxigraph(loaded, query_text)
    else:
        result = _run_rdflib(loaded, query_text)
    result.engine = loaded.engine
    return result


def _ox_term(t) -> Term | None:
    import pyoxigraph as ox
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        datatype = t.datatype.value
        return Term("literal", t.value, t.language,
                    None if t.language or datatype in (_XSD + "string", _LANG_STRING) else datatype)
    raise TypeError(f"unsupported term {t!r}")


def _run_oxigraph(loaded: Loaded, text: str) -> QueryResult:
    import pyoxigraph as ox
    try:
        answer = loaded.store.query(text, use_default_graph_as_union=loaded.union)
    except SyntaxError as err:
        raise oxigraph_syntax_error(text, err) from None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return QueryResult("graph", triples=[(_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object))
                                             for t in answer])
    header = [v.value for v in answer.variables]
    # a term that comes back in many rows (a label, a place) is converted once
    terms: dict = {None: None}

    def term(t):
        try:
            return terms[t]
        except KeyError:
            converted = terms[t] = _ox_term(t)
            return converted
    rows = [tuple(map(term, solution)) for solution in answer]
    return QueryResult("select", header=header, rows=rows)


def _rdflib_term(t) -> Term | None:
    from rdflib import BNode, Literal, URIRef
    if t is None:
        return None
    if isinstance(t, URIRef):
        return Term("uri", str(t))
    if isinstance(t, BNode):
        return Term("bnode", str(t))
    if isinstance(t, Literal):
        datatype = str(t.datatype) if t.datatype else None
        return Term("literal", str(t), t.language, None if t.language or datatype == _XSD + "string" else datatype)
    raise TypeError(f"unsupported term {t!r}")


def _run_rdflib(loaded: Loaded, text: str) -> QueryResult:
    from pyparsing import ParseException
    try:
        answer = loaded.store.query(text)
    except ParseException as err:
        raise QuerySyntaxError(text, err.msg, err.lineno, err.col) from None
    if answer.type == "ASK":
        return QueryResult("ask", boolean=bool(answer.askAnswer))
    if answer.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult("graph", triples=[tuple(map(_rdflib_term, t)) for t in answer.graph])
    header = [str(v) for v in answer.vars]
    rows = [tuple(_rdflib_term(row[i]) for i in range(len(header))) for row in answer]
    return QueryResult("select", header=header, rows=rows)


# ---- syntax errors in queries -----------------------------------------------------------

SPARQL_KEYWORDS = (
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS GROUP BY "
    "HAVING ORDER ASC DESC LIMIT OFFSET VALUES OPTIONAL UNION MINUS GRAPH SERVICE BIND FILTER "
    "EXISTS NOT IN UNDEF COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES "
    "DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI "
    "CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ "
    "NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI "
    "ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE A").split()
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
# strings, IRIs, variables and comments: what keyword, prefix and bracket hints must not look in
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                     r"|<[^<>\"{}|^`\\\s]*>|[?$]\w+|#[^\n]*")


def oxigraph_syntax_error(text: str, err: SyntaxError) -> "QuerySyntaxError":
    """pyoxigraph's SyntaxError for query ``text`` (``error at L:C: …``) as a QuerySyntaxError."""
    position = re.match(r"error at (\d+):(\d+): ", err.msg or "")
    if position is None:
        return QuerySyntaxError(text, err.msg or str(err))
    return QuerySyntaxError(text, (err.msg or "")[position.end():], int(position[1]), int(position[2]))


class QuerySyntaxError(ValueError):
    """A SPARQL query that does not parse. ``str()`` shows where, the line with a caret
    under the column and a hint (:func:`explain_query_error`); ``line``/``column`` are
    1-based, None when the parser gave no position."""

    def __init__(self, query: str, message: str, line: int | None = None, column: int | None = None):
        self.query, self.message, self.line, self.column = query, message.strip(), line, column
        super().__init__(explain_query_error(query, self.message, line, column))


def explain_query_error(query: str, message: str, line: int | None = None, column: int | None = None) -> str:
    """A SPARQL syntax error as people can act on it: ``SPARQL syntax error at line L,
    column C: ...``, the query line with a caret under the column, and a hint from a look
    at the query (an undeclared prefix, unbalanced brackets, an unclosed string, a
    misspelt keyword, an update) when one applies. Used by ``kg query`` and ``kg serve``."""
    expected = _short_expected(message)
    if not line:
        return "\n".join(filter(None, [f"SPARQL syntax error: {expected}", query_hint(query)]))
    lines = query.splitlines() or [""]
    text = lines[min(line, len(lines)) - 1].expandtabs(1)
    column = max(1, min(column or 1, len(text) + 1))
    # the caret goes under the character: count display columns, two for a wide one
    pad = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:column - 1])
    gutter = f"{line:>4} | "
    out = [f"SPARQL syntax error at line {line}, column {column}: {expected}",
           gutter + text, " " * (len(gutter) - 2) + "| " + " " * pad + "^"]
    hint = query_hint(query)
    return "\n".join(out + ([hint] if hint else []))


def _short_expected(message: str, most: int = 8) -> str:
    """The parser's message with its list of expected tokens cut to the first few, and
    character classes (``[_]``, ``['0' ..= '9' | ...]``) left out."""
    message = " ".join(message.split())
    head, sep, tail = message.partition("expected ")
    if not sep:
        return message
    tail = tail.removeprefix("one of ")
    items = [t.strip() for t in re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\[]+', tail)]
    items = [t for t in items if t and not t.startswith("[")]
    if not items:
        return head + "unexpected text here"
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return f"{head}expected {'one of ' if len(items) > 1 else ''}{', '.join(items[:most])}{more}"


def query_hint(query: str) -> str | None:
    """One line saying what is probably wrong with a query that does not parse."""
    if re.search(r"[\"']", _OPAQUE.sub(" ", query)):
        return "hint: a string is opened with a quote that is never closed"
    # strings and comments blanked, IRIs and variables reduced to a placeholder
    bare = _OPAQUE.sub(lambda m: "<>" if m.group()[0] in "<?$" else " ", query)
    declared = set(re.findall(r"(?i)\bPREFIX\s+([\w-]*):", bare))
    bare = re.sub(r"(?i)\bPREFIX\s+[\w-]*:", " ", bare)
    for prefix in re.findall(r"(?<![\w:])([A-Za-z][\w-]*|):(?=[\w\u00c0-\U000effff])", bare):
        if prefix not in declared:
            iri = FILE_NAMESPACES.get(prefix, "...")
            return f"hint: the prefix {prefix}: is used but not declared; add PREFIX {prefix}: <{iri}> at the top"
    words = re.findall(r"(?<![\w:])[A-Za-z_]+(?![\w:])", bare)
    update = [w for w in words if w.upper() in UPDATE_KEYWORDS]
    if update:
        return (f"hint: {update[0]} is SPARQL Update; a graph file is queried read-only "
                "(SELECT, ASK, CONSTRUCT, DESCRIBE)")
    for open_, close in (("{", "}"), ("(", ")"), ("[", "]")):
        n_open, n_close = bare.count(open_), bare.count(close)
        if n_open != n_close:
            return f"hint: {n_open} '{open_}' but {n_close} '{close}': one is missing or one too many"
    for word in words:
        if len(word) >= 3 and word.upper() not in SPARQL_KEYWORDS:
            close_to = difflib.get_close_matches(word.upper(), SPARQL_KEYWORDS, n=1, cutoff=0.75)
            if close_to:
                return f"hint: {word} is not a SPARQL keyword; did you mean {close_to[0]}?"
    return "hint: look just before the caret: a missing '.', ';' or '}', or a word out of place"


# ---- output ---------------------------------------------------------------------------

def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (SELECT and ASK)."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    if result.kind != "select":
        raise ValueError("JSON results are for SELECT and ASK; CONSTRUCT/DESCRIBE print Turtle")

    def binding(t: Term) -> dict:
        out = {"type": t.kind, "value": t.value}
        if t.lang:
            out["xml:lang"] = t.lang
        elif t.datatype:
            out["datatype"] = t.datatype
        return out

    bindings = [{var: binding(t) for var, t in zip(result.header, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.header}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: plain values, IRIs as text, blank nodes as _:id."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if result.kind != "select":
        raise ValueError("CSV results are for SELECT and ASK; CONSTRUCT/DESCRIBE print Turtle")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.header)
    for row in result.rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value) for t in row])
    return buf.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results: ?var header, terms in Turtle syntax."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if result.kind != "select":
        raise ValueError("TSV results are for SELECT and ASK; CONSTRUCT/DESCRIBE print Turtle")
    lines = ["\t".join(f"?{v}" for v in result.header)]
    lines += ["\t".join("" if t is None else t.n3() for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_turtle(result: QueryResult) -> str:
    """CONSTRUCT/DESCRIBE results as sorted Turtle with the project prefixes."""
    from .export import turtle_from_ntriples
    lines = sorted({f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in result.triples})
    return turtle_from_ntriples("".join(lines).encode("utf-8")).decode("utf-8")


def _display_prefixes(base: str) -> list[tuple[str, str]]:
    pairs = {**FILE_NAMESPACES, "id": base + "id/", "doc": base + "doc/"}
    return sorted(((p, ns) for p, ns in pairs.items()), key=lambda kv: -len(kv[1]))


@lru_cache(maxsize=1 << 16)
def width(text: str) -> int:
    """Columns a string takes in a terminal: wide and full-width characters (Chinese) take
    two, combining marks none. Kept per string: a table asks for each cell's three times,
    and a column repeats the same labels."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def _clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _cell(t: Term | None, prefixes) -> str:
    if t is None:
        return ""
    if t.kind == "uri":
        for prefix, ns in prefixes:
            if t.value.startswith(ns) and len(t.value) > len(ns):
                return f"{prefix}:{t.value[len(ns):]}"
        return f"<{t.value}>"
    if t.kind == "bnode":
        return f"_:{t.value}"
    return " ".join(t.value.split())  # newlines would break the row


def to_table(result: QueryResult, max_width: int = 60, base: str = DEFAULT_BASE) -> str:
    """A readable table: Chinese aligned by display width, IRIs shortened with prefixes,
    cells longer than ``max_width`` columns clipped with … (0: never clip)."""
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return to_turtle(result).rstrip("\n")
    prefixes = _display_prefixes(base)
    shown: dict = {}                    # each distinct term's cell, made once
    cells = [[shown[t] if t in shown else shown.setdefault(t, _cell(t, prefixes)) for t in row]
             for row in result.rows]
    if max_width:
        cells = [[_clip(c, max_width) for c in row] for row in cells]
    widths = [max([width(h)] + [width(row[i]) for row in cells]) for i, h in enumerate(result.header)]

    def line(values: list[str]) -> str:
        return " │ ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(result.header), "─┼─".join("─" * w for w in widths)]
    out += [line(row) for row in cells]
    n = len(result.rows)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(out)


FORMATTERS = {"csv": to_csv, "tsv": to_tsv, "json": to_json}


def render(result: QueryResult, fmt: str = "table", max_width: int = 60) -> str:
    """The text ``kg query`` prints: ASK true/false, CONSTRUCT/DESCRIBE Turtle, SELECT in ``fmt``."""
    if result.kind == "graph":
        return to_turtle(result)
    if fmt == "table":
        return to_table(result, max_width=max_width) + "\n"
    return FORMATTERS[fmt](result)
