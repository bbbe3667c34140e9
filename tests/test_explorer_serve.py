"""The explorer `kg serve` answers, over real HTTP and in a real browser (Debian Chromium
via Playwright), on a graph built from generated articles (benchmarks/generate.py)."""
from __future__ import annotations

import json
import sys
import threading
import urllib.parse

import pytest

from conftest import ROOT
from kg.dashboard import key_figures
from kg.serve import SparqlServer
from kg.store import term_index
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, browser  # noqa: F401
from tests.test_serve import http

ARTICLES = 60


@pytest.fixture(scope="module")
def big_build(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate
    import kg
    corpus = tmp_path_factory.mktemp("generated")
    generate(ARTICLES, corpus)
    out = tmp_path_factory.mktemp("generated-build")
    kg.build([corpus], out=out)
    return out


@pytest.fixture(scope="module")
def served(big_build):
    server = SparqlServer(big_build / "graph.ttl", port=0, quiet=True, timeout=30)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    server.home = server.url[:-len("/sparql")]
    yield server
    server.shutdown()
    server.server_close()


class ServedPage:
    def __init__(self, browser, url):  # noqa: F811
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.errors, self.requests, self.dialogs = [], [], []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.origin = url
        self.page.goto(url + "/")
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def assert_clean(self):
        assert self.errors == [] and self.dialogs == []
        # only the server that sent the page; nothing from elsewhere
        assert all(u.startswith(self.origin + "/") or u.startswith("blob:" + self.origin) for u in self.requests), self.requests


def test_explorer_routes_are_read_only_and_strict(served):
    status, headers, body = http(served.home + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "default-src 'none'; connect-src 'self'; script-src 'sha256-" in page
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # an IRI is accepted only as an IRI; a search string only as a value
    for bad in ("", "x", "http://a> } SELECT * WHERE { ?s ?p ?o", "http://a b"):
        for route in ("/api/node?", "/api/doc?"):
            status, _, body = http(served.home + route + urllib.parse.urlencode({"iri": bad}))
            assert status == 400 and b"iri" in body
    status, _, body = http(served.home + "/api/search?" + urllib.parse.urlencode({"q": '") } DROP ALL #'}))
    assert status == 200 and json.loads(body) == []
    status, _, _ = http(served.home + "/api/search?q=" + urllib.parse.quote("县" * 101))
    assert status == 400
    for method in ("PUT", "DELETE"):
        assert http(served.home + "/api/node", data=b"x", method=method)[0] == 403


def test_served_dashboard_equals_the_graphs(served, big_build):
    status, _, body = http(served.home + "/api/dashboard")
    got = json.loads(body)
    expected = key_figures(term_index(big_build))        # the build's store (no graph.nt by default)
    assert status == 200 and len(got["pairs"]) == len(expected.pairings) > ARTICLES / 4
    assert got["csv"] == expected.csv()
    for pair, p in zip(got["pairs"], expected.pairings):
        assert (pair["from"], pair["to"]) == (p.supporter_label, p.supported_label)
        assert [f["text"] for f in pair["figures"]] == [f.text for f in p.figures]


def test_served_explorer_in_the_browser(served, browser):  # noqa: F811
    page = ServedPage(browser, served.home)
    try:
        total = page.js("() => kgView.data.remote.total")
        shown = page.js("() => kgView.data.nodes.length")
        assert 0 < shown < total
        assert f"图中共 {total} 个实体" in page.page.text_content("#counts")
        # search asks the server; the hit is loaded with its neighbourhood and focused
        page.page.fill("#search", "县")
        page.page.press("#search", "Enter")
        page.page.wait_for_selector("body[data-focus]", state="attached", timeout=30_000)
        assert page.page.text_content("#search-status").startswith("第 1 / ")
        focused = page.js("() => kgView.state().focus")
        centre = int(page.page.get_attribute("body", "data-focus"))
        assert centre in focused and len(focused) > 1
        # the neighbourhood came first; its evidence follows and fills the open panel
        page.page.wait_for_function("(c) => kgView.data.nodes.some(n => n.id === c && n.evidence === 'loaded')",
                                    arg=centre, timeout=30_000)
        assert page.js("() => document.querySelectorAll('#panel-body p.sent').length") > 0
        assert "正在载入" not in page.page.text_content("#panel-body")
        assert any(u.startswith(page.origin + "/api/evidence?") for u in page.requests)
        # the neighbourhood matches the graph: every focused node is linked to the centre
        linked = page.js("""(c) => kgView.data.edges.filter(e => e.from === c || e.to === c)
                                   .map(e => e.from === c ? e.to : e.from)""", centre)
        assert set(focused) == set(linked) | {centre}
        # a real click on an entity of the first view not loaded yet: its neighbourhood is
        # fetched, joins the page and is focused, drawn in one drawing, then the panel shows it
        target = page.js("""(c) => { const n = kgView.data.nodes.filter(n => !n.loaded && n.id !== c &&
            !kgView.data.edges.some(e => e.from === c && e.to === n.id || e.to === c && e.from === n.id))
            .sort((a, b) => b.degree - a.degree)[0];
            const net = kgView.network;
            net.moveTo({position: net.getPositions([n.id])[n.id], scale: 1.5, animation: false});
            const p = net.canvasToDOM(net.getPositions([n.id])[n.id]);
            const r = document.querySelector('#network canvas').getBoundingClientRect();
            return {id: n.id, iri: n.iri, xy: [r.left + p.x, r.top + p.y]}; }""", centre)
        # drawings from the press to the one that shows the focus (counted when it is marked)
        page.js("""() => { window.drawings = 0; window.drawnAt = null;
            kgView.network.on("afterDrawing", () => { window.drawings += 1; });
            document.getElementById("network").addEventListener("pointerdown", () => { window.drawings = 0; }, true);
            new MutationObserver(() => { if (document.body.hasAttribute("data-drawn") && window.drawnAt === null)
                window.drawnAt = window.drawings; }).observe(document.body, {attributes: true, attributeFilter: ["data-drawn"]}); }""")
        # the pointer comes to rest on it first: the drawings a hover asks for (its tooltip) and
        # the labels the zoom above adds are drawn before the press, not counted against the click
        page.page.mouse.move(*target["xy"])
        page.js("""() => new Promise(done => requestAnimationFrame(() => setTimeout(() =>
            requestAnimationFrame(() => requestAnimationFrame(done)), 0)))""")
        page.js("() => { window.drawings = 0; }")
        page.page.mouse.click(*target["xy"])
        page.page.wait_for_selector(f'body[data-drawn="{target["id"]}"]', state="attached", timeout=30_000)
        # the selection is drawn while the answer comes; the new neighbours, their relations,
        # the fading and the refit are one drawing more (each was a drawing of its own: 4 to the focus)
        assert 1 <= page.js("() => window.drawnAt") <= 2
        focused = set(page.js("() => kgView.state().focus"))
        linked = page.js("""(c) => kgView.data.edges.filter(e => e.from === c || e.to === c)
                                   .map(e => e.from === c ? e.to : e.from)""", target["id"])
        assert focused == set(linked) | {target["id"]} and len(focused) > 1
        assert any(u.startswith(page.origin + "/api/node?") and urllib.parse.quote(target["iri"], safe="") in u
                   for u in page.requests)
        page.page.wait_for_selector(f'#panel[data-node="{target["id"]}"]', state="attached", timeout=30_000)
        assert page.js("(id) => kgView.data.nodes.find(n => n.id === id).label", target["id"]) == \
            page.page.text_content("#panel-title")
        assert page.js("() => kgTiming.clicks.length") == 1
        # the dashboard is fetched on first opening
        page.page.click("#dash-open")
        page.page.wait_for_selector("#dashboard[data-loaded=true]", state="attached", timeout=120_000)
        assert page.js("() => document.querySelectorAll('#dashboard td.pair').length") == \
            len(json.loads(http(served.home + "/api/dashboard")[2])["pairs"])
        page.page.locator("#dashboard button.source").first.click()
        assert page.page.text_content("#panel-body p.sent")
        page.assert_clean()
    finally:
        page.page.close()


def test_query_page_runs_the_bundled_queries(served, browser):  # noqa: F811
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served.home + "/query")
        names = page.eval_on_selector_all("#examples button", "bs => bs.map(b => b.firstChild.textContent)")
        assert "supports" in names and len(names) == len(list((ROOT / "queries").glob("*.rq")))
        page.locator("#examples button", has_text="supports").first.click()
        assert "yj:supports" in page.input_value("#editor")
        page.click("#run")
        page.wait_for_selector("#results table", timeout=30_000)
        rows = page.eval_on_selector_all("#results tr", "rs => rs.length")
        assert rows > 10
        with page.expect_download() as dl:
            page.click("#csv")
        text = open(dl.value.path(), encoding="utf-8").read()
        assert len(text.strip().splitlines()) == rows            # header + the same rows
        with page.expect_download() as dl:
            page.click("#json")
        assert len(json.load(open(dl.value.path(), encoding="utf-8"))["results"]["bindings"]) == rows - 1
        assert errors == []
    finally:
        page.close()


def test_served_document_menu_lists_titles_and_loads_a_documents_entities(served, big_build, browser):  # noqa: F811
    """Every document of the store is in the menu, named as the file page names it (title,
    else first heading, else opening words) with the file name as the tooltip; choosing one
    fetches the entities it names and shows only those."""
    import re
    static = (big_build / "graph.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>',
                                static, re.S).group(1))
    named = {d["name"]: d["title"] for d in data["docs"]}
    assert len(named) == ARTICLES
    page = ServedPage(browser, served.home)
    try:
        page.page.wait_for_selector("#doc-filter[data-loaded=true]", state="attached", timeout=30_000)
        options = page.js("""() => [...document.querySelectorAll('#doc-filter option')].slice(1)
                                   .map(o => [o.textContent, o.title, o.value])""")
        assert {title: text for text, title, _ in options} == named
        assert all(text and text != name for text, name, _ in options)
        # one document: its entities are fetched and only they are shown
        text, name, value = options[len(options) // 2]
        iri = page.js("(v) => kgView.data.docs[Number(v)].iri", value)
        entities = {r["e"]["value"] for r in json.loads(http(
            served.home + "/sparql?" + urllib.parse.urlencode({"query": (
                "SELECT DISTINCT ?e WHERE { ?m <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
                f"referenceContext> <{iri}> ; <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?e }}")}),
            headers={"Accept": "application/sparql-results+json"})[2])["results"]["bindings"]}
        assert entities
        page.page.select_option("#doc-filter", value)
        page.page.wait_for_selector("#doc-filter:not([disabled])", state="attached", timeout=30_000)
        page.page.wait_for_selector("#progress:empty", state="attached", timeout=30_000)
        shown = page.js("""() => kgView.data.nodes.filter(n => !kgView.nodes.get(n.id).hidden).map(n => n.iri)""")
        typed = set(page.js("() => kgView.data.nodes.map(n => n.iri)")) & entities
        assert set(shown) == typed and len(shown) == int(page.page.get_attribute("#counts", "data-nodes")) > 0
        page.assert_clean()
    finally:
        page.page.close()


YJ = "https://w3id.org/yuanjiang-kg/ontology#"


def _sparql(server, query: str) -> list[dict]:
    status, _, body = http(server.url + "?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def _relations_by_sparql(server, iri: str, among: set | None = None) -> set:
    """The relations between ``iri`` and other entities, or (``among``) between any two of
    those entities, asked of the server's /sparql."""
    from kg.html import RELATION_STYLE
    from kg.model import ENTITY_TYPES
    rels = " ".join(f"<{YJ}{r}>" for r in RELATION_STYLE)
    types = " ".join(f"<{YJ}{t}>" for t in ENTITY_TYPES)
    typed = f"FILTER EXISTS {{ ?x a ?t VALUES ?t {{ {types} }} }} FILTER NOT EXISTS {{ ?x a <{YJ}Metric> }}"
    if among is None:
        rows = _sparql(server, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {rels} }}
            {{ <{iri}> ?p ?x BIND(<{iri}> AS ?s) BIND(?x AS ?o) }} UNION {{ ?x ?p <{iri}> BIND(?x AS ?s) BIND(<{iri}> AS ?o) }}
            {typed} }}""")
    else:
        ends = " ".join(f"<{e}>" for e in sorted(among))
        rows = _sparql(server, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {ends} }} VALUES ?p {{ {rels} }}
            ?s ?p ?o FILTER(?o IN ({ends.replace("> <", ">, <")})) }}""")
    return {_edge(r["s"]["value"], r["p"]["value"][len(YJ):], r["o"]["value"]) for r in rows}


