"""Writing outputs: Turtle, N-Triples, TriG, JSON-LD and the merge report, all atomically
(:mod:`kg.files`).

RDF is written by pyoxigraph (rdflib's Turtle writer needs about 50 s for a million
triples, pyoxigraph well under one). Output is deterministic: triples are ordered by the
N-Triples text of subject, predicate (``rdf:type`` first) and object before they are
handed to pyoxigraph, which keeps them in the order given and groups them per subject.
"""
from __future__ import annotations

import heapq
import json
import os
import pickle
import shutil
import subprocess
import tempfile
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from rdflib.plugins.stores.memory import Memory

from .files import die_with_parent, unpickle, write_atomic
from .graph import (
    DEFAULT_BASE,
    Iris,
    Runs,
    graph_name,
    join_lines,
    lines_of,
    ntriples_lines,
    pack,
    unpack_stream,
)
from .graph import term_text as _nt
from .namespaces import FILE_NAMESPACES

#: prefixes declared in every Turtle/TriG/JSON-LD file (namespace strings)
PREFIXES: dict[str, str] = dict(FILE_NAMESPACES)


def _index(graph: Graph) -> dict:
    """subject -> predicate -> objects of ``graph``.

    rdflib's Memory store already keeps exactly this index; walking it is several times
    faster than ``graph.triples()``, which matters at a million triples. It is used only
    when the store holds this graph alone (a Dataset's store mixes graphs)."""
    store = getattr(graph, "store", None)       # not every graph view has an rdflib store
    spo = getattr(store, "_Memory__spo", None) if type(store) is Memory else None
    # len(store) counts the triples of every graph in the store
    if spo is not None and len(store) == len(graph):
        return spo
    spo = {}
    for s, p, o in graph:
        spo.setdefault(s, {}).setdefault(p, {})[o] = 1
    return spo


def _walk(graph: Graph):
    """The triples of ``graph`` through :func:`_index` (fast for a plain Graph)."""
    for s, po in _index(graph).items():
        for p, objects in po.items():
            for o in objects:
                yield s, p, o


def ntriples(graph: Graph) -> bytes:
    """Canonical N-Triples, sorted (pyoxigraph reparses and writes every line)."""
    return _reformat(ntriples_text(_walk(graph)), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_TRIPLES, {})


def turtle(graph: Graph, prefixes: dict[str, str] | None = None) -> bytes:
    """Deterministic Turtle with the project prefixes."""
    return _reformat(ntriples_text(_walk(graph)), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, prefixes)


def turtle_from_ntriples(data: bytes, prefixes: dict[str, str] | None = None) -> bytes:
    """Turtle from N-Triples text, keeping its order (used for CONSTRUCT results too)."""
    return _reformat(data, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, prefixes)


def _reformat(data: bytes, source, target, prefixes) -> bytes:
    # pyoxigraph parses strictly, so an invalid term fails here rather than in a reader later
    quads = ox.parse(data, format=source)
    return ox.serialize(quads, format=target, prefixes=PREFIXES if prefixes is None else prefixes)


def _named_graphs(dataset: Dataset) -> list[Graph]:
    graphs = [g for g in dataset.graphs() if len(g)]
    return sorted(graphs, key=lambda g: (g.identifier != DATASET_DEFAULT_GRAPH_ID, str(g.identifier)))


def trig(dataset: Dataset, prefixes: dict[str, str] | None = None) -> bytes:
    """Deterministic TriG: named graphs in IRI order, triples sorted inside each."""
    data = b"".join(ntriples_text(_walk(g), "" if g.identifier == DATASET_DEFAULT_GRAPH_ID else _nt(g.identifier))
                    for g in _named_graphs(dataset))
    return _reformat(data, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, prefixes)


def with_reference(dataset: Dataset, reference: URIRef, *extra: Graph) -> Dataset:
    """Add ``extra`` graphs (the ontology) to the named graph ``reference``.

    Their blank nodes are relabelled canonically first, so the TriG file is byte-identical
    from one run to the next."""
    target = dataset.graph(reference)
    for g in extra:
        for t in to_canonical_graph(g):
            target.add(t)
    return dataset


