"""The learned decisions (kg.decide, kg.train): scorers, shipped weights, confidence in the
graph, the candidates graph, and deterministic training."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from conftest import ROOT, SEEDS

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")


def test_scorer_chooses_by_weights_and_calibrates():
    from kg.decide import Scorer
    s = Scorer("t", {"a": 2.0, "b": -1.0}, bias=0.5)
    best, p = s.choose([{"b": 1.0}, {"a": 1.0}, {}])
    assert best == 1 and 0.5 < p < 1.0
    assert s.probability({"a": 1.0}) > 0.9 > 0.5 > s.probability({"b": 3.0})
    flat = Scorer("t", {}, calibration=(0.0, 0.0))             # a map that knows nothing says 0.5
    assert flat.probability({"a": 1.0}) == pytest.approx(0.5)
    again = Scorer.from_json(s.to_json())
    assert again.choose([{"b": 1.0}, {"a": 1.0}]) == s.choose([{"b": 1.0}, {"a": 1.0}])


def test_shipped_models_read_no_names():
    """Features describe types, roles, rules, positions and word classes (ASCII keys): a key
    holding Chinese text would be a name or a phrase the model learned by heart."""
    from kg.decide import SCORERS, load_scorer
    for name in SCORERS:
        scorer = load_scorer(name)
        assert scorer is not None, f"kg/data/models/{name}.json is missing"
        assert scorer.about and scorer.weights
        assert all(re.fullmatch(r"[A-Za-z0-9_:&+~.-]+", k) for k in scorer.weights), name
        a, b = scorer.calibration
        assert a > 0                      # a higher score never means a lower confidence


def test_every_fact_and_figure_carries_a_confidence(seed_build):
    g = seed_build.rdf
    facts = set(g.subjects(RDF.type, YJ.Fact))
    assert facts
    text_facts = [f for f in facts if (f, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in g
                  and not str(next(g.objects(f, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))).endswith("gazetteer")]
    assert text_facts
    for f in text_facts:
        c = [float(o) for o in g.objects(f, YJ.confidence)]
        assert len(c) == 1 and 0.0 <= c[0] <= 1.0
    about = list(g.subject_objects(YJ.about))
    assert about and all(0.0 <= float(next(g.objects(m, YJ.confidence))) <= 1.0 for m, _ in about)


def test_below_the_threshold_nothing_is_asserted_and_nothing_is_lost(tmp_path):
    """--min-confidence 1.0: every relation read from text becomes a candidate in the
    candidates graph with its sentence, every figure keeps its value without a subject."""
    out = tmp_path / "o"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEEDS), "--out", str(out), "--no-cache",
                           "--quiet", "--min-confidence", "1.0", "--format", "trig"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    g = Graph().parse(out / "graph.ttl")
    stated = {p for _, p, _ in g if str(p).startswith(str(YJ)) and p.split("#")[1] in ("implements", "builds", "introduced")}
    assert not stated
    assert not list(g.subject_objects(YJ.about))
    assert len(set(g.subjects(RDF.type, YJ.Metric))) >= 40          # the figures stay
    assert list(g.subject_objects(YJ.candidateAbout))
    ds = Dataset()
    ds.parse(out / "graph.trig", format="trig")
    cand = ds.graph(URIRef("https://w3id.org/yuanjiang-kg/candidates"))
    rows = list(cand.subjects(RDF.type, YJ.Candidate))
    assert len(rows) > 20
    for r in rows:
        assert (r, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in cand
        assert 0.0 <= float(next(cand.objects(r, YJ.confidence))) < 1.0


def test_a_higher_threshold_never_asserts_more(seed_build):
    from kg.pipeline import extract
    from kg.read import read_document
    docs = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    low, high = extract(docs, min_confidence=0.1), extract([read_document(p) for p in sorted(SEEDS.glob("*.txt"))],
                                                          min_confidence=0.6)
    key = lambda r: (r.subject, r.predicate, r.object)  # noqa: E731
    assert {key(r) for r in high.relations} <= {key(r) for r in low.relations}
    assert {key(r) for r in high.relations} | {key(r) for r in high.candidates} == \
        {key(r) for r in low.relations} | {key(r) for r in low.candidates}


def test_rules_alone_still_decide_without_models():
    """With no model (a name mapped to None) the rules pick the subject at full confidence,
    and the candidates they proposed are still listed for training."""
    from kg.pipeline import extract
    from kg.read import read_bytes
    from kg.train import RULES_ONLY
    doc = read_bytes("甲市援疆指挥部累计投入援疆资金8.4亿元，实施项目91个。".encode("utf-8"), "t.txt")
    kg = extract([doc], scorers=RULES_ONLY)
    assert [m.value for m in kg.metrics] == [840000000.0, 91.0]
    assert all(m.about and m.confidence == 1.0 and m.candidates for m in kg.metrics)
    assert all(r.confidence == 1.0 for r in kg.relations)


def test_training_is_deterministic(tmp_path):
    """Same data, same weights, byte for byte (the seeds and their gold)."""
    for run in ("a", "b"):
        proc = subprocess.run([sys.executable, "-m", "kg.cli", "train", "--docs", str(SEEDS), "--gold", str(ROOT / "tests" / "gold"),
                               "--out", str(tmp_path / run)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    for name in ("metric_subject.json", "relation.json", "span.json"):
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        assert a == b
        assert json.loads(a)["weights"]


def _spans(text: str, scorer) -> list[tuple[str, str]]:
    from kg.clean import clean
    from kg.mentions import find_mentions
    from kg.read import read_bytes
    doc = clean(read_bytes(text.encode("utf-8"), "t.txt"))
    return [(m.text, m.type) for m in find_mentions(doc, scorer=scorer)]


def test_span_scorer_doubts_what_only_looks_like_a_name():
    """A head word after a modal verb or an adjective (能上幼儿园, 好学校, 加工厂房) ends no name:
    the shipped scorer finds such spans far less likely than a team named after its county."""
    from kg.clean import clean
    from kg.decide import load_scorer
    from kg.mentions import span_examples
    from kg.read import read_bytes
    text = "甲县援疆工作队帮助当地建成了一批好学校。\n如今孩子们在家门口就能上幼儿园。\n全县改造了加工厂房。"
    scorer = load_scorer("span")
    p = {m.text: scorer.probability(f) for m, f in span_examples(clean(read_bytes(text.encode("utf-8"), "t.txt")))}
    assert p["甲县援疆工作队"] > 0.8
    assert not {"好学校", "能上幼儿园"} & set(p)    # a kind of school, a modal verb (a stop token): no longer proposed
    assert p["加工厂房"] < 0.3


def test_span_decisions_drop_unlikely_spans_and_pick_one_start():
    """A span the scorer finds nearly impossible is dropped; among the starts of one name the
    likeliest is kept; without a scorer the rules' spans stand (kg.spans.decide)."""
    from kg.decide import Scorer
    text = "甲县援疆工作队帮助当地建成了红柳学校。\n车间组长古丽米拉·吾斯曼说。"
    alone = _spans(text, None)
    assert ("红柳学校", "School") in alone and ("车间组长古丽米拉·吾斯曼", "Person") in alone
    # a toy scorer: no school is likely; a person's name after a dropped noun and of
    # eight characters (古丽米拉·吾斯曼) is; no surname proposal is
    doubting = Scorer("span", {"type:School": -10.0, "shift:tag_n": 2.0, "len:8": 3.0, "bias_surname": -5.0})
    learned = _spans(text, doubting)
    assert ("红柳学校", "School") not in learned and ("甲县援疆工作队", "Organization") in learned
    assert ("古丽米拉·吾斯曼", "Person") in learned
    assert not any(t == "Person" and n != "古丽米拉·吾斯曼" for n, t in learned)


