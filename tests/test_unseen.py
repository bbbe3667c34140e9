"""Articles written for the tests (not the seeds) about other pairings: the extractor
must carry over to other provinces, XPCC units, full legal names, GBK and Big5 files."""
from pathlib import Path

import pytest
from opencc import OpenCC

import kg
from kg.read import read_bytes

UNSEEN = Path(__file__).parent / "data" / "unseen"


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unseen")
    for f in UNSEEN.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    # the same articles as a GBK file and as traditional characters in Big5
    hotan = (UNSEEN / "beijing_hotan.txt").read_text(encoding="utf-8")
    (folder / "beijing_hotan.txt").write_bytes(hotan.encode("gbk"))
    return kg.build([folder], out=None)


def facts(result):
    e = result.graph.entities
    return {(e[r.subject].label, r.predicate, e[r.object].label) for r in result.graph.relations}


def labels(result, type_):
    return {e.label for e in result.graph.entities.values() if type_ in e.types}


def test_gbk_file_is_read(unseen):
    doc = next(d for d in unseen.graph.documents if d.name == "beijing_hotan.txt")
    assert doc.encoding == "gb18030"


def test_pairings_are_found(unseen):
    f = facts(unseen)
    assert {("上海市", "supports", "莎车县"), ("北京市", "supports", "墨玉县"),
            ("江苏省", "supports", "阿图什市"), ("苏州市", "supports", "阿图什市")} <= f


def test_types_across_provinces(unseen):
    assert {"上海纺织(集团)有限公司", "北京同仁堂股份有限公司", "江苏阳光集团有限公司", "红豆集团"} <= labels(unseen, "Enterprise")
    assert {"莎车县上海实验学校", "墨玉县北京小学", "阿图什市第一中学"} <= labels(unseen, "School")
    assert {"莎车县第二人民医院", "克州人民医院"} <= labels(unseen, "Hospital")
    assert {"上海市援疆前方指挥部", "北京市援疆和田指挥部", "江苏省援疆前方指挥部"} <= labels(unseen, "Organization")
    assert {"新疆生产建设兵团第三师四十五团", "新疆生产建设兵团第十四师二二四团",
            "新疆生产建设兵团第四师六十六团"} <= labels(unseen, "County")
    assert "克孜勒苏柯尔克孜自治州" in labels(unseen, "Prefecture")
    assert {"恰热克镇", "杭桂乡"} <= labels(unseen, "Township")


def test_relations_across_provinces(unseen):
    f = facts(unseen)
    assert ("上海市援疆前方指挥部", "introduced", "上海纺织(集团)有限公司") in f
    assert ("江苏省援疆前方指挥部", "introduced", "江苏阳光集团有限公司") in f
    assert ("北京市援疆和田指挥部", "builds", "墨玉县北京小学") in f
    assert ("巴什杭桂村", "locatedIn", "杭桂乡") in f
    assert ("苏州中学", "locatedIn", "苏州市") in f
    assert not any(p == "locatedIn" and s == "苏州中学" and o == "阿图什市" for s, p, o in f)


def test_metrics_across_provinces(unseen):
    e = unseen.graph.entities
    got = {(m.value, m.unit, e[m.about].label if m.about else None) for m in unseen.graph.metrics}
    assert (4_200_000_000, "CNY", "江苏省援疆前方指挥部") in got       # 四十二亿元
    assert (1_260_000_000, "CNY", "上海市援疆前方指挥部") in got
    assert (60, "percent", "江苏省援疆前方指挥部") in got             # 百分之六十
    assert (18_000_000_000, "CNY", "北京市援疆和田指挥部") in got


def test_traditional_big5_copy_gives_the_same_entities():
    text = (UNSEEN / "shanghai_shache.txt").read_text(encoding="utf-8")
    simple = kg.pipeline.extract([read_bytes(text.encode(), "s.txt")])
    trad = kg.pipeline.extract([read_bytes(OpenCC("s2tw").convert(text).encode("big5"), "t.txt")])
    assert {e.key for e in simple.entities.values()} == {e.key for e in trad.entities.values()}


def test_guangzhou_shufu_article(unseen):
    """Full legal names with a business scope, hospital grades, a field-of-aid initiative,
    an XPCC regiment named with its division, and figures about a hospital."""
    assert {"广东美的环境电器制造有限公司", "广州飞鹰服饰有限公司"} <= labels(unseen, "Enterprise")
    assert "二级甲等医院" not in labels(unseen, "Hospital")
    assert "“组团式”教育援疆" in labels(unseen, "Initiative")
    assert "新疆生产建设兵团第三师四十一团" in labels(unseen, "County")
    f = facts(unseen)
    assert ("广州市", "supports", "疏附县") in f
    assert ("广州市援疆工作队", "introduced", "广东美的环境电器制造有限公司") in f
    assert ("广州市", "builds", "疏附县广州实验中学") in f
    e = unseen.graph.entities
    about = {(m.value, m.unit): e[m.about].label for m in unseen.graph.metrics
             if m.about in e and m.evidence.doc_id == "guangzhou_shufu"}
    assert about[(1260000000, "CNY")] == "广州市"
    assert about[(23, "item")] == "疏附县"
    assert about[(30, "percent")] == "疏附县人民医院"
