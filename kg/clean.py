"""Cleaning: newspaper layout noise out, offsets into the original file kept.

Entry point: :func:`clean`, which fills ``Document.text``, ``offsets``, ``paragraphs``
and ``sentences`` from ``Document.raw`` (``raw`` itself is never changed). The steps,
each a function of its own:

1. :func:`normalise` — a same-length normal form of ``raw``: full-width digits, letters
   and ``.%+-/`` to half-width (８．４亿元 -> 8.4亿元), the ideographic space and
   zero-width characters to a space, corner brackets 「」『』 to “”‘’, traditional to
   simplified characters with OpenCC's ``hk2s`` data (``t2s`` plus Hong Kong variants
   such as 衞). Chinese punctuation (，。；：“”、（）) is left alone: the sentence splitter
   and the extractors read it. Because every character keeps its position, offsets into
   the normal form are offsets into ``raw``.
2. :func:`chunks` — runs of non-blank lines, with the number of line breaks around them.
   A single line break ends a chunk too when the line before it is complete (ends a
   sentence, is shaped like a heading, or is a row of a figures box: 援疆资金 15.2亿元),
   so files with one paragraph per line work.
   List items (``- ``, ``·``, ``•``) and Markdown ``#`` headings stand alone.
3. :func:`join_page_breaks` — newspaper PDFs break words across pages with a blank line
   (阿\\n\\n克苏地区). A chunk that stops mid-sentence is joined with the next one unless
   the next one is shaped like a heading; a photo caption printed in between is moved
   after the joined paragraph (see :func:`join_page_breaks` for the rule). A short chunk
   that looks like a heading is joined too when the break cuts a head word (人民医 / 院).
   Page numbers and running heads (:func:`page_furniture`) between the halves are stepped
   over and dropped, wherever they stand (``metadata["dropped_furniture"]``: raw spans).
4. :func:`paragraph_kind` — body, heading, caption or list (heuristics documented there).
5. :func:`drop_repeats` — paragraphs printed twice, wholly or as a long first or last
   part, are kept once.
6. :func:`sentence_spans` — split on 。！？!?；; and …, closing quotes kept with their
   sentence; a heading, caption or list item is one sentence.

``Document.text`` is the kept paragraphs joined by ``"\\n\\n"``; no sentence contains that
separator. ``offsets[i]`` is the index in ``raw`` of ``text[i]`` (a separator gets the
position just after the paragraph before it) plus a final ``len(raw)``. Offsets increase
through the text except where a caption was moved, which ``metadata["moved_captions"]``
counts. ``metadata`` also gets ``converted_from="traditional"`` when conversion changed
anything, and ``dropped_duplicates`` (how many repeated pieces were dropped) with
``dropped_spans`` (their raw spans, ``start-end`` comma separated).
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import load_lexicon, rule_pattern, word_list
from .model import Document, Paragraph, Sentence

SENTENCE_STOPS = "。！？!?；;"
TERMINAL = SENTENCE_STOPS + "…"
CLOSERS = "”’」』）)》】〉\"'"
CLAUSE_MARKS = set(",，、；;:：")
# a chunk ending in one of these stops mid-sentence however short it is (乡村振兴的 / “牛鼻子”)
DANGLING = set("的、，,“‘（(：:和与及对把将被让使给于以并或且其该这那之向从到在为是")
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SPACE_FOR_BREAK = str.maketrans({c: " " for c in LINE_BREAKS + "\t"})
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
LIST_ITEM = re.compile(r"(?:[-*]\s+|[•·●▪◆■◇○]\s*)\S")
MD_HEADING = re.compile(r"#{1,6}\s+(?=\S)")
DATE_LED = re.compile(r"\d{4}\s*(?:[—–-]+\s*\d{4}\s*)?年")
# page furniture that PDF text puts between the halves of a paragraph: page numbers (- 3 -,
# 第3版, A3) and running heads (2022年12月30日 星期五 责任编辑:王明, 衢州日报 第3版)
PAGE_NUMBER = re.compile(r"[-—–\s]*(?:第\s*)?[A-Z]?\d{1,3}\s*(?:版|页)?[-—–\s]*")
RUNNING_HEAD = re.compile(r"星期[一二三四五六日天]|责任编辑|版式设计|美术编辑|版面编辑|校对[:：]|"
                          r"\S{2,8}(?:日报|晚报|时报)\s*(?:第\s*[A-Z]?\d{1,3}\s*版|[A-Z]\d{1,2}版|\d{4}年)")
# a row of a figures box (数读 / 援疆资金 15.2亿元): a line of its own, never half a sentence
DATELINE = rule_pattern("dateline")     # 新华社某地7月14日电 opens a report: what stands before it is its title
FIGURE_ROW = re.compile(r"(?:^|[:：])[\u4e00-\u9fff]{2,12}[ \t:：]+[\d.,]+\s*[\u4e00-\u9fff%]{0,4}$")
PHOTO_CAPTION = re.compile(r"^图[为：:]|(?<!拍)摄\s*[)）]?$")
FOLIO = re.compile(r"第\s*[A-Z]?\d{1,3}\s*版|[A-Z]\d{1,2}版|责任编辑|版式设计|美术编辑|版面编辑")
JUMP = r"[（(]\s*(?:下转|转|上接|接|紧接|续)第?\s*[A-Z]?\d{1,3}\s*版\s*[)）]"
JUMP_AT_END = re.compile(JUMP + r"\s*$")
JUMP_AT_START = re.compile(r"\s*" + JUMP + r"\s*")
SPACED_WORDS = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")
# web-page furniture in text copied from a page (HTML or plain): the end mark of a post
# (END, - END -), the masthead line of a public-account post (原创 账号名 2025-06-18 10:02 新疆),
# a navigation bar or breadcrumb (首页 | 新闻 | 政务公开 …, 首页 > 援疆动态 > 正文)
END_MARK = re.compile(r"[-—–=*·\s]*(?:END|End|end)[-—–=*·\s]*")
MASTHEAD = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}")
NAV_SEPARATOR = re.compile(r"\s*[|｜>›»/]\s*|\s{2,}|\t")
LATIN_LETTER = re.compile(r"[A-Za-z]")
TERMINAL_CHAR = re.compile(f"[{re.escape(TERMINAL)}]")    # where a sentence may end
SENTENCE_END = re.compile(f"[{re.escape(TERMINAL)}]+[{re.escape(CLOSERS)}]*")   # its stops and closers
CLAUSE_MARK = re.compile(r"[,，;；:：]")
DIGIT = re.compile(r"\d")
LINK_LIST_MARKS = "【】[]:： "
MIN_REPEAT = 30            # a repeated first/last part must be at least this long
MAX_SENTENCE = 600         # longer runs without a full stop are cut at a clause mark
WINDOW_PARAGRAPHS = 50     # repeats are looked for among this many preceding paragraphs


# ---------------------------------------------------------------- 1. normalisation

def _half_width_table() -> dict[int, str]:
    table = {}
    for code in range(0xFF01, 0xFF5F):
        half = chr(code - 0xFEE0)
        if half.isascii() and (half.isalnum() or half in ".%+-/"):
            table[code] = half
    for space in "\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff":
        table[ord(space)] = " "
    # corner brackets (Taiwan, Hong Kong) are the quotation marks of simplified text, so a
    # name reads 「津和同心」 in the file and “津和同心” in the graph, as in other articles
    table.update({ord("「"): "“", ord("」"): "”", ord("『"): "‘", ord("』"): "’"})
    return table


HALF_WIDTH = _half_width_table()
# runs of the characters a table changes: str.translate looks up every character of Chinese
# text one by one (about 0.2 µs each), so only these runs are handed to it
HALF_WIDTH_RUN = re.compile("[" + re.escape("".join(map(chr, HALF_WIDTH))) + "]+")
BREAK_RUN = re.compile("[" + re.escape(LINE_BREAKS + "\t") + "]+")


def _translated(text: str, table: dict[int, str], runs: re.Pattern) -> str:
    """``text.translate(table)``, where ``runs`` finds every run of characters ``table`` maps."""
    return runs.sub(lambda run: run.group().translate(table), text)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC
    # hk2s is t2s with Hong Kong's variant characters first (衞 -> 衛 -> 卫, which t2s keeps)
    return OpenCC("hk2s")


def normalise(raw: str) -> tuple[str, bool]:
    """Same-length normal form of ``raw`` and whether traditional script was converted."""
    text = _translated(raw, HALF_WIDTH, HALF_WIDTH_RUN)
    if _nothing_changes(text):
        return text, False          # nothing OpenCC would change: most articles
    simplified = CJK_RUN.sub(lambda m: to_simplified(m.group(0)), text)
    return simplified, simplified != text


def _nothing_changes(text: str) -> bool:
    """Whether ``text`` holds none of :func:`_changing_chars` (False when they are unknown)."""
    found = _changing_pattern()
    if found is None:
        return False
    bmp, astral = found
    return not bmp.search(text) and (not ASTRAL.search(text) or astral.isdisjoint(text))


ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@lru_cache(maxsize=1)
def _changing_pattern() -> tuple[re.Pattern, frozenset[str]] | None:
    """:func:`_changing_chars` as a character class of those in the Basic Multilingual Plane
    (searched about ten times faster than a set is asked per character) and a set of the rest
    (a class holding characters beyond that plane is as slow as the set)."""
    chars = _changing_chars()
    if chars is None:
        return None
    bmp = "".join(sorted(c for c in chars if c <= "\uffff"))
    return re.compile(f"[{re.escape(bmp)}]" if bmp else "(?!)"), frozenset(c for c in chars if c > "\uffff")


@lru_cache(maxsize=1)
def _changing_chars() -> frozenset[str] | None:
    """Every character that :func:`_t2s` changes, from the keys of OpenCC's own
    tables: text without any of them comes out of OpenCC unchanged, so conversion (about a
    tenth of the time of a whole build, in pure Python) can be skipped. Each key X is
    converted end to end to Y (the chain has several stages: the Hong Kong stage turns 着
    into 著 and the next turns it back, so 着 changes nothing); kept are the characters where
    X and Y differ, or all of X when the lengths differ. ``None`` when the tables are not
    where this version of the library kept them: then always convert. A set, not a
    character class: a class of thousands searched over a whole article is eight times slower."""
    try:
        converter = _t2s()
        converter.convert("測")                      # the tables load on first use
        chars: set[str] = set()
        for _, _, table in (entry for chain in converter._dict_chain_data for entry in chain):
            for source in table:
                target = converter.convert(source)
                if source == target:
                    continue
                if len(source) == len(target):
                    chars.update(a for a, b in zip(source, target) if a != b)
                else:
                    chars.update(source)
    except Exception:
        return None
    return frozenset(chars) or None


def to_simplified(run: str) -> str:
    """OpenCC hk2s over a run of Chinese characters, phrase-wise (乾隆 stays 乾隆); if a
    phrase changes length, character by character, so that offsets stay one to one."""
    converted = _t2s().convert(run)
    if len(converted) == len(run):
        return converted
    singles = (_t2s().convert(c) for c in run)
    return "".join(s if len(s) == 1 else c for s, c in zip(singles, run))


# ---------------------------------------------------------------- shapes of a line

def ends_sentence(t: str) -> bool:
    t = t.rstrip(CLOSERS + " ")
    return bool(t) and t[-1] in TERMINAL


def heading_shape(t: str) -> bool:
    """Complete without final punctuation: a short phrase (数读, 叶锡挺, 柯坪风貌), a section
    title with ——, or words set apart by spaces (产业援疆 立足长远助民增收)."""
    if not t or ends_sentence(t) or t[-1] in DANGLING:
        return False
    if len(t) <= 60 and ("——" in t or SPACED_WORDS.search(t)):
        return True
    return len(t) <= 16 and not CLAUSE_MARKS.intersection(t)


def stops_mid_sentence(t: str) -> bool:
    """A chunk cut off by a page break: not ended, not heading-shaped, and long or
    sentence-like (clause punctuation), or ending in a word that needs a continuation."""
    if not t or ends_sentence(t):
        return False
    if t[-1] in DANGLING:
        return True
    if heading_shape(t):
        return False
    return len(t) >= 40 or (len(t) >= 20 and bool(CLAUSE_MARKS.intersection(t)))


def caption_shape(t: str) -> bool:
    """What a photo caption looks like once it stands apart: a date-led sentence
    (2022年6月,…培训。) or a short unpunctuated phrase (柯坪风貌)."""
    if len(t) > 90:
        return False
    if DATE_LED.match(t):
        return True
    return not ends_sentence(t) and len(t) <= 30 and t[-1] not in DANGLING


# ---------------------------------------------------------------- 2. chunks

@dataclass
class Chunk:
    """Lines of the normalised text that belong together, with the layout around them."""
    spans: list[tuple[int, int]]      # pieces of the normalised text, in reading order
    gap_before: int                   # line breaks since the previous chunk
    gap_after: int = 0
    mark: str = ""                    # "list" or "heading" (Markdown #) when the line says so
    text: str = ""


def _lines(norm: str):
    """(start, end) of each line's content without surrounding white space; None for blanks."""
    pos = 0
    for line in norm.splitlines(keepends=True):
        body = line.rstrip(LINE_BREAKS)
        stripped = body.strip()
        if stripped:
            start = pos + len(body) - len(body.lstrip())
            yield start, start + len(stripped)
        else:
            yield None
        pos += len(line)


