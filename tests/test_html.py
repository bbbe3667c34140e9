"""The offline HTML view (kg/html.py): self-contained, escaped, complete, deterministic."""
from __future__ import annotations

import hashlib
import math
import os
import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.html import render_html, write_html

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
BASE = "https://w3id.org/yuanjiang-kg/"

HOSTILE_LABEL = "<script>alert(1)</script>"
HOSTILE_SENTENCE = ('衢州市对口支援乌什县。</script><img src=x onerror=alert(1)> '
                    '他说"引号"和\'单引号\'以及反斜杠\\n与\u2028分隔')
SENTENCE_1 = "浙江省衢州市对口支援新疆乌什县，3年来投入援疆资金8.4亿元。"

CITY = URIRef(BASE + "id/city/quzhou")
COUNTY = URIRef(BASE + "id/place/652927")
ENTERPRISE = URIRef(BASE + "id/enterprise/abc")
EVIL = URIRef(BASE + "id/organization/evil")
SCHOOL = URIRef(BASE + "id/school/lonely")
ENTITIES = [CITY, COUNTY, ENTERPRISE, EVIL, SCHOOL]


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def nn(i: int) -> Literal:
    return Literal(i, datatype=XSD.nonNegativeInteger)


def small_graph() -> Graph:
    g = Graph()
    doc = URIRef(BASE + "doc/000")
    g.add((doc, RDF.type, NIF.Context))
    g.add((doc, RDF.type, SCHEMA.Article))
    g.add((doc, YJ.sourceFile, Literal("000_c362e20726e80f6e.txt")))
    g.add((doc, DCTERMS.title, zh("衢州援疆三年")))
    s1 = URIRef(BASE + "doc/000/sentence/0")
    s2 = URIRef(BASE + "doc/000/sentence/1")
    for s, text, begin in ((s1, SENTENCE_1, 0), (s2, HOSTILE_SENTENCE, 40)):
        g.add((s, RDF.type, NIF.Sentence))
        g.add((s, NIF.isString, zh(text)))
        g.add((s, NIF.beginIndex, nn(begin)))
        g.add((s, NIF.endIndex, nn(begin + len(text))))
        g.add((s, NIF.referenceContext, doc))

    def entity(node, types, label, alt=(), en=None, code=None):
        for t in types:
            g.add((node, RDF.type, YJ[t]))
        g.add((node, RDFS.label, zh(label)))
        g.add((node, SKOS.prefLabel, zh(label)))
        for a in alt:
            g.add((node, SKOS.altLabel, zh(a)))
        if en:
            g.add((node, RDFS.label, Literal(en, lang="en")))
        if code:
            g.add((node, YJ.adminCode, Literal(code)))

    entity(CITY, ["City"], "衢州市", alt=["衢州"], en="Quzhou", code="330800")
    entity(COUNTY, ["County"], "乌什县", alt=["乌什"], en="Wushi County", code="652927")
    entity(ENTERPRISE, ["Enterprise"], "浙江某公司")
    entity(EVIL, ["Organization"], HOSTILE_LABEL, alt=['a"b\\c'])
    entity(SCHOOL, ["School"], "孤立学校")

    def mention(node, sentence, sent_begin, text, sent_text):
        start = sent_begin + sent_text.index(text)
        m = URIRef(f"{BASE}doc/000/mention/{start}-{start + len(text)}")
        g.add((m, RDF.type, NIF.Phrase))
        g.add((m, NIF.anchorOf, zh(text)))
        g.add((m, NIF.beginIndex, nn(start)))
        g.add((m, NIF.endIndex, nn(start + len(text))))
        g.add((m, NIF.sentence, sentence))
        g.add((m, NIF.referenceContext, doc))
        g.add((m, ITSRDF.taIdentRef, node))

    mention(CITY, s1, 0, "衢州市", SENTENCE_1)
    mention(COUNTY, s1, 0, "乌什县", SENTENCE_1)
    mention(CITY, s2, 40, "衢州市", HOSTILE_SENTENCE)
    mention(EVIL, s2, 40, "</script><img", HOSTILE_SENTENCE)

    def relation(s, p, o, sentence=None, trigger=None):
        g.add((s, YJ[p], o))
        fact = URIRef(f"{BASE}fact/" + hashlib.sha1(f"{s} {p} {o}".encode()).hexdigest()[:12])
        g.add((fact, RDF.type, RDF.Statement))
        g.add((fact, RDF.type, YJ.Fact))
        g.add((fact, RDF.subject, s))
        g.add((fact, RDF.predicate, YJ[p]))
        g.add((fact, RDF.object, o))
        if sentence is not None:
            g.add((fact, PROV.wasDerivedFrom, sentence))
        if trigger:
            g.add((fact, YJ.trigger, zh(trigger)))

    relation(CITY, "supports", COUNTY, s1, "对口支援")
    gazetteer = URIRef(BASE + "reference/gazetteer")
    g.add((gazetteer, RDF.type, PROV.Entity))
    g.add((gazetteer, RDFS.label, Literal("GB/T 2260 administrative divisions", lang="en")))
    relation(ENTERPRISE, "locatedIn", COUNTY, gazetteer)
    relation(EVIL, "pairedWith", CITY, s2)

    metric = URIRef(BASE + "id/metric/000-5")
    g.add((metric, RDF.type, YJ.Metric))
    g.add((metric, YJ.value, Literal(Decimal(840000000), datatype=XSD.decimal)))
    g.add((metric, YJ.unit, Literal("CNY")))
    g.add((metric, YJ.indicator, zh("援疆资金")))
    g.add((metric, YJ.surface, zh("8.4亿元")))
    g.add((metric, YJ.about, CITY))
    g.add((metric, PROV.wasDerivedFrom, s1))
    g.add((CITY, YJ.hasMetric, metric))
    return g


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(small_graph(), title='援疆 <b>"图"</b> & co')


