"""A real SMTP server in this process (aiosmtpd) that keeps what arrived, for the mail tests."""
from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Arrived:
    """One accepted mail: the envelope's recipients and the parsed message."""

    recipients: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.recipients[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self, pattern: str) -> str:
        """The first address in the plain text that contains ``pattern``."""
        found = re.search(r"https?://\S*" + re.escape(pattern) + r"\S*", self.text)
        assert found, f"no link with {pattern!r} in:\n{self.text}"
        return found.group(0)


class Inbox:
    """The handler: accepts every mail, or answers a temporary error while ``refusing`` is set.

    ``hold_next()`` makes the next mail wait in DATA until ``release()``: the sending worker can
    be killed while its mail is in flight, and the held mail is then answered 451 (not taken).
    """

    def __init__(self) -> None:
        self.arrived: list[Arrived] = []
        self.refusing = 0  # answer this many mails with 451 first
        self.attempts = 0
        self._hold = False
        self.holding = threading.Event()
        self._release = threading.Event()

    def hold_next(self) -> None:
        self._hold = True

    def release(self) -> None:
        self._release.set()

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self._hold:
            self._hold = False
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self._release.wait, 60)
            return "451 4.3.0 Held by the test and not accepted"
        if self.refusing > 0:
            self.refusing -= 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.arrived.append(Arrived(list(envelope.rcpt_tos), message))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Arrived]:
        deadline = time.monotonic() + timeout
        while len(self.arrived) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.arrived)} of {count} mails arrived after {timeout} s")
            time.sleep(0.05)
        return list(self.arrived)

    def to(self, address: str) -> list[Arrived]:
        return [mail for mail in self.arrived if address in mail.recipients]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.inbox.release()
        self.controller.stop()
