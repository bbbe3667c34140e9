"""The ``kg`` command: a thin layer over the Python API in :mod:`kg.pipeline`."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 3


def _build(args) -> int:
    from .pipeline import build
    if args.jobs < 1:
        print("kg build: --jobs must be at least 1", file=sys.stderr)
        return EXIT_FAILED
    cache = None if args.no_cache else (args.cache or Path(args.out) / ".cache")
    max_nodes = _html_bound(args.html_max_nodes)
    result = build(args.paths or None, out=args.out, base=args.base, strict=args.strict,
                   encoding=args.encoding, jsonld=args.jsonld, jobs=args.jobs, scheduler=args.scheduler,
                   cache=cache, progress=False if args.quiet else None, html_max_nodes=max_nodes,
                   keep_graph=False, min_confidence=args.min_confidence, formats=args.format)
    for problem in result.graph.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(result.summary())
    for path in result.outputs:
        print(f"wrote {path}")
    _say_what_html_left_out(result, max_nodes)
    if not result.counts["documents"]:
        print("kg build: no article could be read; nothing written", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_PARTIAL if result.graph.problems else EXIT_OK


def _confidence(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a confidence is between 0 and 1")
    return value


def _html_bound(value: int | None) -> int | None:
    """--html-max-nodes / --max-nodes: absent -> the page's default bound, 0 -> no bound."""
    if value is None:
        from .html import DEFAULT_MAX_NODES
        return DEFAULT_MAX_NODES
    if value < 0:
        raise ValueError("the node bound must be 0 (no bound) or more")
    return value or None


def _say_what_html_left_out(result, max_nodes: int | None) -> None:
    if max_nodes is None or result.counts["entities"] <= max_nodes or \
            not any(p.name == "graph.html" for p in result.outputs):
        return
    from .html import select_entities
    print(f"graph.html: {select_entities(result.index, max_nodes).summary()}")


def _validate(args) -> int:
    from .validate import validate
    ok, report = validate(args.graph)
    print(report)
    return EXIT_OK if ok else EXIT_FAILED


GOLD_HELP = ("kg eval: --gold DIR is needed: a folder of gold annotations, one JSON file per "
             "article (doc, entities, relations, metrics; format in docs/development.md); the "
             "bundled seeds' gold is tests/gold: kg eval out/graph.ttl --gold tests/gold")


def _eval(args) -> int:
    from .evaluate import evaluate
    if args.gold is None:
        print(GOLD_HELP, file=sys.stderr)
        return EXIT_FAILED
    report = evaluate(args.graph, args.gold)
    print(report.table(errors=args.errors))
    return EXIT_OK


def _view(args) -> int:
    from .html import select_entities, write_html
    from .sparql import load_graph
    from .store import is_store, store_folder, term_index
    max_nodes = _html_bound(args.max_nodes)
    src = Path(args.graph)
    if is_store(src):                   # an output or store folder: the page of the store
        g = term_index(src)
        src = store_folder(src).parent / "graph"
    else:
        g = load_graph(src)             # TriG and N-Quads as the union of their graphs
    out = Path(args.out) if args.out else src.with_suffix(".html")
    write_html(g, out, max_nodes=max_nodes)
    print(f"wrote {out}")
    selection = select_entities(g, max_nodes)
    if selection.left_out:
        print(f"{out.name}: {selection.summary()}")
    if args.open:
        import webbrowser
        webbrowser.open(out.resolve().as_uri())
    return EXIT_OK


def _serve(args) -> int:
    from .serve import serve
    serve(args.graph, host=args.host, port=args.port, timeout=args.timeout, workers=args.workers,
          allow_service=args.allow_service, cors=args.cors, allow_hosts=args.allow_host)
    return EXIT_OK


def _load(args) -> int:
    import os
    from .load import load
    password = args.password if args.password is not None else os.environ.get("KG_LOAD_PASSWORD")
    for r in load(args.graph, args.endpoint, graph=args.named_graph, user=args.user, password=password,
                  replace=not args.append, chunk_triples=args.chunk_triples,
                  query_endpoint=args.query_endpoint):
        print(f"loaded <{r.graph}>: {r.sent:,} triples in {r.chunks} chunk(s), {r.seconds:.1f} s; "
              f"the store now counts {r.after:,}")
    return EXIT_OK


