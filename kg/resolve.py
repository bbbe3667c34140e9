"""Entity resolution: one entity per real-world thing across mentions and documents.

Entry point: :func:`resolve`. Also :func:`find_pairing`, the supporter/supported pair
behind an article, which resolution needs (县人民医院 in an article about 柯坪县 is
柯坪县人民医院) and the relation stage reuses.

Keys are ASCII and depend only on the entity's canonical name or code, so the same
entity gets the same IRI in every run and every corpus.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .gazetteer import Gazetteer, Place, load_gazetteer
from .lexicon import load_lexicon, rule_pattern
from .model import Document, Entity, Mention, opened

QUOTES = re.compile(r"[“”‘’\"'「」『』《》\s]")
BATCH = re.compile(r"^第[一二三四五六七八九十百零〇两\d]+[批期届]")
BATCH_INSIDE = re.compile(r"(?<=.)第[一二三四五六七八九十百零〇两\d]+[批期]")
LEGAL = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司)$")
NOT_SLUG = re.compile(r"[^a-z0-9]+")
SENIOR_SCHOOL = re.compile(r"(高级中学|高中)$")     # 国庆高中 = 国庆中学
SHORT_ASIDE = re.compile(r"[(（][^)）]{1,6}[)）]")
CLOSING_QUOTE = re.compile(r"[”’\"]")
XINJIANG = "650000"
XPCC_FULL = "新疆生产建设兵团"
# industry words that are no name on their own (上海纺织 and 湖州纺织 are different firms)
TRADE_WORDS = {"纺织", "针织", "工贸", "生物", "科技", "实业", "商贸", "食品", "乳业", "牧业", "农业", "服饰",
               "制衣", "药业", "电子", "能源", "物流", "果业", "棉业", "化工", "新材料", "贸易", "发展", "投资"}


@dataclass
class Pairing:
    supporters: list[str]       # place codes outside Xinjiang (衢州市)
    supported: list[str]        # place codes in Xinjiang (乌什县, 一师四团)
    combos: list[Mention]       # combined abbreviations such as 衢乌, with refers_to = codes
    evidence: list[tuple[int, int, str]]  # (sentence, clean start, trigger) that state the pair


@lru_cache(maxsize=1 << 14)
def in_xinjiang(code: str | None, gaz: Gazetteer) -> bool:
    """Whether the division ``code`` is in Xinjiang (memoised: asked for every mention of a place)."""
    if not code:
        return False
    return code == XINJIANG or code.startswith("65") or code.startswith("XPCC") or gaz.is_within(code, XINJIANG)


def find_pairing(doc: Document, mentions: list[Mention], gaz: Gazetteer | None = None) -> Pairing:
    """Who supports whom in this article.

    Stated pairs (X对口支援Y) win; otherwise the most mentioned city outside Xinjiang (the
    place whose aid command the article names, when that is another) and the most
    mentioned county-level place inside it, confirmed by a combined abbreviation (湖柯).
    """
    gaz = gaz or load_gazetteer()
    places = [m for m in mentions if m.code and not _venue(doc, m)]
    outside = Counter(m.code for m in places if not in_xinjiang(m.code, gaz)
                      and m.type in ("City", "County", "Province"))
    inside = Counter(m.code for m in places if in_xinjiang(m.code, gaz) and m.type in ("County", "City")
                     and m.code != XINJIANG)
    combos = _combined_abbreviations(doc, places, gaz)
    stated = _stated_pair(doc, places, gaz)
    supporters = [c for c, _ in outside.most_common() if gaz.by_code[c].types[0] == "City"][:1]
    if not supporters:
        supporters = [c for c, _ in outside.most_common(1)]
    commanding = _command_places(mentions, gaz)
    if commanding and (not supporters or supporters[0] not in commanding):
        # 安徽省援疆指挥部, 合肥 only a distance; or the side named only in its command's name
        supporters = [commanding.most_common(1)[0][0]]
    # places that head the names of schools, hospitals and the like count too: an article
    # about 喀什地区第二人民医院 is about 喀什地区, not the 乌鲁木齐 patients once went to
    # (only places the article also names on their own: the pair's ends are entities)
    written = {m.code for m in places}
    named = Counter(code for code in (_place_heading(m.text, gaz) for m in mentions
                                      if not m.code and m.type in NAMED_AFTER_PLACE) if code in written)
    inside.update(Counter({c: n for c, n in named.items() if gaz.by_code[c].types[0] in ("County", "City")}))
    supported = [c for c, _ in inside.most_common(1)]
    prefecture = next((c for c, n in named.most_common() if gaz.by_code[c].types[0] == "Prefecture"), None)
    if prefecture and named[prefecture] >= 2 and (not supported or inside[supported[0]] < named[prefecture]):
        supported = [prefecture]
    if stated:                       # X对口支援Y written out wins over counting
        supporters, supported = [stated[0]], [stated[1]] if stated[1] else supported
    for combo in combos:
        a, b = combo.refers_to
        supporters = supporters or [a]
        supported = supported or [b]
    return Pairing(supporters, supported, combos, [])


NAMED_AFTER_PLACE = ("School", "Hospital", "Facility", "Organization")
VENUE = rule_pattern("venue")


def _venue(doc: Document, m: Mention) -> bool:
    """在乌鲁木齐召开: where a meeting was held, neither side of the pairing."""
    return doc.text[max(0, m.start - 1):m.start] == "在" and VENUE.match(doc.text, m.end) is not None


def _leading_place(name: str, gaz: Gazetteer, levels: tuple[str, ...], shortest: int = 2,
                   full_name: bool = False) -> Place | None:
    """The division a name begins with, longest match first (湖州援疆指挥部 -> 湖州市), or
    None; ``full_name`` takes only names written in full (喀什地区第二人民医院)."""
    for n in range(min(len(name) - 2, 10), shortest - 1, -1):
        places = [p for p in gaz.lookup(name[:n]) if p.level in levels and (p.name == name[:n] or not full_name)]
        if places:
            return places[0]
    return None


@lru_cache(maxsize=1 << 14)        # asked for every named body of every article
def _place_heading(name: str, gaz: Gazetteer) -> str | None:
    """The Xinjiang county, city or prefecture a name begins with, by its full name
    (喀什地区第二人民医院 -> 喀什地区), or None."""
    place = _leading_place(name, gaz, ("prefecture", "county"), shortest=3, full_name=True)
    return place.code if place and in_xinjiang(place.code, gaz) else None


def _written_label(m: Mention) -> str:
    """An entity's label from the mention that first names it: as written, less a batch
    ordinal, except where the mention's name is the fuller one (衢州市第十批援疆指挥部
    -> 衢州市援疆指挥部, 十三师红星一场 -> 新疆生产建设兵团第十三师红星一场, a body the
    lexicon lists under its full name: 新疆兵团 -> 新疆生产建设兵团)."""
    return BATCH.sub("", m.name if BATCH_INSIDE.search(m.text) or m.source in ("xpcc", "lexicon") else m.text)


def _command_places(mentions: list[Mention], gaz: Gazetteer) -> Counter:
    """Places outside Xinjiang whose aid command (…援疆指挥部, …援疆工作队) the article names."""
    found: Counter = Counter()
    for m in mentions:
        if m.type != "Organization" or "援疆" not in m.text or not m.text.endswith(("指挥部", "工作队", "工作组")):
            continue
        place = _innermost_leading(m.text, gaz, ("province", "prefecture", "county"))
        if place and not in_xinjiang(place.code, gaz):
            found[place.code] += 1
    return found


def _innermost_leading(name: str, gaz: Gazetteer, levels: tuple[str, ...]) -> Place | None:
    """Of a chain of divisions opening a name, each inside the one before (浙江杭州市援疆指挥部),
    the last; else the division it begins with (:func:`_leading_place`)."""
    place, rest = None, name
    while True:
        found = next(((p, n) for n in range(min(len(rest) - 2, 10), 1, -1) for p in gaz.lookup(rest[:n])
                      if p.level in levels and (place is None or gaz.is_within(p.code, place.code))), None)
        if found is None:
            return place
        place, rest = found[0], rest[found[1]:]


STATED = re.compile(r"对口(?:支援|援助|帮扶|援建)")


def _stated_pair(doc: Document, places: list[Mention], gaz: Gazetteer) -> tuple[str, str | None] | None:
    """The first X对口支援Y of the article: the place right before the trigger (outside
    Xinjiang) and the most specific Xinjiang place after it in the same clause."""
    for hit in STATED.finditer(doc.text):
        before = [m for m in places if m.end <= hit.start() and hit.start() - m.end <= 2
                  and not in_xinjiang(m.code, gaz)]
        if not before:
            continue
        clause_end = min([i for i in (doc.text.find(c, hit.end()) for c in "，,。；;") if i != -1] or [len(doc.text)])
        after = [m for m in places if hit.end() <= m.start < clause_end and in_xinjiang(m.code, gaz)
                 and m.type in ("County", "City", "Prefecture") and m.code != XINJIANG]
        # the most specific place: a county or city, else the prefecture or XPCC division
        # (福建省对口支援昌吉回族自治州 pairs a province with a prefecture)
        after.sort(key=lambda m: m.type == "Prefecture")
        return before[-1].code, (after[0].code if after else None)
    return None


def _combined_abbreviations(doc: Document, places: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Two-character words made of the first characters of a supporter and a supported place."""
    firsts_out: dict[str, str] = {}
    firsts_in: dict[str, str] = {}
    for m in places:
        short = min(gaz.by_code[m.code].short or (m.name,), key=len) if m.code in gaz.by_code else m.name
        target = firsts_in if in_xinjiang(m.code, gaz) else firsts_out
        if gaz.by_code.get(m.code) and gaz.by_code[m.code].level in ("county", "prefecture", "province"):
            target.setdefault(short[0], m.code)
    found = []
    covered = {i for m in places for i in range(m.start, m.end)}
    text = doc.text
    for a, code_a in firsts_out.items():
        ends: dict[str, int] = {}           # per pair, where its last one ended: they do not overlap
        at = text.find(a)
        while at != -1:
            b = text[at + 1:at + 2]
            if b in firsts_in and at >= ends.get(b, 0):
                ends[b] = at + 2
                if at not in covered:
                    sent = doc.sentence_at(at)
                    found.append(Mention(doc.doc_id, at, at + 2, a + b, "", source="combo",
                                         sentence=sent.index if sent else -1, refers_to=(code_a, firsts_in[b])))
            at = text.find(a, at + 1)
    return sorted(found, key=lambda m: m.start)


