"""SHACL validation of a graph against ``ontology/shapes.ttl`` (with pySHACL).

Entry point: :func:`validate`. The ontology is mixed into the data graph so that
``sh:class yj:Entity`` holds for every contract class through rdfs:subClassOf.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib.namespace import SH

HERE = Path(__file__).resolve().parent
PREFIXES = {"https://w3id.org/yuanjiang-kg/ontology#": "yj:",
            "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#": "nif:",
            "http://www.w3.org/ns/prov#": "prov:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
            "http://www.w3.org/2005/11/its/rdf#": "itsrdf:"}


def ontology_dir() -> Path:
    """``ontology/`` next to the package (repository layout), else a copy inside it."""
    for candidate in (HERE.parent / "ontology", HERE / "data" / "ontology"):
        if (candidate / "shapes.ttl").exists():
            return candidate
    raise FileNotFoundError("ontology/shapes.ttl not found next to the kg package")


@lru_cache(maxsize=1)
def ontology_graph() -> rdflib.Graph:
    """The ontology (ontology/yuanjiang.ttl), read once."""
    return rdflib.Graph().parse(ontology_dir() / "yuanjiang.ttl")


def _short(term) -> str:
    text = str(term)
    for ns, prefix in PREFIXES.items():
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>" if isinstance(term, rdflib.URIRef) else text


def validate(data: rdflib.Graph | str | Path) -> tuple[bool, str]:
    """(conforms, report): one line per violation (focus node, path, message) and a summary."""
    from pyshacl import validate as shacl

    from .store import is_store, union_ntriples
    if not isinstance(data, rdflib.Graph) and is_store(data):
        data = rdflib.Graph().parse(data=union_ntriples(data), format="nt")
    if not isinstance(data, rdflib.Graph):
        from .sparql import load_graph
        data = load_graph(data)         # TriG and N-Quads: the triples of all their graphs
    folder = ontology_dir()
    shapes = rdflib.Graph().parse(folder / "shapes.ttl")
    ontology = rdflib.Graph().parse(folder / "yuanjiang.ttl")
    conforms, results, _ = shacl(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                 abort_on_first=False, allow_warnings=True)
    lines = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        message = results.value(r, SH.resultMessage)
        lines.append(f"{_short(focus)}  {_short(path) if path is not None else '-'}  {message}")
    lines.sort()
    summary = (f"conforms: {len(data)} triples checked against {folder / 'shapes.ttl'}" if conforms
               else f"does not conform: {len(lines)} violation(s)")
    return conforms, "\n".join(lines + [summary])
