"""The bundled SPARQL queries answer their questions correctly on the seed build, and
pyoxigraph and rdflib give the same answers on every one of them; ``kg query`` output."""
from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import ROOT
from kg.cli import main
from kg.sparql import Term, default_engine, load, read_query, render, run_query, to_table, width

QUERIES = ROOT / "queries"
ALL_QUERIES = sorted(p.name for p in QUERIES.glob("*.rq"))
BASE = "https://w3id.org/yuanjiang-kg/"
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in
            ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger")}


def _path(seed_build, name):
    return next(p for p in seed_build.outputs if p.name == name)


@pytest.fixture(scope="module")
def stores(seed_build):
    ttl = _path(seed_build, "graph.ttl")
    return {"oxigraph": load(ttl, "oxigraph"), "rdflib": load(ttl, "rdflib")}


def ask(stores, name, engine="oxigraph", edit=None):
    text = (QUERIES / name).read_text(encoding="utf-8")
    if edit:
        text = text.replace(*edit)
    return run_query(stores[engine], text)


def records(result):
    """SELECT rows as dicts of plain Python values (numbers as Decimal, booleans as bool)."""
    return [{var: _plain(t) for var, t in zip(result.header, row)} for row in result.rows]


def _plain(t: Term | None):
    if t is None:
        return None
    if t.kind == "literal" and t.datatype in _NUMERIC:
        return Decimal(t.value)
    if t.kind == "literal" and t.datatype and t.datatype.endswith("#boolean"):
        return t.value in ("true", "1")
    return t.value


def _normal(t: Term | None):
    """Engine-neutral form of a term: the same number written 8.4E8 or 840000000 is equal."""
    if t is None:
        return None
    if t.kind == "literal" and t.datatype in _NUMERIC:
        try:
            return ("number", Decimal(t.value).normalize())
        except InvalidOperation:
            return ("number", t.value)
    return (t.kind, t.value, t.lang, t.datatype)


def _answer(result):
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted({tuple(map(_normal, t)) for t in result.triples}, key=repr)
    return result.header, sorted((tuple(map(_normal, row)) for row in result.rows), key=repr)


# ---- both engines agree --------------------------------------------------------------------

def test_there_are_at_least_thirteen_documented_queries():
    assert len(ALL_QUERIES) >= 13
    for name in ALL_QUERIES:
        text = (QUERIES / name).read_text(encoding="utf-8")
        header = [line for line in text.splitlines() if line.startswith("#")]
        assert len(header) >= 2, f"{name}: no comment header saying what it answers"
        assert any("kg query" in line for line in header), f"{name}: the header does not say how to run it"


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_pyoxigraph_and_rdflib_give_the_same_answer(stores, name):
    ox_result, rdflib_result = ask(stores, name, "oxigraph"), ask(stores, name, "rdflib")
    assert ox_result.kind == rdflib_result.kind
    assert _answer(ox_result) == _answer(rdflib_result)
    assert ox_result.rows or ox_result.triples, f"{name} answers nothing on the seeds"


@pytest.mark.parametrize("name", ["supports.rq", "funding_per_city.rq", "aid_fields.rq"])
def test_trig_union_gives_the_graph_ttl_answer_on_both_engines(seed_build, stores, name):
    trig = _path(seed_build, "graph.trig")
    text = read_query(str(QUERIES / name))
    for engine in ("oxigraph", "rdflib"):
        on_trig = run_query(trig, text, engine)
        if name == "aid_fields.rq":  # the ontology in the reference graph adds the field labels
            assert all(r["fieldLabel"] for r in records(on_trig))
            assert len(on_trig.rows) == len(ask(stores, name, engine).rows)
        else:
            assert _answer(on_trig) == _answer(ask(stores, name, engine))


# ---- each query's answer on the seeds -----------------------------------------------------

def test_supports(stores):
    pairs = {(r["supporterLabel"], r["supportedLabel"]): r for r in records(ask(stores, "supports.rq"))}
    assert ("衢州市", "乌什县") in pairs
    assert ("湖州市", "柯坪县") in pairs
    assert pairs[("衢州市", "乌什县")]["sentences"] >= 1
    assert ("湖州市", "乌什县") not in pairs and ("衢州市", "柯坪县") not in pairs


