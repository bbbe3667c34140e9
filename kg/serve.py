"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over one graph file.

The graph is bulk-loaded once into an on-disk pyoxigraph store in a temporary folder.
Queries run in worker processes that open that store read-only, so a query that runs
past its time limit is stopped by killing its worker (pyoxigraph cannot interrupt a
query from another thread) and a fresh worker reopens the store in milliseconds.

The endpoint trusts no client: every request passes one gate (``_Handler.parse_request``)
that checks the Host and Origin headers, and every query passes ``refuse_query`` (length,
nesting depth, SERVICE, update) before any parser sees it. docs/serving.md describes the
security model and the queueing.
"""
from __future__ import annotations

import bisect
import html
import itertools
import json
import math
import importlib
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

# (kg.explorer, with networkx and the page, is imported where used: a query worker,
# started as this module, then starts in half the time)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20  # a query is text; anything larger is a mistake or abuse
# Limits checked before parsing. Deep nesting overflows the parser's stack (3,000 `{` killed a
# worker with SIGSEGV); long chains (`a/b/c/…`, `1+1+…`) recurse as deeply and get slow.
MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 100  # brackets ({ ( [) open at once; real queries stay below 20
WORKER_STACK = 256 << 20  # queries run on a thread with this stack: room well past the limits
READ_TIMEOUT = 10.0  # seconds a socket may stay silent while we read a request or write a reply
BODY_SECONDS = 30.0  # a whole request body must arrive within this
SHORT_QUERY = 1.0  # seconds a query may run before it counts as long (see WorkerPool)
MAX_WAITING = 256  # queries waiting for a worker; more are turned away with 503
CACHE_WRITE_WAIT = 60.0  # seconds a stopping server waits for the explorer's cache file to be written
MAX_CONNECTIONS = 512  # open connections (each holds a thread); more get 503 at once
BACKLOG = 1024  # connections the kernel queues before we accept them (the system may cap it)
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")  # Host names always served

# result kind -> [(short name, media types it answers to, pyoxigraph format)], first = default
RESULT_FORMATS = {
    "solutions": [
        ("json", ("application/sparql-results+json", "application/json"), ox.QueryResultsFormat.JSON),
        ("csv", ("text/csv",), ox.QueryResultsFormat.CSV),
        ("tsv", ("text/tab-separated-values",), ox.QueryResultsFormat.TSV),
        ("xml", ("application/sparql-results+xml", "application/xml", "text/xml"), ox.QueryResultsFormat.XML),
    ],
    "graph": [
        ("turtle", ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE),
        ("ntriples", ("application/n-triples", "text/plain"), ox.RdfFormat.N_TRIPLES),
        ("rdfxml", ("application/rdf+xml",), ox.RdfFormat.RDF_XML),
    ],
}
# ASK answers use the same serialisers as SELECT
RESULT_FORMATS["boolean"] = RESULT_FORMATS["solutions"]

CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xml": "application/sparql-results+xml",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}

# Strings, IRIs and comments: what may hold any text without being SPARQL syntax.
# Long strings come first, so that ''' is not read as an empty string and a quote.
_TOKENS = re.compile("|".join([
    r'<[^<>"{}|^`\\\s]*>',  # IRI (a `<` with a space after it is less-than)
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
    r"#[^\n]*",  # comment
]))
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.I)
_UPDATE_START = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
# SERVICE as a keyword: not a variable (?service) nor the local part right after a prefix
# (ex:service). Anything else counts, even a prefix named service: (the parser reads
# `SERVICE:x {…}` as the keyword and the name :x) or a rare local name such as ex:a.service.
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b", re.I)
_BRACKETS = re.compile(r"[{}()\[\]]")


def _syntax_only(text: str) -> str:
    """The query with strings and IRIs blanked and comments dropped: what is left is syntax."""
    return _TOKENS.sub(lambda m: " " if m.group().startswith("#") else
                       m.group()[0] + " " * (len(m.group()) - 2) + m.group()[-1], text)


def is_update(text: str) -> bool:
    """True if the text is SPARQL Update rather than a query (comments ignored)."""
    syntax = _syntax_only(text)
    return bool(_UPDATE_START.match(syntax, _PROLOGUE.match(syntax).end()))


def nesting_depth(syntax: str) -> int:
    """Most brackets open at once in text from ``_syntax_only``."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(syntax):
        depth = depth + 1 if m.group() in "{([" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def refuse_query(text: str, allow_service: bool = False) -> str | None:
    """Why a query may not run, in one line, or None. Checked before any parser sees it."""
    if len(text) > MAX_QUERY_CHARS:
        return f"Query too long: {len(text):,} characters, the limit is {MAX_QUERY_CHARS:,}"
    syntax = _syntax_only(text)
    depth = nesting_depth(syntax)
    if depth > MAX_DEPTH:
        return f"Query nested too deeply: {depth:,} brackets open at once, the limit is {MAX_DEPTH}"
    if not allow_service and _SERVICE.search(syntax):
        return ("SERVICE is disabled: this endpoint does not send requests to other servers "
                "(kg serve --allow-service enables federated queries)")
    return None


