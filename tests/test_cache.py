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