def test_supports_has_every_pair_once_with_its_sentences_counted(stores):
    """supports.rq reads the pairings the build states in the merged graph: the same pairs
    as yj:supports itself, each once, with the sentences its fact cites counted here."""
    rows = records(ask(stores, "supports.rq"))
    counted = run_query(stores["oxigraph"], """
        PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?s ?o (COUNT(DISTINCT ?sentence) AS ?n) WHERE {
          ?s yj:supports ?o .
          ?fact rdf:predicate yj:supports ; rdf:subject ?s ; rdf:object ?o ; prov:wasDerivedFrom ?sentence .
          ?sentence a nif:Sentence } GROUP BY ?s ?o""")
    expected = {(r["s"], r["o"]): r["n"] for r in records(counted)}
    assert len(expected) >= 5
    assert len(rows) == len(expected)
    assert {(r["supporter"], r["supported"]): r["sentences"] for r in rows} == expected


def test_each_facts_evidence_count_is_the_number_of_sentences_stating_it(stores):
    """yj:evidenceCount, which supports.rq reads, is what counting the fact's distinct
    source sentences gives: for every fact of the seeds, and none for the gazetteer's."""
    counted = run_query(stores["oxigraph"], """
        PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?fact (COUNT(DISTINCT ?s) AS ?n) WHERE { ?fact a yj:Fact ; prov:wasDerivedFrom ?s . ?s a nif:Sentence }
        GROUP BY ?fact""")
    stored = run_query(stores["oxigraph"], """
        PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
        SELECT ?fact ?n WHERE { ?fact yj:evidenceCount ?n }""")
    counts = {r["fact"]: r["n"] for r in records(counted)}
    assert len(counts) > 20
    assert {r["fact"]: r["n"] for r in records(stored)} == counts


def test_funding_and_projects_per_city(stores):
    rows = {r["cityLabel"]: r for r in records(ask(stores, "funding_per_city.rq"))}
    assert rows["衢州市"]["funding"] == 840_000_000 and rows["衢州市"]["fundingUnit"] == "CNY"  # 8.4亿元
    assert rows["衢州市"]["projects"] == 91 and rows["衢州市"]["projectsUnit"] == "item"
    assert rows["湖州市"]["funding"] == 350_000_000 and rows["湖州市"]["projects"] == 80  # 3.5亿元, 80个
    assert list(rows) == ["衢州市", "湖州市"]  # largest funding first


def test_enterprises_per_county(stores):
    by_county: dict[str, set] = {}
    for r in records(ask(stores, "enterprises_per_county.rq")):
        by_county.setdefault(r["countyLabel"], set()).add((r["enterpriseLabel"], r["introducerLabel"]))
    assert {e for e, _ in by_county["柯坪县"]} == {"新疆优驼", "新疆新驼", "美欣达集团"}
    assert {"华盛纺织", "天和针织", "睿丁生物", "麦伦工贸"} <= {e for e, _ in by_county["乌什县"]}
    assert {i for _, i in by_county["柯坪县"]} == {"湖州市援疆指挥部"}


def test_schools_and_hospitals_per_county(stores):
    rows = records(ask(stores, "built_per_county.rq"))
    keping = {(r["kind"], r["facilityLabel"]) for r in rows if r["countyLabel"] == "柯坪县"}
    assert {("school", "柯坪湖州小学"), ("school", "柯坪湖州国庆中学"), ("hospital", "县妇幼保健院")} <= keping
    built = {(r["facilityLabel"], r["builderLabel"]) for r in rows}
    assert ("柯坪湖州国庆中学", "湖州市援疆指挥部") in built
    # 培育3所有礼学校 counts schools of a kind (a figure in the gold), it names none built
    assert not [b for f, b in built if "有礼学校" in f and b]
    assert ("县妇幼保健院", "湖州市援疆指挥部") in built

    counts = {r["countyLabel"]: r for r in records(ask(stores, "built_counts_per_county.rq"))}
    for county in ("柯坪县", "乌什县"):
        listed = [r for r in rows if r["countyLabel"] == county]
        # one row per builder: a school built by a city and by its aid command is listed twice
        assert counts[county]["schools"] == len({r["facility"] for r in listed if r["kind"] == "school"})
        assert counts[county]["hospitals"] == len({r["facility"] for r in listed if r["kind"] == "hospital"})
        assert counts[county]["builtByAid"] == len({r["facilityLabel"] for r in listed if r["builderLabel"]})
    assert counts["柯坪县"]["hospitals"] >= 2 and counts["乌什县"]["schools"] >= 3


