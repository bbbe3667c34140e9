"""From `kg serve OUT` started to the explorer's first view drawn in Debian's Chromium, on a
build's output folder: the first start after the build (the cache file as `kg build` wrote
it), a first start without the file (the server makes the first view and the entity index
from the store, as for a folder whose build wrote none) and restarts (read from the file the
server wrote).

    python benchmarks/serve_start_bench.py OUT [--built N] [--first N] [--restarts N]

OUT must be writable (the server writes its cache file there); copy a build if it is not.
Chromium is launched before the server, and opens ``/`` when the server prints the line
saying where it listens; the time is from starting the server to ``body[data-ready=true]`` (the page's first view drawn). Also the
server's memory (VmRSS when the view was drawn, VmHWM ten seconds later: the key figures
are still being made in the background then). Appends a JSON line to
``benchmarks/results/serve_start.jsonl``.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from kg.explorer_cache import CACHE_NAME  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def option(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def memory(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024)
    return fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_start(browser, out: Path) -> dict:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = round(os.getloadavg()[0], 2)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    t = time.perf_counter()
    errors = tempfile.TemporaryFile()           # (a pipe left unread could fill and stop the server)
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(out), "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=errors)
    try:
        # opened as a reader would: once the server says where it listens
        if not server.stdout.readline().startswith(b"SPARQL endpoint"):
            server.wait()
            errors.seek(0)
            raise SystemExit(errors.read().decode())
        page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=600_000)
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=600_000)
        drawn = time.perf_counter() - t
        nodes = page.evaluate("() => kgView.data.nodes.length")
        at_view = memory(server.pid)
        time.sleep(10)
        later = memory(server.pid)
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=60)
    return {"start_to_first_view_s": round(drawn, 2), "nodes": nodes, "load_average_1min": load,
            "rss_mb_at_view": at_view["VmRSS"], "peak_rss_mb_10s_later": later["VmHWM"]}


def main() -> None:
    out = Path(sys.argv[1])
    built, firsts, restarts = option("--built", 1), option("--first", 1), option("--restarts", 3)
    runs = {"built": [], "first": [], "restart": []}
    if built and not (out / CACHE_NAME).is_file():
        raise SystemExit(f"{out}: no {CACHE_NAME} (was it built by a kg that writes one?)")
    as_built = (out / CACHE_NAME).read_bytes() if built else b""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for kind, n in (("built", built), ("first", firsts), ("restart", restarts)):
            for _ in range(n):
                if kind == "built":
                    (out / CACHE_NAME).write_bytes(as_built)
                if kind == "first":
                    (out / CACHE_NAME).unlink(missing_ok=True)
                runs[kind].append(one_start(browser, out))
                print(kind, json.dumps(runs[kind][-1]), flush=True)
            if kind == "first" and n and not (out / CACHE_NAME).is_file():
                raise SystemExit(f"{out}: the server wrote no {CACHE_NAME} (is the folder writable?)")
        browser.close()
    row = {"out": str(out), **{f"{kind}_start_to_first_view_s_median":
                               statistics.median(r["start_to_first_view_s"] for r in got) if got else None
                               for kind, got in runs.items()}, "runs": runs}
    print(json.dumps(row))
    with open(ROOT / "benchmarks" / "results" / "serve_start.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
