"""A real SMTP server (aiosmtpd) for tests that read the emails Thaw sends, one per test module."""
import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

LINK_RE = re.compile(r"https?://\S+\?token=[\w-]+")


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    def last_to(self, address: str):
        found = self.to(address)
        assert found, f"no email to {address}; sent to {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def text(message) -> str:
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(("html",)).get_content()

    def link_to(self, address: str) -> str:
        links = LINK_RE.findall(self.text(self.last_to(address)))
        assert links, self.text(self.last_to(address))
        return links[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """Thaw's mail goes to the module's SMTP server; the mailbox starts empty for each test."""
    controller, box = smtp_server
    box.messages.clear()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                      MAIL_USERNAME=None, MAIL_PASSWORD=None)
    return box