@lru_cache(maxsize=1)
def _pinyin():
    """pypinyin's ``lazy_pinyin`` with each word's pinyin made once: the words pypinyin cuts
    names into recur from name to name (援疆, 有限公司), and converting them is most of its
    time. Imported on first use: a rebuild whose names all have a slug already
    (:data:`KNOWN_SLUGS`) needs none of pypinyin (a fifth of a second to import)."""
    from pypinyin import Style
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    class WordPinyin(UltimateConverter):
        def __init__(self):
            super().__init__()
            self.done: dict[tuple, list[list[str]]] = {}

        def convert(self, words, style, heteronym, errors, strict, **kwargs):
            key = (words, style, heteronym, errors, strict)
            if key not in self.done:
                if len(self.done) >= 1 << 16:
                    self.done.clear()          # bounded: a big build's rarer words are its own
                self.done[key] = super().convert(words, style, heteronym, errors, strict, **kwargs)
            return [list(p) for p in self.done[key]]    # a copy, as pypinyin hands out new lists

    return Pinyin(WordPinyin()), Style.NORMAL


def _as_is(chars: str) -> list[str]:
    return list(chars)               # a character without pinyin stays itself


def pinyin_of(text: str) -> list[str]:
    """``pypinyin.lazy_pinyin(text, errors=list)``: each character's pinyin without tones."""
    pinyin, normal = _pinyin()
    return pinyin.lazy_pinyin(text, style=normal, errors=_as_is, strict=True)


