"""graph.html in a real browser: Debian's Chromium driven by Playwright, page opened from file://.

What a person does with the page, checked where it happens: the network drawn by vis-network,
the DOM of the side panel, the requests the page makes, the dialogs it opens.
A missing browser fails these tests; `bash scripts/test.sh` installs it.
"""
from __future__ import annotations

import math
import os
import random
import re
import time
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

import kg
from kg.html import write_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL_HINT = "run `bash scripts/test.sh` once: it installs chromium, fonts-wqy-microhei and Playwright"

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
BASE = "https://w3id.org/yuanjiang-kg/"
ENTITY_TYPES = ("City", "County", "Enterprise", "School", "Initiative", "Province", "Prefecture",
                "Township", "Village", "Organization", "Hospital", "Facility", "Person", "Product")
# the edge labels the page must show: the relation names in Chinese
RELATION_ZH = {"supports": "对口支援", "locatedIn": "位于", "subOrganizationOf": "隶属于",
               "implements": "实施", "introduced": "引进", "builds": "建设", "pairedWith": "结对"}

# Each payload would leave a trace if it ran: a dialog, window.__pwned, an <img>, a request.
XSS_SCRIPT = "<script>window.__pwned=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"window.__pwned=2;alert(2)\">"
XSS_CLOSE = "</script><script>window.__pwned=3;alert(3)</script>"
QUOTES = "引号\"双\"与'单'及反斜杠\\n\\u0041 ${alert(4)} {{TITLE}}"


@pytest.fixture(scope="module")
def browser():
    # A skipped browser test would pass unnoticed; a missing browser is a failure.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright is not installed: {INSTALL_HINT}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page with everything it logs, requests and pops up recorded."""

    def __init__(self, browser, path: Path, viewport=(1280, 800)):
        self.url = Path(path).resolve().as_uri()
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.failed: dict[str, str] = {}
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.update({r.url: r.failure}))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        # the page's CSP forbids eval, which wait_for_function needs: wait on the DOM instead
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
        assert self.js("() => window.kgReady") is True

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def assert_clean(self):
        """No page error, no console error, no dialog, nothing fetched but the file."""
        assert self.errors == []
        assert [c for c in self.console if c.startswith("error")] == []
        assert self.dialogs == []
        assert all(u == self.url or u.startswith("data:") for u in self.requests), self.requests

    def node_id(self, label: str) -> int:
        ids = self.js("(l) => kgView.data.nodes.filter(n => n.label === l).map(n => n.id)", label)
        assert len(ids) == 1, f"{label!r}: {ids}"
        return ids[0]

    def hover_node(self, node_id: int):
        """The mouse on the node, after centring it at a readable zoom (a click would focus
        it, and the view would move to its neighbourhood)."""
        xy = self.node_xy(node_id)
        self.page.mouse.move(*xy)
        self.page.mouse.move(xy[0] + 1, xy[1] + 1)
        return xy

    def node_xy(self, node_id: int):
        return self.js("""(id) => {
            const net = kgView.network;
            net.moveTo({position: net.getPositions([id])[id], scale: 1.5});
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const r = document.querySelector('#network canvas').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""", node_id)

    def click_node(self, node_id: int):
        """A real mouse click on the node, after centring it at a readable zoom; returns once
        the panel shows it (the page fills the panel after drawing the focused view)."""
        xy = self.node_xy(node_id)
        self.page.mouse.click(*xy)
        self.page.wait_for_selector(f'#panel[data-node="{node_id}"]', state="attached", timeout=10_000)
        return xy

    def panel_sentences(self) -> list[str]:
        """The source sentences in the side panel, without their document name."""
        return self.js("""() => [...document.querySelectorAll('#panel-body p.sent')].map(p =>
            [...p.childNodes].filter(c => !(c.classList && c.classList.contains('src')))
                             .map(c => c.textContent).join(''))""")

    def close(self):
        self.page.close()


@pytest.fixture
def seed_page(browser, seed_build):
    path = next(p for p in seed_build.outputs if p.name == "graph.html")
    page = Watched(browser, path)
    yield page
    page.close()


