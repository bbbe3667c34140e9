"""Stated quantities: value in base units, unit code, indicator, subject and period.

Entry point: :func:`extract_metrics`. Numbers may be Arabic (8.4亿元, 3500万元, 91%) or
Chinese (两千余人, 百分之九十, 数百名); Chinese numerals go through cn2an. Years, ordinals
(第十批), numbers inside names or quotes (8090南孔文化宣讲团, “1323”) are not metrics.

The subject is chosen by the first rule that applies:
1. a division or organisation written right before the number (湖州市首批16名);
2. one written right after the measure word (1198个湖州市学生家庭);
3. the entity the quantity describes with 的 (4794平方米的湖州新村);
4. the place things settle in (1.5万余头湖羊“落户”柯坪);
5. (not for money) the nearest initiative in the sentence that is not itself counted;
6. the nearest actor, facility, school or hospital before the number; 7. the article's
own actor.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property

import cn2an

from .decide import Scorer, bucket, load_scorer
from .lexicon import Lexicon, cue_group, load_lexicon, rule_pairs, rule_pattern, rule_words
from .mentions import NAME_CHAR, _dictionary_tags, _is_stop, lcut
from .model import DECIDED, Document, Entity, Evidence, Mention, Metric
from .spans import context_words
from .relations import ACTOR_TYPES, CLAUSE_BREAK, CLAUSE_HEAD, NOT_ACTOR_BEFORE
from .textsearch import after_last

CN_DIGITS = "零一二三四五六七八九十百千万亿两〇"
BUILT = {"Facility", "School", "Hospital"}
SUBJECT_TYPES = ACTOR_TYPES | BUILT | {"Village", "Initiative", "Enterprise"}
# the model may also weigh these, which the rules never pick (a villager's income, a product's sales)
CANDIDATE_TYPES = SUBJECT_TYPES | {"Person", "Product", "Township"}
# word lists and patterns are data: kg/data/lexicon/rule_words.tsv and rule_patterns.tsv say what each is
MODIFIERS = rule_pattern("modifiers")
APPROX_AFTER = rule_pattern("approx_after")
APPROX_BEFORE = rule_words("approx_before")
NOT_AFTER = rule_pattern("not_after")
PHASE_ORDINAL = rule_pattern("phase_ordinal")
PERIOD = rule_pattern("period")
SETTLE = rule_pattern("settle")
REACH_HEAD = rule_pattern("reach_head")
INVESTS = rule_pattern("invests")
INDICATOR_HEAD = rule_pattern("indicator_head")
INDICATOR_TAIL = rule_pattern("indicator_tail")
VERB_INDICATORS = rule_words("verb_indicators")
LINKING = rule_words("linking")
REACH_VERBS = frozenset(rule_words("reach_verbs"))
BENEFICIARY = rule_words("beneficiary")
HELP_LEAD = rule_words("help_lead")
TIME_UNITS = ("day", "hour", "month")
PERIOD_BEFORE = rule_words("period_before")
PERIOD_AFTER = rule_words("period_after")
SUPPORT_WORDS = rule_words("support_words")
COUNTED_UNITS = frozenset(rule_words("counted_units"))
COPULA = rule_words("copula")
CN_ONLY_UNITS = frozenset(rule_words("cn_only_units"))
CHANGE_VERBS = rule_words("change_verbs")
REFINE_ITEM = rule_pairs("refine_item")
FIRST_PERSON = rule_pattern("first_person")
SAY_WORDS = context_words("say")
DIGIT_PAIR = re.compile("[一二三四五六七八九]{2}")
ORDINAL_RUN = rule_pattern("ordinal_run")
TIME_CLAUSE = rule_pattern("time_clause")


_NUMBER_PATTERNS: dict[int, re.Pattern] = {}


def _number_pattern(lex: Lexicon) -> re.Pattern:
    """Built once per lexicon (it joins every unit), not once per document."""
    if id(lex) not in _NUMBER_PATTERNS:
        _NUMBER_PATTERNS[id(lex)] = _build_number_pattern(lex)
    return _NUMBER_PATTERNS[id(lex)]


def _build_number_pattern(lex: Lexicon) -> re.Pattern:
    units = "|".join(re.escape(u) for u in sorted(lex.units, key=len, reverse=True))
    # the lookahead names every character a figure can begin with (百分之, 八成, 12, 数百, 三十):
    # at the other places the engine stops at once instead of trying each branch
    return re.compile(
        rf"(?=[\d{CN_DIGITS}百二三四五六七八九两数])(?:"
        rf"(?P<pct>百分之(?P<pctnum>[{CN_DIGITS}点]+))|"
        rf"(?P<tenths>[二三四五六七八九两])成(?=以上|左右|多|[，。；、,;]|$)|"     # 超过八成: tenths, a percentage
        rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|数[十百千万]|[{CN_DIGITS}]+)\s*(?P<mult>万|亿|千)?"
        rf"(?P<approx>余|多)?\s*(?P<unit>{units}))")


def _to_number(text: str) -> tuple[float | None, bool]:
    """Value of an Arabic or Chinese numeral; 数百 counts as an approximate 100."""
    if text.startswith("数"):
        return {"十": 10.0, "百": 100.0, "千": 1000.0, "万": 10000.0}[text[1]], True
    try:
        return float(text.replace(",", "")), False       # 1,200套: a thousands separator
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(text, "smart")), False
    except (ValueError, KeyError, TypeError):
        return None, False


Said = tuple[float, str, bool, str]   # value, unit code, approximate, indicator


class _DocMetrics:
    def __init__(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity],
                 actors: tuple[str | None, ...], lex: Lexicon,
                 known: dict[tuple[int, int, int], Said] | None = None, scorer: Scorer | None = None):
        self.doc, self.entities, self.lex, self.known, self.scorer = doc, entities, lex, known, scorer
        self.supporter, self.command, self.supported = actors
        self.default_actor = self.command or self.supporter
        # who told the news (据某委网站消息) or wrote it up (记者某某报道) is not what its figures are about
        self.mentions = [m for m in mentions if m.entity and not self.news_source(m) and not self.byline(m)]
        self.by_sentence: dict[int, list[Mention]] = {}
        for m in self.mentions:
            self.by_sentence.setdefault(m.sentence, []).append(m)
        self.pattern = _number_pattern(lex)
        self.covered = {i for m in mentions for i in range(m.start, m.end)}
        self.mention_starts = {m.start for m in mentions}
        self.mention_count: dict[str, int] = {}
        self.type_sets: dict[str, frozenset[str]] = {}
        for m in self.mentions:
            self.mention_count[m.entity] = self.mention_count.get(m.entity, 0) + 1
        self.roles = {k: r for r, k in (("supported", self.supported), ("command", self.command),
                                         ("supporter", self.supporter)) if k}
        if self.default_actor and not self.command and all(
                self.listed(m, doc.sentences[m.sentence].text, doc.sentences[m.sentence].start)
                for m in self.mentions if m.entity == self.default_actor):
            self.default_actor = None   # 其中：湖南、浙江…: one of several named, not the article's actor
            self.roles = {}             # and the pairing read from such a list (江苏省（对口支援伊犁州）、…) acts for no figure
        self.last_rule_pick: tuple[int, str | None] = (-1, None)     # (paragraph, key)
        self.when_memo: dict[int, bool] = {}
        self.carried: tuple[int, str | None] = (-2, None)            # (sentence, key) a rule found in text
        self.mention_memo: dict[int, dict[str, float]] = {}           # id(mention) -> _mention_features

    def news_source(self, m: Mention) -> bool:
        """据某委网站消息, 据某台报道: the name says where the news came from."""
        return NEWS_SOURCE_BEFORE.search(self.doc.text, max(0, m.start - 1), m.start) is not None \
            and NEWS_SOURCE_AFTER.match(self.doc.text, m.end) is not None

    def byline(self, m: Mention) -> bool:
        """记者某某报道, （记者 某某 通讯员 某某）: a person named as the writer of the news."""
        return m.type == "Person" and BYLINE_BEFORE.search(self.doc.text, max(0, m.start - 8), m.start) is not None

    def types(self, m: Mention) -> frozenset[str]:
        """The types of what ``m`` names, as a set (made once per entity: asked per candidate)."""
        known = self.type_sets.get(m.entity)
        if known is None:
            known = self.type_sets[m.entity] = frozenset(self.entities[m.entity].types)
        return known

    @cached_property
    def organisations(self) -> list[str]:
        """The organisations the article names (made once, asked for each figure)."""
        return [k for k in self.mention_count if "Organization" in self.entities[k].types]

    def extract(self) -> list[Metric]:
        out: list[Metric] = []
        seen: set[tuple[float, str, str | None]] = set()
        list_period = None
        for sent in self.doc.sentences:
            text = sent.text
            # the period is looked for in a list item, else only once the sentence gives a figure
            period_hit = PERIOD.search(text) if sent.kind == "list" else None
            period_searched = sent.kind == "list"
            if period_hit and period_hit.group(0) == text.strip("- ").strip():
                list_period = period_hit.group(0)
                continue
            quotes = _quotes(text)
            in_sentence = self.by_sentence.get(sent.index, [])
            before: Metric | None = None
            for hit in self.pattern.finditer(text):
                metric = self.read(sent, hit, quotes, in_sentence)
                if metric is None:
                    continue
                rise = before is not None and self.rises_to(text, before.evidence.start - sent.start,
                                                            before.evidence.end - sent.start, hit.start())
                if rise:        # 人均纯收入从不足8000元提高到18000多元: both figures are of what the clause names first
                    before.indicator = metric.indicator = self.level_indicator(text, rise, before, in_sentence,
                                                                               sent.start)
                if rise or before is not None and CHANGE_OF_BEFORE.fullmatch(text, before.evidence.end - sent.start,
                                                                            hit.start()):
                    # 销售额达3.6亿元，同比增长18.5%; 由4亿元增长到40.04亿元: the change is of the
                    # figure just before, or its new level, whose subject it shares
                    metric.about, metric.confidence = before.about, before.confidence
                before = metric
                if not period_searched:
                    period_hit, period_searched = PERIOD.search(text), True
                metric.period = period_hit.group(0) if period_hit else (list_period if sent.kind == "list" else None)
                key = (metric.value, metric.unit, metric.about)
                if key in seen:
                    continue
                seen.add(key)
                metric.key = f"{self.doc.doc_id}-{len(out) + 1}"
                out.append(metric)
        return out

    def level_indicator(self, text: str, rise: re.Match, first: Metric, in_sentence: list[Mention],
                        base: int) -> str:
        """What a change from one level to another measures: the words before 由/从 less the
        names that open them (某村人均纯收入从… -> 人均纯收入), else the first level's indicator."""
        named = text[_after_last_break(text, rise.start()):rise.start()]
        subject = self.entities.get(first.about) if first.about else None
        named = _without_name(named, [m.text for m in in_sentence if m.end - base <= rise.start()]
                              + ([subject.label, *subject.alt_labels] if subject else []))
        if len(named) >= 2 and not any(m.text == named for m in in_sentence):
            return named
        return first.indicator

    @staticmethod
    def rises_to(text: str, first_start: int, first_end: int, second_start: int) -> re.Match | None:
        """由2014年的4亿元增长到2024年的40.04亿元: the second figure is the first one's new
        level; the match of 由/从 and what follows it up to the first figure."""
        if RISE_TO.fullmatch(text, first_end, second_start) is None:
            return None
        return FROM_BEFORE.search(text, _after_last_break(text, first_start), first_start)

    def read(self, sent, hit: re.Match, quotes, in_sentence: list[Mention]) -> Metric | None:
        said = self.said(sent, hit, quotes)
        if said is None:
            return None
        value, unit_code, approx, indicator = said
        text, base = sent.text, sent.start
        start, end = hit.start(), hit.end()
        rule = self.subject(sent, start, end, unit_code, in_sentence)
        indicator = _without_name(indicator, [m.text for m in in_sentence if m.end - base <= start])
        candidates = self.subject_candidates(sent, start, end, unit_code, indicator, rule)
        self.last_rule_pick = (sent.paragraph, rule)
        if self.step not in ("article_actor", "carried"):
            self.carried = (sent.index, rule)
        about, confidence = rule, (1.0 if rule else 0.0)
        trusted = self.scorer.meta.get("trusted rules", {}) if self.scorer is not None else {}
        if self.step == "collective":
            pass                                # a group's figure: kept with no subject
        elif rule and self.step in trusted:
            confidence = trusted[self.step]     # a construction the rules read better than the model
        elif self.scorer is not None and candidates:
            best, confidence = self.scorer.choose([f for _, f in candidates])
            about = candidates[best][0]
            if self.scorer.logit(candidates[best][1]) < NO_SUBJECT_BELOW:
                about, confidence = None, 0.0   # even the best is nearly sure not to be it: no one's
        if self.scorer is not None:     # decided: keep who was considered, not the features (memory)
            candidates = [(k, DECIDED) for k, _ in candidates]
        return Metric(key="", value=value, unit=unit_code, indicator=indicator, about=about,
                      surface=text[start:end], approx=approx,
                      evidence=Evidence(self.doc.doc_id, sent.index, base + start, base + end),
                      confidence=round(confidence, 3), candidates=candidates)

    # -- the learned choice of subject ---------------------------------------------------
    def subject_candidates(self, sent, start: int, end: int, unit: str, indicator: str,
                           rule: str | None) -> list[tuple[str, dict[str, float]]]:
        """Every entity that could be the figure's subject, with its features: those named
        in its sentence, the sentence before and its paragraph, the article's actors, and
        the rules' own pick. Features describe the candidate's place and role, never its name."""
        base, text = sent.start, sent.text
        number = base + start
        sentences = self.doc.sentences
        near: dict[str, tuple[Mention, str]] = {}
        pool = []
        for s in sentences[max(0, sent.index - 6):sent.index + 1]:
            if s.paragraph == sent.paragraph or s.index >= sent.index - 1:
                pool.extend(self.by_sentence.get(s.index, ()))
        lead = self.list_lead(sent)
        if lead is not None and lead.index < sent.index - 1:
            pool.extend(self.by_sentence.get(lead.index, ()))
        clause = base + _after_last_break(text, start)
        clause_end = base + next((c.start() for c in CLAUSE_BREAK.finditer(text, end)), len(text))
        for m in pool:
            if not (self.types(m) & CANDIDATE_TYPES) or self.chain_outer(m):
                continue
            if m.sentence == sent.index:
                if m.end <= number:
                    scope = "clause" if m.start >= clause else "sentence_before"
                elif m.start >= base + end:
                    scope = "clause_after" if m.end <= clause_end else "sentence_after"
                else:
                    continue
            elif lead is not None and m.sentence == lead.index:
                scope = "list_lead"
                if self.ends_lead(m, lead):
                    scope = "list_lead_end"     # …扶持建起某合作社：- 入社农户312户: what the list is about
            elif self.siblings(m.sentence, sent.index):
                scope = "sibling_item"          # 二是引进某公司…；三是…实现消费帮扶3200万元
            elif m.sentence == sent.index - 1:
                scope = "prev_sentence"
            else:
                scope = "paragraph"
            old = near.get(m.entity)
            if old is None or _closer(m, old[0], number):
                near[m.entity] = (m, scope)
        # the article's organisations too: a city's figure is often its aid command's or team's
        organisations = self.organisations
        speaker = self.speaker(sent, start)
        keys = list(dict.fromkeys([*near, *(k for k in (*self.roles, rule) if k and k in self.entities),
                                   *organisations, *([speaker] if speaker else [])]))
        cues = self.lex.cues or {}
        ind_classes = [c for c, _, anywhere in cue_group(cues, ("ind_",)) if anywhere.search(indicator)]
        # what the number's own clause says before it: its verb, and whether it names a doer
        lead = text[clause - base:start]
        verbs = [c for c, _, anywhere in cue_group(cues, ("verb_",)) if anywhere.search(lead)]
        stated = any(scope == "clause" for _, scope in near.values())
        context = [*(f"clause_{v}" for v in verbs), "stated" if stated else "unstated"]
        out = []
        for k in keys:
            f: dict[str, float] = {}
            e = self.entities[k]
            for t in e.types:
                f[f"type:{t}"] = 1.0
            primary = e.types[0]
            role = self.roles.get(k)
            if role:
                f[f"role:{role}"] = 1.0
            if k == self.default_actor:
                f["role:default"] = 1.0
            if k == rule:
                f["rule"] = 1.0
                f[f"rule:{self.step}"] = 1.0
                f[f"rule:{self.step}&type:{e.types[0]}"] = 1.0
            if self.last_rule_pick == (sent.paragraph, k):
                f["prev_rule"] = 1.0
            if k == speaker:
                f["speaker"] = 1.0              # 她说：“我每个月能挣2800元”: the one speaking
                f[f"speaker&type:{e.types[0]}"] = 1.0
            f["mentions:" + bucket(self.mention_count.get(k, 0), (0, 1, 3))] = 1.0
            tags = [f"unit:{unit}", *(f"ind:{c}" for c in ind_classes), *context]
            if k in near:
                m, scope = near[k]
                f[f"scope:{scope}"] = 1.0
                tags.append(f"scope:{scope}")
                for c in context:
                    f[f"{c}&scope:{scope}"] = 1.0
                self._place_features(f, m, number, base + end, cues, m.sentence == sent.index)
            else:
                f["scope:article"] = 1.0
                tags.append("scope:article")
                for c in context:
                    f[f"{c}&scope:article"] = 1.0
            for tag in tags:
                f[f"{tag}&type:{primary}"] = 1.0
                if role:
                    f[f"{tag}&role:{role}"] = 1.0
            out.append((k, f))
        return out

    @cached_property
    def item_openers(self) -> frozenset[int]:
        """The sentences that open an item of a numbered run (一是…, 其二，…)."""
        return frozenset(s.index for s in self.doc.sentences if ITEM_OPENER.match(s.text))

    def siblings(self, a: int, b: int) -> bool:
        """Whether sentences ``a`` and ``b`` open two items of one numbered run (一是…；二是…)."""
        return a in self.item_openers and b in self.item_openers \
            and self.doc.sentences[a].paragraph == self.doc.sentences[b].paragraph

    def list_lead(self, sent) -> object | None:
        """The sentence that opens the list an item belongs to (…合作社：, 如今：), if any."""
        lead = self.doc.sentences[self.doc.list_lead(sent.index)]
        return None if lead.index == sent.index or lead.kind == "list" else lead

    def ends_lead(self, m: Mention, lead) -> bool:
        """Whether ``m`` ends a list's lead sentence, only a colon after it (…建起某合作社：)."""
        return ONLY_COLON.match(self.doc.text, m.end, lead.start + len(lead.text)) is not None

    def _mention_features(self, m: Mention, cues) -> dict[str, float]:
        """The features of :meth:`_place_features` that read only the mention and its sentence,
        made once per mention (a mention is a candidate of every figure near it)."""
        known = self.mention_memo.get(id(m))
        if known is not None:
            return known
        f: dict[str, float] = self.mention_memo.setdefault(id(m), {})
        s = self.doc.sentences[m.sentence]
        text, base = s.text, s.start
        before = text[:self.chain_start(m, self.by_sentence[m.sentence]) - base]   # 在第五师双河市…
        after = text[m.end - base:]
        clause_start = _after_last_break(text, len(before))
        if self.when_clause(m):
            f["in:time_clause"] = 1.0           # 我省干部进疆以来，某指挥部…: it only says when
        else:
            if not before[clause_start:].strip() or CLAUSE_HEAD.fullmatch(before[clause_start:]):
                f["clause_head"] = 1.0
            if all(self.when_clause(o) for o in self.by_sentence[m.sentence] if o.end <= len(before) + base):
                f["sentence_first"] = 1.0       # 某省某市…: the chain opens the sentence, its last place too
        for o in self.by_sentence[m.sentence]:     # 某县人民医院急诊中心建设项目: the project, not its hospital
            if o.end - o.start != m.end - m.start:
                if o.start <= m.start and m.end <= o.end:
                    f["nested:inner"] = 1.0
                elif m.start <= o.start and o.end <= m.end:
                    f["nested:outer"] = 1.0
            if o.start >= m.end and _describes(self.doc.text[m.end:o.start]):
                f["describes_next"] = 1.0       # 甲企业投资的|乙公司: 甲 only says which 乙
            elif o.end <= m.start and _describes(self.doc.text[o.end:m.start]):
                f["described"] = 1.0
        words = lcut(before[-8:])
        if words and _dictionary_tags().get(words[-1], "").startswith("v") and words[-1] not in self.lex.stopwords:
            f["before:verb"] = 1.0              # 推行|“师徒结对”: the object of a verb, not its doer
        lead = before[clause_start:]
        if RELATIVE_AGENT.search(lead) and RELATIVE_TAIL.match(after):
            f["relative:agent"] = 1.0           # 由X设立的基金…: X only set it up
        elif RELATIVE_HEAD.search(lead):
            f["relative:head"] = 1.0            # 由X设立的|基金, 每年安排…
        if s.kind != "body":
            f[f"kind:{s.kind}"] = 1.0
        for cls, words, _ in cue_group(cues, ("prep_", "verb_")):
            if before.endswith(words):
                f[f"before:{cls}"] = 1.0        # 引进X, 入驻X, 在X: an object or a place, not a doer
        if self.modifies_noun(m, after):
            f["after:noun"] = 1.0               # 招引辽宁|企业: the place only says what kind
        if self.listed(m, text, base):
            f["listed"] = 1.0                   # 其中：湖南、浙江…: one item of an enumeration
        if after.startswith("等"):
            f["after:deng"] = 1.0               # X、Y等企业: one of those counted
        if after.startswith("的"):
            f["after:de"] = 1.0
        if after.startswith("援疆"):
            f["after:aid"] = 1.0
        return f

    def _place_features(self, f: dict[str, float], m: Mention, number: int, number_end: int, cues,
                        same_sentence: bool) -> None:
        """Where one mention of a candidate stands relative to the figure."""
        f.update(self._mention_features(m, cues))
        if same_sentence and m.end <= number:
            between = self.doc.text[m.end:number]
            f["dist:" + bucket(len(between), (0, 2, 6, 15, 40))] = 1.0
            others = sum(1 for o in self.by_sentence[m.sentence] if m.end <= o.start and o.end <= number)
            f["between:" + bucket(others, (0, 1))] = 1.0
            for cls, _, anywhere in cue_group(cues, ("verb_",)):
                if anywhere.search(between):
                    f[f"between:{cls}"] = 1.0
            if CLAUSE_BREAK.search(between):
                f["between:clause_break"] = 1.0
        elif same_sentence and m.start >= number_end:
            gap = self.doc.text[number_end:m.start]
            f["after_dist:" + bucket(len(gap), (1, 3, 10))] = 1.0
            if gap.startswith("的") or gap[1:2] == "的":
                f["after_number:de"] = 1.0
            if SETTLE.match(gap + "落户") and any(w in gap for w in ("落户", "落地", "入驻")):
                f["after_number:settle"] = 1.0

    def said(self, sent, hit: re.Match, quotes) -> Said | None:
        """What the text alone says of one number (None: no metric). It needs no entity,
        so the per-document stage computes it (:func:`document_quantities`)."""
        if self.known is not None:
            return self.known.get((sent.index, hit.start(), hit.end()))
        text, base = sent.text, sent.start
        start, end = hit.start(), hit.end()
        if any(i in self.covered for i in range(base + start, base + end)):
            return None
        if any(a <= start < b for a, b in quotes):
            return None
        before = text[:start]
        if before.endswith("第") or DIGIT_OR_POINT_AT_END.search(before) or ORDINAL_RUN.search(before):
            return None
        if NOT_AFTER.match(text[end:]):
            return None
        if hit.group("pct"):
            value, approx = _to_number(hit.group("pctnum"))
            unit_code, mult, unit_text = "percent", 1.0, "%"
        elif hit.group("tenths"):
            value, approx = _to_number(hit.group("tenths"))
            unit_code, mult, unit_text = "percent", 10.0, "%"
        else:
            num = hit.group("num")
            unit_text = hit.group("unit")
            arabic = num[0].isdigit()
            if not arabic and (num in ("一", "〇", "零") or unit_text in CN_ONLY_UNITS or len(num) > 6
                               or PHASE_ORDINAL.match(text, start)):
                return None
            if text[end:end + 1] == unit_text[-1:] and not arabic:   # 一座座, 一个个
                return None
            if DIGIT_PAIR.fullmatch(num):    # 三四个, 五六万元: a range, its lower end; 唯一一个, 二三期: none
                if CN_DIGITS.index(num[1]) != CN_DIGITS.index(num[0]) + 1 or unit_text == "期":
                    return None
                value, approx = _to_number(num[0])[0], True
            else:
                value, approx = _to_number(num)
            unit_code, mult = self.lex.units[unit_text]
            if hit.group("mult"):
                mult *= {"万": 1e4, "亿": 1e8, "千": 1e3}[hit.group("mult")]
        if value is None:
            return None
        if unit_code in TIME_UNITS and (before.endswith(PERIOD_BEFORE) or text.startswith(PERIOD_AFTER, end)):
            return None                 # 前4个月, 3天内, 两个月来: when, not how long something took
        value = float(f"{value * mult:.12g}")     # 335.6亿 is 33560000000, not …0.000004
        approx = (approx or bool(hit.group("approx")) or before.endswith(APPROX_BEFORE)
                  or bool(APPROX_AFTER.match(text[end:])))
        if unit_code == "item":
            phrase = HAN_RUN.match(text, end).group(0)
            phrase = ITEM_PHRASE_END.split(phrase, 1)[0]   # 23家企业落户…: not households
            for word, refined in REFINE_ITEM:
                if word in phrase:
                    unit_code = refined
                    break
        # 总投资2.8亿元的霍城县南京产业园: a name after 的 is what the figure describes
        named_after = text[end:end + 1] == "的" and base + end + 1 in self.mention_starts
        return value, unit_code, approx, self.indicator(text, start, end, named_after)

    def indicator(self, text: str, start: int, end: int, named_after: bool = False) -> str:
        """What is counted: the noun after the unit, else the noun before the number; the
        noun before first when a name follows (``named_after``: 总投资2.8亿元的…产业园)."""
        words = []
        described = DESCRIBED_BY.match(text[end:end + 8])
        after_start = end + described.end() if described else end      # 17位品学兼优的同学
        for tok in lcut(text[after_start:after_start + 16]):
            if _is_stop(tok, self.lex) and not (words == [] and tok in ("的",)) or not NAME_CHAR.match(tok):
                break
            if tok == "的" and words:
                words = []                  # 17位品学兼优的同学: the head noun follows 的
            elif tok != "的":
                words.append(tok)
        after = "".join(words)
        if len(after) >= 2 and not any(ch.isdigit() for ch in after) and not named_after:   # not 5批250人次's next figure
            return after
        words = []
        tokens = list(lcut(text[max(0, start - 20):start]))
        while tokens and not tokens[-1].strip():
            tokens.pop()                                # 援疆项目 166个: a figures box
        while tokens and (tokens[-1] in REACH_VERBS or tokens[-1] in LINKING):
            tokens.pop()                                # 年销售额达到2.3亿元, 占援疆资金投入的91%
        change = ""
        if tokens and tokens[-1] in CHANGE_VERBS:          # 门诊量同比增长百分之三十
            change = tokens.pop()
            while tokens and tokens[-1] in ("同比", "环比", "分别", "均"):
                tokens.pop()
        while len(tokens) > 1 and any(ch.isdigit() for ch in tokens[-2]) and not any(ch.isdigit() for ch in tokens[-1]):
            tokens = tokens[:-2]                        # 研学5批250人次: skip the other quantity
        while tokens and tokens[-1] in LINKING:
            tokens.pop()                                # 人均收入从1.2万元增加到1.8万元
        for tok in reversed(tokens):
            if tok in self.lex.indicator_words or (len(tok) > 2 and tok.endswith(self.lex.indicator_endings)):
                if words and tok in VERB_INDICATORS:
                    break                       # 投入援疆资金3.5亿元: the noun says it, 投入 only did
                words.insert(0, tok)
                continue
            if _is_stop(tok, self.lex) or not NAME_CHAR.match(tok):
                break
            words.insert(0, tok)
        before = INDICATOR_TAIL.sub("", INDICATOR_HEAD.sub("", REACH_HEAD.sub("", "".join(words))))
        return (before + change if before else change) or after or text[start:end]

    def subject(self, sent, start: int, end: int, unit: str, in_sentence: list[Mention]) -> str | None:
        text, base = sent.text, sent.start
        usable = [m for m in in_sentence if self.types(m) & SUBJECT_TYPES]
        # a name inside a longer one (the school in its project's name) is no subject of its own
        usable = [m for m in usable if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                                               for o in usable)]

        def after_verb(m: Mention) -> bool:     # 在和田地区皮山县…: the chain's head says where, not who
            return text[:self.chain_start(m, in_sentence) - base].endswith(NOT_ACTOR_BEFORE)

        def beneficiary(m: Mention) -> bool:
            return text[:m.start - base].endswith(BENEFICIARY)

        def counted_here(m: Mention) -> bool:   # 开设展销馆12家: the kind counted, not who counts
            return m.end - base <= start and MODIFIERS.match(text[m.end - base:start]) is not None \
                and self.counts_itself(m, unit)

        if unit == "km" and self.supporter:          # distances are from the supporting city
            return self._step("distance", self.supporter)
        opened = _open_quote(text, start)
        if opened >= 0 and FIRST_PERSON.search(text, opened, start):
            speaker = self.speaker(sent, start)       # “我每个月能拿到2500元。”某某说: the speaker's own
            if speaker:
                return self._step("speaker", speaker)
        clause = _after_last_break(text, start)  # the number's
        # 0a. a group with no single name opens the clause, or an earlier one of the sentence that
        # the clauses up to the number go on from (各援疆省市累计投入…，引进企业4400余家): no one's
        group = list(COLLECTIVE_DOER.finditer(text, 0, start))
        # a count of such a group after the list of its members (甲省、乙省12个省市的…); not
        # one after the clause's own subject (新疆收到19个省市援助资金…)
        named_group = [g for g in COLLECTIVE_GROUP.finditer(text, clause, start + 1) if g.start() <= start
                       and all(self.listed(m, text, base) for m in usable if clause <= m.start - base < g.start())]
        if group and not any(group[-1].end() <= m.start - base < start for m in usable) \
                or start == clause and COLLECTIVE_GROUP.match(text, start) \
                or named_group and not any(named_group[-1].end() <= m.start - base < start for m in usable):
            return self._step("collective", None)     # 19个援疆省市今年援助…, 甲省、乙省12个省市的…
        # 0. the whole of the supported place (全县农民人均可支配收入…, 全市义务教育巩固率…)
        whole = WHOLE_PLACE.match(text, clause)
        if whole and self.supported in self.entities and self.is_whole(whole.group(1), self.entities[self.supported]):
            return self._step("whole_place", self.supported)
        # 0b. a change from one level (阿克苏市网络零售额由2014年的4亿元增长到…): the level is of
        # the name that opens the clause, the only one before the number
        rise = FROM_BEFORE.search(text, clause, start)
        if rise:
            named = [m for m in usable if clause <= m.start - base and m.end - base <= rise.start()]
            if len(named) == 1 and named[0].start - base - clause <= 2 and not self.listed(named[0], text, base):
                return self._step("rise_from", named[0].entity)
        # 1. written right before the number (湖州市首批16名), not a beneficiary (援助柯坪10辆)
        for m in reversed(usable):
            gap = text[m.end - base:start]
            if m.end - base <= start and MODIFIERS.match(gap) and not beneficiary(m) \
                    and not ACTS_OR_STANDS.isdisjoint(self.types(m)) and not self.listed(m, text, base) \
                    and not counted_here(m):
                return self._step("right_before", self.as_actor(m, text, base))
            if m.end - base <= start and INVESTS.fullmatch(gap) and "Enterprise" in self.types(m):
                return self._step("firm_invests", m.entity)   # 赣锋锂业集团股份有限公司投资2.6亿元
        # 1b. settling somewhere: a place or a park (23家企业落户疏附县广州工业城)
        settle = SETTLE.match(text[end:])
        if settle:
            for m in usable:
                if m.start - base == end + settle.end() and not ACTS_OR_STANDS.isdisjoint(self.types(m)):
                    return self._step("settles_in", m.entity)
        # 1c. a clause that is only a name, the topic of the clauses after it that name no one
        # (项目名称：X，总投资…，援疆资金…)
        topic = self.topic(text, base, clause, usable)
        if topic:
            return self._step("topic_clause", topic)
        initiatives = [m for m in usable if "Initiative" in self.types(m) and not self.counted(m, text, base)]
        # 2. an initiative before the number (money is about actors, not programmes), unless
        # a place heads the number's own clause after it (…品牌建设，塔县接待游客…二十万人次)
        if unit != "CNY":
            before = [m for m in initiatives if m.end - base <= start and not self.predicate(m, usable, text, base)
                      and not self.before_noun(m, text[m.end - base:])]
            if before and not any(m.code and m.start - base == clause and m.start >= before[-1].end for m in usable):
                return self._step("initiative_before", before[-1].entity)
        # 3. right after the measure word (1198个湖州市学生家庭), not where they went (73名到九师)
        # nor a name opening the next clause (建设项目3个，某市委…)
        for m in usable:
            if 0 <= m.start - base - end <= 1 and self.types(m) & ACTOR_TYPES \
                    and not text[end:m.start - base] in DESTINATION and not CLAUSE_BREAK.match(text, end):
                return self._step("after_measure", m.entity)
        # 4. 的 + entity
        for m in usable:
            if m.start - base - end in (1, 2) and text[end:m.start - base].startswith("的"):
                return self._step("described", m.entity)
        # 5. a clause that helps with no doer of its own (甲医院对口帮扶乙医院，帮助新建3个中心):
        # what is done is the one helped's, named after a support word before
        helped = self.helped(text, base, clause, start, usable, in_sentence)
        if helped is not None:
            return self._step("helped", helped)
        # 6b. a hospital, school, enterprise or facility heading the sentence's main clause
        # is what its figures describe (疏附县人民医院成功创建…，门诊量同比增长百分之三十)
        head = next((m.entity for m in usable if m.end - base <= start
                     and self.types(m) & {"Hospital", "School", "Enterprise", "Facility"}
                     and MAIN_CLAUSE_LEAD.fullmatch(text, 0, m.start - base)
                     and not self.listed(m, text, base)), None)
        # 6. an initiative after the number (17位同学…拿到“…奖学金”), unless in another
        # clause and the sentence is about its head (基地种植面积达到3.5万亩，“伽师新梅”品牌叫响…)
        if unit != "CNY":
            after = [m for m in initiatives if m.start - base >= end]
            doer = head or any(m.end - base <= start and self.types(m) & ACTOR_TYPES for m in usable)
            if after and not (doer and CLAUSE_BREAK.search(text, end, after[0].start - base)):
                return self._step("initiative_after", after[0].entity)
        if head:
            return self._step("clause_head", head)
        # 7. nearest actor, facility, school or hospital before the number (…援建的博州高级中学
        # 正式开学,可容纳学生3000人); money a clause opens by investing (…，投入1850万元援建某院)
        # is no building's
        invests = unit == "CNY" and text.startswith(tuple((self.lex.cues or {}).get("verb_invest", ())), clause)
        for m in reversed(usable):
            if m.end - base <= start and not after_verb(m) and not beneficiary(m) \
                    and self.types(m) & (ACTOR_TYPES | (set() if invests else BUILT)) and not self.listed(m, text, base) \
                    and not counted_here(m) and not self.modifies_noun(m, text[m.end - base:]):
                return self._step("nearest_before", self.as_actor(m, text, base))
        # 8. a list item naming no one is about the name its list's lead ends with (…扶持建起某合作社：)
        lead = self.list_lead(sent)
        if lead is not None and not any(m.end - base <= start for m in usable):
            ends = [m for m in self.by_sentence.get(lead.index, ()) if self.types(m) & SUBJECT_TYPES
                    and self.ends_lead(m, lead)]
            if ends:
                return self._step("list_topic", ends[-1].entity)
        # 9. a sentence naming no one before its figure goes on about the previous one's subject
        # (…新疆今年已收到援助资金45.8亿元；援疆项目已开工592个)
        if self.carried[0] == sent.index - 1 and self.carried[1] is not None \
                and not (invests and not set(self.entities[self.carried[1]].types) & ACTOR_TYPES) \
                and self.doc.sentences[sent.index - 1].text.rstrip().endswith(("；", ";")) \
                and not self.siblings(sent.index - 1, sent.index) \
                and not any(m.end - base <= start for m in usable):
            return self._step("carried", self.carried[1])
        return self._step("article_actor", self.default_actor)

    def helped(self, text: str, base: int, clause: int, start: int, usable: list[Mention],
               in_sentence: list[Mention]) -> str | None:
        """The one helped, when the number's clause, or a run of clauses naming no one that a
        help clause opens, has no doer of its own (甲医院对口帮扶乙医院，帮助新建3个中心，
        开展新技术27项; 帮助医院新建7个科室): named right after the help word, or else
        after a support word before. Not past a help clause that names what it built."""
        starts = [0, *(c.end() for c in CLAUSE_BREAK.finditer(text, 0, start))]
        ends = [*starts[1:], start]
        for a, b in zip(reversed(starts), reversed(ends)):
            lead = next((w for w in HELP_LEAD if text.startswith(w, a)), None)
            if lead is not None and b < start and any(
                    a + len(lead) < m.start - base < b and self.types(m) & BUILT and not self.listed(m, text, base)
                    for m in usable):
                return None     # 帮助某县建成某园，占地面积120亩: the figure is what was built
            if lead is not None:
                right_after = next((m for m in usable if m.start - base == a + len(lead)), None)
                if right_after is not None:
                    return right_after.entity
                before = next((m for m in reversed(usable) if m.end - base <= a
                               and text[:self.chain_start(m, in_sentence) - base].endswith(SUPPORT_WORDS)), None)
                return before.entity if before is not None else None
            if any(a <= m.start - base < b for m in usable):
                return None
        return None

    @staticmethod
    def topic(text: str, base: int, clause: int, usable: list[Mention]) -> str | None:
        """The name an earlier clause consists of, when the clauses between name no one."""
        breaks = [0, *(c.end() for c in CLAUSE_BREAK.finditer(text, 0, clause))]
        for a, b in zip(reversed(breaks[:-1]), reversed(breaks[1:])):
            inside = [m for m in usable if a <= m.start - base and m.end - base <= b]
            if not inside:
                continue
            topic = TOPIC_CLAUSE.fullmatch(text, a, b - 1)
            return next((m.entity for m in inside if topic and (m.start - base, m.end - base) == topic.span(1)), None)
        return None

    def speaker(self, sent, start: int) -> str | None:
        """Who says the words a number at ``start`` stands in: X说：“…”, “…”X说, or a quote
        closing its sentence with the speaker in the next (“…。”车间组长某某说。); a 他 or 她
        for X is the person named last before it."""
        text = sent.text
        opened = _open_quote(text, start)
        if opened < 0:
            return None
        closed = next((i for i in range(start, len(text)) if text[i] in "”」"), -1)
        in_sentence = self.by_sentence.get(sent.index, [])
        lead = text[:opened].rstrip("：:，, ")
        if lead.endswith(SAY_WORDS):
            said_by = [m for m in in_sentence if m.end - sent.start <= len(lead)
                       and not CLAUSE_BREAK.search(text, m.end - sent.start, len(lead))]
            if said_by:
                return said_by[-1].entity
            if "他" in lead[-4:] or "她" in lead[-4:]:
                return self.person_before(sent.index)
            return None
        if closed > 0 and text[closed + 1:].strip("，,。 "):
            rest = text[closed + 1:].lstrip("，, ")
            rest_start, after = sent.start + len(text) - len(rest), [m for m in in_sentence if m.start - sent.start > closed]
        elif sent.index + 1 < len(self.doc.sentences):      # the quote ends the sentence
            nxt = self.doc.sentences[sent.index + 1]
            rest, rest_start, after = nxt.text, nxt.start, self.by_sentence.get(nxt.index, [])
        else:
            return None
        # the say-word of the first clause after the quote; the speaker is the name last before it
        clause = rest[:next((b.start() for b in CLAUSE_BREAK.finditer(rest)), len(rest))][:30]
        said = min((i for i in (clause.find(w) for w in SAY_WORDS) if i > 0), default=-1)
        before = [m for m in after if m.end - rest_start <= said]
        return before[-1].entity if said > 0 and before else None

    def person_before(self, index: int) -> str | None:
        """The person named last in the three sentences up to ``index``."""
        for i in range(index, max(index - 3, -1), -1):
            people = [m for m in self.by_sentence.get(i, ()) if "Person" in self.types(m)]
            if people:
                return people[-1].entity
        return None

    def when_clause(self, m: Mention) -> bool:
        """``m`` stands in a clause that only says when (某省干部进疆以来，…)."""
        known = self.when_memo.get(id(m))
        if known is None:
            s = self.doc.sentences[m.sentence]
            end = next((b.start() for b in CLAUSE_BREAK.finditer(s.text, m.end - s.start)), len(s.text))
            known = self.when_memo[id(m)] = bool(TIME_CLAUSE.search(s.text, 0, end))
        return known

    def chain_outer(self, m: Mention) -> bool:
        """A place followed at once by another (某省|某市): it only says which the next one is."""
        return bool(m.code) and any(o.start == m.end and o.code for o in self.by_sentence[m.sentence])

    @staticmethod
    def chain_start(m: Mention, in_sentence: list[Mention]) -> int:
        """Where the chain of places ending with ``m`` starts (和田地区|皮山县): what stands
        before the chain stands before each of its places."""
        start = m.start
        while (link := next((o for o in in_sentence if o.end == start and o.code), None)) is not None:
            start = link.start
        return start

    def _step(self, name: str, key: str | None) -> str | None:
        """Record which rule of :meth:`subject` decided (a feature of the scorer)."""
        self.step = name
        return key

    @staticmethod
    def is_whole(unit: str, place: Entity) -> bool:
        """Whether 全县, 全市 or 全团 (``unit``: 县, 市, 团) can be ``place``: a regiment is
        a County too, but only 全团 names it."""
        regiment = (place.code or "").startswith("XPCC")
        if unit == "团":
            return regiment
        return not regiment and ("County" if unit == "县" else "City") in place.types

    def as_actor(self, m: Mention, text: str, base: int) -> str:
        """湖州援疆干部人才: a city followed by 援疆 stands for its aid command."""
        if self.command and text[m.end - base:].startswith("援疆") and self.entities[m.entity].code:
            return self.command
        return m.entity

    def listed(self, m: Mention, text: str, base: int) -> bool:
        """An item of an enumeration (杏花村、齐兰古城和红沙漠3个景区) is counted, not counting."""
        after = text[m.end - base:]
        aside = ASIDE.match(after)          # 江苏省（对口支援伊犁州）、湖北省…
        around = text[max(0, m.start - base - 1):m.start - base] + after[aside.end() if aside else 0:][:1]
        return "、" in around or text[:m.start - base].endswith("和")

    @staticmethod
    def predicate(m: Mention, usable: list[Mention], text: str, base: int) -> bool:
        """某中心是…的“双重点”工程: a name after 是 says what the clause's first name is."""
        clause = _after_last_break(text, m.start - base)
        return any(clause <= o.start - base and o.end <= m.start and text.startswith(COPULA, o.end - base)
                   for o in usable if o is not m)

    def modifies_noun(self, m: Mention, after: str) -> bool:
        """A place written right before a common noun (辽宁企业, 唐山专家) says what kind of
        thing that is; it does not act."""
        return bool(m.code) and self.before_noun(m, after)

    def before_noun(self, m: Mention, after: str) -> bool:
        """Whether a common noun follows the name (“一带一路”战略机遇): the name modifies it."""
        if after.startswith(("援疆", "的")) or any(o.start == m.end for o in self.by_sentence[m.sentence]):
            return False
        nxt = lcut(after[:6])[:1]
        return bool(nxt) and len(nxt[0]) > 1 and _dictionary_tags().get(nxt[0], "") == "n"

    def counts_itself(self, m: Mention, unit: str) -> bool:
        """开设展销馆12家, 新建…救治中心3个中心: a count of things right after a facility or
        initiative counts that kind of thing; whoever set them up is the subject."""
        return unit in COUNTED_UNITS and not (self.types(m) & ACTOR_TYPES)

    def counted(self, m: Mention, text: str, base: int) -> bool:
        """“传帮带”品牌工作室8个 counts the initiative; “A”“B”等活动 and A、B两项 merely list it."""
        rest = text[m.end - base:]
        while True:                      # skip the rest of a run of quoted items
            nxt = NEXT_QUOTED_ITEM.match(rest)
            if not nxt:
                break
            rest = rest[nxt.end():]
        return bool(LIST_GOES_ON.match(rest))


