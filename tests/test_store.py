"""The store of kg build (OUT/store): incremental rebuilds, outputs on request, readers,
the build lock, and builds killed at any moment."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from conftest import generate_articles
from kg.pipeline import build
from kg.sparql import run_query
from kg.store import JOURNAL, LOCK, OLD, STAGE, StoreError, build_lock, export, open_store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
BASE = "https://w3id.org/yuanjiang-kg/"
ADDED_SENTENCE = "\n新疆天山纺织有限公司新增就业岗位120个。\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate_articles(6, folder)
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in sorted(src.iterdir()):
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def _outputs(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.html", "merges.json", "store/manifest.json")}


def _ttl_of_store(out: Path) -> bytes:
    buf = io.BytesIO()
    export(out, "ttl", buf)
    return buf.getvalue()


def _ask(out, query: str) -> bool:
    return run_query(out, query).boolean


def _quads(out: Path) -> tuple[set[str], int]:
    """Every quad of the store of ``out`` as text, and how many hold a blank node (named
    anew by every load: the ontology's) rather than those (a rebuilt store holds a clean
    build's)."""
    store = open_store(out)
    try:
        text = [str(q) for q in store.quads_for_pattern(None, None, None, None)]
    finally:
        del store
    named = {q for q in text if "_:" not in q}
    return named, len(text) - len(named)


def test_rebuild_after_an_edit_equals_a_clean_build(corpus, tmp_path):
    articles = _copy(corpus, tmp_path / "in")
    first = build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    before = (tmp_path / "out" / "graph.ttl").read_bytes()
    assert first.counts["graphs_replaced"] == len(first.graph.documents) + 2     # merged, reference
    build([articles], out=tmp_path / "first", cache=None)        # kept to compare with below
    victim = sorted(articles.glob("gen_*.txt"))[2]
    victim.write_text(victim.read_text(encoding="utf-8") + ADDED_SENTENCE, encoding="utf-8")
    import kg.store
    edited, loaders = [], []
    real_edit, real_loader = kg.store._line_edit, kg.store._start_loader
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kg.store, "_line_edit", lambda last, name, quads: (
            edited.append(name) or real_edit(last, name, quads)))
        mp.setattr(kg.store, "_start_loader", lambda task, processes: (
            loaders.append(processes) or real_loader(task, processes)))
        again = build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    # the changed graphs were changed line by line in the store, in the build's own process
    assert "merged" in edited and victim.stem in edited and loaders == [1]
    clean = build([articles], out=tmp_path / "clean", cache=None)
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "clean")
    assert _quads(tmp_path / "out") == _quads(tmp_path / "clean")
    assert (tmp_path / "out" / "graph.ttl").read_bytes() != before
    # only the edited document's graph and the merged entries were replaced
    assert 1 <= again.counts["graphs_replaced"] <= 3 and again.counts["graphs_removed"] == 0
    assert again.triple_count == clean.triple_count
    # the store answers like the clean build's files
    q = "ASK { ?c a <https://w3id.org/yuanjiang-kg/ontology#Enterprise> ; <http://www.w3.org/2000/01/rdf-schema#label> \"新疆天山纺织有限公司\"@zh }"
    assert _ask(tmp_path / "out", q) and _ask(tmp_path / "clean" / "graph.ttl", q)
    # nothing changed: nothing replaced, same bytes
    same = build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    assert same.counts["graphs_replaced"] == 0
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "clean")
    # the edit undone: a rebuild of a rebuild (the kept union, index and page changed twice)
    # gives the first build's bytes and store
    first_outputs, first_quads = _outputs(tmp_path / "first"), _quads(tmp_path / "first")
    victim.write_text(victim.read_text(encoding="utf-8").removesuffix(ADDED_SENTENCE), encoding="utf-8")
    build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    assert _outputs(tmp_path / "out") == first_outputs
    assert _quads(tmp_path / "out") == first_quads


