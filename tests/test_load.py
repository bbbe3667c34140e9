"""kg load against a Graph Store Protocol server over real HTTP with Digest or Basic auth.

The server below is a small stand-in for a triple store: a pyoxigraph Store behind the
SPARQL 1.1 Graph Store HTTP Protocol (PUT/POST/DELETE/GET on /store?graph=) and a SPARQL
query endpoint (/query). Like a real store it gives each request its own blank nodes.
tests/test_virtuoso.py runs the same command against a real Virtuoso.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.load import LoadError, chunks, default_query_endpoint, read_graphs

USER, PASSWORD, REALM = "loader", "s3cret-密码", "kg-test"


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class GraphStore(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, auth="digest", lossy=False):
        super().__init__(("127.0.0.1", 0), GraphStoreHandler)
        self.store = ox.Store()
        self.auth, self.lossy = auth, lossy
        self.nonces: set[str] = set()
        self.log: list[tuple[str, str, int]] = []  # (method, graph, triples) of accepted writes
        self.lock = threading.Lock()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def triples(self, graph):
        return {(q.subject, q.predicate, q.object)
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


class GraphStoreHandler(BaseHTTPRequestHandler):
    server: GraphStore
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="text/plain", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.server.auth == "basic":
            expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            return header == f"Basic {expected}"
        if not header.startswith("Digest "):
            return False
        fields = {k: quoted or bare for k, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', header)}
        if fields.get("nonce") not in self.server.nonces or fields.get("uri") != self.path:
            return False
        ha1 = md5(f"{fields.get('username')}:{REALM}:{PASSWORD}")
        ha2 = md5(f"{self.command}:{fields['uri']}")
        expected = md5(f"{ha1}:{fields['nonce']}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return fields.get("username") == USER and fields.get("response") == expected

    def challenge(self):
        if self.server.auth == "basic":
            header = f'Basic realm="{REALM}"'
        else:
            nonce = secrets.token_hex(16)
            self.server.nonces.add(nonce)
            header = f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", algorithm=MD5'
        self.reply(401, b"authentication required", headers={"WWW-Authenticate": header})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        if url.path == "/query":
            result = self.server.store.query(params["query"][0])
            return self.reply(200, result.serialize(format=ox.QueryResultsFormat.JSON),
                              "application/sparql-results+json")
        self.reply(404)

    def write(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self.authorized():
            return self.challenge()
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/store":
            return self.reply(404)
        graph = ox.NamedNode(urllib.parse.parse_qs(url.query)["graph"][0])
        if self.command != "DELETE" and self.headers.get("Content-Type") != "application/n-triples":
            return self.reply(415)
        fresh: dict[str, ox.BlankNode] = {}  # this request's blank nodes are new ones

        def term(t):
            return fresh.setdefault(t.value, ox.BlankNode()) if isinstance(t, ox.BlankNode) else t

        triples = [ox.Quad(term(q.subject), q.predicate, term(q.object), graph)
                   for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        if self.server.lossy and triples:
            triples = triples[:-1]
        with self.server.lock:
            existed = graph in set(self.server.store.named_graphs())
            if self.command in ("PUT", "DELETE"):
                self.server.store.remove_graph(graph) if existed else None
            if self.command != "DELETE":
                self.server.store.extend(triples)
                self.server.store.add_graph(graph)
            self.server.log.append((self.command, graph.value, len(triples)))
        self.reply(201 if self.command == "PUT" and not existed else 204)

    do_PUT = do_POST = do_DELETE = write


@pytest.fixture
def gsp():
    servers = []

    def start(**kw):
        srv = GraphStore(**kw)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return srv
    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def seed_triples(seed_ttl):
    # read through a Store, as the server keeps them: pyoxigraph stores xsd:nonNegativeInteger
    # values as xsd:integer (so does Virtuoso), a plain parse keeps the declared datatype
    store = ox.Store()
    store.load(path=str(seed_ttl), format=ox.RdfFormat.TURTLE)
    return {(q.subject, q.predicate, q.object) for q in store}


def kg_load(srv, graph_file, *args, password=PASSWORD):
    return main(["load", str(graph_file), "--endpoint", f"{srv.base}/store", "--user", USER,
                 "--password", password, *args])


G = "http://example.org/graph/seeds"


def test_replace_puts_then_posts_in_chunks_with_digest_auth(gsp, seed_ttl, seed_triples, capsys):
    srv = gsp()
    srv.store.add(ox.Quad(ox.NamedNode("http://ex.org/old"), ox.NamedNode("http://ex.org/p"),
                          ox.Literal("stale"), ox.NamedNode(G)))
    assert kg_load(srv, seed_ttl, "--graph", G, "--chunk-triples", "1000") == 0
    assert srv.triples(G) == seed_triples  # the stale triple is gone
    n = len(seed_triples)
    writes = [entry for entry in srv.log if entry[2]]  # without the empty credential probe
    assert [m for m, _, _ in writes] == ["PUT"] + ["POST"] * (len(writes) - 1)
    assert [k for _, _, k in writes] == [1000] * (n // 1000) + ([n % 1000] if n % 1000 else [])
    out, err = capsys.readouterr()
    progress = [line for line in err.splitlines() if " chunk " in line]
    assert len(progress) == len(writes) and progress[-1].startswith(f"kg load: <{G}> chunk {len(writes)}/{len(writes)}: {n:,}/{n:,}")
    assert f"loaded <{G}>: {n:,} triples in {len(writes)} chunk(s)" in out and f"counts {n:,}" in out


def test_append_adds_to_the_graph(gsp, seed_ttl, seed_triples):
    srv = gsp()
    extra = ox.Quad(ox.NamedNode("http://ex.org/kept"), ox.NamedNode("http://ex.org/p"),
                    ox.Literal("保留"), ox.NamedNode(G))
    srv.store.add(extra)
    assert kg_load(srv, seed_ttl, "--graph", G, "--append") == 0
    assert srv.triples(G) == seed_triples | {(extra.subject, extra.predicate, extra.object)}
    assert all(m == "POST" for m, _, _ in srv.log)


def test_basic_auth(gsp, seed_ttl, seed_triples):
    srv = gsp(auth="basic")
    assert kg_load(srv, seed_ttl, "--graph", G, "--query-endpoint", f"{srv.base}/query") == 0
    assert srv.triples(G) == seed_triples


def test_wrong_password_fails_before_sending_data(gsp, seed_ttl, capsys):
    srv = gsp()
    assert kg_load(srv, seed_ttl, "--graph", G, password="wrong") == 1
    assert "HTTP 401" in capsys.readouterr().err
    assert srv.log == [] and len(srv.store) == 0


def test_count_mismatch_is_an_error(gsp, seed_ttl, seed_triples, capsys):
    srv = gsp(lossy=True)  # drops one triple of every request, answers success
    n = len(seed_triples)
    assert kg_load(srv, seed_ttl, "--graph", G, "--chunk-triples", "2000") == 1
    chunks_sent = -(-n // 2000)
    err = capsys.readouterr().err
    assert "verification failed" in err
    assert f"<{G}> holds {n - chunks_sent:,} triples after loading, expected {n:,}" in err


def test_trig_graphs_go_to_their_own_graphs_unless_graph_is_given(gsp, tmp_path):
    trig = tmp_path / "two.trig"
    trig.write_text("""
    <http://ex.org/g/a> { <http://ex.org/x> <http://ex.org/p> "甲" . }
    <http://ex.org/g/b> { <http://ex.org/y> <http://ex.org/p> "乙" . <http://ex.org/z> <http://ex.org/p> "丙" . }
    """, encoding="utf-8")
    srv = gsp()
    assert kg_load(srv, trig) == 0
    assert len(srv.triples("http://ex.org/g/a")) == 1 and len(srv.triples("http://ex.org/g/b")) == 2
    srv2 = gsp()
    assert kg_load(srv2, trig, "--graph", G) == 0
    assert len(srv2.triples(G)) == 3 and len(srv2.store) == 3


def test_blank_node_clusters_stay_in_one_request(gsp, tmp_path):
    ttl = tmp_path / "bnodes.ttl"
    ttl.write_text("""@prefix ex: <http://ex.org/> .
    ex:a ex:list ( "一" "二" "三" "四" ) .
    ex:b ex:address [ ex:city "乌什" ; ex:code [ ex:value 652927 ] ] .
    ex:c ex:p ex:d .
    """, encoding="utf-8")
    srv = gsp()
    assert kg_load(srv, ttl, "--graph", G, "--chunk-triples", "1") == 0
    stored = srv.triples(G)
    local = list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    assert len(stored) == len(local) == 14
    distinct = {t for s, _, o in stored for t in (s, o) if isinstance(t, ox.BlankNode)}
    assert len(distinct) == 6  # four list cells, the address, the code: none duplicated
    # the list still reads back in order from its head
    q = """PREFIX ex: <http://ex.org/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?v WHERE { GRAPH ?g { ex:a ex:list/rdf:rest*/rdf:first ?v } }"""
    assert sorted(r["v"].value for r in srv.store.query(q)) == sorted("一二三四")


