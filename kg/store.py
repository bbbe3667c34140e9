"""The graph's home: an embedded on-disk Oxigraph store in ``OUT/store/``, and the way a
build replaces it and its output files as one set.

``OUT/store/`` holds:

- ``oxigraph/``: pyoxigraph's RocksDB store, one named graph per entry of
  :func:`kg.graph.to_quads` (a graph per document, ``{base}merged`` for what merging
  across documents decides, ``{base}reference`` with the ontology added, and any other
  graph a later stage adds: each is just another name);
- ``turtle/``: each graph's triples as a Turtle block (no prefix lines), so that graph.ttl
  is their concatenation and an unchanged graph is never serialized twice (dumping the
  on-disk store is about ten times slower than serializing from memory);
- ``manifest.json``: graph IRI -> digest and size of its lines, and the base IRI;
- ``lines.pkl``: each graph's packed lines with what they were made from, which the next
  build reuses for every document whose inputs did not change;
- ``uncompacted``: how many triples were written to and deleted from ``oxigraph/`` since
  it was last compacted (see :data:`COMPACT_SHARE`);
- ``union.z``, ``union.pkl``: the sorted union of all lines in blocks packed one by one,
  and each block's first line and place with the lines two or more graphs hold and how many
  (:class:`kg.export.CountedUnion`): the next build changes the blocks where graphs changed
  instead of sorting every line again;
- ``index.pkl``, ``page.pkl``: the index the page was drawn from and the page's parts with
  what each read (:class:`kg.html.PageMemo`), which the next build changes and reuses where
  the lines that changed do not reach.

A build never writes into ``OUT/store``: it makes the next generation (store, Turtle
blocks and every output file) in ``OUT/.kg-new/``, starting from a checkpoint of the
current store (RocksDB hard links, so it costs little) in which only changed graphs are
replaced. It then writes a journal ``OUT/.kg-commit.json`` naming the renames to make,
makes them and removes the journal. A build killed before the journal exists leaves the
previous set untouched; one killed after leaves a journal that the next build (or reader
that finds no build running) completes. Whatever is left over (the staging folder, the old
store, temporary files of earlier versions) is removed by the next build. A build holds
``OUT/.kg-build.lock`` (``flock``) from start to end: a second build gives a one-line
error naming it, and readers open the store read-only, which never waits for it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .files import unpickle, write_atomic

STORE = "store"
DB, BLOCKS, MANIFEST = "oxigraph", "turtle", "manifest.json"
LINES = "lines.pkl"      # what the next build reuses of the graphs' lines (kg.graph.Runs.memo)
DESCRIBED = "described.pkl"     # each entity's lines in the merged graph, what made them (kg.graph.Runs.described)
PAGE = "page.pkl"        # the page's parts with what each read (kg.html.PageMemo)
INDEX = "index.pkl"      # the index the page was drawn from (kg.graph.TermIndex.state)
OVERVIEW = "overview.pkl"   # the explorer's first view as drawn (kg.explorer.build_cache)
LOCK, STAGE, OLD, JOURNAL = ".kg-build.lock", ".kg-new", ".kg-old-store", ".kg-commit.json"
FORMAT = 1          # bump when the layout of OUT/store changes: an older store is rebuilt whole
# temporary files earlier versions of kg build left in the output folder when killed
_LEFTOVERS = (".graph.*.tmp", ".graph.*.nq", ".merges.json.*.tmp", ".graph.html.*.tmp",
              ".explorer-cache.json.*.tmp")   # the last: a kg serve killed while writing its cache
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class StoreError(ValueError):
    """A store that cannot be opened or written (the CLI prints it as one line)."""


# ---- finding and opening ----------------------------------------------------------------

def store_folder(path: str | Path) -> Path | None:
    """The store folder of ``path``: an output folder holding ``store/``, or the store
    folder itself; None if ``path`` is neither."""
    path = Path(path)
    for candidate in (path / STORE, path):
        if (candidate / MANIFEST).is_file() and (candidate / DB).is_dir():
            return candidate
    return None


def is_store(path: str | Path) -> bool:
    path = Path(path)
    if not path.is_dir():
        return False
    out = path.parent if path.name == STORE else path
    if (out / JOURNAL).is_file():
        recover_if_idle(out)
    return store_folder(path) is not None


def _existing_store(path: str | Path) -> Path:
    path = Path(path)
    out = path.parent if path.name == STORE else path
    if (out / JOURNAL).is_file():
        recover_if_idle(out)             # a build killed mid-commit: finish it first
    folder = store_folder(path)
    if folder is None:
        raise StoreError(f"{path}: no graph store here (run kg build --out {path} first)")
    return folder


def open_store(path: str | Path, read_only: bool = True) -> ox.Store:
    """The pyoxigraph store of an output folder or store folder. Read-only (the default)
    works while a build runs; a writable open gives a one-line error if something holds it."""
    db = _existing_store(path) / DB
    try:
        return read_only_store(db) if read_only else ox.Store(str(db))
    except OSError as err:
        if "lock" in str(err).lower():
            raise StoreError(f"{db}: in use by another process (it holds {db / 'LOCK'}); "
                             f"open it read-only") from None
        raise StoreError(f"{db}: cannot open the store: {err}") from None


def read_only_store(db: str | Path, attempts: int = 5) -> ox.Store:
    """``ox.Store.read_only(db)``, opened again when a file it listed vanished meanwhile: a
    read-only open reads the list of files, then opens them, and a process holding the store
    for writing may compact in between (a build's store owes no compaction, :func:`settle`,
    but a writer may make one). The next reading of the list is the new one."""
    import time
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(db))
        except (OSError, RuntimeError) as err:
            if attempt + 1 == attempts or "No such file" not in str(err):
                raise
            time.sleep(0.05 * (attempt + 1))


def generation(path: str | Path) -> tuple[int, int] | None:
    """Which store is at ``path`` now: it changes whenever a build puts a new one in place
    (each writes its own manifest). None while there is none (a commit between renames)."""
    folder = store_folder(path)
    if folder is None:
        return None
    try:
        st = os.stat(folder / MANIFEST)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def read_manifest(path: str | Path) -> dict:
    return json.loads((_existing_store(path) / MANIFEST).read_text(encoding="utf-8"))


def named_graphs(path: str | Path) -> list[str]:
    """The IRIs of the store's named graphs, sorted."""
    return sorted(read_manifest(path)["graphs"])


