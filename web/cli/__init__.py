"""The ``wastematch`` command line (the contract is in DESIGN.md).

Data goes to stdout (exactly one JSON document with ``--json``); progress, summaries
and errors go to stderr. Each command owns its transaction: all or nothing.

``main`` is the group; each module of this package holds one group of commands
(``context`` and ``output`` the state and helpers they share) and is attached here, once.
"""
from __future__ import annotations

import sys
from typing import Any

import click

from marketplace.errors import DomainError

from ..config import AppConfig
from . import (
    alerts,
    backup,
    catalog,
    collection,
    database,
    demo,
    disclosure,
    eecm,
    hw_declaration,
    hw_plan,
    ledger,
    matching,
    report,
    roster,
    serve,
    survey,
    targets,
    trace,
    transfers,
    users,
)
from .context import Cli
from .help_text import LocalisedGroup, LocalisedUsageError, language
from .output import LANGUAGES, fail, info, locale_language, text
from .scheduler import scheduler as scheduler_command


class _Commands(LocalisedGroup):
    """The command group; the one place a refused operation becomes its report and exit code."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # a wrong option of the root command (its --lang not read yet, maybe)
            raise _localised(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(ctx.find_object(Cli), exc)
        except click.UsageError as exc:
            raise _localised(exc) from None
        except (click.Abort, KeyboardInterrupt, EOFError):
            # Ctrl-C (or a prompt's end of input); the open transaction has rolled back. click says "Aborted!".
            info("\n" + text("已中止", "Aborted"))
            sys.exit(1)
        except click.ClickException as exc:
            # A command's own refusal (written with ``output.text``) after "错误" rather than click's "Error".
            info(text("错误", "Error") + f": {exc.format_message()}")
            sys.exit(exc.exit_code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="WASTEMATCH_DATABASE_URL", default=None, metavar="URL",
              help="Database URL (default: SQLite file in the instance folder).")
@click.option("--lang", type=click.Choice(LANGUAGES), envvar="WASTEMATCH_LANG", default=None, is_eager=True,
              help="Language of the lines for people: zh, en or both (default: zh in a Chinese locale, "
                   "else both). Data (--json, tables) is the same in every language.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, lang: str | None) -> None:
    """wastematch — matching of solid waste and surplus chemicals in industrial parks."""
    ctx.obj = Cli(url=db_url or AppConfig.from_env().database_url, lang=lang or locale_language())
    ctx.call_on_close(ctx.obj.close)


def _localised(exc: click.UsageError) -> click.UsageError:
    """``exc`` shown in the invocation's language; "no arguments: the help" is the help itself, already localised."""
    if isinstance(exc, (LocalisedUsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    return LocalisedUsageError(exc, language(exc.ctx))


# Each module's commands and groups (``wastematch --help`` lists them sorted by name, whatever the order here).
for _command in (database.init, database.import_, database.export, catalog.catalog, matching.recommend,
                 matching.match, matching.matches, matching.approvals, matching.model, users.users, serve.serve,
                 demo.demo, alerts.alerts, ledger.ledger, report.report, report.rating_policy, trace.trace_cmd,
                 transfers.transfers, hw_declaration.hw_declaration, hw_plan.hw_plan, collection.collection,
                 # chemical governance: surveys, the roster, EECM, disclosures, targets and the survey report
                 survey.survey, roster.roster, eecm.eecm, disclosure.disclosure, targets.targets_cmd,
                 targets.survey_report_cmd,
                 scheduler_command, backup.backup, backup.restore):
    main.add_command(_command)
del _command

__all__ = ["main"]
