"""Index safety across processes: parallel writers, crashes between the two commits, dead lock holders."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select, update

from toolbox import search
from toolbox.extensions import db
from toolbox.models import Document, IndexQueue
from toolbox.search import SearchQuery

WORKERS = 4
DOCUMENTS_PER_WORKER = 50

WORKER = textwrap.dedent('''
    import sys
    from pathlib import Path

    from sqlalchemy import update

    from toolbox import create_app
    from toolbox.extensions import db
    from toolbox.models import Document
    from toolbox.services.indexing import flush_index_queue, queue_document
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    worker, count, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    folder.mkdir(parents=True, exist_ok=True)
    topics = ["mobilitaet-verkehr", "energie-klimaschutz", "bildung-schule", "umwelt-wasser"]
    app = create_app()
    with app.app_context():
        for n in range(count):
            path = folder / f"w{worker}-{n}.txt"
            path.write_text(f"Parallelimport Kennung w{worker}x{n} aus Prozess {worker}.", encoding="utf-8")
            metadata = DocumentMetadata(title=f"Prozess {worker} Dokument {n}", topics=[topics[worker % 4]])
            outcome = ingest_file(path, metadata, publish=True)
            assert outcome.status == "ingested", outcome.message
            assert outcome.extraction_status == "ok", outcome.message
            if n % 10 == 0:
                # An edit right after the ingest: the later state must win in the index.
                db.session.execute(update(Document).where(Document.id == outcome.document_id)
                                   .values(title=f"Prozess {worker} Dokument {n} überarbeitet"))
                queue_document(outcome.document_id)
                db.session.commit()
                flush_index_queue()
''')


def _environment(app) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "TOOLBOX_DATABASE_URL": app.config["TOOLBOX_DATABASE_URL"],
        "TOOLBOX_INDEX_DIR": app.config["TOOLBOX_INDEX_DIR"],
        "TOOLBOX_DOCUMENTS_DIR": app.config["TOOLBOX_DOCUMENTS_DIR"],
        "TOOLBOX_SECRET_KEY": "test-secret-key",
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_EXTRACT_TIMEOUT": "120",
    })
    return env


@pytest.mark.slow
def test_parallel_writer_processes_lose_no_update(app, tmp_path):
    """Four processes ingesting 50 documents each at once: every document is found, no drift."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = _environment(app)
    started = time.monotonic()
    processes = [
        subprocess.Popen([sys.executable, str(script), str(worker), str(DOCUMENTS_PER_WORKER),
                          str(tmp_path / f"in-{worker}")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for worker in range(WORKERS)
    ]
    failures = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        if process.returncode != 0:
            failures.append(err.decode("utf-8", "replace")[-3000:])
    assert not failures, failures[0]
    elapsed = time.monotonic() - started

    total = WORKERS * DOCUMENTS_PER_WORKER
    with app.app_context():
        # Every writer applied its own updates: nothing is left in the queue.
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 0
        assert db.session.scalar(select(func.count()).select_from(Document)) == total
        report = search.check_index()
        assert report.ok, report
        assert search.search(SearchQuery(q="Parallelimport")).total == total
        for worker in range(WORKERS):
            for n in range(DOCUMENTS_PER_WORKER):
                hits = search.search(SearchQuery(q=f"w{worker}x{n}")).hits
                assert len(hits) == 1, (worker, n)
        edited = search.search(SearchQuery(q="überarbeitet", per_page=100))
        assert edited.total == WORKERS * (DOCUMENTS_PER_WORKER // 10)
    print(f"{total} documents from {WORKERS} processes in {elapsed:.1f} s")


def test_crash_after_the_database_commit_is_repaired_on_start(app, monkeypatch, tmp_path):
    """A document committed with its queue row but never indexed is findable after the next start."""
    from toolbox.services import indexing
    from toolbox.services.ingest import DocumentMetadata, ingest_file
    from toolbox.services.startup import repair_on_start

    source = tmp_path / "absturz.txt"
    source.write_text("Absturzsicherung Notstrom für das Rathaus", encoding="utf-8")
    with app.app_context():
        # The process "dies" between the database commit and the index commit.
        monkeypatch.setattr(indexing, "flush_index_queue", lambda: 0)
        outcome = ingest_file(source, DocumentMetadata(title="Notstromkonzept"), publish=True)
        monkeypatch.undo()
        assert outcome.status == "ingested"
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 1
        assert search.search(SearchQuery(q="Absturzsicherung")).total == 0
    repair_on_start(app)
    with app.app_context():
        hits = search.search(SearchQuery(q="Absturzsicherung")).hits
        assert [hit.document_id for hit in hits] == [outcome.document_id]
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 0
        assert search.check_index().ok


def test_crash_after_an_edit_is_repaired_on_start(app, make_doc):
    """An edit committed with its queue row but not applied reaches the index at the next start."""
    from toolbox.services.indexing import queue_document
    from toolbox.services.startup import repair_on_start

    document_id = make_doc(title="Altes Thema", text="Stromausfall")
    with app.app_context():
        db.session.execute(update(Document).where(Document.id == document_id).values(title="Neues Thema"))
        queue_document(document_id)
        db.session.commit()
        assert search.check_index().stale == [document_id]
    repair_on_start(app)
    with app.app_context():
        assert [h.document_id for h in search.search(SearchQuery(q="titel:Neues")).hits] == [document_id]
        assert search.search(SearchQuery(q="titel:Altes")).total == 0


LOCK_HOLDER = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from toolbox.search._store import writer_lock

    with writer_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
''')


def test_a_killed_lock_holder_does_not_block_writers(app, make_doc, tmp_path):
    """The kernel frees the writer lock of a killed process; the next writer goes ahead at once."""
    from toolbox.services.indexing import queue_document

    document_id = make_doc(title="Sperre", text="Schloss")
    script = tmp_path / "holder.py"
    script.write_text(LOCK_HOLDER, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), app.config["TOOLBOX_INDEX_DIR"]],
                              stdout=subprocess.PIPE, env=_environment(app))
    try:
        assert holder.stdout.readline().strip() == b"locked"
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.stdout.close()
    with app.app_context():
        db.session.execute(update(Document).where(Document.id == document_id).values(title="Entsperrt"))
        queue_document(document_id)
        db.session.commit()
        started = time.monotonic()
        assert search.apply_index_queue() == 1
        assert time.monotonic() - started < 5
        assert search.search(SearchQuery(q="Entsperrt")).total == 1
