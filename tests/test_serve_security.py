"""kg serve against hostile and careless clients, over real HTTP on loopback (issue #20).

SERVICE (SSRF), nesting and length limits, the Host/Origin gate, CORS, slow and vanishing
clients, bad graph IRIs, and the queue: fair, a worker kept for short queries, 503 with
Retry-After only when saturated.
"""
from __future__ import annotations

import http.client as httpclient
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from conftest import ROOT
from kg.serve import MAX_DEPTH, MAX_QUERY_CHARS, SparqlServer, nesting_depth, refuse_query
from test_serve import COUNT, CROSS, get, http, running, stop


def request(server, method="GET", path="/sparql", headers=None, body=None, query=None):
    """(status, headers, body) with exactly the headers given (Host included, or left out)."""
    port = server if isinstance(server, int) else server.server_address[1]
    if query is not None:
        path += "?" + urllib.parse.urlencode({"query": query})
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def host(server, name="127.0.0.1"):
    return {"Host": f"{name}:{server.server_address[1]}"}


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def server(seed_ttl):
    srv = running(seed_ttl, timeout=20)
    yield srv
    stop(srv)


@pytest.fixture(scope="module")
def triples(server):
    status, _, body = get(server, COUNT)
    assert status == 200
    return count(body)


# --- 1. SERVICE: the server must not become a client of addresses a query names ----------------

class Listener:
    """A loopback socket that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.mark.parametrize("template", [
    "SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?x ?p ?o }} }}",
    "select * {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?x ?p ?o }} }}",
    "SELECT * {{ ?a ?b ?c .SERVICE<http://127.0.0.1:{port}/>{{ ?x ?p ?o }} }}",
    # the parser reads `SERVICE:x` as the keyword and the name :x (it does send a request)
    "PREFIX : <http://127.0.0.1:{port}/> SELECT * {{ SERVICE:sparql {{ ?x ?p ?o }} }}",
    "SELECT * {{ VALUES ?u {{ <http://127.0.0.1:{port}/> }} Service ?u {{ ?x ?p ?o }} }}",
    "# a comment\nPREFIX ex: <http://ex.org/#>\nSELECT * {{ OPTIONAL {{ SERVICE <http://127.0.0.1:{port}/> {{ ?x ?p ?o }} }} }}",
])
def test_service_is_refused_by_default_and_nothing_is_contacted(server, template):
    target = Listener()
    try:
        status, headers, body = get(server, template.format(port=target.port))
        time.sleep(0.3)  # a request the worker sent would have reached the listener by now
        assert status == 400 and headers["Content-Type"].startswith("text/plain")
        assert body.startswith(b"SERVICE is disabled") and b"--allow-service" in body
        assert target.connections == 0
    finally:
        target.close()


def test_the_word_service_elsewhere_is_not_refused(server):
    q = """PREFIX ex: <http://ex.org/service#>
    # SERVICE <http://127.0.0.1:1/> { }
    SELECT ?service WHERE { ?service <http://ex.org/p> "SERVICE <http://x/> { }" ;
                                     ex:service <http://ex.org/SERVICE> ; ex:x $Service } LIMIT 1"""
    assert refuse_query(q) is None
    status, _, body = get(server, q)
    assert status == 200 and json.loads(body)["head"]["vars"] == ["service"]


def test_allow_service_runs_a_federated_query_against_another_endpoint(seed_ttl, server, triples):
    federating = running(seed_ttl, timeout=20, allow_service=True)
    try:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server.url}> {{ ?s ?p ?o }} }}"
        status, _, body = get(federating, q)
        assert status == 200 and count(body) == triples  # answered by the other endpoint
    finally:
        stop(federating)


# --- 2. nesting depth and length, checked before parsing --------------------------------------