def chunks(norm: str) -> list[Chunk]:
    out: list[Chunk] = []
    gap, current = 0, None
    for span in _lines(norm):
        if span is None:
            gap += 1
            current = None
            continue
        start, end = span
        gap += 1
        mark = ""
        line = norm[start:end]
        # a jump to or from another page (…开园。（下转第6版） / （上接第5版）河南省…) is no text
        if jump := JUMP_AT_END.search(line):
            end = start + len(line[:jump.start()].rstrip())
        if jump := JUMP_AT_START.match(line):
            start += len(jump.group(0))
        if end <= start:
            continue
        line = norm[start:end]
        if LIST_ITEM.match(line):
            mark = "list"
        elif current is not None and current.mark == "list" and norm[start - 1] in " \t\u3000":
            mark = "list"                 # an indented line under a list item goes on with it
        elif heading := MD_HEADING.match(line):
            mark, start, line = "heading", start + heading.end(), line[heading.end():]
        if current is not None and (mark or current.mark or _line_complete(current.text) or FIGURE_ROW.match(line)
                                    or DATELINE.match(line)
                                    or _running_head_line(line) or _running_head_line(current.text)
                                    or web_furniture(line) or len(current.spans) == 1 and web_furniture(current.text)):
            current = None                # a running head or a navigation bar is a line of its own
        if current is None:
            current = Chunk([], gap_before=gap if out else max(gap, 99), mark=mark)
            out.append(current)
        elif _latin_boundary(current.text, line):
            current.spans.append((start - 1, start))   # the line break, read as a space
            current.text += " "
        current.spans.append((start, end))
        current.text += line
        gap = 0
    for before, after in zip(out, out[1:]):
        before.gap_after = after.gap_before
    if out:
        out[-1].gap_after = gap + 1
    return out