def jsonld(graph: Graph, prefixes: dict[str, str] | None = None) -> str:
    """JSON-LD with an ``@context`` of the prefixes, IRIs written compactly (yj:County).

    pyoxigraph writes expanded JSON-LD in the sorted triple order; the compaction here only
    shortens IRIs with prefixes, which any JSON-LD processor expands back."""
    expanded = _reformat(ntriples_text(_walk(graph)), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, {})
    return _compact_jsonld(expanded, PREFIXES if prefixes is None else prefixes)


def _compact_jsonld(expanded_json: bytes, prefixes: dict[str, str]) -> str:
    expanded = json.loads(expanded_json)
    by_length = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    used: set[str] = set()

    def short(iri: str) -> str:
        for prefix, ns in by_length:
            local = iri[len(ns):]
            # a local part starting with // would read as an absolute IRI
            if iri.startswith(ns) and local and not local.startswith("//"):
                used.add(prefix)
                return f"{prefix}:{local}"
        return iri

    def value(v: dict) -> dict:
        if "@id" in v:
            return {"@id": short(v["@id"])}
        out = {"@value": v["@value"]}
        if "@language" in v:
            out["@language"] = v["@language"]
        elif "@type" in v:
            out["@type"] = short(v["@type"])
        return out

    nodes = []
    for node in expanded:
        out = {"@id": short(node["@id"])}
        for key, values in node.items():
            if key == "@id":
                continue
            if key == str(RDF.type) and all("@id" in v for v in values):
                out["@type"] = [short(v["@id"]) for v in values]
            else:
                out[short(key)] = [value(v) for v in values]
        nodes.append(out)
    context = {p: prefixes[p] for p in sorted(used)}
    return json.dumps({"@context": context, "@graph": nodes}, ensure_ascii=False, indent=1) + "\n"


def ntriples_text(triples, graph_name: str = "") -> bytes:
    """Sorted N-Triples (N-Quads with ``graph_name``) of an iterable of rdflib triples, in
    the order of every file here: subjects by their text, ``rdf:type`` first, then
    predicates and objects by text (not yet checked by a parser; every writer here passes
    the result through pyoxigraph)."""
    tail = f" {graph_name} .\n" if graph_name else " .\n"
    return ntriples_lines(lines_of(triples), tail).encode("utf-8")


GRAPHS_PER_RUN = 64     # named graphs merged in memory before the streaming merge (no GNU sort)
SORT_BUFFER = "64M"     # GNU sort's memory; beyond it, it merges temporary files in ``out``
#                         (as fast as 256M at 1,000 articles, and a quarter of the memory)


def write_trig_file(quads: Mapping[str, Iterable[str]], path: Path, base: str = DEFAULT_BASE) -> None:
    """graph.trig at ``path`` (not atomically: a build writes it in its staging folder):
    each named graph in IRI order, the ontology added to the reference graph."""
    from .validate import ontology_graph
    by_iri = {str(graph_name(name, base)): name for name in quads}
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".graph.", suffix=".nq") as nq:
        _write_nquads(nq, quads, by_iri, base, ontology_graph())
        nq.flush()
        write_rdf_file("trig", nq.name, str(path))


def write_jsonld_file(nt: Path, path: Path, base: str = DEFAULT_BASE) -> None:
    """graph.jsonld at ``path`` from the sorted N-Triples ``nt`` (compact @context)."""
    expanded = ox.serialize(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD)
    path.write_text(_compact_jsonld(expanded, _jsonld_prefixes(base)), encoding="utf-8")


