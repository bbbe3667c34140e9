"""The Python API: run the whole pipeline over files or folders.

    >>> import kg
    >>> result = kg.build(["seeds"], out="out")      # doctest: +SKIP
    >>> result.graph.entities["place/652927"].label  # doctest: +SKIP
    '乌什县'
"""
from __future__ import annotations

import gc
import hashlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph

from .cache import DocumentCache, StageMemo, document_key, resolved_print
from .decide import Scorer, shipped_scorers
from .export import (UNION_FILES, CountedUnion, _statements, sorted_union, union_lines, with_reference, write_json,
                     write_jsonld_file, write_trig_file)
from .explorer_cache import CACHE_NAME
from .files import give_back_memory
from .graph import (DEFAULT_BASE, SHARED_GRAPHS, Runs, TermIndex, changed_keys, check_base, graph_from_quads,
                    graph_name, to_dataset, to_quads, unlisted_place)
from .mentions import SHIPPED
from .model import Document, KnowledgeGraph, Metric, PackedDocument, Relation
from .parallel import (GC_THRESHOLD, actors_of, local_pool, process_document, require_dask,  # noqa: F401  (API)
                       run_documents, run_stages)
from .read import InputError, codec_name, name_is_utf8, not_a_file, read_document
from .relations import merge_relations
from .resolve import resolve
from .store import (DELTA, DESCRIBED, INDEX, LINES, MANIFEST, OVERVIEW, PAGE, STAGE, STORE, _ontology_lines, build_lock, commit, kill_point,
                    net_change, read_layered, read_manifest, read_memo, recover, save_layered, save_manifest, save_memo,
                    stage_store, store_folder, write_turtle)
from .validate import ontology_graph

# Facts whose calibrated confidence is below this are kept as candidates, not asserted
# (chosen with benchmarks/quality.py: the threshold that maximises leave-one-out F1).
DEFAULT_MIN_CONFIDENCE = 0.1
ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm", ".text"}
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class BuildResult:
    """``graph`` is the extracted data; ``quads`` its triples per named graph as
    N-Triples lines (:func:`kg.graph.to_quads`, packed). ``lines`` (their union), ``rdf``
    (an rdflib Graph) and ``index`` (a light read-only view) are made when first asked for;
    a build that drew graph.html keeps the index it drew it from. ``counts`` are the
    figures of :meth:`summary`, kept also when the build let the graph and, once written,
    the triples go (``keep_graph=False``: ``quads`` is then None)."""
    graph: KnowledgeGraph
    quads: Mapping[str, list[str]] | None
    base: str = DEFAULT_BASE
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    triple_count: int | None = None         # distinct triples, once known
    counts: dict = field(default_factory=dict)
    # the last build's graphs as the kept union needs them (kg.export.CountedUnion); None: read them
    last_graphs: dict | None = field(default=None, repr=False)
    page_parts_reused: int = 0              # parts of the page taken from the last build (kg.html.PageMemo)
    # False (keep_graph=False): the triples may go once the union is made, unless graph.trig needs them
    keep_quads: bool = field(default=True, repr=False)

    @cached_property
    def lines(self) -> set[str]:
        return set().union(*self._quads().values())

    @cached_property
    def rdf(self) -> Graph:
        return graph_from_quads(self._quads(), self.base)

    def _quads(self) -> Mapping[str, list[str]]:
        if self.quads is None:
            raise ValueError("this build let its triples go once written (keep_graph=False): "
                             "read them from its graph.nt or graph.trig")
        return self.quads

    @cached_property
    def index(self) -> TermIndex:
        return TermIndex(self.lines)

    def summary(self) -> str:
        c = self.counts or graph_counts(self.graph)
        skipped = len(self.graph.problems)
        lines = [f"documents read: {c['documents']}" + (f" ({skipped} skipped)" if skipped else ""),
                 f"entities: {c['entities']} (" + ", ".join(f"{t} {n}" for t, n in sorted(c["types"].items())) + ")",
                 f"relations: {c['relations']}" + (f" (and {c['candidates']} candidates below the confidence "
                                                    "threshold, in the candidates graph)" if c.get("candidates") else ""),
                 f"metrics: {c['metrics']}",
                 f"triples: {self.triple_count if self.triple_count is not None else len(self.lines)}"]
        if c.get("typed_by_suffix"):
            lines.append(f"places typed only by their suffix: {c['typed_by_suffix']} (named in a pairing "
                         "sentence, not in the gazetteer: check their spelling, or add them to "
                         "kg/data/gazetteer.tsv; yj:typedBySuffix marks them)")
        lines += _warnings(c)
        lines.append(f"seconds: {self.seconds:.2f}")        # the last line, as scripts expect
        return "\n".join(lines)


