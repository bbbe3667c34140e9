"""--jobs and --scheduler change where the per-document stages run, never the graph."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import generate_articles
from kg.cli import main
from kg.parallel import run_documents
from kg.pipeline import build, collect_files
from kg.read import read_document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate_articles(10, folder)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


@pytest.fixture(scope="module")
def serial_files(corpus, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("serial")
    build([corpus], out=out, jobs=1, formats="all")
    return _files(out)


def _files(out: Path) -> dict[str, bytes]:
    """The output files and the store's manifest (RocksDB's own files differ run to run)."""
    return {p.name: p.read_bytes() for p in [*out.iterdir(), out / "store" / "manifest.json"]
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def serial_ttl(serial_files) -> bytes:
    return serial_files["graph.ttl"]


def test_jobs_4_gives_the_same_bytes_as_jobs_1(corpus, serial_files, tmp_path):
    """Every file: with jobs > 1 a second process also writes graph.ttl and graph.trig
    while the page is drawn."""
    result = build([corpus], out=tmp_path, jobs=4, formats="all")
    assert _files(tmp_path) == serial_files
    assert sorted(serial_files) == ["explorer-cache.json", "graph.html", "graph.jsonld", "graph.nt", "graph.trig", "graph.ttl",
                                    "manifest.json", "merges.json"]
    assert len(result.graph.documents) == 12
    assert "place/652927" in result.graph.entities       # the seeds' 乌什县 is still found


def test_cli_jobs_flag(corpus, serial_ttl, tmp_path, capsys):
    assert main(["build", str(corpus), "--out", str(tmp_path), "--jobs", "2", "--no-cache", "--quiet"]) == 0
    assert (tmp_path / "graph.ttl").read_bytes() == serial_ttl
    assert not (tmp_path / ".cache").exists()
    assert main(["build", str(corpus), "--out", str(tmp_path), "--jobs", "0"]) == 1
    assert "--jobs" in capsys.readouterr().err


def test_results_keep_input_order_across_workers(corpus):
    files, _ = collect_files([corpus])
    docs = [read_document(f) for f in files]
    ids = [d.doc_id for d in docs]
    processed = run_documents(docs, jobs=3, progress=False)
    assert [d.doc_id for d, _, _, _ in processed] == ids
    assert all(m.doc_id == d.doc_id for d, ms, _, _ in processed for m in ms)
    assert all(d.sentences and d.text and len(k.keys) == len(ms) for d, ms, k, _ in processed)
    assert any(q for _, _, _, q in processed)          # numbers were read where the text is


def test_no_progress_bar_when_stderr_is_not_a_terminal(corpus, capsys):
    files, _ = collect_files([corpus])
    run_documents([read_document(f) for f in files[:3]], jobs=1)
    assert capsys.readouterr().err == ""
    run_documents([read_document(f) for f in files[:3]], jobs=1, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_dask_cluster_gives_the_same_bytes_as_jobs_1(corpus, serial_ttl, tmp_path):
    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert main(["build", str(corpus), "--out", str(tmp_path), "--scheduler", cluster.scheduler_address,
                     "--no-cache", "--quiet"]) == 0
    assert (tmp_path / "graph.ttl").read_bytes() == serial_ttl


def test_relations_and_metrics_in_the_workers_give_the_same_bytes(tmp_path, monkeypatch):
    """kg build's way with --jobs (the graph let go): documents held packed, relations and
    metrics read in the extraction's workers, which need more documents than a few
    batches; the files are those of one process holding every document open, and a
    rebuild from the memo the workers' results filled is too."""
    import kg.parallel
    folder = tmp_path / "corpus"
    generate_articles(3 * kg.parallel.BATCH, folder)
    build([folder], out=tmp_path / "one", jobs=1)
    here = []
    real = kg.parallel.document_stages
    monkeypatch.setattr(kg.parallel, "document_stages", lambda *a: (here.append(1), real(*a))[1])
    cache = tmp_path / "cache"
    result = build([folder], out=tmp_path / "two", jobs=2, cache=cache, keep_graph=False)
    assert here == []                   # (the workers, forked after the patch, counted their own)
    assert _files(tmp_path / "two") == _files(tmp_path / "one")
    assert result.counts["documents"] == 3 * kg.parallel.BATCH and result.counts["characters"] > 0
    edited = sorted(folder.iterdir())[5]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新疆天山纺织有限公司新增就业岗位120个。\n", encoding="utf-8")
    build([folder], out=tmp_path / "two", jobs=2, cache=cache, keep_graph=False)
    build([folder], out=tmp_path / "one", jobs=1)
    assert (tmp_path / "two" / "graph.ttl").read_bytes() == (tmp_path / "one" / "graph.ttl").read_bytes()


def test_a_packed_document_opens_as_it_was():
    import pickle

    from kg.model import PackedDocument, opened
    doc = read_document(min((ROOT / "seeds").glob("*.txt")))
    packed = PackedDocument(doc, {"q": 1}, key="k")
    again = pickle.loads(pickle.dumps(packed))
    assert (again.doc_id, again.name, again.chars, again.key) == (doc.doc_id, doc.name, len(doc.raw), "k")
    assert opened(again) == (doc, {"q": 1}) and opened(doc, 2) == (doc, 2)
