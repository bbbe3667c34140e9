"""Reading and cleaning: encodings, HTML, page breaks, duplicates, kinds, offsets."""
import pytest
from hypothesis import given, settings, strategies as st

from conftest import SEEDS
from kg.clean import clean, normalise
from kg.read import InputError, read_bytes, read_document

SAMPLE = "衢州市对口支援新疆阿克苏地区乌什县。援疆资金８．４亿元。"


def check_offsets(doc):
    """Every clean character maps back to the same (or the normalised) raw character."""
    assert len(doc.offsets) == len(doc.text) + 1 and doc.offsets[-1] == len(doc.raw)
    norm, _ = normalise(doc.raw)
    for i, c in enumerate(doc.text):
        if c != "\n":
            assert norm[doc.offsets[i]] == c, (i, c, doc.offsets[i])
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:]) if True) or True


@pytest.mark.parametrize("encoding,data_enc", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                               ("gb18030", "gbk"), ("utf-16", "utf-16")])
def test_encodings_are_detected(encoding, data_enc):
    doc = read_bytes(SAMPLE.encode(data_enc), "a.txt")
    assert doc.raw == SAMPLE
    assert doc.encoding.replace("_", "-").lower().startswith(encoding.split("-")[0])


def test_big5_traditional_is_read_and_converted_with_offsets():
    trad = "上海市對口支援新疆喀什地區莎車縣。這個項目由援疆指揮部實施,幫助當地發展產業。"
    doc = read_bytes(trad.encode("big5"), "t.txt")
    assert doc.raw == trad and doc.encoding.lower().replace("_", "") in ("big5", "cp950")
    doc = clean(doc)
    assert "莎车县" in doc.text and doc.metadata["converted_from"] == "traditional"
    i = doc.text.index("莎车县")
    s, e = doc.raw_span(i, i + 3)
    assert doc.raw[s:e] == "莎車縣"


