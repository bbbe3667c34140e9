"""Cleaning: newspaper layout noise out, offsets into the original file kept.

Entry point: :func:`clean`, which fills ``Document.text``, ``offsets``, ``paragraphs``
and ``sentences`` from ``Document.raw``. Each step is a function of its own:

- :func:`normalise` — full-width digits, letters and ``.%+-/`` to half-width, the
  ideographic space to a space, traditional to simplified characters (OpenCC data);
  the result has the same length as the input, so offsets carry over one to one.
- :func:`blocks` — runs of non-blank lines, with the number of line breaks around them.
- :func:`paragraphs` — blocks joined across page breaks (阿\\n\\n克苏地区), skipping a photo
  caption that the layout put in between, but never gluing a heading to the text after
  it; paragraphs printed twice are dropped; each classified as body, heading, caption or
  list item.
- :func:`sentences` — split on 。！？!?；;, closing quotes kept with their sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Document, Paragraph, Sentence

TERMINAL = "。！？!?…；;"
CLOSERS = "”’」』)）\"'》"
# a block ending in one of these stops mid-sentence even when it is short (乡村振兴的 / “牛鼻子”)
FUNCTION_END = set("的了和与及在对把将等为是、,，:：“（(之向从到被让使给于以并或且其该这那")
HALF_WIDTH_OK = re.compile(r"[0-9A-Za-z.%+\-/]")
LIST_MARK = re.compile(r"^\s*(?:[-*•·●▪]\s|\d+[.、)]\s*)")
DATE_LED = re.compile(r"^\d{4}\s*(?:年|—|-|–)")
# characters that exist only in traditional script: enough of them means convert
TRADITIONAL_ONLY = set("這個們為來國時會說對學發現後經裡還開關從當種與應實動產業區縣鄉鎮項資設幫援機團計劃輸"
                       "車書長門問間聞東樂華萬億與歲")


@dataclass
class Block:
    spans: list[tuple[int, int]]    # one per line, stripped, offsets into the text
    gap_before: int                 # line breaks between the previous block and this one
    gap_after: int

    def text(self, s: str) -> str:
        return "".join(s[a:b] for a, b in self.spans)


@dataclass
class Para:
    blocks: list[Block]
    kind: str = "body"

    def text(self, s: str) -> str:
        return "".join(b.text(s) for b in self.blocks)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC
    return OpenCC("t2s")


def normalise(raw: str) -> tuple[str, bool]:
    """Same-length normal form of ``raw`` and whether traditional script was converted."""
    chars = list(raw)
    for i, c in enumerate(chars):
        if c == "\u3000":
            chars[i] = " "
        elif "\uff01" <= c <= "\uff5e":
            half = chr(ord(c) - 0xFEE0)
            if HALF_WIDTH_OK.match(half):
                chars[i] = half
    text = "".join(chars)
    if sum(c in TRADITIONAL_ONLY for c in text[:200000]) < 3:
        return text, False
    converted = _t2s().convert(text)
    if len(converted) != len(text):            # a phrase changed length: convert char by char
        converted = "".join(_t2s().convert(c) for c in text)
    return converted, converted != text


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    gap, current = 0, None
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            start = pos + body.index(stripped)
            if current is None or LIST_MARK.match(stripped):   # each list item stands alone
                current = Block([], gap, 0)
                out.append(current)
            current.spans.append((start, start + len(stripped)))
            gap = 1
        else:
            if current is not None:
                current = None
            gap += 1
        pos += len(line)
    for a, b in zip(out, out[1:]):
        a.gap_after = b.gap_before
    if out:
        out[-1].gap_after = 9
    return out


def ends_sentence(t: str) -> bool:
    t = t.rstrip(CLOSERS + " ")
    return bool(t) and t[-1] in TERMINAL


def heading_like(t: str) -> bool:
    """Short and unpunctuated, or a section title (倾力—— 精准施策…), or words set apart by spaces."""
    if ends_sentence(t):
        return False
    return len(t) <= 16 or "——" in t or bool(re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", t))


def caption_like(b: Block, s: str) -> bool:
    t = b.text(s)
    return b.gap_before >= 3 and len(t) <= 80 and (not ends_sentence(t) or bool(DATE_LED.match(t)))


def paragraphs(text: str) -> tuple[list[Para], int]:
    """Joined, de-duplicated, classified paragraphs and the number of duplicates dropped."""
    bl = blocks(text)
    paras: list[Para] = []
    used = [False] * len(bl)
    for i, b in enumerate(bl):
        if used[i]:
            continue
        used[i] = True
        para = Para([b])
        held: list[Para] = []          # captions found between the two halves of a paragraph
        while True:
            t = para.text(text)
            mid_sentence = not ends_sentence(t) and not LIST_MARK.match(t) and (
                t[-1:] in FUNCTION_END or (not heading_like(t) and (len(t) >= 40 or
                                                                    (len(t) >= 20 and re.search("[,，、]", t)))))
            if not mid_sentence:
                break
            j, skipped = _next_unused(used, i), []
            while j is not None and len(skipped) < 2 and (
                    not bl[j].text(text).strip() or caption_like(bl[j], text)) and not \
                    (bl[j].gap_before < 3 and not caption_like(bl[j], text)):
                skipped.append(j)
                j = _next_unused(used, j)
            if j is None:
                break
            follow = bl[j].text(text)
            if len(follow) < 8 and not ends_sentence(follow) and t[-1:] not in FUNCTION_END:
                break                   # a byline or heading comes next, not a continuation
            for k in skipped:
                used[k] = True
                held.append(Para([bl[k]], "caption"))
            used[j] = True
            para.blocks.append(bl[j])
            i = j
        paras.append(para)
        paras.extend(held)
    for n, p in enumerate(paras):
        if p.kind != "caption":
            p.kind = _kind(p, text, first=(n == 0))
    kept, seen, recent, dropped = [], set(), [], 0
    for p in paras:
        t = re.sub(r"\s+", "", p.text(text))
        # printed twice: the same paragraph, or a long piece of one of the last 200
        if len(t) >= 10 and (t in seen or (len(t) >= 30 and any(t in r for r in recent))):
            dropped += 1
            continue
        seen.add(t)
        recent = (recent + [t])[-200:]
        kept.append(p)
    return kept, dropped


def _next_unused(used: list[bool], i: int) -> int | None:
    for j in range(i + 1, len(used)):
        if not used[j]:
            return j
    return None


def _kind(p: Para, text: str, first: bool) -> str:
    t = p.text(text)
    if LIST_MARK.match(t):
        return "list"
    if len(p.blocks) == 1 and caption_like(p.blocks[0], text) and not first:
        return "caption"
    if first and not ends_sentence(t):
        return "heading"
    if not ends_sentence(t) and (len(t) <= 40 or heading_like(t)):
        return "heading"
    return "body"


def sentences(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; headings, captions and list items are one each."""
    if kind in ("heading", "caption", "list"):
        return [(start, end)]
    spans, s, i = [], start, start
    while i < end:
        c = text[i]
        if c in "。！？!?；;":             # …… is left alone: it often closes a list, not a sentence
            j = i + 1
            while j < end and (text[j] in "。！？!?…" or text[j] in CLOSERS):
                j += 1
            spans.append((s, j))
            s = i = j
            continue
        i += 1
    if s < end:
        spans.append((s, end))
    out = []
    for a, b in spans:                       # trim white space at both ends
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def clean(doc: Document) -> Document:
    norm, converted = normalise(doc.raw)
    paras, dropped = paragraphs(norm)
    pieces, offsets = [], []
    doc.paragraphs, doc.sentences = [], []
    pos = 0
    for p in paras:
        if pieces:
            pieces.append("\n\n")
            offsets += [offsets[-1] + 1] * 2 if offsets else [0, 0]
            pos += 2
        p_start = pos
        for b in p.blocks:
            for a, z in b.spans:
                pieces.append(norm[a:z])
                offsets.extend(range(a, z))
                pos += z - a
        doc.paragraphs.append(Paragraph(len(doc.paragraphs), p.kind, p_start, pos))
    doc.text = "".join(pieces)
    doc.offsets = [min(o, max(len(doc.raw) - 1, 0)) for o in offsets] + [len(doc.raw)]
    seen: set[str] = set()
    for para in doc.paragraphs:
        for a, z in sentences(doc.text, para.start, para.end, para.kind):
            s_text = doc.text[a:z]
            if len(s_text) >= 20 and s_text in seen:
                continue                       # a sentence printed twice is read once
            seen.add(s_text)
            doc.sentences.append(Sentence(len(doc.sentences), para.index, para.kind, a, z, s_text))
    if converted:
        doc.metadata["converted_from"] = "traditional"
    if dropped:
        doc.metadata["dropped_duplicates"] = str(dropped)
    return doc
