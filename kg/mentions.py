"""Find entity mentions in a cleaned document.

Entry point: :func:`find_mentions`. Each rule proposes candidate spans with a type;
overlaps are settled by length (the longest name wins), so a place inside a school's
name (乌什·衢州实验中学) does not become a mention of its own.

Rules, in the order they are tried:
- administrative divisions from the gazetteer (full and short names, token-aligned),
  XPCC divisions and regiments (一师四团, 第一师), townships and villages that follow a
  county in a chain (乌什县阿克托海乡库木齐吾斯塘村);
- names ending in a head word from ``suffixes.tsv`` (…有限公司, …中学, …人民医院,
  …援疆指挥部, …产业园), extended leftwards over the sentence's jieba tokens until a
  stop word, punctuation or a number;
- enumerations before a typed head (华盛纺织、天和针织等一批企业; 杏花村、齐兰古城和红沙漠3个景区);
- quoted names: initiatives (“十城百店”, “燕山飞龙”经济型干部孵化行动), products, facilities;
- people (库尔班·尼亚孜; a role word and a surname: 援疆教师裴峰), breeds and products from
  ``products.tsv``, known national bodies from ``organizations.tsv``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from . import spans
from .anaphora import (Offsets, declared_names, given_names, point_back, product_short_names,
                       school_short_names, short_commands, tail_names, trade_names)
from .clean import DATELINE
from .gazetteer import Gazetteer, Place, disambiguate, load_gazetteer
from .lexicon import Lexicon, load_lexicon, rule_pattern, rule_words
from .model import Document, Mention, Sentence
from .textsearch import leftmost_longest, longest_first
# segment and _segmenter are kg.tokens', named here too for callers of old
from .tokens import (HAN, _dictionary_tags, _segmenter, _sentence_tokens, _Token, _tokens, _Tokens,  # noqa: F401
                     lcut, segment)

CJK = r"\u4e00-\u9fff"
NAME_CHAR = re.compile(rf"[{CJK}A-Za-z0-9·\-+]")
NAME_CHARS = re.compile(rf"[{CJK}A-Za-z0-9·\-+]*")
QUOTE = re.compile(r"“([^“”\n]{1,40})”|\"([^\"\n]{1,40})\"|「([^「」\n]{1,40})」")
CN_NUM = "一二三四五六七八九十百零〇两"
XPCC_REGIMENT = re.compile(   # 农一师四团: the divisions' earlier name (农业建设第一师)
    rf"(?:新疆生产建设)?(?:兵团)?农?(第?)([{CN_NUM}]{{1,3}})师([{CN_NUM}\d]{{1,4}})团(?![队体结聚圆员委])")
XPCC_DIVISION = re.compile(rf"(?:新疆生产建设兵团|兵团)(第?[{CN_NUM}]{{1,3}})师(?![范生资])|第([{CN_NUM}]{{1,3}})师(?![范生资])")
PREPOSITIONS = set("在向对把从为给由于将被让使到")
DOTTED_NAME = re.compile(rf"([{CJK}]{{2,10}})·([{CJK}]{{2,8}})")     # 库尔班·尼亚孜
PARALLEL_COUNTS = re.compile(rf"[百千万][{CJK}]{{1,2}}[百千万][{CJK}]")   # 千企帮千村, 万企兴万村
COUNTED = re.compile(rf"[\d{CN_NUM}]+[个座所家栋处间套条]")
TOWNSHIP_AFTER = re.compile(rf"[{CJK}]{{1,7}}?(?:乡|镇|街道)")    # written right after its county
VILLAGE_AFTER = re.compile(rf"[{CJK}]{{2,8}}?村")                 # … or after its township
TOWNSHIP_IN_VILLAGE = re.compile(rf"[{CJK}]{{2,6}}?(?:乡|镇)(?=[{CJK}]{{2,}}村$)")
TOWNSHIP_HEAD = re.compile("[乡镇]")
VILLAGE_HEAD = re.compile("村")
TOWNSHIP_NOT_BEFORE = set("村镇长党政干里民亲土情愁间下级域")    # 乡村, 乡镇, 镇长, 乡党委 … are words
LISTED_AFTER = re.compile(r"[、和及与]")                            # 奎牙镇和喀尔赛镇
REDUPLICATED = re.compile(r"一(.)\1")                              # 一排排, 一座座: how many
LISTED_BEFORE = re.compile(rf"(?:[{CJK}A-Za-z0-9]{{2,10}}、)+")      # 安踏体育、|鲁泰纺织
FIRM_WORDS = ("企业", "公司", "民企", "国企", "央企")
QUOTED_HEAD_GAP = re.compile(rf"[{CJK}]{{0,4}}")
QUOTED_HEAD_TYPES = ("Organization", "School", "Hospital", "Facility")
TITLED_PLAN = re.compile(r"《([^《》\n]{2,40}?(?:规划|实施方案|行动方案|工作方案|行动计划|计划|行动|工程))》")
# XPCC farms and pastures that stand for a regiment (兵团第十四师一牧场, 第三师托云牧场)
FARM_NAME = rf"(?:(?:[{CN_NUM}]|[{CJK}]{{2,3}}?)(?:牧场|农场)|[{CJK}]{{2}}[一二三四五六七八九十]场)"   # 一牧场, 红星二场
XPCC_FARM = re.compile(rf"(?:新疆生产建设)?(?:兵团)?农?第?([{CN_NUM}]{{1,3}})师({FARM_NAME})")
LISTED_FARM = re.compile(rf"[、和及与]({FARM_NAME})")      # 十三师红星一场和红星二场
BARE_REGIMENT = re.compile(   # 四团, 一六一团; not 一团 ("a group": 抱成一团)
    rf"(?<![{CN_NUM}师\d])([二三四五六七八九十][{CN_NUM}]{{0,2}}|一[{CN_NUM}]{{2}})团(?![队体结聚圆员委长])")
# words of an aid command's name between its pairing word and its head (对口支援新疆工作前方指挥部)
COMMAND_WORDS = ("分指挥部", "指挥部", "工作", "前方", "驻")
# a division the gazetteer lacks, named in a pairing sentence: its suffix -> its type
UNLISTED_SUFFIX = {"自治州": "Prefecture", "自治县": "County", "地区": "Prefecture", "市": "City",
                   "县": "County", "区": "County", "州": "Prefecture", "盟": "Prefecture", "旗": "County"}
UNLISTED_NAME = re.compile(rf"[{CJK}]{{2,8}}?(?:{'|'.join(UNLISTED_SUFFIX)})")
# the writer's own division (我省, 本市, 我区): the level word -> how names of that level end
SELF_REFERENCE = {"省": ("省",), "市": ("市",), "区": ("自治区", "区"), "县": ("县",), "州": ("州",)}
SELF_WORD = re.compile(r"[我本]([省市区县州])")
BATCH = re.compile(rf"^第[{CN_NUM}\d]+[批期届]")
BATCH_BEFORE = re.compile(rf"第[{CN_NUM}\d]+[批期]$")
NUM_MEASURE = re.compile(rf"[\d{CN_NUM}]+[多余几]?[个家所座名位批项条只头栋幢]$")
# Words that a quoted name is followed by when the article calls it a project or brand.
IS_PROJECT = re.compile(r"^(?:是|成了|成为|作为|被列为)[^，。,；;]{0,20}?(?:项目|工程|品牌|举措|行动)")
IS_PRODUCT = re.compile(r"^(?:是|为)[^，。,；;]{0,20}?(?:良种|品种|特产|农产品|名优产品|土特产)")
ENUM_TAIL = re.compile(r"^等[^，。,；;]{0,10}?(?:工程|活动|举措|项目|行动|方式|品牌)")
FORMAT_TAIL = re.compile(r"^的(?:工作)?(?:格局|模式|机制|体系|工作法)")
ENUM_HEADS = {  # head noun after an enumeration -> type of each item
    "企业": "Enterprise", "龙头": "Enterprise", "龙头企业": "Enterprise", "公司": "Enterprise",
    "学校": "School", "中小学": "School", "医院": "Hospital", "景区": "Facility",
    "基地": "Facility", "园区": "Facility", "项目": None,
}
_ENUM_COUNTED = rf"(?:[个家所])?(?:一批)?([^，。,；;、\d等]{{0,6}}?)({'|'.join(sorted(ENUM_HEADS, key=len, reverse=True))})"
ENUM_RE = re.compile(
    rf"((?:[^\s、，。,；;：:“”等两]{{2,14}}、){{0,9}}[^\s、，。,；;：:“”等两]{{2,14}}?)"
    rf"((?<![甲乙丙特一二三])等|两|[\d{CN_NUM}]+){_ENUM_COUNTED}")
# how every match of ENUM_RE ends (等 or a count, its head noun): a sentence without it is not
# searched with ENUM_RE, whose backtracking over the items is slow
ENUM_END = re.compile(rf"[等两\d{CN_NUM}]{_ENUM_COUNTED}")
TAIL_STOPS = frozenset(rule_words("tail_stops"))
BUILT_NAME_TYPES = ("Facility", "School", "Hospital")     # names of built things
GENERIC_VILLAGE_TAILS = ("乡村", "农村", "山村", "整村", "驻村", "示范村", "贫困村", "行政村", "重点村", "样板村",
                         "中心村", "移民村", "各村", "每村", "全村", "本村", "该村", "进村", "到村", "在村")
# word lists and patterns are data: kg/data/lexicon/rule_words.tsv and rule_patterns.tsv say what each is
HOSPITAL_GRADE = rule_pattern("hospital_grade")
PLAN_PERIOD = rule_pattern("plan_period")
SCENIC_GRADE = rule_pattern("scenic_grade")
QUOTED_NAME = rule_pattern("quoted_name")
PLAN_PERIOD = rule_pattern("plan_period")
GENERIC_MODIFIERS = frozenset(rule_words("generic_modifiers"))
KIND_BEFORE_HEAD = rule_pattern("kind_before_head")
EACH_BEFORE_NAME = rule_pattern("each_before_name")
VISIT_VERBS = frozenset(rule_words("visit_verbs"))
KIND_HEADS = frozenset(rule_words("kind_heads"))
MEDIA_AFTER_PLACE = rule_pattern("media_after_place")
NUMBERED_AFTER_PLACE = rule_pattern("numbered_after_place")
INDUSTRY_LIST_AFTER = rule_pattern("industry_list_after")
INDEFINITE_FIRM = rule_pattern("indefinite_firm")
BOUNDARY_AFTER_NAME = set("在和与的是说等担及为到从向把被将也都又已还并就,，。；;、!！?？:：”)（(")
BOUNDARY_AFTER_NAME |= set("笑表介告感激")     # 买买提笑着说, …表示, …介绍, …告诉记者, …感激地说
PROJECT_HEAD = re.compile("项目")             # a project named in full ends here (kg.spans judges it)
TOWNSHIP_HEAD = re.compile("[乡镇]")          # … and a township named alone
CLAUSE_MARKS = "，,。；;：:、“”「」（）()《》【】<> \t|"   # where a project's name may begin
# small patterns of the rules below, compiled once (each is asked per candidate)
DIGIT_OR_COUNT = re.compile(rf"[\d{CN_NUM}]")
DOT_OR_DIGIT = re.compile(r"[·\d]")
PAREN_BEFORE_HEAD = re.compile(r"[(（][\u4e00-\u9fff]{1,6}[)）]$")   # 某某（集团）|有限公司
DIGIT_OR_YEAR = re.compile(r"[\d年]")
LAST_ITEM_JOIN = re.compile("和|及|与")
INITIATIVE_HEAD = re.compile(r"(?:工程|行动计划|行动)")
NOT_IN_PROJECT_NAME = re.compile(rf"[\d{CN_NUM}的是]")
ORDINAL_PROJECT_NAME = re.compile(rf"[^\d的是]*第[{CN_NUM}]+[^\d的是]*")
ALL_HAN = re.compile(rf"[{CJK}]+")
DIVISION_NO = re.compile(rf"第([{CN_NUM}]+)师")

STOP_TAGS = ("v", "i", "d", "p", "c", "u", "r", "f", "l")   # jieba dictionary tags that end a name
MEASURES = set("个家所座名位批项条只头辆栋幢")

_STOP_CACHE: dict[int, tuple[frozenset[str], dict[str, bool]]] = {}


def _is_stop(word: str, lex: Lexicon) -> bool:
    """Whether ``word`` ends a name; memoised per lexicon (asked for the same words all the time)."""
    entry = _STOP_CACHE.get(id(lex))
    if entry is None:
        entry = _STOP_CACHE[id(lex)] = (frozenset(w for ws in lex.triggers.values() for w in ws), {})
    known = entry[1].get(word)
    if known is None:
        known = entry[1][word] = _stop_word(word, lex, entry[0])
    return known


def _is_trigger(word: str, lex: Lexicon) -> bool:
    """Whether ``word`` is a trigger of some relation (the set :func:`_is_stop` keeps)."""
    _is_stop(word, lex)                      # makes the lexicon's entry
    return word in _STOP_CACHE[id(lex)][0]


@lru_cache(maxsize=1)
def _region_names() -> frozenset[str]:
    """Names and short forms of provinces and prefecture-level divisions: they open
    company names, whatever jieba's dictionary tags them (大连 d, 保定 v, 遵义 v)."""
    return frozenset(name for p in load_gazetteer().by_code.values() if p.level in ("province", "prefecture")
                     for name in (p.name, *p.short) if len(name) >= 2)