def graph_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def app_script(html: str) -> str:
    m = re.search(r'<script id="app">(.*?)</script>', html, re.S)
    assert m
    return m.group(1)


def test_hostile_text_cannot_break_out(page):
    assert "<script>alert" not in page
    assert "</script><img" not in page
    assert "<img" not in page
    assert "\u2028" not in page and "\u2029" not in page
    # only our three script elements: data, vis-network, app
    assert len(re.findall(r"<script", page, re.I)) == 3
    assert len(re.findall(r"</script", page, re.I)) == 3
    # the title is HTML-escaped
    assert "<b>\"图\"" not in page
    assert "援疆 &lt;b&gt;&quot;图&quot;&lt;/b&gt; &amp; co" in page


def test_page_script_never_uses_innerhtml(page):
    app = app_script(page)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in app
    assert "textContent" in app and "createTextNode" in app


def test_no_remote_resources(page):
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "//cdn" not in page.lower()
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"@import", page)
    assert "<link" not in page.lower()


def test_csp_allows_exactly_the_page_scripts(page):
    import base64
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    scripts = re.findall(r"<script(?: id=\"app\")?>(.*?)</script>", page, re.S)
    assert len(scripts) == 2                       # vis-network and the app; data is not run
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in scripts]
    assert f"script-src {' '.join(hashes)};" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0] and "unsafe-eval" not in csp
    assert "default-src 'none'" in csp


def test_vis_network_inlined(page):
    assert "vis-network" in page and "@version 9.1.2" in page
    assert "stabilizationIterationsDone" in page          # from vis-network.min.js
    assert "div.vis-tooltip" in page                       # from vis-network.css
    assert "new vis.Network(" in app_script(page)


def test_data_block_holds_every_entity_and_edge(page):
    data = graph_data(page)
    by_iri = {n["iri"]: n for n in data["nodes"]}
    assert set(by_iri) == {str(e) for e in ENTITIES}
    assert all(n["kind"] == "entity" for n in data["nodes"])      # metrics are not nodes
    assert by_iri[str(EVIL)]["label"] == HOSTILE_LABEL
    assert by_iri[str(EVIL)]["alt"] == ['a"b\\c']
    city = by_iri[str(CITY)]
    assert city["label"] == "衢州市" and city["alt"] == ["衢州"] and city["en"] == ["Quzhou"]
    assert city["code"] == "330800" and city["type"] == "City"
    assert by_iri[str(COUNTY)]["type"] == "County"       # id/place/… -> its contract type
    ids = {n["id"]: n["iri"] for n in data["nodes"]}
    edges = {(ids[e["from"]], e["rel"], ids[e["to"]]) for e in data["edges"]}
    assert edges == {(str(CITY), "supports", str(COUNTY)),
                     (str(ENTERPRISE), "locatedIn", str(COUNTY)),
                     (str(CITY), "pairedWith", str(EVIL))}   # undirected: sorted pair
    rels = {r["name"]: r for r in data["relations"]}
    assert rels["supports"]["zh"] == "对口支援" and rels["supports"]["directed"]
    assert rels["pairedWith"]["zh"] == "结对" and not rels["pairedWith"]["directed"]
    # the seven contract relations, then the link from a subject to a metric drawn as a node
    assert [r["zh"] for r in data["relations"]] == ["对口支援", "位于", "隶属于", "实施", "引进", "建设", "结对",
                                                    "指标"]
    # degree-based sizes: the city has two relations, the lonely school none
    assert city["degree"] == 2 and by_iri[str(SCHOOL)]["degree"] == 0
    assert city["size"] > by_iri[str(SCHOOL)]["size"]