def _running_head_line(t: str) -> bool:
    """Page furniture that says so on one line (a folio, an editor, a page number): a
    wrapped line of text that merely names a weekday is not."""
    return page_furniture(t) and (bool(PAGE_NUMBER.fullmatch(t)) or bool(FOLIO.search(t)))


def _line_complete(t: str) -> bool:
    return ends_sentence(t) or heading_shape(t) or bool(FIGURE_ROW.search(t))


def _latin_boundary(before: str, after: str) -> bool:
    return bool(before) and before[-1].isascii() and before[-1].isalnum() and after[0].isascii() \
        and after[0].isalnum()


# ---------------------------------------------------------------- 3. page-break joins

@dataclass
class Para:
    parts: list[Chunk]
    kind: str = ""
    moved: bool = False               # a caption taken out from between two halves
    spans: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""

    def __post_init__(self):
        if not self.spans:
            for c in self.parts:
                self.spans.extend(c.spans)
                self.text += c.text

    def add(self, chunk: Chunk) -> None:
        self.parts.append(chunk)
        self.spans.extend(chunk.spans)
        self.text += chunk.text


def join_page_breaks(chs: list[Chunk]) -> list[Para]:
    """Join chunks split by a page break; keep headings and captions apart.

    A paragraph so far that :func:`stops_mid_sentence` takes the next chunk, unless that
    chunk is a list item, a Markdown heading, or :func:`heading_shape` (then the break was
    a real one: body text that merely lacks its full stop, followed by 叶锡挺 or 数读). Up
    to two chunks set apart by 3+ line breaks that look like captions are stepped over
    (…开 / 2022年6月,…培训。/ 营。…): the two halves are joined and the captions follow
    the joined paragraph, so ``text`` order differs from ``raw`` order there.
    """
    paras: list[Para] = []
    used = [False] * len(chs)
    furniture = [page_furniture(c.text) for c in chs]
    for i in range(len(chs)):
        if used[i]:
            continue
        used[i] = True
        para, held, last = Para([chs[i]]), [], i
        while not chs[last].mark and not ends_sentence(para.text) and not web_furniture(para.text):
            cut = stops_mid_sentence(para.text)
            nxt, skipped = last + 1, []
            while nxt < len(chs) and (furniture[nxt] or len(skipped) < 2 and _caption_between(chs[nxt])):
                skipped.append(nxt)
                nxt += 1
            if nxt >= len(chs) or not _continues(para.text, chs[nxt]):
                break
            # a page number or running head in between is a page break: what stops without
            # ending a sentence and is not a heading goes on after it (…实施援疆项目 / 91个,…)
            turned = any(furniture[k] for k in skipped) and not heading_shape(para.text)
            if not cut and not turned and not cuts_head_word(para.text, chs[nxt].text):
                break
            for k in skipped:
                used[k] = True
                held.append(Para([chs[k]], kind="furniture" if furniture[k] else "caption", moved=True))
            used[nxt] = True
            para.add(chs[nxt])
            last = nxt
        paras.append(para)
        paras.extend(held)
    return paras


