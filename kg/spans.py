"""Whether a candidate span is an entity, where it starts and what it is: the span scorer.

Rules (:mod:`kg.mentions`) propose candidate spans. Where they are unsure (a head word
extended leftwards, a list item, a quoted name, a person, a project named in a table, a
township named alone, a later start of any of these) each candidate is described here by
general features, and a learned scorer (:mod:`kg.decide`, ``span``) keeps or drops it and
picks one start among the candidates that end at the same place. The features never read
the span's own characters beyond the class of its head word: what stands right before and
after it, its length and its jieba tokens, whether it recurs in the article, holds or
opens with a place, sits in a heading or a list, and how the rules voted.

Without a scorer the rules decide as they always did: the constructions only the scorer
may keep (:data:`PROPOSED_ONLY`, later starts) are dropped.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache

from .decide import Scorer, bucket
from .lexicon import Lexicon, word_classes
from .model import Document, Mention, Sentence
from .textsearch import longest_first

# rules whose spans the scorer judges; places from the gazetteer and the XPCC, the
# writer's own division and chains after a county are left to the rules
JUDGED = frozenset({"suffix", "enumeration", "list", "quote", "quote+head", "quote+field", "head", "name",
                    "role", "byline", "project", "township", "surname", "head_word", "lexicon"})
PROPOSED_ONLY = frozenset({"project", "township", "surname", "head_word"})   # kept only when a scorer says so
NESTED = frozenset({"project", "head_word"})   # may hold another name: 某县人民医院|门诊楼, 某小学|建设项目
UNSHARED = ("recur:",)     # features not repeated per family (how often a text recurs says the same for all)
# a person's name may start later (车间组长|某某·某某); later starts of other names found
# more entities held out but cost relation F1 (their relations are new to the relation scorer)
SHIFTABLE = frozenset({"name", "role"})
# a rule's own span is dropped only when the scorer is nearly sure it is no name (0.1 scored
# 0.005 better held out, within noise, but dropped real names in invented articles the scorer
# never saw); a proposal or a later start is kept from the second (chosen on leave-one-out)
KEEP, KEEP_NEW = 0.03, 0.5
MAX_SHIFTS = 3              # later starts proposed per span
CN_DIGITS = "一二三四五六七八九十百零〇两"
CHAR_CLASSES = {"comma": "，,", "enum": "、", "colon": "：:", "open": "“‘「『\"《(（【[<",
                "close": "”’」』》)）】]>", "stop": "。；;！!？?", "dot": "·"}
NEXT_CLAUSE = re.compile(r"[^。；;！!？?]{0,16}")     # the rest of a clause after a span, a row's next cells
NAMED_TAGS = ("ns", "nr", "nz", "nt", "vn")
QUOTE_MARKS = frozenset("“”「」\"")
FAMILY = {"project": "project", "township": "township", "Person": "person", "Township": "township",
          "Village": "township", "Initiative": "initiative"}


@dataclass
class SpanContext:
    """What the features of one document's candidates look at."""
    doc: Document
    tokens: dict[int, list]                      # sentence index -> its jieba tokens (kg.mentions._Tokens)
    tags: dict[str, str]                         # jieba's dictionary tags
    lex: Lexicon
    triggers: frozenset[str]
    cands: list[Mention]
    shifted: dict[int, str] = field(default_factory=dict)     # id(alternative) -> class of what it dropped
    spans: Counter = field(default_factory=Counter)           # (start, end) -> how many rules proposed it
    sources: dict = field(default_factory=dict)               # (start, end) -> sources that proposed it
    types: dict = field(default_factory=dict)                 # (start, end) -> types proposed
    places: dict = field(default_factory=dict)                # sentence -> [(start, end)] of coded places
    recur: dict = field(default_factory=dict)                 # span text -> occurrences in the article
    classes: dict = field(init=False)                         # word -> word_class (see _word_classes)

    def __post_init__(self):
        self.classes = _word_classes(self.lex, self.triggers, self.tags)
        for m in self.cands:
            self.note(m)

    def note(self, m: Mention) -> None:
        key = (m.start, m.end)
        self.spans[key] += 1
        self.sources.setdefault(key, set()).add(m.source)
        self.types.setdefault(key, set()).add(m.type)
        if m.code:
            self.places.setdefault(m.sentence, []).append(key)


