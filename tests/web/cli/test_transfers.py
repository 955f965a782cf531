"""``wastematch transfers …``: plan, step, list, export and print manifests from the command line."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models import Listing, Park
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import workflow
from tests.factories import small_document

from .conftest import init, written
from .runner import assert_speaks, run, run_in, run_json


def _approved_match(session: Session) -> int:
    """One 10 t match of the small park approved through the workflow: its id."""
    park = session.scalar(select(Park.id).where(Park.code == "BH"))
    coord = Principal(user_id=None, email="coord@bh.test", role="coordinator", park_ids=frozenset({park}))
    listings = {x.ref: x for x in session.scalars(select(Listing))}
    m = workflow.propose(session, coord, listings["O-1"].id, listings["N-1"].id, 10)
    for ref in ("O-1", "N-1"):
        ent = listings[ref].enterprise
        workflow.decide(session, Principal(user_id=None, email=f"u@{ent.ref}.test", role="enterprise",
                                           enterprise_id=ent.id, enterprise_ref=ent.ref), m.id, "accept")
    workflow.decide(session, coord, m.id, "approve")
    return m.id


@pytest.fixture()
def approved(backend, database_copy) -> tuple[str, int]:
    """The small park imported through the CLI and one 10 t match approved through the workflow: (URL, match id)."""
    def build(url: str) -> int:
        init(url, small_document())
        return written(url, _approved_match)
    return database_copy(backend, "init+small+approved", build)


@pytest.fixture()
def db_url(approved) -> str:
    return approved[0]


@pytest.fixture()
def match_id(approved) -> int:
    return approved[1]


def test_plan_dispatch_receive_close(db_url, match_id, tmp_path):
    doc = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1.5", "--containers", "2×drum:0.25",
                   "--container", "IBC:1", "--carrier", "天津危运", "--vehicle", "津A12345",
                   "--planned-on", "2026-12-03")
    number = doc["manifest_number"]
    assert doc["status"] == "planned" and doc["planned_on"] == "2026-12-03"
    assert [(c["code"], c["packaging"]) for c in doc["containers"]] == [
        (f"{number}-01", "drum"), (f"{number}-02", "drum"), (f"{number}-03", "ibc")]
    assert run_json(db_url, "transfers", "dispatch", number, "--at", doc["created_at"])["status"] == "dispatched"
    doc = run_json(db_url, "transfers", "receive", number, "--quantity", "1.48", "--container", f"{number}-03=0.98",
                   "--remark", "过磅")
    assert (doc["status"], doc["quantity_received_t"], doc["containers"][2]["quantity_received_t"]) == (
        "received", 1.48, 0.98)
    result = run(db_url, "transfers", "close", number)
    assert number in result.stdout and "closed" in result.stdout
    rows = run_json(db_url, "transfers", "list", "--status", "closed")
    assert [r["manifest_number"] for r in rows] == [number]
    assert run_json(db_url, "transfers", "list", "--park", "BH", "--match", str(match_id))[0]["status"] == "closed"
    assert "1 shipment(s)" in run(db_url, "transfers", "list").stderr


def test_plan_output_for_people(db_url, match_id):
    result = run(db_url, "transfers", "plan", str(match_id), "--quantity", "0.4", "--containers", "2xbag:0.2")
    assert "-01" in result.stdout and "-02" in result.stdout and "planned" in result.stderr


def test_reject_and_cancel_need_reasons(db_url, match_id):
    a = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--container", "drum:1")
    b = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--container", "drum:1")
    run(db_url, "transfers", "dispatch", a["manifest_number"])
    assert run(db_url, "transfers", "reject", a["manifest_number"], ok=False).exit_code == 2  # --reason missing
    doc = run_json(db_url, "transfers", "reject", a["manifest_number"], "--reason", "渗漏")
    assert (doc["status"], doc["status_reason"]) == ("rejected", "渗漏")
    assert run_json(db_url, "transfers", "cancel", b["manifest_number"], "--reason", "改期")["status"] == "cancelled"


def test_refusals_print_the_error_shape_and_exit_1(db_url, match_id):
    cases = [
        (("plan", str(match_id), "--quantity", "11", "--container", "tank:11"), 409, "quantity_t"),
        (("plan", str(match_id), "--quantity", "1", "--container", "drum:0.5"), 422, "containers"),
        (("plan", str(match_id), "--quantity", "1", "--container", "sack=1"), 422, "containers"),
        (("plan", str(match_id), "--quantity", "1"), 422, "containers"),
        (("plan", "999999", "--quantity", "1", "--container", "drum:1"), 404, "match"),
        (("dispatch", "BH-19990101-0001"), 404, "manifest"),
        (("list", "--park", "ZZ"), 404, "park"),
    ]
    number = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--container",
                      "drum:1")["manifest_number"]
    cases += [
        (("close", number), 409, "status"),
        (("dispatch", number, "--at", "2999-01-01T08:00"), 422, "at"),
        (("receive", number, "--quantity", "1", "--container", "nonsense"), 422, "containers"),
    ]
    for args, status, field in cases:
        result = run(db_url, "transfers", *args, "--json", ok=False)
        assert result.exit_code == 1, (args, result.output)
        body = json.loads(result.stdout)
        assert body["code"] == status and field in body["errors"], (args, body)
    result = run(db_url, "transfers", "close", number, ok=False)
    assert result.exit_code == 1 and "error:" in result.stderr and "status" in result.stderr


def test_export_and_printouts(db_url, match_id, tmp_path):
    a = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--containers", "4×drum:0.25")
    b = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "2", "--container", "ibc:2")
    run(db_url, "transfers", "dispatch", b["manifest_number"])
    out = tmp_path / "m.csv"
    assert run_json(db_url, "transfers", "export", "--format", "csv", "--out", str(out)) == {
        "count": 2, "format": "csv", "path": str(out)}
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["联单编号 Manifest No."] for r in rows] == [b["manifest_number"], a["manifest_number"]]
    xlsx = tmp_path / "m.xlsx"
    result = run(db_url, "transfers", "export", "--format", "xlsx", "--out", str(xlsx), "--status", "dispatched")
    assert f"1 shipment(s) written to {xlsx}" in result.stdout
    sheet = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert [r[0] for r in sheet] == ["联单编号 Manifest No.", b["manifest_number"]]
    page = tmp_path / "manifest.html"
    doc = run_json(db_url, "transfers", "manifest", a["manifest_number"], "--out", str(page))
    assert doc == {"manifest_number": a["manifest_number"], "kind": "manifest", "path": str(page), "containers": 4}
    html = page.read_text(encoding="utf-8")
    assert a["manifest_number"] in html and html.count("<svg") == 5 and "http" not in html.replace("http-equiv", "")
    labels = tmp_path / "labels.html"
    assert "written to" in run(db_url, "transfers", "labels", a["manifest_number"], "--out", str(labels)).stdout
    html = labels.read_text(encoding="utf-8")
    assert all(c["code"] in html for c in a["containers"]) and html.count("危险废物") == 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_to_printouts_speak_the_language_asked(db_url, match_id, tmp_path, lang):
    a = run_in(lang, db_url, "transfers", "plan", str(match_id), "--quantity", "1.5", "--containers", "2×drum:0.25",
               "--container", "ibc:1")
    number = run_json(db_url, "transfers", "list")[0]["manifest_number"]
    b = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--container", "drum:1")
    results = [a] + [run_in(lang, db_url, "transfers", *args) for args in (
        ["dispatch", number], ["receive", number, "--quantity", "1.4"], ["close", number],
        ["cancel", b["manifest_number"], "--reason", "改期"], ["list"], ["export", "--out", str(tmp_path / "m.csv")],
        ["manifest", number, "--out", str(tmp_path / "m.html")], ["labels", number, "--out", str(tmp_path / "l.html")])]
    results.append(run_in(lang, db_url, "transfers", "plan", str(match_id), "--quantity", "1", "--container", "sack=1",
                          ok=False))
    for result in results:
        assert_speaks(lang, result)
    planned, listed = a.stdout + a.stderr, results[5].stdout
    if lang == "zh":
        assert f"已计划 {number}（计划中）" in planned and "桶" in planned and "drum" not in planned
        assert "已办结" in listed and "（已接收 1.400 t）" in listed and "3 个容器" in listed
        assert f"已将 2 次转移写入 {tmp_path / 'm.csv'}" in results[6].stdout
        assert "'sack=1'：格式须为 包装:吨数" in results[-1].stderr  # which entry was refused, in Chinese too
    else:
        assert f"planned {number} (planned)" in planned and "drum" in planned
        assert "closed" in listed and "(received 1.400 t)" in listed and "3 container(s)" in listed
        assert f"2 shipment(s) written to {tmp_path / 'm.csv'}" in results[6].stdout
        assert "'sack=1': expected PACKAGING:TONNES" in results[-1].stderr