# single characters that end many headings on their own (在奋斗中 / 学…): never a cut word
WHOLE_AT_END = set("中上下里外前后内间")


def cuts_head_word(before: str, after: str) -> bool:
    """Whether a break falls inside a name's head word (博州人民医 / 院结成…, 有限公 / 司):
    then a short line that looks like a heading is the first half of a sentence."""
    if not before or before[-1] in WHOLE_AT_END or before.endswith(_head_words()):
        return False                  # 共建产业园 / 区委…: a whole head word ends the line
    halves = _head_word_halves()
    for k in range(1, min(len(before), halves.longest) + 1):
        if after.startswith(halves.get(before[-k:], ())):
            return True
    return False


@lru_cache(maxsize=1)
def _head_words() -> tuple[str, ...]:
    heads = {w for w in load_lexicon().suffixes if len(w) >= 2}
    return tuple(sorted(heads | {"地区", "自治州", "自治县", "自治区"}))


class _Halves(dict):
    """The first part of a head word cut in two -> the second parts that complete it."""
    longest = 0


@lru_cache(maxsize=1)
def _head_word_halves() -> _Halves:
    halves: dict[str, set[str]] = {}
    for word in _head_words():
        for k in range(1, len(word)):
            halves.setdefault(word[:k], set()).add(word[k:])
    out = _Halves((first, tuple(sorted(rest))) for first, rest in halves.items())
    out.longest = max(map(len, out), default=0)
    return out


