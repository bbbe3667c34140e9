"""Relations between resolved entities, from trigger words and sentence structure.

Entry point: :func:`extract_relations`. The actor of a sentence is the nearest entity
that can act (a city, county, province or organisation) before the trigger, skipping
those that follow a preposition or a verb of help (到乌什, 支持柯坪县: the place is a
destination or beneficiary). Where a sentence names no actor, the article's own actor
stands in: the supporting city's aid command (援疆指挥部), else the supporting city.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from .decide import Scorer, bucket
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import Lexicon, cue_group, load_lexicon, rule_pattern, rule_words
from .model import DECIDED, Document, Entity, Evidence, Mention, Relation
from .resolve import XINJIANG, Pairing, in_xinjiang
from .textsearch import after_last

ACTOR_TYPES = {"City", "County", "Province", "Prefecture", "Organization"}
BUILT_TYPES = {"Facility", "School", "Hospital", "Village"}
CAN_ACT = frozenset(ACTOR_TYPES | {"Enterprise", "School", "Hospital"})     # what may do what a trigger says
# word lists and patterns are data: kg/data/lexicon/rule_words.tsv and rule_patterns.tsv say what each is
NOT_ACTOR_BEFORE = rule_words("not_actor_before")
HELPED_BY = rule_pattern("helped_by")
CLAUSE_HEAD = rule_pattern("clause_head")
RESPECTIVE_WITH = rule_pattern("respective_with")
PAIR_LINE = rule_pattern("pair_line")
OPENS_LIST = rule_pattern("opens_list")
NAMED_NEXT = rule_pattern("named_next")
LIST_LEAD = rule_pattern("list_lead")
TWIN_GAP = rule_pattern("twin_gap")
FOR_WHOM = rule_words("for_whom")
AID_BETWEEN = frozenset(rule_words("aid_between"))
SETTLES_INTO = rule_pattern("settles_into")
LISTED_BEFORE_SETTLING = rule_pattern("listed_before_settling")
SITE_BEFORE = rule_words("site_before")
PAIRING_BEFORE_BUILD = rule_words("pairing_before_build")
HELP = rule_words("help")
ACTOR_CUT = 0.8         # an actor candidate the rules did not pick acts too when at least this likely
TIES_BUILT = rule_pattern("ties_built")
ENTERPRISE_DOES = rule_pattern("enterprise_does")
GOVERNMENT_HEADS = rule_words("government_heads")
IS_PROJECT_OF = rule_pattern("is_project_of")
PROJECT_ROW = rule_pattern("project_row")
LIST_OPENER = rule_pattern("list_opener")
OWN_PLACE_WORDS = rule_words("own_place_words")
COMMAND_HEADS = rule_words("command_heads")
FOUNDED_BY_LIST = rule_pattern("founded_by_list")
AFFILIATED_TO = rule_pattern("affiliated_to")
THIS_ONE = rule_pattern("this_one")
PAIRED_WITH_GAP = rule_pattern("paired_with_gap")
CLAUSE_BREAK = re.compile(r"[，。,；;]")          # where a clause ends (also kg.metrics')
CLAUSE_OR_LIST_BREAK = re.compile(r"[，。,；;、]")


_TRIGGER_PATTERNS: dict[int, tuple[Lexicon, re.Pattern]] = {}    # the lexicon kept: its id stays its own


def _trigger_pattern(lex: Lexicon) -> re.Pattern:
    """Any trigger word of any relation, one pattern per lexicon."""
    if id(lex) not in _TRIGGER_PATTERNS:
        words = sorted({w for ws in lex.triggers.values() for w in ws}, key=len, reverse=True)
        _TRIGGER_PATTERNS[id(lex)] = lex, re.compile("|".join(map(re.escape, words)))
    return _TRIGGER_PATTERNS[id(lex)][1]


class _DocRelations:
    def __init__(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity],
                 pairing: Pairing, gaz: Gazetteer, lex: Lexicon):
        self.doc, self.entities, self.pairing, self.gaz, self.lex = doc, entities, pairing, gaz, lex
        self.mentions = [m for m in mentions if m.entity]
        self.by_sentence: dict[int, list[Mention]] = {}
        self.by_entity: dict[str, list[Mention]] = {}      # in text order, as self.mentions
        self.lead_ins: dict[int, tuple[list[str], bool]] = {}   # id(mention) -> lead_in(mention)
        for m in self.mentions:
            self.by_sentence.setdefault(m.sentence, []).append(m)
            self.by_entity.setdefault(m.entity, []).append(m)
        self.out: dict[tuple[str, str, str], Relation] = {}
        self.supporter = f"place/{pairing.supporters[0]}" if pairing.supporters else None
        self.supported = f"place/{pairing.supported[0]}" if pairing.supported else None
        self.places_in_names: dict[tuple[str, bool], str | None] = {}     # place_in_name's answers
        self.end_memo: dict[tuple[str, str, str], list[str]] = {}       # end_features' answers
        self.trigger_memo: dict[tuple[str, str], list[tuple[int, str]]] = {}   # triggers_in's answers
        # a trigger inside a name is no trigger (生产建设兵团, 援建医院 as a name's part)
        holds = _trigger_pattern(lex).search
        self.names_holding_triggers = sorted({m.text for m in self.mentions if holds(m.text)})
        self.command = aid_command(self.mentions, entities, self.supporter)
        # where an unplaced school or facility goes: the supported county, when the article
        # is about it (not when it tours several: 福州→昌吉市, 厦门→吉木萨尔县, …)
        counties = Counter(m.entity for m in self.mentions if "County" in entities[m.entity].types
                           and in_xinjiang(entities[m.entity].code, gaz))
        share = counties[self.supported] / sum(counties.values()) if counties else 1.0
        self.home = self.supported if share >= 0.6 else None
        self.default_actor = self.command or self.supporter
        self.rule = ""                   # the rule now proposing (a method's name)
        self.proposals: list[tuple] = []     # actions whose actor is still to be decided
        self.roles = {k: r for r, k in (("supported", self.supported), ("command", self.command),
                                         ("supporter", self.supporter)) if k}

    def add(self, s: str | None, p: str, o: str | None, sentence: int, start: int, end: int,
            trigger: str = "", source: str = "text") -> None:
        if not s or not o or s == o:
            return
        if p == "pairedWith" and s > o:
            s, o = o, s
        rel = self.out.setdefault((s, p, o), Relation(s, p, o, source=source, rule=self.rule))
        if len(rel.evidence) < 3:
            rel.evidence.append(Evidence(self.doc.doc_id, sentence, start, end, trigger))

    # -- helpers -----------------------------------------------------------------
    def sentence_text(self, index: int) -> tuple[str, int]:
        s = self.doc.sentences[index]
        return s.text, s.start

    def lead_in(self, m: Mention) -> tuple[list[str], bool]:
        """The cue classes prep_ of cues.tsv with a word right before ``m``, and whether ``m``
        heads its clause (CLAUSE_HEAD): features of the scorers, made once per mention."""
        known = self.lead_ins.get(id(m))
        if known is None:
            text, base = self.sentence_text(m.sentence)
            before = text[:m.start - base]
            preps = [cls for cls, words, _ in cue_group(self.lex.cues, ("prep_",)) if before.endswith(words)]
            heads = bool(CLAUSE_HEAD.fullmatch(before[_clause_start(text, len(before)):]))
            known = self.lead_ins[id(m)] = preps, heads
        return known

    def is_actor(self, m: Mention) -> bool:
        """An actor stands at the head of its clause: 三年来,湖州市援疆指挥部精心打造…;
        a place after a verb (促成湖州市…) is an object, not the one acting."""
        e = self.entities[m.entity]
        if not (set(e.types) & ACTOR_TYPES):
            return False
        text, base = self.sentence_text(m.sentence)
        before = text[:m.start - base]
        if before.endswith(NOT_ACTOR_BEFORE):
            return False
        prefix = before[_clause_start(text, len(before)):]
        for other in self.by_sentence.get(m.sentence, ()):      # a chain 湖州市安吉县 is fine
            if other.end <= m.start and self.entities[other.entity].code:
                prefix = prefix.replace(other.text, "")
        return bool(CLAUSE_HEAD.fullmatch(prefix))

    def actor_before(self, sentence: int, pos: int) -> str | None:
        text, base = self.sentence_text(sentence)
        helped = HELPED_BY.search(text)
        if helped and helped.start() < pos - base:
            inside = [m for m in self.by_sentence.get(sentence, ())
                      if helped.start(1) <= m.start - base < helped.end(1) and self.is_actor_type(m)]
            if inside:
                return inside[-1].entity
        cands = [m for m in self.by_sentence.get(sentence, ()) if m.end <= pos and self.is_actor(m)]
        return cands[-1].entity if cands else None

    def enterprise_right_before(self, mentions: list[Mention], base: int, text: str, pos: int) -> str | None:
        """天津食品集团有限公司投资建设的基地: a company right before the verb builds it."""
        for m in mentions:
            if "Enterprise" in self.entities[m.entity].types and m.end - base <= pos \
                    and ENTERPRISE_DOES.fullmatch(text[m.end - base:pos]):
                return m.entity
        return None

    def is_actor_type(self, m: Mention) -> bool:
        return not ACTOR_TYPES.isdisjoint(self.entities[m.entity].types)

    def with_command(self, actor: str | None) -> list[str]:
        """A city acting through its aid command: credit both."""
        if actor and actor == self.supporter and self.command:
            return [actor, self.command]
        return [actor] if actor else []

    def triggers_in(self, text: str, relation: str) -> list[tuple[int, str]]:
        """Where the relation's trigger words stand in ``text``, in order (asked again for the
        same sentence by several rules: found once; callers do not change the list)."""
        known = self.trigger_memo.get((text, relation))
        if known is None:
            known = self.trigger_memo[text, relation] = self._triggers_in(text, relation)
        return known

    def _triggers_in(self, text: str, relation: str) -> list[tuple[int, str]]:
        found, taken = [], set()
        for name in self.names_holding_triggers:
            at = text.find(name)
            while at != -1:
                taken.update(range(at, at + len(name)))
                at = text.find(name, at + len(name))
        for word in self.lex.triggers.get(relation, ()):
            at = text.find(word)          # non-overlapping occurrences, left to right
            while at != -1:
                if at not in taken:
                    found.append((at, word))
                    taken.update(range(at, at + len(word)))
                at = text.find(word, at + len(word))
        return sorted(found)

    # -- relations ---------------------------------------------------------------
    def supports(self) -> None:
        for index, mentions in sorted(self.by_sentence.items()):
            text, base = self.sentence_text(index)
            for pos, word in self.triggers_in(text, "supports"):
                subject = None
                for m in mentions:
                    e = self.entities[m.entity]
                    if m.end - base <= pos and (e.code and not in_xinjiang(e.code, self.gaz)
                                                 or ("Organization" in e.types and "援疆" in e.label)):
                        subject = m.entity
                clause_end = _clause_end(text, pos)
                if text.startswith(("关系", "协议"), pos + len(word)):   # A与B、C结成对口支援关系: B and C before it
                    window = (_clause_start(text, pos), pos)
                else:
                    window = (pos, clause_end)
                placed = [m for m in mentions if window[0] <= m.start - base < window[1]
                          and self.entities[m.entity].code and in_xinjiang(self.entities[m.entity].code, self.gaz)]
                objects = list(dict.fromkeys(m.entity for m in placed))
                # 对口支援新疆喀什地区巴楚县: the county; but 昌吉州州直及阜康市: both
                chained = {m.entity for m in placed if any(o.start == m.end for o in placed)}
                innermost = set(self.most_specific(objects))
                objects = [k for k in objects if k not in chained or k in innermost]
                subjects = self.respective_supporters(mentions, text, base, pos)
                towns = list(dict.fromkeys(m.entity for m in mentions if window[0] <= m.start - base < window[1]
                                           and self.below_county(self.entities[m.entity])))
                if len(subjects) == len(objects) > 1:
                    pairs = list(zip(subjects, objects))    # 杭州市、宁波市分别结对帮扶八团、十团
                elif len(subjects) == len(towns) > 1:
                    pairs = list(zip(subjects, towns))      # 海淀区、朝阳区分别对口支援墨玉县奎牙镇和喀尔赛镇
                elif len(subjects) > 1:
                    pairs = []      # lists of different lengths (a farm or a zone in one): no guess
                else:               # and a township written after its county (与库车市牙哈镇签订…)
                    chained = [m.entity for m in mentions if m.entity in towns and any(
                        o.end == m.start and o.entity in objects for o in mentions)]
                    pairs = [(subject, o) for o in dict.fromkeys(objects + chained)]
                for a, b in pairs:
                    self.add(a, "supports", b, index, base + pos, base + pos + len(word), word)
            for a, b in zip(mentions, mentions[1:]):    # 常州援疆乌恰县: 援疆 between the two places
                if text[a.end - base:b.start - base] in AID_BETWEEN and self.gives_and_takes(a, b):
                    self.add(a.entity, "supports", b.entity, index, a.end, b.start, text[a.end - base:b.start - base])
        if self.supporter and self.supported:
            index, start, end, word = self._pairing_evidence()
            self.rule = "pairing"
            self.add(self.supporter, "supports", self.supported, index, start, end, word)
            self.rule = "supports"

    def gives_and_takes(self, a: Mention, b: Mention) -> bool:
        """``a`` a place outside Xinjiang, ``b`` a county, city or prefecture inside it."""
        giver, taker = self.entities[a.entity], self.entities[b.entity]
        return bool(giver.code and taker.code and not in_xinjiang(giver.code, self.gaz)
                    and in_xinjiang(taker.code, self.gaz) and taker.code != XINJIANG
                    and taker.types[0] in ("County", "City", "Prefecture"))

    def most_specific(self, keys: list[str]) -> list[str]:
        """Places none of the others lies in: a chain is paired through its last place."""
        inside = {a.code for k in keys for a in self.gaz.ancestors(self.entities[k].code or "")}
        return [k for k in keys if self.entities[k].code not in inside]

    @staticmethod
    def below_county(e: Entity) -> bool:
        """A township, village or XPCC farm (no code of its own): what 分别 may pair too."""
        return bool({"Township", "Village"} & set(e.types)) or e.types[0] == "County" and not e.code

    def respective_supporters(self, mentions: list[Mention], text: str, base: int, pos: int) -> list[str]:
        """The places listed before 分别 and the trigger, in order (none without 分别)."""
        if not text[:pos].endswith("分别"):
            return []
        start = _clause_start(text, pos)
        found = [m.entity for m in mentions if start <= m.start - base and m.end - base <= pos
                 and self.entities[m.entity].code and not in_xinjiang(self.entities[m.entity].code, self.gaz)]
        parents = {self.entities[k].parent for k in found}      # 北京市海淀区、丰台区: not 北京市
        return [k for k in dict.fromkeys(found) if k not in parents]

    def _pairing_evidence(self) -> tuple[int, int, int, str]:
        for m in self.pairing.combos:
            return m.sentence, m.start, m.end, m.text
        for index, mentions in sorted(self.by_sentence.items()):
            keys = {m.entity for m in mentions}
            if self.supporter in keys and self.supported in keys:
                first = next(m for m in mentions if m.entity == self.supported)
                return index, first.start, first.end, first.text
        first = next(m for m in self.mentions if m.entity == self.supported)
        return first.sentence, first.start, first.end, first.text

    def located(self) -> None:
        recent_village: Mention | None = None
        for index, mentions in sorted(self.by_sentence.items()):
            text, base = self.sentence_text(index)
            self.settled(index, mentions, text, base)
            for prev, m in zip(mentions, mentions[1:]):
                # written as a chain: 阿克苏地区乌什县, 湖州市安吉县, 乌什县阿克托海乡
                if m.start == prev.end and self.is_place(prev) and self.contains(prev, m):
                    self.add(m.entity, "locatedIn", prev.entity, index, prev.start, m.end)
            for m in mentions:          # listed after the first of a chain: 墨玉县奎牙镇和喀尔赛镇
                if m.source == "chain" and m.refers_to:
                    holder = next((p for p in reversed(mentions) if p.end < m.start
                                   and m.refers_to[0] in (p.code, p.name)), None)
                    if holder is not None:
                        self.add(m.entity, "locatedIn", holder.entity, index, holder.start, m.end)
            for m in mentions:
                e = self.entities[m.entity]
                if "Village" in e.types and not e.code:
                    recent_village = m
                if e.code or "Person" in e.types or "Product" in e.types or "Initiative" in e.types \
                        and "Village" not in e.types:
                    continue
                # an aid command or team is named after its own side (东营援疆指挥部: 东营市, not
                # 东营区), so the one division of its name the article names will do
                place = self.place_in_name(e, named_only=not e.label.endswith(COMMAND_HEADS))
                owner = AFFILIATED_TO.match(e.label)
                if owner:                 # 某医科大学附属|第三师…医院: the place before 附属 is the university's
                    place = self.leading_division(e.label[owner.end():], True)
                if "Organization" in e.types and not (set(e.types) & BUILT_TYPES):
                    if place and e.label.endswith(GOVERNMENT_HEADS):
                        self.add(e.key, "subOrganizationOf", place, index, m.start, m.end)
                    continue
                if "Enterprise" in e.types:
                    continue
                if e.types[0] == "Township" and not m.refers_to:
                    # a township written alone lies in the county named before it in its sentence
                    county = self.county_before(mentions, m, None)
                    if county:
                        self.add(e.key, "locatedIn", county, index, m.start, m.end)
                    continue
                if not (set(e.types) & BUILT_TYPES):
                    continue
                if place and not in_xinjiang(self.entities[place].code, self.gaz) \
                        and ("Village" in e.types or e.types[0] == "Facility"):
                    # named after the supporter, built in Xinjiang where the sentence says
                    # (在喀什经济开发区建设深圳产业园, 帮助巴里坤县建成洛阳牡丹文化园); a new
                    # village always is (湖州新村), a facility may stay (湖州钱山漾文化交流中心)
                    latest = next((o for o in reversed(mentions) if o.end <= m.start and o.code), None)
                    if "Village" in e.types or latest is None or in_xinjiang(latest.code, self.gaz):
                        here = self.xinjiang_site_before(mentions, m) or self.county_before(mentions, m, None)
                        place = here or (self.home if "Village" in e.types else place)
                    # else 赴南京参观…南京博物院: the sentence has gone outside Xinjiang, the name says where
                if place is None and any(w in text for w in OWN_PLACE_WORDS) and recent_village \
                        and recent_village.entity != e.key:
                    place = recent_village.entity
                if place is None and (self.names_other_place(e) or m.refers_to):
                    continue                  # named after elsewhere, or placed by its chain
                place = self.county_before(mentions, m, place)
                if place is None:
                    place = self.home
                self.add(e.key, "locatedIn", place, index, m.start, m.end)
                local = self.local_site_before(mentions, m)
                if local is not None and local.entity != e.key:
                    self.add(e.key, "locatedIn", local.entity, index, local.start, m.end)

    def settled(self, index: int, mentions: list[Mention], text: str, base: int) -> None:
        """Where a firm or a facility stands, as the sentence says: 甲公司、乙公司等企业先后落户Y;
        位于Y的甲公司; 在Y的甲园区. Y is a park or a division."""
        def site(m: Mention) -> bool:
            e = self.entities[m.entity]
            return bool(e.code) or bool({"Facility", "Township", "Village"} & set(e.types))

        def placed(m: Mention) -> bool:
            return bool({"Enterprise", "Facility", "School", "Hospital"} & set(self.entities[m.entity].types))

        for i, m in enumerate(mentions):
            if not placed(m):
                continue
            gap = SETTLES_INTO.match(text, m.end - base)
            if gap:
                y = next((o for o in mentions if o.start - base == gap.end() and site(o) and o.entity != m.entity), None)
                if y is not None:
                    # the firms listed before it settle there too (甲、乙和丙等企业落户Y)
                    group, k = [m], i
                    while k > 0 and LISTED_BEFORE_SETTLING.fullmatch(text, mentions[k - 1].end - base,
                                                                      mentions[k].start - base):
                        k -= 1
                        if placed(mentions[k]):
                            group.append(mentions[k])
                    for g in group:
                        self.add(g.entity, "locatedIn", y.entity, index, g.start, y.end)
            y = mentions[i - 1] if i else None
            if y is not None and site(y) and text[y.end - base:m.start - base] == "的" \
                    and text[:y.start - base].endswith(SITE_BEFORE) and y.entity != m.entity:
                self.add(m.entity, "locatedIn", y.entity, index, y.start, m.end)

    def xinjiang_site_before(self, mentions: list[Mention], m: Mention) -> str | None:
        """The Xinjiang division of a site written after 在 before ``m`` in its sentence
        (在喀什经济开发区建设…): the site itself if a division, else the one its name starts with."""
        text, base = self.sentence_text(m.sentence)
        for other in reversed(mentions):
            if other.end > m.start or not text[:other.start - base].endswith("在"):
                continue
            e = self.entities[other.entity]
            place = other.entity if e.code else self.place_in_name(e, named_only=False)
            if place and in_xinjiang(self.entities[place].code, self.gaz):
                return place
            return None
        return None

    def local_site_before(self, mentions: list[Mention], m: Mention) -> Mention | None:
        """The township or village the sentence sets itself in before ``m`` (在某某乡某某村，
        …援建的养殖园; 在某某镇建设物流园): the last place written after 在 before it."""
        text, base = self.sentence_text(m.sentence)
        for other in reversed(mentions):
            if other.end > m.start:
                continue
            start = next((o.start for o in mentions if o.end == other.start and self.is_place(o)), other.start)
            while (link := next((o for o in mentions if o.end == start and self.is_place(o)), None)) is not None:
                start = link.start
            if text[:start - base].endswith(("在", "于")):
                e = self.entities[other.entity]
                return other if {"Township", "Village"} & set(e.types) and not e.code else None
        return None

    def county_before(self, mentions: list[Mention], m: Mention, place: str | None) -> str | None:
        """The county written before ``m`` in its sentence, when there is no ``place`` yet,
        or when it is inside ``place`` (the prefecture the name starts with) and says where
        (在博乐市,…援建的博州高级中学)."""
        for other in reversed(mentions):
            e = self.entities[other.entity]
            if other.end > m.start or "County" not in e.types or not in_xinjiang(e.code, self.gaz):
                continue
            if place is None:
                return other.entity
            text, base = self.sentence_text(other.sentence)
            if place != other.entity and self.gaz.is_within(e.code, self.entities[place].code) \
                    and text[:other.start - base].endswith(("在", "于")):
                return other.entity
            break
        return place

    def is_place(self, m: Mention) -> bool:
        e = self.entities[m.entity]
        return bool(e.code) or bool(set(e.types) & {"Township", "Village"})

    def contains(self, outer: Mention, inner: Mention) -> bool:
        a, b = self.entities[outer.entity], self.entities[inner.entity]
        if b.code:
            return self.gaz.is_within(b.code, a.code)
        return (a.code in inner.refers_to) or not (set(b.types) & {"City", "County", "Province", "Prefecture"})

    def place_in_name(self, e: Entity, named_only: bool = True) -> str | None:
        """The division a name starts with (乌什县南孔儒学馆 -> 乌什县); of a short name
        that fits a prefecture and its seat both (昌吉学院), the one the article supports,
        else the prefecture. Every division the name can mean must be in the graph, unless
        ``named_only`` is false: then the outermost of those that are will do
        (喀什经济开发区, with only 喀什市 named)."""
        key = (e.key, named_only)        # asked again for every fact about e: the answer holds for the article
        if key not in self.places_in_names:
            self.places_in_names[key] = self._place_in_name(e, named_only)
        return self.places_in_names[key]

    def _place_in_name(self, e: Entity, named_only: bool) -> str | None:
        # longest first; among equals the label, then code-point order (never set order,
        # which changes from run to run: 阿勒泰地區人民醫院 must not win over 阿勒泰地区人民医院)
        for label in sorted({e.label, *e.alt_labels}, key=lambda n: (-len(n), n != e.label, n)):
            found = self.leading_division(label.strip("“”\"").replace("·", ""), named_only)
            if found:
                return found
        return None

    def leading_division(self, name: str, named_only: bool) -> str | None:
        """The division ``name`` starts with (see :meth:`place_in_name`), or None; of a chain
        of divisions, each inside the one before (新疆拜城县某公园), the innermost named."""
        found = None
        for n in range(min(len(name) - 2, 11), 1, -1):
            found = self._named_place(self.gaz.lookup(name[:n]), named_only)
            if found:
                break
        within, rest = None, name
        while (link := self._division_prefix(rest, within)) is not None:
            meant, n = link
            if within is not None:
                found = self._named_place(meant, named_only) or found
            within, rest = meant, rest[n:]
        return found

    def _named_place(self, meant, named_only: bool) -> str | None:
        """Of the divisions a short name can mean, the one the graph has, if that is clear."""
        places = [p for p in meant if f"place/{p.code}" in self.entities]
        if len(places) > 1 and any(f"place/{p.code}" == self.supported for p in places):
            return self.supported         # 阿克苏南平小学 in an article on 阿克苏市
        outer = self._outermost(places)
        if len(outer) == 1 and (len(places) == len(meant) or not named_only):
            return f"place/{outer[0].code}"
        return None

    def _division_prefix(self, name: str, within) -> tuple[list, int] | None:
        """The longest division name ``name`` opens with (inside one of ``within``), and its length."""
        for n in range(min(len(name) - 2, 11), 1, -1):
            meant = self.gaz.lookup(name[:n])
            if within is not None:
                meant = [p for p in meant if any(self.gaz.is_within(p.code, w.code) for w in within)]
            if meant:
                return meant, n
        return None

    def names_other_place(self, e: Entity) -> bool:
        """Whether the name opens with a division (吐鲁番坎儿井; 喀什古城, whose 喀什 is a
        prefecture and its seat, one inside the other); not a short name shared by
        divisions apart from each other (城关, 新城)."""
        name = e.label.strip("“”\"")
        return any(self._one_place(self.gaz.lookup(name[:n])) for n in range(2, min(len(name) - 1, 10)))

    def _one_place(self, meant) -> bool:
        return len(self._outermost(meant)) == 1

    def _outermost(self, places) -> list:
        """Those of ``places`` that hold all the others (喀什地区 of 喀什地区 and 喀什市)."""
        return [p for p in places if all(q is p or self.gaz.is_within(q.code, p.code) for q in places)]

    def hierarchy(self) -> None:
        """Containment of places from the gazetteer, for every pair present in the graph."""
        for m in self.mentions:
            e = self.entities[m.entity]
            if not e.code:       # an XPCC farm the gazetteer lacks still lies in its division
                if e.parent in self.entities and e.type in ("County", "Township", "Village"):
                    self.add(e.key, "locatedIn", e.parent, m.sentence, m.start, m.end, source="gazetteer")
                continue
            for anc in self.gaz.ancestors(e.code):
                key = f"place/{anc.code}"
                if key in self.entities:
                    self.add(e.key, "locatedIn", key, m.sentence, m.start, m.end, source="gazetteer")
                    break

    def actions(self) -> None:
        """implements, introduced and builds: an actor and what the trigger acts on."""
        for m in self.best_initiative_mentions():
            text, base = self.sentence_text(m.sentence)
            owner = IS_PROJECT_OF.match(text[m.end - base:])
            actor = None
            if owner:
                after = [o for o in self.by_sentence[m.sentence] if o.start - base == m.end - base + owner.end()
                         and self.is_actor_type(o)]
                actor = after[0].entity if after else None
            row = actor is None and PROJECT_ROW.match(text, m.end - base) and self.entities[m.entity].label.endswith("项目")
            if actor is None and self.trigger_before(m) is None and not self.command_sentence(m) and not row:
                continue                    # named in passing: no one is said to run it here
            if row:                         # a row of a project list or table: the article's aid runs it
                lead = self.doc.list_lead(m.sentence)
                actor = (self.actor_before(lead, 1 << 30) if lead != m.sentence else None) or self.default_actor
            actor = actor or self.actor_before(m.sentence, m.start) or self.default_actor
            self.act(self.with_command(actor), "implements", m.entity, m.sentence, m.start, m.end, "")
        for index, mentions in sorted(self.by_sentence.items()):
            text, base = self.sentence_text(index)
            by_list = FOUNDED_BY_LIST.search(text)
            if by_list:
                listed = [m for m in mentions if by_list.start(1) <= m.start - base < by_list.end(1)
                          and self.is_actor_type(m)]
                target = self.coreferent_initiative(index, text)
                for m in listed:
                    if target:
                        self.add(m.entity, "implements", target, index, base + by_list.start(), base + by_list.end())
            for relation, types in (("introduced", {"Enterprise", "Product"}), ("builds", BUILT_TYPES)):
                for pos, word in self.triggers_in(text, relation):
                    if relation == "builds" and (TIES_BUILT.match(text, pos + len(word))
                                                 or text[:pos].endswith(PAIRING_BEFORE_BUILD)
                                                 or text.startswith("项目", pos + len(word))):
                        continue            # 建立“一对一”帮扶关系, 结对共建: a tie is set up, nothing
                                            # is built; 某中学综合楼建设项目: a project's name
                    clause = _object_span(text, pos, word)
                    objects = [m for m in mentions if set(self.entities[m.entity].types) & types
                               and clause[0] <= m.start - base < clause[1]
                               and not (relation == "builds" and self.entities[m.entity].code)
                               and not (relation == "builds" and self.entities[m.entity].types[0] == "Village"
                                        and not self.entities[m.entity].label.endswith("新村")
                                        and not text.startswith("是", m.end - base))   # 某村是某市援建的示范村
                               and not _co_subject(text, m.start - base, m.end - base, pos)
                               and not _where(text, m.start - base, m.end - base, pos)
                               and not _for_whom(text, m.start - base, m.end - base, pos)]
                    if not objects:
                        continue
                    # a firm right before 建设 builds; one right before 落户 is what settles
                    actor = (relation == "builds" and self.enterprise_right_before(mentions, base, text, pos)
                             or self.passive_agent(mentions, text, base, pos)
                             or self.actor_before(index, base + pos) or self.default_actor)
                    for obj in objects:
                        self.act([a for a in self.with_command(actor) if a != obj.entity], relation, obj.entity,
                                 index, base + pos, base + pos + len(word), word)
        self.listed_objects()

    def listed_objects(self) -> None:
        """Items of a list opened by the sentence with the trigger, or by a short lead after it
        (…共招引企业14个。其中包括：- 甲公司 - 乙公司): each item heading its line is an object."""
        for index, mentions in sorted(self.by_sentence.items()):
            if self.doc.sentences[index].kind != "list":
                continue
            lead = self.doc.list_lead(index)
            if lead == index:
                continue
            stated = lead
            text, base = self.sentence_text(lead)
            if LIST_OPENER.fullmatch(text.strip()) and lead > 0:
                stated = lead - 1          # 其中包括： says nothing itself
                text, base = self.sentence_text(stated)
            item_text, item_base = self.sentence_text(index)
            first = next((m for m in mentions if not item_text[:m.start - item_base].strip("-•·*0-9.、 ")), None)
            if first is None:
                continue
            for relation, types in (("introduced", {"Enterprise", "Product"}), ("builds", BUILT_TYPES)):
                if not set(self.entities[first.entity].types) & types or self.entities[first.entity].code:
                    continue
                found = self.triggers_in(text, relation)
                if not found:
                    continue
                pos, word = found[-1]
                actor = self.passive_agent(self.by_sentence.get(stated, []), text, base, pos) \
                    or self.actor_before(stated, base + pos) or self.default_actor
                self.act([a for a in self.with_command(actor) if a != first.entity], relation, first.entity,
                         index, first.start, first.end, word)

    def passive_agent(self, mentions: list[Mention], text: str, base: int, pos: int) -> str | None:
        """The doer a clause names after 由 before its verb (由甲投入资金援建的乙, 同样由甲建设的乙):
        the last place of the chain right after 由."""
        at = text.rfind("由", _clause_start(text, pos), pos)
        if at < 0:
            return None
        agent = None
        for m in mentions:
            if m.start - base == (at + 1 if agent is None else agent.end - base) and m.end - base <= pos \
                    and self.is_actor_type(m):
                agent = m
        return agent.entity if agent else None

    def best_initiative_mentions(self) -> list[Mention]:
        """Per initiative, the mention with an implementing trigger before it, else the first."""
        best: dict[str, Mention] = {}
        for m in self.mentions:
            if "Initiative" not in self.entities[m.entity].types:
                continue
            cur = best.get(m.entity)
            if cur is None or (self.trigger_before(cur) is None and self.trigger_before(m) is not None):
                best[m.entity] = m
        return sorted(best.values(), key=lambda m: m.start)

    def trigger_before(self, m: Mention) -> str | None:
        """An implementing trigger in the clause before the mention (or 由…设立 after it)."""
        text, base = self.sentence_text(m.sentence)
        clause = text[_clause_start(text, m.start - base):m.start - base]
        for word in self.lex.triggers.get("implements", ()) + ("掀起", "精心打造"):
            if word in clause:
                return word
        return None

    def command_sentence(self, m: Mention) -> bool:
        """The sentence's own actor (at a clause head) is named: 衢州援疆迭代升级“十城百店”…"""
        return any(o.end <= m.start and self.is_actor(o) for o in self.by_sentence.get(m.sentence, ()))

    def coreferent_initiative(self, index: int, text: str) -> str | None:
        """该奖学金 / 此项目: the latest initiative whose name ends with that head word."""
        hit = THIS_ONE.search(text)
        if not hit:
            return None
        after = text[hit.end():]
        heads = [h for h in self.lex.initiative_heads if after.startswith(h)]
        if not heads:
            return None
        for m in reversed(self.mentions):
            e = self.entities[m.entity]
            if m.sentence <= index and "Initiative" in e.types and e.label.rstrip("”\"").endswith(heads[0]):
                return e.key
        return None

    def paired(self) -> None:
        for index, mentions in sorted(self.by_sentence.items()):
            text, base = self.sentence_text(index)
            if self.listed_pair(index, text, base):
                continue
            for pos, word in self.triggers_in(text, "pairedWith"):
                before = [m for m in mentions if m.end - base <= pos]
                if self.respective_twins(before, text, base, pos, index, word):
                    continue
                # a chain (上海市嘉定区) pairs through its most specific place
                before = [m for i, m in enumerate(before)
                          if not (i + 1 < len(before) and before[i + 1].start == m.end)]
                for a, b in zip(before, before[1:]):
                    between = text[a.end - base:b.start - base]
                    if PAIRED_WITH_GAP.match(between):
                        # only between divisions: a symmetric pair whose ends are not
                        # both well-known entities is the least reliable thing we extract
                        ea, eb = self.entities[a.entity], self.entities[b.entity]
                        if ea.code and eb.code and in_xinjiang(ea.code, self.gaz) != in_xinjiang(eb.code, self.gaz):
                            self.paired_places(a, b, index, base + pos, word)
                        elif self.twin_institutions(ea, eb, text[b.end - base:pos]):
                            self.add(a.entity, "pairedWith", b.entity, index, base + pos, base + pos + len(word), word)
            helped = HELPED_BY.search(text)
            if helped:
                # 在甲医院的帮助下，乙医院…: the one helping supports the one heading the clause after
                a = next((m for m in mentions if helped.start(1) <= m.start - base < helped.end(1)), None)
                b = next((m for m in mentions if m.start - base >= helped.end()), None)
                if a and b and text[helped.end():b.start - base].strip("，, ") == "" \
                        and self.twin_institutions(self.entities[a.entity], self.entities[b.entity], "") \
                        and self.crosses(a, b) and not in_xinjiang(
                            self.entities[self.place_in_name(self.entities[a.entity], named_only=False)].code, self.gaz):
                    self.add(a.entity, "supports", b.entity, index, base + helped.start(), base + helped.end(),
                             text[helped.start():helped.end()])
            for pos, word in self.triggers_in(text, "supports") + self.triggers_in(text, "pairedWith"):
                # 甲医院对口帮扶乙医院, 甲中学等单位结对乙中学: two schools or hospitals either
                # side of the word are twinned
                a = next((m for m in mentions if TWIN_GAP.fullmatch(text, m.end - base, pos)), None)
                b = next((m for m in mentions if m.start - base == pos + len(word)), None)
                if a and b and self.twin_institutions(self.entities[a.entity], self.entities[b.entity], "") \
                        and self.crosses(a, b):
                    self.add(a.entity, "pairedWith", b.entity, index, base + pos, base + pos + len(word), word)
            for pos, word in self.triggers_in(text, "pairedWith"):
                # 鞍山市结对沙湾县: the word between the two places
                a = next((m for m in mentions if m.end - base == pos and self.entities[m.entity].code), None)
                b = next((m for m in mentions if m.start - base == pos + len(word) and self.entities[m.entity].code), None)
                if a and b and in_xinjiang(self.entities[a.entity].code, self.gaz) != \
                        in_xinjiang(self.entities[b.entity].code, self.gaz):
                    self.paired_places(a, b, index, base + pos, word)

    def crosses(self, a: Mention, b: Mention) -> bool:
        """Whether one of two institutions is named after a place in Xinjiang and the other
        after a place outside it (天津市津南医院, 策勒县人民医院)."""
        places = [self.place_in_name(self.entities[m.entity], named_only=False) for m in (a, b)]
        return all(places) and in_xinjiang(self.entities[places[0]].code, self.gaz) != \
            in_xinjiang(self.entities[places[1]].code, self.gaz)

    def paired_places(self, a: Mention, b: Mention, index: int, at: int, word: str) -> None:
        """A place outside Xinjiang paired with a county, city or prefecture in it supports it
        (鞍山市结对沙湾县); the pairing itself is recorded too."""
        giver, taker = (a, b) if in_xinjiang(self.entities[b.entity].code, self.gaz) else (b, a)
        if set(self.entities[taker.entity].types) & {"County", "City", "Prefecture"}:
            self.add(giver.entity, "supports", taker.entity, index, at, at + len(word), word)
        self.add(a.entity, "pairedWith", b.entity, index, at, at + len(word), word)

    def listed_pair(self, index: int, text: str, base: int) -> bool:
        """A line of a list of pairs (甲小学——乙小学) after the words that announce it
        (结对名单如下:): the two are paired. Whether it paired them."""
        shape, pair = self.line_shape(index)
        if not PAIR_LINE.fullmatch(shape):
            return False
        found = self.triggers_in(text[:text.rfind(":") + 1 or text.rfind("：") + 1], "pairedWith")
        back = index
        while not found and back > max(index - 8, 0):
            back -= 1
            found = self.triggers_in(self.sentence_text(back)[0], "pairedWith")
            if not found and not PAIR_LINE.fullmatch(self.line_shape(back)[0]):
                return False                  # the list must run back to its announcement
        a, b = (self.entities[m.entity] for m in pair)
        if not found or not (self.twin_institutions(a, b, "") or a.code and b.code and
                             in_xinjiang(a.code, self.gaz) != in_xinjiang(b.code, self.gaz)):
            return False
        # evidence: the line, its dash as the span, the announcement's word as the trigger
        self.add(pair[0].entity, "pairedWith", pair[1].entity, index, pair[0].end, pair[1].start, found[0][1])
        return True

    def line_shape(self, index: int) -> tuple[str, list[Mention]]:
        """A sentence, or what follows its last colon (…名单如下:甲——乙), with its two names
        cut out (|——|); '' when it has not two."""
        text, base = self.sentence_text(index)
        cut = max(text.rfind(":"), text.rfind("："), -1) + 1
        ms = [m for m in self.by_sentence.get(index, []) if m.start - base >= cut]
        if len(ms) != 2:
            return "", ms
        return (text[cut:ms[0].start - base] + "|" + text[ms[0].end - base:ms[1].start - base] + "|"
                + text[ms[1].end - base:]), ms

    def respective_twins(self, before: list[Mention], text: str, base: int, pos: int, index: int, word: str) -> bool:
        """甲中学、乙中学分别与丙中学、丁中学结对: schools or hospitals listed on both sides of
        分别与 pair one to one. Whether it paired any."""
        start = _clause_start(text, pos)
        split = max((m.start() for m in RESPECTIVE_WITH.finditer(text, start, pos)), default=-1)
        if split < 0:
            return False
        kinds = {"School", "Hospital"}
        twins = [m for m in before if kinds & set(self.entities[m.entity].types) and m.start - base >= start]
        left = [m for m in twins if m.end - base <= split]
        right = [m for m in twins if m.start - base > split]
        if not len(left) == len(right) >= 2:
            return False
        for a, b in zip(left, right):
            self.add(a.entity, "pairedWith", b.entity, index, base + pos, base + pos + len(word), word)
        return True

    # -- who acts: the rules' pick, or the actor scorer's choice among candidates -----------
    def act(self, actors: list[str], relation: str, obj: str, sentence: int, start: int, end: int,
            trigger: str) -> None:
        """Record what the rules propose for an action: the acting entities they picked for
        ``obj`` (a city and its aid command, say). :meth:`decide_actors` settles it."""
        self.proposals.append((actors, relation, obj, sentence, start, end, trigger))

    def decide_actors(self, scorer: Scorer | None) -> None:
        """Each proposed action gets one actor: the scorer's choice among every entity that
        could act (named in the sentence or the one before, or one of the article's actors),
        or, without a scorer, the rules' own picks."""
        seen = set()
        for actors, relation, obj, sentence, start, end, trigger in self.proposals:
            if (relation, obj, sentence) in seen:
                continue
            seen.add((relation, obj, sentence))
            candidates = self.actor_candidates(sentence, start, actors, obj)
            if scorer is not None and candidates:
                # the rules' actors, each as likely as the scorer finds it, and any other
                # candidate it finds likelier than not (several may act: a city and its command)
                scored = dict((k, scorer.probability(f)) for k, f in candidates)
                chosen = [(k, p) for k, p in scored.items() if k in actors or p >= ACTOR_CUT]
            else:
                chosen = [(a, 1.0) for a in actors]
            for actor, confidence in chosen:
                self.add(actor, relation, obj, sentence, start, end, trigger)
                rel = self.out.get((actor, relation, obj))
                if rel is not None:
                    rel.candidates = candidates
                    rel.choice = max(rel.choice, confidence)

    def actor_candidates(self, sentence: int, pos: int, picked: list[str], obj: str) -> list[tuple[str, dict]]:
        """Entities that could do what the trigger at ``pos`` says, with general features."""
        text, base = self.sentence_text(sentence)
        near: dict[str, tuple[Mention, str]] = {}
        for index in (sentence - 1, sentence):
            for m in self.by_sentence.get(index, ()):
                e = self.entities[m.entity]
                if m.entity == obj or CAN_ACT.isdisjoint(e.types):
                    continue
                if index == sentence:
                    scope = "before" if m.end <= pos else "after"
                else:
                    scope = "prev_sentence"
                old = near.get(m.entity)
                if old is None or (scope == "before" and (old[1] != "before" or m.end > old[0].end)):
                    near[m.entity] = (m, scope)
        keys = list(near) + [k for k in (*self.roles, *picked) if k and k not in near and k != obj]
        out = []
        for k in dict.fromkeys(keys):
            e = self.entities[k]
            f: dict[str, float] = {f"type:{t}": 1.0 for t in e.types}
            role = self.roles.get(k)
            if role:
                f[f"role:{role}"] = 1.0
            if k in picked:
                f["rule"] = 1.0
                f[f"rule&type:{e.types[0]}"] = 1.0
            if k == self.default_actor:
                f["role:default"] = 1.0
            if self.supporter and e.parent is None and "Organization" in e.types and self.command and k != self.command:
                f["other_organization"] = 1.0
            scope = near[k][1] if k in near else "article"
            f[f"scope:{scope}"] = 1.0
            f[f"scope:{scope}&type:{e.types[0]}"] = 1.0
            if role:
                f[f"scope:{scope}&role:{role}"] = 1.0
            if k in near:
                m = near[k][0]
                if m.sentence == sentence:
                    if m.end <= pos:
                        gap = text[m.end - base:pos - base]
                        f["dist:" + bucket(len(gap), (0, 2, 6, 15, 40))] = 1.0
                        if CLAUSE_BREAK.search(gap):
                            f["gap:clause_break"] = 1.0
                        others = sum(1 for o in self.by_sentence[sentence] if m.end <= o.start and o.end <= pos
                                     and self.is_actor_type(o))
                        f["between_actors:" + bucket(others, (0, 1))] = 1.0
                    preps, clause_head = self.lead_in(m)
                    for cls in preps:
                        f[f"before:{cls}"] = 1.0
                    if clause_head:
                        f["clause_head"] = 1.0
                        f[f"clause_head&type:{e.types[0]}"] = 1.0
            out.append((k, f))
        return out

    # -- features of a proposed relation, for the learned scorer (kg.decide) ---------------
    def features(self, rel: Relation) -> dict[str, float]:
        """General features of a proposed relation: the rule and trigger that proposed it, the
        types and article roles of its ends, and where its ends stand around the trigger in
        the evidence sentence; never a name."""
        p = rel.predicate
        f: dict[str, float] = {f"pred:{p}": 1.0, f"pred:{p}&rule:{rel.rule}": 1.0}
        for end, key in (("s", rel.subject), ("o", rel.object)):
            f.update(dict.fromkeys(self.end_features(p, end, key), 1.0))
        f[f"pred:{p}&stype:{self.entities[rel.subject].types[0]}&otype:{self.entities[rel.object].types[0]}"] = 1.0
        f[f"pred:{p}&evidence:{min(len(rel.evidence), 3)}"] = 1.0
        ev = rel.evidence[0]
        text, base = self.sentence_text(ev.sentence)
        sent = self.doc.sentences[ev.sentence]
        if sent.kind != "body":
            f[f"pred:{p}&kind:{sent.kind}"] = 1.0
        trig = (ev.start - base, ev.end - base)
        in_sentence = self.by_sentence.get(ev.sentence, [])
        for end, key in (("s", rel.subject), ("o", rel.object)):
            ms = [m for m in in_sentence if m.entity == key]
            if not ms:
                f[f"pred:{p}&{end}:elsewhere"] = 1.0
                continue
            m = min(ms, key=lambda m: min(abs(m.start - base - trig[0]), abs(m.end - base - trig[1])))
            a, b = m.start - base, m.end - base
            if b <= trig[0]:
                side, gap = "before", text[b:trig[0]]
            elif a >= trig[1]:
                side, gap = "after", text[trig[1]:a]
            else:
                side, gap = "at", ""
            f[f"pred:{p}&{end}:{side}"] = 1.0
            if side != "at":
                f[f"pred:{p}&{end}:{side}:dist:" + bucket(len(gap), (0, 2, 6, 15))] = 1.0
                if CLAUSE_BREAK.search(gap):
                    f[f"pred:{p}&{end}:{side}:clause_break"] = 1.0
                if "、" in gap:
                    f[f"pred:{p}&{end}:{side}:list"] = 1.0
                between = sum(1 for o in in_sentence if o.entity != key and
                              (b <= o.start - base and o.end - base <= trig[0] or trig[1] <= o.start - base and o.end - base <= a))
                f[f"pred:{p}&{end}:{side}:between:" + bucket(between, (0, 1))] = 1.0
            preps, clause_head = self.lead_in(m)
            for cls in preps:
                f[f"pred:{p}&{end}:{cls}"] = 1.0
            if clause_head:
                f[f"pred:{p}&{end}:clause_head"] = 1.0
        return f

    def end_features(self, p: str, end: str, key: str) -> list[str]:
        """The features of :meth:`features` that read only one end of the relation (its types,
        code, role, mentions and the rules that found it), made once per predicate and end."""
        known = self.end_memo.get((p, end, key))
        if known is None:
            e = self.entities[key]
            known = [f"pred:{p}&{end}type:{t}" for t in e.types]
            if e.code:
                known += [f"pred:{p}&{end}:coded", f"pred:{p}&{end}:xinjiang:{int(in_xinjiang(e.code, self.gaz))}"]
            role = self.roles.get(key)
            if role:
                known.append(f"pred:{p}&{end}role:{role}")
            mine = self.by_entity.get(key, [])
            known.append(f"pred:{p}&{end}mentions:" + bucket(len(mine), (0, 1, 3)))
            # which rules found the name (suffix, quote …), in a fixed order (a set's order
            # changes from run to run, and with it the sum of the weights in its last bits)
            known += [f"pred:{p}&{end}found:{src}" for src in sorted({m.source for m in mine})]
            self.end_memo[p, end, key] = known
        return known

    @staticmethod
    def twin_institutions(a: Entity, b: Entity, before_trigger: str) -> bool:
        """Two schools or two hospitals named side by side shortly before the verb
        (甲中学与乙中学结成友好学校, 甲中学与乙中学开展“手拉手”结对帮扶): the twinning
        the article reports."""
        kinds = {"School", "Hospital"}.intersection(a.types, b.types)
        return bool(kinds) and a.key != b.key and len(before_trigger) <= 8 and \
            not CLAUSE_OR_LIST_BREAK.search(before_trigger)


