"""``kg load``: push a graph file into a triple store over the SPARQL 1.1 Graph Store Protocol.

Works with any store that implements the protocol (Virtuoso ``/sparql-graph-crud-auth``,
Fuseki ``/ds/data``, GraphDB ``/repositories/R/rdf-graphs/service``, Oxigraph server
``/store``). The data goes up as N-Triples chunks; afterwards the triple count of each graph
is checked with a SPARQL query, so a store that silently dropped data is noticed.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

DEFAULT_CHUNK = 50_000


class LoadError(ValueError):
    """A load that could not be done or did not verify (``kg load`` prints it and exits 1)."""


@dataclass
class Loaded:
    graph: str
    sent: int          # distinct triples in the file for this graph
    before: int | None  # triples in the store's graph before an append
    after: int         # triples in the store's graph afterwards
    chunks: int
    seconds: float


def read_graphs(path: str | Path, graph: str | None = None) -> dict[str, list[ox.Triple]]:
    """Graph IRI -> distinct triples, in file order.

    Triples files need ``graph``; TriG/N-Quads load each named graph to its own graph,
    or everything into ``graph`` when it is given.
    """
    path = Path(path)
    from .store import graphs_of, is_store
    if is_store(path):                  # a build's store: each named graph to its own graph
        if graph is not None:
            _check_iri(graph)
        found = graphs_of(path)
        if graph is None:
            return found
        return {graph: list(dict.fromkeys(t for triples in found.values() for t in triples))}
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF file extension (use .ttl, .nt, .trig or .nq)")
    if graph is not None:
        _check_iri(graph)
    if not fmt.supports_datasets and graph is None:
        raise LoadError(f"{path}: a {fmt.name} file names no graph; give --graph IRI")
    graphs: dict[str, dict[ox.Triple, None]] = {}
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            if graph is not None:
                target = graph
            elif isinstance(quad.graph_name, ox.NamedNode):
                target = quad.graph_name.value
            else:
                raise LoadError(f"{path}: has triples outside any named graph; give --graph IRI to "
                                f"load everything into one graph")
            graphs.setdefault(target, {})[quad.triple] = None  # dict: dedupe, keep order
    except SyntaxError as err:
        from .sparql import GraphFileError
        raise LoadError(str(GraphFileError(path, err))) from None
    return {g: list(ts) for g, ts in graphs.items()}


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise LoadError(f"--graph {iri!r} is not an absolute IRI: {err}") from None
    if ":" not in iri:
        raise LoadError(f"--graph {iri!r} is not an absolute IRI")


def chunks(triples: list[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Split into chunks of about ``size`` triples, never splitting a blank-node cluster.

    Each request gets fresh blank nodes in the store, so triples sharing a blank node
    must travel together or the store would see two different nodes.
    """
    if size < 1:
        raise LoadError("--chunk-triples must be at least 1")
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(b):
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    def bnodes(t: ox.Triple):
        return [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]

    for t in triples:
        nodes = bnodes(t)
        for b in nodes:
            parent.setdefault(b, b)
        for b in nodes[1:]:
            parent[find(b)] = find(nodes[0])
    units: dict[object, list[ox.Triple]] = {}
    for i, t in enumerate(triples):
        nodes = bnodes(t)
        units.setdefault(find(nodes[0]) if nodes else i, []).append(t)
    out: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    for unit in units.values():
        if current and len(current) + len(unit) > size:
            out.append(current)
            current = []
        current.extend(unit)
    if current:
        out.append(current)
    return out