def page_furniture(t: str) -> bool:
    """A page number or a running head: no part of the article's text."""
    return bool(PAGE_NUMBER.fullmatch(t)) or len(t) <= 60 and not ends_sentence(t) and bool(RUNNING_HEAD.search(t))


def web_furniture(t: str) -> bool:
    """A line of a web page around the article: an end mark, a post's masthead, a
    navigation bar or breadcrumb, or an English translation (mostly Latin letters)."""
    if END_MARK.fullmatch(t) or len(t) <= 60 and not ends_sentence(t) and MASTHEAD.search(t):
        return True
    clauses = not CLAUSE_MARKS.isdisjoint(t)
    if len(t) <= 80 or not clauses:            # else neither a bar nor a breadcrumb (most prose)
        items = [i for i in NAV_SEPARATOR.split(t) if i]
        if len(items) >= 4 and all(len(i) <= 8 and not DIGIT.search(i) for i in items) \
                and not clauses and not ends_sentence(t):
            return True
        if len(items) >= 3 and all(sep.strip() in (">", "›", "»") for sep in NAV_SEPARATOR.findall(t)) \
                and len(t) <= 80:
            return True
    latin = len(LATIN_LETTER.findall(t))
    return latin >= 20 and latin >= 0.6 * sum(not c.isspace() for c in t)