def rdf_entities_and_edges(g: Graph):
    """What the page must draw, read straight from the RDF: entity IRIs and labels, and the
    relations between entities (pairedWith is symmetric: one edge per pair)."""
    metrics = set(g.subjects(RDF.type, YJ.Metric))
    entities = {s for t in ENTITY_TYPES for s in g.subjects(RDF.type, YJ[t])} - metrics
    labels = {}
    for e in entities:
        zh = sorted(str(l) for l in g.objects(e, SKOS.prefLabel) if l.language == "zh") or \
            sorted(str(l) for l in g.objects(e, RDFS.label) if l.language == "zh")
        labels[str(e)] = zh[0]
    edges = set()
    for rel in RELATION_ZH:
        for s, o in g.subject_objects(YJ[rel]):
            if s in entities and o in entities:
                a, b = str(s), str(o)
                if rel == "pairedWith":
                    a, b = sorted((a, b))
                edges.add((a, RELATION_ZH[rel], b))
    return labels, edges


# ---------------------------------------------------------------- the seed graph

def test_every_node_and_edge_is_in_the_network(seed_page, seed_build):
    labels, edges = rdf_entities_and_edges(seed_build.rdf)
    drawn = seed_page.js("""() => {
        const v = kgView, iri = {};
        v.data.nodes.forEach(n => { iri[n.id] = n.iri; });
        return {
          nodes: v.nodes.get().map(n => [iri[n.id], n.label, !!n.hidden]),
          edges: v.edges.get().map(e => [iri[e.from], e.label, iri[e.to], !!e.hidden]),
          visibleNodes: v.network.body.nodeIndices.length,
          visibleEdges: v.network.body.edgeIndices.length,
          physics: v.network.physics.options.enabled,
        };
    }""")
    assert len(labels) > 100 and len(edges) > 100           # the seeds, not an empty page
    assert {iri: label for iri, label, _ in drawn["nodes"]} == labels
    assert len(drawn["nodes"]) == len(labels)
    drawn_edges = {(a, rel, b) for a, rel, b, _ in drawn["edges"]}
    assert drawn_edges == edges and len(drawn["edges"]) == len(edges)
    assert not any(h for *_, h in drawn["nodes"]) and not any(h for *_, h in drawn["edges"])
    assert (drawn["visibleNodes"], drawn["visibleEdges"]) == (len(labels), len(edges))
    assert drawn["physics"] is False                          # settled, then static
    seed_page.assert_clean()


def test_search_finds_wushi_and_focuses_it(seed_page):
    wushi = seed_page.node_id("乌什县")
    overview = seed_page.js("() => kgView.network.getScale()")
    seed_page.page.fill("#search", "乌什县")
    seed_page.page.press("#search", "Enter")
    view = """(id) => {
        const net = kgView.network, p = net.canvasToDOM(net.getPositions([id])[id]);
        const c = document.querySelector('#network canvas');
        return [net.getScale(), p.x - c.clientWidth / 2, p.y - c.clientHeight / 2];
    }"""
    # the view glides to the node (400 ms); the easing ends near, not exactly on, its target
    last, deadline = None, time.monotonic() + 5
    while (now := seed_page.js(view, wushi)) != last:
        assert time.monotonic() < deadline, "the view never came to rest"
        last = now
        seed_page.page.wait_for_timeout(150)
    scale, dx, dy = now
    assert seed_page.js("() => kgView.network.getSelectedNodes()") == [wushi]
    assert abs(dx) < 5 and abs(dy) < 5                        # centred on 乌什县
    assert scale > 1.15 and scale > 2 * overview              # and zoomed in to about 1.2
    assert seed_page.page.text_content("#panel-title") == "乌什县"
    assert seed_page.page.is_visible("#panel")
    assert "1 /" in seed_page.page.text_content("#search-status")
    seed_page.assert_clean()


def test_search_matches_alternative_labels(seed_page):
    # an alternative label that no primary label contains, so only the alt match can find it
    target = seed_page.js("""() => {
        const nodes = kgView.data.nodes;
        for (const n of nodes) for (const a of n.alt)
          if (!nodes.some(m => m.label.includes(a))) return [n.id, a];
        return null;
    }""")
    assert target, "the seed graph has alternative labels"
    node_id, alt = target
    seed_page.page.fill("#search", alt)
    seed_page.page.click("#search-go")
    assert seed_page.js("() => kgView.network.getSelectedNodes()") == [node_id]
    seed_page.assert_clean()