def _export(args) -> int:
    from .files import atomic_path
    from .pipeline import parse_formats
    from .store import export
    fmt = parse_formats(args.format)
    fmt = [f for f in fmt if f != "ttl"] or ["ttl"]
    if len(fmt) != 1:
        raise ValueError("--format: one format at a time (ttl, nt, trig or jsonld)")
    if args.output in (None, "-"):
        export(args.store, fmt[0], sys.stdout.buffer)
        sys.stdout.flush()
    else:
        with atomic_path(args.output) as tmp, open(tmp, "wb") as fh:
            export(args.store, fmt[0], fh)
        print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _query(args) -> int:
    from .sparql import read_query, render, run_query
    result = run_query(args.graph, read_query(args.query), engine=args.engine)
    sys.stdout.write(render(result, args.format, max_width=args.max_width))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kg", description="Build a knowledge graph of paired assistance to Xinjiang.")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="read articles into the store OUT/store; write graph.ttl, graph.html, merges.json")
    b.add_argument("paths", nargs="*", help="files or folders of articles (default: the bundled seeds/)")
    b.add_argument("--out", default="out", help="output folder (default: out/)")
    b.add_argument("--base", default="https://w3id.org/yuanjiang-kg/", help="base IRI of the data")
    b.add_argument("--strict", action="store_true", help="stop at the first bad file")
    b.add_argument("--format", metavar="LIST",
                   help="also write these beside graph.ttl: nt, trig, jsonld, comma-separated, or all")
    b.add_argument("--jsonld", action="store_true", help="also write graph.jsonld (as --format jsonld)")
    b.add_argument("--html-max-nodes", type=int, metavar="N",
                   help="graph.html shows only the N most connected entities (default 5000; 0: all)")
    b.add_argument("--encoding", help="read every file with this codec (e.g. gb18030, big5) instead of detecting it")
    b.add_argument("--jobs", "-j", type=int, default=1, help="local processes for the per-document stages; with 2 or more, graph.ttl and graph.trig are also written while the page is drawn (default 1)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the per-document stages on this Dask distributed scheduler (tcp://host:8786); "
                        "needs the dask extra: pip install -e '.[dask]'")
    b.add_argument("--cache", metavar="DIR", help="per-document cache folder (default: OUT/.cache)")
    b.add_argument("--no-cache", action="store_true", help="neither read nor write the per-document cache")
    b.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    b.add_argument("--min-confidence", type=_confidence, default=None, metavar="P",
                   help="relations and figure subjects below this calibrated confidence are kept in the "
                        "candidates graph, not asserted (0 to 1; default chosen by benchmarks/quality.py)")
    b.set_defaults(func=_build)

    # kg train --docs DIR --gold DIR …: its options are kg.train's own (see main below)
    sub.add_parser("train", help="train the learned decisions on annotated articles (needs .[train])", add_help=False)

    x = sub.add_parser("export", help="write the graph of a build's store in another format")
    x.add_argument("store", help="output folder of kg build (or its store/ folder)")
    x.add_argument("--format", default="ttl", help="ttl (default), nt, trig or jsonld")
    x.add_argument("-o", "--output", help="file to write (default: standard output)")
    x.set_defaults(func=_export)

    v = sub.add_parser("validate", help="check a graph against the SHACL shapes")
    v.add_argument("graph", help="output folder of kg build, its store/ folder, or a graph file")
    v.set_defaults(func=_validate)

    e = sub.add_parser("eval", help="score a graph against gold annotations (the format of tests/gold)")
    e.add_argument("graph")
    e.add_argument("--gold", metavar="DIR",
                   help="folder of gold JSON files, one per article (the seeds' gold: tests/gold)")
    e.add_argument("--errors", action="store_true", help="list misses and false alarms")
    e.set_defaults(func=_eval)

    w = sub.add_parser("view", help="render HTML from a build's store or a Turtle/TriG file")
    w.add_argument("graph", help="output folder of kg build, its store/ folder, or a graph file")
    w.add_argument("--out")
    w.add_argument("--open", action="store_true", help="open it in the default browser")
    w.add_argument("--max-nodes", type=int, metavar="N",
                   help="show only the N most connected entities (default 5000; 0: all)")
    w.set_defaults(func=_view)

    sv = sub.add_parser("serve", help="a read-only SPARQL 1.1 Protocol endpoint over a graph file")
    sv.add_argument("graph", help="output folder of kg build (its store), or .ttl, .nt, .trig, .nq "
                                  "(store, TriG: default graph = union of its graphs)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    sv.add_argument("--timeout", type=float, default=30.0, help="per-query time limit in seconds (default: 30)")
    sv.add_argument("--workers", type=int, default=2,
                    help="long queries run at the same time, plus one process kept for short ones (default: 2)")
    sv.add_argument("--allow-service", action="store_true",
                    help="let queries use SERVICE, which makes this server send requests to any address a query names")
    sv.add_argument("--cors", metavar="ORIGIN",
                    help="let web pages at ORIGIN (https://example.org, or *) call the endpoint (default: none)")
    sv.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                    help="also answer requests whose Host is NAME (default: --host, localhost, 127.0.0.1, [::1])")
    sv.set_defaults(func=_serve)

    ld = sub.add_parser("load", help="push a graph into a triple store (SPARQL 1.1 Graph Store Protocol)")
    ld.add_argument("graph", help="output folder of kg build (its store), or .ttl, .nt, .trig, .nq")
    ld.add_argument("--endpoint", required=True,
                    help="Graph Store URL, e.g. http://localhost:8890/sparql-graph-crud-auth (Virtuoso)")
    ld.add_argument("--graph", dest="named_graph",
                    help="target graph IRI (required for Turtle/N-Triples; TriG: one graph for everything)")
    ld.add_argument("--user")
    ld.add_argument("--password", help="or set KG_LOAD_PASSWORD (keeps it out of the process list)")
    mode = ld.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", default=True, help="replace the graph (default)")
    mode.add_argument("--append", action="store_true", help="add to what the graph already holds")
    ld.add_argument("--chunk-triples", type=int, default=50_000, help="triples per request (default: 50,000)")
    ld.add_argument("--query-endpoint",
                    help="SPARQL endpoint for the count check (default: derived for Virtuoso, Fuseki, GraphDB, Oxigraph)")
    ld.set_defaults(func=_load)

    q = sub.add_parser("query", help="run SPARQL over a graph file (.ttl, .nt, .trig, .jsonld)")
    q.add_argument("graph", help="output folder of kg build or its store/ folder (no parse), or a graph "
                                 "file; for a store or TriG the default graph is the union of the named graphs")
    q.add_argument("query", help="a .rq file (see queries/) or the query text")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table",
                   help="SELECT output: aligned table (default) or SPARQL 1.1 CSV/TSV/JSON results")
    q.add_argument("--engine", choices=["oxigraph", "rdflib"],
                   help="SPARQL engine (default: pyoxigraph, rdflib when pyoxigraph is missing)")
    q.add_argument("--max-width", type=int, default=60, metavar="N",
                   help="clip table cells to N columns (0: never)")
    q.set_defaults(func=_query)

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:
        from .train import main as train
        return train(argv[1:])
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (kg build | head): stop quietly, as other commands do, and
        # keep Python from complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as err:  # a readable message instead of a traceback
        if os.environ.get("KG_TRACEBACK"):
            raise
        print(f"kg {args.command}: {error_message(err)}", file=sys.stderr)
        return EXIT_FAILED


def error_message(err: Exception) -> str:
    """What the user reads for ``err``: its own message for the errors this package raises
    on bad input (they name the file), the file, line and column of a parser's SyntaxError,
    and for anything unforeseen the kind of error and how to see the traceback."""
    from .sparql import GraphFileError, QuerySyntaxError
    if isinstance(err, SyntaxError) and not isinstance(err, QuerySyntaxError):
        return str(GraphFileError(err.filename or "<input>", err))
    if isinstance(err, (OSError, ValueError, ImportError)):
        text = str(err) or type(err).__name__
        if isinstance(err, OSError) and err.filename and str(err.filename) not in text:
            text = f"{err.filename}: {err.strerror or text}"
        return text
    return (f"unexpected {type(err).__name__}: {err} (a bug: set KG_TRACEBACK=1 to see where, "
            "and please report it)")


if __name__ == "__main__":
    sys.exit(main())