def test_a_first_build_compacts_the_store_and_a_small_rebuild_does_not(corpus, tmp_path, monkeypatch):
    import kg.store
    articles = _copy(corpus, tmp_path / "in")
    first = build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    count = tmp_path / "out" / "store" / kg.store.UNCOMPACTED
    assert count.read_text() == "0\n"
    # an edit rewrites the edited graph and the merged one: with a share of 1, compacted only
    # once as many triples as the store holds were written since
    monkeypatch.setattr(kg.store, "COMPACT_SHARE", 1)
    victim = sorted(articles.glob("gen_*.txt"))[2]
    victim.write_text(victim.read_text(encoding="utf-8") + ADDED_SENTENCE, encoding="utf-8")
    build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    written = int(count.read_text())
    assert 0 < written < first.triple_count
    # the next rebuild adds to the count; once it reaches the share, the store is compacted
    victim.write_text(victim.read_text(encoding="utf-8") + ADDED_SENTENCE.replace("120", "130"), encoding="utf-8")
    build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    assert int(count.read_text()) > written
    monkeypatch.setattr(kg.store, "COMPACT_SHARE", 10**6)
    victim.write_text(victim.read_text(encoding="utf-8") + ADDED_SENTENCE.replace("120", "140"), encoding="utf-8")
    build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    assert count.read_text() == "0\n"
    text = (ROOT / "queries" / "supports.rq").read_text(encoding="utf-8")
    assert _answer(run_query(tmp_path / "out", text)) == _answer(run_query(tmp_path / "out" / "graph.ttl", text))


# the store holds the ontology (class and field labels) and graph.ttl does not: these two are
# compared with graph.trig in test_every_bundled_query_gives_the_same_rows_from_store_and_file
WITHOUT_ONTOLOGY = [q for q in QUERIES if q.name not in ("aid_fields.rq", "about_entity.rq")]


@pytest.mark.parametrize("query", WITHOUT_ONTOLOGY, ids=[q.name for q in WITHOUT_ONTOLOGY])
def test_bundled_queries_give_the_files_rows_when_documents_repeat_each_other(corpus, tmp_path_factory, query):
    """The union of the store's graphs repeats a triple once per document holding it (on the
    seeds alone few do): with each seed article in twice, every relation, fact and label of
    theirs is stated in two graphs, and each query still gives graph.ttl's rows."""
    out = tmp_path_factory.getbasetemp() / "repeated-out"
    if not (out / "graph.ttl").exists():
        articles = _copy(corpus, tmp_path_factory.getbasetemp() / "repeated-in")
        for seed in sorted(SEEDS.glob("*.txt")):
            (articles / f"again_{seed.name}").write_bytes(seed.read_bytes())
        build([articles], out=out, cache=None)
    text = query.read_text(encoding="utf-8")
    assert _answer(run_query(out, text)) == _answer(run_query(out / "graph.ttl", text))


def test_removing_an_article_removes_its_facts(corpus, tmp_path):
    articles = _copy(corpus, tmp_path / "in")
    build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    gone = sorted(articles.glob("gen_*.txt"))[0]
    doc = f"{BASE}doc/{gone.stem}"
    assert _ask(tmp_path / "out", f"ASK {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}")
    gone.unlink()
    again = build([articles], out=tmp_path / "out", cache=tmp_path / "cache")
    assert again.counts["graphs_removed"] == 1
    assert not _ask(tmp_path / "out", f"ASK {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}")
    assert not _ask(tmp_path / "out", f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{doc}\")) }}")
    assert doc.encode() not in (tmp_path / "out" / "graph.ttl").read_bytes()
    build([articles], out=tmp_path / "clean", cache=None)
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "clean")
    assert _quads(tmp_path / "out") == _quads(tmp_path / "clean")


def test_outputs_on_request_and_export_from_the_store(tmp_path):
    out = tmp_path / "out"
    build([SEEDS], out=out, cache=None)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["explorer-cache.json", "graph.html", "graph.ttl", "merges.json", "store"]
    assert _ttl_of_store(out) == (out / "graph.ttl").read_bytes()
    every = build([SEEDS], out=tmp_path / "all", cache=None, formats="all")
    assert {p.name for p in every.outputs} == {"graph.ttl", "graph.nt", "graph.trig", "graph.jsonld",
                                               "graph.html", "merges.json", "explorer-cache.json"}
    for fmt, name in (("nt", "graph.nt"), ("trig", "graph.trig"), ("jsonld", "graph.jsonld")):
        done = subprocess.run([sys.executable, "-m", "kg.cli", "export", str(out), "--format", fmt,
                               "-o", str(tmp_path / name)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_bytes() == (tmp_path / "all" / name).read_bytes(), fmt
    # a later default build removes the files the earlier one wrote on request: one set
    build([SEEDS], out=tmp_path / "all", cache=None)
    assert not (tmp_path / "all" / "graph.nt").exists() and not (tmp_path / "all" / "graph.trig").exists()


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_bundled_query_gives_the_same_rows_from_store_and_file(seed_build, query):
    out = seed_build.outputs[0].parent
    text = query.read_text(encoding="utf-8")
    from_store = _answer(run_query(out, text))
    assert from_store                                   # every query finds something in the seeds
    assert _answer(run_query(out / "store", text)) == from_store
    assert _answer(run_query(out / "graph.trig", text)) == from_store
    # the store and graph.trig hold the ontology (class and field labels), graph.ttl does not
    if query.name not in ("aid_fields.rq", "about_entity.rq"):
        assert _answer(run_query(out / "graph.ttl", text)) == from_store


def _answer(result) -> list[str]:
    """SELECT rows or CONSTRUCT triples, sorted, in a comparable form."""
    return sorted(map(repr, result.rows if result.kind == "select" else result.triples))


def test_readers_work_while_a_build_holds_the_folder(seed_build, tmp_path):
    out = tmp_path / "out"
    build([SEEDS], out=out, cache=None)
    env = {**os.environ}
    with build_lock(out):
        query = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out), str(ROOT / "queries" / "supports.rq"),
                                "--format", "csv"], capture_output=True, text=True, timeout=120, env=env)
        assert query.returncode == 0, query.stderr
        assert "衢州市" in query.stdout
        second = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEEDS), "--out", str(out), "-q"],
                                capture_output=True, text=True, timeout=300, env=env)
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1 and str(out / LOCK) in second.stderr
        assert "Traceback" not in second.stderr
    writer = open_store(out, read_only=False)
    try:
        with pytest.raises(StoreError, match="LOCK"):
            open_store(out, read_only=False)
        assert len(open_store(out)) > 1000           # read-only beside the writer
    finally:
        del writer


