"""End-to-end harness: the demo park served by a real HTTP server, driven by Debian's Chromium headless.

The server runs in a thread of the test process on its own SQLite file (browsers commit for
real, so no rolled-back transaction here); the database is built once per run (the first test process that
needs it builds it, the others wait for it) through the same services ``wastematch demo`` uses, and each
module serves its own copy of the file. Every browser context records the hosts its pages ask
for: anything but the app itself fails the test (no CDN, no fonts, no analytics).
"""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from marketplace.demo.accounts import DEMO_PASSWORD
from marketplace.demo.park import create_demo_database
from tests.web.test_report_browser import browser  # noqa: F401 - the Chromium fixture (skips without one)
from web.app import create_app

LOCAL_SCHEMES = ("data:", "blob:", "about:")


@dataclass
class LiveApp:
    """The served app: its base URL and where it keeps its files."""

    url: str
    instance: Path
    database_url: str


@pytest.fixture(scope="session")
def demo_database_file(tmp_path_factory) -> Path:
    """The demo park's SQLite file, built once per run (10-30 s): each module serves a copy of it.

    Under pytest-xdist the test processes of one run share the parent of their temporary folders: the first
    to get the lock builds the file there, the others wait and read it (the build is the same in each).
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "e2e-demo"
    with open(shared / "e2e-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way
            root.mkdir()
            create_demo_database(root, actor="e2e")
            (root / "built").touch()
    return root / "wastematch.sqlite3"


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory, demo_database_file) -> Iterator[LiveApp]:
    """The demo park (import, park-wide matching, four months of history, demo accounts, the governance year, the
    field work) served on a free port, from the module's own copy of the database: what one module's browsers
    change, no other module sees."""
    root = tmp_path_factory.mktemp("e2e")
    # The builder's engine is disposed, so the file holds everything; a write-ahead log left beside it goes too.
    for suffix in ("", "-wal"):
        source = demo_database_file.with_name(demo_database_file.name + suffix)
        if source.exists():
            shutil.copyfile(source, root / f"wastematch.sqlite3{suffix}")
    url = f"sqlite:///{root / 'wastematch.sqlite3'}"
    app = create_app({"database_url": url, "instance_path": root / "instance", "secret_key": "e2e-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", root / "instance", url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["wastematch.engine"].dispose()


@dataclass
class Watch:
    """What one browser context asked for and complained about."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, text: str) -> None:
        """Console errors containing ``text`` are expected (Chromium logs a refused form's 422 as one)."""
        self.allowed.append(text)

    def request(self, request) -> None:
        url = request.url
        if url.startswith(LOCAL_SCHEMES):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(url)

    def console(self, message) -> None:
        if message.type == "error" and not any(a in message.text for a in self.allowed):
            self.problems.append(f"console error: {message.text}")


@dataclass
class User:
    """A signed-in browser context (one user) and its page."""

    page: object
    context: object
    watch: Watch


@pytest.fixture
def sign_in(browser, live_demo) -> Iterator:  # noqa: F811
    """``sign_in(email, lang="zh_CN")`` → a page signed in as that demo user in its own browser context."""
    users: list[User] = []

    def open_as(email: str, lang: str = "zh_CN") -> User:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        watch = Watch(live_demo.url)
        context.on("request", watch.request)
        page = context.new_page()
        page.on("console", watch.console)
        page.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
        page.set_default_timeout(15_000)
        if lang != "zh_CN":
            page.goto(f"{live_demo.url}/lang/{lang}")
        page.goto(f"{live_demo.url}/signin")
        page.fill("#email", email)
        page.fill("#password", DEMO_PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state("load")
        assert "/signin" not in page.url, f"sign-in as {email} failed: {page.url}"
        user = User(page, context, watch)
        users.append(user)
        return user

    yield open_as
    for user in users:
        user.context.close()
    for user in users:
        assert user.watch.foreign == [], f"pages asked other hosts: {user.watch.foreign}"
        assert user.watch.problems == [], user.watch.problems