def test_a_query_nested_3000_deep_is_refused_and_no_worker_dies(server):
    before = sorted(server.pool.pids)
    deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    status, _, body = get(server, deep)
    assert status == 400 and body.decode().startswith("Query nested too deeply: 3,000 brackets")
    for opener, closer in (("(", ")"), ("[ ?p ", "]")):  # expressions, blank nodes
        q = "SELECT * WHERE { ?s ?p " + opener * 500 + "1" + closer * 500 + " }"
        assert get(server, q)[0] == 400
    assert sorted(server.pool.pids) == before
    assert get(server, "ASK {}")[0] == 200


def test_queries_within_the_limits_leave_the_workers_alive(server):
    before = sorted(server.pool.pids)
    at_limit = "SELECT * WHERE " + "{" * (MAX_DEPTH - 1) + " ?s ?p ?o " + "}" * (MAX_DEPTH - 1) + " LIMIT 1"
    status, _, body = get(server, at_limit)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 1
    # a long chain, not nested: recursion as deep as its length (it kills a process with the
    # usual 8 MB stack; the workers run queries on a bigger one)
    chain = "ASK { FILTER(" + "!" * (MAX_QUERY_CHARS - 30) + "true) }"
    assert len(chain) <= MAX_QUERY_CHARS
    status, _, body = http(server.url, chain.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body)["boolean"] is True
    assert sorted(server.pool.pids) == before


def test_a_query_over_the_length_limit_is_refused(server):
    long = "ASK { FILTER(" + "!" * MAX_QUERY_CHARS + "true) }"
    status, _, body = http(server.url, long.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 400 and body.decode().startswith(f"Query too long: {len(long):,} characters, the limit is 100,000")


def test_nesting_ignores_brackets_in_strings_iris_and_comments():
    assert nesting_depth("{ ( [ ] ) }") == 3
    q = 'SELECT * { ?s ?p "{{{{" . ?s ?p """{{{\n{{""" . ?s ?p <http://x/{{{> } # {{{{{{'
    assert refuse_query(q.replace("{{{{{{", "{" * 500)) is None


# --- 4. Host and Origin: DNS rebinding and other web pages ---------------------------------

@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]"])
def test_served_host_names_are_answered(server, name):
    for value in (f"{name}:{server.server_address[1]}", name):
        status, _, body = request(server, headers={"Host": value}, query="ASK {}")
        assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/sparql?query=ASK%7B%7D", None),
    ("GET", "/", None),
    ("GET", "/elsewhere", None),
    ("POST", "/sparql", b"query=ASK%7B%7D"),
    ("PUT", "/sparql", b"<a:b> <a:b> <a:b> ."),
    ("OPTIONS", "/sparql", None),
])
def test_other_host_names_are_refused_on_every_route(server, method, path, body):
    for value in ("attacker.example", f"attacker.example:{server.server_address[1]}",
                  "127.0.0.1.attacker.example", "localhost.", "[::2]"):
        headers = {"Host": value, "Content-Type": "application/x-www-form-urlencoded"}
        status, resp_headers, text = request(server, method, path, headers, body)
        assert status == 421 and text.startswith(b"Misdirected request: Host")
        assert b"answers to 127.0.0.1, localhost, [::1] (kg serve --allow-host NAME" in text
        assert "Access-Control-Allow-Origin" not in resp_headers


def test_missing_or_repeated_host_is_400(server):
    assert request(server, headers={}, query="ASK {}")[0] == 400
    conn = httpclient.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    conn.putrequest("GET", "/sparql?query=ASK%7B%7D", skip_host=True)
    conn.putheader("Host", "127.0.0.1")
    conn.putheader("Host", "attacker.example")
    conn.endheaders()
    assert conn.getresponse().status == 400
    conn.close()


