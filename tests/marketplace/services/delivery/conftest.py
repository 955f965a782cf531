"""Fixtures of the delivery tests: a committed database per test, a local SMTP server and a local webhook receiver."""
from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from marketplace.db import make_engine, make_sessionmaker, transaction, upgrade_schema
from marketplace.services.catalog.reference import load_builtin_catalog
from tests.factories import load_api_park


@pytest.fixture(scope="session")
def _seeded_url(backend, fresh_database_url) -> str:
    """A migrated database holding the catalogue, the API park and its users, committed; copied by each test."""
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade_schema(engine)
    with transaction(make_sessionmaker(engine)) as session:
        load_builtin_catalog(session)
        load_api_park(session)
    engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    return url


def _copy(backend: str, seeded: str, pg_scratch, tmp_path_factory) -> str:
    if backend == "sqlite":
        target = tmp_path_factory.mktemp("db") / "wastematch.sqlite3"
        shutil.copyfile(make_url(seeded).database, target)
        return f"sqlite:///{target}"
    return pg_scratch.new_url(template=make_url(seeded).database)  # dropped with the suite's other scratch databases


@pytest.fixture()
def sessions(backend, _seeded_url, pg_scratch, tmp_path_factory) -> Iterator:
    """Sessions of a database of its own (a copy of the seeded one): the jobs under test commit."""
    engine = make_engine(_copy(backend, _seeded_url, pg_scratch, tmp_path_factory))
    yield make_sessionmaker(engine)
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What the local SMTP server received; ``refuse`` makes it answer the next n messages with a 451."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 mailbox busy, try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    @staticmethod
    def subject(msg: Message) -> str:
        return str(make_header(decode_header(msg["Subject"])))

    @staticmethod
    def text(msg: Message) -> str:
        return msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")


@pytest.fixture()
def mailbox() -> Iterator[Mailbox]:
    """A local SMTP server (aiosmtpd) on a free port."""
    box = Mailbox("127.0.0.1", _free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


@dataclass
class Receiver:
    """What the local webhook received; ``answers`` are (HTTP status, JSON body) given before answering 200 ok."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture()
def webhook() -> Iterator[Receiver]:
    """A local chat-robot webhook (``http.server`` in a thread)."""
    port = _free_port()
    receiver = Receiver(f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=test")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status, answer = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0, "errmsg": "ok"})
            if status == 200 and answer.get("errcode", 0) == 0:
                receiver.posts.append(json.loads(body))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