# Slugs an earlier build made, and those this process made (kg.cache.DocumentCache keeps
# both with the cache, under the extractor's version, which names pypinyin's)
KNOWN_SLUGS: dict[str, str] = {}
MADE_SLUGS: dict[str, str] = {}
SLUG_LIMIT = 48


@lru_cache(maxsize=65536)
def slug(text: str, limit: int = SLUG_LIMIT) -> str:
    """ASCII, readable and stable: pinyin of the name plus a short hash of it."""
    if limit == SLUG_LIMIT and text in KNOWN_SLUGS:
        return KNOWN_SLUGS[text]
    pinyin = "-".join(pinyin_of(text))
    ascii_ = NOT_SLUG.sub("-", pinyin.lower()).strip("-")[:limit].strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    made = f"{ascii_}-{digest}" if ascii_ else digest
    if limit == SLUG_LIMIT:
        MADE_SLUGS[text] = made
    return made


def normalise(name: str) -> str:
    return QUOTES.sub("", name).replace("·", "")


class _Resolver:
    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.entities: dict[str, Entity] = {}
        self.merges: list[dict] = []
        self.core_index: dict[tuple[str, str, str], str] = {}   # (doc, core, head) -> key
        self.expanded: dict[str, str] = {}                      # full_place_first's answers

    def canonical(self, m: Mention, pairing: Pairing) -> str:
        """Full name used as the identity of a non-place entity."""
        name = BATCH.sub("", normalise(m.name))
        # 县人民医院 / 省援疆指挥部: an unnamed level means the article's own place
        if name[:1] in "县市省" and len(name) > 3:
            level = name[0]
            ref = None
            if level == "县" and pairing.supported:
                ref = pairing.supported[0]
            elif level == "市" and pairing.supporters:
                ref = pairing.supporters[0]
            elif level == "省" and pairing.supporters:
                anc = [p for p in self.gaz.ancestors(pairing.supporters[0]) if p.level == "province"]
                ref = anc[0].code if anc else None
            if ref and self.gaz.by_code[ref].name.endswith(level):
                name = self.gaz.by_code[ref].name + name[1:]
        name = self.full_place_first(name)
        if m.type in ("School", "Hospital", "Facility", "Organization"):
            name = self.without_outer_place(name)       # 浙江省台州市援疆指挥部 is 台州市援疆指挥部
        if m.type == "School":
            name = SENIOR_SCHOOL.sub("中学", name)   # 国庆高中 = 国庆中学
        if m.type == "Enterprise":
            name = self.enterprise_core(name)
        return name

    def full_place_first(self, name: str) -> str:
        """A leading short place name stands for its full name (湖州援疆指挥部 = 湖州市援疆指挥部);
        memoised (the same names recur across articles)."""
        if name not in self.expanded:
            full = name
            for n in range(min(len(name) - 1, 9), 1, -1):
                places = self.gaz.lookup(name[:n])
                if len(places) == 1 and places[0].name != name[:n] and not name.startswith(places[0].name):
                    full = places[0].name + name[n:]
                    break
            self.expanded[name] = full
        return self.expanded[name]

    def without_outer_place(self, name: str) -> str:
        """喀什地区伽师县第一中学 is 伽师县第一中学: a division written before the one inside
        it that the name starts with adds nothing to who it is."""
        outer = next((p for n in range(min(len(name) - 2, 9), 1, -1)
                      for p in self.gaz.lookup(name[:n]) if p.name == name[:n]), None)
        if outer is None:
            return name
        rest = name[len(outer.name):]
        inner = next((p for n in range(min(len(rest) - 2, 9), 1, -1) for p in self.gaz.lookup(rest[:n])
                      if p.name == rest[:n] and self.gaz.is_within(p.code, outer.code)), None)
        return rest if inner is not None and len(rest) - len(inner.name) >= 2 else name

    def enterprise_core(self, name: str) -> str:
        """浙江美欣达集团有限公司 and 美欣达集团 are one company: drop the legal form, a
        parenthesised word and leading places, unless only a trade word would be left."""
        core = SHORT_ASIDE.sub("", name)
        while LEGAL.search(core) and len(LEGAL.sub("", core)) >= 2:
            core = LEGAL.sub("", core)
        stripped = True
        while stripped:
            stripped = False
            for n in range(min(len(core) - 2, 11), 1, -1):
                if self.gaz.lookup(core[:n]):
                    core, stripped = core[n:], True
                    break
        if len(core) < 2 or core in TRADE_WORDS:
            return name
        return core

    def key_for(self, m: Mention, pairing: Pairing) -> tuple[str, str]:
        if m.code:
            return f"place/{m.code}", self.gaz.by_code[m.code].name if m.code in self.gaz.by_code else m.name
        canon = self.canonical(m, pairing)
        kind = m.type.lower()
        if m.type in ("Township", "Village"):
            # villages share names across the country: key them under the article's county
            parent = pairing.supported[0] if pairing.supported else ""
            return f"{kind}/{slug(parent + canon)}", canon
        if m.type == "Initiative" and m.core:
            head = _head(canon)
            existing = self.core_index.get((m.doc_id, m.core, head))
            if existing:
                return existing, canon
        return f"{kind}/{slug(canon)}", canon

    def name_pair_places(self, doc: Document, mentions: list[Mention], pairing: Pairing) -> None:
        """The pair's places are entities: one written only at the head of another name (a
        city named only in its aid command's name, 某市援疆工作前方指挥部) becomes one by that
        part of the name; a place with no words in the text at all is dropped from the pair."""
        text = None             # (read only here: a packed document is opened only for it)
        for codes in (pairing.supporters, pairing.supported):
            for code in list(codes):
                if f"place/{code}" in self.entities:
                    continue
                place = self.gaz.by_code[code]
                names = sorted({place.name, *place.short}, key=lambda n: (-len(n), n))
                text = opened(doc)[0].text if text is None else text
                hit = next(((m, n) for m in mentions if m.entity and not m.code
                            for n in names if len(n) >= 2 and text.startswith(n, m.start)), None)
                if hit is None:
                    codes.remove(code)
                    continue
                host, name = hit
                part = Mention(doc.doc_id, host.start, host.start + len(name), name, place.types[0], name=place.name,
                               code=code, source="name_part", sentence=host.sentence)
                self.add(part, pairing)

    def add(self, m: Mention, pairing: Pairing, known: tuple[str, str] | None = None) -> None:
        key, canon = known or self.key_for(m, pairing)
        e = self.entities.get(key)
        if e is None:
            place = self.gaz.by_code.get(m.code) if m.code else None
            types = list(place.types) if place else [m.type, *m.alt_types]
            label = place.name if place else _written_label(m)
            e = Entity(key=key, label=label, types=types,
                       code=m.code, english=place.english if place else None,
                       parent=f"place/{place.parent}" if place and place.parent else None,
                       former_names=tuple(self.gaz.former.get(place.code, ())) if place else ())
            if place:   # unambiguous short forms are names people search for (乌什, 兵团第一师)
                e.alt_labels |= {f for f in place.short if len(self.gaz.lookup(f)) == 1}
                up = self.gaz.by_code.get(place.parent) if place.parent else None
                if place.name.endswith("区") and "County" in place.types and up and "City" in up.types:
                    e.alt_labels.add(up.name + place.name)      # a district goes with its city: 某市某区
                if place.joint_city:    # 师市合一 is written 兵团第三师图木舒克市 too
                    e.alt_labels |= {"兵团" + f for f in place.short if f.startswith("第") and f.endswith(place.joint_city)}
            self.entities[key] = e
        if m.type and m.type not in e.types:        # 可克达拉市: a division written as its city
            e.types.append(m.type)
        if m.type == "Initiative" and m.core:
            self.core_index.setdefault((m.doc_id, m.core, _head(canon)), key)
        surface = m.text
        if surface != e.label and m.source not in ("self", "anaphor"):   # 我省, 该院 are no names
            if not e.code and len(normalise(surface)) > len(normalise(e.label)) and not BATCH.match(surface) \
                    and m.type != "Initiative":
                e.alt_labels.add(e.label)
                e.label = surface if normalise(surface) == canon else e.label
            e.alt_labels.add(surface)
        if canon != e.label and not e.code and normalise(m.name)[:1] in "县市省" and len(m.name) > 3:
            e.alt_labels.add(canon)             # 县人民医院 is also found as 柯坪县人民医院
        if m.source == "xpcc" and not m.code and m.name.startswith(XPCC_FULL):
            # a farm or regiment the gazetteer does not list is named with its division or
            # alone: 兵团第六师北塔山牧场, 北塔山牧场 (the division is 新疆生产建设兵团第六师)
            e.alt_labels |= {m.name[len(XPCC_FULL) - 2:], m.name[m.name.index("师") + 1:]}
            division = self.gaz.lookup(m.name[:m.name.index("师") + 1])
            e.parent = e.parent or (f"place/{division[0].code}" if division else None)
        if m.core and m.core != e.label:
            e.alt_labels.add(m.core)
            at = m.text.find(m.core)
            if m.original and at >= 0:          # the quoted core as the file spells it (粵新同心)
                e.alt_labels.add(m.original[at:at + len(m.core)])
        if m.original:
            e.alt_labels.add(m.original)
        if m.type == "Initiative":        # 教育援疆“1+N”赋能行动 belongs to education aid
            e.aid_fields |= {key for word, key in load_lexicon().aid_fields.items() if word in m.text}
        if m.type == "Initiative" and len(surface) > len(e.label) and not BATCH.match(surface):
            e.alt_labels.add(e.label)
            e.label = surface
        e.alt_labels.discard(e.label)
        m.entity = key
        e.mentions.append(m)


