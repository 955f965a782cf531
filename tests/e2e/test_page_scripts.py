"""The pages' scripts run under a Content-Security-Policy that forbids inline scripts: the run page polls its
job until it finishes and the report form says it is working, from our own script files, with no console
error (Chromium reports a script the CSP refused as one, which fails the test)."""
from __future__ import annotations

import re

COORDINATOR = "coord-ch@wastematch.example"


def test_a_page_started_run_is_followed_by_its_script_until_it_ends(sign_in, live_demo):
    user = sign_in(COORDINATOR, "en")
    page = user.page
    response = page.goto(f"{live_demo.url}/runs")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    polls: list[str] = []
    user.context.on("request", lambda r: polls.append(r.url) if re.search(r"/runs/jobs/.+\.json$", r.url) else None)
    page.click("form.stack.card button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/jobs/[^/.]+$"))
    # The job page reloads itself when the poll (run-job.js) sees the job finished; then it says so.
    page.wait_for_selector("text=The run finished in", timeout=120_000)
    assert page.locator("#job-status").inner_text().startswith("The run finished in")
    # The demo park's run takes seconds: the page was shown running, and its script asked for the job's state.
    assert polls and all(url.split("/runs/jobs/")[1].split(".")[0] in page.url for url in polls)


def test_the_report_form_says_it_is_working(sign_in, live_demo):
    user = sign_in(COORDINATOR, "en")
    page = user.page
    page.goto(f"{live_demo.url}/reports")
    assert page.locator("#report-progress").is_hidden()
    # Submitting opens the report; the note is shown first, by report-form.js, before the page goes.
    page.evaluate("document.getElementById('report-form').addEventListener('submit', e => e.preventDefault())")
    page.click("#report-form button[type=submit]")
    assert page.locator("#report-progress").is_visible()
