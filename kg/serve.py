"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over one graph file.

The graph is bulk-loaded once into an on-disk pyoxigraph store in a temporary folder.
Queries run in worker processes that open that store read-only, so a query that runs
past its time limit is stopped by killing its worker (pyoxigraph cannot interrupt a
query from another thread) and a fresh worker reopens the store in milliseconds.
"""
from __future__ import annotations

import html
import json
import os
import queue
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from .explorer import Explorer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20  # a query is text; anything larger is a mistake or abuse

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

_TOKENS = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*""")
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.I)
_UPDATE_START = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


def is_update(text: str) -> bool:
    """True if the text is SPARQL Update rather than a query (comments ignored)."""
    stripped = _TOKENS.sub(lambda m: " " if m.group().startswith("#") else m.group(), text)
    return bool(_UPDATE_START.match(stripped, _PROLOGUE.match(stripped).end()))


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


def execute(store: ox.Store, info: dict, request: dict) -> tuple[int, str, bytes]:
    """Run one query request on a store: (HTTP status, content type, body)."""
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
    try:
        result = store.query(request["query"], **kwargs)
    except SyntaxError as err:
        return 400, "text/plain; charset=utf-8", f"Malformed query: {err}\n".encode()
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
    store = ox.Store.read_only(str(Path(folder) / "store"))
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        try:
            status, ctype, body = execute(store, info, json.loads(line))
        except Exception as err:  # keep the worker alive; the client gets a 500
            status, ctype, body = 500, "text/plain; charset=utf-8", f"Query failed: {err}\n".encode()
        out.write(json.dumps([status, ctype, len(body)]).encode() + b"\n" + body)
        out.flush()


class _Worker:
    """One query process, spoken to over its stdin/stdout."""

    def __init__(self, folder: str):
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen([sys.executable, "-m", "kg.serve", "--worker", folder],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
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


class WorkerPool:
    """Query workers; a worker that overruns the deadline is killed and replaced."""

    def __init__(self, folder: str, size: int):
        self._folder = folder
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._folder)
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def run(self, request: dict, timeout: float) -> tuple[int, str, bytes]:
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return 503, "text/plain; charset=utf-8", (
                f"Query not started: all workers stayed busy for the {timeout:g} s time limit\n").encode()
        try:
            worker.send(request)
            if worker.wait(deadline - time.monotonic()):
                reply = worker.receive()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError, ValueError):
            self._discard(worker)
            self._add()
            return 500, "text/plain; charset=utf-8", b"Query failed: the worker process died\n"
        self._discard(worker)  # kills the process: the query really stops
        self._add()
        return 503, "text/plain; charset=utf-8", (
            f"Query timed out: stopped after the {timeout:g} s time limit of this endpoint "
            f"(kg serve --timeout)\n").encode()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
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


class _Handler(BaseHTTPRequestHandler):
    server: "SparqlServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        if not self.server.quiet:
            super().log_message(format, *args)

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
        body = self.rfile.read(length) if length > 0 else b""
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
        request = {
            "query": text,
            "accept": self.headers.get("Accept"),
            "format": (params.get("format") or [None])[0],
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        self._send(*self.server.pool.run(request, self.server.query_timeout))


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, graph: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 timeout: float = DEFAULT_TIMEOUT, workers: int = 2, quiet: bool = False,
                 warm: bool = False):
        if timeout <= 0:
            raise ValueError("--timeout must be positive")
        self._folder = tempfile.mkdtemp(prefix="kg-serve-")
        try:
            self.info = prepare_store(graph, Path(self._folder) / "store")
            self.info["timeout"] = timeout
            (Path(self._folder) / "info.json").write_text(json.dumps(self.info), encoding="utf-8")
            self.query_timeout, self.quiet = timeout, quiet
            self.pool = WorkerPool(self._folder, max(1, workers))
            self.explorer = Explorer(ox.Store.read_only(self.info.get("store") or str(Path(self._folder) / "store")),
                                     dataset=self.info["dataset"], warm=warm)
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        try:
            super().__init__((host, port), _Handler)
        except BaseException:
            self.pool.close()
            shutil.rmtree(self._folder, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def serve(graph: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, workers: int = 2) -> None:
    server = SparqlServer(graph, host, port, timeout, workers, warm=True)

    def stop(signum, frame):
        raise KeyboardInterrupt  # SIGTERM (kill, systemd, docker) cleans up like Ctrl-C
    import signal
    signal.signal(signal.SIGTERM, stop)
    home = server.url[:-len("/sparql")]
    print(f"SPARQL endpoint {server.url} ({server.info['triples']:,} triples from "
          f"{server.info['file']}); explorer {home}/, queries {home}/query; Ctrl-C stops", flush=True)
    try:
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