def union_lines(store: ox.Store) -> Iterator[str]:
    """Every triple of the store (all named graphs) as a line of :func:`kg.graph.to_quads`
    (rdf:type marked for sorting), in the store's order and with repeats across graphs."""
    from .graph import LINE_TYPE
    for q in store.quads_for_pattern(None, None, None, None):
        p = str(q.predicate)
        yield f"{q.subject} {LINE_TYPE if p == _RDF_TYPE else p} {q.object}"


def block_lines(path: str | Path) -> dict[str, list[str]]:
    """Graph name -> its lines, read back from the Turtle blocks (the data the outputs are
    made of: the reference graph without the ontology)."""
    from .graph import LINE_TYPE
    folder = _existing_store(path)
    manifest = read_manifest(folder)
    out = {}
    for iri, entry in manifest["graphs"].items():
        lines = []
        text = prefix_header() + (folder / BLOCKS / entry["block"]).read_bytes()
        for t in ox.parse(text, format=ox.RdfFormat.TURTLE):
            p = str(t.predicate)
            lines.append(f"{t.subject} {LINE_TYPE if p == _RDF_TYPE else p} {t.object}")
        out[entry["name"]] = lines
    return out


# ---- the build lock and recovery ----------------------------------------------------------

@contextmanager
def build_lock(out: str | Path):
    """Hold ``OUT/.kg-build.lock`` for a build; a one-line error if another build holds it."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{out}: another kg build is writing this folder (it holds {path})") from None
        yield path
    finally:
        os.close(fd)            # closing the descriptor releases the lock


def recover(out: str | Path) -> None:
    """Finish a commit a killed build left half done, then remove what it left behind.
    Call only while holding :func:`build_lock`."""
    out = Path(out)
    journal = out / JOURNAL
    if journal.is_file():
        try:
            steps = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:      # written atomically, so never half; but be safe: roll back
            steps = None
        if steps is not None:
            _apply(out, steps)
        journal.unlink()
    shutil.rmtree(out / STAGE, ignore_errors=True)
    shutil.rmtree(out / OLD, ignore_errors=True)
    for pattern in _LEFTOVERS:
        for leftover in out.glob(pattern):
            leftover.unlink(missing_ok=True)


def recover_if_idle(out: str | Path) -> None:
    """:func:`recover` when no build holds the folder (a reader finding a journal)."""
    out = Path(out)
    if not (out / JOURNAL).is_file():
        return
    try:
        with build_lock(out):
            recover(out)
    except (StoreError, OSError):
        pass                    # a build is running (it will finish its commit) or no rights


def _apply(out: Path, steps: dict) -> None:
    """The commit's renames, each done only if not done yet, so that it can be repeated."""
    new_store = out / STAGE / STORE
    if new_store.is_dir():
        if (out / STORE).exists() and not (out / OLD).exists():
            os.replace(out / STORE, out / OLD)
        kill_point("store-moved-aside")
        if not (out / STORE).exists():
            os.replace(new_store, out / STORE)
    for name in steps["files"]:
        staged = out / STAGE / name
        if staged.exists():
            os.replace(staged, out / name)
    for name in steps["remove"]:
        (out / name).unlink(missing_ok=True)


def kill_point(name: str) -> None:
    """Where the kill test (tests/test_store.py) stops a build: SIGKILL this process when
    the environment variable KG_TEST_KILL_AT names this point. Nothing otherwise."""
    if os.environ.get("KG_TEST_KILL_AT") == name:
        import signal
        os.kill(os.getpid(), signal.SIGKILL)


