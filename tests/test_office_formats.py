"""Office formats through the repository (issue 13.3): `toolbox ingest`'s service, the upload form
and the API accept ODT, ODS, ODP, XLSX, PPTX and RTF, the text is found by search, the format
facet names each format in the page's language; macro files are refused with the security reason
and password-protected ones are stored as encrypted."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

import office_factories as of
from conftest import make_user
from contribute_helpers import blob_files, counts, upload_file, user
from toolbox.extensions import db
from toolbox.models import FileVersion

FORMATS = [
    ("odt", "glasfasersatzung.odt", of.write_feature_odt, "Zugangsnetz"),
    ("ods", "kostenplan.ods", of.write_feature_ods, "Sensoren"),
    ("odp", "ratssitzung.odp", of.write_feature_odp, "Ratsarbeit"),
    ("xlsx", "kostenplan.xlsx", of.write_feature_xlsx, "Parksensor"),
    ("pptx", "beleuchtung.pptx", of.write_feature_pptx, "Fernsteuerung"),
    ("rtf", "aushang.rtf", of.write_rtf, "Öffnungszeiten"),
]


def _ingest(app, path, **metadata):
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    with app.app_context():
        return ingest_file(path, DocumentMetadata(**metadata), filename=path.name, publish=True)


@pytest.mark.parametrize(("format", "name", "build", "word"), FORMATS, ids=[f[0] for f in FORMATS])
def test_office_file_is_ingested_and_found_by_its_text_and_format(app, client, tmp_path, format, name, build, word):
    outcome = _ingest(app, build(tmp_path / name), title=f"Dokument {format}")
    assert outcome.status == "ingested" and outcome.extraction_status == "ok", outcome.message
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert version.format == format
    hits = client.get(f"/api/v1/search?q={word}&format={format}").get_json()["hits"]
    assert [hit["id"] for hit in hits] == [outcome.document_id]
    download = client.get(f"/documents/{outcome.document_id}/download")
    assert download.status_code == 200
    assert name in download.headers["Content-Disposition"]
    download.close()


def test_format_facet_names_the_office_formats_in_the_page_language(app, client, tmp_path):
    _ingest(app, of.write_feature_xlsx(tmp_path / "plan.xlsx"), title="Kostenplan")
    _ingest(app, of.write_feature_odp(tmp_path / "rat.odp"), title="Ratssitzung")
    german = client.get("/search?q=", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Excel (XLSX)" in german and "OpenDocument-Präsentation (ODP)" in german
    english = client.get("/search?q=", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "OpenDocument presentation (ODP)" in english


@pytest.fixture
def contributor(app, auth):
    email = "formate@musterstadt.example"
    make_user(app, email, role="contributor")
    auth.login(email)


def test_upload_form_offers_the_office_formats(app, client, contributor):
    html = client.get("/upload").get_data(as_text=True)
    for extension in (".odt", ".ods", ".odp", ".xlsx", ".pptx", ".rtf", ".doc", ".xls", ".ppt"):
        assert extension in html.split('accept="', 1)[1].split('"', 1)[0]


def test_macro_workbook_is_refused_at_upload_with_the_security_reason(app, client, contributor, tmp_path):
    path = of.write_with_vba(of.write_feature_xlsx(tmp_path / "a.xlsx"), tmp_path / "haushalt.xlsm",
                             main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    response = upload_file(client, path.read_bytes(), "haushalt.xlsm")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "IT-Sicherheitsvorgaben der Kommunen verbieten, Makros weiterzugeben" in html
    assert blob_files(app) == [] and counts(app) == (0, 0)


def test_macro_document_is_refused_by_the_api(app, client, tmp_path):
    from toolbox.services.users import api_token_create

    user_id = make_user(app, "api-formate@musterstadt.example", role="contributor")
    with app.app_context():
        token = api_token_create(user(user_id))
    path = of.write_odt_with_macros(tmp_path / "satzung.odt")
    response = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(path.read_bytes()), "satzung.odt"), "title": "Satzung"},
                           content_type="multipart/form-data")
    assert response.status_code == 415
    assert "Makros weiterzugeben" in str(response.get_json())
    assert blob_files(app) == []


@pytest.mark.parametrize("build", [lambda d: of.write_encrypted_odf(d / "geheim.ods", "ods"),
                                   lambda d: _write(d / "geheim.xlsx", of.encrypted_ooxml())])
def test_password_protected_office_file_is_stored_as_encrypted(app, tmp_path, build):
    """Like an encrypted PDF: the document is kept, its status says it is password-protected."""
    path = build(tmp_path)
    outcome = _ingest(app, path, title="Vertraulicher Haushalt")
    assert (outcome.status, outcome.extraction_status) == ("ingested", "encrypted")
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert (version.format, version.extraction_status) in (("ods", "encrypted"), ("xlsx", "encrypted"))


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
