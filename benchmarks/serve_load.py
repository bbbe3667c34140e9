"""Latency of ``kg serve`` under a burst of clients, with and without runaway queries.

    python benchmarks/serve_load.py out/graph.ttl                    # this checkout
    python benchmarks/serve_load.py out/graph.ttl --kg-root ../other  # another checkout's kg

Starts ``kg serve GRAPH --port 0 --timeout T`` in a subprocess, then over loopback:
1. one trivial query at a time (20 runs);
2. 50 trivial queries sent at once;
3. 2 runaway queries (a triple cross product) and, once they run, 46 trivial ones at once.
Prints the median and slowest answer of the trivial queries and how many got each status,
and writes ``benchmarks/results/serve_load.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask(url: str, query: str) -> tuple[int | str, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode({'query': query})}", timeout=300) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError as err:  # refused, reset: a lost request
        status = type(err).__name__
    return status, time.monotonic() - start


def burst(url: str, queries: list[str]) -> list[tuple[str, int | str, float]]:
    out, lock = [], threading.Lock()

    def one(q):
        status, seconds = ask(url, q)
        with lock:
            out.append((q, status, seconds))
    threads = [threading.Thread(target=one, args=(q,)) for q in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def summary(rows) -> dict:
    trivial = [r for r in rows if r[0] == TRIVIAL]
    seconds = [s for _, _, s in trivial]
    statuses: dict[str, int] = {}
    for _, status, _ in trivial:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"trivial": len(trivial), "statuses": statuses,
            "median_s": round(statistics.median(seconds), 4), "max_s": round(max(seconds), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph")
    ap.add_argument("--kg-root", default=str(ROOT), help="checkout whose kg package serves")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": args.kg_root}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", args.graph, "--port", "0",
                             "--timeout", str(args.timeout)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=args.kg_root)
    try:
        url = proc.stdout.readline().split()[2]
        alone = [ask(url, TRIVIAL)[1] for _ in range(20)]
        results = {"kg_root": str(Path(args.kg_root).resolve()), "timeout_s": args.timeout,
                   "alone_median_s": round(statistics.median(alone), 4)}
        results["burst_50"] = summary(burst(url, [TRIVIAL] * 50))
        rows: list = []
        runaways = threading.Thread(target=lambda: rows.extend(burst(url, [RUNAWAY] * 2)))
        runaways.start()
        time.sleep(1.5)
        rows_trivial = burst(url, [TRIVIAL] * 46)
        runaways.join()
        results["runaways_2_plus_46"] = summary(rows_trivial)
        results["runaways_2_plus_46"]["runaway_statuses"] = [str(s) for _, s, _ in rows]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results" / "serve_load.json"
    out.parent.mkdir(exist_ok=True)
    runs = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps(runs + [results], indent=2) + "\n")


if __name__ == "__main__":
    main()