def _table_files(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "store" / "oxigraph").glob("*.sst"))


def test_a_built_store_owes_no_compaction(tmp_path):
    """Opening a built store for writing changes none of its files: RocksDB owes it no
    compaction (kg.store.settle). One owed ran at once in a process that opened the store
    for writing and deleted files a read-only open beside it had just listed, which then
    failed ("No such file ... .sst"; test_readers_work_while_a_build_holds_the_folder). The
    loader reading the Turtle blocks left one owed about one seed build in six."""
    for run in range(5):
        out = tmp_path / f"out{run}"
        build([SEEDS], out=out, cache=None)
        before = _table_files(out)
        writer = ox.Store(str(out / "store" / "oxigraph"))
        time.sleep(0.5)             # what an open schedules starts well within this
        del writer
        assert _table_files(out) == before, f"build {run}: a writable open compacted the store"


def test_serve_view_validate_and_load_read_the_store(seed_build, tmp_path):
    from kg.load import read_graphs
    from kg.serve import SparqlServer
    from kg.validate import validate
    out = seed_build.outputs[0].parent
    ok, report = validate(out)
    assert ok, report
    graphs = read_graphs(out)
    trig = read_graphs(out / "graph.trig")
    assert set(graphs) == set(trig)
    for g in graphs:        # the ontology's blank nodes are labelled anew by each parse
        assert len(graphs[g]) == len(trig[g]) and _ground(graphs[g]) == _ground(trig[g]), g
    server = SparqlServer(out, port=0, workers=1, quiet=True)
    try:
        status, _, body = server.pool.run({"query": "SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/yuanjiang-kg/ontology#County> }",
                                           "format": "csv"}, 30)
        assert status == 200 and int(body.decode().split()[-1]) > 0
    finally:
        server.server_close()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "view", str(out), "--out", str(tmp_path / "v.html")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "v.html").read_bytes() == (out / "graph.html").read_bytes()


def test_serve_answers_from_the_store_a_rebuild_put_in_place(corpus, tmp_path):
    """kg serve OUT keeps answering while kg build replaces OUT/store, and then answers from
    the new store: new workers and explorer open it, the old workers stop."""
    import json
    import threading
    import urllib.parse
    import urllib.request
    from kg.serve import SparqlServer
    articles, out = _copy(corpus, tmp_path / "articles"), tmp_path / "out"
    build([articles], out=out, cache=tmp_path / "cache")
    server = SparqlServer(out, port=0, workers=1, quiet=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    home = server.url[:-len("/sparql")]

    def served() -> int:
        url = f"{server.url}?{urllib.parse.urlencode({'query': count})}"
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=60) as r:
            return int(r.read().decode().split()[-1])

    def stored() -> int:
        return int(next(iter(open_store(out).query(count, use_default_graph_as_union=True)))["n"].value)

    def found(name: str) -> list[str]:
        with urllib.request.urlopen(f"{home}/api/search?{urllib.parse.urlencode({'q': name})}", timeout=120) as r:
            return [hit["label"] for hit in json.loads(r.read())]

    try:
        before, old_pids = served(), server.pool.pids
        assert before == stored()
        assert not found("天山纺织")
        victim = sorted(articles.glob("gen_*.txt"))[0]
        victim.write_text(victim.read_text(encoding="utf-8") + ADDED_SENTENCE, encoding="utf-8")
        build([articles], out=out, cache=tmp_path / "cache")
        after = served()
        assert after == stored() != before
        assert server.info["triples"] == len(open_store(out))
        assert found("天山纺织")                  # the explorer reads the new store too
        deadline = time.monotonic() + 30
        while any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in old_pids):
            assert time.monotonic() < deadline, "the old store's workers did not stop"
            time.sleep(0.1)
        build([articles], out=out, cache=tmp_path / "cache")     # and again: a third store
        assert served() == after
    finally:
        server.shutdown()
        server.server_close()


