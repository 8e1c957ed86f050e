"""POST /api/v1/documents: upload with a contributor API token."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from toolbox.extensions import db
from toolbox.models import Document

from conftest import make_user
from contribute_helpers import blob_files, counts, user


@pytest.fixture
def token(app):
    from toolbox.services.users import api_token_create

    user_id = make_user(app, "api@example.org", role="contributor")
    with app.app_context():
        return api_token_create(user(user_id))


def _post(client, token=None, *, data="Checkliste Barrierefreiheit im Bürgerportal\n".encode(), filename="checkliste.txt",
          headers=None, **fields):
    headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
    form = {"file": FileStorage(io.BytesIO(data), filename=filename), **fields} if data is not None else dict(fields)
    # Encoded in memory: for bodies above 500 KB the test client spools to a temporary file
    # that nobody closes once the app refuses the request unread.
    boundary, body = encode_multipart(form)
    return client.post("/api/v1/documents", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_with_token_answers_201_with_the_document(app, client, token):
    """A valid token and file give 201, a Location and the API's document JSON, status submitted."""
    response = _post(client, token, title="Checkliste Barrierefreiheit", topics="verwaltung-e-government",
                     type="leitfaden-checkliste", license="cc-by-4.0", municipality="Fulda", population="70000",
                     year="2024")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Checkliste Barrierefreiheit"
    assert body["status"] == "submitted"
    assert body["topics"] == [{"value": "verwaltung-e-government", "label": "Verwaltung & E-Government"}]
    assert body["size_class"]["value"] == "mittelstadt"
    assert body["file"]["filename"] == "checkliste.txt"
    assert response.headers["Location"].endswith(f"/api/v1/documents/{body['id']}")
    with app.app_context():
        document = db.session.get(Document, body["id"])
        assert document.uploader.email == "api@example.org"


