"""Property-based tests (issue 6): whatever text or bytes come in, the build does not
raise, writes Turtle that rdflib and rapper both parse, and every entity it finds keeps a
label and provenance."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

import kg

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
ENTITY_CLASSES = {YJ[c] for c in ("City", "County", "Enterprise", "School", "Initiative", "Province",
                                  "Prefecture", "Township", "Village", "Organization", "Hospital",
                                  "Facility", "Person", "Product")}

# Pieces that make the extractors fire, mixed with anything hypothesis likes, so random
# input reaches entities, relations and metrics rather than stopping at an empty graph.
PIECES = ["浙江省", "衢州市", "对口支援", "新疆", "阿克苏地区", "乌什县", "援疆指挥部", "引进", "建成",
          "有限公司", "纺织", "学校", "人民医院", "“石榴籽”工程", "8.4亿元", "３５００万元", "两千余人",
          "百分之九十", "91%", "。", "，", "\n\n", "\n", "“", "”", "<script>", "\\", "\"", "%", "#", " ",
          "莎車縣", "對口支援", "\ufeff", "\u3000", "…", "；"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=40).map("".join)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_build(folder: Path) -> None:
    out = folder / "out"
    result = kg.build([folder / "in"], out=out, html=False)
    if not result.graph.documents:
        assert not (out / "graph.ttl").exists()       # nothing read: nothing (over)written
        assert result.graph.problems
        return
    ttl = out / "graph.ttl"
    g = Graph().parse(ttl)
    rapper = shutil.which("rapper")
    assert rapper, "rapper (raptor2-utils) is missing: run scripts/test.sh"
    proc = subprocess.run([rapper, "-q", "-i", "turtle", "-c", str(ttl)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for entity in {s for s, o in g.subject_objects(RDF.type) if o in ENTITY_CLASSES}:
        assert any(str(label).strip() for label in g.objects(entity, RDFS.label)), entity
        if "/reference/" in str(entity):
            continue
        mentions = list(g.subjects(ITSRDF.taIdentRef, entity))
        derived = list(g.objects(entity, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
        assert mentions or derived or _from_gazetteer(g, entity), entity


def _from_gazetteer(g: Graph, entity) -> bool:
    """Places added only as the parents of a found place carry their code instead."""
    return g.value(entity, YJ.adminCode) is not None


@SETTINGS
@given(text=texts)
def test_random_text_builds_a_valid_graph(text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        (folder / "in" / "a.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
        _check_build(folder)


@SETTINGS
@given(data=st.binary(max_size=600), encoded=st.sampled_from(["raw", "gbk", "big5", "utf-16"]), prefix=texts)
def test_random_bytes_never_break_the_build(data, encoded, prefix):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        head = b"" if encoded == "raw" else prefix.encode(encoded, errors="ignore")
        (folder / "in" / "a.txt").write_bytes(head + data)
        (folder / "in" / "b.txt").write_bytes(data)
        _check_build(folder)


# simplified and traditional characters, and those OpenCC treats specially in phrases
SCRIPT_MIX = list("对口援疆了解当地需求乾隆沈阳於藉覆瞭麼徵鍾後發對開醫療區瞭解計畫彷彿龍") + [
    chr(c) for c in range(0x4E00, 0x9FFF, 97)]


@SETTINGS
@given(st.lists(st.sampled_from(SCRIPT_MIX + ["，", "a", " "]), max_size=30).map("".join))
def test_skipping_opencc_never_changes_the_text(text):
    """normalise() skips OpenCC when no character of the text is one OpenCC changes; that
    must give exactly what running OpenCC over every run of Chinese gives."""
    from kg.clean import CJK_RUN, HALF_WIDTH, normalise, to_simplified
    full = CJK_RUN.sub(lambda m: to_simplified(m.group(0)), text.translate(HALF_WIDTH))
    assert normalise(text)[0] == full
