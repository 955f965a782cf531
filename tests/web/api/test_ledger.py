"""``/ledger``: entries (create, list with filters, get, correct, import) and findings (list, review, dismiss),
with the role rules: an enterprise sees its own ledger only (another's entry is 404), reviews are for
coordinators (403 for an enterprise before validation)."""
from __future__ import annotations

from marketplace.models.base import park_date

TODAY = park_date().isoformat()


def entry(**kw):
    return {"batch_code": "B-1", "direction": "in", "entry_date": TODAY, "chemical_name": "丙酮 acetone",
            "cas": "67-64-1", "quantity_t": 10.0, "counterparty": "E-2", **kw}


def test_create_get_list_and_correct(api):
    r = api.post("ledger", "e1", json=entry(cas="67-64-2"))
    assert r.status_code == 422 and "cas" in r.json["errors"]
    r = api.post("ledger", "e1", json=entry())
    assert r.status_code == 201, r.json
    doc = r.json
    assert (doc["enterprise"], doc["counterparty"], doc["chemical_t"]) == ("E-1", "E-2", 10.0)
    assert api.post("ledger", "e1", json=entry()).status_code == 409
    assert api.get(f"ledger/{doc['id']}", "e1").json == doc
    assert api.get(f"ledger/{doc['id']}", "e3").status_code == 404   # another enterprise's entry
    assert api.get(f"ledger/{doc['id']}", "coord_nk").status_code == 404
    assert api.get(f"ledger/{doc['id']}", "coord").json["counterparty"] == "E-2"
    api.post("ledger", "e1", json=entry(batch_code="O-1", direction="out", quantity_t=4, source_batch="B-1",
                                        entry_date=park_date().replace(day=1).isoformat()))
    page = api.get("ledger", "e1", query_string={"direction": "out"}).json
    assert [i["batch_code"] for i in page["items"]] == ["O-1"] and page["items"][0]["source_batch"] == "B-1"
    assert api.get("ledger", "e1", query_string={"batch": "B-1"}).json["total"] == 1
    assert api.get("ledger", "e3").json["total"] == 0
    assert api.get("ledger", "coord", query_string={"enterprise": "E-1"}).json["total"] == 2
    r = api.patch(f"ledger/{doc['id']}", "e1", json={"permit_number": "P-1", "quantity_t": 12})
    assert r.status_code == 200 and (r.json["permit_number"], r.json["quantity_t"]) == ("P-1", 12)
    assert api.patch(f"ledger/{doc['id']}", "e3", json={"note": "x"}).status_code == 404
    assert api.post("ledger", "e1", json=entry(batch_code="X", enterprise="E-3")).status_code == 403
    assert api.post("ledger", "coord", json=entry(batch_code="C-1", enterprise="E-2",
                                                      counterparty="E-1")).status_code == 201
    assert api.post("ledger", "coord", json=entry(batch_code="C-2", enterprise="E-4")).status_code == 404


def test_import_reports_every_row_and_field_and_writes_nothing(api):
    rows = [entry(batch_code="I-1"), entry(batch_code="I-2", quantity_t=0), entry(batch_code="I-1")]
    r = api.post("ledger/import", "e1", json={"entries": rows})
    assert r.status_code == 422
    assert set(r.json["errors"]) == {"$.entries[1].quantity_t", "$.entries[2].batch_code"}
    assert api.get("ledger", "e1").json["total"] == 0
    r = api.post("ledger/import", "e1", json={"entries": rows[:1] + [entry(batch_code="I-2")]})
    assert r.status_code == 201 and r.json["created"] == 2 and r.json["by_enterprise"] == {"E-1": 2}


def test_review_findings_and_dismiss(api):
    api.post("ledger", "e1", json=entry(cas=None))
    assert api.post("ledger/findings/review", "e1", json={}).status_code == 403
    assert api.post("ledger/findings/review", "e1", json={"park": 5}).status_code == 403  # before validation
    assert api.post("ledger/findings/review", "coord", json={"park": "NK"}).status_code == 403
    r = api.post("ledger/findings/review", "coord", json={"park": "BH"})
    assert r.status_code == 200 and r.json["by_code"] == {"missing_cas": 1} and r.json["enterprises_notified"] == 1
    assert api.post("ledger/findings/review", "coord").json["still_open"] == 1
    own = api.get("ledger/findings", "e1").json
    assert own["total"] == 1 and own["items"][0]["code"] == "missing_cas"
    assert api.get("ledger/findings", "e2").json["total"] == 0
    assert api.get("ledger/findings", "coord_nk").json["total"] == 0
    fid = own["items"][0]["id"]
    assert api.post(f"ledger/findings/{fid}/dismiss", "e1", json={"note": "x"}).status_code == 403
    assert api.post(f"ledger/findings/{fid}/dismiss", "coord_nk", json={"note": "x"}).status_code == 404
    assert api.post(f"ledger/findings/{fid}/dismiss", "coord", json={}).status_code == 422
    r = api.post(f"ledger/findings/{fid}/dismiss", "coord", json={"note": "已核实 verified"})
    assert r.status_code == 200 and r.json["status"] == "dismissed"
    assert api.post(f"ledger/findings/{fid}/dismiss", "coord", json={"note": "again"}).status_code == 409
    assert api.get("ledger/findings", "coord", query_string={"status": "dismissed"}).json["total"] == 1
    notices = api.get("notifications", "e1").json["items"]
    assert [n["kind"] for n in notices].count("ledger_findings") == 1