def test_span_scorer_keeps_a_project_named_in_a_table():
    """A project named in full after 项目名称 is an initiative, nested over the school it
    builds; the rules alone never propose it (kg.spans PROPOSED_ONLY)."""
    text = "项目名称：乌什县第二中学综合楼建设项目，总投资3100万元。"
    learned = _spans(text, "shipped")
    assert ("乌什县第二中学综合楼建设项目", "Initiative") in learned
    assert ("乌什县第二中学", "School") in learned
    assert ("乌什县第二中学综合楼建设项目", "Initiative") not in _spans(text, None)


def test_span_features_read_no_names():
    """The span scorer's features are classes, counts and rule names: none holds text."""
    from kg.clean import clean
    from kg.mentions import span_examples
    from kg.read import read_bytes
    doc = clean(read_bytes("在阿克托海乡，援疆工作组组长王建明介绍，新建了3所学校和乌什县第二中学。".encode("utf-8"), "t.txt"))
    rows = span_examples(doc)
    assert rows
    assert all(re.fullmatch(r"[A-Za-z0-9_:&+~.-]+", k) for _, f in rows for k in f)


def test_span_scoring_without_the_family_copies_gives_the_same_probability():
    """kg.spans scores a candidate from its own features and the weights of their family
    copies, without making the copies; that must be the shipped scorer's probability of the
    full feature dict (what training saw), bit for bit, for every candidate of the seeds."""
    from kg import spans
    from kg.clean import clean
    from kg.decide import load_scorer
    from kg.mentions import _candidates
    from kg.read import read_document
    scorer = load_scorer("span")
    compared = 0
    for path in sorted(SEEDS.glob("*.txt")):
        ctx, cands = _candidates(clean(read_document(path)), None, None)[2:]
        sentences = {s.index: s for s in ctx.doc.sentences}
        for m in spans._open(cands):
            sent = sentences[m.sentence]
            assert spans._probability(m, sent, ctx, scorer) == scorer.probability(spans.features(m, sent, ctx))
            compared += 1
    assert compared > 100


def test_a_project_s_figures_are_the_project_s_not_the_school_in_its_name():
    """项目名称：X学校综合楼建设项目，总投资…: the school inside the project's name is no subject."""
    from conftest import extract_text
    kg = extract_text("温州市对口支援拜城县。重点项目如下：\n\n"
                      "项目名称：拜城县第二中学综合楼建设项目，总投资3100万元，援疆资金2800万元。")
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("3100万元") == "拜城县第二中学综合楼建设项目"
    assert about.get("2800万元") == "拜城县第二中学综合楼建设项目"


def test_a_list_item_s_figure_is_about_what_the_list_s_lead_names():
    """X合作社： then a list of its figures a paragraph later: the lead names the subject."""
    from conftest import extract_text
    kg = extract_text("温州市援疆工作组投入援疆资金300万元，扶持建起拜城县康其乡红枣种植农民专业合作社：\n\n"
                      "- 入社农户210户\n- 种植红枣8000亩\n- 户均增收1.5万元\n")
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("8000亩") == "拜城县康其乡红枣种植农民专业合作社"
    assert about.get("1.5万元") == "拜城县康其乡红枣种植农民专业合作社"
