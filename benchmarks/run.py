"""Benchmark suite: stage throughput, ratio to plain jieba, Turtle writing, parallel and
incremental builds, on the deterministic corpus of ``benchmarks/generate.py``.

    python benchmarks/run.py                      # sizes 100, 1000, 10000
    python benchmarks/run.py --quick              # 100 and 1000 articles, fewer repeats
    python benchmarks/run.py --sizes 100,1000 --repeats 5

Every measurement runs in a fresh child process (so peak memory is that of the work
measured, and caches of one run do not help the next). Prints a table and writes
``benchmarks/results/bench.json``. Times are wall-clock medians over the repeats; the
ratio to jieba is taken inside the same child, on the same text, so a busy machine
slows both sides alike.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
STAGES = ("read", "clean", "mentions", "resolve", "relations+metrics", "to_quads", "rdf_files", "html")
ONE_MILLION = 1_000_000


# ------------------------------------------------------------------ children

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_stages(corpus: str) -> dict:
    """Each stage once over the corpus, plus plain jieba.lcut over the same raw text."""
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    from kg import export
    from kg.clean import clean
    from kg.graph import TermIndex, to_quads
    from kg.html import render_html
    from kg.mentions import _segmenter, find_mentions
    from kg.metrics import extract_metrics
    from kg.model import KnowledgeGraph
    from kg.pipeline import (BuildResult, collect_files, document_actors, fewer_collections, graph_counts,
                             unique_ids, write_generation)
    from kg.store import build_lock
    from kg.read import read_document
    from kg.relations import extract_relations
    from kg.resolve import resolve

    files, _ = collect_files([corpus])
    t = {}
    fewer = fewer_collections()          # the garbage collector as kg build runs it
    fewer.__enter__()

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        t[name] = time.perf_counter() - start
        return value

    docs = timed("read", lambda: unique_ids([read_document(f) for f in files]))
    raw = [d.raw for d in docs]
    # the floor: jieba's own dictionary, no extra words, default (HMM) mode
    timed("jieba", lambda: [jieba.lcut(text) for text in raw])
    _segmenter()                      # our dictionary load is start-up, not per-corpus work
    docs = timed("clean", lambda: [clean(d) for d in docs])
    processed = timed("mentions", lambda: [(d, find_mentions(d)) for d in docs])
    entities, merges, pairings = timed("resolve", lambda: resolve(processed))

    def relations_metrics():
        relations = extract_relations(processed, entities, pairings)
        return relations, extract_metrics(processed, entities, document_actors(processed, entities, pairings))

    relations, metrics = timed("relations+metrics", relations_metrics)
    kg = KnowledgeGraph(documents=docs, entities=entities, relations=relations, metrics=metrics, merges=merges)
    quads = timed("to_quads", lambda: to_quads(kg))
    # what kg build writes: the store, its Turtle blocks and graph.ttl, the union of the
    # lines (kept here as graph.nt; the build makes it for the page and its count anyway),
    # then the page drawn from an index of that union
    with tempfile.TemporaryDirectory() as tmp:
        result = BuildResult(kg, quads, counts=graph_counts(kg))

        def store_and_files():
            with build_lock(tmp):
                write_generation(result, Path(tmp), formats=("ttl", "nt"), html=False)
        timed("rdf_files", store_and_files)
        ttl_bytes = (Path(tmp) / "graph.ttl").stat().st_size

        def page():
            with open(Path(tmp) / "graph.nt", encoding="utf-8") as nt:
                return render_html(TermIndex(nt))
        timed("html", page)
    triples = set().union(*quads.values())
    start = time.perf_counter()
    export.turtle_of_lines(triples)
    t["turtle"] = time.perf_counter() - start          # graph.ttl alone, for the pyoxigraph ratio
    out = {"articles": len(docs), "chars": sum(map(len, raw)), "seconds": t, "triples": len(triples),
           "turtle_bytes": ttl_bytes, "entities": len(entities), "relations": len(relations),
           "metrics": len(metrics), "peak_mb": _peak_mb()}
    out["oxigraph_turtle"] = _oxigraph_serialize(triples)
    if len(triples) >= ONE_MILLION:
        out["million"] = _million(triples)
        out["million"]["blocks"] = _million_blocks(quads)
    return out


def _to_oxigraph(lines):
    import pyoxigraph as ox

    from kg.graph import ntriples_lines
    return [q.triple for q in ox.parse(ntriples_lines(lines).encode(), format=ox.RdfFormat.N_TRIPLES)]


def _oxigraph_serialize(rdf) -> float:
    """pyoxigraph's own Turtle serializer over the same triples (conversion not timed)."""
    import pyoxigraph as ox
    triples = _to_oxigraph(rdf)
    start = time.perf_counter()
    ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    return time.perf_counter() - start


