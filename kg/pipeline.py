"""The Python API: run the whole pipeline over files or folders.

    >>> import kg
    >>> result = kg.build(["seeds"], out="out")      # doctest: +SKIP
    >>> result.graph.entities["place/652927"].label  # doctest: +SKIP
    '乌什县'
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .cache import DocumentCache
from .export import write_json, write_turtle
from .graph import DEFAULT_BASE, to_rdf
from .metrics import extract_metrics
from .model import Document, KnowledgeGraph
from .parallel import process_document, run_documents  # noqa: F401  (process_document is API)
from .read import InputError, read_document
from .relations import aid_command, extract_relations
from .resolve import resolve

ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm", ".text"}
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class BuildResult:
    graph: KnowledgeGraph
    rdf: Graph
    seconds: float
    outputs: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        kg = self.graph
        types = Counter(e.types[0] for e in kg.entities.values())
        lines = [f"documents read: {len(kg.documents)}" + (f" ({len(kg.problems)} skipped)" if kg.problems else ""),
                 f"entities: {len(kg.entities)} (" + ", ".join(f"{t} {n}" for t, n in sorted(types.items())) + ")",
                 f"relations: {len(kg.relations)}", f"metrics: {len(kg.metrics)}",
                 f"triples: {len(self.rdf)}", f"seconds: {self.seconds:.2f}"]
        return "\n".join(lines)


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Article files under the given paths, sorted; problems for paths that do not exist."""
    files, problems = [], []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return files, problems


def unique_ids(documents: list[Document]) -> list[Document]:
    """Files with the same stem in different folders (a/x.txt, b/x.txt) get distinct ids:
    the id names the document's IRI and its named graph, so a clash would merge two files."""
    seen: Counter = Counter(d.doc_id for d in documents)
    taken: set[str] = set()
    for d in documents:
        if seen[d.doc_id] > 1:
            n, base = 2, d.doc_id
            while d.doc_id in taken:
                d.doc_id, n = f"{base}-{n}", n + 1
        taken.add(d.doc_id)
    return documents


def extract(documents: list[Document], jobs: int = 1, scheduler: str | None = None,
            cache: str | Path | None = None, progress: bool | None = None) -> KnowledgeGraph:
    """From read documents to the resolved graph (no I/O but the optional cache).

    The per-document stages run in ``jobs`` local processes or on the Dask cluster at
    ``scheduler``, reusing results from the ``cache`` folder; the rest runs here, on
    results in input order, so the graph does not depend on how they were computed."""
    store = DocumentCache(cache) if cache is not None else None
    processed = run_documents(documents, jobs=jobs, scheduler=scheduler, cache=store, progress=progress)
    entities, merges, pairings = resolve(processed)
    relations = extract_relations(processed, entities, pairings)
    actors = {}
    for doc, mentions in processed:
        pairing = pairings[doc.doc_id]
        supporter = f"place/{pairing.supporters[0]}" if pairing.supporters else None
        actors[doc.doc_id] = (supporter, aid_command(mentions, entities, supporter))
    metrics = extract_metrics(processed, entities, actors)
    return KnowledgeGraph(documents=[d for d, _ in processed], entities=entities,
                          relations=relations, metrics=metrics, merges=merges)


def build(paths: list[str | Path] | None = None, out: str | Path | None = "out",
          base: str = DEFAULT_BASE, html: bool = True, strict: bool = False,
          encoding: str | None = None, jobs: int = 1, scheduler: str | None = None,
          cache: str | Path | None = None, progress: bool | None = None) -> BuildResult:
    """Read, extract and (if ``out``) write graph.ttl, graph.html and merges.json.

    ``encoding`` forces one codec for every file instead of detecting it per file.
    ``jobs``, ``scheduler``, ``cache`` and ``progress`` are those of :func:`extract`.
    """
    started = time.perf_counter()
    files, problems = collect_files(paths or [DEFAULT_CORPUS])
    documents = []
    for f in files:
        try:
            documents.append(read_document(f, encoding=encoding))
        except InputError as err:
            if strict:
                raise
            problems.append(str(err))
    kg = extract(unique_ids(documents), jobs=jobs, scheduler=scheduler, cache=cache, progress=progress)
    kg.problems = problems
    rdf = to_rdf(kg, base)
    result = BuildResult(kg, rdf, 0.0)
    # nothing read: keep whatever an earlier build left in ``out`` rather than overwrite it
    if out is not None and kg.documents:
        result.outputs = write_outputs(kg, rdf, Path(out), html=html)
    result.seconds = time.perf_counter() - started
    return result


def write_outputs(kg: KnowledgeGraph, rdf: Graph, out: Path, html: bool = True) -> list[Path]:
    """Write every output file of a build into ``out`` (each one atomically)."""
    outputs = [write_turtle(rdf, out / "graph.ttl"),
               write_json({"merged": kg.merges, "skipped": kg.problems}, out / "merges.json")]
    if html:
        from .html import write_html
        outputs.append(write_html(rdf, out / "graph.html"))
    return outputs
