"""The explorer's cache file (:data:`CACHE_NAME`, next to a build's store folder): the first
view of ``kg serve``, its entity index and the store's size, which take from seconds to
a minute to make from a large store: written by ``kg build`` with its other outputs (from
what it holds already, :func:`kg.explorer.build_cache`), else by the server once made, and
read at the next start on the same store. Its key
(:func:`cache_key`) is of the store's manifest and of the code: a file of another store or
version, or not whole, is never used, and is written anew. Light to import (the server
reads the store's size from it before anything else).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from .files import PUBLIC

CACHE_NAME = "explorer-cache.json"
CACHE_FORMAT = 1


def cache_key(manifest: str | Path) -> str:
    """What a cached first view and index were made from: the store's manifest (each build
    writes its own) and the code and assets that make them (kg's modules and page
    templates, pyvis' version)."""
    h = hashlib.sha256(_code_digest().encode())
    h.update(Path(manifest).read_bytes())
    return h.hexdigest()


def view_key(lines: list[str]) -> str:
    """What the first view's data (:func:`kg.explorer.overview`) is drawn from: the lines
    of the entities it shows, and the code. A build whose first view has the key of the
    last one's takes its data as it is."""
    h = hashlib.sha256(_code_digest().encode())
    for line in lines:
        h.update(line.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    from importlib.metadata import version
    h = hashlib.sha256(f"{CACHE_FORMAT} pyvis {version('pyvis')}\n".encode())
    here = Path(__file__).resolve().parent
    for f in sorted([*here.glob("*.py"), *here.glob("data/*.html")]):
        h.update(f"\n{f.name}\n".encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def write_cache(path: str | Path, key: str, index: dict, page: bytes, title: str,
                triples: int | None = None) -> bool:
    """Keep the first view and the index in ``path``: a JSON header line (format, key,
    the page's title, the store's triple count when given, and the size and SHA-256 of each
    part), then the page, then the index as JSON.
    Written to a temporary file renamed into place, so a reader finds the old file or the
    new one, never part of one. False if the folder cannot be written (the server then
    makes them again at its next start)."""
    kept = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = json.dumps({"format": CACHE_FORMAT, "key": key, "title": title, "triples": triples,
                       "page": [len(page), hashlib.sha256(page).hexdigest()],
                       "index": [len(kept), hashlib.sha256(kept).hexdigest()]}).encode("utf-8")
    path = Path(path)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as fh:
            tmp = fh.name
            os.fchmod(fh.fileno(), PUBLIC)      # read like the build's other outputs, not private
            fh.write(head + b"\n" + page + kept)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return False


def cache_matches(path: str | Path, key: str) -> bool:
    """Whether ``path`` is a whole cache file of the store and code of ``key`` (every
    part's size and digest checked, nothing parsed): a build keeps such a file."""
    try:
        with open(path, "rb") as fh:
            meta = json.loads(fh.readline(4096))
            if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
                return False
            for part in ("page", "index"):
                size, digest = meta[part]
                data = fh.read(size)
                if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                    return False
            return fh.read(1) == b""
    except (OSError, ValueError, KeyError, TypeError):
        return False


def read_cached(path: str | Path, key: str, title: str, part: str):
    """One part ("page": bytes, "index": JSON data, "triples": int) of what
    :func:`write_cache` kept in ``path``, or None when the file is missing, of another
    store or code (or the page of another title), or the part is not whole (its size and digest are checked, then its shape): a cache is
    used only if it is exactly what was written for this store. The page is read alone,
    so the first view is served before the index (the bulk of the file) is read."""
    try:
        with open(path, "rb") as fh:
            meta = json.loads(fh.readline(4096))
            if (not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT or meta.get("key") != key
                    or (part == "page" and meta.get("title") != title)):
                return None
            if part == "triples":
                n = meta["triples"]
                return n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None
            size, digest = meta[part]
            fh.seek(fh.tell() + (meta["page"][0] if part == "index" else 0))
            data = fh.read(size)
        if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
            return None
        return data if part == "page" else json.loads(data)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
