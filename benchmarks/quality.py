"""Extraction quality on every annotated article: in-sample and leave-one-document-out.

    python benchmarks/quality.py [--gold-root ../shared/eval] [--out benchmarks/results/quality.json]

``--gold-root DIR`` holds ``gold/`` (the seeds' gold; their articles are the repository's
``seeds/``), ``dev/docs`` and ``dev/gold``. For each article the learned scorers are trained
on all the others and the article is built alone and scored (leave-one-out: the honest
figure for unseen text); the in-sample row uses scorers trained on everything. Figures are
micro-averaged over articles (true and false positives summed), per genre and overall, and
the per-type table is printed. The last line has the form of the scorer's.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.evaluate import Report, Score, evaluate  # noqa: E402
from kg.graph import DEFAULT_BASE, graph_from_quads, to_quads  # noqa: E402
from kg.train import Annotated, annotated, build_one, examples, fit_all  # noqa: E402

GENRES = {"a": "news briefs and round-ups", "b": "government reports", "c": "newspaper features",
          "d": "industry and XPCC", "e": "education and medical", "0": "seed features"}
HEADLINE = (("mission-entity", "entities", "mission"), ("all-entity", "entities", "all"),
            ("relation", "relations", "all"), ("metric", "metrics", "value+unit+about"),
            ("metric~", "metrics", "value+unit+about~"))


def genre(item: Annotated) -> str:
    return GENRES.get(item.path.name[0], "other")


def score_one(item: Annotated, scorers, min_confidence: float) -> Report:
    from kg.pipeline import asserted
    kg = asserted(build_one(item.path, scorers), min_confidence)
    return evaluate(graph_from_quads(to_quads(kg, DEFAULT_BASE), DEFAULT_BASE), item.gold)


def add(total: Report, part: Report) -> None:
    for section in ("entities", "relations", "metrics"):
        mine, theirs = getattr(total, section), getattr(part, section)
        for k, s in theirs.items():
            t = mine.setdefault(k, Score())
            t.tp, t.fp, t.fn = t.tp + s.tp, t.fp + s.fp, t.fn + s.fn


def headline(r: Report) -> dict[str, float]:
    return {name: round(getattr(r, section)[key].f1, 3) if key in getattr(r, section) else 0.0
            for name, section, key in HEADLINE}


def line(prefix: str, r: Report) -> str:
    return prefix + " ".join(f"{k} F1={v}" for k, v in headline(r).items())


def bins(pairs: list[tuple[float, int]], edges=(0.2, 0.4, 0.6, 0.8, 1.01)) -> list[dict]:
    """Held-out reliability: per confidence band, how many, their mean confidence, how many right."""
    out, low = [], 0.0
    for high in edges:
        inside = [(p, y) for p, y in pairs if low <= p < high]
        if inside:
            out.append({"band": f"{low:.1f}-{min(high, 1.0):.1f}", "n": len(inside),
                        "confidence": round(sum(p for p, _ in inside) / len(inside), 3),
                        "right": round(sum(y for _, y in inside) / len(inside), 3)})
        low = high
    return out


def run(gold_root: Path, min_confidence: float | None = None) -> dict:
    from kg.pipeline import DEFAULT_MIN_CONFIDENCE
    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    items = annotated([(ROOT / "seeds", gold_root / "gold"), (gold_root / "dev" / "docs", gold_root / "dev" / "gold")])
    started = time.perf_counter()
    items = [examples(it) for it in items]
    loo, ins = defaultdict(Report), defaultdict(Report)
    everything = fit_all(items)
    per_doc = {}
    reliability = {"metric subject": [], "relation": [], "actor": [], "span": []}
    for i, item in enumerate(items):
        fold = fit_all(items[:i] + items[i + 1:])
        for feats, labels in item.groups:
            best, p = fold["metric_subject"].choose(feats)
            reliability["metric subject"].append((p, labels[best]))
        reliability["relation"] += [(fold["relation"].probability(f), y) for f, y in item.rows]
        reliability["actor"] += [(fold["actor"].probability(f), y) for fs, ls in item.actors for f, y in zip(fs, ls)]
        reliability["span"] += [(fold["span"].probability(f), y) for f, y in item.spans]
        held = score_one(item, fold, threshold)
        seen = score_one(item, everything, threshold)
        per_doc[item.path.name] = {"leave-one-out": headline(held), "in-sample": headline(seen)}
        for key in (genre(item), "all"):
            add(loo[key], held)
            add(ins[key], seen)
    return {"threshold": threshold, "documents": len(items), "seconds": round(time.perf_counter() - started, 1),
            "leave-one-out": {g: headline(r) for g, r in loo.items()},
            "in-sample": {g: headline(r) for g, r in ins.items()},
            "leave-one-out-table": loo["all"].table().splitlines()[:-1],
            "calibration": {k: bins(v) for k, v in reliability.items()},
            "per-document": per_doc}, loo, ins


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold-root", default=str(ROOT.parent / "shared" / "eval"),
                    help="folder holding gold/, dev/docs and dev/gold")
    ap.add_argument("--min-confidence", type=float, default=None, help="threshold below which facts are candidates")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "quality.json"))
    args = ap.parse_args(argv)
    root = Path(args.gold_root)
    if not (root / "dev" / "gold").is_dir():
        print(f"quality.py: {root}: no dev/gold folder (give --gold-root)", file=sys.stderr)
        return 1
    result, loo, ins = run(root, args.min_confidence)
    print(f"{'genre':<28}{'':>10} mission  all-ent relation metric metric~")
    for g in [*sorted(k for k in loo if k != "all"), "all"]:
        for label, table in (("in-sample", ins), ("leave-one-out", loo)):
            h = headline(table[g])
            print(f"{g:<28}{label:>14} " + " ".join(f"{v:>7.3f}" for v in h.values()))
    print("\n".join(result["leave-one-out-table"]))
    print("held-out calibration (band: n, mean confidence -> share right)")
    for kind, rows in result["calibration"].items():
        print(f"  {kind:<15}" + "  ".join(f"{r['band']}: {r['n']}, {r['confidence']:.2f}->{r['right']:.2f}" for r in rows))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(line("in-sample: ", ins["all"]))
    print(line("leave-one-out: ", loo["all"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