def opens_link_list(t: str) -> bool:
    """往期推荐, 【相关阅读】: the heading of a list of links to other articles."""
    return t.strip(LINK_LIST_MARKS) in word_list("web_furniture.txt")


def drop_link_lists(paras: list["Para"]) -> None:
    """A list of links to other articles, from its heading to the next paragraph of prose
    (one ending in a full stop, 20 characters or more), is furniture."""
    in_list = False
    for para in paras:
        if para.kind != "furniture" and opens_link_list(para.text):
            in_list = True
        elif in_list and ends_sentence(para.text) and len(para.text) >= 20:
            in_list = False
        if in_list:
            para.kind = "furniture"


def _caption_between(chunk: Chunk) -> bool:
    return not chunk.mark and chunk.gap_before >= 3 and caption_shape(chunk.text)


def _continues(before: str, chunk: Chunk) -> bool:
    if chunk.mark or DATELINE.match(chunk.text):
        return False                    # a dateline (新华社某地7月14日电) opens a report: a title ends before it
    return before[-1] in DANGLING or not heading_shape(chunk.text)


# ---------------------------------------------------------------- 4. kinds

def paragraph_kind(para: Para, first: bool) -> str:
    """Heuristic kind of a paragraph.

    - ``list``: a ``- ``/``·``/``•`` item; ``heading``: a Markdown ``#`` line.
    - ``caption``: a caption moved out of a page break; one that says it is (图为…,
      …记者 张明 摄) in ≤ 120 characters; or a single chunk set apart by
      3+ line breaks (how these layouts print photo captions) that is a short phrase
      (≤ 40 characters, no final punctuation, not a spaced/—— title), a date-led
      sentence of ≤ 90 characters, or a sentence of ≤ 60 characters with 3+ line breaks
      on both sides.
    - ``heading``: no final punctuation and ≤ 40 characters (titles, bylines such as
      叶锡挺, 数读), or a spaced/—— section title of ≤ 60 characters; the first paragraph
      of the file without final punctuation is the title.
    - ``body``: the rest, including long text that lost its full stop.
    """
    if para.kind == "furniture" or page_furniture(para.text) or web_furniture(para.text):
        return "furniture"
    if para.moved:
        return "caption"
    mark = para.parts[0].mark
    if mark:
        return mark
    t = para.text
    if PHOTO_CAPTION.search(t) and len(t) <= 120:
        return "caption"
    set_apart = len(para.parts) == 1 and para.parts[0].gap_before >= 3 and not first
    if ends_sentence(t):
        if set_apart and (len(t) <= 90 and DATE_LED.match(t) or len(t) <= 60 and para.parts[0].gap_after >= 3):
            return "caption"
        return "body"
    titled = len(t) <= 60 and ("——" in t or bool(SPACED_WORDS.search(t)))
    if set_apart and len(t) <= 40 and not titled:
        return "caption"
    if first and len(t) <= 60 or len(t) <= 40 or titled:
        return "heading"
    return "body"