def _million(triples: set) -> dict:
    """Writing exactly 1,000,000 of the build's triples as Turtle, the way kg build does."""
    from itertools import islice

    from kg import export
    subset = set(islice(triples, ONE_MILLION))
    del triples
    start = time.perf_counter()
    data = export.turtle_of_lines(subset)
    took = time.perf_counter() - start
    return {"triples": len(subset), "seconds": took, "bytes": len(data), "oxigraph_seconds": _oxigraph_serialize(subset)}


def _million_blocks(quads, repeats: int = 5) -> dict:
    """Graphs of the build, in order, until a million triples, as Turtle blocks: how
    kg build makes graph.ttl now (each graph's block once, then the prefix lines and the
    blocks written to one file), against handing the same lines to pyoxigraph's parser and
    writer (how the blocks were made before), in the same process; wall and CPU time,
    medians of ``repeats`` (this machine is shared: single runs move with the load)."""
    from kg.export import _graph_bytes
    from kg.store import prefix_header, turtle_block
    raws, count = [], 0
    for name in quads:
        raws.append(_graph_bytes(quads, name))
        count += quads.size(name)
        if count >= ONE_MILLION:
            break
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            start, cpu = time.perf_counter(), time.process_time()
            blocks = [turtle_block(raw) for raw in raws]
            with open(Path(tmp, "graph.ttl"), "wb") as ttl:
                ttl.write(prefix_header())
                for block in blocks:
                    ttl.write(block)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            size = sum(map(len, blocks))
            del blocks
    found = {"triples": count, "seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus),
             "runs_seconds": walls, "runs_cpu_seconds": cpus, "bytes": size}
    start, cpu = time.perf_counter(), time.process_time()
    for raw in raws:
        _pyoxigraph_block(raw)
    found.update(pyoxigraph_seconds=time.perf_counter() - start, pyoxigraph_cpu_seconds=time.process_time() - cpu)
    return found


