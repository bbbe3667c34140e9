"""Writing outputs: Turtle and the other RDF formats, the merge report, all atomically.

Every file is written to a temporary file in the target folder and renamed into place,
so an interrupted run never leaves a half-written ``graph.ttl``.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Graph


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def turtle(graph: Graph) -> str:
    """Deterministic Turtle: rdflib sorts subjects and predicates; we use no blank nodes."""
    return graph.serialize(format="turtle")


def write_turtle(graph: Graph, path: str | Path) -> Path:
    return write_atomic(path, turtle(graph))


def write_json(obj, path: str | Path) -> Path:
    return write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