def test_pages_of_other_sites_are_refused_and_no_cors_by_default(server):
    port = server.server_address[1]
    own = {**host(server), "Origin": f"http://127.0.0.1:{port}"}
    status, headers, _ = request(server, "POST", "/sparql", {**own, "Content-Type": "application/x-www-form-urlencoded"},
                                 b"query=ASK%7B%7D")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers  # the form page's own POST
    for origin in ("https://attacker.example", "null", f"http://attacker.example:{port}", f"http://127.0.0.1:{port + 1}"):
        status, headers, body = request(server, headers={**host(server), "Origin": origin}, query="ASK {}")
        assert status == 403 and b"--cors" in body and "Access-Control-Allow-Origin" not in headers
        status, headers, _ = request(server, "OPTIONS", "/sparql", {**host(server), "Origin": origin,
                                                                   "Access-Control-Request-Method": "POST"})
        assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_cors_origin_and_extra_host_names(seed_ttl):
    srv = running(seed_ttl, timeout=20, cors="https://app.example", allow_hosts=["kg.example"])
    try:
        app = {**host(srv, "kg.example"), "Origin": "https://app.example"}
        status, headers, body = request(srv, headers=app, query="ASK {}")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert headers["Vary"] == "Origin"
        status, headers, body = request(srv, "OPTIONS", "/sparql", {**app, "Access-Control-Request-Method": "POST",
                                                                   "Access-Control-Request-Headers": "content-type"})
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert "POST" in headers["Access-Control-Allow-Methods"] and "Content-Type" in headers["Access-Control-Allow-Headers"]
        status, headers, _ = request(srv, headers={**app, "Origin": "https://other.example"}, query="ASK {}")
        assert status == 403 and "Access-Control-Allow-Origin" not in headers
        assert request(srv, headers=host(srv, "other.example"), query="ASK {}")[0] == 421
        # behind a proxy that passes Host on, the page's origin has the proxy's port
        status, headers, _ = request(srv, headers={"Host": "kg.example", "Origin": "https://kg.example"},
                                     query="ASK {}")
        assert status == 200 and "Access-Control-Allow-Origin" not in headers
        assert request(srv, headers={"Host": "kg.example", "Origin": "https://localhost"}, query="ASK {}")[0] == 403
    finally:
        stop(srv)


def test_cli_flags_reach_the_server(seed_ttl):
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(seed_ttl), "--port", "0",
                             "--cors", "https://app.example", "--allow-host", "kg.example", "--allow-service"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        headers = {"Host": "kg.example", "Origin": "https://app.example"}
        status, resp_headers, _ = request(port, headers=headers, query="ASK {}")
        assert status == 200 and resp_headers["Access-Control-Allow-Origin"] == "https://app.example"
        # SERVICE is let through to the engine: an unbound service variable fails there, not here
        status, _, body = request(port, headers=headers, query="SELECT * { SERVICE ?u { ?s ?p ?o } }")
        assert not body.startswith(b"SERVICE is disabled")
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


# --- 5. slow and vanishing clients ----------------------------------------------------------

@pytest.fixture()
def impatient(seed_ttl):
    """A server that gives clients 1 s of silence and 2 s for a whole body; it logs."""
    srv = running(seed_ttl, timeout=20)
    srv.quiet = False
    srv.read_timeout, srv.body_seconds = 1.0, 2.0
    yield srv
    stop(srv)


def raw_socket(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30)
    return sock


