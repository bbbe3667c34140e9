"""The per-document cache: a rebuild reuses unchanged documents and equals a clean build."""
from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest

import kg.cache as cache_mod
from kg.cache import DocumentCache, document_key, extractor_version
from kg.pipeline import build
from kg.read import read_document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def corpus(tmp_path) -> Path:
    spec = importlib.util.spec_from_file_location("kg_bench_generate", ROOT / "benchmarks" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    folder = tmp_path / "corpus"
    mod.generate(8, folder)
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pkl"))


def test_rebuild_after_changing_one_document_equals_a_clean_build(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    build([corpus], out=tmp_path / "first", html=False, cache=cache)
    assert len(_entries(cache)) == 8

    changed = corpus / "gen_000003.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("援疆", "援疆工作", 3), encoding="utf-8")

    computed = []
    real = cache_mod.DocumentCache.put
    monkeypatch.setattr(cache_mod.DocumentCache, "put",
                        lambda self, key, result: (computed.append(result[0].doc_id), real(self, key, result)))
    cached = build([corpus], out=tmp_path / "cached", html=False, cache=cache)
    monkeypatch.undo()
    assert computed == ["gen_000003"]              # only the edited article was processed again
    clean = build([corpus], out=tmp_path / "clean", html=False)
    assert (tmp_path / "cached" / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
    assert (tmp_path / "cached" / "merges.json").read_bytes() == (tmp_path / "clean" / "merges.json").read_bytes()
    assert cached.summary().splitlines()[:-1] == clean.summary().splitlines()[:-1]


def _spy(monkeypatch):
    """Which documents a build extracts relations for, and which graphs' lines it writes."""
    import kg.graph
    import kg.pipeline
    relations, graphs = [], []
    real_relations, real_put = kg.pipeline.document_relations, kg.graph.Runs.put
    monkeypatch.setattr(kg.pipeline, "document_relations",
                        lambda doc, *a, **k: (relations.append(doc.doc_id), real_relations(doc, *a, **k))[1])
    monkeypatch.setattr(kg.graph.Runs, "put", lambda self, name, lines: (graphs.append(name), real_put(self, name, lines))[1])
    return relations, graphs


def test_rebuild_redoes_only_what_changed(corpus, tmp_path, monkeypatch):
    """Relations, metrics and a document graph's lines are memoised with what they read: an
    unchanged rebuild redoes none of them; after an edit, the edited document and only
    those whose inputs it changed. Every time the bytes are a clean build's."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    build([corpus], out=out, html=False, cache=cache)
    relations, graphs = _spy(monkeypatch)
    build([corpus], out=out, html=False, cache=cache)
    assert relations == [] and not [g for g in graphs if g.startswith("gen_")]
    changed = corpus / "gen_000005.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新疆天山纺织有限公司新增就业岗位120个。\n",
                       encoding="utf-8")
    build([corpus], out=out, html=False, cache=cache)
    assert "gen_000005" in relations and len(relations) < 8
    assert "gen_000005" in graphs and len([g for g in graphs if g.startswith("gen_")]) < 8
    monkeypatch.undo()
    clean = build([corpus], out=tmp_path / "clean", html=False)
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
    again = build([corpus], out=out, html=False, cache=cache).counts
    assert {k: v for k, v in clean.counts.items() if not k.startswith("graphs_")} == \
        {k: v for k, v in again.items() if not k.startswith("graphs_")}


@pytest.mark.parametrize("change", ["add", "remove", "rename"])
def test_rebuild_after_adding_or_removing_equals_a_clean_build(corpus, tmp_path, change):
    """Every output of a rebuild (the union graph.nt and the page drawn from it are changed
    in place, not sorted again) is a clean build's."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    build([corpus], out=out, cache=cache, formats="nt")
    source = corpus / "gen_000002.txt"
    if change == "add":
        (corpus / "added.txt").write_text(source.read_text(encoding="utf-8") + "\n新增就业岗位31个。\n",
                                          encoding="utf-8")
    elif change == "remove":
        source.unlink()
    else:
        source.rename(corpus / "gen_000002b.txt")
    from kg.export import CountedUnion
    seen = []
    real = CountedUnion.pieces
    pieces = lambda self, lines=True: (yield from real(self, lines)) or seen.append(self.incremental)   # noqa: E731
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CountedUnion, "pieces", pieces)
        again = build([corpus], out=out, cache=cache, formats="nt")
    assert seen == [True]
    # the page's parts the change did not reach were taken from the last build (kg.html.PageMemo)
    assert again.page_parts_reused > 0
    clean = build([corpus], out=tmp_path / "clean", formats="nt")
    assert clean.page_parts_reused == 0
    for name in ("graph.ttl", "graph.nt", "graph.html", "merges.json"):
        assert (out / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name
    assert again.triple_count == clean.triple_count


def test_a_page_part_is_made_again_when_what_it_read_changed():
    """What a part of the page read (kg.graph.TrackedIndex) against the lines a rebuild
    added or removed (kg.graph.changed_keys): subjects, (predicate, object) lookups and
    scans of a predicate."""
    from kg.graph import TermIndex, TrackedIndex, changed_keys
    g = TrackedIndex(TermIndex(['<a> <p> "x"', '<b> <p> "y"', '<c> <q> <a>']))
    g.reading()
    assert str(g.value("a", "p")) == "x"
    read_a = g.done()
    g.reading()
    assert list(g.subjects("q", "a")) == ["c"]
    read_q = g.done()
    g.reading()
    g.reading()                 # nested: the outer reading gets what the inner one read
    g.value("b", "p")
    inner = g.done()
    list(g.subject_objects("q"))
    outer = g.done()
    assert inner <= outer
    assert read_a.isdisjoint(changed_keys(['<b> <p> "z"']))
    assert not read_a.isdisjoint(changed_keys(['<a> <p> "z"']))
    assert not read_a.isdisjoint(changed_keys([b'<a> <r> <b>']))
    assert not read_q.isdisjoint(changed_keys(['<d> <q> <a>']))
    assert read_q.isdisjoint(changed_keys(['<d> <q> <b>']))
    assert not outer.isdisjoint(changed_keys(['<e> <q> <f>']))
    assert outer.isdisjoint(changed_keys(['<e> <r> <f>']))


def test_memo_follows_the_entities_a_document_read():
    """A memo entry holds while the entities its document looked up (present or absent)
    are as they were, whatever else changed."""
    from kg.cache import ReadLog, StageMemo
    from kg.model import Entity
    entities = {"place/1": Entity("place/1", "甲县", ["County"]), "org/x": Entity("org/x", "乙公司", ["Enterprise"])}
    memo = StageMemo(None)
    log = ReadLog(entities)
    assert "place/1" in log and "place/2" not in log and log.get("org/x").label == "乙公司"
    memo.put("doc", ("pairing",), entities, log.keys, (["relations"], ["metrics"]))
    memo.old, memo.new = memo.new, {}
    assert memo.get("doc", ("pairing",), entities) == (["relations"], ["metrics"])
    assert memo.get("doc", ("other pairing",), entities) is None
    entities["org/x"].mentions.append(object())        # another document names it: still valid
    memo._prints.clear()
    assert memo.get("doc", ("pairing",), entities) is not None
    for change in (lambda e: e["org/x"].alt_labels.add("乙"), lambda e: e.update({"place/2": Entity("place/2", "丙县", ["County"])}),
                   lambda e: e.pop("place/1")):
        changed = {k: Entity(v.key, v.label, list(v.types), set(v.alt_labels)) for k, v in entities.items()}
        change(changed)
        memo._prints.clear()
        assert memo.get("doc", ("pairing",), changed) is None


def test_key_follows_content_and_id(corpus):
    a = read_document(corpus / "gen_000000.txt")
    b = read_document(corpus / "gen_000000.txt")
    assert document_key(a) == document_key(b)
    b.raw += "。"
    assert document_key(a) != document_key(b)
    c = read_document(corpus / "gen_000000.txt")
    c.doc_id = "other"
    assert document_key(a) != document_key(c)


def test_extractor_version_covers_code_and_lexicons(monkeypatch, tmp_path):
    before = extractor_version()
    # a copy of the package with one lexicon line added must give another version
    fake = tmp_path / "kg"
    (fake / "data" / "lexicon").mkdir(parents=True)
    for name in cache_mod.STAGE_MODULES:
        (fake / name).write_bytes((cache_mod.PACKAGE / name).read_bytes())
    for f in (cache_mod.PACKAGE / "data").rglob("*"):
        if f.is_file() and "__pycache__" not in f.parts:
            target = fake / "data" / f.relative_to(cache_mod.PACKAGE / "data")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
    monkeypatch.setattr(cache_mod, "PACKAGE", fake)
    extractor_version.cache_clear()
    try:
        assert extractor_version() == before
        with open(fake / "data" / "lexicon" / "suffixes.tsv", "a", encoding="utf-8") as fh:
            fh.write("示例馆\tFacility\n")
        extractor_version.cache_clear()
        after_lexicon = extractor_version()
        assert after_lexicon != before
        (fake / "mentions.py").write_text((fake / "mentions.py").read_text(encoding="utf-8") + "\n# changed\n",
                                          encoding="utf-8")
        extractor_version.cache_clear()
        assert extractor_version() not in (before, after_lexicon)
    finally:
        monkeypatch.undo()
        extractor_version.cache_clear()
    assert extractor_version() == before


def test_damaged_entry_is_recomputed(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = build([corpus], out=None, cache=cache)
    for entry in _entries(cache):
        entry.write_bytes(b"not a pickle")
    store = DocumentCache(cache)
    doc = read_document(corpus / "gen_000001.txt")
    assert store.get(doc) is None and store.misses == 1
    again = build([corpus], out=None, cache=cache)
    assert sorted(again.rdf) == sorted(first.rdf)
    assert all(isinstance(pickle.loads(e.read_bytes()), tuple) for e in _entries(cache))


def test_no_temporary_files_left(corpus, tmp_path):
    cache = tmp_path / "cache"
    build([corpus], out=None, cache=cache)
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
