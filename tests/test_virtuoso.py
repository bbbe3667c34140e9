"""A real Virtuoso (Debian virtuoso-opensource): bulk loader, kg load, every bundled query.

The session starts a private ``virtuoso-t`` in a temporary folder on free loopback ports
(recipe in ../shared/RECIPES.md), loads the seed Turtle twice — with Virtuoso's bulk loader
into one graph and with ``kg load`` over the Graph Store Protocol (Digest auth) into another
— and runs every queries/*.rq over HTTP /sparql, comparing with pyoxigraph locally.
A missing Virtuoso is a failure, not a skip: scripts/test.sh installs it.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT

PACKAGE_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
PACKAGE_DB = "/var/lib/virtuoso-opensource-7/db/"
BULK_GRAPH = "urn:kg-test:bulk"
GSP_GRAPH = "urn:kg-test:kg-load"
# graphs that exist nowhere: GRAPH patterns of Turtle-mode queries must see nothing on both sides
NO_NAMED_GRAPH = "urn:kg-test:none"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                             "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                             "unsignedByte")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ini(folder: Path, sql_port: int, http_port: int) -> str:
    """The package's virtuoso.ini with every path and port moved to this private instance."""
    text = PACKAGE_INI.read_text(encoding="utf-8")
    text = text.replace(PACKAGE_DB, f"{folder}/")
    sections = re.split(r"(?m)^(?=\[)", text)
    out = []
    for section in sections:
        name = section.split("]", 1)[0].lstrip("[")
        if name == "Parameters":
            section = re.sub(r"(?m)^ServerPort\s*=.*$", f"ServerPort = 127.0.0.1:{sql_port}", section)
            section = re.sub(r"(?m)^DirsAllowed\s*=.*$",
                             f"DirsAllowed = ., {folder}/data, /usr/share/virtuoso-opensource-7/vad", section)
        elif name == "HTTPServer":
            section = re.sub(r"(?m)^ServerPort\s*=.*$", f"ServerPort = 127.0.0.1:{http_port}", section)
        elif name == "URIQA":
            section = re.sub(r"(?m)^DefaultHost\s*=.*$", f"DefaultHost = localhost:{http_port}", section)
        out.append(section)
    return "".join(out)


