"""The explorer's reading aids in a real browser (Debian Chromium via Playwright) on the
seed graph: header counts that follow the filters, focus on a neighbourhood, shortest
paths, the key-figures dashboard against the graph, documents by title, confidence."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import networkx as nx
import pytest
from rdflib import XSD, Graph, Literal, URIRef

from kg.dashboard import key_figures
from kg.html import write_html
from tests.test_browser import BASE, YJ, Watched, browser, rdf_entities_and_edges  # noqa: F401

WUSHI = BASE + "id/place/652927"


@pytest.fixture
def seed_page(browser, seed_build):  # noqa: F811 - the fixture imported above
    page = Watched(browser, next(p for p in seed_build.outputs if p.name == "graph.html"))
    yield page
    page.close()


def counts(page) -> tuple[int, int]:
    c = page.page.locator("#counts")
    return int(c.get_attribute("data-nodes")), int(c.get_attribute("data-edges"))


def test_filters_update_counts_and_refit(seed_page):
    total_nodes, total_edges = seed_page.js("() => [kgView.data.nodes.length, kgView.data.edges.length]")
    assert counts(seed_page) == (total_nodes, total_edges)
    assert seed_page.page.text_content("#counts") == \
        f"显示 {total_nodes} / {total_nodes} 个实体 · {total_edges} / {total_edges} 条关系"
    scale = seed_page.js("() => kgView.network.getScale()")
    seed_page.page.locator("#legend-types .legend-item", has_text="Initiative").click()
    initiatives = seed_page.js("() => kgView.data.nodes.filter(n => n.type === 'Initiative').length")
    n, e = counts(seed_page)
    assert n == total_nodes - initiatives
    assert e == seed_page.js("() => kgView.network.body.edgeIndices.length") < total_edges
    # refitted to what is left
    assert seed_page.js("() => kgView.network.getScale()") != scale
    # orphans can be hidden; the count follows
    orphans = seed_page.js("() => kgView.data.nodes.filter(n => n.orphan && n.type !== 'Initiative').length")
    assert orphans > 0
    seed_page.page.uncheck("#show-orphans")
    assert counts(seed_page)[0] == n - orphans
    seed_page.page.click("#reset")
    assert counts(seed_page) == (total_nodes, total_edges)
    seed_page.assert_clean()


def test_documents_listed_by_title_with_file_name_as_tooltip(seed_page, seed_build):
    options = seed_page.js("""() => [...document.querySelectorAll('#doc-filter option')].slice(1)
                                   .map(o => [o.textContent, o.title])""")
    files = [t for _, t in options]
    assert files == ["000_c362e20726e80f6e.txt", "001_48db2ca25188d589.txt"]
    for text, name in options:
        assert name not in text and not text.startswith("0")       # a title, not the file name
        assert len(text) > 6
    seed_page.assert_clean()


def test_click_focuses_the_neighbourhood_and_fades_the_rest(seed_page, seed_build):
    wushi = seed_page.node_id("乌什县")
    seed_page.click_node(wushi)
    seed_page.page.wait_for_selector("body[data-focus]", state="attached")
    g = nx.Graph()
    edges = seed_page.js("() => kgView.data.edges.map(e => [e.from, e.to])")
    g.add_edges_from(map(tuple, edges))
    one = set(nx.single_source_shortest_path_length(g, wushi, cutoff=1))
    two = set(nx.single_source_shortest_path_length(g, wushi, cutoff=2))
    state = seed_page.js("""() => ({focus: kgView.state().focus,
        faded: kgView.nodes.get().filter(n => n.opacity < 1).map(n => n.id)})""")
    assert set(state["focus"]) == one
    total = seed_page.js("() => kgView.data.nodes.length")
    assert set(state["faded"]) == set(range(total)) - one
    seed_page.page.select_option("#hops", "2")
    assert set(seed_page.js("() => kgView.state().focus")) == two
    # expand a neighbour (double-click), then collapse it
    seed_page.page.select_option("#hops", "1")
    neighbour = seed_page.node_id("衢州市")
    assert neighbour in one
    seed_page.js("(id) => kgView.network.body.emitter.emit('doubleClick', {nodes: [id], edges: []})", neighbour)
    expanded = set(seed_page.js("() => kgView.state().focus"))
    assert expanded == one | set(nx.single_source_shortest_path_length(g, neighbour, cutoff=1))
    seed_page.js("(id) => kgView.network.body.emitter.emit('doubleClick', {nodes: [id], edges: []})", neighbour)
    assert set(seed_page.js("() => kgView.state().focus")) == one
    seed_page.page.click("#focus-exit")
    assert seed_page.js("() => kgView.nodes.get().filter(n => n.opacity < 1).length") == 0
    seed_page.assert_clean()


def test_shortest_paths_between_two_entities(seed_page):
    a, b = seed_page.node_id("乌什县"), seed_page.node_id("柯坪县")
    seed_page.click_node(a)
    seed_page.page.click("#panel-body button.path-from")
    seed_page.click_node(b)
    seed_page.page.click("#panel-body button.path-to")
    paths = seed_page.js("() => kgView.state().paths")
    g = nx.Graph()
    g.add_edges_from(map(tuple, seed_page.js("() => kgView.data.edges.map(e => [e.from, e.to])")))
    expected = sorted(nx.all_shortest_paths(g, a, b))
    assert sorted(paths) == expected and len(paths) >= 1
    chains = seed_page.js("() => [...document.querySelectorAll('#path-results .path-chain')].map(d => d.textContent)")
    assert len(chains) == len(expected)
    assert all(c.startswith("乌什县") and c.endswith("柯坪县") for c in chains)
    on_path = {n for p in expected for n in p}
    faded = set(seed_page.js("() => kgView.nodes.get().filter(n => n.opacity < 1).map(n => n.id)"))
    assert not faded & on_path and len(faded) == seed_page.js("() => kgView.data.nodes.length") - len(on_path)
    seed_page.page.click("#path-clear")
    assert seed_page.js("() => kgView.state().paths") is None
    seed_page.assert_clean()


def test_dashboard_shows_the_figures_of_the_graph(seed_page, seed_build):
    expected = key_figures(seed_build.rdf)
    quzhou_wushi = next(p for p in expected.pairings
                        if (p.supporter_label, p.supported_label) == ("衢州市", "乌什县"))
    funds = quzhou_wushi.by_column("funds")
    assert [f.text for f in funds] == ["8.4亿元"] and funds[0].value == Decimal(840000000)
    seed_page.page.click("#dash-open")
    seed_page.page.wait_for_selector("#dashboard:not([hidden])")
    rows = seed_page.js("""() => [...document.querySelectorAll('#dashboard tr')].slice(1).map(tr => ({
        pair: tr.querySelector('td.pair').textContent,
        cols: Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map(td =>
            [td.dataset.col, [...td.querySelectorAll('.fig .v')].map(v => v.textContent)]))}))""")
    assert [r["pair"] for r in rows] == [f"{p.supporter_label} → {p.supported_label}" for p in expected.pairings]
    for row, p in zip(rows, expected.pairings):
        for col, shown in row["cols"].items():
            assert shown == [f.text for f in p.by_column(col)]
    row = rows[[r["pair"] for r in rows].index("衢州市 → 乌什县")]
    assert row["cols"]["funds"] == ["8.4亿元"] and row["cols"]["projects"] == ["91个"]
    assert "74名" in row["cols"]["cadres"]
    # conflicting figures are flagged
    flagged = seed_page.js("() => [...document.querySelectorAll('#dashboard .fig.conflict .v')].map(v => v.textContent)")
    assert sorted(flagged) == sorted(f.text for p in expected.pairings for f in p.figures if f.conflict)
    # a figure links to its sentence
    seed_page.page.locator("#dashboard tr", has_text="衢州市 → 乌什县") \
        .locator("td[data-col=funds] button.source").first.click()
    assert "8.4亿元" in seed_page.page.text_content("#panel-body p.sent")
    # the same table as CSV
    with seed_page.page.expect_download() as dl:
        seed_page.page.click("#dash-csv")
    text = open(dl.value.path(), encoding="utf-8-sig").read()
    assert text == expected.csv()
    table = list(csv.reader(io.StringIO(text)))
    assert ["衢州市", "乌什县", "援疆资金", "衢州市", "援疆资金", "8.4亿元", "840000000", "CNY"] == table[1 + [
        r[:2] + [r[4]] for r in table[1:]].index(["衢州市", "乌什县", "援疆资金"])][:8]
    # each figure says what it is about
    metas = seed_page.js("() => [...document.querySelectorAll('#dashboard .fig > div.meta')].map(m => m.textContent)")
    assert metas and all(m.startswith("关于") for m in metas)
    seed_page.assert_clean()


def test_confidence_slider_hides_uncertain_facts_and_candidates_are_dashed(browser, seed_build, tmp_path):
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    g = Graph()
    g += seed_build.rdf              # a copy: the session's build is shared by other tests
    facts = sorted(g.subjects(URIRef(rdf + "type"), YJ.Fact), key=str)
    assert len(facts) > 20
    candidates = set()
    for i, f in enumerate(facts):
        g.set((f, YJ.confidence, Literal("0.3" if i % 5 == 0 else "0.9", datatype=XSD.decimal)))
        if i % 10 == 0:              # what a build writes below its threshold: described, not stated
            s, p, o = (g.value(f, URIRef(rdf + x)) for x in ("subject", "predicate", "object"))
            g.remove((s, p, o))
            g.remove((f, URIRef(rdf + "type"), YJ.Fact))
            g.add((f, URIRef(rdf + "type"), YJ.Candidate))
            candidates.add((str(s), str(p).rsplit("#", 1)[-1], str(o)))
    page = Watched(browser, write_html(g, tmp_path / "conf.html"))
    try:
        assert page.page.is_visible("#conf")
        dashed = page.js("() => kgView.data.edges.filter(e => kgView.edges.get(e.id).dashes).map(e => e.id)")
        drawn = page.js("""() => kgView.data.edges.filter(e => e.candidate).map(e =>
            [kgView.data.nodes[e.from].iri, e.rel, kgView.data.nodes[e.to].iri, e.id])""")
        undirected = {(min(a, b), r, max(a, b)) if r == "pairedWith" else (a, r, b) for a, r, b in candidates}
        assert {(a, r, b) for a, r, b, _ in drawn} == undirected
        assert {i for *_, i in drawn} <= set(dashed)
        before = counts(page)[1]
        page.page.fill("#conf", "0.5")
        page.page.dispatch_event("#conf", "input")
        hidden = page.js("() => kgView.data.edges.filter(e => e.conf !== null && e.conf < 0.5).length")
        assert hidden > 0 and counts(page)[1] == before - hidden
        page.assert_clean()
    finally:
        page.close()
    # without yj:confidence there is no slider
    g.remove((None, YJ.confidence, None))
    page = Watched(browser, write_html(g, tmp_path / "plain.html"))
    try:
        assert not page.page.is_visible("#conf")
    finally:
        page.close()


def test_big_page_draws_its_relations_in_one_layer(browser, tmp_path):
    """Past EDGE_LABELS_MAX relations the page strokes them itself under the nodes instead of
    making a vis-network edge of each: every shown relation is drawn, filters and focus reach
    the drawing, and a click on a line opens that relation."""
    from tests.test_browser import synthetic_graph
    g = synthetic_graph(1100, per_node=3)
    _, edges = rdf_entities_and_edges(g)
    assert len(edges) > 3000
    page = Watched(browser, write_html(g, tmp_path / "layer.html"))
    try:
        state = page.js("() => ({drawn: kgView.drawnEdges(), total: kgView.data.edges.length, "
                        "vis: kgView.network.body.edgeIndices.length, layer: kgView.state().edgeLayer})")
        assert state == {"drawn": len(edges), "total": len(edges), "vis": 0, "layer": True}
        # the first view measures only the labels it can show; the rest come on zooming in
        label_of = "(id) => kgView.network.body.nodes[id].options.label || null"
        plain = page.js("() => kgView.data.nodes.find(n => !n.important).id")
        big = page.js("() => kgView.data.nodes.find(n => n.important)")
        assert page.js("() => kgView.labelsAdded()") is False and page.js(label_of, plain) is None
        assert page.js(label_of, big["id"]) == big["label"]
        page.js("() => kgView.network.moveTo({scale: 1})")
        page.page.wait_for_timeout(300)
        assert page.js("() => kgView.labelsAdded()") is True
        assert page.js(label_of, plain) == page.js("(id) => kgView.data.nodes[id].label", plain)
        page.js("() => kgView.network.fit()")
        # a relation type hidden in the legend is no longer drawn, and the count says so
        page.page.locator("#legend-rels .legend-item", has_text="locatedIn").click()
        located = page.js("() => kgView.data.edges.filter(e => e.rel === 'locatedIn').length")
        page.page.wait_for_timeout(200)                 # the next frame, which the change asked for
        assert located > 0 and page.js("() => kgView.drawnEdges()") == len(edges) - located == counts(page)[1]
        page.page.click("#legend-all")
        # focus: the relations outside the neighbourhood are faded, the others not
        hub = page.js("() => kgView.data.nodes.reduce((a, n) => n.degree > a.degree ? n : a).id")
        page.js("(id) => kgView.focus([id])", hub)
        keep = set(page.js("() => kgView.state().focus"))
        faded = set(page.js("() => kgView.state().fadedEdges"))
        ends = page.js("() => kgView.data.edges.map(e => [e.id, e.from, e.to])")
        assert faded == {i for i, a, b in ends if not (a in keep and b in keep)} and len(faded) < len(ends)
        page.page.click("#focus-exit")
        assert page.js("() => kgView.state().fadedEdges") == []
        # a real click on a line, away from nodes and other lines, opens that relation
        target = page.js("""() => {
            const net = kgView.network, at = net.body.nodes, es = kgView.data.edges;
            const dist = (p, a, b) => { const dx = b.x - a.x, dy = b.y - a.y, l = dx * dx + dy * dy;
                const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l));
                return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y); };
            for (const e of es) {
                const a = at[e.from], b = at[e.to];
                const m = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
                if (Math.hypot(b.x - a.x, b.y - a.y) < 200) continue;
                if (Object.values(at).some(n => Math.hypot(n.x - m.x, n.y - m.y) < 60)) continue;
                if (es.some(o => o !== e && dist(m, at[o.from], at[o.to]) < 6)) continue;
                net.moveTo({position: m, scale: 2});
                const p = net.canvasToDOM(m), r = document.querySelector('#network canvas').getBoundingClientRect();
                return {id: e.id, xy: [r.left + p.x, r.top + p.y],
                        title: kgView.data.nodes[e.from].label + ' → ' + kgView.data.nodes[e.to].label};
            }
            return null; }""")
        assert target is not None
        # hovering the line gives its one-line tooltip
        page.page.mouse.move(target["xy"][0] - 1, target["xy"][1])
        page.page.mouse.move(*target["xy"])
        page.page.wait_for_selector("div.layer-tip .tip-title", state="visible", timeout=5_000)
        tip = page.page.text_content("div.layer-tip .tip-title")
        assert tip.startswith(target["title"].split(" → ")[0]) and tip.endswith(target["title"].split(" → ")[1])
        page.page.mouse.click(*target["xy"])
        page.page.wait_for_selector("#panel:not([hidden])")
        assert page.js("() => kgView.state().selectedEdge") == target["id"]
        frm, to = target["title"].split(" → ")
        title = page.page.text_content("#panel-title")
        assert title.startswith(frm) and title.endswith(to)
        page.assert_clean()
    finally:
        page.close()


def test_important_labels_keep_their_screen_size_when_zoomed_in(browser, tmp_path):
    """An important label is sized for the first view; zoomed in it is made smaller in the
    graph's units so it stays readable, not huge (never below 14, never above its first size)."""
    from tests.test_browser import synthetic_graph
    page = Watched(browser, write_html(synthetic_graph(300), tmp_path / "zoom.html"))
    try:
        big = page.js("() => kgView.data.nodes.find(n => n.important).id")
        size = "(id) => kgView.network.body.nodes[id].options.font.size"
        first, scale = page.js(size, big), page.js("() => kgView.network.getScale()")
        assert first * scale == pytest.approx(15, abs=2)
        page.js("(s) => kgView.network.moveTo({scale: s})", scale * 4)
        page.page.wait_for_timeout(400)
        assert page.js(size, big) * scale * 4 == pytest.approx(15, abs=2)
        page.js("(s) => kgView.network.moveTo({scale: s})", scale / 2)
        page.page.wait_for_timeout(400)
        assert page.js(size, big) == first
        page.assert_clean()
    finally:
        page.close()
