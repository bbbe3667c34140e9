"""The per-document stages (clean, mentions, and the halves of resolution and metrics
that need no other document) over many documents: in this process, in
local worker processes (``jobs``), or on a Dask distributed cluster (``scheduler``),
with an optional per-document cache (:mod:`kg.cache`).

Whatever runs them, results come back in input order, so everything after this stage
(resolution across documents, relations, metrics, RDF) sees the same input and the
graph is byte-identical for any ``jobs`` or scheduler.
"""
from __future__ import annotations

import gc
import os
import sys
from array import array
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from sys import intern
from typing import Iterator

from tqdm import tqdm

from .cache import DocumentCache, document_key
from .clean import clean
from .files import die_with_parent
from .mentions import SHIPPED, _segmenter, find_mentions
from .metrics import Said, document_quantities
from .model import Document, Mention
from .resolve import KNOWN_SLUGS, MADE_SLUGS, DocumentKeys, document_keys

# a document, its mentions, and the halves of resolution and metrics that need no other document
Processed = tuple[Document, list[Mention], DocumentKeys, dict[tuple[int, int, int], Said]]
BATCH = 16          # documents per task: one pickle round trip carries several articles
# the cyclic collector every 200,000 new objects, not 700 (kg.pipeline.fewer_collections says why;
# 50,000 spent 7 % of extraction in collections, 200,000 about 1 %)
GC_THRESHOLD = (200_000, 20, 20)


def process_document(doc: Document, span=SHIPPED) -> tuple[Document, list[Mention]]:
    """The per-document stages: clean and find mentions (``span``: the span scorer, kg.spans)."""
    doc = clean(doc)
    mentions = find_mentions(doc, scorer=span)
    # 4 bytes per character instead of a list of int objects (about 36): a 10,000-article
    # build keeps every document's offsets until the RDF is written
    doc.offsets = array("i", doc.offsets) if doc.offsets and doc.offsets[-1] < 2**31 else doc.offsets
    return doc, mentions


def process_for_build(doc: Document, span=SHIPPED) -> Processed:
    """process_document plus the per-document halves of resolution (pairing, entity keys)
    and of metrics (values, units, indicators)."""
    doc, mentions = process_document(doc, span)
    return doc, mentions, document_keys(doc, mentions), document_quantities(doc, mentions)


def process_batch(docs: list[Document], span=SHIPPED) -> list[Processed]:
    return [process_for_build(d, span) for d in docs]


def _shared(result: Processed) -> Processed:
    """One copy of each repeated string of a result that came through pickle (types, rule
    names, place names, entity keys): at 10,000 articles, a million mentions each kept
    their own copies, hundreds of megabytes."""
    doc, mentions, keys, quantities = result
    doc.doc_id = intern(doc.doc_id)
    for m in mentions:
        m.doc_id, m.type, m.source, m.name = doc.doc_id, intern(m.type), intern(m.source), intern(m.name)
    for s in doc.sentences:
        s.kind = intern(s.kind)
    keys.keys = [(intern(k), intern(c)) for k, c in keys.keys]
    return result


def _warm(parent: int | None = None) -> None:
    die_with_parent()
    if parent is not None and os.getppid() != parent:
        os._exit(1)                 # the build died before the line above took effect
    _segmenter()      # load the segmenter's dictionary once per worker, before the first task
    gc.set_threshold(*GC_THRESHOLD)     # as kg.pipeline.fewer_collections does in the parent


def _batches(docs: list[Document], size: int) -> list[list[Document]]:
    return [docs[i:i + size] for i in range(0, len(docs), size)]


def _local(docs: list[Document], jobs: int, span=SHIPPED) -> Iterator[list[Processed]]:
    if jobs <= 1 or len(docs) <= 1:
        for d in docs:
            yield [process_for_build(d, span)]
        return
    # no segmenter in this process: only workers segment text (its dictionary and the tags cost memory)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(os.getpid(),)) as pool:
        yield from pool.map(partial(process_batch, span=span), _batches(docs, BATCH))


DASK_MISSING = ("--scheduler needs Dask, an optional extra: pip install 'yuanjiang-kg[dask]' "
                "(in a clone: pip install -e '.[dask]')")


def require_dask() -> None:
    """Raise ImportError with :data:`DASK_MISSING`, one line, when Dask is not installed."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ImportError(DASK_MISSING) from None


def _dask(docs: list[Document], scheduler: str, span=SHIPPED) -> Iterator[list[Processed]]:
    require_dask()
    from dask.distributed import Client
    with Client(scheduler) as client:
        batches = _batches(docs, BATCH)
        # a bounded window of batches in flight: a million articles never sit in memory twice
        window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
        futures = []
        for batch in batches:
            # dask's own unique keys: two builds sharing a cluster never share a task
            futures.append(client.submit(process_batch, batch, span=span, pure=False))
            if len(futures) >= window:
                yield futures.pop(0).result()
        for f in futures:
            yield f.result()


def run_documents(docs: list[Document], jobs: int = 1, scheduler: str | None = None,
                  cache: DocumentCache | None = None, progress: bool | None = None,
                  span=SHIPPED) -> list[Processed]:
    """``process_for_build`` over ``docs``, results in input order.

    ``span``: the span scorer (kg.spans; the shipped one by default, None: rules alone);
    any other than the shipped one bypasses the cache, whose keys know only the shipped models.

    ``progress``: a tqdm bar on stderr; ``None`` shows it only when stderr is a terminal."""
    cache = cache if span == SHIPPED else None
    keys = [document_key(d) for d in docs] if cache else []
    results: list[Processed | None] = ([r and _shared(r) for r in map(cache.get, docs, keys)] if cache
                                       else [None] * len(docs))
    todo = [i for i, r in enumerate(results) if r is None]
    show = sys.stderr.isatty() if progress is None else progress
    if cache and todo:
        # the names of the articles extracted here mostly have a slug already: no pypinyin then
        KNOWN_SLUGS.update(cache.slugs())
    with tqdm(total=len(docs), initial=len(docs) - len(todo), unit="doc", desc="documents",
              disable=not show or len(docs) < 2, file=sys.stderr) as bar:
        pending = [docs[i] for i in todo]
        runner = _dask(pending, scheduler, span) if scheduler else _local(pending, jobs, span)
        slots = iter(todo)
        for batch in runner:
            for result in batch:
                result = _shared(result) if jobs > 1 or scheduler else result
                i = next(slots)
                results[i] = result
                if cache:
                    cache.put(keys[i], result)
            bar.update(len(batch))
    if cache and MADE_SLUGS:
        cache.keep_slugs(MADE_SLUGS)
    return results  # type: ignore[return-value]