def _stop_word(word: str, lex: Lexicon, trigger_words: frozenset[str]) -> bool:
    if word in lex.stopwords or not NAME_CHAR.match(word):
        return True
    if word in lex.name_words or word in _region_names():
        return False                    # 大连 is an adverb to jieba: 引进大连獐子岛集团…
    if word in trigger_words or len(word) >= 2 and word.endswith("了"):
        return True                     # 建了, 有了: a verb that has happened, never inside a name
    tag = _dictionary_tags().get(word)
    return bool(tag) and len(word) >= 2 and tag.startswith(STOP_TAGS) and not tag.startswith("vn")


def _extend_left(sent: str, tokens: list[_Token], head_start: int, lex: Lexicon,
                 max_len: int = 20, inside: frozenset[str] = frozenset()) -> int:
    """Leftmost start of a name whose head word begins at ``head_start``; words in
    ``inside`` never stop it (制造 in …电器制造有限公司)."""
    start = head_start
    first = bisect_left(tokens.starts, head_start)
    for tok in reversed(tokens[max(0, first - max_len - 1):first]):
        if tok.start >= start:
            continue
        piece = sent[tok.start:start]      # a token cut by the head counts by its left part
        if piece in inside or piece == "和" and sent[tok.start - 1:tok.start] in lex.province_abbreviations:
            start = tok.start                # 京和电商产业园: 和 is 和田 after 北京's 京, not "and"
            continue
        if _is_stop(piece, lex) or NUM_MEASURE.search(piece) or head_start - tok.start > max_len:
            break
        if not NAME_CHARS.fullmatch(piece):
            break
        if piece.isdigit() and sent[start:start + 1] in MEASURES:   # 3所有礼学校: a count, not a name
            break
        prev = sent[tok.start - 1:tok.start]
        if (piece in lex.units or piece in ("万", "亿", "千") or piece[0] in MEASURES) and \
                (prev.isdigit() or prev in CN_NUM):
            if len(piece) > 1 and piece[0] in MEASURES and piece not in lex.units:
                start = tok.start + 1       # 3所有礼学校: 所 counts, 有礼学校 is the name
            break
        if any(c.isdigit() for c in piece) and not piece.isdigit():
            break
        if piece[:1] in "年月日号余多" and (prev.isdigit() or prev in CN_NUM):
            if piece[:1] in "余多" and sent[start:start + 1] in MEASURES:
                start += 1                  # 490余所|学校: the measure word counts too
            break                           # 自2016年4月|…, 490余|所学校: a date or a count, no name
        if len(piece) > 1 and piece[0] in lex.stopwords and not _is_stop(piece[1:], lex) \
                and piece not in _dictionary_tags():
            start = tok.start + 1           # 以阿热阿依玛克村: jieba glued the preposition on
            break
        start = tok.start
    return start


_PLACE_INDEX: dict[int, tuple[dict[str, list[str]], re.Pattern]] = {}


def _place_index(gaz: Gazetteer) -> tuple[dict[str, list[str]], re.Pattern]:
    """Division names (2+ characters) by their first two characters, longest first
    (ties in gazetteer order), and a pattern of where such two characters may stand (a
    first character of one, before a second character of one); built once per gazetteer."""
    if id(gaz) not in _PLACE_INDEX:
        by_first: dict[str, list[str]] = {}
        for surface in gaz.names():
            if len(surface) >= 2:
                by_first.setdefault(surface[0], []).append(surface)
        index: dict[str, list[str]] = {}
        for forms in by_first.values():
            for form in sorted(forms, key=len, reverse=True):
                index.setdefault(form[:2], []).append(form)
        firsts, seconds = ("".join(sorted({key[n] for key in index})) for n in (0, 1))
        opening = re.compile(f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])" if index else "(?!)")
        _PLACE_INDEX[id(gaz)] = index, opening
    return _PLACE_INDEX[id(gaz)]