def judged(m: Mention) -> bool:
    """Whether the scorer decides on ``m``: a township split off the head of a village's name
    (某某镇|某某村) is as sure as a chain after its county and stays the rules' call."""
    return bool(m.type) and m.source in JUDGED and not (m.source == "suffix" and m.type == "Township")


def char_class(c: str) -> str | None:
    if not c:
        return "edge"
    if c.isspace():
        return "space"
    if c.isdigit() or c in CN_DIGITS:
        return "num"
    return _CLASS_OF_CHAR.get(c)


_CLASS_OF_CHAR = {}          # the first class of CHAR_CLASSES holding each character
for _cls, _chars in CHAR_CLASSES.items():
    for _c in _chars:
        _CLASS_OF_CHAR.setdefault(_c, _cls)


@lru_cache(maxsize=1)
def _cue_classes() -> tuple[dict[str, str], list[tuple[str, tuple[str, ...], int]]]:
    """span_context.tsv as word -> class, and per class its words and the longest one's length."""
    classes = word_classes("span_context.tsv")
    of_word = {}
    for cls, words in classes.items():
        for w in words:
            of_word.setdefault(w, cls)
    return of_word, [(cls, tuple(words), max(map(len, words))) for cls, words in classes.items()]


_INNER_HEADS: dict[int, tuple[Lexicon, re.Pattern, dict[str, list[str]]]] = {}


def _inner_head_types(core: str, lex: Lexicon) -> list[str]:
    """The types of the head words of suffixes.tsv (two characters or more, longest first)
    written inside ``core``, sorted; memoised per lexicon (names recur across articles)."""
    if id(lex) not in _INNER_HEADS:
        _INNER_HEADS[id(lex)] = lex, re.compile(longest_first(w for w in lex.suffixes if len(w) > 1)), {}
    _, pattern, known = _INNER_HEADS[id(lex)]
    if core not in known:
        if len(known) >= 1 << 16:
            known.clear()                 # bounded: a big build's names are mostly its own
        known[core] = sorted({lex.suffixes[h.group(0)] for h in pattern.finditer(core)})
    return known[core]


def word_class(word: str, ctx: SpanContext) -> str:
    """A word as a class: a cue of span_context.tsv, a role word, a trigger, or jieba's tag."""
    cls = ctx.classes.get(word)
    if cls is None:
        cls = ctx.classes[word] = _word_class(word, ctx)
    return cls


_WORD_CLASSES: dict[tuple[int, int, int], tuple] = {}


def _word_classes(lex: Lexicon, triggers: frozenset[str], tags: dict[str, str]) -> dict[str, str]:
    """word -> word_class, shared by the documents read with the same lexicon, triggers and
    tags (the same words are asked for over and over); the key objects are kept alive with it."""
    key = (id(lex), id(triggers), id(tags))
    if key not in _WORD_CLASSES:
        _WORD_CLASSES[key] = (lex, triggers, tags, {})
    return _WORD_CLASSES[key][3]


def _word_class(word: str, ctx: SpanContext) -> str:
    cls = _cue_classes()[0].get(word)
    if cls:
        return cls
    if word in ctx.lex.roles:
        return "role"
    if word in ctx.triggers:
        return "trigger"
    if word == "的":
        return "de"
    tag = ctx.tags.get(word)
    if tag is None:
        return "oov1" if len(word) == 1 else "oov"
    return "tag_" + (tag[:2] if tag.startswith(NAMED_TAGS) else tag[:1])


@lru_cache(maxsize=1)
def proposed_heads() -> dict[str, str]:
    """Head word -> type, from proposed_heads.tsv (names only the scorer may keep)."""
    return {w: t for t, words in word_classes("proposed_heads.tsv").items() for w in words}