def test_initiatives_per_actor(seed_build, stores):
    rows = records(ask(stores, "initiatives_per_actor.rq"))
    graph = seed_build.graph
    expected: dict[str, set] = {}
    for rel in graph.relations:
        if rel.predicate == "implements" and "Initiative" in graph.entities[rel.object].types:
            expected.setdefault(graph.entities[rel.subject].label, set()).add(rel.object)
    assert {r["actorLabel"]: int(r["initiatives"]) for r in rows} == {k: len(v) for k, v in expected.items()}
    assert rows[0]["actorLabel"].endswith("援疆指挥部")  # the aid commands do the most
    assert [r["initiatives"] for r in rows] == sorted((r["initiatives"] for r in rows), reverse=True)


def test_every_metric_with_its_sentence(seed_build, stores):
    rows = records(ask(stores, "metrics.rq"))
    assert len(rows) == sum(1 for m in seed_build.graph.metrics if m.evidence)
    for r in rows:
        assert r["surface"] in r["sentence"] or r["surface"].replace(" ", "") in r["sentence"].replace(" ", "")
    funding = next(r for r in rows if r["surface"] == "8.4亿元")
    assert funding["value"] == 840_000_000 and funding["unit"] == "CNY" and funding["subjectLabel"] == "衢州市援疆指挥部"
    assert any(r["approximate"] is True for r in rows) and any(r["approximate"] is False for r in rows)


def test_entities_in_more_than_one_document(seed_build, stores):
    rows = records(ask(stores, "multi_document_entities.rq"))
    expected = {e.label for e in seed_build.graph.entities.values() if len({m.doc_id for m in e.mentions}) > 1}
    assert {r["label"] for r in rows} == expected
    assert "新疆维吾尔自治区" in expected
    assert all(r["documents"] >= 2 for r in rows)


def test_place_hierarchy(stores):
    rows = records(ask(stores, "place_hierarchy.rq"))
    chain = {}
    for r in rows:
        chain.setdefault(r["placeLabel"], []).append((r["depth"], r["ancestorLabel"]))
    assert sorted(chain["乌什县"]) == [(0, "新疆维吾尔自治区"), (1, "阿克苏地区")]
    assert sorted(chain["库木齐吾斯塘村"]) == [(0, "新疆维吾尔自治区"), (1, "阿克苏地区"), (2, "乌什县"), (3, "阿克托海乡")]
    assert (0, "浙江省") in chain["龙游县"] and (1, "衢州市") in chain["龙游县"]


def _triples(result):
    return {(s.value, p.value, o.value) for s, p, o in result.triples}


def test_everything_about_one_entity(stores):
    wushi, quzhou, aksu = BASE + "id/place/652927", BASE + "id/place/330800", BASE + "id/place/652900"
    yj = "https://w3id.org/yuanjiang-kg/ontology#"
    result = ask(stores, "about_entity.rq")
    assert result.kind == "graph"
    triples = _triples(result)
    assert (quzhou, yj + "supports", wushi) in triples
    assert (wushi, yj + "locatedIn", aksu) in triples
    assert (wushi, yj + "adminCode", "652927") in triples
    assert (aksu, "http://www.w3.org/2000/01/rdf-schema#label", "阿克苏地区") in triples  # neighbours named
    assert not any(p.endswith("#taIdentRef") for _, p, _ in triples)  # mentions left out

    # the VALUES line is the one thing a user edits
    keping = _triples(ask(stores, "about_entity.rq", edit=('"乌什县"@zh', '"柯坪县"@zh')))
    assert (BASE + "id/place/330500", yj + "supports", BASE + "id/place/652929") in keping
    assert (quzhou, yj + "supports", wushi) not in keping


