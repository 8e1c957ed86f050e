"""Merging index segments in the background, without holding up the writers.

Every index commit adds a segment. Whoosh merges small segments at commit time by default,
inside the commit, under the writer lock: an upload once waited about 25 s for a merge after
some very large documents, and a bulk import stalled for two minutes when a merge rewrote the
whole index. Commits here never merge (``_store.index_writer``); ``merge_index`` does it as a
job of ``toolbox worker`` (``services.indexing``), in three steps:

1. under the writer lock, read the table of contents and choose the segments to merge, with
   Whoosh's own policy (``MERGE_SMALL``: small segments, sized along the Fibonacci numbers, so
   that each document is rewritten a logarithmic number of times);
2. without the lock, write those segments' live documents into one new segment in a private
   folder — uploads and edits commit meanwhile as usual;
3. under the lock again, mark deleted in the new segment what was deleted in the chosen ones
   since step 1 (an edit deletes the old entry and adds a new one elsewhere), move its file
   in and write a table of contents that lists it instead of the chosen ones.

If the chosen segments changed otherwise (another merge, a rebuild swapped the generation),
step 3 gives up and the next job starts over; nothing is lost, the index stays as it was.
A second lock file keeps two merges from running at once.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import _store

log = logging.getLogger("toolbox.search")

MERGE_LOCK_NAME = "merge.lock"
MERGE_FOLDER_PREFIX = "merge-"


@dataclass
class MergePlan:
    generation: Path
    chosen: list            # the segments to merge, as the table of contents listed them
    deleted: dict[str, frozenset[int]]  # segment id → its documents deleted at planning time


@dataclass(frozen=True)
class MergeReport:
    segments_before: int
    segments_after: int
    merged: int = 0          # segments replaced by one
    documents: int = 0       # live documents written into the new segment


def choose_segments(segments: list) -> list:
    """The segments Whoosh's ``MERGE_SMALL`` policy would merge (none or at least two)."""
    from whoosh.writing import fib

    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    chosen = []
    total = 0
    for position, segment in enumerate(ordered):
        total += max(segment.doc_count_all(), 0)
        chosen.append(segment)
        if position > 3 and total < fib(position + 5):
            return chosen if len(chosen) > 1 else []
    return []


def live_segments(root: Path) -> list:
    """The segments of the live index's current table of contents."""
    ix = _store.open_live(root)
    return list(ix._segments())


def index_needs_merge() -> bool:
    """Whether the live index has segments ``merge_index`` would merge."""
    try:
        return bool(choose_segments(live_segments(_store.index_root())))
    except _store.IndexUnavailable:
        return False


@contextlib.contextmanager
def _merge_lock(root: Path) -> Iterator[bool]:
    """Yield whether this process may merge now (no other merge is running)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / MERGE_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def merge_plan(root: Path) -> MergePlan | None:
    """Step 1: what to merge, read under the writer lock (a moment)."""
    with _store.writer_lock(root, timeout=_store.lock_timeout()):
        generation = _store.current_generation(root)
        if generation is None:
            return None
        chosen = choose_segments(live_segments(root))
        if not chosen:
            return None
        return MergePlan(generation, chosen,
                         {segment.segment_id(): frozenset(segment.deleted_docs()) for segment in chosen})


def merge_build(plan: MergePlan, folder: Path):
    """Step 2: the chosen segments' live documents as one new segment in ``folder``; no lock."""
    from whoosh import index as whoosh_index
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    from ._schema import build_schema

    live = whoosh_index.open_dir(str(plan.generation))
    private = whoosh_index.create_in(str(folder), build_schema())
    writer = SegmentWriter(private, _lk=False)
    try:
        for segment in plan.chosen:
            reader = SegmentReader(live.storage, live.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        merged = writer._finalize_segment()
        writer._tempstorage.destroy()
    except BaseException:
        writer.cancel()
        raise
    return merged


def merge_swap(root: Path, plan: MergePlan, merged, folder: Path) -> bool:
    """Step 3: replace the chosen segments by the merged one; False when the index moved on."""
    files = [name for name in os.listdir(folder) if name.startswith(merged.segment_id() + ".")]
    with _store.writer_lock(root, timeout=_store.lock_timeout()):
        if _store.current_generation(root) != plan.generation:
            return False
        ix = _store.open_live(root)
        writer = ix.writer(timeout=10.0, delay=0.05)
        moved: list[Path] = []
        try:
            current = {segment.segment_id(): segment for segment in writer.segments}
            if any(segment.segment_id() not in current for segment in plan.chosen):
                writer.cancel()
                return False
            new_docnum = 0
            for segment in plan.chosen:
                was_deleted = plan.deleted[segment.segment_id()]
                now = current[segment.segment_id()]
                for docnum in range(segment.doc_count_all()):
                    if docnum in was_deleted:
                        continue
                    if now.is_deleted(docnum):
                        merged.delete_document(new_docnum)
                    new_docnum += 1
            for name in files:
                target = plan.generation / name
                shutil.move(str(folder / name), target)
                moved.append(target)
            chosen_ids = {segment.segment_id() for segment in plan.chosen}
            segments = [segment for segment in writer.segments if segment.segment_id() not in chosen_ids]
            writer._close_segment()
            writer._commit_toc(segments + [merged])
            writer._finish()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            for path in moved:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
    _store.note_commit()
    return True


def merge_index() -> MergeReport:
    """Merge small segments as Whoosh's commit would have, without blocking other writers."""
    root = _store.index_root()
    try:
        before = len(live_segments(root))
    except _store.IndexUnavailable:
        return MergeReport(0, 0)
    with _merge_lock(root) as mine:
        if not mine:
            return MergeReport(before, before)
        plan = merge_plan(root)
        if plan is None:
            return MergeReport(before, before)
        # Beside the generations, so that step 3 moves the merged segment by a rename, however
        # large it is; what a killed merge left there goes first (this process holds the lock).
        for leftover in root.glob(f"{MERGE_FOLDER_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=MERGE_FOLDER_PREFIX, dir=root))
        try:
            merged = merge_build(plan, folder)
            if not merge_swap(root, plan, merged, folder):
                log.info("Index merge given up: the index changed meanwhile")
                return MergeReport(before, len(live_segments(root)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    after = len(live_segments(root))
    log.info("Index segments merged: %d into one (%d documents); %d → %d segments",
             len(plan.chosen), merged.doc_count(), before, after)
    return MergeReport(before, after, merged=len(plan.chosen), documents=merged.doc_count())
