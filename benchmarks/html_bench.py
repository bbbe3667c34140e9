"""Time to a stable, interactive graph page in headless Chromium, by graph size.

    python benchmarks/html_bench.py                 # 500, 2,000 and 5,000 nodes, 3 runs each
    python benchmarks/html_bench.py --sizes 500 --runs 1

Each synthetic graph has the shape the pipeline writes (typed entities with Chinese labels,
relations stated directly and as yj:Fact with a source sentence, mentions, metrics) and about
four relations per entity. It goes through the real ``kg.html.write_html``; the page is
opened from ``file://`` in Debian's Chromium (Playwright) and timed from navigation to
``window.kgReady`` (the layout, computed in Python and stored in the page, painted once
fitted), then a click on the canvas is timed to the next frame. Prints a table and writes
``benchmarks/results/html.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.html import write_html  # noqa: E402
from kg.model import ENTITY_TYPES, RELATIONS  # noqa: E402

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
BASE = "https://w3id.org/yuanjiang-kg/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# characters for made-up names; common in place and organisation names
NAME_CHARS = "新疆和田喀什阿克苏伊犁昌吉哈密塔城博乐石河子浙江上海北京江苏广东山东天津辽宁福建湖北湖南安徽河北山西河南深圳杭州宁波温州嘉兴湖州绍兴金华衢州舟山台州丽水"
SUFFIXES = {"City": "市", "County": "县", "Enterprise": "有限公司", "School": "中学",
            "Initiative": "工程", "Province": "省", "Prefecture": "地区", "Township": "镇",
            "Village": "村", "Organization": "援疆指挥部", "Hospital": "人民医院",
            "Facility": "产业园", "Person": "", "Product": "红枣"}


def synthetic_graph(n_nodes: int, edges_per_node: int = 4, seed: int = 1) -> Graph:
    """A graph shaped like the pipeline's output with ``n_nodes`` entities and
    ``n_nodes * edges_per_node`` relations."""
    rnd = random.Random(seed)
    g = Graph()
    doc = URIRef(f"{BASE}doc/bench")
    g.add((doc, RDF.type, NIF.Context))
    g.add((doc, YJ.sourceFile, Literal("bench.txt")))
    nodes, labels = [], []
    for i in range(n_nodes):
        t = ENTITY_TYPES[i % len(ENTITY_TYPES)]
        node = URIRef(f"{BASE}id/{t.lower()}/n{i}")
        label = "".join(rnd.choice(NAME_CHARS) for _ in range(rnd.randint(2, 4))) + SUFFIXES[t] + str(i)
        g.add((node, RDF.type, YJ[t]))
        g.add((node, RDFS.label, Literal(label, lang="zh")))
        g.add((node, SKOS.prefLabel, Literal(label, lang="zh")))
        nodes.append(node)
        labels.append(label)
    seen, mentioned = set(), set()
    sentence_no = 0
    # Like the real corpus: groups of about 40 entities (one pairing's article), each
    # with a few hubs (aid command, county); most relations stay inside a group.
    group = 40
    while len(seen) < n_nodes * edges_per_node:
        a = rnd.randrange(n_nodes)
        base = (a // group) * group
        if rnd.random() < 0.1:
            base = rnd.randrange(0, n_nodes, group)
        width = min(group, n_nodes - base)
        b = base + min(int(rnd.expovariate(0.25)), width - 1)      # low offsets are hubs
        rel = RELATIONS[rnd.randrange(len(RELATIONS) - 1)]          # pairedWith left out: undirected
        if a == b or (a, rel, b) in seen:
            continue
        seen.add((a, rel, b))
        s, o = nodes[a], nodes[b]
        g.add((s, YJ[rel], o))
        text = f"{labels[a]}与{labels[b]}签约，共同推进援疆合作项目。"
        sent = URIRef(f"{BASE}doc/bench/sentence/{sentence_no}")
        begin = sentence_no * 100
        sentence_no += 1
        g.add((sent, RDF.type, NIF.Sentence))
        g.add((sent, NIF.isString, Literal(text, lang="zh")))
        g.add((sent, NIF.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger)))
        g.add((sent, NIF.referenceContext, doc))
        fact = URIRef(f"{BASE}fact/" + hashlib.sha1(f"{a} {rel} {b}".encode()).hexdigest()[:12])
        for p, v in ((RDF.type, YJ.Fact), (RDF.subject, s), (RDF.predicate, YJ[rel]),
                     (RDF.object, o), (PROV.wasDerivedFrom, sent), (YJ.trigger, Literal("签约", lang="zh"))):
            g.add((fact, p, v))
        if a not in mentioned:        # one mention per entity is enough for the panel
            mentioned.add(a)
            m = URIRef(f"{BASE}doc/bench/mention/{begin}-{begin + len(labels[a])}")
            g.add((m, NIF.anchorOf, Literal(labels[a], lang="zh")))
            g.add((m, NIF.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger)))
            g.add((m, NIF.sentence, sent))
            g.add((m, NIF.referenceContext, doc))
            g.add((m, ITSRDF.taIdentRef, s))
        if sentence_no % 10 == 0:     # a metric every tenth sentence
            metric = URIRef(f"{BASE}id/metric/bench-{sentence_no}")
            g.add((metric, RDF.type, YJ.Metric))
            g.add((metric, YJ.value, Literal(Decimal(sentence_no * 1000), datatype=XSD.decimal)))
            g.add((metric, YJ.unit, Literal("CNY")))
            g.add((metric, YJ.indicator, Literal("援疆资金", lang="zh")))
            g.add((metric, YJ.about, s))
            g.add((metric, PROV.wasDerivedFrom, sent))
    return g


def edge_count(g: Graph) -> int:
    return sum(1 for r in RELATIONS for _ in g.subject_objects(YJ[r]))


def time_to_ready(browser, url: str, timeout_s: float) -> tuple[float, dict]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        # the page's CSP forbids eval, which wait_for_function needs: wait on the DOM instead
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=timeout_s * 1000)
        seconds = time.perf_counter() - start
        # edges: the relations drawn in the first frame (by vis-network or the page's edge layer)
        info = page.evaluate("""() => ({nodes: kgView.nodes.length, edges: kgView.drawnEdges(),
                                        physics: kgView.network.physics.options.enabled,
                                        timing: window.kgTiming})""")
        # interactive: a click on the canvas is answered
        t = time.perf_counter()
        page.mouse.click(640, 400)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        info["click_ms"] = round((time.perf_counter() - t) * 1000, 1)
        if errors:
            raise RuntimeError(f"page errors: {errors[:3]}")
        return seconds, info
    finally:
        page.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "html.json"))
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per page load")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright
    rows = []
    load_before = os.getloadavg()     # the machine is shared: say how busy it was
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for n in args.sizes:
                g = synthetic_graph(n)
                t = time.perf_counter()
                path = write_html(g, Path(tmp) / f"graph-{n}.html")
                render_s = time.perf_counter() - t
                data_edges = edge_count(g)
                times, layouts, info = [], [], {}
                for _ in range(args.runs):
                    seconds, info = time_to_ready(browser, path.as_uri(), args.timeout)
                    times.append(seconds)
                    layouts.append(info["timing"])
                if info["nodes"] != n or info["edges"] != data_edges:
                    raise RuntimeError(f"page shows {info['nodes']} nodes / {info['edges']} edges, "
                                       f"graph has {n} / {data_edges}")
                rows.append({"nodes": n, "edges": data_edges, "triples": len(g),
                             "html_mb": round(path.stat().st_size / 1e6, 2),
                             "render_s": round(render_s, 2),
                             "ready_s_median": round(statistics.median(times), 2),
                             "ready_s_runs": [round(x, 2) for x in times],
                             # inside the page: from the page script's start
                             "layout_s_median": round(statistics.median(t["layoutMs"] for t in layouts) / 1000, 2),
                             "iterations": [t["iterations"] for t in layouts],
                             "click_ms": info["click_ms"]})
                print(f"{n} nodes: ready in {statistics.median(times):.2f} s (median of {args.runs})",
                      file=sys.stderr)
        finally:
            browser.close()

    header = (f"{'nodes':>6} {'edges':>7} {'html MB':>8} {'write_html s':>12} {'ready s (median)':>17} "
              f"{'script→layout s':>18} {'iterations':>12} {'runs':>20}")
    print(header)
    for r in rows:
        runs = " ".join(f"{x:.2f}" for x in r["ready_s_runs"])
        its = "/".join(str(i) for i in r["iterations"])
        print(f"{r['nodes']:>6} {r['edges']:>7} {r['html_mb']:>8} {r['render_s']:>12} "
              f"{r['ready_s_median']:>17} {r['layout_s_median']:>18} {its:>12} {runs:>20}")
    result = {"benchmark": "html time to kgReady in headless Chromium",
              "runs": args.runs, "chromium": CHROMIUM,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(),
                          "load_average_1min": {"before": round(load_before[0], 2),
                                                "after": round(os.getloadavg()[0], 2)}},
              "results": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"load average (1 min) on {os.cpu_count()} cores: {load_before[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