class _Finder:
    def __init__(self, doc: Document, gaz: Gazetteer, lex: Lexicon):
        self.doc, self.gaz, self.lex = doc, gaz, lex
        self.cands: list[Mention] = []
        self.by_sentence: dict[int, list[Mention]] = {}
        self.by_first2, self.place_openings = _place_index(gaz)
        self.backed: dict[tuple[str, str], bool] = {}
        self.context_codes: set[str] = set()
        # gazetteer candidates of an ambiguous short name, by id() of its mention (settled
        # in settle_places; mentions are slotted data classes without room for extras)
        self.place_candidates: dict[int, Sequence[Place]] = {}
        self.own: dict[str, Place | None] = {}       # 我省, 本市 … -> the article's own division
        self.supporter: Place | None | bool = False  # the place outside Xinjiang named most (False: not yet asked)
        self.seat_choice: dict[str, Place] = {}      # 喀什市's code -> 喀什地区 or 喀什市 for a bare 喀什
        self.only_division: int | None | bool = False   # named_division() (False: not yet asked)

    # -- helpers -----------------------------------------------------------------
    def add(self, sent: Sentence, start: int, end: int, type_: str, name: str | None = None,
            source: str = "", **kw) -> Mention:
        text = sent.text[start:end]
        m = Mention(doc_id=self.doc.doc_id, start=sent.start + start, end=sent.start + end,
                    text=text, type=type_, name=name or text, source=source,
                    sentence=sent.index, **kw)
        self.cands.append(m)
        self.by_sentence.setdefault(sent.index, []).append(m)
        return m

    # -- places ------------------------------------------------------------------
    def places(self, sent: Sentence, tokens: list[_Token]) -> None:
        s = sent.text
        bounds = None                         # token edges, made when a short name needs them
        index = self.by_first2
        i = 0
        for opening in self.place_openings.finditer(s):     # not a Python loop per character
            if opening.start() < i or s[opening.start():opening.start() + 2] not in index:
                continue                      # inside the name found last, or opens none
            i = opening.start()
            hit = None
            for form in index[s[i:i + 2]]:
                if s.startswith(form, i):
                    places = self.gaz.lookup(form)
                    full = any(self.gaz.is_full_name(form, p) for p in places)
                    # a two-character county (成县, 和县) must be a word of its own: 建成县级…
                    if not (full and len(form) > 2) and bounds is None:
                        bounds = set(tokens.starts) | tokens.ends
                    if full and len(form) > 2 or (i in bounds and i + len(form) in bounds) \
                            or self.heads_a_chain(s, i + len(form), places):
                        if not full or form not in self.gaz.former_by_name \
                                and _dictionary_tags().get(form, "ns")[:2] not in ("ns", "nr", "nz", "nt"):
                            places = [p for p in places if self.short_form_backed(form, p)]
                            if not places or not full and places[0].level != "province" \
                                    and _straddles_a_word(s, i, i + len(form)):
                                continue
                        hit = (form, places)
                        break
            if hit is None:
                continue
            form, places = hit
            if MEDIA_AFTER_PLACE.match(s, i + len(form)) or NUMBERED_AFTER_PLACE.match(s, i + len(form)):
                i += len(form)
                continue                      # 新疆日报讯, 某地六院: a newspaper's or hospital's name, not the place
            types = places[0].types
            if places[0].joint_city and places[0].joint_city[:-1] in form:
                types = ("City", *types)      # 可克达拉市 names its XPCC division as a city
            m = self.add(sent, i, i + len(form), types[0], places[0].name, "gazetteer",
                         alt_types=tuple(types[1:]), code=places[0].code)
            self.place_candidates[id(m)] = places
            i += len(form)
        if "师" not in s:
            return                            # every XPCC pattern below names a division (…师)
        for m in XPCC_REGIMENT.finditer(s):
            div, reg = _cn_int(m.group(2)), _cn_int(m.group(3))
            place = self.gaz.regiment(div, reg) if div and reg else None
            if place:
                self.add(sent, m.start(), m.end(), "County", place.name, "xpcc", code=place.code)
            elif self._division(div):           # a regiment the gazetteer does not list
                name = f"{self._division(div).name}{m.group(3)}团"
                self.add(sent, m.start(), m.end(), "County", name, "xpcc")
        for m in XPCC_FARM.finditer(s):
            division = self._division(_cn_int(m.group(1)))
            if division:
                self.add(sent, m.start(), m.end(), "County", division.name + m.group(2), "xpcc")
                at = m.end()
                while more := LISTED_FARM.match(s, at):
                    self.add(sent, more.start(1), more.end(1), "County", division.name + more.group(1), "xpcc")
                    at = more.end()
        for m in XPCC_DIVISION.finditer(s):
            div = _cn_int((m.group(1) or m.group(2) or "").lstrip("第"))
            place = self._division(div)
            if place:
                self.add(sent, m.start(), m.end(), "Prefecture", place.name, "xpcc", code=place.code)

    def short_place_name(self, text: str) -> bool:
        """Whether ``text`` is a division's short name, not its full one (湖北, not 湖北省)."""
        places = self.gaz.lookup(text)
        return bool(places) and not any(self.gaz.is_full_name(text, p) for p in places)

    def heads_a_chain(self, s: str, at: int, places: list[Place]) -> bool:
        """A province's short name written right before the full name of a place inside it
        (新疆伊犁哈萨克自治州, which jieba reads as one word) is a place of its own."""
        provinces = [p for p in places if p.level == "province"]
        for form in self.by_first2.get(s[at:at + 2], ()) if provinces else ():
            if s.startswith(form, at) and len(form) > 2 and any(
                    self.gaz.is_full_name(form, q) and self.gaz.is_within(q.code, provinces[0].code)
                    for q in self.gaz.lookup(form)):
                return True
        return False

    def short_form_backed(self, form: str, place: Place) -> bool:
        """short_form_ok, asked once per document and place (it searches the whole text)."""
        key = (form, place.code)
        if key not in self.backed:
            self.backed[key] = self.short_form_ok(form, place)
        return self.backed[key]

    def short_form_ok(self, form: str, place: Place) -> bool:
        """A short form must be backed by the document: the place's full name, or (for a
        county) its prefecture, or (for a prefecture) its province, written too. Provinces
        need nothing unless the short form is also a common word (合作, 友谊)."""
        tag = _dictionary_tags().get(form)
        common = tag is not None and not tag.startswith("ns")
        if place.level == "province" and not common:
            return True
        # a prefecture-level short name the dictionary knows as a place (深圳, 喀什) or not at
        # all stands on its own; one it knows as a person's name or a word (安康, 白银) does not
        if place.level == "prefecture" and (tag is None or tag.startswith(("ns", "nz"))):
            return True
        ancestors = self.gaz.ancestors(place.code)
        backing = {place.name}
        if ancestors:
            backing |= {ancestors[0].name, *ancestors[0].short}
        if place.level in ("prefecture", "xpcc_division") and len(ancestors) >= 1:
            backing |= {a.name for a in ancestors}
        if any(form in a.name for a in ancestors):
            backing = {place.name}          # 龙江 in an article about 黑龙江 is the province
        backing.discard(form)
        return any(name in self.doc.text for name in backing if len(name) >= 2)

    def self_references(self, sent: Sentence, tokens: list[_Token]) -> None:
        """我省, 本市, 我区, 我县: the article's own division of that level, when the article
        names it: the one of that level it names most (a tie names none). 我区 is a
        市辖区 or an autonomous region (新疆), never a 地区."""
        for hit in SELF_WORD.finditer(sent.text):
            if hit.start() not in tokens.starts or hit.end() not in tokens.ends:
                continue                                 # 本市场, 我市民 split otherwise
            place = self.own_division(hit.group(1))
            if place:
                self.add(sent, hit.start(), hit.end(), place.types[0], place.name, "self",
                         alt_types=tuple(place.types[1:]), code=place.code)

    def names_xinjiang(self, name: str) -> bool:
        """Whether a name starts with a place in Xinjiang (塔县人民医院, 伽师县第一中学)."""
        for n in range(min(len(name), 12), 1, -1):
            places = self.gaz.lookup(name[:n])
            if places:
                return all(p.code.startswith(("65", "XPCC")) for p in places)
        return False

    def names_a_pair_command(self, between: str) -> bool:
        """What follows the pairing word in a command's name is places and command words
        only (河南省对口支援|新疆工作前方|指挥部, …对口支援|新疆工作前方指挥部策勒|工作队):
        the pairing is part of the name, not a tie between two names."""
        rest = between
        while rest:
            word = next((w for w in COMMAND_WORDS if rest.startswith(w)), None)
            place = next((rest[:n] for n in range(min(len(rest), 10), 1, -1) if self.gaz.lookup(rest[:n])), None)
            if not word and not place:
                return False
            rest = rest[len(place or word):]
        return bool(between)

    def unlisted_places(self, sent: Sentence, tokens: list[_Token]) -> None:
        """X市对口支援Y县 where the gazetteer knows neither name (a division newer than it, or
        a spelling it lacks): the name right before the pairing word and the first one
        after it become places typed by their suffix (source ``unlisted``), so that the
        pairing and its figures keep their subject."""
        s = sent.text
        taken = [(m.start - sent.start, m.end - sent.start) for m in self.by_sentence.get(sent.index, ())]
        for hit in _patterns(self.lex)["pairing"].finditer(s):
            start = _extend_left(s, tokens, hit.start(), self.lex, max_len=10)
            start = max([start, *(b for a, b in taken if b <= hit.start())])   # not into a known name
            self.unlisted_place(sent, start, hit.start(), taken, whole=True)
            at = hit.end()
            while (nxt := next((b for a, b in taken if a == at), None)) is not None:
                at = nxt                          # 对口支援新疆|…县: past the places it knows
            name = UNLISTED_NAME.match(s, at)
            if name:
                self.unlisted_place(sent, at, name.end(), taken, whole=False)

    def unlisted_place(self, sent: Sentence, start: int, end: int, taken, whole: bool) -> None:
        """Add s[start:end] as a place typed by its suffix, unless it is no name: too short,
        overlapping a known name, in the gazetteer, generic (我市, 各县, 南疆四地州) or
        holding a stop word or a trigger."""
        name = sent.text[start:end]
        suffix = next((x for x in UNLISTED_SUFFIX if name.endswith(x)), None)
        if suffix is None or len(name) - len(suffix) < 2 or (whole and not UNLISTED_NAME.fullmatch(name)) \
                or any(a < end and start < b for a, b in taken) or self.gaz.lookup(name) \
                or name[0] in "我本该各全每这那其" or DIGIT_OR_COUNT.search(name) \
                or name in self.lex.generic or any(_is_stop(t.word, self.lex) or _is_trigger(t.word, self.lex)
                                                   for t in _tokens(name[:-len(suffix)])):
            return
        self.add(sent, start, end, UNLISTED_SUFFIX[suffix], name, "unlisted")
        taken.append((start, end))

    def unlisted_repeats(self) -> None:
        """The places found by :meth:`unlisted_places` wherever else the article names them."""
        names = {m.text for m in self.cands if m.source == "unlisted"}
        if not names:
            return
        sentences = self.doc.sentences
        for sent, hits in zip(sentences, leftmost_longest([s.text for s in sentences], names)):
            taken = [(m.start, m.end) for m in self.by_sentence.get(sent.index, ())]
            for start, end, name in hits:
                a, b = sent.start + start, sent.start + end
                if not any(x < b and a < y for x, y in taken):
                    self.add(sent, start, end, UNLISTED_SUFFIX[next(
                        x for x in UNLISTED_SUFFIX if name.endswith(x))], name, "unlisted")

    def own_division(self, level: str) -> Place | None:
        if level not in self.own:
            counts: dict[str, set[int]] = {}
            for m in self.cands:
                place = self.gaz.by_code.get(m.code) if m.code and m.source != "self" else None
                if place and place.name.endswith(SELF_REFERENCE[level]) and not place.name.endswith("地区"):
                    counts.setdefault(place.code, set()).add(m.start)
            ranked = sorted(counts.items(), key=lambda kv: -len(kv[1]))
            tie = len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1])
            self.own[level] = self.gaz.by_code[ranked[0][0]] if ranked and not tie else None
        return self.own[level]

    def trade_name_start(self, tokens: list[_Token], start: int) -> int:
        """A legal name opens with its place and trade name, and the trade name may read
        as a verb (湖北|兴发|化工集团股份有限公司): take both in when the name stopped there."""
        i = bisect_left(tokens.starts, start)
        if i < 2 or i >= len(tokens) or tokens.starts[i] != start:
            return start
        place, trade = tokens[i - 2], tokens[i - 1]
        if len(trade.word) != 2 or trade.word in self.lex.stopwords or _is_trigger(trade.word, self.lex) \
                or not _dictionary_tags().get(trade.word, "").startswith("v"):
            return start
        return place.start if place.word in _region_names() else start

    def place_start(self, sent: Sentence, start: int, head: int) -> int:
        """Names begin with their place: 牢记衢州市委 -> 衢州市委, 新地标乌什县… -> 乌什县…"""
        for m in sorted(self.by_sentence.get(sent.index, ()), key=lambda m: m.start):
            if m.code and start <= m.start - sent.start < head:
                between = sent.text[start:m.start - sent.start]
                if between.endswith(("大学", "学院")):
                    return start          # 北京大学深圳医院: a university's hospital keeps its owner
                if not DOT_OR_DIGIT.search(between):
                    return m.start - sent.start
        return start

    def appositive_start(self, sent: Sentence, start: int, head: int) -> int:
        """A firm named after what it is (柯桥区企业|浙江天圣控股集团有限公司): its legal
        name begins at the place written right after the word for a firm."""
        places = sorted((m for m in self.by_sentence.get(sent.index, ()) if m.code), key=lambda m: m.start)
        for m in places:
            at = m.start - sent.start
            if start < at < head and sent.text[start:at].endswith(FIRM_WORDS):
                return at
        # where it stands, then its registration (在某县|新疆某某有限公司): a place that does not
        # lie in the one before it opens the legal name
        for a, b in zip(places, places[1:]):
            if a.start - sent.start == start and b.start == a.end and b.end - sent.start < head \
                    and not self.gaz.is_within(b.code, a.code):
                return b.start - sent.start
        return start

    def batch_before(self, sent: Sentence, start: int) -> tuple[int, int] | None:
        """(start, end) of the division written before a batch ordinal that ends at
        ``start`` (衢州市第十批|援疆指挥部), or None."""
        batch = BATCH_BEFORE.search(sent.text[:start])
        if batch is None:
            return None
        for m in self.by_sentence.get(sent.index, ()):
            if m.code and m.end - sent.start == batch.start():
                return m.start - sent.start, batch.start()
        return None

    def _division(self, div: int | None) -> Place | None:
        return _divisions(self.gaz).get(div) if div else None

    def bare_regiments(self, sent: Sentence) -> None:
        """四团 alone, when the document names exactly one XPCC division."""
        if self.only_division is False:         # asked once: the places are settled by now
            self.only_division = self.named_division()
        div = self.only_division
        if div is None:
            return
        for m in BARE_REGIMENT.finditer(sent.text):
            place = self.gaz.regiment(div, _cn_int(m.group(1)) or 0)
            if place:
                self.add(sent, m.start(), m.end(), "County", place.name, "xpcc", code=place.code)

    def named_division(self) -> int | None:
        """The number of the one XPCC division the document names (itself or by a regiment), if one."""
        divisions = {c for c in self.context_codes
                     if self.gaz.by_code.get(c) and self.gaz.by_code[c].level in ("xpcc_division", "xpcc_regiment")}
        divs = {_division_no(self.gaz.by_code[c]) if self.gaz.by_code[c].level == "xpcc_division"
                else _division_no(self.gaz.by_code[self.gaz.by_code[c].parent]) for c in divisions
                if self.gaz.by_code[c].level == "xpcc_division" or self.gaz.by_code[c].parent in self.gaz.by_code}
        divs.discard(None)
        return divs.pop() if len(divs) == 1 else None

    def chains(self, sent: Sentence) -> None:
        """Townships and villages written right after their county or township."""
        s = sent.text
        for m in list(self.by_sentence.get(sent.index, ())):
            # a county-level city (伊宁市) is a county here
            level = "County" if "County" in (m.type, *m.alt_types) else m.type
            if level not in ("County", "Township"):
                continue
            rel = m.end - sent.start
            pattern = TOWNSHIP_AFTER if level == "County" else VILLAGE_AFTER
            hit = pattern.match(s[rel:])
            if hit and s[rel + hit.end():rel + hit.end() + 1] == "村" and level == "County":
                hit = None                    # 乡村振兴 is not a township
            if hit and len(hit.group(0)) == 2 and (hit.group(0) in _dictionary_tags() or hit.group(0)[0] in "各全本该每到进在"):
                hit = None                    # 托克逊县夏乡 is one, 县城乡 and 全县各镇 are not
            if hit and self.chain_name_ok(hit.group(0), s[rel + hit.end():], level):
                t = self.add(sent, rel, rel + hit.end(), "Township" if level == "County" else "Village",
                             source="chain")
                t.refers_to = (m.code or m.name,)
                at = rel + hit.end()
                # more of them listed after the first: 墨玉县奎牙镇和喀尔赛镇, 奎牙镇、喀尔赛镇
                while (more := LISTED_AFTER.match(s, at)) and (nxt := pattern.match(s, more.end())) \
                        and s[nxt.end():nxt.end() + 1] != "村" and len(nxt.group(0)) > 2 \
                        and self.chain_name_ok(nxt.group(0), s[nxt.end():], level):
                    self.add(sent, nxt.start(), nxt.end(), t.type, source="chain").refers_to = t.refers_to
                    at = nxt.end()
                if t.type == "Township":
                    v = VILLAGE_AFTER.match(s, rel + hit.end())
                    if v and self.chain_name_ok(v.group(0), "", "Township"):
                        vm = self.add(sent, v.start(), v.end(), "Village", source="chain")
                        vm.refers_to = (t.name,)

    def chain_name_ok(self, name: str, rest: str, after: str) -> bool:
        """A township or village name after its county holds no stop word (县开展乡…), save a
        transliterated township whose village follows (奥依托格拉克乡托格日尕孜村: 依托 is
        a verb in jieba's eyes, but the chain county-township-village is plain)."""
        stops = [i for i, t in enumerate(_tokens(name[:-1])) if _is_stop(t.word, self.lex)]
        if not stops:
            return True
        return after == "County" and name.endswith("乡") and stops[0] > 0 and VILLAGE_AFTER.match(rest) is not None

    # -- names with a head word --------------------------------------------------
    def suffixed(self, sent: Sentence, tokens: list[_Token]) -> None:
        s, lex = sent.text, self.lex
        for hit in _patterns(lex)["suffix"].finditer(s):
            suf, end = hit.group(0), hit.end()
            # the head word must end a token (中学生 is not a school)
            if end < len(s) and NAME_CHAR.match(s[end]) and not _ends_token(tokens, end):
                continue
            head = end - len(suf)
            paren = PAREN_BEFORE_HEAD.search(s, 0, head)
            inner_head = head - len(paren.group(0)) if paren else head
            legal_form = lex.suffixes[suf] == "Enterprise" and not _industry_word(suf)
            start = _extend_left(s, tokens, inner_head, lex, inside=lex.business_scope if legal_form else frozenset())
            if legal_form:
                start = self.trade_name_start(tokens, start)
            if not (lex.suffixes[suf] == "Organization" and self.batch_before(sent, start)):
                start = self.place_start(sent, start, head)   # 江苏省第十批|对口支援伊犁州前方指挥部: whole
            if legal_form:
                start = self.appositive_start(sent, start, head)
            if REDUPLICATED.match(s, start, head):
                start += 3                    # 一排排标准化厂房, 一座座温室大棚: how many, not a name
            tie = max((t.end() for t in _patterns(lex)["tie"].finditer(s, start, head)), default=start)
            if not (lex.suffixes[suf] == "Organization" and self.names_a_pair_command(s[tie:head])):
                start = max(start, tie)       # 东莞市人民医院对口帮扶|伽师县人民医院
            if paren and start == inner_head:
                start = head
            typ = lex.suffixes[suf]
            if typ in BUILT_NAME_TYPES and "项目" in s[start:head]:
                start = s.rindex("项目", start, head) + 2     # 某省援疆项目|某地农业科技产业园: the project words say what it is
            batch = self.batch_before(sent, start) if typ == "Organization" else None
            if batch:                         # 黑龙江省第十一批援疆工作队 is 黑龙江省援疆工作队
                self.add(sent, batch[0], end, typ, name=s[batch[0]:batch[1]] + s[start:end], source="suffix")
                continue
            name = s[start:end]
            if start == head or name in lex.generic or len(name) < 3 or name[:-len(suf)] in GENERIC_MODIFIERS \
                    or name.startswith("级") or _described_kind(name, lex) \
                    or HOSPITAL_GRADE.fullmatch(name) or SCENIC_GRADE.fullmatch(name) or KIND_BEFORE_HEAD.search(s, 0, head) \
                    or s.startswith("中小学", head - 1) or EACH_BEFORE_NAME.search(s, 0, start):
                continue                      # …的好学校, 皮山县中小学: a kind of school, not one
            if s[head - 1] == "等" and start and s[start - 1] == "、":
                continue                      # 、金沙湖等景区: the list's last item and its kind (湖等 is one token)
            if legal_form and len(name) - len(suf) <= 2 and INDEFINITE_FIRM.search(s, 0, start):
                continue                      # 一家管业公司, 这家纺织公司: which firm is not said
            if suf == "市场" and self.gaz.lookup(name[:-len(suf)]):
                continue                      # 打开浙江市场: a place's market, not a marketplace
            if suf in KIND_HEADS and self.short_place_name(name[:-len(suf)]):
                continue                      # 新疆学校, 湖北企业: that place's schools or firms
            if typ in ("Facility", "School", "Hospital", "Organization") and (COUNTED.match(s, end) or NUM_MEASURE.search(s, 0, start)) \
                    and not any(p.code and p.start - sent.start == start for p in self.by_sentence.get(sent.index, ())):
                continue                      # 建设光伏电站2座, 建成两个生产基地, 双语幼儿园130所: a kind, counted
            if typ == "Enterprise" and _industry_word(suf) and (
                    not _business_context(s, lex) or _name_goes_on(tokens, end, lex) or INDUSTRY_LIST_AFTER.match(s, end)):
                continue                      # 新材料项目, 新能源客车: a kind of business, not a firm
            self.add(sent, start, end, typ, source="suffix")
        for hit in TOWNSHIP_HEAD.finditer(s):
            self.township(sent, tokens, hit.start())
        for idx in (hit.start() for hit in VILLAGE_HEAD.finditer(s)):
            end = idx + 1
            if end < len(s) and s[end] in "民委级里干庄落镇社集务":
                continue
            if s[max(0, idx - 2):end].endswith(GENERIC_VILLAGE_TAILS):
                continue
            floor = max((m.end - sent.start for m in self.by_sentence.get(sent.index, ())
                         if m.type == "Township" and m.end - sent.start <= idx), default=0)
            start = max(floor, _extend_left(s, tokens, idx, lex, max_len=10))
            name = s[start:end]
            core = name[:-2] if name.endswith("新村") else name[:-1]
            if name in lex.generic or core.endswith(GENERIC_VILLAGE_TAILS) or len(core) < 2 or (
                    len(core) < 3 and not name.endswith("新村")):    # 行政村|村口: a kind of village, then 村口
                continue
            if DIGIT_OR_YEAR.search(name) or _is_stop(core[:2], lex):
                continue
            town = TOWNSHIP_IN_VILLAGE.match(name)
            if town:                          # 古勒巴格镇英买力村: a township, then its village
                self.add(sent, start, start + town.end(), "Township", source="suffix")
                start += town.end()
            self.add(sent, start, end, "Village", source="suffix")

    def township(self, sent: Sentence, tokens: list[_Token], idx: int) -> None:
        """A township written alone (在库木巴什乡新建…): a name spelt mostly with the
        characters of transliterated names before 乡 or 镇 (a Chinese-looking 城镇, 家乡 or
        新乡 stays a word; townships after their county are found by :meth:`chains`)."""
        s = sent.text
        if s[idx + 1:idx + 2] in TOWNSHIP_NOT_BEFORE or any(
                m.start - sent.start <= idx < m.end - sent.start for m in self.by_sentence.get(sent.index, ())):
            return
        start = _extend_left(s, tokens, idx, self.lex, max_len=7)
        core = s[start:idx]
        if len(core) < 2 or sum(c in self.lex.transliteration for c in core) * 3 < len(core) * 2 \
                or s[start:idx + 1] in _dictionary_tags() or _is_stop(core[:1], self.lex):
            return
        self.add(sent, start, idx + 1, "Township", source="suffix")

    def enumerations(self, sent: Sentence, tokens: list[_Token]) -> None:
        if not ENUM_END.search(sent.text):
            return                            # every enumeration ends in 等 or a count and a head noun
        for m in ENUM_RE.finditer(sent.text):
            typ = ENUM_HEADS.get(m.group(4))
            if typ is None or m.group(1).endswith("第"):
                continue                      # 第六人民医院: an ordinal, not a count of a list
            items = m.group(1).split("、")
            last = LAST_ITEM_JOIN.split(items[-1])
            if len(last) == 2 and min(map(len, last)) >= 2:
                items = items[:-1] + last
            if len(items) < 2 and m.group(2) not in ("等",):
                continue
            found, pos = [], m.start(1)
            for item in items:
                item_start = sent.text.index(item, pos)
                end = pos = item_start + len(item)
                start = _after_verbs(tokens, item_start, end, self.lex)
                if found and start > item_start:
                    found = []                # 阿勒泰市、哈巴河县建成阿勒泰吉林工业园: the list starts after 建成
                found.append((start, end, sent.text[start:end]))
            if any(len(n) < 2 or _is_stop(n, self.lex) for _, _, n in found[1:]):
                continue                      # not a list of names
            for start, end, name in found:
                if len(name) >= 2 and name not in self.lex.generic and not _is_stop(name, self.lex):
                    self.add(sent, start, end, typ, source="enumeration")

    def listed_firms(self, sent: Sentence, tokens: list[_Token]) -> None:
        """Names listed with a firm after 引进 and its like are firms too (招引安踏体育、
        鲁泰纺织落户…): every item between an ``introduced`` trigger of triggers.tsv and the
        firm, over 、."""
        s, lex = sent.text, self.lex
        for firm in (m for m in self.by_sentence.get(sent.index, ()) if m.type == "Enterprise"):
            at = firm.start - sent.start
            trigger = None
            for trigger in _patterns(lex)["introducing"].finditer(s, 0, at):
                pass                          # the last one before the firm
            if trigger is None or not LISTED_BEFORE.fullmatch(s, trigger.end(), at):
                continue
            pos = trigger.end()
            for name in s[pos:at - 1].split("、"):
                if len(name) >= 2 and name not in lex.generic and not _is_stop(name, lex) \
                        and not self.gaz.lookup(name) and name not in _dictionary_tags():   # 人才、技术
                    self.add(sent, pos, pos + len(name), "Enterprise", source="list")
                pos += len(name) + 1

        # -- quoted names ------------------------------------------------------------
    def quoted(self, sent: Sentence, tokens: list[_Token]) -> None:
        s, lex = sent.text, self.lex
        heads = lex.initiative_heads
        implement_words = lex.triggers.get("implements", ())
        for q in QUOTE.finditer(s):
            core = next(g for g in q.groups() if g is not None)
            if not core.strip() or "，" in core or "," in core or "。" in core or core in lex.generic:
                continue                      # “一对一”帮扶: a manner, not a name
            after = s[q.end():]
            before = s[:q.start()]
            # a quoted name with its head word after it (组建“胡杨红”宣讲团, “石榴红”志愿服务队)
            head = _patterns(lex)["suffix"].search(after, 0, 10)
            if head and head.start() <= 4 and QUOTED_HEAD_GAP.fullmatch(after[:head.start()]) \
                    and lex.suffixes[head.group(0)] in QUOTED_HEAD_TYPES and _ends_token(tokens, q.end() + head.end()) \
                    and after[:head.end()] not in lex.generic:      # 结成“手拉手”友好学校: a tie, not a school
                self.add(sent, q.start(), q.end() + head.end(), lex.suffixes[head.group(0)], source="quote+head")
                continue
            # type from a head word inside the quote (“柯坪湖羊产业园” is a facility)
            inner = _suffix_type(core, lex)
            if inner and _described_kind(core, lex):
                continue                      # 称作“家门口的好学校”: praise, no name
            if inner and inner != "Initiative" and len(core) >= 6:   # “有礼学校” is a label, not a school
                self.add(sent, q.start(), q.end(), inner, name=core, source="quote")
                continue
            tail = _initiative_tail(after, heads, lex)
            prefix_start = _leading_verbs_off(tokens, _extend_left(s, tokens, q.start(), lex, max_len=8), q.start())
            if PLAN_PERIOD.fullmatch(core) and prefix_start == q.start():
                continue                      # 谋划“十五五”援疆新路径, 为“十四五”对口支援工作…: a period
            field = next((w for w in lex.aid_fields if after.startswith(w)), None)
            if field and not tail:              # “组团式”教育援疆: a named way of a field of aid
                self.add(sent, q.start(), q.end() + len(field), "Initiative", core=core, source="quote+field")
            elif tail:                        # “伽师新梅”品牌: a brand of a known product is both
                end = q.end() + len(tail)
                self.add(sent, prefix_start, end, "Initiative", core=core, source="quote+head",
                         alt_types=("Product",) if core in lex.products else ())
            elif core.endswith(heads):
                self.add(sent, prefix_start, q.end(), "Initiative", core=core, source="quote")
            elif IS_PRODUCT.match(after):
                self.add(sent, q.start(), q.end(), "Product", name=core, source="quote")
            elif (IS_PROJECT.match(after) or ENUM_TAIL.match(after) or FORMAT_TAIL.match(after)
                  or _in_quote_run(s, q) or before.endswith(implement_words + ("掀起", "借助", "依托"))):
                self.add(sent, q.start(), q.end(), "Initiative", name=core, core=core, source="quote")

    def titled_plans(self, sent: Sentence) -> None:
        """A plan or programme named in book-title marks (《河北省“十四五”对口支援巴州规划》);
        other titles (《论语》, newspapers, laws) are not initiatives."""
        for m in TITLED_PLAN.finditer(sent.text):
            self.add(sent, m.start(), m.end(), "Initiative", name=m.group(1), source="quote")

    def unquoted_initiatives(self, sent: Sentence, tokens: list[_Token]) -> None:
        """Names such as 衢州·乌什幸福石榴籽融情工程 (a place-led chunk ending in 工程/行动)
        and campaigns named in parallel counts (千企帮千村行动, 百校联百村工程)."""
        s = sent.text
        for m in INITIATIVE_HEAD.finditer(s):
            start = _extend_left(s, tokens, m.start(), self.lex, max_len=16)
            name = s[start:m.end()]
            if "的" in name or len(name) < 6 or "“" in name:
                continue
            if "·" in name or PARALLEL_COUNTS.match(name) or any(
                    p.code for p in self.by_sentence.get(sent.index, ())
                    if p.start - sent.start == start and p.source == "gazetteer"):
                self.add(sent, start, m.end(), "Initiative", source="head")

    # -- proposals only the span scorer may keep (kg.spans) ------------------------
    def projects(self, sent: Sentence, tokens: list[_Token]) -> None:
        """A project named in full (…县敬老院改扩建项目, a table's 项目名称 cell): from the
        clause's start, and from the first place in it, to 项目."""
        s = sent.text
        for hit in PROJECT_HEAD.finditer(s):
            end = hit.end()
            if end < len(s) and HAN.match(s[end]) and not _ends_token(tokens, end):
                continue                      # 项目部, 项目区: a word goes on
            start = max((s.rfind(c, 0, hit.start()) for c in CLAUSE_MARKS), default=-1) + 1
            if not 4 <= hit.start() - start <= 30 or NOT_IN_PROJECT_NAME.search(s, start, hit.start()) \
                    and not ORDINAL_PROJECT_NAME.fullmatch(s, start, hit.start()):
                continue                      # a clause with a figure or 的 in it is no name (第十二师… is)
            self.add(sent, start, end, "Initiative", source="project")
            at = self.place_start(sent, start, hit.start())
            if at != start and hit.start() - at >= 4:
                self.add(sent, at, end, "Initiative", source="project")

    def proposed_heads(self, sent: Sentence, tokens: list[_Token]) -> None:
        """Names ending in a head word of proposed_heads.tsv (…综合楼, …消防站, …文工团),
        extended leftwards as a suffix's name is, unless a head of suffixes.tsv ends there."""
        s, lex = sent.text, self.lex
        for hit in spans.proposed_head_pattern().finditer(s):
            end, head = hit.end(), hit.start()
            if end < len(s) and NAME_CHAR.match(s[end]) and not _ends_token(tokens, end) \
                    or s.endswith(tuple(lex.suffixes), 0, end):
                continue
            start = self.place_start(sent, _extend_left(s, tokens, head, lex), head)
            start = max([start, *(t.end() for t in _patterns(lex)["tie"].finditer(s, start, head))])
            name = s[start:end]
            if start == head or len(name) < 3 or name in lex.generic or name[:head - start] in GENERIC_MODIFIERS:
                continue
            self.add(sent, start, end, spans.proposed_heads()[hit.group(0)], source="head_word")

    def township_proposals(self, sent: Sentence, tokens: list[_Token]) -> None:
        """A township named alone (在某某乡, 来自某某镇): every start two to six characters
        before 乡 or 镇 (jieba cuts transliterated names anywhere); the scorer keeps at most
        one per end."""
        s = sent.text
        places = [(m.start - sent.start, m.end - sent.start) for m in self.by_sentence.get(sent.index, ()) if m.code]
        for hit in TOWNSHIP_HEAD.finditer(s):
            end = hit.end()
            if s[end:end + 1] == "村":
                continue                      # 乡村, 镇村
            for n in range(2, 7):
                start = hit.start() - n
                if start < 0 or not HAN.match(s[start]) or any(a < end and start < b for a, b in places):
                    break
                self.add(sent, start, end, "Township", source="township")

    def surnamed(self, sent: Sentence, tokens: list[_Token]) -> None:
        """A person named by a surname and one or two characters after a title word or a
        list mark, or opening a line (组长某某介绍, 某某(语文,…)): both lengths, at a word's
        start; the scorer keeps at most one."""
        s, lex = sent.text, self.lex
        titles = spans.context_words("member") + lex.roles
        for hit in _surname_chars(lex).finditer(s):     # the surnames, then whether a word starts there
            i = hit.start()
            if i and i not in tokens.ends or not (i == 0 or s[i - 1] in "、：:（(" or s.endswith(titles, 0, i)):
                continue
            for n in (2, 3):
                if i + n <= len(s) and HAN.match(s[i + n - 1]) and (i + n == len(s) or not HAN.match(s[i + n])
                                                                  or i + n in tokens.starts):
                    self.add(sent, i, i + n, "Person", source="surname")

    # -- people, products, known bodies -----------------------------------------
    def people(self, sent: Sentence, tokens: list[_Token], paragraph_kind: str) -> None:
        s, lex = sent.text, self.lex
        for m in DOTTED_NAME.finditer(s) if "·" in s else ():
            left, right = m.group(1), m.group(2)
            cut = max((left.rfind(w) + len(w) for w in lex.roles + ("的", "在", "和", "与", "是") if w in left),
                      default=0)
            left = left[cut:]
            spelled = _transliterated(right, lex)
            if spelled >= 2 and not (self.gaz.lookup(left) or self.gaz.lookup(right[:spelled])):
                right = right[:spelled]       # 努尔兰·哈布都拉说, 阿依古丽·买买提高兴地说
            else:
                for n in range(2, min(len(right), 6) + 1):
                    nxt = s[m.start(2) + n] if m.start(2) + n < len(s) else "。"
                    if nxt in BOUNDARY_AFTER_NAME:
                        right = right[:n]
                        break
                else:
                    continue
            if len(left) >= 2 and not _suffix_type(left + "·" + right, lex):
                start = m.start(1) + cut
                self.add(sent, start, start + len(left) + 1 + len(right), "Person", source="name")
        starts = None                          # token starts, made at the first role word
        for role_hit in _patterns(lex)["role"].finditer(s):
            for m in (role_hit,):
                name = m.group(2)
                if name[0] not in lex.surnames or _dictionary_tags().get(name[:2], "nr")[:2] != "nr":
                    continue                   # 专家常驻指导: 常驻 is a word, not a name
                starts = starts or set(tokens.starts)
                if name[0] in TAIL_STOPS and m.start(2) + 1 in starts:
                    continue                   # 援疆专家和援疆资金: 和 on its own joins, it is no surname
                end = m.start(2) + 2
                if end < len(s) and s[end] not in BOUNDARY_AFTER_NAME and end not in starts:
                    end += 1
                    if end < len(s) and s[end] not in BOUNDARY_AFTER_NAME and end not in starts:
                        continue
                self.add(sent, m.start(2), end, "Person", source="role")
        if paragraph_kind == "heading" and 2 <= len(s) <= 3 and s[0] in lex.surnames \
                and ALL_HAN.fullmatch(s) and not self.gaz.lookup(s):
            self.add(sent, 0, len(s), "Person", source="byline")

    def lexicon_names(self, sent: Sentence, tokens: list[_Token]) -> None:
        s = sent.text
        for m in _patterns(self.lex)["product"].finditer(s):
            self.add(sent, m.start(), m.end(), "Product", source="lexicon")
        for m in _patterns(self.lex)["organization"].finditer(s):
            self.add(sent, m.start(), m.end(), "Organization", name=self.lex.organizations[m.group(0)],
                     source="lexicon")
        for m in _patterns(self.lex)["campaign"].finditer(s):
            head = _patterns(self.lex)["initiative_head"].match(s, m.end())
            end = head.end() if head else m.end()
            self.add(sent, m.start(), end, "Initiative", core=m.group(0), source="lexicon")

    # -- settle ------------------------------------------------------------------
    def settle_places(self) -> None:
        """Pick one division for ambiguous short names, using the unambiguous ones as context."""
        for m in self.cands:
            cands = self.place_candidates.get(id(m))
            if cands and len(cands) == 1:
                self.context_codes.add(cands[0].code)
        for m in self.cands:
            cands = self.place_candidates.get(id(m))
            if not cands or len(cands) == 1:
                continue
            full = [p for p in cands if p.name == m.text]
            choice = full[0] if len(full) == 1 else self.prefecture_or_seat(cands) \
                or disambiguate(cands, self.context_codes)
            if choice is None:
                m.type = ""            # unresolved: dropped
                continue
            m.code, m.name, m.type, m.alt_types = choice.code, choice.name, choice.types[0], tuple(choice.types[1:])
            self.context_codes.add(choice.code)
        for m in self.cands:
            if m.code:
                self.context_codes.add(m.code)

    def prefecture_or_seat(self, cands: list[Place]) -> Place | None:
        """A short name shared by a prefecture and a city inside it (喀什: 喀什地区 and
        喀什市) names the prefecture, unless the article is about the city: it writes the
        city in full at least as often as the prefecture, and its supporter is a city (a
        city pairs with a county-level place, a province with a prefecture)."""
        if len(cands) != 2:
            return None
        prefecture, city = sorted(cands, key=lambda p: p.level != "prefecture")
        if prefecture.level != "prefecture" or city.parent != prefecture.code:
            return None
        if city.code not in self.seat_choice:        # the whole text is counted once per pair
            text = self.doc.text
            about_city = 0 < text.count(prefecture.name) <= text.count(city.name) and self.supporter_level() == "City" \
                or city.name in text and prefecture.name not in text
            self.seat_choice[city.code] = city if about_city else prefecture
        return self.seat_choice[city.code]

    def supporter_level(self) -> str | None:
        """Province or City: the type of the place outside Xinjiang the article names most."""
        if self.supporter is False:
            counts: dict[str, set[int]] = {}
            for m in self.cands:
                place = self.gaz.by_code.get(m.code) if m.code else None
                if place and place.level in ("province", "prefecture") and not place.code.startswith("65") \
                        and len(self.place_candidates.get(id(m), ())) <= 1:
                    counts.setdefault(place.code, set()).add(m.start)
            top = max(counts, key=lambda c: len(counts[c]), default=None)
            self.supporter = self.gaz.by_code[top] if top else None
        if self.supporter is None:
            return None
        return "Province" if self.supporter.types == ("Province",) else "City"   # 北京市 is a city too