def test_metric_rows_belong_to_their_subject(page):
    data = graph_data(page)
    city = next(n for n in data["nodes"] if n["label"] == "衢州市")
    (row,) = data["metrics"]
    assert city["metrics"] == [0]
    ev = row.pop("ev")
    assert row == {"iri": BASE + "id/metric/000-5", "indicator": "援疆资金", "evCount": 1,
                   "value": "840,000,000", "unit": "元", "surface": "8.4亿元",
                   "period": "", "approx": False, "about": [city["id"]], "docs": [0],
                   "conf": None, "candidate": False}
    # its source sentence, with the quantity marked
    (sent_idx, ((a, b),)), = ev
    assert data["sentences"][sent_idx][1][a:b] == "8.4亿元"
    assert data["metricNodes"] is False


def test_sentences_and_mention_highlight(page):
    data = graph_data(page)
    assert data["docs"] == [{"iri": BASE + "doc/000", "name": "000_c362e20726e80f6e.txt",
                             "title": "衢州援疆三年", "count": 3}]
    texts = [s[1] for s in data["sentences"]]
    assert texts == [SENTENCE_1, HOSTILE_SENTENCE]
    city = next(n for n in data["nodes"] if n["label"] == "衢州市")
    assert [ev[0] for ev in city["ev"]] == [0, 1]
    for sent_idx, ranges in city["ev"]:
        (a, b), = ranges
        assert texts[sent_idx][a:b] == "衢州市"
    evil = next(n for n in data["nodes"] if n["label"] == HOSTILE_LABEL)
    (sent_idx, ((a, b),)), = evil["ev"]
    assert texts[sent_idx][a:b] == "</script><img"
    located = next(e for e in data["edges"] if e["rel"] == "locatedIn")
    assert located["reference"] and located["ev"] == []
    assert located["sources"] == ["GB/T 2260 administrative divisions"]
    supports = next(e for e in data["edges"] if e["rel"] == "supports")
    assert supports["triggers"] == ["对口支援"]
    (sent_idx, ((a, b),)), = supports["ev"]
    assert texts[sent_idx][a:b] == "对口支援"


def test_legend_types_with_counts(page):
    data = graph_data(page)
    assert data["legend"] == [{"name": t, "count": 1}
                              for t in ("City", "County", "Enterprise", "School", "Organization")]
    names = {t["name"]: t for t in data["typeNames"]}
    for t in ("City", "County", "Enterprise", "School", "Initiative", "Province", "Prefecture",
              "Township", "Village", "Organization", "Hospital", "Facility", "Person", "Product"):
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", names[t]["color"])
    # colour-blind-safe: a colour is shared only across families, which differ in shape
    assert len({(names[t]["color"], names[t]["shape"]) for t in names}) == len(names)
    for a, b in (("Organization", "Enterprise"), ("Person", "Prefecture"), ("Hospital", "Province")):
        assert (names[a]["color"], names[a]["shape"]) != (names[b]["color"], names[b]["shape"])
        assert names[a]["color"] != names[b]["color"]
    assert {r["name"] for r in data["relLegend"]} == {"supports", "locatedIn", "pairedWith"}


def test_cjk_font_stack_and_static_layout(page):
    stack = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
             '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
    assert stack in page                       # CSS
    assert graph_data(page)["font"] == stack    # vis-network node/edge font face
    app = app_script(page)
    # positions come from Python: the page runs no physics at all
    assert "physics: {enabled: false}" in app and "hidden: !show" in app
    assert all(isinstance(n["x"], float) for n in graph_data(page)["nodes"])