# ---------------------------------------------------------------- 5. repeats

def drop_repeats(paras: list[Para]) -> tuple[list[Para], list[tuple[int, int]]]:
    """Keep the first copy of text printed twice; return the kept paragraphs and the
    spans (of the normalised text) dropped.

    A paragraph of 10+ characters printed before as a paragraph, or of 30+ characters
    found inside one of the preceding paragraphs (the copy may start mid-sentence:
    带徒弟230余人,… repeats the tail of …结对帮带徒弟230余人,…), is dropped; a short
    caption that merely quotes a name from the text (8090南孔文化宣讲团) stays. Otherwise a first or last part of 30+
    characters, cut at a sentence boundary, that appeared before is cut off.
    """
    kept: list[Para] = []
    dropped: list[tuple[int, int]] = []
    seen: set[str] = set()
    window: deque[str] = deque(maxlen=WINDOW_PARAGRAPHS)
    for para in paras:
        earlier = "\x00".join(window)
        t = para.text
        if len(t) >= 10 and t in seen or len(t) >= MIN_REPEAT and t in earlier:
            dropped.extend(_merge(para.spans))
            continue
        para = _cut_repeated_ends(para, earlier, dropped)
        kept.append(para)
        window.append(para.text)
        seen.add(para.text)
    return kept, dropped


def _cut_repeated_ends(para: Para, earlier: str, dropped: list[tuple[int, int]]) -> Para:
    t = para.text
    if len(t) < 2 * MIN_REPEAT or not earlier:
        return para
    bounds = [b for b in _sentence_ends(t) if MIN_REPEAT <= b <= len(t) - MIN_REPEAT]
    head = max((b for b in bounds if t[:b] in earlier), default=0) if t[:MIN_REPEAT] in earlier else 0
    tail = min((b for b in bounds if b >= head + MIN_REPEAT and t[b:] in earlier), default=len(t)) \
        if t[-MIN_REPEAT:] in earlier else len(t)
    if head == 0 and tail == len(t):
        return para
    while t[head].isspace():                  # the cut piece starts and ends on text
        head += 1
    while t[tail - 1].isspace():
        tail -= 1
    spans = _char_spans(para.spans)
    dropped.extend(_merge(spans[:head]) + _merge(spans[tail:]))
    return Para(list(para.parts), para.kind, para.moved, _merge(spans[head:tail]), t[head:tail])


def _sentence_ends(t: str) -> list[int]:
    return [m.end() for m in SENTENCE_END.finditer(t)]


def _char_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(i, i + 1) for a, b in spans for i in range(a, b)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# ---------------------------------------------------------------- 6. sentences

