"""Prometheus metrics of the toolbox, on ``prometheus_client`` directly.

The metric objects live once per process, here, and the code that sees an event records it
(``extract`` its outcome, ``services.ocr`` its outcome, ``services.search_view`` the time of a
search, the request hooks of ``web.ops`` the time of each request). Many apps can be built in one
process (tests, the CLI) without registering anything twice, which an exporter that creates its
metrics per app cannot offer.

Under gunicorn every worker is a process of its own; with ``PROMETHEUS_MULTIPROC_DIR`` set (an
empty directory, cleared at each start) prometheus_client writes the values to files there and
``/metrics`` adds up all workers' files, whichever worker answers. Without it, ``/metrics``
shows the answering process only, which is right for ``toolbox run`` and the tests.

This module imports no other part of the toolbox, so every layer may record into it.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    start_http_server,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "EXTRACTIONS", "OCR_RUNS", "REQUEST_SECONDS", "SEARCH_SECONDS",
           "exposition", "gauge_snapshot", "multiprocess_dir", "record_extraction", "record_ocr", "serve_worker_metrics", "timed_search"]

#: Seconds from 5 ms (a cached search) to 60 s (a ZIP of many files); Prometheus adds +Inf.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# The endpoint (Flask's name for the view, "unmatched" for a 404) bounds the label values to
# the routes the app has; a URL path would make one series per document.
REQUEST_SECONDS = Histogram("toolbox_request_duration_seconds", "Time to answer a request, per endpoint.",
                            ["endpoint", "method", "status"], buckets=_BUCKETS)
SEARCH_SECONDS = Histogram("toolbox_search_duration_seconds",
                           "Time of the search engine's part of a search (matching, ranking, facets), per caller "
                           "(page, api).", ["caller"], buckets=_BUCKETS)
EXTRACTIONS = Counter("toolbox_extractions_total", "Text extractions of files, by outcome (ok, empty, "
                      "encrypted, failed, timeout) and detected format.", ["status", "format"])
OCR_RUNS = Counter("toolbox_ocr_total", "Text recognition runs of scans and images, by outcome.", ["outcome"])


def multiprocess_dir() -> str | None:
    """The directory of prometheus_client's multi-process mode, if this process runs in it."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


def record_extraction(status: str, file_format: str | None) -> None:
    EXTRACTIONS.labels(status=status, format=file_format or "unknown").inc()


def record_ocr(outcome: str) -> None:
    OCR_RUNS.labels(outcome=outcome).inc()


@contextmanager
def timed_search(caller: str) -> Iterator[None]:
    """Time the block as one search of ``caller``; a search that raises is timed too."""
    started = time.perf_counter()
    try:
        yield
    finally:
        SEARCH_SECONDS.labels(caller=caller).observe(time.perf_counter() - started)


class _GaugeSnapshot(Collector):
    def __init__(self, name: str, documentation: str, labels: list[str], values: dict[tuple[str, ...], float]):
        self._family = (name, documentation, labels)
        self._values = values

    def collect(self):
        name, documentation, labels = self._family
        family = GaugeMetricFamily(name, documentation, labels=labels)
        for key, value in sorted(self._values.items()):
            family.add_metric(list(key), value)
        yield family


def gauge_snapshot(name: str, documentation: str, labels: list[str],
                   values: dict[tuple[str, ...], float]) -> Collector:
    """A gauge whose values were read just now (from the database, the queue) for one scrape.

    Read at scrape time rather than kept in a process, such a value is the same whichever
    worker or server answers, and needs nothing of the multi-process mode.
    """
    return _GaugeSnapshot(name, documentation, labels, values)


def exposition(collectors: Iterable[Collector] = ()) -> bytes:
    """The text format of every metric of this process (or of all workers in multi-process
    mode), followed by ``collectors`` that compute their values when asked (queue depth)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=True)
    for collector in collectors:
        extra.register(collector)
    return body + generate_latest(extra)


def mark_process_dead(pid: int) -> None:
    """gunicorn's ``child_exit``: drop the live-gauge files of a worker that ended."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def parse_listen_address(value: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or a bare port (on 127.0.0.1) as (host, port); ValueError else."""
    value = value.strip()
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "0.0.0.0"
    if not port.isdigit() or not 0 <= int(port) < 65536:  # 0: any free port
        raise ValueError(f"{value!r} is not host:port")
    return host, int(port)


def serve_worker_metrics(address: str):
    """Serve this process's metrics over HTTP on ``address`` (the worker, which has no web app).

    The server answers anyone who reaches the address, so bind it to loopback or to a network
    only Prometheus shares (compose's internal network); ``/metrics`` of the web app has the
    access rules. Returns the HTTP server (``server_address``, ``shutdown()``).
    """
    host, port = parse_listen_address(address)
    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
