"""kg load into a real Oxigraph server (the `oxigraph` binary from PyPI), then every
bundled query over its SPARQL protocol endpoint against the same query run locally."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT
from kg.sparql import run_query

GRAPH = "https://w3id.org/yuanjiang-kg/graph/seeds"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the oxigraph server is not installed: run `bash scripts/test.sh` (pip package oxigraph)",
                    pytrace=False)
    port = _free_port()
    folder = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph serve did not start: {proc.stdout.read().decode(errors='replace')}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def loaded(server, seed_build):
    ttl = next(p for p in seed_build.outputs if p.suffix == ".ttl")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(ttl), "--endpoint", f"{server}/store",
                           "--graph", GRAPH, "--chunk-triples", "1500"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return ttl, done


def _select(server: str, query: str) -> dict:
    url = f"{server}/query?" + urllib.parse.urlencode({"query": query, "default-graph-uri": GRAPH})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json, text/turtle"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return reply.read(), reply.headers.get("Content-Type", "")


def test_kg_load_fills_the_graph_in_chunks_and_verifies_the_count(server, loaded, seed_build):
    _, done = loaded
    body, _ = _select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(seed_build.rdf)
    assert done.stderr.count("chunk") >= 3                     # progress, one line per chunk


def _canon(value: dict) -> tuple:
    kind, text = value["type"], value["value"]
    datatype = value.get("datatype", "")
    if datatype.endswith(("#integer", "#decimal", "#double", "#nonNegativeInteger")):
        return ("number", float(text))
    return (kind if kind != "typed-literal" else "literal", text, value.get("xml:lang", ""))


@pytest.mark.parametrize("rq", QUERIES, ids=[p.name for p in QUERIES])
def test_bundled_query_gives_the_same_answer_on_the_server(rq, server, loaded):
    ttl, _ = loaded
    text = rq.read_text(encoding="utf-8")
    local = run_query(ttl, text)
    body, ctype = _select(server, text)
    if local.kind != "select":
        if local.kind == "ask":
            assert json.loads(body)["boolean"] == local.boolean
        else:
            import pyoxigraph as ox
            remote = set(ox.parse(body, format=ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES))
            assert len(remote) == len(local.triples)
        return
    remote_rows = sorted(
        tuple(_canon(b[v]) if v in b else None for v in local.header)
        for b in json.loads(body)["results"]["bindings"])
    local_rows = sorted(
        tuple(None if t is None else _canon({"type": t.kind if t.kind != "uri" else "uri", "value": t.value,
                                              "datatype": t.datatype or "", "xml:lang": t.lang or ""})
              for t in row) for row in local.rows)
    assert remote_rows == local_rows