def read_all(sock) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_a_half_sent_body_gets_408_and_frees_the_thread(impatient, capfd):
    sock = raw_socket(impatient)
    head = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: 100\r\n\r\nASK {{").encode()
    start = time.monotonic()
    sock.sendall(head)
    reply = read_all(sock)  # the server answers and closes by itself
    assert reply.startswith(b"HTTP/1.1 408") and b"did not arrive within 2 s" in reply
    assert time.monotonic() - start < 15
    sock.close()
    assert get(impatient, "ASK {}")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_a_body_sent_drop_by_drop_is_cut_off(impatient):
    sock = raw_socket(impatient)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 1000\r\n\r\n")
    start = time.monotonic()
    reply = b""
    try:
        for _ in range(40):  # one byte every 0.3 s: never silent for 1 s, never done
            sock.sendall(b" ")
            time.sleep(0.3)
            sock.setblocking(False)
            try:
                reply += sock.recv(65536)
            except BlockingIOError:
                pass
            sock.setblocking(True)
            if reply:
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert reply.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - start < 10
    sock.close()


def test_a_silent_connection_is_closed(impatient):
    sock = raw_socket(impatient)
    start = time.monotonic()
    assert read_all(sock) == b""  # closed by the server after 1 s of silence
    assert time.monotonic() - start < 15
    sock.close()


def test_a_client_that_goes_away_is_one_log_line(impatient, capfd):
    capfd.readouterr()
    port = impatient.server_address[1]
    q = urllib.parse.urlencode({"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "format": "ntriples"})
    for _ in range(3):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the reply stalls
        sock.settimeout(30)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET /sparql?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.recv(100)  # the reply has begun
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # reset: the rest of the reply has nowhere to go
    deadline = time.monotonic() + 20
    err = ""
    while time.monotonic() < deadline and err.count("client went away") < 3:
        time.sleep(0.2)
        err += capfd.readouterr().err
    assert err.count("client went away") == 3, err
    assert "Traceback" not in err and "BrokenPipeError:" not in err and "ConnectionResetError:" not in err
    assert get(impatient, "ASK {}")[0] == 200


# --- 6. graph IRIs ---------------------------------------------------------------------------

@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_a_graph_parameter_that_is_not_an_iri_is_400_with_the_reason(server, param):
    status, _, body = get(server, COUNT, **{param: "not an iri"})
    text = body.decode()
    assert status == 400 and text.startswith(f"Bad request: {param} 'not an iri' is not an IRI: ")
    assert len(text.splitlines()) == 1 and len(text) > len(f"Bad request: {param} 'not an iri' is not an IRI: ") + 5


# --- 3. the queue, under load -----------------------------------------------------------------

# Stated bound (also in docs/serving.md): with runaway queries holding every long-query slot,
# each simple query is still answered within SIMPLE_BOUND seconds; the runaways' time limit
# RUNAWAY_LIMIT is longer, so none of them waited for a runaway. Generous for a loaded 2-core
# machine: alone, a simple query takes a few milliseconds.
SIMPLE_BOUND = 10.0
RUNAWAY_LIMIT = 15.0
CLIENTS = 40
QUERIES_EACH = 3
SHORT_PAUSE = 1.5  # the runaways have started and hold both long-query slots


def test_load_runaways_do_not_starve_simple_queries(seed_ttl, triples):
    srv = running(seed_ttl, timeout=RUNAWAY_LIMIT, workers=2)
    results: dict[str, list] = {"runaway": [], "simple": []}
    lock = threading.Lock()

    def client(kind, query, repeats):
        for _ in range(repeats):
            start = time.monotonic()
            try:
                status, headers, body = get(srv, query)
                outcome = (status, headers.get("Retry-After"), body, time.monotonic() - start)
            except Exception as err:  # a lost request: refused connection, reset, timeout
                outcome = ("lost", None, repr(err).encode(), time.monotonic() - start)
            with lock:
                results[kind].append(outcome)

    try:
        runaways = [threading.Thread(target=client, args=("runaway", CROSS, 1)) for _ in range(2)]
        for t in runaways:
            t.start()
        time.sleep(SHORT_PAUSE)
        simple = [threading.Thread(target=client, args=("simple", COUNT, QUERIES_EACH)) for _ in range(CLIENTS)]
        for t in simple:
            t.start()
        for t in simple + runaways:
            t.join(timeout=120)
        assert len(results["simple"]) == CLIENTS * QUERIES_EACH and len(results["runaway"]) == 2
        for status, retry, body, seconds in results["simple"]:
            assert status == 200 and count(body) == triples, (status, body[:200])
            assert seconds < SIMPLE_BOUND
        for status, retry, body, seconds in results["runaway"]:
            assert status == 503 and b"timed out" in body and retry is None  # not a busy server
            assert seconds >= RUNAWAY_LIMIT
    finally:
        stop(srv)



def test_saturated_means_503_with_retry_after(seed_ttl):
    srv = running(seed_ttl, timeout=4, workers=1)
    srv.pool.max_waiting = 1
    try:
        outcomes = []
        threads = [threading.Thread(target=lambda: outcomes.append(get(srv, CROSS))) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.2)
        # the first runaway holds the one long slot; the second overran the short lane and waits
        deadline = time.monotonic() + 5
        while srv.pool.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.pool.waiting == 1
        status, headers, body = get(srv, "ASK {}")
        assert status == 503 and headers["Retry-After"] == "4" and body.startswith(b"Busy: 1 queries are already waiting")
        for t in threads:
            t.join(timeout=60)
        assert [s for s, _, _ in outcomes] == [503, 503]
        # the second runaway either timed out too, or could not start within its time limit
        assert all(b"timed out" in b or h.get("Retry-After") == "4" for _, h, b in outcomes)
        assert get(srv, "ASK {}")[0] == 200  # the line is empty again
    finally:
        stop(srv)


def test_backlog_takes_a_burst_of_connections(server):
    """200 connections opened at once are all accepted and answered (the backlog was 5)."""
    assert server.request_queue_size >= 200
    port = server.server_address[1]
    socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(200)]
    try:
        for s in socks:
            s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        replies = [read_all(s) for s in socks]
    finally:
        for s in socks:
            s.close()
    assert all(r.startswith(b"HTTP/1.1 200") for r in replies)
    assert all(json.loads(r.split(b"\r\n\r\n", 1)[1])["boolean"] is True for r in replies)


def test_ipv6_loopback_bind_serves_its_bracketed_name(seed_ttl):
    srv = SparqlServer(seed_ttl, host="::1", port=0, quiet=True, timeout=20)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        assert srv.url.startswith("http://[::1]:")
        status, _, body = http(srv.url + "?" + urllib.parse.urlencode({"query": "ASK {}"}))
        assert status == 200 and json.loads(body)["boolean"] is True
        conn = httpclient.HTTPConnection("::1", srv.server_address[1], timeout=30)
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": "attacker.example"})
        assert conn.getresponse().status == 421
        conn.close()
    finally:
        stop(srv)


def test_waiting_queries_start_in_arrival_order_and_pass_a_blocked_long_one(seed_ttl):
    """Hold both processes, line up a long query and five short ones, then free one process."""
    from kg.serve import _Ticket
    srv = running(seed_ttl, timeout=60, workers=1)
    pool = srv.pool
    pool.short = 60  # on a loaded machine a moment may pass 1 s; none of these may turn long
    try:
        holders = [_Ticket(-100 - i) for i in range(2)]
        held = [pool._acquire(t, time.monotonic() + 5) for t in holders]
        assert all(held) and pool._make_long(holders[1])  # the one long slot is taken
        long_ticket = _Ticket(-1)
        long_ticket.needs_long = True  # first in line, but no long slot is free
        long_result = []
        waiter = threading.Thread(target=lambda: long_result.append(pool._acquire(long_ticket, time.monotonic() + 60)))
        waiter.start()
        done = []
        # each takes a moment (a bounded cross product), so answers cannot overtake each other
        slow = "SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {} }} }}"
        threads = []
        for i in range(1, 6):
            t = threading.Thread(target=lambda i=i: done.append((i, get(srv, slow.format(200_000 + i))[0])))
            t.start()
            threads.append(t)
            deadline = time.monotonic() + 10
            while pool.waiting < i + 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert pool.waiting == i + 1
        pool._release(holders[0], held[0])  # one short-query process comes free
        for t in threads:
            t.join(timeout=60)
        assert done == [(i, 200) for i in range(1, 6)]
        assert waiter.is_alive()  # the long one still waits for a long slot
        pool._release(holders[1], held[1])  # the long slot is free: the long ticket goes now
        waiter.join(timeout=20)
        assert long_result and long_result[0] is not None
        pool._release(long_ticket, long_result[0])
        assert get(srv, "ASK {}")[0] == 200
    finally:
        stop(srv)
