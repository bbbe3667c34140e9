"""End to end on the bundled seeds: outputs, parsers, provenance, determinism, CLI."""
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib import RDF

from conftest import ROOT, SEEDS

YJ = rdflib.Namespace("https://w3id.org/yuanjiang-kg/ontology#")
CONTRACT = ["City", "County", "Enterprise", "School", "Initiative", "Metric", "Province",
            "Prefecture", "Township", "Village", "Organization", "Hospital", "Facility", "Person", "Product"]


def test_build_writes_turtle_html_and_report(seed_build):
    names = {p.name for p in seed_build.outputs}
    assert {"graph.ttl", "graph.html", "merges.json"} <= names
    summary = seed_build.summary()
    assert "documents read: 2" in summary and "relations:" in summary and "metrics:" in summary


def test_build_that_lets_the_graph_go_writes_the_same_files(seed_build, tmp_path):
    """keep_graph=False (kg build) drops documents and mentions once the triples exist;
    the files, the summary figures and the merge report stay exactly those of a full build."""
    import kg
    lean = kg.build([SEEDS], out=tmp_path, keep_graph=False, formats="nt,trig")
    assert lean.graph.documents == [] and lean.graph.entities == {} and lean.quads is None
    with pytest.raises(ValueError, match="graph.nt"):
        lean.lines
    assert len(lean.index) == lean.triple_count == len(seed_build.lines)    # the page's index stays
    assert lean.graph.merges == seed_build.graph.merges
    assert lean.counts == seed_build.counts and lean.counts["documents"] == 2
    assert lean.summary().splitlines()[:-1] == seed_build.summary().splitlines()[:-1]
    assert lean.counts["entities"] == len(seed_build.graph.entities)
    for path in seed_build.outputs:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_lean_build_without_graph_trig_lets_the_lines_go_before_the_page(seed_build, tmp_path):
    """kg build's own path (keep_graph=False, default formats): each document is emptied
    once its graph is made and the graphs' lines go before the page is drawn; the lines,
    the files and the figures are those of a build that keeps everything."""
    import kg
    from kg.graph import to_quads
    from kg.pipeline import collect_files, extract, read_document, unique_ids
    graph = extract(unique_ids([read_document(f) for f in collect_files([SEEDS])[0]]))
    kept = to_quads(graph)
    lean = to_quads(graph, let_go=True)
    assert {n: lean.digest(n) for n in lean} == {n: kept.digest(n) for n in kept}
    assert all(d.raw == d.text == "" and not d.sentences and not len(d.offsets) for d in graph.documents)
    out = kg.build([SEEDS], out=tmp_path, keep_graph=False)
    assert out.quads is None and out.counts == seed_build.counts
    assert len(out.index) == out.triple_count == len(seed_build.lines)
    for name in ("graph.ttl", "graph.html", "merges.json"):
        assert (tmp_path / name).read_bytes() == (seed_build.outputs[0].parent / name).read_bytes(), name


def test_turtle_parses_with_rdflib_pyoxigraph_and_rapper(seed_build):
    ttl = next(p for p in seed_build.outputs if p.name == "graph.ttl")
    g = rdflib.Graph().parse(ttl)
    assert len(g) == len(seed_build.rdf) > 1000
    store = pyoxigraph.Store()
    store.load(path=str(ttl), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g)
    rapper = subprocess.run(["rapper", "-q", "-i", "turtle", "-c", str(ttl)], capture_output=True, text=True)
    assert rapper.returncode == 0, rapper.stderr


def test_graph_carries_the_contract_types(seed_build):
    g = seed_build.rdf
    present = {str(o).split("#")[-1] for o in g.objects(None, RDF.type)}
    # every mission type and most extended ones occur in the seeds
    assert {"City", "County", "Enterprise", "School", "Initiative", "Metric"} <= present
    assert len(set(CONTRACT) & present) >= 13


