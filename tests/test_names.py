"""Names of their year and of the writer: former names of divisions, the XPCC divisions'
old names and joint cities, 我省/本市, bare short names. Texts written for these tests."""
from conftest import extract_text
from rdflib import Literal
from rdflib.namespace import SKOS

from kg.graph import YJ, to_rdf
from kg.mentions import _straddles_a_word


def entity(kg, label):
    return next(e for e in kg.entities.values() if e.label == label)


def test_a_former_name_is_todays_division_with_the_old_name_kept():
    kg = extract_text("江西省援疆工作回顾\n\n2015年,库车县新建学校两所。如今的库车市已建成产业园。米泉县的企业也来参加。")
    kuqa = entity(kg, "库车市")
    assert kuqa.code == "652902" and "库车县" in kuqa.alt_labels
    assert [f.name for f in kuqa.former_names] == ["库车县"]
    assert len([e for e in kg.entities.values() if e.code == "652902"]) == 1
    assert entity(kg, "米东区").code == "650109"          # 米泉县 (until 1996), now part of 米东区


def test_former_names_in_rdf_carry_code_and_years():
    kg = extract_text("2012年,沙湾县召开援疆工作会议。")
    g = to_rdf(kg)
    rows = list(g.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
        PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
        SELECT ?now ?code ?from ?until WHERE {
          ?place skos:prefLabel ?now ; skos:altLabel "沙湾县"@zh ; skosxl:altLabel ?l .
          ?l skosxl:literalForm "沙湾县"@zh ; yj:formerCode ?code ; yj:inUseFrom ?from ; yj:inUseUntil ?until .
        }"""))
    assert [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows] == [("沙湾市", "654223", "1981", "2021")]


def test_xpcc_divisions_by_their_old_names():
    kg = extract_text("浙江省对口支援农一师。农一师四团和农八师开展结对共建。")
    assert entity(kg, "新疆生产建设兵团第一师四团").code == "XPCC01-004"
    assert "农八师" in entity(kg, "新疆生产建设兵团第八师").alt_labels
    assert "农一师" in entity(kg, "新疆生产建设兵团第一师").alt_labels


def test_a_division_and_its_city_are_one_entity():
    kg = extract_text("天津市对口支援兵团第七师胡杨河市。胡杨河市新建学校3所。第七师举办招商会。")
    division = [e for e in kg.entities.values() if e.code == "XPCC07"]
    assert len(division) == 1 and not any(e.label == "胡杨河市" for e in kg.entities.values())
    assert division[0].types[0] == "Prefecture" and "City" in division[0].types
    assert "胡杨河市" in division[0].alt_labels
    assert "兵团第七师胡杨河市" in division[0].alt_labels     # as the guidelines write it


def test_a_division_named_without_its_city_is_no_city():
    kg = extract_text("天津市对口支援兵团第七师。第七师举办招商会。")
    assert entity(kg, "新疆生产建设兵团第七师").types == ["Prefecture"]


def test_the_writers_own_province_and_city():
    kg = extract_text("江西省对口支援阿克陶县。今年我省安排援疆资金2亿元,选派干部30名。"
                      "本市场监管部门参与检查。")
    jiangxi = entity(kg, "江西省")
    assert "我省" not in jiangxi.alt_labels
    about = {(m.value, kg.entities[m.about].label) for m in kg.metrics if m.about in kg.entities}
    assert (200_000_000, "江西省") in about
    kg = extract_text("南昌市对口支援阿克陶县。去年本市投入援疆资金5000万元。")
    about = {(m.value, kg.entities[m.about].label) for m in kg.metrics if m.about in kg.entities}
    assert (50_000_000, "南昌市") in about


def test_a_self_reference_the_article_does_not_settle_names_nothing():
    # two provinces named as often: 我省 is neither
    kg = extract_text("江西省和福建省的干部座谈。我省安排资金1亿元。")
    assert not any(m.text == "我省" for e in kg.entities.values() for m in e.mentions)
    # no city named at all: 我市 is nothing
    kg = extract_text("我市安排援疆资金1亿元。")
    assert not any(e.code for e in kg.entities.values())


def test_bare_short_names_of_prefecture_level_places():
    kg = extract_text("厦门援疆干部抵达和田。厦门累计投入资金3亿元。")
    assert entity(kg, "厦门市").code == "350200"
    assert entity(kg, "和田地区").code == "653200"      # 和田 alone: the prefecture
    # ... unless the article writes only the city in full
    kg = extract_text("厦门援疆干部抵达和田。和田市新建学校两所。")
    assert "和田地区" not in {e.label for e in kg.entities.values()}
    assert "和田" in entity(kg, "和田市").alt_labels


def test_a_short_name_that_is_half_of_a_word_is_no_place():
    assert _straddles_a_word("博格达山南麓", 3, 5)          # 山|南麓, not 山南 (山南市)
    assert not _straddles_a_word("干部抵达和田。", 4, 6)


def test_a_place_the_gazetteer_lacks_named_in_a_pairing_sentence():
    # 宁东新市 and 塔源县 are made up: no gazetteer lists them
    kg = extract_text("宁东新市对口支援新疆塔源县。2023年,宁东新市投入援疆资金2亿元,实施项目12个。")
    city, county = entity(kg, "宁东新市"), entity(kg, "塔源县")
    assert city.types == ["City"] and county.types == ["County"] and not city.code
    assert len(city.mentions) == 2                          # found again outside the pairing sentence
    assert all(m.source == "unlisted" for m in city.mentions)
    about = {(m.value, kg.entities[m.about].label) for m in kg.metrics if m.about in kg.entities}
    assert (200_000_000, "宁东新市") in about
    g = to_rdf(kg)
    flagged = {str(g.value(s, SKOS.prefLabel)) for s in g.subjects(YJ.typedBySuffix, Literal(True))}
    assert flagged == {"宁东新市", "塔源县"}


def test_names_typed_only_by_suffix_are_counted_in_the_summary(tmp_path):
    import kg as kgpkg
    (tmp_path / "a.txt").write_text("宁东新市对口支援新疆塔源县。", encoding="utf-8")
    summary = kgpkg.build([tmp_path], out=None).summary()
    assert "places typed only by their suffix: 2" in summary and "gazetteer" in summary


def test_no_place_is_made_of_generic_or_counted_words_in_a_pairing_sentence():
    kg = extract_text("各市对口支援南疆四地州。对口支援工作会议在乌鲁木齐市召开。我市对口支援工作成效显著。")
    assert not any(m.source == "unlisted" for e in kg.entities.values() for m in e.mentions)


def test_a_bare_short_name_is_the_city_in_an_article_about_the_city():
    # a city supporter and the county-level city written in full as often as its prefecture
    kg = extract_text("南昌市对口支援和田市。南昌市援疆干部来到和田,和田市新建学校两所。和田地区领导出席。")
    assert "和田" in entity(kg, "和田市").alt_labels
    # a province supporter pairs with the prefecture: 和田 is 和田地区
    kg = extract_text("江西省对口支援和田地区。江西省援疆干部来到和田,和田地区新建学校两所。和田市领导出席。")
    assert "和田" in entity(kg, "和田地区").alt_labels


def test_an_xpcc_farm_is_found_by_its_own_name_and_lies_in_its_division():
    kg = extract_text("江西省对口支援兵团第三师。第三师红旗农场和托云牧场开展结对。")
    farm = entity(kg, "新疆生产建设兵团第三师红旗农场")
    assert farm.types == ["County"] and {"红旗农场", "兵团第三师红旗农场"} <= farm.alt_labels
    assert any(r.subject == farm.key and r.predicate == "locatedIn" and r.object == "place/XPCC03"
               for r in kg.relations)


def test_an_aid_commands_name_keeps_its_pairing_words():
    kg = extract_text("江西省对口支援新疆工作前方指挥部安排资金1亿元。九江市对口支援乌恰县前方工作组组织义诊。"
                      "江西省对口支援新疆工作前方指挥部阿克陶工作队开展活动。萍乡市人民医院对口帮扶阿合奇县人民医院。")
    orgs = {e.label for e in kg.entities.values() if "Organization" in e.types}
    assert {"江西省对口支援新疆工作前方指挥部", "九江市对口支援乌恰县前方工作组",
            "江西省对口支援新疆工作前方指挥部阿克陶工作队"} <= orgs
    assert "新疆工作前方指挥部" not in orgs
    hospitals = {e.label for e in kg.entities.values() if "Hospital" in e.types}
    assert {"萍乡市人民医院", "阿合奇县人民医院"} <= hospitals       # two names tied by the pairing word


def test_a_chinese_numeral_inside_the_last_item_is_no_count_of_the_list():
    """甲、乙和四十七团中学等学校: 四十七 belongs to the regiment's name, not a count of schools."""
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("分布在昆玉市第一中学、昆玉市北京幼儿园和四十七团中学等学校。".encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("昆玉市第一中学", "School"), ("昆玉市北京幼儿园", "School"),
                                              ("四十七团中学", "School")]


def test_a_school_written_with_and_without_its_prefecture_is_one_school():
    from conftest import extract_text
    kg = extract_text("喀什地区伽师县第一中学迎来新学期。伽师县第一中学共有教师300名。")
    schools = [e for e in kg.entities.values() if "School" in e.types]
    assert len(schools) == 1
    assert {"喀什地区伽师县第一中学", "伽师县第一中学"} == {schools[0].label, *schools[0].alt_labels}


def test_a_quoted_name_in_traditional_characters_keeps_its_core_as_written():
    from conftest import extract_text
    kg = extract_text("廣州援疆工作隊啟動“粵新同心 健康同行”項目,全年完成白內障篩查手術290例。")
    plan = next(e for e in kg.entities.values() if "Initiative" in e.types)
    assert {"粤新同心 健康同行", "粵新同心 健康同行"} <= plan.alt_labels


def test_a_district_is_also_named_with_its_city():
    from conftest import extract_text
    kg = extract_text("北京市海淀区对口支援和田地区墨玉县。海淀区援疆干部20名。")
    district = next(e for e in kg.entities.values() if e.label == "海淀区")
    assert "北京市海淀区" in district.alt_labels


def test_a_province_short_name_before_a_place_inside_it_is_a_place():
    """对口支援新疆伊犁哈萨克自治州: jieba reads 新疆伊犁哈萨克自治州 as one word; 新疆 is still named."""
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("南京市开始对口支援新疆伊犁哈萨克自治州伊宁市。".encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("南京市", "City"), ("新疆", "Province"),
                                              ("伊犁哈萨克自治州", "Prefecture"), ("伊宁市", "City")]


def test_a_hospital_s_grade_and_a_help_built_centre_are_no_names():
    """综合性二级甲等医院 is a rank; 在某县帮建社区服务中心1个: 帮建 is a verb, the county is a place."""
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("昆玉市人民医院成功创建综合性二级甲等医院。在吉木乃县帮建社区网格服务中心1个。"
                                        .encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("昆玉市人民医院", "Hospital"), ("吉木乃县", "County")]


def test_a_university_s_hospital_keeps_the_university_in_its_name():
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("专家分别来自深圳市人民医院和北京大学深圳医院。".encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("深圳市人民医院", "Hospital"), ("北京大学深圳医院", "Hospital")]


def test_kinds_of_school_are_no_schools():
    """好学校, 城区学校, 皮山县中小学: what kind, not which one."""
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("让孩子在家门口上好学校，城区学校和皮山县中小学都新建了操场，乌什县第一中学也是。"
                                        .encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("皮山县", "County"), ("乌什县第一中学", "School")]


def test_a_date_or_an_approximate_count_before_a_name_is_not_part_of_it():
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("浙阿两地490余所学校结对,阿瓦提县鲁迅小学新建操场。".encode("utf-8"), "t.txt"))
    assert [(m.text, m.type) for m in ms] == [("阿瓦提县鲁迅小学", "School")]
    _, ms = process_document(read_bytes("自2016年4月起,天津市先后新建和田市第五中学。".encode("utf-8"), "t.txt"))
    assert ("和田市第五中学", "School") in [(m.text, m.type) for m in ms]
    assert not any(m.text.startswith(("自", "2016", "4月")) for m in ms)