def test_deterministic():
    assert render_html(small_graph()) == render_html(small_graph())
    # triples added in another order give the same page
    g = small_graph()
    g2 = Graph()
    for t in sorted(g, reverse=True):
        g2.add(t)
    assert render_html(g2) == render_html(g)


def test_max_nodes_keeps_most_connected():
    html = render_html(small_graph(), max_nodes=2)
    data = graph_data(html)
    assert {n["iri"] for n in data["nodes"]} == {str(CITY), str(COUNTY)}   # degrees 2, 2
    assert [(e["rel"]) for e in data["edges"]] == ["supports"]
    assert "2 of 5 entities shown" in html
    assert (data["shown"], data["total"]) == (2, 5)
    # ties broken by IRI: EVIL (organization/evil) and ENTERPRISE have degree 1
    data = graph_data(render_html(small_graph(), max_nodes=3))
    assert {n["iri"] for n in data["nodes"]} == {str(CITY), str(COUNTY), str(ENTERPRISE)}
    assert "entities shown" not in render_html(small_graph(), max_nodes=5)


def test_metrics_as_nodes_is_the_starting_state_of_the_switch():
    # the page draws metric nodes itself (tests/test_browser.py); the flag only sets the
    # switch, so both pages carry the same rows
    on = graph_data(render_html(small_graph(), metrics_as_nodes=True))
    off = graph_data(render_html(small_graph()))
    assert on["metricNodes"] is True and off["metricNodes"] is False
    assert on["metrics"] == off["metrics"] and on["nodes"] == off["nodes"]
    assert all(n["kind"] == "entity" for n in on["nodes"])


def test_empty_graph_renders():
    html = render_html(Graph())
    data = graph_data(html)
    assert data["nodes"] == [] and data["edges"] == []


def test_write_html_utf8_atomic(tmp_path):
    out = write_html(small_graph(), tmp_path / "sub" / "graph.html", title="对口援疆")
    assert out == tmp_path / "sub" / "graph.html"
    raw = out.read_bytes()
    text = raw.decode("utf-8")
    assert "<title>对口援疆</title>" in text
    assert text == render_html(small_graph(), title="对口援疆")
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]
    write_html(small_graph(), out)          # overwrite in place, still no temp files
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]


def test_page_json_written_in_pieces_is_the_same_text():
    """graph.html is written piece by piece; joined, the pieces are the one-shot JSON,
    escapes included, whatever the piece size."""
    from kg.html import script_json, script_json_pieces
    value = {"z": [1, 2.5, None, True], "a<": ["</script>", "a&b", "\u2028\u2029", "\ud800", "中文"],
             "nodes": [{"label": f"节点{i}<>", "ev": [(i, [(0, i)])]} for i in range(7)],
             "t": ((1, 2), (3,)), "empty": [], "nested": {"b": {"c": ["x"] * 5}}}
    for items in (1, 2, 3, 2000):
        pieces = list(script_json_pieces(value, items=items))
        assert "".join(pieces) == script_json(value)
    assert len(list(script_json_pieces(value, items=2))) > 10     # it did cut the lists
    assert json.loads(script_json(value))["a<"][0] == "</script>"


def test_page_script_parses(page, tmp_path):
    # Node ships with the machine image; a missing node is a failure, not a skip.
    assert shutil.which("node"), "node is needed to syntax-check the page script"
    script = tmp_path / "app.js"
    script.write_text(app_script(page), encoding="utf-8")
    subprocess.run(["node", "--check", str(script)], check=True)


# ---------------------------------------------------------------- bounds, layout, centrality

def test_selection_names_what_is_left_out():
    from kg.html import select_entities
    sel = select_entities(small_graph(), max_nodes=2)
    assert sel.shown == tuple(sorted((str(CITY), str(COUNTY))))
    # most connected first among those left out: EVIL and ENTERPRISE (1), SCHOOL (0)
    assert sel.left_out == (str(ENTERPRISE), str(EVIL), str(SCHOOL))
    assert sel.left_out_by_type == (("Enterprise", 1), ("School", 1), ("Organization", 1))
    assert (sel.edges_total, sel.edges_left_out, sel.total) == (3, 2, 5)
    assert sel.examples == ("浙江某公司", HOSTILE_LABEL, "孤立学校")
    assert sel.summary().startswith("2 of 5 entities shown (the most connected); left out 3 entities "
                                    "(Enterprise 1, School 1, Organization 1) and 2 of 3 relations")
    assert select_entities(small_graph(), max_nodes=None).left_out == ()
    assert select_entities(small_graph()).summary() == "all 5 entities shown"