def test_people_per_county(stores):
    rows = records(ask(stores, "people_per_county.rq"))
    assert all(r["unit"] == "person" for r in rows)
    found = {(r["countyLabel"], r["indicator"], int(r["value"])) for r in rows}
    assert ("柯坪县", "援疆干部人才", 74) in found       # 第十批湖州援疆干部人才: batch and city off
    assert ("乌什县", "援疆干部人才支援新疆", 74) in found
    assert not any(county == "乌什县" and "湖州" in ind for county, ind, _ in found)


def test_aid_fields(stores):
    rows = records(ask(stores, "aid_fields.rq"))
    fields = {r["field"].rsplit("#", 1)[1]: r["initiativeLabel"] for r in rows}
    assert fields["field-education"] == "教育援疆“1+N”赋能行动"
    assert {"field-medical", "field-culture"} <= set(fields)


def test_documents(seed_build, stores):
    rows = records(ask(stores, "documents.rq"))
    docs = seed_build.graph.documents
    assert {r["file"] for r in rows} == {d.name for d in docs}
    from kg.graph import NIF
    from rdflib import RDF
    assert sum(r["sentences"] for r in rows) == len(set(seed_build.rdf.subjects(RDF.type, NIF.Sentence)))
    assert sum(r["metrics"] for r in rows) == sum(1 for m in seed_build.graph.metrics if m.evidence)


def test_provenance_queries(seed_build, stores):
    mentions = sum(len(e.mentions) for e in seed_build.graph.entities.values())
    assert len(ask(stores, "provenance_entities.rq").rows) == mentions
    facts = records(ask(stores, "provenance_facts.rq"))
    assert {r["source"] for r in facts if r["sentence"] is None} == {BASE + "reference/gazetteer"}
    assert len(ask(stores, "provenance_metrics.rq").rows) == sum(1 for m in seed_build.graph.metrics if m.about)


# ---- kg query: formats, engines, inputs -------------------------------------------------------

