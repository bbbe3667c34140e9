"""Later words for an entity named earlier, part of the mention stage
(:func:`kg.mentions.find_mentions` calls these after it has chosen the names):

- :func:`declared_names`: a short name the article declares, X（以下简称“Y”）: every later Y
  is a mention of X (source ``alias``, an alternative label of X);
- :func:`short_commands`: one aid command or team under the several names an article gives it
  (X援疆工作组 and X对口支援Y前方工作组; X援疆前指 and X's 前方指挥部) takes the fullest;
- :func:`trade_names`: a company named in full once (新疆某某食品科技有限公司) and later by
  its trade name and trade (某某食品): every later short form is a mention of the full name;
- :func:`school_short_names`: a numbered school by its short name (某县一中 for 某县第一中学);
- :func:`tail_names`: a facility, school, hospital, village or township named later by the
  end of its name (某县白杨纺织工业园 … 纺织工业园), when one name of the article ends so;
- :func:`given_names`: a person named with a middle dot (某某·某某) later by the part before it;
- :func:`point_back`: words that point back, 该中心, 这座养殖园, 本批医疗队, 我院, and a bare
  园区 or 工作组 at the start of a clause. Each becomes a mention of the entity it points to
  (source ``anaphor``), so that a figure or an act in its sentence finds its subject there.
  It names nothing: resolution gives it the entity's key and keeps it out of the labels.

The head words, pointing words and patterns are data (``kg/data/lexicon/anaphors.tsv``,
``rule_words.tsv``, ``rule_patterns.tsv``).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

from .lexicon import AnaphorHead, anaphor_heads, rule_pairs, rule_pattern, rule_words
from .model import Document, Mention, Sentence

CLAUSE_START = set("，,；;：:、（(“\"「《")
QUOTE_OPEN = "“\"「"
QUOTE_CLOSE = re.compile("[”\"」]")
COMMAND_HEADS = rule_words("command_heads")
COMMAND_FILLER = rule_pattern("command_filler")
RELATIVE = rule_pattern("relative_pointer")
MODIFIER = re.compile(r"[\u4e00-\u9fff]{0,3}$")     # 这座|养殖|园: a few characters between pointer and head


class Offsets:
    """A sorted list of offsets asked only whether it holds one (a set of every sentence's
    word starts would cost more to build than the few questions asked of it)."""
    __slots__ = ("xs",)

    def __init__(self, xs: list[int]):
        self.xs = xs

    def __contains__(self, i: int) -> bool:
        j = bisect_left(self.xs, i)
        return j < len(self.xs) and self.xs[j] == i


def declared_names(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with each short name the article declares (X（以下简称“Y”）) read as X
    wherever it stands after the declaration; names found inside the declaration or equal to
    Y are replaced."""
    pattern = rule_pattern("declared_short")
    known = list(mentions)
    for full in list(mentions):
        hit = pattern.match(doc.text, full.end)
        if not hit or full.source in ("anaphor", "alias"):
            continue
        short = hit.group(1)
        spans = [(hit.start(1), hit.end(1))]
        at = hit.end()
        while (at := doc.text.find(short, at)) >= 0:
            spans.append((at, at + len(short)))
            at += len(short)
        if QUOTE_CLOSE.search(short):     # “善行”计划: the opening quote is the short name's too
            spans = [(a - 1, b) if a and doc.text[a - 1] in QUOTE_OPEN else (a, b) for a, b in spans]
        for a, b in spans:
            inside = [m for m in known if m.start < b and a < m.end]
            if any((m.start < a or m.end > b) and not (hit.start() <= m.start and m.end <= hit.end())
                   for m in inside):
                continue                          # part of a longer name
            for m in inside:
                known.remove(m)
            known.append(Mention(doc.doc_id, a, b, doc.text[a:b], full.type, name=full.name, alt_types=full.alt_types,
                                 code=full.code, core=full.core, source="alias", sentence=_sentence_at(doc, a)))
        known.sort(key=lambda m: (m.start, m.end))
    return known


LEGAL_FORMS = rule_words("company_legal")
COMPANY_TAILS = rule_words("company_tails")


