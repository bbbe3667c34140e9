"""Learned decisions: small linear scorers that weigh the votes and features of candidates.

Rules and lexicons propose candidates (the subject of a figure, a relation between two
entities); each candidate is described by a dict of general features (types, order and
distance, clause and sentence boundaries, trigger-word classes, the rule that proposed it)
and never by an entity's own name. A :class:`Scorer` turns those features into a score
with weights trained on the annotated corpus (``kg.train``), shipped as JSON under
``kg/data/models/``; the build needs no training library.

Two uses:
- :meth:`Scorer.choose` picks one of several candidates (softmax over their scores);
- :meth:`Scorer.probability` says whether one candidate holds (a sigmoid).
Both return a calibrated confidence: the model file carries a Platt map fitted on
held-out folds, so facts at 0.8 are right about 80 % of the time on text not trained on.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "data" / "models"


@dataclass
class Scorer:
    name: str
    weights: dict[str, float]
    bias: float = 0.0
    calibration: tuple[float, float] = (1.0, 0.0)   # Platt: sigmoid(a * logit + b)
    about: str = ""
    meta: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict, init=False, repr=False, compare=False)   # prefixed_weights'

    def logit(self, features: dict[str, float]) -> float:
        # features without a weight add nothing: leaving them out gives the same sum, bit for bit
        w = self.weights
        return self.bias + sum([w[f] * v for f, v in features.items() if f in w])

    def calibrated(self, p: float) -> float:
        """Map a raw probability through the held-out calibration."""
        p = min(max(p, 1e-6), 1 - 1e-6)
        a, b = self.calibration
        return _sigmoid(a * math.log(p / (1 - p)) + b)

    def probability(self, features: dict[str, float]) -> float:
        return self.probability_of_logit(self.logit(features))

    def probability_of_logit(self, logit: float) -> float:
        return self.calibrated(_sigmoid(logit))

    def prefixed_weights(self, prefix: str, skip: tuple[str, ...] = ()) -> dict[str, float]:
        """feature -> the weight of ``prefix + feature``, for those that have one and do not
        start with any of ``skip`` (made once)."""
        view = self.views.get((prefix, skip))
        if view is None:
            view = self.views[prefix, skip] = {k[len(prefix):]: v for k, v in self.weights.items()
                                               if k.startswith(prefix) and not k[len(prefix):].startswith(skip)}
        return view

    def choose(self, candidates: list[dict[str, float]]) -> tuple[int, float]:
        """Index of the best candidate and its calibrated confidence (softmax share)."""
        if not candidates:
            return -1, 0.0
        scores = [self.logit(f) for f in candidates]
        top = max(range(len(scores)), key=lambda i: (scores[i], -i))
        peak = scores[top]
        total = sum(math.exp(s - peak) for s in scores)
        return top, self.calibrated(1.0 / total)

    def to_json(self) -> str:
        return json.dumps({"about": self.about, "name": self.name, "bias": round(self.bias, 6),
                           "calibration": [round(x, 6) for x in self.calibration], "meta": self.meta,
                           "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-6}},
                          ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Scorer":
        d = json.loads(text)
        return cls(d["name"], d["weights"], d.get("bias", 0.0), tuple(d.get("calibration", (1.0, 0.0))),
                   d.get("about", ""), d.get("meta", {}))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@lru_cache(maxsize=None)
def load_scorer(name: str, folder: str | None = None) -> Scorer | None:
    """The shipped model ``name`` (None when absent: the rules then decide alone)."""
    path = Path(folder or MODELS) / f"{name}.json"
    if not path.is_file():
        return None
    return Scorer.from_json(path.read_text(encoding="utf-8"))


SCORERS = ("metric_subject", "relation", "actor", "span")


def shipped_scorers() -> dict[str, Scorer | None]:
    """The models shipped under ``kg/data/models`` (None for any missing: rules decide)."""
    return {name: load_scorer(name) for name in SCORERS}


@lru_cache(maxsize=1 << 12)      # asked for the same few counts all the time
def bucket(n: int, edges: tuple[int, ...]) -> str:
    """``n`` as the first edge it does not exceed (``edges`` ascending), else ``edges[-1]+``."""
    for e in edges:
        if n <= e:
            return str(e)
    return f"{edges[-1]}+"