def _straddles_a_word(s: str, start: int, end: int) -> bool:
    """A short name whose edge character makes a word with its neighbour is no name there:
    阿尔泰山南麓 is 山|南麓, not 山南 (山南市)."""
    tags = _dictionary_tags()
    return (start > 0 and s[start - 1] + s[start] in tags) or (end < len(s) and s[end - 1] + s[end] in tags)


def _cn_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    if not text or any(c not in digits and c not in "十百" for c in text):
        return None
    if len(text) > 1 and not any(c in "十百" for c in text):
        return int("".join(str(digits[c]) for c in text))     # 二二四团 is regiment 224
    total, cur = 0, 0
    for c in text:
        if c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            cur = digits[c]
    return total + cur


_DIVISIONS: dict[int, dict[int, Place]] = {}


def _divisions(gaz: Gazetteer) -> dict[int, Place]:
    """XPCC divisions by number, first in gazetteer order (as a scan would find)."""
    if id(gaz) not in _DIVISIONS:
        found: dict[int, Place] = {}
        for p in gaz.by_code.values():
            if p.level == "xpcc_division" and _division_no(p) is not None:
                found.setdefault(_division_no(p), p)
        _DIVISIONS[id(gaz)] = found
    return _DIVISIONS[id(gaz)]


_SURNAME_CHARS: dict[int, tuple[Lexicon, re.Pattern]] = {}