def trade_names(doc: Document, mentions: list[Mention], lookup) -> list[Mention]:
    """``mentions`` with the short forms of each company's registered name read as that
    company: 新疆某某生物科技有限公司 drops its places, legal form and trailing trade words
    (科技, 发展) down to four characters at the least (某某生物), and each such form found
    elsewhere in the text, outside a longer name, is a mention of the full name (source
    ``alias``). A found name equal to a short form takes the full name. ``lookup``: the codes
    of the places a text names."""
    forms: dict[str, Mention] = {}
    for m in mentions:
        if m.type != "Enterprise" or m.source in ("anaphor", "alias"):
            continue
        for form in _short_forms(m.name, lookup):
            if form != m.name:
                forms.setdefault(form, m)
    if not forms:
        return mentions
    known = list(mentions)
    for m in known:
        full = forms.get(m.name)
        if full is not None and m.type == "Enterprise" and m.name != full.name:
            m.name, m.source, m.code, m.core = full.name, "alias", full.code, full.core
    return _alias_mentions(doc, known, forms)


TAIL_TYPES = ("Facility", "Hospital", "School", "Village", "Township")


def tail_names(mentions: list[Mention], places=lambda text: ()) -> None:
    """A facility named in full (某县白杨纺织工业园) and later by the end of its name alone
    (入驻纺织工业园): every mention of the short name is one of the full name (source
    ``alias``), when one name of the article, first written before the short one's last
    mention, ends so; names that differ only in how their place is written (某县… and its
    short name's …) count as one, the longest. ``places``: the gazetteer's lookup."""
    named = [m for m in mentions if m.type in TAIL_TYPES and m.source not in ("anaphor", "alias")]
    first: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}
    for m in named:
        first.setdefault((m.type, m.name), m.start)
        last[m.type, m.name] = m.start
    full_name = {}
    for (typ, name), at in last.items():      # once per name, not per mention
        fulls = [f for (t, f), seen in first.items() if t == typ and seen < at and len(f) > len(name)
                 and f.endswith(name)]
        if len({_place_written_out(f, places) for f in fulls}) == 1:
            full_name[typ, name] = max(fulls, key=len)
    for m in named:
        if (m.type, m.name) in full_name:
            m.name, m.source = full_name[m.type, m.name], "alias"


def _place_written_out(name: str, places) -> str:
    """``name`` with the place it opens with written in full (乌什南孔书房 -> 乌什县南孔书房)."""
    for n in range(min(len(name) - 1, 9), 1, -1):
        found = places(name[:n])
        if len(found) == 1:
            return found[0].name + name[n:] if not name.startswith(found[0].name) else name
    return name


def product_short_names(doc: Document, mentions: list[Mention], lookup) -> list[Mention]:
    """``mentions`` with each place-named product also read without its place (某县留香瓜 is
    留香瓜 later on), three characters at the least. ``lookup``: the codes a text names."""
    forms: dict[str, Mention] = {}
    for m in mentions:
        if m.type != "Product" or m.source in ("anaphor", "alias"):
            continue
        name = m.name.strip("“”")
        lead = _leading_place(name, lookup)
        if lead is not None and len(name) - lead[1] >= 3:
            forms.setdefault(name[lead[1]:], m)
    return _alias_mentions(doc, list(mentions), forms) if forms else mentions


def _alias_mentions(doc: Document, known: list[Mention], forms: dict[str, Mention],
                    over_places: bool = False) -> list[Mention]:
    """``known`` with each of ``forms`` (short form -> the mention of the full name) read as
    a mention of the full name wherever it stands outside a longer name; with
    ``over_places`` a place it holds (疏勒|一中) gives way to it."""
    for form in sorted(forms, key=lambda f: (-len(f), f)):
        full = forms[form]
        at = 0
        while (at := doc.text.find(form, at)) >= 0:
            a, b = at, at + len(form)
            at = b
            held = [m for m in known if over_places and m.code and a <= m.start and m.end <= b]
            if any(m.start < b and a < m.end and m not in held for m in known):
                continue                        # inside the full name or another name
            known = [m for m in known if m not in held]
            known.append(Mention(doc.doc_id, a, b, form, full.type, name=full.name, alt_types=full.alt_types,
                                 code=full.code, core=full.core, source="alias", sentence=_sentence_at(doc, a)))
    known.sort(key=lambda m: (m.start, m.end))
    return known


