"""Settings from ``TOOLBOX_*`` environment variables, with safe defaults for local use."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Variables read from the environment; the key is the Flask config name.
_ENV_SETTINGS: dict[str, tuple[str, type]] = {
    "SECRET_KEY": ("TOOLBOX_SECRET_KEY", str),
    "DATABASE_URL": ("TOOLBOX_DATABASE_URL", str),
    "DOCUMENTS_DIR": ("TOOLBOX_DOCUMENTS_DIR", str),
    "INDEX_DIR": ("TOOLBOX_INDEX_DIR", str),
    "MAX_UPLOAD_MB": ("TOOLBOX_MAX_UPLOAD_MB", int),
    "EXTRACT_TIMEOUT": ("TOOLBOX_EXTRACT_TIMEOUT", float),
    "EXTRACT_MEMORY_MB": ("TOOLBOX_EXTRACT_MEMORY_MB", int),
    "ZIP_MAX_DOCUMENTS": ("TOOLBOX_ZIP_MAX_DOCUMENTS", int),
    "ZIP_MAX_MB": ("TOOLBOX_ZIP_MAX_MB", int),
    "RATELIMIT_STORAGE_URI": ("TOOLBOX_RATELIMIT_STORAGE_URI", str),
    # prefix of the rate-limit counters' keys: keeps several installations on one Redis apart
    "RATELIMIT_KEY_PREFIX": ("TOOLBOX_RATELIMIT_KEY_PREFIX", str),
    "INDEX_WORKERS": ("TOOLBOX_INDEX_WORKERS", int),
    "INDEX_PARALLEL_MIN": ("TOOLBOX_INDEX_PARALLEL_MIN", int),
    # MB of postings each writer of a full rebuild sorts in memory before spilling to disk
    "INDEX_MEMORY_MB": ("TOOLBOX_INDEX_MEMORY_MB", int),
    # postings decoded before serving (wsgi start); 0 leaves it to the first queries
    "SEARCH_WARM_POSTINGS": ("TOOLBOX_SEARCH_WARM_POSTINGS", int),
    # seconds a visitor's search may lag behind another process's index commit
    "SEARCH_REFRESH_SECONDS": ("TOOLBOX_SEARCH_REFRESH_SECONDS", float),
    # the search engine: whoosh (embedded, an index directory per server)
    "SEARCH_BACKEND": ("TOOLBOX_SEARCH_BACKEND", str),
    "DEBUG": ("TOOLBOX_DEBUG", bool),
    # public address for every absolute link (invitations, API, ZIP manifest); its host and
    # TRUSTED_HOSTS (comma-separated) are the only Host headers answered
    "BASE_URL": ("TOOLBOX_BASE_URL", str),
    "TRUSTED_HOSTS": ("TOOLBOX_TRUSTED_HOSTS", str),
    # reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed; 0 = none
    "PROXY_HOPS": ("TOOLBOX_PROXY_HOPS", int),
    # sessions end after this many idle minutes (editors and admins / contributors) and after
    # SESSION_MAX_HOURS in any case
    "SESSION_IDLE_MINUTES": ("TOOLBOX_SESSION_IDLE_MINUTES", int),
    "SESSION_IDLE_MINUTES_CONTRIBUTOR": ("TOOLBOX_SESSION_IDLE_MINUTES_CONTRIBUTOR", int),
    "SESSION_MAX_HOURS": ("TOOLBOX_SESSION_MAX_HOURS", float),
    # accounts: cookie override, invitation lifetime
    "COOKIE_SECURE": ("TOOLBOX_COOKIE_SECURE", bool),
    "INVITATION_DAYS": ("TOOLBOX_INVITATION_DAYS", int),
    # design: KERN UX when `make` installed it; 0 keeps the own stylesheet
    "KERN": ("TOOLBOX_KERN", bool),
    # the page viewer of the preview: PDF.js when `make` installed it; 0 shows the text only
    "PDFJS": ("TOOLBOX_PDFJS", bool),
    # background jobs: empty = SQLite file in the instance folder; redis://… in production
    "QUEUE_URL": ("TOOLBOX_QUEUE_URL", str),
    "QUEUE_NAME": ("TOOLBOX_QUEUE_NAME", str),
    "WORKER_THREADS": ("TOOLBOX_WORKER_THREADS", int),
    "JOB_MAX_ATTEMPTS": ("TOOLBOX_JOB_MAX_ATTEMPTS", int),
    "JOB_RETRY_SECONDS": ("TOOLBOX_JOB_RETRY_SECONDS", float),
    # mail: smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465; empty = .eml
    # files in instance/mail/. The sender address, attempts per mail, first retry delay (doubled
    # each time), the hour (Europe/Berlin) of the editors' daily digest
    "MAIL_URL": ("TOOLBOX_MAIL_URL", str),
    "MAIL_FROM": ("TOOLBOX_MAIL_FROM", str),
    "MAIL_MAX_ATTEMPTS": ("TOOLBOX_MAIL_MAX_ATTEMPTS", int),
    "MAIL_RETRY_SECONDS": ("TOOLBOX_MAIL_RETRY_SECONDS", float),
    "DIGEST_HOUR": ("TOOLBOX_DIGEST_HOUR", int),
    # "Passwort vergessen": requests per address and per client address (Flask-Limiter syntax)
    "RESET_RATE_LIMIT": ("TOOLBOX_RESET_RATE_LIMIT", str),
    "RESET_IP_RATE_LIMIT": ("TOOLBOX_RESET_IP_RATE_LIMIT", str),
    # a visitor's alert requests: per address typed and per client address (Flask-Limiter syntax)
    "ALERT_RATE_LIMIT": ("TOOLBOX_ALERT_RATE_LIMIT", str),
    "ALERT_IP_RATE_LIMIT": ("TOOLBOX_ALERT_IP_RATE_LIMIT", str),
    # the ZIP of a search for visitors without an account, per client address, and reports of
    # reuse ("Wir nutzen das nach") per client address (Flask-Limiter syntax)
    "ZIP_RATE_LIMIT": ("TOOLBOX_ZIP_RATE_LIMIT", str),
    "REUSE_RATE_LIMIT": ("TOOLBOX_REUSE_RATE_LIMIT", str),
    # derived files (OCR'd PDFs); empty = "derived" beside the documents folder
    "DERIVED_DIR": ("TOOLBOX_DERIVED_DIR", str),
    # originals and derived files in an S3-compatible bucket: s3://bucket/prefix (empty = the
    # local folders above); endpoint of a non-AWS server, region, credentials (empty = boto3's
    # AWS_* variables and ~/.aws); seconds a pre-signed download URL lives (0 = downloads stream
    # through the app)
    "STORAGE_URL": ("TOOLBOX_STORAGE_URL", str),
    "STORAGE_ENDPOINT_URL": ("TOOLBOX_STORAGE_ENDPOINT_URL", str),
    "STORAGE_REGION": ("TOOLBOX_STORAGE_REGION", str),
    "STORAGE_ACCESS_KEY_ID": ("TOOLBOX_STORAGE_ACCESS_KEY_ID", str),
    "STORAGE_SECRET_ACCESS_KEY": ("TOOLBOX_STORAGE_SECRET_ACCESS_KEY", str),
    "STORAGE_PRESIGN_SECONDS": ("TOOLBOX_STORAGE_PRESIGN_SECONDS", int),
    # OCR of scans: 0 switches it off; page cap and seconds per page
    "OCR": ("TOOLBOX_OCR", bool),
    "OCR_MAX_PAGES": ("TOOLBOX_OCR_MAX_PAGES", int),
    "OCR_PAGE_SECONDS": ("TOOLBOX_OCR_PAGE_SECONDS", float),
    # Word, Excel and PowerPoint 97–2003 read by LibreOffice: seconds per conversion
    "CONVERT_SECONDS": ("TOOLBOX_CONVERT_SECONDS", float),
    # accessibility statement: who answers questions on barriers, and when it was last checked
    "ACCESSIBILITY_CONTACT": ("TOOLBOX_ACCESSIBILITY_CONTACT", str),
    "ACCESSIBILITY_REVIEWED": ("TOOLBOX_ACCESSIBILITY_REVIEWED", date),
    # the DCAT-AP.de catalogue (/catalog.ttl|.rdf|.jsonld): its title, description and homepage,
    # who publishes it, whom to write to when a document names no contact, GovData's
    # contributor IRI (dcatde:contributorID) and the datasets per page
    "DCAT_CATALOG_TITLE": ("TOOLBOX_DCAT_CATALOG_TITLE", str),
    "DCAT_CATALOG_DESCRIPTION": ("TOOLBOX_DCAT_CATALOG_DESCRIPTION", str),
    "DCAT_CATALOG_HOMEPAGE": ("TOOLBOX_DCAT_CATALOG_HOMEPAGE", str),
    "DCAT_PUBLISHER_NAME": ("TOOLBOX_DCAT_PUBLISHER_NAME", str),
    "DCAT_PUBLISHER_URL": ("TOOLBOX_DCAT_PUBLISHER_URL", str),
    "DCAT_CONTACT_EMAIL": ("TOOLBOX_DCAT_CONTACT_EMAIL", str),
    "DCAT_CONTRIBUTOR_ID": ("TOOLBOX_DCAT_CONTRIBUTOR_ID", str),
    "DCAT_PAGE_SIZE": ("TOOLBOX_DCAT_PAGE_SIZE", int),
    # operations: "json" logs one JSON object per line (time, level, logger, message, request_id)
    # on stderr, "text" (default) keeps the usual lines
    "LOG_FORMAT": ("TOOLBOX_LOG_FORMAT", str),
    # /metrics answers a client in one of these networks (comma-separated, CIDR) or one that sends
    # "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets 403
    "METRICS_NETWORKS": ("TOOLBOX_METRICS_NETWORKS", str),
    "METRICS_TOKEN": ("TOOLBOX_METRICS_TOKEN", str),
    # `toolbox worker` serves its own metrics (OCR, extraction) on this host:port; empty = none
    "WORKER_METRICS": ("TOOLBOX_WORKER_METRICS", str),
}

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # resolved to SQLite in the instance folder
    "DOCUMENTS_DIR": str(PROJECT_ROOT / "documents"),
    "INDEX_DIR": str(PROJECT_ROOT / "index"),
    "MAX_UPLOAD_MB": 50,
    "EXTRACT_TIMEOUT": 60.0,
    "EXTRACT_MEMORY_MB": 1024,
    "ZIP_MAX_DOCUMENTS": 500,
    "ZIP_MAX_MB": 1024,
    "RATELIMIT_STORAGE_URI": "memory://",
    "INDEX_MEMORY_MB": 512,
    "SEARCH_WARM_POSTINGS": 6_000_000,
    "SEARCH_REFRESH_SECONDS": 1.0,
    "SEARCH_BACKEND": "whoosh",
    "KERN": True,
    "PDFJS": True,
    "QUEUE_URL": None,
    "QUEUE_NAME": "toolbox",
    "WORKER_THREADS": 2,
    "JOB_MAX_ATTEMPTS": 3,
    "JOB_RETRY_SECONDS": 30.0,
    "DERIVED_DIR": None,
    "STORAGE_URL": None,
    "STORAGE_PRESIGN_SECONDS": 0,
    "MAIL_URL": None,
    "MAIL_FROM": None,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 60.0,
    "DIGEST_HOUR": 7,
    "OCR": True,
    "OCR_MAX_PAGES": 200,
    "OCR_PAGE_SECONDS": 60.0,
    "CONVERT_SECONDS": 120.0,
    "ACCESSIBILITY_CONTACT": None,
    "ACCESSIBILITY_REVIEWED": None,
    "PROXY_HOPS": 0,
    "DCAT_PAGE_SIZE": 100,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_IDLE_MINUTES_CONTRIBUTOR": 120,
    "SESSION_MAX_HOURS": 12.0,
    "LOG_FORMAT": "text",
    "METRICS_NETWORKS": "127.0.0.0/8,::1/128",
    "METRICS_TOKEN": None,
    "WORKER_METRICS": None,
    "ZIP_RATE_LIMIT": "10 per hour",
    "REUSE_RATE_LIMIT": "10 per hour",
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message tells the operator what to set."""


def _parse(raw: str, kind: type, name: str) -> object:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is date:
        try:
            return date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise ConfigError(f"{name}={raw!r} is not a date; write it as YYYY-MM-DD.") from exc
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}.") from exc


def load_settings(environ: os._Environ | dict | None = None) -> dict[str, object]:
    """Read the settings from the environment so that deployment needs no config file."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for key, (env_name, kind) in _ENV_SETTINGS.items():
        raw = environ.get(env_name)
        if raw not in (None, ""):
            settings[key] = _parse(raw, kind, env_name)
    return settings
