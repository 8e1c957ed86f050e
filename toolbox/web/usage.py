"""Which requests count as a view or a download, and the counts contributors see.

Decided from the request alone and forgotten with it: the address, cookies and the
User-Agent are looked at, never stored.
"""
from __future__ import annotations

from flask import request

from ..services.usage import is_known_bot


def request_counts() -> bool:
    """True for a GET from a person's browser: not a known bot, not a prefetch, not the rest of
    a download already counted (a Range request that does not start at the first byte)."""
    if request.method != "GET":
        return False
    purpose = (request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or "").lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return False
    byte_range = (request.headers.get("Range") or "").replace(" ", "").lower()
    if byte_range and not byte_range.startswith("bytes=0-"):
        return False
    return not is_known_bot(request.headers.get("User-Agent"))