def _open_quote(text: str, at: int) -> int:
    """Where the quote that ``at`` stands in opens (“ or 「 not closed before it), or -1."""
    opened = max(text.rfind("“", 0, at), text.rfind("「", 0, at))
    return -1 if opened < 0 or any(c in text[opened:at] for c in "”」") else opened


def _describes(gap: str) -> bool:
    """Whether the words between two names make the first part of a clause describing the
    second (甲投资的乙, 甲旗下的乙, 由甲设立的“乙”)."""
    gap = gap.rstrip("“\"「《")
    return 1 <= len(gap) <= 12 and gap.endswith("的") and not CLAUSE_BREAK.search(gap)


def _closer(m: Mention, old: Mention, number: int) -> bool:
    """Whether ``m`` stands nearer the figure than ``old`` (before it counts over after)."""
    def dist(x: Mention) -> tuple[int, int]:
        return (0, number - x.end) if x.end <= number else (1, x.start - number)
    return dist(m) < dist(old)


def _without_name(indicator: str, names: list[str]) -> str:
    """An indicator that starts with a name written before the number, whole or its last
    four or more characters, loses it (菏泽援疆工作组投资, 赣锋锂业集团股份有限公司投资 ->
    投资), unless too little is left."""
    cut = 0
    for name in names:
        for k in range(len(name), 3, -1) if len(name) > 4 else (len(name),):
            if indicator.startswith(name[-k:]):
                cut = max(cut, k)
                break
    return indicator[cut:] if len(indicator) - cut >= 2 else indicator


