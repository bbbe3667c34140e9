"""Extraction quality regression: the seed gold (copied from the shared evaluation) must
keep the four headline figures at or above the targets of the extraction issue."""
import subprocess
import sys

from conftest import ROOT

# the seeds' in-sample floor of the extraction issue (#17)
TARGETS = {"mission": 0.95, "all": 0.90, "relation": 0.85, "metric": 0.90, "metric~": 0.90}


def test_seed_figures_stay_above_targets(seed_build):
    from kg.evaluate import evaluate
    figures = evaluate(seed_build.rdf, ROOT / "tests" / "gold").figures()
    low = {k: v for k, v in figures.items() if v < TARGETS[k]}
    assert not low, f"below target: {low} (targets {TARGETS})"


def test_kg_eval_prints_the_per_type_table(seed_build):
    ttl = next(p for p in seed_build.outputs if p.name == "graph.ttl")
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "eval", str(ttl), "--gold", str(ROOT / "tests" / "gold")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith("mission-entity F1=")
    assert any(l.startswith("County") for l in lines) and any(l.startswith("supports") for l in lines)


def test_scorer_counts_duplicates_and_wrong_types_as_false_alarms(tmp_path):
    """The evaluator itself, on a tiny hand-made graph and gold."""
    import json
    from kg.evaluate import evaluate
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text(json.dumps({
        "doc": "a.txt",
        "entities": [{"id": "w", "name": "乌什县", "type": "County", "aliases": ["乌什"]},
                     {"id": "q", "name": "衢州市", "type": "City"}],
        "relations": [{"s": "q", "p": "supports", "o": "w"}],
        "metrics": [{"about": "q", "indicator": "援疆资金", "value": 840000000, "unit": "CNY"}]},
        ensure_ascii=False), encoding="utf-8")
    ttl = """@prefix yj: <https://w3id.org/yuanjiang-kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <http://x/w> a yj:County ; rdfs:label "乌什县"@zh .
    <http://x/w2> a yj:County ; rdfs:label "乌什"@zh .
    <http://x/q> a yj:Province ; rdfs:label "衢州市"@zh .
    <http://x/q> yj:supports <http://x/w> .
    <http://x/m> a yj:Metric ; yj:value 840000000 ; yj:unit "CNY" ; yj:about <http://x/q> ."""
    (tmp_path / "g.ttl").write_text(ttl, encoding="utf-8")
    r = evaluate(tmp_path / "g.ttl", tmp_path / "gold")
    assert (r.entities["County"].tp, r.entities["County"].fp) == (1, 1)      # duplicate node
    assert (r.entities["Province"].fp, r.entities["City"].fn) == (1, 1)      # wrong type
    assert r.relations["supports"].tp == 1
    assert r.metrics["value+unit+about"].tp == 1


def test_units_compare_by_family_and_aid_commands_count_for_their_city(tmp_path):
    """GUIDELINES.md §4 as the shared scorer reads it: 12 bed matches 12 item (both counts) but
    not 12 person; metric~ credits a figure given to the gold subject's aid command."""
    import json
    from kg.evaluate import evaluate
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text(json.dumps({
        "doc": "a.txt",
        "entities": [{"id": "c", "name": "甲市", "type": "City"},
                     {"id": "k", "name": "甲市援疆指挥部", "type": "Organization"}],
        "relations": [{"s": "k", "p": "subOrganizationOf", "o": "c"}],
        "metrics": [{"about": "c", "indicator": "面积", "value": 173000, "unit": "m2"},
                    {"about": "c", "indicator": "床位", "value": 12, "unit": "bed"},
                    {"about": "c", "indicator": "医生", "value": 7, "unit": "person"},
                    {"about": "c", "indicator": "资金", "value": 5, "unit": "CNY"}]},
        ensure_ascii=False), encoding="utf-8")
    ttl = """@prefix yj: <https://w3id.org/yuanjiang-kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <http://x/c> a yj:City ; rdfs:label "甲市"@zh .
    <http://x/k> a yj:Organization ; rdfs:label "甲市援疆指挥部"@zh .
    <http://x/m1> a yj:Metric ; yj:value 173000 ; yj:unit "m2" ; yj:about <http://x/c> .
    <http://x/m4> a yj:Metric ; yj:value 7 ; yj:unit "item" ; yj:about <http://x/c> .
    <http://x/m2> a yj:Metric ; yj:value 12 ; yj:unit "item" ; yj:about <http://x/c> .
    <http://x/m3> a yj:Metric ; yj:value 5 ; yj:unit "CNY" ; yj:about <http://x/k> ."""
    (tmp_path / "g.ttl").write_text(ttl, encoding="utf-8")
    r = evaluate(tmp_path / "g.ttl", tmp_path / "gold")
    assert r.metrics["value"].tp == 4
    assert r.metrics["value+unit"].tp == 3                # 7 item is not 7 person
    assert r.metrics["value+unit+about"].tp == 2          # the command's figure is not the city's
    assert r.metrics["value+unit+about~"].tp == 3         # ... but it is in its family