def _edge(a: str, rel: str, b: str):
    return (rel, frozenset((a, b))) if rel == "pairedWith" else (rel, a, b)


def _payload_relations(payload: dict) -> set:
    iri = [n["iri"] for n in payload["nodes"]]
    return {_edge(iri[e["from"]], e["rel"], iri[e["to"]]) for e in payload["edges"]}


def _static_page(build_dir) -> dict:
    import re
    static = (build_dir / "graph.html").read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>',
                                static, re.S).group(1))


def test_served_neighbourhood_and_evidence_equal_the_graphs(served, big_build):
    """/api/node answers from the server's in-memory index (no query); what it gives must be
    what SPARQL gives: the same relations, and the same names and types as the file page of
    the same build. /api/evidence gives the sentences, facts and metrics the file page has
    for the entity and its relations."""
    from kg.explorer import NEIGHBOURS, SENTENCES_FETCHED
    static = _static_page(big_build)

    def text(data, item):
        return [data["sentences"][i][1] for i, _ in item["ev"]]
    by_iri = {n["iri"]: n for n in static["nodes"]}
    ranked = sorted(static["nodes"], key=lambda n: (-n["degree"], n["iri"]))
    checked = fitted = 0
    assert http(served.home + "/api/docs")[0] == 200      # documents are then named as listed
    for node in ranked[:4] + ranked[len(ranked) // 2:len(ranked) // 2 + 2]:
        status, _, body = http(served.home + "/api/node?" + urllib.parse.urlencode({"iri": node["iri"]}))
        assert status == 200
        payload = json.loads(body)
        assert payload["centre"] == node["iri"]
        expected = _relations_by_sparql(served, node["iri"])
        ends = {e for rel, *rest in expected for x in rest for e in (x if isinstance(x, frozenset) else (x,))}
        assert len(ends - {node["iri"]}) <= NEIGHBOURS           # all of them fit in one answer
        # the relations of the entity, and those among its neighbours
        assert expected and expected <= _payload_relations(payload)
        assert _payload_relations(payload) == _relations_by_sparql(served, node["iri"], ends | {node["iri"]})
        for n in payload["nodes"]:                             # names and types as the file page gives them
            page = by_iri[n["iri"]]
            assert (n["label"], n["labels"], n["alt"], n["type"], n["types"], n["code"]) == \
                (page["label"], page["labels"], page["alt"], page["type"], page["types"], page["code"])
        assert {n["iri"] for n in payload["nodes"]} == ends | {node["iri"]}

        status, _, body = http(served.home + "/api/evidence?" + urllib.parse.urlencode({"iri": node["iri"]}))
        assert status == 200
        ev = json.loads(body)
        assert _payload_relations(ev) == _payload_relations(payload)
        centre = next(n for n in ev["nodes"] if n["iri"] == node["iri"])
        if node["evCount"] <= 40:                              # within what one answer fetches
            assert centre["evCount"] == node["evCount"] > 0
            assert text(ev, centre) == text(static, node)
            checked += 1
        titles = {d["iri"]: d["title"] for d in static["docs"]}
        assert ev["docs"] and all(d["title"] == titles[d["iri"]] for d in ev["docs"])
        metrics = {m["iri"] for m in ev["metrics"]}
        assert metrics == {static["metrics"][i]["iri"] for i in node["metrics"]}
        page_edges = {_edge(static["nodes"][e["from"]]["iri"], e["rel"], static["nodes"][e["to"]]["iri"]): e
                      for e in static["edges"]}
        # its relations' facts (those among its neighbours come with theirs); every relation
        # keeps a sentence (SENTENCES_FETCHED are shared out), all of them when they fit
        ends_of = {id(e): (ev["nodes"][e["from"]]["iri"], ev["nodes"][e["to"]]["iri"]) for e in ev["edges"]}
        own = [(e, page_edges[_edge(ends_of[id(e)][0], e["rel"], ends_of[id(e)][1])])
               for e in ev["edges"] if node["iri"] in ends_of[id(e)]]
        fits = node["evCount"] + sum(page["evCount"] for _, page in own) \
            + sum(static["metrics"][i]["evCount"] for i in node["metrics"]) <= SENTENCES_FETCHED
        for e, page in own:
            assert (e["triggers"], e["conf"], e["candidate"]) == (page["triggers"], page["conf"], page["candidate"])
            assert min(e["evCount"], 1) == min(page["evCount"], 1)
            if fits:
                assert e["evCount"] == page["evCount"] and text(ev, e) == text(static, page)
        fitted += fits
    assert checked >= 2 and fitted >= 2
    # the first view's count of all entities, from the same index
    from kg.model import ENTITY_TYPES
    types = " ".join(f"<{YJ}{t}>" for t in ENTITY_TYPES)
    total = _sparql(served, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a ?t VALUES ?t {{ {types} }} "
                            f"FILTER NOT EXISTS {{ ?e a <{YJ}Metric> }} }}")[0]["n"]["value"]
    assert served.explorer.overview()["remote"]["total"] == int(total) == len(static["nodes"])
