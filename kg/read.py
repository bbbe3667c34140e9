"""Reading: bytes on disk -> decoded text, one :class:`~kg.model.Document` per file.

Entry points: :func:`read_document` (a path) and :func:`read_bytes` (bytes and a name).
Bad input raises :class:`InputError`, whose message is one line naming the file and the
reason, so that the caller can report it and go on with the other files.

Decoding: a BOM decides (UTF-8, UTF-16); then strict UTF-8; then charset-normalizer
restricted to the encodings Chinese text comes in (GB18030 covers GBK and GB2312, Big5,
UTF-16), checked by how much of the result is common Chinese. ``encoding=`` forces one.

HTML pages (.html/.htm, or content that starts like a page) are reduced to their
article text (scripts, styles, navigation and boilerplate dropped, paragraph breaks
kept). ``Document.raw`` is then that extracted text: offsets in the graph refer to it,
since a user can see it (``kg build`` does not rewrite the page itself).
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from .model import Document

MAX_BYTES = 50 * 1024 * 1024
CANDIDATES = ["gb18030", "big5", "utf_16"]
# the most frequent Chinese characters, simplified and traditional: decoded text made
# mostly of them is Chinese, not mojibake
COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去"
    "把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但"
    "质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式"
    "活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回"
    "则任取据处府研援疆县市省村乡镇支持项目企业学校工程资金发展建设帮扶"
    "這個們為來國時會說對學發現後經裡還開關從當種與應實動與產業區縣鄉鎮項資設幫援機團對計劃輸"
)


class InputError(ValueError):
    """A file that cannot be read as an article; ``str()`` is one line: 'path: reason'."""

    def __init__(self, path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


def read_document(path: str | Path, encoding: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(path, "is a folder, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    return read_bytes(data, path.name, encoding=encoding, path=path)


def read_bytes(data: bytes, name: str, encoding: str | None = None, path: str | Path | None = None) -> Document:
    where = path or name
    if not data.strip():
        raise InputError(where, "empty file")
    text, used = decode(data, where, encoding)
    if _looks_binary(text):
        raise InputError(where, "binary content, not text")
    metadata: dict[str, str] = {}
    if Path(name).suffix.lower() in (".html", ".htm") or re.match(r"\s*<(!doctype html|html)", text[:200], re.I):
        text, metadata = html_to_text(text)
        if not text.strip():
            raise InputError(where, "HTML page without article text")
    stem = Path(name).stem
    return Document(doc_id=stem, name=Path(name).name, raw=text, encoding=used, metadata=metadata)


def decode(data: bytes, where, encoding: str | None = None) -> tuple[str, str]:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(where, f"unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as err:
            raise InputError(where, f"cannot be decoded as {encoding} (byte {err.start})") from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", where), "utf-16"
    if b"\x00" in data:
        raise InputError(where, "binary content (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = None
    for enc in _guesses(data):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _chinese_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None or best[0] < 0.2:
        raise InputError(where, "undecodable bytes: not UTF-8, GB18030, Big5 or UTF-16 text")
    return best[1], best[2]


def _guesses(data: bytes) -> list[str]:
    """charset-normalizer's pick among Chinese encodings first, then the others to compare."""
    from charset_normalizer import from_bytes
    found = from_bytes(data, cp_isolation=CANDIDATES + ["gbk", "cp950"]).best()
    first = [found.encoding] if found else []
    return list(dict.fromkeys(first + CANDIDATES))


def _strict(data: bytes, enc: str, where) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as err:
        raise InputError(where, f"invalid {enc} at byte {err.start}") from None


def _chinese_score(text: str) -> float:
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.5 if text.isascii() else 0.0
    return sum(c in COMMON for c in cjk) / len(cjk)


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return bad > max(8, len(sample) // 100)


class _ArticleText(HTMLParser):
    """Collects visible article text; blocks become paragraphs."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "iframe", "svg", "button"}
    BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "tr",
             "blockquote", "figcaption", "pre", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_title = False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.meta.setdefault("url", a["href"])
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in ("article:published_time", "pubdate", "publishdate", "date", "dc.date",
                       "datepublished", "og:published_time") and a.get("content"):
                self.meta.setdefault("date", a["content"])
            if key in ("og:url",) and a.get("content"):
                self.meta.setdefault("url", a["content"])
            if key in ("og:title",) and a.get("content"):
                self.meta.setdefault("title", a["content"])
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title":
            self.in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.in_title:
            self.meta["title"] = (self.meta.get("title", "") + data).strip()
        elif not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Article text of a saved page, paragraphs separated by blank lines, and its metadata."""
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    # boilerplate: very short link-like lines (首页, 返回顶部, 责任编辑…) are dropped
    keep = [p for p in paragraphs if p and not re.fullmatch(r"(首页|返回顶部|打印|关闭|分享到.*|责任编辑.{0,10}|上一篇.*|下一篇.*)", p)]
    return "\n\n".join(keep) + "\n", parser.meta