def given_names(doc: Document, mentions: list[Mention], places) -> list[Mention]:
    """``mentions`` with a person named in full with a middle dot (帕提古丽·买吐逊) also read by
    the name before the dot alone (帕提古丽成为熟练工…), when no other person of the article
    shares it and it names no place. ``places``: the gazetteer's lookup."""
    people: dict[str, dict[str, Mention]] = {}     # the name before the dot -> full names -> a mention
    for m in mentions:
        full = m.name or m.text
        if m.type == "Person" and m.source not in ("anaphor", "alias") and "·" in full:
            given = full.split("·")[0]
            if len(given) >= 2 and not places(given):
                people.setdefault(given, {}).setdefault(full, m)
    forms = {given: next(iter(fulls.values())) for given, fulls in people.items() if len(fulls) == 1}
    return _alias_mentions(doc, list(mentions), forms) if forms else mentions


SCHOOL_ORDINAL = rule_pattern("school_ordinal")


def _school_short_heads() -> dict[str, tuple[str, ...]]:
    heads: dict[str, tuple[str, ...]] = {}
    for head, short in rule_pairs("school_short_heads"):
        heads[head] = (*heads.get(head, ()), short)
    return heads


SCHOOL_SHORT_HEAD = _school_short_heads()     # 中学 -> (中,), 高级中学 -> (高, 中) …


def school_short_names(doc: Document, mentions: list[Mention], places) -> list[Mention]:
    """``mentions`` with the short names of numbered schools read as the school: 某县第一中学
    is 某县一中 and 某一中 (its place's short name), 某市第一高级中学 is 某市一高.
    ``places``: the gazetteer's divisions written as a text (lookup)."""
    forms: dict[str, Mention] = {}
    for m in mentions:
        hit = SCHOOL_ORDINAL.search(m.name) if m.type == "School" and m.source not in ("anaphor", "alias") else None
        if hit is None:
            continue
        where = m.name[:hit.start()]
        found = places(where)
        shorts = {where, *(f for p in found if p.name == where for f in p.short if len(f) >= 2)}
        for lead in shorts:
            for head in SCHOOL_SHORT_HEAD[hit.group(2)]:
                forms.setdefault(lead + hit.group(1) + head, m)
    return _alias_mentions(doc, list(mentions), forms, over_places=True)


def _short_forms(name: str, lookup) -> list[str]:
    """某某生物科技 and 某某生物 for 新疆某某生物科技有限公司: nothing for a name with no legal
    form or whose trade name is a place."""
    legal = next((f for f in LEGAL_FORMS if name.endswith(f)), None)
    if legal is None:
        return []
    core = name[:-len(legal)]
    while (lead := _leading_place(core, lookup)) is not None and len(core) - lead[1] >= 4:
        core = core[lead[1]:]
    if len(core) < 4 or _leading_place(core, lookup) is not None or lookup(core[:2]):
        return []                       # the trade name is a place: 阿克苏纺织 is any firm there
    out = [core]
    while (tail := next((t for t in COMPANY_TAILS if core.endswith(t)), None)) and len(core) - len(tail) >= 4:
        core = core[:-len(tail)]
        out.append(core)
    return out


