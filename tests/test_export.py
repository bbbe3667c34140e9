"""Exports: Turtle, N-Triples, TriG and JSON-LD hold the same triples, parse with three
independent parsers (rdflib, pyoxigraph, rapper), and are byte-identical from run to run."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, RDF

from conftest import ROOT, SEEDS
from kg import export
from kg.graph import YJ, to_dataset
from kg.pipeline import write_outputs
from kg.store import StoreError

ONTOLOGY = ROOT / "ontology" / "yuanjiang.ttl"
BASE = "https://w3id.org/yuanjiang-kg/"


def _out(seed_build, name):
    return next(p for p in seed_build.outputs if p.name == name)


@pytest.fixture(scope="module")
def jsonld_path(seed_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("jsonld")
    paths = write_outputs(seed_build.graph, out, html=False, formats="jsonld")
    return next(p for p in paths if p.name == "graph.jsonld")


def _ox_triples(path, fmt):
    return {q.triple for q in ox.parse(path=str(path), format=fmt)}


def test_build_writes_every_format(seed_build):
    names = {p.name for p in seed_build.outputs}
    assert {"graph.ttl", "graph.nt", "graph.trig"} <= names
    assert "graph.jsonld" not in names  # only on request


@pytest.mark.parametrize("name,fmt", [("graph.ttl", "turtle"), ("graph.nt", "nt")])
def test_turtle_and_ntriples_round_trip(seed_build, name, fmt):
    path = _out(seed_build, name)
    parsed = Graph().parse(path, format=fmt)
    assert len(parsed) == len(seed_build.rdf) > 4000
    assert set(parsed) == set(seed_build.rdf)


def test_pyoxigraph_reads_the_same_triples_from_every_format(seed_build, jsonld_path):
    ttl = _ox_triples(_out(seed_build, "graph.ttl"), ox.RdfFormat.TURTLE)
    assert len(ttl) == len(seed_build.rdf)
    assert _ox_triples(_out(seed_build, "graph.nt"), ox.RdfFormat.N_TRIPLES) == ttl
    assert _ox_triples(jsonld_path, ox.RdfFormat.JSON_LD) == ttl


def test_jsonld_round_trips_and_uses_a_compact_context(seed_build, jsonld_path):
    parsed = Graph().parse(jsonld_path, format="json-ld")
    assert set(parsed) == set(seed_build.rdf)
    doc = json.loads(jsonld_path.read_text(encoding="utf-8"))
    assert doc["@context"]["yj"] == str(YJ)
    assert doc["@context"]["id"] == BASE + "id/"
    wushi = next(n for n in doc["@graph"] if n["@id"] == "id:place/652927")
    assert "yj:County" in wushi["@type"]
    assert {"@value": "乌什县", "@language": "zh"} in wushi["rdfs:label"]


def test_turtle_is_readable(seed_build):
    text = _out(seed_build, "graph.ttl").read_text(encoding="utf-8")
    assert "@prefix yj: <https://w3id.org/yuanjiang-kg/ontology#> ." in text
    assert '"乌什县"@zh' in text  # Chinese written as is, not \u escapes
    assert re.search(r"^<https://w3id.org/yuanjiang-kg/id/place/652927> a yj:County", text, re.M)


def test_trig_has_a_named_graph_per_document_and_one_for_reference(seed_build):
    path = _out(seed_build, "graph.trig")
    ds = Dataset()
    ds.parse(path, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    docs = {BASE + "doc/" + d.doc_id for d in seed_build.graph.documents}
    assert names == docs | {BASE + "reference", BASE + "merged"}

    expected = to_dataset(seed_build.graph)
    for doc in docs:
        assert set(ds.graph(URIRef(doc))) == set(expected.graph(URIRef(doc))), doc
    # a document graph carries its own sentences only
    first = ds.graph(URIRef(sorted(docs)[0]))
    contexts = set(first.objects(None, URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext")))
    assert contexts == {URIRef(sorted(docs)[0])}

    reference = ds.graph(URIRef(BASE + "reference"))
    assert (YJ.supports, RDF.type, OWL.ObjectProperty) in reference  # the ontology
    assert (None, PROV.wasDerivedFrom, URIRef(BASE + "reference/gazetteer")) in reference  # gazetteer facts


def test_trig_union_is_the_graph_plus_the_ontology(seed_build):
    ds = Dataset()
    ds.parse(_out(seed_build, "graph.trig"), format="trig")
    union = {t for g in ds.graphs() for t in g}
    ontology = Graph().parse(ONTOLOGY)

    def ground(triples):
        return {t for t in triples if not any(isinstance(x, BNode) for x in t)}

    assert ground(union) == set(seed_build.rdf) | ground(ontology)
    with_bnodes = Graph()
    for t in union - ground(union):
        with_bnodes.add(t)
    ontology_bnodes = Graph()
    for t in set(ontology) - ground(ontology):
        ontology_bnodes.add(t)
    assert len(with_bnodes) == len(ontology_bnodes) > 0
    assert isomorphic(with_bnodes, ontology_bnodes)


def test_pyoxigraph_loads_the_trig_with_named_graphs(seed_build):
    store = ox.Store()
    store.load(path=str(_out(seed_build, "graph.trig")), format=ox.RdfFormat.TRIG)
    graphs = {g.value for g in store.named_graphs()}
    assert BASE + "reference" in graphs and len(graphs) == len(seed_build.graph.documents) + 2
    answer = store.query("ASK { <https://w3id.org/yuanjiang-kg/id/place/330800> "
                         "<https://w3id.org/yuanjiang-kg/ontology#supports> "
                         "<https://w3id.org/yuanjiang-kg/id/place/652927> }",
                         use_default_graph_as_union=True)
    assert bool(answer) is True


def _rapper(args):
    rapper = shutil.which("rapper")
    # the test command installs raptor2-utils; without it this check must fail, not skip
    assert rapper, "rapper (Debian raptor2-utils) is not installed: run scripts/test.sh"
    return subprocess.run([rapper, *args], capture_output=True, text=True)


@pytest.mark.parametrize("name,syntax", [("graph.ttl", "turtle"), ("graph.nt", "ntriples"), ("graph.trig", "trig")])
def test_rapper_validates_strictly(seed_build, name, syntax):
    path = _out(seed_build, name)
    run = _rapper(["-i", syntax, "-c", str(path)])
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower() and "warning" not in run.stderr.lower(), run.stderr
    count = int(re.search(r"returned (\d+) (?:triples|statements)", run.stderr).group(1))
    if name != "graph.trig":
        assert count == len(seed_build.rdf)


def test_rapper_rejects_broken_turtle(tmp_path):
    """The rapper check above can fail: a truncated file is refused."""
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://e.org/s> <http://e.org/p> "unterminated .\n', encoding="utf-8")
    assert _rapper(["-q", "-i", "turtle", "-c", str(bad)]).returncode != 0


def test_outputs_are_byte_identical_across_builds(tmp_path):
    """Two builds in fresh interpreters with different hash seeds write the same bytes."""
    for run, seed in (("a", "1"), ("b", "4242")):
        env = {**_env(), "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEEDS), "--out", str(tmp_path / run),
                               "--format", "all", "--no-cache"], capture_output=True, text=True, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
    for name in ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld"):
        first, second = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        assert first == second and len(first) > 10_000, name
    assert (tmp_path / "a" / "store" / "manifest.json").read_bytes() == \
        (tmp_path / "b" / "store" / "manifest.json").read_bytes()


def _env():
    import os
    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_writes_are_atomic_and_readable(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):  # fails while writing: the old file stays whole
        export.write_atomic(target, "new \ud800")
    assert target.read_text(encoding="utf-8") == "old"
    g = Graph()
    g.add((URIRef("http://e.org/s"), URIRef("http://e.org/p"), URIRef("http://e.org/o")))
    export.write_turtle(g, target)
    assert "<http://e.org/s> <http://e.org/p> <http://e.org/o>" in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o044  # not private to the writer
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]  # no temporary left behind


def test_invalid_iri_is_refused_not_written(tmp_path):
    g = Graph()
    g.add((URIRef("http://e.org/has space"), URIRef("http://e.org/p"), URIRef("http://e.org/o")))
    with pytest.raises(SyntaxError):
        export.turtle(g)


def test_a_dataset_graph_is_not_written_from_the_shared_index():
    """A named graph of a Dataset shares its store with other graphs: only its own triples."""
    ds = Dataset()
    a, b = ds.graph(URIRef("http://e.org/a")), ds.graph(URIRef("http://e.org/b"))
    a.add((URIRef("http://e.org/s"), URIRef("http://e.org/p"), URIRef("http://e.org/in-a")))
    b.add((URIRef("http://e.org/s"), URIRef("http://e.org/p"), URIRef("http://e.org/in-b")))
    text = export.ntriples(a).decode()
    assert "in-a" in text and "in-b" not in text


def test_a_million_triples_are_written_through_the_store_index(monkeypatch):
    """The fast path: a plain Graph is written from rdflib's own index, never through
    ``Graph.triples`` (too slow at this size); the result parses back complete."""
    g = Graph()
    add = g.store.add
    preds = [YJ[f"p{i}"] for i in range(10)]
    n_subjects = 100_000
    nodes = [URIRef(f"{BASE}id/test/{i}") for i in range(n_subjects)]
    for i, s in enumerate(nodes):
        for j, p in enumerate(preds):
            add((s, p, nodes[(i * 7 + j) % n_subjects] if j % 2 else Literal(f"乌什县{i}-{j}", lang="zh")), g)
    assert len(g) == 1_000_000
    assert export._index(g) is g.store._Memory__spo

    def refuse(*args, **kwargs):
        raise AssertionError("Graph.triples used: the slow path")

    monkeypatch.setattr(Graph, "triples", refuse)
    data = export.turtle(g)
    assert data.startswith(b"@prefix")
    assert sum(1 for _ in ox.parse(data, format=ox.RdfFormat.TURTLE)) == 1_000_000


def test_files_written_from_quads_equal_those_of_rdflib_graphs(seed_build, tmp_path):
    """The build writes straight from triple sets; the bytes must be those rdflib graphs give
    (graph.ttl, one block per named graph, the same triples). ``write_outputs``, the API a
    notebook calls after :func:`kg.pipeline.extract`, goes the build's way: the same bytes."""
    from kg.export import ntriples, trig
    from kg.export import PREFIXES, jsonld
    from kg.graph import DEFAULT_BASE, TermIndex
    from kg.html import render_html
    from kg.pipeline import reference_dataset, write_outputs
    paths = {p.name: p for p in write_outputs(seed_build.graph, tmp_path, html=True, formats="all")}
    assert sorted(paths) == ["explorer-cache.json", "graph.html", "graph.jsonld", "graph.nt", "graph.trig", "graph.ttl",
                             "merges.json"]
    assert (tmp_path / "store" / "manifest.json").is_file()
    for name in ("graph.ttl", "graph.nt", "graph.trig", "merges.json"):
        assert paths[name].read_bytes() == _out(seed_build, name).read_bytes(), name
    assert set(Graph().parse(paths["graph.ttl"], format="turtle")) == set(seed_build.rdf)
    assert paths["graph.nt"].read_bytes() == ntriples(seed_build.rdf)
    assert paths["graph.trig"].read_bytes() == trig(reference_dataset(seed_build.graph))
    prefixes = {**PREFIXES, "id": DEFAULT_BASE + "id/", "doc": DEFAULT_BASE + "doc/"}
    assert paths["graph.jsonld"].read_text(encoding="utf-8") == jsonld(seed_build.rdf, prefixes)
    # the page drawn from the build's own lines equals the one drawn from an rdflib graph
    assert render_html(TermIndex(seed_build.lines)) == render_html(seed_build.rdf)
    assert paths["graph.html"].read_text(encoding="utf-8") == render_html(seed_build.rdf)
    assert paths["graph.html"].read_bytes() == _out(seed_build, "graph.html").read_bytes()
    assert paths["explorer-cache.json"].read_bytes() == _out(seed_build, "explorer-cache.json").read_bytes()


