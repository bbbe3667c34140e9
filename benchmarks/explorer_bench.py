"""Times of the explorer `kg serve` gives, on one graph (a build of generated articles).

    python benchmarks/generate.py 10000 /tmp/c10k && kg build /tmp/c10k --out /tmp/o10k
    python benchmarks/explorer_bench.py /tmp/o10k        # the build's store (or a graph file)

Reports: server start (store opened, or loaded from a graph file), the first view made (kg
serve makes it at start, in the background; here on the first request), the page opening in
Debian's Chromium to ``window.kgReady`` (median of 3), five clicks on entities of the first
view in the page (to the neighbourhood drawn and focused; to the panel filled with what the
entity cites), neighbourhoods of 20 entities of the first view over HTTP (median and max;
then of the 5 most connected others), one search, the
document list and one document's entities, and the key figures. Appends a JSON line to
``benchmarks/results/explorer.jsonl``.
"""
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from kg.serve import SparqlServer  # noqa: E402

graph = sys.argv[1]          # then --no-dashboard to leave the key figures out
t = time.perf_counter()
srv = SparqlServer(graph, port=0, quiet=True, timeout=60, warm=False)
start_s = time.perf_counter() - t
threading.Thread(target=srv.serve_forever, daemon=True).start()
home = srv.url[:-7]
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(home + path, timeout=3600) as r:
        body = r.read()
    return body, time.perf_counter() - t
_, first_page = get("/")          # made on first request here (kg serve makes it at start)
from playwright.sync_api import sync_playwright
opens = []
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"])
    for _ in range(3):
        pg = b.new_page(viewport={"width": 1280, "height": 800})
        t = time.perf_counter(); pg.goto(home + "/", wait_until="commit")
        pg.wait_for_selector("body[data-ready=true]", state="attached", timeout=120000)
        opens.append(time.perf_counter() - t)
        nodes = pg.evaluate("() => kgView.data.nodes.map(n => n.iri)")
        degrees = pg.evaluate("() => kgView.data.nodes.map(n => n.degree)")
        pg.close()
    # a click on an entity of the first view, as a reader makes it: to its neighbourhood
    # drawn and focused, then to its panel filled with what it cites (/api/evidence)
    pg = b.new_page(viewport={"width": 1280, "height": 800})
    pg.goto(home + "/")
    pg.wait_for_selector("body[data-ready=true]", state="attached", timeout=120000)
    clicks, filled = [], []
    sample = nodes[:: max(1, len(nodes) // 20)][:20]       # asked over HTTP below: not clicked here
    # (each entity asked once: kg serve keeps its answers)
    hubs = [iri for _, iri in sorted(zip(degrees, nodes), reverse=True) if iri not in sample][:5]
    rest = [iri for iri in nodes if iri not in sample and iri not in hubs]
    for iri in rest[len(rest) // 10:: max(1, len(rest) // 5)][:5]:
        x, y, nid = pg.evaluate("""(iri) => {
            const n = kgView.data.nodes.find(n => n.iri === iri), net = kgView.network;
            net.moveTo({position: net.getPositions([n.id])[n.id], scale: 1.5, animation: false});
            const d = net.canvasToDOM(net.getPositions([n.id])[n.id]);
            const r = document.getElementById("network").getBoundingClientRect();
            return [r.left + d.x, r.top + d.y, n.id]; }""", iri)
        t = time.perf_counter()
        pg.mouse.click(x, y)
        pg.wait_for_function("(id) => document.body.getAttribute('data-focus') === String(id)", arg=nid, timeout=120000)
        clicks.append(time.perf_counter() - t)
        pg.wait_for_function("(id) => ['loaded', undefined].includes(kgView.data.nodes.find(n => n.id === id).evidence)",
                             arg=nid, timeout=120000)
        filled.append(time.perf_counter() - t)
    pg.close()
    b.close()
times = []
for iri in sample:
    _, s = get("/api/node?" + urllib.parse.urlencode({"iri": iri}))
    times.append(s)
hub_times = [get("/api/node?" + urllib.parse.urlencode({"iri": iri}))[1] for iri in hubs]
_, search = get("/api/search?q=" + urllib.parse.quote("县"))
doc_list, docs_s = get("/api/docs")
doc_list = json.loads(doc_list)
_, doc_s = get("/api/doc?" + urllib.parse.urlencode({"iri": doc_list[len(doc_list) // 2]["iri"]}))
# the key figures of a large graph take minutes: what came before is printed first
print(json.dumps({"graph": graph, "triples": srv.info["triples"], "server_start_s": round(start_s, 2),
                  "first_view_made_s": round(first_page, 2), "page_open_s_runs": [round(x, 2) for x in opens],
                  "neighbourhood_ms": [round(1000 * x) for x in times],
                  "hub_neighbourhood_ms": [round(1000 * x) for x in hub_times], "search_ms": round(1000 * search),
                  "doc_list_ms": round(1000 * docs_s), "doc_entities_ms": round(1000 * doc_s)}), flush=True)
_, dash = get("/api/dashboard") if "--no-dashboard" not in sys.argv else (None, None)
row = ({"graph": graph, "load_average_1min": round(os.getloadavg()[0], 2), "triples": srv.info["triples"], "server_start_s": round(start_s, 2),
                  "first_view_made_s": round(first_page, 2),
                  "page_open_s_median": round(statistics.median(opens), 2), "page_open_s_runs": [round(x, 2) for x in opens],
                  "neighbourhood_ms_median": round(1000 * statistics.median(times)), "neighbourhood_ms_max": round(1000 * max(times)),
                  "hub_neighbourhood_ms": [round(1000 * x) for x in hub_times],
                  "click_to_focus_ms": [round(1000 * x) for x in clicks],
                  "click_to_panel_filled_ms": [round(1000 * x) for x in filled],
                  "search_ms": round(1000 * search), "documents": len(doc_list), "doc_list_ms": round(1000 * docs_s),
                  "doc_entities_ms": round(1000 * doc_s), "dashboard_s": None if dash is None else round(dash, 1)})
print(json.dumps(row, ensure_ascii=False))
with open(ROOT / "benchmarks" / "results" / "explorer.jsonl", "a", encoding="utf-8") as fh:
    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
srv.shutdown(); srv.server_close()