def test_bounded_page_carries_what_is_left_out():
    data = graph_data(render_html(small_graph(), max_nodes=2))
    assert data["omitted"] == {"entities": 3, "edges": 2,
                               "byType": [{"name": "Enterprise", "count": 1},
                                          {"name": "School", "count": 1},
                                          {"name": "Organization", "count": 1}],
                               "examples": ["浙江某公司", HOSTILE_LABEL, "孤立学校"]}
    assert graph_data(render_html(small_graph()))["omitted"] is None


def test_default_bound_is_the_same_everywhere():
    import inspect
    from kg.html import DEFAULT_MAX_NODES
    from kg.pipeline import build, write_outputs
    assert DEFAULT_MAX_NODES == 5000
    assert inspect.signature(render_html).parameters["max_nodes"].default == DEFAULT_MAX_NODES
    assert inspect.signature(build).parameters["html_max_nodes"].default == DEFAULT_MAX_NODES
    assert inspect.signature(write_outputs).parameters["html_max_nodes"].default == DEFAULT_MAX_NODES


def test_betweenness_sizes(page):
    by_label = {n["label"]: n for n in graph_data(page)["nodes"]}
    # 衢州市 is the only node between others (county - city - evil)
    assert by_label["衢州市"]["centrality"] > 0 and by_label["衢州市"]["sizeC"] == 45.0
    assert by_label["孤立学校"]["centrality"] == 0 and by_label["孤立学校"]["sizeC"] == 10.0
    assert by_label["乌什县"]["centrality"] > 0      # between the city and the enterprise


def test_start_layout_keeps_neighbours_close():
    from kg.html import _initial_layout
    rnd = __import__("random").Random(3)
    # 30 groups of 20: a hub each, all members linked to it, a few links between groups
    pairs = [(g * 20, g * 20 + i) for g in range(30) for i in range(1, 20)]
    pairs += [(rnd.randrange(600), rnd.randrange(600)) for _ in range(40)]
    pos = _initial_layout(600 + 5, pairs)              # 5 unlinked nodes too
    assert pos == _initial_layout(600 + 5, pairs)      # deterministic
    assert len(set(pos)) == len(pos)                   # no two nodes on one spot

    def dist(a, b):
        return math.dist(pos[a], pos[b])
    linked = sum(dist(a, b) for a, b in pairs) / len(pairs)
    anyhow = sum(dist(rnd.randrange(605), rnd.randrange(605)) for _ in range(2000)) / 2000
    assert linked < anyhow / 3


def test_layout_puts_pairings_in_the_middle_and_orphans_apart():
    small = graph_data(render_html(small_graph()))
    by_iri = {n["iri"]: n for n in small["nodes"]}
    city, firm = by_iri[str(CITY)], by_iri[str(ENTERPRISE)]
    xs = [n["x"] for n in small["nodes"]]
    ys = [n["y"] for n in small["nodes"]]
    linked = [n for n in small["nodes"] if n["degree"]]
    orphans = [n for n in small["nodes"] if not n["degree"]]
    assert orphans and all(n["orphan"] for n in orphans)
    # the orphans are gathered under everything else
    assert min(n["y"] for n in orphans) > max(n["y"] for n in linked)
    # the supporting city sits nearer the middle of the linked part than the enterprise
    cx = sum(n["x"] for n in linked) / len(linked)
    cy = sum(n["y"] for n in linked) / len(linked)
    assert math.dist((city["x"], city["y"]), (cx, cy)) < math.dist((firm["x"], firm["y"]), (cx, cy))
    assert city["important"] and city["size"] > firm["size"]
    assert len(set(zip(xs, ys))) == len(xs)
    g = Graph()
    for i in range(200):
        node = URIRef(f"{BASE}id/school/s{i}")
        g.add((node, RDF.type, YJ.School))
        g.add((node, YJ.locatedIn, URIRef(f"{BASE}id/school/s{i // 10 * 10}")))
    big = graph_data(render_html(g))
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in big["nodes"])
    assert render_html(g) == render_html(g)


def test_written_page_is_readable_by_others(tmp_path):
    out = write_html(small_graph(), tmp_path / "graph.html")
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