def _kg(capsys, *args):
    code = main(["query", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_aligns_chinese_columns(seed_build, capsys):
    code, out, _ = _kg(capsys, _path(seed_build, "graph.ttl"), QUERIES / "supports.rq")
    assert code == 0
    lines = out.rstrip("\n").splitlines()
    assert "衢州市" in out and lines[-1] == "(5 rows)"

    def bars(line):  # display columns at which each column separator sits
        return [width(line[:i]) for i, c in enumerate(line) if c in "│┼"]

    assert len({tuple(bars(line)) for line in lines[:-1]}) == 1


def test_width_counts_chinese_as_two_columns():
    assert width("乌什县") == 6 and width("abc") == 3 and width("“十城百店”") == 10


def test_long_cells_are_clipped_only_in_the_table(seed_build):
    result = run_query(_path(seed_build, "graph.ttl"), read_query(str(QUERIES / "metrics.rq")))
    table = to_table(result, max_width=20)
    assert "…" in table and all(width(cell.strip()) <= 20 for line in table.splitlines()[2:-1] for cell in line.split("│"))
    longest = max((t.value for row in result.rows for t in row if t is not None), key=width)
    assert longest in render(result, "csv") and longest not in table


def test_json_is_sparql_results_json(seed_build, capsys):
    code, out, _ = _kg(capsys, _path(seed_build, "graph.ttl"), QUERIES / "funding_per_city.rq", "--format", "json")
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["city", "cityLabel", "funding", "fundingUnit", "projects", "projectsUnit"]
    first = doc["results"]["bindings"][0]
    assert first["city"] == {"type": "uri", "value": BASE + "id/place/330800"}
    assert first["cityLabel"] == {"type": "literal", "value": "衢州市", "xml:lang": "zh"}
    assert Decimal(first["funding"]["value"]) == 840_000_000
    assert first["funding"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"


def test_csv_and_tsv(seed_build, capsys):
    graph = _path(seed_build, "graph.ttl")
    _, out, _ = _kg(capsys, graph, QUERIES / "supports.rq", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["supporterLabel"], r["supportedLabel"]) for r in rows} >= {("衢州市", "乌什县"), ("湖州市", "柯坪县")}
    _, out, _ = _kg(capsys, graph, QUERIES / "supports.rq", "--format", "tsv")
    lines = out.splitlines()
    assert lines[0].split("\t")[:2] == ["?supporter", "?supporterLabel"]
    assert '"衢州市"@zh' in out and "<" + BASE + "id/place/652927>" in out


def test_ask_prints_true_or_false(seed_build, capsys):
    graph = _path(seed_build, "graph.ttl")
    q = "ASK { <%sid/place/330800> <https://w3id.org/yuanjiang-kg/ontology#supports> <%sid/place/%s> }"
    assert _kg(capsys, graph, q % (BASE, BASE, "652927"))[1] == "true\n"
    assert _kg(capsys, graph, q % (BASE, BASE, "652929"), "--format", "json")[1] == '{"head": {}, "boolean": false}\n'


def test_construct_prints_turtle(seed_build, capsys):
    code, out, _ = _kg(capsys, _path(seed_build, "graph.ttl"), QUERIES / "about_entity.rq")
    assert code == 0 and "@prefix yj:" in out
    g = Graph().parse(data=out, format="turtle")
    assert len(g) == len(ask({"oxigraph": load(_path(seed_build, "graph.ttl"))}, "about_entity.rq").triples)


def test_every_export_can_be_queried(seed_build, tmp_path):
    from kg.pipeline import write_outputs
    paths = write_outputs(seed_build.graph, tmp_path, html=False, formats="all")
    text = read_query(str(QUERIES / "funding_per_city.rq"))
    expected = _answer(run_query(_path(seed_build, "graph.ttl"), text))
    for path in paths:
        if path.suffix in (".nt", ".jsonld", ".trig"):
            for engine in ("oxigraph", "rdflib"):
                assert _answer(run_query(path, text, engine)) == expected, (path.name, engine)


def test_run_query_accepts_loaded_stores(seed_build):
    import pyoxigraph as ox
    store = ox.Store()
    store.load(path=str(_path(seed_build, "graph.ttl")), format=ox.RdfFormat.TURTLE)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(run_query(store, q).rows[0][0].value) == len(seed_build.rdf)
    assert int(run_query(seed_build.rdf, q).rows[0][0].value) == len(seed_build.rdf)
    assert run_query(seed_build.rdf, q).engine == "rdflib"


def test_rdflib_is_the_fallback_without_pyoxigraph(seed_build, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyoxigraph", None)  # import pyoxigraph now fails
    assert default_engine() == "rdflib"
    result = run_query(_path(seed_build, "graph.ttl"), read_query(str(QUERIES / "supports.rq")))
    assert result.engine == "rdflib" and len(result.rows) == 5
    code, out, _ = _kg(capsys, _path(seed_build, "graph.ttl"), QUERIES / "funding_per_city.rq")
    assert code == 0 and "840000000" in out


def test_query_text_or_file(tmp_path):
    assert read_query("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"
    rq = tmp_path / "q.rq"
    rq.write_text("ASK {}", encoding="utf-8")
    assert read_query(str(rq)) == "ASK {}"
    with pytest.raises(FileNotFoundError):
        read_query(str(tmp_path / "missing.rq"))


def test_errors_are_one_line(seed_build, capsys, tmp_path):
    graph = _path(seed_build, "graph.ttl")
    code, _, err = _kg(capsys, graph, "SELECT WHERE {")
    assert code == 1 and err.startswith("kg query: SPARQL syntax error")
    code, _, err = _kg(capsys, graph, "SELECT WHERE {", "--engine", "rdflib")
    assert code == 1 and err.startswith("kg query: SPARQL syntax error")
    code, _, err = _kg(capsys, tmp_path / "none.ttl", "ASK {}")
    assert code == 1 and "no such graph file" in err
    (tmp_path / "g.xyz").write_text("", encoding="utf-8")
    code, _, err = _kg(capsys, tmp_path / "g.xyz", "ASK {}")
    assert code == 1 and "unknown RDF format" in err