def test_a_firm_s_registered_name_starts_at_its_registration_not_where_it_stands():
    """在某县|新疆某某有限公司: the county says where; 新疆 opens the legal name."""
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("在麦盖提县新疆五征绿色农业开发有限公司的棉花种植基地上，拖拉机驶过。以智慧农机带动现代农业，企业利润过千万元。"
                                        .encode("utf-8"), "t.txt"))
    found = [(m.text, m.type) for m in ms]
    assert ("麦盖提县", "County") in found and ("新疆五征绿色农业开发有限公司", "Enterprise") in found
    assert not any(t == "Enterprise" and n == "现代农业" for n, t in found)


def test_the_place_of_a_news_agency_s_dateline_is_no_mention():
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("新华社乌鲁木齐8月6日电 记者获悉，天津市对口支援和田地区策勒县。".encode("utf-8"), "t.txt"))
    assert [m.text for m in ms] == ["天津市", "和田地区", "策勒县"]


def test_a_place_inside_a_quoted_brand_is_no_mention_of_the_place():
    from kg.parallel import process_document
    from kg.read import read_bytes
    _, ms = process_document(read_bytes("唐山市对口支援且末县。在唐山开设“且末好物”展销中心，消费帮扶3200万元。"
                                        .encode("utf-8"), "t.txt"))
    assert [m.text for m in ms if m.code] == ["唐山市", "且末县", "唐山"]
