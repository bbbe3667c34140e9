"""kg serve over real HTTP: protocol, formats, read-only, errors, time limit, bind address."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.serve import SparqlServer, choose_format, is_update

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s rdfs:label ?label . FILTER(lang(?label) = "zh") } ORDER BY ?s ?label"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# about 5,000^3 solutions: never finishes on the seed graph
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) for any status, over a real socket."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def get(server, query, **params):
    headers = params.pop("headers", {})
    qs = urllib.parse.urlencode({"query": query, **params})
    return http(f"{server.url}?{qs}", headers=headers)


@pytest.fixture(scope="module")
def local(seed_ttl):
    store = ox.Store()
    store.load(path=str(seed_ttl), format=ox.RdfFormat.TURTLE)
    return store


def running(graph, **kwargs):
    server = SparqlServer(graph, port=0, quiet=True, **kwargs)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def stop(server):
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def server(seed_ttl):
    srv = running(seed_ttl, timeout=20)
    yield srv
    stop(srv)


def test_select_json_matches_local_store(server, local):
    status, headers, body = get(server, COUNT, headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    result = json.loads(body)
    assert result["head"]["vars"] == ["n"]
    assert int(result["results"]["bindings"][0]["n"]["value"]) == len(local) > 1000


def test_default_format_is_json_and_chinese_survives(server, local):
    status, _, body = get(server, LABELS)
    rows = json.loads(body)["results"]["bindings"]
    expected = [(s["s"].value, s["label"].value) for s in local.query(LABELS)]
    assert status == 200 and [(r["s"]["value"], r["label"]["value"]) for r in rows] == expected
    assert any(label == "乌什县" for _, label in expected)
    assert all(r["label"]["xml:lang"] == "zh" for r in rows)


@pytest.mark.parametrize("how", ["accept", "param"])
def test_select_csv_and_tsv(server, local, how):
    expected = [(s["s"].value, s["label"].value) for s in local.query(LABELS)]
    for name, media in (("csv", "text/csv"), ("tsv", "text/tab-separated-values")):
        kw = {"headers": {"Accept": media}} if how == "accept" else {"format": name}
        status, headers, body = get(server, LABELS, **kw)
        assert status == 200 and headers["Content-Type"].startswith(media)
        text = body.decode("utf-8")
        if name == "csv":
            rows = list(csv.reader(io.StringIO(text)))
        else:  # TSV has no quoting: a tab ends a field
            rows = [line.split("\t") for line in text.splitlines()]
        if name == "csv":  # CSV: plain values
            assert rows[0] == ["s", "label"] and [tuple(r) for r in rows[1:]] == expected
        else:  # TSV: terms in SPARQL syntax
            assert rows[0] == ["?s", "?label"]
            assert [tuple(r) for r in rows[1:]] == [(f"<{s}>", f'"{l}"@zh') for s, l in expected]


def test_post_form_and_sparql_query_bodies(server, local):
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    s1, _, b1 = http(server.url, form, {"Content-Type": "application/x-www-form-urlencoded"})
    s2, _, b2 = http(server.url, COUNT.encode(), {"Content-Type": "application/sparql-query",
                                                  "Accept": "text/csv"})
    assert s1 == 200 and json.loads(b1)["results"]["bindings"][0]["n"]["value"] == str(len(local))
    assert s2 == 200 and b2.decode().split() == ["n", str(len(local))]


def test_construct_and_describe_return_rdf(server, local):
    q = """PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
    CONSTRUCT { ?s yj:supports ?o } WHERE { ?s yj:supports ?o }"""
    status, headers, body = get(server, q)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    got = {(t.subject, t.predicate, t.object) for t in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    assert got == {(t.subject, t.predicate, t.object) for t in local.query(q)} and len(got) > 0
    status, headers, body = get(server, "DESCRIBE <https://w3id.org/yuanjiang-kg/id/place/652927>",
                                headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert any(t.object == ox.Literal("乌什县", language="zh") for t in triples)


def test_ask(server):
    status, _, body = get(server, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_updates_are_refused_and_change_nothing(server, local):
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    attempts = [
        http(server.url, urllib.parse.urlencode({"update": insert}).encode(),
             {"Content-Type": "application/x-www-form-urlencoded"}),
        http(server.url, insert.encode(), {"Content-Type": "application/sparql-update"}),
        get(server, "PREFIX ex: <http://example.org/#>\n# a comment\n" + insert),
        http(server.url + "?graph=http://example.org/g", b"<a:b> <a:b> <a:b> .",
             {"Content-Type": "text/turtle"}, method="PUT"),
    ]
    for status, _, body in attempts:
        assert status == 403 and b"read-only" in body
    status, _, body = get(server, COUNT)
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(len(local))


def test_malformed_query_is_400_with_the_parser_message(server):
    status, headers, body = get(server, "SELECT ?s WHERE { ?s ?p ")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert text.startswith("Malformed query: SPARQL syntax error at line 1, column ")
    assert "   1 | SELECT ?s WHERE { ?s ?p " in text and "^" in text.splitlines()[2]   # the line, a caret


def test_unacceptable_format_is_406(server):
    status, _, body = get(server, COUNT, headers={"Accept": "text/turtle"})
    assert status == 406 and b"json, csv, tsv" in body


def test_time_limit_stops_the_query_and_the_endpoint_recovers(seed_ttl, local):
    srv = running(seed_ttl, timeout=0.5, workers=1)
    try:
        before = srv.pool.pids
        start = time.monotonic()
        status, _, body = get(srv, CROSS)
        elapsed = time.monotonic() - start
        assert status == 503 and b"timed out" in body and b"0.5 s" in body
        assert elapsed < 5
        assert len(before) == 2  # one worker for long queries, one kept for short ones
        gone = [pid for pid in before if not alive(pid)]
        assert len(gone) == 1  # the worker running the query was killed
        deadline = time.monotonic() + 30
        while len(srv.pool.pids) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(srv.pool.pids) == 2 and gone[0] not in srv.pool.pids  # and replaced
        status, _, body = get(srv, COUNT)
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(len(local))
    finally:
        stop(srv)


def test_html_page_has_a_query_form_and_escapes(tmp_path, seed_ttl):
    hostile = tmp_path / 'a<b onload="x">&.ttl'
    hostile.write_bytes(seed_ttl.read_bytes())
    srv = running(hostile, timeout=5)
    try:
        # the form is at /sparql; / is the explorer (tests/test_explorer_serve.py)
        for path in ("/sparql",):
            status, headers, body = http(srv.url.replace("/sparql", path))
            page = body.decode()
            assert status == 200 and headers["Content-Type"].startswith("text/html")
            assert '<form method="post" action="/sparql">' in page and "<textarea" in page
            assert "<b onload" not in page and "a&lt;b onload=&quot;x&quot;&gt;&amp;.ttl" in page
            assert not re.search(r"(src|href)=", page)  # nothing loaded from elsewhere
    finally:
        stop(srv)


def test_trig_default_graph_is_the_union(tmp_path):
    trig = tmp_path / "g.trig"
    trig.write_text("""
    <http://ex.org/g1> { <http://ex.org/a> <http://ex.org/p> "一" . }
    <http://ex.org/g2> { <http://ex.org/b> <http://ex.org/p> "二" . <http://ex.org/c> <http://ex.org/p> "三" . }
    """, encoding="utf-8")
    srv = running(trig, timeout=5)
    try:
        def value(q, **kw):
            return json.loads(get(srv, q, **kw)[2])["results"]["bindings"][0]["n"]["value"]
        assert value(COUNT) == "3"
        assert value("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == "2"
        assert value(COUNT, **{"default-graph-uri": "http://ex.org/g2"}) == "2"
    finally:
        stop(srv)


def test_update_detection_ignores_comments_and_strings():
    assert is_update("PREFIX a: <http://x/#>\n# SELECT\nDELETE WHERE { ?s ?p ?o }")
    assert is_update("  base <http://x/> clear all")
    assert not is_update("# INSERT\nSELECT * WHERE { ?s ?p 'INSERT' }")
    assert not is_update("PREFIX insert: <http://x/#> SELECT * { ?s insert:p ?o }")


def test_format_negotiation():
    assert choose_format("solutions", None, None)[0] == "json"
    assert choose_format("solutions", "text/html,*/*;q=0.8", None)[0] == "json"
    assert choose_format("solutions", "text/csv;q=0.5, text/tab-separated-values", None)[0] == "tsv"
    assert choose_format("graph", "*/*", None)[0] == "turtle"
    assert choose_format("graph", None, "ntriples")[0] == "ntriples"
    assert choose_format("graph", "text/csv", None) is None


def test_cli_binds_to_loopback_by_default(seed_ttl):
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(seed_ttl), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        match = re.search(r"SPARQL endpoint (http://([\d.]+):(\d+)/sparql)", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        url, host = match.group(1), match.group(2)
        assert host == "127.0.0.1"
        status, _, body = http(url + "?" + urllib.parse.urlencode({"query": "ASK {}"}))
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C: the server closes its workers and exits
        assert proc.wait(timeout=20) == 0


def test_cli_stops_cleanly_on_sigterm(seed_ttl):
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(seed_ttl), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert "SPARQL endpoint" in proc.stdout.readline()
        workers = children(proc.pid)
        assert len(workers) == 3  # --workers 2, plus one kept for short queries
        folder = Path(Path(f"/proc/{workers[0]}/cmdline").read_bytes().split(b"\0")[-2].decode())
        assert folder.is_dir()
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    for pid in workers:  # the query workers went with it, and so did the store copy
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not folder.exists()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
