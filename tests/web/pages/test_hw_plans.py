"""Hazardous waste management plan pages: the producer opens its plan of the year (drafted from a dispatched
manifest and its offer), a typo is refused beside its field and nothing is kept, it submits, the coordinator returns
it with a reason the producer reads in Chinese and in English, the corrected plan is filed with a filing number, the
producer revises it; scopes; each page in one language with no internal key."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from marketplace.models import HwPlan
from marketplace.models.base import CHINA_TZ
from tests.e2e.language import internal_keys, latin_sentences
from tests.web.pages.test_shipments import shipment_in
from web.i18n import CJK

CODE = "900-214-08"


def _open(pages) -> tuple[int, int]:
    """E-2 with one dispatched 2 t manifest (and its 300 t a year offer) opens its plan of that year; (id, year)."""
    shipment = shipment_in(pages.session, "dispatched", quantity=2.0)
    year = shipment.dispatched_at.astimezone(CHINA_TZ).year
    pages.sign_in("e2")
    res = pages.post("/hw-plans", {"year": str(year)}, csrf_from="/hw-plans")
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    found = re.search(r"/hw-plans/(\d+)$", res.headers["Location"])
    assert found, res.headers["Location"]
    return int(found.group(1)), year


def _plan(pages, plan_id: int) -> HwPlan:
    pages.session.expire_all()
    return pages.session.get(HwPlan, plan_id)


def _form(**changes: str) -> dict[str, str]:
    """The whole form of E-2's plan as a browser sends it (a key unit: one storage facility, its measures)."""
    form = {
        "wastes.0.waste_code": CODE, "wastes.0.name": "废机油", "wastes.0.source": "车辆保养",
        "wastes.0.planned_t": "300", "wastes.0.storage_max_t": "1,5", "wastes.0.utilised_own_t": "",
        "wastes.0.disposed_own_t": "", "wastes.0.transferred_t": "300吨",
        "wastes.1.waste_code": "", "wastes.1.planned_t": "",
        "transfers.0.waste_code": CODE, "transfers.0.receiver": "E-1", "transfers.0.licence_number": "TJ-HW-0001",
        "transfers.0.planned_t": "300", "transfers.1.waste_code": "",
        "facilities.0.kind": "storage", "facilities.0.name": "危废暂存间", "facilities.0.capacity_t": "5",
        "facilities.1.kind": "", "facilities.1.name": "",
        "reduction_measures": "延长换油周期", "reduction_target_pct": "5",
    }
    form.update(changes)
    return form


def _save(pages, plan_id: int, action: str = "save", **changes: str):
    return pages.post(f"/hw-plans/{plan_id}/save", {**_form(**changes), "action": action},
                      csrf_from=f"/hw-plans/{plan_id}")


class _Visible(HTMLParser):
    """The body's text as a reader sees it, one string per block, without user content (``data-user``), scripts or
    parts in another language (``lang``): what ``tests.e2e.language`` reads in the browser."""

    BLOCKS = frozenset({"p", "div", "li", "td", "th", "h1", "h2", "h3", "dt", "dd", "label", "option", "button", "section",
              "form", "ul", "table", "tr", "summary", "nav", "header", "main", "footer", "span"})
    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"})
    SKIP = frozenset({"script", "style", "code", "kbd", "pre", "samp", "noscript", "template", "head", "title"})

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang, self.stack, self.blocks, self.buffer = lang, [], [], ""

    def _skipped(self) -> bool:
        return any(self.stack)

    def _flush(self) -> None:
        if self.buffer.strip():
            self.blocks.append(re.sub(r"\s+", " ", self.buffer).strip())
        self.buffer = ""

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        lang = a.get("lang")
        self.stack.append(tag in self.SKIP or "data-user" in a or "hidden" in a or a.get("aria-hidden") == "true"
                          or (lang is not None and not lang.startswith(self.lang)))
        if tag in self.BLOCKS or self.stack[-1]:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        skipped = self.stack.pop()
        if tag in self.BLOCKS or skipped:
            self._flush()

    def handle_data(self, data):
        if not self._skipped():
            self.buffer += data


def _said(html: str, lang: str) -> list[str]:
    """What is wrong with the page's language: English sentences on a Chinese page, Chinese on an English one, and
    stored keys on either."""
    parser = _Visible("zh" if lang == "zh_CN" else "en")
    parser.feed(html)
    parser.close()
    wrong = [f"key {k}" for text in parser.blocks for k in internal_keys(text)]
    if lang == "zh_CN":
        return wrong + [s for text in parser.blocks for s in latin_sentences(text)]
    return wrong + [text for text in parser.blocks if CJK.search(text)]