def _warnings(c: dict) -> list[str]:
    """What the build found but could not place, each with what to do about it."""
    out = []
    if c.get("metrics without subject"):
        out.append(f"warning: {c['metrics without subject']} metrics without a confident subject (value, unit, "
                   "indicator and sentence kept; the likeliest subject is yj:candidateAbout): lower "
                   "--min-confidence to assert them, or see docs/extraction.md")
    if c.get("articles without pairing"):
        out.append(f"warning: {c['articles without pairing']} articles name no supporter -> supported pair: their "
                   "figures fall back to the entities they name; a place the gazetteer lacks can be added "
                   "(docs/extraction.md)")
    return out


def graph_counts(kg: KnowledgeGraph) -> dict:
    """What :meth:`BuildResult.summary` reports: documents, characters read, entities (and
    per primary type), relations, metrics."""
    return {"documents": len(kg.documents),
            "characters": sum(d.chars if isinstance(d, PackedDocument) else len(d.raw) for d in kg.documents),
            "entities": len(kg.entities), "types": dict(Counter(e.types[0] for e in kg.entities.values())),
            "relations": len(kg.relations), "metrics": len(kg.metrics), "candidates": len(kg.candidates),
            "metrics without subject": sum(1 for m in kg.metrics if not m.about),
            "articles without pairing": len(kg.unpaired),
            "typed_by_suffix": sum(unlisted_place(e) for e in kg.entities.values())}


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Article files under the given paths, sorted, and one problem line (``path: reason``)
    for each one that cannot be read: a path named that is missing, a pipe, a device or a
    link loop; in a folder an article whose name is not UTF-8 or that is a broken link,
    and any pipe or device (other files without an article suffix are left alone)."""
    files, problems = [], []
    for p in map(Path, paths):
        if p.is_dir() and name_is_utf8(p):
            for f in sorted(p.rglob("*")):
                why = _unreadable(f)
                if f.suffix.lower() in ARTICLE_SUFFIXES:
                    if why is None and not f.is_dir():
                        files.append(f)
                    elif why is not None:
                        problems.append(str(InputError(f, why)))
                elif why is not None and not f.is_symlink() and name_is_utf8(f):
                    problems.append(str(InputError(f, why)))      # a pipe or a device
        elif (why := _unreadable(p)) is None:
            files.append(p)
        else:
            problems.append(str(InputError(p, why)))
    return files, problems


def _unreadable(path: Path) -> str | None:
    if not name_is_utf8(path):
        return "file name is not valid UTF-8: rename the file"
    return not_a_file(path)


def unique_ids(documents: list[Document]) -> list[Document]:
    """Files with the same stem in different folders (a/x.txt, b/x.txt) get distinct ids:
    the id names the document's IRI and its named graph, so a clash would merge two files."""
    seen: Counter = Counter(d.doc_id for d in documents)
    seen.update(SHARED_GRAPHS)          # a file called reference.txt is not the reference graph
    taken: set[str] = set()
    for d in documents:
        if seen[d.doc_id] > 1:
            n, base = 2, d.doc_id
            while d.doc_id in taken:
                d.doc_id, n = f"{base}-{n}", n + 1
        taken.add(d.doc_id)
    return documents


def extract(documents: list[Document], jobs: int = 1, scheduler: str | None = None,
            cache: str | Path | None = None, progress: bool | None = None,
            scorers: Mapping[str, Scorer | None] | None = None,
            min_confidence: float = DEFAULT_MIN_CONFIDENCE, pack: bool = False) -> KnowledgeGraph:
    """From read documents to the resolved graph (no I/O but the optional cache).

    ``scorers`` are the learned decisions by name (:data:`kg.decide.SCORERS`); None takes
    the shipped models, and a name mapped to None leaves that decision to the rules.
    Facts below ``min_confidence`` become candidates (:func:`asserted`).

    The per-document stages run in ``jobs`` local processes or on the Dask cluster at
    ``scheduler``, reusing results from the ``cache`` folder; the rest runs here, on
    results in input order, so the graph does not depend on how they were computed.

    ``pack``: the graph's documents are :class:`kg.model.PackedDocument` (for a caller that
    makes their triples with :func:`kg.graph.to_quads` and lets the graph go: ``kg build``)."""
    for doc in documents:
        doc.check_text()                # one clear error before any stage, not one in a writer
    store = DocumentCache(cache) if cache is not None else None
    span = scorers["span"] if scorers is not None and "span" in scorers else SHIPPED
    with local_pool(jobs if scheduler is None else 1) as pool:
        return _extract(documents, jobs, scheduler, store, progress, scorers, span, min_confidence, pack, pool,
                        cache)


