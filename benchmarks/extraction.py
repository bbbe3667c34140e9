"""Extraction (read -> metrics) against plain jieba.lcut, in CPU time, stage by stage;
optionally the same for another checkout of the code in the same run, alternately.

    python benchmarks/extraction.py                          # 300 generated articles, 3 runs
    python benchmarks/extraction.py --against /path/to/main  # before/after, same run
    python benchmarks/extraction.py --corpus DIR --repeats 5

Each run is a fresh child process that loads the dictionaries, warms up on a few articles
(lazy loads such as pypinyin's tables are start-up, not per-article work), then times each
stage once over the corpus with ``time.process_time`` and plain ``jieba.lcut`` over the same
raw text. CPU time, not wall time: on a shared machine wall-clock ratios move by half from
run to run, CPU time by a few per cent. The collector runs as ``kg build`` runs it
(:func:`kg.pipeline.fewer_collections`) unless ``--gc default``. Prints medians and writes
``benchmarks/results/extraction.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent
STAGES = ("read", "clean", "mentions", "resolve", "relations", "metrics")
WARM_UP = 20                    # articles run through every stage before timing


@contextmanager
def cpu(seconds: dict[str, float], name: str):
    """CPU time of the block, in ``seconds[name]``."""
    start = time.process_time()
    yield
    seconds[name] = time.process_time() - start


def child(code_root: str, corpus: str, gc_mode: str) -> dict:
    """One timed pass of every stage over ``corpus`` with the ``kg`` package under ``code_root``."""
    sys.path.insert(0, code_root)
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    from kg.clean import clean
    from kg.mentions import _segmenter, find_mentions
    from kg.metrics import extract_metrics
    from kg.pipeline import (
        collect_files,
        document_actors,
        fewer_collections,
        unique_ids,
    )
    from kg.read import read_document
    from kg.relations import extract_relations
    from kg.resolve import resolve

    files, _ = collect_files([corpus])
    _segmenter()

    def stages(paths, t):
        with cpu(t, "read"):
            docs = unique_ids([read_document(f) for f in paths])
        raw = [d.raw for d in docs]
        with cpu(t, "clean"):
            docs = [clean(d) for d in docs]
        with cpu(t, "mentions"):
            processed = [(d, find_mentions(d)) for d in docs]
        with cpu(t, "resolve"):
            entities, _, pairings = resolve(processed)
        with cpu(t, "relations"):
            extract_relations(processed, entities, pairings)
        with cpu(t, "metrics"):
            extract_metrics(processed, entities, document_actors(processed, entities, pairings))
        with cpu(t, "jieba"):
            [jieba.lcut(text) for text in raw]
        return sum(map(len, raw))

    if gc_mode == "build":
        fewer_collections().__enter__()
    stages(files[:WARM_UP], {})
    t: dict[str, float] = {}
    chars = stages(files, t)
    return {"articles": len(files), "chars": chars, "seconds": t, "code": code_root}


def run_child(code_root: Path, corpus: Path, gc_mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(code_root), str(corpus), gc_mode],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(code_root)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict:
    seconds = {k: statistics.median(r["seconds"][k] for r in runs) for k in (*STAGES, "jieba")}
    ratios = [sum(r["seconds"][k] for k in STAGES) / r["seconds"]["jieba"] for r in runs]
    return {"seconds": seconds, "extraction": sum(seconds[k] for k in STAGES),
            "ratio": statistics.median(ratios), "ratios": ratios, "runs": len(runs)}


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = [f"{'stage (CPU s, median)':<24}" + "".join(f"{n:>14}" for n in names)]
    for k in (*STAGES, "jieba"):
        lines.append(f"{k:<24}" + "".join(f"{results[n]['seconds'][k]:>14.2f}" for n in names))
    lines.append(f"{'extraction':<24}" + "".join(f"{results[n]['extraction']:>14.2f}" for n in names))
    lines.append(f"{'x jieba.lcut (median)':<24}" + "".join(f"{results[n]['ratio']:>14.2f}" for n in names))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="folder of articles (default: 300 generated ones)")
    ap.add_argument("--size", type=int, default=300, help="articles to generate when no --corpus")
    ap.add_argument("--against", type=Path, help="root of another checkout to time alternately (before/after)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--gc", choices=("build", "default"), default="build",
                    help="the collector as kg build runs it (default) or the interpreter's default")
    ap.add_argument("--results", type=Path, default=ROOT / "results")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    corpus = args.corpus
    if corpus is None:
        corpus = Path(tempfile.gettempdir()) / "yuanjiang-kg-bench" / f"corpus-{args.size}"
        if not (corpus / f"gen_{args.size - 1:06d}.txt").exists():
            sys.path.insert(0, str(ROOT))
            from generate import generate
            generate(args.size, corpus)
    roots = {"this": ROOT.parent}
    if args.against:
        roots["against"] = args.against.resolve()
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    for _ in range(args.repeats):
        for name, root in roots.items():          # alternately, so that load changes hit both
            runs[name].append(run_child(root, corpus.resolve(), args.gc))
    results = {name: summary(r) for name, r in runs.items()}
    report = {"corpus": str(corpus), "articles": runs["this"][0]["articles"], "chars": runs["this"][0]["chars"],
              "gc": args.gc, "roots": {n: str(r) for n, r in roots.items()}, "results": results,
              "load_average": {"before": load_before, "after": os.getloadavg()}}
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / "extraction.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(table(results))
    print(f"load average {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f}; wrote {path}")


if __name__ == "__main__":
    main()
