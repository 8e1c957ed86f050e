"""Over-size bodies and over-long forms: 413 with a German message, before the body is read.

Issue #5, part 2. The limit is checked against the declared ``Content-Length`` (and, for a
chunked body, while reading), so a client that announces gigabytes is answered at once and the
server never holds more than the limit.
"""
from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_support import LiveServer, make_user, raw_request  # noqa: E402

GIB = 1024 ** 3


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that is never held in memory and counts what is read.

    Seekable only so that the test client can measure its length, as it does for files.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


@pytest.fixture
def small_limit(app):
    """A 1 MB upload limit, so that "far above the limit" stays cheap."""
    app.config["TOOLBOX_MAX_UPLOAD_MB"] = 1
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    return app


@pytest.fixture
def api_token(app):
    from toolbox.extensions import db
    from toolbox.models import User
    from toolbox.services.users import api_token_create

    user_id = make_user(app, role="contributor")
    with app.app_context():
        return api_token_create(db.session.get(User, user_id))


def _documents(app) -> int:
    from sqlalchemy import func, select

    from toolbox.extensions import db
    from toolbox.models import Document

    with app.app_context():
        return db.session.scalar(select(func.count(Document.id)))


# --- declared size above the limit ------------------------------------------------------------


def test_upload_page_answers_413_without_reading_a_declared_10_gib_body(small_limit, client, auth):
    """A contributor's upload that announces 10 GiB gets the German form with 413; not one byte
    of the body is read and nothing is stored."""
    make_user(small_limit, "gross@example.org")
    auth.login("gross@example.org")
    body = CountingStream(10 * GIB)
    response = client.post("/upload", input_stream=body, headers={
        "Content-Type": "multipart/form-data; boundary=grenze", "Content-Length": str(10 * GIB)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Die Datei ist zu groß. Erlaubt sind höchstens 1 MB." in page
    assert 'type="file"' in page  # the form again, not a dead end
    assert body.read_bytes == 0
    assert _documents(small_limit) == 0


def test_api_upload_answers_413_json_without_reading_the_body(small_limit, client, api_token):
    """The JSON API answers an announced 10 GiB upload with 413 and a German JSON message."""
    body = CountingStream(10 * GIB)
    response = client.post("/api/v1/documents", input_stream=body, headers={
        "Authorization": f"Bearer {api_token}", "Content-Type": "multipart/form-data; boundary=grenze",
        "Content-Length": str(10 * GIB)})
    assert response.status_code == 413
    assert response.get_json() == {"error": {"status": 413, "message":
                                             "Die Datei ist zu groß. Erlaubt sind höchstens 1 MB."}}
    assert body.read_bytes == 0
    assert _documents(small_limit) == 0


def test_any_other_body_beyond_the_form_limit_is_413_unread(client):
    """A body that is not a multipart upload gets the form limit (MAX_FORM_MEMORY_SIZE), not the
    upload limit: a 1 MB url-encoded login (or JSON, or text) is refused with 413 and a German
    message, unread."""
    for content_type in ("application/x-www-form-urlencoded", "application/json", "text/plain"):
        body = CountingStream(1024 * 1024)
        response = client.post("/login", input_stream=body, headers={
            "Content-Type": content_type, "Content-Length": str(1024 * 1024)})
        assert response.status_code == 413, content_type
        assert "Das Formular ist zu umfangreich" in response.get_data(as_text=True)
        assert body.read_bytes == 0


# --- a real server ----------------------------------------------------------------------------


@pytest.fixture
def live(small_limit):
    server = LiveServer(small_limit)
    yield server
    server.stop()


def _endless(chunk_size: int = 64 * 1024):
    chunk = b"x" * chunk_size
    while True:
        yield chunk


def test_live_server_answers_a_declared_huge_body_at_once(live, api_token):
    """Over a real socket, a request announcing 50 GiB gets its 413 within seconds, while the
    client has sent only a sliver of it."""
    head = ("POST /api/v1/documents HTTP/1.1\r\nHost: localhost\r\n"
            f"Authorization: Bearer {api_token}\r\n"
            "Content-Type: multipart/form-data; boundary=grenze\r\n"
            f"Content-Length: {50 * GIB}\r\n\r\n")
    response = raw_request(live.url, head, _endless())
    assert response.status == 413
    assert "Die Datei ist zu groß" in response.text
    assert response.seconds < 5
    assert response.sent < 64 * 1024 * 1024


def test_live_server_stops_reading_a_chunked_body_at_the_limit(live):
    """A chunked body without a declared length is read only up to the limit, then answered
    with 413 (German page); the endless generator is never drained."""
    head = ("POST /login HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: multipart/form-data; boundary=grenze\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    prefix = b"--grenze\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n"

    def chunks():
        first = prefix
        for piece in _endless():
            data = first + piece
            first = b""
            yield f"{len(data):x}\r\n".encode() + data + b"\r\n"

    started = time.monotonic()
    response = raw_request(live.url, head, chunks(), timeout=20)
    assert response.status == 413, response.text[:500]
    assert "zu groß" in response.text
    assert time.monotonic() - started < 15
    # The limit is 2 MB; socket buffers let the client get somewhat further, never far.
    assert response.sent < 64 * 1024 * 1024


# --- too many parts, too much form text -------------------------------------------------------


def test_too_many_form_parts_get_413_with_a_form_message(client):
    """A multipart form with more parts than MAX_FORM_PARTS, or with one text field above
    MAX_FORM_MEMORY_SIZE, is refused with 413 and a message about the form (not about a file)."""
    fields = {f"feld{i}": "x" for i in range(1200)}
    response = client.post("/login", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Das Formular ist zu umfangreich" in page
    assert "Die Datei ist zu groß" not in page
    # One text field beyond MAX_FORM_MEMORY_SIZE (500 000 bytes) is refused the same way.
    body = (b'--grenze\r\nContent-Disposition: form-data; name="password"\r\n\r\n' + b"p" * 600_000
            + b"\r\n--grenze--\r\n")
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=grenze")
    assert response.status_code == 413
    assert "Das Formular ist zu umfangreich" in response.get_data(as_text=True)


def test_too_many_parts_on_the_api_is_413_json(client, api_token):
    """The API says the same in JSON."""
    fields = {f"feld{i}": "x" for i in range(1200)}
    response = client.post("/api/v1/documents", data=fields, content_type="multipart/form-data",
                           headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 413
    assert "Das Formular ist zu umfangreich" in response.get_json()["error"]["message"]


def test_over_long_urlencoded_form_is_413(client):
    """An url-encoded form above MAX_FORM_MEMORY_SIZE (a megabyte password) is refused with 413."""
    response = client.post("/login", data={"email": "a@example.org", "password": "p" * 1_000_000})
    assert response.status_code == 413
    assert "Das Formular ist zu umfangreich" in response.get_data(as_text=True)


def test_many_files_within_the_limits_are_still_taken(app, client, auth):
    """The part limit leaves room for a real multi-file upload (30 files in one form)."""
    make_user(app, "viele@example.org")
    auth.login("viele@example.org")
    files = [(io.BytesIO(f"Inhalt der Datei Nummer {i} über Glasfaser\n".encode()), f"datei-{i}.txt")
             for i in range(30)]
    response = client.post("/upload", data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "/upload/" in response.headers["Location"]