def write_rdf_file(kind: str, source: str, target: str) -> None:
    """``target`` from ``source``, keeping its order: Turtle from N-Triples (``kind``
    "turtle") or TriG from N-Quads ("trig"). pyoxigraph parses the N-Triples strictly; the
    N-Quads, the same triples per graph plus the ontology, leniently (IRIs unchecked): the
    Turtle task, which runs first in either process, has checked them, and a second check
    cost nearly half of the TriG's time."""
    source_format, target_format = {"turtle": (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE),
                                     "trig": (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)}[kind]
    quads = ox.parse(path=source, format=source_format, lenient=kind == "trig")
    ox.serialize(quads, target, format=target_format, prefixes=PREFIXES)


def _write_nquads(nq, quads, by_iri: dict, base: str, reference_extra: Graph | None) -> None:
    """The N-Quads of graph.trig: each named graph in IRI order, the ontology added to the
    reference graph."""
    ref = str(graph_name("reference", base))
    extra = set(lines_of(to_canonical_graph(reference_extra))) if reference_extra is not None else set()
    by_iri = {**by_iri, ref: by_iri.get(ref)} if extra else by_iri
    for iri in sorted(by_iri):
        tail = f" <{iri}> .\n"
        if iri == ref:
            lines = quads[by_iri[iri]] if by_iri[iri] is not None else []
            nq.write(join_lines(sorted(extra.union(lines)), tail).encode("utf-8"))
        else:
            nq.write(_statements(_graph_bytes(quads, by_iri[iri]), tail.encode("utf-8")))


def _graph_bytes(quads: Mapping[str, Iterable[str]], name: str) -> bytes:
    """A graph's sorted, distinct lines as UTF-8, one per line (no newline at the end)."""
    if isinstance(quads, Runs):
        return quads.raw(name)
    return "\n".join(sorted(set(quads[name]))).encode("utf-8")


def _statements(lines: bytes, tail: bytes) -> bytes:
    """Lines (as :func:`_graph_bytes`) -> N-Triples or N-Quads text: ``tail`` (b" .\\n" or
    b" <graph> .\\n") after each line and the rdf:type sort mark out, as
    :func:`kg.graph.join_lines` does, but on bytes: no line is decoded or split."""
    if not lines:
        return b""
    return (lines.replace(b"\n", tail) + tail).replace(b" \x01<", b" <")


def _write_union(target, quads: Mapping[str, Iterable[str]], names: list[str], workdir: Path) -> int:
    """graph.nt: the sorted union of the graphs' lines (:func:`sorted_union`), each line
    once, into the open binary file ``target``. Returns how many lines."""
    written = 0
    for piece in sorted_union(quads, names, workdir):
        written += piece.count(b"\n") + 1
        target.write(_statements(piece, b" .\n"))
    return written


def union_lines(pieces: Iterable[bytes], nt=None) -> Iterator[str]:
    """The lines of :func:`sorted_union`'s pieces as ``str``, one at a time; with ``nt``
    (an open binary file) the pieces also go there as graph.nt."""
    for piece in pieces:
        if nt is not None:
            nt.write(_statements(piece, b" .\n"))
        yield from piece.decode("utf-8").split("\n")


