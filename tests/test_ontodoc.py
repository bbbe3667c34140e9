"""The ontology reference page and the data-model diagram (docs/data-model.md) match the ontology."""
from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from kg.ontodoc import ONTOLOGY, PAGE, YJ, diagram, render

ROOT = Path(__file__).resolve().parent.parent


def test_reference_page_is_up_to_date():
    assert PAGE.read_text(encoding="utf-8") == render(), "run: python -m kg.ontodoc"


def test_every_class_and_property_is_listed_with_both_labels():
    g = Graph().parse(ONTOLOGY)
    page = PAGE.read_text(encoding="utf-8")
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef) and str(t).startswith(YJ)]
    assert len(terms) > 30
    for term in terms:
        name = "yj:" + str(term)[len(YJ):]
        row = next(line for line in page.splitlines() if line.startswith(f"| `{name}` |"))
        cells = [c.strip() for c in row.split(" | ")]
        assert cells[1] and cells[2] and cells[3], row        # 中文, English, definition


def test_data_model_page_shows_the_generated_diagram():
    page = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    block = diagram(Graph().parse(ONTOLOGY))
    assert block in page
    for relation in ("supports", "locatedIn", "subOrganizationOf", "implements", "introduced", "builds", "pairedWith"):
        assert f"-- {relation} -->" in block