def _extract(documents, jobs, scheduler, store, progress, scorers, span, min_confidence, pack, pool,
             cache) -> KnowledgeGraph:
    results = run_documents(documents, jobs=jobs, scheduler=scheduler, cache=store, progress=progress, span=span,
                            pack=pack, pool=pool)
    processed = [(doc, mentions) for doc, mentions, _, _ in results]
    entities, merges, pairings = resolve(processed, keys=[keys for _, _, keys, _ in results])
    quantities = [q for _, _, _, q in results]
    del results
    # the memo's entries know only the shipped models, as the cache's do
    memo = StageMemo(cache if scorers is None and span == SHIPPED else None)
    scorers = shipped_scorers() if scorers is None else scorers
    prints: dict[str, bytes] = {}
    relations, metrics = relations_and_metrics(processed, entities, pairings, quantities, scorers, memo, prints,
                                               pool=pool, weighed=not pack)
    memo.save()
    unpaired = [d.doc_id for d, _ in processed if not (pairings[d.doc_id].supporters and pairings[d.doc_id].supported)]
    return asserted(KnowledgeGraph(documents=[d for d, _ in processed], entities=entities, relations=relations,
                                   metrics=metrics, merges=merges, unpaired=unpaired, stage_prints=prints),
                    min_confidence)


def relations_and_metrics(processed, entities, pairings, quantities, scorers: Mapping[str, Scorer | None],
                          memo: StageMemo, prints: dict[str, bytes] | None = None,
                          pool=None, weighed: bool = True) -> tuple[list[Relation], list[Metric]]:
    """Relations and metrics, document by document, then merged: a document whose memo
    holds (it, its pairing, its mentions and every entity it looked up are unchanged) is
    not read again. ``prints`` gets a digest of each memoised document, its resolved
    mentions and what its stages found (:attr:`KnowledgeGraph.stage_prints`).

    With a ``pool`` (:func:`kg.parallel.local_pool`) the documents the memo does not hold
    are read in its workers (:func:`kg.parallel.run_stages`); the results are those of
    this process, taken in document order. ``weighed=False``: without who else each
    decision weighed (``candidates``, which only kg.train reads)."""
    keys, contexts, found = [], [], []
    for doc, mentions in processed:
        key = (doc.key if isinstance(doc, PackedDocument) else document_key(doc)) if memo.path is not None else ""
        # (the memo's key is the document's: of its mentions only what resolution set may differ)
        context = (repr(pairings[doc.doc_id]), resolved_print(mentions)) if key else None
        keys.append(key)
        contexts.append(context)
        found.append(memo.get(key, context, entities) if key else None)
    todo = [i for i, f in enumerate(found) if f is None]
    tasks = [(processed[i][0], processed[i][1], pairings[processed[i][0].doc_id], quantities[i]) for i in todo]
    per_document, metrics = [], []
    for i, made in zip(todo, run_stages(tasks, entities, scorers, pool, weighed)):
        found[i], read = made
        if keys[i]:             # pickled now: merging below changes the relations
            # who else each decision weighed is for kg.train, which builds with no memo:
            # kept, it was half of what a rebuild unpickles of every document's results
            for item in (*found[i][0], *found[i][1]):
                item.candidates = []
            memo.put(keys[i], contexts[i], entities, read, found[i])
    for i, (doc, mentions) in enumerate(processed):
        key = keys[i]
        if prints is not None and key:
            # (the stages leave the mentions as resolution did: their print is the context's)
            prints[doc.doc_id] = hashlib.sha1(key.encode() + contexts[i][1] + memo.pickled(key)).digest()
        per_document.append(found[i][0])
        metrics.extend(found[i][1])
    return merge_relations(per_document), metrics


