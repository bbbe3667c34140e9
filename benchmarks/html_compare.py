"""Two graph pages timed alternately in one Chromium, so both meet the same machine load:

    python benchmarks/html_compare.py old.html new.html [runs]

(e.g. the same synthetic graph written by two versions of kg.html). Time from navigation to
``kgReady``, then a click on the canvas to the next frame; 3 runs each (or ``runs``), medians.
"""
import json
import os
import statistics
import sys
import time

from playwright.sync_api import sync_playwright

pages = {Path_: p for Path_, p in zip(("a", "b"), sys.argv[1:3])}
res = {k: [] for k in pages}
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
load_before = os.getloadavg()[0]
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"])
    for _ in range(runs):
        for k, path in pages.items():
            pg = b.new_page(viewport={"width": 1280, "height": 800})
            t = time.perf_counter(); pg.goto("file://" + os.path.abspath(path), wait_until="commit")
            pg.wait_for_selector("body[data-ready=true]", state="attached", timeout=180000)
            ready = time.perf_counter() - t
            t = time.perf_counter(); pg.mouse.click(640, 400); pg.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            res[k].append((round(ready, 2), round((time.perf_counter() - t) * 1000)))
            pg.close()
    b.close()
print(json.dumps({"load_before": load_before, "load_after": os.getloadavg()[0], **{k: {"ready_runs": [r for r, _ in v], "median": statistics.median(r for r, _ in v), "click_ms": [c for _, c in v]} for k, v in res.items()}}))