@pytest.mark.parametrize("text", ['引号"与\\反斜杠', "换行\n制表\t回车\r", "控制\x01\x1f字符", "𠮷 astral", "", "a.b <c> _:d"])
def test_lines_and_term_index_keep_any_text(text):
    """Text written as an N-Triples line by kg.graph reads back unchanged, both through
    rdflib and through the TermIndex the page is drawn from."""
    from rdflib import Literal as RdfLiteral
    from kg.graph import LINE_TYPE, Lit, TermIndex, ntriples_lines, plain, typed, zh
    s = "<http://ex.org/s>"
    lines = {f"{s} <http://ex.org/zh> {zh(text)}", f"{s} <http://ex.org/plain> {plain(text)}",
             f"{s} <http://ex.org/n> {typed('7', 'http://www.w3.org/2001/XMLSchema#integer')}",
             f"{s} {LINE_TYPE} <http://ex.org/C>"}
    g = Graph().parse(data=ntriples_lines(lines), format="nt")
    assert g.value(URIRef("http://ex.org/s"), URIRef("http://ex.org/zh")) == RdfLiteral(text, lang="zh")
    assert g.value(URIRef("http://ex.org/s"), URIRef("http://ex.org/plain")) == RdfLiteral(text)
    index = TermIndex(lines)
    zh_value = index.value("http://ex.org/s", "http://ex.org/zh")
    assert isinstance(zh_value, Lit) and str(zh_value) == text and zh_value.lang == "zh"
    assert str(index.value("http://ex.org/s", "http://ex.org/plain")) == text
    assert index.value("http://ex.org/s", "http://ex.org/n").datatype.endswith("#integer")
    assert list(index.subjects("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://ex.org/C")) == ["http://ex.org/s"]
    def triples(view):
        return sorted((s, p, str(o), getattr(o, "lang", None), getattr(o, "datatype", None)) for s, p, o in view)
    assert triples(TermIndex.of(g)) == triples(index) and len(index) == 4


