"""``wastematch users add|list|set-password`` and the demo accounts, on each backend (each test has its own database)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo_accounts
from marketplace.errors import Conflict
from marketplace.models import User
from marketplace.services.accounts import users as accounts
from tests.conftest import DEMO_PARK
from tests.factories import api_document
from web.cli import main
from web.cli.demo import _print_demo_accounts

from .conftest import init
from .runner import assert_speaks

PASSWORD = "s3cret passphrase"


def run(url: str, *args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(main, ["--db", url, *args], input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(url: str, *args: str, input: str | None = None, ok: bool = True):
    result = run(url, *args, "--json", input=input, ok=ok)
    return json.loads(result.stdout)


@pytest.fixture()
def db_url(backend, database_copy) -> str:
    """A database with the two-park API fixture (parks BH and NK, enterprises E-1 … E-4)."""
    return database_copy(backend, "init+api", lambda url: init(url, api_document()))[0]


def stored_user(url: str, email: str) -> User | None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            user = session.scalar(select(User).where(User.email == email))
            if user is not None:
                session.expunge(user)
            return user
    finally:
        engine.dispose()


def test_add_enterprise_user_from_stdin_hashes_the_password(db_url):
    doc = run_json(db_url, "users", "add", "Handler@E1.test", "--role", "enterprise", "--enterprise", "E-1",
                   "--name", "危废部", input=PASSWORD + "\n")
    assert doc["email"] == "handler@e1.test" and doc["role"] == "enterprise" and doc["enterprise"] == "E-1"
    assert doc["parks"] == [] and doc["name"] == "危废部" and doc["active"] is True
    assert "password" not in json.dumps(doc) and PASSWORD not in json.dumps(doc)
    user = stored_user(db_url, "handler@e1.test")
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt$")
    assert accounts.verify_password(PASSWORD, user.password_hash)
    assert not accounts.verify_password(PASSWORD + "x", user.password_hash)


def test_only_the_first_line_of_stdin_is_the_password(db_url):
    run(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=f"{PASSWORD}\nsecond line\n")
    user = stored_user(db_url, "admin@wm.test")
    assert accounts.verify_password(PASSWORD, user.password_hash)


def test_add_coordinator_of_two_parks_and_list(db_url):
    human = run(db_url, "users", "add", "coord@wm.test", "--role", "coordinator", "--park", "BH", "--park", "NK",
                input=PASSWORD)
    assert "coordinator coord@wm.test" in human.stderr and "BH, NK" in human.stderr
    run(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=PASSWORD)
    everyone = run_json(db_url, "users", "list")
    assert [(u["email"], u["role"], u["parks"]) for u in everyone] == [
        ("coord@wm.test", "coordinator", ["BH", "NK"]), ("admin@wm.test", "admin", [])]
    assert [u["email"] for u in run_json(db_url, "users", "list", "--role", "admin")] == ["admin@wm.test"]
    table = run(db_url, "users", "list")
    assert "coord@wm.test" in table.stdout and "BH, NK" in table.stdout and "2 users" in table.stderr


@pytest.mark.parametrize("args, field, words", [
    (["--role", "owner"], "role", "enterprise, coordinator, admin"),
    (["--role", "enterprise", "--enterprise", "E-404"], "enterprise", "E-404"),
    (["--role", "enterprise"], "enterprise", "needs the ref"),
    (["--role", "coordinator", "--park", "ZZ"], "parks", "ZZ"),
    (["--role", "admin", "--park", "BH"], "parks", "only coordinators"),
], ids=["bad-role", "unknown-enterprise", "enterprise-missing", "unknown-park", "admin-with-park"])
def test_invalid_accounts_are_refused_naming_the_field(db_url, args, field, words):
    body = run_json(db_url, "users", "add", "x@wm.test", *args, input=PASSWORD, ok=False)
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert field in body["errors"] and words in " ".join(body["errors"][field])
    human = run(db_url, "users", "add", "x@wm.test", *args, input=PASSWORD, ok=False)
    assert human.exit_code == 1 and f"{field}:" in human.stderr
    assert run_json(db_url, "users", "list") == []


def test_duplicate_email_is_a_conflict_whatever_the_case(db_url):
    run(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=PASSWORD)
    body = run_json(db_url, "users", "add", "ADMIN@wm.test", "--role", "admin", input=PASSWORD + "-2", ok=False)
    assert body["code"] == 409 and "email" in body["errors"]
    human = run(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=PASSWORD, ok=False)
    assert human.exit_code == 1 and "already exists" in human.stderr
    assert accounts.verify_password(PASSWORD, stored_user(db_url, "admin@wm.test").password_hash)


@pytest.mark.parametrize("stdin, reason", [("", "empty"), ("\n", "empty"), ("short\n", "at least 10"),
                                           ("password123\n", "most common"), ("admin@wm.test\n", "email")],
                         ids=["no-input", "blank-line", "too-short", "common", "own-email"])
def test_missing_or_short_password_is_refused(db_url, stdin, reason):
    body = run_json(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=stdin, ok=False)
    assert body["code"] == 422 and reason in " ".join(body["errors"]["password"])
    assert stored_user(db_url, "admin@wm.test") is None


def test_bad_email_is_refused(db_url):
    body = run_json(db_url, "users", "add", "not-an-email", "--role", "admin", input=PASSWORD, ok=False)
    assert body["code"] == 422 and "email" in body["errors"]


def test_terminal_prompts_twice_and_requires_the_same_password(db_url, monkeypatch):
    typed = iter([PASSWORD, PASSWORD + "!", PASSWORD, PASSWORD])
    monkeypatch.setattr("web.cli.users._stdin_is_terminal", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    body = run_json(db_url, "users", "add", "admin@wm.test", "--role", "admin", ok=False)
    assert body["code"] == 422 and "differ" in " ".join(body["errors"]["password"])
    assert stored_user(db_url, "admin@wm.test") is None
    run(db_url, "users", "add", "admin@wm.test", "--role", "admin")
    assert accounts.verify_password(PASSWORD, stored_user(db_url, "admin@wm.test").password_hash)


def test_list_rejects_an_unknown_role(db_url):
    body = run_json(db_url, "users", "list", "--role", "owner", ok=False)
    assert body["code"] == 422 and "role" in body["errors"]


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_accounts_are_seeded_once_and_can_sign_in(backend, fresh_database_url, capsys):
    url = fresh_database_url(backend)
    run(url, "init")
    run(url, "import", str(DEMO_PARK))
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            first = seed_demo_accounts(session, actor="test")
        assert [s.created for s in first] == [True] * len(DEMO_ACCOUNTS)
        with Session(engine) as session, session.begin():
            for account in DEMO_ACCOUNTS:
                user = accounts.authenticate(session, account.email, DEMO_PASSWORD)
                assert (user.role, user.enterprise.ref if user.enterprise else None,
                        tuple(p.code for p in user.parks)) == (account.role, account.enterprise, account.parks)
            accounts.set_password(session, accounts.get_user(session, DEMO_ACCOUNTS[0].email), "changed by me",
                                  actor="test")
        with Session(engine) as session, session.begin():
            again = seed_demo_accounts(session, actor="test")
        assert [s.created for s in again] == [False] * len(DEMO_ACCOUNTS)
        assert [s.password_is_demo for s in again] == [False] + [True] * (len(DEMO_ACCOUNTS) - 1)
        roles = {a.role for a in DEMO_ACCOUNTS}
        assert roles == {"admin", "coordinator", "enterprise"}
        assert {p for a in DEMO_ACCOUNTS for p in a.parks} == {"CH", "JC"}
    finally:
        engine.dispose()
    _print_demo_accounts(again)
    table = capsys.readouterr().err
    assert "(changed since seeding)" in table and "e038@wastematch.example" in table and DEMO_PASSWORD in table


def test_demo_accounts_are_not_added_beside_real_accounts(db_url):
    run(db_url, "import", str(DEMO_PARK))
    result = CliRunner().invoke(main, ["--db", db_url, "users", "add", "ehs@real.cn", "--role", "admin"],
                                input="a real passphrase\n")
    assert result.exit_code == 0, result.output
    engine = make_engine(db_url)
    try:
        with Session(engine) as session, session.begin(), pytest.raises(Conflict) as refused:
            seed_demo_accounts(session, actor="test")
        assert "accounts" in refused.value.errors
        with Session(engine) as session:
            assert [u.email for u in session.scalars(accounts.users_query())] == ["ehs@real.cn"]
    finally:
        engine.dispose()


def test_set_password_applies_the_policy_and_replaces_the_password(db_url):
    run(db_url, "users", "add", "admin@wm.test", "--role", "admin", input=PASSWORD)
    weak = run_json(db_url, "users", "set-password", "admin@wm.test", input="password123\n", ok=False)
    assert weak["code"] == 422 and "most common" in " ".join(weak["errors"]["password"])
    assert accounts.verify_password(PASSWORD, stored_user(db_url, "admin@wm.test").password_hash)
    doc = run_json(db_url, "users", "set-password", "admin@wm.test", input="seven green lanterns\n")
    assert doc["email"] == "admin@wm.test"
    assert accounts.verify_password("seven green lanterns", stored_user(db_url, "admin@wm.test").password_hash)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_add_list_and_set_password_speak_the_language_asked(db_url, lang):
    results = [run(db_url, "--lang", lang, *args, input=PASSWORD) for args in (
        ["users", "add", "coord@wm.test", "--role", "coordinator", "--park", "BH"],
        ["users", "add", "admin@wm.test", "--role", "admin"],
        ["users", "list"], ["users", "set-password", "admin@wm.test"])]
    results.append(run(db_url, "--lang", lang, "users", "add", "x@wm.test", "--role", "coordinator", "--park", "ZZ",
                       input=PASSWORD, ok=False))
    for result in results:
        assert_speaks(lang, result)
    created, listed = results[0].stderr, results[2].stdout
    if lang == "zh":
        assert "已创建园区管理者 coord@wm.test（BH）" in created and "系统管理员" in listed
        assert "全部园区" in results[1].stderr
    else:
        assert "created coordinator coord@wm.test (BH)" in created and "admin" in listed