def test_every_entity_relation_and_metric_has_provenance(seed_build):
    g = seed_build.rdf
    q = (ROOT / "queries" / "provenance_entities.rq").read_text(encoding="utf-8")
    rows = list(g.query(q))
    found = {r.entity for r in rows}
    entities = {s for s in g.subjects(RDF.type, None) if str(s).split("/id/")[-1].split("/")[0]
                not in ("metric",) and "/id/" in str(s)}
    assert entities and entities <= found
    facts = list(g.query((ROOT / "queries" / "provenance_facts.rq").read_text(encoding="utf-8")))
    assert len({(r.subject, r.predicate, r.object) for r in facts}) == len(seed_build.graph.relations)
    assert all(r.sentence is not None or "reference/gazetteer" in str(r.source) for r in facts)
    metrics = list(g.query((ROOT / "queries" / "provenance_metrics.rq").read_text(encoding="utf-8")))
    assert len({r.metric for r in metrics}) == len(seed_build.graph.metrics)


def test_mention_offsets_point_into_the_original_file(seed_build):
    q = (ROOT / "queries" / "provenance_entities.rq").read_text(encoding="utf-8")
    raw = {p.name: p.read_text(encoding="utf-8-sig") for p in SEEDS.iterdir()}
    rows = list(seed_build.rdf.query(q))
    assert len(rows) > 200
    for r in rows:
        span = raw[str(r.file)][int(r.begin):int(r.end)]
        # the raw span holds the mention, possibly with a page break inside it
        assert span.replace("\n", "") == str(r.anchor).replace("\n", ""), (r.file, r.begin, span, r.anchor)


def test_metric_values_are_normalised(seed_build):
    values = {(m.value, m.unit) for m in seed_build.graph.metrics}
    assert (840_000_000, "CNY") in values and (15_000, "head") in values and (91, "percent") in values


def test_build_is_deterministic(tmp_path):
    import kg
    a = kg.build([SEEDS], out=tmp_path / "a")
    b = kg.build([SEEDS], out=tmp_path / "b")
    for name in ("graph.ttl", "graph.html", "merges.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert len(a.rdf) == len(b.rdf)


def test_base_iri_is_configurable_and_iris_are_ascii(tmp_path):
    import kg
    res = kg.build([SEEDS], out=None, base="http://example.org/kg/")
    subjects = {str(s) for s in res.rdf.subjects()}
    assert all(s.startswith("http://example.org/kg/") or s.startswith("https://w3id.org/yuanjiang-kg/ontology")
               for s in subjects)
    assert all(s.isascii() for s in subjects)
    assert "http://example.org/kg/id/place/652927" in subjects


def test_cli_build_without_arguments_uses_the_seeds(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "documents read: 2" in proc.stdout
    assert (tmp_path / "out" / "graph.ttl").stat().st_size > 10_000
    assert (tmp_path / "out" / "graph.html").exists()


def test_cli_reports_bad_paths_and_keeps_going(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEEDS), str(tmp_path / "missing.txt"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3                       # partial: one path skipped
    assert "missing.txt: no such file or folder" in proc.stderr
    assert (tmp_path / "o" / "graph.ttl").exists()


def test_a_page_that_fails_leaves_the_earlier_outputs_whole(tmp_path, monkeypatch):
    """If drawing the page fails, no file of the earlier build (nor its store) is replaced
    and no temporary file is left."""
    import kg.html
    from kg.pipeline import DEFAULT_CORPUS, build
    build([DEFAULT_CORPUS], out=tmp_path)
    before = _contents(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("page broke")
    monkeypatch.setattr(kg.html, "write_html", broken)
    for jobs in (1, 2):
        with pytest.raises(RuntimeError, match="page broke"):
            build([ROOT / "tests" / "data" / "unseen"], out=tmp_path, jobs=jobs)
        assert _contents(tmp_path) == before


def _contents(folder):
    """Every file under ``folder`` (store included) -> its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_reader_that_goes_away_stops_kg_quietly(tmp_path):
    """`kg build | head`: once the reader has gone, kg stops without a broken-pipe message
    (the files are written before anything is printed)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(SEEDS), "--out", str(tmp_path),
                             "--no-cache", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                     # the reader is gone before kg prints anything
    err = proc.stderr.read()
    assert proc.wait() == 1 and err == b""
    assert (tmp_path / "graph.ttl").stat().st_size > 0 and (tmp_path / "graph.html").exists()