ACTS_OR_STANDS = frozenset(ACTOR_TYPES | {"Facility"})     # what a figure before 落户/入驻 may be about
SPEECH = re.compile(r"[，。；！？,;!?]")
ONLY_COLON = re.compile(r"\s*[：:]\s*$")                 # a list's lead ends here (…合作社：)
DIGIT_OR_POINT_AT_END = re.compile(r"[\d.]$")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{0,10}")
ITEM_PHRASE_END = re.compile(r"[和与及的]|落户|入户|入驻|落地")
DESCRIBED_BY = re.compile(r"[\u4e00-\u9fff]{1,6}的(?=[\u4e00-\u9fff])")
NEXT_QUOTED_ITEM = re.compile(r"、?“[^”]*”")
LIST_GOES_ON = re.compile(r"\d|等|、")
QUOTED_SPAN = re.compile(r"“[^”]*”|\"[^\"]*\"")


def _after_last_break(text: str, end: int) -> int:
    """Where the clause ending at ``end`` starts: after the last CLAUSE_BREAK before it, else 0."""
    return after_last(CLAUSE_BREAK, text, end)


RELATIVE_AGENT = rule_pattern("relative_agent")
TOPIC_CLAUSE = rule_pattern("topic_clause")
CHANGE_OF_BEFORE = rule_pattern("change_of_before")
RISE_TO = rule_pattern("rise_to")
FROM_BEFORE = rule_pattern("from_before")
ITEM_OPENER = rule_pattern("item_opener")
RELATIVE_TAIL = rule_pattern("relative_tail")
RELATIVE_HEAD = rule_pattern("relative_head")
WHOLE_PLACE = rule_pattern("whole_place")
DESTINATION = rule_words("destination")
MAIN_CLAUSE_LEAD = rule_pattern("main_clause_lead")
# a figure whose best subject candidate has log-odds below this gets none (p < 0.03): chosen on
# leave-one-out as the highest that changes no held-out figure (-3.0 lost one, -2.5 two)
NO_SUBJECT_BELOW = -3.5
ASIDE = re.compile(r"[(（][^()（）]{0,20}[)）]")    # a short aside in brackets after a name
COLLECTIVE_GROUP = rule_pattern("collective_group")
COLLECTIVE_DOER = re.compile(rule_pattern("collective_lead").pattern + COLLECTIVE_GROUP.pattern)
NEWS_SOURCE_BEFORE = rule_pattern("news_source_before")
NEWS_SOURCE_AFTER = rule_pattern("news_source_after")
BYLINE_BEFORE = rule_pattern("byline_before")


