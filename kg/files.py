"""Atomic file writing, the one way every output and cache entry reaches disk.

A file is written to a temporary file in its target folder and renamed into place, so an
interrupted run never leaves a half-written ``graph.ttl``, page or cache entry.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

PUBLIC = 0o644      # outputs are meant to be read by other tools


@contextmanager
def atomic_path(path: str | Path, mode: int = PUBLIC):
    """A temporary file next to ``path`` to write by any means; given ``mode`` and renamed
    to ``path`` when the block ends without error, removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, mode)          # mkstemp makes the file private (0600)
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(path: str | Path, data: str | bytes, mode: int = PUBLIC) -> Path:
    """``data`` (text as UTF-8) written to ``path`` through :func:`atomic_path`."""
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def umask_mode() -> int:
    """0666 less the process umask: the mode a plain ``open()`` would give a new file."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def die_with_parent() -> None:
    """Ask Linux to kill this process when the process that started it dies (even by
    SIGKILL), so a killed build leaves no worker behind. Elsewhere: nothing."""
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)           # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def unpickle(fh):
    """``pickle.load(fh)`` (``pickle.loads`` if ``fh`` is bytes) with the cyclic garbage
    collector paused, and what it loaded (with everything else alive) then moved out of
    the collector's sight (``gc.freeze``; :func:`kg.pipeline.fewer_collections` gives it
    back at the end of a build). A build loads memos and cached results that make many
    objects, no garbage and no cycles, and keeps them to its end: the collector's passes
    over them took about half the time of loading a rebuild's memos of the page (at 1,000
    articles page.pkl 0.5-0.7 s of CPU, 0.3 s paused), and as much again later on."""
    import gc
    import pickle
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(fh) if isinstance(fh, bytes) else pickle.load(fh)
    finally:
        gc.freeze()
        if paused:
            gc.enable()


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). What Python frees of large objects (the documents' text, the packed lines)
    stays in that heap, where the small objects made next (the page's index and parts) are
    not put: at 1,000 articles 65 MB came back before the page."""
    import ctypes
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass
