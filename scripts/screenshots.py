"""Screenshots of the explorer for docs/: the first view, a focused node and the key-figures
dashboard, taken in Debian's Chromium from a fresh build of the bundled seeds.

    python scripts/screenshots.py            # writes docs/explorer-*.png
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FOCUS = "乌什县"          # a supported county of the seeds


def main() -> int:
    import kg
    from playwright.sync_api import sync_playwright
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        result = kg.build([ROOT / "seeds"], out=Path(tmp) / "out")
        page_path = next(o for o in result.outputs if o.name == "graph.html")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 880})
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.screenshot(path=str(docs / "explorer-first-view.png"))

        node = page.evaluate("(l) => kgView.data.nodes.find(n => n.label === l).id", FOCUS)
        page.evaluate("(id) => kgView.network.selectNodes([id])", node)
        page.evaluate("(id) => kgView.network.body.emitter.emit('click', {nodes: [id], edges: [], "
                      "pointer: {canvas: kgView.network.getPositions([id])[id]}})", node)
        page.wait_for_selector(f'#panel[data-node="{node}"]', state="attached")     # drawn, then the panel
        page.wait_for_timeout(300)                       # the labels resized to the new zoom
        page.screenshot(path=str(docs / "explorer-focus.png"))

        page.click("#reset")
        page.click("#dash-open")
        page.wait_for_selector("#dashboard:not([hidden])")
        page.screenshot(path=str(docs / "explorer-dashboard.png"))
        browser.close()
    for name in ("first-view", "focus", "dashboard"):
        print(f"wrote docs/explorer-{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
