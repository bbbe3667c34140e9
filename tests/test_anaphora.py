"""Words that point back (该中心, 本批医疗队, 我院, a bare 工作组): mentions of the entity named
before them, never names of their own. Invented articles."""
from conftest import extract_text

from kg.parallel import process_document
from kg.read import read_bytes


def pointers(text):
    _, mentions = process_document(read_bytes(text.encode("utf-8"), "t.txt"))
    return [(m.text, m.name) for m in mentions if m.source == "anaphor"]


ARTICLE = ("温州市对口支援新疆阿克苏地区拜城县。温州市援疆工作组在拜城县建成拜城县电商产业园。\n\n"
           "园区已入驻企业12家,带动就业600余人。工作组还组织拜城县人民医院骨干赴温州进修。\n\n"
           "该院新开展技术项目15项。本批工作组由20名干部组成。")


def test_bare_head_and_pointer_words_point_to_the_name_before():
    found = pointers(ARTICLE)
    assert ("园区", "拜城县电商产业园") in found
    assert ("工作组", "温州市援疆工作组") in found
    assert ("该院", "拜城县人民医院") in found
    assert ("本批工作组", "温州市援疆工作组") in found


def test_a_pointing_word_is_no_entity_and_no_label():
    kg = extract_text(ARTICLE)
    labels = {e.label for e in kg.entities.values()} | {a for e in kg.entities.values() for a in e.alt_labels}
    assert not {"园区", "工作组", "该院", "本批工作组"} & labels


def test_a_figure_after_a_pointing_word_is_about_what_it_points_to():
    kg = extract_text(ARTICLE)
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("15项") == "拜城县人民医院"


def test_a_head_word_inside_a_longer_word_or_name_points_nowhere():
    # 结对学校 (a kind of school) and 产业园区 (part of the name) are not pointing words
    found = pointers("昌吉市与江门市结对。江门市援疆工作队帮助结对学校建设昌吉市高新产业园区。")
    assert found == []


def test_nothing_to_point_to_gives_no_mention():
    assert pointers("园区已入驻企业12家。该院新开展技术项目15项。") == []


def test_a_helper_framed_by_zai_xia_is_passed_over():
    text = ("喀什地区疏附县人民医院建院六十年。在广州市第一人民医院的帮扶下,这家医院新建科室5个。")
    assert ("这家医院", "喀什地区疏附县人民医院") in pointers(text)


def test_a_declared_short_name_is_the_full_one_wherever_it_stands():
    text = ("和田地区洛浦县引进的新疆恒祥纺织科技有限公司（以下简称“恒祥纺织”）已投产。"
            "恒祥纺织年产值2.3亿元,吸纳就业800人。")
    kg = extract_text(text)
    firm = next(e for e in kg.entities.values() if e.label == "新疆恒祥纺织科技有限公司")
    assert "恒祥纺织" in firm.alt_labels
    assert sum(1 for e in kg.entities.values() if "Enterprise" in e.types) == 1
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("2.3亿元") == "新疆恒祥纺织科技有限公司"


def test_a_company_named_later_by_trade_name_and_trade_is_the_registered_one():
    # no declaration: the article names the firm in full once, then by 字号 + trade
    text = ("奎屯市引进的新疆华茂棉业科技发展有限公司落户园区。"
            "其中,华茂棉业年加工皮棉6万吨,带动就业450人。")
    kg = extract_text(text)
    firms = [e for e in kg.entities.values() if "Enterprise" in e.types]
    assert [f.label for f in firms] == ["新疆华茂棉业科技发展有限公司"]
    assert "华茂棉业" in firms[0].alt_labels
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("450人") == "新疆华茂棉业科技发展有限公司"


def test_a_trade_name_that_is_a_place_gives_no_short_form():
    from kg.anaphora import _short_forms
    lookup = lambda text: ["650000"] if text in ("新疆", "阿克苏") else []
    assert _short_forms("新疆华茂棉业科技发展有限公司", lookup) == ["华茂棉业科技发展", "华茂棉业科技", "华茂棉业"]
    assert _short_forms("阿克苏纺织有限公司", lookup) == []       # only a trade word would be left
    assert _short_forms("华茂棉业科技", lookup) == []             # no legal form: not a registered name


def test_a_short_command_name_is_the_command_the_article_names():
    text = ("辽宁省对口支援新疆工作前方指挥部组织召开推进会。辽宁援疆前指今年安排援疆资金5.6亿元。")
    _, mentions = process_document(read_bytes(text.encode("utf-8"), "t.txt"))
    short = next(m for m in mentions if m.text == "辽宁援疆前指")
    assert short.name == "辽宁省对口支援新疆工作前方指挥部"


