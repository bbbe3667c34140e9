"""What writing the served explorer's cache file costs a build: ``kg build`` of a corpus
into a fresh folder, in this process, with the CPU time of the whole build (this process
and the store's loader) and of :func:`kg.pipeline.write_explorer_cache` in it.

    python benchmarks/build_cache_cost.py CORPUS OUT [--jobs N]

OUT is emptied first. Appends a JSON line to ``benchmarks/results/build_cache.jsonl``.
"""
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import kg  # noqa: E402
from kg import pipeline  # noqa: E402


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 1
    shutil.rmtree(out, ignore_errors=True)
    spent = {"cpu": 0.0, "wall": 0.0}
    write = pipeline.write_explorer_cache

    def timed(*args):
        c, w = cpu(), time.perf_counter()
        try:
            return write(*args)
        finally:
            spent["cpu"] += cpu() - c       # (the loader, a child, is counted when it ends)
            spent["wall"] += time.perf_counter() - w
    pipeline.write_explorer_cache = timed
    load = os.getloadavg()[0]
    c, w = cpu(), time.perf_counter()
    result = kg.build([corpus], out=out, jobs=jobs, keep_graph=False)
    total_cpu, total_wall = cpu() - c, time.perf_counter() - w
    row = {"corpus": str(corpus), "documents": result.counts["documents"], "jobs": jobs,
           "triples": result.triple_count, "load": round(load, 2),
           "build_cpu_s": round(total_cpu, 2), "build_wall_s": round(total_wall, 2),
           "cache_cpu_s": round(spent["cpu"], 2), "cache_wall_s": round(spent["wall"], 2),
           "cache_share_cpu": round(spent["cpu"] / total_cpu, 4),
           "cache_bytes": (out / "explorer-cache.json").stat().st_size}
    print(json.dumps(row))
    with open(ROOT / "benchmarks" / "results" / "build_cache.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