def _pyoxigraph_block(raw: bytes) -> bytes:
    import pyoxigraph as ox

    from kg.export import PREFIXES, _statements
    return ox.serialize(ox.parse(_statements(raw, b" .\n"), format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def child_build(corpus: str, jobs: int, cache: str | None, out: str | None = None) -> dict:
    """A whole ``kg build`` (the store, the default outputs and the page) into ``out`` (a
    temporary folder if not given; an existing store there is updated, as kg build does),
    the way the command runs it: the extracted graph is let go once its triples are made."""
    import kg
    with tempfile.TemporaryDirectory() as tmp:
        out = out or tmp
        start, cpu = time.perf_counter(), _cpu_seconds()
        result = kg.build([corpus], out=out, jobs=jobs, cache=cache, progress=False, keep_graph=False)
        took, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        sizes = {p.name: p.stat().st_size for p in result.outputs}
        sizes["store"] = sum(p.stat().st_size for p in Path(out, "store").rglob("*") if p.is_file())
        with open(Path(out, "graph.ttl"), "rb") as ttl:      # a piece at a time: the peak is measured
            digest = hashlib.file_digest(ttl, "sha256").hexdigest()
    c = result.counts
    return {"seconds": took, "cpu_seconds": cpu, "articles": c["documents"], "entities": c["entities"],
            "triples": result.triple_count, "chars": c["characters"], "bytes": sizes, "peak_mb_main": _peak_mb(),
            "graph_sha256": digest, "graphs_replaced": c.get("graphs_replaced")}


def child_build_vs_jieba(corpus: str, jobs: int) -> dict:
    """A whole ``kg build`` (default outputs, empty output folder, no cache) and then plain
    ``jieba.lcut`` over the same raw text in the same process: wall and CPU (the build's
    children included) of each, and their ratios."""
    import jieba
    jieba.setLogLevel(60)
    found = child_build(corpus, jobs, None)
    jieba.initialize()
    from kg.pipeline import collect_files
    from kg.read import read_document
    raw = [read_document(f).raw for f in collect_files([corpus])[0]]
    start, cpu = time.perf_counter(), _cpu_seconds()
    for text in raw:
        jieba.lcut(text)
    found.update(jieba_seconds=time.perf_counter() - start, jieba_cpu_seconds=_cpu_seconds() - cpu)
    found.update(ratio=found["seconds"] / found["jieba_seconds"], ratio_cpu=found["cpu_seconds"] / found["jieba_cpu_seconds"])
    return found


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the store loader, GNU sort,
    --jobs workers): on a shared machine the wall time follows the load, this much less."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_dump(out: str, nquads: str) -> dict:
    """The store of a build as one N-Quads file: what the loader of a first build reads."""
    from kg.store import open_store
    start = time.perf_counter()
    open_store(out).dump(nquads, format=__import__("pyoxigraph").RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - start, "bytes": Path(nquads).stat().st_size}


def child_load(nquads: str, db: str, piece_bytes: int) -> dict:
    """The store loader's work on ``nquads`` (a copy: the loader removes it), with pieces of
    ``piece_bytes`` (0: the whole file in one bulk_load, as before pieces)."""
    from kg.store import load_task
    copy = Path(db + ".nq")
    shutil.copyfile(nquads, copy)
    start = time.perf_counter()
    load_task({"db": db, "checkpoint_of": None, "remove": [], "graphs": [], "nquads": str(copy),
               "piece_bytes": piece_bytes})
    return {"seconds": time.perf_counter() - start, "peak_mb_main": _peak_mb()}


def loader(folder: Path, work: Path, size: int) -> dict:
    """A whole kg build (its process tree's peak, the loader included), then the loader on
    that build's quads in one piece and in the pieces kg build uses, one after the other."""
    from kg.store import PIECE_BYTES
    out = work / f"loader-{size}"
    shutil.rmtree(out, ignore_errors=True)
    print(f"kg build, {size} articles, then the store loader in one piece and in pieces ...", file=sys.stderr)
    build = run_child(["build", str(folder), "1", "", str(out)])
    nquads = work / f"loader-{size}.nq"
    dump = run_child(["dump", str(out), str(nquads)])
    found = {"articles": size, "build": build, "nquads_bytes": dump["bytes"], "piece_bytes": PIECE_BYTES}
    for name, piece in (("one_piece", 0), ("pieces", PIECE_BYTES)):
        db = work / f"loader-{size}-{name}"
        shutil.rmtree(db, ignore_errors=True)
        found[name] = run_child(["load", str(nquads), str(db), str(piece)])
        shutil.rmtree(db, ignore_errors=True)
    nquads.unlink()
    found["kept_build"] = str(out)          # --only-query --reuse times supports.rq on it
    return found


def time_query(target: str, query: str) -> float:
    """Wall time of ``kg query TARGET QUERY`` as a user runs it (a fresh process)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "query", target, query, "--format", "csv"],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT.parent)     # cwd: this checkout's kg
    return time.perf_counter() - start


def queries(folder: Path, work: Path, size: int, jobs: int, reuse: Path | None = None) -> dict:
    """supports.rq from the store and from graph.ttl (medians of 3) of one ``--jobs`` build
    of ``folder``, or of the existing build ``reuse`` (kept by --only-loader)."""
    out = reuse or work / f"query-{size}"
    build = None
    if reuse is None:
        shutil.rmtree(out, ignore_errors=True)
        print(f"kg build --jobs {jobs} and kg query, {size} articles ...", file=sys.stderr)
        build = run_child(["build", str(folder), str(jobs), "", str(out)])
    query = str(ROOT.parent / "queries" / "supports.rq")
    store = statistics.median(time_query(str(out), query) for _ in range(3))
    ttl = statistics.median(time_query(str(out / "graph.ttl"), query) for _ in range(3))
    if reuse is None:
        shutil.rmtree(out, ignore_errors=True)
    return {"articles": size, "build": build, "store_seconds": store, "ttl_seconds": ttl, "ratio": ttl / store}


# ------------------------------------------------------------------ parent

def run_child(args: list[str]) -> dict:
    """A child process; its peak memory summed over the process tree (workers included)."""
    import psutil
    # the kg of this checkout, whatever copy of it is installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT.parent), os.environ.get("PYTHONPATH")]))}
    proc = psutil.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    out = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"benchmark child {args} failed ({proc.returncode})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb_tree"] = peak / 2**20
    return result


def corpus(size: int, work: Path) -> Path:
    from generate import generate
    folder = work / f"corpus-{size}"
    if not (folder / f"gen_{size - 1:06d}.txt").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(size, folder)
    return folder


def median_runs(args: list[str], repeats: int) -> dict:
    runs = [run_child(args) for _ in range(repeats)]
    best = dict(runs[len(runs) // 2])
    best["seconds"] = {k: statistics.median(r["seconds"][k] for r in runs) for k in runs[0]["seconds"]}
    best["oxigraph_turtle"] = statistics.median(r["oxigraph_turtle"] for r in runs)
    best["repeats"] = repeats
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000", help="corpus sizes in articles")
    ap.add_argument("--quick", action="store_true", help="100 and 1000 articles, one repeat of the big runs")
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the cheap measurements (median)")
    ap.add_argument("--jobs", type=int, help="processes for the parallel build (default 2; 1 with --only-build)")
    ap.add_argument("--stage-max", type=int, default=1000,
                    help="largest size whose stages (incl. triples, RDF files and page) are measured one by one")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "yuanjiang-kg-bench",
                    help="where generated corpora are kept (reused across runs)")
    ap.add_argument("--results", type=Path, default=ROOT / "results")
    ap.add_argument("--only-incremental", action="store_true",
                    help="only the rebuilds (edit one, add ten) of the last size; writes incremental.json")
    ap.add_argument("--only-query", action="store_true",
                    help="only a --jobs build of the last size and supports.rq from store and graph.ttl; "
                         "writes query.json")
    ap.add_argument("--only-stages", action="store_true",
                    help="only the stages of the last size (x jieba, a million triples as Turtle); writes stages.json")
    ap.add_argument("--only-loader", action="store_true",
                    help="kg build of the largest size, then its store loaded in one piece and in pieces")
    ap.add_argument("--only-build", action="store_true",
                    help="only a whole kg build of the last size (--jobs 1 unless --jobs is given) and plain "
                         "jieba.lcut over the same text in the same process; writes build.json")
    ap.add_argument("--reuse", type=Path, help="with --only-query: time the query on this existing build")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.jobs is None:
        args.jobs = 1 if args.only_build else 2
    if args.child:
        kind, *rest = args.child
        if kind == "stages":
            print(json.dumps(child_stages(rest[0])))
        elif kind == "dump":
            print(json.dumps(child_dump(rest[0], rest[1])))
        elif kind == "build_vs_jieba":
            print(json.dumps(child_build_vs_jieba(rest[0], int(rest[1]))))
        elif kind == "load":
            print(json.dumps(child_load(rest[0], rest[1], int(rest[2]))))
        else:
            print(json.dumps(child_build(rest[0], int(rest[1]), (rest[2] or None) if len(rest) > 2 else None,
                                         rest[3] if len(rest) > 3 else None)))
        return
    if args.only_incremental or args.only_query or args.only_stages or args.only_loader or args.only_build:
        size = int(args.sizes.split(",")[-1])
        folder = corpus(size, args.work)
        load = os.getloadavg()
        if args.only_stages:
            found, name = run_child(["stages", str(folder)]), "stages.json"
        elif args.only_loader:
            found, name = loader(folder, args.work, size), "loader.json"
        elif args.only_build:
            print(f"kg build --jobs {args.jobs} and jieba.lcut, {size} articles ...", file=sys.stderr)
            found, name = run_child(["build_vs_jieba", str(folder), str(args.jobs)]), "build.json"
        elif args.only_incremental:
            found, name = incremental(folder, args.work, size), "incremental.json"
        else:
            found, name = queries(folder, args.work, size, args.jobs, args.reuse), "query.json"
        found["load_average"] = {"before": load, "after": os.getloadavg()}
        args.results.mkdir(parents=True, exist_ok=True)
        path = args.results / name
        path.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
        print(json.dumps(found, indent=2, sort_keys=True))
        return

    sizes = [100, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(), "load_before": os.getloadavg()},
              "stages": {}, "parallel": {}, "incremental": {}}
    for size in sizes:
        folder = corpus(size, args.work)
        if size <= args.stage_max:
            repeats = args.repeats if size <= 100 else 1      # a 1,000-article run takes a minute
            print(f"stages, {size} articles, {repeats} run(s) ...", file=sys.stderr)
            report["stages"][size] = median_runs(["stages", str(folder)], repeats)
        print(f"kg build with --jobs 1 and --jobs {args.jobs}, {size} articles ...", file=sys.stderr)
        report["parallel"][size] = {"jobs1": run_child(["build", str(folder), "1"]) if size <= 1000 else None,
                                    f"jobs{args.jobs}": run_child(["build", str(folder), str(args.jobs)])}
    inc_size = 1000 if 1000 in sizes else sizes[-1]
    report["incremental"] = incremental(corpus(inc_size, args.work), args.work, inc_size)
    report["machine"]["load_after"] = os.getloadavg()
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / "bench.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(table(report, args.jobs))
    print(f"\nwrote {path}")


def incremental(folder: Path, work: Path, size: int) -> dict:
    """A whole build into an empty cache, then again after editing one article."""
    copy = work / f"incremental-{size}"
    cache = work / f"cache-{size}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(folder, copy)
    print(f"incremental rebuild, {size} articles ...", file=sys.stderr)
    out = work / f"incremental-out-{size}"
    shutil.rmtree(out, ignore_errors=True)
    full = run_child(["build", str(copy), "1", str(cache), str(out)])
    victim = sorted(copy.glob("*.txt"))[size // 2]
    # an edit the graph sees (a new enterprise and a figure), so that the rebuild has
    # something to redo; a sentence naming nothing would leave every output unchanged
    victim.write_text(victim.read_text(encoding="utf-8") + "\n新疆天山纺织有限公司新增就业岗位120个。\n",
                      encoding="utf-8")
    again = run_child(["build", str(copy), "1", str(cache), str(out)])
    # the same input built from scratch: the rebuild must give the same bytes
    clean = run_child(["build", str(copy), "1", ""])
    # ten new articles (copies of others under new names, an edit each so they are new documents)
    for i, source in enumerate(sorted(copy.glob("*.txt"))[:10]):
        (copy / f"added_{i:02d}.txt").write_text(source.read_text(encoding="utf-8") + f"\n第{i + 1}批新增就业岗位{30 + i}个。\n",
                                                 encoding="utf-8")
    added = run_child(["build", str(copy), "1", str(cache), str(out)])
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    if again["graph_sha256"] == full["graph_sha256"]:
        raise SystemExit("incremental benchmark: the edit did not change the graph, so the rebuild measures nothing")
    return {"articles": size, "full_seconds": full["seconds"], "rebuild_seconds": again["seconds"],
            "ratio": again["seconds"] / full["seconds"], "full_cpu": full["cpu_seconds"],
            "rebuild_cpu": again["cpu_seconds"], "ratio_cpu": again["cpu_seconds"] / full["cpu_seconds"],
            "add10_cpu": added["cpu_seconds"], "add10_ratio_cpu": added["cpu_seconds"] / full["cpu_seconds"], "entities_before": full["entities"],
            "entities_after": again["entities"], "triples_before": full["triples"], "triples_after": again["triples"],
            "same_bytes_as_clean": again["graph_sha256"] == clean["graph_sha256"],
            "graphs_replaced": again["graphs_replaced"], "add10_seconds": added["seconds"],
            "add10_ratio": added["seconds"] / full["seconds"], "add10_graphs_replaced": added["graphs_replaced"],
            "store_bytes": full["bytes"]["store"], "peak_mb_tree_full": full["peak_mb_tree"]}


def table(r: dict, jobs: int) -> str:
    rows = []
    for size, s in sorted(r["stages"].items(), key=lambda kv: int(kv[0])):
        sec, chars = s["seconds"], s["chars"]
        whole = sum(sec[k] for k in STAGES)
        extraction = sum(sec[k] for k in STAGES[:5])
        rows.append(f"\n{size} articles, {chars:,} characters, {s['triples']:,} triples, "
                    f"Turtle {s['turtle_bytes'] / 2**20:.1f} MB, peak {s['peak_mb']:.0f} MB "
                    f"(median of {s['repeats']})")
        rows.append(f"  {'stage':<20}{'seconds':>10}{'chars/s':>12}")
        for k in ("jieba",) + STAGES:
            rows.append(f"  {k:<20}{sec[k]:>10.2f}{chars / sec[k]:>12,.0f}")
        rows.append(f"  {'extraction':<20}{extraction:>10.2f}{chars / extraction:>12,.0f}"
                    f"   = {extraction / sec['jieba']:.2f}x jieba.lcut")
        rows.append(f"  {'whole build':<20}{whole:>10.2f}{chars / whole:>12,.0f}"
                    f"   = {whole / sec['jieba']:.2f}x jieba.lcut")
        rows.append(f"  Turtle writing {sec['turtle']:.2f} s vs pyoxigraph serializer {s['oxigraph_turtle']:.2f} s"
                    f" = {sec['turtle'] / s['oxigraph_turtle']:.1f}x")
        if "million" in s:
            m = s["million"]
            rows.append(f"  1,000,000 triples as Turtle: {m['seconds']:.2f} s (pyoxigraph alone "
                        f"{m['oxigraph_seconds']:.2f} s), {m['bytes'] / 2**20:.0f} MB")
            if "blocks" in m:
                b = m["blocks"]
                rows.append(f"  {b['triples']:,} triples as per-graph Turtle blocks written as graph.ttl (kg build), "
                            f"median of {len(b['runs_seconds'])}: {b['seconds']:.2f} s ({b['cpu_seconds']:.2f} s CPU); through pyoxigraph's parser and writer "
                            f"{b['pyoxigraph_seconds']:.2f} s ({b['pyoxigraph_cpu_seconds']:.2f} s CPU)")
    rows.append("\nkg build, every output file and the page")
    for size, p in sorted(r["parallel"].items(), key=lambda kv: int(kv[0])):
        for name, run in p.items():
            if run:
                rows.append(f"  {size:>6} articles {name:<6} {run['seconds']:>8.1f} s "
                            f"{run['chars'] / run['seconds']:>10,.0f} chars/s  {run['triples']:>11,} triples  "
                            f"peak {run['peak_mb_tree']:.0f} MB")
    inc = r["incremental"]
    rows.append(f"\nincremental: {inc['articles']} articles, one edited: kg build {inc['rebuild_seconds']:.1f} s "
                f"vs {inc['full_seconds']:.1f} s for the first build = {100 * inc['ratio']:.1f}% "
                f"(entities {inc['entities_before']:,} -> {inc['entities_after']:,}, "
                f"triples {inc['triples_before']:,} -> {inc['triples_after']:,})")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