def test_a_team_under_two_names_is_one_team():
    text = ("常熟市对口支援新疆伊犁州霍城县。常熟市对口支援霍城县前方工作组安排援疆资金1.2亿元。"
            "常熟市援疆工作组还组织专家义诊30次。")
    kg = extract_text(text)
    teams = [e for e in kg.entities.values() if "Organization" in e.types and e.label.endswith("工作组")]
    assert [t.label for t in teams] == ["常熟市对口支援霍城县前方工作组"]
    assert "常熟市援疆工作组" in teams[0].alt_labels


def test_teams_of_different_places_stay_apart():
    text = "南京市援疆工作组和江宁区援疆工作组共同开展义诊。"
    kg = extract_text(text)
    labels = {e.label for e in kg.entities.values() if "Organization" in e.types}
    assert {"南京市援疆工作组", "江宁区援疆工作组"} <= labels


def test_a_pointer_opening_a_describing_clause_points_past_the_names_inside_it():
    text = ("温州市对口支援新疆拜城县。拜城县引进了拜城瓯源乳业有限公司。"
            "这家由温州瓯源集团投资兴办的企业年产乳制品3万吨。")
    found = pointers(text)
    assert ("企业", "拜城瓯源乳业有限公司") in found
    kg = extract_text(text)
    assert "温州瓯源集团" in {e.label for e in kg.entities.values()}     # the name inside stays


def test_a_numbered_school_by_its_short_name_is_the_school():
    text = ("佛山市第一中学与伽师县第一中学结对共建,佛山一中先后选派42名骨干教师进驻伽师一中。"
            "阿勒泰市第一高级中学的青年教师中,阿勒泰市一高有四十余人获奖。")
    _, mentions = process_document(read_bytes(text.encode("utf-8"), "t.txt"))
    short = {m.text: m.name for m in mentions if m.source == "alias"}
    assert short == {"佛山一中": "佛山市第一中学", "伽师一中": "伽师县第一中学", "阿勒泰市一高": "阿勒泰市第一高级中学"}
    kg = extract_text(text)
    about = {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}
    assert about.get("四十余人") == "阿勒泰市第一高级中学"


def test_a_short_name_declared_with_its_head_word_after_the_quote():
    """X(以下简称“某某”计划): every later “某某”计划 is X."""
    from kg.clean import clean
    from kg.mentions import find_mentions
    text = "拜城县推动实施“石榴同心·白杨致远”公益计划(以下简称“白杨”计划)，形成社会力量援疆机制。某行动是“白杨”计划的一部分。"
    found = [m for m in find_mentions(clean(read_bytes(text.encode("utf-8"), "t.txt"))) if "白杨”计划" in m.text]
    assert found and all(m.name == "“石榴同心·白杨致远”公益计划" and m.text == "“白杨”计划" for m in found)


def test_a_pointer_opening_a_describing_clause_reaches_a_head_after_a_few_characters():
    """这座占地300亩的|文化|园: the clause ends in 的, a modifier stands between it and the head."""
    text = ("温州市对口支援拜城县。温州市投入资金60万元援建的拜城县红柳文化园已对外开放。\n\n"
            "这座占地300亩的文化园，每年接待游客5万人次。")
    assert ("文化园", "拜城县红柳文化园") in pointers(text)


def test_a_person_named_with_a_middle_dot_is_later_the_name_before_the_dot():
    """帕提古丽·买吐逊 … 帕提古丽成为熟练工: the same person, and her income is hers."""
    text = ("温州市对口支援拜城县。家住拜城县某村的阿依古丽·买买提在家门口找到了工作。\n\n"
            "据了解，阿依古丽成为熟练工后的月收入可达4000元。")
    _, mentions = process_document(read_bytes(text.encode("utf-8"), "t.txt"))
    assert [m.name for m in mentions if m.text == "阿依古丽"] == ["阿依古丽·买买提"]
    kg = extract_text(text)
    assert {m.surface: kg.entities[m.about].label for m in kg.metrics if m.about}["4000元"] == "阿依古丽·买买提"


def test_a_short_name_goes_to_the_full_name_however_its_place_is_written():
    """拜城红柳城市书房 (title) and 拜城县红柳城市书房 are one name; 红柳城市书房 alone is it too."""
    kg = extract_text("拜城红柳城市书房落成启用\n\n温州市对口支援拜城县。11月25日，拜城县举行红柳城市书房落成启用仪式。\n\n"
                      "据了解，拜城县红柳城市书房每座占地32平方米。目前全县4座红柳城市书房全天候对外开放。")
    assert [e.label for e in kg.entities.values() if e.label.endswith("红柳城市书房")] == ["拜城县红柳城市书房"]
