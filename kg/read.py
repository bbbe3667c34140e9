"""Reading: bytes on disk -> decoded text, one :class:`~kg.model.Document` per file.

Entry points: :func:`read_document` (a path) and :func:`read_bytes` (bytes and a name,
no I/O). Bad input raises :class:`InputError`, whose message is one line naming the file
and the reason, so that a caller can report it and go on with the other files.

Decoding (:func:`decode`), first rule that applies:

1. ``encoding=`` given: exactly that codec, strictly.
2. a byte-order mark: UTF-8 (``utf-8-sig``) or UTF-16.
3. strict UTF-8 (most files).
4. NUL bytes: UTF-16 without a BOM if the NULs sit on one parity and the result reads as
   text, otherwise the file is binary.
5. a guess among the encodings Chinese text comes in: charset-normalizer's pick first,
   then GB18030 (a superset of GBK and GB2312), Big5, CP950, Big5-HKSCS, and UTF-16
   without a BOM (all-Chinese UTF-16 has no NUL bytes). A candidate
   must decode strictly and give Chinese made mostly of common characters: decoding
   Big5 bytes as GB18030 usually "succeeds" but yields rare characters (mojibake).

``Document.encoding`` records the codec used (GBK files are reported as ``gb18030``).

HTML pages (``.html``/``.htm`` or content that starts like a page) are reduced to their
article text with the standard library's ``html.parser``: scripts, styles, navigation,
headers, footers and asides dropped; ``<p>``, ``<br>``, ``<div>``, headings and other
blocks become blank-line paragraph breaks; list items start with ``- ``. Title, canonical
URL and publication date go to ``Document.metadata`` (``title``, ``url``, ``date``).
``Document.raw`` is then that extracted text, not the markup: every offset in the graph
must point at characters a reader can find, and nobody reads offsets into tag soup. (The
page itself is not rewritten; the extracted text is what ``raw`` documents.)

Markdown (``.md``) and plain text are kept as they are; the cleaning stage treats
``#`` lines as headings.
"""
from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

from .model import Document

MAX_BYTES = 50 * 1024 * 1024
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
UNIT_IN_HEADER = re.compile(r"(.+?)\s*[（(]\s*([^（()）]{1,6}?)\s*[)）]")    # 总投资（万元）
TABLE_NUMBER = re.compile(r"[\d][\d,，.]*")
ROW_NUMBER = re.compile(r"序号|编号|No\.?|#", re.I)
# guessed in this order after charset-normalizer's own pick
GUESSES = ("gb18030", "big5", "cp950", "big5hkscs", "utf-16-le", "utf-16-be")
# charset-normalizer names that mean "GB18030 would decode this the same way"
GB_FAMILY = {"gbk", "gb2312", "cp936", "hz", "gb18030"}
BLANK = " \t\n\r\f\v\u3000\u00a0\u200b\ufeff"
MIN_COMMON_SHARE = 0.2   # share of common characters below which a decoding is mojibake

# The most frequent Chinese characters, simplified and traditional. Correctly decoded
# news prose is well over half made of them; mojibake is mostly rare characters.
COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去"
    "把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但"
    "质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式"
    "活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回"
    "则任取据处府研援疆县市省村乡镇支持项目企业学校工程资金发展建设帮扶口新对"
    "這個們為來國時會說對學發現後經裡還開關從當種與應實動產業區縣鄉鎮項資設幫援機團計劃輸地當"
    "來對實現經濟發展會議學校醫院農業區域專業體系與務職員線書長門問間東樂華萬億歲")


class InputError(ValueError):
    """A file that cannot be read as an article; ``str()`` is one line: ``'path: reason'``."""

    def __init__(self, path, reason: str):
        self.path, self.reason = printable_path(path), reason
        super().__init__(f"{self.path}: {reason}")


def printable_path(path) -> str:
    """``path`` as text that can be printed and written as UTF-8: bytes of a file name that
    are not UTF-8 (Python keeps them as lone surrogates) shown as ``\\xb0``."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")


def name_is_utf8(path) -> bool:
    """False for a file name holding bytes that are not UTF-8: it cannot name the
    document in the graph (IRIs, labels and merges.json are UTF-8)."""
    try:
        os.fspath(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as an article file (a pipe, a device, a link loop,
    nothing there ...), or None for a regular file or a folder."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            if path.is_symlink():
                return f"broken symbolic link (to {printable_path(os.readlink(path))}: no such file)"
            return "no such file or folder"
        if err.errno == errno.EACCES:
            return "permission denied"
        return f"cannot read ({err.strerror or err})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a special file")
    return f"{kind}, not a regular file: not read"


def read_document(path: str | Path, encoding: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read one article file; ``doc_id`` is the file stem, ``name`` the file name."""
    path = Path(path)
    data = _read_file(path, max_bytes)
    return read_bytes(data, path.name, encoding=encoding, max_bytes=max_bytes, path=path)