def _surname_chars(lex: Lexicon) -> re.Pattern:
    """Any one-character surname (surnames.txt holds no longer ones), made once per lexicon."""
    if id(lex) not in _SURNAME_CHARS:
        _SURNAME_CHARS[id(lex)] = lex, re.compile("[" + re.escape("".join(sorted(lex.surnames))) + "]")
    return _SURNAME_CHARS[id(lex)][1]


def _division_no(place: Place) -> int | None:
    m = DIVISION_NO.search(place.name)
    return _cn_int(m.group(1)) if m else None


_PATTERNS: dict[int, dict[str, re.Pattern]] = {}


def _patterns(lex: Lexicon) -> dict[str, re.Pattern]:
    """Lexicon word lists compiled once: head words longest first (人才服务中心 beats
    服务中心), products, known organisations, role words before a person's name."""
    if id(lex) not in _PATTERNS:
        def alternation(words):
            return re.compile(longest_first(words))
        _PATTERNS[id(lex)] = {
            "suffix": alternation(lex.suffixes), "product": alternation(lex.products),
            "organization": alternation(lex.organizations),
            "role": re.compile("(" + "|".join(re.escape(w) for w in lex.roles) + rf")([{CJK}]{{2,3}})"),
            "suffix_lengths": sorted({len(w) for w in lex.suffixes}, reverse=True),
            "initiative_head": alternation(lex.initiative_heads),
            "campaign": alternation(lex.campaigns),
            # an introducing trigger and the list it opens (引进了安踏体育、鲁泰纺织…)
            "introducing": re.compile(f"(?:{alternation(lex.triggers.get('introduced', ())).pattern})了?"),
            # words that tie two parties together never stand inside a name, whatever
            # jieba makes of them (对口|帮扶 are two tokens, neither a stop word)
            "tie": alternation(lex.triggers.get("supports", ()) + lex.triggers.get("pairedWith", ())),
            # the pairing words proper (对口支援, 结对帮扶), not the bare 支援 of 技术支援
            "pairing": alternation(w for w in lex.triggers.get("supports", ()) if len(w) >= 4),
        }
    return _PATTERNS[id(lex)]