def _head(name: str) -> str:
    """Last word of an initiative name after its quoted core (行动, 工程 …)."""
    tail = CLOSING_QUOTE.split(name)[-1]
    return tail[-2:] if tail else ""


@dataclass
class DocumentKeys:
    """The per-document half of resolution: the pairing and each mention's (key, canonical
    name). Neither depends on other documents (the initiative index is per document), so
    both can be computed where the mentions are found, in parallel, and cached."""
    pairing: Pairing
    keys: list[tuple[str, str]]


def document_keys(doc: Document, mentions: list[Mention], gaz: Gazetteer | None = None) -> DocumentKeys:
    gaz = gaz or load_gazetteer()
    r = _Resolver(gaz)
    pairing = find_pairing(doc, mentions, gaz)
    keys = []
    for m in mentions:
        key, canon = r.key_for(m, pairing)
        if m.type == "Initiative" and m.core:     # as add() does, for later mentions of this document
            r.core_index.setdefault((m.doc_id, m.core, _head(canon)), key)
        keys.append((key, canon))
    return DocumentKeys(pairing, keys)


def resolve(documents: list[tuple[Document, list[Mention]]], gaz: Gazetteer | None = None,
            keys: list[DocumentKeys] | None = None) -> tuple[dict[str, Entity], list[dict], dict[str, Pairing]]:
    """Entities (by key), a merge report and each document's pairing; ``keys`` are the
    documents' :func:`document_keys` when already computed."""
    gaz = gaz or load_gazetteer()
    r = _Resolver(gaz)
    pairings: dict[str, Pairing] = {}
    for n, (doc, mentions) in enumerate(documents):
        known = keys[n] if keys is not None else None
        pairing = known.pairing if known else find_pairing(doc, mentions, gaz)
        pairings[doc.doc_id] = pairing
        for i, m in enumerate(mentions):
            r.add(m, pairing, known.keys[i] if known else None)
        r.name_pair_places(doc, mentions, pairing)
    for key in sorted(r.entities):
        e = r.entities[key]
        surfaces = sorted({m.text for m in e.mentions})
        if len(surfaces) > 1 or len({m.doc_id for m in e.mentions}) > 1:
            r.merges.append({"entity": key, "label": e.label, "types": e.types,
                             "surfaces": surfaces, "documents": sorted({m.doc_id for m in e.mentions}),
                             "mentions": len(e.mentions)})
    return dict(sorted(r.entities.items())), r.merges, pairings