def test_a_producer_plans_is_returned_corrects_is_filed_and_revises(pages_on_backend):
    """The whole cycle, on SQLite and on PostgreSQL when it is configured."""
    pages = pages_on_backend
    pid, year = _open(pages)
    pages.language("en")
    page = pages.text(f"/hw-plans/{pid}")
    # Drafted from the manifest and the offer: the code, the platform's figures beside it, the receiver.
    assert f'name="wastes.0.waste_code" id="wastes-0-waste_code" value="{CODE}"' in page
    assert "2.000" in page and "(1 manifests)" in page
    assert 'value="TJ-HW-0001"' in page
    assert "Key supervision unit" in page and "300 t a year, 100 t or more" in page  # the offer's 300 t a year
    assert f"{year}-03-31" in page and "Required in this plan" in page

    # A typo is refused beside its field; the rest keeps what was typed; nothing is saved.
    res = _save(pages, pid, "submit", **{"wastes.0.planned_t": "3OO", "wastes.0.source": "换油工序"})
    html = res.get_data(as_text=True)
    assert res.status_code == 422
    assert 'id="wastes-0-planned_t-error">Not a number of tonnes: type e.g. 20.5, or 300 kg.' in html
    assert 'value="3OO"' in html and 'value="换油工序"' in html and 'value="危废暂存间"' in html
    assert "Planned wastes, line 1: Planned generation (t)" in html  # the summary names the field, not its key
    plan = _plan(pages, pid)
    assert plan.status == "draft" and plan.wastes[0].source == "" and plan.facilities == []
    # A percentage over 100 is the service's refusal, beside its field too.
    res = _save(pages, pid, reduction_target_pct="150")
    assert res.status_code == 422 and 'id="reduction_target_pct-error"' in res.get_data(as_text=True)
    assert _plan(pages, pid).reduction_measures == ""

    # "1,5" and "300吨" are read as tonnes; submitted (late: the plan of this year was due by 31 March).
    assert _save(pages, pid, "submit").status_code == 302
    plan = _plan(pages, pid)
    assert plan.status == "submitted" and plan.wastes[0].storage_max_t == 1.5 and plan.wastes[0].transferred_t == 300
    assert [f.kind for f in plan.facilities] == ["storage"] and plan.reduction_target_pct == 5
    page = pages.text(f"/hw-plans/{pid}")
    assert "Filed late" in page and 'id="hw-late"' in page and "Save the draft" not in page

    pages.client.get("/signout")
    pages.sign_in("coord")
    assert f"/hw-plans/{pid}" in pages.text("/hw-plans")
    res = pages.post(f"/hw-plans/{pid}/return", {"reason": " "}, csrf_from=f"/hw-plans/{pid}")
    assert res.status_code == 422 and _plan(pages, pid).status == "submitted"
    res = pages.post(f"/hw-plans/{pid}/return", {"reason": "请填写产生环节 / fill in the process"},
                     csrf_from=f"/hw-plans/{pid}")
    assert res.status_code == 302 and _plan(pages, pid).status == "returned"

    pages.client.get("/signout")
    pages.sign_in("e2")
    for lang, heading, status in (("zh_CN", "上次退回理由", "已退回修改"), ("en", "Reason of the last return",
                                                                     "Returned for correction")):
        pages.language(lang)
        page = pages.text(f"/hw-plans/{pid}")
        assert heading in page and status in page and "请填写产生环节 / fill in the process" in page
    assert _save(pages, pid, "submit", **{"wastes.0.source": "车辆保养换油"}).status_code == 302
    assert _plan(pages, pid).status == "resubmitted"

    pages.client.get("/signout")
    pages.sign_in("coord")
    assert pages.post(f"/hw-plans/{pid}/accept", {}, csrf_from=f"/hw-plans/{pid}").status_code == 302
    plan = _plan(pages, pid)
    assert plan.status == "accepted" and plan.filing_number
    assert plan.filing_number in pages.text(f"/hw-plans/{pid}")
    assert plan.filing_number in pages.text("/hw-plans?status=accepted")
    assert f"/hw-plans/{pid}" not in pages.text("/hw-plans?status=draft")
    # Filed: not under review any more.
    assert pages.post(f"/hw-plans/{pid}/accept", {}, csrf_from=f"/hw-plans/{pid}").status_code == 302
    assert _plan(pages, pid).revision == 1

    pages.client.get("/signout")
    pages.sign_in("e2")
    pages.language("en")
    assert "Revise the plan" in pages.text(f"/hw-plans/{pid}")
    assert pages.post(f"/hw-plans/{pid}/revise", {}, csrf_from=f"/hw-plans/{pid}").status_code == 302
    plan = _plan(pages, pid)
    assert (plan.status, plan.revision, plan.filing_number) == ("draft", 2, None)
    page = pages.text(f"/hw-plans/{pid}")
    assert 'id="hw-revision">2<' in page and "Not filed yet" in page and "Save and submit for filing" in page
    # A draft is not revised again (the service refuses; the page says why).
    res = pages.post(f"/hw-plans/{pid}/revise", {}, csrf_from=f"/hw-plans/{pid}")
    assert res.status_code == 302 and _plan(pages, pid).revision == 2