def test_forced_encoding_and_bad_bytes():
    data = SAMPLE.encode("gbk")
    assert read_bytes(data, "a.txt", encoding="gbk").raw == SAMPLE
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_bytes(data, "a.txt", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        read_bytes(b"  \n", "e.txt")
    with pytest.raises(InputError, match="binary"):
        read_bytes(bytes(range(256)) * 10, "b.txt")


def test_bad_paths_give_one_line_errors(tmp_path):
    with pytest.raises(InputError) as err:
        read_document(tmp_path / "missing.txt")
    assert str(err.value) == f"{tmp_path / 'missing.txt'}: no such file or folder"
    with pytest.raises(InputError, match="over the"):
        big = tmp_path / "big.txt"
        big.write_bytes(SAMPLE.encode() * 10)
        read_document(big, max_bytes=100)


def test_full_width_forms_are_normalised_keeping_offsets():
    doc = clean(read_bytes("资金８．４亿元，共１２３４人。".encode(), "f.txt"))
    assert "8.4亿元" in doc.text and "1234人" in doc.text and "，" in doc.text
    check_offsets(doc)


def test_html_page_gives_article_text_and_metadata():
    page = """<!doctype html><html><head><title>援疆纪实</title>
    <link rel="canonical" href="https://news.example.cn/a/1.html">
    <meta property="article:published_time" content="2022-12-01">
    <script>var x = "<p>不要</p>";</script><style>p{color:red}</style></head>
    <body><nav>首页 | 新闻</nav><h1>援疆纪实</h1><p>衢州市对口支援乌什县。</p>
    <p>援疆资金8.4亿元。</p><footer>版权所有</footer></body></html>"""
    doc = read_bytes(page.encode(), "p.html")
    assert doc.metadata == {"title": "援疆纪实", "url": "https://news.example.cn/a/1.html", "date": "2022-12-01"}
    assert "不要" not in doc.raw and "版权所有" not in doc.raw and "首页" not in doc.raw
    doc = clean(doc)
    assert [s.text for s in doc.sentences][-2:] == ["衢州市对口支援乌什县。", "援疆资金8.4亿元。"]


@pytest.mark.parametrize("raw,joined", [
    ("这是一段很长的正文,讲述了援疆干部在天山南麓工作的事迹,该做法得到省援疆指挥部和阿\n\n克苏地区教育部门的充分肯定。", "阿克苏地区"),
    ("三年来,乡村振兴考察团、文化旅游学习团、青少年研学团等一批批乌什和一师四\n\n团干部、人才、学生赴衢考察进修。", "一师四团干部"),
    ("此外,当地重点发展村级特色集体经济和美丽乡村建设,提升特色产业,因地制宜发展壮大村集体经济,培\n\n育新型农民,促进农业增效。", "培育新型农民"),
    ("抓住了产业,就是牵住了乡村振兴的\n\n“牛鼻子”。湖羊援疆工作不断深入。", "乡村振兴的“牛鼻子”"),
    # a short first half looks like a heading; the break inside 医院 shows it is not one
    ("湖北省人民医院与博州人民医\n院结成对口帮扶关系。", "博州人民医院结成"),
    ("县里引进了新疆某某纺织有限公\n\n司,吸纳就业300人。", "纺织有限公司,"),
])
def test_page_breaks_are_joined(raw, joined):
    doc = clean(read_bytes(raw.encode(), "p.txt"))
    assert joined in doc.text
    check_offsets(doc)


def test_headings_are_not_glued_to_the_text():
    raw = ("倾力—— 精准施策,产业援疆拓新路\n\n“这可是‘金蛋’!”村民说。\n\n"
           "倾心—— 组团服务,智力援疆惠民生 第十批援疆干部人才援疆工作纪实\n\n叶锡挺\n\n文化润疆是重要组成部分。")
    doc = clean(read_bytes(raw.encode(), "h.txt"))
    kinds = {doc.text[p.start:p.end]: p.kind for p in doc.paragraphs}
    assert kinds["倾力—— 精准施策,产业援疆拓新路"] == "heading"
    assert kinds["叶锡挺"] == "heading"
    assert len(doc.paragraphs) == 5


def test_a_heading_ending_in_a_common_word_stays_apart():
    # 中|学 and 产业园|区 could be cut head words, but 中 ends headings on its own and 区委 starts text
    for raw in ("在奋斗中\n\n学习是援疆干部的必修课。", "共建产业园\n\n区委书记到园区调研。"):
        doc = clean(read_bytes(raw.encode(), "h.txt"))
        assert len(doc.paragraphs) == 2, raw


def test_page_furniture_is_dropped_and_the_paragraph_around_it_joined():
    raw = ("三年来,衢州市援疆指挥部共实施援疆项目\n\n2022年12月30日 星期五 责任编辑:王明 版式设计:李红\n\n"
           "91个,安排援疆资金8.4亿元。\n\n衢州日报 第3版\n\n另一段正文讲述了衢州市对口支援乌什县的故事,这是一个很长的句子,"
           "用于测试页眉页脚的处理是否正确,以及\n\n- 3 -\n\n分页之后的文字能否正确拼接。\n\nA3\n\n第12版")
    doc = clean(read_bytes(raw.encode(), "f.txt"))
    assert [doc.text[p.start:p.end] for p in doc.paragraphs] == [
        "三年来,衢州市援疆指挥部共实施援疆项目91个,安排援疆资金8.4亿元。",
        "另一段正文讲述了衢州市对口支援乌什县的故事,这是一个很长的句子,用于测试页眉页脚的处理是否正确,以及分页之后的文字能否正确拼接。"]
    assert len(doc.metadata["dropped_furniture"].split(",")) == 5
    check_offsets(doc)


def test_rows_of_a_figures_box_stand_alone():
    raw = "数读:\n援疆资金 15.2亿元\n援疆项目 166个\n受益群众 8.7万人\n\n指挥长孙立军说,下一步将继续努力。"
    doc = clean(read_bytes(raw.encode(), "f.txt"))
    assert [s.text for s in doc.sentences] == ["数读:援疆资金 15.2亿元", "援疆项目 166个", "受益群众 8.7万人",
                                               "指挥长孙立军说,下一步将继续努力。"]
    check_offsets(doc)


def test_photo_captions_that_say_so_are_captions():
    raw = "正文第一段讲述援疆。\n\n图为援疆医生在县人民医院开展手术。记者 张明 摄\n\n正文第二段。"
    doc = clean(read_bytes(raw.encode(), "c.txt"))
    assert [p.kind for p in doc.paragraphs] == ["body", "caption", "body"]


def test_seed_cleaning(tmp_path):
    d0 = clean(read_document(SEEDS / "000_c362e20726e80f6e.txt"))
    assert "阿克苏地区教育部门" in d0.text and "一师四团干部" in d0.text
    kinds = {d0.text[p.start:p.end]: p.kind for p in d0.paragraphs}
    assert kinds["乌什·衢州幼儿园同过中秋节"] == "caption"
    assert kinds["叶锡挺"] == "heading"
    d1 = clean(read_document(SEEDS / "001_48db2ca25188d589.txt"))
    assert d1.text.count("设立800万元人才创业扶持资金") == 1          # the block printed twice
    assert "融情夏令营在湖州钱山漾文化交流中心开营" in d1.text           # joined across a caption
    kinds = {d1.text[p.start:p.end]: p.kind for p in d1.paragraphs}
    assert kinds["2022年6月,湖州少先队鼓乐队专家赴柯坪送教培训。"] == "caption"
    assert kinds["柯坪风貌"] == "caption" and kinds["数读"] == "heading"
    assert kinds["- 实施援疆项目80个"] == "list"
    for doc in (d0, d1):
        check_offsets(doc)
        for s in doc.sentences:
            rs, re_ = doc.raw_span(s.start, s.end)
            assert doc.raw[rs:re_].replace("\n", "").replace(" ", "")[:5] == s.text.replace(" ", "")[:5]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
def test_cleaning_never_raises_and_offsets_stay_in_range(text):
    try:
        doc = read_bytes(text.encode("utf-8"), "r.txt")
    except InputError:
        return
    doc = clean(doc)
    assert len(doc.offsets) == len(doc.text) + 1
    assert all(0 <= o <= len(doc.raw) for o in doc.offsets)
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text


def test_corner_brackets_read_as_quotes():
    from kg.clean import normalise
    text, _ = normalise("推进「津和同心」乡村振兴示范工程")
    assert text == "推进“津和同心”乡村振兴示范工程"


def test_page_furniture_marked_by_class_or_id_is_dropped():
    from kg.read import html_to_text
    page = ("<html><body><div id='breadcrumb'>首页 &gt; 要闻</div><div class='content'><p>江西省对口支援阿克陶县。</p>"
            "<div class='share-box'>分享到</div><p>第二段<br/>仍在正文。</p></div>"
            "<div class=\"footer\"><p>版权所有：江西省人民政府</p><div>备案号</div></div><p>尾声。</p></body></html>")
    text, _ = html_to_text(page)
    assert "江西省对口支援阿克陶县。" in text and "仍在正文。" in text and "尾声。" in text
    assert "版权所有" not in text and "备案号" not in text and "首页" not in text and "分享到" not in text


def test_furniture_lines_without_a_class_and_table_rows():
    """A breadcrumb and a by-line in plain divs are dropped by their text; a table row is
    one line with its cells apart, so a figure keeps the name of what it counts."""
    from kg.read import html_to_text
    page = ("<div id='top'><a href='/'>首页</a> &gt; <a>政务公开</a> &gt; 对口支援</div>"
            "<div class='info'>来源：北京日报&nbsp;&nbsp;发布时间：2023-06-12&nbsp;&nbsp;字号：大 中 小</div>"
            "<p>北京市对口支援和田地区。</p><p>来源：记者调查显示，项目进展顺利。</p>"
            "<table><tr><th>指标</th><th>数值</th></tr><tr><td>援疆资金</td><td>9.3亿元</td></tr></table>")
    text, _ = html_to_text(page)
    assert text.split("\n\n") == ["北京市对口支援和田地区。", "来源：记者调查显示，项目进展顺利。", "指标 数值",
                                   "援疆资金 9.3亿元\n"]


def test_skipping_conversion_is_safe_and_simplified_text_skips_it():
    """clean._changing_chars lists what OpenCC's hk2s would change: the simplified seeds match
    none of it, nor do characters its Hong Kong stage changes and its next stage changes
    back (着), so they skip the costly conversion; any traditional piece it misses comes
    out of OpenCC unchanged."""
    from pathlib import Path

    from opencc import OpenCC

    from kg import clean
    from kg.read import read_document
    changing, convert = clean._changing_chars(), clean._t2s().convert
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")]
    assert seeds and all(changing.isdisjoint(t) for t in seeds) and changing.isdisjoint("穿着")
    unseen = [read_document(p).raw for p in Path(__file__).parent.glob("data/unseen/*.txt")]  # some GBK, Big5
    for text in seeds + unseen:
        for variant in ("s2t", "s2hk", "s2tw"):
            traditional = OpenCC(variant).convert(text)
            for piece in (traditional[i:i + 40] for i in range(0, len(traditional), 40)):
                assert not changing.isdisjoint(piece) or convert(piece) == piece



WEB_PAGE = (
    "首页 | 新闻中心 | 政务公开 | 援疆动态 | 联系我们\n\n"
    "首页 > 援疆动态 > 正文\n\n"
    "原创 援疆前线 观察 2024-03-02 09:15 新疆\n\n"
    "南昌市援疆工作队在阿克陶县新建学校两所,投入援疆资金3000万元。\n\n"
    "Nanchang aid team builds two schools in Akto County with 30 million yuan.\n\n"
    "工作队负责人表示,下一步将继续推进教育援疆。\n\n"
    "- END -\n\n"
    "【相关阅读】\n\n"
    "九江市援疆干部在乌恰县开展义诊\n\n"
    "赣州市与阿合奇县签署合作协议\n\n"
    "这是一段很长的后记文字,说明文章到此结束,并无其他内容。\n")


def test_web_furniture_is_not_article_text():
    doc = clean(read_bytes(WEB_PAGE.encode(), "page.txt"))
    assert "南昌市援疆工作队在阿克陶县新建学校两所" in doc.text
    assert "工作队负责人表示" in doc.text
    for furniture in ("政务公开", "正文", "2024-03-02", "Nanchang", "END", "相关阅读", "九江市", "赣州市"):
        assert furniture not in doc.text, furniture
    assert "这是一段很长的后记文字" in doc.text          # prose after a link list is article text again
    spans = doc.metadata["dropped_furniture"]
    assert spans and all(int(a) < int(b) for a, b in (s.split("-") for s in spans.split(",")))


def test_table_rows_and_spaced_titles_are_not_navigation():
    text = ("援疆项目一览\n\n序号 项目名称 建设地点 总投资 援疆资金\n\n1 第一小学建设项目 阿克陶县 800 800\n\n"
            "产业援疆 立足长远助民增收\n")
    doc = clean(read_bytes(text.encode(), "table.txt"))
    assert "第一小学建设项目 阿克陶县" in doc.text and "产业援疆 立足长远助民增收" in doc.text


def test_web_furniture_in_an_html_page_without_telling_classes():
    html = ("<html><body><div class='top'>首页 | 新闻中心 | 政务公开 | 援疆动态</div><div>"
            "<p>南昌市援疆工作队在阿克陶县新建学校两所,投入援疆资金3000万元。</p>"
            "<p>Nanchang aid team builds two schools in Akto County.</p><h3>相关新闻</h3><ul>"
            "<li><a href='a'>九江市援疆干部在乌恰县开展义诊</a></li>"
            "<li><a href='b'>赣州市与阿合奇县签署合作协议</a></li></ul></div></body></html>")
    doc = clean(read_bytes(html.encode(), "page.html"))
    assert doc.text == "南昌市援疆工作队在阿克陶县新建学校两所,投入援疆资金3000万元。"


def test_a_tables_units_in_its_header_move_to_its_numbers():
    from kg.read import html_to_text
    page = ("<p>江苏省对口支援克州。</p><table><tr><th>序号</th><th>项目名称</th><th>总投资（万元）</th>"
            "<th>援疆资金(万元)</th></tr><tr><td>1</td><td>阿图什市第六小学建设项目</td><td>14000</td>"
            "<td>11000</td></tr></table>")
    text, _ = html_to_text(page)
    assert "阿图什市第六小学建设项目 总投资14000万元 援疆资金11000万元" in [p.strip() for p in text.split("\n\n")]


def test_an_indented_line_under_a_list_item_goes_on_with_the_list():
    from kg.clean import clean
    from kg.read import read_bytes
    doc = clean(read_bytes("其中包括：\n\n- 甲公司\n  主营耐火材料\n- 乙公司\n  年产5万吨\n".encode("utf-8"), "t.md"))
    assert [s.kind for s in doc.sentences if "主营" in s.text or "年产" in s.text] == ["list", "list"]


def test_navigation_bars_on_consecutive_lines_are_dropped_each_and_keep_the_title_apart():
    """Two bars wrapped over two lines, then the title: the bars go, the title stays a heading."""
    text = ("首页| 滚动| 国内| 国际| 军事| 社会| 财经| 港澳| 台湾| 华人\n"
            "English| 图片| 视频| 直播| 娱乐| 体育| 文化| 健康\n\n"
            "2013年某师实施援疆项目199个\n\n"
            "某师今年实施对口援疆项目199个，完成投资4.8亿元。\n")
    doc = clean(read_bytes(text.encode(), "page.txt"))
    assert "台湾" not in doc.text and "English" not in doc.text
    assert doc.sentences[0].text == "2013年某师实施援疆项目199个" and doc.sentences[0].kind == "heading"


def test_a_title_ends_before_a_dateline_on_the_next_line():
    """A title line with no full stop, then 新华社某地7月14日电…: two sentences, so the
    dateline's place stays out of the title's sentence (and out of the pairing)."""
    doc = clean(read_bytes("温州市五年来投资近4亿元援助拜城县和兵团卫生计生事业\n新华社乌鲁木齐7月14日电 温州市今年派出医生20名。\n".encode("utf-8"), "t.txt"))
    assert [s.text for s in doc.sentences][:2] == ["温州市五年来投资近4亿元援助拜城县和兵团卫生计生事业", "新华社乌鲁木齐7月14日电 温州市今年派出医生20名。"]
