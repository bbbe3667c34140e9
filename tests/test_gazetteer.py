"""The gazetteer data file and its loader."""
from kg.gazetteer import disambiguate, load_gazetteer


def test_size_and_integrity():
    gaz = load_gazetteer()
    assert len(gaz.by_code) > 3400
    assert all(p.parent is None or p.parent in gaz.by_code for p in gaz.by_code.values())
    assert all(len(s) >= 2 for p in gaz.by_code.values() for s in p.short)
    assert sum(p.level == "province" for p in gaz.by_code.values()) == 34


def test_codes_parents_and_types():
    gaz = load_gazetteer()
    wushi = gaz.lookup("乌什")[0]
    assert (wushi.code, wushi.name, wushi.types, wushi.english) == ("652927", "乌什县", ("County",), "Wushi County")
    assert [a.code for a in gaz.ancestors("652927")] == ["652900", "650000"]
    assert gaz.lookup("新疆")[0].code == "650000"
    assert gaz.lookup("衢州")[0].types == ("City",)
    assert gaz.lookup("阿克苏市")[0].types == ("City", "County")
    assert gaz.is_within("330502", "330500")           # 吴兴区 in 湖州市
    assert gaz.lookup("石河子市")[0].code == "XPCC08"     # one administration with 第八师, under the region
    assert gaz.by_code["XPCC08"].parent == "650000"
    assert gaz.lookup("北京")[0].types == ("Province", "City") and len(gaz.lookup("北京市")) == 1
    assert "克州" in gaz.by_code["653000"].short


def test_xpcc_divisions_and_regiments():
    gaz = load_gazetteer()
    reg = gaz.regiment(1, 4)
    assert reg.name == "新疆生产建设兵团第一师四团" and reg.types == ("County",)
    assert gaz.by_code[reg.parent].name == "新疆生产建设兵团第一师"
    assert gaz.lookup("一师四团")[0] is reg
    assert gaz.regiment(14, 224).name.endswith("二二四团")
    assert not gaz.lookup("四团")                        # bare regiment names are resolved in context


def test_ambiguous_short_names_need_context():
    gaz = load_gazetteer()
    chaoyang = gaz.lookup("朝阳")
    assert len(chaoyang) > 1
    beijing_one = disambiguate(chaoyang, {"110000"})
    assert beijing_one.code == "110105"
    assert disambiguate(gaz.lookup("阿克苏"), {"652900"}).code == "652900"


def test_former_names_lead_to_the_division_of_today():
    gaz = load_gazetteer()
    hami = gaz.lookup("哈密地区")
    assert [p.code for p in hami] == ["650500"] and hami[0].name == "哈密市"
    assert gaz.is_full_name("哈密地区", hami[0]) and not gaz.is_full_name("哈密", hami[0])
    kuqa = gaz.former_by_name["库车县"]
    assert (kuqa.code, kuqa.former_code, kuqa.until) == ("652902", "652923", "2019")
    assert gaz.lookup("库车县")[0].name == "库车市"
    # a retired prefecture without a successor code goes where its counties went
    assert gaz.former_by_name["吐鲁番地区"].code == "650400"
    # a name still in use is never a former name of another division (哈密市 was also a county-level code)
    assert "哈密市" not in gaz.former_by_name
    assert all(f.start <= f.until for fs in gaz.former.values() for f in fs if f.until)


def test_xpcc_division_former_names_and_joint_cities():
    gaz = load_gazetteer()
    assert gaz.lookup("农八师")[0].code == "XPCC08"
    assert gaz.lookup("农十四师")[0].code == "XPCC14"
    division = gaz.by_code["XPCC04"]
    assert division.joint_city == "可克达拉市" and division.types == ("Prefecture",)
    assert gaz.lookup("第四师可克达拉市") == gaz.lookup("可克达拉") == (division,)
    assert not any(p.code.startswith("6590") for p in gaz.by_code.values())


def test_a_province_short_name_alone_is_the_province_even_beside_the_city_with_a_district_so_named():
    """天津、河北: 河北 is 河北省, not 天津市河北区 (which a text writes in full)."""
    gaz = load_gazetteer()
    assert disambiguate(gaz.lookup("河北"), {"120000"}).name == "河北省"
    assert disambiguate(gaz.lookup("河北区"), {"120000"}).name == "河北区"
