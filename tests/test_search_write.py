"""The index write path: commits without merges, background merges, bulk indexing in a child."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from conftest import make_document
from toolbox import search
from toolbox.extensions import db
from toolbox.models import JOB_QUEUED, Document, IndexQueue, Job
from toolbox.search import _bulk, _merge, _store
from toolbox.services import indexing
from toolbox.services import ingest as ingest_service
from toolbox.services.ingest import OUTCOME_DUPLICATE, OUTCOME_FAILED, OUTCOME_INGESTED, DocumentMetadata, ingest_files
from toolbox.services.jobs import KIND_INDEX_MERGE, job_run


def _segments(app) -> list:
    with app.app_context():
        return _merge.live_segments(_store.index_root())


def _found(app, text: str) -> list[int]:
    with app.app_context():
        results = search.search(search.SearchQuery(q=text, statuses=("all",), per_page=100))
        return [hit.document_id for hit in results.hits]


def _text_files(folder: Path, count: int, word: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"datei-{n}.txt"
        path.write_text(f"Bericht Nummer {n} über {word} in der Gemeinde.\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_an_upload_commit_adds_a_segment_and_leaves_the_merge_to_a_job(app):
    """Each upload's index commit adds a segment without merging; once Whoosh's policy would
    merge, one merge job is queued, and running it merges with every document still found."""
    before = len(_segments(app))
    ids = [make_document(app, title=f"Satzung {n}", text=f"Zisternenförderung Teil {n}").id for n in range(7)]
    assert len(_segments(app)) == before + 7
    with app.app_context():
        merge_jobs = list(db.session.scalars(select(Job).where(Job.kind == KIND_INDEX_MERGE)))
        assert [job.state for job in merge_jobs] == [JOB_QUEUED]
        job_run(merge_jobs[0].id)
        assert db.session.get(Job, merge_jobs[0].id).state == "done"
    assert len(_segments(app)) < before + 7
    assert sorted(_found(app, "Zisternenförderung")) == sorted(ids)
    with app.app_context():
        assert search.check_index().ok


def test_a_merge_keeps_changes_committed_while_it_was_written(app, tmp_path):
    """An edit committed between choosing the segments and swapping in the merged one is kept:
    the old entry stays deleted, the new one is found, nothing is doubled."""
    ids = [make_document(app, title=f"Konzept {n}", text=f"Glasfaserausbau Abschnitt {n}").id for n in range(7)]
    edited = ids[2]
    with app.app_context():
        root = _store.index_root()
        plan = _merge.merge_plan(root)
        assert plan is not None and len(plan.chosen) >= 2
        document = db.session.get(Document, edited)
        document.title = "Breitbandstrategie Nordhessen"
        indexing.queue_document(edited)
        db.session.commit()
        indexing.flush_index_queue()
        folder = tmp_path / "merge"
        folder.mkdir()
        merged = _merge.merge_build(plan, folder)
        assert _merge.merge_swap(root, plan, merged, folder)
        assert search.check_index().ok
    assert _found(app, "Breitbandstrategie") == [edited]
    assert sorted(_found(app, "Glasfaserausbau")) == sorted(ids)


def test_a_merge_gives_up_when_the_index_was_rebuilt_meanwhile(app, tmp_path):
    """A rebuild between planning and swapping makes the merge give up; the index stays whole."""
    for n in range(7):
        make_document(app, title=f"Vorlage {n}", text=f"Quartiersmanagement {n}")
    with app.app_context():
        root = _store.index_root()
        plan = _merge.merge_plan(root)
        folder = tmp_path / "merge"
        folder.mkdir()
        merged = _merge.merge_build(plan, folder)
        search.reindex()
        assert not _merge.merge_swap(root, plan, merged, folder)
        assert search.check_index().ok
    assert len(_found(app, "Quartiersmanagement")) == 7


def test_a_bulk_import_is_indexed_by_a_child_in_segments(app, tmp_path, monkeypatch):
    """A bulk batch is indexed beside the import, a segment every few documents, and leaves
    neither queue rows nor drift behind."""
    monkeypatch.setattr(ingest_service, "BULK_INDEX_MIN", 2)
    monkeypatch.setattr(_bulk, "SEAL_EVERY", 3)
    before = len(_segments(app))
    paths = _text_files(tmp_path / "eingang", 8, "Wärmeplanung")
    with app.app_context():
        outcomes = ingest_files([(p, DocumentMetadata(topics=["energie-klimaschutz"]), None) for p in paths],
                                publish=True, bulk_index=True)
        assert [o.status for o in outcomes] == [OUTCOME_INGESTED] * 8
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 0
        assert search.check_index().ok
    assert len(_segments(app)) >= before + 3
    assert sorted(_found(app, "Wärmeplanung")) == sorted(o.document_id for o in outcomes)


def test_bulk_entries_applied_meanwhile_by_another_writer_are_not_doubled(app):
    """When a web process applies the queue while the child still analyses the same documents,
    the child's entries are dropped at the commit: every document has one entry."""
    ids = [make_document(app, title=f"Leitfaden {n}", text=f"Mitfahrbank Standort {n}").id for n in range(4)]
    with app.app_context():
        for document_id in ids:
            indexing.queue_document(document_id)
        db.session.commit()
        with indexing.bulk_indexer() as indexer:
            indexer.add(ids)
            assert search.apply_index_queue() == 4
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 0
        assert search.check_index().ok
    assert sorted(_found(app, "Mitfahrbank")) == sorted(ids)


def test_a_file_failing_in_a_group_costs_only_itself(app, tmp_path):
    """Files are recorded in groups; when one of them fails, the others of its group are
    recorded one by one and only that file is reported failed. Equal bytes in one group are
    one document and a duplicate."""
    paths = _text_files(tmp_path / "eingang", 6, "Parkraumsensorik")
    twin = tmp_path / "eingang" / "zwilling.txt"
    shutil.copyfile(paths[0], twin)

    def before_commit(document, source):
        if source.endswith("datei-3.txt"):
            raise RuntimeError("Platte voll")

    with app.app_context():
        outcomes = ingest_files([(p, DocumentMetadata(), None) for p in [*paths, twin]],
                                before_commit=before_commit)
        statuses = {Path(o.source).name: o.status for o in outcomes}
        assert statuses.pop("datei-3.txt") == OUTCOME_FAILED
        assert statuses.pop("zwilling.txt") == OUTCOME_DUPLICATE
        assert set(statuses.values()) == {OUTCOME_INGESTED}
        assert db.session.scalar(select(func.count()).select_from(Document)) == 5