@lru_cache(maxsize=1)
def proposed_head_pattern() -> re.Pattern:
    return re.compile(longest_first(proposed_heads()))


def context_words(cls: str) -> tuple[str, ...]:
    """The words of one class of span_context.tsv (member: 组长, 院长 … before a name)."""
    return word_classes("span_context.tsv").get(cls, ())


@lru_cache(maxsize=1 << 16)
def _ending_cue(text: str) -> str | None:
    """The first class of span_context.tsv with a word ending ``text``; a word before a
    final line break ends it too."""
    for cls, words, longest in _cue_classes()[1]:
        tail = text[-longest:]
        if tail.endswith(words) or tail.endswith("\n") and tail[:-1].endswith(words):
            return cls
    return None


@lru_cache(maxsize=1 << 16)
def _opening_cue(text: str) -> str | None:
    """The first class of span_context.tsv with a word opening ``text``."""
    for cls, words, _ in _cue_classes()[1]:
        if text.startswith(words):
            return cls
    return None


@lru_cache(maxsize=1)
def _invest_words() -> re.Pattern:
    """Any word of the class invest of span_context.tsv."""
    words = context_words("invest")
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")


_SUFFIX_REACH: dict[int, tuple[Lexicon, dict[str, int]]] = {}


def _suffix_reach(lex: Lexicon) -> dict[str, int]:
    """Last character of a head word of suffixes.tsv -> the longest such head word's length."""
    if id(lex) not in _SUFFIX_REACH:
        reach: dict[str, int] = {}
        for w in lex.suffixes:
            reach[w[-1]] = max(reach.get(w[-1], 0), len(w))
        _SUFFIX_REACH[id(lex)] = lex, reach
    return _SUFFIX_REACH[id(lex)][1]


def _head(text: str, lex: Lexicon) -> tuple[str, int]:
    """The class of the span's head word (a suffix's type, a project, a township …) and its length."""
    # only head words ending in the span's last character can end it
    for n in range(min(len(text) - 1, 8, _suffix_reach(lex).get(text[-1:], 0)), 0, -1):
        t = lex.suffixes.get(text[-n:])
        if t:
            return t, n
    for word, cls in (("项目", "project"), ("乡", "township"), ("镇", "township"), ("村", "village"),
                      ("”", "quote"), ("」", "quote")):
        if text.endswith(word):
            return cls, len(word)
    return "none", 0


_TEXT_FEATURES: dict[int, tuple[Lexicon, dict[str, tuple[str, int, tuple[str, ...]]]]] = {}


def _text_features(text: str, lex: Lexicon) -> tuple[str, int, tuple[str, ...]]:
    """The span's head word (:func:`_head`) and, in their order, the features that read
    nothing but its text once the head is known; memoised per lexicon, as a name is
    judged again wherever it recurs."""
    if id(lex) not in _TEXT_FEATURES:
        _TEXT_FEATURES[id(lex)] = lex, {}
    known = _TEXT_FEATURES[id(lex)][1]
    if text in known:
        return known[text]
    if len(known) >= 1 << 16:
        known.clear()                     # bounded: a big build's names are mostly its own
    head, n = _head(text, lex)
    core = text[:len(text) - n]
    own = ["core_len:" + bucket(len(core), (0, 1, 2, 3, 4, 6, 9, 13))]
    spelled = sum(map(lex.transliteration.__contains__, core)) / max(len(core), 1)
    own.append("translit:" + ("0" if spelled == 0 else "low" if spelled < 0.5 else "high" if spelled < 1 else "all"))
    own += ["inner_head:" + t for t in _inner_head_types(core, lex)]
    if any(map(str.isdigit, text)):
        own.append("digit")
    if not QUOTE_MARKS.isdisjoint(text):
        own.append("quoted")
    if "·" in text:
        own.append("dot")
    if core and core[0] in "本该各全每这那其某此首" or _opening_cue(text) == "det":
        own.append("opens_det")
    known[text] = head, n, tuple(own)
    return known[text]


