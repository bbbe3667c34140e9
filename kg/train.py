"""Train the learned decisions (kg.decide) on annotated articles.

    kg train --docs DIR --gold DIR [--docs DIR --gold DIR ...] [--out kg/data/models]
    python -m kg.train ...

Each annotated article is built alone with the rules deciding; every decision the rules
could have taken differently is a candidate with its features (:mod:`kg.metrics`,
:mod:`kg.relations`). The gold (GUIDELINES.md §3) says which candidate is right: a figure's
subject is right when the candidate entity carries one of the gold subject's names; a
relation when both ends and the predicate match a gold relation. A logistic regression
(scikit-learn, an optional extra: ``pip install -e .[train]``) learns the weights; a Platt
map fitted on document-wise held-out folds calibrates the confidence. Same data, same
weights, byte for byte.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .decide import MODELS, SCORERS, Scorer
from .evaluate import load_gold, normalise, same_quantity, unit_of
from .model import KnowledgeGraph

RULES_ONLY = {name: None for name in SCORERS}
FOLDS = 5            # document-wise folds for the calibration map
SPAN_C = 0.5         # the span scorer's regularisation (chosen on leave-one-out: 0.1-0.3 drop too much)
FALLBACK_STEPS = ("nearest_before", "article_actor")   # kg.metrics subject(): guesses, not readings


@dataclass
class Annotated:
    """One annotated article: its file, its gold file, and what the rules made of it."""
    path: Path
    gold: Path
    groups: list[tuple[list[dict], list[int]]] = field(default_factory=list)    # metric subjects
    rows: list[tuple[dict, int]] = field(default_factory=list)                  # relations
    actors: list[tuple[list[dict], list[int]]] = field(default_factory=list)    # who acts
    spans: list[tuple[dict, int]] = field(default_factory=list)                 # entity or not (kg.spans)


def annotated(pairs: Iterable[tuple[str | Path, str | Path]]) -> list[Annotated]:
    """Articles with their gold, from (docs folder, gold folder) pairs; a gold file names its
    article in ``doc``."""
    out = []
    for docs, gold in pairs:
        for g in sorted(Path(gold).glob("*.json")):
            name = json.loads(g.read_text(encoding="utf-8"))["doc"]
            path = Path(docs) / name
            if path.is_file():
                out.append(Annotated(path, g))
    return out


def build_one(path: Path, scorers: Mapping[str, Scorer | None]) -> KnowledgeGraph:
    """One article through the pipeline alone (as an unseen article would be)."""
    from .pipeline import extract
    from .read import read_document
    return extract([read_document(path)], scorers=scorers, min_confidence=0.0)


def examples(item: Annotated) -> Annotated:
    """Build ``item`` with the rules deciding and label its candidates from the gold."""
    kg = build_one(item.path, RULES_ONLY)
    gold_entities, gold_rels, gold_metrics = load_gold(item.gold)
    gold_of = gold_keys(kg, gold_entities)
    used: set[int] = set()
    item.groups = []
    for met in kg.metrics:
        match = next((i for i, gm in enumerate(gold_metrics) if i not in used
                      and same_quantity(met.value, met.unit, float(gm["value"]), unit_of(gm["unit"]))), None)
        if match is None:
            continue
        used.add(match)
        about = gold_metrics[match].get("about")
        if about is None or not met.candidates:
            continue
        labels = [int(about in gold_of.get(k, ())) for k, _ in met.candidates]
        if any(labels):
            item.groups.append(([f for _, f in met.candidates], labels))
    truth = {(s, p, o) for s, p, o, _ in gold_rels}
    truth |= {(o, p, s) for s, p, o, _ in gold_rels if p == "pairedWith"}
    optional = {(s, p, o) for s, p, o, opt in gold_rels if opt}
    item.actors, decided = [], set()
    for rel in kg.relations:
        group = (rel.predicate, rel.object, rel.evidence[0].sentence if rel.evidence else -1)
        if not rel.candidates or group in decided:
            continue
        decided.add(group)
        labels = [int(any((a, rel.predicate, b) in truth for a in gold_of.get(k, ()) for b in gold_of.get(rel.object, ())))
                  for k, _ in rel.candidates]
        if any(labels):
            item.actors.append(([f for _, f in rel.candidates], labels))
    item.rows = []
    for rel in kg.relations:
        if not rel.features:
            continue
        pairs = {(a, rel.predicate, b) for a in gold_of.get(rel.subject, ()) for b in gold_of.get(rel.object, ())}
        if pairs & optional and not pairs & (truth - optional):
            continue                     # borderline in the gold: teaches nothing
        item.rows.append((rel.features, int(bool(pairs & truth))))
    item.spans = span_rows(item.path, kg, item.gold)
    return item


# -- entity spans (kg.spans) ----------------------------------------------------------------
def span_rows(path: Path, kg: KnowledgeGraph, gold: Path) -> list[tuple[dict, int]]:
    """The article's candidate spans with their features, labelled by the gold: 1 when the
    span (or, for one the rules kept, its resolved entity) carries a gold name of one of its
    types; 0 when it names nothing or something else; left out when the name is optional."""
    from .clean import clean
    from .mentions import span_examples
    from .read import read_document
    gold_entities = load_gold(gold)[0]
    by_name: dict[str, list] = {}
    for g in gold_entities.values():
        for n in g.names:
            by_name.setdefault(n, []).append(g)
    resolved = {}
    for e in kg.entities.values():
        for m in e.mentions:
            resolved[(m.start, m.end, m.type)] = {normalise(n) for n in (e.label, *e.alt_labels)}
    rows = []
    for m, feats in span_examples(clean(read_document(path))):
        names = {normalise(m.text), normalise(m.name or m.text)} | resolved.get((m.start, m.end, m.type), set())
        hits = [g for n in names for g in by_name.get(n, ())]
        if hits and all(g.optional for g in hits):
            continue
        rows.append((feats, int(any(not g.optional and {m.type, *m.alt_types} & g.types for g in hits))))
    return rows


def gold_keys(kg: KnowledgeGraph, gold_entities) -> dict[str, set[str]]:
    """Entity key -> keys of the gold entities sharing one of its names."""
    by_name: dict[str, set[str]] = {}
    for key, g in gold_entities.items():
        for n in g.names:
            by_name.setdefault(n, set()).add(key)
    out = {}
    for key, e in kg.entities.items():
        names = {normalise(n) for n in (e.label, *e.alt_labels)} | {normalise(m.text) for m in e.mentions}
        hits = set().union(*(by_name.get(n, set()) for n in names))
        if hits:
            out[key] = hits
    return out


# -- fitting -------------------------------------------------------------------------------
def _fit(rows: list[dict], labels: list[int], c: float):
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:                      # pragma: no cover - a usage error, not a test path
        raise SystemExit("kg train: needs scikit-learn (pip install -e '.[train]')")
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(rows).tocsr()
    x.indices, x.indptr = x.indices.astype("int32"), x.indptr.astype("int32")   # what liblinear takes
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    model.fit(x, labels)
    weights = {name: float(w) for name, w in zip(vec.get_feature_names_out(), model.coef_[0])}
    return weights, float(model.intercept_[0])


def _platt(scores: list[float], right: list[int]) -> tuple[float, float]:
    """Calibration map sigmoid(a * logit(p) + b) fitted on held-out (p, right) pairs."""
    import math
    if len(set(right)) < 2:
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression
    xs = [[math.log(max(min(p, 1 - 1e-6), 1e-6) / (1 - max(min(p, 1 - 1e-6), 1e-6)))] for p in scores]
    m = LogisticRegression(C=100.0, solver="liblinear", random_state=0).fit(xs, right)
    return float(m.coef_[0][0]), float(m.intercept_[0])


def fit_choice(items: list[Annotated], c: float = 0.3, calibrate: bool = True, name: str = "metric_subject",
               groups=lambda it: it.groups) -> Scorer:
    """A choice scorer (a figure's subject): a candidate is right (1) or not (0);
    :meth:`Scorer.choose` takes the best-scoring one of a decision's candidates."""
    def fit(subset):
        rows = [f for it in subset for feats, labels in groups(it) for f in feats]
        ys = [y for it in subset for feats, labels in groups(it) for y in labels]
        w, b = _fit(rows, ys, c)
        return Scorer(name, w, b)

    scorer = fit(items)
    trusted = {}
    if calibrate:
        probs, right = [], []
        steps: dict[str, list[int]] = {}        # rule step -> [decisions, rule right, model right]
        for k in range(FOLDS):
            train = [it for i, it in enumerate(items) if i % FOLDS != k]
            held = [it for i, it in enumerate(items) if i % FOLDS == k]
            if not held or not any(groups(it) for it in train):
                continue
            s = fit(train)
            for it in held:
                for feats, labels in groups(it):
                    best, p = s.choose(feats)
                    probs.append(p)
                    right.append(labels[best])
                    ruled = next((j for j, f in enumerate(feats) if "rule" in f), None)
                    step = _step(feats[ruled]) if ruled is not None else None
                    if step:
                        row = steps.setdefault(step, [0, 0, 0])
                        row[0] += 1
                        row[1] += labels[ruled]
                        row[2] += labels[best]
        scorer.calibration = _platt(probs, right)
        # a rule that reads a construction keeps deciding where it fires, at its held-out
        # precision (Laplace-smoothed); where the rules only fall back to the nearest name or
        # the article's actor, or a rule does worse than the model held out, the model decides
        trusted = {step: round((r + 1) / (n + 2), 3) for step, (n, r, m) in sorted(steps.items())
                   if step not in FALLBACK_STEPS and (r >= m or n < 5)}
    scorer.about = ("Subject of a figure: weights of a logistic regression over candidate features "
                    "(kg/metrics.py subject_candidates), trained by kg.train.")
    scorer.meta = {"decisions": sum(len(groups(it)) for it in items), "documents": len(items), "C": c,
                   "trusted rules": trusted}
    return scorer


def _step(features: dict) -> str | None:
    """The rule step named in a candidate's features (``rule:right_before``)."""
    return next((f[5:] for f in features if f.startswith("rule:") and "&" not in f), None)


def fit_binary(items: list[Annotated], c: float = 0.5, calibrate: bool = True, name: str = "relation",
               rows_of=lambda it: it.rows) -> Scorer:
    """A yes-or-no scorer: whether a proposed (subject, predicate, object) holds; whether a
    candidate actor is one of those who act (several may: a city and its aid command)."""
    def fit(subset):
        rows = [f for it in subset for f, _ in rows_of(it)]
        ys = [y for it in subset for _, y in rows_of(it)]
        w, b = _fit(rows, ys, c)
        return Scorer(name, w, b)

    scorer = fit(items)
    if calibrate:
        probs, right = [], []
        for k in range(FOLDS):
            train = [it for i, it in enumerate(items) if i % FOLDS != k]
            held = [it for i, it in enumerate(items) if i % FOLDS == k]
            if not held or len({y for it in train for _, y in rows_of(it)}) < 2:
                continue
            s = fit(train)
            for it in held:
                for f, y in rows_of(it):
                    probs.append(s.probability(f))
                    right.append(y)
        scorer.calibration = _platt(probs, right)
    scorer.about = {"relation": "Whether a proposed relation holds: weights of a logistic regression over "
                                "candidate features (kg/relations.py features), trained by kg.train.",
                    "actor": "Who acts in implements, introduced and builds: weights of a logistic regression "
                             "over candidate features (kg/relations.py actor_candidates), trained by kg.train.",
                    "span": "Whether a candidate span is an entity of its type, with this start: weights of a "
                            "logistic regression over span features (kg/spans.py features), trained by kg.train."}[name]
    scorer.meta = {"candidates": sum(len(rows_of(it)) for it in items), "documents": len(items), "C": c}
    return scorer


def fit_all(items: list[Annotated], calibrate: bool = True) -> dict[str, Scorer]:
    return {"metric_subject": fit_choice(items, calibrate=calibrate),
            "relation": fit_binary(items, calibrate=calibrate),
            "actor": fit_binary(items, calibrate=calibrate, name="actor",
                                rows_of=lambda it: [r for feats, labels in it.actors for r in zip(feats, labels)]),
            "span": fit_binary(items, c=SPAN_C, calibrate=calibrate, name="span", rows_of=lambda it: it.spans)}


def train(pairs: Iterable[tuple[str | Path, str | Path]], out: str | Path = MODELS) -> dict[str, Scorer]:
    """Train every scorer on the annotated articles and write them as JSON into ``out``."""
    items = [examples(it) for it in annotated(pairs)]
    if not items:
        raise SystemExit("kg train: no annotated article found (a gold file's \"doc\" names its article)")
    scorers = fit_all(items)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, scorer in scorers.items():
        (out / f"{name}.json").write_text(scorer.to_json(), encoding="utf-8")
    return scorers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kg train", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", action="append", required=True, help="folder of annotated articles (repeatable)")
    ap.add_argument("--gold", action="append", required=True, help="its folder of gold JSON (same order)")
    ap.add_argument("--out", default=str(MODELS), help="where the model files go (default: the shipped ones)")
    args = ap.parse_args(argv)
    if len(args.docs) != len(args.gold):
        ap.error("give one --gold for each --docs")
    scorers = train(zip(args.docs, args.gold), args.out)
    for name, s in scorers.items():
        print(f"{name}: {len(s.weights)} weights, {s.meta}, calibration {s.calibration[0]:.3f} {s.calibration[1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
