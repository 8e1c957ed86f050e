"""Helpers for the web-abuse tests: the shared test helpers, a hostile HTML check, raw HTTP.

``tests/conftest.py`` is loaded here under its own module name: a ``conftest.py`` in this
folder would shadow the plain name ``conftest``, and pytest keeps only the last one imported
under it. The fixtures themselves (app, client, make_doc, ...) still come from pytest.
"""
from __future__ import annotations

import importlib.util
import re
import socket
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

_SHARED_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


def _shared_helpers():
    name = "toolbox_tests_shared_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _SHARED_CONFTEST)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_shared = _shared_helpers()
DEFAULT_PASSWORD: str = _shared.DEFAULT_PASSWORD
LiveServer = _shared.LiveServer
make_user = _shared.make_user


# --- hostile markup -----------------------------------------------------------------------------

#: Markup that would run script if any page put it out unescaped. ``xss`` names no real function:
#: the check looks for the elements and attributes, never for an alert.
SCRIPT = "<script>xss(1)</script>"
IMG = '"><img src=x onerror=xss(2)>'
SVG = "'><svg onload=xss(3)>"
PAYLOAD = f"{SCRIPT}{IMG}{SVG}"


class _ActiveMarkup(HTMLParser):
    """Collects every element and attribute in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        # A JSON-LD block is data a browser never runs (schema.org on document pages); a title
        # that closed it early would show up here as a second, real script.
        if tag == "script" and not dict(attrs).get("src") and dict(attrs).get("type") != "application/ld+json":
            self.found.append("<script> without src")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    ("javascript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value}>")


def active_markup(html: str) -> list[str]:
    """Everything in ``html`` that a browser would run; empty for a safe page."""
    parser = _ActiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_inert(html: str, where: str = "") -> None:
    """The page shows no hostile markup as markup (escaped text is fine)."""
    found = active_markup(html)
    assert not found, f"{where}: active markup {found}"
    assert "<script>xss" not in html, where


# --- raw HTTP -----------------------------------------------------------------------------------


class RawResponse:
    def __init__(self, head: bytes, body: bytes, seconds: float, sent: int) -> None:
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
        self.body = body
        self.seconds = seconds
        #: Body bytes the client managed to send before the server answered or hung up.
        self.sent = sent

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def raw_request(base_url: str, head: str, body_chunks, *, timeout: float = 10.0) -> RawResponse:
    """Send ``head`` and then ``body_chunks`` until the server answers; return what it said.

    Sending stops as soon as the server has answered or closed the connection, so a
    generator of gigabytes is only consumed as far as the server reads it.
    """
    host, port = base_url.removeprefix("http://").split(":")
    started = time.monotonic()
    sent = 0
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        sock.setblocking(False)
        received = b""
        for chunk in body_chunks:
            if time.monotonic() - started > timeout:
                break
            try:
                received += sock.recv(65536)
            except BlockingIOError:
                pass
            except OSError:
                break
            if received:
                break
            try:
                sock.settimeout(0.5)
                sock.sendall(chunk)
                sock.setblocking(False)
                sent += len(chunk)
            except (BlockingIOError, socket.timeout):
                # The server stopped reading: its answer is on the way.
                break
            except OSError:
                break
        sock.settimeout(timeout)
        try:
            while b"\r\n\r\n" not in received or not _complete(received):
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        except OSError:
            pass
    seconds = time.monotonic() - started
    head_bytes, _, body = received.partition(b"\r\n\r\n")
    return RawResponse(head_bytes, body, seconds, sent)


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(match) and len(body) >= int(match.group(1))