def commit(out: str | Path, files: list[str], remove: Iterable[str] = ()) -> None:
    """Move the staged generation (``OUT/.kg-new/store`` and the staged ``files``) into
    place as one set and remove the stale outputs ``remove``."""
    out = Path(out)
    for name in files:                  # the data is on disk before the journal says to use it
        _fsync(out / STAGE / name)
    _fsync_tree(out / STAGE / STORE)
    kill_point("staged")
    steps = {"files": list(files), "remove": [r for r in remove if r not in files]}
    write_atomic(out / JOURNAL, json.dumps(steps))
    _fsync(out)
    kill_point("journal")
    _apply(out, steps)
    _fsync(out)
    kill_point("renamed")
    (out / JOURNAL).unlink()
    shutil.rmtree(out / OLD, ignore_errors=True)
    shutil.rmtree(out / STAGE, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Every file and folder under ``folder`` on disk. A file with other links is one the
    checkpoint or an unchanged Turtle block shares with the current store, whose commit
    synced it already: only its new name (the folder) needs syncing, and a rebuild shares
    almost every file."""
    for root, _, names in os.walk(folder):
        for name in names:
            if os.stat(Path(root) / name).st_nlink == 1:
                _fsync(Path(root) / name)
        _fsync(Path(root))


# ---- making the next generation ---------------------------------------------------------------

def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def stage_store(out: str | Path, quads: Mapping[str, Iterable[str]], base: str,
                reference_extra: list[str] = (), prefixes: dict[str, str] | None = None,
                processes: int = 2, last: Mapping[str, tuple] | None = None):
    """Make the next store in ``OUT/.kg-new/store`` from the lines of
    :func:`kg.graph.to_quads` (``reference_extra``: lines added to the reference graph in
    the store only, the ontology). Starts from a checkpoint of the current store and
    replaces only the graphs whose lines changed; Turtle blocks of unchanged graphs are
    hard links to the current ones. ``last`` holds the last build's graphs as
    :attr:`kg.graph.Runs.memo` gave them: a changed graph whose old lines are there (and
    that holds no blank node) is changed in the store line by line, its lines that left
    taken out and those that came put in, instead of dropped and loaded whole (the merged
    graph changes in a few lines of some 70,000 at 1,000 articles).

    The Turtle blocks are written first; a second process (``processes`` > 1; pyoxigraph
    holds the GIL) then loads the changed graphs from them (:func:`load_task`) while the
    caller goes on (draws the page).
    Returns the new manifest, with ``changed`` and ``removed``: how many graphs were
    (re)written and dropped, and ``finish()``, which waits for the store and raises what
    went wrong; call it before :func:`commit`."""
    from .export import _statements
    from .graph import Runs, graph_name, join_lines
    out = Path(out)
    stage = out / STAGE / STORE
    shutil.rmtree(stage, ignore_errors=True)
    (stage / BLOCKS).mkdir(parents=True)
    reference = str(graph_name("reference", base))
    extra = sorted(set(reference_extra))
    graphs: dict[str, dict] = {}
    for name in quads:
        iri = str(graph_name(name, base))
        if isinstance(quads, Runs) and iri != reference:    # no graph unpacked just to be compared
            key, triples = quads.digest(name), quads.size(name)
        else:
            raw = _raw(quads, name)
            key = digest(raw + (b"\0" + "\n".join(extra).encode("utf-8") if iri == reference else b""))
            triples = raw.count(b"\n") + 1 if raw else 0
        graphs[iri] = {"name": name, "digest": key, "triples": triples,
                       "block": digest(iri.encode("utf-8")) + ".ttl"}
    current = store_folder(out)
    old = _usable_manifest(current, base)
    old_graphs = old["graphs"] if old else {}
    changed = {iri for iri, g in graphs.items() if old_graphs.get(iri, {}).get("digest") != g["digest"]}
    edits = {iri: edit for iri in sorted(changed) if iri != reference and iri in old_graphs
             and (edit := _line_edit(last, graphs[iri]["name"], quads)) is not None}
    task = {"db": str(stage / DB), "checkpoint_of": str(current / DB) if old else None,
            "remove": sorted(iri for iri in old_graphs if iri not in graphs or (iri in changed and iri not in edits)),
            "nquads": str(out / STAGE / "load.nq"), "unload": str(out / STAGE / "unload.nq"), "graphs": sorted(graphs),
            "blocks": []}
    written = (sum(graphs[iri]["triples"] for iri in changed if iri not in edits)
               + sum(old_graphs[iri]["triples"] for iri in task["remove"])
               + sum(len(put) + len(take) for put, take in edits.values()))
    uncompacted = _uncompacted(current, old_graphs) + written
    task["compact"] = uncompacted * COMPACT_SHARE >= sum(g["triples"] for g in graphs.values())
    (stage / UNCOMPACTED).write_text(f"{0 if task['compact'] else uncompacted}\n", encoding="utf-8")
    # the loader reads the graphs replaced whole from their Turtle blocks (a quarter of the
    # bytes of their N-Quads, and no second copy written); the lines of graphs changed line
    # by line, graphs whose lines may hold a blank node, and the ontology go as N-Quads, the
    # blank nodes in one piece: each bulk_load call names them anew
    blank = []
    for iri, g in graphs.items():
        block = stage / BLOCKS / g["block"]
        if iri not in changed and (current / BLOCKS / g["block"]).is_file():
            os.link(current / BLOCKS / g["block"], block)
            continue
        raw = _raw(quads, g["name"])
        if iri in changed and iri not in edits:
            (blank.append(iri) if b"_:" in raw else task["blocks"].append([iri, str(block)]))
        block.write_bytes(turtle_block(raw, prefixes))
    task["blocks"].sort()
    with open(task["nquads"], "wb") as nq, open(task["unload"], "wb") as unload:
        for iri in sorted(edits):
            tail = f" <{iri}> .\n".encode("utf-8")
            put, take = edits[iri]
            nq.write(_statements(b"\n".join(put), tail))
            unload.write(_statements(b"\n".join(take), tail))
        for iri in sorted(blank):
            nq.write(_statements(_raw(quads, graphs[iri]["name"]), f" <{iri}> .\n".encode("utf-8")))
        if reference in changed and extra:
            nq.write(join_lines(extra, f" <{reference}> .\n").encode("utf-8"))
    task["prefixes"] = prefix_header(prefixes).decode("utf-8")
    # a few thousand triples load in a fraction of a second: here, with no process to start
    finish = _start_loader(task, 1 if written <= INLINE_TRIPLES and not task["compact"] else processes)
    manifest = {"format": FORMAT, "base": base, "graphs": dict(sorted(graphs.items()))}
    save_manifest(stage, manifest)
    if isinstance(quads, Runs):
        save_memo(stage, LINES, quads.memo)
        save_memo(stage, DESCRIBED, quads.described)
    return {**manifest, "changed": len(changed), "removed": sum(1 for iri in old_graphs if iri not in graphs),
            "finish": finish}


def _line_edit(last: Mapping[str, tuple] | None, name: str,
               quads: Mapping[str, Iterable[str]]) -> tuple[list[bytes], list[bytes]] | None:
    """The lines graph ``name`` gained and lost since the last build (sorted), or None when
    the last build's lines are not known or either side holds a blank node (the bulk
    loader names those anew, so such a graph is replaced whole)."""
    import zlib

    from .export import _line_set
    packed = (last or {}).get(name, (None, None))[1]
    if packed is None:
        return None
    before = zlib.decompress(packed)
    after = _raw(quads, name) if name in quads else b""
    if b"_:" in before or b"_:" in after:
        return None
    before_lines, after_lines = _line_set(before), _line_set(after)
    return sorted(after_lines - before_lines), sorted(before_lines - after_lines)


# Up to this many triples written and deleted, the store is changed in the build's own
# process: starting the loader costs more than the work (a rebuild after one edit writes
# a few thousand).
INLINE_TRIPLES = 50_000

# How much N-Quads the loader hands pyoxigraph's bulk loader at once. The bulk loader holds
# a whole call's quads in memory: the 299 MB of a 1,000-article build in one call peaked at
# about 1.4 GB, in 50 MB pieces at about 0.45 GB, in 16 MB pieces at about 0.23 GB, none
# clearly slower (the loader waits on the disk more than on the CPU; docs/performance.md).
PIECE_BYTES = 16 * 2**20
# The same for the Turtle blocks the loader reads as TriG: about three quads to an N-Quads
# piece's one, so fewer bulk_load calls. Each call builds and ingests its own sorted files,
# which overlap those already there, and RocksDB merges them again and again in the
# background (about a third of the loader's CPU); fewer calls, less of that. At 1,000
# articles (loader alone, with compaction): 16 MB N-Quads pieces 23.4 s of CPU at 213 MB,
# 8 / 12 / 16 / 32 MB TriG pieces 23.3 / 21.0 / 19.1-20.7 / 18.6 s at 204 / 247 / 334 / 680 MB.
BLOCK_PIECE_BYTES = 12 * 2**20

# Each bulk_load call adds sorted files that overlap those already there, and the loader
# exits before RocksDB merges them, so every index lookup of a query searched them all: on
# a 10,000-article store as built, the earlier supports.rq took 3.8 s of CPU, 0.9 s once
# compacted (pyoxigraph's optimize(): 40 s of CPU there, 4.5 s at 1,000 articles). A build
# compacts when the triples written and deleted since the last compaction reach
# 1/COMPACT_SHARE of the store's: always a first build, not a rebuild that changes a few
# graphs. The count is kept in the store folder (UNCOMPACTED), not in the manifest, which
# is the same for a rebuild and a clean build.
COMPACT_SHARE = 4
UNCOMPACTED = "uncompacted"


def _uncompacted(current: Path | None, old_graphs: Mapping[str, dict]) -> int:
    """Triples written to and deleted from the current store since it was last compacted
    (all of them for a store of a build that did not compact, or none without a store)."""
    if not old_graphs:
        return 0
    try:
        return int((current / UNCOMPACTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return sum(g["triples"] for g in old_graphs.values())


def nquads_pieces(path: str | Path, size: int = PIECE_BYTES) -> Iterator[bytes]:
    """The N-Quads file ``path`` in pieces of about ``size`` bytes, each ending at a line's
    end (N-Quads keeps one statement to a line, so every piece parses alone); ``size`` <= 0:
    the whole file as one piece. The bulk loader gives each call's blank nodes fresh names,
    so every line that may hold one (it has ``_:``) goes into the last piece, together."""
    with open(path, "rb") as fh:
        if size <= 0:
            whole = fh.read()
            if whole:
                yield whole
            return
        rest, blank = b"", []
        while chunk := fh.read(size):
            chunk = rest + chunk
            end = chunk.rfind(b"\n") + 1
            if end == 0:                # one line longer than a piece: keep reading
                rest = chunk
                continue
            rest, piece = chunk[end:], chunk[:end]
            if b"_:" in piece:
                lines = piece.splitlines(keepends=True)
                blank += [line for line in lines if b"_:" in line]
                piece = b"".join(line for line in lines if b"_:" not in line)
            if piece:
                yield piece
        if rest:
            blank.append(rest if rest.endswith(b"\n") else rest + b"\n")
        if blank:
            yield b"".join(blank)


def block_pieces(blocks: list, prefixes: bytes, size: int = BLOCK_PIECE_BYTES) -> Iterator[bytes]:
    """TriG documents of about ``size`` bytes from the Turtle blocks ``blocks`` ([graph IRI,
    block file] pairs): the prefix lines, then ``<graph> { block }`` for each, whole blocks
    only (a block bigger than ``size`` is a piece of its own)."""
    piece, held = [prefixes], 0
    for iri, path in blocks:
        with open(path, "rb") as fh:
            block = fh.read()
        if not block:
            continue
        piece += [f"<{iri}> {{\n".encode("utf-8"), block, b"}\n"]
        held += len(block)
        if held >= size:
            yield b"".join(piece)
            piece, held = [prefixes], 0
    if held:
        yield b"".join(piece)


def load_task(task: dict) -> None:
    """The loader's work: checkpoint the current store (hard links), drop the graphs to
    replace, take out the quads of ``task["unload"]`` (graphs changed line by line),
    bulk-load the graphs replaced whole from their Turtle blocks (``task["blocks"]``) as
    TriG a piece at a time (bounds the loader's memory), then the N-Quads file (the lines
    graphs changed line by line gained, the graphs whose lines may hold a blank node, and
    the ontology), parsing both strictly: this is where a term that is not valid RDF (an IRI
    with a space) fails the build, since :func:`turtle_block` copies the lines without
    parsing them; and name every graph, empty or not; with ``task["compact"]``, compact the
    store (see :data:`COMPACT_SHARE`). ``task["piece_bytes"]``, if given, overrides
    :data:`PIECE_BYTES` for the N-Quads (0: one piece; the benchmark compares both)."""
    if task["checkpoint_of"]:
        ox.Store.read_only(task["checkpoint_of"]).backup(task["db"])
    db = ox.Store(task["db"])
    for iri in task["remove"]:
        db.remove_graph(ox.NamedNode(iri))
    if task.get("unload"):
        for piece in nquads_pieces(task["unload"]):     # no blank node: see _line_edit
            for quad in ox.parse(piece, format=ox.RdfFormat.N_QUADS):
                db.remove(quad)
        os.unlink(task["unload"])
    for piece in block_pieces(task.get("blocks", ()), task.get("prefixes", "").encode("utf-8"), BLOCK_PIECE_BYTES):
        db.bulk_load(piece, format=ox.RdfFormat.TRIG)
    for piece in nquads_pieces(task["nquads"], task.get("piece_bytes", PIECE_BYTES)):
        db.bulk_load(piece, format=ox.RdfFormat.N_QUADS)
    for iri in task["graphs"]:
        if not db.contains_named_graph(ox.NamedNode(iri)):
            db.add_graph(ox.NamedNode(iri))     # an empty graph is still the document's
    if task.get("compact"):
        db.optimize()                   # see COMPACT_SHARE
    db.flush()
    del db
    settle(task["db"])
    os.unlink(task["nquads"])


def settle(db: str | Path, wait: float = 0.1, rounds: int = 5) -> None:
    """Leave the RocksDB store ``db`` owing no compaction, so that a later writable open
    changes no file under a read-only reader.

    ``Store.optimize()`` of pyoxigraph 0.5 compacts every column family but the one naming
    the graphs, into which each ``bulk_load`` call (and each flush after ``add_graph``)
    puts a small file of its own. With two of them at level 0 RocksDB owes a compaction,
    scheduled in the background; a process that closes the store first leaves it owed, and
    the next process to open the store for writing runs it at once, deleting files that a
    read-only open at that moment has just read the list of ("No such file ... .sst":
    ``tests/test_store.py``, 3 runs in 10 on a loader that made more calls). Opening the
    store schedules what is owed, and a compaction of those few small files is done within
    the moment before it is closed again, so the store is opened and closed again until that
    changes no file. (A big one, which a store changed line by line over many rebuilds may
    come to owe, can be given up by the close: readers then have :func:`read_only_store`.)"""
    import time
    for _ in range(rounds):
        before = _table_files(db)
        store = ox.Store(str(db))
        time.sleep(wait)                # a compaction not yet started is dropped by closing
        del store
        if _table_files(db) == before:
            return


def _table_files(db: str | Path) -> set[str]:
    return {name for name in os.listdir(db) if name.endswith(".sst")}


_LOADER_CODE = """import json, sys
from kg.files import die_with_parent
die_with_parent()
from kg.store import load_task
try:
    with open(sys.argv[1], encoding="utf-8") as task:
        load_task(json.load(task))