def _ends_token(tokens: "_Tokens", pos: int) -> bool:
    return pos in tokens.ends


def _after_verbs(tokens: list[_Token], start: int, end: int, lex: Lexicon) -> int:
    """Where a list item's name begins: after the last trigger or stop word inside it
    (引进|华盛纺织) or a preposition opening it (在…). Words jieba merely tags as verbs
    or adverbs stay, as do other single characters: 鼎新纺织, 远远服饰, 鑫和服饰, 和信工贸."""
    begin = start
    for tok in tokens[bisect_left(tokens.starts, start):]:
        if tok.end > end:
            break
        if len(tok.word) >= 2 and (tok.word in lex.stopwords or tok.word in VISIT_VERBS or _is_trigger(tok.word, lex)) \
                or tok.start == begin and tok.word in PREPOSITIONS:
            begin = tok.end
    return begin


def _name_goes_on(tokens: list[_Token], end: int, lex: Lexicon) -> bool:
    """Whether a noun follows ``end`` (冷链物流|中心, 新能源|客车): then an industry word
    there describes a thing; a trade name (华盛纺织) is followed by 、, 等 or a verb."""
    i = bisect_left(tokens.starts, end)
    if i >= len(tokens) or tokens.starts[i] != end:
        return False
    word = tokens[i].word
    return bool(NAME_CHAR.match(word)) and not _is_stop(word, lex) and not word.isdigit()


