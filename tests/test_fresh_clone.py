"""A fresh clone without ``../shared``, followed as the README says: it works, and it says what is missing.

The published sources are pointed at an empty folder (``WASTEMATCH_SHARED_DATA``), the data folder at a
temporary one, and the commands run from a scratch folder standing for the clone. ``init``, ``catalog
status`` and the demo say that only the built-in codes are loaded and how to import the official list;
the web app, started with nothing but the environment, finds the demo's database and its pages say the
same in Chinese and in English; nothing is written into the current folder; no document links outside
the repository.
"""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from catalog.builtin_codes import BUILTIN_HW_CODES, OFFICIAL_HW_CODES_2021
from marketplace.demo.accounts import DEMO_PASSWORD
from tests.conftest import DEMO_PARK, REPO
from tests.test_docs_links import DOCUMENTS, is_external, links
from web.app import create_app
from web.cli import main

IMPORT = "wastematch catalog import-hw-list <path to gjwxfwml.pdf>"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BUILTIN = len(BUILTIN_HW_CODES)


@pytest.fixture()
def clone(tmp_path, monkeypatch) -> dict[str, str | None]:
    """The environment of a fresh clone: no ../shared, a new data folder, run from the clone's folder."""
    env = {"WASTEMATCH_INSTANCE_PATH": str(tmp_path / "data"), "WASTEMATCH_SHARED_DATA": str(tmp_path / "no-shared"),
           "WASTEMATCH_DATABASE_URL": None}
    (tmp_path / "clone").mkdir()
    monkeypatch.chdir(tmp_path / "clone")
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    return env


def wastematch(env, *args: str):
    result = CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def sign_in(client, email: str) -> None:
    token = CSRF.search(client.get("/signin").get_data(as_text=True)).group(1)
    res = client.post("/signin", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.get_data(as_text=True)[:500]


def test_init_and_catalog_status_say_what_is_missing_and_how_to_import_it(clone, tmp_path):
    init = wastematch(clone, "init")
    assert f"仅载入 {BUILTIN} / {OFFICIAL_HW_CODES_2021} 个危险废物代码" in init.stderr
    assert f"only {BUILTIN} of the {OFFICIAL_HW_CODES_2021} HW codes" in init.stderr
    assert "exemption list is missing" in init.stderr and IMPORT in init.stderr
    status = json.loads(wastematch(clone, "catalog", "status", "--json").stdout)
    assert status == {"codes": BUILTIN, "official_codes": 0, "exemptions": 0, "edition_codes": 467,
                      "complete": False, "import_command": IMPORT}
    codes = wastematch(clone, "catalog", "codes", "--json")
    assert len(json.loads(codes.stdout)) == BUILTIN and IMPORT in codes.stderr  # stdout stays data
    assert list((tmp_path / "clone").iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_the_demo_and_its_pages_tell_the_user_how_to_get_the_full_list(clone, tmp_path):
    demo = wastematch(clone, "demo", "--no-serve")
    assert f"official HW list PDF not found at {tmp_path / 'no-shared'}" in demo.stderr
    assert IMPORT in demo.stderr and "demo ready" in demo.stderr
    assert (tmp_path / "data" / "wastematch.sqlite3").exists()
    assert (tmp_path / "data" / "reports" / "demo-report.html").exists()
    app = create_app()  # nothing but the environment: the same database as the CLI
    app.testing = True
    try:
        coordinator = app.test_client()
        sign_in(coordinator, "coord-ch@wastematch.example")
        park = coordinator.get("/park").get_data(as_text=True)
        assert f"共 {OFFICIAL_HW_CODES_2021} 个危险废物代码，目前仅载入 {BUILTIN} 个" in park
        assert "<code>wastematch catalog import-hw-list &lt;path to gjwxfwml.pdf&gt;</code>" in park
        assert coordinator.get("/lang/en").status_code == 302
        park_en = coordinator.get("/park").get_data(as_text=True)
        assert f"Only {BUILTIN} of the {OFFICIAL_HW_CODES_2021} hazardous-waste codes" in park_en
        assert "Ministry of Ecology and Environment" in park_en
        enterprise = app.test_client()
        sign_in(enterprise, "e022@wastematch.example")
        overview = enterprise.get("/?overview=1").get_data(as_text=True)
        assert "代码搜索仅提供这些代码" in overview and "import-hw-list" not in overview  # no command for them
        form = enterprise.get("/listings/new?kind=offer").get_data(as_text=True)
        assert "代码搜索仅提供这些代码" in form  # where the codes are searched
    finally:
        app.extensions["wastematch.engine"].dispose()
    assert list((tmp_path / "clone").iterdir()) == []  # no ./instance, nothing else


def test_no_document_needs_anything_outside_the_clone():
    for document in DOCUMENTS:
        for target in links(document.read_text(encoding="utf-8")):
            if not is_external(target):
                assert (document.parent / target.partition("#")[0]).resolve().is_relative_to(REPO), (document, target)