@pytest.fixture(params=["gnu sort", "python"])
def union_by(request, monkeypatch):
    """Both ways graph.nt's union is made: GNU sort (required here: CI runs on Debian) and
    the Python merge used where there is none."""
    if request.param == "gnu sort":
        assert export.gnu_sort() is not None, "GNU sort (coreutils) is missing"
    else:
        monkeypatch.setattr(export, "gnu_sort", lambda: None)
    return request.param


def write_files(quads, out, formats=("ttl", "nt", "trig")):
    """The store and the files of ``quads`` in ``out``, made the one way kg build makes them."""
    from kg.model import KnowledgeGraph
    from kg.pipeline import BuildResult, write_generation
    from kg.store import build_lock
    result = BuildResult(KnowledgeGraph(), quads)
    with build_lock(out):
        write_generation(result, out, formats, html=False)
    return result


def _outputs(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_the_union_holds_runs_once_each_across_chunks(tmp_path, monkeypatch, union_by):
    """Lines shared by several named graphs (an entity described in each article naming it)
    appear once in graph.nt, also when repeats straddle the chunks the union is made in."""
    from kg.graph import LINE_TYPE, ntriples_lines
    shared = [f"<http://e.org/s{i}> {LINE_TYPE} <http://e.org/C>" for i in range(7)]
    quads = {"a": sorted(shared + ["<http://e.org/a> <http://e.org/p> \"甲\"@zh"]),
             "b": sorted(shared[2:] + ["<http://e.org/b> <http://e.org/p> \"乙\"@zh"]),
             "reference": sorted(shared[:3])}
    monkeypatch.setattr(export, "MERGE_CHUNK", 2)
    result = write_files(quads, tmp_path)
    union = set().union(*quads.values())
    assert (tmp_path / "graph.nt").read_text(encoding="utf-8") == ntriples_lines(union)
    assert result.triple_count == len(set(ox_parse(tmp_path / "graph.ttl", ox.RdfFormat.TURTLE))) == len(union) == 9
    trig = ox_parse(tmp_path / "graph.trig", ox.RdfFormat.TRIG)
    ontology = sum(1 for q in trig if q.graph_name.value.endswith("/reference")) - 3
    assert len(trig) - ontology == sum(len(v) for v in quads.values())       # per graph, repeats kept
    assert _outputs(tmp_path) == ["graph.nt", "graph.trig", "graph.ttl", "merges.json", "store"]


def test_gnu_sort_and_the_python_merge_write_the_same_files(tmp_path, monkeypatch, seed_build):
    """GNU sort compares bytes, Python code points: on UTF-8 they agree, for the seeds' graphs
    and for lines chosen to differ only in characters of every UTF-8 length, in the rdf:type
    mark, in one line being the start of another, and in repeats across graphs."""
    from kg.graph import LINE_TYPE, Runs
    s = "<http://e.org/s>"
    tricky = [f'{s} <http://e.org/p> "{t}"' for t in ("a", "ab", "a b", "é", "中", "𠮷", "\uFF61", "~", "Z")]
    tricky += [f"{s} {LINE_TYPE} <http://e.org/C>", f"{s} <http://e.org/a> <http://e.org/o>",
               f"<http://e.org/s2> {LINE_TYPE} <http://e.org/C>"]
    cases = {"seeds": seed_build.quads,
             "tricky": Runs({"a": tricky[::2], "b": tricky[1::2] + tricky[:3], "c": tricky[::-1]})}
    for name, quads in cases.items():
        assert export.gnu_sort() is not None
        by_sort = write_files(quads, tmp_path / name / "sort", formats=("ttl", "nt", "jsonld"))
        with monkeypatch.context() as m:
            m.setattr(export, "gnu_sort", lambda: None)
            by_python = write_files(quads, tmp_path / name / "python", formats=("ttl", "nt", "jsonld"))
        for f in ("graph.nt", "graph.ttl", "graph.jsonld"):
            assert (tmp_path / name / "sort" / f).read_bytes() == (tmp_path / name / "python" / f).read_bytes(), (name, f)
        assert by_sort.triple_count == by_python.triple_count == len(set().union(*(quads[g] for g in quads)))


def test_a_second_process_loads_the_same_store(tmp_path, seed_build, monkeypatch):
    """kg build loads the store in a fresh Python process while it writes the files; loaded
    in the build's own process it holds the same quads."""
    from kg import store
    write_files(seed_build.quads, tmp_path / "2", formats=("ttl",))
    real = store._start_loader
    monkeypatch.setattr(store, "_start_loader", lambda task, processes: real(task, 1))
    write_files(seed_build.quads, tmp_path / "1", formats=("ttl",))
    def dump(folder):       # blank nodes (the ontology's) get new ids on each load
        quads = list(map(str, store.open_store(folder).quads_for_pattern(None, None, None, None)))
        return len(quads), sorted(q for q in quads if "_:" not in q)
    assert dump(tmp_path / "1") == dump(tmp_path / "2") and dump(tmp_path / "1")[0] > 4000
    assert (tmp_path / "1" / "graph.ttl").read_bytes() == (tmp_path / "2" / "graph.ttl").read_bytes()


@pytest.mark.parametrize("processes", [1, 2])
def test_the_loading_process_reports_what_went_wrong(tmp_path, processes):
    """A store that cannot be loaded gives one StoreError naming it, from either process."""
    from kg.store import StoreError, _start_loader
    task = {"db": str(tmp_path / "db"), "checkpoint_of": None, "remove": [], "graphs": [],
            "nquads": str(tmp_path / "missing.nq")}
    with pytest.raises(StoreError, match=rf"^{tmp_path / 'db'}: loading the store failed: .*missing\.nq"):
        _start_loader(task, processes)()


def test_the_loading_process_takes_a_task_naming_any_number_of_graphs(tmp_path):
    """A 10,000-article build names every graph in the loader's task: about a megabyte,
    more than one command-line argument may hold (it once failed there)."""
    from kg.store import _start_loader
    graphs = [f"https://w3id.org/yuanjiang-kg/doc/{'长名' * 20}-{i:05d}" for i in range(12_000)]
    nquads = tmp_path / "load.nq"
    nquads.write_text(f"<http://e.org/s> <http://e.org/p> <http://e.org/o> <{graphs[0]}> .\n", encoding="utf-8")
    task = {"db": str(tmp_path / "db"), "checkpoint_of": None, "remove": [], "graphs": graphs,
            "nquads": str(nquads)}
    assert len(json.dumps(task)) > 1 << 20
    _start_loader(task, 2)()
    db = ox.Store.read_only(str(tmp_path / "db"))
    assert len(list(db.named_graphs())) == len(graphs) and len(db) == 1


def test_the_loader_loads_in_pieces_the_same_store_as_in_one(tmp_path, seed_build):
    """The loader hands the bulk loader the N-Quads a piece at a time (its memory is one
    piece's); each piece ends at a line's end, and the lines with blank nodes (the
    ontology's) go in one piece, so that they keep meaning the same nodes."""
    from kg.store import load_task, nquads_pieces, open_store
    write_files(seed_build.quads, tmp_path / "out", formats=("ttl",))
    nquads = tmp_path / "all.nq"
    open_store(tmp_path / "out").dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    text = nquads.read_bytes()
    pieces = list(nquads_pieces(nquads, 4096))
    assert len(pieces) > 50 and all(p.endswith(b"\n") for p in pieces)
    assert sorted(b"".join(pieces).splitlines()) == sorted(text.splitlines())
    assert sum(b"_:" in p for p in pieces) == 1 and b"_:" in pieces[-1]
    assert list(nquads_pieces(nquads, 0)) == [text]

    def load(name, size):
        db = tmp_path / name
        load_task({"db": str(db), "checkpoint_of": None, "remove": [], "graphs": [],
                   "nquads": str(tmp_path / f"{name}.nq"), "piece_bytes": size})
        quads = list(ox.Store.read_only(str(db)))
        blank = {str(t) for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
        return len(quads), len(blank), sorted(str(q) for q in quads if "_:" not in str(q))
    for name in ("one", "pieces"):
        (tmp_path / f"{name}.nq").write_bytes(text)
    one, pieces = load("one", 0), load("pieces", 4096)
    assert one == pieces and one[1] > 0 and one[0] == len(text.splitlines())


def test_the_loader_reads_the_turtle_blocks_and_keeps_blank_nodes_together(tmp_path, monkeypatch):
    """The loader reads the changed graphs from their Turtle blocks as TriG, a few whole
    blocks to a piece; the graphs whose lines hold a blank node go as N-Quads in one piece,
    so a blank node two graphs share stays one node. The store holds what the lines say."""
    from kg import store
    from kg.graph import LINE_TYPE
    quads = {"a": ["<http://e.org/s> <http://e.org/p> _:b0", '_:b0 <http://e.org/label> "x"'],
             "b": ["_:b0 <http://e.org/q> <http://e.org/o>"]}
    for i in range(40):
        quads[f"d{i:02d}"] = [f'<http://e.org/s{i}> <http://e.org/p> "文 {i}"@zh',
                              f"<http://e.org/s{i}> {LINE_TYPE} <http://e.org/T>"]
    real, pieces = store.block_pieces, []
    monkeypatch.setattr(store, "block_pieces", lambda *a: pieces.extend(real(*a)) or pieces)
    monkeypatch.setattr(store, "BLOCK_PIECE_BYTES", 300)
    real_start = store._start_loader
    monkeypatch.setattr(store, "_start_loader", lambda task, processes: real_start(task, 1))
    write_files(quads, tmp_path, formats=("ttl",))
    assert len(pieces) > 5 and all(p.startswith(store.prefix_header()) for p in pieces)
    assert not any(b"_:" in p for p in pieces)
    db = store.open_store(tmp_path)
    found = list(db.quads_for_pattern(None, None, None, None))
    blank = {t for q in found for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert len(blank) == 1
    docs = {(str(q.subject), str(q.predicate), str(q.object), q.graph_name.value.rsplit("/", 1)[1])
            for q in found if "/s" in str(q.subject) and "/doc/d" in str(q.graph_name)}
    assert docs == {(f"<http://e.org/s{i}>", p, o, f"d{i:02d}") for i in range(40)
                    for p, o in (("<http://e.org/p>", f'"文 {i}"@zh'),
                                 ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://e.org/T>"))}


def test_an_invalid_line_is_refused_and_the_old_set_kept(tmp_path):
    write_files({"a": ["<http://e.org/s> <http://e.org/p> <http://e.org/o>"]}, tmp_path)
    before = {f: (tmp_path / f).read_bytes() for f in ("graph.ttl", "graph.nt", "graph.trig")}
    with pytest.raises(SyntaxError):
        write_files({"a": ["<http://e.org/has space> <http://e.org/p> <http://e.org/o>"]}, tmp_path)
    assert {f: (tmp_path / f).read_bytes() for f in before} == before
    assert _outputs(tmp_path) == ["graph.nt", "graph.trig", "graph.ttl", "merges.json", "store"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".kg-build.lock"]


@pytest.mark.parametrize("bad", ['<http://e.org/s> <http://e.org/p> <http://e.org/has space>',
                                 '<http://e.org/s> <http://e.org/p> "x"@zh_CN'])
def test_an_invalid_object_is_refused_by_the_loader_and_the_old_set_kept(tmp_path, bad):
    """graph.ttl's blocks copy the lines without parsing them: the store loader parses the
    same lines strictly, so an invalid term still fails the build, naming what is wrong."""
    write_files({"a": ["<http://e.org/s> <http://e.org/p> <http://e.org/o>"]}, tmp_path)
    before = {f: (tmp_path / f).read_bytes() for f in ("graph.ttl", "graph.nt", "graph.trig")}
    with pytest.raises((StoreError, SyntaxError), match="Invalid IRI code point|Unexpected character"):
        write_files({"a": [bad]}, tmp_path)
    assert {f: (tmp_path / f).read_bytes() for f in before} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".kg-build.lock"]


def test_a_failing_sort_is_reported_and_leaves_the_old_files(tmp_path, monkeypatch):
    write_files({"a": ["<http://e.org/s> <http://e.org/p> <http://e.org/o>"]}, tmp_path)
    before = (tmp_path / "graph.nt").read_bytes()
    monkeypatch.setattr(export, "SORT_BUFFER", "not-a-size")
    with pytest.raises(OSError, match="sorting the triples for graph.nt failed: .*not-a-size"):
        write_files({"a": ["<http://e.org/s> <http://e.org/p> <http://e.org/x>"]}, tmp_path)
    assert (tmp_path / "graph.nt").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".kg-build.lock"]


def ox_parse(path, fmt):
    return list(ox.parse(path=path, format=fmt))


def _pyoxigraph_block(raw: bytes) -> bytes:
    """What pyoxigraph's own Turtle writer makes of a graph's lines (prefix lines cut)."""
    from kg.store import _without_prefixes
    text = ox.serialize(ox.parse(export._statements(raw, b" .\n"), format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=export.PREFIXES)
    return _without_prefixes(text)


def test_turtle_blocks_are_the_bytes_of_pyoxigraphs_writer(seed_build):
    """turtle_block lays out the lines itself and asks pyoxigraph only how to spell
    prefixed IRIs and typed literals: every graph of the seeds, and lines made to hold
    every kind of term (escapes over the first 0x3100 code points and astral ones, numbers
    in forms Turtle may or may not write bare, local names that need escaping, blank
    nodes, several objects of one predicate), give pyoxigraph's bytes."""
    from kg.graph import LINE_TYPE, plain, tagged, typed
    from kg.store import turtle_block
    for name in seed_build.quads:
        raw = export._graph_bytes(seed_build.quads, name)
        assert turtle_block(raw) == _pyoxigraph_block(raw), name
    xsd, yj = "http://www.w3.org/2001/XMLSchema#", "https://w3id.org/yuanjiang-kg/ontology#"
    text = "".join(chr(c) for c in range(0x3100) if not 0xD800 <= c <= 0xDFFF) + "𠮷😀\U0010FFFD"
    objects = [plain(text[i:i + 64]) for i in range(0, len(text), 64)] + [tagged("乌什县", "zh"), tagged("x", "en")]
    for datatype in ("integer", "decimal", "double", "boolean", "nonNegativeInteger", "gYear", "anyURI"):
        objects += [typed(v, xsd + datatype) for v in ("1", "01", "+1", "-0", "1.", ".5", "1.50", "1e3", "1.5E-2",
                                                       "true", "false", "2020", "x y")]
    objects += [f"<{yj}{local}>" for local in ("County", "field-a.b", "x/y", "%41", "a.", "", "1a", "a-b_c", "é")]
    objects += ["<https://w3id.org/yuanjiang-kg/id/place/652927>", "_:b0", "<http://e.org/o>"]
    lines = [f"<http://e.org/s{i // 7}> <{yj}p{i % 3}> {o}" for i, o in enumerate(objects)]
    lines += [f"<http://e.org/s0> {LINE_TYPE} <{yj}County>", f"<http://e.org/s0> {LINE_TYPE} <{yj}Place>",
              f"_:b0 <{yj}label> {plain('blank')}", f"<{yj}Term> <{yj}p0> <{yj}x/y>",
              f"<{yj}a.> <http://e.org/p> {typed('3', xsd + 'integer')}"]
    raw = "\n".join(sorted(set(lines))).encode("utf-8")
    assert turtle_block(raw) == _pyoxigraph_block(raw)


def test_packed_runs_give_back_their_lines_whole_and_streamed():
    """Graphs are kept zlib-packed; reading one back, at once or piece by piece (pieces
    that split multi-byte characters and lines), gives the same sorted distinct lines."""
    from kg.graph import Runs, pack, unpack_stream
    lines = [f'<http://e.org/s{i}> <http://e.org/p> "对口援疆 𠮷 {i}"@zh' for i in range(500)]
    runs = Runs({"a": lines + lines[:10], "empty": []})
    assert list(runs) == ["a"] and runs.size("a") == 500
    assert runs["a"] == sorted(lines)
    assert list(runs.stream("a")) == sorted(lines)
    assert list(unpack_stream(pack(sorted(lines)), piece=7)) == sorted(lines)
    assert list(unpack_stream(pack([]))) == []


def test_graph_lines_are_per_document_and_match_the_union(seed_build):
    """Each document's named graph holds its own article's nodes; entity descriptions are in
    the merged graph alone; the union is what graph.nt holds."""
    quads = seed_build.quads
    docs = [d.doc_id for d in seed_build.graph.documents]
    assert sorted(quads) == sorted(docs + ["merged", "reference"])
    label = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    assert any(f" {label} " in line for line in quads["merged"])
    assert not any(f" {label} " in line for doc_id in docs for line in quads[doc_id])
    for doc_id in docs:
        own = [line for line in quads[doc_id] if "/doc/" in line.split(" ", 1)[0]]
        assert own and all(f"/doc/{doc_id}" in line.split(" ", 1)[0] for line in own)
    union = seed_build.lines
    nt = next(p for p in seed_build.outputs if p.name == "graph.nt")
    assert seed_build.triple_count == len(union) == len(nt.read_text(encoding="utf-8").splitlines())
    assert union == {line for name in quads for line in quads[name]}


def test_term_index_same_from_sorted_and_shuffled_lines(seed_build):
    """graph.nt is sorted by subject, so each subject's row is made in one go; lines in any
    other order (an N-Triples file from elsewhere) give the same index."""
    import random

    from kg.graph import TermIndex
    lines = sorted(seed_build.lines)
    shuffled = lines[:]
    random.Random(7).shuffle(shuffled)
    a, b = TermIndex(lines), TermIndex(shuffled)

    def triples(view):
        return sorted((s, p, str(o), getattr(o, "lang", None), getattr(o, "datatype", None)) for s, p, o in view)
    assert len(a) == len(b) == len(lines) and triples(a) == triples(b)
    entity = next(s for s in a.spo if "/id/place/" in s)[1:-1]
    assert sorted(a.objects(entity, None)) == sorted(b.objects(entity, None))


def test_term_index_lookups_in_one_pass_agree_with_one_at_a_time(seed_build):
    """``values`` (several predicates, one lookup) and ``index_objects`` (several reverse
    indexes, one pass) answer exactly as ``value`` and ``subjects`` do one by one, for
    single- and multi-valued predicates, absent ones and absent subjects."""
    from kg.graph import ITSRDF, NIF, TermIndex
    from rdflib.namespace import RDFS, SKOS
    one, many = TermIndex(seed_build.lines), TermIndex(seed_build.lines)
    predicates = [RDF.type, RDFS.label, SKOS.altLabel, NIF.anchorOf, NIF.beginIndex, YJ.adminCode, YJ.nothing]
    subjects = sorted(one.spo)[::25] + ["<http://example.org/absent>"]
    for s in (t[1:-1] if t.startswith("<") else t for t in subjects):
        assert many.values(s, predicates) == [one.value(s, p) for p in predicates]
    reverse = [RDF.type, ITSRDF.taIdentRef, YJ.locatedIn, YJ.hasMetric, YJ.nothing]
    many.index_objects(reverse)
    for p in reverse:
        pairs = list(many.subject_objects(p))
        assert pairs == list(TermIndex(seed_build.lines).subject_objects(p))
        assert sorted(pairs) == sorted((s, o) for s, q, o in one if q == str(p))   # by a full scan
        assert (len(pairs) > 0) == (p != YJ.nothing)
        for o in {o for _, o in pairs[:50]}:
            assert list(many.subjects(p, o)) == list(one.subjects(p, o))


def _kept_union(folder) -> list[str]:
    """The lines of the union kept in a store folder, read block by block as its index says."""
    import pickle
    import zlib
    with open(folder / export.UNION_FILES[1], "rb") as fh:
        blocks = pickle.load(fh)["blocks"]
    data = (folder / export.UNION_FILES[0]).read_bytes()
    assert [b[1] for b in blocks] == sorted(b[1] for b in blocks)
    assert sum(b[2] for b in blocks) == len(data)
    lines = []
    for first, offset, size in blocks:
        block = zlib.decompress(data[offset:offset + size]).decode("utf-8").split("\n")
        assert block[0] == first.decode("utf-8")
        lines += block
    return lines


@pytest.mark.parametrize("python_sort", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_counted_union_follows_changed_graphs(tmp_path, monkeypatch, seed, python_sort):
    """The union a rebuild changes in place (lines of changed graphs out and in, counted per
    graph) is the sorted union a clean build sorts, over random graphs sharing lines, with
    graphs changed, added and removed, build after build; GNU sort and the Python merge alike.
    Blocks of a few lines, so that a change reaches some blocks and not others, blocks grow
    and split, and empty out; every other build asks only for the blocks that changed."""
    import random

    from kg.graph import Runs
    if python_sort:
        monkeypatch.setattr(export, "gnu_sort", lambda: None)
    monkeypatch.setattr(export, "BLOCK_LINES", 5 + seed)
    rng = random.Random(seed)
    pool = [f"<s{rng.randrange(300):03d}> <p> \"{rng.choice('甲乙丙ab')}{i}\"" for i in range(400)]
    graphs = {f"g{i}": set(rng.sample(pool, rng.randrange(1, 60))) for i in range(12)}
    last = last_graphs = None
    for step in range(6):
        quads = Runs(graphs)
        names = sorted(quads)
        folder = tmp_path / f"store-{step}"
        folder.mkdir()
        union = export.CountedUnion(quads, names, tmp_path, folder, last, last_graphs)
        before = set(_kept_union(last)) if last is not None else set()
        if step % 2:
            changed = list(union.pieces(lines=False))
            got = _kept_union(folder)
            # the blocks given are those holding a line that came or left
            assert all(any(line in piece.split(b"\n") for piece in changed) for line in union.entered)
        else:
            got = b"\n".join(union.pieces()).decode("utf-8").split("\n")
            assert got == _kept_union(folder)
        assert got == sorted(set().union(*graphs.values()))
        assert union.incremental == (step > 0 and step != 3)
        if union.incremental:
            assert sorted(union.entered) == sorted(line.encode() for line in set(got) - before)
            assert sorted(union.left) == sorted(line.encode() for line in before - set(got))
        everything = [line for g in graphs.values() for line in g]
        assert union.multi == {line.encode(): n for line in set(everything) if (n := everything.count(line)) > 1}
        last, last_graphs = folder, quads.memo
        if step == 2:                       # most graphs change: sorted again, not updated
            graphs = {name: set(rng.sample(pool, 30)) for name in graphs}
            continue
        graphs[rng.choice(sorted(graphs))] = set(rng.sample(pool, rng.randrange(1, 60)))
        graphs.pop(rng.choice(sorted(graphs)))
        graphs[f"new{step}"] = set(rng.sample(pool, 20)) | {f"<zz{step}> <p> <o>", "<a> <p> <o>"}