except Exception as e:
    sys.exit(f"{type(e).__name__}: {e}")
"""


def _start_loader(task: dict, processes: int):
    """Run :func:`load_task` in a fresh Python process (or here with ``processes`` <= 1).
    Returns ``finish()`` (waits, raises StoreError on failure) with ``finish.cancel()``."""
    import subprocess
    import sys
    if processes <= 1 or not sys.executable or getattr(sys, "frozen", False):
        def finish():
            try:
                load_task(task)
            except Exception as e:      # the same message as from the second process
                raise StoreError(f"{task['db']}: loading the store failed: {type(e).__name__}: {e}") from e
        finish.cancel = lambda: None
        return finish
    from .files import die_with_parent
    # the task goes in a file: it names every graph, far more than a command line holds
    # (10,000 articles: about a megabyte; Linux takes 128 kB per argument)
    path = Path(task["nquads"]).with_suffix(".json")
    path.write_text(json.dumps(task), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", _LOADER_CODE, str(path)], stderr=subprocess.PIPE,
                            preexec_fn=die_with_parent)

    def finish():
        _, err = proc.communicate()
        if proc.returncode:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            raise StoreError(f"{task['db']}: loading the store failed: {last[0]}")

    def cancel():
        if proc.returncode is None:     # not after finish(): its error is the one to report
            proc.kill()
            proc.communicate()
    finish.cancel = cancel
    return finish


def save_manifest(folder: str | Path, manifest: dict) -> None:
    keep = {k: v for k, v in manifest.items() if k not in ("changed", "removed", "finish")}
    (Path(folder) / MANIFEST).write_text(json.dumps(keep, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def save_memo(folder: str | Path, name: str, memo) -> None:
    """What the next build may reuse, kept in the store folder ``folder`` (so it always
    belongs to that store's graphs), such as :data:`LINES`."""
    import pickle
    with open(Path(folder) / name, "wb") as fh:
        pickle.dump(memo, fh, protocol=pickle.HIGHEST_PROTOCOL)


def read_memo(out: str | Path | None, name: str) -> dict:
    """What :func:`save_memo` kept in the store of ``out`` ({} if none or unreadable)."""
    folder = store_folder(out) if out is not None else None
    if folder is None:
        return {}
    try:
        with open(folder / name, "rb") as fh:
            return unpickle(fh)
    except Exception:                   # none (an older store) or damaged: make everything
        return {}


# A memo a rebuild changes in a few places (the page's parts, its index) is kept as the
# memo as last written whole and, beside it, what changed since (DELTA): a rebuild links
# the first from the last store and writes only the second, instead of pickling tens of
# megabytes again. A random token ties the two: a delta of another whole is not used.
DELTA = ".delta"
DELTA_SHARE = 8         # the memo is written whole again once its delta is 1/8 of its size


def read_layered(out: str | Path | None, name: str) -> tuple[object, object, str | None]:
    """What :func:`save_layered` kept in the store of ``out``: (the memo as last written
    whole, what changed since, the token tying them); ``({}, None, None)`` if none, or if
    the two do not belong together (a memo without the changes since is stale)."""
    folder = store_folder(out) if out is not None else None
    try:
        with open(folder / name, "rb") as whole_file, open(folder / (name + DELTA), "rb") as delta_file:
            token, whole = unpickle(whole_file)
            tied, delta = unpickle(delta_file)
        if isinstance(token, str) and token == tied:
            return whole, delta, token
    except Exception:                   # none (an older store), damaged or not a pair: make everything
        pass
    return {}, None, None


def save_layered(folder: str | Path, name: str, last: Path | None, token: str | None, delta, whole,
                 changes: int = 0, size: int = 0) -> str:
    """Keep a memo in the store folder ``folder``: ``delta`` (``changes`` entries changed
    since the memo ``token`` names was written whole into the store folder ``last``)
    beside a link to that whole; or ``whole()`` (a callable: the memo itself, of ``size``
    entries) written whole with an empty delta, when there is no ``token`` or ``delta``,
    or the delta has grown past 1/:data:`DELTA_SHARE` of the memo. Returns the token."""
    import pickle
    import secrets
    folder = Path(folder)
    if token is None or delta is None or last is None or changes * DELTA_SHARE > size:
        token = None
    else:
        try:
            os.link(last / name, folder / name)
        except OSError:                 # gone or unlinkable: written whole below
            token = None
    if token is None:
        token, delta = secrets.token_hex(16), None
        with open(folder / name, "wb") as fh:
            pickle.dump((token, whole()), fh, protocol=pickle.HIGHEST_PROTOCOL)
    with open(folder / (name + DELTA), "wb") as fh:
        pickle.dump((token, delta), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return token


def net_change(delta: tuple | None, entered: Iterable[bytes], left: Iterable[bytes]) -> tuple[set, set]:
    """The lines that entered and left a set of lines since it was written whole: those
    of ``delta`` (earlier builds', or None), then ``entered`` and ``left`` (this build's:
    the lines now in and no longer in it)."""
    came, went = (set(delta[0]), set(delta[1])) if delta else (set(), set())
    for line in left:
        if line in came:
            came.discard(line)
        else:
            went.add(line)
    for line in entered:
        if line in went:
            went.discard(line)
        else:
            came.add(line)
    return came, went


def _usable_manifest(current: Path | None, base: str) -> dict | None:
    if current is None:
        return None
    try:
        manifest = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if manifest.get("format") == FORMAT and manifest.get("base") == base else None


def _raw(quads: Mapping[str, Iterable[str]], name: str) -> bytes:
    from .export import _graph_bytes
    return _graph_bytes(quads, name)


def turtle_block(raw_lines: bytes, prefixes: dict[str, str] | None = None) -> bytes:
    """One graph's sorted lines (as :func:`kg.export._graph_bytes`) as Turtle without the
    prefix lines, which graph.ttl writes once: the bytes pyoxigraph's Turtle writer gives
    for the same triples in the same order (``tests/test_export.py`` compares them).

    Parsing the lines into pyoxigraph terms to hand them to its writer made a Python
    object per triple and was four fifths of the time (2.4 s of CPU for a million
    triples, 1.3 s this way). The lines are already pyoxigraph's canonical N-Triples, which
    its Turtle writer keeps for every term but two kinds: IRIs under a declared prefix and
    typed literals. Those are spelled by pyoxigraph itself, once per distinct term
    (:class:`_Spelling`); what is left here is the layout: a subject's first triple on its
    line, ``;`` before its next predicate, ``,`` before the next object. Whether every
    term is valid RDF is checked by the store loader, which parses the same lines strictly."""
    if not raw_lines:
        return b""
    subjects, predicates, objects, namespaces = _spellings(_prefix_items(prefixes))
    out: list[bytes] = []
    add = out.append
    last_s = last_p = None
    for line in raw_lines.replace(b" \x01<", b" <").split(b"\n"):
        s, p, o = line.split(b" ", 2)
        # only an IRI under a prefix or a typed literal (both end with ">") may be respelled
        if o[-1] == 62 and (o[0] != 60 or o.startswith(namespaces)):
            o = objects[o]
        if s == last_s:
            if p == last_p:
                add(b" , ")
            else:
                last_p = p
                add(b" ;\n\t")
                add(predicates[p])
                add(b" ")
        else:
            if last_s is not None:
                add(b" .\n")
            add(subjects[s] if s.startswith(namespaces) else s)
            add(b" ")
            add(predicates[p])
            add(b" ")
            last_s, last_p = s, p
        add(o)
    add(b" .\n")
    return b"".join(out)


def _prefix_items(prefixes: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    from .export import PREFIXES
    return tuple((PREFIXES if prefixes is None else prefixes).items())


class _Spelling(dict):
    """N-Triples text of a term -> how pyoxigraph's Turtle writer spells it at one place of
    a triple (0 subject, 1 predicate, 2 object), asked of pyoxigraph on first use."""

    _PLACEHOLDERS = (b"<http://example.org/s>", b"<http://example.org/p>", b"<http://example.org/o>")

    def __init__(self, prefixes: dict[str, str], place: int):
        super().__init__()
        self.prefixes, self.place = prefixes, place

    def __missing__(self, term: bytes) -> bytes:
        triple = list(self._PLACEHOLDERS)
        triple[self.place] = term
        text = ox.serialize(ox.parse(b" ".join(triple) + b" .\n", format=ox.RdfFormat.N_TRIPLES),
                            format=ox.RdfFormat.TURTLE, prefixes=self.prefixes)
        # "S P O .\n" after the prefix lines; only an object (a literal) may hold a space
        spelled = self[term] = _without_prefixes(text)[:-3].split(b" ", 2)[self.place]
        return spelled


@lru_cache(maxsize=4)
def _spellings(prefixes: tuple[tuple[str, str], ...]):
    """The three :class:`_Spelling` tables for ``prefixes`` and their namespaces as
    ``b"<ns"`` (an IRI starting with none of them is written as it is)."""
    declared = dict(prefixes)
    return (*(_Spelling(declared, place) for place in range(3)),
            tuple(f"<{ns}".encode("utf-8") for _, ns in prefixes))


def _without_prefixes(text: bytes) -> bytes:
    start = 0
    while text.startswith(b"@prefix ", start):
        start = text.index(b"\n", start) + 1
    return text[start:]


def prefix_header(prefixes: dict[str, str] | None = None) -> bytes:
    from .export import PREFIXES
    return b"".join(f"@prefix {p}: <{ns}> .\n".encode("utf-8")
                    for p, ns in (PREFIXES if prefixes is None else prefixes).items())


def write_turtle(store_path: str | Path, target) -> None:
    """graph.ttl into the open binary file ``target``: the prefix lines, then each graph's
    block in IRI order (the same triple may appear in several blocks: every reader merges
    them, as it merges the graphs)."""
    folder = Path(store_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    target.write(prefix_header())
    for iri in sorted(manifest["graphs"]):
        with open(folder / BLOCKS / manifest["graphs"][iri]["block"], "rb") as block:
            shutil.copyfileobj(block, target)


# ---- reading the store for the other commands ------------------------------------------------

# Oxigraph keeps xsd:nonNegativeInteger (and the other integer types) as xsd:integer, so
# what must keep the exact terms (files, validation, the page, kg load) reads the stored
# Turtle blocks, the build's own lines; SPARQL answers are the same either way.

def union_ntriples(path: str | Path, ontology: bool = True) -> str:
    """Every triple of the store once, as sorted N-Triples (what validation reads), with
    the ontology the store keeps in its reference graph."""
    from .graph import ntriples_lines
    lines = {line for graph in block_lines(path).values() for line in graph}
    return ntriples_lines(lines | set(_ontology_lines()) if ontology else lines)


def term_index(path: str | Path):
    """A :class:`kg.graph.TermIndex` of the store's graph, for the page (``kg view OUT``)."""
    from .graph import TermIndex
    return TermIndex(sorted({line for graph in block_lines(path).values() for line in graph}))


def graphs_of(path: str | Path) -> dict[str, list[ox.Triple]]:
    """Graph IRI -> its triples (the reference graph with the ontology), what ``kg load``
    sends: as the store holds them, with the exact datatypes of the build."""
    from .graph import join_lines
    manifest = read_manifest(path)
    out = {}
    for name, lines in block_lines(path).items():
        iri = next(i for i, g in manifest["graphs"].items() if g["name"] == name)
        if name == "reference":
            lines = sorted(set(lines).union(_ontology_lines()))
        out[iri] = [q.triple for q in ox.parse(join_lines(sorted(lines)).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def _ontology_lines() -> tuple[str, ...]:
    """The ontology's lines, its blank nodes named canonically (made once: a build asks
    twice, and canonical naming takes rdflib a tenth of a second)."""
    from rdflib.compare import to_canonical_graph

    from .graph import lines_of
    from .validate import ontology_graph
    return tuple(sorted(lines_of(to_canonical_graph(ontology_graph()))))


def export(path: str | Path, fmt: str, target) -> None:
    """Write the store's graph in ``fmt`` (ttl, nt, trig, jsonld) to the open binary file
    ``target``: the same bytes as the file a build writes with ``--format``. Turtle is the
    concatenation of the stored blocks; the others are made from the lines read back from them."""
    import tempfile

    from .export import _write_union, write_jsonld_file, write_trig_file
    from .graph import Runs, graph_name
    folder = _existing_store(path)
    if fmt == "ttl":
        write_turtle(folder, target)
        return
    manifest = read_manifest(folder)
    base = manifest["base"]
    quads = Runs(block_lines(folder))
    with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
        work = Path(tmp)
        if fmt == "trig":
            write_trig_file(quads, work / "graph.trig", base)
            produced = work / "graph.trig"
        else:
            with open(work / "graph.nt", "wb") as fh:
                _write_union(fh, quads, sorted(quads, key=lambda n: str(graph_name(n, base))), work)
            produced = work / "graph.nt"
            if fmt == "jsonld":
                write_jsonld_file(produced, work / "graph.jsonld", base)
                produced = work / "graph.jsonld"
            elif fmt != "nt":
                raise ValueError(f"unknown export format {fmt!r} (choose from ttl, nt, trig, jsonld)")
        with open(produced, "rb") as fh:
            shutil.copyfileobj(fh, target)
