"""Absolute addresses from ``TOOLBOX_BASE_URL``, never from the request's Host header.

A link that leaves the site (an invitation shown to the admin or printed by the CLI, ``url`` in
the API, the addresses in a ZIP's manifest) must point to the operator's address: taken from
the Host header, a client (or a proxy that forwards it) could have an invitation token sent to
a domain of its choosing. The same setting decides which Host headers the app answers at all
(Flask's ``TRUSTED_HOSTS``). This module needs only the app, not a request or a web blueprint,
so the CLI and the services build links the same way the pages do.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app

from .config import ConfigError

#: The address ``make run`` serves; the default in debug and testing only.
LOCAL_BASE_URL = "http://127.0.0.1:5000"
#: Names of this machine: a local base URL answers to all of them (a browser opening
#: ``localhost`` for ``127.0.0.1``, the test client's ``localhost``).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def parse_base_url(value: str) -> str:
    """``value`` without a trailing slash; a ConfigError names what is wrong with it."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"TOOLBOX_BASE_URL={value!r} is not an address like https://toolbox.example.org "
                          "(http or https, with a host name).")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"TOOLBOX_BASE_URL={value!r} must not contain a query, fragment or user name.")
    return value


def init_app(app: Flask) -> None:
    """Settle the base URL and the trusted hosts once, at start-up."""
    configured = app.config.get("TOOLBOX_BASE_URL")
    if configured:
        base = parse_base_url(str(configured))
    elif app.debug or app.testing:
        base = LOCAL_BASE_URL
    else:
        raise ConfigError(
            "TOOLBOX_BASE_URL is not set. Set it to the public address of the toolbox, e.g. "
            "TOOLBOX_BASE_URL=https://toolbox.example.org: invitation links, the API and the ZIP "
            "manifest use it, and requests for other host names are refused. "
            "TOOLBOX_DEBUG=1 uses http://127.0.0.1:5000 for local development only."
        )
    app.config["TOOLBOX_BASE_URL"] = base
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(base, app.config.get("TOOLBOX_TRUSTED_HOSTS"))


def trusted_hosts(base: str, extra: str | list[str] | None = None) -> list[str]:
    """The host names requests may name: the base URL's, and ``extra`` (comma-separated)."""
    host = urlsplit(base).hostname or ""
    hosts = list(LOOPBACK_HOSTS) if host in LOOPBACK_HOSTS else [host]
    if isinstance(extra, str):
        extra = extra.split(",")
    hosts += [name.strip() for name in extra or () if name.strip() and name.strip() not in hosts]
    return hosts


def absolute_url(endpoint: str, *, base: str | None = None, **values) -> str:
    """The address of ``endpoint`` under ``base`` (default: ``TOOLBOX_BASE_URL``)."""
    parts = urlsplit(parse_base_url(base or current_app.config["TOOLBOX_BASE_URL"]))
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def invitation_url(token: str, *, base: str | None = None) -> str:
    """The one-time link to set a password, to pass on to the invited person."""
    return absolute_url("auth.invitation_accept", base=base, token=token)