def features(m: Mention, sent: Sentence, ctx: SpanContext) -> dict[str, float]:
    """General features of one candidate span (one line each in docs/quality.md)."""
    f, family = _own_features(m, sent, ctx)
    # each feature also within the candidate's family, so that what marks a township named
    # alone need not be what marks a firm (a linear model has no interactions of its own)
    keys = _family_keys(family)
    f.update({fk: v for k, v in list(f.items()) if (fk := keys[k])})
    return f


def _probability(m: Mention, sent: Sentence, ctx: SpanContext, scorer: Scorer) -> float:
    """``scorer.probability(features(m, sent, ctx))`` without making the family copies: the
    weights of the features, then those of their copies, in the order :func:`features`
    lists them (so the same sum, bit for bit)."""
    f, family = _own_features(m, sent, ctx)
    w, wf = scorer.weights, scorer.prefixed_weights(family + "~", skip=UNSHARED)
    terms = [w[k] * v for k, v in f.items() if k in w]
    terms += [wf[k] * v for k, v in f.items() if k in wf]
    return scorer.probability_of_logit(scorer.bias + sum(terms))


def _own_features(m: Mention, sent: Sentence, ctx: SpanContext) -> tuple[dict[str, float], str]:
    """The features of :func:`features` but their family copies, and the family."""
    s, lex = sent.text, ctx.lex
    tokens = ctx.tokens[sent.index]
    a, b = m.start - sent.start, m.end - sent.start
    text = s[a:b]
    f = {"bias_" + m.source: 1.0, "type:" + m.type: 1.0, f"src&type:{m.source}&{m.type}": 1.0,
         "kind:" + sent.kind: 1.0, "len:" + bucket(len(text), (2, 3, 4, 5, 6, 8, 10, 13, 17)): 1.0}
    # before the span
    before = char_class(s[a - 1:a])
    if before is None:
        i = bisect_left(tokens.starts, a)
        prev = tokens[i - 1] if i > 0 and tokens[i - 1].end == a else None
        before = word_class(prev.word, ctx) if prev else "glued" if s[a - 1] in lex.stopwords else "mid_token"
    f["prev:" + before] = 1.0
    if a > 0 and s[a - 1] in lex.transliteration and s[a] in lex.transliteration:
        f["edge:translit"] = 1.0          # starts inside a run of characters that spell a name
    cue = _ending_cue(s[max(0, a - 8):a])
    if cue:
        f["prev_cue:" + cue] = 1.0
    # after the span
    after = char_class(s[b:b + 1])
    if after is None:
        j = bisect_left(tokens.starts, b)
        after = word_class(tokens[j].word, ctx) if j < len(tokens) and tokens.starts[j] == b else "mid_token"
    f["next:" + after] = 1.0
    cue = _opening_cue(s[b:b + 8])
    if cue:
        f["next_cue:" + cue] = 1.0
    if a > 0 and s[a - 1] in "：:" and (cue := _ending_cue(s[max(0, a - 9):a - 1])):
        f["field_cue:" + cue] = 1.0         # 项目名称：X, a field's value
    rest = NEXT_CLAUSE.match(s, b).group(0)
    if _invest_words().search(rest):
        f["clause_after:invest"] = 1.0      # X，总投资…万元 / a table row: what was invested in
    # inside: tokens, dictionary words, transliteration, digits, quotes
    first_inside = bisect_left(tokens.starts, a)
    inside = tokens[first_inside:bisect_left(tokens.starts, b, first_inside)]     # the tokens starting in it
    f["ntok:" + bucket(len(inside), (1, 2, 3, 4, 6, 9))] = 1.0
    if inside:
        # a span that starts inside a token: after a stop word jieba glued on (赴|江布拉克), or cut
        first = word_class(inside[0].word, ctx) if inside[0].start == a else "glued" if s[a - 1] in lex.stopwords \
            else "cut"
        f["first:" + first] = 1.0
        if inside[-1].end != b:
            f["last:cut"] = 1.0
        known = [t.word for t in inside if t.word in ctx.tags]
        oov = (len(inside) - len(known)) / len(inside)
        f["oov:" + ("0" if oov == 0 else "some" if oov < 0.5 else "most")] = 1.0
        f["dict_words:" + bucket(len(known) - [*map(len, known)].count(1), (0, 1, 2, 3))] = 1.0   # no word is empty
        for t in inside[1:]:                  # a word that never stands inside a name (在, 又, 曾任)
            cls = word_class(t.word, ctx)
            if cls in ("tag_p", "tag_d", "tag_c", "tag_r", "tag_u", "trigger", "say", "member", "role") \
                    or t.word in lex.stopwords:
                f["inner:" + ("stop" if t.word in lex.stopwords else cls)] = 1.0
            elif cls == "tag_v":
                f["inner:verb"] = 1.0
    if text in ctx.tags:
        f["dict_word"] = 1.0
    head, n, own = _text_features(text, lex)
    f["head:" + head] = 1.0
    if n and inside:                          # 某某楼建设|项目, 援疆|项目: what the head word follows
        before_head = next((t for t in reversed(inside) if t.end == b - n and t.start > a), None)
        if before_head is not None:
            f[f"before_head:{word_class(before_head.word, ctx)}&{head}"] = 1.0
    f[f"head&type:{head}&{m.type}"] = 1.0
    f.update(dict.fromkeys(own, 1.0))
    # places inside the span
    for pa, pb in ctx.places.get(m.sentence, ()):
        if (pa, pb) == (m.start, m.end):
            f["place:whole"] = 1.0
        elif pa == m.start and pb < m.end:
            f["place:start"] = 1.0
        elif m.start <= pa and pb <= m.end:
            f["place:inside"] = 1.0
        elif pa < m.end and m.start < pb:
            f["place:cut"] = 1.0
        elif pb == m.start:
            f["place:before"] = 1.0
    # the article and the rules
    if text not in ctx.recur:
        ctx.recur[text] = ctx.doc.text.count(text)
    f["recur:" + bucket(ctx.recur[text], (1, 2, 3, 5))] = 1.0
    key = (m.start, m.end)
    f["votes:" + bucket(len(ctx.sources.get(key, ())), (1, 2, 3))] = 1.0
    for src in sorted(ctx.sources.get(key, ()) - {m.source}):
        f["also:" + src] = 1.0
    if len(ctx.types.get(key, ())) > 1:
        f["types_disagree"] = 1.0
    if id(m) in ctx.shifted:
        f["shift:" + ctx.shifted[id(m)]] = 1.0
    if a == 0:
        f["sentence_first"] = 1.0
    return f, FAMILY.get(m.source) or FAMILY.get(m.type, "name")


