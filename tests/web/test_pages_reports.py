"""The report pages: coordinators choose park and period and open or download the report; others are refused."""
from __future__ import annotations

import io
import zipfile

from marketplace.services.matching.runs import run_matching
from tests.web.api.conftest import api, api_app  # noqa: F401 - the API harness: app, client, rolled-back session
from tests.web.test_pages_trace import sign_in


def test_reports_need_a_sign_in(api):  # noqa: F811
    res = api.client.get("/reports/view?park=BH")
    assert res.status_code == 302 and res.headers["Location"].startswith("/signin?next=/reports/view")


def test_a_coordinator_opens_and_downloads_the_report(api):  # noqa: F811
    run_matching(api.session, park=None, actor="test")
    api.session.commit()
    sign_in(api.client, "coord")
    form = api.client.get("/reports")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "产业共生与无废城市报告" in page and 'value="BH"' in page
    assert 'value="NK"' not in page  # only the coordinator's own parks are offered
    assert 'id="report-form"' in page and 'id="report-progress"' in page and "生成报告" in page
    view = api.client.get("/reports/view?park=BH&from=2026-01-01&to=2026-12-31")
    text = view.get_data(as_text=True)
    assert view.status_code == 200 and view.mimetype == "text/html" and 'class="report-chart' in text
    zipped = api.client.get("/reports/view?park=BH&format=csv")
    assert zipped.status_code == 200 and "kpis.csv" in zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()


def test_errors_show_the_form_again_with_what_was_typed(api):  # noqa: F811
    sign_in(api.client, "coord")
    res = api.client.get("/reports/view?park=BH&from=2026-12-01&to=2026-11-01")
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and 'value="2026-12-01"' in page and "from" in page
    res = api.client.get("/reports/view?park=NK")
    assert res.status_code == 403
    res = api.client.get("/reports/view?park=BH&from=not-a-date")
    assert res.status_code == 422 and "YYYY-MM-DD" in res.get_data(as_text=True)
    # An unknown format is refused, not quietly made HTML; a long park code is looked up whole, not cut.
    res = api.client.get("/reports/view?park=BH&format=pdf")
    assert res.status_code == 422 and "format" in res.get_data(as_text=True) and 'class="report-chart' not in res.get_data(as_text=True)
    res = api.client.get("/reports/view?park=BH" + "X" * 20)
    assert res.status_code == 404 and "BH" + "X" * 20 in res.get_data(as_text=True)


def test_the_form_in_english(api):  # noqa: F811
    sign_in(api.client, "coord")
    api.client.get("/lang/en")
    page = api.client.get("/reports").get_data(as_text=True)
    assert '<html lang="en">' in page and "Symbiosis and zero-waste reports" in page and "Generate report" in page
    assert "产业共生与无废城市报告" not in page and 'value="BH"' in page
    res = api.client.get("/reports/view?park=BH&from=not-a-date")
    assert res.status_code == 422 and "not a date YYYY-MM-DD" in res.get_data(as_text=True)
    assert "日期格式" not in res.get_data(as_text=True)


def test_enterprise_users_are_refused(api):  # noqa: F811
    sign_in(api.client, "e2")
    assert api.client.get("/reports").status_code == 403
    res = api.client.get("/reports/view?park=BH")
    assert res.status_code == 403 and 'class="report-chart' not in res.get_data(as_text=True)
