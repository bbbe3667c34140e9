"""The explorer's cache file (OUT/explorer-cache.json): `kg serve OUT` keeps the first view, the
entity index and the store's size there, and a restart on the same store reads them instead
of making them; a file of another store or code, or not whole, is never used."""
from __future__ import annotations

import json
import shutil
import threading
import urllib.parse

import pyoxigraph as ox
import pytest

from kg.explorer import RELATION_STYLE, EntityIndex, Explorer
from kg.explorer_cache import CACHE_NAME, cache_key, read_cached, write_cache
from kg.serve import SparqlServer, explorer_cache
from kg.store import open_store
from tests.test_serve import http

YJ = "https://w3id.org/yuanjiang-kg/ontology#"


@pytest.fixture
def out(seed_build, tmp_path):
    """A copy of the seed build's store: the server writes its cache file next to it."""
    source = next(p for p in seed_build.outputs if p.name == "graph.ttl").parent / "store"
    shutil.copytree(source, tmp_path / "out" / "store")
    return tmp_path / "out"


def serving(out):
    server = SparqlServer(out, port=0, quiet=True, timeout=30)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, server.url[:-len("/sparql")]


def answers(home: str, iris) -> list:
    found = []
    for iri in iris:
        status, _, body = http(home + "/api/node?" + urllib.parse.urlencode({"iri": iri}))
        assert status == 200
        found.append(json.loads(body))
    return found


def relations_by_sparql(store: ox.Store, iri: str) -> set:
    """(relation, other end, outgoing) of ``iri`` from the store, as the index should hold them."""
    values = " ".join(f"<{YJ}{r}>" for r in RELATION_STYLE)
    found = set()
    for outgoing, pattern in ((True, f"<{iri}> ?p ?x"), (False, f"?x ?p <{iri}>")):
        q = f"SELECT DISTINCT ?p ?x WHERE {{ VALUES ?p {{ {values} }} {pattern} FILTER(isIRI(?x)) }}"
        for row in store.query(q, use_default_graph_as_union=True):
            found.add((row["p"].value[len(YJ):], row["x"].value, outgoing))
    return found


def test_a_restart_serves_the_kept_first_view_and_index(out):
    server, home = serving(out)
    try:
        _, _, first_page = http(home + "/")
        index = server.explorer.entities()
        sample = sorted(index.ids, key=lambda e: (-index.degree(e), e))[:8]
        first = answers(home, sample)
    finally:
        server.shutdown()
        server.server_close()       # waits for the file, written in the background
    assert (out / CACHE_NAME).is_file() and not list(out.glob(f".{CACHE_NAME}.*"))

    server, home = serving(out)
    try:
        assert server.info["triples"] == len(open_store(out))      # kept, not counted again
        _, _, page = http(home + "/")
        assert page == first_page
        assert answers(home, sample) == first
        assert server.explorer._from_disk == {"page", "entities"}
        kept = server.explorer.entities()
        store = open_store(out)
        for iri in sample:                  # the kept index answers as the store does
            assert set(kept.around(iri)) == relations_by_sparql(store, iri) != set()
    finally:
        server.shutdown()
        server.server_close()
    # the answers come from the file alone: an empty store with it gives the same ones
    alone = Explorer(ox.Store(), dataset=True, cache=explorer_cache(out))
    assert alone.page() == first_page and alone.entities().links == kept.links
    assert [alone.neighbourhood(iri) for iri in sample] == first


def test_a_cache_of_another_store_or_damaged_is_made_again(out):
    cache = explorer_cache(out)
    made = Explorer(open_store(out), dataset=True, cache=cache)
    page, index = made.page(), made.entities()
    made.cache_writer.join(60)
    kept = (out / CACHE_NAME).read_bytes()
    head, _, rest = kept.partition(b"\n")
    meta = json.loads(head)
    index_at = len(head) + 1 + meta["page"][0]
    assert read_cached(*cache, made.title, "page") == page

    # another store: a build writes a new manifest, so another key
    manifest = out / "store" / "manifest.json"
    changed = manifest.read_bytes().replace(b'"format"', b' "format"', 1)
    moved = out / "moved"
    moved.mkdir()
    (moved / "manifest.json").write_bytes(changed)
    assert cache_key(moved / "manifest.json") != cache[1]
    assert read_cached(cache[0], cache_key(moved / "manifest.json"), made.title, "page") is None

    flipped = bytearray(kept)
    flipped[index_at + 10] ^= 1                     # one bit of the index
    damaged = {"index bit": bytes(flipped), "cut short": kept[:-100], "no header": rest,
               "empty": b"", "header only": head + b"\n", "not json": b"\xff\xfe{" + kept}
    for name, data in damaged.items():
        (out / CACHE_NAME).write_bytes(data)
        assert read_cached(*cache, made.title, "index") is None, name
        again = Explorer(open_store(out), dataset=True, cache=cache)
        assert again.page() == page and again.entities().links == index.links, name
        again.cache_writer.join(60)
        assert read_cached(*cache, made.title, "index")["links"] == index.links, name    # written anew
    # whole (digests right) but not an index: refused by its shape
    bad = EntityIndex.restore(index.dump())
    bad.links = [[len(bad.iris) << 6 | 1]] + bad.links[1:]          # a link to no entity
    assert write_cache(*cache, bad.dump(), page, made.title)
    with pytest.raises(ValueError):
        EntityIndex.restore(read_cached(*cache, made.title, "index"))
    again = Explorer(open_store(out), dataset=True, cache=cache)
    assert again.page() == page and again._from_disk == {"page"}
    assert again.entities().links == index.links and again._from_disk == {"page"}
    again.cache_writer.join(60)
    assert read_cached(*cache, made.title, "index")["links"] == index.links      # written anew
    assert read_cached(*cache, "another title", "page") is None
    assert not write_cache(out / "no such folder" / CACHE_NAME, cache[1], index.dump(), page, made.title)