def test_type_legend_hides_and_shows_nodes_in_place(seed_page):
    counties = seed_page.js("() => kgView.data.nodes.filter(n => n.type === 'County').map(n => n.id)")
    assert counties
    before = seed_page.js("() => kgView.network.getPositions()")
    button = seed_page.page.locator("#legend-types .legend-item", has_text="County")
    button.click()
    state = seed_page.js("""(ids) => ({
        visible: kgView.network.body.nodeIndices,
        hidden: ids.map(id => kgView.nodes.get(id).hidden),
        edgesToHidden: kgView.network.body.edgeIndices.filter(id => {
            const e = kgView.edges.get(id); return ids.includes(e.from) || ids.includes(e.to); }),
    })""", counties)
    total = seed_page.js("() => kgView.data.nodes.length")
    assert all(state["hidden"])
    assert not set(counties) & set(state["visible"])
    assert len(state["visible"]) == total - len(counties)
    assert state["edgesToHidden"] == []
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert seed_page.js("() => kgView.network.body.nodeIndices.length") == total
    # filtering hides, never re-lays out
    assert seed_page.js("() => kgView.network.getPositions()") == before
    seed_page.assert_clean()


def test_document_filter(seed_page):
    per_doc = seed_page.js("""() => kgView.data.docs.map((d, i) =>
        kgView.data.nodes.filter(n => n.docs.includes(i)).map(n => n.id).sort((a, b) => a - b))""")
    assert len(per_doc) == 2
    for i, expected in enumerate(per_doc):
        seed_page.page.select_option("#doc-filter", str(i))
        visible = seed_page.js("() => [...kgView.network.body.nodeIndices].sort((a, b) => a - b)")
        assert visible == expected and 0 < len(visible) < seed_page.js("() => kgView.data.nodes.length")
    seed_page.page.select_option("#doc-filter", "")
    assert seed_page.js("() => kgView.network.body.nodeIndices.length") == \
        seed_page.js("() => kgView.data.nodes.length")
    seed_page.assert_clean()


def test_click_opens_panel_with_source_sentence(seed_page, seed_build):
    g = seed_build.rdf
    wushi = URIRef(BASE + "id/place/652927")
    sentences = {str(t) for m in g.subjects(ITSRDF.taIdentRef, wushi)
                 for s in g.objects(m, NIF.sentence) for t in g.objects(s, NIF.isString)}
    anchors = {str(a) for m in g.subjects(ITSRDF.taIdentRef, wushi) for a in g.objects(m, NIF.anchorOf)}
    seed_page.click_node(seed_page.node_id("乌什县"))
    seed_page.page.wait_for_selector("#panel:not([hidden])")
    assert seed_page.page.text_content("#panel-title") == "乌什县"
    shown = seed_page.panel_sentences()
    assert shown and set(shown) <= sentences
    assert len(shown) == min(len(sentences), 50)
    marks = seed_page.js("() => [...document.querySelectorAll('#panel-body p.sent mark')].map(m => m.textContent)")
    assert marks and set(marks) <= anchors
    fields = seed_page.js("""() => Object.fromEntries([...document.querySelectorAll('#panel-body dt')]
        .map(dt => [dt.textContent, dt.nextElementSibling.textContent]))""")
    assert fields["行政区划代码"] == "652927"
    assert "Wushi" in fields["英文名"]
    assert fields["类型"].startswith("县 County")
    # relations grouped by kind: 衢州市 supports 乌什县
    groups = seed_page.js("""() => [...document.querySelectorAll('#panel-body .rel-group')].map(d =>
        [d.textContent, [...d.nextElementSibling.querySelectorAll('button')].map(b => b.textContent)])""")
    incoming = [names for title, names in groups if title.startswith("← 对口支援")]
    assert incoming and "衢州市" in incoming[0]
    seed_page.assert_clean()


