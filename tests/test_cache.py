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
    import kg.parallel
    relations, graphs = [], []
    real_relations, real_put = kg.parallel.document_relations, kg.graph.Runs.put
    monkeypatch.setattr(kg.parallel, "document_relations",
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


EDITS = {
    # the same school (its IRI) gets a longer label, the old one becoming an alternative label
    "label": "\n若羌县九江小学举行开学典礼。\n",
    # an aid command named anew: one entity replaced by another, and every edge it had
    "entity and edges": "\n九江市援疆指挥部(九江市对口支援若羌县工作前方指挥部)组织召开会议。\n",
    # a new enterprise and relations to it
    "edges": "\n九江市引进新疆天山纺织有限公司落户若羌县。\n",
}
OUTPUTS = ("graph.ttl", "graph.html", "explorer-cache.json", "merges.json")


def test_rebuilds_in_a_row_draw_the_page_of_a_clean_build(corpus, tmp_path, monkeypatch):
    """Edits one after another (a label, an entity with its edges, new edges, then all
    taken back): after each, every output of the rebuild is a clean build's, the page's
    memo and index are the whole of the first build linked plus a delta (kg.store
    save_layered), and the first view of the explorer is taken from the last build
    when the lines it is drawn from did not change."""
    import kg.explorer
    cache, out = tmp_path / "cache", tmp_path / "out"
    build([corpus], out=out, cache=cache)
    whole = {name: (out / "store" / name).stat().st_ino for name in ("page.pkl", "index.pkl")}
    article = corpus / "gen_000002.txt"
    original = article.read_text(encoding="utf-8")
    drawn = []
    real = kg.explorer._page_data
    monkeypatch.setattr(kg.explorer, "_page_data", lambda lines, *a, **k: (drawn.append(1), real(lines, *a, **k))[1])
    text = original
    for step, edit in [*EDITS.items(), ("a figure only", "\n新增就业岗位31个。\n"), ("taken back", None)]:
        text = text + edit if edit else original
        article.write_text(text, encoding="utf-8")
        drawn.clear()
        again = build([corpus], out=out, cache=cache)
        assert again.page_parts_reused > 0, step
        if step == "a figure only":     # no entity nor relation changed: the first view is the last one
            assert drawn == [], step
        clean = tmp_path / f"clean-{len(step)}"
        build([corpus], out=clean)
        for name in OUTPUTS:
            assert (out / name).read_bytes() == (clean / name).read_bytes(), (step, name)
        for name, inode in whole.items():
            assert (out / "store" / name).stat().st_ino == inode, (step, name)      # linked, not written
            assert (out / "store" / (name + ".delta")).stat().st_size > 0, (step, name)


def test_a_layered_memo_is_used_only_with_its_own_delta(tmp_path):
    """kg.store.save_layered and read_layered: a delta belongs to the whole it was made
    against (a token ties them); without its delta a whole is stale and is not used; a
    delta grown past its share gets the memo written whole."""
    from kg.store import DELTA, net_change, read_layered, save_layered
    def store(name):                    # what kg.store.store_folder takes for a store
        folder = tmp_path / name / "store"
        (folder / "oxigraph").mkdir(parents=True)
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        return folder
    first, second, third = store("a"), store("b"), store("c")
    token = save_layered(first, "m.pkl", None, None, None, lambda: {"x": 1})
    assert read_layered(tmp_path / "a", "m.pkl") == ({"x": 1}, None, token)
    assert save_layered(second, "m.pkl", first, token, {"y": 2}, None, changes=1, size=100) == token
    assert (second / "m.pkl").stat().st_ino == (first / "m.pkl").stat().st_ino
    assert read_layered(tmp_path / "b", "m.pkl") == ({"x": 1}, {"y": 2}, token)
    (second / ("m.pkl" + DELTA)).write_bytes((first / ("m.pkl" + DELTA)).read_bytes())
    (first / "m.pkl").unlink()
    save_layered(first, "m.pkl", None, None, None, lambda: {"z": 3})        # another whole, another token
    (second / ("m.pkl" + DELTA)).write_bytes((first / ("m.pkl" + DELTA)).read_bytes())
    assert read_layered(tmp_path / "b", "m.pkl") == ({}, None, None)
    (second / ("m.pkl" + DELTA)).unlink()
    assert read_layered(tmp_path / "b", "m.pkl") == ({}, None, None)
    assert save_layered(third, "m.pkl", first, "t", {"big": 1}, lambda: {"w": 4}, changes=50, size=100) != "t"
    assert read_layered(tmp_path / "c", "m.pkl")[:2] == ({"w": 4}, None)
    # lines that came and went since the whole: this build's changes on top of the delta's
    came, went = net_change(([b"a", b"b"], [b"c"]), entered=[b"c", b"d"], left=[b"a", b"e"])
    assert (came, went) == ({b"b", b"d"}, {b"e"})


def test_rebuild_after_an_edit_that_names_an_entity_first_equals_a_clean_build(corpus, tmp_path, monkeypatch):
    """Resolution decides an entity's label in document order: an edit to an earlier
    article that names an enterprise first (in another form) gives it a new label and the
    old one as an alternative, in the merged graph and on the page; taken back, the label is
    the first one again. Each rebuild's outputs are a clean build's, and the merged graph's
    lines of the entities nothing changed are the last build's (kg.graph.Runs.described)."""
    import kg.graph
    cache, out = tmp_path / "cache", tmp_path / "out"
    build([corpus], out=out, cache=cache)
    key = "enterprise/xin-tuo-5b7436"          # named 新疆新驼 first in gen_000004 (the generator's)
    assert '"新疆新驼"@zh' in (out / "graph.ttl").read_text(encoding="utf-8")
    article = corpus / "gen_000001.txt"
    original = article.read_text(encoding="utf-8")
    described = []
    real = kg.graph._describe
    monkeypatch.setattr(kg.graph, "_describe", lambda e, node: (described.append(e.key), real(e, node))[1])
    for step, text in (("named first", original + "\n新驼公司在阿瓦提县新增就业岗位80个。\n"), ("taken back", original)):
        article.write_text(text, encoding="utf-8")
        described.clear()
        again = build([corpus], out=out, cache=cache, keep_graph=True)
        entity = again.graph.entities[key]
        assert entity.label == ("新驼公司" if step == "named first" else "新疆新驼"), step
        assert key in described and len(described) < len(again.graph.entities) / 4, step
        clean = tmp_path / f"clean-{len(step)}"
        build([corpus], out=clean)
        for name in OUTPUTS:
            assert (out / name).read_bytes() == (clean / name).read_bytes(), (step, name)


def test_slugs_are_kept_with_the_cache(corpus, tmp_path):
    """The entity keys' slugs a build made are kept with the cache under the extractor's
    version: a rebuild whose names all have one does not import pypinyin, and gives the
    keys of a clean build; a table of another version is not used."""
    import subprocess
    import sys

    from kg.resolve import slug
    cache = tmp_path / "cache"
    build([corpus], out=tmp_path / "out", html=False, cache=cache)
    kept = DocumentCache(cache).slugs()
    assert kept and all(slug(name) == made for name, made in kept.items())
    article = corpus / "gen_000003.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\n新增就业岗位31个。\n", encoding="utf-8")
    script = ("import sys, kg; kg.build([sys.argv[1]], out=sys.argv[2], html=False, cache=sys.argv[3]); "
              "print('pypinyin' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", script, str(corpus), str(tmp_path / "out"), str(cache)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert ran.stdout.split() == ["False"]
    clean = build([corpus], out=tmp_path / "clean", html=False)
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
    table = cache / DocumentCache.SLUGS
    stored = pickle.loads(table.read_bytes())
    table.write_bytes(pickle.dumps({**stored, "version": "another extractor"}))
    assert DocumentCache(cache).slugs() == {}


def test_model_objects_pickle_as_their_fields():
    """Slotted model classes pickle as their fields in order (kg.model._fields_in_order)."""
    from kg.model import Evidence, Mention, Paragraph, Sentence
    for obj in (Mention("d", 1, 3, "乌什", "County", code="652927", entity="place/652927", refers_to=("a", "b"),
                        original="烏什"),
                Sentence(1, 0, "body", 3, 9, "乌什县"), Evidence("d", 1, 2, 3, "支援"), Paragraph(0, "body", 0, 9)):
        again = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == obj and type(again) is type(obj)
