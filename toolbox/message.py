"""A message as it is stored: a code and its parameters, rendered in the reader's language later.

Services and the extraction child run without a request (the CLI, a sandboxed process) and
their results are read for years by people in either language, so they store what happened,
not a finished sentence. ``toolbox.message_render`` turns a message into text when it is shown.

This module imports nothing but the standard library: the extraction child imports it without
the application around it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union


@dataclass(frozen=True)
class Message:
    """``code`` names an entry of the catalogue; ``params`` fill its named placeholders.

    A parameter is a string shown as it is (a title, a file name, a library's error text), a
    number formatted for the reader's locale, a datetime, a nested ``Message`` (a reason, a piece
    of advice) or a list of those.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the database and passed between processes."""
        return {"code": self.code, "params": {name: _dump(value) for name, value in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(str(data["code"]), {name: _load(value) for name, value in (data.get("params") or {}).items()})


#: What a service may hand over where a message is expected: a coded message, or a text that was
#: stored before messages had codes and is shown as stored.
StoredMessage = Union[Message, str, None]


def stored_message(code: str | None, params: Mapping[str, Any] | None, literal: str | None) -> StoredMessage:
    """The message held by a row's code and params columns, else the literal text column."""
    if code:
        return Message.from_dict({"code": code, "params": params or {}})
    return literal or None


def dump_message(message: StoredMessage) -> Any:
    """The JSON form of a stored message (a plain text stays a text)."""
    return message.to_dict() if isinstance(message, Message) else message


def load_message(data: Any) -> StoredMessage:
    """The message ``dump_message`` wrote."""
    return Message.from_dict(data) if isinstance(data, Mapping) else data


def _dump(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_dump(item) for item in value]
    return value


def _load(value: Any) -> Any:
    if isinstance(value, Mapping):
        if "code" in value:
            return Message.from_dict(value)
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
    if isinstance(value, list):
        return [_load(item) for item in value]
    return value