def _leading_verbs_off(tokens: list[_Token], start: int, end: int) -> int:
    """A name in front of a quote does not open with a verb: 共建“鄂博名师工作室” names
    the workshop; 南孔文化润疆“1323”行动计划 keeps its words."""
    for tok in tokens[bisect_left(tokens.starts, start):]:
        tag = _dictionary_tags().get(tok.word, "")
        if tok.start != start or tok.end > end or not tag.startswith("v") or tag.startswith("vn"):
            break
        start = tok.end
    return start


def _industry_word(suffix: str) -> bool:
    return suffix not in ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团", "公司", "合作社")


def _business_context(sent: str, lex: Lexicon) -> bool:
    """Short trade names (华盛纺织) count only where the sentence talks about companies."""
    words = ("企业", "公司", "龙头", "投资", "招商") + lex.triggers.get("introduced", ())
    return any(w in sent for w in words)


def _transliterated(text: str, lex: Lexicon) -> int:
    """How many leading characters of ``text`` spell a transliterated name (see
    transliteration.txt): 不 only before 都, 力 or 拉 (阿不都, 阿不力米提), 都 only after
    不, 布 or 卜 (哈布都拉); elsewhere they are "not" and "all"."""
    n = 0
    while n < len(text):
        c = text[n]
        if c == "不":
            if text[n + 1:n + 2] not in ("都", "力", "拉"):
                break
        elif c not in lex.transliteration or c == "都" and text[n - 1:n] not in ("不", "布", "卜"):
            break
        n += 1
    return n


def _described_kind(name: str, lex: Lexicon) -> bool:
    """…的好学校, 漂亮的新学校: a description ending in a generic word and a head word."""
    return "的" in name and name[:len(name) - len(_suffix_head(name, lex))].rpartition("的")[2] in GENERIC_MODIFIERS


def _suffix_head(name: str, lex: Lexicon) -> str:
    """The longest head word of suffixes.tsv that ends ``name`` (and is not all of it), or ""."""
    return next((name[-n:] for n in _patterns(lex)["suffix_lengths"] if len(name) > n and name[-n:] in lex.suffixes), "")


def _suffix_type(name: str, lex: Lexicon) -> str | None:
    head = _suffix_head(name, lex)
    return lex.suffixes[head] if head else None