# ---------------------------------------------------------------- the command line

def test_cli_build_bounds_the_page_and_says_what_is_left_out(tmp_path, capsys, seed_build):
    from kg.cli import main
    from tests.conftest import SEEDS
    total = len(seed_build.graph.entities)
    assert main(["build", str(SEEDS), "--out", str(tmp_path), "--html-max-nodes", "20"]) == 0
    out = capsys.readouterr().out
    assert f"graph.html: 20 of {total} entities shown (the most connected); left out {total - 20} entities" in out
    data = graph_data((tmp_path / "graph.html").read_text(encoding="utf-8"))
    assert (data["shown"], data["total"], data["omitted"]["entities"]) == (20, total, total - 20)
    assert main(["build", str(SEEDS), "--out", str(tmp_path), "--html-max-nodes", "-1"]) == 1
    assert "0 (no bound) or more" in capsys.readouterr().err


def test_cli_bound_values():
    from kg.cli import _html_bound
    from kg.html import DEFAULT_MAX_NODES
    assert _html_bound(None) == DEFAULT_MAX_NODES
    assert _html_bound(0) is None and _html_bound(7) == 7
    with pytest.raises(ValueError):
        _html_bound(-1)


def test_cli_view_renders_turtle_and_trig(tmp_path, capsys, monkeypatch):
    from rdflib import Dataset
    from kg.cli import main
    g = small_graph()
    ttl = tmp_path / "g.ttl"
    g.serialize(ttl, format="turtle")
    ds = Dataset()
    doc_graph = ds.graph(URIRef(BASE + "graph/doc/000"))
    reference = ds.graph(URIRef(BASE + "reference"))
    for t in g:                       # split over two named graphs, as kg build does
        (reference if t[1] == YJ.locatedIn else doc_graph).add(t)
    trig = tmp_path / "g.trig"
    ds.serialize(trig, format="trig")

    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    assert main(["view", str(ttl)]) == 0                          # default: next to the input
    assert main(["view", str(trig), "--out", str(tmp_path / "t.html"), "--open"]) == 0
    from_ttl = graph_data((tmp_path / "g.html").read_text(encoding="utf-8"))
    from_trig = graph_data((tmp_path / "t.html").read_text(encoding="utf-8"))
    assert len(from_ttl["nodes"]) == 5 and len(from_ttl["edges"]) == 3
    assert from_trig == from_ttl                                  # the union of the named graphs
    assert opened == [(tmp_path / "t.html").resolve().as_uri()]
    assert main(["view", str(ttl), "--out", str(tmp_path / "b.html"), "--max-nodes", "2"]) == 0
    assert "b.html: 2 of 5 entities shown" in capsys.readouterr().out


def test_page_carries_a_bounded_number_of_sentences_per_item(monkeypatch, seed_build):
    from kg import html as html_module
    full = graph_data(render_html(seed_build.index))
    monkeypatch.setattr(html_module, "EVIDENCE_SHOWN", 2)
    cut = graph_data(render_html(seed_build.index))
    assert cut["evidenceShown"] == 2
    for kind in ("nodes", "edges", "metrics"):
        for a, b in zip(full[kind], cut[kind]):
            assert b["evCount"] == a["evCount"] == len(a["ev"])
            assert len(b["ev"]) == min(2, len(a["ev"]))
            # the same first sentences, by text
            assert [cut["sentences"][s][1] for s, _ in b["ev"]] == [full["sentences"][s][1] for s, _ in a["ev"][:2]]
    used = {s for kind in ("nodes", "edges", "metrics") for item in cut[kind] for s, _ in item["ev"]}
    assert used == set(range(len(cut["sentences"])))          # no sentence travels unused
    assert len(cut["sentences"]) < len(full["sentences"])


def test_drawn_edges_are_listed_as_networkx_lists_them():
    """The betweenness figures are kept under the drawn graph's nodes and edges, listed
    without networkx (kg.html._undirected_edges) in the order its Graph gives them."""
    import random

    import networkx as nx

    from kg.html import _undirected_edges
    rng = random.Random(7)
    for _ in range(200):
        nodes = sorted(f"n{i}" for i in range(rng.randint(0, 30)))
        pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 60))] if nodes else []
        pairs = [(a, b) for a, b in pairs if a != b]
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from(pairs)
        assert _undirected_edges(nodes, pairs) == list(g.edges)