def sorted_union(quads: Mapping[str, Iterable[str]], names: list[str], workdir: Path,
                 repeats: bool = False) -> Iterator[bytes]:
    """The sorted union of the graphs' lines, each line once, in pieces: UTF-8 lines joined
    by newlines (none at either end). What graph.nt is written from and the page is drawn
    from, never held whole.

    GNU sort does it where it is installed (any Linux): ``LC_ALL=C`` compares bytes, and
    UTF-8 bytes sort as code points do, so its order is Python's; it sorts in one thread
    (more did not help) and bounded memory, spilling to temporary files in ``workdir``
    (about twice as fast as merging in Python at 1,000 articles; it never holds the
    union). Elsewhere the graphs are merged in Python (:func:`_merge_union`); both give
    the same lines. With ``repeats`` a line comes once per graph holding it
    (:class:`CountedUnion` counts them)."""
    sort = gnu_sort()
    if sort is None:
        yield from _merge_union(quads, names, repeats)
        return
    with tempfile.TemporaryFile(dir=workdir) as errors:
        proc = subprocess.Popen([sort, *([] if repeats else ["-u"]), "-S", SORT_BUFFER, "--parallel=1",
                                 "-T", str(workdir)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                env={**os.environ, "LC_ALL": "C"}, preexec_fn=die_with_parent)
        rest = b""
        try:
            for name in names:
                lines = _graph_bytes(quads, name)
                if lines:
                    proc.stdin.write(lines)
                    proc.stdin.write(b"\n")
            proc.stdin.close()
            # sort writes nothing before it has read everything, so reading after is safe
            while chunk := proc.stdout.read(1 << 22):
                chunk = rest + chunk
                cut = chunk.rfind(b"\n") + 1          # whole lines only
                body, rest = chunk[:cut], chunk[cut:]
                if body:
                    yield body[:-1]
            if rest:                                  # sort ends every line; in case not
                yield rest
        except BrokenPipeError:
            pass                                      # sort stopped: its message says why
        except BaseException:
            proc.kill()                               # else it waits for the rest forever
            raise
        finally:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
            code = proc.wait()
        if code:
            errors.seek(0)
            reason = errors.read().decode("utf-8", "replace").strip() or f"exit status {code}"
            raise OSError(f"{workdir}: sorting the triples for graph.nt failed: {reason}")


class CountedUnion:
    """The sorted union of every graph's lines (graph.nt's lines, what the page is drawn
    from), kept from one build to the next with how many graphs hold each line, so that a
    rebuild changes the lines of the graphs that changed instead of sorting every line again.

    :meth:`pieces` gives the union as :func:`sorted_union` does, and keeps it in the new
    store ``folder`` (:data:`UNION_FILES`: the lines in blocks of about :data:`BLOCK_LINES`,
    each zlib-packed on its own, and the counts with each block's first line and place).
    With a ``last`` store folder that kept them, and each graph of that build
    (``last_graphs``, as :attr:`kg.graph.Runs.memo` holds them; the packed lines are needed
    only for the graphs whose digest changed, None elsewhere), it is that union with the
    changed graphs' old lines taken out and new lines put in: a line leaves when no graph
    holds it any more, and only the blocks where lines come or go are unpacked and packed
    again (the others are copied as they are). Without, or when most graphs changed, every
    line is sorted (GNU sort without ``-u``) and the repeats counted. Lines one graph holds
    carry no count: ``multi`` holds the others (relations and facts stated in several articles)."""

    def __init__(self, quads: Runs, names: list[str], workdir: Path, folder: Path, last: Path | None = None,
                 last_graphs: Mapping[str, tuple] | None = None):
        self.quads, self.names, self.workdir, self.folder = quads, names, workdir, Path(folder)
        self.last, self.last_multi, self.last_blocks = None, None, None
        if last is not None and last_graphs:
            try:
                with open(Path(last) / UNION_FILES[1], "rb") as fh:
                    kept = unpickle(fh)
                if kept.get("version") == UNION_VERSION and (Path(last) / UNION_FILES[0]).is_file():
                    self.last, self.last_multi = Path(last) / UNION_FILES[0], kept["multi"]
                    self.last_blocks = kept["blocks"]
            except Exception:           # none (an older store) or damaged: sort everything
                pass
        self.last_graphs = last_graphs or {}
        self.multi: dict[bytes, int] = {}
        self._changed = [] if self.last is None else sorted(
            n for n in set(self.names) | set(self.last_graphs)
            if n not in self.last_graphs or n not in self.quads or self.last_graphs[n][3] != self.quads.digest(n))
        # known before the pieces are read: whether the last union is changed in place
        self.incremental = self.last is not None and len(self._changed) * 2 <= len(self.names)
        # when incremental, once the pieces are read: the lines that came into the union and
        # those that left it (no graph holds them any more), and every line whose count changed
        self.entered: list[bytes] = []
        self.left: list[bytes] = []
        self.changed_lines: list[bytes] = []

    def pieces(self, lines: bool = True) -> Iterator[bytes]:
        """The union's lines in sorted pieces (no newline at the ends), kept in ``folder``
        as they go. ``lines=False`` (a rebuild that needs only the union kept, and
        :attr:`entered` and :attr:`left`): only the pieces of blocks that changed are given."""
        blocks: list[tuple[bytes, int, int]] = []
        with open(self.folder / UNION_FILES[0], "wb") as kept:
            if self.incremental:
                self.multi, self.last_multi = self.last_multi, None    # (changed in place: read once)
                delta = self._delta(self._changed)
                self.changed_lines = list(delta)
                yield from self._changed_blocks(kept, blocks, delta, lines)
            else:
                source = _distinct(sorted_union(self.quads, self.names, self.workdir, repeats=True), self.multi)
                rest: list[bytes] = []
                for piece in source:
                    rest += piece.split(b"\n")
                    whole = len(rest) - len(rest) % BLOCK_LINES
                    for at in range(0, whole, BLOCK_LINES):
                        _put_block(kept, blocks, rest[at:at + BLOCK_LINES])
                    del rest[:whole]
                    yield piece
                if rest:
                    _put_block(kept, blocks, rest)
        with open(self.folder / UNION_FILES[1], "wb") as fh:
            pickle.dump({"version": UNION_VERSION, "multi": self.multi, "blocks": blocks}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)

    def _changed_blocks(self, kept, blocks: list, delta: dict[bytes, int], lines: bool) -> Iterator[bytes]:
        """The last union's blocks with ``delta`` applied: a block no changed line falls in
        (from its first line to the next block's) is copied packed; the others are unpacked,
        changed and packed again, split in two when grown past twice :data:`BLOCK_LINES`."""
        pending = sorted(delta)
        last = self.last_blocks or [(b"", 0, 0)]
        firsts = [first for first, _, _ in last]
        # the block each changed line falls in (a line before the first block: the first)
        cuts = [0] + [bisect_left(pending, first) for first in firsts[1:]] + [len(pending)]
        with open(self.last, "rb") as old:
            for i, (_, offset, size) in enumerate(last):
                mine = pending[cuts[i]:cuts[i + 1]]
                old.seek(offset)
                packed = old.read(size)
                if not mine:
                    if size:
                        blocks.append((last[i][0], kept.tell(), size))
                        kept.write(packed)
                        if lines:
                            yield zlib.decompress(packed)
                    continue
                text = zlib.decompress(packed) if size else b""
                changed = _apply_delta(text.split(b"\n") if text else [], mine, delta, self.multi,
                                       self.entered, self.left)
                step = max(len(changed), 1) if len(changed) <= 2 * BLOCK_LINES else BLOCK_LINES
                for at in range(0, len(changed), step):
                    _put_block(kept, blocks, changed[at:at + step])
                if changed:
                    yield b"\n".join(changed)

    def _delta(self, changed: list[str]) -> dict[bytes, int]:
        """Line -> how many more graphs hold it now (negative: fewer), over the changed graphs."""
        delta: dict[bytes, int] = {}
        for name in changed:
            before = _line_set(zlib.decompress(self.last_graphs[name][1])) if name in self.last_graphs else set()
            after = _line_set(self.quads.raw(name)) if name in self.quads else set()
            for line in after - before:
                delta[line] = delta.get(line, 0) + 1
            for line in before - after:
                delta[line] = delta.get(line, 0) - 1
        return {line: d for line, d in delta.items() if d}


UNION_VERSION = 2
UNION_FILES = ("union.z", "union.pkl")     # in the store folder: the packed blocks, the counts and blocks
BLOCK_LINES = 4096      # lines per block of the kept union: a rebuild unpacks only the blocks its lines reach


def _put_block(kept, blocks: list, lines: list[bytes]) -> None:
    """Pack ``lines`` (sorted, not empty) as one block at the end of the open file ``kept``."""
    if not lines:
        return
    packed = zlib.compress(b"\n".join(lines), 1)
    blocks.append((lines[0], kept.tell(), len(packed)))
    kept.write(packed)


def _line_set(raw: bytes) -> set[bytes]:
    return set(raw.split(b"\n")) if raw else set()


def _distinct(pieces: Iterable[bytes], multi: dict[bytes, int]) -> Iterator[bytes]:
    """Sorted pieces with repeats -> each line once; lines seen more than once counted in ``multi``."""
    last = None
    for piece in pieces:
        keep = []
        for line in piece.split(b"\n"):
            if line == last:
                multi[line] = multi.get(line, 1) + 1
            else:
                keep.append(line)
                last = line
        if keep:
            yield b"\n".join(keep)


def _apply_delta(lines: list[bytes], pending: list[bytes], delta: dict[bytes, int], multi: dict[bytes, int],
                 entered: list[bytes], left: list[bytes]) -> list[bytes]:
    """Sorted ``lines`` with the changes ``delta`` gives for the sorted ``pending`` lines
    (line -> change in how many graphs hold it) applied; ``multi`` (line -> count, for counts
    of 2 and more) updated in place; the lines put in and taken out appended to ``entered``
    and ``left``."""
    edits = []
    for line in pending:
        at = bisect_left(lines, line)
        present = at < len(lines) and lines[at] == line
        count = (multi.get(line, 1) if present else 0) + delta[line]
        if count < 0:
            raise ValueError("the kept union does not match the graphs it was made from")
        if count >= 2:
            multi[line] = count
        else:
            multi.pop(line, None)
        if present and count == 0:
            edits.append((at, 1, ()))
            left.append(line)
        elif not present and count > 0:
            edits.append((at, 0, (line,)))
            entered.append(line)
    for at, drop, put in reversed(edits):
        lines[at:at + drop] = put
    return lines


@lru_cache(maxsize=1)
def gnu_sort() -> str | None:
    """Path of GNU sort (coreutils), or None where there is none (macOS, Windows)."""
    path = shutil.which("sort")
    if path is None:
        return None
    try:
        version = subprocess.run([path, "--version"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if b"GNU coreutils" in version else None


MERGE_CHUNK = 50_000    # lines the Python merge hands on at a time


def _merge_union(quads: Mapping[str, Iterable[str]], names: list[str], repeats: bool = False) -> Iterator[bytes]:
    """:func:`sorted_union` in Python: groups of :data:`GRAPHS_PER_RUN` graphs are sorted
    together (Python's sort merges sorted runs cheaply) and packed, then the groups are
    merged a piece at a time."""
    once = list if repeats else (lambda lines: list(dict.fromkeys(lines)))
    groups = [pack(once(sorted(line for name in names[i:i + GRAPHS_PER_RUN] for line in quads[name])))
              for i in range(0, len(names), GRAPHS_PER_RUN)]
    lines, previous = heapq.merge(*map(unpack_stream, groups)), None
    while True:
        part = once(islice(lines, MERGE_CHUNK))
        if not part:
            return
        if part[0] == previous and not repeats:
            part = part[1:]
        if part:
            yield "\n".join(part).encode("utf-8")
            previous = part[-1]


def turtle_of_lines(lines, prefixes: dict[str, str] | None = None) -> bytes:
    """Turtle of a set of lines of ``kg.graph.to_quads``, as graph.ttl is written."""
    return _reformat(ntriples_lines(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, prefixes)


def _jsonld_prefixes(base: str) -> dict[str, str]:
    root = Iris(base).base
    return {**PREFIXES, "id": root + "id/", "doc": root + "doc/"}


def write_turtle(graph: Graph, path: str | Path) -> Path:
    return write_atomic(path, turtle(graph))


def write_ntriples(graph: Graph, path: str | Path) -> Path:
    return write_atomic(path, ntriples(graph))


def write_trig(dataset: Dataset, path: str | Path) -> Path:
    return write_atomic(path, trig(dataset))


def write_jsonld(graph: Graph, path: str | Path, prefixes: dict[str, str] | None = None) -> Path:
    return write_atomic(path, jsonld(graph, prefixes))


def write_json(obj, path: str | Path) -> Path:
    return write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
