"""``wastematch serve``: the web app and the API, in production on gunicorn with several worker processes.

Before saying "serving on …" it checks what would otherwise only show as errors later, and stops with
one line and exit code 1 when something is wrong: a fixed secret key (``WASTEMATCH_SECRET_KEY`` or
``WASTEMATCH_SECRET_KEY_FILE``), the database reachable and its schema at the code's head. The demo
(``wastematch demo``) serves on waitress, one process, with a key of its own kept in the data folder.
"""
from __future__ import annotations

import errno
import importlib
import os
from typing import Any

import click

from ..config import AppConfig, ConfigError, configured_secret_key, require_secret_key
from .context import Cli
from .help_text import command
from .output import localised, say, text

SERVERS = ("gunicorn", "waitress")
# Why a port cannot be served on, in Chinese (the English is the system's ``strerror``).
PORT_ERRORS_ZH = {errno.EADDRINUSE: "端口已被占用", errno.EACCES: "没有使用该端口的权限",
                  errno.EADDRNOTAVAIL: "该地址在本机不可用"}


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _port_taken(host: str, port: int, exc: OSError) -> click.ClickException:
    why = PORT_ERRORS_ZH.get(exc.errno, exc.strerror)
    return click.ClickException(text(f"无法在 {host}:{port} 提供服务：{why}；请用 --port 指定其他端口",
                                     f"cannot serve on {host}:{port}: {exc.strerror}; choose another --port"))


def run_server(url: str, host: str, port: int, *, secret_key: str | None, server: str = "gunicorn",
               workers: int = 1, threads: int = 4, log_format: str | None = None) -> None:
    """Check the key and the database, then serve until stopped (``ClickException`` with one line if not)."""
    from ..health import database_problem
    from ..logging_setup import configure_logging

    try:
        key = require_secret_key(secret_key)
        configure_logging(log_format)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(localised(str(exc))) from None
    problem = database_problem(url)
    if problem:
        raise click.ClickException(localised(problem))
    settings = AppConfig.from_env(database_url=url, secret_key=key, production=True)
    if server == "waitress":
        _serve_waitress(settings, host, port, threads)
    else:
        _serve_gunicorn(settings, host, port, workers, threads)


def _serve_waitress(settings: AppConfig, host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from ..app import create_app

    app = create_app(settings)
    say(f"正在 http://{host}:{port}/ 提供服务（waitress，1 个进程，{threads} 个线程；按 Ctrl-C 停止）",
        f"serving on http://{host}:{port}/  (waitress, 1 process, {threads} threads; Ctrl-C to stop)")
    try:
        waitress_serve(app, host=host, port=port, threads=threads)
    except OSError as exc:  # most often: the port is taken by another server
        raise _port_taken(host, port, exc) from None


def _serve_gunicorn(settings: AppConfig, host: str, port: int, workers: int, threads: int) -> None:
    import socket

    from ..wsgi_server import GunicornServer, gunicorn_options

    # gunicorn reports a taken port only after retrying for seconds: try it first, for the one-line message.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise _port_taken(host, port, exc) from None

    # The code is imported once, here, and shared by the workers; the app and its engine are built in each.
    for module in ("web.app", "web.api", "web.pages"):
        importlib.import_module(module)

    def factory() -> Any:  # called in each worker, after the fork
        from ..app import create_app

        return create_app(settings)

    say(f"正在 http://{host}:{port}/ 提供服务（gunicorn，{workers} 个工作进程 × 每进程 {threads} 个线程；"
        "按 Ctrl-C 停止）",
        f"serving on http://{host}:{port}/  (gunicorn, {workers} worker processes × {threads} threads; "
        "Ctrl-C to stop)")
    GunicornServer(factory, gunicorn_options(host, port, workers, threads)).run()


@command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (gunicorn). Default: the number of cores.")
@click.option("--threads", type=click.IntRange(min=1), default=4, show_default=True,
              help="Threads per worker process.")
@click.option("--server", type=click.Choice(SERVERS), default="gunicorn", show_default=True,
              help="gunicorn (several processes, Linux/Unix) or waitress (one process).")
@click.option("--log-format", type=click.Choice(["json", "text"]), default=None,
              help="Log lines as JSON (default) or text; also WASTEMATCH_LOG_FORMAT.")
@click.pass_obj
def serve(cli: Cli, host: str, port: int, workers: int | None, threads: int, server: str,
          log_format: str | None) -> None:
    """Serve the web app and the API in production (needs WASTEMATCH_SECRET_KEY and an initialised database)."""
    cli.announce()
    try:
        key = configured_secret_key()
    except ConfigError as exc:
        raise click.ClickException(localised(str(exc))) from None
    run_server(cli.url, host, port, secret_key=key, server=server, workers=workers or default_workers(),
               threads=threads, log_format=log_format)