def _ground(triples) -> set:
    return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


# ---- killed builds ---------------------------------------------------------------------

def _start(articles: Path, out: Path, kill_at: str | None = None, jobs: int = 1) -> subprocess.Popen:
    env = {**os.environ}
    if kill_at:
        env["KG_TEST_KILL_AT"] = kill_at
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(articles), "--out", str(out),
                             "--jobs", str(jobs), "--no-cache", "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _one_set(out: Path, sets: dict[str, bytes]) -> str:
    """Which build's graph.ttl the folder holds, checking that the store is the same one."""
    ttl = (out / "graph.ttl").read_bytes()
    assert _ttl_of_store(out) == ttl                # the store and graph.ttl are one set
    found = [name for name, data in sets.items() if data == ttl]
    assert found, "graph.ttl is neither the old nor the new one"
    return found[0]


def _no_leftovers(out: Path) -> None:
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == [LOCK], hidden
    assert not (out / STAGE).exists() and not (out / OLD).exists() and not (out / JOURNAL).exists()


@pytest.fixture(scope="module")
def two_sets(corpus, tmp_path_factory):
    """An old corpus and a new one (one article more), and the graph.ttl of each."""
    work = tmp_path_factory.mktemp("sets")
    old = _copy(corpus, work / "old")
    new = _copy(corpus, work / "new")
    (new / "added.txt").write_text((SEEDS / "000_c362e20726e80f6e.txt").read_text(encoding="utf-8-sig")
                                   + ADDED_SENTENCE, encoding="utf-8")
    sets = {}
    for name, articles in (("old", old), ("new", new)):
        build([articles], out=work / f"clean-{name}", cache=None)
        sets[name] = (work / f"clean-{name}" / "graph.ttl").read_bytes()
    return old, new, sets


@pytest.mark.parametrize("point", ["extracted", "staged", "journal", "store-moved-aside", "renamed"])
def test_a_build_killed_at_any_point_leaves_one_usable_set(two_sets, tmp_path, point):
    old, new, sets = two_sets
    out = tmp_path / "out"
    build([old], out=out, cache=None)
    proc = _start(new, out, kill_at=point)
    assert proc.wait(timeout=300) == -signal.SIGKILL, proc.stderr.read()
    # a reader finds one set (finishing a commit the journal describes)
    expected = "old" if point in ("extracted", "staged") else "new"
    query = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(out), str(ROOT / "queries" / "documents.rq"),
                            "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert query.returncode == 0, query.stderr
    assert ("added" in query.stdout) == (expected == "new")
    assert _one_set(out, sets) == expected
    # the next build cleans up and gives the clean build's files
    build([new], out=out, cache=None)
    _no_leftovers(out)
    assert _one_set(out, sets) == "new"


def test_a_build_killed_at_random_moments_leaves_one_set_and_no_worker(two_sets, tmp_path):
    old, new, sets = two_sets
    out = tmp_path / "out"
    build([old], out=out, cache=None)
    for delay in (0.5, 2.0, 4.0, 6.0):
        proc = _start(new, out, jobs=2)
        ps = psutil.Process(proc.pid)
        time.sleep(delay)
        children = ps.children(recursive=True) if proc.poll() is None else []
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"workers outlived the build killed after {delay} s: {alive}"
        assert _one_set(out, sets) in ("old", "new")
    build([new], out=out, cache=None)
    _no_leftovers(out)
    assert _one_set(out, sets) == "new"


def test_the_next_build_removes_the_temp_file_of_a_server_killed_while_writing_its_cache(two_sets, tmp_path):
    """kg serve writes its cache as a hidden temp file renamed into place; SIGKILLed between
    the two it leaves the temp file, which the next build (holding the lock) removes."""
    old, new, sets = two_sets
    out = tmp_path / "out"
    build([old], out=out, cache=None)
    (out / ".explorer-cache.json.k1ll3d.tmp").write_bytes(b"half a cache")
    build([new], out=out, cache=None)
    _no_leftovers(out)