class _FamilyKeys(dict):
    """feature -> the same feature within one family (``family~feature``; None for the
    UNSHARED ones), made once: the same few hundred features recur in every document."""

    def __init__(self, family: str):
        super().__init__()
        self.family = family

    def __missing__(self, key: str) -> str | None:
        fk = self[key] = None if key.startswith(UNSHARED) else f"{self.family}~{key}"
        return fk


@cache
def _family_keys(family: str) -> _FamilyKeys:
    return _FamilyKeys(family)


def later_starts(m: Mention, sent: Sentence, ctx: SpanContext) -> list[Mention]:
    """The same name starting at later token starts (经|永翔集团, 分布在|昆玉市第一中学, a role
    word before a person): each dropped stretch's first word gives the feature ``shift:CLASS``."""
    if m.source not in SHIFTABLE:
        return []
    # a name that opens with its place starts there (保定|援疆工作队), or at a later place
    # (喀什地区|伽师县第一中学)
    places = {a for a, _ in ctx.places.get(m.sentence, ())}
    placed = m.start in places and (m.start, m.end) not in ctx.places.get(m.sentence, ())
    tokens = ctx.tokens[sent.index]
    a, b = m.start - sent.start, m.end - sent.start
    _, head = _head(sent.text[a:b], ctx.lex)
    shortest = 2 if m.type in ("Person", "Enterprise") else 3
    out = []
    i = bisect_left(tokens.starts, a)
    first = word_class(tokens[i].word, ctx) if i < len(tokens) and tokens.starts[i] == a else "cut"
    for tok in tokens[i + 1:]:
        if len(out) >= MAX_SHIFTS or b - tok.start < max(shortest, head + 1) or tok.start >= b:
            break
        if tok.start <= a or sent.text[tok.start:b] in ctx.tags or placed and sent.start + tok.start not in places:
            continue                          # 和|援疆: what is left is a common word, no name
        alt = Mention(m.doc_id, sent.start + tok.start, m.end, sent.text[tok.start:b], m.type,
                      alt_types=m.alt_types, source=m.source, sentence=m.sentence)
        ctx.shifted[id(alt)] = first
        out.append(alt)
    return out


