"""``wastematch users add | list``: the accounts (enterprise users, coordinators, admins)."""
from __future__ import annotations

import getpass
import sys

import click

from .context import Cli
from .help_text import group
from .output import emit_json, json_option, say, text


@group()
def users() -> None:
    """Accounts and their roles: enterprise users, coordinators, admins."""


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    """The new password: typed twice at a terminal, else the first line of stdin."""
    from marketplace.errors import ValidationFailed

    if _stdin_is_terminal():
        first = getpass.getpass(text("密码", "password") + ": ")
        if getpass.getpass(text("再次输入", "again") + ": ") != first:
            raise ValidationFailed("the two passwords differ (两次输入的密码不一致)",
                                   {"password": ["the two entries differ (两次输入不一致)"]})
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationFailed("no password given: type it, or pipe it on stdin (未提供密码：请输入，或经标准输入传入)",
                               {"password": [("empty; give it on the first line of stdin "
                                              "(密码为空；请在标准输入的第一行提供)")]})
    return password


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, metavar="enterprise|coordinator|admin", help="The account's role.")
@click.option("--enterprise", default=None, metavar="REF", help="Enterprise ref (enterprise users).")
@click.option("--park", "parks", multiple=True, metavar="CODE", help="Park code (coordinators; repeatable).")
@click.option("--name", default="", help="Display name.")
@json_option
@click.pass_obj
def users_add(cli: Cli, email: str, role: str, enterprise: str | None, parks: tuple[str, ...], name: str) -> None:
    """Add an account; the password is read from stdin (prompted twice at a terminal)."""
    from marketplace.services.accounts.users import create_user, user_dict

    from ..api.common import ROLE_ZH

    password = _read_password()
    with cli.transaction() as session:
        user = create_user(session, email=email, password=password, role=role, actor=cli.actor(),
                           enterprise=enterprise, parks=parks, name=name)
        doc = user_dict(user)
    if cli.as_json:
        emit_json(doc)
    else:
        scope = doc["enterprise"] or ", ".join(doc["parks"])
        say(f"已创建{ROLE_ZH.get(doc['role'], doc['role'])} {doc['email']}（{scope or '全部园区'}），用户编号 {doc['id']}",
            f"created {doc['role']} {doc['email']} ({scope or 'all parks'}), user id {doc['id']}")


@users.command("list")
@click.option("--role", default=None, metavar="enterprise|coordinator|admin", help="Only this role.")
@json_option
@click.pass_obj
def users_list(cli: Cli, role: str | None) -> None:
    """All accounts with their role, enterprise and parks."""
    from marketplace.services.accounts.users import list_users, user_dict

    from ..api.common import ROLE_ZH

    with cli.transaction() as session:
        rows = [user_dict(u) for u in list_users(session, cli.operator(), role=role)]
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        scope = r["enterprise"] or ", ".join(r["parks"]) or "—"
        role_name = text(ROLE_ZH.get(r["role"], r["role"]), r["role"])
        click.echo(f"{r['id']:4d}  {r['email']:36s} {role_name:11s} {scope:12s} "
                   f"{'' if r['active'] else text('（已停用）', '(disabled)') + ' '}{r['name']}")
    say(f"{len(rows)} 个账户", f"{len(rows)} users")


@users.command("set-password")
@click.argument("email")
@json_option
@click.pass_obj
def users_set_password(cli: Cli, email: str) -> None:
    """Set an account's password (read like ``add``'s); its tokens and browser sessions end, a lockout lifts."""
    from marketplace.services.accounts.users import get_user, set_password, user_dict

    password = _read_password()
    with cli.transaction() as session:
        user = get_user(session, email)
        set_password(session, user, password, actor=cli.actor())
        doc = user_dict(user)
    if cli.as_json:
        emit_json(doc)
    else:
        say(f"已设置 {doc['email']} 的密码；该账户的会话和令牌均已失效",
            f"password of {doc['email']} set; their sessions and tokens ended")
