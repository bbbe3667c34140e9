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
    assert gaz.by_code["659001"].parent == "650000"     # 石河子市, directly under the region
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