def test_a_store_replaced_while_the_server_opens_it_gets_no_cache(out):
    """The key is taken before the store is opened and checked after: a build that replaced the
    store in between (another manifest) leaves that explorer without the file."""
    from kg import serve
    cache = serve.explorer_cache(out)
    assert serve._still(cache, out) == cache
    manifest = out / "store" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"format"', b' "format"', 1))
    assert serve._still(cache, out) is None


def same_index(a: EntityIndex, b: EntityIndex) -> bool:
    """The same relations, names, types and entity count, however the entities are numbered."""
    def held(index):
        return ({iri: sorted((index.iris[x >> 6], x & 63) for x in links) for iri, links in zip(index.iris, index.links)},
                dict(zip(index.iris, index.names)), index.entities)
    return held(a) == held(b)


def served_cache(out, tmp_path) -> tuple:
    """What `kg serve` makes from the store of ``out`` (a copy of its store folder, with no
    cache file), and what it reads from the cache file ``out`` holds: (made, kept) as
    (page, index, triples) each, and the store's size."""
    copy = tmp_path / "served"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out / "store", copy / "store")
    cache = explorer_cache(copy)
    assert cache[1] == explorer_cache(out)[1]            # the same store, the same key
    made = Explorer(open_store(copy), dataset=True, cache=cache, triples=len(open_store(copy)))
    made.page(), made.entities()
    made.cache_writer.join(60)
    found = []
    for path in (copy / CACHE_NAME, out / CACHE_NAME):
        found.append((read_cached(path, cache[1], made.title, "page"),
                      EntityIndex.restore(read_cached(path, cache[1], made.title, "index")),
                      read_cached(path, cache[1], "", "triples")))
    return found[0], found[1], len(open_store(copy))


def assert_build_cache_is_the_served_one(out, tmp_path) -> None:
    made, kept, triples = served_cache(out, tmp_path)
    assert kept[0] == made[0] and kept[0].startswith(b"<!DOCTYPE html>")
    assert kept[2] == made[2] == triples
    assert same_index(kept[1], made[1]) and kept[1].iris
    # and the same answers: a server reading the build's file against one made from the store
    with_file = Explorer(open_store(out), dataset=True, cache=explorer_cache(out))
    from_store = Explorer(open_store(out), dataset=True)
    assert with_file.page() == from_store.page() and with_file._from_disk == {"page"}
    index = from_store.entities()
    for iri in sorted(index.ids, key=lambda e: (-index.degree(e), e))[:10]:
        assert with_file.neighbourhood(iri) == from_store.neighbourhood(iri)
    assert with_file._from_disk == {"page", "entities"}


def test_the_build_writes_the_cache_the_server_would_make(seed_build, tmp_path):
    """`kg build` writes OUT/explorer-cache.json from the index it drew graph.html from: the
    same first view, index and store size `kg serve` makes from the store's queries, so a
    server's first start after a build reads it."""
    out = next(p for p in seed_build.outputs if p.name == "graph.ttl").parent
    assert (out / CACHE_NAME) in seed_build.outputs
    assert_build_cache_is_the_served_one(out, tmp_path)


def test_every_rebuild_leaves_the_cache_the_server_would_make(tmp_path):
    """A clean build of a generated corpus, an incremental rebuild (the page's index changed
    where lines changed), a rebuild that changed nothing (the file kept, or made from the
    last build's index when it was lost), and a build without the page (no index: no file,
    and the stale one removed)."""
    import kg
    from conftest import generate_articles
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    generate_articles(30, corpus)
    kg.build([corpus], out=out, cache=tmp_path / "cache")
    assert_build_cache_is_the_served_one(out, tmp_path)

    victim = sorted(corpus.glob("*.txt"))[3]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n新增就业岗位31个。\n", encoding="utf-8")
    (corpus / "added.txt").write_text(sorted(corpus.glob("*.txt"))[5].read_text(encoding="utf-8"), encoding="utf-8")
    before = (out / CACHE_NAME).read_bytes()
    again = kg.build([corpus], out=out, cache=tmp_path / "cache")
    assert again.page_parts_reused > 0                       # the incremental path
    assert (out / CACHE_NAME).read_bytes() != before
    assert_build_cache_is_the_served_one(out, tmp_path)

    kept = (out / CACHE_NAME).read_bytes()
    same = kg.build([corpus], out=out, cache=tmp_path / "cache")
    assert same.counts["graphs_replaced"] == 0 and (out / CACHE_NAME).read_bytes() == kept
    (out / CACHE_NAME).unlink()
    kg.build([corpus], out=out, cache=tmp_path / "cache")
    assert (out / CACHE_NAME).read_bytes() == kept

    kg.build([corpus], out=out, cache=tmp_path / "cache", html=False)
    assert not (out / CACHE_NAME).exists()