def test_panel_lists_metrics_with_units(seed_page):
    node = seed_page.js("""() => kgView.data.nodes.slice().sort((a, b) => b.metrics.length - a.metrics.length)[0]""")
    assert node["metrics"]
    seed_page.click_node(node["id"])
    seed_page.page.wait_for_selector("#panel:not([hidden])")
    assert seed_page.page.text_content("#panel-title") == node["label"]
    rows = seed_page.js("""() => [...document.querySelectorAll('#panel-body table.metrics tr')]
        .map(tr => [...tr.children].map(c => c.textContent))""")
    assert rows[0] == ["指标", "数值", "单位", "原文"]
    expected = seed_page.js("(ix) => ix.map(i => kgView.data.metrics[i])", node["metrics"])
    assert len(rows) == len(expected) + 1
    for row, m in zip(rows[1:], expected):
        assert row[2] == m["unit"] and row[3] == m["surface"] and m["value"] in row[1]
    assert any(r[2] in ("元", "人", "%") for r in rows[1:])
    seed_page.assert_clean()


def test_metrics_can_be_drawn_as_nodes(seed_page):
    n_entities, n_metrics = seed_page.js("() => [kgView.data.nodes.length, kgView.data.metrics.length]")
    assert n_metrics > 0
    before = seed_page.js("() => kgView.network.getPositions()")
    seed_page.page.check("#metric-nodes")
    state = seed_page.js("""() => {
        const v = kgView.network.body;
        const metricIds = v.nodeIndices.filter(id => v.nodes[id].options.shape === 'diamond');
        const links = v.edgeIndices.filter(id => metricIds.includes(v.edges[id].toId));
        return {visible: v.nodeIndices.length, metrics: metricIds.length, links: links.length,
                linkLabels: [...new Set(links.map(id => v.edges[id].options.label))]};
    }""")
    linked = seed_page.js("() => kgView.data.metrics.reduce((s, m) => s + m.about.length, 0)")
    assert state["visible"] == n_entities + n_metrics and state["metrics"] == n_metrics
    assert state["links"] == linked and state["linkLabels"] == ["指标"]
    after = seed_page.js("() => kgView.network.getPositions()")
    assert {k: after[k] for k in before} == before           # entities stay where they were
    seed_page.page.uncheck("#metric-nodes")
    assert seed_page.js("() => kgView.network.body.nodeIndices.length") == n_entities
    seed_page.assert_clean()


def test_size_by_degree_or_centrality(seed_page):
    seed_page.page.select_option("#size-by", "centrality")
    sizes = seed_page.js("""() => kgView.data.nodes.map(n =>
        [kgView.network.body.nodes[n.id].options.size, n.sizeC, n.size])""")
    assert all(drawn == c for drawn, c, _ in sizes)
    assert any(c != d for _, c, d in sizes)                   # a different measure
    seed_page.page.select_option("#size-by", "degree")
    assert seed_page.js("() => kgView.data.nodes.every(n => kgView.network.body.nodes[n.id].options.size === n.size)")
    seed_page.assert_clean()


def test_labels_hidden_when_zoomed_out(seed_page):
    wushi = seed_page.node_id("乌什县")
    visible_at = seed_page.js("""(id) => [0.2, 1.5].map(scale => {
        kgView.network.moveTo({scale: scale});
        return kgView.network.body.nodes[id].labelModule.visible();
    })""", wushi)
    assert visible_at == [False, True]


def test_hover_shows_tooltip_as_text(seed_page):
    seed_page.hover_node(seed_page.node_id("乌什县"))
    seed_page.page.wait_for_selector("div.vis-tooltip .tip-title", state="visible", timeout=5_000)
    assert seed_page.page.text_content("div.vis-tooltip .tip-title") == "乌什县"
    seed_page.assert_clean()


