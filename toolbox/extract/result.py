"""The two value objects every extractor speaks: what a file is, and what was read from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ..message import Message

STATUSES = ("ok", "empty", "encrypted", "failed", "timeout")

STATUS_LABELS: Mapping[str, str] = {
    "ok": "Text extrahiert",
    "empty": "Kein Text (gescanntes Dokument?)",
    "encrypted": "Passwortgeschützt",
    "failed": "Nicht lesbar",
    "timeout": "Zeitlimit überschritten",
}


def status_label(status: str) -> str:
    """Return the German label of an extraction status (the status itself if unknown)."""
    return STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class DetectedType:
    """The format of a file as recognised from its content."""

    format: str
    media_type: str
    supported: bool
    #: Why the format is refused, or why an encrypted file cannot be read; None otherwise.
    message: Message | None = None
    #: Password-protected: stored, but nothing can be read (status "encrypted").
    encrypted: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = self.message.to_dict() if self.message else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetectedType:
        message = data.get("message")
        return cls(str(data["format"]), str(data["media_type"]), bool(data["supported"]),
                   Message.from_dict(message) if message else None, bool(data.get("encrypted")))


@dataclass(frozen=True)
class ExtractionResult:
    """Everything read from one file; every outcome of `extract()` is one of these.

    `properties` holds JSON-compatible values only (str, int, float, bool, lists and
    dicts of those), so it can be stored as JSON as it is. Treat it as read-only.
    """

    status: str
    message: Message | None
    text: str = ""
    format: str = "unknown"
    media_type: str = "application/octet-stream"
    page_count: int | None = None
    title: str | None = None
    author: str | None = None
    created: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown extraction status {self.status!r}")

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["properties"] = dict(self.properties)
        data["message"] = self.message.to_dict() if self.message else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExtractionResult:
        return cls(
            status=str(data["status"]),
            message=Message.from_dict(data["message"]) if data.get("message") else None,
            text=str(data.get("text") or ""),
            format=str(data.get("format") or "unknown"),
            media_type=str(data.get("media_type") or "application/octet-stream"),
            page_count=_optional_int(data.get("page_count")),
            title=_optional_str(data.get("title")),
            author=_optional_str(data.get("author")),
            created=_optional_str(data.get("created")),
            properties=dict(data.get("properties") or {}),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)