def short_commands(mentions: list[Mention], lookup) -> None:
    """One aid command or team under the names an article gives it: X援疆前指 is the
    前方指挥部 of X the article names (吉林省对口支援新疆工作前方指挥部); X援疆工作组 and
    X对口支援Y前方工作组 are one team. Each takes the fullest of its names. ``lookup``: the
    codes of the places a text names, if any."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        if m.type != "Organization" or m.source == "anaphor":
            continue
        head = next((h for h in COMMAND_HEADS if m.name.endswith(h)), None)
        lead = _leading_place(m.name, lookup)
        if head is None or lead is None:
            continue
        code, n = lead
        middle = COMMAND_FILLER.sub("", m.name[n:len(m.name) - len(head)])
        if middle and not lookup(middle):
            continue                        # 张家港市第一人民医院工作组: not a command's name
        key = "前方指挥部" if head in ("前指", "指挥部") else head
        groups.setdefault((code, key), []).append(m)
    for (code, key), group in groups.items():
        fullest = max((m.name for m in group if not m.name.endswith("前指")), key=lambda n: (len(n), n), default=None)
        if fullest is None:
            continue
        for m in group:
            if m.name != fullest:
                m.name, m.source = fullest, "alias"


def _leading_place(name: str, lookup) -> tuple[str, int] | None:
    """The code of the division a name starts with, and its length (吉林援疆前指: 吉林省, 2)."""
    for n in range(min(len(name) - 1, 9), 1, -1):
        codes = lookup(name[:n])
        if codes:
            return codes[0], n
    return None


def _sentence_at(doc: Document, offset: int) -> int:
    return next((s.index for s in doc.sentences if s.start <= offset < s.end), -1)


def point_back(doc: Document, mentions: list[Mention], tokenised: list[tuple[Sentence, Offsets, set[int]]],
               local=lambda name: False) -> list[Mention]:
    """``mentions`` (sorted) with the pointing words added, each a mention of the entity it
    points to; a found name that is itself a pointing word (本批医疗队) is replaced by it.
    ``tokenised``: each sentence with the start and end offsets of its words; ``local``: whether
    a name is of a place in Xinjiang (我院 in this reporting is the supported side's own)."""
    heads = anaphor_heads()
    pointers = frozenset(rule_words("anaphor_pointer"))     # one or two characters each
    own = frozenset(rule_words("anaphor_own"))
    leads = rule_words("anaphor_lead")
    helps = rule_words("anaphor_helped")
    known = list(mentions)
    index = _head_index(heads, pointers, own)     # once per article: its key is slow to hash
    for sent, starts, ends in tokenised:
        for start, end, head, noun, kind, anchor in _spans(sent, starts, ends, index, pointers, own, leads):
            a, b = sent.start + start, sent.start + end
            inside = [m for m in known if m.start < b and a < m.end]
            if any(m.start < a or m.end > b or m.source == "anaphor" for m in inside):
                continue                 # part of a longer name, or already taken
            helped = any(sent.text[:start].endswith(w) for w in helps)
            target = _antecedent(known, sent.start + anchor, head, noun, kind, local, sent, helped)
            if target is None:
                continue
            for m in inside:
                known.remove(m)
            known.append(Mention(doc.doc_id, a, b, sent.text[start:end], target.type, name=target.name,
                                 alt_types=target.alt_types, code=target.code, core=target.core,
                                 source="anaphor", sentence=sent.index))
            known.sort(key=lambda m: (m.start, m.end))
    return known


def _spans(sent: Sentence, starts: Offsets, ends: set[int], index, pointers, own, leads):
    """(start, end, head, noun, kind, anchor) of each pointing word in the sentence; kind is
    ``pointer`` (该中心), ``own`` (我院) or ``bare`` (园区 at a clause start); the antecedent is
    looked for before ``anchor``; ``index`` is :func:`_head_index`'s."""
    text, free_from = sent.text, 0
    by_end, end_chars, firsts = index
    for hit in end_chars.finditer(text):
        e = hit.end()
        if e not in ends:
            continue
        head = next((h for h in by_end[hit.group()] if text.startswith(h.word, e - len(h.word))), None)
        if head is None:
            continue
        p = e - len(head.word)
        near = text[max(0, p - 5):p]
        # 这座占地250亩的|养殖|园: where a describing clause ends, a few characters before the head
        de = next((q for q in range(p, max(p - 3, 1) - 1, -1) if text[q - 1] == "的" and MODIFIER.match(text, q, p)),
                  None)
        if not head.bare and de is None and not any(c in near for c in firsts):
            continue                    # no pointing word can stand before it: most head words
        found = None
        for q in range(p, max(p - 3, free_from) - 1, -1):     # the pointer may stand a few characters before
            if not MODIFIER.match(text, q, p):
                break
            word = next((w for w in (text[max(q - 2, 0):q], text[max(q - 1, 0):q]) if w in pointers), None)
            if word and q - len(word) in starts:
                found = (q - len(word), "pointer", len(word))
                break
            if q == p:
                word = text[max(p - 1, 0):p]
                if (word in own or word in head.pointers) and p - 1 in starts:
                    found = (p - 1, "own" if word in own else "pointer", 1)
                    break
        if found is None and head.bare and p in starts and _clause_start(text, p, starts, leads):
            found = (p, "bare", 0)
        if found is None and de is not None:
            # 这家由X投资兴办的企业: the pointer opens a clause that describes the head; the
            # mention is the head alone (X inside stays a name) and points from the pointer
            clause = RELATIVE.search(text, max(0, de - 26), de)
            if clause and clause.start() in starts:
                free_from = e
                yield de, e, head, text[de:e], "pointer", clause.start()
                continue
        if found is None or found[0] < free_from:
            continue
        s, kind, pointer = found
        free_from = e
        yield s, e, head, text[s + pointer:e], kind, s


@lru_cache(maxsize=1)
def _head_index(heads: tuple[AnaphorHead, ...], pointers: frozenset[str], own: frozenset[str]):
    """Head words by their last character (longest first), a pattern finding those
    characters, and the first characters of every pointing word."""
    by_end: dict[str, list[AnaphorHead]] = {}
    for h in sorted(heads, key=lambda h: -len(h.word)):
        by_end.setdefault(h.word[-1], []).append(h)
    firsts = frozenset(w[0] for w in (*pointers, *own)) | {w[0] for h in heads for w in h.pointers}
    return by_end, re.compile("[" + re.escape("".join(by_end)) + "]"), firsts


def _clause_start(text: str, p: int, starts: Offsets, leads) -> bool:
    if p == 0 or text[p - 1] in CLAUSE_START:
        return True
    return any(text[max(p - len(w), 0):p] == w and p - len(w) in starts
               and (p - len(w) == 0 or text[p - len(w) - 1] in CLAUSE_START) for w in leads)


def _fits(m: Mention, head: AnaphorHead, noun: str) -> bool:
    if m.source == "anaphor" and not m.name:
        return False
    if m.type not in head.types and not set(m.alt_types) & set(head.types):
        return False
    name = m.name or m.text
    if name == noun:                                      # a found 园区 names nothing to point to
        return False
    if len(noun) > len(head.word):                        # 这座养殖园: a 养殖园
        return name.endswith(noun)
    return not head.endings or any(name.endswith(end) for end in head.endings)


def _antecedent(known: list[Mention], at: int, head: AnaphorHead, noun: str, kind: str, local,
                sent: Sentence, helped: bool = False) -> Mention | None:
    """What a pointing word at ``at`` stands for: the nearest fitting name before it, passing
    over a helper framed by 在…下 in the same sentence (在X的帮扶下,这家医院…) and, after a
    help verb, the sentence's first name, the one who helps (X派出专家,帮助医院…); for 我院 /
    本校, the fitting name the article uses most, a Xinjiang one first."""
    if kind == "own":
        fitting = [m for m in known if _fits(m, head, noun) and m.source != "anaphor"]
        fitting = [m for m in fitting if local(m.name)] or fitting
        if not fitting:
            return None
        counts = Counter(m.name for m in fitting)
        best = max(counts.values())
        return next(m for m in fitting if counts[m.name] == best)
    first = next((m for m in known if m.sentence == sent.index), None)
    return next((m for m in reversed(known) if m.end <= at and _fits(m, head, noun)
                 and not _framed(m, at, sent) and not (helped and m is first)), None)


def _framed(m: Mention, at: int, sent: Sentence) -> bool:
    """Whether ``m`` stands in a 在…下 frame closed before ``at`` in the same sentence."""
    if m.sentence != sent.index:
        return False
    before = sent.text[:m.start - sent.start]
    after = sent.text[m.end - sent.start:at - sent.start]
    return "在" in before[-12:] and "下" in after[:8]
