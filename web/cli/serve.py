"""``wastematch serve``: the web app and the API on waitress."""
from __future__ import annotations

import click

from .context import Cli
from .output import info


def _serve(url: str, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    from ..app import create_app

    app = create_app({"database_url": url})
    info(f"serving on http://{host}:{port}/  (Ctrl-C to stop)")
    try:
        waitress_serve(app, host=host, port=port, threads=8)
    except OSError as exc:  # most often: the port is taken by another server
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --port "
                                   f"(端口不可用，请用 --port 指定其他端口)") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def serve(cli: Cli, host: str, port: int) -> None:
    """Serve the web app and the API (on the database ``wastematch init`` prepared)."""
    with cli.transaction():  # says which database, and refuses one that was never initialised
        pass
    _serve(cli.url, host, port)
