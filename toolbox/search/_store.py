"""Where the index lives on disk, who may write it, and how readers get a fresh searcher.

Layout of ``TOOLBOX_INDEX_DIR``::

    write.lock          OS-level lock (fcntl.flock): exactly one writer across all processes
    CURRENT             name of the live generation, replaced atomically (write + rename)
    gen-<stamp>-<rand>/ a complete Whoosh index and ``toolbox-index.json`` (schema version)
    tmp-<rand>/         a rebuild in progress; any left behind by a crash is removed

A rebuild fills a new ``tmp-`` directory while searches keep using the live generation, then
renames it to ``gen-…`` and points ``CURRENT`` at it. Readers that still hold the previous
generation open keep working (POSIX keeps unlinked files readable); the previous generation
is kept until the next swap for readers that looked at ``CURRENT`` just before it changed.

Whoosh's own lock fails at once with ``LockError`` when another process writes. Every writer
here first takes ``write.lock`` and waits for it, so Whoosh's lock is always free when asked.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from ._record import SCHEMA_VERSION
from ._schema import FACET_INDEX_FIELDS, build_schema

log = logging.getLogger("toolbox.search")

LOCK_NAME = "write.lock"
POINTER_NAME = "CURRENT"
META_NAME = "toolbox-index.json"
_GENERATION = re.compile(r"^gen-[0-9A-Za-z-]+$")


class IndexBusy(RuntimeError):
    """The writer lock was not free within the allowed time."""


class IndexUnavailable(RuntimeError):
    """There is no readable index (missing, corrupt or from an older schema)."""


def index_root() -> Path:
    return Path(current_app.config["TOOLBOX_INDEX_DIR"])


def lock_timeout() -> float:
    return float(current_app.config.get("TOOLBOX_INDEX_LOCK_TIMEOUT", 60.0))


# --- the writer lock -------------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the index's OS-level writer lock; wait for it, up to ``timeout`` seconds if given.

    ``flock`` locks belong to an open file description, so two threads of one process that
    each open the lock file exclude each other just like two processes do, and the kernel
    releases the lock of a process that dies.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if deadline is not None and time.monotonic() >= deadline:
                raise IndexBusy(f"index writer lock in {root} not free after {timeout:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def index_writer(ix: whoosh_index.Index, memory_mb: int | None = None) -> Iterator[IndexWriter]:
    """A Whoosh writer that commits on success and cancels *and re-raises* on error.

    Call it only while holding ``writer_lock``. The commit never merges segments: Whoosh's
    default merges inside the commit, under the lock, and made an upload wait ~25 s for one;
    ``_merge.merge_index`` merges in a background job without holding the lock meanwhile.
    ``memory_mb``: the postings pool of a full rebuild (Whoosh's default, 128 MB, otherwise).
    """
    writer = ix.writer(timeout=10.0, delay=0.05, **({"limitmb": memory_mb} if memory_mb else {}))
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)
    _SEARCHERS.note_commit()


# --- generations -----------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    """The live generation directory, or None when there is none (or the pointer is garbage)."""
    try:
        name = (root / POINTER_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not _GENERATION.match(name):
        return None
    path = root / name
    return path if path.is_dir() else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_build_dir(root: Path) -> tuple[Path, whoosh_index.Index]:
    """An empty index in a fresh ``tmp-`` directory beside the live one."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"tmp-{secrets.token_hex(6)}"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    meta = {"schema_version": SCHEMA_VERSION, "created": datetime.now(timezone.utc).isoformat()}
    (path / META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    return path, ix


def publish_build(root: Path, build: Path) -> Path:
    """Make a finished build the live generation (atomic pointer swap); needs the lock."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = root / f"gen-{stamp}-{secrets.token_hex(4)}"
    os.rename(build, target)
    previous = current_generation(root)
    tmp_pointer = root / f".{POINTER_NAME}.{secrets.token_hex(4)}"
    with open(tmp_pointer, "w", encoding="ascii") as stream:
        stream.write(target.name + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp_pointer, root / POINTER_NAME)
    _fsync_dir(root)
    _remove_old(root, keep={target.name, previous.name if previous else ""})
    _SEARCHERS.discard_all()
    return target


def discard_build(build: Path) -> None:
    shutil.rmtree(build, ignore_errors=True)


def _remove_old(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        if child.name in keep:
            continue
        if child.is_dir() and (child.name.startswith("tmp-") or _GENERATION.match(child.name)):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{POINTER_NAME}."):
            with contextlib.suppress(OSError):
                child.unlink()


def clean_leftovers(root: Path) -> None:
    """Remove builds a crash left behind; needs the lock (no build can be running)."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("tmp-"):
            shutil.rmtree(child, ignore_errors=True)


# --- opening and checking --------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    state: str  # ok | missing | corrupt | outdated
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def open_live(root: Path) -> whoosh_index.Index:
    """Open the live generation; raise IndexUnavailable when there is none that opens."""
    path = current_generation(root)
    if path is None:
        raise IndexUnavailable(f"no index in {root}")
    try:
        meta = json.loads((path / META_NAME).read_text(encoding="utf-8"))
        version = int(meta.get("schema_version", -1))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise IndexUnavailable(f"index metadata unreadable: {exc}") from exc
    if version != SCHEMA_VERSION:
        raise IndexUnavailable(f"index schema version {version}, expected {SCHEMA_VERSION}")
    problem = None
    with _leaks_ignored():
        try:
            return whoosh_index.open_dir(str(path))
        except Exception as exc:  # Whoosh raises anything from EOFError to pickle errors on garbage
            problem = f"index does not open: {exc!r}"
        gc.collect()
    raise IndexUnavailable(problem)


@contextlib.contextmanager
def _leaks_ignored() -> Iterator[None]:
    """Whoosh leaves files open when it fails half-way through opening a damaged index.

    They are closed when the exception is dropped (or by the ``gc.collect()`` after it); their
    ResourceWarning says nothing the caller does not know already.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def probe(root: Path, *, thorough: bool = True) -> Health:
    """Tell whether the live index is usable; ``thorough`` also reads through its data."""
    with _leaks_ignored():
        health = _probe(root, thorough)
        # Only a damaged index can leave files open; a missing one opened nothing, and a full
        # collection costs a third of a second in a process holding many objects (every fresh
        # test app, every new server start).
        if health.state == "corrupt":
            gc.collect()
    return health


def _probe(root: Path, thorough: bool) -> Health:
    if current_generation(root) is None:
        has_data = root.is_dir() and any(
            child.is_dir() and _GENERATION.match(child.name) for child in root.iterdir()
        )
        return Health("corrupt" if has_data else "missing", "no live index generation")
    try:
        ix = open_live(root)
    except IndexUnavailable as exc:
        state = "outdated" if "schema version" in str(exc) else "corrupt"
        return Health(state, str(exc))
    try:
        expected = build_schema()
        with ix.searcher() as searcher:
            schema = searcher.schema
            if sorted(schema.names()) != sorted(expected.names()):
                return Health("outdated", "index fields differ from the schema")
            for name in expected.names():
                if type(schema[name]) is not type(expected[name]) or schema[name].analyzer != expected[name].analyzer:
                    return Health("outdated", f"field {name} differs from the schema")
            reader = searcher.reader()
            count = reader.doc_count()
            if thorough:
                seen = 0
                for _docnum, stored in reader.iter_docs():
                    if "doc_id" not in stored:
                        return Health("corrupt", "stored document without id")
                    seen += 1
                if seen != count:
                    return Health("corrupt", f"{seen} stored documents, {count} counted")
                for field in ("title", "body", "status", "compounds") + tuple(FACET_INDEX_FIELDS.values()):
                    for _term in reader.lexicon(field):
                        pass
                if count:  # an empty index has no columns
                    for column in ("doc_id", "sort_date", "title_sort"):
                        list(reader.column_reader(column))
    except Exception as exc:  # any failure to read means the files are damaged
        return Health("corrupt", f"index unreadable: {exc!r}")
    return Health("ok")


# --- searchers -------------------------------------------------------------------------------


class _SearcherPool:
    """Idle searchers per live generation, handed out one per query.

    A searcher is never shared by two threads at once. Normally one that is out of date is
    replaced before use. With ``max_age`` a query may take an idle searcher whose generation
    was confirmed current less than ``max_age`` seconds ago without looking at the disk again:
    under load every upload and publication commits a new generation, and opening each one
    (readers, per-generation views and weights) cost a quarter of the search time
    (bench/load.py, py-spy). A commit made by this process is always seen at once
    (``note_commit``); other processes' commits within ``max_age``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[str, whoosh_index.Index, list[Searcher]]] = {}
        self._confirmed: dict[str, tuple[float, int]] = {}  # when the idle ones were last current
        self._commits = 0

    def note_commit(self) -> None:
        with self._lock:
            self._commits += 1

    def _take_recent(self, key: str, max_age: float) -> tuple[str, Searcher] | None:
        if max_age <= 0:
            return None
        with self._lock:
            entry = self._pools.get(key)
            confirmed = self._confirmed.get(key)
            if (entry is None or not entry[2] or confirmed is None or confirmed[1] != self._commits
                    or time.monotonic() - confirmed[0] >= max_age):
                return None
            return entry[0], entry[2].pop()

    @contextlib.contextmanager
    def searcher(self, root: Path, max_age: float = 0.0) -> Iterator[Searcher]:
        key = str(root.resolve())
        recent = self._take_recent(key, max_age)
        if recent is not None:
            name, searcher = recent
            try:
                yield searcher
            finally:
                self._give_back(key, name, searcher)
            return
        generation = current_generation(root)
        if generation is None:
            raise IndexUnavailable(f"no index in {root}")
        searcher = None
        with self._lock:
            commits = self._commits
            entry = self._pools.get(key)
            if entry is not None and entry[0] != generation.name:
                for idle in entry[2]:
                    _close_quietly(idle)
                entry = None
                del self._pools[key]
            if entry is not None and entry[2]:
                searcher = entry[2].pop()
            ix = entry[1] if entry is not None else None
        if ix is None:
            ix = open_live(root)
        if searcher is not None and not searcher.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers whose deletion lists may be
            # stale, so updated documents would show twice.
            _close_quietly(searcher)
            searcher = None
        if searcher is None:
            searcher = ix.searcher()
        checked = time.monotonic()
        try:
            yield searcher
        finally:
            with self._lock:
                entry = self._pools.get(key)
                if entry is None and current_generation(root) == generation:
                    entry = self._pools[key] = (generation.name, ix, [])
                if entry is not None and entry[0] == generation.name and len(entry[2]) < 16:
                    entry[2].append(searcher)
                    if searcher.up_to_date():
                        self._confirmed[key] = (checked, commits)
                else:
                    _close_quietly(searcher)

    def _give_back(self, key: str, name: str, searcher: Searcher) -> None:
        with self._lock:
            entry = self._pools.get(key)
            if entry is not None and entry[0] == name and len(entry[2]) < 16:
                entry[2].append(searcher)
                return
        _close_quietly(searcher)

    def discard_all(self) -> None:
        with self._lock:
            for _name, _ix, idle in self._pools.values():
                for searcher in idle:
                    _close_quietly(searcher)
            self._pools.clear()
            self._confirmed.clear()
            self._commits += 1


def _close_quietly(searcher: Searcher) -> None:
    with contextlib.suppress(Exception):
        searcher.close()


_SEARCHERS = _SearcherPool()


def searcher(root: Path, max_age: float = 0.0):
    """``with searcher(root) as s:`` — a searcher of the live index for one query; current,
    or (with ``max_age``) confirmed current at most that many seconds ago."""
    return _SEARCHERS.searcher(root, max_age)


def discard_searchers() -> None:
    _SEARCHERS.discard_all()


def note_commit() -> None:
    """Tell this process's searchers about an index commit made without ``index_writer``."""
    _SEARCHERS.note_commit()