def _initiative_tail(after: str, heads: tuple[str, ...], lex: Lexicon) -> str:
    """The words after a closing quote up to the last initiative head word (特色美食…实训班)."""
    if heads is lex.initiative_heads and not _patterns(lex)["initiative_head"].search(after[:20]):
        return ""                  # the run is a prefix of after[:20]: no head in it, no tail
    run = ""
    for word in lcut(after[:20]):
        if not NAME_CHAR.match(word) or any(c.isdigit() for c in word) or word in TAIL_STOPS:
            break
        run += word
    for n in range(len(run), 0, -1):
        if run[:n].endswith(heads):
            return run[:n]
    return ""


def _in_quote_run(s: str, q: re.Match) -> bool:
    """“A”“B”“C”等品牌工程: part of a run of quotes closed by 等 + a project word."""
    end = q.end()
    while True:
        nxt = QUOTE.match(s, end) or (QUOTE.match(s, end + 1) if s[end:end + 1] == "、" else None)
        if not nxt:
            break
        end = nxt.end()
    if end == q.end():
        before = s[:q.start()]
        if not (before.endswith("”") or before.endswith("”、")):
            return False
    return bool(ENUM_TAIL.match(s[end:]))


def _select(cands: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions: longest first, then by rule priority."""
    priority = {"gazetteer": 0, "xpcc": 0, "self": 0, "chain": 1, "quote+head": 1, "quote": 2, "suffix": 3,
                "unlisted": 3, "enumeration": 4, "head": 4, "name": 2, "role": 5, "byline": 5, "lexicon": 6}
    chosen: list[Mention] = []
    occupied = bytearray(max((m.end for m in cands), default=0))    # 1 where a chosen mention stands
    for m in sorted(cands, key=lambda m: (-(m.end - m.start), priority.get(m.source, 9), m.start)):
        if not m.type or occupied.find(1, m.start, m.end) != -1:
            continue
        chosen.append(m)
        occupied[m.start:m.end] = b"\1" * (m.end - m.start)
    return sorted(chosen, key=lambda m: (m.start, m.end))


def _name_repeats(doc: Document, mentions: list[Mention], nested: list[Mention] = ()) -> list[Mention]:
    """A name found once is a mention wherever else the article writes it, also where jieba
    cut its last word together with the next (金鸡养殖|园已进入): what was decided for the
    name holds for the string."""
    known = {}
    for m in [*mentions, *nested]:
        if not m.code and m.type != "Person" and len(m.text) >= 4 and m.source not in ("anaphor", "quote-repeat"):
            known.setdefault(m.text, m)
    if not known:
        return []
    taken = {(m.start, m.end) for m in [*mentions, *nested]}
    found = []
    for sent, hits in zip(doc.sentences, leftmost_longest([s.text for s in doc.sentences], known)):
        for start, end, text in hits:
            a, b = sent.start + start, sent.start + end
            if (a, b) in taken:
                continue
            src = known[text]
            found.append(Mention(doc.doc_id, a, b, text, src.type, name=src.name, alt_types=src.alt_types,
                                 code=src.code, core=src.core, source="name-repeat", sentence=sent.index))
    return found


def _quoted_repeats(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A quoted name seen elsewhere in the article is a mention of it too (把“龙游飞鸡”引入乌什)."""
    known = {}
    for m in mentions:
        if m.type not in ("Person",):
            known.setdefault(m.core or m.name.strip("“”"), m)
            known.setdefault(m.text.strip("“”"), m)
    found = []
    for sent in doc.sentences:
        for q in QUOTE.finditer(sent.text):
            core = next(g for g in q.groups() if g is not None)
            if core in known and not PLAN_PERIOD.match(core):
                src = known[core]
                found.append(Mention(doc.doc_id, sent.start + q.start(), sent.start + q.end(), q.group(0),
                                     src.type, name=src.name, alt_types=src.alt_types, code=src.code,
                                     core=src.core, source="quote-repeat", sentence=sent.index))
    return found


def _field_variants_join_their_initiative(mentions: list[Mention]) -> None:
    """“双链式”医疗援疆 and 医疗援疆“双链式”传帮带工作 in one article are one initiative:
    the short field form takes the name of the fuller one with the same quoted core."""
    fuller: dict[str, str] = {}
    for m in mentions:
        if m.type == "Initiative" and m.core and m.source != "quote+field":
            name = m.name or m.text
            if len(name) > len(fuller.get(m.core, "")):
                fuller[m.core] = name
    for m in mentions:
        if m.source == "quote+field" and m.core in fuller:
            m.name = fuller[m.core]


SHIPPED = "shipped"        # find_mentions' default span scorer: the one under kg/data/models


def _candidates(doc: Document, gazetteer: Gazetteer | None, lexicon: Lexicon | None):
    """Every rule's candidate spans of one cleaned document, with the later starts and the
    context the span scorer reads (kg.spans)."""
    _segmenter()
    lex = lexicon or load_lexicon()
    finder = _Finder(doc, gazetteer or load_gazetteer(), lex)
    kinds = {p.index: p.kind for p in doc.paragraphs}
    tokenised = list(zip(doc.sentences, _sentence_tokens(doc)))
    for sent, tokens in tokenised:
        finder.places(sent, tokens)
    finder.settle_places()
    for sent, tokens in tokenised:
        finder.self_references(sent, tokens)
        finder.unlisted_places(sent, tokens)
    finder.unlisted_repeats()
    for sent, tokens in tokenised:
        finder.bare_regiments(sent)
        finder.chains(sent)
        finder.suffixed(sent, tokens)
        finder.enumerations(sent, tokens)
        finder.listed_firms(sent, tokens)
        finder.quoted(sent, tokens)
        finder.titled_plans(sent)
        finder.unquoted_initiatives(sent, tokens)
        finder.projects(sent, tokens)
        finder.township_proposals(sent, tokens)
        finder.proposed_heads(sent, tokens)
        finder.surnamed(sent, tokens)
        finder.people(sent, tokens, kinds.get(sent.paragraph, "body"))
        finder.lexicon_names(sent, tokens)
    _is_stop("", lex)
    ctx, cands = spans.proposals(doc, tokenised, finder.cands, _dictionary_tags(), lex, _STOP_CACHE[id(lex)][0])
    return finder, tokenised, ctx, cands


def _without_datelines(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A news agency's dateline (新华社乌鲁木齐8月6日电, 中新网新疆新闻8月6日电) says where the
    report was filed, not what it is about: the places in it are no mentions."""
    lines = [(s.start + hit.start(), s.start + hit.end()) for s in doc.sentences
             if (hit := DATELINE.match(s.text))]
    if not lines:
        return mentions
    return [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in lines)]


def _without_places_in_brands(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A place inside a quoted name (“且末好物”, “沙湾好物”展销店) is part of a brand, not the
    place itself: no mention of it there. A quote that is only the place still names it."""
    brands = [(q.start(), q.end()) for q in QUOTED_NAME.finditer(doc.text)]
    if not brands:
        return mentions
    return [m for m in mentions if not (m.code and any(a < m.start and m.end < b and b - a - 2 > m.end - m.start
                                                      for a, b in brands))]


def span_examples(doc: Document) -> list[tuple[Mention, dict[str, float]]]:
    """The candidate spans the span scorer judges, with their features (kg.train labels them)."""
    return spans.examples(*_candidates(doc, None, None)[2:])


def find_mentions(doc: Document, gazetteer: Gazetteer | None = None,
                  lexicon: Lexicon | None = None, scorer=SHIPPED) -> list[Mention]:
    """All entity mentions of one cleaned document, sorted by position.

    ``scorer`` is the span scorer (kg.spans): the shipped one by default; None lets the
    rules decide alone."""
    if scorer == SHIPPED:
        from .decide import load_scorer
        scorer = load_scorer("span")
    finder, tokenised, ctx, cands = _candidates(doc, gazetteer, lexicon)
    cands = spans.decide(ctx, cands, scorer)
    nested = [m for m in cands if m.source in spans.NESTED]    # a project holds its school
    mentions = _select([m for m in cands if m.source not in spans.NESTED])
    mentions = _select(mentions + _quoted_repeats(doc, mentions))
    mentions = _select(mentions + _name_repeats(doc, mentions, nested))
    mentions = sorted(mentions + _select(nested), key=lambda m: (m.start, m.end))
    mentions = _without_datelines(doc, mentions)
    mentions = _without_places_in_brands(doc, mentions)
    _field_variants_join_their_initiative(mentions)
    mentions = declared_names(doc, mentions)
    codes = lambda text: [p.code for p in finder.gaz.lookup(text)]
    short_commands(mentions, codes)
    mentions = trade_names(doc, mentions, codes)
    tail_names(mentions, finder.gaz.lookup)
    mentions = product_short_names(doc, mentions, codes)
    mentions = school_short_names(doc, mentions, finder.gaz.lookup)
    mentions = given_names(doc, mentions, finder.gaz.lookup)
    mentions = point_back(doc, mentions, [(s, Offsets(t.starts), t.ends) for s, t in tokenised],
                          local=lambda name: finder.names_xinjiang(name))
    for m in mentions:
        rs, re_ = doc.raw_span(m.start, m.end)
        original = doc.raw[rs:re_].replace("\n", "").replace("\r", "")
        if original != m.text and len(original) == len(m.text):
            m.original = original            # traditional or full-width spelling in the file
    return mentions
