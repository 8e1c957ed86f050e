"""Child process for tests/test_crash_safety.py: ingest a file and die by SIGKILL at a chosen point.

    python tests/crash_driver.py CRASH_POINT BEFORE_FILE CRASH_FILE

The app comes from the ``TOOLBOX_*`` environment, and starts as ``toolbox`` starts (migrations,
start-up repair). BEFORE_FILE is ingested completely first; then the hook for CRASH_POINT is
armed and CRASH_FILE ingested, and the process kills itself with SIGKILL where the hook sits —
no ``finally`` block, no atexit handler and no buffered write gets to run, as in a power cut
of this process. Exit code 3 means the crash point was never reached.

Crash points:
    temp_written      the blob's temporary file is written and fsynced, not yet renamed
    blob_stored       the blob is in place, extraction has not started
    extracting        the extraction child has the file and is parsing it
    db_committed      the database commit is done, the index commit has not started
    index_segment     Whoosh has written the new segment, not the table of contents
    index_toc         Whoosh has written the new table of contents under its temporary name
    index_rebuild     ``reindex`` has built the complete new index, not yet swapped it in
                      (CRASH_FILE is ingested completely first; the crash hits the rebuild)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _arm(point: str, documents_dir: Path, marker: Path) -> None:
    if point == "temp_written":
        real_replace = os.replace
        tmp_dir = str(documents_dir / "tmp")

        def replace(src, dst, *args, **kwargs):
            if str(src).startswith(tmp_dir):
                _die()
            return real_replace(src, dst, *args, **kwargs)

        os.replace = replace
    elif point == "blob_stored":
        import toolbox.extract

        toolbox.extract.extract = lambda *args, **kwargs: _die()
    elif point == "extracting":
        class KilledWhileChildParses(subprocess.Popen):
            def communicate(self, input=None, timeout=None):
                # Hand the child its whole request, note its pid, then die while it works.
                self.stdin.write(input)
                self.stdin.flush()
                marker.write_text(str(self.pid), encoding="ascii")
                _die()

        subprocess.Popen = KilledWhileChildParses

        # A single file normally goes to the process's warm extraction child instead.
        import json

        from toolbox.extract import pool
        from toolbox.extract._worker import write_frame

        def call(self, target, args, timeout):
            write_frame(self.process.stdin.fileno(), json.dumps({"target": target, "args": args}).encode())
            marker.write_text(str(self.process.pid), encoding="ascii")
            _die()

        pool._Worker.call = call
    elif point == "db_committed":
        import toolbox.services.indexing

        toolbox.services.indexing.flush_index_queue = _die
    elif point == "index_segment":
        from whoosh.writing import SegmentWriter

        SegmentWriter._commit_toc = lambda self, segments: _die()
    elif point == "index_toc":
        from whoosh.filedb.filestore import FileStorage

        real_rename = FileStorage.rename_file

        def rename_file(self, frm, to, safe=False):
            if to.endswith(".toc"):
                _die()
            return real_rename(self, frm, to, safe)

        FileStorage.rename_file = rename_file
    elif point == "index_rebuild":
        from toolbox.search import _store

        _store.publish_build = lambda root, build: _die()
    else:
        raise SystemExit(f"unknown crash point {point!r}")


def main() -> int:
    point, before_file, crash_file = sys.argv[1:4]
    from toolbox import create_app, search
    from toolbox.services.database import prepare_database
    from toolbox.services.ingest import DocumentMetadata, ingest_file
    from toolbox.services.startup import repair_on_start

    app = create_app()
    prepare_database(app)
    repair_on_start(app)
    with app.app_context():
        outcome = ingest_file(before_file, DocumentMetadata(title="Vor dem Absturz"), publish=True)
        assert outcome.status == "ingested", outcome.message
        print(f"before={outcome.document_id}", flush=True)
        marker = Path(app.instance_path) / "extraction-child.pid"
        if point == "index_rebuild":
            ingest_file(crash_file, DocumentMetadata(title="Beim Absturz"), publish=True)
            _arm(point, Path(app.config["TOOLBOX_DOCUMENTS_DIR"]), marker)
            search.reindex()
        else:
            _arm(point, Path(app.config["TOOLBOX_DOCUMENTS_DIR"]), marker)
            ingest_file(crash_file, DocumentMetadata(title="Beim Absturz"), publish=True)
    return 3


if __name__ == "__main__":
    sys.exit(main())