def sentence_spans(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; headings, captions and list items are one each.

    A sentence ends after a run of 。！？!?；; or … and the closing quotes or brackets that
    follow it (“这可是‘金蛋’!” is one sentence). One exception: an ellipsis that closes
    an enumeration (电商产业园、青少年活动中心、人才公寓……一座座地标建筑拔地而起) means "and so
    on" and the sentence goes on, unless a closing quote follows it.
    """
    if kind != "body":
        spans = [(start, end)]
    else:
        spans, s, at = [], start, start
        while stop := TERMINAL_CHAR.search(text, at, end):
            i = stop.start()
            if _ellipsis_in_enumeration(text, s, i):
                at = i + 1
                continue
            j = i + 1
            while j < end and (text[j] in TERMINAL or text[j] in CLOSERS):
                j += 1
            spans.append((s, j))
            s = at = j
        if s < end:
            spans.append((s, end))
    bounded = [piece for a, b in spans for piece in _bounded(text, a, b)]
    return [t for t in (_trim(text, a, b) for a, b in bounded) if t]


def _bounded(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Cut a run longer than MAX_SENTENCE at its last clause mark (else anywhere).

    Real sentences are far shorter; a line of a million characters without a full stop
    would otherwise become one sentence, and the later stages, which look at every pair of
    trigger and mention inside a sentence, would take hours over it."""
    out = []
    while b - a > MAX_SENTENCE:
        window = text[a + MAX_SENTENCE // 2:a + MAX_SENTENCE]
        cut = max(window.rfind(c) for c in "，,、：:")
        cut = a + MAX_SENTENCE // 2 + cut + 1 if cut >= 0 else a + MAX_SENTENCE
        out.append((a, cut))
        a = cut
    out.append((a, b))
    return out


def _ellipsis_in_enumeration(text: str, sentence_start: int, i: int) -> bool:
    if text[i] != "…":
        return False
    j = i
    while j < len(text) and text[j] == "…":
        j += 1
    if j < len(text) and text[j] in CLOSERS:
        return False
    clause = CLAUSE_MARK.split(text[max(sentence_start, i - MAX_SENTENCE):i])[-1]
    return "、" in clause


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


# ---------------------------------------------------------------- the stage

def clean(doc: Document) -> Document:
    """Fill ``text``, ``offsets``, ``paragraphs`` and ``sentences`` of ``doc`` (returned)."""
    norm, converted = normalise(doc.raw)
    paras = join_page_breaks(chunks(norm))
    for n, para in enumerate(paras):
        para.kind = paragraph_kind(para, first=(n == 0))
    drop_link_lists(paras)
    furniture = [span for p in paras if p.kind == "furniture" for span in _merge(p.spans)]
    kept, dropped = drop_repeats([p for p in paras if p.kind != "furniture"])
    doc.text, doc.offsets, doc.paragraphs = _assemble(kept, len(doc.raw))
    doc.sentences = []
    for p in doc.paragraphs:
        for a, b in sentence_spans(doc.text, p.start, p.end, p.kind):
            doc.sentences.append(Sentence(len(doc.sentences), p.index, p.kind, a, b, doc.text[a:b]))
    _note(doc.metadata, converted, dropped, sum(p.moved for p in kept), furniture)
    return doc


def _assemble(paras: list[Para], raw_len: int) -> tuple[str, list[int], list[Paragraph]]:
    pieces: list[str] = []
    offsets: list[int] = []
    out: list[Paragraph] = []
    length = 0
    for para in paras:
        if out:
            # the separator stands for the line breaks after the previous paragraph
            after = min(offsets[-1] + 1, raw_len - 1)
            pieces.append("\n\n")
            offsets += [after, after]
            length += 2
        start = length
        for a, b in para.spans:
            offsets.extend(range(a, b))
            length += b - a
        pieces.append(_translated(para.text, SPACE_FOR_BREAK, BREAK_RUN))
        out.append(Paragraph(len(out), para.kind, start, length))
    offsets.append(raw_len)
    return "".join(pieces), offsets, out


def _note(metadata: dict[str, str], converted: bool, dropped: list[tuple[int, int]], moved: int,
          furniture: list[tuple[int, int]] = ()) -> None:
    if converted:
        metadata["converted_from"] = "traditional"
    if furniture:
        metadata["dropped_furniture"] = ",".join(f"{a}-{b}" for a, b in furniture)
    if dropped:
        metadata["dropped_duplicates"] = str(len(dropped))
        metadata["dropped_spans"] = ",".join(f"{a}-{b}" for a, b in dropped)
    if moved:
        metadata["moved_captions"] = str(moved)
