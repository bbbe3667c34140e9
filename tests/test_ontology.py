"""The ontology declares the contract vocabulary; the SHACL shapes hold on the seed graph
and catch broken graphs with a readable message."""
import subprocess
import sys

import pyoxigraph
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, Namespace

from conftest import ROOT

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
CLASSES = ["City", "County", "Enterprise", "School", "Initiative", "Metric", "Province", "Prefecture",
           "Township", "Village", "Organization", "Hospital", "Facility", "Person", "Product"]
PROPERTIES = ["supports", "locatedIn", "subOrganizationOf", "implements", "introduced", "builds",
              "pairedWith", "value", "unit", "indicator", "about", "hasMetric"]


@pytest.fixture(scope="module")
def onto():
    return rdflib.Graph().parse(ROOT / "ontology" / "yuanjiang.ttl")


def langs(g, term, prop):
    return {o.language for o in g.objects(term, prop) if isinstance(o, Literal)}


def test_every_contract_term_is_declared_with_labels_and_definitions(onto):
    for name in CLASSES:
        assert (YJ[name], RDF.type, OWL.Class) in onto, name
    for name in PROPERTIES:
        assert set(onto.objects(YJ[name], RDF.type)) & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
        assert onto.value(YJ[name], RDFS.domain) is not None and onto.value(YJ[name], RDFS.range) is not None, name
    for name in CLASSES + PROPERTIES:
        assert {"zh", "en"} <= langs(onto, YJ[name], RDFS.label), name
        assert {"zh", "en"} <= langs(onto, YJ[name], SKOS.prefLabel), name
        assert {"zh", "en"} <= langs(onto, YJ[name], SKOS.definition), name


def test_alignments_and_no_contract_class_under_another(onto):
    schema = Namespace("https://schema.org/")
    assert (YJ.City, RDFS.subClassOf, schema.City) in onto
    assert (YJ.locatedIn, RDF.type, OWL.TransitiveProperty) in onto
    assert (YJ.pairedWith, RDF.type, OWL.SymmetricProperty) in onto
    contract = {YJ[c] for c in CLASSES}
    for c in contract:
        assert not (set(onto.transitive_objects(c, RDFS.subClassOf)) - {c}) & contract, c


def test_files_parse_strictly():
    for name in ("yuanjiang.ttl", "shapes.ttl"):
        path = ROOT / "ontology" / name
        store = pyoxigraph.Store()
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
        assert len(store) > 50
        assert subprocess.run(["rapper", "-q", "-i", "turtle", "-c", str(path)]).returncode == 0


def test_seed_graph_conforms(seed_build):
    from kg.validate import validate
    ok, report = validate(seed_build.rdf)
    assert ok, report


def _copy(g):
    c = rdflib.Graph()
    for t in g:
        c.add(t)
    return c


@pytest.mark.parametrize("breakage,message", [
    ("drop_zh_label", "exactly one rdfs:label in Chinese"),
    ("two_values", "exactly one numeric yj:value"),
    ("no_about", "exactly one yj:about"),
    ("fact_without_source", "a fact needs provenance"),
    ("mention_without_offsets", "nif:beginIndex"),
    ("pairing_names_another_supporter", "a pairing's yj:supporter is its fact's one rdf:subject"),
    ("pairing_on_another_relation", "only a yj:supports fact has a yj:supporter"),
])
def test_broken_graphs_fail_with_a_readable_message(seed_build, breakage, message):
    from kg.validate import validate
    g = _copy(seed_build.rdf)
    metric = next(g.subjects(RDF.type, YJ.Metric))
    entity = next(g.subjects(RDF.type, YJ.County))
    fact = next(g.subjects(RDF.type, YJ.Fact))
    mention = next(g.subjects(RDF.type, NIF.Phrase))
    if breakage == "drop_zh_label":
        g.remove((entity, RDFS.label, None))
    elif breakage == "two_values":
        g.add((metric, YJ.value, Literal(7)))
    elif breakage == "no_about":
        g.remove((metric, YJ.about, None))
    elif breakage == "fact_without_source":
        g.remove((fact, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None))
    elif breakage == "mention_without_offsets":
        g.remove((mention, NIF.beginIndex, None))
    elif breakage == "pairing_names_another_supporter":
        pairing = next(g.subjects(YJ.supporter, None))
        g.set((pairing, YJ.supporter, entity))
    elif breakage == "pairing_on_another_relation":
        other = next(f for f in g.subjects(RDF.type, YJ.Fact) if g.value(f, RDF.predicate) != YJ.supports)
        g.add((other, YJ.supporter, g.value(other, RDF.subject)))
    ok, report = validate(g)
    assert not ok
    assert message in report
    assert report.splitlines()[-1].startswith("does not conform")


def test_kg_validate_command(seed_build, tmp_path):
    ttl = next(p for p in seed_build.outputs if p.name == "graph.ttl")
    ok = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(ttl)], capture_output=True, text=True)
    assert ok.returncode == 0 and "conforms" in ok.stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix yj: <https://w3id.org/yuanjiang-kg/ontology#> .\n<http://x/m> a yj:Metric .\n',
                   encoding="utf-8")
    fail = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(bad)], capture_output=True, text=True)
    assert fail.returncode == 1 and "yj:value" in fail.stdout