def read_bytes(data: bytes, name: str, encoding: str | None = None, max_bytes: int = MAX_BYTES,
               path: str | Path | None = None) -> Document:
    """Decode ``data`` (the content of a file called ``name``) into a Document.

    ``path`` only changes how errors name the input (default: ``name``).
    """
    where = path if path is not None else name
    if len(data) > max_bytes:
        raise InputError(where, f"file is {_size(len(data))}, over the {_size(max_bytes)} limit")
    if not data.strip():
        raise InputError(where, "empty file")
    text, used = decode(data, where, encoding)
    if looks_binary(text):
        raise InputError(where, "binary content (control characters), not text")
    if not text.strip(BLANK):
        raise InputError(where, "empty file")
    metadata: dict[str, str] = {}
    if is_html(name, text):
        text, metadata = html_to_text(text)
        if not text.strip():
            raise InputError(where, "HTML page without article text")
    file_name = Path(name).name
    return Document(doc_id=Path(file_name).stem, name=file_name, raw=text, encoding=used, metadata=metadata)


def _read_file(path: Path, max_bytes: int) -> bytes:
    if not name_is_utf8(path):
        raise InputError(path, "file name is not valid UTF-8: rename the file")
    why = not_a_file(path)
    if why is not None:
        raise InputError(path, why)
    try:
        if path.is_dir():
            raise InputError(path, "is a folder, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"file is {_size(size)}, over the {_size(max_bytes)} limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None


def _size(n: int) -> str:
    """Bytes as people read them: exact below a mebibyte, else MiB (2**20 bytes) with the
    exact count when rounding would hide it (50 MiB + 1 byte is not "50 MiB")."""
    if n < 2**20:
        return f"{n:,} bytes"
    mib = n / 2**20
    if n % 2**20 == 0:
        return f"{n // 2**20} MiB"
    return f"{mib:.1f} MiB ({n:,} bytes)"


# ---------------------------------------------------------------- decoding

def decode(data: bytes, where="<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """``(text, codec name)``; raises :class:`InputError` if no rule gives text."""
    if encoding:
        return _forced(data, where, encoding)
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", where), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        found = _bomless_utf16(data)
        if found is None:
            raise InputError(where, "binary content (NUL bytes), not text")
        return found
    found = _guess_chinese(data)
    if found is None:
        raise InputError(where, "undecodable bytes: not UTF-8, UTF-16, GB18030/GBK or Big5 Chinese text")
    return found


def codec_name(encoding: str) -> str:
    """Python's name for a codec; ValueError (one line) for a name it does not know."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def _forced(data: bytes, where, encoding: str) -> tuple[str, str]:
    try:
        name = codec_name(encoding)
    except ValueError as err:
        raise InputError(where, str(err)) from None
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"                 # the BOM is not part of the text
    try:
        return data.decode(name), name
    except UnicodeDecodeError as err:
        raise InputError(where, f"cannot be decoded as {encoding} (byte {err.start})") from None


def _strict(data: bytes, codec: str, where) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        raise InputError(where, f"invalid {codec} at byte {err.start}") from None


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: ASCII characters put their NUL byte on one side only."""
    if len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    codec = "utf-16-le" if odd > 9 * even else "utf-16-be" if even > 9 * odd else None
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if looks_binary(text) or chinese_score(text) < MIN_COMMON_SHARE:
        return None
    return text, codec


def _guess_chinese(data: bytes) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for codec in _candidates(data):
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        score = chinese_score(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < MIN_COMMON_SHARE or not has_cjk(best[1]):
        return None
    return best[1], codecs.lookup(best[2]).name


def _candidates(data: bytes) -> list[str]:
    """charset-normalizer's pick among the Chinese encodings first, then the fixed order."""
    from charset_normalizer import from_bytes
    match = from_bytes(data[:200_000], cp_isolation=list(GUESSES) + ["gbk", "gb2312"]).best()
    first = []
    if match is not None:
        first = ["gb18030" if match.encoding in GB_FAMILY else match.encoding]
    return list(dict.fromkeys(first + list(GUESSES)))


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def chinese_score(text: str) -> float:
    """Share of common characters among the CJK ones (sampled); 0.5 for plain ASCII."""
    sample = text[:50_000]
    cjk = [c for c in sample if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
    if not cjk:
        return 0.5 if sample.isascii() else 0.0
    return sum(c in COMMON for c in cjk) / len(cjk)


NOT_PROSE_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")   # control characters but white space


def looks_binary(text: str) -> bool:
    """Control characters (other than white space) or replacement characters: not prose."""
    sample = text[:20_000]
    bad = len(NOT_PROSE_CHAR.findall(sample))
    return bad > max(8, len(sample) // 100)


# ---------------------------------------------------------------- HTML

def is_html(name: str, text: str) -> bool:
    if Path(name).suffix.lower() in HTML_SUFFIXES:
        return True
    return bool(re.match(r"\s*(<\?xml[^>]*>\s*)?<(!doctype\s+html|html)[\s>]", text[:500], re.I))


DATE_KEYS = ("article:published_time", "og:published_time", "pubdate", "publishdate", "publish_date",
             "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "datepublished",
             "sailthru.date", "parsely-pub-date")
CAPTION_BREAK = "\ue000"    # private-use marker: the block next to it is a figure caption
# short lines that are page furniture, not article text
FURNITURE_LINE = re.compile(r"(首页|返回顶部|返回首页|打印|关闭|关闭窗口|【打印】|【关闭】|分享到.{0,20}|"
                            r"责任编辑.{0,12}|上一篇.*|下一篇.*|扫一扫.{0,20}|字号.{0,6}|当前位置.{0,40}|"
                            r"首页\s*[>›»/].{0,60}|"                  # a breadcrumb: 首页 > 政务公开 > …
                            # a by-line of fields: 来源：北京日报 发布时间：2023-06-12 字号：大 中 小
                            r"(?:(?:来源|发布时间|发布日期|时间|作者|编辑|责任编辑|字号|浏览次数|点击数|阅读量?)"
                            r"[:：]\s*[^:：]{0,20}?\s*){2,})")


# class or id of page furniture around an article (footer, breadcrumbs, share buttons)
BOILERPLATE = re.compile(r"(?<![a-z])(?:footer|foot|header|nav|navbar|menu|breadcrumbs?|crumbs?|sidebar|"
                         r"copyright|share|related|comments?|advert|ads|banner|toolbar|pagination)(?![a-z])",
                         re.IGNORECASE)


class _ArticleText(HTMLParser):
    """Collects the visible article text of a page; blocks become blank-line paragraphs."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "iframe", "svg",
            "button", "template", "select", "canvas", "object"}
    BLOCK = {"p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section",
             "article", "main", "tr", "table", "blockquote", "figure", "figcaption", "pre",
             "dd", "dt", "dl", "address"}
    CELL = {"td", "th"}     # a table row is one line, its cells apart: 援疆资金 9.3亿元

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr", "param", "keygen"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.open: list[tuple[str, bool]] = []   # open elements and whether each is skipped
        self.title_parts: list[str] | None = None
        self.title = ""
        self.h1_parts: list[str] | None = None
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.tables = 0                              # depth of open tables
        self.rows: list[list[tuple[str, bool]]] = []  # the outermost table's rows: (cell text, is a header cell)
        self.row: list[tuple[str, bool]] | None = None
        self.cell: list[str] | None = None
        self.header_cell = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "title" and not self.title and not self.skipping:
            self.title_parts = []
        elif tag == "link":
            self._link(a)
        elif tag == "meta":
            self._meta(a)
        skip = tag in self.SKIP or bool(BOILERPLATE.search(f"{a.get('class', '')} {a.get('id', '')}"))
        if tag not in self.VOID:
            self.open.append((tag, skip))
            self.skipping += skip
        if tag == "h1" and not self.h1 and not self.skipping:
            self.h1_parts = []
        if tag == "table" and not self.skipping:
            self.tables += 1
            if self.tables == 1:
                self.rows = []
        elif tag == "tr" and self.tables == 1:
            self.row = []
        elif tag in self.CELL and self.tables == 1 and self.row is not None:
            self.cell, self.header_cell = [], tag == "th"
        if tag in self.BLOCK:
            self.parts.append(self._break(tag, opening=True))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:               # <div/>: opened and closed at once
            self._close(tag)

    def _close(self, tag: str) -> None:
        """Close ``tag`` and whatever was left open inside it; a stray end tag is ignored."""
        if not any(t == tag for t, _ in self.open):
            return
        while self.open:
            t, skip = self.open.pop()
            self.skipping -= skip
            if t == tag:
                break

    def handle_endtag(self, tag):
        self._close(tag)
        if tag == "title" and self.title_parts is not None:
            self.title = _squash("".join(self.title_parts))
            self.title_parts = None
        elif tag == "h1" and self.h1_parts is not None:
            self.h1 = _squash("".join(self.h1_parts))
            self.h1_parts = None
        if tag in self.CELL and self.cell is not None:
            self.row.append((_squash("".join(self.cell)), self.header_cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if any(text for text, _ in self.row):
                self.rows.append(self.row)
            self.row = None
        elif tag == "table" and self.tables:
            self.tables -= 1
            if self.tables == 0:
                self.parts.append("\n\n" + "\n\n".join(table_lines(self.rows)) + "\n\n")
                self.rows = []
        if tag in self.BLOCK:
            self.parts.append(self._break(tag, opening=False))
        elif tag in self.CELL and not self.skipping and not self.tables:
            self.parts.append(" ")

    @staticmethod
    def _break(tag: str, opening: bool) -> str:
        # a caption is set apart by more line breaks, as newspaper text files print it
        if tag == "figcaption":
            return CAPTION_BREAK
        return "\n\n- " if tag == "li" and opening else "\n\n"

    def handle_data(self, data):
        if self.title_parts is not None:
            self.title_parts.append(data)
        elif self.cell is not None and not self.skipping:
            self.cell.append(data)
        elif not self.skipping:
            self.parts.append(_squash(data.replace(CAPTION_BREAK, " "), keep_edges=True))
            if self.h1_parts is not None:
                self.h1_parts.append(data)

    def _link(self, a: dict[str, str]) -> None:
        if "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            self.meta.setdefault("url", a["href"])

    def _meta(self, a: dict[str, str]) -> None:
        key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
        value = a.get("content", "")
        if not value:
            return
        if key in DATE_KEYS:
            self.meta.setdefault("date", value)
        elif key == "og:url":
            self.meta.setdefault("og:url", value)
        elif key == "og:title":
            self.meta.setdefault("og:title", value)


def table_lines(rows: list[list[tuple[str, bool]]]) -> list[str]:
    """A table as lines of text, a row per line, its cells apart (援疆资金 9.3亿元). A bare
    number under a header takes the column's name, and the unit the header gives
    (总投资（万元） | 8000 -> 总投资8000万元), so that the row reads as the figures it states;
    a running number (序号) is left out."""
    if not rows:
        return []
    head = rows[0]
    if len(rows) < 2 or not (all(th for _, th in head) or not any(re.search(r"\d", t) for t, _ in head)):
        return [" ".join(t for t, _ in row if t) for row in rows]
    names = [t for t, _ in head] + [""] * max(0, max(map(len, rows)) - len(head))
    lines = [" ".join(t for t, _ in head if t)]
    for row in rows[1:]:
        cells = []
        for name, (cell, _) in zip(names, row):
            if not cell or ROW_NUMBER.fullmatch(name):
                continue
            unit = UNIT_IN_HEADER.fullmatch(name)
            if TABLE_NUMBER.fullmatch(cell) and name:
                cells.append(f"{unit.group(1)}{cell}{unit.group(2)}" if unit else f"{name}{cell}")
            else:
                cells.append(cell)
        lines.append(" ".join(cells))
    return lines


def _squash(text: str, keep_edges: bool = False) -> str:
    """Collapse white space; a line break between two Chinese characters is no space at all."""
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])", "", text)
    text = re.sub(r"\s+", " ", text)
    return text if keep_edges else text.strip()


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Article text of a page (paragraphs separated by blank lines) and its metadata."""
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    pieces = re.split(f"([\\s{CAPTION_BREAK}]*(?:\\n\\s*\\n|{CAPTION_BREAK})[\\s{CAPTION_BREAK}]*)",
                      "".join(parser.parts))
    blocks = [(p.strip(), "\n\n\n\n" if CAPTION_BREAK in sep else "\n\n")
              for p, sep in zip(pieces[::2], pieces[1::2] + [""])]
    kept = [(p, sep) for p, sep in blocks if p and p != "-" and not FURNITURE_LINE.fullmatch(p)]
    metadata = {}
    title = parser.title or parser.meta.get("og:title") or parser.h1
    if title:
        metadata["title"] = title
    url = parser.meta.get("url") or parser.meta.get("og:url")
    if url:
        metadata["url"] = url
    if parser.meta.get("date"):
        metadata["date"] = parser.meta["date"]
    text = "".join(p + sep for p, sep in kept[:-1]) + kept[-1][0] + "\n" if kept else ""
    return text, metadata
