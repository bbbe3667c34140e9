"""Per-document cache of the per-document stages (clean, mentions, the per-document
halves of resolution and metrics).

A rebuild after editing one article of a thousand only redoes that article: every other
document's cleaned text and mentions come back from ``DIR/<2 hex>/<key>.pkl``.

The key is a SHA-256 of the extractor version and the document as read (its id, file
name, detected encoding, metadata and decoded text). The extractor version is a hash of
the source of every module the per-document stages run, of every data file (gazetteer,
lexicons) and of the versions of the libraries whose output they depend on (jieba, rjieba,
OpenCC, charset-normalizer, cn2an, pypinyin: entity keys are slugs of pinyin), so any change to code, lexicon or library makes
every old entry unreachable instead of silently stale.

Entries are pickles written to a temporary file and renamed into place, so a killed
build never leaves a half-written entry; an unreadable entry counts as a miss.
"""
from __future__ import annotations

import hashlib
import json
import operator
import pickle
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .files import atomic_path, unpickle
from .model import Document

PACKAGE = Path(__file__).resolve().parent
# modules whose code decides what the per-document stages produce
STAGE_MODULES = ("read.py", "clean.py", "tokens.py", "mentions.py", "spans.py", "decide.py", "anaphora.py", "resolve.py",
                 "metrics.py", "relations.py", "gazetteer.py", "lexicon.py", "model.py", "parallel.py", "cache.py")
LIBRARIES = ("jieba", "rjieba", "opencc-python-reimplemented", "charset-normalizer", "cn2an", "pypinyin")
FORMAT = 5   # bump when the pickled layout changes


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
                result = unpickle(fh)       # (it lives to the end of the build)
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

    SLUGS = "slugs.memo"

    def slugs(self) -> dict[str, str]:
        """The entity-key slugs (:func:`kg.resolve.slug`) earlier builds made with this
        extractor: name -> slug ({} if none, or from another version)."""
        try:
            with open(self.folder / self.SLUGS, "rb") as fh:
                stored = pickle.load(fh)
            return stored["slugs"] if stored.get("version") == extractor_version() else {}
        except Exception:               # missing or damaged: pypinyin makes them again
            return {}

    def keep_slugs(self, made: Mapping[str, str]) -> None:
        """Add the slugs a build made to those kept (written only when one is new)."""
        kept = self.slugs()
        if made.keys() <= kept.keys():
            return
        with atomic_path(self.folder / self.SLUGS, mode=0o600) as tmp, open(tmp, "wb") as fh:
            pickle.dump({"version": extractor_version(), "slugs": {**kept, **made}}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)


# ---- memos of the cross-document stages ---------------------------------------------------
#
# Relations and metrics run per document, but read what merging across documents decided:
# the entities they look up (types, labels, codes) and the document's pairing. A memo keeps
# a document's relations and metrics with the document's key and what it read, so that a
# rebuild redoes a document only when it, or something it read, changed.

class ReadLog(Mapping):
    """``entities`` as one document's stages see them, noting every key looked up (also
    the keys asked for and absent: ``key in entities`` reads as much as ``entities[key]``)."""

    def __init__(self, entities: Mapping):
        self._entities = entities
        self.keys: set[str] = set()

    def __getitem__(self, key):
        self.keys.add(key)
        return self._entities[key]

    def __iter__(self):             # reading them all makes the memo depend on them all
        self.keys.update(self._entities)
        return iter(self._entities)

    def __len__(self) -> int:
        return len(self._entities)


def entity_print(entity) -> str | None:
    """What a per-document stage may read of an entity: everything but its mentions, which
    grow with every other document naming it (None: no such entity)."""
    if entity is None:
        return None
    return repr((entity.key, entity.label, tuple(entity.types), sorted(entity.alt_labels), entity.code,
                 entity.parent, entity.english, sorted(entity.aid_fields), entity.former_names))


def mentions_print(mentions) -> bytes:
    """The resolved mentions of a document (resolution sets their entity keys)."""
    return hashlib.sha1(repr([slot_values(m) for m in mentions]).encode("utf-8", "surrogatepass")).digest()


def resolved_print(mentions) -> bytes:
    """What resolution set in the mentions of a document taken from this cache: each one's
    entity key. The rest of them is the cached entry's, which its key names (a rebuild asks
    this of every document: a print of every field of every mention took three times as long)."""
    return hashlib.sha1(repr([m.entity for m in mentions]).encode("utf-8", "surrogatepass")).digest()


def slot_values(obj) -> tuple:
    """``tuple(getattr(obj, f) for f in obj.__slots__)``, read in C (a rebuild asks it of
    every mention of every document, twice)."""
    return _slot_getter(type(obj))(obj)


@lru_cache(maxsize=None)
def _slot_getter(cls):
    slots = cls.__slots__
    if len(slots) == 1:
        one = operator.attrgetter(slots[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*slots)


class StageMemo:
    """Per document key: (its pairing, its mentions, {entity key: entity_print} of what it
    read, its relations and metrics pickled), in ``DIR/cross-document.memo`` (one file: a rebuild reads
    every entry). Only documents of the last build are kept."""

    NAME = "cross-document.memo"

    def __init__(self, folder: str | Path | None):
        self.path = Path(folder) / self.NAME if folder is not None else None
        self.old: dict = {}
        if self.path is not None:
            try:
                with open(self.path, "rb") as fh:
                    stored = pickle.load(fh)
                if stored.get("version") == extractor_version():
                    self.old = stored["entries"]
            except Exception:           # missing, damaged or from another Python: start over
                self.old = {}
        self.new: dict = {}
        self.hits = self.misses = 0
        self._prints: dict[str, str | None] = {}

    def _print(self, entities: Mapping, key: str) -> str | None:
        if key not in self._prints:
            self._prints[key] = entity_print(entities.get(key))
        return self._prints[key]

    def get(self, key: str, context: tuple, entities: Mapping):
        """The memo of the document ``key`` if nothing it read changed: (relations, metrics)."""
        entry = self.old.get(key)
        if entry is not None and entry[0] == context and all(
                self._print(entities, k) == p for k, p in entry[1].items()):
            self.new[key] = entry
            self.hits += 1
            return unpickle(entry[2])
        self.misses += 1
        return None

    def put(self, key: str, context: tuple, entities: Mapping, read: set[str], result) -> None:
        self.new[key] = (context, {k: self._print(entities, k) for k in sorted(read, key=str)},
                         pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def pickled(self, key: str) -> bytes:
        """The relations and metrics of the document ``key`` as this build keeps them,
        pickled before merging changed them (:meth:`get` or :meth:`put` first)."""
        return self.new[key][2]

    def save(self) -> None:
        if self.path is None or (not self.misses and self.new.keys() == self.old.keys()):
            return
        with atomic_path(self.path, mode=0o600) as tmp, open(tmp, "wb") as fh:
            pickle.dump({"version": extractor_version(), "entries": self.new}, fh, protocol=pickle.HIGHEST_PROTOCOL)
