"""Neighbourhood times of two versions of `kg serve`'s explorer on one build, in one run.

    python benchmarks/explorer_compare.py OUT OLD_CHECKOUT [NEW_CHECKOUT]

Starts one server per checkout (``SparqlServer`` in its own process, the checkout first on
``sys.path``, nothing made in the background), asks each for the first view, then for the
neighbourhoods of the same entities (20 of the old first view and its 5 most connected),
alternately, each entity once per server (no answer kept yet); then the new server again
(answers kept). Where the new server has ``/api/evidence`` (what a panel cites, fetched by
the page after the neighbourhood) it is timed too. Reports medians and maxima, the load
average before and after, and each server's memory (resident and peak, from /proc); appends
a JSON line to ``benchmarks/results/explorer_compare.jsonl``.
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = """import sys, threading
sys.path.insert(0, sys.argv[1])
from kg.serve import SparqlServer
srv = SparqlServer(sys.argv[2], port=int(sys.argv[3]), quiet=True, timeout=600, warm=False)
print("ready", flush=True)
srv.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(checkout: str, graph: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, checkout, graph, str(port)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": checkout})
    assert proc.stdout.readline().strip() == "ready", f"{checkout}: the server did not start"
    return proc, f"http://127.0.0.1:{port}"


def get(home: str, path: str) -> tuple[int, bytes, float]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(home + path, timeout=3600) as r:
            return r.status, r.read(), time.perf_counter() - t
    except urllib.error.HTTPError as err:
        return err.code, b"", time.perf_counter() - t


def memory(pid: int) -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {k: round(int(fields[k].split()[0]) / 1024) for k in ("VmRSS", "VmHWM")}


def summary(seconds: list[float]) -> dict:
    return {"median_ms": round(1000 * statistics.median(seconds)), "max_ms": round(1000 * max(seconds)),
            "ms": [round(1000 * s) for s in seconds]}


def main() -> None:
    graph, old = sys.argv[1], sys.argv[2]
    new = sys.argv[3] if len(sys.argv) > 3 else str(ROOT)
    load_before = os.getloadavg()
    servers = {name: start(path, graph) for name, path in (("old", old), ("new", new))}
    try:
        first = {}
        for name, (_, home) in servers.items():
            _, body, first[name] = get(home, "/")
        data = json.loads(re.search(rb'<script type="application/json" id="graph-data">(.*?)</script>',
                                    get(servers["old"][1], "/")[1], re.S).group(1))
        nodes = [n["iri"] for n in data["nodes"]]
        sample = nodes[:: max(1, len(nodes) // 20)][:20]
        hubs = [n["iri"] for n in sorted(data["nodes"], key=lambda n: (-n["degree"], n["iri"]))[:5]]
        iris = list(dict.fromkeys(sample + hubs))
        times = {"old": [], "new": [], "new_evidence": [], "new_again": []}
        for iri in iris:
            q = "?" + urllib.parse.urlencode({"iri": iri})
            for name in ("old", "new"):
                status, _, s = get(servers[name][1], "/api/node" + q)
                assert status == 200, (name, iri, status)
                times[name].append(s)
            status, _, s = get(servers["new"][1], "/api/evidence" + q)
            if status == 200:
                times["new_evidence"].append(s)
        for iri in iris:
            times["new_again"].append(get(servers["new"][1], "/api/node?" + urllib.parse.urlencode({"iri": iri}))[2])
        row = {"graph": graph, "entities_asked": len(iris),
               "load_average_before": [round(x, 2) for x in load_before],
               "load_average_after": [round(x, 2) for x in os.getloadavg()],
               "first_view_s": {k: round(v, 1) for k, v in first.items()},
               **{f"neighbourhood_{k}": summary(v) for k, v in times.items() if v},
               "memory_mb": {name: memory(proc.pid) for name, (proc, _) in servers.items()}}
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=60)
    print(json.dumps(row, ensure_ascii=False))
    with open(ROOT / "benchmarks" / "results" / "explorer_compare.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