def test_chunks_keep_blank_node_clusters_and_sizes():
    ex = "http://ex.org/"
    b1, b2 = ox.BlankNode("b1"), ox.BlankNode("b2")
    p = ox.NamedNode(ex + "p")
    triples = [ox.Triple(ox.NamedNode(ex + str(i)), p, ox.Literal(str(i))) for i in range(5)]
    triples += [ox.Triple(b1, p, b2), ox.Triple(ox.NamedNode(ex + "s"), p, b1), ox.Triple(b2, p, ox.Literal("x"))]
    parts = chunks(triples, 2)
    assert [len(c) for c in parts] == [2, 2, 1, 3]
    assert sorted(map(str, sum(parts, []))) == sorted(map(str, triples))
    with pytest.raises(LoadError):
        chunks(triples, 0)


def test_turtle_needs_a_graph_and_unknown_stores_need_a_query_endpoint(gsp, seed_ttl, capsys):
    with pytest.raises(LoadError, match="give --graph"):
        read_graphs(seed_ttl)
    srv = gsp()
    assert main(["load", str(seed_ttl), "--endpoint", f"{srv.base}/elsewhere", "--graph", G]) == 1
    assert "--query-endpoint" in capsys.readouterr().err


def test_query_endpoints_are_derived_for_known_stores():
    assert default_query_endpoint("http://h:8890/sparql-graph-crud-auth") == "http://h:8890/sparql"
    assert default_query_endpoint("http://h:3030/ds/data") == "http://h:3030/ds/query"
    assert default_query_endpoint("http://h:7200/repositories/kg/rdf-graphs/service") == "http://h:7200/repositories/kg"
    assert default_query_endpoint("http://h:7878/store") == "http://h:7878/query"
    assert default_query_endpoint("http://h/other") is None


def test_graph_iri_must_be_absolute(tmp_path, seed_ttl):
    with pytest.raises(LoadError, match="absolute IRI"):
        read_graphs(seed_ttl, "not an iri")
    with pytest.raises(LoadError, match="absolute IRI"):
        read_graphs(seed_ttl, "relative/path")