@pytest.mark.parametrize("header", [None, "Bearer tbx_falsch", "Basic abc", "Bearer "])
def test_missing_or_bad_token_is_401(app, client, header):
    """Without a valid token: 401 with a German JSON message; nothing stored."""
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/documents", data={"file": (io.BytesIO(b"Text\n"), "a.txt")}, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 401
    assert "API-Token" in response.get_json()["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert counts(app) == (0, 0)


def test_deactivated_account_token_is_401(app, client, token):
    """A deactivated contributor's token stops working at once."""
    from toolbox.services.users import user_by_email, user_deactivate

    admin = make_user(app, role="admin")
    with app.app_context():
        user_deactivate(user_by_email("api@example.org"), actor=user(admin))
    assert _post(client, token).status_code == 401


def test_missing_file_is_400(app, client, token):
    response = _post(client, token, data=None, title="Ohne Datei")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "file"


def test_unknown_slug_is_400_naming_the_valid_ones(app, client, token):
    """Bad metadata: 400 with the valid slugs; nothing stored."""
    response = _post(client, token, topics="smart-home")
    message = response.get_json()["error"]["message"]
    assert response.status_code == 400
    assert "smart-home" in message and "mobilitaet-verkehr" in message
    assert counts(app) == (0, 0) and blob_files(app) == []


def test_refusals_follow_the_clients_language(app, client, token):
    """A client that asks for English gets the refusal in English, values and slugs unchanged;
    without a preference it is German."""
    english = _post(client, token, topics="smart-home", year="2024",
                    headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    german = _post(client, token, topics="smart-home", year="2024").get_json()["error"]["message"]
    assert english.startswith("Unknown value “smart-home” for Topic. Valid are: ")
    assert german.startswith("Unbekannter Wert „smart-home“ für Themenfeld. Gültig sind: ")
    assert "mobilitaet-verkehr" in english and "mobilitaet-verkehr" in german
    late = _post(client, token, topics="mobilitaet-verkehr", year="1850", headers={"Accept-Language": "en"})
    assert late.get_json()["error"]["message"] == "The year 1850 is not between 1990 and 2100."
    assert counts(app) == (0, 0)


def test_bad_number_is_400(app, client, token):
    response = _post(client, token, year="zweitausend")
    assert response.status_code == 400
    assert "ganze Zahl" in response.get_json()["error"]["message"]


def test_wrong_type_is_415(app, client, token):
    """A file whose content is no accepted format: 415 with the German reason; nothing stored."""
    response = _post(client, token, data=b"MZ\x90\x00" + b"\x00" * 500, filename="bericht.pdf")
    assert response.status_code == 415
    assert "nicht" in response.get_json()["error"]["message"]
    assert counts(app) == (0, 0) and blob_files(app) == []


@pytest.fixture
def one_mb_limit(app_config):
    """Request before ``app``: the app is then built with TOOLBOX_MAX_UPLOAD_MB=1."""
    app_config["MAX_UPLOAD_MB"] = 1


@pytest.mark.parametrize("size_mb", [1.5, 3])
def test_too_large_is_413(one_mb_limit, app, client, token, size_mb):
    """Over the limit, whether caught by the upload check or by the request limit: 413 in JSON."""
    response = _post(client, token, data=b"a" * int(size_mb * 1024 * 1024), filename="gross.txt")
    assert response.status_code == 413
    assert "1 MB" in response.get_json()["error"]["message"]
    assert counts(app) == (0, 0) and blob_files(app) == []


def test_duplicate_links_to_the_existing_document(app, client, token):
    """The same bytes again: 200 with the existing document instead of a second copy."""
    first = _post(client, token).get_json()
    again = _post(client, token, filename="nochmal.txt")
    assert again.status_code == 200
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["document"]["id"] == first["id"]
    assert counts(app) == (1, 1)


def test_duplicate_of_anothers_unpublished_document_names_nothing(app, client, token):
    """The same bytes as another contributor's unpublished document: 200 with "bereits
    vorhanden" and neither that document's number nor its title."""
    from contribute_helpers import contribute

    other = make_user(app, "andere@nachbarort.example", role="contributor")
    hidden = contribute(app, other, title="Geheime Machbarkeitsstudie", data=b"Vertrauliche Studie\n")
    again = _post(client, token, data=b"Vertrauliche Studie\n", filename="kopie.txt")
    assert again.status_code == 200
    assert again.get_json() == {"duplicate": True, "message": "Diese Datei ist bereits vorhanden."}
    english = _post(client, token, data=b"Vertrauliche Studie\n", filename="kopie.txt",
                    headers={"Accept-Language": "en"})
    assert english.get_json()["message"] == "This file already exists."
    assert "Geheime" not in english.get_data(as_text=True) and str(hidden) not in english.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_strip_metadata_over_the_api(app, client, token, tmp_path):
    """strip_metadata=1 stores the cleaned DOCX."""
    import docx

    from privacy_fixtures import AUTHOR, docx_with_personal_data
    from toolbox.storage import blob_store

    data = docx_with_personal_data(tmp_path / "a.docx").read_bytes()
    response = _post(client, token, data=data, filename="a.docx", strip_metadata="1")
    assert response.status_code == 201
    with app.app_context():
        version = db.session.scalars(select(Document)).one().current_version
        assert version.metadata_stripped
        assert docx.Document(str(blob_store().path_for(version.sha256))).core_properties.author == ""
        assert AUTHOR not in (version.properties.get("author") or "")


@pytest.fixture
def csrf_on(app_config):
    """Request before ``app``: CSRF protection as in production."""
    app_config["WTF_CSRF_ENABLED"] = True


def test_token_upload_needs_no_csrf_token(csrf_on, app, client, token):
    """The endpoint is CSRF-exempt: with CSRF protection on, a token upload succeeds, and a call
    without a token gets the JSON 401 that tells the client what to send, not a CSRF refusal."""
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert _post(client, token).status_code == 201
    response = _post(client, None)
    assert response.status_code == 401
    assert "API-Token" in response.get_json()["error"]["message"]