def test_scopes(pages):
    pid, year = _open(pages)
    _save(pages, pid, "submit")
    pages.client.get("/signout")
    pages.sign_in("e3")
    assert pages.get(f"/hw-plans/{pid}").status_code == 404
    assert f"/hw-plans/{pid}" not in pages.text("/hw-plans")
    pages.client.get("/signout")
    pages.sign_in("coord_nk")
    assert pages.get(f"/hw-plans/{pid}").status_code == 404
    assert f"/hw-plans/{pid}" not in pages.text("/hw-plans")
    for action in ("accept", "return"):
        res = pages.post(f"/hw-plans/{pid}/{action}", {"reason": "x"}, csrf_from="/hw-plans")
        assert res.status_code == 404
    assert _plan(pages, pid).status == "submitted"
    # A coordinator opens a plan for an enterprise of its park only.
    res = pages.post("/hw-plans", {"enterprise": "E-2", "year": str(year + 1)}, csrf_from="/hw-plans")
    assert res.status_code == 302 and res.headers["Location"].endswith("/hw-plans")
    assert pages.session.query(HwPlan).filter_by(year=year + 1).count() == 0
    pages.client.get("/signout")
    pages.sign_in("coord")
    assert 'name="enterprise"' in pages.text("/hw-plans")
    res = pages.post("/hw-plans", {"enterprise": "E-2", "year": str(year + 1)}, csrf_from="/hw-plans")
    assert res.status_code == 302 and re.search(r"/hw-plans/\d+$", res.headers["Location"])
    # Coordinators read and decide; they do not fill in the enterprise's plan.
    assert 'id="hw-plan-form"' not in pages.text(res.headers["Location"])
    res = _save(pages, pid)
    assert res.status_code == 403 and 'id="hw-refused"' in res.get_data(as_text=True)


def _between(html: str, start: str, end: str) -> str:
    """The page from ``start`` to the next ``end``."""
    first = html.index(start)
    return html[first:html.index(end, first)]


def test_each_page_speaks_one_language(pages):
    pid, _year = _open(pages)
    _save(pages, pid, "submit", **{"transfers.0.licence_number": "XX-1"})
    for user in ("e2", "coord"):
        pages.client.get("/signout")
        pages.sign_in(user)
        for lang in ("zh_CN", "en"):
            pages.language(lang)
            for path in ("/hw-plans", f"/hw-plans/{pid}"):
                assert _said(pages.text(path), lang) == [], (user, lang, path)
        # The findings in the page's language, beside their section or field.
        page = pages.text(f"/hw-plans/{pid}")
        assert "Filed late: First submitted on" in _between(page, 'id="hw-checks"', 'id="wastes-section"')
        assert "Licence not found: Licence XX-1 is not on the platform" in _between(
            page, 'id="transfers-0"', 'id="facilities-section"')
    pages.language("zh_CN")
    page = pages.text(f"/hw-plans/{pid}")
    assert "危险废物环境重点监管单位" in page and "本计划必填" in page and "已提交" in page
    assert "逾期备案：首次提交于" in _between(page, 'id="hw-checks"', 'id="wastes-section"')
    assert "许可证不在平台上：许可证 XX-1 不在平台上" in _between(page, 'id="transfers-0"', 'id="facilities-section"')
    # The form refused, in Chinese: the reason and the summary in Chinese, no key.
    pages.client.get("/signout")
    pages.sign_in("e2")
    pages.language("zh_CN")
    pid2 = pages.post("/hw-plans", {"year": str(_year + 1)}, csrf_from="/hw-plans").headers["Location"]
    pid2 = int(pid2.rsplit("/", 1)[1])
    # Next year's plan (2 t under this year's manifests): a registration unit, its facilities and reduction optional.
    page = pages.text(f"/hw-plans/{pid2}")
    assert "危险废物登记管理单位" in page and "本管理类别可不填" in _between(page, 'id="facilities-title"', "</h2>")
    assert _said(page, "zh_CN") == []
    res = _save(pages, pid2, **{"wastes.0.planned_t": "20,500", "facilities.0.kind": ""})
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and "危险废物产生情况第 1 行：计划产生量（吨）" in html
    assert _said(html, "zh_CN") == []
    pages.language("en")
    res = _save(pages, pid2, **{"wastes.0.planned_t": "20,500"})
    assert res.status_code == 422 and _said(res.get_data(as_text=True), "en") == []
