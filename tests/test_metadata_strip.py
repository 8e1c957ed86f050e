"""Removing personal properties from DOCX and PDF files before they are stored."""
from __future__ import annotations

import hashlib

import docx
import pytest
from pypdf import PdfReader

from toolbox.services import metadata_strip
from toolbox.message_render import render
from toolbox.services.metadata_strip import StripError, privacy_report, report_is_empty, strip_file

from privacy_fixtures import (
    AUTHOR,
    COMMENT,
    DELETED,
    EDITOR,
    INSERTED,
    REVIEWER,
    all_part_bytes,
    docx_with_personal_data,
    pdf_with_personal_data,
)


def test_report_names_author_editor_comments_and_tracked_changes(tmp_path):
    """The preview shows author, last editor, each comment with its author and the tracked changes."""
    path = docx_with_personal_data(tmp_path / "in.docx")
    report = privacy_report(str(path), "docx")
    fields = {f["name"]: f["value"] for f in report["fields"]}
    assert fields["creator"] == AUTHOR
    assert fields["lastModifiedBy"] == EDITOR
    assert report["comment_count"] == 1
    assert report["comments"] == [{"author": REVIEWER, "text": COMMENT}]
    assert report["tracked_changes"] == 2
    assert report["revision_authors"] == [REVIEWER]
    assert not report_is_empty(report)


def test_stripped_docx_keeps_no_author_comment_or_deleted_text(tmp_path):
    """After stripping, no part of the DOCX names a person, and comments and deleted text are gone."""
    source = docx_with_personal_data(tmp_path / "in.docx")
    target = tmp_path / "out.docx"
    assert strip_file(str(source), str(target), "docx") == {"stripped": True}
    cleaned = docx.Document(str(target))
    assert cleaned.core_properties.author == ""
    assert cleaned.core_properties.last_modified_by == ""
    assert len(list(cleaned.comments)) == 0
    raw = all_part_bytes(target)
    for secret in (AUTHOR, EDITOR, REVIEWER, COMMENT, DELETED):
        assert secret.encode() not in raw, secret
    assert b"commentReference" not in raw and b"commentRangeStart" not in raw
    assert report_is_empty(privacy_report(str(target), "docx"))


def test_tracked_insertions_are_accepted(tmp_path):
    """Accepting tracked changes keeps inserted text and the body; only deleted text goes."""
    source = docx_with_personal_data(tmp_path / "in.docx", body="Vergabeunterlagen Straßenbeleuchtung")
    target = tmp_path / "out.docx"
    strip_file(str(source), str(target), "docx")
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert texts[0] == "Vergabeunterlagen Straßenbeleuchtung"
    assert texts[1] == f"Anlage: {INSERTED}"


def test_stripping_gives_the_same_bytes_every_time(tmp_path):
    """The cleaned copy is deterministic, so uploading the same file twice is still a duplicate."""
    source = docx_with_personal_data(tmp_path / "in.docx")
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    strip_file(str(source), str(first), "docx")
    strip_file(str(source), str(second), "docx")
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()


def test_pdf_author_creator_producer_and_xmp_are_removed(tmp_path):
    """A stripped PDF has no info dictionary entries and no XMP packet, not even unreferenced."""
    source = pdf_with_personal_data(tmp_path / "in.pdf", text="Datenschutz-Folgenabschätzung Kita-App")
    report = privacy_report(str(source), "pdf")
    assert {f["name"] for f in report["fields"]} == {"author", "creator", "producer"}
    assert report["has_xmp"]
    target = tmp_path / "out.pdf"
    strip_file(str(source), str(target), "pdf")
    assert AUTHOR.encode() not in target.read_bytes()
    reader = PdfReader(str(target))
    assert not (reader.metadata or {})
    assert "/Metadata" not in reader.trailer["/Root"]
    assert "Kita-App" in reader.pages[0].extract_text()
    assert report_is_empty(privacy_report(str(target), "pdf"))


def test_damaged_docx_is_refused_with_a_german_message(tmp_path):
    """A file that cannot be cleaned raises StripError instead of being stored as it is."""
    source = tmp_path / "kaputt.docx"
    source.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(StripError) as refused:
        strip_file(str(source), str(tmp_path / "out.docx"), "docx")
    assert "beschädigt" in render(refused.value.message, "de")
    assert not (tmp_path / "out.docx").exists()
    assert metadata_strip.sandboxed_strip(str(source), str(tmp_path / "out.docx"), "docx")["error"]


def test_text_files_are_copied_unchanged(tmp_path):
    """Plain text has no properties: the copy is byte-identical and not marked as stripped."""
    source = tmp_path / "notiz.txt"
    source.write_text("Checkliste Barrierefreiheit", encoding="utf-8")
    target = tmp_path / "out.txt"
    assert strip_file(str(source), str(target), "txt") == {"stripped": False}
    assert target.read_bytes() == source.read_bytes()
