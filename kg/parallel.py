"""The per-document stages (clean, mentions, and the halves of resolution and metrics
that need no other document) over many documents: in this process, in
local worker processes (``jobs``), or on a Dask distributed cluster (``scheduler``),
with an optional per-document cache (:mod:`kg.cache`); then, once resolution across
documents is done, each document's relations and metrics (:func:`run_stages`), in the
same local workers.

Whatever runs them, results come back in input order, so everything after this stage
(resolution across documents, merging relations, RDF) sees the same input and the
graph is byte-identical for any ``jobs`` or scheduler.
"""
from __future__ import annotations

import gc
import os
import pickle
import sys
import zlib
from array import array
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import partial
from sys import intern
from typing import Iterator

from tqdm import tqdm

from .cache import DocumentCache, ReadLog, document_key
from .clean import clean
from .files import die_with_parent, give_back_memory
from .gazetteer import load_gazetteer
from .lexicon import load_lexicon
from .mentions import SHIPPED, _segmenter, find_mentions
from .metrics import Said, document_metrics, document_quantities
from .model import Document, Entity, Mention, PackedDocument, opened
from .relations import aid_command, document_relations
from .resolve import KNOWN_SLUGS, MADE_SLUGS, DocumentKeys, Pairing, document_keys

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


def process_batch(docs: list[Document], span=SHIPPED, pack: bool = False) -> list[Processed]:
    """``pack``: each document goes back packed with its quantities (:class:`PackedDocument`),
    the quantities' place left None."""
    return [as_packed(process_for_build(d, span), pack) for d in docs]


def as_packed(result: Processed, pack: bool) -> Processed:
    """``result`` with its document packed (``pack``) or open, as it came or converted."""
    doc, mentions, keys, quantities = result
    if pack != isinstance(doc, PackedDocument):
        doc, quantities = (PackedDocument(doc, quantities, document_key(doc)), None) if pack else doc.open()
        result = doc, mentions, keys, quantities
    return result


def _shared(result: Processed) -> Processed:
    """One copy of each repeated string of a result that came through pickle (types, rule
    names, place names, entity keys): at 10,000 articles, a million mentions each kept
    their own copies, hundreds of megabytes."""
    doc, mentions, keys, quantities = result
    doc.doc_id = intern(doc.doc_id)
    for m in mentions:
        m.doc_id, m.type, m.source, m.name = doc.doc_id, intern(m.type), intern(m.source), intern(m.name)
    for s in getattr(doc, "sentences", ()):        # (a packed document's are opened one at a time)
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


def _local(docs: list[Document], jobs: int, span=SHIPPED, pack: bool = False,
           pool: ProcessPoolExecutor | None = None) -> Iterator[list[Processed]]:
    if jobs <= 1 or len(docs) <= 1:
        for d in docs:
            yield process_batch([d], span, pack)
        return
    with ExitStack() as own:
        pool = pool or own.enter_context(local_pool(jobs))
        yield from pool.map(partial(process_batch, span=span, pack=pack), _batches(docs, BATCH))


@contextmanager
def local_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """``jobs`` local worker processes (None for one job), for :func:`run_documents` and
    then :func:`run_stages`: forked while the build's process is still small, each loads
    the segmenter once."""
    if jobs <= 1:
        yield None
        return
    # no segmenter in this process: only workers segment text (its dictionary and the tags cost memory)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(os.getpid(),)) as pool:
        yield pool


DASK_MISSING = ("--scheduler needs Dask, an optional extra: pip install 'yuanjiang-kg[dask]' "
                "(in a clone: pip install -e '.[dask]')")