def _accepted(accept: str) -> list[tuple[float, str]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((q, fields[0].lower()))
    return sorted(ranges, key=lambda r: -r[0])


def choose_format(kind: str, accept: str | None, fmt: str | None):
    """(short name, pyoxigraph format) for a result kind, or None if nothing acceptable.

    An explicit ``format`` parameter (short name or media type) wins over Accept, so a
    link or a browser form can pick CSV without setting headers.
    """
    options = RESULT_FORMATS[kind]
    if fmt:
        fmt = fmt.strip().lower()
        for name, types, oxf in options:
            if fmt == name or fmt in types:
                return name, oxf
        return None
    if not accept:
        return options[0][0], options[0][2]
    for q, media in _accepted(accept):
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            prefix = media.split("/")[0]
            for name, types, oxf in options:
                if media == "*/*" or any(t.startswith(prefix + "/") for t in types):
                    return name, oxf
        for name, types, oxf in options:
            if media in types:
                return name, oxf
    return None


def _graph_format(path: Path) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF file extension (use .ttl, .trig, .nt or .nq)")
    return fmt


def prepare_store(graph: str | Path, folder: str | Path) -> dict:
    """Bulk-load a graph file into an on-disk store in ``folder``; describe what was loaded."""
    graph = Path(graph)
    if not graph.is_file():
        raise FileNotFoundError(f"{graph}: no such file")
    fmt = _graph_format(graph)
    store = ox.Store(str(folder))
    try:
        store.bulk_load(path=str(graph), format=fmt)
    except SyntaxError as err:
        from .sparql import GraphFileError
        raise GraphFileError(graph, err) from None
    store.flush()
    info = {
        "file": graph.name,
        "triples": len(store),
        "dataset": fmt.supports_datasets,
        "named_graphs": sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        "default_graph_triples": sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
    }
    del store  # release the write lock before read-only workers open the folder
    return info


def describe_store(path: str | Path, cache: tuple[Path, str] | None = None) -> dict:
    """What :func:`prepare_store` says, for a build's store (``kg serve OUT``): queried where
    it is, read-only, with nothing loaded. Its size is counted (10 s on 13M triples) unless
    the explorer's ``cache`` of this store kept it."""
    from .explorer_cache import read_cached
    from .store import DB, named_graphs, read_only_store, store_folder
    folder = store_folder(path)
    triples = read_cached(*cache, "", "triples") if cache is not None else None
    if triples is None:
        triples = len(read_only_store(folder / DB))
    return {"file": str(path), "triples": triples, "dataset": True,
            "named_graphs": named_graphs(folder), "default_graph_triples": 0,
            "store": str(folder / DB)}


def explorer_cache(graph: str | Path) -> tuple[Path, str] | None:
    """Where the explorer keeps the first view and index of a build's store (next to its
    store folder, :data:`kg.explorer_cache.CACHE_NAME`) and the key of the store there now; None
    when there is no store. Taken before the store is opened, and again after (:func:`_still`)."""
    from .explorer_cache import CACHE_NAME, cache_key
    from .store import MANIFEST, store_folder
    folder = store_folder(graph)
    try:
        return (folder.parent / CACHE_NAME, cache_key(folder / MANIFEST)) if folder is not None else None
    except OSError:                 # the manifest replaced just now: no cache this time
        return None


def _still(cache: tuple[Path, str] | None, graph: str | Path) -> tuple[Path, str] | None:
    """``cache`` if the store at ``graph`` has the same key after it was opened: else a build
    replaced it in between, and the explorer of the opened store gets no cache (the next
    request opens the new store, and its explorer the new store's cache)."""
    return cache if cache is not None and explorer_cache(graph) == cache else None


def graph_iri_problem(param: str, value: str) -> str | None:
    """Why a default-graph-uri or named-graph-uri value is unusable, in one line, or None."""
    try:
        ox.NamedNode(value)
    except ValueError as err:
        return f"{param} {value!r} is not an IRI: {err}"
    return None


def _dataset(info: dict, request: dict) -> dict:
    """store.query keyword arguments for the graphs a request names (or the file's default)."""
    kwargs = {}
    if request.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"]]
    elif info["dataset"]:
        # TriG/N-Quads: the default graph is the union of all graphs in the file
        if info["default_graph_triples"]:
            kwargs["default_graph"] = [ox.DefaultGraph()] + [ox.NamedNode(g) for g in info["named_graphs"]]
        else:
            kwargs["use_default_graph_as_union"] = True
    if request.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"]]
    return kwargs


def execute(store: ox.Store, info: dict, request: dict) -> tuple[int, str, bytes]:
    """Run one query request on a store: (HTTP status, content type, body)."""
    try:
        kwargs = _dataset(info, request)
        result = store.query(request["query"], **kwargs)
    except SyntaxError as err:
        from .sparql import oxigraph_syntax_error      # the line with a caret under the place, and a hint
        return 400, "text/plain; charset=utf-8", f"Malformed query: {oxigraph_syntax_error(request['query'], err)}\n".encode()
    except ValueError as err:  # e.g. an invalid IRI in default-graph-uri
        return 400, "text/plain; charset=utf-8", f"Bad request: {err}\n".encode()
    kind = ("boolean" if isinstance(result, ox.QueryBoolean)
            else "graph" if isinstance(result, ox.QueryTriples) else "solutions")
    chosen = choose_format(kind, request.get("accept"), request.get("format"))
    if chosen is None:
        names = ", ".join(n for n, _, _ in RESULT_FORMATS[kind])
        what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
        return 406, "text/plain; charset=utf-8", f"Not acceptable: {what} results come as {names}\n".encode()
    name, oxf = chosen
    try:
        body = result.serialize(format=oxf)
    except (OSError, SyntaxError, ValueError) as err:  # evaluation errors surface while iterating
        return 500, "text/plain; charset=utf-8", f"Query failed: {err}\n".encode()
    return 200, CONTENT_TYPES[name], body


def _worker_main(folder: str) -> None:
    """Worker loop: one JSON request per stdin line; reply = JSON header line + body bytes."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us itself
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints must not corrupt the reply stream
    info = json.loads((Path(folder) / "info.json").read_text(encoding="utf-8"))
    from .store import read_only_store
    store = read_only_store(info.get("store") or Path(folder) / "store")
    out.write(b"ready\n")
    out.flush()

    def serve_requests() -> None:
        for line in sys.stdin.buffer:
            try:
                status, ctype, body = execute(store, info, json.loads(line))
            except Exception as err:  # keep the worker alive; the client gets a 500
                status, ctype, body = 500, "text/plain; charset=utf-8", f"Query failed: {err}\n".encode()
            out.write(json.dumps([status, ctype, len(body)]).encode() + b"\n" + body)
            out.flush()

    # The parser and evaluator recurse once per nesting level or chained operator: a thread with
    # a big stack (address space, not memory, until used) keeps queries within the limits safe.
    threading.stack_size(WORKER_STACK)
    runner = threading.Thread(target=serve_requests, name="queries")
    runner.start()
    runner.join()


class _Worker:
    """One query process, spoken to over its stdin/stdout."""

    def __init__(self, folder: str, wait: bool = True):
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen([sys.executable, "-m", "kg.serve", "--worker", folder],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        if wait:
            self.started()

    def started(self) -> None:
        """Wait until the process has opened the store (RuntimeError if it does not)."""
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        if not ready or self.process.stdout.readline() != b"ready\n":
            self.stop()
            raise RuntimeError("SPARQL worker process did not start")

    def send(self, request: dict) -> None:
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()

    def wait(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, seconds))
        return bool(ready)

    def receive(self) -> tuple[int, str, bytes]:
        header = self.process.stdout.readline()
        if not header:
            raise EOFError("worker exited")
        status, ctype, length = json.loads(header)
        body = self.process.stdout.read(length)
        if len(body) != length:
            raise EOFError("worker exited mid-reply")
        return status, ctype, body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for f in (self.process.stdin, self.process.stdout):
            try:
                f.close()
            except OSError:
                pass


class _Ticket:
    """A query's place in line: its arrival number, and whether it needs a long-query slot."""

    def __init__(self, number: int):
        self.number = number
        self.needs_long = False  # it overran SHORT_QUERY once with no long slot free
        self.holds_long = False
        self.worker: _Worker | None = None
        self.granted = threading.Event()

    def __lt__(self, other: "_Ticket") -> bool:
        return self.number < other.number


class Busy(Exception):
    """The endpoint is saturated: the client should retry later (503 with Retry-After)."""


class WorkerPool:
    """Query processes shared first come, first served, with one kept for short queries.

    There are ``size + 1`` processes. Any query starts on a free one. A query still running after
    ``short`` seconds becomes long; at most ``size`` long queries run at once, so one process is
    always left for short ones. A query that becomes long while ``size`` others are long is
    stopped and waits, at its place in line, for a long slot; it then runs for its whole time
    limit. A query that cannot start within its time limit, or arrives while ``max_waiting``
    others wait, gets ``Busy``. A query that overruns its time limit has its process killed
    (pyoxigraph cannot interrupt a query from another thread) and replaced.
    """

    def __init__(self, folder: str, size: int, short: float = SHORT_QUERY, max_waiting: int = MAX_WAITING):
        self._folder = folder
        self.size, self.short, self.max_waiting = size, short, max_waiting
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._line: list[_Ticket] = []  # waiting tickets in arrival order
        self._long = 0  # long slots taken
        self._numbers = itertools.count()
        self._closed = False
        self._spawning: list[threading.Thread] = []
        # started together, then waited for: each spends most of a second starting Python
        workers: list[_Worker] = []
        try:
            for _ in range(size + 1):
                workers.append(_Worker(folder, wait=False))
            for worker in workers:
                worker.started()
        except BaseException:
            for worker in workers:
                worker.stop()
            raise
        with self._lock:
            self._all.update(workers)
            self._idle.extend(workers)
            self._dispatch()

    def _add(self) -> None:
        if self._closed:
            return
        try:
            worker = _Worker(self._folder)
        except (OSError, RuntimeError):
            if self._closed:
                return
            raise
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
            self._idle.append(worker)
            self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (the query really stops) and start another in the background."""
        worker.stop()
        with self._lock:
            self._all.discard(worker)
        spawn = threading.Thread(target=self._add, name="respawn", daemon=True)
        with self._lock:
            self._spawning = [t for t in self._spawning if t.is_alive()] + [spawn]
        spawn.start()

    def _dispatch(self) -> None:
        """Give free workers to waiting tickets in arrival order (call with the lock held)."""
        for ticket in list(self._line):
            if not self._idle:
                return
            if ticket.needs_long:
                if self._long >= self.size:
                    continue  # short queries behind it may still go
                self._long += 1
                ticket.holds_long = True
            ticket.worker = self._idle.pop()
            self._line.remove(ticket)
            ticket.granted.set()

    def _acquire(self, ticket: _Ticket, deadline: float) -> _Worker | None:
        with self._lock:
            ticket.granted.clear()
            bisect.insort(self._line, ticket)
            self._dispatch()
        if ticket.granted.wait(max(0.0, deadline - time.monotonic())):
            return ticket.worker
        with self._lock:
            if ticket.granted.is_set():  # granted while the wait ran out
                return ticket.worker
            self._line.remove(ticket)
            self._dispatch()  # a long ticket leaving may free the way for others
            return None

    def _release(self, ticket: _Ticket, worker: _Worker | None) -> None:
        with self._lock:
            if ticket.holds_long:
                ticket.holds_long = False
                self._long -= 1
            if worker is not None and worker in self._all:
                self._idle.append(worker)
            self._dispatch()

    def _make_long(self, ticket: _Ticket) -> bool:
        with self._lock:
            if self._long < self.size:
                self._long += 1
                ticket.holds_long = True
                return True
            return False

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._line)

    def run(self, request: dict, timeout: float) -> tuple[int, str, bytes]:
        """(status, content type, body) of one query; raises Busy when saturated."""
        ticket = _Ticket(next(self._numbers))
        if self.waiting >= self.max_waiting:
            raise Busy(f"{self.max_waiting} queries are already waiting")
        start_by = time.monotonic() + timeout
        while True:
            worker = self._acquire(ticket, start_by)
            if worker is None:
                raise Busy(f"no worker was free for the {timeout:g} s time limit")
            try:
                reply, stopped_short = self._run_on(worker, ticket, request, timeout)
            except (EOFError, OSError, ValueError):
                self._replace(worker)
                self._release(ticket, None)
                return 500, "text/plain; charset=utf-8", b"Query failed: the worker process died\n"
            if reply is not None:
                self._release(ticket, worker)
                return reply
            self._replace(worker)
            self._release(ticket, None)
            if not stopped_short:
                return 503, "text/plain; charset=utf-8", (
                    f"Query timed out: stopped after the {timeout:g} s time limit of this endpoint "
                    f"(kg serve --timeout)\n").encode()
            ticket.needs_long = True  # wait at the same place in line for a long slot

    def _run_on(self, worker: _Worker, ticket: _Ticket, request: dict, timeout: float):
        """(reply or None, whether it was stopped for want of a long slot)."""
        started = time.monotonic()
        worker.send(request)
        if not ticket.holds_long and self.short < timeout:
            if worker.wait(self.short):
                return worker.receive(), False
            if not self._make_long(ticket):
                return None, True
        if worker.wait(started + timeout - time.monotonic()):
            return worker.receive(), False
        return None, False

    def retire(self, timeout: float) -> None:
        """:meth:`close` once the queries already given to this pool are answered (or
        ``timeout`` seconds from now, when they would be stopped anyway)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._line and len(self._idle) == len(self._all):
                    break
            time.sleep(0.05)
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spawning = list(self._spawning)
        for t in spawning:  # a replacement being started must not outlive the store folder
            t.join()
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for w in workers:
            w.stop()


EXAMPLE_QUERY = """PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?supporter ?supported WHERE {
  ?s yj:supports ?o .
  ?s rdfs:label ?supporter . FILTER(lang(?supporter) = "zh")
  ?o rdfs:label ?supported . FILTER(lang(?supported) = "zh")
}
LIMIT 50"""


def page(info: dict, query: str = EXAMPLE_QUERY) -> bytes:
    """The query form: plain HTML, no scripts or external resources; every value escaped."""
    e = html.escape
    options = "".join(f'<option value="{e(n)}">{e(n)}</option>' for n in ("json", "csv", "tsv", "xml", "turtle", "ntriples"))
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>SPARQL · {e(info['file'])}</title>
<style>body{{font:15px sans-serif;margin:2em;max-width:60em}}textarea{{width:100%;font:14px monospace}}</style>
</head><body>
<h1>SPARQL endpoint</h1>
<p>{e(info['file'])}: {info['triples']:,} triples{', default graph = union of its named graphs' if info['dataset'] else ''}.
Read-only; queries stop after {e(f"{info['timeout']:g}")} s.</p>
<form method="post" action="/sparql">
<textarea name="query" rows="14">{e(query)}</textarea>
<p><label>results as <select name="format">{options}</select></label>
<button type="submit">Run</button></p>
</form>
<p>Protocol: <code>GET /sparql?query=…</code> or <code>POST /sparql</code> (form or
<code>application/sparql-query</code>).</p>
</body></html>
""".encode()


def _host_name(value: str) -> str | None:
    """The name part of a Host header value or netloc ("[::1]:80" -> "[::1]"), lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value.partition("]")
        name += "]"
    else:
        name, _, port = value.partition(":")
        rest = ":" + port if port else ""
    if not name or (rest and not re.fullmatch(r":\d{1,5}", rest)):
        return None
    return name


def served_name(host: str) -> str | None:
    """How clients name a bind address in a Host header; None for a wildcard (0.0.0.0, ::)."""
    if host in ("", "0.0.0.0", "::"):
        return None
    return f"[{host.lower()}]" if ":" in host else host.lower()


class RequestGate:
    """Which requests the endpoint answers at all, whatever the route.

    Host must name this server (a web page whose name was re-pointed at 127.0.0.1, DNS
    rebinding, sends its own name); a request from a web page (Origin) must come from the
    endpoint's own pages or the one origin given with --cors.
    """

    def __init__(self, host: str, port: int, allow_hosts=(), cors: str | None = None):
        self.port = port
        self.names = list(dict.fromkeys(n for n in [served_name(host), *LOCAL_NAMES,
                                                    *(served_name(h) for h in allow_hosts)] if n))
        self.cors = cors.rstrip("/").lower() if cors else None

    def _own_origin(self, origin: str, host: str | None) -> bool:
        """A page of this endpoint: a served name, and this port or the very Host the request
        names (behind a reverse proxy that passes Host on, the port is the proxy's)."""
        url = urlsplit(origin.lower())
        if url.scheme not in ("http", "https") or _host_name(url.netloc) not in self.names:
            return False
        try:
            port = url.port or (443 if url.scheme == "https" else 80)
        except ValueError:
            return False
        return port == self.port or url.netloc == (host or "").strip().lower()

    def allowed_origin(self, origin: str | None, host: str | None = None) -> bool:
        if origin is None or self._own_origin(origin, host):
            return True
        return self.cors is not None and (self.cors == "*" or origin.rstrip("/").lower() == self.cors)

    def refusal(self, headers) -> tuple[int, str] | None:
        """(status, one-line message) for a request to refuse, or None."""
        hosts = headers.get_all("Host") or []
        if len(hosts) != 1:
            return 400, "Bad request: give exactly one Host header"
        if _host_name(hosts[0]) not in self.names:
            return 421, (f"Misdirected request: Host {hosts[0]!r} is not served here; this endpoint "
                         f"answers to {', '.join(self.names)} (kg serve --allow-host NAME adds one)")
        origin = headers.get("Origin")
        if not self.allowed_origin(origin, hosts[0]):
            return 403, (f"Forbidden: requests from web pages at {origin!r} are refused "
                         f"(kg serve --cors ORIGIN allows one origin)")
        return None

    def cors_headers(self, headers) -> dict:
        """Access-Control-* headers for a request from the --cors origin (none otherwise)."""
        origin = headers.get("Origin") if headers is not None else None
        host = headers.get("Host") if headers is not None else None
        if self.cors is None or origin is None or self._own_origin(origin, host) or not self.allowed_origin(origin):
            return {}
        return {"Access-Control-Allow-Origin": "*" if self.cors == "*" else origin, "Vary": "Origin"}


def _ended_early(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "client too slow, connection closed"
    return f"client went away ({type(err).__name__})"


class _Handler(BaseHTTPRequestHandler):
    server: "SparqlServer"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # a silent client cannot hold a thread forever
        super().setup()

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        if not self.server.quiet:
            super().log_message(format, *args)

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError) as err:  # one line, not a traceback
            self.close_connection = True
            self.log_message("%s", _ended_early(err))

    def parse_request(self) -> bool:
        """The one gate every request passes before any route: Host and Origin checks."""
        if not super().parse_request():
            return False
        refusal = self.server.gate.refusal(self.headers)
        if refusal:
            self.close_connection = True  # an unread request body may follow
            self._text(*refusal)
            return False
        return True

    def end_headers(self) -> None:
        for k, v in self.server.gate.cors_headers(getattr(self, "headers", None)).items():
            self.send_header(k, v)
        super().end_headers()

    def do_OPTIONS(self) -> None:  # CORS preflight; the gate has already checked the Origin
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        if self.server.gate.cors_headers(self.headers):
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
            self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()

    def _send(self, status: int, ctype: str, body: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        # results can hold any text from the articles: never let a browser sniff it as HTML
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode(), extra)

    def do_GET(self) -> None:
        self.server.refresh()
        url = urlsplit(self.path)
        if self.server.explorer.handle(self, url.path, url.query):   # /, /query, /api/… (kg.explorer)
            return
        if url.path != "/sparql":
            return self._text(404, f"Not found: {url.path} (the endpoint is /sparql, the explorer /)")
        params = parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            return self._refuse_update()
        if "query" not in params:
            return self._send(200, "text/html; charset=utf-8", page(self.server.info))
        self._query(params)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self.server.refresh()
        url = urlsplit(self.path)
        if url.path not in ("/", "/sparql"):
            return self._text(404, f"Not found: {url.path} (the endpoint is /sparql)")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return self._text(400, "Bad request: invalid Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            return self._text(413, f"Request too large: queries are limited to {MAX_BODY:,} bytes")
        try:
            body = self._read_body(length)
        except TimeoutError:
            self.close_connection = True
            return self._text(408, f"Request timeout: the body did not arrive within {self.server.body_seconds:g} s")
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._refuse_update()
        if ctype == "application/sparql-query":
            params["query"] = [body.decode("utf-8", errors="replace")]
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        else:
            return self._text(415, "Unsupported Content-Type: send application/x-www-form-urlencoded "
                                   "or application/sparql-query")
        if "update" in params:
            return self._refuse_update()
        if "query" not in params:
            return self._text(400, "Bad request: no query parameter")
        self._query(params)

    def _read_body(self, length: int) -> bytes:
        """The request body, or TimeoutError if it comes too slowly (a half-sent body)."""
        deadline = time.monotonic() + self.server.body_seconds
        chunks, left = [], length
        while left > 0:
            if time.monotonic() > deadline:
                raise TimeoutError("request body too slow")
            chunk = self.rfile.read1(min(left, 1 << 16))
            if not chunk:
                raise ConnectionAbortedError("closed mid-body")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def do_PUT(self) -> None:
        self._refuse_update()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_update(self) -> None:
        self.close_connection = True  # an unread request body may follow
        self._text(403, "Forbidden: this endpoint is read-only; SPARQL Update and graph writes are refused",
                   {"Allow": "GET, HEAD, POST"})

    def _query(self, params: dict[str, list[str]]) -> None:
        if len(params["query"]) != 1:
            return self._text(400, "Bad request: give exactly one query parameter")
        text = params["query"][0]
        if is_update(text):
            return self._refuse_update()
        reason = refuse_query(text, self.server.allow_service)
        if reason:
            return self._text(400, reason)
        for param in ("default-graph-uri", "named-graph-uri"):
            for value in params.get(param, []):
                problem = graph_iri_problem(param, value)
                if problem:
                    return self._text(400, f"Bad request: {problem}")
        request = {
            "query": text,
            "accept": self.headers.get("Accept"),
            "format": (params.get("format") or [None])[0],
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        try:
            self._send(*self.server.pool.run(request, self.server.query_timeout))
        except Busy as err:
            wait = self.server.retry_after
            self._text(503, f"Busy: {err}; try again in {wait} s", {"Retry-After": str(wait)})


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, graph: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 timeout: float = DEFAULT_TIMEOUT, workers: int = 2, quiet: bool = False,
                 warm: bool = False, allow_service: bool = False, cors: str | None = None, allow_hosts=()):
        if timeout <= 0:
            raise ValueError("--timeout must be positive")
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.allow_service = allow_service
        self.read_timeout, self.body_seconds = READ_TIMEOUT, BODY_SECONDS
        self.retry_after = max(1, math.ceil(min(timeout, 30)))
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        # the explorer's modules (networkx, rdflib: most of a second) load while the query
        # workers start
        loading = threading.Thread(target=importlib.import_module, args=("kg.explorer",), daemon=True)
        loading.start()
        self._folder = tempfile.mkdtemp(prefix="kg-serve-")
        self._graph, self._warm = graph, warm
        self._reopening = threading.Lock()
        self._retired: list[WorkerPool] = []    # pools of stores a build replaced
        try:
            from .store import generation, is_store
            # a build's store is served where it is, and reopened when a build replaces it
            self._generation = generation(graph) if is_store(graph) else None
            cache = explorer_cache(graph) if self._generation else None     # (before the store opens)
            self.info = (describe_store(graph, cache) if self._generation
                         else prepare_store(graph, Path(self._folder) / "store"))
            self.info["timeout"] = timeout
            (Path(self._folder) / "info.json").write_text(json.dumps(self.info), encoding="utf-8")
            self.query_timeout, self.quiet = timeout, quiet
            self.pool = WorkerPool(self._folder, max(1, workers))
            loading.join()
            from .explorer import Explorer
            from .store import read_only_store
            store = read_only_store(self.info.get("store") or Path(self._folder) / "store")
            self.explorer = Explorer(store, dataset=self.info["dataset"], warm=warm, triples=self.info["triples"],
                                     cache=_still(cache, graph))
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        try:
            super().__init__((host, port), _Handler)
        except BaseException:
            self.pool.close()
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        self.gate = RequestGate(host, self.server_address[1], allow_hosts, cors)

    def refresh(self) -> None:
        """Serve the store a build has put in place of the one being served (``kg serve
        OUT`` while ``kg build --out OUT`` runs): new workers and a new explorer open it,
        requests go to them, and the old workers stop once their queries are answered.
        Until the new store is in place and opens, the old one keeps answering."""
        from .store import StoreError, generation
        if self._generation is None or generation(self._graph) in (None, self._generation):
            return
        with self._reopening:
            now = generation(self._graph)
            if now in (None, self._generation):
                return
            pool = None
            try:
                cache = explorer_cache(self._graph)
                info = {**describe_store(self._graph, cache), "timeout": self.query_timeout}
                (Path(self._folder) / "info.json").write_text(json.dumps(info), encoding="utf-8")
                pool = WorkerPool(self._folder, self.pool.size)
                from .explorer import Explorer
                from .store import read_only_store
                store = read_only_store(info["store"])
                explorer = Explorer(store, dataset=True, warm=self._warm, triples=info["triples"],
                                    cache=_still(cache, self._graph))
            except (OSError, RuntimeError, StoreError):
                if pool is not None:        # a commit half done: the next request tries again
                    pool.close()
                return
            old, self.pool = self.pool, pool
            self.info, self.explorer, self._generation = info, explorer, now
            self._retired.append(old)
            threading.Thread(target=old.retire, args=(self.query_timeout,), name="retire", daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{served_name(host) or host}:{port}/sparql"

    def process_request(self, request, client_address) -> None:
        if not self._connections.acquire(blocking=False):  # every thread busy: refuse at once
            body = b"Busy: too many open connections\n"
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                b"Retry-After: %d\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
                                % (self.retry_after, len(body), body))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request, client_address) -> None:
        err = sys.exc_info()[1]
        if isinstance(err, (ConnectionError, TimeoutError)):
            if not self.quiet:
                print(f"{client_address[0]} - {_ended_early(err)}", file=sys.stderr)
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        for pool in (*self._retired, self.pool):
            pool.close()
        writer = self.explorer.cache_writer     # a cache file being written is finished (1-2 s)
        if writer is not None:
            writer.join(CACHE_WRITE_WAIT)
        shutil.rmtree(self._folder, ignore_errors=True)


def serve(graph: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, workers: int = 2, allow_service: bool = False,
          cors: str | None = None, allow_hosts=()) -> None:
    server = SparqlServer(graph, host, port, timeout, workers, warm=True, allow_service=allow_service,
                          cors=cors, allow_hosts=allow_hosts)

    def stop(signum, frame):
        raise KeyboardInterrupt  # SIGTERM (kill, systemd, docker) cleans up like Ctrl-C
    import signal
    signal.signal(signal.SIGTERM, stop)
    home = server.url[:-len("/sparql")]
    try:  # a SIGTERM right after the line below still cleans up
        print(f"SPARQL endpoint {server.url} ({server.info['triples']:,} triples from "
              f"{server.info['file']}); explorer {home}/, queries {home}/query; Ctrl-C stops", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker_main(sys.argv[2])
    else:
        sys.exit("kg.serve is started by `kg serve GRAPH`")
