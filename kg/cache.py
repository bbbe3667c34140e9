"""Per-document cache of the per-document stages (clean, mentions, the per-document
halves of resolution and metrics).

A rebuild after editing one article of a thousand only redoes that article: every other
document's cleaned text and mentions come back from ``DIR/<2 hex>/<key>.pkl``.

The key is a SHA-256 of the extractor version and the document as read (its id, file
name, detected encoding, metadata and decoded text). The extractor version is a hash of
the source of every module the per-document stages run, of every data file (gazetteer,
lexicons) and of the versions of the libraries whose output they depend on (jieba, rjieba,
OpenCC, charset-normalizer, cn2an), so any change to code, lexicon or library makes
every old entry unreachable instead of silently stale.

Entries are pickles written to a temporary file and renamed into place, so a killed
build never leaves a half-written entry; an unreadable entry counts as a miss.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .files import atomic_path
from .model import Document

PACKAGE = Path(__file__).resolve().parent
# modules whose code decides what the per-document stages produce
STAGE_MODULES = ("read.py", "clean.py", "mentions.py", "spans.py", "decide.py", "anaphora.py", "resolve.py",
                 "metrics.py", "relations.py", "gazetteer.py", "lexicon.py", "model.py", "parallel.py", "cache.py")
LIBRARIES = ("jieba", "rjieba", "opencc-python-reimplemented", "charset-normalizer", "cn2an")
FORMAT = 4   # bump when the pickled layout changes


@lru_cache(maxsize=1)
def extractor_version() -> str:
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in STAGE_MODULES:
        h.update(name.encode() + b"\0" + (PACKAGE / name).read_bytes() + b"\0")
    data = PACKAGE / "data"
    for path in sorted(p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(data)).encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in LIBRARIES:
        try:
            h.update(f"{lib} {metadata.version(lib)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib} missing\n".encode())
    return h.hexdigest()


def document_key(doc: Document) -> str:
    """What the cached result depends on: the extractor and the document as read."""
    h = hashlib.sha256(extractor_version().encode())
    head = json.dumps([doc.doc_id, doc.name, doc.encoding, doc.metadata], ensure_ascii=False, sort_keys=True)
    h.update(head.encode("utf-8") + b"\0")
    h.update(doc.raw.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class DocumentCache:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.hits = self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, doc: Document, key: str | None = None) -> tuple | None:
        """The cached result for ``doc`` (``key``: its :func:`document_key`, if known)."""
        path = self._path(key or document_key(doc))
        try:
            with open(path, "rb") as fh:
                result = pickle.load(fh)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:      # truncated or from an incompatible Python: recompute
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, doc_as_read_key: str, result: tuple) -> None:
        with atomic_path(self._path(doc_as_read_key), mode=0o600) as tmp, open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