def aid_command(mentions: list[Mention], entities: dict[str, Entity], supporter: str | None) -> str | None:
    """The supporting city's aid command (…市援疆指挥部, 太原援疆工作队), if the article
    names it: an organisation with 援疆 in its name that starts with the city's name."""
    if not supporter:
        return None
    city = entities[supporter]
    names = tuple(n for n in (city.label, *sorted(city.alt_labels)) if len(n) >= 2)
    counts: dict[str, int] = {}
    for m in mentions:
        e = entities.get(m.entity) if m.entity else None
        if e and "Organization" in e.types and "援疆" in e.label and e.label.startswith(names):
            counts[e.key] = counts.get(e.key, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else None


CLAUSE_MARK = re.compile("[,，;；:：]")


def _clause_start(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` starts: after the last clause mark before it."""
    return after_last(CLAUSE_MARK, text, pos)


CLAUSE_END = re.compile("[,，;；。]")


def _clause_end(text: str, pos: int) -> int:
    end = CLAUSE_END.search(text, pos if pos >= 0 else max(len(text) + pos, 0))   # as str.find counts
    return end.start() if end else len(text)


def _object_span(text: str, pos: int, word: str) -> tuple[int, int]:
    """Where the objects of ``word`` at ``pos`` may stand: its clause, and on past it when
    the clause opens a list (招引两家浙企：A投资…，B投资…), ends with the word (由X牵线，A…)
    or in what the next clause names (招引落户的企业中，A…; 牵线落户的，还有A; 招引了5家企业，
    包括A、B和C)."""
    start, end = _clause_start(text, pos), _clause_end(text, pos)
    if OPENS_LIST.search(text, pos, end):
        return start, len(text)
    if end < len(text) and text[end] in ",，" and (NAMED_NEXT.search(text, pos, end) or end == pos + len(word)
                                                  or LIST_LEAD.match(text, end + 1)):
        return start, _clause_end(text, end + 1)
    return start, end


def extract_relations(documents: list[tuple[Document, list[Mention]]], entities: dict[str, Entity],
                      pairings: dict[str, Pairing], gaz: Gazetteer | None = None,
                      lex: Lexicon | None = None, scorer: Scorer | None = None,
                      actor_scorer: Scorer | None = None) -> list[Relation]:
    """Relations of every document. ``scorer`` gives each proposed relation the probability
    that it holds; ``actor_scorer`` chooses who acts in implements, introduced and builds
    (without them the rules decide, at full confidence)."""
    gaz, lex = gaz or load_gazetteer(), lex or load_lexicon()
    return merge_relations(document_relations(doc, mentions, entities, pairings[doc.doc_id], gaz, lex,
                                              scorer, actor_scorer) for doc, mentions in documents)


def document_relations(doc: Document, mentions: list[Mention], entities: Mapping[str, Entity],
                       pairing: Pairing, gaz: Gazetteer, lex: Lexicon, scorer: Scorer | None = None,
                       actor_scorer: Scorer | None = None) -> list[Relation]:
    """The relations one document states, scored, before they are merged across documents
    (:func:`merge_relations`): what it reads besides the document is its pairing and the
    ``entities`` it looks up."""
    r = _DocRelations(doc, mentions, entities, pairing, gaz, lex)
    for rule in (r.supports, r.located, r.hierarchy, r.actions, r.paired):
        r.rule = rule.__name__
        rule()
    r.rule = "actions"
    r.decide_actors(actor_scorer)
    for rel in r.out.values():
        if rel.source == "text":
            rel.features = r.features(rel)
            holds = scorer.probability(rel.features) if scorer else 1.0
            rel.confidence = round(holds * rel.choice, 3)
            if scorer is not None:      # decided: the features are only for training (memory)
                rel.features = {}
                rel.candidates = [(k, DECIDED) for k, _ in rel.candidates]
    return list(r.out.values())


def merge_relations(per_document: Iterable[list[Relation]]) -> list[Relation]:
    """One relation per (subject, predicate, object), in that order: the evidence of every
    document stating it, in document order, and the highest confidence."""
    merged: dict[tuple[str, str, str], Relation] = {}
    for relations in per_document:
        for rel in relations:
            key = (rel.subject, rel.predicate, rel.object)
            if key in merged:
                merged[key].evidence.extend(rel.evidence)
                merged[key].confidence = max(merged[key].confidence, rel.confidence)
                if rel.source == "text":
                    merged[key].source = "text"
            else:
                merged[key] = rel
    return [merged[k] for k in sorted(merged)]


def _co_subject(text: str, start: int, end: int, trigger: int) -> bool:
    """A医院与B医院建立合作: entities joined by 与/和 before the verb are its subjects; so
    are the helper and the helped of A医院帮助B医院建成胸痛中心 (the centre is built)."""
    if end > trigger:
        return False
    return text[end:trigger].startswith(("与", "和", "同") + HELP) or text[:start].endswith(("与", "同") + HELP)


def _for_whom(text: str, start: int, end: int, trigger: int) -> bool:
    """为伽师县第一中学建起一座实验室: the school the verb is done for is not what is built."""
    return end <= trigger and text[:start].endswith(FOR_WHOM)


def _where(text: str, start: int, end: int, trigger: int) -> bool:
    """在园区建设生产线: a facility after 在, before the verb, is where the building
    happens, not what is built."""
    return end <= trigger and text[:start].endswith(("在", "于"))