class Virtuoso:
    def __init__(self, folder: Path):
        self.folder, self.data = folder, folder / "data"
        self.data.mkdir()
        self.sql_port, self.http_port = _free_port(), _free_port()
        (folder / "virtuoso.ini").write_text(_ini(folder, self.sql_port, self.http_port), encoding="utf-8")
        self.log = open(folder / "virtuoso-t.out", "wb")
        start = time.monotonic()
        self.process = subprocess.Popen(["virtuoso-t", "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
                                        cwd=folder, stdout=self.log, stderr=subprocess.STDOUT)
        while True:
            try:
                self.select("ASK {}")
                break
            except (OSError, ValueError, AssertionError):  # not listening yet, or still booting
                if self.process.poll() is not None or time.monotonic() - start > 90:
                    self.stop()
                    log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:] \
                        if (folder / "virtuoso.log").exists() else ""
                    pytest.fail(f"virtuoso-t did not start (exit {self.process.returncode}):\n{log}", pytrace=False)
                time.sleep(0.2)
        self.startup_seconds = time.monotonic() - start

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def isql(self, sql: str) -> str:
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "*** Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    def request(self, query: str, accept: str, default_graphs=(), named_graphs=()) -> bytes:
        params = [("query", query)] + [("default-graph-uri", g) for g in default_graphs] \
            + [("named-graph-uri", g) for g in named_graphs]
        req = urllib.request.Request(f"{self.http}/sparql", data=urllib.parse.urlencode(params).encode(),
                                     headers={"Accept": accept,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.read()
        except urllib.error.HTTPError as err:  # Virtuoso's own words say which construct it rejects
            message = err.read().decode("utf-8", errors="replace").split("SPARQL query:")[0].strip()
            raise AssertionError(f"Virtuoso answered HTTP {err.code}: {message}") from None

    def select(self, query: str, **graphs) -> dict:
        return json.loads(self.request(query, "application/sparql-results+json", **graphs))

    def count(self, graph: str) -> int:
        res = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(res["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> None:
        if self.process.poll() is None:
            subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", "exec=shutdown;"],
                           capture_output=True, timeout=60)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    missing = [tool for tool in ("virtuoso-t", "isql-vt") if shutil.which(tool) is None]
    if missing or not PACKAGE_INI.exists():
        pytest.fail(f"Virtuoso is not installed ({', '.join(missing) or PACKAGE_INI}): run `bash scripts/test.sh`, "
                    "which installs the Debian package virtuoso-opensource", pytrace=False)
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seed_files(seed_build):
    return {p.suffix: p for p in seed_build.outputs}


@pytest.fixture(scope="session")
def local_store(seed_files):
    store = ox.Store()
    store.load(path=str(seed_files[".ttl"]), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="session")
def bulk_loaded(virtuoso, seed_files):
    shutil.copy(seed_files[".ttl"], virtuoso.data / "seed.ttl")
    start = time.monotonic()
    virtuoso.isql(f"ld_dir('{virtuoso.data}', 'seed.ttl', '{BULK_GRAPH}'); rdf_loader_run(); checkpoint;")
    seconds = time.monotonic() - start
    status = virtuoso.isql("select ll_state, ll_error from DB.DBA.load_list;")
    return BULK_GRAPH, seconds, status


@pytest.fixture(scope="session")
def gsp_loaded(virtuoso, seed_files):
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(seed_files[".ttl"]),
                           "--endpoint", f"{virtuoso.http}/sparql-graph-crud-auth", "--graph", GSP_GRAPH,
                           "--user", "dba", "--password", "dba", "--chunk-triples", "2000"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    return GSP_GRAPH, time.monotonic() - start, done


@pytest.fixture(scope="session")
def trig_loaded(virtuoso, seed_files):
    """The TriG export, when kg build writes one: each of its graphs under its own name."""
    if ".trig" not in seed_files:
        return None
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(seed_files[".trig"]),
                           "--endpoint", f"{virtuoso.http}/sparql-graph-crud-auth",
                           "--user", "dba", "--password", "dba"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    store = ox.Store()
    store.load(path=str(seed_files[".trig"]), format=ox.RdfFormat.TRIG)
    return store, sorted(g.value for g in store.named_graphs())


def test_virtuoso_starts_on_loopback(virtuoso):
    assert virtuoso.startup_seconds < 90
    assert virtuoso.select("ASK { }")["boolean"] is True
    ini = (virtuoso.folder / "virtuoso.ini").read_text()
    assert f"ServerPort = 127.0.0.1:{virtuoso.http_port}" in ini and PACKAGE_DB not in ini


def test_bulk_loader_loads_every_triple(virtuoso, bulk_loaded, local_store):
    graph, _, status = bulk_loaded
    rows = [line.split() for line in status.splitlines() if re.match(r"\s*\d+\s+\S+\s*$", line)]
    assert rows == [["2", "NULL"]], status  # ll_state 2 = done, no ll_error
    assert virtuoso.count(graph) == len(local_store) > 1000


def test_kg_load_with_digest_auth_loads_every_triple(virtuoso, gsp_loaded, local_store):
    graph, _, done = gsp_loaded
    assert done.returncode == 0, done.stderr
    n = len(local_store)
    chunks = -(-n // 2000)
    assert f"chunk {chunks}/{chunks}: {n:,}/{n:,} triples" in done.stderr
    assert f"the store now counts {n:,}" in done.stdout
    assert virtuoso.count(graph) == n


def test_both_loads_hold_the_same_triples(virtuoso, bulk_loaded, gsp_loaded):
    for a, b in ((bulk_loaded[0], gsp_loaded[0]), (gsp_loaded[0], bulk_loaded[0])):
        res = virtuoso.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} "
                              f"FILTER NOT EXISTS {{ GRAPH <{b}> {{ ?s ?p ?o }} }} }}")
        assert res["results"]["bindings"][0]["n"]["value"] == "0"
    label = """SELECT ?l WHERE { <https://w3id.org/yuanjiang-kg/id/place/652927>
               <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "zh") }"""
    for graph in (bulk_loaded[0], gsp_loaded[0]):
        rows = virtuoso.select(label, default_graphs=[graph])["results"]["bindings"]
        assert [r["l"]["value"] for r in rows] == ["乌什县"]


def test_kg_load_puts_each_trig_graph_under_its_own_name(virtuoso, seed_files, trig_loaded):
    assert trig_loaded is not None, f"kg build wrote no TriG (outputs: {sorted(seed_files)})"
    store, graphs = trig_loaded
    assert len(graphs) >= 2
    for graph in graphs:
        local = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert virtuoso.count(graph) == local > 0, graph


def test_kg_load_refuses_a_wrong_password(virtuoso, seed_files):
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(seed_files[".ttl"]),
                           "--endpoint", f"{virtuoso.http}/sparql-graph-crud-auth", "--graph", "urn:kg-test:denied",
                           "--user", "dba", "--password", "not-the-password"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "HTTP 401" in done.stderr
    assert virtuoso.count("urn:kg-test:denied") == 0


# -- comparing answers ---------------------------------------------------------------

def _number(text: str):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    # integer, decimal and double forms of one number compare equal (engines differ in
    # the type of SUM/AVG results); 12 significant digits absorbs double rounding
    return float(f"{value:.12g}")


def _term(b: dict | None, split: str | None = None):
    """A result binding as a comparable value, with the engines' legitimate differences removed."""
    if b is None:
        return None
    kind, value = b["type"], b["value"]
    if kind == "uri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)  # labels are per engine
    datatype, lang = b.get("datatype"), b.get("xml:lang")
    if lang:
        return ("lit", value, lang.lower())
    if datatype in NUMERIC:
        return ("num", _number(str(value)))
    if datatype == XSD + "boolean":  # Virtuoso writes booleans as 1/0
        return ("bool", str(value).lower() in ("true", "1"))
    if datatype in (None, XSD + "string"):
        if split is not None:  # GROUP_CONCAT: element order is up to the engine
            return ("lit", tuple(sorted(value.split(split))))
        return ("lit", value)
    return ("lit", value, datatype)


_CONCAT = re.compile(r"GROUP_CONCAT\s*\((?P<args>(?:[^()]|\([^()]*\))*)\)\s*AS\s*\?(?P<var>\w+)", re.I)
_SEPARATOR = re.compile(r"""separator\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""", re.I)


def _concat_separators(query: str) -> dict[str, str]:
    out = {}
    for m in _CONCAT.finditer(query):
        sep = _SEPARATOR.search(m.group("args"))
        out[m.group("var")] = (sep.group(1) if sep and sep.group(1) is not None else sep.group(2)) if sep else " "
    return out


def _rows(result: dict, separators: dict[str, str]) -> Counter:
    names = result["head"]["vars"]
    return Counter(tuple(_term(row.get(v), separators.get(v)) for v in names)
                   for row in result["results"]["bindings"])


def _triple(t) -> tuple:
    def term(x):
        if isinstance(x, ox.NamedNode):
            return ("iri", x.value)
        if isinstance(x, ox.BlankNode):
            return ("bnode",)
        b = {"type": "literal", "value": x.value}
        if x.language:
            b["xml:lang"] = x.language
        else:
            b["datatype"] = x.datatype.value
        return _term(b)
    return term(t.subject), term(t.predicate), term(t.object)


_TOKENS = re.compile(r"""<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*""")


def _strip(query: str) -> str:
    """IRIs, strings and comments out, so keywords can be looked for."""
    return _TOKENS.sub(" ", query)


_PATH_REPEAT = re.compile(r"(?:[A-Za-z_][\w.-]*:[\w.-]*|<[^<>\s]*>|\)|\ba\b)\s*[+*]")


def _has_repeating_path(query: str) -> bool:
    without = _TOKENS.sub(lambda m: m.group() if m.group().startswith("<") else " ", query)
    return bool(_PATH_REPEAT.search(without))


@pytest.mark.parametrize("graph", ["bulk", "kg-load"])
@pytest.mark.parametrize("rq", QUERIES, ids=[p.name for p in QUERIES])
def test_bundled_query_gives_the_same_answers_on_virtuoso(rq, graph, virtuoso, bulk_loaded, gsp_loaded,
                                                          trig_loaded, local_store):
    query = rq.read_text(encoding="utf-8")
    bare = _strip(query)
    # FROM would override the graph chosen below; the protocol parameters say which data
    query = re.sub(r"(?i)\bFROM\s+(NAMED\s+)?<[^>]*>", " ", query) if re.search(r"(?i)\bFROM\b", bare) else query
    if re.search(r"(?i)\bGRAPH\b", bare) and trig_loaded is not None:
        store, graphs = trig_loaded  # a query about named graphs runs on the TriG export
        local = store.query(query, use_default_graph_as_union=True)
        protocol = {"default_graphs": graphs, "named_graphs": graphs}
    else:
        local = local_store.query(query)
        target = bulk_loaded[0] if graph == "bulk" else gsp_loaded[0]
        protocol = {"default_graphs": [target], "named_graphs": [NO_NAMED_GRAPH]}
    if isinstance(local, ox.QueryTriples):
        ours = Counter(_triple(t) for t in local)
        raw = virtuoso.request(query, "application/n-triples", **protocol)
        theirs = Counter(_triple(t) for t in ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
        if re.search(r"(?i)\bDESCRIBE\b", bare):
            # DESCRIBE's shape is up to the engine: Virtuoso adds triples pointing at the
            # resource, Oxigraph gives its outgoing ones; those must agree exactly
            subjects = {t[0] for t in ours}
            theirs = Counter({t: n for t, n in theirs.items() if t[0] in subjects})
            assert subjects, f"{rq.name}: describes nothing locally"
        assert set(theirs) == set(ours), rq.name
        return
    remote = virtuoso.select(query, **protocol)
    if isinstance(local, ox.QueryBoolean):
        assert remote["boolean"] is bool(local), rq.name
        return
    ours = json.loads(local.serialize(format=ox.QueryResultsFormat.JSON))
    separators = _concat_separators(query)
    assert remote["head"]["vars"] == ours["head"]["vars"]
    expected, got = _rows(ours, separators), _rows(remote, separators)
    assert sum(expected.values()) > 0, f"{rq.name}: no answers on the seeds, nothing compared"
    if _has_repeating_path(query):
        # Virtuoso 7.2 repeats a row once per path for p+ / p* (the spec: once per
        # binding), so only the distinct rows can be held against each other
        expected, got = Counter(set(expected)), Counter(set(got))
    assert got == expected, (f"{rq.name}: Virtuoso differs; only Virtuoso: {list((got - expected).items())[:3]}; "
                             f"only local: {list((expected - got).items())[:3]}")


def test_answer_normalisation():
    assert _term({"type": "typed-literal", "datatype": XSD + "decimal", "value": "4000"}) == \
        _term({"type": "literal", "datatype": XSD + "decimal", "value": "4000.0"}) == \
        _term({"type": "literal", "datatype": XSD + "double", "value": "4.0E3"})
    assert _term({"type": "literal", "datatype": XSD + "boolean", "value": "0"}) == ("bool", False)
    assert _term({"type": "literal", "value": "b, a"}, ", ") == _term({"type": "literal", "value": "a, b"}, ", ")
    assert _term({"type": "literal", "value": "a"}) != _term({"type": "literal", "value": "a", "xml:lang": "zh"})
    assert _has_repeating_path("SELECT * { ?p yj:locatedIn+ ?a }")
    assert _has_repeating_path("SELECT * { ?p (<http://x/p#in>|yj:q)* ?a }")
    assert _has_repeating_path("SELECT * { ?p <http://x/p#in>+ ?a }")
    assert not _has_repeating_path('SELECT (COUNT(*) AS ?n) { ?s ?p "a+b" . FILTER(?x * 2 > 1) } # x:y+')
    assert _concat_separators('SELECT (GROUP_CONCAT(DISTINCT STR(?x); separator="、") AS ?xs) '
                              '(GROUP_CONCAT(?y) AS ?ys) {}') == {"xs": "、", "ys": " "}
