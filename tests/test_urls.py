"""Absolute addresses come from TOOLBOX_BASE_URL, never from the Host header; other hosts get 400.

The deployment these tests model: the public address is https://toolbox.example.org, and the
reverse proxy forwards requests with its upstream name ``toolbox-intern`` as Host (listed in
TOOLBOX_TRUSTED_HOSTS). A link built from the Host header would point to ``toolbox-intern``.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from toolbox import create_app
from toolbox.cli import cli
from toolbox.config import ConfigError
from toolbox.extensions import db
from toolbox.models import Invitation

from conftest import make_document, make_user, running_app

PUBLIC = "https://toolbox.example.org"
UPSTREAM = "http://toolbox-intern"


@pytest.fixture
def deployed(app_config, tmp_path, monkeypatch):
    """The app as deployed behind the proxy, outside testing mode's defaults for addresses."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "BASE_URL": PUBLIC + "/", "TRUSTED_HOSTS": "toolbox-intern"}) as application:
        yield application


def _get(client, path: str, **kwargs):
    return client.get(path, base_url=UPSTREAM, **kwargs)


def _login(client, email: str):
    from conftest import DEFAULT_PASSWORD

    response = client.post("/login", base_url=UPSTREAM, data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_api_document_addresses_use_the_base_url(deployed):
    """``url`` and ``download_url`` in the document JSON and in search hits name the public address."""
    document = make_document(deployed, title="Datenstrategie Musterstadt", text="Offene Daten für alle.")
    client = deployed.test_client()
    body = _get(client, f"/api/v1/documents/{document.id}").get_json()
    assert body["url"] == f"{PUBLIC}/documents/{document.id}"
    assert body["download_url"] == f"{PUBLIC}/documents/{document.id}/download"
    (hit,) = _get(client, "/api/v1/search?q=Datenstrategie").get_json()["hits"]
    assert (hit["url"], hit["download_url"]) == (body["url"], body["download_url"])


def test_api_upload_location_uses_the_base_url(deployed):
    """The 201 of an API upload points to the new document under the public address."""
    from toolbox.services.users import api_token_create, user_get

    user_id = make_user(deployed, "skript@example.org")
    with deployed.app_context():
        token = api_token_create(user_get(user_id))
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"Checkliste Barrierefreiheit\n"),
                                                           filename="checkliste.txt"), "title": "Checkliste"})
    response = deployed.test_client().post(
        "/api/v1/documents", base_url=UPSTREAM, data=body, headers={"Authorization": f"Bearer {token}"},
        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.get_data(as_text=True)
    document_id = response.get_json()["id"]
    assert response.headers["Location"] == f"{PUBLIC}/api/v1/documents/{document_id}"
    assert response.get_json()["url"] == f"{PUBLIC}/documents/{document_id}"


def test_zip_manifest_and_licences_use_the_base_url(deployed):
    """The addresses in manifest.csv and LIZENZEN.txt of the ZIP name the public address."""
    document = make_document(deployed, title="Mobilitätskonzept", text="Busse und Räder.", license="cc-by-4.0")
    response = _get(deployed.test_client(), "/search/download.zip")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = archive.read("manifest.csv").decode("utf-8-sig")
    licences = archive.read("LIZENZEN.txt").decode("utf-8")
    assert f"{PUBLIC}/documents/{document.id}" in manifest
    assert f"{PUBLIC}/documents/{document.id}" in licences
    addresses = re.findall(r"https?://[^\s;\"]+", manifest + licences)
    assert not [a for a in addresses if "toolbox-intern" in a]
    (row,) = csv.DictReader(io.StringIO(manifest), delimiter=";")
    assert f"{PUBLIC}/documents/{document.id}/download" in row.values()


def test_invitation_link_uses_the_base_url(deployed):
    """The link the admin is shown to pass on names the public address, not the proxy's Host."""
    make_user(deployed, "chefin@example.org", role="admin")
    client = deployed.test_client()
    _login(client, "chefin@example.org")
    response = client.post("/admin/users", base_url=UPSTREAM, data={"email": "neu@example.org", "role": "editor"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert re.search(re.escape(PUBLIC) + r"/invite/[\w-]+", text)
    assert "toolbox-intern/invite" not in text


@pytest.mark.parametrize("method, path", [
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/admin/users"),
    ("GET", "/api/v1/search?q=Daten"),
])
def test_foreign_host_gets_400_not_500(deployed, method, path):
    """A Host that is neither the public address nor a trusted extra is refused with a plain 400."""
    form = {"email": "x@example.org", "password": "egal"} if method == "POST" else None
    response = deployed.test_client().open(path, method=method, base_url="http://angreifer.example", data=form)
    assert response.status_code == 400
    assert "Diese Adresse gehört nicht zu dieser Toolbox." in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 400


def test_foreign_host_cannot_obtain_an_invitation(deployed):
    """An admin's session sent with a foreign Host creates no invitation (and so no link to it)."""
    make_user(deployed, "chefin@example.org", role="admin")
    client = deployed.test_client()
    _login(client, "chefin@example.org")
    response = client.post("/admin/users", base_url="http://angreifer.example",
                           data={"email": "opfer@example.org", "role": "admin"})
    assert response.status_code == 400
    assert "angreifer.example/invite" not in response.get_data(as_text=True)
    with deployed.app_context():
        assert db.session.query(Invitation).count() == 0


def test_public_address_itself_is_answered(deployed):
    """The public host name is trusted without being listed again."""
    assert deployed.test_client().get("/", base_url=PUBLIC).status_code == 200


def test_testing_default_is_the_local_address_and_its_names(app, client):
    """Without TOOLBOX_BASE_URL, debug and testing use http://127.0.0.1:5000 (what `make run`
    serves) and answer under every loopback name, but not under another host."""
    assert app.config["TOOLBOX_BASE_URL"] == "http://127.0.0.1:5000"
    for base in ("http://localhost", "http://127.0.0.1:5000", "http://localhost:8080"):
        assert client.get("/", base_url=base).status_code == 200
    assert client.get("/", base_url="http://toolbox.example.org").status_code == 400


def test_base_url_is_required_outside_debug_and_testing(app_config, tmp_path, monkeypatch):
    """Without TOOLBOX_BASE_URL a production start stops with a message naming the setting."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("TOOLBOX_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="TOOLBOX_BASE_URL"):
        create_app({**app_config, "TESTING": False})
    started = create_app({**app_config, "TESTING": False, "BASE_URL": "https://toolbox.example.org"})
    assert started.config["TRUSTED_HOSTS"] == ["toolbox.example.org"]


@pytest.mark.parametrize("value", ["toolbox.example.org", "ftp://toolbox.example.org", "https://",
                                   "https://toolbox.example.org/?x=1", "https://user@toolbox.example.org"])
def test_malformed_base_url_is_a_clear_error(app_config, tmp_path, monkeypatch, value):
    """A base URL without scheme or host, or with a query or user name, names the setting."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with pytest.raises(ConfigError, match="TOOLBOX_BASE_URL"):
        create_app({**app_config, "BASE_URL": value})


def test_base_url_with_a_path_prefixes_every_link(app_config, tmp_path, monkeypatch):
    """A toolbox served under a path (https://land.example/toolbox) gets links under that path."""
    from toolbox.urls import absolute_url, invitation_url

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "BASE_URL": "https://land.example/toolbox/"})
    with application.app_context():
        assert absolute_url("public.document_detail", document_id=7) == "https://land.example/toolbox/documents/7"
        assert invitation_url("abc") == "https://land.example/toolbox/invite/abc"


def test_create_user_prints_the_base_url_without_a_request(deployed):
    """``toolbox create-user`` prints the link under TOOLBOX_BASE_URL; no request is involved."""
    result = deployed.test_cli_runner().invoke(cli, ["create-user", "erste@example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert re.search(re.escape(PUBLIC) + r"/invite/[\w-]+", result.output)