def _quotes(text: str) -> list[tuple[int, int]]:
    """Spans of quoted names (“1323”行动, “十城百店”), whose numbers are not figures. A
    quote with a clause in it is reported speech, whose figures are (“今年安排援疆资金
    3.62亿元，实施项目57个”)."""
    return [(q.start(), q.end()) for q in QUOTED_SPAN.finditer(text)
            if not SPEECH.search(q.group(0))]


def document_quantities(doc: Document, mentions: list[Mention],
                        lex: Lexicon | None = None) -> dict[tuple[int, int, int], Said]:
    """The per-document half of metric extraction: value, unit, approximation and indicator
    of every number, keyed by (sentence, start, end); the subject needs the entities."""
    lex = lex or load_lexicon()
    reader = _DocMetrics(doc, mentions, {}, (None, None, None), lex)
    found = {}
    for sent in doc.sentences:
        quotes = _quotes(sent.text)
        for hit in reader.pattern.finditer(sent.text):
            said = reader.said(sent, hit, quotes)
            if said is not None:
                found[(sent.index, hit.start(), hit.end())] = said
    return found


def extract_metrics(documents: list[tuple[Document, list[Mention]]], entities: dict[str, Entity],
                    actors: dict[str, tuple[str | None, str | None]], lex: Lexicon | None = None,
                    quantities: list[dict[tuple[int, int, int], Said]] | None = None,
                    scorer: Scorer | None | bool = True) -> list[Metric]:
    """``actors`` maps each document to its (supporting city, aid command, supported place)
    keys; ``quantities`` are the documents' :func:`document_quantities` when already computed.
    ``scorer`` chooses each figure's subject among its candidates (True: the shipped model;
    None or False: the rules alone)."""
    lex = lex or load_lexicon()
    if scorer is True:
        scorer = load_scorer("metric_subject")
    scorer = scorer or None
    metrics: list[Metric] = []
    for n, (doc, mentions) in enumerate(documents):
        known = quantities[n] if quantities is not None else None
        metrics.extend(document_metrics(doc, mentions, entities, actors.get(doc.doc_id, (None, None, None)), lex,
                                        known, scorer))
    return metrics


def document_metrics(doc: Document, mentions: list[Mention], entities: Mapping[str, Entity],
                     actors: tuple[str | None, str | None, str | None], lex: Lexicon,
                     quantities: dict[tuple[int, int, int], Said] | None = None,
                     scorer: Scorer | None = None) -> list[Metric]:
    """The figures of one document (:func:`extract_metrics` for one): besides the document
    it reads its actors and the ``entities`` it looks up."""
    return _DocMetrics(doc, mentions, entities, actors, lex, quantities, scorer).extract()
