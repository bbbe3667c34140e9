"""jieba's tokens of a document, computed by rjieba, and each sentence's tokens.

The rules of :mod:`kg.mentions` and the span features of :mod:`kg.spans` were written
against jieba's own tokens; rjieba (jieba-rs: the same dictionary, DAG and HMM in Rust,
about 15 times faster) computes them here, with the few edges where jieba-rs differs
drawn as jieba draws them (see :func:`segment`). Segmentation is most of the mention
stage's time, so a document is cut in one call and its sentences take their slices.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import namedtuple
from functools import lru_cache
from itertools import accumulate, groupby, repeat
from operator import sub

import jieba
import rjieba
from jieba import finalseg

from .gazetteer import load_gazetteer
from .lexicon import load_lexicon
from .model import Document

jieba.setLogLevel(60)

# One jieba token: its word and where it starts and ends in its sentence. A tuple (made in
# C, a document has thousands) whose fields read as attributes (tok.word, tok.start, tok.end).
_Token = namedtuple("_Token", "word start end")
_new_token = tuple.__new__


@lru_cache(maxsize=1)
def _dictionary_tags() -> dict[str, str]:
    """jieba's own dictionary tags (v, n, ns …), read once, before we add our words: the
    table jieba.posseg makes of the dictionary's ``word frequency tag`` lines, read here in
    C (importing jieba.posseg read it line by line and loaded its HMM tables, half a second
    of every build that extracts an article, a rebuild's included)."""
    with jieba.dt.get_dict_file() as fh:
        fields = fh.read().decode("utf-8").split()
    if len(fields) % 3:                 # not three fields a line: jieba's own reader says where
        from jieba import posseg
        return dict(posseg.dt.word_tag_tab)
    return dict(zip(fields[0::3], fields[2::3]))


@lru_cache(maxsize=1)
def _segmenter() -> rjieba.Jieba:
    """The segmenter, taught every division name and head word so that names are single
    tokens (called once per process)."""
    gaz, lex = load_gazetteer(), load_lexicon()
    _dictionary_tags()
    segmenter = rjieba.Jieba()
    for surface in gaz.names():
        if len(surface) >= 2:
            segmenter.add_word(surface, 2000, None)
    for suffix in lex.suffixes:
        segmenter.add_word(suffix, 1000, None)
    for word in lex.stopwords:
        if len(word) >= 2:
            segmenter.add_word(word, 3000, None)
    return segmenter


JIEBA_BLOCK = jieba.re_han_default   # jieba segments each run of these characters on its own
JIEBA_SPACE = jieba.re_skip_default  # and outside them yields whitespace and single characters
HAN = re.compile("[\u4E00-\u9FD5]")
ASCII_WORD = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")    # how jieba's HMM splits a run of Latin
ASCII_ALNUM = re.compile(r"[a-zA-Z0-9]+")
BLOCK_PUNCT = re.compile(r"[+#&._%\-]")          # what a block may hold besides Han, letters and digits
HMM_KNOWN = frozenset().union(*finalseg.emit_P.values())     # characters the HMM has odds for
# Where a block may need _own_block: a Han character that recurs inside its block (the
# second one is reached through block characters only), one the HMM has no odds for, or
# punctuation; a block with none of these is rjieba's as it stands.
_BLOCK_CHARS = r"\u4E00-\u9FD5a-zA-Z0-9+#&._%\-"
_HMM_UNKNOWN = "".join(chr(c) for c in range(0x4E00, 0x9FD6) if chr(c) not in HMM_KNOWN)
MAY_DIFFER = re.compile(rf"([\u4E00-\u9FD5])[{_BLOCK_CHARS}]*?\1|[{re.escape(_HMM_UNKNOWN)}+#&._%\-]")
# Characters jieba-rs counts as Han and jieba does not (rarer CJK ranges; checked against
# rjieba 0.2.2 over every code point to U+31FFF): a text holding one is cut block by block.
RJIEBA_ONLY_HAN = re.compile("[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0002A6DF"
                             "\U0002A700-\U0002EBEF\U0002F800-\U0002FA1F]")


def _hmm_may_tie(text: str) -> bool:
    """Whether two of jieba's HMM paths through this text could be equally likely.

    With different characters two paths never score exactly alike; they do when a
    character recurs (援援|援援援 and 援援援|援援 use the same odds) or when one is unknown
    to the HMM (its tiny floor swamps every other odd). jieba-rs settles such ties
    otherwise than jieba does."""
    han = HAN.findall(text)
    return len(set(han)) < len(han) or not HMM_KNOWN.issuperset(han)


def _dictionary_path(segmenter: rjieba.Jieba, block: str) -> list[str]:
    """The words of the best dictionary path through a block (no HMM), every character
    left off it on its own, as jieba's cut sees them before its HMM."""
    words = segmenter.cut(block, False)
    if not ASCII_ALNUM.search(block):
        return words
    steps: list[str] = []
    for word in words:
        # without HMM both libraries join single Latin letters and digits into one word
        if len(word) > 1 and ASCII_ALNUM.fullmatch(word) and not segmenter.has_word(word):
            steps.extend(word)
        else:
            steps.append(word)
    return steps


def _jieba_block(segmenter: rjieba.Jieba, block: str) -> list[str] | None:
    """jieba's own words of a block whose HMM could meet a tie, or None when no run the
    HMM gets could (then rjieba's words are jieba's).

    As jieba's cut does: runs of single characters on the dictionary path go to the HMM
    (jieba's finalseg here, which breaks ties as jieba does) unless a run is one
    character or a dictionary word."""
    steps = _dictionary_path(segmenter, block)
    singles = [step for step in steps if len(step) == 1]
    if len(set(singles)) == len(singles) and HMM_KNOWN.issuperset(singles):
        return None                   # what recurs is inside dictionary words
    runs = []                     # (first step, end step, the run of single characters)
    i = 0
    for single, group in groupby(steps, key=lambda step: len(step) == 1):
        n = len(list(group))
        if single and n > 1:
            run = "".join(steps[i:i + n])
            if not segmenter.has_word(run):
                runs.append((i, i + n, run))
        i += n
    if not any(_hmm_may_tie(run) for _, _, run in runs):
        return None
    words: list[str] = []
    at = 0
    for i, j, run in runs:
        words.extend(steps[at:i])
        words.extend(finalseg.cut(run))
        at = j
    words.extend(steps[at:])
    return words


def _own_block(segmenter: rjieba.Jieba, block: str, may_tie: bool = False) -> list[str] | None:
    """jieba's words of one block (a run of JIEBA_BLOCK characters) where jieba-rs's
    differ or may differ; None where rjieba's own words are jieba's (most blocks).
    ``may_tie``: the block is known to hold a recurring or unknown Han character."""
    # most blocks have no recurring or unknown character: no tie, no further look
    if may_tie or (len(set(block)) < len(block) or not HMM_KNOWN.issuperset(block)) and _hmm_may_tie(block):
        settled = _jieba_block(segmenter, block)
        if settled:
            return settled
    if not BLOCK_PUNCT.search(block):
        return None                   # Han, letters and digits only: every token is jieba's as it stands
    words: list[str] = []
    for word in segmenter.cut(block, True):
        if len(word) > 1 and not word.isalnum() and not HAN.search(word) and not segmenter.has_word(word):
            words.extend(piece for piece in ASCII_WORD.split(word) if piece)
        else:
            words.append(word)
    return words


def words_of(text: str) -> list[str]:
    """The words of ``jieba.tokenize(text)`` with our words added, in order; they cover
    the text, so their positions are the running sum of their lengths.

    jieba-rs draws two edges differently, so they are drawn here the way jieba does:
    blocks are jieba's (jieba-rs counts rarer CJK ranges as Han), and a Latin run with
    punctuation that is not a dictionary word is split like jieba's HMM splits it
    (2023-05-01 -> 2023 - 05 - 01, where jieba-rs keeps one token). Where the HMM could
    meet a tie (援援援援援), the block is cut the way jieba's cut does, with jieba's own HMM;
    only blocks with a recurring or unknown character are looked at again, and only
    those whose HMM runs could tie are cut so (a few in a hundred).

    jieba (and jieba-rs) cut each block on its own and yield what lies between blocks
    character by character (a line break after a carriage return together), so a text
    without the rarer CJK is cut in one rjieba call and only the blocks drawn otherwise
    are cut again; tests/test_segmenter.py compares the tokens with jieba's own."""
    segmenter = _segmenter()
    if RJIEBA_ONLY_HAN.search(text):
        words: list[str] = []
        for blk in JIEBA_BLOCK.split(text):
            if not blk:
                continue
            if JIEBA_BLOCK.match(blk):
                words.extend(_own_block(segmenter, blk) or segmenter.cut(blk, True))
            else:
                for piece in JIEBA_SPACE.split(blk):
                    words.extend([piece] if JIEBA_SPACE.match(piece) else piece)
        return words
    words = segmenter.cut(text, True)
    redo = []
    hit = MAY_DIFFER.search(text)
    if hit:
        blocks = [block.span() for block in JIEBA_BLOCK.finditer(text)]
        starts = [a for a, _ in blocks]
        while hit:
            a, b = blocks[bisect_right(starts, hit.start()) - 1]    # the block it is in
            # a recurring Han character or one the HMM does not know (not punctuation) was found
            own = _own_block(segmenter, text[a:b], hit.group(1) is not None or not BLOCK_PUNCT.match(hit.group()))
            if own is not None:
                redo.append((a, b, own))
            hit = MAY_DIFFER.search(text, b)
    if not redo:
        return words
    starts = list(accumulate(map(len, words), initial=0))
    out: list[str] = []
    at = 0
    for a, b, own in redo:           # blocks start and end at token edges
        i = bisect_left(starts, a, at)
        out.extend(words[at:i])
        out.extend(own)
        at = bisect_left(starts, b, i)
    out.extend(words[at:])
    return out


def segment(text: str) -> list[tuple[str, int, int]]:
    """``jieba.tokenize(text)`` with our words added (see :func:`words_of`)."""
    words = words_of(text)
    starts = list(accumulate(map(len, words), initial=0))
    return list(zip(words, starts, starts[1:]))


class _Tokens(list):
    """jieba tokens of a sentence, with their start positions and end set for fast lookup."""

    def __init__(self, words: list[str], starts: list[int]):
        """``starts``: where each word starts in the sentence, and where the last ends."""
        ends = starts[1:]
        super().__init__(map(_new_token, repeat(_Token), zip(words, starts, ends)))
        self.starts = starts[:-1]
        self.ends = set(ends)


@lru_cache(maxsize=1 << 16)
def lcut(text: str) -> tuple[str, ...]:
    """jieba words of a short window, with our dictionary loaded (also in a process that
    never ran find_mentions); memoised because the same windows recur (quotes, units)."""
    return tuple(words_of(text))


def _tokens(text: str) -> _Tokens:
    words = words_of(text)
    return _Tokens(words, list(accumulate(map(len, words), initial=0)))


def _sentence_tokens(doc: Document) -> list[_Tokens]:
    """The tokens of every sentence, from one jieba pass over the whole text.

    jieba cuts each run of JIEBA_BLOCK characters independently, so a sentence whose
    edges fall outside such runs gets exactly the tokens it would get alone; a sentence
    cut inside a run (or crossed by a token) is tokenised on its own, as before."""
    text = doc.text
    words = words_of(text)
    edges = list(accumulate(map(len, words), initial=0))    # starts, then the text's end
    n = len(words)
    out = []
    for sent in doc.sentences:
        a, b = sent.start, sent.end
        i = bisect_left(edges, a, 0, n)
        j = bisect_left(edges, b, i, n)
        inside = i < n and edges[i] == a and (j == 0 or edges[j] <= b) and (j == n or edges[j] == b)
        if inside and not (_in_block(text, a) or _in_block(text, b)):
            out.append(_Tokens(words[i:j], list(map(sub, edges[i:j + 1], repeat(a)))))
        else:
            out.append(_tokens(sent.text))
    return out


def _in_block(text: str, pos: int) -> bool:
    """Whether ``pos`` falls strictly inside a run jieba segments as one block."""
    return 0 < pos < len(text) and bool(JIEBA_BLOCK.match(text[pos - 1])) and bool(JIEBA_BLOCK.match(text[pos]))