def test_chinese_renders_in_a_cjk_font(seed_page):
    cdp = seed_page.page.context.new_cdp_session(seed_page.page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    title = seed_page.page.text_content("h1")
    assert re.fullmatch(r"[\u4e00-\u9fff]+", title)
    # every glyph of the Chinese title comes from a font of the page's CJK stack
    cjk = ("WenQuanYi", "Noto Sans CJK", "Source Han", "PingFang", "Hiragino", "Microsoft YaHei")
    assert fonts and all(any(f["familyName"].startswith(c) for c in cjk) for f in fonts), fonts
    assert sum(f["glyphCount"] for f in fonts) == len(title)


# ---------------------------------------------------------------- hostile text

def hostile_graph() -> Graph:
    """Labels, alternative labels, codes and sentences made of markup, quotes, backslashes."""
    g = Graph()
    doc = URIRef(BASE + "doc/evil")
    g.add((doc, YJ.sourceFile, Literal(XSS_IMG + ".txt")))
    sentence = URIRef(BASE + "doc/evil/sentence/0")
    text = f"前文{XSS_SCRIPT}中间{XSS_IMG}再{XSS_CLOSE}末尾{QUOTES}"
    g.add((sentence, NIF.isString, Literal(text, lang="zh")))
    g.add((sentence, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    g.add((sentence, NIF.referenceContext, doc))
    nodes = {}
    for i, (label, t) in enumerate(((XSS_SCRIPT, "Organization"), (XSS_IMG, "County"),
                                    (XSS_CLOSE, "Initiative"), (QUOTES, "Enterprise"))):
        node = URIRef(f"{BASE}id/organization/evil{i}")
        nodes[label] = node
        g.add((node, RDF.type, YJ[t]))
        g.add((node, RDFS.label, Literal(label, lang="zh")))
        g.add((node, SKOS.prefLabel, Literal(label, lang="zh")))
        g.add((node, SKOS.altLabel, Literal(XSS_IMG + str(i), lang="zh")))
        g.add((node, RDFS.label, Literal(XSS_CLOSE + "en", lang="en")))
        g.add((node, YJ.adminCode, Literal(XSS_SCRIPT)))
        start = text.index(label)
        m = URIRef(f"{BASE}doc/evil/mention/{start}")
        g.add((m, NIF.anchorOf, Literal(label, lang="zh")))
        g.add((m, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
        g.add((m, NIF.sentence, sentence))
        g.add((m, ITSRDF.taIdentRef, node))
    g.add((nodes[XSS_SCRIPT], YJ.supports, nodes[XSS_IMG]))
    g.add((nodes[XSS_CLOSE], YJ.builds, nodes[QUOTES]))
    fact = URIRef(BASE + "fact/evil")
    for p, o in ((RDF.type, YJ.Fact), (RDF.subject, nodes[XSS_SCRIPT]), (RDF.predicate, YJ.supports),
                 (RDF.object, nodes[XSS_IMG]), (PROV.wasDerivedFrom, sentence),
                 (YJ.trigger, Literal(XSS_CLOSE, lang="zh"))):
        g.add((fact, p, o))
    metric = URIRef(BASE + "id/metric/evil")
    g.add((metric, RDF.type, YJ.Metric))
    g.add((metric, YJ.value, Literal(5)))
    g.add((metric, YJ.unit, Literal(XSS_IMG)))
    g.add((metric, YJ.indicator, Literal(XSS_SCRIPT, lang="zh")))
    g.add((metric, YJ.surface, Literal(QUOTES, lang="zh")))
    g.add((metric, YJ.about, nodes[XSS_IMG]))
    g.add((metric, PROV.wasDerivedFrom, sentence))
    return g


def assert_nothing_ran(page: Watched):
    state = page.js("""() => ({pwned: window.__pwned === undefined ? null : window.__pwned,
                               scripts: document.scripts.length,
                               imgs: document.querySelectorAll('img').length})""")
    assert state == {"pwned": None, "scripts": 3, "imgs": 0}
    page.assert_clean()


def test_csp_lets_only_the_page_scripts_run(seed_page):
    csp = seed_page.js("""() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content""")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert len(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", csp)) == 2 and "script-src 'unsafe-inline'" not in csp
    # markup slipped into the DOM by some future bug: its inline handler and its image are
    # refused by the policy, not run or fetched
    seed_page.js("""() => {
        const box = document.createElement('div');
        box.setAttribute('id', 'intruder');
        box.setAttribute('onclick', 'window.__pwned = 5');
        const img = document.createElement('img');
        img.setAttribute('src', 'x');
        img.setAttribute('onerror', 'window.__pwned = 6');
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = 7';
        box.append(img, s);
        document.body.append(box);
    }""")
    seed_page.page.click("#intruder", force=True)
    seed_page.page.wait_for_timeout(200)
    assert seed_page.js("() => window.__pwned === undefined")
    refused = [c for c in seed_page.console if "Content Security Policy" in c]
    assert len(refused) >= 3, seed_page.console       # handler, image, script
    # the image request is started, then stopped by the policy
    assert {u: seed_page.failed.get(u) for u in seed_page.requests if u != seed_page.url} == \
        {seed_page.url.rsplit("/", 1)[0] + "/x": "csp"}


def test_hostile_labels_render_as_text_and_run_nothing(browser, tmp_path):
    path = write_html(hostile_graph(), tmp_path / "evil.html", title=XSS_CLOSE + XSS_IMG)
    page = Watched(browser, path)
    try:
        assert page.page.title() == XSS_CLOSE + XSS_IMG
        assert page.page.text_content("h1") == XSS_CLOSE + XSS_IMG
        assert sorted(page.js("() => kgView.nodes.get().map(n => n.label)")) == \
            sorted([XSS_SCRIPT, XSS_IMG, XSS_CLOSE, QUOTES])
        for label in (XSS_SCRIPT, XSS_IMG, XSS_CLOSE, QUOTES):
            page.click_node(page.node_id(label))
            page.page.wait_for_selector("#panel:not([hidden])")
            assert page.page.text_content("#panel-title") == label
            body = page.page.text_content("#panel-body")
            assert XSS_IMG + "0" in body or XSS_IMG in body           # alt label / code as text
            (sentence,) = page.panel_sentences()
            assert sentence == f"前文{XSS_SCRIPT}中间{XSS_IMG}再{XSS_CLOSE}末尾{QUOTES}"
            marks = page.js("() => [...document.querySelectorAll('#panel-body mark')].map(m => m.textContent)")
            assert marks == [label]
        # tooltips, the edge panel and the metric nodes take the same text
        page.click_node(page.node_id(XSS_IMG))            # the panel, with its metrics
        page.hover_node(page.node_id(XSS_IMG))
        page.page.wait_for_selector("div.vis-tooltip .tip-title", state="visible", timeout=5_000)
        assert page.page.text_content("div.vis-tooltip .tip-title") == XSS_IMG
        # the tooltip is one line; the panel has the metrics, their text as text
        assert "1 项指标" in page.page.text_content("div.vis-tooltip .tip-types")
        assert XSS_SCRIPT in page.page.text_content("#panel-body table.metrics")
        page.page.check("#metric-nodes")
        page.page.fill("#search", XSS_IMG)                 # exact label beats alt-label prefixes
        page.page.press("#search", "Enter")
        assert page.js("() => kgView.network.getSelectedNodes()") == [page.node_id(XSS_IMG)]
        assert_nothing_ran(page)
    finally:
        page.close()


def test_hostile_article_through_the_pipeline(browser, tmp_path):
    article = tmp_path / "evil.txt"
    # no semicolons: the sentence splitter would cut the payload in two
    img, close = "<img src=x onerror=alert(document.domain)>", "</script><script>alert(2)</script>"
    article.write_text("衢州援疆见闻\n\n浙江省衢州市对口支援新疆阿克苏地区乌什县。\n"
                       f"衢州市援疆指挥部在乌什县建设“{img}”产业园{close}，总投资1.2亿元。\n"
                       f"乌什县的{QUOTES}都是文字。\n", encoding="utf-8")
    result = kg.build([article], out=tmp_path / "out")
    path = next(p for p in result.outputs if p.name == "graph.html")
    page = Watched(browser, path)
    try:
        page.click_node(page.node_id("乌什县"))
        page.page.wait_for_selector("#panel:not([hidden])")
        sentences = page.panel_sentences()
        assert any(img in s and close in s for s in sentences), sentences
        assert any(QUOTES in s for s in sentences), sentences
        assert_nothing_ran(page)
    finally:
        page.close()


# ---------------------------------------------------------------- bounded and bigger pages

def test_bounded_page_says_what_it_left_out(browser, seed_build, tmp_path):
    labels, _ = rdf_entities_and_edges(seed_build.rdf)
    path = write_html(seed_build.rdf, tmp_path / "bounded.html", max_nodes=20)
    page = Watched(browser, path)
    try:
        assert page.js("() => kgView.network.body.nodeIndices.length") == 20
        note = page.page.text_content("#note")
        assert f"20 of {len(labels)} entities shown" in note
        assert page.page.is_visible("#omitted")
        page.page.click("#omitted summary")
        assert f"未显示 {len(labels) - 20} 个实体" in page.page.text_content("#omitted-body")
        # and how to see the rest
        assert "kg serve OUT" in page.page.text_content("#omitted-body") and "kg serve OUT" in note
        page.assert_clean()
    finally:
        page.close()


def synthetic_graph(n: int, per_node: int = 3, seed: int = 5) -> Graph:
    """Entities in groups with relations mostly inside a group, like the corpus."""
    rnd = random.Random(seed)
    g = Graph()
    nodes = [URIRef(f"{BASE}id/organization/s{i}") for i in range(n)]
    for i, node in enumerate(nodes):
        g.add((node, RDF.type, YJ[ENTITY_TYPES[i % len(ENTITY_TYPES)]]))
        g.add((node, RDFS.label, Literal(f"实体{i}", lang="zh")))
    rels = list(RELATION_ZH)[:-1]
    for i in range(n * per_node):
        a = rnd.randrange(n)
        b = (a // 25) * 25 + rnd.randrange(min(25, n - (a // 25) * 25))
        if a != b:
            g.add((nodes[a], YJ[rnd.choice(rels)], nodes[b]))
    return g


def test_larger_graph_opens_at_its_python_layout(browser, tmp_path):
    g = synthetic_graph(400)
    labels, edges = rdf_entities_and_edges(g)
    page = Watched(browser, write_html(g, tmp_path / "big.html"))
    try:
        state = page.js("""() => ({nodes: kgView.nodes.length, edges: kgView.drawnEdges(),
                                   given: kgView.data.nodes.every(n => Number.isFinite(n.x)),
                                   physics: kgView.network.physics.options.enabled,
                                   positions: Object.values(kgView.network.getPositions()),
                                   timing: window.kgTiming})""")
        assert (state["nodes"], state["edges"]) == (len(labels), len(edges))
        assert state["given"] and state["physics"] is False
        xy = {(round(p["x"]), round(p["y"])) for p in state["positions"]}
        assert all(math.isfinite(v) for p in state["positions"] for v in p.values())
        assert len(xy) > 0.95 * len(labels)                      # spread out, not piled up
        assert state["timing"]["iterations"] == 0 and state["timing"]["readyMs"] >= 0   # nothing simulated
        page.assert_clean()
    finally:
        page.close()


def test_empty_graph_page_is_ready_and_says_so(browser, tmp_path):
    page = Watched(browser, write_html(Graph(), tmp_path / "empty.html"))
    try:
        assert page.page.text_content("#network .empty") == "图谱中没有实体"
        assert page.js("() => [kgView.nodes.length, kgView.edges.length]") == [0, 0]
        page.assert_clean()
    finally:
        page.close()


def test_panel_counts_sentences_the_page_does_not_carry(browser, seed_build, tmp_path, monkeypatch):
    """A page carries at most EVIDENCE_SHOWN source sentences per item and the total: the
    panel lists those it has, gives the full count in its heading and says how many more."""
    from kg import html as html_module
    monkeypatch.setattr(html_module, "EVIDENCE_SHOWN", 3)
    g = seed_build.rdf
    wushi = URIRef(BASE + "id/place/652927")
    sentences = {str(t) for m in g.subjects(ITSRDF.taIdentRef, wushi)
                 for s in g.objects(m, NIF.sentence) for t in g.objects(s, NIF.isString)}
    assert len(sentences) > 3
    page = Watched(browser, write_html(g, tmp_path / "cut.html"))
    try:
        page.click_node(page.node_id("乌什县"))
        page.page.wait_for_selector("#panel:not([hidden])")
        shown = page.panel_sentences()
        assert len(shown) == 3 and set(shown) <= sentences
        assert f"来源句子（{len(sentences)}）" in page.page.text_content("#panel-body")
        assert f"另有 {len(sentences) - 3} 句未列出" in page.page.text_content("#panel-body")
        page.assert_clean()
    finally:
        page.close()