def asserted(kg: KnowledgeGraph, min_confidence: float | None) -> KnowledgeGraph:
    """Split what was found by confidence: relations below ``min_confidence`` (None: the
    default) move to ``kg.candidates``; a figure whose subject is below it keeps its value,
    unit, indicator and sentence, with the subject kept as ``candidate_about``. Nothing
    found is lost."""
    if min_confidence is None:
        min_confidence = DEFAULT_MIN_CONFIDENCE
    keep = []
    for rel in kg.relations:
        (keep if rel.source == "gazetteer" or rel.confidence >= min_confidence else kg.candidates).append(rel)
    kg.relations = keep
    for met in kg.metrics:
        if met.about and met.confidence < min_confidence:
            met.candidate_about, met.about = met.about, None
    return kg


def document_actors(processed, entities, pairings) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Per document: the supporting city's key, its aid command's and the supported place's
    (metrics need all three: the first two act, the last is 全县 and 全市)."""
    return {doc.doc_id: actors_of(mentions, entities, pairings[doc.doc_id]) for doc, mentions in processed}


FORMATS = ("ttl", "nt", "trig", "jsonld")     # graph.FORMAT files a build can write
DEFAULT_FORMATS = ("ttl",)


def parse_formats(text: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``--format nt,trig`` or ``all`` -> the formats to write besides the default Turtle."""
    if text is None:
        return DEFAULT_FORMATS
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = {f.strip().lower().lstrip(".") for f in items if f.strip()}
    if "all" in wanted:
        return FORMATS
    wanted = {"nt" if f in ("ntriples", "n-triples") else "ttl" if f == "turtle" else f for f in wanted}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown output format {', '.join(unknown)} (choose from {', '.join(FORMATS)} or all)")
    return tuple(f for f in FORMATS if f in wanted or f == "ttl")


def build(paths: list[str | Path] | None = None, out: str | Path | None = "out",
          base: str = DEFAULT_BASE, html: bool = True, strict: bool = False, jsonld: bool = False,
          encoding: str | None = None, jobs: int = 1, scheduler: str | None = None,
          cache: str | Path | None = None, progress: bool | None = None,
          html_max_nodes: int | None = 5000, keep_graph: bool = True,
          min_confidence: float = DEFAULT_MIN_CONFIDENCE,
          formats: str | tuple[str, ...] | None = None) -> BuildResult:
    """Read, extract and (if ``out``) put the graph in the store ``out/store/``
    (:mod:`kg.store`) and write graph.ttl, graph.html and merges.json next to it; also
    graph.nt, graph.trig and graph.jsonld when ``formats`` names them ("nt,trig", "all";
    ``jsonld=True`` adds JSON-LD).

    A build into a folder that already holds a store replaces only the graphs whose triples
    changed, and reuses the Turtle of the others; the files are those of a clean build.
    Store and files take their places together once all are made (:func:`kg.store.commit`):
    a build stopped at any moment leaves the previous set.

    ``encoding`` forces one codec for every file instead of detecting it per file.
    ``jobs``, ``scheduler``, ``cache`` and ``progress`` are those of :func:`extract`.
    ``html_max_nodes`` bounds graph.html to the most connected entities (``None``: all).
    ``keep_graph=False`` (what ``kg build`` does) lets the extracted documents, entities,
    relations and metrics go as soon as their triples are made, and the triples once
    written: ``result.graph`` then keeps only the merge report and the skipped files,
    ``result.counts`` the figures, and ``result.quads`` is None.
    """
    wanted = parse_formats(formats)
    if jsonld and "jsonld" not in wanted:
        wanted = tuple(f for f in FORMATS if f in wanted or f == "jsonld")
    check_base(base)                    # a bad --base fails before any file is read or made
    if scheduler:
        require_dask()                  # and so does --scheduler without the dask extra
    if encoding:
        codec_name(encoding)            # and a mistyped --encoding
    with fewer_collections(), ExitStack() as stack:
        if out is not None:
            stack.enter_context(build_lock(out))     # one build at a time per folder
            recover(out)                             # what a killed build left
        return _build(paths, out, base, html, strict, wanted, encoding, jobs, scheduler, cache,
                      progress, html_max_nodes, keep_graph, min_confidence)


