"""Times of the explorer `kg serve` gives, on one graph (a build of generated articles).

    python benchmarks/generate.py 10000 /tmp/c10k && kg build /tmp/c10k --out /tmp/o10k
    python benchmarks/explorer_bench.py /tmp/o10k        # the build's store (or a graph file)
    python benchmarks/explorer_bench.py /tmp/o10k --no-dashboard --against main

Reports: server start (store opened, or loaded from a graph file), the first view made (kg
serve makes it at start, in the background; here on the first request), the page opening in
Debian's Chromium to ``window.kgReady`` (median of 3), five clicks on entities of the first
view in the page (to the neighbourhood drawn and focused; to the panel filled with what the
entity cites), neighbourhoods of 20 entities of the first view over HTTP (median and max;
then of the 5 most connected others), one search, the
document list and one document's entities, and the key figures. Appends a JSON line to
``benchmarks/results/explorer.jsonl``.

A click is timed by the page's clock, from the mouse press to the end of the first drawing
that shows the focused neighbourhood in its final view (after any animated refit), and to
the first drawing after the focus. With ``--against REF`` the page of git revision REF
(its ``kg/data/graph_template.html``, same server, same data) is served at ``/old`` and
clicked on the same entities, alternately with this page; the server's kept answers are
dropped before each click, so both wait for the same work.
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
from kg.explorer import PAGE_HEADERS  # noqa: E402


def suffix(version: str) -> str:
    return "" if version == "now" else "_" + version

graph = sys.argv[1]          # then --no-dashboard to leave the key figures out, --against REF
against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
n_clicks = 5 if against is None else 8
# In the page: the press, when the focus was set, and every drawing with its view.
WATCH = """() => {
    const w = window.kgBench = {down: null, focus: null, draws: []};
    window.addEventListener("pointerdown", (ev) => { w.down = ev.timeStamp; w.focus = null; w.draws = []; }, true);
    new MutationObserver(() => { if (document.body.hasAttribute("data-focus") && w.focus === null) w.focus = performance.now(); })
        .observe(document.body, {attributes: true, attributeFilter: ["data-focus"]});
    kgView.network.on("afterDrawing", () => { const p = kgView.network.getViewPosition();
        w.draws.push([performance.now(), kgView.network.getScale(), p.x, p.y]); }); }"""
# Once nothing was drawn for half a second: the first drawing after the focus, and the first
# one showing the view the page came to rest at (the end of an animated refit).
SETTLED = """(id) => new Promise((resolve) => {
    const w = window.kgBench;
    (function check() {
        const last = w.draws.length ? w.draws[w.draws.length - 1][0] : 0;
        if (w.focus === null || document.body.getAttribute("data-focus") !== String(id) ||
            performance.now() - Math.max(last, w.focus) < 500) { setTimeout(check, 50); return; }
        const after = w.draws.filter((d) => d[0] >= w.focus), end = after[after.length - 1];
        const same = (d) => Math.abs(d[1] - end[1]) <= 1e-6 * end[1] && Math.hypot(d[2] - end[2], d[3] - end[3]) < 0.5;
        resolve({first: Math.round(after[0][0] - w.down), drawn: Math.round(after.find(same)[0] - w.down),
                 frames: after.length, down: w.down});
    })(); })"""
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
load_before = round(os.getloadavg()[0], 2)
_, first_page = get("/")          # made on first request here (kg serve makes it at start)
if against is not None:           # REF's page around the same data, at /old
    import subprocess
    from kg import html as kg_html
    old_template = subprocess.run(["git", "-C", str(ROOT), "show", f"{against}:kg/data/graph_template.html"],
                                  capture_output=True, text=True, check=True).stdout
    kg_html._template.cache_clear()
    new_template, kg_html._template = kg_html._template, lambda: old_template
    old_page = "".join(kg_html.page_pieces(srv.explorer.overview(), srv.explorer.title, served=True)).encode("utf-8")
    kg_html._template = new_template
    handle = srv.explorer.handle
    def handle_old(handler, path, query):
        if path != "/old":
            return handle(handler, path, query)
        handler._send(200, "text/html; charset=utf-8", old_page, PAGE_HEADERS)
        return True
    srv.explorer.handle = handle_old
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
    versions = {"now": "/"} if against is None else {"now": "/", "old": "/old"}
    tabs = {}
    for name, path in versions.items():
        tabs[name] = b.new_page(viewport={"width": 1280, "height": 800})
        tabs[name].goto(home + path)
        tabs[name].wait_for_selector("body[data-ready=true]", state="attached", timeout=120000)
        tabs[name].evaluate(WATCH)
    clicks = {name: [] for name in versions}
    sample = nodes[:: max(1, len(nodes) // 20)][:20]       # asked over HTTP below: not clicked here
    hubs = [iri for _, iri in sorted(zip(degrees, nodes), reverse=True) if iri not in sample][:5]
    rest = [iri for iri in nodes if iri not in sample and iri not in hubs]
    for k, iri in enumerate(rest[len(rest) // 10:: max(1, len(rest) // n_clicks)][:n_clicks]):
        for name in (list(versions) if k % 2 == 0 else list(versions)[::-1]):
            pg = tabs[name]
            pg.bring_to_front()
            with srv.explorer._answers_lock:          # each version waits for the same work
                srv.explorer._answers.clear()
            x, y, nid = pg.evaluate("""(iri) => {
                const n = kgView.data.nodes.find(n => n.iri === iri), net = kgView.network;
                net.moveTo({position: net.getPositions([n.id])[n.id], scale: 1.5, animation: false});
                const d = net.canvasToDOM(net.getPositions([n.id])[n.id]);
                const r = document.getElementById("network").getBoundingClientRect();
                return [r.left + d.x, r.top + d.y, n.id]; }""", iri)
            pg.wait_for_timeout(300)
            pg.mouse.click(x, y)
            timing = pg.evaluate(SETTLED, nid)
            pg.wait_for_function("(id) => ['loaded', undefined].includes(kgView.data.nodes.find(n => n.id === id).evidence)",
                                 arg=nid, timeout=120000)
            timing["filled"] = round(pg.evaluate("() => performance.now()") - timing.pop("down"))
            clicks[name].append(timing)
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
                  **{key: value for name, got in clicks.items() for key, value in (
                      (f"click_to_drawn_ms{suffix(name)}", [c["drawn"] for c in got]),
                      (f"click_to_drawn_ms_median{suffix(name)}", statistics.median(c["drawn"] for c in got)),
                      (f"click_to_first_frame_ms{suffix(name)}", [c["first"] for c in got]),
                      (f"click_frames{suffix(name)}", [c["frames"] for c in got]),
                      (f"click_to_panel_filled_ms{suffix(name)}", [c["filled"] for c in got]))},
                  "against": against, "load_average_1min_before": load_before,
                  "search_ms": round(1000 * search), "documents": len(doc_list), "doc_list_ms": round(1000 * docs_s),
                  "doc_entities_ms": round(1000 * doc_s), "dashboard_s": None if dash is None else round(dash, 1)})
print(json.dumps(row, ensure_ascii=False))
with open(ROOT / "benchmarks" / "results" / "explorer.jsonl", "a", encoding="utf-8") as fh:
    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
srv.shutdown(); srv.server_close()
