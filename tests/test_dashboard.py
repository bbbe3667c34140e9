"""Key figures per pairing (kg.dashboard), against the seeds' graph and small made-up ones."""
from __future__ import annotations

from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from kg.dashboard import format_zh, key_figures

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
BASE = "https://w3id.org/yuanjiang-kg/"


def test_chinese_units():
    assert format_zh(Decimal(840000000), "CNY") == "8.4亿元"
    assert format_zh(Decimal(350000000), "CNY") == "3.5亿元"
    assert format_zh(Decimal(8000000), "CNY") == "800万元"
    assert format_zh(Decimal(5000), "CNY") == "5000元"
    assert format_zh(Decimal(74), "person") == "74名"
    assert format_zh(Decimal(12000), "person") == "12000名"     # people are counted, not scaled
    assert format_zh(Decimal(61800), "m2") == "6.18万平方米"
    assert format_zh(Decimal(91), "percent") == "91%"
    assert format_zh(Decimal(1000), "person", approximate=True) == "约1000名"
    assert format_zh(Decimal("123456789.123"), "CNY") == "1.23亿元"


def test_seed_pairings_and_their_figures(seed_build):
    dash = key_figures(seed_build.rdf)
    assert key_figures(seed_build.index).csv() == dash.csv()      # rdflib graph or the build's index
    pairs = {(p.supporter_label, p.supported_label): p for p in dash.pairings}
    assert ("衢州市", "乌什县") in pairs and ("湖州市", "柯坪县") in pairs
    # an aid command folds into its city: it is never a pairing of its own
    assert not any("指挥部" in s for s, _ in pairs)
    qw, hk = pairs[("衢州市", "乌什县")], pairs[("湖州市", "柯坪县")]
    assert [(f.text, f.period) for f in qw.by_column("funds")] == [("8.4亿元", "3年来")]
    assert [(f.text, f.period) for f in qw.by_column("projects")] == [("91个", "3年来")]
    assert ("3.5亿元", "2020—2022年") in [(f.text, f.period) for f in hk.by_column("funds")]
    assert ("80个", "2020—2022年") in [(f.text, f.period) for f in hk.by_column("projects")]
    assert ("74名", "2020—2022年") in [(f.text, f.period) for f in hk.by_column("cadres")]
    # every figure cites the sentence it was read from
    for p in dash.pairings:
        for f in p.figures:
            assert f.sources
            assert all(s.file.endswith(".txt") and s.text for s in f.sources)
    assert qw.introduced and hk.built
    header = dash.csv().splitlines()[0]
    assert header == "支援方,受援方,类别,主体,指标,数值,原值,单位,时期,约数,冲突,来源文件,来源句子"


def test_seed_figures_of_the_two_sides_are_not_in_conflict(seed_build):
    """27所 中小学 of the supporter and 18所 of the supported place, read from one sentence, are
    two facts: neither is flagged. Figures flagged are of one subject, indicator and period."""
    dash = key_figures(seed_build.rdf)
    hk = next(p for p in dash.pairings if (p.supporter_label, p.supported_label) == ("湖州市", "柯坪县"))
    schools = {(f.text, f.subject, f.conflict) for f in hk.by_column("built") if "中小学" in f.indicators}
    assert {("27所", "湖州市", False), ("18所", "柯坪县", False)} <= schools
    for p in dash.pairings:
        for f in p.figures:
            assert f.subject in (p.supporter_label, p.supported_label, f"{p.supporter_label}、{p.supported_label}")
            if f.conflict:
                assert any(g is not f and g.column == f.column and g.subject == f.subject and g.period == f.period
                           and set(g.indicators) & set(f.indicators) and g.value != f.value for g in p.figures)


def _graph(metrics, about_county=()):
    g = Graph()
    city, county = URIRef(BASE + "id/city/a"), URIRef(BASE + "id/place/650000")
    g.add((city, RDF.type, YJ.City))
    g.add((city, RDFS.label, Literal("甲市", lang="zh")))
    g.add((county, RDF.type, YJ.County))
    g.add((county, RDFS.label, Literal("乙县", lang="zh")))
    g.add((city, YJ.supports, county))
    for i, (doc, value, period) in enumerate(metrics):
        d = URIRef(f"{BASE}doc/{doc}")
        g.add((d, YJ.sourceFile, Literal(f"{doc}.txt")))
        s = URIRef(f"{BASE}doc/{doc}/sentence/{i}")
        g.add((s, NIF.isString, Literal(f"投入援疆资金{value}元", lang="zh")))
        g.add((s, NIF.referenceContext, d))
        m = URIRef(f"{BASE}id/metric/{doc}-{i}")
        for p, o in ((RDF.type, YJ.Metric), (YJ.value, Literal(str(value), datatype=XSD.decimal)),
                     (YJ.unit, Literal("CNY")), (YJ.indicator, Literal("援疆资金", lang="zh")),
                     (YJ.about, county if doc in about_county else city), (PROV.wasDerivedFrom, s)):
            g.add((m, p, o))
        if period:
            g.add((m, YJ.period, Literal(period, lang="zh")))
    return g


def test_repeated_figure_shown_once_with_all_sources():
    dash = key_figures(_graph([("d1", 840000000, "2023年"), ("d2", 840000000, "2023年")]))
    (pair,) = dash.pairings
    (fig,) = pair.figures
    assert fig.text == "8.4亿元" and not fig.conflict
    assert [s.file for s in fig.sources] == ["d1.txt", "d2.txt"]
    assert len(dash.csv().splitlines()) == 2


def test_conflicting_figures_are_flagged():
    dash = key_figures(_graph([("d1", 840000000, "2023年"), ("d2", 800000000, "2023年"),
                               ("d3", 500000000, "2022年")]))
    figs = {(f.text, f.period): f.conflict for f in dash.pairings[0].figures}
    assert figs == {("8.4亿元", "2023年"): True, ("8亿元", "2023年"): True, ("5亿元", "2022年"): False}


def test_same_words_about_the_other_side_are_another_fact():
    """The supporter's 8.4亿元 and the supported place's 8亿元 in one period are not in
    conflict; each is shown with what it is about, and a repeat of one stays one figure."""
    dash = key_figures(_graph([("d1", 840000000, "2023年"), ("d2", 800000000, "2023年"),
                               ("d3", 800000000, "2023年")], about_county={"d2", "d3"}))
    figs = sorted((f.subject, f.text, f.conflict, len(f.sources)) for f in dash.pairings[0].figures)
    assert figs == [("乙县", "8亿元", False, 2), ("甲市", "8.4亿元", False, 1)]
    assert [r[3] for r in dash.rows()] == ["乙县", "甲市"]