def default_query_endpoint(endpoint: str) -> str | None:
    """The SPARQL query URL that goes with a Graph Store URL, for the stores we know."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, replacement in (("/sparql-graph-crud-auth", "/sparql"),   # Virtuoso
                                ("/sparql-graph-crud", "/sparql"),        # Virtuoso
                                ("/rdf-graphs/service", ""),              # GraphDB, RDF4J
                                ("/data", "/query"),                      # Fuseki
                                ("/store", "/query")):                    # Oxigraph server
        if path.endswith(suffix):
            return urllib.parse.urlunsplit(parts._replace(path=path[: -len(suffix)] + replacement, query=""))
    return None


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """urllib's Digest handler, but hashing UTF-8 (it encodes as ASCII, so a non-ASCII
    password raised UnicodeEncodeError) and also offering SHA-256 (RFC 7616)."""

    def get_algorithm_impls(self, algorithm):
        digest = {"MD5": hashlib.md5, "SHA": hashlib.sha1, "SHA-256": hashlib.sha256}.get(algorithm)
        if digest is None:
            raise ValueError(f"unsupported Digest algorithm {algorithm!r}")

        def H(text):
            return digest(text.encode("utf-8")).hexdigest()
        return H, lambda secret, data: H(f"{secret}:{data}")


class _Client:
    def __init__(self, endpoint: str, query_endpoint: str, user: str | None, password: str | None,
                 timeout: float):
        handlers = []
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (endpoint, query_endpoint):
                passwords.add_password(None, url, user, password or "")
            # answer whichever challenge the store sends: Virtuoso's -auth endpoint wants Digest
            handlers = [_DigestAuth(passwords),
                        urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)
        self.timeout = timeout

    def request(self, method: str, url: str, data: bytes | None = None,
                headers: dict | None = None, ok=(200, 201, 204)) -> tuple[int, bytes]:
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            body = err.read()
            if err.code in ok:
                return err.code, body
            text = body.decode("utf-8", errors="replace").strip().replace("\n", " ")[:300]
            hint = " (check --user/--password)" if err.code in (401, 403) else ""
            raise LoadError(f"{method} {url}: HTTP {err.code} {err.reason}{hint}"
                            + (f": {text}" if text else "")) from None
        except urllib.error.URLError as err:
            raise LoadError(f"{method} {url}: {err.reason}") from None
        except (TimeoutError, ConnectionError) as err:
            raise LoadError(f"{method} {url}: {err} (the store closed the connection or did not answer)") from None


def _with_graph(endpoint: str, graph: str) -> str:
    parts = urllib.parse.urlsplit(endpoint)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query.append(("graph", graph))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def count_triples(client: _Client, query_endpoint: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    url = query_endpoint + ("&" if "?" in query_endpoint else "?") + urllib.parse.urlencode({"query": query})
    _, body = client.request("GET", url, headers={"Accept": "application/sparql-results+json"})
    try:
        bindings = json.loads(body)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, TypeError):
        raise LoadError(f"{query_endpoint}: the count query did not return SPARQL JSON results: "
                        f"{body[:200]!r}") from None


def load(path: str | Path, endpoint: str, *, graph: str | None = None, user: str | None = None,
         password: str | None = None, replace: bool = True, chunk_triples: int = DEFAULT_CHUNK,
         query_endpoint: str | None = None, timeout: float = 600.0,
         quiet: bool = False) -> list[Loaded]:
    """Load every graph of a file, then verify the counts; raise :class:`LoadError` on failure."""
    query_endpoint = query_endpoint or default_query_endpoint(endpoint)
    if query_endpoint is None:
        raise LoadError(f"cannot tell the SPARQL query endpoint of {endpoint}; give --query-endpoint URL")
    graphs = read_graphs(path, graph)
    if not graphs:
        raise LoadError(f"{path}: no triples to load")
    client = _Client(endpoint, query_endpoint, user, password, timeout)
    headers = {"Content-Type": "application/n-triples"}
    # an empty POST adds nothing but shows up bad credentials or a read-only endpoint
    # before any data is sent (a store may cut a large upload short on a 401)
    client.request("POST", _with_graph(endpoint, next(iter(graphs))), b"", headers)
    results = []
    for iri, triples in graphs.items():
        start = time.monotonic()
        before = None if replace else count_triples(client, query_endpoint, iri)
        parts = chunks(triples, chunk_triples)
        url = _with_graph(endpoint, iri)
        sent = 0
        for n, part in enumerate(parts, 1):
            body = ox.serialize(part, format=ox.RdfFormat.N_TRIPLES)
            # replace: PUT empties the graph with the first chunk, the rest are added
            client.request("PUT" if replace and n == 1 else "POST", url, body, headers)
            sent += len(part)
            if not quiet:
                print(f"kg load: <{iri}> chunk {n}/{len(parts)}: {sent:,}/{len(triples):,} triples "
                      f"({time.monotonic() - start:.1f} s)", file=sys.stderr, flush=True)
        after = count_triples(client, query_endpoint, iri)
        results.append(Loaded(iri, len(triples), before, after, len(parts), time.monotonic() - start))
    problems = []
    for r in results:
        if r.before is None and r.after != r.sent:
            problems.append(f"<{r.graph}> holds {r.after:,} triples after loading, expected {r.sent:,}")
        elif r.before is not None and not max(r.before, r.sent) <= r.after <= r.before + r.sent:
            problems.append(f"<{r.graph}> holds {r.after:,} triples after appending {r.sent:,} to "
                            f"{r.before:,}; expected between {max(r.before, r.sent):,} and {r.before + r.sent:,}")
    if problems:
        raise LoadError("verification failed (counted at " + query_endpoint + "): " + "; ".join(problems))
    return results
