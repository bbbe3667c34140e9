"""yuanjiang-kg: a knowledge graph of Chinese reporting on paired assistance to Xinjiang.

The pipeline runs one way: read -> clean -> mentions -> resolve -> relations and metrics
-> graph -> export. :func:`build` runs all of it; each stage is importable on its own.
"""
from .model import Document, Entity, KnowledgeGraph, Mention, Metric, Relation

__version__ = "0.1.0"


def build(*args, **kwargs):
    """See :func:`kg.pipeline.build`."""
    from .pipeline import build as _build
    return _build(*args, **kwargs)


__all__ = ["build", "Document", "Entity", "KnowledgeGraph", "Mention", "Metric", "Relation"]
