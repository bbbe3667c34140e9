"""Shared fixtures: one build of the bundled seeds per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def generate_articles(count: int, out: Path) -> list[Path]:
    """``count`` articles of benchmarks/generate.py's corpus in ``out``."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("kg_bench_generate", ROOT / "benchmarks" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.generate(count, out)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    import kg
    out = tmp_path_factory.mktemp("seed-build")
    return kg.build([SEEDS], out=out, formats="nt,trig")     # every file the tests read


@pytest.fixture(scope="session")
def seed_ttl(seed_build):
    """graph.ttl of the seed build."""
    return next(p for p in seed_build.outputs if p.name == "graph.ttl")


@pytest.fixture(scope="session")
def seed_entities(seed_build):
    return seed_build.graph.entities


def doc_from_text(text: str, name: str = "t.txt"):
    """A cleaned Document built from a string, as the pipeline would make it."""
    from kg.clean import clean
    from kg.read import read_bytes
    return clean(read_bytes(text.encode("utf-8"), name))


def extract_text(*texts: str):
    """Run the extraction stages over a few small articles (no I/O)."""
    from kg.pipeline import extract
    from kg.read import read_bytes
    docs = [read_bytes(t.encode("utf-8"), f"doc{i}.txt") for i, t in enumerate(texts)]
    return extract(docs)