def proposals(doc: Document, sentences: list[tuple[Sentence, list]], cands: list[Mention], tags, lex: Lexicon,
              triggers: frozenset[str]) -> tuple[SpanContext, list[Mention]]:
    """The candidates with later starts added, and the context their features read."""
    ctx = SpanContext(doc, {s.index: t for s, t in sentences}, tags, lex, triggers, cands)
    by_index = {s.index: s for s, _ in sentences}
    extra = []
    for m in cands:
        if judged(m):
            extra += later_starts(m, by_index[m.sentence], ctx)
    for m in extra:
        ctx.note(m)
    return ctx, cands + extra


def _open(cands: list[Mention]) -> list[Mention]:
    """The judged candidates that could be kept: not inside a longer span the rules decide
    alone (a place, a chain), which the longest-first selection keeps whatever is said."""
    settled: dict[int, list[tuple[int, int]]] = {}
    for m in cands:
        if m.type and not judged(m):
            settled.setdefault(m.sentence, []).append((m.start, m.end))
    return [m for m in cands if judged(m) and not any(a <= m.start and m.end <= b and b - a > m.end - m.start
                                                      for a, b in settled.get(m.sentence, ()))]


def examples(ctx: SpanContext, cands: list[Mention]) -> list[tuple[Mention, dict[str, float]]]:
    """Every judged candidate that could be kept, with its features (for training)."""
    sentences = {s.index: s for s in ctx.doc.sentences}
    return [(m, features(m, sentences[m.sentence], ctx)) for m in _open(cands)]


def decide(ctx: SpanContext, cands: list[Mention], scorer: Scorer | None) -> list[Mention]:
    """The candidates to keep: unjudged ones always; judged ones the scorer finds likely,
    the likeliest of those ending at one place. Without a scorer: the rules' own spans."""
    if scorer is None:
        return [m for m in cands if m.source not in PROPOSED_ONLY and id(m) not in ctx.shifted]
    sentences = {s.index: s for s in ctx.doc.sentences}
    best: dict[tuple[int, bool], tuple[float, int, tuple]] = {}
    kept, likely = [m for m in cands if not judged(m)], []
    for order, m in enumerate(_open(cands)):
        p = _probability(m, sentences[m.sentence], ctx, scorer)
        if p < (KEEP_NEW if m.source in PROPOSED_ONLY or id(m) in ctx.shifted else KEEP):
            continue
        likely.append(m)
        # one name ends at one place: the likeliest start and type there (a nested name apart)
        key = (m.end, m.source in NESTED)
        if key not in best or (p, -order) > best[key][:2]:
            best[key] = (p, -order, (m.start, m.type))
    # every rule that proposed the chosen span keeps its mention: _select settles them as before
    return kept + [m for m in likely if best[(m.end, m.source in NESTED)][2] == (m.start, m.type)]