@contextmanager
def fewer_collections(threshold: int = GC_THRESHOLD[0]):
    """Run the cyclic garbage collector every ``threshold`` new objects instead of 700.

    A build makes millions of small objects that live to the end (mentions, lines, index
    entries) and almost no cycles; at the default rate the collector rescanned them all
    again and again, about a third of the time spent on a 1,000-article build. What the
    build froze (``gc.freeze``: the extracted graph, the memos it read) is given back to
    the collector at the end."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *GC_THRESHOLD[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _build(paths, out, base, html, strict, formats, encoding, jobs, scheduler, cache, progress,
           html_max_nodes, keep_graph, min_confidence=DEFAULT_MIN_CONFIDENCE) -> BuildResult:
    started = time.perf_counter()
    files, problems = collect_files(paths or [DEFAULT_CORPUS])
    documents = []
    for f in files:
        try:
            documents.append(read_document(f, encoding=encoding))
        except InputError as err:
            if strict:
                raise
            problems.append(str(err))
    # packed by the workers, if any (in this process packing would cost a millisecond a document)
    kg = extract(unique_ids(documents), jobs=jobs, scheduler=scheduler, cache=cache, progress=progress,
                 min_confidence=min_confidence, pack=not keep_graph and (jobs > 1 or scheduler is not None))
    del documents                       # the graph holds them now (and may let them go below)
    gc.freeze()                         # it lives to the end of the build: not scanned again
    kg.problems = problems
    kill_point("extracted")
    reuse = read_memo(out, LINES)       # the last build's graphs
    digests = {name: entry[3] for name, entry in reuse.items()}
    counts = graph_counts(kg)           # (before to_quads, which may empty the documents)
    result = BuildResult(kg, to_quads(kg, base, reuse, read_memo(out, DESCRIBED), let_go=not keep_graph),
                         base, counts=counts)
    gc.freeze()                         # and so do the lines
    # what the kept union needs of the last build: every graph's digest, and the lines of
    # those not taken as they were (the reused ones are in result.quads, not held twice)
    result.last_graphs = {name: reuse.get(name, (None, None, None, d))
                          for name, d in digests.items()}
    if not keep_graph:
        # at 10,000 articles the documents and mentions are about a gigabyte
        result.graph = kg = KnowledgeGraph(merges=kg.merges, problems=kg.problems)
        result.keep_quads = False
        give_back_memory()
    # nothing read: keep whatever an earlier build left in ``out`` rather than overwrite it
    if out is not None and result.counts["documents"]:
        write_generation(result, Path(out), formats, html, html_max_nodes)
        if not keep_graph:
            result.quads = None
    result.seconds = time.perf_counter() - started
    return result


OUTPUT_NAMES = {"ttl": "graph.ttl", "nt": "graph.nt", "trig": "graph.trig", "jsonld": "graph.jsonld"}


def write_generation(result: BuildResult, out: Path, formats: tuple[str, ...] = DEFAULT_FORMATS,
                     html: bool = True, html_max_nodes: int | None = 5000) -> None:
    """The store and the files of ``result`` made in ``out/.kg-new/`` and moved into place
    as one set (:mod:`kg.store`); fills ``result.outputs``, ``triple_count`` and ``index``.
    Call while holding :func:`kg.store.build_lock`."""
    try:
        _write_generation(result, out, formats, html, html_max_nodes)
    except BaseException:
        shutil.rmtree(out / STAGE, ignore_errors=True)    # the previous set stays as it was
        raise


def _write_generation(result: BuildResult, out: Path, formats, html: bool, html_max_nodes) -> None:
    manifest = stage_store(out, result.quads, result.base, reference_extra=_ontology_lines(),
                           last=result.last_graphs)
    try:
        _write_files(result, out, manifest, formats, html, html_max_nodes)
    except BaseException:
        manifest["finish"].cancel()
        raise


def _write_files(result: BuildResult, out: Path, manifest: dict, formats, html: bool, html_max_nodes) -> None:
    """graph.ttl, the other formats asked for, merges.json and the page, in the staging
    folder while the store loads, then all moved into place with it."""
    kg, quads, base = result.graph, result.quads, result.base
    store_triples = _store_triples(manifest, quads, base) if html else 0     # (the lines may go below)
    stage = out / STAGE
    previous = store_folder(out)
    old = read_manifest(previous) if previous else {}
    unchanged = (not manifest["changed"] and not manifest["removed"] and "union_triples" in old
                 and old.get("html_max_nodes", -1) == html_max_nodes)
    staged = []
    with open(stage / "graph.ttl", "wb") as fh:
        write_turtle(stage / STORE, fh)
    staged.append("graph.ttl")
    nt = stage / "graph.nt"
    if unchanged and "jsonld" not in formats and (not html or (out / "graph.html").is_file()) and (
            "nt" not in formats or (out / "graph.nt").is_file()):
        # nothing changed: the union, its count and the page are those of the last build
        result.triple_count = old["union_triples"]
        if html:
            os.link(out / "graph.html", stage / "graph.html")
        if "nt" in formats:
            os.link(out / "graph.nt", nt)
        for name in UNION_FILES + ((PAGE, INDEX, PAGE + DELTA, INDEX + DELTA) if html else ()):
            if (previous / name).is_file():
                os.link(previous / name, stage / STORE / name)
    else:
        # the sorted union of the lines just put in the store: counted, indexed for the page
        # and written as graph.nt only if asked for (no output file is read back); the last
        # build's union changed where graphs changed, when it kept one
        names = sorted(quads, key=lambda n: str(graph_name(n, base)))
        last_graphs = result.last_graphs if result.last_graphs is not None else read_memo(out, LINES)
        union = CountedUnion(quads, names, stage, stage / STORE, previous, last_graphs) \
            if isinstance(quads, Runs) else None
        # the page's index of the last build, changed where the union changed, if it kept one
        last_index, index_delta, index_token = read_layered(out, INDEX) \
            if html and union is not None and union.incremental else ({}, None, None)
        with ExitStack() as files:
            sink = files.enter_context(open(nt, "wb")) if {"nt", "jsonld"} & set(formats) else None
            # with the last index and no graph.nt to write, only the union's changed blocks are unpacked
            pieces = union.pieces(lines=sink is not None or not last_index) if union \
                else sorted_union(quads, names, stage)
            if last_index:
                for piece in pieces:            # the union kept for the next build, and graph.nt
                    if sink is not None:
                        sink.write(_statements(piece, b" .\n"))
                # the lines changed since the index was last written whole, this build's with them
                index_delta = net_change(index_delta, union.entered, union.left)
                result.index = TermIndex.from_state(last_index)
                result.index.change(*index_delta)
                result.triple_count = len(result.index)
            elif html:
                result.index = TermIndex(union_lines(pieces, sink))
                result.triple_count = len(result.index)
            else:
                result.triple_count = sum(1 for _ in union_lines(pieces, sink))
        if union is not None:
            # the repeat counts are in union.pkl for the next build, not needed through the
            # page (the lines several graphs hold: about 100 MB at 10,000 articles)
            union.multi = {}
        if not result.keep_quads and "trig" not in formats:
            # the page reads the union's index, not the graphs' lines: they go before it is
            # drawn (packed, about 180 MB at 10,000 articles)
            result.quads = quads = None
            if union is not None:
                union.quads = None
            give_back_memory()
        if html:
            # the index and the page's memo: what changed since they were last written whole
            kept = (sorted(index_delta[0]), sorted(index_delta[1])) if last_index else None
            save_layered(stage / STORE, INDEX, previous, index_token, kept, result.index.state,
                         changes=len(kept[0]) + len(kept[1]) if kept else 0, size=len(result.index))
            from .html import PageMemo
            # the page's parts the changed lines do not reach are the last build's
            changed = changed_keys(union.changed_lines) if union is not None and union.incremental else None
            page_whole, page_delta, page_token = read_layered(out, PAGE) if changed is not None else ({}, None, None)
            memo = PageMemo.layered(page_whole, page_delta, changed)
            write_page(result.index, stage / "graph.html", html_max_nodes, memo)
            kept = memo.delta(page_whole)
            save_layered(stage / STORE, PAGE, previous, page_token, kept, memo.state,
                         changes=len(kept[0]) + len(kept[1]) if kept else 0, size=len(memo.fresh))
            result.page_parts_reused = memo.reused
    if "nt" in formats:
        staged.append("graph.nt")
    if "trig" in formats:
        write_trig_file(quads, stage / "graph.trig", base)
        staged.append("graph.trig")
    if "jsonld" in formats:
        write_jsonld_file(nt, stage / "graph.jsonld", base)
        staged.append("graph.jsonld")
        if "nt" not in formats:
            nt.unlink()
    write_json({"merged": kg.merges, "skipped": kg.problems}, stage / "merges.json")
    staged.append("merges.json")
    if html:
        staged.append("graph.html")
    result.counts["graphs_replaced"], result.counts["graphs_removed"] = manifest["changed"], manifest["removed"]
    manifest.update(union_triples=result.triple_count, html_max_nodes=html_max_nodes if html else -1)
    save_manifest(stage / STORE, manifest)
    if html and write_explorer_cache(result, out, store_triples):
        staged.append(CACHE_NAME)
    manifest["finish"]()
    commit(out, staged, remove=[n for n in (*OUTPUT_NAMES.values(), "graph.html", CACHE_NAME) if n not in staged])
    result.outputs = [out / n for n in staged]


def write_explorer_cache(result: BuildResult, out: Path, triples: int) -> bool:
    """The first view and index of ``kg serve OUT`` (:mod:`kg.explorer_cache`) for the store
    staged in ``out``, made from the index graph.html was drawn from (seconds at 10,000
    articles, against 20-60 s from the store's queries at the server's first start); the
    last build's file, linked, when the store and the code are the same. False if there is
    no index to make it from (the server then makes it)."""
    from .explorer_cache import cache_key, cache_matches
    stage, key = out / STAGE / CACHE_NAME, cache_key(out / STAGE / STORE / MANIFEST)
    if cache_matches(out / CACHE_NAME, key):
        os.link(out / CACHE_NAME, stage)
        if (previous := store_folder(out)) is not None and (previous / OVERVIEW).is_file():
            os.link(previous / OVERVIEW, out / STAGE / STORE / OVERVIEW)
        return True
    index = result.__dict__.get("index")        # (the property would make one from the lines)
    if index is None:
        state, delta, _ = read_layered(out, INDEX)      # nothing changed: the last build's index
        if not state:
            return False
        index = TermIndex.from_state(state)
        if delta:
            index.change(*delta)
    from .explorer import build_cache
    memo = read_memo(out, OVERVIEW)             # the last first view's data
    made = build_cache(index, stage, key, triples, memo=memo)
    save_memo(out / STAGE / STORE, OVERVIEW, memo)
    return made


def _store_triples(manifest: dict, quads, base: str) -> int:
    """The store's size (quads in all its graphs), from the staged graphs' sizes: the
    reference graph holds the ontology too (counting a large store takes seconds)."""
    reference = str(graph_name("reference", base))
    graphs = manifest["graphs"]
    n = sum(g["triples"] for iri, g in graphs.items() if iri != reference)
    if reference in graphs:
        n += len(set(quads[graphs[reference]["name"]]).union(_ontology_lines()))
    return n


def write_outputs(kg: KnowledgeGraph, out: str | Path, html: bool = True, base: str = DEFAULT_BASE,
                  formats: str | tuple[str, ...] | None = None, html_max_nodes: int | None = 5000,
                  quads: Mapping[str, list[str]] | None = None) -> list[Path]:
    """Put a graph made with :func:`extract` in the store ``out/store/`` and write its
    files next to it, the way :func:`build` does (the same store and the same bytes):
    graph.ttl, merges.json, graph.html with ``html``, and the ``formats`` asked for
    ("nt,trig,jsonld" or "all"). ``quads`` are the graph's lines if already made
    (:func:`kg.graph.to_quads`). Returns the paths written."""
    out = Path(out)
    check_base(base)
    result = BuildResult(kg, quads if quads is not None else to_quads(kg, base), base, counts=graph_counts(kg))
    with build_lock(out):
        recover(out)
        write_generation(result, out, parse_formats(formats), html, html_max_nodes)
    return result.outputs


def write_page(view, target: Path, max_nodes: int | None = 5000, memo=None) -> Path:
    """graph.html drawn from ``view`` (an rdflib Graph or a :class:`kg.graph.TermIndex`)
    into ``target``, a file of the staging folder that the commit renames; ``memo`` (a
    :class:`kg.html.PageMemo`) keeps its parts for the next build."""
    from .html import write_html
    return write_html(view, target, atomic=False, max_nodes=max_nodes, memo=memo)


def _ontology() -> Graph:
    return ontology_graph()


def reference_dataset(kg: KnowledgeGraph, base: str = DEFAULT_BASE):
    """:func:`kg.graph.to_dataset` with the ontology added to the ``{base}reference`` graph."""
    return with_reference(to_dataset(kg, base), graph_name("reference", base), _ontology())