def require_dask() -> None:
    """Raise ImportError with :data:`DASK_MISSING`, one line, when Dask is not installed."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ImportError(DASK_MISSING) from None


def _dask(docs: list[Document], scheduler: str, span=SHIPPED, pack: bool = False) -> Iterator[list[Processed]]:
    require_dask()
    from dask.distributed import Client
    with Client(scheduler) as client:
        batches = _batches(docs, BATCH)
        # a bounded window of batches in flight: a million articles never sit in memory twice
        window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
        futures = []
        for batch in batches:
            # dask's own unique keys: two builds sharing a cluster never share a task
            futures.append(client.submit(process_batch, batch, span=span, pack=pack, pure=False))
            if len(futures) >= window:
                yield futures.pop(0).result()
        for f in futures:
            yield f.result()


def run_documents(docs: list[Document], jobs: int = 1, scheduler: str | None = None,
                  cache: DocumentCache | None = None, progress: bool | None = None,
                  span=SHIPPED, pack: bool = False, pool: ProcessPoolExecutor | None = None) -> list[Processed]:
    """``process_for_build`` over ``docs``, results in input order; with ``pack`` each
    document comes packed with its quantities (:class:`kg.model.PackedDocument`).

    ``span``: the span scorer (kg.spans; the shipped one by default, None: rules alone);
    any other than the shipped one bypasses the cache, whose keys know only the shipped models.

    ``progress``: a tqdm bar on stderr; ``None`` shows it only when stderr is a terminal.
    ``pool``: the :func:`local_pool` to run them in (else one of ``jobs`` is made here)."""
    cache = cache if span == SHIPPED else None
    keys = [document_key(d) for d in docs] if cache else []
    # (a cached document is taken as it was kept, packed or not, unless it must be open)
    results: list[Processed | None] = ([r and _shared(r if pack else as_packed(r, False))
                                        for r in map(cache.get, docs, keys)] if cache else [None] * len(docs))
    todo = [i for i, r in enumerate(results) if r is None]
    show = sys.stderr.isatty() if progress is None else progress
    if cache and todo:
        # the names of the articles extracted here mostly have a slug already: no pypinyin then
        KNOWN_SLUGS.update(cache.slugs())
    with tqdm(total=len(docs), initial=len(docs) - len(todo), unit="doc", desc="documents",
              disable=not show or len(docs) < 2, file=sys.stderr) as bar:
        pending = [docs[i] for i in todo]
        runner = _dask(pending, scheduler, span, pack) if scheduler else _local(pending, jobs, span, pack, pool)
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


# ---- relations and metrics: per document once resolution is done -----------------------

def actors_of(mentions, entities, pairing) -> tuple[str | None, str | None, str | None]:
    """A document's supporting city's key, its aid command's and the supported place's."""
    supporter = f"place/{pairing.supporters[0]}" if pairing.supporters else None
    supported = f"place/{pairing.supported[0]}" if pairing.supported else None
    return supporter, aid_command(mentions, entities, supporter), supported


# (document, its resolved mentions, its pairing, its quantities: None if packed with it)
StageTask = tuple[Document | PackedDocument, list[Mention], Pairing, dict | None]


def document_stages(task: StageTask, entities, scorers, weighed: bool = True) -> tuple[tuple[list, list], set[str]]:
    """One document's relations and metrics, and the entity keys they looked up.
    ``weighed=False`` drops who else each decision weighed (``candidates``: for kg.train
    and for review, not written to the graph)."""
    doc, mentions, pairing, known = task
    doc, known = opened(doc, known)         # (a packed one only now, and for this document alone)
    gaz, lex = load_gazetteer(), load_lexicon()
    log = ReadLog(entities)
    relations = document_relations(doc, mentions, log, pairing, gaz, lex, scorers.get("relation"),
                                   scorers.get("actor"))
    metrics = document_metrics(doc, mentions, log, actors_of(mentions, log, pairing), lex, known,
                               scorers.get("metric_subject") or None)
    if not weighed:
        for item in (*relations, *metrics):
            item.candidates = []
    return (relations, metrics), log.keys


_SENT: dict = {}            # in a worker: the entities of the build it works for, by a token


def _stages_chunk(sent: tuple[str, bytes], scorers, weighed: bool,
                  tasks: list[StageTask]) -> list[tuple[tuple[list, list], set[str]]]:
    token, packed = sent
    if _SENT.get("token") != token:
        _SENT.clear()
        gc.collect()
        give_back_memory()              # what extraction freed here, before the entities come
        _SENT.update(token=token, entities=pickle.loads(zlib.decompress(packed)))
    return [document_stages(t, _SENT["entities"], scorers, weighed) for t in tasks]


def run_stages(tasks: list[StageTask], entities: dict[str, Entity], scorers,
               pool: ProcessPoolExecutor | None = None,
               weighed: bool = True) -> Iterator[tuple[tuple[list, list], set[str]]]:
    """:func:`document_stages` of each task, in order: here, or in the workers of ``pool``
    (:func:`local_pool`, which extracted the documents).

    The workers get the entities without their mentions (no stage reads them, see
    :func:`kg.cache.entity_print`), with each of a few large chunks of tasks; the build's
    process then never loads the segmenter the metrics use (about 80 MB), and reads no
    document but to send it on."""
    if pool is None or len(tasks) < 2 * BATCH:
        for t in tasks:
            yield document_stages(t, entities, scorers, weighed)
        return
    bare = {k: replace(e, mentions=[]) for k, e in entities.items()}
    sent = (os.urandom(8).hex(), zlib.compress(pickle.dumps(bare, protocol=pickle.HIGHEST_PROTOCOL), 1))
    del bare
    # the entities go with each chunk (a worker unpacks them once): some dozens of chunks,
    # small enough that a worker holds few documents' results at a time
    size = max(BATCH, -(-len(tasks) // 32))
    for chunk in pool.map(partial(_stages_chunk, sent, scorers, weighed), _batches(tasks, size)):
        for (relations, metrics), read in chunk:
            yield _shared_found(relations, metrics), read


def _shared_found(relations, metrics) -> tuple[list, list]:
    """As :func:`_shared` does for extraction: the keys and words a stage result repeats,
    one copy each (they come through pickle)."""
    for rel in relations:
        rel.subject, rel.predicate, rel.object = intern(rel.subject), intern(rel.predicate), intern(rel.object)
        rel.source, rel.rule = intern(rel.source), intern(rel.rule)
        for ev in rel.evidence:
            ev.doc_id = intern(ev.doc_id)
    for met in metrics:
        met.unit = intern(met.unit)
        met.about = met.about and intern(met.about)
        met.candidate_about = met.candidate_about and intern(met.candidate_about)
        if met.evidence is not None:
            met.evidence.doc_id = intern(met.evidence.doc_id)
    return relations, metrics
