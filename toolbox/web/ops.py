"""For operators and their machines: ``/healthz``, ``/readyz``, ``/metrics``, request ids and timing.

The three endpoints are answered by a small WSGI layer in front of Flask, not by a blueprint:
a probe must not be refused for the Host header (a load balancer asks by address), must not
count against a rate limit, must neither read nor set a session cookie, and ``/healthz`` must
not touch the database, which the app's request hooks (session expiry, merged slugs) may do.
The layer sits inside ``ProxyFix``, so ``/metrics`` judges the client's address, not the
proxy's.

The same layer gives every other request its id (``request_log``) and the response its
``X-Request-ID`` header; Flask's hooks time each request per endpoint for the metrics.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import time
from typing import Callable, Iterable, Iterator

from flask import Flask, Response, current_app, request
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from .. import metrics, request_log
from ..config import ConfigError
from ..services import health

access_log = logging.getLogger("toolbox.access")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
_STARTED = "toolbox.started"
_REQUEST_ID = "toolbox.request_id"
#: Methods with a label of their own; any other word a client sends is "other".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Put the operations layer in front of the app and the timing hooks into it."""
    if request_log.json_logs_wanted(app.config.get("TOOLBOX_LOG_FORMAT")):
        request_log.use_json_logs()
        app.config["TOOLBOX_JSON_LOGS"] = True
    networks = metrics_networks(app.config.get("TOOLBOX_METRICS_NETWORKS"))
    app.wsgi_app = OperationsLayer(app, app.wsgi_app, networks)  # type: ignore[method-assign]
    app.after_request(_record_request)


def metrics_networks(value: object) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of ``TOOLBOX_METRICS_NETWORKS`` (comma-separated CIDR); a typo stops the start."""
    if isinstance(value, (list, tuple)):
        parts = [str(part) for part in value]
    else:
        parts = str(value or "").split(",")
    networks = []
    for part in (part.strip() for part in parts):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigError(f"TOOLBOX_METRICS_NETWORKS: {part!r} is not a network like 10.0.0.0/8 "
                              "or 127.0.0.1.") from exc
    return tuple(networks)


class OperationsLayer:
    """WSGI middleware: answers the three operations paths, and gives each request its id."""

    def __init__(self, app: Flask, wsgi_app: Callable, networks: tuple) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.networks = networks
        self.routes: dict[str, Callable[[WsgiRequest], WsgiResponse]] = {
            HEALTH_PATH: self.healthz, READY_PATH: self.readyz, METRICS_PATH: self.metrics}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        route = self.routes.get(environ.get("PATH_INFO", ""))
        if route is not None:
            request_ = WsgiRequest(environ)
            if request_.method not in ("GET", "HEAD"):
                response = _json({"error": "method not allowed"}, 405)
                response.headers["Allow"] = "GET, HEAD"
            else:
                response = route(request_)
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response(environ, start_response)
        request_id = request_log.accepted_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[_REQUEST_ID] = request_id
        environ[_STARTED] = time.perf_counter()
        token = request_log.bind_request_id(request_id)

        def start_with_id(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            headers.append((request_log.HEADER, request_id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start_with_id)
        finally:
            request_log.unbind_request_id(token)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            return body  # a download: the server may send it with sendfile(), and it logs nothing
        return _BoundBody(body, request_id)

    def healthz(self, request_: WsgiRequest) -> WsgiResponse:
        """The process answers: nothing else is asked."""
        return _json({"status": "ok"}, 200)

    def readyz(self, request_: WsgiRequest) -> WsgiResponse:
        """Database, search index, storage and queue reachable: 200, else 503 naming what failed."""
        with self.app.app_context():
            results = health.readiness()
        failed = [result.name for result in results if not result.ok]
        body = {"status": "unavailable" if failed else "ready", "failed": failed,
                "checks": {result.name: "ok" if result.ok else f"failed: {result.problem}" for result in results}}
        return _json(body, 503 if failed else 200)

    def metrics(self, request_: WsgiRequest) -> WsgiResponse:
        """The Prometheus text format, for a client of a configured network or with the token."""
        if not self._may_read_metrics(request_):
            return _json({"error": "forbidden: /metrics answers TOOLBOX_METRICS_NETWORKS or "
                                   "Authorization: Bearer <TOOLBOX_METRICS_TOKEN>"}, 403)
        with self.app.app_context():
            collectors = _queue_collectors()
        return WsgiResponse(metrics.exposition(collectors), status=200, content_type=metrics.CONTENT_TYPE_LATEST)

    def _may_read_metrics(self, request_: WsgiRequest) -> bool:
        token = self.app.config.get("TOOLBOX_METRICS_TOKEN")
        offered = request_.headers.get("Authorization", "")
        if token and offered[:7].lower() == "bearer " and hmac.compare_digest(offered[7:].strip().encode(),
                                                                               str(token).encode()):
            return True
        try:
            address = ipaddress.ip_address((request_.remote_addr or "").split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class _BoundBody:
    """A response body that binds the request id again while the server reads it.

    A streamed body (a ZIP export) does its work, and logs, while the server iterates it, after
    the app returned; the id must not stay bound to the thread in between, or the next lines of
    that thread would carry it.
    """

    def __init__(self, body: Iterable[bytes], request_id: str) -> None:
        self.body = body
        self.request_id = request_id

    def __iter__(self) -> Iterator[bytes]:
        iterator = iter(self.body)
        while True:
            token = request_log.bind_request_id(self.request_id)
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                request_log.unbind_request_id(token)
            yield chunk

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            token = request_log.bind_request_id(self.request_id)
            try:
                close()
            finally:
                request_log.unbind_request_id(token)


def _json(body: dict, status: int) -> WsgiResponse:
    return WsgiResponse(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _queue_collectors() -> list:
    """Queue depth for this scrape: jobs per kind and state, and the queue's own messages."""
    collectors = []
    try:
        counts = health.job_counts()
    except Exception as exc:  # the process's own metrics are still worth answering
        logging.getLogger(__name__).warning("Could not count the jobs for /metrics: %r", exc)
    else:
        collectors.append(metrics.gauge_snapshot(
            "toolbox_jobs", "Background jobs per kind and state (state=queued is the queue depth).",
            ["kind", "state"], {key: float(count) for key, count in counts.items()}))
    waiting = health.queue_messages()
    if waiting is not None:
        collectors.append(metrics.gauge_snapshot(
            "toolbox_queue_messages", "Messages waiting in the job queue (Redis or SQLite).", [],
            {(): float(waiting)}))
    return collectors


def _record_request(response: Response) -> Response:
    """Time the request for its endpoint; with JSON logs, also write one access line."""
    started = request.environ.get(_STARTED)
    if started is None:  # a request built without the WSGI layer (test_request_context)
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in _METHODS else "other"
    metrics.REQUEST_SECONDS.labels(endpoint=endpoint, method=method,
                                   status=str(response.status_code)).observe(seconds)
    if current_app.config.get("TOOLBOX_JSON_LOGS"):
        access_log.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path, "status": response.status_code,
                               "duration_ms": round(seconds * 1000, 1)})
    return response
